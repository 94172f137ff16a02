//! The preview's renderer. The whole site is rendered into memory at the start and when
//! `book.toml`, the owners file or the theme change; an edit of the content is applied to the
//! site and re-renders only what [`crate::build::invalidate`] says it affects, in two steps so
//! that the edited page is served at once:
//!
//! 1. right away: the document pages (the edited ones, their courses' pages, case studies,
//!    pages linking to a document that appeared or went); removed pages are dropped. These
//!    are swapped into the served site together.
//! 2. then, in the background and stopping as soon as another edit arrives: the index pages.
//!    When the counts of the navigation shown on every page change (a runbook added, a review
//!    date crossing into "stale"), every page is re-rendered, a chunk at a time.
//!
//! The search worker then updates the tantivy index (incrementally) and rewrites the browser's
//! client index. A file whose front matter no longer parses keeps its last good version in
//! the site (so its page stays as it was) and its errors go to open pages as an overlay.

use super::search_worker::{SearchUpdate, is_client_index};
use super::trace::{Trace, ms};
use super::watch::{self, Batch, Targets};
use super::{ServerEvent, Shared};
use crate::build::context::NavItem;
use crate::build::invalidate::{Before, Edit, Invalidated, invalidate};
use crate::build::theme::Theme;
use crate::build::{BuildOptions, Builder, Fatal, MemorySink, Sink};
use crate::content::date::Date;
use crate::content::urls::output_file;
use crate::diagnostic::{Code, Diagnostic, Summary};
use crate::load::{self, Loaded};
use crate::model::history::History;
use crate::model::{Document, Site};
use crate::search::SearchDoc;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// Pages re-rendered per step when every page must be (a navigation count changed).
const CHUNK: usize = 256;

pub struct Options {
    /// The site directory, canonical.
    pub root: PathBuf,
    pub today: Option<Date>,
    pub drafts: bool,
    pub color: bool,
}

/// The first build's figures.
pub struct FirstBuild {
    pub pages: usize,
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
}

pub struct Engine {
    opts: Options,
    shared: Arc<Shared>,
    search_tx: mpsc::Sender<SearchUpdate>,
    watcher: Option<watch::Handle>,
    site: Site,
    theme: Theme,
    history: std::sync::Arc<History>,
    nav: Vec<NavItem>,
    /// Every index page URL the served site has.
    index_urls: BTreeSet<String>,
    /// Documents (content paths) whose pages wait for the background step.
    pending_docs: BTreeSet<String>,
    /// Index page URLs waiting for the background step (or all of them).
    pending_index: BTreeSet<String>,
    all_index: bool,
    /// When the pending work began, for the terminal.
    pending_since: Option<Instant>,
    pending_pages: usize,
    /// Errors of files that were edited (what the overlay shows), by file.
    file_errors: BTreeMap<String, Vec<Diagnostic>>,
    /// Errors that stopped the last full rebuild (configuration, owners, templates): they
    /// stay until a full rebuild succeeds.
    fatal: Vec<Diagnostic>,
    /// Errors that stopped rendering after an edit (a template failing on some document).
    render_fatal: Vec<Diagnostic>,
}

struct Full {
    site: Site,
    theme: Theme,
    history: std::sync::Arc<History>,
    files: MemorySink,
    nav: Vec<NavItem>,
    index_urls: Vec<String>,
    pages: usize,
    file_count: usize,
    findings: Vec<Diagnostic>,
}

/// Load, check and render the whole site into memory.
fn full_build(opts: &Options) -> Result<Full, Fatal> {
    let (mut site, findings) = crate::pipeline::checked_site(&opts.root, opts.today, false)?;
    // Served from the root of the preview server, whatever the published address.
    site.config.book.base_url = "/".into();
    let theme = Theme::load(&site.config)?;
    let history = site.history.clone();
    let files = MemorySink::new();
    let bopts = BuildOptions::in_memory(opts.drafts);
    let (pages, file_count, index_urls, nav) = {
        let b = Builder::new(&site, &theme, &bopts, &files, &history);
        let (pages, file_count, urls) = b.run_all()?;
        (pages, file_count, urls, b.nav().to_vec())
    };
    Ok(Full {
        site,
        theme,
        history,
        files,
        nav,
        index_urls,
        pages,
        file_count,
        findings,
    })
}

