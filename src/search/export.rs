//! `fieldbook build --search-export FILE --search-export-format FORMAT`: the site's search
//! records in the shape an existing search engine imports (docs/search.md, "Exporting to a
//! search engine"). `fieldbook` is one JSON line per document with every [`SearchDoc`] field;
//! the engine formats are one record per section of a page (the text before the first heading,
//! then each heading's text up to the next one), each carrying the page's owners, teams, review
//! state and stale flag as filterable fields.

use super::{HeadingMark, SearchDoc, plain_text_marked};
use crate::content::front_matter::Kind;
use crate::model::{Document, ReviewState, Site};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

/// The record formats of `--search-export-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExportFormat {
    /// One JSON line per document with every field (the format before engine formats existed).
    #[default]
    Fieldbook,
    /// Algolia DocSearch records as NDJSON (what `algolia objects import` reads).
    DocSearch,
    /// Meilisearch documents as NDJSON, primary key `id`.
    Meilisearch,
    /// Typesense documents as JSONL for the import endpoint, string `id`.
    Typesense,
    /// Elasticsearch / OpenSearch `_bulk` body: action line, then document.
    Elasticsearch,
}

impl ExportFormat {
    pub const NAMES: [&'static str; 5] = [
        "fieldbook",
        "docsearch",
        "meilisearch",
        "typesense",
        "elasticsearch",
    ];

    pub fn parse(s: &str) -> Option<ExportFormat> {
        Some(match s {
            "fieldbook" => ExportFormat::Fieldbook,
            "docsearch" => ExportFormat::DocSearch,
            "meilisearch" => ExportFormat::Meilisearch,
            "typesense" => ExportFormat::Typesense,
            "elasticsearch" | "opensearch" => ExportFormat::Elasticsearch,
            _ => return None,
        })
    }
}

/// The Elasticsearch index the `_bulk` action lines name.
pub const ELASTICSEARCH_INDEX: &str = "fieldbook";

/// Longest `content` of a DocSearch record, in bytes: Algolia refuses records over 10 KB on
/// its smaller plans, and a section's first 8,000 bytes hold what a result shows.
const DOCSEARCH_CONTENT_MAX: usize = 8_000;

/// One section of a page: what every engine format is made of.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Unique in the site and valid for every engine: only `a-z A-Z 0-9 - _`.
    pub id: String,
    /// The section's heading (`None` for the page's own section, before the first heading).
    pub heading: Option<String>,
    /// Heading level 1–6 (`None` for the page's own section).
    pub level: Option<u8>,
    /// The headings above and including this one, outermost first (the title not included).
    pub path: Vec<String>,
    /// The heading's anchor in the page.
    pub anchor: Option<String>,
    /// The section's plain text, whitespace collapsed.
    pub content: String,
    /// Position of the section in its page, from 0.
    pub position: usize,
}

/// The sections of `doc`, the page's own first.
pub fn sections(doc: &Document, search: &SearchDoc) -> Vec<Section> {
    let mut marks: Vec<HeadingMark> = Vec::new();
    let text = plain_text_marked(doc.markdown(), Some(&mut marks));
    // A level-1 heading repeating the title is the page's own heading, not a section.
    let marks: Vec<&HeadingMark> = {
        let mut first = true;
        marks
            .iter()
            .filter(|m| {
                let title = first && m.level == 1 && m.text == search.title;
                first = false;
                !title
            })
            .collect()
    };
    // The outline's anchors, matched by text in order (both parse the same Markdown).
    let mut anchors = doc.outline.headings.iter().peekable();
    let base = encode_id(&search.rel);
    let mut out = vec![Section {
        id: bounded_id(base.clone()),
        heading: None,
        level: None,
        path: Vec::new(),
        anchor: None,
        content: String::new(),
        position: 0,
    }];
    let mut stack: Vec<(u8, String)> = Vec::new();
    let mut start = 0;
    for (i, m) in marks.iter().enumerate() {
        out.last_mut().expect("one section").content = collapse(&text[start..m.at]);
        start = m.at;
        let anchor = loop {
            match anchors.next() {
                Some(h) if h.text == m.text => break Some(h.id.clone()),
                Some(_) => continue,
                None => break None,
            }
        };
        while stack.last().is_some_and(|(l, _)| *l >= m.level) {
            stack.pop();
        }
        stack.push((m.level, m.text.clone()));
        let id = match &anchor {
            Some(a) => format!("{base}__{}", encode_id(a)),
            None => format!("{base}__{}", i + 1),
        };
        out.push(Section {
            id: bounded_id(id),
            heading: Some(m.text.clone()),
            level: Some(m.level),
            path: stack.iter().map(|(_, t)| t.clone()).collect(),
            anchor,
            content: String::new(),
            position: i + 1,
        });
    }
    out.last_mut().expect("one section").content = collapse(&text[start..]);
    out
}

