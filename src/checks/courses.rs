//! What is wrong with courses, quizzes and learning paths: prerequisites and lessons that do
//! not exist, cycles, duplicate lesson ids, quizzes that do not parse, lessons teaching with
//! stale case studies.

use crate::config::CONFIG_FILE;
use crate::content::front_matter::Kind;
use crate::content::quiz;
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::model::courses::*;
use crate::model::{Document, Site};
use std::collections::{BTreeSet, HashMap};

/// Every finding about courses, quizzes and learning paths (severities not yet settled).
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let docs: Vec<&Document> = site
        .documents
        .iter()
        .filter(|d| d.is_listed(false))
        .collect();
    let mut out = Vec::new();
    let catalog = Catalog::new(site, &docs);
    for course in catalog.courses.values() {
        prerequisites(site, course, &mut out);
        listed_lessons(site, course, &mut out);
    }
    cycles(&catalog, &mut out);
    for lessons in catalog.lessons.values() {
        lesson_ids(lessons, &mut out);
        quizzes_of_course(lessons.iter().map(|l| l.doc), &mut out);
        for l in lessons {
            stale_case_studies(site, l.doc, &mut out);
        }
    }
    // Quizzes outside lessons render too, so they must parse as well.
    for d in docs.iter().filter(|d| d.kind != Kind::Lesson) {
        quizzes_of_course(std::iter::once(*d), &mut out);
    }
    learning_paths(site, &catalog, &mut out);
    out
}

fn closest<'s>(slugs: impl Iterator<Item = &'s String>, wanted: &str) -> Option<&'s String> {
    slugs
        .map(|s| (strsim::levenshtein(s, wanted), s))
        .filter(|(d, _)| *d <= wanted.len().max(3) / 3)
        .min()
        .map(|(_, s)| s)
}