/// What to watch for a site.
pub fn watch_targets(root: &Path, c: &crate::config::Config) -> Targets {
    Targets {
        root: root.to_path_buf(),
        content: c.content_dir.clone(),
        config: root.join(&c.file),
        owners: c.owners_file.clone(),
        theme: root.join("themes").join(&c.theme),
        output: c.output_dir.clone(),
        adopted: crate::adopt::watched_files(c),
    }
}

/// The page URL of an output path (`runbooks/a/index.html` → `runbooks/a/`), for HTML files.
/// Objectives, lesson id, and each question's id and version.
fn page_url(path: &str) -> Option<String> {
    if path == "index.html" {
        return Some(String::new());
    }
    if let Some(dir) = path.strip_suffix("/index.html") {
        return Some(format!("{dir}/"));
    }
    path.ends_with(".html").then(|| path.to_string())
}

fn page_urls(paths: &[String]) -> Vec<String> {
    let mut urls: Vec<String> = paths.iter().filter_map(|p| page_url(p)).collect();
    urls.sort();
    urls
}

/// Errors of an edited file that the overlay shows: it could not be read or its metadata is
/// invalid.
fn overlay_worthy(d: &Diagnostic) -> bool {
    matches!(
        d.code,
        Code::InvalidMetadata
            | Code::InvalidEncoding
            | Code::FileTooLarge
            | Code::IoError
            | Code::SymlinkOutside
    ) || d.code.is_fatal()
}

impl Engine {
    /// Render the whole site and publish it into `shared`.
    pub fn start(
        opts: Options,
        shared: Arc<Shared>,
        search_tx: mpsc::Sender<SearchUpdate>,
    ) -> Result<(Engine, FirstBuild), Fatal> {
        let full = full_build(&opts)?;
        let summary = Summary::of(full.site.documents.len(), &full.findings);
        let first = FirstBuild {
            pages: full.pages,
            files: full.file_count,
            errors: summary.errors,
            warnings: summary.warnings,
        };
        shared.files.replace_all(full.files, is_client_index);
        let mut engine = Engine {
            opts,
            shared,
            search_tx,
            watcher: None,
            site: full.site,
            theme: full.theme,
            history: full.history,
            nav: full.nav,
            index_urls: full.index_urls.into_iter().collect(),
            pending_docs: BTreeSet::new(),
            pending_index: BTreeSet::new(),
            all_index: false,
            pending_since: None,
            pending_pages: 0,
            file_errors: BTreeMap::new(),
            fatal: Vec::new(),
            render_fatal: Vec::new(),
        };
        engine.reindex_search();
        Ok((engine, first))
    }

    pub fn title(&self) -> &str {
        &self.site.config.book.title
    }

    pub fn watch_targets(&self) -> Targets {
        watch_targets(&self.opts.root, &self.site.config)
    }

    pub fn set_watcher(&mut self, w: watch::Handle) {
        self.watcher = Some(w);
    }

    fn has_pending(&self) -> bool {
        self.all_index || !self.pending_index.is_empty() || !self.pending_docs.is_empty()
    }

