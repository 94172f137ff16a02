//! Loading a site: config, owners registry, and the content tree (walked once, parsed in
//! parallel). Problems with single documents become findings; problems that make the whole
//! run untrustworthy (config, owners, unreadable files) come back as fatal diagnostics.

pub mod git;

use crate::config::{self, Config, site_rel};
use crate::content::date::Date;
use crate::content::front_matter::{self, Kind};
use crate::content::markdown;
use crate::content::slash;
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos};
use crate::model::outside::{Outside, OwnersSource};
use crate::model::owners::{self, Owners};
use crate::model::{Document, Site};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Load everything `check` and `build` need. `Err` holds fatal diagnostics (exit status 2).
pub fn load_site(root: &Path, today: Option<Date>) -> Result<Site, Fatal> {
    load_configured(config::load(root)?, today)
}

/// [`load_site`] with its configuration already read.
pub fn load_configured(config: Config, today: Option<Date>) -> Result<Site, Fatal> {
    let today = today.or(config.today).unwrap_or_else(Date::today);
    let owners = load_owners(&config);
    let mut tree = walk(&config);
    let mut fatal = tree.errors;
    let owners = match owners {
        Ok(o) => o,
        Err(mut e) => {
            fatal.append(&mut e);
            Owners::default()
        }
    };
    crate::diagnostic::trace::step("load: owners read, content walked");
    let rels: Vec<String> = tree.markdown.iter().map(|(_, r)| r.clone()).collect();
    let walked = crate::adopt::Walked {
        markdown: &rels,
        assets: &tree.assets,
    };
    let mut adopted = crate::adopt::Adopted::default();
    let mut adopt_findings = match crate::adopt::prepare(&config, &owners, walked) {
        Ok((read, findings)) => {
            // Navigation files are outlines, owner files metadata: neither is content.
            tree.markdown.retain(|(_, r)| !read.nav_files.contains(r));
            tree.assets.retain(|a| {
                let name = a.rsplit('/').next().unwrap_or(a);
                !crate::adopt::OWNER_FILES.contains(&name)
            });
            adopted = read;
            findings
        }
        Err(mut e) => {
            fatal.append(&mut e);
            Vec::new()
        }
    };
    crate::diagnostic::trace::step("load: adopted tools' files read");
    let results: Vec<Loaded> = tree
        .markdown
        .par_iter()
        .map(|(path, rel)| load_document(&config, &adopted, path, rel, today))
        .collect();
    crate::diagnostic::trace::step("load: documents parsed");
    let mut documents = Vec::with_capacity(results.len());
    let mut findings = std::mem::take(&mut tree.refused);
    findings.append(&mut adopt_findings);
    for c in &adopted.nav_courses {
        let (doc, mut f) = nav_course_document(&adopted, c, today);
        documents.push(doc);
        findings.append(&mut f);
    }
    for r in results {
        match r {
            Loaded::Doc(doc, mut f) => {
                documents.push(*doc);
                findings.append(&mut f);
            }
            Loaded::Finding(f) => findings.push(f),
            Loaded::Fatal(f) => fatal.push(f),
        }
    }
    if !fatal.is_empty() {
        fatal.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        return Err(fatal);
    }
    let adopted = std::sync::Arc::new(adopted);
    let mut site = Site::new(
        config,
        owners,
        today,
        documents,
        tree.assets,
        tree.dirs,
        findings,
    )
    .with_outside(adopted.clone());
    let unmapped = crate::adopt::unmapped_owner_findings(&site, &adopted.sources);
    site.load_findings.extend(unmapped);
    Ok(site)
}

