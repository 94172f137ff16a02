//! Alert routing: which runbooks answer which alert. Every alert name in a runbook's `alerts:`
//! gets a stable page at [`alert_url`] (the target of Prometheus' `runbook_url`), which lands
//! on its runbook, or offers a choice when several runbooks answer it. Prometheus rule files
//! are read and checked against the handbook in [`crate::alert_rules`].

use crate::content::front_matter::Kind;
use crate::content::urls::alert_url;
use crate::model::Document;
use std::collections::BTreeMap;

/// What the alert index needs of a document: a key that orders and tells documents apart
/// (its content path), whether it is a runbook, and the alerts it names. A composed
/// handbook indexes its parts' documents, read from their manifests, the same way.
pub trait Answers {
    fn key(&self) -> &str;
    fn is_runbook(&self) -> bool;
    fn alert_names(&self) -> &[String];
}

impl Answers for Document {
    fn key(&self) -> &str {
        &self.rel
    }

    fn is_runbook(&self) -> bool {
        self.kind == Kind::Runbook
    }

    fn alert_names(&self) -> &[String] {
        &self.meta.alerts
    }
}

/// Alert name → the runbooks listing it in `alerts:` (by path, each once), over the documents
/// a build publishes.
pub struct AlertIndex<'a, D = Document> {
    pub by_name: BTreeMap<String, Vec<&'a D>>,
}

/// One alert page: every alert name that maps to its URL (usually one; names differing only
/// in characters a URL cannot keep share a page) and the runbooks answering any of them.
pub struct AlertPage<'a, D = Document> {
    pub url: String,
    pub names: Vec<String>,
    pub runbooks: Vec<&'a D>,
}

impl<'a, D: Answers> AlertIndex<'a, D> {
    /// The alerts of `docs`' runbooks (`alerts:` means nothing on other kinds: FORMAT.md).
    pub fn of(docs: &[&'a D]) -> AlertIndex<'a, D> {
        let mut by_name: BTreeMap<String, Vec<&D>> = BTreeMap::new();
        for d in docs.iter().filter(|d| d.is_runbook()) {
            for name in d.alert_names() {
                let name = name.trim();
                if name.is_empty() {
                    continue;
                }
                let list = by_name.entry(name.to_string()).or_default();
                // Documents come one at a time: if `d` named this alert already, it is last.
                if list.last().is_none_or(|o| o.key() != d.key()) {
                    list.push(d);
                }
            }
        }
        for list in by_name.values_mut() {
            list.sort_by(|a, b| a.key().cmp(b.key()));
        }
        AlertIndex { by_name }
    }

    /// The alert pages, by URL.
    pub fn pages(&self) -> BTreeMap<String, AlertPage<'a, D>> {
        let mut pages: BTreeMap<String, AlertPage<'a, D>> = BTreeMap::new();
        for (name, runbooks) in &self.by_name {
            let url = alert_url(name);
            let page = pages.entry(url.clone()).or_insert_with(|| AlertPage {
                url,
                names: Vec::new(),
                runbooks: Vec::new(),
            });
            page.names.push(name.clone());
            page.runbooks.extend(runbooks);
        }
        for p in pages.values_mut() {
            p.runbooks.sort_by(|a, b| a.key().cmp(b.key()));
            p.runbooks.dedup_by(|a, b| a.key() == b.key());
        }
        pages
    }
}

impl<D> AlertPage<'_, D> {
    /// The one runbook the page redirects to; `None` when the reader must choose.
    pub fn target(&self) -> Option<&D> {
        match self.runbooks.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}
