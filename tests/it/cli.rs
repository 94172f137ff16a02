//! End-to-end tests of the `fieldbook` binary over small fixture sites (tests/fixtures/):
//! `valid` checks clean, `findings` has exactly one document per finding code, and
//! `fail-on-stale` turns the usual severities around with `[check] fail_on`.

use crate::common;
use crate::common::{
    TestSite, check_json, findings, fixture, repo_root, run, s, temp_fixture, temp_site,
};
use serde_json::Value;
use std::path::Path;

const FORMATS: [&str; 8] = [
    "human",
    "json",
    "github",
    "junit",
    "sarif",
    "codequality",
    "rdjsonl",
    "checkstyle",
];

fn owned(expected: &[(&str, &str, &str, u64, u64)]) -> Vec<(String, String, String, u64, u64)> {
    expected
        .iter()
        .map(|&(c, sev, f, l, col)| (c.into(), sev.into(), f.into(), l, col))
        .collect()
}

/// What the findings fixture must report, in the stable order (file, line, column, code),
/// with the default `fail_on` severities.
const FINDINGS: [(&str, &str, &str, u64, u64); 11] = [
    ("broken-anchor", "error", "content/broken-anchor.md", 3, 5),
    ("broken-link", "error", "content/broken-link.md", 3, 5),
    (
        "invalid-metadata",
        "error",
        "content/invalid-metadata.md",
        3,
        7,
    ),
    (
        "overdue-action",
        "warning",
        "content/postmortems/2026-09-01-overdue-action.md",
        8,
        10,
    ),
    ("due-soon", "warning", "content/runbooks/due-soon.md", 4, 11),
    (
        "lapsed-owner",
        "error",
        "content/runbooks/lapsed-owner.md",
        3,
        9,
    ),
    (
        "never-reviewed",
        "warning",
        "content/runbooks/never-reviewed.md",
        1,
        1,
    ),
    (
        "partially-lapsed-owner",
        "warning",
        "content/runbooks/partially-lapsed-owner.md",
        3,
        19,
    ),
    ("stale", "warning", "content/runbooks/stale.md", 4, 11),
    (
        "unknown-owner",
        "error",
        "content/runbooks/unknown-owner.md",
        3,
        17,
    ),
    ("unknown-key", "warning", "content/unknown-key.md", 3, 1),
];

// ---------------------------------------------------------------------------------------
// check: the demo handbook and the fixtures
// ---------------------------------------------------------------------------------------

#[test]
fn demo_handbook_has_warnings_and_no_errors() {
    let (code, json) = check_json(&repo_root(), &[]);
    assert_eq!(code, 0, "{json:#}");
    let found = findings(&json);
    assert!(
        found.iter().all(|f| f.1 == "warning"),
        "the demo has errors: {found:?}"
    );
    let count = |code: &str| found.iter().filter(|f| f.0 == code).count();
    // book.toml: "two stale runbooks, two due soon, three overdue action items", and one
    // runbook still lists someone who left.
    assert_eq!(count("stale"), 2, "{found:?}");
    assert_eq!(count("due-soon"), 2, "{found:?}");
    assert_eq!(count("overdue-action"), 3, "{found:?}");
    assert_eq!(count("partially-lapsed-owner"), 1, "{found:?}");
    // A lesson teaches with one of the stale runbooks (docs/courses.md).
    assert_eq!(count("stale-case-study"), 1, "{found:?}");
    assert_eq!(found.len(), 9, "{found:?}");
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["summary"]["warnings"], 9);

    // The human form says the same thing.
    let (code, out, _) = run(["check", s(&repo_root()), "--color", "never"]);
    assert_eq!(code, 0);
    for c in [
        "stale",
        "due-soon",
        "overdue-action",
        "partially-lapsed-owner",
    ] {
        assert!(out.contains(&format!("warning[{c}]")), "{out}");
    }
    assert!(!out.contains("error["), "{out}");
    assert!(out.ends_with("check: 32 documents, 9 warnings\n"), "{out}");
}

#[test]
fn valid_fixture_has_no_findings() {
    let (code, out, err) = run(["check", s(&fixture("valid"))]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, "check: 5 documents, no findings\n");

    let (code, json) = check_json(&fixture("valid"), &["--strict"]);
    assert_eq!(code, 0);
    assert_eq!(json["findings"], serde_json::json!([]));
    assert_eq!(
        json["summary"],
        serde_json::json!({"documents": 5, "errors": 0, "warnings": 0, "fatal": 0})
    );
}

#[test]
fn check_defaults_to_the_current_directory() {
    let mut cmd = common::command();
    cmd.arg("check").current_dir(fixture("valid"));
    let (code, out, _) = common::output(cmd);
    assert_eq!(code, 0);
    assert_eq!(out, "check: 5 documents, no findings\n");

    let mut cmd = common::command();
    cmd.args(["check", "--format", "json"])
        .current_dir(fixture("findings"));
    let (code, out, _) = common::output(cmd);
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(findings(&json), owned(&FINDINGS));
}

#[test]
fn findings_fixture_reports_each_code_once_in_stable_order() {
    let (code, json) = check_json(&fixture("findings"), &[]);
    assert_eq!(code, 1, "errors fail the check");
    let found = findings(&json);
    assert_eq!(found, owned(&FINDINGS));

    // The order is (file, line, column, code).
    let mut sorted = found.clone();
    sorted.sort_by(|a, b| (&a.2, a.3, a.4, &a.0).cmp(&(&b.2, b.3, b.4, &b.0)));
    assert_eq!(found, sorted);

    // Every finding has a message; the summary counts them.
    for f in json["findings"].as_array().unwrap() {
        assert!(!f["message"].as_str().unwrap().is_empty(), "{f}");
    }
    assert_eq!(
        json["summary"],
        serde_json::json!({"documents": 11, "errors": 5, "warnings": 6, "fatal": 0})
    );
}

#[test]
fn default_severities_follow_format_md_fail_on() {
    let (_, json) = check_json(&fixture("findings"), &[]);
    let errors = [
        "invalid-metadata",
        "unknown-owner",
        "lapsed-owner",
        "broken-link",
        "broken-anchor",
    ];
    for (code, severity, ..) in findings(&json) {
        let expected = if errors.contains(&code.as_str()) {
            "error"
        } else {
            "warning"
        };
        assert_eq!(severity, expected, "{code}");
    }
}

