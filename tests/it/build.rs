//! `fieldbook build` over fixture sites: pages written, flags shown, output safety, themes,
//! determinism, git history and snapshots of rendered pages.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Build `site` into `out` and return (exit code, stderr).
fn build(site: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
    let (code, _, err) = build_into(site, out, extra);
    assert!(!err.contains("panicked"), "{err}");
    (code, err)
}

/// Every file under `dir` with its bytes, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walk(dir) {
        let rel = e.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        out.insert(rel, std::fs::read(&e).unwrap());
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn valid_site_builds_every_page() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let (code, err) = build(&fixture("valid"), &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("build: "), "a closing summary: {err}");
    for page in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "runbooks/index.html",
        "runbooks/db/failover/index.html",
        "postmortems/index.html",
        "postmortems/2026-10-01-primary-lost/index.html",
        "courses/index.html",
        "courses/intro/index.html",
        "courses/intro/01-paging/index.html",
        "about/index.html",
        "teams/index.html",
        "services/index.html",
        "tags/index.html",
        "freshness/index.html",
        "static/fieldbook.css",
        "static/fieldbook.js",
        "static/highlight.css",
        ".fieldbook-output",
    ] {
        assert!(out.join(page).is_file(), "missing {page}");
    }
    let sitemap = read(&out, "sitemap.xml");
    assert!(
        sitemap.contains("<loc>/runbooks/db/failover/</loc>"),
        "{sitemap}"
    );
    let runbook = read(&out, "runbooks/db/failover/index.html");
    assert!(runbook.contains(r#"<link rel="canonical" href="/runbooks/db/failover/">"#));
    // Links between Markdown files become links between pages, relative to the page.
    assert!(!runbook.contains(".md\""), "a .md link leaked: {runbook}");
    // Nothing is loaded from elsewhere.
    for html in tree(&out)
        .iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    {
        for attr in ["src=\"http", "href=\"//", "src=\"//", "@import url(http"] {
            assert!(!html.contains(attr), "external resource ({attr})");
        }
    }
}

#[test]
fn rendered_pages_snapshot() {
    // A copy outside the repository: no git history to date the pages.
    let site = temp_fixture("valid");
    let out = site.path().join("public");
    assert_eq!(build(site.path(), &out, &[]).0, 0);
    insta::assert_snapshot!(
        "runbook_main",
        main_of(&read(&out, "runbooks/db/failover/index.html"))
    );
    insta::assert_snapshot!(
        "postmortem_main",
        main_of(&read(
            &out,
            "postmortems/2026-10-01-primary-lost/index.html"
        ))
    );
    insta::assert_snapshot!(
        "lesson_main",
        main_of(&read(&out, "courses/intro/01-paging/index.html"))
    );
}

#[test]
fn same_input_gives_byte_identical_output() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let site = repo_root();
    assert_eq!(build(&site, &a, &[]).0, 0);
    assert_eq!(build(&site, &b, &["--today", "2026-11-27"]).0, 0);
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(tb[k] == *v, "{k} differs between two builds");
    }
}

#[test]
fn findings_fail_the_build_but_the_site_shows_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let (code, err) = build(&fixture("findings"), &out, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[lapsed-owner]"), "{err}");
    let stale = read(&out, "freshness/index.html");
    assert!(stale.to_lowercase().contains("stale"));
    // The site is written either way: `build && deploy` is what keeps it unpublished.
    assert!(out.join("index.html").is_file());
}

#[test]
fn demo_pages_carry_their_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    assert_eq!(build(&repo_root(), &out, &[]).0, 0);
    let stale = read(&out, "runbooks/tracking/events-delayed/index.html");
    assert!(stale.contains("This runbook is stale"), "stale banner");
    assert!(stale.contains("#streaming-oncall"), "team channel");
    let fresh = read(&out, "runbooks/postgres/disk-full/index.html");
    assert!(!fresh.contains("This runbook is stale"));
    let pm = read(
        &out,
        "postmortems/2026-09-17-orders-db-connection-exhaustion/index.html",
    );
    assert!(
        pm.to_lowercase().contains("overdue"),
        "overdue action item is marked"
    );
    let home = read(&out, "index.html");
    assert!(
        home.contains("Tracking events delayed"),
        "home lists what needs review"
    );
    let team = read(&out, "teams/team-streaming/index.html");
    assert!(
        team.contains("Notification delivery failures"),
        "team page lists what it owns"
    );
    // Highlighted code with classes, and a PromQL block highlighted too.
    assert!(stale.contains("<span class=\"k\">"), "syntax highlighting");
    assert!(read(&out, "static/highlight.css").contains("prefers-color-scheme: dark"));
}

