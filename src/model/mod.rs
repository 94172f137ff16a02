//! The handbook as data: documents with their resolved owners, course membership and review
//! state on the build date.

pub mod alerts;
pub mod courses;
pub mod history;
pub mod outside;
pub mod owners;

use crate::config::Config;
use crate::content::date::{Date, Period};
use crate::content::front_matter::{FrontMatter, Kind};
use crate::content::markdown::{Outline, Rewritten};
use crate::content::source::YamlLocator;
use crate::diagnostic::{Diagnostic, Pos};
use crate::model::outside::{Outside, OwnersSource};
use crate::model::owners::{Owners, Standing};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// One Markdown file of the content tree.
#[derive(Debug)]
pub struct Document {
    /// Path relative to the content directory, `/`-separated: `runbooks/db/failover.md`.
    pub rel: String,
    /// Path relative to the site directory, as findings name it: `content/runbooks/db/failover.md`.
    pub file: String,
    pub kind: Kind,
    pub title: String,
    pub meta: FrontMatter,
    /// Owner ids: the document's own, or for a lesson without any, its course's.
    pub owners: Vec<String>,
    pub owners_inherited: bool,
    /// Where `owners` came from (front matter, the course, CODEOWNERS, ...).
    pub owners_source: OwnersSource,
    /// A lesson's position in its course's navigation (`SUMMARY.md`, `mkdocs.yml`), which
    /// orders lessons when the course has no `lessons:` list.
    pub lesson_order: Option<usize>,
    /// The course slug, for courses and lessons.
    pub course: Option<String>,
    /// The whole file (BOM removed).
    pub text: String,
    pub front_start_line: u32,
    pub front_len: usize,
    pub front_offset: usize,
    /// Byte offset and line of the body in `text`.
    pub body_offset: usize,
    pub body_line: u32,
    pub outline: Outline,
    /// The body in Fieldbook's Markdown when adoption rewrote it (other tools' shortcodes,
    /// tabs, admonitions: [`crate::adopt::syntax`]), for the renderer and search.
    pub rewritten: Option<Rewritten>,
    /// False when the front matter could not be parsed: such a document is reported once as
    /// invalid and skipped by the other checks.
    pub meta_ok: bool,
    /// The page URL (`runbooks/db/failover/`, `runbooks/db/failover.html`), as the loader
    /// worked it out from the path and `[build] urls`.
    pub url: String,
}

impl Document {
    /// The page URL (`runbooks/db/failover/`, or `runbooks/db/failover.html` under
    /// `[build] urls = "source"`).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// The body as Fieldbook's Markdown: what pages and search show.
    pub fn markdown(&self) -> &str {
        self.rewritten
            .as_ref()
            .map_or(self.body(), |r| r.text.as_str())
    }

    pub fn front(&self) -> &str {
        &self.text[self.front_offset..self.front_offset + self.front_len]
    }

    /// Where top-level front matter `key` sits in the file (1:1 when absent).
    /// A key set from another tool's key is found under that key (docs/adopting.md).
    /// Keys read from a Google freshness comment are found at the comment.
    pub fn key_pos(&self, key: &str) -> Pos {
        let key = self.meta.adopted.key_in_file(key);
        match YamlLocator::new(self.front()).key(key) {
            Some(p) => p.shifted(self.front_start_line - 1),
            None => match self.meta.adopted.freshness {
                Some((offset, len)) if matches!(key, "owners" | "owner" | "reviewed") => {
                    self.body_pos(offset, len)
                }
                _ => Pos::START,
            },
        }
    }

    /// Where `word` sits in the value of `key` (an owner id in `owners:`), or in the Google
    /// freshness comment the value was read from.
    pub fn word_pos(&self, key: &str, word: &str) -> Pos {
        let in_file = self.meta.adopted.key_in_file(key);
        let found = YamlLocator::new(self.front())
            .word_in(in_file, word)
            .or_else(|| YamlLocator::new(self.front()).word_in("owner", word));
        if let Some(p) = found {
            return p.shifted(self.front_start_line - 1);
        }
        match self.meta.adopted.freshness {
            Some((offset, len)) => {
                let comment = &self.body()[offset..offset + len];
                let at = comment.find(word).unwrap_or(0);
                self.body_pos(offset + at, word.len())
            }
            None => Pos::START,
        }
    }

