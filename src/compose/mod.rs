//! `fieldbook compose PART_DIR... --output DIR` (docs/many-repos.md): parts built by
//! `build --part` merged into one site without re-rendering their pages. Each part's files are
//! copied under its prefix; the composer adds a home page (through the theme) listing the
//! parts and what needs review, the theme's static files, `parts.json` (every part's
//! manifest summary and search index), the handbook's own index pages
//! (`pages`), the handbook's one search index (`search`: the parts' indexes merged with the
//! handbook's term statistics), and checks the links between parts from the manifests alone.

mod pages;
pub mod search;

use crate::build::context::{PageCtx, SiteCtx};
use crate::build::output::{Staging, check_target};
use crate::build::theme::Theme;
use crate::content::date::Date;
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos};
use crate::parts::{FORMAT_MAJOR, MANIFEST, Manifest, Roster};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One part as read from its directory.
pub struct Part {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl Part {
    pub fn name(&self) -> &str {
        &self.manifest.name
    }
}

/// What [`compose`] did.
pub struct Composed {
    pub parts: usize,
    pub files: usize,
    pub output: PathBuf,
    /// Broken links between parts, cards left out, parts left out of the search.
    pub findings: Vec<Diagnostic>,
}

fn fatal(file: &str, message: String) -> Vec<Diagnostic> {
    vec![Diagnostic::new(
        Code::OutputError,
        file,
        Pos::START,
        message,
    )]
}

/// Read the part in `dir` ([`crate::parts::read`]); its pages must be a folder (not a link)
/// named as the part, beside `part.json`.
pub fn read_part(dir: &Path) -> Result<Part, Fatal> {
    let manifest = crate::parts::read(dir)?;
    let pages = dir.join(&manifest.name);
    if !std::fs::symlink_metadata(&pages).is_ok_and(|m| m.is_dir()) {
        return Err(fatal(
            &dir.join(MANIFEST).display().to_string(),
            format!(
                "the part's pages are missing: no folder {}/ beside part.json",
                manifest.name
            ),
        ));
    }
    Ok(Part {
        dir: dir.to_path_buf(),
        manifest,
    })
}

/// The links between `parts` that lead nowhere: to a part that is not composed, a document
/// that part does not have, or an anchor that document does not have.
pub fn check_links(parts: &[Part]) -> Vec<Diagnostic> {
    broken_links(parts).into_iter().map(|(_, d)| d).collect()
}

/// What other parts link to in part `ours` (its manifest as the repository is now) that would
/// no longer be there: `fieldbook check --inbound`. `others` are the other parts as last built;
/// a copy of `ours` among them is left out (the current one stands for it).
pub fn inbound(ours: Manifest, others: Vec<Part>) -> Vec<Diagnostic> {
    let name = ours.name.clone();
    let mut parts: Vec<Part> = others.into_iter().filter(|p| p.name() != name).collect();
    parts.push(Part {
        dir: PathBuf::new(),
        manifest: ours,
    });
    broken_links(&parts)
        .into_iter()
        .filter(|(target, d)| *target == name && !d.file.starts_with(&format!("{name}:")))
        .map(|(_, mut d)| {
            // Another repository's build would fail on it: an error here, whatever the
            // code's own severity, so that the change is caught before it merges.
            d.severity = crate::diagnostic::Severity::Error;
            d.message = format!("inbound {}: this change would break it", d.message);
            d
        })
        .collect()
}

/// The broken links of [`check_links`], each with the part it leads into.
fn broken_links(parts: &[Part]) -> Vec<(String, Diagnostic)> {
    // part → content path → (page URL, anchors)
    type Anchors<'a> = (&'a str, BTreeSet<&'a str>);
    let mut docs: BTreeMap<&str, BTreeMap<&str, Anchors>> = BTreeMap::new();
    for p in parts {
        let entry = docs.entry(p.name()).or_default();
        for d in &p.manifest.documents {
            let anchors = d.anchors.iter().map(String::as_str).collect();
            entry.insert(&d.path, (d.url.as_str(), anchors));
        }
    }
    let mut out = Vec::new();
    for p in parts {
        for d in &p.manifest.documents {
            let from = format!("{}:{}", p.name(), d.path);
            for l in &d.part_links {
                let (part, path) = (l.part.as_str(), l.path.as_str());
                let pos = Pos::new(l.line.max(1), 1, 0);
                let link = match &l.anchor {
                    Some(a) => format!("{part}:{path}#{a}"),
                    None => format!("{part}:{path}"),
                };
                let problem = match docs.get(part) {
                    None => Some((Code::BrokenLink, format!("link to `{link}`: no part `{part}` is composed"))),
                    Some(paths) => match paths.get(path) {
                        None => Some((Code::BrokenLink, format!("link to `{link}`: part `{part}` has no document `{path}`"))),
                        // Part builds write the link to the pretty page URL (parts::composed_url):
                        // a part published under other URLs would not be where it points.
                        Some((url, _)) if *url != crate::parts::composed_url(part, path, None) => Some((
                            Code::BrokenLink,
                            format!("link to `{link}`: part `{part}` publishes `{path}` at `{url}`, not at `{}`; build it with `[build] urls = \"pretty\"`", crate::parts::composed_url(part, path, None)),
                        )),
                        Some((_, anchors)) => l.anchor.as_deref().filter(|a| !anchors.contains(a)).map(|a| {
                            (Code::BrokenAnchor, format!("link to `{link}`: `{path}` in part `{part}` has no anchor `{a}`"))
                        }),
                    },
                };
                if let Some((code, message)) = problem {
                    out.push((
                        part.to_string(),
                        Diagnostic::new(code, from.clone(), pos, message),
                    ));
                }
            }
        }
    }
    out
}

/// The part folders `[compose] parts` names: each pattern a folder holding `part.json`, or a
/// glob of such folders (`../parts/*`), relative to the site; sorted, each once.
pub fn configured_parts(config: &crate::config::Config) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for pattern in &config.compose_parts {
        if crate::config::glob::is_glob(pattern) {
            let manifests = format!("{}/{MANIFEST}", pattern.trim_end_matches('/'));
            out.extend(
                crate::config::glob::expand(&config.root, &manifests)
                    .into_iter()
                    .filter_map(|(p, _)| p.parent().map(Path::to_path_buf)),
            );
        } else {
            out.push(config.root.join(pattern));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Compose the parts in `dirs` into `output`, as the handbook `book` (the `[book]` table of
/// the handbook's book.toml: its title, description, language and escalation on every page
/// the composer writes; the parts' own pages keep theirs).
pub fn compose(
    dirs: &[PathBuf],
    output: &Path,
    today: Date,
    book: &crate::config::Book,
) -> Result<Composed, Fatal> {
    let mut parts = Vec::new();
    let mut names = BTreeSet::new();
    for dir in dirs {
        let part = read_part(dir)?;
        if !names.insert(part.name().to_string()) {
            return Err(fatal(
                &dir.join(MANIFEST).display().to_string(),
                format!("two parts are named `{}`", part.name()),
            ));
        }
        parts.push(part);
    }
    let mut target = PathBuf::from(output);
    for p in &parts {
        target = check_target(output, &p.dir, &p.dir).map_err(|m| fatal("compose", m))?;
    }
    let staging = Staging::begin(&target).map_err(|e| {
        fatal(
            "compose",
            format!("cannot prepare {}: {e}", target.display()),
        )
    })?;
    let handbook = pages::Handbook::of(&parts, today);
    let result = write(&parts, &handbook, &staging.dir, today, book);
    match result {
        Ok((files, searched)) => {
            staging.commit().map_err(|e| {
                fatal(
                    "compose",
                    format!("cannot move the site into {}: {e}", target.display()),
                )
            })?;
            Ok(Composed {
                parts: parts.len(),
                files,
                output: target,
                findings: check_links(&parts)
                    .into_iter()
                    .chain(handbook.findings)
                    .chain(searched)
                    .collect(),
            })
        }
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

/// One part in `parts.json`.
#[derive(Serialize)]
struct PartSummary<'a> {
    name: &'a str,
    title: &'a str,
    prefix: &'a str,
    fieldbook: &'a str,
    roster: &'a Roster,
    search: &'a str,
    documents: usize,
}

#[derive(Serialize)]
struct PartsIndex<'a> {
    format: u32,
    parts: Vec<PartSummary<'a>>,
}

/// Write the handbook into `dir`: the number of files, and why parts were left out of its
/// search.
fn write(
    parts: &[Part],
    handbook: &pages::Handbook,
    dir: &Path,
    today: Date,
    book: &crate::config::Book,
) -> Result<(usize, Vec<Diagnostic>), Fatal> {
    let io = |what: &Path, e: std::io::Error| fatal("compose", format!("{}: {e}", what.display()));
    let mut files = 0;
    for p in parts {
        files +=
            copy_tree(&p.dir.join(p.name()), &dir.join(p.name())).map_err(|e| io(&p.dir, e))?;
    }
    let merged = search::merge(parts).map_err(|e| io(Path::new("search"), e))?;
    for (rel, bytes) in merged.files.iter().chain(&merged.pointers) {
        let to = dir.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&to, bytes).map_err(|e| io(&to, e))?;
    }
    files += merged.files.len();
    let index = PartsIndex {
        format: FORMAT_MAJOR,
        parts: parts
            .iter()
            .map(|p| {
                let m = &p.manifest;
                PartSummary {
                    name: &m.name,
                    title: &m.title,
                    prefix: &m.prefix,
                    fieldbook: &m.fieldbook,
                    roster: &m.roster,
                    search: &m.search,
                    documents: m.documents.len(),
                }
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&index).expect("plain strings and numbers serialize");
    bytes.push(b'\n');
    std::fs::write(dir.join("parts.json"), bytes).map_err(|e| io(dir, e))?;
    let theme = Theme::builtin()?;
    for (path, bytes) in theme.static_outputs() {
        let to = dir.join(&path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&to, bytes).map_err(|e| io(&to, e))?;
        files += 1;
    }
    std::fs::write(dir.join("index.html"), home(&theme, parts, book, today)?)
        .map_err(|e| io(dir, e))?;
    let index_pages = pages::write(handbook, &theme, dir, site_ctx(book, today))?;
    Ok((files + 2 + index_pages.len(), merged.findings))
}

/// Copy a directory tree (regular files and folders only: links and special files are left
/// behind); the number of files copied.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(to)?;
    let mut n = 0;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let t = e.file_type()?;
        if t.is_dir() {
            n += copy_tree(&e.path(), &to.join(e.file_name()))?;
        } else if t.is_file() {
            std::fs::copy(e.path(), to.join(e.file_name()))?;
            n += 1;
        }
    }
    Ok(n)
}

/// What `parts.html` gets as `handbook`.
#[derive(Serialize)]
struct HandbookCtx<'a> {
    parts: Vec<PartCard<'a>>,
    needs_review: Vec<ReviewCard<'a>>,
}

#[derive(Serialize)]
struct PartNav<'a> {
    title: &'a str,
    url: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct PartCard<'a> {
    name: &'a str,
    title: &'a str,
    url: &'a str,
    documents: usize,
}

#[derive(Serialize)]
struct ReviewCard<'a> {
    title: &'a str,
    url: &'a str,
    kind: &'a str,
    part: &'a str,
    review: ReviewBadge<'a>,
    ownership: &'static str,
}

