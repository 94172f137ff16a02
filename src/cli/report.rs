//! `fieldbook report`: what each owner must do, most urgent first, in a shape a reminder bot
//! can read (Markdown for humans, JSON and CSV for bots).

use crate::content::date::Date;
use crate::content::front_matter::{ActionStatus, Kind};
use crate::model::outside::OwnersSource;
use crate::model::owners::Standing;
use crate::model::{Document, ReviewState, Site};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Md,
    Json,
    Csv,
}

/// What an owner is asked to do, in order of urgency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    /// Every owner has lapsed: the listed (lapsed) owners' successors must take it over.
    HandOver,
    Stale,
    /// A command, query or snippet that no longer parses (`invalid-code`): the step fails
    /// when someone follows it.
    BrokenStep,
    OverdueAction,
    NeverReviewed,
    DueSoon,
    /// The owner lapsed but others remain: remove or replace them.
    RemoveLapsedOwner,
    /// A postmortem action item still open and not yet due.
    OpenAction,
}

impl Task {
    fn label(self) -> &'static str {
        match self {
            Task::HandOver => "hand over (no active owner)",
            Task::Stale => "stale",
            Task::OverdueAction => "overdue action item",
            Task::NeverReviewed => "never reviewed",
            Task::DueSoon => "due soon",
            Task::RemoveLapsedOwner => "remove lapsed owner",
            Task::OpenAction => "open action item",
            Task::BrokenStep => "broken step",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub task: Task,
    pub file: String,
    pub title: String,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    /// Days until due (negative: overdue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    /// The action item's title, for action items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The team through which a person is asked (with `--owner PERSON`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Where the document's owners came from (front matter, CODEOWNERS, ...).
    pub owners_source: OwnersSource,
}

#[derive(Clone, Debug, Serialize)]
pub struct OwnerReport {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub standing: Standing,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    pub items: Vec<Item>,
}

/// What a person or team that has lapsed (left, inactive, disbanded) still owns: the
/// documents naming them and their open action items, for `fieldbook handover`.
#[derive(Clone, Debug, Serialize)]
pub struct Lapsed {
    pub id: String,
    pub name: String,
    /// Site-relative files of the documents whose own owners name them.
    pub documents: Vec<String>,
    /// (file, title) of their open action items.
    pub actions: Vec<(String, String)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub today: Date,
    pub owners: Vec<OwnerReport>,
    /// Lapsed owners who still own something, by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lapsed: Vec<Lapsed>,
    /// Progress against `[check] baseline` (set by the caller, which runs the checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::checks::baseline::Progress>,
}

/// Build the report, for every owner or for one (`only`). A person asked for also gets the
/// items of the teams they belong to.
pub fn build(site: &Site, only: Option<&str>) -> Report {
    // The code blocks that no longer parse, by file: the first of each document's is its task.
    let mut broken: BTreeMap<String, crate::diagnostic::Diagnostic> = BTreeMap::new();
    for d in crate::checks::code::check(site, &|_| true) {
        broken.entry(d.file.clone()).or_insert(d);
    }
    let mut by_owner: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for doc in site.listed(false) {
        for (owner, item) in doc_items(site, doc, broken.get(&doc.file)) {
            by_owner.entry(owner).or_default().push(item);
        }
    }
    let wanted: Option<Vec<(String, Option<String>)>> = only.map(|id| {
        let mut v = vec![(id.to_string(), None)];
        v.extend(
            site.owners
                .teams_of(id)
                .map(|t| (t.to_string(), Some(t.to_string()))),
        );
        v
    });
    let mut owners = Vec::new();
    let ids: Vec<(String, Option<String>)> = match wanted {
        Some(w) => w,
        None => by_owner.keys().map(|k| (k.clone(), None)).collect(),
    };
    let mut person_items: Vec<Item> = Vec::new();
    for (id, via) in ids {
        let mut items = by_owner.get(&id).cloned().unwrap_or_default();
        if let Some(team) = &via {
            for i in &mut items {
                i.via = Some(team.clone());
            }
            person_items.extend(items);
            continue;
        }
        if only.is_some() {
            person_items.extend(items);
            continue;
        }
        sort_items(&mut items);
        owners.push(owner_report(site, &id, items));
    }
    if let Some(id) = only {
        // A document owned both directly and through a team is one task, not two.
        let mut seen = std::collections::HashSet::new();
        person_items.retain(|i| seen.insert((i.task, i.file.clone(), i.detail.clone())));
        sort_items(&mut person_items);
        owners.push(owner_report(site, id, person_items));
    }
    // Owners with the most urgent work first; ties by id so output is stable.
    owners.sort_by(|a, b| {
        let key = |o: &OwnerReport| o.items.first().map(urgency);
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
    Report {
        today: site.today,
        owners,
        lapsed: lapsed(site, only),
        baseline: None,
    }
}

/// What lapsed owners still own (one of them with `only`).
fn lapsed(site: &Site, only: Option<&str>) -> Vec<Lapsed> {
    let mut by: BTreeMap<&str, Lapsed> = BTreeMap::new();
    for doc in site.listed(false) {
        let own: &[String] = if doc.owners_inherited {
            &[]
        } else {
            &doc.owners
        };
        let actions = doc
            .meta
            .action_items
            .iter()
            .filter(|a| a.status == ActionStatus::Open)
            .map(|a| (a.owner.as_str(), Some(a.title.as_str())));
        for (id, action) in own.iter().map(|o| (o.as_str(), None)).chain(actions) {
            if only.is_some_and(|o| o != id)
                || site.owners.standing(id, site.today) != Standing::Lapsed
            {
                continue;
            }
            let l = by.entry(id).or_insert_with(|| Lapsed {
                id: id.to_string(),
                name: owner_report(site, id, Vec::new()).name,
                documents: Vec::new(),
                actions: Vec::new(),
            });
            match action {
                Some(t) => l.actions.push((doc.file.clone(), t.to_string())),
                None => l.documents.push(doc.file.clone()),
            }
        }
    }
    by.into_values().collect()
}

fn owner_report(site: &Site, id: &str, items: Vec<Item>) -> OwnerReport {
    let (kind, channel) = match site.owners.teams.get(id) {
        Some(t) => ("team", t.channel.clone()),
        None if site.owners.people.contains_key(id) => ("person", None),
        None => ("unknown", None),
    };
    OwnerReport {
        id: id.to_string(),
        name: site.owners.display_name(id).to_string(),
        kind,
        standing: site.owners.standing(id, site.today),
        channel,
        items,
    }
}

fn urgency(i: &Item) -> (Task, i64, String) {
    (i.task, i.days.unwrap_or(0), i.file.clone())
}

fn sort_items(items: &mut [Item]) {
    items.sort_by_key(urgency);
}

/// The (owner id, item) pairs one document gives rise to (`broken`: its first code block
/// that no longer parses).
fn doc_items(
    site: &Site,
    doc: &Document,
    broken: Option<&crate::diagnostic::Diagnostic>,
) -> Vec<(String, Item)> {
    let mut out = Vec::new();
    let item = |task: Task| Item {
        task,
        file: doc.file.clone(),
        title: doc.title.clone(),
        kind: doc.kind,
        reviewed: None,
        due: None,
        days: None,
        detail: None,
        via: None,
        owners_source: doc.owners_source.clone(),
    };
    let own = site.ownership(doc);
    // A lesson without its own owners or review shares its course's: the course carries the work.
    let shares_review = doc.kind == Kind::Lesson && doc.meta.reviewed.is_none();
    if !doc.owners_inherited {
        if !doc.owners.is_empty() && own.all_lapsed() {
            for id in &doc.owners {
                out.push((id.clone(), item(Task::HandOver)));
            }
        } else {
            for id in &own.lapsed {
                for active in &own.active {
                    let mut i = item(Task::RemoveLapsedOwner);
                    i.detail = Some(format!("`{id}`"));
                    out.push((active.clone(), i));
                }
            }
        }
    }
    if !shares_review {
        let r = site.review(doc);
        let task = match r.state {
            ReviewState::Stale => Some(Task::Stale),
            ReviewState::NeverReviewed => Some(Task::NeverReviewed),
            ReviewState::DueSoon => Some(Task::DueSoon),
            ReviewState::Fresh | ReviewState::Untracked => None,
        };
        if let Some(task) = task {
            for id in &doc.owners {
                let mut i = item(task);
                i.reviewed = r.reviewed;
                i.due = r.due;
                i.days = r.days_left;
                out.push((id.clone(), i));
            }
        }
    }
    if let Some(d) = broken {
        for id in site.ownership(doc).active.iter() {
            let mut i = item(Task::BrokenStep);
            i.detail = Some(format!("line {}: {}", d.line, d.message));
            out.push((id.clone(), i));
        }
    }
    for a in doc
        .meta
        .action_items
        .iter()
        .filter(|a| a.status == ActionStatus::Open)
    {
        let task = if a.due < site.today {
            Task::OverdueAction
        } else {
            Task::OpenAction
        };
        let mut i = item(task);
        i.due = Some(a.due);
        i.days = Some(site.today.days_until(a.due));
        i.detail = Some(a.title.clone());
        i.owners_source = OwnersSource::FrontMatter;
        out.push((a.owner.clone(), i));
    }
    out
}

pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        Format::Csv => csv(report),
        Format::Md => markdown(report),
    }
}

fn markdown(r: &Report) -> String {
    let mut s = format!("# Review report, {}\n\n", r.today);
    if let Some(b) = &r.baseline {
        let _ = writeln!(
            s,
            "Baseline: {} still open; {}.\n",
            b.baselined,
            b.sentence()
        );
    }
    if r.owners.iter().all(|o| o.items.is_empty()) {
        s.push_str("Nothing to review: every document is fresh and every owner active.\n");
        return s;
    }
    for o in r.owners.iter().filter(|o| !o.items.is_empty()) {
        let _ = write!(s, "## {} (`{}`)", md_escape(&o.name), o.id);
        if let Some(c) = &o.channel {
            let _ = write!(s, " · {}", md_escape(c));
        }
        if o.standing != Standing::Active {
            let _ = write!(
                s,
                " · **{}**",
                if o.standing == Standing::Lapsed {
                    "lapsed"
                } else {
                    "not in owners.yaml"
                }
            );
        }
        s.push_str("\n\n| What | Document | Reviewed | Due | |\n|---|---|---|---|---|\n");
        for i in &o.items {
            let when = match i.days {
                Some(d) if d < 0 => format!("{} days overdue", -d),
                Some(0) => "due today".into(),
                Some(d) => format!("in {d} days"),
                None => String::new(),
            };
            let mut what = i.task.label().to_string();
            if let Some(d) = &i.detail {
                let _ = write!(what, ": {}", md_escape(d));
            }
            if let Some(v) = &i.via {
                let _ = write!(what, " (via `{v}`)");
            }
            if i.owners_source.is_external() {
                let _ = write!(
                    what,
                    " (owners from {})",
                    md_escape(&i.owners_source.describe())
                );
            }
            let _ = writeln!(
                s,
                "| {what} | [{}]({}) | {} | {} | {when} |",
                md_escape(&i.title),
                i.file,
                i.reviewed
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                i.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            );
        }
        s.push('\n');
    }
    lapsed_markdown(r, &mut s);
    s
}

/// "Still owned by people who left": what `fieldbook handover` would move.
fn lapsed_markdown(r: &Report, s: &mut String) {
    if r.lapsed.is_empty() {
        return;
    }
    s.push_str("## Still owned by owners who left\n\n");
    for l in &r.lapsed {
        let _ = writeln!(
            s,
            "- {} (`{}`): run `fieldbook handover {} --to NEW`",
            md_escape(&l.name),
            l.id,
            l.id
        );
        for f in &l.documents {
            let _ = writeln!(s, "  - owns [{f}]({f})");
        }
        for (f, t) in &l.actions {
            let _ = writeln!(s, "  - open action item \"{}\" in [{f}]({f})", md_escape(t));
        }
    }
    s.push('\n');
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn csv(r: &Report) -> String {
    let mut s = String::from(
        "owner,owner_name,owner_kind,channel,task,file,title,kind,reviewed,due,days,detail,via,owners_source\n",
    );
    for o in &r.owners {
        for i in &o.items {
            let fields = [
                o.id.clone(),
                o.name.clone(),
                o.kind.to_string(),
                o.channel.clone().unwrap_or_default(),
                serde_json::to_value(i.task)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                i.file.clone(),
                i.title.clone(),
                i.kind.as_str().to_string(),
                i.reviewed.map(|d| d.to_string()).unwrap_or_default(),
                i.due.map(|d| d.to_string()).unwrap_or_default(),
                i.days.map(|d| d.to_string()).unwrap_or_default(),
                i.detail.clone().unwrap_or_default(),
                i.via.clone().unwrap_or_default(),
                i.owners_source.describe(),
            ];
            let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            s.push_str(&row.join(","));
            s.push('\n');
        }
    }
    s
}

/// RFC 4180 quoting, and a leading `'` for values a spreadsheet would run as a formula.
fn csv_field(f: &str) -> String {
    let f = if f.starts_with(['=', '+', '-', '@', '\t', '\r']) && f.parse::<f64>().is_err() {
        format!("'{f}")
    } else {
        f.to_string()
    };
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-12"), "-12");
    }
}
