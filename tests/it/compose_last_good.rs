//! `fieldbook compose --keep-last-good DIR` (docs/many-repos.md, "Last good parts"): each part
//! that composed fine is kept; a part that is missing, cannot be read or was checked against
//! another roster is composed from its last good copy, its pages bannered, the freshness
//! report and the home page naming it; a damaged copy is never trusted.

use crate::common::*;
use std::path::{Path, PathBuf};

const BANNER: &str = "This part's docs could not be updated since";

fn doc(word: &str) -> String {
    format!(
        "---\ntitle: {word} runbook\nkind: runbook\nowners: [team-a]\nreviewed: 2026-11-01\n---\n\n\
         ## Steps\n\nRestart the {word} service.\n"
    )
}

/// Build part `name` (one runbook mentioning `word`) with `owners` into `out`.
fn part(name: &str, word: &str, owners: &str, out: &Path) {
    let site = site_with(&[
        ("content/runbooks/x.md", &doc(word)),
        ("owners.yaml", owners),
    ]);
    let _ = std::fs::remove_dir_all(out);
    let (code, _, err) = build_into(site.path(), out, &["--part", name, "--today", "2026-11-27"]);
    assert_eq!(code, 0, "{err}");
}

struct Setup {
    _tmp: tempfile::TempDir,
    parts: PathBuf,
    store: PathBuf,
    out: PathBuf,
}

impl Setup {
    /// Parts `payments` and `orders`, composed once (on 2026-11-20) with the store.
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let h = Setup {
            parts: tmp.path().join("parts"),
            store: tmp.path().join("store"),
            out: tmp.path().join("out"),
            _tmp: tmp,
        };
        part(
            "payments",
            "ledger",
            MINIMAL_OWNERS_YAML,
            &h.part("payments"),
        );
        part("orders", "basket", MINIMAL_OWNERS_YAML, &h.part("orders"));
        let (code, _, err) = h.compose(&["payments", "orders"], "2026-11-20", &h.out);
        assert_eq!(code, 0, "{err}");
        h
    }

    fn part(&self, name: &str) -> PathBuf {
        self.parts.join(name)
    }

    fn compose(&self, names: &[&str], today: &str, out: &Path) -> (i32, String, String) {
        let mut args: Vec<String> = vec!["compose".into()];
        args.extend(names.iter().map(|n| s(&self.part(n)).to_string()));
        for a in ["--output", s(out), "--today", today, "--keep-last-good"] {
            args.push(a.into());
        }
        args.push(s(&self.store).into());
        run(args)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out.join(rel)).unwrap()
    }
}

