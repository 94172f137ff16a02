//! Smoke test of the default theme: every template in `themes/default/templates` loads with
//! Tera 2 and renders a hand-written context that follows `themes/default/CONTEXT.md`.
//! Hostile strings in titles, owner names, tags and so on must come out escaped; the
//! pre-rendered HTML fields (`doc.html`, `home.intro_html`, `report.chart_svg`) must not.
//! Every page must be balanced HTML with unique ids, and every root-relative URL must carry
//! `page.root`.

use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const EVIL: &str = "<script>alert(1)</script>";
const EVIL_ATTR: &str = "\"><img src=x onerror=alert(2)>";

fn theme_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default")
}

fn collect(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, base, out);
        } else {
            let name = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn load() -> tera::Tera {
    let dir = theme_dir().join("templates");
    let mut templates = Vec::new();
    collect(&dir, &dir, &mut templates);
    assert!(
        templates.len() >= 11,
        "templates found: {}",
        templates.len()
    );
    let mut tera = tera::Tera::new();
    fieldbook::build::theme::register_filters(&mut tera);
    if let Err(e) = tera.add_raw_templates(templates) {
        panic!("the default theme does not load:\n{e}");
    }
    tera
}

fn render(tera: &tera::Tera, name: &str, ctx: &Value) -> String {
    let ctx = tera::Context::from_serialize(ctx).unwrap();
    match tera.render(name, &ctx) {
        Ok(out) => out,
        Err(e) => {
            let mut msg = format!("{name} does not render: {e}");
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(&format!("\n  caused by: {s}"));
                src = s.source();
            }
            panic!("{msg}");
        }
    }
}

// ---------------------------------------------------------------- sample context

fn site() -> Value {
    json!({
        "title": format!("Acme {EVIL} Handbook"),
        "description": format!("Runbooks {EVIL_ATTR}"),
        "language": "en",
        "base_url": "https://handbook.example/",
        "today": "2026-11-27",
        "version": "0.1.0",
    })
}

fn page(kind: &str, title: &str, url: &str, root: &str) -> Value {
    json!({
        "kind": kind,
        "title": title,
        "url": url,
        "root": root,
        "canonical": format!("https://handbook.example/{url}"),
        "description": format!("About {EVIL_ATTR}"),
    })
}

fn nav() -> Value {
    json!([
        {"title": "Runbooks", "url": "runbooks/", "count": 12},
        {"title": "Postmortems", "url": "postmortems/", "count": 3},
        {"title": "Courses", "url": "courses/", "count": 1},
        {"title": "Teams", "url": "teams/", "count": 6},
        {"title": "Services", "url": "services/", "count": 9},
        {"title": "Freshness", "url": "freshness/", "count": null},
    ])
}

fn team_db() -> Value {
    json!({"id": "team-db", "name": format!("Data {EVIL}"), "kind": "team", "standing": "active",
           "channel": format!("#db-{EVIL}"), "url": "teams/team-db/"})
}

fn dmitri() -> Value {
    json!({"id": "dmitri", "name": format!("Dmitri {EVIL}"), "kind": "person", "standing": "lapsed", "lapse": "left on 2026-08-31"})
}

fn ghost() -> Value {
    json!({"id": "ghost", "name": "ghost", "kind": "unknown", "standing": "unknown"})
}

fn review(state: &str) -> Value {
    match state {
        "stale" => {
            json!({"state": "stale", "reviewed": "2026-07-01", "due": "2026-09-29", "every": "90d", "days_left": -59})
        }
        "due-soon" => {
            json!({"state": "due-soon", "reviewed": "2026-09-01", "due": "2026-11-30", "every": "90d", "days_left": 3})
        }
        "never-reviewed" => json!({"state": "never-reviewed", "every": "90d"}),
        "untracked" => json!({"state": "untracked", "every": "never"}),
        _ => {
            json!({"state": "fresh", "reviewed": "2026-11-03", "due": "2027-02-01", "every": "90d", "days_left": 66})
        }
    }
}

fn card(kind: &str, title: &str, url: &str, state: &str, ownership: &str) -> Value {
    let owners = match ownership {
        "lapsed" => json!([dmitri(), ghost()]),
        "partial" => json!([team_db(), dmitri()]),
        _ => json!([team_db()]),
    };
    let mut c = json!({
        "title": title, "url": url, "kind": kind, "file": format!("{url}index.md"),
        "review": review(state), "ownership": ownership, "owners": owners,
        "services": ["postgres", EVIL], "tags": ["replication", EVIL_ATTR],
        "alerts": [format!("PostgresReplicationLagHigh{EVIL}")],
    });
    if kind == "runbook" {
        c["severity"] = json!("critical");
    }
    if kind == "postmortem" {
        c["severity"] = json!(format!("SEV1{EVIL}"));
        c["date"] = json!("2026-09-17");
        c["alerts"] = json!([]);
    }
    c
}

/// Body markup as `src/render` writes it (see "Body markup" in CONTEXT.md).
const BODY: &str = r##"<h2 id="summary">Summary<a class="anchor" href="#summary" aria-label="Link to this section">#</a></h2>
<p>The replica lags.</p>
<aside class="callout callout-warning" role="note">
<p class="callout-title">Warning</p>
<p>Do not restart the primary.</p>
</aside>
<details class="callout callout-tip">
<summary class="callout-title">Why</summary>
<p>Because.</p>
</details>
<pre class="code" data-lang="console" data-prompt="$ "><code><span class="gp">$ </span>kubectl get pods \
    -n orders-db
NAME READY
orders-db-0 1/1</code></pre>
<h3 id="timeline">Timeline<a class="anchor" href="#timeline" aria-label="Link to this section">#</a></h3>
<div class="table-wrap"><table>
<thead><tr><th>Time</th><th>Event</th></tr></thead>
<tbody><tr><td>18:03</td><td>Page</td></tr><tr><td>18:09</td><td>SEV1</td></tr></tbody>
</table></div>
<section class="quiz" data-quiz-id="q1">
<p class="quiz-question">Which is an SLI?</p>
<ol class="quiz-choices">
<li data-correct="false">CPU</li>
<li data-correct="true">Latency</li>
</ol>
<details class="quiz-answer"><summary>Show answer</summary>
<p class="quiz-correct">Correct: Latency</p>
<p>Customers feel latency.</p>
</details>
</section>"##;

fn doc(kind: &str, url: &str, state: &str, ownership: &str) -> Value {
    let mut d = card(
        kind,
        &format!("Replication lag {EVIL}"),
        url,
        state,
        ownership,
    );
    d["html"] = json!(BODY);
    d["toc"] = json!([
        {"level": 2, "id": "summary", "text": format!("Summary {EVIL}")},
        {"level": 3, "id": "timeline", "text": "Timeline"},
    ]);
    d["edit_url"] = json!("https://git.example/handbook/edit/main/content/x.md");
    d["last_change"] =
        json!({"date": "2026-11-03", "commit": "0123456789abcdef0123456789abcdef01234567"});
    d["history_note"] = json!("Shallow clone: dates may be too recent.");
    d["extra"] = json!({"reviwed": "2026-01-01"});
    d
}