/// The course document of a `[[courses]]` entry without `courses/<slug>/index.md`: its front
/// matter made up from the navigation, its findings pointing at the navigation file.
fn nav_course_document(
    adopted: &crate::adopt::Adopted,
    c: &crate::adopt::NavCourseDoc,
    today: Date,
) -> (Document, Vec<Diagnostic>) {
    let rel = format!("courses/{}/index.md", c.slug);
    let mut placement = crate::adopt::Placement::from_path(&rel);
    placement.owners = adopted.sources.lookup(&c.file);
    let (mut doc, mut findings) = parse_document_as(
        &c.file,
        &rel,
        crate::adopt::nav_course_front(c),
        today,
        placement,
    );
    // Findings show the navigation file's own lines; the made-up front matter is not shown.
    doc.text = c.text.clone();
    doc.front_offset = 0;
    doc.front_len = 0;
    doc.front_start_line = 1;
    doc.body_offset = doc.text.len();
    doc.body_line = doc.text.lines().count() as u32 + 1;
    doc.outline = Default::default();
    doc.rewritten = None;
    for f in &mut findings {
        *f = f.clone().with_source(&c.text);
    }
    (doc, findings)
}

fn load_owners(config: &Config) -> Result<Owners, Fatal> {
    let rel = site_rel(config, &config.owners_file);
    // Parsing YAML takes many times the file's size in memory: a registry larger than any
    // content file may be is refused before it is read (docs/hardening.md).
    let bytes = match config::read_inside(&config.root, &config.owners_file, config.max_file_bytes)
    {
        Ok(b) => b,
        Err(config::Unread::TooLarge(len)) => {
            return Err(vec![
                Diagnostic::new(
                    Code::InvalidOwners,
                    &rel,
                    Pos::START,
                    format!(
                        "{rel} is {} KiB, over the {} KiB limit",
                        len >> 10,
                        config.max_file_bytes >> 10
                    ),
                )
                .with_hint("an owners registry lists people and teams, not data; raise [check] max_file_size if it really is this large"),
            ]);
        }
        Err(unread) => {
            let e = unread.into_io();
            let (msg, hint) = if e.kind() == std::io::ErrorKind::NotFound {
                (
                    format!("the owners registry {rel} does not exist"),
                    "create it with `people:` and `teams:` (see the README), or point [owners] file at it in book.toml",
                )
            } else {
                (
                    format!("cannot read {rel}: {e}"),
                    "check the file's permissions",
                )
            };
            return Err(vec![
                Diagnostic::new(Code::InvalidOwners, &rel, Pos::START, msg).with_hint(hint),
            ]);
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        vec![
            Diagnostic::new(
                Code::InvalidOwners,
                &rel,
                Pos::START,
                format!(
                    "{rel} is not valid UTF-8 (at byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .with_hint("save the file as UTF-8"),
        ]
    })?;
    owners::parse(&rel, &text)
}

struct Tree {
    /// (absolute path, content-relative path)
    markdown: Vec<(PathBuf, String)>,
    assets: Vec<String>,
    dirs: Vec<String>,
    errors: Vec<Diagnostic>,
    /// Symbolic links leading outside the site (`symlink-outside`), not read.
    refused: Vec<Diagnostic>,
}

fn walk(config: &Config) -> Tree {
    let mut tree = Tree {
        markdown: vec![],
        assets: vec![],
        dirs: vec![],
        errors: vec![],
        refused: vec![],
    };
    let content_rel = site_rel(config, &config.content_dir);
    if !config.content_dir.is_dir() {
        tree.errors.push(
            Diagnostic::new(
                Code::InvalidConfig,
                &config.file,
                Pos::START,
                format!("the content directory {content_rel} does not exist"),
            )
            .with_hint("create it, or set [build] content in book.toml"),
        );
        return tree;
    }
    let mut refused = Vec::new();
    let own = config.own_paths();
    for entry in walk_inside(&config.root, &config.content_dir, is_hidden, &mut refused) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| site_rel(config, p))
                    .unwrap_or(content_rel.clone());
                let (msg, hint) = match e.loop_ancestor() {
                    Some(anc) => (
                        format!(
                            "symbolic link loop: {path} leads back to {}",
                            site_rel(config, anc)
                        ),
                        "remove the link or point it elsewhere",
                    ),
                    None => (
                        format!("cannot read {path}: {e}"),
                        "check the path's permissions",
                    ),
                };
                tree.errors
                    .push(Diagnostic::new(Code::IoError, path, Pos::START, msg).with_hint(hint));
                continue;
            }
        };
        if own.iter().any(|o| entry.path().starts_with(o)) {
            continue;
        }
        let rel = slash(
            entry
                .path()
                .strip_prefix(&config.content_dir)
                .unwrap_or(entry.path()),
        );
        if entry.file_type().is_dir() {
            if entry.depth() > 0 {
                tree.dirs.push(rel);
            }
            continue;
        }
        if is_markdown(&rel) {
            tree.markdown.push((entry.into_path(), rel));
        } else if is_template(&rel) {
            continue;
        } else {
            tree.assets.push(rel);
        }
    }
    tree.refused = refused;
    tree
}

