//! The handbook's one search index (docs/many-repos.md, "Search across the handbook"): the
//! parts' client indexes (`NAME/search/`, docs/search.md) read back and written again as one, at
//! the handbook's root, by the writer a build uses (`search::client::index_files`). Document
//! counts, document frequencies and average field lengths are so the handbook's, not each
//! part's, and a document of one part ranks against the others' as in one build of the same
//! text; each posting keeps its document's field norm, so nothing needs re-analysing.
//!
//! Part pages are not re-rendered: each merged part's own `search/index.json` gains
//! `"handbook": "../"`, which `static/search.js` follows to the handbook's index (a part served
//! alone has no such key and searches itself; an older script ignores it and still can).
//!
//! A part's index comes from elsewhere: every file is read bounded, inside the part's pages
//! folder (a link leading out of it is refused), and checked against `index.json` before it is
//! used; a part whose index fails is left out of the search with a finding, and composes.

use super::Part;
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::search::FIELDS;
use crate::search::client::{self, Corpus, DocMeta, IndexedDoc};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The most one file of a part's index may hold (a text chunk of a large part is a few MiB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The most a part's whole index may hold.
pub const MAX_PART_BYTES: u64 = 1024 * 1024 * 1024;
/// The most documents a part's index may claim (so its chunk counts stay bounded).
pub const MAX_DOCS: usize = 1_000_000;

const HINT: &str = "rebuild the part with `fieldbook build --part NAME` and compose again; until then its documents are not in the handbook's search";

/// What [`merge`] gives: the handbook's index files (paths relative to the handbook's root),
/// each merged part's own `index.json` pointing at them, and why a part was left out.
pub struct Merged {
    pub files: Vec<(String, Vec<u8>)>,
    pub pointers: Vec<(String, Vec<u8>)>,
    pub findings: Vec<Diagnostic>,
}

/// Merge the client indexes of `parts`.
pub fn merge(parts: &[Part]) -> std::io::Result<Merged> {
    let mut read = Vec::new();
    let mut findings = Vec::new();
    let mut pointers = Vec::new();
    for p in parts {
        match PartIndex::read(p) {
            Ok(ix) => {
                pointers.push((
                    p.manifest.search.clone(),
                    pointer(&ix.head, &p.manifest.prefix),
                ));
                read.push((p.name(), ix));
            }
            Err(d) => findings.push(d),
        }
    }
    // Doc ids in content-path order, as in one build; a path in two parts by part name.
    let mut order: Vec<(&str, &str, usize, usize)> = read
        .iter()
        .enumerate()
        .flat_map(|(i, (name, ix))| {
            ix.docs
                .iter()
                .enumerate()
                .map(move |(d, doc)| (doc.meta.p.as_str(), *name, i, d))
        })
        .collect();
    order.sort_unstable();
    let order: Vec<(usize, usize)> = order.into_iter().map(|(_, _, i, d)| (i, d)).collect();
    let mut totals = [0u64; 5];
    let (mut alerts, mut services) = (BTreeSet::new(), BTreeSet::new());
    for (_, ix) in &read {
        for (t, x) in totals.iter_mut().zip(ix.totals) {
            *t += x;
        }
        alerts.extend(ix.alerts.iter().cloned());
        services.extend(ix.services.iter().cloned());
    }
    let mut slots: Vec<Vec<Option<IndexedDoc>>> = read
        .into_iter()
        .map(|(_, ix)| ix.docs.into_iter().map(Some).collect())
        .collect();
    let docs = order
        .into_iter()
        .filter_map(|(i, d)| slots[i][d].take())
        .collect();
    let corpus = Corpus {
        docs,
        totals,
        alerts: alerts.into_iter().collect(),
        services: services.into_iter().collect(),
    };
    Ok(Merged {
        files: client::index_files(&corpus)?,
        pointers,
        findings,
    })
}

/// The part's `index.json` as it wrote it, with `"handbook"`: the way from the part's root
/// (where its pages' script looks) up to the handbook's. Inserted before the closing brace so
/// that every other byte stays the part's.
fn pointer(head: &[u8], prefix: &str) -> Vec<u8> {
    let up = "../".repeat(prefix.trim_end_matches('/').split('/').count());
    let text = String::from_utf8_lossy(head);
    let text = text.trim_end();
    let body = text.strip_suffix('}').unwrap_or(text);
    format!("{body},\"handbook\":\"{up}\"}}").into_bytes()
}