fn base_ctx(page: Value) -> Value {
    json!({"site": site(), "page": page, "nav": nav()})
}

// ---------------------------------------------------------------- checks

/// Escaping, balance, unique ids, root-prefixed URLs, and the parts every page has.
fn common_checks(name: &str, html: &str, root: &str) {
    dump(name, html);
    for bad in ["<script>alert", "<img src=x", "onerror=alert(2)>"] {
        assert!(
            !html.contains(bad),
            "{name}: unescaped hostile string {bad:?}"
        );
    }
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{name}: the hostile string should be shown escaped"
    );
    for part in [
        "<!DOCTYPE html>",
        "<html lang=\"en\">",
        "<meta name=\"viewport\"",
        "<link rel=\"canonical\" href=\"https://handbook.example/",
        &format!("href=\"{root}static/fieldbook.css\""),
        &format!("href=\"{root}static/highlight.css\""),
        &format!("src=\"{root}static/fieldbook.js\" defer"),
        &format!("src=\"{root}static/learning.js\" defer"),
        &format!("href=\"{root}static/learning.css\""),
        &format!("data-site-root=\"{root}\""),
        "class=\"skip-link\" href=\"#main\"",
        "<header class=\"site-header\"",
        "<nav class=\"site-nav\" id=\"site-nav\" aria-label=\"Sections\"",
        "<main id=\"main\"",
        "<footer class=\"site-footer\"",
    ] {
        assert!(html.contains(part), "{name}: missing {part:?}");
    }
    assert_eq!(html.matches("<h1").count(), 1, "{name}: exactly one h1");
    check_balanced(name, html);
    check_ids(name, html);
    check_urls(name, html, root);
    check_heading_order(name, html);
    for url in attr_values(html, "src") {
        assert!(!url.contains("://"), "{name}: external resource {url:?}");
    }
    for tag in html.split("<link ").skip(1) {
        let tag = &tag[..tag.find('>').unwrap()];
        assert!(
            tag.contains("rel=\"canonical\"") || !tag.contains("://"),
            "{name}: external resource in <link {tag}>"
        );
    }
}

/// With FIELDBOOK_THEME_SMOKE_OUT=DIR, the rendered pages are written there for a look in a browser.
fn dump(name: &str, html: &str) {
    if let Some(dir) = std::env::var_os("FIELDBOOK_THEME_SMOKE_OUT") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{}.html", name.replace(' ', "-"))), html).unwrap();
    }
}

const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param",
];

/// A small tag-balance checker: every non-void element is closed in order.
fn check_balanced(name: &str, html: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").expect("closed comment");
            rest = &rest[end + 3..];
            continue;
        }
        if rest.starts_with("<!") {
            let end = rest.find('>').unwrap();
            rest = &rest[end + 1..];
            continue;
        }
        let end = rest
            .find('>')
            .unwrap_or_else(|| panic!("{name}: unterminated tag"));
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(close) = tag.strip_prefix('/') {
            let close = close.trim().to_ascii_lowercase();
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("{name}: stray </{close}>"));
            assert_eq!(
                open, close,
                "{name}: <{open}> closed by </{close}> (open: {stack:?})"
            );
            continue;
        }
        let tname: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(!tname.is_empty(), "{name}: bad tag <{tag}>");
        if tag.ends_with('/') || VOID.contains(&tname.as_str()) {
            continue;
        }
        if tname == "script" || tname == "style" {
            let close = format!("</{tname}>");
            let end = rest.find(&close).unwrap();
            rest = &rest[end + close.len()..];
            continue;
        }
        stack.push(tname);
    }
    assert!(stack.is_empty(), "{name}: unclosed elements {stack:?}");
}

fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&pat) {
        rest = &rest[i + pat.len()..];
        let end = rest.find('"').unwrap();
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

fn check_ids(name: &str, html: &str) {
    let mut seen = HashSet::new();
    for id in attr_values(html, "id") {
        assert!(seen.insert(id), "{name}: duplicate id {id:?}");
    }
    for target in attr_values(html, "href")
        .into_iter()
        .filter_map(|h| h.strip_prefix('#'))
    {
        assert!(seen.contains(target), "{name}: link to missing #{target}");
    }
    for target in attr_values(html, "aria-labelledby")
        .into_iter()
        .chain(attr_values(html, "for"))
    {
        assert!(
            seen.contains(target),
            "{name}: reference to missing id {target:?}"
        );
    }
}

/// Internal links start with page.root; absolute URLs are only the canonical, the edit link and
/// action item links.
fn check_urls(name: &str, html: &str, root: &str) {
    for url in attr_values(html, "href")
        .into_iter()
        .chain(attr_values(html, "src"))
        .chain(attr_values(html, "action"))
    {
        if url.starts_with('#') || url.starts_with("https://") {
            continue;
        }
        assert!(!url.starts_with('/'), "{name}: absolute path {url:?}");
        assert!(!url.starts_with("javascript:"), "{name}: javascript: URL");
        if !root.is_empty() {
            assert!(
                url.starts_with(root),
                "{name}: URL {url:?} is not prefixed with page.root {root:?}"
            );
        }
    }
}

fn check_heading_order(name: &str, html: &str) {
    let mut last = 0u8;
    let bytes = html.as_bytes();
    for (i, _) in html.match_indices("<h") {
        let Some(&d) = bytes.get(i + 2) else { continue };
        if !(b'1'..=b'6').contains(&d) {
            continue;
        }
        let level = d - b'0';
        assert!(level <= last + 1, "{name}: heading h{level} after h{last}");
        last = level;
    }
}

fn has(name: &str, html: &str, parts: &[&str]) {
    for part in parts {
        assert!(
            html.contains(part),
            "{name}: missing {part:?} (FIELDBOOK_THEME_SMOKE_OUT=DIR writes the pages)"
        );
    }
}

fn hasnt(name: &str, html: &str, parts: &[&str]) {
    for part in parts {
        assert!(!html.contains(part), "{name}: should not contain {part:?}");
    }
}

// ---------------------------------------------------------------- tests

/// The page templates this file renders; a new top-level template needs a test here.
const PAGE_TEMPLATES: [&str; 22] = [
    "base.html",
    "home.html",
    "runbook.html",
    "postmortem.html",
    "course.html",
    "lesson.html",
    "page.html",
    "list.html",
    "team.html",
    "freshness.html",
    "404.html",
    "search.html",
    "actions.html",
    "postmortems.html",
    "service.html",
    "services.html",
    "alert.html",
    "alerts.html",
    "learning.html",
    "paths.html",
    "path.html",
    "parts.html",
];

#[test]
fn every_template_loads() {
    let tera = load();
    for name in PAGE_TEMPLATES {
        assert!(
            tera.get_template_names().any(|n| n == name),
            "missing template {name}"
        );
    }
    let dir = theme_dir().join("templates");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                PAGE_TEMPLATES.contains(&name.as_str()),
                "{name} has no smoke test"
            );
        }
    }
}

