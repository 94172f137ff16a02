//! One file's text and what it says, with no knowledge of the site around it or of other
//! tools: [`source`] positions, [`date`]s and review periods, [`front_matter`], [`markdown`]
//! (parser options, the outline of headings, links and quizzes), [`admonition`] blocks,
//! [`quiz`] blocks, [`code`] blocks (checked languages, exemptions, prompts, placeholders),
//! [`links`] and the [`urls`] a document publishes at, and the [`pattern`] globs
//! configuration uses.

pub mod admonition;
pub mod body;
pub mod code;
pub mod date;
pub mod edit;
pub mod front_matter;
pub mod links;
pub mod markdown;
pub mod pattern;
pub mod quiz;
pub mod source;
pub mod urls;

/// A relative path `/`-separated.
pub fn slash(p: &std::path::Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
