//! The index pages, by family: home, the kinds' indexes (runbooks, postmortems, the action
//! tracker, courses, pages), tags, services, teams, alerts, learning, the freshness report,
//! search and 404. Each family does two things in one place: it registers its pages (URL and
//! how to render it) for [`Builder::index_pages`], and it names those of its pages that show a
//! document, for [`crate::build::invalidate`]. A new family is a type here and an entry in
//! [`FAMILIES`].

use super::context::{Card, Group};
use super::footprint::Footprint;
use super::{Builder, Job, by_service};
use crate::content::front_matter::Kind;
use crate::content::urls::slug;
use crate::model::alerts::{AlertIndex, AlertPage};
use crate::model::{Document, Site};
use std::collections::{BTreeMap, BTreeSet};

/// What several families list, computed once per [`Builder::index_pages`].
pub(super) struct Lists<'a> {
    all: std::sync::OnceLock<Vec<Card>>,
    tags: BTreeMap<String, Vec<&'a Document>>,
    services: BTreeMap<String, Vec<&'a Document>>,
    alerts: AlertIndex<'a>,
    alert_pages: BTreeMap<String, AlertPage<'a>>,
}

impl<'a> Lists<'a> {
    pub(super) fn new(docs: &[&'a Document]) -> Lists<'a> {
        let alerts = AlertIndex::of(docs);
        Lists {
            all: std::sync::OnceLock::new(),
            tags: group_by(docs, |d| &d.meta.tags),
            services: group_by(docs, |d| &d.meta.services),
            alert_pages: alerts.pages(),
            alerts,
        }
    }

    /// Every listed document's card, in weight order.
    fn all(&self, b: &Builder<'_>) -> &[Card] {
        self.all.get_or_init(|| b.cards(|_| true))
    }
}

/// Documents by each value of a list field (tags, services), values sorted.
fn group_by<'a>(
    docs: &[&'a Document],
    key: impl Fn(&Document) -> &Vec<String>,
) -> BTreeMap<String, Vec<&'a Document>> {
    let mut map: BTreeMap<String, Vec<&Document>> = BTreeMap::new();
    for d in docs {
        for v in key(d) {
            map.entry(v.clone()).or_default().push(d);
        }
    }
    map
}

/// The pages registered so far: URL and how to render it.
pub(super) type Jobs<'j> = Vec<(String, Job<'j>)>;

/// One family of index pages.
pub(super) trait Family: Sync {
    /// Register every page of the family.
    fn pages<'j>(&self, b: &'j Builder<'_>, lists: &'j Lists<'_>, jobs: &mut Jobs<'j>);

    /// Add the URLs of the family's pages that show a listed document looking like `fp`.
    fn showing(&self, site: &Site, fp: &Footprint, out: &mut BTreeSet<String>);
}

/// Every family of index pages, in the order their pages are registered.
pub(super) const FAMILIES: [&dyn Family; 10] = [
    &Home, &Kinds, &Tags, &Services, &Teams, &Alerts, &Learning, &Freshness, &Search, &NotFound,
];

/// The URLs of every family's pages that show a listed document looking like `fp`.
pub(super) fn showing(site: &Site, fp: &Footprint, out: &mut BTreeSet<String>) {
    for f in FAMILIES {
        f.showing(site, fp, out);
    }
}

/// Home: what needs review, counts, courses, recent postmortems (and `index.md`'s text).
struct Home;

impl Family for Home {
    fn pages<'j>(&self, b: &'j Builder<'_>, lists: &'j Lists<'_>, jobs: &mut Jobs<'j>) {
        jobs.push((String::new(), Box::new(|| b.home(lists.all(b)))));
    }

    fn showing(&self, _: &Site, _: &Footprint, out: &mut BTreeSet<String>) {
        out.insert(String::new());
    }
}

/// Each kind's index: `runbooks/`, `postmortems/` and the action tracker `actions/`,
/// `courses/`, `pages/`.
struct Kinds;

