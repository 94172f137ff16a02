//! Adoption: handbooks written for other tools (Hugo, MkDocs, mdBook, Docusaurus, GOV.UK tech
//! docs) build as they are. [`aliases`] reads their front matter conventions as Fieldbook's
//! keys, [`syntax`] rewrites their body syntax into Markdown Fieldbook renders, and
//! [`redirects`] serves Hugo `aliases` (old URLs) as small redirect pages. docs/adopting.md
//! is the user's view of all three.
//!
//! Adopting an existing docs tree as it is: document kinds from path patterns (`[kinds]`),
//! courses and lesson order from an mdBook `SUMMARY.md` or an MkDocs `nav` (`[[courses]]`,
//! and a `SUMMARY.md` inside `courses/<slug>/`), and owners from CODEOWNERS, OWNERS files and
//! `[owners] default` ([`sources`]). `fieldbook init` ([`crate::cli::init`]) writes the configuration for
//! such a tree, and [`crate::checks::baseline`] lets a team roll the checks out gradually.
//!
//! The configuration keys are resolved with the rest of the config ([`AdoptConfig`]); what
//! they point at (navigation files, owner sources) is read once per load into [`Adopted`],
//! which every document load consults (so that `fieldbook serve`'s reloads agree with a
//! full build).

pub mod aliases;
pub mod erb;
pub mod nav;
pub mod prometheus;
pub mod redirects;
pub mod sources;
pub mod syntax;

use crate::config::Config;
use crate::content::date::{Date, Period};
use crate::content::front_matter::{FrontMatter, Kind, OneOrMany};
use crate::diagnostic::{Code, Diagnostic, Fatal};
use crate::model::outside::{Found, Outside, OwnersSource, Place};
use crate::model::owners::Owners;
use sources::OwnerSources;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Front matter as every command reads it: Fieldbook's keys and other tools' aliases.
pub fn parse_front_matter(
    split: &crate::content::front_matter::Split<'_>,
) -> Result<crate::content::front_matter::Parsed, crate::content::front_matter::FrontMatterError> {
    crate::content::front_matter::parse_with(split, &aliases::Aliases)
}

pub use crate::config::adoption::{AdoptConfig, NavCourse, NavFile};

/// The page URL of the document at `rel` (content-relative) under `scheme`, the template
/// extensions of other tools (`x.html.md.erb`) removed as the Markdown one is.
pub fn page_url(rel: &str, scheme: crate::content::urls::UrlScheme) -> String {
    crate::content::urls::page_url(erb::page_stem(rel), scheme)
}

/// A body as every command reads it: its ERB read ([`erb`]), then other tools' syntax
/// rewritten ([`syntax`]), with every line and note mapped back to the body. `rel` is the
/// document's content-relative path and `read` gives the text of a content file (partials).
/// The problems are ERB includes that are missing or cycle.
pub fn rewrite_body(
    body: &str,
    rel: &str,
    read: erb::ReadPartial<'_>,
) -> (Option<crate::content::body::Rewritten>, Vec<erb::Problem>) {
    let Some(e) = erb::rewrite(body, rel, read) else {
        return (syntax::rewrite(body), Vec::new());
    };
    let erb::Erb {
        rewritten: first,
        problems,
    } = e;
    let Some(second) = syntax::rewrite(&first.text) else {
        return (Some(first), problems);
    };
    // The second pass's lines and notes are in the first's text: map them to the body.
    let body_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let first_starts: Vec<usize> = std::iter::once(0)
        .chain(first.text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let to_body = |line: usize| first.sources.get(line).copied().unwrap_or(0);
    let mut notes = first.notes;
    for n in second.notes {
        let line = first_starts
            .partition_point(|&s| s <= n.offset)
            .saturating_sub(1);
        let offset = body_starts
            .get(to_body(line))
            .copied()
            .unwrap_or(body.len());
        if !notes.iter().any(|m| m.what == n.what) {
            notes.push(crate::content::body::Note {
                offset,
                len: n.len.min(body.len() - offset),
                ..n
            });
        }
    }
    notes.sort_by_key(|n| n.offset);
    let sources = second.sources.iter().map(|&l| to_body(l)).collect();
    (
        Some(crate::content::body::Rewritten {
            text: second.text,
            sources,
            notes,
        }),
        problems,
    )
}

/// The alert a runbook answers by its file name, as GitLab's and kube-prometheus' runbook
/// repositories name them: a stem that is an alert name (`KubePodCrashLooping.md`,
/// `CPUThrottlingHigh.md`: ASCII letters, digits and `_`, starting with a capital, with
/// capitals and lower-case letters both) in a folder named `alerts`, or anywhere with at
/// least two words run together. Kebab-case and single words (`failover.md`, `README.md`)
/// never are.
pub fn alert_of_path(rel: &str) -> Option<String> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let stem = [".html.md.erb", ".md.erb", ".html.md", ".md", ".markdown"]
        .iter()
        .find_map(|x| name.strip_suffix(x))?;
    let b = stem.as_bytes();
    let alert_like = b.len() >= 4
        && b[0].is_ascii_uppercase()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && b.iter().any(u8::is_ascii_lowercase);
    if !alert_like {
        return None;
    }
    let in_alerts = dir.split('/').any(|s| s.eq_ignore_ascii_case("alerts"));
    // Words run together: a lower-case letter followed by a capital, more than once apart
    // from the first, or an acronym before a word (`CPUThrottling`).
    let humps = b
        .windows(2)
        .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
        .count()
        + b.windows(3)
            .filter(|w| {
                w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase() && w[2].is_ascii_lowercase()
            })
            .count();
    (in_alerts || humps >= 1).then(|| stem.to_string())
}

