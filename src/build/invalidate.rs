//! What an edit invalidates: one pure function, [`invalidate`], from the site before an edit
//! (a [`Before`] captured from it), the site after and the changed paths to the document
//! pages to render again, the index pages to update and the output files to remove.
//! `fieldbook serve` calls it after every edit; a property test (`tests/`) checks it against
//! two full builds.
//!
//! A document's [`Footprint`] is everything other pages show of it; comparing footprints
//! before and after says which other pages must be rendered again: none when the footprint
//! did not change, else the pages that show it — its course's pages and lessons, the case
//! studies a lesson teaches, and the index pages of [`index_urls_of`] (before and after).

pub use super::footprint::{Footprint, footprint};
use crate::content::front_matter::Kind;
use crate::content::links::{LinkTarget, resolve_link};
use crate::content::urls::output_file;
use crate::model::{Document, Site};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// The index pages that can show a document with this footprint: each family of index pages
/// says which of its pages do (`build/families.rs`).
pub fn index_urls_of(site: &Site, fp: &Footprint, out: &mut BTreeSet<String>) {
    if fp.listed {
        super::families::showing(site, fp, out);
    }
}

/// The lessons of course `slug`.
pub fn lessons_of<'s>(site: &'s Site, slug: &'s str) -> impl Iterator<Item = &'s Document> + 's {
    site.documents
        .iter()
        .filter(move |d| d.kind == Kind::Lesson && d.course.as_deref() == Some(slug))
}

/// What [`Before`] needs of one document, recorded by a build for the next one (the build
/// cache): its footprint and its redirect pages.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recorded {
    pub footprint: Footprint,
    pub aliases: Vec<String>,
}

impl Recorded {
    pub fn of(site: &Site, d: &Document, drafts: bool) -> Recorded {
        Recorded {
            footprint: footprint(site, d, drafts),
            aliases: crate::adopt::redirects::outputs(d),
        }
    }
}

/// The document (content path) a change of `path` (absolute: edited, added or removed) is,
/// when it changes no more than that one document: a Markdown file of the content, not a
/// partial, nor an owners or navigation file (those reach every page they shape). `None`
/// for anything else: the configuration, the owners file, the theme, an asset, a rule file.
pub fn edited_document(config: &crate::config::Config, path: &std::path::Path) -> Option<String> {
    let abs = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let path = abs(path);
    let content = abs(&config.content_dir);
    let rel = path.strip_prefix(&content).ok()?;
    let rel_str = crate::content::slash(rel);
    let document = crate::load::is_markdown(&rel_str)
        && !crate::load::is_template(&rel_str)
        && !crate::adopt::is_site_wide(rel)
        && !crate::adopt::watched_files(config)
            .iter()
            .any(|w| abs(w) == path);
    document.then_some(rel_str)
}

/// What [`invalidate`] needs of the site before an edit: how the changed documents (and, for a
/// course, its lessons) looked, and the redirect pages they had.
#[derive(Clone, Debug, Default)]
pub struct Before {
    /// Content path → footprint (`None`: no such document).
    footprints: BTreeMap<String, Option<Footprint>>,
    /// Output files of the redirect pages (Hugo `aliases`) of the changed documents.
    aliases: BTreeSet<String>,
}

