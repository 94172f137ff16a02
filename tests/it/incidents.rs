//! The on-call pages and checks over `tests/fixtures/incidents` (known postmortems and action
//! items, today pinned to 2026-11-27): action-item findings, the tracker (`actions/`), team
//! and service pages, the incident history with its charts, and `fieldbook report`.

use crate::common;
use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn build_to(site: &Path, out: &Path) {
    let (code, _, err) = build_into(site, out, &[]);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(code, 0, "{err}");
}

/// The fixture built into a temporary directory.
fn built() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    build_to(&fixture("incidents"), &out.path().join("public"));
    out
}

fn page(out: &tempfile::TempDir, url: &str) -> String {
    let p = out.path().join("public").join(url).join("index.html");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The text of the element that follows `marker` up to `end` (tags dropped, spaces squeezed).
fn text_between(html: &str, marker: &str, end: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} missing"));
    let rest = &html[start..];
    let stop = rest.find(end).unwrap_or(rest.len());
    squeeze(&rest[..stop])
}

fn squeeze(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// (code, file, line, column) of every finding.
fn findings(json: &Value) -> Vec<(String, String, u64, u64)> {
    common::findings(json)
        .into_iter()
        .map(|(code, _, file, line, column)| (code, file, line, column))
        .collect()
}

// ---------------------------------------------------------------- checks

#[test]
fn only_open_items_with_lapsed_or_unknown_owners_are_findings() {
    // The fixture has a done item owned by someone who left and a won't-fix one owned by an
    // unknown id: neither is a finding. Its one overdue item is a warning.
    let (code, json) = check_json(&fixture("incidents"), &[]);
    assert_eq!(code, 0, "{json:#}");
    let pm = "content/postmortems/2026-03-05-api-outage.md";
    assert_eq!(
        findings(&json),
        [
            ("overdue-action".into(), pm.into(), 11, 10),
            (
                "stale".into(),
                "content/runbooks/db/backup.md".into(),
                4,
                11
            ),
        ]
    );

    // Open items owned by them are.
    let site = temp_fixture("incidents");
    write_files(
        site.path(),
        &[(
            "content/postmortems/2026-06-01-owners.md",
            "---\ntitle: Owners\ndate: 2026-06-01\nowners: [team-core]\naction_items:\n  - title: Left\n    owner: ben\n    due: 2027-01-01\n    status: open\n  - title: Unknown\n    owner: ghost\n    due: 2027-01-01\n    status: open\n  - title: Closed\n    owner: ghost\n    due: 2026-01-01\n    status: done\n---\n\nText.\n",
        )],
    );
    let (code, json) = check_json(site.path(), &[]);
    assert_eq!(code, 1, "{json:#}");
    let file = "content/postmortems/2026-06-01-owners.md";
    let mine: Vec<_> = findings(&json)
        .into_iter()
        .filter(|f| f.1 == file)
        .collect();
    assert_eq!(
        mine,
        [
            ("lapsed-owner".into(), file.into(), 7, 12),
            ("unknown-owner".into(), file.into(), 11, 12),
        ]
    );
}

#[test]
fn broken_action_items_are_invalid_metadata_with_their_position() {
    let head = "---\ntitle: T\ndate: 2026-06-01\nowners: [ana]\naction_items:\n";
    let cases = [
        // (item, line, column, words the message must have)
        (
            "  - title: No owner\n    due: 2026-12-01\n    status: open\n",
            6,
            5,
            "owner",
        ),
        (
            "  - title: No due\n    owner: ana\n    status: open\n",
            6,
            5,
            "due",
        ),
        (
            "  - title: No status\n    owner: ana\n    due: 2026-12-01\n",
            6,
            5,
            "status",
        ),
        (
            "  - title: Bad status\n    owner: ana\n    due: 2026-12-01\n    status: maybe\n",
            9,
            13,
            "maybe",
        ),
        (
            "  - title: Bad due\n    owner: ana\n    due: 2026-13-01\n    status: open\n",
            8,
            10,
            "2026-13-01",
        ),
    ];
    for (item, line, column, word) in cases {
        let site = temp_fixture("incidents");
        let text = format!("{head}{item}---\n\nText.\n");
        write_files(
            site.path(),
            &[("content/postmortems/2026-06-01-bad.md", &text)],
        );
        let (code, json) = check_json(site.path(), &[]);
        assert_eq!(code, 1, "{item}: {json:#}");
        let f = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == "content/postmortems/2026-06-01-bad.md")
            .unwrap_or_else(|| panic!("{item}: no finding in {json:#}"));
        assert_eq!(f["code"], "invalid-metadata", "{item}: {f}");
        assert_eq!(
            (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()),
            (line, column),
            "{item}: {f}"
        );
        assert!(f["message"].as_str().unwrap().contains(word), "{item}: {f}");
    }
}

