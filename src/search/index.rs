//! The tantivy index in `<site>/.fieldbook/search/`: created on first use, then updated in
//! place. Each document's content hash is kept in `fieldbook-manifest.json` beside the index;
//! an update re-indexes only documents whose hash changed and deletes removed ones. The commit
//! payload names the schema version and the manifest's digest, so an index that does not match
//! its manifest (an interrupted update) or an older schema is rebuilt from scratch.
//!
//! BM25 statistics: an update adds a segment and marks replaced documents deleted; tantivy's
//! document frequencies count deleted documents until segments are merged, so every count a
//! search reads goes through `live_doc_freq`, which counts live documents only (merging a
//! 10,000-document index after each edit cost half a second). Segments are merged only when
//! there are many of them or many deleted documents. Since tantivy estimates a merged
//! segment's token count from its (rounded) field norms, the exact per-field token totals are
//! kept in the commit payload and searches use them (`Stats`). Scores after incremental
//! updates therefore equal those of a fresh build, and those of the client index.

use super::analyze::FieldbookTokenizer;
use super::doc::{FIELDS, SearchDoc};
use crate::content::front_matter::Kind;
use crate::model::ReviewState;
use anyhow::Context;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use tantivy::indexer::NoMergePolicy;
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

/// Bump when the schema, the analysis or the stored data change: indexes of another version
/// are rebuilt.
pub const SCHEMA_VERSION: u32 = 1;
pub const TOKENIZER: &str = "fieldbook";
const MANIFEST: &str = "fieldbook-manifest.json";

/// What [`update_index`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    /// Documents in the index now.
    pub documents: usize,
    /// Documents added or re-indexed.
    pub indexed: usize,
    /// Documents deleted (removed from the site, or drafts when drafts are left out).
    pub removed: usize,
    pub unchanged: usize,
    /// The index was created from scratch (none yet, another schema version, or damaged).
    pub rebuilt: bool,
}

/// The schema's fields.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub rel: Field,
    pub data: Field,
    pub text: [Field; 5],
    pub kind: Field,
    pub service: Field,
    pub owner: Field,
    pub state: Field,
}

pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let rel = b.add_text_field("rel", STRING | STORED);
    let data = b.add_text_field("data", STORED);
    let text_opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let text = FIELDS.map(|name| b.add_text_field(name, text_opts.clone()));
    let kind = b.add_text_field("kind", STRING);
    let service = b.add_text_field("service", STRING);
    let owner = b.add_text_field("owner", STRING);
    let state = b.add_text_field("state", STRING);
    let fields = Fields {
        rel,
        data,
        text,
        kind,
        service,
        owner,
        state,
    };
    (b.build(), fields)
}

/// What a hit needs, stored with each document.
#[derive(Serialize, Deserialize)]
pub(crate) struct Stored {
    pub rel: String,
    pub url: String,
    pub title: String,
    pub kind: Kind,
    pub state: String,
    pub lapsed: bool,
    #[serde(default)]
    pub unowned: bool,
    pub owners: Vec<String>,
    pub owner_names: Vec<String>,
    pub headings: Vec<String>,
    pub body: String,
}

pub(crate) fn state_from_str(s: &str) -> ReviewState {
    match s {
        "stale" => ReviewState::Stale,
        "never-reviewed" => ReviewState::NeverReviewed,
        "due-soon" => ReviewState::DueSoon,
        "fresh" => ReviewState::Fresh,
        _ => ReviewState::Untracked,
    }
}

#[derive(Serialize, Deserialize, Default)]
struct Manifest {
    version: u32,
    docs: BTreeMap<String, Entry>,
}

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Entry {
    /// Content hash.
    h: String,
    /// Tokens per field.
    len: [u32; 5],
}

impl Manifest {
    fn totals(&self) -> [u64; 5] {
        let mut t = [0u64; 5];
        for e in self.docs.values() {
            for (t, l) in t.iter_mut().zip(e.len) {
                *t += u64::from(l);
            }
        }
        t
    }

    /// `fieldbook-search v1 DIGEST DOCS T0 T1 T2 T3 T4`: the manifest's digest, and the BM25
    /// statistics that tantivy cannot keep exact across merges.
    fn payload(&self) -> String {
        let json = serde_json::to_vec(&self.docs).unwrap_or_default();
        let t = self.totals();
        format!(
            "fieldbook-search v{} {:016x} {} {} {} {} {} {}",
            self.version,
            content_hash(&json),
            self.docs.len(),
            t[0],
            t[1],
            t[2],
            t[3],
            t[4]
        )
    }
}

