//! Command variables: placeholders in code blocks (`$NAMESPACE`, `${POD}`, `{{namespace}}`)
//! are wrapped in `<span class="cmd-var" data-var="namespace">` so that a runbook opened from
//! an alert link (`?namespace=payments&pod=x`) can fill them in (static/alerts.js).
//!
//! Marking works on the highlighted HTML, where syntect often splits one placeholder over
//! several spans (`<span>$</span><span>NAMESPACE</span>`): the placeholder is found in the
//! text, every span open at its start is closed before it and reopened after it, so the
//! markup stays balanced and the placeholder's text sits in one element.
//!
//! Syntax (docs/alerts.md): `$NAME` and `${NAME}` with NAME in upper case (`[A-Z][A-Z0-9_]*`),
//! and `{{name}}` / `{{ name }}` with any identifier; a `$` after a backslash is escaped and
//! left alone. `data-var` is the name in lower case, which is how query parameters match.
//!
//! A variable the block sets itself is no placeholder from there on: `NAME=value`,
//! `export`/`local`/`declare`/`readonly NAME`, `read NAME`, `for NAME in`, `env NAME=value`,
//! and in a Dockerfile `ARG NAME` and `ENV NAME`, as well as the build arguments BuildKit
//! predefines (`$TARGETARCH`, `$BUILDPLATFORM`...) in a `dockerfile` block.

use crate::content::code::{Forms, Placeholder, may_hold, placeholders};
use std::borrow::Cow;

/// A piece of highlighted HTML: a tag, or one character of text with its source (an entity
/// such as `&lt;` counts as the character it stands for).
enum Piece<'a> {
    Tag(&'a str),
    Char(char, &'a str),
}

fn pieces(html: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        let len = match c {
            '<' => rest.find('>').map_or(rest.len(), |i| i + 1),
            // Entities are short: look no further for the `;` (a lone `&` is itself).
            '&' => rest.as_bytes()[..rest.len().min(12)]
                .iter()
                .position(|&b| b == b';')
                .map_or(1, |i| i + 1),
            _ => c.len_utf8(),
        };
        let (piece, tail) = rest.split_at(len);
        out.push(match c {
            '<' => Piece::Tag(piece),
            '&' => Piece::Char(decode_entity(piece), piece),
            _ => Piece::Char(c, piece),
        });
        rest = tail;
    }
    out
}

/// The character an entity of escaped code text stands for (a lone `&` stands for itself).
fn decode_entity(e: &str) -> char {
    match e {
        "&" | "&amp;" => '&',
        "&lt;" => '<',
        "&gt;" => '>',
        "&quot;" => '"',
        "&#39;" | "&#x27;" => '\'',
        "&#36;" | "&#x24;" | "&dollar;" => '$',
        "&#123;" | "&#x7b;" | "&#x7B;" | "&lbrace;" => '{',
        "&#125;" | "&#x7d;" | "&#x7D;" | "&rbrace;" => '}',
        _ => '\u{fffd}',
    }
}

/// The closing tag of an opening `tag` (`<span class="x">` → `</span>`).
fn closing(tag: &str) -> String {
    let name: String = tag[1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("</{name}>")
}

/// Follow the open elements through `tag`.
fn track<'a>(open: &mut Vec<&'a str>, tag: &'a str) {
    if tag.starts_with("</") {
        open.pop();
    } else if !tag.ends_with("/>") {
        open.push(tag);
    }
}

/// The build arguments BuildKit defines in every Dockerfile without an `ARG`.
const DOCKER_PREDEFINED: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
];

/// Whether `lang` (lower case) is a Dockerfile.
fn is_dockerfile(lang: Option<&str>) -> bool {
    matches!(lang, Some("dockerfile" | "docker" | "containerfile"))
}

/// Whether `word` is a variable name.
fn is_ident(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The name `word` assigns (`NAME=value` → `NAME`), if it is an assignment.
fn assigned(word: &str) -> Option<&str> {
    let (name, _) = word.split_once('=')?;
    is_ident(name).then_some(name)
}

/// The variables `chars` sets itself, each with the char position from which it is set (the
/// end of the word that sets it: `X=$X` still reads the `$X` given).
fn declared(chars: &[char], lang: Option<&str>) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    if is_dockerfile(lang) {
        out.extend(DOCKER_PREDEFINED.iter().map(|n| (n.to_string(), 0)));
    }
    // Simple commands: split at newlines and shell separators, then into words.
    let separator = |c: char| matches!(c, '\n' | ';' | '|' | '&' | '(' | ')' | '`');
    let mut i = 0;
    while i < chars.len() {
        let mut words: Vec<(String, usize)> = Vec::new(); // word, end position
        while i < chars.len() && !separator(chars[i]) {
            if chars[i].is_whitespace() {
                i += 1;
                continue;
            }
            let mut word = String::new();
            while i < chars.len() && !separator(chars[i]) && !chars[i].is_whitespace() {
                word.push(chars[i]);
                i += 1;
            }
            words.push((word, i));
        }
        i += 1;
        command(&words, &mut out);
    }
    out
}

