//! The commands behind the CLI. Each returns the process exit status (FORMAT.md): 0 clean,
//! 1 a `fail_on` finding, 2 a usage, configuration or I/O error.

use crate::date::Date;
use crate::diagnostic::render::{self, Format};
use crate::diagnostic::{Code, Diagnostic, Pos, Summary};
use crate::load;
use crate::model::Site;
use crate::report;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct CheckArgs<'a> {
    pub site: &'a Path,
    pub today: Option<Date>,
    pub strict: bool,
    pub format: Format,
    pub color: bool,
}

/// Load the site and run every check. `Err` carries fatal diagnostics.
pub fn checked_site(
    site: &Path,
    today: Option<Date>,
    strict: bool,
) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut s = load::load_site(site, today)?;
    s.config.policy.strict = strict;
    let findings = crate::checks::run(&s);
    Ok((s, findings))
}

pub fn check(args: &CheckArgs<'_>, out: &mut dyn Write) -> std::io::Result<u8> {
    let opts = render::Options { color: args.color };
    let (documents, findings) = match checked_site(args.site, args.today, args.strict) {
        Ok((site, findings)) => (site.documents.len(), findings),
        Err(fatal) => (0, fatal),
    };
    let summary = Summary::of(documents, &findings);
    out.write_all(render::render(args.format, &findings, &summary, &opts).as_bytes())?;
    Ok(summary.exit_code())
}

pub fn report(
    site: &Path,
    today: Option<Date>,
    owner: Option<&str>,
    format: report::Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> std::io::Result<u8> {
    let site = match load::load_site(site, today) {
        Ok(s) => s,
        Err(fatal) => return fail(fatal, err, color),
    };
    if let Some(id) = owner
        && !site.owners.people.contains_key(id)
        && !site.owners.teams.contains_key(id)
    {
        let hint = match site.owners.suggest(id) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "use a person or team id from owners.yaml".into(),
        };
        writeln!(err, "error: `{id}` is not an owner in owners.yaml; {hint}")?;
        return Ok(2);
    }
    let r = report::build(&site, owner);
    out.write_all(report::render(&r, format).as_bytes())?;
    Ok(0)
}

/// Stamp `reviewed` on each file. Files are checked before any is written, so a refusal
/// leaves every file as it was.
pub fn review(
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
        let date = today
            .or_else(|| site_today(path))
            .unwrap_or_else(Date::today);
        let text = match std::fs::read(path).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => {
                refusals.push(Diagnostic::new(
                    Code::InvalidEncoding,
                    &shown,
                    Pos::START,
                    format!("{shown} is not valid UTF-8"),
                ));
                continue;
            }
            Err(e) => {
                refusals.push(Diagnostic::new(
                    Code::IoError,
                    &shown,
                    Pos::START,
                    format!("cannot read {shown}: {e}"),
                ));
                continue;
            }
        };
        match crate::review::stamp(&text, date) {
            Ok(s) => planned.push((path, shown, s, date)),
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
                d.hint = r.hint;
                refusals.push(d);
            }
        }
    }
    if !refusals.is_empty() {
        return fail(refusals, err, color);
    }
    for (path, shown, stamped, date) in planned {
        if !stamped.changed {
            writeln!(out, "{shown}: already reviewed {date}")?;
            continue;
        }
        crate::write::replace_file(path, stamped.text.as_bytes())
            .map_err(|e| std::io::Error::new(e.kind(), format!("{shown}: {e}")))?;
        match stamped.previous {
            Some(p) => writeln!(out, "{shown}: reviewed {p} -> {date}")?,
            None => writeln!(out, "{shown}: reviewed {date}")?,
        }
    }
    Ok(0)
}

/// The pinned `[build] today` of the site a file belongs to: review stamps the same day the
/// checks judge by, so a pinned site never gets a review "from the future".
fn site_today(file: &Path) -> Option<Date> {
    let abs = std::path::absolute(file).ok()?;
    let root = abs
        .ancestors()
        .skip(1)
        .find(|d| d.join(crate::config::CONFIG_FILE).is_file())?;
    crate::config::load(root).ok()?.today
}

/// Print fatal diagnostics (human form) and return exit status 2.
pub fn fail(diags: Vec<Diagnostic>, err: &mut dyn Write, color: bool) -> std::io::Result<u8> {
    let summary = Summary::of(0, &diags);
    err.write_all(
        render::render(Format::Human, &diags, &summary, &render::Options { color }).as_bytes(),
    )?;
    Ok(2)
}