#[test]
fn autoescaping_is_on_for_html() {
    let mut tera = tera::Tera::new();
    tera.add_raw_templates(vec![("x.html", "{{ s }}")]).unwrap();
    let out = render(&tera, "x.html", &json!({"s": EVIL}));
    assert_eq!(
        out, "&lt;script&gt;alert(1)&lt;/script&gt;",
        "tera escapes .html templates"
    );
}

#[test]
fn runbook_stale_and_partly_lapsed() {
    let tera = load();
    let root = "../../../";
    let mut ctx = base_ctx(page(
        "runbook",
        "Replication lag",
        "runbooks/postgres/replication-lag/",
        root,
    ));
    ctx["doc"] = doc(
        "runbook",
        "runbooks/postgres/replication-lag/",
        "stale",
        "partial",
    );
    ctx["doc"]["taught_in"] = json!([{
        "lesson": {"title": format!("Lag {EVIL}"), "url": "courses/db/02-lag/"},
        "course": {"title": "Database on-call", "url": "courses/db/"},
    }]);
    let html = render(&tera, "runbook.html", &ctx);
    common_checks("runbook", &html, root);
    has(
        "runbook",
        &html,
        &[
            "<h2 id=\"taught-in-title\">Taught in</h2>",
            "<a href=\"../../../courses/db/02-lag/\">Lag &lt;script&gt;",
            "<article class=\"doc doc-runbook\">",
            "This runbook is stale:",
            "last reviewed <time datetime=\"2026-07-01\">2026-07-01</time>",
            "review was due <time datetime=\"2026-09-29\">2026-09-29</time> (59 days ago)",
            "verify steps before acting",
            "Some owners have lapsed:",
            "<dt>Owners</dt>",
            "href=\"../../../teams/team-db/\"",
            "#db-&lt;script&gt;",
            "(left on 2026-08-31)",
            "<dt>Last reviewed</dt>",
            "<dt>Next review due</dt>",
            "<dt>Severity</dt>",
            "sev sev-high",
            "<code>PostgresReplicationLagHigh&lt;script&gt;",
            "href=\"../../../services/postgres/\"",
            "href=\"../../../tags/replication/\"",
            // A hostile tag links to its slug: nothing of it reaches the attribute raw.
            "href=\"../../../tags/img-src-x-onerror-alert-2/\"",
            "<dt>Last change</dt>",
            "0123456789</code>",
            "Shallow clone",
            "href=\"https://git.example/handbook/edit/main/content/x.md\"",
            "class=\"toc\"",
            "href=\"#summary\"",
            "href=\"#timeline\"",
            "<pre class=\"code\" data-lang=\"console\" data-prompt=\"$ \">",
            "<aside class=\"callout callout-warning\" role=\"note\">",
            "<section class=\"quiz\" data-quiz-id=\"q1\">",
            "class=\"current-section\"",
            "id=\"header-search-input\"",
            "Stale</span>",
            "Owner partly lapsed",
        ],
    );
    hasnt(
        "runbook",
        &html,
        &["Nobody owns this", "Review due soon:", "reviwed"],
    );
}

#[test]
fn runbook_lapsed_due_soon_and_minimal() {
    let tera = load();
    let root = "../../";
    let mut ctx = base_ctx(page("runbook", "Disk full", "runbooks/disk-full/", root));
    ctx["doc"] = doc("runbook", "runbooks/disk-full/", "due-soon", "lapsed");
    let html = render(&tera, "runbook.html", &ctx);
    common_checks("runbook lapsed", &html, root);
    has(
        "runbook lapsed",
        &html,
        &[
            "Nobody owns this runbook any more:",
            "(unknown owner)",
            "Review due soon:",
            "(in 3 days)",
            "Lapsed owner",
        ],
    );
    hasnt("runbook lapsed", &html, &["is stale:"]);

    // No owner named: a fact with its own words, never "lapsed" or "disbanded".
    let mut d = doc("runbook", "runbooks/disk-full/", "fresh", "unowned");
    d["owners"] = json!([]);
    ctx["doc"] = d;
    let html = render(&tera, "runbook.html", &ctx);
    common_checks("runbook unowned", &html, root);
    has(
        "runbook unowned",
        &html,
        &[
            "No owner is named for this runbook",
            "No owner named</span>",
        ],
    );
    hasnt(
        "runbook unowned",
        &html,
        &["Lapsed owner", "Nobody owns", "disbanded", "lapsed owner"],
    );

    // Only the required fields: no edit link, no history, no severity, empty lists, no toc.
    let mut d = json!({
        "title": "Minimal", "url": "runbooks/minimal/", "kind": "runbook", "file": "runbooks/minimal.md",
        "review": review("never-reviewed"), "ownership": "ok", "owners": [team_db()],
        "services": [], "tags": [], "alerts": [], "html": "<p>Body</p>", "toc": [], "extra": {},
    });
    ctx["doc"] = d.clone();
    let html = render(&tera, "runbook.html", &ctx);
    common_checks("runbook minimal", &html, root);
    has(
        "runbook minimal",
        &html,
        &["Never reviewed:", "<p>Body</p>"],
    );
    hasnt(
        "runbook minimal",
        &html,
        &[
            "class=\"toc\"",
            "<dt>Severity</dt>",
            "<dt>Alerts</dt>",
            "Edit this page",
            "<dt>Last change</dt>",
        ],
    );

    // The same with explicit nulls for the optional fields.
    for key in [
        "edit_url",
        "last_change",
        "history_note",
        "severity",
        "date",
        "postmortem",
        "course",
        "lesson",
    ] {
        d[key] = Value::Null;
    }
    d["review"] = json!({"state": "fresh", "reviewed": "2026-11-03", "due": "2027-02-01", "every": "90d", "days_left": null});
    ctx["doc"] = d;
    let html = render(&tera, "runbook.html", &ctx);
    common_checks("runbook nulls", &html, root);
    hasnt("runbook nulls", &html, &["banner"]);
}

