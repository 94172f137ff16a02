//! Adoption of handbooks written for other tools (docs/adopting.md): their front matter read
//! as Fieldbook's, their body syntax rendered or removed — never leaked into pages. Fixture
//! sites in each tool's style, and the real corpora in /work/shared/corpora when present.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `check --format json` on `site`: (exit code, findings).
fn check(site: &Path) -> (i32, Vec<Value>) {
    let (code, json) = check_json(site, &[]);
    (code, json["findings"].as_array().unwrap().clone())
}

/// `build --output out`: the exit code.
fn build(site: &Path, out: &Path) -> i32 {
    let (code, _, err) = build_into(site, out, &[]);
    assert!(!err.contains("panicked"), "{err}");
    assert!(code == 0 || code == 1, "build exited {code}: {err}");
    code
}

/// `(code, file, line, column)` of every finding, sorted.
fn summary(findings: &[Value]) -> Vec<(String, String, u64, u64)> {
    let mut v: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn find<'a>(findings: &'a [Value], code: &str, file: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["code"] == code && f["file"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("no {code} in {file}: {findings:#?}"))
}

/// The `field` (message, hint) of the first `code` finding in `file`.
fn text_of<'a>(findings: &'a [Value], code: &str, file: &str, field: &str) -> &'a str {
    find(findings, code, file)[field].as_str().unwrap()
}

fn html_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "html") {
            out.push((
                e.path().to_path_buf(),
                std::fs::read_to_string(e.path()).unwrap(),
            ));
        }
    }
    out
}

