//! Alert coverage: Prometheus rule files checked against the handbook (`fieldbook check
//! --alert-rules PATH...`, `[check] alert_rules`). Every alert should have a runbook (a
//! runbook listing it in `alerts:`, or a `runbook_url` annotation that leads to a page of the
//! handbook), every alert a runbook lists should exist, and every `runbook_url` into the
//! handbook should lead to a page. Codes and severities: docs/alerts.md. The pages are those
//! a build would write, so this stage comes after [`crate::build`].

mod changed;

use crate::adopt::prometheus::{self as rules, Resolved, Rule, resolve};
use crate::config::glob;
use crate::content::links::percent_decode;
use crate::content::urls::alert_url;
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos};
use crate::model::alerts::AlertIndex;
use crate::model::{Document, Site};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A rule file to read, and how findings name it.
struct RuleFile {
    path: PathBuf,
    shown: String,
}

/// Findings about the rule files of `[check] alert_rules` and `cli` (paths as given on the
/// command line). `Err`: a rule file named there does not exist (fatal, exit status 2).
pub fn check(site: &Site, cli: &[PathBuf]) -> Result<Vec<Diagnostic>, Fatal> {
    if site.config.alert_rules.is_empty() && cli.is_empty() {
        return Ok(Vec::new());
    }
    let files = rule_files(site, cli)?;
    let mut findings = Vec::new();
    let mut rules: Vec<Rule> = Vec::new();
    // A file that could not be read in full may define the alerts runbooks name.
    let mut complete = true;
    let mut texts: BTreeMap<&str, String> = BTreeMap::new();
    for f in &files {
        // Rule files named on the command line may be anywhere, but are still only regular
        // files of a bounded size.
        let read = crate::config::read_regular(&f.path, crate::config::MAX_CONFIG_BYTES * 4)
            .map_err(crate::config::Unread::into_io);
        let text = match read.map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => {
                complete = false;
                findings.push(
                    Diagnostic::new(
                        Code::InvalidAlertRules,
                        &f.shown,
                        Pos::START,
                        "rule file is not valid UTF-8",
                    )
                    .with_hint("save the file as UTF-8"),
                );
                continue;
            }
            Err(e) => {
                return Err(vec![Diagnostic::new(
                    Code::IoError,
                    &f.shown,
                    Pos::START,
                    format!("cannot read rule file {}: {e}", f.shown),
                )]);
            }
        };
        let (mut r, found) = rules::parse(&f.shown, &text);
        complete &= found.is_empty();
        findings.extend(found);
        rules.append(&mut r);
        texts.insert(&f.shown, text);
    }
    let at = |code: Code, r: &Rule, pos: Pos, message: String| {
        let d = Diagnostic::new(code, &r.file, pos, message);
        match texts.get(r.file.as_str()) {
            Some(text) => d.with_source(text),
            None => d,
        }
    };
    let docs: Vec<&Document> = site
        .documents
        .iter()
        .filter(|d| d.is_listed(false))
        .collect();
    let index = AlertIndex::of(&docs);
    let pages = rules
        .iter()
        .any(|r| r.runbook_url.is_some())
        .then(|| SitePages::of(site));
    let base = site.config.book.base_url.as_str();
    let paging = |r: &Rule| {
        r.severity.as_deref().is_some_and(|s| {
            site.config
                .page_severities
                .iter()
                .any(|p| p.eq_ignore_ascii_case(s.trim()))
        })
    };

    // Each rule's runbook_url; alerts it gives a runbook to.
    let mut linked: BTreeSet<&str> = BTreeSet::new();
    let mut own_page_missing: BTreeMap<&str, &str> = BTreeMap::new();
    let mut elsewhere: BTreeMap<&str, &str> = BTreeMap::new();
    for r in &rules {
        let (Some((url, pos)), Some(pages)) = (&r.runbook_url, &pages) else {
            continue;
        };
        match resolve(url, &r.alert, base) {
            Resolved::Elsewhere => {
                elsewhere.insert(&r.alert, url);
            }
            Resolved::Page(path) if pages.all.contains(&path) => {
                if pages.runbook_like(&path) {
                    linked.insert(&r.alert);
                }
            }
            Resolved::Page(path) if path == percent_decode(&alert_url(&r.alert)) => {
                // Its own alert page, missing because no runbook lists it: the finding about
                // the missing runbook says so.
                own_page_missing.insert(&r.alert, url);
            }
            Resolved::Page(path) => {
                let hint = match closest(&path, pages.all.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{base}{s}`?"),
                    None => format!(
                        "point it at `{base}alerts/{}/` (the alert's page) or at a runbook's page",
                        r.alert
                    ),
                };
                findings.push(
                    at(
                        Code::BrokenRunbookUrl,
                        r,
                        *pos,
                        format!("runbook_url of alert `{}` leads to `{base}{path}`, which is no page of the handbook", r.alert),
                    )
                    .with_hint(hint),
                );
            }
        }
    }

    // Alerts without a runbook: one finding per name, at its most urgent definition.
    let mut by_name: BTreeMap<&str, Vec<&Rule>> = BTreeMap::new();
    for r in &rules {
        by_name.entry(&r.alert).or_default().push(r);
    }
    for (name, defs) in &by_name {
        if index.by_name.contains_key(*name) || linked.contains(name) {
            continue;
        }
        let first = defs.iter().find(|r| paging(r)).unwrap_or(&defs[0]);
        let code = if paging(first) {
            Code::PageWithoutRunbook
        } else {
            Code::AlertWithoutRunbook
        };
        let severity = first
            .severity
            .as_deref()
            .map_or_else(|| "no severity".to_string(), |s| format!("severity {s}"));
        let mut message = format!("alert `{name}` ({severity}) has no runbook");
        if let Some(draft) = site.documents.iter().find(|d| {
            d.is_draft()
                && d.kind == crate::content::front_matter::Kind::Runbook
                && d.meta.alerts.iter().any(|a| a.trim() == *name)
        }) {
            message.push_str(&format!(" (only the draft `{}` lists it)", draft.file));
        }
        if let Some(url) = own_page_missing.get(name) {
            message.push_str(&format!(
                "; its runbook_url `{url}` leads to no page until a runbook lists it"
            ));
        } else if let Some(url) = elsewhere.get(name) {
            message.push_str(&format!(
                " in the handbook; its runbook_url `{url}` leads outside it"
            ));
            if !base.starts_with("http://") && !base.starts_with("https://") {
                message.push_str(" (`[book] base_url` is a path, so full URLs cannot be matched to the handbook: set it to the handbook's address)");
            }
        }
        let hint = match closest(name, index.by_name.keys().map(String::as_str)) {
            Some(s) => format!(
                "a runbook lists `{s}`: if that is this alert, fix the spelling there; otherwise add `{name}` to the `alerts:` of the runbook that answers it"
            ),
            None => format!(
                "add `{name}` to the `alerts:` of the runbook that answers it, or write one"
            ),
        };
        findings.push(at(code, first, first.pos, message).with_hint(hint));
    }

    // Alerts that runbooks list but no rule defines (unknowable when a file was unreadable).
    if complete {
        for (name, docs) in &index.by_name {
            if by_name.contains_key(name.as_str()) {
                continue;
            }
            let hint = match closest(name, by_name.keys().copied()) {
                Some(s) => format!("did you mean `{s}`? Alert names are case-sensitive"),
                None => "fix the name, or remove it if the alert was deleted; pass every rule file to --alert-rules".into(),
            };
            for d in docs {
                out_of_rules(d, name, &hint, &mut findings);
            }
        }
    }
    let paths: Vec<(String, &std::path::Path)> = files
        .iter()
        .map(|f| (f.shown.clone(), f.path.as_path()))
        .collect();
    findings.extend(changed::check(site, &rules, &paths));
    Ok(findings)
}

fn out_of_rules(doc: &Document, name: &str, hint: &str, out: &mut Vec<Diagnostic>) {
    out.push(
        doc.finding(
            Code::UnknownAlert,
            doc.word_pos("alerts", name),
            format!("alert `{name}` is defined by none of the rule files checked"),
        )
        .with_hint(hint),
    );
}

/// The closest of `candidates` to `name`, if close enough to be a typo.
fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = name.len().max(3) / 3;
    candidates
        .map(|c| {
            (
                strsim::levenshtein(&c.to_lowercase(), &name.to_lowercase()),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// The handbook's page URLs (percent-decoded), as a build would write them.
struct SitePages {
    all: BTreeSet<String>,
    docs: BTreeSet<String>,
}

impl SitePages {
    fn of(site: &Site) -> SitePages {
        let index = crate::build::index_urls(site, false);
        let docs: BTreeSet<String> = site
            .documents
            .iter()
            .filter(|d| d.is_listed(false))
            .map(|d| percent_decode(&d.url()))
            .collect();
        let mut all: BTreeSet<String> = index
            .iter()
            .filter(|u| !matches!(u.as_str(), "404.html" | "sitemap.xml"))
            .map(|u| percent_decode(u))
            .collect();
        all.extend(docs.iter().cloned());
        SitePages { all, docs }
    }

    /// A document's page or an alert's page: where a reader finds what to do.
    fn runbook_like(&self, path: &str) -> bool {
        self.docs.contains(path) || (path.starts_with("alerts/") && path != "alerts/")
    }
}

/// The rule files `[check] alert_rules` and the command line name.
fn rule_files(site: &Site, cli: &[PathBuf]) -> Result<Vec<RuleFile>, Fatal> {
    let config = &site.config;
    let mut out: Vec<RuleFile> = Vec::new();
    let mut fatal = Vec::new();
    match rules::configured_files(config) {
        Ok(files) => out.extend(
            files
                .into_iter()
                .map(|(path, shown)| RuleFile { path, shown }),
        ),
        Err(f) => fatal.extend(f),
    }
    for path in cli {
        let given = slash(path);
        if path.is_dir() {
            let files = glob::yaml_files(path);
            if files.is_empty() {
                fatal.push(no_rules(&given, "holds no .yml or .yaml file"));
            }
            out.extend(files.into_iter().map(|p| RuleFile {
                shown: format!(
                    "{}/{}",
                    given.trim_end_matches('/'),
                    slash(p.strip_prefix(path).unwrap_or(&p))
                ),
                path: p,
            }));
        } else if path.is_file() {
            out.push(RuleFile {
                path: path.clone(),
                shown: given,
            });
        } else {
            fatal.push(no_rules(&given, "does not exist"));
        }
    }
    if !fatal.is_empty() {
        return Err(fatal);
    }
    // The same file named twice (book.toml and the command line) is read once.
    let mut seen = BTreeSet::new();
    out.retain(|f| seen.insert(f.path.canonicalize().unwrap_or_else(|_| f.path.clone())));
    Ok(out)
}

fn no_rules(given: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::IoError,
        given,
        Pos::START,
        format!("--alert-rules {given} {why}"),
    )
    .with_hint("name Prometheus rule files or directories holding them (paths relative to the current directory)")
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adopt::prometheus::fill_alertname;

    #[test]
    fn runbook_urls_resolve_against_full_and_path_base_urls() {
        let page = |s: &str| Resolved::Page(s.to_string());
        let full = "https://handbook.example.com/";
        let r = |u: &str| resolve(u, "KubePodCrashLooping", full);
        assert_eq!(
            r(
                "https://handbook.example.com/alerts/{{ $labels.alertname }}/?namespace={{ $labels.namespace }}"
            ),
            page("alerts/KubePodCrashLooping/")
        );
        assert_eq!(
            r("https://HANDBOOK.example.com/alerts/{{.Labels.alertname}}"),
            page("alerts/KubePodCrashLooping/")
        );
        assert_eq!(
            r("https://handbook.example.com/runbooks/k8s/pod-crashlooping/index.html#x"),
            page("runbooks/k8s/pod-crashlooping/")
        );
        assert_eq!(
            r("https://handbook.example.com/runbooks/PM%201/"),
            page("runbooks/PM 1/")
        );
        assert_eq!(r("https://handbook.example.com"), page(""));
        assert_eq!(
            r("https://handbook.example.com/alerts.json"),
            page("alerts.json")
        );
        assert_eq!(r("https://wiki.example.com/alerts/x/"), Resolved::Elsewhere);
        assert_eq!(
            r("https://handbook.example.com/alerts/{{ $labels.job }}/"),
            Resolved::Elsewhere
        );
        let sub = |u: &str| resolve(u, "A", "/handbook/");
        assert_eq!(
            sub("/handbook/alerts/{{ $labels.alertname }}/"),
            page("alerts/A/")
        );
        assert_eq!(
            sub("https://anything/handbook/alerts/A/"),
            Resolved::Elsewhere
        );
        assert_eq!(sub("/other/alerts/A/"), Resolved::Elsewhere);
    }

    #[test]
    fn alertname_templates() {
        assert_eq!(
            fill_alertname(
                "a/{{ $labels.alertname }}/{{- .GroupLabels.alertname -}}/{{ x }}",
                "N"
            ),
            "a/N/N/{{ x }}"
        );
        assert_eq!(fill_alertname("a/{{ unclosed", "N"), "a/{{ unclosed");
    }
}
