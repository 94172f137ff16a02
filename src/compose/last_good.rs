//! `compose --keep-last-good DIR` (docs/many-repos.md, "Last good parts"): each part that
//! composed fine is kept in DIR, as `DIR/NAME/` (its `part.json`, its pages folder and
//! [`RECORD`], the day it was saved); a part that is missing, fails to read or was built
//! against another roster is composed from that copy instead, and its pages get a banner.
//!
//! The store is read as the parts are: each copy through `read_part` (a copy that fails is
//! ignored with a finding, never trusted), links and special files never followed; each copy
//! is replaced whole, through a staging folder swapped in (`build::output::Staging`), so a
//! compose killed while saving leaves the previous copy or the new one, never half of one.

use super::{CopyTree, Part, read_part};
use crate::build::output::{Staging, is_output_dir};
use crate::build::sink::output_error;
use crate::build::{DirSink, Sink};
use crate::content::date::Date;
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos, Severity};
use crate::parts::MANIFEST;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// When a copy was saved, beside its `part.json`.
pub const RECORD: &str = "last-good.json";

/// The largest page that gets a banner: a bigger one is copied unchanged (a part's page is
/// a few hundred KiB; reading a huge one whole to edit one spot is not worth it).
pub const MAX_PAGE_BYTES: u64 = 8 * 1024 * 1024;

/// The most copies a store may hold (as many folders as a handbook has parts).
const MAX_COPIES: usize = 10_000;

#[derive(Serialize, Deserialize)]
struct Record {
    /// The composer's `--today` when the copy was saved: never the clock, so that composing
    /// twice writes the same bytes.
    saved: Date,
    fieldbook: String,
}

/// Why a part is shown from its last good copy: what readers see on its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    Missing,
    Unreadable,
    Roster,
}

impl Why {
    pub fn reason(self) -> &'static str {
        match self {
            Why::Missing => "its latest build was not given to the handbook",
            Why::Unreadable => "its latest build could not be read",
            Why::Roster => "its latest build was checked against another owners roster",
        }
    }
}

/// A part composed from its last good copy.
#[derive(Clone, Copy, Debug)]
pub struct Held {
    pub since: Date,
    pub why: Why,
}

/// One part's last good copy.
pub struct Kept {
    pub part: Part,
    pub saved: Date,
}

/// What the store holds.
#[derive(Default)]
pub struct Store {
    /// Usable copies, by part name.
    pub copies: BTreeMap<String, Kept>,
    /// Folders named as parts whose copy cannot be used, each with why: whether that leaves
    /// the handbook without the part depends on the folders given.
    pub damaged: BTreeMap<String, Diagnostic>,
    /// Anything else found in the store (links, files, other names), left alone.
    pub notes: Vec<Diagnostic>,
}

impl Store {
    /// Part `name` from its last good copy (taken out of the store: a part is composed once),
    /// with a finding saying why (`detail`) and since when; `None` when there is no copy.
    pub fn take(
        &mut self,
        name: &str,
        why: Why,
        detail: String,
        findings: &mut Vec<Diagnostic>,
    ) -> Option<Part> {
        let copy = self.copies.remove(name)?;
        let since = copy.saved;
        findings.push(
            Diagnostic::new(
                Code::LastGoodPart,
                name,
                Pos::START,
                format!(
                    "part `{name}`: {detail}; composed from its last good copy of {since}, its pages marked so"
                ),
            )
            .with_hint(format!(
                "rebuild the part with `fieldbook build --part {name}` and compose again with it"
            )),
        );
        Some(Part {
            held: Some(Held { since, why }),
            ..copy.part
        })
    }
}

fn note(file: &Path, message: String) -> Diagnostic {
    Diagnostic::new(
        Code::LastGoodPart,
        file.display().to_string(),
        Pos::START,
        message,
    )
}

/// The composer's fatal error ([`super::fatal`]) about the store `dir`.
fn fatal(dir: &Path, message: String) -> Fatal {
    super::fatal(&dir.display().to_string(), message)
}

/// Read the store `dir` (none yet: empty). `Err` when `dir` is something other than a folder
/// (a link is refused: copies are written into it).
pub fn read_store(dir: &Path) -> Result<Store, Fatal> {
    let mut store = Store::default();
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(store),
        Err(e) => return Err(fatal(dir, format!("cannot read the last good parts: {e}"))),
        Ok(m) if !m.is_dir() => {
            return Err(fatal(
                dir,
                "the last good parts' folder is not a folder (a link or a file is refused)".into(),
            ));
        }
        Ok(_) => {}
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| fatal(dir, format!("cannot read the last good parts: {e}")))?;
    let mut names: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        // Staging folders of saves (`.NAME.fieldbook-new-PID`), the next save's to clean.
        .filter(|(n, _)| !n.starts_with('.'))
        .collect();
    names.sort();
    for (name, path) in names.into_iter().take(MAX_COPIES) {
        // Only a folder can be a copy: a link is not followed, a FIFO not opened.
        let folder = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if !folder || crate::parts::invalid_name(&name).is_some() {
            store.notes.push(note(
                &path,
                format!("`{name}` is not a last good copy (a folder named as a part): ignored"),
            ));
            continue;
        }
        match read_copy(&path, &name) {
            Ok(copy) => {
                store.copies.insert(name, copy);
            }
            Err(why) => {
                let d = note(
                    &path,
                    format!("the last good copy of part `{name}` is ignored: {why}"),
                );
                store.damaged.insert(name, d);
            }
        }
    }
    Ok(store)
}

