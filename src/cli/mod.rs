//! The commands behind the CLI. Each returns the process exit status (FORMAT.md): 0 clean,
//! 1 a `fail_on` finding, 2 a usage, configuration or I/O error.

pub mod handover;
pub mod init;
pub mod report;
pub mod review;

use crate::content::date::Date;
use crate::diagnostic::format::{self, Format};
use crate::diagnostic::format::{fail, print_findings};
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos, Summary};
use crate::load;
use crate::model::Site;
use crate::pipeline::{checked_site, checked_site_with};
use std::ffi::OsStr;
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
    /// `--path-prefix`: where the site directory is in the repository.
    pub path_prefix: Option<&'a str>,
    /// `--inbound DIR --part NAME`: also report the links other parts (the part folders in
    /// DIR) make into this one that the site as it is now would break.
    pub inbound: Option<(&'a Path, &'a str)>,
    /// `--external`: also request every outside link (`dead-link`, docs/checks.md).
    pub external: bool,
}

/// The inbound link findings of `check --inbound DIR --part NAME`: the site's manifest as
/// `build --part NAME` would write it, against each part folder in `dir` (sorted; a folder
/// that does not read as a part is a finding of its own).
fn inbound_findings(
    site: &Site,
    findings: &[Diagnostic],
    dir: &Path,
    name: &str,
) -> Vec<Diagnostic> {
    if let Some(why) = crate::parts::invalid_name(name) {
        let message = format!("--part {name:?} is not a part name: {why}");
        return vec![Diagnostic::new(
            Code::OutputError,
            "--part",
            Pos::START,
            message,
        )];
    }
    let docs = crate::search::documents(site, false);
    let ours = crate::parts::Manifest::of(site, name, findings, &docs);
    let mut out = Vec::new();
    let mut others = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            let message = format!("cannot read the parts folder {}: {e}", dir.display());
            return vec![Diagnostic::new(
                Code::OutputError,
                dir.display().to_string(),
                Pos::START,
                message,
            )];
        }
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir()))
        .filter(|p| p.join(crate::parts::MANIFEST).exists())
        .collect();
    dirs.sort();
    for d in dirs.iter().take(crate::load::MAX_LIST) {
        match crate::compose::read_part(d) {
            Ok(p) => others.push(p),
            Err(fatal) => out.extend(fatal),
        }
    }
    out.extend(crate::compose::inbound(ours, others));
    out
}

pub fn check(args: &CheckArgs<'_>, out: &mut dyn Write) -> std::io::Result<u8> {
    let opts = format::Options {
        color: args.color,
        path_prefix: path_prefix(
            args.path_prefix,
            std::env::var_os("GITHUB_WORKSPACE").as_deref(),
            args.site,
        ),
    };
    let checked = checked_site_with(
        args.site,
        args.today,
        args.strict,
        args.alert_rules,
        args.external,
    );
    let (site, findings, progress) = match checked {
        Ok((site, findings)) if args.update_baseline => {
            return write_baseline(&site, &findings, out);
        }
        Ok((site, mut findings)) => match apply_baseline(&site, &mut findings) {
            Ok(progress) => {
                history_note(&site);
                shellcheck_note(&site);
                if let Some((dir, name)) = args.inbound {
                    findings.extend(inbound_findings(&site, &findings, dir, name));
                }
                (Some(site), findings, progress)
            }
            Err(fatal) => (None, fatal, None),
        },
        Err(fatal) => (None, fatal, None),
    };
    let documents = site.as_ref().map_or(0, |s| s.documents.len());
    let mut summary = Summary::of(documents, &findings);
    summary.baseline = progress;
    out.write_all(format::render(args.format, &findings, &summary, &opts).as_bytes())?;
    if let Some(file) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|f| !f.is_empty()) {
        let docs = summary_documents(site.as_ref(), &findings, |name| std::env::var(name).ok());
        let text = format::step_summary::render(&findings, &summary, &opts, &docs);
        // The summary is a courtesy: failing to write it leaves the run's result as it is.
        if let Err(e) = append(Path::new(&file), &text) {
            eprintln!(
                "warning: could not append to GITHUB_STEP_SUMMARY {}: {e}",
                Path::new(&file).display()
            );
        }
    }
    Ok(summary.exit_code())
}