/// The part `payments` is shown from its copy of 2026-11-20, for `reason`, everywhere a
/// reader looks; `orders` is its current self.
fn assert_held(h: &Setup, reason: &str) {
    let page = h.read("payments/runbooks/x/index.html");
    let banner =
        format!("{BANNER} <time datetime=\"2026-11-20\">2026-11-20</time>:</strong> {reason}");
    assert!(page.contains(&banner), "{page}");
    // At the top of the main content, where "Skip to content" leads.
    let main = page.find("<main").unwrap();
    let at = page.find(BANNER).unwrap();
    assert!(main < at && at < page.find("<h1").unwrap());
    assert!(page.contains("role=\"status\""));
    assert!(!h.read("orders/runbooks/x/index.html").contains(BANNER));
    let freshness = h.read("freshness/index.html");
    assert!(freshness.contains("Parts not updated"), "{freshness}");
    assert!(
        freshness.contains("href=\"../payments/\"") && freshness.contains(reason),
        "{freshness}"
    );
    let home = h.read("index.html");
    assert!(home.contains("Not updated since"), "{home}");
    // Its search index is the copy's, merged as any part's.
    let (code, out, err) = run(["search", "--site", s(&h.out), "ledger", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ledger runbook"), "{out}");
}

fn record(h: &Setup, name: &str) -> String {
    std::fs::read_to_string(h.store.join(name).join("last-good.json")).unwrap()
}

#[test]
fn a_missing_part_is_composed_from_its_last_good_copy() {
    let h = Setup::new();
    // Both saved, as of the composer's day, whole and nothing half-written left beside.
    for name in ["payments", "orders"] {
        assert!(record(&h, name).contains("\"saved\": \"2026-11-20\""));
        assert!(
            h.store
                .join(name)
                .join(name)
                .join("runbooks/x/index.html")
                .is_file()
        );
    }
    let entries: Vec<String> = std::fs::read_dir(&h.store)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");

    let (code, _, err) = h.compose(&["orders"], "2026-11-27", &h.out);
    assert_eq!(code, 0, "a fallback is a warning: {err}");
    assert!(err.contains("warning[last-good-part]"), "{err}");
    assert!(
        err.contains("part `payments`: no part folder given provides it; composed from its last good copy of 2026-11-20"),
        "{err}"
    );
    assert!(err.contains("compose: 2 parts"), "{err}");
    assert_held(&h, "its latest build was not given to the handbook");
    // The copy is not saved again: it is still the one of 2026-11-20; orders' is newer.
    assert!(record(&h, "payments").contains("2026-11-20"));
    assert!(record(&h, "orders").contains("2026-11-27"));

    // The same inputs compose to the same bytes.
    let again = h.out.with_file_name("again");
    let (code, _, err) = h.compose(&["orders"], "2026-11-27", &again);
    assert_eq!(code, 0, "{err}");
    let files = files_under(&h.out);
    assert_eq!(files, files_under(&again));
    for f in &files {
        assert_eq!(
            std::fs::read(h.out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }

    // A folder named but not there is missing too (as `[compose] parts` may name one).
    std::fs::rename(h.part("payments"), h.parts.join("elsewhere")).unwrap();
    let (code, _, err) = h.compose(&["payments", "orders"], "2026-11-27", &h.out);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("is not there; composed from its last good copy"),
        "{err}"
    );
    assert_held(&h, "its latest build was not given to the handbook");
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_part_that_cannot_be_read_is_composed_from_its_last_good_copy() {
    let h = Setup::new();
    // A part of another format version: its manifest still says which part it is.
    let manifest = h.part("payments").join("part.json");
    let text =
        std::fs::read_to_string(&manifest)
            .unwrap()
            .replacen("\"format\": 1", "\"format\": 2", 1);
    std::fs::write(&manifest, text).unwrap();
    let (code, _, err) = h.compose(&["payments", "orders"], "2026-11-27", &h.out);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("part format 2"), "why, in the finding: {err}");
    assert_held(&h, "its latest build could not be read");

    // Not JSON at all: the folder's name says which part it is.
    std::fs::write(&manifest, "{ not json").unwrap();
    let (code, _, err) = h.compose(&["payments", "orders"], "2026-11-27", &h.out);
    assert_eq!(code, 0, "{err}");
    assert_held(&h, "its latest build could not be read");
    assert!(record(&h, "payments").contains("2026-11-20"));
}

#[test]
fn without_a_last_good_copy_a_part_is_as_without_the_store() {
    let h = Setup::new();
    std::fs::remove_dir_all(h.store.join("payments")).unwrap();
    std::fs::write(h.part("payments").join("part.json"), "{ not json").unwrap();
    let (code, _, err) = h.compose(&["payments", "orders"], "2026-11-27", &h.out);
    assert_eq!(code, 2, "as without --keep-last-good: {err}");
    assert!(err.contains("not JSON"), "{err}");
    // A part neither given nor kept is simply not in the handbook.
    let (code, _, err) = h.compose(&["orders"], "2026-11-27", &h.out);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("compose: 1 parts"), "{err}");
    assert!(!h.out.join("payments").exists());
}

#[test]
fn a_damaged_or_hostile_copy_is_never_trusted() {
    let h = Setup::new();
    let copy = h.store.join("payments");
    // A lying manifest in the store: a prefix leading out of the part.
    let manifest = copy.join("part.json");
    let text = std::fs::read_to_string(&manifest).unwrap().replacen(
        "\"prefix\": \"payments/\"",
        "\"prefix\": \"../evil/\"",
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    #[cfg(unix)]
    {
        let outside = h.store.parent().unwrap().join("outside");
        std::fs::create_dir_all(outside.join("billing")).unwrap();
        std::fs::copy(
            h.part("orders").join("part.json"),
            outside.join("part.json"),
        )
        .unwrap();
        std::os::unix::fs::symlink(&outside, h.store.join("billing")).unwrap();
        let _ = std::process::Command::new("mkfifo")
            .arg(h.store.join("fifo"))
            .status();
    }
    let (code, _, err) = h.compose(&["orders"], "2026-11-27", &h.out);
    assert_eq!(code, 1, "the handbook lacks payments: {err}");
    assert!(
        err.contains("the last good copy of part `payments` is ignored"),
        "{err}"
    );
    assert!(err.contains("it is left out of the handbook"), "{err}");
    #[cfg(unix)]
    assert!(
        err.contains("`billing` is not a last good copy"),
        "a link is noted, not followed: {err}"
    );
    assert!(!h.out.join("payments").exists());
    assert!(!h.out.join("billing").exists(), "a link is not followed");
    assert!(err.contains("compose: 1 parts"), "{err}");

    // Given again, the part composes and replaces the damaged copy (a warning only).
    let (code, _, err) = h.compose(&["payments", "orders"], "2026-11-27", &h.out);
    assert_eq!(code, 0, "{err}");
    assert!(!h.read("payments/runbooks/x/index.html").contains(BANNER));
    assert!(record(&h, "payments").contains("2026-11-27"));
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("\"prefix\": \"payments/\""), "{text}");
}

#[test]
fn a_part_checked_against_another_roster_is_composed_from_its_last_good_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let parts = tmp.path().join("parts");
    part(
        "payments",
        "ledger",
        MINIMAL_OWNERS_YAML,
        &parts.join("payments"),
    );
    part(
        "orders",
        "basket",
        MINIMAL_OWNERS_YAML,
        &parts.join("orders"),
    );
    let handbook = tmp.path().join("handbook");
    write_files(
        &handbook,
        &[
            (
                "book.toml",
                "[book]\ntitle = \"Acme\"\n\n[compose]\nparts = [\"../parts/*\"]\nkeep_last_good = \"../store\"\n",
            ),
            ("owners.yaml", MINIMAL_OWNERS_YAML),
        ],
    );
    let store = tmp.path().join("store");
    let compose = |today: &str| run(["compose", "--site", s(&handbook), "--today", today]);
    let (code, _, err) = compose("2026-11-20");
    assert_eq!(code, 0, "{err}");
    assert!(record_in(&store, "payments").contains("2026-11-20"));

    // payments is rebuilt against a roster the handbook does not have.
    let other = format!("{MINIMAL_OWNERS_YAML}  team-z: {{ name: Team Z, members: [alice] }}\n");
    part("payments", "ledger", &other, &parts.join("payments"));
    let (code, _, err) = compose("2026-11-27");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("another owners roster"), "{err}");
    let out = handbook.join("public");
    let page = std::fs::read_to_string(out.join("payments/runbooks/x/index.html")).unwrap();
    assert!(
        page.contains("its latest build was checked against another owners roster"),
        "{page}"
    );
    assert!(
        record_in(&store, "payments").contains("2026-11-20"),
        "not saved"
    );
    assert!(record_in(&store, "orders").contains("2026-11-27"));

    // With no copy checked against the handbook's roster, the part composes as built.
    std::fs::remove_dir_all(store.join("payments")).unwrap();
    let (code, _, err) = compose("2026-11-27");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("composed as built"), "{err}");
    let page = std::fs::read_to_string(out.join("payments/runbooks/x/index.html")).unwrap();
    assert!(!page.contains(BANNER));
    assert!(
        !store.join("payments").exists(),
        "a stale part is no good copy"
    );
}

