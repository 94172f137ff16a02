//! The whole-site build cache (`.fieldbook/cache/`, `[build] cache_dir`, `--cache-dir`): what
//! a build may reuse. A build whose every input is the same as the last one's, and whose
//! output directory is still the one it wrote, writes nothing: it says again what the last
//! build said (its findings, as data) and exits with the same status.
//!
//! The key is every input of a build: the Fieldbook version and the embedded theme, what
//! was asked ([`Settings`]: output, drafts, strict, `--part`, the judging date `today`, the
//! git state the review history comes from), and every file the build read, as it read it:
//! each read through [`crate::write::read_bounded`] is recorded with its digest (book.toml,
//! the owners file, CODEOWNERS or OWNERS, navigation files, partials, rule files, the
//! baseline, theme files, documents; a file looked for and not found is recorded as
//! `absent`), plus the walk of the content directory and of the site's theme (every file,
//! assets included, and every folder, so a new file is a change). A file that changed while
//! the build read it leaves the cache unsaved.
//!
//! The output is checked by file list, size and modification time (no hashes: reading back
//! the output would cost what a build costs); `build --verify-cache` compares it byte for
//! byte with a clean build.

use crate::config::Config;
use crate::content::date::Date;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::write::{self, Hasher};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The cache file's format. Readers ignore a cache of another format (and of another
/// Fieldbook version); grow it with `#[serde(default)]` fields or bump this.
pub const FORMAT: u32 = 5;
/// The cache file, in the cache directory.
pub const FILE: &str = "build.json";
/// The documents' search analyses ([`Session::terms_cache`]).
pub const TERMS: &str = "search-terms.bin";
/// The output the last build replaced ([`Session::spare`]).
pub const SPARE: &str = "replaced-output";
/// The lock file: one build uses a cache directory at a time.
pub const LOCK: &str = "lock";
/// The most a cache file may be (it is read whole).
const MAX_CACHE_BYTES: u64 = 1 << 30;
/// The content hash of inputs and outputs: the search index's.
pub const HASH: Hasher = crate::search::index::content_hash;

/// What a build was asked for, beyond the files it reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub fieldbook: String,
    /// The embedded default theme ([`crate::build::theme::builtin_digest`]).
    pub builtin_theme: String,
    pub root: String,
    pub output: String,
    pub drafts: bool,
    pub strict: bool,
    pub part: Option<String>,
    /// The judging date: a document turns stale with the clock.
    pub today: String,
}

impl Settings {
    pub fn new(
        config: &Config,
        target: &Path,
        today: Date,
        drafts: bool,
        strict: bool,
        part: Option<&str>,
    ) -> Settings {
        Settings {
            fieldbook: env!("CARGO_PKG_VERSION").into(),
            builtin_theme: crate::build::theme::builtin_digest(HASH),
            root: config.root.display().to_string(),
            output: target.display().to_string(),
            drafts,
            strict,
            part: part.map(str::to_string),
            today: today.to_string(),
        }
    }
}

/// HEAD, whether the clone is shallow, and which tracked files are changed, through the
/// hardened [`crate::load::git::command`].
fn git_state(dir: &Path) -> Option<String> {
    let run = |args: &[&str]| {
        let out = crate::load::git::command(dir).args(args).output().ok()?;
        out.status.success().then_some(out.stdout)
    };
    let top = run(&["rev-parse", "--show-toplevel"])?;
    let head = run(&["rev-parse", "HEAD"]).unwrap_or_else(|| b"no commit".to_vec());
    let shallow = run(&["rev-parse", "--is-shallow-repository"]).unwrap_or_default();
    let dirty = run(&[
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=no",
        "--",
        ".",
    ])
    .unwrap_or_else(|| b"?".to_vec());
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
    Some(format!(
        "{} {} shallow={} dirty={:016x}",
        text(&top),
        text(&head),
        text(&shallow),
        HASH(&dirty)
    ))
}

/// The files a build walks (the content directory and the site's theme), each with its
/// digest, and every entry of the walk (folders end in `/`).
#[derive(Debug, Default)]
pub struct Scan {
    pub files: BTreeMap<String, String>,
    pub listing: Vec<String>,
}

