//! `fieldbook compose PART_DIR... --output DIR` (docs/many-repos.md): parts built by
//! `build --part` merged into one site without re-rendering their pages. Each part's files are
//! copied under its prefix; the composer adds the theme's static files, `parts.json` (every
//! part's manifest summary and search index), the handbook's own index pages (`pages`: home
//! and the list of parts among them), the handbook's one search index (`search`: the parts' indexes merged with the
//! handbook's term statistics), and checks the links between parts from the manifests alone.
//! With a store of last good parts (`last_good`), a part that cannot be used as given is
//! composed from its last good copy. Composing again into the same output updates it
//! (`record`: what the last compose wrote): only the files that changed are written.

pub mod last_good;
mod pages;
mod record;
pub mod search;

use crate::build::context::SiteCtx;
use crate::build::output::{Staging, check_target};
use crate::build::theme::Theme;
use crate::build::update::Recording;
use crate::build::{DirSink, Sink};
use crate::content::date::Date;
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos, trace};
use crate::parts::{FORMAT_MAJOR, MANIFEST, Manifest, Roster};
use record::{Copied, Record, Stamp};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One part as read from its directory.
pub struct Part {
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// Composed from its last good copy (`dir` is in the store): since when, and why.
    pub held: Option<last_good::Held>,
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
        held: None,
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
        held: None,
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

/// Where `compose --keep-last-good` keeps the parts' last good copies, and the handbook's
/// roster to judge them by.
pub struct KeepLastGood {
    pub dir: PathBuf,
    /// [`crate::parts::roster_hash`] of the handbook's owners file; `None` without one (a part
    /// is then never stale for its roster).
    pub roster: Option<String>,
}

/// Compose the parts in `dirs` into `output`, as the handbook `book` (the `[book]` table of
/// the handbook's book.toml: its title, description, language and escalation on every page
/// the composer writes; the parts' own pages keep theirs) with the learning `paths` (its
/// `[[paths]]`, over the parts' courses). With `keep`, a part that cannot be
/// used as given is composed from its last good copy, and each part that composed fine is
/// saved as the next one.
pub fn compose(
    dirs: &[PathBuf],
    output: &Path,
    today: Date,
    (book, paths): (&crate::config::Book, &[crate::config::LearningPath]),
    keep: Option<&KeepLastGood>,
) -> Result<Composed, Fatal> {
    let mut given = Vec::new();
    for dir in dirs {
        match read_part(dir) {
            Ok(part) => given.push(Ok(part)),
            // Without a store, today's rule: a part that cannot be read stops the compose.
            Err(f) if keep.is_some() => given.push(Err((dir.clone(), f))),
            Err(f) => return Err(f),
        }
    }
    let mut names = BTreeSet::new();
    for (dir, part) in dirs.iter().zip(&given) {
        if let Ok(part) = part
            && !names.insert(part.name().to_string())
        {
            return Err(fatal(
                &dir.join(MANIFEST).display().to_string(),
                format!("two parts are named `{}`", part.name()),
            ));
        }
    }
    let (parts, mut findings) = match keep {
        Some(keep) => with_last_good(given, keep)?,
        None => (
            given.into_iter().filter_map(Result::ok).collect(),
            Vec::new(),
        ),
    };
    let mut target = PathBuf::from(output);
    for p in &parts {
        target = check_target(output, &p.dir, &p.dir).map_err(|m| fatal("compose", m))?;
    }
    if let Some(keep) = keep {
        // The store is kept across composes: neither may hold the other.
        target = check_target(output, &keep.dir, &keep.dir).map_err(|m| fatal("compose", m))?;
    }
    let before = Record::read(&target);
    trace::step("compose: record read");
    let (staging, before) = begin(&target, before)?;
    trace::step(if before.is_some() {
        "compose: staging linked"
    } else {
        "compose: staging made"
    });
    let handbook = pages::Handbook::of(&parts, today);
    let result = update(
        &parts,
        &handbook,
        &target,
        &staging.dir,
        before.as_ref(),
        today,
        (book, paths),
    );
    match result {
        Ok((
            Written {
                files,
                unsearchable,
                searched,
                ..
            },
            record,
        )) => {
            let spare = record::spare_of(&target);
            staging.commit_keeping(spare.as_deref()).map_err(|e| {
                fatal(
                    "compose",
                    format!("cannot move the site into {}: {e}", target.display()),
                )
            })?;
            trace::step("compose: swapped in");
            record.save(&target);
            trace::step("compose: record saved");
            if let Some(keep) = keep {
                for p in &parts {
                    let stale = keep
                        .roster
                        .as_ref()
                        .is_some_and(|r| *r != p.manifest.roster.hash);
                    // A part left out of the search is no good copy to fall back on.
                    if p.held.is_none() && !stale && searched.contains(p.name()) {
                        findings.extend(last_good::save(&keep.dir, p, today).err());
                    }
                }
            }
            Ok(Composed {
                parts: parts.len(),
                files,
                output: target,
                findings: findings
                    .into_iter()
                    .chain(check_links(&parts))
                    .chain(handbook.unknown_courses(paths))
                    .chain(handbook.findings)
                    .chain(unsearchable)
                    .collect(),
            })
        }
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

/// The parts to compose: those `given` that can be used, the others (and those the store has
/// that none of `given` provides) from their last good copies; and what was done, as findings.
/// A part that cannot be read and has no last good copy stops the compose, as without a store.
fn with_last_good(
    given: Vec<Result<Part, (PathBuf, Fatal)>>,
    keep: &KeepLastGood,
) -> Result<(Vec<Part>, Vec<Diagnostic>), Fatal> {
    let mut store = last_good::read_store(&keep.dir)?;
    let mut findings = std::mem::take(&mut store.notes);
    let provided: BTreeSet<String> = given
        .iter()
        .filter_map(|g| g.as_ref().ok().map(|p| p.name().to_string()))
        .collect();
    let mut parts = Vec::new();
    let mut unmatched = Vec::new();
    for g in given {
        match g {
            Ok(part) => {
                let hash = &part.manifest.roster.hash;
                let other_roster = keep.roster.as_ref().filter(|r| *r != hash);
                let fits = |c: &last_good::Kept| {
                    Some(&c.part.manifest.roster.hash) == keep.roster.as_ref()
                };
                match other_roster {
                    Some(r) if store.copies.get(part.name()).is_some_and(fits) => {
                        let detail = format!(
                            "its build was checked against another owners roster ({}) than the handbook's ({r})",
                            if hash.is_empty() { "none" } else { hash }
                        );
                        let name = part.name().to_string();
                        let why = last_good::Why::Roster;
                        parts.extend(store.take(&name, why, detail, &mut findings));
                    }
                    Some(r) => {
                        findings.push(Diagnostic::new(
                            Code::LastGoodPart,
                            part.name(),
                            Pos::START,
                            format!(
                                "part `{}`: its build was checked against another owners roster than the handbook's ({r}), and it has no last good copy checked against the handbook's: composed as built, not saved as a last good copy",
                                part.name()
                            ),
                        ));
                        parts.push(part);
                    }
                    None => parts.push(part),
                }
            }
            Err((dir, fatal)) => {
                let name = last_good::claimed_names(&dir)
                    .into_iter()
                    .find(|n| !provided.contains(n) && store.copies.contains_key(n));
                // A folder that is not there at all is a missing part, not a broken one.
                let (why, detail) = if std::fs::symlink_metadata(&dir).is_err() {
                    let detail = format!("its folder {} is not there", dir.display());
                    (last_good::Why::Missing, detail)
                } else {
                    let detail = format!("its build cannot be used: {}", fatal[0].message);
                    (last_good::Why::Unreadable, detail)
                };
                match name.and_then(|n| store.take(&n, why, detail, &mut findings)) {
                    Some(part) => parts.push(part),
                    None => unmatched.push(fatal),
                }
            }
        }
    }
    if let Some(fatal) = unmatched.into_iter().next() {
        return Err(fatal);
    }
    let missing: Vec<String> = store
        .copies
        .keys()
        .filter(|n| !provided.contains(*n))
        .cloned()
        .collect();
    for name in missing {
        let detail = "no part folder given provides it".to_string();
        parts.extend(store.take(&name, last_good::Why::Missing, detail, &mut findings));
    }
    for (name, mut d) in store.damaged {
        if !provided.contains(&name) {
            // Neither given nor kept: the handbook lacks the part.
            d.severity = crate::diagnostic::Severity::Error;
            d.message.push_str(
                "; no part folder given provides it either: it is left out of the handbook",
            );
        }
        findings.push(d);
    }
    Ok((parts, findings))
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

/// The staging folder of a compose into `target`: with a trusted record of the compose that
/// left it (`before`), a copy of it made of hard links (from the output the last compose
/// replaced, when it was kept, brought in line), so that only what changed is written and
/// every other file stays the same file; else (or when no such copy can be made: another
/// file system) an empty one, for a compose from scratch. `before` is kept only in the first
/// case.
fn begin(target: &Path, before: Option<Record>) -> Result<(Staging, Option<Record>), Fatal> {
    if before.is_some()
        && let Ok(staging) =
            Staging::begin_from(target, target, record::spare_of(target).as_deref(), None)
    {
        return Ok((staging, before));
    }
    let staging = Staging::begin(target).map_err(|e| {
        fatal(
            "compose",
            format!("cannot prepare {}: {e}", target.display()),
        )
    })?;
    Ok((staging, None))
}

/// Write the handbook into `dir` (the staging folder of `target`; a copy of it when `before`
/// records what it holds) and remove what it no longer has: what was written, and the
/// record of it.
fn update(
    parts: &[Part],
    handbook: &pages::Handbook,
    target: &Path,
    dir: &Path,
    before: Option<&Record>,
    today: Date,
    (book, paths): (&crate::config::Book, &[crate::config::LearningPath]),
) -> Result<(Written, Record), Fatal> {
    // A file equal to the last compose's stays that file (its time and inode kept: `rsync`
    // and bucket syncs send only what changed); anything else is written anew, never through
    // the link to the live output.
    let dir_sink = match before {
        Some(_) => DirSink::reusing(dir, target),
        None => DirSink::new(dir),
    };
    let sink = Recording::new(&dir_sink);
    let mut written = write(parts, handbook, &sink, before, today, (book, paths))?;
    trace::step("compose: written");
    let copied = std::mem::take(&mut written.copied);
    if let Some(before) = before {
        let put = sink.take_written();
        let of_part = |f: &str| {
            let part = f.split('/').next().and_then(|name| copied.get(name));
            part.is_some_and(|c| c.files.contains_key(f))
        };
        let gone = before
            .outputs()
            .filter(|f| *f != crate::build::output::MARKER && !put.contains(*f) && !of_part(f));
        for f in gone {
            dir_sink.remove(f)?;
        }
    }
    trace::step("compose: gone removed");
    let record = record::of(dir, copied)?;
    trace::step("compose: recorded");
    Ok((written, record))
}

/// What [`write`] put into the handbook.
struct Written {
    files: usize,
    /// Why parts were left out of its search.
    unsearchable: Vec<Diagnostic>,
    /// The parts in its search.
    searched: BTreeSet<String>,
    /// Each part's files as copied.
    copied: BTreeMap<String, Copied>,
}

/// Write the handbook into `sink`.
fn write(
    parts: &[Part],
    handbook: &pages::Handbook,
    sink: &Recording<'_>,
    before: Option<&Record>,
    today: Date,
    (book, paths): (&crate::config::Book, &[crate::config::LearningPath]),
) -> Result<Written, Fatal> {
    let io = |what: &Path, e: std::io::Error| fatal("compose", format!("{}: {e}", what.display()));
    // Copying is most of a compose (50 parts of a 10k handbook: 18k files): parts are copied
    // side by side; the first failure in part order is the one reported.
    use rayon::prelude::*;
    let copied: Vec<Result<(usize, Copied), Fatal>> = parts
        .par_iter()
        .map(|p| {
            let banner = p.held.map(|h| last_good::banner(h.since, h.why.reason()));
            let from = std::path::absolute(p.dir.join(p.name())).map_err(|e| io(&p.dir, e))?;
            let copy = CopyTree {
                sink,
                banner: banner.as_deref(),
                before: before
                    .and_then(|r| r.copied(p.name(), &from, banner.as_deref()))
                    .map(|c| &c.files),
            };
            let mut files = BTreeMap::new();
            let n = copy.tree(&from, p.name(), &mut files)?;
            Ok((
                n,
                Copied {
                    dir: from,
                    banner,
                    files,
                },
            ))
        })
        .collect();
    let mut files = 0;
    let mut sources = BTreeMap::new();
    for (p, c) in parts.iter().zip(copied) {
        let (n, copied) = c?;
        files += n;
        sources.insert(p.name().to_string(), copied);
    }
    let merged = search::merge(parts).map_err(|e| io(Path::new("search"), e))?;
    let searched = parts
        .iter()
        .filter(|p| {
            merged
                .pointers
                .iter()
                .any(|(at, _)| *at == p.manifest.search)
        })
        .map(|p| p.name().to_string())
        .collect();
    for (rel, bytes) in merged.files.iter().chain(&merged.pointers) {
        sink.put(rel, bytes.clone())?;
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
    sink.put("parts.json", bytes)?;
    let theme = Theme::builtin()?;
    for (path, bytes) in theme.static_outputs() {
        sink.put(&path, bytes.into_owned())?;
        files += 1;
    }
    let index_pages = pages::write(handbook, &theme, sink, site_ctx(book, today), paths)?;
    // `parts.json` and the handbook's own pages.
    Ok(Written {
        files: files + 1 + index_pages.len(),
        unsearchable: merged.findings,
        searched,
        copied: sources,
    })
}

/// A part's files copied into a sink.
pub(crate) struct CopyTree<'a> {
    pub sink: &'a dyn Sink,
    /// Put into each HTML page (`last_good::copy_page`).
    pub banner: Option<&'a str>,
    /// The part's files as the last compose copied them into the output being updated
    /// (output path → source stamp): a file with the same stamp is there already.
    pub before: Option<&'a BTreeMap<String, Stamp>>,
}

impl CopyTree<'_> {
    /// Copy the tree `from` (regular files only: links and special files are left behind) to
    /// `to` in the sink, each file's stamp into `files`; the number of files.
    pub fn tree(
        &self,
        from: &Path,
        to: &str,
        files: &mut BTreeMap<String, Stamp>,
    ) -> Result<usize, Fatal> {
        let io = |e: std::io::Error| fatal("compose", format!("{}: {e}", from.display()));
        let mut n = 0;
        for e in std::fs::read_dir(from).map_err(io)? {
            let e = e.map_err(io)?;
            let t = e.file_type().map_err(io)?;
            let Some(name) = e.file_name().to_str().map(str::to_string) else {
                // Not a name a page or a URL can have.
                continue;
            };
            let rel = format!("{to}/{name}");
            if t.is_dir() {
                n += self.tree(&e.path(), &rel, files)?;
            } else if t.is_file() {
                let meta = e.metadata().map_err(io)?;
                let stamp = (meta.len(), crate::build::cache::modified_nanos(&meta));
                n += 1;
                // A time of 0 is no time at all: such a file is always compared.
                let there = stamp.1 != 0 && self.before.and_then(|b| b.get(&rel)) == Some(&stamp);
                files.insert(rel.clone(), stamp);
                if there {
                    continue;
                }
                match self.banner {
                    Some(b) if name.ends_with(".html") => {
                        last_good::copy_page(&e.path(), &rel, self.sink, b)?;
                    }
                    _ => self.sink.copy(&rel, &e.path())?,
                }
            }
        }
        Ok(n)
    }
}

/// What templates get as `site` on the handbook's own pages.
fn site_ctx(book: &crate::config::Book, today: Date) -> SiteCtx<'_> {
    SiteCtx {
        title: &book.title,
        description: &book.description,
        language: &book.language,
        // Where the handbook is published: its sitemap, canonical links, 404 page and
        // alerts.json name their URLs from it, as a single build's do (the parts' pages link
        // to each other relatively, and name their own with their own base_url).
        base_url: &book.base_url,
        today,
        version: env!("CARGO_PKG_VERSION"),
        escalation: book.escalation.as_deref(),
    }
}

/// The handbook's own pages for `parts` (home, index pages, sitemap...), rendered into
/// memory as [`compose`] writes them: what the `part_manifest` fuzz target looks through.
pub fn pages_in_memory(
    parts: &[Part],
    book: &crate::config::Book,
    today: Date,
) -> Result<crate::build::MemorySink, Fatal> {
    let handbook = pages::Handbook::of(parts, today);
    let sink = crate::build::MemorySink::new();
    pages::write(
        &handbook,
        &Theme::builtin()?,
        &sink,
        site_ctx(book, today),
        &[],
    )?;
    Ok(sink)
}
