//! The output directory: refused when replacing it could destroy something else, built beside
//! itself and swapped in whole at the end, so a failed or interrupted build leaves the previous
//! site untouched and readable.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Marks a directory as Fieldbook's output: only such a directory (or an empty one) is ever
/// replaced, so `--output ~/Documents` cannot wipe a folder of someone's files.
pub const MARKER: &str = ".fieldbook-output";

/// What [`MARKER`] says.
pub const MARKER_TEXT: &str =
    "This directory is written by fieldbook build and replaced whole by the next build.\n";

/// Why an output directory is refused, or `Ok` with its absolute form.
pub fn check_target(
    output: &Path,
    site_root: &Path,
    content_dir: &Path,
) -> Result<PathBuf, String> {
    let abs = absolute(output)?;
    let root = absolute(site_root)?;
    let content = absolute(content_dir)?;
    if abs.parent().is_none() {
        return Err(format!(
            "refusing to build into {}: it is the file system root",
            abs.display()
        ));
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && absolute(&home).is_ok_and(|h| h == abs)
    {
        return Err(format!(
            "refusing to build into {}: it is the home directory",
            abs.display()
        ));
    }
    if root.starts_with(&abs) {
        return Err(format!(
            "refusing to build into {}: it is the site directory or contains it",
            abs.display()
        ));
    }
    // A hidden folder inside the content (`.fieldbook-site` of a tree whose Markdown sits at its
    // root) is never walked as content, so it cannot feed the site into itself.
    let hidden_inside = abs.strip_prefix(&content).is_ok_and(|r| {
        r.components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    });
    if (abs.starts_with(&content) && !hidden_inside) || content.starts_with(&abs) {
        return Err(format!(
            "refusing to build into {}: it overlaps the content directory",
            abs.display()
        ));
    }
    if abs.is_dir()
        && !abs.join(MARKER).exists()
        && fs::read_dir(&abs)
            .map_err(|e| e.to_string())?
            .next()
            .is_some()
    {
        return Err(format!(
            "refusing to replace {}: it is not empty and was not written by fieldbook (no {MARKER} file)",
            abs.display()
        ));
    }
    if abs.exists() && !abs.is_dir() {
        return Err(format!(
            "refusing to build into {}: it is a file",
            abs.display()
        ));
    }
    Ok(abs)
}

/// An absolute, lexically normalised path, with symbolic links resolved for the part that
/// exists (so `public -> /` is seen for what it is).
fn absolute(p: &Path) -> Result<PathBuf, String> {
    let abs = std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display()))?;
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        if name == ".." {
            out.pop();
        } else if name != "." {
            out.push(name);
        }
    }
    Ok(out)
}

/// A build in progress: files go to a fresh directory beside the target.
pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
}

impl Staging {
    /// Remove what interrupted builds left behind, then make the staging directory.
    pub fn begin(target: &Path) -> io::Result<Staging> {
        let parent = target
            .parent()
            .ok_or_else(|| io::Error::other("output has no parent directory"))?;
        fs::create_dir_all(parent)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for leftover in leftovers(parent, &name)? {
            remove_dir(&leftover)?;
        }
        let dir = parent.join(format!(".{name}.fieldbook-new-{}", std::process::id()));
        fs::create_dir(&dir)?;
        fs::write(dir.join(MARKER), MARKER_TEXT)?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
        })
    }

    /// Put the finished site in place. On Linux the old and new directories are exchanged in
    /// one step; elsewhere the old one is moved aside first.
    pub fn commit(self) -> io::Result<()> {
        let parent = self.target.parent().unwrap_or(Path::new("."));
        let name = self
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let old = parent.join(format!(".{name}.fieldbook-old-{}", std::process::id()));
        if self.target.exists() {
            if exchange(&self.dir, &self.target).is_ok() {
                return remove_dir(&self.dir);
            }
            fs::rename(&self.target, &old)?;
        }
        fs::rename(&self.dir, &self.target)?;
        if old.exists() {
            remove_dir(&old)?;
        }
        Ok(())
    }

    /// Fill the staging directory with hard links to every file of `previous` (folders made
    /// anew): an update of the previous output ([`super::update`]) then replaces only what
    /// changed, and the site is still swapped in whole. Links and special files are left out.
    pub fn link_from(&self, previous: &Path) -> io::Result<()> {
        use rayon::prelude::*;
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut files: Vec<PathBuf> = Vec::new();
        for e in walkdir::WalkDir::new(previous)
            .follow_links(false)
            .min_depth(1)
        {
            let e = e.map_err(io::Error::other)?;
            let rel = e.path().strip_prefix(previous).map_err(io::Error::other)?;
            if e.file_type().is_dir() {
                dirs.push(rel.to_path_buf());
            } else if e.file_type().is_file() && rel != Path::new(MARKER) {
                files.push(rel.to_path_buf());
            }
        }
        // Parents before children: the walk lists a folder before what it holds.
        for d in &dirs {
            fs::create_dir(self.dir.join(d))?;
        }
        files
            .par_iter()
            .try_for_each(|f| fs::hard_link(previous.join(f), self.dir.join(f)))
    }

    /// Throw the unfinished build away.
    pub fn abandon(self) {
        let _ = remove_dir(&self.dir);
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::other("atomic exchange is not available"))
}

