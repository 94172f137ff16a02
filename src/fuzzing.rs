//! Entry points for the fuzz targets (`fuzz/`, nightly `cargo fuzz`) and for their replay on
//! stable Rust (`tests/it/fuzz_regressions.rs`, which runs every saved crash and seed through the
//! same functions). Each takes arbitrary bytes, drives one parser the way Fieldbook does, and
//! panics only when an invariant breaks — a panic here is a bug in the library, never in the
//! input. See docs/hardening.md.

use crate::content::date::Date;
use crate::diagnostic::{self, Diagnostic, Summary};
use crate::render::{self, NoRewrite, RenderOptions};
use crate::search::query::{self, Lexicon};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A fuzz target's entry point.
pub type Target = fn(&[u8]);

/// The targets, by the name of their fuzz target and corpus directory.
pub const TARGETS: [(&str, Target); 8] = [
    ("front_matter", front_matter),
    ("markdown", markdown),
    ("quiz", quiz),
    ("owners", owners),
    ("book_toml", book_toml),
    ("search_query", search_query),
    ("part_manifest", part_manifest),
    ("erb", erb),
];

/// A `part.json` from another repository's build. A manifest that parses is valid: every URL
/// it brings stays inside its own part, and the handbook pages composed from it (home, index
/// pages) hold no active content; its links between parts are checked without panicking.
pub fn part_manifest(data: &[u8]) {
    let Ok(m) = crate::parts::parse(&text(data)) else {
        return;
    };
    assert!(m.prefix == format!("{}/", m.name) && m.validate().is_ok());
    for d in &m.documents {
        assert!(d.url.starts_with(&m.prefix) && !d.url.contains(':') && !d.url.contains(".."));
    }
    let parts = [crate::compose::Part {
        dir: std::path::PathBuf::from("/nonexistent"),
        manifest: m,
        held: None,
    }];
    let _ = crate::compose::check_links(&parts);
    let pages = crate::compose::pages_in_memory(&parts, &crate::config::Book::default(), today())
        .expect("the handbook's pages render");
    for path in pages.paths().iter().filter(|p| p.ends_with(".html")) {
        let bytes = pages.get(path).expect("listed");
        let html = String::from_utf8_lossy(&bytes);
        // The theme's own scripts, and nothing the manifest brought.
        for tag in tags(&html) {
            let attr = |n: &str| {
                tag.attrs
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.as_str())
            };
            if tag.name == "script" {
                assert!(
                    // Relative to the page, or from the root (404.html).
                    attr("src").is_some_and(|s| s
                        .trim_start_matches("../")
                        .trim_start_matches('/')
                        .starts_with("static/")),
                    "{tag:?}"
                );
            }
            assert!(!matches!(
                tag.name.as_str(),
                "iframe" | "object" | "embed" | "base"
            ));
            for (name, value) in &tag.attrs {
                assert!(!name.starts_with("on"), "event handler {name} in {tag:?}");
                assert!(
                    !(URL_ATTRIBUTES.contains(&name.as_str()) && is_script_url(value)),
                    "script URL {value:?}"
                );
            }
        }
    }
}

/// A page's ERB and its partials: the bytes up to the first NUL are the page's body, then
/// pairs of partial name and text, NUL-separated. Expanding never panics, ends, stays within
/// its budget and maps every output line to a body line.
pub fn erb(data: &[u8]) {
    let text = text(data);
    let mut pieces = text.split('\0');
    let body = pieces.next().unwrap_or_default().to_string();
    let mut files: HashMap<String, String> = HashMap::new();
    while let (Some(name), Some(content)) = (pieces.next(), pieces.next()) {
        files.insert(name.to_string(), content.to_string());
    }
    let read = |p: &str| files.get(p).cloned().map(Ok);
    let (rewritten, problems) = crate::adopt::rewrite_body(&body, "docs/page.html.md.erb", &read);
    if let Some(r) = &rewritten {
        assert!(r.text.len() <= crate::adopt::erb::MAX_EXPANDED + body.len() * 2 + 1024);
        assert_eq!(r.sources.len(), r.text.split_inclusive('\n').count());
        let lines = body.split_inclusive('\n').count().max(1);
        assert!(
            r.sources.iter().all(|&l| l < lines),
            "a line mapped past the body"
        );
    }
    for p in problems {
        assert!(p.offset + p.len <= body.len(), "a problem outside the body");
    }
}

