//! The composed handbook's own pages, written from the parts' manifests alone (the parts'
//! pages are copied, not re-rendered): home (`home.html`, as a single build's), the list of
//! parts (`parts/`), the kinds' indexes, the incident history, the action
//! tracker, tags, services, teams, the freshness report, the alerts index, `alerts/<name>/` pages and `alerts.json`, the
//! search page, the sitemap and 404. Each document's card is the one its part's build judged
//! (`parts::CardFacts`), and the pages are written by the same page functions a single build
//! uses (`build::theme::PageWriter`), so cards look the same; each links into its part.

use super::Part;
use crate::build::Sink;
use crate::build::alerts::{
    ALERTS_JSON, alerts_json, in_sitemap, write_alert_page, write_alerts_index,
};
use crate::build::context::{
    ActionCtx, Card, CourseCard, CourseCtx, Group, HomeParts, LastGoodPart, NavItem, OwnerRef,
    PageCtx, SiteCtx, TeamCtx,
};
use crate::build::families;
use crate::build::incidents::{
    ServiceDoc, history_of, incident_rows, service_of, service_summary_of, sort_actions,
    tracker_of, write_actions_page, write_postmortems_page, write_service_page,
    write_services_index,
};
use crate::build::learning::{learning_page, path_page, paths_of, paths_page};
use crate::build::theme::{PageWriter, Theme};
use crate::config::LearningPath;
use crate::content::date::Date;
use crate::content::front_matter::{ActionStatus, Kind};
use crate::content::urls::{output_file, service_url, slug};
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos};
use crate::model::alerts::{AlertIndex, Answers};
use crate::model::courses::prerequisite_order;
use crate::parts::{CourseFacts, TeamFacts};
use std::collections::{BTreeMap, BTreeSet};

/// One part's document as the handbook's pages list it.
pub struct Entry {
    /// `part/path`: orders and tells documents of every part apart.
    key: String,
    card: Card,
    /// Every alert the document names (its card shows the first few).
    alerts: Vec<String>,
    weight: Option<i64>,
    owners_inherited: bool,
    broken_code: bool,
    /// The part's own home page (its `index.md`).
    part_home: bool,
    /// A postmortem's action items, judged on the composer's day.
    actions: Vec<ActionCtx>,
    duration_minutes: Option<u64>,
    /// A course's lessons, when its manifest records them.
    course: Option<CourseFacts>,
}

impl Entry {
    /// The document as the service pages and the incident history show it.
    fn service_doc(&self) -> ServiceDoc {
        ServiceDoc {
            card: self.card.clone(),
            alerts: self.alerts.clone(),
            duration_minutes: self.duration_minutes,
            actions: self.actions.clone(),
        }
    }
}

impl Answers for Entry {
    fn key(&self) -> &str {
        &self.key
    }

    fn is_runbook(&self) -> bool {
        self.card.kind == Kind::Runbook
    }

    fn alert_names(&self) -> &[String] {
        &self.alerts
    }
}

/// The handbook as its parts' manifests describe it.
pub struct Handbook {
    /// Parts in the order given, each's documents in its manifest's (content-path) order,
    /// then by weight: the order a single build lists them in.
    entries: Vec<Entry>,
    /// The roster's teams by id (the first part naming a team describes it).
    teams: BTreeMap<String, TeamFacts>,
    /// Documents left out: their manifest records a card no build writes.
    pub findings: Vec<Diagnostic>,
    /// Parts composed from their last good copy, in the parts' order.
    last_good: Vec<LastGoodPart>,
    /// Every part, in the order given, for `parts/`.
    parts: Vec<PartRow>,
}

/// A part as `parts/` lists it.
#[derive(serde::Serialize)]
struct PartRow {
    name: String,
    title: String,
    /// Its home page, relative to the handbook's root.
    url: String,
    documents: usize,
    /// Composed from its last good copy: since when, and why.
    last_good: Option<LastGoodPart>,
}

