//! An MkDocs curriculum whose nav is levels › series › courses › lessons
//! (tests/fixtures/adopt-curriculum) keeps its shape after `init --from`: each section of
//! lessons is a course in nav order, each after the one before it, the levels are learning
//! paths, and lessons without `minutes` get an estimate from their length.

use crate::common::*;

fn main_text(site: &TestSite, rel: &str) -> String {
    main_text_of(&site.read_output(rel))
}

#[test]
fn a_curriculum_keeps_its_levels_courses_and_order() {
    let site = TestSite::fixture("adopt-curriculum");
    let (code, out, err) = run(["init".as_ref(), "--from".as_ref(), site.path().as_os_str()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("inferred: 3 courses in 2 learning paths"),
        "{out}"
    );
    let (code, _, err) = site.build(&["--today", "2026-11-27"]);
    assert!(code == 0 || code == 1, "{err}");

    let linux = main_text(&site, "courses/linux-basics/index.html");
    assert!(linux.contains("2 lessons, about 6 min in total"), "{linux}");
    assert!(linux.contains("Intro · about 3 min"), "{linux}");
    assert!(!linux.contains("Finish these courses first"), "{linux}");
    let git = main_text(&site, "courses/git/index.html");
    assert!(
        git.contains("Finish these courses first: Linux Basics"),
        "{git}"
    );
    let systems = main_text(&site, "courses/systems/index.html");
    assert!(
        systems.contains("Finish these courses first: Git"),
        "{systems}"
    );

    let level101 = main_text(&site, "paths/level-101/index.html");
    let (a, b) = (level101.find("Linux Basics"), level101.find("Git"));
    assert!(a.is_some() && b.is_some() && a < b, "{level101}");
    assert!(site.join("public/paths/level-102/index.html").is_file());
    // No course swallows the whole nav.
    let courses = main_text(&site, "courses/index.html");
    assert!(!courses.contains("School of SRE"), "{courses}");
}
