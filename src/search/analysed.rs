//! Documents analysed for the client index ([`super::client`]), and the cache of those
//! analyses a cached build keeps (`search-terms.bin` in the build cache's directory): the
//! tokenizer is most of what writing the client index costs, and an edit changes one
//! document's terms, not the other ten thousand's.
//!
//! An analysis is keyed by a hash of exactly what is analysed (every field's values, in
//! order), so a document whose fields are unchanged is never analysed again, whatever else
//! about it changed (its review state, its URL). The file is binary (the analyses of 10,000
//! documents are a million postings), a log a build appends its new analyses to, read with a
//! size limit, and ignored whole when it is damaged (a torn record, a checksum that does not
//! match) or written by another Fieldbook: the index it feeds is then built from scratch,
//! byte for byte the same.

use super::analyze::field_tokens;
use super::doc::SearchDoc;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One document's terms: per field, each term with its sorted positions; and the field
/// lengths in tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Analysed {
    pub postings: Vec<(String, u8, Vec<u32>)>,
    pub lens: [u32; 5],
}

pub(crate) fn analyse(doc: &SearchDoc) -> Analysed {
    let mut postings = Vec::new();
    let mut lens = [0u32; 5];
    for (f, values) in doc.field_values().iter().enumerate() {
        let (tokens, len) = field_tokens(values);
        lens[f] = len;
        let mut by_term: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (term, pos) in tokens {
            by_term.entry(term).or_default().push(pos);
        }
        for (term, mut pos) in by_term {
            pos.sort_unstable();
            postings.push((term, f as u8, pos));
        }
    }
    Analysed { postings, lens }
}

/// What an analysis is keyed by: a hash and the length of the analysed text.
type Key = (u64, u64);

fn key(doc: &SearchDoc) -> Key {
    // Each value and each field ends with a byte no UTF-8 text holds, so that moving a
    // word from one value or field to the next changes the key.
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut len = 0u64;
    let mut feed = |bytes: &[u8]| {
        h.update(bytes);
        len += bytes.len() as u64;
    };
    for values in doc.field_values() {
        for v in values {
            feed(v.as_bytes());
            feed(&[0xff]);
        }
        feed(&[0xfe]);
    }
    (h.digest(), len)
}

/// The analyses a build may reuse, and what of them the file at `path` lacks or no longer
/// needs.
///
/// The file is a log: a header, then one record per analysis, each with its own checksum. A
/// build that analysed a few edited documents appends their records (a body edit in a 10k
/// handbook writes kilobytes, not the 20 MB of the whole file); the file is written anew
/// when it holds more unused records than a quarter of the used ones, or cannot be read.
#[derive(Default)]
pub struct Analyses {
    map: HashMap<Key, Analysed>,
    /// How long the file read was, and how many records it held: `None` when there was no
    /// file to append to (none, damaged, of another version).
    file: Option<(u64, usize)>,
    /// Analyses made by this build, which the file lacks.
    made: Vec<Key>,
}

/// The most the cache file may be (it is read whole).
const MAX_BYTES: u64 = 1 << 30;
const MAGIC: &[u8; 8] = b"FBTERMS2";

impl Analyses {
    /// The analyses saved at `path`; none when there are none, or they cannot be trusted.
    pub fn load(path: &Path) -> Analyses {
        let read = crate::write::read_bounded_unrecorded(path, MAX_BYTES, false)
            .ok()
            .and_then(|bytes| Some((bytes.len() as u64, decode(&bytes)?)));
        match read {
            Some((len, (map, records))) => Analyses {
                map,
                file: Some((len, records)),
                ..Analyses::default()
            },
            None => Analyses::default(),
        }
    }