fn record_in(store: &Path, name: &str) -> String {
    std::fs::read_to_string(store.join(name).join("last-good.json")).unwrap()
}

#[test]
fn a_save_killed_half_way_leaves_nothing_that_is_trusted() {
    let h = Setup::new();
    // What a compose killed while saving orders leaves: a staging folder with half a copy
    // (a manifest, no pages, no record) beside the last complete one.
    let half = h.store.join(".orders.fieldbook-new-4242");
    std::fs::create_dir_all(&half).unwrap();
    std::fs::write(half.join(".fieldbook-output"), "").unwrap();
    std::fs::copy(h.part("orders").join("part.json"), half.join("part.json")).unwrap();
    let (code, _, err) = h.compose(&["payments"], "2026-11-27", &h.out);
    assert_eq!(code, 0, "{err}");
    // orders comes from its complete copy of 2026-11-20; the half one is not even looked at.
    assert!(
        err.contains("part `orders`: no part folder given provides it"),
        "{err}"
    );
    assert!(!err.contains("fieldbook-new"), "{err}");
    assert!(
        h.read("orders/runbooks/x/index.html")
            .contains("2026-11-20</time>")
    );
    // The next save of orders clears it away.
    let (code, _, err) = h.compose(&["payments", "orders"], "2026-11-28", &h.out);
    assert_eq!(code, 0, "{err}");
    assert!(!half.exists());
    assert!(record(&h, "orders").contains("2026-11-28"));
}
