//! `book.toml`: the site's configuration, with every path kept inside the site directory.

pub mod adoption;
pub mod glob;

use crate::content::date::{Date, Period};
use crate::content::front_matter::{Kind, toml_error};
use crate::diagnostic::{Code, DEFAULT_FAIL_ON, Diagnostic, Fatal, Policy, Pos};
use serde::Deserialize;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;

pub const CONFIG_FILE: &str = "book.toml";
/// Read in preference to `book.toml`, so that a tree with another tool's `book.toml` (mdBook)
/// can hold Fieldbook's configuration beside it.
pub const FIELDBOOK_FILE: &str = "fieldbook.toml";

/// The configuration file of the site at `root`: `fieldbook.toml` when present, else
/// `book.toml`.
pub fn file_name(root: &Path) -> &'static str {
    if root.join(FIELDBOOK_FILE).is_file() {
        FIELDBOOK_FILE
    } else {
        CONFIG_FILE
    }
}

/// The loaded configuration with paths resolved against the site directory.
#[derive(Clone, Debug)]
pub struct Config {
    pub root: PathBuf,
    pub book: Book,
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    /// Where `build` keeps its cache (`[build] cache_dir`, default `.fieldbook/cache`).
    pub cache_dir: PathBuf,
    pub owners_file: PathBuf,
    pub theme: String,
    pub today: Option<Date>,
    pub freshness: Freshness,
    pub policy: Policy,
    /// Content files above this many bytes are refused rather than read.
    pub max_file_bytes: u64,
    /// Keep raw HTML written in Markdown (`[build] raw_html`, default true).
    pub raw_html: bool,
    /// `[build] urls`: `"pretty"` (`a/b/`, the default) or `"source"` (`a/b.html`, the
    /// path the source tool published).
    pub urls: crate::content::urls::UrlScheme,
    /// "Edit this page" link template, `{path}` standing for the file's site-relative path
    /// (`[book] edit_url`).
    pub edit_url: Option<String>,
    /// `[check] alert_rules`: Prometheus rule files to check the runbooks against (paths or
    /// globs relative to the site), each with its place in book.toml.
    pub alert_rules: Vec<(String, Pos)>,
    /// `[check] page_severities`: the `labels.severity` values (any case) of alerts that page
    /// someone, whose missing runbook is `page-without-runbook` rather than
    /// `alert-without-runbook`.
    pub page_severities: Vec<String>,
    /// `[check] history` and its limits: the review-history checks (docs/freshness-history.md).
    pub history: HistoryChecks,
    /// `[check] shellcheck` (default true): check shell blocks with `shellcheck` when it is
    /// installed (docs/checks.md).
    pub shellcheck: bool,
    /// `[check] external_links` and its keys: the outside-link check of `check --external`
    /// (docs/checks.md, [`crate::checks::external`]).
    pub external: ExternalLinks,
    /// The configuration file's name (`book.toml` or `fieldbook.toml`), for findings.
    pub file: String,
    /// `[kinds]`, `[[courses]]`, `[owners] default`, `[check] baseline`.
    pub adopt: adoption::AdoptConfig,
    /// Learning paths (`[[paths]]`), in the order book.toml gives them.
    pub paths: Vec<LearningPath>,
    /// `[compose] parts`: the part folders `fieldbook compose` composes when given none
    /// (relative to the site, `../` allowed, globs as in `[check] alert_rules`).
    pub compose_parts: Vec<String>,
    /// `[compose] keep_last_good`: the folder where `fieldbook compose` keeps each part's last
    /// good copy (relative to the site, `../` allowed: a CI cache is often beside it), as
    /// `--keep-last-good` gives it.
    pub compose_keep_last_good: Option<PathBuf>,
}

/// An ordered list of courses for a role (`[[paths]]` in book.toml).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearningPath {
    pub id: String,
    pub title: String,
    pub description: String,
    pub role: Option<String>,
    /// Course slugs, each with where book.toml names it and that line's text, so that a slug
    /// naming no course can be reported there once the content is loaded.
    pub courses: Vec<(String, Pos, String)>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Book {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub language: String,
    pub edit_url: Option<String>,
    /// `[book] escalation`: whom to call when no runbook answers (text, shown on the
    /// not-found page and on an unknown alert's page).
    pub escalation: Option<String>,
}

impl Default for Book {
    fn default() -> Self {
        Book {
            title: "Handbook".into(),
            description: String::new(),
            base_url: "/".into(),
            language: "en".into(),
            edit_url: None,
            escalation: None,
        }
    }
}

/// Review periods per kind, and how early to warn.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Freshness {
    pub runbook: Period,
    pub course: Period,
    pub lesson: Period,
    pub page: Period,
    pub postmortem: Period,
    pub warn_before: Period,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            runbook: Period::Days(90),
            course: Period::Days(180),
            lesson: Period::Days(180),
            page: Period::Days(365),
            postmortem: Period::Never,
            warn_before: Period::Days(14),
        }
    }
}

