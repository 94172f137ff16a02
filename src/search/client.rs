//! The client index (`search/` in the output, docs/search.md "Client index files"): the same
//! analysed terms as the tantivy index, as plain JSON for `static/search.js`.
//!
//! Beyond docs/search.md: each posting's norm is tantivy's field norm (the token count, exact
//! up to 40, then rounded down to one of 256 steps) so that BM25 agrees to the last digit and
//! ranking needs no doc metadata; `index.json` carries `k1`, `b` and the query constants.
//! Chunk sizes grow with the site so that a site has at most 1 + 128 + 352 + 512 files:
//! `doc_chunk = max(32, ⌈N/128⌉)`, `text_chunk = max(8, ⌈N/352⌉)`, term shards of at least
//! 24 KiB (a term is never split), at most 512 of them. Terms are sorted by UTF-8 bytes (code point order).
//!
//! [`Reference`] reads these files back and scores queries the way the browser must, so that
//! tests can hold the two engines to the same results.

use super::analysed::{Analysed, Analyses};
use super::doc::{FIELDS, SearchDoc, WEIGHTS};
use super::query::{self, Lexicon, Matcher, Planned, Query};
use crate::content::urls;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::path::Path;
use tantivy::fieldnorm::FieldNormReader;

pub const VERSION: u32 = 1;
pub const SHARD_TARGET: usize = 24 * 1024;
pub const MAX_SHARDS: usize = 512;
/// Characters of a doc's body kept for snippets (docs/search.md, `search/x/`).
pub const TEXT_CHARS: usize = 16_000;
/// Characters of a doc's headings kept for snippets.
pub const HEADING_CHARS: usize = 1_000;
pub const K1: f32 = 1.2;
pub const B: f32 = 0.75;

/// Docs per metadata chunk for a site of `n` documents.
pub fn doc_chunk(n: usize) -> usize {
    32.max(n.div_ceil(128))
}

/// Docs per text chunk.
pub fn text_chunk(n: usize) -> usize {
    8.max(n.div_ceil(352))
}

/// tantivy's field norm of a field of `len` tokens.
pub fn quantize(len: u32) -> u32 {
    FieldNormReader::id_to_fieldnorm(FieldNormReader::fieldnorm_to_id(len))
}

/// One posting: doc id, field id, field norm, positions.
pub type Posting = (u32, u8, u32, Vec<u32>);
/// A posting while exporting: doc id, field id, positions.
type Exported<'a> = (u32, u8, &'a [u32]);

/// A term's postings as a term shard holds them: one flat array of
/// `Δdoc, field, norm, tf, first position, Δposition × (tf − 1)` per posting (docs ascending,
/// Δdoc from the previous posting's doc, 0 for another field of the same doc).
fn encode_postings(s: &mut String, postings: &[Exported], norms: &[[u32; 5]]) {
    s.push('[');
    let mut prev = 0u32;
    for (i, (d, f, pos)) in postings.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let norm = norms[*d as usize][*f as usize];
        push_number(s, d - prev);
        s.push(',');
        push_number(s, u32::from(*f));
        s.push(',');
        push_number(s, norm);
        s.push(',');
        push_number(s, pos.len() as u32);
        prev = *d;
        let mut last = 0u32;
        for p in pos.iter() {
            s.push(',');
            push_number(s, p - last);
            last = *p;
        }
    }
    s.push(']');
}

/// `n` in decimal: the term shards are a million numbers, too many for `write!`.
fn push_number(s: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits.
    s.push_str(std::str::from_utf8(&digits[i..]).unwrap_or_default());
}

