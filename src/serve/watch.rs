//! Watching the site for saved files. notify's native watcher (inotify, FSEvents, ...) or, with
//! `--poll`, a poller (for network mounts, WSL2 and containers where native events do not
//! arrive) that compares each file's size, inode and modification time to the nanosecond every
//! [`POLL_INTERVAL`]. (notify's own `PollWatcher` compares modification times in whole seconds
//! and not sizes, so a second save within the same second, common while editing, went unseen.) Events are coalesced: a batch closes after [`QUIET`] without a relevant event
//! (or [`MAX_WAIT`] after it opened), so an editor's write-rename save or a `git checkout` of
//! many files gives one rebuild, and the engine looks at the files as they are then.
//!
//! Watched: the content directory (recursively), the site directory itself (not recursively:
//! `book.toml`, and the owners file when it sits there), the owners file's directory and the
//! active theme's directory. Ignored: hidden files and folders (`.fieldbook/`, `.git/`,
//! editors' `.#file` locks), editors' swap and backup files (`*.swp`, `*~`, vim's `4913`
//! probe), and everything else in the site directory (the output directory, `target/`).

use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// A batch closes when no relevant event came for this long.
pub const QUIET: Duration = Duration::from_millis(25);
/// ... or this long after its first event, whatever keeps coming.
pub const MAX_WAIT: Duration = Duration::from_millis(1000);
/// How often `--poll` looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// What to watch (absolute paths).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Targets {
    pub root: PathBuf,
    pub content: PathBuf,
    pub config: PathBuf,
    pub owners: PathBuf,
    /// `themes/<name>` of the active theme (may not exist).
    pub theme: PathBuf,
    pub output: PathBuf,
    /// Navigation and owner files of an adopted tree (`SUMMARY.md`, `mkdocs.yml`,
    /// CODEOWNERS, OWNERS): an edit rebuilds everything, like `book.toml`.
    pub adopted: Vec<PathBuf>,
}

/// Changes the engine acts on.
#[derive(Debug, Default)]
pub struct Batch {
    /// `book.toml`, the owners file or the theme changed (or events were lost): everything
    /// is rebuilt.
    pub full: bool,
    /// Paths under the content directory that changed (files or folders, existing or not).
    pub content: BTreeSet<PathBuf>,
}

enum Msg {
    Event(notify::Result<notify::Event>),
    Retarget(Targets),
}

/// Keeps the watcher running; [`Handle::retarget`] follows a changed `book.toml`.
pub struct Handle {
    tx: mpsc::Sender<Msg>,
}

impl Handle {
    pub fn retarget(&self, targets: Targets) {
        let _ = self.tx.send(Msg::Retarget(targets));
    }
}

/// What a path is to the site, if anything.
#[derive(Debug, PartialEq, Eq)]
pub enum Relevance {
    Content,
    Full,
}

/// Editors' temporary files: vim's swap files and `4913` probe, `file~` backups, emacs'
/// `.#file` locks and `#file#` autosaves.
pub fn is_temporary(name: &str) -> bool {
    name == "4913"
        || name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swo", ".swx", ".swpx"]
            .iter()
            .any(|x| name.ends_with(x))
}

pub fn classify(t: &Targets, path: &Path) -> Option<Relevance> {
    if path == t.config || path == t.owners || t.adopted.iter().any(|p| p == path) {
        return Some(Relevance::Full);
    }
    // An OWNERS file (or a course's SUMMARY.md) in the content changes more than one page.
    if let Ok(rel) = path.strip_prefix(&t.content)
        && crate::adopt::is_site_wide(rel)
    {
        return Some(Relevance::Full);
    }
    if let Ok(rel) = path.strip_prefix(&t.content) {
        if path.starts_with(&t.output) && t.output != t.root {
            return None;
        }
        let hidden = rel.components().any(|c| {
            let s = c.as_os_str().to_string_lossy();
            s.starts_with('.') || is_temporary(&s)
        });
        return (!hidden).then_some(Relevance::Content);
    }
    if let Ok(rel) = path.strip_prefix(&t.theme) {
        let hidden = rel.components().any(|c| {
            let s = c.as_os_str().to_string_lossy();
            s.starts_with('.') || is_temporary(&s)
        });
        return (!hidden).then_some(Relevance::Full);
    }
    // `.github/` appearing or going, with the CODEOWNERS in it (the full rebuild then
    // watches it).
    if path != t.root && path.starts_with(&t.root) && t.adopted.iter().any(|a| a.starts_with(path))
    {
        return Some(Relevance::Full);
    }
    // `themes/` itself appearing or going, with the theme in it.
    if t.theme.starts_with(path) && path.starts_with(&t.root) && path != t.root {
        return Some(Relevance::Full);
    }
    None
}

