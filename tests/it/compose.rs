//! `fieldbook compose`: parts built by `build --part` merged without re-rendering, links
//! between parts checked from the manifests, parts of another format version refused.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn part(site: &Path, name: &str, out: &Path) {
    let (code, _, err) = build_into(site, out, &["--part", name, "--today", "2026-11-27"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn parts_are_merged_and_their_links_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, site) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("site"),
    );
    part(&repo_root(), "northwind", &a);
    let orders = site_with(&[(
        "content/runbooks/db.md",
        "---\ntitle: DB\nkind: runbook\nowners: [team-a]\nreviewed: 2026-11-01\n---\n\n\
         ## Diagnose\n\nSee [disk](northwind:runbooks/postgres/disk-full.md),\n\
         [gone](northwind:runbooks/nope.md), [anchor](northwind:about.md#nowhere),\n\
         [good anchor](northwind:about.md#who-to-ask) and [elsewhere](billing:x.md).\n",
    )]);
    part(orders.path(), "orders", &b);

    let (code, _, err) = run([
        "compose",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--output",
        site.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no document `runbooks/nope.md`"), "{err}");
    assert!(err.contains("has no anchor `nowhere`"), "{err}");
    assert!(err.contains("no part `billing`"), "{err}");
    assert!(
        !err.contains("disk-full.md`"),
        "a good link is not reported: {err}"
    );
    assert!(!err.contains("who-to-ask"), "{err}");
    assert!(
        err.contains("orders:runbooks/db.md"),
        "where the link is: {err}"
    );

    // Pages are the parts' own bytes: copied, not re-rendered.
    for rel in [
        "northwind/runbooks/postgres/disk-full/index.html",
        "northwind/search/t/0.json",
    ] {
        assert_eq!(
            std::fs::read(site.join(rel)).unwrap(),
            std::fs::read(a.join(rel)).unwrap(),
            "{rel}"
        );
    }
    assert!(site.join("orders/runbooks/db/index.html").is_file());
    // Cross-part links lead, in the composed handbook, to the other part's page and anchor.
    let db = std::fs::read_to_string(site.join("orders/runbooks/db/index.html")).unwrap();
    for (text, target, anchor) in [
        ("disk", "northwind/runbooks/postgres/disk-full/", None),
        ("good anchor", "northwind/about/", Some("who-to-ask")),
    ] {
        let at = db.find(&format!(">{text}</a>")).expect(text);
        let open = db[..at].rfind("<a href=\"").unwrap() + "<a href=\"".len();
        let href = &db[open..open + db[open..].find('"').unwrap()];
        let (path, fragment) = href
            .split_once('#')
            .map_or((href, None), |(p, f)| (p, Some(f)));
        // Resolve the relative href from the page's folder.
        let mut dir: Vec<&str> = vec!["orders", "runbooks", "db"];
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            if seg == ".." {
                dir.pop();
            } else {
                dir.push(seg);
            }
        }
        assert_eq!(format!("{}/", dir.join("/")), target, "{href}");
        assert_eq!(fragment, anchor, "{href}");
        let page = std::fs::read_to_string(site.join(target).join("index.html")).unwrap();
        if let Some(a) = anchor {
            assert!(page.contains(&format!("id=\"{a}\"")), "{a} in {target}");
        }
    }
    // The home page is a handbook's home, linking to the list of parts.
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.contains("href=\"parts/\""), "{home}");
    assert!(
        home.contains("northwind/runbooks/tracking/events-delayed/"),
        "needs review: {home}"
    );
    let list = std::fs::read_to_string(site.join("parts/index.html")).unwrap();
    assert!(
        list.contains("href=\"../northwind/\"") && list.contains("href=\"../orders/\""),
        "{list}"
    );
    let parts: Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("parts.json")).unwrap()).unwrap();
    assert_eq!(parts["parts"][0]["name"], "northwind");
    assert_eq!(parts["parts"][1]["search"], "orders/search/index.json");
}