#[derive(Deserialize)]
struct Head {
    version: u32,
    docs: usize,
    avg_len: BTreeMap<String, f32>,
    shards: Vec<String>,
    doc_chunk: usize,
    text_chunk: usize,
}

#[derive(Deserialize)]
struct Names {
    alerts: Vec<(String, String)>,
    services: Vec<(String, String)>,
}

/// One part's client index, read back and checked.
struct PartIndex {
    /// `index.json`'s bytes.
    head: Vec<u8>,
    docs: Vec<IndexedDoc<'static>>,
    totals: [u64; 5],
    alerts: Vec<String>,
    services: Vec<String>,
}

/// Reads a part's index files: bounded, inside its pages folder, the whole index bounded too.
struct Reader<'a> {
    pages: PathBuf,
    dir: PathBuf,
    part: &'a Part,
    bytes: u64,
}

impl Reader<'_> {
    fn finding(&self, file: &Path, code: Code, why: String) -> Diagnostic {
        Diagnostic::new(
            code,
            file.display().to_string(),
            Pos::START,
            format!(
                "part `{}`: its search index {why}; the part is left out of the handbook's search",
                self.part.name()
            ),
        )
        .with_hint(HINT)
    }

    fn read<T: serde::de::DeserializeOwned>(
        &mut self,
        rel: &str,
    ) -> Result<(T, Vec<u8>), Diagnostic> {
        use crate::config::Unread;
        let file = self.dir.join(rel);
        let left = (MAX_PART_BYTES - self.bytes).min(MAX_FILE_BYTES);
        let bytes = match crate::config::read_inside(&self.pages, &file, left) {
            Ok(b) => b,
            Err(Unread::Outside(_)) => {
                return Err(self.finding(
                    &file,
                    Code::SymlinkOutside,
                    "is a symbolic link that leads outside the part; it was not read".into(),
                ));
            }
            Err(Unread::TooLarge(n)) => {
                return Err(self.finding(
                    &file,
                    Code::FileTooLarge,
                    format!("is too large ({n} bytes; a file may have {MAX_FILE_BYTES}, a part's whole index {MAX_PART_BYTES})"),
                ));
            }
            Err(e) => {
                return Err(self.finding(
                    &file,
                    Code::InvalidMetadata,
                    format!("cannot be read: {}", e.into_io()),
                ));
            }
        };
        self.bytes += bytes.len() as u64;
        match serde_json::from_slice(&bytes) {
            Ok(v) => Ok((v, bytes)),
            Err(e) => Err(self.finding(
                &file,
                Code::InvalidMetadata,
                format!("is not what `build --part` writes (truncated or malformed: {e})"),
            )),
        }
    }

    fn invalid(&self, rel: &str, why: String) -> Diagnostic {
        self.finding(&self.dir.join(rel), Code::InvalidMetadata, why)
    }
}

