//! Parts (docs/many-repos.md): one repository's docs built as a relocatable part (`build
//! --part NAME`) and composed with others into one handbook (`compose`). This stage holds what
//! both sides share: the part's [`Manifest`] (`part.json`), the one type that is written and
//! read back, versioned by [`FORMAT_MAJOR`]; what a part name may be; and links into other
//! parts (`payments:runbooks/db.md#diagnose`).
//!
//! A manifest comes from another repository's build: [`read`] bounds its size, refuses links
//! and special files, and [`Manifest::validate`] refuses one whose prefix, search index or
//! document URLs would lead outside its own part.

use crate::content::date::Date;
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos};
use crate::model::owners::Standing;
use crate::model::{Document, Review, ReviewState, Site};
use crate::search::SearchDoc;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The major version of the part layout and of `part.json`: a composer refuses parts of
/// another major version. Bump it when a field changes meaning or is removed.
pub const FORMAT_MAJOR: u32 = 1;

/// The manifest file, at the root of a part's output.
pub const MANIFEST: &str = "part.json";

/// The largest manifest [`read`] accepts: about 20,000 documents with long headings.
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// `part.json`: what a composed handbook needs of a part without reading its pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The Fieldbook version that built the part.
    pub fieldbook: String,
    pub name: String,
    /// The URL prefix of every page of the part, relative to the composed site's root:
    /// the name and a slash.
    pub prefix: String,
    pub title: String,
    pub roster: Roster,
    /// The part's browser search index, relative to the composed site's root.
    pub search: String,
    pub documents: Vec<PartDoc>,
    /// The findings of the check the build ran.
    pub findings: Vec<Finding>,
    /// The roster's teams as the part's build judged them, for the composed team pages (a
    /// manifest without them gives the handbook no team pages of its own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<TeamFacts>,
}

/// The owners file a part was checked against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    /// FNV-1a (64 bits, hex) of the owners file's bytes; empty when there is none.
    pub hash: String,
    pub people: usize,
    pub teams: usize,
}

/// One document of a part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartDoc {
    /// Content path (`runbooks/db.md`).
    pub path: String,
    pub kind: String,
    pub title: String,
    /// Site-relative URL, the part's prefix included.
    pub url: String,
    pub owners: Vec<String>,
    pub teams: Vec<String>,
    /// Review state (`fresh`, `stale`, `due-soon`, `never-reviewed`, `untracked`).
    pub state: String,
    pub stale: bool,
    pub lapsed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<String>,
    pub alerts: Vec<String>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub draft: bool,
    pub headings: Vec<Heading>,
    /// Every anchor a link may name: heading ids and `id`/`name` anchors in raw HTML.
    pub anchors: Vec<String>,
    /// Links into other parts, for the composer to check against their manifests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub part_links: Vec<PartLink>,
    /// What the document's card shows beyond the fields above, as the part's build judged
    /// it; a document without it is left out of the composed handbook's index pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardFacts>,
}

/// A document's card as its part's build computed it (`build::context::Card`): review and
/// owners' standing are judged there, against the roster the part was checked with, since the
/// composer has no roster of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardFacts {
    /// The source file, as findings name it.
    pub file: String,
    pub review: Review,
    /// `ok`, `partial`, `lapsed` or `unowned` (`model::ownership_state`).
    pub ownership: String,
    pub owners: Vec<OwnerFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// The navigation weight lists sort by (none: last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
    /// The owners are the course's (a lesson): team pages list only what a team owns itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub owners_inherited: bool,
    /// A code block no longer parses (`invalid-code`): the freshness report lists it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub broken_code: bool,
    /// A postmortem's action items, for the action tracker and team pages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionFacts>,
    /// A postmortem's incident duration, for the incident history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u64>,
    /// A course's lessons and what the learning pages show of it (added within format 1:
    /// a course without it is a card on the composed pages, with no lessons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course: Option<CourseFacts>,
}

/// A course as its page and the learning pages show it (`build::context::CourseCtx` without
/// what is worked out from its lessons), so that a composer can write the home page's course
/// cards, `learning/` and `paths/` without reading the part's pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseFacts {
    /// What learning paths (`[[paths]]`) and prerequisites name the course by.
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<crate::content::front_matter::Level>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<String>,
    /// In the course's order.
    pub lessons: Vec<LessonFacts>,
    /// The slugs of the courses it requires (a composer shows those it has).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<String>,
}