#[test]
fn parts_of_another_format_or_twice_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    part(&fixture("valid"), "valid", &a);
    let out = tmp.path().join("site");
    let (code, _, err) = run([
        "compose",
        a.to_str().unwrap(),
        a.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("two parts are named `valid`"), "{err}");

    let manifest = a.join("part.json");
    let text =
        std::fs::read_to_string(&manifest)
            .unwrap()
            .replacen("\"format\": 1", "\"format\": 2", 1);
    std::fs::write(&manifest, text).unwrap();
    let (code, _, err) = run([
        "compose",
        a.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("part format 2"), "{err}");
    assert!(err.contains("reads part format 1"), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_link_into_a_part_published_under_other_urls_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, site) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("site"),
    );
    let doc = "---\ntitle: DB\nkind: runbook\nowners: [team-a]\nreviewed: 2026-11-01\n---\n\n## Diagnose\n";
    let source = site_with(&[
        (
            "book.toml",
            "[book]\ntitle = \"Source URLs\"\n\n[build]\nurls = \"source\"\n",
        ),
        ("content/runbooks/db.md", doc),
    ]);
    part(source.path(), "billing", &a);
    let linking = site_with(&[(
        "content/runbooks/x.md",
        "---\ntitle: X\nkind: runbook\nowners: [team-a]\nreviewed: 2026-11-01\n---\n\nSee [db](billing:runbooks/db.md#diagnose).\n",
    )]);
    part(linking.path(), "orders", &b);
    let (code, _, err) = run([
        "compose",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--output",
        site.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("publishes `runbooks/db.md` at `billing/runbooks/db.html`"),
        "{err}"
    );
}

#[test]
fn check_inbound_names_the_links_a_change_would_break_in_other_parts() {
    let tmp = tempfile::tempdir().unwrap();
    let parts = tmp.path().join("parts");
    let front = "---\ntitle: T\nkind: runbook\nowners: [team-a]\nreviewed: 2026-11-01\n---\n\n";
    let payments = site_with(&[(
        "content/runbooks/db.md",
        &format!("{front}## Diagnose\n\nText.\n"),
    )]);
    part(payments.path(), "payments", &parts.join("payments"));
    let orders = site_with(&[(
        "content/runbooks/x.md",
        &format!("{front}See [db](payments:runbooks/db.md#diagnose).\n"),
    )]);
    part(orders.path(), "orders", &parts.join("orders"));
    let inbound = |site: &Path| {
        run([
            "check",
            site.to_str().unwrap(),
            "--inbound",
            parts.to_str().unwrap(),
            "--part",
            "payments",
            "--today",
            "2026-11-27",
        ])
    };
    let (code, out, err) = inbound(payments.path());
    assert_eq!(code, 0, "nothing broken yet: {out}{err}");

    // The heading is renamed: its anchor goes, and orders' link with it.
    payments.write(
        "content/runbooks/db.md",
        &format!("{front}## Investigate\n\nText.\n"),
    );
    let (code, out, _) = inbound(payments.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("orders:runbooks/x.md"), "{out}");
    assert!(out.contains("has no anchor `diagnose`"), "{out}");
    assert!(out.contains("this change would break it"), "{out}");

    // The page is renamed: the link has no document.
    std::fs::rename(
        payments.path().join("content/runbooks/db.md"),
        payments.path().join("content/runbooks/database.md"),
    )
    .unwrap();
    let (code, out, _) = inbound(payments.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no document `runbooks/db.md`"), "{out}");

    let (code, _, err) = run(["check", "--inbound", parts.to_str().unwrap()]);
    assert_eq!(code, 2, "--inbound needs --part: {err}");
}

#[test]
fn a_handbook_lists_its_parts_in_book_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let parts = tmp.path().join("parts");
    let front =
        "---\ntitle: T\nkind: runbook\nowners: [team-a]\nreviewed: 2026-11-01\n---\n\nText.\n";
    for name in ["payments", "orders"] {
        let s = site_with(&[("content/runbooks/x.md", front)]);
        part(s.path(), name, &parts.join(name));
    }
    let handbook = tmp.path().join("handbook");
    std::fs::create_dir_all(&handbook).unwrap();
    std::fs::write(
        handbook.join("book.toml"),
        "[book]\ntitle = \"Acme Field Guide\"\n\n[compose]\nparts = [\"../parts/*\"]\n",
    )
    .unwrap();
    let (code, _, err) = run(["compose", "--site", handbook.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("compose: 2 parts"), "{err}");
    for rel in [
        "payments/runbooks/x/index.html",
        "orders/runbooks/x/index.html",
        "index.html",
    ] {
        assert!(handbook.join("public").join(rel).is_file(), "{rel}");
    }
    // The handbook's [book] title names the pages the composer writes.
    for rel in ["index.html", "runbooks/index.html"] {
        let page = std::fs::read_to_string(handbook.join("public").join(rel)).unwrap();
        assert!(page.contains("Acme Field Guide</title>"), "{rel}");
    }
    // Nothing listed, nothing given: a usage error.
    std::fs::write(handbook.join("book.toml"), "[book]\ntitle = \"All\"\n").unwrap();
    let (code, _, err) = run(["compose", "--site", handbook.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("[compose] parts"), "{err}");
}

/// The handbook pages' families, by their URLs' first segment.
const HANDBOOK_PAGES: [&str; 12] = [
    "runbooks",
    "learning",
    "paths",
    "courses",
    "pages",
    "tags",
    "services",
    "teams",
    "freshness",
    "alerts",
    "actions",
    "postmortems",
];

/// Every file under `dir`, relative, with `/` separators.
fn files_under(dir: &Path) -> std::collections::BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect()
}

/// The links in the main part of the page at site-relative `url` (`runbooks/`): each link's
/// text and its site-relative target, with `strip` (a part's prefix) taken off. Cards are
/// links to their documents (as titles, or in tables on the freshness report).
fn cards_on(
    site: &Path,
    url: &str,
    strip: &[&str],
) -> std::collections::BTreeSet<(String, String)> {
    let html = std::fs::read_to_string(site.join(url).join("index.html")).unwrap();
    let main = main_of(&html);
    let mut out = std::collections::BTreeSet::new();
    let open = "<a href=\"";
    for (i, _) in main.match_indices(open) {
        let rest = &main[i + open.len()..];
        let href = &rest[..rest.find('"').unwrap()];
        if href.starts_with('#') || href.contains("://") {
            continue;
        }
        let title = &rest[rest.find('>').unwrap() + 1..rest.find("</a>").unwrap()];
        // Resolve the relative href from the page's folder.
        let mut dir: Vec<&str> = url.split('/').filter(|s| !s.is_empty()).collect();
        for seg in href.split('/').filter(|s| !s.is_empty()) {
            if seg == ".." {
                dir.pop();
            } else {
                dir.push(seg);
            }
        }
        let mut target = dir.join("/");
        if !target.contains('.') {
            target.push('/');
        }
        for p in strip {
            if let Some(t) = target.strip_prefix(p) {
                target = t.to_string();
            }
        }
        out.insert((title.to_string(), target));
    }
    out
}

/// The documents of the split fixture: (part, content path, text).
fn split_fixture() -> Vec<(&'static str, &'static str, String)> {
    let doc = |kind: &str, title: &str, owners: &str, extra: &str| {
        format!("---\ntitle: {title}\nkind: {kind}\nowners: [{owners}]\n{extra}---\n\nText.\n")
    };
    vec![
        (
            "a",
            "content/runbooks/db.md",
            doc(
                "runbook",
                "Database down",
                "team-a",
                "reviewed: 2026-11-01\ntags: [database, storage]\nservices: [postgres]\nalerts: [PostgresDown, DiskFull]\n",
            ),
        ),
        (
            "a",
            "content/runbooks/cache.md",
            doc(
                "runbook",
                "Cache cold",
                "team-b",
                "reviewed: 2025-01-01\ntags: [cache]\nservices: [redis]\nalerts: [RedisDown]\n",
            ),
        ),
        (
            "b",
            "content/runbooks/api.md",
            doc(
                "runbook",
                "API errors",
                "alice",
                "tags: [database]\nservices: [api]\nalerts: [DiskFull]\n",
            ),
        ),
        (
            "b",
            "content/postmortems/2026-10-01-outage.md",
            "---\ntitle: Checkout outage\nkind: postmortem\ndate: 2026-10-01\nowners: [team-a]\n\
             services: [api]\nseverity: SEV2\nstatus: published\nreviewed: 2026-10-10\n\
             action_items:\n  - title: Add a retry budget\n    owner: team-b\n    due: 2026-10-15\n    status: open\n\
             \x20 - title: Page on error ratio\n    owner: alice\n    due: 2027-01-15\n    status: open\n    link: https://tickets.example/1\n\
             \x20 - title: Fix the dashboard\n    owner: team-a\n    due: 2026-10-20\n    status: done\n---\n\nText.\n"
                .to_string(),
        ),
        (
            "b",
            "content/guide.md",
            doc(
                "page",
                "Storage guide",
                "team-a",
                "reviewed: 2026-10-01\ntags: [storage]\n",
            ),
        ),
    ]
}

const SPLIT_OWNERS: &str = "people:\n  alice: { name: Alice }\n  bob: { name: Bob, left: 2026-01-01 }\nteams:\n  team-a: { name: Team A, members: [alice] }\n  team-b: { name: Team B, members: [bob] }\n";

/// Build the split fixture's parts `a` and `b` into `parts/a`, `parts/b`, and the whole of it
/// as one site into `single`.
fn split_and_single(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let docs = split_fixture();
    let mut whole = Vec::new();
    let mut dirs = Vec::new();
    for name in ["a", "b"] {
        let files: Vec<(&str, &str)> = docs
            .iter()
            .filter(|(p, _, _)| *p == name)
            .map(|(_, path, text)| (*path, text.as_str()))
            .chain([("owners.yaml", SPLIT_OWNERS)])
            .collect();
        let site = site_with(&files);
        let out = tmp.join("parts").join(name);
        let (_, _, err) = build_into(
            site.path(),
            &out,
            &["--part", name, "--today", "2026-11-27"],
        );
        assert!(out.join("part.json").is_file(), "{err}");
        dirs.push(out);
        whole.extend(files);
    }
    let site = site_with(&whole);
    let single = tmp.join("single");
    let (_, _, err) = build_into(site.path(), &single, &["--today", "2026-11-27"]);
    assert!(single.join("runbooks/index.html").is_file(), "{err}");
    (dirs.remove(0), dirs.remove(0), single)
}

/// `fieldbook compose --site HANDBOOK --output OUT` as of the tests' day.
fn compose_site(handbook: &Path, out: &Path) -> (i32, String, String) {
    run([
        "compose",
        "--site",
        s(handbook),
        "--output",
        s(out),
        "--today",
        "2026-11-27",
    ])
}

fn compose_into(parts: &[&Path], out: &Path) -> (i32, String, String) {
    let mut args = vec!["compose".to_string()];
    args.extend(parts.iter().map(|p| p.to_str().unwrap().to_string()));
    args.extend(["--output".into(), out.to_str().unwrap().into()]);
    args.extend(["--today".into(), "2026-11-27".into()]);
    run(args)
}

#[test]
fn the_composed_handbook_has_the_index_pages_and_cards_of_one_build() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, single) = split_and_single(tmp.path());
    let composed = tmp.path().join("composed");
    let (code, _, err) = compose_into(&[&a, &b], &composed);
    assert_eq!(code, 0, "{err}");

    // The same index pages: the single build's files of the handbook's page families, but
    // for the documents' own pages (which the composed site has under a/ and b/).
    let composed_files = files_under(&composed);
    let doc_pages: std::collections::BTreeSet<String> = composed_files
        .iter()
        .filter_map(|f| f.strip_prefix("a/").or_else(|| f.strip_prefix("b/")))
        .map(str::to_string)
        .collect();
    let family = |f: &&String| {
        HANDBOOK_PAGES.contains(&f.split('/').next().unwrap())
            && f.ends_with("index.html")
            && !doc_pages.contains(*f)
    };
    let single_files = files_under(&single);
    let single_pages: Vec<&String> = single_files.iter().filter(family).collect();
    let composed_pages: Vec<&String> = composed_files.iter().filter(family).collect();
    assert_eq!(composed_pages, single_pages);
    for f in [
        "404.html",
        "sitemap.xml",
        "search/index.html",
        "tags/database/index.html",
        "alerts/DiskFull/index.html",
    ] {
        assert!(composed.join(f).is_file(), "{f}");
    }

    // The same cards, each linking into its part.
    for url in [
        "runbooks/",
        "tags/database/",
        "tags/storage/",
        "tags/",
        "teams/team-a/",
        "teams/team-b/",
        "teams/",
        "freshness/",
        "alerts/",
        "alerts/DiskFull/",
        "alerts/RedisDown/",
        "services/postgres/",
        "services/api/",
    ] {
        let one = cards_on(&single, url, &[]);
        assert!(!one.is_empty(), "{url} has cards");
        assert_eq!(cards_on(&composed, url, &["a/", "b/"]), one, "{url}");
        // Cards link into their parts.
        let docs = ["runbooks/db/", "runbooks/cache/", "runbooks/api/", "guide/"];
        let raw = cards_on(&composed, url, &[]);
        assert!(
            raw.iter().all(|(_, u)| !docs.contains(&u.as_str())),
            "{url}: {raw:?}"
        );
        assert!(
            raw.iter()
                .any(|(_, u)| u.starts_with("a/") || u.starts_with("b/")),
            "{url}: {raw:?}"
        );
    }
    // The action tracker and the team pages list the same items, each naming its postmortem.
    // ... and the services index, the same services with the same owning teams.
    for url in [
        "actions/",
        "teams/team-a/",
        "teams/team-b/",
        "postmortems/",
        "services/",
    ] {
        assert_eq!(
            cards_on(&composed, url, &["a/", "b/"]),
            cards_on(&single, url, &[]),
            "{url}"
        );
    }
    let tracker = std::fs::read_to_string(composed.join("actions/index.html")).unwrap();
    for item in [
        "Add a retry budget",
        "Page on error ratio",
        "Fix the dashboard",
        "https://tickets.example/1",
    ] {
        assert!(tracker.contains(item), "{item}");
    }
    // alerts.json maps each alert to the same runbooks, in their parts.
    let alert_map = |site: &Path, strip: &[&str]| -> Vec<(String, Vec<String>)> {
        let text = std::fs::read_to_string(site.join("alerts.json")).unwrap();
        let json: Value = serde_json::from_str(&text).unwrap();
        json["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let urls = a["runbooks"].as_array().unwrap().iter().map(|r| {
                    let u = r["url"].as_str().unwrap();
                    strip
                        .iter()
                        .fold(u, |u, p| u.strip_prefix(p).unwrap_or(u))
                        .to_string()
                });
                // Sorted: a composed handbook orders documents by part, then path.
                let mut urls: Vec<String> = urls.collect();
                urls.sort();
                (a["name"].as_str().unwrap().to_string(), urls)
            })
            .collect()
    };
    assert_eq!(
        alert_map(&composed, &["/a/", "/b/"]),
        alert_map(&single, &["/"])
    );
    // A stale runbook is flagged as on a single site.
    let freshness = std::fs::read_to_string(composed.join("freshness/index.html")).unwrap();
    assert!(freshness.contains("Cache cold"), "{freshness}");
    let sitemap = std::fs::read_to_string(composed.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>/a/runbooks/db/</loc>"), "{sitemap}");
    assert!(sitemap.contains("<loc>/runbooks/</loc>"), "{sitemap}");

    // Deterministic: composing again writes the same bytes.
    let again = tmp.path().join("again");
    let (code, _, err) = compose_into(&[&a, &b], &again);
    assert_eq!(code, 0, "{err}");
    same_bytes(
        &composed,
        &again,
        composed_files.iter().filter(|f| family(f)),
    );
}

