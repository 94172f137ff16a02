//! `fieldbook check` against an independent oracle on generated handbooks.
//!
//! `shared/bench/gen_corpus.py` writes a deterministic site with lapsed owners, disbanded teams,
//! unknown owner ids, stale and never-reviewed documents and overdue action items.
//! `tests/oracle/expected_findings.py` (Python, standard library only, written from FORMAT.md
//! without looking at Fieldbook's code) computes which ownership, freshness and action-item
//! findings FORMAT.md's rules imply. This test compares the two as multisets of (code, file).
//! It skips with a note when `python3` or the generator is not available.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The codes the oracle computes; anything else Fieldbook reports (links, unknown keys) is ignored.
const CODES: &[&str] = &[
    "lapsed-owner",
    "partially-lapsed-owner",
    "unknown-owner",
    "stale",
    "due-soon",
    "never-reviewed",
    "overdue-action",
];

type Multiset = BTreeMap<(String, String), usize>;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary under test; `FIELDBOOK_BIN` points the test at another build (a release build,
/// or a wrapper while the CLI is being reworked).
fn fieldbook_bin() -> PathBuf {
    std::env::var_os("FIELDBOOK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_fieldbook")))
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.code().is_some(),
        "{cmd:?} was killed: {:?}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn oracle(py: &str, site: &Path, today: &str) -> Multiset {
    let script = manifest().join("tests/oracle/expected_findings.py");
    let o = run(Command::new(py)
        .arg(&script)
        .arg(site)
        .args(["--today", today]));
    assert!(
        o.status.success(),
        "oracle failed on {}:\n{}",
        site.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("oracle prints JSON");
    let mut m = Multiset::new();
    for f in v["findings"].as_array().expect("oracle findings array") {
        let code = f["code"].as_str().expect("code").to_string();
        let file = f["file"].as_str().expect("file").to_string();
        *m.entry((code, file)).or_default() += 1;
    }
    m
}

/// The path of the file called `name` under `dir`, searched recursively.
fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if let Some(found) = find(&p, name) {
                return Some(found);
            }
        } else if p.file_name().is_some_and(|n| n == name) {
            return Some(p);
        }
    }
    None
}

/// Replace the front matter (with its fences) of the generated document `name` by `front`.
fn set_front_matter(content: &Path, name: &str, front: &str) {
    let path = find(content, name).unwrap_or_else(|| panic!("no {name} in the corpus"));
    let text = std::fs::read_to_string(&path).expect("read document");
    let end = text[3..].find("\n---\n").expect("generated front matter") + 3 + 5;
    std::fs::write(&path, format!("{front}\n{}", &text[end..])).expect("write document");
}