/// A lesson of a course (`build::context::LessonItem`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonFacts {
    pub title: String,
    /// Site-relative, the part's prefix included (checked to be inside the part).
    pub url: String,
    /// The id the reader's progress is kept under.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub estimated: bool,
    /// `QID:QVER` of each quiz, space-separated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub quizzes: String,
}

/// A postmortem's action item; whether it is overdue is judged again on the composer's day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionFacts {
    pub title: String,
    pub owner: OwnerFacts,
    pub due: Date,
    pub status: crate::content::front_matter::ActionStatus,
    /// The tracking ticket: an `http` or `https` URL (a composer drops any other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The teams answering for it: the owner itself when a team, a person's teams.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<OwnerFacts>,
}

/// An owner as cards show it (`build::context::OwnerRef` without its page URL, which the
/// composer works out from the id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerFacts {
    pub id: String,
    pub name: String,
    /// `team`, `person` or `unknown`.
    pub kind: String,
    pub standing: Standing,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lapse: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

/// A team of the roster, for its composed team page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamFacts {
    #[serde(flatten)]
    pub team: OwnerFacts,
    pub members: Vec<OwnerFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disbanded: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
}

/// A link into another part (`[x](payments:runbooks/db.md#diagnose)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartLink {
    pub part: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// Line of the link in the source file.
    pub line: u32,
}

/// A finding as the part's build recorded it. The code stays a string: a part built by a
/// newer Fieldbook of the same format may know codes this one does not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub baselined: bool,
}

impl From<&Diagnostic> for Finding {
    fn from(d: &Diagnostic) -> Finding {
        Finding {
            code: d.code.as_str().to_string(),
            severity: d.severity.as_str().to_string(),
            file: d.file.clone(),
            line: d.line,
            column: d.column,
            message: d.message.clone(),
            hint: d.hint.clone(),
            baselined: d.baselined,
        }
    }
}

impl Manifest {
    /// The manifest of `site` built as part `name`: its documents those of `docs` (the search
    /// documents of the build, in content-path order), `findings` those of its check.
    pub fn of(site: &Site, name: &str, findings: &[Diagnostic], docs: &[SearchDoc]) -> Manifest {
        let prefix = format!("{name}/");
        let by_rel: std::collections::HashMap<&str, &Document> =
            site.documents.iter().map(|d| (d.rel.as_str(), d)).collect();
        let roster = crate::config::read_inside(
            &site.config.root,
            &site.config.owners_file,
            site.config.max_file_bytes,
        )
        .unwrap_or_default();
        let documents = docs
            .iter()
            .filter_map(|d| by_rel.get(d.rel.as_str()).map(|doc| (d, *doc)))
            .map(|(d, doc)| PartDoc {
                path: d.rel.clone(),
                kind: d.kind.as_str().to_string(),
                title: d.title.clone(),
                url: format!("{prefix}{}", d.url),
                owners: d.owners.clone(),
                teams: d.teams.clone(),
                state: d.state.as_str().to_string(),
                stale: d.state == ReviewState::Stale,
                lapsed: d.lapsed,
                reviewed: d.reviewed.map(|r| r.to_string()),
                alerts: d.alerts.clone(),
                services: d.services.clone(),
                tags: d.tags.clone(),
                draft: doc.is_draft(),
                headings: doc
                    .outline
                    .headings
                    .iter()
                    .map(|h| Heading {
                        level: h.level,
                        text: h.text.clone(),
                        id: h.id.clone(),
                    })
                    .collect(),
                anchors: doc
                    .outline
                    .headings
                    .iter()
                    .map(|h| h.id.clone())
                    .chain(doc.outline.html_ids.iter().cloned())
                    .collect(),
                part_links: part_links(doc),
                card: None,
            })
            .collect();
        Manifest {
            format: FORMAT_MAJOR,
            fieldbook: env!("CARGO_PKG_VERSION").to_string(),
            name: name.to_string(),
            search: format!("{prefix}search/index.json"),
            prefix,
            title: site.config.book.title.clone(),
            roster: Roster {
                hash: roster_hash(&roster),
                people: site.owners.people.len(),
                teams: site.owners.teams.len(),
            },
            documents,
            findings: findings.iter().map(Finding::from).collect(),
            teams: Vec::new(),
        }
    }