/// Every walk of a tree of the site (loading, `serve` after an edit, themes): links are
/// followed so that shared folders can be linked in (walkdir detects loops), but one that
/// leads outside the site is neither read nor entered, and becomes a `symlink-outside`
/// finding in `refused`. Names below `dir` that `skip` accepts are skipped.
pub fn walk_inside<'a>(
    root: &'a Path,
    dir: &Path,
    skip: impl Fn(&str) -> bool + 'a,
    refused: &'a mut Vec<Diagnostic>,
) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> + 'a {
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| {
            if e.depth() > 0 && skip(&e.file_name().to_string_lossy()) {
                return false;
            }
            if e.path_is_symlink()
                && let Some(f) = config::outside_link(root, e.path())
            {
                refused.push(f);
                return false;
            }
            true
        })
}

/// Names the content walk skips: `.git`, `.DS_Store`, editors' `.swp` files.
pub fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// The most values one document's `alerts`, `tags` or `services` may list: each becomes a page
/// or an index entry, so a runbook listing 50,000 alerts would write 50,000 pages (a real one names a few; 4,000 build in well under a second).
pub const MAX_LIST: usize = 10_000;

/// One content file read and parsed, as [`load_site`] does it.
pub enum Loaded {
    /// The document and its load-time findings.
    Doc(Box<Document>, Vec<Diagnostic>),
    /// A file that cannot be a document (too large, not UTF-8): one finding, no document.
    Finding(Diagnostic),
    /// A file that cannot be read.
    Fatal(Diagnostic),
}

/// Read and parse the Markdown file at `rel` (content-relative) again, as loading the site
/// would (what `fieldbook serve` does when a file changes).
pub fn load_file(config: &Config, outside: &dyn Outside, rel: &str, today: Date) -> Loaded {
    let path = config.content_dir.join(rel);
    if let Some(f) = config::outside_link(&config.root, &path) {
        return Loaded::Finding(f);
    }
    load_document(config, outside, &path, rel, today)
}

/// Whether loading the site takes a content-relative path as a Markdown document:
/// `*.md`, `*.markdown`, and Middleman's `*.md.erb` (`*.html.md.erb`), partials excepted.
pub fn is_markdown(rel: &str) -> bool {
    let path = Path::new(rel);
    let md = |p: &Path| {
        p.extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("md") || x.eq_ignore_ascii_case("markdown"))
    };
    let erb = path
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("erb"));
    (md(path) || erb && md(&path.with_extension(""))) && !crate::adopt::erb::is_partial(rel)
}

/// Whether the content walk leaves a file out altogether: ERB partials and templates, which
/// are neither pages nor files to publish.
pub fn is_template(rel: &str) -> bool {
    !is_markdown(rel) && (crate::adopt::erb::is_partial(rel) || rel.ends_with(".erb"))
}

