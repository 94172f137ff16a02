//! Adopting existing handbooks: courses from mdBook and MkDocs navigation, owners from
//! CODEOWNERS and OWNERS files, `fieldbook init` (with and without `--from`), and the
//! `[check] baseline` workflow. Every adopted tree checks with exit status 0 or 1, never 2.

use crate::common;
use crate::common::{check_json, copy_dir, fixture, run, s, temp_fixture};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// (code, file, line, column) of every error not in the baseline.
fn failing(v: &Value) -> Vec<(String, String, u64, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("baselined").is_none() && f["severity"] == "error")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn owned(v: &[(&str, &str, u64, u64)]) -> Vec<(String, String, u64, u64)> {
    v.iter()
        .map(|(c, f, l, col)| (c.to_string(), f.to_string(), *l, *col))
        .collect()
}

fn page_text(out: &Path, url: &str) -> String {
    common::main_text_of(&std::fs::read_to_string(out.join(url).join("index.html")).unwrap())
}

/// Build `site` into a temporary folder: the exit status, the output (kept while the
/// folder lives) and standard error.
fn build(site: &Path) -> (i32, tempfile::TempDir, std::path::PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let (code, _, err) = run(["build", s(site), "--output", s(&out)]);
    (code, tmp, out, err)
}

/// A copy of fixture `name` under `parent` without the files `init --from` would write.
fn docs_tree(parent: &Path, name: &str, strip: &[&str]) -> std::path::PathBuf {
    let tree = parent.join(name);
    copy_dir(&fixture(name), &tree);
    for f in strip {
        std::fs::remove_file(tree.join(f)).unwrap();
    }
    tree
}

