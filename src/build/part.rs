//! `fieldbook build --part NAME` (docs/many-repos.md): one repository's docs as a relocatable
//! part. The site is written under `NAME/` of the output (pages link to each other relatively,
//! so they work under any prefix), and `part.json` beside it describes what a composed
//! handbook needs without reading the pages: each document's kind, title, URL, owners, review
//! state, alerts, services, tags and anchors, the findings, the Fieldbook version and a hash
//! of the owners roster the part was checked against.

use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::model::{Document, Site};
use crate::search::SearchDoc;
use serde::Serialize;

/// The major version of the part layout and of `part.json`: a composer refuses parts of
/// another major version. Bump it when a field changes meaning or is removed.
pub const FORMAT_MAJOR: u32 = 1;

/// The manifest file, at the root of a part's output.
pub const MANIFEST: &str = "part.json";

/// What `--part` adds to a build.
#[derive(Clone, Debug)]
pub struct PartOptions {
    /// The part's name: its URL prefix without the slash.
    pub name: String,
    /// The findings of the check the build ran, recorded in the manifest.
    pub findings: Vec<Diagnostic>,
}

/// Why `name` cannot be a part's name, if it cannot: it must be one URL segment of
/// lowercase letters, digits, `-` and `_`, and not a directory the composed site uses.
pub fn invalid_name(name: &str) -> Option<String> {
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if name.is_empty() || !ok_chars || !name.as_bytes()[0].is_ascii_alphanumeric() {
        Some(format!(
            "part name {name:?} must be lowercase letters, digits, `-` and `_`, starting with a letter or digit"
        ))
    } else if crate::content::urls::is_reserved_segment(name) {
        Some(format!(
            "part name {name:?} is a directory of the composed site; choose another (such as the repository's name)"
        ))
    } else {
        None
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    format: u32,
    fieldbook: &'static str,
    name: &'a str,
    /// The URL prefix of every page of the part, relative to the composed site's root.
    prefix: String,
    title: &'a str,
    roster: Roster,
    /// The part's browser search index, relative to the part's output.
    search: String,
    documents: Vec<ManifestDoc<'a>>,
    findings: &'a [Diagnostic],
}

#[derive(Serialize)]
struct Roster {
    /// FNV-1a (64 bits, hex) of the owners file's bytes; empty when there is none.
    hash: String,
    people: usize,
    teams: usize,
}

#[derive(Serialize)]
struct ManifestDoc<'a> {
    path: &'a str,
    kind: &'static str,
    title: &'a str,
    /// Site-relative URL, the part's prefix included.
    url: String,
    owners: &'a [String],
    teams: &'a [String],
    state: &'static str,
    stale: bool,
    lapsed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reviewed: Option<String>,
    alerts: &'a [String],
    services: &'a [String],
    tags: &'a [String],
    draft: bool,
    headings: Vec<Heading<'a>>,
    /// Every anchor a link may name: heading ids and `id`/`name` anchors in raw HTML.
    anchors: Vec<&'a str>,
    /// Links into other parts (`[x](payments:runbooks/db.md#diagnose)`), for the composer to
    /// check against their manifests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    part_links: Vec<PartLink<'a>>,
}

#[derive(Serialize, Debug, PartialEq, Eq)]
struct PartLink<'a> {
    part: &'a str,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    anchor: Option<&'a str>,
    /// Line of the link in the source file.
    line: u32,
}

/// URL schemes that look like part names but are not.
const SCHEMES: [&str; 14] = [
    "http",
    "https",
    "mailto",
    "tel",
    "ftp",
    "ftps",
    "data",
    "javascript",
    "file",
    "ssh",
    "git",
    "irc",
    "sms",
    "urn",
];

/// `dest` as a link into another part: `NAME:path`, NAME a valid part name and not a URL
/// scheme, the path not starting with `//`.
fn part_link(dest: &str) -> Option<(&str, &str, Option<&str>)> {
    let (part, rest) = dest.trim().split_once(':')?;
    if invalid_name(part).is_some() || SCHEMES.contains(&part) || rest.starts_with("//") {
        return None;
    }
    let (path, anchor) = match rest.split_once('#') {
        Some((p, a)) => (p, Some(a).filter(|a| !a.is_empty())),
        None => (rest, None),
    };
    Some((part, path.trim_start_matches('/'), anchor))
}