fn load_document(
    config: &Config,
    outside: &dyn Outside,
    path: &Path,
    rel: &str,
    today: Date,
) -> Loaded {
    let file = site_rel(config, path);
    let bytes = match config::read_inside(&config.root, path, config.max_file_bytes) {
        Ok(b) => b,
        Err(config::Unread::TooLarge(len)) => {
            return Loaded::Finding(
                Diagnostic::new(
                    Code::FileTooLarge,
                    &file,
                    Pos::START,
                    format!(
                        "{file} is {} MiB, over the {} MiB limit for content files",
                        len >> 20,
                        config.max_file_bytes >> 20
                    ),
                )
                .with_hint("split the document, move generated data out of content/, or raise [check] max_file_size"),
            );
        }
        Err(config::Unread::Outside(f)) => return Loaded::Finding(*f),
        Err(config::Unread::NotAFile) => return Loaded::Fatal(not_a_file(&file)),
        Err(config::Unread::Io(e)) => return Loaded::Fatal(io_error(&file, &e)),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let good = std::str::from_utf8(&bytes[..at]).unwrap_or("");
            let pos = crate::content::source::pos_at(good, good.len(), 1);
            return Loaded::Finding(
                Diagnostic::new(
                    Code::InvalidEncoding,
                    &file,
                    pos,
                    format!(
                        "{file} is not valid UTF-8: byte 0x{:02x} at offset {at}",
                        bytes[at]
                    ),
                )
                .with_hint("re-save the file as UTF-8 (for example `iconv -f latin1 -t utf-8`)"),
            );
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(t) => t.to_string(),
        None => text,
    };
    let placement = crate::adopt::placement(config, outside, rel, &file);
    Loaded::from(parse_document_as(&file, rel, text, today, placement))
}

impl From<(Document, Vec<Diagnostic>)> for Loaded {
    fn from((d, f): (Document, Vec<Diagnostic>)) -> Self {
        Loaded::Doc(Box::new(d), f)
    }
}

/// A FIFO, socket or device where a document or partial should be: never opened for reading.
fn not_a_file(file: &str) -> Diagnostic {
    Diagnostic::new(
        Code::IoError,
        file,
        Pos::START,
        format!("{file} is not a regular file (a FIFO, socket or device); it was not read"),
    )
    .with_hint("remove it from the content directory, or replace it with a regular file")
}

fn io_error(file: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        Code::IoError,
        file,
        Pos::START,
        format!("cannot read {file}: {e}"),
    )
    .with_hint("check that the file exists and is readable by this user")
}

/// Parse one file's text into a document and its metadata findings. `file` is the
/// site-relative path used in findings, `rel` the content-relative one.
pub fn parse_document(
    file: &str,
    rel: &str,
    text: String,
    today: Date,
) -> (Document, Vec<Diagnostic>) {
    parse_document_as(
        file,
        rel,
        text,
        today,
        crate::adopt::Placement::from_path(rel),
    )
}