fn relevant_kind(kind: &EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Start watching; batches go to `tx`. `interrupt` is raised as soon as a relevant event
/// arrives (before its batch closes), so that the engine can stop background work.
pub fn spawn(
    targets: Targets,
    poll: bool,
    tx: mpsc::Sender<Batch>,
    interrupt: Arc<AtomicBool>,
) -> Result<Handle, String> {
    let (msg_tx, msg_rx) = mpsc::channel::<Msg>();
    let handler_tx = msg_tx.clone();
    let handler = move |e: notify::Result<notify::Event>| {
        let _ = handler_tx.send(Msg::Event(e));
    };
    let mut watcher = if poll {
        Backend::Poll(StatPoller::new(handler, POLL_INTERVAL))
    } else {
        Backend::Native(Box::new(
            notify::recommended_watcher(handler).map_err(|e| e.to_string())?,
        ))
    };
    let mut watched = Vec::new();
    watch_all(&mut watcher, &targets, &mut watched)?;
    std::thread::Builder::new()
        .name("fieldbook-watch".into())
        .spawn(move || {
            let mut targets = targets;
            loop {
                let mut batch = Batch::default();
                let mut opened: Option<Instant> = None;
                loop {
                    let msg = match opened {
                        None => match msg_rx.recv() {
                            Ok(m) => m,
                            Err(_) => return,
                        },
                        Some(at) => {
                            let left = MAX_WAIT.saturating_sub(at.elapsed()).min(QUIET);
                            if left.is_zero() {
                                break;
                            }
                            match msg_rx.recv_timeout(left) {
                                Ok(m) => m,
                                Err(mpsc::RecvTimeoutError::Timeout) => break,
                                Err(mpsc::RecvTimeoutError::Disconnected) => return,
                            }
                        }
                    };
                    match msg {
                        Msg::Retarget(t) => {
                            if t != targets {
                                for p in watched.drain(..) {
                                    let _ = watcher.unwatch(&p);
                                }
                                targets = t;
                                if let Err(e) = watch_all(&mut watcher, &targets, &mut watched) {
                                    eprintln!("warning: cannot watch the site for changes: {e}");
                                }
                            }
                        }
                        Msg::Event(Err(e)) => {
                            eprintln!("warning: file watching: {e}");
                            batch.full = true;
                            opened.get_or_insert_with(Instant::now);
                            interrupt.store(true, Ordering::SeqCst);
                        }
                        Msg::Event(Ok(event)) => {
                            let mut relevant = false;
                            if event.need_rescan() {
                                batch.full = true;
                                relevant = true;
                            } else if relevant_kind(&event.kind) {
                                for p in &event.paths {
                                    match classify(&targets, p) {
                                        Some(Relevance::Full) => {
                                            batch.full = true;
                                            relevant = true;
                                        }
                                        Some(Relevance::Content) => {
                                            batch.content.insert(p.clone());
                                            relevant = true;
                                        }
                                        None => {}
                                    }
                                }
                            }
                            if relevant {
                                opened.get_or_insert_with(Instant::now);
                                interrupt.store(true, Ordering::SeqCst);
                            }
                        }
                    }
                }
                if batch.full {
                    // A theme folder that appeared is watched from now on.
                    let _ = watch_all(&mut watcher, &targets, &mut watched);
                }
                if (batch.full || !batch.content.is_empty()) && tx.send(batch).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(Handle { tx: msg_tx })
}

/// Watch what `t` names that `watched` does not hold yet, adding it there.
fn watch_all(w: &mut Backend, t: &Targets, watched: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut add = |p: &Path, mode: RecursiveMode, required: bool| -> Result<(), String> {
        if watched.iter().any(|w: &PathBuf| w == p) {
            return Ok(());
        }
        match w.watch(p, mode) {
            Ok(()) => {
                watched.push(p.to_path_buf());
                Ok(())
            }
            Err(e) if required => Err(format!("{}: {e}", p.display())),
            Err(_) => Ok(()),
        }
    };
    add(&t.root, RecursiveMode::NonRecursive, true)?;
    add(&t.content, RecursiveMode::Recursive, true)?;
    if let Some(dir) = t.owners.parent() {
        add(dir, RecursiveMode::NonRecursive, false)?;
    }
    if let Some(themes) = t.theme.parent()
        && themes.is_dir()
    {
        add(themes, RecursiveMode::NonRecursive, false)?;
    }
    if t.theme.is_dir() {
        add(&t.theme, RecursiveMode::Recursive, false)?;
    }
    for dir in t.adopted.iter().filter_map(|p| p.parent()) {
        if dir.is_dir() {
            add(dir, RecursiveMode::NonRecursive, false)?;
        }
    }
    Ok(())
}

enum Backend {
    Native(Box<dyn Watcher + Send>),
    Poll(StatPoller),
}

impl Backend {
    fn watch(&mut self, p: &Path, mode: RecursiveMode) -> Result<(), String> {
        match self {
            Backend::Native(w) => w.watch(p, mode).map_err(|e| e.to_string()),
            Backend::Poll(w) => w.watch(p, mode),
        }
    }

    fn unwatch(&mut self, p: &Path) -> Result<(), String> {
        match self {
            Backend::Native(w) => w.unwatch(p).map_err(|e| e.to_string()),
            Backend::Poll(w) => {
                w.unwatch(p);
                Ok(())
            }
        }
    }
}

/// What the poller compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
    dir: bool,
}

impl Stamp {
    fn of(m: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(m);
        #[cfg(not(unix))]
        let inode = 0;
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            inode,
            dir: m.is_dir(),
        }
    }
}

#[derive(Default)]
struct PollState {
    roots: Vec<(PathBuf, bool)>,
    seen: std::collections::HashMap<PathBuf, Stamp>,
}

/// Every path under `root` (only its direct entries unless `recursive`), with its stamp.
fn scan(root: &Path, recursive: bool, out: &mut std::collections::HashMap<PathBuf, Stamp>) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .max_depth(if recursive { usize::MAX } else { 1 });
    for e in walker.into_iter().flatten() {
        if let Ok(m) = e.metadata() {
            out.insert(e.into_path(), Stamp::of(&m));
        }
    }
}

/// Polls the watched paths from a thread of its own; stops when dropped.
struct StatPoller {
    state: Arc<std::sync::Mutex<PollState>>,
    stop: Arc<AtomicBool>,
}

impl StatPoller {
    fn new(
        handler: impl Fn(notify::Result<notify::Event>) + Send + 'static,
        interval: Duration,
    ) -> StatPoller {
        let state = Arc::new(std::sync::Mutex::new(PollState::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, halt) = (state.clone(), stop.clone());
        let _ = std::thread::Builder::new()
            .name("fieldbook-poll".into())
            .spawn(move || {
                while !halt.load(Ordering::Relaxed) {
                    std::thread::sleep(interval);
                    let roots = match s.lock() {
                        Ok(st) => st.roots.clone(),
                        Err(_) => return,
                    };
                    let mut now = std::collections::HashMap::new();
                    for (root, recursive) in &roots {
                        scan(root, *recursive, &mut now);
                    }
                    let changed: Vec<PathBuf> = {
                        let Ok(mut st) = s.lock() else { return };
                        // Folders count when they appear or go (a file in them has its own
                        // stamp).
                        let mut changed: Vec<PathBuf> = now
                            .iter()
                            .filter(|(p, stamp)| match st.seen.get(*p) {
                                Some(old) => old != *stamp && !(old.dir && stamp.dir),
                                None => true,
                            })
                            .map(|(p, _)| p.clone())
                            .collect();
                        changed.extend(st.seen.keys().filter(|p| !now.contains_key(*p)).cloned());
                        st.seen = now;
                        changed
                    };
                    for p in changed {
                        let kind = EventKind::Modify(notify::event::ModifyKind::Any);
                        handler(Ok(notify::Event::new(kind).add_path(p)));
                    }
                }
            });
        StatPoller { state, stop }
    }

    /// Start polling `p`; what is there now is the baseline.
    fn watch(&mut self, p: &Path, mode: RecursiveMode) -> Result<(), String> {
        if !p.exists() {
            return Err(format!("{}: no such file or directory", p.display()));
        }
        let recursive = mode == RecursiveMode::Recursive;
        let mut found = std::collections::HashMap::new();
        scan(p, recursive, &mut found);
        let mut st = self.state.lock().map_err(|e| e.to_string())?;
        st.roots.push((p.to_path_buf(), recursive));
        st.seen.extend(found);
        Ok(())
    }

    fn unwatch(&mut self, p: &Path) {
        if let Ok(mut st) = self.state.lock() {
            st.roots.retain(|(r, _)| r != p);
            st.seen.retain(|q, _| !q.starts_with(p));
        }
    }
}

impl Drop for StatPoller {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        let root = PathBuf::from("/site");
        Targets {
            content: root.join("content"),
            config: root.join("book.toml"),
            owners: root.join("owners.yaml"),
            theme: root.join("themes/acme"),
            output: root.join("public"),
            adopted: vec![root.join(".github/CODEOWNERS"), root.join("mkdocs.yml")],
            root,
        }
    }

    #[test]
    fn paths_are_classified() {
        let t = targets();
        let c = |p: &str| classify(&t, Path::new(p));
        assert_eq!(c("/site/content/runbooks/a.md"), Some(Relevance::Content));
        assert_eq!(c("/site/content/images/x.png"), Some(Relevance::Content));
        assert_eq!(c("/site/content/runbooks"), Some(Relevance::Content));
        assert_eq!(c("/site/book.toml"), Some(Relevance::Full));
        assert_eq!(c("/site/.github/CODEOWNERS"), Some(Relevance::Full));
        assert_eq!(c("/site/.github"), Some(Relevance::Full));
        assert_eq!(c("/site/mkdocs.yml"), Some(Relevance::Full));
        assert_eq!(c("/site/content/runbooks/OWNERS"), Some(Relevance::Full));
        assert_eq!(
            c("/site/content/courses/x/SUMMARY.md"),
            Some(Relevance::Full)
        );
        assert_eq!(c("/site/content/SUMMARY.md"), Some(Relevance::Content));
        assert_eq!(c("/site/owners.yaml"), Some(Relevance::Full));
        assert_eq!(
            c("/site/themes/acme/templates/base.html"),
            Some(Relevance::Full)
        );
        assert_eq!(c("/site/themes"), Some(Relevance::Full));
        assert_eq!(c("/site/themes/other/templates/base.html"), None);
        for ignored in [
            "/site/content/runbooks/.a.md.swp",
            "/site/content/runbooks/a.md~",
            "/site/content/runbooks/.#a.md",
            "/site/content/runbooks/4913",
            "/site/content/runbooks/#a.md#",
            "/site/content/.git/index",
            "/site/.fieldbook/search/meta.json",
            "/site/public/index.html",
            "/site/target/debug/x",
            "/site/README.md",
        ] {
            assert_eq!(c(ignored), None, "{ignored}");
        }
    }
}
