//! Code blocks checked by their language (`invalid-code`, docs/checks.md): a runbook's PromQL
//! query, YAML, JSON or TOML snippet that no longer parses, or a shell command shellcheck
//! finds an error or warning in, is a step that fails the reader on call. Each finding sits
//! at its line and column in the document.
//!
//! Placeholders (`$NAMESPACE`, `{{ pod }}`, `<pod>`: [`crate::content::code::placeholders`])
//! are replaced by a dummy of the same length that the language accepts where they stand,
//! so positions in the parsed text are positions in the block. Shell blocks are checked by
//! shellcheck, once for the whole run ([`shellcheck`]); session blocks (`console`, or a
//! block with `$ ` prompts) as Copy takes them, commands only.

pub mod shellcheck;

use crate::content::code::{Forms, Lang, may_hold, placeholders};
use crate::content::markdown::CodeBlock;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Document, Site};
use rayon::prelude::*;
use std::collections::HashMap;

/// At most this many `invalid-code` findings per document: past it the document needs
/// rewriting, not a longer list.
pub const MAX_PER_DOCUMENT: usize = 20;

/// PromQL blocks nesting brackets deeper than this are not parsed.
const MAX_PROMQL_DEPTH: usize = 64;

/// A problem in one block: where in its text (byte offset, length) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub at: usize,
    pub len: usize,
    pub message: String,
}

/// The `invalid-code` findings of the listed documents `keep` accepts.
pub fn check(site: &Site, keep: &(dyn Fn(&str) -> bool + Sync)) -> Vec<Diagnostic> {
    let docs: Vec<&Document> = site
        .documents
        .iter()
        .filter(|d| d.is_listed(false) && keep(&d.file))
        .collect();
    // Each distinct block is checked once (handbooks repeat their commands and queries): by
    // its info-string language, since a `console` block reads otherwise than a `sh` one.
    let mut distinct: HashMap<(&str, &str), usize> = HashMap::new();
    let mut blocks: Vec<(Lang, &CodeBlock)> = Vec::new();
    let mut uses: Vec<(usize, usize, usize)> = Vec::new();
    for (di, d) in docs.iter().enumerate() {
        for (bi, b) in d.outline.code_blocks.iter().enumerate() {
            let Some(lang) = Lang::of(&b.lang).filter(|_| !b.no_check && !b.too_large) else {
                continue;
            };
            if lang == Lang::Shell && !site.config.shellcheck {
                continue;
            }
            let at = *distinct
                .entry((b.lang.as_str(), b.text.as_str()))
                .or_insert_with(|| {
                    blocks.push((lang, b));
                    blocks.len() - 1
                });
            uses.push((di, bi, at));
        }
    }
    // The shell blocks' one shellcheck run goes on while the other blocks are parsed.
    let shell: Vec<&CodeBlock> = blocks
        .iter()
        .filter(|(lang, _)| *lang == Lang::Shell)
        .map(|(_, b)| *b)
        .collect();
    let (parsed, mut checked) = rayon::join(
        || {
            blocks
                .par_iter()
                .map(|(lang, b)| parse(*lang, &b.text))
                .collect::<Vec<_>>()
        },
        || shell_problems(site, &shell, docs.len() < site.listed(false).count()).into_iter(),
    );
    let problems: Vec<Vec<Problem>> = blocks
        .iter()
        .zip(parsed)
        .map(|((lang, _), p)| match lang {
            Lang::Shell => checked.next().unwrap_or_default(),
            _ => p,
        })
        .collect();
    let mut per_doc: Vec<Vec<(usize, Lang, &Problem)>> = vec![Vec::new(); docs.len()];
    for (di, bi, at) in uses {
        let lang = blocks[at].0;
        per_doc[di].extend(problems[at].iter().map(|p| (bi, lang, p)));
    }
    docs.iter()
        .zip(per_doc)
        .flat_map(|(d, mut found)| {
            found.sort_by_key(|(bi, _, p)| (*bi, p.at));
            found
                .into_iter()
                .take(MAX_PER_DOCUMENT)
                .map(|(bi, lang, p)| finding(d, &d.outline.code_blocks[bi], lang, p))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// shellcheck's errors and warnings in each shell block, in order, from one run over the
/// blocks its cache does not have (none when it is not installed: `cli` says so once).
/// `partial`: the blocks are those of some documents only.
fn shell_problems(site: &Site, blocks: &[&CodeBlock], partial: bool) -> Vec<Vec<Problem>> {
    let none = || vec![Vec::new(); blocks.len()];
    if blocks.is_empty() {
        return Vec::new();
    }
    let Some(program) = shellcheck::find() else {
        return none();
    };
    let texts: Vec<String> = blocks
        .iter()
        .map(|b| shell_text(&b.lang, &b.text))
        .collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let results = match shellcheck::run_cached(&program, &texts, &site.config, partial) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("note: shell blocks not checked: shellcheck failed: {e}");
            return none();
        }
    };
    // Positions in the checked text are positions in the block: same lines, same columns.
    blocks
        .iter()
        .zip(results)
        .map(|(b, comments)| {
            comments
                .into_iter()
                .map(|c| {
                    let at = char_offset(&b.text, c.line, c.column);
                    let end = char_offset(&b.text, c.line, c.end_column).max(at + 1);
                    Problem {
                        at,
                        len: end - at,
                        message: format!("{} {}", c.code, c.message),
                    }
                })
                .collect()
        })
        .collect()
}

/// Why each of `doc`'s broken blocks in a parsed language (not shell: shellcheck runs once
/// per check, not per page) no longer parses, by its index in the outline's code blocks: the
/// notes its page shows above them.
pub fn page_notes(doc: &Document) -> Vec<(usize, String)> {
    doc.outline
        .code_blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.no_check && !b.too_large)
        .filter_map(|(i, b)| {
            let lang = Lang::of(&b.lang).filter(|l| *l != Lang::Shell)?;
            let first = parse(lang, &b.text).into_iter().next()?;
            Some((i, first.message))
        })
        .collect()
}