/// Say once, on standard error, that a shallow clone leaves the review-history checks out
/// (a site outside git has no history to check, which needs no saying: docs/freshness-history.md).
fn history_note(site: &Site) {
    if !site.config.history.enabled || !site.history.shallow {
        return;
    }
    let why = "this is a shallow clone (fetch the whole history: `git fetch --unshallow`, or `fetch-depth: 0` for actions/checkout)";
    eprintln!("note: review history not checked: {why}");
}

/// Say once, on standard error, that shell blocks were not checked because shellcheck is
/// not installed (docs/checks.md), rather than once per block.
fn shellcheck_note(site: &Site) {
    if crate::checks::code::shellcheck_missing(site) {
        eprintln!(
            "note: shell code blocks not checked: shellcheck is not installed (`apt-get install shellcheck`, `brew install shellcheck`; or set `[check] shellcheck = false` in {})",
            site.config.file
        );
    }
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}

/// What the job summary shows of the documents with findings: titles, owners with their team
/// channel, the page when `base_url` is a full URL; and, from the GitHub Actions variables
/// (`env`), where the repository's files are browsed at this commit.
fn summary_documents(
    site: Option<&Site>,
    findings: &[Diagnostic],
    env: impl Fn(&str) -> Option<String>,
) -> format::step_summary::Documents {
    let source_url = match (
        env("GITHUB_SERVER_URL"),
        env("GITHUB_REPOSITORY"),
        env("GITHUB_SHA"),
    ) {
        (Some(server), Some(repo), Some(sha)) if !repo.is_empty() && !sha.is_empty() => Some(
            format!("{}/{repo}/blob/{sha}/", server.trim_end_matches('/')),
        ),
        _ => None,
    };
    let mut docs = format::step_summary::Documents {
        source_url,
        ..Default::default()
    };
    let Some(site) = site else {
        return docs;
    };
    let base = &site.config.book.base_url;
    let absolute = base.starts_with("https://") || base.starts_with("http://");
    let by_file: std::collections::HashMap<&str, &crate::model::Document> = site
        .documents
        .iter()
        .map(|doc| (doc.file.as_str(), doc))
        .collect();
    for d in findings {
        let Some(doc) = by_file.get(d.file.as_str()) else {
            continue;
        };
        docs.by_file
            .entry(d.file.clone())
            .or_insert_with(|| format::step_summary::Document {
                title: doc.title.clone(),
                owners: doc.owners.iter().map(|id| site.owners.label(id)).collect(),
                page: absolute.then(|| format!("{base}{}", doc.url())),
            });
    }
    docs
}

/// The path prefix of the CI formats: `--path-prefix` when given, else on GitHub Actions the
/// site directory's place under `GITHUB_WORKSPACE` (the checkout) when it is under it.
fn path_prefix(given: Option<&str>, workspace: Option<&OsStr>, site: &Path) -> Option<String> {
    if let Some(given) = given {
        return format::normalize_prefix(given);
    }
    let workspace = std::fs::canonicalize(workspace.filter(|w| !w.is_empty())?).ok()?;
    let site = std::fs::canonicalize(site).ok()?;
    let rel = site.strip_prefix(&workspace).ok()?;
    format::normalize_prefix(&rel.to_str()?.replace(std::path::MAIN_SEPARATOR, "/"))
}

