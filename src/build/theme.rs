//! Themes: the default one embedded in the binary, overridden file by file by a site's
//! `themes/<name>/templates` and `themes/<name>/static`.

use super::context::{Group, ListCtx, NavItem, PageCtx, SiteCtx};
use crate::config::Config;
use crate::config::site_rel;
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos};
use std::collections::BTreeMap;
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));
}

/// The filters Fieldbook gives templates beyond Tera's own. Tag and service pages live at
/// their slug (`services/api-gateway/`), so templates link to `services/{{ name | slug }}/`.
pub fn register_filters(tera: &mut tera::Tera) {
    tera.register_filter("slug", |x: &str, _: tera::Kwargs, _: &tera::State| {
        crate::content::urls::slug(x)
    });
}

pub struct Theme {
    tera: tera::Tera,
    /// Static files by path under `static/`.
    pub static_files: BTreeMap<String, Vec<u8>>,
    /// Each template's origin for error messages (`themes/acme/templates/x.html` for a site's
    /// own, `(built-in) templates/x.html` for the embedded default) and its text.
    sources: BTreeMap<String, (String, String)>,
}

/// A template without the indentation of its lines: HTML renders a newline and the spaces
/// after it as the newline alone, so this changes bytes, not pages. Lines are kept (error
/// positions stay right), and a template with `<pre` or `<textarea`, where spaces show, is
/// left as it is, as is any template that is not `.html`.
fn squeeze<'a>(name: &str, text: &'a str) -> std::borrow::Cow<'a, str> {
    let lower = text.to_ascii_lowercase();
    if !name.ends_with(".html") || lower.contains("<pre") || lower.contains("<textarea") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        out.push_str(line.trim_start_matches([' ', '\t']));
    }
    out.into()
}

type Templates = BTreeMap<String, (String, String)>;

/// A digest of the embedded default theme (each file's path and bytes): an input of every
/// build, which the build cache keys on (a development build's theme changes without the
/// version).
pub fn builtin_digest(hash: crate::write::Hasher) -> String {
    let mut all = Vec::new();
    for (path, bytes) in embedded::FILES {
        all.extend_from_slice(path.as_bytes());
        all.push(0);
        all.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        all.extend_from_slice(bytes);
    }
    format!("{:016x}{:08x}", hash(&all), all.len() as u32)
}

/// The embedded default theme's templates (name → text, origin) and static files.
fn embedded_files() -> (Templates, BTreeMap<String, Vec<u8>>) {
    let mut templates = Templates::new();
    let mut static_files = BTreeMap::new();
    for (path, bytes) in embedded::FILES {
        add_file(
            path,
            bytes.to_vec(),
            format!("(built-in) {path}"),
            &mut templates,
            &mut static_files,
        );
    }
    (templates, static_files)
}

impl Theme {
    /// The embedded default theme with the site's overrides applied.
    pub fn load(config: &Config) -> Result<Theme, Fatal> {
        let (mut templates, mut static_files) = embedded_files();
        let dir = theme_dir(config);
        if dir.is_dir() {
            // Links leading outside the site were reported by `check` (`site_files`).
            let (files, _refused) = site_files(config)?;
            for (rel, path) in files {
                let bytes = crate::config::read_inside(&config.root, &path, config.max_file_bytes)
                    .map_err(crate::config::Unread::into_io)
                    .map_err(|e| vec![io(config, &path, &e.to_string())])?;
                let shown = site_rel(config, &path);
                add_file(&rel, bytes, shown, &mut templates, &mut static_files);
            }
        } else if config.theme != "default" {
            return Err(vec![
                Diagnostic::new(
                    Code::InvalidConfig,
                    &config.file,
                    Pos::START,
                    format!(
                        "theme `{}` not found: no directory themes/{}/",
                        config.theme, config.theme
                    ),
                )
                .with_hint("create the theme folder, or set [build] theme = \"default\""),
            ]);
        }
        Theme::assemble(templates, static_files)
    }

