//! Code blocks checked by their language (docs/checks.md): `invalid-code` findings at their
//! place in the document for PromQL, YAML, JSON, TOML and (with shellcheck) shell blocks,
//! placeholders and prompts accepted, exempt blocks skipped, and one note when shellcheck is
//! not installed.

use crate::common::{TestSite, command, findings, output};
use std::path::Path;

/// The `invalid-code` findings: (file, line, column, message).
fn invalid_code(json: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "invalid-code")
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// shellcheck on the PATH; CI (`.ci/run`, which installs it) requires it.
fn shellcheck_installed() -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("shellcheck").is_file()));
    if !found && std::env::var_os("FIELDBOOK_REQUIRE_SHELLCHECK").is_some() {
        panic!("FIELDBOOK_REQUIRE_SHELLCHECK is set but shellcheck is not installed");
    }
    found
}

/// `check SITE --format json` with `PATH` set to `path`: (exit code, output, stderr).
fn check_with_path(site: &Path, path: &Path) -> (i32, serde_json::Value, String) {
    let mut cmd = command();
    cmd.env("PATH", path)
        .arg("check")
        .arg(site)
        .args(["--format", "json"]);
    let (code, out, err) = output(cmd);
    assert!(!err.contains("panicked"), "{err}");
    (code, serde_json::from_str(&out).unwrap(), err)
}

const BROKEN: &str = "content/runbooks/broken.md";

/// The findings every run has, whether shellcheck runs or not: one per broken block, at the
/// line and column of the error in the file (blocks in list items included), none for the
/// valid page, the exempt blocks or their placeholders.
fn assert_parsed_blocks(found: &[(String, u64, u64, String)]) {
    let at: Vec<(&str, u64, u64)> = found
        .iter()
        .filter(|f| !f.3.starts_with("shell block: "))
        .map(|f| (f.0.as_str(), f.1, f.2))
        .collect();
    assert_eq!(
        at,
        [
            (BROKEN, 12, 4),
            (BROKEN, 20, 13),
            (BROKEN, 24, 9),
            (BROKEN, 30, 1),
        ],
        "{found:#?}"
    );
    let messages: Vec<&str> = found.iter().map(|f| f.3.as_str()).collect();
    for (m, lang) in messages.iter().zip(["PromQL", "YAML", "JSON", "TOML"]) {
        assert!(
            m.starts_with(&format!("{lang} block does not parse: ")),
            "{messages:?}"
        );
    }
    assert!(
        messages.iter().all(|m| !m.contains("at line")),
        "positions in the block's own text are left out: {messages:?}"
    );
}

#[test]
fn broken_blocks_are_found_where_they_are() {
    let site = TestSite::fixture("code-blocks");
    let (code, json) = site.check_json(&[]);
    assert_eq!(code, 0, "invalid-code is a warning by default: {json:#}");
    let found = invalid_code(&json);
    assert_parsed_blocks(&found);
    for f in json["findings"].as_array().unwrap() {
        if f["code"] == "invalid-code" {
            assert_eq!(f["severity"], "warning");
            assert!(
                f["hint"].as_str().unwrap().contains(" {no-check}`")
                    && f["hint"]
                        .as_str()
                        .unwrap()
                        .contains("<!-- fieldbook: no-check -->"),
                "{f:#}"
            );
        }
    }
    // Nothing else is wrong with the fixture.
    assert!(
        findings(&json).iter().all(|f| f.0 == "invalid-code"),
        "{:?}",
        findings(&json)
    );
}

#[test]
fn shellcheck_reports_its_codes_at_the_command() {
    if !shellcheck_installed() {
        eprintln!("shellcheck is not installed: the shellcheck-present path is not tested");
        return;
    }
    let site = TestSite::fixture("code-blocks");
    let (_, json) = site.check_json(&[]);
    let shell: Vec<_> = invalid_code(&json)
        .into_iter()
        .filter(|f| f.3.starts_with("shell block: "))
        .collect();
    assert!(!shell.is_empty(), "{json:#}");
    assert!(
        shell
            .iter()
            .all(|f| f.0 == BROKEN && (f.1 == 34 || f.1 == 35)),
        "only the unbalanced quote (the valid page's placeholders, prompts and output are fine): {shell:#?}"
    );
    let first = &shell[0];
    assert_eq!((first.1, first.2), (34, 6), "{shell:#?}");
    assert!(
        first
            .3
            .starts_with("shell block: SC1073 Couldn't parse this double quoted string"),
        "{first:?}"
    );
}