/// A course defined only by navigation (no `courses/<slug>/index.md`).
#[derive(Clone, Debug)]
pub struct NavCourseDoc {
    pub slug: String,
    pub title: String,
    pub prerequisites: Vec<String>,
    /// The navigation file, site-relative, and its text.
    pub file: String,
    pub text: String,
}

/// What the adoption keys point at, read when the site is loaded.
#[derive(Debug, Default)]
pub struct Adopted {
    /// Content-relative path → its place in a course.
    pub places: HashMap<String, Place>,
    /// Content-relative Markdown files that are navigation, not documents.
    pub nav_files: HashSet<String>,
    pub nav_courses: Vec<NavCourseDoc>,
    pub sources: OwnerSources,
    /// Content-relative path → alerts whose `runbook_url` leads to its page.
    pub rule_alerts: HashMap<String, Vec<String>>,
}

impl crate::model::outside::Outside for Adopted {
    fn owners(&self, site_rel: &str) -> Option<Found> {
        self.sources.lookup(site_rel)
    }

    fn place(&self, rel: &str) -> Option<&Place> {
        self.places.get(rel)
    }

    fn alerts(&self, rel: &str) -> &[String] {
        self.rule_alerts.get(rel).map_or(&[], Vec::as_slice)
    }
}

/// Files whose edits change the whole site (absolute): navigation files of `[[courses]]`,
/// CODEOWNERS, `OWNERS_ALIASES` and the root's `OWNERS` (OWNERS files in the content and
/// `courses/<slug>/SUMMARY.md` are recognised by name).
pub fn watched_files(config: &Config) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = config
        .adopt
        .courses
        .iter()
        .map(|c| match &c.file {
            NavFile::Summary(p) | NavFile::MkDocs(p) => p.clone(),
        })
        .collect();
    for p in sources::CODEOWNERS_PLACES
        .iter()
        .chain(&["OWNERS_ALIASES", "OWNERS"])
    {
        out.push(config.root.join(p));
    }
    // A rule's runbook_url gives a runbook its alert.
    if let Ok(rules) = prometheus::configured_files(config) {
        out.extend(rules.into_iter().map(|(p, _)| p));
    }
    out
}

/// Whether a content-relative path is a file that changes the whole site when edited.
pub fn is_site_wide(rel: &Path) -> bool {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let name = parts.last().map(String::as_str).unwrap_or("");
    OWNER_FILES.contains(&name)
        || (parts.len() == 3 && parts[0] == "courses" && name == "SUMMARY.md")
}

/// File names that are owner sources rather than content: not copied into the site.
pub const OWNER_FILES: [&str; 3] = ["OWNERS", "OWNERS_ALIASES", "CODEOWNERS"];

/// How the loader should take one file: its kind and course, a title and lesson position from
/// navigation, and owners from outside the front matter.
#[derive(Clone, Debug, Default)]
pub struct Placement {
    pub kind: Option<Kind>,
    pub course: Option<String>,
    pub nav_title: Option<String>,
    pub lesson_order: Option<usize>,
    pub owners: Option<Found>,
    /// `[build] urls`.
    pub urls: crate::content::urls::UrlScheme,
    /// Where ERB partials are read from (`None`: no partials).
    pub partials: Option<Partials>,
    /// Alerts the configured rule files point at this page for (`runbook_url`).
    pub alerts: Vec<String>,
}