/// Whether shellcheck was wanted for shell blocks of the listed documents but is not
/// installed: the note `check` prints once.
pub fn shellcheck_missing(site: &Site) -> bool {
    site.config.shellcheck
        && site.listed(false).any(|d| {
            d.outline
                .code_blocks
                .iter()
                .any(|b| !b.no_check && !b.too_large && Lang::of(&b.lang) == Some(Lang::Shell))
        })
        && shellcheck::find().is_none()
}

/// The finding for `p` in block `b` of `doc`.
fn finding(doc: &Document, b: &CodeBlock, lang: Lang, p: &Problem) -> Diagnostic {
    doc.finding(
        Code::InvalidCode,
        doc.body_pos(body_offset(b, p.at), p.len),
        match lang {
            // shellcheck's findings are not all about parsing; its message says what.
            Lang::Shell => format!("shell block: {}", p.message),
            _ => format!("{} block does not parse: {}", lang.name(), p.message),
        },
    )
    .with_hint(format!(
        "fix the {} (placeholders such as `$NAMESPACE` or `<pod>` are fine); if it is meant as it is, make its info string `{} {{no-check}}` or put `<!-- fieldbook: no-check -->` on the line before it",
        if lang == Lang::Shell { "command" } else { "block" },
        b.lang
    ))
}

/// The body offset of byte `at` of a block's text.
fn body_offset(b: &CodeBlock, at: usize) -> usize {
    let at = at.min(b.text.len());
    let line = b.text[..floor(&b.text, at)].matches('\n').count();
    let line_start = b.text[..floor(&b.text, at)]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    match b.lines.get(line).or(b.lines.last()) {
        Some(&start) if line < b.lines.len() => start + (at - line_start),
        Some(&start) => start,
        None => b.offset,
    }
}