/// The variables one simple command (its words with their end positions) sets, into `out`.
fn command(words: &[(String, usize)], out: &mut Vec<(String, usize)>) {
    let mut rest = words;
    // A console prompt, keywords and wrappers before the command itself.
    while let Some(((w, _), tail)) = rest.split_first() {
        if matches!(
            w.as_str(),
            "$" | "#" | "%" | ">" | "{" | "do" | "then" | "else" | "!" | "time" | "RUN" | "run"
        ) {
            rest = tail;
        } else {
            break;
        }
    }
    // `A=1 B=2 command`: assignments in front of the command.
    while let Some(((w, end), tail)) = rest.split_first() {
        match assigned(w) {
            Some(name) => {
                out.push((name.to_string(), *end));
                rest = tail;
            }
            None => break,
        }
    }
    let Some(((first, _), args)) = rest.split_first() else {
        return;
    };
    match first.as_str() {
        "for" => {
            if let Some((name, end)) = args.first()
                && is_ident(name)
            {
                out.push((name.clone(), *end));
            }
        }
        // `ENV NAME value` (the old form) sets NAME only.
        "ENV" if args.first().is_some_and(|(w, _)| is_ident(w)) => {
            let (name, end) = &args[0];
            out.push((name.clone(), *end));
        }
        "ENV" | "env" => {
            for (w, end) in args {
                if let Some(name) = assigned(w) {
                    out.push((name.to_string(), *end));
                }
            }
        }
        "export" | "local" | "declare" | "typeset" | "readonly" | "read" | "ARG" | "arg" => {
            for (w, end) in args {
                if let Some(name) = assigned(w).or(is_ident(w).then_some(w.as_str())) {
                    out.push((name.to_string(), *end));
                }
            }
        }
        _ => {}
    }
}

