//! The HTML writer: pulldown-cmark events → HTML, with Fieldbook's additions (heading
//! anchors, callouts, highlighted code, quizzes, link rewriting, raw-HTML filtering).
//! Modelled on `pulldown_cmark::html`, escaping with the same `pulldown-cmark-escape`.

use super::escape::{escape_attr, escape_body, escape_url};
use super::interface::{LinkResolver, RenderOptions, Rendered, TocEntry};
use super::{highlight, quiz};
use crate::content::admonition::{self, Admonition};
use crate::content::code::Lang;
use crate::content::markdown::info_lang;
use crate::content::markdown::{Slugger, options};
use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, LinkType, Parser, Tag, TagEnd,
};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// Render a document. `fragment` is for Markdown inside other constructs (quiz text):
/// headings get no ids and leave the TOC alone, and quiz blocks stay code.
pub(crate) fn render(
    body: &str,
    links: &dyn LinkResolver,
    opts: &RenderOptions,
    fragment: bool,
) -> Rendered {
    render_noted(body, links, opts, fragment, &[])
}

/// [`render`], with a note above each checked code block `notes` names (by its index among
/// the blocks of checked languages, as the outline counts them): why it no longer parses.
pub(crate) fn render_noted(
    body: &str,
    links: &dyn LinkResolver,
    opts: &RenderOptions,
    fragment: bool,
    notes: &[(usize, String)],
) -> Rendered {
    // CommonMark: U+0000 must become U+FFFD (pulldown-cmark leaves some through, and a NUL
    // in HTML is a parse error browsers treat differently).
    let body: std::borrow::Cow<'_, str> = if body.contains('\0') {
        body.replace('\0', "\u{FFFD}").into()
    } else {
        body.into()
    };
    let pre = admonition::preprocess(&body);
    let mut w = Writer {
        links,
        opts,
        fragment,
        pre: &pre,
        out: String::with_capacity(body.len() + body.len() / 2),
        slugger: Slugger::default(),
        toc: Vec::new(),
        quiz_count: 0,
        code_notes: notes,
        checked_blocks: 0,
        heading: None,
        image: None,
        code: None,
        skip: 0,
        closers: Vec::new(),
        links_open: Vec::new(),
        table_alignments: Vec::new(),
        table_head: false,
        table_cell: 0,
        item_pos: None,
        footnote_numbers: HashMap::new(),
        footnote_refs: HashSet::new(),
        footnote_open: None,
        footnotes: Vec::new(),
    };
    for (event, range) in Parser::new_ext(&pre.text, options()).into_offset_iter() {
        w.event(event, range);
    }
    w.finish()
}

/// Render Markdown meant to sit inline (a quiz question or choice): a lone paragraph loses
/// its `<p>`. The flag is false when the text is more than one paragraph (or not one), so the
/// caller must not put it inside a `<p>`.
pub(crate) fn render_inline(
    text: &str,
    links: &dyn LinkResolver,
    opts: &RenderOptions,
) -> (String, bool) {
    let html = render(text, links, opts, true).html;
    if html.trim().is_empty() {
        return (String::new(), true);
    }
    match lone_paragraph(&html) {
        Some(inner) => (inner.to_string(), true),
        None => (html, false),
    }
}

/// Quiz text is Markdown too, rendered by this writer as a fragment.
struct Nested<'a> {
    links: &'a dyn LinkResolver,
    opts: &'a RenderOptions,
}

impl quiz::Markdown for Nested<'_> {
    fn inline(&self, text: &str) -> (String, bool) {
        render_inline(text, self.links, self.opts)
    }

    fn block(&self, text: &str) -> String {
        render(text, self.links, self.opts, true).html
    }
}

/// Write the quiz in `yaml` (`quiz::write`); returns false when it could not be read.
pub fn write_quiz(
    out: &mut String,
    yaml: &str,
    links: &dyn LinkResolver,
    opts: &RenderOptions,
) -> bool {
    quiz::write(out, yaml, &Nested { links, opts })
}

