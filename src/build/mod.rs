//! `fieldbook build`: the checked handbook rendered to a static site. Pages render in
//! parallel straight to a staging directory that replaces the output only when all is written.

pub mod alerts;
pub mod cache;
pub mod chart;
pub mod collisions;
pub mod context;
pub mod families;
mod footprint;
pub mod incidents;
pub mod invalidate;
pub mod learning;
mod links;
pub mod output;
pub mod pack;
pub mod part;
pub mod sink;
pub mod theme;
pub mod update;

use crate::content::front_matter::Kind;
use crate::content::urls::{output_file, root_of, slug};
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::model::{Document, ReviewState, Site};
use crate::render::{RenderOptions, render_markdown, render_markdown_noted};
use context::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use sink::{DirSink, Fatal, MemorySink, Sink};

pub struct BuildOptions {
    /// Overrides `[build] output`.
    pub output: Option<PathBuf>,
    /// Include `draft: true` documents.
    pub drafts: bool,
    /// Report progress on standard error (a terminal is watching).
    pub progress: bool,
    /// Also write every document's search record as JSON lines here.
    pub search_export: Option<PathBuf>,
    /// The record format of `search_export`.
    pub search_export_format: crate::search::export::ExportFormat,
    /// Build a relocatable part (`build --part NAME`): the site under `NAME/` of the output
    /// and `part.json` beside it.
    pub part: Option<part::PartOptions>,
    /// Where the output a build replaces is kept for the next update to start from (in the
    /// build cache's directory, [`cache::Session::spare`]); `None` removes it.
    pub spare: Option<PathBuf>,
    /// The cache of documents' search analyses ([`crate::search::analysed::Analyses`]),
    /// read and written when given.
    pub terms_cache: Option<PathBuf>,
}

impl BuildOptions {
    /// A site rendered into memory, as `serve` and the checks that need the page list do.
    pub fn in_memory(drafts: bool) -> BuildOptions {
        BuildOptions {
            output: None,
            drafts,
            progress: false,
            search_export: None,
            search_export_format: Default::default(),
            part: None,
            spare: None,
            terms_cache: None,
        }
    }
}

#[derive(Debug)]
pub struct Built {
    pub pages: usize,
    pub files: usize,
    pub output: PathBuf,
    /// The terminal search index's update, or why it could not be updated (the site is
    /// still built: the browser's index is written either way).
    pub search: Result<crate::search::IndexStats, String>,
    /// What the next build needs to update this output ([`build_recorded`]).
    pub state: Option<cache::SiteState>,
    /// The output was updated in place ([`update`]), not built whole.
    pub updated: Option<update::Updated>,
}

/// Render `site` into its output directory. `Err` holds fatal diagnostics (template errors,
/// an unsafe or unwritable output directory); the previous output is then left as it was.
pub fn build(site: &Site, opts: &BuildOptions) -> Result<Built, Fatal> {
    build_recorded(site, opts, None, false)
}

