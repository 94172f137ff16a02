//! Hostile input everywhere: `tests/fixtures/xss` puts classic XSS payloads in every field a
//! user controls (book title and description, `[extra]`, people's and teams' names, ids,
//! emails and channels, titles, descriptions, tags, services, alerts, severity, unknown keys,
//! headings and their attributes, links, images, admonition titles, code block languages,
//! footnotes, tables, quiz questions, choices and explanations, action items and their links,
//! course prerequisites, a file name) and the site is built with `raw_html = false`. Every
//! output file is then checked in its own context:
//!
//! - HTML: tokenised; no `on…` attribute, no script URL in `href`/`src`/`action`, no inline
//!   `<script>` (only the theme's `<script src=".../static/…">` with nothing inside), no
//!   `<iframe>`, `<object>`, `<embed>`, `<base>` or `<meta http-equiv>` (but a refresh to a
//!   relative URL of the site, as alert and alias pages use without JavaScript); template syntax is
//!   never evaluated; each payload still shows up (escaped), so a field dropped silently
//!   cannot pass for a field escaped;
//! - JSON (the search index): valid, with no raw `<`, `>` or `&`, nor U+2028/U+2029;
//! - the sitemap: well-formed XML.
//!
//! The browser half (`tests/browser/xss.test.mjs`) loads every page and the search UI in
//! Chromium and checks that no payload runs.

use crate::common::{self, TestSite};
use fieldbook::fuzzing::{Tag, URL_ATTRIBUTES, is_script_url, tags};
use std::path::{Path, PathBuf};

/// Tag names whose presence alone means something got through.
const FORBIDDEN_TAGS: [&str; 6] = ["iframe", "object", "embed", "base", "frame", "applet"];

fn is_json_data(tag: &Tag) -> bool {
    tag.attrs.iter().any(|(n, v)| {
        n == "type" && matches!(v.as_str(), "application/json" | "application/ld+json")
    })
}