/// The copy in the folder `path`, read as a part is, named `name`, with its record.
fn read_copy(path: &Path, name: &str) -> Result<Kept, String> {
    let part = read_part(path).map_err(|f| f[0].message.clone())?;
    if part.name() != name {
        return Err(format!("its part.json names part `{}`", part.name()));
    }
    let bytes = crate::config::read_regular(&path.join(RECORD), 4096)
        .map_err(|e| format!("its {RECORD}: {}", e.into_io()))?;
    let record: Record = serde_json::from_slice(&bytes)
        .map_err(|e| format!("its {RECORD} does not say when it was saved: {e}"))?;
    Ok(Kept {
        part,
        saved: record.saved,
    })
}

/// Save `part` as its last good copy in `store`, as of `today`. A folder there that this
/// store did not write (no output marker, or a link) is left alone.
pub fn save(store: &Path, part: &Part, today: Date) -> Result<(), Diagnostic> {
    let target = store.join(part.name());
    // An error: the next compose would have no copy to fall back on.
    let failed = |why: String| {
        let mut d = note(
            &target,
            format!(
                "part `{}` could not be saved as its last good copy: {why}",
                part.name()
            ),
        );
        d.severity = Severity::Error;
        d
    };
    if std::fs::symlink_metadata(&target).is_ok() && !is_output_dir(&target) {
        return Err(failed(format!(
            "{} was not written by fieldbook compose (move it away)",
            target.display()
        )));
    }
    let staging = Staging::begin(&target).map_err(|e| failed(e.to_string()))?;
    let record = Record {
        saved: today,
        fieldbook: env!("CARGO_PKG_VERSION").to_string(),
    };
    let sink = DirSink::new(&staging.dir);
    let copy = CopyTree {
        sink: &sink,
        banner: None,
        before: None,
    };
    let filled = sink
        .copy(MANIFEST, &part.dir.join(MANIFEST))
        .and_then(|()| {
            copy.tree(
                &part.dir.join(part.name()),
                part.name(),
                &mut BTreeMap::new(),
            )
        })
        .and_then(|_| {
            let mut bytes = serde_json::to_vec_pretty(&record).expect("a date and a string");
            bytes.push(b'\n');
            sink.put(RECORD, bytes)
        });
    match filled {
        Ok(()) => staging.commit().map_err(|e| failed(e.to_string())),
        Err(f) => {
            staging.abandon();
            Err(failed(
                f.into_iter()
                    .map(|d| d.message)
                    .collect::<Vec<_>>()
                    .join("; "),
            ))
        }
    }
}

/// The banner a part's pages get when the part is shown from its last good copy since
/// `since`, for `reason`.
pub fn banner(since: Date, reason: &str) -> String {
    let mut escaped = String::new();
    crate::render::escape::escape_body(&mut escaped, reason);
    format!(
        "<div class=\"banner banner-warn banner-last-good\" role=\"status\">\
         <p><strong class=\"banner-title\">This part's docs could not be updated since \
         <time datetime=\"{since}\">{since}</time>:</strong> {escaped}. \
         What it says may be out of date.</p></div>"
    )
}

/// `html` with `banner` at the top of its main content: right after the `<main>` tag (where
/// "Skip to content" leads), else right after `<body>`; `None` when it has neither (a
/// redirect stub, a fragment), which is then copied unchanged.
pub fn with_banner(html: &str, banner: &str) -> Option<String> {
    let body = tag_end(html, 0, "<body")?;
    let at = tag_end(html, body, "<main").unwrap_or(body);
    let mut out = String::with_capacity(html.len() + banner.len() + 1);
    out.push_str(&html[..at]);
    out.push('\n');
    out.push_str(banner);
    out.push_str(&html[at..]);
    Some(out)
}

/// Where the first `name` tag at or after `from` ends (just past its `>`), its attribute
/// values' quotes respected.
fn tag_end(html: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut i = from;
    loop {
        let start = i + find_ci(&html[i..], name)?;
        let after = start + name.len();
        if !bytes
            .get(after)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
        {
            i = after;
            continue;
        }
        let mut quote = None;
        for (k, &b) in bytes.iter().enumerate().skip(after) {
            match (quote, b) {
                (None, b'"' | b'\'') => quote = Some(b),
                (Some(q), _) if b == q => quote = None,
                (None, b'>') => return Some(k + 1),
                _ => {}
            }
        }
        return None;
    }
}