/// Each of `files` has the same bytes under `a` as under `b`.
fn same_bytes<'a>(a: &Path, b: &Path, files: impl Iterator<Item = &'a String>) {
    for f in files {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_hostile_manifest_cannot_lead_the_handbook_pages_astray() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, _) = split_and_single(tmp.path());
    let manifest = a.join("part.json");
    let original = std::fs::read_to_string(&manifest).unwrap();
    let mut m: Value = serde_json::from_str(&original).unwrap();

    // A card of an ownership no build writes is dropped, with a finding; markup in a title
    // and a URL slipped into an owner are not carried into the pages.
    let docs = m["documents"].as_array_mut().unwrap();
    docs[0]["card"]["ownership"] = "<img src=x onerror=alert(1)>".into();
    docs[1]["title"] = "<script>alert(1)</script>".into();
    docs[1]["card"]["owners"][0]["url"] = "javascript:alert(1)".into();
    std::fs::write(&manifest, serde_json::to_string(&m).unwrap()).unwrap();
    // An action item's ticket link that is not a web address is dropped.
    let b_manifest = b.join("part.json");
    let mut mb: Value =
        serde_json::from_str(&std::fs::read_to_string(&b_manifest).unwrap()).unwrap();
    for d in mb["documents"].as_array_mut().unwrap() {
        let actions = d.get_mut("card").and_then(|c| c.get_mut("actions"));
        if let Some(actions) = actions.and_then(Value::as_array_mut) {
            for a in actions {
                a["link"] = "javascript:alert(1)".into();
            }
        }
    }
    std::fs::write(&b_manifest, serde_json::to_string(&mb).unwrap()).unwrap();
    let out = tmp.path().join("composed");
    let (code, _, err) = compose_into(&[&a, &b], &out);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no build writes"), "{err}");
    let runbooks = std::fs::read_to_string(out.join("runbooks/index.html")).unwrap();
    let dropped = m["documents"][0]["url"].as_str().unwrap();
    assert!(
        !runbooks.contains(&format!("href=\"../{dropped}\"")),
        "{runbooks}"
    );
    for page in [
        "runbooks/index.html",
        "teams/team-b/index.html",
        "freshness/index.html",
    ] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(!html.contains("<script>alert"), "{page}");
        assert!(!html.contains("javascript:"), "{page}");
        assert!(!html.contains("https://tickets.example/1"), "{page}");
        assert!(!html.contains("<img src=x"), "{page}");
    }

    // A card leading outside its part is refused with the manifest.
    let mut m: Value = serde_json::from_str(&original).unwrap();
    m["documents"][0]["url"] = "b/runbooks/api/".into();
    std::fs::write(&manifest, serde_json::to_string(&m).unwrap()).unwrap();
    let (code, _, err) = compose_into(&[&a, &b], &tmp.path().join("refused"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a page of the part"), "{err}");
}

/// A result of `fieldbook search --json`: content path, URL, score, and what it shows of its
/// owners and review (owner names, state, lapsed).
type Found = (String, String, f64, String);

/// `fieldbook search --site DIR QUERY --json`.
fn site_search(dir: &Path, query: &str) -> Vec<Found> {
    let (code, out, err) = run(["search", "--site", s(dir), query, "--json"]);
    assert_eq!(code, 0, "{query}: {err}");
    results_of(&out)
}

fn results_of(json: &str) -> Vec<Found> {
    let v: Value = serde_json::from_str(json).unwrap();
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_string(),
                r["url"].as_str().unwrap().to_string(),
                r["score"].as_f64().unwrap(),
                format!("{} {} {}", r["owner_names"], r["state"], r["lapsed"]),
            )
        })
        .collect()
}

