//! Queries: parsing, term expansion and scoring (docs/search.md, "Fields and weights").
//!
//! A query is words and `"quoted phrases"`, analysed like documents; a word is matched by its
//! lowercase whole form (its parts and tails are not looked up: the tails in the index already
//! make `PodCrash` a prefix of `podcrashlooping`). Expansion runs on a [`Lexicon`] so that it
//! is the same whatever engine holds the terms:
//!
//! - **exact**: the word is an indexed term (factor 1.0; 3.0 when the query is that one word:
//!   an alert name typed exactly);
//! - **prefix**: words of [`PREFIX_MIN_CHARS`]+ characters match the indexed terms that start
//!   with them (factor 0.6), at most [`PREFIX_MAX_TERMS`], those with the most postings (the
//!   number of (document, field) pairs holding the term), ties in term order;
//! - **typo**, only for a word that matches no term exactly or as a prefix: words of 4–8
//!   characters match terms one edit away, from 9 characters two edits (insertion, deletion,
//!   substitution, or a transposition of neighbours, each counting one), among terms with the
//!   same first character (factor 0.4), at most [`TYPO_MAX_TERMS`], chosen as prefixes are.
//!   (A fallback, so that the browser reads the shards of a whole initial only for real typos.)
//!
//! The score of a document is the sum over query elements and fields of
//! `field weight × max over the element's variants (factor × BM25)` where BM25 is tantivy's
//! (k1 = 1.2, b = 0.75, idf = ln(1 + (N − df + 0.5)/(df + 0.5)), times (1 + k1), field length
//! quantised to tantivy's field norm), computed per field, over the elements the document
//! matches: a document matching any element is a result, ranked first by its [`Coverage`] (the
//! pasted alert names it declares, then the counted elements it matches) and then by score; an
//! element that matches no document is ignored. A phrase of two or more words
//! matches at consecutive positions within one field; it scores as tantivy scores phrases
//! (idf summed over its terms, tf = number of occurrences) times [`PHRASE`] and the field
//! weight, summed over the fields where it occurs, plus the exact score (factor 1.0) of each
//! of its distinct words, wherever they occur in the document. A quoted single word is an exact
//! word with factor [`PHRASE`]. Ties are broken by path.

use super::analyze::{self, MAX_TERM_BYTES, edit_distance};
use super::doc::WEIGHTS;
use super::index::{self, Fields, Stored, state_from_str};
use super::pasted;
use crate::content::front_matter::Kind;
use crate::model::ReviewState;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, PhraseQuery,
    Query as TQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, ReloadPolicy, Searcher, TantivyDocument, Term};

pub const EXACT: f32 = 1.0;
/// Exact factor when the query is one word (its full text as one term).
pub const EXACT_SINGLE: f32 = 3.0;
pub const PREFIX: f32 = 0.6;
pub const TYPO: f32 = 0.4;
pub const PHRASE: f32 = 3.0;
pub const PREFIX_MIN_CHARS: usize = 3;
pub const PREFIX_MAX_TERMS: usize = 50;
pub const TYPO_MAX_TERMS: usize = 16;
/// Results when [`Query::limit`] is 0.
pub const DEFAULT_LIMIT: usize = 10;
/// Query text read, at most (cut at a character boundary; the rest is ignored with a note,
/// [`truncation`]). With [`MAX_QUERY_WORDS`] this bounds a query's work whatever it is sent:
/// at most `MAX_QUERY_WORDS × (1 + PREFIX_MAX_TERMS)` term variants are looked up.
pub const MAX_QUERY_BYTES: usize = 512;
/// Words looked up, at most, counting each word of a phrase (a phrase is cut to the words
/// left); the words after are ignored with a note.
pub const MAX_QUERY_WORDS: usize = 16;

/// A search: text plus filters. Filters do not change scores.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub text: String,
    pub kind: Option<Kind>,
    /// A service the document names in `services:`.
    pub service: Option<String>,
    /// An owner id: documents it owns, or that a team it belongs to owns.
    pub owner: Option<String>,
    /// Only documents whose review is stale.
    pub stale: bool,
    /// At most this many results (0: [`DEFAULT_LIMIT`]).
    pub limit: usize,
}

/// One result.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    /// Path relative to the content directory.
    pub rel: String,
    pub url: String,
    pub title: String,
    pub kind: Kind,
    pub score: f32,
    /// Owner ids.
    pub owners: Vec<String>,
    pub owner_names: Vec<String>,
    pub state: ReviewState,
    pub lapsed: bool,
    pub unowned: bool,
    /// Plain text around the best matches (`…` where it was cut).
    pub snippet: String,
    /// Byte ranges of the matches in `snippet`, sorted and disjoint.
    pub highlights: Vec<(usize, usize)>,
    /// The counted query elements this document does not match (empty: it matches every
    /// word that matches anything).
    pub missing: Vec<String>,
}

/// A parsed query element.
#[derive(Clone, Debug, PartialEq)]
pub enum Element {
    Word(String),
    /// Whole forms with their positions in the phrase.
    Phrase(Vec<(String, u32)>),
}