/// Edge cases the generator never writes, planted in a corpus generated for 2027-03-01 and
/// checked on that day: calendar-month and leap-day clamping, due dates exactly on today and
/// on today + warn_before, `left`/`disbanded` on today vs tomorrow, `active: false`, a team
/// lapsed only because every member lapsed, duplicate unknown ids, the singular `owner` key,
/// TOML front matter, drafts, open/closed action items due today, a lesson with its own owners.
fn season(site: &Path) {
    let owners = site.join("owners.yaml");
    let text = std::fs::read_to_string(&owners).expect("read owners.yaml");
    let text = text
        .replacen(
            "people:\n",
            "people:\n  zed-inactive:\n    name: Zed Inactive\n    active: false\n  \
             zed-today:\n    name: Zed Today\n    left: 2027-03-01\n  \
             zed-tomorrow:\n    name: Zed Tomorrow\n    left: 2027-03-02\n",
            1,
        )
        .replacen(
            "teams:\n",
            "teams:\n  team-ghosts:\n    name: Ghosts\n    members: [zed-inactive, zed-today]\n  \
             team-tomorrow:\n    name: Tomorrow\n    members: [zed-tomorrow]\n    disbanded: 2027-03-02\n  \
             team-gone-today:\n    name: Gone Today\n    members: [zed-tomorrow]\n    disbanded: 2027-03-01\n",
            1,
        );
    std::fs::write(&owners, text).expect("write owners.yaml");

    let content = site.join("content");
    let runbook = |name: &str, fields: &str| {
        set_front_matter(
            &content,
            name,
            &format!("---\ntitle: Seasoned {name}\n{fields}\n---"),
        );
    };
    // Freshness, owned by an active team-and-person pair so ownership stays quiet.
    let ok = "owners: [zed-tomorrow, team-tomorrow]";
    // 2026-11-30 + 3m clamps to 2027-02-28: stale on 2027-03-01 (overflowing to 03-02 would not be).
    runbook(
        "rb-00000.md",
        &format!("{ok}\nreviewed: 2026-11-30\nreview_every: 3m"),
    );
    // 2024-02-29 + 3y clamps to 2027-02-28: stale.
    runbook(
        "rb-00001.md",
        &format!("{ok}\nreviewed: 2024-02-29\nreview_every: 3y"),
    );
    // 2026-12-31 + 2m = 2027-02-28: stale.
    runbook(
        "rb-00002.md",
        &format!("{ok}\nreviewed: 2026-12-31\nreview_every: 2m"),
    );
    // 2027-01-31 + 1m = 2027-02-28: stale.
    runbook(
        "rb-00003.md",
        &format!("{ok}\nreviewed: 2027-01-31\nreview_every: 1m"),
    );
    // due 2027-03-15 = today + 14d: due soon.
    runbook("rb-00004.md", &format!("{ok}\nreviewed: 2026-12-15"));
    // due 2027-03-16: nothing.
    runbook("rb-00005.md", &format!("{ok}\nreviewed: 2026-12-16"));
    // due 2027-03-01 = today: due soon, not stale.
    runbook("rb-00006.md", &format!("{ok}\nreviewed: 2026-12-01"));
    // due 2027-02-28: stale by one day.
    runbook("rb-00007.md", &format!("{ok}\nreviewed: 2026-11-30"));
    // review_every overrides the kind default in both directions.
    runbook(
        "rb-00008.md",
        &format!("{ok}\nreviewed: 2025-01-01\nreview_every: never"),
    );
    runbook(
        "rb-00009.md",
        &format!("{ok}\nreviewed: 2026-03-01\nreview_every: 52w"),
    );
    runbook(
        "rb-00010.md",
        &format!("{ok}\nreviewed: 2027-02-01\nreview_every: 2w"),
    );
    // Ownership.
    let fresh = "reviewed: 2027-02-20";
    runbook("rb-00011.md", &format!("owners: [team-ghosts]\n{fresh}"));
    runbook(
        "rb-00012.md",
        &format!("owners: [zed-today, team-nope]\n{fresh}"),
    );
    runbook(
        "rb-00013.md",
        &format!("owners: [zed-inactive, zed-tomorrow]\n{fresh}"),
    );
    runbook("rb-00014.md", &format!("owner: team-gone-today\n{fresh}"));
    runbook(
        "rb-00015.md",
        &format!("owners: [team-tomorrow, ghost-a, ghost-a]\n{fresh}"),
    );
    runbook("rb-00016.md", &format!("owners: [ghost-b]\n{fresh}"));
    runbook(
        "rb-00017.md",
        &format!("owners: [team-tomorrow, zed-today, ghost-c]\n{fresh}"),
    );
    // Drafts are skipped whatever they contain.
    runbook("rb-00018.md", "owners: [ghost-d]\ndraft: true");
    // TOML front matter.
    set_front_matter(
        &content,
        "rb-00019.md",
        "+++\ntitle = \"Seasoned TOML\"\nowners = [\"zed-today\"]\nreviewed = 2026-01-02\n+++",
    );
    // Action items: only open ones count; due today is not overdue; a draft *status* is not a draft.
    set_front_matter(
        &content,
        "pm-00000.md",
        "---\ntitle: Seasoned postmortem\ndate: 2026-12-01\nowners: [team-tomorrow]\nstatus: draft\n\
         action_items:\n  - title: due today\n    owner: zed-tomorrow\n    due: 2027-03-01\n    status: open\n  \
         - title: due yesterday\n    owner: zed-tomorrow\n    due: 2027-02-28\n    status: open\n  \
         - title: closed late\n    owner: zed-tomorrow\n    due: 2026-01-01\n    status: done\n  \
         - title: abandoned\n    owner: ghost-e\n    due: 2026-01-01\n    status: wontfix\n  \
         - title: left today\n    owner: zed-today\n    due: 2027-04-01\n    status: open\n  \
         - title: inactive and late\n    owner: zed-inactive\n    due: 2027-01-01\n    status: open\n  \
         - title: nobody\n    owner: ghost-f\n    due: 2027-04-01\n    status: open\n  \
         - title: lapsed team\n    owner: team-ghosts\n    due: 2027-04-01\n    status: open\n---",
    );
    // A lesson with owners of its own is judged on them.
    set_front_matter(
        &content.join("courses/course-000"),
        "01-lesson.md",
        "---\ntitle: Seasoned lesson\nowners: [zed-inactive]\n---",
    );
}

