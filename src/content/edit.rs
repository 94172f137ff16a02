//! Lossless front-matter edits: `fieldbook review` stamps `reviewed` and `fieldbook handover`
//! moves owner ids by text surgery, so that comments, key order, quoting, blank lines, the BOM
//! and line endings survive byte for byte.
//!
//! Only the value of the top-level `reviewed` key changes, or one line is added. A light
//! line scanner finds that key; it knows just enough YAML and TOML (quotes, flow collections,
//! block scalars, multi-line strings) to tell a top-level key from text that merely looks like
//! one. The scanner is not a parser, so every result is parsed again and compared with the
//! original metadata before it is handed back: a layout the scanner misreads becomes a
//! refusal, never a damaged file.

use crate::content::date::Date;
use crate::content::front_matter::{self, Format, FrontMatter, FrontMatterError, KeyDialect};
use std::fmt;
use std::ops::Range;

const KEY: &str = "reviewed";
const BOM: &str = "\u{feff}";

/// A stamped document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamped {
    /// The whole new file text (the input itself when nothing changed).
    pub text: String,
    /// The old value as written, without its quotes (`2026-01-01`, `null`); `None` when the
    /// key was missing or had no value.
    pub previous: Option<String>,
    /// False when the document already carried the date.
    pub changed: bool,
}

/// Why a file was left alone. Line and column are 1-based, as an editor shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub hint: Option<String>,
}

impl From<FrontMatterError> for Refusal {
    fn from(e: FrontMatterError) -> Self {
        Refusal {
            line: e.pos.line,
            column: e.pos.column,
            message: e.message,
            hint: e.hint,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Stamp `reviewed` in a document's text, its front matter read with `keys` (other tools' keys
/// as the commands read them). Returns the new text, or why the file was refused.
pub fn stamp(text: &str, date: Date, keys: &dyn KeyDialect) -> Result<Stamped, Refusal> {
    let (bom, rest) = text.strip_prefix(BOM).map_or(("", text), |r| (BOM, r));
    let split = front_matter::split(rest)?;
    let old = front_matter::parse_with(&split, keys)?.meta;
    // A date read from another tool's key (GOV.UK `last_reviewed_on`) is stamped there.
    let plan = Plan::new(rest, &split, date, old.adopted.key_in_file(KEY));

    if old.reviewed == Some(date) {
        return Ok(Stamped {
            text: text.to_string(),
            previous: plan.previous,
            changed: false,
        });
    }
    let key = old.adopted.key_in_file(KEY);
    let mut expected = FrontMatter {
        reviewed: Some(date),
        ..old
    };
    if key != KEY {
        // Other tools' keys are also kept as written for templates.
        expected
            .extra
            .insert(key.to_string(), date.to_string().into());
    }
    let new = plan.first_safe(rest, &expected, split.body, keys)?;
    Ok(Stamped {
        text: format!("{bom}{new}"),
        previous: plan.previous,
        changed: true,
    })
}

/// The candidate edits for one document, best first, and what they replace.
struct Plan {
    edits: Vec<Edit>,
    previous: Option<String>,
    /// The line to write by hand when no edit is safe.
    entry: String,
}

impl Plan {
    fn new(rest: &str, split: &front_matter::Split<'_>, date: Date, key: &str) -> Plan {
        let Some(format) = split.format else {
            return Plan {
                edits: vec![new_front_matter(rest, date)],
                previous: None,
                entry: entry_text(Format::Yaml, date),
            };
        };
        let layout = Layout::new(rest, split.front, format);
        let (edits, previous) = match layout.entry(&[key]) {
            Some(entry) => {
                let value = layout.value(entry);
                (
                    vec![layout.replacement(&value, date)],
                    layout.written(&value),
                )
            }
            None => (layout.insertions(date), None),
        };
        Plan {
            edits,
            previous,
            entry: entry_text(format, date),
        }
    }

    /// Apply the first edit whose result parses to exactly the `expected` metadata, with the
    /// body untouched.
    fn first_safe(
        &self,
        rest: &str,
        expected: &FrontMatter,
        body: &str,
        keys: &dyn KeyDialect,
    ) -> Result<String, Refusal> {
        for edit in &self.edits {
            let new = edit.apply(rest);
            if parses_to(&new, expected, body, keys) {
                return Ok(new);
            }
        }
        let (line, column) = self.edits.first().map_or((1, 1), |e| (e.line, e.column));
        Err(Refusal {
            line,
            column,
            message: format!("cannot stamp `{KEY}` without changing other metadata"),
            hint: Some(format!(
                "write `{}` by hand; this front matter is laid out in a way `fieldbook review` does not rewrite",
                self.entry
            )),
        })
    }
}

/// One change to the text (without BOM): `range` replaced by `with`. `line` and `column`
/// say where, for a refusal.
#[derive(Debug)]
struct Edit {
    range: Range<usize>,
    with: String,
    line: u32,
    column: u32,
}

impl Edit {
    fn insert(at: usize, with: String, line: u32) -> Edit {
        Edit {
            range: at..at,
            with,
            line,
            column: 1,
        }
    }

    fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.with.len());
        out.push_str(&text[..self.range.start]);
        out.push_str(&self.with);
        out.push_str(&text[self.range.end..]);
        out
    }
}

fn parses_to(text: &str, expected: &FrontMatter, body: &str, keys: &dyn KeyDialect) -> bool {
    front_matter::split(text).is_ok_and(|s| {
        s.body == body && front_matter::parse_with(&s, keys).is_ok_and(|p| p.meta == *expected)
    })
}

/// The line that sets the date, as the format writes it.
fn entry_text(format: Format, date: Date) -> String {
    match format {
        Format::Yaml => format!("{KEY}: {date}"),
        Format::Toml => format!("{KEY} = {date}"),
    }
}

/// A minimal YAML block for a file that has none, with the line ending its first line uses.
fn new_front_matter(rest: &str, date: Date) -> Edit {
    let (_, eol) = split_eol(rest.split_inclusive('\n').next().unwrap_or(""));
    let eol = if eol.is_empty() { "\n" } else { eol };
    let with = format!("---{eol}{}{eol}---{eol}", entry_text(Format::Yaml, date));
    Edit::insert(0, with, 2)
}

/// A line of text cut from its ending (`\n`, `\r\n` or nothing at the end of the file).
fn split_eol(raw: &str) -> (&str, &str) {
    let text = raw.strip_suffix('\n').unwrap_or(raw);
    let text = text.strip_suffix('\r').unwrap_or(text);
    (text, &raw[text.len()..])
}

/// What a front matter line is, seen from the top level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Starts a top-level `key: value` (or `key = value`).
    Entry,
    /// Belongs to the value of the entry above: nested lines, list items, the rest of a
    /// multi-line string or flow collection, block scalar content.
    Continuation,
    /// A blank or comment line between values.
    Trivia,
    /// A TOML `[table]` header: top-level keys end there.
    Header,
}

