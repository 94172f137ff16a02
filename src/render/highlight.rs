//! Build-time syntax highlighting of code blocks with syntect, into short CSS classes, one
//! per token kind as Pygments and Chroma name them (`k` keyword, `s` string, `c` comment, …:
//! [`KINDS`], documented for theme authors in docs/theming.md). Each token's scope stack is
//! mapped to one kind (innermost scope first, the longest known prefix of it: [`PREFIXES`]);
//! adjacent tokens of one kind share a span, whitespace joins the span around it, and plain
//! text (and kinds the themes leave plain) gets none.
//!
//! Grammars are bat's extended set, loaded once from two-face's precompiled dump, plus a
//! small PromQL grammar of our own (`promql.sublime-syntax`: no PromQL grammar ships with
//! syntect or two-face). Shell blocks with prompts (`$ ` / `# `) are highlighted as a
//! session: the prompt in its own `gp` span, commands as bash, output as plain text.
//!
//! Highlighting never stalls a build: a block over [`MAX_BYTES`], [`MAX_LINES`] lines or with
//! a line over [`MAX_LINE_BYTES`] is written as escaped plain text, found by one cheap scan.

use crate::content::code::{CONSOLE, SHELL, prompt};
use pulldown_cmark_escape::escape_html_body_text;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;
use syntect::highlighting::{Color, FontStyle, Highlighter, Theme};
use syntect::parsing::{
    ParseState, Scope, ScopeStack, SyntaxDefinition, SyntaxReference, SyntaxSet, SyntaxSetBuilder,
};
use syntect::util::LinesWithEndings;
use two_face::theme::EmbeddedThemeName;

/// Blocks larger than this are not highlighted.
pub const MAX_BYTES: usize = 256 * 1024;
/// Blocks with more lines than this are not highlighted.
pub const MAX_LINES: usize = 5_000;
/// Blocks with a line longer than this (in bytes) are not highlighted.
pub const MAX_LINE_BYTES: usize = 10_000;

/// Token kinds: (class, the scope whose theme colours the class gets, what it is). The class
/// names are Pygments' short names; they are stable (themes and docs/theming.md rely on them).
pub const KINDS: &[(&str, &str, &str)] = &[
    ("c", "comment.line", "comment"),
    ("k", "keyword.control", "keyword"),
    (
        "kc",
        "constant.language",
        "keyword constant (`true`, `null`)",
    ),
    ("kt", "storage.type", "type, declaration keyword"),
    ("o", "keyword.operator", "operator"),
    ("p", "punctuation.separator", "punctuation"),
    ("s", "string.quoted.double", "string"),
    ("se", "constant.character.escape", "escape in a string"),
    ("sr", "string.regexp", "regular expression"),
    ("sb", "markup.raw.inline", "inline code (Markdown)"),
    ("m", "constant.numeric", "number"),
    ("n", "entity.name", "name"),
    ("nv", "variable.other", "variable, parameter"),
    (
        "bp",
        "variable.language",
        "builtin variable (`self`, `this`)",
    ),
    ("nf", "entity.name.function", "function name or call"),
    ("nb", "support.function", "builtin function or command"),
    ("nc", "entity.name.class", "class, type name"),
    ("nn", "entity.name.namespace", "namespace, module"),
    ("no", "constant.other", "constant"),
    ("nt", "entity.name.tag", "tag, key (YAML, HTML)"),
    ("na", "entity.other.attribute-name", "attribute, label"),
    (
        "gh",
        "markup.heading",
        "heading (Markdown, diff file header)",
    ),
    ("gu", "meta.diff.range", "diff hunk range"),
    ("gi", "markup.inserted", "inserted line (diff)"),
    ("gd", "markup.deleted", "deleted line (diff)"),
    ("gs", "markup.bold", "strong"),
    ("ge", "markup.italic", "emphasis"),
    ("err", "invalid", "invalid"),
];

/// The class of the prompt of a shell session (Pygments' Generic.Prompt).
pub const PROMPT_CLASS: &str = "gp";

