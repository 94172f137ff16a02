//! Browser tests: build the demo handbook (twice: at `/` and with `base_url = "/handbook/"`),
//! then run the JavaScript tests in `tests/browser/` (`node --test`), which drive headless
//! Chromium through playwright-core and check the pages with axe-core.
//!
//! `serve.test.mjs` starts `fieldbook serve` itself (`FIELDBOOK_BIN` names the binary).
//!
//! Needs Chromium (`/usr/bin/chromium`, or `FIELDBOOK_CHROMIUM`), node, and `npm ci` run in the
//! repository (for `node_modules/playwright-core` and `node_modules/axe-core`). Without them
//! the test prints SKIP and passes, unless `FIELDBOOK_REQUIRE_BROWSER=1` (CI), where it fails.
//! Screenshots land in `target/browser-screenshots/`.

use crate::common::copy_dir;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the node test run may take before it is killed.
const NODE_TIMEOUT: Duration = Duration::from_secs(900);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Write straight to the process's stderr, past the test harness's output capture, so that
/// a SKIP shows in a passing run.
fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// What is missing to run the browser tests, if anything.
fn missing_prerequisites(chromium: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium at {} (apt-get install chromium)",
            chromium.display()
        ));
    }
    for (file, what) in [
        (
            "node_modules/playwright-core/package.json",
            "node_modules/playwright-core",
        ),
        ("node_modules/axe-core/axe.min.js", "node_modules/axe-core"),
    ] {
        if !repo().join(file).is_file() {
            missing.push(format!("{what} (run `npm ci` in {})", repo().display()));
        }
    }
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(node, Ok(s) if s.success()) {
        missing.push("node on PATH".to_string());
    }
    missing
}

/// `fieldbook build SITE --output OUT`, failing the test with the build's output on error.
fn build(site: &Path, out: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_fieldbook"))
        .arg("build")
        .arg(site)
        .arg("--output")
        .arg(out)
        .args(["--color", "never"])
        .output()
        .expect("the fieldbook binary runs");
    assert!(
        output.status.success(),
        "fieldbook build {} failed ({}):\n{}{}",
        site.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        out.join("index.html").is_file(),
        "no index.html in {}",
        out.display()
    );
}

/// A copy of the demo site (book.toml, owners, content, themes) with `base_url` set to
/// `/handbook/`.
fn subpath_site(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for name in ["content", "themes"] {
        if repo().join(name).is_dir() {
            copy_dir(&repo().join(name), &dir.join(name));
        }
    }
    std::fs::copy(repo().join("owners.yaml"), dir.join("owners.yaml")).unwrap();
    let book = std::fs::read_to_string(repo().join("book.toml")).unwrap();
    let mut replaced = 0;
    let edited: Vec<String> = book
        .lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or("").trim();
            if key == "base_url" {
                replaced += 1;
                "base_url = \"/handbook/\"".to_string()
            } else {
                line.to_string()
            }
        })
        .collect();
    assert_eq!(replaced, 1, "book.toml should set base_url once:\n{book}");
    std::fs::write(dir.join("book.toml"), edited.join("\n") + "\n").unwrap();
}

/// The JavaScript test files, sorted.
fn test_files() -> Vec<PathBuf> {
    let dir = repo().join("tests/browser");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".test.mjs"))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.test.mjs in {}", dir.display());
    files
}

/// Run a command to completion (killing it after `timeout`); return (success, combined output).
fn run_with_timeout(mut cmd: Command, timeout: Duration) -> (bool, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let (success, note) = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break (status.success(), format!("node exited: {status}"));
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break (
                false,
                format!("node killed after {} s (timeout)", timeout.as_secs()),
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut output = out.join().unwrap();
    let errors = err.join().unwrap();
    if !errors.trim().is_empty() {
        output.push_str("\n--- stderr ---\n");
        output.push_str(&errors);
    }
    output.push_str(&format!("\n{note}\n"));
    (success, output)
}

#[test]
fn browser_tests() {
    let require = std::env::var("FIELDBOOK_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let chromium = PathBuf::from(
        std::env::var_os("FIELDBOOK_CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into()),
    );
    let missing = missing_prerequisites(&chromium);
    if !missing.is_empty() {
        let list = missing.join("; ");
        if require {
            panic!("FIELDBOOK_REQUIRE_BROWSER=1 but the browser tests cannot run: missing {list}");
        }
        say(&format!(
            "SKIP browser tests (tests/it/browser.rs): missing {list}. \
             Set FIELDBOOK_REQUIRE_BROWSER=1 to make this a failure."
        ));
        return;
    }

    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("public");
    build(repo(), &site);
    let sub_src = tmp.path().join("handbook-src");
    let sub_out = tmp.path().join("handbook-public");
    subpath_site(&sub_src);
    build(&sub_src, &sub_out);

    // target/browser-screenshots (CARGO_TARGET_TMPDIR is target/tmp).
    let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("browser-screenshots");

    let mut cmd = Command::new("node");
    cmd.arg("--test")
        .arg("--test-reporter=spec")
        .args(test_files())
        .current_dir(repo())
        .env("FIELDBOOK_SITE", &site)
        .env("FIELDBOOK_SUBPATH_SITE", &sub_out)
        .env("FIELDBOOK_CHROMIUM", &chromium)
        .env("FIELDBOOK_BIN", env!("CARGO_BIN_EXE_fieldbook"))
        .env("FIELDBOOK_SCREENSHOTS", &screenshots)
        .env("NO_COLOR", "1")
        .env_remove("FORCE_COLOR");
    let start = Instant::now();
    let (success, output) = run_with_timeout(cmd, NODE_TIMEOUT);
    if !success {
        panic!(
            "browser tests failed (node --test tests/browser/, {:.1} s):\n{output}",
            start.elapsed().as_secs_f64()
        );
    }
    println!(
        "{output}\nbrowser tests passed in {:.1} s; screenshots in {}",
        start.elapsed().as_secs_f64(),
        screenshots.display()
    );
}