    pub fn item_pos(&self, key: &str, index: usize, field: &str) -> Pos {
        self.locate(|l| l.item_field(key, index, field))
    }

    fn locate(&self, f: impl FnOnce(&YamlLocator<'_>) -> Option<Pos>) -> Pos {
        f(&YamlLocator::new(self.front()))
            .map(|p| p.shifted(self.front_start_line - 1))
            .unwrap_or(Pos::START)
    }

    /// A position inside the body (from a byte offset into it).
    pub fn body_pos(&self, offset: usize, len: usize) -> Pos {
        crate::content::source::pos_at(&self.text, self.body_offset + offset, len)
    }

    /// The finding-ready diagnostic at `pos`, with its source line attached.
    pub fn finding(
        &self,
        code: crate::diagnostic::Code,
        pos: Pos,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(code, &self.file, pos, message).with_source(&self.text)
    }

    /// A course made up from navigation (`[[courses]]` without `courses/<slug>/index.md`):
    /// its `file` is the navigation file, which has no front matter to stamp.
    pub fn is_nav_course(&self) -> bool {
        self.kind == Kind::Course && !self.file.ends_with(&self.rel)
    }

    pub fn is_draft(&self) -> bool {
        self.meta.draft
    }

    /// Whether the document is part of the handbook a build shows: its front matter parsed,
    /// and it is not a draft unless drafts are shown (`build --drafts`, `serve --drafts`).
    /// The one answer to "which documents count" for pages, both search indexes,
    /// `part.json`, counts, reports and the checks (which judge what a plain build shows).
    pub fn is_listed(&self, drafts: bool) -> bool {
        self.meta_ok && (drafts || !self.is_draft())
    }
}

/// A document's review state on the build date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    /// Past its due date.
    Stale,
    /// Required to be reviewed and never was.
    NeverReviewed,
    /// Due within `warn_before`.
    DueSoon,
    Fresh,
    /// No review expected: `review_every: never`, or not required and not reviewed, or a
    /// lesson sharing its course's state.
    Untracked,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Stale => "stale",
            ReviewState::NeverReviewed => "never-reviewed",
            ReviewState::DueSoon => "due-soon",
            ReviewState::Fresh => "fresh",
            ReviewState::Untracked => "untracked",
        }
    }

    /// Needs an owner's attention.
    pub fn needs_review(self) -> bool {
        matches!(
            self,
            ReviewState::Stale | ReviewState::NeverReviewed | ReviewState::DueSoon
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub state: ReviewState,
    pub reviewed: Option<Date>,
    pub due: Option<Date>,
    pub every: Period,
    /// Days from today to `due` (negative: overdue by that many days).
    pub days_left: Option<i64>,
}

/// Ownership on the build date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ownership {
    pub active: Vec<String>,
    pub lapsed: Vec<String>,
    pub unknown: Vec<String>,
}

impl Ownership {
    /// Every owner lapsed or unknown (and there was at least one, or none at all).
    pub fn all_lapsed(&self) -> bool {
        self.active.is_empty()
    }
}

/// The loaded handbook.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    pub owners: Owners,
    pub today: Date,
    pub documents: Vec<Document>,
    /// Other files under the content directory (content-relative), copied as they are.
    pub assets: Vec<String>,
    /// Every directory under the content directory (content-relative), so that links to a
    /// folder resolve.
    pub dirs: Vec<String>,
    /// Findings made while loading (metadata, encoding, size).
    pub load_findings: Vec<Diagnostic>,
    /// What inputs outside the documents say about them (navigation, CODEOWNERS...).
    pub outside: Arc<dyn Outside>,
    /// What git says about the documents (empty until [`crate::pipeline`] reads it).
    pub history: Arc<history::History>,
    by_rel: HashMap<String, usize>,
    /// Page URL → document, for links written as URLs.
    by_url: HashMap<String, usize>,
    /// The first course document of each slug.
    courses: HashMap<String, usize>,
}