    /// Save the analyses to `path` when it lacks some: by appending them, or by writing the
    /// file anew (atomically) when it is missing or mostly unused.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let live = self.map.len();
        match self.file {
            Some((len, records)) => {
                // Every analysis kept that this build did not make came from the file.
                let reused = live - self.made.len();
                let unused = records.saturating_sub(reused);
                if unused * 4 > live {
                    crate::write::replace_file(path, &encode(&self.map))
                } else if self.made.is_empty() {
                    Ok(())
                } else {
                    let mut tail = Vec::new();
                    for k in &self.made {
                        put_record(&mut tail, k, &self.map[k]);
                    }
                    crate::write::append_file(path, &tail, len)
                }
            }
            None => crate::write::replace_file(path, &encode(&self.map)),
        }
    }

    /// `docs`' analyses, in order: reused when cached, made otherwise. Afterwards the cache
    /// holds exactly these (an edited document's old analysis is dropped).
    pub(crate) fn of(&mut self, docs: &[&SearchDoc]) -> Vec<&Analysed> {
        let keys: Vec<Key> = docs.par_iter().map(|d| key(d)).collect();
        let mut old = std::mem::take(&mut self.map);
        let mut missed: Vec<(Key, &SearchDoc)> = Vec::new();
        let mut seen: std::collections::HashSet<Key> = std::collections::HashSet::new();
        for (k, d) in keys.iter().zip(docs) {
            if let Some(a) = old.remove(k) {
                self.map.insert(*k, a);
            } else if !self.map.contains_key(k) && seen.insert(*k) {
                missed.push((*k, d));
            }
        }
        drop(old);
        let made: Vec<(Key, Analysed)> = missed.par_iter().map(|(k, d)| (*k, analyse(d))).collect();
        self.made.extend(made.iter().map(|(k, _)| *k));
        self.map.extend(made);
        self.made.retain(|k| self.map.contains_key(k));
        keys.iter().map(|k| &self.map[k]).collect()
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// What the analyses were made with: the Fieldbook version and what the tokenizer makes of a
/// sample (so that a development build with another tokenizer never reuses them).
fn made_with() -> Vec<u8> {
    let sample = ["Restart kube-apiserver: HTTP 503 über 1.2.3 on node_7 — 日本語 Δ".to_string()];
    let refs: Vec<&str> = sample.iter().map(String::as_str).collect();
    let tokens = format!("{:?}", field_tokens(&refs));
    let mut out = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    out.extend_from_slice(&super::index::content_hash(tokens.as_bytes()).to_le_bytes());
    out
}

/// One record: its body's length (u32) and checksum (XXH3 64), then the body: the key and
/// the analysis.
fn put_record(out: &mut Vec<u8>, (hash, len): &Key, a: &Analysed) {
    let mut body = hash.to_le_bytes().to_vec();
    put_varint(&mut body, *len);
    for l in a.lens {
        put_varint(&mut body, u64::from(l));
    }
    put_varint(&mut body, a.postings.len() as u64);
    for (term, f, pos) in &a.postings {
        put_varint(&mut body, term.len() as u64);
        body.extend_from_slice(term.as_bytes());
        body.push(*f);
        put_varint(&mut body, pos.len() as u64);
        let mut last = 0u32;
        for p in pos {
            put_varint(&mut body, u64::from(p.wrapping_sub(last)));
            last = *p;
        }
    }
    // An analysis is far below 4 GiB: a document's text is bounded by `max_file_size`.
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&super::index::content_hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
}

fn encode(map: &HashMap<Key, Analysed>) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    let version = made_with();
    put_varint(&mut out, version.len() as u64);
    out.extend_from_slice(&version);
    // Sorted, so that the same analyses give the same file.
    let mut entries: Vec<(&Key, &Analysed)> = map.iter().collect();
    entries.sort_unstable_by_key(|(k, _)| **k);
    for (k, a) in entries {
        put_record(&mut out, k, a);
    }
    out
}

/// A reader of [`encode`]'s bytes that fails, never panics, on anything else.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len())?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Some(s)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.take(1)?.first()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.varint()?).ok()
    }

    /// A count of items of at least one byte each: never more than the bytes left.
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        (n <= self.bytes.len() - self.at).then_some(n)
    }
}

/// The analyses of [`encode`]'s (and appended records') bytes, and how many records they
/// are; `None` for anything else: a torn record, a checksum that does not match, another
/// version.
fn decode(bytes: &[u8]) -> Option<(HashMap<Key, Analysed>, usize)> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let n = r.count()?;
    if r.take(n)? != made_with() {
        return None;
    }
    let mut map = HashMap::new();
    let mut records = 0;
    while r.at < bytes.len() {
        let len = u32::from_le_bytes(r.take(4)?.try_into().ok()?) as usize;
        let sum = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
        let body = r.take(len)?;
        if super::index::content_hash(body) != sum {
            return None;
        }
        let (key, a) = decode_record(body)?;
        map.insert(key, a);
        records += 1;
    }
    Some((map, records))
}

