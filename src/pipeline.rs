//! The stages put together as every command runs them: load the site and its git history (read
//! once, kept on the site for the pages), run every check, the review-history checks, the
//! output collisions and the Prometheus rules against the pages a build would write.

use crate::content::date::Date;
use crate::diagnostic::Diagnostic;
use crate::load;
use crate::model::Site;
use std::path::{Path, PathBuf};

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
    let config = crate::config::load(site).map_err(|d| vec![*d])?;
    // git reads the history in its own process while the site loads and is checked.
    let dir = config.content_dir.clone();
    let history = std::thread::spawn(move || load::git::read(&dir));
    let mut s = load::load_configured(config, today)?;
    s.config.policy.strict = strict;
    let mut findings = crate::checks::run(&s);
    s.history = std::sync::Arc::new(history.join().unwrap_or_default());
    let history = crate::checks::history::check(&s, &s.history);
    // Output collisions, and the theme's links leading outside the site.
    let outputs = crate::build::collisions::check(&s, false)?;
    let alerts = crate::alert_rules::check(&s, alert_rules)?;
    if !alerts.is_empty() || !outputs.is_empty() || !history.is_empty() {
        findings.extend(history);
        findings.extend(alerts);
        findings.extend(outputs);
        s.config.policy.apply(&mut findings);
    }
    Ok((s, findings))
}