/// Split query text into words and quoted phrases (an unclosed quote runs to the end).
/// Repeated words count once. Bounded: only the first [`MAX_QUERY_BYTES`] of `text` and the
/// first [`MAX_QUERY_WORDS`] words are read ([`truncation`] says when something was left).
pub fn parse(text: &str) -> Vec<Element> {
    bounded(text).0.into_iter().map(|(e, _)| e).collect()
}

/// The words of `text` as written, after cleaning and within the bounds, each once: what the
/// empty state compares names with ([`pasted::closest`]).
pub fn written_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, written) in bounded(text).0 {
        for w in written.split(' ') {
            if !out.iter().any(|o| o == w) {
                out.push(w.to_string());
            }
        }
    }
    out
}

/// `text` cut to [`MAX_QUERY_BYTES`] (at a character boundary).
pub fn cut_text(text: &str) -> &str {
    if text.len() <= MAX_QUERY_BYTES {
        return text;
    }
    let mut end = MAX_QUERY_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The elements of `text` within the bounds, and whether anything was left out. Each element
/// comes with its text as written (a phrase's words joined by spaces). The text is first
/// cleaned of what pagers add ([`pasted::clean`]).
fn bounded(text: &str) -> (Vec<(Element, String)>, bool) {
    let read = cut_text(text);
    let mut truncated = read.len() < text.len();
    let read = pasted::clean(read);
    let mut out: Vec<(Element, String)> = Vec::new();
    let mut left = MAX_QUERY_WORDS;
    for (i, chunk) in read.split('"').enumerate() {
        if i % 2 == 1 {
            let mut spans = Vec::new();
            analyze::for_each_word(chunk, |a, b| spans.push(&chunk[a..b]));
            let mut words: Vec<(String, u32, &str)> = spans
                .into_iter()
                .enumerate()
                .map(|(pos, w)| (w.to_lowercase(), pos as u32, w))
                .filter(|(w, _, _)| w.len() <= MAX_TERM_BYTES)
                .collect();
            if words.len() > left {
                words.truncate(left);
                truncated = true;
            }
            left -= words.len();
            if !words.is_empty() {
                let written = words.iter().map(|w| w.2).collect::<Vec<_>>().join(" ");
                let e = Element::Phrase(words.into_iter().map(|(w, p, _)| (w, p)).collect());
                out.push((e, written));
            }
        } else {
            let mut spans = Vec::new();
            analyze::for_each_word(chunk, |a, b| spans.push(&chunk[a..b]));
            for word in spans {
                let e = Element::Word(word.to_lowercase());
                if out.iter().any(|(o, _)| *o == e) {
                    continue;
                }
                if left == 0 {
                    truncated = true;
                    break;
                }
                left -= 1;
                out.push((e, word.to_string()));
            }
        }
    }
    (out, truncated)
}

/// A note for the reader when `text` is past the bounds of a query ([`MAX_QUERY_BYTES`],
/// [`MAX_QUERY_WORDS`]): what was searched for instead. `None` for a query read whole.
pub fn truncation(text: &str) -> Option<String> {
    bounded(text).1.then(|| {
        format!(
            "the query was cut: only its first {MAX_QUERY_WORDS} words within its first \
             {MAX_QUERY_BYTES} bytes were searched for"
        )
    })
}

/// The terms an index holds, for expansion.
pub trait Lexicon {
    /// Postings of `term`: the number of (document, field) pairs holding it.
    fn postings(&self, term: &str) -> std::io::Result<u64>;
    /// Every term starting with `prefix`, with its postings, in term order.
    fn with_prefix(&self, prefix: &str) -> std::io::Result<Vec<(String, u64)>>;
    /// Whether `term` is in some document's `alerts` field.
    fn is_alert(&self, _term: &str) -> std::io::Result<bool> {
        Ok(false)
    }
}

/// One way a word matches: an indexed term and its factor.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub term: String,
    pub factor: f32,
}

/// The edit budget of a word of `chars` characters.
pub fn typo_budget(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4..=8 => 1,
        _ => 2,
    }
}

fn best(mut terms: Vec<(String, u64)>, n: usize) -> Vec<String> {
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(n);
    terms.into_iter().map(|(t, _)| t).collect()
}

/// The variants of a query word (empty: the word matches nothing and is ignored): its exact
/// and prefix matches, else its typos.
pub fn variants(lex: &dyn Lexicon, word: &str, exact: f32) -> std::io::Result<Vec<Variant>> {
    let out = direct(lex, word, exact)?;
    if out.is_empty() {
        return typos(lex, word);
    }
    Ok(out)
}