#[test]
fn strict_makes_every_finding_an_error() {
    let (code, json) = check_json(&fixture("findings"), &["--strict"]);
    assert_eq!(code, 1);
    let expected: Vec<_> = owned(&FINDINGS)
        .into_iter()
        .map(|(c, _, f, l, col)| (c, "error".to_string(), f, l, col))
        .collect();
    assert_eq!(findings(&json), expected);
    assert_eq!(json["summary"]["errors"], 11);
    assert_eq!(json["summary"]["warnings"], 0);

    // Warnings alone pass, unless --strict.
    let site = temp_fixture("fail-on-stale");
    common::write_files(
        site.path(),
        &[(
            "book.toml",
            &std::fs::read_to_string(fixture("findings/book.toml")).unwrap(),
        )],
    );
    let (code, json) = check_json(site.path(), &[]);
    assert_eq!(code, 1, "broken-link is an error again: {json:#}");
    std::fs::remove_file(site.path().join("content/broken-link.md")).unwrap();
    let (code, json) = check_json(site.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(findings(&json).len(), 1);
    let (code, _) = check_json(site.path(), &["--strict"]);
    assert_eq!(code, 1);
}

#[test]
fn fail_on_in_book_toml_changes_severities() {
    let site = fixture("fail-on-stale");
    let (code, json) = check_json(&site, &[]);
    assert_eq!(code, 1, "a stale runbook fails the check");
    assert_eq!(
        findings(&json),
        owned(&[
            ("broken-link", "warning", "content/broken-link.md", 3, 5),
            ("stale", "error", "content/runbooks/stale.md", 4, 11),
        ])
    );

    // Before the runbook went stale, only the broken link is left: a warning, exit 0.
    let (code, json) = check_json(&site, &["--today", "2026-10-01"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        findings(&json),
        owned(&[("broken-link", "warning", "content/broken-link.md", 3, 5)])
    );
}

#[test]
fn today_flag_overrides_the_pinned_date() {
    // 2026-10-20: stale.md (due 2026-10-30) is due soon; due-soon.md (due 2026-12-02) is
    // fresh; the action item (due 2026-11-01) is not overdue yet.
    let (_, json) = check_json(&fixture("findings"), &["--today", "2026-10-20"]);
    let codes: Vec<_> = findings(&json)
        .into_iter()
        .map(|f| (f.0, f.2))
        .filter(|(c, _)| ["stale", "due-soon", "overdue-action"].contains(&c.as_str()))
        .collect();
    assert_eq!(
        codes,
        [(
            "due-soon".to_string(),
            "content/runbooks/stale.md".to_string()
        )]
    );
}

// ---------------------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------------------

#[test]
fn output_is_deterministic_in_every_format() {
    for site in [fixture("findings"), fixture("valid"), repo_root()] {
        for format in FORMATS {
            let args = ["check", s(&site), "--format", format, "--color", "never"];
            let first = run(args);
            let second = run(args);
            assert_eq!(first, second, "{format} on {}", site.display());
            // Nor does the number of threads change anything.
            let mut cmd = common::command();
            cmd.args(args).env("RAYON_NUM_THREADS", "1");
            assert_eq!(common::output(cmd), first, "{format}, one thread");
        }
    }
    let site = fixture("findings");
    for format in ["md", "json", "csv"] {
        let args = ["report", s(&site), "--format", format];
        assert_eq!(run(args), run(args), "report {format}");
    }
}

fn check_output(format: &str) -> String {
    let (code, out, err) = run([
        "check",
        s(&fixture("findings")),
        "--format",
        format,
        "--color",
        "never",
    ]);
    assert_eq!((code, err.as_str()), (1, ""), "{format}");
    out
}

#[test]
fn snapshot_human() {
    insta::assert_snapshot!(check_output("human"));
}

#[test]
fn snapshot_github() {
    insta::assert_snapshot!(check_output("github"));
}

#[test]
fn snapshot_junit() {
    insta::assert_snapshot!(check_output("junit"));
}

/// The SARIF log without the parts that change with Fieldbook rather than with the site: the
/// tool's version and its rule list (every code Fieldbook has). Results must still point at
/// the rule of their code.
#[test]
fn snapshot_sarif() {
    let mut log: Value = serde_json::from_str(&check_output("sarif")).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .clone();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
    let driver = &mut log["runs"][0]["tool"]["driver"];
    driver["version"] = Value::from("[version]");
    driver["rules"] = Value::from("[rules]");
    for r in log["runs"][0]["results"].as_array_mut().unwrap() {
        r["ruleIndex"] = Value::from("[index]");
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&log).unwrap());
}

#[test]
fn sarif_is_valid_against_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/schemas/sarif-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    for site in [fixture("findings"), fixture("valid")] {
        let (_, out, _) = run(["check", s(&site), "--format", "sarif"]);
        let log: Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    }

    // The results match the JSON findings one for one.
    let (_, out, _) = run(["check", s(&fixture("findings")), "--format", "sarif"]);
    let log: Value = serde_json::from_str(&out).unwrap();
    let results: Vec<_> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let place = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
                place["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                place["region"]["startLine"].as_u64().unwrap(),
                place["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(results, owned(&FINDINGS));
}

/// (code, file, line) of every finding in the output of each CI format, read the way its
/// consumer reads it, with the path prefix taken off.
fn ci_findings(format: &str, out: &str, prefix: &str) -> Vec<(String, String, u64)> {
    let unprefixed = |p: &str| {
        p.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{format}: {p} lacks {prefix}"))
            .to_string()
    };
    let mut got: Vec<(String, String, u64)> = match format {
        "codequality" => serde_json::from_str::<Value>(out)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["check_name"].as_str().unwrap().to_string(),
                    unprefixed(i["location"]["path"].as_str().unwrap()),
                    i["location"]["lines"]["begin"].as_u64().unwrap(),
                )
            })
            .collect(),
        "rdjsonl" => out
            .lines()
            .map(|l| {
                let d: Value = serde_json::from_str(l).unwrap();
                (
                    d["code"]["value"].as_str().unwrap().to_string(),
                    unprefixed(d["location"]["path"].as_str().unwrap()),
                    d["location"]["range"]["start"]["line"].as_u64().unwrap(),
                )
            })
            .collect(),
        "checkstyle" => {
            let doc = roxmltree::Document::parse(out).unwrap();
            doc.descendants()
                .filter(|n| n.has_tag_name("error"))
                .map(|e| {
                    let file = e.parent().unwrap().attribute("name").unwrap();
                    (
                        e.attribute("source").unwrap()["fieldbook.".len()..].to_string(),
                        unprefixed(file),
                        e.attribute("line").unwrap().parse().unwrap(),
                    )
                })
                .collect()
        }
        "github" => out
            .lines()
            .filter_map(|l| {
                l.strip_prefix("::error file=")
                    .or(l.strip_prefix("::warning file="))
            })
            .map(|l| {
                let (props, _) = l.split_once("::").unwrap();
                let mut parts = props.split(',');
                let file = parts.next().unwrap();
                let line = parts.next().unwrap().strip_prefix("line=").unwrap();
                let code = props.rsplit_once("title=fieldbook ").unwrap().1;
                (code.to_string(), unprefixed(file), line.parse().unwrap())
            })
            .collect(),
        _ => unreachable!(),
    };
    got.sort();
    got
}

