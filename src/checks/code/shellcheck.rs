//! Running shellcheck over the shell blocks of a whole run: each distinct block written to a
//! file of a private temporary folder, then one shellcheck process for them all (past a few
//! hundred, one a core), with a fixed argument list, no environment from the caller (so nothing in the
//! site or the shell can add options or an rc file), a time limit and bounded output.
//!
//! What it said of each block is kept in `shellcheck.json` of the site's cache folder
//! ([`crate::checks::cache`]), keyed by shellcheck's version, the options and the block's exact
//! text: a block already there is not checked again, so a handbook whose shell blocks did not
//! change runs no shellcheck at all (bar `--version`).

use crate::config::Config;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Checks shellcheck makes that do not fit a runbook's commands, which are fragments typed
/// at a prompt, not scripts: placeholders and variables set elsewhere (SC2154 referenced but
/// not assigned, SC2034 assigned but unused), `cd` without `|| exit` (SC2164), `local`
/// outside a function (SC2168, a function's body shown alone) and declaring apart from
/// assigning (SC2155).
pub const EXCLUDED: &str = "SC2034,SC2154,SC2155,SC2164,SC2168";

/// The options of every run (besides `--exclude=`[`EXCLUDED`]).
const OPTIONS: [&str; 5] = [
    "--format=json1",
    "--shell=bash",
    "--severity=warning",
    "--norc",
    "--color=never",
];

/// The cache, in the site's cache folder.
pub const CACHE_FILE: &str = "shellcheck.json";
/// The cache's format: a cache of another is ignored (and rewritten).
const CACHE_FORMAT: u32 = 1;
/// The cache is read up to this size; a larger one is ignored (and rewritten).
const MAX_CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// `--version`'s output past this is not read.
const MAX_VERSION_OUTPUT: u64 = 4096;

/// At most this many files per process (the argument list stays short).
const FILES_PER_RUN: usize = 2000;
/// Up to this many blocks, one process; more are shared among the cores.
const SHARED_PAST: usize = 200;
/// A run past this is stopped and its blocks left unchecked.
const TIMEOUT: Duration = Duration::from_secs(300);
/// Output past this is not read (a run's findings are capped per document anyway).
const MAX_OUTPUT: u64 = 64 * 1024 * 1024;

/// One of shellcheck's findings in a block: 1-based line, 1-based columns in characters
/// (json1 counts a tab as one), its code (`SC1073`), level and message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub line: usize,
    pub column: usize,
    pub end_column: usize,
    pub code: String,
    pub message: String,
}

#[derive(Deserialize)]
struct Json1 {
    comments: Vec<Json1Comment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Json1Comment {
    file: String,
    line: usize,
    end_line: usize,
    column: usize,
    end_column: usize,
    code: u32,
    message: String,
}

/// shellcheck on the `PATH`, if installed.
pub fn find() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("shellcheck"))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// shellcheck's errors and warnings for each of `texts` (bash), in order.
pub fn run(program: &Path, texts: &[&str]) -> Result<Vec<Vec<Comment>>, String> {
    let dir = TempDir::new()?;
    let mut names = Vec::with_capacity(texts.len());
    for (i, text) in texts.iter().enumerate() {
        let name = format!("{i}.sh");
        std::fs::write(dir.0.join(&name), text)
            .map_err(|e| format!("could not write a temporary file: {e}"))?;
        names.push(name);
    }
    // shellcheck takes some milliseconds a block on one core: past a few hundred blocks the
    // files are shared among one process a core.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_run = texts
        .len()
        .div_ceil(cores)
        .clamp(SHARED_PAST, FILES_PER_RUN);
    let outputs: Vec<Result<Vec<u8>, String>> = std::thread::scope(|scope| {
        let runs: Vec<_> = names
            .chunks(per_run)
            .map(|chunk| {
                scope.spawn(|| run_bounded(program, &dir.0, &check_args(chunk), MAX_OUTPUT))
            })
            .collect();
        runs.into_iter()
            .map(|r| r.join().unwrap_or_else(|_| Err("a run failed".to_string())))
            .collect()
    });
    let mut out: Vec<Vec<Comment>> = vec![Vec::new(); texts.len()];
    for stdout in outputs {
        let json: Json1 = serde_json::from_slice(&stdout?)
            .map_err(|e| format!("its output could not be read: {e}"))?;
        for c in json.comments {
            let Some(i) = c
                .file
                .strip_suffix(".sh")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|i| *i < texts.len())
            else {
                continue;
            };
            out[i].push(Comment {
                line: c.line,
                column: c.column,
                // A comment spanning lines is shown on its first.
                end_column: if c.end_line == c.line {
                    c.end_column
                } else {
                    c.column + 1
                },
                code: format!("SC{}", c.code),
                message: c.message,
            });
        }
    }
    for comments in &mut out {
        comments.sort_by_key(|c| (c.line, c.column));
    }
    Ok(out)
}

