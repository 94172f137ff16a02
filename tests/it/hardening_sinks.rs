//! Hostile text reaching a sink (issue 27): every string is escaped for where it goes. One
//! test per class: CI logs and terminals (`check` output), bounded search queries and engine
//! export records, and code blocks in the offline `pack`.

use crate::common::*;
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// What a file name, a message or a hint can hold that a CI log or a terminal would act on.
const HOSTILE_NAMES: &[&str] = &[
    "nl\n::error file=forged.md,line=1::forged by a newline",
    "cr\r::warning::forged by a carriage return",
    "::error::forged at the start",
    "esc\u{1b}[2J\u{1b}[31mred\u{1b}]8;;https://evil.example/\u{7}link\u{1b}]8;;\u{1b}\\",
    "ctl\u{8}\u{7f}\u{9b}31m\u{85}\u{b}\u{c}",
    "bidi\u{202e}dm.exe\u{2066}x\u{2069}",
    "pct%0A::error::%25 legacy ##[error]x, a:b",
];

fn hostile_site() -> TestSite {
    let site = TestSite::minimal();
    for (i, name) in HOSTILE_NAMES.iter().enumerate() {
        // A runbook with a broken link whose text is hostile too: a finding on a hostile
        // file, quoting hostile text.
        site.write(
            &format!("content/runbooks/{i}-{name}.md"),
            &format!(
                "---\ntitle: Runbook {i}\nkind: runbook\nowners: [alice]\n---\n\
                 # Steps\n\nSee [this]({}.md).\n",
                name.replace(['\n', '\r', '(', ')', ' '], "-")
            ),
        );
    }
    site
}

fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

#[test]
fn check_output_escapes_hostile_text_for_every_sink() {
    let site = hostile_site();
    let (_, json) = site.check_json(&[]);
    let findings = json["findings"].as_array().unwrap().len();
    assert!(findings >= HOSTILE_NAMES.len(), "{json}");
    assert!(findings <= 10, "all annotated: {json}");

    // GitHub: exactly one command line per finding, then the summary; nothing forged.
    let (_, out, _) = site.run("check", &["--format", "github"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), findings + 1, "{out}");
    for line in &lines[..findings] {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
    }
    assert!(lines[findings].starts_with("check: "), "{out}");
    // Nor a line the runner reads in the older `##[command]` form.
    for line in out.lines().filter(|l| !l.starts_with("::")) {
        assert!(!line.contains("##["), "{line}");
    }
    assert!(
        !out.chars().any(hidden),
        "raw control in GitHub output:\n{out:?}"
    );

    // The terminal: control characters shown, never sent.
    for color in ["never", "always"] {
        let (_, out, _) = site.run("check", &["--color", color]);
        let text = out.replace("\u{1b}[0m", "");
        let text = strip_sgr(&text);
        assert!(
            !text.chars().any(hidden),
            "raw control in human output:\n{text:?}"
        );
        assert!(text.contains("\\u{1b}[2J"), "{text}");
        assert!(text.contains("\\u{202e}"), "{text}");
        // The terminal is often a CI log: no line of it is a runner's command.
        for line in text.lines() {
            assert!(!line.trim_start().starts_with("::"), "{line}");
            assert!(!line.contains("##["), "{line}");
        }
    }

    // The job summary (Markdown), written where GITHUB_STEP_SUMMARY says.
    let summary = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = command();
    cmd.args(["check", s(site.path())])
        .env("GITHUB_STEP_SUMMARY", summary.path());
    output(cmd);
    let md = std::fs::read_to_string(summary.path()).unwrap();
    assert!(md.contains("Fieldbook check"), "{md}");
    assert!(
        !md.chars().any(hidden),
        "raw control in the job summary:\n{md:?}"
    );

    // XML and JSON formats parse, whatever the text.
    for format in ["junit", "checkstyle"] {
        let (_, out, _) = site.run("check", &["--format", format]);
        roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{format}: {e}\n{out}"));
    }
    for format in ["json", "sarif", "codequality"] {
        let (_, out, _) = site.run("check", &["--format", format]);
        serde_json::from_str::<Value>(&out).unwrap_or_else(|e| panic!("{format}: {e}"));
    }
    let (_, out, _) = site.run("check", &["--format", "rdjsonl"]);
    assert_eq!(out.lines().count(), findings);
    for line in out.lines() {
        serde_json::from_str::<Value>(line).unwrap();
    }
}

