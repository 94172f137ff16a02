//! Search (docs/search.md): one analysis ([`analyze`]), two engines. tantivy, in
//! `<site>/.fieldbook/search/`, is the source of truth for `fieldbook search` ([`index`],
//! [`query`]); the client index written into the site's `search/` ([`client`]) carries the same
//! analysed terms for `static/search.js`.
//!
//! Query language (both engines): words and `"quoted phrases"`. Every word must match (AND),
//! by its lowercase whole form: exactly (factor 1.0, or 3.0 when the query is that single
//! word), as a prefix of an indexed term (0.6, words of three characters or more, the 50 terms
//! with the most postings) or, when neither finds anything, with a typo (0.4, one edit for 5–8
//! characters, two from 9, transpositions counting one, same first character, 16 terms at
//! most). A word or phrase that matches no document is ignored. A phrase matches its words at
//! consecutive positions in one field and weighs ×3. See [`query`] for the exact scoring.

pub mod analysed;
pub mod analyze;
pub mod cli;
pub mod client;
mod doc;
pub mod export;
pub mod index;
pub mod pasted;
pub mod query;

use crate::model::ownership_state;
use crate::model::{Document, Site};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;

pub use client::{client_index_files, is_client_index, write_client_index};
pub use doc::{FIELDS, SearchDoc, WEIGHTS, index_dir};
pub use index::{IndexStats, update_index};
pub use query::{Hit, Query, search};

/// The documents of the site (drafts only with `drafts`), in content-path order.
pub fn documents(site: &Site, drafts: bool) -> Vec<SearchDoc> {
    site.documents
        .par_iter()
        .filter(|d| d.is_listed(drafts))
        .map(|d| search_doc(site, d))
        .collect()
}

/// One document as search sees it (what [`documents`] gives for each).
pub fn search_doc(site: &Site, doc: &Document) -> SearchDoc {
    let review = site.effective_review(doc);
    let ownership = ownership_state(site, doc);
    // First appearances, in order; a set, since a team may have 100,000 members.
    let mut seen: HashSet<&str> = HashSet::new();
    let owners: Vec<String> = doc
        .owners
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect();
    let teams: Vec<String> = owners
        .iter()
        .filter(|id| site.owners.teams.contains_key(*id))
        .cloned()
        .collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let members: Vec<String> = teams
        .iter()
        .flat_map(|t| &site.owners.teams[t].members)
        .filter(|m| seen.insert(m.as_str()))
        .cloned()
        .collect();
    let channel = teams
        .iter()
        .find_map(|t| site.owners.teams[t].channel.clone());
    let headings = doc
        .outline
        .headings
        .iter()
        .filter(|h| !(h.level == 1 && h.text == doc.title))
        .map(|h| h.text.clone())
        .collect();
    SearchDoc {
        rel: doc.rel.clone(),
        url: doc.url(),
        title: doc.title.clone(),
        kind: doc.kind,
        state: review.state,
        lapsed: ownership == "lapsed",
        unowned: ownership == "unowned",
        owner_names: owners
            .iter()
            .map(|id| site.owners.display_name(id).to_string())
            .collect(),
        owners,
        channel,
        teams,
        members,
        services: doc.meta.services.clone(),
        tags: doc.meta.tags.clone(),
        alerts: doc.meta.alerts.clone(),
        severity: doc.meta.severity.clone(),
        headings,
        body: plain_text(doc.markdown()),
        reviewed: review.reviewed,
    }
}

/// The text of a Markdown body without its headings: blocks on lines of their own, code
/// blocks and inline code included, raw HTML left out. A quiz block counts as its question,
/// choices and explanation (what the reader sees), not its YAML.
pub fn plain_text(body: &str) -> String {
    plain_text_marked(body, None)
}

/// Where a heading stood in [`plain_text`]'s output: the sections of a page for
/// [`export`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadingMark {
    /// Byte offset in the plain text where the heading's section begins.
    pub at: usize,
    pub level: u8,
    pub text: String,
}