/// The content of `html` when it is a single paragraph.
fn lone_paragraph(html: &str) -> Option<&str> {
    html.trim_end()
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
        .filter(|inner| !inner.contains("<p>"))
}

struct HeadingState {
    level: u8,
    id: Option<String>,
    classes: Vec<String>,
    attrs: Vec<(String, Option<String>)>,
    /// Where the opening tag goes once the id is known.
    pos: usize,
    /// Its text as `crate::content::markdown::outline` collects it.
    text: String,
}

struct ImageState {
    src: Option<String>,
    title: String,
    alt: String,
    depth: usize,
}

struct CodeState {
    lang: Option<String>,
    text: String,
}

struct Writer<'a> {
    links: &'a dyn LinkResolver,
    opts: &'a RenderOptions,
    fragment: bool,
    pre: &'a admonition::Preprocessed<'a>,
    out: String,
    slugger: Slugger,
    toc: Vec<TocEntry>,
    quiz_count: usize,
    /// Notes for broken checked code blocks, and how many such blocks came so far.
    code_notes: &'a [(usize, String)],
    checked_blocks: usize,
    heading: Option<HeadingState>,
    image: Option<ImageState>,
    code: Option<CodeState>,
    /// Depth inside a metadata block (its text is not written).
    skip: usize,
    /// How to close each open block quote (plain, alert or admonition).
    closers: Vec<&'static str>,
    /// Whether each open link wrote an `<a>` (a refused URL does not).
    links_open: Vec<bool>,
    table_alignments: Vec<Alignment>,
    table_head: bool,
    table_cell: usize,
    /// Where the last `<li>` was written (a task marker adds a class to it).
    item_pos: Option<usize>,
    footnote_numbers: HashMap<String, usize>,
    footnote_refs: HashSet<String>,
    /// (start in `out`, name, number) of the footnote definition being written.
    footnote_open: Option<(usize, String, usize)>,
    /// (number, name, html) of each definition, moved to the end of the document.
    footnotes: Vec<(usize, String, String)>,
}