#[derive(Serialize)]
struct ReviewBadge<'a> {
    state: &'a str,
    due: Option<&'a str>,
}

/// What templates get as `site` on the handbook's own pages.
fn site_ctx(book: &crate::config::Book, today: Date) -> SiteCtx<'_> {
    SiteCtx {
        title: &book.title,
        description: &book.description,
        language: &book.language,
        // The parts' pages link to the handbook's root relatively: `[book] base_url` is not
        // applied (docs/many-repos.md).
        base_url: "/",
        today,
        version: env!("CARGO_PKG_VERSION"),
        escalation: book.escalation.as_deref(),
    }
}

/// The composed home page: each part with its document count, then what needs review.
pub fn home(
    theme: &Theme,
    parts: &[Part],
    book: &crate::config::Book,
    today: Date,
) -> Result<String, Fatal> {
    let site = site_ctx(book, today);
    let mut needs_review = Vec::new();
    for p in parts {
        for d in &p.manifest.documents {
            if matches!(d.state.as_str(), "stale" | "never-reviewed" | "due-soon") || d.lapsed {
                needs_review.push(ReviewCard {
                    title: &d.title,
                    url: &d.url,
                    kind: &d.kind,
                    part: &p.manifest.title,
                    review: ReviewBadge {
                        state: &d.state,
                        due: None,
                    },
                    ownership: if d.lapsed { "lapsed" } else { "active" },
                });
            }
        }
    }
    // Most urgent first, as on a single site's home page.
    let rank = |c: &ReviewCard| match (c.ownership, c.review.state) {
        ("lapsed", _) => 0,
        (_, "stale") => 1,
        (_, "never-reviewed") => 2,
        _ => 3,
    };
    needs_review.sort_by_key(|c| (rank(c), c.url));
    let handbook = HandbookCtx {
        parts: parts
            .iter()
            .map(|p| PartCard {
                name: &p.manifest.name,
                title: &p.manifest.title,
                url: &p.manifest.prefix,
                documents: p.manifest.documents.len(),
            })
            .collect(),
        needs_review,
    };
    let mut ctx = tera::Context::new();
    ctx.insert("site", &site);
    ctx.insert(
        "page",
        &PageCtx {
            kind: "home",
            title: site.title.into(),
            url: String::new(),
            root: String::new(),
            canonical: String::new(),
            description: String::new(),
        },
    );
    // The navigation: the parts, with their document counts.
    let nav: Vec<PartNav> = parts
        .iter()
        .map(|p| PartNav {
            title: &p.manifest.title,
            url: &p.manifest.prefix,
            count: p.manifest.documents.len(),
        })
        .collect();
    ctx.insert("nav", &nav);
    ctx.insert("handbook", &handbook);
    theme.render("parts.html", &ctx)
}
