//! ERB in Middleman pages (the GOV.UK tech docs template's `*.html.md.erb`), read as
//! Markdown before anything else parses the body. Middleman runs ERB over the whole file
//! first, so this pass does too (code blocks included):
//!
//! - `<%= partial "x" %>` → the partial's text, looked up as Middleman does: `_x` (then `x`)
//!   with a template extension (`.md`, `.html.md`, `.md.erb`, `.html.md.erb`, `.erb`,
//!   `.html.erb`), first beside the including file, then from the content root; a partial's
//!   own ERB is read the same way. A missing partial and a partial that includes itself
//!   (directly or not) are findings at the include;
//! - `<%= link_to "text", "url" %>` → `[text](url)`;
//! - `<%= image_tag "src", alt: "a" %>` → `![a](src)`; a bare name is in Middleman's
//!   `images/` folder, written relative to the page so the link is checked;
//! - `<%= warning_text "…" %>` → a `!!! warning` callout (inline: bold "Warning:");
//! - `<%# comments %>` → removed, silently;
//! - anything else (`<% if … %>`, `<%= current_page.url %>`) → removed, what it encloses
//!   kept, an `unsupported-syntax` note per helper at its first use.
//!
//! Statement tags (`<% … %>`, `<%# … %>`) alone on a line take the line with them, as ERB's
//! trim mode does. Each output line maps to the body line it comes from; the lines of an
//! included partial map to the line of its include.

use crate::content::body::{Note, Rewritten};
use crate::diagnostic::Code;

/// Includes nested deeper than this are not followed (a finding of its own).
pub const MAX_DEPTH: usize = 64;

/// At most this many includes are expanded for one page: ten partials each including the
/// next ten times would otherwise expand 10^10 times.
pub const MAX_INCLUDES: usize = 2_000;

/// A page's text with its partials is at most this long (bytes); the rest is not included.
pub const MAX_EXPANDED: usize = 8 * 1024 * 1024;

/// How [`rewrite`] reads a partial by content-relative path: `None` when there is no such
/// file, `Some(Err(why))` when there is one that may not be read (a link out of the site, a
/// FIFO, too large, not UTF-8: [`crate::config::read_inside`]).
pub type ReadPartial<'r> = &'r dyn Fn(&str) -> Option<Result<String, String>>;

/// Template extensions a partial may have, tried in this order.
const PARTIAL_EXTENSIONS: [&str; 9] = [
    ".md",
    ".html.md",
    ".md.erb",
    ".html.md.erb",
    ".markdown",
    ".erb",
    ".html.erb",
    ".html",
    "",
];

/// A problem at an include: a missing, unreadable or cyclic partial, or too many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub code: Code,
    /// Byte range of the tag in the body.
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub hint: &'static str,
}

/// A body with its ERB read, and the problems found at includes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erb {
    pub rewritten: Rewritten,
    pub problems: Vec<Problem>,
}

/// Whether a content-relative path is a Middleman partial (`_name.…`, not a page): a file
/// whose name starts with `_` and ends in `.erb`, `.md` or `.markdown`. Hugo's section pages
/// (`_index.md`) are pages.
pub fn is_partial(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.starts_with('_')
        && !matches!(name, "_index.md" | "_index.markdown")
        && [".erb", ".md", ".markdown"]
            .iter()
            .any(|x| name.ends_with(x))
}

/// A page's path without its extensions, as Middleman publishes it: `a/b.html.md.erb` →
/// `a/b.html`, `a/b.md.erb` → `a/b`; other paths as [`crate::content::urls::source_stem`]
/// gives them.
pub fn page_stem(rel: &str) -> &str {
    let rel = rel
        .strip_suffix(".erb")
        .filter(|r| crate::content::urls::source_stem(r).is_some())
        .unwrap_or(rel);
    crate::content::urls::source_stem(rel).unwrap_or(rel)
}

/// Whether a body may hold ERB.
pub fn has_erb(body: &str) -> bool {
    body.contains("<%")
}