/// `html` (the escaped or highlighted inside of a `<code>` of language `lang`, lower case)
/// with its placeholders marked, leaving out the variables the block sets itself.
pub fn mark<'a>(html: &'a str, lang: Option<&str>) -> Cow<'a, str> {
    if !may_hold(html, Forms::Fillable) {
        return Cow::Borrowed(html);
    }
    let pieces = pieces(html);
    let chars: Vec<char> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Char(c, _) => Some(*c),
            Piece::Tag(_) => None,
        })
        .collect();
    let mut found = placeholders(&chars, Forms::Fillable);
    if found.iter().any(|f| chars[f.start] == '$') {
        let declared = declared(&chars, lang);
        found.retain(|f| {
            chars[f.start] != '$'
                || !declared
                    .iter()
                    .any(|(name, from)| *name == f.name && *from <= f.start)
        });
    }
    if found.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + found.len() * 48);
    let mut open: Vec<&str> = Vec::new();
    let mut next = found.iter().peekable();
    let mut index = 0; // chars seen
    let mut inside: Option<&Placeholder> = None;
    for piece in &pieces {
        match *piece {
            Piece::Tag(tag) => {
                // Inside a placeholder, tags are dropped (the stack still follows them).
                if inside.is_none() {
                    out.push_str(tag);
                }
                track(&mut open, tag);
            }
            Piece::Char(_, src) => {
                if inside.is_none()
                    && let Some(f) = next.next_if(|f| f.start == index)
                {
                    for tag in open.iter().rev() {
                        out.push_str(&closing(tag));
                    }
                    out.push_str("<span class=\"cmd-var\" data-var=\"");
                    out.push_str(&f.name.to_ascii_lowercase());
                    out.push_str("\">");
                    inside = Some(f);
                }
                out.push_str(src);
                index += 1;
                if inside.is_some_and(|f| f.end == index) {
                    out.push_str("</span>");
                    for tag in &open {
                        out.push_str(tag);
                    }
                    inside = None;
                }
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_placeholders_split_over_spans() {
        let html = "<span class=\"a\">kubectl -n <span class=\"v\">$</span></span><span class=\"n\">NAMESPACE</span> get pods\n";
        let marked = mark(html, None);
        assert_eq!(
            marked,
            "<span class=\"a\">kubectl -n <span class=\"v\"></span></span><span class=\"cmd-var\" data-var=\"namespace\">$NAMESPACE</span><span class=\"n\"></span> get pods\n"
        );
        // Balanced: as many opening as closing spans.
        assert_eq!(
            marked.matches("<span").count(),
            marked.matches("</span>").count()
        );
    }

    #[test]
    fn keeps_spans_open_across_a_placeholder() {
        let html = "<span class=\"s\">\"pod=${POD}&amp;x\"</span>";
        assert_eq!(
            mark(html, None),
            "<span class=\"s\">\"pod=</span><span class=\"cmd-var\" data-var=\"pod\">${POD}</span><span class=\"s\">&amp;x\"</span>"
        );
    }

    #[test]
    fn plain_escaped_text_and_blocks_without_placeholders() {
        assert_eq!(
            mark("echo &lt;{{ ns }}&gt; $X\n", None),
            "echo &lt;<span class=\"cmd-var\" data-var=\"ns\">{{ ns }}</span>&gt; <span class=\"cmd-var\" data-var=\"x\">$X</span>\n"
        );
        let same = "<span class=\"x\">no placeholders &amp; $ here</span>";
        assert_eq!(mark(same, None), same);
        assert_eq!(mark("a &amp; b", None), "a &amp; b");
    }

    /// The names of the placeholders `mark` leaves marked in the plain text `code`.
    fn marked(code: &str, lang: Option<&str>) -> Vec<String> {
        let html = mark(code, lang);
        html.split("data-var=\"")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_string())
            .collect()
    }

    #[test]
    fn variables_the_block_sets_are_not_placeholders() {
        // Shell: assignments, export, read, for, local, env; from where they are set on.
        assert_eq!(
            marked("export X=1; echo $X $NAMESPACE\n", Some("sh")),
            ["namespace"]
        );
        assert_eq!(
            marked("$ for F in a b; do echo $F; done\n", Some("console")),
            Vec::<String>::new()
        );
        assert_eq!(
            marked("read -r NAME\necho \"$NAME\"\n", Some("bash")),
            Vec::<String>::new()
        );
        assert_eq!(
            marked("f() { local DIR=/tmp; ls $DIR; }\n", Some("bash")),
            Vec::<String>::new()
        );
        assert_eq!(marked("N=3 && echo $N\n", None), Vec::<String>::new());
        assert_eq!(
            marked("env A=1 B=2 sh -c 'echo $A'\n", None),
            Vec::<String>::new()
        );
        assert_eq!(
            marked("declare -r Y\nreadonly Z=1\necho $Y $Z\n", None),
            Vec::<String>::new()
        );
        // Used before it is set, or in its own value: still given from outside.
        assert_eq!(marked("echo $POD\nPOD=x\necho $POD\n", None), ["pod"]);
        assert_eq!(marked("docker run -e NS=$NS img\n", None), ["ns"]);
        // Only at the start of a command: a flag's `key=value` sets nothing.
        assert_eq!(
            marked("kubectl get events --field-selector NAME=$NAME\n", None),
            ["name"]
        );
        // Output lines of a session set nothing either.
        assert_eq!(
            marked(
                "$ kubectl -n $NAMESPACE get pods\nNAME   READY\n",
                Some("console")
            ),
            ["namespace"]
        );
    }

    #[test]
    fn dockerfile_arguments_are_not_placeholders() {
        let dockerfile = "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n\
                          ARG TARGETOS TARGETARCH\n\
                          ARG VERSION=1.0\n\
                          ENV APP_HOME=/app PORT=8080\n\
                          ENV LEGACY value\n\
                          RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build \\\n\
                          \x20 -ldflags \"-X main.v=$VERSION\" -o $APP_HOME/app $LEGACY $PORT $REGISTRY\n";
        assert_eq!(marked(dockerfile, Some("dockerfile")), ["registry"]);
        // Outside a Dockerfile, BuildKit's names are ordinary placeholders.
        assert_eq!(
            marked(
                "docker buildx build --platform linux/$TARGETARCH .\n",
                Some("sh")
            ),
            ["targetarch"]
        );
        // `{{name}}` placeholders are never shell variables.
        assert_eq!(marked("X=1 echo {{x}} $X\n", None), ["x"]);
    }
}