/// [`parse_document`] with the kind, course, navigation title and outside owners an adopted
/// tree's configuration gives the file (front matter still wins).
pub fn parse_document_as(
    file: &str,
    rel: &str,
    text: String,
    today: Date,
    placement: crate::adopt::Placement,
) -> (Document, Vec<Diagnostic>) {
    let mut findings = Vec::new();
    let path_kind = placement.kind.unwrap_or(Kind::Page);
    let path_course = placement.course.clone();
    let split = front_matter::split(&text);
    let (front_offset, front_len, front_line, body_offset, body_line) = match &split {
        Ok(s) => (
            s.front.as_ptr() as usize - text.as_ptr() as usize,
            s.front.len(),
            s.front_line,
            s.body.as_ptr() as usize - text.as_ptr() as usize,
            s.body_line,
        ),
        Err(_) => (0, 0, 1, 0, 1),
    };
    let parsed = split
        .as_ref()
        .map_err(Clone::clone)
        .and_then(crate::adopt::parse_front_matter);
    let (meta, meta_ok) = match parsed {
        Ok(p) => {
            for (key, suggestion, pos) in &p.typos {
                findings.push(
                    Diagnostic::new(
                        Code::UnknownKey,
                        file,
                        *pos,
                        format!("unknown key `{key}`: did you mean `{suggestion}`?"),
                    )
                    .with_hint(format!(
                        "rename it to `{suggestion}`; unknown keys are ignored by Fieldbook"
                    ))
                    .with_source(&text),
                );
            }
            for (message, pos) in &p.conflicts {
                findings.push(
                    Diagnostic::new(Code::ConflictingKeys, file, *pos, message.clone())
                        .with_hint("remove one of the two keys; docs/adopting.md lists how each tool's keys are read")
                        .with_source(&text),
                );
            }
            let mut meta = p.meta;
            let front = &text[front_offset..front_offset + front_len];
            let at = |key: &str| {
                crate::content::source::YamlLocator::new(front)
                    .key(key)
                    .map_or(Pos::START, |p| p.shifted(front_line - 1))
            };
            for (key, list) in [
                ("alerts", &mut meta.alerts),
                ("tags", &mut meta.tags),
                ("services", &mut meta.services),
            ] {
                if list.len() > MAX_LIST {
                    findings.push(
                        Diagnostic::new(
                            Code::FileTooLarge,
                            file,
                            at(key),
                            format!(
                                "`{key}` lists {} values, more than the {MAX_LIST} a document may have; the rest are left out",
                                list.len()
                            ),
                        )
                        .with_hint("split the document, or group the values (one alert per failure mode)"),
                    );
                    list.truncate(MAX_LIST);
                }
            }
            (meta, true)
        }
        Err(e) => {
            let mut d = Diagnostic::new(
                Code::InvalidMetadata,
                file,
                e.pos,
                format!("front matter: {}", e.message),
            )
            .with_source(&text);
            d.hint = e.hint.or(Some(
                "fix the front matter; FORMAT.md lists every key and its type".into(),
            ));
            findings.push(d);
            (Default::default(), false)
        }
    };
    let body = &text[body_offset..];
    // The one seam where other tools' body syntax becomes Fieldbook's.
    let read_partial = |p: &str| placement.partials.as_ref()?.read(p);
    let (rewritten, problems) = crate::adopt::rewrite_body(body, rel, &read_partial);
    let outline = markdown::outline_rewritten(body, rewritten.as_ref());
    let mut meta = meta;
    let body_pos = |offset: usize, len: usize| {
        crate::content::source::pos_at(&text, body_offset + offset, len)
    };
    for p in problems {
        findings.push(
            Diagnostic::new(p.code, file, body_pos(p.offset, p.len), p.message)
                .with_hint(p.hint)
                .with_source(&text),
        );
    }
    for n in &outline.unsupported {
        findings.push(
            Diagnostic::new(
                Code::UnsupportedSyntax,
                file,
                body_pos(n.offset, n.len),
                format!("{} is not supported and was removed", n.what),
            )
            .with_hint(n.hint)
            .with_source(&text),
        );
    }
    if meta_ok {
        findings.extend(crate::adopt::apply_body(
            &mut meta,
            body,
            |code, message, hint, offset, len| {
                Diagnostic::new(code, file, body_pos(offset, len), message)
                    .with_hint(hint)
                    .with_source(&text)
            },
        ));
    }
    let kind = meta.kind.unwrap_or(path_kind);
    let course = match kind {
        Kind::Course | Kind::Lesson => path_course.or_else(|| {
            Path::new(rel)
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        }),
        _ => None,
    };
    let title = meta
        .title
        .clone()
        .or_else(|| outline.title().map(str::to_string))
        .or_else(|| placement.nav_title.clone())
        .unwrap_or_else(|| {
            // `x.html.md.erb` is titled "x", as `x.md` is.
            let name = rel.rsplit('/').next().unwrap_or(rel);
            let stem = crate::adopt::erb::page_stem(name);
            (stem != name)
                .then(|| stem.trim_end_matches(".html").to_string())
                .or_else(|| {
                    Path::new(rel)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                })
                .map(|s| s.replace(['-', '_'], " "))
                .unwrap_or_default()
        });
    let own: Vec<String> = meta
        .owners
        .clone()
        .or_else(|| meta.owner.clone())
        .map(|o| o.into_vec())
        .unwrap_or_default();
    // Lessons look to their course before outside sources; the model settles those.
    let (owners, owners_source) = match placement.owners {
        _ if !own.is_empty() => (own, OwnersSource::FrontMatter),
        Some(found) if kind != Kind::Lesson => (found.ids, found.source),
        _ => (own, OwnersSource::None),
    };
    let lesson_order = (kind == Kind::Lesson)
        .then_some(placement.lesson_order)
        .flatten();
    // A runbook named after the alert it answers (`alerts/KubePodCrashLooping.md`, as GitLab's
    // and kube-prometheus' runbooks are laid out) answers that alert.
    if kind == Kind::Runbook
        && meta.alerts.is_empty()
        && let Some(alert) = crate::adopt::alert_of_path(rel)
    {
        meta.alerts.push(alert);
    }
    // And the alerts whose rules' `runbook_url` leads to its page.
    if kind == Kind::Runbook {
        for a in &placement.alerts {
            if !meta.alerts.contains(a) {
                meta.alerts.push(a.clone());
            }
        }
    }
    let doc = Document {
        rel: rel.to_string(),
        file: file.to_string(),
        kind,
        title,
        meta,
        owners,
        owners_inherited: false,
        owners_source,
        lesson_order,
        course,
        front_start_line: front_line,
        front_len,
        front_offset,
        body_offset,
        body_line,
        outline,
        rewritten,
        text,
        meta_ok,
        url: crate::adopt::page_url(rel, placement.urls),
    };
    if meta_ok {
        findings.extend(required_metadata(&doc, today));
    }
    (doc, findings)
}

