//! `fieldbook build --part NAME`: the demo built as a relocatable part, its pages under the
//! prefix with every internal link still resolving, and `part.json` describing it.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            html_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "html") {
            out.push(p);
        }
    }
}

/// The `href` and `src` attribute values of `html`.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            found.push(rest[..end].replace("&amp;", "&"));
        }
    }
    found
}

/// Where a link from the page file `page` lands, if it is internal.
fn target(page: &Path, link: &str, root: &Path) -> Option<PathBuf> {
    let link = link.split(['#', '?']).next().unwrap();
    if link.is_empty()
        || link.contains("://")
        || link.starts_with("mailto:")
        || link.starts_with("data:")
    {
        return None;
    }
    let mut t = if let Some(abs) = link.strip_prefix('/') {
        root.join(abs)
    } else {
        page.parent().unwrap().join(link)
    };
    if link.ends_with('/') {
        t = t.join("index.html");
    }
    Some(t)
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

#[test]
fn the_demo_builds_as_a_part_under_its_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("part");
    let (code, _, err) = build_into(&repo_root(), &out, &["--part", "northwind"]);
    assert_eq!(code, 0, "{err}");
    let prefix = out.join("northwind");
    assert!(prefix.join("index.html").is_file());
    assert!(
        prefix
            .join("runbooks/postgres/disk-full/index.html")
            .is_file()
    );
    assert!(
        prefix.join("search/index.json").is_file(),
        "its search shard"
    );
    assert!(prefix.join("static").is_dir(), "its assets");
    // (Besides the marker that makes the directory a Fieldbook output.)
    let mut top: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    top.sort();
    assert_eq!(top, ["northwind", "part.json"]);

    // Every internal link of every page lands inside the prefix on a file that exists, as
    // when the part is served from the root of a composed site (`/` = `out/`).
    let mut pages = Vec::new();
    html_files(&prefix, &mut pages);
    assert!(pages.len() > 100);
    let mut broken = Vec::new();
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        for link in links(&html) {
            let Some(t) = target(page, &link, &out) else {
                continue;
            };
            let t = normalize(&t);
            if !t.starts_with(&prefix) || !t.exists() {
                broken.push(format!(
                    "{}: {link}",
                    page.strip_prefix(&out).unwrap().display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    let canonical = std::fs::read_to_string(prefix.join("about/index.html")).unwrap();
    assert!(
        canonical.contains("href=\"/northwind/about/\""),
        "canonical URL under the prefix"
    );

    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("part.json")).unwrap()).unwrap();
    assert_eq!(m["format"], 1);
    assert_eq!(m["fieldbook"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["name"], "northwind");
    assert_eq!(m["prefix"], "northwind/");
    assert_eq!(m["search"], "northwind/search/index.json");
    assert_eq!(m["roster"]["hash"].as_str().unwrap().len(), 16);
    assert!(m["roster"]["people"].as_u64().unwrap() > 0);
    let docs = m["documents"].as_array().unwrap();
    let runbook = docs
        .iter()
        .find(|d| d["path"] == "runbooks/tracking/events-delayed.md")
        .unwrap();
    assert_eq!(runbook["kind"], "runbook");
    assert_eq!(
        runbook["url"],
        "northwind/runbooks/tracking/events-delayed/"
    );
    assert_eq!(runbook["state"], "stale");
    assert_eq!(runbook["stale"], true);
    assert!(!runbook["owners"].as_array().unwrap().is_empty());
    assert!(!runbook["alerts"].as_array().unwrap().is_empty());
    assert!(!runbook["services"].as_array().unwrap().is_empty());
    for d in docs {
        let url = d["url"].as_str().unwrap();
        assert!(
            out.join(url).join("index.html").is_file(),
            "{url} is written"
        );
        let anchors = d["anchors"].as_array().unwrap();
        for h in d["headings"].as_array().unwrap() {
            assert!(anchors.contains(&h["id"]));
        }
    }
    let with_headings = docs
        .iter()
        .find(|d| d["path"] == "runbooks/postgres/disk-full.md")
        .unwrap();
    assert!(!with_headings["headings"].as_array().unwrap().is_empty());
    // The findings the build reported (the demo has warnings: two stale runbooks...).
    let findings = m["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["code"] == "stale"),
        "{findings:?}"
    );
}

#[test]
fn part_names_are_one_url_segment() {
    for bad in ["Payments", "a/b", "..", "search"] {
        let tmp = tempfile::tempdir().unwrap();
        let (code, _, err) = build_into(&fixture("valid"), &tmp.path().join("p"), &["--part", bad]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("part name"), "{err}");
        assert!(!tmp.path().join("p").exists());
    }
}

#[test]
fn links_into_other_parts_are_listed_for_the_composer() {
    let site = site_with(&[(
        "content/runbooks/db.md",
        "---\ntitle: DB\nkind: runbook\nowners: [team-a]\nreviewed: 2026-01-01\n---\n\n\
         ## Diagnose\n\nSee [payments](payments:runbooks/psp.md#retry) and [web](https://x.org/).\n",
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("p");
    let (code, _, err) = build_into(
        site.path(),
        &out,
        &["--part", "orders", "--today", "2026-02-01"],
    );
    assert_eq!(code, 0, "{err}");
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("part.json")).unwrap()).unwrap();
    let doc = &m["documents"][0];
    assert_eq!(
        doc["part_links"],
        serde_json::json!([{"part": "payments", "path": "runbooks/psp.md", "anchor": "retry", "line": 10}])
    );
    assert_eq!(doc["anchors"], serde_json::json!(["diagnose"]));
}