/// `shellcheck.json`: what shellcheck said of each block's text, for one shellcheck and one
/// set of options. Sorted maps, so that the same blocks give the same bytes.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    format: u32,
    /// [`cache_key`]: the version and the options the comments were found with.
    shellcheck: String,
    blocks: BTreeMap<String, Vec<Comment>>,
}

/// [`run`], asking shellcheck only about the texts its cache in `config`'s cache folder does
/// not have. The cache is written back with the texts of this run only (their comments are
/// what this shellcheck says), or, when `partial` (a run over some documents: `serve` after
/// an edit), with the others it had too. A cache that cannot be read is rebuilt (with a note
/// when it is corrupt), one that cannot be written is a note: the comments stand either way.
pub fn run_cached(
    program: &Path,
    texts: &[&str],
    config: &Config,
    partial: bool,
) -> Result<Vec<Vec<Comment>>, String> {
    let (key, read) = rayon::join(
        || cache_key(program),
        || crate::checks::cache::read::<Cache>(config, CACHE_FILE, MAX_CACHE_BYTES),
    );
    // Without a version nothing tells this shellcheck's comments from another's.
    let Ok(key) = key else {
        return run(program, texts);
    };
    let (mut cache, previous) = match read {
        Ok(Some((c, bytes))) if c.format == CACHE_FORMAT && c.shellcheck == key => (c, Some(bytes)),
        Ok(_) => (Cache::default(), None),
        Err(why) => {
            eprintln!(
                "note: the shellcheck cache {} is ignored ({why}); every shell block is checked again",
                crate::checks::cache::shown(config, CACHE_FILE)
            );
            (Cache::default(), None)
        }
    };
    let missing: Vec<&str> = texts
        .iter()
        .copied()
        .filter(|t| !cache.blocks.contains_key(*t))
        .collect();
    if !missing.is_empty() {
        for (text, comments) in missing.iter().zip(run(program, &missing)?) {
            cache.blocks.insert(text.to_string(), comments);
        }
    }
    let out: Vec<Vec<Comment>> = texts
        .iter()
        .map(|t| cache.blocks.get(*t).cloned().unwrap_or_default())
        .collect();
    if !partial {
        let used: std::collections::HashSet<&str> = texts.iter().copied().collect();
        cache.blocks.retain(|t, _| used.contains(t.as_str()));
    }
    cache.format = CACHE_FORMAT;
    cache.shellcheck = key;
    if let Err(e) = crate::checks::cache::write(config, CACHE_FILE, &cache, previous.as_deref()) {
        eprintln!("note: the shellcheck cache was not written: {e}");
    }
    Ok(out)
}

/// What a cached comment depends on besides the text: shellcheck's version (its `--version`
/// output) and the options.
fn cache_key(program: &Path) -> Result<String, String> {
    let out = run_bounded(
        program,
        &std::env::temp_dir(),
        &["--version".to_string()],
        MAX_VERSION_OUTPUT,
    )?;
    let version = String::from_utf8_lossy(&out);
    let version = version
        .lines()
        .find_map(|l| l.strip_prefix("version:"))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or("its version is not known")?;
    Ok(format!(
        "{version} {} --exclude={EXCLUDED}",
        OPTIONS.join(" ")
    ))
}

