//! The commands behind the CLI. Each returns the process exit status (FORMAT.md): 0 clean,
//! 1 a `fail_on` finding, 2 a usage, configuration or I/O error.

use crate::date::Date;
use crate::diagnostic::render::{self, Format};
use crate::diagnostic::{Code, Diagnostic, Pos, Summary};
use crate::load;
use crate::model::Site;
use crate::report;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

pub struct CheckArgs<'a> {
    pub site: &'a Path,
    pub today: Option<Date>,
    pub strict: bool,
    pub format: Format,
    pub color: bool,
    /// Prometheus rule files (`--alert-rules`), in addition to `[check] alert_rules`.
    pub alert_rules: &'a [PathBuf],
    /// Write the findings into the baseline file instead of reporting them.
    pub update_baseline: bool,
}

/// Load the site and run every check. `Err` carries fatal diagnostics.
pub fn checked_site(
    site: &Path,
    today: Option<Date>,
    strict: bool,
) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    checked_site_with(site, today, strict, &[])
}

/// [`checked_site`], also checking the runbooks against `alert_rules` (and the rule files of
/// `[check] alert_rules`).
pub fn checked_site_with(
    site: &Path,
    today: Option<Date>,
    strict: bool,
    alert_rules: &[PathBuf],
) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut s = load::load_site(site, today)?;
    s.config.policy.strict = strict;
    let mut findings = crate::checks::run(&s);
    let alerts = crate::alerts::coverage::check(&s, alert_rules)?;
    if !alerts.is_empty() {
        findings.extend(alerts);
        s.config.policy.apply(&mut findings);
    }
    Ok((s, findings))
}

pub fn check(args: &CheckArgs<'_>, out: &mut dyn Write) -> std::io::Result<u8> {
    let opts = render::Options { color: args.color };
    let checked = checked_site_with(args.site, args.today, args.strict, args.alert_rules);
    let (documents, findings, progress) = match checked {
        Ok((site, findings)) if args.update_baseline => {
            return write_baseline(&site, &findings, out);
        }
        Ok((site, mut findings)) => match apply_baseline(&site, &mut findings) {
            Ok(progress) => (site.documents.len(), findings, progress),
            Err(fatal) => (0, fatal, None),
        },
        Err(fatal) => (0, fatal, None),
    };
    let mut summary = Summary::of(documents, &findings);
    summary.baseline = progress;
    out.write_all(render::render(args.format, &findings, &summary, &opts).as_bytes())?;
    Ok(summary.exit_code())
}

/// Mark the findings recorded in the site's `[check] baseline`; `Err` when the baseline file
/// is missing or malformed (fatal, as a configuration error).
pub fn apply_baseline(
    site: &Site,
    findings: &mut [Diagnostic],
) -> Result<Option<crate::baseline::Progress>, Vec<Diagnostic>> {
    let Some((path, pos)) = &site.config.adopt.baseline else {
        return Ok(None);
    };
    let shown = load::site_rel(&site.config, path);
    let b = crate::baseline::read(path, &shown, &site.config.file, *pos).map_err(|d| vec![d])?;
    Ok(Some(crate::baseline::apply(&b, findings)))
}

/// `check --update-baseline`: record every finding in the baseline file.
fn write_baseline(
    site: &Site,
    findings: &[Diagnostic],
    out: &mut dyn Write,
) -> std::io::Result<u8> {
    let configured = site.config.adopt.baseline.as_ref().map(|(p, _)| p.clone());
    let path = configured
        .clone()
        .unwrap_or_else(|| site.config.root.join(crate::baseline::DEFAULT_FILE));
    let b = crate::baseline::of(findings);
    crate::write::replace_file(&path, crate::baseline::to_json(&b).as_bytes())
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let shown = load::site_rel(&site.config, &path);
    let count: usize = b.findings.iter().map(|e| e.count).sum();
    writeln!(
        out,
        "baseline: recorded {} in {shown}",
        render::plural(count, "finding")
    )?;
    if configured.is_none() {
        writeln!(
            out,
            "add `[check] baseline = \"{shown}\"` to {} so that check and build use it",
            site.config.file
        )?;
    }
    Ok(0)
}