/// Exact BM25 statistics: token totals from the commit payload, document frequencies of live
/// documents ([`live_doc_freq`]).
pub(crate) struct Stats<'a> {
    pub searcher: &'a tantivy::Searcher,
    pub fields: [Field; 5],
    pub totals: Option<[u64; 5]>,
}

impl<'a> Stats<'a> {
    pub fn new(index: &Index, searcher: &'a tantivy::Searcher, fields: &Fields) -> Stats<'a> {
        let totals = index.load_metas().ok().and_then(|m| {
            let p = m.payload?;
            let nums: Vec<u64> = p
                .split(' ')
                .skip(3)
                .filter_map(|n| n.parse().ok())
                .collect();
            <[u64; 5]>::try_from(nums.get(1..6)?).ok()
        });
        Stats {
            searcher,
            fields: fields.text,
            totals,
        }
    }
}

impl tantivy::query::Bm25StatisticsProvider for Stats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match (self.totals, self.fields.iter().position(|f| *f == field)) {
            (Some(t), Some(i)) => Ok(t[i]),
            _ => tantivy::query::Bm25StatisticsProvider::total_num_tokens(self.searcher, field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.searcher.num_docs())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        live_doc_freq(self.searcher, term)
    }
}

/// How many live documents hold `term`. tantivy's own count includes documents deleted by an
/// update but not merged away yet, which a fresh index would not hold; a segment with
/// deletions has the term's postings scanned instead.
pub(crate) fn live_doc_freq(searcher: &tantivy::Searcher, term: &Term) -> tantivy::Result<u64> {
    let mut n = 0u64;
    for seg in searcher.segment_readers() {
        let inv = seg.inverted_index(term.field())?;
        if let Some(info) = inv.get_term_info(term)? {
            n += u64::from(live_in(seg, &inv, &info)?);
        }
    }
    Ok(n)
}

/// How many of the documents of a term's postings (`info`) in segment `seg` are alive:
/// tantivy's count when the segment has no deletions, the postings scanned when it has.
pub(crate) fn live_in(
    seg: &tantivy::SegmentReader,
    inv: &tantivy::InvertedIndexReader,
    info: &tantivy::postings::TermInfo,
) -> tantivy::Result<u32> {
    match seg.alive_bitset() {
        None => Ok(info.doc_freq),
        Some(alive) => {
            let postings = inv.read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
            Ok(postings.doc_freq_given_deletes(alive))
        }
    }
}

/// Past this many segments, or this share of deleted documents, an update merges the index
/// into one segment.
const MAX_SEGMENTS: usize = 8;
const MAX_DELETED_PERCENT: u64 = 10;

/// The content hash of what Fieldbook keeps for itself (the build cache's digests, the search
/// caches' keys and checksums): XXH3, 64 bits, a published algorithm (the same on every
/// machine and release) that hashes at memory speed; FNV-1a, one byte at a time, was 2–3% of
/// the CPU of a cached 10k build (perf), over the content read twice and the search text.
pub fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// FNV-1a, 64 bits: a hash that stays the same across Rust releases, for what other programs
/// read (a part's roster hash, search export ids), which must not change.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The content hash of a document: everything it is indexed and shown with.
pub fn doc_hash(doc: &SearchDoc) -> String {
    let json = serde_json::to_vec(doc).unwrap_or_default();
    format!("{:016x}{:08x}", content_hash(&json), json.len() as u32)
}

/// Tokens per field, as tantivy counts them for field norms.
pub fn field_lengths(d: &SearchDoc) -> [u32; 5] {
    d.field_values().map(|v| super::analyze::field_tokens(&v).1)
}

pub(crate) fn register(index: &Index) {
    index.tokenizers().register(TOKENIZER, FieldbookTokenizer);
}

/// Open the index of a site for searching (with the tokenizer registered).
pub(crate) fn open(site_root: &Path) -> anyhow::Result<(Index, Fields)> {
    let dir = crate::write::existing_own_dir(site_root, &super::doc::INDEX_DIR)?
        .unwrap_or_else(|| super::doc::index_dir(site_root));
    let index = Index::open_in_dir(&dir)
        .with_context(|| format!("no search index in {}", dir.display()))?;
    register(&index);
    let (_, fields) = schema();
    Ok((index, fields))
}