impl Handbook {
    pub fn of(parts: &[Part], today: Date) -> Handbook {
        let mut entries = Vec::new();
        let mut findings = Vec::new();
        let mut teams = BTreeMap::new();
        for p in parts {
            let m = &p.manifest;
            for d in &m.documents {
                if d.card.is_none() {
                    // An older manifest: the document is only on its part's own pages.
                    continue;
                }
                let Some(card) = Card::of_part(d) else {
                    findings.push(Diagnostic::new(
                        Code::InvalidMetadata,
                        format!("{}:{}", m.name, d.path),
                        Pos::START,
                        format!(
                            "part `{}` records a card for `{}` that no build writes (an unknown kind, ownership or owner kind): left out of the handbook's pages",
                            m.name, d.path
                        ),
                    ));
                    continue;
                };
                let facts = d.card.as_ref().expect("checked above");
                let actions = facts
                    .actions
                    .iter()
                    .filter_map(|a| ActionCtx::of_part(a, &card, today))
                    .collect();
                entries.push(Entry {
                    actions,
                    duration_minutes: facts.duration_minutes,
                    key: format!("{}/{}", m.name, d.path),
                    card,
                    alerts: d.alerts.clone(),
                    weight: facts.weight,
                    owners_inherited: facts.owners_inherited,
                    broken_code: facts.broken_code,
                    part_home: d.url == m.prefix,
                    course: facts.course.clone(),
                });
            }
            for t in &m.teams {
                if OwnerRef::from_facts(&t.team).is_some() {
                    teams.entry(t.team.id.clone()).or_insert_with(|| t.clone());
                }
            }
        }
        entries.sort_by_key(|e| e.weight.unwrap_or(i64::MAX));
        Handbook {
            entries,
            teams,
            findings,
            last_good: parts.iter().filter_map(last_good).collect(),
            parts: parts
                .iter()
                .map(|p| PartRow {
                    name: p.manifest.name.clone(),
                    title: p.manifest.title.clone(),
                    url: p.manifest.prefix.clone(),
                    documents: p.manifest.documents.len(),
                    last_good: last_good(p),
                })
                .collect(),
        }
    }

    /// Every course its manifest describes (`CardFacts::course`), each after the courses it
    /// requires, as a single build's learning pages list them; a course's prerequisites are
    /// those the handbook has, in whichever part. A slug is one course, as on a site: when
    /// two parts have a course of one slug, the first in the handbook's order is the one.
    fn courses(&self) -> Vec<CourseCtx> {
        let mut by_slug: BTreeMap<&str, (&Entry, &CourseFacts)> = BTreeMap::new();
        for e in &self.entries {
            if let Some(f) = &e.course {
                by_slug.entry(&f.slug).or_insert((e, f));
            }
        }
        let plain: BTreeMap<&str, CourseCtx> = by_slug
            .iter()
            .map(|(slug, (e, f))| (*slug, CourseCtx::of_part(&e.card, f, Vec::new())))
            .collect();
        let order = prerequisite_order(
            by_slug
                .iter()
                .map(|(slug, (_, f))| (*slug, f.prerequisites.as_slice())),
        );
        order
            .into_iter()
            .filter_map(|slug| by_slug.get(slug))
            .map(|(e, f)| {
                let required = f
                    .prerequisites
                    .iter()
                    .filter_map(|p| plain.get(p.as_str()))
                    .map(CourseCtx::as_prerequisite)
                    .collect();
                CourseCtx::of_part(&e.card, f, required)
            })
            .collect()
    }

    /// The courses of the handbook's learning `paths` that no part has (`unknown-course`, as
    /// `check` finds of a site): each path shows the courses it has, so a part missing or
    /// one renaming its course would otherwise go unsaid.
    pub fn unknown_courses(&self, paths: &[LearningPath]) -> Vec<Diagnostic> {
        let slugs: BTreeSet<&str> = self
            .entries
            .iter()
            .filter_map(|e| Some(e.course.as_ref()?.slug.as_str()))
            .collect();
        paths
            .iter()
            .flat_map(|p| p.courses.iter().map(move |c| (p, c)))
            .filter(|(_, (slug, _, _))| !slugs.contains(slug.as_str()))
            .map(|(p, (slug, pos, line))| {
                crate::checks::courses::unknown_course(&p.id, slug, *pos, line).with_hint(
                    "no part composed has a course of this slug: compose the part that has it (built by this Fieldbook version, which records courses in part.json), or take the course out of the path",
                )
            })
            .collect()
    }

