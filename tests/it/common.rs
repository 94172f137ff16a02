//! Helpers shared by the integration tests: running the `fieldbook` binary and building
//! small sites on disk ([`TestSite`]).
#![allow(dead_code)] // Not every helper has a user at every moment.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The built `fieldbook` binary, with a clean environment for colour decisions and none of
/// the GitHub Actions variables `check` reads (so that tests run alike in and out of CI). Git
/// does not look above `tests/fixtures` for a repository, so a fixture checked in place has no
/// history (Fieldbook's own development is not its authors' reviews); the history tests make
/// repositories of their own.
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fieldbook"));
    cmd.env(
        "GIT_CEILING_DIRECTORIES",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
    )
    .env_remove("NO_COLOR")
    .env_remove("CLICOLOR")
    .env_remove("CLICOLOR_FORCE")
    .env_remove("GITHUB_WORKSPACE")
    .env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

/// Run `fieldbook args...` and return (exit code, stdout, stderr).
pub fn run<I, S>(args: I) -> (i32, String, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = command();
    cmd.args(args);
    output(cmd)
}

/// `fieldbook build SITE --output OUT EXTRA...`: (exit code, stdout, stderr).
pub fn build_into(site: &Path, out: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut cmd = command();
    cmd.arg("build")
        .arg(site)
        .arg("--output")
        .arg(out)
        .args(extra);
    output(cmd)
}

