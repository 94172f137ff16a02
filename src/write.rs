//! Writing without half-written results: every file is written beside its destination and
//! renamed over it, so a reader (or an interrupted run) sees the old file or the new one.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Replace `path` with `bytes` atomically, keeping its permissions.
pub fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let tmp = dir.join(format!(
        ".{}.fieldbook-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&tmp, meta.permissions())?;
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
}