    /// The default theme as embedded, without a site's overrides (what `compose` writes
    /// with).
    pub fn builtin() -> Result<Theme, Fatal> {
        let (templates, static_files) = embedded_files();
        Theme::assemble(templates, static_files)
    }

    fn assemble(
        templates: BTreeMap<String, (String, String)>,
        static_files: BTreeMap<String, Vec<u8>>,
    ) -> Result<Theme, Fatal> {
        let mut tera = tera::Tera::new();
        register_filters(&mut tera);
        // All at once: Tera resolves `extends` and `include` when the set is complete.
        let result = tera.add_raw_templates(
            templates
                .iter()
                .map(|(name, (text, _))| (name.as_str(), squeeze(name, text))),
        );
        let sources: BTreeMap<String, (String, String)> = templates
            .into_iter()
            .map(|(name, (text, shown))| (name, (shown, text)))
            .collect();
        if let Err(e) = result {
            return Err(vec![template_error(&e, &sources)]);
        }
        Ok(Theme {
            tera,
            static_files,
            sources,
        })
    }

    /// The files every site gets under `static/`: the theme's, and the highlighting style
    /// sheet when the theme has none (output path, bytes).
    pub fn static_outputs(&self) -> impl Iterator<Item = (String, std::borrow::Cow<'_, [u8]>)> {
        let highlight = (!self.static_files.contains_key("highlight.css")).then(|| {
            (
                "static/highlight.css".to_string(),
                std::borrow::Cow::Owned(crate::render::highlight_css().into_bytes()),
            )
        });
        self.static_files
            .iter()
            .map(|(name, bytes)| {
                (
                    format!("static/{name}"),
                    std::borrow::Cow::Borrowed(bytes.as_slice()),
                )
            })
            .chain(highlight)
    }

    /// A theme without templates or files, for a [`crate::build::Builder`] that only lists
    /// URLs (what `check` needs to resolve a `runbook_url`).
    pub fn empty() -> Theme {
        Theme {
            tera: tera::Tera::new(),
            static_files: BTreeMap::new(),
            sources: BTreeMap::new(),
        }
    }

    /// A page: `template` filled with what every page gets (`site`, `page`, `nav`) and the
    /// page's own `value` as `key`.
    pub fn render_page(
        &self,
        template: &str,
        common: (&SiteCtx, &PageCtx, &[NavItem]),
        key: &'static str,
        value: &impl serde::Serialize,
    ) -> Result<String, Fatal> {
        let mut ctx = tera::Context::new();
        ctx.insert("site", common.0);
        ctx.insert("page", common.1);
        ctx.insert("nav", common.2);
        ctx.insert(key, value);
        self.render(template, &ctx)
    }

    pub fn render(&self, template: &str, ctx: &tera::Context) -> Result<String, Fatal> {
        self.tera
            .render(template, ctx)
            .map_err(|e| vec![template_error(&e, &self.sources)])
    }
}

fn theme_dir(config: &Config) -> std::path::PathBuf {
    config.root.join("themes").join(&config.theme)
}

/// The site's own theme files (none without a `themes/<name>/` folder): each one's path
/// under the theme folder (`templates/page.html`, `static/app.css`) and on disk, and the
/// `symlink-outside` findings of links that lead out of the site (not read).
#[allow(clippy::type_complexity)]
pub fn site_files(
    config: &Config,
) -> Result<(Vec<(String, std::path::PathBuf)>, Vec<Diagnostic>), Fatal> {
    let dir = theme_dir(config);
    let mut files = Vec::new();
    let mut refused = Vec::new();
    if !dir.is_dir() {
        return Ok((files, refused));
    }
    for entry in crate::load::walk_inside(&config.root, &dir, |_| false, &mut refused) {
        let entry = entry.map_err(|e| vec![io(config, &dir, &e.to_string())])?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = crate::content::slash(entry.path().strip_prefix(&dir).unwrap_or(entry.path()));
        if rel.starts_with("templates/") || rel.starts_with("static/") {
            files.push((rel, entry.into_path()));
        }
    }
    Ok((files, refused))
}