fn abs(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

/// Walk what the loader walks, as it walks it ([`crate::load::walk_inside`], hidden names and
/// the site's own paths skipped), and the site theme's files ([`super::theme::site_files`]).
pub fn scan(config: &Config) -> Scan {
    let own = config.own_paths();
    let mut refused = Vec::new();
    let mut listing = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    if config.content_dir.is_dir() {
        let walk = crate::load::walk_inside(
            &config.root,
            &config.content_dir,
            crate::load::is_hidden,
            &mut refused,
        );
        for entry in walk {
            match entry {
                Ok(e) if own.iter().any(|o| e.path().starts_with(o)) => {}
                Ok(e) if e.file_type().is_dir() => listing.push(format!("{}/", abs(e.path()))),
                Ok(e) => {
                    listing.push(abs(e.path()));
                    paths.push(e.into_path());
                }
                Err(e) => listing.push(format!("error: {e}")),
            }
        }
    }
    match super::theme::site_files(config) {
        Ok((files, _)) => {
            for (_, p) in files {
                listing.push(abs(&p));
                paths.push(p);
            }
        }
        Err(_) => listing.push("error: theme".into()),
    }
    let files = paths
        .par_iter()
        .map(|p| (abs(p), digest_of(p)))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    Scan { files, listing }
}

/// A file's digest as a build's read of it records it.
fn digest_of(p: &Path) -> String {
    write::read_digest(&write::read_bounded_unrecorded(p, u64::MAX, true), HASH)
}

/// One output file as the build left it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Relative to the output directory, `/`-separated.
    pub path: String,
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub modified: u64,
}

/// One finding, every field of it: the part manifest's record of a finding
/// ([`crate::parts::Finding`]) plus what the human format shows beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    #[serde(flatten)]
    pub base: crate::parts::Finding,
    pub source_line: Option<String>,
    pub span_len: u32,
}

impl Finding {
    pub fn of(d: &Diagnostic) -> Finding {
        Finding {
            base: crate::parts::Finding::from(d),
            source_line: d.source_line.clone(),
            span_len: d.span_len,
        }
    }

    /// `None` for a code or severity this version does not know (a foreign cache).
    pub fn diagnostic(&self) -> Option<Diagnostic> {
        let b = &self.base;
        Some(Diagnostic {
            code: Code::parse(&b.code)?,
            severity: match b.severity.as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                _ => return None,
            },
            file: b.file.clone(),
            line: b.line,
            column: b.column,
            message: b.message.clone(),
            hint: b.hint.clone(),
            baselined: b.baselined,
            source_line: self.source_line.clone(),
            span_len: self.span_len,
        })
    }
}

/// What a build said and how it ended: what a reusing build says again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The findings shown (those not in the baseline).
    pub findings: Vec<Finding>,
    /// The baseline line, when the site has a baseline.
    pub baseline: Option<String>,
    pub pages: usize,
    pub files: usize,
    pub output: String,
    pub errors: usize,
    pub warnings: usize,
    pub exit: u8,
}

/// The cache file's body. The file is an `Envelope`: the version that wrote it and a seal
/// (a digest of the body's exact bytes, so that a cache edited by hand is not trusted, without
/// serializing 20 MB of JSON a second time to check it), then the body.
#[derive(Debug, Serialize, Deserialize)]
pub struct CacheFile {
    /// A digest of `settings`, `inputs` and `listing`: the input key.
    pub key: String,
    pub settings: Settings,
    /// Every file the build read or walked (absolute path) → its digest.
    pub inputs: BTreeMap<String, String>,
    pub listing: Vec<String>,
    pub outputs: Vec<OutputFile>,
    pub report: Report,
    /// The commit, shallowness and dirty files of the git work tree holding the content
    /// (`None` outside git): the review history and last changes come from it. The same
    /// state is needed to reuse the output whole; an update compares what each page shows
    /// of the history instead ([`SiteState::history`]).
    pub git: Option<String>,
    /// What an update of the output needs of the site it shows (`None`: no update from it).
    pub site: Option<SiteState>,
}