fn floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The problems of a block in a parsed language (not shell), in order.
pub fn parse(lang: Lang, text: &str) -> Vec<Problem> {
    let problem = |at: usize, message: String| {
        vec![Problem {
            at,
            len: 1,
            message,
        }]
    };
    match lang {
        Lang::PromQl => promql(text),
        Lang::Yaml => {
            let text = substitute(text, lang, Dummy::Name);
            let mut out = Vec::new();
            for doc in serde_yaml_ng::Deserializer::from_str(&text) {
                if let Err(e) = <serde::de::IgnoredAny as serde::Deserialize>::deserialize(doc) {
                    let at = e.location().map_or(0, |l| l.index());
                    out = problem(at, drop_marks(&e.to_string()));
                    break;
                }
            }
            out
        }
        Lang::Json => {
            let text = substitute(text, lang, Dummy::Name);
            match serde_json::from_str::<serde::de::IgnoredAny>(&text) {
                Ok(_) => Vec::new(),
                Err(e) => problem(
                    line_col(&text, e.line(), e.column().saturating_sub(1)),
                    drop_marks(&e.to_string()),
                ),
            }
        }
        Lang::Toml => {
            let text = substitute(text, lang, Dummy::Name);
            match toml::from_str::<toml::Table>(&text) {
                Ok(_) => Vec::new(),
                Err(e) => problem(
                    e.span().map_or(0, |s| s.start),
                    e.message().trim().to_string(),
                ),
            }
        }
        Lang::Shell => Vec::new(),
    }
}

/// The byte offset of 1-based `line`, 1-based character `column` in `text`, clamped to the
/// line; past the last line (shellcheck's "expected end of string"), the end of the text.
fn char_offset(text: &str, line: usize, column: usize) -> usize {
    if line > text.trim_end_matches('\n').split('\n').count() {
        return text.trim_end_matches('\n').len();
    }
    let start = line_col(text, line, 0);
    let line_text = &text[start..];
    let line_text = &line_text[..line_text.find('\n').unwrap_or(line_text.len())];
    start
        + line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i)
}

/// The byte offset of 1-based `line`, byte column `col` (0-based) in `text`, clamped to it.
fn line_col(text: &str, line: usize, col: usize) -> usize {
    let start = match line {
        0 | 1 => 0,
        n => text
            .match_indices('\n')
            .nth(n - 2)
            .map_or(text.len(), |(i, _)| i + 1),
    };
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    (start + col).min(end)
}

/// A parser's message without the positions it gives in the block's own text (" at line 3
/// column 5"): the finding has the position in the document.
fn drop_marks(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n = digits(after);
        let tail = &after[n..];
        match tail.strip_prefix(" column ") {
            Some(t) if n > 0 && digits(t) > 0 => rest = &t[digits(t)..],
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// A PromQL block's problems: none when it parses as one query or each of its paragraphs
/// does (a block may list several queries, a blank line apart), a paragraph also passing
/// when each of its lines parses alone (one query a line); else each failing paragraph's,
/// or line's.
fn promql(text: &str) -> Vec<Problem> {
    // The parser builds (and drops) its tree recursively: no query nests this deep, and a
    // block that does is not worth a stack overflow.
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_PROMQL_DEPTH {
            return Vec::new();
        }
    }
    if promql_error(text).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for para in paragraphs(text) {
        let query = &text[para.clone()];
        let Some(e) = promql_error(query) else {
            continue;
        };
        // A list of one-line queries: when some lines parse alone, the others are the
        // broken ones.
        let lines: Vec<(usize, &str)> = lines_of(query)
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .collect();
        let alone: Vec<(usize, Option<String>)> = if lines.len() > 1 {
            lines.iter().map(|(at, l)| (*at, promql_error(l))).collect()
        } else {
            Vec::new()
        };
        if alone.iter().any(|(_, e)| e.is_none()) {
            out.extend(alone.into_iter().filter_map(|(at, e)| {
                let line = &query[at..];
                let indent = line.len() - line.trim_start().len();
                Some(Problem {
                    at: para.start + at + indent,
                    len: 1,
                    message: e?,
                })
            }));
            continue;
        }
        out.push(Problem {
            at: para.start + promql_line(query, &e),
            len: 1,
            message: e,
        });
    }
    out
}

/// Each line of `text` with its byte offset.
fn lines_of(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len() + 1;
        Some((start, line))
    })
}

