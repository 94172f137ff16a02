//! Bad input: every way a handbook can be malformed that users have hit or will hit. Each
//! run must end with the exit status FORMAT.md promises (2 for configuration, owners and I/O
//! errors; 1 for content findings in `fail_on`; 0 otherwise), with a finding that names the
//! file, the line (and column), a stable code and a hint; never with a panic; and `check`
//! must write nothing, neither in the site nor in the working directory.

use crate::common::{
    MINIMAL_OWNERS_YAML, command, json_findings, output, site_with, write_bytes, write_files,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;
use std::time::{Duration, Instant};

const TODAY: &str = "2026-03-01";

/// Codes that make a run exit 2 (FORMAT.md: configuration and I/O errors).
const FATAL: [&str; 3] = ["invalid-config", "invalid-owners", "io-error"];

/// The binary is debug-built and tests run in parallel: generous, yet far below what an
/// alias bomb or reading 50 MB line by line would take.
const QUICK: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Run `fieldbook args...` in `cwd`; (exit code, stdout, stderr), asserting no panic.
fn fieldbook_in<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> (i32, String, String) {
    let mut cmd = command();
    cmd.current_dir(cwd).args(args);
    let (code, out, err) = output(cmd);
    assert!(
        !err.contains("panicked") && code != 101,
        "fieldbook panicked (exit {code}):\n{err}"
    );
    assert!(
        (0..=2).contains(&code),
        "exit status {code} is not 0, 1 or 2:\n{out}\n{err}"
    );
    (code, out, err)
}

/// Everything under `root`, not following symbolic links: kind, size, modification time and
/// (for small readable files) a hash of the contents. Equal snapshots mean nothing was written.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    use std::hash::{Hash, Hasher};
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let desc = if meta.file_type().is_symlink() {
                format!("link -> {}", std::fs::read_link(&path).unwrap().display())
            } else if meta.is_dir() {
                stack.push(path.clone());
                "dir".to_string()
            } else {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                if meta.len() <= 1 << 20 {
                    std::fs::read(&path).ok().hash(&mut h);
                }
                format!(
                    "file {} bytes, modified {:?}, hash {:x}",
                    meta.len(),
                    meta.modified().ok(),
                    h.finish()
                )
            };
            out.insert(rel, desc);
        }
    }
    out
}

/// What `check` said about a site, in JSON and in human form.
struct Checked {
    code: i32,
    json: String,
    human: String,
    stderr: String,
    findings: Vec<Value>,
    /// Wall time of the JSON run.
    elapsed: Duration,
}

impl Checked {
    fn dump(&self) -> String {
        format!(
            "exit {}\n--- json ---\n{}\n--- human ---\n{}\n--- stderr ---\n{}",
            self.code, self.json, self.human, self.stderr
        )
    }

    fn codes(&self) -> Vec<&str> {
        self.findings
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect()
    }

    /// The finding with `code` in `file` at `line` (and `column`, when given), which must have
    /// `severity` and a non-empty hint.
    fn expect(
        &self,
        code: &str,
        file: &str,
        line: u64,
        column: Option<u64>,
        severity: &str,
    ) -> &Value {
        let f = self
            .findings
            .iter()
            .find(|f| {
                f["code"] == code
                    && f["file"] == file
                    && f["line"] == line
                    && column.is_none_or(|c| f["column"] == c)
            })
            .unwrap_or_else(|| {
                panic!(
                    "expected {code} at {file}:{line}:{}\n{}",
                    column.map_or("*".into(), |c| c.to_string()),
                    self.dump()
                )
            });
        assert_eq!(f["severity"], severity, "{f}\n{}", self.dump());
        assert!(
            f["hint"].as_str().is_some_and(|h| !h.trim().is_empty()),
            "{code} has no hint: {f}"
        );
        f
    }

    /// The run found exactly these codes (in any order).
    fn only(&self, codes: &[&str]) {
        let mut got = self.codes();
        got.sort_unstable();
        let mut want = codes.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{}", self.dump());
    }
}

