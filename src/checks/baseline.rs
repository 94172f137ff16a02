//! `[check] baseline`: today's findings recorded in a file, so that CI fails only on new ones
//! while a team works through the old ones (as linters' baselines do). A finding is known by
//! its code, its file and a fingerprint that does not depend on its line (edits that shift a
//! file's lines do not make its findings new); duplicates are counted. A renamed file's
//! findings count as new.

use crate::diagnostic::{Code, Diagnostic, Pos};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The baseline file's format version.
const VERSION: u32 = 1;

/// The default file name `check --update-baseline` writes when `[check] baseline` is unset.
pub const DEFAULT_FILE: &str = "fieldbook-baseline.json";

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub code: String,
    pub file: String,
    pub fingerprint: String,
    pub count: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

pub use crate::diagnostic::Progress;

pub use crate::diagnostic::fingerprint;

fn key(d: &Diagnostic) -> (String, String, String) {
    (d.code.as_str().to_string(), d.file.clone(), fingerprint(d))
}

/// The baseline of `findings` (fatal ones and those that always fail are never recorded).
pub fn of(findings: &[Diagnostic]) -> Baseline {
    let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for d in findings
        .iter()
        .filter(|d| !d.code.is_fatal() && !d.code.always_fails())
    {
        *counts.entry(key(d)).or_default() += 1;
    }
    Baseline {
        version: VERSION,
        findings: counts
            .into_iter()
            .map(|((code, file, fingerprint), count)| Entry {
                code,
                file,
                fingerprint,
                count,
            })
            .collect(),
    }
}

/// The file's text: pretty, sorted, one entry per distinct finding, a final newline.
pub fn to_json(b: &Baseline) -> String {
    let mut s = serde_json::to_string_pretty(b).expect("strings and numbers always serialize");
    s.push('\n');
    s
}

/// Read the baseline at `path` (`shown` in findings; `config_file` and `pos` say where it is
/// configured). A missing or malformed file stops the run (exit status 2).
pub fn read(
    path: &Path,
    shown: &str,
    config_file: &str,
    pos: Pos,
) -> Result<Baseline, crate::diagnostic::Fatal> {
    let text = crate::config::read_regular(path, crate::config::MAX_CONFIG_BYTES)
        .map_err(crate::config::Unread::into_io)
        .and_then(|b| {
            String::from_utf8(b).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text")
            })
        })
        .map_err(|e| {
        let (msg, hint) = if e.kind() == std::io::ErrorKind::NotFound {
            (
                format!("the baseline {shown} does not exist"),
                "create it with `fieldbook check --update-baseline`, or remove [check] baseline",
            )
        } else {
            (
                format!("cannot read the baseline {shown}: {e}"),
                "check the file's permissions",
            )
        };
        vec![Diagnostic::new(Code::InvalidConfig, config_file, pos, msg).with_hint(hint)]
    })?;
    serde_json::from_str::<Baseline>(&text)
        .map_err(|e| {
            let line = e.line().max(1) as u32;
            vec![
                Diagnostic::new(
                    Code::InvalidConfig,
                    shown,
                    Pos::new(line, e.column().max(1) as u32, 1),
                    format!("the baseline {shown} is not valid: {e}"),
                )
                .with_hint("regenerate it with `fieldbook check --update-baseline`")
                .with_source(&text),
            ]
        })
        .and_then(|b| {
            if b.version == VERSION {
                Ok(b)
            } else {
                Err(vec![
                    Diagnostic::new(
                        Code::InvalidConfig,
                        shown,
                        Pos::START,
                        format!(
                            "the baseline {shown} has version {}, not {VERSION}",
                            b.version
                        ),
                    )
                    .with_hint("regenerate it with `fieldbook check --update-baseline`"),
                ])
            }
        })
}

