//! Regression tests for decisions that once had several homes and drifted apart (issue
//! "Architecture II"): which documents count (`Document::is_listed`) and which checks run
//! (`pipeline::findings`).

use crate::common::*;
use serde_json::Value;

const BROKEN: &str = "---\ntitle: Broken zebra runbook\nowners: [team-db\nreviewed: 2026-11-01\n---\n\nZebra steps.\n";

/// Every content path in the browser's search index of a built site.
fn browser_index_paths(site: &TestSite) -> Vec<String> {
    let mut paths = Vec::new();
    for e in std::fs::read_dir(site.output_dir().join("search/d")).unwrap() {
        let docs: Value =
            serde_json::from_str(&std::fs::read_to_string(e.unwrap().path()).unwrap()).unwrap();
        for d in docs.as_array().unwrap() {
            paths.push(d["p"].as_str().unwrap().to_string());
        }
    }
    paths
}

#[test]
fn a_document_with_broken_front_matter_is_in_no_index_and_no_manifest() {
    let site = TestSite::fixture("valid").with(&[("content/runbooks/zebra.md", BROKEN)]);
    let (code, _, err) = site.build(&[]);
    assert_eq!(code, 1, "invalid-metadata fails the build: {err}");
    assert!(err.contains("invalid-metadata"), "{err}");
    assert!(!site.join("public/runbooks/zebra/index.html").exists());
    let paths = browser_index_paths(&site);
    assert!(
        paths.iter().any(|p| p == "runbooks/db/failover.md"),
        "{paths:?}"
    );
    assert!(!paths.iter().any(|p| p.contains("zebra")), "{paths:?}");

    // The terminal's index agrees.
    let search = |q: &str| {
        output({
            let mut cmd = command();
            cmd.args(["search", q]).arg(site.path()).arg("--json");
            cmd
        })
    };
    let (_, out, err) = search("zebra");
    assert!(!out.contains("zebra.md"), "{out}{err}");
    let (_, out, err) = search("failover");
    assert!(out.contains("failover.md"), "{out}{err}");

    // And so does part.json.
    let out = site.join("part-out");
    let (_, _, err) = build_into(site.path(), &out, &["--part", "db"]);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("part.json")).unwrap()).unwrap();
    let docs: Vec<&str> = manifest["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(docs.contains(&"runbooks/db/failover.md"), "{docs:?} {err}");
    assert!(!docs.iter().any(|p| p.contains("zebra")), "{docs:?}");
}

#[test]
fn report_counts_progress_against_the_baseline_as_check_does() {
    // Two pages whose URLs differ only in case: a warning from a check that runs after the
    // site's own checks (report once ran only those, and counted this one as fixed).
    let page = "---\ntitle: Twin\n---\n\nText.\n";
    let site = TestSite::fixture("valid").with(&[
        ("content/notes/Twin.md", page),
        ("content/notes/twin.md", page),
    ]);
    let toml = site.read("book.toml");
    site.write(
        "book.toml",
        &format!("{toml}baseline = \"baseline.json\"\n"),
    );
    let (code, _, err) = site.run("check", &["--update-baseline"]);
    assert_eq!(code, 0, "{err}");
    assert!(site.read("baseline.json").contains("output-case-collision"));

    let (_, check) = site.check_json(&[]);
    let (code, out, err) = site.run("report", &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let from_check = &check["summary"]["baseline"];
    assert!(from_check.is_object(), "{check}");
    assert_eq!(&report["baseline"], from_check, "report and check disagree");
    assert_eq!(from_check["fixed"], 0, "{from_check}");
}
