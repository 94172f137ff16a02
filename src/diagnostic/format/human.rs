//! For people at a terminal: each finding with the source line it points at, laid out like
//! rustc's diagnostics so that the eye already knows where to look.

use super::{Options, inert_line, is_hidden, label, location, printable, reported, summary_line};
use crate::diagnostic::{Diagnostic, Severity, Summary};
use anstyle::{AnsiColor, Style};
use std::fmt::Write;
use unicode_width::UnicodeWidthChar;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();
const EMPHASIS: Style = Style::new().bold();

/// rustc's choice: a tab's width depends on the terminal, so it is shown as four spaces and
/// the underline counts it as four.
const TAB: &str = "    ";

pub(super) fn render(findings: &[Diagnostic], summary: &Summary, opts: &Options) -> String {
    let paint = Paint(opts.color);
    let mut out = String::new();
    for d in reported(findings) {
        let mut text = String::new();
        finding(&mut text, d, paint);
        // Terminals are often CI logs: no line of a finding may read as a runner's command.
        for line in text.lines() {
            out.push_str(&inert_line(line));
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&summary_line(summary));
    out.push('\n');
    out
}

#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn apply(self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

fn finding(out: &mut String, d: &Diagnostic, paint: Paint) {
    let level = match d.severity {
        Severity::Error => ERROR,
        Severity::Warning => WARNING,
    };
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "{}{}",
        paint.apply(level, &label(d)),
        paint.apply(
            EMPHASIS,
            &format!(": {}", printable(&d.message, &['\n', '\t']))
        )
    );

    // The line number gets one column more than it needs, so the gutter stands off the left
    // edge; the bar goes one space after it.
    let number = d.line.to_string();
    let width = number.len() + 1;
    let margin = " ".repeat(width + 1);
    let bar = paint.apply(GUTTER, "|");
    let _ = writeln!(
        out,
        "{}{} {}",
        " ".repeat(width),
        paint.apply(GUTTER, "-->"),
        printable(&location(d), &[])
    );

    if let Some(source) = &d.source_line {
        let excerpt = Excerpt::new(source, d.column, d.span_len);
        let _ = writeln!(out, "{margin}{bar}");
        let number = paint.apply(GUTTER, &format!("{number:>width$}"));
        if excerpt.shown.is_empty() {
            let _ = writeln!(out, "{number} {bar}");
        } else {
            let _ = writeln!(out, "{number} {bar} {}", excerpt.shown);
        }
        let _ = writeln!(
            out,
            "{margin}{bar} {}{}",
            " ".repeat(excerpt.lead),
            paint.apply(level, &"^".repeat(excerpt.carets))
        );
    }

    if let Some(hint) = &d.hint {
        let prefix = format!("{margin}{} ", paint.apply(GUTTER, "="));
        // Continuation lines line up with the text after `= help: `.
        let indent = format!("\n{margin}  {}", " ".repeat("help: ".len()));
        let hint = printable(hint, &['\n', '\t']).replace('\n', &indent);
        let _ = writeln!(out, "{prefix}{}: {hint}", paint.apply(EMPHASIS, "help"));
    }
}

/// The most characters of a source line a finding shows.
const EXCERPT_CHARS: usize = 160;

/// A source line as shown, and where its underline goes, both in terminal columns.
#[derive(Debug, PartialEq, Eq)]
struct Excerpt {
    shown: String,
    lead: usize,
    carets: usize,
}