// ---------------------------------------------------------------- tracker

#[test]
fn the_tracker_lists_every_item_by_status_owner_team_service_and_age() {
    let out = built();
    let html = page(&out, "actions");
    let main = main_of(&html);
    // Summary counts, in words.
    let counts = text_between(main, "<ul class=\"counts\"", "</ul>");
    assert_eq!(
        counts,
        "6 action items 1 overdue 2 open, not yet due 2 done 1 won’t fix 0 open without an active owner"
    );
    // Sections by status, with their items in order.
    let section = |id: &str| text_between(main, &format!("<h2 id=\"actions-{id}\""), "</section>");
    let overdue = section("overdue");
    assert!(overdue.starts_with("Overdue 1 "), "{overdue}");
    assert!(
        overdue.contains("Canary every deploy Overdue by 26 days Ana Lima Core Team 2026-11-01 267 days API outage after a deploy api , db"),
        "{overdue}"
    );
    let open = section("open");
    assert!(open.starts_with("Open 2 "), "{open}");
    let first = open.find("Cap retries").unwrap();
    let second = open.find("Add a rollback button").unwrap();
    assert!(first < second, "open items by due date: {open}");
    assert!(
        open.contains("Cy Park Core Team , Web Team 2026-12-31 7 days"),
        "{open}"
    );
    let done = section("done");
    assert!(done.starts_with("Done 2 "), "{done}");
    // Done and won't fix are listed without a flag, their lapsed or unknown owner marked.
    assert!(
        done.contains("Grow the disk Done Ben Ode (left on 2026-05-01)"),
        "{done}"
    );
    let wontfix = section("wontfix");
    assert!(
        wontfix.contains("Move backups off the data disk Won’t fix ghost (unknown owner)"),
        "{wontfix}"
    );
    // The item with a link links to it; user text is escaped.
    assert!(main.contains("<a href=\"https://tracker.example/CORE-1\">Canary every deploy</a>"));
    assert!(main.contains("Cap retries &lt;img src=x onerror=alert(2)&gt;"));
    assert!(!html.contains("<img src=x"));

    // Views: by owner (most overdue first), team, service and age.
    let by_owner = section("by-owner");
    assert!(
        by_owner.starts_with("By owner Action items by owner Owner Overdue Open Done Won’t fix Oldest open Ana Lima 1 overdue 0 0 0 267 days"),
        "{by_owner}"
    );
    let by_team = section("by-team");
    assert!(
        by_team.contains("Core Team #core 1 overdue 1 1 0 267 days"),
        "{by_team}"
    );
    assert!(
        by_team.contains("Web Team #web 0 2 1 0 267 days"),
        "{by_team}"
    );
    let by_service = section("by-service");
    assert!(
        by_service.contains("api 1 overdue 2 1 0 267 days"),
        "{by_service}"
    );
    assert!(
        by_service.contains("db 1 overdue 1 2 1 267 days"),
        "{by_service}"
    );
    let by_age = section("by-age");
    assert!(by_age.contains("under 30 days 1 0"), "{by_age}");
    assert!(by_age.contains("180–364 days 1 1 overdue"), "{by_age}");

    // Accessible tables: captions and header scopes.
    assert_eq!(
        main.matches("<table").count(),
        main.matches("<caption").count()
    );
    assert!(main.contains("<th scope=\"row\">"));
    // The navigation counts overdue items.
    assert!(
        html.contains("Actions <span class=\"nav-count\">1</span>"),
        "nav"
    );
}

