//! The small glob language of `[check] alert_rules`: `*` and `?` within one path segment,
//! `**` for any number of segments (`monitoring/**/*.rules.yml`).

use std::path::{Path, PathBuf};

/// Whether a pattern has wildcards (otherwise it names one path).
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// Files matching `pattern` (relative to `root`, `/`-separated, may start with `../`),
/// sorted, each with its path as the pattern writes it (`rules/a.yml`, `../mon/b.yml`).
pub fn expand(root: &Path, pattern: &str) -> Vec<(PathBuf, String)> {
    let segments: Vec<&str> = pattern
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let fixed = segments.iter().take_while(|s| !is_glob(s)).count();
    let base = segments[..fixed]
        .iter()
        .fold(root.to_path_buf(), |p, s| p.join(s));
    let prefix: String = segments[..fixed].iter().map(|s| format!("{s}/")).collect();
    let mut out: Vec<(PathBuf, String)> = walkdir::WalkDir::new(&base)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let parts: Vec<String> = e
                .path()
                .strip_prefix(&base)
                .ok()?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            path_matches(&segments[fixed..], &parts).then(|| {
                (
                    e.path().to_path_buf(),
                    format!("{prefix}{}", parts.join("/")),
                )
            })
        })
        .collect();
    out.sort();
    out
}

/// YAML files under a directory (rule files by convention end in `.yml` or `.yaml`), sorted.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("yml") || x.eq_ignore_ascii_case("yaml"))
        })
        .collect();
    out.sort();
    out
}

fn path_matches(pattern: &[&str], parts: &[&str]) -> bool {
    match pattern.split_first() {
        None => parts.is_empty(),
        Some((&"**", rest)) => (0..=parts.len()).any(|i| path_matches(rest, &parts[i..])),
        Some((first, rest)) => parts
            .split_first()
            .is_some_and(|(p, more)| segment_matches(first, p) && path_matches(rest, more)),
    }
}

fn segment_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Classic two-pointer wildcard match with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_double_stars() {
        assert!(segment_matches("*.yml", "k8s.yml"));
        assert!(segment_matches("*.rules.y?l", "db.rules.yml"));
        assert!(!segment_matches("*.yml", "k8s.yaml"));
        assert!(segment_matches("*", ""));
        let m = |p: &str, path: &str| {
            let pat: Vec<&str> = p.split('/').collect();
            let parts: Vec<&str> = path.split('/').collect();
            path_matches(&pat, &parts)
        };
        assert!(m("rules/**/*.yml", "rules/a.yml"));
        assert!(m("rules/**/*.yml", "rules/x/y/a.yml"));
        assert!(!m("rules/*.yml", "rules/x/a.yml"));
        assert!(m("**", "a/b"));
        assert!(!m("rules/*.yml", "other/a.yml"));
    }

    #[test]
    fn expands_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "rules/a.yml",
            "rules/sub/b.yaml",
            "rules/sub/c.yml",
            "other/d.yml",
        ] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let shown = |v: Vec<(PathBuf, String)>| -> Vec<String> {
            v.into_iter()
                .map(|(p, s)| {
                    assert!(p.is_file());
                    s
                })
                .collect()
        };
        assert_eq!(
            shown(expand(dir.path(), "rules/**/*.yml")),
            ["rules/a.yml", "rules/sub/c.yml"]
        );
        assert_eq!(
            shown(expand(dir.path(), "./*/*.yml")),
            ["other/d.yml", "rules/a.yml"]
        );
        assert_eq!(
            shown(expand(&dir.path().join("other"), "../rules/*.yml")),
            ["../rules/a.yml"]
        );
        assert!(expand(dir.path(), "nowhere/*.yml").is_empty());
        assert_eq!(yaml_files(&dir.path().join("rules")).len(), 3);
    }
}
