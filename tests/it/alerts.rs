//! Alert routing and coverage, end to end: `check` with Prometheus rule files (the `alerts`
//! fixture and the real-world-style rule files of `tests/fixtures/alert-rules/` against the
//! demo handbook), and the alert pages, index and `alerts.json` that `build` writes.

use crate::common;
use crate::common::{build_into, fixture, output, repo_root, run, temp_fixture};
use serde_json::Value;
use std::path::Path;

type Finding = (String, String, String, u64, u64);

/// `fieldbook check --format json ARGS...` run in `dir`: exit code, findings, whole output.
fn check_in(dir: &Path, args: &[&str]) -> (i32, Vec<Finding>, Value) {
    let mut cmd = common::command();
    cmd.current_dir(dir)
        .arg("check")
        .args(["--format", "json"])
        .args(args);
    let (code, out, err) = output(cmd);
    let json: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("check --format json is not JSON ({e}):\n{out}\n{err}"));
    let findings = common::findings(&json);
    (code, findings, json)
}

fn owned(list: &[(&str, &str, &str, u64, u64)]) -> Vec<Finding> {
    list.iter()
        .map(|(c, s, f, l, col)| (c.to_string(), s.to_string(), f.to_string(), *l, *col))
        .collect()
}

fn message<'a>(json: &'a Value, code: &str, line: u64) -> &'a str {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code && f["line"] == line)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no {code} finding on line {line}: {json:#}"))
}

/// The fixture's own `[check] alert_rules = ["rules/*.yml"]`: every coverage code once.
const FIXTURE_FINDINGS: &[(&str, &str, &str, u64, u64)] = &[
    (
        "unknown-alert",
        "warning",
        "content/runbooks/apps.md",
        6,
        40,
    ),
    ("stale", "warning", "content/runbooks/data.md", 4, 11),
    ("page-without-runbook", "error", "rules/main.yml", 17, 16),
    ("alert-without-runbook", "warning", "rules/main.yml", 21, 16),
    ("alert-without-runbook", "warning", "rules/main.yml", 31, 16),
    ("broken-runbook-url", "error", "rules/main.yml", 36, 24),
    ("page-without-runbook", "error", "rules/main.yml", 37, 16),
    ("alert-without-runbook", "warning", "rules/main.yml", 43, 16),
    ("alert-without-runbook", "warning", "rules/main.yml", 47, 16),
];

#[test]
fn coverage_findings_of_the_alerts_fixture() {
    let (code, findings, json) = check_in(&fixture("alerts"), &[]);
    assert_eq!(findings, owned(FIXTURE_FINDINGS), "{json:#}");
    assert_eq!(code, 1, "paging alerts without a runbook fail the check");

    assert!(message(&json, "unknown-alert", 6).contains("`NotInRules`"));
    assert!(message(&json, "page-without-runbook", 17).contains("`UncoveredPage` (severity page)"));
    assert!(message(&json, "alert-without-runbook", 21).contains("(severity info)"));
    // Its runbook_url is broken: both findings, the URL's with a suggestion.
    assert!(
        message(&json, "broken-runbook-url", 36)
            .contains("https://handbook.example.com/runbooks/dta/")
    );
    let hint = json["findings"][5]["hint"].as_str().unwrap();
    assert!(hint.contains("runbooks/data/"), "{hint}");
    // Pointing at its own alert page, which only a runbook listing it would create.
    assert!(
        message(&json, "page-without-runbook", 37)
            .contains("leads to no page until a runbook lists it")
    );
    assert!(
        message(&json, "alert-without-runbook", 43)
            .contains("only the draft `content/runbooks/draft.md`")
    );
    assert!(message(&json, "alert-without-runbook", 47).contains("leads outside it"));

    // Covered, so absent: listed by a runbook (OnlyApps, Shared, both spellings of Odd:Name),
    // or given a runbook by a runbook_url into the handbook (LinkedByUrl); a recording rule.
    let all = json.to_string();
    for quiet in [
        "`OnlyApps`",
        "`Shared`",
        "`Odd:Name`",
        "`Odd-Name`",
        "`LinkedByUrl`",
        "apps_errors:rate5m",
    ] {
        assert!(!all.contains(quiet), "{quiet} reported: {json:#}");
    }
}

