//! For Jenkins' warnings-ng and the many viewers that read Checkstyle's XML report:
//! `<checkstyle version><file name><error line column severity message source/></file>`.
//! <https://checkstyle.org/> (the report written by `XMLLogger`)
//!
//! Baselined findings are left out (they are accepted, not for review).

use super::{Context, Options, escape, message_and_hint, repo_path, reported};
use crate::diagnostic::{Diagnostic, Severity};
use std::fmt::Write;

/// The report format version Checkstyle's own XML logger writes, which readers accept.
const VERSION: &str = "4.3";

pub(super) fn render(findings: &[Diagnostic], opts: &Options) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<checkstyle version=\"{VERSION}\">");
    let mut open: Option<String> = None;
    // Findings come sorted by file, so each file's findings are together.
    for d in reported(findings) {
        let path = repo_path(d, opts);
        if open.as_deref() != Some(&*path) {
            if open.is_some() {
                out.push_str("  </file>\n");
            }
            let _ = writeln!(
                out,
                "  <file name=\"{}\">",
                escape(&path, Context::Attribute)
            );
            open = Some(path.into_owned());
        }
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" \
             source=\"fieldbook.{}\"/>",
            d.line,
            d.column,
            match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            escape(&message_and_hint(d), Context::Attribute),
            d.code,
        );
    }
    if open.is_some() {
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use crate::diagnostic::Code;

    /// The structure Checkstyle's readers expect, checked on the parsed document: the root and
    /// its version, only `file` children with a name, only `error` children in those with the
    /// five attributes, severities from Checkstyle's set, numbers where numbers go.
    fn assert_checkstyle<'a>(
        doc: &'a roxmltree::Document<'a>,
    ) -> Vec<(String, Vec<roxmltree::Node<'a, 'a>>)> {
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "checkstyle");
        assert_eq!(root.attribute("version"), Some(VERSION));
        let mut files = Vec::new();
        for file in root.children().filter(|n| n.is_element()) {
            assert_eq!(file.tag_name().name(), "file");
            let name = file.attribute("name").expect("a file has a name");
            let errors: Vec<_> = file.children().filter(|n| n.is_element()).collect();
            assert!(!errors.is_empty(), "{name} has no errors");
            for e in &errors {
                assert_eq!(e.tag_name().name(), "error");
                for number in ["line", "column"] {
                    let n: u32 = e.attribute(number).unwrap().parse().unwrap();
                    assert!(n >= 1);
                }
                let severity = e.attribute("severity").unwrap();
                assert!(["ignore", "info", "warning", "error"].contains(&severity));
                assert!(!e.attribute("message").unwrap().is_empty());
                assert!(e.attribute("source").unwrap().starts_with("fieldbook."));
            }
            files.push((name.to_string(), errors));
        }
        files
    }

    #[test]
    fn parses_as_checkstyle_with_the_text_intact() {
        let mut findings = fixture::findings();
        let owner = findings.iter_mut().find(|d| d.code == Code::UnknownOwner);
        owner.unwrap().message.push_str(" \u{0}nul\u{7}");
        let out = render(&findings, &Options::default());
        let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
        let files = assert_checkstyle(&doc);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "book.toml",
                "content/courses/café/index.md",
                "content/runbooks/a,b:c.md",
                "content/runbooks/db/failover.md",
            ]
        );
        let (_, errors) = &files[3];
        let link = errors[0];
        let d = findings
            .iter()
            .find(|d| d.code == Code::BrokenLink)
            .unwrap();
        assert_eq!(link.attribute("line"), Some("2"));
        assert_eq!(link.attribute("column"), Some("18"));
        assert_eq!(link.attribute("severity"), Some("error"));
        assert_eq!(link.attribute("source"), Some("fieldbook.broken-link"));
        assert_eq!(link.attribute("message"), Some(&*message_and_hint(d)));
        let stale = files[2].1[0];
        assert_eq!(stale.attribute("severity"), Some("warning"));
        assert!(
            stale
                .attribute("message")
                .unwrap()
                .contains(";\nits review")
        );
        assert_eq!(
            files[1].1[0].attribute("message"),
            Some("owner «山田» is in neither people nor teams \\0nul\\u{7}")
        );
    }

    #[test]
    fn groups_files_prefixes_paths_and_leaves_out_the_baselined() {
        let mut findings = fixture::many(2, 1);
        findings.push(findings[0].clone());
        crate::diagnostic::Policy::default().apply(&mut findings);
        findings[2].baselined = true;
        let opts = fixture::prefixed("docs");
        let out = render(&findings, &opts);
        let doc = roxmltree::Document::parse(&out).unwrap();
        let files = assert_checkstyle(&doc);
        let counts: Vec<(&str, usize)> = files.iter().map(|(n, e)| (n.as_str(), e.len())).collect();
        assert_eq!(
            counts,
            [("docs/content/e00.md", 2), ("docs/content/w00.md", 1)]
        );
        assert_eq!(
            render(&[], &opts),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n</checkstyle>\n"
        );
    }
}
