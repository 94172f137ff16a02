//! The on-call pages: the action-item tracker (`actions/`), the incident history
//! (`postmortems/`, with build-time charts) and the service pages (`services/`,
//! `services/<slug>/`), which gather everything about one service.

use super::Builder;
use super::chart::{self, Chart, Incident};
use super::context::{ActionCtx, Card, Counts, Link, OwnerRef, actions, answering_teams};
use super::sink::Fatal;
use super::theme::PageWriter;
use crate::content::date::Date;
use crate::content::front_matter::Kind;
use crate::content::urls::{alert_url, slug};
use crate::model::owners::Standing;
use crate::model::{Document, ReviewState, Site};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Every action item of the given postmortems, each naming its postmortem.
pub fn all_actions(site: &Site, docs: &[&Document]) -> Vec<ActionCtx> {
    docs.iter()
        .filter(|d| d.kind == Kind::Postmortem)
        .flat_map(|d| actions(site, d, true))
        .collect()
}

/// How many action items are open past their due date: the navigation's count.
pub fn overdue_count(site: &Site, docs: &[&Document]) -> usize {
    docs.iter()
        .filter(|d| d.kind == Kind::Postmortem)
        .flat_map(|d| &d.meta.action_items)
        .filter(|a| {
            a.status == crate::content::front_matter::ActionStatus::Open && a.due < site.today
        })
        .count()
}

/// Most urgent first: overdue longest, then open by due date, then closed ones, latest due
/// first. Ties by postmortem and title, so that the order never depends on the input's.
pub fn sort_actions(items: &mut [ActionCtx]) {
    let rank = |a: &ActionCtx| match a.state {
        "overdue" => 0,
        "open" => 1,
        "done" => 2,
        _ => 3,
    };
    items.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| match rank(a) {
                0 => b.days_overdue.cmp(&a.days_overdue),
                1 => a.due.cmp(&b.due),
                _ => b.due.cmp(&a.due),
            })
            .then_with(|| {
                let url = |x: &ActionCtx| x.doc.as_ref().map(|d| d.url.clone());
                url(a).cmp(&url(b))
            })
            .then_with(|| a.title.cmp(&b.title))
    });
}

#[derive(Serialize, Clone, Default, Debug, PartialEq, Eq)]
pub struct ActionCounts {
    pub total: usize,
    /// Open and not yet due (overdue ones are counted apart).
    pub open: usize,
    pub overdue: usize,
    pub done: usize,
    pub wontfix: usize,
    /// Open or overdue items whose owner has lapsed or is unknown.
    pub unowned: usize,
}

impl ActionCounts {
    fn add(&mut self, a: &ActionCtx) {
        self.total += 1;
        match a.state {
            "overdue" => self.overdue += 1,
            "open" => self.open += 1,
            "done" => self.done += 1,
            _ => self.wontfix += 1,
        }
        if is_open(a) && a.owner.standing != Standing::Active {
            self.unowned += 1;
        }
    }

    fn of<'a>(items: impl IntoIterator<Item = &'a ActionCtx>) -> ActionCounts {
        let mut c = ActionCounts::default();
        for a in items {
            c.add(a);
        }
        c
    }
}

fn is_open(a: &ActionCtx) -> bool {
    matches!(a.state, "open" | "overdue")
}

#[derive(Serialize)]
pub struct ActionSection {
    /// `overdue`, `open`, `done` or `wontfix` (also the section's anchor, `#actions-<state>`).
    pub state: &'static str,
    pub title: &'static str,
    pub items: Vec<ActionCtx>,
}

/// One row of the by-owner, by-team or by-service views.
#[derive(Serialize)]
pub struct ActionSummary {
    /// The owner or team (by-owner and by-team views).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerRef>,
    /// The service (by-service view), linked to `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub counts: ActionCounts,
    /// Days since the incident of its oldest open item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_days: Option<i64>,
}

/// Open items by how long ago their incident was.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct AgeBucket {
    pub label: &'static str,
    pub open: usize,
    pub overdue: usize,
}

const AGES: [(&str, i64, i64); 5] = [
    ("under 30 days", 0, 29),
    ("30–89 days", 30, 89),
    ("90–179 days", 90, 179),
    ("180–364 days", 180, 364),
    ("a year or more", 365, i64::MAX),
];