fn unknown_course_hint(site: &Site, wanted: &str) -> String {
    let slugs: BTreeSet<&String> = site
        .listed(false)
        .filter(|d| d.kind == Kind::Course)
        .filter_map(|d| d.course.as_ref())
        .collect();
    match closest(slugs.iter().copied(), wanted) {
        Some(s) => {
            format!("did you mean `{s}`? Courses are named by their folder under content/courses/")
        }
        None if slugs.is_empty() => {
            "there are no courses yet: a course is content/courses/<slug>/index.md".into()
        }
        None => format!(
            "name a course by its folder under content/courses/: {}",
            slugs
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn prerequisites(site: &Site, course: &Document, out: &mut Vec<Diagnostic>) {
    for p in &course.meta.prerequisites {
        let found = site.course(p);
        if found.is_some_and(|c| !c.is_draft()) {
            continue;
        }
        let why = if found.is_some() {
            format!("prerequisite `{p}` is a draft course, which is not published")
        } else {
            format!("prerequisite `{p}` names no course")
        };
        out.push(
            course
                .finding(
                    Code::UnknownPrerequisite,
                    course.word_pos("prerequisites", p),
                    why,
                )
                .with_hint(unknown_course_hint(site, p)),
        );
    }
}

fn listed_lessons(site: &Site, course: &Document, out: &mut Vec<Diagnostic>) {
    let order = &course.meta.lessons;
    if order.is_empty() {
        return; // lessons in file-name order: nothing can be missing or left out
    }
    let Some(slug) = course.course.as_deref() else {
        return;
    };
    let lessons: Vec<&Document> = site
        .documents
        .iter()
        .filter(|d| d.kind == Kind::Lesson && d.course.as_deref() == Some(slug))
        .collect();
    for (i, name) in order.iter().enumerate() {
        if lessons.iter().any(|d| names(name, d)) {
            continue;
        }
        let candidates = lessons
            .iter()
            .filter(|d| !order.iter().any(|n| names(n, d)));
        let hint = match candidates
            .map(|d| file_name(&d.rel))
            .min_by_key(|n| strsim::levenshtein(n, name))
        {
            Some(n) => {
                format!("did you mean `{n}`? Lessons are files next to the course's index.md")
            }
            None => format!("create content/courses/{slug}/{name}, or remove it from `lessons`"),
        };
        out.push(
            course
                .finding(
                    Code::MissingLesson,
                    lesson_item_pos(course, i, name),
                    format!("lesson `{name}` is listed but there is no such file in the course"),
                )
                .with_hint(hint),
        );
    }
    for d in lessons.iter().filter(|d| !d.is_draft()) {
        if order.iter().any(|n| names(n, d)) {
            continue;
        }
        out.push(
            d.finding(
                Code::UnlistedLesson,
                Pos::START,
                format!(
                    "lesson is not listed in its course's `lessons` ({}); it is shown after the listed ones",
                    course.file
                ),
            )
            .with_hint(format!(
                "add `{}` to `lessons` in {} where it belongs, or delete the file",
                file_name(&d.rel),
                course.file
            )),
        );
    }
}

/// Where item `i` (`name`) of a course's `lessons` list sits.
fn lesson_item_pos(course: &Document, i: usize, name: &str) -> Pos {
    let pos = course.word_pos("lessons", name);
    if pos != course.key_pos("lessons") {
        return pos;
    }
    course.item_pos("lessons", i, "")
}

/// Each prerequisite cycle once, at the course of the cycle whose slug sorts first.
///
/// For each course in slug order, the shortest way back to it (breadth first, edges in
/// order), searched only inside its strongly connected component: no other course can be
/// on a cycle through it, and a course alone in its component (a chain of 5,000 courses
/// has nothing else) has no cycle to search for.
fn cycles(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    let slugs: Vec<&String> = catalog.courses.keys().collect();
    let index: HashMap<&str, usize> = slugs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = catalog
        .courses
        .values()
        .map(|c| {
            let prerequisites = c.meta.prerequisites.iter();
            prerequisites
                .filter_map(|p| index.get(p.as_str()).copied())
                .collect()
        })
        .collect();
    let component = components(&edges);
    let mut size = vec![0usize; slugs.len()];
    for &c in &component {
        size[c] += 1;
    }
    let mut reported = vec![false; slugs.len()];
    const NONE: usize = usize::MAX;
    let mut prev = vec![NONE; slugs.len()];
    let mut touched: Vec<usize> = Vec::new();
    for start in 0..slugs.len() {
        if reported[start] || (size[component[start]] == 1 && !edges[start].contains(&start)) {
            continue;
        }
        for &t in &touched {
            prev[t] = NONE;
        }
        touched.clear();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut found = false;
        'search: while let Some(s) = queue.pop_front() {
            for &next in &edges[s] {
                if next == start {
                    prev[start] = s;
                    touched.push(start);
                    found = true;
                    break 'search;
                }
                if component[next] == component[start] && prev[next] == NONE {
                    prev[next] = s;
                    touched.push(next);
                    queue.push_back(next);
                }
            }
        }
        if !found {
            continue;
        }
        // Walk back from the course naming `start`: start → its prerequisite → ... → back.
        let mut chain = Vec::new();
        let mut at = prev[start];
        while at != start {
            chain.push(at);
            at = prev[at];
        }
        chain.reverse();
        let mut cycle = vec![start];
        cycle.extend(chain);
        if cycle.iter().any(|&s| reported[s]) {
            continue;
        }
        for &s in &cycle {
            reported[s] = true;
        }
        // Indices follow slug order: the smallest is the slug that sorts first.
        let first = cycle.iter().copied().min().unwrap_or(start);
        let k = cycle.iter().position(|&s| s == first).unwrap_or(0);
        cycle.rotate_left(k);
        let next = slugs[*cycle.get(1).unwrap_or(&cycle[0])];
        let course = catalog.courses[slugs[first]];
        let mut shown: Vec<&str> = cycle.iter().map(|&s| slugs[s].as_str()).collect();
        shown.push(slugs[first]);
        out.push(
            course
                .finding(
                    Code::PrerequisiteCycle,
                    course.word_pos("prerequisites", next),
                    format!(
                        "prerequisites form a cycle: {} (each must be finished before the next can start, so none can)",
                        shown.join(" → ")
                    ),
                )
                .with_hint("remove one of these prerequisites to break the cycle"),
        );
    }
}

/// The strongly connected component of each node (Tarjan's algorithm, without recursion:
/// a chain of prerequisites may be as deep as there are courses).
fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    const NONE: usize = usize::MAX;
    let n = edges.len();
    let (mut order, mut low, mut component) = (vec![NONE; n], vec![0; n], vec![NONE; n]);
    let (mut stack, mut on_stack) = (Vec::new(), vec![false; n]);
    let (mut counter, mut components) = (0, 0);
    for root in 0..n {
        if order[root] != NONE {
            continue;
        }
        // (node, index of its next edge to follow)
        let mut calls = vec![(root, 0usize)];
        order[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = calls.last_mut() {
            if let Some(&w) = edges[v].get(*i) {
                *i += 1;
                if order[w] == NONE {
                    order[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = components;
                    if w == v {
                        break;
                    }
                }
                components += 1;
            }
        }
    }
    component
}

fn lesson_ids(lessons: &[Lesson], out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, &Document> = HashMap::new();
    for l in lessons {
        if let Some(id) = l.doc.meta.id.as_deref()
            && !quiz::valid_id(id)
        {
            out.push(
                l.doc
                    .finding(
                        Code::InvalidMetadata,
                        l.doc.key_pos("id"),
                        format!("lesson id `{id}` is not a valid id"),
                    )
                    .with_hint("use letters, digits, `-`, `_` and `.` only (at most 100)"),
            );
        }
        if let Some(first) = seen.insert(&l.id, l.doc) {
            seen.insert(&l.id, first);
            let pos = if l.doc.meta.id.is_some() {
                l.doc.key_pos("id")
            } else {
                Pos::START
            };
            out.push(
                l.doc
                    .finding(
                        Code::InvalidMetadata,
                        pos,
                        format!(
                            "lesson id `{}` is already the id of {}; learners' progress would mix the two",
                            l.id, first.file
                        ),
                    )
                    .with_hint("give one of them another `id:`"),
            );
        }
    }
}

/// Invalid quizzes of `docs`, and questions that repeat one of the same course (progress is
/// kept per course and question id, so two such questions would share an answer).
fn quizzes_of_course<'d>(docs: impl Iterator<Item = &'d Document>, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, (String, u32)> = HashMap::new();
    for doc in docs {
        for (_, start, parsed) in quizzes(doc) {
            match parsed {
                Err(e) => {
                    let mut d = doc.finding(
                        Code::InvalidQuiz,
                        in_file(start, e.pos),
                        format!("quiz block does not work: {}", e.message),
                    );
                    if let Some(h) = e.hint {
                        d = d.with_hint(h);
                    }
                    out.push(d);
                }
                Ok(q) => {
                    let id = q.id();
                    if let Some((file, line)) = seen.get(&id) {
                        let what = if q.id.is_some() {
                            format!("quiz id `{id}`")
                        } else {
                            "the same question".to_string()
                        };
                        let here = if *file == doc.file {
                            format!("line {line}")
                        } else {
                            format!("{file}:{line}")
                        };
                        out.push(
                            doc.finding(
                                Code::DuplicateQuestion,
                                start,
                                format!("{what} is already asked at {here}; learners' answers to the two would be mixed up"),
                            )
                            .with_hint("remove one, reword it, or give each its own `id:`"),
                        );
                    } else {
                        seen.insert(id, (doc.file.clone(), start.line));
                    }
                }
            }
        }
    }
}

fn stale_case_studies(site: &Site, lesson: &Document, out: &mut Vec<Diagnostic>) {
    for (rel, (offset, len)) in case_study_links(site, lesson) {
        let Some(target) = site.get(&rel) else {
            continue;
        };
        let Some(state) = CaseStudyState::of(site, target) else {
            continue;
        };
        out.push(
            lesson
                .finding(
                    Code::StaleCaseStudy,
                    lesson.body_pos(offset, len),
                    format!(
                        "lesson teaches with {} `{}`, which is {}; learners are warned on the lesson page",
                        target.kind.as_str(),
                        target.file,
                        state.describe()
                    ),
                )
                .with_hint(format!(
                    "have its owners review it (`fieldbook review {}`) or hand it over, or link to another {}",
                    target.file,
                    target.kind.as_str()
                )),
        );
    }
}

/// The finding for learning path `path` (book.toml's `[[paths]]`) naming course `slug` at
/// `pos`, on `line`, which no course has: `check` reports it of a site, `compose` of the
/// handbook's paths over its parts.
pub fn unknown_course(path: &str, slug: &str, pos: Pos, line: &str) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::UnknownCourse,
        CONFIG_FILE,
        pos,
        format!("learning path `{path}` names course `{slug}`, which does not exist"),
    );
    d.source_line = Some(line.to_string());
    d
}