/// The site an output shows, as a build recorded it for the next one to update it
/// ([`super::update`]): what [`super::invalidate::invalidate`] needs of each document before
/// an edit, and what else every page or the output as a whole depends on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteState {
    /// Every document (content path), listed or not.
    pub documents: BTreeMap<String, super::invalidate::Recorded>,
    /// Listed document → a digest of what its page shows of the git history.
    pub history: BTreeMap<String, String>,
    /// The content's folders (links to a folder resolve to its URL).
    pub dirs: Vec<String>,
    /// A digest of the navigation every page shows.
    pub nav: String,
    /// Every index page URL (home `""`, `tags/x/`, `sitemap.xml`, ...).
    pub index: Vec<String>,
    /// The browser search index's files.
    pub search: Vec<String>,
    /// The content's other files, copied.
    pub assets: usize,
    /// The output files (paths in it) that may differ between this output and the one it
    /// replaced, kept at [`Session::spare`]: what the next update links again to turn that
    /// one into this one. `None`: unknown (the next update compares the two trees).
    #[serde(default)]
    pub replaced: Option<std::collections::BTreeSet<String>>,
}

/// What the cache says changed since the recorded build: how [`super::update`] updates it.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Content paths of the Markdown files that changed (edited, added or removed).
    pub changed: std::collections::BTreeSet<String>,
    /// The site the output shows.
    pub recorded: SiteState,
    /// Every page is rendered again: the judging date or the owners file changed, and what
    /// any page shows of staleness or ownership may have changed with it (the update still
    /// starts from the output in place, and writes only the files whose bytes differ).
    pub everything: bool,
}

/// The cache file as written: who wrote it, the seal of the body's bytes, the body.
#[derive(Serialize, Deserialize)]
struct Envelope<'a> {
    format: u32,
    fieldbook: &'a str,
    seal: String,
    #[serde(borrow)]
    body: &'a serde_json::value::RawValue,
}

/// A digest of `value`'s JSON.
pub fn digest(value: &impl Serialize) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    seal_of(&json)
}

/// A digest of exactly these bytes.
fn seal_of(bytes: &[u8]) -> String {
    format!("{:016x}{:08x}", HASH(bytes), bytes.len() as u32)
}

fn key_of(settings: &Settings, inputs: &BTreeMap<String, String>, listing: &[String]) -> String {
    digest(&(settings, inputs, listing))
}

/// The bytes of the cache file holding `file`.
fn encode(file: &CacheFile) -> Result<Vec<u8>, String> {
    let body = serde_json::to_string(file).map_err(|e| e.to_string())?;
    let seal = seal_of(body.as_bytes());
    let body = serde_json::value::RawValue::from_string(body).map_err(|e| e.to_string())?;
    serde_json::to_vec(&Envelope {
        format: FORMAT,
        fieldbook: env!("CARGO_PKG_VERSION"),
        seal,
        body: &body,
    })
    .map_err(|e| e.to_string())
}