struct Line<'a> {
    /// Byte offset in the text (without BOM).
    start: usize,
    text: &'a str,
    eol: &'a str,
    role: Role,
}

impl Line<'_> {
    fn end(&self) -> usize {
        self.start + self.text.len() + self.eol.len()
    }
}

/// A top-level key and the lines its value spans.
#[derive(Debug)]
struct Entry<'a> {
    /// As written, without quotes; empty when the line is not a plain `key:` we can read.
    key: &'a str,
    line: usize,
    /// Byte offset in the line just past the `:` or `=`.
    value_at: usize,
    /// The last line of the value, not counting trailing blank or comment lines.
    last: usize,
}

/// Where a value sits: a line index and a byte range in that line (empty when there is no
/// value, just after the `:`).
struct Value {
    line: usize,
    range: Range<usize>,
}

/// The front matter cut into lines and top-level entries.
struct Layout<'a> {
    format: Format,
    /// Byte offset where the front matter starts, just after the opening fence.
    front_start: usize,
    /// The opening fence's line ending, which a line inserted first copies.
    fence_eol: &'a str,
    lines: Vec<Line<'a>>,
    entries: Vec<Entry<'a>>,
}

impl<'a> Layout<'a> {
    /// `rest` is the file without BOM, `front` its front matter as `front_matter::split` cut it.
    fn new(rest: &'a str, front: &'a str, format: Format) -> Self {
        // `split` starts the front matter right after the first line, the fence.
        let front_start = rest.find('\n').map_or(rest.len(), |i| i + 1);
        debug_assert!(rest[front_start..].starts_with(front));
        let (_, fence_eol) = split_eol(&rest[..front_start]);
        let lines = scan_lines(front, front_start, format);
        let entries = entries(&lines, format);
        Layout {
            format,
            front_start,
            fence_eol,
            lines,
            entries,
        }
    }

    /// The first top-level entry whose key is one of `keys`.
    fn entry(&self, keys: &[&str]) -> Option<&Entry<'a>> {
        self.entries.iter().find(|e| keys.contains(&e.key))
    }

    /// The 1-based file line of front matter line `i` (the fence is line 1).
    fn line_no(&self, i: usize) -> u32 {
        i as u32 + 2
    }

    fn value(&self, e: &Entry<'_>) -> Value {
        let here = value_range(self.format, self.lines[e.line].text, e.value_at);
        if !here.is_empty() {
            return Value {
                line: e.line,
                range: here,
            };
        }
        // YAML lets a scalar start on the next, indented line (`reviewed:\n  2026-01-01`).
        let next = (e.line + 1..=e.last).find(|&i| self.lines[i].role == Role::Continuation);
        match next {
            Some(i) => Value {
                line: i,
                range: value_range(self.format, self.lines[i].text, 0),
            },
            None => Value {
                line: e.line,
                range: here,
            },
        }
    }

    fn written(&self, v: &Value) -> Option<String> {
        let raw = &self.lines[v.line].text[v.range.clone()];
        let unquoted = match raw.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) if raw.len() >= 2 && raw.as_bytes()[raw.len() - 1] == q => {
                &raw[1..raw.len() - 1]
            }
            _ => raw,
        };
        (!raw.is_empty()).then(|| unquoted.to_string())
    }

    /// The old value replaced by `date`, in the old value's quotes if it had any.
    fn replacement(&self, v: &Value, date: Date) -> Edit {
        let line = &self.lines[v.line];
        let with = match line.text[v.range.clone()].as_bytes().first() {
            None => format!(" {date}"),
            Some(&q @ (b'"' | b'\'')) => format!("{0}{date}{0}", q as char),
            Some(_) => date.to_string(),
        };
        Edit {
            range: line.start + v.range.start..line.start + v.range.end,
            with,
            line: self.line_no(v.line),
            column: line.text[..v.range.start].chars().count() as u32 + 1,
        }
    }

    /// A new line, best place first: after the owners, after the title, first in the block.
    fn insertions(&self, date: Date) -> Vec<Edit> {
        let entry = entry_text(self.format, date);
        let after = |i: usize| {
            let line = &self.lines[i];
            Edit::insert(
                line.end(),
                format!("{entry}{}", line.eol),
                self.line_no(i + 1),
            )
        };
        let anchors = [self.entry(&["owners", "owner"]), self.entry(&["title"])];
        let mut edits: Vec<Edit> = anchors
            .into_iter()
            .flatten()
            .map(|e| after(e.last))
            .collect();
        let first = format!("{entry}{}", self.fence_eol);
        edits.push(Edit::insert(self.front_start, first, self.line_no(0)));
        edits
    }
}