fn read_manifest(dir: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_manifest(dir: &Path, m: &Manifest) -> std::io::Result<()> {
    let tmp = dir.join(format!("{MANIFEST}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec(m)?)?;
    std::fs::rename(tmp, dir.join(MANIFEST))
}

/// The existing index and its manifest, when both are there and agree.
fn open_existing(dir: &Path) -> Option<(Index, Manifest)> {
    let manifest = read_manifest(dir)?;
    if manifest.version != SCHEMA_VERSION {
        return None;
    }
    let index = Index::open_in_dir(dir).ok()?;
    let metas = index.load_metas().ok()?;
    if metas.payload.as_deref() != Some(manifest.payload().as_str()) {
        return None;
    }
    if index.schema() != schema().0 {
        return None;
    }
    Some((index, manifest))
}

/// Whether the index of `site_root` holds exactly `docs` (no update needed).
pub fn is_current(site_root: &Path, docs: &[SearchDoc]) -> bool {
    let Ok(Some(dir)) = crate::write::existing_own_dir(site_root, &super::doc::INDEX_DIR) else {
        return false;
    };
    let Some(m) = read_manifest(&dir) else {
        return false;
    };
    m.version == SCHEMA_VERSION
        && m.docs.len() == docs.len()
        && docs
            .par_iter()
            .all(|d| m.docs.get(&d.rel).is_some_and(|e| e.h == doc_hash(d)))
        && open_existing(&dir).is_some()
}

fn tantivy_doc(f: &Fields, d: &SearchDoc) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.rel, &d.rel);
    for (field, values) in f.text.iter().zip(d.field_values()) {
        for v in values {
            doc.add_text(*field, v);
        }
    }
    doc.add_text(f.kind, d.kind.as_str());
    for s in &d.services {
        doc.add_text(f.service, s);
    }
    for o in d.owners.iter().chain(&d.members) {
        doc.add_text(f.owner, o);
    }
    doc.add_text(f.state, d.state.as_str());
    let stored = Stored {
        rel: d.rel.clone(),
        url: d.url.clone(),
        title: d.title.clone(),
        kind: d.kind,
        state: d.state.as_str().to_string(),
        lapsed: d.lapsed,
        unowned: d.unowned,
        owners: d.owners.clone(),
        owner_names: d.owner_names.clone(),
        headings: d.headings.clone(),
        body: d.body.clone(),
    };
    doc.add_text(
        f.data,
        serde_json::to_string(&stored).unwrap_or_else(|_| "{}".into()),
    );
    doc
}

fn writer(index: &Index) -> anyhow::Result<IndexWriter> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let w: IndexWriter = index
        .writer_with_num_threads(threads, threads * 48_000_000)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => anyhow::anyhow!(
                "another fieldbook process is updating the search index; try again when it is done"
            ),
            e => anyhow::Error::new(e),
        })?;
    w.set_merge_policy(Box::new(NoMergePolicy));
    Ok(w)
}

/// tantivy writes `meta.json` through a temporary `.tmpXXXXXX` file beside it, always while
/// holding the writer lock; a process killed meanwhile leaves the file behind, and tantivy's
/// garbage collection does not know it. So the files found while holding the lock are stale.
fn has_temp_files(dir: &Path) -> bool {
    temp_files(dir).next().is_some()
}

fn temp_files(dir: &Path) -> impl Iterator<Item = std::path::PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .map(|e| e.path())
}

/// Whether segment files (`<uuid without dashes>.<ext>`) lie in `dir` that no searchable
/// segment owns: what a writer killed before its commit leaves, which tantivy's garbage
/// collection removes once a writer runs again (a build with nothing to index runs none).
fn has_orphan_segments(dir: &Path, index: &Index) -> bool {
    let Ok(ids) = index.searchable_segment_ids() else {
        return false;
    };
    let owned: std::collections::HashSet<String> = ids.iter().map(|id| id.uuid_string()).collect();
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.split('.').next().unwrap_or("");
            stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()) && !owned.contains(stem)
        })
}

fn remove_temp_files(dir: &Path) {
    for p in temp_files(dir) {
        let _ = std::fs::remove_file(p);
    }
}