/// Read a cache file: `Err` says, in one line, why it is not used.
pub fn read(path: &Path) -> Result<Option<CacheFile>, String> {
    let bytes = match write::read_bounded_unrecorded(path, MAX_CACHE_BYTES, false) {
        Ok(b) => b,
        Err(write::Unreadable::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(write::Unreadable::TooLarge(n)) => return Err(format!("it is too large ({n} bytes)")),
        Err(write::Unreadable::NotAFile) => return Err("it is not a regular file".into()),
        Err(write::Unreadable::Io(e)) => return Err(format!("it cannot be read: {e}")),
    };
    let envelope: Envelope =
        serde_json::from_slice(&bytes).map_err(|e| format!("it is corrupt ({e})"))?;
    if envelope.format != FORMAT || envelope.fieldbook != env!("CARGO_PKG_VERSION") {
        return Err(format!(
            "it was written by fieldbook {} (format {}), this is {} (format {FORMAT})",
            envelope.fieldbook,
            envelope.format,
            env!("CARGO_PKG_VERSION")
        ));
    }
    let body = envelope.body.get();
    if envelope.seal != seal_of(body.as_bytes()) {
        return Err("it is corrupt (its seal does not match its contents)".into());
    }
    let file: CacheFile = serde_json::from_str(body).map_err(|e| format!("it is corrupt ({e})"))?;
    if file.key != key_of(&file.settings, &file.inputs, &file.listing) {
        return Err("it is corrupt (its key does not match its contents)".into());
    }
    if file
        .report
        .findings
        .iter()
        .any(|f| f.diagnostic().is_none())
    {
        return Err("it holds findings this version does not know".into());
    }
    Ok(Some(file))
}

/// A build using the cache: the cache directory locked, the previous cache (if usable)
/// and this build's settings and walk.
pub struct Session {
    dir: PathBuf,
    _lock: std::fs::File,
    settings: Settings,
    scan: Scan,
    previous: Option<CacheFile>,
    target: PathBuf,
    root: PathBuf,
    /// The git state ([`CacheFile::git`]).
    git: Option<String>,
    /// What edits are of no more than one document ([`super::invalidate::edited_document`]).
    config: Config,
    /// One-line notes to show (a cache ignored, and why).
    pub notes: Vec<String>,
}

/// Why a build runs without its cache: one line to show.
pub type Off = String;

impl Session {
    /// Lock and read the cache in `dir` for a build of `config` into `target`.
    pub fn open(
        dir: &Path,
        config: &Config,
        target: &Path,
        settings: Settings,
    ) -> Result<Session, Off> {
        let shown = dir.display();
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        if dir.starts_with(target) {
            return Err(format!(
                "the build cache {shown} is inside the output directory, which every build replaces; building without it"
            ));
        }
        let made = match dir.strip_prefix(&config.root) {
            Ok(rel) => {
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
                write::own_dir(&config.root, &parts)
            }
            Err(_) => match (dir.parent(), dir.file_name()) {
                (Some(parent), Some(name)) => std::fs::create_dir_all(parent)
                    .and_then(|_| write::own_dir(parent, &[&name.to_string_lossy()])),
                _ => Err(std::io::Error::other("not a folder path")),
            },
        };
        let dir = made.map_err(|e| format!("build cache not used: {e}"))?;
        let lock = lock(&dir.join(LOCK)).map_err(|e| match e {
            Locked::Busy => {
                format!("the build cache {shown} is in use by another build; building without it")
            }
            Locked::Io(e) => format!("build cache not used: cannot lock {shown}: {e}"),
        })?;
        // A build killed while saving left its temporary file (the cache itself is whole).
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let leftover = format!(".{FILE}.fieldbook-");
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(&leftover) && name.ends_with(".tmp") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let mut notes = Vec::new();
        let previous = match read(&dir.join(FILE)) {
            Ok(p) => p,
            Err(why) => {
                notes.push(format!(
                    "the build cache {} was ignored: {why}; building everything",
                    dir.join(FILE).display()
                ));
                None
            }
        };
        Ok(Session {
            _lock: lock,
            scan: scan(config),
            settings,
            previous,
            target: target.to_path_buf(),
            root: config.root.clone(),
            git: git_state(&config.content_dir),
            config: config.clone(),
            notes,
            dir,
        })
    }

    /// The last build's report when nothing changed since: same settings, same inputs, and
    /// the output directory as it left it.
    pub fn reusable(&self) -> Option<&Report> {
        let prev = self.previous.as_ref()?;
        if prev.git != self.git
            || prev.listing != self.scan.listing
            || prev.settings != self.settings
        {
            return None;
        }
        (self.changed_inputs(prev)?.is_empty() && self.output_as_left(prev)).then_some(&prev.report)
    }

    /// How to update the last build's output rather than build it all again: when the
    /// settings are the same and every input that changed is a document
    /// ([`super::invalidate::edited_document`]: edited, added or removed), the output is as
    /// the last build left it and it recorded its site.
    pub fn plan(&self) -> Option<Plan> {
        let prev = self.previous.as_ref()?;
        let recorded = prev.site.as_ref()?;
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let owners = abs(&self.config.owners_file);
        let mut everything = prev.settings.today != self.settings.today;
        let mut changed = std::collections::BTreeSet::new();
        for path in self.changed_inputs(prev)? {
            if abs(Path::new(&path)) == owners {
                everything = true;
                continue;
            }
            changed.insert(super::invalidate::edited_document(
                &self.config,
                Path::new(&path),
            )?);
        }
        self.output_as_left(prev).then(|| Plan {
            changed,
            recorded: recorded.clone(),
            everything,
        })
    }

    /// Where a build keeps the output it replaced ([`crate::build::output::Staging::commit_keeping`]),
    /// for the next update to start from: inside the cache directory, which this session
    /// holds locked.
    /// `None` when the cache directory lies in the content (not under a hidden folder),
    /// where a kept output would be walked as content.
    pub fn spare(&self) -> Option<PathBuf> {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let in_content =
            super::output::walked_as_content(&abs(&self.dir), &abs(&self.config.content_dir));
        (!in_content).then(|| self.dir.join(SPARE))
    }

    /// The cache of documents' search analyses ([`crate::search::analysed::Analyses`]).
    pub fn terms_cache(&self) -> PathBuf {
        self.dir.join(TERMS)
    }

    /// The inputs (absolute paths) whose digest is not the one `prev` recorded: read by
    /// either build, or walked now. `None` when the settings differ (everything changed)
    /// in more than the judging date.
    fn changed_inputs(&self, prev: &CacheFile) -> Option<Vec<String>> {
        let but_today = |s: &Settings| Settings {
            today: String::new(),
            ..s.clone()
        };
        if but_today(&prev.settings) != but_today(&self.settings) {
            return None;
        }
        let mut changed: Vec<String> = self
            .scan
            .files
            .iter()
            .filter(|(p, d)| prev.inputs.get(*p) != Some(*d))
            .map(|(p, _)| p.clone())
            .collect();
        let others: Vec<(&String, &String)> = prev
            .inputs
            .iter()
            .filter(|(p, _)| !self.scan.files.contains_key(*p))
            .collect();
        changed.par_extend(
            others
                .par_iter()
                .filter(|(p, d)| digest_of(Path::new(p)) != **d)
                .map(|(p, _)| (*p).clone()),
        );
        changed.sort();
        Some(changed)
    }

    /// Whether the output and the terminal search index are as the last build left them.
    fn output_as_left(&self, prev: &CacheFile) -> bool {
        // What an interrupted build left (a staging directory, a search index writer's
        // temporary file) is cleaned by a full build.
        let index = crate::search::index_dir(&self.root);
        let index_whole = std::fs::read_dir(&index).is_ok_and(|entries| {
            entries
                .flatten()
                .all(|e| !e.file_name().to_string_lossy().starts_with(".tmp"))
        });
        index_whole
            && !super::output::interrupted(&self.target)
            && outputs_unchanged(&self.target, &prev.outputs)
    }

    /// Save this build: `reads` (what [`write::recorded_reads`] returned), the output now in
    /// place, its report and the site it shows. `Err` says why nothing was saved.
    pub fn save(
        self,
        reads: BTreeMap<PathBuf, String>,
        report: &Report,
        site: Option<SiteState>,
    ) -> Result<(), String> {
        let mut inputs = self.scan.files;
        for (path, digest) in reads {
            let path = path.display().to_string();
            match inputs.get(&path) {
                Some(seen) if *seen != digest => {
                    return Err(format!("{path} changed during the build"));
                }
                Some(_) => {}
                None => {
                    inputs.insert(path, digest);
                }
            }
        }
        let changed = site.as_ref().and_then(|s| s.replaced.as_ref());
        let outputs = match (changed, &self.previous) {
            (Some(changed), Some(prev)) => patched_outputs(&self.target, &prev.outputs, changed),
            _ => output_files(&self.target),
        }
        .map_err(|e| format!("cannot list the output {}: {e}", self.target.display()))?;
        let key = key_of(&self.settings, &inputs, &self.scan.listing);
        let file = CacheFile {
            key,
            settings: self.settings,
            inputs,
            listing: self.scan.listing,
            outputs,
            report: report.clone(),
            git: self.git,
            site,
        };
        write::replace_file(&self.dir.join(FILE), &encode(&file)?)
            .map_err(|e| format!("cannot write {}: {e}", self.dir.join(FILE).display()))
    }
}

enum Locked {
    Busy,
    Io(std::io::Error),
}

/// Take the lock file's exclusive lock without waiting (released when the process ends,
/// however it ends).
fn lock(path: &Path) -> Result<std::fs::File, Locked> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(
            (rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32,
        );
    }
    let f = opts.open(path).map_err(Locked::Io)?;
    #[cfg(unix)]
    match rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => return Err(Locked::Busy),
        Err(e) => return Err(Locked::Io(e.into())),
    }
    Ok(f)
}

