//! Renderers for findings: one per `check --format`, each in its own file. What they share
//! (wording of the summary, the one-line form of a finding, escaping of control characters)
//! lives here so that every format says the same thing the same way.

mod checkstyle;
mod codequality;
mod github;
mod human;
mod json;
mod junit;
mod rdjsonl;
mod sarif;
pub mod step_summary;

use super::{Diagnostic, Summary};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

/// Output format of `fieldbook check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source excerpts with underlines, like rustc
    Human,
    /// One JSON object: {"findings": [...], "summary": {...}}
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request)
    Github,
    /// JUnit XML for CI test reports (Jenkins, GitLab, Azure DevOps)
    Junit,
    /// SARIF 2.1.0 for code scanning
    Sarif,
    /// GitLab Code Quality JSON (findings in the merge request widget and diff)
    Codequality,
    /// reviewdog's rdjsonl, one JSON diagnostic per line (findings as review comments)
    Rdjsonl,
    /// Checkstyle XML (Jenkins warnings-ng and other viewers)
    Checkstyle,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// ANSI colours; only the human format has any.
    pub color: bool,
    /// Where the site directory is in the repository (`docs/handbook`, `/`-separated, no
    /// trailing `/`), put before file paths in the formats that CI tools resolve against the
    /// repository root: GitHub, SARIF, Code Quality, rdjsonl and Checkstyle.
    pub path_prefix: Option<String>,
}

/// Whole output of a `fieldbook check` run, ending with a newline.
pub fn render(
    format: Format,
    findings: &[Diagnostic],
    summary: &Summary,
    opts: &Options,
) -> String {
    let mut out = match format {
        Format::Human => human::render(findings, summary, opts),
        Format::Json => json::render(findings, summary),
        Format::Github => github::render(findings, summary, opts),
        Format::Junit => junit::render(findings, summary),
        Format::Sarif => sarif::render(findings, summary, opts),
        Format::Codequality => codequality::render(findings, opts),
        Format::Rdjsonl => rdjsonl::render(findings, opts),
        Format::Checkstyle => checkstyle::render(findings, opts),
    };
    // Callers print this as it is; a missing final newline would glue the shell prompt to it.
    // (rdjsonl without findings is no line at all: an empty line is not JSON.)
    let no_lines = out.is_empty() && format == Format::Rdjsonl;
    if !out.ends_with('\n') && !no_lines {
        out.push('\n');
    }
    out
}

/// `1 error`, `2 errors`: every noun the renderers count takes a plain `s`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The closing line of the human and GitHub formats: `check: 42 documents, 2 errors, 5 warnings`.
fn summary_line(summary: &Summary) -> String {
    let mut parts = vec![plural(summary.documents, "document")];
    if summary.errors > 0 {
        let mut errors = plural(summary.errors, "error");
        if summary.fatal > 0 {
            errors.push_str(&format!(" ({} fatal)", summary.fatal));
        }
        parts.push(errors);
    }
    if summary.warnings > 0 {
        parts.push(plural(summary.warnings, "warning"));
    }
    if let Some(b) = &summary.baseline
        && b.baselined > 0
    {
        parts.push(format!("{} baselined", b.baselined));
    }
    if parts.len() == 1 {
        parts.push("no findings".to_string());
    }
    let mut line = format!("check: {}", parts.join(", "));
    if let Some(b) = &summary.baseline {
        line.push_str(&format!("\nbaseline: {}", b.sentence()));
    }
    line
}

/// Findings that fail or warn: those not recorded in the baseline (which only count).
fn reported(findings: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    findings.iter().filter(|d| !d.baselined)
}

/// A finding's file as the repository names it: behind [`Options::path_prefix`] when given.
fn repo_path<'a>(d: &'a Diagnostic, opts: &Options) -> Cow<'a, str> {
    match opts.path_prefix.as_deref() {
        Some(prefix) if !prefix.is_empty() => Cow::Owned(format!("{prefix}/{}", d.file)),
        _ => Cow::Borrowed(d.file.as_str()),
    }
}