/// The byte ranges of the non-blank paragraphs of `text`, each from its first non-space
/// character.
fn paragraphs(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut current: Option<std::ops::Range<usize>> = None;
    let mut at = 0;
    for line in text.split('\n') {
        let end = at + line.len();
        if line.trim().is_empty() {
            out.extend(current.take());
        } else {
            let first = at + (line.len() - line.trim_start().len());
            current = Some(current.map_or(first..end, |c| c.start..end));
        }
        at = end + 1;
    }
    out.extend(current);
    out
}

/// Where in `query` its error is: for an error of the lexer, the first line after which the
/// lexer fails the same way (at its text); otherwise the start (the parser does not say).
fn promql_line(query: &str, error: &str) -> usize {
    if promql_parser::parser::lexer(query).err().as_deref() != Some(error) {
        return 0;
    }
    let indented = |start: usize| {
        let line = &query[start..];
        start + (line.len() - line.trim_start_matches([' ', '\t']).len())
    };
    let mut line_start = 0;
    for (i, _) in query.match_indices('\n') {
        if promql_parser::parser::lexer(&query[..i]).err().as_deref() == Some(error) {
            return indented(line_start);
        }
        line_start = i + 1;
    }
    indented(line_start)
}

/// Why a PromQL query does not parse, placeholders replaced: with names where they stand
/// for one, then (for `topk($K, …)`, `> $THRESHOLD`) with numbers.
fn promql_error(query: &str) -> Option<String> {
    // The parser's lexer panics on some inputs it was not written for; a block is never
    // worth a crash.
    let parse = |q: &str| {
        std::panic::catch_unwind(|| promql_parser::parser::parse(q).err())
            .unwrap_or_else(|_| Some("the query could not be read".to_string()))
    };
    let first = parse(&substitute(query, Lang::PromQl, Dummy::Name))?;
    if !may_hold(query, Forms::Any) {
        return Some(first);
    }
    parse(&substitute(query, Lang::PromQl, Dummy::Number)).map(|_| first)
}

/// A shell block as shellcheck reads it: the commands as Copy takes them, placeholders
/// replaced.
pub fn shell_text(info_lang: &str, text: &str) -> String {
    substitute(
        &crate::content::code::commands(info_lang, text),
        Lang::Shell,
        Dummy::Name,
    )
}

/// What an unquoted placeholder outside label matchers and ranges stands for in PromQL.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dummy {
    Name,
    Number,
}

/// `text` with its placeholders replaced by a dummy of the same length that `lang` accepts
/// where each stands: inside a string nothing is replaced (a placeholder is text there);
/// elsewhere a string in JSON and TOML, a PromQL label value inside `{…}` (a label name
/// before `=`, `!` or `~`), a duration inside `[…]`, else a name (or with
/// [`Dummy::Number`] a number, unless a selector's `{` or `[` follows); letters in
/// YAML; in shell only `{{ name }}` and `<name>` (a `$NAME` is a variable there already).
fn substitute(text: &str, lang: Lang, dummy: Dummy) -> String {
    if !may_hold(text, Forms::Any) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let found = placeholders(&chars, Forms::Any);
    if found.is_empty() {
        return text.to_string();
    }
    let quoted = quoted_mask(&chars, lang);
    let mut out: Vec<char> = chars.clone();
    let mut brackets: Vec<char> = Vec::new();
    let mut next = found.iter().peekable();
    for (i, &c) in chars.iter().enumerate() {
        if let Some(p) = next.next_if(|p| p.start == i) {
            let n = p.end - p.start;
            if quoted[i] {
                continue;
            }
            let after = chars[p.end..].iter().find(|c| !c.is_whitespace());
            let replacement = match lang {
                Lang::Shell if c == '$' => continue,
                Lang::Yaml | Lang::Shell => "x".repeat(n),
                Lang::Json | Lang::Toml => quoted_dummy(n),
                Lang::PromQl => match brackets.last() {
                    Some('{') => {
                        if matches!(after, Some('=' | '!' | '~')) {
                            "x".repeat(n)
                        } else {
                            quoted_dummy(n)
                        }
                    }
                    Some('[') => format!("{}1m", "0".repeat(n.saturating_sub(2))),
                    // A selector's name stays a name.
                    _ if dummy == Dummy::Number && !matches!(after, Some('{' | '[')) => {
                        "1".repeat(n)
                    }
                    _ => "x".repeat(n),
                },
            };
            for (k, r) in replacement.chars().enumerate() {
                out[p.start + k] = r;
            }
        }
        if !quoted[i] {
            match c {
                '{' | '[' => brackets.push(c),
                '}' | ']' => {
                    brackets.pop();
                }
                _ => {}
            }
        }
    }
    out.into_iter().collect()
}

