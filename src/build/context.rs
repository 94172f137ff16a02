//! What templates see (themes/default/CONTEXT.md is the contract). Contexts are small: each
//! page gets what it shows, built from borrowed data where it can.

use crate::content::date::Date;
use crate::content::front_matter::{ActionStatus, Kind};
use crate::content::urls::slug;
use crate::model::owners::Standing;
use crate::model::ownership_state;
use crate::model::{Document, Review, Site};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct SiteCtx<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub base_url: &'a str,
    pub today: Date,
    pub version: &'static str,
    /// `[book] escalation`, when set.
    pub escalation: Option<&'a str>,
}

#[derive(Serialize)]
pub struct PageCtx {
    pub kind: &'static str,
    pub title: String,
    pub url: String,
    pub root: String,
    pub canonical: String,
    pub description: String,
}

impl PageCtx {
    /// The page at site-relative `url` of a site published at `base_url`.
    pub fn at(
        base_url: &str,
        kind: &'static str,
        title: &str,
        url: &str,
        description: &str,
    ) -> PageCtx {
        PageCtx {
            kind,
            title: title.to_string(),
            url: url.to_string(),
            root: crate::content::urls::root_of(url),
            canonical: format!("{base_url}{url}"),
            description: description.to_string(),
        }
    }
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct NavItem {
    pub title: &'static str,
    pub url: &'static str,
    pub count: usize,
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct OwnerRef {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub standing: Standing,
    /// Why a lapsed owner lapsed, for readers: `left on 2026-08-31`, `disbanded on …`,
    /// `inactive`, `no active member`, `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lapse: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl OwnerRef {
    pub fn new(site: &Site, id: &str) -> OwnerRef {
        let team = site.owners.teams.get(id);
        let kind = match team {
            Some(_) => "team",
            None if site.owners.people.contains_key(id) => "person",
            None => "unknown",
        };
        OwnerRef {
            id: id.to_string(),
            name: site.owners.display_name(id).to_string(),
            kind,
            standing: site.owners.standing(id, site.today),
            lapse: crate::model::owners::lapse_for_readers(&site.owners, id, site.today),
            channel: team.and_then(|t| t.channel.clone()),
            url: team.map(|_| format!("teams/{}/", slug(id))),
        }
    }
}

impl From<&OwnerRef> for crate::parts::OwnerFacts {
    fn from(o: &OwnerRef) -> Self {
        crate::parts::OwnerFacts {
            id: o.id.clone(),
            name: o.name.clone(),
            kind: o.kind.to_string(),
            standing: o.standing,
            lapse: o.lapse.clone(),
            channel: o.channel.clone(),
        }
    }
}

impl OwnerRef {
    /// An owner read back from a part manifest; `None` when its kind is not one a build
    /// writes. The team page URL is worked out here, never taken from the manifest.
    pub fn from_facts(o: &crate::parts::OwnerFacts) -> Option<OwnerRef> {
        let kind = ["team", "person", "unknown"]
            .into_iter()
            .find(|k| *k == o.kind)?;
        Some(OwnerRef {
            id: o.id.clone(),
            name: o.name.clone(),
            kind,
            standing: o.standing,
            lapse: o.lapse.clone(),
            channel: o.channel.clone(),
            url: (kind == "team").then(|| format!("teams/{}/", slug(&o.id))),
        })
    }
}

#[derive(Serialize, Clone, Debug)]
pub struct Link {
    pub title: String,
    pub url: String,
}

impl Link {
    pub fn to(doc: &Document) -> Link {
        Link {
            title: doc.title.clone(),
            url: doc.url(),
        }
    }
}

/// A document as lists show it.
#[derive(Serialize, Clone, Debug)]
pub struct Card {
    pub title: String,
    pub url: String,
    pub kind: Kind,
    pub file: String,
    pub review: Review,
    pub ownership: &'static str,
    pub owners: Vec<OwnerRef>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    /// The first [`CARD_ALERTS`] alerts (all of them on the document's own page).
    pub alerts: Vec<String>,
    /// How many alerts `alerts` leaves out.
    pub alerts_more: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

/// How many of a runbook's alerts its card names. A card is repeated on the page of each of
/// its runbook's alerts and in the alerts index, so a card naming all of them would make a
/// runbook with 50,000 alerts cost 50,000² (the runbook's page names them all).
pub const CARD_ALERTS: usize = 12;

impl Card {
    /// The card of `doc` as its own page shows it: every alert named.
    pub fn full(site: &Site, doc: &Document) -> Card {
        Card {
            alerts: doc.meta.alerts.clone(),
            alerts_more: 0,
            ..Card::new(site, doc)
        }
    }

    pub fn new(site: &Site, doc: &Document) -> Card {
        Card {
            title: doc.title.clone(),
            url: doc.url(),
            kind: doc.kind,
            file: doc.file.clone(),
            review: site.effective_review(doc),
            ownership: ownership_state(site, doc),
            owners: doc
                .owners
                .iter()
                .map(|id| OwnerRef::new(site, id))
                .collect(),
            services: doc.meta.services.clone(),
            tags: doc.meta.tags.clone(),
            alerts: doc.meta.alerts.iter().take(CARD_ALERTS).cloned().collect(),
            alerts_more: doc.meta.alerts.len().saturating_sub(CARD_ALERTS),
            severity: doc.meta.severity.clone(),
            date: doc.meta.date,
        }
    }

    /// What a part manifest records of this card beyond the document's own fields.
    pub fn facts(&self, doc: &Document, broken_code: bool) -> crate::parts::CardFacts {
        crate::parts::CardFacts {
            file: self.file.clone(),
            review: self.review,
            ownership: self.ownership.to_string(),
            owners: self.owners.iter().map(Into::into).collect(),
            severity: self.severity.clone(),
            date: self.date,
            weight: doc.meta.adopted.weight,
            owners_inherited: doc.owners_inherited,
            broken_code,
            actions: Vec::new(),
            duration_minutes: doc.meta.duration.as_ref().map(|d| d.minutes),
            course: None,
        }
    }

    /// The card of a part's document in a composed handbook, from its manifest alone: `None`
    /// when the manifest records no card, or one no build writes. The URL is the document's,
    /// which [`crate::parts::Manifest::validate`] kept inside its part.
    pub fn of_part(d: &crate::parts::PartDoc) -> Option<Card> {
        use serde::Deserialize;
        use serde::de::IntoDeserializer;
        let facts = d.card.as_ref()?;
        let ownership = ["ok", "partial", "lapsed", "unowned"]
            .into_iter()
            .find(|k| *k == facts.ownership)?;
        let kind: Result<Kind, serde::de::value::Error> =
            Kind::deserialize(d.kind.as_str().into_deserializer());
        Some(Card {
            title: d.title.clone(),
            url: d.url.clone(),
            kind: kind.ok()?,
            file: facts.file.clone(),
            review: facts.review,
            ownership,
            owners: facts
                .owners
                .iter()
                .map(OwnerRef::from_facts)
                .collect::<Option<_>>()?,
            services: d.services.clone(),
            tags: d.tags.clone(),
            alerts: d.alerts.iter().take(CARD_ALERTS).cloned().collect(),
            alerts_more: d.alerts.len().saturating_sub(CARD_ALERTS),
            severity: facts.severity.clone(),
            date: facts.date,
        })
    }

    /// Needs a reader's caution or an owner's attention.
    pub fn flagged(&self) -> bool {
        self.review.state.needs_review() || matches!(self.ownership, "lapsed" | "partial")
    }
}

#[derive(Serialize)]
pub struct TocEntry<'a> {
    pub level: u8,
    pub id: &'a str,
    pub text: &'a str,
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct LastChange {
    pub date: String,
    /// Empty when the date comes from front matter (Hugo `lastmod`) rather than git.
    pub commit: String,
    /// Who made it, when the front matter says (Docusaurus `last_update.author`).
    pub by: Option<String>,
}

/// The last change front matter records (Hugo `lastmod`, Docusaurus `last_update`), for a
/// page whose file has no git history. It is not a review: see docs/adopting.md.
pub fn front_matter_change(doc: &Document) -> Option<LastChange> {
    let a = &doc.meta.adopted;
    Some(LastChange {
        date: a.last_changed?.to_string(),
        commit: String::new(),
        by: a.last_changed_by.clone(),
    })
}

/// What a document's page shows of the git history: the one part of a page that changes with
/// a commit (the build cache compares it, document by document).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct PageHistory {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_change: Option<LastChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_note: Option<&'static str>,
    /// What the git history says of the review (docs/freshness-history.md).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub review_notes: Vec<String>,
}

#[derive(Serialize)]
pub struct DocCtx<'a> {
    #[serde(flatten)]
    pub card: Card,
    /// When the reader's clock turns its review state (`static/fieldbook.js` judges again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_turns: Option<crate::model::ReviewTurns>,
    pub html: String,
    pub toc: Vec<TocEntry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit_url: Option<String>,
    #[serde(flatten)]
    pub history: PageHistory,
    pub extra: &'a BTreeMap<String, serde_json::Value>,
    /// "owners from .github/CODEOWNERS line 12" when the owners are not in the front matter
    /// nor the course's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postmortem: Option<PostmortemCtx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course: Option<CourseCtx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lesson: Option<LessonCtx>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub taught_in: Vec<TaughtIn>,
}

#[derive(Serialize)]
pub struct PostmortemCtx {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    pub action_items: Vec<ActionCtx>,
}

#[derive(Serialize, Clone)]
pub struct ActionCtx {
    pub title: String,
    pub owner: OwnerRef,
    pub due: Date,
    pub status: ActionStatus,
    pub overdue: bool,
    pub days_overdue: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The postmortem, on pages that list action items from several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<Link>,
    /// `overdue`, `open`, `done` or `wontfix`: the status with "open past its due date" told
    /// apart.
    pub state: &'static str,
    /// Days since the incident, for items still open (none when the postmortem has no date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// The teams answering for the item: the owner itself when a team, a person's teams
    /// (with the postmortem, on pages listing several).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<OwnerRef>,
    /// The postmortem's services (with the postmortem).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

impl PostmortemCtx {
    pub fn new(site: &Site, doc: &Document) -> PostmortemCtx {
        let m = &doc.meta;
        PostmortemCtx {
            date: m.date,
            duration: m.duration.as_ref().map(|d| d.text.clone()),
            duration_minutes: m.duration.as_ref().map(|d| d.minutes),
            status: m.status.map(|s| match s {
                crate::content::front_matter::PostmortemStatus::Draft => "draft",
                crate::content::front_matter::PostmortemStatus::InReview => "in-review",
                crate::content::front_matter::PostmortemStatus::Published => "published",
            }),
            action_items: actions(site, doc, false),
        }
    }
}

/// A postmortem's action items; `with_doc` names the postmortem on each (for team pages).
pub fn actions(site: &Site, doc: &Document, with_doc: bool) -> Vec<ActionCtx> {
    doc.meta
        .action_items
        .iter()
        .map(|a| {
            let item = ActionCtx::new(
                a.title.clone(),
                OwnerRef::new(site, &a.owner),
                a.due,
                a.status,
                a.link.clone(),
            );
            let item = if with_doc {
                ActionCtx {
                    doc: Some(Link::to(doc)),
                    teams: answering_teams(site, &a.owner)
                        .into_iter()
                        .map(|t| OwnerRef::new(site, t))
                        .collect(),
                    services: doc.meta.services.clone(),
                    ..item
                }
            } else {
                item
            };
            item.judged(site.today, doc.meta.date)
        })
        .collect()
}

impl ActionCtx {
    /// An item not yet judged on a day (call [`ActionCtx::judged`]), naming no postmortem.
    pub fn new(
        title: String,
        owner: OwnerRef,
        due: Date,
        status: ActionStatus,
        link: Option<String>,
    ) -> ActionCtx {
        ActionCtx {
            title,
            owner,
            due,
            status,
            overdue: false,
            days_overdue: 0,
            link,
            doc: None,
            state: "open",
            age_days: None,
            teams: Vec::new(),
            services: Vec::new(),
        }
    }

