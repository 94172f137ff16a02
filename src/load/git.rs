//! What git says about each document, read in one pass over the history (one `git log -p`,
//! never one process per file): every commit that touched it (following renames), who made
//! it and when, whether it moved the review date and whether it changed anything else. The
//! last change of each file (shown on pages) and the review-history checks
//! ([`crate::checks::history`], docs/freshness-history.md) both come from it.
//!
//! A shallow clone is detected and said: its oldest commit would otherwise look like the
//! last change (and the first review) of every file it holds. A site outside git, or without
//! git installed, has no history, and the checks that need one are skipped.

use crate::model::history::{Change, Commit, History, Touch};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// The history of `content_dir`, or an empty one when it is not in a git work tree (or
/// git is not installed).
pub fn read(content_dir: &Path) -> History {
    let Some(top) = git(content_dir, &["rev-parse", "--show-toplevel"]) else {
        return History::default();
    };
    let top = Path::new(top.trim());
    let shallow = git(content_dir, &["rev-parse", "--is-shallow-repository"])
        .is_some_and(|s| s.trim() == "true");
    let (Ok(content), Ok(top)) = (content_dir.canonicalize(), top.canonicalize()) else {
        return History::default();
    };
    let Ok(prefix) = content.strip_prefix(&top) else {
        return History::default();
    };
    let prefix = prefix.to_string_lossy().replace('\\', "/");
    // NUL before each commit: "\0<hash>\x1f<name>\x1f<email>\x1f<date>\n\n<patch>".
    let log = git(
        &top,
        &[
            "-c",
            "core.quotepath=off",
            "log",
            "--no-color",
            "--no-ext-diff",
            "--format=%x00%H%x1f%an%x1f%ae%x1f%cs",
            "-p",
            "-M",
            "--unified=0",
            "--",
            &prefix_or_dot(&prefix),
        ],
    );
    let mut h = log.map(|l| parse_log(&l, &prefix)).unwrap_or_default();
    h.shallow = shallow;
    h.in_git = true;
    h
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

/// The value of a review key on a line of front matter (`reviewed: 2026-01-02`,
/// `reviewed = 2026-01-02`, `last_reviewed_on: "2026-01-02"`), top level only.
pub fn review_value(line: &str) -> Option<&str> {
    ["reviewed", "last_reviewed_on"].iter().find_map(|key| {
        let rest = line.strip_prefix(key)?.trim_start();
        let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('='))?;
        let v = rest.split(" #").next().unwrap_or("").trim();
        Some(v.trim_matches(|c| c == '"' || c == '\''))
    })
}

/// A path of a patch header, without git's `a/`/`b/` and quoting; `None` for `/dev/null`.
fn header_path(p: &str) -> Option<String> {
    let p = p.trim_end();
    if p == "/dev/null" {
        return None;
    }
    let p = p
        .strip_prefix('"')
        .and_then(|p| p.strip_suffix('"'))
        .unwrap_or(p);
    let p = p
        .strip_prefix("a/")
        .or_else(|| p.strip_prefix("b/"))
        .unwrap_or(p);
    Some(p.to_string())
}

/// One file's part of a commit's patch.
#[derive(Default)]
struct FilePatch {
    old: Option<String>,
    new: Option<String>,
    added_review: Option<String>,
    removed_review: Option<String>,
    other: bool,
}

impl FilePatch {
    fn touch(&self, commit: usize) -> Touch {
        let review = self
            .added_review
            .clone()
            .filter(|v| self.removed_review.as_deref() != Some(v.as_str()));
        // A review line rewritten to the same value is an edit, not a review.
        let same = self.added_review.is_some() && review.is_none();
        Touch {
            commit,
            review,
            other: self.other || same,
        }
    }
}