    /// `part.json`'s bytes.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("plain strings and numbers serialize");
        out.push(b'\n');
        out
    }

    /// Why this manifest cannot be composed, if it cannot: its name is not a part name, or
    /// its prefix, search index or a document's URL is not a plain path inside its own part
    /// (a lying manifest must not put `javascript:`, `https://` or `../` into the handbook).
    pub fn validate(&self) -> Result<(), String> {
        if let Some(why) = invalid_name(&self.name) {
            return Err(why);
        }
        let prefix = format!("{}/", self.name);
        if self.prefix != prefix {
            return Err(format!(
                "its prefix {:?} is not the part's name and a slash ({prefix:?})",
                self.prefix
            ));
        }
        if self.search != format!("{prefix}search/index.json") {
            return Err(format!(
                "its search index {:?} is not {prefix}search/index.json",
                self.search
            ));
        }
        for d in &self.documents {
            if !is_inside(&d.url, &prefix) {
                return Err(format!(
                    "document {:?} has the URL {:?}, which is not a page of the part",
                    d.path, d.url
                ));
            }
            let lessons = d
                .card
                .iter()
                .flat_map(|c| &c.course)
                .flat_map(|c| &c.lessons);
            for l in lessons {
                if !is_inside(&l.url, &prefix) {
                    return Err(format!(
                        "course {:?} has a lesson at {:?}, which is not a page of the part",
                        d.path, l.url
                    ));
                }
            }
        }
        Ok(())
    }
}

/// [`Roster::hash`] of an owners file's bytes: FNV-1a, 64 bits, in hex; empty for no file
/// (or an empty one), so that a composer can tell "no roster" from any roster.
pub fn roster_hash(owners_file: &[u8]) -> String {
    if owners_file.is_empty() {
        String::new()
    } else {
        format!("{:016x}", crate::search::index::fnv1a(owners_file))
    }
}

/// Whether `url` is a plain relative path under `prefix`: no scheme, no `..`, `.` or empty
/// segment, no backslash, query, control or space character.
pub fn is_inside(url: &str, prefix: &str) -> bool {
    let Some(rest) = url.strip_prefix(prefix) else {
        return false;
    };
    let plain = |c: char| {
        !(c.is_control() || c.is_whitespace() || matches!(c, '\\' | '?' | '"' | '<' | '>' | '\''))
    };
    url.chars().all(plain)
        && !url.contains(':')
        && (rest.is_empty()
            || rest
                .trim_end_matches('/')
                .split('/')
                .all(|s| !s.is_empty() && s != "." && s != ".."))
}

/// The manifest in the part directory `dir`: `part.json`, a regular file (not a link, FIFO or
/// device) of at most [`MAX_MANIFEST_BYTES`], of format [`FORMAT_MAJOR`], valid
/// ([`Manifest::validate`]). `Err` is a fatal finding naming the file.
pub fn read(dir: &Path) -> Result<Manifest, Fatal> {
    let file = dir.join(MANIFEST);
    let shown = file.display().to_string();
    let fatal = |message: String| {
        vec![Diagnostic::new(
            Code::OutputError,
            &shown,
            Pos::START,
            message,
        )]
    };
    let meta = std::fs::symlink_metadata(&file)
        .map_err(|e| fatal(format!("cannot read the part manifest: {e}")))?;
    if !meta.file_type().is_file() {
        return Err(fatal(
            "the part manifest is not a regular file (a link, folder or special file is refused)"
                .into(),
        ));
    }
    let bytes = match crate::config::read_regular(&file, MAX_MANIFEST_BYTES) {
        Ok(b) => b,
        Err(crate::config::Unread::TooLarge(n)) => {
            return Err(fatal(format!(
                "the part manifest is {n} bytes, more than the {MAX_MANIFEST_BYTES} a part may have"
            )));
        }
        Err(e) => {
            return Err(fatal(format!(
                "cannot read the part manifest: {}",
                e.into_io()
            )));
        }
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| fatal("the part manifest is not UTF-8 text".into()))?;
    parse(&text).map_err(|(why, hint)| {
        let d = fatal(why).remove(0);
        vec![match hint {
            Some(h) => d.with_hint(h),
            None => d,
        }]
    })
}