/// Every regular file under `dir` (links and other files are listed with size `u64::MAX`
/// so that they never match), relative, `/`-separated, with size and modification time.
fn listed_files(dir: &Path) -> std::io::Result<Vec<(String, PathBuf, u64, u64)>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let meta = entry.metadata().map_err(std::io::Error::other)?;
        let (size, modified) = if entry.file_type().is_file() {
            (meta.len(), modified_nanos(&meta))
        } else {
            (u64::MAX, 0)
        };
        out.push((rel, entry.into_path(), size, modified));
    }
    Ok(out)
}

/// A file's modification time, nanoseconds since the epoch (0 when unknown).
pub fn modified_nanos(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64)
}

/// The output manifest: every file with its size and time. No content hashes: nothing reads
/// them (an output is checked by size and time, and `--verify-cache` compares bytes), and
/// reading back a 10k site's 216 MB after every cold build only to hash it cost time.
pub fn output_files(dir: &Path) -> std::io::Result<Vec<OutputFile>> {
    listed_files(dir)?
        .into_iter()
        .map(|(path, _, size, modified)| output_file(path, size, modified))
        .collect()
}

/// One file of the output: a regular file, never a link or anything else (which a build
/// never writes: its output is not recorded).
fn output_file(path: String, size: u64, modified: u64) -> std::io::Result<OutputFile> {
    if size == u64::MAX {
        return Err(std::io::Error::other(format!(
            "{path} is not a regular file"
        )));
    }
    Ok(OutputFile {
        path,
        size,
        modified,
    })
}