/// Update the tantivy index in `<site root>/.fieldbook/search/` to hold exactly `docs`:
/// create it or reuse it, re-index only documents whose content hash changed, delete removed
/// ones; rebuild when the schema version changed or the index does not match its manifest.
pub fn update_index(site_root: &Path, docs: &[SearchDoc]) -> anyhow::Result<IndexStats> {
    // Never through a link: the folder is emptied and rewritten below.
    let dir = crate::write::own_dir(site_root, &super::doc::INDEX_DIR)?;
    let hashes: Vec<String> = docs.par_iter().map(doc_hash).collect();
    crate::diagnostic::trace::step("search: tantivy: hashes");
    let (index, old, rebuilt) = match open_existing(&dir) {
        Some((index, m)) => (index, m.docs, false),
        None => {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot clear {}", dir.display()))?;
            std::fs::create_dir(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let index = Index::create_in_dir(&dir, schema().0)
                .with_context(|| format!("cannot create a search index in {}", dir.display()))?;
            (index, BTreeMap::new(), true)
        }
    };
    register(&index);
    crate::diagnostic::trace::step("search: tantivy: opened");
    let (_, f) = schema();
    let mut new_docs: BTreeMap<String, Entry> = BTreeMap::new();
    let mut add: Vec<(&SearchDoc, &String)> = Vec::new();
    for (d, h) in docs.iter().zip(&hashes) {
        match old.get(&d.rel) {
            Some(e) if e.h == *h => {
                new_docs.insert(d.rel.clone(), e.clone());
            }
            _ => add.push((d, h)),
        }
    }
    let lens: Vec<[u32; 5]> = add.par_iter().map(|(d, _)| field_lengths(d)).collect();
    for ((d, h), len) in add.iter().zip(lens) {
        let h = (*h).clone();
        new_docs.insert(d.rel.clone(), Entry { h, len });
    }
    let deleted: Vec<&String> = old
        .iter()
        .filter(|(rel, e)| new_docs.get(*rel).is_none_or(|n| n.h != e.h))
        .map(|(rel, _)| rel)
        .collect();
    let removed = old.keys().filter(|r| !new_docs.contains_key(*r)).count();
    let stats = IndexStats {
        documents: new_docs.len(),
        indexed: add.len(),
        removed,
        unchanged: new_docs.len() - add.len(),
        rebuilt,
    };
    if add.is_empty() && deleted.is_empty() && !rebuilt {
        if has_temp_files(&dir) || has_orphan_segments(&dir, &index) {
            // Only taken to clean up after a killed writer; someone else holding it is fine.
            if let Ok(w) = writer(&index) {
                remove_temp_files(&dir);
                let _ = w.garbage_collect_files().wait();
                drop(w);
            }
        }
        return Ok(stats);
    }
    let mut w = writer(&index)?;
    remove_temp_files(&dir);
    for rel in &deleted {
        w.delete_term(Term::from_field_text(f.rel, rel));
    }
    let built: Vec<TantivyDocument> = add.par_iter().map(|(d, _)| tantivy_doc(&f, d)).collect();
    for doc in built {
        w.add_document(doc)?;
    }
    let manifest = Manifest {
        version: SCHEMA_VERSION,
        docs: new_docs,
    };
    let mut commit = w.prepare_commit()?;
    commit.set_payload(&manifest.payload());
    commit.commit()?;
    crate::diagnostic::trace::step("search: tantivy: committed");
    let metas = index.searchable_segment_metas()?;
    let docs_deleted: u64 = metas.iter().map(|m| u64::from(m.num_deleted_docs())).sum();
    let docs_held: u64 = metas.iter().map(|m| u64::from(m.max_doc())).sum();
    if metas.len() > MAX_SEGMENTS || docs_deleted * 100 > docs_held * MAX_DELETED_PERCENT {
        let ids: Vec<_> = metas.iter().map(|m| m.id()).collect();
        w.merge(&ids).wait()?;
    }
    // Files of segments no commit refers to (a writer killed mid-update) go now: a merge
    // would remove them, but most updates no longer merge.
    w.garbage_collect_files().wait()?;
    w.wait_merging_threads()?;
    crate::diagnostic::trace::step("search: tantivy: merged");
    write_manifest(&dir, &manifest)
        .with_context(|| format!("cannot write {}", dir.join(MANIFEST).display()))?;
    Ok(stats)
}