/// [`build`] for the build cache: with a `plan`, the output the recorded build left is
/// updated in place when the plan fits the site ([`update`]), else built whole; with
/// `record`, [`Built::state`] says what the next build needs to update it.
pub fn build_recorded(
    site: &Site,
    opts: &BuildOptions,
    plan: Option<&cache::Plan>,
    record: bool,
) -> Result<Built, Fatal> {
    let out_err = sink::output_error;
    let target = opts
        .output
        .clone()
        .unwrap_or_else(|| site.config.output_dir.clone());
    let target = output::check_target(&target, &site.config.root, &site.config.content_dir)
        .map_err(|m| {
            vec![
                Diagnostic::new(Code::OutputError, "book.toml", Pos::START, m)
                    .with_hint("choose an output directory of its own, such as public/"),
            ]
        })?;
    if let Some(export) = &opts.search_export
        && export_inside(export, &target)
    {
        return Err(vec![
            Diagnostic::new(
                Code::OutputError,
                "book.toml",
                Pos::START,
                format!(
                    "the search export {} is inside the output directory {}, which every build replaces",
                    export.display(),
                    target.display()
                ),
            )
            .with_hint("write the export beside the output directory, such as search-records.json"),
        ]);
    }
    if let Some(m) = opts
        .part
        .as_ref()
        .and_then(|p| crate::parts::invalid_name(&p.name))
    {
        return Err(vec![crate::parts::name_error(m)]);
    }
    let theme = theme::Theme::load(&site.config)?;
    if let Some(plan) = plan.filter(|_| opts.part.is_none() && opts.search_export.is_none())
        && let Some(up) = update::update(site, opts, &theme, &target, plan)?
    {
        return Ok(Built {
            pages: up.pages,
            files: up.files,
            output: target,
            search: up.search,
            state: Some(up.state),
            updated: Some(up.updated),
        });
    }
    let staging = output::Staging::begin(&target)
        .map_err(|e| out_err(format!("cannot prepare {}: {e}", target.display())))?;
    // Files equal to the previous build's are linked from it (they keep their time).
    let previous = target.join(output::MARKER).is_file().then_some(&target);
    let sink_at = |dir: PathBuf, prev: Option<PathBuf>| match prev {
        Some(prev) => DirSink::reusing(dir, prev),
        None => DirSink::new(dir),
    };
    if previous.is_some()
        && let Err(e) = sink_at(staging.dir.clone(), previous.cloned())
            .put(output::MARKER, output::MARKER_TEXT.as_bytes().to_vec())
    {
        staging.abandon();
        return Err(e);
    }
    let sink = match &opts.part {
        Some(p) => sink_at(staging.dir.join(&p.name), previous.map(|t| t.join(&p.name))),
        None => sink_at(staging.dir.clone(), previous.cloned()),
    };
    // The git history was read once, by the pipeline, with the checks.
    let builder = Builder::new(site, &theme, opts, &sink, &site.history);
    let result = builder.run_all().and_then(|(pages, files, index)| {
        let docs = crate::search::documents(site, opts.drafts);
        let (search, search_files) = search_indexes(site, opts, &docs, &sink)?;
        if let Some(p) = &opts.part {
            let manifest = part::manifest(site, &p.name, &p.findings, &docs);
            DirSink::new(&staging.dir).put(crate::parts::MANIFEST, manifest.to_json())?;
        }
        let files = files + search_files.len();
        let state = (record && opts.part.is_none())
            .then(|| builder.record(index, search_files, builder.history_digests()));
        Ok((pages, files, search, state))
    });
    match result {
        Ok((pages, files, search, state)) => {
            staging.commit_keeping(opts.spare.as_deref()).map_err(|e| {
                out_err(format!(
                    "cannot move the new site into {}: {e}",
                    target.display()
                ))
            })?;
            Ok(Built {
                pages,
                files,
                output: target,
                search,
                state,
                updated: None,
            })
        }
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

/// Whether `export` would be written inside the output directory `target` (through links
/// too), where the swap of the new site would move or lose it.
fn export_inside(export: &std::path::Path, target: &std::path::Path) -> bool {
    let real = |p: &std::path::Path| {
        // The file may not exist yet: resolve its folder.
        let (dir, name) = (p.parent().unwrap_or(p), p.file_name());
        let dir = if dir.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            dir
        };
        let dir = dir
            .canonicalize()
            .unwrap_or_else(|_| std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()));
        name.map_or(dir.clone(), |n| dir.join(n))
    };
    let target = target
        .canonicalize()
        .unwrap_or_else(|_| std::path::absolute(target).unwrap_or_else(|_| target.to_path_buf()));
    real(export).starts_with(target)
}