impl PartIndex {
    fn read(part: &Part) -> Result<PartIndex, Diagnostic> {
        let m = &part.manifest;
        let pages = part.dir.join(part.name());
        let mut r = Reader {
            dir: pages.join("search"),
            pages,
            part,
            bytes: 0,
        };
        if m.search != format!("{}search/index.json", m.prefix) {
            return Err(r.invalid(
                "index.json",
                format!(
                    "is not at {}search/index.json (part.json says `{}`)",
                    m.prefix, m.search
                ),
            ));
        }
        let (head, head_bytes): (Head, _) = r.read("index.json")?;
        let n = head.docs;
        if head.version != client::VERSION
            || n > MAX_DOCS
            || head.doc_chunk != client::doc_chunk(n)
            || head.text_chunk != client::text_chunk(n)
            || head.shards.is_empty()
            || head.shards.len() > client::MAX_SHARDS
        {
            return Err(r.invalid(
                "index.json",
                format!(
                    "is not one of version {} of at most {MAX_DOCS} documents and {} shards",
                    client::VERSION,
                    client::MAX_SHARDS
                ),
            ));
        }
        // Grown as files are read: `docs` is only a claim until they agree with it.
        let mut metas: Vec<DocMeta> = Vec::new();
        for j in 0..n.div_ceil(head.doc_chunk) {
            let (chunk, _): (Vec<DocMeta>, _) = r.read(&format!("d/{j}.json"))?;
            metas.extend(chunk);
        }
        let mut texts: Vec<String> = Vec::new();
        for k in 0..n.div_ceil(head.text_chunk) {
            let (chunk, _): (Vec<String>, _) = r.read(&format!("x/{k}.json"))?;
            texts.extend(chunk);
        }
        if metas.len() != n || texts.len() != n {
            return Err(r.invalid(
                "index.json",
                format!(
                    "names {n} documents, its d/ files hold {} and its x/ files {}",
                    metas.len(),
                    texts.len()
                ),
            ));
        }
        let mut docs: Vec<IndexedDoc> = Vec::with_capacity(n);
        for (mut meta, text) in metas.into_iter().zip(texts) {
            // URLs in the handbook's index are the handbook's: under the part's prefix.
            let url = format!("{}{}", m.prefix, meta.u);
            if !crate::parts::is_inside(&url, &m.prefix) {
                return Err(r.invalid(
                    "d/",
                    format!("gives `{}` a URL outside the part: `{}`", meta.p, meta.u),
                ));
            }
            meta.u = url;
            docs.push(IndexedDoc {
                meta,
                text,
                postings: Vec::new().into(),
                norms: [0; 5],
            });
        }
        for i in 0..head.shards.len() {
            let rel = format!("t/{i}.json");
            let (shard, _): (BTreeMap<String, Vec<u32>>, _) = r.read(&rel)?;
            for (term, flat) in shard {
                let postings = client::decode_postings(&flat)
                    .filter(|ps| ps.iter().all(|p| (p.0 as usize) < n))
                    .ok_or_else(|| {
                        r.invalid(&rel, format!("has malformed postings for `{term}`"))
                    })?;
                for (d, f, norm, pos) in postings {
                    let doc = &mut docs[d as usize];
                    doc.norms[usize::from(f)] = norm;
                    doc.postings.to_mut().push((term.clone(), f, pos));
                }
            }
        }
        // `avg_len` is each field's token count over the part's documents, divided as an f32;
        // times the count it gives the count back exactly (below 2^23 tokens a field).
        let mut totals = [0u64; 5];
        for (t, f) in totals.iter_mut().zip(FIELDS) {
            let avg = head.avg_len.get(f).copied().unwrap_or(0.0);
            let total = (f64::from(avg) * n as f64).round();
            if !(0.0..=1e15).contains(&total) {
                return Err(r.invalid(
                    "index.json",
                    format!("has an impossible `avg_len` for `{f}`"),
                ));
            }
            *t = total as u64;
        }
        let (names, _): (Names, _) = r.read("names.json")?;
        Ok(PartIndex {
            head: head_bytes,
            docs,
            totals,
            alerts: names.alerts.into_iter().map(|(a, _)| a).collect(),
            services: names.services.into_iter().map(|(s, _)| s).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_postings_are_refused_not_read_past() {
        assert_eq!(
            client::decode_postings(&[0, 0, 3, 1, 2]),
            Some(vec![(0, 0, 3, vec![2])])
        );
        let bad: [&[u32]; 4] = [
            &[0, 0, 3],                             // cut inside a posting's head
            &[0, 5, 1, 1, 0],                       // no field 5
            &[0, 0, 1, 3, 1],                       // fewer positions than its tf
            &[u32::MAX, 0, 1, 1, 0, 1, 0, 1, 1, 0], // a doc id past u32
        ];
        for flat in bad {
            assert_eq!(client::decode_postings(flat), None, "{flat:?}");
        }
    }

    #[test]
    fn a_pointer_keeps_the_parts_bytes_and_climbs_its_prefix() {
        assert_eq!(
            pointer(b"{\"version\":1,\"docs\":2}\n", "payments/"),
            b"{\"version\":1,\"docs\":2,\"handbook\":\"../\"}".to_vec()
        );
        assert_eq!(
            pointer(b"{\"docs\":0}", "a/b/"),
            b"{\"docs\":0,\"handbook\":\"../../\"}".to_vec()
        );
    }
}