/// The output files of the theme's static files (`static/app.css`): the embedded default's,
/// the site theme's, and the highlighter's style sheet.
pub fn static_outputs(site_files: &[(String, std::path::PathBuf)]) -> Vec<String> {
    let mut out: std::collections::BTreeSet<String> = embedded::FILES
        .iter()
        .map(|(p, _)| *p)
        .chain(site_files.iter().map(|(p, _)| p.as_str()))
        .filter(|p| p.starts_with("static/"))
        .map(str::to_string)
        .collect();
    out.insert("static/highlight.css".into());
    out.into_iter().collect()
}

fn add_file(
    rel: &str,
    bytes: Vec<u8>,
    shown: String,
    templates: &mut BTreeMap<String, (String, String)>,
    statics: &mut BTreeMap<String, Vec<u8>>,
) {
    if let Some(name) = rel.strip_prefix("templates/") {
        templates.insert(
            name.to_string(),
            (String::from_utf8_lossy(&bytes).into_owned(), shown),
        );
    } else if let Some(name) = rel.strip_prefix("static/") {
        statics.insert(name.to_string(), bytes);
    }
}

fn io(config: &Config, p: &Path, e: &str) -> Diagnostic {
    Diagnostic::new(
        Code::IoError,
        site_rel(config, p),
        Pos::START,
        format!("cannot read theme file: {e}"),
    )
}

/// A Tera error as a finding at the template's line and column.
fn template_error(e: &tera::Error, sources: &BTreeMap<String, (String, String)>) -> Diagnostic {
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    let Some(r) = report else {
        return Diagnostic::new(
            Code::TemplateError,
            "(theme)",
            Pos::START,
            format!("template: {e}"),
        )
        .with_hint("check the theme's {% extends %} and {% include %} names");
    };
    let span = r.span();
    let pos = Pos::new(
        span.start_line.max(1) as u32,
        span.start_col as u32 + 1,
        span.range.len().max(1) as u32,
    );
    let d = match sources.get(r.filename()) {
        Some((shown, text)) => Diagnostic::new(
            Code::TemplateError,
            shown,
            pos,
            format!("template: {}", r.message()),
        )
        .with_source(text),
        None => Diagnostic::new(
            Code::TemplateError,
            r.filename(),
            pos,
            format!("template: {}", r.message()),
        ),
    };
    d.with_hint("fix the template; themes/default/CONTEXT.md lists what each page's context holds")
}

/// Where index pages are written: a build's `Builder`, or a composed handbook
/// (`crate::compose`), which feeds the page functions of `build::families` and `build::alerts`
/// cards read from part manifests,
/// so that both write the same pages from the same cards.
pub trait PageWriter: Sync {
    /// The page's common context (`page` in templates).
    fn page(&self, kind: &'static str, title: &str, url: &str, description: &str) -> PageCtx;

    /// Fill `template` with the common variables and `value` as `key`, and write the page.
    fn apply_template(
        &self,
        template: &str,
        page: &PageCtx,
        key: &'static str,
        value: &impl serde::Serialize,
    ) -> Result<(), Fatal>;

    /// A page of grouped cards (`list.html`).
    fn list(
        &self,
        url: &str,
        heading: &str,
        intro: Option<&str>,
        groups: Vec<Group>,
    ) -> Result<(), Fatal> {
        let ctx = ListCtx {
            heading: heading.to_string(),
            intro: intro.map(str::to_string),
            groups,
        };
        let page = self.page("list", heading, url, intro.unwrap_or(""));
        self.apply_template("list.html", &page, "list", &ctx)
    }
}