#[test]
fn without_shellcheck_one_note_and_the_other_languages_still_checked() {
    let site = TestSite::fixture("code-blocks");
    let empty = TestSite::empty();
    let (code, json, err) = check_with_path(site.path(), empty.path());
    assert_eq!(code, 0);
    let found = invalid_code(&json);
    assert!(
        found.iter().all(|f| !f.3.starts_with("shell block: ")),
        "{found:#?}"
    );
    assert_parsed_blocks(&found);
    assert_eq!(
        err.matches("shellcheck is not installed").count(),
        1,
        "one note for the run, not one per block: {err}"
    );

    // Turned off: no note either.
    site.write(
        "book.toml",
        "[book]\ntitle = \"Code Blocks Fixture\"\n[build]\ntoday = \"2026-11-27\"\n[check]\nshellcheck = false\n",
    );
    let (_, json, err) = check_with_path(site.path(), empty.path());
    assert!(!err.contains("shellcheck"), "{err}");
    assert_parsed_blocks(&invalid_code(&json));
}

/// A `shellcheck` in a folder of its own (the `PATH` of the runs) that logs its first
/// argument and runs the real one: how many times blocks went to shellcheck.
#[cfg(unix)]
struct CountingShellcheck {
    bin: TestSite,
}

#[cfg(unix)]
impl CountingShellcheck {
    fn new() -> CountingShellcheck {
        let real = std::env::var_os("PATH")
            .and_then(|p| {
                std::env::split_paths(&p)
                    .map(|d| d.join("shellcheck"))
                    .find(|p| p.is_file())
            })
            .unwrap();
        let bin = TestSite::empty();
        let log = bin.join("log");
        bin.write(
            "shellcheck",
            &format!(
                "#!/bin/sh\necho \"$1\" >> '{}'\nexec '{}' \"$@\"\n",
                log.display(),
                real.display()
            ),
        );
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            bin.join("shellcheck"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        CountingShellcheck { bin }
    }

    /// The runs that checked blocks (not `--version`).
    fn checks(&self) -> usize {
        std::fs::read_to_string(self.bin.join("log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| *l != "--version")
            .count()
    }
}

const SHELL_CACHE: &str = ".fieldbook/cache/shellcheck.json";

#[cfg(unix)]
#[test]
fn shellcheck_results_are_cached_per_block() {
    if !shellcheck_installed() {
        eprintln!("shellcheck is not installed: the cache is not tested");
        return;
    }
    let site = TestSite::fixture("code-blocks");
    let sc = CountingShellcheck::new();
    let (_, first, _) = check_with_path(site.path(), sc.bin.path());
    assert_eq!(sc.checks(), 1);
    let cache = site.read(SHELL_CACHE);
    assert!(cache.contains("SC1073"), "{cache}");

    // Every block in the cache: the same findings, no shellcheck run, the same bytes.
    let (_, second, err) = check_with_path(site.path(), sc.bin.path());
    assert_eq!(sc.checks(), 1, "{err}");
    assert_eq!(first["findings"], second["findings"]);
    assert_eq!(site.read(SHELL_CACHE), cache);

    // A new block alone goes to shellcheck; one no longer used leaves the cache.
    site.replace(
        "content/runbooks/valid.md",
        "logs <pod> --since=15m",
        "logs <pod> --since=30m",
    );
    let (_, third, _) = check_with_path(site.path(), sc.bin.path());
    assert_eq!(sc.checks(), 2);
    assert_eq!(first["findings"], third["findings"]);
    let cache = site.read(SHELL_CACHE);
    assert!(cache.contains("--since=30m") && !cache.contains("--since=15m"));

    // A corrupt cache is ignored (with a note) and rebuilt; so is one of another shellcheck.
    site.write(SHELL_CACHE, "{ not json");
    let (_, fourth, err) = check_with_path(site.path(), sc.bin.path());
    assert_eq!(sc.checks(), 3);
    assert!(err.contains("shellcheck cache"), "{err}");
    assert_eq!(first["findings"], fourth["findings"]);
    assert_eq!(site.read(SHELL_CACHE), cache);
    let mut foreign: serde_json::Value = serde_json::from_str(&cache).unwrap();
    foreign["shellcheck"] = "0.0.1 --format=json1".into();
    site.write(SHELL_CACHE, &foreign.to_string());
    let (_, fifth, err) = check_with_path(site.path(), sc.bin.path());
    assert_eq!(sc.checks(), 4);
    assert!(!err.contains("shellcheck cache"), "{err}");
    assert_eq!(first["findings"], fifth["findings"]);
    assert_eq!(site.read(SHELL_CACHE), cache);
}

#[test]
fn fail_on_raises_invalid_code() {
    let site = TestSite::fixture("code-blocks");
    site.write(
        "book.toml",
        "[book]\ntitle = \"Code Blocks Fixture\"\n[build]\ntoday = \"2026-11-27\"\n[check]\nfail_on = [\"invalid-code\"]\nshellcheck = false\n",
    );
    let (code, json) = site.check_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "invalid-code")
            .all(|f| f["severity"] == "error")
    );
}

#[test]
fn pages_show_a_note_above_a_broken_block() {
    let site = TestSite::fixture("code-blocks");
    let (code, _, err) = site.build(&[]);
    assert_eq!(code, 0, "{err}");
    let html = site.read_output("runbooks/broken/index.html");
    let notes: Vec<&str> = html
        .match_indices("<p class=\"code-note\" role=\"note\">")
        .map(|(i, _)| &html[i..i + html[i..].find("</p>").unwrap()])
        .collect();
    assert_eq!(
        notes.len(),
        4,
        "PromQL, YAML, JSON, TOML; not the exempt blocks: {notes:#?}"
    );
    assert!(
        notes[0].ends_with("This query no longer parses: unclosed left parenthesis"),
        "{notes:?}"
    );
    // Just above its block.
    let i = html.find(notes[0]).unwrap() + notes[0].len();
    assert!(
        html[i..].starts_with("</p>\n<pre class=\"code\" data-lang=\"promql\">"),
        "{}",
        &html[i..i + 80]
    );
    let valid = site.read_output("runbooks/valid/index.html");
    assert!(!valid.contains("code-note"));
}

#[test]
fn exempt_blocks_keep_their_highlighting() {
    let site = TestSite::fixture("code-blocks");
    let (code, _, err) = site.build(&[]);
    assert_eq!(code, 0, "{err}");
    let html = site.read_output("runbooks/broken/index.html");
    // ```yaml {no-check}: the attribute is no language.
    assert!(
        html.contains(
            "<pre class=\"code\" data-lang=\"yaml\"><code>: <span class=\"nt\">not</span>"
        ),
        "{html}"
    );
    assert!(!html.contains("data-lang=\"yaml {no-check}\""), "{html}");
}

#[test]
fn broken_steps_are_counted_on_the_freshness_report_and_listed_per_owner() {
    let site = TestSite::fixture("code-blocks");
    let (_, _, err) = site.build(&["--today", "2026-11-27"]);
    let freshness = site.read_output("freshness/index.html");
    let section = &freshness[freshness.find("Broken steps").expect(&err)..];
    assert!(
        section.contains("Broken steps</a>"),
        "the document is linked: {section}"
    );
    assert!(!section.contains("Every block parses"), "{section}");
    let (code, out, err) = site.run("report", &["--format", "json", "--today", "2026-11-27"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let items: Vec<&serde_json::Value> = report["owners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["items"].as_array().unwrap())
        .filter(|i| i["task"] == "broken-step")
        .collect();
    assert!(items.iter().any(|i| i["title"] == "Broken steps"), "{out}");
    assert!(
        items.iter().all(|i| i["title"] != "Every block parses"),
        "{out}"
    );
}