/// A manifest's text as [`read`] takes it: of format [`FORMAT_MAJOR`], a part, valid
/// ([`Manifest::validate`]). `Err` is why not, and what to do when there is something to do.
pub fn parse(text: &str) -> Result<Manifest, (String, Option<&'static str>)> {
    // The format first, so that a part of another version gets the version's message.
    #[derive(Deserialize)]
    struct Version {
        format: Option<u64>,
        fieldbook: Option<String>,
    }
    let version: Version = serde_json::from_str(text)
        .map_err(|e| (format!("the part manifest is not JSON: {e}"), None))?;
    if version.format != Some(u64::from(FORMAT_MAJOR)) {
        let by = version.fieldbook.as_deref().unwrap_or("an unknown version");
        let found = version.format.map_or("none".to_string(), |f| f.to_string());
        return Err((
            format!(
                "part format {found} (built by Fieldbook {by:?}) cannot be composed by Fieldbook {}, which reads part format {FORMAT_MAJOR}",
                env!("CARGO_PKG_VERSION")
            ),
            Some("rebuild the part with this Fieldbook version (fieldbook build --part NAME)"),
        ));
    }
    let manifest: Manifest = serde_json::from_str(text).map_err(|e| {
        (
            format!("the part manifest does not describe a part: {e}"),
            None,
        )
    })?;
    manifest
        .validate()
        .map_err(|why| (format!("the part manifest is refused: {why}"), None))?;
    Ok(manifest)
}

/// Why `name` cannot be a part's name, if it cannot: it must be one URL segment of
/// lowercase letters, digits, `-` and `_`, and not the first segment of one of the composed
/// site's own URLs ([`crate::content::urls::RESERVED`]).
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