impl Excerpt {
    /// `column` and `len` count characters; terminal columns differ for tabs, wide (CJK)
    /// characters and escaped control characters, so both are measured on what is shown.
    fn new(source: &str, column: u32, len: u32) -> Excerpt {
        let start = column.max(1) as usize - 1;
        let end = start + len.max(1) as usize;
        // A long line (a front matter list of thousands of alerts) is shown as a window
        // around the column, `…` where it is cut.
        let total = source.chars().count();
        let from = if total > EXCERPT_CHARS {
            start.saturating_sub(EXCERPT_CHARS / 3)
        } else {
            0
        };
        let to = (from + EXCERPT_CHARS).min(total);
        let mut excerpt = Excerpt {
            shown: String::with_capacity(source.len().min(EXCERPT_CHARS * 4)),
            lead: 0,
            carets: 0,
        };
        if from > 0 {
            excerpt.shown.push('…');
            excerpt.lead += 1;
        }
        for (i, c) in source.chars().enumerate().skip(from).take(to - from) {
            let width = match c {
                '\t' => {
                    excerpt.shown.push_str(TAB);
                    TAB.len()
                }
                c if is_hidden(c) => {
                    let escaped = c.escape_debug();
                    let width = escaped.len();
                    excerpt.shown.extend(escaped);
                    width
                }
                c => {
                    excerpt.shown.push(c);
                    c.width().unwrap_or(0)
                }
            };
            if i < start {
                excerpt.lead += width;
            } else if i < end {
                excerpt.carets += width;
            }
        }
        if to < total {
            excerpt.shown.push('…');
        }
        // A span past the end of the line (a missing value, say) still gets one caret, just
        // after the last character.
        excerpt.carets = excerpt.carets.max(1);
        excerpt
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use crate::diagnostic::{Code, Pos};

    fn plain(findings: &[Diagnostic], summary: &Summary) -> String {
        render(findings, summary, &Options::default())
    }

    #[test]
    fn lays_out_a_finding_like_rustc() {
        let d = Diagnostic::new(
            Code::Stale,
            "content/runbooks/x.md",
            Pos::new(5, 11, 10),
            "runbook was last reviewed 2026-05-02; its review was due 2026-07-31",
        )
        .with_hint("run `fieldbook review content/runbooks/x.md`")
        .with_source("a\nb\nc\nd\nreviewed: 2026-05-02\n");
        let findings = [d];
        let out = plain(&findings, &Summary::of(42, &findings));
        assert_eq!(
            out,
            "warning[stale]: runbook was last reviewed 2026-05-02; its review was due 2026-07-31\n  \
             --> content/runbooks/x.md:5:11\n   \
             |\n \
             5 | reviewed: 2026-05-02\n   \
             |           ^^^^^^^^^^\n   \
             = help: run `fieldbook review content/runbooks/x.md`\n\
             \n\
             check: 42 documents, 1 warning\n"
        );
    }

    #[test]
    fn snapshot_without_colour() {
        let findings = fixture::findings();
        insta::assert_snapshot!(plain(&findings, &fixture::summary(&findings)));
    }

    #[test]
    fn no_findings_is_just_the_summary() {
        assert_eq!(
            plain(&[], &Summary::of(7, &[])),
            "check: 7 documents, no findings\n"
        );
    }

    #[test]
    fn colour_follows_rustc() {
        let findings = fixture::findings();
        let out = render(
            &findings,
            &fixture::summary(&findings),
            &Options {
                color: true,
                ..Options::default()
            },
        );
        assert!(out.contains(&format!("{ERROR}error[invalid-config]{ERROR:#}")));
        assert!(out.contains(&format!("{WARNING}warning[stale]{WARNING:#}")));
        assert!(out.contains(&format!("{GUTTER}-->{GUTTER:#}")));
        assert!(out.contains(&format!("{WARNING}^^^^^^^^^^{WARNING:#}")));
        assert_eq!(ERROR.render().to_string(), "\u{1b}[1m\u{1b}[31m");
    }

    #[test]
    fn underline_measures_tabs_and_wide_characters() {
        // `\t- see [restore](` is 17 characters, and 20 on screen once the tab is 4 wide.
        let e = Excerpt::new("\t- see [restore](../restore.md#step-2) now", 18, 20);
        assert_eq!(e.shown, "    - see [restore](../restore.md#step-2) now");
        assert_eq!((e.lead, e.carets), (20, 20));
        assert_eq!(&e.shown[e.lead..e.lead + e.carets], "../restore.md#step-2");

        let e = Excerpt::new("owners: [山田, bob]", 10, 2);
        assert_eq!((e.lead, e.carets), (9, 4));

        let e = Excerpt::new("a\u{1b}b", 3, 1);
        assert_eq!(e.shown, "a\\u{1b}b");
        assert_eq!((e.lead, e.carets), (7, 1));
    }

    #[test]
    fn underline_is_clamped_to_the_line() {
        let e = Excerpt::new("owner: bob", 8, 50);
        assert_eq!((e.lead, e.carets), (7, 3));
        // Pointing past the end: one caret right after the last character.
        let e = Excerpt::new("owner:", 10, 4);
        assert_eq!((e.lead, e.carets), (6, 1));
        let e = Excerpt::new("", 1, 1);
        assert_eq!((e.shown.as_str(), e.lead, e.carets), ("", 0, 1));
    }

    #[test]
    fn control_characters_in_text_are_shown_escaped() {
        let d = Diagnostic::new(
            Code::UnknownOwner,
            "content/a.md",
            Pos::START,
            "owner \u{1b}[2J is unknown",
        )
        .with_hint("one\ntwo");
        let findings = [d];
        let out = plain(&findings, &Summary::of(1, &findings));
        assert!(!out.contains('\u{1b}'));
        assert!(out.contains("owner \\u{1b}[2J is unknown"));
        assert!(out.contains("\n   = help: one\n           two\n"), "{out}");
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_column() {
        let line = format!(
            "alerts: [{}]",
            (0..5000)
                .map(|i| format!("A{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let col = line.find("A2500").unwrap() as u32 + 1;
        let e = Excerpt::new(&line, col, 5);
        assert!(
            e.shown.chars().count() <= EXCERPT_CHARS + 2,
            "{}",
            e.shown.len()
        );
        assert!(e.shown.starts_with('…') && e.shown.ends_with('…'));
        let under: String = e.shown.chars().skip(e.lead).take(e.carets).collect();
        assert_eq!(under, "A2500");
        // Short lines are shown whole, as before.
        let e = Excerpt::new("reviewed: 2026-05-02", 11, 10);
        assert_eq!(
            (e.shown.as_str(), e.lead, e.carets),
            ("reviewed: 2026-05-02", 10, 10)
        );
    }
}
