//! Writing without half-written results and without following links: every file is written
//! to a temporary file created exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`, an unpredictable
//! name) beside its destination and renamed over it, so a reader (or an interrupted run) sees
//! the old file or the new one, and a link planted where the temporary file goes is never
//! followed. A destination that is a link, or anything but a regular file, is refused.
//!
//! Commands that edit a file (`review`, `handover`) read it with [`read_regular`] (never a
//! link, never blocking on a FIFO) and write it back with [`replace_if_unchanged`], which
//! refuses when the file changed since it was read.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Flags that make `open` refuse a link as the last component and never block on a FIFO.
#[cfg(unix)]
fn no_follow_flags(nonblock: bool) -> i32 {
    use rustix::fs::OFlags;
    let mut f = OFlags::NOFOLLOW;
    if nonblock {
        f |= OFlags::NONBLOCK;
    }
    f.bits() as i32
}

fn refuse(kind: io::ErrorKind, what: String) -> io::Error {
    io::Error::new(kind, what)
}

/// What `path` is when it may not be replaced or edited: a link or not a regular file.
/// `Ok(())` when it is a regular file or does not exist.
pub fn check_target(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(refuse(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is a symbolic link; refusing to write through it",
                path.display()
            ),
        )),
        Ok(m) if !m.is_file() => Err(refuse(
            io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        )),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Read a regular file to edit it: a link or anything else (a FIFO, a device, a directory)
/// is refused before it is opened, and the open itself neither follows a link nor blocks, so
/// a file swapped between the check and the open is refused too.
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    check_target(path)?;
    read_bounded(path, u64::MAX, false).map_err(|e| match e {
        Unreadable::NotAFile => refuse(
            io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        ),
        Unreadable::TooLarge(n) => refuse(
            io::ErrorKind::InvalidData,
            format!("{} is too large ({n} bytes)", path.display()),
        ),
        Unreadable::Io(e) => e,
    })
}

/// Why [`read_bounded`] read nothing.
#[derive(Debug)]
pub enum Unreadable {
    /// A FIFO, socket, device or folder (opened without blocking, never read).
    NotAFile,
    /// Longer than the limit (its length, as far as it was read).
    TooLarge(u64),
    Io(io::Error),
}

/// The one way Fieldbook reads a file it did not write: opened without blocking (a FIFO
/// never hangs the run) and without following a link unless `follow_links`, checked on the
/// open handle to be a regular file, and read to at most `max` bytes.
pub fn read_bounded(path: &Path, max: u64, follow_links: bool) -> Result<Vec<u8>, Unreadable> {
    let read = read_bounded_unrecorded(path, max, follow_links);
    record(path, &read);
    read
}

/// A content hash: bytes to 64 bits (the build cache passes the search index's).
pub type Hasher = fn(&[u8]) -> u64;

/// What a read found, as one string: the bytes' hash and length, or why nothing was read
/// (`absent`, `not-a-file`, `too-large:N`, `unreadable`). Two reads of one file give the
/// same string exactly when they would give a build the same input.
pub fn read_digest(read: &Result<Vec<u8>, Unreadable>, hash: Hasher) -> String {
    match read {
        Ok(bytes) => format!("{:016x}{:08x}", hash(bytes), bytes.len() as u32),
        Err(Unreadable::NotAFile) => "not-a-file".into(),
        Err(Unreadable::TooLarge(n)) => format!("too-large:{n}"),
        Err(Unreadable::Io(e)) if e.kind() == io::ErrorKind::NotFound => "absent".into(),
        Err(Unreadable::Io(e)) => format!("unreadable:{:?}", e.kind()),
    }
}

/// Every file read through [`read_bounded`] while a recording is on: absolute path → its
/// [`read_digest`]. The build cache keys on what a build actually read (docs/architecture.md).
type Recording = (Hasher, std::collections::BTreeMap<PathBuf, String>);
static READS: std::sync::Mutex<Option<Recording>> = std::sync::Mutex::new(None);
static RECORDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn reads() -> std::sync::MutexGuard<'static, Option<Recording>> {
    READS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Start recording every read (see [`read_digest`]). `false` when a recording is already on
/// (it is left as it is).
pub fn record_reads(hash: Hasher) -> bool {
    let mut r = reads();
    if r.is_some() {
        return false;
    }
    *r = Some((hash, Default::default()));
    RECORDING.store(true, std::sync::atomic::Ordering::Relaxed);
    true
}

/// Stop recording and return what was read since [`record_reads`].
pub fn recorded_reads() -> std::collections::BTreeMap<PathBuf, String> {
    let mut r = reads();
    RECORDING.store(false, std::sync::atomic::Ordering::Relaxed);
    r.take().map(|(_, m)| m).unwrap_or_default()
}

fn record(path: &Path, read: &Result<Vec<u8>, Unreadable>) {
    if !RECORDING.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    // Hashed outside the lock: reads run in parallel.
    let Some(hash) = reads().as_ref().map(|(h, _)| *h) else {
        return;
    };
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let digest = read_digest(read, hash);
    if let Some((_, map)) = reads().as_mut() {
        map.insert(abs, digest);
    }
}