#[test]
fn postmortem() {
    let tera = load();
    let root = "../../";
    let mut ctx = base_ctx(page(
        "postmortem",
        "Checkout outage",
        "postmortems/checkout-outage/",
        root,
    ));
    let mut d = doc(
        "postmortem",
        "postmortems/checkout-outage/",
        "untracked",
        "ok",
    );
    d["postmortem"] = json!({
        "date": "2026-09-17", "duration": "47m", "duration_minutes": 47, "status": "in-review",
        "action_items": [
            {"title": format!("Set CONNECTION LIMIT {EVIL}"), "owner": team_db(), "due": "2026-09-26", "status": "done",
             "overdue": false, "days_overdue": 0, "link": "https://jira.example/DBRE-412"},
            {"title": "NetworkPolicy for PgBouncer", "owner": dmitri(), "due": "2026-10-31", "status": "open",
             "overdue": true, "days_overdue": 27, "link": "javascript:alert(3)"},
            {"title": "Alert on direct connections", "owner": ghost(), "due": "2027-01-15", "status": "wontfix",
             "overdue": false, "days_overdue": 0},
        ],
    });
    ctx["doc"] = d;
    let html = render(&tera, "postmortem.html", &ctx);
    common_checks("postmortem", &html, root);
    has(
        "postmortem",
        &html,
        &[
            "<dt>Incident date</dt>",
            "2026-09-17",
            "<dt>Duration</dt><dd>47 min</dd>",
            "In review",
            "SEV1&lt;script&gt;",
            "id=\"postmortem-action-items\"",
            "href=\"#postmortem-action-items\"",
            "3 action items: 1 open",
            "1 overdue",
            "Overdue by 27 days",
            "action-overdue",
            "href=\"https://jira.example/DBRE-412\"",
            "Set CONNECTION LIMIT &lt;script&gt;",
            "Won’t fix",
            "Done",
            "<div class=\"table-wrap\">",
        ],
    );
    hasnt(
        "postmortem",
        &html,
        &["javascript:", "is stale", "<dt>Last reviewed</dt>"],
    );

    // A postmortem without action items, duration or status.
    let mut d = doc("postmortem", "postmortems/x/", "untracked", "ok");
    d["postmortem"] = json!({"date": "2026-07-08", "action_items": []});
    ctx["doc"] = d;
    let html = render(&tera, "postmortem.html", &ctx);
    common_checks("postmortem bare", &html, root);
    hasnt(
        "postmortem bare",
        &html,
        &[
            "postmortem-action-items",
            "<dt>Duration</dt>",
            "<dt>Status</dt>",
        ],
    );
}

#[test]
fn course_and_lessons() {
    let tera = load();
    let root = "../../";
    let mut ctx = base_ctx(page("course", "On-call 101", "courses/oncall-101/", root));
    let mut d = doc("course", "courses/oncall-101/", "fresh", "ok");
    d["course"] = course_ctx();
    ctx["doc"] = d;
    let html = render(&tera, "course.html", &ctx);
    common_checks("course", &html, root);
    has(
        "course",
        &html,
        &[
            "<dt>Level</dt><dd>Beginner</dd>",
            "2 h 5 min in 3 lessons",
            "href=\"../../courses/linux/\"",
            "<ol class=\"lesson-list\">",
            "SLOs &lt;script&gt;",
            "30 min",
            "href=\"../../courses/oncall-101/01-slos/\"",
            "Start with lesson 1",
            "<article class=\"doc doc-course\" data-course=\"oncall-101\">",
            "<li data-lesson=\"01-slos\" data-quizzes=\"q1:v1 q2:v2\">",
            "<li data-prerequisite=\"linux\" data-lessons=\"a b\">",
            "<div class=\"course-progress\" data-course-progress hidden></div>",
            "<h2 id=\"course-objectives\">What you will learn</h2>",
            "Page &lt;script&gt;",
        ],
    );

    for (n, prev, next) in [(1, false, true), (2, true, true), (3, true, false)] {
        let root = "../../../";
        let mut ctx = base_ctx(page(
            "lesson",
            "Alerts",
            "courses/oncall-101/02-alerts/",
            root,
        ));
        let mut d = doc("lesson", "courses/oncall-101/02-alerts/", "fresh", "ok");
        let mut lesson = json!({
            "number": n, "count": 3, "minutes": 25, "id": "02-alerts", "slug": "oncall-101",
            "course": {"title": format!("On-call {EVIL}"), "url": "courses/oncall-101/"},
            "outline": [
                {"title": "SLOs", "url": "courses/oncall-101/01-slos/", "id": "01-slos", "quizzes": ""},
                {"title": format!("Alerts {EVIL}"), "url": "courses/oncall-101/02-alerts/", "id": "02-alerts", "quizzes": ""},
                {"title": "Runbooks", "url": "courses/oncall-101/03-runbooks/", "id": "03-runbooks", "quizzes": ""},
            ],
            "warnings": if n == 2 {
                json!([{
                    "title": format!("Old {EVIL}"), "url": "runbooks/old/", "kind": "runbook",
                    "review": {"state": "stale", "due": "2026-01-01"}, "stale": true, "lapsed": true,
                }])
            } else {
                json!([])
            },
        });
        if prev {
            lesson["prev"] = json!({"title": "SLOs", "url": "courses/oncall-101/01-slos/"});
        }
        if next {
            lesson["next"] = json!({"title": "Runbooks", "url": "courses/oncall-101/03-runbooks/"});
        }
        d["lesson"] = lesson;
        ctx["doc"] = d;
        let html = render(&tera, "lesson.html", &ctx);
        let name = format!("lesson {n}");
        common_checks(&name, &html, root);
        has(
            &name,
            &html,
            &[
                &format!("Lesson {n} of 3"),
                "<dt>Time</dt><dd>25 min</dd>",
                "href=\"../../../courses/oncall-101/\"",
                "class=\"pager\"",
                "data-course=\"oncall-101\" data-lesson=\"02-alerts\"",
                "<div class=\"lesson-actions\" data-lesson-actions hidden></div>",
                "<nav class=\"lesson-outline\" aria-labelledby=\"fb-lesson-outline\">",
            ],
        );
        // The other lessons are plain links; the titles are escaped.
        if n != 1 {
            has(
                &name,
                &html,
                &[
                    "<li data-lesson=\"01-slos\"><a href=\"../../../courses/oncall-101/01-slos/\">SLOs</a></li>",
                ],
            );
        }
        assert!(!html.contains(EVIL), "{name}: escaped outline");
        // The outline marks this lesson (its number) as the current page, once.
        assert_eq!(
            html.matches("aria-current=\"page\">").count(),
            1,
            "{name}: one current lesson"
        );
        let current = ["01-slos", "02-alerts", "03-runbooks"][n - 1];
        assert!(
            html.contains(&format!(
                "<li data-lesson=\"{current}\" class=\"is-current\">"
            )),
            "{name}: current lesson {current}"
        );
        assert_eq!(
            html.contains("(runbook): stale, review was due <time datetime=\"2026-01-01\">2026-01-01</time>; nobody owns it any more"),
            n == 2,
            "{name}: case-study warning"
        );
        assert_eq!(html.contains("rel=\"prev\""), prev, "{name}: rel=prev");
        assert_eq!(html.contains("rel=\"next\""), next, "{name}: rel=next");
        assert_eq!(
            html.contains("finished the course"),
            !next,
            "{name}: last lesson"
        );
    }
}