/// Read the ERB of `body`, the body of the document at `rel` (content-relative). `read`
/// gives the text of a content-relative file, `None` when there is none. `None` when the
/// body has no ERB.
pub fn rewrite(body: &str, rel: &str, read: ReadPartial<'_>) -> Option<Erb> {
    if !has_erb(body) {
        return None;
    }
    let mut cx = Cx {
        read,
        out: Emitter::default(),
        notes: Vec::new(),
        problems: Vec::new(),
        page_dir: parent(rel).to_string(),
        includes: 0,
        over_budget: false,
    };
    let mut stack = vec![rel.to_string()];
    cx.expand(body, parent(rel), &mut stack, None);
    let Cx {
        mut out,
        notes,
        problems,
        ..
    } = cx;
    out.finish();
    Some(Erb {
        rewritten: Rewritten {
            text: out.text,
            sources: out.sources,
            notes,
        },
        problems,
    })
}

fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Output text and, for each of its lines, the body line it comes from.
#[derive(Default)]
struct Emitter {
    text: String,
    sources: Vec<usize>,
    /// The source of the line being written, once something is on it.
    line_src: Option<usize>,
}

impl Emitter {
    fn push(&mut self, s: &str, src: usize) {
        for piece in s.split_inclusive('\n') {
            self.line_src.get_or_insert(src);
            self.text.push_str(piece);
            if piece.ends_with('\n') {
                self.sources.push(self.line_src.take().unwrap_or(src));
            }
        }
    }

    /// Start a new line unless at the start of one.
    fn break_line(&mut self, src: usize) {
        if self.line_src.is_some() {
            self.push("\n", src);
        }
    }

    fn finish(&mut self) {
        if let Some(src) = self.line_src.take() {
            self.sources.push(src);
        }
    }
}

struct Cx<'r> {
    read: ReadPartial<'r>,
    out: Emitter,
    notes: Vec<Note>,
    problems: Vec<Problem>,
    /// The page's folder: images and links are written relative to it.
    page_dir: String,
    /// Includes expanded so far (bounded by [`MAX_INCLUDES`]).
    includes: usize,
    /// The page reached [`MAX_INCLUDES`] or [`MAX_EXPANDED`]: nothing more is included.
    over_budget: bool,
}

/// One ERB tag in a text.
struct Tag<'t> {
    start: usize,
    end: usize,
    /// `=` (output), `#` (comment) or ` ` (statement).
    mark: char,
    code: &'t str,
}

/// The next tag at or after `from`, or `None`. An unclosed tag runs to the end.
fn next_tag(text: &str, from: usize) -> Option<Tag<'_>> {
    let mut at = from;
    loop {
        let start = at + text[at..].find("<%")?;
        if text[start..].starts_with("<%%") {
            at = start + 3;
            continue;
        }
        let mut inner = start + 2;
        let mark = match text[inner..].chars().next() {
            Some('=') => {
                inner += 1;
                '='
            }
            Some('#') => {
                inner += 1;
                '#'
            }
            Some('-') => {
                inner += 1;
                ' '
            }
            _ => ' ',
        };
        let (close, end) = match text[inner..].find("%>") {
            Some(i) => (inner + i, inner + i + 2),
            None => (text.len(), text.len()),
        };
        let code = text[inner..close].trim().trim_end_matches('-').trim();
        return Some(Tag {
            start,
            end,
            mark,
            code,
        });
    }
}