/// Decode `encode_postings`: (doc id, field id, field norm, positions) per posting; `None`
/// when the array is not one (cut short, a field id out of range, ids or positions past
/// `u32`): the files may come from elsewhere (a part `compose` merges).
pub fn decode_postings(flat: &[u32]) -> Option<Vec<Posting>> {
    let mut out = Vec::new();
    let (mut i, mut d) = (0usize, 0u32);
    while i < flat.len() {
        let head = flat.get(i..i + 4)?;
        d = d.checked_add(head[0])?;
        let f = u8::try_from(head[1])
            .ok()
            .filter(|f| usize::from(*f) < FIELDS.len())?;
        let (norm, tf) = (head[2], head[3] as usize);
        let mut p = 0u32;
        let pos = flat
            .get(i + 4..i + 4 + tf)?
            .iter()
            .map(|x| {
                p = p.checked_add(*x)?;
                Some(p)
            })
            .collect::<Option<Vec<u32>>>()?;
        out.push((d, f, norm, pos));
        i += 4 + tf;
    }
    Some(out)
}

/// The text kept for a doc's snippet: the body, whitespace collapsed, at most [`TEXT_CHARS`]
/// characters cut at a word boundary; then a newline and the headings joined by ` · ` (at most
/// [`HEADING_CHARS`]). The snippet is chosen from the body first, as in the terminal
/// ([`query::snippet_of`]), so a match deep in a long runbook shows its passage rather than
/// the list of headings that opens the document.
fn snippet_text(d: &SearchDoc) -> String {
    let mut s = words_up_to(d.body.split_whitespace(), TEXT_CHARS);
    s.push('\n');
    s.push_str(&words_up_to(
        d.headings.join(" · ").split_whitespace(),
        HEADING_CHARS,
    ));
    s
}

/// The words joined by spaces, as many as fit in `max` characters (a first word longer than
/// that is cut).
fn words_up_to<'a>(words: impl Iterator<Item = &'a str>, max: usize) -> String {
    let mut s = String::new();
    let mut chars = 0usize;
    for w in words {
        let n = w.chars().count() + usize::from(!s.is_empty());
        if chars + n > max {
            if chars == 0 {
                s.extend(w.chars().take(max));
            }
            break;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(w);
        chars += n;
    }
    s
}

/// JSON with `<`, `>` and `&` written as `\u003c`, `\u003e` and `\u0026`, and the line
/// separators U+2028/U+2029 as `\u2028`/`\u2029`: the files carry documents' text, and
/// nothing reading them (nor a `<script>` they are ever pasted into, nor an older JavaScript
/// parser) should ever see markup or a line break inside a string. (These can only stand
/// inside JSON strings, so replacing them keeps the JSON and its values.)
fn json_bytes(v: &impl Serialize) -> io::Result<Vec<u8>> {
    Ok(markup_safe(&serde_json::to_string(v)?).into_bytes())
}

pub(crate) fn markup_safe(json: &str) -> String {
    if !json.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return json.to_string();
    }
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Write the client index into `<out_dir>/search/`; returns the number of files written.
/// Earlier `t/`, `d/` and `x/` directories there are replaced.
pub fn write_client_index(out_dir: &Path, docs: &[SearchDoc]) -> io::Result<usize> {
    let root = out_dir.join("search");
    for sub in ["t", "d", "x"] {
        let p = root.join(sub);
        if p.exists() {
            std::fs::remove_dir_all(&p)?;
        }
        std::fs::create_dir_all(&p)?;
    }
    let files = client_index_files(docs)?;
    for (rel, bytes) in &files {
        std::fs::write(out_dir.join(rel), bytes)?;
    }
    Ok(files.len())
}

/// One document's entry in `search/d/` (docs/search.md): what a result shows without its
/// page. Fields are in key order, as the files have always had them; `l`, `n`, `o`, `c`, `sv`,
/// `tm` and `r` are left out when false, empty or null.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DocMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c: Option<String>,
    pub k: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub l: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub n: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub o: Vec<String>,
    pub p: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<String>,
    pub s: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sv: Vec<String>,
    pub t: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tm: Vec<String>,
    pub u: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl DocMeta {
    fn of(d: &SearchDoc) -> DocMeta {
        DocMeta {
            c: d.channel.clone(),
            k: d.kind.as_str().to_string(),
            l: d.lapsed,
            n: d.unowned,
            o: d.owner_names.clone(),
            p: d.rel.clone(),
            r: d.reviewed.map(|r| r.to_string()),
            s: json!(d.state).as_str().unwrap_or_default().to_string(),
            sv: d.services.clone(),
            t: d.title.clone(),
            tm: d.teams.clone(),
            u: d.url.clone(),
        }
    }
}

/// One document as the client index holds it. A build makes it from a [`SearchDoc`]; a
/// composed handbook from its parts' own indexes (`compose::search`), so that both are
/// written by [`index_files`].
pub struct IndexedDoc<'a> {
    pub meta: DocMeta,
    /// Its snippet text (`search/x/`).
    pub text: String,
    /// (term, field, positions ascending), each term and field once: borrowed from the
    /// build's analyses ([`Analyses`]), owned when read from a part.
    pub postings: std::borrow::Cow<'a, [(String, u8, Vec<u32>)]>,
    /// Each field's norm ([`quantize`]d token count).
    pub norms: [u32; 5],
}