#[test]
fn a_rule_file_with_a_yaml_error_is_a_positioned_finding_named_as_given() {
    // Relative to the current directory, as typed; the unreadable file hides unknown-alert
    // (it may define the alert), everything else is still checked.
    let (code, findings, json) = check_in(
        &fixture("alerts"),
        &["--alert-rules", "rules/broken/broken.yml", "rules/main.yml"],
    );
    assert_eq!(code, 1);
    let broken: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.0 == "invalid-alert-rules")
        .collect();
    assert_eq!(
        broken,
        [&(
            "invalid-alert-rules".into(),
            "error".into(),
            "rules/broken/broken.yml".into(),
            8,
            8
        )]
    );
    let m = message(&json, "invalid-alert-rules", 8);
    assert!(m.starts_with("YAML syntax error: "), "{m}");
    assert!(
        !findings.iter().any(|f| f.0 == "unknown-alert"),
        "{findings:?}"
    );
    // rules/main.yml from book.toml and the command line is read once.
    assert_eq!(
        findings
            .iter()
            .filter(|f| f.0 == "broken-runbook-url")
            .count(),
        1
    );

    // The human form shows file:line:column and the line itself.
    let mut cmd = common::command();
    cmd.current_dir(fixture("alerts")).args([
        "check",
        "--color",
        "never",
        "--alert-rules",
        "rules/broken",
    ]);
    let (_, out, _) = output(cmd);
    assert!(out.contains("--> rules/broken/broken.yml:8:8"), "{out}");
    assert!(out.contains("       labels:"), "{out}");
}

#[test]
fn missing_rule_files_stop_the_check() {
    let (code, findings, _) = check_in(&fixture("alerts"), &["--alert-rules", "no/such.yml"]);
    assert_eq!(code, 2);
    assert_eq!(
        findings,
        owned(&[("io-error", "error", "no/such.yml", 1, 1)])
    );

    let site = temp_fixture("alerts");
    let toml = site.path().join("book.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace(
            "\"rules/*.yml\"",
            "\"rules/*.yml\", \"monitoring/**/*.yml\"",
        ),
    )
    .unwrap();
    let (code, findings, json) = check_in(site.path(), &[]);
    assert_eq!(code, 2, "{json:#}");
    assert_eq!(
        findings,
        owned(&[("invalid-config", "error", "book.toml", 9, 31)])
    );
    assert!(
        message(&json, "invalid-config", 9).contains("`monitoring/**/*.yml` matches no rule file")
    );
}