    /// Apply batches of changes until the watcher stops; background work runs between them.
    pub fn run(mut self, rx: mpsc::Receiver<Batch>, interrupt: Arc<AtomicBool>) {
        loop {
            let batch = if self.has_pending() {
                match rx.try_recv() {
                    Ok(b) => Some(b),
                    Err(mpsc::TryRecvError::Empty) if interrupt.load(Ordering::SeqCst) => {
                        // A batch is being collected: wait for it rather than start more work.
                        match rx.recv_timeout(Duration::from_millis(200)) {
                            Ok(b) => Some(b),
                            Err(mpsc::RecvTimeoutError::Timeout) => {
                                interrupt.store(false, Ordering::SeqCst);
                                None
                            }
                            Err(mpsc::RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    Err(mpsc::TryRecvError::Empty) => None,
                    Err(mpsc::TryRecvError::Disconnected) => return,
                }
            } else {
                match rx.recv() {
                    Ok(b) => Some(b),
                    Err(_) => return,
                }
            };
            match batch {
                Some(mut b) => {
                    interrupt.store(false, Ordering::SeqCst);
                    while let Ok(more) = rx.try_recv() {
                        b.full |= more.full;
                        b.content.extend(more.content);
                    }
                    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        self.handle(b);
                    }));
                    if caught.is_err() {
                        // The site may be half updated: start again from the files.
                        eprintln!("error: the rebuild failed unexpectedly; rebuilding everything");
                        self.rebuild_all(Instant::now());
                    }
                }
                None => self.background(&interrupt),
            }
        }
    }

    /// Apply one batch of changes.
    pub fn handle(&mut self, batch: Batch) {
        let started = Instant::now();
        if batch.full {
            self.rebuild_all(started);
        } else {
            self.incremental(&batch.content, started);
        }
    }

    /// Everything again, from the files (configuration, owners or theme changed).
    fn rebuild_all(&mut self, started: Instant) {
        match full_build(&self.opts) {
            Ok(full) => {
                self.shared.files.replace_all(full.files, is_client_index);
                self.site = full.site;
                self.theme = full.theme;
                self.history = full.history;
                self.nav = full.nav;
                self.index_urls = full.index_urls.into_iter().collect();
                self.pending_docs.clear();
                self.pending_index.clear();
                self.all_index = false;
                self.pending_since = None;
                self.fatal.clear();
                self.render_fatal.clear();
                // Files still broken stay on the overlay; the others were fixed meanwhile.
                let findings = &self.site.load_findings;
                for (file, errs) in self.file_errors.iter_mut() {
                    *errs = findings
                        .iter()
                        .filter(|d| &d.file == file && overlay_worthy(d))
                        .cloned()
                        .collect();
                }
                self.file_errors.retain(|_, e| !e.is_empty());
                if let Some(w) = &self.watcher {
                    w.retarget(self.watch_targets());
                }
                self.publish_status(false);
                self.shared.send(ServerEvent::reload_all());
                let summary = Summary::of(self.site.documents.len(), &full.findings);
                eprintln!(
                    "rebuilt everything: {} pages in {}, {} errors, {} warnings",
                    full.pages,
                    ms(started.elapsed()),
                    summary.errors,
                    summary.warnings
                );
                self.reindex_search();
            }
            Err(fatal) => {
                self.report(&fatal);
                eprintln!("the preview keeps serving the last good site until this is fixed");
                self.fatal = fatal;
                self.publish_status(true);
            }
        }
    }

    /// Print the findings of `files` on the terminal: for a broken file, the errors that kept
    /// its last good version; for the others, what the checks find in them now.
    fn report_findings(&self, files: &BTreeSet<String>, kept: &[String]) {
        let keep = |f: &str| files.contains(f) && !kept.iter().any(|b| b == f);
        let which = crate::pipeline::Checks {
            alert_rules: &[],
            files: Some(&keep),
            drafts: self.opts.drafts,
            external: false,
        };
        // The same checks as `check`; a fatal one (a rule file gone) is printed as it is.
        let mut findings =
            crate::pipeline::findings(&self.site, &which).unwrap_or_else(|fatal| fatal);
        for b in kept {
            findings.extend(self.file_errors.get(b).into_iter().flatten().cloned());
        }
        self.report(&findings);
    }

    fn report(&self, diags: &[Diagnostic]) {
        let mut err = std::io::stderr();
        let _ = crate::diagnostic::format::print_findings(diags, &mut err, self.opts.color);
    }