#[test]
fn ci_formats_report_every_finding_behind_the_path_prefix() {
    let site = fixture("findings");
    let mut expected: Vec<(String, String, u64)> = FINDINGS
        .iter()
        .map(|f| (f.0.to_string(), f.2.to_string(), f.3))
        .collect();
    expected.sort();
    for format in ["codequality", "rdjsonl", "checkstyle", "github"] {
        let (code, out, err) = run(["check", s(&site), "--format", format]);
        assert_eq!((code, err.as_str()), (1, ""), "{format}");
        assert_eq!(ci_findings(format, &out, ""), expected, "{format}");
        let (_, out, _) = run([
            "check",
            s(&site),
            "--format",
            format,
            "--path-prefix",
            "./docs/handbook/",
        ]);
        assert_eq!(
            ci_findings(format, &out, "docs/handbook/"),
            expected,
            "{format} --path-prefix"
        );
    }
}

#[test]
fn path_prefix_comes_from_the_github_workspace() {
    let repo = tempfile::tempdir().unwrap();
    let site = repo.path().join("docs/handbook");
    common::copy_dir(&fixture("findings"), &site);
    let check = |workspace: &Path, extra: &[&str]| {
        let mut cmd = common::command();
        cmd.args(["check", "--format", "codequality"])
            .args(extra)
            .current_dir(&site)
            .env("GITHUB_WORKSPACE", workspace);
        let (code, out, _) = common::output(cmd);
        assert_eq!(code, 1);
        let report: Value = serde_json::from_str(&out).unwrap();
        report[0]["location"]["path"].as_str().unwrap().to_string()
    };
    let first = FINDINGS[0].2;
    assert_eq!(check(repo.path(), &[]), format!("docs/handbook/{first}"));
    // Given, the flag wins; a workspace the site is not under changes nothing.
    assert_eq!(check(repo.path(), &["--path-prefix", "."]), first);
    let elsewhere = tempfile::tempdir().unwrap();
    assert_eq!(check(elsewhere.path(), &[]), first);
}

#[test]
fn junit_parses_and_counts_errors_as_failures() {
    let out = check_output("junit");
    let doc = roxmltree::Document::parse(&out).expect("JUnit output is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("11"));
    assert_eq!(root.attribute("failures"), Some("5"));
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert!(suites.iter().all(|s| s.tag_name().name() == "testsuite"));
    let mut names: Vec<_> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    names.sort_unstable();
    let mut codes: Vec<_> = FINDINGS.iter().map(|f| f.0).collect();
    codes.sort_unstable();
    assert_eq!(names, codes, "one suite per finding code");
    for suite in suites {
        let code = suite.attribute("name").unwrap();
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(suite.attribute("tests"), Some("1"), "{code}");
        assert_eq!(cases.len(), 1, "{code}");
        let expected = FINDINGS.iter().find(|f| f.0 == code).unwrap();
        let case = cases[0];
        assert_eq!(case.attribute("file"), Some(expected.2));
        assert_eq!(
            case.attribute("line"),
            Some(expected.3.to_string().as_str())
        );
        let failed = case.children().any(|n| n.has_tag_name("failure"));
        assert_eq!(failed, expected.1 == "error", "{code}");
        assert_eq!(
            suite.attribute("failures"),
            Some(if failed { "1" } else { "0" })
        );
    }

    // A clean run is one passing case, not an empty report.
    let (_, out, _) = run(["check", s(&fixture("valid")), "--format", "junit"]);
    let doc = roxmltree::Document::parse(&out).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    assert!(!cases[0].has_children());
}

/// A site of `n` runbooks, all stale on its pinned date.
fn stale_site(n: usize) -> TestSite {
    let dir = temp_site(&[
        (
            "book.toml",
            "[book]\ntitle = \"Many stale\"\n\n[build]\ntoday = \"2026-11-27\"\n",
        ),
        ("owners.yaml", "people:\n  alice: { name: Alice Ng }\n"),
    ]);
    for i in 0..n {
        common::write_files(
            dir.path(),
            &[(
                &format!("content/runbooks/r{i:02}.md"),
                &format!(
                    "---\ntitle: Runbook {i}\nowners: [alice]\nreviewed: 2026-01-01\n---\n\n# Runbook {i}\n"
                ),
            )],
        );
    }
    dir
}

#[test]
fn github_format_annotates_at_most_ten_warnings() {
    let site = stale_site(25);
    let (code, out, _) = run(["check", s(site.path()), "--format", "github"]);
    assert_eq!(code, 0, "stale is a warning by default");
    let lines: Vec<&str> = out.lines().collect();
    let annotations: Vec<_> = lines
        .iter()
        .filter(|l| l.starts_with("::warning "))
        .collect();
    assert_eq!(annotations.len(), 10, "{out}");
    for (i, a) in annotations.iter().enumerate() {
        assert!(
            a.starts_with(&format!(
                "::warning file=content/runbooks/r{i:02}.md,line=4,col=11,title=fieldbook stale::"
            )),
            "{a}"
        );
    }
    let plain: Vec<_> = lines
        .iter()
        .filter(|l| l.starts_with("content/runbooks/"))
        .collect();
    assert_eq!(plain.len(), 15, "{out}");
    for (i, p) in plain.iter().enumerate() {
        assert!(
            p.starts_with(&format!(
                "content/runbooks/r{:02}.md:4:11: warning[stale] runbook is stale",
                i + 10
            )),
            "{p}"
        );
    }
    assert_eq!(lines.iter().filter(|l| l.starts_with("help: ")).count(), 15);
    assert_eq!(lines.iter().filter(|l| l.starts_with("::error")).count(), 0);
    let notices: Vec<_> = lines.iter().filter(|l| l.starts_with("::notice")).collect();
    assert_eq!(
        notices,
        [
            &"::notice title=fieldbook::15 findings not annotated (GitHub shows at most 10 errors and 10 warnings per step); see the log"
        ]
    );
    assert_eq!(lines.last(), Some(&"check: 25 documents, 25 warnings"));
    assert_eq!(lines.len(), 10 + 15 * 2 + 1 + 1);

    // Ten or fewer need no notice.
    let site = stale_site(10);
    let (_, out, _) = run(["check", s(site.path()), "--format", "github"]);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::warning ")).count(),
        10
    );
    assert!(!out.contains("::notice"), "{out}");
}