#[derive(Serialize)]
pub struct TrackerCtx {
    pub counts: ActionCounts,
    pub sections: Vec<ActionSection>,
    pub by_owner: Vec<ActionSummary>,
    pub by_team: Vec<ActionSummary>,
    pub by_service: Vec<ActionSummary>,
    pub by_age: Vec<AgeBucket>,
}

fn summarize(
    groups: BTreeMap<String, Vec<&ActionCtx>>,
    make: impl Fn(&str) -> (Option<OwnerRef>, Option<String>, Option<String>),
) -> Vec<ActionSummary> {
    let mut rows: Vec<ActionSummary> = groups
        .into_iter()
        .map(|(key, items)| {
            let (owner, service, url) = make(&key);
            ActionSummary {
                owner,
                service,
                url,
                counts: ActionCounts::of(items.iter().copied()),
                oldest_days: items
                    .iter()
                    .filter(|a| is_open(a))
                    .filter_map(|a| a.age_days)
                    .max(),
            }
        })
        .collect();
    // Who has the most overdue, then the most open, work first.
    rows.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.counts.overdue),
            std::cmp::Reverse(r.counts.open),
        )
    });
    rows
}

pub fn tracker(site: &Site, docs: &[&Document]) -> TrackerCtx {
    tracker_of(all_actions(site, docs))
}

/// The tracker of `items` (each naming its postmortem, teams and services).
pub fn tracker_of(mut items: Vec<ActionCtx>) -> TrackerCtx {
    sort_actions(&mut items);
    let mut by_owner: BTreeMap<String, Vec<&ActionCtx>> = BTreeMap::new();
    let mut by_team: BTreeMap<String, Vec<&ActionCtx>> = BTreeMap::new();
    let mut by_service: BTreeMap<String, Vec<&ActionCtx>> = BTreeMap::new();
    let mut by_age: Vec<AgeBucket> = AGES
        .iter()
        .map(|(label, ..)| AgeBucket {
            label,
            open: 0,
            overdue: 0,
        })
        .collect();
    for a in &items {
        by_owner.entry(a.owner.id.clone()).or_default().push(a);
        for t in &a.teams {
            by_team.entry(t.id.clone()).or_default().push(a);
        }
        for s in &a.services {
            by_service.entry(s.clone()).or_default().push(a);
        }
        if let Some(age) = a.age_days
            && let Some(b) = AGES.iter().position(|(_, lo, hi)| age >= *lo && age <= *hi)
        {
            match a.state {
                "overdue" => by_age[b].overdue += 1,
                _ => by_age[b].open += 1,
            }
        }
    }
    // Each owner as the items name it (the roster judged on the same day).
    let refs: BTreeMap<&str, &OwnerRef> = items
        .iter()
        .flat_map(|a| std::iter::once(&a.owner).chain(&a.teams))
        .map(|o| (o.id.as_str(), o))
        .collect();
    let owner = |id: &str| (refs.get(id).map(|o| (*o).clone()), None, None);
    let by_owner = summarize(by_owner, owner);
    let by_team = summarize(by_team, owner);
    let by_service = summarize(by_service, |s| {
        (
            None,
            Some(s.to_string()),
            Some(crate::content::urls::service_url(s)),
        )
    });
    let counts = ActionCounts::of(&items);
    let mut sections: Vec<ActionSection> = [
        ("overdue", "Overdue"),
        ("open", "Open"),
        ("done", "Done"),
        ("wontfix", "Won’t fix"),
    ]
    .into_iter()
    .map(|(state, title)| ActionSection {
        state,
        title,
        items: Vec::new(),
    })
    .collect();
    for a in items {
        if let Some(s) = sections.iter_mut().find(|s| s.state == a.state) {
            s.items.push(a);
        }
    }
    TrackerCtx {
        counts,
        sections,
        by_owner,
        by_team,
        by_service,
        by_age,
    }
}

/// `actions/`: the action-item tracker.
pub fn write_actions_page(w: &impl PageWriter, tracker: &TrackerCtx) -> Result<(), Fatal> {
    let page = w.page(
        "actions",
        "Action items",
        "actions/",
        "Every postmortem follow-up: overdue, open, done and won't fix, by owner, team and service",
    );
    w.apply_template("actions.html", &page, "tracker", tracker)
}

