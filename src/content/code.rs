//! What a fenced code block is, as both the renderer and the code checks read it: the
//! languages whose blocks are checked ([`Lang`]), the attributes and comment that exempt a
//! block from checks, the shell prompt rule (which lines of a session are commands: the Copy
//! button's rule) and command placeholders (`$NAMESPACE`, `${POD}`, `{{namespace}}`,
//! `<pod>`). One home for each, so that what a reader copies is what is checked.

/// A language whose blocks `check` parses (docs/checks.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    PromQl,
    Yaml,
    Json,
    Toml,
    Shell,
}

impl Lang {
    /// The checked language of an info-string language (lowercase), if any.
    pub fn of(lang: &str) -> Option<Lang> {
        Some(match lang {
            "promql" | "prometheus" => Lang::PromQl,
            "yaml" | "yml" => Lang::Yaml,
            "json" => Lang::Json,
            "toml" => Lang::Toml,
            // zsh and the other session names are highlighted as shell but shellcheck reads
            // only POSIX sh and bash, so only these are checked.
            "sh" | "bash" | "shell" | "console" => Lang::Shell,
            _ => return None,
        })
    }

    /// The name findings use.
    pub fn name(self) -> &'static str {
        match self {
            Lang::PromQl => "PromQL",
            Lang::Yaml => "YAML",
            Lang::Json => "JSON",
            Lang::Toml => "TOML",
            Lang::Shell => "shell",
        }
    }
}

/// Info-string languages highlighted as shell (the first is the grammar's own).
pub const SHELL: &[&str] = &[
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
];

/// Session languages: every prompt line is a command, everything else output.
pub const CONSOLE: &[&str] = &[
    "console",
    "shell-session",
    "shellsession",
    "sh-session",
    "terminal",
];

/// The prompt a shell block's lines start with, if any: `$ `, or for session languages also
/// `# ` (a root prompt; in a bash block it is a comment). `lang` is lowercase.
pub fn prompt(lang: &str, code: &str) -> Option<&'static str> {
    if !SHELL.contains(&lang) {
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

/// The commands of a shell block as Copy takes them (themes/default/static/fieldbook.js):
/// with a prompt, prompt lines (prompt removed) and the `\`-continuations after them; output
/// lines are left out. Each kept line stays on its line and column (the prompt becomes
/// spaces, output lines empty lines), so positions in the result are positions in `code`. A
/// session language block without a prompt is all output.
pub fn commands(lang: &str, code: &str) -> String {
    let Some(prompt) = prompt(lang, code) else {
        return if CONSOLE.contains(&lang) {
            code.split('\n').map(|_| "").collect::<Vec<_>>().join("\n")
        } else {
            code.to_string()
        };
    };
    let bare = prompt.trim_end();
    let mut continued = false;
    let mut out = Vec::new();
    for line in code.split('\n') {
        let kept = if continued {
            Some(line.to_string())
        } else if let Some(cmd) = line.strip_prefix(prompt) {
            Some(format!("{}{cmd}", " ".repeat(prompt.len())))
        } else if line.trim_end_matches('\r') == bare {
            Some(String::new())
        } else {
            None
        };
        continued = kept
            .as_deref()
            .is_some_and(|l| l.trim_end().ends_with('\\'));
        out.push(kept.unwrap_or_default());
    }
    out.join("\n")
}

/// Whether an info string carries the `{no-check}` attribute (```` ```sh {no-check} ````,
/// ```` ```{.sh no-check} ````). The language is the first word ([`super::body::info_lang`]).
pub fn info_no_check(info: &str) -> bool {
    info.split(|c: char| c.is_whitespace() || matches!(c, ',' | '{' | '}'))
        .skip_while(|w| w.is_empty())
        .skip(1)
        .any(|w| w.trim_start_matches('.') == "no-check")
}

/// Whether raw HTML is the comment that exempts the block after it from checks
/// (`<!-- fieldbook: no-check -->`, spaces optional).
pub fn is_no_check_comment(html: &str) -> bool {
    let squeezed: String = html.chars().filter(|c| !c.is_whitespace()).collect();
    squeezed.contains("<!--fieldbook:no-check-->")
}

/// A placeholder in a block's text: its char range and variable name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    pub start: usize,
    pub end: usize,
    pub name: String,
}

/// Whether a text may hold placeholders of `forms` at all (the cheap test that keeps most
/// blocks fast).
pub fn may_hold(text: &str, forms: Forms) -> bool {
    text.contains('$') || text.contains("{{") || forms == Forms::Any && text.contains('<')
}

/// Which placeholders [`placeholders`] finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forms {
    /// The command variables a page fills in from its URL (docs/alerts.md): `$NAME`,
    /// `${NAME}` with NAME in upper case, and `{{name}}` / `{{ name }}`.
    Fillable,
    /// Also what a reader replaces by hand or a dashboard fills in: `<name>`, and `$name` /
    /// `${name}` in any case (Grafana's `$job`, `$__rate_interval`).
    Any,
}