/// Scope prefixes → kind (a [`KINDS`] class). A scope takes the kind of its longest prefix
/// here; prefixes match whole atoms (`string` is a prefix of `string.quoted`, not of
/// `stringy`). Scopes with no prefix here (`source.*`, `meta.*`, ...) are plain.
pub const PREFIXES: &[(&str, &str)] = &[
    ("comment", "c"),
    ("punctuation.definition.comment", "c"),
    ("keyword", "k"),
    ("keyword.operator", "o"),
    ("keyword.operator.word", "k"),
    ("storage", "kt"),
    ("storage.modifier", "k"),
    ("constant", "no"),
    ("constant.language", "kc"),
    ("constant.numeric", "m"),
    ("constant.character", "s"),
    ("constant.character.escape", "se"),
    ("constant.other.placeholder", "se"),
    ("punctuation", "p"),
    ("punctuation.definition.string", "s"),
    ("punctuation.definition.variable", "nv"),
    ("string", "s"),
    ("string.regexp", "sr"),
    ("markup.raw", "sb"),
    ("variable", "nv"),
    ("variable.language", "bp"),
    ("variable.function", "nf"),
    ("variable.other.constant", "no"),
    ("entity.name", "n"),
    ("entity.name.function", "nf"),
    ("entity.name.class", "nc"),
    ("entity.name.struct", "nc"),
    ("entity.name.enum", "nc"),
    ("entity.name.type", "nc"),
    ("entity.name.interface", "nc"),
    ("entity.name.trait", "nc"),
    ("entity.other.inherited-class", "nc"),
    ("entity.name.namespace", "nn"),
    ("entity.name.module", "nn"),
    ("entity.name.constant", "no"),
    ("entity.name.tag", "nt"),
    ("entity.name.section", "gh"),
    ("entity.other.attribute-name", "na"),
    ("entity.name.label", "na"),
    ("support", "nb"),
    ("support.function", "nb"),
    ("support.type", "kt"),
    ("support.class", "nc"),
    ("support.constant", "no"),
    ("support.variable", "nv"),
    ("markup.heading", "gh"),
    ("meta.diff.header", "gh"),
    ("meta.diff.range", "gu"),
    ("markup.inserted", "gi"),
    ("markup.deleted", "gd"),
    ("markup.bold", "gs"),
    ("markup.italic", "ge"),
    ("invalid", "err"),
];

const BASH: &str = "Bourne Again Shell (bash)";
const PROMQL: &str = "PromQL";

/// Languages runbooks use, by info-string alias (lowercase) → grammar name. Anything not
/// listed is looked up by file extension or grammar name (`ruby`, `lua`, `kotlin`, `c`, …).
const ALIASES: &[(&[&str], &str)] = &[
    (SHELL, BASH),
    (&["yaml", "yml"], "YAML"),
    (&["json", "jsonc", "json5", "jsonl", "ndjson"], "JSON"),
    (
        &[
            "sql",
            "postgresql",
            "postgres",
            "psql",
            "pgsql",
            "plpgsql",
            "mysql",
            "sqlite",
        ],
        "SQL",
    ),
    (&["python", "py", "python3", "py3"], "Python"),
    (&["go", "golang"], "Go"),
    (&["rust", "rs"], "Rust"),
    (&["toml"], "TOML"),
    // The variant that highlights `RUN` lines as bash.
    (
        &["dockerfile", "docker", "containerfile"],
        "Dockerfile (with bash)",
    ),
    (&["hcl", "terraform", "tf", "tfvars"], "Terraform"),
    (&["promql"], PROMQL),
    (&["ini", "cfg", "dosini", "editorconfig"], "INI"),
    (&["diff", "patch", "udiff"], "Diff"),
    (&["js", "javascript", "mjs", "cjs", "node"], "JavaScript"),
    (&["jsx"], "JavaScript (Babel)"),
    (&["ts", "typescript", "mts", "cts"], "TypeScript"),
    (&["tsx"], "TypeScriptReact"),
    (&["java"], "Java"),
    (&["nginx", "nginxconf"], "nginx"),
    (&["xml", "svg", "xsd", "xslt"], "XML"),
    (&["html", "htm", "xhtml"], "HTML"),
    (&["makefile", "make", "mk", "mak"], "Makefile"),
    (&["powershell", "ps1", "pwsh"], "PowerShell"),
    (&["properties"], "Java Properties"),
    (&["env", "dotenv"], "DotENV"),
    (&["crontab", "cron"], "Crontab"),
    (&["http"], "HTTP Request and Response"),
    (&["proto", "protobuf"], "Protocol Buffer"),
    (&["csharp", "cs", "c#"], "C#"),
    (&["cpp", "c++", "cxx"], "C++"),
    (&["apache", "apacheconf", "htaccess"], "Apache Conf"),
    (&["jinja", "jinja2", "j2"], "Jinja2"),
    (&["ssh-config", "ssh_config"], "SSH Config"),
    (&["markdown", "md"], "Markdown"),
];