/// `postmortems/`: the incident history.
pub fn write_postmortems_page(w: &impl PageWriter, history: &HistoryCtx) -> Result<(), Fatal> {
    let page = w.page(
        "postmortems",
        "Postmortems",
        "postmortems/",
        "Incident reviews, newest first, with incident counts and durations over time",
    );
    w.apply_template("postmortems.html", &page, "history", history)
}

/// A postmortem in the incident tables.
#[derive(Serialize, Clone)]
pub struct IncidentRow {
    #[serde(flatten)]
    pub card: Card,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u64>,
    pub open_actions: usize,
    pub overdue_actions: usize,
}

impl IncidentRow {
    /// The row of a postmortem `card` lasting `duration_minutes`, with its action items.
    pub fn of(card: Card, duration_minutes: Option<u64>, actions: &[ActionCtx]) -> IncidentRow {
        IncidentRow {
            card,
            duration_minutes,
            open_actions: actions.iter().filter(|a| is_open(a)).count(),
            overdue_actions: actions.iter().filter(|a| a.state == "overdue").count(),
        }
    }
}

#[derive(Serialize)]
pub struct IncidentGroup {
    /// The year, a severity or a service.
    pub title: String,
    /// The group's anchor on the page (`year-2026`, `severity-2`).
    pub id: String,
    /// The service's page (by-service groups).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub incidents: Vec<IncidentRow>,
}

#[derive(Serialize)]
pub struct HistoryCtx {
    pub total: usize,
    pub years: Vec<IncidentGroup>,
    pub severities: Vec<IncidentGroup>,
    pub services: Vec<IncidentGroup>,
    pub charts: Vec<Chart>,
}

pub fn history(site: &Site, docs: &[&Document]) -> HistoryCtx {
    let pms: Vec<ServiceDoc> = docs
        .iter()
        .filter(|d| d.kind == Kind::Postmortem)
        .map(|d| ServiceDoc::new(site, d))
        .collect();
    history_of(incident_rows(&pms), site.today)
}

/// The incident history of `rows`, newest first (undated last), as of `today`.
pub fn history_of(rows: Vec<IncidentRow>, today: Date) -> HistoryCtx {
    let mut years: Vec<IncidentGroup> = Vec::new();
    for r in &rows {
        let title = r
            .card
            .date
            .map(|d| d.year_month().0.to_string())
            .unwrap_or_else(|| "Undated".into());
        match years.last_mut() {
            Some(g) if g.title == title => g.incidents.push(r.clone()),
            _ => years.push(IncidentGroup {
                id: format!("year-{}", slug(&title)),
                title,
                url: None,
                incidents: vec![r.clone()],
            }),
        }
    }
    let mut sev: BTreeMap<(u32, String), Vec<IncidentRow>> = BTreeMap::new();
    let mut svc: BTreeMap<String, Vec<IncidentRow>> = BTreeMap::new();
    for r in &rows {
        let key = match &r.card.severity {
            Some(s) => chart::severity_order(s),
            None => (u32::MAX, "unspecified".into()),
        };
        sev.entry(key).or_default().push(r.clone());
        for s in &r.card.services {
            svc.entry(s.clone()).or_default().push(r.clone());
        }
    }
    let severities = sev
        .into_values()
        .enumerate()
        .map(|(i, incidents)| IncidentGroup {
            title: incidents[0]
                .card
                .severity
                .clone()
                .unwrap_or_else(|| "unspecified".into()),
            id: format!("severity-{}", i + 1),
            url: None,
            incidents,
        })
        .collect();
    let per_service: Vec<(String, usize)> = svc.iter().map(|(s, r)| (s.clone(), r.len())).collect();
    let services = svc
        .into_iter()
        .enumerate()
        .map(|(i, (name, incidents))| IncidentGroup {
            url: Some(crate::content::urls::service_url(&name)),
            title: name,
            id: format!("service-{}", i + 1),
            incidents,
        })
        .collect();
    let dated: Vec<Incident> = rows
        .iter()
        .filter_map(|r| {
            Some(Incident {
                date: r.card.date?,
                title: &r.card.title,
                severity: r.card.severity.as_deref(),
                minutes: r.duration_minutes,
            })
        })
        .collect();
    let charts = [
        chart::incidents_over_time(&dated, today),
        chart::durations_over_time(&dated, today),
        chart::incidents_per_service(&per_service, 12),
    ]
    .into_iter()
    .flatten()
    .collect();
    HistoryCtx {
        total: rows.len(),
        years,
        severities,
        services,
        charts,
    }
}