impl Freshness {
    pub fn period_for(&self, kind: Kind) -> Period {
        match kind {
            Kind::Runbook => self.runbook,
            Kind::Course => self.course,
            Kind::Lesson => self.lesson,
            Kind::Page => self.page,
            Kind::Postmortem => self.postmortem,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    book: Book,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    owners: RawOwners,
    #[serde(default)]
    freshness: Freshness,
    #[serde(default)]
    check: RawCheck,
    #[serde(default)]
    kinds: adoption::RawKinds,
    #[serde(default)]
    courses: Vec<adoption::RawCourse>,
    #[serde(default)]
    paths: Vec<RawPath>,
    #[serde(default)]
    compose: RawCompose,
    /// Free-form values for templates.
    #[serde(default)]
    #[allow(dead_code)]
    extra: toml::Table,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawBuild {
    content: Spanned<String>,
    output: Spanned<String>,
    theme: String,
    today: Option<Spanned<Date>>,
    raw_html: bool,
    urls: Option<Spanned<String>>,
    cache_dir: Spanned<String>,
}

impl Default for RawBuild {
    fn default() -> Self {
        RawBuild {
            content: Spanned::new(0..0, "content".into()),
            output: Spanned::new(0..0, "public".into()),
            theme: "default".into(),
            today: None,
            raw_html: true,
            urls: None,
            cache_dir: Spanned::new(0..0, ".fieldbook/cache".into()),
        }
    }
}

/// `[compose]`: what `fieldbook compose` reads when it is given no part folders.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawCompose {
    parts: Vec<String>,
    keep_last_good: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawOwners {
    file: Spanned<String>,
    default: Option<Spanned<String>>,
}

impl Default for RawOwners {
    fn default() -> Self {
        RawOwners {
            file: Spanned::new(0..0, "owners.yaml".into()),
            default: None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawCheck {
    fail_on: Option<Spanned<Vec<Spanned<String>>>>,
    max_file_size: Option<Spanned<String>>,
    alert_rules: Vec<Spanned<String>>,
    page_severities: Option<Vec<String>>,
    baseline: Option<Spanned<String>>,
    history: Option<bool>,
    rubber_stamp_after: Option<usize>,
    mass_review: Option<usize>,
    shellcheck: Option<bool>,
    external_links: Option<bool>,
    external_timeout: Option<Spanned<String>>,
    external_cache_ttl: Option<Spanned<String>>,
    external_retries: Option<u64>,
    external_include: Vec<Spanned<String>>,
    external_exclude: Vec<Spanned<String>>,
    external_headers: std::collections::BTreeMap<String, Spanned<toml::Value>>,
}

/// How `check --external` checks outside links (`[check] external_*`, docs/checks.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalLinks {
    /// `[check] external_links` (default false): `check` checks them without `--external`.
    /// `build`, `serve` and `report` never do.
    pub enabled: bool,
    /// `external_timeout` (default 20s): the most one request may take.
    pub timeout: std::time::Duration,
    /// `external_cache_ttl` (default 1d): how long a result in `.fieldbook/cache/links.json`
    /// stands before the URL is checked again.
    pub cache_ttl: std::time::Duration,
    /// `external_retries` (default 2): tries after the first for a 5xx, 408, 429 or timeout.
    pub retries: u64,
    /// `external_include`: regular expressions; when any is given, only URLs one matches.
    pub include: Vec<String>,
    /// `external_exclude`: regular expressions; URLs one matches are not checked.
    pub exclude: Vec<String>,
    /// `[check.external_headers]`: the headers sent to a host, each from an environment
    /// variable.
    pub headers: Vec<HostHeader>,
}

/// One header of `[check.external_headers]`: `"host" = "VAR"` sends `Authorization: Bearer`
/// and the variable's value; `"host" = { "X-Api-Key" = "VAR" }` sends the named header with
/// the value as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostHeader {
    /// The host name, lower case.
    pub host: String,
    /// The header's name; `None`: `Authorization`, the value after `Bearer `.
    pub header: Option<String>,
    /// The environment variable holding the value.
    pub var: String,
}

impl Default for ExternalLinks {
    fn default() -> Self {
        ExternalLinks {
            enabled: false,
            timeout: std::time::Duration::from_secs(20),
            cache_ttl: std::time::Duration::from_secs(24 * 3600),
            retries: 2,
            include: Vec::new(),
            exclude: Vec::new(),
            headers: Vec::new(),
        }
    }
}

/// How the review-history checks read git (`[check] history`, `rubber_stamp_after`,
/// `mass_review`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryChecks {
    pub enabled: bool,
    /// Reviews in a row that changed nothing else before they are `rubber-stamp-review`.
    pub rubber_stamp_after: usize,
    /// A commit moving `reviewed` in more documents than this, changing nothing else in them,
    /// is a mass review.
    pub mass_review: usize,
}

impl Default for HistoryChecks {
    fn default() -> Self {
        HistoryChecks {
            enabled: true,
            rubber_stamp_after: 2,
            mass_review: 20,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPath {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    role: Option<String>,
    courses: Spanned<Vec<Spanned<String>>>,
}

/// Load `fieldbook.toml` or else `book.toml` from `root`. A missing file is an error: it is
/// what marks a site.
pub fn load(root: &Path) -> Result<Config, Fatal> {
    let name = file_name(root);
    let path = root.join(name);
    let text = match read_regular(&path, MAX_CONFIG_BYTES).map_err(Unread::into_io) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            config_error(
                Pos::START,
                &format!("{name} is not valid UTF-8"),
                "save the file as UTF-8",
            )
            .with_file(name)
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(vec!(
                Diagnostic::new(
                    Code::InvalidConfig,
                    CONFIG_FILE,
                    Pos::START,
                    format!("no book.toml (or fieldbook.toml) in {}", root.display()),
                )
                .with_hint("run fieldbook in a site directory, pass the site directory as an argument, or create book.toml (`fieldbook init`)"),
            ));
        }
        Err(e) => {
            return Err(vec![Diagnostic::new(
                Code::IoError,
                CONFIG_FILE,
                Pos::START,
                format!("cannot read {name}: {e}"),
            )]
            .with_file(name));
        }
    };
    parse_file(root, name, text.trim_start_matches('\u{feff}'))
}

/// Parse the text of `book.toml` for the site at `root`.
pub fn parse(root: &Path, text: &str) -> Result<Config, Fatal> {
    parse_file(root, CONFIG_FILE, text)
}

/// Parse the text of the configuration file `name` for the site at `root`.
pub fn parse_file(root: &Path, name: &str, text: &str) -> Result<Config, Fatal> {
    parse_inner(root, text)
        .map(|c| c.with_file(name))
        .map_err(|d| d.with_file(name))
}

fn parse_inner(root: &Path, text: &str) -> Result<Config, Fatal> {
    // Every path of the site is absolute, whatever directory the command was given (none:
    // `.`) and whatever `[build] content` says (`.`, `./docs`, `docs/`).
    let absolute = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let root = absolute.as_path();
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let fe = toml_error(text, &e);
        vec![
            Diagnostic::new(Code::InvalidConfig, CONFIG_FILE, fe.pos, fe.message)
                .with_hint(
                    "see the [book], [build], [owners], [freshness] and [check] keys in the README",
                )
                .with_source(text),
        ]
    })?;
    let at =
        |span: std::ops::Range<usize>| crate::content::source::pos_at(text, span.start, span.len());
    let inside = |s: &Spanned<String>, what: &str| -> Result<PathBuf, Fatal> {
        resolve_inside(root, s.get_ref()).map_err(|why| {
            vec![
                Diagnostic::new(
                    Code::InvalidConfig,
                    CONFIG_FILE,
                    at(s.span()),
                    format!("{what} `{}` {why}", s.get_ref()),
                )
                .with_hint(
                    "paths in book.toml are relative to the site directory and must stay inside it",
                )
                .with_source(text),
            ]
        })
    };
    let content_dir = inside(&raw.build.content, "[build] content")?;
    let output_dir = inside(&raw.build.output, "[build] output")?;
    let owners_file = inside(&raw.owners.file, "[owners] file")?;
    if output_dir == root || content_dir.starts_with(&output_dir) || output_dir == content_dir {
        return Err(vec![
            Diagnostic::new(
                Code::InvalidConfig,
                CONFIG_FILE,
                at(raw.build.output.span()),
                format!(
                    "[build] output `{}` would overwrite the site or its content",
                    raw.build.output.get_ref()
                ),
            )
            .with_hint("use a directory of its own, such as \"public\"")
            .with_source(text),
        ]);
    }
    let mut fail_on = DEFAULT_FAIL_ON.to_vec();
    if let Some(list) = &raw.check.fail_on {
        fail_on.clear();
        for item in list.get_ref() {
            let code = Code::parse(item.get_ref()).ok_or_else(|| {
                let known: Vec<_> = Code::ALL
                    .iter()
                    .filter(|c| !c.is_fatal())
                    .map(|c| c.as_str())
                    .collect();
                vec![
                    Diagnostic::new(
                        Code::InvalidConfig,
                        CONFIG_FILE,
                        at(item.span()),
                        format!("[check] fail_on names an unknown code `{}`", item.get_ref()),
                    )
                    .with_hint(format!("known codes: {}", known.join(", ")))
                    .with_source(text),
                ]
            })?;
            fail_on.push(code);
        }
    }
    let max_file_bytes = match &raw.check.max_file_size {
        None => 16 * 1024 * 1024,
        Some(s) => parse_size(s.get_ref()).ok_or_else(|| {
            vec![
                Diagnostic::new(
                    Code::InvalidConfig,
                    CONFIG_FILE,
                    at(s.span()),
                    format!("[check] max_file_size `{}` is not a size", s.get_ref()),
                )
                .with_hint("write a size such as \"16MB\" or \"512KB\"")
                .with_source(text),
            ]
        })?,
    };
    let error = |pos: Pos, msg: String, hint: &str| {
        vec![
            Diagnostic::new(Code::InvalidConfig, CONFIG_FILE, pos, msg)
                .with_hint(hint)
                .with_source(text),
        ]
    };
    let external = external_links(&raw.check, &at, &error)?;
    let adopt = adoption::resolve_config(
        raw.kinds,
        raw.courses,
        raw.owners.default,
        raw.check.baseline,
        &at,
        &inside,
        &error,
    )?;
    let paths = learning_paths(raw.paths, text)?;
    let urls = match raw
        .build
        .urls
        .as_ref()
        .map(|u| (u.get_ref().as_str(), u.span()))
    {
        None | Some(("pretty", _)) => crate::content::urls::UrlScheme::Pretty,
        Some(("source", _)) => crate::content::urls::UrlScheme::Source,
        Some((other, span)) => {
            return Err(error(
                at(span),
                format!("[build] urls = \"{other}\" is not a URL scheme"),
                "write \"pretty\" (a/b/) or \"source\" (a/b.html, the paths the source tool published)",
            ));
        }
    };
    // Not resolved through links: a linked cache folder is refused when the build opens it
    // (`write::own_dir`), and the build runs without it.
    let cache_dir = {
        let given = Path::new(raw.build.cache_dir.get_ref());
        if given.is_absolute()
            || given
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(error(
                at(raw.build.cache_dir.span()),
                format!(
                    "[build] cache_dir `{}` is not a folder inside the site",
                    raw.build.cache_dir.get_ref()
                ),
                "write a path relative to the site directory, such as .fieldbook/cache, or give --cache-dir",
            ));
        }
        root.join(given)
    };
    let mut book = raw.book;
    let edit_url = book.edit_url.clone();
    if !book.base_url.ends_with('/') {
        book.base_url.push('/');
    }
    Ok(Config {
        root: root.to_path_buf(),
        book,
        content_dir,
        output_dir,
        cache_dir,
        owners_file,
        theme: raw.build.theme,
        today: raw.build.today.map(|t| t.into_inner()),
        freshness: raw.freshness,
        policy: Policy {
            fail_on,
            strict: false,
        },
        max_file_bytes,
        raw_html: raw.build.raw_html,
        urls,
        edit_url,
        alert_rules: raw
            .check
            .alert_rules
            .iter()
            .map(|r| (r.get_ref().clone(), at(r.span())))
            .collect(),
        history: HistoryChecks {
            enabled: raw.check.history.unwrap_or(true),
            rubber_stamp_after: raw.check.rubber_stamp_after.unwrap_or(2).max(1),
            mass_review: raw.check.mass_review.unwrap_or(20).max(1),
        },
        shellcheck: raw.check.shellcheck.unwrap_or(true),
        external,
        page_severities: raw
            .check
            .page_severities
            .unwrap_or_else(|| vec!["critical".into(), "page".into()]),
        file: CONFIG_FILE.to_string(),
        adopt,
        paths,
        compose_parts: raw.compose.parts,
        compose_keep_last_good: raw.compose.keep_last_good.map(|p| root.join(p)),
    })
}

/// `[[paths]]` with their ids checked: each is a URL segment (`paths/<id>/`) and a progress
/// key, so it must be a valid id and unique.
fn learning_paths(raw: Vec<RawPath>, text: &str) -> Result<Vec<LearningPath>, Fatal> {
    let at =
        |span: std::ops::Range<usize>| crate::content::source::pos_at(text, span.start, span.len());
    let line_of = |pos: Pos| {
        text.lines()
            .nth(pos.line as usize - 1)
            .unwrap_or("")
            .to_string()
    };
    let err = |span, message: String, hint: &str| {
        vec![
            Diagnostic::new(Code::InvalidConfig, CONFIG_FILE, at(span), message)
                .with_hint(hint)
                .with_source(text),
        ]
    };
    let mut out: Vec<LearningPath> = Vec::new();
    for p in raw {
        let id = p.id.get_ref();
        if !crate::content::quiz::valid_id(id) {
            return Err(err(
                p.id.span(),
                format!("[[paths]] id `{id}` is not a valid id"),
                "use letters, digits, `-`, `_` and `.` only: the id is the path's URL (paths/<id>/)",
            ));
        }
        if out.iter().any(|o| o.id == *id) {
            return Err(err(
                p.id.span(),
                format!("[[paths]] id `{id}` is used twice"),
                "give each learning path its own id",
            ));
        }
        if p.courses.get_ref().is_empty() {
            return Err(err(
                p.courses.span(),
                format!("learning path `{id}` lists no courses"),
                "list course slugs (the folder names under content/courses/) in `courses`",
            ));
        }
        out.push(LearningPath {
            id: id.clone(),
            title: p.title,
            description: p.description,
            role: p.role,
            courses: p
                .courses
                .into_inner()
                .into_iter()
                .map(|c| {
                    let pos = at(c.span());
                    (c.into_inner(), pos, line_of(pos))
                })
                .collect(),
        });
    }
    Ok(out)
}

/// `rel` joined to `root`, refusing absolute paths and `..` that climb out of the site, and
/// (when the path exists) symlinks that lead out of it.
pub fn resolve_inside(root: &Path, rel: &str) -> Result<PathBuf, &'static str> {
    if rel.trim().is_empty() {
        return Err("is empty");
    }
    // An absolute path is taken when it names a place inside the site.
    let within;
    let p = match Path::new(rel) {
        a if a.is_absolute() => {
            let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            let real = a.canonicalize().unwrap_or_else(|_| a.to_path_buf());
            within = real
                .strip_prefix(&real_root)
                .or_else(|_| a.strip_prefix(root))
                .map_err(|_| "is an absolute path outside the site directory")?
                .to_path_buf();
            within.as_path()
        }
        p => p,
    };
    let mut depth = 0i32;
    for c in p.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => {
                return Err("is an absolute path outside the site directory");
            }
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return Err("points outside the site directory");
                }
            }
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
        }
    }
    let joined = root.join(p);
    if leads_outside(root, &joined) {
        return Err("leads outside the site directory through a symbolic link");
    }
    Ok(normalize(&joined))
}

