//! Courses as a whole: each course's lessons in order with their stable ids, the quizzes of a
//! lesson (found by the one Markdown pass of [`crate::content::markdown::outline`], parsed by the one
//! quiz parser of [`crate::content::quiz`]), the prerequisite graph, learning paths and the
//! case studies (runbooks and postmortems) lessons link to. [`Catalog`] is computed once per
//! build from the documents being built; [`crate::checks::courses`] reports what is wrong with
//! all of it.
//!
//! Ids are what learners' progress is stored under (docs/courses.md): a course is its slug, a
//! lesson its front matter `id:` or its file stem, a question its `id:` or a hash of its text.
//! None of them depends on the rest of a lesson's text, so editing a lesson keeps progress.

use crate::content::front_matter::Kind;
use crate::content::links::{LinkTarget, resolve_link};
use crate::content::markdown::QuizBlock;
use crate::content::quiz::{self, Quiz, QuizError};
use crate::diagnostic::Pos;
use crate::model::ownership_state;
use crate::model::{Document, ReviewState, Site};
use std::collections::{BTreeMap, HashMap};

/// A lesson's id: its front matter `id:` when valid, else its file stem with characters an id
/// cannot hold (spaces, say) turned into `-`.
pub fn lesson_id(doc: &Document) -> String {
    match doc.meta.id.as_deref().filter(|id| quiz::valid_id(id)) {
        Some(id) => id.to_string(),
        None => file_stem(&doc.rel)
            .chars()
            .take(100)
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '-'
                }
            })
            .collect(),
    }
}

pub(crate) fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

pub(crate) fn file_stem(rel: &str) -> &str {
    let name = file_name(rel);
    name.strip_suffix(".md")
        .or_else(|| name.strip_suffix(".markdown"))
        .unwrap_or(name)
}

/// Whether `name` (an entry of a course's `lessons:`, with or without `.md`) names `doc`.
pub(crate) fn names(name: &str, doc: &Document) -> bool {
    name == file_name(&doc.rel) || name == file_stem(&doc.rel)
}

/// A question as progress knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuizRef {
    pub id: String,
    pub version: String,
}

/// The quiz blocks of a document, each parsed, with the file position of its first line.
pub fn quizzes(doc: &Document) -> Vec<(&QuizBlock, Pos, Result<Quiz, QuizError>)> {
    doc.outline
        .quizzes
        .iter()
        .map(|b| (b, doc.body_pos(b.offset, 0), quiz::parse(&b.text)))
        .collect()
}

/// `pos` inside a quiz block (line 1 being the block's first line) as a position in the file.
pub(crate) fn in_file(block_start: Pos, pos: Pos) -> Pos {
    Pos::new(
        block_start.line + pos.line - 1,
        block_start.column + pos.column - 1,
        pos.len,
    )
}

#[derive(Debug)]
pub struct Lesson<'a> {
    pub doc: &'a Document,
    pub id: String,
    /// The quizzes that parse, in order.
    pub quizzes: Vec<QuizRef>,
}

/// Courses, lessons and case studies of the documents being built.
pub struct Catalog<'a> {
    site: &'a Site,
    /// Each course slug's lessons in order: its `lessons` list, then those it does not list
    /// by file name (lessons of a slug without a course document too).
    pub lessons: BTreeMap<String, Vec<Lesson<'a>>>,
    /// Course documents by slug (the first of a slug).
    pub courses: BTreeMap<String, &'a Document>,
    /// For each runbook or postmortem (content path), the lessons linking to it.
    pub taught_in: HashMap<String, Vec<&'a Document>>,
}

