//! The whole-site build cache (`build::cache`): a build with nothing changed reuses the
//! output and says again what the last one said; every kind of input change builds again;
//! unchanged output files keep their time; a damaged cache is ignored with a note;
//! `--verify-cache` catches an output that is not what a clean build writes.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::Path;

const REUSED: &str = "nothing changed: the output was reused";
const TODAY: &str = "2026-03-01";

fn runbook(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nowners: [alice]\nreviewed: 2026-01-01\ntags: [db]\n---\n{body}\n")
}

/// A site with two runbooks, a page and an image.
fn site() -> TestSite {
    let site = site_with(&[
        ("content/runbooks/db/a.md", &runbook("Alpha", "Alpha body.")),
        ("content/runbooks/db/b.md", &runbook("Beta", "Beta body.")),
        ("content/about.md", "---\ntitle: About\n---\nAbout us.\n"),
        ("content/img/x.txt", "an asset"),
    ]);
    // A finding to say again: a runbook owned by someone who left.
    site.write(
        "content/runbooks/db/c.md",
        &runbook("Gamma", "Gamma body.").replace("[alice]", "[bob]"),
    );
    site
}

/// `build SITE --output SITE/public --today TODAY EXTRA...`, never a panic.
fn build(site: &TestSite, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["--today", TODAY];
    args.extend_from_slice(extra);
    let (code, _, err) = site.build(&args);
    assert!(!err.contains("panicked"), "{err}");
    (code, err)
}