// ---------------------------------------------------------------------------------------
// Colour
// ---------------------------------------------------------------------------------------

const ESC: char = '\u{1b}';

#[test]
fn color_always_paints_human_output_only() {
    let site = fixture("findings");
    let (_, out, _) = run(["check", s(&site), "--color", "always"]);
    assert!(out.contains("\u{1b}["), "no ANSI escapes:\n{out}");
    for format in ["json", "github", "junit", "sarif"] {
        let (_, out, _) = run(["check", s(&site), "--format", format, "--color", "always"]);
        assert!(!out.contains(ESC), "{format} has ANSI escapes");
    }
    // The flag goes before the subcommand too (it is global).
    let (_, out, _) = run(["--color", "always", "check", s(&site)]);
    assert!(out.contains(ESC));
}

#[test]
fn color_never_and_piped_output_are_plain() {
    let site = fixture("findings");
    let (_, never, _) = run(["check", s(&site), "--color", "never"]);
    assert!(!never.contains(ESC));
    // The test harness captures stdout: not a terminal, so `auto` means no colour.
    let (_, auto, _) = run(["check", s(&site)]);
    assert_eq!(auto, never);
    let (_, auto, _) = run(["check", s(&site), "--color", "auto"]);
    assert_eq!(auto, never);
    // Stripping the escapes from the coloured output gives the plain one.
    let (_, always, _) = run(["check", s(&site), "--color", "always"]);
    assert_eq!(strip_ansi(&always), never);
}

#[test]
fn no_color_is_honoured_and_an_explicit_flag_wins() {
    let site = fixture("findings");
    let mut cmd = common::command();
    cmd.args(["check", s(&site)]).env("NO_COLOR", "1");
    let (_, out, _) = common::output(cmd);
    assert!(!out.contains(ESC));
    // no-color.org: command-line flags override NO_COLOR.
    let mut cmd = common::command();
    cmd.args(["check", s(&site), "--color", "always"])
        .env("NO_COLOR", "1");
    let (_, out, _) = common::output(cmd);
    assert!(out.contains(ESC));
}