impl Writer<'_> {
    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Start a block element on a fresh line.
    fn block(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if self.image.is_some() {
            self.image_event(event);
            return;
        }
        if let Some(code) = &mut self.code {
            match event {
                Event::Text(t) => code.text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.end_code(),
                _ => {}
            }
            return;
        }
        if self.skip > 0 {
            match event {
                Event::Start(_) => self.skip += 1,
                Event::End(_) => self.skip -= 1,
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => {
                self.heading_text(&t);
                escape_body(&mut self.out, &t);
            }
            Event::Code(t) => {
                self.heading_text(&t);
                self.push("<code>");
                escape_body(&mut self.out, &t);
                self.push("</code>");
            }
            Event::InlineMath(t) => {
                self.push("<span class=\"math math-inline\">");
                escape_body(&mut self.out, &t);
                self.push("</span>");
            }
            Event::DisplayMath(t) => {
                self.push("<span class=\"math math-display\">");
                escape_body(&mut self.out, &t);
                self.push("</span>");
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                if self.opts.raw_html {
                    // Relative `src` and `href` lead where Markdown links would.
                    let h = rewrite_raw_urls(&h, self.links);
                    self.push(&h);
                }
            }
            Event::SoftBreak => self.push("\n"),
            Event::HardBreak => self.push("<br>\n"),
            Event::Rule => {
                self.block();
                self.push("<hr>\n");
            }
            Event::FootnoteReference(name) => self.footnote_reference(&name),
            Event::TaskListMarker(checked) => {
                if let Some(pos) = self.item_pos.take()
                    && self.out.get(pos..).is_some_and(|s| s.starts_with("<li>"))
                {
                    self.out
                        .replace_range(pos..pos + 4, "<li class=\"task-list-item\">");
                }
                self.push(if checked {
                    "<input type=\"checkbox\" disabled checked aria-label=\"done\"> "
                } else {
                    "<input type=\"checkbox\" disabled aria-label=\"not done\"> "
                });
            }
        }
    }

    fn heading_text(&mut self, t: &str) {
        if let Some(h) = &mut self.heading {
            h.text.push_str(t);
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Paragraph => {
                self.block();
                self.push("<p>");
            }
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                self.block();
                self.heading = Some(HeadingState {
                    level: level as u8,
                    id: id.map(|s| s.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    attrs: attrs
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.as_ref().map(|v| v.to_string())))
                        .collect(),
                    pos: self.out.len(),
                    text: String::new(),
                });
            }
            Tag::Table(alignments) => {
                self.block();
                self.table_alignments = alignments;
                self.push("<div class=\"table-wrap\"><table>\n");
            }
            Tag::TableHead => {
                self.table_head = true;
                self.table_cell = 0;
                self.push("<thead>\n<tr>");
            }
            Tag::TableRow => {
                self.table_cell = 0;
                self.push("<tr>");
            }
            Tag::TableCell => {
                self.push(if self.table_head { "<th" } else { "<td" });
                match self.table_alignments.get(self.table_cell) {
                    Some(Alignment::Left) => self.push(" style=\"text-align: left\">"),
                    Some(Alignment::Center) => self.push(" style=\"text-align: center\">"),
                    Some(Alignment::Right) => self.push(" style=\"text-align: right\">"),
                    _ => self.push(">"),
                }
            }
            Tag::BlockQuote(kind) => {
                self.block();
                let closer = if let Some(adm) = self.pre.admonition_at(range.start) {
                    self.open_admonition(adm)
                } else if let Some(kind) = kind {
                    let (class, title) = alert(kind);
                    self.open_callout(class, None, Some(title.to_string()), None)
                } else {
                    self.push("<blockquote>\n");
                    "</blockquote>\n"
                };
                self.closers.push(closer);
            }
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info_lang(&info),
                    CodeBlockKind::Indented => None,
                };
                self.code = Some(CodeState {
                    lang,
                    text: String::new(),
                });
            }
            Tag::HtmlBlock => {}
            Tag::List(Some(1)) => {
                self.block();
                self.push("<ol>\n");
            }
            Tag::List(Some(start)) => {
                self.block();
                self.push(&format!("<ol start=\"{start}\">\n"));
            }
            Tag::List(None) => {
                self.block();
                self.push("<ul>\n");
            }
            Tag::Item => {
                self.block();
                self.item_pos = Some(self.out.len());
                self.push("<li>");
            }
            Tag::DefinitionList => {
                self.block();
                self.push("<dl>\n");
            }
            Tag::DefinitionListTitle => {
                self.block();
                self.push("<dt>");
            }
            Tag::DefinitionListDefinition => {
                self.block();
                self.push("<dd>");
            }
            Tag::FootnoteDefinition(name) => {
                self.block();
                let number = self.footnote_number(&name);
                let start = self.out.len();
                self.push("<div class=\"footnote-definition\" id=\"fn-");
                escape_attr(&mut self.out, &name);
                self.push(&format!(
                    "\"><sup class=\"footnote-definition-label\">{number}</sup>"
                ));
                self.footnote_open = Some((start, name.to_string(), number));
            }
            Tag::Emphasis => self.push("<em>"),
            Tag::Strong => self.push("<strong>"),
            Tag::Strikethrough => self.push("<del>"),
            Tag::Superscript => self.push("<sup>"),
            Tag::Subscript => self.push("<sub>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => self.open_link(link_type, dest_url, title),
            Tag::Image {
                dest_url, title, ..
            } => {
                let resolved = self
                    .links
                    .resolve(&dest_url, true)
                    .unwrap_or_else(|| dest_url.to_string());
                let src = self.url_allowed(&resolved, true).then_some(resolved);
                self.image = Some(ImageState {
                    src,
                    title: title.to_string(),
                    alt: String::new(),
                    depth: 0,
                });
            }
            Tag::MetadataBlock(_) => self.skip = 1,
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.push("</p>\n"),
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::Table => self.push("</tbody>\n</table></div>\n"),
            TagEnd::TableHead => {
                self.table_head = false;
                self.push("</tr>\n</thead>\n<tbody>\n");
            }
            TagEnd::TableRow => self.push("</tr>\n"),
            TagEnd::TableCell => {
                self.push(if self.table_head { "</th>" } else { "</td>" });
                self.table_cell += 1;
            }
            TagEnd::BlockQuote(_) => {
                self.block();
                let closer = self.closers.pop().unwrap_or("</blockquote>\n");
                self.push(closer);
            }
            TagEnd::CodeBlock => self.end_code(),
            TagEnd::HtmlBlock => {}
            TagEnd::List(true) => {
                self.block();
                self.push("</ol>\n");
            }
            TagEnd::List(false) => {
                self.block();
                self.push("</ul>\n");
            }
            TagEnd::Item => self.push("</li>\n"),
            TagEnd::DefinitionList => self.push("</dl>\n"),
            TagEnd::DefinitionListTitle => self.push("</dt>\n"),
            TagEnd::DefinitionListDefinition => self.push("</dd>\n"),
            TagEnd::FootnoteDefinition => {
                self.block();
                self.push("</div>\n");
                if let Some((start, name, number)) = self.footnote_open.take() {
                    let html = self.out.split_off(start);
                    self.footnotes.push((number, name, html));
                }
            }
            TagEnd::Emphasis => self.push("</em>"),
            TagEnd::Strong => self.push("</strong>"),
            TagEnd::Strikethrough => self.push("</del>"),
            TagEnd::Superscript => self.push("</sup>"),
            TagEnd::Subscript => self.push("</sub>"),
            TagEnd::Link => {
                if self.links_open.pop().unwrap_or(false) {
                    self.push("</a>");
                }
            }
            TagEnd::Image => {}
            TagEnd::MetadataBlock(_) => {}
        }
    }

    fn end_heading(&mut self) {
        let Some(h) = self.heading.take() else {
            return;
        };
        // Exactly as `crate::content::markdown::outline` computes ids, so checks and anchors agree.
        let text = h.text.trim().to_string();
        let id = (!self.fragment).then(|| match h.id {
            Some(id) => self.slugger.claim(id),
            None => self.slugger.slug(&text),
        });
        let mut open = format!("<h{}", h.level);
        if let Some(id) = &id {
            open.push_str(" id=\"");
            escape_attr(&mut open, id);
            open.push('"');
        }
        if !h.classes.is_empty() {
            open.push_str(" class=\"");
            escape_attr(&mut open, &h.classes.join(" "));
            open.push('"');
        }
        for (name, value) in &h.attrs {
            if attribute_allowed(name, self.opts.raw_html) {
                open.push(' ');
                open.push_str(name);
                open.push_str("=\"");
                escape_attr(&mut open, value.as_deref().unwrap_or(""));
                open.push('"');
            }
        }
        open.push('>');
        self.out.insert_str(h.pos, &open);
        if let Some(id) = id {
            self.push("<a class=\"anchor\" href=\"#");
            escape_url(&mut self.out, &id);
            self.push("\" aria-label=\"Link to this section\">#</a>");
            if (2..=3).contains(&h.level) {
                self.toc.push(TocEntry {
                    level: h.level,
                    id,
                    text,
                });
            }
        }
        self.push(&format!("</h{}>\n", h.level));
    }

    fn end_code(&mut self) {
        let Some(code) = self.code.take() else {
            return;
        };
        self.block();
        if code.lang.as_deref() == Some("quiz") && !self.fragment {
            if write_quiz(&mut self.out, &code.text, self.links, self.opts) {
                self.quiz_count += 1;
            }
        } else {
            let lang = code.lang.as_deref().and_then(Lang::of);
            if let Some(lang) = lang {
                let index = self.checked_blocks;
                self.checked_blocks += 1;
                if let Some((_, why)) = self.code_notes.iter().find(|(i, _)| *i == index) {
                    self.push("<p class=\"code-note\" role=\"note\">");
                    self.push(match lang {
                        Lang::PromQl => "This query no longer parses: ",
                        _ => "This block no longer parses: ",
                    });
                    escape_body(&mut self.out, why);
                    self.push("</p>\n");
                }
            }
            highlight::write_code_block(&mut self.out, code.lang.as_deref(), &code.text);
        }
    }

    fn open_admonition(&mut self, adm: &Admonition) -> &'static str {
        let (class, default_title) = admonition_class(&adm.kind);
        let extra = (class != adm.kind).then(|| sanitize_class(&adm.kind));
        let title = adm.title.as_deref().unwrap_or(&default_title);
        // Titles are inline Markdown, as in MkDocs (`Why not `VACUUM FULL`?`); anything that
        // is not a single paragraph of it (`1. Step` would be a list) is plain text.
        let title_html = (!title.trim().is_empty()).then(|| {
            let html = render(title, self.links, self.opts, true).html;
            match lone_paragraph(&html) {
                Some(inner) => inner.to_string(),
                None => {
                    let mut escaped = String::new();
                    escape_body(&mut escaped, title);
                    escaped
                }
            }
        });
        self.open_callout(class, extra.as_deref(), title_html, adm.collapsible)
    }

    /// `collapsible`: `None` for an `<aside>`, `Some(open)` for a `<details>`.
    /// `title_html` is already HTML.
    fn open_callout(
        &mut self,
        class: &str,
        extra_class: Option<&str>,
        title_html: Option<String>,
        collapsible: Option<bool>,
    ) -> &'static str {
        let element = if collapsible.is_some() {
            "details"
        } else {
            "aside"
        };
        self.push(&format!("<{element} class=\"callout callout-{class}"));
        if let Some(extra) = extra_class.filter(|e| !e.is_empty()) {
            self.push(" callout-");
            self.push(extra);
        }
        self.push("\"");
        match collapsible {
            None => self.push(" role=\"note\">\n"),
            Some(true) => self.push(" open>\n"),
            Some(false) => self.push(">\n"),
        }
        match (collapsible, title_html) {
            (Some(_), title) => {
                self.push("<summary class=\"callout-title\">");
                self.push(&title.unwrap_or_else(|| capitalize(class)));
                self.push("</summary>\n");
            }
            (None, Some(title)) => {
                self.push("<p class=\"callout-title\">");
                self.push(&title);
                self.push("</p>\n");
            }
            (None, None) => {}
        }
        if collapsible.is_some() {
            "</details>\n"
        } else {
            "</aside>\n"
        }
    }

    fn open_link(&mut self, link_type: LinkType, dest: CowStr<'_>, title: CowStr<'_>) {
        let href = if link_type == LinkType::Email {
            // Not a path: never handed to the resolver.
            format!("mailto:{dest}")
        } else {
            self.links
                .resolve(&dest, false)
                .unwrap_or_else(|| dest.to_string())
        };
        if !self.url_allowed(&href, false) {
            self.links_open.push(false);
            return;
        }
        self.push("<a href=\"");
        escape_url(&mut self.out, &href);
        self.push("\"");
        if !title.is_empty() {
            self.push(" title=\"");
            escape_attr(&mut self.out, &title);
            self.push("\"");
        }
        if is_external(&href) {
            self.push(" rel=\"noopener\"");
        }
        self.push(">");
        self.links_open.push(true);
    }

    fn image_event(&mut self, event: Event<'_>) {
        // Text inside an image is part of a heading's text for `outline` too.
        if let Event::Text(t) | Event::Code(t) = &event {
            self.heading_text(t);
        }
        let Some(img) = &mut self.image else {
            return;
        };
        match event {
            Event::Start(_) => img.depth += 1,
            Event::End(_) if img.depth > 0 => img.depth -= 1,
            Event::End(_) => {
                let img = self.image.take().expect("image state");
                match img.src {
                    Some(src) => {
                        self.push("<img src=\"");
                        escape_url(&mut self.out, &src);
                        self.push("\" alt=\"");
                        escape_attr(&mut self.out, &img.alt);
                        self.push("\"");
                        if !img.title.is_empty() {
                            self.push(" title=\"");
                            escape_attr(&mut self.out, &img.title);
                            self.push("\"");
                        }
                        self.push(" loading=\"lazy\">");
                    }
                    None => escape_body(&mut self.out, &img.alt),
                }
            }
            Event::Text(t) | Event::Code(t) => img.alt.push_str(&t),
            Event::SoftBreak | Event::HardBreak => img.alt.push(' '),
            _ => {}
        }
    }

    fn footnote_number(&mut self, name: &str) -> usize {
        let next = self.footnote_numbers.len() + 1;
        *self
            .footnote_numbers
            .entry(name.to_string())
            .or_insert(next)
    }

    fn footnote_reference(&mut self, name: &str) {
        let number = self.footnote_number(name);
        self.push("<sup class=\"footnote-ref\"><a href=\"#fn-");
        escape_url(&mut self.out, name);
        self.push("\"");
        if self.footnote_refs.insert(name.to_string()) {
            self.push(" id=\"fnref-");
            escape_attr(&mut self.out, name);
            self.push("\"");
        }
        self.push(&format!(">{number}</a></sup>"));
    }

    /// Refuse script-capable URLs when raw HTML is off (the document is not trusted to run
    /// code): `javascript:`, `vbscript:`, and `data:` except raster images.
    fn url_allowed(&self, url: &str, image: bool) -> bool {
        if self.opts.raw_html {
            return true;
        }
        let scheme: String = url
            .chars()
            .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
            .take(32)
            .collect::<String>()
            .to_ascii_lowercase();
        if scheme.starts_with("javascript:") || scheme.starts_with("vbscript:") {
            return false;
        }
        if scheme.starts_with("data:") {
            return image
                && [
                    "data:image/png",
                    "data:image/gif",
                    "data:image/jpeg",
                    "data:image/webp",
                ]
                .iter()
                .any(|p| scheme.starts_with(p));
        }
        true
    }

    fn finish(mut self) -> Rendered {
        // Unclosed state cannot survive a complete event stream, but be safe.
        if self.image.is_some() {
            self.image_event(Event::End(TagEnd::Image));
        }
        if !self.footnotes.is_empty() {
            self.block();
            self.push("<section class=\"footnotes\">\n");
            let mut footnotes = std::mem::take(&mut self.footnotes);
            footnotes.sort_by_key(|(n, _, _)| *n);
            for (_, name, mut html) in footnotes {
                if self.footnote_refs.contains(&name) {
                    let mut back = String::from("<a href=\"#fnref-");
                    escape_url(&mut back, &name);
                    back.push_str(
                        "\" class=\"footnote-backref\" aria-label=\"Back to reference\">↩</a>",
                    );
                    let at = if html.ends_with("</p>\n</div>\n") {
                        html.len() - "</p>\n</div>\n".len()
                    } else {
                        html.len() - "</div>\n".len()
                    };
                    if at > 0 {
                        html.insert_str(at, &format!(" {back}"));
                    }
                }
                self.out.push_str(&html);
            }
            self.push("</section>\n");
        }
        Rendered {
            html: self.out,
            toc: self.toc,
            quiz_count: self.quiz_count,
        }
    }
}

