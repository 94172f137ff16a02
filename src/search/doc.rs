//! What search knows of a document: its fields, their weights, and where the index lives.

use crate::content::date::Date;
use crate::content::front_matter::Kind;
use crate::model::ReviewState;
use serde::Serialize;
use std::path::Path;

/// The fields a document is indexed under, in field-id order, and their weights.
pub const FIELDS: [&str; 5] = ["title", "alerts", "headings", "meta", "body"];
pub const WEIGHTS: [f32; 5] = [8.0, 10.0, 4.0, 3.0, 1.0];

/// One document as search sees it.
#[derive(Clone, Debug, Serialize)]
pub struct SearchDoc {
    /// Path relative to the content directory.
    pub rel: String,
    /// Site-relative page URL.
    pub url: String,
    pub title: String,
    pub kind: Kind,
    /// The review state readers see (a lesson shares its course's).
    pub state: ReviewState,
    /// No active owner: every owner named left, was disbanded or is unknown.
    pub lapsed: bool,
    /// No owner named (or only the handbook's default one): a fact, not an alarm.
    pub unowned: bool,
    /// Owner ids.
    pub owners: Vec<String>,
    pub owner_names: Vec<String>,
    /// The channel of the first owning team that has one.
    pub channel: Option<String>,
    /// Owner ids that are teams.
    pub teams: Vec<String>,
    /// Members of the owning teams (so that `--owner PERSON` finds team documents).
    pub members: Vec<String>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub alerts: Vec<String>,
    pub severity: Option<String>,
    /// Heading texts of the body (a level-1 heading repeating the title left out).
    pub headings: Vec<String>,
    /// Plain text of the body without its headings; code blocks included.
    pub body: String,
    pub reviewed: Option<Date>,
}

impl SearchDoc {
    /// The values of each field of [`FIELDS`], in the order both indexes analyse them.
    pub fn field_values(&self) -> [Vec<&str>; 5] {
        let mut meta: Vec<&str> = Vec::new();
        meta.extend(self.services.iter().map(String::as_str));
        meta.extend(self.tags.iter().map(String::as_str));
        meta.extend(self.owners.iter().map(String::as_str));
        meta.extend(self.owner_names.iter().map(String::as_str));
        meta.extend(self.severity.as_deref());
        meta.push(self.kind.as_str());
        [
            vec![self.title.as_str()],
            self.alerts.iter().map(String::as_str).collect(),
            self.headings.iter().map(String::as_str).collect(),
            meta,
            vec![self.body.as_str()],
        ]
    }

    /// Title, headings and body with whitespace collapsed: the text snippets come from.
    pub fn full_text(&self) -> String {
        let mut s = String::with_capacity(self.title.len() + self.body.len() + 64);
        for part in std::iter::once(&self.title)
            .chain(&self.headings)
            .chain(std::iter::once(&self.body))
        {
            for w in part.split_whitespace() {
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(w);
            }
        }
        s
    }
}

/// Where the tantivy index of a site lives.
pub fn index_dir(site_root: &Path) -> std::path::PathBuf {
    site_root.join(INDEX_DIR[0]).join(INDEX_DIR[1])
}

/// Where the tantivy index lives in the site: `.fieldbook/search/` (a folder of Fieldbook's
/// own: [`crate::write::own_dir`]).
pub const INDEX_DIR: [&str; 2] = [".fieldbook", "search"];