/// Count the `.md` files under `dir`.
fn markdown_files(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("read content dir") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            n += markdown_files(&p);
        } else if p.extension().is_some_and(|x| x == "md") {
            n += 1;
        }
    }
    n
}

/// Compare one corpus; returns a description of every problem found (empty when all agree).
fn compare(py: &str, site: &Path, today: &str, label: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let o = run(Command::new(fieldbook_bin())
        .arg("check")
        .arg(site)
        .args(["--format", "json", "--today", today]));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let v: Value = match serde_json::from_str(&stdout) {
        Ok(v) => v,
        Err(e) => {
            return vec![format!(
                "{label}: `fieldbook check --format json` did not print JSON ({e}); exit {:?}\n\
                 stdout (first 2000 bytes):\n{}\nstderr:\n{}",
                o.status.code(),
                stdout.chars().take(2000).collect::<String>(),
                String::from_utf8_lossy(&o.stderr)
            )];
        }
    };
    let findings = v["findings"].as_array().cloned().unwrap_or_default();

    // --- the multiset comparison --------------------------------------------------------------
    let mut actual = Multiset::new();
    let mut messages: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for f in &findings {
        let code = f["code"].as_str().unwrap_or("<no code>").to_string();
        if !CODES.contains(&code.as_str()) {
            continue;
        }
        let file = f["file"].as_str().unwrap_or("<no file>").to_string();
        let msg = format!(
            "line {}: {}",
            f["line"],
            f["message"].as_str().unwrap_or("<no message>")
        );
        messages
            .entry((code.clone(), file.clone()))
            .or_default()
            .push(msg);
        *actual.entry((code, file)).or_default() += 1;
    }
    let expected = oracle(py, site, today);
    let mut missing = Vec::new(); // expected by the oracle, not reported by Fieldbook
    let mut extra = Vec::new(); // reported by Fieldbook, not expected
    for (k, &n) in &expected {
        let got = actual.get(k).copied().unwrap_or(0);
        if got < n {
            missing.push(format!("  {} {} (expected {n}, got {got})", k.0, k.1));
        }
    }
    for (k, &n) in &actual {
        let want = expected.get(k).copied().unwrap_or(0);
        if n > want {
            let msgs = messages.get(k).map(|m| m.join(" | ")).unwrap_or_default();
            extra.push(format!(
                "  {} {} (expected {want}, got {n}): {msgs}",
                k.0, k.1
            ));
        }
    }
    if !missing.is_empty() || !extra.is_empty() {
        let mut s = format!(
            "{label}: Fieldbook and the oracle disagree ({} missing, {} unexpected; \
             oracle {} findings, Fieldbook {} in the compared codes)\n",
            missing.len(),
            extra.len(),
            expected.values().sum::<usize>(),
            actual.values().sum::<usize>()
        );
        if !missing.is_empty() {
            s.push_str("expected by the oracle but not reported by Fieldbook:\n");
            for m in missing.iter().take(20) {
                s.push_str(m);
                s.push('\n');
            }
        }
        if !extra.is_empty() {
            s.push_str("reported by Fieldbook but not expected by the oracle:\n");
            for m in extra.iter().take(20) {
                s.push_str(m);
                s.push('\n');
            }
        }
        s.push_str(&format!(
            "reproduce: python3 tests/oracle/expected_findings.py {site} --today {today}\n\
             \x20          fieldbook check {site} --format json --today {today}",
            site = site.display()
        ));
        problems.push(s);
    }

    // --- the summary and the exit status ------------------------------------------------------
    let count = |sev: &str| {
        findings
            .iter()
            .filter(|f| f["severity"].as_str() == Some(sev))
            .count()
    };
    let (errors, warnings) = (count("error"), count("warning"));
    let summary = &v["summary"];
    let expect_num = |key: &str, want: usize, problems: &mut Vec<String>| {
        if summary[key].as_u64() != Some(want as u64) {
            problems.push(format!(
                "{label}: summary.{key} is {}, but the findings list implies {want}",
                summary[key]
            ));
        }
    };
    expect_num("errors", errors, &mut problems);
    expect_num("warnings", warnings, &mut problems);
    expect_num("fatal", 0, &mut problems);
    expect_num(
        "documents",
        markdown_files(&site.join("content")),
        &mut problems,
    );
    if errors + warnings != findings.len() {
        problems.push(format!(
            "{label}: {} findings but {errors} errors + {warnings} warnings",
            findings.len()
        ));
    }
    for code in ["lapsed-owner", "unknown-owner"] {
        if let Some(f) = findings
            .iter()
            .find(|f| f["code"] == code && f["severity"] != "error")
        {
            problems.push(format!(
                "{label}: `{code}` is in the default fail_on but reported as {}: {f}",
                f["severity"]
            ));
        }
    }
    let fails = expected
        .keys()
        .any(|(c, _)| c == "lapsed-owner" || c == "unknown-owner");
    let want_exit = if fails || errors > 0 { 1 } else { 0 };
    if o.status.code() != Some(want_exit) {
        problems.push(format!(
            "{label}: exit status {:?}, expected {want_exit} (lapsed/unknown owners: {fails}, errors: {errors})",
            o.status.code()
        ));
    }
    problems
}