    /// The home page's course cards: every course, with its lessons when its manifest
    /// records them.
    fn course_cards(&self) -> Vec<CourseCard> {
        self.entries
            .iter()
            .filter(|e| e.card.kind == Kind::Course)
            .map(|e| {
                let course = e
                    .course
                    .as_ref()
                    .map(|f| CourseCtx::of_part(&e.card, f, Vec::new()));
                CourseCard {
                    card: e.card.clone(),
                    lessons: course.as_ref().map_or(0, |c| c.lessons.len()),
                    total_minutes: course.map_or(0, |c| c.total_minutes),
                }
            })
            .collect()
    }

    /// The teams answering for `entries`: their own team owners and their person owners'
    /// teams (of the roster the parts give), in id order, as a single build's service pages
    /// name them.
    fn owning_teams(&self, entries: &[&Entry]) -> Vec<OwnerRef> {
        let ids: BTreeSet<&str> = entries
            .iter()
            .filter(|e| !e.owners_inherited)
            .flat_map(|e| &e.card.owners)
            .flat_map(|o| self.answering(&o.id))
            .collect();
        ids.into_iter()
            .filter_map(|id| OwnerRef::from_facts(&self.teams.get(id)?.team))
            .collect()
    }

    /// The teams answering for what `id` owns: the team itself, or a person's teams.
    fn answering<'s>(&'s self, id: &'s str) -> Vec<&'s str> {
        if self.teams.contains_key(id) {
            return vec![id];
        }
        self.teams
            .iter()
            .filter(|(_, t)| t.members.iter().any(|m| m.id == id))
            .map(|(team, _)| team.as_str())
            .collect()
    }

    fn cards(&self, keep: impl Fn(&Entry) -> bool) -> Vec<Card> {
        self.entries
            .iter()
            .filter(|e| keep(e))
            .map(|e| e.card.clone())
            .collect()
    }

    fn of_kind(&self, kind: Kind) -> Vec<Card> {
        self.cards(|e| e.card.kind == kind)
    }

    /// Cards by each value of a list field (tags, services), values sorted.
    fn by_value(&self, values: impl Fn(&Card) -> &Vec<String>) -> BTreeMap<String, Vec<Card>> {
        let mut map: BTreeMap<String, Vec<Card>> = BTreeMap::new();
        for e in &self.entries {
            for v in values(&e.card) {
                map.entry(v.clone()).or_default().push(e.card.clone());
            }
        }
        map
    }

    /// Documents a team owns itself (not lessons inheriting it from their course).
    fn team_cards(&self, id: &str) -> Vec<Card> {
        self.cards(|e| !e.owners_inherited && e.card.owners.iter().any(|o| o.id == id))
    }

    /// Every action item, each naming its postmortem.
    fn actions(&self) -> Vec<ActionCtx> {
        self.entries
            .iter()
            .flat_map(|e| e.actions.iter().cloned())
            .collect()
    }

    /// The navigation: the sections these pages fill, with their counts; `paths` is how
    /// many learning paths the handbook has.
    fn nav(&self, paths: usize) -> Vec<NavItem> {
        let count = |k: Kind| self.entries.iter().filter(|e| e.card.kind == k).count();
        let services: BTreeSet<&String> =
            self.entries.iter().flat_map(|e| &e.card.services).collect();
        let refs: Vec<&Entry> = self.entries.iter().collect();
        let items = [
            ("Runbooks", "runbooks/", count(Kind::Runbook), true),
            (
                "Postmortems",
                "postmortems/",
                count(Kind::Postmortem),
                false,
            ),
            ("Courses", "courses/", count(Kind::Course), false),
            (
                "Actions",
                "actions/",
                self.actions().iter().filter(|a| a.overdue).count(),
                count(Kind::Postmortem) > 0,
            ),
            (
                "Learning",
                "learning/",
                paths,
                count(Kind::Course) > 0 || paths > 0,
            ),
            ("Teams", "teams/", self.teams.len(), false),
            ("Services", "services/", services.len(), false),
            (
                "Alerts",
                "alerts/",
                AlertIndex::of(&refs).by_name.len(),
                false,
            ),
            (
                "Freshness",
                "freshness/",
                self.entries.iter().filter(|e| e.card.flagged()).count(),
                true,
            ),
        ];
        // As on a single site: a section with nothing in it is left out, but for the
        // runbooks and the freshness report (where zero is the good news).
        items
            .into_iter()
            .filter(|(_, _, count, always)| *always || *count > 0)
            .map(|(title, url, count, _)| NavItem { title, url, count })
            .collect()
    }
}

