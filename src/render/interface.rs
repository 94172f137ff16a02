//! What a caller gives the renderer (options, a link resolver) and gets back.

use serde::Serialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Keep raw HTML from the Markdown; `false` drops it (and refuses `javascript:` URLs).
    pub raw_html: bool,
}

/// Rewrites link and image destinations: internal links to .md files become page URLs, relative
/// asset paths get re-based (pages live one directory deeper than their source file). Returns None
/// to leave a destination unchanged (external links).
///
/// Called for every link and image destination except email autolinks (`<a@b.c>`).
pub trait LinkResolver: Sync {
    fn resolve(&self, dest: &str, image: bool) -> Option<String>;
}

/// Leaves every destination as written.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRewrite;

impl LinkResolver for NoRewrite {
    fn resolve(&self, _dest: &str, _image: bool) -> Option<String> {
        None
    }
}

impl<F> LinkResolver for F
where
    F: Fn(&str, bool) -> Option<String> + Sync,
{
    fn resolve(&self, dest: &str, image: bool) -> Option<String> {
        self(dest, image)
    }
}

/// A level 2–3 heading, for a page's table of contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    /// The heading's text without markup.
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Quizzes rendered (blocks that could not be read are not counted).
    pub quiz_count: usize,
}