/// A course as the course, learning and path pages see it (`CourseCtx`).
fn course_ctx() -> Value {
    json!({
        "slug": "oncall-101", "title": format!("On-call {EVIL}"), "url": "courses/oncall-101/",
        "level": "beginner", "total_minutes": 125,
        "objectives": [format!("Page {EVIL}"), "Hand over"],
        "lessons": [
            {"title": format!("SLOs {EVIL}"), "url": "courses/oncall-101/01-slos/", "minutes": 30,
             "id": "01-slos", "quizzes": "q1:v1 q2:v2"},
            {"title": "Alerts and paging", "url": "courses/oncall-101/02-alerts/", "minutes": 25,
             "id": "02-alerts", "quizzes": ""},
            {"title": "Using runbooks", "url": "courses/oncall-101/03-runbooks/",
             "id": "03-runbooks", "quizzes": ""},
        ],
        "lesson_ids": "01-slos 02-alerts 03-runbooks",
        "quizzes": "q1:v1 q2:v2",
        "prerequisites": [{"slug": "linux", "title": "Linux basics", "url": "courses/linux/", "lesson_ids": "a b"}],
    })
}

fn path_ctx() -> Value {
    json!({
        "id": "sre", "title": format!("SRE {EVIL}"), "description": format!("For {EVIL_ATTR}"),
        "role": "SRE", "url": "paths/sre/", "courses": [course_ctx()],
        "course_slugs": "oncall-101", "total_minutes": 125, "lesson_count": 3,
    })
}

#[test]
fn learning_and_paths() {
    let tera = load();
    let mut ctx = base_ctx(page("learning", "My learning", "learning/", "../"));
    ctx["learning"] = json!({"paths": [path_ctx()], "courses": [course_ctx()]});
    let html = render(&tera, "learning.html", &ctx);
    common_checks("learning", &html, "../");
    has(
        "learning",
        &html,
        &[
            "<section class=\"learning-path\" data-path=\"sre\" data-courses=\"oncall-101\"",
            "<section class=\"learning-course\" data-course=\"oncall-101\" data-lessons=\"01-slos 02-alerts 03-runbooks\" data-quizzes=\"q1:v1 q2:v2\"",
            "<li data-lesson=\"01-slos\"><a href=\"../courses/oncall-101/01-slos/\">",
            "<div class=\"learning-tools\" data-learning-tools hidden></div>",
            "<noscript>",
        ],
    );
    let mut ctx = base_ctx(page("learning", "My learning", "learning/", "../"));
    ctx["learning"] = json!({"paths": [], "courses": []});
    let html = render(&tera, "learning.html", &ctx);
    has("learning, empty", &html, &["There are no courses yet."]);
    hasnt("learning, empty", &html, &["Learning paths</h2>"]);

    let mut ctx = base_ctx(page("paths", "Learning paths", "paths/", "../"));
    ctx["paths"] = json!([path_ctx()]);
    let html = render(&tera, "paths.html", &ctx);
    common_checks("paths", &html, "../");
    has(
        "paths",
        &html,
        &[
            "href=\"../paths/sre/\"",
            "1 course, 3 lessons, about 2 h 5 min",
        ],
    );
    ctx["paths"] = json!([]);
    has(
        "paths, none",
        &render(&tera, "paths.html", &ctx),
        &["No learning paths yet"],
    );

    let mut ctx = base_ctx(page("path", "SRE", "paths/sre/", "../../"));
    ctx["path"] = path_ctx();
    let html = render(&tera, "path.html", &ctx);
    common_checks("path", &html, "../../");
    has(
        "path",
        &html,
        &[
            "<li class=\"path-course\" data-course=\"oncall-101\" data-lessons=\"01-slos 02-alerts 03-runbooks\">",
            "<div class=\"path-progress\" data-path-progress hidden></div>",
            "href=\"../../courses/oncall-101/01-slos/\"",
        ],
    );
}

#[test]
fn plain_page() {
    let tera = load();
    let mut ctx = base_ctx(page("page", "About", "about/", "../"));
    ctx["doc"] = doc("page", "about/", "fresh", "ok");
    let html = render(&tera, "page.html", &ctx);
    common_checks("page", &html, "../");
    has(
        "page",
        &html,
        &[
            "<article class=\"doc doc-page\">",
            "<h2 id=\"summary\">Summary<a class=\"anchor\"",
        ],
    );
    hasnt("page", &html, &["banner"]);
}

#[test]
fn home() {
    let tera = load();
    let mut ctx = base_ctx(page("home", "Home", "", ""));
    let mut course = card(
        "course",
        "On-call 101",
        "courses/oncall-101/",
        "fresh",
        "ok",
    );
    course["lessons"] = json!(5);
    course["total_minutes"] = json!(125);
    ctx["home"] = json!({
        "intro_html": "<p>Welcome, <strong>on-call</strong>.</p>",
        "needs_review": [
            card("runbook", &format!("Disk full {EVIL}"), "runbooks/postgres/disk-full/", "stale", "ok"),
            card("runbook", "Redis memory", "runbooks/redis/memory-high/", "due-soon", "ok"),
            card("runbook", "Old CDN", "runbooks/dns-cdn/old/", "fresh", "lapsed"),
            card("course", "New course", "courses/new/", "never-reviewed", "ok"),
        ],
        "counts": {"documents": 23, "stale": 2, "due_soon": 2, "never_reviewed": 1, "lapsed": 1},
        "courses": [course],
        "postmortems": [card("postmortem", "Checkout outage", "postmortems/checkout/", "untracked", "ok")],
    });
    let html = render(&tera, "home.html", &ctx);
    common_checks("home", &html, "");
    has(
        "home",
        &html,
        &[
            "<form role=\"search\" class=\"search search-main\" action=\"search/\"",
            "<input type=\"search\" name=\"q\" id=\"search-input\"",
            "<label for=\"search-input\">",
            "<p>Welcome, <strong>on-call</strong>.</p>",
            "Needs review",
            "Stale</span>",
            "Review due soon</span>",
            "Never reviewed</span>",
            "Lapsed owner</span>",
            "Disk full &lt;script&gt;",
            "href=\"runbooks/postgres/disk-full/\"",
            "<span class=\"count-n\">23</span>",
            "5 lessons",
            "2 h 5 min",
            "Recent postmortems",
            "Incident <time datetime=\"2026-09-17\">",
            "Owners: ",
        ],
    );
    hasnt("home", &html, &["header-search-input"]);

    // Empty home, lessons given as a list.
    let mut course = card("course", "C", "courses/c/", "fresh", "ok");
    course["lessons"] = json!([{"title": "L", "url": "courses/c/l/"}]);
    course["total_minutes"] = json!(0);
    ctx["home"] = json!({
        "needs_review": [], "courses": [course], "postmortems": [],
        "counts": {"documents": 0, "stale": 0, "due_soon": 0, "never_reviewed": 0, "lapsed": 0},
    });
    let html = render(&tera, "home.html", &ctx);
    common_checks("home empty", &html, "");
    has(
        "home empty",
        &html,
        &[
            "Nothing needs attention",
            "1 lesson<",
            "No postmortems yet.",
        ],
    );
}