/// What [`index_files`] writes: the documents in doc-id order (content-path order), each
/// field's token count summed over them (for `avg_len`), and the alert and service names
/// `names.json` offers (their URLs are the handbook's own: [`urls::alert_url`],
/// [`urls::service_url`]).
pub struct Corpus<'a> {
    pub docs: Vec<IndexedDoc<'a>>,
    pub totals: [u64; 5],
    pub alerts: Vec<String>,
    pub services: Vec<String>,
}

impl<'a> Corpus<'a> {
    /// The corpus of `docs`, analysed by `analyses` (made or reused).
    pub fn of(docs: &[SearchDoc], analyses: &'a mut Analyses) -> Corpus<'a> {
        // Doc ids are positions in content-path order (ties between equal scores go by id).
        let mut sorted: Vec<&SearchDoc> = docs.iter().collect();
        sorted.sort_by(|a, b| a.rel.cmp(&b.rel));
        let of: Vec<&'a Analysed> = analyses.of(&sorted);
        crate::diagnostic::trace::step("search: documents analysed");
        let analysed: Vec<(IndexedDoc, [u32; 5])> = sorted
            .par_iter()
            .zip(of)
            .map(|(d, a)| {
                let doc = IndexedDoc {
                    meta: DocMeta::of(d),
                    text: snippet_text(d),
                    postings: std::borrow::Cow::Borrowed(&a.postings),
                    norms: a.lens.map(quantize),
                };
                (doc, a.lens)
            })
            .collect();
        let mut totals = [0u64; 5];
        for (_, lens) in &analysed {
            for (t, l) in totals.iter_mut().zip(lens) {
                *t += u64::from(*l);
            }
        }
        let indexed = analysed.into_iter().map(|(d, _)| d).collect();
        Corpus {
            docs: indexed,
            totals,
            alerts: distinct(sorted.iter().copied(), &|d| d.alerts.clone()),
            services: distinct(sorted.iter().copied(), &|d| d.services.clone()),
        }
    }
}

/// The files of the client index: (path relative to the site's output root, such as
/// `search/t/0.json`, contents).
pub fn client_index_files(docs: &[SearchDoc]) -> io::Result<Vec<(String, Vec<u8>)>> {
    client_index_files_with(docs, &mut Analyses::default())
}

/// [`client_index_files`], reusing the analyses of documents whose fields did not change.
pub fn client_index_files_with(
    docs: &[SearchDoc],
    analyses: &mut Analyses,
) -> io::Result<Vec<(String, Vec<u8>)>> {
    index_files(&Corpus::of(docs, analyses))
}

/// Terms → postings, docs in order. Grouping millions of postings is most of writing the
/// index: each core groups a run of documents, and the runs are joined in document order.
/// The hasher is seeded per process (foldhash), so terms crafted to collide cannot make the
/// grouping quadratic.
fn group_by_term<'a>(
    docs: &'a [IndexedDoc],
) -> HashMap<&'a str, Vec<Exported<'a>>, foldhash::fast::RandomState> {
    type Groups<'a> = HashMap<&'a str, Vec<Exported<'a>>, foldhash::fast::RandomState>;
    let run = docs
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    let runs: Vec<Groups> = docs
        .par_chunks(run)
        .enumerate()
        .map(|(r, chunk)| {
            let mut terms = Groups::default();
            for (i, a) in chunk.iter().enumerate() {
                let d = (r * run + i) as u32;
                for (term, f, pos) in a.postings.iter() {
                    terms
                        .entry(term.as_str())
                        .or_default()
                        .push((d, *f, pos.as_slice()));
                }
            }
            terms
        })
        .collect();
    let mut runs = runs.into_iter();
    let mut all = runs.next().unwrap_or_default();
    for later in runs {
        for (term, postings) in later {
            all.entry(term).or_default().extend(postings);
        }
    }
    all
}