#[test]
fn team_pages_list_open_items_of_the_team_and_its_members() {
    let out = built();
    let core = main_of(&page(&out, "teams/team-core")).to_string();
    let actions = text_between(&core, "id=\"team-actions\"", "</section>");
    assert!(actions.contains("Open action items 2"), "{actions}");
    assert!(actions.contains("1 overdue"), "{actions}");
    assert!(
        actions.contains("Canary every deploy Overdue by 26 days Ana Lima"),
        "{actions}"
    );
    assert!(
        actions.contains("Cap retries"),
        "a member's item: {actions}"
    );
    assert!(
        !actions.contains("Add a rollback button"),
        "another team's item: {actions}"
    );
    assert!(
        !actions.contains("Alert on error ratio"),
        "done items: {actions}"
    );

    let web = main_of(&page(&out, "teams/team-web")).to_string();
    let actions = text_between(&web, "id=\"team-actions\"", "</section>");
    assert!(actions.contains("Open action items 2"), "{actions}");
    assert!(
        actions.contains("Add a rollback button Open Web Team"),
        "{actions}"
    );
    assert!(actions.contains("Cap retries"), "{actions}");
    assert!(!actions.contains("Canary"), "{actions}");
}

#[test]
fn postmortems_flag_their_overdue_items() {
    let out = built();
    let pm = main_of(&page(&out, "postmortems/2026-03-05-api-outage")).to_string();
    assert!(pm.contains("1 action item overdue:"), "banner");
    assert!(pm.contains("Overdue by 26 days</span>"));
    let other = main_of(&page(&out, "postmortems/2026-11-20-evil")).to_string();
    assert!(!other.contains("overdue:"));
}

// ---------------------------------------------------------------- services

#[test]
fn a_service_page_gathers_everything_about_the_service() {
    let out = built();
    let html = page(&out, "services/api");
    let main = main_of(&html);
    let teams = text_between(main, "<dt>Owning teams", "</dl>");
    assert_eq!(teams, "Owning teams Core Team #core Web Team #web");
    let counts = text_between(main, "<ul class=\"counts\"", "</ul>");
    assert_eq!(
        counts,
        "3 documents 0 stale 0 due soon 0 never reviewed 0 lapsed owners"
    );
    let runbooks = text_between(main, "id=\"service-runbooks\"", "</section>");
    assert!(
        runbooks.contains("API errors Runbook Fresh 2026-11-01 2027-01-30"),
        "{runbooks}"
    );
    // Alerts link to their pages (built by the alerts feature) and to the runbook.
    assert!(main.contains("<a href=\"../../alerts/ApiErrors/\"><code>ApiErrors</code></a>"));
    assert!(main.contains("<a href=\"../../alerts/ApiLatency/\">"));
    let alerts = text_between(main, "id=\"service-alerts\"", "</section>");
    assert!(
        alerts.contains("ApiErrors — answered by API errors"),
        "{alerts}"
    );
    // Postmortems newest first, with severity, duration and follow-ups.
    let incidents = text_between(main, "id=\"service-incidents\"", "</section>");
    assert!(
        incidents.contains(
            "Timeouts &lt;script&gt;alert(1)&lt;/script&gt; &amp; retries 2026-11-20 &lt;b&gt;SEV2&lt;/b&gt; 3 h api 1 open"
        ),
        "{incidents}"
    );
    assert!(
        incidents
            .contains("API outage after a deploy 2026-03-05 SEV1 45 min api , db 1 overdue 2 open"),
        "{incidents}"
    );
    assert!(incidents.find("Timeouts").unwrap() < incidents.find("API outage").unwrap());
    // Open items only, overdue first.
    let actions = text_between(main, "id=\"service-actions\"", "</section>");
    assert!(actions.contains("Open action items 3 "), "{actions}");
    assert!(actions.find("Canary").unwrap() < actions.find("Cap retries").unwrap());
    assert!(!actions.contains("Alert on error ratio"), "{actions}");
    assert!(!html.contains("<script>alert") && !html.contains("<b>SEV2"));

    // The stale runbook's service says so.
    let db = main_of(&page(&out, "services/db")).to_string();
    assert!(text_between(&db, "<ul class=\"counts\"", "</ul>").contains("1 stale"));
    assert!(db.contains("<a href=\"../../alerts/DbBackupFailed/\">"));
}