#[test]
fn mdbook_summary_makes_a_course_and_fieldbook_toml_beats_book_toml() {
    let site = fixture("adopt-mdbook");
    let (code, v) = check_json(&site, &[]);
    assert_eq!(code, 1, "{v:#}");
    // The missing chapter is pointed at in SUMMARY.md; the draft chapter is not an entry.
    assert_eq!(
        failing(&v),
        owned(&[("broken-link", "src/SUMMARY.md", 10, 10)])
    );
    let warn = &v["findings"][0];
    assert_eq!(warn["code"], "never-reviewed");
    assert!(
        warn["hint"]
            .as_str()
            .unwrap()
            .contains("courses/ops-book/index.md"),
        "{warn}"
    );

    let (code, _tmp, out, err) = build(&site);
    assert_eq!(code, 1, "{err}");
    let course = page_text(&out, "courses/ops-book");
    // Course title from [book] title (SUMMARY.md's heading is just "Summary"), lessons in
    // SUMMARY order, the heading-less chapter titled from SUMMARY.md.
    assert!(course.contains("Ops Book"), "{course}");
    let order: Vec<usize> = ["Introduction", "Welcome aboard", "Tools of the trade"]
        .iter()
        .map(|t| course.rfind(t).unwrap_or_else(|| panic!("{t} in {course}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{course}");
    // Readers are told where the owner comes from in words, never a configuration key.
    assert!(
        course.contains("default owner")
            && !course.contains("[owners]")
            && !course.contains("line 12"),
        "{course}"
    );
    let tools = page_text(&out, "onboarding/tools");
    assert!(tools.contains("Lesson 3 of 3"), "{tools}");
    // `[kinds]` makes the alerts folder runbooks; SUMMARY.md is not a page.
    let runbook = page_text(&out, "alerts/disk-full");
    assert!(runbook.starts_with("Runbook"), "{runbook}");
    assert!(!out.join("SUMMARY/index.html").exists());
}

#[test]
fn mkdocs_nav_section_orders_lessons_and_skips_urls() {
    let site = fixture("adopt-mkdocs");
    let (code, v) = check_json(&site, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(failing(&v), owned(&[("broken-link", "mkdocs.yml", 14, 18)]));
    let (code, _tmp, out, err) = build(&site);
    assert_eq!(code, 1, "{err}");
    let course = page_text(&out, "courses/onboarding");
    assert!(course.contains("Onboarding"), "{course}");
    // nav order, not file name order (next.md sorts before start.md).
    let (start, next) = (
        course.rfind("Start here").unwrap(),
        course.rfind("next").unwrap(),
    );
    assert!(start < next, "{course}");
    assert!(course.contains("2 lessons"), "{course}");
    // A runbook listed in the nav stays a runbook.
    assert!(page_text(&out, "runbooks/api-down").starts_with("Runbook"));
}

#[test]
fn owners_come_from_owners_files_codeowners_and_the_default() {
    let site = fixture("adopt-codeowners");
    let (code, v) = check_json(&site, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        failing(&v),
        owned(&[
            ("unknown-owner", ".github/CODEOWNERS", 3, 40),
            ("unknown-owner", ".github/CODEOWNERS", 5, 26),
            (
                "invalid-metadata",
                "content/postmortems/2026-01-outage.md",
                1,
                1
            ),
        ])
    );
    let msgs: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(msgs[0].contains("`@dave`"), "{}", msgs[0]);
    assert!(msgs[2].contains(".github/CODEOWNERS line 5"), "{}", msgs[2]);

    // Every document's owners and where they came from, as the report tells them.
    let (code, out, err) = run([
        "report",
        s(&site),
        "--format",
        "json",
        "--today",
        "2027-06-01",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    let mut sources: BTreeMap<String, (Vec<String>, String)> = BTreeMap::new();
    for o in r["owners"].as_array().unwrap() {
        for i in o["items"].as_array().unwrap() {
            let e = sources
                .entry(i["file"].as_str().unwrap().to_string())
                .or_default();
            e.0.push(o["id"].as_str().unwrap().to_string());
            e.0.sort();
            let src = &i["owners_source"];
            e.1 = match src["line"].as_u64() {
                Some(l) => format!(
                    "{} {} {l}",
                    src["type"].as_str().unwrap(),
                    src["file"].as_str().unwrap()
                ),
                None => src["type"].as_str().unwrap().to_string(),
            };
        }
    }
    let want = |ids: &[&str], src: &str| {
        (
            ids.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            src.to_string(),
        )
    };
    let expected: BTreeMap<String, (Vec<String>, String)> = [
        (
            "content/courses/c/index.md",
            want(&["sre"], "codeowners .github/CODEOWNERS 2"),
        ),
        (
            "content/runbooks/db/failover.md",
            want(&["team-db"], "codeowners .github/CODEOWNERS 3"),
        ),
        (
            "content/runbooks/legacy/old.md",
            want(&["team-db"], "default book.toml 8"),
        ),
        ("content/runbooks/own.md", want(&["bob"], "front-matter")),
        // no_parent_owners: only the nearest file; reviewers stand in for approvers.
        (
            "content/runbooks/web/cache/flush.md",
            want(&["bob"], "owners-file content/runbooks/web/cache/OWNERS 3"),
        ),
        // approvers plus an OWNERS_ALIASES alias.
        (
            "content/runbooks/web/restart.md",
            want(
                &["alice", "bob"],
                "owners-file content/runbooks/web/OWNERS 1",
            ),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(sources, expected);

    // The page says where its owners came from; a lesson takes its course's.
    let (code, _tmp, out, err) = build(&site);
    assert_eq!(code, 1, "{err}");
    let page = page_text(&out, "runbooks/db/failover");
    assert!(
        page.contains("named in the repository")
            && page.contains("CODEOWNERS")
            && !page.contains("line 3"),
        "{page}"
    );
    let lesson = page_text(&out, "courses/c/01-intro");
    assert!(
        lesson.contains("SRE") && !lesson.contains("owners from"),
        "{lesson}"
    );
    // A SUMMARY.md in the course's folder orders its lessons (no `lessons:` in index.md) and
    // is not itself a lesson.
    let course = page_text(&out, "courses/c");
    let (setup, intro) = (
        course.rfind("Setup").unwrap(),
        course.rfind("Intro").unwrap(),
    );
    assert!(setup < intro && course.contains("2 lessons"), "{course}");
    assert!(!out.join("courses/c/SUMMARY/index.html").exists());
    // Owner files are metadata, not published.
    assert!(!out.join("runbooks/web/OWNERS").exists());

    // Every renderer agrees on the counts (SARIF and JUnit parse, GitHub annotates three).
    let (_, gh, _) = run(["check", s(&site), "--format", "github"]);
    assert_eq!(
        gh.lines().filter(|l| l.starts_with("::error ")).count(),
        3,
        "{gh}"
    );
}

#[test]
fn csv_and_markdown_reports_name_owner_sources() {
    let site = fixture("adopt-codeowners");
    let (_, csv, _) = run([
        "report",
        s(&site),
        "--format",
        "csv",
        "--today",
        "2027-06-01",
    ]);
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",via,owners_source"), "{header}");
    assert!(csv.contains(".github/CODEOWNERS line 3"), "{csv}");
    let (_, md, _) = run(["report", s(&site), "--today", "2027-06-01"]);
    assert!(
        md.contains("(owners from content/runbooks/web/OWNERS line 1)"),
        "{md}"
    );
}

fn set_baseline(site: &Path) {
    let path = site.join("book.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\n[check]\nbaseline = \"fieldbook-baseline.json\"\n");
    std::fs::write(path, text).unwrap();
}

#[test]
fn baseline_fails_only_new_findings_and_counts_fixed_ones() {
    let dir = temp_fixture("adopt-codeowners");
    let site = dir.path();
    set_baseline(site);

    // Configured but missing: a configuration error, pointing at the key.
    let (code, v) = check_json(site, &[]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(
        failing(&v),
        owned(&[("invalid-config", "book.toml", 11, 12)])
    );

    let (code, out, err) = run(["check", s(site), "--update-baseline"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "baseline: recorded 3 findings in fieldbook-baseline.json\n"
    );
    let first = std::fs::read_to_string(site.join("fieldbook-baseline.json")).unwrap();
    run(["check", s(site), "--update-baseline"]);
    assert_eq!(
        std::fs::read_to_string(site.join("fieldbook-baseline.json")).unwrap(),
        first,
        "the baseline is deterministic"
    );

    // Everything known: exit 0, findings still listed as baselined.
    let (code, v) = check_json(site, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert!(failing(&v).is_empty());
    assert_eq!(v["summary"]["errors"], 0);
    assert_eq!(
        v["summary"]["baseline"],
        serde_json::json!({"recorded": 3, "baselined": 3, "fixed": 0})
    );

    // Lines shift and a new problem appears: only the new one fails.
    let pm = site.join("content/postmortems/2026-01-outage.md");
    let text = std::fs::read_to_string(&pm).unwrap();
    std::fs::write(
        &pm,
        text.replace(
            "# January outage",
            "\n\n# January outage\n\n[x](nowhere.md)",
        ),
    )
    .unwrap();
    let (code, v) = check_json(site, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        failing(&v),
        owned(&[("broken-link", "content/postmortems/2026-01-outage.md", 9, 1)])
    );

    // Fix one: counted, and the human summary says how to shrink the baseline.
    let co = site.join(".github/CODEOWNERS");
    let text = std::fs::read_to_string(&co).unwrap();
    std::fs::write(&co, text.replace(" @dave", "")).unwrap();
    let (_, v) = check_json(site, &[]);
    assert_eq!(
        v["summary"]["baseline"],
        serde_json::json!({"recorded": 3, "baselined": 2, "fixed": 1})
    );
    let (_, human, _) = run(["check", s(site)]);
    assert!(
        human.contains("baseline: 1 of 3 baselined findings fixed — run `fieldbook check --update-baseline` to shrink it"),
        "{human}"
    );
    assert!(
        !human.contains("@acme/ghosts"),
        "baselined findings are not listed: {human}"
    );

    // SARIF marks baselined results suppressed; JUnit skips them.
    let (_, sarif, _) = run(["check", s(site), "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results
            .iter()
            .filter(|r| r.get("suppressions").is_some())
            .count(),
        2
    );
    let (_, junit, _) = run(["check", s(site), "--format", "junit"]);
    assert_eq!(junit.matches("<skipped").count(), 2, "{junit}");
    assert!(junit.contains("failures=\"1\""), "{junit}");

    // The report shows progress too.
    let (_, md, _) = run(["report", s(site)]);
    assert!(
        md.contains("Baseline: 2 still open; 1 of 3 baselined findings fixed"),
        "{md}"
    );
    let (_, json, _) = run(["report", s(site), "--format", "json"]);
    let r: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(r["baseline"]["fixed"], 1);

    // A malformed baseline stops the run, pointing into it.
    std::fs::write(
        site.join("fieldbook-baseline.json"),
        "{\"version\": 1,\n \"findings\": 3}\n",
    )
    .unwrap();
    let (code, v) = check_json(site, &[]);
    assert_eq!(code, 2);
    assert_eq!(failing(&v)[0].1, "fieldbook-baseline.json");
    assert_eq!(failing(&v)[0].2, 2);
}

/// Every file under `dir` with a hash of its bytes.
fn hashes(dir: &Path) -> BTreeMap<String, u64> {
    use std::hash::{Hash, Hasher};
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if e.file_type().is_file() {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(e.path()).unwrap().hash(&mut h);
            out.insert(
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                h.finish(),
            );
        }
    }
    out
}

/// `init --from` on `tree`: it writes only its two files, leaves the docs as they were, and
/// the result checks with status 0 or 1. Returns the config file's name and text.
fn adopt(tree: &Path) -> (String, String) {
    let before = hashes(tree);
    let (code, out, err) = run(["init", "--from", s(tree)]);
    assert_eq!(code, 0, "{out}{err}");
    let after = hashes(tree);
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    let name = if tree.join("fieldbook.toml").exists() {
        "fieldbook.toml"
    } else {
        "book.toml"
    };
    assert_eq!(added, [name, "owners.yaml"], "{out}");
    for (k, h) in &before {
        assert_eq!(after.get(k), Some(h), "{k} changed");
    }
    let (code, out2, err2) = run(["check", s(tree)]);
    assert!(code == 0 || code == 1, "{code}: {out2}{err2}");
    // Run again: refuses, exit 2, nothing changed.
    let (code, _, err) = run(["init", "--from", s(tree)]);
    assert_eq!(code, 2);
    assert!(err.contains("is already a Fieldbook site"), "{err}");
    assert_eq!(hashes(tree), after);
    (
        name.to_string(),
        std::fs::read_to_string(tree.join(name)).unwrap(),
    )
}

#[test]
fn init_from_adopts_each_style_without_touching_the_docs() {
    let tmp = tempfile::tempdir().unwrap();

    // mdBook: its own book.toml stays; Fieldbook's goes into fieldbook.toml.
    let mdbook = docs_tree(
        tmp.path(),
        "adopt-mdbook",
        &["fieldbook.toml", "owners.yaml"],
    );
    let (name, config) = adopt(&mdbook);
    assert_eq!(name, "fieldbook.toml");
    assert!(config.contains("content = \"src\""), "{config}");
    assert!(config.contains("summary = \"src/SUMMARY.md\""), "{config}");
    assert!(config.contains("runbook = [\"alerts/**\"]"), "{config}");
    let owners = std::fs::read_to_string(mdbook.join("owners.yaml")).unwrap();
    assert!(
        owners.contains("\"alice\":  # TODO: found in front matter of alerts/disk-full.md"),
        "{owners}"
    );

    // MkDocs: docs_dir and a course per training section of the nav.
    let mkdocs = docs_tree(tmp.path(), "adopt-mkdocs", &["book.toml", "owners.yaml"]);
    let (name, config) = adopt(&mkdocs);
    assert_eq!(name, "book.toml");
    assert!(config.contains("content = \"docs\""), "{config}");
    assert!(
        config.contains("nav = \"mkdocs.yml\"\nsection = \"Onboarding\""),
        "{config}"
    );

    // CODEOWNERS and OWNERS: every handle becomes a TODO entry, mapped back by its key.
    let co = docs_tree(
        tmp.path(),
        "adopt-codeowners",
        &["book.toml", "owners.yaml"],
    );
    adopt(&co);
    let owners = std::fs::read_to_string(co.join("owners.yaml")).unwrap();
    for id in [
        "\"sre\"",
        "\"team-db\"",
        "\"dave\"",
        "\"ghosts\"",
        "\"alice-gh\"",
        "\"bob\"",
    ] {
        assert!(owners.contains(id), "{id} in {owners}");
    }
    assert!(
        owners.contains("# TODO: found in .github/CODEOWNERS line 3 as @acme/team-db"),
        "{owners}"
    );
    let (_, v) = check_json(&co, &[]);
    let unknown = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "unknown-owner")
        .count();
    assert_eq!(
        unknown, 0,
        "every handle maps onto the starter registry: {v:#}"
    );

    // Markdown at the tree's root: the output goes to a hidden folder the walk skips.
    let flat = tmp.path().join("flat");
    common::write_files(
        &flat,
        &[
            ("README.md", "# Incidents\n"),
            ("PM2020-001 - DNS down.md", "# DNS down\n"),
            ("PM2020-002 - Disk full.md", "# Disk full\n"),
            ("PM2021-001 - Cert expired.md", "# Cert expired\n"),
        ],
    );
    let (_, config) = adopt(&flat);
    assert!(
        config.contains("content = \".\"\noutput = \".fieldbook-site\""),
        "{config}"
    );
    assert!(config.contains("postmortem = [\"/*.md\"]"), "{config}");
    let (code, _, err) = run(["build", s(&flat)]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(flat.join(".fieldbook-site/postmortems/index.html").exists());
    let (code, _, err) = run(["build", s(&flat)]);
    assert!(
        code == 0 || code == 1,
        "a second build does not feed on the first: {err}"
    );
}

#[test]
fn init_writes_a_starter_site_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("handbook");
    let (code, out, err) = run(["init", s(&site)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("next steps"), "{out}");
    for f in [
        "book.toml",
        "owners.yaml",
        "content/runbooks/disk-almost-full.md",
    ] {
        assert!(site.join(f).is_file(), "{f}");
    }
    let (code, out, err) = run(["check", s(&site)]);
    assert_eq!(code, 0, "{out}{err}");
    let before = hashes(&site);
    let (code, _, err) = run(["init", s(&site)]);
    assert_eq!(code, 2);
    assert!(err.contains("refusing to overwrite"), "{err}");
    assert_eq!(hashes(&site), before);
    // A directory holding only owners.yaml: nothing is written at all.
    let partial = tmp.path().join("partial");
    common::write_files(&partial, &[("owners.yaml", "people: {}\n")]);
    let (code, _, err) = run(["init", s(&partial)]);
    assert_eq!(code, 2, "{err}");
    assert!(!partial.join("book.toml").exists());
}

#[test]
fn init_from_real_corpora_never_exits_two() {
    let root = Path::new("/work/shared/corpora");
    let Ok(entries) = std::fs::read_dir(root) else {
        eprintln!("skipped: no corpora at {}", root.display());
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for e in entries.flatten().filter(|e| e.path().is_dir()) {
        let tree = tmp.path().join(e.file_name());
        copy_dir(&e.path(), &tree);
        let before = hashes(&tree);
        let (code, out, err) = run(["init", "--from", s(&tree)]);
        assert_eq!(code, 0, "{}: {out}{err}", e.path().display());
        let after = hashes(&tree);
        for (k, h) in &before {
            assert_eq!(after.get(k), Some(h), "{k} changed");
        }
        let (code, out, err) = run(["check", s(&tree), "--today", "2026-11-27"]);
        assert!(
            code == 0 || code == 1,
            "{}: exit {code}\n{out}{err}",
            e.path().display()
        );
    }
}

#[test]
fn adoption_keys_with_mistakes_stop_with_a_position() {
    let owners = ("owners.yaml", "people:\n  alice: {}\n");
    let content = ("content/a.md", "# A\n");
    // (config, file, line, column, words in the message)
    let cases = [
        (
            "[[courses]]\nslug = \"x\"\nsummary = \"SUMMARY.md\"\n",
            "book.toml",
            2,
            8,
            "cannot read summary file",
        ),
        (
            "[[courses]]\nslug = \"x y\"\nnav = \"mkdocs.yml\"\n",
            "book.toml",
            2,
            8,
            "not a slug",
        ),
        (
            "[[courses]]\nslug = \"x\"\n",
            "book.toml",
            2,
            8,
            "exactly one of",
        ),
        (
            "[kinds]\nrunbook = [\"\"]\n",
            "book.toml",
            2,
            12,
            "empty pattern",
        ),
        (
            "[kinds]\nrunbok = [\"a/**\"]\n",
            "book.toml",
            2,
            1,
            "unknown field",
        ),
        (
            "[owners]\ndefault = \"nobody\"\n",
            "book.toml",
            2,
            11,
            "is not in the owners registry",
        ),
        (
            "[[courses]]\nslug = \"x\"\nsummary = \"../SUMMARY.md\"\n",
            "book.toml",
            3,
            11,
            "outside",
        ),
    ];
    for (config, file, line, column, words) in cases {
        let dir = common::temp_site(&[("book.toml", config), owners, content]);
        let (code, v) = check_json(dir.path(), &[]);
        assert_eq!(code, 2, "{config}: {v:#}");
        let f = &v["findings"][0];
        assert_eq!(
            (
                f["file"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap()
            ),
            (file, line, column),
            "{config}: {f}"
        );
        assert!(
            f["message"].as_str().unwrap().contains(words),
            "{config}: {f}"
        );
    }
    // A navigation file that does not parse points into itself.
    let dir = common::temp_site(&[
        (
            "book.toml",
            "[[courses]]\nslug = \"x\"\nnav = \"mkdocs.yml\"\n",
        ),
        ("mkdocs.yml", "site_name: x\nnav: [unclosed\n"),
        owners,
        content,
    ]);
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(v["findings"][0]["file"], "mkdocs.yml");
    // A broken OWNERS file is a finding in it, not a stop.
    let dir = common::temp_site(&[
        ("book.toml", ""),
        ("content/OWNERS", "approvers: [unclosed\n"),
        owners,
        content,
    ]);
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        failing(&v),
        owned(&[("invalid-metadata", "content/OWNERS", 2, 1)])
    );
}
