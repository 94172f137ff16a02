//! The cheap cases of the resource limits (docs/hardening.md; `bench/limits.py` runs all of
//! them at full size with peak memory): deep nesting does not overflow a rendering thread's
//! stack, a long line renders, and an oversized owners registry is refused with a clear
//! `invalid-owners` finding instead of being parsed. And the shapes whose cost must grow
//! linearly (issue 13), at sizes that take a second or two here but minutes if any step were
//! quadratic again: a runbook with thousands of headings, links and alerts, headings of the
//! same text, a long prerequisite chain, a team of tens of thousands.

use crate::common;
use fieldbook::render::{NoRewrite, RenderOptions, render_markdown};
use std::path::Path;
use std::time::{Duration, Instant};

/// Loose: a debug build on a loaded machine takes a few seconds for these sizes; quadratic
/// cost took minutes.
const LINEAR: Duration = Duration::from_secs(60);

const BOOK: &str = "[book]\ntitle = \"T\"\n[build]\ntoday = \"2026-06-01\"\n";
const OWNERS: &str = "people:\n  al: {name: Al}\nteams:\n  team-a: {name: A, members: [al]}\n";

/// `fieldbook check` and `fieldbook build` on `site`, each within [`LINEAR`]; the build's
/// output directory.
fn check_and_build(site: &Path, what: &str) -> std::path::PathBuf {
    let out = site.join("public");
    for args in [
        vec!["check".as_ref(), site.as_os_str()],
        vec![
            "build".as_ref(),
            site.as_os_str(),
            "--output".as_ref(),
            out.as_os_str(),
        ],
    ] {
        let t = Instant::now();
        let (code, stdout, stderr) = common::run(&args);
        let took = t.elapsed();
        assert_eq!(code, 0, "{what}: {stdout}{stderr}");
        assert!(took < LINEAR, "{what}: {:?} took {took:?}", args[0]);
    }
    out
}

/// Run `f` on a thread with Rust's default 2 MiB stack, as rayon's page-rendering threads
/// have (a stack overflow aborts the whole test process, which fails the test too).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no panic")
}

#[test]
fn ten_thousand_levels_of_nesting_render() {
    const DEPTH: usize = 10_000;
    for (name, body) in [
        ("lists", "- ".repeat(DEPTH) + "x\n"),
        ("ordered lists", "1. ".repeat(DEPTH) + "x\n"),
        ("block quotes", "> ".repeat(DEPTH) + "x\n"),
        ("quotes and lists", "> - ".repeat(DEPTH / 2) + "x\n"),
        ("emphasis", "*a ".repeat(DEPTH) + "x" + &" b*".repeat(DEPTH)),
        ("links", "[".repeat(DEPTH) + "x" + &"](u)".repeat(DEPTH)),
        (
            "admonitions",
            (0..200)
                .map(|i| "    ".repeat(i) + "!!! note\n")
                .collect::<String>()
                + &"    ".repeat(200)
                + "x\n",
        ),
    ] {
        let (html, outline) = on_small_stack(move || {
            let html = render_markdown(&body, &NoRewrite, &RenderOptions::default()).html;
            let outline = fieldbook::content::markdown::outline(&body);
            let _ = fieldbook::search::plain_text(&body);
            (html, outline.headings.len())
        });
        assert!(html.contains('x'), "{name}: the innermost text is lost");
        let _ = outline;
    }
}

#[test]
fn a_long_line_renders() {
    let body = "word ".repeat(400_000) + "\n\n```bash\n" + &"x".repeat(2_000_000) + "\n```\n";
    let html =
        on_small_stack(move || render_markdown(&body, &NoRewrite, &RenderOptions::default()).html);
    assert!(html.len() > 4_000_000);
}