/// The demo handbook split into two parts, `ops` (its runbooks) and `learn` (the rest), each
/// built with `build --part` into `tmp/parts/`; and the whole of it copied to `tmp/whole`.
fn demo_split(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let root = repo_root();
    let whole = tmp.join("whole");
    for f in ["book.toml", "owners.yaml"] {
        std::fs::create_dir_all(&whole).unwrap();
        std::fs::copy(root.join(f), whole.join(f)).unwrap();
    }
    copy_dir(&root.join("content"), &whole.join("content"));
    let mut dirs = Vec::new();
    for (name, keep_runbooks) in [("ops", true), ("learn", false)] {
        let site = tmp.join("src").join(name);
        copy_dir(&whole, &site);
        for e in std::fs::read_dir(site.join("content")).unwrap() {
            let e = e.unwrap();
            if (e.file_name() == "runbooks") != keep_runbooks {
                let p = e.path();
                if p.is_dir() {
                    std::fs::remove_dir_all(p).unwrap();
                } else {
                    std::fs::remove_file(p).unwrap();
                }
            }
        }
        let out = tmp.join("parts").join(name);
        // Links between the halves are broken in each part (exit 1); the part is written.
        let (_, _, err) = build_into(&site, &out, &["--part", name, "--today", "2026-11-27"]);
        assert!(out.join("part.json").is_file(), "{err}");
        dirs.push(out);
    }
    (dirs.remove(0), dirs.remove(0), whole)
}

