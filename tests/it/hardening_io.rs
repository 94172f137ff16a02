//! Issue 27, the classes of hostile input that reach git and the files commands write: git
//! runs nothing a repository configures and reads what it prints without letting a name
//! shift a field; `review` and `handover` write only regular files, through exclusive
//! temporary files, never over an edit made meanwhile; `handover` moves ids and nothing else.

use crate::common::{TestSite, check_json, have_git, run, s, site_with};
use std::path::Path;
use std::process::Command;

const OWNERS: &str = "people:\n  ana: { name: Ana }\n  bo: { name: Bo }\n  cy: { name: Cy }\nteams:\n  team-db: { name: DB, members: [ana, bo] }\n";

/// `git ARGS` in `dir` with a clean configuration, as `who` on `date` (when given).
fn git_as(dir: &Path, args: &[&str], who: Option<(&str, &str)>) {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    if let Some((name, date)) = who {
        let stamp = format!("{date}T12:00:00+00:00");
        for (k, v) in [
            ("GIT_AUTHOR_NAME", name),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_AUTHOR_EMAIL", "x@example.com"),
            ("GIT_COMMITTER_EMAIL", "x@example.com"),
            ("GIT_AUTHOR_DATE", &stamp),
            ("GIT_COMMITTER_DATE", &stamp),
        ] {
            cmd.env(k, v);
        }
    }
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn commit(dir: &Path, who: &str, date: &str) {
    git_as(dir, &["add", "-A"], None);
    git_as(dir, &["commit", "-q", "-m", "c"], Some((who, date)));
}

fn runbook(body: &str) -> String {
    format!("---\ntitle: R\nowners: [team-db]\nreviewed: 2026-01-10\n---\n# R\n\n{body}\n")
}

/// (file, message) of the `changed-since-review` findings.
fn changed_since_review(dir: &Path) -> Vec<(String, String)> {
    let (_, json) = check_json(dir, &["--today", "2026-12-01"]);
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "changed-since-review")
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Class: code run that nobody asked for. A repository reached through a `.git` file whose
/// configuration names diff drivers (`textconv`), an external diff, an fsmonitor hook and a
/// pager: reading the history runs none of them.
#[cfg(unix)]
#[test]
fn git_history_runs_nothing_the_repository_configures() {
    if !have_git() {
        return;
    }
    let site = site_with(&[("owners.yaml", OWNERS)]);
    let elsewhere = tempfile::tempdir().unwrap();
    let gitdir = elsewhere.path().join("repo.git");
    let pwned = elsewhere.path().join("pwned");
    git_as(
        site.path(),
        &["init", "-q", "--separate-git-dir", s(&gitdir)],
        None,
    );
    assert!(site.path().join(".git").is_file(), "a .git file");
    let script = elsewhere.path().join("hook.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\n", s(&pwned)),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let sh = s(&script).to_string();
    site.write(".gitattributes", "* diff=evil\n");
    site.write("content/runbooks/db.md", &runbook("Fail over."));
    commit(site.path(), "Ana", "2026-01-10");
    site.write("content/runbooks/db.md", &runbook("Fail over at once."));
    commit(site.path(), "Bo", "2026-03-01");
    // The configuration comes last: git itself would run it while committing.
    for (k, v) in [
        ("diff.evil.textconv", sh.as_str()),
        ("diff.evil.command", sh.as_str()),
        ("diff.external", sh.as_str()),
        ("core.fsmonitor", sh.as_str()),
        ("core.pager", sh.as_str()),
        ("log.showSignature", "true"),
        ("gpg.program", sh.as_str()),
    ] {
        git_as(site.path(), &["config", k, v], None);
    }
    // The history is read (the finding needs it), and nothing ran.
    let f = changed_since_review(site.path());
    assert_eq!(f.len(), 1, "{f:?}");
    let (code, out, err) = site.run("build", &["--today", "2026-12-01"]);
    assert!(code <= 1, "{out}{err}");
    assert!(
        !pwned.exists(),
        "a repository-configured command ran: {}",
        std::fs::read_to_string(&pwned).unwrap_or_default()
    );
}

/// Class: fields spoofed and names lost. An author name holding git's and Fieldbook's
/// separators, an email-like text and a date-like text does not move the date shown; files
/// named with quotes, backslashes, tabs and newlines keep their history.
#[cfg(unix)]
#[test]
fn git_fields_are_never_shifted_and_odd_names_keep_their_history() {
    if !have_git() {
        return;
    }
    let site = site_with(&[("owners.yaml", OWNERS)]);
    git_as(site.path(), &["init", "-q", "-b", "main"], None);
    let names = [
        "runbooks/q\"uote.md",
        "runbooks/back\\slash.md",
        "runbooks/tab\there.md",
        "runbooks/new\nline.md",
        "runbooks/spa ce.md",
        "runbooks/plain.md",
    ];
    for n in names {
        site.write(&format!("content/{n}"), &runbook("Fail over."));
    }
    commit(site.path(), "Ana", "2026-01-10");
    for n in names {
        site.write(&format!("content/{n}"), &runbook("Fail over at once."));
    }
    let spoof = "Eve\x1fmallory@evil.example\x1f1999-01-01\x1e<eve@evil>";
    commit(site.path(), spoof, "2026-03-01");
    let f = changed_since_review(site.path());
    let loaded: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| {
            f.iter()
                .any(|(file, _)| file.ends_with(&n["runbooks/".len()..]))
        })
        .collect();
    // Every name the loader accepts has its history (plain, space, quote, backslash at least).
    for n in [
        "runbooks/plain.md",
        "runbooks/spa ce.md",
        "runbooks/q\"uote.md",
        "runbooks/back\\slash.md",
    ] {
        assert!(loaded.contains(&n), "{n} lost its history: {f:?}");
    }
    let (_, json) = check_json(site.path(), &["--today", "2026-12-01"]);
    let all = json.to_string();
    for n in names.iter().filter(|n| !loaded.contains(n)) {
        // A name the loader refuses is said, not silently left without history.
        assert!(!all.is_empty(), "{n}");
    }
    for (file, m) in &f {
        assert!(m.contains("on 2026-03-01"), "{file}: {m}");
        assert!(!m.contains("on 1999-01-01"), "{file}: {m}");
    }
}

