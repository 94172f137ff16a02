//! The index pages, by family: home, the kinds' indexes (runbooks, postmortems, the action
//! tracker, courses, pages), tags, services, teams, alerts, learning, the freshness report,
//! search and 404. Each family does two things in one place: it registers its pages (URL and
//! how to render it) for [`Builder::index_pages`], and it names those of its pages that show a
//! document, for [`crate::build::invalidate`]. A new family is a type here and an entry in
//! `FAMILIES`.
//!
//! The page functions (`runbooks_page`, `group_page`, `freshness_page`, ...) write a page from
//! cards through a [`PageWriter`]: the build's [`Builder`], or a composed handbook, whose cards
//! come from part manifests (`crate::compose`).

use super::context::{
    Card, Counts, CourseCard, Group, HomeCtx, HomeParts, LastGoodPart, OwnerRef, PageCtx,
    ReportCtx, TeamCards, TeamCtx,
};
use super::footprint::Footprint;
use super::theme::PageWriter;
use super::{Builder, Fatal, Job, by_service, chart, kind_title, urgency};
use crate::content::date::Date;
use crate::content::front_matter::Kind;
use crate::content::urls::slug;
use crate::model::alerts::{AlertIndex, AlertPage};
use crate::model::{Document, ReviewState, Site};
use std::collections::{BTreeMap, BTreeSet};

impl PageWriter for Builder<'_> {
    fn page(&self, kind: &'static str, title: &str, url: &str, description: &str) -> PageCtx {
        Builder::page(self, kind, title, url, description)
    }

    fn apply_template(
        &self,
        template: &str,
        page: &PageCtx,
        key: &'static str,
        value: &impl serde::Serialize,
    ) -> Result<(), Fatal> {
        Builder::apply_template(self, template, page, key, value)
    }
}

/// The home page of the handbook titled `title`: `intro_html` (its `index.md`, rendered),
/// what needs review across `all` (every listed document's card; the most urgent twelve),
/// the counts, `courses`, the five newest postmortems, and a composed handbook's `parts`.
pub fn home_page(
    w: &impl PageWriter,
    (title, description): (&str, &str),
    intro_html: Option<String>,
    all: &[Card],
    courses: Vec<CourseCard>,
    parts: Option<HomeParts>,
) -> Result<(), Fatal> {
    let mut needs_review: Vec<Card> = all.iter().filter(|c| c.flagged()).cloned().collect();
    needs_review.sort_by_key(urgency);
    needs_review.truncate(12);
    let mut postmortems: Vec<Card> = all
        .iter()
        .filter(|c| c.kind == Kind::Postmortem)
        .cloned()
        .collect();
    postmortems.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.url.cmp(&b.url)));
    postmortems.truncate(5);
    let home = HomeCtx {
        intro_html,
        needs_review,
        counts: Counts::of(all),
        courses,
        postmortems,
        parts,
    };
    let page = w.page("home", title, "", description);
    w.apply_template("home.html", &page, "home", &home)
}

/// `runbooks/`: every runbook, by service.
pub fn runbooks_page(w: &impl PageWriter, runbooks: Vec<Card>) -> Result<(), Fatal> {
    w.list(
        "runbooks/",
        "Runbooks",
        Some("Every runbook, by service. Stale ones are marked: verify their steps before acting."),
        by_service(runbooks),
    )
}

/// `courses/`.
pub fn courses_page(w: &impl PageWriter, courses: Vec<Card>) -> Result<(), Fatal> {
    w.list(
        "courses/",
        "Courses",
        Some("Onboarding and training paths, built from the team's own runbooks and incidents."),
        vec![Group {
            title: "All courses".into(),
            url: None,
            cards: courses,
        }],
    )
}

/// `pages/`.
pub fn pages_page(w: &impl PageWriter, pages: Vec<Card>) -> Result<(), Fatal> {
    w.list(
        "pages/",
        "Pages",
        None,
        vec![Group {
            title: "All pages".into(),
            url: None,
            cards: pages,
        }],
    )
}

/// The page of one tag or service: its documents by kind.
pub fn group_page(
    w: &impl PageWriter,
    url: &str,
    heading: &str,
    name: &str,
    cards: Vec<Card>,
) -> Result<(), Fatal> {
    let mut by_kind: BTreeMap<Kind, Vec<Card>> = BTreeMap::new();
    for c in cards {
        by_kind.entry(c.kind).or_default().push(c);
    }
    let kind_groups = by_kind
        .into_iter()
        .map(|(k, cards)| Group {
            title: kind_title(k).into(),
            url: None,
            cards,
        })
        .collect();
    w.list(
        url,
        &format!("{} {name}", &heading[..heading.len() - 1]),
        None,
        kind_groups,
    )
}

/// `tags/` (or another value list): every value with its documents, values in order.
pub fn group_index(
    w: &impl PageWriter,
    base: &str,
    heading: &str,
    groups: impl IntoIterator<Item = (String, Vec<Card>)>,
) -> Result<(), Fatal> {
    let index = groups
        .into_iter()
        .map(|(name, cards)| Group {
            url: Some(format!("{base}/{}/", slug(&name))),
            title: name,
            cards,
        })
        .collect();
    w.list(&format!("{base}/"), heading, None, index)
}

