//! MkDocs-style admonitions (`!!! warning "Title"` followed by content indented four spaces,
//! `???` for a collapsed `<details>`, `???+` for an open one), turned into something
//! pulldown-cmark understands before parsing: a block quote.
//!
//! The marker line becomes `>` and each content line `> content` (re-indented to the marker's
//! own indentation, so admonitions in list items stay in their item). Every input line becomes
//! one output line, except that a blank line is inserted after an admonition directly followed
//! by a non-blank line (which would otherwise be pulled into the quote as a lazy continuation,
//! or merge two adjacent admonitions); [`Preprocessed::source_offset`] maps offsets back. The renderer recognises the block quotes that stand for
//! admonitions by the byte range of their marker line, returned beside the text, so nothing a
//! user writes can pretend to be one.
//!
//! Code is left alone: a marker inside a fenced or indented code block, an inline code span or
//! raw HTML (as pulldown-cmark parses the document) is not a marker. Content is taken verbatim,
//! so code blocks inside an admonition come out as code blocks inside the callout. Admonitions
//! nest (up to [`MAX_DEPTH`] levels).

use crate::content::body::{Rewritten, options};
use pulldown_cmark::{Event, Parser, Tag};
use std::borrow::Cow;
use std::ops::Range;

/// Deeper admonitions are left as they are (each level re-parses its content).
pub const MAX_DEPTH: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admonition {
    /// The first class after the marker, lowercased: `note`, `warning`, `danger`, ...
    pub kind: String,
    /// `None`: the default title (the kind, capitalised); `Some("")`: no title (`!!! note ""`).
    pub title: Option<String>,
    /// `None` for `!!!`; `Some(open)` for `???` (`false`) and `???+` (`true`).
    pub collapsible: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct Preprocessed<'a> {
    /// The body with admonitions turned into block quotes (borrowed when there are none).
    pub text: Cow<'a, str>,
    /// The byte range in `text` of each admonition's marker line, in document order.
    pub admonitions: Vec<(Range<usize>, Admonition)>,
    /// Other tools' syntax that was removed rather than rendered.
    pub notes: Vec<crate::content::body::Note>,
    body: &'a str,
    /// When `text` is owned: for each of its lines, its start in `text` and the index of the
    /// body line it comes from.
    lines: Vec<(usize, usize)>,
    /// When `text` is owned: where each line of the body starts.
    body_lines: Vec<usize>,
}

impl Preprocessed<'_> {
    /// The admonition whose marker line contains byte `offset` of [`Preprocessed::text`].
    pub fn admonition_at(&self, offset: usize) -> Option<&Admonition> {
        let i = self.admonitions.partition_point(|(r, _)| r.start <= offset);
        let (range, adm) = self.admonitions.get(i.checked_sub(1)?)?;
        range.contains(&offset).then_some(adm)
    }

    /// The byte offset in the body for byte `offset` of [`Preprocessed::text`]: on the source
    /// line it came from, at the same column clamped to that line (inside an admonition the
    /// indentation differs, so the column is approximate). Always a char boundary.
    pub fn source_offset(&self, offset: usize) -> usize {
        if self.lines.is_empty() {
            return offset.min(self.body.len());
        }
        let i = self
            .lines
            .partition_point(|(start, _)| *start <= offset)
            .saturating_sub(1);
        let (start, src) = self.lines[i];
        let line_start = self.body_lines.get(src).copied().unwrap_or(self.body.len());
        let line = self.body[line_start..]
            .split_inclusive('\n')
            .next()
            .unwrap_or("")
            .trim_end_matches(['\n', '\r']);
        let mut at = line_start + offset.saturating_sub(start).min(line.len());
        while !self.body.is_char_boundary(at) {
            at -= 1;
        }
        at
    }
}

/// Rewrite admonitions in `body` as block quotes (see the module documentation).
pub fn preprocess(body: &str) -> Preprocessed<'_> {
    preprocess_rewritten(body, None)
}