/// The output manifest after an update that wrote or removed only `changed` (and made the
/// output directory anew, with its marker) of the output `before` lists: those files are
/// looked at again, not the whole tree.
fn patched_outputs(
    dir: &Path,
    before: &[OutputFile],
    changed: &std::collections::BTreeSet<String>,
) -> std::io::Result<Vec<OutputFile>> {
    let marker = super::output::MARKER;
    let mut out: Vec<OutputFile> = before
        .iter()
        .filter(|o| o.path != marker && !changed.contains(&o.path))
        .cloned()
        .collect();
    let again: Vec<&str> = changed.iter().map(String::as_str).chain([marker]).collect();
    let fresh: Vec<Option<OutputFile>> = again
        .par_iter()
        .map(|rel| {
            let abs = dir.join(rel);
            match std::fs::symlink_metadata(&abs) {
                Ok(m) if m.is_file() => {
                    output_file(rel.to_string(), m.len(), modified_nanos(&m)).map(Some)
                }
                _ => Ok(None),
            }
        })
        .collect::<std::io::Result<_>>()?;
    out.extend(fresh.into_iter().flatten());
    // The order a walk of the tree lists them in (`listed_files`).
    out.sort_by(|a, b| Path::new(&a.path).cmp(Path::new(&b.path)));
    Ok(out)
}

/// Whether `dir` holds exactly the files of `manifest`, each of the same size and time.
pub fn outputs_unchanged(dir: &Path, manifest: &[OutputFile]) -> bool {
    let Ok(now) = listed_files(dir) else {
        return false;
    };
    let recorded: std::collections::HashMap<&str, &OutputFile> =
        manifest.iter().map(|o| (o.path.as_str(), o)).collect();
    now.len() == manifest.len()
        && now.iter().all(|(rel, _, size, modified)| {
            recorded
                .get(rel.as_str())
                .is_some_and(|m| *size == m.size && *modified == m.modified)
        })
}