#[test]
fn the_composed_handbook_searches_every_part_as_one_build_does() {
    let tmp = tempfile::tempdir().unwrap();
    let (ops, learn, whole) = demo_split(tmp.path());
    let composed = tmp.path().join("composed");
    let (code, _, err) = compose_into(&[&ops, &learn], &composed);
    assert!(code <= 1, "{err}");
    assert!(!err.contains("left out of the handbook"), "{err}");
    let single = tmp.path().join("single");
    let (_, _, err) = build_into(&whole, &single, &["--today", "2026-11-27"]);
    assert!(single.join("search/index.json").is_file(), "{err}");

    // The handbook's statistics are the whole's: the same documents and field lengths.
    let index = |dir: &Path| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join("search/index.json")).unwrap()).unwrap()
    };
    let (hi, si) = (index(&composed), index(&single));
    for key in ["docs", "avg_len", "filters", "doc_chunk", "text_chunk"] {
        assert_eq!(hi[key], si[key], "{key}");
    }
    let unprefixed = |url: &str| {
        url.strip_prefix("ops/")
            .or_else(|| url.strip_prefix("learn/"))
            .unwrap_or_else(|| panic!("{url} is not under a part's prefix"))
            .to_string()
    };
    let judged: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("search/queries.json")).unwrap())
            .unwrap();
    let queries: Vec<&str> = judged
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["query"].as_str().unwrap())
        .chain(["database connections", "certificate expired", "on-call"])
        .collect();
    for q in queries {
        let handbook = site_search(&composed, q);
        // Against the single build's client index: the same documents, order and scores.
        // Owners, review states and lapsed flags as well.
        let one = site_search(&single, q);
        let merged: Vec<Found> = handbook
            .iter()
            .map(|(p, u, sc, shown)| (p.clone(), unprefixed(u), *sc, shown.clone()))
            .collect();
        assert_eq!(merged, one, "{q}");
        // And `fieldbook search` on the whole's sources: the same top results.
        let (code, out, err) = run(["search", q, s(&whole), "--json", "--today", "2026-11-27"]);
        assert_eq!(code, 0, "{err}");
        let tantivy: Vec<String> = results_of(&out).into_iter().map(|r| r.0).collect();
        let top: Vec<String> = merged.iter().map(|r| r.0.clone()).collect();
        let n = 3.min(top.len());
        assert_eq!(top[..n], tantivy[..n], "{q}");
    }
    // Results from a part's page: its copy's index leads to the handbook's.
    let from_part = site_search(&composed.join("ops"), "kafka consumer lag");
    assert_eq!(from_part, site_search(&composed, "kafka consumer lag"));
    assert!(
        from_part.iter().any(|r| r.1.starts_with("learn/")),
        "{from_part:?}"
    );
    assert!(
        from_part.iter().any(|r| r.1.starts_with("ops/")),
        "{from_part:?}"
    );
    let pointer = index(&composed.join("ops"));
    assert_eq!(pointer["handbook"], "../");
    assert_eq!(pointer["docs"], index(&ops.join("ops"))["docs"]);
    // A part's copy keeps its own index files for a script that knows no handbook.
    assert_eq!(
        std::fs::read(composed.join("ops/search/t/0.json")).unwrap(),
        std::fs::read(ops.join("ops/search/t/0.json")).unwrap()
    );
    // Owners and stale flags survive in the human output.
    let (code, out, _) = run(["search", "--site", s(&composed), "notification delivery"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Notification delivery failures [STALE]")
            && out
                .contains("Streaming & Notifications, Sam Whitfield · ops/runbooks/notifications/"),
        "{out}"
    );

    // Composing again gives the same bytes.
    let again = tmp.path().join("again");
    compose_into(&[&ops, &learn], &again);
    let files = files_under(&composed);
    assert_eq!(files, files_under(&again));
    same_bytes(
        &composed,
        &again,
        files.iter().filter(|f| f.contains("search/")),
    );
}

/// The count tiles on the page at `url` (the home page and the freshness report have them).
fn counts_on(site: &Path, url: &str) -> Vec<String> {
    let html = std::fs::read_to_string(site.join(url).join("index.html")).unwrap();
    let main = main_of(&html);
    main.match_indices("<ul class=\"counts\"")
        .map(|(i, _)| {
            let rest = &main[i..];
            rest[..rest.find("</ul>").unwrap()].to_string()
        })
        .collect()
}

/// The demo split into parts (`demo_split`), composed as the handbook `tmp/handbook` whose
/// book.toml is the demo's (title, `[[paths]]`, ...) with `[compose] parts`; and the whole
/// built once: (composed, single).
fn demo_handbook(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (_, _, whole) = demo_split(tmp);
    let handbook = tmp.join("handbook");
    std::fs::create_dir_all(&handbook).unwrap();
    let book = std::fs::read_to_string(whole.join("book.toml")).unwrap();
    std::fs::write(
        handbook.join("book.toml"),
        format!("{book}\n[compose]\nparts = [\"../parts/*\"]\n"),
    )
    .unwrap();
    let composed = tmp.join("composed");
    let (code, _, err) = compose_site(&handbook, &composed);
    assert!(code <= 1, "{err}");
    let single = tmp.join("single");
    let (_, _, err) = build_into(&whole, &single, &["--today", "2026-11-27"]);
    assert!(single.join("index.html").is_file(), "{err}");
    (composed, single)
}