#[test]
fn unsafe_outputs_are_refused_and_left_alone() {
    let site = temp_fixture("valid");
    let root = site.path();
    for target in [
        root.to_path_buf(),
        root.join("content"),
        root.join("content/sub"),
        PathBuf::from("/"),
    ] {
        let (code, err) = build(root, &target, &[]);
        assert_eq!(code, 2, "{}: {err}", target.display());
        assert!(err.contains("output-error"), "{err}");
    }
    let foreign = root.join("docs");
    write_files(&foreign, &[("keep.txt", "precious")]);
    let (code, err) = build(root, &foreign, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not written by fieldbook"), "{err}");
    assert_eq!(
        std::fs::read_to_string(foreign.join("keep.txt")).unwrap(),
        "precious"
    );
}

#[test]
fn rebuilds_replace_the_site_whole_and_leave_no_temporary_files() {
    let site = temp_fixture("valid");
    let out = site.path().join("public");
    assert_eq!(build(site.path(), &out, &[]).0, 0);
    std::fs::write(out.join("stray.html"), "from an older build").unwrap();
    std::fs::remove_file(site.path().join("content/about.md")).unwrap();
    assert_eq!(build(site.path(), &out, &[]).0, 0);
    assert!(!out.join("stray.html").exists() && !out.join("about/index.html").exists());
    let names: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("fieldbook-"))
        .collect();
    assert!(names.is_empty(), "leftovers: {names:?}");
}

#[test]
fn a_broken_template_names_its_line_and_keeps_the_previous_site() {
    let site = temp_fixture("valid");
    let out = site.path().join("public");
    assert_eq!(build(site.path(), &out, &[]).0, 0);
    let before = tree(&out);
    write_files(
        site.path(),
        &[(
            "themes/acme/templates/runbook.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ doc.title </h1>\n{% endblock %}\n",
        )],
    );
    let toml = std::fs::read_to_string(site.path().join("book.toml")).unwrap();
    std::fs::write(
        site.path().join("book.toml"),
        add_build_key(&toml, "theme = \"acme\""),
    )
    .unwrap();
    let (code, err) = build(site.path(), &out, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("template-error"), "{err}");
    assert!(
        err.contains("themes/acme/templates/runbook.html:3:"),
        "file and line: {err}"
    );
    assert_eq!(tree(&out), before, "the previous site is untouched");
}