/// The one rule for symbolic links (docs/hardening.md), for every reader of the site: `path`
/// may be read when its fully resolved target (every link followed, canonicalized) lies
/// inside the directory `root`; one that leads outside is not read. A path that does not
/// resolve (missing, a dangling link) leads nowhere: reading it fails on its own.
pub fn leads_outside(root: &Path, path: &Path) -> bool {
    match (path.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(real_root)) => !real.starts_with(real_root),
        _ => false,
    }
}

/// The `symlink-outside` finding for `path` (under the site directory `root`) when a
/// symbolic link leads it outside the site: `None` when it may be read. The finding names the
/// link by its path relative to `root`.
pub fn outside_link(root: &Path, path: &Path) -> Option<Diagnostic> {
    leads_outside(root, path).then(|| {
        let shown = crate::content::slash(path.strip_prefix(root).unwrap_or(path));
        Diagnostic::new(
            Code::SymlinkOutside,
            &shown,
            Pos::START,
            format!(
                "{shown} is a symbolic link that leads outside the site directory; it was not read"
            ),
        )
        .with_hint("copy the file into the site or point the link inside it")
    })
}

impl Config {
    /// The site's own files and folders, never content whatever `[build] content` says (a
    /// tree whose Markdown sits at the repository's root): the configuration, the owners
    /// roster (names, e-mail addresses, who left), the baseline, the themes, the output.
    /// Fieldbook's `.fieldbook/` cache is hidden, and hidden names are never content.
    pub fn own_paths(&self) -> Vec<PathBuf> {
        let mut own = vec![
            self.root.join(CONFIG_FILE),
            self.root.join("fieldbook.toml"),
            self.owners_file.clone(),
            self.root.join("themes"),
            self.output_dir.clone(),
            self.cache_dir.clone(),
        ];
        own.extend(self.adopt.baseline.as_ref().map(|(p, _)| p.clone()));
        own
    }
}

