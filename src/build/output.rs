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
    if walked_as_content(&abs, &content) || content.starts_with(&abs) {
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

/// Whether `path` (absolute) lies in the content directory `content` (absolute) where the
/// content walk reaches it: a hidden folder inside the content (`.fieldbook-site` of a tree
/// whose Markdown sits at its root) is never walked, so what is in it never feeds the site.
pub fn walked_as_content(path: &Path, content: &Path) -> bool {
    path.strip_prefix(content).is_ok_and(|r| {
        !r.components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    })
}

/// Remove the folders above `path` that are left empty, up to (not including) `root`.
pub fn remove_empty_parents(path: &Path, root: &Path) {
    let mut up = path.parent();
    while let Some(d) = up.filter(|d| *d != root && d.starts_with(root)) {
        // Fails, and stops, at the first folder that still holds something.
        if fs::remove_dir(d).is_err() {
            break;
        }
        up = d.parent();
    }
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
        Staging::prepare(target)?.made()
    }

    /// Make the (new, empty) staging directory, marked as an output.
    fn made(self) -> io::Result<Staging> {
        fs::create_dir(&self.dir)?;
        fs::write(self.dir.join(MARKER), MARKER_TEXT)?;
        Ok(self)
    }

    /// Remove what interrupted builds left behind; the staging directory's name.
    fn prepare(target: &Path) -> io::Result<Staging> {
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
        Ok(Staging {
            dir: parent.join(format!(".{name}.fieldbook-new-{}", std::process::id())),
            target: target.to_path_buf(),
        })
    }

    /// A staging directory holding the files of `previous` (the output an update starts
    /// from), made from `spare` when that is an older output kept by
    /// [`Staging::commit_keeping`]: only the files that differ between the two are linked
    /// again or removed (a handful after an edit), instead of linking every file into a new
    /// tree. `differ` names the files that may differ, when known (what the update that
    /// made `previous` wrote or removed); otherwise the two trees are compared. Without a
    /// usable spare, every file is linked ([`Staging::link_from`]).
    pub fn begin_from(
        target: &Path,
        previous: &Path,
        spare: Option<&Path>,
        differ: Option<&std::collections::BTreeSet<String>>,
    ) -> io::Result<Staging> {
        let staging = Staging::prepare(target)?;
        if let Some(spare) = spare.filter(|s| is_output_dir(s))
            && fs::rename(spare, &staging.dir).is_ok()
        {
            // A cache that names what is not a path of the output (damaged, or written
            // by someone else) is not trusted: the trees are compared instead.
            let synced = match differ {
                Some(paths) => relink(&staging.dir, previous, paths)
                    .or_else(|_| sync_links(&staging.dir, previous)),
                None => sync_links(&staging.dir, previous),
            };
            if let Err(e) = synced {
                staging.abandon();
                return Err(e);
            }
            return Ok(staging);
        }
        let staging = staging.made()?;
        if let Err(e) = staging.link_from(previous) {
            staging.abandon();
            return Err(e);
        }
        Ok(staging)
    }

    /// Put the finished site in place. On Linux the old and new directories are exchanged in
    /// one step; elsewhere the old one is moved aside first.
    pub fn commit(self) -> io::Result<()> {
        self.commit_keeping(None).map(|_| ())
    }

    /// [`Staging::commit`], keeping the replaced output at `spare` (when given, and on the same
    /// file system) for the next update to start from ([`Staging::begin_from`]): removing a
    /// tree of tens of thousands of entries costs more than the update itself. `true` when
    /// the replaced output is now at `spare`.
    pub fn commit_keeping(self, spare: Option<&Path>) -> io::Result<bool> {
        let parent = self.target.parent().unwrap_or(Path::new("."));
        let name = self
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let old = parent.join(format!(".{name}.fieldbook-old-{}", std::process::id()));
        let retire = |dir: &Path| match spare {
            Some(spare) if keep_as_spare(dir, spare) => Ok(true),
            _ => remove_dir(dir).map(|()| false),
        };
        if self.target.exists() {
            if exchange(&self.dir, &self.target).is_ok() {
                return retire(&self.dir);
            }
            fs::rename(&self.target, &old)?;
        }
        fs::rename(&self.dir, &self.target)?;
        if old.exists() {
            return retire(&old);
        }
        Ok(false)
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

/// Whether `dir` is a directory (not a link) that Fieldbook wrote as an output.
pub fn is_output_dir(dir: &Path) -> bool {
    fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())
        && fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

/// Move the replaced output `dir` to `spare`; `false` (and nothing moved) when `spare` is
/// taken by something that is not an output, or lies on another file system.
fn keep_as_spare(dir: &Path, spare: &Path) -> bool {
    if fs::symlink_metadata(spare).is_ok() && !(is_output_dir(spare) && remove_dir(spare).is_ok()) {
        return false;
    }
    spare
        .parent()
        .is_some_and(|p| fs::create_dir_all(p).is_ok())
        && fs::rename(dir, spare).is_ok()
}

/// Make `dir` hold what `from` holds at `paths` (output paths, the only ones where the two
/// may differ): each is removed from `dir` with the folders it leaves empty, then linked to
/// `from`'s file when `from` has one. A path that is not plainly inside the tree (it comes
/// from the cache file) is refused.
fn relink(dir: &Path, from: &Path, paths: &std::collections::BTreeSet<String>) -> io::Result<()> {
    for rel in paths {
        let rel = Path::new(rel);
        if rel.as_os_str().is_empty()
            || rel == Path::new(MARKER)
            || !rel
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        {
            return Err(io::Error::other(format!(
                "the build cache names {} among the output's files",
                rel.display()
            )));
        }
        let here = dir.join(rel);
        // Never through a link planted in the spare: its folders are made real first.
        let mut at = dir.to_path_buf();
        for c in rel.parent().into_iter().flat_map(Path::components) {
            at.push(c);
            match fs::symlink_metadata(&at) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    fs::remove_file(&at)?;
                    fs::create_dir(&at)?;
                }
                Err(_) => fs::create_dir(&at)?,
            }
        }
        match fs::symlink_metadata(&here) {
            Ok(m) if m.is_dir() => fs::remove_dir_all(&here)?,
            Ok(_) => fs::remove_file(&here)?,
            Err(_) => {}
        }
        let there = from.join(rel);
        if fs::symlink_metadata(&there).is_ok_and(|m| m.is_file()) {
            fs::hard_link(&there, &here)?;
        } else {
            remove_empty_parents(&here, dir);
        }
    }
    Ok(())
}

