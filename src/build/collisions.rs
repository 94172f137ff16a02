//! Every output file has exactly one source (docs/hardening.md). Two documents (`db.md` and
//! `db/index.md`), a document and an alias (Hugo `aliases`), a document and an asset, or any
//! of them and one of Fieldbook's own pages or files (index pages, alert pages, the search
//! index, the sitemap, 404, the theme's static files) would write one path, and one would
//! silently replace the other: an `output-collision` error naming both sources. Two paths
//! equal but for letter case (one file on macOS, Windows and case-insensitive object stores)
//! are an `output-case-collision` warning. `pipeline` runs this for `check` and `build` alike.

use crate::config::site_rel;
use crate::content::urls::output_file;
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos};
use crate::model::{Document, Site};
use std::collections::BTreeMap;

/// What writes an output file.
enum Source<'a> {
    /// One of Fieldbook's own pages or files: what it is.
    BuiltIn(String),
    Document(&'a Document),
    /// A document's alias (its text as written): a redirect page.
    Alias(&'a Document, &'a str),
    /// A content file copied as it is (content-relative path).
    Asset(&'a str),
}

impl Source<'_> {
    fn is_built_in(&self) -> bool {
        matches!(self, Source::BuiltIn(_))
    }

    /// How a message names it: its file (and line), or what it is.
    fn describe(&self, site: &Site) -> String {
        match self {
            Source::BuiltIn(what) => what.clone(),
            Source::Document(d) => d.file.clone(),
            Source::Alias(d, a) => {
                format!(
                    "the alias `{a}` in {}:{}",
                    d.file,
                    d.word_pos("aliases", a).line
                )
            }
            Source::Asset(rel) => site_rel(&site.config, &site.config.content_dir.join(rel)),
        }
    }

    /// The finding about it (a built-in has no file of the site to point at).
    fn finding(&self, site: &Site, code: Code, message: String) -> Option<Diagnostic> {
        let d = match self {
            Source::BuiltIn(_) => return None,
            Source::Document(_) | Source::Asset(_) => {
                Diagnostic::new(code, self.describe(site), Pos::START, message)
            }
            Source::Alias(d, a) => d.finding(code, d.word_pos("aliases", a), message),
        };
        Some(d)
    }
}

/// The output collisions of `site` (as `build` writes it, with `draft: true` documents when
/// `drafts`), and the `symlink-outside` findings of the site theme's files (listed here for
/// its static files). `Err`: the theme folder could not be read.
pub fn check(site: &Site, drafts: bool) -> Result<Vec<Diagnostic>, Fatal> {
    let (theme_files, mut findings) = super::theme::site_files(&site.config)?;
    let mut outputs: BTreeMap<String, Vec<Source>> = BTreeMap::new();
    for url in super::index_urls(site, drafts) {
        let what = if url.is_empty() {
            "the built-in home page".to_string()
        } else {
            format!("the built-in page {url}")
        };
        outputs
            .entry(output_file(&url))
            .or_default()
            .push(Source::BuiltIn(what));
    }
    for file in super::theme::static_outputs(&theme_files) {
        let what = format!("the theme's file {file}");
        outputs.entry(file).or_default().push(Source::BuiltIn(what));
    }
    let mut docs: Vec<&Document> = site
        .documents
        .iter()
        .filter(|d| d.is_listed(drafts))
        .collect();
    docs.sort_by(|a, b| (&a.file, &a.rel).cmp(&(&b.file, &b.rel)));
    for d in &docs {
        let url = d.url();
        if !url.is_empty() {
            outputs
                .entry(output_file(&url))
                .or_default()
                .push(Source::Document(d));
        }
    }
    for d in &docs {
        let page = d.url();
        for alias in &d.meta.adopted.aliases {
            let Ok(url) = crate::adopt::redirects::alias_url(alias) else {
                continue;
            };
            if url != page {
                outputs
                    .entry(output_file(&url))
                    .or_default()
                    .push(Source::Alias(d, alias));
            }
        }
    }
    for rel in &site.assets {
        outputs
            .entry(rel.clone())
            .or_default()
            .push(Source::Asset(rel));
    }
    for (file, sources) in outputs.iter_mut() {
        if is_search_index_file(file) {
            sources.insert(0, Source::BuiltIn("the browser's search index".into()));
        }
    }

    for (file, sources) in &outputs {
        let first = &sources[0];
        for other in &sources[1..] {
            let message = format!(
                "{} and {} both become {file}: only one can be published",
                first.describe(site),
                other.describe(site)
            );
            let hint = if first.is_built_in() {
                "Fieldbook writes this path itself: rename or move the file, or change the alias"
            } else {
                "give each its own output path: rename or move one of the files, or change the alias"
            };
            findings.extend(
                other
                    .finding(site, Code::OutputCollision, message)
                    .map(|d| d.with_hint(hint)),
            );
        }
    }
    findings.extend(file_folder_collisions(site, &outputs));
    findings.extend(case_collisions(site, &outputs));
    Ok(findings)
}