impl Before {
    /// Capture `changed` (content paths of Markdown files) as `site` has them now.
    pub fn capture<'c>(
        site: &Site,
        drafts: bool,
        changed: impl IntoIterator<Item = &'c String>,
    ) -> Before {
        Before::gather(
            changed,
            |rel| {
                site.get(rel).map(|d| {
                    (
                        footprint(site, d, drafts),
                        crate::adopt::redirects::outputs(d),
                    )
                })
            },
            |slug| {
                lessons_of(site, slug)
                    .map(|l| (l.rel.clone(), footprint(site, l, drafts)))
                    .collect()
            },
        )
    }

    /// Capture `changed` from what a build recorded of every document of the site before
    /// the edit (the build cache: content path → footprint and redirect pages).
    pub fn recorded<'c>(
        documents: &BTreeMap<String, Recorded>,
        changed: impl IntoIterator<Item = &'c String>,
    ) -> Before {
        Before::gather(
            changed,
            |rel| {
                documents
                    .get(rel)
                    .map(|r| (r.footprint.clone(), r.aliases.clone()))
            },
            |slug| {
                documents
                    .values()
                    .map(|r| &r.footprint)
                    .filter(|f| f.kind == Kind::Lesson && f.course.as_deref() == Some(slug))
                    .map(|f| (f.rel.clone(), f.clone()))
                    .collect()
            },
        )
    }

    /// The changed documents as `doc` gives them (footprint and redirect pages), and for a
    /// course, its lessons as `lessons` gives them.
    fn gather<'c>(
        changed: impl IntoIterator<Item = &'c String>,
        doc: impl Fn(&str) -> Option<(Footprint, Vec<String>)>,
        lessons: impl Fn(&str) -> Vec<(String, Footprint)>,
    ) -> Before {
        let mut before = Before::default();
        for rel in changed {
            if before.footprints.contains_key(rel) {
                continue;
            }
            let Some((fp, aliases)) = doc(rel) else {
                before.footprints.insert(rel.clone(), None);
                continue;
            };
            before.aliases.extend(aliases);
            if fp.kind == Kind::Course
                && let Some(slug) = &fp.course
            {
                for (l, lfp) in lessons(slug) {
                    before.footprints.entry(l).or_insert(Some(lfp));
                }
            }
            before.footprints.insert(rel.clone(), Some(fp));
        }
        before
    }
}

/// What changed between the site before and after an edit.
#[derive(Clone, Debug, Default)]
pub struct Edit {
    /// Documents (content paths) whose version in the site changed: added, replaced or removed.
    pub documents: BTreeSet<String>,
    /// Folders (content paths) that appeared or went: links to a folder resolve to its URL.
    pub dirs: BTreeSet<String>,
}

/// What an edit invalidates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Invalidated {
    /// Documents (content paths) whose pages must be rendered again: the edited ones, their
    /// courses' pages, case studies, pages linking to a document that appeared or went.
    /// Documents that are no longer listed are left to [`Invalidated::removed`].
    pub pages: BTreeSet<String>,
    /// Index page URLs that can show the edited documents, before or after (home `""`,
    /// `runbooks/`, `tags/db/`, `sitemap.xml`, ...).
    pub index: BTreeSet<String>,
    /// Output files no longer written: pages of documents that went or stopped being listed,
    /// redirect pages no document asks for any more.
    pub removed: BTreeSet<String>,
    /// Documents whose search entries change (content paths).
    pub search: BTreeSet<String>,
    /// Some document looks different to other pages: the navigation's counts (on every page)
    /// may have changed. The caller compares them and renders every page when they did.
    pub summaries_changed: bool,
}

