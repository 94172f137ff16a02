//! What the checks need from a Markdown body: its headings (with the anchors the renderer
//! gives them) and the links it makes. One pass of pulldown-cmark per document.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

pub use super::body::{Note, Rewritten, info_lang, options};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// The anchor: an explicit `{#id}`, or a GitHub-style slug made unique in the document.
    pub id: String,
    /// Byte offset in the body.
    pub offset: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub dest: String,
    /// Byte range of the link in the body.
    pub offset: usize,
    pub len: usize,
    pub image: bool,
}

/// A ```` ```quiz ```` block's text, as the renderer sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuizBlock {
    /// Byte offset in the body of the block's first line of text (of its opening fence when
    /// it has none).
    pub offset: usize,
    pub text: String,
}

/// A fenced block in a checked language ([`crate::content::code::Lang`]), as the renderer
/// sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    /// The info string's language, lowercased.
    pub lang: String,
    /// Exempt from checks: `{no-check}` in its info string or `<!-- fieldbook: no-check -->`
    /// just before it.
    pub no_check: bool,
    /// Byte offset in the body of the opening fence.
    pub offset: usize,
    /// Byte offset in the body of each line of `text` (a block in a list or quote has its
    /// lines' indentation or `>` removed, so the lines are not contiguous in the body).
    pub lines: Vec<usize>,
    /// The block's text, empty when it is over [`CODE_BLOCK_MAX_BYTES`].
    pub text: String,
    /// The block was over [`CODE_BLOCK_MAX_BYTES`] (its text is not kept).
    pub too_large: bool,
}

/// Checked blocks larger than this are not kept (nor checked): a generated dump is no step
/// to check, and parsing one must not hold up a check.
pub const CODE_BLOCK_MAX_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    /// Quiz blocks, in order (found here so that checks need no second parse of the body).
    pub quizzes: Vec<QuizBlock>,
    /// Blocks in checked languages, in order.
    pub code_blocks: Vec<CodeBlock>,
    /// `id="..."`/`name="..."` anchors written in raw HTML.
    pub html_ids: Vec<String>,
    /// Other tools' syntax removed rather than rendered (body offsets), for findings.
    pub unsupported: Vec<Note>,
    /// Every heading id and HTML anchor, built the first time [`Outline::has_anchor`] is
    /// asked (a document with 50,000 links to its 50,000 headings must not scan them per
    /// link). An outline is not changed once made.
    anchors: AnchorIndex,
}

/// The set behind [`Outline::has_anchor`]; a cache, so it never makes outlines unequal.
#[derive(Clone, Debug, Default)]
struct AnchorIndex(OnceLock<HashSet<String>>);

impl PartialEq for AnchorIndex {
    fn eq(&self, _: &AnchorIndex) -> bool {
        true
    }
}

impl Eq for AnchorIndex {}

impl Outline {
    pub fn has_anchor(&self, id: &str) -> bool {
        self.anchors
            .0
            .get_or_init(|| {
                let headings = self.headings.iter().map(|h| h.id.clone());
                headings.chain(self.html_ids.iter().cloned()).collect()
            })
            .contains(id)
    }

    /// The first level-1 heading: a document's title when front matter gives none.
    pub fn title(&self) -> Option<&str> {
        self.headings
            .iter()
            .find(|h| h.level == 1)
            .map(|h| h.text.as_str())
    }
}

/// The outline of a body written in Fieldbook's Markdown.
pub fn outline(body: &str) -> Outline {
    outline_rewritten(body, None)
}

