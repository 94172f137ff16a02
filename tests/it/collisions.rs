//! Every output path has exactly one source (docs/hardening.md): documents, aliases, assets
//! and Fieldbook's own pages and files that would write one path are an `output-collision`
//! error naming both, in `check` and `build`; paths equal but for letter case are an
//! `output-case-collision` warning.

use crate::common;
use crate::common::{check_json, findings, run, site_with};
use std::path::Path;

const TODAY: &str = "2026-11-27";

fn page(title: &str) -> String {
    format!("# {title}\n\ntext\n")
}

/// (code, severity, file, line) of a finding.
type Found = (String, String, String, u64);

/// The output findings of `check` and their messages; the exit status.
fn outputs(site: &Path) -> (i32, Vec<Found>, Vec<String>) {
    let (code, json) = check_json(site, &["--today", TODAY]);
    let all = findings(&json);
    let mut found = Vec::new();
    let mut messages = Vec::new();
    for (i, f) in all.into_iter().enumerate() {
        if f.0.starts_with("output-") {
            found.push((f.0, f.1, f.2, f.3));
            messages.push(json["findings"][i]["message"].as_str().unwrap().to_string());
        }
    }
    (code, found, messages)
}

fn error(file: &str, line: u64) -> Found {
    ("output-collision".into(), "error".into(), file.into(), line)
}

/// `build`: exit status and standard error.
fn build(site: &Path) -> (i32, String) {
    let (code, out, err) = run(["build", site.to_str().unwrap(), "--today", TODAY]);
    (code, format!("{out}{err}"))
}

/// Check and build agree: the error, exit status 1, and the message names both sources.
fn collides(site: &Path, expected: &[(&str, u64, &[&str])]) -> Vec<String> {
    let (code, found, messages) = outputs(site);
    assert_eq!(code, 1, "{found:?} {messages:?}");
    let want: Vec<_> = expected.iter().map(|(f, l, _)| error(f, *l)).collect();
    assert_eq!(found, want, "{messages:?}");
    for ((_, _, names), m) in expected.iter().zip(&messages) {
        for n in *names {
            assert!(m.contains(n), "`{n}` not in: {m}");
        }
    }
    let (code, err) = build(site);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("output-collision"), "{err}");
    messages
}

#[test]
fn two_documents_of_one_page() {
    let site = site_with(&[
        ("content/notes/db.md", &page("Flat")),
        ("content/notes/db/index.md", &page("Folder")),
    ]);
    collides(
        site.path(),
        &[(
            "content/notes/db/index.md",
            1,
            &["content/notes/db.md", "notes/db/index.html"],
        )],
    );
    // The page is the first source's by file name, whatever the timing.
    assert!(site.read_output("notes/db/index.html").contains("Flat"));
}

#[test]
fn documents_and_built_in_pages() {
    let runbook = "---\ntitle: Disk\nowners: [alice]\nreviewed: 2026-11-01\nalerts: [DiskFull]\ntags: [db]\n---\n# Disk\n";
    let site = site_with(&[
        ("content/runbooks/disk.md", runbook),
        ("content/search.md", &page("Mine")),
        ("content/tags.md", &page("Tags of mine")),
        ("content/tags/db.md", &page("Db tag")),
        ("content/alerts/DiskFull.md", &page("Alert of mine")),
        ("content/runbooks/index.md", &page("Runbook list")),
    ]);
    collides(
        site.path(),
        &[
            ("content/alerts/DiskFull.md", 1, &["alerts/DiskFull/"]),
            ("content/runbooks/index.md", 1, &["built-in page runbooks/"]),
            ("content/search.md", 1, &["built-in page search/"]),
            ("content/tags.md", 1, &["built-in page tags/"]),
            ("content/tags/db.md", 1, &["built-in page tags/db/"]),
        ],
    );
    // Fieldbook's own page is the one published.
    assert!(!site.read_output("search/index.html").contains("Mine"));
}

#[test]
fn assets_and_built_in_files() {
    let site = site_with(&[
        ("content/ok.md", &page("Ok")),
        ("content/sitemap.xml", "<mine/>"),
        ("content/404.html", "mine"),
        ("content/static/highlight.css", "mine"),
        ("content/search/index.json", "{}"),
        ("content/search/t/0.json", "{}"),
        ("content/search/notes.txt", "fine"),
    ]);
    collides(
        site.path(),
        &[
            ("content/404.html", 1, &["built-in page 404.html"]),
            ("content/search/index.json", 1, &["search index"]),
            ("content/search/t/0.json", 1, &["search index"]),
            ("content/sitemap.xml", 1, &["built-in page sitemap.xml"]),
            (
                "content/static/highlight.css",
                1,
                &["theme's file static/highlight.css"],
            ),
        ],
    );
}

#[test]
fn a_site_theme_static_file_is_built_in_too() {
    let site = site_with(&[
        (
            "book.toml",
            "[book]\ntitle = \"T\"\n[build]\ntheme = \"acme\"\n",
        ),
        ("themes/acme/static/acme.css", "body {}"),
        ("content/static/acme.css", "mine"),
    ]);
    collides(
        site.path(),
        &[(
            "content/static/acme.css",
            1,
            &["theme's file static/acme.css"],
        )],
    );
}

