//! Escaping for HTML text, attributes and URLs.

use pulldown_cmark_escape::{escape_href, escape_html, escape_html_body_text};

/// Escape `s` for a double-quoted attribute value (or body text).
pub(crate) fn escape_attr(out: &mut String, s: &str) {
    let _ = escape_html(&mut *out, s);
}

pub(crate) fn escape_body(out: &mut String, s: &str) {
    let _ = escape_html_body_text(&mut *out, s);
}

pub(crate) fn escape_url(out: &mut String, s: &str) {
    let _ = escape_href(&mut *out, s);
}