/// `<meta http-equiv="refresh" content="0; url=...">` to a relative URL of the site: how alert
/// pages and Hugo aliases send browsers without JavaScript on. Anything else (another
/// `http-equiv`, a scheme, a host) is a problem.
fn is_local_refresh(tag: &Tag) -> bool {
    let attr = |n: &str| {
        tag.attrs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    let Some(url) = attr("content").and_then(|c| c.strip_prefix("0; url=")) else {
        return false;
    };
    tag.name == "meta"
        && attr("http-equiv") == Some("refresh")
        && !url.starts_with("//")
        && !url.contains(':')
        && !url.contains(['"', '<', '>', ' '])
}

/// What is wrong with one HTML file, if anything.
fn html_problems(rel: &str, html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for tag in tags(html) {
        let here = format!("{rel}: <{}", tag.name);
        if FORBIDDEN_TAGS.contains(&tag.name.as_str()) {
            problems.push(format!("{here}>: forbidden tag"));
        }
        for (name, value) in &tag.attrs {
            if name.starts_with("on") {
                problems.push(format!("{here} {name}=…>: event handler attribute"));
            }
            if name == "http-equiv" && !is_local_refresh(&tag) {
                problems.push(format!("{here} http-equiv>"));
            }
            if URL_ATTRIBUTES.contains(&name.as_str()) && is_script_url(value) {
                problems.push(format!("{here} {name}={value:?}>: script URL"));
            }
        }
        if tag.name == "script" && is_json_data(&tag) {
            // Data for the theme's script: it must be JSON in which no `<` (so no
            // `</script>` or `<!--`) and no line separator can appear unescaped.
            let body = &html[tag.end..];
            let body = &body[..body.find("</script").unwrap_or(body.len())];
            if serde_json::from_str::<serde_json::Value>(body).is_err()
                || body.contains(['<', '\u{2028}', '\u{2029}'])
            {
                problems.push(format!(
                    "{here} type=json>: unsafe JSON data {:?}",
                    &body[..body.len().min(80)]
                ));
            }
        } else if tag.name == "script" {
            let src = tag
                .attrs
                .iter()
                .find(|(n, _)| n == "src")
                .map(|(_, v)| v.as_str());
            let theme_script = src
                .is_some_and(|s| s.contains("static/") && !s.contains(':') && s.ends_with(".js"));
            let body_empty = html[tag.end..].starts_with("</script>");
            if !theme_script || !body_empty {
                problems.push(format!(
                    "{here} src={src:?}>: a script that is not the theme's"
                ));
            }
        }
    }
    // Template syntax in user text is text: never evaluated (1337 * 1337 = 1787569).
    if html.contains("1787569") {
        problems.push(format!("{rel}: template syntax in user text was evaluated"));
    }
    problems
}

fn check_site(out: &Path) -> (usize, String) {
    let mut problems = Vec::new();
    let mut html_text = String::new();
    let mut files = 0;
    for e in walkdir::WalkDir::new(out) {
        let e = e.unwrap();
        if !e.file_type().is_file() {
            continue;
        }
        files += 1;
        let rel = e
            .path()
            .strip_prefix(out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(e.path()).unwrap();
        let text = String::from_utf8(bytes).unwrap_or_default();
        if rel.ends_with(".html") {
            problems.extend(html_problems(&rel, &text));
            html_text.push_str(&text);
        } else if rel.ends_with(".json") {
            if let Err(err) = serde_json::from_str::<serde_json::Value>(&text) {
                problems.push(format!("{rel}: not JSON: {err}"));
            }
            for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
                if text.contains(bad) {
                    problems.push(format!("{rel}: raw {bad:?} in JSON"));
                }
            }
        } else if rel.ends_with(".xml")
            && let Err(err) = roxmltree::Document::parse(&text)
        {
            problems.push(format!("{rel}: not well-formed XML: {err}"));
        }
    }
    assert!(
        problems.is_empty(),
        "unsafe output:\n{}",
        problems.join("\n")
    );
    (files, html_text)
}

/// Build `site` into its `public/`; that directory.
fn build(site: &TestSite) -> PathBuf {
    let (code, _, err) = site.build(&[]);
    assert!(code == 0 || code == 1, "build failed: {err}");
    site.output_dir()
}

#[test]
fn payloads_are_escaped_in_every_output_file() {
    let site = common::temp_fixture("xss");
    let out = build(&site);
    let (files, html) = check_site(&out);
    assert!(files > 20, "only {files} files");
    // Each payload reached the pages (escaped): the fields were shown, not dropped.
    for name in [
        "book-title",
        "book-description",
        "person-name",
        "team-name",
        "channel",
        "title",
        "description",
        "service",
        "tag",
        "alert",
        "severity",
        "heading",
        "admonition",
        "code",
        "footnote",
        "table",
        "quiz-question",
        "choice-text",
        "quiz-explain",
        "action-title",
        "course",
        "lesson",
        "pm-title",
    ] {
        let shown = ["'", "&#39;", "&#x27;", "\"", "&quot;"]
            .iter()
            .any(|q| html.contains(&format!("__xss={q}{name}")));
        assert!(
            shown,
            "payload {name} appears nowhere: its field was dropped, so the test proves nothing"
        );
    }
    assert!(
        html.contains("%3Csvg%20onload"),
        "the file name's payload, percent-encoded in links"
    );
}

/// Raw HTML is the author's to allow: kept by default (with `javascript:` links, which the
/// author could write as raw HTML anyway), stripped with `raw_html = false` — but metadata is
/// escaped either way.
#[test]
fn raw_html_is_kept_by_default_and_metadata_is_escaped_anyway() {
    let site = common::temp_fixture("xss");
    let book = site.path().join("book.toml");
    let text = std::fs::read_to_string(&book).unwrap();
    std::fs::write(&book, text.replace("raw_html = false", "raw_html = true")).unwrap();
    let out = build(&site);
    let page = std::fs::read_to_string(out.join("runbooks/web/payload/index.html")).unwrap();
    assert!(
        page.contains("<script>window.__xss='raw-script'</script>"),
        "raw HTML kept"
    );
    assert!(
        page.contains("<a href=\"javascript:window.__xss="),
        "script links kept"
    );
    // Metadata is escaped whatever raw_html says: the index pages show only metadata.
    for rel in [
        "index.html",
        "runbooks/index.html",
        "teams/team-x/index.html",
    ] {
        let html = std::fs::read_to_string(out.join(rel)).unwrap();
        let p = html_problems(rel, &html);
        assert!(p.is_empty(), "{p:?}");
    }
}

#[test]
fn the_checker_sees_payloads() {
    // The checks above must fail on unescaped output.
    for bad in [
        "<p><script>alert(1)</script></p>",
        "<img src=x onerror=alert(1)>",
        "<a href=\" JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<svg/onload=alert(1)>",
        "<script src=\"https://evil.example/x.js\"></script>",
        "<iframe src=\"x\"></iframe>",
        "<p>1787569</p>",
        r#"<script type="application/json">{"t": "</script><script>alert(1)</script>"}</script>"#,
        "<script type=\"application/json\">{\"t\": \"\u{2028}\"}</script>",
    ] {
        assert!(!html_problems("t", bad).is_empty(), "missed {bad}");
    }
    assert!(
        html_problems(
            "t",
            r#"<script src="../static/search.js" defer></script><a href="x/" title="&lt;script&gt;">ok</a><script type="application/json">{"t": "\u003c/script\u003e"}</script>"#
        )
        .is_empty()
    );
}
