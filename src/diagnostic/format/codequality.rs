//! For GitLab's merge request widget and diff: a Code Quality report, the subset of the Code
//! Climate issue format GitLab reads (an array of `description`, `check_name`, `fingerprint`,
//! `severity`, `location.path`, `location.lines.begin`).
//! <https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>
//!
//! Baselined findings are left out: GitLab has no way to show a finding as accepted, and
//! the widget's "new" and "fixed" lists are what a baseline is for.

use super::{Options, fingerprints, message_and_hint, repo_path, reported};
use crate::diagnostic::{Diagnostic, Severity};
use serde_json::{Value, json};

pub(super) fn render(findings: &[Diagnostic], opts: &Options) -> String {
    let shown: Vec<&Diagnostic> = reported(findings).collect();
    let issues: Vec<Value> = shown
        .iter()
        .zip(fingerprints(shown.iter().copied(), opts))
        .map(|(d, fingerprint)| {
            json!({
                "description": message_and_hint(d),
                "check_name": d.code.as_str(),
                "fingerprint": fingerprint,
                "severity": severity(d),
                "location": {
                    "path": repo_path(d, opts),
                    "lines": { "begin": d.line },
                },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).expect("a JSON value always serializes");
    out.push('\n');
    out
}

/// GitLab's scale is info, minor, major, critical, blocker: a failing finding is major, one
/// that stops the run (the site could not be loaded) a blocker, a warning minor.
fn severity(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error if d.code.is_fatal() => "blocker",
        Severity::Error => "major",
        Severity::Warning => "minor",
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use crate::diagnostic::{Code, Policy, Pos};

    const SCHEMA: &str = include_str!("../../../tests/schemas/gitlab-codequality.json");

    fn rendered(findings: &[Diagnostic], opts: &Options) -> Value {
        serde_json::from_str(&render(findings, opts)).unwrap()
    }

    fn validate(report: &Value) {
        fixture::assert_schema_valid(SCHEMA, report, "a Code Quality report");
    }

    #[test]
    fn valid_against_the_code_quality_schema() {
        let findings = fixture::findings();
        validate(&rendered(&findings, &Options::default()));
        validate(&rendered(&[], &Options::default()));
        validate(&rendered(&fixture::many(3, 4), &Options::default()));
        // Guards the test against a schema that accepts anything.
        let schema: Value = serde_json::from_str(SCHEMA).unwrap();
        let mut bad = rendered(&findings, &Options::default());
        bad[0]["severity"] = json!("error");
        assert!(!jsonschema::is_valid(&schema, &bad));
        let mut bad = rendered(&findings, &Options::default());
        bad[0]["location"]["lines"].as_object_mut().unwrap().clear();
        assert!(!jsonschema::is_valid(&schema, &bad));
    }

    #[test]
    fn shape_and_severities() {
        let findings = fixture::findings();
        let report = rendered(&findings, &Options::default());
        let issues = report.as_array().unwrap();
        assert_eq!(issues.len(), findings.len());
        let config = &issues[0];
        assert_eq!(config["check_name"], "invalid-config");
        assert_eq!(config["severity"], "blocker");
        assert_eq!(config["location"]["path"], "book.toml");
        let stale = issues.iter().find(|i| i["check_name"] == "stale").unwrap();
        assert_eq!(stale["severity"], "minor");
        assert_eq!(stale["location"]["lines"]["begin"], 5);
        assert!(
            stale["description"]
                .as_str()
                .unwrap()
                .ends_with("help: run `fieldbook review` to stamp it: 100% done, then commit")
        );
        let link = issues
            .iter()
            .find(|i| i["check_name"] == "broken-link")
            .unwrap();
        assert_eq!(link["severity"], "major");
        let prefixed = rendered(&findings, &fixture::prefixed("docs/handbook"));
        assert_eq!(prefixed[0]["location"]["path"], "docs/handbook/book.toml");
    }

    #[test]
    fn fingerprints_are_unique_and_survive_moved_lines() {
        let at = |line: u32, message: &str| {
            let mut f = vec![
                Diagnostic::new(Code::BrokenLink, "a.md", Pos::new(line, 1, 1), message),
                Diagnostic::new(Code::BrokenLink, "a.md", Pos::new(line + 4, 1, 1), message),
                Diagnostic::new(Code::Stale, "a.md", Pos::new(3, 1, 1), "due 2026-01-01"),
            ];
            Policy::default().apply(&mut f);
            rendered(&f, &Options::default())
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["fingerprint"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let before = at(10, "link `x.md` is broken");
        let after = at(20, "link `x.md` is broken");
        assert_eq!(before, after);
        let mut unique = before.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 3, "{before:?}");
        assert!(before.iter().all(|f| f.len() == 32));
        assert_ne!(before, at(10, "link `y.md` is broken"));
    }

    #[test]
    fn baselined_findings_are_left_out() {
        let mut findings = fixture::findings();
        findings[0].baselined = true;
        assert_eq!(
            rendered(&findings, &Options::default())
                .as_array()
                .unwrap()
                .len(),
            findings.len() - 1
        );
        assert_eq!(render(&[], &Options::default()), "[]\n");
    }
}