/// `--path-prefix` as given (`./docs/handbook/`, `docs\handbook`) in the form
/// [`Options::path_prefix`] holds: `/`-separated, without `./`, leading or trailing `/`;
/// `None` for the site at the repository root.
pub fn normalize_prefix(given: &str) -> Option<String> {
    let parts: Vec<&str> = given
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// One fingerprint per reported finding, in their order, for formats whose consumers match
/// findings between runs by it (GitLab Code Quality): the baseline's line-independent
/// identity ([`crate::diagnostic::fingerprint`]) with the code and file, and the finding's
/// rank among those sharing it, so that a finding keeps its fingerprint when lines move and
/// no two findings share one (GitLab shows only the first of findings with equal ones).
fn fingerprints<'a>(
    findings: impl IntoIterator<Item = &'a Diagnostic>,
    opts: &Options,
) -> Vec<String> {
    let mut seen: HashMap<[String; 3], u32> = HashMap::new();
    findings
        .into_iter()
        .map(|d| {
            let identity = [
                d.code.as_str().to_string(),
                repo_path(d, opts).into_owned(),
                crate::diagnostic::fingerprint(d),
            ];
            let rank = seen.entry(identity.clone()).or_default();
            *rank += 1;
            let parts = [&*identity[0], &identity[1], &identity[2], &rank.to_string()];
            format!(
                "{:016x}{:016x}",
                fnv1a(&parts, FNV_OFFSET),
                fnv1a(&parts, FNV_OFFSET_2)
            )
        })
        .collect()
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// A second offset basis, so that two 64-bit hashes give 32 hex digits (as long as an MD5).
const FNV_OFFSET_2: u64 = 0x6c62_272e_07bb_0142;

/// FNV-1a over the parts, each ended by a NUL byte (so that `a`,`bc` and `ab`,`c` differ):
/// the same on every machine and Rust version, unlike `std`'s hashers.
fn fnv1a(parts: &[&str], offset: u64) -> u64 {
    let mut h = offset;
    for part in parts {
        for &b in part.as_bytes().iter().chain(&[0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// `content/runbooks/x.md:5:11`, the form editors and terminals turn into links.
fn location(d: &Diagnostic) -> String {
    format!("{}:{}:{}", d.file, d.line, d.column)
}

/// `warning[stale]`, rustc's way of naming a finding's severity and code together.
fn label(d: &Diagnostic) -> String {
    format!("{}[{}]", d.severity.as_str(), d.code)
}

/// The message, and the hint on a line of its own, for formats that have one text field.
fn message_and_hint(d: &Diagnostic) -> String {
    match &d.hint {
        Some(hint) => format!("{}\nhelp: {hint}", d.message),
        None => d.message.clone(),
    }
}

/// A finding as plain log text, `file:line:col: warning[code] message` and then `help: hint` on
/// the next line. Control characters in document text are escaped except those in `keep`
/// (see [`printable`]); a format that keeps `\n` out of `keep` gets one line per piece.
fn compact(d: &Diagnostic, keep: &[char]) -> String {
    let mut text = format!(
        "{}: {} {}",
        printable(&location(d), keep),
        label(d),
        printable(&d.message, keep)
    );
    if let Some(hint) = &d.hint {
        text.push_str(&format!("\nhelp: {}", printable(hint, keep)));
    }
    text
}

/// Characters a terminal, a CI log or a viewer acts on rather than shows: C0 and C1 controls
/// (ESC starting CSI and OSC 8 hyperlink sequences, BEL, backspace, `\r`, DEL, U+009B CSI...),
/// and the invisible format characters that reorder or hide text (bidi embeddings, overrides
/// and isolates U+202A–U+202E and U+2066–U+2069, marks, line and paragraph separators, zero
/// width space, BOM). Every human-facing sink escapes exactly these, through [`printable`].
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Messages quote document text, which can hold escape sequences or carriage returns that a
/// terminal or CI log would act on (recolouring or overwriting what is shown, or forging a
/// line). Such characters ([`is_hidden`]) are shown the way Rust writes them (`\u{1b}`),
/// except those in `keep`. This is the one escaping function of the terminal (human) format,
/// and the first step of the GitHub and job-summary ones.
pub(crate) fn printable<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    let hidden = |c: char| is_hidden(c) && !keep.contains(&c);
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A line of log text (one line, its control characters already shown escaped) that a CI
/// runner reading the log cannot take for a command. GitHub's runner reads a line as a
/// workflow command when it starts with `::` after leading white space (and, in the older
/// form, when it holds `##[` anywhere), so the leading white space and first `:` of such a
/// line, and the `#` of `##[`, are shown escaped (`\u{20}`, `\u{3a}`, `\u{23}`). Used for
/// every line the human format prints (it runs in CI logs too) and GitHub's log lines.
pub(crate) fn inert_line(line: &str) -> Cow<'_, str> {
    let body = line.trim_start();
    let command = body.starts_with("::");
    if !command && !line.contains("##[") {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 16);
    if command {
        for c in line[..line.len() - body.len()].chars() {
            out.extend(c.escape_unicode());
        }
        out.push_str("\\u{3a}");
        out.push_str(&body[1..]);
    } else {
        out.push_str(line);
    }
    Cow::Owned(out.replace("##[", "#\\u{23}["))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    Attribute,
    Text,
}

/// XML 1.0 text (JUnit and Checkstyle), the one escaping function of both: markup characters
/// as entities, and the characters XML 1.0 forbids even as references (most C0 controls,
/// U+FFFE, U+FFFF; one of them makes the whole report unreadable to every parser) replaced,
/// like the other controls and invisible characters ([`is_hidden`]), by their escaped form
/// (`\u{1b}`), so that a report viewer shows them rather than acts on them.
pub(super) fn escape(s: &str, context: Context) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Parsers turn a raw CR into LF, and raw whitespace in an attribute into spaces.
            '\r' => out.push_str("&#13;"),
            '\n' if context == Context::Attribute => out.push_str("&#10;"),
            '\t' if context == Context::Attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if is_hidden(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                out.extend(c.escape_debug())
            }
            c => out.push(c),
        }
    }
    out
}

/// Findings with the awkward text every renderer must survive, shared by their tests.
/// Print diagnostics that stop a command (human form, as errors) and return exit status 2.
pub fn fail(mut diags: Vec<Diagnostic>, err: &mut dyn Write, color: bool) -> std::io::Result<u8> {
    for d in &mut diags {
        d.severity = crate::diagnostic::Severity::Error;
    }
    print_findings(&diags, err, color)?;
    writeln!(err, "error: stopped by {}", plural(diags.len(), "error"))?;
    Ok(2)
}

/// Findings in human form without the closing `check:` summary, for commands that print a
/// summary of their own.
pub fn print_findings(
    findings: &[Diagnostic],
    err: &mut dyn Write,
    color: bool,
) -> std::io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let text = render(
        Format::Human,
        findings,
        &Summary::of(0, findings),
        &Options {
            color,
            ..Options::default()
        },
    );
    let body = text.trim_end().rsplit_once('\n').map_or("", |(b, _)| b);
    writeln!(err, "{}", body.trim_end())
}