impl<'a> Catalog<'a> {
    pub fn new(site: &'a Site, docs: &[&'a Document]) -> Catalog<'a> {
        let mut courses = BTreeMap::new();
        for d in docs.iter().filter(|d| d.kind == Kind::Course) {
            if let Some(slug) = &d.course {
                courses.entry(slug.clone()).or_insert(*d);
            }
        }
        let mut lessons: BTreeMap<String, Vec<&Document>> = BTreeMap::new();
        for d in docs.iter().filter(|d| d.kind == Kind::Lesson) {
            if let Some(c) = &d.course {
                lessons.entry(c.clone()).or_default().push(d);
            }
        }
        for (slug, list) in lessons.iter_mut() {
            let order: &[String] = courses.get(slug).map_or(&[], |c| &c.meta.lessons);
            // Without a `lessons` list, the order of the navigation that made them lessons
            // (`SUMMARY.md`, `mkdocs.yml`), if any.
            let pos = |d: &Document| match order {
                [] => d.lesson_order.unwrap_or(usize::MAX),
                _ => order.iter().position(|l| names(l, d)).unwrap_or(usize::MAX),
            };
            list.sort_by(|a, b| {
                pos(a)
                    .cmp(&pos(b))
                    .then_with(|| crate::model::weight(a).cmp(&crate::model::weight(b)))
                    .then_with(|| a.rel.cmp(&b.rel))
            });
        }
        let mut taught_in: HashMap<String, Vec<&Document>> = HashMap::new();
        for list in lessons.values() {
            for l in list {
                for rel in case_studies(site, l) {
                    taught_in.entry(rel).or_default().push(l);
                }
            }
        }
        let lessons = lessons
            .into_iter()
            .map(|(slug, list)| {
                let list = list
                    .into_iter()
                    .map(|doc| Lesson {
                        doc,
                        id: lesson_id(doc),
                        quizzes: quizzes(doc)
                            .into_iter()
                            .filter_map(|(_, _, q)| q.ok())
                            .map(|q| QuizRef {
                                id: q.id(),
                                version: q.version(),
                            })
                            .collect(),
                    })
                    .collect();
                (slug, list)
            })
            .collect();
        Catalog {
            site,
            lessons,
            courses,
            taught_in,
        }
    }

    pub fn lessons_of(&self, slug: &str) -> &[Lesson<'a>] {
        self.lessons.get(slug).map_or(&[], |l| l.as_slice())
    }

    /// The course of a slug, when it is being built.
    pub fn course(&self, slug: &str) -> Option<&'a Document> {
        self.courses.get(slug).copied()
    }

    /// The course slugs with each course after the courses it requires (its `prerequisites`
    /// being built), otherwise by slug.
    pub fn in_prerequisite_order(&self) -> Vec<&str> {
        prerequisite_order(
            self.courses
                .iter()
                .map(|(slug, d)| (slug.as_str(), d.meta.prerequisites.as_slice())),
        )
    }

    /// The linked runbooks and postmortems of `lesson` that a learner should be warned
    /// about: stale, or with no active owner.
    pub fn warnings(&self, lesson: &Document) -> Vec<(&'a Document, CaseStudyState)> {
        case_studies(self.site, lesson)
            .iter()
            .filter_map(|rel| self.site.get(rel))
            .filter_map(|d| CaseStudyState::of(self.site, d).map(|s| (d, s)))
            .collect()
    }
}

/// `courses` (slug and prerequisites, sorted by slug) with each after the ones it requires:
/// a depth-first walk in slug order, so the order is the same for the same courses. A cycle
/// (which `check` reports) is cut where the walk meets it again; unknown slugs are ignored.
pub(crate) fn prerequisite_order<'s>(
    courses: impl Iterator<Item = (&'s str, &'s [String])>,
) -> Vec<&'s str> {
    let courses: BTreeMap<&str, &[String]> = courses.collect();
    let mut out: Vec<&str> = Vec::with_capacity(courses.len());
    let mut seen: std::collections::BTreeSet<&str> = Default::default();
    fn visit<'s>(
        slug: &'s str,
        courses: &BTreeMap<&'s str, &'s [String]>,
        seen: &mut std::collections::BTreeSet<&'s str>,
        out: &mut Vec<&'s str>,
    ) {
        if !seen.insert(slug) {
            return;
        }
        for p in courses.get(slug).copied().unwrap_or_default() {
            if let Some((known, _)) = courses.get_key_value(p.as_str()) {
                visit(known, courses, seen, out);
            }
        }
        out.push(slug);
    }
    for slug in courses.keys() {
        visit(slug, &courses, &mut seen, &mut out);
    }
    out
}