impl Site {
    /// The site of loaded documents: sorted, indexed, `owner_slack` handles resolved and
    /// lessons given their course's owners ([`Site::with_outside`] adds outside sources').
    pub fn new(
        config: Config,
        owners: Owners,
        today: Date,
        mut documents: Vec<Document>,
        assets: Vec<String>,
        dirs: Vec<String>,
        load_findings: Vec<Diagnostic>,
    ) -> Site {
        documents.sort_by(|a, b| a.rel.cmp(&b.rel));
        let mut site = Site {
            config,
            owners,
            today,
            documents,
            assets,
            dirs,
            load_findings,
            outside: Arc::new(crate::model::outside::Nothing),
            history: Arc::default(),
            by_rel: HashMap::new(),
            by_url: HashMap::new(),
            courses: HashMap::new(),
        };
        for d in &mut site.documents {
            resolve_slack(&site.owners, d);
        }
        site.reindex();
        site.inherit_course_owners();
        site
    }

    /// The site with owners from outside inputs (navigation, CODEOWNERS...) for lessons
    /// whose course gives them none.
    pub fn with_outside(mut self, outside: Arc<dyn Outside>) -> Site {
        self.outside = outside;
        self.inherit_course_owners();
        self
    }

    pub fn get(&self, rel: &str) -> Option<&Document> {
        self.by_rel.get(rel).map(|&i| &self.documents[i])
    }

    /// The document a link's content-relative path names: its file (`a/b.md`), or the URL it
    /// is published at (`a/b.html`, `a/index.html` for `a/`), or a Markdown path published
    /// at that URL (`a/b.html.md` for the page at `a/b.html`).
    pub fn link_target(&self, rel: &str) -> Option<&Document> {
        if let Some(d) = self.get(rel) {
            return Some(d);
        }
        let url = |u: &str| self.by_url.get(u).map(|&i| &self.documents[i]);
        let encoded = crate::content::urls::encode_path(rel);
        if encoded.ends_with(".html") {
            return url(&encoded).or_else(|| url(encoded.strip_suffix("index.html")?));
        }
        let stem = crate::content::urls::source_stem(rel)?;
        stem.ends_with(".html")
            .then(|| url(&crate::content::urls::encode_path(stem)))
            .flatten()
    }

    /// The document whose text opens the home page: `index.md`, else the document published
    /// at the root URL.
    pub fn home_doc(&self) -> Option<&Document> {
        self.get("index.md")
            .or_else(|| self.documents.iter().find(|d| d.url().is_empty()))
    }

    /// The course document (`courses/<slug>/index.md`) of a slug.
    pub fn course(&self, slug: &str) -> Option<&Document> {
        self.courses.get(slug).map(|&i| &self.documents[i])
    }

    /// The documents a build shows ([`Document::is_listed`]), in content-path order.
    pub fn listed(&self, drafts: bool) -> impl Iterator<Item = &Document> {
        self.documents.iter().filter(move |d| d.is_listed(drafts))
    }

    /// Put `doc` in the site, replacing the document of the same path; the order, the path
    /// index and the owners lessons inherit from their course stay right. Returns the
    /// document it replaced.
    pub fn upsert(&mut self, mut doc: Document) -> Option<Document> {
        resolve_slack(&self.owners, &mut doc);
        let mut slugs: Vec<String> = course_slug(&doc).into_iter().collect();
        let old = match self.by_rel.get(&doc.rel) {
            Some(&i) => {
                let old = std::mem::replace(&mut self.documents[i], doc);
                self.index_courses();
                Some(old)
            }
            None => {
                let i = self.documents.partition_point(|d| d.rel < doc.rel);
                self.documents.insert(i, doc);
                self.reindex();
                None
            }
        };
        slugs.extend(old.as_ref().and_then(course_slug));
        for slug in slugs {
            self.refresh_course_owners(&slug);
        }
        old
    }