/// An alert a service's runbooks answer, with those runbooks.
#[derive(Serialize)]
pub struct AlertRef {
    pub name: String,
    pub url: String,
    pub runbooks: Vec<Link>,
}

#[derive(Serialize)]
pub struct ServiceCtx {
    pub name: String,
    /// Freshness of every document about the service.
    pub counts: Counts,
    pub teams: Vec<OwnerRef>,
    pub runbooks: Vec<Card>,
    pub alerts: Vec<AlertRef>,
    pub incidents: Vec<IncidentRow>,
    /// Open items (overdue first) of the service's postmortems.
    pub actions: Vec<ActionCtx>,
    /// Courses, lessons and pages about the service.
    pub other: Vec<Card>,
}

/// The teams answering for documents: their own team owners and their person owners'
/// teams, lapsed ones included (their pages say so), in id order.
fn owning_teams(site: &Site, docs: &[&Document]) -> Vec<OwnerRef> {
    let ids: BTreeSet<&str> = docs
        .iter()
        .filter(|d| !d.owners_inherited)
        .flat_map(|d| &d.owners)
        .flat_map(|o| answering_teams(site, o))
        .collect();
    ids.into_iter().map(|id| OwnerRef::new(site, id)).collect()
}

/// A document as the service pages show it: its card, every alert it names, and a
/// postmortem's incident duration and action items (each naming the postmortem). A single
/// build makes it from the document, a composed handbook from its part's manifest.
#[derive(Clone)]
pub struct ServiceDoc {
    pub card: Card,
    pub alerts: Vec<String>,
    pub duration_minutes: Option<u64>,
    pub actions: Vec<ActionCtx>,
}

impl ServiceDoc {
    fn new(site: &Site, doc: &Document) -> ServiceDoc {
        let pm = doc.kind == Kind::Postmortem;
        ServiceDoc {
            card: Card::new(site, doc),
            alerts: doc.meta.alerts.clone(),
            duration_minutes: doc.meta.duration.as_ref().map(|d| d.minutes),
            actions: if pm {
                actions(site, doc, true)
            } else {
                Vec::new()
            },
        }
    }

    fn is(&self, kind: Kind) -> bool {
        self.card.kind == kind
    }
}

/// The postmortems of `docs` as incident rows, newest first (undated last), ties by file.
pub fn incident_rows(docs: &[ServiceDoc]) -> Vec<IncidentRow> {
    let mut pms: Vec<&ServiceDoc> = docs.iter().filter(|d| d.is(Kind::Postmortem)).collect();
    pms.sort_by(|a, b| {
        b.card
            .date
            .cmp(&a.card.date)
            .then_with(|| a.card.file.cmp(&b.card.file))
    });
    pms.into_iter()
        .map(|d| IncidentRow::of(d.card.clone(), d.duration_minutes, &d.actions))
        .collect()
}

/// The open action items of `docs`' postmortems, most urgent first.
fn open_actions(docs: &[ServiceDoc]) -> Vec<ActionCtx> {
    let mut open: Vec<ActionCtx> = docs
        .iter()
        .flat_map(|d| d.actions.iter().filter(|a| is_open(a)).cloned())
        .collect();
    sort_actions(&mut open);
    open
}

pub fn service(site: &Site, name: &str, docs: &[&Document]) -> ServiceCtx {
    let service_docs: Vec<ServiceDoc> = docs.iter().map(|d| ServiceDoc::new(site, d)).collect();
    service_of(name, &service_docs, owning_teams(site, docs))
}