/// Whether an interrupted build of `target` left its staging or old directory beside it
/// (which the next full build removes).
pub fn interrupted(target: &Path) -> bool {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return false;
    };
    leftovers(parent, &name.to_string_lossy()).map_or(true, |l| !l.is_empty())
}

/// Staging and old directories of earlier, interrupted builds of the same target.
fn leftovers(parent: &Path, name: &str) -> io::Result<Vec<PathBuf>> {
    let new = format!(".{name}.fieldbook-new-");
    let old = format!(".{name}.fieldbook-old-");
    let mut out = Vec::new();
    for e in fs::read_dir(parent)? {
        let e = e?;
        let n = e.file_name().to_string_lossy().into_owned();
        let pid = n.strip_prefix(&new).or_else(|| n.strip_prefix(&old));
        if !pid.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            || !e.file_type()?.is_dir()
        {
            continue;
        }
        // A build killed between making its staging directory and writing the marker into
        // it leaves the directory empty: nothing in it to lose.
        let empty = fs::read_dir(e.path())?.next().is_none();
        if empty || e.path().join(MARKER).exists() {
            out.push(e.path());
        }
    }
    Ok(out)
}

/// Remove a directory tree that fieldbook wrote (it carries the marker, or is empty);
/// anything else is left alone. The marker goes last, so that a removal killed half-way
/// leaves a directory the next build still recognises and finishes removing.
fn remove_dir(dir: &Path) -> io::Result<()> {
    let marker = dir.join(MARKER);
    if !marker.exists() {
        if fs::read_dir(dir)?.next().is_none() {
            return fs::remove_dir(dir);
        }
        return Err(io::Error::other(format!(
            "{} is not a fieldbook output directory",
            dir.display()
        )));
    }
    for e in fs::read_dir(dir)? {
        let e = e?;
        if e.file_name() == MARKER {
            continue;
        }
        if e.file_type()?.is_dir() {
            fs::remove_dir_all(e.path())?;
        } else {
            fs::remove_file(e.path())?;
        }
    }
    fs::remove_file(&marker)?;
    fs::remove_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_targets_are_refused() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        let content = root.join("content");
        fs::create_dir(&content).unwrap();
        assert!(
            check_target(Path::new("/"), root, &content)
                .unwrap_err()
                .contains("root")
        );
        assert!(
            check_target(root, root, &content)
                .unwrap_err()
                .contains("site directory")
        );
        assert!(check_target(root.parent().unwrap(), root, &content).is_err());
        assert!(
            check_target(&content, root, &content)
                .unwrap_err()
                .contains("content")
        );
        assert!(check_target(&content.join("out"), root, &content).is_err());
        let foreign = root.join("docs");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("keep.txt"), "x").unwrap();
        assert!(
            check_target(&foreign, root, &content)
                .unwrap_err()
                .contains("not written by fieldbook")
        );
        assert!(check_target(&root.join("public"), root, &content).is_ok());
        assert!(check_target(&root.join("a/../public"), root, &content).is_ok());
    }

    #[test]
    fn staging_swaps_whole_directories_and_cleans_up() {
        let site = tempfile::tempdir().unwrap();
        let target = site.path().join("public");
        for round in 0..3 {
            let s = Staging::begin(&target).unwrap();
            fs::write(s.dir.join("index.html"), format!("round {round}")).unwrap();
            s.commit().unwrap();
            assert_eq!(
                fs::read_to_string(target.join("index.html")).unwrap(),
                format!("round {round}")
            );
        }
        // An interrupted build's staging directory is removed by the next build.
        let s = Staging::begin(&target).unwrap();
        let left = s.dir.clone();
        std::mem::forget(s);
        // So is one killed before it wrote its marker (empty), and a half-removed one.
        let empty = site.path().join(".public.fieldbook-new-4242");
        fs::create_dir(&empty).unwrap();
        let half = site.path().join(".public.fieldbook-old-4343");
        fs::create_dir_all(half.join("x")).unwrap();
        fs::write(half.join(MARKER), "").unwrap();
        // Not ours: a foreign directory with a similar name and content is kept.
        let foreign = site.path().join(".public.fieldbook-new-backup");
        fs::create_dir(&foreign).unwrap();
        Staging::begin(&target).unwrap().abandon();
        assert!(!left.exists() && !empty.exists() && !half.exists());
        assert!(foreign.exists());
        fs::remove_dir(&foreign).unwrap();
        let names: Vec<_> = fs::read_dir(site.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["public"]);
    }
}
