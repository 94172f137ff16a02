//! Each document's last change from git, read in one pass over the history (one `git log`,
//! not one process per file). A shallow clone is detected and said: its oldest commit would
//! otherwise be taken as the last change of every file it touches.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub date: String,
    pub commit: String,
}

#[derive(Debug, Default)]
pub struct History {
    /// By path relative to the content directory.
    pub changes: HashMap<String, Change>,
    pub shallow: bool,
}

impl History {
    /// The history of `content_dir`, or an empty one when it is not in a git work tree (or
    /// git is not installed).
    pub fn read(content_dir: &Path) -> History {
        let Some(top) = git(content_dir, &["rev-parse", "--show-toplevel"]) else {
            return History::default();
        };
        let top = Path::new(top.trim());
        let shallow = git(content_dir, &["rev-parse", "--is-shallow-repository"])
            .is_some_and(|s| s.trim() == "true");
        let Ok(content) = content_dir.canonicalize() else {
            return History::default();
        };
        let Ok(top) = top.canonicalize() else {
            return History::default();
        };
        let Ok(prefix) = content.strip_prefix(&top) else {
            return History::default();
        };
        let prefix = prefix.to_string_lossy().replace('\\', "/");
        // NUL-separated records: "\0<hash> <date>\n\n<path>\n<path>..." newest first.
        let Some(log) = git(
            &top,
            &[
                "-c",
                "core.quotepath=off",
                "log",
                "--format=%x00%H %cs",
                "--name-only",
                "--no-renames",
                "--",
                &prefix_or_dot(&prefix),
            ],
        ) else {
            return History {
                changes: HashMap::new(),
                shallow,
            };
        };
        History {
            changes: parse_log(&log, &prefix),
            shallow,
        }
    }
}

fn prefix_or_dot(p: &str) -> String {
    if p.is_empty() {
        ".".into()
    } else {
        p.to_string()
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The newest change of each file under `prefix` (repository-relative), keyed by its path
/// relative to `prefix`.
fn parse_log(log: &str, prefix: &str) -> HashMap<String, Change> {
    let mut changes = HashMap::new();
    for record in log.split('\0').filter(|r| !r.trim().is_empty()) {
        let mut lines = record.lines();
        let Some((commit, date)) = lines.next().and_then(|h| h.split_once(' ')) else {
            continue;
        };
        for path in lines.filter(|l| !l.is_empty()) {
            let rel = if prefix.is_empty() {
                path
            } else {
                match path.strip_prefix(prefix).and_then(|p| p.strip_prefix('/')) {
                    Some(r) => r,
                    None => continue,
                }
            };
            changes.entry(rel.to_string()).or_insert_with(|| Change {
                date: date.to_string(),
                commit: commit.chars().take(12).collect(),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_change_wins() {
        let log = "\0bbbbbbbbbbbbbbbb 2026-11-02\n\ncontent/runbooks/a.md\n\0aaaaaaaaaaaaaaaa 2026-10-01\n\ncontent/runbooks/a.md\ncontent/b.md\nother/x.md\n";
        let c = parse_log(log, "content");
        assert_eq!(c["runbooks/a.md"].date, "2026-11-02");
        assert_eq!(c["b.md"].commit, "aaaaaaaaaaaa");
        assert!(!c.contains_key("other/x.md"));
    }

    #[test]
    fn outside_a_repository_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let h = History::read(dir.path());
        assert!(h.changes.is_empty() && !h.shallow);
    }
}