/// The files of the client index of `corpus` (as [`client_index_files`]).
pub fn index_files(corpus: &Corpus) -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let docs = &corpus.docs;
    let n = docs.len();
    let norms: Vec<[u32; 5]> = docs.iter().map(|d| d.norms).collect();

    let mut sorted: Vec<(&str, Vec<Exported>)> = group_by_term(docs).into_iter().collect();
    sorted.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let entries: Vec<String> = sorted
        .par_iter()
        .map(|(term, postings)| {
            let mut s = markup_safe(&serde_json::to_string(term).unwrap_or_default());
            s.push(':');
            encode_postings(&mut s, postings, &norms);
            s
        })
        .collect();
    crate::diagnostic::trace::step("search: postings encoded");
    let total: usize = entries.iter().map(|e| e.len() + 1).sum();
    let target = SHARD_TARGET.max(total.div_ceil(MAX_SHARDS));
    let mut shards: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut flush = |buf: &mut String, shards: &mut Vec<String>, first: &str| {
        buf.push('}');
        let i = shards.len();
        shards.push(if i == 0 {
            String::new()
        } else {
            first.to_string()
        });
        out.push((
            format!("search/t/{i}.json"),
            std::mem::take(buf).into_bytes(),
        ));
    };
    let mut first = "";
    for ((term, _), entry) in sorted.iter().zip(&entries) {
        if buf.is_empty() {
            buf.push('{');
            first = term;
        } else {
            buf.push(',');
        }
        buf.push_str(entry);
        if buf.len() >= target {
            flush(&mut buf, &mut shards, first);
        }
    }
    if !buf.is_empty() || shards.is_empty() {
        if buf.is_empty() {
            buf.push('{');
        }
        flush(&mut buf, &mut shards, first);
    }

    let dc = doc_chunk(n);
    let metas: Vec<io::Result<(String, Vec<u8>)>> = docs
        .par_chunks(dc)
        .enumerate()
        .map(|(j, chunk)| {
            let arr: Vec<&DocMeta> = chunk.iter().map(|d| &d.meta).collect();
            Ok((format!("search/d/{j}.json"), json_bytes(&arr)?))
        })
        .collect();
    for m in metas {
        out.push(m?);
    }
    let tc = text_chunk(n);
    let texts: Vec<io::Result<(String, Vec<u8>)>> = docs
        .par_chunks(tc)
        .enumerate()
        .map(|(k, chunk)| {
            let arr: Vec<&str> = chunk.iter().map(|d| d.text.as_str()).collect();
            Ok((format!("search/x/{k}.json"), json_bytes(&arr)?))
        })
        .collect();
    for t in texts {
        out.push(t?);
    }

    let set = |f: &dyn Fn(&DocMeta) -> Vec<String>| -> Vec<String> {
        let set: BTreeSet<String> = docs.iter().flat_map(|d| f(&d.meta)).collect();
        set.into_iter().collect()
    };
    let avg: serde_json::Map<String, Value> = FIELDS
        .iter()
        .zip(corpus.totals)
        .map(|(f, t)| {
            let avg = if n == 0 { 0.0 } else { t as f32 / n as f32 };
            (f.to_string(), json!(short(avg)))
        })
        .collect();
    let index = json!({
        "version": VERSION,
        "docs": n,
        "avg_len": avg,
        "fields": FIELDS,
        "weights": WEIGHTS.map(short),
        "shards": shards,
        "doc_chunk": dc,
        "text_chunk": tc,
        "filters": {
            "kind": set(&|d| vec![d.k.clone()]),
            "service": set(&|d| d.sv.clone()),
            "team": set(&|d| d.tm.clone()),
        },
        "k1": short(K1),
        "b": short(B),
        "query": {
            "exact": short(query::EXACT), "exact_single": short(query::EXACT_SINGLE),
            "prefix": short(query::PREFIX), "typo": short(query::TYPO),
            "phrase": short(query::PHRASE),
            "prefix_min_chars": query::PREFIX_MIN_CHARS,
            "prefix_max_terms": query::PREFIX_MAX_TERMS,
            "typo_max_terms": query::TYPO_MAX_TERMS,
            "max_query_bytes": query::MAX_QUERY_BYTES,
            "max_query_words": query::MAX_QUERY_WORDS,
        },
    });
    crate::diagnostic::trace::step("search: documents' chunks encoded");
    out.push(("search/index.json".to_string(), json_bytes(&index)?));
    // What the empty state offers (query::pasted::closest): read only when nothing matches.
    let pairs = |names: &[String], url: fn(&str) -> String| -> Vec<(String, String)> {
        names
            .iter()
            .cloned()
            .map(|n| {
                let u = url(&n);
                (n, u)
            })
            .collect()
    };
    let names = json!({
        "alerts": pairs(&corpus.alerts, urls::alert_url),
        "services": pairs(&corpus.services, urls::service_url),
    });
    out.push(("search/names.json".to_string(), json_bytes(&names)?));
    Ok(out)
}