#[test]
fn the_composed_demo_has_the_pages_of_one_build() {
    let tmp = tempfile::tempdir().unwrap();
    let (composed, single) = demo_handbook(tmp.path());
    let parts = ["ops/", "learn/"];

    // Home: the same counts, needs-review cards, courses and recent postmortems, each
    // linking into its part; and the list of parts besides.
    let mut home = cards_on(&composed, "", &parts);
    assert!(
        home.remove(&("All 2 parts".to_string(), "parts/".to_string())),
        "{home:?}"
    );
    assert_eq!(home, cards_on(&single, "", &[]));
    assert_eq!(counts_on(&composed, ""), counts_on(&single, ""));
    let raw = cards_on(&composed, "", &[]);
    for doc in [
        "learn/courses/oncall-101/",
        "learn/postmortems/2026-11-10-tracking-consumer-oom-loop/",
    ] {
        assert!(raw.iter().any(|(_, u)| u == doc), "{doc}: {raw:?}");
    }
    let text = main_text_of(&std::fs::read_to_string(composed.join("index.html")).unwrap());
    let one = main_text_of(&std::fs::read_to_string(single.join("index.html")).unwrap());
    for lessons in one
        .match_indices(" lessons")
        .map(|(i, _)| &one[i - 2..i + 8])
    {
        assert!(text.contains(lessons), "{lessons}: {text}");
    }
    // services/ and each service's page: the single build's (incidents, action items,
    // owning teams, alerts), each card in its part.
    let services: Vec<String> = files_under(&single)
        .into_iter()
        .filter(|f| f.starts_with("services/"))
        .collect();
    assert!(services.len() > 5, "{services:?}");
    for f in &services {
        let url = f.strip_suffix("index.html").unwrap();
        assert_eq!(
            cards_on(&composed, url, &parts),
            cards_on(&single, url, &[]),
            "{url}"
        );
        let text = |site: &Path| main_text_of(&std::fs::read_to_string(site.join(f)).unwrap());
        assert_eq!(text(&composed), text(&single), "{url}");
    }
    // learning/, paths/ and each paths/<id>/: the handbook's [[paths]] over the parts'
    // courses, with the same lessons, minutes and prerequisites.
    let learning: Vec<String> = files_under(&single)
        .into_iter()
        .filter(|f| f.starts_with("learning/") || f.starts_with("paths/"))
        .collect();
    assert!(learning.len() >= 4, "{learning:?}");
    for f in &learning {
        let url = f.strip_suffix("index.html").unwrap();
        let one = cards_on(&single, url, &[]);
        assert!(!one.is_empty(), "{url}");
        assert_eq!(cards_on(&composed, url, &parts), one, "{url}");
        let text = |site: &Path| main_text_of(&std::fs::read_to_string(site.join(f)).unwrap());
        assert_eq!(text(&composed), text(&single), "{url}");
    }
    // The progress the browser keeps is by lesson and course: the same ids.
    let ids = |site: &Path| -> Vec<String> {
        let html = std::fs::read_to_string(site.join("learning/index.html")).unwrap();
        html.split(" data-")
            .skip(1)
            .filter_map(|a| {
                let (name, rest) = a.split_once("=\"")?;
                Some(format!("{name}={}", &rest[..rest.find('"')?]))
            })
            .collect()
    };
    assert!(
        ids(&single).iter().any(|a| a.starts_with("lessons=")),
        "{:?}",
        ids(&single)
    );
    assert_eq!(ids(&composed), ids(&single));
    // The navigation: the same sections and counts.
    let nav = |site: &Path| {
        let html = std::fs::read_to_string(site.join("index.html")).unwrap();
        let at = html.find("<nav class=\"site-nav\"").unwrap();
        html[at..at + html[at..].find("</nav>").unwrap()].to_string()
    };
    assert_eq!(nav(&composed), nav(&single));
    let list = cards_on(&composed, "parts/", &[]);
    for part in parts {
        assert!(list.iter().any(|(_, u)| u == part), "{part}: {list:?}");
    }
}

#[test]
fn the_handbook_base_url_names_the_composed_pages_as_one_build_does() {
    let tmp = tempfile::tempdir().unwrap();
    split_and_single(tmp.path());
    let book = "[book]\ntitle = \"Acme\"\nbase_url = \"https://handbook.example.com/docs\"\n";
    // One build of the same text, published at the same address.
    let whole: Vec<(&str, String)> = split_fixture()
        .into_iter()
        .map(|(_, path, text)| (path, text))
        .collect();
    let mut files: Vec<(&str, &str)> = whole.iter().map(|(p, t)| (*p, t.as_str())).collect();
    files.extend([("owners.yaml", SPLIT_OWNERS), ("book.toml", book)]);
    let site = site_with(&files);
    let single = tmp.path().join("single-published");
    let (_, _, err) = build_into(site.path(), &single, &["--today", "2026-11-27"]);
    assert!(single.join("sitemap.xml").is_file(), "{err}");
    let handbook = tmp.path().join("handbook");
    std::fs::create_dir_all(&handbook).unwrap();
    std::fs::write(
        handbook.join("book.toml"),
        format!("{book}\n[compose]\nparts = [\"../parts/*\"]\n"),
    )
    .unwrap();
    let composed = tmp.path().join("composed");
    let (code, _, err) = compose_site(&handbook, &composed);
    assert_eq!(code, 0, "{err}");

    let base = "https://handbook.example.com/docs/";
    // The sitemap: every URL of one build's, each document's under its part's prefix.
    let locs = |site: &Path, parts: &[&str]| -> std::collections::BTreeSet<String> {
        let xml = std::fs::read_to_string(site.join("sitemap.xml")).unwrap();
        xml.split("<loc>")
            .skip(1)
            .map(|l| {
                let url = &l[..l.find("</loc>").unwrap()];
                let rest = url.strip_prefix(base).unwrap_or_else(|| panic!("{url}"));
                let rest = parts
                    .iter()
                    .fold(rest, |r, p| r.strip_prefix(p).unwrap_or(r));
                rest.to_string()
            })
            .collect()
    };
    let composed_locs = locs(&composed, &["a/", "b/"]);
    let mut single_locs = locs(&single, &[]);
    assert!(single_locs.contains("runbooks/db/"), "{single_locs:?}");
    // The composed handbook has the list of its parts besides.
    single_locs.insert("parts/".into());
    assert_eq!(composed_locs, single_locs);
    // Canonical links of the handbook's pages, and the 404 page's links, start at base_url.
    let canonical = |site: &Path, page: &str| {
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        let at = html.find("<link rel=\"canonical\" href=\"").map(|i| i + 28);
        at.map(|i| html[i..i + html[i..].find('"').unwrap()].to_string())
    };
    for page in [
        "index.html",
        "runbooks/index.html",
        "services/api/index.html",
        "learning/index.html",
        "freshness/index.html",
    ] {
        let one = canonical(&single, page);
        assert!(
            one.as_deref().is_some_and(|u| u.starts_with(base)),
            "{page}"
        );
        assert_eq!(canonical(&composed, page), one, "{page}");
    }
    let not_found = std::fs::read_to_string(composed.join("404.html")).unwrap();
    assert!(
        not_found.contains("href=\"https://handbook.example.com/docs/static/fieldbook.css\""),
        "{not_found}"
    );
    let alerts = std::fs::read_to_string(composed.join("alerts.json")).unwrap();
    assert!(
        alerts.contains("https://handbook.example.com/docs/a/runbooks/db/"),
        "{alerts}"
    );
}