fn today() -> Date {
    Date::parse("2026-06-15").expect("a date")
}

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Every renderer must accept every diagnostic (their positions and source excerpts come
/// from the hostile text).
fn render_findings(findings: &[Diagnostic]) {
    let summary = Summary::of(1, findings);
    for format in [
        diagnostic::format::Format::Human,
        diagnostic::format::Format::Sarif,
        diagnostic::format::Format::Codequality,
        diagnostic::format::Format::Rdjsonl,
        diagnostic::format::Format::Checkstyle,
    ] {
        let out = diagnostic::format::render(
            format,
            findings,
            &summary,
            &diagnostic::format::Options {
                color: true,
                path_prefix: Some("docs".into()),
            },
        );
        assert!(out.ends_with('\n') || out.is_empty());
    }
}

/// A Markdown file through front matter parsing as loading does (a runbook, so every
/// metadata check applies), then `fieldbook review`'s stamping: when it succeeds, the stamped
/// text must parse to the same metadata but `reviewed`, and stamping again changes nothing.
pub fn front_matter(data: &[u8]) {
    let text = text(data).into_owned();
    let (doc, findings) = crate::load::parse_document(
        "content/runbooks/x.md",
        "runbooks/x.md",
        text.clone(),
        today(),
    );
    let _ = doc;
    render_findings(&findings);
    let date = Date::parse("2031-02-28").expect("a date");
    if let Ok(stamped) = crate::content::edit::stamp(&text, date, &crate::adopt::aliases::Aliases) {
        assert_review_round_trip(&text, &stamped.text, date);
        let again =
            crate::content::edit::stamp(&stamped.text, date, &crate::adopt::aliases::Aliases)
                .expect("a stamped file stamps again");
        assert!(!again.changed, "stamping twice changed the file");
        assert_eq!(again.text, stamped.text);
    }
}

/// The metadata of `before` and `after` are equal except `reviewed`, which is `date` after.
pub fn assert_review_round_trip(before: &str, after: &str, date: Date) {
    let parse = |t: &str| {
        let t = t.strip_prefix('\u{feff}').unwrap_or(t);
        let split = crate::content::front_matter::split(t).expect("splits");
        let body = split.body.to_string();
        (
            crate::adopt::parse_front_matter(&split)
                .expect("parses")
                .meta,
            body,
        )
    };
    let (old, old_body) = parse(before);
    let (new, new_body) = parse(after);
    assert_eq!(new.reviewed, Some(date), "reviewed is not the stamped date");
    let new = crate::content::front_matter::FrontMatter {
        reviewed: old.reviewed,
        ..new
    };
    assert_eq!(old, new, "review changed another field");
    assert_eq!(old.extra, new.extra, "review changed an unknown key");
    assert_eq!(old_body, new_body, "review changed the body");
}

/// Markdown through the renderer (raw HTML kept and stripped), the outline and the search
/// text. Output must be the same every time, and with raw HTML off no script may survive.
pub fn markdown(data: &[u8]) {
    let body = text(data);
    for raw_html in [true, false] {
        let opts = RenderOptions { raw_html };
        let a = render::render_markdown(&body, &NoRewrite, &opts);
        let b = render::render_markdown(&body, &NoRewrite, &opts);
        assert_eq!(a, b, "rendering is not deterministic");
        assert!(!a.html.contains('\0'), "a NUL reached the HTML");
        if !raw_html {
            assert_no_active_content(&a.html);
        }
        for t in &a.toc {
            assert!(
                !t.id.contains(['"', '<', '>', '&', ' ']),
                "unsafe id {:?}",
                t.id
            );
        }
    }
    let outline = crate::content::markdown::outline(&body);
    let _ = outline.title();
    let _ = crate::search::plain_text(&body);
    // Other tools' syntax and ERB, every partial being the body itself (a cycle).
    let (rewritten, _) =
        crate::adopt::rewrite_body(&body, "a/b.html.md.erb", &|_| Some(Ok(body.to_string())));
    if let Some(r) = &rewritten {
        assert_eq!(
            r.sources.len(),
            r.text.split_inclusive('\n').count(),
            "a rewritten line without its source"
        );
    }
    let _ = crate::content::markdown::outline_rewritten(&body, rewritten.as_ref());
}

/// With raw HTML off, HTML written by the renderer must carry no script, event handler or
/// script URL, whatever the Markdown.
pub fn assert_no_active_content(html: &str) {
    for tag in tags(html) {
        assert!(
            !matches!(
                tag.name.as_str(),
                "script" | "iframe" | "object" | "embed" | "style" | "svg" | "math" | "base"
            ),
            "<{}> survived raw_html = false",
            tag.name
        );
        for (name, value) in &tag.attrs {
            assert!(
                !name.starts_with("on"),
                "event handler {name} on <{}> survived raw_html = false",
                tag.name
            );
            assert!(
                !(URL_ATTRIBUTES.contains(&name.as_str()) && is_script_url(value)),
                "script URL {value:?} survived raw_html = false"
            );
        }
    }
}

// ---- A browser-like reading of HTML start tags, for the checks above and tests/it/xss.rs ----

#[derive(Debug)]
pub struct Tag {
    /// Lowercase.
    pub name: String,
    /// Lowercase names, values with character references decoded.
    pub attrs: Vec<(String, String)>,
    /// Byte offset just past the `>`.
    pub end: usize,
}

/// Decode the character references an attribute value may hold (enough to see a scheme
/// hidden as `&#106;avascript:`).
pub fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&j| j < 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every start tag of `html`, with its attributes, as a browser's tokenizer reads them.
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(b.len(), |j| i + j + 3);
            continue;
        }
        let mut j = i + 1;
        if j >= b.len() || !b[j].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let name = html[i + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>') {
                j += 1;
            }
            let attr = html[start..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let end = b[j + 1..]
                        .iter()
                        .position(|c| *c == q)
                        .map_or(b.len(), |k| j + 1 + k);
                    value = html[j + 1..end].to_string();
                    j = (end + 1).min(b.len());
                } else {
                    let s = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = html[s..j].to_string();
                }
            }
            attrs.push((attr, decode_entities(&value)));
        }
        out.push(Tag {
            name,
            attrs,
            end: (j + 1).min(b.len()),
        });
        i = j;
    }
    out
}