/// The exact and prefix variants of a word.
fn direct(lex: &dyn Lexicon, word: &str, exact: f32) -> std::io::Result<Vec<Variant>> {
    let mut out = Vec::new();
    if lex.postings(word)? > 0 {
        out.push(Variant {
            term: word.to_string(),
            factor: exact,
        });
    }
    if word.chars().count() >= PREFIX_MIN_CHARS {
        let found: Vec<(String, u64)> = lex
            .with_prefix(word)?
            .into_iter()
            .filter(|(t, _)| t != word)
            .collect();
        out.extend(
            best(found, PREFIX_MAX_TERMS)
                .into_iter()
                .map(|term| Variant {
                    term,
                    factor: PREFIX,
                }),
        );
    }
    Ok(out)
}

/// The typo variants of a word that matches no term exactly or as a prefix.
fn typos(lex: &dyn Lexicon, word: &str) -> std::io::Result<Vec<Variant>> {
    let chars: Vec<char> = word.chars().collect();
    let budget = typo_budget(chars.len());
    if budget == 0 {
        return Ok(Vec::new());
    }
    let first = chars[0].to_string();
    let found: Vec<(String, u64)> = lex
        .with_prefix(&first)?
        .into_iter()
        .filter(|(t, _)| !t.starts_with(word))
        .filter(|(t, _)| {
            let tc: Vec<char> = t.chars().collect();
            edit_distance(&chars, &tc, budget) <= budget
        })
        .collect();
    Ok(best(found, TYPO_MAX_TERMS)
        .into_iter()
        .map(|term| Variant { term, factor: TYPO })
        .collect())
}

/// What a query element matches, after expansion.
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    Word(Vec<Variant>),
    Phrase(Vec<(String, u32)>),
}

/// A query element after expansion, with its part in ranking (docs/search.md, "Ranking"):
/// documents holding the most pasted alert names come first, then those matching the most
/// counted elements, then by score.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    pub matcher: Matcher,
    /// The element as written (a word without what [`pasted::strip_hash`] cut; a phrase's
    /// words): what a result that lacks it says is missing.
    pub text: String,
    /// Counted when ranking by the number of elements matched: not a [stop
    /// word](pasted::STOP_WORDS), unless the query is only stop words.
    pub counts: bool,
    /// A pasted alert name (an identifier, in a query of two or more elements, that is in some
    /// document's alerts): its term.
    pub alert: Option<String>,
}

/// Expand the elements of `text`. Returns the planned elements (words that match nothing
/// left out; phrases are checked by the engine) and whether the text had any element.
///
/// A word that matches nothing exactly or as a prefix is looked up without its generated
/// suffixes ([`pasted::strip_hash`]) before typos are tried.
pub fn plan(lex: &dyn Lexicon, text: &str) -> std::io::Result<(Vec<Planned>, bool)> {
    let elements = bounded(text).0;
    let single = matches!(elements.as_slice(), [(Element::Word(_), _)]);
    // An identifier as written (a word of two or more parts, such as `KubePodCrashLooping` or
    // `node_filesystem_full`) may be a pasted alert name.
    let ident = |written: &str| analyze::parts(written).len() > 1;
    let only_stop = elements
        .iter()
        .all(|(e, _)| matches!(e, Element::Word(w) if pasted::is_stop_word(w)));
    let mut out = Vec::new();
    for (e, written) in &elements {
        match e {
            Element::Word(w) => {
                let factor = if single { EXACT_SINGLE } else { EXACT };
                let mut word = w.as_str();
                let mut v = direct(lex, word, factor)?;
                if v.is_empty()
                    && let Some(s) = pasted::strip_hash(word)
                {
                    word = s;
                    v = direct(lex, word, factor)?;
                }
                if v.is_empty() {
                    v = typos(lex, word)?;
                }
                if v.is_empty() {
                    continue;
                }
                let alert =
                    (ident(written) && elements.len() > 1 && word == w && lex.is_alert(word)?)
                        .then(|| word.to_string());
                // As written, without what was cut (the lowercase form when the two differ in
                // length: lowercasing may change lengths).
                let text = written
                    .len()
                    .checked_sub(w.len() - word.len())
                    .and_then(|n| written.get(..n))
                    .filter(|t| t.to_lowercase() == word)
                    .unwrap_or(word);
                out.push(Planned {
                    matcher: Matcher::Word(v),
                    text: text.to_string(),
                    counts: only_stop || !pasted::is_stop_word(word),
                    alert,
                });
            }
            Element::Phrase(words) => {
                let text = written.clone();
                let matcher = if words.len() == 1 {
                    if lex.postings(&words[0].0)? == 0 {
                        continue;
                    }
                    Matcher::Word(vec![Variant {
                        term: words[0].0.clone(),
                        factor: PHRASE,
                    }])
                } else {
                    Matcher::Phrase(words.clone())
                };
                out.push(Planned {
                    matcher,
                    text,
                    counts: true,
                    alert: None,
                });
            }
        }
    }
    Ok((out, !elements.is_empty()))
}

impl Planned {
    /// The indexed terms this element can match (for highlighting).
    pub fn terms(&self) -> Vec<&str> {
        match &self.matcher {
            Matcher::Word(v) => v.iter().map(|v| v.term.as_str()).collect(),
            Matcher::Phrase(w) => w.iter().map(|(t, _)| t.as_str()).collect(),
        }
    }
}