impl Cx<'_> {
    /// Expand `text`, whose relative includes are in folder `dir`. `at` is the body offset
    /// and line every output line maps to when `text` is a partial (`None`: `text` is the
    /// body itself).
    fn expand(
        &mut self,
        text: &str,
        dir: &str,
        stack: &mut Vec<String>,
        at: Option<(usize, usize, usize)>,
    ) {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let line_of = |offset: usize| starts.partition_point(|&s| s <= offset) - 1;
        let src_of = |offset: usize| at.map_or_else(|| line_of(offset), |(_, _, l)| l);
        let mut pos = 0;
        while let Some(tag) = next_tag(text, pos) {
            let (mut from, mut to) = (tag.start, tag.end);
            // A statement or comment alone on its line takes the line with it.
            let line_start = starts[line_of(tag.start)];
            let line_end = text[tag.end..]
                .find('\n')
                .map_or(text.len(), |i| tag.end + i + 1);
            let alone = text[line_start..tag.start].trim().is_empty()
                && text[tag.end..line_end].trim().is_empty();
            if alone && line_start >= pos {
                from = line_start;
                to = line_end;
            }
            self.literal(&text[pos..from], pos, &src_of);
            let (offset, len) = at.map_or((tag.start, tag.end - tag.start), |(o, l, _)| (o, l));
            let src = src_of(tag.start);
            let own_line = alone && tag.mark == '=';
            match tag.mark {
                '#' => {}
                '=' => {
                    self.output(&tag, own_line, dir, stack, (offset, len, src));
                    if own_line && to > tag.end {
                        self.out.break_line(src);
                    }
                }
                _ => self.unsupported(&tag, offset, len),
            }
            pos = to;
        }
        self.literal(&text[pos..], pos, &src_of);
    }

    fn literal(&mut self, s: &str, offset: usize, src_of: &dyn Fn(usize) -> usize) {
        let mut at = offset;
        for piece in s.split_inclusive('\n') {
            let piece = piece.replace("<%%", "<%");
            self.out.push(&piece, src_of(at));
            at += piece.len();
        }
    }

    fn note(&mut self, what: String, offset: usize, len: usize, hint: &'static str) {
        if !self.notes.iter().any(|n| n.what == what) {
            self.notes.push(Note {
                offset,
                len,
                what,
                hint,
            });
        }
    }

    fn unsupported(&mut self, tag: &Tag<'_>, offset: usize, len: usize) {
        let name = helper_name(tag.code);
        let what = if name.is_empty() {
            "ERB code `<% … %>`".to_string()
        } else {
            format!("ERB `{name}`")
        };
        self.note(
            what,
            offset,
            len,
            "Fieldbook reads `partial`, `link_to`, `image_tag` and `warning_text`; write other ERB as Markdown (docs/adopting.md)",
        );
    }

    fn output(
        &mut self,
        tag: &Tag<'_>,
        own_line: bool,
        dir: &str,
        stack: &mut Vec<String>,
        (offset, len, src): (usize, usize, usize),
    ) {
        let name = helper_name(tag.code);
        let args = parse_args(&tag.code[name.len()..]);
        let first = args.positional.first().cloned();
        match (name, first) {
            ("partial", Some(p)) => self.include(&p, dir, stack, (offset, len, src)),
            ("link_to", Some(t)) => {
                let url = args.positional.get(1).cloned().unwrap_or_default();
                self.out.push(&format!("[{t}]({})", link_dest(&url)), src);
            }
            ("image_tag", Some(s)) => {
                let alt = args.named("alt").unwrap_or_default();
                let path = self.image_path(&s);
                self.out
                    .push(&format!("![{alt}]({})", link_dest(&path)), src);
            }
            ("warning_text", Some(t)) if own_line => {
                self.out.break_line(src);
                self.out.push("!!! warning\n", src);
                for l in t.lines() {
                    self.out.push(&format!("    {l}\n"), src);
                }
            }
            ("warning_text", Some(t)) => {
                self.out.push(&format!("**Warning:** {t}"), src);
            }
            _ => self.unsupported(tag, offset, len),
        }
    }

    /// Where `image_tag` finds `src`, relative to the page: a bare path is in `images/`.
    fn image_path(&self, src: &str) -> String {
        if src.contains("://") || src.starts_with("//") || src.starts_with("data:") {
            return src.to_string();
        }
        let site_path = match src.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("images/{src}"),
        };
        let up = if self.page_dir.is_empty() {
            0
        } else {
            self.page_dir.matches('/').count() + 1
        };
        format!("{}{site_path}", "../".repeat(up))
    }

    fn include(
        &mut self,
        name: &str,
        dir: &str,
        stack: &mut Vec<String>,
        (offset, len, src): (usize, usize, usize),
    ) {
        if self.over_budget {
            return;
        }
        let (rel, text) = match self.find_partial(name, dir) {
            None => {
                self.problems.push(Problem {
                    code: Code::BrokenLink,
                    offset,
                    len,
                    message: format!("partial `{name}` does not exist"),
                    hint: "add the partial (`_name.md` or `_name.html.md.erb`, beside the page or from the content root) or remove the include",
                });
                return;
            }
            Some(Err((rel, why))) => {
                self.problems.push(Problem {
                    code: Code::SymlinkOutside,
                    offset,
                    len,
                    message: format!("partial `{name}` ({rel}) was not read: {why}"),
                    hint: "make the partial a regular file inside the site, or remove the include",
                });
                return;
            }
            Some(Ok(found)) => found,
        };
        if stack.contains(&rel) {
            let chain: Vec<&str> = stack.iter().map(String::as_str).collect();
            self.problems.push(Problem {
                code: Code::BrokenLink,
                offset,
                len,
                message: format!(
                    "partial `{name}` ({rel}) includes itself: {} → {rel}",
                    chain.join(" → ")
                ),
                hint: "break the cycle: a partial cannot include the page or partial that includes it",
            });
            return;
        }
        if stack.len() > MAX_DEPTH {
            self.problems.push(Problem {
                code: Code::BrokenLink,
                offset,
                len,
                message: format!(
                    "partial `{name}` ({rel}) is nested {} deep, deeper than the {MAX_DEPTH} Fieldbook follows: {} → … → {rel}",
                    stack.len(),
                    stack[0]
                ),
                hint: "include the partials from fewer levels",
            });
            return;
        }
        self.includes += 1;
        if self.includes > MAX_INCLUDES || self.out.text.len() + text.len() > MAX_EXPANDED {
            self.over_budget = true;
            self.problems.push(Problem {
                code: Code::FileTooLarge,
                offset,
                len,
                message: format!(
                    "the page's partials expand to more than {MAX_INCLUDES} includes or {} MiB; `{name}` and the includes after it were left out",
                    MAX_EXPANDED >> 20
                ),
                hint: "include fewer partials (a partial including another many times multiplies them)",
            });
            return;
        }
        let text = match crate::content::front_matter::split(&text) {
            Ok(s) if !s.front.is_empty() => s.body.to_string(),
            _ => text,
        };
        self.out.break_line(src);
        stack.push(rel.clone());
        self.expand(&text, parent(&rel), stack, Some((offset, len, src)));
        stack.pop();
        self.out.break_line(src);
    }

    /// The content-relative path and text of partial `name` included from folder `dir`
    /// (`Err`: the path and why it may not be read).
    #[allow(clippy::type_complexity)]
    fn find_partial(
        &self,
        name: &str,
        dir: &str,
    ) -> Option<Result<(String, String), (String, String)>> {
        let name = name.trim();
        let (sub, base) = match name.trim_start_matches('/').rsplit_once('/') {
            Some((s, b)) => (s, b),
            None => ("", name.trim_start_matches('/')),
        };
        let roots: Vec<&str> = if name.starts_with('/') {
            vec![""]
        } else {
            vec![dir, ""]
        };
        for root in roots {
            let folder = [root, sub]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("/");
            for file in [format!("_{base}"), base.to_string()] {
                for x in PARTIAL_EXTENSIONS {
                    let rel = if folder.is_empty() {
                        format!("{file}{x}")
                    } else {
                        format!("{folder}/{file}{x}")
                    };
                    if (x.is_empty() && !is_partial(&rel)) || rel.split('/').any(|s| s == "..") {
                        continue;
                    }
                    match (self.read)(&rel) {
                        None => {}
                        Some(Ok(text)) => return Some(Ok((rel, text))),
                        Some(Err(why)) => return Some(Err((rel, why))),
                    }
                }
            }
        }
        None
    }
}

