//! The Markdown `check` appends to a GitHub Actions job summary (`$GITHUB_STEP_SUMMARY`):
//! counts by code, then the failing documents with their owners and links.
//! <https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary>
//!
//! What a finding's file is (its title, owners, page) is the site's knowledge, not the
//! finding's: the caller passes it in as [`Documents`].

use super::{Context, Options, escape, plural, printable, repo_path, reported};
use crate::diagnostic::{Code, Diagnostic, Severity, Summary};
use std::collections::BTreeMap;
use std::fmt::Write;

/// GitHub refuses a step summary over 1 MiB; a site with thousands of failing documents gets
/// this many rows and a count of the rest.
const MAX_DOCUMENTS: usize = 100;

/// A document of the site, as the summary shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    /// Owners as readers know them: `Database Reliability (#db-oncall)`.
    pub owners: Vec<String>,
    /// The published page, when the site's `base_url` is a full URL.
    pub page: Option<String>,
}

/// The site's documents by file (as findings name them), and where the repository's files
/// are browsed at this commit (`https://github.com/acme/handbook/blob/<sha>/`), if known.
#[derive(Clone, Debug, Default)]
pub struct Documents {
    pub by_file: BTreeMap<String, Document>,
    pub source_url: Option<String>,
}

pub fn render(
    findings: &[Diagnostic],
    summary: &Summary,
    opts: &Options,
    docs: &Documents,
) -> String {
    let mut out = String::new();
    let status = if summary.errors > 0 {
        "failed"
    } else {
        "passed"
    };
    // Writing to a String cannot fail, here and below.
    let _ = writeln!(
        out,
        "## Fieldbook check {status}\n\n{}\n",
        super::summary_line(summary)
            .trim_start_matches("check: ")
            .replace('\n', "  \n")
    );
    let mut by_code: BTreeMap<Code, (Severity, usize)> = BTreeMap::new();
    for d in reported(findings) {
        let entry = by_code.entry(d.code).or_insert((d.severity, 0));
        entry.1 += 1;
    }
    if !by_code.is_empty() {
        out.push_str("| code | severity | findings |\n|---|---|---:|\n");
        for (code, (severity, n)) in &by_code {
            let _ = writeln!(out, "| `{code}` | {} | {n} |", severity.as_str());
        }
        out.push('\n');
    }

    let mut failing: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in reported(findings).filter(|d| d.severity == Severity::Error) {
        failing.entry(&d.file).or_default().push(d);
    }
    if failing.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "### Failing documents\n\n| document | owners | findings |\n|---|---|---|"
    );
    for (file, found) in failing.iter().take(MAX_DOCUMENTS) {
        let doc = docs.by_file.get(*file);
        let mut name = match doc {
            Some(doc) => link(&cell(&doc.title), doc.page.as_deref()),
            None => String::new(),
        };
        let source = docs
            .source_url
            .as_ref()
            .map(|base| format!("{base}{}#L{}", repo_path(found[0], opts), found[0].line));
        let path = format!("<code>{}</code>", cell(&repo_path(found[0], opts)));
        if !name.is_empty() {
            name.push_str("<br>");
        }
        name.push_str(&link(&path, source.as_deref()));
        let owners = doc.map_or(String::new(), |d| cell(&d.owners.join(", ")));
        let list: Vec<String> = found
            .iter()
            .map(|d| format!("`{}` line {}: {}", d.code, d.line, cell(&d.message)))
            .collect();
        let _ = writeln!(out, "| {name} | {owners} | {} |", list.join("<br>"));
    }
    if failing.len() > MAX_DOCUMENTS {
        let _ = writeln!(
            out,
            "\n{} not listed; see the job's log.",
            plural(failing.len() - MAX_DOCUMENTS, "more failing document")
        );
    }
    out
}

fn link(text: &str, url: Option<&str>) -> String {
    match url {
        Some(url) => format!("[{text}]({})", link_target(url)),
        None => text.to_string(),
    }
}

