//! The stages put together as every command runs them: load the site and its git history (read
//! once, kept on the site for the pages), run every check, the review-history checks, the
//! output collisions and the Prometheus rules against the pages a build would write.

use crate::checks;
use crate::content::date::Date;
use crate::diagnostic::{Diagnostic, Fatal};
use crate::load;
use crate::model::Site;
use std::path::{Path, PathBuf};

/// Load the site and run every check. `Err` carries fatal diagnostics.
pub fn checked_site(
    site: &Path,
    today: Option<Date>,
    strict: bool,
) -> Result<(Site, Vec<Diagnostic>), Fatal> {
    load_and_check(site, today, strict, &[], |_| false)
}

/// [`checked_site`], also checking the runbooks against `alert_rules` (and the rule files of
/// `[check] alert_rules`), and their outside links when `external` (`check --external`) or
/// `[check] external_links` asks for it: only `check` does.
pub fn checked_site_with(
    site: &Path,
    today: Option<Date>,
    strict: bool,
    alert_rules: &[PathBuf],
    external: bool,
) -> Result<(Site, Vec<Diagnostic>), Fatal> {
    load_and_check(site, today, strict, alert_rules, |c| {
        external || c.external.enabled
    })
}

/// Load the site and run the checks, the outside links when `external` says so of its
/// configuration.
fn load_and_check(
    site: &Path,
    today: Option<Date>,
    strict: bool,
    alert_rules: &[PathBuf],
    external: impl Fn(&crate::config::Config) -> bool,
) -> Result<(Site, Vec<Diagnostic>), Fatal> {
    let config = crate::config::load(site)?;
    // git reads the history in its own process while the site loads.
    let dir = config.content_dir.clone();
    let history = std::thread::spawn(move || load::git::read(&dir));
    let mut s = load::load_configured(config, today)?;
    crate::diagnostic::trace::step("site loaded");
    s.config.policy.strict = strict;
    s.history = std::sync::Arc::new(history.join().unwrap_or_default());
    crate::diagnostic::trace::step("history read");
    let which = Checks {
        external: external(&s.config),
        ..Checks::all(alert_rules)
    };
    let findings = findings(&s, &which)?;
    Ok((s, findings))
}

/// Which findings [`findings`] reports.
pub struct Checks<'a> {
    /// Prometheus rule files besides those of `[check] alert_rules`.
    pub alert_rules: &'a [PathBuf],
    /// The files whose findings to report (site-relative paths, as findings name them):
    /// what `serve` prints after an edit. Checks of one document run only for these.
    pub files: Option<&'a (dyn Fn(&str) -> bool + Sync)>,
    /// Drafts are built (`--drafts`): their pages take part in output collisions.
    pub drafts: bool,
    /// Request the outside links (`dead-link`, [`checks::external`]): `check --external` or
    /// `[check] external_links`, never `build`, `serve` or `report`.
    pub external: bool,
}

impl<'a> Checks<'a> {
    /// Every file's findings.
    pub fn all(alert_rules: &'a [PathBuf]) -> Checks<'a> {
        Checks {
            alert_rules,
            files: None,
            drafts: false,
            external: false,
        }
    }
}

/// The one list of checks `check`, `build`, `serve` and `report` run: the site's own checks
/// (load findings, ownership, freshness, action items, links, code blocks, courses:
/// [`checks::run`]), the review-history checks (the history already on the site), output
/// collisions (and the theme's links leading outside the site), the Prometheus rules
/// against the pages a build writes, and, when asked ([`Checks::external`]), the outside
/// links ([`checks::external`]). Severities are settled by the site's policy and the order is stable.
/// `Err` carries fatal diagnostics (an unreadable theme or rule file).
pub fn findings(site: &Site, which: &Checks<'_>) -> Result<Vec<Diagnostic>, Fatal> {
    let all = |_: &str| true;
    let keep: &(dyn Fn(&str) -> bool + Sync) = which.files.unwrap_or(&all);
    let trace = crate::diagnostic::trace::step;
    let mut findings = checks::run(site, keep);
    trace("checks: documents");
    findings.extend(checks::history::check(site, &site.history));
    findings.extend(crate::build::collisions::check(site, which.drafts)?);
    trace("checks: output collisions");
    findings.extend(crate::alert_rules::check(site, which.alert_rules)?);
    trace("checks: alert rules");
    if which.external {
        findings.extend(checks::external::check(site, keep));
    }
    findings.retain(|d| keep(&d.file));
    site.config.policy.apply(&mut findings);
    Ok(findings)
}

/// Read the site's git history onto it (what the review-history checks and pages read), for
/// commands that load the site without [`checked_site`].
pub fn read_history(site: &mut Site) {
    site.history = std::sync::Arc::new(load::git::read(&site.config.content_dir));
}
