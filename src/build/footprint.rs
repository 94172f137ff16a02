//! A document as other pages see it ([`Footprint`]): what [`crate::build::invalidate`]
//! compares before and after an edit, and what the index page families
//! (`build/families.rs`) read to say which of their pages show it.

use crate::build::context::Card;
use crate::content::front_matter::Kind;
use crate::model::{Document, Site};

/// What an edit changes on other pages: a document as lists and indexes see it. The build
/// cache keeps every document's, to know after an edit what the site looked like before it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
            (d.kind == Kind::Lesson).then(|| crate::model::courses::lesson_minutes(d)),
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