/// Info strings that mean "no highlighting".
const PLAIN: &[&str] = &[
    "text",
    "txt",
    "plain",
    "plaintext",
    "none",
    "nohighlight",
    "no-highlight",
    "output",
    "raw",
];

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

fn promql() -> Option<&'static SyntaxSet> {
    static SET: OnceLock<Option<SyntaxSet>> = OnceLock::new();
    SET.get_or_init(|| {
        let def = SyntaxDefinition::load_from_str(
            include_str!("promql.sublime-syntax"),
            true,
            Some("promql"),
        )
        .ok()?;
        let mut builder = SyntaxSetBuilder::new();
        builder.add(def);
        Some(builder.build())
    })
    .as_ref()
}

/// The grammar name an info-string language maps to, or `None` for plain text.
pub fn grammar_name(lang: &str) -> Option<&'static str> {
    grammar(&lang.to_ascii_lowercase()).map(|(_, s)| s.name.as_str())
}

/// `lang` must be lowercase.
fn grammar(lang: &str) -> Option<(&'static SyntaxSet, &'static SyntaxReference)> {
    if lang.is_empty() || PLAIN.contains(&lang) {
        return None;
    }
    let name = ALIASES
        .iter()
        .find(|(aliases, _)| aliases.contains(&lang))
        .map(|(_, name)| *name);
    if name == Some(PROMQL) {
        let set = promql()?;
        return set.find_syntax_by_name(PROMQL).map(|s| (set, s));
    }
    let set = syntaxes();
    let syntax = match name {
        Some(name) => set.find_syntax_by_name(name),
        None => set.find_syntax_by_token(lang),
    }?;
    (syntax.name != "Plain Text").then_some((set, syntax))
}

/// Whether `code` is small enough to highlight (see the module documentation).
pub fn within_limits(code: &str) -> bool {
    if code.len() > MAX_BYTES {
        return false;
    }
    let mut lines = 0;
    for line in code.split('\n') {
        lines += 1;
        if lines > MAX_LINES || line.len() > MAX_LINE_BYTES {
            return false;
        }
    }
    true
}

/// Write `code` as `<pre class="code" data-lang="…"><code>…</code></pre>\n`.
/// `lang` is the first word of the info string (lowercased here), `None` for none.
pub(crate) fn write_code_block(out: &mut String, lang: Option<&str>, code: &str) {
    // Handbooks repeat their blocks (the same command in many runbooks: half the blocks of
    // the generated 10k corpus), and a block's HTML depends on its language and text only.
    if code.len() > MEMO_MAX_BLOCK {
        return render_code_block(out, lang, code);
    }
    let key = (lang.map(str::to_ascii_lowercase), code.to_string());
    let memo = MEMO.get_or_init(Default::default);
    if let Some(html) = memo.lock().ok().and_then(|m| m.blocks.get(&key).cloned()) {
        out.push_str(&html);
        return;
    }
    let start = out.len();
    render_code_block(out, lang, code);
    if let Ok(mut m) = memo.lock()
        && m.bytes + out.len() - start <= MEMO_MAX_BYTES
    {
        m.bytes += key.1.len() + out.len() - start;
        m.blocks.insert(key, out[start..].to_string());
    }
}