    /// Take the document at `rel` out of the site (its course's lessons are updated).
    pub fn remove(&mut self, rel: &str) -> Option<Document> {
        let i = *self.by_rel.get(rel)?;
        let old = self.documents.remove(i);
        self.reindex();
        if let Some(slug) = course_slug(&old) {
            self.refresh_course_owners(&slug);
        }
        Some(old)
    }

    /// Replace the load-time findings of one file (site-relative path, as findings name it).
    pub fn set_load_findings(&mut self, file: &str, findings: Vec<Diagnostic>) {
        self.load_findings.retain(|d| d.file != file);
        self.load_findings.extend(findings);
    }

    fn reindex(&mut self) {
        self.by_rel = self
            .documents
            .iter()
            .enumerate()
            .map(|(i, d)| (d.rel.clone(), i))
            .collect();
        self.by_url = HashMap::new();
        for (i, d) in self.documents.iter().enumerate() {
            self.by_url.entry(d.url.clone()).or_insert(i);
        }
        self.index_courses();
    }

    fn index_courses(&mut self) {
        self.courses.clear();
        for (i, d) in self.documents.iter().enumerate() {
            if d.kind == Kind::Course
                && let Some(slug) = &d.course
            {
                self.courses.entry(slug.clone()).or_insert(i);
            }
        }
    }

    /// Give the lessons of course `slug` that have no owners of their own the course's owners
    /// (as [`Site::new`] does), or take inherited owners back when the course is gone.
    fn refresh_course_owners(&mut self, slug: &str) {
        let owners = self
            .documents
            .iter()
            .rfind(|d| d.kind == Kind::Course && d.course.as_deref() == Some(slug))
            .map(|d| d.owners.clone());
        let outside = &*self.outside;
        for d in &mut self.documents {
            if d.kind == Kind::Lesson
                && d.course.as_deref() == Some(slug)
                && d.owners_source != OwnersSource::FrontMatter
            {
                lesson_owners(outside, d, owners.as_deref());
            }
        }
    }

    fn inherit_course_owners(&mut self) {
        let course_owners: HashMap<String, Vec<String>> = self
            .documents
            .iter()
            .filter(|d| d.kind == Kind::Course)
            .filter_map(|d| Some((d.course.clone()?, d.owners.clone())))
            .collect();
        let outside = &*self.outside;
        for d in &mut self.documents {
            if d.kind == Kind::Lesson && d.owners.is_empty() {
                let course = d.course.as_ref().and_then(|c| course_owners.get(c));
                lesson_owners(outside, d, course.map(Vec::as_slice));
            }
        }
    }

    pub fn ownership(&self, doc: &Document) -> Ownership {
        let mut o = Ownership {
            active: vec![],
            lapsed: vec![],
            unknown: vec![],
        };
        for (i, id) in doc.owners.iter().enumerate() {
            if doc.owners[..i].contains(id) {
                continue; // a repeated id is one owner
            }
            match self.owners.standing(id, self.today) {
                Standing::Active => o.active.push(id.clone()),
                Standing::Lapsed => o.lapsed.push(id.clone()),
                Standing::Unknown => o.unknown.push(id.clone()),
            }
        }
        o
    }

    /// FORMAT.md's freshness rules for one document.
    pub fn review(&self, doc: &Document) -> Review {
        let every = doc
            .meta
            .review_every
            .unwrap_or_else(|| self.config.freshness.period_for(doc.kind));
        let reviewed = doc.meta.reviewed;
        let untracked = Review {
            state: ReviewState::Untracked,
            reviewed,
            due: None,
            every,
            days_left: None,
        };
        let Some(reviewed) = reviewed else {
            return if doc.kind.requires_review() {
                Review {
                    state: ReviewState::NeverReviewed,
                    ..untracked
                }
            } else {
                untracked
            };
        };
        let Some(due) = reviewed.plus(every) else {
            return untracked;
        };
        let days_left = self.today.days_until(due);
        let warn_from = self.config.freshness.warn_before;
        let late = if doc.meta.adopted.due_day_is_late {
            self.today >= due
        } else {
            self.today > due
        };
        let state = if late {
            ReviewState::Stale
        } else if self.today.plus(warn_from).is_some_and(|w| w >= due) {
            ReviewState::DueSoon
        } else {
            ReviewState::Fresh
        };
        Review {
            state,
            reviewed: Some(reviewed),
            due: Some(due),
            every,
            days_left: Some(days_left),
        }
    }