/// Where a page's ERB partials come from: the content directory of the site at `root`, read
/// by the site's one reading rule ([`crate::config::read_inside`]).
#[derive(Clone, Debug, Default)]
pub struct Partials {
    pub root: PathBuf,
    pub content_dir: PathBuf,
    pub max_bytes: u64,
}

impl Partials {
    /// The partial at content-relative `rel`, as [`erb::ReadPartial`] gives it.
    pub fn read(&self, rel: &str) -> Option<Result<String, String>> {
        use crate::config::Unread;
        let path = self.content_dir.join(rel);
        std::fs::symlink_metadata(&path).ok()?;
        Some(
            match crate::config::read_inside(&self.root, &path, self.max_bytes) {
                Ok(bytes) => String::from_utf8(bytes).map_err(|_| "it is not UTF-8".to_string()),
                Err(Unread::TooLarge(n)) => Err(format!(
                    "it is {} MiB, over the {} MiB limit",
                    n >> 20,
                    self.max_bytes >> 20
                )),
                // Why a link, FIFO or unreadable file was refused, as every reader says it.
                Err(other) => Err(other.into_io().to_string()),
            },
        )
    }
}

impl Placement {
    /// FORMAT.md's layout alone.
    pub fn from_path(rel: &str) -> Placement {
        let (kind, course) = kind_from_path(rel);
        Placement {
            kind: Some(kind),
            course,
            ..Placement::default()
        }
    }
}

/// Where the file at `rel` (content-relative; `file` site-relative) belongs.
pub fn placement(config: &Config, outside: &dyn Outside, rel: &str, file: &str) -> Placement {
    let mut p = Placement::from_path(rel);
    if let Some((kind, _)) = config.adopt.kinds.iter().find(|(_, pat)| pat.matches(rel)) {
        p.kind = Some(*kind);
        p.course = None;
    }
    if let Some(place) = outside.place(rel) {
        let same_course =
            p.kind == Some(Kind::Lesson) && p.course.as_deref() == Some(&place.course);
        if p.kind == Some(Kind::Page) || same_course {
            p.kind = Some(Kind::Lesson);
            p.course = Some(place.course.clone());
            p.nav_title = Some(place.title.clone());
            p.lesson_order = Some(place.index);
        }
    }
    p.owners = outside.owners(file);
    p.alerts = outside.alerts(rel).to_vec();
    p.urls = config.urls;
    p.partials = Some(Partials {
        root: config.root.clone(),
        content_dir: config.content_dir.clone(),
        max_bytes: config.max_file_bytes,
    });
    p
}

/// Content-relative paths the walk found, for [`prepare`] to check and trim.
pub struct Walked<'a> {
    pub markdown: &'a [String],
    pub assets: &'a [String],
}

