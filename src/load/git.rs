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
    // Content the last commit does not hold (a generated or ignored folder inside some other
    // project's work tree) has no history worth a walk over that project's every commit.
    if !prefix.is_empty()
        && git(&top, &["ls-tree", "--name-only", "HEAD", "--", &prefix])
            .is_none_or(|l| l.trim().is_empty())
    {
        return History {
            shallow,
            in_git: true,
            ..History::default()
        };
    }
    // NUL-separated fields, so no name or email can shift them:
    // "\0<hash>\0<name>\0<email>\0<date>\0\n\n<patch>" (a patch holds no NUL: git shows a
    // file with one as binary).
    let log = git(
        &top,
        &[
            "log",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-show-signature",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--format=%x00%H%x00%an%x00%ae%x00%cs%x00",
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

/// Configuration given on every git command line: it wins over any repository's (including
/// one a `.git` file points to), so nothing the repository configures runs and the output
/// keeps the shape the parsers read.
const HARDENED: &[&str] = &[
    "core.fsmonitor=false",
    "core.untrackedCache=false",
    "core.quotepath=off",
    "core.pager=cat",
    "core.hooksPath=/dev/null",
    "core.sshCommand=",
    "core.askPass=",
    "diff.external=",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "diff.srcPrefix=a/",
    "diff.dstPrefix=b/",
    "color.ui=false",
    "log.showSignature=false",
    "log.follow=false",
    "log.decorate=false",
    "gpg.program=false",
    "protocol.allow=never",
    "pager.log=false",
    "pager.blame=false",
    "blame.ignoreRevsFile=",
];

/// Environment variables that make git run something or read another repository.
const REMOVED_ENV: &[&str] = &[
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_PAGER",
    "PAGER",
    "GIT_EDITOR",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_TRACE",
    "GIT_EXEC_PATH",
];

/// The one way Fieldbook runs git: `git -C dir` with the `HARDENED` configuration, no system
/// configuration, no pager, no prompt, no optional locks, no replace refs, nothing from the
/// environment that runs a command, and no standard input. Every caller adds
/// `--no-ext-diff --no-textconv` to commands that diff (`log -p`, `blame`).
pub fn command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    for c in HARDENED {
        cmd.arg("-c").arg(c);
    }
    cmd.arg("--no-pager").arg("-C").arg(dir);
    for v in REMOVED_ENV {
        cmd.env_remove(v);
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null());
    cmd
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = command(dir).args(args).output().ok()?;
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

/// A path of a patch header, without git's `a/`/`b/` and its C-style quoting (`"a/x\\"y\\ty"`,
/// how git writes a name with a quote, backslash, tab, newline or control character); `None`
/// for `/dev/null`.
fn header_path(p: &str) -> Option<String> {
    // git ends a name holding a space with a tab on `---`/`+++` lines.
    let p = p.strip_suffix('\t').unwrap_or(p);
    if p == "/dev/null" {
        return None;
    }
    let p = match p.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
        Some(quoted) => unquote_c(quoted),
        None => p.to_string(),
    };
    let p = p
        .strip_prefix("a/")
        .or_else(|| p.strip_prefix("b/"))
        .unwrap_or(&p);
    Some(p.to_string())
}

/// Undo git's C-style quoting of a path (`quote_c_style`): `\\`, `\"`, `\a \b \t \n \v \f
/// \r` and three-digit octal bytes.
fn unquote_c(q: &str) -> String {
    let b = q.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 == b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let c = b[i + 1];
        i += 2;
        let byte = match c {
            b'a' => 7,
            b'b' => 8,
            b't' => b'\t',
            b'n' => b'\n',
            b'v' => 11,
            b'f' => 12,
            b'r' => b'\r',
            b'0'..=b'3'
                if b.len() >= i + 2 && b[i..i + 2].iter().all(|d| (b'0'..=b'7').contains(d)) =>
            {
                let v = (c - b'0') * 64 + (b[i] - b'0') * 8 + (b[i + 1] - b'0');
                i += 2;
                v
            }
            other => other,
        };
        out.push(byte);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A commit field as shown on pages: control characters (a newline in a crafted author
/// name) become spaces.
fn field(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A `%cs` date: `YYYY-MM-DD` or nothing.
fn day(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    ok.then(|| s.to_string())
}

/// The commits of a `git log --format=%x00%H%x00%an%x00%ae%x00%cs%x00 -p` output: hash,
/// author, email, date and patch, five NUL-separated fields each.
fn records(log: &str) -> impl Iterator<Item = [&str; 5]> {
    let mut parts = log.split('\0');
    // The output starts with a NUL: nothing before it.
    parts.next();
    std::iter::from_fn(move || {
        Some([
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next().unwrap_or(""),
        ])
    })
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
    for [hash, author, email, date, patch] in records(log) {
        let hash = hash.trim();
        let Some(date) = day(date) else { continue };
        if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let index = h.commits.len();
        h.commits.push(Commit {
            hash: hash.chars().take(12).collect(),
            author: field(author),
            email: field(email),
            date,
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

    const LOG: &str = "\0bbbbbbbbbbbbbbbb\0Ana\0ana@x.org\x002026-11-02\0\n\ndiff --git a/content/runbooks/a.md b/content/runbooks/a.md\nindex 1..2 100644\n--- a/content/runbooks/a.md\n+++ b/content/runbooks/a.md\n@@ -3 +3 @@\n-reviewed: 2026-01-01\n+reviewed: 2026-11-02\n\0aaaaaaaaaaaaaaaa\0Bo\0bo@x.org\x002026-10-01\0\n\ndiff --git a/content/runbooks/old.md b/content/runbooks/a.md\nsimilarity index 90%\nrename from content/runbooks/old.md\nrename to content/runbooks/a.md\n--- a/content/runbooks/old.md\n+++ b/content/runbooks/a.md\n@@ -5 +5 @@\n-Restart it.\n+Fail over.\ndiff --git a/other/x.md b/other/x.md\n--- /dev/null\n+++ b/other/x.md\n@@ -0,0 +1 @@\n+x\n\0cccccccccccccccc\0Cy\0cy@x.org\x002026-01-01\0\n\ndiff --git a/content/runbooks/old.md b/content/runbooks/old.md\nnew file mode 100644\n--- /dev/null\n+++ b/content/runbooks/old.md\n@@ -0,0 +1,5 @@\n+---\n+title: A\n+reviewed: 2026-01-01\n+---\n+Restart it.\n";

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
        let log = "\0a\0A\0a@x\x002026-01-02\0\n\ndiff --git a/x.md b/x.md\n--- a/x.md\n+++ b/x.md\n@@ -2 +2 @@\n-reviewed: 2026-01-01\n+reviewed: \"2026-01-01\"\n";
        let t = &parse_log(log, "").files["x.md"][0];
        assert_eq!((t.review.clone(), t.other), (None, true));
    }

    #[test]
    fn outside_a_repository_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let h = read(dir.path());
        assert!(h.changes.is_empty() && !h.shallow && !h.in_git);
    }

    #[test]
    fn fields_cannot_be_spoofed_and_quoted_names_are_read() {
        // An author name holding the old separators, an email-like text, a newline.
        let log = "\0abcdef0123456789\0Eve\x1fmallory@evil\x1f1999-01-01 <x>\nX\0eve@x.org\x002026-05-06\0\n\ndiff --git \"a/q\\\"b\\\\s\\tt\\nn.md\" \"b/q\\\"b\\\\s\\tt\\nn.md\"\n--- \"a/q\\\"b\\\\s\\tt\\nn.md\"\n+++ \"b/q\\\"b\\\\s\\tt\\nn.md\"\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/with space.md b/with space.md\n--- a/with space.md\t\n+++ b/with space.md\t\n@@ -1 +1 @@\n-a\n+b\n";
        let h = parse_log(log, "");
        assert_eq!(h.commits.len(), 1);
        let c = &h.commits[0];
        assert_eq!(c.email, "eve@x.org");
        assert_eq!(c.date, "2026-05-06");
        assert!(!c.author.contains('\n') && !c.author.contains('\x1f'));
        assert!(
            h.changes.contains_key("q\"b\\s\tt\nn.md"),
            "{:?}",
            h.changes
        );
        assert!(h.changes.contains_key("with space.md"), "{:?}", h.changes);
        assert_eq!(unquote_c("\\303\\251\\a"), "\u{e9}\u{7}");
    }
}