/// The same analysed documents feed the terminal's tantivy index (kept in the site's
/// `.fieldbook/`, updated incrementally) and the browser's client index (in the output,
/// whose files are returned).
fn search_indexes(
    site: &Site,
    opts: &BuildOptions,
    docs: &[crate::search::SearchDoc],
    sink: &dyn Sink,
) -> Result<(Result<crate::search::IndexStats, String>, Vec<String>), Fatal> {
    let io = |what: &str, e: std::io::Error| {
        vec![Diagnostic::new(
            Code::OutputError,
            "book.toml",
            Pos::START,
            format!("cannot write {what}: {e}"),
        )]
    };
    use crate::search::analysed::Analyses;
    crate::diagnostic::trace::step("search: documents made");
    let mut analyses = opts
        .terms_cache
        .as_deref()
        .map_or_else(Analyses::default, Analyses::load);
    let files = crate::search::client::client_index_files_with(docs, &mut analyses)
        .map_err(|e| io("the search index", e))?;
    if let Some(path) = &opts.terms_cache {
        // Only a cache: a build that cannot keep it is as right, and the next one slower.
        let _ = analyses.save(path);
    }
    crate::diagnostic::trace::step("search: analyses saved");
    let mut names = Vec::with_capacity(files.len());
    for (rel, bytes) in files {
        sink.put(&rel, bytes)?;
        names.push(rel);
    }
    crate::diagnostic::trace::step("search: client index written");
    if let Some(path) = &opts.search_export {
        crate::search::export::write(path, opts.search_export_format, site, docs)
            .map_err(|e| io(&path.display().to_string(), e))?;
    }
    let stats = crate::search::update_index(&site.config.root, docs).map_err(|e| format!("{e:#}"));
    crate::diagnostic::trace::step("search: terminal index updated");
    Ok((stats, names))
}

/// The URLs of every index page of `site` (home `""`, `runbooks/`, `tags/x/`, alert pages,
/// `404.html`, `sitemap.xml`, ...) as a build (with drafts or not) writes them, rendering
/// none: what `check` needs (alert rules' `runbook_url`s, output collisions).
pub fn index_urls(site: &Site, drafts: bool) -> Vec<String> {
    let opts = BuildOptions::in_memory(drafts);
    let theme = theme::Theme::empty();
    let sink = MemorySink::new();
    let history = crate::model::history::History::default();
    Builder::new(site, &theme, &opts, &sink, &history)
        .index_pages(&|_| false)
        .map(|p| p.urls)
        .unwrap_or_default()
}

/// One index page to render, for [`Builder::index_pages`].
type Job<'j> = Box<dyn Fn() -> Result<(), Fatal> + Send + Sync + 'j>;

/// What [`Builder::index_pages`] did.
pub struct IndexPages {
    /// Pages rendered (the sitemap is not a page).
    pub rendered: usize,
    /// The URLs of every index page of the site (home `""`, `runbooks/`, `tags/x/`, ...,
    /// `404.html`, `sitemap.xml`), rendered or not.
    pub urls: Vec<String>,
}

/// A document's broken-block notes: (code block index, why), shared.
type CodeNotes = std::sync::Arc<Vec<(usize, String)>>;

/// Renders a site's pages into a [`Sink`]: all of them ([`Builder::run`]), or chosen ones
/// (what `fieldbook serve` re-renders after an edit).
pub struct Builder<'a> {
    site: &'a Site,
    theme: &'a theme::Theme,
    sink: &'a dyn Sink,
    docs: Vec<&'a Document>,
    site_ctx: SiteCtx<'a>,
    /// Computed when first needed (or given by [`Builder::with_nav`]).
    nav: std::sync::OnceLock<Vec<NavItem>>,
    history: &'a crate::model::history::History,
    /// Per commit, how many documents it moved the review date of and nothing else.
    stamp_counts: std::sync::OnceLock<std::collections::HashMap<usize, usize>>,
    /// Courses, lessons in order, quizzes and case studies: computed when first needed.
    catalog: std::sync::OnceLock<crate::model::courses::Catalog<'a>>,
    /// The site's open action items, each naming its postmortem: every team page picks its
    /// own from them (worked out per team, they were 5% of a 10k build).
    open_actions: std::sync::OnceLock<Vec<ActionCtx>>,
    progress: Option<AtomicUsize>,
    render_opts: RenderOptions,
    /// A part build (`--part`): links into other parts point where `compose` puts them.
    in_part: bool,
    /// Drafts are built (`--drafts`).
    drafts: bool,
    /// Each document's broken-block notes once worked out (its page and the freshness report
    /// both need them; parsing every block twice would double the cost).
    code_notes: std::sync::Mutex<HashMap<String, CodeNotes>>,
}

