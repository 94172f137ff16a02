//! The body syntax of other documentation tools, rewritten into the Markdown Fieldbook renders
//! before anything parses it: Hugo shortcodes, pymdownx tabs and snippets, Python-Markdown
//! attribute lists, Jinja tags and Docusaurus admonitions and MDX imports.
//!
//! The loader runs [`rewrite`] once per document ([`crate::load`]) and keeps the result on it,
//! so the renderer, the checks' outline (links, headings, anchors) and search all see the same
//! text, and none of them knows other tools exist. Each output line comes from
//! one input line (`sources`), so positions map back to the file; columns on rewritten lines
//! are approximate.
//!
//! What each construct becomes:
//!
//! - `{{< ref "x.md" >}}` / `relref` → `x.md` (so `[t]({{< ref "x.md" >}})` is a checked link);
//! - `{{< highlight lang >}}…{{< /highlight >}}` → a fenced code block;
//! - `{{% notice warning %}}…{{% /notice %}}` (and `hint`, `alert`, `callout`, `admonition`,
//!   `note`, `tip`, `info`, `warning`, `danger`) → a callout, via the `!!!` admonition syntax;
//! - `{{< details "t" >}}` / `expand` → a collapsed callout (`<details>`), via `???`;
//! - `{{< tabs >}}` + `{{< tab "name" >}}` and pymdownx `=== "name"` → one heading per tab, a
//!   level below the heading they sit under;
//! - `{{< figure src= alt= caption= >}}` → an image with its caption;
//! - any other shortcode → its tag removed, its content kept, one `unsupported-syntax` note per
//!   shortcode name;
//! - `:::note Title` … `:::` (Docusaurus, nestable with more colons) → a callout;
//! - `{: #id .class }` after a heading → `{#id .class}` (pulldown-cmark's heading attributes);
//!   a block attribute list on a line of its own is removed;
//! - `{% raw %}` / `{% endraw %}` → removed, what they enclose kept as written; other `{% … %}`
//!   tags and `{{ expressions }}` → removed with a note; `--8<--` snippet lines → removed with
//!   a note;
//! - MDX `import … from '…'` / `export const …` lines at the top level → removed;
//! - `[TOC]` (Python-Markdown, MkDocs), `[[_TOC_]]` (GitLab) on a line of their own → removed:
//!   the page shows its table of contents itself ("On this page").
//!
//! Code is never touched: fenced and indented code blocks and inline code spans are left as
//! written (a shortcode in a code block is an example of one).

use crate::content::admonition::{in_ranges, indent_width, is_blank, split_eol, strip_cols};
use crate::content::markdown::{Note, Rewritten, options};
use pulldown_cmark::{Event, Parser, Tag};
use std::ops::Range;

/// Nesting deeper than this is left as written (each level re-parses its content).
const MAX_DEPTH: usize = 8;

/// Rewrite `body`, or `None` when it uses none of the syntax above.
pub fn rewrite(body: &str) -> Option<Rewritten> {
    if !has_trigger(body.as_bytes()) {
        return None;
    }
    let mut cx = Cx { in_raw: false };
    let out = block(body, 0, 2, &mut cx);
    if out.text == body {
        return None;
    }
    // Notes are (line, column, len) in the body's lines: make them offsets, one per kind.
    let starts: Vec<usize> = line_starts(body);
    let mut notes: Vec<Note> = Vec::new();
    for (line, col, len, what, hint) in out.notes {
        if notes.iter().any(|n| n.what == what) {
            continue;
        }
        let start = starts.get(line).copied().unwrap_or(body.len());
        let line_len = body[start..].find('\n').unwrap_or(body.len() - start);
        let mut offset = start + col.min(line_len);
        while !body.is_char_boundary(offset) {
            offset -= 1;
        }
        notes.push(Note {
            offset,
            len: len.min(body.len() - offset),
            what,
            hint,
        });
    }
    notes.sort_by_key(|n| n.offset);
    Some(Rewritten {
        text: out.text,
        sources: out.sources,
        notes,
    })
}