/// How well a document matches a query, before its score: the pasted alert names it holds
/// and the counted elements it matches. Documents compare by this first (more is better).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Coverage {
    pub alerts: u32,
    pub matched: u32,
}

/// The text of the counted elements of `kept` that a document with `has(i)` false lacks.
pub fn missing(kept: &[&Planned], has: impl Fn(usize) -> bool) -> Vec<String> {
    kept.iter()
        .enumerate()
        .filter(|(i, p)| p.counts && !has(*i))
        .map(|(_, p)| p.text.clone())
        .collect()
}

struct TantivyLexicon<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
}

impl Lexicon for TantivyLexicon<'_> {
    fn postings(&self, term: &str) -> std::io::Result<u64> {
        let mut n = 0;
        for f in self.fields.text {
            n += index::live_doc_freq(self.searcher, &Term::from_field_text(f, term))
                .map_err(std::io::Error::other)?;
        }
        Ok(n)
    }

    fn with_prefix(&self, prefix: &str) -> std::io::Result<Vec<(String, u64)>> {
        let mut map: BTreeMap<String, u64> = BTreeMap::new();
        let p = prefix.as_bytes();
        for seg in self.searcher.segment_readers() {
            for f in self.fields.text {
                let inv = seg.inverted_index(f).map_err(std::io::Error::other)?;
                let mut stream = inv.terms().range().ge(p).into_stream()?;
                while stream.advance() {
                    let key = stream.key();
                    if !key.starts_with(p) {
                        break;
                    }
                    // Live documents only, as a fresh index would count them.
                    let n =
                        index::live_in(seg, &inv, stream.value()).map_err(std::io::Error::other)?;
                    let term = String::from_utf8_lossy(key).into_owned();
                    *map.entry(term).or_default() += u64::from(n);
                }
            }
        }
        // A term only deleted documents held is no term of the index.
        Ok(map.into_iter().filter(|(_, n)| *n > 0).collect())
    }

    fn is_alert(&self, term: &str) -> std::io::Result<bool> {
        let alerts = self.fields.text[ALERTS];
        let n = index::live_doc_freq(self.searcher, &Term::from_field_text(alerts, term))
            .map_err(std::io::Error::other)?;
        Ok(n > 0)
    }
}

/// The `alerts` field's place in [`super::FIELDS`].
pub const ALERTS: usize = 1;

fn term_query(field: tantivy::schema::Field, term: &str) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, term),
        IndexRecordOption::WithFreqs,
    ))
}

fn word_query(
    searcher: &Searcher,
    f: &Fields,
    variants: &[Variant],
) -> tantivy::Result<Box<dyn TQuery>> {
    let mut per_field: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    for (i, field) in f.text.iter().enumerate() {
        let mut alts: Vec<Box<dyn TQuery>> = Vec::new();
        for v in variants {
            if index::live_doc_freq(searcher, &Term::from_field_text(*field, &v.term))? > 0 {
                alts.push(Box::new(BoostQuery::new(
                    term_query(*field, &v.term),
                    v.factor,
                )));
            }
        }
        let q: Box<dyn TQuery> = match alts.len() {
            0 => continue,
            1 => alts.pop().expect("one"),
            _ => Box::new(DisjunctionMaxQuery::new(alts)),
        };
        per_field.push((Occur::Should, Box::new(BoostQuery::new(q, WEIGHTS[i]))));
    }
    Ok(Box::new(BooleanQuery::new(per_field)))
}

fn phrase_query(
    searcher: &Searcher,
    f: &Fields,
    words: &[(String, u32)],
) -> tantivy::Result<Option<Box<dyn TQuery>>> {
    let base = words[0].1;
    let mut per_field: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    'fields: for (i, field) in f.text.iter().enumerate() {
        for (w, _) in words {
            if index::live_doc_freq(searcher, &Term::from_field_text(*field, w))? == 0 {
                continue 'fields;
            }
        }
        let terms = words
            .iter()
            .map(|(w, p)| ((p - base) as usize, Term::from_field_text(*field, w)))
            .collect();
        let q = PhraseQuery::new_with_offset(terms);
        per_field.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(q), WEIGHTS[i] * PHRASE)),
        ));
    }
    if per_field.is_empty() {
        return Ok(None);
    }
    let phrase: Box<dyn TQuery> = Box::new(BooleanQuery::new(per_field));
    if searcher.search(&*phrase, &Count)? == 0 {
        return Ok(None);
    }
    // The phrase is required; its words also score as exact words, so that a phrase in the
    // body of a document whose title holds its words ranks that document higher.
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, phrase)];
    let mut seen: Vec<&str> = Vec::new();
    for (w, _) in words {
        if !seen.contains(&w.as_str()) {
            seen.push(w);
            let exact = [Variant {
                term: w.clone(),
                factor: EXACT,
            }];
            clauses.push((Occur::Should, word_query(searcher, f, &exact)?));
        }
    }
    Ok(Some(Box::new(BooleanQuery::new(clauses))))
}