/// Blocks longer than this are not remembered.
const MEMO_MAX_BLOCK: usize = 16 * 1024;
/// What the remembered blocks may hold in all (code and HTML); past it, no more are kept.
const MEMO_MAX_BYTES: usize = 64 * 1024 * 1024;

#[derive(Default)]
struct Memo {
    blocks: HashMap<(Option<String>, String), String>,
    bytes: usize,
}

/// Rendered blocks by (language, code), for the life of the process.
static MEMO: OnceLock<std::sync::Mutex<Memo>> = OnceLock::new();

fn render_code_block(out: &mut String, lang: Option<&str>, code: &str) {
    let lang = lang.map(str::to_ascii_lowercase).filter(|l| !l.is_empty());
    out.push_str("<pre class=\"code\"");
    let mut prompt_str = None;
    if let Some(lang) = &lang {
        out.push_str(" data-lang=\"");
        super::escape::escape_attr(out, lang);
        out.push('"');
        prompt_str = prompt(lang, code);
        if let Some(p) = prompt_str {
            out.push_str(" data-prompt=\"");
            out.push_str(p);
            out.push('"');
        }
    }
    out.push_str("><code>");
    let highlighted = match &lang {
        // A session block without prompts is all output.
        Some(lang) if CONSOLE.contains(&lang.as_str()) && prompt_str.is_none() => None,
        Some(lang) if within_limits(code) => {
            grammar(lang).and_then(|(set, syntax)| match prompt_str {
                Some(p) if syntax.name == BASH => session(set, syntax, code, p),
                _ => highlight(set, syntax, code),
            })
        }
        _ => None,
    };
    // Command placeholders are marked in blocks within the highlighting limits only: a block
    // beyond them is no command to fill in, and stays plain text.
    match highlighted {
        Some(html) => out.push_str(&super::cmdvars::mark(&html, lang.as_deref())),
        None if within_limits(code) => {
            let mut plain = String::with_capacity(code.len());
            escape_text(&mut plain, code);
            out.push_str(&super::cmdvars::mark(&plain, lang.as_deref()));
        }
        None => escape_text(out, code),
    }
    out.push_str("</code></pre>\n");
}

fn escape_text(out: &mut String, s: &str) {
    let _ = escape_html_body_text(&mut *out, s);
}

/// The kind (class) of one scope: its longest prefix in [`PREFIXES`] if the themes style that
/// kind, computed once per scope and thread.
fn scope_kind(scope: Scope) -> Option<&'static str> {
    thread_local! {
        static KIND: RefCell<HashMap<Scope, Option<&'static str>>> = RefCell::new(HashMap::new());
    }
    KIND.with(|cache| {
        *cache.borrow_mut().entry(scope).or_insert_with(|| {
            let name = scope.build_string();
            PREFIXES
                .iter()
                .filter(|(prefix, _)| {
                    name == *prefix
                        || name.starts_with(prefix) && name.as_bytes()[prefix.len()] == b'.'
                })
                .max_by_key(|(prefix, _)| prefix.len())
                .map(|(_, kind)| *kind)
                .filter(|kind| styled_kinds().contains(kind))
        })
    })
}

/// The kinds the default themes style: a kind neither theme colours (`p`, `n` with Coldark)
/// would be a span that changes nothing, so it is not written, and the token takes the kind
/// of an outer scope (punctuation in a string is string).
fn styled_kinds() -> &'static [&'static str] {
    static STYLED: OnceLock<Vec<&'static str>> = OnceLock::new();
    STYLED.get_or_init(|| {
        let themes = two_face::theme::extra();
        let mut styled = Vec::new();
        for name in [
            EmbeddedThemeName::ColdarkCold,
            EmbeddedThemeName::ColdarkDark,
        ] {
            for (selector, _) in rules(themes.get(name)) {
                if let Some(class) = selector.strip_prefix("pre.code .")
                    && let Some((class, _, _)) = KINDS.iter().find(|(c, _, _)| *c == class)
                    && !styled.contains(class)
                {
                    styled.push(*class);
                }
            }
        }
        styled
    })
}

