//! The Markdown flavour of a body: the parser options every pass uses (the renderer, the
//! outline, search), fenced-block languages, and a body adoption rewrote into this flavour.

use pulldown_cmark::Options;

/// The Markdown extensions Fieldbook enables everywhere, so checks and rendering agree.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// The language of a fenced block: the info string's first word (`bash`, `{.bash}`,
/// `rust,ignore`), lowercased.
pub fn info_lang(info: &str) -> Option<String> {
    let info = info
        .trim_start()
        .trim_start_matches('{')
        .trim_start_matches('.');
    let lang: String = info
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '{' | '}'))
        .collect();
    (!lang.is_empty()).then(|| lang.to_lowercase())
}

/// Syntax adoption removed rather than rewrote, for an `unsupported-syntax` finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Byte offset and length in the body.
    pub offset: usize,
    pub len: usize,
    /// What was found: `shortcode param`, `{% include %}`, `--8<-- snippet`, ...
    pub what: String,
    pub hint: &'static str,
}

/// A body adoption rewrote into Fieldbook's Markdown: its text, for each of its lines the body line it comes from, and the
/// notes (at most one per [`Note::what`], the first).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rewritten {
    pub text: String,
    pub sources: Vec<usize>,
    pub notes: Vec<Note>,
}