#[test]
fn a_learning_path_naming_a_course_no_part_has_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    demo_split(tmp.path());
    let handbook = tmp.path().join("handbook");
    std::fs::create_dir_all(&handbook).unwrap();
    std::fs::write(
        handbook.join("book.toml"),
        "[book]\ntitle = \"Acme\"\n\n[compose]\nparts = [\"../parts/learn\"]\n\n\
         [[paths]]\nid = \"sre\"\ntitle = \"SRE\"\ncourses = [\"oncall-101\", \"gone-101\"]\n",
    )
    .unwrap();
    let composed = tmp.path().join("composed");
    let (code, _, err) = compose_site(&handbook, &composed);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown-course"), "{err}");
    assert!(err.contains("names course `gone-101`"), "{err}");
    assert!(!err.contains("`oncall-101`, which"), "{err}");
    // The path shows the course it has.
    let path = std::fs::read_to_string(composed.join("paths/sre/index.html")).unwrap();
    assert!(
        path.contains("href=\"../../learn/courses/oncall-101/\""),
        "{path}"
    );
}

#[test]
fn a_part_with_a_broken_search_index_is_left_out_of_the_search() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, _) = split_and_single(tmp.path());
    /// How a case spoils a part's `search/` folder.
    type Spoil = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Spoil, &str)> = vec![
        (
            "truncated",
            Box::new(|ix: &Path| {
                let t = ix.join("t/0.json");
                let bytes = std::fs::read(&t).unwrap();
                std::fs::write(&t, &bytes[..bytes.len() / 2]).unwrap();
            }),
            "invalid-metadata",
        ),
        (
            "postings",
            Box::new(|ix: &Path| {
                std::fs::write(ix.join("t/0.json"), "{\"x\":[99,0,1,1,0]}").unwrap()
            }),
            "malformed postings",
        ),
        (
            "url",
            Box::new(|ix: &Path| {
                let d = ix.join("d/0.json");
                let text = std::fs::read_to_string(&d).unwrap();
                std::fs::write(&d, text.replacen("\"u\":\"", "\"u\":\"../../evil/", 1)).unwrap();
            }),
            "URL outside the part",
        ),
        (
            "huge",
            Box::new(|ix: &Path| {
                let f = std::fs::File::options()
                    .write(true)
                    .open(ix.join("x/0.json"))
                    .unwrap();
                f.set_len(65 * 1024 * 1024).unwrap();
            }),
            "file-too-large",
        ),
        (
            "link",
            Box::new(|ix: &Path| {
                let outside = ix
                    .parent()
                    .unwrap()
                    .parent()
                    .unwrap()
                    .parent()
                    .unwrap()
                    .join("outside.json");
                std::fs::write(&outside, "[]").unwrap();
                std::fs::remove_file(ix.join("d/0.json")).unwrap();
                std::os::unix::fs::symlink(&outside, ix.join("d/0.json")).unwrap();
            }),
            "symlink-outside",
        ),
        (
            "fifo",
            Box::new(|ix: &Path| {
                let names = ix.join("names.json");
                std::fs::remove_file(&names).unwrap();
                let status = std::process::Command::new("mkfifo")
                    .arg(&names)
                    .status()
                    .unwrap();
                assert!(status.success());
            }),
            "names.json",
        ),
    ];
    for (what, spoil, expect) in cases {
        let broken = tmp.path().join(format!("broken-{what}"));
        copy_dir(&a, &broken);
        spoil(&broken.join("a/search"));
        let out = tmp.path().join(format!("out-{what}"));
        let (code, _, err) = compose_into(&[&broken, &b], &out);
        assert_eq!(code, 1, "{what}: {err}");
        assert!(err.contains(expect), "{what}: {err}");
        assert!(
            err.contains("left out of the handbook's search"),
            "{what}: {err}"
        );
        assert!(err.contains("build --part"), "{what}: the way out: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        // The other part is searched; the broken one's copy keeps its own index, no pointer.
        let hits = site_search(&out, "API errors");
        assert!(
            hits.iter().all(|h| h.1.starts_with("b/")),
            "{what}: {hits:?}"
        );
        assert!(!hits.is_empty(), "{what}");
        let own = std::fs::read_to_string(out.join("a/search/index.json")).unwrap_or_default();
        assert!(!own.contains("\"handbook\""), "{what}");
    }
    // The terminal says what is wrong with an index it cannot read, and does not panic.
    let (code, _, err) = run([
        "search",
        "--site",
        s(&tmp.path().join("broken-postings/a")),
        "x",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot read the search index") && err.contains("help:"),
        "{err}"
    );
}

fn runbook(title: &str) -> String {
    format!(
        "---\ntitle: {title}\nkind: runbook\nowners: [team-a]\nreviewed: 2026-11-01\n---\n\n\
         ## Diagnose\n\n{title}: look at the dashboard.\n"
    )
}

type Tree = std::collections::BTreeMap<String, Vec<u8>>;

/// Every file under `dir`, with its bytes.
fn tree(dir: &Path) -> Tree {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// Each file under `dir`: its inode and modification time.
fn identities(dir: &Path) -> std::collections::BTreeMap<String, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    files_under(dir)
        .into_iter()
        .map(|f| {
            let m = std::fs::metadata(dir.join(&f)).unwrap();
            (f, (m.ino(), m.modified().unwrap()))
        })
        .collect()
}

/// Compose `parts` again into `out`, and from scratch into `fresh`: the same bytes, and each
/// file whose bytes did not change is the same file (inode and time) as before, untouched.
/// The trees before and after.
fn recompose_matches(parts: &[&Path], out: &Path, fresh: &Path) -> (Tree, Tree) {
    let (first, before) = (tree(out), identities(out));
    let (code, _, err) = compose_into(parts, out);
    assert_eq!(code, 0, "{err}");
    let _ = std::fs::remove_dir_all(fresh);
    let (code, _, err) = compose_into(parts, fresh);
    assert_eq!(code, 0, "{err}");
    let again = tree(out);
    assert!(
        again == tree(fresh),
        "the same bytes as a compose from scratch"
    );
    // Other parts' pages and the handbook's pages whose bytes are the same.
    let after = identities(out);
    let mut kept = 0;
    for (f, bytes) in &again {
        if first.get(f) == Some(bytes) && f != ".fieldbook-output" {
            assert_eq!(before[f], after[f], "{f} was written again");
            kept += 1;
        }
    }
    assert!(kept > first.len() / 2, "{kept} of {}", first.len());
    (first, again)
}

#[test]
fn composing_again_after_one_part_changed_rewrites_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let sites: Vec<TestSite> = ["alpha", "beta", "gamma"]
        .iter()
        .map(|name| {
            site_with(&[
                (&format!("content/runbooks/{name}-one.md"), &runbook("One")),
                (&format!("content/runbooks/{name}-two.md"), &runbook("Two")),
            ])
        })
        .collect();
    let dirs: Vec<std::path::PathBuf> = ["alpha", "beta", "gamma"]
        .iter()
        .zip(&sites)
        .map(|(name, site)| {
            let out = tmp.path().join("parts").join(name);
            part(site.path(), name, &out);
            out
        })
        .collect();
    let parts: Vec<&Path> = dirs.iter().map(|d| d.as_path()).collect();
    let (out, fresh) = (tmp.path().join("handbook"), tmp.path().join("fresh"));
    let (code, _, err) = compose_into(&parts, &out);
    assert_eq!(code, 0, "{err}");

    // One repository changes: a page edited, one removed, one added; its part built again.
    let beta = &sites[1];
    beta.replace(
        "content/runbooks/beta-one.md",
        "look at",
        "page someone about",
    );
    std::fs::remove_file(beta.join("content/runbooks/beta-two.md")).unwrap();
    beta.write("content/runbooks/beta-three.md", &runbook("Three"));
    std::fs::remove_dir_all(&dirs[1]).unwrap();
    part(beta.path(), "beta", &dirs[1]);
    let (first, again) = recompose_matches(&parts, &out, &fresh);
    assert!(!out.join("beta/runbooks/beta-two/index.html").exists());
    assert!(out.join("beta/runbooks/beta-three/index.html").is_file());
    assert_ne!(
        first["beta/runbooks/beta-one/index.html"],
        again["beta/runbooks/beta-one/index.html"]
    );
    // Again, from the output that compose replaced (kept beside the output).
    assert!(tmp.path().join(".handbook.fieldbook-spare").is_dir());
    sites[2].replace("content/runbooks/gamma-two.md", "look at", "restart");
    part(sites[2].path(), "gamma", &dirs[2]);
    let (first, again) = recompose_matches(&parts, &out, &fresh);
    assert_ne!(
        first["gamma/runbooks/gamma-two/index.html"],
        again["gamma/runbooks/gamma-two/index.html"]
    );

    // A record that cannot be trusted is a compose from scratch, with the same result.
    let record = tmp.path().join(".handbook.fieldbook-compose.json");
    assert!(record.is_file(), "kept beside the output, not in it");
    let edited = out.join("gamma/runbooks/gamma-one/index.html");
    let outside = tmp.path().join("outside.txt");
    std::fs::write(&outside, "not the handbook's").unwrap();
    for case in ["damaged", "missing", "hand-edited output", "link planted"] {
        match case {
            "damaged" => std::fs::write(&record, "{\"format\":").unwrap(),
            "missing" => std::fs::remove_file(&record).unwrap(),
            "hand-edited output" => std::fs::write(&edited, "edited").unwrap(),
            _ => std::os::unix::fs::symlink(&outside, out.join("gamma/planted")).unwrap(),
        }
        let (code, _, err) = compose_into(&parts, &out);
        assert_eq!(code, 0, "{case}: {err}");
        assert!(tree(&out) == tree(&fresh), "{case}");
        assert!(record.is_file(), "{case}");
    }
    assert!(std::fs::symlink_metadata(out.join("gamma/planted")).is_err());
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap(),
        "not the handbook's"
    );
}