fn learning_paths(site: &Site, catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    for path in &site.config.paths {
        for (slug, pos, line) in &path.courses {
            if catalog.course(slug).is_some() {
                continue;
            }
            out.push(
                unknown_course(&path.id, slug, *pos, line)
                    .with_hint(unknown_course_hint(site, slug)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::date::Date;
    use crate::model::owners::Owners;

    fn doc(rel: &str, text: &str) -> Document {
        let today = Date::parse("2026-11-27").unwrap();
        crate::load::parse_document(&format!("content/{rel}"), rel, text.to_string(), today).0
    }

    fn site(config: &str, docs: Vec<Document>) -> Site {
        let config = crate::config::parse(std::path::Path::new("/site"), config).unwrap();
        let owners: Owners = crate::model::owners::parse(
            "owners.yaml",
            "people:\n  al: {name: Al}\n  cy: {name: Cy, left: 2026-01-01}\n",
        )
        .unwrap();
        let today = Date::parse("2026-11-27").unwrap();
        Site::new(config, owners, today, docs, vec![], vec![], vec![])
    }

    fn course(slug: &str, front: &str) -> Document {
        doc(
            &format!("courses/{slug}/index.md"),
            &format!("---\ntitle: {slug}\nowners: [al]\nreviewed: 2026-11-01\n{front}---\nText.\n"),
        )
    }

    fn lesson(slug: &str, name: &str, text: &str) -> Document {
        doc(&format!("courses/{slug}/{name}"), text)
    }

    fn codes(s: &Site) -> Vec<(Code, String, u32, u32)> {
        let mut f = check(s);
        f.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        f.into_iter()
            .map(|d| (d.code, d.file, d.line, d.column))
            .collect()
    }

    const QUIZ: &str =
        "```quiz\nquestion: Q?\nchoices:\n  - text: A\n    correct: true\n  - text: B\n```\n";

    #[test]
    fn ids_and_order() {
        let s = site(
            "",
            vec![
                course("c", "lessons: [b.md, a]\n"),
                lesson(
                    "c",
                    "a.md",
                    &format!("---\ntitle: A\nid: intro\n---\n{QUIZ}"),
                ),
                lesson("c", "b.md", "---\ntitle: B\n---\nB\n"),
                lesson("c", "z.md", "---\ntitle: Z\n---\nZ\n"),
                lesson("c", "zz Ünï code.md", "---\ntitle: U\n---\nU\n"),
            ],
        );
        let docs: Vec<&Document> = s.documents.iter().collect();
        let cat = Catalog::new(&s, &docs);
        let ids: Vec<&str> = cat.lessons_of("c").iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["b", "intro", "z", "zz--n--code"]);
        assert!(ids.iter().all(|id| quiz::valid_id(id)));
        let q = &cat.lessons_of("c")[1].quizzes;
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].id, quiz::quiz_id("Q?"));
    }

    #[test]
    fn question_ids_survive_text_edits_and_versions_follow_answers() {
        let parse = |y: &str| quiz::parse(y).unwrap();
        let a = parse("question: Q?\nchoices: [{text: A, correct: true}, {text: B}]\n");
        let reworded_choice =
            parse("question: Q?\nchoices: [{text: A!, correct: true}, {text: B}]\n");
        let other_answer = parse("question: Q?\nchoices: [{text: A}, {text: B, correct: true}]\n");
        let with_id =
            parse("id: q1\nquestion: Q, reworded?\nchoices: [{text: A, correct: true}]\n");
        assert_eq!(a.id(), reworded_choice.id());
        assert_ne!(a.version(), reworded_choice.version());
        assert_ne!(a.version(), other_answer.version());
        assert_eq!(with_id.id(), "q1");
        // Stored in browsers: the hash must never change for the same text.
        assert_eq!(a.version(), a.version());
        assert_eq!(quiz::quiz_id("Q?"), quiz::quiz_id(" Q? "));
    }

    /// The cycle search as it was before it kept to components (a breadth-first search of
    /// the whole catalog from every course): what [`cycles`] must still report.
    fn cycles_reference(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
        let edges = |slug: &str| -> Vec<String> {
            catalog
                .course(slug)
                .map(|c| {
                    c.meta
                        .prerequisites
                        .iter()
                        .filter(|p| catalog.courses.contains_key(*p))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut reported: BTreeSet<String> = BTreeSet::new();
        for start in catalog.courses.keys() {
            if reported.contains(start) {
                continue;
            }
            // The shortest way back to `start`, breadth first (deterministic: edges in order).
            let mut prev: std::collections::BTreeMap<String, String> =
                std::collections::BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([start.clone()]);
            let mut found = false;
            while let Some(s) = queue.pop_front() {
                for next in edges(&s) {
                    if next == *start {
                        prev.insert(start.clone(), s.clone());
                        found = true;
                        break;
                    }
                    if !prev.contains_key(&next) {
                        prev.insert(next.clone(), s.clone());
                        queue.push_back(next);
                    }
                }
                if found {
                    break;
                }
            }
            if !found {
                continue;
            }
            // Walk back from the course naming `start`: start → its prerequisite → ... → back.
            let mut chain = Vec::new();
            let mut at = prev[start].clone();
            while at != *start {
                chain.push(at.clone());
                at = prev[&at].clone();
            }
            chain.reverse();
            let mut cycle = vec![start.clone()];
            cycle.extend(chain);
            if cycle.iter().any(|s| reported.contains(s)) {
                continue;
            }
            reported.extend(cycle.iter().cloned());
            let first = cycle.iter().min().cloned().unwrap_or_default();
            let k = cycle.iter().position(|s| *s == first).unwrap_or(0);
            cycle.rotate_left(k);
            let next = cycle.get(1).unwrap_or(&cycle[0]).clone();
            let course = catalog.courses[&first];
            let mut shown = cycle.clone();
            shown.push(first.clone());
            out.push(
                course
                    .finding(
                        Code::PrerequisiteCycle,
                        course.word_pos("prerequisites", &next),
                        format!(
                            "prerequisites form a cycle: {} (each must be finished before the next can start, so none can)",
                            shown.join(" → ")
                        ),
                    )
                    .with_hint("remove one of these prerequisites to break the cycle"),
            );
        }
    }

    #[test]
    fn cycles_are_those_of_the_search_over_the_whole_catalog() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..150 {
            let n = 2 + next(7);
            let courses = (0..n)
                .map(|i| {
                    let pre: Vec<String> =
                        (0..next(4)).map(|_| format!("c{}", next(n + 1))).collect();
                    course(
                        &format!("c{i}"),
                        &format!("prerequisites: [{}]\n", pre.join(", ")),
                    )
                })
                .collect();
            let s = site("", courses);
            let docs: Vec<&Document> = s.documents.iter().collect();
            let cat = Catalog::new(&s, &docs);
            let (mut got, mut want) = (Vec::new(), Vec::new());
            cycles(&cat, &mut got);
            cycles_reference(&cat, &mut want);
            let shown = |f: &[Diagnostic]| -> Vec<String> {
                f.iter()
                    .map(|d| format!("{}:{}:{} {}", d.file, d.line, d.column, d.message))
                    .collect()
            };
            assert_eq!(shown(&got), shown(&want));
        }
    }

    #[test]
    fn prerequisites_unknown_and_cycles() {
        let s = site(
            "",
            vec![
                course("a", "prerequisites: [b]\n"),
                course("b", "prerequisites:\n  - c\n  - nope\n"),
                course("c", "prerequisites: [a]\n"),
                course("d", "prerequisites: [d]\n"),
                course("e", "prerequisites: [a]\n"),
            ],
        );
        let f = check(&s);
        let cycles: Vec<&Diagnostic> = f
            .iter()
            .filter(|d| d.code == Code::PrerequisiteCycle)
            .collect();
        assert_eq!(cycles.len(), 2, "{f:#?}");
        assert_eq!(cycles[0].file, "content/courses/a/index.md");
        assert!(
            cycles[0].message.contains("a → b → c → a"),
            "{}",
            cycles[0].message
        );
        assert_eq!((cycles[0].line, cycles[0].column), (5, 17));
        assert!(cycles[1].message.contains("d → d"), "{}", cycles[1].message);
        let unknown: Vec<_> = f
            .iter()
            .filter(|d| d.code == Code::UnknownPrerequisite)
            .map(|d| (d.file.as_str(), d.line, d.column))
            .collect();
        assert_eq!(unknown, [("content/courses/b/index.md", 7, 5)]);
    }

    #[test]
    fn missing_and_unlisted_lessons() {
        let s = site(
            "",
            vec![
                course("c", "lessons:\n  - 01-a.md\n  - 02-b.md\n"),
                lesson("c", "01-a.md", "---\ntitle: A\n---\nA\n"),
                lesson("c", "02-bb.md", "---\ntitle: B\n---\nB\n"),
            ],
        );
        let f = check(&s);
        let missing = f.iter().find(|d| d.code == Code::MissingLesson).unwrap();
        assert_eq!((missing.line, missing.column), (7, 5));
        assert!(missing.hint.as_deref().unwrap().contains("02-bb.md"));
        let unlisted = f.iter().find(|d| d.code == Code::UnlistedLesson).unwrap();
        assert_eq!(unlisted.file, "content/courses/c/02-bb.md");
        // No `lessons:` at all: file order, nothing to report.
        let s = site("", vec![course("c", ""), lesson("c", "x.md", "X\n")]);
        assert!(check(&s).is_empty(), "{:#?}", check(&s));
    }

    #[test]
    fn quizzes_are_checked_with_file_positions() {
        let text = "---\ntitle: L\n---\nIntro\n\n```quiz\nquestion: Q?\nchoices:\n  - text: A\n```\n\n- In a list:\n\n  ```quiz\n  question: [unclosed\n  ```\n\n```quiz\nquestion: Q?\nchoices: [{text: B, correct: true}]\n```\n\n```quiz\nquestion: R\nchoices: [{text: B, correct: true}]\n```\n\n```quiz\nquestion: R\nchoices: [{text: B, correct: true}]\n```\n";
        let s = site("", vec![course("c", ""), lesson("c", "l.md", text)]);
        let f = codes(&s);
        let file = "content/courses/c/l.md".to_string();
        assert_eq!(
            f,
            [
                (Code::InvalidQuiz, file.clone(), 8, 1),
                (Code::InvalidQuiz, file.clone(), 15, 13),
                (Code::DuplicateQuestion, file.clone(), 29, 1),
            ]
        );
        let dup = check(&s)
            .into_iter()
            .find(|d| d.code == Code::DuplicateQuestion)
            .unwrap();
        assert!(dup.message.contains("line 24"), "{}", dup.message);
    }

    #[test]
    fn duplicate_questions_across_lessons_of_a_course_and_ids() {
        let s = site(
            "",
            vec![
                course("c", ""),
                lesson("c", "a.md", &format!("A\n\n{QUIZ}")),
                lesson("c", "b.md", &format!("---\nid: a\n---\nB\n\n{QUIZ}")),
                lesson("d", "a.md", &format!("A\n\n{QUIZ}")),
            ],
        );
        let f = codes(&s);
        assert_eq!(
            f,
            [
                (Code::InvalidMetadata, "content/courses/c/b.md".into(), 2, 5),
                (
                    Code::DuplicateQuestion,
                    "content/courses/c/b.md".into(),
                    7,
                    1
                ),
            ],
            "{:#?}",
            check(&s)
        );
    }

    #[test]
    fn case_studies_and_their_warnings() {
        let s = site(
            "",
            vec![
                course("c", ""),
                lesson(
                    "c",
                    "l.md",
                    "Read [the old one](../../runbooks/old.md) and [the good one](../../runbooks/ok.md), [again](../../runbooks/old.md#x).\n",
                ),
                doc(
                    "runbooks/old.md",
                    "---\ntitle: Old\nowners: [cy]\nreviewed: 2025-01-01\n---\n# X\n",
                ),
                doc(
                    "runbooks/ok.md",
                    "---\ntitle: OK\nowners: [al]\nreviewed: 2026-11-01\n---\nOK\n",
                ),
            ],
        );
        let docs: Vec<&Document> = s.documents.iter().collect();
        let cat = Catalog::new(&s, &docs);
        assert_eq!(cat.taught_in["runbooks/old.md"].len(), 1);
        assert_eq!(cat.taught_in["runbooks/ok.md"][0].rel, "courses/c/l.md");
        let w = cat.warnings(s.get("courses/c/l.md").unwrap());
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].1,
            CaseStudyState {
                stale: true,
                lapsed: true
            }
        );
        let f = codes(&s);
        assert_eq!(
            f,
            [(Code::StaleCaseStudy, "content/courses/c/l.md".into(), 1, 6)]
        );
    }

    #[test]
    fn learning_paths_name_known_courses() {
        let s = site(
            "[[paths]]\nid = \"p\"\ntitle = \"P\"\ncourses = [\"c\", \"cc\"]\n",
            vec![course("c", "")],
        );
        let f = check(&s);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].code, f[0].file.as_str(), f[0].line, f[0].column),
            (Code::UnknownCourse, "book.toml", 4, 17)
        );
        assert!(f[0].hint.as_deref().unwrap().contains("`c`"));
    }
}