    /// The review state readers see: a lesson without its own review shares its course's.
    pub fn effective_review(&self, doc: &Document) -> Review {
        if doc.kind == Kind::Lesson
            && doc.meta.reviewed.is_none()
            && let Some(course) = doc.course.as_deref().and_then(|c| self.course(c))
        {
            return self.review(course);
        }
        self.review(doc)
    }

    /// The days a reader's clock turns the document's review state, for pages to judge again
    /// when read (a handbook of quiet services is rebuilt rarely): the first day it is stale,
    /// and the first day it is due soon. `None` when it has no review date or period.
    pub fn review_turns(&self, doc: &Document) -> Option<ReviewTurns> {
        let source = if doc.kind == Kind::Lesson && doc.meta.reviewed.is_none() {
            doc.course
                .as_deref()
                .and_then(|c| self.course(c))
                .unwrap_or(doc)
        } else {
            doc
        };
        let r = self.review(source);
        let due = r.due?;
        let stale_on = if source.meta.adopted.due_day_is_late {
            due
        } else {
            due.plus(Period::Days(1))?
        };
        // The first day from which `warn_before` reaches the due date (periods in calendar
        // months have no exact inverse: found by counting back).
        let warn = self.config.freshness.warn_before;
        let soon_from = (0..=400u32)
            .map(|n| due.sub_days(n))
            .take_while(|d| d.plus(warn).is_some_and(|w| w >= due))
            .last();
        Some(ReviewTurns {
            stale_on,
            soon_from,
        })
    }
}

/// See [`Site::review_turns`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewTurns {
    pub stale_on: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soon_from: Option<Date>,
}

/// A lesson without owners of its own: its course's, else those of the outside sources
/// (OWNERS, CODEOWNERS, `[owners] default`), else none.
fn lesson_owners(outside: &dyn Outside, d: &mut Document, course: Option<&[String]>) {
    match course {
        Some(o) if !o.is_empty() => {
            d.owners = o.to_vec();
            d.owners_inherited = true;
            d.owners_source = OwnersSource::Course;
        }
        _ => {
            let found = outside.owners(&d.file).unwrap_or_default();
            d.owners = found.ids;
            d.owners_source = found.source;
            d.owners_inherited = false;
        }
    }
}

/// Put the owners.yaml id in place of a GOV.UK `owner_slack` handle: the team whose `channel`
/// it is, else the person whose `slack` it is (compared without `#`/`@` and case). Left as
/// written when nobody matches: the ownership check then reports [`unresolved_slack`].
fn resolve_slack(owners: &Owners, doc: &mut Document) {
    let Some(handle) = doc.meta.adopted.owner_slack.as_deref() else {
        return;
    };
    if doc.meta.adopted.from.get("owners") != Some(&"owner_slack") {
        return;
    }
    let norm = |s: &str| s.trim().trim_start_matches(['#', '@']).to_lowercase();
    let want = norm(handle);
    let team = owners
        .teams
        .iter()
        .find(|(_, t)| t.channel.as_deref().is_some_and(|c| norm(c) == want));
    let person = || {
        owners.people.iter().find(|(_, p)| {
            p.extra
                .get("slack")
                .and_then(|v| v.as_str())
                .is_some_and(|s| norm(s) == want)
        })
    };
    let Some(id) = team
        .map(|(id, _)| id)
        .or_else(|| person().map(|(id, _)| id))
    else {
        return;
    };
    for o in &mut doc.owners {
        if o == handle {
            *o = id.clone();
        }
    }
}

/// A document's order among its siblings: its `weight` (or `sidebar_position`), documents
/// without one after all those with one. Sorting by it is stable, so ties keep path order.
pub fn weight(doc: &Document) -> i64 {
    doc.meta.adopted.weight.unwrap_or(i64::MAX)
}

