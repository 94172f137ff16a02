//! Search relevance on the fixture handbook (tests/fixtures/search): every judged query of
//! queries.json must rank its expected documents in the top 3, in tantivy and in the client
//! index alike; plus incremental indexing, filters, the export and `search::cli::run`.
//!
//! The `fieldbook search` subcommand itself is tested through `cli::run` here: the binary's
//! argument parsing lives in src/main.rs.

use crate::common::copy_dir;
use fieldbook::content::front_matter::Kind;
use fieldbook::search::{self, Query, SearchDoc, client::Reference};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/search");

#[derive(Deserialize)]
struct Judged {
    query: String,
    top3: Vec<String>,
    why: String,
    #[serde(default)]
    kind: Option<Kind>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    stale: bool,
    #[serde(default)]
    absent: Vec<String>,
}

impl Judged {
    fn query(&self, limit: usize) -> Query {
        Query {
            text: self.query.clone(),
            kind: self.kind,
            service: self.service.clone(),
            owner: None,
            stale: self.stale,
            limit,
        }
    }
}

fn judged() -> Vec<Judged> {
    let text = std::fs::read_to_string(Path::new(FIXTURE).join("queries.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A fresh copy of the fixture (indexes are written into the site directory).
fn site() -> (TempDir, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("site");
    copy_dir(Path::new(FIXTURE), &root);
    (tmp, root)
}

fn docs(root: &Path, drafts: bool) -> Vec<SearchDoc> {
    let site = fieldbook::load::load_site(root, None).expect("the fixture loads");
    search::documents(&site, drafts)
}

fn indexed() -> (TempDir, PathBuf, Vec<SearchDoc>) {
    let (tmp, root) = site();
    let d = docs(&root, false);
    search::update_index(&root, &d).unwrap();
    (tmp, root, d)
}

fn paths(hits: &[search::Hit]) -> Vec<String> {
    hits.iter().map(|h| h.rel.clone()).collect()
}

/// Check one engine's ranked paths against the judgements; the failures as table rows.
fn judge(engine: &str, results: &[(String, Vec<String>)]) -> Vec<String> {
    let mut failures = Vec::new();
    for (j, (query, got)) in judged().iter().zip(results) {
        assert_eq!(&j.query, query);
        let top3: Vec<&str> = got.iter().take(3).map(String::as_str).collect();
        let missing: Vec<&str> = j
            .top3
            .iter()
            .filter(|e| !top3.contains(&e.as_str()))
            .map(String::as_str)
            .collect();
        let present: Vec<&str> = j
            .absent
            .iter()
            .filter(|a| got.contains(a))
            .map(String::as_str)
            .collect();
        // A pasted alert must find its runbook first, not merely in the top 3.
        let not_first = j.why.starts_with("pasted") && got.first() != j.top3.first();
        if !missing.is_empty() || !present.is_empty() || not_first {
            failures.push(format!(
                "{engine:<8} | {:<52} | {:<14} | missing {:?} | unwanted {:?} | got {:?}",
                j.query, j.why, missing, present, top3
            ));
        }
    }
    failures
}

#[test]
fn judged_queries_rank_the_right_documents_in_the_top_3() {
    let (_tmp, root, _) = indexed();
    let results: Vec<(String, Vec<String>)> = judged()
        .iter()
        .map(|j| {
            let hits = search::search(&root, &j.query(10)).unwrap();
            // The whole ranking, for `--nocapture`.
            println!("{:<52} {:<14}", j.query, j.why);
            for h in hits.iter().take(4) {
                println!("    {:>8.3}  {}", h.score, h.rel);
            }
            (j.query.clone(), paths(&hits))
        })
        .collect();
    let failures = judge("tantivy", &results);
    assert!(
        failures.is_empty(),
        "{} of {} judged queries failed:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
}

/// A judged snippet (tests/fixtures/search/snippets.json), judged on the demo handbook (the
/// repository's own content): the snippet of `path` for `query` must highlight `highlighted`.
#[derive(Deserialize)]
struct JudgedSnippet {
    query: String,
    path: String,
    highlighted: Vec<String>,
    why: String,
}

/// The demo handbook (book.toml, owners.yaml, content/ of the repository) in a temporary
/// directory, indexed, with its client index written.
fn demo_indexed() -> (TempDir, PathBuf, Reference) {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("demo");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("content"), &root.join("content"));
    for f in ["book.toml", "owners.yaml"] {
        std::fs::copy(repo.join(f), root.join(f)).unwrap();
    }
    let d = docs(&root, false);
    search::update_index(&root, &d).unwrap();
    let out = tmp.path().join("public");
    search::write_client_index(&out, &d).unwrap();
    let reference = Reference::open(&out).unwrap();
    (tmp, root, reference)
}

/// A result's snippet must show the passage with the words that matched, typo and prefix
/// variants included, and the client index (the browser's) must give the same snippet as the
/// terminal; tests/browser/search.test.mjs holds the browser's script to the terminal.
#[test]
fn judged_snippets_show_the_matched_words_in_both_engines() {
    let (_tmp, root, reference) = demo_indexed();
    let text = std::fs::read_to_string(Path::new(FIXTURE).join("snippets.json")).unwrap();
    let judged: Vec<JudgedSnippet> = serde_json::from_str(&text).unwrap();
    assert!(judged.len() >= 5);
    let mut failures = Vec::new();
    for j in &judged {
        let (text, path, why) = (j.query.as_str(), j.path.as_str(), &j.why);
        let q = Query {
            text: text.into(),
            limit: 50,
            ..Query::default()
        };
        let hits = search::search(&root, &q).unwrap();
        let Some(hit) = hits.iter().find(|h| h.rel == path) else {
            failures.push(format!("{text:<24} | {path} is not a result"));
            continue;
        };
        let terminal = (hit.snippet.clone(), hit.highlights.clone());
        let client = reference
            .snippet(path, &q)
            .unwrap()
            .expect("the doc is indexed");
        let shown: Vec<String> = terminal
            .1
            .iter()
            .map(|&(a, b)| terminal.0[a..b].to_lowercase())
            .collect();
        let missing: Vec<&str> = j
            .highlighted
            .iter()
            .filter(|w| !shown.contains(w))
            .map(String::as_str)
            .collect();
        println!("{text:<24} {path}\n    {}\n    {shown:?}", terminal.0);
        if !missing.is_empty() {
            failures.push(format!(
                "{text:<24} | {why} | {path}: {missing:?} not highlighted in {:?}",
                terminal.0
            ));
        }
        if client != terminal {
            failures.push(format!(
                "{text:<24} | {path}: the client's snippet differs\n    terminal {terminal:?}\n    client   {client:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_client_index_ranks_like_tantivy() {
    let (tmp, root, d) = indexed();
    let out = tmp.path().join("public");
    let files = search::write_client_index(&out, &d).unwrap();
    assert!(files >= 4);
    let reference = Reference::open(&out).unwrap();
    let mut results = Vec::new();
    let mut disagreements = Vec::new();
    for j in judged() {
        let q = j.query(10);
        let t: Vec<(String, f32)> = search::search(&root, &q)
            .unwrap()
            .into_iter()
            .map(|h| (h.rel, h.score))
            .collect();
        let c = reference.search(&q).unwrap();
        let same = t.len() == c.len()
            && t.iter().zip(&c).all(|(a, b)| {
                let close = (a.1 - b.1).abs() <= 1e-4 * a.1.abs().max(1.0);
                close && (a.0 == b.0 || t.iter().any(|x| x.0 == b.0 && (x.1 - a.1).abs() <= 1e-4))
            });
        if !same {
            disagreements.push(format!(
                "{:<52} tantivy {t:?}\n{:<52} client  {c:?}",
                j.query, ""
            ));
        }
        results.push((j.query.clone(), c.into_iter().map(|x| x.0).collect()));
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    let failures = judge("client", &results);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_title_or_alert_match_outranks_a_body_match() {
    let (_tmp, root, _) = indexed();
    let q = |text: &str| {
        paths(
            &search::search(
                &root,
                &Query {
                    text: text.into(),
                    limit: 20,
                    ..Query::default()
                },
            )
            .unwrap(),
        )
    };
    let crash = q("KubePodCrashLooping");
    // The runbook (alert) first; documents that only mention it in their body after it.
    assert_eq!(crash[0], "runbooks/k8s/pod-crashlooping.md");
    for body_only in [
        "runbooks/k8s/node-not-ready.md",
        "postmortems/2026-10-21-checkout-config-push.md",
        "courses/oncall-101/01-reading-alerts.md",
    ] {
        assert!(
            crash.contains(&body_only.to_string()),
            "{body_only} in {crash:?}"
        );
    }
    let mem = q("memcached");
    assert_eq!(mem[0], "runbooks/legacy/memcached-evictions.md");
    assert!(mem.contains(&"runbooks/redis/memory-high.md".to_string()));
    // Exact beats prefix beats typo: `database` exact in the escalation page's body three times
    // still loses to the failover runbook's title.
    let db = q("database");
    assert_eq!(db[0], "runbooks/postgres/database-failover.md");
}

#[test]
fn results_are_deterministic_and_ties_go_by_path() {
    let (_tmp, root, _) = indexed();
    let q = Query {
        text: String::new(),
        kind: Some(Kind::Postmortem),
        limit: 50,
        ..Query::default()
    };
    let a = search::search(&root, &q).unwrap();
    assert_eq!(
        paths(&a),
        [
            "postmortems/2026-07-08-expired-tracking-certificate.md",
            "postmortems/2026-09-17-orders-db-connection-exhaustion.md",
            "postmortems/2026-10-21-checkout-config-push.md"
        ]
    );
    assert!(a.iter().all(|h| h.score == 0.0));
    let q = Query {
        text: "orders-db".into(),
        limit: 50,
        ..Query::default()
    };
    let first = search::search(&root, &q).unwrap();
    for _ in 0..3 {
        let again = search::search(&root, &q).unwrap();
        assert_eq!(paths(&first), paths(&again));
    }
    for w in first.windows(2) {
        assert!(w[0].score > w[1].score || (w[0].score == w[1].score && w[0].rel < w[1].rel));
    }
}

#[test]
fn filters_restrict_without_changing_scores() {
    let (_tmp, root, _) = indexed();
    let run = |q: Query| search::search(&root, &q).unwrap();
    let all = run(Query {
        text: "certificate".into(),
        limit: 50,
        ..Query::default()
    });
    let runbooks = run(Query {
        text: "certificate".into(),
        kind: Some(Kind::Runbook),
        limit: 50,
        ..Query::default()
    });
    assert!(runbooks.iter().all(|h| h.kind == Kind::Runbook));
    assert!(runbooks.len() < all.len());
    for h in &runbooks {
        let same = all.iter().find(|a| a.rel == h.rel).unwrap();
        assert_eq!(same.score, h.score);
    }
    // A person finds the documents of their teams.
    let dara = run(Query {
        text: "certificate".into(),
        owner: Some("dara".into()),
        limit: 50,
        ..Query::default()
    });
    assert!(paths(&dara).contains(&"runbooks/tls/certificate-expired.md".to_string()));
    let ana = run(Query {
        text: "certificate".into(),
        owner: Some("ana".into()),
        limit: 50,
        ..Query::default()
    });
    assert!(!paths(&ana).contains(&"runbooks/tls/certificate-expired.md".to_string()));
    let stale = run(Query {
        stale: true,
        ..Query::default()
    });
    assert_eq!(paths(&stale), ["runbooks/legacy/memcached-evictions.md"]);
    assert!(stale[0].lapsed);
    let svc = run(Query {
        text: "lag".into(),
        service: Some("postgres".into()),
        ..Query::default()
    });
    assert!(
        svc.iter()
            .all(|h| h.rel.starts_with("runbooks/postgres/") || h.rel.starts_with("postmortems/"))
    );
}

#[test]
fn words_that_match_nothing_are_ignored() {
    let (_tmp, root, _) = indexed();
    let run = |t: &str| {
        paths(
            &search::search(
                &root,
                &Query {
                    text: t.into(),
                    ..Query::default()
                },
            )
            .unwrap(),
        )
    };
    assert_eq!(
        run("KubePodCrashLooping qqqzzz")[0],
        "runbooks/k8s/pod-crashlooping.md"
    );
    assert!(run("qqqzzz").is_empty());
    assert!(run("\"certificate zebra\"").is_empty());
    // Two words that each match, but never in one document: the documents matching either,
    // each saying which word it lacks (never an empty page while a word matches).
    let hits = search::search(
        &root,
        &Query {
            text: "memcached PodCrash".into(),
            ..Query::default()
        },
    )
    .unwrap();
    let found: Vec<(&str, Vec<&str>)> = hits
        .iter()
        .map(|h| {
            (
                h.rel.as_str(),
                h.missing.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert!(found.contains(&("runbooks/legacy/memcached-evictions.md", vec!["PodCrash"])));
    assert!(found.contains(&("runbooks/k8s/pod-crashlooping.md", vec!["memcached"])));
}

#[test]
fn documents_matching_every_word_rank_before_those_matching_most() {
    let (_tmp, root, _) = indexed();
    let hits = search::search(
        &root,
        &Query {
            text: "patroni failover postgres".into(),
            limit: 50,
            ..Query::default()
        },
    )
    .unwrap();
    assert!(hits.len() > 2, "partial matches are listed too");
    let missing: Vec<usize> = hits.iter().map(|h| h.missing.len()).collect();
    let mut sorted = missing.clone();
    sorted.sort();
    assert_eq!(missing, sorted, "fewer missing words first: {missing:?}");
    assert_eq!(hits[0].rel, "runbooks/postgres/database-failover.md");
    assert!(hits[0].missing.is_empty());
}

#[test]
fn incremental_updates_reindex_only_what_changed() {
    let (_tmp, root) = site();
    let first = search::update_index(&root, &docs(&root, false)).unwrap();
    assert!(first.rebuilt);
    assert_eq!(first.indexed, first.documents);
    assert_eq!(first.documents, 23);

    let again = search::update_index(&root, &docs(&root, false)).unwrap();
    assert!(!again.rebuilt);
    assert_eq!((again.indexed, again.removed, again.unchanged), (0, 0, 23));

    let file = root.join("content/runbooks/redis/memory-high.md");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\nSee also the zanzibarquokka dashboard.\n");
    std::fs::write(&file, text).unwrap();
    let changed = search::update_index(&root, &docs(&root, false)).unwrap();
    assert_eq!(
        (changed.indexed, changed.removed, changed.unchanged),
        (1, 0, 22)
    );
    let hits = search::search(
        &root,
        &Query {
            text: "zanzibarquokka".into(),
            ..Query::default()
        },
    )
    .unwrap();
    assert_eq!(paths(&hits), ["runbooks/redis/memory-high.md"]);

    std::fs::remove_file(root.join("content/runbooks/kafka/consumer-lag.md")).unwrap();
    let removed = search::update_index(&root, &docs(&root, false)).unwrap();
    assert_eq!(
        (removed.indexed, removed.removed, removed.documents),
        (0, 1, 22)
    );
    let hits = search::search(
        &root,
        &Query {
            text: "KafkaConsumerLagHigh".into(),
            ..Query::default()
        },
    )
    .unwrap();
    assert!(hits.is_empty());

    // The updates left segments with deleted documents (no merge after each edit), which
    // must count for nothing: scores equal those of a fresh build of the same content.
    let index = tantivy::Index::open_in_dir(search::index_dir(&root)).unwrap();
    let metas = index.searchable_segment_metas().unwrap();
    assert!(metas.len() > 1 && metas.iter().any(|m| m.has_deletes()));
    let (_tmp2, fresh) = site();
    std::fs::copy(&file, fresh.join("content/runbooks/redis/memory-high.md")).unwrap();
    std::fs::remove_file(fresh.join("content/runbooks/kafka/consumer-lag.md")).unwrap();
    search::update_index(&fresh, &docs(&fresh, false)).unwrap();
    for j in judged() {
        let a = search::search(&root, &j.query(10)).unwrap();
        let b = search::search(&fresh, &j.query(10)).unwrap();
        let a: Vec<_> = a.iter().map(|h| (&h.rel, h.score)).collect();
        let b: Vec<_> = b.iter().map(|h| (&h.rel, h.score)).collect();
        assert_eq!(a, b, "{}", j.query);
    }

    // Drafts in, then out again.
    let with = search::update_index(&root, &docs(&root, true)).unwrap();
    assert_eq!((with.indexed, with.documents), (1, 23));
    let without = search::update_index(&root, &docs(&root, false)).unwrap();
    assert_eq!((without.removed, without.documents), (1, 22));

    // A manifest that does not match the index (an interrupted update): rebuilt.
    let manifest = search::index_dir(&root).join("fieldbook-manifest.json");
    std::fs::write(&manifest, "{\"version\":1,\"docs\":{}}").unwrap();
    let rebuilt = search::update_index(&root, &docs(&root, false)).unwrap();
    assert!(rebuilt.rebuilt);
    assert_eq!(rebuilt.indexed, 22);
    assert!(search::index::is_current(&root, &docs(&root, false)));
}

#[test]
fn documents_carry_review_ownership_and_plain_text() {
    let (_tmp, root) = site();
    let d = docs(&root, false);
    assert!(d.windows(2).all(|w| w[0].rel < w[1].rel));
    assert!(!d.iter().any(|x| x.rel.contains("drafts/")));
    let mem = d
        .iter()
        .find(|x| x.rel == "runbooks/legacy/memcached-evictions.md")
        .unwrap();
    assert_eq!(mem.state, fieldbook::model::ReviewState::Stale);
    assert!(mem.lapsed);
    assert_eq!(mem.owner_names, ["Caching"]);
    assert_eq!(mem.channel.as_deref(), Some("#cache"));
    let pg = d
        .iter()
        .find(|x| x.rel == "runbooks/postgres/connection-exhaustion.md")
        .unwrap();
    assert_eq!(pg.url, "runbooks/postgres/connection-exhaustion/");
    assert!(pg.body.contains("FROM pg_stat_activity"));
    assert!(
        pg.headings
            .contains(&"Who holds the connections: pg_stat_activity".to_string())
    );
    assert!(!pg.body.contains("Who holds"));
    assert_eq!(pg.teams, ["team-db"]);
    assert_eq!(pg.members, ["chen", "dara"]);
    // A lesson shares its course's review and owners.
    let lesson = d
        .iter()
        .find(|x| x.rel == "courses/oncall-101/01-reading-alerts.md")
        .unwrap();
    assert_eq!(lesson.owners, ["team-platform"]);
    assert!(lesson.headings.iter().all(|h| h != "Reading an alert"));
}

#[test]
fn export_is_one_json_object_per_document() {
    let (tmp, root) = site();
    let d = docs(&root, false);
    let path = tmp.path().join("out/export.jsonl");
    search::write_export(&path, &d).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), d.len());
    let about = lines.iter().find(|l| l["rel"] == "about.md").unwrap();
    assert_eq!(
        about["title"],
        "About this handbook <script>alert(1)</script>"
    );
    for key in [
        "url",
        "kind",
        "state",
        "lapsed",
        "owners",
        "owner_names",
        "channel",
        "teams",
        "services",
        "tags",
        "alerts",
        "severity",
        "headings",
        "body",
        "reviewed",
    ] {
        assert!(about.get(key).is_some(), "{key}");
    }
}

#[test]
fn client_index_files_follow_the_format() {
    let (tmp, root) = site();
    let d = docs(&root, false);
    let out = tmp.path().join("public");
    let files = search::write_client_index(&out, &d).unwrap();
    let dir = out.join("search");
    let count = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    assert_eq!(count, files);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["version"], 1);
    assert_eq!(index["docs"], d.len());
    assert_eq!(
        index["fields"],
        serde_json::json!(["title", "alerts", "headings", "meta", "body"])
    );
    assert_eq!(
        index["weights"],
        serde_json::json!([8.0, 10.0, 4.0, 3.0, 1.0])
    );
    assert_eq!(index["shards"][0], "");
    assert_eq!(index["doc_chunk"], 32);
    assert_eq!(index["text_chunk"], 8);
    assert!(index["filters"]["kind"].as_array().unwrap().len() == 5);
    assert!(index["avg_len"]["body"].as_f64().unwrap() > 50.0);
    // Terms with positions, field ids and tf; parts and tails at their word's position.
    let shards: Vec<String> = serde_json::from_value(index["shards"].clone()).unwrap();
    assert!(shards.windows(2).all(|w| w[0] < w[1]));
    let lookup = |term: &str| -> serde_json::Value {
        let i = shards.partition_point(|s| s.as_str() <= term) - 1;
        let shard: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("t/{i}.json"))).unwrap())
                .unwrap();
        shard[term].clone()
    };
    // Flat postings: Δdoc, field, norm, tf, first position, Δpositions.
    let decode = |v: serde_json::Value| -> Vec<(u64, u64, u64, Vec<u64>)> {
        let flat: Vec<u64> = serde_json::from_value(v).unwrap();
        let (mut out, mut i, mut d) = (Vec::new(), 0, 0);
        while i < flat.len() {
            d += flat[i];
            let tf = flat[i + 3] as usize;
            let mut p = 0;
            let pos = flat[i + 4..i + 4 + tf]
                .iter()
                .map(|x| {
                    p += x;
                    p
                })
                .collect();
            out.push((d, flat[i + 1], flat[i + 2], pos));
            i += 4 + tf;
        }
        out
    };
    let crash = decode(lookup("kubepodcrashlooping"));
    assert!(lookup("podcrashlooping").is_array());
    let alert_posting = crash.iter().find(|p| p.1 == 1).unwrap();
    assert!(alert_posting.2 >= 1, "the alerts field's norm");
    assert_eq!(alert_posting.3, vec![0]);
    let mut body = decode(lookup("the"));
    body.retain(|p| p.1 == 4);
    assert!(
        body.iter()
            .any(|p| p.3.len() > 1 && p.3.windows(2).all(|w| w[0] < w[1]))
    );
    assert!(body.windows(2).all(|w| w[0].0 < w[1].0), "docs ascending");
    assert!(body.iter().all(|p| p.2 >= p.3.len() as u64), "norm ≥ tf");
    let docs0: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("d/0.json")).unwrap()).unwrap();
    let about = &docs0[0];
    assert_eq!(about["t"], "About this handbook <script>alert(1)</script>");
    assert_eq!(about["p"], "about.md");
    assert!(about.get("len").is_none(), "ranking needs no doc metadata");
    let texts: Vec<String> =
        serde_json::from_slice(&std::fs::read(dir.join("x/0.json")).unwrap()).unwrap();
    // The body, a newline, the headings.
    for t in &texts {
        let (body, headings) = t.split_once('\n').expect("body and headings");
        assert!(body.chars().count() <= search::client::TEXT_CHARS);
        assert!(headings.chars().count() <= search::client::HEADING_CHARS);
        assert!(!headings.contains('\n'));
    }
    assert!(
        !texts[0].starts_with("About this handbook"),
        "the title is in d/"
    );
    assert!(!texts[0].is_empty());
    // Written again: the same files, none left over.
    let again = search::write_client_index(&out, &d[..3]).unwrap();
    let count = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    assert_eq!(count, again);
}

fn cli(root: &Path, q: Query, json: bool) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = search::cli::run(root, None, q, json, false, &mut out, &mut err).unwrap();
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn cli_run_indexes_on_demand_and_prints_results() {
    let (_tmp, root) = site();
    assert!(!search::index_dir(&root).exists());
    let (code, out, err) = cli(
        &root,
        Query {
            text: "KubePodCrashLooping".into(),
            limit: 3,
            ..Query::default()
        },
        true,
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let top = &results[0];
    assert_eq!(top["path"], "runbooks/k8s/pod-crashlooping.md");
    assert_eq!(top["kind"], "runbook");
    assert_eq!(top["url"], "runbooks/k8s/pod-crashlooping/");
    assert_eq!(top["owners"], serde_json::json!(["team-platform"]));
    assert_eq!(top["state"], "fresh");
    assert_eq!(top["lapsed"], false);
    assert!(top["score"].as_f64().unwrap() > results[1]["score"].as_f64().unwrap());
    assert!(
        top["snippet"]
            .as_str()
            .unwrap()
            .contains("**KubePodCrashLooping**")
    );

    let (code, out, _) = cli(
        &root,
        Query {
            text: "memcached".into(),
            ..Query::default()
        },
        false,
    );
    assert_eq!(code, 0);
    println!("{out}");
    let first = out.lines().next().unwrap();
    assert_eq!(first, "1. Memcached evictions [STALE] [LAPSED OWNER]");
    assert!(out.contains("runbooks/legacy/memcached-evictions.md · runbook · Caching"));
    assert!(out.contains("**memcached**"));

    let (code, out, _) = cli(
        &root,
        Query {
            text: "script".into(),
            ..Query::default()
        },
        false,
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("1. About this handbook <script>alert(1)</script>\n"));

    let (code, out, _) = cli(
        &root,
        Query {
            text: "qqqzzz".into(),
            ..Query::default()
        },
        false,
    );
    assert_eq!((code, out.as_str()), (0, "no results for `qqqzzz`\n"));
    let (code, out, _) = cli(
        &root,
        Query {
            text: "qqqzzz".into(),
            ..Query::default()
        },
        true,
    );
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        serde_json::json!({"results": [], "closest": {"alerts": [], "services": []}})
    );
    // Nothing matches, but names are near: the closest alerts and services are offered.
    let (code, out, _) = cli(
        &root,
        Query {
            text: "KubPodCrshLoopng PaymentsGatewayDown".into(),
            ..Query::default()
        },
        false,
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("closest alerts: KubePodCrashLooping,")
            && out.contains("closest services: payments"),
        "{out}"
    );

    let (code, _, err) = cli(&root, Query::default(), false);
    assert_eq!(code, 2);
    assert!(err.contains("nothing to search for"));
    let (code, _, err) = cli(
        &root,
        Query {
            text: "lag".into(),
            owner: Some("chenn".into()),
            ..Query::default()
        },
        false,
    );
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `chen`?"), "{err}");
    let (code, _, err) = cli(
        &root.join("nowhere"),
        Query {
            text: "lag".into(),
            ..Query::default()
        },
        false,
    );
    assert_eq!(code, 2, "{err}");
}

/// Scale measurements on a generated corpus (`gen_corpus.py --docs 10000 --out DIR`):
/// `FIELDBOOK_SEARCH_BENCH=DIR cargo test --release --test it search_relevance::scale -- --ignored --nocapture`.
#[test]
#[ignore = "needs a generated corpus in FIELDBOOK_SEARCH_BENCH"]
fn scale() {
    use std::time::Instant;
    let Ok(dir) = std::env::var("FIELDBOOK_SEARCH_BENCH") else {
        return;
    };
    let root = PathBuf::from(dir);
    let _ = std::fs::remove_dir_all(search::index_dir(&root));
    let t = Instant::now();
    let site = fieldbook::load::load_site(&root, None).unwrap();
    println!("load_site        {:>8.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let d = search::documents(&site, false);
    println!(
        "documents        {:>8.2} s  ({} docs)",
        t.elapsed().as_secs_f64(),
        d.len()
    );
    let t = Instant::now();
    let s = search::update_index(&root, &d).unwrap();
    println!(
        "index (fresh)    {:>8.2} s  {s:?}",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let s = search::update_index(&root, &d).unwrap();
    println!(
        "index (same)     {:>8.2} s  {s:?}",
        t.elapsed().as_secs_f64()
    );
    let mut changed = d.clone();
    changed[17].body.push_str(" zanzibarquokka");
    changed.remove(100);
    let t = Instant::now();
    let s = search::update_index(&root, &changed).unwrap();
    println!(
        "index (1+1 diff) {:>8.2} s  {s:?}",
        t.elapsed().as_secs_f64()
    );
    let size: u64 = walkdir::WalkDir::new(search::index_dir(&root))
        .into_iter()
        .filter_map(|e| e.ok()?.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    println!("tantivy index    {:>8.1} MB", size as f64 / 1e6);
    let out = root.join("public-search-bench");
    let t = Instant::now();
    let files = search::write_client_index(&out, &changed).unwrap();
    let bytes: u64 = walkdir::WalkDir::new(out.join("search"))
        .into_iter()
        .filter_map(|e| e.ok()?.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    println!(
        "client index     {:>8.2} s  {files} files, {:.1} MB",
        t.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    );
    let t = Instant::now();
    let reference = Reference::open(&out).unwrap();
    println!("reference load   {:>8.2} s", t.elapsed().as_secs_f64());
    for text in [
        "IdentityDiskFull",
        "PodCrash",
        "databse",
        "certif",
        "\"context deadline exceeded\"",
        "x509: certificate has expired",
        "zanzibarquokka",
    ] {
        let t = Instant::now();
        let hits = search::search(
            &root,
            &Query {
                text: text.into(),
                ..Query::default()
            },
        )
        .unwrap();
        println!(
            "search {:<34} {:>7.1} ms  {} hits, top {:?}",
            text,
            t.elapsed().as_secs_f64() * 1e3,
            hits.len(),
            hits.first().map(|h| &h.rel)
        );
        let client = reference
            .search(&Query {
                text: text.into(),
                ..Query::default()
            })
            .unwrap();
        let worst = hits
            .iter()
            .zip(&client)
            .map(|(h, c)| ((h.score - c.1) / h.score).abs())
            .fold(0.0f32, f32::max);
        let same_docs = hits.iter().map(|h| &h.rel).eq(client.iter().map(|c| &c.0));
        println!("       client index agrees: same order {same_docs}, worst score diff {worst:e}");
        assert!(worst < 1e-4, "{text}");
    }
}

#[test]
fn cli_run_searches_the_old_index_while_another_process_writes_it() {
    let (_tmp, root, _) = indexed();
    let index = tantivy::Index::open_in_dir(search::index_dir(&root)).unwrap();
    let _writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    let file = root.join("content/runbooks/redis/memory-high.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text + "\nzanzibarquokka\n").unwrap();
    let (code, out, err) = cli(
        &root,
        Query {
            text: "RedisMemoryHigh".into(),
            ..Query::default()
        },
        false,
    );
    assert_eq!(code, 0);
    assert!(
        err.starts_with("warning: cannot update the search index"),
        "{err}"
    );
    assert!(out.starts_with("1. Redis memory high\n"), "{out}");
}