/// The generated corpus (shared/bench/gen_corpus.py) split by kind into three parts, each
/// built with `build --part`, composed, and compared with one build of the whole: every
/// document's page under its part's prefix, the same index pages, and the same cards on the
/// lists of runbooks, postmortems and courses.
#[test]
fn the_composed_generated_corpus_has_the_pages_and_cards_of_one_build() {
    let generator = corpus_generator();
    let Some(py) = python3().filter(|_| generator.is_file()) else {
        eprintln!(
            "note: skipping: python3 or {} is absent",
            generator.display()
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    gen_corpus(py, &whole, 150, 7, None);
    let parts = [
        ("ops", "runbooks"),
        ("pm", "postmortems"),
        ("learn", "courses"),
    ];
    let mut dirs = Vec::new();
    for (name, folder) in parts {
        let site = tmp.path().join("src").join(name);
        copy_dir(&whole, &site);
        for (_, other) in parts.iter().filter(|(_, f)| *f != folder) {
            std::fs::remove_dir_all(site.join("content").join(other)).unwrap();
        }
        let dir = tmp.path().join("parts").join(name);
        // Links into the other parts are broken in each part (exit 1); the part is written.
        let (_, _, err) = build_into(&site, &dir, &["--part", name, "--today", "2026-11-27"]);
        assert!(dir.join("part.json").is_file(), "{name}: {err}");
        dirs.push(dir);
    }
    let composed = tmp.path().join("composed");
    let refs: Vec<&Path> = dirs.iter().map(|d| d.as_path()).collect();
    let (code, _, err) = compose_into(&refs, &composed);
    assert!(code <= 1, "{err}");
    let single = tmp.path().join("single");
    let (_, _, err) = build_into(&whole, &single, &["--today", "2026-11-27"]);
    assert!(single.join("runbooks/index.html").is_file(), "{err}");

    let prefix_of = |rel: &str| {
        let top = rel.split('/').next().unwrap();
        parts.iter().find(|(_, f)| *f == top).map(|(n, _)| *n)
    };
    let single_files = files_under(&single);
    let composed_files = files_under(&composed);
    let mut pages = 0;
    for f in single_files.iter().filter(|f| f.ends_with(".html")) {
        match prefix_of(f) {
            // A document's page (or its folder's list): under its part's prefix.
            Some(p) if f.matches('/').count() > 1 => {
                assert!(composed_files.contains(&format!("{p}/{f}")), "{p}/{f}");
                pages += 1;
            }
            // The handbook's own index pages, at the same URLs.
            _ => assert!(composed_files.contains(f), "{f}"),
        }
    }
    assert!(pages >= 140, "{pages} document pages compared");
    let strip: Vec<String> = parts.iter().map(|(n, _)| format!("{n}/")).collect();
    let strip: Vec<&str> = strip.iter().map(String::as_str).collect();
    for list in ["runbooks/", "postmortems/", "courses/"] {
        let cards = cards_on(&single, list, &[]);
        assert!(cards.len() > 3, "{list}: {cards:?}");
        assert_eq!(cards_on(&composed, list, &strip), cards, "{list}");
    }
}