    /// Tell open pages about errors (or that there are none any more). `again` sends the
    /// current errors even when they did not change (the file was saved broken again).
    fn publish_status(&self, again: bool) {
        let mut diags: Vec<Diagnostic> = self.fatal.clone();
        diags.extend(self.render_fatal.iter().cloned());
        diags.extend(self.file_errors.values().flatten().cloned());
        for d in &mut diags {
            d.severity = crate::diagnostic::Severity::Error;
        }
        let status = (!diags.is_empty()).then(|| ServerEvent::error(&diags));
        let changed = self.shared.set_status(status.clone());
        if changed || (again && status.is_some()) {
            self.shared.send(status.unwrap_or_else(ServerEvent::ok));
        }
    }

    /// Sort changed paths under the content directory into Markdown files, other files and
    /// folders (content-relative). `None`: the content directory itself changed.
    #[allow(clippy::type_complexity)]
    fn sort_paths(
        &self,
        paths: &BTreeSet<PathBuf>,
    ) -> Option<(BTreeSet<String>, BTreeSet<String>, BTreeSet<String>)> {
        let content = &self.site.config.content_dir;
        let mut md = BTreeSet::new();
        let mut assets = BTreeSet::new();
        let mut dirs = BTreeSet::new();
        for p in paths {
            let Ok(relp) = p.strip_prefix(content) else {
                continue;
            };
            let rel = crate::content::slash(relp);
            if rel.is_empty() {
                return None;
            }
            let prefix = format!("{rel}/");
            let gone_below = |md: &mut BTreeSet<String>, assets: &mut BTreeSet<String>| {
                for d in &self.site.documents {
                    if d.rel.starts_with(&prefix) && !content.join(&d.rel).is_file() {
                        md.insert(d.rel.clone());
                    }
                }
                for a in &self.site.assets {
                    if a.starts_with(&prefix) && !content.join(a).is_file() {
                        assets.insert(a.clone());
                    }
                }
            };
            if p.is_dir() {
                dirs.insert(rel.clone());
                let mut refused = Vec::new();
                let skip = |n: &str| load::is_hidden(n) || watch::is_temporary(n);
                let walker = load::walk_inside(&self.site.config.root, p, skip, &mut refused);
                // Files new to the site (moved in with their folder, or written before the
                // folder was watched); changes to known files come as events of their own.
                for e in walker.flatten() {
                    let r =
                        crate::content::slash(e.path().strip_prefix(content).unwrap_or(e.path()));
                    if e.file_type().is_dir() {
                        dirs.insert(r);
                    } else if load::is_template(&r) {
                        continue;
                    } else if load::is_markdown(&r) {
                        if self.site.get(&r).is_none() {
                            md.insert(r);
                        }
                    } else if !self.site.assets.contains(&r) {
                        assets.insert(r);
                    }
                }
                if !refused.is_empty() {
                    self.report(&refused);
                }
                gone_below(&mut md, &mut assets);
            } else if load::is_template(&rel) {
                // A partial reaches every page that includes it (edited or gone): rebuild.
                return None;
            } else if p.is_file() {
                if load::is_markdown(&rel) {
                    md.insert(rel);
                } else {
                    assets.insert(rel);
                }
            } else {
                // Gone: a file or a whole folder.
                if self.site.get(&rel).is_some() {
                    md.insert(rel.clone());
                } else if self.site.assets.contains(&rel) {
                    assets.insert(rel.clone());
                }
                gone_below(&mut md, &mut assets);
                dirs.insert(rel);
            }
        }
        Some((md, assets, dirs))
    }