/// A link destination as Markdown needs it: in `<…>` when it has spaces or parentheses.
fn link_dest(url: &str) -> String {
    if url.contains([' ', '(', ')']) {
        format!("<{url}>")
    } else {
        url.to_string()
    }
}

/// The helper a tag calls: its first identifier (`partial`, `link_to`, `current_page`).
fn helper_name(code: &str) -> &str {
    let end = code
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '?' || c == '!'))
        .unwrap_or(code.len());
    &code[..end]
}

/// A helper call's string arguments: positional ones and `key: "v"` / `:key => "v"` pairs.
#[derive(Debug, Default, PartialEq, Eq)]
struct Args {
    positional: Vec<String>,
    named: Vec<(String, String)>,
}

impl Args {
    fn named(&self, key: &str) -> Option<String> {
        self.named
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
}

fn parse_args(s: &str) -> Args {
    let mut args = Args::default();
    let b = s.as_bytes();
    let mut i = 0;
    let mut key: Option<String> = None;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'') => {
                let mut v = String::new();
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        i += 1;
                    }
                    let c = s[i..].chars().next().unwrap_or('\0');
                    v.push(c);
                    i += c.len_utf8();
                }
                i += 1;
                match key.take() {
                    Some(k) => args.named.push((k, v)),
                    None => args.positional.push(v),
                }
            }
            c if c.is_ascii_alphabetic() || c == b':' || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_:".contains(&b[i])) {
                    i += 1;
                }
                let word = s[start..i].trim_matches(':').to_string();
                let rest = s[i..].trim_start();
                if s[start..i].ends_with(':') || rest.starts_with("=>") {
                    key = Some(word);
                    if rest.starts_with("=>") {
                        i = s.len() - rest.len() + 2;
                    }
                }
            }
            _ => i += 1,
        }
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn run(body: &str, rel: &str, files: &[(&str, &str)]) -> Erb {
        let files: HashMap<String, String> = files
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        rewrite(body, rel, &|p| files.get(p).cloned().map(Ok)).unwrap()
    }

    #[test]
    fn helpers_become_markdown() {
        let e = run(
            "# T\n\nSee <%= link_to \"the guide\", \"/guide.html\" %>.\n<%= image_tag \"arch.png\", alt: \"Architecture\" %>\n<%= warning_text \"Do not restart\" %>\nafter\n",
            "ops/x.html.md.erb",
            &[],
        );
        assert_eq!(
            e.rewritten.text,
            "# T\n\nSee [the guide](/guide.html).\n![Architecture](../images/arch.png)\n!!! warning\n    Do not restart\nafter\n"
        );
        assert_eq!(e.rewritten.sources, [0, 1, 2, 3, 4, 4, 5]);
        assert!(e.rewritten.notes.is_empty() && e.problems.is_empty());
        let args = parse_args(r#"("x.png", :alt => "A", class: 'c')"#);
        assert_eq!(args.positional, ["x.png"]);
        assert_eq!(args.named("alt").as_deref(), Some("A"));
        assert_eq!(args.named("class").as_deref(), Some("c"));
    }

    #[test]
    fn partials_are_included_and_map_to_the_include() {
        let e = run(
            "a\n<%= partial \"shared/contact\" %>\nb\n",
            "ops/x.html.md.erb",
            &[
                (
                    "shared/_contact.md",
                    "Call <%= link_to \"us\", \"tel:1\" %>\n\nsoon\n",
                ),
                ("ops/_contact.md", "not this: the sub folder is shared/\n"),
            ],
        );
        assert_eq!(e.rewritten.text, "a\nCall [us](tel:1)\n\nsoon\nb\n");
        assert_eq!(e.rewritten.sources, [0, 1, 1, 1, 2]);
        // Beside the page first, then from the root; `_name` before `name`.
        let e = run(
            "<%= partial 'contact' %>\n",
            "ops/x.md",
            &[
                ("ops/_contact.html.md.erb", "here\n"),
                ("_contact.md", "root\n"),
            ],
        );
        assert_eq!(e.rewritten.text, "here\n");
    }

    #[test]
    fn missing_and_cyclic_partials_are_problems() {
        let e = run(
            "x\n<%= partial \"nope\" %>\n<%= partial \"loop\" %>\n",
            "p.md.erb",
            &[("_loop.md", "<%= partial \"loop\" %>\n")],
        );
        let got: Vec<_> = e
            .problems
            .iter()
            .map(|p| (p.offset, p.message.clone()))
            .collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], (2, "partial `nope` does not exist".to_string()));
        assert_eq!(got[1].0, 24);
        assert!(got[1].1.contains("includes itself"), "{got:?}");
    }

    #[test]
    fn deep_chains_are_not_cycles_and_too_deep_is_said() {
        let chain = |n: usize| -> Vec<(String, String)> {
            (0..n)
                .map(|i| {
                    (
                        format!("_p{i}.md"),
                        format!("{i}\n<%= partial \"p{}\" %>\n", i + 1),
                    )
                })
                .chain(std::iter::once((format!("_p{n}.md"), "end\n".to_string())))
                .collect()
        };
        let files = chain(40);
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let e = run("<%= partial \"p0\" %>\n", "page.md.erb", &refs);
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        assert!(e.rewritten.text.contains("39\n") && e.rewritten.text.contains("end"));

        let files = chain(MAX_DEPTH + 5);
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let e = run("<%= partial \"p0\" %>\n", "page.md.erb", &refs);
        assert_eq!(e.problems.len(), 1, "{:?}", e.problems);
        assert!(
            e.problems[0].message.contains("deeper than"),
            "{:?}",
            e.problems
        );
        assert!(!e.problems[0].message.contains("includes itself"));
    }

    #[test]
    fn a_partial_bomb_stops_at_the_budget() {
        // Ten partials, each including the next ten times: 10^10 includes unbounded.
        let files: Vec<(String, String)> = (0..10)
            .map(|i| {
                (
                    format!("_b{i}.md"),
                    format!("<%= partial \"b{}\" %>\n", i + 1).repeat(10),
                )
            })
            .chain(std::iter::once((
                "_b10.md".to_string(),
                "boom\n".to_string(),
            )))
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let started = std::time::Instant::now();
        let e = run("<%= partial \"b0\" %>\n", "page.md.erb", &refs);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(e.problems.len(), 1, "{:?}", e.problems);
        assert_eq!(e.problems[0].code, Code::FileTooLarge);
        assert!(e.rewritten.text.len() <= MAX_EXPANDED);
    }

    #[test]
    fn a_partial_that_may_not_be_read_is_named_with_why() {
        let e = rewrite("<%= partial \"secret\" %>\n", "p.md.erb", &|p| {
            (p == "_secret.md")
                .then(|| Err("it is a symbolic link that leads outside the site directory".into()))
        })
        .unwrap();
        assert_eq!(e.problems.len(), 1);
        assert_eq!(e.problems[0].code, Code::SymlinkOutside);
        assert!(
            e.problems[0].message.contains("_secret.md"),
            "{:?}",
            e.problems
        );
        assert!(!e.rewritten.text.contains("root:"));
    }

    #[test]
    fn odd_tags_neither_panic_nor_leak() {
        for body in [
            "<%",
            "<%=",
            "<%= partial",
            "é<%=é%>ü",
            "<%%> kept",
            "<%-  -%>\n",
            "a <%= link_to \"é\"",
            "<%= image_tag 'x.png', :alt => \"A\\\"B\" %>",
            "<%= partial \"../../etc/passwd\" %>",
            "<%= warning_text \"two\nlines\" %>\n",
            "\n\n<%# c\n%>\n<% x %><% y %>\n",
        ] {
            let e = run(body, "a/b.md.erb", &[]);
            assert_eq!(
                e.rewritten.sources.len(),
                e.rewritten.text.split_inclusive('\n').count(),
                "{body:?}"
            );
            let leaked =
                e.rewritten.text.replace("<%%", "").contains("<%") && !body.contains("<%%");
            assert!(!leaked, "{body:?} → {:?}", e.rewritten.text);
        }
    }

    #[test]
    fn other_erb_is_removed_with_a_note() {
        let e = run(
            "<% if current_page.data.x %>\nkept\n<% end %>\n<%# a comment %>\nv<%= current_page.url %>w <%= config[:x] %>\n",
            "p.md.erb",
            &[],
        );
        assert_eq!(e.rewritten.text, "kept\nvw \n");
        assert_eq!(e.rewritten.sources, [1, 4]);
        let what: Vec<_> = e.rewritten.notes.iter().map(|n| n.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "ERB `if`",
                "ERB `end`",
                "ERB `current_page`",
                "ERB `config`"
            ]
        );
        let before = "<% if current_page.data.x %>\nkept\n<% end %>\n<%# a comment %>\nv";
        assert_eq!(e.rewritten.notes[2].offset, before.len());
        assert!(is_partial("a/_x.html.md.erb") && is_partial("_y.md"));
        assert_eq!(page_stem("a/b.html.md.erb"), "a/b.html");
        assert_eq!(page_stem("a/b.md.erb"), "a/b");
        assert_eq!(page_stem("a/b.html.md"), "a/b.html");
        assert_eq!(page_stem("a/b.html.erb"), "a/b.html.erb");
        assert!(!is_partial("_index.md") && !is_partial("a/b.md") && !is_partial("_x.png"));
    }
}
