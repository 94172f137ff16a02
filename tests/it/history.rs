//! Review history from git (docs/freshness-history.md), over repositories the tests make:
//! commits with set authors and dates.

use crate::common;
use crate::common::{TestSite, check_json, site_with};
use std::path::Path;
use std::process::Command;

const OWNERS: &str = "people:\n  ana: { name: Ana, email: ana@example.com }\n  bo: { name: Bo, github: bo-gh }\n  cy: { name: Cy, email: cy@example.com }\nteams:\n  team-db: { name: DB, members: [ana, bo] }\n";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Commit everything as `who` <email> on `date`.
fn commit(dir: &Path, who: &str, email: &str, date: &str, message: &str) {
    git(dir, &["add", "-A"]);
    let stamp = format!("{date}T12:00:00+00:00");
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            message,
        ])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", who)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_AUTHOR_DATE", &stamp)
        .env("GIT_COMMITTER_NAME", who)
        .env("GIT_COMMITTER_EMAIL", email)
        .env("GIT_COMMITTER_DATE", &stamp)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Commit everything as Ana, an owner.
fn by_ana(dir: &Path, date: &str, message: &str) {
    commit(dir, "Ana", "ana@example.com", date, message);
}

fn runbook(reviewed: &str, body: &str) -> String {
    format!(
        "---\ntitle: DB failover\nowners: [team-db]\nreviewed: {reviewed}\n---\n# DB failover\n\n{body}\n"
    )
}

fn repo() -> TestSite {
    let dir = site_with(&[("owners.yaml", OWNERS)]);
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

/// (code, line, message) of the history findings.
fn history_findings(dir: &Path) -> Vec<(String, u64, String)> {
    let (_, json) = check_json(dir, &["--today", "2026-12-01"]);
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            matches!(
                f["code"].as_str(),
                Some(
                    "rubber-stamp-review"
                        | "review-by-non-owner"
                        | "changed-since-review"
                        | "stale-dependency"
                )
            )
        })
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn codes(f: &[(String, u64, String)]) -> Vec<&str> {
    f.iter().map(|(c, _, _)| c.as_str()).collect()
}

const RB: &str = "content/runbooks/db.md";

#[test]
fn two_reviews_in_a_row_that_changed_nothing_are_rubber_stamps() {
    let d = repo();
    d.write(RB, &runbook("2026-01-10", "Fail over."));
    by_ana(d.path(), "2026-01-10", "add");
    d.write(RB, &runbook("2026-05-01", "Fail over."));
    by_ana(d.path(), "2026-05-01", "review");
    assert_eq!(
        history_findings(d.path()),
        vec![],
        "one stamp is not yet a pattern"
    );
    d.write(RB, &runbook("2026-09-01", "Fail over."));
    by_ana(d.path(), "2026-09-01", "review");
    let f = history_findings(d.path());
    assert_eq!(codes(&f), ["rubber-stamp-review"]);
    assert_eq!(f[0].1, 4, "at the `reviewed` line");
    assert!(
        f[0].2
            .contains("the last 2 reviews changed nothing but the date"),
        "{}",
        f[0].2
    );
    let (_, out, _) = d.run("build", &["--today", "2026-12-01"]);
    let _ = out;
    let page = std::fs::read_to_string(d.path().join("public/runbooks/db/index.html")).unwrap();
    assert!(
        page.contains("reviewed without changes since 2026-05-01"),
        "the page says so"
    );
}

#[test]
fn a_review_with_a_real_edit_is_not_a_stamp() {
    let d = repo();
    d.write(RB, &runbook("2026-01-10", "Fail over."));
    by_ana(d.path(), "2026-01-10", "add");
    d.write(RB, &runbook("2026-05-01", "Fail over."));
    by_ana(d.path(), "2026-05-01", "review");
    d.write(
        RB,
        &runbook("2026-09-01", "Fail over with `pg_ctl promote`."),
    );
    by_ana(d.path(), "2026-09-01", "review and fix");
    assert_eq!(history_findings(d.path()), vec![]);
}