/// Why [`read_inside`] did not read a file.
#[derive(Debug)]
pub enum Unread {
    /// A symbolic link leads it outside the site (the `symlink-outside` finding).
    Outside(Box<Diagnostic>),
    /// Not a regular file: a FIFO, socket, device or folder (never opened for reading, so a
    /// FIFO cannot hang the run).
    NotAFile,
    /// Longer than the limit (its length, as far as it was read).
    TooLarge(u64),
    Io(std::io::Error),
}

/// The one way a file that can come from a site (a document, a partial, an owners or rule
/// file, a theme file) is read: only when it stays inside the site directory `root` (links
/// leading out are refused), only a regular file (opened without blocking and checked on the
/// open handle), and at most `max` bytes.
pub fn read_inside(root: &Path, path: &Path, max: u64) -> Result<Vec<u8>, Unread> {
    if let Some(f) = outside_link(root, path) {
        return Err(Unread::Outside(Box::new(f)));
    }
    read_regular(path, max)
}

/// [`read_inside`] for a file named outside any site (a path given on the command line, a
/// tree `init --from` reads): a regular file only, opened without blocking, at most `max`
/// bytes.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, Unread> {
    crate::write::read_bounded(path, max, true).map_err(|e| match e {
        crate::write::Unreadable::NotAFile => Unread::NotAFile,
        crate::write::Unreadable::TooLarge(n) => Unread::TooLarge(n),
        crate::write::Unreadable::Io(e) => Unread::Io(e),
    })
}