#[test]
fn severities_follow_fail_on_and_page_severities() {
    let site = temp_fixture("alerts");
    let toml = site.path().join("book.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    // `info` pages too; fail_on without page-without-runbook makes it a warning, and
    // alert-without-runbook in it makes every uncovered alert an error.
    std::fs::write(
        &toml,
        text.replace(
            "alert_rules = [\"rules/*.yml\"]",
            "alert_rules = [\"rules/*.yml\"]\npage_severities = [\"PAGE\", \"info\"]\nfail_on = [\"alert-without-runbook\"]",
        ),
    )
    .unwrap();
    let (code, findings, _) = check_in(site.path(), &[]);
    assert_eq!(code, 1);
    let sev = |line: u64| {
        findings
            .iter()
            .find(|f| f.2 == "rules/main.yml" && f.3 == line && f.0.ends_with("without-runbook"))
            .map(|f| (f.0.as_str(), f.1.as_str()))
            .unwrap()
    };
    assert_eq!(sev(17), ("page-without-runbook", "warning"));
    assert_eq!(
        sev(21),
        ("page-without-runbook", "warning"),
        "info pages here"
    );
    assert_eq!(sev(31), ("alert-without-runbook", "error"));
    assert!(
        findings
            .iter()
            .any(|f| f.0 == "broken-runbook-url" && f.1 == "warning")
    );
}

/// The rule files of `tests/fixtures/alert-rules/` (a PrometheusRule manifest, rule files with
/// recording rules, `for:`, labels and annotations) against the demo handbook.
#[test]
fn real_world_rule_files_against_the_demo_handbook() {
    let (code, findings, json) = check_in(
        &repo_root(),
        &[".", "--alert-rules", "tests/fixtures/alert-rules"],
    );
    let alert_findings: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.0.contains("alert") || f.0.contains("runbook"))
        .collect();
    assert_eq!(
        alert_findings,
        owned(&[
            (
                "unknown-alert",
                "warning",
                "content/runbooks/dns-cdn/certificate-expiring.md",
                7,
                60
            ),
            (
                "alert-without-runbook",
                "warning",
                "tests/fixtures/alert-rules/kubernetes-prometheusrule.yaml",
                73,
                18
            ),
            (
                "alert-without-runbook",
                "warning",
                "tests/fixtures/alert-rules/postgres.rules.yml",
                49,
                16
            ),
            (
                "page-without-runbook",
                "error",
                "tests/fixtures/alert-rules/services.rules.yml",
                46,
                16
            ),
        ]),
        "{json:#}"
    );
    assert_eq!(code, 1);
    assert!(message(&json, "unknown-alert", 7).contains("CertManagerCertExpirySoon"));
    // The demo's base_url is a path: a full runbook_url cannot be matched, and it says so.
    assert!(message(&json, "alert-without-runbook", 73).contains("`[book] base_url` is a path"));
    // Every format renders the new codes (SARIF lists them as rules).
    let rules = repo_root().join("tests/fixtures/alert-rules");
    let (_, sarif, _) = run([
        "check".as_ref(),
        repo_root().as_os_str(),
        "--format".as_ref(),
        "sarif".as_ref(),
        "--alert-rules".as_ref(),
        rules.as_os_str(),
    ]);
    assert!(sarif.contains("\"page-without-runbook\""), "{sarif}");
}

/// Every one of `parts` is in `html`.
fn has_all(html: &str, parts: &[&str]) {
    for part in parts {
        assert!(html.contains(part), "{part}:\n{html}");
    }
}

/// Build `site` (a copy: a build keeps a search index in the site) into a new directory.
fn build(site: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let (code, _, err) = build_into(site, &out.path().join("site"), &[]);
    assert!(code == 0 || code == 1, "build failed ({code}):\n{err}");
    out
}