#[test]
fn changes_after_the_review_are_counted_with_their_author() {
    let d = repo();
    d.write(RB, &runbook("2026-01-10", "Fail over."));
    by_ana(d.path(), "2026-01-10", "add");
    d.write(RB, &runbook("2026-01-10", "Fail over now."));
    by_ana(d.path(), "2026-02-01", "edit");
    d.write(RB, &runbook("2026-01-10", "Fail over at once."));
    commit(d.path(), "Bo", "bo@example.com", "2026-03-01", "edit");
    let f = history_findings(d.path());
    assert_eq!(codes(&f), ["changed-since-review"]);
    assert!(
        f[0].2
            .contains("changed twice since its last review (last by Bo on 2026-03-01"),
        "{}",
        f[0].2
    );
}

#[test]
fn a_mass_review_is_one_commit_moving_many_dates() {
    let d = repo();
    let all_reviewed = |date: &str| {
        for i in 0..21 {
            d.write(
                &format!("content/runbooks/r{i:02}.md"),
                &runbook(date, &format!("Step {i}.")),
            );
        }
    };
    all_reviewed("2026-01-10");
    by_ana(d.path(), "2026-01-10", "add");
    all_reviewed("2026-11-30");
    by_ana(d.path(), "2026-11-30", "audit tomorrow");
    let f = history_findings(d.path());
    assert_eq!(f.len(), 21, "{f:?}");
    assert!(f.iter().all(|(c, _, m)| c == "rubber-stamp-review"
        && m.contains("mass review")
        && m.contains("21 documents")));
    // At the threshold it is not one.
    std::fs::write(
        d.path().join("book.toml"),
        format!("{}[check]\nmass_review = 21\n", common::MINIMAL_BOOK_TOML),
    )
    .unwrap();
    assert_eq!(history_findings(d.path()), vec![]);
}

#[test]
fn the_review_commit_author_must_map_to_an_owner() {
    let d = repo();
    d.write(RB, &runbook("2026-01-10", "Fail over."));
    commit(d.path(), "Cy", "cy@example.com", "2026-01-10", "add");
    let f = history_findings(d.path());
    assert_eq!(codes(&f), ["review-by-non-owner"]);
    assert!(f[0].2.contains("Cy <cy@example.com>"), "{}", f[0].2);
    // Bo is in team-db through `github:` and a noreply address.
    d.write(RB, &runbook("2026-02-01", "Fail over, then page DB."));
    commit(
        d.path(),
        "Bo B",
        "123+bo-gh@users.noreply.github.com",
        "2026-02-01",
        "review",
    );
    assert_eq!(history_findings(d.path()), vec![]);
}

#[test]
fn renames_are_followed() {
    let d = repo();
    d.write(
        "content/runbooks/old.md",
        &runbook("2026-01-10", "Fail over."),
    );
    by_ana(d.path(), "2026-01-10", "add");
    d.write(
        "content/runbooks/old.md",
        &runbook("2026-04-01", "Fail over."),
    );
    by_ana(d.path(), "2026-04-01", "review");
    git(d.path(), &["mv", "content/runbooks/old.md", RB]);
    by_ana(d.path(), "2026-05-01", "rename");
    d.write(RB, &runbook("2026-06-01", "Fail over."));
    by_ana(d.path(), "2026-06-01", "review");
    assert_eq!(codes(&history_findings(d.path())), ["rubber-stamp-review"]);
}

#[test]
fn a_merge_commit_is_neither_a_review_nor_a_change() {
    let d = repo();
    d.write(RB, &runbook("2026-01-10", "Fail over."));
    by_ana(d.path(), "2026-01-10", "add");
    git(d.path(), &["checkout", "-q", "-b", "fix"]);
    d.write(RB, &runbook("2026-03-01", "Fail over with promote."));
    by_ana(d.path(), "2026-03-01", "review and fix");
    git(d.path(), &["checkout", "-q", "main"]);
    d.write("content/other.md", "# Other\n");
    by_ana(d.path(), "2026-03-02", "other");
    let out = Command::new("git")
        .arg("-C")
        .arg(d.path())
        .args([
            "-c",
            "user.name=Ana",
            "-c",
            "user.email=ana@example.com",
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "merge",
            "fix",
        ])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(history_findings(d.path()), vec![]);
}

