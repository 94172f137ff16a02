//! Symbolic links (docs/hardening.md): a link whose fully resolved target stays inside the
//! site directory is followed; one that leads outside is not read and is a `symlink-outside`
//! error naming the link. Each reader is tested with a link to a file and to a directory,
//! inside and outside: the content walk, assets, themes, `review`, `serve`, `init --from`
//! and the search index and export.

use crate::common;
use crate::common::{TestSite, check_json, findings, run, s, site_with, write_files};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

const SECRET: &str = "SECRET-7f3a9c";

/// A directory outside every site: `secret.md`, `secret.png` and `dir/{page.md,img.png}`,
/// each holding [`SECRET`].
fn outside() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let page = format!("# {SECRET}\n\n{SECRET} text\n");
    write_files(
        d.path(),
        &[
            ("secret.md", &page),
            ("secret.png", SECRET),
            ("dir/page.md", &page),
            ("dir/img.png", SECRET),
        ],
    );
    d
}

/// Every file under `dir`, read as text (lossily).
fn all_text(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            (
                e.path().display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

fn assert_no_secret(dir: &Path) {
    for (path, text) in all_text(dir) {
        assert!(
            !text.contains(SECRET),
            "{path} holds the outside file's text"
        );
    }
}

/// The `symlink-outside` findings of `check`, as (file, line, column, severity).
fn refused(site: &Path) -> (i32, Vec<(String, u64, u64, String)>) {
    let (code, json) = check_json(site, &[]);
    let found = findings(&json)
        .into_iter()
        .filter(|f| f.0 == "symlink-outside")
        .map(|(_, sev, file, line, col)| (file, line, col, sev))
        .collect();
    (code, found)
}

fn at(file: &str) -> (String, u64, u64, String) {
    (file.to_string(), 1, 1, "error".to_string())
}

/// A site whose content links, inside and outside, to files and directories.
fn linked_site(out: &Path) -> TestSite {
    let site = site_with(&[
        ("content/ok.md", "# Ok\n"),
        ("shared/inside.md", "# Inside page\n\ninside text\n"),
        ("shared/inside.png", "inside image"),
        ("shared/dir/deep.md", "# Deep inside\n"),
    ]);
    let c = site.path().join("content");
    std::fs::create_dir_all(c.join("notes")).unwrap();
    symlink(out.join("secret.md"), c.join("notes/passwd.md")).unwrap();
    symlink(out.join("secret.png"), c.join("notes/x.png")).unwrap();
    symlink(out.join("dir"), c.join("elsewhere")).unwrap();
    symlink("../../shared/inside.md", c.join("notes/in.md")).unwrap();
    symlink("../../shared/inside.png", c.join("notes/in.png")).unwrap();
    symlink("../shared/dir", c.join("linked")).unwrap();
    site
}

#[test]
fn check_refuses_links_leading_outside_and_follows_those_inside() {
    let out = outside();
    let site = linked_site(out.path());
    let (code, found) = refused(site.path());
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(
        found,
        [
            at("content/elsewhere"),
            at("content/notes/passwd.md"),
            at("content/notes/x.png"),
        ]
    );
    let (_, json) = check_json(site.path(), &[]);
    let f = &json["findings"][0];
    assert!(
        f["hint"]
            .as_str()
            .unwrap()
            .contains("copy the file into the site"),
        "{f}"
    );
    // The documents behind inside links are loaded.
    assert_eq!(json["summary"]["documents"], 3, "{json}");
}

#[test]
fn a_custom_fail_on_list_does_not_turn_the_finding_into_a_warning() {
    let out = outside();
    let site = linked_site(out.path());
    write_files(
        site.path(),
        &[(
            "book.toml",
            "[book]\ntitle = \"T\"\n[check]\nfail_on = [\"stale\"]\n",
        )],
    );
    let (code, found) = refused(site.path());
    assert_eq!(code, 1);
    assert!(found.iter().all(|f| f.3 == "error"), "{found:?}");
}

#[test]
fn build_publishes_nothing_from_outside() {
    let out = outside();
    let site = linked_site(out.path());
    let public = site.path().join("public");
    let export = site.path().join("export.jsonl");
    let (code, stdout, err) = site.run("build", &["--search-export", s(&export)]);
    assert_eq!(code, 1, "{stdout}{err}");
    assert!(err.contains("symlink-outside"), "{err}");
    assert_no_secret(&public);
    assert!(!public.join("notes/passwd").exists());
    assert!(!public.join("notes/x.png").exists());
    assert!(!public.join("elsewhere").exists());
    // Inside links: pages and assets, in the search index too.
    assert!(public.join("notes/in/index.html").is_file());
    assert!(public.join("linked/deep/index.html").is_file());
    assert_eq!(
        std::fs::read_to_string(public.join("notes/in.png")).unwrap(),
        "inside image"
    );
    let search: String = all_text(&public.join("search"))
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert!(search.contains("inside"), "the inside page is indexed");
    let exported = std::fs::read_to_string(&export).unwrap();
    assert!(!exported.contains(SECRET), "{exported}");
    assert!(exported.contains("Inside page"), "{exported}");
}

#[test]
fn the_link_loop_guard_still_answers() {
    // A loop inside a folder linked in from inside the site: a finding, no hang.
    let site = site_with(&[("shared/a/ok.md", "# Ok\n")]);
    symlink("../shared/a", site.path().join("content/a")).unwrap();
    symlink(".", site.path().join("shared/a/loop")).unwrap();
    let started = Instant::now();
    let (code, json) = check_json(site.path(), &[]);
    assert!(started.elapsed() < Duration::from_secs(30));
    let f = findings(&json);
    assert_eq!(code, 2, "{f:?}");
    assert!(
        f.iter()
            .any(|f| f.0 == "io-error" && f.2 == "content/a/loop"),
        "{f:?}"
    );
}

#[test]
fn theme_files_follow_the_same_rule() {
    let out = outside();
    let site = site_with(&[
        (
            "book.toml",
            "[book]\ntitle = \"T\"\n[build]\ntheme = \"acme\"\n",
        ),
        ("content/ok.md", "# Ok\n"),
        ("shared/inside.css", "body { inside: 1 }"),
    ]);
    let st = site.path().join("themes/acme/static");
    std::fs::create_dir_all(&st).unwrap();
    symlink(out.path().join("secret.png"), st.join("leak.css")).unwrap();
    symlink(out.path().join("dir"), st.join("leakdir")).unwrap();
    symlink("../../../shared/inside.css", st.join("in.css")).unwrap();
    let (code, found) = refused(site.path());
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            at("themes/acme/static/leak.css"),
            at("themes/acme/static/leakdir"),
        ]
    );
    let (code, stdout, err) = site.run("build", &[]);
    assert_eq!(code, 1, "{stdout}{err}");
    let public = site.path().join("public");
    assert_no_secret(&public);
    assert_eq!(
        std::fs::read_to_string(public.join("static/in.css")).unwrap(),
        "body { inside: 1 }"
    );
}

