//! For CI test reports (Jenkins, GitLab, Azure DevOps, GitHub reporter actions): each check
//! code is a test suite and each finding a test case. Errors are failures; warnings are
//! passing cases with the finding as their output, so they show without failing the run.

use super::{Context, compact, escape, location, plural};
use crate::diagnostic::{Code, Diagnostic, Severity, Summary};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Test reports are read in browsers and terminals, where text keeps its line breaks and tabs.
const TEXT_KEEPS: &[char] = &['\n', '\t'];

pub(super) fn render(findings: &[Diagnostic], summary: &Summary) -> String {
    let failures = count_errors(findings);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // `time` is optional in the schema, but some reporters read a missing one as NaN. (Writing
    // to a String cannot fail, here and below.)
    let _ = writeln!(
        out,
        "<testsuites name=\"fieldbook check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" \
         time=\"0\">",
        findings.len().max(1)
    );
    if findings.is_empty() {
        // A report without a single test case shows as empty, or as a failed upload, rather
        // than as a green run.
        out.push_str(
            "  <testsuite name=\"fieldbook\" tests=\"1\" failures=\"0\" errors=\"0\" time=\"0\">\n",
        );
        let _ = writeln!(
            out,
            "    <testcase classname=\"fieldbook\" name=\"no findings in {}\" time=\"0\"/>",
            plural(summary.documents, "document")
        );
        out.push_str("  </testsuite>\n");
    }

    let mut by_code: BTreeMap<Code, Vec<&Diagnostic>> = BTreeMap::new();
    for d in findings {
        by_code.entry(d.code).or_default().push(d);
    }
    for (code, group) in by_code {
        // `skipped` only where the baseline hid something, so that other reports stay as
        // they were.
        let skipped = match count_skipped(group.iter().copied()) {
            0 => String::new(),
            n => format!(" skipped=\"{n}\""),
        };
        let _ = writeln!(
            out,
            "  <testsuite name=\"{code}\" tests=\"{}\" failures=\"{}\" errors=\"0\"{skipped} \
             time=\"0\">",
            group.len(),
            count_errors(group.iter().copied()),
        );
        for d in group {
            testcase(&mut out, d);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn count_errors<'a>(findings: impl IntoIterator<Item = &'a Diagnostic>) -> usize {
    findings
        .into_iter()
        .filter(|d| d.severity == Severity::Error && !d.baselined)
        .count()
}

fn count_skipped<'a>(findings: impl IntoIterator<Item = &'a Diagnostic>) -> usize {
    findings.into_iter().filter(|d| d.baselined).count()
}

fn testcase(out: &mut String, d: &Diagnostic) {
    let _ = writeln!(
        out,
        "    <testcase classname=\"fieldbook.{}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"0\">",
        d.code,
        escape(&location(d), Context::Attribute),
        escape(&d.file, Context::Attribute),
        d.line,
    );
    let text = escape(&compact(d, TEXT_KEEPS), Context::Text);
    if d.baselined {
        // Known and accepted for now: shown as skipped, which no reporter counts as failing.
        let _ = writeln!(
            out,
            "      <skipped message=\"in the baseline\"/>\n      <system-out>{text}</system-out>"
        );
        out.push_str("    </testcase>\n");
        return;
    }
    match d.severity {
        Severity::Error => {
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{text}</failure>",
                d.code,
                escape(&d.message, Context::Attribute),
            );
        }
        Severity::Warning => {
            let _ = writeln!(out, "      <system-out>{text}</system-out>");
        }
    }
    out.push_str("    </testcase>\n");
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use crate::diagnostic::Pos;
    use std::path::Path;
    use std::process::Command;

    const XSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemas/junit-10.xsd");

    #[test]
    fn snapshot() {
        let findings = fixture::findings();
        insta::assert_snapshot!(render(&findings, &fixture::summary(&findings)));
    }

    #[test]
    fn escape_covers_markup_and_illegal_characters() {
        let s = "a&b<c>d\"e'f\u{0}\u{8}\u{b}\u{1f}\u{fffe}g\th\ni\rj é 山 😀";
        assert_eq!(
            escape(s, Context::Text),
            "a&amp;b&lt;c&gt;d&quot;e&apos;f\\0\\u{8}\\u{b}\\u{1f}\\u{fffe}g\th\ni&#13;j é 山 😀"
        );
        assert_eq!(
            escape(s, Context::Attribute),
            "a&amp;b&lt;c&gt;d&quot;e&apos;f\\0\\u{8}\\u{b}\\u{1f}\\u{fffe}g&#9;h&#10;i&#13;j é 山 😀"
        );
    }

    #[test]
    fn parses_with_the_counts_and_text_intact() {
        let mut findings = fixture::findings();
        let owner = findings.iter_mut().find(|d| d.code == Code::UnknownOwner);
        owner.unwrap().message.push_str(" \u{0}nul\u{7}");
        let out = render(&findings, &fixture::summary(&findings));
        let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(root.attribute("name"), Some("fieldbook check"));
        assert_eq!(root.attribute("tests"), Some("4"));
        assert_eq!(root.attribute("failures"), Some("3"));
        assert_eq!(root.attribute("errors"), Some("0"));

        let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        let names: Vec<_> = suites.iter().filter_map(|s| s.attribute("name")).collect();
        assert_eq!(
            names,
            ["unknown-owner", "stale", "broken-link", "invalid-config"]
        );
        for suite in &suites {
            let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
            let failed = cases
                .iter()
                .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
                .count();
            assert_eq!(suite.attribute("tests"), Some(&*cases.len().to_string()));
            assert_eq!(suite.attribute("failures"), Some(&*failed.to_string()));
        }

        let case = |file: &str| {
            doc.descendants()
                .find(|n| n.has_tag_name("testcase") && n.attribute("file") == Some(file))
                .unwrap()
        };
        let link = case("content/runbooks/db/failover.md");
        let d = findings
            .iter()
            .find(|d| d.code == Code::BrokenLink)
            .unwrap();
        assert_eq!(link.attribute("classname"), Some("fieldbook.broken-link"));
        assert_eq!(
            link.attribute("name"),
            Some("content/runbooks/db/failover.md:2:18")
        );
        assert_eq!(link.attribute("line"), Some("2"));
        let failure = link.first_element_child().unwrap();
        assert_eq!(failure.tag_name().name(), "failure");
        assert_eq!(failure.attribute("type"), Some("broken-link"));
        assert_eq!(failure.attribute("message"), Some(d.message.as_str()));
        assert_eq!(failure.text(), Some(&*compact(d, TEXT_KEEPS)));
        assert!(
            failure
                .text()
                .unwrap()
                .starts_with("content/runbooks/db/failover.md:2:18: error[broken-link] link")
        );
        assert!(
            failure
                .text()
                .unwrap()
                .ends_with("help: files nearby: restore.md, rollback.md")
        );

        // A warning is visible but passes.
        let stale = case("content/runbooks/a,b:c.md");
        let out = stale.first_element_child().unwrap();
        assert_eq!(out.tag_name().name(), "system-out");
        let d = findings.iter().find(|d| d.code == Code::Stale).unwrap();
        assert_eq!(out.text(), Some(&*compact(d, TEXT_KEEPS)));

        // Characters XML cannot carry are shown escaped, the rest of the message kept.
        let owner = case("content/courses/café/index.md");
        let failure = owner.first_element_child().unwrap();
        assert_eq!(
            failure.attribute("message"),
            Some("owner «山田» is in neither people nor teams \\0nul\\u{7}")
        );
    }

    #[test]
    fn no_findings_is_one_passing_case() {
        let out = render(&[], &Summary::of(5, &[]));
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"fieldbook check\" tests=\"1\" failures=\"0\" errors=\"0\" time=\"0\">\n  \
             <testsuite name=\"fieldbook\" tests=\"1\" failures=\"0\" errors=\"0\" time=\"0\">\n    \
             <testcase classname=\"fieldbook\" name=\"no findings in 5 documents\" time=\"0\"/>\n  \
             </testsuite>\n\
             </testsuites>\n"
        );
    }

    /// The common JUnit schema (Jenkins xUnit's junit-10.xsd) has no `file` and `line` on a
    /// test case, yet GitLab and the GitHub reporter actions read them to link a case to its
    /// source, and Jenkins and Azure DevOps ignore them. So the output is checked against that
    /// schema extended by exactly those two attributes.
    fn schema_with_file_and_line(dir: &Path) -> std::path::PathBuf {
        let xsd = std::fs::read_to_string(XSD).unwrap();
        let anchor = r#"<xs:attribute name="classname" type="xs:string"/>"#;
        assert_eq!(xsd.matches(anchor).count(), 1, "junit-10.xsd changed");
        let extended = xsd.replace(
            anchor,
            &format!(
                "{anchor}<xs:attribute name=\"file\" type=\"xs:string\"/>\
                 <xs:attribute name=\"line\" type=\"xs:string\"/>"
            ),
        );
        let path = dir.join("junit-10-file-line.xsd");
        std::fs::write(&path, extended).unwrap();
        path
    }

    #[test]
    fn valid_against_junit_10_xsd() {
        let dir = tempfile::tempdir().unwrap();
        let schema = schema_with_file_and_line(dir.path());
        let many = fixture::many(3, 2);
        let mut awkward = fixture::findings();
        awkward.push(
            Diagnostic::new(
                Code::UnknownKey,
                "content/x.md",
                Pos::START,
                "bad \u{1}\u{fffe}",
            )
            .with_hint("\"quoted\" & <b>"),
        );
        let mut baselined = awkward[0].clone();
        baselined.baselined = true;
        awkward.push(baselined);
        let cases: [&[Diagnostic]; 3] = [&awkward, &many, &[]];
        for (i, findings) in cases.into_iter().enumerate() {
            let report = dir.path().join(format!("report{i}.xml"));
            std::fs::write(&report, render(findings, &Summary::of(9, findings))).unwrap();
            let run = Command::new("xmllint")
                .arg("--noout")
                .arg("--schema")
                .arg(&schema)
                .arg(&report)
                .output();
            let run = match run {
                Ok(run) => run,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    eprintln!("skipped: xmllint not found (Debian package libxml2-utils)");
                    return;
                }
                Err(e) => panic!("xmllint: {e}"),
            };
            assert!(
                run.status.success(),
                "xmllint rejected report {i}:\n{}",
                String::from_utf8_lossy(&run.stderr)
            );
        }
    }
}