/// The files that differ between two output directories (in one only, or other bytes),
/// sorted, and how many files were compared.
pub fn compare_dirs(a: &Path, b: &Path) -> std::io::Result<(Vec<String>, usize)> {
    let list = |d: &Path| -> std::io::Result<BTreeMap<String, PathBuf>> {
        Ok(listed_files(d)?
            .into_iter()
            .map(|(rel, abs, _, _)| (rel, abs))
            .collect())
    };
    let (la, lb) = (list(a)?, list(b)?);
    let mut all: Vec<&String> = la.keys().chain(lb.keys()).collect();
    all.sort();
    all.dedup();
    let read = |p: &Path| write::read_bounded_unrecorded(p, u64::MAX, false).ok();
    let differ: Vec<String> = all
        .par_iter()
        .filter(|rel| match (la.get(**rel), lb.get(**rel)) {
            (Some(x), Some(y)) => {
                let (x, y) = (read(x), read(y));
                x.is_none() || x != y
            }
            _ => true,
        })
        .map(|r| (*r).clone())
        .collect();
    Ok((differ, all.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            findings: vec![],
            baseline: None,
            pages: 1,
            files: 2,
            output: "/x".into(),
            errors: 0,
            warnings: 0,
            exit: 0,
        }
    }

    #[test]
    fn a_finding_survives_the_cache_whole() {
        let mut d = Diagnostic::new(
            Code::Stale,
            "content/a.md",
            crate::diagnostic::Pos::START,
            "stale",
        )
        .with_hint("review it");
        d.source_line = Some("reviewed: 2020-01-01".into());
        d.span_len = 7;
        let f = Finding::of(&d);
        let json = serde_json::to_string(&f).unwrap();
        let back: Finding = serde_json::from_str(&json).unwrap();
        assert_eq!(back.diagnostic(), Some(d));
        let mut foreign = f.clone();
        foreign.base.code = "no-such-code".into();
        assert_eq!(foreign.diagnostic(), None);
    }

    #[test]
    fn a_damaged_cache_is_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        assert!(read(&path).unwrap().is_none(), "no cache yet is no note");
        let settings = Settings {
            fieldbook: env!("CARGO_PKG_VERSION").into(),
            builtin_theme: "t".into(),
            root: "/s".into(),
            output: "/s/public".into(),
            drafts: false,
            strict: false,
            part: None,
            today: "2026-01-01".into(),
        };
        let inputs: BTreeMap<String, String> = [("/s/book.toml".into(), "absent".into())].into();
        let key = key_of(&settings, &inputs, &[]);
        let file = CacheFile {
            key,
            settings,
            inputs,
            listing: vec![],
            outputs: vec![],
            report: report(),
            git: None,
            site: None,
        };
        let json = String::from_utf8(encode(&file).unwrap()).unwrap();
        std::fs::write(&path, &json).unwrap();
        assert!(read(&path).unwrap().is_some());
        std::fs::write(&path, &json[..json.len() / 2]).unwrap();
        assert!(read(&path).unwrap_err().contains("corrupt"));
        // Edited by hand: the seal no longer matches.
        std::fs::write(&path, json.replace("absent", "present")).unwrap();
        assert!(read(&path).unwrap_err().contains("seal"));
        // Sealed, but its key is not that of its inputs.
        let mut unkeyed = CacheFile {
            key: "0".into(),
            ..serde_json::from_str(&serde_json::to_string(&file).unwrap()).unwrap()
        };
        std::fs::write(&path, encode(&unkeyed).unwrap()).unwrap();
        assert!(read(&path).unwrap_err().contains("key"));
        unkeyed.key = file.key.clone();
        std::fs::write(&path, encode(&unkeyed).unwrap()).unwrap();
        assert!(read(&path).unwrap().is_some());
        let foreign = json.replacen(
            &format!("\"fieldbook\":\"{}\"", env!("CARGO_PKG_VERSION")),
            "\"fieldbook\":\"0.0.1\"",
            1,
        );
        std::fs::write(&path, foreign).unwrap();
        assert!(read(&path).unwrap_err().contains("0.0.1"));
        std::fs::write(&path, b"\xff\x00garbage").unwrap();
        assert!(read(&path).unwrap_err().contains("corrupt"));
    }

    #[test]
    fn compare_names_what_differs() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for d in [a.path(), b.path()] {
            std::fs::create_dir_all(d.join("x")).unwrap();
            std::fs::write(d.join("x/same.html"), "same").unwrap();
        }
        std::fs::write(a.path().join("x/other.html"), "one").unwrap();
        std::fs::write(b.path().join("x/other.html"), "two").unwrap();
        std::fs::write(a.path().join("only-a.html"), "a").unwrap();
        let (differ, total) = compare_dirs(a.path(), b.path()).unwrap();
        assert_eq!(differ, ["only-a.html", "x/other.html"]);
        assert_eq!(total, 3);
    }
}
