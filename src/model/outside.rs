//! What the site's inputs outside a document say about it: its place in a course's navigation
//! and owners from outside its front matter. Adoption (`crate::adopt`) reads those inputs (mdBook
//! `SUMMARY.md`, MkDocs `nav`, CODEOWNERS, OWNERS files: [`crate::adopt`]) and answers
//! through [`Outside`]; the model only asks.

use serde::Serialize;

/// Where a document's owners came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum OwnersSource {
    /// No owners at all.
    #[default]
    None,
    FrontMatter,
    /// A lesson sharing its course's owners.
    Course,
    OwnersFile {
        file: String,
        line: u32,
    },
    Codeowners {
        file: String,
        line: u32,
    },
    /// `[owners] default` in the site configuration.
    Default {
        file: String,
        line: u32,
    },
}

impl OwnersSource {
    /// Owners not written in the document itself nor inherited from its course.
    pub fn is_external(&self) -> bool {
        matches!(
            self,
            OwnersSource::OwnersFile { .. }
                | OwnersSource::Codeowners { .. }
                | OwnersSource::Default { .. }
        )
    }

    /// "CODEOWNERS line 12": what pages and reports say.
    pub fn describe(&self) -> String {
        match self {
            OwnersSource::None => "no owners".into(),
            OwnersSource::FrontMatter => "front matter".into(),
            OwnersSource::Course => "its course".into(),
            OwnersSource::OwnersFile { file, line }
            | OwnersSource::Codeowners { file, line }
            | OwnersSource::Default { file, line } => {
                let what = match self {
                    OwnersSource::Default { .. } => format!("[owners] default in {file}"),
                    _ => file.clone(),
                };
                format!("{what} line {line}")
            }
        }
    }

    /// Where the owners came from, in words for readers of a page (no configuration keys or
    /// line numbers: those are for `check`). `None` when the page itself names them.
    pub fn for_readers(&self) -> Option<&'static str> {
        match self {
            OwnersSource::None | OwnersSource::FrontMatter => None,
            OwnersSource::Course => Some("the owners of its course"),
            OwnersSource::OwnersFile { .. } => Some("named in the repository's OWNERS file"),
            OwnersSource::Codeowners { .. } => Some("named in the repository's CODEOWNERS"),
            OwnersSource::Default { .. } => Some("the handbook's default owner"),
        }
    }

    /// A short machine-readable name: `front-matter`, `codeowners`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            OwnersSource::None => "none",
            OwnersSource::FrontMatter => "front-matter",
            OwnersSource::Course => "course",
            OwnersSource::OwnersFile { .. } => "owners-file",
            OwnersSource::Codeowners { .. } => "codeowners",
            OwnersSource::Default { .. } => "default",
        }
    }
}

/// An owner a source names that owners.yaml does not know.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unmapped {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub len: u32,
    pub handle: String,
}

/// What a source says about one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub ids: Vec<String>,
    pub source: OwnersSource,
    pub unmapped: Vec<Unmapped>,
}

/// A document's place in a navigation-defined course.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub course: String,
    pub index: usize,
    pub title: String,
}

/// Answers about files from the site's outside inputs.
pub trait Outside: std::fmt::Debug + Send + Sync {
    /// The owners of the file at `site_rel` from the first outside source that names any.
    fn owners(&self, site_rel: &str) -> Option<Found>;
    /// The place in a navigation-defined course of the content-relative `rel`.
    fn place(&self, rel: &str) -> Option<&Place>;
    /// Alerts whose rule leads to the page of the content-relative `rel` (its
    /// `runbook_url`), as the configured Prometheus rule files say.
    fn alerts(&self, _rel: &str) -> &[String] {
        &[]
    }
}

/// A site without outside inputs.
#[derive(Debug, Default)]
pub struct Nothing;

impl Outside for Nothing {
    fn owners(&self, _: &str) -> Option<Found> {
        None
    }

    fn place(&self, _: &str) -> Option<&Place> {
        None
    }
}