/// [`preprocess`] for a body adoption rewrote ([`crate::adopt::syntax::rewrite`] at load):
/// the admonitions of `rewritten`'s text, with offsets mapped back to `body`.
pub fn preprocess_rewritten<'a>(body: &'a str, rewritten: Option<&Rewritten>) -> Preprocessed<'a> {
    let unchanged = Preprocessed {
        text: Cow::Borrowed(body),
        admonitions: Vec::new(),
        notes: Vec::new(),
        body,
        lines: Vec::new(),
        body_lines: Vec::new(),
    };
    let input = rewritten.map_or(body, |r| r.text.as_str());
    if rewritten.is_none() && !input.contains("!!!") && !input.contains("???") {
        return unchanged;
    }
    let t = transform(input, 0);
    let none = Rewritten::default();
    let adopted = match rewritten {
        Some(r) => r,
        None if !t.found.is_empty() => &none,
        None => return unchanged,
    };
    let mut starts = Vec::new();
    let mut pos = 0;
    for line in t.text.split_inclusive('\n') {
        starts.push(pos..pos + line.len());
        pos += line.len();
    }
    let admonitions = t
        .found
        .into_iter()
        .filter_map(|(i, a)| Some((starts.get(i)?.clone(), a)))
        .collect();
    // Compose: output line → rewritten line → body line.
    let lines = starts
        .iter()
        .zip(t.sources)
        .map(|(r, src)| (r.start, adopted.sources.get(src).copied().unwrap_or(src)))
        .collect();
    let body_lines = body
        .split_inclusive('\n')
        .scan(0, |pos, line| {
            let start = *pos;
            *pos += line.len();
            Some(start)
        })
        .collect();
    Preprocessed {
        text: Cow::Owned(t.text),
        admonitions,
        notes: adopted.notes.clone(),
        body,
        lines,
        body_lines,
    }
}

struct Transformed {
    text: String,
    /// (output line, admonition) for each marker line.
    found: Vec<(usize, Admonition)>,
    /// For each output line, the input line it comes from.
    sources: Vec<usize>,
}

fn transform(text: &str, depth: usize) -> Transformed {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if depth >= MAX_DEPTH || !lines.iter().any(|l| parse_marker(split_eol(l).0).is_some()) {
        return Transformed {
            text: text.to_string(),
            found: Vec::new(),
            sources: (0..lines.len()).collect(),
        };
    }
    let protected = protected_ranges(text);
    let is_protected = |offset: usize| in_ranges(&protected, offset);

    let mut out = Transformed {
        text: String::with_capacity(text.len() + 64),
        found: Vec::new(),
        sources: Vec::with_capacity(lines.len() + 4),
    };
    let mut offset = 0;
    let mut offsets = Vec::with_capacity(lines.len());
    for l in &lines {
        offsets.push(offset);
        offset += l.len();
    }
    let mut i = 0;
    while i < lines.len() {
        let (content, eol) = split_eol(lines[i]);
        // (An indented code block starts after its indentation: test the marker itself.)
        let marker = parse_marker(content).filter(|m| !is_protected(offsets[i] + m.1));
        let Some((indent_cols, indent_bytes, adm)) = marker else {
            out.text.push_str(lines[i]);
            out.sources.push(i);
            i += 1;
            continue;
        };
        // Content: following lines indented four columns more than the marker, and blank
        // lines between them; blank lines after the last of them are not part of it.
        let mut end = i + 1;
        let mut j = i + 1;
        while j < lines.len() {
            let c = split_eol(lines[j]).0;
            if is_blank(c) {
                j += 1;
            } else if indent_width(c) >= indent_cols + 4 {
                j += 1;
                end = j;
            } else {
                break;
            }
        }
        let mut inner = String::new();
        for line in &lines[i + 1..end] {
            let (c, e) = split_eol(line);
            if !is_blank(c) {
                inner.push_str(&strip_cols(c, indent_cols + 4));
            }
            inner.push_str(e);
        }
        let inner = transform(&inner, depth + 1);

        let lead = &content[..indent_bytes];
        let marker_line = out.sources.len();
        out.text.push_str(lead);
        out.text.push('>');
        out.text.push_str(eol);
        out.sources.push(i);
        out.found.push((marker_line, adm));
        for line in inner.text.split_inclusive('\n') {
            let (c, e) = split_eol(line);
            out.text.push_str(lead);
            if c.is_empty() {
                out.text.push('>');
            } else {
                out.text.push_str("> ");
                out.text.push_str(c);
            }
            out.text.push_str(e);
        }
        out.sources.extend(inner.sources.iter().map(|k| i + 1 + k));
        out.found.extend(
            inner
                .found
                .into_iter()
                .map(|(k, a)| (marker_line + 1 + k, a)),
        );
        // A non-blank line right after the content would be pulled into the quote (lazy
        // continuation, or the next admonition's `>`): separate them.
        if lines.get(end).is_some_and(|l| !is_blank(split_eol(l).0)) {
            let last = lines[end - 1];
            out.text
                .push_str(if last.ends_with("\r\n") { "\r\n" } else { "\n" });
            out.sources.push(end - 1);
        }
        i = end;
    }
    out
}

