//! For GitHub Actions: workflow commands that become annotations on the pull request's diff.
//! <https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands>

use super::{
    Options, compact, inert_line, message_and_hint, plural, printable, repo_path, reported,
    summary_line,
};
use crate::diagnostic::{Diagnostic, Severity, Summary};
use std::fmt::Write;

/// GitHub shows at most this many annotations of each kind (error, warning) from one step and
/// drops the rest without a word, so those are printed as plain log lines instead.
const ANNOTATIONS_PER_KIND: usize = 10;

pub(super) fn render(findings: &[Diagnostic], summary: &Summary, opts: &Options) -> String {
    let mut out = String::new();
    let (mut errors, mut warnings) = (0, 0);
    let mut rest = Vec::new();
    for d in reported(findings) {
        let annotated = match d.severity {
            Severity::Error => &mut errors,
            Severity::Warning => &mut warnings,
        };
        if *annotated < ANNOTATIONS_PER_KIND {
            *annotated += 1;
            annotation(&mut out, d, opts);
        } else {
            rest.push(d);
        }
    }
    for d in &rest {
        // A newline in document text could start a line of its own, and a line starting
        // with `::` is a command to the runner; so each finding stays on its own lines.
        for line in compact(d, &['\t']).lines() {
            out.push_str(&inert_line(line));
            out.push('\n');
        }
    }
    if !rest.is_empty() {
        let _ = writeln!(
            out,
            "::notice title=fieldbook::{}",
            data(&format!(
                "{} not annotated (GitHub shows at most {ANNOTATIONS_PER_KIND} errors and \
                 {ANNOTATIONS_PER_KIND} warnings per step); see the log",
                plural(rest.len(), "finding"),
            ))
        );
    }
    out.push_str(&summary_line(summary));
    out.push('\n');
    out
}

fn annotation(out: &mut String, d: &Diagnostic, opts: &Options) {
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "::{} file={},line={},col={},title={}::{}",
        d.severity.as_str(),
        property(&repo_path(d, opts)),
        d.line,
        d.column,
        property(&format!("fieldbook {}", d.code)),
        data(&message_and_hint(d)),
    );
}

/// The message part of a command, escaped as the runner unescapes it (actions/toolkit's
/// `escapeData`): `%` first, so that the escapes added after it stay as they are. Other
/// control and invisible characters are shown escaped first ([`printable`]), keeping the
/// line breaks GitHub shows in an annotation; so no text of a finding ends the command's line.
fn data(s: &str) -> String {
    printable(s, &['\n', '\r', '\t'])
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value` property, which `:` and `,` would also end (actions/toolkit's
/// `escapeProperty`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn snapshot() {
        let findings = fixture::findings();
        insta::assert_snapshot!(render(
            &findings,
            &fixture::summary(&findings),
            &Options::default()
        ));
    }

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(data("100%\r\n: a,b"), "100%25%0D%0A: a,b");
        assert_eq!(property("100%\r\n: a,b"), "100%25%0D%0A%3A a%2Cb");
        let findings = fixture::findings();
        let out = render(&findings, &fixture::summary(&findings), &Options::default());
        assert!(out.contains(
            "::warning file=content/runbooks/a%2Cb%3Ac.md,line=5,col=11,title=fieldbook stale::\
             runbook was last reviewed 2026-05-02;%0Aits review was due 2026-07-31%0A\
             help: run `fieldbook review` to stamp it: 100%25 done, then commit\n"
        ));
        // Every line is a command or the summary: nothing of a message starts a line.
        for line in out.lines() {
            assert!(
                line.starts_with("::") || line.starts_with("check: "),
                "{line}"
            );
        }
    }

    #[test]
    fn annotates_ten_of_each_kind_and_logs_the_rest() {
        let findings = fixture::many(12, 13);
        let out = render(&findings, &Summary::of(25, &findings), &Options::default());
        let lines: Vec<&str> = out.lines().collect();
        let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
        assert_eq!(count("::error "), 10);
        assert_eq!(count("::warning "), 10);
        assert_eq!(count("content/"), 5);
        assert!(lines.contains(&"content/e10.md:1:1: error[broken-link] broken"));
        assert!(lines.contains(&"content/w12.md:1:1: warning[stale] stale"));
        assert_eq!(
            lines[lines.len() - 2],
            "::notice title=fieldbook::5 findings not annotated (GitHub shows at most 10 \
             errors and 10 warnings per step); see the log"
        );
        assert_eq!(
            lines[lines.len() - 1],
            "check: 25 documents, 12 errors, 13 warnings"
        );
        assert_eq!(lines.len(), 27);
    }

    #[test]
    fn logged_findings_cannot_start_a_command() {
        let mut findings = fixture::many(11, 0);
        findings[10].message = "x\n::error::forged\r\u{1b}[2K".to_string();
        findings[10].hint = Some("y\n::warning::forged".to_string());
        let out = render(&findings, &Summary::of(11, &findings), &Options::default());
        assert!(out.contains(
            "content/e10.md:1:1: error[broken-link] x\\n::error::forged\\r\\u{1b}[2K\n\
             help: y\\n::warning::forged\n"
        ));
        assert_eq!(out.lines().filter(|l| l.starts_with("::error")).count(), 10);
    }

    #[test]
    fn path_prefix_goes_before_annotated_files() {
        let findings = fixture::many(1, 0);
        let opts = fixture::prefixed("docs/handbook");
        let out = render(&findings, &Summary::of(1, &findings), &opts);
        assert!(
            out.starts_with("::error file=docs/handbook/content/e00.md,line=1,col=1,"),
            "{out}"
        );
    }

    #[test]
    fn no_findings_is_just_the_summary() {
        assert_eq!(
            render(&[], &Summary::of(4, &[]), &Options::default()),
            "check: 4 documents, no findings\n"
        );
    }
}