/// `text` without the SGR sequences (`ESC [ digits m`) that colour it.
fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let digits = after
            .find(|c: char| !c.is_ascii_digit() && c != ';')
            .unwrap_or(after.len());
        if after[digits..].starts_with('m') {
            rest = &after[digits + 1..];
        } else {
            // Not ours: keep it, so that the assertion sees it.
            out.push('\u{1b}');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn search_queries_and_export_records_are_bounded() {
    // A query of 100 KB: answered quickly, with a note that it was cut.
    let site = TestSite::minimal();
    for i in 0..20 {
        site.write(
            &format!("content/runbooks/r{i}.md"),
            &format!(
                "---\ntitle: Runbook {i}\nkind: runbook\nowners: [alice]\n---\n\
                 # Steps\n\nRestart pod{i} and check latency{i} error{i} disk{i} queue{i}.\n"
            ),
        );
    }
    let search = |query: &str, extra: &[&str]| {
        let mut cmd = command();
        cmd.args(["search", query, s(site.path())]).args(extra);
        output(cmd)
    };
    let (code, _, err) = search("warmup", &[]);
    assert_eq!(code, 0, "{err}");
    let mut words = String::new();
    let mut i = 0;
    while words.len() < 100_000 {
        words.push_str(&format!("latencx{i} podd{i} \"restart pod{i} now\" "));
        i += 1;
    }
    let started = Instant::now();
    let (code, _, err) = search(&words, &["--json"]);
    let took = started.elapsed();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("note: the query was cut"), "{err}");
    assert!(
        took < Duration::from_secs(5),
        "a 100 KB query took {took:?}"
    );
    // The library's bound, as `serve`'s /api/search uses it.
    let parsed = fieldbook::search::query::parse(&words);
    let looked_up: usize = parsed
        .iter()
        .map(|e| match e {
            fieldbook::search::query::Element::Word(_) => 1,
            fieldbook::search::query::Element::Phrase(w) => w.len(),
        })
        .sum();
    assert!(looked_up <= fieldbook::search::query::MAX_QUERY_WORDS);

    // serve's /api/search takes the same path: answered, with the note.
    let server = Serve::start(site.path());
    let long: String = (0..1_000).map(|i| format!("pod{i}+")).collect();
    let started = Instant::now();
    let (status, body) = server.get(&format!("/api/search?q={long}"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"note\":\"the query was cut"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(server);

    // The browser's search applies the same bound to what is typed (when node is here).
    browser_bound(&words, parsed.len());

    // Export records: a 2,000-character path and heading, a 1 MB section, many alerts.
    let site = TestSite::minimal();
    let dir: Vec<String> = (0..10).map(|i| format!("{i}{}", "d".repeat(199))).collect();
    let deep = format!("content/runbooks/{}/long.md", dir.join("/"));
    let heading = "Heading ".repeat(250);
    let big = "word ".repeat(210_000);
    let alerts: Vec<String> = (0..2_000).map(|i| format!("Alert{i:04}Firing")).collect();
    let text = format!(
        "---\ntitle: {}\nkind: runbook\nowners: [alice]\nalerts: [{}]\n---\n\
         # {heading}\n\n{big}\n\n## {heading}2\n\nshort\n\n## {heading}2\n\nagain\n",
        "Title ".repeat(300),
        alerts.join(", ")
    );
    site.write(&deep, &text);
    // Two paths the same for their first 400 bytes of id.
    site.write(
        &deep.replace("long.md", "long2.md"),
        &text.replace(&big, "small"),
    );
    for format in ["meilisearch", "typesense", "elasticsearch", "docsearch"] {
        let file = site.join(format!("{format}.ndjson"));
        let (code, _, err) = site.build(&[
            "--search-export",
            s(&file),
            "--search-export-format",
            format,
        ]);
        assert!(code == 0 || code == 1, "{err}");
        let text = std::fs::read_to_string(&file).unwrap();
        let mut ids = HashSet::new();
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            let id = v["objectID"]
                .as_str()
                .or(v["id"].as_str())
                .or(v["index"]["_id"].as_str());
            if let Some(id) = id {
                assert!(id.len() < 512, "{format}: id of {} bytes", id.len());
                assert!(ids.insert(id.to_string()), "{format}: id {id} twice");
            }
            if format == "docsearch" {
                assert!(line.len() <= 10_000, "a record of {} bytes", line.len());
            }
        }
        assert!(ids.len() >= 6, "{format}: {} records", ids.len());
        if format != "docsearch" {
            continue;
        }
        // Deterministic: the same records again.
        let again = site.join(format!("{format}-again.ndjson"));
        site.build(&[
            "--search-export",
            s(&again),
            "--search-export-format",
            format,
        ]);
        assert_eq!(text, std::fs::read_to_string(&again).unwrap(), "{format}");
    }
}

#[test]
fn pack_shows_code_blocks_as_their_text() {
    let blocks = [
        ("html", "</pre><script>alert(1)</script>\n<!-- ]]> -->\n"),
        ("", "</code></pre><img src=x onerror=alert(2)>\n"),
        (
            "bash",
            "$ echo '<a id=\"x\" href=\"#y\">' href=\"fieldbook-pack:rb-runbooks-b\"\n",
        ),
        (
            "text",
            "</textarea><style>*{display:none}</style> id=\"top\" fieldbook-pack:not-in-pack\n",
        ),
        ("promql", "rate(x[5m]) > 0 # <b>&amp;</b> \" id=\"a\n"),
    ];
    let mut body = String::from("# Diagnosis\n\n");
    for (lang, code) in blocks {
        body.push_str(&format!("```{lang}\n{code}```\n\n"));
    }
    let site = TestSite::minimal().with(&[
        (
            "content/runbooks/a.md",
            &format!("---\ntitle: A\nkind: runbook\nowners: [alice]\n---\n{body}"),
        ),
        (
            "content/runbooks/b.md",
            "---\ntitle: B\nkind: runbook\nowners: [alice]\n---\n# Diagnosis\n\nSee [a](a.md).\n",
        ),
    ]);
    let file = site.join("pack.html");
    let (code, _, err) = site.run("pack", &["--output", s(&file)]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&file).unwrap();
    // The pack's one script, and no element a block spelled.
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    assert!(
        !html.contains("<img") && !html.contains("<style>*"),
        "{html}"
    );
    // Each block's text, once its markup is read, is the block's source exactly.
    let shown = code_texts(&html);
    let wanted: Vec<&str> = blocks.iter().map(|(_, code)| *code).collect();
    assert_eq!(shown, wanted);
    // The links between runbooks still land.
    assert!(html.contains("href=\"#rb-runbooks-a\""), "{html}");
}

/// The text of each `<pre …><code>` in `html`: tags dropped, entities decoded.
fn code_texts(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<pre class=\"code\"") {
        let start = at + rest[at..].find("<code>").unwrap() + "<code>".len();
        let end = start + rest[start..].find("</code></pre>").unwrap();
        let inner = &rest[start..end];
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push(
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&"),
        );
        rest = &rest[end..];
    }
    out
}

