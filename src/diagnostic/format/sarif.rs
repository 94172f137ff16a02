//! For code scanning (GitHub and other SARIF viewers): SARIF 2.1.0, one run, every check code
//! as a rule so that viewers can describe a code even where it has no result yet.

use super::{Options, message_and_hint, repo_path};
use crate::diagnostic::{Code, Diagnostic, Policy, Severity, Summary};
use serde_json::{Value, json};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Result locations are relative to this base, which stands for the site directory (the
/// repository's root with a path prefix, the paths then starting with it); GitHub
/// rejects or misplaces results whose location is an absolute path of the machine that ran.
const SRCROOT: &str = "%SRCROOT%";

pub(super) fn render(findings: &[Diagnostic], summary: &Summary, opts: &Options) -> String {
    let root = match opts.path_prefix {
        Some(_) => "The repository's root.",
        None => "The site directory, where book.toml is.",
    };
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "fieldbook",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/fieldbook/fieldbook",
                    "rules": Code::ALL.map(rule).to_vec(),
                }
            },
            "originalUriBaseIds": {
                SRCROOT: { "description": { "text": root } }
            },
            // Columns count characters, not the UTF-16 units SARIF would otherwise assume.
            "columnKind": "unicodeCodePoints",
            "invocations": [{ "executionSuccessful": summary.fatal == 0 }],
            "results": findings.iter().map(|d| result(d, opts)).collect::<Vec<_>>(),
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).expect("a JSON value always serializes");
    out.push('\n');
    out
}

fn rule(code: Code) -> Value {
    json!({
        "id": code.as_str(),
        "name": pascal_case(code.as_str()),
        "shortDescription": { "text": code.description() },
        "defaultConfiguration": { "level": level(Policy::default().severity(code)) },
    })
}

fn result(d: &Diagnostic, opts: &Options) -> Value {
    let index = Code::ALL.iter().position(|&c| c == d.code);
    let mut r = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": index.expect("Code::ALL lists every code"),
        "level": level(d.severity),
        "message": { "text": message_and_hint(d) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&repo_path(d, opts)), "uriBaseId": SRCROOT },
                "region": { "startLine": d.line, "startColumn": d.column },
            }
        }],
    });
    if d.baselined {
        // Viewers hide suppressed results (GitHub code scanning closes their alerts).
        r["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": "recorded in the fieldbook baseline ([check] baseline)",
        }]);
    }
    r
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// SARIF's `name` is a rule's readable identifier, conventionally PascalCase:
/// `broken-link` → `BrokenLink`.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// A relative path as a relative URI reference: a space, `%`, `#` or `?` in a file name would
/// otherwise change what the URI means, and a `:` in the first segment would read as a scheme.
/// Non-ASCII is percent-encoded as UTF-8 too, since viewers differ in accepting IRIs.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    const OASIS_SCHEMA: &str = include_str!("../../../tests/schemas/sarif-2.1.0.json");

    fn validate(log: &Value) {
        fixture::assert_schema_valid(OASIS_SCHEMA, log, "valid SARIF 2.1.0");
    }

    fn rendered(findings: &[Diagnostic], summary: &Summary) -> Value {
        serde_json::from_str(&render(findings, summary, &Options::default())).unwrap()
    }

    #[test]
    fn valid_against_the_oasis_schema() {
        let mut findings = fixture::findings();
        validate(&rendered(&findings, &fixture::summary(&findings)));
        validate(&rendered(&[], &Summary::of(0, &[])));
        findings[0].baselined = true;
        let log = rendered(&findings, &fixture::summary(&findings));
        validate(&log);
        assert_eq!(
            log["runs"][0]["results"][0]["suppressions"][0]["kind"],
            "external"
        );
    }

    #[test]
    fn the_schema_catches_mistakes() {
        // Guards the test above against a validator that accepts anything.
        let findings = fixture::findings();
        let mut log = rendered(&findings, &fixture::summary(&findings));
        log["runs"][0]["results"][0]["level"] = json!("fatal");
        let schema: Value = serde_json::from_str(OASIS_SCHEMA).unwrap();
        assert!(!jsonschema::is_valid(&schema, &log));
    }

    #[test]
    fn shape() {
        let findings = fixture::findings();
        let log = rendered(&findings, &fixture::summary(&findings));
        assert_eq!(log["$schema"], SCHEMA);
        assert_eq!(log["version"], "2.1.0");
        let runs = log["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "fieldbook");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
        assert!(run["originalUriBaseIds"][SRCROOT].is_object());

        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(rules.len(), Code::ALL.len());
        assert_eq!(
            rules[Code::ALL
                .iter()
                .position(|&c| c == Code::BrokenLink)
                .unwrap()],
            json!({
                "id": "broken-link",
                "name": "BrokenLink",
                "shortDescription": { "text": Code::BrokenLink.description() },
                "defaultConfiguration": { "level": "error" },
            })
        );
        let stale = rules.iter().find(|r| r["id"] == "stale").unwrap();
        assert_eq!(stale["defaultConfiguration"]["level"], "warning");

        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), findings.len());
        for (r, d) in results.iter().zip(&findings) {
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], r["ruleId"]);
            assert_eq!(r["ruleId"], d.code.as_str());
            assert_eq!(r["level"], d.severity.as_str());
            let place = &r["locations"][0]["physicalLocation"];
            assert_eq!(place["artifactLocation"]["uriBaseId"], SRCROOT);
            assert_eq!(place["region"]["startLine"], d.line);
            assert_eq!(place["region"]["startColumn"], d.column);
        }
        let stale = results.iter().find(|r| r["ruleId"] == "stale").unwrap();
        assert_eq!(
            stale["message"]["text"],
            "runbook was last reviewed 2026-05-02;\nits review was due 2026-07-31\n\
             help: run `fieldbook review` to stamp it: 100% done, then commit"
        );
        let uris: Vec<_> = results
            .iter()
            .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone())
            .collect();
        assert_eq!(
            uris,
            [
                "book.toml",
                "content/courses/caf%C3%A9/index.md",
                "content/runbooks/a%2Cb%3Ac.md",
                "content/runbooks/db/failover.md",
            ]
        );
    }

    #[test]
    fn path_prefix_makes_uris_relative_to_the_repository() {
        let findings = fixture::findings();
        let opts = fixture::prefixed("docs/hand book");
        let out = render(&findings, &fixture::summary(&findings), &opts);
        let log: Value = serde_json::from_str(&out).unwrap();
        validate(&log);
        let run = &log["runs"][0];
        assert_eq!(
            run["results"][3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "docs/hand%20book/content/runbooks/db/failover.md"
        );
        assert_eq!(
            run["originalUriBaseIds"][SRCROOT]["description"]["text"],
            "The repository's root."
        );
    }

    #[test]
    fn uris_stay_relative() {
        assert_eq!(uri("a b/100%#1?.md"), "a%20b/100%25%231%3F.md");
        assert_eq!(uri("c:/x.md"), "c%3A/x.md");
    }

    #[test]
    fn rule_names() {
        assert_eq!(
            pascal_case("partially-lapsed-owner"),
            "PartiallyLapsedOwner"
        );
        assert_eq!(pascal_case("stale"), "Stale");
    }
}