/// The page of service `name` about `docs`, owned by `teams` (the teams answering for
/// them, in id order).
pub fn service_of(name: &str, docs: &[ServiceDoc], teams: Vec<OwnerRef>) -> ServiceCtx {
    let cards = |keep: &dyn Fn(&ServiceDoc) -> bool| -> Vec<Card> {
        docs.iter()
            .filter(|d| keep(d))
            .map(|d| d.card.clone())
            .collect()
    };
    let mut alerts: BTreeMap<&str, Vec<Link>> = BTreeMap::new();
    for d in docs.iter().filter(|d| d.is(Kind::Runbook)) {
        for a in &d.alerts {
            alerts.entry(a.as_str()).or_default().push(Link {
                title: d.card.title.clone(),
                url: d.card.url.clone(),
            });
        }
    }
    ServiceCtx {
        name: name.to_string(),
        counts: Counts::of(docs.iter().map(|d| &d.card)),
        teams,
        runbooks: cards(&|d| d.is(Kind::Runbook)),
        alerts: alerts
            .into_iter()
            .map(|(name, runbooks)| AlertRef {
                name: name.to_string(),
                url: alert_url(name),
                runbooks,
            })
            .collect(),
        incidents: incident_rows(docs),
        actions: open_actions(docs),
        other: cards(&|d| !d.is(Kind::Runbook) && !d.is(Kind::Postmortem)),
    }
}

/// A row of the services index.
#[derive(Serialize)]
pub struct ServiceSummary {
    pub name: String,
    pub url: String,
    pub runbooks: usize,
    pub stale: usize,
    /// Incidents in the year up to the build date.
    pub incidents_12m: usize,
    pub incidents: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_incident: Option<Date>,
    pub open_actions: usize,
    pub overdue_actions: usize,
    pub teams: Vec<OwnerRef>,
}

pub fn service_summary(site: &Site, name: &str, docs: &[&Document]) -> ServiceSummary {
    let service_docs: Vec<ServiceDoc> = docs.iter().map(|d| ServiceDoc::new(site, d)).collect();
    service_summary_of(name, &service_docs, owning_teams(site, docs), site.today)
}

/// The services index's row of service `name` about `docs`, owned by `teams`, as of `today`.
pub fn service_summary_of(
    name: &str,
    docs: &[ServiceDoc],
    teams: Vec<OwnerRef>,
    today: Date,
) -> ServiceSummary {
    let dates = || {
        docs.iter()
            .filter(|d| d.is(Kind::Postmortem))
            .map(|d| d.card.date)
    };
    let open = open_actions(docs);
    ServiceSummary {
        name: name.to_string(),
        url: crate::content::urls::service_url(name),
        runbooks: docs.iter().filter(|d| d.is(Kind::Runbook)).count(),
        stale: docs
            .iter()
            .filter(|d| d.card.review.state == ReviewState::Stale)
            .count(),
        incidents_12m: dates()
            .flatten()
            .filter(|d| (0..365).contains(&d.days_until(today)))
            .count(),
        incidents: dates().count(),
        last_incident: dates().flatten().max(),
        overdue_actions: open.iter().filter(|a| a.state == "overdue").count(),
        open_actions: open.len(),
        teams,
    }
}

/// `services/<service>/`.
pub fn write_service_page(w: &impl PageWriter, url: &str, ctx: &ServiceCtx) -> Result<(), Fatal> {
    let page = w.page("service", &ctx.name, url, "");
    w.apply_template("service.html", &page, "service", ctx)
}

/// `services/`: a row per service, by name.
pub fn write_services_index(w: &impl PageWriter, rows: &[ServiceSummary]) -> Result<(), Fatal> {
    let page = w.page(
        "services",
        "Services",
        "services/",
        "Every service with its runbooks, incidents and open action items",
    );
    w.apply_template("services.html", &page, "services", &rows)
}

impl Builder<'_> {
    pub(super) fn actions_page(&self) -> Result<(), Fatal> {
        write_actions_page(self, &tracker(self.site, &self.docs))
    }

    pub(super) fn postmortems_page(&self) -> Result<(), Fatal> {
        write_postmortems_page(self, &history(self.site, &self.docs))
    }

    pub(super) fn service_page(
        &self,
        url: &str,
        name: &str,
        docs: &[&Document],
    ) -> Result<(), Fatal> {
        write_service_page(self, url, &service(self.site, name, docs))
    }

    pub(super) fn services_index(
        &self,
        groups: &BTreeMap<String, Vec<&Document>>,
    ) -> Result<(), Fatal> {
        let rows: Vec<ServiceSummary> = groups
            .iter()
            .map(|(name, docs)| service_summary(self.site, name, docs))
            .collect();
        write_services_index(self, &rows)
    }
}