#[test]
fn review_never_stamps_through_a_link_leading_outside() {
    let out = outside();
    let runbook = "---\ntitle: R\nowners: [alice]\nreviewed: 2026-01-01\n---\n# R\n";
    write_files(out.path(), &[("runbook.md", runbook)]);
    let site = site_with(&[("shared/in.md", runbook)]);
    let link = site.path().join("content/out.md");
    symlink(out.path().join("runbook.md"), &link).unwrap();
    let (code, stdout, err) = run(["review", s(&link), "--today", "2026-11-27"]);
    assert_eq!(code, 2, "{stdout}{err}");
    assert!(err.contains("symlink-outside"), "{err}");
    assert!(err.contains("content/out.md"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.path().join("runbook.md")).unwrap(),
        runbook
    );
    // A link inside the site is refused too (stamping would replace it with a regular file):
    // the link and its target stay as they were (issue 27).
    let inside = site.path().join("content/in.md");
    symlink("../shared/in.md", &inside).unwrap();
    let (code, stdout, err) = run(["review", s(&inside), "--today", "2026-11-27"]);
    assert_eq!(code, 2, "{stdout}{err}");
    assert!(err.contains("symlink-outside"), "{err}");
    assert!(std::fs::symlink_metadata(&inside).unwrap().is_symlink());
    assert_eq!(site.read("shared/in.md"), runbook);
}

#[test]
fn init_from_reads_nothing_outside_the_tree() {
    let out = outside();
    write_files(
        out.path(),
        &[("owned.md", "---\nowners: [secret-owner]\n---\n# S\n")],
    );
    let tree = common::temp_site(&[
        ("docs/a.md", "---\nowners: [inside-owner]\n---\n# A\n"),
        ("shared/b.md", "---\nowners: [linked-owner]\n---\n# B\n"),
    ]);
    let docs = tree.path().join("docs");
    symlink(out.path().join("owned.md"), docs.join("leak.md")).unwrap();
    symlink(out.path(), docs.join("leakdir")).unwrap();
    symlink("../shared/b.md", docs.join("b.md")).unwrap();
    write_files(
        out.path(),
        &[(
            "mkdocs.yml",
            &format!(
                "site_name: {SECRET}
docs_dir: docs
"
            ),
        )],
    );
    symlink(
        out.path().join("mkdocs.yml"),
        tree.path().join("mkdocs.yml"),
    )
    .unwrap();
    let (code, stdout, err) = run(["init", "--from", s(tree.path())]);
    assert_eq!(code, 0, "{stdout}{err}");
    let book = std::fs::read_to_string(tree.path().join("book.toml")).unwrap();
    assert!(!book.contains(SECRET), "{book}");
    let owners = std::fs::read_to_string(tree.path().join("owners.yaml")).unwrap();
    assert!(!owners.contains("secret-owner"), "{owners}");
    assert!(owners.contains("inside-owner"), "{owners}");
    assert!(owners.contains("linked-owner"), "{owners}");
    assert!(stdout.contains("skipped: docs/leak.md"), "{stdout}");
    assert!(stdout.contains("skipped: docs/leakdir"), "{stdout}");
}

