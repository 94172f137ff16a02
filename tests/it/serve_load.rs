//! A short run of `bench/serve_load.py` against the valid fixture: a few seconds of mixed,
//! hostile and malformed requests from another process (plus slowloris connections) while
//! content files are edited, created and deleted. The script fails on any 5xx, any byte of
//! its canary files served, a crash, a server that stops answering, or memory that grows
//! (docs/hardening.md has the full run's figures).

use std::path::Path;
use std::process::Command;

#[test]
fn serve_survives_load_and_abuse_while_files_change() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Ok(out) = Command::new("python3")
        .arg(repo.join("bench/serve_load.py"))
        .args([
            "--seconds",
            "4",
            "--connections",
            "6",
            "--slow",
            "10",
            "--no-wrk",
            "--json",
        ])
        .arg("--fieldbook")
        .arg(env!("CARGO_BIN_EXE_fieldbook"))
        .arg("--site")
        .arg(repo.join("tests/fixtures/valid"))
        .output()
    else {
        panic!("python3 is needed to run bench/serve_load.py");
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "serve_load.py failed:\n{stdout}\n{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert!(report["requests"].as_u64().unwrap() > 100, "{report}");
    assert!(report["statuses"]["200"].as_u64().unwrap() > 50, "{report}");
    assert!(
        report["statuses"]["400"].as_u64().unwrap() > 5,
        "traversal attempts refused: {report}"
    );
    assert!(report["statuses"].get("LEAK").is_none(), "{report}");
    assert!(report["edits"].as_u64().unwrap() > 10, "{report}");
    assert_eq!(report["alive"], true);
}