#[test]
fn the_services_index_counts_runbooks_incidents_and_actions() {
    let out = built();
    let main = main_of(&page(&out, "services")).to_string();
    let rows = text_between(&main, "<tbody>", "</tbody>");
    assert_eq!(
        rows,
        "api 1 0 2 3 1 overdue Core Team , Web Team db 1 1 stale 1 (2 in all) 2 1 overdue Core Team , Web Team"
    );
}

// ---------------------------------------------------------------- history and charts

/// Every `<svg>…</svg>` of a page.
fn svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").unwrap() + start + "</svg>".len();
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// Parse an SVG as XML and check what screen readers need.
fn check_svg(svg: &str) -> roxmltree::Document<'_> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    let labelled: Vec<&str> = root
        .attribute("aria-labelledby")
        .unwrap()
        .split(' ')
        .collect();
    for id in labelled {
        assert!(
            doc.descendants().any(|n| n.attribute("id") == Some(id)),
            "{id} missing"
        );
    }
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    doc
}

#[test]
fn the_incident_history_has_sections_and_well_formed_charts() {
    let out = built();
    let html = page(&out, "postmortems");
    let main = main_of(&html);
    // Sections by year, newest first; by severity (ranked) and by service.
    let y2026 = main.find("<h2 id=\"year-2026\">").unwrap();
    let y2024 = main.find("<h2 id=\"year-2024\">").unwrap();
    assert!(y2026 < y2024);
    let sev = text_between(main, "<h2 id=\"by-severity\"", "</section>");
    assert!(sev.starts_with("By severity SEV1 1 API outage"), "{sev}");
    assert!(sev.contains("&lt;b&gt;SEV2&lt;/b&gt; 1 Timeouts"), "{sev}");
    let svc = text_between(main, "<h2 id=\"by-service\"", "</section>");
    assert!(svc.contains("api 2 Timeouts"), "{svc}");
    assert!(svc.contains("db 2 API outage after a deploy"), "{svc}");

    // Three charts, each a figure with a caption, a labelled SVG and a data table.
    let charts = svgs(main);
    assert_eq!(charts.len(), 3, "{main}");
    assert_eq!(main.matches("<figure class=\"chart").count(), 3);
    assert_eq!(main.matches("<figcaption>").count(), 3);
    assert_eq!(main.matches("<details class=\"chart-data\">").count(), 3);
    // Incidents per period: 2024-02 to 2026-11 is long, so quarters; every incident counted.
    let counts = check_svg(charts[0]);
    let bars: Vec<_> = counts
        .descendants()
        .filter(|n| n.has_tag_name("rect"))
        .collect();
    assert_eq!(bars.len(), 3, "one bar segment per incident here");
    assert!(charts[0].contains("Incidents per quarter, by severity"));
    // Severities ranked SEV1, SEV3, then what is not a recognised level.
    assert!(main.contains("<th scope=\"col\">SEV1</th><th scope=\"col\">SEV3</th><th scope=\"col\">&lt;b&gt;SEV2&lt;/b&gt;</th><th scope=\"col\">Total</th>"));
    assert!(
        main.contains("<th scope=\"row\">2024 Q1</th><td>0</td><td>1</td><td>0</td><td>1</td>"),
        "data table"
    );
    // Durations: a dot per incident, on a log scale, with titles naming the incident.
    let durations = check_svg(charts[1]);
    let dots: Vec<_> = durations
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .collect();
    assert_eq!(dots.len(), 3);
    let titles: Vec<String> = dots
        .iter()
        .map(|d| d.first_element_child().unwrap().text().unwrap().to_string())
        .collect();
    assert!(
        titles.contains(
            &"Timeouts <script>alert(1)</script> & retries (2026-11-20, <b>SEV2</b>): 3 h"
                .to_string()
        ),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Database disk filled up (2024-02-10, SEV3): 2 d".to_string()),
        "{titles:?}"
    );
    // Per service.
    let services = check_svg(charts[2]);
    assert_eq!(
        services
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .count(),
        2
    );
    // User text is escaped in the SVG too.
    assert!(!html.contains("<script>alert") && !html.contains("<b>SEV2"));
}