/// The values `f` gives for `docs`, each once, sorted: the filters of `index.json`, the names
/// of `names.json` and of `fieldbook search`'s empty state.
pub fn distinct<'a>(
    docs: impl IntoIterator<Item = &'a SearchDoc>,
    f: &dyn Fn(&SearchDoc) -> Vec<String>,
) -> Vec<String> {
    let set: BTreeSet<String> = docs.into_iter().flat_map(f).collect();
    set.into_iter().collect()
}

/// An `f32` as the shortest decimal that reads back as it (`0.6`, not `0.6000000238418579`);
/// `Math.fround` in the browser gives the `f32` back.
fn short(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

#[derive(Deserialize)]
struct IndexJson {
    docs: usize,
    avg_len: BTreeMap<String, f32>,
    shards: Vec<String>,
    doc_chunk: usize,
    text_chunk: usize,
}

/// The client index read back (every shard), scoring queries as docs/search.md and
/// [`super::query`] define: the reference the browser's script is held to.
pub struct Reference {
    n: usize,
    avg: [f32; 5],
    terms: BTreeMap<String, Vec<Posting>>,
    docs: Vec<DocMeta>,
    /// Each doc's snippet text (`search/x/`), by doc id.
    texts: Vec<String>,
}

impl Reference {
    pub fn open(out_dir: &Path) -> io::Result<Reference> {
        let root = out_dir.join("search");
        // `fieldbook search --site` may be pointed at any folder: no FIFO blocks it, no
        // file fills memory (a text chunk of 100,000 documents is a few MiB).
        let read = |p: &Path| -> io::Result<Vec<u8>> {
            use crate::write::Unreadable;
            crate::write::read_bounded_unrecorded(p, 256 * 1024 * 1024, true).map_err(|e| match e {
                Unreadable::Io(e) => e,
                Unreadable::NotAFile => io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is not a regular file", p.display()),
                ),
                Unreadable::TooLarge(n) => io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} is too large ({n} bytes)", p.display()),
                ),
            })
        };
        let index: IndexJson = serde_json::from_slice(&read(&root.join("index.json"))?)?;
        let mut terms = BTreeMap::new();
        for i in 0..index.shards.len() {
            let shard: BTreeMap<String, Vec<u32>> =
                serde_json::from_slice(&read(&root.join("t").join(format!("{i}.json")))?)?;
            for (t, flat) in shard {
                let postings = decode_postings(&flat).ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("search/t/{i}.json: the postings of `{t}` are malformed"),
                    )
                })?;
                terms.insert(t, postings);
            }
        }
        let mut docs = Vec::new();
        for j in 0..index.docs.div_ceil(index.doc_chunk.max(1)) {
            let chunk: Vec<DocMeta> =
                serde_json::from_slice(&read(&root.join("d").join(format!("{j}.json")))?)?;
            docs.extend(chunk);
        }
        let mut texts = Vec::new();
        for k in 0..index.docs.div_ceil(index.text_chunk.max(1)) {
            let chunk: Vec<String> =
                serde_json::from_slice(&read(&root.join("x").join(format!("{k}.json")))?)?;
            texts.extend(chunk);
        }
        // Ranking indexes docs by the postings' ids: an index whose files disagree is refused
        // rather than read past its end.
        let agree = docs.len() == index.docs
            && texts.len() == index.docs
            && terms
                .values()
                .flatten()
                .all(|p: &Posting| (p.0 as usize) < index.docs);
        if !agree {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the search index's files disagree on its documents (truncated or mixed from two builds)",
            ));
        }
        let avg = FIELDS.map(|f| index.avg_len.get(f).copied().unwrap_or(0.0));
        Ok(Reference {
            n: index.docs,
            avg,
            terms,
            docs,
            texts,
        })
    }

    fn bm25(&self, idf: f32, tf: u32, field: usize, norm: u32) -> f32 {
        let weight = idf * (1.0 + K1);
        let len = norm as f32;
        let norm = K1 * (1.0 - B + B * len / self.avg[field]);
        let tf = tf as f32;
        weight * (tf / (tf + norm))
    }

    fn idf(&self, term: &str, field: usize) -> f32 {
        let df = self
            .terms
            .get(term)
            .map_or(0, |p| p.iter().filter(|x| x.1 as usize == field).count());
        let x = ((self.n - df) as f32 + 0.5) / (df as f32 + 0.5);
        (1.0 + x).ln()
    }

    /// Per doc: the score of one word (the best variant per field, weighted, summed).
    fn word(&self, variants: &[query::Variant]) -> HashMap<u32, f32> {
        let mut best: HashMap<(u32, usize), f32> = HashMap::new();
        for v in variants {
            let Some(postings) = self.terms.get(&v.term) else {
                continue;
            };
            for (d, f, norm, pos) in postings {
                let f = *f as usize;
                let s = self.bm25(self.idf(&v.term, f), pos.len() as u32, f, *norm) * v.factor;
                let e = best.entry((*d, f)).or_insert(0.0);
                *e = e.max(s);
            }
        }
        sum_fields(best, |f| WEIGHTS[f])
    }

    /// Per doc: the score of a phrase of two or more words (absent: not in the doc).
    fn phrase(&self, words: &[(String, u32)]) -> HashMap<u32, f32> {
        let mut per: HashMap<(u32, usize), f32> = HashMap::new();
        let base = words[0].1;
        let Some(first) = self.terms.get(&words[0].0) else {
            return HashMap::new();
        };
        for (d, f, norm, pos0) in first {
            let fu = *f as usize;
            let lists: Option<Vec<&Vec<u32>>> = words[1..]
                .iter()
                .map(|(w, _)| {
                    self.terms
                        .get(w)?
                        .iter()
                        .find(|x| x.0 == *d && x.1 == *f)
                        .map(|x| &x.3)
                })
                .collect();
            let Some(lists) = lists else { continue };
            let count = pos0
                .iter()
                .filter(|&&p0| {
                    words[1..]
                        .iter()
                        .zip(&lists)
                        .all(|((_, wp), l)| l.binary_search(&(p0 + (wp - base))).is_ok())
                })
                .count();
            if count > 0 {
                let idf: f32 = words.iter().map(|(w, _)| self.idf(w, fu)).sum();
                per.insert((*d, fu), self.bm25(idf, count as u32, fu, *norm));
            }
        }
        let mut scores = sum_fields(per, |f| WEIGHTS[f] * query::PHRASE);
        let mut seen: Vec<&str> = Vec::new();
        for (w, _) in words {
            if seen.contains(&w.as_str()) {
                continue;
            }
            seen.push(w);
            let exact = [query::Variant {
                term: w.clone(),
                factor: query::EXACT,
            }];
            for (d, s) in self.word(&exact) {
                if let Some(t) = scores.get_mut(&d) {
                    *t += s;
                }
            }
        }
        scores
    }

    /// Ranked `(path, score)` for `q` (the owner filter is not available in the client index
    /// and is ignored): by [`query::Coverage`], then score, then path.
    pub fn search(&self, q: &Query) -> io::Result<Vec<(String, f32)>> {
        Ok(self
            .ranked(q)?
            .into_iter()
            .map(|(p, s, _)| (p, s))
            .collect())
    }

    /// As [`Reference::search`], with each result's missing elements.
    pub fn ranked(&self, q: &Query) -> io::Result<Vec<(String, f32, Vec<String>)>> {
        Ok(self
            .ranked_ids(q)?
            .into_iter()
            .map(|(d, s, missing)| (self.docs[d as usize].p.clone(), s, missing))
            .collect())
    }

    /// As [`Reference::ranked`], each result by its doc id ([`Reference::doc`]): content
    /// paths repeat across the parts of a composed handbook.
    pub fn ranked_ids(&self, q: &Query) -> io::Result<Vec<(u32, f32, Vec<String>)>> {
        let (planned, had_text) = query::plan(self, &q.text)?;
        let mut kept: Vec<&Planned> = Vec::new();
        let mut each: Vec<HashMap<u32, f32>> = Vec::new();
        for p in &planned {
            let scores = match &p.matcher {
                Matcher::Word(v) => self.word(v),
                Matcher::Phrase(words) => self.phrase(words),
            };
            if !scores.is_empty() {
                kept.push(p);
                each.push(scores); // else it matches nothing: ignored
            }
        }
        let alerts: Vec<Vec<u32>> = kept
            .iter()
            .filter_map(|p| p.alert.as_deref())
            .map(|t| {
                self.terms.get(t).map_or(Vec::new(), |ps| {
                    ps.iter()
                        .filter(|x| x.1 as usize == query::ALERTS)
                        .map(|x| x.0)
                        .collect()
                })
            })
            .collect();
        // Scores summed in element order, as the browser sums them.
        let mut totals: BTreeMap<u32, f32> = BTreeMap::new();
        for scores in &each {
            for (d, s) in scores {
                totals.entry(*d).and_modify(|t| *t += s).or_insert(*s);
            }
        }
        let filtered = q.kind.is_some() || q.service.is_some() || q.stale;
        if each.is_empty() && !had_text && filtered {
            totals = (0..self.n as u32).map(|d| (d, 0.0)).collect();
        }
        let mut out: Vec<(query::Coverage, f32, u32)> = totals
            .into_iter()
            .filter(|(d, _)| {
                let doc = &self.docs[*d as usize];
                q.kind.is_none_or(|k| doc.k == k.as_str())
                    && q.service.as_ref().is_none_or(|s| doc.sv.contains(s))
                    && (!q.stale || doc.s == "stale")
            })
            .map(|(d, s)| {
                let cov = query::Coverage {
                    alerts: alerts.iter().filter(|a| a.contains(&d)).count() as u32,
                    matched: kept
                        .iter()
                        .zip(&each)
                        .filter(|(p, e)| p.counts && e.contains_key(&d))
                        .count() as u32,
                };
                (cov, s, d)
            })
            .collect();
        let path = |d: u32| &self.docs[d as usize].p;
        out.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.total_cmp(&a.1))
                .then_with(|| path(a.2).cmp(path(b.2)))
        });
        out.truncate(if q.limit == 0 {
            query::DEFAULT_LIMIT
        } else {
            q.limit
        });
        Ok(out
            .into_iter()
            .map(|(_, s, d)| {
                let missing = query::missing(&kept, |i| each[i].contains_key(&d));
                (d, s, missing)
            })
            .collect())
    }
}