/// A string literal `n` characters long (`n` ≥ 2: every placeholder is).
fn quoted_dummy(n: usize) -> String {
    format!("\"{}\"", "x".repeat(n.saturating_sub(2)))
}

/// For each character, whether it is inside a string or comment of `lang` (where a
/// placeholder is text, not syntax). A small scanner: quotes with backslash escapes, and
/// `#` comments in TOML and PromQL.
fn quoted_mask(chars: &[char], lang: Lang) -> Vec<bool> {
    let (quotes, comments): (&[char], bool) = match lang {
        Lang::Json => (&['"'], false),
        Lang::Toml => (&['"', '\''], true),
        Lang::PromQl => (&['"', '\'', '`'], true),
        Lang::Yaml | Lang::Shell => return vec![false; chars.len()],
    };
    let mut out = vec![false; chars.len()];
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if comment {
            out[i] = true;
            comment = c != '\n';
            continue;
        }
        match quote {
            Some(q) => {
                out[i] = true;
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if quotes.contains(&c) => {
                out[i] = true;
                quote = Some(c);
            }
            None if comments && c == '#' => {
                out[i] = true;
                comment = true;
            }
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(lang: Lang, text: &str) {
        let p = parse(lang, text);
        assert!(p.is_empty(), "{text:?}: {p:?}");
    }

    fn bad(lang: Lang, text: &str) -> Problem {
        let p = parse(lang, text);
        assert!(!p.is_empty(), "{text:?} parsed");
        p[0].clone()
    }

    #[test]
    fn promql_valid_invalid_and_placeholders() {
        ok(
            Lang::PromQl,
            "sum(rate(http_requests_total{service=\"api\",code=~\"5..\"}[5m]))\n  / sum(rate(http_requests_total[5m])) > 0.05",
        );
        // One query a line.
        ok(
            Lang::PromQl,
            "rate(a[5m])\n# writes\nrate(b{x=~\"y.*\"}[5m])\n",
        );
        let p = parse(Lang::PromQl, "rate(a[5m])\n  rate(b[5m]\nup\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].at, 14, "the broken line's text: {p:?}");
        // Several queries, a blank line apart, with comments.
        ok(
            Lang::PromQl,
            "# errors\nup == 0\n\n# restarts\nincrease(kube_pod_container_status_restarts_total[1h]) > 3\n",
        );
        ok(
            Lang::PromQl,
            "rate(x{namespace=$NAMESPACE, pod=\"${POD}\", job=~\"$job\"}[$__rate_interval])",
        );
        ok(
            Lang::PromQl,
            "topk($K, <metric>{pod=\"<pod>\"}) > $THRESHOLD",
        );
        ok(Lang::PromQl, "sum by (job) (rate({{metric}}[{{range}}]))");
        let p = bad(Lang::PromQl, "up\n\nsum(rate(x[5m])\n");
        assert_eq!(p.at, 4, "{p:?}");
        let p = bad(Lang::PromQl, "rate(x{a=\"b\"}[5m]) +\n  foo{a=\"b\n");
        assert_eq!(p.at, 23, "the lexer's error on the second line: {p:?}");
        bad(Lang::PromQl, "sum(rate(x[5m])) by");
        bad(Lang::PromQl, "rate(x)");
    }

    #[test]
    fn yaml_json_toml() {
        ok(Lang::Yaml, "a: 1\n---\nb: [1, 2]\n---\n- c\n");
        ok(
            Lang::Yaml,
            "metadata:\n  namespace: {{ namespace }}\n  name: $NAME\n  pod: <pod>\n",
        );
        let p = bad(Lang::Yaml, "a:\n  b: 1\n c: 2\n");
        assert_eq!(&"a:\n  b: 1\n c: 2\n"[..p.at].matches('\n').count(), &2);
        assert!(!p.message.contains("at line"), "{}", p.message);
        let p = bad(Lang::Yaml, "a: 1\n---\nb: [1\n");
        assert!(p.at > 5, "{p:?}");

        ok(
            Lang::Json,
            "{\"a\": [1, 2], \"ns\": \"$NAMESPACE\", \"n\": $REPLICAS, {{key}}: <v>}",
        );
        let text = "{\n  \"a\": 1,\n  \"b\": 2,\n}";
        let p = bad(Lang::Json, text);
        assert_eq!(&text[p.at..p.at + 1], "}", "{p:?}");
        assert!(!p.message.contains("at line"), "{}", p.message);
        bad(Lang::Json, "// comment\n{}");

        ok(
            Lang::Toml,
            "[$SECTION]\nname = \"{{ name }}\"\nport = <port>\n",
        );
        let text = "[a]\nx = 1\nx = 2\n";
        let p = bad(Lang::Toml, text);
        assert_eq!(text[..p.at].matches('\n').count(), 2, "{p:?}");
    }

    #[test]
    fn substitution_keeps_lengths_and_strings() {
        let t = "x{a=$A, b=\"$B\"}[$RR] # $C";
        let s = substitute(t, Lang::PromQl, Dummy::Name);
        assert_eq!(s, "x{a=\"\", b=\"$B\"}[01m] # $C");
        assert_eq!(s.len(), t.len());
        assert_eq!(
            substitute(
                "kubectl logs <pod> -n $NS {{ c }}",
                Lang::Shell,
                Dummy::Name
            ),
            "kubectl logs xxxxx -n $NS xxxxxxx"
        );
        assert_eq!(
            substitute("é $X", Lang::Yaml, Dummy::Name),
            "é xx",
            "characters, not bytes"
        );
    }

    #[test]
    fn positions_map_into_the_body() {
        let b = CodeBlock {
            lang: "json".into(),
            no_check: false,
            offset: 10,
            lines: vec![20, 40],
            text: "{\n  1\n".into(),
            too_large: false,
        };
        assert_eq!(body_offset(&b, 0), 20);
        assert_eq!(body_offset(&b, 4), 42);
        assert_eq!(body_offset(&b, 99), 40, "past the text: its last line");
        let empty = CodeBlock {
            lines: vec![],
            text: String::new(),
            ..b
        };
        assert_eq!(body_offset(&empty, 3), 10);
    }

    #[test]
    fn messages_lose_block_positions_only() {
        assert_eq!(
            drop_marks(
                "did not find expected key at line 3 column 2, while parsing a block mapping at line 1 column 1"
            ),
            "did not find expected key, while parsing a block mapping"
        );
        assert_eq!(drop_marks("at line x"), "at line x");
        assert_eq!(
            drop_marks("trailing comma at line 4 column 1"),
            "trailing comma"
        );
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for text in [
            "",
            "\n\n",
            "{{",
            "$",
            "<",
            "\"unterminated",
            "é\u{200b}💥 ${",
            "[[[[[[[[[[[[[[[[[[[[",
            "{a=\"\\",
        ] {
            for lang in [Lang::PromQl, Lang::Yaml, Lang::Json, Lang::Toml] {
                let _ = parse(lang, text);
            }
            let _ = shell_text("console", text);
        }
        let deep = "(".repeat(5000);
        let _ = parse(Lang::PromQl, &deep);
        let _ = parse(Lang::Json, &"[".repeat(5000));
        let _ = parse(Lang::Yaml, &"[".repeat(5000));
        let _ = parse(Lang::Toml, &"a = ".repeat(5000));
    }
}