/// One generated corpus and the dates to check it on.
struct Case {
    docs: u32,
    seed: u32,
    /// The date the generator measures ages from (its `--today`); `None` for its default.
    gen_today: Option<&'static str>,
    /// Plant the hand-made edge cases of [`season`].
    seasoned: bool,
    /// The `--today`s to run `fieldbook check` and the oracle with.
    check_on: &'static [&'static str],
}

#[test]
fn check_matches_the_oracle_on_generated_corpora() {
    let generator = crate::common::corpus_generator();
    let Some(py) = crate::common::python3() else {
        eprintln!("note: skipping corpus_oracle: `python3` is not available");
        return;
    };
    if !generator.is_file() {
        eprintln!(
            "note: skipping corpus_oracle: {} is absent",
            generator.display()
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let cases = [
        // Default generation date 2026-11-27; also checked three months later, when more
        // documents are stale, quarterly reviews cross month ends and some action items fall due.
        Case {
            docs: 300,
            seed: 7,
            gen_today: None,
            seasoned: false,
            check_on: &["2026-11-27", "2027-03-01"],
        },
        Case {
            docs: 500,
            seed: 11,
            gen_today: None,
            seasoned: false,
            check_on: &["2026-11-27"],
        },
        // Ages measured from a date just after February of a non-leap year.
        Case {
            docs: 400,
            seed: 5,
            gen_today: Some("2027-03-01"),
            seasoned: false,
            check_on: &["2027-03-01", "2027-03-14"],
        },
        // The same with hand-made edge cases planted (see `season`).
        Case {
            docs: 400,
            seed: 5,
            gen_today: Some("2027-03-01"),
            seasoned: true,
            check_on: &["2027-03-01"],
        },
    ];
    let mut problems = Vec::new();
    for Case {
        docs,
        seed,
        gen_today,
        seasoned,
        check_on,
    } in cases
    {
        let site = tmp.path().join(format!(
            "c{docs}-s{seed}{}",
            if seasoned { "-seasoned" } else { "" }
        ));
        crate::common::gen_corpus(py, &site, docs, seed, gen_today);
        if seasoned {
            season(&site);
        }
        for today in check_on {
            let label = format!(
                "--docs {docs} --seed {seed}{}{} checked --today {today}",
                gen_today
                    .map(|t| format!(" --today {t}"))
                    .unwrap_or_default(),
                if seasoned { " (seasoned)" } else { "" }
            );
            problems.extend(compare(py, &site, today, &label));
        }
    }
    if !problems.is_empty() {
        // Keep the corpora so that the `reproduce:` commands above work.
        let kept = tmp.keep();
        panic!(
            "\n{}\n\n(corpora kept in {})",
            problems.join("\n\n"),
            kept.display()
        );
    }
}
