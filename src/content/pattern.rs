//! Gitignore-style path patterns, shared by CODEOWNERS and `[kinds]`: `*` and `?` within one
//! path segment, `[abc]` classes, `**` across segments, `\` escapes, a leading `/` (or any `/`
//! before the last character) anchoring the pattern at the root, a trailing `/` matching
//! directories only. A pattern that matches a directory matches everything below it, as in
//! git and CODEOWNERS.

/// A compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// Segments; an unanchored pattern starts with `**`.
    segments: Vec<String>,
    dir_only: bool,
}

impl Pattern {
    /// Compile `text` (already without comment and surrounding blanks). `None` for a pattern
    /// that can match nothing (empty).
    pub fn new(text: &str) -> Option<Pattern> {
        let mut t = text;
        let dir_only = t.ends_with('/') && !t.ends_with("\\/");
        if dir_only {
            t = t.trim_end_matches('/');
        }
        let anchored = t.starts_with('/') || t.contains('/');
        let t = t.trim_start_matches('/');
        if t.is_empty() {
            // `/` alone: the whole tree.
            return text.starts_with('/').then(|| Pattern {
                segments: vec!["**".into()],
                dir_only: false,
            });
        }
        let mut segments: Vec<String> = Vec::new();
        if !anchored {
            segments.push("**".into());
        }
        for s in t.split('/').filter(|s| !s.is_empty()) {
            // `***` and the like behave as `*` inside a segment, `**` only as a whole segment.
            if s == "**" && segments.last().is_some_and(|l| l == "**") {
                continue;
            }
            segments.push(s.to_string());
        }
        Some(Pattern { segments, dir_only })
    }

    /// Whether `path` (relative, `/`-separated, a file) is matched: the path itself, or one of
    /// the directories it is in.
    pub fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if parts.is_empty() {
            return false;
        }
        let ends = if self.dir_only {
            1..parts.len()
        } else {
            1..parts.len() + 1
        };
        ends.into_iter()
            .any(|end| match_segments(&self.segments, &parts[..end]))
    }
}

fn match_segments(pat: &[String], path: &[&str]) -> bool {
    match pat.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            // `a/**` needs something inside `a`; elsewhere `**` may match no segment.
            let min = usize::from(rest.is_empty());
            (min..=path.len()).any(|skip| match_segments(rest, &path[skip..]))
        }
        Some((first, rest)) => match path.split_first() {
            Some((seg, more)) => {
                glob(first.as_bytes(), seg.as_bytes()) && match_segments(rest, more)
            }
            None => false,
        },
    }
}

/// One segment: `*`, `?`, `[...]` (with `!`/`^` negation and ranges) and `\` escapes.
fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    while pi < p.len() && p[pi] == b'*' {
                        pi += 1;
                    }
                    star = Some((pi, si));
                    continue;
                }
                b'?' => {
                    pi += 1;
                    si += utf8_len(s[si]);
                    continue;
                }
                b'[' => {
                    if let Some((ok, next)) = class(&p[pi..], s[si]) {
                        if ok {
                            pi += next;
                            si += 1;
                            continue;
                        }
                    } else if s[si] == b'[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                b'\\' if pi + 1 < p.len() && p[pi + 1] == s[si] => {
                    pi += 2;
                    si += 1;
                    continue;
                }
                c if c == s[si] => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    }
}

/// `[...]` at the start of `p` against byte `c`: whether it matches and the class's length;
/// `None` when the bracket is not closed (it is then a literal `[`).
fn class(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(1), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == b']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        let lo = p[i];
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            if (lo..=p[i + 2]).contains(&c) {
                matched = true;
            }
            i += 3;
        } else {
            if lo == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        // (pattern, path, matches)
        let cases = [
            ("*", "a.md", true),
            ("*", "docs/a/b.md", true),
            ("*.md", "docs/deep/a.md", true),
            ("*.md", "docs/a.txt", false),
            ("/*.md", "a.md", true),
            ("/*.md", "docs/a.md", false),
            ("docs/", "docs/a.md", true),
            ("docs/", "x/docs/a.md", true),
            ("docs/", "docs", false),
            ("/docs/", "x/docs/a.md", false),
            ("docs", "docs", true),
            ("docs", "x/docs/y.md", true),
            ("/docs", "docs/y.md", true),
            ("docs/*", "docs/a.md", true),
            ("docs/*", "docs/sub/a.md", true), // git: docs/sub matches, so everything in it
            ("apps/github", "apps/github/x.md", true),
            ("apps/github", "z/apps/github/x.md", false),
            ("**/logs", "a/b/logs/x.md", true),
            ("**/logs", "logs/x.md", true),
            ("runbooks/**", "runbooks/a.md", true),
            ("runbooks/**", "runbooks/db/a.md", true),
            ("runbooks/**", "runbooks", false),
            ("runbooks/**", "other/runbooks/a.md", false),
            ("a/**/b.md", "a/b.md", true),
            ("a/**/b.md", "a/x/y/b.md", true),
            ("a/**/b.md", "a/x/y/c.md", false),
            ("alert?.md", "alert1.md", true),
            ("alert?.md", "alert12.md", false),
            ("[Rr]unbook*.md", "Runbook-x.md", true),
            ("[!R]unbook.md", "Runbook.md", false),
            ("[a-c].md", "b.md", true),
            ("\\#notes.md", "#notes.md", true),
            ("file\\ name.md", "file name.md", true),
            ("*.MD", "a.md", false),
            ("/", "anything/x.md", true),
            ("café/*", "café/a.md", true),
            ("ca?é.md", "caxé.md", true),
            ("[unclosed.md", "[unclosed.md", true),
        ];
        for (pat, path, want) in cases {
            let p = Pattern::new(pat).unwrap();
            assert_eq!(p.matches(path), want, "{pat} vs {path}");
        }
        assert!(Pattern::new("").is_none());
    }
}