/// The arguments checking the files `names`.
fn check_args(names: &[String]) -> Vec<String> {
    let mut args: Vec<String> = OPTIONS.iter().map(|o| o.to_string()).collect();
    args.push(format!("--exclude={EXCLUDED}"));
    args.push("--".to_string());
    args.extend(names.iter().cloned());
    args
}

/// One shellcheck process with `args` in `dir`: its standard output (at most `max` bytes).
fn run_bounded(program: &Path, dir: &Path, args: &[String], max: u64) -> Result<Vec<u8>, String> {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_clear()
        // shellcheck reads its files in the locale's encoding: UTF-8, whatever the caller's.
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", program.display()))?;
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout {
            // Dropping the pipe past the limit ends a runaway process's writes.
            let _ = s.take(max + 1).read_to_end(&mut buf);
        }
        buf
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("it ran past {}s", TIMEOUT.as_secs()));
            }
            Err(e) => return Err(e.to_string()),
        }
    };
    let buf = reader.join().map_err(|_| "its output could not be read")?;
    if buf.len() as u64 > max {
        return Err("its output was too large".to_string());
    }
    // 0: nothing found, 1: findings; anything else is shellcheck failing.
    match status.code() {
        Some(0 | 1) => Ok(buf),
        Some(n) => Err(format!("it exited with status {n}")),
        None => Err("it was stopped by a signal".to_string()),
    }
}

/// A folder of our own under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for attempt in 0..100u32 {
            let dir = base.join(format!(
                "fieldbook-shellcheck-{}-{nanos}-{attempt}",
                std::process::id()
            ));
            // `create_dir` fails on anything already there, a link planted by someone else
            // included.
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(TempDir(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("could not create a temporary folder: {e}")),
            }
        }
        Err("could not create a temporary folder".to_string())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_once_and_maps_comments_to_their_blocks() {
        let Some(program) = find() else {
            eprintln!("shellcheck is not installed: skipped");
            return;
        };
        let texts = [
            "kubectl -n $NAMESPACE get pods\n",
            "echo \"unterminated\nls\n",
            "cd /var/lib\nx=1\necho $UNSET\n",
            "\té \"$(x\"\n",
        ];
        let out = run(&program, &texts).unwrap();
        assert_eq!(out.len(), 4);
        assert!(out[0].is_empty(), "{:?}", out[0]);
        assert!(
            out[1].iter().any(|c| c.code == "SC1073" && c.line == 1),
            "{:?}",
            out[1]
        );
        assert!(out[2].is_empty(), "excluded checks: {:?}", out[2]);
        // A tab and a non-ASCII letter count as one column each.
        assert!(
            out[3].iter().any(|c| c.line == 1 && c.column == 8),
            "{:?}",
            out[3]
        );
    }

    #[test]
    fn many_blocks_are_shared_among_runs_and_keep_their_order() {
        let Some(program) = find() else {
            eprintln!("shellcheck is not installed: skipped");
            return;
        };
        let mut texts = vec!["ls\n"; 2 * SHARED_PAST + 1];
        texts[2 * SHARED_PAST] = "echo \"x\n";
        let out = run(&program, &texts).unwrap();
        assert_eq!(out.len(), texts.len());
        assert!(out[..2 * SHARED_PAST].iter().all(Vec::is_empty));
        assert_eq!(out[2 * SHARED_PAST][0].code, "SC1073");
    }

    #[test]
    fn temporary_folders_are_removed() {
        let d = TempDir::new().unwrap();
        let p = d.0.clone();
        std::fs::write(p.join("a"), "x").unwrap();
        drop(d);
        assert!(!p.exists());
    }
}