impl Reference {
    /// The snippet of the doc at content path `path` for `q`, as the browser must choose it:
    /// from the stored text, by the terms (typo and prefix variants included) that ranked it,
    /// with the byte ranges of the matches. `None` when no doc has that path.
    pub fn snippet(&self, path: &str, q: &Query) -> io::Result<Option<query::Snippet>> {
        match self.docs.iter().position(|doc| doc.p == path) {
            Some(d) => self.snippet_of(d as u32, q).map(Some),
            None => Ok(None),
        }
    }

    /// The doc with id `d` (as [`Reference::ranked_ids`] gives it).
    pub fn doc(&self, d: u32) -> Option<&DocMeta> {
        self.docs.get(d as usize)
    }

    /// [`Reference::snippet`] of the doc with id `d`.
    pub fn snippet_of(&self, d: u32, q: &Query) -> io::Result<query::Snippet> {
        let d = d as usize;
        let (planned, _) = query::plan(self, &q.text)?;
        let text = self.texts.get(d).map_or("", String::as_str);
        let (body, headings) = text.split_once('\n').unwrap_or((text, ""));
        // As in ranking, elements that match nothing (a phrase never written) are ignored.
        let kept = planned.iter().filter(|p| match &p.matcher {
            Matcher::Word(_) => true,
            Matcher::Phrase(words) => !self.phrase(words).is_empty(),
        });
        Ok(query::snippet_of(
            body,
            &[headings.to_string()],
            &query::matched_terms(kept),
        ))
    }
}