/// The finding for an unusable part name.
pub fn name_error(message: String) -> Diagnostic {
    Diagnostic::new(Code::OutputError, "book.toml", Pos::START, message)
        .with_hint("pass --part the repository's name, such as --part payments")
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

/// Where document `path` (content-relative) of part `part` is in a composed handbook,
/// relative to its root: the part's prefix and the document's page URL (`payments/runbooks/db/`),
/// then `#anchor`. Part builds write cross-part links this way; `compose` checks each
/// against the target part's manifest.
pub fn composed_url(part: &str, path: &str, anchor: Option<&str>) -> String {
    use crate::content::urls::{doc_url, encode_path};
    let fragment = anchor
        .map(|a| format!("#{}", encode_path(a)))
        .unwrap_or_default();
    format!("{part}/{}{fragment}", doc_url(path))
}

/// `dest` as a link into another part: `NAME:path`, NAME a valid part name and not a URL
/// scheme, the path not starting with `//`.
pub fn part_link(dest: &str) -> Option<(&str, &str, Option<&str>)> {
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

fn part_links(doc: &Document) -> Vec<PartLink> {
    let body = doc.body();
    doc.outline
        .links
        .iter()
        .filter_map(|l| {
            let (part, path, anchor) = part_link(&l.dest)?;
            let upto = &body[..l.offset.min(body.len())];
            let line = doc.body_line + upto.matches('\n').count() as u32;
            Some(PartLink {
                part: part.to_string(),
                path: path.to_string(),
                anchor: anchor.map(str::to_string),
                line,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_safe_segment() {
        assert_eq!(invalid_name("payments"), None);
        assert_eq!(invalid_name("team-a_docs2"), None);
        for bad in [
            "", "Payments", "a/b", "..", "-x", "search", "a b", "learning", "paths", "api", "parts",
        ] {
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

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT_MAJOR,
            fieldbook: "0.1.0".into(),
            name: "payments".into(),
            prefix: "payments/".into(),
            title: "Payments".into(),
            roster: Roster {
                hash: String::new(),
                people: 0,
                teams: 0,
            },
            search: "payments/search/index.json".into(),
            documents: vec![PartDoc {
                path: "runbooks/db.md".into(),
                kind: "runbook".into(),
                title: "DB".into(),
                url: "payments/runbooks/db/".into(),
                owners: vec![],
                teams: vec![],
                state: "fresh".into(),
                stale: false,
                lapsed: false,
                reviewed: None,
                alerts: vec![],
                services: vec![],
                tags: vec![],
                draft: false,
                headings: vec![],
                anchors: vec![],
                part_links: vec![],
                card: None,
            }],
            findings: vec![],
            teams: vec![],
        }
    }

    #[test]
    fn the_manifest_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest();
        std::fs::write(dir.path().join(MANIFEST), m.to_json()).unwrap();
        assert_eq!(read(dir.path()).unwrap(), m);
    }

    #[test]
    fn a_manifest_without_cards_or_teams_still_reads() {
        // As an older Fieldbook of format 1 wrote it: its documents contribute no cards.
        let mut json: serde_json::Value = serde_json::from_slice(&manifest().to_json()).unwrap();
        json.as_object_mut().unwrap().remove("teams");
        json["documents"][0].as_object_mut().unwrap().remove("card");
        let m = parse(&json.to_string()).unwrap();
        assert_eq!(m.documents[0].card, None);
        assert!(m.teams.is_empty());
    }

    #[test]
    fn lying_manifests_are_refused() {
        let lies: [fn(&mut Manifest); 7] = [
            |m| m.prefix = "../../evil/".into(),
            |m| m.search = "https://evil.example/index.json".into(),
            |m| m.documents[0].url = "javascript:alert(1)".into(),
            |m| m.documents[0].url = "data:text/html,x".into(),
            |m| m.documents[0].url = "payments/../../etc/".into(),
            |m| m.documents[0].url = "other/runbooks/db/".into(),
            |m| m.name = "../x".into(),
        ];
        for lie in lies {
            let mut m = manifest();
            lie(&mut m);
            assert!(m.validate().is_err(), "{m:?}");
        }
        assert_eq!(manifest().validate(), Ok(()));
    }

    #[test]
    fn a_course_whose_lesson_leads_outside_its_part_is_refused() {
        let mut json: serde_json::Value = serde_json::from_slice(&manifest().to_json()).unwrap();
        json["documents"][0]["kind"] = "course".into();
        json["documents"][0]["card"] = serde_json::json!({
            "file": "content/courses/c/index.md",
            "review": {"state": "fresh", "every": "90d"},
            "ownership": "ok", "owners": [],
            "course": {"slug": "c", "lessons": [
                {"title": "L", "url": "payments/courses/c/l/", "id": "l"}
            ]},
        });
        let m = parse(&json.to_string()).unwrap();
        let course = m.documents[0]
            .card
            .as_ref()
            .unwrap()
            .course
            .as_ref()
            .unwrap();
        assert_eq!(course.lessons[0].url, "payments/courses/c/l/");
        for lie in [
            "javascript:alert(1)",
            "other/courses/c/l/",
            "payments/../x/",
        ] {
            json["documents"][0]["card"]["course"]["lessons"][0]["url"] = lie.into();
            let e = parse(&json.to_string()).unwrap_err();
            assert!(e.0.contains("not a page of the part"), "{lie}: {e:?}");
        }
    }

    #[test]
    fn links_fifos_and_huge_manifests_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("elsewhere.json");
        std::fs::write(&outside, manifest().to_json()).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, dir.path().join(MANIFEST)).unwrap();
            assert!(read(dir.path()).is_err());
            std::fs::remove_file(dir.path().join(MANIFEST)).unwrap();
            let status = std::process::Command::new("mkfifo")
                .arg(dir.path().join(MANIFEST))
                .status();
            if status.is_ok_and(|s| s.success()) {
                assert!(read(dir.path()).is_err());
                std::fs::remove_file(dir.path().join(MANIFEST)).unwrap();
            }
        }
        let f = std::fs::File::create(dir.path().join(MANIFEST)).unwrap();
        f.set_len(MAX_MANIFEST_BYTES + 1).unwrap();
        let e = read(dir.path()).unwrap_err();
        assert!(e[0].message.contains("more than"), "{e:?}");
    }
}
