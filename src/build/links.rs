//! Links in a page, rewritten to where their targets are published.

use crate::content::links::{LinkTarget, resolve_link};
use crate::content::urls::encode_path;
use crate::model::{Document, Site};
use crate::render::LinkResolver;

/// Rewrites a document's links: Markdown files to their pages, other files to where they are
/// copied, all relative to the page's own URL.
pub struct DocLinks<'a> {
    pub site: &'a Site,
    pub doc: &'a Document,
    pub root: String,
    /// In a part build, `NAME:path#anchor` links lead to part NAME as `compose` lays it out.
    pub in_part: bool,
}

impl LinkResolver for DocLinks<'_> {
    fn resolve(&self, dest: &str, _image: bool) -> Option<String> {
        if self.in_part
            && let Some((part, path, anchor)) = crate::parts::part_link(dest)
        {
            // The part itself is one folder down in the composed handbook.
            return Some(format!(
                "{}../{}",
                self.root,
                crate::parts::composed_url(part, path, anchor)
            ));
        }
        let LinkTarget::Path { rel, anchor } = resolve_link(&self.doc.rel, dest)? else {
            return None; // `#anchor` in the same page needs no change
        };
        let fragment = anchor
            .map(|a| format!("#{}", encode_path(&a)))
            .unwrap_or_default();
        let target = match self.site.link_target(&rel) {
            Some(d) => d.url(),
            None if self.site.dirs.contains(&rel) => format!("{}/", encode_path(&rel)),
            None => encode_path(&rel),
        };
        Some(format!("{}{target}{fragment}", self.root))
    }
}
