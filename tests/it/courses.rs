//! Courses over the `courses-bad` fixture: every course finding with its exact place, the
//! pages courses add (course, lesson, My learning, paths) and their markup for learning.js.

use crate::common::*;
use std::path::Path;

/// (code, severity, file, line, column)
type Finding = (String, String, String, u64, u64);

fn findings(site: &Path) -> (i32, Vec<Finding>) {
    let (code, out, err) = run([
        "check".as_ref(),
        site.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert!(!err.contains("panicked"), "{err}");
    let list = json_findings(&out).iter().map(finding_tuple).collect();
    (code, list)
}

#[test]
fn every_course_finding_is_placed_exactly() {
    let (code, got) = findings(&fixture("courses-bad"));
    let want: Vec<Finding> = [
        ("unknown-course", "error", "book.toml", 12, 34),
        (
            "unknown-prerequisite",
            "error",
            "content/courses/advanced/index.md",
            5,
            25,
        ),
        (
            "missing-lesson",
            "error",
            "content/courses/advanced/index.md",
            8,
            5,
        ),
        (
            "stale-case-study",
            "warning",
            "content/courses/basics/01-intro.md",
            6,
            6,
        ),
        (
            "invalid-quiz",
            "error",
            "content/courses/basics/02-quizzes.md",
            10,
            11,
        ),
        (
            "invalid-quiz",
            "error",
            "content/courses/basics/02-quizzes.md",
            18,
            1,
        ),
        (
            "duplicate-question",
            "error",
            "content/courses/basics/02-quizzes.md",
            26,
            1,
        ),
        (
            "unlisted-lesson",
            "warning",
            "content/courses/basics/03-extra.md",
            1,
            1,
        ),
        (
            "prerequisite-cycle",
            "error",
            "content/courses/loop-a/index.md",
            6,
            5,
        ),
        ("stale", "warning", "content/runbooks/old.md", 4, 11),
    ]
    .into_iter()
    .map(|(c, s, f, l, col)| (c.into(), s.into(), f.into(), l, col))
    .collect();
    assert_eq!(got, want);
    assert_eq!(code, 1, "course errors fail the check by default");
}

#[test]
fn messages_name_what_to_fix() {
    let (_, out, _) = run([
        "check".as_ref(),
        fixture("courses-bad").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let all = json_findings(&out);
    let msg = |code: &str| {
        let f = all.iter().find(|f| f["code"] == code).unwrap();
        format!("{} | {}", f["message"], f["hint"])
    };
    assert!(msg("prerequisite-cycle").contains("loop-a → loop-b → loop-a"));
    assert!(msg("unknown-course").contains("did you mean `basics`?"));
    assert!(msg("duplicate-question").contains("content/courses/basics/01-intro.md:9"));
    assert!(msg("invalid-quiz").contains("invalid type: sequence"));
    assert!(msg("stale-case-study").contains("content/runbooks/old.md"));
    assert!(msg("unlisted-lesson").contains("add `03-extra.md` to `lessons`"));
}

#[test]
fn fail_on_decides_their_severity() {
    let site = temp_fixture("courses-bad");
    let toml = site.path().join("book.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace(
            "[build]",
            "[check]\nfail_on = [\"stale-case-study\"]\n\n[build]",
        ),
    )
    .unwrap();
    let (code, got) = findings(site.path());
    let errors: Vec<&str> = got
        .iter()
        .filter(|f| f.1 == "error")
        .map(|f| f.0.as_str())
        .collect();
    assert_eq!(errors, ["stale-case-study"]);
    assert_eq!(code, 1);
}

#[test]
fn pages_carry_the_learning_markup() {
    let site = temp_fixture("courses-bad");
    let (code, _, err) = site.build(&[]);
    assert_eq!(code, 1, "{err}");
    let read = |rel: &str| site.read_output(rel);
    let course = read("courses/basics/index.html");
    insta::assert_snapshot!("course_main", main_of(&course));
    let learning = read("learning/index.html");
    insta::assert_snapshot!("learning_main", main_of(&learning));
    assert!(learning.contains("<title>My learning · Courses fixture</title>"));
    assert!(learning.contains("href=\"../learning/\" aria-current=\"page\""));

    // Objectives are text, never markup.
    assert!(course.contains("Answer &lt;b&gt;quizzes&lt;/b&gt; &amp; check them"));
    assert!(!course.contains("<b>quizzes"));

    let lesson = read("courses/basics/02-quizzes/index.html");
    assert!(lesson.contains(
        "<article class=\"doc doc-lesson\" data-course=\"basics\" data-lesson=\"quizzes-lesson\">"
    ));
    assert!(lesson.contains(
        "<div class=\"lesson-actions\" data-lesson-actions hidden></div>\n<nav class=\"lesson-outline\""
    ));
    // The course's outline: every lesson in order, this one the current page.
    assert!(lesson.contains(
        "<li data-lesson=\"quizzes-lesson\" class=\"is-current\"><a href=\"../../../courses/basics/02-quizzes/\" aria-current=\"page\">Quizzes</a>"
    ));
    assert!(lesson.contains(
        "<li data-lesson=\"01-intro\"><a href=\"../../../courses/basics/01-intro/\">Intro</a></li>"
    ));
    assert!(lesson.contains("</nav>\n<nav class=\"pager\""));
    assert!(lesson.contains("<section class=\"quiz\" data-quiz-id=\"first\" data-quiz-version=\""));
    assert!(lesson.contains("<div class=\"quiz quiz-invalid\" role=\"note\">"));

    let intro = read("courses/basics/01-intro/index.html");
    assert!(
        intro.contains("case-study-warning"),
        "the stale runbook is flagged"
    );
    assert!(intro.contains("<a href=\"../../../runbooks/old/\">Old runbook</a> (runbook): stale, review was due <time datetime=\"2025-04-01\">"));
    let runbook = read("runbooks/old/index.html");
    assert!(runbook.contains("<h2 id=\"taught-in-title\">Taught in</h2>"));
    assert!(runbook.contains("<a href=\"../../courses/basics/01-intro/\">Intro</a> <span class=\"muted\">in</span> <a href=\"../../courses/basics/\">Basics</a>"));

    let paths = read("paths/index.html");
    assert!(paths.contains("<a href=\"../paths/starter/\">Starter path</a>"));
    let path = read("paths/starter/index.html");
    assert!(path.contains("<div class=\"path-progress\" data-path-progress hidden></div>"));
    assert!(
        path.contains("<li class=\"path-course\" data-course=\"advanced\" data-lessons=\"01-a\">")
    );
    assert!(
        !path.contains("data-course=\"basic\""),
        "an unknown course is a finding, not an entry"
    );
    let advanced = read("courses/advanced/index.html");
    assert!(advanced.contains(
        "<li data-prerequisite=\"basics\" data-lessons=\"01-intro quizzes-lesson 03-extra\">"
    ));
}