    /// The item as of `today`, of an incident on `incident` (the postmortem's date).
    pub fn judged(self, today: Date, incident: Option<Date>) -> ActionCtx {
        let open = self.status == ActionStatus::Open;
        let overdue = open && self.due < today;
        ActionCtx {
            overdue,
            days_overdue: if overdue {
                self.due.days_until(today)
            } else {
                0
            },
            state: match self.status {
                ActionStatus::Open if overdue => "overdue",
                ActionStatus::Open => "open",
                ActionStatus::Done => "done",
                ActionStatus::Wontfix => "wontfix",
            },
            age_days: incident
                .filter(|_| open)
                .map(|d| d.days_until(today).max(0)),
            ..self
        }
    }

    /// An item of the postmortem `card` read back from its part's manifest, judged on
    /// `today`; `None` when its owner is of a kind no build writes. A link that is not an
    /// `http`/`https` URL is dropped.
    pub fn of_part(a: &crate::parts::ActionFacts, card: &Card, today: Date) -> Option<ActionCtx> {
        let link = a.link.clone().filter(|l| {
            (l.starts_with("https://") || l.starts_with("http://"))
                && !l.chars().any(|c| c.is_control() || c.is_whitespace())
        });
        let item = ActionCtx::new(
            a.title.clone(),
            OwnerRef::from_facts(&a.owner)?,
            a.due,
            a.status,
            link,
        );
        let item = ActionCtx {
            doc: Some(Link {
                title: card.title.clone(),
                url: card.url.clone(),
            }),
            teams: a
                .teams
                .iter()
                .map(OwnerRef::from_facts)
                .collect::<Option<_>>()?,
            services: card.services.clone(),
            ..item
        };
        Some(item.judged(today, card.date))
    }
}

impl From<&ActionCtx> for crate::parts::ActionFacts {
    fn from(a: &ActionCtx) -> Self {
        crate::parts::ActionFacts {
            title: a.title.clone(),
            owner: (&a.owner).into(),
            due: a.due,
            status: a.status,
            link: a.link.clone(),
            teams: a.teams.iter().map(Into::into).collect(),
        }
    }
}

/// The teams that answer for what `id` owns: the team itself, or a person's teams (none for
/// an unknown id), in id order.
pub fn answering_teams<'a>(site: &'a Site, id: &'a str) -> Vec<&'a str> {
    if site.owners.teams.contains_key(id) {
        vec![id]
    } else {
        site.owners.teams_of(id).collect()
    }
}

#[derive(Serialize, Clone)]
pub struct LessonItem {
    pub title: String,
    pub url: String,
    /// The id progress is kept under (docs/courses.md).
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// `minutes` is estimated from the lesson's length (it gives none).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub estimated: bool,
    /// `QID:QVER` of each quiz, space-separated (`data-quizzes`).
    pub quizzes: String,
}

/// A course as its page, lists and learning paths show it.
#[derive(Serialize, Clone)]
pub struct CourseCtx {
    pub slug: String,
    pub title: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<crate::content::front_matter::Level>,
    pub objectives: Vec<String>,
    pub total_minutes: u32,
    /// Some lesson's minutes are estimated from its length.
    pub estimated: bool,
    pub lessons: Vec<LessonItem>,
    /// Lesson ids, space-separated (`data-lessons`).
    pub lesson_ids: String,
    /// Every lesson's `QID:QVER`, space-separated.
    pub quizzes: String,
    pub prerequisites: Vec<PrerequisiteCtx>,
}

impl CourseCtx {
    /// The course `slug` titled `title` at `url`, its totals and id lists worked out from
    /// `lessons` (in order): the one place a single build and a composed handbook make it.
    pub fn assemble(
        slug: String,
        (title, url): (String, String),
        level: Option<crate::content::front_matter::Level>,
        objectives: Vec<String>,
        lessons: Vec<LessonItem>,
        prerequisites: Vec<PrerequisiteCtx>,
    ) -> CourseCtx {
        let join = |f: &dyn Fn(&LessonItem) -> &str| {
            lessons
                .iter()
                .map(f)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        CourseCtx {
            total_minutes: lessons.iter().filter_map(|l| l.minutes).sum(),
            estimated: lessons.iter().any(|l| l.estimated),
            lesson_ids: join(&|l| &l.id),
            quizzes: join(&|l| &l.quizzes),
            slug,
            title,
            url,
            level,
            objectives,
            lessons,
            prerequisites,
        }
    }

    /// A course of a part read back from its manifest (`card` its card, whose URL was checked
    /// to be inside the part, as were its lessons'); `prerequisites` those of its
    /// `facts.prerequisites` the handbook has.
    pub fn of_part(
        card: &Card,
        facts: &crate::parts::CourseFacts,
        prerequisites: Vec<PrerequisiteCtx>,
    ) -> CourseCtx {
        let lessons = facts
            .lessons
            .iter()
            .map(|l| LessonItem {
                title: l.title.clone(),
                url: l.url.clone(),
                id: l.id.clone(),
                minutes: l.minutes,
                estimated: l.estimated,
                quizzes: l.quizzes.clone(),
            })
            .collect();
        CourseCtx::assemble(
            facts.slug.clone(),
            (card.title.clone(), card.url.clone()),
            facts.level,
            facts.objectives.clone(),
            lessons,
            prerequisites,
        )
    }

    /// What a part manifest records of this course; `prefix` is the part's (`payments/`),
    /// put before each lesson's URL as before every document's; `prerequisites` the slugs
    /// the course requires, those of other parts too (the composer resolves them).
    pub fn facts(&self, prefix: &str, prerequisites: &[String]) -> crate::parts::CourseFacts {
        crate::parts::CourseFacts {
            slug: self.slug.clone(),
            level: self.level,
            objectives: self.objectives.clone(),
            lessons: self
                .lessons
                .iter()
                .map(|l| crate::parts::LessonFacts {
                    title: l.title.clone(),
                    url: format!("{prefix}{}", l.url),
                    id: l.id.clone(),
                    minutes: l.minutes,
                    estimated: l.estimated,
                    quizzes: l.quizzes.clone(),
                })
                .collect(),
            prerequisites: prerequisites.to_vec(),
        }
    }

    /// The course as another course's prerequisite.
    pub fn as_prerequisite(&self) -> PrerequisiteCtx {
        PrerequisiteCtx {
            slug: self.slug.clone(),
            title: self.title.clone(),
            url: self.url.clone(),
            lesson_ids: self.lesson_ids.clone(),
        }
    }
}

/// A prerequisite course with what tells whether it is finished: its lesson ids.
#[derive(Serialize, Clone)]
pub struct PrerequisiteCtx {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub lesson_ids: String,
}

#[derive(Serialize)]
pub struct LessonCtx {
    pub number: usize,
    pub count: usize,
    /// The lesson's id and its course's slug (`data-lesson`, `data-course`).
    pub id: String,
    pub slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    pub course: Link,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Link>,
    /// Linked runbooks and postmortems that are stale or have no active owner.
    pub warnings: Vec<CaseStudyWarning>,
    /// Every lesson of the course, in order (the lesson's outline; `number` is this one's).
    pub outline: Vec<LessonItem>,
}

#[derive(Serialize)]
pub struct CaseStudyWarning {
    #[serde(flatten)]
    pub card: Card,
    pub stale: bool,
    pub lapsed: bool,
}

/// A lesson that links to a runbook or postmortem ("Taught in").
#[derive(Serialize)]
pub struct TaughtIn {
    pub lesson: Link,
    pub course: Link,
}

/// A learning path (`[[paths]]`) with its known courses.
#[derive(Serialize)]
pub struct PathCtx {
    pub id: String,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub url: String,
    pub courses: Vec<CourseCtx>,
    /// Course slugs, space-separated (`data-courses`).
    pub course_slugs: String,
    pub total_minutes: u32,
    pub lesson_count: usize,
}

#[derive(Serialize)]
pub struct LearningCtx {
    pub paths: Vec<PathCtx>,
    pub courses: Vec<CourseCtx>,
}

#[derive(Serialize, Clone, Default)]
pub struct Counts {
    pub documents: usize,
    pub stale: usize,
    pub due_soon: usize,
    pub never_reviewed: usize,
    pub lapsed: usize,
    /// Some owners lapsed, others remain.
    pub partial: usize,
    /// No owner named (or only the handbook's default one).
    pub unowned: usize,
}

impl Counts {
    pub fn of<'a>(cards: impl IntoIterator<Item = &'a Card>) -> Counts {
        use crate::model::ReviewState as R;
        let mut c = Counts::default();
        for card in cards {
            c.documents += 1;
            match card.review.state {
                R::Stale => c.stale += 1,
                R::DueSoon => c.due_soon += 1,
                R::NeverReviewed => c.never_reviewed += 1,
                R::Fresh | R::Untracked => {}
            }
            match card.ownership {
                "lapsed" => c.lapsed += 1,
                "partial" => c.partial += 1,
                "unowned" => c.unowned += 1,
                _ => {}
            }
        }
        c
    }
}

#[derive(Serialize)]
pub struct CourseCard {
    #[serde(flatten)]
    pub card: Card,
    pub lessons: usize,
    pub total_minutes: u32,
}

#[derive(Serialize)]
pub struct HomeCtx {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intro_html: Option<String>,
    pub needs_review: Vec<Card>,
    pub counts: Counts,
    pub courses: Vec<CourseCard>,
    pub postmortems: Vec<Card>,
    /// A composed handbook's parts; none for a single build.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<HomeParts>,
}

/// What a composed handbook's home page says of its parts: where they are listed, and those
/// shown from their last good copy (`compose --keep-last-good`), whose documents may be old.
#[derive(Serialize)]
pub struct HomeParts {
    /// The page listing the parts (`parts/`).
    pub url: &'static str,
    pub count: usize,
    pub last_good: Vec<LastGoodPart>,
}

#[derive(Serialize)]
pub struct Group {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub cards: Vec<Card>,
}

#[derive(Serialize)]
pub struct ListCtx {
    pub heading: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    pub groups: Vec<Group>,
}

#[derive(Serialize)]
pub struct TeamCtx {
    pub owner: OwnerRef,
    pub members: Vec<OwnerRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disbanded: Option<Date>,
    pub owned: Vec<Card>,
    pub needs_review: Vec<Card>,
    pub actions: Vec<ActionCtx>,
}

#[derive(Serialize)]
pub struct TeamCards {
    pub owner: OwnerRef,
    pub cards: Vec<Card>,
}

#[derive(Serialize)]
pub struct ReportCtx {
    pub counts: Counts,
    pub chart_svg: String,
    pub teams: Vec<TeamCards>,
    pub unowned: Vec<Card>,
    /// Per owner, its documents with a code block that no longer parses (`invalid-code`).
    pub broken: Vec<TeamCards>,
    /// Parts of a composed handbook shown from their last good copy (`compose
    /// --keep-last-good`): their cards are as old as that copy. Empty for a single build.
    pub last_good: Vec<LastGoodPart>,
}

/// A part a composed handbook shows from its last good copy: why, and since when.
#[derive(Clone, Debug, Serialize)]
pub struct LastGoodPart {
    pub name: String,
    pub title: String,
    /// The part's home page, relative to the handbook's root (`payments/`).
    pub url: String,
    /// The day the copy was saved: the last compose in which the part composed fine.
    pub since: Date,
    /// Why the latest build could not be used, for readers.
    pub reason: String,
}
