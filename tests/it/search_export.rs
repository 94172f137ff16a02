//! `fieldbook build --search-export FILE --search-export-format FORMAT`: each engine format
//! validated against a JSON Schema written from the engine's documentation
//! (`tests/schemas/search-export/`, each citing its pages), and sections checked by hand.

use crate::common::*;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

fn schema(name: &str) -> jsonschema::Validator {
    let path = repo_root().join("tests/schemas/search-export").join(name);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name} compiles: {e}"))
}

fn assert_valid(v: &jsonschema::Validator, what: &str, value: &Value) {
    let errors: Vec<String> = v
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} invalid:\n{}\n{value}",
        errors.join("\n")
    );
}

/// Build `site` with `--search-export-format format` and return the export's text.
fn export(site: &Path, format: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("export.json");
    let (code, _, err) = build_into(
        site,
        &tmp.path().join("public"),
        &[
            "--search-export",
            s(&file),
            "--search-export-format",
            format,
        ],
    );
    assert!(code == 0 || code == 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    std::fs::read_to_string(&file).unwrap()
}

fn lines(text: &str) -> Vec<Value> {
    assert!(text.ends_with('\n'), "NDJSON ends with a newline");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn every_format_of_the_demo_is_valid_for_its_engine() {
    let site = repo_root();
    let fields = schema("filterable-fields.json");

    // DocSearch: NDJSON records (what `algolia objects import` reads).
    let records = lines(&export(&site, "docsearch"));
    let docsearch = schema("docsearch-record.json");
    let mut ids = HashSet::new();
    for r in &records {
        assert_valid(&docsearch, "DocSearch record", r);
        assert_valid(&fields, "DocSearch record", r);
        assert!(ids.insert(r["objectID"].clone()), "duplicate objectID {r}");
        assert!(r.to_string().len() < 10_000, "record over 10 KB");
        if let Some(a) = r["anchor"].as_str() {
            assert!(r["url"].as_str().unwrap().ends_with(&format!("#{a}")));
        }
    }
    let pages: HashSet<&str> = records
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert!(records.len() > pages.len(), "one record per section");
    let stale = records
        .iter()
        .find(|r| r["path"] == "runbooks/tracking/events-delayed.md")
        .expect("the demo's stale runbook");
    assert_eq!(stale["stale"], true);
    assert_eq!(stale["hierarchy"]["lvl0"], "Runbooks");
    assert_eq!(stale["hierarchy"]["lvl1"], stale["title"]);

    // Meilisearch and Typesense: NDJSON, one document per line, same ids.
    for (format, name) in [
        ("meilisearch", "meilisearch-document.json"),
        ("typesense", "typesense-document.json"),
    ] {
        let v = schema(name);
        let docs = lines(&export(&site, format));
        assert_eq!(docs.len(), records.len(), "{format}");
        let mut ids = HashSet::new();
        for d in &docs {
            assert_valid(&v, format, d);
            assert_valid(&fields, format, d);
            assert!(ids.insert(d["id"].clone()), "{format}: duplicate id {d}");
        }
    }

    // Elasticsearch: action line, then the document, every line ending in a newline.
    let action = schema("elasticsearch-bulk-action.json");
    let source = schema("elasticsearch-document.json");
    let bulk = lines(&export(&site, "elasticsearch"));
    assert_eq!(bulk.len(), 2 * records.len());
    let mut ids = HashSet::new();
    for pair in bulk.chunks(2) {
        assert_valid(&action, "bulk action", &pair[0]);
        assert_valid(&source, "bulk document", &pair[1]);
        assert_valid(&fields, "bulk document", &pair[1]);
        assert!(ids.insert(pair[0]["index"]["_id"].clone()));
    }

    // The default stays one line per document with every field.
    let plain = lines(&export(&site, "fieldbook"));
    assert_eq!(plain.len(), pages.len());
    assert!(plain[0].get("body").is_some() && plain[0].get("members").is_some());
}

#[test]
fn sections_follow_headings_with_their_anchors_and_hierarchy() {
    let site = site_with(&[
        (
            "book.toml",
            "[book]\ntitle = \"T\"\nbase_url = \"https://handbook.example.com/docs\"\n",
        ),
        (
            "content/runbooks/db.md",
            "---\ntitle: Database down\nkind: runbook\nowners: [team-a]\nreviewed: 2026-01-01\n\
             services: [orders-db]\nalerts: [OrdersDbDown]\n---\n\
             # Database down\n\nIntro text.\n\n## Diagnose\n\nRun `psql`.\n\n### Check locks {#locks}\n\n\
             Look at pg_locks.\n\n## Mitigate\n\n## Mitigate\n\nFail over.\n",
        ),
    ]);
    let records = lines(&export(site.path(), "docsearch"));
    let got: Vec<(Value, Value, Value, Value, Value)> = records
        .iter()
        .map(|r| {
            (
                r["hierarchy"]["lvl2"].clone(),
                r["hierarchy"]["lvl3"].clone(),
                r["anchor"].clone(),
                r["content"].clone(),
                r["type"].clone(),
            )
        })
        .collect();
    let j = |s: &str| serde_json::from_str::<Value>(s).unwrap();
    assert_eq!(
        got,
        vec![
            (
                Value::Null,
                Value::Null,
                Value::Null,
                j("\"Intro text.\""),
                j("\"content\"")
            ),
            (
                j("\"Diagnose\""),
                Value::Null,
                j("\"diagnose\""),
                j("\"Run psql.\""),
                j("\"content\"")
            ),
            (
                j("\"Diagnose\""),
                j("\"Check locks\""),
                j("\"locks\""),
                j("\"Look at pg_locks.\""),
                j("\"content\"")
            ),
            (
                j("\"Mitigate\""),
                Value::Null,
                j("\"mitigate\""),
                Value::Null,
                j("\"lvl2\"")
            ),
            (
                j("\"Mitigate\""),
                Value::Null,
                j("\"mitigate-1\""),
                j("\"Fail over.\""),
                j("\"content\"")
            ),
        ]
    );
    let r = &records[2];
    assert_eq!(r["hierarchy"]["lvl0"], "Runbooks");
    assert_eq!(r["hierarchy"]["lvl1"], "Database down");
    assert_eq!(
        r["url"],
        "https://handbook.example.com/docs/runbooks/db/#locks"
    );
    assert_eq!(r["objectID"], "runbooks_2fdb_2emd__locks");
    assert_eq!(r["owners"], j("[\"team-a\"]"));
    assert_eq!(r["teams"], j("[\"team-a\"]"));
    assert_eq!(r["alerts"], j("[\"OrdersDbDown\"]"));
    assert_eq!(r["services"], j("[\"orders-db\"]"));

    let ms = lines(&export(site.path(), "meilisearch"));
    assert_eq!(ms[2]["id"], "runbooks_2fdb_2emd__locks");
    assert_eq!(ms[2]["heading"], "Check locks");
    assert_eq!(ms[2]["headings"], j("[\"Diagnose\", \"Check locks\"]"));
    assert_eq!(ms[3]["content"], "");
    assert!(ms[0].get("anchor").is_none(), "no nulls: {}", ms[0]);
}

#[test]
fn the_format_needs_an_export_file() {
    let (code, _, err) = run(["build", ".", "--search-export-format", "docsearch"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run([
        "build",
        ".",
        "--search-export",
        "x",
        "--search-export-format",
        "solr",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("docsearch"), "{err}");
}

#[test]
fn the_schemas_refuse_what_the_engines_refuse() {
    let j = |s: &str| serde_json::from_str::<Value>(s).unwrap();
    let bad = [
        ("meilisearch-document.json", "{\"id\": \"runbooks/db.md\"}"),
        ("meilisearch-document.json", "{\"title\": \"no id\"}"),
        ("typesense-document.json", "{\"id\": 7}"),
        ("typesense-document.json", "{\"id\": \"a b\"}"),
        (
            "typesense-document.json",
            "{\"id\": \"a\", \"anchor\": null}",
        ),
        (
            "elasticsearch-bulk-action.json",
            "{\"index\": {\"_index\": \"Fieldbook\", \"_id\": \"a\"}}",
        ),
        (
            "elasticsearch-bulk-action.json",
            "{\"index\": {\"_index\": \"f\"}, \"delete\": {}}",
        ),
        ("elasticsearch-document.json", "{\"_id\": \"a\"}"),
        (
            "docsearch-record.json",
            "{\"objectID\": \"a\", \"hierarchy\": {\"lvl0\": \"K\", \"lvl1\": \"T\", \"lvl2\": null, \"lvl3\": null, \"lvl4\": null, \"lvl5\": null, \"lvl6\": null}, \"url\": \"/a/\", \"url_without_anchor\": \"/a/\", \"anchor\": null, \"content\": null, \"type\": \"lvl3\"}",
        ),
    ];
    for (name, doc) in bad {
        assert!(!schema(name).is_valid(&j(doc)), "{name} accepts {doc}");
    }
}
