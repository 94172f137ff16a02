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
        "northwind/search/index.json",
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
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        home.contains("href=\"northwind/\"") && home.contains("href=\"orders/\""),
        "{home}"
    );
    assert!(
        home.contains("northwind/runbooks/tracking/events-delayed/"),
        "needs review: {home}"
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
        "[book]\ntitle = \"All\"\n\n[compose]\nparts = [\"../parts/*\"]\n",
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
    // Nothing listed, nothing given: a usage error.
    std::fs::write(handbook.join("book.toml"), "[book]\ntitle = \"All\"\n").unwrap();
    let (code, _, err) = run(["compose", "--site", handbook.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("[compose] parts"), "{err}");
}
