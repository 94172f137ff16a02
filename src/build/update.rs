//! A build that updates the last build's output instead of writing it all again:
//! what the build cache ([`super::cache`]) does when only documents changed since (edited,
//! added, removed). What to write comes from the one model of what an edit invalidates,
//! [`super::invalidate::invalidate`], fed with what the last build recorded of the site
//! ([`SiteState`]): the edited documents' pages, the pages and index pages that show them, the
//! pages whose git history changed (a new commit), every page when the navigation's counts
//! changed; the browser search index is written again whole (its term statistics are the
//! whole site's). Files of pages that went are removed.
//!
//! The update is made in a staging directory holding hard links to every file of the
//! output (no byte is copied), then swapped in whole like a full build, so a build killed
//! midway leaves the previous site as it was. The replaced output is kept in the cache
//! directory and becomes the next update's staging directory: only the files that differ
//! are linked again, so neither making nor removing a tree of every page costs the update. A file equal to the previous one stays
//! that file (it keeps its time, so `rsync` and uploads skip it).

use super::cache::{Plan, SiteState, digest};
use super::invalidate::{Before, Edit, Recorded, invalidate};
use super::{Builder, DirSink, Sink, theme::Theme};
use crate::content::urls::output_file;
use crate::diagnostic::{Fatal, trace};
use crate::model::Site;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::Mutex;

/// What an update did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Updated {
    /// Document pages rendered again.
    pub pages: usize,
    /// Index pages rendered again.
    pub index: usize,
    /// Files removed.
    pub removed: usize,
}

/// A sink remembering what was written, so that nothing written is then removed (by an
/// update here, and by `compose` into its last output).
pub struct Recording<'a> {
    inner: &'a DirSink,
    written: Mutex<HashSet<String>>,
}

