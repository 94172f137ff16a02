//! `fieldbook handover OLD --to NEW`: on every fixture site and for every owner id, the only
//! bytes that change are the ids themselves.

use crate::common::{fixture, run, temp_fixture};
use std::path::Path;

const SUCCESSOR: &str = "zz-successor";

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.retain(|(rel, _)| rel != "owners.yaml" && !rel.starts_with(".fieldbook"));
    out
}

fn ids(owners_yaml: &str) -> Vec<String> {
    let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(owners_yaml).unwrap();
    ["people", "teams"]
        .iter()
        .filter_map(|k| v.get(*k).and_then(|m| m.as_mapping()))
        .flat_map(|m| m.keys().filter_map(|k| k.as_str().map(str::to_string)))
        .collect()
}

#[test]
fn every_fixture_round_trips_but_for_the_owner_ids() {
    let mut moved = 0;
    for entry in std::fs::read_dir(fixture("")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(owners) = std::fs::read_to_string(entry.path().join("owners.yaml")) else {
            continue;
        };
        for id in ids(&owners) {
            let site = temp_fixture(&name);
            let before = files(site.path());
            let roster = owners.replacen(
                "people:\n",
                &format!("people:\n  {SUCCESSOR}: {{ name: Successor }}\n"),
                1,
            );
            std::fs::write(site.path().join("owners.yaml"), roster).unwrap();
            let (code, out, err) = run([
                "handover".as_ref(),
                id.as_ref(),
                "--to".as_ref(),
                SUCCESSOR.as_ref(),
                site.path().as_os_str(),
            ]);
            assert!(!err.contains("panicked"), "{err}");
            let after = files(site.path());
            if code != 0 {
                // Refused (front matter that does not parse names the id): nothing changed.
                assert_eq!(code, 2, "{name} {id}: {err}");
                assert!(before == after, "{name} {id}: a refusal changed files");
                continue;
            }
            assert_eq!(before.len(), after.len());
            for ((rel, old), (_, new)) in before.iter().zip(&after) {
                let new = String::from_utf8_lossy(new).replace(SUCCESSOR, &id);
                assert_eq!(
                    new.as_bytes(),
                    old.as_slice(),
                    "{name}/{rel} ({id}): more than the id changed"
                );
            }
            moved += out.lines().count();
        }
    }
    assert!(
        moved > 20,
        "handover moved too little to prove anything: {moved}"
    );
}

#[test]
fn dry_run_changes_nothing_and_an_unknown_successor_is_refused() {
    let site = temp_fixture("valid");
    let before = files(site.path());
    let owners = std::fs::read_to_string(site.path().join("owners.yaml")).unwrap();
    let id = ids(&owners).into_iter().next().unwrap();
    let (code, _, err) = run([
        "handover".as_ref(),
        id.as_ref(),
        "--to".as_ref(),
        "nobody-here".as_ref(),
        site.path().as_os_str(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nobody-here"), "{err}");
    let roster = owners.replacen(
        "people:\n",
        &format!("people:\n  {SUCCESSOR}: {{ name: S }}\n"),
        1,
    );
    std::fs::write(site.path().join("owners.yaml"), roster).unwrap();
    let (code, out, _) = run([
        "handover".as_ref(),
        id.as_ref(),
        "--to".as_ref(),
        SUCCESSOR.as_ref(),
        site.path().as_os_str(),
        "--dry-run".as_ref(),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("would move"), "{out}");
    assert!(before == files(site.path()));
}
