//! `fieldbook review FILE...`: stamp `reviewed:` with today's date. The text surgery that
//! changes that one value and nothing else is [`crate::content::edit`].

pub use crate::content::edit::{Refusal, Stamped};

use crate::content::date::Date;
use crate::diagnostic::format::fail;
use crate::diagnostic::{Code, Diagnostic, Pos};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Stamp `reviewed` on each file. Files are checked before any is written, so a refusal
/// leaves every file as it was.
pub fn run(
    files: &[PathBuf],
    today: Option<Date>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> std::io::Result<u8> {
    let mut planned = Vec::new();
    let mut refusals = Vec::new();
    for path in files {
        let shown = path.display().to_string();
        let root = site_root(path);
        let date = today
            .or_else(|| root.as_deref().and_then(site_today))
            .unwrap_or_else(Date::today);
        // Stamping writes the file: never through a link to one outside the site.
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        if let Some(f) = root
            .as_deref()
            .and_then(|r| crate::config::outside_link(r, &abs))
        {
            refusals.push(f);
            continue;
        }
        // Never through a link (even one inside the site: stamping would replace it with a
        // regular file) and never anything but a regular file (a FIFO would block the read).
        let bytes = match crate::write::read_regular(path) {
            Ok(b) => b,
            Err(e) => {
                refusals.push(unreadable(path, &shown, &e));
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                refusals.push(
                    Diagnostic::new(
                        Code::InvalidEncoding,
                        &shown,
                        Pos::START,
                        format!("{shown} is not valid UTF-8"),
                    )
                    .with_hint("re-save the file as UTF-8, then review it again"),
                );
                continue;
            }
        };
        match crate::content::edit::stamp(&text, date, &crate::adopt::aliases::Aliases) {
            Ok(s) => planned.push((path, shown, s, date, text)),
            Err(r) => {
                let mut d = Diagnostic::new(
                    Code::InvalidMetadata,
                    &shown,
                    Pos::new(r.line, r.column, 1),
                    format!(
                        "refusing to stamp a file whose front matter does not parse: {}",
                        r.message
                    ),
                )
                .with_source(&text);
                d.hint = r.hint.or(Some(
                    "fix the front matter first (`fieldbook check` shows what is wrong)".into(),
                ));
                refusals.push(d);
            }
        }
    }
    if !refusals.is_empty() {
        return fail(refusals, err, color);
    }
    for (path, shown, stamped, date, read) in planned {
        if !stamped.changed {
            writeln!(out, "{shown}: already reviewed {date}")?;
            continue;
        }
        // Written only if the file still holds what was read: an edit made meanwhile stays.
        crate::write::replace_if_unchanged(path, read.as_bytes(), stamped.text.as_bytes())
            .map_err(|e| std::io::Error::new(e.kind(), format!("{shown}: {e}")))?;
        match stamped.previous {
            Some(p) => writeln!(out, "{shown}: reviewed {p} -> {date}")?,
            None => writeln!(out, "{shown}: reviewed {date}")?,
        }
    }
    Ok(0)
}

/// The refusal of a file `review` or `handover` cannot read as a regular file: a link
/// (`symlink-outside`, whatever it points to), a FIFO or device, a directory, a missing file.
pub(crate) fn unreadable(path: &Path, shown: &str, e: &std::io::Error) -> Diagnostic {
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if link {
        return Diagnostic::new(
            Code::SymlinkOutside,
            shown,
            Pos::START,
            format!("{shown} is a symbolic link; refusing to edit through it"),
        )
        .with_hint("edit the file the link points to, or replace the link with the file");
    }
    let special = std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file());
    let hint = if special {
        "only regular files are edited; remove the special file (FIFO, device, directory) from content/"
    } else {
        "check the path; review and handover take Markdown files of the site"
    };
    Diagnostic::new(
        Code::IoError,
        shown,
        Pos::START,
        format!("cannot read {shown}: {e}"),
    )
    .with_hint(hint)
}

/// The directory of the site a file belongs to (the nearest one above it with a
/// configuration file).
fn site_root(file: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(file).ok()?;
    abs.ancestors()
        .skip(1)
        .find(|d| {
            d.join(crate::config::FIELDBOOK_FILE).is_file()
                || d.join(crate::config::CONFIG_FILE).is_file()
        })
        .map(Path::to_path_buf)
}

/// The pinned `[build] today` of the site at `root`: review stamps the same day the checks
/// judge by, so a pinned site never gets a review "from the future".
fn site_today(root: &Path) -> Option<Date> {
    crate::config::load(root).ok()?.today
}
