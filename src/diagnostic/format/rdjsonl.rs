//! For reviewdog (`reviewdog -f=rdjsonl`), which turns findings on changed lines into pull
//! request review comments: one Reviewdog Diagnostic Format `Diagnostic` a line.
//! <https://github.com/reviewdog/reviewdog/tree/master/proto/rdf>
//!
//! Baselined findings are left out (they are accepted, not for review).

use super::{Options, message_and_hint, repo_path, reported};
use crate::diagnostic::{Diagnostic, Severity};
use serde_json::{Value, json};

pub(super) fn render(findings: &[Diagnostic], opts: &Options) -> String {
    let mut out = String::new();
    for d in reported(findings) {
        out.push_str(&serde_json::to_string(&diagnostic(d, opts)).expect("JSON serializes"));
        out.push('\n');
    }
    out
}

fn diagnostic(d: &Diagnostic, opts: &Options) -> Value {
    let (start, end) = byte_columns(d);
    let mut range = json!({ "start": { "line": d.line, "column": start } });
    if let Some(end) = end {
        range["end"] = json!({ "line": d.line, "column": end });
    }
    json!({
        "message": message_and_hint(d),
        "location": { "path": repo_path(d, opts), "range": range },
        "severity": match d.severity {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
        },
        "source": { "name": "fieldbook" },
        "code": { "value": d.code.as_str() },
    })
}

/// rdjson columns count UTF-8 bytes, Fieldbook's count characters: converted through the
/// source line where the finding has it (with the end of the underlined span, exclusive),
/// else left as they are (ASCII lines, whole-file findings at 1:1).
fn byte_columns(d: &Diagnostic) -> (u32, Option<u32>) {
    let Some(line) = &d.source_line else {
        return (d.column, None);
    };
    let byte = |chars: u32| -> u32 {
        let bytes: usize = line.chars().take(chars as usize).map(char::len_utf8).sum();
        bytes as u32 + 1
    };
    let start = d.column - 1;
    (byte(start), Some(byte(start + d.span_len)))
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    const SCHEMA: &str = include_str!("../../../tests/schemas/rdjson-diagnostic.json");

    fn lines(out: &str) -> Vec<Value> {
        out.lines()
            .map(|l| serde_json::from_str(l).expect("each line is one JSON value"))
            .collect()
    }

    #[test]
    fn each_line_valid_against_the_rdjson_diagnostic_schema() {
        let schema: Value = serde_json::from_str(SCHEMA).unwrap();
        let findings = fixture::findings();
        let out = render(&findings, &Options::default());
        let got = lines(&out);
        assert_eq!(got.len(), findings.len());
        for line in &got {
            fixture::assert_schema_valid(SCHEMA, line, "an rdjson Diagnostic");
        }
        let mut bad = got[0].clone();
        bad["severity"] = json!("error");
        assert!(!jsonschema::is_valid(&schema, &bad));
        assert_eq!(render(&[], &Options::default()), "");
    }

    #[test]
    fn shape_columns_and_prefix() {
        let findings = fixture::findings();
        let opts = fixture::prefixed("handbook");
        let got = lines(&render(&findings, &opts));
        let link = got
            .iter()
            .find(|l| l["code"]["value"] == "broken-link")
            .unwrap();
        assert_eq!(link["severity"], "ERROR");
        assert_eq!(link["source"]["name"], "fieldbook");
        assert_eq!(
            link["location"]["path"],
            "handbook/content/runbooks/db/failover.md"
        );
        // Column 18 of "\t- see [restore](...": all ASCII, so bytes and characters agree.
        assert_eq!(
            link["location"]["range"],
            json!({ "start": { "line": 2, "column": 18 }, "end": { "line": 2, "column": 38 } })
        );
        // "owners: [山田, bob]": column 10 is 山, the 10th character and the 10th byte; its
        // two characters are six bytes.
        let owner = got
            .iter()
            .find(|l| l["code"]["value"] == "unknown-owner")
            .unwrap();
        assert_eq!(owner["severity"], "ERROR");
        assert_eq!(
            owner["location"]["range"],
            json!({ "start": { "line": 3, "column": 10 }, "end": { "line": 3, "column": 16 } })
        );
        let stale = got.iter().find(|l| l["code"]["value"] == "stale").unwrap();
        assert_eq!(stale["severity"], "WARNING");
        assert!(
            stale["message"]
                .as_str()
                .unwrap()
                .contains("\nhelp: run `fieldbook review`")
        );
    }
}