#[test]
fn documents_and_assets() {
    let site = site_with(&[
        ("content/notes/x.md", &page("X")),
        ("content/notes/x/index.html", "<p>mine</p>"),
    ]);
    collides(
        site.path(),
        &[(
            "content/notes/x/index.html",
            1,
            &["content/notes/x.md", "notes/x/index.html"],
        )],
    );
}

#[test]
fn aliases_name_their_line() {
    let site = site_with(&[
        ("content/notes/b.md", &page("B")),
        (
            "content/notes/a.md",
            "---\ntitle: A\naliases:\n  - /old/\n  - /notes/b/\n  - /search/\n---\n# A\n",
        ),
        (
            "content/notes/c.md",
            "---\ntitle: C\naliases: [/old/]\n---\n# C\n",
        ),
    ]);
    let messages = collides(
        site.path(),
        &[
            // Another document's page, a built-in page, another alias.
            (
                "content/notes/a.md",
                5,
                &["content/notes/b.md", "notes/b/index.html"],
            ),
            ("content/notes/a.md", 6, &["built-in page search/"]),
            (
                "content/notes/c.md",
                3,
                &["the alias `/old/` in content/notes/a.md:4"],
            ),
        ],
    );
    assert!(
        messages[0].contains("the alias `/notes/b/` in content/notes/a.md:5"),
        "{messages:?}"
    );
    // The page stays the document's.
    assert!(site.read_output("notes/b/index.html").contains("B"));
}

#[test]
fn case_only_differences_are_a_warning() {
    let site = site_with(&[
        ("content/notes/Failover.md", &page("Upper")),
        ("content/notes/failover.md", &page("Lower")),
        ("content/Search.md", &page("Search of mine")),
        ("content/img/Logo.png", "png"),
        ("content/img/logo.png", "png"),
    ]);
    let (code, found, messages) = outputs(site.path());
    assert_eq!(code, 0, "{found:?}");
    let warning = |f: &str| {
        (
            "output-case-collision".into(),
            "warning".into(),
            f.into(),
            1,
        )
    };
    assert_eq!(
        found,
        [
            warning("content/Search.md"),
            warning("content/img/logo.png"),
            warning("content/notes/failover.md"),
        ],
        "{messages:?}"
    );
    assert!(
        messages[0].contains("built-in page search/"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("content/notes/Failover.md"),
        "{messages:?}"
    );
    let (code, err) = build(site.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("output-case-collision"), "{err}");
}

#[test]
fn one_source_per_path_is_quiet() {
    let site = site_with(&[
        ("content/notes/db.md", &page("Db")),
        (
            "content/notes/db-old.md",
            "---\naliases: [/notes/old-db/]\n---\n# Old\n",
        ),
        ("content/notes/db.png", "png"),
        ("content/index.md", &page("Home text")),
    ]);
    let (code, found, _) = outputs(site.path());
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn serve_reports_a_collision_made_while_it_runs() {
    let site = site_with(&[("content/notes/db.md", &page("Flat"))]);
    let server = common::Serve::start(site.path());
    common::write_files(
        site.path(),
        &[("content/notes/db/index.md", &page("Folder"))],
    );
    server.wait_for("the collision", || {
        let log = server.log.lock().unwrap().join("\n");
        log.contains("output-collision") && log.contains("content/notes/db/index.md")
    });
}

#[test]
fn a_file_where_another_output_needs_a_folder() {
    let site = site_with(&[
        ("content/notes/y", "data"),
        ("content/notes/y.md", &page("Y")),
        ("content/tags", "data"),
        ("content/notes/z.md", &page("Z")),
        ("content/notes/z.png/a.md", &page("A")),
    ]);
    let messages = collides(
        site.path(),
        &[
            (
                "content/notes/y",
                1,
                &["content/notes/y.md", "notes/y/index.html"],
            ),
            ("content/tags", 1, &["the built-in page tags/"]),
        ],
    );
    assert!(
        messages[1].contains("becomes the file tags"),
        "{messages:?}"
    );
    // The pages stay; the files are not published (no I/O error either).
    assert!(site.read_output("notes/y/index.html").contains("Y"));
    assert!(site.path().join("public/tags/index.html").is_file());
}

#[test]
fn drafts_collide_when_they_are_built() {
    let site = site_with(&[
        ("content/notes/db.md", &page("Flat")),
        (
            "content/notes/db/index.md",
            "---\ndraft: true\n---\n# Draft\n",
        ),
    ]);
    let (code, found, _) = outputs(site.path());
    assert_eq!((code, found), (0, vec![]), "a draft is not published");
    let (code, out, err) = run([
        "build",
        site.path().to_str().unwrap(),
        "--today",
        TODAY,
        "--drafts",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("output-collision"), "{err}");
    assert!(site.read_output("notes/db/index.html").contains("Flat"));
}