/// Write the records of `docs` (documents of `site`) in `format` to `path`.
pub fn write(
    path: &Path,
    format: ExportFormat,
    site: &Site,
    docs: &[SearchDoc],
) -> std::io::Result<()> {
    if format == ExportFormat::Fieldbook {
        return super::write_export(path, docs);
    }
    let mut w = super::create_export(path)?;
    records(&mut w, format, site, docs)?;
    w.flush()
}

/// The section records of `docs` in an engine `format` (not [`ExportFormat::Fieldbook`]),
/// written to `w`.
pub fn records(
    w: &mut dyn Write,
    format: ExportFormat,
    site: &Site,
    docs: &[SearchDoc],
) -> std::io::Result<()> {
    let by_rel: HashMap<&str, &Document> =
        site.documents.iter().map(|d| (d.rel.as_str(), d)).collect();
    let base = site.config.book.base_url.as_str();
    let mut seen = HashSet::new();
    for d in docs {
        let Some(doc) = by_rel.get(d.rel.as_str()) else {
            continue;
        };
        for mut s in sections(doc, d) {
            s.id = unique_id(&mut seen, &s.id);
            match format {
                ExportFormat::DocSearch => {
                    let record = fit(docsearch_record(d, &s, base), DOCSEARCH_RECORD_MAX);
                    serde_json::to_writer(&mut *w, &record)?;
                    w.write_all(b"\n")?;
                }
                ExportFormat::Elasticsearch => {
                    let action = json!({"index": {"_index": ELASTICSEARCH_INDEX, "_id": s.id}});
                    serde_json::to_writer(&mut *w, &action)?;
                    w.write_all(b"\n")?;
                    let mut doc = engine_document(d, &s, base);
                    doc.remove("id");
                    serde_json::to_writer(&mut *w, &doc)?;
                    w.write_all(b"\n")?;
                }
                _ => {
                    serde_json::to_writer(&mut *w, &engine_document(d, &s, base))?;
                    w.write_all(b"\n")?;
                }
            }
        }
    }
    Ok(())
}

/// The page's absolute URL (`[book] base_url` joined with its site URL), and with the
/// section's anchor.
fn urls(d: &SearchDoc, s: &Section, base: &str) -> (String, String) {
    let page = format!("{base}{}", d.url);
    let full = match &s.anchor {
        Some(a) => format!("{page}#{a}"),
        None => page.clone(),
    };
    (page, full)
}

/// The filterable fields every engine record carries.
fn facets(d: &SearchDoc, m: &mut Map<String, Value>) {
    m.insert("path".into(), json!(d.rel));
    m.insert("title".into(), json!(d.title));
    m.insert("kind".into(), json!(d.kind.as_str()));
    m.insert("owners".into(), json!(d.owners));
    m.insert("owner_names".into(), json!(d.owner_names));
    m.insert("teams".into(), json!(d.teams));
    m.insert("state".into(), json!(d.state.as_str()));
    m.insert("stale".into(), json!(d.state == ReviewState::Stale));
    m.insert("lapsed".into(), json!(d.lapsed));
    m.insert("services".into(), json!(d.services));
    m.insert("tags".into(), json!(d.tags));
    m.insert("alerts".into(), json!(d.alerts));
    if let Some(sev) = &d.severity {
        m.insert("severity".into(), json!(sev));
    }
    if let Some(r) = &d.reviewed {
        m.insert("reviewed".into(), json!(r.to_string()));
    }
}