fn decode_record(body: &[u8]) -> Option<(Key, Analysed)> {
    let mut r = Reader { bytes: body, at: 0 };
    let hash = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
    let len = r.varint()?;
    let mut lens = [0u32; 5];
    for l in &mut lens {
        *l = r.u32()?;
    }
    let postings_n = r.count()?;
    let mut postings = Vec::with_capacity(postings_n);
    for _ in 0..postings_n {
        let tn = r.count()?;
        let term = std::str::from_utf8(r.take(tn)?).ok()?.to_string();
        let f = *r.take(1)?.first()?;
        if usize::from(f) >= lens.len() {
            return None;
        }
        let pn = r.count()?;
        let mut pos = Vec::with_capacity(pn);
        let mut last = 0u32;
        for _ in 0..pn {
            last = last.checked_add(r.u32()?)?;
            pos.push(last);
        }
        postings.push((term, f, pos));
    }
    (r.at == body.len()).then_some(((hash, len), Analysed { postings, lens }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(rel: &str, body: &str) -> SearchDoc {
        SearchDoc {
            rel: rel.into(),
            url: String::new(),
            title: format!("Title of {rel}"),
            kind: crate::content::front_matter::Kind::Runbook,
            state: crate::model::ReviewState::Stale,
            lapsed: false,
            unowned: false,
            owners: vec!["team-a".into()],
            owner_names: vec!["Team A".into()],
            channel: None,
            teams: vec![],
            members: vec![],
            services: vec!["queue".into()],
            tags: vec![],
            alerts: vec!["QueueBacklog".into()],
            severity: None,
            headings: vec!["Symptoms".into(), "Fix".into()],
            body: body.into(),
            reviewed: None,
        }
    }

    #[test]
    fn analyses_survive_the_file_and_a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("search-terms.bin");
        let mut docs = vec![
            doc("a.md", "The queue backs up; drain the queue. 日本語 too"),
            doc("b.md", "Restart the worker"),
        ];
        docs.extend((0..6).map(|i| doc(&format!("{i}.md"), &format!("Step {i}"))));
        let refs: Vec<&SearchDoc> = docs.iter().collect();
        let mut a = Analyses::load(&path);
        let fresh: Vec<Analysed> = a.of(&refs).into_iter().cloned().collect();
        assert_eq!(fresh, refs.iter().map(|d| analyse(d)).collect::<Vec<_>>());
        a.save(&path).unwrap();
        let saved = std::fs::read(&path).unwrap();
        let mut b = Analyses::load(&path);
        assert_eq!(b.map.len(), 8);
        assert_eq!(b.of(&refs), fresh.iter().collect::<Vec<_>>());
        assert!(
            b.made.is_empty() && b.map.len() == 8,
            "nothing new: nothing to save"
        );
        b.save(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), saved, "nothing written");
        // One edit: one analysis made and appended, the old one dropped from memory.
        let mut edited = docs.clone();
        edited[0] = doc("a.md", "The queue backs up");
        let refs: Vec<&SearchDoc> = edited.iter().collect();
        assert_eq!(*b.of(&refs)[0], analyse(&edited[0]));
        assert!(b.made.len() == 1 && b.map.len() == 8);
        b.save(&path).unwrap();
        let appended = std::fs::read(&path).unwrap();
        assert_eq!(
            appended[..saved.len()],
            saved[..],
            "appended, not rewritten"
        );
        let (map, records) = decode(&appended).unwrap();
        assert_eq!((map.len(), records), (9, 9));
        // Eight of nine records unused: more than a quarter, so the next save rewrites.
        let mut c = Analyses::load(&path);
        let only_b = [&edited[1]];
        c.of(&only_b);
        c.save(&path).unwrap();
        assert_eq!(decode(&std::fs::read(&path).unwrap()).unwrap().1, 1);
        // Every truncation: ignored whole, or the whole records before the cut; a flipped
        // byte anywhere: ignored whole. Never a panic.
        for cut in 0..appended.len() {
            if let Some((m, _)) = decode(&appended[..cut]) {
                assert!(m.iter().all(|(k, a)| map.get(k) == Some(a)));
            }
        }
        for at in 0..appended.len() {
            let mut flipped = appended.clone();
            flipped[at] ^= 0x55;
            assert!(decode(&flipped).is_none(), "byte {at} flipped");
        }
        // A link where the file was is neither read nor appended through.
        #[cfg(unix)]
        {
            let outside = dir.path().join("outside.bin");
            std::fs::write(&outside, &appended).unwrap();
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink(&outside, &path).unwrap();
            assert!(Analyses::load(&path).map.is_empty());
            assert!(crate::write::append_file(&path, b"x", appended.len() as u64).is_err());
            assert_eq!(std::fs::read(&outside).unwrap(), appended);
            std::fs::remove_file(&path).unwrap();
        }
        std::fs::write(&path, b"not a cache").unwrap();
        assert!(Analyses::load(&path).map.is_empty());
    }
}