impl<'a> Builder<'a> {
    pub fn new(
        site: &'a Site,
        theme: &'a theme::Theme,
        opts: &BuildOptions,
        sink: &'a dyn Sink,
        history: &'a crate::model::history::History,
    ) -> Self {
        let docs: Vec<&Document> = site
            .documents
            .iter()
            .filter(|d| d.is_listed(opts.drafts))
            .collect();
        Builder {
            site,
            theme,
            sink,
            site_ctx: SiteCtx {
                title: &site.config.book.title,
                description: &site.config.book.description,
                language: &site.config.book.language,
                base_url: &site.config.book.base_url,
                today: site.today,
                version: env!("CARGO_PKG_VERSION"),
                escalation: site.config.book.escalation.as_deref(),
            },
            nav: std::sync::OnceLock::new(),
            open_actions: std::sync::OnceLock::new(),
            history,
            stamp_counts: std::sync::OnceLock::new(),
            catalog: std::sync::OnceLock::new(),
            progress: opts.progress.then(|| AtomicUsize::new(0)),
            render_opts: RenderOptions {
                raw_html: site.config.raw_html,
            },
            in_part: opts.part.is_some(),
            drafts: opts.drafts,
            code_notes: Default::default(),
            docs,
        }
    }

    /// Render every page, the theme's static files and the content's assets. Returns the
    /// number of pages and of files.
    pub fn run(&self) -> Result<(usize, usize), Fatal> {
        self.run_all().map(|(pages, files, _)| (pages, files))
    }

    /// [`Builder::run`], also returning every index page URL.
    pub fn run_all(&self) -> Result<(usize, usize, Vec<String>), Fatal> {
        // One page per output path: two documents of one path are an `output-collision`
        // (which fails the build); the first by file name has the page, whatever the timing.
        let mut pages: Vec<&Document> = self.docs.clone();
        pages.sort_by(|a, b| (&a.file, &a.rel).cmp(&(&b.file, &b.rel)));
        let mut seen = std::collections::HashSet::new();
        pages.retain(|d| {
            let url = d.url();
            !url.is_empty() && seen.insert(output_file(&url))
        });
        let pages: Vec<usize> = pages
            .par_iter()
            .map(|d| self.doc_page(d).map(|_| self.tick()))
            .collect::<Result<_, _>>()?;
        let mut count = pages.len();
        let index = self.index_pages(&|_| true)?;
        count += index.rendered;
        self.write_static()?;
        let assets = self.copy_assets()?;
        if let Some(p) = &self.progress {
            let _ = p; // the summary line replaces the progress line
            eprint!("\r\x1b[2K");
        }
        Ok((count, count + assets, index.urls))
    }

    fn tick(&self) -> usize {
        if let Some(p) = &self.progress {
            let n = p.fetch_add(1, Ordering::Relaxed) + 1;
            if n % 250 == 0 {
                eprint!("\rbuild: {n}/{} pages", self.docs.len());
            }
        }
        1
    }

    fn write(&self, url: &str, bytes: Vec<u8>) -> Result<(), Fatal> {
        self.sink.put(&output_file(url), bytes)
    }