    /// Re-render what the changed paths affect.
    fn incremental(&mut self, paths: &BTreeSet<PathBuf>, started: Instant) {
        let Some((md, assets, touched_dirs)) = self.sort_paths(paths) else {
            return self.rebuild_all(started);
        };
        if md.is_empty() && assets.is_empty() && touched_dirs.is_empty() {
            return;
        }
        let content = self.site.config.content_dir.clone();
        let mut trace = Trace::new();
        trace.lap("sort");

        // How the documents looked before.
        let before = Before::capture(&self.site, self.opts.drafts, &md);

        // Apply the Markdown changes.
        let mut applied: BTreeSet<String> = BTreeSet::new();
        let mut broken: Vec<String> = Vec::new();
        // Files whose last good version stays (their errors are printed from `file_errors`).
        let mut kept: Vec<String> = Vec::new();
        let mut changed_files: Vec<String> = Vec::new();
        for rel in &md {
            let path = content.join(rel);
            let file = crate::config::site_rel(&self.site.config, &path);
            changed_files.push(file.clone());
            if !path.is_file() {
                self.file_errors.remove(&file);
                self.site.set_load_findings(&file, Vec::new());
                if self.site.remove(rel).is_some() {
                    applied.insert(rel.clone());
                }
                continue;
            }
            let policy = &self.site.config.policy;
            match load::load_file(&self.site.config, &*self.site.outside, rel, self.site.today) {
                Loaded::Doc(doc, mut findings) => {
                    policy.apply(&mut findings);
                    let errors: Vec<Diagnostic> = findings
                        .iter()
                        .filter(|d| overlay_worthy(d))
                        .cloned()
                        .collect();
                    if errors.is_empty() {
                        self.file_errors.remove(&file);
                    } else {
                        broken.push(file.clone());
                        self.file_errors.insert(file.clone(), errors);
                    }
                    // Front matter that does not parse: keep serving the last good version.
                    if !doc.meta_ok && self.site.get(rel).is_some_and(|d| d.meta_ok) {
                        kept.push(file);
                        continue;
                    }
                    self.site.set_load_findings(&file, findings);
                    self.site.upsert(*doc);
                    applied.insert(rel.clone());
                }
                Loaded::Finding(mut f) => {
                    f.severity = policy.severity(f.code);
                    broken.push(file.clone());
                    kept.push(file.clone());
                    self.file_errors.insert(file.clone(), vec![f.clone()]);
                    if self.site.get(rel).is_none() {
                        self.site.set_load_findings(&file, vec![f]);
                    }
                }
                Loaded::Fatal(f) => {
                    broken.push(file.clone());
                    kept.push(file.clone());
                    self.file_errors.insert(file.clone(), vec![f]);
                }
            }
        }

        trace.lap("load");

        // Other files: copied into memory, or dropped.
        let staged = MemorySink::new();
        let mut removed: Vec<String> = Vec::new();
        for rel in &assets {
            let path = content.join(rel);
            let refused = crate::config::outside_link(&self.site.config.root, &path);
            if let Some(f) = &refused {
                self.report(std::slice::from_ref(f));
            }
            if refused.is_none() && path.is_file() {
                match staged.copy(rel, &path) {
                    Ok(()) => {
                        if !self.site.assets.contains(rel) {
                            self.site.assets.push(rel.clone());
                        }
                    }
                    Err(e) => self.report(&e),
                }
            } else {
                self.site.assets.retain(|a| a != rel);
                removed.push(rel.clone());
            }
        }

        // Folders (links to a folder resolve to its URL).
        let old_dirs: BTreeSet<String> = self.site.dirs.iter().cloned().collect();
        let mut dirs = old_dirs.clone();
        let mut candidates: BTreeSet<String> = touched_dirs;
        for rel in md.iter().chain(&assets) {
            let mut r = rel.as_str();
            while let Some((parent, _)) = r.rsplit_once('/') {
                candidates.insert(parent.to_string());
                r = parent;
            }
        }
        for c in &candidates {
            if content.join(c).is_dir() {
                dirs.insert(c.clone());
            } else {
                let prefix = format!("{c}/");
                dirs.remove(c);
                dirs.retain(|d| !d.starts_with(&prefix));
            }
        }
        let changed_dirs: BTreeSet<String> =
            old_dirs.symmetric_difference(&dirs).cloned().collect();
        if !changed_dirs.is_empty() {
            self.site.dirs = dirs.into_iter().collect();
        }
        if applied.is_empty() && assets.is_empty() && changed_dirs.is_empty() {
            // Nothing to render: a broken file kept its last good version, or a temporary
            // file came and went.
            let files: BTreeSet<String> = broken.iter().cloned().collect();
            self.report_findings(&files, &kept);
            self.publish_status(!broken.is_empty());
            return;
        }

        let edit = Edit {
            documents: applied,
            dirs: changed_dirs,
        };
        let Invalidated {
            pages: render,
            index,
            removed: gone,
            search: touched,
            summaries_changed,
        } = invalidate(&before, &self.site, &edit, self.opts.drafts);
        removed.extend(gone);
        trace.lap("affected");

        // Render and publish. The navigation's counts can only change with a summary.
        let bopts = BuildOptions::in_memory(self.opts.drafts);
        let (result, nav, rendered) = {
            let mut b = Builder::new(&self.site, &self.theme, &bopts, &staged, &self.history);
            if !summaries_changed {
                b = b.with_nav(self.nav.clone());
            }
            let docs: Vec<&Document> = render.iter().filter_map(|r| self.site.get(r)).collect();
            let result = docs.par_iter().try_for_each(|d| b.doc_page(d));
            trace.lap("render");
            (result, b.nav().to_vec(), docs.len())
        };
        if let Err(fatal) = result {
            self.report(&fatal);
            self.render_fatal = fatal;
            self.publish_status(true);
            return;
        }
        self.render_fatal.clear();
        self.publish_status(!broken.is_empty());
        let changed = self.shared.files.apply(staged, &removed);
        trace.lap("publish");
        if !assets.is_empty() {
            self.shared.send(ServerEvent::reload_all());
        } else if !changed.is_empty() {
            self.shared.send(ServerEvent::reload(page_urls(&changed)));
        }
        for rel in &render {
            self.pending_docs.remove(rel);
        }
        let names = if changed_files.len() + assets.len() > 3 {
            format!("{} files", changed_files.len() + assets.len())
        } else {
            changed_files
                .iter()
                .cloned()
                .chain(
                    assets
                        .iter()
                        .map(|a| crate::config::site_rel(&self.site.config, &content.join(a))),
                )
                .collect::<Vec<_>>()
                .join(", ")
        };
        eprintln!(
            "changed {names}: {rendered} page{} updated in {}{}",
            if rendered == 1 { "" } else { "s" },
            ms(started.elapsed()),
            if index.is_empty() {
                ""
            } else {
                "; index pages follow"
            }
        );

        // Background work: index pages; every page when the navigation counts changed.
        if nav != self.nav {
            self.nav = nav;
            self.all_index = true;
            self.pending_docs = self
                .site
                .documents
                .iter()
                .filter(|d| d.is_listed(self.opts.drafts) && !render.contains(&d.rel))
                .map(|d| d.rel.clone())
                .collect();
        }
        if !index.is_empty() || self.has_pending() {
            self.pending_index.extend(index);
            self.pending_since.get_or_insert(started);
        }

        // Findings of the changed files and of the pages linking to them, on the terminal.
        trace.lap("print");
        let files: BTreeSet<String> = changed_files
            .iter()
            .cloned()
            .chain(
                render
                    .iter()
                    .filter_map(|r| self.site.get(r))
                    .map(|d| d.file.clone()),
            )
            .collect();
        self.report_findings(&files, &kept);
        trace.lap("checks");

        // Search entries.
        let entries: BTreeSet<&String> = touched.iter().chain(&md).collect();
        let update: Vec<(String, Option<SearchDoc>)> = entries
            .into_iter()
            .map(|rel| {
                let entry = self
                    .site
                    .get(rel)
                    .filter(|d| d.is_listed(self.opts.drafts))
                    .map(|d| crate::search::search_doc(&self.site, d));
                (rel.clone(), entry)
            })
            .collect();
        if !update.is_empty() {
            let _ = self.search_tx.send(SearchUpdate::Some(update));
        }
        trace.lap("search entries");
        trace.print();
    }