#[test]
fn composed_home() {
    // A composed handbook's home page is a single build's, with its parts: those shown from
    // their last good copy, and a link to them all.
    let tera = load();
    let mut ctx = base_ctx(page("home", "Handbook", "", ""));
    ctx["home"] = json!({
        "needs_review": [], "courses": [], "postmortems": [],
        "counts": {"documents": 0, "stale": 0, "due_soon": 0, "never_reviewed": 0, "lapsed": 0},
        "parts": {"url": "parts/", "count": 2, "last_good": []},
    });
    let html = render(&tera, "home.html", &ctx);
    common_checks("composed home", &html, "");
    has("composed home", &html, &["href=\"parts/\"", "All 2 parts<"]);
    hasnt("composed home", &html, &["Not updated since"]);
    ctx["home"]["parts"]["last_good"] = json!([{
        "name": "web", "title": format!("Web {EVIL}"), "url": "web/",
        "since": "2026-11-20", "reason": format!("its build {EVIL}"),
    }]);
    let html = render(&tera, "home.html", &ctx);
    common_checks("composed home last good", &html, "");
    has(
        "composed home last good",
        &html,
        &[
            "href=\"web/\"",
            "Not updated since <time datetime=\"2026-11-20\">",
            "Shown from its last good copy",
        ],
    );
}

#[test]
fn composed_parts_page() {
    let tera = load();
    let mut ctx = base_ctx(page("parts", "Parts", "parts/", "../"));
    ctx["parts"] = json!([
        {"name": "payments", "title": format!("Payments {EVIL}"), "url": "payments/", "documents": 12},
        {"name": "web", "title": "Web", "url": "web/", "documents": 1},
    ]);
    let html = render(&tera, "parts.html", &ctx);
    common_checks("parts", &html, "../");
    has(
        "parts",
        &html,
        &["href=\"../payments/\"", "12 documents", "1 document<"],
    );
    hasnt("parts", &html, &["Not updated since"]);
    ctx["parts"][1]["last_good"] =
        json!({"since": "2026-11-20", "reason": format!("its build {EVIL}")});
    let html = render(&tera, "parts.html", &ctx);
    common_checks("parts last good", &html, "../");
    has(
        "parts last good",
        &html,
        &[
            "Not updated since <time datetime=\"2026-11-20\">",
            "Shown from its last good copy",
        ],
    );
}

#[test]
fn lists() {
    let tera = load();
    let root = "../../";
    let mut ctx = base_ctx(page("list", "Tag", "tags/postgres/", root));
    ctx["list"] = json!({
        "heading": format!("Tagged {EVIL}"),
        "intro": format!("Everything tagged {EVIL}"),
        "groups": [
            {"title": "Runbooks", "url": "runbooks/", "cards": [
                card("runbook", "Replication lag", "runbooks/postgres/replication-lag/", "stale", "partial"),
                card("runbook", "Disk full", "runbooks/postgres/disk-full/", "fresh", "ok"),
            ]},
            {"title": format!("Postmortems {EVIL}"), "cards": [
                card("postmortem", "Checkout outage", "postmortems/checkout/", "untracked", "ok"),
            ]},
        ],
    });
    let html = render(&tera, "list.html", &ctx);
    common_checks("list", &html, root);
    has(
        "list",
        &html,
        &[
            "Tagged &lt;script&gt;",
            "href=\"../../runbooks/postgres/replication-lag/\"",
            "Postmortems &lt;script&gt;",
            "<span class=\"kind kind-runbook\">Runbook</span>",
            "<span class=\"kind kind-postmortem\">Postmortem</span>",
            "href=\"#group-2\"",
        ],
    );

    let mut ctx = base_ctx(page("list", "Services", "services/", "../"));
    ctx["list"] = json!({"heading": "Services", "groups": []});
    let html = render(&tera, "list.html", &ctx);
    common_checks("list empty", &html, "../");
    has(
        "list empty",
        &html,
        &[
            "Nothing here yet.",
            "<a href=\"../services/\" aria-current=\"page\">Services",
        ],
    );
}

#[test]
fn team() {
    let tera = load();
    let root = "../../";
    let mut ctx = base_ctx(page("team", "Data", "teams/team-db/", root));
    ctx["team"] = json!({
        "owner": team_db(),
        "members": [
            {"id": "priya", "name": "Priya Raman", "kind": "person", "standing": "active"},
            dmitri(),
        ],
        "owned": [card("runbook", "Replication lag", "runbooks/postgres/replication-lag/", "stale", "partial")],
        "needs_review": [card("runbook", "Replication lag", "runbooks/postgres/replication-lag/", "stale", "partial")],
        "actions": [action_item("overdue")],
    });
    let html = render(&tera, "team.html", &ctx);
    common_checks("team", &html, root);
    has(
        "team",
        &html,
        &[
            "Data &lt;script&gt;",
            "#db-&lt;script&gt;",
            "Priya Raman",
            "Dmitri &lt;script&gt;",
            "(left on 2026-08-31)",
            "Overdue by 27 days</span>",
            "href=\"../../postmortems/checkout/\"",
            "Fix &lt;script&gt;",
            "Open action items",
        ],
    );
    hasnt("team", &html, &["Disbanded on"]);

    let mut owner = team_db();
    owner["standing"] = json!("lapsed");
    ctx["team"] = json!({"owner": owner, "members": [], "disbanded": "2026-04-30", "owned": [], "needs_review": [], "actions": []});
    let html = render(&tera, "team.html", &ctx);
    common_checks("team disbanded", &html, root);
    has(
        "team disbanded",
        &html,
        &[
            "Disbanded on <time datetime=\"2026-04-30\">",
            "No open action items.",
        ],
    );
}

