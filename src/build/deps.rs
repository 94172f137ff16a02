//! What an edit invalidates. A document's [`Footprint`] is everything other pages show of it;
//! comparing footprints before and after an edit says which other pages must be rendered
//! again: none when the footprint did not change, else the index pages of
//! [`index_urls_of`] (before and after). `fieldbook serve` uses this after every edit.

use crate::build::context::Card;
use crate::content::front_matter::Kind;
use crate::content::urls::slug;
use crate::model::{Document, Site};
use std::collections::{BTreeMap, BTreeSet};

/// What an edit changes on other pages: a document as lists and indexes see it.
#[derive(Clone, Debug)]
pub struct Footprint {
    /// Part of the site (front matter parsed; not a draft unless drafts are shown).
    pub listed: bool,
    pub rel: String,
    pub kind: Kind,
    /// The course of a course or lesson.
    pub course: Option<String>,
    pub tags: Vec<String>,
    pub services: Vec<String>,
    /// Own owners (inherited ones put a lesson on no team page).
    pub owners: Vec<String>,
    /// Owners of postmortem action items.
    pub actions: Vec<String>,
    /// A runbook's alerts (each has a page listing it).
    pub alerts: Vec<String>,
    /// The runbooks and postmortems a lesson links to (their pages list it under "Taught in").
    pub case_studies: Vec<String>,
    /// Everything other pages show of the document (its card, minutes, lesson order,
    /// prerequisites, action items), as JSON: when it did not change, no other page did.
    pub summary: String,
}

type CourseSummary = (Vec<String>, String, Vec<(String, String)>);

/// What the course, learning and path pages show of a course or lesson beyond its card:
/// objectives, the lesson's id and its questions' ids and versions.
fn course_summary(d: &Document) -> Option<CourseSummary> {
    match d.kind {
        Kind::Course => Some((d.meta.objectives.clone(), String::new(), Vec::new())),
        Kind::Lesson => Some((
            Vec::new(),
            crate::model::courses::lesson_id(d),
            crate::model::courses::quizzes(d)
                .into_iter()
                .filter_map(|(_, _, q)| q.ok())
                .map(|q| (q.id(), q.version()))
                .collect(),
        )),
        _ => None,
    }
}

/// Whether a document is part of the site (front matter parsed; not a draft unless drafts
/// are shown).
pub fn listed(d: &Document, drafts: bool) -> bool {
    d.is_listed(drafts)
}

/// How `d` looks to other pages.
pub fn footprint(site: &Site, d: &Document, drafts: bool) -> Footprint {
    let case_studies = if d.kind == Kind::Lesson {
        crate::model::courses::case_studies(site, d)
    } else {
        Vec::new()
    };
    Footprint {
        listed: d.is_listed(drafts),
        rel: d.rel.clone(),
        kind: d.kind,
        course: matches!(d.kind, Kind::Course | Kind::Lesson)
            .then(|| d.course.clone())
            .flatten(),
        tags: d.meta.tags.clone(),
        services: d.meta.services.clone(),
        owners: if d.owners_inherited {
            Vec::new()
        } else {
            d.owners.clone()
        },
        actions: d
            .meta
            .action_items
            .iter()
            .map(|a| a.owner.clone())
            .collect(),
        alerts: if d.kind == Kind::Runbook {
            d.meta.alerts.clone()
        } else {
            Vec::new()
        },
        summary: serde_json::to_string(&(
            d.is_listed(drafts),
            Card::new(site, d),
            d.meta.minutes,
            &d.meta.lessons,
            &d.meta.prerequisites,
            crate::build::context::actions(site, d, true),
            course_summary(d),
            &case_studies,
        ))
        .unwrap_or_default(),
        case_studies,
    }
}

/// The index pages that can show a document with this footprint (a course's or lesson's
/// include `learning/` and the paths listing its course).
pub fn index_urls_of(site: &Site, fp: &Footprint, out: &mut BTreeSet<String>) {
    if !fp.listed {
        return;
    }
    if let Some(slug) = fp.course.as_deref() {
        out.extend(["learning/".to_string(), "paths/".to_string()]);
        for p in &site.config.paths {
            if p.courses.iter().any(|(c, _, _)| c == slug) {
                out.insert(format!("paths/{}/", p.id));
            }
        }
    }
    match fp.kind {
        Kind::Runbook => out.insert("runbooks/".into()),
        // The incident history and the action-item tracker.
        Kind::Postmortem => out.insert("postmortems/".into()) | out.insert("actions/".into()),
        Kind::Course => out.insert("courses/".into()),
        Kind::Page if !crate::dialect::page_url(&fp.rel, Default::default()).is_empty() => {
            out.insert("pages/".into())
        }
        _ => false,
    };
    for (base, values) in [("tags", &fp.tags), ("services", &fp.services)] {
        for v in values {
            out.insert(format!("{base}/{}/", slug(v)));
            out.insert(format!("{base}/"));
        }
    }
    for o in &fp.owners {
        if site.owners.teams.contains_key(o) {
            out.insert(format!("teams/{}/", slug(o)));
            out.insert("teams/".into());
        }
    }
    // An action item shows on its owner's team page, or on each of its person owner's.
    for o in &fp.actions {
        for team in crate::build::context::answering_teams(site, o) {
            out.insert(format!("teams/{}/", slug(team)));
        }
    }
    for a in &fp.alerts {
        out.insert(crate::content::urls::alert_url(a));
        out.insert("alerts/".into());
        out.insert(crate::build::alerts::ALERTS_JSON.into());
    }
}

/// The lessons of course `slug`.
pub fn lessons_of<'s>(site: &'s Site, slug: &'s str) -> impl Iterator<Item = &'s Document> + 's {
    site.documents
        .iter()
        .filter(move |d| d.kind == Kind::Lesson && d.course.as_deref() == Some(slug))
}

/// Remember how `rel` (and, for a course, its lessons) looked before the edit.
pub fn capture(
    site: &Site,
    drafts: bool,
    rel: &str,
    before: &mut BTreeMap<String, Option<Footprint>>,
) {
    if before.contains_key(rel) {
        return;
    }
    let doc = site.get(rel);
    before.insert(rel.to_string(), doc.map(|d| footprint(site, d, drafts)));
    if let Some(d) = doc
        && d.kind == Kind::Course
        && let Some(slug) = &d.course
    {
        for l in lessons_of(site, slug) {
            before
                .entry(l.rel.clone())
                .or_insert_with(|| Some(footprint(site, l, drafts)));
        }
    }
}