/// `fieldbook check SITE --today TODAY extra...`, once with `--format json` and once in human
/// form, from an empty working directory. Asserts that neither run wrote anything, that both
/// agree on the exit status, that the status follows from the findings, that every JSON
/// finding has FORMAT.md's shape and that the human output shows each at `file:line:column`.
fn check(site: &Path, extra: &[&str]) -> Checked {
    let cwd = tempfile::tempdir().unwrap();
    let before = snapshot(site);
    let site_arg = site.to_str().unwrap();
    let mut json_args = vec!["check", site_arg, "--format", "json", "--today", TODAY];
    json_args.extend_from_slice(extra);
    let start = Instant::now();
    let (code, json, err_json) = fieldbook_in(cwd.path(), &json_args);
    let elapsed = start.elapsed();
    let mut human_args = vec!["check", site_arg, "--color", "never", "--today", TODAY];
    human_args.extend_from_slice(extra);
    let (human_code, human, err_human) = fieldbook_in(cwd.path(), &human_args);
    let stderr = format!("{err_json}{err_human}");
    assert_eq!(before, snapshot(site), "check wrote into the site");
    assert!(
        snapshot(cwd.path()).is_empty(),
        "check wrote into its working directory"
    );
    let findings = json_findings(&json);
    let checked = Checked {
        code,
        json,
        human,
        stderr,
        findings,
        elapsed,
    };
    assert_eq!(
        code,
        human_code,
        "JSON and human runs disagree\n{}",
        checked.dump()
    );
    let fatal = checked.codes().iter().any(|c| FATAL.contains(c));
    let errors = checked.findings.iter().any(|f| f["severity"] == "error");
    let want = if fatal {
        2
    } else if errors {
        1
    } else {
        0
    };
    assert_eq!(
        code,
        want,
        "exit status does not follow the findings\n{}",
        checked.dump()
    );
    for f in &checked.findings {
        let at = format!(
            "{}:{}:{}",
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"]
        );
        let label = format!("[{}]", f["code"].as_str().unwrap());
        assert!(
            checked.human.contains(&at) && checked.human.contains(&label),
            "human output lacks {label} at {at}\n{}",
            checked.dump()
        );
    }
    checked
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(true)
}

/// A runbook that passes every check on [`TODAY`] with the minimal owners.
const GOOD_RUNBOOK: &str = "---\ntitle: Restart the pool\nowners: [alice]\nreviewed: 2026-02-01\n---\n# Restart the pool\n";

// ---------------------------------------------------------------------------------------
// Front matter syntax
// ---------------------------------------------------------------------------------------