/// The outline of a body adoption rewrote: parsed from the rewritten text, positioned in
/// `body`.
pub fn outline_rewritten(body: &str, rewritten: Option<&Rewritten>) -> Outline {
    let mut out = Outline::default();
    let mut slugs = Slugger::default();
    let mut heading: Option<(u8, Option<String>, usize, String)> = None;
    let mut quiz: Option<QuizBlock> = None;
    let mut code: Option<CodeBlock> = None;
    // An HTML block that was the no-check comment, until the next block starts.
    let mut no_check_next = false;
    // The renderer turns `!!! note` admonitions into block quotes before parsing; parse the
    // same text so that headings and links inside them count, and map offsets back.
    let pre = crate::content::admonition::preprocess_rewritten(body, rewritten);
    out.unsupported = pre.notes.clone();
    for (event, range) in Parser::new_ext(&pre.text, options()).into_offset_iter() {
        let start = pre.source_offset(range.start);
        let range = start..pre.source_offset(range.end).max(start);
        // The no-check comment exempts the block right after it: any other start ends it.
        let after_comment = match &event {
            Event::Start(Tag::HtmlBlock) => no_check_next,
            Event::Start(_) => std::mem::take(&mut no_check_next),
            _ => no_check_next,
        };
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    level_num(level),
                    id.map(|s| s.to_string()),
                    range.start,
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, offset, text)) = heading.take() {
                    let text = text.trim().to_string();
                    let id = match id {
                        Some(id) => slugs.claim(id),
                        None => slugs.slug(&text),
                    };
                    out.headings.push(Heading {
                        level,
                        text,
                        id,
                        offset,
                    });
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info_lang(&info).as_deref() == Some("quiz") =>
            {
                quiz = Some(QuizBlock {
                    offset: range.start,
                    text: String::new(),
                });
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info_lang(&info)
                    .as_deref()
                    .and_then(crate::content::code::Lang::of)
                    .is_some() =>
            {
                code = Some(CodeBlock {
                    lang: info_lang(&info).unwrap_or_default(),
                    no_check: after_comment || crate::content::code::info_no_check(&info),
                    offset: range.start,
                    lines: Vec::new(),
                    text: String::new(),
                    too_large: false,
                });
            }
            Event::End(TagEnd::CodeBlock) => {
                out.quizzes.extend(quiz.take());
                out.code_blocks.extend(code.take());
            }
            Event::Text(t) if code.is_some() => {
                if let Some(c) = code.as_mut() {
                    code_text(c, &t, |i| pre.source_offset(range.start + i));
                }
            }
            Event::Text(t) if quiz.is_some() => {
                if let Some(q) = quiz.as_mut() {
                    if q.text.is_empty() {
                        q.offset = range.start;
                    }
                    q.text.push_str(&t);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, _, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => out.links.push(Link {
                dest: dest_url.to_string(),
                offset: range.start,
                len: range.len(),
                image: false,
            }),
            Event::Start(Tag::Image { dest_url, .. }) => out.links.push(Link {
                dest: dest_url.to_string(),
                offset: range.start,
                len: range.len(),
                image: true,
            }),
            Event::Html(h) | Event::InlineHtml(h) => {
                if crate::content::code::is_no_check_comment(&h) {
                    no_check_next = true;
                }
                html_ids(&h, &mut out.html_ids)
            }
            _ => {}
        }
    }
    out
}

/// Add a piece of a checked block's text, `at(i)` giving the body offset of its byte `i`.
fn code_text(block: &mut CodeBlock, text: &str, at: impl Fn(usize) -> usize) {
    if block.too_large || block.text.len() + text.len() > CODE_BLOCK_MAX_BYTES {
        block.too_large = true;
        block.text = String::new();
        block.lines = Vec::new();
        return;
    }
    let starts_line = block.text.is_empty() || block.text.ends_with('\n');
    if starts_line && !text.is_empty() {
        block.lines.push(at(0));
    }
    for (i, _) in text.match_indices('\n') {
        if i + 1 < text.len() {
            block.lines.push(at(i + 1));
        }
    }
    block.text.push_str(text);
}

fn level_num(l: HeadingLevel) -> u8 {
    l as u8
}

/// GitHub's anchor rule: lowercase; letters, digits, `-` and `_` kept; spaces become `-`;
/// everything else dropped. Repeats get `-1`, `-2`, ...
#[derive(Default)]
pub struct Slugger {
    seen: HashMap<String, usize>,
}

impl Slugger {
    pub fn slug(&mut self, text: &str) -> String {
        let base: String = text
            .trim()
            .chars()
            .flat_map(char::to_lowercase)
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        self.claim(base)
    }

    /// Reserve `id`, or the first free `id-N` after it.
    pub fn claim(&mut self, id: String) -> String {
        let Some(&n) = self.seen.get(&id) else {
            self.seen.insert(id.clone(), 0);
            return id;
        };
        let mut n = n;
        let candidate = loop {
            n += 1;
            let c = format!("{id}-{n}");
            if !self.seen.contains_key(&c) {
                break c;
            }
        };
        self.seen.insert(id, n);
        self.seen.insert(candidate.clone(), 0);
        candidate
    }
}

fn html_ids(html: &str, out: &mut Vec<String>) {
    for attr in [" id=\"", " name=\"", " id='", " name='"] {
        let quote = &attr[attr.len() - 1..];
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find(quote) {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_github_anchors() {
        let o = outline(
            "# Disk full\n\n## Step 2: Fail over\n\n## Step 2: Fail over\n\n## `kubectl` usage {#kc}\n\n### Ünïcode & ümlauts\n",
        );
        let ids: Vec<_> = o.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "disk-full",
                "step-2-fail-over",
                "step-2-fail-over-1",
                "kc",
                "ünïcode--ümlauts"
            ]
        );
        assert_eq!(o.title(), Some("Disk full"));
        assert!(o.has_anchor("kc"));
    }

    #[test]
    fn links_images_and_html_anchors() {
        let body = "See [x](../db/failover.md#step-1) and ![g](img/a.png).\n\n<a id=\"manual\"></a>\n\n[ext](https://example.com)\n";
        let o = outline(body);
        let dests: Vec<_> = o.links.iter().map(|l| (l.dest.as_str(), l.image)).collect();
        assert_eq!(
            dests,
            [
                ("../db/failover.md#step-1", false),
                ("img/a.png", true),
                ("https://example.com", false)
            ]
        );
        assert_eq!(&body[o.links[0].offset..o.links[0].offset + 1], "[");
        assert!(o.has_anchor("manual"));
    }

    #[test]
    fn quiz_blocks_with_their_offsets() {
        let body = "Intro\n\n```quiz\nquestion: Q?\nchoices: []\n```\n\n- item\n\n  ``` Quiz {.x}\n  question: R\n  ```\n\n```quiz\n```\n\n```yaml\nquestion: no\n```\n";
        let o = outline(body);
        let got: Vec<(&str, &str)> = o
            .quizzes
            .iter()
            .map(|q| (&body[q.offset..q.offset + 4], q.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("ques", "question: Q?\nchoices: []\n"),
                ("ques", "question: R\n"),
                ("```q", "")
            ]
        );
    }

    #[test]
    fn code_blocks_hide_their_links() {
        let o = outline("```\n[not](a-link.md)\n# not a heading\n```\n");
        assert!(o.links.is_empty() && o.headings.is_empty());
    }

    #[test]
    fn checked_code_blocks_with_their_lines_and_exemptions() {
        let body = "1. Step:\n\n   ```yaml\n   a: 1\n   b: 2\n   ```\n\n<!-- fieldbook: no-check -->\n```promql\nx(\n```\n\n```sh {no-check}\nls\n```\n\n```python\nx\n```\n\n<!-- fieldbook: no-check -->\n\nText.\n\n```json\n{}\n```\n";
        let o = outline(body);
        let blocks: Vec<(&str, bool)> = o
            .code_blocks
            .iter()
            .map(|b| (b.lang.as_str(), b.no_check))
            .collect();
        // Python is not checked; the comment exempts the block right after it only.
        assert_eq!(
            blocks,
            [
                ("yaml", false),
                ("promql", true),
                ("sh", true),
                ("json", false)
            ]
        );
        let yaml = &o.code_blocks[0];
        assert_eq!(yaml.text, "a: 1\nb: 2\n");
        // Each line's offset is past the list item's indentation.
        let lines: Vec<&str> = yaml.lines.iter().map(|&i| &body[i..i + 4]).collect();
        assert_eq!(lines, ["a: 1", "b: 2"]);
        assert!(body[yaml.offset..].starts_with("```yaml"));
        // Too large: kept as a mark only.
        let big = format!("```json\n{}\n```\n", "1".repeat(CODE_BLOCK_MAX_BYTES + 1));
        let o = outline(&big);
        assert!(o.code_blocks[0].too_large && o.code_blocks[0].text.is_empty());
    }
}
