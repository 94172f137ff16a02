//! Freshness from git history (docs/freshness-history.md): a `reviewed:` date is only as honest
//! as the commits behind it. From the one pass over the history ([`History`]):
//!
//! - `rubber-stamp-review`: the last `[check] rubber_stamp_after` reviews in a row changed
//!   nothing but the date, or the current review came from a mass review (one commit moving the
//!   date in more than `[check] mass_review` documents and changing nothing else in them);
//! - `review-by-non-owner`: the commit that set the current date is by none of the owners
//!   (git identities mapped through `email:` and `github:` in owners.yaml);
//! - `changed-since-review`: the document changed in commits after its review;
//! - `stale-dependency`: a lesson whose case study changed after the lesson's review, and a
//!   course as fresh as its stalest lesson or case study.
//!
//! Nothing is judged without a trustworthy history: outside git or in a shallow clone none of
//! these checks run, and a document whose current date is not yet committed gets none.

use crate::content::date::Date;
use crate::content::front_matter::Kind;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::history::{Commit, History, Touch};
use crate::model::{Document, ReviewState, Site};
use std::collections::{BTreeSet, HashMap};

/// What the history says about one document's review.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewHistory {
    /// The commit that set the current review date.
    pub review: Option<Commit>,
    /// The reviews in a row (newest first) that changed nothing but the date.
    pub stamps: Vec<Commit>,
    /// Set when the current review came from a mass review: how many documents it moved.
    pub mass: Option<usize>,
    /// Commits after the review that changed the document, newest first.
    pub changed_since: Vec<Commit>,
}

impl ReviewHistory {
    /// "reviewed without changes since 2026-03-01": the oldest of the stamps in a row.
    pub fn stamped_since(&self, after: usize) -> Option<&str> {
        (self.stamps.len() >= after || self.mass.is_some())
            .then(|| self.stamps.last().map(|c| c.date.as_str()))
            .flatten()
    }
}

/// How many documents each commit moved the review date of and changed nothing else in.
pub fn stamp_counts(history: &History) -> HashMap<usize, usize> {
    let mut counts = HashMap::new();
    for t in history.files.values().flatten() {
        if t.review.is_some() && !t.other {
            *counts.entry(t.commit).or_insert(0) += 1;
        }
    }
    counts
}

/// The review history of `doc`, or `None` when the history cannot vouch for it.
pub fn of(
    history: &History,
    counts: &HashMap<usize, usize>,
    mass_after: usize,
    doc: &Document,
) -> Option<ReviewHistory> {
    if history.shallow {
        return None;
    }
    let reviewed = doc.meta.reviewed?;
    let touches = history.touches(&doc.rel);
    let at = touches.iter().position(|t| t.review.is_some())?;
    let set = touches[at]
        .review
        .as_deref()
        .and_then(|v| Date::parse(v).ok());
    if set != Some(reviewed) {
        // The date in the file is not the one committed last: the review is not in git yet.
        return None;
    }
    let commit = |t: &Touch| history.commits[t.commit].clone();
    let stamps = touches[at..]
        .iter()
        .filter(|t| t.review.is_some())
        .take_while(|t| !t.other)
        .map(commit)
        .collect();
    let mass = (!touches[at].other)
        .then(|| counts.get(&touches[at].commit).copied().unwrap_or(0))
        .filter(|&n| n > mass_after);
    Some(ReviewHistory {
        review: Some(commit(&touches[at])),
        stamps,
        mass,
        changed_since: touches[..at]
            .iter()
            .filter(|t| t.other)
            .map(commit)
            .collect(),
    })
}