/// Run `fieldbook args` on a pseudo-terminal with `script(1)`, so that `--color auto` sees a
/// terminal. `None` where `script` is not available.
fn on_terminal(args: &[&str], no_color: Option<&str>) -> Option<String> {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_fieldbook"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &quoted.join(" "), "/dev/null"])
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null());
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().ok()?;
    if !out.status.success() && out.stdout.is_empty() {
        return None; // `script` exists but cannot open a terminal here.
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn auto_colour_on_a_terminal_respects_no_color() {
    let site = fixture("findings");
    let args = ["check", s(&site)];
    let Some(plain_tty) = on_terminal(&args, None) else {
        eprintln!("skipped: script(1) cannot run a pseudo-terminal here");
        return;
    };
    assert!(
        plain_tty.contains(ESC),
        "a terminal gets colour:\n{plain_tty}"
    );
    let with_no_color = on_terminal(&args, Some("1")).unwrap();
    assert!(!with_no_color.contains(ESC), "{with_no_color}");
    // An empty NO_COLOR does not count (no-color.org).
    let empty = on_terminal(&args, Some("")).unwrap();
    assert!(empty.contains(ESC), "{empty}");
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == ESC {
            // CSI: ESC [ parameters final-byte
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// review
// ---------------------------------------------------------------------------------------

/// The lines (with their endings) that differ between two texts of the same line count.
fn changed_lines<'a>(before: &'a str, after: &'a str) -> Vec<(&'a str, &'a str)> {
    let b: Vec<&str> = before.split_inclusive('\n').collect();
    let a: Vec<&str> = after.split_inclusive('\n').collect();
    assert_eq!(
        b.len(),
        a.len(),
        "line count changed:\n{before}\n---\n{after}"
    );
    b.into_iter().zip(a).filter(|(x, y)| x != y).collect()
}

#[test]
fn review_stamps_a_stale_runbook_and_check_agrees() {
    let site = temp_fixture("findings");
    let file = site.path().join("content/runbooks/stale.md");
    let before = std::fs::read_to_string(&file).unwrap();
    let (code, out, err) = run(["review", s(&file), "--today", "2026-11-20"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!("{}: reviewed 2026-08-01 -> 2026-11-20\n", file.display())
    );
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        changed_lines(&before, &after),
        [("reviewed: 2026-08-01\n", "reviewed: 2026-11-20\n")]
    );

    let (_, json) = check_json(site.path(), &[]);
    let mut expected = owned(&FINDINGS);
    expected.retain(|f| f.2 != "content/runbooks/stale.md");
    assert_eq!(findings(&json), expected);

    // A second run has nothing to do and leaves the file alone.
    let (code, out, _) = run(["review", s(&file), "--today", "2026-11-20"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        format!("{}: already reviewed 2026-11-20\n", file.display())
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);
}

#[test]
fn review_adds_a_missing_date_next_to_the_owners() {
    let site = temp_fixture("findings");
    let file = site.path().join("content/runbooks/never-reviewed.md");
    let (code, out, _) = run(["review", s(&file), "--today", "2026-11-27"]);
    assert_eq!(code, 0);
    assert_eq!(out, format!("{}: reviewed 2026-11-27\n", file.display()));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "---\ntitle: Never reviewed\nowners: [bob]\nreviewed: 2026-11-27\n---\n\n# Never reviewed\n"
    );
    let (_, json) = check_json(site.path(), &[]);
    assert!(
        !findings(&json).iter().any(|f| f.0 == "never-reviewed"),
        "{json:#}"
    );
}

#[test]
fn review_keeps_comments_crlf_and_quotes() {
    let text = "---\r\n\
                # Owned by the database team; ask in #db-oncall.\r\n\
                title: \"Failover: the \\\"manual\\\" way\"\r\n\
                owners: ['team-db']   # primary\r\n\
                reviewed: '2026-08-01'  # last dry run\r\n\
                tags:\r\n\
                \x20 - postgres  # the main one\r\n\
                ---\r\n\
                \r\n\
                # Failover\r\n\
                \r\n\
                reviewed: 2026-08-01 is in the body, not the front matter.\r\n";
    let site = temp_site(&[("content/runbooks/failover.md", text)]);
    let file = site.path().join("content/runbooks/failover.md");
    let (code, out, err) = run(["review", s(&file), "--today", "2026-11-27"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        changed_lines(text, &after),
        [(
            "reviewed: '2026-08-01'  # last dry run\r\n",
            "reviewed: '2026-11-27'  # last dry run\r\n"
        )]
    );
}

#[test]
fn review_without_today_uses_the_sites_pinned_date() {
    let site = temp_fixture("findings");
    let file = site.path().join("content/runbooks/stale.md");
    // From outside the site, by absolute path.
    let (code, out, _) = run(["review", s(&file)]);
    assert_eq!(code, 0);
    assert!(
        out.ends_with("reviewed 2026-08-01 -> 2026-11-27\n"),
        "{out}"
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("\nreviewed: 2026-11-27\n")
    );

    // From inside the site, by relative path.
    let mut cmd = common::command();
    cmd.args(["review", "content/runbooks/due-soon.md"])
        .current_dir(site.path());
    let (code, out, _) = common::output(cmd);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "content/runbooks/due-soon.md: reviewed 2026-09-03 -> 2026-11-27\n"
    );
    let (_, json) = check_json(site.path(), &[]);
    let found = findings(&json);
    assert!(
        !found.iter().any(|f| f.0 == "stale" || f.0 == "due-soon"),
        "{found:?}"
    );
}

#[test]
fn review_refuses_broken_front_matter_and_writes_nothing() {
    let site = temp_fixture("findings");
    let good = site.path().join("content/runbooks/stale.md");
    let bad = site.path().join("content/broken.md");
    std::fs::write(&bad, "---\ntitle: [unclosed\n---\n# Broken\n").unwrap();
    let good_before = std::fs::read_to_string(&good).unwrap();
    let (code, out, err) = run(["review", s(&good), s(&bad), "--today", "2026-11-27"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("invalid-metadata"), "{err}");
    assert_eq!(std::fs::read_to_string(&good).unwrap(), good_before);
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        "---\ntitle: [unclosed\n---\n# Broken\n"
    );
}

// ---------------------------------------------------------------------------------------
// report
// ---------------------------------------------------------------------------------------

fn report(site: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["report", s(site)];
    args.extend_from_slice(extra);
    run(&args)
}

fn report_json(site: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = report(site, &args);
    assert_eq!((code, err.as_str()), (0, ""));
    serde_json::from_str(&out).unwrap()
}

/// (owner, task, file, via) of every item.
fn report_items(json: &Value) -> Vec<(String, String, String, Option<String>)> {
    let mut out = Vec::new();
    for o in json["owners"].as_array().unwrap() {
        for i in o["items"].as_array().unwrap() {
            out.push((
                o["id"].as_str().unwrap().to_string(),
                i["task"].as_str().unwrap().to_string(),
                i["file"].as_str().unwrap().to_string(),
                i["via"].as_str().map(String::from),
            ));
        }
    }
    out
}

fn item(
    owner: &str,
    task: &str,
    file: &str,
    via: Option<&str>,
) -> (String, String, String, Option<String>) {
    (
        owner.into(),
        task.into(),
        format!("content/{file}"),
        via.map(String::from),
    )
}

#[test]
fn report_json_lists_every_owners_work_most_urgent_first() {
    let json = report_json(&fixture("findings"), &[]);
    assert_eq!(json["today"], "2026-11-27");
    assert_eq!(
        report_items(&json),
        [
            item("carol", "hand-over", "runbooks/lapsed-owner.md", None),
            item("team-db", "stale", "runbooks/stale.md", None),
            item(
                "team-db",
                "remove-lapsed-owner",
                "runbooks/partially-lapsed-owner.md",
                None
            ),
            item(
                "bob",
                "overdue-action",
                "postmortems/2026-09-01-overdue-action.md",
                None
            ),
            item("bob", "never-reviewed", "runbooks/never-reviewed.md", None),
            item("alice", "due-soon", "runbooks/due-soon.md", None),
        ]
    );
    let stale = &json["owners"][1]["items"][0];
    assert_eq!(stale["reviewed"], "2026-08-01");
    assert_eq!(stale["due"], "2026-10-30");
    assert_eq!(stale["days"], -28);
    assert_eq!(json["owners"][1]["channel"], "#db-oncall");
    assert_eq!(json["owners"][0]["standing"], "lapsed");
    let action = &json["owners"][2]["items"][0];
    assert_eq!(action["detail"], "Add disk alerts");
    assert_eq!(action["days"], -26);
}

#[test]
fn report_puts_stale_before_due_soon_and_the_most_overdue_first() {
    // On 2027-01-20 both stale.md (due 2026-10-30) and due-soon.md (due 2026-12-02) are
    // stale, and the runbooks reviewed 2026-11-01 are due soon (2027-01-30).
    let json = report_json(
        &fixture("findings"),
        &["--owner", "alice", "--today", "2027-01-20"],
    );
    let owners = json["owners"].as_array().unwrap();
    assert_eq!(owners.len(), 1);
    let items: Vec<_> = owners[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["task"].as_str().unwrap().to_string(),
                i["file"].as_str().unwrap().to_string(),
                i["days"].as_i64(),
            )
        })
        .collect();
    let it = |t: &str, f: &str, d: Option<i64>| (t.to_string(), format!("content/{f}"), d);
    assert_eq!(
        items,
        [
            it("stale", "runbooks/stale.md", Some(-82)),
            it("stale", "runbooks/due-soon.md", Some(-49)),
            it("due-soon", "runbooks/partially-lapsed-owner.md", Some(10)),
            it("due-soon", "runbooks/unknown-owner.md", Some(10)),
            it(
                "remove-lapsed-owner",
                "runbooks/partially-lapsed-owner.md",
                None
            ),
        ]
    );

    // Markdown: the same order.
    let (code, md, _) = report(
        &fixture("findings"),
        &["--owner", "alice", "--today", "2027-01-20"],
    );
    assert_eq!(code, 0);
    let first_stale = md.find("| stale |").expect("a stale row");
    let first_due_soon = md.find("| due soon |").expect("a due-soon row");
    assert!(first_stale < first_due_soon, "{md}");
    let older = md.find("[Stale](content/runbooks/stale.md)").unwrap();
    let newer = md.find("[Due soon](content/runbooks/due-soon.md)").unwrap();
    assert!(older < newer, "82 days overdue comes before 49:\n{md}");
}