/// The kind of a token: that of the innermost scope that has one.
fn stack_kind(stack: &[Scope]) -> Option<&'static str> {
    stack.iter().rev().find_map(|s| scope_kind(*s))
}

/// Writes tokens, merging adjacent ones of one kind into one span.
struct Spans {
    html: String,
    open: Option<&'static str>,
}

impl Spans {
    fn text(&mut self, kind: Option<&'static str>, text: &str) {
        if text.is_empty() {
            return;
        }
        // Whitespace shows no colour: it stays in whatever span is open.
        let blank = text.bytes().all(|b| b.is_ascii_whitespace());
        if !blank && kind != self.open {
            self.close();
            if let Some(k) = kind {
                self.html.push_str("<span class=\"");
                self.html.push_str(k);
                self.html.push_str("\">");
                self.open = Some(k);
            }
        }
        escape_text(&mut self.html, text);
    }

    fn close(&mut self) {
        if self.open.take().is_some() {
            self.html.push_str("</span>");
        }
    }
}

fn highlight(set: &SyntaxSet, syntax: &SyntaxReference, code: &str) -> Option<String> {
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = Spans {
        html: String::with_capacity(code.len() * 2),
        open: None,
    };
    let mut kind = None;
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, set).ok()?;
        let mut at = 0;
        for (i, op) in ops {
            if i > at {
                out.text(kind, &line[at..i]);
                at = i;
            }
            stack.apply(&op).ok()?;
            kind = stack_kind(stack.as_slice());
        }
        out.text(kind, &line[at..]);
    }
    out.close();
    Some(out.html)
}

/// A shell session: prompt lines (and their `\`-continuations) are commands, highlighted as
/// bash; other lines are output, written as plain text.
fn session(set: &SyntaxSet, bash: &SyntaxReference, code: &str, prompt: &str) -> Option<String> {
    let mut html = String::with_capacity(code.len() * 2);
    let mut command = String::new();
    let mut continued = false;
    let flush = |command: &mut String, html: &mut String| -> Option<()> {
        if !command.is_empty() {
            html.push_str(&highlight(set, bash, command)?);
            command.clear();
        }
        Some(())
    };
    let bare = prompt.trim_end();
    for line in LinesWithEndings::from(code) {
        let ends_continued = |l: &str| l.trim_end().ends_with('\\');
        if continued {
            command.push_str(line);
            continued = ends_continued(line);
        } else if let Some(cmd) = line.strip_prefix(prompt).or_else(|| {
            line.trim_end_matches(['\n', '\r'])
                .eq(bare)
                .then(|| &line[bare.len()..])
        }) {
            flush(&mut command, &mut html)?;
            html.push_str("<span class=\"gp\">");
            escape_text(&mut html, &line[..line.len() - cmd.len()]);
            html.push_str("</span>");
            command.push_str(cmd);
            continued = ends_continued(cmd);
        } else {
            flush(&mut command, &mut html)?;
            escape_text(&mut html, line);
        }
    }
    flush(&mut command, &mut html)?;
    Some(html)
}

/// CSS for highlighted code: Coldark Cold (light) by default and Coldark Dark (both meet WCAG
/// AA contrast) under `@media (prefers-color-scheme: dark)` unless `:root[data-theme=light]`,
/// and under `:root[data-theme=dark]`. Each theme's rules only apply in its own mode, so
/// nothing leaks from one into the other. The themes' base colours go on `pre.code`; each
/// kind of [`KINDS`] gets the theme's style for its scope (`pre.code .k`). Deterministic;
/// computed once.
pub fn highlight_css() -> String {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let themes = two_face::theme::extra();
        let light = rules(themes.get(EmbeddedThemeName::ColdarkCold));
        let dark = rules(themes.get(EmbeddedThemeName::ColdarkDark));
        let mut css = String::from(
            "/* Code highlighting (Fieldbook; Coldark themes by Armand Philippot, MIT) */\n",
        );
        css.push_str("@media not all and (prefers-color-scheme: dark) {\n");
        write_rules(&mut css, &light, ":root:not([data-theme=dark])");
        css.push_str("}\n");
        write_rules(&mut css, &light, ":root[data-theme=light]");
        css.push_str("@media (prefers-color-scheme: dark) {\n");
        write_rules(&mut css, &dark, ":root:not([data-theme=light])");
        css.push_str("}\n");
        write_rules(&mut css, &dark, ":root[data-theme=dark]");
        css.push_str("pre.code .gp { -webkit-user-select: none; user-select: none; }\n");
        css
    })
    .clone()
}