/// The owners.yaml person ids a git identity maps to: by `email:`, by `github:` (the author
/// name, or a GitHub noreply address), or by the id itself.
pub fn people_of<'a>(site: &'a Site, c: &Commit) -> Vec<&'a str> {
    let email = c.email.to_lowercase();
    let noreply = email
        .strip_suffix("@users.noreply.github.com")
        .map(|l| l.rsplit('+').next().unwrap_or(l).to_string());
    site.owners
        .people
        .iter()
        .filter(|(id, p)| {
            let github = p
                .extra
                .get("github")
                .and_then(|v| v.as_str())
                .map(|g| g.trim_start_matches('@').to_lowercase());
            p.email
                .as_deref()
                .is_some_and(|e| e.to_lowercase() == email)
                || github
                    .as_deref()
                    .is_some_and(|g| g == c.author.to_lowercase() || noreply.as_deref() == Some(g))
                || id.to_lowercase() == c.author.to_lowercase()
        })
        .map(|(id, _)| id.as_str())
        .collect()
}

/// Whether person `id` is `doc`'s owner or a member of an owning team.
fn owns(site: &Site, doc: &Document, id: &str) -> bool {
    doc.owners.iter().any(|o| {
        o == id
            || site
                .owners
                .teams
                .get(o)
                .is_some_and(|t| t.members.iter().any(|m| m == id))
    })
}

/// Every review-history finding of the site.
pub fn check(site: &Site, history: &History) -> Vec<Diagnostic> {
    let cfg = site.config.history;
    if !cfg.enabled {
        return Vec::new();
    }
    let counts = stamp_counts(history);
    let mut out = Vec::new();
    let docs: Vec<&Document> = site
        .documents
        .iter()
        .filter(|d| d.is_listed(false))
        .collect();
    let trusted = history.in_git && !history.shallow;
    for doc in docs.iter().filter(|_| trusted) {
        let Some(h) = of(history, &counts, cfg.mass_review, doc) else {
            continue;
        };
        let at = doc.key_pos("reviewed");
        if let Some(n) = h.mass {
            let c = h.review.as_ref().map_or("", |c| c.hash.as_str());
            out.push(
                doc.finding(
                    Code::RubberStampReview,
                    at,
                    format!("reviewed in a mass review: commit {c} moved the review date of {n} documents and changed nothing else in them"),
                )
                .with_hint("review each document on its own and fix what is out of date in the same commit"),
            );
        } else if h.stamps.len() >= cfg.rubber_stamp_after {
            let list: Vec<String> = h
                .stamps
                .iter()
                .map(|c| format!("{} ({})", c.hash, c.date))
                .collect();
            out.push(
                doc.finding(
                    Code::RubberStampReview,
                    at,
                    format!(
                        "the last {} reviews changed nothing but the date: {}",
                        h.stamps.len(),
                        list.join(", ")
                    ),
                )
                .with_hint("read the document against the system as it is now, and change what is out of date with the review"),
            );
        }
        if let Some(c) = &h.review
            && !doc.owners.is_empty()
            && !people_of(site, c).iter().any(|p| owns(site, doc, p))
        {
            out.push(
                doc.finding(
                    Code::ReviewByNonOwner,
                    at,
                    format!(
                        "the review of {} was committed by {} <{}> ({}), who is none of its owners",
                        c.date, c.author, c.email, c.hash
                    ),
                )
                .with_hint("have an owner review it, or map the author to their owners.yaml id with `email:` or `github:`"),
            );
        }
        if let Some(last) = h.changed_since.first() {
            out.push(
                doc.finding(
                    Code::ChangedSinceReview,
                    at,
                    format!(
                        "changed {} since its last review (last by {} on {}, {})",
                        times(h.changed_since.len()),
                        last.author,
                        last.date,
                        last.hash
                    ),
                )
                .with_hint(
                    "review the changes and bump `reviewed` in the same commit as any fixes",
                ),
            );
        }
    }
    for doc in docs.iter().filter(|d| trusted && d.kind == Kind::Lesson) {
        for (rel, date) in changed_case_studies(site, history, doc) {
            out.push(
                doc.finding(
                    Code::StaleDependency,
                    doc.key_pos("reviewed"),
                    format!("case study {rel} changed on {date}, after this lesson's review"),
                )
                .with_hint(
                    "check that the lesson still teaches what the runbook says, then review it",
                ),
            );
        }
    }
    for course in docs.iter().filter(|d| trusted && d.kind == Kind::Course) {
        if let Some(why) = transitive_staleness(site, history, course) {
            out.push(
                course
                    .finding(Code::StaleDependency, course.key_pos("reviewed"), why)
                    .with_hint("review the stale lessons and case studies: a course is as fresh as its stalest part"),
            );
        }
    }
    out
}

