//! Interrupted builds: `fieldbook build` is killed (SIGKILL) at random moments, many times,
//! and the previous site must stay whole and readable each time; the next build must leave no
//! staging or temporary files behind, and the terminal's search index must still work.
//!
//! "Whole" means: the output directory holds exactly the files of one complete build of one
//! of the two content states the test switches between, byte for byte (builds are
//! deterministic, so any complete build of a state is identical to the reference build of
//! it). A half-written site, a mix of two builds or a missing directory all fail.
//!
//! `FIELDBOOK_KILL_RUNS` (default 30) sets the number of kills, `FIELDBOOK_KILL_SEED` the
//! random seed (printed, so a failure can be replayed); docs/hardening.md shows a longer run.

use crate::common;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type Snapshot = BTreeMap<PathBuf, Vec<u8>>;

fn snapshot(dir: &Path) -> Snapshot {
    fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = Snapshot::new();
    walk(dir, dir, &mut out);
    out
}

/// xorshift64*: a seeded generator, so that a failing sequence of delays can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

const DOCS: usize = 100;

/// A site big enough that a build takes a while (so kills land in every phase: rendering,
/// writing, the search indexes, the swap).
fn make_site(root: &Path) {
    let mut files: Vec<(String, String)> = vec![
        (
            "book.toml".into(),
            "[book]\ntitle = \"Kill test\"\n[build]\ntoday = \"2026-06-01\"\n".into(),
        ),
        (
            "owners.yaml".into(),
            "people:\n  alice: {name: Alice}\nteams:\n  team-a: {name: Team A, members: [alice]}\n"
                .into(),
        ),
    ];
    for i in 0..DOCS {
        files.push((
            format!("content/runbooks/svc{}/doc{i}.md", i % 7),
            format!(
                "---\ntitle: Runbook {i}\nowners: [team-a]\nreviewed: 2026-05-01\nservices: [svc{}]\ntags: [t{}]\n---\n\n## Symptoms\n\nThe queue {i} backs up; see [the next one](../svc{}/doc{}.md).\n\n```bash\n$ kubectl -n prod rollout restart deploy/worker-{i}\n$ kubectl get pods -l app=worker-{i} -o wide | grep -v Running\n```\n\n> [!WARNING]\n> Do not drop the queue.\n\n## Fix\n\n{}\n",
                i % 7,
                i % 11,
                (i + 1) % 7,
                (i + 1) % DOCS,
                "Drain the consumers, then restart them one by one. ".repeat(20)
            ),
        ));
    }
    for (rel, text) in &files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Switch the content between two states: B retitles a runbook (which changes the index
/// pages listing it) and adds one.
fn set_state(root: &Path, b: bool) {
    let doc = root.join("content/runbooks/svc0/doc0.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let text = if b {
        text.replacen("title: Runbook 0\n", "title: Runbook zero (renamed)\n", 1)
    } else {
        text.replacen("title: Runbook zero (renamed)\n", "title: Runbook 0\n", 1)
    };
    std::fs::write(&doc, text).unwrap();
    let extra = root.join("content/runbooks/svc0/extra.md");
    if b {
        std::fs::write(
            &extra,
            "---\ntitle: Extra\nowners: [team-a]\nreviewed: 2026-05-01\n---\nExtra page.\n",
        )
        .unwrap();
    } else {
        let _ = std::fs::remove_file(&extra);
    }
}

fn build(root: &Path) -> Command {
    let mut cmd = common::command();
    cmd.arg("build")
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn full_build(root: &Path) -> Duration {
    let start = Instant::now();
    let status = build(root).status().unwrap();
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "build failed: {status}"
    );
    start.elapsed()
}

/// Names in the site that only a build in progress should have.
fn leftovers(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(root).min_depth(1) {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy();
        if name.contains(".fieldbook-new-")
            || name.contains(".fieldbook-old-")
            || name.ends_with(".tmp")
            || name.starts_with(".tmp")
        {
            out.push(e.path().to_path_buf());
        }
    }
    out
}

/// Files of the tantivy index that no commit refers to (a killed writer's segments), with
/// the bookkeeping files tantivy and Fieldbook keep.
fn orphan_index_files(root: &Path) -> Vec<String> {
    let dir = root.join(".fieldbook/search");
    let meta = std::fs::read_to_string(dir.join("meta.json")).unwrap_or_default();
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let segment = name.split('.').next().unwrap_or("");
        // Segment files are `<uuid without dashes>.<ext>`; meta.json names each segment's
        // uuid with dashes.
        let referenced =
            segment.len() == 32 && (meta.contains(segment) || meta.contains(&dashed(segment)));
        let bookkeeping = matches!(
            name.as_str(),
            "meta.json"
                | ".managed.json"
                | "fieldbook-manifest.json"
                | ".tantivy-writer.lock"
                | ".tantivy-meta.lock"
        );
        if !referenced && !bookkeeping {
            out.push(name);
        }
    }
    out
}

fn dashed(s: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &s[..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..]
    )
}