#[test]
fn freshness() {
    let tera = load();
    let root = "../";
    let mut ctx = base_ctx(page("freshness", "Freshness", "freshness/", root));
    ctx["report"] = json!({
        "counts": {"documents": 23, "stale": 2, "due_soon": 2, "never_reviewed": 0, "lapsed": 1},
        "chart_svg": "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\" role=\"img\" aria-label=\"chart\"><rect x=\"0\" y=\"0\" width=\"5\" height=\"5\"/></svg>",
        "teams": [
            {"owner": team_db(), "cards": [
                card("runbook", "Replication lag", "runbooks/postgres/replication-lag/", "stale", "partial"),
                card("runbook", "Disk full", "runbooks/postgres/disk-full/", "fresh", "ok"),
            ]},
            {"owner": dmitri(), "cards": [card("page", "Notes", "notes/", "due-soon", "partial")]},
        ],
        "unowned": [card("runbook", "Old CDN", "runbooks/cdn/", "stale", "lapsed")],
    });
    let html = render(&tera, "freshness.html", &ctx);
    common_checks("freshness", &html, root);
    has(
        "freshness",
        &html,
        &[
            "<svg xmlns=",
            "<rect x=\"0\"",
            "Without an active owner",
            "href=\"../teams/team-db/\"",
            "(59 days ago)",
            "(in 3 days)",
            "<span class=\"count-n\">23</span>",
            "Data &lt;script&gt;",
            "(left on 2026-08-31)",
        ],
    );
    hasnt("freshness", &html, &["Parts not updated"]);
    // A composed handbook's part shown from its last good copy (`compose --keep-last-good`).
    ctx["report"]["last_good"] = json!([{"name": "payments", "title": format!("Payments {EVIL}"),
        "url": "payments/", "since": "2026-11-20", "reason": format!("its build {EVIL}")}]);
    let html = render(&tera, "freshness.html", &ctx);
    common_checks("freshness last good", &html, root);
    has(
        "freshness last good",
        &html,
        &[
            "Parts not updated",
            "href=\"../payments/\"",
            "not updated since <time datetime=\"2026-11-20\">",
        ],
    );
}

#[test]
fn not_found() {
    let tera = load();
    let ctx = base_ctx(page("not-found", "Page not found", "404.html", "/"));
    let html = render(&tera, "404.html", &ctx);
    dump("404", &html);
    for bad in ["<script>alert", "<img src=x"] {
        assert!(!html.contains(bad));
    }
    check_balanced("404", &html);
    check_ids("404", &html);
    has(
        "404",
        &html,
        &[
            "Page not found",
            "<meta name=\"robots\" content=\"noindex\">",
            "action=\"/search/\"",
            "id=\"search-input\"",
            "href=\"/\"",
            "href=\"/runbooks/\"",
            "href=\"/static/fieldbook.css\"",
        ],
    );
    hasnt("404", &html, &["header-search-input"]);
}

#[test]
fn search_page() {
    let tera = load();
    let ctx = base_ctx(page("search", "Search", "search/", "../"));
    let html = render(&tera, "search.html", &ctx);
    dump("search", &html);
    check_balanced("search", &html);
    check_ids("search", &html);
    has(
        "search",
        &html,
        &[
            "<meta name=\"robots\" content=\"noindex\">",
            "action=\"../search/\"",
            "id=\"search-input\"",
            "role=\"status\"",
            "Search needs JavaScript",
            "src=\"../static/search.js\"",
        ],
    );
    // The page's own form replaces the header's: one search box, one `search-input` id.
    hasnt("search", &html, &["header-search-input"]);
}

#[test]
fn alert_pages_redirect_or_list_runbooks() {
    let tera = load();
    let root = "../../";
    let evil_name = format!("Kube{EVIL_ATTR}");
    let one = card(
        "runbook",
        "Pods crash",
        "runbooks/k8s/crash/",
        "fresh",
        "ok",
    );
    let mut ctx = base_ctx(page(
        "alert",
        "Alert KubePodCrashLooping",
        "alerts/KubePodCrashLooping/",
        root,
    ));
    ctx["alert"] =
        json!({"names": [evil_name], "runbooks": [one], "redirect": "runbooks/k8s/crash/"});
    let html = render(&tera, "alert.html", &ctx);
    common_checks("alert redirect", &html, root);
    has(
        "alert redirect",
        &html,
        &[
            "<meta name=\"fieldbook-redirect\" content=\"../../runbooks/k8s/crash/\">",
            "<noscript><meta http-equiv=\"refresh\" content=\"0; url=../../runbooks/k8s/crash/\"></noscript>",
            "id=\"alert-target\"",
            "<code>Kube&quot;&gt;&lt;img src=x onerror=alert(2)&gt;</code>",
            "data-keep-query",
        ],
    );
    // The redirect is static/alerts.js's: no inline script, so a strict CSP works.
    hasnt("alert redirect", &html, &["<script>"]);

    let two = [
        card(
            "runbook",
            "Pods crash",
            "runbooks/k8s/crash/",
            "stale",
            "ok",
        ),
        card(
            "runbook",
            "App down",
            "runbooks/app/down/",
            "fresh",
            "partial",
        ),
    ];
    ctx["alert"] = json!({"names": ["A-B", "A:B"], "runbooks": two});
    let html = render(&tera, "alert.html", &ctx);
    common_checks("alert choice", &html, root);
    has(
        "alert choice",
        &html,
        &[
            "2 runbooks answer this alert",
            "These alert names share this address.",
            "badge-danger",
        ],
    );
    hasnt("alert choice", &html, &["fieldbook-redirect", "http-equiv"]);

    let mut ctx = base_ctx(page("alerts", "Alerts", "alerts/", "../"));
    ctx["alerts"] = json!([
        {"name": evil_name, "url": "alerts/Kube-/", "runbooks": two},
        {"name": "Other", "url": "alerts/Other/", "runbooks": [card("runbook", "Other", "runbooks/o/", "due-soon", "lapsed")]},
    ]);
    let html = render(&tera, "alerts.html", &ctx);
    common_checks("alerts", &html, "../");
    has(
        "alerts",
        &html,
        &[
            "rowspan=\"2\"",
            "href=\"../alerts/Other/\"",
            "alerts/{{ $labels.alertname }}/",
            "href=\"../alerts.json\"",
        ],
    );
    ctx["alerts"] = json!([]);
    let html = render(&tera, "alerts.html", &ctx);
    has("alerts empty", &html, &["No runbook names an alert yet."]);
}

#[test]
fn static_files_exist_and_are_self_contained() {
    let dir = theme_dir().join("static");
    let css = std::fs::read_to_string(dir.join("fieldbook.css")).unwrap();
    let js = std::fs::read_to_string(dir.join("fieldbook.js")).unwrap();
    for (name, text) in [("css", &css), ("js", &js)] {
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{name} refers to an external resource"
        );
        assert!(!text.contains("@import"), "{name} imports");
    }
    for part in [
        "prefers-color-scheme: dark",
        "@media print",
        ":focus-visible",
        "data-theme",
        ".callout-warning",
        ".quiz",
        ".table-wrap",
        ".banner-danger",
    ] {
        assert!(css.contains(part), "css: missing {part}");
    }
    for part in [
        "navigator.clipboard",
        "aria-live",
        "data-prompt",
        "execCommand",
    ] {
        assert!(js.contains(part), "js: missing {part}");
    }
}