/// Read what the adoption keys point at. `Err` holds fatal diagnostics (a navigation file
/// that is missing or does not parse, an unknown default owner); findings come back with the
/// result (missing files named by navigation, malformed owner files).
pub fn prepare(
    config: &Config,
    registry: &Owners,
    walked: Walked<'_>,
) -> Result<(Adopted, Vec<Diagnostic>), Fatal> {
    let mut adopted = Adopted::default();
    let mut findings = Vec::new();
    let mut fatal = Vec::new();
    let markdown: HashSet<&str> = walked.markdown.iter().map(String::as_str).collect();
    let site_rel = |p: &Path| crate::config::site_rel(config, p);
    let content_rel = |p: &Path| {
        p.strip_prefix(&config.content_dir)
            .ok()
            .map(crate::content::slash)
    };

    // Runbooks the configured Prometheus rules point at (`runbook_url`) answer their alerts.
    if !config.alert_rules.is_empty() {
        let by_page: HashMap<String, &String> = walked
            .markdown
            .iter()
            .map(|rel| {
                let url = page_url(rel, config.urls);
                (crate::content::links::percent_decode(&url), rel)
            })
            .collect();
        adopted.rule_alerts =
            prometheus::runbook_links(config, &|page| by_page.get(page).map(|r| (*r).clone()));
    }

    for course in &config.adopt.courses {
        match load_nav(config, course) {
            Err(d) => fatal.extend(d),
            Ok((outline, base, path, text)) => {
                let shown = site_rel(&path);
                if let Some(r) = content_rel(&path) {
                    adopted.nav_files.insert(r);
                }
                for (i, e) in outline.entries.iter().enumerate() {
                    let target = normalize(&base.join(&e.path));
                    match content_rel(&target) {
                        Some(r) if markdown.contains(r.as_str()) => {
                            if r != "index.md" {
                                adopted.places.entry(r).or_insert(Place {
                                    course: course.slug.clone(),
                                    index: i,
                                    title: e.title.clone(),
                                });
                            }
                        }
                        inside => findings.push(
                            Diagnostic::new(
                                Code::BrokenLink,
                                &shown,
                                e.pos,
                                if inside.is_some() {
                                    format!("`{}` names `{}`, which does not exist", shown, e.path)
                                } else {
                                    format!(
                                        "`{}` names `{}`, which is outside the content directory",
                                        shown, e.path
                                    )
                                },
                            )
                            .with_hint(format!(
                                "fix the path (relative to {}) or remove the entry",
                                site_rel(&base).if_empty(".")
                            ))
                            .with_source(&text),
                        ),
                    }
                }
                let index = format!("courses/{}/index.md", course.slug);
                if !markdown.contains(index.as_str()) {
                    let title = course
                        .title
                        .clone()
                        .or(outline.title)
                        .unwrap_or_else(|| config.book.title.clone());
                    adopted.nav_courses.push(NavCourseDoc {
                        slug: course.slug.clone(),
                        title,
                        prerequisites: course.prerequisites.clone(),
                        file: shown,
                        text,
                    });
                }
            }
        }
    }

    // A SUMMARY.md inside courses/<slug>/ orders that course's lessons.
    for rel in walked.markdown {
        let parts: Vec<&str> = rel.split('/').collect();
        let ["courses", slug, "SUMMARY.md"] = parts.as_slice() else {
            continue;
        };
        let path = config.content_dir.join(rel);
        let Ok(text) = crate::config::read_text_inside(&config.root, &path, config.max_file_bytes)
        else {
            continue;
        };
        adopted.nav_files.insert(rel.clone());
        let shown = site_rel(&path);
        match nav::parse_summary(&text, None) {
            Ok(outline) => {
                for (i, e) in outline.entries.iter().enumerate() {
                    let target = format!("courses/{slug}/{}", e.path);
                    if markdown.contains(target.as_str()) {
                        adopted.places.entry(target).or_insert(Place {
                            course: slug.to_string(),
                            index: i,
                            title: e.title.clone(),
                        });
                    } else {
                        findings.push(
                            Diagnostic::new(
                                Code::BrokenLink,
                                &shown,
                                e.pos,
                                format!("`{shown}` names `{}`, which does not exist", e.path),
                            )
                            .with_hint("fix the path (relative to the course's folder) or remove the entry")
                            .with_source(&text),
                        );
                    }
                }
            }
            Err(e) => findings.push(Diagnostic::new(
                Code::InvalidMetadata,
                &shown,
                e.pos,
                e.message,
            )),
        }
    }

    // Owner sources.
    let default = match &config.adopt.default_owner {
        Some((id, pos)) if registry.unknown_id(id).is_some() => {
            fatal.push(
                Diagnostic::new(
                    Code::InvalidConfig,
                    &config.file,
                    *pos,
                    format!("[owners] default `{id}` is not in the owners registry"),
                )
                .with_hint(registry.unknown_id(id).unwrap_or_default()),
            );
            None
        }
        Some((id, pos)) => Some((
            id.clone(),
            OwnersSource::Default {
                file: config.file.clone(),
                line: pos.line,
            },
        )),
        None => None,
    };
    let content_prefix = site_rel(&config.content_dir);
    let mut owners_dirs: Vec<String> = walked
        .assets
        .iter()
        .filter_map(|a| {
            a.strip_suffix("OWNERS")
                .filter(|d| d.is_empty() || d.ends_with('/'))
        })
        .map(|d| join_rel(&content_prefix, d.trim_end_matches('/')))
        .collect();
    // OWNERS between the site root and the content directory apply too.
    let mut dir = config.content_dir.as_path();
    while let Some(parent) = dir.parent() {
        if !parent.starts_with(&config.root) {
            break;
        }
        if parent.join("OWNERS").is_file() {
            owners_dirs.push(site_rel(parent));
        }
        dir = parent;
    }
    // (Not through a link leading outside: the walk reported that one.)
    let top = config.content_dir.join("OWNERS");
    if top.is_file()
        && !crate::config::leads_outside(&config.root, &top)
        && !owners_dirs.contains(&content_prefix)
    {
        owners_dirs.push(content_prefix.clone());
    }
    owners_dirs.sort();
    owners_dirs.dedup();
    let (srcs, mut problems) = OwnerSources::load(&config.root, &owners_dirs, default, registry);
    findings.append(&mut problems);
    adopted.sources = srcs;
    if fatal.is_empty() {
        Ok((adopted, findings))
    } else {
        Err(fatal)
    }
}