/// How the freshness report and the home page name a part composed from its last good copy.
fn last_good(p: &Part) -> Option<LastGoodPart> {
    p.held.map(|h| LastGoodPart {
        name: p.manifest.name.clone(),
        title: p.manifest.title.clone(),
        url: p.manifest.prefix.clone(),
        since: h.since,
        reason: h.why.reason().to_string(),
    })
}

/// Writes pages into the composed site through the theme.
struct Writer<'a> {
    theme: &'a Theme,
    site: SiteCtx<'a>,
    nav: Vec<NavItem>,
    sink: &'a dyn Sink,
}

impl PageWriter for Writer<'_> {
    fn page(&self, kind: &'static str, title: &str, url: &str, description: &str) -> PageCtx {
        PageCtx::at(self.site.base_url, kind, title, url, description)
    }

    fn apply_template(
        &self,
        template: &str,
        page: &PageCtx,
        key: &'static str,
        value: &impl serde::Serialize,
    ) -> Result<(), Fatal> {
        let common = (&self.site, page, self.nav.as_slice());
        let html = self.theme.render_page(template, common, key, value)?;
        self.sink.put(&output_file(&page.url), html.into_bytes())
    }
}

/// Write the handbook's own pages into `sink`; the URLs written (pages, then `sitemap.xml`).
pub fn write(
    handbook: &Handbook,
    theme: &Theme,
    sink: &dyn Sink,
    site: SiteCtx<'_>,
    paths: &[LearningPath],
) -> Result<Vec<String>, Fatal> {
    let today = site.today;
    let w = Writer {
        theme,
        site,
        nav: handbook.nav(paths.len()),
        sink,
    };
    let mut urls: Vec<String> = Vec::new();
    let mut done = |url: String, r: Result<(), Fatal>| r.map(|()| urls.push(url));
    let h = handbook;
    let all = h.cards(|_| true);
    // The handbook has no `index.md` of its own: its description introduces it.
    let parts = HomeParts {
        url: "parts/",
        count: h.parts.len(),
        last_good: h.last_good.clone(),
    };
    let home = families::home_page(
        &w,
        (w.site.title, w.site.description),
        None,
        &all,
        h.course_cards(),
        Some(parts),
    );
    done(String::new(), home)?;
    let page = w.page("parts", "Parts", "parts/", "Every part of the handbook");
    done(
        "parts/".into(),
        w.apply_template("parts.html", &page, "parts", &h.parts),
    )?;
    done(
        "runbooks/".into(),
        families::runbooks_page(&w, h.of_kind(Kind::Runbook)),
    )?;
    let postmortems: Vec<ServiceDoc> = h
        .entries
        .iter()
        .filter(|e| e.card.kind == Kind::Postmortem)
        .map(Entry::service_doc)
        .collect();
    let rows = incident_rows(&postmortems);
    let history = history_of(rows, today);
    done("postmortems/".into(), write_postmortems_page(&w, &history))?;
    done(
        "courses/".into(),
        families::courses_page(&w, h.of_kind(Kind::Course)),
    )?;
    // A part's own home page (its `index.md`) is no page of the list.
    let pages = h.cards(|e| e.card.kind == Kind::Page && !e.part_home);
    done("pages/".into(), families::pages_page(&w, pages))?;
    let tags = h.by_value(|c| &c.tags);
    for (name, cards) in &tags {
        let url = format!("tags/{}/", slug(name));
        done(
            url.clone(),
            families::group_page(&w, &url, "Tags", name, cards.clone()),
        )?;
    }
    done(
        "tags/".into(),
        families::group_index(&w, "tags", "Tags", tags),
    )?;
    // Each service's page and row as a single build writes them, from its documents' cards.
    let mut services: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in &h.entries {
        for name in &e.card.services {
            services.entry(name).or_default().push(e);
        }
    }
    let mut rows = Vec::new();
    for (name, entries) in &services {
        let docs: Vec<ServiceDoc> = entries.iter().map(|e| e.service_doc()).collect();
        let url = service_url(name);
        let ctx = service_of(name, &docs, h.owning_teams(entries));
        done(url.clone(), write_service_page(&w, &url, &ctx))?;
        rows.push(service_summary_of(name, &docs, ctx.teams, today));
    }
    done("services/".into(), write_services_index(&w, &rows))?;
    for (id, t) in &h.teams {
        let url = format!("teams/{}/", slug(id));
        let owned = h.team_cards(id);
        // Items the team owns, and those its members own as people.
        let mut actions: Vec<ActionCtx> = h
            .actions()
            .into_iter()
            .filter(|a| a.status == ActionStatus::Open && a.teams.iter().any(|t| t.id == *id))
            .collect();
        sort_actions(&mut actions);
        let team = TeamCtx {
            owner: OwnerRef::from_facts(&t.team).expect("checked when read"),
            members: t.members.iter().filter_map(OwnerRef::from_facts).collect(),
            disbanded: t.disbanded,
            needs_review: owned.iter().filter(|c| c.flagged()).cloned().collect(),
            owned,
            actions,
        };
        done(url.clone(), families::team_page(&w, &url, &team))?;
    }
    let teams = h
        .teams
        .iter()
        .map(|(id, t)| Group {
            title: t.team.name.clone(),
            url: Some(format!("teams/{}/", slug(id))),
            cards: h.team_cards(id),
        })
        .collect();
    done("teams/".into(), families::teams_index(&w, teams))?;
    // `learning/`, `paths/` and each `paths/<id>/`: the handbook's `[[paths]]` over the
    // parts' courses.
    let courses = h.courses();
    let learning_paths = paths_of(paths, &courses);
    done("paths/".into(), paths_page(&w, &learning_paths))?;
    for path in &learning_paths {
        done(path.url.clone(), path_page(&w, path))?;
    }
    done(
        "learning/".into(),
        learning_page(&w, learning_paths, courses),
    )?;
    let tracker = tracker_of(h.actions());
    done("actions/".into(), write_actions_page(&w, &tracker))?;
    let broken: BTreeSet<&str> = h
        .entries
        .iter()
        .filter(|e| e.broken_code)
        .map(|e| e.card.url.as_str())
        .collect();
    done(
        "freshness/".into(),
        families::freshness_page(
            &w,
            &all,
            today,
            |c| broken.contains(c.url.as_str()),
            h.last_good.clone(),
        ),
    )?;
    let refs: Vec<&Entry> = h.entries.iter().collect();
    let alerts = AlertIndex::of(&refs);
    for page in alerts.pages().values() {
        let cards = page.runbooks.iter().map(|e| e.card.clone()).collect();
        done(
            page.url.clone(),
            write_alert_page(&w, w.site.base_url, &page.url, &page.names, cards),
        )?;
    }
    let rows = || {
        alerts
            .by_name
            .iter()
            .map(|(name, es)| (name.clone(), es.iter().map(|e| e.card.clone()).collect()))
    };
    done("alerts/".into(), write_alerts_index(&w, rows()))?;
    let json = alerts_json(w.site.title, w.site.base_url, today, rows());
    done(ALERTS_JSON.into(), sink.put(ALERTS_JSON, json))?;
    // Where the header's "All results" leads; it searches the handbook's merged index
    // (`super::search`), as the search page a build writes searches the site's.
    let page = w.page(
        "search",
        "Search",
        "search/",
        "Search runbooks, postmortems and courses",
    );
    done(
        "search/".into(),
        w.apply_template("search.html", &page, "search", &()),
    )?;
    done(
        "404.html".into(),
        families::not_found_page(&w, w.site.base_url),
    )?;
    let mut sitemap: Vec<String> = h.entries.iter().map(|e| e.card.url.clone()).collect();
    sitemap.extend(
        urls.iter()
            .filter(|u| *u != "404.html" && in_sitemap(u))
            .cloned(),
    );
    let xml = crate::build::sitemap(w.site.base_url, &sitemap);
    sink.put("sitemap.xml", xml.into_bytes())?;
    urls.push("sitemap.xml".into());
    Ok(urls)
}