/// The pages an edit reaches: `before` captured from the site before the edit (for every path
/// of `edit.documents`), `after` the site with the edit applied. Pure: reads both, changes
/// nothing.
pub fn invalidate(before: &Before, after: &Site, edit: &Edit, drafts: bool) -> Invalidated {
    let fp = |d: &Document| footprint(after, d, drafts);
    let old_of = |rel: &str| before.footprints.get(rel).cloned().flatten();
    let appeared_or_gone: BTreeSet<&String> = edit
        .documents
        .iter()
        .filter(|rel| old_of(rel).is_none() != after.get(rel).is_none())
        .collect();

    // Documents that look different to other pages (their summary changed), and what that
    // reaches: a course's lessons show its owners and review state.
    let mut touched: BTreeSet<String> = edit.documents.clone();
    let mut moved: BTreeSet<String> = BTreeSet::new();
    let mut slugs: BTreeSet<String> = BTreeSet::new();
    let mut course_slugs: BTreeSet<String> = BTreeSet::new();
    let mut now: BTreeMap<String, Option<Footprint>> = BTreeMap::new();
    for rel in &edit.documents {
        let old = old_of(rel);
        let new = after.get(rel).map(fp);
        if old.as_ref().map(|f| &f.summary) != new.as_ref().map(|f| &f.summary) {
            moved.insert(rel.clone());
            let is_course = [&old, &new]
                .iter()
                .any(|f| f.as_ref().is_some_and(|f| f.kind == Kind::Course));
            for s in [&old, &new]
                .into_iter()
                .flatten()
                .filter_map(|f| f.course.clone())
            {
                if is_course {
                    course_slugs.insert(s.clone());
                }
                slugs.insert(s);
            }
        }
        now.insert(rel.clone(), new);
    }
    for slug in &course_slugs {
        for l in lessons_of(after, slug) {
            if now.contains_key(&l.rel) {
                continue;
            }
            let new = Some(fp(l));
            let old = old_of(&l.rel);
            if old.as_ref().map(|f| &f.summary) != new.as_ref().map(|f| &f.summary) {
                moved.insert(l.rel.clone());
            }
            touched.insert(l.rel.clone());
            now.insert(l.rel.clone(), new);
        }
    }
    // Lessons of the course before the edit that are no longer in it.
    for (rel, old) in &before.footprints {
        if now.contains_key(rel) || old.is_none() {
            continue;
        }
        let new = after.get(rel).map(fp);
        if old.as_ref().map(|f| &f.summary) != new.as_ref().map(|f| &f.summary) {
            moved.insert(rel.clone());
            touched.insert(rel.clone());
        }
        now.insert(rel.clone(), new);
    }

    // Pages to render: the documents, the courses they changed, and the pages linking to
    // documents that appeared or went.
    let mut pages: BTreeSet<String> = touched.clone();
    for d in &after.documents {
        let in_course = d
            .course
            .as_ref()
            .is_some_and(|c| slugs.contains(c) && matches!(d.kind, Kind::Course | Kind::Lesson));
        // A course page lists its prerequisites' lesson ids (to tell if they are done).
        let needs_it =
            d.kind == Kind::Course && d.meta.prerequisites.iter().any(|p| slugs.contains(p));
        if in_course || needs_it {
            pages.insert(d.rel.clone());
        }
    }
    // "Taught in" lists on case studies a lesson started or stopped linking to, and the
    // warnings on lessons teaching a case study whose review or ownership changed.
    let mut case_studies_moved: BTreeSet<&String> = BTreeSet::new();
    for rel in &moved {
        let fps = [before.footprints.get(rel), now.get(rel)];
        for f in fps.into_iter().flatten().flatten() {
            pages.extend(f.case_studies.iter().cloned());
            if matches!(f.kind, Kind::Runbook | Kind::Postmortem) {
                case_studies_moved.insert(rel);
            }
        }
    }
    // Their course's title shows there too.
    for d in after.documents.iter().filter(|d| {
        d.kind == Kind::Lesson && d.course.as_ref().is_some_and(|c| course_slugs.contains(c))
    }) {
        pages.extend(crate::model::courses::case_studies(after, d));
    }
    if !case_studies_moved.is_empty() {
        for d in after.documents.iter().filter(|d| d.kind == Kind::Lesson) {
            if crate::model::courses::case_studies(after, d)
                .iter()
                .any(|r| case_studies_moved.contains(r))
            {
                pages.insert(d.rel.clone());
            }
        }
    }
    if !appeared_or_gone.is_empty() || !edit.dirs.is_empty() {
        let linking: Vec<String> = after
            .documents
            .par_iter()
            .filter(|d| {
                d.outline.links.iter().any(|l| {
                    matches!(resolve_link(&d.rel, &l.dest),
                        Some(LinkTarget::Path { rel, .. })
                            if appeared_or_gone.contains(&rel) || edit.dirs.contains(&rel))
                })
            })
            .map(|d| d.rel.clone())
            .collect();
        pages.extend(linking);
    }
    pages.retain(|rel| {
        after
            .get(rel)
            .is_some_and(|d| d.is_listed(drafts) && !d.url().is_empty())
    });

    // Index pages that can show the moved documents, before or after.
    let mut index: BTreeSet<String> = BTreeSet::new();
    if !moved.is_empty() {
        index.insert("sitemap.xml".into());
        for rel in &moved {
            let fps = [before.footprints.get(rel), now.get(rel)];
            for f in fps.into_iter().flatten().flatten() {
                index_urls_of(after, f, &mut index);
            }
        }
    }
    if edit
        .documents
        .iter()
        .any(|r| crate::adopt::page_url(r, after.config.urls).is_empty())
    {
        index.insert(String::new()); // its text opens the home page
    }

    // Pages of documents no longer in the site, and redirect pages nobody asks for.
    let mut removed: BTreeSet<String> = BTreeSet::new();
    for rel in &edit.documents {
        let was = old_of(rel).is_some_and(|f| f.listed);
        let is = after.get(rel).is_some_and(|d| d.is_listed(drafts));
        let url = crate::adopt::page_url(rel, after.config.urls);
        if was && !is && !url.is_empty() {
            removed.insert(output_file(&url));
        }
    }
    if !before.aliases.is_empty() {
        let live: BTreeSet<String> = after
            .documents
            .iter()
            .flat_map(crate::adopt::redirects::outputs)
            .collect();
        removed.extend(
            before
                .aliases
                .iter()
                .filter(|a| !live.contains(*a))
                .cloned(),
        );
    }

    Invalidated {
        pages,
        index,
        removed,
        search: touched,
        summaries_changed: !moved.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    //! The property: after random edits of the demo handbook, the pages a full build of the
    //! site before the edit wrote, with those [`invalidate`] names rendered again (as `serve`
    //! renders them) and those it removes removed, are byte for byte what a full build of the
    //! site after the edit writes.

    use super::*;
    use crate::build::{BuildOptions, Builder, MemorySink, theme::Theme};
    use proptest::prelude::*;
    use std::collections::HashMap;
    use std::path::Path;
    use std::sync::Arc;

    type Files = HashMap<String, Arc<[u8]>>;

    /// A full in-memory build, and its index page URLs and navigation.
    fn full(site: &Site) -> (Files, BTreeSet<String>, Vec<crate::build::context::NavItem>) {
        let theme = Theme::load(&site.config).unwrap();
        let sink = MemorySink::new();
        let opts = BuildOptions::in_memory(false);
        let b = Builder::new(site, &theme, &opts, &sink, &site.history);
        let (_, _, urls) = b.run_all().unwrap();
        let nav = b.nav().to_vec();
        (sink.into_map(), urls.into_iter().collect(), nav)
    }

    /// The client search index follows edits through the search worker, not as pages.
    fn is_page(path: &str) -> bool {
        !crate::search::is_client_index(path)
    }

    fn copy_demo(to: &Path) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for f in ["book.toml", "owners.yaml"] {
            std::fs::copy(root.join(f), to.join(f)).unwrap();
        }
        for e in walkdir::WalkDir::new(root.join("content")) {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(root).unwrap();
            if e.file_type().is_dir() {
                std::fs::create_dir_all(to.join(rel)).unwrap();
            } else {
                std::fs::copy(e.path(), to.join(rel)).unwrap();
            }
        }
    }

    /// Set front matter `key` of the document at `path` to `value` (YAML), or change its body.
    fn edit(path: &Path, op: usize, other: &str) -> bool {
        let Ok(text) = std::fs::read_to_string(path) else {
            return false;
        };
        let Some(rest) = text.strip_prefix("---\n") else {
            return false;
        };
        let Some((front, body)) = rest.split_once("\n---\n") else {
            return false;
        };
        let mut map: serde_yaml_ng::Mapping = match serde_yaml_ng::from_str(front) {
            Ok(m) => m,
            Err(_) => return false,
        };
        let mut body = body.to_string();
        let mut set = |k: &str, v: &str| {
            map.insert(k.into(), serde_yaml_ng::from_str(v).unwrap());
        };
        match op {
            0 => set("title", "Edited title"),
            1 => set("reviewed", "2024-01-02"),
            2 => set("reviewed", "2026-11-20"),
            3 => set("tags", "[edited, database]"),
            4 => set("owners", "[team-platform]"),
            5 => set("owners", "[dmitri]"),
            6 => set("draft", "true"),
            7 => set("alerts", "[EditedAlert]"),
            8 => set("services", "[edited-service]"),
            9 => body.push_str("\n\nAn edited paragraph.\n"),
            10 => body.push_str(&format!("\n\nSee [the other page](/{other}).\n")),
            11 => {
                std::fs::remove_file(path).unwrap();
                return true;
            }
            12 => {
                let broken = format!("---\ntitle: [unclosed\n---\n{body}");
                std::fs::write(path, broken).unwrap();
                return true;
            }
            _ => unreachable!(),
        }
        let front = serde_yaml_ng::to_string(&map).unwrap();
        std::fs::write(path, format!("---\n{front}---\n{body}")).unwrap();
        true
    }

    const OPS: usize = 14;

    fn check_edits(edits: &[(prop::sample::Index, usize, prop::sample::Index)]) {
        let dir = tempfile::tempdir().unwrap();
        copy_demo(dir.path());
        let before = crate::load::load_site(dir.path(), None).unwrap();
        let rels: Vec<String> = before.documents.iter().map(|d| d.rel.clone()).collect();
        let content = before.config.content_dir.clone();
        let mut changed: BTreeSet<String> = BTreeSet::new();
        for (i, op, j) in edits {
            let other = &rels[j.index(rels.len())];
            if *op == OPS - 1 {
                // A new runbook answering an alert, with a tag and a link.
                let rel = format!("runbooks/new-{}.md", changed.len());
                let text = format!(
                    "---\ntitle: New runbook\nowners: [team-platform]\nreviewed: 2026-11-01\n\
                     alerts: [NewAlert]\ntags: [new]\n---\n\nSee [this](/{other}).\n"
                );
                std::fs::write(content.join(&rel), text).unwrap();
                changed.insert(rel);
                continue;
            }
            let rel = &rels[i.index(rels.len())];
            if edit(&content.join(rel), *op, other) {
                changed.insert(rel.clone());
            }
        }
        let captured = Before::capture(&before, false, &changed);
        let after = crate::load::load_site(dir.path(), None).unwrap();
        let edit = Edit {
            documents: changed,
            dirs: BTreeSet::new(),
        };
        let inv = invalidate(&captured, &after, &edit, false);

        let (old_files, old_index, old_nav) = full(&before);
        let (new_files, new_index, new_nav) = full(&after);
        if old_nav != new_nav {
            // `serve` renders every page again: nothing to miss, but it must have known.
            assert!(inv.summaries_changed, "the navigation changed unannounced");
            return;
        }
        // What `serve` does with the answer: the pages, then the index pages, on top of the
        // last build, and the files no longer written removed.
        let theme = Theme::load(&after.config).unwrap();
        let staged = MemorySink::new();
        let opts = BuildOptions::in_memory(false);
        let b = Builder::new(&after, &theme, &opts, &staged, &after.history).with_nav(new_nav);
        for rel in &inv.pages {
            b.doc_page(after.get(rel).unwrap()).unwrap();
        }
        b.index_pages(&|u| inv.index.contains(u)).unwrap();
        let mut result = old_files;
        for gone in inv.removed.iter().cloned().chain(
            old_index
                .difference(&new_index)
                .map(|u| crate::content::urls::output_file(u)),
        ) {
            result.remove(&gone);
        }
        result.extend(staged.into_map());
        let paths: BTreeSet<&String> = result.keys().chain(new_files.keys()).collect();
        for p in paths.into_iter().filter(|p| is_page(p)) {
            assert!(
                result.get(p) == new_files.get(p),
                "{p} differs from a full build after {edits:?} (invalidated: {inv:?})"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn invalidated_pages_make_a_full_build(
            edits in prop::collection::vec(
                (any::<prop::sample::Index>(), 0..OPS, any::<prop::sample::Index>()),
                1..3,
            )
        ) {
            check_edits(&edits);
        }
    }
}
