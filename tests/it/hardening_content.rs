//! Hostile inputs of the site's own files (docs/hardening.md): what a page includes is read
//! only from inside the site and only from regular files; Fieldbook's working folder and the
//! search export never lead a build to write outside its place; parts bring nothing but
//! their own files.

#![cfg(unix)]

use crate::common::*;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const SECRET: &str = "root:x:0:0:SECRET-MARKER";

/// Run `cmd` to its end, failing the test when it takes longer than `limit` (a FIFO read
/// blocks forever).
fn within(mut cmd: Command, limit: Duration) -> (i32, String, String) {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// Every file below `dir`, as text (lossy), joined.
fn all_text(dir: &Path) -> String {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned())
        .collect()
}

#[test]
fn a_partial_is_read_only_from_a_regular_file_inside_the_site() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd"), SECRET).unwrap();
    let site = site_with(&[(
        "content/runbooks/page.md",
        "---\ntitle: Page\nowners: [alice]\nreviewed: 2026-11-01\n---\n\nBefore\n\n<%= partial \"secret\" %>\n\n<%= partial \"pipe\" %>\n\n<%= partial \"inside\" %>\n\nAfter\n",
    )]);
    symlink(
        outside.path().join("passwd"),
        site.join("content/_secret.md"),
    )
    .unwrap();
    // A link that stays inside the site is read like the file it names.
    site.write("shared/inside.md", "Shared words\n");
    symlink(
        site.join("shared/inside.md"),
        site.join("content/_inside.md"),
    )
    .unwrap();
    let fifo = mkfifo(&site.join("content/_pipe.md"));

    let mut cmd = command();
    cmd.args(["build"])
        .arg(site.path())
        .arg("--output")
        .arg(site.output_dir())
        .args(["--today", "2026-11-27"]);
    let (code, _, err) = within(cmd, Duration::from_secs(60));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("symlink-outside") && err.contains("_secret.md"),
        "{err}"
    );
    if fifo {
        assert!(
            err.contains("_pipe.md") && err.contains("not a regular file"),
            "{err}"
        );
    }
    let page = site.read_output("runbooks/page/index.html");
    assert!(page.contains("Before") && page.contains("After"), "{page}");
    assert!(page.contains("Shared words"), "{page}");
    assert!(!all_text(&site.output_dir()).contains("SECRET-MARKER"));
    assert!(!all_text(&site.join(".fieldbook")).contains("SECRET-MARKER"));
}

#[test]
fn a_fifo_where_a_document_should_be_stops_nothing_from_ending() {
    let site = site_with(&[("content/ok.md", "---\ntitle: Fine\n---\n\nText.\n")]);
    if !mkfifo(&site.join("content/pipe.md")) {
        return;
    }
    for sub in ["check", "build"] {
        let mut cmd = command();
        cmd.arg(sub).arg(site.path());
        let (code, out, err) = within(cmd, Duration::from_secs(60));
        assert_eq!(code, 2, "{sub}: {out}{err}");
        assert!(
            err.contains("pipe.md") || out.contains("pipe.md"),
            "{out}{err}"
        );
        assert!(err.contains("not a regular file") || out.contains("not a regular file"));
    }
    // Among the assets, and as the owners registry.
    std::fs::remove_file(site.join("content/pipe.md")).unwrap();
    assert!(mkfifo(&site.join("content/diagram.png")));
    let mut cmd = command();
    cmd.arg("build").arg(site.path());
    let (code, out, err) = within(cmd, Duration::from_secs(60));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("diagram.png") && err.contains("not a regular file"),
        "{err}"
    );
    std::fs::remove_file(site.join("content/diagram.png")).unwrap();
    std::fs::remove_file(site.join("owners.yaml")).unwrap();
    assert!(mkfifo(&site.join("owners.yaml")));
    let mut cmd = command();
    cmd.arg("check").arg(site.path());
    let (code, out, err) = within(cmd, Duration::from_secs(60));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("not a regular file"),
        "{out}{err}"
    );
}

#[test]
fn site_files_are_not_read_through_links_leading_out() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("owners.yaml"),
        "people:\n  mallory: { name: SECRET-MARKER }\n",
    )
    .unwrap();
    let site = site_with(&[(
        "content/ok.md",
        "---\ntitle: Fine\nowners: [mallory]\nreviewed: 2026-11-01\n---\n\nText.\n",
    )]);
    std::fs::remove_file(site.join("owners.yaml")).unwrap();
    symlink(outside.path().join("owners.yaml"), site.join("owners.yaml")).unwrap();
    let (code, out, err) = site.build(&[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("outside the site"), "{err}");
    assert!(!site.output_dir().exists() || !all_text(&site.output_dir()).contains("SECRET-MARKER"));
}

