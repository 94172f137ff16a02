//! The commands behind the CLI. Each returns the process exit status (FORMAT.md): 0 clean,
//! 1 a `fail_on` finding, 2 a usage, configuration or I/O error.

pub mod handover;
pub mod init;
pub mod report;
pub mod review;

use crate::content::date::Date;
use crate::diagnostic::format::{self, Format};
use crate::diagnostic::format::{fail, print_findings};
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos, Severity, Summary};
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
    /// `--no-cache`: neither reuse nor save the build cache.
    pub no_cache: bool,
    /// `--cache-dir DIR`: instead of `[build] cache_dir`.
    pub cache_dir: Option<PathBuf>,
    /// `--verify-cache`: also build clean into a temporary directory and compare.
    pub verify_cache: bool,
}

/// How many differing files `--verify-cache` names.
const VERIFY_NAMED: usize = 10;

/// Check, then build the site whatever the findings (their flags show in it), and fail with
/// status 1 when a `fail_on` finding exists so that `build && deploy` never publishes it.
/// With the build cache (`build::cache`), a build whose inputs and output did not change
/// since the last one writes nothing and says again what that one said.
pub fn build(args: &BuildArgs<'_>, err: &mut dyn Write) -> std::io::Result<u8> {
    let started = std::time::Instant::now();
    let (session, today) = match cache_session(args) {
        Ok(s) => s,
        Err(note) => {
            writeln!(err, "note: {note}")?;
            (None, args.today)
        }
    };
    crate::diagnostic::trace::step("cache opened");
    if let Some(s) = &session {
        for n in &s.notes {
            writeln!(err, "note: {n}")?;
        }
    }
    if let Some(report) = session.as_ref().and_then(|s| s.reusable()) {
        print_report(report, None, err, args.color)?;
        writeln!(
            err,
            "{}, {:.2} s, nothing changed: the output was reused",
            summary_line(report),
            started.elapsed().as_secs_f64()
        )?;
        let target = PathBuf::from(&report.output);
        return verify(args, report.exit, &target, err);
    }
    let plan = session.as_ref().and_then(|s| s.plan());
    crate::diagnostic::trace::step("cache planned");
    let recording = session.is_some() && crate::write::record_reads(crate::build::cache::HASH);
    let outcome = check_and_build(args, today, plan.as_ref(), session.as_ref());
    let reads = if recording {
        crate::write::recorded_reads()
    } else {
        Default::default()
    };
    let Built {
        report,
        search_warning,
        state,
        updated,
    } = match outcome {
        Ok(x) => x,
        Err(fatal) => return fail(fatal, err, args.color),
    };
    print_report(&report, search_warning.as_deref(), err, args.color)?;
    let how = updated.map_or(String::new(), |u| {
        format!(
            ": the last build updated, {} pages and {} index pages rendered, {} files removed",
            u.pages, u.index, u.removed
        )
    });
    writeln!(
        err,
        "{}, {:.2} s{how}",
        summary_line(&report),
        started.elapsed().as_secs_f64()
    )?;
    if let Some(s) = session
        && search_warning.is_none()
        && let Err(why) = s.save(reads, &report, state)
    {
        writeln!(err, "note: the build cache was not saved: {why}")?;
    }
    crate::diagnostic::trace::step("cache saved");
    verify(args, report.exit, Path::new(&report.output), err)
}

/// The build cache for `args`, and the judging date the build then uses (the one the
/// cache keyed on). `Ok((None, _))`: no cache, nothing to say (`--no-cache`, a search
/// export, a configuration the build itself will report); `Err`: no cache, said why.
fn cache_session(
    args: &BuildArgs<'_>,
) -> Result<(Option<crate::build::cache::Session>, Option<Date>), String> {
    use crate::build::cache;
    if args.no_cache || args.search_export.is_some() {
        return Ok((None, args.today));
    }
    let Ok(config) = crate::config::load(args.site) else {
        return Ok((None, args.today));
    };
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| config.output_dir.clone());
    let Ok(target) = crate::build::output::check_target(&output, &config.root, &config.content_dir)
    else {
        return Ok((None, args.today));
    };
    let today = args.today.or(config.today).unwrap_or_else(Date::today);
    let settings = cache::Settings::new(
        &config,
        &target,
        today,
        args.drafts,
        args.strict,
        args.part.as_deref(),
    );
    let dir = args
        .cache_dir
        .clone()
        .unwrap_or_else(|| config.cache_dir.clone());
    let session = cache::Session::open(&dir, &config, &target, settings)?;
    Ok((Some(session), Some(today)))
}