fn part_links(doc: &Document) -> Vec<PartLink<'_>> {
    let body = doc.body();
    doc.outline
        .links
        .iter()
        .filter_map(|l| {
            let (part, path, anchor) = part_link(&l.dest)?;
            let upto = &body[..l.offset.min(body.len())];
            let line = doc.body_line + upto.matches('\n').count() as u32;
            Some(PartLink {
                part,
                path,
                anchor,
                line,
            })
        })
        .collect()
}

#[derive(Serialize)]
struct Heading<'a> {
    level: u8,
    text: &'a str,
    id: &'a str,
}

/// `part.json` for `site` built as part `opts.name`, its documents those of `docs` (the
/// search documents of the build, in content-path order).
pub fn manifest(site: &Site, opts: &PartOptions, docs: &[SearchDoc]) -> Vec<u8> {
    let prefix = format!("{}/", opts.name);
    let by_rel: std::collections::HashMap<&str, &Document> =
        site.documents.iter().map(|d| (d.rel.as_str(), d)).collect();
    let roster = std::fs::read(&site.config.owners_file).unwrap_or_default();
    let documents = docs
        .iter()
        .filter_map(|d| by_rel.get(d.rel.as_str()).map(|doc| (d, *doc)))
        .map(|(d, doc)| ManifestDoc {
            path: &d.rel,
            kind: d.kind.as_str(),
            title: &d.title,
            url: format!("{prefix}{}", d.url),
            owners: &d.owners,
            teams: &d.teams,
            state: d.state.as_str(),
            stale: d.state == crate::model::ReviewState::Stale,
            lapsed: d.lapsed,
            reviewed: d.reviewed.map(|r| r.to_string()),
            alerts: &d.alerts,
            services: &d.services,
            tags: &d.tags,
            draft: doc.is_draft(),
            headings: doc
                .outline
                .headings
                .iter()
                .map(|h| Heading {
                    level: h.level,
                    text: &h.text,
                    id: &h.id,
                })
                .collect(),
            anchors: doc
                .outline
                .headings
                .iter()
                .map(|h| h.id.as_str())
                .chain(doc.outline.html_ids.iter().map(String::as_str))
                .collect(),
            part_links: part_links(doc),
        })
        .collect();
    let m = Manifest {
        format: FORMAT_MAJOR,
        fieldbook: env!("CARGO_PKG_VERSION"),
        name: &opts.name,
        search: format!("{prefix}search/index.json"),
        prefix,
        title: &site.config.book.title,
        roster: Roster {
            hash: if roster.is_empty() {
                String::new()
            } else {
                format!("{:016x}", crate::search::index::fnv1a(&roster))
            },
            people: site.owners.people.len(),
            teams: site.owners.teams.len(),
        },
        documents,
        findings: &opts.findings,
    };
    let mut out = serde_json::to_vec_pretty(&m).expect("plain strings and numbers serialize");
    out.push(b'\n');
    out
}

/// The finding for an unusable part name.
pub fn name_error(message: String) -> Diagnostic {
    Diagnostic::new(Code::OutputError, "book.toml", Pos::START, message)
        .with_hint("pass --part the repository's name, such as --part payments")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_safe_segment() {
        assert_eq!(invalid_name("payments"), None);
        assert_eq!(invalid_name("team-a_docs2"), None);
        for bad in ["", "Payments", "a/b", "..", "-x", "search", "a b"] {
            assert!(invalid_name(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn part_links_are_name_colon_path() {
        assert_eq!(
            part_link("payments:runbooks/db.md#diagnose"),
            Some(("payments", "runbooks/db.md", Some("diagnose")))
        );
        assert_eq!(
            part_link("payments:/runbooks/db.md"),
            Some(("payments", "runbooks/db.md", None))
        );
        for other in [
            "https://x.org/a.md",
            "mailto:a@b",
            "runbooks/db.md",
            "Payments:x.md",
            "web://x",
            "#a",
        ] {
            assert_eq!(part_link(other), None, "{other}");
        }
    }
}