#[test]
fn on_call_pages_are_deterministic() {
    let a = built();
    let b = built();
    for url in [
        "actions",
        "postmortems",
        "services",
        "services/api",
        "teams/team-core",
    ] {
        assert_eq!(page(&a, url), page(&b, url), "{url}");
    }
}

#[test]
fn empty_and_one_incident_sites_render_sensibly() {
    // No postmortem at all.
    let site = temp_fixture("incidents");
    std::fs::remove_dir_all(site.path().join("content/postmortems")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build_to(site.path(), &public);
    let read = |url: &str| std::fs::read_to_string(public.join(url).join("index.html")).unwrap();
    let history = read("postmortems");
    assert!(history.contains("No postmortems yet."));
    assert!(svgs(main_of(&history)).is_empty());
    let tracker = read("actions");
    assert!(squeeze(&tracker).contains("0 action items 0 overdue"));
    assert!(tracker.contains("No overdue action items."));
    assert!(read("services/api").contains("No postmortem names this service."));

    // One incident without a duration or services: a count chart, no duration chart.
    write_files(
        site.path(),
        &[(
            "content/postmortems/2026-11-27-one.md",
            "---\ntitle: One\ndate: 2026-11-27\nowners: [ana]\n---\n\nText.\n",
        )],
    );
    let out = tempfile::tempdir().unwrap();
    build_to(site.path(), &out.path().join("public"));
    let history =
        std::fs::read_to_string(out.path().join("public/postmortems/index.html")).unwrap();
    let charts = svgs(main_of(&history));
    assert_eq!(charts.len(), 1);
    check_svg(charts[0]);
    assert!(charts[0].contains("Incidents per month"));
    assert!(history.contains("unspecified"));
}

// ---------------------------------------------------------------- report

#[test]
fn the_report_lists_open_and_overdue_items_by_owner() {
    let (code, out, err) = run([
        "report".as_ref(),
        fixture("incidents").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let items: Vec<(String, String, String, i64)> = json["owners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| {
            o["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["task"].as_str().unwrap().ends_with("action"))
                .map(move |i| {
                    (
                        o["id"].as_str().unwrap().to_string(),
                        i["task"].as_str().unwrap().to_string(),
                        i["detail"].as_str().unwrap().to_string(),
                        i["days"].as_i64().unwrap(),
                    )
                })
        })
        .collect();
    assert_eq!(
        items,
        [
            (
                "ana".into(),
                "overdue-action".into(),
                "Canary every deploy".into(),
                -26
            ),
            (
                "cy".into(),
                "open-action".into(),
                "Cap retries <img src=x onerror=alert(2)>".into(),
                34
            ),
            (
                "team-web".into(),
                "open-action".into(),
                "Add a rollback button".into(),
                44
            ),
        ]
    );
    // Markdown and CSV say the same.
    let (_, md, _) = run(["report".as_ref(), fixture("incidents").as_os_str()]);
    assert!(md.contains("| overdue action item: Canary every deploy | [API outage after a deploy](content/postmortems/2026-03-05-api-outage.md) | — | 2026-11-01 | 26 days overdue |"), "{md}");
    assert!(
        md.contains("| open action item: Add a rollback button |"),
        "{md}"
    );
    let (_, csv, _) = run([
        "report".as_ref(),
        fixture("incidents").as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
    ]);
    assert!(csv.contains("team-web,Web Team,team,#web,open-action,content/postmortems/2026-03-05-api-outage.md,API outage after a deploy,postmortem,,2027-01-10,44,Add a rollback button,"), "{csv}");
    // A person asked for gets their teams' items too.
    let (_, md, _) = run([
        "report".as_ref(),
        fixture("incidents").as_os_str(),
        "--owner".as_ref(),
        "cy".as_ref(),
    ]);
    assert!(
        md.contains("open action item: Add a rollback button (via `team-web`)"),
        "{md}"
    );
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshot_tracker_and_service_page() {
    let out = built();
    insta::assert_snapshot!("actions_main", main_of(&page(&out, "actions")));
    insta::assert_snapshot!("service_api_main", main_of(&page(&out, "services/api")));
}