/// Whether `offset` is in one of `ranges` (sorted by start; nested ranges are few deep).
pub(crate) fn in_ranges(ranges: &[Range<usize>], offset: usize) -> bool {
    let i = ranges.partition_point(|r| r.start <= offset);
    ranges[..i]
        .iter()
        .rev()
        .take(4)
        .any(|r| r.contains(&offset))
}

/// Byte ranges where a marker must not be recognised: code and raw HTML.
fn protected_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock)
            | Event::Code(_)
            | Event::Html(_)
            | Event::InlineHtml(_) => out.push(range),
            _ => {}
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// `(indentation in columns, indentation in bytes, admonition)` when `line` is a marker:
/// `!!!`, `???` or `???+`, then one or more classes (`[\w-]+`, separated by spaces), then an
/// optional title in double quotes — Python-Markdown's rule.
fn parse_marker(line: &str) -> Option<(usize, usize, Admonition)> {
    let indent_bytes = line.len() - line.trim_start_matches([' ', '\t']).len();
    let rest = &line[indent_bytes..];
    let (collapsible, rest) = if let Some(r) = rest.strip_prefix("!!!") {
        (None, r)
    } else if let Some(r) = rest.strip_prefix("???+") {
        (Some(true), r)
    } else if let Some(r) = rest.strip_prefix("???") {
        (Some(false), r)
    } else {
        return None;
    };
    let rest = rest.trim_end();
    let (classes, title) = match rest.find('"') {
        Some(q) => {
            let t = &rest[q..];
            if t.len() < 2 || !t.ends_with('"') || !rest[..q].ends_with(' ') {
                return None;
            }
            (&rest[..q], Some(t[1..t.len() - 1].to_string()))
        }
        None => (rest, None),
    };
    let mut words = classes.split(' ').filter(|w| !w.is_empty());
    let kind = words.next()?;
    let valid = |w: &str| {
        w.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    };
    if !valid(kind) || !words.all(valid) {
        return None;
    }
    Some((
        indent_width(&line[..indent_bytes]),
        indent_bytes,
        Admonition {
            kind: kind.to_lowercase(),
            title,
            collapsible,
        },
    ))
}

pub(crate) fn split_eol(line: &str) -> (&str, &str) {
    let content = line.trim_end_matches(['\n', '\r']);
    (content, &line[content.len()..])
}

pub(crate) fn is_blank(line: &str) -> bool {
    line.chars().all(|c| c == ' ' || c == '\t')
}

/// Columns of leading whitespace (tabs stop every four columns).
pub(crate) fn indent_width(line: &str) -> usize {
    let mut col = 0;
    for c in line.chars() {
        match c {
            ' ' => col += 1,
            '\t' => col += 4 - col % 4,
            _ => break,
        }
    }
    col
}