/// A Meilisearch, Typesense or Elasticsearch document: flat, no nulls (Typesense refuses a
/// null for a field its schema does not mark optional; absent is always accepted).
fn engine_document(d: &SearchDoc, s: &Section, base: &str) -> Map<String, Value> {
    let (page, url) = urls(d, s, base);
    let mut m = Map::new();
    m.insert("id".into(), json!(s.id));
    m.insert("url".into(), json!(url));
    m.insert("page_url".into(), json!(page));
    if let Some(a) = &s.anchor {
        m.insert("anchor".into(), json!(a));
    }
    if let Some(h) = &s.heading {
        m.insert("heading".into(), json!(h));
    }
    m.insert("headings".into(), json!(s.path));
    m.insert("content".into(), json!(s.content));
    m.insert("position".into(), json!(s.position));
    facets(d, &mut m);
    m
}

/// An Algolia DocSearch record: `hierarchy.lvl0` the kind's section, `lvl1` the page title,
/// `lvl2`–`lvl6` the headings above the section (a level-1 heading counting as level 2).
fn docsearch_record(d: &SearchDoc, s: &Section, base: &str) -> Value {
    let (page, url) = urls(d, s, base);
    let mut lvl: [Option<String>; 7] = Default::default();
    lvl[0] = Some(section_label(d.kind).to_string());
    lvl[1] = Some(d.title.clone());
    let mut deepest = 1;
    // The path's headings at lvl2 onwards by depth; deeper than lvl6 shares lvl6.
    for (i, text) in s.path.iter().enumerate() {
        deepest = (i + 2).min(6);
        lvl[deepest] = Some(text.clone());
    }
    let content = (!s.content.is_empty()).then(|| cut(&s.content, DOCSEARCH_CONTENT_MAX));
    let kind = if content.is_some() {
        "content".to_string()
    } else {
        format!("lvl{deepest}")
    };
    let mut hierarchy = Map::new();
    for (i, v) in lvl.iter().enumerate() {
        hierarchy.insert(format!("lvl{i}"), json!(v));
    }
    let mut m = Map::new();
    m.insert("objectID".into(), json!(s.id));
    m.insert("hierarchy".into(), Value::Object(hierarchy));
    m.insert("url".into(), json!(url));
    m.insert("url_without_anchor".into(), json!(page));
    m.insert("anchor".into(), json!(s.anchor));
    m.insert("content".into(), json!(content));
    m.insert("type".into(), json!(kind));
    m.insert(
        "weight".into(),
        json!({"pageRank": 0, "level": 100 - 10 * deepest.min(6) as i64, "position": s.position}),
    );
    facets(d, &mut m);
    Value::Object(m)
}

/// `hierarchy.lvl0`: the site section a kind's pages are listed in.
fn section_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Runbook => "Runbooks",
        Kind::Postmortem => "Postmortems",
        Kind::Course => "Courses",
        Kind::Lesson => "Lessons",
        Kind::Page => "Pages",
    }
}

/// Whitespace collapsed to single spaces.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` bytes of `s`, cut at a word when there is one.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let head = &s[..end];
    head.rfind(' ').map_or(head, |i| &head[..i]).to_string()
}

/// `s` spelled with `a-z A-Z 0-9 -` kept and every other byte as `_` and two hex digits:
/// injective, so distinct paths and anchors give distinct ids, and `__` never occurs inside,
/// so it can join a path and an anchor.
pub fn encode_id(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("_{b:02x}"));
        }
    }
    out
}

/// Longest id of a record, in bytes: Meilisearch, Typesense and Elasticsearch refuse ids of
/// 512 bytes or more (Meilisearch 511 at most).
pub const MAX_ID_BYTES: usize = 480;

