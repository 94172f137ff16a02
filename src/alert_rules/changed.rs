//! `stale-dependency` for runbooks: the Prometheus rule of an alert a runbook answers changed
//! after the runbook's review (docs/freshness-history.md). A rule's last change is the newest
//! commit date among its lines, from one `git blame` per rule file.

use super::rules::Rule;
use crate::content::date::Date;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Site;
use std::collections::HashMap;
use std::path::Path;

/// The commit date (`YYYY-MM-DD`, UTC) of each line of `file` (index 0 = line 1); `None` for
/// lines not committed yet, or for the whole file outside git.
fn line_dates(file: &Path) -> Option<Vec<Option<String>>> {
    let dir = file.parent()?;
    let out = crate::load::git::command(dir)
        .args(["blame", "--no-textconv", "--porcelain", "--"])
        .arg(file.file_name()?)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut dates: HashMap<&str, String> = HashMap::new();
    let mut lines: Vec<Option<String>> = Vec::new();
    let mut current: Option<(&str, usize)> = None;
    for l in text.lines() {
        if l.starts_with('\t') {
            if let Some((hash, line)) = current.take() {
                if lines.len() < line {
                    lines.resize(line, None);
                }
                let committed = !hash.bytes().all(|b| b == b'0');
                lines[line - 1] = committed.then(|| dates.get(hash).cloned()).flatten();
            }
            continue;
        }
        let mut parts = l.split(' ');
        let first = parts.next().unwrap_or("");
        if first.len() == 40 && first.bytes().all(|b| b.is_ascii_hexdigit()) {
            let final_line = parts.nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
            current = (final_line > 0).then_some((first, final_line));
        } else if let (Some(t), Some((hash, _))) = (l.strip_prefix("committer-time "), current) {
            let day = t
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map(|d| d.format("%Y-%m-%d").to_string());
            if let Some(day) = day {
                dates.insert(hash, day);
            }
        }
    }
    Some(lines)
}

/// The findings, for `rules` read from `files` (rule file as findings name it → its path).
pub fn check(site: &Site, rules: &[Rule], files: &[(String, &Path)]) -> Vec<Diagnostic> {
    if !site.config.history.enabled || !site.history.in_git || site.history.shallow {
        return Vec::new();
    }
    // The last change of each alert's rule: the newest date over its lines (from its `alert:`
    // line to the next rule of the file).
    let mut changed: HashMap<&str, (String, &str)> = HashMap::new();
    for (shown, path) in files {
        let Some(dates) = line_dates(path) else {
            continue;
        };
        let mut of_file: Vec<&Rule> = rules.iter().filter(|r| r.file == *shown).collect();
        of_file.sort_by_key(|r| r.pos.line);
        for (i, r) in of_file.iter().enumerate() {
            let start = r.pos.line as usize;
            let end = of_file
                .get(i + 1)
                .map_or(dates.len() + 1, |n| n.pos.line as usize);
            let newest = dates
                .get(start.saturating_sub(1)..end.saturating_sub(1).min(dates.len()))
                .into_iter()
                .flatten()
                .flatten()
                .max();
            if let Some(d) = newest {
                let e = changed
                    .entry(r.alert.as_str())
                    .or_insert((d.clone(), &r.file));
                if *d > e.0 {
                    *e = (d.clone(), &r.file);
                }
            }
        }
    }
    let mut out = Vec::new();
    for doc in site.documents.iter().filter(|d| d.is_listed(false)) {
        let Some(reviewed) = doc.meta.reviewed else {
            continue;
        };
        for alert in &doc.meta.alerts {
            let Some((date, file)) = changed.get(alert.as_str()) else {
                continue;
            };
            if Date::parse(date).is_ok_and(|d| d > reviewed) {
                out.push(
                    doc.finding(
                        Code::StaleDependency,
                        doc.word_pos("alerts", alert),
                        format!("the rule of alert {alert} ({file}) changed on {date}, after this runbook's review ({reviewed})"),
                    )
                    .with_hint("check the runbook against the rule as it is now (thresholds, labels, what it means), then review it"),
                );
            }
        }
    }
    out
}