fn alert(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// The callout class (one of GitHub's five) for an MkDocs admonition type, and its default
/// title (the type, capitalised, as MkDocs does).
fn admonition_class(kind: &str) -> (&'static str, String) {
    let class = match kind {
        "tip" | "hint" | "success" | "check" | "done" => "tip",
        "important" => "important",
        "warning" | "attention" => "warning",
        "caution" | "danger" | "error" | "failure" | "fail" | "missing" | "bug" => "caution",
        _ => "note",
    };
    (class, capitalize(kind))
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn sanitize_class(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Heading attributes from `{key=value}`: with raw HTML off only `data-*` (no event
/// handlers, no styles); never `id`/`class` (set from the heading itself).
/// Raw HTML with the relative `src` and `href` values of its tags resolved as Markdown links
/// and images are (`<img src="img/x.png">` under folder-style URLs, `<a href="other.md">`).
/// Comments, absolute and in-page URLs are left as written.
fn rewrite_raw_urls<'h>(html: &'h str, links: &dyn LinkResolver) -> std::borrow::Cow<'h, str> {
    let lower = html.to_ascii_lowercase();
    if !(lower.contains("src") || lower.contains("href")) {
        return html.into();
    }
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let end = tag_end(rest);
        rewrite_tag(&rest[..end], links, &mut out);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.into()
}

/// The length of the tag at the start of `s` (through its `>`, quotes respected).
fn tag_end(s: &str) -> usize {
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return i + 1,
            (None, b'<') => return i,
            _ => {}
        }
    }
    s.len()
}