#[test]
fn report_markdown_for_the_findings_fixture() {
    let (code, md, err) = report(&fixture("findings"), &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(md.starts_with("# Review report, 2026-11-27\n"), "{md}");
    assert!(
        md.contains("## Database Reliability (`team-db`) · #db-oncall\n"),
        "{md}"
    );
    assert!(
        md.contains("## Carol Silva (`carol`) · **lapsed**\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "| stale | [Stale](content/runbooks/stale.md) | 2026-08-01 | 2026-10-30 | 28 days overdue |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| due soon | [Due soon](content/runbooks/due-soon.md) | 2026-09-03 | 2026-12-02 | in 5 days |"),
        "{md}"
    );
    // Owners with the most urgent work first.
    let pos = |h: &str| md.find(h).unwrap_or_else(|| panic!("{h} missing:\n{md}"));
    assert!(pos("(`carol`)") < pos("(`team-db`)"));
    assert!(pos("(`team-db`)") < pos("(`bob`)"));
    assert!(pos("(`bob`)") < pos("(`alice`)"));

    // The valid fixture's only work is an action item that is open but not yet due.
    let (_, md, _) = report(&fixture("valid"), &[]);
    assert_eq!(
        md,
        "# Review report, 2026-11-27\n\n## Database Reliability (`team-db`) · #db-oncall\n\n\
         | What | Document | Reviewed | Due | |\n|---|---|---|---|---|\n\
         | open action item: Add a second replica | [Primary database lost](content/postmortems/2026-10-01-primary-lost.md) | — | 2027-01-31 | in 65 days |\n\n"
    );
    let site = temp_fixture("valid");
    let pm = site
        .path()
        .join("content/postmortems/2026-10-01-primary-lost.md");
    let text = std::fs::read_to_string(&pm).unwrap();
    std::fs::write(&pm, text.replace("status: open", "status: done")).unwrap();
    let (_, md, _) = report(site.path(), &[]);
    assert_eq!(
        md,
        "# Review report, 2026-11-27\n\nNothing to review: every document is fresh and every owner active.\n"
    );
}

#[test]
fn report_for_a_person_includes_their_teams_work() {
    let json = report_json(&fixture("findings"), &["--owner", "alice"]);
    assert_eq!(
        report_items(&json),
        [
            item("alice", "stale", "runbooks/stale.md", Some("team-db")),
            item("alice", "due-soon", "runbooks/due-soon.md", None),
            item(
                "alice",
                "remove-lapsed-owner",
                "runbooks/partially-lapsed-owner.md",
                Some("team-db")
            ),
        ]
    );
    let (_, md, _) = report(&fixture("findings"), &["--owner", "alice"]);
    assert!(md.contains("## Alice Ng (`alice`)\n"), "{md}");
    assert!(md.contains("| stale (via `team-db`) |"), "{md}");
    assert!(!md.contains("(`bob`)"), "{md}");

    let (_, csv, _) = report(
        &fixture("findings"),
        &["--owner", "alice", "--format", "csv"],
    );
    let rows = parse_csv(&csv);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1][12], "team-db");
    assert_eq!(rows[2][12], "");

    // A team gets only its own items, without `via`.
    let json = report_json(&fixture("findings"), &["--owner", "team-db"]);
    assert_eq!(
        report_items(&json),
        [
            item("team-db", "stale", "runbooks/stale.md", None),
            item(
                "team-db",
                "remove-lapsed-owner",
                "runbooks/partially-lapsed-owner.md",
                None
            ),
        ]
    );
}

#[test]
fn report_for_an_unknown_owner_exits_2_with_a_suggestion() {
    let (code, out, err) = report(&fixture("findings"), &["--owner", "nobody"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: `nobody` is not an owner in owners.yaml; use a person or team id from owners.yaml\n"
    );
    let (code, out, err) = report(&fixture("findings"), &["--owner", "alcie"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("did you mean `alice`?"), "{err}");
}

/// An RFC 4180 parser: fields separated by commas, records by CRLF or LF, a quoted field may
/// hold commas, line breaks and doubled quotes. Panics on anything else.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted_field = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if field.is_empty() && !quoted_field => {
                quoted_field = true;
                loop {
                    match chars.next().expect("unterminated quoted field") {
                        '"' if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        '"' => break,
                        c => field.push(c),
                    }
                }
                assert!(
                    matches!(chars.peek(), None | Some(',' | '\r' | '\n')),
                    "text after a closing quote"
                );
            }
            '"' => panic!("a quote inside an unquoted field: {field}"),
            ',' => {
                record.push(std::mem::take(&mut field));
                quoted_field = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                quoted_field = false;
            }
            c => field.push(c),
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record lacks its line break"
    );
    records
}

const CSV_HEADER: [&str; 14] = [
    "owner",
    "owner_name",
    "owner_kind",
    "channel",
    "task",
    "file",
    "title",
    "kind",
    "reviewed",
    "due",
    "days",
    "detail",
    "via",
    "owners_source",
];

#[test]
fn report_csv_parses_and_matches_the_json() {
    let (code, csv, _) = report(&fixture("findings"), &["--format", "csv"]);
    assert_eq!(code, 0);
    let rows = parse_csv(&csv);
    assert_eq!(rows[0], CSV_HEADER);
    assert!(rows.iter().all(|r| r.len() == CSV_HEADER.len()), "{rows:?}");
    let from_csv: Vec<_> = rows[1..]
        .iter()
        .map(|r| {
            (
                r[0].clone(),
                r[4].clone(),
                r[5].clone(),
                Some(r[12].clone()).filter(|v| !v.is_empty()),
            )
        })
        .collect();
    assert_eq!(
        from_csv,
        report_items(&report_json(&fixture("findings"), &[]))
    );
    let stale = rows.iter().find(|r| r[4] == "stale").unwrap();
    assert_eq!(
        stale[3..],
        [
            "#db-oncall",
            "stale",
            "content/runbooks/stale.md",
            "Stale",
            "runbook",
            "2026-08-01",
            "2026-10-30",
            "-28",
            "",
            "",
            "front matter"
        ]
    );
}