/// The first place `needle` (ASCII) is in `hay`, whatever the letters' case.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Copy the page `from` to `rel` in `sink` with `banner` in it; a page over [`MAX_PAGE_BYTES`], not
/// UTF-8 or without a place for it is copied unchanged.
pub fn copy_page(from: &Path, rel: &str, sink: &dyn Sink, banner: &str) -> Result<(), Fatal> {
    let bytes = match crate::config::read_regular(from, MAX_PAGE_BYTES) {
        Ok(b) => b,
        Err(crate::config::Unread::TooLarge(_)) => return sink.copy(rel, from),
        Err(e) => {
            let e = e.into_io();
            return Err(output_error(format!("cannot copy {}: {e}", from.display())));
        }
    };
    let html = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|h| with_banner(h, banner));
    sink.put(rel, html.map_or(bytes, String::into_bytes))
}

/// The name a part folder that failed to read claims: its manifest's `name` when it is JSON
/// that has one, else the folder's own name.
pub fn claimed_names(dir: &Path) -> Vec<String> {
    #[derive(Deserialize)]
    struct Named {
        name: String,
    }
    let from_manifest =
        crate::config::read_regular(&dir.join(MANIFEST), crate::parts::MAX_MANIFEST_BYTES)
            .ok()
            .and_then(|b| serde_json::from_slice::<Named>(&b).ok())
            .map(|n| n.name);
    let folder = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    from_manifest
        .into_iter()
        .chain(folder)
        .filter(|n| crate::parts::invalid_name(n).is_none())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> String {
        banner(Date::parse("2026-11-20").unwrap(), Why::Unreadable.reason())
    }

    #[test]
    fn the_banner_goes_at_the_top_of_the_main_content() {
        let page = "<!DOCTYPE html><html><head><title>x</title></head>\n<body class=\"kind-runbook\" data-x=\"a>b\">\n<a class=\"skip-link\" href=\"#main\">Skip</a><header>h</header>\n<main id=\"main\" tabindex=\"-1\">\n<h1>Title</h1></main></body></html>";
        let b = sample();
        let out = with_banner(page, &b).unwrap();
        let main_at = out.find("<main id=\"main\" tabindex=\"-1\">").unwrap();
        let banner_at = out.find(&b).unwrap();
        assert!(banner_at > main_at && banner_at < out.find("<h1>").unwrap());
        assert_eq!(out.replacen(&format!("\n{b}"), "", 1), page);
        assert!(b.contains(
            "could not be updated since <time datetime=\"2026-11-20\">2026-11-20</time>"
        ));
    }

    #[test]
    fn without_main_the_banner_follows_body_and_without_body_there_is_none() {
        let b = sample();
        let out = with_banner("<HTML><BODY class='a>b'><p>x</p></BODY></HTML>", &b).unwrap();
        assert!(
            out.starts_with(&format!("<HTML><BODY class='a>b'>\n{b}<p>")),
            "{out}"
        );
        // `<bodyguard>` and `<mainly>` are not the tags.
        let out = with_banner("<bodyguard><body><mainly></mainly><p>", &b).unwrap();
        assert!(
            out.starts_with(&format!("<bodyguard><body>\n{b}<mainly>")),
            "{out}"
        );
        assert_eq!(
            with_banner("<meta http-equiv=refresh content='0;url=x'>", &b),
            None
        );
        assert_eq!(with_banner("<body class=\"never closed", &b), None);
    }

    #[test]
    fn the_banner_is_escaped_text() {
        let since = Date::parse("2026-11-20").unwrap();
        let b = banner(since, "<script>alert(1)</script> & more");
        assert!(
            b.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"),
            "{b}"
        );
        assert!(!b.contains("<script"));
        for why in [Why::Missing, Why::Unreadable, Why::Roster] {
            assert!(banner(since, why.reason()).contains(why.reason()));
        }
    }

    #[test]
    fn a_huge_page_is_copied_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("a.html"), dir.path().join("b.html"));
        let sink = DirSink::new(dir.path());
        let mut page = b"<html><body><main>".to_vec();
        page.resize(MAX_PAGE_BYTES as usize + 10, b'x');
        std::fs::write(&from, &page).unwrap();
        copy_page(&from, "b.html", &sink, &sample()).unwrap();
        assert_eq!(std::fs::read(&to).unwrap(), page);
        std::fs::write(&from, "<html><body><main><p>").unwrap();
        copy_page(&from, "b.html", &sink, "<div>B</div>").unwrap();
        assert_eq!(
            std::fs::read_to_string(&to).unwrap(),
            "<html><body><main>\n<div>B</div><p>"
        );
    }
}