/// What [`check_and_build`] did.
struct Built {
    report: crate::build::cache::Report,
    /// The terminal search index was not updated: why.
    search_warning: Option<String>,
    state: Option<crate::build::cache::SiteState>,
    updated: Option<crate::build::update::Updated>,
}

/// Check and build: what the build says, and the terminal search index's warning. With a
/// `plan` from the build cache, the last output is updated when the plan fits; with the
/// cache's session, the site is recorded for the next build, the replaced output kept and
/// the search analyses reused.
fn check_and_build(
    args: &BuildArgs<'_>,
    today: Option<Date>,
    plan: Option<&crate::build::cache::Plan>,
    cache: Option<&crate::build::cache::Session>,
) -> Result<Built, Fatal> {
    use crate::build::cache::{Finding, Report};
    let interactive = std::io::stderr().is_terminal();
    let (mut site, mut findings) = checked_site(args.site, today, args.strict)?;
    crate::diagnostic::trace::step("loaded and checked");
    if args.drafts {
        // Drafts are published too: their pages may collide as well.
        use crate::build::collisions;
        let mut with_drafts = collisions::check(&site, true)?;
        findings.retain(|d| !collisions::is_collision(d.code));
        with_drafts.retain(|d| collisions::is_collision(d.code));
        findings.extend(with_drafts);
        site.config.policy.apply(&mut findings);
    }
    let progress = apply_baseline(&site, &mut findings)?;
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
        spare: cache.and_then(crate::build::cache::Session::spare),
        terms_cache: cache.map(crate::build::cache::Session::terms_cache),
    };
    // Which of two colliding pages a build keeps depends on every page: build them all.
    let plan = plan.filter(|_| {
        !findings
            .iter()
            .any(|d| crate::build::collisions::is_collision(d.code))
    });
    let built = crate::build::build_recorded(&site, &opts, plan, cache.is_some())?;
    let mut summary = Summary::of(site.documents.len(), &findings);
    summary.baseline = progress;
    let report = Report {
        findings: findings
            .iter()
            .filter(|d| !d.baselined)
            .map(Finding::of)
            .collect(),
        baseline: progress.map(|p| {
            format!(
                "baseline: {} in the baseline; {}",
                p.baselined,
                p.sentence()
            )
        }),
        pages: built.pages,
        files: built.files,
        output: built.output.display().to_string(),
        errors: summary.errors,
        warnings: summary.warnings,
        exit: summary.exit_code(),
    };
    Ok(Built {
        report,
        search_warning: built.search.err(),
        state: built.state,
        updated: built.updated,
    })
}

/// What a build says before its summary line: its findings, the baseline's progress, a
/// search index that could not be updated.
fn print_report(
    report: &crate::build::cache::Report,
    search_warning: Option<&str>,
    err: &mut dyn Write,
    color: bool,
) -> std::io::Result<()> {
    let shown: Vec<Diagnostic> = report
        .findings
        .iter()
        .filter_map(crate::build::cache::Finding::diagnostic)
        .collect();
    print_findings(&shown, err, color)?;
    if let Some(line) = &report.baseline {
        writeln!(err, "{line}")?;
    }
    if let Some(e) = search_warning {
        writeln!(
            err,
            "warning: the terminal search index was not updated: {e}"
        )?;
    }
    Ok(())
}

/// The build's summary line, without its time.
fn summary_line(report: &crate::build::cache::Report) -> String {
    format!(
        "build: {} pages and {} files in {}, {} errors, {} warnings",
        report.pages,
        report.files - report.pages,
        report.output,
        report.errors,
        report.warnings
    )
}

