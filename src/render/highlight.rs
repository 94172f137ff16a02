//! Build-time syntax highlighting of code blocks with syntect, into CSS classes (`hl-…`).
//!
//! Grammars are bat's extended set, loaded once from two-face's precompiled dump, plus a
//! small PromQL grammar of our own (`promql.sublime-syntax`: no PromQL grammar ships with
//! syntect or two-face). Shell blocks with prompts (`$ ` / `# `) are highlighted as a
//! session: the prompt in its own `hl-prompt` span, commands as bash, output as plain text.
//!
//! Highlighting never stalls a build: a block over [`MAX_BYTES`], [`MAX_LINES`] lines or with
//! a line over [`MAX_LINE_BYTES`] is written as escaped plain text, found by one cheap scan.

use pulldown_cmark_escape::escape_html_body_text;
use std::sync::OnceLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet, SyntaxSetBuilder};
use syntect::util::LinesWithEndings;
use two_face::theme::EmbeddedThemeName;

/// Blocks larger than this are not highlighted.
pub const MAX_BYTES: usize = 256 * 1024;
/// Blocks with more lines than this are not highlighted.
pub const MAX_LINES: usize = 5_000;
/// Blocks with a line longer than this (in bytes) are not highlighted.
pub const MAX_LINE_BYTES: usize = 10_000;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

const BASH: &str = "Bourne Again Shell (bash)";
const PROMQL: &str = "PromQL";

/// Languages runbooks use, by info-string alias (lowercase) → grammar name. Anything not
/// listed is looked up by file extension or grammar name (`ruby`, `lua`, `kotlin`, `c`, …).
const ALIASES: &[(&[&str], &str)] = &[
    (
        &[
            "bash",
            "sh",
            "shell",
            "zsh",
            "ksh",
            "ash",
            "console",
            "shell-session",
            "shellsession",
            "sh-session",
            "terminal",
        ],
        BASH,
    ),
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

/// Session blocks: every prompt line is a command, everything else output.
const CONSOLE: &[&str] = &[
    "console",
    "shell-session",
    "shellsession",
    "sh-session",
    "terminal",
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

/// The prompt a shell block's lines start with, if any: `$ `, or for console-type blocks
/// also `# ` (a root prompt; in a bash block it is a comment).
fn prompt(lang: &str, code: &str) -> Option<&'static str> {
    let shell = ALIASES[0].0.contains(&lang);
    if !shell {
        return None;
    }
    let starts = |p: &str| {
        code.split('\n')
            .any(|l| l.starts_with(p) || l == p.trim_end())
    };
    if starts("$ ") {
        Some("$ ")
    } else if CONSOLE.contains(&lang) && starts("# ") {
        Some("# ")
    } else {
        None
    }
}

/// Write `code` as `<pre class="code" data-lang="…"><code>…</code></pre>\n`.
/// `lang` is the first word of the info string (lowercased here), `None` for none.
pub(crate) fn write_code_block(out: &mut String, lang: Option<&str>, code: &str) {
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
        Some(html) => out.push_str(&super::cmdvars::mark(&html)),
        None if within_limits(code) => {
            let mut plain = String::with_capacity(code.len());
            escape_text(&mut plain, code);
            out.push_str(&super::cmdvars::mark(&plain));
        }
        None => escape_text(out, code),
    }
    out.push_str("</code></pre>\n");
}

fn escape_text(out: &mut String, s: &str) {
    let _ = escape_html_body_text(&mut *out, s);
}

fn highlight(set: &SyntaxSet, syntax: &SyntaxReference, code: &str) -> Option<String> {
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
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
            html.push_str("<span class=\"hl-prompt\">");
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
/// nothing leaks from one into the other. The themes' base colours go on `pre.code`.
/// Deterministic; computed once.
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
        css.push_str(".hl-prompt { -webkit-user-select: none; user-select: none; }\n");
        css
    })
    .clone()
}

/// (selectors, declarations) of a theme's class CSS, `.hl-code` renamed `pre.code`.
fn rules(theme: &syntect::highlighting::Theme) -> Vec<(Vec<String>, String)> {
    let css = css_for_theme_with_class_style(theme, STYLE).unwrap_or_default();
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css.as_str();
    while let Some(i) = rest.find("/*") {
        without_comments.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    without_comments.push_str(rest);
    let mut out = Vec::new();
    for block in without_comments.split('}') {
        let Some((selectors, decls)) = block.split_once('{') else {
            continue;
        };
        let selectors: Vec<String> = selectors
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s == ".hl-code" {
                    "pre.code".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect();
        let decls: Vec<&str> = decls
            .split(';')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .collect();
        if !selectors.is_empty() && !decls.is_empty() {
            out.push((selectors, decls.join("; ") + ";"));
        }
    }
    out
}

fn write_rules(css: &mut String, rules: &[(Vec<String>, String)], scope: &str) {
    for (selectors, decls) in rules {
        let list: Vec<String> = selectors.iter().map(|s| format!("{scope} {s}")).collect();
        css.push_str(&list.join(", "));
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
        ("postgresql", "VACUUM ANALYZE orders;\n"),
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
            assert!(html.contains("<span class=\"hl-"), "{lang}: {html}");
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
        for class in [
            "hl-support hl-function hl-aggregation",
            "hl-keyword hl-other",
            "hl-support hl-function hl-promql",
            "hl-entity hl-other hl-attribute-name",
            "hl-string hl-quoted hl-double",
            "hl-constant hl-numeric hl-duration",
            "hl-constant hl-numeric hl-promql",
            "hl-comment",
        ] {
            assert!(html.contains(class), "{class}: {html}");
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
        assert!(html.starts_with("<pre class=\"code\" data-lang=\"console\" data-prompt=\"$ \"><code><span class=\"hl-prompt\">$ </span><span class=\"hl-source hl-shell hl-bash\">"), "{html}");
        // Output lines stay plain.
        assert!(html.contains("</span>NAME   READY\n"), "{html}");
        // The continuation line belongs to the command.
        assert!(!html.contains("</span>    -n db"), "{html}");

        let root = block("console", "# systemctl restart pgbouncer\n");
        assert!(
            root.contains("data-prompt=\"# \"") && root.contains("hl-prompt"),
            "{root}"
        );
        // In a bash block `# ` is a comment, not a prompt.
        let comment = block("bash", "# restart it\nsystemctl restart pgbouncer\n");
        assert!(!comment.contains("data-prompt") && !comment.contains("hl-prompt"));
        let bash = block("bash", "$ df -h\nFilesystem  Size\n$\n");
        assert!(bash.contains("data-prompt=\"$ \"") && bash.contains("</span>Filesystem  Size\n"));
        // A console block without prompts is all output.
        assert_eq!(
            block("console", "just output\n"),
            "<pre class=\"code\" data-lang=\"console\"><code>just output\n</code></pre>\n"
        );
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
        assert!(css.contains(":root[data-theme=dark] .hl-comment {"));
        assert!(!css.contains(".hl-code {") && !css.contains("/*\n"));
        assert_eq!(css.matches('{').count(), css.matches('}').count());
    }
}