/// Cut `front` (starting at byte `start` of the file) into lines and give each its role.
fn scan_lines(front: &str, start: usize, format: Format) -> Vec<Line<'_>> {
    let mut scanner = Scanner::new(format);
    let mut at = start;
    front
        .split_inclusive('\n')
        .map(|raw| {
            let (text, eol) = split_eol(raw);
            let clean = scanner.feed(text);
            let line = Line {
                start: at,
                text,
                eol,
                role: classify(format, text, clean),
            };
            at += raw.len();
            line
        })
        .collect()
}

/// `clean`: the line starts outside any value (no open quote, bracket or block scalar).
fn classify(format: Format, text: &str, clean: bool) -> Role {
    if !clean {
        return Role::Continuation;
    }
    let t = trim_blank_start(text);
    if t.is_empty() || t.starts_with('#') {
        return Role::Trivia;
    }
    let indented = t.len() < text.len();
    match format {
        // Top-level YAML keys sit in column 0; a `- item` there belongs to the key above.
        Format::Yaml if indented || t == "-" || t.starts_with("- ") || t.starts_with("-\t") => {
            Role::Continuation
        }
        Format::Toml if t.starts_with('[') => Role::Header,
        _ => Role::Entry,
    }
}

/// The top-level entries, up to the first TOML table header.
fn entries<'a>(lines: &[Line<'a>], format: Format) -> Vec<Entry<'a>> {
    let mut out: Vec<Entry<'a>> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        match line.role {
            Role::Entry => {
                let t = trim_blank_start(line.text);
                let indent = line.text.len() - t.len();
                let (key, value_at) = read_key(format, t).unwrap_or(("", t.len()));
                out.push(Entry {
                    key,
                    line: i,
                    value_at: indent + value_at,
                    last: i,
                });
            }
            // Blank lines ending a block scalar stay out, so a new line lands next to the text.
            Role::Continuation if !line.text.trim().is_empty() => {
                if let Some(e) = out.last_mut() {
                    e.last = i;
                }
            }
            Role::Continuation | Role::Trivia => {}
            Role::Header => break,
        }
    }
    out
}