/// Run a prepared command and return (exit code, stdout, stderr). A process killed by a
/// signal has code -1.
pub fn output(mut cmd: Command) -> (i32, String, String) {
    let out = cmd.output().expect("the fieldbook binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// The text a reader sees in a page's `<main>`: tags dropped, whitespace collapsed.
pub fn main_text_of(html: &str) -> String {
    let main = main_of(html);
    let mut text = String::new();
    let mut in_tag = false;
    for c in main.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The repository's root (`CARGO_MANIFEST_DIR`): the demo handbook, `tests/fixtures`,
/// `tests/schemas`.
/// `python3` when it runs here (the generated corpora and oracles need it).
pub fn python3() -> Option<&'static str> {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    ok.then_some("python3")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `shared/bench/gen_corpus.py`, beside the repository (in CI too).
pub fn corpus_generator() -> PathBuf {
    repo_root().join("../shared/bench/gen_corpus.py")
}

/// A generated handbook of `docs` documents in `out` ([`corpus_generator`] run by `py`),
/// with its ages relative to `today` (the generator's default when `None`).
pub fn gen_corpus(py: &str, out: &Path, docs: u32, seed: u32, today: Option<&str>) {
    let mut cmd = Command::new(py);
    cmd.arg(corpus_generator())
        .args(["--docs", &docs.to_string(), "--seed", &seed.to_string()])
        .arg("--out")
        .arg(out);
    if let Some(t) = today {
        cmd.args(["--today", t]);
    }
    let o = cmd.output().expect("run gen_corpus.py");
    assert!(
        o.status.success(),
        "gen_corpus.py failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A path as text (test paths are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// The `<main>` element of a page: what the page snapshots pin (the header and footer repeat
/// on every page and are covered by the theme's own tests).
pub fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main> element");
    let end = html.rfind("</main>").expect("</main>") + "</main>".len();
    &html[start..end]
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Write `files` (relative path, contents) under `root`, creating directories as needed.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// A fresh temporary directory holding `files`: [`TestSite::empty`] with `files`.
pub fn temp_site(files: &[(&str, &str)]) -> TestSite {
    TestSite::empty().with(files)
}

/// Copy a directory tree (files and directories only), leaving out `.fieldbook/`: the search
/// index a build keeps in a site is build state, not part of a fixture, and another test
/// building the fixture in place may be rewriting it while this one copies.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == ".fieldbook" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of `tests/fixtures/<name>`: [`TestSite::fixture`].
pub fn temp_fixture(name: &str) -> TestSite {
    TestSite::fixture(name)
}

/// Replace `from` (which must be there) by `to` in the file `rel` below `root`.
pub fn replace_in(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

/// A `book.toml` that sets nothing: every default of FORMAT.md applies.
pub const MINIMAL_BOOK_TOML: &str = "[book]\ntitle = \"Test Handbook\"\n";

/// An `owners.yaml` with one active person (`alice`), one who left on 2026-01-01 (`bob`)
/// and a team of the active one (`team-a`).
pub const MINIMAL_OWNERS_YAML: &str = "people:\n  alice: { name: Alice }\n  bob: { name: Bob, left: 2026-01-01 }\nteams:\n  team-a: { name: Team A, members: [alice] }\n";

/// A temporary site: [`TestSite::minimal`], then `files` on top (a file given for `book.toml`
/// or `owners.yaml` replaces the default).
pub fn site_with(files: &[(&str, &str)]) -> TestSite {
    TestSite::minimal().with(files)
}

/// A site in a temporary directory (deleted when dropped) that a test fills, runs `fieldbook`
/// on and reads back, after mdBook's `BookTest`: start from nothing ([`TestSite::empty`]),
/// from the smallest valid site ([`TestSite::minimal`]) or from a copy of a fixture
/// ([`TestSite::fixture`]); add files ([`TestSite::with`], [`TestSite::write`]); run a
/// subcommand on it ([`TestSite::run`], [`TestSite::build`], [`TestSite::check_json`]); read
/// what it holds or what a build wrote ([`TestSite::read`], [`TestSite::read_output`]).
pub struct TestSite {
    dir: tempfile::TempDir,
}

impl TestSite {
    /// An empty directory.
    pub fn empty() -> TestSite {
        TestSite {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// [`MINIMAL_BOOK_TOML`], [`MINIMAL_OWNERS_YAML`] and an empty `content/`.
    pub fn minimal() -> TestSite {
        let site = TestSite::empty().with(&[
            ("book.toml", MINIMAL_BOOK_TOML),
            ("owners.yaml", MINIMAL_OWNERS_YAML),
        ]);
        std::fs::create_dir_all(site.path().join("content")).unwrap();
        site
    }

    /// A copy of `tests/fixtures/<name>` (builds and `serve` write into the site, so tests
    /// work on a copy).
    pub fn fixture(name: &str) -> TestSite {
        let site = TestSite::empty();
        copy_dir(&fixture(name), site.path());
        site
    }

    /// The site with `files` (relative path, contents) written on top.
    pub fn with(self, files: &[(&str, &str)]) -> TestSite {
        write_files(self.path(), files);
        self
    }

    /// The site's root directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` below the site's root.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path().join(rel)
    }

    /// Write `text` to `rel`, creating directories as needed.
    pub fn write(&self, rel: &str, text: &str) {
        write_files(self.path(), &[(rel, text)]);
    }

    /// Replace `from` (which must be there) by `to` in the file `rel`.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        replace_in(self.path(), rel, from, to);
    }

    /// The text of the file `rel`; panics naming it when it cannot be read.
    pub fn read(&self, rel: &str) -> String {
        let path = self.join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Where `build` writes by default: `public/` in the site.
    pub fn output_dir(&self) -> PathBuf {
        self.join("public")
    }

    /// The text of `public/<rel>`, as a build wrote it.
    pub fn read_output(&self, rel: &str) -> String {
        self.read(&format!("public/{rel}"))
    }

    /// `fieldbook SUBCOMMAND SITE ARGS...`: (exit code, stdout, stderr).
    pub fn run(&self, subcommand: &str, args: &[&str]) -> (i32, String, String) {
        let mut cmd = command();
        cmd.arg(subcommand).arg(self.path()).args(args);
        output(cmd)
    }

    /// `fieldbook build SITE --output SITE/public EXTRA...`: (exit code, stdout, stderr).
    pub fn build(&self, extra: &[&str]) -> (i32, String, String) {
        build_into(self.path(), &self.output_dir(), extra)
    }

    /// `check SITE --format json EXTRA...`: [`check_json`].
    pub fn check_json(&self, extra: &[&str]) -> (i32, serde_json::Value) {
        check_json(self.path(), extra)
    }
}

/// Write raw bytes (not necessarily UTF-8) to `root/rel`, creating directories as needed.
pub fn write_bytes(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// `check SITE --format json EXTRA...`: exit code and the parsed output.
pub fn check_json(site: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec![
        "check".as_ref(),
        site.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let (code, out, err) = run(&args);
    assert!(!err.contains("panicked"), "{err}");
    let json = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("check --format json is not JSON ({e}):\n{out}\n{err}"));
    (code, json)
}

/// Parse `check --format json` output and return its findings, asserting the shape FORMAT.md
/// promises for each: `code`, `severity` (`error`|`warning`), `file`, `line` >= 1,
/// `column` >= 1 and `message`.
pub fn json_findings(stdout: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}"));
    assert!(v["summary"].is_object(), "no summary object:\n{stdout}");
    let findings = v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array:\n{stdout}"))
        .clone();
    for f in &findings {
        let ok = f["code"].as_str().is_some_and(|s| !s.is_empty())
            && matches!(f["severity"].as_str(), Some("error" | "warning"))
            && f["file"].as_str().is_some_and(|s| !s.is_empty())
            && f["line"].as_u64().is_some_and(|n| n >= 1)
            && f["column"].as_u64().is_some_and(|n| n >= 1)
            && f["message"].as_str().is_some_and(|s| !s.is_empty());
        assert!(ok, "finding does not have FORMAT.md's shape: {f}");
    }
    findings
}

/// (code, severity, file, line, column) of each finding of `check --format json` output, in
/// output order.
pub fn findings(json: &serde_json::Value) -> Vec<(String, String, String, u64, u64)> {
    json["findings"]
        .as_array()
        .expect("`findings` is an array")
        .iter()
        .map(finding_tuple)
        .collect()
}

/// One JSON finding as (code, severity, file, line, column).
pub fn finding_tuple(f: &serde_json::Value) -> (String, String, String, u64, u64) {
    (
        f["code"].as_str().unwrap().to_string(),
        f["severity"].as_str().unwrap().to_string(),
        f["file"].as_str().unwrap().to_string(),
        f["line"].as_u64().unwrap(),
        f["column"].as_u64().unwrap(),
    )
}

/// Whether `git` can be run here (tests of git history skip without it).
pub fn have_git() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `git ARGS` in `dir` as a test user, committing on 2026-03-04; panics when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_COMMITTER_DATE", "2026-03-04T10:00:00Z")
        .env("GIT_AUTHOR_DATE", "2026-03-04T10:00:00Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `fieldbook serve SITE` on a free port, its standard error kept; killed when dropped.
pub struct Serve {
    child: std::process::Child,
    pub port: u16,
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    pub fn start(site: &Path) -> Serve {
        let mut cmd = command();
        cmd.arg("serve")
            .arg(site)
            .args(["--port", "0", "--color", "never"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let l = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some((_, p)) = line
                    .strip_prefix("serving ")
                    .and_then(|r| r.rsplit_once(':'))
                    && let Ok(port) = p.trim_end_matches('/').parse::<u16>()
                {
                    let _ = tx.send(port);
                }
                l.lock().unwrap().push(line);
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("serve starts");
        Serve { child, port, log }
    }

    /// The status and body of `GET target`.
    pub fn get(&self, target: &str) -> (u16, String) {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            c,
            "GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        let _ = c.read_to_string(&mut text);
        let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, text)
    }

    /// Wait (up to 20 s) until `ok`; panics with the server's log otherwise.
    pub fn wait_for(&self, what: &str, ok: impl Fn() -> bool) {
        let until = Instant::now() + Duration::from_secs(20);
        while Instant::now() < until {
            if ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "{what} did not happen:\n{}",
            self.log.lock().unwrap().join("\n")
        );
    }
}
