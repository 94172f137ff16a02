//! Where rendered files go: a directory (`fieldbook build`, into its staging directory) or
//! memory (`fieldbook serve`). Paths are relative to the site's output root, `/`-separated and
//! percent-decoded (`runbooks/db/failover/index.html`), as [`crate::content::urls::output_file`] gives.

use crate::diagnostic::{Code, Diagnostic, Pos};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

pub use crate::diagnostic::Fatal;

/// A destination for the files of a site. Written from many threads at once.
pub trait Sink: Sync {
    fn put(&self, rel_path: &str, bytes: Vec<u8>) -> Result<(), Fatal>;

    /// Copy a file of the content directory (an image, a PDF) to `rel_path`.
    fn copy(&self, rel_path: &str, from: &Path) -> Result<(), Fatal> {
        // A FIFO or device among the assets is never opened for reading (it would block).
        let bytes = crate::config::read_regular(from, u64::MAX)
            .map_err(crate::config::Unread::into_io)
            .map_err(|e| copy_err(rel_path, &e))?;
        self.put(rel_path, bytes)
    }
}

/// A fatal `output-error` (the output directory cannot be prepared, written or swapped in).
pub fn output_error(message: String) -> Fatal {
    vec![Diagnostic::new(
        Code::OutputError,
        "book.toml",
        Pos::START,
        message,
    )]
}

fn write_err(path: &Path, e: &std::io::Error) -> Fatal {
    output_error(format!("cannot write {}: {e}", path.display()))
}

fn copy_err(rel: &str, e: &std::io::Error) -> Fatal {
    vec![Diagnostic::new(
        Code::OutputError,
        format!("content/{rel}"),
        Pos::START,
        format!("cannot copy {rel}: {e}"),
    )]
}

/// Files written under a directory.
pub struct DirSink {
    pub dir: PathBuf,
    /// The previous build's output (the directory this one will replace): a file whose bytes
    /// equal the one there is hard-linked from it rather than written, so it keeps its
    /// modification time (`rsync` and uploads skip it) while the new site is still built
    /// beside the old one and swapped in whole.
    previous: Option<PathBuf>,
}

impl DirSink {
    pub fn new(dir: impl Into<PathBuf>) -> DirSink {
        DirSink {
            dir: dir.into(),
            previous: None,
        }
    }

    /// Remove `rel_path` (a file the site no longer has: in a directory filled with the
    /// previous build's files) and the folders it leaves empty. Only a regular file is
    /// removed; a missing one is no error.
    pub fn remove(&self, rel_path: &str) -> Result<(), Fatal> {
        let path = self.target(rel_path)?;
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            std::fs::remove_file(&path).map_err(|e| write_err(&path, &e))?;
        }
        super::output::remove_empty_parents(&path, &self.dir);
        Ok(())
    }

    /// A sink into `dir` reusing the unchanged files of `previous` (see [`DirSink`]).
    pub fn reusing(dir: impl Into<PathBuf>, previous: impl Into<PathBuf>) -> DirSink {
        DirSink {
            dir: dir.into(),
            previous: Some(previous.into()),
        }
    }

    /// Link the previous build's `rel_path` to `to` when it holds exactly `same` (read as
    /// `same` gives it); `true` when linked. Anything else (no such file, a link, other
    /// bytes, a file system without links) is `false` and the caller writes.
    fn link_unchanged(
        &self,
        rel_path: &str,
        to: &Path,
        len: u64,
        same: &dyn Fn(&[u8]) -> bool,
    ) -> bool {
        let Some(prev) = &self.previous else {
            return false;
        };
        let old = prev.join(rel_path);
        if !std::fs::symlink_metadata(&old).is_ok_and(|m| m.is_file() && m.len() == len) {
            return false;
        }
        let Ok(bytes) = crate::write::read_bounded_unrecorded(&old, len, false) else {
            return false;
        };
        same(&bytes) && std::fs::hard_link(&old, to).is_ok()
    }

    /// Before writing `path`: never write through a link to the previous build's file (a
    /// file put twice), which would change the site still being served.
    fn unlink_reused(&self, path: &Path) {
        if self.previous.is_some() {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Where `rel_path` goes: always inside the directory. Paths come from file names and
    /// ids in the content (slugged and checked before they get here); a `..`, an absolute or
    /// an empty segment would still be refused rather than written outside the output.
    fn target(&self, rel_path: &str) -> Result<PathBuf, Fatal> {
        let safe = !rel_path.is_empty()
            && rel_path
                .split('/')
                .all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.contains('\0'));
        if !safe {
            return Err(vec![Diagnostic::new(
                Code::OutputError,
                "book.toml",
                Pos::START,
                format!("refusing to write {rel_path:?}: it is not a path inside the output"),
            )]);
        }
        Ok(self.dir.join(rel_path))
    }
}

impl Sink for DirSink {
    fn put(&self, rel_path: &str, bytes: Vec<u8>) -> Result<(), Fatal> {
        let path = self.target(rel_path)?;
        let io = |e: std::io::Error| write_err(&path, &e);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        self.unlink_reused(&path);
        let len = bytes.len() as u64;
        if self.link_unchanged(rel_path, &path, len, &|old| old == bytes.as_slice()) {
            return Ok(());
        }
        std::fs::write(&path, bytes).map_err(io)
    }