    /// The navigation every page shows (with counts that change with the documents).
    pub fn nav(&self) -> &[NavItem] {
        self.nav.get_or_init(|| nav_for(self.site, &self.docs))
    }

    /// Use `nav` rather than counting again (the caller knows the counts did not change).
    pub fn with_nav(self, nav: Vec<NavItem>) -> Self {
        let _ = self.nav.set(nav);
        self
    }

    fn page(&self, kind: &'static str, title: &str, url: &str, description: &str) -> PageCtx {
        PageCtx::at(
            &self.site.config.book.base_url,
            kind,
            title,
            url,
            description,
        )
    }

    /// Fill `template` with the common variables and one page-specific object, and write the
    /// page. ("Render" is Markdown to HTML, in [`crate::render`].)
    fn apply_template(
        &self,
        template: &str,
        page: &PageCtx,
        key: &'static str,
        value: &impl serde::Serialize,
    ) -> Result<(), Fatal> {
        let common = (&self.site_ctx, page, self.nav());
        let html = self.theme.render_page(template, common, key, value)?;
        self.write(&page.url, html.into_bytes())
    }

    /// [`crate::checks::code::page_notes`] of `doc`, worked out once per build.
    fn code_notes(&self, doc: &Document) -> CodeNotes {
        let known = self
            .code_notes
            .lock()
            .ok()
            .and_then(|m| m.get(&doc.file).cloned());
        known.unwrap_or_else(|| {
            let notes = std::sync::Arc::new(crate::checks::code::page_notes(doc));
            if let Ok(mut m) = self.code_notes.lock() {
                m.insert(doc.file.clone(), notes.clone());
            }
            notes
        })
    }

    /// What `doc`'s page shows of the git history.
    pub fn page_history(&self, doc: &Document) -> PageHistory {
        PageHistory {
            last_change: self
                .history
                .changes
                .get(&doc.rel)
                .map(|c| LastChange {
                    date: c.date.clone(),
                    commit: c.commit.clone(),
                    by: None,
                })
                .or_else(|| front_matter_change(doc)),
            history_note: self.history.shallow.then_some(
                "this copy of the repository is a shallow clone, so dates of last change may be too recent",
            ),
            review_notes: crate::checks::history::page_notes(
                self.site,
                self.history,
                self.stamp_counts
                    .get_or_init(|| crate::checks::history::stamp_counts(self.history)),
                doc,
            ),
        }
    }

    /// Render one document's page (none for `index.md`, whose text opens the home page).
    pub fn doc_page(&self, doc: &Document) -> Result<(), Fatal> {
        let url = doc.url();
        let root = root_of(&url);
        let links = links::DocLinks {
            site: self.site,
            doc,
            root: root.clone(),
            in_part: self.in_part,
        };
        let notes = self.code_notes(doc);
        let mut rendered = render_markdown_noted(doc.markdown(), &links, &self.render_opts, &notes);
        if let Some(id) =
            drop_title_heading(&mut rendered.html, &doc.title, doc.outline.headings.first())
        {
            rendered.toc.retain(|t| t.id != id);
        }
        let card = Card::full(self.site, doc);
        let description = doc.meta.description.clone().unwrap_or_default();
        let page = self.page(doc.kind.as_str(), &doc.title, &url, &description);
        let ctx = DocCtx {
            card,
            html: rendered.html,
            toc: rendered
                .toc
                .iter()
                .filter(|_| !doc.meta.adopted.hide_toc)
                .map(|t| TocEntry {
                    level: t.level,
                    id: &t.id,
                    text: &t.text,
                })
                .collect(),
            edit_url: self
                .site
                .config
                .edit_url
                .as_ref()
                .map(|t| t.replace("{path}", &doc.file)),
            history: self.page_history(doc),
            review_turns: self.site.review_turns(doc),
            extra: &doc.meta.extra,
            owners_note: doc
                .owners_source
                .is_external()
                .then(|| doc.owners_source.for_readers().map(str::to_string))
                .flatten(),
            postmortem: (doc.kind == Kind::Postmortem).then(|| PostmortemCtx::new(self.site, doc)),
            course: (doc.kind == Kind::Course).then(|| self.course_ctx(doc)),
            lesson: if doc.kind == Kind::Lesson {
                self.lesson_ctx(doc)
            } else {
                None
            },
            taught_in: self.taught_in(doc),
        };
        self.apply_template(&format!("{}.html", doc.kind.as_str()), &page, "doc", &ctx)?;
        for (alias, html) in crate::adopt::redirects::pages(self.site, doc, &url) {
            self.write(&alias, html.into_bytes())?;
        }
        Ok(())
    }