/// Whether `b` may hold any of the syntax [`rewrite`] handles: one pass over the bytes, since
/// every body goes through here (a string search per construct costs several passes).
///
/// Lines inside a fenced code block are skipped: [`block`] leaves code as written, and
/// runbooks are full of code that looks like other tools' syntax (`import requests`, Helm's
/// `{{ .Values }}`, Jinja), each of which cost a whole rewrite pass for nothing. The fence
/// test errs on the safe side: a fence it does not recognise (a deeper indentation) only
/// means its lines are looked at; a line it takes for a closing fence is read generously.
fn has_trigger(b: &[u8]) -> bool {
    let fenced = fenced_ranges(b);
    let outside = |i: usize| {
        // The last fenced range starting at or before `i`, if `i` is in it.
        let k = fenced.partition_point(|r| r.start <= i);
        k == 0 || !fenced[k - 1].contains(&i)
    };
    let line_start = |i: usize| i == 0 || b[i - 1] == b'\n';
    // Candidates found with SIMD searches, then checked one by one: most bytes are none.
    let braces_colons_equals = memchr::memchr3_iter(b'{', b':', b'=', b).any(|i| {
        let hit = match b[i] {
            b'{' => match b.get(i + 1) {
                Some(b'{' | b'%' | b':' | b'#') => true,
                // `{ #id }` after a heading, not the `{ memory: 3Gi }` of a code block.
                Some(b' ') => b[i + 1..]
                    .iter()
                    .find(|c| !matches!(c, b' ' | b'\t'))
                    .is_some_and(|c| matches!(c, b'#' | b'.' | b':')),
                _ => false,
            },
            b':' => b[i..].starts_with(b":::"),
            _ => b[i..].starts_with(b"==="),
        };
        hit && outside(i)
    });
    braces_colons_equals
        || memchr::memmem::find_iter(b, b"--8<--").any(outside)
        || memchr::memchr_iter(b'[', b).any(|i| {
            (i == 0 || matches!(b[i - 1], b'\n' | b' ' | b'\t'))
                && is_toc_marker(line_at(b, i))
                && outside(i)
        })
        || [&b"import "[..], b"export "]
            .iter()
            .any(|word| memchr::memmem::find_iter(b, word).any(|i| line_start(i) && outside(i)))
}

/// The byte ranges of `b` inside fenced code blocks (their content lines, not the fences),
/// in order: what [`has_trigger`] skips.
fn fenced_ranges(b: &[u8]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut fence: Option<(u8, usize, usize)> = None;
    let mut start = 0;
    while start < b.len() {
        let end = memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |e| start + e);
        let line = &b[start..end];
        match fence {
            Some((ch, len, from)) => {
                if closes_fence(line, ch, len) {
                    ranges.push(from..start);
                    fence = None;
                }
            }
            None => fence = opens_fence(line).map(|(ch, len)| (ch, len, end)),
        }
        start = end + 1;
    }
    if let Some((_, _, from)) = fence {
        // Unclosed: code to the end.
        ranges.push(from..b.len());
    }
    ranges
}

/// A line's content after block quote markers and list item markers (`> `, `- `, `1. `):
/// where a fence inside a quote or a list item starts.
fn after_containers(mut line: &[u8]) -> &[u8] {
    loop {
        let trimmed = trim_spaces(line, 3);
        let rest = match trimmed {
            [b'>', rest @ ..] => rest.strip_prefix(b" ").unwrap_or(rest),
            [b'-' | b'*' | b'+', b' ', rest @ ..] => rest,
            _ => {
                let digits = trimmed.iter().take_while(|c| c.is_ascii_digit()).count();
                match &trimmed[digits..] {
                    [b'.' | b')', b' ', rest @ ..] if (1..=9).contains(&digits) => rest,
                    _ => return line,
                }
            }
        };
        line = rest;
    }
}

/// `line` without up to `max` leading spaces.
fn trim_spaces(line: &[u8], max: usize) -> &[u8] {
    let n = line.iter().take(max).take_while(|&&c| c == b' ').count();
    &line[n..]
}

/// The fence character and length a line opens a fenced code block with: three or more
/// backticks or tildes after at most three spaces (a backtick fence's info string holds no
/// backtick).
fn opens_fence(line: &[u8]) -> Option<(u8, usize)> {
    let rest = after_containers(line);
    let t = trim_spaces(rest, 3);
    let ch = *t.first().filter(|c| matches!(c, b'`' | b'~'))?;
    let len = t.iter().take_while(|&&c| c == ch).count();
    (len >= 3 && (ch == b'~' || !t[len..].contains(&b'`'))).then_some((ch, len))
}

/// Whether `line` closes a fence of `len` characters `ch`: at least as many, then only
/// spaces. Any indentation is accepted: a fence closed too early only means later lines
/// are looked at.
fn closes_fence(line: &[u8], ch: u8, len: usize) -> bool {
    let rest = after_containers(line);
    let t: &[u8] = rest.trim_ascii();
    t.len() >= len && t.iter().all(|&c| c == ch)
}

/// The rest of the line at byte `i` of `b`.
fn line_at(b: &[u8], i: usize) -> &str {
    let end = b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |e| i + e);
    std::str::from_utf8(&b[i..end]).unwrap_or("")
}

/// A table-of-contents marker on a line of its own: `[TOC]` (Python-Markdown, MkDocs),
/// `[[_TOC_]]` (GitLab), `[[TOC]]`, `[toc]`. The page's own table of contents ("On this
/// page") stands for it.
fn is_toc_marker(line: &str) -> bool {
    let t = line.trim();
    ["[toc]", "[[_toc_]]", "[[toc]]"]
        .iter()
        .any(|m| t.eq_ignore_ascii_case(m))
}