pub struct BuildArgs<'a> {
    pub site: &'a Path,
    pub today: Option<Date>,
    pub strict: bool,
    pub output: Option<PathBuf>,
    pub drafts: bool,
    pub color: bool,
    pub search_export: Option<PathBuf>,
}

/// Check, then build the site whatever the findings (their flags show in it), and fail with
/// status 1 when a `fail_on` finding exists so that `build && deploy` never publishes it.
pub fn build(args: &BuildArgs<'_>, err: &mut dyn Write) -> std::io::Result<u8> {
    let started = std::time::Instant::now();
    let interactive = std::io::stderr().is_terminal();
    let (site, mut findings) = match checked_site(args.site, args.today, args.strict) {
        Ok(x) => x,
        Err(fatal) => return fail(fatal, err, args.color),
    };
    let progress = match apply_baseline(&site, &mut findings) {
        Ok(p) => p,
        Err(fatal) => return fail(fatal, err, args.color),
    };
    let opts = crate::build::BuildOptions {
        output: args.output.clone(),
        drafts: args.drafts,
        progress: interactive,
        search_export: args.search_export.clone(),
    };
    let built = match crate::build::build(&site, &opts) {
        Ok(b) => b,
        Err(fatal) => return fail(fatal, err, args.color),
    };
    let mut summary = Summary::of(site.documents.len(), &findings);
    summary.baseline = progress;
    let shown: Vec<Diagnostic> = findings.iter().filter(|d| !d.baselined).cloned().collect();
    print_findings(&shown, err, args.color)?;
    if let Some(p) = &progress {
        writeln!(
            err,
            "baseline: {} in the baseline; {}",
            p.baselined,
            p.sentence()
        )?;
    }
    if let Err(e) = &built.search {
        writeln!(
            err,
            "warning: the terminal search index was not updated: {e}"
        )?;
    }
    writeln!(
        err,
        "build: {} pages and {} files in {}, {} errors, {} warnings, {:.2} s",
        built.pages,
        built.files - built.pages,
        built.output.display(),
        summary.errors,
        summary.warnings,
        started.elapsed().as_secs_f64()
    )?;
    Ok(summary.exit_code())
}

/// `fieldbook serve`: see [`crate::serve`].
pub fn serve(args: &crate::serve::ServeArgs, err: &mut dyn Write) -> std::io::Result<u8> {
    crate::serve::run(args, err)
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
    if let Some(why) = owner.and_then(|id| site.owners.unknown_id(id)) {
        writeln!(err, "error: {why}")?;
        return Ok(2);
    }
    let mut r = report::build(&site, owner);
    if site.config.adopt.baseline.is_some() {
        let mut findings = crate::checks::run(&site);
        match apply_baseline(&site, &mut findings) {
            Ok(p) => r.baseline = p,
            Err(fatal) => return fail(fatal, err, color),
        }
    }
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
            Err(e) => {
                refusals.push(
                    Diagnostic::new(
                        Code::IoError,
                        &shown,
                        Pos::START,
                        format!("cannot read {shown}: {e}"),
                    )
                    .with_hint("check the path; review takes Markdown files of the site"),
                );
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
    let root = abs.ancestors().skip(1).find(|d| {
        d.join(crate::config::FIELDBOOK_FILE).is_file()
            || d.join(crate::config::CONFIG_FILE).is_file()
    })?;
    crate::config::load(root).ok()?.today
}

/// Print diagnostics that stop a command (human form, as errors) and return exit status 2.
pub fn fail(mut diags: Vec<Diagnostic>, err: &mut dyn Write, color: bool) -> std::io::Result<u8> {
    for d in &mut diags {
        d.severity = crate::diagnostic::Severity::Error;
    }
    print_findings(&diags, err, color)?;
    writeln!(
        err,
        "error: stopped by {}",
        render::plural(diags.len(), "error")
    )?;
    Ok(2)
}

/// Findings in human form without the closing `check:` summary, for commands that print a
/// summary of their own.
pub(crate) fn print_findings(
    findings: &[Diagnostic],
    err: &mut dyn Write,
    color: bool,
) -> std::io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let text = render::render(
        Format::Human,
        findings,
        &Summary::of(0, findings),
        &render::Options { color },
    );
    let body = text.trim_end().rsplit_once('\n').map_or("", |(b, _)| b);
    writeln!(err, "{}", body.trim_end())
}