/// [`read_inside`] as text, with every refusal as an I/O error (for callers that report
/// an unreadable file one way, whatever the reason).
pub fn read_text_inside(root: &Path, path: &Path, max: u64) -> std::io::Result<String> {
    let bytes = read_inside(root, path, max).map_err(Unread::into_io)?;
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

impl Unread {
    /// The refusal as an I/O error, its message saying why.
    pub fn into_io(self) -> std::io::Error {
        use std::io::{Error, ErrorKind};
        match self {
            Unread::Outside(_) => Error::new(
                ErrorKind::PermissionDenied,
                "it is a symbolic link that leads outside the site directory",
            ),
            Unread::NotAFile => Error::new(
                ErrorKind::InvalidInput,
                "it is not a regular file (a FIFO, socket, device or folder)",
            ),
            Unread::TooLarge(n) => Error::new(
                ErrorKind::InvalidData,
                format!("it is too large ({n} bytes)"),
            ),
            Unread::Io(e) => e,
        }
    }
}

/// The most Fieldbook reads of a file of configuration or of another tool's (`book.toml`,
/// owners files, navigation, baselines): far above any real one.
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// Lexically drop `.` and resolve `..` (the path is known not to climb above its start).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The `[check] external_*` keys, each checked: a duration that is none or a pattern that
/// does not compile is an error at its place in book.toml.
fn external_links(
    raw: &RawCheck,
    at: &dyn Fn(std::ops::Range<usize>) -> Pos,
    error: &dyn Fn(Pos, String, &str) -> Fatal,
) -> Result<ExternalLinks, Fatal> {
    let mut out = ExternalLinks {
        enabled: raw.external_links.unwrap_or(false),
        retries: raw.external_retries.unwrap_or(2).min(10),
        ..ExternalLinks::default()
    };
    for (key, value, slot) in [
        ("external_timeout", &raw.external_timeout, &mut out.timeout),
        (
            "external_cache_ttl",
            &raw.external_cache_ttl,
            &mut out.cache_ttl,
        ),
    ] {
        if let Some(v) = value {
            *slot = parse_duration(v.get_ref()).ok_or_else(|| {
                error(
                    at(v.span()),
                    format!("[check] {key} `{}` is not a duration", v.get_ref()),
                    "write a duration such as \"10s\", \"500ms\", \"12h\" or \"1d\"",
                )
            })?;
        }
    }
    if out.timeout.is_zero() {
        out.timeout = std::time::Duration::from_millis(1);
    }
    for (key, list, into) in [
        ("external_include", &raw.external_include, &mut out.include),
        ("external_exclude", &raw.external_exclude, &mut out.exclude),
    ] {
        for p in list {
            if let Err(e) = regex::RegexBuilder::new(p.get_ref())
                .size_limit(1 << 20)
                .build()
            {
                let first = e.to_string();
                let first = first.lines().last().unwrap_or("").trim().to_string();
                return Err(error(
                    at(p.span()),
                    format!(
                        "[check] {key} `{}` is not a regular expression: {first}",
                        p.get_ref()
                    ),
                    "write a regular expression (Rust regex syntax) matched anywhere in the URL, such as \"^https://grafana\\\\.example\\\\.com/\"",
                ));
            }
            into.push(p.get_ref().clone());
        }
    }
    for (host, value) in &raw.external_headers {
        let here = at(value.span());
        let wrong = |what: String| {
            error(
                here,
                format!("[check.external_headers] \"{host}\": {what}"),
                "give the name of the environment variable holding the token (\"GRAFANA_TOKEN\", sent as `Authorization: Bearer …`), or a table of header names to variable names ({ \"X-Api-Key\" = \"GRAFANA_KEY\" }); never the token itself",
            )
        };
        let pairs: Vec<(Option<&str>, &toml::Value)> = match value.get_ref() {
            toml::Value::Table(t) => t.iter().map(|(h, v)| (Some(h.as_str()), v)).collect(),
            v => vec![(None, v)],
        };
        for (header, var) in pairs {
            let Some(name) = var.as_str().filter(|n| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            }) else {
                return Err(wrong(format!(
                    "{var} does not name an environment variable"
                )));
            };
            if let Some(h) = header
                && http::HeaderName::from_bytes(h.as_bytes()).is_err()
            {
                return Err(wrong(format!("`{h}` is not a header name")));
            }
            out.headers.push(HostHeader {
                host: host.to_ascii_lowercase(),
                header: header.map(|h| h.to_ascii_lowercase()),
                var: name.to_string(),
            });
        }
    }
    Ok(out)
}