/// What each kind requires and what no kind may have (FORMAT.md's front matter table).
fn required_metadata(doc: &Document, today: Date) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let m = &doc.meta;
    let invalid = |pos: Pos, msg: String, hint: &str| {
        doc.finding(Code::InvalidMetadata, pos, msg).with_hint(hint)
    };
    if m.owners.is_some() && m.owner.is_some() {
        out.push(invalid(
            doc.key_pos("owner"),
            "both `owners` and `owner` are set".into(),
            "keep one: `owners: [a, b]`",
        ));
    }
    if doc.kind.requires_owners() && doc.owners.is_empty() {
        let pos = if m.owners.is_some() {
            doc.key_pos("owners")
        } else {
            Pos::START
        };
        let (msg, hint) = if doc.owners_source.is_external() {
            (
                format!(
                    "a {} must name its owners: {} names only owners that are not in owners.yaml",
                    doc.kind.as_str(),
                    doc.owners_source.describe()
                ),
                "map those owners onto owners.yaml ids (`github:`, `gitlab:` or `email:` keys), or add `owners: [team-id]` here",
            )
        } else {
            (
                format!("a {} must name its owners", doc.kind.as_str()),
                "add `owners: [team-id]` with ids from owners.yaml",
            )
        };
        out.push(invalid(pos, msg, hint));
    }
    if let Some(r) = m.reviewed
        && r > today
    {
        out.push(invalid(
            doc.key_pos("reviewed"),
            format!("`reviewed` is {r}, after today ({today})"),
            "a review date records a review that happened; use today's date or earlier (`fieldbook review FILE`)",
        ));
    }
    for alias in &m.adopted.aliases {
        if let Err(why) = crate::adopt::redirects::alias_url(alias) {
            out.push(
                doc.finding(
                    Code::InvalidAlias,
                    doc.word_pos("aliases", alias),
                    format!("alias `{alias}`: {why}"),
                )
                .with_hint("write the page's old path inside the site, such as /runbooks/old-name/; no redirect is made for this one"),
            );
        }
    }
    if doc.kind == Kind::Postmortem && m.date.is_none() {
        out.push(invalid(
            Pos::START,
            "a postmortem must give the incident's `date`".into(),
            "add `date: YYYY-MM-DD`",
        ));
    }
    // For other kinds `date` is a publish date (Hugo's), which may lie ahead.
    if let Some(d) = m.date
        && d > today
        && doc.kind == Kind::Postmortem
    {
        out.push(invalid(
            doc.key_pos("date"),
            format!("the incident `date` {d} is after today ({today})"),
            "a postmortem describes an incident that happened",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adopt::kind_from_path;

    fn today() -> Date {
        Date::parse("2026-11-27").unwrap()
    }

    #[test]
    fn kinds_follow_the_layout() {
        assert_eq!(kind_from_path("runbooks/db/x.md"), (Kind::Runbook, None));
        assert_eq!(kind_from_path("postmortems/2026/x.md").0, Kind::Postmortem);
        assert_eq!(
            kind_from_path("courses/oncall/index.md"),
            (Kind::Course, Some("oncall".into()))
        );
        assert_eq!(
            kind_from_path("courses/oncall/01-intro.md"),
            (Kind::Lesson, Some("oncall".into()))
        );
        assert_eq!(kind_from_path("courses/x.md").0, Kind::Page);
        assert_eq!(kind_from_path("about.md").0, Kind::Page);
        assert_eq!(kind_from_path("runbooks.md").0, Kind::Page);
        assert_eq!(kind_from_path("runbooks/node/_index.md").0, Kind::Page);
        assert_eq!(kind_from_path("_index.md").0, Kind::Page);
        assert_eq!(
            kind_from_path("courses/c/_index.md"),
            (Kind::Lesson, Some("c".into()))
        );
    }

    #[test]
    fn documents_without_front_matter_take_title_from_heading() {
        let (d, f) = parse_document(
            "content/guide.md",
            "guide.md",
            "# The Guide\n\ntext\n".into(),
            today(),
        );
        assert_eq!((d.title.as_str(), d.kind), ("The Guide", Kind::Page));
        assert!(f.is_empty());
        let (d, _) = parse_document(
            "content/ops-notes.md",
            "ops-notes.md",
            "no heading".into(),
            today(),
        );
        assert_eq!(d.title, "ops notes");
        let (d, _) = parse_document(
            "source/team-tools.html.md.erb",
            "team-tools.html.md.erb",
            "no heading".into(),
            today(),
        );
        assert_eq!(d.title, "team tools");
    }

    #[test]
    fn required_keys_are_findings() {
        let text = "---\ntitle: X\nreviewed: 2027-01-01\n---\n# X\n".to_string();
        let (_, f) = parse_document("content/runbooks/a/x.md", "runbooks/a/x.md", text, today());
        let codes: Vec<_> = f.iter().map(|d| (d.code, d.line)).collect();
        assert_eq!(
            codes,
            [(Code::InvalidMetadata, 1), (Code::InvalidMetadata, 3)]
        );
        assert!(f[1].message.contains("after today"));
    }

    #[test]
    fn crlf_and_positions() {
        let text = "---\r\ntitle: X\r\nowners: [a]\r\nminutes: lots\r\n---\r\n# X\r\n".to_string();
        let (d, f) = parse_document("content/p.md", "p.md", text, today());
        assert!(!d.meta_ok);
        assert_eq!((f[0].code, f[0].line), (Code::InvalidMetadata, 4));
        assert_eq!(f[0].source_line.as_deref(), Some("minutes: lots"));
    }
}