/// search.js's `parseQuery` on `text`, under node with a stub page: as many elements as
/// query.rs's `parse`, and marked as cut. Skipped without node.
fn browser_bound(text: &str, rust_elements: usize) {
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let query = dir.path().join("query.txt");
    std::fs::write(&query, text).unwrap();
    let script = format!(
        "global.window = global; global.location = {{ href: 'http://x/', protocol: 'http:' }};\n\
         global.document = {{ querySelector: () => null, querySelectorAll: () => [], \
         getElementById: () => null, readyState: 'loading', addEventListener() {{}} }};\n\
         global.addEventListener = () => {{}};\n\
         require({:?});\n\
         const text = require('fs').readFileSync({:?}, 'utf8');\n\
         const r = window.fieldbookSearch.parseQuery(text);\n\
         const words = r.reduce((n, e) => n + (e.word !== undefined ? 1 : e.phrase.length), 0);\n\
         console.log(JSON.stringify({{ elements: r.length, words, truncated: r.truncated }}));\n",
        s(&repo_root().join("themes/default/static/search.js")),
        s(&query),
    );
    let js = dir.path().join("bound.js");
    std::fs::write(&js, script).unwrap();
    let out = std::process::Command::new("node")
        .arg(&js)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["elements"], rust_elements, "{v}");
    assert!(v["words"].as_u64().unwrap() <= fieldbook::search::query::MAX_QUERY_WORDS as u64);
    assert_eq!(v["truncated"], true);
}