#[cfg(test)]
mod fixture {
    use super::Options;
    use crate::diagnostic::{Code, Diagnostic, Policy, Pos, Summary};

    /// Options with `--path-prefix prefix`.
    pub fn prefixed(prefix: &str) -> Options {
        Options {
            path_prefix: Some(prefix.to_string()),
            ..Options::default()
        }
    }

    /// Fails, listing what is wrong, unless `value` is valid against the JSON Schema
    /// `schema` (text) for `what`.
    pub fn assert_schema_valid(schema: &str, value: &serde_json::Value, what: &str) {
        let schema: serde_json::Value = serde_json::from_str(schema).unwrap();
        let errors: Vec<String> = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles")
            .iter_errors(value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "not {what}:\n{}", errors.join("\n"));
    }

    pub fn findings() -> Vec<Diagnostic> {
        let mut findings = vec![
            Diagnostic::new(
                Code::Stale,
                "content/runbooks/a,b:c.md",
                Pos::new(5, 11, 10),
                "runbook was last reviewed 2026-05-02;\nits review was due 2026-07-31",
            )
            .with_hint("run `fieldbook review` to stamp it: 100% done, then commit")
            .with_source(
                "---\ntitle: A\nowners: [alice]\nkind: runbook\nreviewed: 2026-05-02\n---\n",
            ),
            Diagnostic::new(
                Code::BrokenLink,
                "content/runbooks/db/failover.md",
                Pos::new(2, 18, 20),
                "link \"../restore.md#step-2\" <script>alert('x')</script> points to no file",
            )
            .with_hint("files nearby: restore.md, rollback.md")
            .with_source("# Failover\n\t- see [restore](../restore.md#step-2) now\n"),
            Diagnostic::new(
                Code::UnknownOwner,
                "content/courses/café/index.md",
                Pos::new(3, 10, 2),
                "owner «山田» is in neither people nor teams",
            )
            .with_source("---\ntitle: Café\nowners: [山田, bob]\n---\n"),
            Diagnostic::new(
                Code::InvalidConfig,
                "book.toml",
                Pos::START,
                "[build] today is not a date: \"tomorrow\"",
            ),
        ];
        Policy::default().apply(&mut findings);
        findings
    }