#[test]
fn report_csv_quotes_and_defuses_formulas() {
    let site = temp_fixture("valid");
    common::write_files(
        site.path(),
        &[
            (
                "content/runbooks/formula.md",
                "---\ntitle: '=HYPERLINK(\"http://evil.example\", \"click, me\")'\nowners: [alice]\nreviewed: 2026-01-01\n---\n\n# Formula\n",
            ),
            (
                "content/runbooks/plus.md",
                "---\ntitle: \"+1 line one\\nline two\"\nowners: [alice]\nreviewed: 2026-01-02\n---\n\n# Plus\n",
            ),
        ],
    );
    let (code, csv, _) = report(site.path(), &["--format", "csv"]);
    assert_eq!(code, 0);
    // The fixture's own open action item is not what these tests are about.
    let rows: Vec<Vec<String>> = parse_csv(&csv)
        .into_iter()
        .filter(|r| r[4] != "open-action")
        .collect();
    assert_eq!(rows.len(), 3, "{csv}");
    let titles: Vec<&str> = rows[1..].iter().map(|r| r[6].as_str()).collect();
    assert_eq!(
        titles,
        [
            "'=HYPERLINK(\"http://evil.example\", \"click, me\")",
            "'+1 line one\nline two"
        ]
    );
    // No cell a spreadsheet would evaluate.
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '@'])
                    && (!cell.starts_with('-') || cell.parse::<f64>().is_ok()),
                "{cell}"
            );
        }
    }
}

/// The report's task for a finding code, where the report has one.
fn task_for(code: &str) -> Option<&'static str> {
    Some(match code {
        "stale" => "stale",
        "due-soon" => "due-soon",
        "never-reviewed" => "never-reviewed",
        "overdue-action" => "overdue-action",
        "partially-lapsed-owner" => "remove-lapsed-owner",
        _ => return None,
    })
}

/// Every finding `report` has a task for shows up in the report, for the same file.
fn assert_report_covers_check(site: &Path, today: &[&str]) {
    let (_, json) = check_json(site, today);
    let items = report_items(&report_json(site, today));
    for (code, _, file, line, _) in findings(&json) {
        let Some(task) = task_for(&code) else {
            continue;
        };
        assert!(
            items.iter().any(|i| i.1 == task && i.2 == file),
            "check reports {code} at {file}:{line}, but the report has no `{task}` item for it: {items:?}"
        );
    }
}

#[test]
fn report_covers_what_check_finds() {
    assert_report_covers_check(&fixture("findings"), &[]);
    assert_report_covers_check(&fixture("findings"), &["--today", "2027-01-20"]);
    assert_report_covers_check(&repo_root(), &[]);
    assert_report_covers_check(&repo_root(), &["--today", "2027-06-01"]);
}

#[test]
fn report_lists_a_stale_lesson_that_inherits_its_owners() {
    let site = temp_site(&[
        (
            "book.toml",
            "[book]\ntitle = \"Lessons\"\n\n[build]\ntoday = \"2026-11-27\"\n",
        ),
        ("owners.yaml", "people:\n  alice: { name: Alice Ng }\n"),
        (
            "content/courses/c/index.md",
            "---\ntitle: Course\nowners: [alice]\nreviewed: 2026-11-01\n---\n# Course\n",
        ),
        (
            "content/courses/c/01-one.md",
            "---\ntitle: Lesson one\nreviewed: 2025-01-01\n---\n# Lesson one\n",
        ),
    ]);
    let (_, json) = check_json(site.path(), &[]);
    assert_eq!(
        findings(&json),
        owned(&[("stale", "warning", "content/courses/c/01-one.md", 3, 11)])
    );
    assert_report_covers_check(site.path(), &[]);
}

#[test]
fn report_csv_defuses_tab_and_carriage_return() {
    let site = temp_fixture("valid");
    common::write_files(
        site.path(),
        &[
            (
                "content/runbooks/tab.md",
                "---\ntitle: \"\\t=1+2\"\nowners: [alice]\nreviewed: 2026-01-01\n---\n# Tab\n",
            ),
            (
                "content/runbooks/cr.md",
                "---\ntitle: \"\\r=1+2\"\nowners: [alice]\nreviewed: 2026-01-02\n---\n# CR\n",
            ),
        ],
    );
    let (_, csv, _) = report(site.path(), &["--format", "csv"]);
    let rows: Vec<Vec<String>> = parse_csv(&csv)
        .into_iter()
        .filter(|r| r[4] != "open-action")
        .collect();
    let titles: Vec<&str> = rows[1..].iter().map(|r| r[6].as_str()).collect();
    assert_eq!(titles, ["'\t=1+2", "'\r=1+2"]);
}

#[test]
fn check_appends_a_markdown_summary_to_github_step_summary() {
    let site = temp_fixture("findings");
    common::replace_in(
        site.path(),
        "book.toml",
        "base_url = \"/\"",
        "base_url = \"https://handbook.example.com/\"",
    );
    let summary = site.path().join("summary.md");
    std::fs::write(&summary, "# Earlier step\n").unwrap();
    let mut cmd = common::command();
    cmd.args(["check", s(site.path()), "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/handbook")
        .env("GITHUB_SHA", "abc123");
    let (code, out, err) = common::output(cmd);
    assert_eq!((code, err.as_str()), (1, ""));
    assert!(
        out.starts_with("::error "),
        "the findings still go to stdout"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with(
            "# Earlier step\n## Fieldbook check failed\n\n11 documents, 5 errors, 6 warnings\n"
        ),
        "{md}"
    );
    assert!(md.contains("| `lapsed-owner` | error | 1 |\n"), "{md}");
    assert!(md.contains("| `stale` | warning | 1 |\n"), "{md}");
    assert!(
        md.contains(
            "| [Lapsed owner](https://handbook.example.com/runbooks/lapsed-owner/)<br>\
             [<code>content/runbooks/lapsed-owner.md</code>](https://github.com/acme/handbook/\
             blob/abc123/content/runbooks/lapsed-owner.md#L3) | Carol Silva | `lapsed-owner` line 3:"
        ),
        "{md}"
    );
    // One row per failing document; warnings only counted.
    let rows = md.lines().filter(|l| l.starts_with("| [")).count();
    assert_eq!(rows, 5, "{md}");
    assert!(!md.contains("content/runbooks/stale.md"));

    // A second run appends again; without the variable nothing is written.
    let mut cmd = common::command();
    cmd.args(["check", s(site.path())])
        .env("GITHUB_STEP_SUMMARY", &summary);
    common::output(cmd);
    let again = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(again.matches("## Fieldbook check failed").count(), 2);
    run(["check", s(site.path())]);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), again);
}

// ---------------------------------------------------------------------------------------
// Completions and the manual page
// ---------------------------------------------------------------------------------------