fn times(n: usize) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// The date of the newest commit that changed `rel` beyond its review date.
fn last_content_change<'h>(history: &'h History, rel: &str) -> Option<&'h str> {
    history
        .touches(rel)
        .iter()
        .find(|t| t.other)
        .map(|t| history.commits[t.commit].date.as_str())
}

/// The case studies of `lesson` whose content changed after the lesson's review (content
/// path, date of the change).
pub fn changed_case_studies(
    site: &Site,
    history: &History,
    lesson: &Document,
) -> Vec<(String, String)> {
    let Some(reviewed) = site.effective_review(lesson).reviewed else {
        return Vec::new();
    };
    crate::model::courses::case_studies(site, lesson)
        .into_iter()
        .filter_map(|rel| {
            let date = last_content_change(history, &rel)?;
            let changed = Date::parse(date).ok()?;
            (changed > reviewed).then(|| (rel, date.to_string()))
        })
        .collect()
}

/// Why a course is stale through its parts: a stale lesson, or a case study that is stale or
/// changed after the lesson teaching it was reviewed.
pub fn transitive_staleness(site: &Site, history: &History, course: &Document) -> Option<String> {
    let slug = course.course.as_deref()?;
    let lessons: Vec<&Document> = site
        .documents
        .iter()
        .filter(|d| {
            d.kind == Kind::Lesson && d.course.as_deref() == Some(slug) && d.is_listed(false)
        })
        .collect();
    let mut stale: BTreeSet<String> = BTreeSet::new();
    for l in &lessons {
        if l.meta.reviewed.is_some() && site.review(l).state == ReviewState::Stale {
            stale.insert(format!("lesson {} is stale", l.rel));
        }
        for rel in crate::model::courses::case_studies(site, l) {
            if site
                .get(&rel)
                .is_some_and(|d| site.review(d).state == ReviewState::Stale)
            {
                stale.insert(format!("case study {rel} is stale"));
            }
        }
        for (rel, date) in changed_case_studies(site, history, l) {
            stale.insert(format!(
                "case study {rel} changed on {date}, after lesson {} was reviewed",
                l.rel
            ));
        }
    }
    let first = stale.iter().next()?;
    Some(match stale.len() {
        1 => format!("the course is as fresh as its parts: {first}"),
        n => format!(
            "the course is as fresh as its parts: {first} (and {} more)",
            n - 1
        ),
    })
}

/// What a document's page says of its review history: reviews that changed nothing, changes
/// since the review, dependencies that moved (empty when the history cannot tell).
pub fn page_notes(
    site: &Site,
    history: &History,
    counts: &HashMap<usize, usize>,
    doc: &Document,
) -> Vec<String> {
    let cfg = site.config.history;
    if !cfg.enabled || !history.in_git || history.shallow {
        return Vec::new();
    }
    let mut notes = Vec::new();
    if let Some(h) = of(history, counts, cfg.mass_review, doc) {
        if let (Some(n), Some(c)) = (h.mass, &h.review) {
            notes.push(format!(
                "reviewed in a mass review of {n} documents on {} that changed nothing else",
                c.date
            ));
        } else if let Some(since) = h.stamped_since(cfg.rubber_stamp_after) {
            notes.push(format!("reviewed without changes since {since}"));
        }
        if let Some(last) = h.changed_since.first() {
            notes.push(format!(
                "changed {} since its last review (last by {} on {})",
                times(h.changed_since.len()),
                last.author,
                last.date
            ));
        }
    }
    match doc.kind {
        Kind::Lesson => notes.extend(changed_case_studies(site, history, doc).into_iter().map(
            |(rel, date)| {
                format!("its case study {rel} changed on {date}, after this lesson's review")
            },
        )),
        Kind::Course => notes.extend(transitive_staleness(site, history, doc)),
        _ => {}
    }
    notes
}