#[test]
fn malformed_yaml_front_matter() {
    let site = site_with(&[(
        "content/runbooks/dns.md",
        "---\ntitle: DNS\nowners: [alice]\nsummary: DNS: resolution fails\nreviewed: 2026-02-01\n---\n# DNS\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect(
        "invalid-metadata",
        "content/runbooks/dns.md",
        4,
        Some(13),
        "error",
    );
    assert!(f["hint"].as_str().unwrap().contains("quote"), "{f}");
    c.only(&["invalid-metadata"]);
}

#[test]
fn malformed_toml_front_matter() {
    let site = site_with(&[(
        "content/runbooks/dns.md",
        "+++\ntitle = \"DNS\"\nowners = [alice]\nreviewed = 2026-02-01\n+++\n# DNS\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    c.expect(
        "invalid-metadata",
        "content/runbooks/dns.md",
        3,
        Some(11),
        "error",
    );
    c.only(&["invalid-metadata"]);
}

#[test]
fn lone_opening_fence_is_unclosed_front_matter() {
    for text in ["---\n", "---", "---\ntitle: x\n", "+++\ntitle = \"x\"\n"] {
        let site = site_with(&[("content/notes.md", text)]);
        let c = check(site.path(), &[]);
        assert_eq!(c.code, 1, "{text:?}\n{}", c.dump());
        let f = c.expect("invalid-metadata", "content/notes.md", 1, Some(1), "error");
        assert!(
            f["message"].as_str().unwrap().contains("never closed"),
            "{f}"
        );
    }
}

#[test]
fn duplicate_key_in_front_matter_keeps_the_page_and_points_at_the_repeat() {
    // The source tools take the last value; a page (and every link to it) is not lost.
    let site = site_with(&[
        (
            "content/notes.md",
            "---\ntitle: One\ntags: [a]\ntitle: Two\n---\n",
        ),
        (
            "content/index.md",
            "---\ntitle: Home\n---\n\nSee [notes](notes.md).\n",
        ),
    ]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 0, "{}", c.dump());
    let f = c.expect(
        "conflicting-keys",
        "content/notes.md",
        4,
        Some(1),
        "warning",
    );
    assert!(
        f["message"].as_str().unwrap().contains("written twice"),
        "{f}"
    );
    let (code, _, err) = site.build(&[]);
    assert_eq!(code, 0, "{err}");
    assert!(site.read_output("notes/index.html").contains("Two"));
    assert!(!err.contains("broken-link"), "{err}");
}

#[test]
fn yaml_alias_bomb_in_front_matter_is_rejected_quickly() {
    let site = site_with(&[("content/bomb.md", &alias_bomb("", "title: Bomb\n", true))]);
    let c = check(site.path(), &[]);
    assert!(c.elapsed < QUICK, "took {:?}", c.elapsed);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect("invalid-metadata", "content/bomb.md", 2, None, "error");
    assert!(f["message"].as_str().unwrap().contains("limit"), "{f}");
}

/// Billion laughs: nine levels of nine aliases each, 9^9 strings if expanded.
fn alias_bomb(indent: &str, rest: &str, fenced: bool) -> String {
    let mut s = String::new();
    if fenced {
        s.push_str("---\n");
    }
    s.push_str(&format!(
        "{indent}l0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    ));
    for i in 1..9 {
        let refs = vec![format!("*l{}", i - 1); 9].join(",");
        s.push_str(&format!("{indent}l{i}: &l{i} [{refs}]\n"));
    }
    s.push_str(rest);
    if fenced {
        s.push_str("---\n# Bomb\n");
    }
    s
}

// ---------------------------------------------------------------------------------------
// Front matter types and values
// ---------------------------------------------------------------------------------------

#[test]
fn wrong_type_minutes() {
    let site = site_with(&[(
        "content/notes.md",
        "---\ntitle: X\ntags: [a]\nreview_every: 30d\nminutes: lots\n---\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect("invalid-metadata", "content/notes.md", 5, Some(10), "error");
    assert!(f["message"].as_str().unwrap().contains("minutes"), "{f}");
}

#[test]
fn wrong_type_tags() {
    let site = site_with(&[("content/notes.md", "---\ntitle: X\ntags: 3\n---\n")]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect("invalid-metadata", "content/notes.md", 3, Some(7), "error");
    assert!(f["message"].as_str().unwrap().contains("tags"), "{f}");
}

#[test]
fn wrong_type_owners_map_is_refused() {
    let site = site_with(&[(
        "content/runbooks/x.md",
        "---\ntitle: X\nowners: {a: 1}\nreviewed: 2026-02-01\n---\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    c.only(&["invalid-metadata"]);
}

#[test]
fn wrong_type_owners_map_is_positioned() {
    let site = site_with(&[(
        "content/runbooks/x.md",
        "---\ntitle: X\nowners: {a: 1}\nreviewed: 2026-02-01\n---\n",
    )]);
    let c = check(site.path(), &[]);
    let f = c.expect(
        "invalid-metadata",
        "content/runbooks/x.md",
        3,
        Some(9),
        "error",
    );
    assert!(f["message"].as_str().unwrap().contains("owners"), "{f}");
    assert!(!f["message"].as_str().unwrap().contains("untagged"), "{f}");
}

#[test]
fn impossible_reviewed_date() {
    let site = site_with(&[(
        "content/runbooks/x.md",
        "---\ntitle: X\nowners: [alice]\nreviewed: 2026-02-30\n---\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect(
        "invalid-metadata",
        "content/runbooks/x.md",
        4,
        Some(11),
        "error",
    );
    assert!(f["message"].as_str().unwrap().contains("2026-02-30"), "{f}");
}

#[test]
fn impossible_date_in_toml_front_matter() {
    let site = site_with(&[(
        "content/runbooks/x.md",
        "+++\ntitle = \"X\"\nowners = [\"alice\"]\nreviewed = 2026-02-30\n+++\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    c.expect(
        "invalid-metadata",
        "content/runbooks/x.md",
        4,
        Some(12),
        "error",
    );
}

#[test]
fn reviewed_in_the_future() {
    let site = site_with(&[(
        "content/runbooks/x.md",
        "---\ntitle: X\nowners: [alice]\nreviewed: 2026-03-02\n---\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect(
        "invalid-metadata",
        "content/runbooks/x.md",
        4,
        Some(11),
        "error",
    );
    assert!(
        f["message"].as_str().unwrap().contains("after today"),
        "{f}"
    );
    // Reviewed today is fine: the boundary belongs to the past.
    write_files(
        site.path(),
        &[(
            "content/runbooks/x.md",
            "---\ntitle: X\nowners: [alice]\nreviewed: 2026-03-01\n---\n",
        )],
    );
    let c = check(site.path(), &[]);
    assert_eq!((c.code, c.findings.len()), (0, 0), "{}", c.dump());
}

#[test]
fn typo_key_warns_and_runbook_is_never_reviewed() {
    let site = site_with(&[(
        "content/runbooks/x.md",
        "---\ntitle: X\nowners: [alice]\nreviwed: 2026-02-01\n---\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 0, "{}", c.dump());
    let f = c.expect(
        "unknown-key",
        "content/runbooks/x.md",
        4,
        Some(1),
        "warning",
    );
    assert!(f["message"].as_str().unwrap().contains("reviewed"), "{f}");
    c.expect(
        "never-reviewed",
        "content/runbooks/x.md",
        1,
        Some(1),
        "warning",
    );
    c.only(&["unknown-key", "never-reviewed"]);
}

#[test]
fn strict_turns_warnings_into_failures() {
    let site = site_with(&[(
        "content/runbooks/x.md",
        "---\ntitle: X\nowners: [alice]\nreviwed: 2026-02-01\n---\n",
    )]);
    assert_eq!(check(site.path(), &[]).code, 0);
    let c = check(site.path(), &["--strict"]);
    assert_eq!(c.code, 1, "{}", c.dump());
    c.expect("unknown-key", "content/runbooks/x.md", 4, Some(1), "error");
    c.expect(
        "never-reviewed",
        "content/runbooks/x.md",
        1,
        Some(1),
        "error",
    );
    // A clean site stays clean.
    let clean = site_with(&[("content/runbooks/ok.md", GOOD_RUNBOOK)]);
    assert_eq!(check(clean.path(), &["--strict"]).code, 0);
}

// ---------------------------------------------------------------------------------------
// Encodings, line endings, sizes
// ---------------------------------------------------------------------------------------

#[test]
fn empty_file_is_a_page_titled_from_its_name() {
    let site = site_with(&[("content/my_empty-page.md", "")]);
    let c = check(site.path(), &[]);
    assert_eq!((c.code, c.findings.len()), (0, 0), "{}", c.dump());
    // The title is not visible through `check`; ask the library that the binary is built on.
    let today = fieldbook::content::date::Date::parse(TODAY).unwrap();
    let loaded = fieldbook::load::load_site(site.path(), Some(today)).unwrap();
    assert_eq!(loaded.documents.len(), 1);
    assert_eq!(loaded.documents[0].title, "my empty page");
}

#[test]
fn utf8_bom_is_ignored() {
    let bom = "\u{feff}";
    let site = site_with(&[
        ("book.toml", &format!("{bom}[book]\ntitle = \"Bom\"\n")),
        ("owners.yaml", &format!("{bom}{MINIMAL_OWNERS_YAML}")),
        ("content/runbooks/ok.md", &format!("{bom}{GOOD_RUNBOOK}")),
        (
            "content/toml.md",
            &format!("{bom}+++\ntitle = \"T\"\n+++\n"),
        ),
        ("content/only-bom.md", bom),
    ]);
    let c = check(site.path(), &[]);
    assert_eq!((c.code, c.findings.len()), (0, 0), "{}", c.dump());
    // A mistake after a BOM is still on its own line and column.
    write_files(
        site.path(),
        &[(
            "content/notes.md",
            &format!("{bom}---\ntitle: X\nminutes: lots\n---\n"),
        )],
    );
    let c = check(site.path(), &[]);
    c.expect("invalid-metadata", "content/notes.md", 3, Some(10), "error");
}

#[test]
fn crlf_line_endings_parse_and_keep_positions() {
    let crlf = |s: &str| s.replace('\n', "\r\n");
    let site = site_with(&[
        ("content/runbooks/ok.md", &crlf(GOOD_RUNBOOK)),
        ("content/guides/b.md", &crlf("# B\n\n## Restart the pool\n")),
        (
            "content/guides/a.md",
            &crlf("---\ntitle: A\n---\n# A\n\nSee [b](b.md#restart-the-pool).\n"),
        ),
    ]);
    let c = check(site.path(), &[]);
    assert_eq!((c.code, c.findings.len()), (0, 0), "{}", c.dump());
    write_files(
        site.path(),
        &[
            (
                "content/notes.md",
                &crlf("---\ntitle: X\ntags: [a]\nreview_every: 30d\nminutes: lots\n---\n"),
            ),
            (
                "content/guides/a.md",
                &crlf(
                    "---\ntitle: A\n---\n# A\n\nSee [b](b.md#restart-the-pool) and\nthe [missing](nope.md) page.\n",
                ),
            ),
        ],
    );
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    c.expect("invalid-metadata", "content/notes.md", 5, Some(10), "error");
    c.expect("broken-link", "content/guides/a.md", 7, Some(5), "error");
    c.only(&["invalid-metadata", "broken-link"]);
}

#[test]
fn non_utf8_bytes_are_invalid_encoding_at_their_line() {
    let site = site_with(&[]);
    write_bytes(
        site.path(),
        "content/latin1.md",
        b"# Title\n\nline three\ncaf\xe9 au lait\n",
    );
    write_bytes(
        site.path(),
        "content/runbooks/fm.md",
        b"---\ntitle: X\ntags: [caf\xe9]\n---\n",
    );
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect("invalid-encoding", "content/latin1.md", 4, Some(4), "error");
    assert!(f["message"].as_str().unwrap().contains("0xe9"), "{f}");
    c.expect(
        "invalid-encoding",
        "content/runbooks/fm.md",
        3,
        Some(11),
        "error",
    );
    c.only(&["invalid-encoding", "invalid-encoding"]);
}

#[test]
fn huge_file_is_refused_without_reading_it() {
    let site = site_with(&[]);
    let path = site.path().join("content/huge.md");
    // Sparse: 50 MB on paper, nothing written.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(50 << 20)
        .unwrap();
    let c = check(site.path(), &[]);
    assert!(c.elapsed < QUICK, "took {:?}", c.elapsed);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect("file-too-large", "content/huge.md", 1, Some(1), "error");
    assert!(f["message"].as_str().unwrap().contains("50 MiB"), "{f}");
    c.only(&["file-too-large"]);
    // An unreadable huge file proves the size is judged before any read (not as root, who
    // can read anything).
    #[cfg(unix)]
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        let c = check(site.path(), &[]);
        c.only(&["file-too-large"]);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// The file system
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlink_loop_in_content_is_an_io_error() {
    let site = site_with(&[("content/shared/ok.md", "# Ok\n")]);
    std::os::unix::fs::symlink("..", site.path().join("content/shared/loop")).unwrap();
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    let f = c.expect("io-error", "content/shared/loop", 1, Some(1), "error");
    assert!(f["message"].as_str().unwrap().contains("loop"), "{f}");
}

#[cfg(unix)]
#[test]
fn dangling_symlink_is_an_io_error() {
    let site = site_with(&[("content/ok.md", "# Ok\n")]);
    std::os::unix::fs::symlink("missing.md", site.path().join("content/x.md")).unwrap();
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    let f = c.expect("io-error", "content/x.md", 1, Some(1), "error");
    assert!(f["message"].as_str().unwrap().contains("x.md"), "{f}");
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_io_error() {
    if is_root() {
        eprintln!("skipped: root can read a file with mode 000");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let site = site_with(&[("content/locked.md", "# Locked\n")]);
    let path = site.path().join("content/locked.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let c = check(site.path(), &[]);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(c.code, 2, "{}", c.dump());
    c.expect("io-error", "content/locked.md", 1, Some(1), "error");
}

// ---------------------------------------------------------------------------------------
// book.toml
// ---------------------------------------------------------------------------------------

#[test]
fn missing_book_toml() {
    let site = site_with(&[("content/ok.md", "# Ok\n")]);
    std::fs::remove_file(site.path().join("book.toml")).unwrap();
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    c.expect("invalid-config", "book.toml", 1, Some(1), "error");
    // A site directory that does not exist at all.
    let c = check(&site.path().join("no-such-site"), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    c.expect("invalid-config", "book.toml", 1, Some(1), "error");
}

#[test]
fn malformed_book_toml() {
    let site = site_with(&[("book.toml", "[book]\ntitle = \"T\n")]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    c.expect("invalid-config", "book.toml", 2, Some(11), "error");
    c.only(&["invalid-config"]);
}

#[test]
fn unknown_key_in_book_toml() {
    let site = site_with(&[(
        "book.toml",
        "[book]\ntitle = \"T\"\n[build]\nconent = \"x\"\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    let f = c.expect("invalid-config", "book.toml", 4, Some(1), "error");
    assert!(f["message"].as_str().unwrap().contains("conent"), "{f}");
}

#[test]
fn book_toml_content_outside_the_site() {
    let site = site_with(&[("book.toml", "[build]\ncontent = \"../x\"\n")]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    let f = c.expect("invalid-config", "book.toml", 2, Some(11), "error");
    assert!(f["message"].as_str().unwrap().contains("outside"), "{f}");
}

#[test]
fn book_toml_owners_file_absolute() {
    let site = site_with(&[("book.toml", "[owners]\nfile = \"/etc/passwd\"\n")]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    let f = c.expect("invalid-config", "book.toml", 2, Some(8), "error");
    assert!(f["message"].as_str().unwrap().contains("absolute"), "{f}");
}

#[test]
fn book_toml_output_is_the_site() {
    let site = site_with(&[("book.toml", "[build]\noutput = \".\"\n")]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    c.expect("invalid-config", "book.toml", 2, Some(10), "error");
}

#[cfg(unix)]
#[test]
fn book_toml_content_symlinked_outside_the_site() {
    let outside = tempfile::tempdir().unwrap();
    write_files(outside.path(), &[("secret.md", "# Secret\n")]);
    let site = site_with(&[("book.toml", "[build]\ncontent = \"docs\"\n")]);
    std::os::unix::fs::symlink(outside.path(), site.path().join("docs")).unwrap();
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    let f = c.expect("invalid-config", "book.toml", 2, Some(11), "error");
    assert!(f["message"].as_str().unwrap().contains("outside"), "{f}");
}

// ---------------------------------------------------------------------------------------
// owners.yaml
// ---------------------------------------------------------------------------------------

#[test]
fn missing_owners_yaml() {
    let site = site_with(&[("content/ok.md", "# Ok\n")]);
    std::fs::remove_file(site.path().join("owners.yaml")).unwrap();
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    c.expect("invalid-owners", "owners.yaml", 1, Some(1), "error");
}

#[test]
fn malformed_owners_yaml() {
    let site = site_with(&[(
        "owners.yaml",
        "people:\n  alice: { name: Alice }\n bob: {}\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    c.expect("invalid-owners", "owners.yaml", 3, Some(2), "error");
    c.only(&["invalid-owners"]);
}

#[test]
fn impossible_left_date_in_owners_yaml() {
    let site = site_with(&[(
        "owners.yaml",
        "people:\n  alice: { name: Alice }\n  bob: { name: Bob, left: 2026-13-01 }\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    let f = c.expect("invalid-owners", "owners.yaml", 3, Some(27), "error");
    assert!(f["message"].as_str().unwrap().contains("2026-13-01"), "{f}");
}

#[test]
fn duplicate_person_in_owners_yaml_is_fatal() {
    let site = site_with(&[(
        "owners.yaml",
        "people:\n  alice: {}\n  bob: {}\n  alice: { name: Alice }\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    // Where it points is the ignored test below.
    c.only(&["invalid-owners"]);
    let f = &c.findings[0];
    assert_eq!(f["file"], "owners.yaml");
    assert!(f["hint"].as_str().is_some_and(|h| !h.is_empty()), "{f}");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("duplicate") && msg.contains("alice"), "{f}");
}

#[test]
fn duplicate_person_in_owners_yaml_points_at_the_repeat() {
    let site = site_with(&[(
        "owners.yaml",
        "people:\n  alice: {}\n  bob: {}\n  alice: { name: Alice }\n",
    )]);
    let c = check(site.path(), &[]);
    c.expect("invalid-owners", "owners.yaml", 4, Some(3), "error");
}

#[test]
fn yaml_alias_bomb_in_owners_yaml_is_rejected_quickly() {
    let site = site_with(&[(
        "owners.yaml",
        &alias_bomb("", "people:\n  alice: { name: Alice }\n", false),
    )]);
    let c = check(site.path(), &[]);
    assert!(c.elapsed < QUICK, "took {:?}", c.elapsed);
    assert_eq!(c.code, 2, "{}", c.dump());
    let f = c.expect("invalid-owners", "owners.yaml", 1, None, "error");
    assert!(f["message"].as_str().unwrap().contains("limit"), "{f}");
}

#[test]
fn team_member_missing_from_people() {
    let site = site_with(&[(
        "owners.yaml",
        "people:\n  alice: {}\nteams:\n  t:\n    name: T\n    members: [alice, zed]\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    let f = c.expect("invalid-owners", "owners.yaml", 6, Some(22), "error");
    assert!(f["message"].as_str().unwrap().contains("zed"), "{f}");
}

#[test]
fn non_utf8_owners_yaml() {
    let site = site_with(&[]);
    write_bytes(site.path(), "owners.yaml", b"people:\n  caf\xe9: {}\n");
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    c.expect("invalid-owners", "owners.yaml", 1, None, "error");
}

// ---------------------------------------------------------------------------------------
// Ownership
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_owner() {
    let site = site_with(&[(
        "content/runbooks/x.md",
        "---\ntitle: X\nowners: [alice, zed]\nreviewed: 2026-02-01\n---\n",
    )]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect(
        "unknown-owner",
        "content/runbooks/x.md",
        3,
        Some(17),
        "error",
    );
    assert!(f["message"].as_str().unwrap().contains("zed"), "{f}");
    c.only(&["unknown-owner"]);
    // A near miss gets a suggestion.
    write_files(
        site.path(),
        &[(
            "content/runbooks/x.md",
            "---\ntitle: X\nowners:\n  - alcie\nreviewed: 2026-02-01\n---\n",
        )],
    );
    let c = check(site.path(), &[]);
    let f = c.expect(
        "unknown-owner",
        "content/runbooks/x.md",
        4,
        Some(5),
        "error",
    );
    assert!(f["hint"].as_str().unwrap().contains("alice"), "{f}");
}

const LAPSING_OWNERS: &str = "people:\n  alice: { name: Alice }\n  bob: { name: Bob, left: 2026-01-01 }\n  carol: { active: false }\nteams:\n  team-old: { members: [alice], disbanded: 2026-01-15 }\n  team-ghost: { members: [bob, carol] }\n";

#[test]
fn all_owners_lapsed() {
    let site = site_with(&[
        ("owners.yaml", LAPSING_OWNERS),
        (
            "content/runbooks/x.md",
            "---\ntitle: X\nowners: [bob, carol, team-old, team-ghost]\nreviewed: 2026-02-01\n---\n",
        ),
    ]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect("lapsed-owner", "content/runbooks/x.md", 3, None, "error");
    let msg = f["message"].as_str().unwrap();
    for id in ["bob", "carol", "team-old", "team-ghost"] {
        assert!(msg.contains(id), "{id} missing from {f}");
    }
    c.only(&["lapsed-owner"]);
}

#[test]
fn one_of_two_owners_lapsed_is_a_warning() {
    let site = site_with(&[
        ("owners.yaml", LAPSING_OWNERS),
        (
            "content/runbooks/x.md",
            "---\ntitle: X\nowners: [alice, bob]\nreviewed: 2026-02-01\n---\n",
        ),
    ]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 0, "{}", c.dump());
    let f = c.expect(
        "partially-lapsed-owner",
        "content/runbooks/x.md",
        3,
        Some(17),
        "warning",
    );
    assert!(f["message"].as_str().unwrap().contains("bob"), "{f}");
    c.only(&["partially-lapsed-owner"]);
}

// ---------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------

const LINK_TARGET: &str = "# Guide\n\n## Restart the pool\n\ntext\n";

#[test]
fn broken_link_between_markdown_files() {
    let site = site_with(&[
        ("content/guides/b.md", LINK_TARGET),
        (
            "content/guides/a.md",
            "---\ntitle: A\n---\n# A\n\nSee [b](b.md#restart-the-pool) and\nthe [missing](nope.md) page.\n",
        ),
    ]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect("broken-link", "content/guides/a.md", 7, Some(5), "error");
    assert!(f["message"].as_str().unwrap().contains("nope.md"), "{f}");
    c.only(&["broken-link"]);
}

#[test]
fn broken_anchor_between_markdown_files() {
    let site = site_with(&[
        ("content/guides/b.md", LINK_TARGET),
        (
            "content/guides/a.md",
            "---\ntitle: A\n---\n# A\n\nSee [b](b.md#restart-the-pool) and\nthe [bad](b.md#no-such-heading) one.\n",
        ),
    ]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 1, "{}", c.dump());
    let f = c.expect("broken-anchor", "content/guides/a.md", 7, Some(5), "error");
    assert!(
        f["message"].as_str().unwrap().contains("no-such-heading"),
        "{f}"
    );
    assert!(
        f["hint"].as_str().unwrap().contains("#restart-the-pool"),
        "{f}"
    );
    c.only(&["broken-anchor"]);
}

// ---------------------------------------------------------------------------------------
// Output formats and the command line
// ---------------------------------------------------------------------------------------

#[test]
fn json_output_of_a_fatal_error_is_valid_json() {
    let site = site_with(&[
        (
            "owners.yaml",
            "people:\n  alice: { name: Alice }\n bob: {}\n",
        ),
        ("content/runbooks/ok.md", GOOD_RUNBOOK),
    ]);
    let c = check(site.path(), &[]);
    assert_eq!(c.code, 2, "{}", c.dump());
    let v: Value = serde_json::from_str(&c.json).unwrap();
    assert_eq!(v["summary"]["fatal"], 1, "{}", c.json);
    assert_eq!(v["summary"]["errors"], 1, "{}", c.json);
    c.expect("invalid-owners", "owners.yaml", 3, Some(2), "error");
}

#[test]
fn other_formats_report_a_fatal_error_too() {
    let site = site_with(&[(
        "owners.yaml",
        "people:\n  alice: { name: Alice }\n bob: {}\n",
    )]);
    let cwd = tempfile::tempdir().unwrap();
    let root = site.path().to_str().unwrap();
    for format in ["github", "junit", "sarif"] {
        let (code, out, err) = fieldbook_in(
            cwd.path(),
            &["check", root, "--format", format, "--today", TODAY],
        );
        assert_eq!(code, 2, "{format}\n{out}\n{err}");
        assert!(out.contains("owners.yaml"), "{format}\n{out}");
        assert!(out.contains("invalid-owners"), "{format}\n{out}");
        match format {
            "sarif" => {
                serde_json::from_str::<Value>(&out).unwrap();
            }
            "junit" => {
                roxmltree::Document::parse(&out).unwrap();
            }
            _ => assert!(out.contains("::error"), "{out}"),
        }
    }
}

#[test]
fn invalid_today_is_a_usage_error() {
    let site = site_with(&[("content/runbooks/ok.md", GOOD_RUNBOOK)]);
    let root = site.path().to_str().unwrap();
    let file = site.path().join("content/runbooks/ok.md");
    let file = file.to_str().unwrap();
    let before = snapshot(site.path());
    for args in [
        vec!["check", root, "--today", "2026-02-30"],
        vec!["report", root, "--today", "2026-02-30"],
        vec!["review", file, "--today", "2026-02-30"],
    ] {
        let (code, out, err) = fieldbook_in(site.path(), &args);
        assert_eq!(code, 2, "{args:?}\n{out}\n{err}");
        assert!(out.is_empty(), "{args:?}\n{out}");
        assert!(
            err.contains("2026-02-30") && err.contains("--today"),
            "{err}"
        );
    }
    assert_eq!(before, snapshot(site.path()));
}

#[test]
fn report_refuses_a_broken_site() {
    let site = site_with(&[(
        "owners.yaml",
        "people:\n  alice: { name: Alice }\n bob: {}\n",
    )]);
    let before = snapshot(site.path());
    let (code, out, err) = fieldbook_in(
        site.path(),
        &[
            "report", ".", "--format", "json", "--today", TODAY, "--color", "never",
        ],
    );
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("owners.yaml:3:2") && err.contains("[invalid-owners]"),
        "{err}"
    );
    assert_eq!(before, snapshot(site.path()));
}

// ---------------------------------------------------------------------------------------
// review
// ---------------------------------------------------------------------------------------

const BROKEN_RUNBOOK: &str = "---\ntitle: X\nowners: [alice\nreviewed: 2025-01-01\n---\n# X\n";

#[test]
fn review_refuses_broken_front_matter_and_changes_nothing() {
    let site = site_with(&[
        ("content/runbooks/bad.md", BROKEN_RUNBOOK),
        (
            "content/runbooks/good.md",
            "---\ntitle: Good\nowners: [alice]\nreviewed: 2025-01-01\n---\n# Good\n",
        ),
    ]);
    let before = snapshot(site.path());
    let (code, out, err) = fieldbook_in(
        site.path(),
        &[
            "review",
            "content/runbooks/bad.md",
            "--today",
            TODAY,
            "--color",
            "never",
        ],
    );
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("content/runbooks/bad.md:4:9") && err.contains("[invalid-metadata]"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(site.path().join("content/runbooks/bad.md")).unwrap(),
        BROKEN_RUNBOOK.as_bytes()
    );
    // With a good file alongside, neither is touched.
    let (code, _, err) = fieldbook_in(
        site.path(),
        &[
            "review",
            "content/runbooks/good.md",
            "content/runbooks/bad.md",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        before,
        snapshot(site.path()),
        "review wrote despite refusing"
    );
}

#[test]
fn review_refusal_is_an_error_with_a_hint() {
    let site = site_with(&[("content/runbooks/bad.md", BROKEN_RUNBOOK)]);
    let (code, _, err) = fieldbook_in(
        site.path(),
        &[
            "review",
            "content/runbooks/bad.md",
            "--today",
            TODAY,
            "--color",
            "never",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("error[invalid-metadata]"), "{err}");
    assert!(err.contains("help:"), "{err}");
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn review_stamps_a_good_file_and_nothing_else() {
    let original = "---\ntitle: Restart  # keep this comment\nowners: [alice]\nreviewed: 2025-01-01\ntags: [db]\n---\n# Restart\n\nBody.\n";
    let crlf =
        "\u{feff}---\r\ntitle: C\r\nowners: [alice]\r\nreviewed: 2025-01-01\r\n---\r\n# C\r\n";
    let site = site_with(&[
        ("content/runbooks/x.md", original),
        ("content/runbooks/crlf.md", crlf),
    ]);
    let (code, out, err) = fieldbook_in(
        site.path(),
        &[
            "review",
            "content/runbooks/x.md",
            "content/runbooks/crlf.md",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("2025-01-01 -> 2026-03-01"), "{out}");
    let read = |rel: &str| std::fs::read_to_string(site.path().join(rel)).unwrap();
    assert_eq!(
        read("content/runbooks/x.md"),
        original.replace("2025-01-01", "2026-03-01")
    );
    assert_eq!(
        read("content/runbooks/crlf.md"),
        crlf.replace("2025-01-01", "2026-03-01")
    );
    // The stamped site passes.
    let c = check(site.path(), &[]);
    assert_eq!((c.code, c.findings.len()), (0, 0), "{}", c.dump());
}