/// Mark the findings recorded in the site's `[check] baseline`; `Err` when the baseline file
/// is missing or malformed (fatal, as a configuration error).
pub fn apply_baseline(
    site: &Site,
    findings: &mut [Diagnostic],
) -> Result<Option<crate::checks::baseline::Progress>, Fatal> {
    let Some((path, pos)) = &site.config.adopt.baseline else {
        return Ok(None);
    };
    let shown = crate::config::site_rel(&site.config, path);
    let b = crate::checks::baseline::read(path, &shown, &site.config.file, *pos)?;
    Ok(Some(crate::checks::baseline::apply(&b, findings)))
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
        .unwrap_or_else(|| site.config.root.join(crate::checks::baseline::DEFAULT_FILE));
    let b = crate::checks::baseline::of(findings);
    crate::write::replace_file(&path, crate::checks::baseline::to_json(&b).as_bytes())
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let shown = crate::config::site_rel(&site.config, &path);
    let count: usize = b.findings.iter().map(|e| e.count).sum();
    writeln!(
        out,
        "baseline: recorded {} in {shown}",
        format::plural(count, "finding")
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
    pub search_export_format: crate::search::export::ExportFormat,
    /// `--part NAME`: build a relocatable part under `NAME/` (docs/many-repos.md).
    pub part: Option<String>,
}

/// Check, then build the site whatever the findings (their flags show in it), and fail with
/// status 1 when a `fail_on` finding exists so that `build && deploy` never publishes it.
pub fn build(args: &BuildArgs<'_>, err: &mut dyn Write) -> std::io::Result<u8> {
    let started = std::time::Instant::now();
    let interactive = std::io::stderr().is_terminal();
    let (mut site, mut findings) = match checked_site(args.site, args.today, args.strict) {
        Ok(x) => x,
        Err(fatal) => return fail(fatal, err, args.color),
    };
    if args.drafts {
        // Drafts are published too: their pages may collide as well.
        use crate::build::collisions;
        match collisions::check(&site, true) {
            Ok(mut with_drafts) => {
                findings.retain(|d| !collisions::is_collision(d.code));
                with_drafts.retain(|d| collisions::is_collision(d.code));
                findings.extend(with_drafts);
                site.config.policy.apply(&mut findings);
            }
            Err(fatal) => return fail(fatal, err, args.color),
        }
    }
    let progress = match apply_baseline(&site, &mut findings) {
        Ok(p) => p,
        Err(fatal) => return fail(fatal, err, args.color),
    };
    if let Some(name) = &args.part {
        // The part's pages live under `NAME/` of the composed site.
        site.config.book.base_url.push_str(name);
        site.config.book.base_url.push('/');
    }
    let part = args
        .part
        .as_ref()
        .map(|name| crate::build::part::PartOptions {
            name: name.clone(),
            findings: findings.iter().filter(|d| !d.baselined).cloned().collect(),
        });
    let opts = crate::build::BuildOptions {
        part,
        output: args.output.clone(),
        drafts: args.drafts,
        progress: interactive,
        search_export: args.search_export.clone(),
        search_export_format: args.search_export_format,
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

/// `fieldbook compose`: see [`crate::compose`]. Exit 1 when links between parts are broken
/// (the site is written either way, as with `build`), 2 when a part cannot be composed.
pub fn compose(
    parts: &[PathBuf],
    output: &Path,
    today: Option<Date>,
    err: &mut dyn Write,
    color: bool,
) -> std::io::Result<u8> {
    let started = std::time::Instant::now();
    let done = match crate::compose::compose(parts, output, today.unwrap_or_else(Date::today)) {
        Ok(d) => d,
        Err(fatal) => return fail(fatal, err, color),
    };
    print_findings(&done.findings, err, color)?;
    writeln!(
        err,
        "compose: {} parts, {} files in {}, {} broken links between parts, {:.2} s",
        done.parts,
        done.files,
        done.output.display(),
        done.findings.len(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(u8::from(!done.findings.is_empty()))
}

/// `fieldbook serve`: see [`crate::serve`].
pub fn serve(args: &crate::serve::ServeArgs, err: &mut dyn Write) -> std::io::Result<u8> {
    crate::serve::run(args, err)
}

/// The site for a command that may name an owner: `Err(status)` (2, said on `err`) when the
/// site does not load or the owner is in neither people nor teams.
fn load_for_owner(
    site: &Path,
    today: Option<Date>,
    owner: Option<&str>,
    err: &mut dyn Write,
    color: bool,
) -> std::io::Result<Result<Site, u8>> {
    let site = match load::load_site(site, today) {
        Ok(s) => s,
        Err(fatal) => return fail(fatal, err, color).map(Err),
    };
    if let Some(why) = owner.and_then(|id| site.owners.unknown_id(id)) {
        writeln!(err, "error: {why}")?;
        return Ok(Err(2));
    }
    Ok(Ok(site))
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
    let mut site = match load_for_owner(site, today, owner, err, color)? {
        Ok(site) => site,
        Err(code) => return Ok(code),
    };
    let mut r = report::build(&site, owner);
    if site.config.adopt.baseline.is_some() {
        // Progress counts what `check` finds: the same list of checks, history included.
        crate::pipeline::read_history(&mut site);
        let findings = crate::pipeline::findings(&site, &crate::pipeline::Checks::all(&[]));
        let mut findings = match findings {
            Ok(f) => f,
            Err(fatal) => return fail(fatal, err, color),
        };
        match apply_baseline(&site, &mut findings) {
            Ok(p) => r.baseline = p,
            Err(fatal) => return fail(fatal, err, color),
        }
    }
    out.write_all(report::render(&r, format).as_bytes())?;
    Ok(0)
}

/// `fieldbook pack`: the selected runbooks in one self-contained HTML file.
pub fn pack(
    site: &Path,
    today: Option<Date>,
    selection: &crate::build::pack::Selection,
    output: &Path,
    err: &mut dyn Write,
    color: bool,
) -> std::io::Result<u8> {
    let team = match selection {
        crate::build::pack::Selection::Team(id) => Some(id.as_str()),
        _ => None,
    };
    let site = match load_for_owner(site, today, team, err, color)? {
        Ok(site) => site,
        Err(code) => return Ok(code),
    };
    let pack = crate::build::pack::pack(&site, selection);
    crate::write::replace_file(output, pack.html.as_bytes())
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", output.display())))?;
    writeln!(
        err,
        "pack: {} in {} ({} KiB)",
        format::plural(pack.runbooks, "runbook"),
        output.display(),
        pack.html.len().div_ceil(1024)
    )?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_prefix_given_or_from_the_github_workspace() {
        let repo = tempfile::tempdir().unwrap();
        let site = repo.path().join("docs/handbook");
        std::fs::create_dir_all(&site).unwrap();
        let ws = Some(repo.path().as_os_str());
        assert_eq!(
            path_prefix(Some("./docs/handbook/"), None, &site).as_deref(),
            Some("docs/handbook")
        );
        // Given wins, and `.` says "the repository's root".
        assert_eq!(path_prefix(Some("."), ws, &site), None);
        assert_eq!(
            path_prefix(None, ws, &site).as_deref(),
            Some("docs/handbook")
        );
        // A relative site directory is resolved first.
        let inside = site.join("content");
        std::fs::create_dir_all(&inside).unwrap();
        assert_eq!(
            path_prefix(None, ws, &inside.join("..")).as_deref(),
            Some("docs/handbook")
        );
        assert_eq!(path_prefix(None, ws, repo.path()), None);
        assert_eq!(path_prefix(None, None, &site), None);
        assert_eq!(path_prefix(None, Some(OsStr::new("")), &site), None);
        // A site outside the checkout keeps its own paths.
        let elsewhere = tempfile::tempdir().unwrap();
        assert_eq!(path_prefix(None, ws, elsewhere.path()), None);
    }
}