/// Mark the findings the baseline records as baselined (as many of each as it counts).
pub fn apply(baseline: &Baseline, findings: &mut [Diagnostic]) -> Progress {
    let mut budget: BTreeMap<(String, String, String), usize> = baseline
        .findings
        .iter()
        .map(|e| {
            (
                (e.code.clone(), e.file.clone(), e.fingerprint.clone()),
                e.count,
            )
        })
        .collect();
    let mut progress = Progress {
        recorded: baseline.findings.iter().map(|e| e.count).sum(),
        ..Progress::default()
    };
    for d in findings
        .iter_mut()
        .filter(|d| !d.code.is_fatal() && !d.code.always_fails())
    {
        if let Some(n) = budget.get_mut(&key(d))
            && *n > 0
        {
            *n -= 1;
            d.baselined = true;
            progress.baselined += 1;
        }
    }
    progress.fixed = budget.values().sum();
    progress
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(code: Code, file: &str, line: u32, msg: &str) -> Diagnostic {
        Diagnostic::new(code, file, Pos::new(line, 1, 1), msg)
    }

    #[test]
    fn fingerprints_ignore_lines_and_numbers() {
        let a = d(
            Code::BrokenLink,
            "a.md",
            3,
            "link `x.md` points to `x.md`, which does not exist",
        );
        let b = d(
            Code::BrokenLink,
            "a.md",
            9,
            "link `x.md` points to `x.md`, which does not exist",
        );
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let s1 = d(Code::Stale, "a.md", 5, "runbook is stale: 1 day ago");
        let s2 = d(Code::Stale, "a.md", 5, "runbook is stale: 30 days ago");
        assert_eq!(fingerprint(&s1), fingerprint(&s2));
        let o = d(
            Code::OverdueAction,
            "p.md",
            5,
            "action item \"Add alert\" (owner `bob`) is open 3 days past",
        );
        assert_eq!(fingerprint(&o), "Add alert");
        // However many documents a CODEOWNERS line covers, its unknown owner is the same.
        let u1 = d(
            Code::UnknownOwner,
            ".github/CODEOWNERS",
            3,
            "owner `@dave` is not in owners.yaml (named for 1 document by this line)",
        );
        let u2 = d(
            Code::UnknownOwner,
            ".github/CODEOWNERS",
            3,
            "owner `@dave` is not in owners.yaml (named for 2 documents by this line)",
        );
        assert_eq!(fingerprint(&u1), "@dave");
        assert_eq!(fingerprint(&u2), "@dave");
    }

    fn unknown_x(line: u32) -> Diagnostic {
        d(
            Code::UnknownOwner,
            "a.md",
            line,
            "owner `x` is not in owners.yaml",
        )
    }

    #[test]
    fn apply_counts_duplicates_new_and_fixed() {
        let old = vec![
            unknown_x(1),
            unknown_x(2),
            d(Code::BrokenLink, "b.md", 4, "link `gone.md`"),
            d(Code::InvalidConfig, "book.toml", 1, "fatal: never recorded"),
        ];
        let b = of(&old);
        assert_eq!(b.findings.len(), 2);
        assert_eq!(b.findings[1].count, 2);
        assert_eq!(to_json(&b), to_json(&of(&old)));
        // Lines moved, one more of the same, the link's file renamed.
        let mut now = vec![
            unknown_x(7),
            unknown_x(8),
            unknown_x(9),
            d(Code::BrokenLink, "c.md", 4, "link `gone.md`"),
        ];
        let p = apply(&b, &mut now);
        let marks: Vec<bool> = now.iter().map(|d| d.baselined).collect();
        assert_eq!(marks, [true, true, false, false]);
        assert_eq!(
            p,
            Progress {
                recorded: 3,
                baselined: 2,
                fixed: 1
            }
        );
        assert_eq!(
            p.sentence(),
            "1 of 3 baselined findings fixed — run `fieldbook check --update-baseline` to shrink it"
        );
    }

    #[test]
    fn bad_files_are_positioned() {
        let dir = tempfile::tempdir().unwrap();
        let e = read(
            &dir.path().join("none.json"),
            "none.json",
            "book.toml",
            Pos::new(9, 12, 5),
        )
        .unwrap_err()
        .remove(0);
        assert_eq!(
            (e.code, e.file.as_str(), e.line, e.column),
            (Code::InvalidConfig, "book.toml", 9, 12)
        );
        let p = dir.path().join("b.json");
        std::fs::write(&p, "{\n  \"version\": 1,\n  \"findings\": [oops]\n}\n").unwrap();
        let e = read(&p, "b.json", "book.toml", Pos::START)
            .unwrap_err()
            .remove(0);
        assert_eq!((e.file.as_str(), e.line), ("b.json", 3));
    }
}
