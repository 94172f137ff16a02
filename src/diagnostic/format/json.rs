//! For scripts: one JSON object, its keys in the order FORMAT.md lists them.

use crate::diagnostic::{Diagnostic, Summary};
use serde::Serialize;

/// Field order here and in [`Diagnostic`] and [`Summary`] is the key order of the output.
#[derive(Serialize)]
struct Report<'a> {
    findings: &'a [Diagnostic],
    summary: &'a Summary,
}

pub(super) fn render(findings: &[Diagnostic], summary: &Summary) -> String {
    let mut out = serde_json::to_string_pretty(&Report { findings, summary })
        .expect("findings are plain strings and numbers, which always serialize");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use crate::diagnostic::{Code, Pos};
    use serde_json::Value;

    #[test]
    fn exact_shape() {
        let f = vec![
            Diagnostic::new(Code::Stale, "content/a.md", Pos::new(5, 11, 10), "old")
                .with_hint("review it")
                .with_source("reviewed: 2026-05-02"),
            Diagnostic::new(Code::IoError, "content/b.md", Pos::START, "unreadable"),
        ];
        let summary = Summary::of(2, &f);
        assert_eq!(
            render(&f, &summary),
            r#"{
  "findings": [
    {
      "code": "stale",
      "severity": "warning",
      "file": "content/a.md",
      "line": 5,
      "column": 11,
      "message": "old",
      "hint": "review it"
    },
    {
      "code": "io-error",
      "severity": "error",
      "file": "content/b.md",
      "line": 1,
      "column": 1,
      "message": "unreadable"
    }
  ],
  "summary": {
    "documents": 2,
    "errors": 1,
    "warnings": 1,
    "fatal": 1
  }
}
"#
        );
    }

    #[test]
    fn awkward_text_round_trips() {
        let findings = fixture::findings();
        let out = render(&findings, &fixture::summary(&findings));
        let v: Value = serde_json::from_str(&out).unwrap();
        let got = v["findings"].as_array().unwrap();
        assert_eq!(got.len(), findings.len());
        for (g, d) in got.iter().zip(&findings) {
            assert_eq!(g["message"], d.message.as_str());
            assert_eq!(g["file"], d.file.as_str());
            assert_eq!(g["code"], d.code.as_str());
            assert_eq!(g["severity"], d.severity.as_str());
            assert_eq!(g.get("hint").and_then(Value::as_str), d.hint.as_deref());
            assert!(g.get("source_line").is_none() && g.get("span_len").is_none());
        }
        assert_eq!(v["summary"]["documents"], 3);
        assert_eq!(v["summary"]["errors"], 3);
        assert_eq!(v["summary"]["warnings"], 1);
        assert_eq!(v["summary"]["fatal"], 1);
    }

    #[test]
    fn no_findings() {
        assert_eq!(
            render(&[], &Summary::of(0, &[])),
            "{\n  \"findings\": [],\n  \"summary\": {\n    \"documents\": 0,\n    \"errors\": 0,\n    \
             \"warnings\": 0,\n    \"fatal\": 0\n  }\n}\n"
        );
    }
}