/// (line, column in bytes, length, what, hint), lines of the text being rewritten.
type RawNote = (usize, usize, usize, String, &'static str);

struct Cx {
    /// Inside `{% raw %}`: template tags are text until `{% endraw %}`.
    in_raw: bool,
}

struct Out {
    text: String,
    /// For each output line, the input line it comes from.
    sources: Vec<usize>,
    /// Notes in input lines (mapped by the caller).
    notes: Vec<RawNote>,
}

impl Out {
    fn line(&mut self, text: &str, eol: &str, src: usize) {
        if text.is_empty() && eol.is_empty() {
            return; // the end of a text without a final newline: no line
        }
        self.text.push_str(text);
        self.text.push_str(eol);
        self.sources.push(src);
    }

    /// Append `inner` (rewritten lines `from..` of the input) with `prefix` before each
    /// non-blank line.
    fn nest(&mut self, inner: Out, from: usize, prefix: &str) {
        for (line, src) in inner.text.split_inclusive('\n').zip(inner.sources) {
            let (c, e) = split_eol(line);
            if is_blank(c) {
                self.line("", e, from + src);
            } else {
                self.line(&format!("{prefix}{c}"), e, from + src);
            }
        }
        self.notes.extend(
            inner
                .notes
                .into_iter()
                .map(|(l, c, n, w, h)| (from + l, c + prefix.len(), n, w, h)),
        );
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut pos = 0;
    text.split_inclusive('\n')
        .map(|l| {
            let s = pos;
            pos += l.len();
            s
        })
        .collect()
}

/// Code blocks, and all code (blocks and inline spans): where nothing is rewritten.
fn code_ranges(text: &str) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let (mut blocks, mut all) = (Vec::new(), Vec::new());
    for (e, r) in Parser::new_ext(text, options()).into_offset_iter() {
        match e {
            Event::Start(Tag::CodeBlock(_)) => {
                blocks.push(r.clone());
                all.push(r);
            }
            Event::Code(_) => all.push(r),
            _ => {}
        }
    }
    blocks.sort_by_key(|r| r.start);
    all.sort_by_key(|r| r.start);
    (blocks, all)
}

/// Rewrite `text` (a body, or the dedented content of a block construct). `level` is the
/// heading level a tab gets here.
fn block(text: &str, depth: usize, level: usize, cx: &mut Cx) -> Out {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let starts = line_starts(text);
    let (blocks, code) = code_ranges(text);
    let mut out = Out {
        text: String::with_capacity(text.len() + 64),
        sources: Vec::with_capacity(lines.len()),
        notes: Vec::new(),
    };
    let mut level = level;
    // The line before was an MDX statement (they come in runs).
    let mut mdx_before = false;
    let mut i = 0;
    while i < lines.len() {
        let after_mdx = std::mem::take(&mut mdx_before);
        let (content, eol) = split_eol(lines[i]);
        let indent = content.len() - content.trim_start_matches([' ', '\t']).len();
        let trimmed = content[indent..].trim_end();
        // A line whose first character is code (a fence, an indented block) stays as it is.
        if in_ranges(&blocks, starts[i] + indent) || cx.in_raw && !trimmed.contains("{%") {
            out.line(content, eol, i);
            i += 1;
            continue;
        }
        if let Some(h) = atx_level(trimmed) {
            level = (h + 1).min(6);
        }
        if depth < MAX_DEPTH
            && let Some(end) = construct(&lines, i, indent, trimmed, depth, level, cx, &mut out)
        {
            i = end;
            continue;
        }
        let paragraph_start = i == 0 || after_mdx || is_blank(split_eol(lines[i - 1]).0);
        mdx_before = depth == 0 && indent == 0 && is_mdx_statement(trimmed, paragraph_start);
        if mdx_before {
            i += 1;
            continue;
        }
        if is_toc_marker(trimmed) {
            // The page shows its table of contents itself.
            i += 1;
            continue;
        }
        if trimmed.starts_with("--8<--") {
            out.notes.push((
                i,
                indent,
                trimmed.len(),
                "`--8<--` snippet".into(),
                "pymdownx snippets include other files, which Fieldbook does not do; paste the text in, or link to the file",
            ));
            i += 1;
            continue;
        }
        if trimmed.starts_with("{:") && trimmed.ends_with('}') {
            // A block attribute list (Python-Markdown) styles the block above: no place here.
            i += 1;
            continue;
        }
        let line = inline(content, starts[i], &code, i, cx, &mut out.notes);
        let line = match atx_level(trimmed) {
            Some(_) => heading_attrs(&line),
            None => line,
        };
        if trimmed.is_empty() || !is_blank(&line) {
            let mut parts = line.split('\n').peekable();
            while let Some(part) = parts.next() {
                out.line(part, if parts.peek().is_some() { "\n" } else { eol }, i);
            }
        }
        i += 1;
    }
    out
}

/// A block construct opening at line `i`: write its rewrite and return the line after it.
#[allow(clippy::too_many_arguments)]
fn construct(
    lines: &[&str],
    i: usize,
    indent: usize,
    trimmed: &str,
    depth: usize,
    level: usize,
    cx: &mut Cx,
    out: &mut Out,
) -> Option<usize> {
    let (content, eol) = split_eol(lines[i]);
    let lead = &content[..indent];
    let cols = indent_width(lead);
    // pymdownx tabs: `=== "Name"`, content indented four columns more.
    if let Some(name) = tab_marker(trimmed) {
        let end = indented_end(lines, i, cols + 4);
        out.line(&format!("{lead}{} {name}", "#".repeat(level)), eol, i);
        let inner = dedent(&lines[i + 1..end], cols + 4);
        let inner = block(&inner, depth + 1, (level + 1).min(6), cx);
        out.nest(inner, i + 1, lead);
        return Some(end);
    }
    // Docusaurus admonitions: `:::kind Title` or `:::kind[Title]` … `:::` (same colons).
    if let Some((colons, kind, title)) = docusaurus_marker(trimmed) {
        let close = ":".repeat(colons);
        let end = (i + 1..lines.len())
            .find(|&j| split_eol(lines[j]).0.trim() == close)
            .unwrap_or(lines.len());
        out.line(&admonition_marker(lead, "!!!", &kind, &title), eol, i);
        let inner = dedent(&lines[i + 1..end], cols);
        let inner = block(&inner, depth + 1, level, cx);
        out.nest(inner, i + 1, &format!("{lead}    "));
        return Some((end + 1).min(lines.len()));
    }
    // Hugo paired shortcodes, each tag on a line of its own.
    let tag = whole_shortcode(trimmed)?;
    if tag.closing {
        return None;
    }
    let end = closing_line(lines, i, &tag.name)?;
    let inner_lines = &lines[i + 1..end];
    let after = end + 1;
    match tag.name.as_str() {
        "highlight" => {
            let lang = tag.positional(0).unwrap_or("");
            let longest = inner_lines
                .iter()
                .map(|l| longest_run(l, '`'))
                .max()
                .unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            out.line(&format!("{lead}{fence}{lang}"), eol, i);
            for (k, l) in inner_lines.iter().enumerate() {
                let (c, e) = split_eol(l);
                out.line(c, e, i + 1 + k);
            }
            out.line(&format!("{lead}{fence}"), split_eol(lines[end]).1, end);
        }
        "tabs" => {
            out.line("", eol, i);
            let inner = block(&join(inner_lines), depth + 1, level, cx);
            out.nest(inner, i + 1, "");
            out.line("", split_eol(lines[end]).1, end);
        }
        "tab" => {
            let name = tag
                .named("name")
                .or_else(|| tag.named("title"))
                .or_else(|| tag.positional(0))
                .unwrap_or("Tab");
            out.line(&format!("{lead}{} {name}", "#".repeat(level)), eol, i);
            let inner = block(&join(inner_lines), depth + 1, (level + 1).min(6), cx);
            out.nest(inner, i + 1, "");
            out.line("", split_eol(lines[end]).1, end);
        }
        name => {
            let (marker, kind, title) = match name {
                "details" | "expand" => {
                    let title = tag
                        .named("title")
                        .or_else(|| tag.named("summary"))
                        .or_else(|| tag.positional(0))
                        .unwrap_or("Details");
                    let open = tag.named("open").is_some_and(|v| v != "false")
                        || tag.args.iter().any(|(k, v)| k.is_none() && v == "open");
                    (
                        if open { "???+" } else { "???" },
                        "note".to_string(),
                        Some(title.to_string()),
                    )
                }
                _ if CALLOUT_SHORTCODES.contains(&name) => {
                    let kind = tag
                        .named("type")
                        .or_else(|| tag.named("color"))
                        .or_else(|| tag.positional(0).filter(|_| !CALLOUT_KINDS.contains(&name)))
                        .unwrap_or(name);
                    let title = tag.named("title").map(str::to_string).or_else(|| {
                        tag.positional(1)
                            .filter(|_| !CALLOUT_KINDS.contains(&name))
                            .map(str::to_string)
                    });
                    ("!!!", callout_kind(kind), title)
                }
                _ => {
                    // Unknown: drop the tags, keep what they enclose.
                    unsupported_shortcode(&tag, i, indent, trimmed.len(), &mut out.notes);
                    out.line("", eol, i);
                    let inner = block(&join(inner_lines), depth + 1, level, cx);
                    out.nest(inner, i + 1, "");
                    out.line("", split_eol(lines[end]).1, end);
                    return Some(after);
                }
            };
            out.line(&admonition_marker(lead, marker, &kind, &title), eol, i);
            let inner = dedent(inner_lines, cols);
            let inner = block(&inner, depth + 1, level, cx);
            out.nest(inner, i + 1, &format!("{lead}    "));
            // The closing tag's line stays, blank, so that what follows is not pulled in.
            out.line("", split_eol(lines[end]).1, end);
        }
    }
    Some(after)
}

/// Shortcodes that are callouts, in the Hugo themes that define them (Relearn's `notice`,
/// Book's `hint`, Docsy's `alert`, and the common ones named after their kind).
const CALLOUT_SHORTCODES: [&str; 10] = [
    "notice",
    "hint",
    "alert",
    "callout",
    "admonition",
    "note",
    "tip",
    "info",
    "warning",
    "danger",
];
/// Of those, the ones whose name is their kind (their first argument is not a kind).
const CALLOUT_KINDS: [&str; 5] = ["note", "tip", "info", "warning", "danger"];

/// The callout class for another tool's kind name.
fn callout_kind(kind: &str) -> String {
    match kind.to_ascii_lowercase().as_str() {
        "primary" | "secondary" | "information" => "info".into(),
        "success" => "tip".into(),
        "error" => "danger".into(),
        k => k
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
    }
}

fn admonition_marker(lead: &str, marker: &str, kind: &str, title: &Option<String>) -> String {
    let kind = if kind.is_empty() { "note" } else { kind };
    match title {
        // The admonition syntax has no escape for `"` in its title.
        Some(t) => format!("{lead}{marker} {kind} \"{}\"", t.replace('"', "'")),
        None => format!("{lead}{marker} {kind}"),
    }
}

fn atx_level(trimmed: &str) -> Option<usize> {
    let n = trimmed.bytes().take_while(|&b| b == b'#').count();
    ((1..=6).contains(&n) && trimmed[n..].starts_with([' ', '\t'])).then_some(n)
}

/// `=== "Name"` (also `===!` and `===+`, which only open a tab in pymdownx).
fn tab_marker(trimmed: &str) -> Option<&str> {
    let rest = trimmed.strip_prefix("===")?;
    let rest = rest
        .trim_start_matches(['!', '+'])
        .strip_prefix(' ')?
        .trim();
    let name = rest.strip_prefix('"')?.strip_suffix('"')?;
    (!name.is_empty()).then_some(name)
}

/// `:::note`, `:::tip Title`, `::::info[Title]` → (colons, kind, title).
fn docusaurus_marker(trimmed: &str) -> Option<(usize, String, Option<String>)> {
    let colons = trimmed.bytes().take_while(|&b| b == b':').count();
    if colons < 3 {
        return None;
    }
    let rest = &trimmed[colons..];
    let kind_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    if kind_len == 0 {
        return None;
    }
    let kind = callout_kind(&rest[..kind_len]);
    let tail = rest[kind_len..].trim();
    let title = match tail.strip_prefix('[') {
        Some(t) => Some(t.strip_suffix(']')?.to_string()),
        None if tail.is_empty() => None,
        None if tail.starts_with('{') => None,
        None => Some(tail.to_string()),
    };
    Some((colons, kind, title))
}

/// The end (exclusive) of the content indented at least `cols` columns after line `i`:
/// trailing blank lines are not part of it.
fn indented_end(lines: &[&str], i: usize, cols: usize) -> usize {
    let (mut end, mut j) = (i + 1, i + 1);
    while j < lines.len() {
        let c = split_eol(lines[j]).0;
        if is_blank(c) {
            j += 1;
        } else if indent_width(c) >= cols {
            j += 1;
            end = j;
        } else {
            break;
        }
    }
    end
}

fn dedent(lines: &[&str], cols: usize) -> String {
    let mut s = String::new();
    for l in lines {
        let (c, e) = split_eol(l);
        if !is_blank(c) {
            s.push_str(&strip_cols(c, cols));
        }
        s.push_str(if e.is_empty() { "\n" } else { e });
    }
    s
}

fn join(lines: &[&str]) -> String {
    dedent(lines, 0)
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        run = if c == ch { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// MDX module statements: `import X from '…'`, `import '…'`, `export const …`.
fn is_mdx_statement(trimmed: &str, paragraph_start: bool) -> bool {
    if !paragraph_start {
        return false;
    }
    if let Some(rest) = trimmed.strip_prefix("import ") {
        return rest.contains(" from '")
            || rest.contains(" from \"")
            || rest.starts_with(['\'', '"']);
    }
    trimmed.strip_prefix("export ").is_some_and(|rest| {
        ["const ", "let ", "var ", "function ", "default ", "{"]
            .iter()
            .any(|k| rest.starts_with(k))
    })
}

/// A Hugo shortcode tag: `{{< name a "b" k=v >}}` or `{{% /name %}}`.
#[derive(Debug, PartialEq, Eq)]
struct Shortcode {
    name: String,
    closing: bool,
    args: Vec<(Option<String>, String)>,
}

impl Shortcode {
    fn positional(&self, n: usize) -> Option<&str> {
        self.args
            .iter()
            .filter(|(k, _)| k.is_none())
            .nth(n)
            .map(|(_, v)| v.as_str())
    }

    fn named(&self, key: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(k, _)| k.as_deref() == Some(key))
            .map(|(_, v)| v.as_str())
    }
}

/// The shortcode tag at the start of `s`, and its length.
fn parse_shortcode(s: &str) -> Option<(Shortcode, usize)> {
    let close = if s.starts_with("{{<") {
        ">}}"
    } else if s.starts_with("{{%") {
        "%}}"
    } else {
        return None;
    };
    // Searched after the opening `{{<`, which `{{%}}` would otherwise overlap.
    let end = s[3..].find(close)? + 3;
    let inner = s[3..end].trim();
    // `{{</* x */>}}` is Hugo's way of writing a shortcode literally.
    if inner.starts_with("/*") {
        return None;
    }
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(r) => (true, r.trim_start()),
        None => (false, inner),
    };
    let inner = inner.strip_suffix('/').unwrap_or(inner).trim_end();
    let mut args = Vec::new();
    let mut rest = inner;
    let mut name = String::new();
    while !rest.is_empty() {
        let (key, after_key) = match rest.find(|c: char| c == '=' || c.is_whitespace() || c == '"')
        {
            Some(k) if rest[k..].starts_with('=') => (Some(rest[..k].to_string()), &rest[k + 1..]),
            _ => (None, rest),
        };
        let (value, next) = if let Some(q) = after_key.strip_prefix('"') {
            let e = q.find('"').unwrap_or(q.len());
            (&q[..e], q.get(e + 1..).unwrap_or(""))
        } else if let Some(q) = after_key.strip_prefix('`') {
            let e = q.find('`').unwrap_or(q.len());
            (&q[..e], q.get(e + 1..).unwrap_or(""))
        } else {
            let e = after_key
                .find(char::is_whitespace)
                .unwrap_or(after_key.len());
            (&after_key[..e], &after_key[e..])
        };
        if name.is_empty() && key.is_none() {
            name = value.to_string();
        } else {
            args.push((key, value.to_string()));
        }
        rest = next.trim_start();
    }
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_/.".contains(c))
    {
        return None;
    }
    Some((
        Shortcode {
            name,
            closing,
            args,
        },
        end + close.len(),
    ))
}

/// A line that is one shortcode tag and nothing else.
fn whole_shortcode(trimmed: &str) -> Option<Shortcode> {
    let (tag, len) = parse_shortcode(trimmed)?;
    (len == trimmed.len()).then_some(tag)
}

/// The line closing the shortcode `name` opened at line `i` (same-named tags nest).
fn closing_line(lines: &[&str], i: usize, name: &str) -> Option<usize> {
    let mut open = 1;
    for (j, l) in lines.iter().enumerate().skip(i + 1) {
        if let Some(t) = whole_shortcode(split_eol(l).0.trim()).filter(|t| t.name == name) {
            open += if t.closing { -1 } else { 1 };
            if open == 0 {
                return Some(j);
            }
        }
    }
    None
}

fn unsupported_shortcode(
    tag: &Shortcode,
    line: usize,
    col: usize,
    len: usize,
    notes: &mut Vec<RawNote>,
) {
    notes.push((
        line,
        col,
        len,
        format!("Hugo shortcode `{}`", tag.name),
        "Fieldbook renders ref, relref, highlight, notice/hint/alert, figure, details/expand and tabs; the tag of any other shortcode is removed and its content kept. Write it as Markdown to keep its meaning",
    ));
}

/// Rewrite the inline constructs of one line (`start`: its offset in the text). The result
/// may hold several lines (a figure's caption).
fn inline(
    line: &str,
    start: usize,
    code: &[Range<usize>],
    line_no: usize,
    cx: &mut Cx,
    notes: &mut Vec<RawNote>,
) -> String {
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let whole = line.trim();
    while i < line.len() {
        let rest = &line[i..];
        let at_code = in_ranges(code, start + i);
        if !at_code
            && rest.starts_with("{%")
            && let Some(e) = rest[2..].find("%}").map(|e| e + 2)
        {
            let tag = rest[2..e].trim().trim_matches('-').trim();
            let word = tag.split_whitespace().next().unwrap_or("");
            match word {
                "raw" => cx.in_raw = true,
                "endraw" => cx.in_raw = false,
                _ if cx.in_raw => {
                    out.push_str(&rest[..e + 2]);
                    i += e + 2;
                    continue;
                }
                _ => notes.push((
                    line_no,
                    i,
                    e + 2,
                    format!("template tag `{{% {word} %}}`"),
                    "Jinja and Liquid tags are not run by Fieldbook; the tag is removed. Write its result as Markdown, or wrap literal text in {% raw %}…{% endraw %}",
                )),
            }
            i += e + 2;
            continue;
        }
        if !at_code && !cx.in_raw && rest.starts_with("{{") {
            if let Some((tag, len)) = parse_shortcode(rest) {
                match tag.name.as_str() {
                    "ref" | "relref" if !tag.closing => {
                        out.push_str(
                            tag.positional(0)
                                .or_else(|| tag.named("path"))
                                .unwrap_or(""),
                        );
                    }
                    "figure" if !tag.closing => {
                        let src = tag.named("src").unwrap_or("");
                        let alt = tag
                            .named("alt")
                            .or_else(|| tag.named("caption"))
                            .or_else(|| tag.named("title"))
                            .unwrap_or("");
                        out.push_str(&format!("![{}](<{}>)", alt.replace(['[', ']'], ""), src));
                        if let Some(caption) = tag.named("caption").or_else(|| tag.named("title"))
                            && whole.len() == len
                        {
                            out.push_str(&format!("\n\n*{}*", caption.replace('*', "\\*")));
                        }
                    }
                    _ => unsupported_shortcode(&tag, line_no, i, len, notes),
                }
                i += len;
                continue;
            }
            if !rest.starts_with("{{<")
                && !rest.starts_with("{{%")
                && let Some(e) = rest[2..].find("}}").map(|e| e + 2)
            {
                notes.push((
                    line_no,
                    i,
                    e + 2,
                    "template expression `{{ … }}`".into(),
                    "template expressions are not evaluated by Fieldbook; the expression is removed. Write its value out, or wrap literal text in {% raw %}…{% endraw %}",
                ));
                i += e + 2;
                continue;
            }
        }
        let ch = rest.chars().next().map_or(1, char::len_utf8);
        out.push_str(&rest[..ch]);
        i += ch;
    }
    out
}

/// `## Title {: #id .class }` → `## Title {#id .class}`: pulldown-cmark reads the second form.
fn heading_attrs(line: &str) -> String {
    let t = line.trim_end();
    if let Some(open) = t.rfind('{')
        && t.ends_with('}')
    {
        let inner = t[open + 1..t.len() - 1].trim();
        let inner = inner.strip_prefix(':').unwrap_or(inner).trim();
        if inner.starts_with(['#', '.']) {
            return format!("{}{{{inner}}}", &t[..open]);
        }
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> String {
        rewrite(body).map_or_else(|| body.to_string(), |r| r.text)
    }

    fn notes(body: &str) -> Vec<String> {
        rewrite(body)
            .map(|r| r.notes.into_iter().map(|n| n.what).collect())
            .unwrap_or_default()
    }

    #[test]
    fn plain_markdown_is_untouched() {
        assert!(rewrite("# Title\n\nSome *text* with {braces}.\n").is_none());
        assert!(rewrite("Import the dashboard.\nexport it too.\n").is_none());
        assert!(!has_trigger(
            b"plain {text} with a-b and = signs\nand an import statement"
        ));
        assert!(!has_trigger(
            b"```yaml\nresources: { memory: 3Gi }\n```\n{ \"a\": 1 }\n"
        ));
        // Code that looks like other tools' syntax: no rewrite pass for it.
        for t in [
            "Run:\n\n```python\nimport requests\n```\n",
            "~~~yaml\nimage: {{ .Values.image }}\n~~~\n",
            "- step\n  ```\n  {% if x %}\n  ```\n",
            "> ```\n> import os\n> ```\n",
            "````md\n```\n{{< x >}}\n```\n````\n",
            "```sh\nimport a\n", // unclosed: code to the end
        ] {
            assert!(!has_trigger(t.as_bytes()), "{t}");
            assert!(rewrite(t).is_none(), "{t}");
        }
        for t in [
            "{{ x }}",
            "{% raw %}",
            ":::note",
            "=== \"T\"",
            "--8<-- a",
            "{: .x}",
            "{ #id }",
            "## T {  .wide }",
            "## T { : #id }",
            "import X from 'y'",
            "a\nexport const x = 1",
            // After a fence closes, and where a fence is not one.
            "```\ncode\n```\n{{< x >}}",
            "~~~\ncode\n```\n~~~\nimport X from 'y'",
            "``` a`b\n{{ x }}",
            "```\ncode\n   ```   \n:::note",
            "    ```\n{{ x }}",
            "- ```\n  code\n  ```\nimport X from 'y'",
        ] {
            assert!(has_trigger(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn ref_shortcodes_become_link_targets() {
        assert_eq!(
            text(
                "See [x]({{< ref \"./Other.md\" >}}) and [y]({{< relref \"/runbooks/a.md#b\" >}}).\n"
            ),
            "See [x](./Other.md) and [y](/runbooks/a.md#b).\n"
        );
    }

    #[test]
    fn code_is_never_touched() {
        let body = "```\n{{< ref \"x.md\" >}}\n{% include a %}\n:::note\n```\n\nUse `{{< param X >}}` inline.\n\n    {{ indented }}\n";
        assert_eq!(text(body), body);
        assert!(notes(body).is_empty());
    }

    #[test]
    fn highlight_becomes_a_fence() {
        assert_eq!(
            text(
                "{{< highlight bash \"linenos=table\" >}}\necho {{ x }}\n{{< /highlight >}}\nafter\n"
            ),
            "```bash\necho {{ x }}\n```\nafter\n"
        );
    }

    #[test]
    fn callouts_details_and_tabs() {
        assert_eq!(
            text("{{% notice warning %}}\nDo **not** restart.\n{{% /notice %}}\n"),
            "!!! warning\n    Do **not** restart.\n\n"
        );
        assert_eq!(
            text("{{< hint danger >}}\nx\n{{< /hint >}}\n"),
            "!!! danger\n    x\n\n"
        );
        assert_eq!(
            text("{{% alert title=\"Careful\" color=\"warning\" %}}\nx\n{{% /alert %}}\n"),
            "!!! warning \"Careful\"\n    x\n\n"
        );
        assert_eq!(
            text("{{< details \"More\" >}}\nx\n{{< /details >}}\n"),
            "??? note \"More\"\n    x\n\n"
        );
        assert_eq!(
            text(
                "## Install\n\n{{< tabs >}}\n{{< tab \"Linux\" >}}\napt\n{{< /tab >}}\n{{< /tabs >}}\n"
            ),
            "## Install\n\n\n### Linux\napt\n\n\n"
        );
        assert_eq!(
            text("# T\n\n=== \"Linux\"\n\n    apt install x\n\n=== \"Mac\"\n    brew\n"),
            "# T\n\n## Linux\n\napt install x\n\n## Mac\nbrew\n"
        );
    }

    #[test]
    fn docusaurus_admonitions_nest() {
        assert_eq!(
            text(":::tip[Fast path]\nRoll back.\n:::\n"),
            "!!! tip \"Fast path\"\n    Roll back.\n"
        );
        assert_eq!(
            text("::::note Outer\n:::danger\nin\n:::\n::::\n"),
            "!!! note \"Outer\"\n    !!! danger\n        in\n"
        );
    }

    #[test]
    fn unknown_syntax_is_removed_with_one_note_per_kind() {
        let body = "{{< param Repo >}}/a and {{< param Repo >}}/b\n\n{{% custom x %}}\nkept\n{{% /custom %}}\n\n{{ page.title }} {% include x.html %} {% raw %}{{ literal }}{% endraw %}\n--8<-- \"a.md\"\n";
        assert_eq!(text(body), "/a and /b\n\n\nkept\n\n\n  {{ literal }}\n");
        assert_eq!(
            notes(body),
            [
                "Hugo shortcode `param`",
                "Hugo shortcode `custom`",
                "template expression `{{ … }}`",
                "template tag `{% include %}`",
                "`--8<--` snippet"
            ]
        );
        let r = rewrite(body).unwrap();
        assert_eq!(
            &body[r.notes[0].offset..][..r.notes[0].len],
            "{{< param Repo >}}"
        );
        assert_eq!(&body[r.notes[2].offset..][..2], "{{");
    }

    #[test]
    fn attribute_lists_and_mdx() {
        assert_eq!(
            text(
                "import Tabs from '@theme/Tabs';\nimport X from \"x\";\n\nexport const a = 1;\n\n## Why {: #why .x }\n\nPara\n{: .lead }\n"
            ),
            "\n\n## Why {#why .x}\n\nPara\n"
        );
    }

    #[test]
    fn figures() {
        assert_eq!(
            text("{{< figure src=\"img/a.png\" alt=\"A graph\" caption=\"Lag *spikes*\" >}}\n"),
            "![A graph](<img/a.png>)\n\n*Lag \\*spikes\\**\n"
        );
    }

    #[test]
    fn odd_inputs_never_panic() {
        for body in [
            "{{%}}",
            "{{<>}}",
            "{{< >}}",
            "{%}",
            "{%%}",
            "{{}}",
            "{{ }",
            "{{<",
            "{{< /x >}}",
            "{{< x\n>}}",
            ":::",
            "::::\n:::",
            ":::note",
            ":::note\n",
            "=== \"\"",
            "=== \"a\"",
            "{{< tabs >}}\n{{< /tabs >}}",
            "{{< highlight >}}\n{{< /highlight >}}",
            "{{% notice %}}\r\nx\r\n{{% /notice %}}",
            "## é {: #ü }",
            "## {}",
            "{: }",
            "{% raw %}",
            "{% endraw %}{% raw %}{{ x }}",
            "--8<--",
            "import ",
            "export ",
            "{{< ref \"é\" >}}ü{{< x",
            "\u{feff}{{< y >}}",
            "=== \"t\"\n    === \"u\"\n        x",
        ] {
            if let Some(r) = rewrite(body) {
                let lines = r.text.split_inclusive('\n').count();
                assert_eq!(lines, r.sources.len(), "{body:?} → {:?}", r.text);
                for n in &r.notes {
                    assert!(body.is_char_boundary(n.offset) && n.offset + n.len <= body.len());
                }
            }
            let _ = crate::content::admonition::preprocess_rewritten(body, rewrite(body).as_ref())
                .source_offset(body.len());
        }
    }

    #[test]
    fn sources_map_every_line() {
        let body = "a\n{{% notice info %}}\nb\n{{% /notice %}}\nc\n";
        let r = rewrite(body).unwrap();
        assert_eq!(r.text.lines().count(), r.sources.len());
        assert_eq!(r.sources, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn table_of_contents_markers_give_way_to_the_pages_own() {
        for marker in ["[TOC]", "[[_TOC_]]", "  [toc]  ", "[[TOC]]"] {
            let body = format!("Intro\n\n{marker}\n\n## Steps\n\nDo it.\n");
            let r = rewrite(&body).unwrap_or_else(|| panic!("{marker:?} kept"));
            assert!(
                !r.text.to_lowercase().contains("toc]"),
                "{marker:?}: {}",
                r.text
            );
            assert!(r.text.contains("## Steps") && r.text.contains("Do it."));
            assert_eq!(r.sources.len(), r.text.split_inclusive('\n').count());
        }
        // In prose or code it is text.
        assert!(rewrite("See [TOC] here.\n").is_none_or(|r| r.text.contains("[TOC]")));
        let code = "```\n[TOC]\n```\n";
        assert!(rewrite(code).is_none_or(|r| r.text.contains("[TOC]")));
    }
}