/// `500ms`, `10s`, `5m`, `12h`, `1d`, `1w`.
fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let s = s.trim();
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..digits].parse().ok()?;
    let ms: u64 = match s[digits..].trim() {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return None,
    };
    n.checked_mul(ms).map(std::time::Duration::from_millis)
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..digits].parse().ok()?;
    let mult = match s[digits..].trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "KB" | "KIB" | "K" => 1024,
        "MB" | "MIB" | "M" => 1024 * 1024,
        "GB" | "GIB" | "G" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// Findings about the configuration name the file it was read from.
trait WithFile {
    fn with_file(self, name: &str) -> Self;
}

impl WithFile for Fatal {
    fn with_file(mut self, name: &str) -> Self {
        for d in self.iter_mut().filter(|d| d.file == CONFIG_FILE) {
            d.file = name.to_string();
            d.message = d.message.replace(CONFIG_FILE, name);
            if let Some(h) = &mut d.hint {
                *h = h.replace(CONFIG_FILE, name);
            }
        }
        self
    }
}

impl WithFile for Config {
    fn with_file(mut self, name: &str) -> Self {
        self.file = name.to_string();
        self
    }
}

fn config_error(pos: Pos, message: &str, hint: &str) -> Fatal {
    vec![Diagnostic::new(Code::InvalidConfig, CONFIG_FILE, pos, message).with_hint(hint)]
}