trait IfEmpty {
    fn if_empty(self, other: &str) -> String;
}

impl IfEmpty for String {
    fn if_empty(self, other: &str) -> String {
        if self.is_empty() { other.into() } else { self }
    }
}

fn join_rel(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

/// The outline of a `[[courses]]` entry, the directory its paths are relative to, the file and
/// its text.
fn load_nav(
    config: &Config,
    course: &NavCourse,
) -> Result<(nav::Outline, PathBuf, PathBuf, String), Fatal> {
    let (path, what) = match &course.file {
        NavFile::Summary(p) => (p, "summary"),
        NavFile::MkDocs(p) => (p, "nav"),
    };
    let shown = crate::config::site_rel(config, path);
    let text = crate::config::read_text_inside(&config.root, path, crate::config::MAX_CONFIG_BYTES)
        .map_err(|e| {
            vec![
                Diagnostic::new(
                    Code::InvalidConfig,
                    &config.file,
                    course.pos,
                    format!(
                        "[[courses]] `{}`: cannot read {what} file {shown}: {e}",
                        course.slug
                    ),
                )
                .with_hint("the path is relative to the site directory"),
            ]
        })?;
    let text = text.trim_start_matches('\u{feff}').to_string();
    let bad = |e: nav::NavError| {
        vec![
            Diagnostic::new(
                Code::InvalidConfig,
                &shown,
                e.pos,
                format!("{shown}: {}", e.message),
            )
            .with_hint(format!(
                "fix {shown}, or the `section` of [[courses]] `{}` in {}",
                course.slug, config.file
            ))
            .with_source(&text),
        ]
    };
    let dir = path.parent().unwrap_or(&config.root).to_path_buf();
    match &course.file {
        NavFile::Summary(_) => {
            let outline = nav::parse_summary(&text, course.section.as_deref()).map_err(bad)?;
            Ok((outline, dir, path.clone(), text))
        }
        NavFile::MkDocs(_) => {
            let m = nav::parse_mkdocs(&text, course.section.as_deref()).map_err(bad)?;
            let mut outline = m.nav;
            if outline.title.is_none() {
                outline.title = m.site_name;
            }
            Ok((
                outline,
                normalize(&dir.join(&m.docs_dir)),
                path.clone(),
                text,
            ))
        }
    }
}

/// Lexically resolve `.` and `..`.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The synthetic text of a navigation-defined course: front matter only.
pub fn nav_course_front(c: &NavCourseDoc) -> String {
    let title = serde_json::to_string(&c.title).unwrap_or_else(|_| "\"\"".into());
    let prerequisites = serde_json::to_string(&c.prerequisites).unwrap_or_else(|_| "[]".into());
    format!("---\nkind: course\ntitle: {title}\nprerequisites: {prerequisites}\n---\n")
}

/// One `unknown-owner` finding per handle and line the site's documents took owners from.
pub fn unmapped_owner_findings(
    site: &crate::model::Site,
    sources: &OwnerSources,
) -> Vec<Diagnostic> {
    let unmapped = site
        .documents
        .iter()
        .filter(|d| d.owners_source.is_external() && d.is_listed(false))
        .filter_map(|d| sources.lookup(&d.file))
        .flat_map(|f| f.unmapped);
    sources::unmapped_findings(unmapped, &site.owners, |file| {
        sources.text_of(file).map(str::to_string).or_else(|| {
            let root = &site.config.root;
            crate::config::read_text_inside(root, &root.join(file), crate::config::MAX_CONFIG_BYTES)
                .ok()
        })
    })
}

/// Read a Google freshness comment in `body` into `meta` where the front matter says nothing
/// (the front matter wins; a disagreement is a `conflicting-keys` warning). `finding` makes a
/// diagnostic at a byte range of the body.
pub fn apply_body(
    meta: &mut FrontMatter,
    body: &str,
    finding: impl Fn(Code, String, &str, usize, usize) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(f) = aliases::freshness_comment(body) else {
        return out;
    };
    let conflict = |what: &str, native: &str| {
        finding(
            Code::ConflictingKeys,
            format!(
                "the freshness comment's {what} and the front matter's `{native}` are both set; Fieldbook uses `{native}`"
            ),
            "remove one of them; docs/adopting.md lists how each tool's metadata is read",
            f.offset,
            f.len,
        )
    };
    meta.adopted.freshness = Some((f.offset, f.len));
    if !f.owners.is_empty() {
        match meta
            .owners
            .clone()
            .or_else(|| meta.owner.clone())
            .map(OneOrMany::into_vec)
        {
            None => meta.owners = Some(OneOrMany::Many(f.owners.clone())),
            Some(o) if o != f.owners => out.push(conflict("owner", "owners")),
            Some(_) => {}
        }
    }
    if let Some((text, at)) = &f.reviewed {
        match Date::parse(text) {
            Err(e) => out.push(finding(
                Code::InvalidMetadata,
                format!("freshness comment: `reviewed` {e}"),
                "write dates as YYYY-MM-DD, a day that exists",
                *at,
                text.len(),
            )),
            Ok(d) => match meta.reviewed {
                None => meta.reviewed = Some(d),
                Some(r) if r != d => out.push(conflict("reviewed date", "reviewed")),
                Some(_) => {}
            },
        }
    }
    if f.exempt && meta.review_every.is_none() {
        meta.review_every = Some(Period::Never);
    }
    out
}

/// The kind and course a path implies (FORMAT.md's site layout).
pub fn kind_from_path(rel: &str) -> (Kind, Option<String>) {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        // Hugo's section pages (`runbooks/node/_index.md`) introduce a folder; they are not
        // runbooks or postmortems themselves (docs/adopting.md).
        [.., "_index.md"] if parts[0] != "courses" => (Kind::Page, None),
        ["runbooks", _, ..] => (Kind::Runbook, None),
        ["postmortems", _, ..] => (Kind::Postmortem, None),
        ["courses", slug, "index.md"] => (Kind::Course, Some(slug.to_string())),
        ["courses", slug, _, ..] => (Kind::Lesson, Some(slug.to_string())),
        _ => (Kind::Page, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erb_then_other_syntax_maps_back_to_the_body() {
        let body = "# T\n\n<%= partial \"p\" %>\n<%= foo %>\nend\n";
        let read = |p: &str| (p == "_p.md").then(|| Ok("a {{< youtube x >}} b\n".to_string()));
        let (r, problems) = rewrite_body(body, "page.html.md.erb", &read);
        let r = r.unwrap();
        assert!(problems.is_empty());
        assert_eq!(r.text, "# T\n\na  b\nend\n");
        assert_eq!(r.sources, [0, 1, 2, 4]);
        let notes: Vec<(&str, usize)> = r
            .notes
            .iter()
            .map(|n| (n.what.as_str(), n.offset))
            .collect();
        // The shortcode is reported at the include's line, the ERB helper at its tag.
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert_eq!(notes[0].1, body.find("<%= partial").unwrap());
        assert_eq!(notes[1], ("ERB `foo`", body.find("<%= foo").unwrap()));
    }

    #[test]
    fn nav_course_front_matter_escapes_the_title() {
        let c = NavCourseDoc {
            slug: "s".into(),
            title: "On-call: \"first\" week".into(),
            prerequisites: vec!["basics".into()],
            file: "SUMMARY.md".into(),
            text: String::new(),
        };
        let text = nav_course_front(&c);
        let split = crate::content::front_matter::split(&text).unwrap();
        let p = parse_front_matter(&split).unwrap();
        assert_eq!(p.meta.title.as_deref(), Some("On-call: \"first\" week"));
        assert_eq!(p.meta.kind, Some(Kind::Course));
        assert_eq!(p.meta.prerequisites, ["basics"]);
    }

    #[test]
    fn runbooks_named_after_alerts_answer_them() {
        for (rel, alert) in [
            (
                "docs/web/alerts/KubePodCrashLooping.md",
                Some("KubePodCrashLooping"),
            ),
            (
                "runbooks/kubernetes/CPUThrottlingHigh.md",
                Some("CPUThrottlingHigh"),
            ),
            ("alerts/Watchdog.md", Some("Watchdog")),
            ("runbooks/HighErrorRate.html.md.erb", Some("HighErrorRate")),
            ("runbooks/db/failover.md", None),
            ("runbooks/README.md", None),
            ("runbooks/Failover.md", None),
            ("runbooks/disk-Full.md", None),
            ("alerts/index.md", None),
        ] {
            assert_eq!(alert_of_path(rel).as_deref(), alert, "{rel}");
        }
    }
}