/// A file or folder of an output tree, by its path inside it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    Dir,
    /// A regular file and its inode: two paths of one inode hold the same bytes.
    File(Option<u64>),
    /// A link or a special file: never part of an output.
    Other,
}

fn entries(root: &Path) -> io::Result<std::collections::BTreeMap<PathBuf, Entry>> {
    let mut out = std::collections::BTreeMap::new();
    for e in walkdir::WalkDir::new(root).follow_links(false).min_depth(1) {
        let e = e.map_err(io::Error::other)?;
        let rel = e.path().strip_prefix(root).map_err(io::Error::other)?;
        if rel == Path::new(MARKER) {
            continue;
        }
        let t = e.file_type();
        let entry = if t.is_dir() {
            Entry::Dir
        } else if t.is_file() {
            Entry::File(inode(&e))
        } else {
            Entry::Other
        };
        out.insert(rel.to_path_buf(), entry);
    }
    Ok(out)
}

#[cfg(unix)]
fn inode(e: &walkdir::DirEntry) -> Option<u64> {
    use walkdir::DirEntryExt;
    Some(e.ino())
}

#[cfg(not(unix))]
fn inode(_: &walkdir::DirEntry) -> Option<u64> {
    None
}

/// Make `dir` hold what `from` holds, as hard links to `from`'s files: a path already linked
/// to the same file is left as it is, anything else is removed or linked again. Folders are
/// compared by name only; the marker stays `dir`'s own.
fn sync_links(dir: &Path, from: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let want = entries(from)?;
    let have = entries(dir)?;
    let mut gone_dirs: Vec<&PathBuf> = Vec::new();
    let mut stale_files: Vec<&PathBuf> = Vec::new();
    for (rel, e) in &have {
        if gone_dirs.last().is_some_and(|d| rel.starts_with(d)) {
            continue;
        }
        match (e, want.get(rel)) {
            (Entry::Dir, Some(Entry::Dir)) => {}
            (Entry::File(Some(a)), Some(Entry::File(Some(b)))) if a == b => {}
            (Entry::Dir, _) => gone_dirs.push(rel),
            _ => stale_files.push(rel),
        }
    }
    for d in &gone_dirs {
        fs::remove_dir_all(dir.join(d))?;
    }
    stale_files
        .par_iter()
        .try_for_each(|f| fs::remove_file(dir.join(f)))?;
    // Parents sort before their children.
    for (rel, e) in &want {
        if *e == Entry::Dir && have.get(rel) != Some(&Entry::Dir) {
            fs::create_dir(dir.join(rel))?;
        }
    }
    let link: Vec<&PathBuf> = want
        .iter()
        .filter(|(rel, e)| {
            // A folder removed above held none of `from`'s paths.
            matches!(e, Entry::File(_)) && (have.get(*rel) != Some(*e) || **e == Entry::File(None))
        })
        .map(|(rel, _)| rel)
        .collect();
    link.par_iter()
        .try_for_each(|f| fs::hard_link(from.join(f), dir.join(f)))
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
    fn files(dir: &Path) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| !e.file_type().is_dir())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                (rel, fs::read_to_string(e.path()).unwrap_or_default())
            })
            .collect();
        out.sort();
        out
    }

    /// An update starts from the output the last one replaced: whether told which files
    /// differ or comparing the trees, the staging copy is the live output exactly, and the
    /// live output is never written through.
    #[test]
    fn a_kept_output_is_brought_in_line_with_the_live_one() {
        for told in [false, true] {
            let site = tempfile::tempdir().unwrap();
            let target = site.path().join("public");
            let spare = site.path().join("cache/replaced-output");
            let build = |pages: &[(&str, &str)]| {
                let s = Staging::begin(&target).unwrap();
                for (rel, text) in pages {
                    let p = s.dir.join(rel);
                    fs::create_dir_all(p.parent().unwrap()).unwrap();
                    fs::write(p, text).unwrap();
                }
                s.commit_keeping(Some(&spare)).unwrap()
            };
            assert!(!build(&[
                ("index.html", "v1"),
                ("a/index.html", "a"),
                ("gone/index.html", "g")
            ]));
            assert!(build(&[
                ("index.html", "v2"),
                ("a/index.html", "a"),
                ("new/x/index.html", "n")
            ]));
            assert_eq!(files(&spare).len(), 4, "the first output is kept");
            // Something planted in the kept tree is removed, never followed.
            let outside = site.path().join("outside");
            fs::create_dir(&outside).unwrap();
            fs::write(outside.join("keep"), "keep").unwrap();
            std::os::unix::fs::symlink(&outside, spare.join("new")).unwrap();
            let differ: std::collections::BTreeSet<String> =
                ["index.html", "gone/index.html", "new/x/index.html"]
                    .map(String::from)
                    .into();
            let s = Staging::begin_from(&target, &target, Some(&spare), told.then_some(&differ))
                .unwrap();
            assert!(!spare.exists());
            assert_eq!(files(&s.dir), files(&target), "told: {told}");
            assert!(!s.dir.join("gone").exists(), "emptied folders go");
            assert_eq!(fs::read_to_string(outside.join("keep")).unwrap(), "keep");
            // Writing the copy (a new file, as the sink does) leaves the live output alone.
            fs::remove_file(s.dir.join("a/index.html")).unwrap();
            fs::write(s.dir.join("a/index.html"), "a2").unwrap();
            assert_eq!(
                fs::read_to_string(target.join("a/index.html")).unwrap(),
                "a"
            );
            s.abandon();
        }
    }

    #[test]
    fn a_cache_naming_paths_outside_the_output_is_not_followed() {
        let site = tempfile::tempdir().unwrap();
        let target = site.path().join("public");
        let spare = site.path().join("spare");
        for _ in 0..2 {
            let s = Staging::begin(&target).unwrap();
            fs::write(s.dir.join("index.html"), "x").unwrap();
            s.commit_keeping(Some(&spare)).unwrap();
        }
        fs::write(site.path().join("victim"), "v").unwrap();
        for bad in ["../victim", "/etc/passwd", MARKER, ""] {
            let differ = [bad.to_string()].into();
            let s = Staging::begin_from(&target, &target, Some(&spare), Some(&differ)).unwrap();
            assert!(site.path().join("victim").exists());
            assert_eq!(files(&s.dir), files(&target));
            s.commit_keeping(Some(&spare)).unwrap();
        }
    }
}
