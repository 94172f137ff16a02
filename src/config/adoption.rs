//! The keys that adopt an existing docs tree as it is (docs/adopting.md): document kinds
//! from path patterns (`[kinds]`), courses from navigation files (`[[courses]]`), `[owners]
//! default` and `[check] baseline`. What they point at is read by [`crate::adopt`].

use crate::content::front_matter::Kind;
use crate::content::pattern::Pattern;
use crate::diagnostic::{Fatal, Pos};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::PathBuf;
use toml::Spanned;

/// `[kinds]`: glob patterns over content-relative paths, per kind.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawKinds {
    runbook: Vec<Spanned<String>>,
    postmortem: Vec<Spanned<String>>,
    page: Vec<Spanned<String>>,
}

/// One `[[courses]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCourse {
    slug: Spanned<String>,
    #[serde(default)]
    summary: Option<Spanned<String>>,
    #[serde(default)]
    nav: Option<Spanned<String>>,
    #[serde(default)]
    section: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    prerequisites: Vec<String>,
}

/// Where a course's outline comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NavFile {
    /// An mdBook `SUMMARY.md` (absolute path).
    Summary(PathBuf),
    /// An MkDocs `mkdocs.yml` (absolute path).
    MkDocs(PathBuf),
}

#[derive(Clone, Debug)]
pub struct NavCourse {
    pub slug: String,
    pub file: NavFile,
    pub section: Option<String>,
    pub title: Option<String>,
    /// Course slugs to take first (a course without `courses/<slug>/index.md` has no front
    /// matter to say so).
    pub prerequisites: Vec<String>,
    /// Where the entry is in the config file.
    pub pos: Pos,
}

/// The adoption keys of the configuration, resolved.
#[derive(Clone, Debug, Default)]
pub struct AdoptConfig {
    pub kinds: Vec<(Kind, Pattern)>,
    pub courses: Vec<NavCourse>,
    /// `[owners] default`, and where it is written.
    pub default_owner: Option<(String, Pos)>,
    /// `[check] baseline` (absolute), and where it is written.
    pub baseline: Option<(PathBuf, Pos)>,
}

/// Resolves a configured path inside the site, or says where and why it cannot.
pub type InsideFn<'a> = &'a dyn Fn(&Spanned<String>, &str) -> Result<PathBuf, Fatal>;

/// Resolve the adoption keys; `at` turns a span into a position, `inside` a configured path
/// into one inside the site (or a positioned error).
pub fn resolve_config(
    kinds: RawKinds,
    courses: Vec<RawCourse>,
    default_owner: Option<Spanned<String>>,
    baseline: Option<Spanned<String>>,
    at: &dyn Fn(std::ops::Range<usize>) -> Pos,
    inside: InsideFn<'_>,
    error: &dyn Fn(Pos, String, &str) -> Fatal,
) -> Result<AdoptConfig, Fatal> {
    let mut out = AdoptConfig::default();
    // `page` first: its patterns are the exceptions to the others (a README among incidents).
    for (kind, list) in [
        (Kind::Page, kinds.page),
        (Kind::Runbook, kinds.runbook),
        (Kind::Postmortem, kinds.postmortem),
    ] {
        for p in list {
            let pattern = Pattern::new(p.get_ref()).ok_or_else(|| {
                error(
                    at(p.span()),
                    format!("[kinds] {} has an empty pattern", kind.as_str()),
                    "write glob patterns over paths in the content directory, such as \"alerts/**\"",
                )
            })?;
            out.kinds.push((kind, pattern));
        }
    }
    let mut slugs = HashSet::new();
    for c in courses {
        let pos = at(c.slug.span());
        let slug = c.slug.get_ref();
        if slug.is_empty()
            || !slug
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            return Err(error(
                pos,
                format!("[[courses]] slug `{slug}` is not a slug"),
                "use letters, digits, `-` and `_`, as in a URL: slug = \"handbook\"",
            ));
        }
        if !slugs.insert(slug.clone()) {
            return Err(error(
                pos,
                format!("[[courses]] slug `{slug}` is given twice"),
                "give each course its own slug",
            ));
        }
        let file = match (&c.summary, &c.nav) {
            (Some(s), None) => NavFile::Summary(inside(s, "[[courses]] summary")?),
            (None, Some(n)) => NavFile::MkDocs(inside(n, "[[courses]] nav")?),
            _ => {
                return Err(error(
                    pos,
                    format!("[[courses]] `{slug}` needs exactly one of `summary` and `nav`"),
                    "summary = \"src/SUMMARY.md\" (mdBook) or nav = \"mkdocs.yml\" (MkDocs)",
                ));
            }
        };
        out.courses.push(NavCourse {
            slug: slug.clone(),
            file,
            section: c.section,
            title: c.title,
            prerequisites: c.prerequisites,
            pos,
        });
    }
    if let Some(d) = default_owner {
        out.default_owner = Some((d.get_ref().clone(), at(d.span())));
    }
    if let Some(b) = baseline {
        out.baseline = Some((inside(&b, "[check] baseline")?, at(b.span())));
    }
    Ok(out)
}