fn read(out: &tempfile::TempDir, rel: &str) -> String {
    std::fs::read_to_string(out.path().join("site").join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn alert_pages_redirect_or_offer_a_choice() {
    let site = temp_fixture("alerts");
    let out = build(site.path());

    // One runbook: a redirect that carries the query string and fragment (static/alerts.js
    // reads the target from the meta element; no inline script), with fallbacks.
    let one = read(&out, "alerts/OnlyApps/index.html");
    assert!(!one.contains("<script>"), "{one}");
    has_all(
        &one,
        &[
            "<link rel=\"canonical\" href=\"https://handbook.example.com/runbooks/apps/\">",
            "<meta name=\"fieldbook-redirect\" content=\"../../runbooks/apps/\">",
            "<noscript><meta http-equiv=\"refresh\" content=\"0; url=../../runbooks/apps/\"></noscript>",
            "<a id=\"alert-target\" href=\"../../runbooks/apps/\">Application pods failing</a>",
            "#apps-oncall",
        ],
    );

    // Two runbooks: a choice, each with owners, channel and freshness badge; no redirect.
    let two = read(&out, "alerts/Shared/index.html");
    assert!(
        !two.contains("fieldbook-redirect") && !two.contains("http-equiv"),
        "{two}"
    );
    assert!(
        two.contains(
            "<link rel=\"canonical\" href=\"https://handbook.example.com/alerts/Shared/\">"
        )
    );
    assert!(two.contains("2 runbooks answer this alert"), "{two}");
    has_all(
        &two,
        &[
            "data-keep-query",
            "href=\"../../runbooks/apps/\">Application pods failing</a>",
            "href=\"../../runbooks/data/\">Data pipeline stalled</a>",
            "#apps-oncall",
            "#data-oncall",
            "badge-danger",
        ],
    );

    // Names that map to one URL share a page listing both, with both runbooks.
    let odd = read(&out, "alerts/Odd-Name/index.html");
    assert!(
        odd.contains("<code>Odd-Name</code>, <code>Odd:Name</code>"),
        "{odd}"
    );
    assert!(odd.contains("These alert names share this address."));
    assert!(odd.contains("runbooks/apps/") && odd.contains("runbooks/data/"));

    // A draft's alerts get no page; the index lists every alert; alert pages stay out of
    // the sitemap (their runbooks are canonical).
    assert!(!out.path().join("site/alerts/DraftOnly").exists());
    let index = read(&out, "alerts/index.html");
    for a in ["NotInRules", "Odd-Name", "Odd:Name", "OnlyApps", "Shared"] {
        assert!(
            index.contains(&format!("<code>{a}</code>")),
            "{a}:\n{index}"
        );
    }
    assert!(index.contains("rowspan=\"2\""), "Shared has two runbooks");
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.contains("https://handbook.example.com/alerts/</loc>"));
    assert!(
        !sitemap.contains("alerts/Shared") && !sitemap.contains("alerts.json"),
        "{sitemap}"
    );
}

#[test]
fn alerts_json_maps_every_alert_to_its_runbooks_deterministically() {
    let site = temp_fixture("alerts");
    let a = build(site.path());
    let b = build(site.path());
    let json = read(&a, "alerts.json");
    assert_eq!(
        json,
        read(&b, "alerts.json"),
        "byte-identical across builds"
    );
    insta::assert_snapshot!("alerts_json", json);
    let v: Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    // `LinkedByUrl` is listed by no runbook: its rule's runbook_url leads to the data
    // runbook's page, which so answers it.
    assert_eq!(
        names,
        [
            "LinkedByUrl",
            "NotInRules",
            "Odd-Name",
            "Odd:Name",
            "OnlyApps",
            "Shared"
        ]
    );

    // A base_url that is a path gives root-relative URLs.
    let site = temp_fixture("alerts");
    let toml = site.path().join("book.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace("https://handbook.example.com/", "/handbook"),
    )
    .unwrap();
    let out = build(site.path());
    let v: Value = serde_json::from_str(&read(&out, "alerts.json")).unwrap();
    assert_eq!(v["alerts"][3]["url"], "/handbook/alerts/OnlyApps/");
    assert_eq!(
        v["alerts"][3]["runbooks"][0]["url"],
        "/handbook/runbooks/apps/"
    );
}

#[test]
fn command_placeholders_are_marked_in_code_blocks() {
    let site = temp_fixture("alerts");
    let out = build(site.path());
    let page = read(&out, "runbooks/apps/index.html");
    for var in ["namespace", "pod", "home", "unknown_var"] {
        assert!(
            page.contains(&format!("class=\"cmd-var\" data-var=\"{var}\"")),
            "{var}:\n{page}"
        );
    }
    // `{{namespace}}` and `{{ pod }}` inside a PromQL string, too.
    assert!(
        page.contains("data-var=\"namespace\">{{namespace}}</span>"),
        "{page}"
    );
    assert!(page.contains("data-var=\"pod\">{{ pod }}</span>"), "{page}");
    assert!(page.contains("data-var=\"pod\">${POD}</span>"), "{page}");
    // Balanced markup inside every code block.
    for block in page.split("<pre class=\"code\"").skip(1) {
        let code = &block[..block.find("</pre>").unwrap()];
        assert_eq!(
            code.matches("<span").count(),
            code.matches("</span>").count(),
            "{code}"
        );
    }
}