/// A URL as a Markdown link target: every byte of white space, control or invisible
/// characters, and of what would end the target or start markup (`(`, `)`, `<`, `>`, `` ` ``,
/// `\\`), percent-encoded, so that a file name cannot leave the link.
fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_whitespace()
            || super::is_hidden(c)
            || matches!(c, '(' | ')' | '<' | '>' | '`' | '\\' | '"' | '\'')
        {
            for b in c.encode_utf8(&mut [0; 4]).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Document text in a table cell: one line, no markup of its own (HTML, links, emphasis, a
/// `|` ending the cell); control and invisible characters shown escaped ([`printable`], whose
/// `\\` is then escaped for Markdown so that it shows).
fn cell(s: &str) -> String {
    let s = printable(s, &['\n', '\r', '\t']);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' | '<' | '>' => out.push_str(&escape(c.encode_utf8(&mut [0; 4]), Context::Text)),
            '\n' | '\r' | '\t' => out.push(' '),
            '|' | '\\' | '[' | ']' | '*' | '_' | '`' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    fn docs() -> Documents {
        let mut by_file = BTreeMap::new();
        by_file.insert(
            "content/runbooks/db/failover.md".to_string(),
            Document {
                title: "Failover | the *primary*".into(),
                owners: vec!["Database Reliability (#db-oncall)".into(), "alice".into()],
                page: Some("https://handbook.example.com/runbooks/db/failover/".into()),
            },
        );
        Documents {
            by_file,
            source_url: Some("https://github.com/acme/handbook/blob/abc123/".into()),
        }
    }

    #[test]
    fn counts_by_code_and_lists_failing_documents() {
        let findings = fixture::findings();
        let out = render(
            &findings,
            &fixture::summary(&findings),
            &Options::default(),
            &docs(),
        );
        assert!(out.starts_with(
            "## Fieldbook check failed\n\n3 documents, 3 errors (1 fatal), 1 warning\n\n"
        ));
        assert!(out.contains(
            "| code | severity | findings |\n|---|---|---:|\n| `unknown-owner` | error | 1 |\n\
             | `stale` | warning | 1 |\n| `broken-link` | error | 1 |\n| `invalid-config` | error | 1 |\n"
        ), "{out}");
        assert!(out.contains(
            "| [Failover \\| the \\*primary\\*](https://handbook.example.com/runbooks/db/failover/)\
             <br>[<code>content/runbooks/db/failover.md</code>](https://github.com/acme/handbook/\
             blob/abc123/content/runbooks/db/failover.md#L2) | Database Reliability (\\#db-oncall), \
             alice | `broken-link` line 2: link \"../restore.md\\#step-2\" &lt;script&gt;alert('x')\
             &lt;/script&gt; points to no file |\n"
        ), "{out}");
        // Without site knowledge, the path alone; warnings are counted, not listed.
        let plain = render(
            &findings,
            &fixture::summary(&findings),
            &Options::default(),
            &Documents::default(),
        );
        assert!(plain.contains("| <code>book.toml</code> |  | `invalid-config` line 1:"));
        assert!(!plain.contains("a,b:c.md"));
        let failing_rows = plain.lines().filter(|l| l.starts_with("| <code>")).count();
        assert_eq!(failing_rows, 3);
    }

    #[test]
    fn passing_runs_and_large_ones() {
        let out = render(&[], &Summary::of(7, &[]), &Options::default(), &docs());
        assert_eq!(
            out,
            "## Fieldbook check passed\n\n7 documents, no findings\n\n"
        );
        let many = fixture::many(MAX_DOCUMENTS + 5, 0);
        let opts = fixture::prefixed("docs");
        let out = render(
            &many,
            &Summary::of(200, &many),
            &opts,
            &Documents::default(),
        );
        assert!(out.contains("| <code>docs/content/e00.md</code> |"));
        assert!(out.ends_with("\n5 more failing documents not listed; see the job's log.\n"));
    }
}