/// [`read_bounded`] without recording (the build cache's own reads).
pub fn read_bounded_unrecorded(
    path: &Path,
    max: u64,
    follow_links: bool,
) -> Result<Vec<u8>, Unreadable> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(if follow_links {
            rustix::fs::OFlags::NONBLOCK.bits() as i32
        } else {
            // A link swapped in after a check fails here (`ELOOP`).
            no_follow_flags(true)
        });
    }
    let f = opts.open(path).map_err(Unreadable::Io)?;
    let meta = f.metadata().map_err(Unreadable::Io)?;
    if !meta.is_file() {
        return Err(Unreadable::NotAFile);
    }
    if meta.len() > max {
        return Err(Unreadable::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Io)?;
    if bytes.len() as u64 > max {
        return Err(Unreadable::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// An unpredictable temporary name beside `name`.
fn temp_name(name: &std::ffi::OsStr, attempt: u32) -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    h.write_u32(attempt);
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    format!(
        ".{}.fieldbook-{:016x}.tmp",
        name.to_string_lossy(),
        h.finish()
    )
}

/// Create a new temporary file in `dir`: exclusively, never through a link.
fn create_temp(dir: &Path, name: &std::ffi::OsStr) -> io::Result<(PathBuf, fs::File)> {
    let mut last = None;
    for attempt in 0..16 {
        let tmp = dir.join(temp_name(name, attempt));
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Mode 0o666 less the umask, as `File::create` makes a new file.
            opts.custom_flags(no_follow_flags(false));
        }
        match opts.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary file name")))
}

/// Append `bytes` to the regular file at `path`, which must be exactly `expected_len` bytes
/// long (what the caller read): never through a link, never to a file replaced meanwhile.
/// For append-only caches, whose readers reject a torn tail.
pub fn append_file(path: &Path, bytes: &[u8], expected_len: u64) -> io::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(no_follow_flags(true));
    }
    let mut f = opts.open(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(refuse(
            io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        ));
    }
    if meta.len() != expected_len {
        return Err(changed_meanwhile(path));
    }
    f.write_all(bytes)
}

/// Replace `path` with `bytes` atomically, keeping its permissions. A `path` that is a link
/// or not a regular file is refused.
pub fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace(path, bytes, None)
}

/// Replace `path` with `bytes` only if it still holds `expected` (what the caller read):
/// an edit made to it meanwhile is never overwritten. The comparison is made again after the
/// new text is staged, just before the rename.
pub fn replace_if_unchanged(path: &Path, expected: &[u8], bytes: &[u8]) -> io::Result<()> {
    replace(path, bytes, Some(expected))
}

/// The error of a file changed since it was read.
pub fn changed_meanwhile(path: &Path) -> io::Error {
    refuse(
        io::ErrorKind::WouldBlock,
        format!(
            "{} changed while it was being edited; nothing was written (run the command again)",
            path.display()
        ),
    )
}

fn replace(path: &Path, bytes: &[u8], expected: Option<&[u8]>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    check_target(path)?;
    let (tmp, mut f) = create_temp(dir, name)?;
    let result = (|| {
        f.write_all(bytes)?;
        if let Ok(meta) = fs::symlink_metadata(path)
            && meta.is_file()
        {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()?;
        drop(f);
        check_target(path)?;
        if let Some(expected) = expected
            && read_regular(path)? != expected
        {
            return Err(changed_meanwhile(path));
        }
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// `root/parts...` as a folder Fieldbook owns (its `.fieldbook/` working files): every
/// component a real directory, created when missing, none a symbolic link or a file, so that
/// nothing written or deleted there can land outside the site.
pub fn own_dir(root: &Path, parts: &[&str]) -> io::Result<std::path::PathBuf> {
    walk_own_dir(root, parts, true).map(|d| d.expect("created"))
}

/// [`own_dir`] without creating anything: `None` when a component is missing.
pub fn existing_own_dir(root: &Path, parts: &[&str]) -> io::Result<Option<std::path::PathBuf>> {
    walk_own_dir(root, parts, false)
}

fn walk_own_dir(
    root: &Path,
    parts: &[&str],
    create: bool,
) -> io::Result<Option<std::path::PathBuf>> {
    let mut dir = root.to_path_buf();
    for part in parts {
        dir.push(part);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{} is a symbolic link or a file, not a folder: Fieldbook writes its working files only into a folder of its own inside the site (remove it; it is recreated)",
                        dir.display()
                    ),
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && create => fs::create_dir(&dir)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    Ok(Some(dir))
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(&p, "old").unwrap();
        super::replace_file(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn own_folders_are_never_links() {
        let site = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let made = super::own_dir(site.path(), &[".fieldbook", "search"]).unwrap();
        assert!(made.is_dir() && made.starts_with(site.path()));
        std::fs::remove_dir_all(site.path().join(".fieldbook")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), site.path().join(".fieldbook")).unwrap();
        assert!(super::own_dir(site.path(), &[".fieldbook", "search"]).is_err());
        assert!(super::existing_own_dir(site.path(), &[".fieldbook", "search"]).is_err());
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_edit_made_meanwhile_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(&p, "edited").unwrap();
        assert!(super::replace_if_unchanged(&p, b"old", b"new").is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "edited");
        super::replace_if_unchanged(&p, b"edited", b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_refused_and_temp_names_unpredictable() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, "secret").unwrap();
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert!(super::replace_file(&link, b"x").is_err());
        assert!(super::read_regular(&link).is_err());
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "secret");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        let fifo = dir.path().join("fifo.md");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(super::read_regular(&fifo).is_err());
            assert!(super::replace_file(&fifo, b"x").is_err());
        }
        let name = std::ffi::OsStr::new("a.md");
        assert_ne!(super::temp_name(name, 0), super::temp_name(name, 0));
    }
}