/// The site-relative form of a path under the site root, `/`-separated, for findings.
pub fn site_rel(config: &Config, path: &Path) -> String {
    crate::content::slash(path.strip_prefix(&config.root).unwrap_or(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_are_judged_by_where_they_finally_lead() {
        use std::os::unix::fs::symlink;
        let site = tempfile::tempdir().unwrap();
        let away = tempfile::tempdir().unwrap();
        let (root, out) = (site.path(), away.path());
        std::fs::create_dir(root.join("shared")).unwrap();
        std::fs::write(root.join("shared/in.md"), "x").unwrap();
        std::fs::write(out.join("out.md"), "x").unwrap();
        symlink(root.join("shared/in.md"), root.join("in.md")).unwrap();
        symlink(out.join("out.md"), root.join("out.md")).unwrap();
        // Out of the site and back in: the target is inside.
        symlink(root.join("shared"), out.join("back")).unwrap();
        symlink(out.join("back/in.md"), root.join("round.md")).unwrap();
        symlink("missing.md", root.join("dangling.md")).unwrap();
        assert!(!leads_outside(root, &root.join("in.md")));
        assert!(!leads_outside(root, &root.join("round.md")));
        assert!(!leads_outside(root, &root.join("dangling.md")));
        assert!(!leads_outside(root, &root.join("shared/in.md")));
        assert!(leads_outside(root, &root.join("out.md")));
        let f = outside_link(root, &root.join("out.md")).unwrap();
        assert_eq!(
            (f.code, f.file.as_str(), f.line),
            (Code::SymlinkOutside, "out.md", 1)
        );
        assert!(outside_link(root, &root.join("in.md")).is_none());
    }

    /// The configuration, or its one fatal finding.
    fn cfg(text: &str) -> Result<Config, Diagnostic> {
        parse(Path::new("/site"), text).map_err(|mut f| {
            assert_eq!(f.len(), 1, "{f:?}");
            f.remove(0)
        })
    }

    #[test]
    fn external_headers_by_token_or_by_name() {
        let c = cfg(
            "[check.external_headers]\n\"Grafana.example.com\" = \"GRAFANA_TOKEN\"\n\"k.example.org\" = { \"X-Api-Key\" = \"K_KEY\", \"X-Tenant\" = \"K_TENANT\" }\n",
        )
        .unwrap();
        let h = |host: &str, header: Option<&str>, var: &str| HostHeader {
            host: host.into(),
            header: header.map(String::from),
            var: var.into(),
        };
        assert_eq!(
            c.external.headers,
            [
                h("grafana.example.com", None, "GRAFANA_TOKEN"),
                h("k.example.org", Some("x-api-key"), "K_KEY"),
                h("k.example.org", Some("x-tenant"), "K_TENANT"),
            ]
        );
        for (bad, says) in [
            (
                "\"h\" = \"not a name\"",
                "does not name an environment variable",
            ),
            ("\"h\" = { \"X Key\" = \"V\" }", "is not a header name"),
            (
                "\"h\" = { \"X-Key\" = 3 }",
                "does not name an environment variable",
            ),
            ("\"h\" = 3", "does not name an environment variable"),
        ] {
            let e = cfg(&format!("[check.external_headers]\n{bad}\n")).unwrap_err();
            assert!(e.message.contains(says), "{bad}: {}", e.message);
            assert_eq!(e.line, 2, "{bad}");
        }
    }

    #[test]
    fn defaults() {
        let c = cfg("").unwrap();
        assert_eq!(c.content_dir, Path::new("/site/content"));
        assert_eq!(c.output_dir, Path::new("/site/public"));
        assert_eq!(c.freshness.runbook, Period::Days(90));
        assert_eq!(c.policy.fail_on, DEFAULT_FAIL_ON);
        assert_eq!(c.book.base_url, "/");
    }

    #[test]
    fn reads_format_md_example() {
        let c = cfg("[book]\ntitle = \"Acme\"\nbase_url = \"/docs\"\n[build]\ntoday = \"2026-11-27\"\n\
                     [freshness]\nrunbook = \"30d\"\nwarn_before = \"1w\"\n[check]\nfail_on = [\"stale\"]\n")
            .unwrap();
        assert_eq!(c.book.base_url, "/docs/");
        assert_eq!(c.today.unwrap().to_string(), "2026-11-27");
        assert_eq!(c.freshness.runbook, Period::Days(30));
        assert_eq!(c.policy.fail_on, [Code::Stale]);
    }

    #[test]
    fn errors_are_positioned() {
        let e = cfg("[build]\ncontent = \"../elsewhere\"\n").unwrap_err();
        assert_eq!((e.code, e.line, e.column), (Code::InvalidConfig, 2, 11));
        assert!(e.message.contains("outside"), "{}", e.message);
        let e = cfg("[build]\noutput = \"/tmp/x\"\n").unwrap_err();
        assert!(e.message.contains("absolute"));
        let e = cfg("[build]\noutput = \".\"\n").unwrap_err();
        assert!(e.message.contains("overwrite"));
        let e = cfg("[check]\nfail_on = [\"stale\", \"stael\"]\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 21));
        let e = cfg("[freshness]\nrunbook = \"ninety\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = cfg("[build]\ntoday = \"2026-02-30\"\n").unwrap_err();
        assert!(e.message.contains("calendar"), "{}", e.message);
        let e = cfg("[check]\nfail-on = []\n").unwrap_err();
        assert!(e.message.contains("unknown field"), "{}", e.message);
        let e = cfg("[book\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn learning_paths() {
        let c = cfg("[[paths]]\nid = \"sre\"\ntitle = \"SRE onboarding\"\nrole = \"SRE\"\ncourses = [\"oncall-101\", \"db\"]\n\n[[paths]]\nid = \"db\"\ntitle = \"DB\"\ndescription = \"D\"\ncourses = [\"db\"]\n").unwrap();
        assert_eq!(c.paths.len(), 2);
        assert_eq!(c.paths[0].role.as_deref(), Some("SRE"));
        let (slug, pos, line) = &c.paths[0].courses[1];
        assert_eq!((slug.as_str(), pos.line, pos.column), ("db", 5, 26));
        assert_eq!(line, "courses = [\"oncall-101\", \"db\"]");
        for (text, why, at) in [
            (
                "[[paths]]\nid = \"a b\"\ntitle = \"T\"\ncourses = [\"x\"]\n",
                "not a valid id",
                (2, 6),
            ),
            (
                "[[paths]]\nid = \"a\"\ntitle = \"T\"\ncourses = []\n",
                "lists no courses",
                (4, 11),
            ),
            (
                "[[paths]]\nid = \"a\"\ntitle = \"T\"\ncourses = [\"x\"]\n[[paths]]\nid = \"a\"\ntitle = \"U\"\ncourses = [\"x\"]\n",
                "used twice",
                (6, 6),
            ),
            (
                "[[paths]]\nid = \"a\"\ncourses = [\"x\"]\n",
                "missing field `title`",
                (1, 1),
            ),
            (
                "[[paths]]\nid = \"a\"\ntitle = \"T\"\ncourse = [\"x\"]\n",
                "unknown field `course`",
                (4, 1),
            ),
        ] {
            let e = cfg(text).unwrap_err();
            assert!(e.message.contains(why), "{}", e.message);
            assert_eq!((e.line, e.column), at, "{text}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16MB"), Some(16 << 20));
        assert_eq!(parse_size("512 KiB"), Some(512 << 10));
        assert_eq!(parse_size("lots"), None);
    }
}