    fn cards(&self, filter: impl Fn(&Document) -> bool) -> Vec<Card> {
        let mut docs: Vec<&Document> = self.docs.iter().copied().filter(|d| filter(d)).collect();
        docs.sort_by_key(|d| crate::model::weight(d));
        docs.into_iter().map(|d| Card::new(self.site, d)).collect()
    }

    /// Home, indexes, teams, freshness, search, 404 and the sitemap: those whose URL `want`
    /// accepts are rendered, in parallel (`sitemap.xml` and `404.html` are URLs too). Returns
    /// how many were rendered and every index page URL the site has.
    pub fn index_pages(&self, want: &(dyn Fn(&str) -> bool + Sync)) -> Result<IndexPages, Fatal> {
        let lists = families::Lists::new(&self.docs);
        let mut jobs: families::Jobs = Vec::new();
        for family in families::FAMILIES {
            family.pages(self, &lists, &mut jobs);
        }

        let results: Vec<Result<usize, Fatal>> = jobs
            .par_iter()
            .map(|(url, job)| if want(url) { job().map(|_| 1) } else { Ok(0) })
            .collect();
        let mut rendered = 0;
        for r in results {
            rendered += r?;
        }

        let mut urls: Vec<String> = self
            .docs
            .iter()
            .map(|d| d.url())
            .filter(|u| !u.is_empty())
            .collect();
        urls.extend(
            jobs.iter()
                .map(|(u, _)| u.clone())
                .filter(|u| u != "404.html" && alerts::in_sitemap(u)),
        );
        if want("sitemap.xml") {
            self.write(
                "sitemap.xml",
                sitemap(&self.site.config.book.base_url, &urls).into_bytes(),
            )?;
        }
        let mut index_urls: Vec<String> = jobs.into_iter().map(|(u, _)| u).collect();
        index_urls.push("sitemap.xml".into());
        Ok(IndexPages {
            rendered,
            urls: index_urls,
        })
    }

    fn home(&self, all: &[Card]) -> Result<(), Fatal> {
        let intro_html = self
            .site
            .home_doc()
            .filter(|d| d.is_listed(false))
            .map(|d| {
                let links = links::DocLinks {
                    site: self.site,
                    doc: d,
                    root: String::new(),
                    in_part: self.in_part,
                };
                let mut html = render_markdown(d.markdown(), &links, &self.render_opts).html;
                // The page's header already shows the handbook's title.
                drop_title_heading(
                    &mut html,
                    &self.site.config.book.title,
                    d.outline.headings.first(),
                );
                html
            });
        let book = &self.site.config.book;
        families::home_page(
            self,
            (&book.title, &book.description),
            intro_html,
            all,
            self.course_cards(),
            None,
        )
    }

    /// Documents a team owns itself (not lessons inheriting it from their course).
    fn team_cards(&self, id: &str) -> Vec<Card> {
        self.cards(|d| d.owners.iter().any(|o| o == id) && !d.owners_inherited)
    }