fn trim_blank_start(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

/// `key:` (YAML) or `key =` (TOML), the key bare or quoted: the key without quotes and the
/// offset just past the separator. Escapes in quoted keys are not decoded: none of the keys
/// this module looks for needs them.
fn read_key(format: Format, t: &str) -> Option<(&str, usize)> {
    let sep = match format {
        Format::Yaml => b':',
        Format::Toml => b'=',
    };
    let b = t.as_bytes();
    let (key, after) = match b.first()? {
        b'"' | b'\'' => {
            let close = closing_quote(b, 0);
            (t.get(1..close)?, close + 1)
        }
        _ => {
            let end = b
                .iter()
                .position(|&c| c == sep || c == b' ' || c == b'\t')?;
            (&t[..end], end)
        }
    };
    let rest = t.get(after..)?;
    let sep_at = after + rest.len() - trim_blank_start(rest).len();
    if b.get(sep_at) != Some(&sep) {
        return None;
    }
    let value_at = sep_at + 1;
    // In YAML, `a:b` is one plain scalar; the separator needs a blank after it.
    let yaml_sep_ok = b.get(value_at).is_none_or(|c| matches!(c, b' ' | b'\t'));
    (format == Format::Toml || yaml_sep_ok).then_some((key, value_at))
}

/// The byte range of the value that starts at or after `from`: a quoted string with its quotes,
/// or the text up to a comment. Empty (at `from`) when there is none.
fn value_range(format: Format, text: &str, from: usize) -> Range<usize> {
    let start = text.len() - trim_blank_start(&text[from..]).len();
    let v = &text.as_bytes()[start..];
    let len = match v.first() {
        Some(b'"' | b'\'') => (closing_quote(v, 0) + 1).min(v.len()),
        _ => {
            let end = comment_start(format, v);
            end - v[..end]
                .iter()
                .rev()
                .take_while(|c| matches!(c, b' ' | b'\t'))
                .count()
        }
    };
    if len == 0 {
        from..from
    } else {
        start..start + len
    }
}

/// Where a comment begins in `v` (a value with no leading blanks): YAML needs a blank before
/// `#`, TOML does not.
fn comment_start(format: Format, v: &[u8]) -> usize {
    (0..v.len())
        .find(|&i| {
            v[i] == b'#' && (format == Format::Toml || i == 0 || matches!(v[i - 1], b' ' | b'\t'))
        })
        .unwrap_or(v.len())
}

/// Index of the quote closing the one at `open`, or `b.len()`. A backslash escapes in double
/// quotes; a doubled single quote reads as two strings here, which is the same span.
fn closing_quote(b: &[u8], open: usize) -> usize {
    let q = b[open];
    let mut i = open + 1;
    while i < b.len() && b[i] != q {
        i += if b[i] == b'\\' && q == b'"' { 2 } else { 1 };
    }
    i.min(b.len())
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Tracks what can span lines, line by line.
enum Scanner {
    Yaml(YamlScan),
    Toml(TomlScan),
}

impl Scanner {
    fn new(format: Format) -> Self {
        match format {
            Format::Yaml => Scanner::Yaml(YamlScan::default()),
            Format::Toml => Scanner::Toml(TomlScan::default()),
        }
    }

    /// Take in the next line; true when it starts outside any value.
    fn feed(&mut self, line: &str) -> bool {
        match self {
            Scanner::Yaml(s) => s.feed(line),
            Scanner::Toml(s) => s.feed(line),
        }
    }
}

/// The YAML constructs that can carry a column-0 `key:` lookalike onto a later line.
#[derive(Default)]
struct YamlScan {
    flow_depth: usize,
    quote: Option<u8>,
    /// Inside a block scalar (`|`, `>`): the indentation of the line that opened it, and that
    /// of its content once its first line shows it.
    block: Option<(usize, Option<usize>)>,
}

impl YamlScan {
    fn feed(&mut self, line: &str) -> bool {
        if self.continues_block_scalar(line) {
            return false;
        }
        let clean = self.flow_depth == 0 && self.quote.is_none();
        self.scan(line);
        clean
    }

    /// Block scalar content is never scanned: quotes and brackets in prose mean nothing there.
    fn continues_block_scalar(&mut self, line: &str) -> bool {
        let Some((opener, content)) = self.block else {
            return false;
        };
        if line.trim().is_empty() {
            return true;
        }
        let indent = indent_of(line);
        let inside = indent >= content.unwrap_or(opener + 1);
        self.block = inside.then_some((opener, Some(content.unwrap_or(indent))));
        inside
    }

    fn scan(&mut self, line: &str) {
        let b = line.as_bytes();
        // Quotes and brackets open values only where a value may start, so `it's` or `a[1]`
        // inside a plain scalar open nothing.
        let mut token_start = self.quote.is_none();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if let Some(q) = self.quote {
                if (c == b'\\' && q == b'"') || (c == q && q == b'\'' && b.get(i + 1) == Some(&q)) {
                    i += 1;
                } else if c == q {
                    self.quote = None;
                    token_start = false;
                }
                i += 1;
                continue;
            }
            let in_flow = self.flow_depth > 0;
            let blank_after = b.get(i + 1).is_none_or(|n| matches!(n, b' ' | b'\t'));
            let blank_before = i == 0 || matches!(b[i - 1], b' ' | b'\t');
            match c {
                b' ' | b'\t' => {}
                b'#' if blank_before => return,
                b'"' | b'\'' if token_start => self.quote = Some(c),
                b'[' | b'{' if token_start || in_flow => {
                    self.flow_depth += 1;
                    token_start = true;
                }
                b']' | b'}' if in_flow => {
                    self.flow_depth -= 1;
                    token_start = false;
                }
                b',' if in_flow => token_start = true,
                b':' if blank_after || in_flow => token_start = true,
                b'-' | b'?' if token_start && blank_after => {}
                // An anchor or tag comes before the value it names.
                b'&' | b'!' if token_start => {
                    while i < b.len() && !matches!(b[i], b' ' | b'\t') {
                        i += 1;
                    }
                    continue;
                }
                b'|' | b'>' if token_start && !in_flow => {
                    self.block = Some((indent_of(line), None));
                    return;
                }
                _ => token_start = false,
            }
            i += 1;
        }
    }
}

/// The TOML constructs that can span lines: arrays (and inline tables) and `"""`/`'''` strings.
#[derive(Default)]
struct TomlScan {
    depth: usize,
    multiline: Option<u8>,
}

impl TomlScan {
    fn feed(&mut self, line: &str) -> bool {
        let clean = self.depth == 0 && self.multiline.is_none();
        self.scan(line);
        clean
    }

    fn scan(&mut self, line: &str) {
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if let Some(q) = self.multiline {
                if c == b'\\' && q == b'"' {
                    i += 2;
                } else if b[i..].starts_with(&[q; 3]) {
                    // Up to two more quotes still belong to the string, before the closing three.
                    i += 3;
                    while b.get(i) == Some(&q) {
                        i += 1;
                    }
                    self.multiline = None;
                } else {
                    i += 1;
                }
                continue;
            }
            match c {
                b'#' => return,
                b'"' | b'\'' if b[i..].starts_with(&[c; 3]) => {
                    self.multiline = Some(c);
                    i += 2;
                }
                b'"' | b'\'' => i = closing_quote(b, i),
                b'[' | b'{' => self.depth += 1,
                b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adopt::aliases::Aliases;

    fn day() -> Date {
        Date::parse("2026-11-27").unwrap()
    }

    fn stamped(text: &str) -> Stamped {
        stamp(text, day(), &Aliases).unwrap_or_else(|r| panic!("refused {text:?}: {r:?}"))
    }

    fn new_text(text: &str) -> String {
        stamped(text).text
    }

    fn meta(text: &str) -> FrontMatter {
        let text = text.strip_prefix(BOM).unwrap_or(text);
        crate::adopt::parse_front_matter(&front_matter::split(text).unwrap())
            .unwrap()
            .meta
    }

    /// Lines (with endings) taken away and added between `old` and `new`, after the common
    /// head and tail.
    fn touched(old: &str, new: &str) -> (usize, usize) {
        let a: Vec<&str> = old.split_inclusive('\n').collect();
        let b: Vec<&str> = new.split_inclusive('\n').collect();
        let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let tail = a[head..]
            .iter()
            .rev()
            .zip(b[head..].iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        (a.len() - head - tail, b.len() - head - tail)
    }

    /// Stamping changes `reviewed` and nothing else, one line at most, and a second run is a
    /// no-op.
    fn assert_round_trip(text: &str) {
        let out = stamped(text);
        assert!(out.changed, "{text}");
        let (old, new) = (meta(text), meta(&out.text));
        assert_eq!(new.reviewed, Some(day()), "{}", out.text);
        assert_eq!(
            FrontMatter {
                reviewed: None,
                ..new
            },
            FrontMatter {
                reviewed: None,
                ..old
            },
            "{}",
            out.text
        );
        let has_front_matter = front_matter::split(text.trim_start_matches(BOM))
            .unwrap()
            .format
            .is_some();
        let (removed, added) = touched(
            text.trim_start_matches(BOM),
            out.text.trim_start_matches(BOM),
        );
        if has_front_matter {
            assert!(added == 1 && removed <= 1, "{:?} -> {:?}", text, out.text);
        } else {
            assert_eq!((removed, added), (0, 3), "{:?} -> {:?}", text, out.text);
        }
        assert_eq!(text.starts_with(BOM), out.text.starts_with(BOM));
        if !text.is_empty() {
            assert_eq!(text.ends_with('\n'), out.text.ends_with('\n'));
        }
        let again = stamped(&out.text);
        assert!(!again.changed);
        assert_eq!(again.text, out.text);
        assert_eq!(again.previous.as_deref(), Some("2026-11-27"));
    }

    // --- replacing an existing value ---

    #[test]
    fn stamps_the_key_another_tool_uses() {
        let out = stamped(
            "---\ntitle: A\nlast_reviewed_on: 2026-01-01 # GOV.UK\nreview_in: 6 months\n---\n",
        );
        assert_eq!(
            out.text,
            "---\ntitle: A\nlast_reviewed_on: 2026-11-27 # GOV.UK\nreview_in: 6 months\n---\n"
        );
        assert_eq!(out.previous.as_deref(), Some("2026-01-01"));
    }

    #[test]
    fn replaces_only_the_value() {
        let out =
            stamped("---\ntitle: Failover\nreviewed: 2026-01-01\nowners: [team-db]\n---\n# Body\n");
        assert_eq!(
            out.text,
            "---\ntitle: Failover\nreviewed: 2026-11-27\nowners: [team-db]\n---\n# Body\n"
        );
        assert_eq!(out.previous.as_deref(), Some("2026-01-01"));
        assert!(out.changed);
    }

    #[test]
    fn keeps_a_trailing_comment_and_spacing() {
        assert_eq!(
            new_text("---\nreviewed: 2026-01-01  # after the failover drill\n---\n"),
            "---\nreviewed: 2026-11-27  # after the failover drill\n---\n"
        );
        assert_eq!(
            new_text("---\nreviewed:\t2026-01-01\t# x\n---\n"),
            "---\nreviewed:\t2026-11-27\t# x\n---\n"
        );
        assert_eq!(
            new_text("---\nreviewed : 2026-01-01   \n---\n"),
            "---\nreviewed : 2026-11-27   \n---\n"
        );
    }

    #[test]
    fn keeps_the_quoting_style() {
        let out = stamped("---\nreviewed: '2026-01-01' # q\n---\n");
        assert_eq!(out.text, "---\nreviewed: '2026-11-27' # q\n---\n");
        assert_eq!(out.previous.as_deref(), Some("2026-01-01"));
        assert_eq!(
            new_text("---\nreviewed: \"2026-01-01\"\n---\n"),
            "---\nreviewed: \"2026-11-27\"\n---\n"
        );
    }

    #[test]
    fn fills_an_empty_or_null_value() {
        let out = stamped("---\nreviewed:\ntitle: A\n---\n");
        assert_eq!(out.text, "---\nreviewed: 2026-11-27\ntitle: A\n---\n");
        assert_eq!(out.previous, None);
        assert_eq!(
            new_text("---\nreviewed:   # todo\n---\n"),
            "---\nreviewed: 2026-11-27   # todo\n---\n"
        );
        let out = stamped("---\nreviewed: null\n---\n");
        assert_eq!(out.text, "---\nreviewed: 2026-11-27\n---\n");
        assert_eq!(out.previous.as_deref(), Some("null"));
        assert_eq!(
            new_text("---\nreviewed: ~ # never\n---\n"),
            "---\nreviewed: 2026-11-27 # never\n---\n"
        );
    }

    #[test]
    fn finds_quoted_keys() {
        assert_eq!(
            new_text("---\n\"reviewed\": 2026-01-01\n---\n"),
            "---\n\"reviewed\": 2026-11-27\n---\n"
        );
        assert_eq!(
            new_text("---\n'reviewed' : '2026-01-01'\n---\n"),
            "---\n'reviewed' : '2026-11-27'\n---\n"
        );
    }

    #[test]
    fn replaces_a_value_written_on_the_next_line() {
        assert_eq!(
            new_text("---\nreviewed:   # c\n  2026-01-01\ntitle: A\n---\n"),
            "---\nreviewed:   # c\n  2026-11-27\ntitle: A\n---\n"
        );
    }

    #[test]
    fn same_date_changes_nothing() {
        let text = "---\nreviewed: \"2026-11-27\" # x\n---\nbody";
        let out = stamped(text);
        assert_eq!((out.text.as_str(), out.changed), (text, false));
        assert_eq!(out.previous.as_deref(), Some("2026-11-27"));
    }

    // --- inserting a missing key ---

    #[test]
    fn inserts_after_owners() {
        assert_eq!(
            new_text("---\ntitle: A\nowners: team-db\ntags: [x]\n---\n"),
            "---\ntitle: A\nowners: team-db\nreviewed: 2026-11-27\ntags: [x]\n---\n"
        );
        assert_eq!(
            new_text("---\nowner: alice # lead\nkind: page\n---\n"),
            "---\nowner: alice # lead\nreviewed: 2026-11-27\nkind: page\n---\n"
        );
    }

    #[test]
    fn inserts_after_a_whole_owners_block() {
        let text = "---\nowners:\n  - alice\n  # on leave until March\n  - team-db\n\n# Freshness\nkind: runbook\n---\n";
        assert_eq!(
            new_text(text),
            "---\nowners:\n  - alice\n  # on leave until March\n  - team-db\nreviewed: 2026-11-27\n\n# Freshness\nkind: runbook\n---\n"
        );
        // A block list may also sit in column 0.
        assert_eq!(
            new_text("---\nowners:\n- alice\n- bob\ntitle: A\n---\n"),
            "---\nowners:\n- alice\n- bob\nreviewed: 2026-11-27\ntitle: A\n---\n"
        );
        // A flow list may span lines, even back to column 0.
        assert_eq!(
            new_text("---\nowners: [alice,\nbob]\ntitle: A\n---\n"),
            "---\nowners: [alice,\nbob]\nreviewed: 2026-11-27\ntitle: A\n---\n"
        );
    }

    #[test]
    fn inserts_after_the_title_or_first() {
        assert_eq!(
            new_text("---\nkind: page\ntitle: >\n  A long\n  title\ntags: [x]\n---\n"),
            "---\nkind: page\ntitle: >\n  A long\n  title\nreviewed: 2026-11-27\ntags: [x]\n---\n"
        );
        assert_eq!(
            new_text("---\n# about this page\nkind: page\n---\n"),
            "---\nreviewed: 2026-11-27\n# about this page\nkind: page\n---\n"
        );
        assert_eq!(
            new_text("---\n---\nbody\n"),
            "---\nreviewed: 2026-11-27\n---\nbody\n"
        );
    }

    // --- lookalikes that are not the top-level key ---

    #[test]
    fn scanner_gives_each_line_its_role() {
        use Role::*;
        let front = "title: |\n  it's [open\n\n  # prose\n# comment\nowners:\n- a\n  - b\nextra: \"x\nreviewed: y\"\nflow: [a,\nreviewed: b]\n";
        let roles: Vec<Role> = scan_lines(front, 0, Format::Yaml)
            .iter()
            .map(|l| l.role)
            .collect();
        let want = [
            Entry,
            Continuation,
            Continuation,
            Continuation,
            Trivia,
            Entry,
            Continuation,
            Continuation,
            Entry,
            Continuation,
            Entry,
            Continuation,
        ];
        assert_eq!(roles, want);
        let front = "a = \"\"\"\n[x]\n\"\"\"\nb = [ # c\n  [1],\n]\n[t]\n";
        let roles: Vec<Role> = scan_lines(front, 0, Format::Toml)
            .iter()
            .map(|l| l.role)
            .collect();
        assert_eq!(
            roles,
            [
                Entry,
                Continuation,
                Continuation,
                Entry,
                Continuation,
                Continuation,
                Header
            ]
        );
    }

    #[test]
    fn inserts_next_to_text_not_after_blank_lines() {
        assert_eq!(
            new_text(
                "---
title: |
  A

kind: page
---
"
            ),
            "---
title: |
  A
reviewed: 2026-11-27

kind: page
---
"
        );
    }

    #[test]
    fn leaves_reviewed_inside_other_values_alone() {
        // Block scalar, nested map, multi-line quoted string and flow list: none is the key.
        let cases = [
            "description: |\n  it's [not closed\n  reviewed: 2020-01-01\n",
            "notes:\n  reviewed: 2020-01-01\n",
            "description: \"starts here\nreviewed: 2020-01-01 is prose\"\n",
            "description: 'it''s\nreviewed: 2020-01-01'\n",
            "extra: [a,\nreviewed: 2020-01-01]\n",
            "extra: {a: 1,\nreviewed: 2020-01-01}\n",
        ];
        for case in cases {
            let text = format!("---\ntitle: A\n{case}---\n");
            let out = stamped(&text);
            assert_eq!(
                out.text,
                text.replacen("title: A\n", "title: A\nreviewed: 2026-11-27\n", 1),
                "{case}"
            );
            assert_eq!(out.previous, None);
            assert_round_trip(&text);
        }
    }

    #[test]
    fn plain_scalars_with_quotes_and_brackets_open_nothing() {
        let text =
            "---\ntitle: it's a \"test\" [x\ntags: [a, \"b]\", 'c,']\nreviewed: 2026-01-01\n---\n";
        assert_eq!(new_text(text), text.replace("2026-01-01", "2026-11-27"));
    }

    #[test]
    fn replaces_the_top_level_key_after_a_lookalike() {
        let text = "---\ndescription: |\n  reviewed: 2020-01-01\nreviewed: 2026-01-01\n---\n";
        assert_eq!(
            new_text(text),
            "---\ndescription: |\n  reviewed: 2020-01-01\nreviewed: 2026-11-27\n---\n"
        );
    }

    // --- file shapes ---

    #[test]
    fn adds_front_matter_to_a_file_without() {
        let out = stamped("# Failover\n\nSteps.\n");
        assert_eq!(
            out.text,
            "---\nreviewed: 2026-11-27\n---\n# Failover\n\nSteps.\n"
        );
        assert_eq!((out.previous, out.changed), (None, true));
        assert_eq!(new_text(""), "---\nreviewed: 2026-11-27\n---\n");
        assert_eq!(
            new_text("no newline"),
            "---\nreviewed: 2026-11-27\n---\nno newline"
        );
        assert_eq!(
            new_text("# T\r\nx\r\n"),
            "---\r\nreviewed: 2026-11-27\r\n---\r\n# T\r\nx\r\n"
        );
        assert_eq!(
            new_text("\u{feff}# T\n"),
            "\u{feff}---\nreviewed: 2026-11-27\n---\n# T\n"
        );
    }

    #[test]
    fn front_matter_only_and_no_final_newline() {
        assert_eq!(
            new_text("---\ntitle: A\n---"),
            "---\ntitle: A\nreviewed: 2026-11-27\n---"
        );
        assert_eq!(
            new_text("---\nreviewed: 2026-01-01\n..."),
            "---\nreviewed: 2026-11-27\n..."
        );
        assert_eq!(
            new_text("---\ntitle: A\n---\nbody"),
            "---\ntitle: A\nreviewed: 2026-11-27\n---\nbody"
        );
    }

    #[test]
    fn crlf_stays_crlf() {
        let out = new_text("---\r\ntitle: A\r\nowners:\r\n  - bob\r\n---\r\nbody\r\n");
        assert_eq!(
            out,
            "---\r\ntitle: A\r\nowners:\r\n  - bob\r\nreviewed: 2026-11-27\r\n---\r\nbody\r\n"
        );
        let out = new_text("---\r\nreviewed: 2026-01-01 # c\r\n---\r\n");
        assert_eq!(out, "---\r\nreviewed: 2026-11-27 # c\r\n---\r\n");
        let out = new_text("---\r\nkind: page\r\n---\r\n");
        assert_eq!(out, "---\r\nreviewed: 2026-11-27\r\nkind: page\r\n---\r\n");
    }

    #[test]
    fn keeps_the_bom() {
        assert_eq!(
            new_text("\u{feff}---\nreviewed: 2026-01-01\n---\n"),
            "\u{feff}---\nreviewed: 2026-11-27\n---\n"
        );
    }

    // --- TOML ---

    #[test]
    fn toml_replaces_native_and_quoted_dates() {
        let out = stamped("+++\ntitle = \"A\"\nreviewed = 2026-01-01 # drill\n+++\n");
        assert_eq!(
            out.text,
            "+++\ntitle = \"A\"\nreviewed = 2026-11-27 # drill\n+++\n"
        );
        assert_eq!(out.previous.as_deref(), Some("2026-01-01"));
        assert_eq!(
            new_text("+++\nreviewed='2026-01-01'#x\n+++\n"),
            "+++\nreviewed='2026-11-27'#x\n+++\n"
        );
        assert_eq!(
            new_text("+++\n\"reviewed\" = \"2026-01-01\"\n+++\n"),
            "+++\n\"reviewed\" = \"2026-11-27\"\n+++\n"
        );
    }

    #[test]
    fn toml_inserts_among_top_level_keys_only() {
        let text = "+++\ntitle = \"A\"\nowners = [\n  \"alice\", # lead\n  \"[bob]\",\n]\n\n[extra]\nowners = \"b\"\nreviewed = 2020-01-01\n+++\n";
        assert_eq!(
            new_text(text),
            "+++\ntitle = \"A\"\nowners = [\n  \"alice\", # lead\n  \"[bob]\",\n]\nreviewed = 2026-11-27\n\n[extra]\nowners = \"b\"\nreviewed = 2020-01-01\n+++\n"
        );
        assert_eq!(
            new_text("+++\nkind = \"page\"\n[extra]\nx = 1\n+++\n"),
            "+++\nreviewed = 2026-11-27\nkind = \"page\"\n[extra]\nx = 1\n+++\n"
        );
    }

    #[test]
    fn toml_multiline_strings_hide_lookalikes() {
        let text = "+++\ndescription = \"\"\"\n[not a table]\nreviewed = 2020-01-01\n\"\"\"\ntitle = 'A'\n+++\n";
        assert_eq!(
            new_text(text),
            text.replace("title = 'A'\n", "title = 'A'\nreviewed = 2026-11-27\n")
        );
        assert_round_trip(text);
        // Nested arrays spanning lines: a line opening with `[` there is not a table header.
        let text = "+++\nmatrix = [\n  [1, 2],\n  [3],\n]\nowners = 'a'\n+++\n";
        assert_eq!(
            new_text(text),
            text.replace("owners = 'a'\n", "owners = 'a'\nreviewed = 2026-11-27\n")
        );
    }

    // --- refusals ---

    #[test]
    fn refuses_what_does_not_parse() {
        let r = stamp("---\ntitle: A\n", day(), &Aliases).unwrap_err();
        assert_eq!((r.line, r.column), (1, 1));
        assert!(r.message.contains("never closed"), "{}", r.message);
        let r = stamp(
            "---\ntitle: A\nreviewed: 2026-02-30\n---\n",
            day(),
            &Aliases,
        )
        .unwrap_err();
        assert_eq!((r.line, r.column), (3, 11));
        assert!(r.hint.is_some());
        // A top-level key written twice reads as its last value (as other tools do), and both
        // lines stay; a key repeated inside a value does not parse.
        let s = stamp("\u{feff}---\ntitle: A\ntitle: B\n---\n", day(), &Aliases).unwrap();
        assert!(s.text.contains("title: A\n") && s.text.contains("title: B\n"));
        let r = stamp(
            "---\ntitle: A\naction_items:\n  - title: x\n    title: y\n---\n",
            day(),
            &Aliases,
        )
        .unwrap_err();
        assert!(r.message.contains("duplicate"), "{}", r.message);
        let r = stamp("+++\ntitle = \n+++\n", day(), &Aliases).unwrap_err();
        assert_eq!(r.line, 2);
        assert_eq!(
            r.to_string(),
            format!("{}:{}: {}", r.line, r.column, r.message)
        );
    }

    #[test]
    fn refuses_rather_than_change_other_metadata() {
        // An anchor shared with another key: a new value would change `date` too.
        let r = stamp(
            "---\nreviewed: &d 2026-01-01\ndate: *d\n---\n",
            day(),
            &Aliases,
        )
        .unwrap_err();
        assert_eq!((r.line, r.column), (2, 11));
        assert!(r.hint.unwrap().contains("reviewed: 2026-11-27"));
        // A complex key the scanner does not read: adding a line would duplicate it.
        let r = stamp("---\n? reviewed\n: 2026-01-01\n---\n", day(), &Aliases).unwrap_err();
        assert!(r.message.contains("without changing"), "{}", r.message);
    }

    // --- round trip ---

    #[test]
    fn round_trips_varied_documents() {
        let docs = [
            "---\ntitle: \"DNS: resolution fails\"\nkind: runbook\nowners: [team-db, carol]\nreviewed: 2026-01-01 # drill\nreview_every: 90d\nalerts:\n  - PgDown\n  - PgLag\n---\n# Body\n",
            "---\ntitle: Postmortem\nkind: postmortem\ndate: 2026-03-04\nowners:\n  - alice\nstatus: in-review\naction_items:\n  - title: Add alert\n    owner: alice\n    due: 2026-04-01\n    status: open\n  - { title: Two, owner: bob,\n      due: 2026-05-01, status: done }\n---\n",
            "---\r\ntitle: Course\r\nkind: course\r\nowner: team-db\r\nlessons: [a.md,\r\n  b.md]\r\nlevel: beginner\r\n---\r\nbody\r\n",
            "\u{feff}---\nkind: lesson\nminutes: 15\nteam_channel: '#db-oncall'\n---\nbody",
            "---\ntitle: |\n  Keep: this\n  reviewed: 1999-01-01\nreviewed: null\ntags: []\n---\n",
            "---\nreviewed:\n---\n",
            "+++\ntitle = \"T\"\nowners = [\"a\", \"b\"]\nreviewed = 2026-01-01\n\n[extra]\nnote = \"x\"\n+++\nbody\n",
            "+++\r\nkind = 'page'\r\ntags = [\r\n  'a', # first\r\n]\r\n+++\r\n",
            "# No front matter\n\nJust text.\n",
            "",
        ];
        for doc in docs {
            assert_round_trip(doc);
        }
    }
}