/// What is wrong with a case study a lesson links to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseStudyState {
    pub stale: bool,
    pub lapsed: bool,
}

impl CaseStudyState {
    pub fn of(site: &Site, doc: &Document) -> Option<CaseStudyState> {
        let s = CaseStudyState {
            stale: site.review(doc).state == ReviewState::Stale,
            lapsed: ownership_state(site, doc) == "lapsed",
        };
        (s.stale || s.lapsed).then_some(s)
    }

    pub fn describe(self) -> &'static str {
        match (self.stale, self.lapsed) {
            (true, true) => "stale, and none of its owners is active",
            (true, false) => "stale",
            _ => "none of its owners is active",
        }
    }
}

/// The runbooks and postmortems `lesson` links to (content paths, each once, in link order).
pub fn case_studies(site: &Site, lesson: &Document) -> Vec<String> {
    case_study_links(site, lesson)
        .into_iter()
        .map(|(rel, _)| rel)
        .collect()
}

/// [`case_studies`] with the first link to each (its byte offset and length in the body).
pub(crate) fn case_study_links(site: &Site, lesson: &Document) -> Vec<(String, (usize, usize))> {
    let mut out: Vec<(String, (usize, usize))> = Vec::new();
    for link in lesson.outline.links.iter().filter(|l| !l.image) {
        let Some(LinkTarget::Path { rel, .. }) = resolve_link(&lesson.rel, &link.dest) else {
            continue;
        };
        let is_case = site.get(&rel).is_some_and(|d| {
            matches!(d.kind, Kind::Runbook | Kind::Postmortem) && d.is_listed(false)
        });
        if is_case && !out.iter().any(|(r, _)| *r == rel) {
            out.push((rel, (link.offset, link.len)));
        }
    }
    out
}

/// Reading speed for lessons that give no `minutes`: words (code counted) per minute.
pub const WORDS_PER_MINUTE: usize = 200;

/// A lesson's minutes: its `minutes`, else an estimate from its length (words, code blocks
/// included, at [`WORDS_PER_MINUTE`], at least one), and whether it is an estimate.
pub fn lesson_minutes(doc: &Document) -> (u32, bool) {
    match doc.meta.minutes {
        Some(m) => (m, false),
        None => {
            let words = doc.markdown().split_whitespace().count();
            (words.div_ceil(WORDS_PER_MINUTE).max(1) as u32, true)
        }
    }
}

#[cfg(test)]
mod order_tests {
    use super::prerequisite_order;

    fn order(courses: &[(&str, &[&str])]) -> Vec<String> {
        let owned: Vec<(String, Vec<String>)> = courses
            .iter()
            .map(|(s, p)| (s.to_string(), p.iter().map(|x| x.to_string()).collect()))
            .collect();
        prerequisite_order(owned.iter().map(|(s, p)| (s.as_str(), p.as_slice())))
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn courses_come_after_their_prerequisites() {
        // `a-advanced` requires `z-basics`, which requires `m-middle`.
        assert_eq!(
            order(&[
                ("a-advanced", &["z-basics"]),
                ("k-other", &[]),
                ("m-middle", &[]),
                ("z-basics", &["m-middle", "nope"]),
            ]),
            ["m-middle", "z-basics", "a-advanced", "k-other"]
        );
        // A cycle still lists every course once.
        assert_eq!(order(&[("a", &["b"]), ("b", &["a"])]), ["b", "a"]);
    }
}