/// An output file whose path another output needs as a folder (an asset `notes/db` and the
/// page `notes/db/index.html`): one of them cannot be written. Reported once per file, at
/// the file's source (or, for one of Fieldbook's own, at the first output inside).
fn file_folder_collisions(site: &Site, outputs: &BTreeMap<String, Vec<Source>>) -> Vec<Diagnostic> {
    let mut first_inside: BTreeMap<&str, &str> = BTreeMap::new();
    for file in outputs.keys() {
        for (i, _) in file.match_indices('/') {
            first_inside.entry(&file[..i]).or_insert(file);
        }
    }
    let mut out = Vec::new();
    for (dir, inside) in first_inside {
        let Some(sources) = outputs.get(dir) else {
            continue;
        };
        let (file, needs) = (&sources[0], &outputs[inside][0]);
        let at = if file.is_built_in() { needs } else { file };
        let message = format!(
            "{} becomes the file {dir}, but {} needs {dir}/ as a folder (for {inside}): only one can be published",
            file.describe(site),
            needs.describe(site)
        );
        out.extend(at.finding(site, Code::OutputCollision, message).map(|d| {
            d.with_hint("rename or move one of them (a file without an extension is published under its own name)")
        }));
    }
    out
}

/// Whether `code` is one this check finds (not the theme's links).
pub fn is_collision(code: Code) -> bool {
    matches!(code, Code::OutputCollision | Code::OutputCaseCollision)
}

/// Outputs equal when lowercased: a warning at each but the first (built-ins first).
fn case_collisions(site: &Site, outputs: &BTreeMap<String, Vec<Source>>) -> Vec<Diagnostic> {
    let mut groups: BTreeMap<String, Vec<(&String, &Source)>> = BTreeMap::new();
    for (file, sources) in outputs {
        groups
            .entry(file.to_lowercase())
            .or_default()
            .push((file, &sources[0]));
    }
    let mut out = Vec::new();
    for mut group in groups.into_values().filter(|g| g.len() > 1) {
        group.sort_by_key(|(_, s)| !s.is_built_in());
        let (first_file, first) = group[0];
        for (file, other) in &group[1..] {
            let message = format!(
                "{} becomes {file} and {} becomes {first_file}: one file where letter case does not count (macOS, Windows, some object stores)",
                other.describe(site),
                first.describe(site)
            );
            out.extend(
                other
                    .finding(site, Code::OutputCaseCollision, message)
                    .map(|d| {
                        d.with_hint("rename one so that the paths differ by more than letter case (lowercase names are safest)")
                    }),
            );
        }
    }
    out
}

/// The browser's search index (`search::client_index_files`): `search/index.json` and
/// numbered shards `search/{t,d,x}/N.json`, as many as the site needs.
fn is_search_index_file(file: &str) -> bool {
    file == "search/index.json"
        || ["search/t/", "search/d/", "search/x/"].iter().any(|dir| {
            file.strip_prefix(dir)
                .and_then(|n| n.strip_suffix(".json"))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_index_files() {
        for f in ["search/index.json", "search/t/0.json", "search/d/12.json"] {
            assert!(is_search_index_file(f), "{f}");
        }
        for f in [
            "search/index.html",
            "search/t/a.json",
            "search/t/.json",
            "searchx/t/1.json",
        ] {
            assert!(!is_search_index_file(f), "{f}");
        }
    }
}