impl Family for Kinds {
    fn pages<'j>(&self, b: &'j Builder<'_>, _: &'j Lists<'_>, jobs: &mut Jobs<'j>) {
        jobs.push((
            "runbooks/".into(),
            Box::new(|| {
                let runbooks = b.cards(|d| d.kind == Kind::Runbook);
                b.list("runbooks/", "Runbooks", Some("Every runbook, by service. Stale ones are marked: verify their steps before acting."), by_service(runbooks))
            }),
        ));
        jobs.push(("postmortems/".into(), Box::new(|| b.postmortems_page())));
        jobs.push(("actions/".into(), Box::new(|| b.actions_page())));
        jobs.push((
            "courses/".into(),
            Box::new(|| {
                let courses = b.cards(|d| d.kind == Kind::Course);
                b.list(
                    "courses/",
                    "Courses",
                    Some(
                        "Onboarding and training paths, built from the team's own runbooks and incidents.",
                    ),
                    vec![Group {
                        title: "All courses".into(),
                        url: None,
                        cards: courses,
                    }],
                )
            }),
        ));
        jobs.push((
            "pages/".into(),
            Box::new(|| {
                let pages_list = b.cards(|d| d.kind == Kind::Page && !d.url().is_empty());
                b.list(
                    "pages/",
                    "Pages",
                    None,
                    vec![Group {
                        title: "All pages".into(),
                        url: None,
                        cards: pages_list,
                    }],
                )
            }),
        ));
    }

    fn showing(&self, site: &Site, fp: &Footprint, out: &mut BTreeSet<String>) {
        match fp.kind {
            Kind::Runbook => {
                out.insert("runbooks/".into());
            }
            Kind::Postmortem => out.extend(["postmortems/".into(), "actions/".into()]),
            Kind::Course => {
                out.insert("courses/".into());
            }
            Kind::Page if !crate::adopt::page_url(&fp.rel, site.config.urls).is_empty() => {
                out.insert("pages/".into());
            }
            _ => {}
        }
    }
}

/// `tags/<tag>/` for each tag, and `tags/`.
struct Tags;

impl Family for Tags {
    fn pages<'j>(&self, b: &'j Builder<'_>, lists: &'j Lists<'_>, jobs: &mut Jobs<'j>) {
        for (name, docs) in &lists.tags {
            let url = format!("tags/{}/", slug(name));
            let page_url = url.clone();
            jobs.push((
                url,
                Box::new(move || b.group_page(&page_url, "Tags", name, docs)),
            ));
        }
        jobs.push((
            "tags/".into(),
            Box::new(|| b.group_index("tags", "Tags", &lists.tags)),
        ));
    }

    fn showing(&self, _: &Site, fp: &Footprint, out: &mut BTreeSet<String>) {
        for v in &fp.tags {
            out.insert(format!("tags/{}/", slug(v)));
            out.insert("tags/".into());
        }
    }
}

/// `services/<service>/`: everything about each (incidents.rs), and `services/` with counts.
struct Services;

impl Family for Services {
    fn pages<'j>(&self, b: &'j Builder<'_>, lists: &'j Lists<'_>, jobs: &mut Jobs<'j>) {
        for (name, docs) in &lists.services {
            let url = crate::content::urls::service_url(name);
            let page_url = url.clone();
            jobs.push((url, Box::new(move || b.service_page(&page_url, name, docs))));
        }
        jobs.push((
            "services/".into(),
            Box::new(|| b.services_index(&lists.services)),
        ));
    }

    fn showing(&self, _: &Site, fp: &Footprint, out: &mut BTreeSet<String>) {
        for v in &fp.services {
            out.insert(crate::content::urls::service_url(v));
            out.insert("services/".into());
        }
    }
}

/// `teams/<team>/` for each team of owners.yaml, and `teams/`.
struct Teams;

