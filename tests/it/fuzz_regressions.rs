//! The fuzzers' CI smoke run on stable Rust: every seed (`fuzz/corpus/<target>/seed-*`) and
//! every saved crash or slow input (`fuzz/regressions/<target>/*`) goes through the same entry
//! point its fuzz target calls (`fieldbook::fuzzing`). A regression file is an input that once
//! panicked, overflowed the stack or took too long; it must now pass quickly.

use std::path::Path;
use std::time::{Duration, Instant};

/// Slower than this is a regression even without a panic (the fuzzers flag inputs taking
/// over a second in release builds; tests run unoptimised).
const SLOW: Duration = Duration::from_secs(20);

#[test]
fn every_seed_and_regression_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut ran = 0;
    let mut failed = Vec::new();
    for (target, run) in fieldbook::fuzzing::TARGETS {
        let mut files = Vec::new();
        for dir in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
                continue;
            };
            for e in entries {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                let seed = dir == "regressions" || name.starts_with("seed-");
                if seed && p.is_file() && !name.starts_with('.') {
                    files.push(p);
                }
            }
        }
        files.sort();
        assert!(!files.is_empty(), "no seeds for fuzz target {target}");
        for p in files {
            let data = std::fs::read(&p).unwrap();
            let start = Instant::now();
            // Pages render on rayon's threads, which have Rust's default 2 MiB stack: deep
            // nesting must fit in that.
            let outcome = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || run(&data))
                .unwrap()
                .join();
            let took = start.elapsed();
            ran += 1;
            if outcome.is_err() {
                failed.push(format!("{}: panicked", p.display()));
            } else if took > SLOW {
                failed.push(format!("{}: took {took:?}", p.display()));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "fuzz regressions failed:\n{}",
        failed.join("\n")
    );
    assert!(ran >= 6, "only {ran} inputs replayed");
}