/// Per doc: Σ over fields (in field order) of `score × weight(field)`.
fn sum_fields(per: HashMap<(u32, usize), f32>, weight: impl Fn(usize) -> f32) -> HashMap<u32, f32> {
    let mut by_doc: BTreeMap<u32, [Option<f32>; 5]> = BTreeMap::new();
    for ((d, f), s) in per {
        by_doc.entry(d).or_insert([None; 5])[f] = Some(s);
    }
    by_doc
        .into_iter()
        .map(|(d, fs)| {
            let total = fs
                .iter()
                .enumerate()
                .filter_map(|(f, s)| s.map(|s| s * weight(f)))
                .sum();
            (d, total)
        })
        .collect()
}

impl Lexicon for Reference {
    fn postings(&self, term: &str) -> io::Result<u64> {
        Ok(self.terms.get(term).map_or(0, |p| p.len() as u64))
    }

    fn with_prefix(&self, prefix: &str) -> io::Result<Vec<(String, u64)>> {
        Ok(self
            .terms
            .range(prefix.to_string()..)
            .take_while(|(t, _)| t.starts_with(prefix))
            .map(|(t, p)| (t.clone(), p.len() as u64))
            .collect())
    }

    fn is_alert(&self, term: &str) -> io::Result<bool> {
        Ok(self
            .terms
            .get(term)
            .is_some_and(|p| p.iter().any(|x| x.1 as usize == query::ALERTS)))
    }
}

/// Files of the browser's search index (`serve` keeps them up to date through its search worker, not as pages).
pub fn is_client_index(path: &str) -> bool {
    path == "search/index.json"
        || path == "search/names.json"
        || ["search/t/", "search/d/", "search/x/"]
            .iter()
            .any(|p| path.starts_with(p))
}