// ---------------------------------------------------------------------------------------
// serve
// ---------------------------------------------------------------------------------------

#[test]
fn serve_never_serves_a_file_from_outside() {
    let out = outside();
    let site = linked_site(out.path());
    let server = common::Serve::start(site.path());
    for target in [
        "/notes/passwd/",
        "/notes/x.png",
        "/elsewhere/page/",
        "/elsewhere/img.png",
    ] {
        let (status, body) = server.get(target);
        assert_eq!(status, 404, "{target}");
        assert!(!body.contains(SECRET), "{target}");
    }
    assert_eq!(server.get("/notes/in/").0, 200);
    assert_eq!(server.get("/linked/deep/").0, 200);
    // Links made while serving: refused (and said), or followed.
    let c = site.path().join("content");
    symlink(out.path().join("secret.md"), c.join("late.md")).unwrap();
    symlink(out.path().join("secret.png"), c.join("late.png")).unwrap();
    symlink(out.path().join("dir"), c.join("latedir")).unwrap();
    symlink("../shared/inside.md", c.join("late-in.md")).unwrap();
    server.wait_for("the inside link's page", || {
        server.get("/late-in/").0 == 200
    });
    server.wait_for("the refusals", || {
        let log = server.log.lock().unwrap().join("\n");
        ["content/late.md", "content/late.png", "content/latedir"]
            .iter()
            .all(|f| log.contains("symlink-outside") && log.contains(f))
    });
    for target in [
        "/late/",
        "/late.png",
        "/latedir/page/",
        "/search/index.json",
    ] {
        let (_, body) = server.get(target);
        assert!(!body.contains(SECRET), "{target}");
    }
}

#[test]
fn owner_files_follow_the_same_rule() {
    let out = outside();
    write_files(out.path(), &[("owners", "* @secret-team\n")]);
    let site = site_with(&[
        ("content/ok.md", "# Ok\n"),
        ("shared/OWNERS", "approvers: [inside-login]\n"),
    ]);
    std::fs::create_dir_all(site.path().join(".github")).unwrap();
    symlink(
        out.path().join("owners"),
        site.path().join(".github/CODEOWNERS"),
    )
    .unwrap();
    symlink(
        out.path().join("owners"),
        site.path().join("OWNERS_ALIASES"),
    )
    .unwrap();
    symlink(
        out.path().join("owners"),
        site.path().join("content/OWNERS"),
    )
    .unwrap();
    let (code, found) = refused(site.path());
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            at(".github/CODEOWNERS"),
            at("OWNERS_ALIASES"),
            at("content/OWNERS"),
        ]
    );
}

#[test]
fn an_owners_file_above_the_content_is_refused_too() {
    let out = outside();
    write_files(out.path(), &[("owners", "approvers: [secret-login]\n")]);
    let site = site_with(&[
        (
            "book.toml",
            "[book]\ntitle = \"T\"\n[build]\ncontent = \"docs/content\"\n",
        ),
        ("docs/content/ok.md", "# Ok\n"),
    ]);
    symlink(out.path().join("owners"), site.path().join("docs/OWNERS")).unwrap();
    let (code, found) = refused(site.path());
    assert_eq!((code, found), (1, vec![at("docs/OWNERS")]));
}

#[test]
fn git_dates_only_the_pages_of_inside_files() {
    if !common::have_git() {
        eprintln!("SKIP: git is not installed");
        return;
    }
    let out = outside();
    let site = linked_site(out.path());
    common::git(site.path(), &["init", "-q"]);
    common::git(site.path(), &["add", "."]);
    common::git(site.path(), &["commit", "-q", "-m", "init"]);
    let (code, stdout, err) = site.run("build", &[]);
    assert_eq!(code, 1, "{stdout}{err}");
    let public = site.path().join("public");
    assert_no_secret(&public);
    assert!(!public.join("notes/passwd").exists());
    let page = std::fs::read_to_string(public.join("notes/in/index.html")).unwrap();
    assert!(page.contains("2026-03-04"), "the link's last change");
}
