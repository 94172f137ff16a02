//! A GOV.UK Tech Docs Template site (Middleman + tech-docs-gem) adopted as it is
//! (docs/adopting.md): `init --from` reads `config/tech-docs.yml`, every `*.html.md.erb`,
//! `*.html.md` and `*.md.erb` page builds at the URL Middleman gave it, ERB never reaches a
//! page, links resolve, and staleness is the gem's.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const TODAY: &str = "2026-11-27";

/// The fixture copied, `init --from` run on it and the starter owners.yaml filled in (a
/// member per team), as a new user would.
fn adopted() -> TestSite {
    let site = temp_fixture("adopt-govuk-erb");
    let (code, out, err) = run(["init".as_ref(), "--from".as_ref(), site.path().as_os_str()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("GOV.UK tech docs tree found: content = \"source\" (11 Markdown files)"),
        "{out}"
    );
    let owners = site
        .read("owners.yaml")
        .replace("members: []", "members: [alice]")
        .replace("    name: null", "    name: Alice Ng");
    site.write("owners.yaml", &owners);
    site
}

fn findings_of(site: &Path) -> Vec<Value> {
    let (code, json) = check_json(site, &["--today", TODAY]);
    assert!(code == 0 || code == 1, "{json}");
    json["findings"].as_array().unwrap().clone()
}

/// (code, file, line) of the findings with `code`, sorted.
fn with_code(findings: &[Value], code: &str) -> Vec<(String, u64)> {
    let mut v: Vec<_> = findings
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn html_pages(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            (
                common_rel(dir, e.path()),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

fn common_rel(dir: &Path, p: &Path) -> String {
    p.strip_prefix(dir)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn init_reads_tech_docs_yml() {
    let site = adopted();
    let book = std::fs::read_to_string(site.path().join("book.toml")).unwrap();
    for want in [
        "title = \"Platform Operations Manual\"",
        "base_url = \"https://ops-manual.example.gov.uk/\"",
        "content = \"source\"",
        "urls = \"source\"",
        "default = \"platform-support\"",
        "owner_slack_workspace = \"example-gds\"",
        "show_review_banner = true",
        "runbook = [\"documentation/runbooks/**\"]",
    ] {
        assert!(book.contains(want), "no {want} in:\n{book}");
    }
    let owners = std::fs::read_to_string(site.path().join("owners.yaml")).unwrap();
    for want in [
        "channel: \"#db-oncall\"",
        "channel: \"#platform-support\"",
        "slack: \"@alice\"",
    ] {
        assert!(owners.contains(want), "no {want} in:\n{owners}");
    }
}

#[test]
fn every_page_builds_at_its_old_url_without_erb() {
    let site = adopted();
    let out = site.path().join("public");
    let (code, _, err) = site.run("build", &["--today", TODAY]);
    assert!(code == 0 || code == 1, "{err}");
    let pages: Vec<(String, String)> = html_pages(&out);
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    // Middleman's URLs: `x.html.md(.erb)` → `x.html`, `x.md.erb` → `x.html`; the index
    // opens the home page.
    for url in [
        "documentation/about.html",
        "documentation/guides/legacy.html",
        "documentation/guides/onboarding.html",
        "documentation/guides/setup.html",
        "documentation/runbooks/cache.html",
        "documentation/runbooks/deploy.html",
        "documentation/runbooks/dns.html",
        "documentation/runbooks/failover.html",
        "documentation/runbooks/restore-db.html",
        "documentation/runbooks/rotate-keys.html",
        "index.html",
    ] {
        assert!(names.contains(&url), "{url} not built: {names:?}");
    }
    // Partials are not pages and are not published.
    assert!(
        !names
            .iter()
            .any(|n| n.contains('_') && !n.contains("_index")),
        "{names:?}"
    );
    assert!(out.join("images/architecture.png").is_file());
    assert!(!out.join("_contact.md").exists());
    for (name, html) in &pages {
        assert!(!html.contains("<%"), "ERB leaked into {name}");
    }
    let page = |n: &str| &pages.iter().find(|(p, _)| p == n).unwrap().1;
    let restore = page("documentation/runbooks/restore-db.html");
    for want in [
        // warning_text → a callout; partials (relative and from the root) included.
        "<aside class=\"callout callout-warning\"",
        "Never restore over the live database.",
        "<h2 id=\"before-you-start\">Before you start",
        "<h2 id=\"escalation\">Escalation",
        // link_to from a partial, image_tag from Middleman's images folder.
        "<a href=\"../../documentation/runbooks/failover.html\">the failover runbook</a>",
        "<img src=\"../../images/architecture.png\" alt=\"Database architecture\"",
        // `dns.html.md` names the page dns.html.md.erb: published at dns.html.
        "href=\"../../documentation/runbooks/dns.html\"",
        "href=\"../../documentation/runbooks/failover.html#promote-the-replica\"",
    ] {
        assert!(
            restore.contains(want),
            "no {want} in restore-db.html:\n{restore}"
        );
    }
    let home = page("index.html");
    assert!(
        home.contains("href=\"documentation/guides/setup.html\">Set up your machine"),
        "{home}"
    );
    assert!(home.contains("<h2 id=\"contact\">Contact"), "{home}");
}

#[test]
fn staleness_and_links_match_the_gem() {
    let site = adopted();
    let f = findings_of(site.path());
    let runbook = |n: &str| (format!("source/documentation/runbooks/{n}"), 0);
    // Expired from the review day on (`review_by <= today`): 6 months, 1 year (a quoted
    // date), 3 weeks and 1 week due today, 1 day due yesterday. Not: 90 days and 1 month
    // due tomorrow, 6 months from 31 May (30 November), 2 years, no `review_in`.
    let stale: Vec<(String, u64)> = with_code(&f, "stale")
        .into_iter()
        .map(|(file, _)| (file, 0))
        .collect();
    assert_eq!(
        stale,
        [
            runbook("deploy.html.md.erb"),
            runbook("dns.html.md.erb"),
            runbook("failover.html.md.erb"),
            runbook("restore-db.html.md.erb"),
            runbook("rotate-keys.html.md"),
        ],
        "{f:#?}"
    );
    let restore = f
        .iter()
        .find(|d| {
            d["code"] == "stale"
                && d["file"]
                    .as_str()
                    .unwrap()
                    .ends_with("restore-db.html.md.erb")
        })
        .unwrap();
    assert_eq!(restore["line"], 4);
    assert!(
        restore["message"]
            .as_str()
            .unwrap()
            .contains("review was due 2026-11-27 (today, every 6m)"),
        "{restore}"
    );
    // Every form of the review fields reads (`10 January 2025` too).
    assert_eq!(with_code(&f, "invalid-metadata"), [], "{f:#?}");
    assert_eq!(
        with_code(&f, "due-soon"),
        [
            (
                "source/documentation/guides/onboarding.md.erb".to_string(),
                3
            ),
            ("source/documentation/guides/setup.html.md".to_string(), 4),
            (
                "source/documentation/runbooks/cache.html.md.erb".to_string(),
                4
            ),
        ]
    );
    assert_eq!(with_code(&f, "broken-link"), [], "{f:#?}");
    assert_eq!(with_code(&f, "broken-anchor"), [], "{f:#?}");
    // Other ERB: removed, a warning at its line.
    assert_eq!(
        with_code(&f, "unsupported-syntax"),
        [
            (
                "source/documentation/runbooks/dns.html.md.erb".to_string(),
                9
            ),
            (
                "source/documentation/runbooks/failover.html.md.erb".to_string(),
                10
            ),
            (
                "source/documentation/runbooks/failover.html.md.erb".to_string(),
                12
            ),
        ]
    );
    // Owners: owner_slack channels and handles, the default owner for pages without one.
    assert_eq!(with_code(&f, "unknown-owner"), []);
    assert_eq!(with_code(&f, "missing-owner"), []);
}

#[test]
fn missing_and_cyclic_partials_are_findings_at_the_include() {
    let site = site_with(&[
        (
            "content/runbooks/a/x.html.md.erb",
            "---\ntitle: X\nowners: [team-a]\nreviewed: 2026-11-01\n---\n# X\n\ntext\n<%= partial \"nope\" %>\n<%= partial \"loop\" %>\n",
        ),
        (
            "content/runbooks/a/_loop.md",
            "one\n<%= partial \"runbooks/a/loop\" %>\n",
        ),
    ]);
    let f = findings_of(site.path());
    let broken = with_code(&f, "broken-link");
    let file = "content/runbooks/a/x.html.md.erb".to_string();
    assert_eq!(broken, [(file.clone(), 9), (file, 10)], "{f:#?}");
    let messages: Vec<&str> = f
        .iter()
        .filter(|d| d["code"] == "broken-link")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages[0].contains("partial `nope` does not exist"),
        "{messages:?}"
    );
    assert!(messages[1].contains("includes itself"), "{messages:?}");
    // The partial is no page of its own.
    let (_, json) = check_json(site.path(), &["--today", TODAY]);
    assert_eq!(json["summary"]["documents"], 1, "{json}");
}

#[test]
fn pretty_urls_stay_the_default_and_source_urls_are_a_choice() {
    let files: &[(&str, &str)] = &[
        (
            "content/guide.md",
            "# Guide\n\n[setup](setup.html) and [notes](notes.md)\n",
        ),
        ("content/setup.html.md", "# Setup\n\n[back](guide.md)\n"),
        ("content/notes.md", "# Notes\n"),
    ];
    for (urls, guide, notes) in [
        (None, "guide/index.html", "../notes/"),
        (Some("source"), "guide.html", "notes.html"),
    ] {
        let site = site_with(files);
        if let Some(u) = urls {
            let book = format!("{MINIMAL_BOOK_TOML}[build]\nurls = \"{u}\"\n");
            site.write("book.toml", &book);
        }
        let out: PathBuf = site.output_dir();
        let (code, _, err) = site.run("build", &[]);
        assert!(code == 0 || code == 1, "{err}");
        let html = std::fs::read_to_string(out.join(guide)).unwrap();
        assert!(
            html.contains(&format!("href=\"{notes}\"")),
            "{urls:?}: {html}"
        );
        // `setup.html.md` is `setup.html` either way.
        assert!(out.join("setup.html").is_file(), "{urls:?}");
    }
    let site = site_with(&[(
        "book.toml",
        "[book]\ntitle = \"T\"\n[build]\nurls = \"ugly\"\n",
    )]);
    let (code, json) = check_json(site.path(), &[]);
    assert_eq!(code, 2, "{json}");
}

#[test]
fn a_default_owner_channel_without_members_is_never_shown_as_lapsed() {
    // As `init --from` writes it: the default owner is a team made from a Slack channel,
    // whose members nobody recorded (issue 28: every page said "disbanded").
    let site = temp_fixture("adopt-govuk-erb");
    let (code, out, err) = run(["init".as_ref(), "--from".as_ref(), site.path().as_os_str()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(site.read("owners.yaml").contains("members: []"));
    let found = findings_of(site.path());
    assert!(with_code(&found, "lapsed-owner").is_empty(), "{found:?}");
    // One finding per team, at its entry in the roster init wrote.
    let unknown = with_code(&found, "unknown-membership");
    assert_eq!(unknown.len(), 3, "{found:?}");
    assert!(
        unknown
            .iter()
            .all(|(f, line)| f == "owners.yaml" && *line > 1),
        "{unknown:?}"
    );
    let (code, _, err) = site.run("build", &["--today", TODAY]);
    assert!(code == 0 || code == 1, "{err}");
    for (name, html) in html_pages(&site.path().join("public")) {
        for wrong in [
            "disbanded",
            "Lapsed owner",
            "Nobody owns",
            "[owners] default",
            "book.toml line",
        ] {
            assert!(!html.contains(wrong), "{name} says {wrong:?}");
        }
    }
    let home = site.read("public/index.html");
    assert!(
        home.contains("<span class=\"count-n\">0</span> <span class=\"count-l\">lapsed owners"),
        "{home}"
    );
}