/// `ok`, `partial` (some owners lapsed), `lapsed` (every owner named has left, been disbanded
/// or is unknown) or `unowned` (no owner named, or only the handbook's default owner): what
/// badges, banners, counts and search results show. Only `lapsed` is an alarm.
pub fn ownership_state(site: &Site, doc: &Document) -> &'static str {
    // Nobody named, or only the handbook's default owner: a different fact from lapsed
    // (nobody left), with a different fix (FORMAT.md).
    let default_only = matches!(doc.owners_source, OwnersSource::Default { .. });
    if doc.owners.is_empty() || default_only {
        return if doc.kind.requires_owners() || default_only {
            "unowned"
        } else {
            "ok"
        };
    }
    let o = site.ownership(doc);
    if o.all_lapsed() {
        "lapsed"
    } else if o.lapsed.is_empty() {
        "ok"
    } else {
        "partial"
    }
}

/// The course a course or lesson belongs to.
fn course_slug(doc: &Document) -> Option<String> {
    matches!(doc.kind, Kind::Course | Kind::Lesson)
        .then(|| doc.course.clone())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(rel: &str, front: &str) -> Document {
        let today = Date::parse("2026-11-27").unwrap();
        let text = format!("---\n{front}\n---\nBody.\n");
        crate::load::parse_document(&format!("content/{rel}"), rel, text, today).0
    }

    fn site(docs: Vec<Document>) -> Site {
        let config =
            crate::config::parse(std::path::Path::new("/site"), "[book]\ntitle = \"T\"\n").unwrap();
        let today = Date::parse("2026-11-27").unwrap();
        Site::new(
            config,
            Owners::default(),
            today,
            docs,
            vec![],
            vec![],
            vec![],
        )
    }

    #[test]
    fn upsert_and_remove_keep_the_index_and_inherited_owners() {
        let mut s = site(vec![
            doc("courses/c/index.md", "title: C\nowners: [team-a]"),
            doc("courses/c/01-a.md", "title: A"),
            doc("courses/c/02-b.md", "title: B\nowners: [bob]"),
        ]);
        assert_eq!(s.get("courses/c/01-a.md").unwrap().owners, ["team-a"]);
        assert!(s.get("courses/c/01-a.md").unwrap().owners_inherited);
        assert_eq!(s.get("courses/c/02-b.md").unwrap().owners, ["bob"]);

        // The course's owners change: the lesson without its own follows.
        let old = s.upsert(doc("courses/c/index.md", "title: C\nowners: [team-b]"));
        assert_eq!(old.unwrap().owners, ["team-a"]);
        assert_eq!(s.get("courses/c/01-a.md").unwrap().owners, ["team-b"]);
        assert_eq!(s.get("courses/c/02-b.md").unwrap().owners, ["bob"]);
        assert_eq!(s.course("c").unwrap().title, "C");

        // A new lesson inherits; documents stay in path order and findable.
        assert!(
            s.upsert(doc("courses/c/00-intro.md", "title: Intro"))
                .is_none()
        );
        let rels: Vec<&str> = s.documents.iter().map(|d| d.rel.as_str()).collect();
        assert_eq!(
            rels,
            [
                "courses/c/00-intro.md",
                "courses/c/01-a.md",
                "courses/c/02-b.md",
                "courses/c/index.md"
            ]
        );
        assert_eq!(s.get("courses/c/00-intro.md").unwrap().owners, ["team-b"]);
        assert_eq!(s.get("courses/c/02-b.md").unwrap().title, "B");

        // The course goes: inherited owners go with it.
        assert!(s.remove("courses/c/index.md").is_some());
        assert!(s.course("c").is_none());
        let a = s.get("courses/c/01-a.md").unwrap();
        assert!(a.owners.is_empty() && !a.owners_inherited);
        assert_eq!(s.get("courses/c/02-b.md").unwrap().owners, ["bob"]);
        assert!(s.remove("courses/c/index.md").is_none());
        assert_eq!(s.documents.len(), 3);
    }
}