#[test]
fn a_site_theme_overrides_one_template() {
    let site = temp_fixture("valid");
    write_files(
        site.path(),
        &[(
            "themes/acme/templates/page.html",
            "{% extends \"base.html\" %}{% block main %}<main id=\"main\"><p class=\"acme\">{{ doc.title }}</p></main>{% endblock main %}",
        )],
    );
    let toml = std::fs::read_to_string(site.path().join("book.toml")).unwrap();
    std::fs::write(
        site.path().join("book.toml"),
        add_build_key(&toml, "theme = \"acme\""),
    )
    .unwrap();
    let out = site.path().join("public");
    let (code, err) = build(site.path(), &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(read(&out, "about/index.html").contains("<p class=\"acme\">"));
    // The other templates are still the default theme's.
    assert!(read(&out, "runbooks/db/failover/index.html").contains("class=\"meta"));
}

/// `book.toml` with `line` added to its `[build]` table (created when missing).
fn add_build_key(toml: &str, line: &str) -> String {
    match toml.find("[build]\n") {
        Some(i) => format!("{}[build]\n{line}\n{}", &toml[..i], &toml[i + 8..]),
        None => format!("{toml}\n[build]\n{line}\n"),
    }
}

#[test]
fn base_url_sub_path_is_respected() {
    let site = temp_fixture("valid");
    let toml = std::fs::read_to_string(site.path().join("book.toml")).unwrap();
    let toml = toml.replace(
        "base_url = \"/\"",
        "base_url = \"https://docs.example.com/handbook/\"",
    );
    std::fs::write(site.path().join("book.toml"), toml).unwrap();
    let out = site.path().join("public");
    assert_eq!(build(site.path(), &out, &[]).0, 0);
    let page = read(&out, "runbooks/db/failover/index.html");
    assert!(
        page.contains(r#"href="https://docs.example.com/handbook/runbooks/db/failover/""#),
        "canonical"
    );
    assert!(
        page.contains(r#"href="../../../static/fieldbook.css""#),
        "relative asset links"
    );
    assert!(
        read(&out, "404.html").contains("https://docs.example.com/handbook/static/fieldbook.css"),
        "404 links from the base"
    );
}

#[test]
fn raw_html_can_be_stripped() {
    let page = "---\ntitle: P\n---\n# P\n\n<script>alert(1)</script>\n\n<b>bold</b> text\n";
    let site = site_with(&[("content/p.md", page)]);
    let out = site.path().join("public");
    assert_eq!(build(site.path(), &out, &[]).0, 0);
    assert!(
        read(&out, "p/index.html").contains("<script>alert(1)</script>"),
        "kept by default"
    );
    let toml = std::fs::read_to_string(site.path().join("book.toml")).unwrap();
    std::fs::write(
        site.path().join("book.toml"),
        add_build_key(&toml, "raw_html = false"),
    )
    .unwrap();
    assert_eq!(build(site.path(), &out, &[]).0, 0);
    assert!(
        !read(&out, "p/index.html").contains("<script>alert(1)"),
        "stripped"
    );
}

#[test]
fn hostile_metadata_is_escaped() {
    let runbook = "---\ntitle: \"<script>alert('t')</script>\"\nowners: [team-a]\nreviewed: 2026-01-01\ntags: [\"<img src=x onerror=alert(1)>\"]\nservices: [\"\\\"><svg onload=alert(2)>\"]\nalerts: [\"</code><script>alert(3)</script>\"]\n---\nBody.\n";
    let owners = "people:\n  alice: { name: \"<b onmouseover=alert(4)>Alice</b>\" }\nteams:\n  team-a: { name: \"Team <i>A</i>\", members: [alice], channel: \"#a\\\"><script>alert(5)</script>\" }\n";
    let site = site_with(&[
        ("content/runbooks/x/r.md", runbook),
        ("owners.yaml", owners),
    ]);
    let out = site.path().join("public");
    build(site.path(), &out, &["--today", "2026-02-01"]);
    for (rel, bytes) in tree(&out) {
        let html = String::from_utf8_lossy(&bytes);
        for bad in [
            "<script>alert",
            "<img src=x",
            "<svg onload",
            "<b onmouseover",
            "<i>A</i>",
        ] {
            assert!(!html.contains(bad), "{rel} contains unescaped {bad}");
        }
    }
}

#[test]
fn pages_show_their_last_change_from_git() {
    if !have_git() {
        eprintln!("SKIP: git is not installed");
        return;
    }
    let site = temp_fixture("valid");
    let g = |args: &[&str]| git(site.path(), args);
    g(&["init", "-q"]);
    g(&["add", "."]);
    g(&["commit", "-q", "-m", "init"]);
    let out = site.path().join("public");
    assert_eq!(build(site.path(), &out, &[]).0, 0);
    let page = read(&out, "runbooks/db/failover/index.html");
    assert!(page.contains("2026-03-04"), "last change date");
    assert!(!page.contains("shallow clone"));
    // A shallow clone is said, not silently misdated.
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", site.path().display());
    let st = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, "c"])
        .current_dir(clone.path())
        .status()
        .unwrap();
    assert!(st.success());
    let out2 = clone.path().join("public");
    assert_eq!(build(&clone.path().join("c"), &out2, &[]).0, 0);
    assert!(read(&out2, "runbooks/db/failover/index.html").contains("shallow clone"));
}

/// Relative `href`/`src` targets of every HTML page under `out` that name no file of the
/// site (the 404 page at the root links from `base_url`, so it is left out).
fn broken_relative_links(out: &Path) -> Vec<String> {
    let mut broken = Vec::new();
    for page in walk(out) {
        let rel = page.strip_prefix(out).unwrap();
        if page.extension().is_none_or(|e| e != "html") || rel == Path::new("404.html") {
            continue;
        }
        let html = std::fs::read_to_string(&page).unwrap();
        for attr in ["href=\"", "src=\""] {
            for (at, _) in html.match_indices(attr) {
                let value = &html[at + attr.len()..];
                let url = &value[..value.find('"').unwrap()];
                let url = url.split(['#', '?']).next().unwrap();
                let external = url.starts_with('/') || url.contains(':');
                if url.is_empty() || external {
                    continue;
                }
                let decoded = url.replace("%20", " ").replace("&amp;", "&");
                let mut target = page.parent().unwrap().join(decoded);
                if url.ends_with('/') {
                    target.push("index.html");
                }
                if !target.exists() {
                    broken.push(format!("{} -> {url}", rel.display()));
                }
            }
        }
    }
    broken
}

#[test]
fn every_relative_link_of_the_demo_and_fixtures_resolves() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    assert_eq!(build(&repo_root(), &demo, &[]).0, 0);
    assert_eq!(broken_relative_links(&demo), Vec::<String>::new());

    // Services and tags with spaces and capitals link to their slugged pages.
    let site = temp_fixture("valid");
    let runbook = site.path().join("content/runbooks/db/failover.md");
    let text = std::fs::read_to_string(&runbook).unwrap();
    let text = text.replacen(
        "---\n",
        "---\nservices: [Orders DB]\ntags: [Data Stores]\n",
        1,
    );
    std::fs::write(&runbook, text).unwrap();
    let out = tmp.path().join("valid");
    build(site.path(), &out, &[]);
    assert!(out.join("services/orders-db/index.html").is_file());
    assert_eq!(broken_relative_links(&out), Vec::<String>::new());
}