/// Whether an attribute value (decoded) is a URL that runs script: `javascript:`,
/// `vbscript:` or an HTML `data:` URL, however it is spaced or cased.
pub fn is_script_url(value: &str) -> bool {
    let v: String = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take(32)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:text/html"]
        .iter()
        .any(|s| v.starts_with(s))
}

/// Attributes whose value is loaded or followed as a URL.
pub const URL_ATTRIBUTES: [&str; 7] = [
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
];

/// A ```` ```quiz ```` block holding the input, rendered inside a lesson.
pub fn quiz(data: &[u8]) {
    let yaml = text(data);
    for raw_html in [true, false] {
        let mut html = String::new();
        let opts = RenderOptions { raw_html };
        render::write_quiz(&mut html, &yaml, &NoRewrite, &opts);
        if !raw_html {
            assert_no_active_content(&html);
        }
    }
    let fenced = format!("````quiz\n{yaml}\n````\n");
    let _ = render::render_markdown(&fenced, &NoRewrite, &RenderOptions::default());
}

/// owners.yaml; when it parses, every id it names is looked up as the checks do.
pub fn owners(data: &[u8]) {
    let text = text(data);
    match crate::model::owners::parse("owners.yaml", &text) {
        Ok(owners) => {
            let ids: Vec<String> = owners
                .people
                .keys()
                .chain(owners.teams.keys())
                .cloned()
                .collect();
            for id in ids.iter().chain(std::iter::once(&"nobody".to_string())) {
                let _ = owners.standing(id, today());
                let _ = owners.display_name(id);
                let _ = owners.unknown_id(id);
                let _ = owners.teams_of(id).count();
                let _ = crate::model::owners::lapse_reason(&owners, id, today());
            }
        }
        Err(findings) => {
            assert!(!findings.is_empty());
            render_findings(&findings);
        }
    }
}

/// book.toml for a site directory that does not exist (nothing is read from disk).
pub fn book_toml(data: &[u8]) {
    let text = text(data);
    match crate::config::parse(Path::new("/nonexistent/fieldbook-fuzz-site"), &text) {
        Ok(config) => {
            assert!(config.content_dir.starts_with(&config.root));
            assert!(config.output_dir.starts_with(&config.root));
            assert!(config.owners_file.starts_with(&config.root));
            assert!(config.book.base_url.ends_with('/'));
        }
        Err(d) => render_findings(&d),
    }
}

/// Query text and a document body (split at the first NUL byte): the query is parsed and
/// expanded against the body's terms, and the snippet for it cut from the body, as
/// `fieldbook search` does.
pub fn search_query(data: &[u8]) {
    let (q, body) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let q = text(q);
    let body = text(body);
    let mut terms: BTreeMap<String, u64> = BTreeMap::new();
    for t in crate::search::analyze::analyze(&body) {
        *terms.entry(t.term).or_default() += 1;
    }
    let lex = Terms(terms);
    let (planned, _) = query::plan(&lex, &q).expect("in-memory lexicon");
    let mut matched = HashMap::new();
    for (i, p) in planned.iter().enumerate() {
        for t in p.terms() {
            matched.entry(t.to_string()).or_insert(i);
        }
    }
    let (snippet, ranges) = query::snippet_of(&body, &[], &matched);
    let mut last = 0;
    for (from, to) in ranges {
        assert!(
            from >= last && from < to && to <= snippet.len(),
            "bad highlight range"
        );
        assert!(snippet.is_char_boundary(from) && snippet.is_char_boundary(to));
        last = to;
    }
}

struct Terms(BTreeMap<String, u64>);

impl Lexicon for Terms {
    fn postings(&self, term: &str) -> std::io::Result<u64> {
        Ok(self.0.get(term).copied().unwrap_or(0))
    }

    fn with_prefix(&self, prefix: &str) -> std::io::Result<Vec<(String, u64)>> {
        Ok(self
            .0
            .range(prefix.to_string()..)
            .take_while(|(t, _)| t.starts_with(prefix))
            .map(|(t, n)| (t.clone(), *n))
            .collect())
    }
}