/// Parse `git log -p` output (see [`History::read`]) for the files under `prefix`.
fn parse_log(log: &str, prefix: &str) -> History {
    let mut h = History::default();
    // Older names of files, as renames newer in the history reveal them: old → current.
    let mut current: HashMap<String, String> = HashMap::new();
    let under = |path: &str| -> Option<String> {
        if prefix.is_empty() {
            return Some(path.to_string());
        }
        path.strip_prefix(prefix)
            .and_then(|p| p.strip_prefix('/'))
            .map(str::to_string)
    };
    for record in log.split('\0').filter(|r| !r.trim().is_empty()) {
        let (head, patch) = record.split_once('\n').unwrap_or((record, ""));
        let mut fields = head.split('\x1f');
        let (Some(hash), Some(author), Some(email), Some(date)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let index = h.commits.len();
        h.commits.push(Commit {
            hash: hash.chars().take(12).collect(),
            author: author.to_string(),
            email: email.to_string(),
            date: date.trim().to_string(),
        });
        let mut files: Vec<FilePatch> = Vec::new();
        let mut in_hunk = false;
        for line in patch.lines() {
            if let Some(rest) = line.strip_prefix("diff --git ") {
                files.push(FilePatch::default());
                in_hunk = false;
                // Paths come from the lines below; this one only when they are absent
                // (a mode change, a binary file): `a/X b/X` with the same X.
                let half = rest.len() / 2;
                if rest.len() % 2 == 1 && rest.as_bytes().get(half) == Some(&b' ') {
                    let f = files.last_mut().unwrap();
                    f.old = header_path(&rest[..half]);
                    f.new = header_path(&rest[half + 1..]);
                }
                continue;
            }
            let Some(f) = files.last_mut() else { continue };
            if in_hunk {
                let (sign, text) = line.split_at(line.len().min(1));
                match sign {
                    "+" | "-" => match review_value(text) {
                        Some(v) if sign == "+" => f.added_review = Some(v.to_string()),
                        Some(v) => f.removed_review = Some(v.to_string()),
                        None => f.other = true,
                    },
                    "@" => {}
                    _ => {}
                }
            } else if let Some(p) = line.strip_prefix("--- ") {
                f.old = header_path(p);
            } else if let Some(p) = line.strip_prefix("+++ ") {
                f.new = header_path(p);
            } else if let Some(p) = line.strip_prefix("rename from ") {
                f.old = header_path(p);
            } else if let Some(p) = line.strip_prefix("rename to ") {
                f.new = header_path(p);
            } else if line.starts_with("@@") {
                in_hunk = true;
            } else if line.starts_with("Binary files") {
                f.other = true;
            }
        }
        for f in &files {
            // Deleted files are no document now; their older touches belong to nobody
            // unless a newer commit re-created the path.
            let Some(new) = f.new.as_deref().and_then(under) else {
                continue;
            };
            let now = current.get(&new).cloned().unwrap_or(new.clone());
            if let Some(old) = f.old.as_deref().and_then(under)
                && old != new
            {
                current.insert(old, now.clone());
            }
            h.files.entry(now).or_default().push(f.touch(index));
        }
    }
    for (rel, touches) in &h.files {
        if let Some(c) = touches.first().map(|t| &h.commits[t.commit]) {
            h.changes.insert(
                rel.clone(),
                Change {
                    date: c.date.clone(),
                    commit: c.hash.clone(),
                },
            );
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\0bbbbbbbbbbbbbbbb\x1fAna\x1fana@x.org\x1f2026-11-02\n\ndiff --git a/content/runbooks/a.md b/content/runbooks/a.md\nindex 1..2 100644\n--- a/content/runbooks/a.md\n+++ b/content/runbooks/a.md\n@@ -3 +3 @@\n-reviewed: 2026-01-01\n+reviewed: 2026-11-02\n\0aaaaaaaaaaaaaaaa\x1fBo\x1fbo@x.org\x1f2026-10-01\n\ndiff --git a/content/runbooks/old.md b/content/runbooks/a.md\nsimilarity index 90%\nrename from content/runbooks/old.md\nrename to content/runbooks/a.md\n--- a/content/runbooks/old.md\n+++ b/content/runbooks/a.md\n@@ -5 +5 @@\n-Restart it.\n+Fail over.\ndiff --git a/other/x.md b/other/x.md\n--- /dev/null\n+++ b/other/x.md\n@@ -0,0 +1 @@\n+x\n\0cccccccccccccccc\x1fCy\x1fcy@x.org\x1f2026-01-01\n\ndiff --git a/content/runbooks/old.md b/content/runbooks/old.md\nnew file mode 100644\n--- /dev/null\n+++ b/content/runbooks/old.md\n@@ -0,0 +1,5 @@\n+---\n+title: A\n+reviewed: 2026-01-01\n+---\n+Restart it.\n";

    #[test]
    fn touches_follow_renames_and_tell_reviews_from_edits() {
        let h = parse_log(LOG, "content");
        let t = h.touches("runbooks/a.md");
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].review.as_deref(), Some("2026-11-02"));
        assert!(!t[0].other);
        assert_eq!((t[1].review.clone(), t[1].other), (None, true));
        assert_eq!(t[2].review.as_deref(), Some("2026-01-01"));
        assert!(t[2].other);
        assert_eq!(h.commits[t[2].commit].author, "Cy");
        assert_eq!(h.changes["runbooks/a.md"].date, "2026-11-02");
        assert_eq!(h.changes["runbooks/a.md"].commit, "bbbbbbbbbbbb");
        assert!(!h.files.contains_key("runbooks/old.md"));
        assert!(!h.files.contains_key("other/x.md"));
    }

    #[test]
    fn review_values() {
        assert_eq!(review_value("reviewed: 2026-01-02"), Some("2026-01-02"));
        assert_eq!(
            review_value("reviewed = \"2026-01-02\""),
            Some("2026-01-02")
        );
        assert_eq!(
            review_value("last_reviewed_on: '2026-01-02' # q3"),
            Some("2026-01-02")
        );
        assert_eq!(review_value("  reviewed: 2026-01-02"), None);
        assert_eq!(review_value("reviewed_by: x"), None);
    }

    #[test]
    fn a_review_line_rewritten_to_the_same_date_is_an_edit() {
        let log = "\0a\x1fA\x1fa@x\x1f2026-01-02\n\ndiff --git a/x.md b/x.md\n--- a/x.md\n+++ b/x.md\n@@ -2 +2 @@\n-reviewed: 2026-01-01\n+reviewed: \"2026-01-01\"\n";
        let t = &parse_log(log, "").files["x.md"][0];
        assert_eq!((t.review.clone(), t.other), (None, true));
    }

    #[test]
    fn outside_a_repository_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let h = read(dir.path());
        assert!(h.changes.is_empty() && !h.shallow && !h.in_git);
    }
}