    /// All search entries again, sent to the search worker.
    fn reindex_search(&mut self) {
        let all = crate::search::documents(&self.site, self.opts.drafts);
        let _ = self.search_tx.send(SearchUpdate::All(all));
    }

    /// One step of pending work: the index pages, or a chunk of document pages.
    fn background(&mut self, interrupt: &AtomicBool) {
        let mut trace = Trace::new();
        let bopts = BuildOptions::in_memory(self.opts.drafts);
        let staged = MemorySink::new();
        if self.all_index || !self.pending_index.is_empty() {
            let done: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
            let result = {
                let b = Builder::new(&self.site, &self.theme, &bopts, &staged, &self.history);
                let want = |url: &str| -> bool {
                    if interrupt.load(Ordering::SeqCst) {
                        return false;
                    }
                    if self.all_index || self.pending_index.contains(url) {
                        if let Ok(mut d) = done.lock() {
                            d.insert(url.to_string());
                        }
                        if trace.on {
                            eprintln!(
                                "    {url:?} at {:.1} ms",
                                trace.last.elapsed().as_secs_f64() * 1000.0
                            );
                        }
                        true
                    } else {
                        false
                    }
                };
                b.index_pages(&want)
            };
            let done = done.into_inner().unwrap_or_else(|e| e.into_inner());
            trace.lap(&format!("index pages ({})", done.len()));
            match result {
                Ok(pages) => {
                    let now: BTreeSet<String> = pages.urls.into_iter().collect();
                    let gone: Vec<String> = self
                        .index_urls
                        .difference(&now)
                        .map(|u| output_file(u))
                        .collect();
                    if self.all_index {
                        self.pending_index = now.difference(&done).cloned().collect();
                        self.all_index = false;
                    } else {
                        self.pending_index
                            .retain(|u| !done.contains(u) && now.contains(u));
                    }
                    self.index_urls = now;
                    let changed = self.shared.files.apply(staged, &gone);
                    trace.lap("publish");
                    self.pending_pages += pages.rendered;
                    if !changed.is_empty() {
                        self.shared.send(ServerEvent::reload(page_urls(&changed)));
                    }
                }
                Err(fatal) => {
                    self.report(&fatal);
                    self.pending_index.clear();
                    self.all_index = false;
                    self.render_fatal = fatal;
                    self.publish_status(true);
                }
            }
        } else if !self.pending_docs.is_empty() {
            let chunk: Vec<String> = self.pending_docs.iter().take(CHUNK).cloned().collect();
            for r in &chunk {
                self.pending_docs.remove(r);
            }
            let result = {
                let b = Builder::new(&self.site, &self.theme, &bopts, &staged, &self.history);
                chunk
                    .par_iter()
                    .filter_map(|r| self.site.get(r))
                    .filter(|d| d.is_listed(self.opts.drafts) && !d.url().is_empty())
                    .try_for_each(|d| b.doc_page(d))
            };
            match result {
                Ok(()) => {
                    let changed = self.shared.files.apply(staged, &[]);
                    self.pending_pages += chunk.len();
                    if !changed.is_empty() {
                        self.shared.send(ServerEvent::reload(page_urls(&changed)));
                    }
                }
                Err(fatal) => {
                    self.report(&fatal);
                    self.pending_docs.clear();
                    self.render_fatal = fatal;
                    self.publish_status(true);
                }
            }
        }
        trace.print();
        if !self.has_pending()
            && let Some(since) = self.pending_since.take()
        {
            eprintln!(
                "  then {} index and other pages, all done {} after the change",
                std::mem::take(&mut self.pending_pages),
                ms(since.elapsed())
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_become_page_urls() {
        assert_eq!(page_url("index.html").as_deref(), Some(""));
        assert_eq!(
            page_url("runbooks/db/failover/index.html").as_deref(),
            Some("runbooks/db/failover/")
        );
        assert_eq!(page_url("404.html").as_deref(), Some("404.html"));
        assert_eq!(page_url("sitemap.xml"), None);
        assert_eq!(page_url("static/fieldbook.css"), None);
        assert!(is_client_index("search/t/0.json"));
        assert!(is_client_index("search/index.json"));
        assert!(!is_client_index("search/index.html"));
    }
}