/// Remove the elements whose content is code (examples may show any syntax) and unescape.
fn prose(html: &str) -> String {
    let mut t = html.to_string();
    for (open, close) in [
        ("<pre", "</pre>"),
        ("<code", "</code>"),
        ("<script", "</script>"),
    ] {
        while let Some(i) = t.find(open) {
            let end = t[i..].find(close).map_or(t.len(), |e| i + e + close.len());
            t.replace_range(i..end, "");
        }
    }
    t.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Other tools' syntax that shows in `html` outside code.
fn leaks(html: &str) -> Vec<String> {
    let text = prose(html);
    let mut found: Vec<String> = [
        "{{<", "{{%", "{%", ":::", "=== \"", "!!! ", "??? ", "--8<--",
    ]
    .iter()
    .filter(|p| text.contains(*p))
    .map(|p| p.to_string())
    .collect();
    for stmt in ["<p>import ", "<p>export "] {
        if text.contains(stmt) {
            found.push(stmt.to_string());
        }
    }
    found
}

fn assert_no_leaks(out: &Path) {
    let files = html_files(out);
    assert!(!files.is_empty());
    for (path, html) in files {
        let l = leaks(&html);
        assert!(l.is_empty(), "{} leaks {l:?}", path.display());
    }
}

fn page(out: &Path, url: &str) -> String {
    std::fs::read_to_string(out.join(url).join("index.html"))
        .unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn body(html: &str) -> &str {
    let start = html.find("<div class=\"doc-body").expect("a document page");
    &html[start..]
}

#[test]
fn leak_detector_sees_leaks_and_ignores_code() {
    assert_eq!(leaks("<p>{{&lt; youtube x &gt;}}</p>"), ["{{<"]);
    assert_eq!(leaks("<p>import X from 'y';</p>"), ["<p>import "]);
    assert!(leaks("<pre><code>{{&lt; x &gt;}}\n:::note</code></pre><p>ok</p>").is_empty());
}

#[test]
fn hugo_handbook() {
    let site = temp_fixture("adopt-hugo");
    let (code, f) = check(site.path());
    assert_eq!(code, 0, "{f:#?}");
    assert_eq!(
        summary(&f),
        [
            (
                "invalid-alias".into(),
                "content/runbooks/db/failover.md".into(),
                4,
                12
            ),
            (
                "unsupported-syntax".into(),
                "content/runbooks/db/replication-lag.md".into(),
                48,
                1
            ),
        ]
    );
    assert!(
        text_of(&f, "unsupported-syntax", "replication-lag.md", "message").contains("`youtube`")
    );

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    assert_eq!(build(site.path(), out.as_path()), 0);
    assert_no_leaks(out.as_path());

    let lag = page(out.as_path(), "runbooks/db/replication-lag");
    let b = body(&lag);
    assert!(
        b.contains("<aside class=\"callout callout-warning\""),
        "{b}"
    );
    assert!(b.contains("<pre class=\"code\" data-lang=\"sql\">"), "{b}");
    assert!(
        b.contains("<summary class=\"callout-title\">Why replicas fall behind</summary>"),
        "{b}"
    );
    assert!(b.contains("<h3 id=\"managed\">") && b.contains("<h3 id=\"self-hosted\">"));
    assert!(b.contains("<img src=\"../../../images/lag.svg\" alt=\"Lag graph\""));
    assert!(b.contains("<em>Lag during the March incident</em>"));
    assert!(b.contains("<a href=\"../../../runbooks/db/failover/\">the failover runbook</a>"));
    // Shortcodes in code are examples: kept as written.
    assert!(b.contains("<code>{{&lt; ref \"x.md\" &gt;}}</code>"), "{b}");
    assert!(b.contains("<code>{{&lt; notice tip &gt;}}"), "{b}");
    // categories join tags; lastmod is the last change, not a review.
    assert!(lag.contains("<a href=\"../../../tags/storage/\">storage</a>"));
    assert!(lag.contains("<dt>Last change</dt><dd><time datetime=\"2026-10-01\">"));
    assert!(lag.contains("<dt>Last reviewed</dt><dd><time datetime=\"2026-11-01\">"));

    // relref with an absolute content path and an anchor.
    let failover = page(out.as_path(), "runbooks/db/failover");
    assert!(failover.contains("href=\"../../../runbooks/db/replication-lag/#check-lag\""));
    assert!(
        failover.contains("callout-info\" role=\"note\">"),
        "{failover}"
    );

    // Old URLs redirect, relatively; `..` makes none.
    let old = page(out.as_path(), "runbooks/old-lag");
    assert!(
        old.contains("content=\"0; url=../../runbooks/db/replication-lag/\""),
        "{old}"
    );
    assert!(old.contains(
        "<a href=\"../../runbooks/db/replication-lag/\">Replication lag on orders-db</a>"
    ));
    let html = std::fs::read_to_string(out.as_path().join("db/lag.html")).unwrap();
    assert!(
        html.contains("url=../runbooks/db/replication-lag/"),
        "{html}"
    );
    assert!(
        !out.as_path().join("etc").exists()
            && !out.as_path().parent().unwrap().join("etc/passwd").exists()
    );

    // weight orders lists: replication-lag (1) before failover (2), against path order.
    let list = page(out.as_path(), "runbooks");
    let (a, b) = (
        list.find("runbooks/db/replication-lag/").unwrap(),
        list.find("runbooks/db/failover/").unwrap(),
    );
    assert!(a < b);

    // A postmortem's timestamp is its incident day; summary is its description.
    let pm = page(out.as_path(), "postmortems/2026-03-orders-db");
    assert!(pm.contains("<dt>Incident date</dt><dd><time datetime=\"2026-03-04\">"));
    assert!(pm.contains("A long analytics query held back replay"));
    // A page's date is a publish date: one in the future is no finding, and it is built.
    assert!(out.as_path().join("about/index.html").exists());

    // Search sees the same metadata (a category is a tag) and the same rewritten text.
    let (code, json, err) = run([
        "search".as_ref(),
        "storage".as_ref(),
        site.path().as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 0, "{err}");
    let results: Value = serde_json::from_str(&json).unwrap();
    let first = &results["results"][0];
    assert_eq!(
        first["path"], "runbooks/db/replication-lag.md",
        "{results:#}"
    );
    let snippet = first["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("Do not restart") && !snippet.contains("{{"),
        "{snippet}"
    );
}

#[test]
fn govuk_review_fields() {
    let site = temp_fixture("adopt-govuk");
    let (code, f) = check(site.path());
    assert_eq!(code, 1, "{f:#?}");
    let s = summary(&f);
    let expect = |code: &str, file: &str, line: u64, col: u64| {
        assert!(
            s.contains(&(code.into(), format!("content/runbooks/{file}"), line, col)),
            "{code} {file}:{line}:{col} in {s:#?}"
        );
    };
    // restore.md: owner_slack #db-oncall is team-db, reviewed 2026-10-01 every 6 months: fine.
    assert!(!s.iter().any(|x| x.1.ends_with("restore.md")), "{s:#?}");
    // vacuum.md: "3 months" after 2026-01-15 is stale; the finding points at last_reviewed_on.
    expect("stale", "db/vacuum.md", 3, 19);
    assert!(text_of(&f, "stale", "vacuum.md", "message").contains("every 3m"));
    // cdn.md: a channel no team has.
    expect("unknown-owner", "web/cdn.md", 5, 14);
    assert!(text_of(&f, "unknown-owner", "cdn.md", "message").contains("#cdn-team"));
    assert!(text_of(&f, "unknown-owner", "cdn.md", "hint").contains("channel: \"#cdn-team\""));
    // dns.md: an unreadable review_in, at its value.
    expect("invalid-metadata", "web/dns.md", 4, 12);
    // tls.md: native `reviewed` wins over last_reviewed_on, with a warning at the alias.
    expect("conflicting-keys", "web/tls.md", 4, 1);
    assert!(text_of(&f, "stale", "tls.md", "message").contains("last reviewed 2026-11-01"));
    // Google freshness comments: owners and reviewed date, positioned in the body.
    assert!(
        !s.iter().any(|x| x.1.ends_with("google-style.md")),
        "{s:#?}"
    );
    expect("unknown-owner", "web/google-typo.md", 3, 28);
    expect("invalid-metadata", "web/google-typo.md", 3, 49);
    // Aliases are no typos.
    assert!(!s.iter().any(|x| x.0 == "unknown-key"), "{s:#?}");

    // The report sees the same metadata.
    let (_, out, _) = run([
        "report".as_ref(),
        site.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let owner = |id: &str| {
        report["owners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {report:#}"))
            .clone()
    };
    let alice = owner("alice");
    assert_eq!(alice["items"][0]["file"], "content/runbooks/db/vacuum.md");
    assert_eq!(alice["items"][0]["due"], "2026-04-15");
    assert_eq!(owner("#cdn-team")["standing"], "unknown");

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    assert_eq!(build(site.path(), out.as_path()), 1);
    assert_no_leaks(out.as_path());
    let restore = page(out.as_path(), "runbooks/db/restore");
    assert!(restore.contains("Database Reliability"));
    assert!(restore.contains("<dt>Next review due</dt><dd><time datetime=\"2027-04-01\">"));
    let google = page(out.as_path(), "runbooks/web/google-style");
    assert!(google.contains("Web Platform") && google.contains("Bob Li"));
    assert!(google.contains("<dt>Last reviewed</dt><dd><time datetime=\"2026-10-20\">"));
}

#[test]
fn mkdocs_material_handbook() {
    let site = temp_fixture("adopt-material");
    let (code, f) = check(site.path());
    assert_eq!(code, 0, "{f:#?}");
    let file = "content/runbooks/app/deploy.md".to_string();
    assert_eq!(
        summary(&f),
        [
            ("unsupported-syntax".into(), file.clone(), 36, 1),
            ("unsupported-syntax".into(), file.clone(), 40, 39),
            ("unsupported-syntax".into(), file, 42, 1),
        ]
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    assert_eq!(build(site.path(), out.as_path()), 0);
    assert_no_leaks(out.as_path());
    let deploy = page(out.as_path(), "runbooks/app/deploy");
    assert!(!deploy.contains("class=\"toc\""), "hide: [toc]");
    let b = body(&deploy);
    let nested = b.find("<aside class=\"callout callout-warning\"").unwrap();
    let details = b.find("<details class=\"callout callout-note\">").unwrap();
    let closed = b.find("</aside>").unwrap();
    assert!(nested < details && details < closed, "{b}");
    for id in ["install-the-cli", "linux", "macos", "rollback"] {
        assert!(b.contains(&format!(" id=\"{id}\"")), "{id}: {b}");
    }
    assert!(b.contains("<h3 id=\"linux\">"));
    assert!(b.contains("Templates write {{ version }} literally here."));
    assert!(b.contains("{% </span><span class=\"k\">raw </span>"), "{b}");
    assert!(b.contains("=== \"Not a tab\""), "{b}");
}

#[test]
fn docusaurus_handbook() {
    let site = temp_fixture("adopt-docusaurus");
    let (code, f) = check(site.path());
    assert_eq!((code, f.len()), (0, 0), "{f:#?}");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    assert_eq!(build(site.path(), out.as_path()), 0);
    assert_no_leaks(out.as_path());
    let backlog = page(out.as_path(), "runbooks/queue/backlog");
    assert!(!backlog.contains("class=\"toc\""), "hide_table_of_contents");
    assert!(backlog.contains("<time datetime=\"2026-09-01\">2026-09-01</time> by Ana"));
    assert!(backlog.contains(">Kafka</a>") && backlog.contains(">ops</a>"));
    let b = body(&backlog);
    assert!(!b.contains("<h1"), "the title heading is the page's: {b}");
    assert!(b.contains("<p class=\"callout-title\">Fast path</p>"));
    let outer = b
        .find("<p class=\"callout-title\">Before you scale</p>")
        .unwrap();
    let inner = b.find("Never delete a partition.").unwrap();
    assert!(
        outer < inner && b[outer..inner].matches("</aside>").count() == 0,
        "{b}"
    );
    assert!(
        b.contains(":::note\nAn example admonition, kept as written."),
        "{b}"
    );

    // sidebar_position orders lists and lessons.
    let list = page(out.as_path(), "runbooks");
    assert!(list.find("queue/consumer-lag/").unwrap() < list.find("queue/backlog/").unwrap());
    let course = page(out.as_path(), "courses/queues");
    assert!(course.find(">Producers<").unwrap() < course.find(">Consumers<").unwrap());
}

// ---- the real corpora ----

const CORPORA: &str = "/work/shared/corpora";

/// A temporary site whose content directory links to `entries` of a corpus folder, or None
/// (with a note) when the corpora are not on this machine.
fn corpus_site(corpus: &str, under: &str, into: &str) -> Option<(TestSite, PathBuf)> {
    let src = Path::new(CORPORA).join(corpus).join(under);
    if !src.is_dir() {
        eprintln!("skipped: {} is absent", src.display());
        return None;
    }
    let site = temp_site(&[
        (
            "book.toml",
            "[book]\ntitle = \"Corpus\"\n[build]\ntoday = \"2026-11-27\"\n",
        ),
        ("owners.yaml", "people: {}\nteams: {}\n"),
    ]);
    // Copied, not linked: a link leading outside the site is not read (docs/hardening.md).
    copy_dir(&src, &site.path().join("content").join(into));
    Some((site, src))
}

/// Every corpus Markdown file, content-relative (under `into`).
fn corpus_markdown(src: &Path, into: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(src).sort_by_file_name() {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "md") {
            let rel = e
                .path()
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .to_string();
            let rel = if into.is_empty() {
                rel
            } else {
                format!("{into}/{rel}")
            };
            out.push((e.path().to_path_buf(), rel));
        }
    }
    out
}

/// The output file of a document (build's URL rule: `a/b.md` → `a/b/index.html`, an
/// `index.md` is its directory's page; the root `index.md` opens the home page).
fn output_of(rel: &str) -> String {
    let stem = rel.strip_suffix(".md").unwrap();
    let dir = match stem.rsplit_once('/') {
        Some((d, "index")) => d.to_string(),
        None if stem == "index" => String::new(),
        _ => stem.to_string(),
    };
    if dir.is_empty() {
        "index.html".into()
    } else {
        format!("{dir}/index.html")
    }
}

/// Relative links to `.md` files in a line (destination without its anchor).
fn md_links(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let end = if rest.starts_with('<') {
            rest.find('>').map_or(rest.len(), |e| e + 1)
        } else {
            rest.find([')', ' ']).unwrap_or(rest.len())
        };
        let dest = rest[..end].trim_matches(['<', '>']);
        let path = dest.split('#').next().unwrap_or("");
        if path.ends_with(".md") && !path.contains("://") && !path.starts_with('/') {
            out.push(path.replace("%20", " "));
        }
    }
    out
}

fn corpus_case(corpus: &str, under: &str, into: &str) {
    let Some((site, src)) = corpus_site(corpus, under, into) else {
        return;
    };
    let (code, findings) = check(site.path());
    assert!(code == 0 || code == 1, "check exited {code}: {findings:#?}");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(site.path(), out.as_path());
    assert_no_leaks(out.as_path());

    let broken: Vec<(String, u64)> = findings
        .iter()
        .filter(|f| f["code"] == "broken-link" || f["code"] == "broken-anchor")
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let docs = corpus_markdown(&src, into);
    assert!(!docs.is_empty());
    for (path, rel) in &docs {
        let page = out.as_path().join(output_of(rel));
        assert!(page.is_file(), "{rel} has no page at {}", page.display());
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            for dest in md_links(line) {
                if path.parent().unwrap().join(&dest).is_file() {
                    let at = (format!("content/{rel}"), n as u64 + 1);
                    assert!(
                        !broken.contains(&at),
                        "{rel}:{} links to {dest}, which exists: {findings:#?}",
                        n + 1
                    );
                }
            }
        }
    }
    // Anchor findings on links between corpus files would be ours: none expected.
    assert!(
        !findings.iter().any(|f| f["code"] == "broken-anchor"),
        "{findings:#?}"
    );
}

#[test]
fn corpus_prometheus_operator_runbooks() {
    corpus_case("prometheus-operator__runbooks", "content", "");
}

#[test]
fn corpus_dfds_postmortems() {
    corpus_case("dfds__postmortems", "", "postmortems");
}

#[test]
fn corpus_google_eng_practices() {
    corpus_case("google__eng-practices", "", "");
}

#[test]
fn corpus_links_are_counted() {
    // The oracle above must see the links it is meant to check.
    assert_eq!(
        md_links("See [a](small-cls.md#why) and [b](<x y.md>) and [c](https://e.com/a.md)."),
        ["small-cls.md", "x y.md"]
    );
    assert_eq!(output_of("review/index.md"), "review/index.html");
    assert_eq!(output_of("PM 1.md"), "PM 1/index.html");
}

#[test]
fn review_stamps_the_key_the_file_uses() {
    let site = temp_fixture("adopt-govuk");
    let file = site.path().join("content/runbooks/db/vacuum.md");
    let (code, _, err) = run(["review".as_ref(), file.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("last_reviewed_on: 2026-11-27\n"), "{text}");
    assert!(!text.contains("\nreviewed:"), "{text}");
    let (_, f) = check(site.path());
    assert!(
        !f.iter()
            .any(|f| f["file"].as_str().unwrap().ends_with("vacuum.md")),
        "{f:#?}"
    );
}