#[test]
fn the_working_folder_is_never_a_link_out_of_the_site() {
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("keep.txt"), "precious").unwrap();
    for link in [".fieldbook", ".fieldbook/search"] {
        let site = site_with(&[("content/ok.md", "---\ntitle: Fine\n---\n\nText.\n")]);
        if link == ".fieldbook/search" {
            std::fs::create_dir(site.join(".fieldbook")).unwrap();
        }
        symlink(elsewhere.path(), site.join(link)).unwrap();
        let (code, _, err) = site.build(&[]);
        // The site is built; the terminal's index is not updated, and says why.
        assert_eq!(code, 0, "{err}");
        assert!(site.join("public/ok/index.html").is_file());
        assert!(err.contains("symbolic link"), "{link}: {err}");
        let names: Vec<String> = std::fs::read_dir(elsewhere.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["keep.txt"], "{link}: written outside the site");
        let (code, _, err) = run(["search".as_ref(), "fine".as_ref(), site.path().as_os_str()]);
        assert_ne!(code, 0, "{err}");
    }
}

#[test]
fn the_search_export_is_never_inside_the_output() {
    let site = site_with(&[("content/ok.md", "---\ntitle: Fine\n---\n\nText.\n")]);
    let (code, _, err) = site.build(&[]);
    assert_eq!(code, 0, "{err}");
    let before = all_text(&site.output_dir());
    let export = site.join("public/records.json");
    let (code, _, err) = site.build(&["--search-export", export.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("inside the output directory"), "{err}");
    assert_eq!(
        all_text(&site.output_dir()),
        before,
        "the last site was touched"
    );
    assert!(!export.exists());
    let beside = site.join("records.json");
    let (code, _, err) = site.build(&["--search-export", beside.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(beside.is_file());
}

#[test]
fn a_part_brings_only_its_own_regular_files() {
    let site = TestSite::fixture("valid");
    let part = site.join("part-out");
    let (code, _, err) = build_into(site.path(), &part, &["--part", "db"]);
    assert!(code == 0 || code == 1, "{err}");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("shadow"), SECRET).unwrap();
    symlink(outside.path().join("shadow"), part.join("db/leak.html")).unwrap();
    symlink(outside.path(), part.join("db/leakdir")).unwrap();
    let composed = site.join("composed");
    let (code, _, err) = run([
        "compose".as_ref(),
        part.as_os_str(),
        "--output".as_ref(),
        composed.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        composed
            .join("db/runbooks/db/failover/index.html")
            .is_file()
    );
    assert!(!composed.join("db/leak.html").exists());
    assert!(!composed.join("db/leakdir").exists());
    assert!(!all_text(&composed).contains("SECRET-MARKER"));

    // The part's pages folder itself a link: refused.
    let moved = site.join("pages-elsewhere");
    std::fs::rename(part.join("db"), &moved).unwrap();
    symlink(&moved, part.join("db")).unwrap();
    let (code, _, err) = run([
        "compose".as_ref(),
        part.as_os_str(),
        "--output".as_ref(),
        site.join("composed2").as_os_str(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("pages are missing"), "{err}");
}

#[test]
fn a_lying_manifest_is_refused_whole() {
    let site = TestSite::fixture("valid");
    let part = site.join("part-out");
    build_into(site.path(), &part, &["--part", "db"]);
    let manifest = std::fs::read_to_string(part.join("part.json")).unwrap();
    for (from, to) in [
        (
            "\"url\": \"db/runbooks/db/failover/\"",
            "\"url\": \"javascript:alert(1)\"",
        ),
        (
            "\"url\": \"db/runbooks/db/failover/\"",
            "\"url\": \"data:text/html,x\"",
        ),
        ("\"prefix\": \"db/\"", "\"prefix\": \"../../evil/\""),
        (
            "\"search\": \"db/search/index.json\"",
            "\"search\": \"https://evil.example/i.json\"",
        ),
    ] {
        assert!(manifest.contains(from), "{from}");
        std::fs::write(part.join("part.json"), manifest.replace(from, to)).unwrap();
        let out = site.join("composed");
        let (code, _, err) = run([
            "compose".as_ref(),
            part.as_os_str(),
            "--output".as_ref(),
            out.as_os_str(),
        ]);
        assert_eq!(code, 2, "{to}: {err}");
        assert!(err.contains("refused"), "{err}");
        assert!(!out.exists());
    }
}

#[test]
fn a_document_lists_a_bounded_number_of_alerts_tags_and_services() {
    let n = fieldbook::load::MAX_LIST + 50;
    let alerts: Vec<String> = (0..n).map(|i| format!("Alert{i:05}")).collect();
    let site = site_with(&[(
        "content/runbooks/many.md",
        &format!(
            "---\ntitle: Many\nowners: [alice]\nreviewed: 2026-11-01\nalerts: [{}]\n---\n\nSteps.\n",
            alerts.join(", ")
        ),
    )]);
    let (_, json) = site.check_json(&["--today", "2026-11-27"]);
    let found = findings(&json);
    let over: Vec<_> = found.iter().filter(|f| f.0 == "file-too-large").collect();
    assert_eq!(over.len(), 1, "{found:?}");
    assert_eq!(
        (over[0].3, over[0].4),
        (5, 9),
        "positioned at the alerts key's value"
    );
    assert!(
        json.to_string().contains(&format!("lists {n} values")),
        "{json}"
    );
}