// ---------------------------------------------------------------- on-call pages

/// An action item as pages listing several postmortems' items get it.
fn action_item(state: &str) -> Value {
    json!({
        "title": format!("Fix {EVIL}"), "owner": dmitri(), "due": "2026-10-31",
        "status": if state == "overdue" { "open" } else { state }, "state": state,
        "overdue": state == "overdue", "days_overdue": if state == "overdue" { 27 } else { 0 },
        "age_days": 71, "link": format!("https://tracker.example/{EVIL_ATTR}"),
        "doc": {"title": "Checkout outage", "url": "postmortems/checkout/"},
        "teams": [team_db()], "services": [format!("db{EVIL}")],
    })
}

fn incident_row() -> Value {
    let mut row = card(
        "postmortem",
        "Checkout outage",
        "postmortems/checkout/",
        "untracked",
        "ok",
    );
    row["severity"] = json!(format!("SEV1{EVIL}"));
    row["date"] = json!("2026-09-17");
    row["duration_minutes"] = json!(47);
    row["open_actions"] = json!(2);
    row["overdue_actions"] = json!(1);
    row
}

fn counts() -> Value {
    json!({"documents": 3, "stale": 1, "due_soon": 0, "never_reviewed": 0, "lapsed": 0})
}

#[test]
fn on_call_pages() {
    let tera = load();
    let summary = |owner: Option<Value>| {
        json!({"owner": owner, "service": format!("db{EVIL}"), "url": "services/db/",
               "counts": {"total": 2, "open": 1, "overdue": 1, "done": 0, "wontfix": 0, "unowned": 1},
               "oldest_days": 71})
    };
    let mut ctx = base_ctx(page("actions", "Action items", "actions/", "../"));
    ctx["tracker"] = json!({
        "counts": {"total": 2, "open": 0, "overdue": 1, "done": 0, "wontfix": 1, "unowned": 1},
        "sections": [
            {"state": "overdue", "title": "Overdue", "items": [action_item("overdue")]},
            {"state": "open", "title": "Open", "items": []},
            {"state": "done", "title": "Done", "items": []},
            {"state": "wontfix", "title": "Won’t fix", "items": [action_item("wontfix")]},
        ],
        "by_owner": [summary(Some(dmitri()))],
        "by_team": [summary(Some(team_db()))],
        "by_service": [summary(None)],
        "by_age": [{"label": "under 30 days", "open": 0, "overdue": 0}, {"label": "30–89 days", "open": 0, "overdue": 1}],
    });
    let html = render(&tera, "actions.html", &ctx);
    common_checks("actions", &html, "../");
    has(
        "actions",
        &html,
        &[
            "Overdue by 27 days</span>",
            "Won’t fix",
            "No open action items.",
            "Dmitri &lt;script&gt;",
            "(left on 2026-08-31)",
            "href=\"../services/db/\"",
            "<caption class=\"visually-hidden\">Overdue action items</caption>",
            "href=\"https://tracker.example/&quot;&gt;&lt;img",
        ],
    );

    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\" role=\"img\" aria-label=\"chart\"><rect x=\"0\" y=\"0\" width=\"5\" height=\"5\"/></svg>";
    let group = |id: &str| json!({"title": format!("2026{EVIL}"), "id": id, "url": "services/db/", "incidents": [incident_row()]});
    let mut ctx = base_ctx(page("postmortems", "Postmortems", "postmortems/", "../"));
    ctx["history"] = json!({
        "total": 1,
        "years": [group("year-2026")],
        "severities": [group("severity-1")],
        "services": [group("service-1")],
        "charts": [{"id": "incidents-chart", "svg": svg,
                    "legend": [{"label": format!("SEV1{EVIL}"), "series": 1}],
                    "table": {"head": ["Month", format!("SEV1{EVIL}")], "rows": [["2026-09", "1"]]}}],
    });
    let html = render(&tera, "postmortems.html", &ctx);
    common_checks("postmortems", &html, "../");
    has(
        "postmortems",
        &html,
        &[
            "<figure class=\"chart chart-incidents-chart\">",
            "<rect x=\"0\"",
            "<span class=\"swatch series-1\" aria-hidden=\"true\"></span>SEV1&lt;script&gt;",
            "<th scope=\"row\">2026-09</th><td>1</td>",
            "<span class=\"badge badge-danger\">1 overdue</span> 2 open",
            "47 min",
            "href=\"../services/db/\"",
        ],
    );
    ctx["history"] =
        json!({"total": 0, "years": [], "severities": [], "services": [], "charts": []});
    let html = render(&tera, "postmortems.html", &ctx);
    common_checks("postmortems empty", &html, "../");
    has("postmortems empty", &html, &["No postmortems yet."]);

    let root = "../../";
    let mut ctx = base_ctx(page("service", "db", "services/db/", root));
    ctx["service"] = json!({
        "name": format!("db{EVIL}"), "counts": counts(), "teams": [team_db()],
        "runbooks": [card("runbook", "Replication lag", "runbooks/postgres/replication-lag/", "stale", "partial")],
        "alerts": [{"name": format!("PgDown{EVIL}"), "url": "alerts/PgDown-/", "runbooks": [{"title": "Replication lag", "url": "runbooks/postgres/replication-lag/"}]}],
        "incidents": [incident_row()], "actions": [action_item("overdue")], "other": [],
    });
    let html = render(&tera, "service.html", &ctx);
    common_checks("service", &html, root);
    has(
        "service",
        &html,
        &[
            "href=\"../../alerts/PgDown-/\"",
            "#db-&lt;script&gt;",
            "Overdue by 27 days</span>",
            "<span class=\"count-n\">1</span> <span class=\"count-l\">stale</span>",
        ],
    );

    let mut ctx = base_ctx(page("services", "Services", "services/", "../"));
    ctx["services"] = json!([{"name": format!("db{EVIL}"), "url": "services/db/", "runbooks": 2, "stale": 1,
        "incidents_12m": 1, "incidents": 3, "open_actions": 2, "overdue_actions": 1, "teams": []}]);
    let html = render(&tera, "services.html", &ctx);
    common_checks("services", &html, "../");
    has(
        "services",
        &html,
        &[
            "1 stale</span>",
            "1 <span class=\"muted\">(3 in all)</span>",
            "1 overdue</span>",
        ],
    );
}