/// One start tag with its `src`/`href` values resolved, appended to `out`.
fn rewrite_tag(tag: &str, links: &dyn LinkResolver, out: &mut String) {
    let b = tag.as_bytes();
    let mut i = 1;
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
        i += 1; // the tag name
    }
    let mut copied = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = tag[name_start..i].to_ascii_lowercase();
        if name.is_empty() {
            break;
        }
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() || b[j] != b'=' {
            continue;
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let (start, end, next) = match b.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                let close = tag[j + 1..].find(q as char).map_or(b.len(), |e| j + 1 + e);
                (j + 1, close, (close + 1).min(b.len()))
            }
            _ => {
                let mut e = j;
                while e < b.len() && !b[e].is_ascii_whitespace() && b[e] != b'>' {
                    e += 1;
                }
                (j, e, e)
            }
        };
        if matches!(name.as_str(), "src" | "href") {
            let value = &tag[start..end];
            let decoded = value.replace("&amp;", "&");
            if let Some(url) = links.resolve(&decoded, name == "src") {
                out.push_str(&tag[copied..start]);
                let mut escaped = String::new();
                escape_url(&mut escaped, &url);
                out.push_str(&escaped);
                copied = end;
            }
        }
        i = next;
    }
    out.push_str(&tag[copied..]);
}