    pub fn summary(findings: &[Diagnostic]) -> Summary {
        Summary::of(3, findings)
    }

    /// `errors` error findings then `warnings` warning findings, in distinct files.
    pub fn many(errors: usize, warnings: usize) -> Vec<Diagnostic> {
        let error = (0..errors).map(|i| {
            Diagnostic::new(
                Code::BrokenLink,
                format!("content/e{i:02}.md"),
                Pos::new(1, 1, 1),
                "broken",
            )
        });
        let warning = (0..warnings).map(|i| {
            Diagnostic::new(
                Code::Stale,
                format!("content/w{i:02}.md"),
                Pos::new(1, 1, 1),
                "stale",
            )
        });
        let mut findings: Vec<_> = error.chain(warning).collect();
        Policy::default().apply(&mut findings);
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Summary;

    fn summary(documents: usize, errors: usize, warnings: usize, fatal: usize) -> Summary {
        Summary {
            documents,
            errors,
            warnings,
            fatal,
            baseline: None,
        }
    }

    #[test]
    fn summary_line_counts_in_words() {
        assert_eq!(
            summary_line(&summary(42, 2, 5, 0)),
            "check: 42 documents, 2 errors, 5 warnings"
        );
        assert_eq!(
            summary_line(&summary(1, 1, 1, 0)),
            "check: 1 document, 1 error, 1 warning"
        );
        assert_eq!(
            summary_line(&summary(42, 0, 0, 0)),
            "check: 42 documents, no findings"
        );
        assert_eq!(
            summary_line(&summary(0, 0, 3, 0)),
            "check: 0 documents, 3 warnings"
        );
        assert_eq!(
            summary_line(&summary(0, 1, 0, 1)),
            "check: 0 documents, 1 error (1 fatal)"
        );
        let mut s = summary(3, 0, 0, 0);
        s.baseline = Some(crate::diagnostic::Progress {
            recorded: 5,
            baselined: 4,
            fixed: 1,
        });
        assert_eq!(
            summary_line(&s),
            "check: 3 documents, 4 baselined\nbaseline: 1 of 5 baselined findings fixed — run \
             `fieldbook check --update-baseline` to shrink it"
        );
    }

    #[test]
    fn printable_escapes_control_characters_except_kept_ones() {
        assert!(matches!(printable("plain «text»", &[]), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[31mb\rc", &[]), "a\\u{1b}[31mb\\rc");
        assert_eq!(printable("a\nb\tc", &['\n']), "a\nb\\tc");
    }

    #[test]
    fn compact_form_puts_the_hint_on_its_own_line() {
        let f = fixture::findings();
        let stale = f.iter().find(|d| d.code == crate::diagnostic::Code::Stale);
        assert_eq!(
            compact(stale.unwrap(), &['\n']),
            "content/runbooks/a,b:c.md:5:11: warning[stale] runbook was last reviewed \
             2026-05-02;\nits review was due 2026-07-31\n\
             help: run `fieldbook review` to stamp it: 100% done, then commit"
        );
    }

    #[test]
    fn every_format_ends_with_exactly_one_newline() {
        let findings = fixture::findings();
        let formats = [
            Format::Human,
            Format::Json,
            Format::Github,
            Format::Junit,
            Format::Sarif,
            Format::Codequality,
            Format::Rdjsonl,
            Format::Checkstyle,
        ];
        for (findings, documents) in [(&findings[..], 3), (&[][..], 0)] {
            let summary = Summary::of(documents, findings);
            for format in formats {
                for color in [false, true] {
                    let opts = Options {
                        color,
                        ..Options::default()
                    };
                    let out = render(format, findings, &summary, &opts);
                    // rdjsonl without findings is empty: no line at all.
                    if format == Format::Rdjsonl && findings.is_empty() {
                        assert_eq!(out, "", "{format:?}");
                        continue;
                    }
                    assert!(out.ends_with('\n') && !out.ends_with("\n\n"), "{format:?}");
                    if format != Format::Human || !color {
                        assert!(!out.contains('\u{1b}'), "{format:?} has escape codes");
                    }
                }
            }
        }
    }
}

/// Every sink survives hostile text in every field: file names, messages and hints holding
/// newlines, `::` commands, terminal escape sequences, other controls and bidi overrides.
#[cfg(test)]
mod hostile {
    use super::*;
    use crate::diagnostic::{Code, Pos};

    /// The text a file name, a message or a hint can hold, one class of trouble each.
    pub(crate) const HOSTILE: &[&str] = &[
        "a\n::error file=x.md,line=1::forged",
        "b\r\n::warning::forged\r",
        "c\u{1b}[2J\u{1b}[31mred\u{1b}]8;;https://evil.example/\u{7}link\u{1b}]8;;\u{1b}\\",
        "d\u{8}\u{8}\u{7f}\u{0}\u{9b}31m\u{85}\u{c}\u{b}",
        "e\u{202e}txt.exe\u{2066}\u{2069}\u{200f}\u{2028}\u{feff}",
        "::error::forged at the start",
        "  ::warning::after spaces ##[error]legacy",
        "%0A::error::pre-escaped %25 :, <script>&amp;]]><!-- ' \"",
    ];

    fn hostile_findings() -> Vec<Diagnostic> {
        let mut findings = Vec::new();
        // Twice over, and as errors and warnings, so GitHub logs some instead of annotating.
        for round in 0..3 {
            for (i, text) in HOSTILE.iter().enumerate() {
                let code = if round == 1 {
                    Code::Stale
                } else {
                    Code::BrokenLink
                };
                findings.push(
                    Diagnostic::new(
                        code,
                        format!("content/{round}{i}{text}.md"),
                        Pos::new(1, 2, 3),
                        format!("message {text}"),
                    )
                    .with_hint(format!("hint {text}"))
                    .with_source(&format!("x{text}y\n")),
                );
            }
        }
        crate::diagnostic::Policy::default().apply(&mut findings);
        findings
    }

    fn assert_no_hidden(format: &str, out: &str) {
        for c in out.chars() {
            assert!(
                c == '\n' || c == '\t' || !is_hidden(c),
                "{format} shows {c:?} raw:\n{out}"
            );
        }
    }

    #[test]
    fn inert_lines_start_no_command() {
        assert_eq!(inert_line("plain: text"), "plain: text");
        assert_eq!(inert_line("::error::x"), "\\u{3a}:error::x");
        assert_eq!(inert_line("  ::error::x"), "\\u{20}\\u{20}\\u{3a}:error::x");
        assert_eq!(inert_line("a ##[error]b"), "a #\\u{23}[error]b");
    }

    #[test]
    fn github_has_one_line_per_finding_and_no_forged_command() {
        let findings = hostile_findings();
        let out = render(
            Format::Github,
            &findings,
            &Summary::of(1, &findings),
            &Options::default(),
        );
        assert_no_hidden("github", &out);
        let commands: Vec<&str> = out
            .lines()
            .filter(|l| l.trim_start().starts_with("::") || l.contains("##["))
            .collect();
        // 10 error and 8 warning annotations, and the notice about the rest: nothing else.
        assert_eq!(commands.len(), 10 + 8 + 1, "{out}");
        for line in &commands {
            assert!(
                line.starts_with("::error file=")
                    || line.starts_with("::warning file=")
                    || line.starts_with("::notice title=fieldbook::"),
                "{line}"
            );
        }
        // The 6 findings not annotated: their location line and their help line.
        let logged = out.lines().count() - commands.len() - 1;
        assert_eq!(logged, 2 * 6, "{out}");
        // Properties hold no `:` or `,` of their own; data no raw line break.
        for line in commands.iter().filter(|l| l.contains(" file=")) {
            let props = &line[line.find(' ').unwrap() + 1..];
            let (props, _) = props.split_once("::").unwrap();
            for prop in props.split(',') {
                let (_, value) = prop.split_once('=').unwrap();
                assert!(!value.contains(':') && !value.contains(','), "{line}");
            }
        }
    }

    #[test]
    fn terminal_and_markdown_show_controls_escaped() {
        let findings = hostile_findings();
        let summary = Summary::of(1, &findings);
        for color in [false, true] {
            let out = render(
                Format::Human,
                &findings,
                &summary,
                &Options {
                    color,
                    ..Options::default()
                },
            );
            let plain = if color {
                // Only our own SGR sequences: each ESC starts `[` digits `m`.
                let mut rest = out.as_str();
                while let Some(at) = rest.find('\u{1b}') {
                    let after = &rest[at + 1..];
                    let end = after.find('m').expect("an SGR sequence");
                    assert!(
                        after.starts_with('[')
                            && after[1..end]
                                .chars()
                                .all(|c| c.is_ascii_digit() || c == ';'),
                        "{after}"
                    );
                    rest = &after[end..];
                }
                continue;
            } else {
                out
            };
            assert_no_hidden("human", &plain);
            // Run in a CI log, no line is a runner's command.
            for line in plain.lines() {
                assert!(!line.trim_start().starts_with("::"), "{line}");
                assert!(!line.contains("##["), "{line}");
            }
            assert!(plain.contains("c\\u{1b}[2J"), "{plain}");
            assert!(plain.contains("e\\u{202e}txt.exe"), "{plain}");
        }
        let md = step_summary::render(
            &findings,
            &summary,
            &Options::default(),
            &step_summary::Documents {
                source_url: Some("https://github.com/a/b/blob/c/".into()),
                ..Default::default()
            },
        );
        assert_no_hidden("step summary", &md);
        // One table row per failing document, whatever its name holds.
        let rows = md.lines().filter(|l| l.starts_with("| [<code>")).count();
        assert_eq!(rows, 2 * HOSTILE.len(), "{md}");
    }

    #[test]
    fn machine_formats_parse_whatever_the_text() {
        let findings = hostile_findings();
        let summary = Summary::of(1, &findings);
        for format in [Format::Junit, Format::Checkstyle] {
            let out = render(format, &findings, &summary, &Options::default());
            roxmltree::Document::parse(&out)
                .unwrap_or_else(|e| panic!("{format:?} is not XML: {e}\n{out}"));
            assert_no_hidden(&format!("{format:?}"), &out);
        }
        for format in [Format::Json, Format::Sarif, Format::Codequality] {
            let out = render(format, &findings, &summary, &Options::default());
            serde_json::from_str::<serde_json::Value>(&out)
                .unwrap_or_else(|e| panic!("{format:?} is not JSON: {e}"));
        }
        let out = render(Format::Rdjsonl, &findings, &summary, &Options::default());
        for line in out.lines() {
            serde_json::from_str::<serde_json::Value>(line).expect("one JSON value a line");
        }
        assert_eq!(out.lines().count(), findings.len());
    }
}