const SUBCOMMANDS: [&str; 9] = [
    "check",
    "init",
    "build",
    "serve",
    "search",
    "review",
    "report",
    "completions",
    "man",
];

/// `fieldbook completions SHELL`, checked by the shell's own parser (`-n`: read, not run)
/// where that shell is installed.
#[test]
fn completions_parse_in_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, checker) in [
        ("bash", Some("bash")),
        ("zsh", Some("zsh")),
        ("fish", Some("fish")),
        ("powershell", None),
    ] {
        let (code, out, err) = run(["completions", shell]);
        assert_eq!((code, err.as_str()), (0, ""), "{shell}");
        for sub in SUBCOMMANDS {
            assert!(out.contains(sub), "{shell} completes no {sub}");
        }
        assert!(
            out.contains("path-prefix") && out.contains("codequality"),
            "{shell}"
        );
        let Some(checker) = checker else { continue };
        let script = dir.path().join(format!("fieldbook.{shell}"));
        std::fs::write(&script, &out).unwrap();
        match std::process::Command::new(checker)
            .arg("-n")
            .arg(&script)
            .output()
        {
            Ok(r) => assert!(
                r.status.success(),
                "{checker} -n rejects the completions:\n{}",
                String::from_utf8_lossy(&r.stderr)
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("skipped: {checker} is not installed");
            }
            Err(e) => panic!("{checker}: {e}"),
        }
    }
    let (code, _, err) = run(["completions", "tcsh"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn man_page_names_every_subcommand() {
    let (code, out, err) = run(["man"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.contains("\n.TH fieldbook 1 "), "{out}");
    assert!(out.contains(".SH SUBCOMMANDS"), "{out}");
    for sub in SUBCOMMANDS {
        assert!(
            out.contains(&format!("\n.TP\nfieldbook\\-{sub}(1)\n")),
            "the man page lacks {sub}:\n{out}"
        );
        // Each has the page the main one refers to.
        let (code, page, err) = run(["man", sub]);
        assert_eq!((code, err.as_str()), (0, ""), "{sub}");
        assert!(
            page.contains(&format!(
                "\n.TH fieldbook-{sub} 1  \"fieldbook-{sub} {}\"",
                env!("CARGO_PKG_VERSION")
            )),
            "{page}"
        );
    }
    let (code, page, _) = run(["man", "check"]);
    assert_eq!(code, 0);
    assert!(page.contains("\\-\\-path\\-prefix"), "{page}");
    let (code, _, err) = run(["man", "nonesuch"]);
    assert_eq!(code, 2, "{err}");
}

/// `.pre-commit-hooks.yaml`: the hook pre-commit users name, running `check` on the whole site.
#[test]
fn pre_commit_hook_runs_check_on_the_site() {
    let text = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"].as_str(), Some("fieldbook-check"));
    assert_eq!(hook["entry"].as_str(), Some("fieldbook check"));
    assert_eq!(hook["language"].as_str(), Some("rust"));
    assert_eq!(hook["pass_filenames"].as_bool(), Some(false));
    assert_eq!(hook["files"].as_str(), Some(r"\.(md|markdown|toml|ya?ml)$"));
}

// ---------------------------------------------------------------------------------------
// The offline pack
// ---------------------------------------------------------------------------------------

/// `fieldbook pack SITE EXTRA... --output FILE`: exit code, stderr and the file's text.
fn pack(site: &Path, extra: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pack.html");
    let mut args = vec!["pack", s(site), "--output", s(&file)];
    args.extend(extra);
    let (code, _, err) = run(&args);
    let html = std::fs::read_to_string(&file).unwrap_or_default();
    (code, err, html)
}

fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!(" {attr}=\"");
    html.match_indices(&pat)
        .map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn pack_is_one_self_contained_file_whose_links_all_land() {
    let (code, err, html) = pack(&repo_root(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with("pack: 12 runbooks in "), "{err}");
    assert!(html.len() < 1024 * 1024, "{} bytes", html.len());
    // Nothing to fetch: no external file, stylesheet, script or image.
    assert!(!html.contains("<link"), "a <link> element");
    for src in attribute_values(&html, "src") {
        assert!(src.starts_with("data:"), "src={src}");
    }
    assert!(html.contains("default-src 'none'"));
    // Ids are unique and every in-page link lands on one.
    let ids = attribute_values(&html, "id");
    let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
    for href in attribute_values(&html, "href") {
        if let Some(target) = href.strip_prefix('#') {
            assert!(unique.contains(target), "#{target} lands nowhere");
        } else {
            assert!(
                href.starts_with("https://")
                    || href.starts_with("http://")
                    || href.starts_with("mailto:"),
                "href={href}"
            );
        }
    }
    // Each runbook, its owners with their channel, review flags, the alert index.
    let site = fieldbook::load::load_site(&repo_root(), None).unwrap();
    for doc in site
        .listed(false)
        .filter(|d| d.kind == fieldbook::content::front_matter::Kind::Runbook)
    {
        assert!(
            html.contains(&format!("<code>{}</code>", doc.file)),
            "{}",
            doc.file
        );
        for a in &doc.meta.alerts {
            assert!(
                html.contains(&format!("<tr><td><code>{a}</code></td>")),
                "alert {a}"
            );
        }
    }
    assert!(html.contains("(#db-oncall)"), "a team channel");
    assert!(
        html.contains("<strong class=\"flag\">Stale</strong>"),
        "a stale flag"
    );
    assert!(html.contains("@media print") && html.contains("break-before: page"));
}

#[test]
fn pack_selects_by_team_service_or_alerts() {
    let (code, err, all) = pack(&repo_root(), &[]);
    assert_eq!(code, 0, "{err}");
    let count = |html: &str| html.matches("<article id=").count();
    let (code, err, team) = pack(&repo_root(), &["--team", "team-db"]);
    assert_eq!(code, 0, "{err}");
    assert!(count(&team) >= 1 && count(&team) < count(&all), "{err}");
    assert!(team.contains("owned by team-db"));
    let (code, err, alerts) = pack(&repo_root(), &["--alerts"]);
    assert_eq!(code, 0, "{err}");
    assert!(count(&alerts) >= 1 && count(&alerts) <= count(&all));
    let (code, _, _) = pack(&repo_root(), &["--team", "team-nobody"]);
    assert_eq!(code, 2);
    let (code, _, _) = pack(&repo_root(), &["--team", "team-db", "--alerts"]);
    assert_eq!(code, 2, "one selection at a time");
}