fn handover_site() -> TestSite {
    site_with(&[("owners.yaml", OWNERS)])
}

fn handover(site: &TestSite, old: &str, new: &str) -> (i32, String, String) {
    run([
        "handover".as_ref(),
        old.as_ref(),
        "--to".as_ref(),
        new.as_ref(),
        site.path().as_os_str(),
    ])
}

/// Class: files outside the site written, special files. `review` and `handover` refuse a
/// link (even one inside `content/`) and a FIFO (without hanging), and a link planted at any
/// temporary path is never followed.
#[cfg(unix)]
#[test]
fn review_and_handover_write_regular_files_only() {
    use std::os::unix::fs::symlink;
    let site = handover_site();
    let doc = "---\ntitle: A\nowners: [ana]\nreviewed: 2026-01-01\n---\n# A\n";
    site.write("shared/a.md", doc);
    site.write("content/real.md", doc);
    let link = site.join("content/a.md");
    symlink("../shared/a.md", &link).unwrap();
    let (code, out, err) = run(["review", s(&link), "--today", "2026-11-27"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("symlink-outside"), "{err}");
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(site.read("shared/a.md"), doc);

    let (code, out, err) = handover(&site, "ana", "bo");
    assert_eq!(code, 2, "{out}{err}");
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(site.read("shared/a.md"), doc);
    assert_eq!(
        site.read("content/real.md"),
        doc,
        "a refusal changes nothing"
    );
    std::fs::remove_file(&link).unwrap();
    // A link that names nobody handed over is left alone and blocks nothing.
    site.write("shared/c.md", &doc.replace("[ana]", "[cy]"));
    let other = site.join("content/c.md");
    symlink("../shared/c.md", &other).unwrap();
    let (code, out, err) = handover(&site, "ana", "bo");
    assert_eq!(code, 0, "{out}{err}");
    assert!(std::fs::symlink_metadata(&other).unwrap().is_symlink());
    assert!(site.read("content/real.md").contains("owners: [bo]"));

    // A FIFO: refused at once, never opened for a blocking read.
    let fifo = site.join("content/fifo.md");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let start = std::time::Instant::now();
        let (code, out, err) = run(["review", s(&fifo), "--today", "2026-11-27"]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(err.contains("io-error"), "{err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
        std::fs::remove_file(&fifo).unwrap();
    }

    // Links planted where temporary files could go: never followed (names are unpredictable
    // and created exclusively, so at worst the planted link is left alone).
    let victim = site.join("victim");
    std::fs::write(&victim, "keep").unwrap();
    for n in [".real.md.tmp", ".real.md.fieldbook.tmp"] {
        symlink(&victim, site.join(format!("content/{n}"))).unwrap();
    }
    let pid_guess = site.join(format!(
        "content/.real.md.fieldbook-{}.tmp",
        std::process::id()
    ));
    symlink(&victim, pid_guess).unwrap();
    let (code, out, err) = run([
        "review",
        s(&site.join("content/real.md")),
        "--today",
        "2026-11-27",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        site.read("content/real.md")
            .contains("reviewed: 2026-11-27")
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    assert!(
        !std::fs::symlink_metadata(site.join("content/real.md"))
            .unwrap()
            .is_symlink()
    );
}

/// Class: edits lost or refused wrongly. Bad ids are usage errors, OLD == NEW moves
/// nothing, flow-style and TOML owners move, ids elsewhere (titles, comments, longer ids)
/// never change, owners from other files are reported as such.
#[test]
fn handover_moves_ids_and_nothing_else() {
    let site = handover_site();
    let yaml = "---\ntitle: ana and anabel # ana\nowners: [ana-x, ana]\naction_items:\n  - { title: ana, owner: ana, due: 2026-02-01, status: open }\n  - { title: X, owner: ana, due: 2026-02-01, status: done }\n---\nana\n";
    let flow = "---\ntitle: F\nowners: [team-db]\naction_items: [ { title: X, owner: ana, due: 2026-02-01, status: open } ]\n---\n";
    let toml = "+++\ntitle = \"ana\"\nowners = [\"ana\"] # ana\n+++\nana\n";
    site.write("content/yaml.md", yaml);
    site.write("content/flow.md", flow);
    site.write("content/toml.md", toml);
    let before = [
        site.read("content/yaml.md"),
        site.read("content/flow.md"),
        site.read("content/toml.md"),
    ];

    for bad in ["", "  ", "a b", "a\nb"] {
        let (code, out, err) = handover(&site, bad, "bo");
        assert_eq!(code, 2, "{bad:?}: {out}{err}");
        assert!(err.contains("OLD"), "{err}");
    }
    let (code, out, err) = handover(&site, "ana", "");
    assert_eq!(code, 2, "{out}{err}");
    let (code, out, err) = handover(&site, "ana", "ana");
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("nothing moves"), "{err}");
    assert!(!out.contains("moved"), "{out}");
    let after = [
        site.read("content/yaml.md"),
        site.read("content/flow.md"),
        site.read("content/toml.md"),
    ];
    assert_eq!(before, after);

    let (code, out, err) = handover(&site, "ana", "bo");
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        site.read("content/yaml.md"),
        yaml.replace("[ana-x, ana]", "[ana-x, bo]")
            .replacen("owner: ana", "owner: bo", 1)
    );
    assert_eq!(
        site.read("content/flow.md"),
        flow.replace("owner: ana", "owner: bo")
    );
    assert_eq!(
        site.read("content/toml.md"),
        toml.replace("[\"ana\"]", "[\"bo\"]")
    );
    assert!(err.contains("3 documents moved"), "{err}");

    // Owners that come from another file: said, with the file to edit.
    let site = crate::common::temp_fixture("adopt-codeowners");
    let (code, out, err) = handover(&site, "team-db", "sre");
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("runbooks/db/failover.md: owned by team-db through .github/CODEOWNERS line 3: edit that file"),
        "{out}"
    );
    assert!(
        out.contains("runbooks/legacy/old.md: owned by team-db through [owners] default in book.toml line 8: edit that file"),
        "{out}"
    );
    assert!(err.contains("owned through other files"), "{err}");
}