/// Placeholders in `chars`, in order, not overlapping. A `$` after a backslash is escaped.
pub fn placeholders(chars: &[char], forms: Forms) -> Vec<Placeholder> {
    let any = forms == Forms::Any;
    let var_start = |c: char| c.is_ascii_uppercase() || any && (c.is_ascii_lowercase() || c == '_');
    let var_rest = |c: char| {
        c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || any && c.is_ascii_lowercase()
    };
    let ident_start = |c: char| c.is_ascii_alphabetic() || c == '_';
    let ident_rest = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let run = |from: usize, ok: &dyn Fn(char) -> bool| {
        let mut j = from;
        while j < chars.len() && ok(chars[j]) {
            j += 1;
        }
        j
    };
    let found = |start: usize, end: usize, name: std::ops::Range<usize>| Placeholder {
        start,
        end,
        name: chars[name].iter().collect(),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let escaped = i > 0 && chars[i - 1] == '\\';
        if c == '$' && !escaped {
            // `${NAME}`
            if chars.get(i + 1) == Some(&'{') && chars.get(i + 2).is_some_and(|&c| var_start(c)) {
                let end = run(i + 3, &var_rest);
                if chars.get(end) == Some(&'}') {
                    out.push(found(i, end + 1, i + 2..end));
                    i = end + 1;
                    continue;
                }
            }
            // `$NAME`, not followed by more of a lower-case word (`$Name` is not one).
            if chars.get(i + 1).is_some_and(|&c| var_start(c)) {
                let end = run(i + 2, &var_rest);
                if !chars.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
                    out.push(found(i, end, i + 1..end));
                    i = end;
                    continue;
                }
            }
        } else if c == '{' && chars.get(i + 1) == Some(&'{') {
            let spaces = |from: usize| run(from, &|c| c == ' ');
            let name_start = spaces(i + 2);
            if chars.get(name_start).is_some_and(|&c| ident_start(c)) {
                let name_end = run(name_start, &ident_rest);
                let close = spaces(name_end);
                if chars.get(close) == Some(&'}') && chars.get(close + 1) == Some(&'}') {
                    out.push(found(i, close + 2, name_start..name_end));
                    i = close + 2;
                    continue;
                }
            }
        } else if any
            && c == '<'
            // `Vec<T>`, `a<b>c` are code, not placeholders.
            && !(i > 0 && chars[i - 1].is_alphanumeric())
            && chars.get(i + 1).is_some_and(|&c| ident_start(c))
        {
            let end = run(i + 2, &|c| ident_rest(c) || c == '-');
            if chars.get(end) == Some(&'>') {
                out.push(found(i, end + 1, i + 1..end));
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, forms: Forms) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        placeholders(&chars, forms)
            .into_iter()
            .map(|f| f.name)
            .collect()
    }

    #[test]
    fn finds_the_three_forms_and_skips_look_alikes() {
        let fillable = |t| names(t, Forms::Fillable);
        assert_eq!(
            fillable("kubectl -n $NAMESPACE logs ${POD} -c {{container}} {{ Pod_2 }}"),
            ["NAMESPACE", "POD", "container", "Pod_2"]
        );
        // Positional and special parameters, lower case, escaped, incomplete, Go templates.
        assert!(
            fillable("echo $1 $@ $? $_x $name \\$HOME ${A:-b} {{ .Values.x }} {{a b}} ${}")
                .is_empty()
        );
        // `$Name` is not an upper-case variable; digits and underscores are.
        assert!(fillable("$Name").is_empty());
        assert_eq!(fillable("$POD_2;$X"), ["POD_2", "X"]);
        assert_eq!(fillable("$$HOME"), ["HOME"]);
        assert!(fillable("<pod>").is_empty());
    }

    #[test]
    fn any_adds_angle_brackets_and_lower_case() {
        assert_eq!(
            names(
                "rate(x{job=\"$job\"}[$__rate_interval]) <pod-name> ${instance}",
                Forms::Any
            ),
            ["job", "__rate_interval", "pod-name", "instance"]
        );
        assert!(names("Vec<T> a<b> < x> <1>", Forms::Any).is_empty());
    }

    #[test]
    fn languages_and_exemptions() {
        assert_eq!(Lang::of("prometheus"), Some(Lang::PromQl));
        assert_eq!(Lang::of("console"), Some(Lang::Shell));
        assert_eq!(Lang::of("zsh"), None);
        assert!(info_no_check("sh {no-check}"));
        assert!(info_no_check("{.sh no-check}"));
        assert!(info_no_check("yaml {.no-check}"));
        assert!(!info_no_check("no-check"));
        assert!(!info_no_check("sh {no-checks}"));
        assert!(is_no_check_comment("<!-- fieldbook: no-check -->\n"));
        assert!(is_no_check_comment("<!--fieldbook:no-check-->"));
        assert!(!is_no_check_comment("<!-- fieldbook: check -->"));
    }

    #[test]
    fn commands_keep_lines_and_columns() {
        let session = "$ kubectl get pods \\\n  -n x\nNAME READY\n$\n# not a prompt here";
        assert_eq!(
            commands("bash", session),
            "  kubectl get pods \\\n  -n x\n\n\n"
        );
        assert_eq!(commands("console", "# id\nuid=0"), "  id\n");
        // Without prompts: a script as it is, a session all output.
        assert_eq!(commands("sh", "ls\necho"), "ls\necho");
        assert_eq!(commands("console", "ls\necho"), "\n");
    }
}