impl Family for Teams {
    fn pages<'j>(&self, b: &'j Builder<'_>, _: &'j Lists<'_>, jobs: &mut Jobs<'j>) {
        for (id, team) in &b.site.owners.teams {
            let url = format!("teams/{}/", slug(id));
            let page_url = url.clone();
            jobs.push((url, Box::new(move || b.team_page(&page_url, id, team))));
        }
        jobs.push(("teams/".into(), Box::new(|| b.teams_index())));
    }

    fn showing(&self, site: &Site, fp: &Footprint, out: &mut BTreeSet<String>) {
        for o in &fp.owners {
            if site.owners.teams.contains_key(o) {
                out.insert(format!("teams/{}/", slug(o)));
                out.insert("teams/".into());
            }
        }
        // An action item shows on its owner's team page, or on each of its person owner's.
        for o in &fp.actions {
            for team in super::context::answering_teams(site, o) {
                out.insert(format!("teams/{}/", slug(team)));
            }
        }
    }
}

/// `alerts/<name>/` for each alert a runbook answers, `alerts/` and `alerts.json`.
struct Alerts;

impl Family for Alerts {
    fn pages<'j>(&self, b: &'j Builder<'_>, lists: &'j Lists<'_>, jobs: &mut Jobs<'j>) {
        for alert in lists.alert_pages.values() {
            jobs.push((alert.url.clone(), Box::new(move || b.alert_page(alert))));
        }
        jobs.push(("alerts/".into(), Box::new(|| b.alerts_index(&lists.alerts))));
        jobs.push((
            super::alerts::ALERTS_JSON.into(),
            Box::new(|| b.alerts_json(&lists.alerts)),
        ));
    }

    fn showing(&self, _: &Site, fp: &Footprint, out: &mut BTreeSet<String>) {
        for a in &fp.alerts {
            out.insert(crate::content::urls::alert_url(a));
            out.insert("alerts/".into());
            out.insert(super::alerts::ALERTS_JSON.into());
        }
    }
}

/// `learning/`, `paths/` and each `paths/<id>/` (learning.rs).
struct Learning;

impl Family for Learning {
    fn pages<'j>(&self, b: &'j Builder<'_>, _: &'j Lists<'_>, jobs: &mut Jobs<'j>) {
        b.learning_jobs(jobs);
    }

    fn showing(&self, site: &Site, fp: &Footprint, out: &mut BTreeSet<String>) {
        let Some(slug) = fp.course.as_deref() else {
            return;
        };
        out.extend(["learning/".to_string(), "paths/".to_string()]);
        for p in &site.config.paths {
            if p.courses.iter().any(|(c, _, _)| c == slug) {
                out.insert(format!("paths/{}/", p.id));
            }
        }
    }
}

/// `freshness/`: what needs review, by team.
struct Freshness;

impl Family for Freshness {
    fn pages<'j>(&self, b: &'j Builder<'_>, lists: &'j Lists<'_>, jobs: &mut Jobs<'j>) {
        jobs.push(("freshness/".into(), Box::new(|| b.freshness(lists.all(b)))));
    }

    fn showing(&self, _: &Site, _: &Footprint, out: &mut BTreeSet<String>) {
        out.insert("freshness/".into());
    }
}

/// `search/`: the search page (its index is written with the search indexes).
struct Search;

impl Family for Search {
    fn pages<'j>(&self, b: &'j Builder<'_>, _: &'j Lists<'_>, jobs: &mut Jobs<'j>) {
        jobs.push((
            "search/".into(),
            Box::new(|| {
                let page = b.page(
                    "search",
                    "Search",
                    "search/",
                    "Search runbooks, postmortems and courses",
                );
                b.apply_template("search.html", &page, "search", &())
            }),
        ));
    }

    fn showing(&self, _: &Site, _: &Footprint, _: &mut BTreeSet<String>) {}
}

/// `404.html`: served for any missing path, so its links start at `base_url`. Not in the
/// sitemap.
struct NotFound;

impl Family for NotFound {
    fn pages<'j>(&self, b: &'j Builder<'_>, _: &'j Lists<'_>, jobs: &mut Jobs<'j>) {
        jobs.push((
            "404.html".into(),
            Box::new(|| {
                let mut page = b.page("not-found", "Page not found", "404.html", "");
                page.root = b.site.config.book.base_url.clone();
                b.apply_template("404.html", &page, "missing", &())
            }),
        ));
    }

    fn showing(&self, _: &Site, _: &Footprint, _: &mut BTreeSet<String>) {}
}