#[test]
fn a_shallow_clone_and_a_site_outside_git_get_no_history_findings() {
    let d = repo();
    d.write(RB, &runbook("2026-01-10", "Fail over."));
    commit(d.path(), "Cy", "cy@example.com", "2026-01-10", "add");
    assert_eq!(codes(&history_findings(d.path())), ["review-by-non-owner"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", d.path().display());
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(clone.path().join("c"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(history_findings(&clone.path().join("c")), vec![]);
    std::fs::remove_dir_all(d.path().join(".git")).unwrap();
    assert_eq!(history_findings(d.path()), vec![]);
}

#[test]
fn a_lesson_is_stale_when_its_case_study_changed_after_its_review_and_so_is_its_course() {
    let d = repo();
    d.write(RB, &runbook("2026-11-01", "Fail over."));
    d.write(
        "content/courses/db/index.md",
        "---\ntitle: DB course\nowners: [team-db]\nreviewed: 2026-11-02\n---\n",
    );
    d.write("content/courses/db/01-failover.md",
        "---\ntitle: Failover\nreviewed: 2026-11-02\n---\nRead [the runbook](../../runbooks/db.md).\n",
    );
    by_ana(d.path(), "2026-11-02", "add");
    assert_eq!(history_findings(d.path()), vec![]);
    d.write(RB, &runbook("2026-11-01", "Fail over with promote."));
    by_ana(d.path(), "2026-11-20", "runbook changed");
    let f = history_findings(d.path());
    let deps: Vec<&(String, u64, String)> = f
        .iter()
        .filter(|(c, _, _)| c == "stale-dependency")
        .collect();
    assert_eq!(deps.len(), 2, "{f:?}");
    assert!(
        deps.iter()
            .any(|(_, _, m)| m.contains("case study runbooks/db.md changed on 2026-11-20"))
    );
    assert!(
        deps.iter()
            .any(|(_, _, m)| m.contains("the course is as fresh as its parts"))
    );
}

#[test]
fn a_runbook_is_stale_when_the_rule_of_its_alert_changed_after_its_review() {
    let d = repo();
    let rules = |expr: &str| {
        format!(
            "groups:\n  - name: db\n    rules:\n      - alert: DbDown\n        expr: {expr}\n        labels:\n          severity: page\n      - alert: DbSlow\n        expr: latency > 1\n"
        )
    };
    d.write("rules/db.yml", &rules("up == 0"));
    let rb = "---\ntitle: DB down\nowners: [team-db]\nreviewed: 2026-11-05\nalerts: [DbDown, DbSlow]\n---\n# DB down\n";
    d.write(RB, rb);
    by_ana(d.path(), "2026-11-05", "add");
    let rules_path = d.path().join("rules/db.yml");
    let dep = |dir: &Path| -> Vec<String> {
        let (_, json) = check_json(
            dir,
            &[
                "--today",
                "2026-12-01",
                "--alert-rules",
                rules_path.to_str().unwrap(),
            ],
        );
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "stale-dependency")
            .map(|f| {
                format!(
                    "{}:{} {}",
                    f["line"],
                    f["column"],
                    f["message"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(dep(d.path()), Vec::<String>::new());
    d.write("rules/db.yml", &rules("up{job=\"db\"} == 0"));
    commit(
        d.path(),
        "Bo",
        "bo@example.com",
        "2026-11-20",
        "narrow the rule",
    );
    let f = dep(d.path());
    assert_eq!(f.len(), 1, "only DbDown's rule changed: {f:?}");
    assert!(f[0].starts_with("5:10 "), "at DbDown in `alerts`: {}", f[0]);
    assert!(
        f[0].contains("the rule of alert DbDown") && f[0].contains("changed on 2026-11-20"),
        "{}",
        f[0]
    );
}