fn filter(field: tantivy::schema::Field, value: &str) -> (Occur, Box<dyn TQuery>) {
    let q = TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    );
    (
        Occur::Must,
        Box::new(ConstScoreQuery::new(Box::new(q), 0.0)),
    )
}

/// Search the tantivy index of a site. Results are best first by [`Coverage`], then score,
/// ties by path.
pub fn search(site_root: &Path, q: &Query) -> anyhow::Result<Vec<Hit>> {
    let (idx, f) = index::open(site_root)?;
    let reader = idx
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let lex = TantivyLexicon {
        searcher: &searcher,
        fields: &f,
    };
    let (planned, had_text) = plan(&lex, &q.text)?;
    // The elements that match something (a phrase may not): what ranks and what snippets
    // highlight. A document matches when it matches any of them.
    let mut kept: Vec<&Planned> = Vec::new();
    let mut subs: Vec<Box<dyn TQuery>> = Vec::new();
    for p in &planned {
        let sub = match &p.matcher {
            Matcher::Word(v) => Some(word_query(&searcher, &f, v)?),
            Matcher::Phrase(words) => phrase_query(&searcher, &f, words)?,
        };
        if let Some(sub) = sub {
            kept.push(p);
            subs.push(sub);
        }
    }
    let matched = matched_terms(kept.iter().copied());
    let filtered = q.kind.is_some() || q.service.is_some() || q.owner.is_some() || q.stale;
    if subs.is_empty() && (had_text || !filtered) {
        return Ok(Vec::new());
    }
    // Which documents each element matches, and which hold each pasted alert name.
    let mut sets: Vec<HashSet<DocAddress>> = Vec::new();
    for sub in &subs {
        sets.push(searcher.search(&**sub, &DocSetCollector)?);
    }
    let mut alert_sets: Vec<HashSet<DocAddress>> = Vec::new();
    for p in &kept {
        if let Some(term) = &p.alert {
            let q = term_query(f.text[ALERTS], term);
            alert_sets.push(searcher.search(&*q, &DocSetCollector)?);
        }
    }
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    if subs.is_empty() {
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
        ));
    } else {
        let any: Vec<(Occur, Box<dyn TQuery>)> =
            subs.into_iter().map(|s| (Occur::Should, s)).collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    if let Some(k) = q.kind {
        clauses.push(filter(f.kind, k.as_str()));
    }
    if let Some(s) = &q.service {
        clauses.push(filter(f.service, s));
    }
    if let Some(o) = &q.owner {
        clauses.push(filter(f.owner, o));
    }
    if q.stale {
        clauses.push(filter(f.state, ReviewState::Stale.as_str()));
    }
    let query = BooleanQuery::new(clauses);
    let n = searcher.num_docs() as usize;
    if n == 0 {
        return Ok(Vec::new());
    }
    let limit = if q.limit == 0 { DEFAULT_LIMIT } else { q.limit };
    let stats = index::Stats::new(&idx, &searcher, &f);
    let top: Vec<(f32, DocAddress)> = searcher.search_with_statistics_provider(
        &query,
        &TopDocs::with_limit(n).order_by_score(),
        &stats,
    )?;
    let coverage = |addr: &DocAddress| Coverage {
        alerts: alert_sets.iter().filter(|s| s.contains(addr)).count() as u32,
        matched: kept
            .iter()
            .zip(&sets)
            .filter(|(p, s)| p.counts && s.contains(addr))
            .count() as u32,
    };
    let mut ranked: Vec<(Coverage, f32, DocAddress)> = top
        .into_iter()
        .map(|(score, addr)| (coverage(&addr), score, addr))
        .collect();
    let order = |a: &(Coverage, f32), b: &(Coverage, f32)| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1));
    ranked.sort_by(|a, b| order(&(a.0, a.1), &(b.0, b.1)));
    // Everything ranking at least as the limit-th, so that ties are broken by path.
    let cutoff = ranked.get(limit - 1).map(|r| (r.0, r.1));
    let mut candidates: Vec<(Coverage, f32, DocAddress, Stored)> = Vec::new();
    for (cov, score, addr) in ranked {
        if cutoff.is_some_and(|c| order(&(cov, score), &c).is_gt()) {
            break;
        }
        let doc: TantivyDocument = searcher.doc(addr)?;
        let data = doc
            .get_first(f.data)
            .and_then(|v| v.as_str())
            .unwrap_or("{}");
        candidates.push((cov, score, addr, serde_json::from_str(data)?));
    }
    candidates.sort_by(|a, b| order(&(a.0, a.1), &(b.0, b.1)).then_with(|| a.3.rel.cmp(&b.3.rel)));
    candidates.truncate(limit);
    Ok(candidates
        .into_iter()
        .map(|(_, score, addr, s)| {
            let (snippet, highlights) = snippet(&s, &matched);
            Hit {
                state: state_from_str(&s.state),
                rel: s.rel,
                url: s.url,
                title: s.title,
                kind: s.kind,
                score,
                owners: s.owners,
                owner_names: s.owner_names,
                lapsed: s.lapsed,
                unowned: s.unowned,
                snippet,
                highlights,
                missing: missing(&kept, |i| sets[i].contains(&addr)),
            }
        })
        .collect())
}