/// `line` without its first `cols` columns of indentation (a tab straddling the cut leaves
/// the rest of its width as spaces).
pub(crate) fn strip_cols(line: &str, cols: usize) -> Cow<'_, str> {
    let mut col = 0;
    for (i, c) in line.char_indices() {
        if col >= cols {
            return Cow::Borrowed(&line[i..]);
        }
        match c {
            ' ' => col += 1,
            '\t' => {
                let next = col + 4 - col % 4;
                if next > cols {
                    let mut s = " ".repeat(next - cols);
                    s.push_str(&line[i + 1..]);
                    return Cow::Owned(s);
                }
                col = next;
            }
            _ => return Cow::Borrowed(&line[i..]),
        }
    }
    Cow::Borrowed("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adm(kind: &str, title: Option<&str>, collapsible: Option<bool>) -> Admonition {
        Admonition {
            kind: kind.into(),
            title: title.map(Into::into),
            collapsible,
        }
    }

    #[test]
    fn markers() {
        assert_eq!(
            parse_marker("!!! warning \"Disk \"full\"\"").map(|m| m.2),
            Some(adm("warning", Some("Disk \"full\""), None))
        );
        assert_eq!(
            parse_marker("  ???+ Note inline end").map(|m| (m.0, m.2)),
            Some((2, adm("note", None, Some(true))))
        );
        assert_eq!(
            parse_marker("???tip \"\"").map(|m| m.2),
            Some(adm("tip", Some(""), Some(false)))
        );
        for not in [
            "!!!",
            "!!! \"title\"",
            "!!! note \"open",
            "!!! a.b",
            "!!!note\"x\"",
            "?? x",
        ] {
            assert_eq!(parse_marker(not), None, "{not}");
        }
    }

    #[test]
    fn line_preserving_and_nested() {
        let body = "Intro\n\n!!! warning \"Careful\"\n    First.\n\n    ??? note\n        Inner\n\n    Last.\n\nAfter\n";
        let p = preprocess(body);
        assert_eq!(
            p.text,
            "Intro\n\n>\n> First.\n>\n> >\n> > Inner\n>\n> Last.\n\nAfter\n"
        );
        assert_eq!(p.text.lines().count(), body.lines().count());
        let kinds: Vec<_> = p
            .admonitions
            .iter()
            .map(|(r, a)| (&p.text[r.clone()], a.kind.as_str()))
            .collect();
        assert_eq!(kinds, [(">\n", "warning"), ("> >\n", "note")]);
        assert_eq!(p.admonition_at(7).map(|a| a.kind.as_str()), Some("warning"));
        assert_eq!(p.admonition_at(9), None);
    }

    #[test]
    fn following_lines_are_kept_out() {
        let body = "!!! note\n    A\n!!! tip\n    B\nAfter\n## Head\n";
        let p = preprocess(body);
        assert_eq!(p.text, ">\n> A\n\n>\n> B\n\nAfter\n## Head\n");
        assert_eq!(p.admonitions.len(), 2);
        // Offsets map back to the source line.
        let line_of = |text: &str, off: usize| text[..off].matches('\n').count();
        for needle in ["> B", "After", "## Head", "> A"] {
            let off = p.text.find(needle).unwrap();
            let src = p.source_offset(off);
            let expected = body.find(needle.trim_start_matches("> ")).unwrap();
            assert_eq!(line_of(body, src), line_of(body, expected), "{needle}");
        }
        assert!(body.is_char_boundary(preprocess("!!! note\n    é\n").source_offset(4)));
        let unchanged = preprocess("plain");
        assert_eq!(unchanged.source_offset(3), 3);
    }

    #[test]
    fn code_is_left_alone() {
        for body in [
            "```\n!!! note\n    not content\n```\n",
            "~~~md\n!!! note\n~~~\n",
            "Para\n\n    !!! note\n        indented code\n",
            "<div>\n!!! note\n</div>\n",
        ] {
            let p = preprocess(body);
            assert_eq!(p.text, body);
            assert!(p.admonitions.is_empty());
        }
        // Code inside an admonition stays code (and its markers stay text).
        let p = preprocess("!!! note\n    ```\n    !!! tip\n    ```\n");
        assert_eq!(p.text, ">\n> ```\n> !!! tip\n> ```\n");
        assert_eq!(p.admonitions.len(), 1);
    }

    #[test]
    fn in_list_items_and_crlf() {
        let p = preprocess("1. Step\n\n    !!! tip\n        Do it.\r\n");
        assert_eq!(p.text, "1. Step\n\n    >\n    > Do it.\r\n");
        let p = preprocess("!!! note\r\n\tTabbed\r\n");
        assert_eq!(p.text, ">\r\n> Tabbed\r\n");
    }

    #[test]
    fn depth_is_bounded() {
        let mut body = String::new();
        for d in 0..20 {
            body.push_str(&" ".repeat(d * 4));
            body.push_str("!!! note\n");
        }
        let p = preprocess(&body);
        assert_eq!(p.admonitions.len(), MAX_DEPTH);
    }
}