fn hex(c: Color) -> String {
    if c.a == 0xff {
        format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    } else {
        format!("#{:02x}{:02x}{:02x}{:02x}", c.r, c.g, c.b, c.a)
    }
}

/// (selector, declarations) for `pre.code` and each kind that differs from plain text.
fn rules(theme: &Theme) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut base = Vec::new();
    if let Some(fg) = theme.settings.foreground {
        base.push(format!("color: {};", hex(fg)));
    }
    if let Some(bg) = theme.settings.background {
        base.push(format!("background-color: {};", hex(bg)));
    }
    if !base.is_empty() {
        out.push(("pre.code".to_string(), base.join(" ")));
    }
    let highlighter = Highlighter::new(theme);
    let plain = highlighter.style_for_stack(&[]);
    for (class, scope, _) in KINDS {
        let Ok(scope) = Scope::new(scope) else {
            continue;
        };
        let style = highlighter.style_for_stack(&[scope]);
        let mut decls = Vec::new();
        if style.foreground != plain.foreground {
            decls.push(format!("color: {};", hex(style.foreground)));
        }
        if style.background != plain.background {
            decls.push(format!("background-color: {};", hex(style.background)));
        }
        if style.font_style.contains(FontStyle::ITALIC) {
            decls.push("font-style: italic;".to_string());
        }
        if style.font_style.contains(FontStyle::BOLD) {
            decls.push("font-weight: bold;".to_string());
        }
        if style.font_style.contains(FontStyle::UNDERLINE) {
            decls.push("text-decoration: underline;".to_string());
        }
        if !decls.is_empty() {
            out.push((format!("pre.code .{class}"), decls.join(" ")));
        }
    }
    out
}