/// An id of at most [`MAX_ID_BYTES`]: a longer one keeps its first 400 bytes, then `_-` and
/// 32 hex digits of a hash of the whole. [`encode_id`] never writes `_-` (its `_` is followed
/// by a hex digit or by the `_` joining path and anchor), so a shortened id never equals an
/// id kept whole; [`records`] makes the rare hash collision unique too.
pub fn bounded_id(id: String) -> String {
    if id.len() <= MAX_ID_BYTES {
        return id;
    }
    let h1 = super::index::fnv1a(id.as_bytes());
    // A second hash over the id read backwards: two 64-bit hashes as one of 128 bits.
    let reversed: Vec<u8> = id.bytes().rev().collect();
    let h2 = super::index::fnv1a(&reversed);
    format!("{}_-{h1:016x}{h2:016x}", &id[..400])
}

/// `id`, or when an earlier record of the export has it, `id` with `_-2`, `_-3`...: ids stay
/// unique (deterministically: records are written in one order) and within
/// [`MAX_ID_BYTES`].
fn unique_id(seen: &mut HashSet<String>, id: &str) -> String {
    let mut candidate = id.to_string();
    let mut n = 1;
    while seen.contains(&candidate) {
        n += 1;
        let suffix = format!("_-{n}");
        let mut end = id.len().min(MAX_ID_BYTES - suffix.len());
        while !id.is_char_boundary(end) {
            end -= 1;
        }
        candidate = format!("{}{suffix}", &id[..end]);
    }
    seen.insert(candidate.clone());
    candidate
}

/// Largest DocSearch record, serialized, in bytes: Algolia refuses records over 10 KB.
pub const DOCSEARCH_RECORD_MAX: usize = 10_000;

/// `record` shrunk until it serializes in at most `max` bytes, the same way every time: the
/// content first, then the largest other string or list (headings, title, facets), and the
/// URLs and anchor only if that is not enough. The `objectID` is never cut (it is short).
fn fit(mut record: Value, max: usize) -> Value {
    const LAST: &[&str] = &["url", "url_without_anchor", "anchor"];
    let size = |v: &Value| serde_json::to_vec(v).map_or(0, |b| b.len());
    for protect_urls in [true, false] {
        loop {
            let total = size(&record);
            if total <= max {
                return record;
            }
            let excess = total - max;
            let Value::Object(m) = &mut record else {
                return record;
            };
            // The content goes first; then the largest value that can shrink.
            let mut pick: Option<(usize, String)> = None;
            if m.get("content")
                .is_some_and(|c| c.as_str().is_some_and(|s| !s.is_empty()))
            {
                pick = Some((usize::MAX, "content".to_string()));
            } else {
                for (k, v) in m.iter() {
                    if k == "objectID" || (protect_urls && LAST.contains(&k.as_str())) {
                        continue;
                    }
                    let n = shrinkable(v);
                    if n > 0 && pick.as_ref().is_none_or(|(best, _)| n > *best) {
                        pick = Some((n, k.clone()));
                    }
                }
            }
            let Some((_, key)) = pick else { break };
            let v = m.get_mut(&key).expect("picked from the record");
            shrink(v, excess);
        }
    }
    record
}

/// How much `v` can give: the serialized size of its longest string or list, 0 if nothing.
fn shrinkable(v: &Value) -> usize {
    match v {
        Value::String(s) if !s.is_empty() => s.len() + 2,
        Value::Array(a) if !a.is_empty() => serde_json::to_vec(v).map_or(0, |b| b.len()),
        Value::Object(m) => m.values().map(shrinkable).max().unwrap_or(0),
        _ => 0,
    }
}

