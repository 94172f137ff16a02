//! `fieldbook build --part NAME` (docs/many-repos.md): one repository's docs as a relocatable
//! part. The site is written under `NAME/` of the output (pages link to each other relatively,
//! so they work under any prefix), and [`crate::parts::Manifest`] (`part.json`) beside it.

use super::context::{Card, OwnerRef, actions};
use crate::content::front_matter::Kind;
use crate::diagnostic::Diagnostic;
use crate::model::courses::Catalog;
use crate::model::{Document, Site};
use crate::parts::TeamFacts;
use crate::search::SearchDoc;
use std::collections::HashMap;

/// What `--part` adds to a build.
#[derive(Clone, Debug)]
pub struct PartOptions {
    /// The part's name: its URL prefix without the slash.
    pub name: String,
    /// The findings of the check the build ran, recorded in the manifest.
    pub findings: Vec<Diagnostic>,
}

/// The part's manifest: [`crate::parts::Manifest::of`] with what the composed handbook's
/// index pages show of each document (its card, as this build judges it) and the roster's
/// teams (the composer reads no roster).
pub fn manifest(
    site: &Site,
    name: &str,
    findings: &[Diagnostic],
    docs: &[SearchDoc],
) -> crate::parts::Manifest {
    let mut m = crate::parts::Manifest::of(site, name, findings, docs);
    let by_rel: HashMap<&str, &Document> =
        site.documents.iter().map(|d| (d.rel.as_str(), d)).collect();
    // Courses and their lessons as the build lists them (the manifest's documents).
    let listed: Vec<&Document> = m
        .documents
        .iter()
        .filter_map(|d| by_rel.get(d.path.as_str()).copied())
        .collect();
    let catalog = Catalog::new(site, &listed);
    for d in &mut m.documents {
        if let Some(doc) = by_rel.get(d.path.as_str()) {
            let broken = !crate::checks::code::page_notes(doc).is_empty();
            let mut facts = Card::new(site, doc).facts(doc, broken);
            facts.actions = actions(site, doc, true).iter().map(Into::into).collect();
            // A course without a slug has no lessons, and no place on the learning pages.
            if doc.kind == Kind::Course && doc.course.is_some() {
                let course = super::learning::course_ctx(&catalog, doc);
                facts.course = Some(course.facts(&m.prefix, &doc.meta.prerequisites));
            }
            d.card = Some(facts);
        }
    }
    m.teams = site
        .owners
        .teams
        .iter()
        .map(|(id, team)| TeamFacts {
            team: (&OwnerRef::new(site, id)).into(),
            members: team
                .members
                .iter()
                .map(|p| (&OwnerRef::new(site, p)).into())
                .collect(),
            disbanded: team.disbanded,
        })
        .collect();
    m
}