/// [`plain_text`], also recording each heading's place in the text when `marks` is given.
pub fn plain_text_marked(body: &str, mut marks: Option<&mut Vec<HeadingMark>>) -> String {
    let pre = crate::content::admonition::preprocess(body);
    let mut out = String::with_capacity(body.len());
    let mut heading = 0usize;
    let mut quiz: Option<String> = None;
    for event in Parser::new_ext(&pre.text, crate::content::markdown::options()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading += 1;
                if let Some(m) = marks.as_deref_mut() {
                    m.push(HeadingMark {
                        at: out.len(),
                        level: level as u8,
                        text: String::new(),
                    });
                }
            }
            Event::End(TagEnd::Heading(_)) => heading = heading.saturating_sub(1),
            Event::Text(t) | Event::Code(t) if heading > 0 => {
                if let Some(m) = marks.as_deref_mut().and_then(|m| m.last_mut()) {
                    m.text.push_str(&t);
                }
            }
            _ if heading > 0 => {}
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split_whitespace().next() == Some("quiz") =>
            {
                quiz = Some(String::new());
            }
            Event::Text(t) if quiz.is_some() => quiz.get_or_insert_default().push_str(&t),
            Event::End(TagEnd::CodeBlock) if quiz.is_some() => {
                // A quiz that does not parse is shown as code with a note: nothing to find.
                if let Ok(q) = crate::content::quiz::parse(&quiz.take().unwrap_or_default()) {
                    let choices = q.choices.iter().map(|c| c.text.as_str());
                    for line in std::iter::once(q.question.as_str())
                        .chain(choices)
                        .chain(q.explain.as_deref())
                    {
                        out.push_str(line.trim());
                        out.push('\n');
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionListDefinition
                | TagEnd::DefinitionListTitle,
            ) if !out.ends_with('\n') => out.push('\n'),
            _ => {}
        }
    }
    while out.ends_with('\n') {
        out.pop();
    }
    if let Some(m) = marks {
        for mark in m.iter_mut() {
            mark.at = mark.at.min(out.len());
            mark.text = mark.text.trim().to_string();
        }
    }
    out
}

/// JSON lines, one object per document with every field (`build --search-export FILE`).
pub fn write_export(path: &Path, docs: &[SearchDoc]) -> std::io::Result<()> {
    use std::io::Write;
    let mut w = create_export(path)?;
    for d in docs {
        serde_json::to_writer(&mut w, d)?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// The export file at `path`, its directory created.
fn create_export(path: &Path) -> std::io::Result<std::io::BufWriter<std::fs::File>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    Ok(std::io::BufWriter::new(std::fs::File::create(path)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_keeps_code_and_drops_headings_and_html() {
        let md = "# Title\n\nSome *text* with `pg_stat_activity` and [a link](x.md).\n\n\
                  ## Step 1\n\n```console\n$ psql -c 'select 1'\nFATAL: remaining connection slots\n```\n\n\
                  <div id=\"x\">raw</div>\n\n- one\n- two\n\n| a | b |\n|---|---|\n| c | d |\n";
        let t = plain_text(md);
        assert!(!t.contains("Title") && !t.contains("Step 1"));
        assert!(t.contains("Some text with pg_stat_activity and a link."));
        assert!(t.contains("FATAL: remaining connection slots"));
        assert!(t.contains("$ psql -c 'select 1'"));
        assert!(!t.contains("raw") && !t.contains("div"));
        assert!(t.contains("one\ntwo"));
        assert!(t.contains("c d"));
    }

    #[test]
    fn quizzes_are_their_question_and_choices_not_yaml() {
        let md = "Before.\n\n```quiz\nquestion: What pages first?\nchoices:\n  - text: The burn-rate alert\n    correct: true\n  - text: CPU\nexplain: Burn rate measures users' pain.\n```\n\nAfter.\n";
        let t = plain_text(md);
        assert_eq!(
            t,
            "Before.\nWhat pages first?\nThe burn-rate alert\nCPU\nBurn rate measures users' pain.\nAfter."
        );
        assert_eq!(plain_text("```quiz\nquestion: [\n```\n"), "");
    }

    #[test]
    fn admonition_content_is_text() {
        let t = plain_text("!!! warning \"Careful\"\n    Do not *restart* the primary.\n");
        assert!(t.contains("Do not restart the primary."), "{t:?}");
    }
}