    fn copy(&self, rel_path: &str, from: &Path) -> Result<(), Fatal> {
        let to = self.target(rel_path)?;
        if !std::fs::metadata(from).is_ok_and(|m| m.is_file()) {
            // A FIFO or device among the assets: opening it would block or never end.
            let e = crate::config::Unread::NotAFile.into_io();
            return Err(copy_err(rel_path, &e));
        }
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).map_err(|e| copy_err(rel_path, &e))?;
        }
        if !to.is_dir() {
            self.unlink_reused(&to);
        }
        let len = std::fs::metadata(from).map_or(u64::MAX, |m| m.len());
        let unchanged = |old: &[u8]| {
            crate::config::read_regular(from, old.len() as u64).is_ok_and(|new| new == old)
        };
        if self.previous.is_some() && self.link_unchanged(rel_path, &to, len, &unchanged) {
            return Ok(());
        }
        match std::fs::copy(from, &to) {
            // A folder of pages already holds this path (an asset `notes/db` beside
            // `notes/db.md`): an `output-collision` the checks report; the pages stay.
            Err(_) if to.is_dir() => Ok(()),
            Err(e) => Err(copy_err(rel_path, &e)),
            Ok(_) => Ok(()),
        }
    }
}

/// Files kept in memory, shared cheaply with readers (`Arc<[u8]>`): the preview server's site.
#[derive(Default)]
pub struct MemorySink {
    files: RwLock<HashMap<String, Arc<[u8]>>>,
}

impl MemorySink {
    pub fn new() -> MemorySink {
        MemorySink::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<[u8]>>> {
        self.files.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<[u8]>>> {
        self.files.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, rel_path: &str) -> Option<Arc<[u8]>> {
        self.read().get(rel_path).cloned()
    }

    pub fn contains(&self, rel_path: &str) -> bool {
        self.read().contains_key(rel_path)
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// Every path, sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut v: Vec<String> = self.read().keys().cloned().collect();
        v.sort();
        v
    }

    /// Bytes held (the files' contents).
    pub fn bytes(&self) -> usize {
        self.read().values().map(|b| b.len()).sum()
    }

    pub fn remove(&self, rel_path: &str) -> Option<Arc<[u8]>> {
        self.write().remove(rel_path)
    }

    /// Move every file of `other` into this sink, and remove `removed`, in one step: readers
    /// see the site before or after, never half of it. Returns the paths whose bytes changed
    /// (added, replaced by different bytes, or removed).
    pub fn apply(&self, other: MemorySink, removed: &[String]) -> Vec<String> {
        let new = other.into_map();
        let mut files = self.write();
        let mut changed = Vec::new();
        for path in removed {
            if !new.contains_key(path) && files.remove(path).is_some() {
                changed.push(path.clone());
            }
        }
        for (path, bytes) in new {
            if files.get(&path).is_none_or(|old| **old != *bytes) {
                changed.push(path.clone());
            }
            files.insert(path, bytes);
        }
        changed
    }

    /// Replace everything with the files of `other`, except the files `keep` accepts that
    /// `other` does not have; returns the paths that changed.
    pub fn replace_all(&self, other: MemorySink, keep: impl Fn(&str) -> bool) -> Vec<String> {
        let mut new = other.into_map();
        let mut files = self.write();
        let mut changed: Vec<String> = files
            .iter()
            .filter(|(p, b)| match new.get(*p) {
                Some(n) => n != *b,
                None => !keep(p),
            })
            .map(|(p, _)| p.clone())
            .collect();
        changed.extend(new.keys().filter(|p| !files.contains_key(*p)).cloned());
        for (p, b) in files.drain() {
            if keep(&p) && !new.contains_key(&p) {
                new.insert(p, b);
            }
        }
        *files = new;
        changed
    }

    pub fn into_map(self) -> HashMap<String, Arc<[u8]>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn put(&self, rel_path: &str, bytes: Vec<u8>) -> Result<(), Fatal> {
        self.write().insert(rel_path.to_string(), bytes.into());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_sink_applies_changes_in_one_step() {
        let live = MemorySink::new();
        live.put("a/index.html", b"a".to_vec()).unwrap();
        live.put("b/index.html", b"b".to_vec()).unwrap();
        let next = MemorySink::new();
        next.put("a/index.html", b"a".to_vec()).unwrap();
        next.put("c/index.html", b"c".to_vec()).unwrap();
        let mut changed = live.apply(next, &["b/index.html".into()]);
        changed.sort();
        assert_eq!(changed, ["b/index.html", "c/index.html"]);
        assert_eq!(live.paths(), ["a/index.html", "c/index.html"]);
        assert_eq!(&*live.get("c/index.html").unwrap(), b"c");
        let whole = MemorySink::new();
        whole.put("a/index.html", b"A".to_vec()).unwrap();
        live.put("search/index.json", b"{}".to_vec()).unwrap();
        let mut changed = live.replace_all(whole, |p| p.starts_with("search/"));
        changed.sort();
        assert_eq!(changed, ["a/index.html", "c/index.html"]);
        assert_eq!(live.paths(), ["a/index.html", "search/index.json"]);
    }

    #[test]
    fn dir_sink_writes_and_copies() {
        let dir = tempfile::tempdir().unwrap();
        let sink = DirSink::new(dir.path());
        sink.put("x/y/index.html", b"hi".to_vec()).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("x/y/index.html")).unwrap(),
            b"hi"
        );
        let src = dir.path().join("src.png");
        std::fs::write(&src, b"png").unwrap();
        sink.copy("images/a.png", &src).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("images/a.png")).unwrap(),
            b"png"
        );
        assert!(sink.copy("images/b.png", &dir.path().join("nope")).is_err());
        for bad in [
            "../x.html",
            "a/../../x.html",
            "/etc/x",
            "a//b",
            "",
            "a/\0",
            "./a",
        ] {
            assert!(sink.put(bad, b"x".to_vec()).is_err(), "{bad:?} was written");
        }
        assert!(!dir.path().parent().unwrap().join("x.html").exists());
    }
}