/// Make `v` at least `excess` bytes smaller when serialized, or as small as it goes: a string
/// loses its end (each byte cut is at least one byte less serialized), a list its last items,
/// an object its largest member shrunk.
fn shrink(v: &mut Value, excess: usize) {
    match v {
        Value::String(s) => {
            let keep = s.len().saturating_sub(excess.max(1));
            *s = cut(s, keep);
        }
        Value::Array(a) => {
            let sizes: Vec<usize> = a
                .iter()
                .map(|x| serde_json::to_vec(x).map_or(0, |b| b.len()) + 1)
                .collect();
            let mut freed = 0;
            let mut keep = a.len();
            while keep > 0 && freed < excess {
                keep -= 1;
                freed += sizes[keep];
            }
            a.truncate(keep);
        }
        Value::Object(m) => {
            let best = m
                .iter()
                .map(|(k, x)| (shrinkable(x), k.clone()))
                .filter(|(n, _)| *n > 0)
                .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
            if let Some((_, k)) = best {
                shrink(m.get_mut(&k).expect("a member"), excess);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_injective_and_engine_safe() {
        assert_eq!(encode_id("runbooks/db.md"), "runbooks_2fdb_2emd");
        assert_ne!(encode_id("a_b"), encode_id("a-b"));
        assert_ne!(encode_id("a/b"), encode_id("a_2fb"));
        let long = bounded_id("x".repeat(1000));
        assert!(long.len() <= 511);
        assert!(
            encode_id("é ü/#")
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn long_ids_are_shortened_deterministically_and_stay_unique() {
        let long = encode_id(&format!("runbooks/{}.md", "é/".repeat(1000)));
        let a = bounded_id(format!("{long}__a"));
        let b = bounded_id(format!("{long}__b"));
        assert!(a.len() <= MAX_ID_BYTES && b.len() <= MAX_ID_BYTES);
        assert_ne!(a, b);
        assert_eq!(a, bounded_id(format!("{long}__a")));
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        // A shortened id is never an id kept whole: `_-` is not in encode_id's alphabet.
        assert!(a.contains("_-") && !encode_id("a_-b/-_").contains("_-"));
        let mut seen = HashSet::new();
        let first = unique_id(&mut seen, &a);
        let second = unique_id(&mut seen, &a);
        let third = unique_id(&mut seen, &a);
        assert_eq!(first, a);
        assert!(second != first && third != second && third != first);
        assert!(second.len() <= MAX_ID_BYTES && third.len() <= MAX_ID_BYTES);
    }

    #[test]
    fn docsearch_records_fit_in_ten_kilobytes() {
        let long = "Heading \"quoted\" \u{1}".repeat(400);
        let record = json!({
            "objectID": "x",
            "hierarchy": {"lvl0": "Runbooks", "lvl1": long, "lvl2": long, "lvl3": null},
            "url": format!("https://example.com/{}", "a".repeat(3000)),
            "url_without_anchor": "https://example.com/",
            "content": "word ".repeat(2_000),
            "alerts": (0..5_000).map(|i| format!("Alert{i}")).collect::<Vec<_>>(),
            "title": long,
            "weight": {"level": 90, "position": 1},
        });
        let fitted = fit(record.clone(), DOCSEARCH_RECORD_MAX);
        let size = serde_json::to_vec(&fitted).unwrap().len();
        assert!(size <= DOCSEARCH_RECORD_MAX, "{size}");
        assert_eq!(fitted, fit(record, DOCSEARCH_RECORD_MAX));
        assert_eq!(fitted["objectID"], "x");
        assert_eq!(fitted["weight"]["level"], 90);
        // The URL is the last thing to shrink.
        assert!(fitted["url"].as_str().unwrap().len() > 3000);
        // A record within the limit is left as it is.
        let small = json!({"objectID": "y", "content": "short"});
        assert_eq!(fit(small.clone(), DOCSEARCH_RECORD_MAX), small);
    }

    #[test]
    fn cut_keeps_whole_words_and_chars() {
        assert_eq!(cut("alpha beta gamma", 12), "alpha beta");
        assert_eq!(cut("ééé", 3), "é");
        assert_eq!(cut("short", 10), "short");
    }

    #[test]
    fn formats_parse_by_name() {
        for n in ExportFormat::NAMES {
            assert!(ExportFormat::parse(n).is_some(), "{n}");
        }
        assert_eq!(ExportFormat::parse("algolia"), None);
    }
}