#[test]
fn an_oversized_owners_registry_is_refused_before_parsing() {
    let mut owners = String::from("people:\n");
    for i in 0..200 {
        owners.push_str(&format!("  p{i}: {{name: Person {i}}}\n"));
    }
    let site = common::temp_site(&[
        (
            "book.toml",
            "[book]\ntitle = \"T\"\n[check]\nmax_file_size = \"2KB\"\n",
        ),
        ("owners.yaml", &owners),
        ("content/index.md", "---\ntitle: Home\n---\nHi.\n"),
    ]);
    let (code, out, err) = common::run(["check".as_ref(), site.path().as_os_str()]);
    assert_eq!(code, 2, "{out}{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("invalid-owners"), "{all}");
    assert!(
        all.contains("owners.yaml is 5 KiB, over the 2 KiB limit"),
        "{all}"
    );
    assert!(all.contains("max_file_size"), "{all}");
}

#[test]
fn a_runbook_with_thousands_of_headings_links_and_alerts_is_linear() {
    const N: usize = 4_000;
    let mut text =
        String::from("---\ntitle: Big\nowners: [team-a]\nreviewed: 2026-05-01\nalerts:\n");
    for i in 0..N {
        text.push_str(&format!("  - BigAlert{i:05}\n"));
    }
    text.push_str("---\n");
    for i in 0..N {
        let link = if i % 2 == 0 {
            format!("#step-{i}")
        } else {
            format!("big.md#step-{i}")
        };
        text.push_str(&format!("## Step {i}\n\nSee [step {i}]({link}).\n\n"));
    }
    let site = common::temp_site(&[
        ("book.toml", BOOK),
        ("owners.yaml", OWNERS),
        ("content/runbooks/big.md", &text),
    ]);
    let out = check_and_build(site.path(), "big runbook");
    // Each alert page stays small: its card names a few of the runbook's alerts, not all.
    let page = std::fs::read_to_string(out.join("alerts/BigAlert00007/index.html")).unwrap();
    assert!(page.contains("BigAlert00011") && !page.contains("BigAlert00012"));
    assert!(page.contains(&format!("and {} more", N - 12)), "{page}");
    assert!(page.len() < 64 * 1024, "{} bytes", page.len());
    let own = std::fs::read_to_string(out.join("runbooks/big/index.html")).unwrap();
    assert!(own.contains(&format!("BigAlert{:05}", N - 1)));
}

#[test]
fn headings_of_the_same_text_get_numbered_ids_in_linear_time() {
    const N: usize = 20_000;
    let body = "## Step\n\nText.\n\n".repeat(N);
    let t = Instant::now();
    let outline = fieldbook::content::markdown::outline(&body);
    let html = render_markdown(&body, &NoRewrite, &RenderOptions::default()).html;
    assert!(t.elapsed() < LINEAR, "{:?}", t.elapsed());
    let ids: Vec<&str> = outline.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids.len(), N);
    assert_eq!(&ids[..3], ["step", "step-1", "step-2"]);
    assert_eq!(ids[N - 1], format!("step-{}", N - 1));
    assert!(html.contains(&format!("<h2 id=\"step-{}\">", N - 1)));
    assert!(ids.iter().all(|id| outline.has_anchor(id)) && !outline.has_anchor("step-x"));
}

#[test]
fn a_long_prerequisite_chain_is_linear() {
    const N: usize = 2_000;
    let courses: Vec<(String, String)> = (0..N)
        .map(|i| {
            let pre = if i + 1 < N { format!("prerequisites: [c{:05}]\n", i + 1) } else { String::new() };
            (
                format!("content/courses/c{i:05}/index.md"),
                format!("---\ntitle: Course {i}\nowners: [team-a]\nreviewed: 2026-05-01\n{pre}---\nCourse {i}.\n"),
            )
        })
        .collect();
    let mut files: Vec<(&str, &str)> = vec![("book.toml", BOOK), ("owners.yaml", OWNERS)];
    files.extend(courses.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let site = common::temp_site(&files);
    check_and_build(site.path(), "prerequisite chain");
}

#[test]
fn a_team_of_tens_of_thousands_is_linear() {
    const N: usize = 30_000;
    let mut owners = String::from("people:\n  al: {name: Al}\n");
    for i in 0..N {
        owners.push_str(&format!("  p{i}: {{name: Person {i}}}\n"));
    }
    owners.push_str(
        "teams:\n  team-a: {name: A, members: [al]}\n  team-big:\n    name: Big\n    members:\n",
    );
    for i in 0..N {
        owners.push_str(&format!("      - p{i}\n"));
    }
    let runbooks: Vec<(String, String)> = (0..10)
        .map(|i| {
            (
                format!("content/runbooks/r{i}.md"),
                format!("---\ntitle: Runbook {i}\nowners: [team-big]\nreviewed: 2026-05-01\n---\nRunbook {i}.\n"),
            )
        })
        .collect();
    let mut files: Vec<(&str, &str)> = vec![("book.toml", BOOK), ("owners.yaml", &owners)];
    files.extend(runbooks.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let site = common::temp_site(&files);
    let out = check_and_build(site.path(), "big team");
    let team = std::fs::read_to_string(out.join("teams/team-big/index.html")).unwrap();
    assert!(team.contains(&format!("Person {}", N - 1)));
}