/// Each term a snippet highlights (every variant ranking used: exact, prefix, typo), with the
/// index of the query element it stands for; a snippet window is as good as the number of
/// distinct elements in it.
pub fn matched_terms<'a>(planned: impl IntoIterator<Item = &'a Planned>) -> HashMap<String, usize> {
    let mut matched = HashMap::new();
    for (element, p) in planned.into_iter().enumerate() {
        for t in p.terms() {
            matched.entry(t.to_string()).or_insert(element);
        }
    }
    matched
}

/// A snippet's text and the byte ranges of its matches (sorted, disjoint).
pub type Snippet = (String, Vec<(usize, usize)>);

/// Snippet width in bytes (about two lines of a terminal).
const SNIPPET: usize = 200;
/// Context kept before the first match of the window.
const LEAD: usize = 40;

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The best window of the body (else of the headings) for the matched terms (term → query
/// element), with the byte ranges of the matches in it: the window where most query elements
/// match, the earliest of those.
pub(crate) fn snippet(s: &Stored, matched: &HashMap<String, usize>) -> Snippet {
    snippet_of(&s.body, &s.headings, matched)
}

/// `snippet` of a body and headings.
pub fn snippet_of(body: &str, headings: &[String], matched: &HashMap<String, usize>) -> Snippet {
    let sources = [collapse(body), headings.join(" · ")];
    for text in &sources {
        let mut hits: Vec<(usize, usize, usize)> = analyze::analyze(text)
            .into_iter()
            .filter_map(|t| Some((t.from, t.to, *matched.get(&t.term)?)))
            .collect();
        if hits.is_empty() {
            continue;
        }
        hits.sort_by_key(|h| h.0);
        // The window where most elements match; the earliest wins. Only the hits starting
        // inside a window can be in it, so each window looks at a few neighbours, not at
        // every hit (a body repeating the query word must not take quadratic time).
        let mut best = (0usize, 0usize);
        for &(from, _, _) in &hits {
            let start = from.saturating_sub(LEAD);
            let first = hits.partition_point(|h| h.0 < start);
            let distinct: HashSet<usize> = hits[first..]
                .iter()
                .take_while(|h| h.0 <= start + SNIPPET)
                .filter(|h| h.1 <= start + SNIPPET)
                .map(|h| h.2)
                .collect();
            if distinct.len() > best.1 {
                best = (start, distinct.len());
            }
        }
        return cut(text, best.0, &hits);
    }
    cut(&sources[0], 0, &[])
}

fn cut(text: &str, start: usize, hits: &[(usize, usize, usize)]) -> Snippet {
    // Close to the beginning: start there.
    let mut start = if start <= LEAD / 2 {
        0
    } else {
        floor_char(text, start.min(text.len()))
    };
    if start > 0 {
        // Start at a word boundary when one is near.
        if let Some(sp) = text[start..].find(' ').filter(|&i| i < LEAD / 2) {
            start += sp + 1;
        }
    }
    let mut end = floor_char(text, (start + SNIPPET).min(text.len()));
    if end < text.len()
        && let Some(sp) = text[start..end].rfind(' ').filter(|&i| i > SNIPPET / 2)
    {
        end = start + sp;
    }
    let lead = if start > 0 { "…" } else { "" };
    let mut out = format!("{lead}{}", &text[start..end]);
    if end < text.len() {
        out.push('…');
    }
    let mut ranges: Vec<(usize, usize)> = hits
        .iter()
        .filter(|h| h.0 >= start && h.1 <= end)
        .map(|h| (h.0 - start + lead.len(), h.1 - start + lead.len()))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.0 <= last.1 => last.1 = last.1.max(r.1),
            _ => merged.push(r),
        }
    }
    (out, merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Terms(Vec<(&'static str, u64)>);

    impl Lexicon for Terms {
        fn postings(&self, term: &str) -> std::io::Result<u64> {
            Ok(self.0.iter().find(|t| t.0 == term).map_or(0, |t| t.1))
        }
        fn with_prefix(&self, prefix: &str) -> std::io::Result<Vec<(String, u64)>> {
            let mut v: Vec<(String, u64)> = self
                .0
                .iter()
                .filter(|t| t.0.starts_with(prefix))
                .map(|t| (t.0.to_string(), t.1))
                .collect();
            v.sort();
            Ok(v)
        }
    }

    /// Words looked up by a parsed query (each word of a phrase counting).
    fn words_of(elements: &[Element]) -> usize {
        elements
            .iter()
            .map(|e| match e {
                Element::Word(_) => 1,
                Element::Phrase(w) => w.len(),
            })
            .sum()
    }

    #[test]
    fn queries_are_bounded_with_a_note() {
        assert_eq!(truncation("disk full on db-1"), None);
        let hostile = [
            "word ".repeat(20_000),
            format!(
                "\"{}\"",
                "a b c d e f g h i j k l m n o p q r s t ".repeat(100)
            ),
            "é".repeat(100_000),
            format!("{}x", "\"".repeat(50_000)),
            (0..5_000).map(|i| format!("w{i} ")).collect::<String>(),
            (0..5_000)
                .map(|i| format!("\"p{i} q{i}\" "))
                .collect::<String>(),
        ];
        let lex = Terms((0..2_000).map(|_| ("w1", 1)).collect());
        for text in &hostile {
            let started = std::time::Instant::now();
            let elements = parse(text);
            assert!(words_of(&elements) <= MAX_QUERY_WORDS, "{}", &text[..20]);
            let (planned, _) = plan(&lex, text).unwrap();
            let variants: usize = planned.iter().map(|p| p.terms().len()).sum();
            assert!(variants <= MAX_QUERY_WORDS * (1 + PREFIX_MAX_TERMS));
            assert!(started.elapsed() < std::time::Duration::from_millis(500));
        }
        // A cut says so; the words kept are the first ones.
        let many = (0..40)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            truncation(&many)
                .unwrap()
                .contains("only its first 16 words")
        );
        assert_eq!(parse(&many)[0], Element::Word("w0".into()));
        assert_eq!(parse(&many).len(), MAX_QUERY_WORDS);
        assert!(truncation(&"x".repeat(MAX_QUERY_BYTES + 1)).is_some());
        // Cutting never splits a character.
        assert!(cut_text(&"é".repeat(MAX_QUERY_BYTES)).len() <= MAX_QUERY_BYTES);
    }

    #[test]
    fn snippets_of_bodies_repeating_the_query_take_linear_time() {
        // 300,000 hits: comparing every hit with every other would take hours.
        let body = "lag ".repeat(300_000);
        let matched = HashMap::from([("lag".to_string(), 0)]);
        let start = std::time::Instant::now();
        let (snippet, ranges) = snippet_of(&body, &[], &matched);
        // Linear takes well under a second in release; the bound only catches quadratic (hours),
        // with room for a debug build on a loaded machine.
        assert!(start.elapsed() < std::time::Duration::from_secs(120));
        assert!(snippet.starts_with("lag lag") && snippet.ends_with('…'));
        assert_eq!(ranges[0], (0, 3));
    }

    #[test]
    fn parse_words_and_phrases() {
        assert_eq!(
            parse(r#"KubePod "x509: certificate has" lag lag "unclosed"#),
            [
                Element::Word("kubepod".into()),
                Element::Phrase(vec![
                    ("x509".into(), 0),
                    ("certificate".into(), 1),
                    ("has".into(), 2)
                ]),
                Element::Word("lag".into()),
                Element::Phrase(vec![("unclosed".into(), 0)]),
            ]
        );
        assert!(parse(" \"\" ::").is_empty());
    }

    #[test]
    fn edit_distances() {
        let d = |a: &str, b: &str, m| {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            edit_distance(&a, &b, m)
        };
        assert_eq!(d("databse", "database", 2), 1);
        assert_eq!(d("replciation", "replication", 2), 1);
        assert_eq!(d("kitten", "sitting", 5), 3);
        assert_eq!(d("kitten", "sitting", 1), 2);
        assert_eq!(d("abc", "abc", 0), 0);
        assert_eq!(typo_budget(3), 0);
        assert_eq!(typo_budget(4), 1);
        assert_eq!(typo_budget(7), 1);
        assert_eq!(typo_budget(11), 2);
    }

    #[test]
    fn exact_beats_prefix_beats_typo() {
        let lex = Terms(vec![
            ("database", 5),
            ("databases", 2),
            ("datebase", 1),
            ("patabase", 9),
            ("data", 30),
        ]);
        let terms = |w: &str| -> Vec<(String, f32)> {
            variants(&lex, w, EXACT)
                .unwrap()
                .into_iter()
                .map(|v| (v.term, v.factor))
                .collect()
        };
        // Typos are a fallback: `datebase` is one edit from `database`, which matches.
        assert_eq!(
            terms("database"),
            [("database".into(), EXACT), ("databases".into(), PREFIX)]
        );
        assert_eq!(
            terms("datab"),
            [("database".into(), PREFIX), ("databases".into(), PREFIX)]
        );
        // `patabase` is one edit away too but starts with another letter.
        assert_eq!(
            terms("datbase"),
            [("database".into(), TYPO), ("datebase".into(), TYPO)]
        );
        assert_eq!(terms("databse"), [("database".into(), TYPO)]);
        assert!(terms("zzz").is_empty());
        // Two characters: exact only; from three, prefixes (most postings first).
        assert!(terms("da").is_empty());
        assert_eq!(
            terms("dat"),
            [
                ("data".into(), PREFIX),
                ("database".into(), PREFIX),
                ("databases".into(), PREFIX),
                ("datebase".into(), PREFIX)
            ]
        );
    }

    #[test]
    fn prefix_expansion_keeps_the_most_frequent_terms() {
        let many: Vec<(&'static str, u64)> = (0..60)
            .map(|i| (&*Box::leak(format!("pre{i:02}").into_boxed_str()), i as u64))
            .collect();
        let v = variants(&Terms(many), "pre", EXACT).unwrap();
        assert_eq!(v.len(), PREFIX_MAX_TERMS);
        assert_eq!(v[0].term, "pre59");
        assert_eq!(v.last().unwrap().term, "pre10");
    }

    #[test]
    fn single_word_queries_weigh_exact_matches_triple() {
        let lex = Terms(vec![("kubepodcrashlooping", 3), ("lag", 3)]);
        let (p, _) = plan(&lex, "KubePodCrashLooping").unwrap();
        assert_eq!(
            p,
            [Planned {
                matcher: Matcher::Word(vec![Variant {
                    term: "kubepodcrashlooping".into(),
                    factor: EXACT_SINGLE
                }]),
                text: "KubePodCrashLooping".into(),
                counts: true,
                alert: None,
            }]
        );
        let (p, had) = plan(&lex, "KubePodCrashLooping nothinghere lag").unwrap();
        assert!(had);
        assert_eq!(p.len(), 2);
        assert!(matches!(&p[0].matcher, Matcher::Word(v) if v[0].factor == EXACT));
    }

    /// An index of alert names: every term is in the alerts field.
    struct Alerts(Terms);

    impl Lexicon for Alerts {
        fn postings(&self, term: &str) -> std::io::Result<u64> {
            self.0.postings(term)
        }
        fn with_prefix(&self, prefix: &str) -> std::io::Result<Vec<(String, u64)>> {
            self.0.with_prefix(prefix)
        }
        fn is_alert(&self, term: &str) -> std::io::Result<bool> {
            Ok(self.0.postings(term)? > 0)
        }
    }

    #[test]
    fn pasted_alerts_plan_their_names_labels_and_pods() {
        let lex = Alerts(Terms(vec![
            ("kubepodcrashlooping", 1),
            ("payments", 4),
            ("checkout", 2),
            ("is", 9),
            ("critical", 3),
        ]));
        let (p, _) = plan(
            &lex,
            r#"[FIRING:1] KubePodCrashLooping (payments checkout-7f9c-abc12 severity="critical") is"#,
        )
        .unwrap();
        let texts: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["KubePodCrashLooping", "payments", "checkout", "is"]);
        // Only an identifier as written is a pasted alert name; a stop word does not count.
        assert_eq!(p[0].alert.as_deref(), Some("kubepodcrashlooping"));
        assert_eq!(p[1].alert, None);
        assert!(p[2].counts && !p[3].counts);
        // Alone, an alert name is a plain query; a query of stop words counts them.
        assert_eq!(plan(&lex, "KubePodCrashLooping").unwrap().0[0].alert, None);
        assert!(plan(&lex, "is").unwrap().0[0].counts);
        // A pod name the index holds whole is not cut.
        let whole = Terms(vec![("checkout-7f9c-abc12", 1), ("checkout", 5)]);
        let (p, _) = plan(&whole, "checkout-7f9c-abc12").unwrap();
        assert_eq!(p[0].text, "checkout-7f9c-abc12");
    }

    #[test]
    fn four_letter_words_forgive_one_typo() {
        let lex = Terms(vec![("error", 3), ("disk", 2)]);
        let (p, _) = plan(&lex, "eror").unwrap();
        assert_eq!(p[0].terms(), ["error"]);
        let (p, _) = plan(&lex, "dsk").unwrap();
        assert!(p.is_empty(), "three letters: no typo");
    }

    #[test]
    fn snippets_highlight_matches_in_a_window() {
        let body = format!(
            "{} The pod keeps restarting: KubePodCrashLooping fires. {}",
            "intro ".repeat(60),
            "tail ".repeat(60)
        );
        let s = Stored {
            rel: "a.md".into(),
            url: "a/".into(),
            title: "A".into(),
            kind: Kind::Runbook,
            state: "fresh".into(),
            lapsed: false,
            unowned: false,
            owners: vec![],
            owner_names: vec![],
            headings: vec!["Diagnosis".into()],
            body,
        };
        let matched: HashMap<String, usize> = [("podcrashlooping".to_string(), 0)].into();
        let (text, hl) = snippet(&s, &matched);
        assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
        assert!(text.len() <= SNIPPET + 8);
        assert_eq!(hl.len(), 1);
        assert_eq!(&text[hl[0].0..hl[0].1], "PodCrashLooping");
        // No match in the body: the headings.
        let matched: HashMap<String, usize> = [("diagnosis".to_string(), 0)].into();
        let (text, hl) = snippet(&s, &matched);
        assert_eq!(&text[hl[0].0..hl[0].1], "Diagnosis");
    }
}