/// stderr without the summary line's time (and what follows it).
fn without_time(err: &str) -> String {
    err.lines()
        .map(
            |l| match (l.starts_with("build: "), l.rfind(" warnings, ")) {
                (true, Some(i)) => &l[..i + " warnings".len()],
                _ => l,
            },
        )
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every output file with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// Build, then build again with nothing changed: the second reuses.
fn built_and_reused(site: &TestSite, extra: &[&str]) -> (i32, String) {
    let (code, err) = build(site, extra);
    let (again, err2) = build(site, extra);
    assert_eq!(again, code, "{err2}");
    assert!(err2.contains(REUSED), "nothing changed: {err2}");
    (code, err)
}

/// After `change`, the next build builds (and a clean build agrees with it).
fn change_rebuilds(site: &TestSite, extra: &[&str], change: impl FnOnce(&TestSite)) {
    built_and_reused(site, extra);
    change(site);
    let (_, err) = build(site, extra);
    assert!(!err.contains(REUSED), "a change builds again: {err}");
    let clean = tempfile::tempdir().unwrap();
    let mut args = vec!["--today", TODAY, "--no-cache"];
    args.extend_from_slice(extra);
    build_into(site.path(), &clean.path().join("out"), &args);
    assert_eq!(
        tree(&site.output_dir()),
        tree(&clean.path().join("out")),
        "the output is a clean build's"
    );
}

#[test]
fn a_build_with_nothing_changed_reuses_the_output_and_says_the_same() {
    let site = site();
    let (code, first) = build(&site, &[]);
    assert_eq!(code, 1, "a lapsed owner fails the build: {first}");
    let page = site.output_dir().join("runbooks/db/a/index.html");
    let time = modified(&page);
    let before = tree(&site.output_dir());
    let (again, second) = build(&site, &[]);
    assert_eq!(again, code, "the same status");
    assert!(second.contains(REUSED), "{second}");
    assert!(first.contains("lapsed-owner"), "{first}");
    assert_eq!(
        without_time(&first),
        without_time(&second),
        "the same words"
    );
    assert_eq!(modified(&page), time, "nothing rewritten");
    assert_eq!(tree(&site.output_dir()), before);
    // And it is what a clean build writes.
    let clean = tempfile::tempdir().unwrap();
    let (c, _, clean_err) = build_into(
        site.path(),
        &clean.path().join("out"),
        &["--today", TODAY, "--no-cache"],
    );
    assert_eq!(c, code);
    assert!(!clean_err.contains(REUSED));
    assert_eq!(tree(&clean.path().join("out")), before);
}

#[test]
fn no_cache_builds_every_time() {
    let site = site();
    built_and_reused(&site, &[]);
    let (_, err) = build(&site, &["--no-cache"]);
    assert!(!err.contains(REUSED), "{err}");
}

#[test]
fn a_body_edit_builds_again() {
    change_rebuilds(&site(), &[], |s| {
        s.replace("content/runbooks/db/a.md", "Alpha body.", "Alpha edited.")
    });
}

#[test]
fn a_book_toml_edit_builds_again() {
    change_rebuilds(&site(), &[], |s| {
        s.replace("book.toml", "Test Handbook", "Other Handbook")
    });
}

#[test]
fn an_owners_edit_builds_again() {
    change_rebuilds(&site(), &[], |s| {
        s.replace("owners.yaml", "name: Alice", "name: Alicia")
    });
}

#[test]
fn a_site_theme_template_edit_builds_again() {
    let site = site();
    site.replace("book.toml", "[book]", "[build]\ntheme = \"acme\"\n\n[book]");
    let template = |mark: &str| {
        format!(
            "{{% extends \"base.html\" %}}{{% block main %}}<main id=\"main\"><p class=\"{mark}\">{{{{ doc.title }}}}</p></main>{{% endblock main %}}"
        )
    };
    site.write("themes/acme/static/acme.css", "body {}");
    change_rebuilds(&site, &[], |s| {
        // A new template in the site theme is a change...
        s.write("themes/acme/templates/page.html", &template("one"))
    });
    assert!(
        site.read_output("about/index.html")
            .contains("class=\"one\"")
    );
    // ... and so is an edit of it.
    change_rebuilds(&site, &[], |s| {
        s.write("themes/acme/templates/page.html", &template("two"))
    });
    assert!(
        site.read_output("about/index.html")
            .contains("class=\"two\"")
    );
}

#[test]
fn the_judging_date_is_an_input() {
    let site = site();
    built_and_reused(&site, &[]);
    let (code, _, err) = site.build(&["--today", "2027-06-01", "--verify-cache"]);
    assert!(!err.contains(REUSED), "a new day: {err}");
    assert!(err.contains("stale"), "the documents turned stale: {err}");
    assert_eq!(code, 1);
    // Every page is rendered again, into the output in place: what a clean build writes.
    assert!(err.contains(UPDATED), "{err}");
    assert!(err.contains("identical to a clean build"), "{err}");
    // `[build] today` too.
    let (_, _, err) = site.build(&[]);
    assert!(!err.contains(REUSED), "{err}");
    site.replace(
        "book.toml",
        "[book]",
        "[build]\ntoday = \"2027-06-01\"\n\n[book]",
    );
    let (_, _, err) = site.build(&[]);
    assert!(!err.contains(REUSED), "{err}");
    let (_, _, err) = site.build(&[]);
    assert!(err.contains(REUSED), "{err}");
    site.replace(
        "book.toml",
        "today = \"2027-06-01\"",
        "today = \"2027-06-02\"",
    );
    let (_, _, err) = site.build(&[]);
    assert!(!err.contains(REUSED), "{err}");
}

#[test]
fn adding_and_deleting_documents_builds_again_and_leaves_nothing_behind() {
    let site = site();
    change_rebuilds(&site, &[], |s| {
        s.write("content/runbooks/db/d.md", &runbook("Delta", "Delta body."))
    });
    assert!(site.output_dir().join("runbooks/db/d/index.html").is_file());
    change_rebuilds(&site, &[], |s| {
        std::fs::remove_file(s.join("content/runbooks/db/d.md")).unwrap()
    });
    assert!(!site.output_dir().join("runbooks/db/d").exists(), "gone");
    // A renamed asset too.
    change_rebuilds(&site, &[], |s| {
        std::fs::rename(s.join("content/img/x.txt"), s.join("content/img/y.txt")).unwrap()
    });
    assert!(!site.output_dir().join("img/x.txt").exists());
    assert!(site.output_dir().join("img/y.txt").is_file());
}

#[test]
fn unchanged_output_files_keep_their_time_when_another_document_changed() {
    let site = site();
    build(&site, &[]);
    let out = site.output_dir();
    let kept = [
        "runbooks/db/b/index.html",
        "about/index.html",
        "img/x.txt",
        "static/fieldbook.css",
    ];
    let times: Vec<_> = kept.iter().map(|f| modified(&out.join(f))).collect();
    let a = modified(&out.join("runbooks/db/a/index.html"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.replace("content/runbooks/db/a.md", "Alpha body.", "Alpha edited.");
    let (_, err) = build(&site, &[]);
    assert!(!err.contains(REUSED), "{err}");
    for (f, t) in kept.iter().zip(&times) {
        assert_eq!(modified(&out.join(f)), *t, "{f} was rewritten");
    }
    assert_ne!(modified(&out.join("runbooks/db/a/index.html")), a);
    assert!(
        site.read_output("runbooks/db/a/index.html")
            .contains("Alpha edited.")
    );
    // Even without the cache (the output is compared, not the cache).
    site.replace("content/runbooks/db/a.md", "Alpha edited.", "Alpha again.");
    build(&site, &["--no-cache"]);
    assert_eq!(modified(&out.join(kept[0])), times[0]);
}

#[test]
fn an_output_changed_since_the_build_is_built_again() {
    let site = site();
    built_and_reused(&site, &[]);
    let page = site.output_dir().join("about/index.html");
    let before = std::fs::read(&page).unwrap();
    std::fs::write(&page, "defaced").unwrap();
    let (_, err) = build(&site, &[]);
    assert!(!err.contains(REUSED), "{err}");
    assert_eq!(std::fs::read(&page).unwrap(), before);
    std::fs::remove_file(&page).unwrap();
    let (_, err) = build(&site, &[]);
    assert!(!err.contains(REUSED), "{err}");
    assert_eq!(std::fs::read(&page).unwrap(), before);
    std::fs::write(site.output_dir().join("extra.html"), "x").unwrap();
    let (_, err) = build(&site, &[]);
    assert!(!err.contains(REUSED), "{err}");
    assert!(!site.output_dir().join("extra.html").exists());
}

#[test]
fn a_damaged_cache_is_ignored_with_a_note_and_rebuilt() {
    let site = site();
    let cache = site.join(".fieldbook/cache/build.json");
    built_and_reused(&site, &[]);
    let good = std::fs::read_to_string(&cache).unwrap();
    let foreign = good.replacen(
        &format!("\"fieldbook\":\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"fieldbook\":\"0.0.1\"",
        1,
    );
    assert_ne!(foreign, good);
    for (what, text) in [
        ("truncated", good[..good.len() / 2].to_string()),
        ("garbage", "\u{0}\u{1}not json".to_string()),
        ("foreign", foreign),
        ("tampered", good.replace("\"exit\":1", "\"exit\":0")),
    ] {
        std::fs::write(&cache, &text).unwrap();
        let (code, err) = build(&site, &[]);
        assert_eq!(code, 1, "{what}: the status is the build's: {err}");
        assert!(!err.contains(REUSED), "{what}: never trusted: {err}");
        let notes: Vec<&str> = err.lines().filter(|l| l.starts_with("note: ")).collect();
        assert_eq!(notes.len(), 1, "{what}: one note: {err}");
        assert!(notes[0].contains("was ignored"), "{what}: {err}");
        let (_, err) = build(&site, &[]);
        assert!(err.contains(REUSED), "{what}: rebuilt: {err}");
    }
}

#[cfg(unix)]
#[test]
fn a_linked_cache_folder_is_refused() {
    let site = site();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.join(".fieldbook")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), site.join(".fieldbook/cache")).unwrap();
    let (code, err) = build(&site, &[]);
    assert_eq!(code, 1, "the build still runs: {err}");
    assert!(err.contains("note: build cache not used"), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn a_cache_in_use_is_not_shared() {
    let site = site();
    built_and_reused(&site, &[]);
    // Another build holds the lock.
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(site.join(".fieldbook/cache/lock"))
        .unwrap();
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive).unwrap();
    let (code, err) = build(&site, &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("in use by another build; building without it"),
        "{err}"
    );
    assert!(!err.contains(REUSED), "{err}");
    drop(lock);
    let (_, err) = build(&site, &[]);
    assert!(err.contains(REUSED), "the cache is intact: {err}");
}

#[test]
fn cache_dir_moves_the_cache() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("c");
    let arg = cache.to_str().unwrap();
    built_and_reused(&site, &["--cache-dir", arg]);
    assert!(cache.join("build.json").is_file());
    assert!(!site.join(".fieldbook/cache").exists());
    // `[build] cache_dir` too.
    site.replace(
        "book.toml",
        "[book]",
        "[build]\ncache_dir = \".cache/fb\"\n\n[book]",
    );
    built_and_reused(&site, &[]);
    assert!(site.join(".cache/fb/build.json").is_file());
}

#[test]
fn verify_cache_passes_a_true_output_and_names_a_tampered_file() {
    let site = site();
    let (code, err) = build(&site, &["--verify-cache"]);
    assert_eq!(code, 1, "the build's own status: {err}");
    assert!(
        err.contains("verify-cache: the output is identical to a clean build"),
        "{err}"
    );
    // Tampered with after the build, keeping its size and time: the cache trusts it, the
    // clean build does not.
    let page = site.output_dir().join("about/index.html");
    let time = modified(&page);
    let mut bytes = std::fs::read(&page).unwrap();
    let i = bytes.windows(8).position(|w| w == b"About us").unwrap();
    bytes[i] = b'X';
    std::fs::write(&page, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&page)
        .unwrap()
        .set_modified(time)
        .unwrap();
    let (code, err) = build(&site, &["--verify-cache"]);
    assert!(err.contains(REUSED), "{err}");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "verify-cache: 1 file of the output differ from a clean build: about/index.html"
        ),
        "{err}"
    );
    // A passing site passes.
    let ok = site_with(&[("content/runbooks/a.md", &runbook("A", "Body."))]);
    let (code, _, err) = ok.build(&["--today", TODAY, "--verify-cache"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = ok.build(&["--today", TODAY, "--verify-cache"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(REUSED) && err.contains("identical"), "{err}");
}

#[test]
fn every_file_a_build_reads_is_in_its_key() {
    // The demo handbook reads owners, navigation and theme files beside its documents: the
    // cache file lists each with its digest.
    let site = site();
    build(&site, &[]);
    let cache: serde_json::Value =
        serde_json::from_str(&site.read(".fieldbook/cache/build.json")).unwrap();
    let inputs = cache["body"]["inputs"].as_object().unwrap();
    let has = |rel: &str| inputs.keys().any(|k| k.ends_with(&format!("/{rel}")));
    for rel in [
        "book.toml",
        "owners.yaml",
        "content/runbooks/db/a.md",
        "content/img/x.txt",
    ] {
        assert!(has(rel), "{rel} missing from {inputs:?}");
    }
    assert_eq!(cache["body"]["settings"]["today"], TODAY);
    assert_eq!(cache["format"], fieldbook::build::cache::FORMAT);
}

const UPDATED: &str = "the last build updated";

#[test]
fn a_body_edit_updates_one_page_in_place() {
    let site = site();
    build(&site, &[]);
    site.replace("content/runbooks/db/a.md", "Alpha body.", "Alpha edited.");
    let (_, err) = build(&site, &["--verify-cache"]);
    assert!(
        err.contains(": the last build updated, 1 pages and 0 index pages rendered"),
        "{err}"
    );
    assert!(err.contains("identical to a clean build"), "{err}");
    let counts = |err: &str| {
        let line = err.lines().find(|l| l.starts_with("build: ")).unwrap();
        line[..line.find(" in ").unwrap()].to_string()
    };
    let clean = tempfile::tempdir().unwrap();
    let (_, _, clean_err) = build_into(
        site.path(),
        &clean.path().join("out"),
        &["--today", TODAY, "--no-cache"],
    );
    assert_eq!(
        counts(&err),
        counts(&clean_err),
        "the counts a full build reports"
    );
    // A title shows on index pages: they follow.
    site.replace("content/runbooks/db/a.md", "title: Alpha", "title: Alef");
    let (_, err) = build(&site, &["--verify-cache"]);
    assert!(err.contains(UPDATED), "{err}");
    assert!(err.contains("identical to a clean build"), "{err}");
    assert!(site.read_output("tags/db/index.html").contains("Alef"));
    // The output it replaced is kept for the next update to start from, and what the update
    // recorded of its output holds: the next build finds nothing changed.
    assert!(
        site.path()
            .join(".fieldbook/cache/replaced-output/index.html")
            .is_file()
    );
    let (_, err) = build(&site, &[]);
    assert!(err.contains("nothing changed"), "{err}");
}

/// One edit of the property below. Documents are picked by position among the content's
/// Markdown files at the time of the edit.
#[derive(Clone, Debug)]
enum Step {
    Body(usize),
    Title(usize),
    Tags(usize),
    Owners(usize, &'static str),
    Reviewed(usize, u8),
    Add(usize),
    Delete(usize),
    Rename(usize),
    Template,
    BookToml,
    OwnersFile,
    Today(u8),
    Rules,
    Commit,
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    let doc = 0..1000usize;
    prop_oneof![
        4 => doc.clone().prop_map(Step::Body),
        2 => doc.clone().prop_map(Step::Title),
        2 => doc.clone().prop_map(Step::Tags),
        1 => (doc.clone(), prop::sample::select(vec!["priya", "dmitri", "team-platform", "nobody"]))
            .prop_map(|(d, o)| Step::Owners(d, o)),
        2 => (doc.clone(), 0..28u8).prop_map(|(d, n)| Step::Reviewed(d, n)),
        2 => doc.clone().prop_map(Step::Add),
        1 => doc.clone().prop_map(Step::Delete),
        1 => doc.prop_map(Step::Rename),
        1 => Just(Step::Template),
        1 => Just(Step::BookToml),
        1 => Just(Step::OwnersFile),
        1 => (0..200u8).prop_map(Step::Today),
        1 => Just(Step::Rules),
        2 => Just(Step::Commit),
    ]
}

/// The content's Markdown files (content paths), sorted; `index.md` files aside.
fn documents(site: &TestSite) -> Vec<String> {
    let content = site.join("content");
    let mut out: Vec<String> = walkdir::WalkDir::new(&content)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&content)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|r| r.ends_with(".md") && !r.ends_with("index.md"))
        .collect();
    out.sort();
    out
}

/// Set front matter `key` of the file `rel` to `value` (added when missing).
fn set_field(site: &TestSite, rel: &str, key: &str, value: &str) {
    let text = site.read(rel);
    let Some(rest) = text.strip_prefix("---\n") else {
        return;
    };
    let Some(end) = rest.find("\n---") else {
        return;
    };
    let (front, body) = rest.split_at(end);
    let prefix = format!("{key}:");
    let mut lines: Vec<String> = Vec::new();
    let mut skipping = false;
    let mut set = false;
    for l in front.lines() {
        if l.starts_with(&prefix) {
            lines.push(format!("{key}: {value}"));
            skipping = true;
            set = true;
        } else if skipping && (l.starts_with(' ') || l.starts_with('-')) {
            // The old value's block lines.
        } else {
            skipping = false;
            lines.push(l.to_string());
        }
    }
    if !set {
        lines.push(format!("{key}: {value}"));
    }
    site.write(rel, &format!("---\n{}{body}", lines.join("\n")));
}

fn apply(site: &TestSite, step: &Step, today: &mut String, n: usize) {
    let docs = documents(site);
    let pick = |i: usize| format!("content/{}", docs[i % docs.len()]);
    match *step {
        Step::Body(i) => {
            let rel = pick(i);
            let text = site.read(&rel);
            site.write(&rel, &format!("{text}\nEdit {n}: see [the about page](/about/).\n"));
        }
        Step::Title(i) => set_field(site, &pick(i), "title", &format!("Retitled {n}")),
        Step::Tags(i) => set_field(site, &pick(i), "tags", &format!("[edited-{}, db]", n % 3)),
        Step::Owners(i, o) => set_field(site, &pick(i), "owners", &format!("[{o}]")),
        Step::Reviewed(i, d) => {
            set_field(site, &pick(i), "reviewed", &format!("2026-{:02}-{:02}", 1 + d % 11, 1 + d))
        }
        Step::Add(i) => {
            let link = docs[i % docs.len()].clone();
            site.write(
                &format!("content/runbooks/added-{n}.md"),
                &format!(
                    "---\ntitle: Added {n}\nowners: [priya]\nreviewed: 2026-10-01\ntags: [db]\nalerts: [Added{n}]\n---\nSee [{link}](/{link}).\n\n## Diagnose\n\nLook.\n"
                ),
            );
        }
        Step::Delete(i) => std::fs::remove_file(site.join(pick(i))).unwrap(),
        Step::Rename(i) => {
            let from = pick(i);
            let to = format!("{}-moved-{n}.md", from.trim_end_matches(".md"));
            std::fs::rename(site.join(&from), site.join(to)).unwrap();
        }
        Step::Template => {
            let rel = "themes/default/templates/base.html";
            let text = site.read(rel);
            site.write(rel, &format!("{text}{{# edit {n} #}}\n"));
        }
        Step::BookToml => site.replace(
            "book.toml",
            "description = \"",
            &format!("description = \"{n} "),
        ),
        Step::OwnersFile => {
            let text = site.read("owners.yaml");
            let left = if text.contains("lena.fischer@northwindparcel.example }") {
                ("lena.fischer@northwindparcel.example }", "lena.fischer@northwindparcel.example, left: 2026-06-30 }")
            } else {
                ("lena.fischer@northwindparcel.example, left: 2026-06-30 }", "lena.fischer@northwindparcel.example }")
            };
            site.replace("owners.yaml", left.0, left.1);
        }
        Step::Today(d) => {
            let date = fieldbook::content::date::Date::parse("2027-03-01").unwrap();
            *today = date.sub_days(u32::from(d)).to_string();
        }
        Step::Rules => site.write(
            "rules.yml",
            &format!(
                "groups:\n  - name: g\n    rules:\n      - alert: Rule{}\n        expr: up == 0\n        annotations:\n          runbook_url: /alerts/Rule{}/\n",
                n % 2,
                n % 2
            ),
        ),
        Step::Commit => {
            git(site.path(), &["add", "-A"]);
            git(site.path(), &["commit", "-q", "--allow-empty", "-m", &format!("edit {n}")]);
        }
    }
}

/// The property (issue 30): after every step of a random sequence of edits of the demo
/// handbook (in git, its history read), the output a cached build leaves is byte for byte
/// what a clean build writes, which `--verify-cache` checks.
#[test]
fn after_random_edits_a_cached_build_is_a_clean_build() {
    use proptest::prelude::*;
    if !have_git() {
        eprintln!("skipped: no git");
        return;
    }
    let updates = std::cell::Cell::new(0);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 6,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let result = runner.run(&prop::collection::vec(step(), 1..7), |steps| {
        let site = TestSite::empty();
        let root = repo_root();
        copy_dir(&root.join("content"), &site.join("content"));
        copy_dir(&root.join("themes"), &site.join("themes"));
        for f in ["book.toml", "owners.yaml"] {
            std::fs::copy(root.join(f), site.join(f)).unwrap();
        }
        site.replace(
            "book.toml",
            "history = false",
            "history = true\nalert_rules = [\"rules.yml\"]",
        );
        site.write("rules.yml", "groups: []\n");
        git(site.path(), &["init", "-q"]);
        git(site.path(), &["add", "-A"]);
        git(site.path(), &["commit", "-q", "-m", "start"]);
        let mut today = "2026-11-27".to_string();
        let (_, _, first) = site.build(&["--today", &today]);
        prop_assert!(!first.contains("panicked"), "{}", first);
        for (n, s) in steps.iter().enumerate() {
            apply(&site, s, &mut today, n);
            let (code, _, err) = site.build(&["--today", &today, "--verify-cache"]);
            prop_assert!(code == 0 || code == 1, "{:?}: {}", s, err);
            prop_assert!(
                err.contains("identical to a clean build"),
                "after {:?} of {:?}: {}",
                s,
                steps,
                err
            );
            if err.contains(UPDATED) {
                updates.set(updates.get() + 1);
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(updates.get() > 0, "no step updated the last build");
}