impl<'a> Recording<'a> {
    pub fn new(inner: &'a DirSink) -> Recording<'a> {
        Recording {
            inner,
            written: Mutex::default(),
        }
    }

    /// Every path written so far.
    pub fn take_written(&self) -> HashSet<String> {
        std::mem::take(
            &mut *self
                .written
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl Sink for Recording<'_> {
    fn put(&self, rel_path: &str, bytes: Vec<u8>) -> Result<(), Fatal> {
        if let Ok(mut w) = self.written.lock() {
            w.insert(rel_path.to_string());
        }
        self.inner.put(rel_path, bytes)
    }

    fn copy(&self, rel_path: &str, from: &Path) -> Result<(), Fatal> {
        if let Ok(mut w) = self.written.lock() {
            w.insert(rel_path.to_string());
        }
        self.inner.copy(rel_path, from)
    }
}

/// The counts a full build reports, and the site's state, after an update.
pub struct Outcome {
    pub pages: usize,
    pub files: usize,
    pub search: Result<crate::search::IndexStats, String>,
    pub state: SiteState,
    pub updated: Updated,
}

/// Update `target` (the output the recorded build left) for `site`, whose checks found no
/// output collision. `Ok(None)`: the plan does not fit this site (a changed file that is no
/// document before or after), and nothing was written: build it all.
pub fn update(
    site: &Site,
    opts: &super::BuildOptions,
    theme: &Theme,
    target: &Path,
    plan: &Plan,
) -> Result<Option<Outcome>, Fatal> {
    let recorded = &plan.recorded;
    if plan
        .changed
        .iter()
        .any(|rel| site.get(rel).is_none() && !recorded.documents.contains_key(rel))
    {
        return Ok(None);
    }
    // Two pages of one output file (`output-collision`): which one a full build keeps
    // depends on every page, so the caller builds everything then (`cli::build`).
    let listed: Vec<&crate::model::Document> = site
        .documents
        .iter()
        .filter(|d| d.is_listed(opts.drafts))
        .collect();

    let dirs: BTreeSet<&String> = site.dirs.iter().collect();
    let old_dirs: BTreeSet<&String> = recorded.dirs.iter().collect();
    let edit = Edit {
        documents: plan.changed.clone(),
        dirs: dirs
            .symmetric_difference(&old_dirs)
            .map(|d| (*d).clone())
            .collect(),
    };
    let before = Before::recorded(&recorded.documents, &plan.changed);
    let inv = invalidate(&before, site, &edit, opts.drafts);

    let spare = opts.spare.as_deref();
    let staging =
        super::output::Staging::begin_from(target, target, spare, recorded.replaced.as_ref())
            .map_err(|e| out_err(target, &e))?;
    trace::step("update: staging made");
    match render(site, opts, theme, target, &staging.dir, plan, &inv, &listed) {
        Ok(mut outcome) => {
            let kept = staging
                .commit_keeping(spare)
                .map_err(|e| out_err(target, &e))?;
            trace::step("update: swapped in");
            if !kept {
                outcome.state.replaced = None;
            }
            Ok(Some(outcome))
        }
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

fn out_err(target: &Path, e: &std::io::Error) -> Fatal {
    super::sink::output_error(format!("cannot update {}: {e}", target.display()))
}

/// Render what `inv` names into `dir` (the staging copy of `target`) and remove what went.
#[allow(clippy::too_many_arguments)]
fn render(
    site: &Site,
    opts: &super::BuildOptions,
    theme: &Theme,
    target: &Path,
    dir: &Path,
    plan: &Plan,
    inv: &super::invalidate::Invalidated,
    listed: &[&crate::model::Document],
) -> Result<Outcome, Fatal> {
    let recorded = &plan.recorded;
    let dir_sink = DirSink::reusing(dir, target);
    let sink = Recording::new(&dir_sink);
    let b = Builder::new(site, theme, opts, &sink, &site.history);
    let everything = plan.everything || digest(&b.nav()) != recorded.nav;
    let history = b.history_digests();
    let pages: Vec<&crate::model::Document> = listed
        .iter()
        .copied()
        .filter(|d| !d.url().is_empty())
        .filter(|d| {
            everything
                || inv.pages.contains(&d.rel)
                || recorded.history.get(&d.rel) != history.get(&d.rel)
        })
        .collect();
    pages.par_iter().try_for_each(|d| b.doc_page(d))?;
    trace::step("update: pages rendered");
    let index = b.index_pages(&|url| everything || inv.index.contains(url))?;
    trace::step("update: index pages rendered");

    let docs = crate::search::documents(site, opts.drafts);
    let (search, search_files) = super::search_indexes(site, opts, &docs, &sink)?;
    trace::step("update: search indexes written");

    // What the site no longer has: pages of documents that went, index pages that went,
    // search files no longer written. Never one written above.
    let written = sink.take_written();
    let now_index: HashSet<&String> = index.urls.iter().collect();
    let mut gone: BTreeSet<String> = inv.removed.clone();
    gone.extend(
        recorded
            .index
            .iter()
            .filter(|u| !now_index.contains(u))
            .map(|u| output_file(u)),
    );
    gone.extend(
        recorded
            .search
            .iter()
            .filter(|f| !search_files.contains(f))
            .cloned(),
    );
    gone.retain(|f| !written.contains(f));
    for f in &gone {
        dir_sink.remove(f)?;
    }
    let mut replaced = written;
    replaced.extend(gone.iter().cloned());

    let doc_pages = listed.iter().filter(|d| !d.url().is_empty()).count();
    let count = doc_pages + index.urls.len() - 1;
    let updated = Updated {
        pages: pages.len(),
        index: index.rendered,
        removed: gone.len(),
    };
    let mut state = b.record(index.urls, search_files, history);
    state.replaced = Some(replaced.into_iter().collect());
    trace::step("update: state recorded");
    Ok(Outcome {
        pages: count,
        files: count + site.assets.len() + state.search.len(),
        search,
        state,
        updated,
    })
}

impl Builder<'_> {
    /// Listed document → a digest of what its page shows of the git history.
    pub fn history_digests(&self) -> std::collections::BTreeMap<String, String> {
        self.docs
            .par_iter()
            .map(|d| (d.rel.clone(), digest(&self.page_history(d))))
            .collect()
    }

    /// The site as the next build needs it to update this build's output.
    pub fn record(
        &self,
        index: Vec<String>,
        search: Vec<String>,
        history: std::collections::BTreeMap<String, String>,
    ) -> SiteState {
        SiteState {
            documents: self
                .site
                .documents
                .par_iter()
                .map(|d| (d.rel.clone(), Recorded::of(self.site, d, self.drafts)))
                .collect(),
            history,
            dirs: self.site.dirs.clone(),
            nav: digest(&self.nav()),
            index,
            search,
            assets: self.site.assets.len(),
            replaced: None,
        }
    }
}