fn attribute_allowed(name: &str, raw_html: bool) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !name.eq_ignore_ascii_case("id")
        && !name.eq_ignore_ascii_case("class")
        && (raw_html || name.to_ascii_lowercase().starts_with("data-"))
}

fn is_external(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_in_raw_html_resolve_like_markdown_ones() {
        struct Up;
        impl LinkResolver for Up {
            fn resolve(&self, dest: &str, image: bool) -> Option<String> {
                let internal = !dest.contains(':') && !dest.starts_with(['#', '/']);
                internal.then(|| format!("../{}{dest}", if image { "img:" } else { "" }))
            }
        }
        let html = "<p><img src=\"img/x.png\" alt=\"a > b\"> <a href='guide.md#s' class=x>g</a> \
                    <a href=\"https://x.org/\">x</a> <a href=\"#top\">t</a> <img src=plain.png> \
                    <!-- <img src=\"no.png\"> --></p>";
        let out = rewrite_raw_urls(html, &Up);
        assert!(
            out.contains("<img src=\"../img:img/x.png\" alt=\"a > b\">"),
            "{out}"
        );
        assert!(out.contains("<a href='../guide.md#s' class=x>"), "{out}");
        assert!(
            out.contains("href=\"https://x.org/\"") && out.contains("href=\"#top\""),
            "{out}"
        );
        assert!(out.contains("<img src=../img:plain.png>"), "{out}");
        assert!(out.contains("<!-- <img src=\"no.png\"> -->"), "{out}");
        assert_eq!(rewrite_raw_urls("<b>plain</b>", &Up), "<b>plain</b>");
    }
}