/// `--verify-cache`: build clean (no cache) into a temporary directory and compare it with
/// `target` file by file. The status is the build's, or 1 when they differ.
fn verify(
    args: &BuildArgs<'_>,
    status: u8,
    target: &Path,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    if !args.verify_cache || status == 2 {
        return Ok(status);
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let tmp = std::env::temp_dir().join(format!("fieldbook-verify-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&tmp)?;
    let clean = BuildArgs {
        site: args.site,
        today: args.today,
        strict: args.strict,
        output: Some(tmp.join("site")),
        drafts: args.drafts,
        color: args.color,
        search_export: None,
        search_export_format: args.search_export_format,
        part: args.part.clone(),
        no_cache: true,
        cache_dir: None,
        verify_cache: false,
    };
    let mut said = Vec::new();
    let code = build(&clean, &mut said)?;
    let compared = if code == 2 {
        None
    } else {
        Some(crate::build::cache::compare_dirs(target, &tmp.join("site")))
    };
    let _ = std::fs::remove_dir_all(&tmp);
    match compared {
        None => {
            err.write_all(&said)?;
            writeln!(err, "verify-cache: the clean build failed")?;
            Ok(2)
        }
        Some(Err(e)) => {
            writeln!(err, "verify-cache: cannot compare the outputs: {e}")?;
            Ok(2)
        }
        Some(Ok((differ, total))) if differ.is_empty() => {
            writeln!(
                err,
                "verify-cache: the output is identical to a clean build ({})",
                format::plural(total, "file")
            )?;
            Ok(status)
        }
        Some(Ok((differ, _))) => {
            let mut names = differ
                .iter()
                .take(VERIFY_NAMED)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if differ.len() > VERIFY_NAMED {
                names.push_str(&format!(" and {} more", differ.len() - VERIFY_NAMED));
            }
            writeln!(
                err,
                "verify-cache: {} of the output differ from a clean build: {names}",
                format::plural(differ.len(), "file")
            )?;
            Ok(1)
        }
    }
}

/// What `fieldbook compose` is given.
pub struct ComposeArgs<'a> {
    pub parts: &'a [PathBuf],
    pub site: &'a Path,
    pub output: Option<&'a Path>,
    pub today: Option<Date>,
    pub keep_last_good: Option<&'a Path>,
}

/// `fieldbook compose`: see [`crate::compose`]. Exit 1 when links between parts are broken
/// or a part is left out (the site is written either way, as with `build`), 2 when a part
/// cannot be composed; a part composed from its last good copy is a warning only.
pub fn compose(args: &ComposeArgs<'_>, err: &mut dyn Write, color: bool) -> std::io::Result<u8> {
    let started = std::time::Instant::now();
    let keep_given = args.keep_last_good.map(Path::to_path_buf);
    // Part folders given, or those the handbook's book.toml lists.
    let (parts, output, today, (book, paths), keep) = if args.parts.is_empty() {
        let config = match crate::config::load(args.site) {
            Ok(c) => c,
            Err(fatal) => return fail(fatal, err, color),
        };
        let found = crate::compose::configured_parts(&config);
        if found.is_empty() {
            writeln!(
                err,
                "error: no parts to compose: give part folders, or list them in {}'s [compose] parts",
                config.file
            )?;
            return Ok(2);
        }
        let output = args
            .output
            .map_or_else(|| config.output_dir.clone(), Path::to_path_buf);
        let keep = match keep_given.or(config.compose_keep_last_good.clone()) {
            Some(dir) => match handbook_roster(&config) {
                Ok(roster) => Some(crate::compose::KeepLastGood { dir, roster }),
                Err(fatal) => return fail(fatal, err, color),
            },
            None => None,
        };
        (
            found,
            output,
            args.today.or(config.today),
            (config.book, config.paths),
            keep,
        )
    } else {
        let Some(output) = args.output else {
            writeln!(err, "error: --output is needed when part folders are given")?;
            return Ok(2);
        };
        // No handbook, so no roster to hold the parts to.
        let keep = keep_given.map(|dir| crate::compose::KeepLastGood { dir, roster: None });
        (
            args.parts.to_vec(),
            output.to_path_buf(),
            args.today,
            (crate::config::Book::default(), Vec::new()),
            keep,
        )
    };
    let today = today.unwrap_or_else(Date::today);
    let done = match crate::compose::compose(&parts, &output, today, (&book, &paths), keep.as_ref())
    {
        Ok(d) => d,
        Err(fatal) => return fail(fatal, err, color),
    };
    print_findings(&done.findings, err, color)?;
    writeln!(
        err,
        "compose: {} parts, {} files in {}, {} findings (links between parts, cards, search indexes, last good parts), {:.2} s",
        done.parts,
        done.files,
        done.output.display(),
        done.findings.len(),
        started.elapsed().as_secs_f64()
    )?;
    let fails = |d: &Diagnostic| d.code != Code::LastGoodPart || d.severity == Severity::Error;
    Ok(u8::from(done.findings.iter().any(fails)))
}

/// The hash of the handbook's owners file (`[owners] file`), as `build --part` records a
/// part's; `None` when the handbook has none.
fn handbook_roster(config: &crate::config::Config) -> Result<Option<String>, Fatal> {
    match crate::config::read_inside(&config.root, &config.owners_file, config.max_file_bytes) {
        Ok(bytes) => Ok(Some(crate::parts::roster_hash(&bytes)).filter(|h| !h.is_empty())),
        Err(crate::config::Unread::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(vec![Diagnostic::new(
            Code::InvalidOwners,
            config.owners_file.display().to_string(),
            Pos::START,
            format!("cannot read the handbook's owners file: {}", e.into_io()),
        )]),
    }
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
