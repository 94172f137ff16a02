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

/// `html` (the escaped or highlighted inside of a `<code>`) with its placeholders marked.
pub fn mark(html: &str) -> Cow<'_, str> {
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
    let found = placeholders(&chars, Forms::Fillable);
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
        let marked = mark(html);
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
            mark(html),
            "<span class=\"s\">\"pod=</span><span class=\"cmd-var\" data-var=\"pod\">${POD}</span><span class=\"s\">&amp;x\"</span>"
        );
    }

    #[test]
    fn plain_escaped_text_and_blocks_without_placeholders() {
        assert_eq!(
            mark("echo &lt;{{ ns }}&gt; $X\n"),
            "echo &lt;<span class=\"cmd-var\" data-var=\"ns\">{{ ns }}</span>&gt; <span class=\"cmd-var\" data-var=\"x\">$X</span>\n"
        );
        let same = "<span class=\"x\">no placeholders &amp; $ here</span>";
        assert_eq!(mark(same), same);
        assert_eq!(mark("a &amp; b"), "a &amp; b");
    }
}