fn search_works(root: &Path) {
    let (code, out, err) = common::run([
        "search".as_ref(),
        "kubectl".as_ref(),
        "--json".as_ref(),
        root.as_os_str(),
    ]);
    assert_eq!(
        code, 0,
        "fieldbook search failed after an interrupted build: {err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!v["results"].as_array().unwrap().is_empty(), "{out}");
}

#[test]
fn killed_builds_leave_the_previous_site_whole() {
    let runs: usize = std::env::var("FIELDBOOK_KILL_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let seed: u64 = std::env::var("FIELDBOOK_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("interrupted builds: {runs} kills, FIELDBOOK_KILL_SEED={seed}");
    let mut rng = Rng(seed);

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    make_site(root);
    let public = root.join("public");
    // Reference builds of both states (the second run of each is timed: a warm build is
    // what the kills interrupt).
    full_build(root);
    let snap_a = snapshot(&public);
    set_state(root, true);
    full_build(root);
    let snap_b = snapshot(&public);
    assert_ne!(snap_a, snap_b);
    set_state(root, false);
    let took = full_build(root);
    assert!(snapshot(&public) == snap_a, "builds are not deterministic");
    let span = took.as_micros() as u64 * 2 + 1;

    let mut completed = 0;
    for i in 0..runs {
        let b = rng.next().is_multiple_of(2);
        set_state(root, b);
        let delay = Duration::from_micros(rng.next() % span);
        let mut child = build(root).spawn().unwrap();
        std::thread::sleep(delay);
        let killed = child.kill().is_ok();
        let status = child.wait().unwrap();
        if status.code().is_some() {
            completed += 1;
        }
        assert!(
            public.is_dir(),
            "run {i} (delay {delay:?}): the output directory is gone"
        );
        let now = snapshot(&public);
        assert!(
            now == snap_a || now == snap_b,
            "run {i} (delay {delay:?}, killed: {killed}): the output is not one whole build \
             ({} files; A has {}, B has {})",
            now.len(),
            snap_a.len(),
            snap_b.len()
        );
        if i % 5 == 4 {
            search_works(root);
        }
    }
    eprintln!("{completed} of {runs} builds finished before the kill");

    set_state(root, false);
    full_build(root);
    assert!(snapshot(&public) == snap_a);
    let left = leftovers(root);
    assert!(left.is_empty(), "left behind: {left:?}");
    let parent: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            ![
                "book.toml",
                "owners.yaml",
                "content",
                "public",
                ".fieldbook",
            ]
            .contains(&n.as_str())
        })
        .collect();
    assert!(
        parent.is_empty(),
        "unexpected files beside the output: {parent:?}"
    );
    search_works(root);
    let orphans = orphan_index_files(root);
    assert!(
        orphans.is_empty(),
        "search index files no commit refers to: {orphans:?}"
    );
}

/// A writer killed while tantivy wrote `meta.json` leaves its `.tmpXXXXXX` file; the next
/// build removes it even when the index itself needs no update.
#[test]
fn a_killed_index_writers_temporary_file_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::write_files(
        root,
        &[
            ("book.toml", "[book]\ntitle = \"T\"\n"),
            ("owners.yaml", "people:\n  alice: {name: Alice}\n"),
            ("content/index.md", "---\ntitle: Home\n---\nkubectl here.\n"),
        ],
    );
    full_build(root);
    let stale = root.join(".fieldbook/search/.tmpAbC123");
    std::fs::write(&stale, "{\"half\": ").unwrap();
    full_build(root);
    assert!(
        !stale.exists(),
        "the killed writer's temporary file is still there"
    );
    search_works(root);
}