    fn team_page(
        &self,
        url: &str,
        id: &str,
        team: &crate::model::owners::Team,
    ) -> Result<(), Fatal> {
        let owned = self.team_cards(id);
        let needs_review: Vec<Card> = owned.iter().filter(|c| c.flagged()).cloned().collect();
        // Items the team owns, and those its members own as people.
        let open = self.open_actions.get_or_init(|| {
            incidents::all_actions(self.site, &self.docs)
                .into_iter()
                .filter(|a| a.status == crate::content::front_matter::ActionStatus::Open)
                .collect()
        });
        let mut actions: Vec<ActionCtx> = open
            .iter()
            .filter(|a| a.teams.iter().any(|t| t.id == *id))
            .cloned()
            .collect();
        incidents::sort_actions(&mut actions);
        let ctx = TeamCtx {
            owner: OwnerRef::new(self.site, id),
            members: team
                .members
                .iter()
                .map(|m| OwnerRef::new(self.site, m))
                .collect(),
            disbanded: team.disbanded,
            owned,
            needs_review,
            actions,
        };
        families::team_page(self, url, &ctx)
    }

    fn teams_index(&self) -> Result<(), Fatal> {
        let team_groups = self
            .site
            .owners
            .teams
            .keys()
            .map(|id| Group {
                title: self.site.owners.display_name(id).to_string(),
                url: Some(format!("teams/{}/", slug(id))),
                cards: self.team_cards(id),
            })
            .collect();
        families::teams_index(self, team_groups)
    }

    fn course_cards(&self) -> Vec<CourseCard> {
        self.docs
            .iter()
            .filter(|d| d.kind == Kind::Course)
            .map(|d| {
                let c = self.course_ctx(d);
                CourseCard {
                    card: Card::new(self.site, d),
                    lessons: c.lessons.len(),
                    total_minutes: c.total_minutes,
                }
            })
            .collect()
    }

    fn freshness(&self, all: &[Card]) -> Result<(), Fatal> {
        // Documents whose commands, queries or snippets no longer parse.
        let broken_files: std::collections::HashSet<&str> = self
            .docs
            .par_iter()
            .filter(|d| !self.code_notes(d).is_empty())
            .map(|d| d.file.as_str())
            .collect();
        families::freshness_page(
            self,
            all,
            self.site.today,
            |c| broken_files.contains(c.file.as_str()),
            Vec::new(),
        )
    }

    /// The theme's static files (and the highlighting style sheet when it has none).
    pub fn write_static(&self) -> Result<(), Fatal> {
        for (path, bytes) in self.theme.static_outputs() {
            self.write(&path, bytes.into_owned())?;
        }
        Ok(())
    }

    /// Copy the content directory's other files (images, attachments) as they are.
    pub fn copy_assets(&self) -> Result<usize, Fatal> {
        self.site
            .assets
            .par_iter()
            .map(|rel| {
                self.sink
                    .copy(rel, &self.site.config.content_dir.join(rel))
                    .map(|_| 1)
            })
            .sum()
    }
}