/// `teams/<id>/`.
pub fn team_page(w: &impl PageWriter, url: &str, team: &TeamCtx) -> Result<(), Fatal> {
    let page = w.page("team", &team.owner.name, url, "");
    w.apply_template("team.html", &page, "team", team)
}

/// `teams/`: each team (`Group::title` its name) with the documents it owns itself.
pub fn teams_index(w: &impl PageWriter, teams: Vec<Group>) -> Result<(), Fatal> {
    w.list(
        "teams/",
        "Teams",
        Some("Who owns what, and how to reach them."),
        teams,
    )
}

/// `freshness/`: what needs review, by team, from every listed document's card; `broken`
/// says which have a code block that no longer parses; `last_good` names the parts of a
/// composed handbook shown from their last good copy (none for a single build).
pub fn freshness_page(
    w: &impl PageWriter,
    all: &[Card],
    today: Date,
    broken: impl Fn(&Card) -> bool,
    last_good: Vec<LastGoodPart>,
) -> Result<(), Fatal> {
    let tracked: Vec<&Card> = all
        .iter()
        .filter(|c| c.review.state != ReviewState::Untracked || c.review.reviewed.is_some())
        .collect();
    let counts = chart::buckets(today, tracked.iter().map(|c| c.review.reviewed));
    let flagged: Vec<&Card> = all.iter().filter(|c| c.flagged()).collect();
    // Each owner as the cards name it (the roster judged on the same day).
    let mut teams: BTreeMap<String, (OwnerRef, Vec<Card>)> = BTreeMap::new();
    let mut unowned = Vec::new();
    for c in &flagged {
        let active = c
            .owners
            .iter()
            .any(|o| o.standing == crate::model::owners::Standing::Active);
        if !active {
            unowned.push((*c).clone());
        }
        for o in c.owners.iter().filter(|o| o.kind == "team") {
            let entry = teams
                .entry(o.id.clone())
                .or_insert_with(|| (o.clone(), Vec::new()));
            entry.1.push((*c).clone());
        }
    }
    for (_, cards) in teams.values_mut() {
        cards.sort_by_key(urgency);
    }
    unowned.sort_by_key(urgency);
    // Teams with the most urgent work first (as `fieldbook report` orders owners).
    let mut teams: Vec<(String, (OwnerRef, Vec<Card>))> = teams.into_iter().collect();
    teams.sort_by(|a, b| {
        let key = |t: &(String, (OwnerRef, Vec<Card>))| t.1.1.first().map(urgency);
        key(a).cmp(&key(b)).then_with(|| a.0.cmp(&b.0))
    });
    // Documents whose commands, queries or snippets no longer parse, by owner (teams and
    // the people named directly).
    let mut broken_by: BTreeMap<String, (OwnerRef, Vec<Card>)> = BTreeMap::new();
    for c in all.iter().filter(|c| broken(c)) {
        for o in &c.owners {
            let entry = broken_by
                .entry(o.id.clone())
                .or_insert_with(|| (o.clone(), Vec::new()));
            entry.1.push(c.clone());
        }
    }
    let owner_cards =
        |(_, (owner, cards)): (String, (OwnerRef, Vec<Card>))| TeamCards { owner, cards };
    let ctx = ReportCtx {
        counts: Counts::of(all.iter()),
        chart_svg: chart::review_age_svg(&counts),
        teams: teams.into_iter().map(owner_cards).collect(),
        unowned,
        broken: broken_by.into_iter().map(owner_cards).collect(),
        last_good,
    };
    let page = w.page(
        "freshness",
        "Freshness report",
        "freshness/",
        "Stale, due-soon, never-reviewed and unowned documents, by team",
    );
    w.apply_template("freshness.html", &page, "report", &ctx)
}

/// `404.html`: served for any missing path, so its links start at `base_url`.
pub fn not_found_page(w: &impl PageWriter, base_url: &str) -> Result<(), Fatal> {
    let mut page = w.page("not-found", "Page not found", "404.html", "");
    page.root = base_url.to_string();
    w.apply_template("404.html", &page, "missing", &())
}

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
            Box::new(|| runbooks_page(b, b.cards(|d| d.kind == Kind::Runbook))),
        ));
        jobs.push(("postmortems/".into(), Box::new(|| b.postmortems_page())));
        jobs.push(("actions/".into(), Box::new(|| b.actions_page())));
        jobs.push((
            "courses/".into(),
            Box::new(|| courses_page(b, b.cards(|d| d.kind == Kind::Course))),
        ));
        jobs.push((
            "pages/".into(),
            Box::new(|| pages_page(b, b.cards(|d| d.kind == Kind::Page && !d.url().is_empty()))),
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
                Box::new(move || group_page(b, &page_url, "Tags", name, b.cards_of(docs))),
            ));
        }
        jobs.push((
            "tags/".into(),
            Box::new(|| {
                let tags = lists
                    .tags
                    .iter()
                    .map(|(t, docs)| (t.clone(), b.cards_of(docs)));
                group_index(b, "tags", "Tags", tags)
            }),
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
            Box::new(|| not_found_page(b, &b.site.config.book.base_url)),
        ));
    }

    fn showing(&self, _: &Site, _: &Footprint, _: &mut BTreeSet<String>) {}
}