fn write_rules(css: &mut String, rules: &[(String, String)], scope: &str) {
    for (selector, decls) in rules {
        css.push_str(scope);
        css.push(' ');
        css.push_str(selector);
        css.push_str(" { ");
        css.push_str(decls);
        css.push_str(" }\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn block(lang: &str, code: &str) -> String {
        let mut out = String::new();
        write_code_block(&mut out, Some(lang), code);
        out
    }

    const SAMPLES: &[(&str, &str)] = &[
        ("bash", "kubectl get pods -n db | grep -v Running # check\n"),
        ("sh", "if [ -f /x ]; then echo \"y\"; fi\n"),
        ("shell", "export A=1\n"),
        ("zsh", "for f in *.log; do gzip \"$f\"; done\n"),
        ("console", "$ systemctl status nginx\n● nginx.service\n"),
        ("yaml", "groups:\n  - name: db # x\n    rules: []\n"),
        ("yml", "a: 1\n"),
        ("json", "{\"a\": [1, true, null]}\n"),
        (
            "sql",
            "SELECT pid, state FROM pg_stat_activity WHERE state = 'idle';\n",
        ),
        ("postgresql", "VACUUM ANALYZE orders; SELECT 1;\n"),
        ("python", "def f(x):\n    return x + 1  # one\n"),
        ("py", "import os\n"),
        (
            "go",
            "package main\n\nfunc main() { fmt.Println(\"hi\") }\n",
        ),
        ("rust", "fn main() { let x: u8 = 1; }\n"),
        ("rs", "use std::io;\n"),
        ("toml", "[server]\nport = 8080\n"),
        (
            "dockerfile",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
        ),
        ("docker", "FROM alpine\n"),
        (
            "hcl",
            "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n}\n",
        ),
        ("terraform", "variable \"x\" {}\n"),
        ("tf", "output \"y\" { value = 1 }\n"),
        (
            "promql",
            "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) > 0.05 # burn\n",
        ),
        ("ini", "[main]\nkey = value\n"),
        ("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n"),
        ("js", "const x = () => 1;\n"),
        ("ts", "let x: number = 1;\n"),
        ("java", "class A { int x = 1; }\n"),
        ("nginx", "server {\n  listen 80;\n}\n"),
        ("xml", "<a b=\"c\"/>\n"),
        ("html", "<p class=\"x\">hi</p>\n"),
        ("makefile", "all:\n\tcargo build\n"),
    ];

    #[test]
    fn every_runbook_language_highlights() {
        for (lang, code) in SAMPLES {
            let html = block(lang, code);
            assert!(
                html.starts_with(&format!("<pre class=\"code\" data-lang=\"{lang}\"")),
                "{lang}: {html}"
            );
            assert!(html.contains("<span class=\""), "{lang}: {html}");
            assert!(!html.contains("hl-"), "{lang}: {html}");
            assert!(html.ends_with("</code></pre>\n"));
            assert!(grammar_name(lang).is_some(), "{lang}");
        }
        assert_eq!(grammar_name("PromQL"), Some("PromQL"));
        assert_eq!(grammar_name("docker"), Some("Dockerfile (with bash)"));
        assert_eq!(grammar_name("tf"), Some("Terraform"));
        assert_eq!(grammar_name("ruby"), Some("Ruby"));
        assert_eq!(grammar_name("text"), None);
        assert_eq!(grammar_name("mermaid"), None);
    }

    #[test]
    fn promql_grammar_scopes() {
        let html = block(
            "promql",
            SAMPLES.iter().find(|s| s.0 == "promql").unwrap().1,
        );
        // Punctuation is plain in both themes: no span.
        assert!(!html.contains("class=\"p\""), "{html}");
        for class in ["nb", "k", "na", "s", "m", "c", "o"] {
            let class = format!("<span class=\"{class}\">");
            assert!(html.contains(&class), "{class}: {html}");
        }
    }

    #[test]
    fn unknown_and_missing_languages_are_escaped() {
        let html = block("mermaid", "<script>alert(1)</script> & x\n");
        assert_eq!(
            html,
            "<pre class=\"code\" data-lang=\"mermaid\"><code>&lt;script&gt;alert(1)&lt;/script&gt; &amp; x\n</code></pre>\n"
        );
        let mut out = String::new();
        write_code_block(&mut out, None, "<b>\n");
        assert_eq!(out, "<pre class=\"code\"><code>&lt;b&gt;\n</code></pre>\n");
        let html = block("x\"onmouseover=\"y", "a\n");
        assert!(
            html.contains("data-lang=\"x&quot;onmouseover=&quot;y\""),
            "{html}"
        );
        // Highlighted output is escaped too.
        let html = block("bash", "echo '<script>' && true\n");
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    }

    #[test]
    fn prompts_are_marked_and_sessions_split() {
        let html = block(
            "console",
            "$ kubectl get pods \\\n    -n db\nNAME   READY\n# whoami\n",
        );
        assert!(html.contains("data-prompt=\"$ \""), "{html}");
        assert!(html.starts_with("<pre class=\"code\" data-lang=\"console\" data-prompt=\"$ \"><code><span class=\"gp\">$ </span><span class=\"nf\">kubectl</span>"), "{html}");
        // Output lines stay plain.
        let output = &html[html.find("NAME").expect("output")..];
        assert!(
            output.starts_with("NAME   READY\n# whoami\n</code>"),
            "{html}"
        );
        assert!(
            !html[..html.len() - output.len()].ends_with("\">"),
            "{html}"
        );
        // The continuation line belongs to the command.
        assert!(!html.contains("</span>    -n db"), "{html}");

        let root = block("console", "# systemctl restart pgbouncer\n");
        assert!(
            root.contains("data-prompt=\"# \"") && root.contains("class=\"gp\""),
            "{root}"
        );
        // In a bash block `# ` is a comment, not a prompt.
        let comment = block("bash", "# restart it\nsystemctl restart pgbouncer\n");
        assert!(!comment.contains("data-prompt") && !comment.contains("class=\"gp\""));
        let bash = block("bash", "$ df -h\nFilesystem  Size\n$\n");
        let before = &bash[..bash.find("Filesystem  Size\n").expect("output")];
        assert!(bash.contains("data-prompt=\"$ \""), "{bash}");
        // The output is outside every span.
        assert_eq!(
            before.matches("<span").count(),
            before.matches("</span>").count(),
            "{bash}"
        );
        // A console block without prompts is all output.
        assert_eq!(
            block("console", "just output\n"),
            "<pre class=\"code\" data-lang=\"console\"><code>just output\n</code></pre>\n"
        );
    }

    #[test]
    fn kinds_are_short_merged_and_plain_text_bare() {
        assert_eq!(
            block("json", "{\"a\": [1, true]}\n"),
            "<pre class=\"code\" data-lang=\"json\"><code>{<span class=\"s\">\"a\"</span>: [<span class=\"m\">1</span>, <span class=\"kc\">true</span>]}\n</code></pre>\n"
        );
        assert_eq!(
            scope_kind(Scope::new("string.quoted.double.json").unwrap()),
            Some("s")
        );
        assert_eq!(
            scope_kind(Scope::new("keyword.operator.arithmetic").unwrap()),
            Some("o")
        );
        assert_eq!(scope_kind(Scope::new("source.shell").unwrap()), None);
        assert_eq!(scope_kind(Scope::new("meta.function").unwrap()), None);
        for (_, kind) in PREFIXES {
            assert!(KINDS.iter().any(|(class, _, _)| class == kind), "{kind}");
        }
    }

    #[test]
    fn remembered_blocks_are_the_rendered_ones() {
        let code = "kubectl get pods -n $NAMESPACE # the pods\n";
        let mut fresh = String::new();
        render_code_block(&mut fresh, Some("Bash"), code);
        assert_eq!(block("bash", code), fresh);
        // The second time comes from the memo, after text already in `out`.
        let mut out = String::from("<p>x</p>\n");
        write_code_block(&mut out, Some("BASH"), code);
        assert_eq!(out, format!("<p>x</p>\n{fresh}"));
        let mut none = String::new();
        write_code_block(&mut none, None, code);
        assert!(!none.contains("data-lang") && !none.contains("<span class=\"c\""));
    }

    #[test]
    fn limits_fall_back_quickly() {
        assert!(within_limits("a\nb\n"));
        assert!(!within_limits(&"a\n".repeat(MAX_LINES + 1)));
        assert!(!within_limits(&"a".repeat(MAX_LINE_BYTES + 1)));
        assert!(!within_limits(&"abcdefgh\n".repeat(MAX_BYTES / 9 + 1)));

        let start = Instant::now();
        let long_line = "x=\"".repeat(10 * 1024 * 1024 / 3);
        let html = block("bash", &long_line);
        assert!(!html.contains("hl-"));
        let many = "echo $((1 + 2)) \"$HOME\"\n".repeat(100_000);
        let html = block("bash", &many);
        assert!(!html.contains("<span"));
        // Loose: tests share a loaded CI machine; highlighting 10 MB would take minutes.
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn css_has_both_themes_and_is_stable() {
        let css = highlight_css();
        assert_eq!(css, highlight_css());
        assert!(css.contains("@media (prefers-color-scheme: dark) {"));
        assert!(
            css.contains(
                ":root[data-theme=dark] pre.code { color: #e3eaf2; background-color: #111b27; }"
            ),
            "{css}"
        );
        assert!(css.contains(":root:not([data-theme=dark]) pre.code { color: #111b27;"));
        assert!(
            css.contains(":root[data-theme=dark] pre.code .c {"),
            "{css}"
        );
        assert!(
            css.contains(":root[data-theme=light] pre.code .k {"),
            "{css}"
        );
        assert!(!css.contains("hl-") && !css.contains("/*\n"));
        assert_eq!(css.matches('{').count(), css.matches('}').count());
    }
}