/// The page header shows the title as its `<h1>`; a body that opens with its own level-1
/// heading (the usual Markdown habit), or with a heading of any level saying the title again
/// (a source tool's page whose only heading is its title), would repeat it. Returns the id
/// of the heading dropped, which the table of contents then leaves out too.
fn drop_title_heading(
    html: &mut String,
    title: &str,
    first: Option<&crate::content::markdown::Heading>,
) -> Option<String> {
    // The body's first heading, as its outline read it (plain text, id), opens the HTML.
    let first = first?;
    let open = format!("<h{}", first.level);
    if !html.starts_with(&open) {
        return None;
    }
    if first.level != 1 && !first.text.trim().eq_ignore_ascii_case(title.trim()) {
        return None;
    }
    let close = format!("</h{}>", first.level);
    let end = html.find(&close)? + close.len();
    let end = if html[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    html.drain(..end);
    Some(first.id.clone())
}

/// The sections of the navigation with their counts.
fn nav_for(site: &Site, docs: &[&Document]) -> Vec<NavItem> {
    let count = |k: Kind| docs.iter().filter(|d| d.kind == k).count();
    let mut items = vec![
        NavItem {
            title: "Runbooks",
            url: "runbooks/",
            count: count(Kind::Runbook),
        },
        NavItem {
            title: "Postmortems",
            url: "postmortems/",
            count: count(Kind::Postmortem),
        },
        NavItem {
            title: "Courses",
            url: "courses/",
            count: count(Kind::Course),
        },
        NavItem {
            title: "Actions",
            url: "actions/",
            // Overdue follow-ups, so the number itself is the warning.
            count: incidents::overdue_count(site, docs),
        },
        NavItem {
            title: "Learning",
            url: "learning/",
            count: site.config.paths.len(),
        },
        NavItem {
            title: "Teams",
            url: "teams/",
            count: site.owners.teams.len(),
        },
        NavItem {
            title: "Services",
            url: "services/",
            count: docs
                .iter()
                .flat_map(|d| &d.meta.services)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
        },
        NavItem {
            title: "Alerts",
            url: "alerts/",
            count: crate::model::alerts::AlertIndex::of(docs).by_name.len(),
        },
        NavItem {
            title: "Freshness",
            url: "freshness/",
            // What needs attention, so the number itself is the warning.
            count: docs
                .iter()
                .filter(|d| {
                    site.effective_review(d).state.needs_review()
                        || matches!(crate::model::ownership_state(site, d), "lapsed" | "partial")
                })
                .count(),
        },
    ];
    // A section the handbook has no use for is left out (Courses on a site without any);
    // Freshness stays, where zero is the good news, and so do the runbooks.
    let postmortems = count(Kind::Postmortem);
    let courses = count(Kind::Course);
    items.retain(|i| match i.url {
        "runbooks/" | "freshness/" => true,
        "actions/" => postmortems > 0,
        "learning/" => courses > 0 || !site.config.paths.is_empty(),
        _ => i.count > 0,
    });
    items
}

/// Cards grouped by their first service ("Other" without one), services sorted.
fn by_service(cards: Vec<Card>) -> Vec<Group> {
    let mut groups: BTreeMap<String, Vec<Card>> = BTreeMap::new();
    for c in cards {
        let key = c
            .services
            .first()
            .cloned()
            .unwrap_or_else(|| "Other".into());
        groups.entry(key).or_default().push(c);
    }
    groups
        .into_iter()
        .map(|(s, cards)| Group {
            url: (s != "Other").then(|| crate::content::urls::service_url(&s)),
            title: s,
            cards,
        })
        .collect()
}

fn kind_title(k: Kind) -> &'static str {
    match k {
        Kind::Runbook => "Runbooks",
        Kind::Postmortem => "Postmortems",
        Kind::Course => "Courses",
        Kind::Lesson => "Lessons",
        Kind::Page => "Pages",
    }
}

/// Most urgent first: no active owner, then stale (longest overdue first), never reviewed,
/// due soon (soonest first).
fn urgency(c: &Card) -> (u8, i64, String) {
    let rank = match (c.ownership, c.review.state) {
        ("lapsed", _) => 0,
        (_, ReviewState::Stale) => 1,
        // A lapsed co-owner: the remaining owners must hand it over or name a successor.
        ("partial", _) => 2,
        (_, ReviewState::NeverReviewed) => 3,
        (_, ReviewState::DueSoon) => 4,
        _ => 5,
    };
    (rank, c.review.days_left.unwrap_or(0), c.url.clone())
}

pub(crate) fn sitemap(base: &str, urls: &[String]) -> String {
    let mut urls: Vec<&String> = urls.iter().collect();
    urls.sort();
    urls.dedup();
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        s.push_str("  <url><loc>");
        s.push_str(&xml_escape(&format!("{base}{u}")));
        s.push_str("</loc></url>\n");
    }
    s.push_str("</urlset>\n");
    s
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
