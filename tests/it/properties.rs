//! Property tests of the invariants the issue lists: rendering never panics and writes only
//! its own markup when raw HTML is off; the same input always renders to the same bytes; and
//! `fieldbook review` changes `reviewed` and nothing else, whatever the front matter's layout.

use fieldbook::content::date::Date;
use fieldbook::fuzzing::{assert_no_active_content, assert_review_round_trip};
use fieldbook::render::{NoRewrite, RenderOptions, render_markdown};
use proptest::prelude::*;

/// Markdown-ish text: the constructs Fieldbook handles, shuffled with hostile characters.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("# ".to_string()),
        Just("## ".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("> ".to_string()),
        Just("> [!WARNING]\n> ".to_string()),
        Just("!!! note \"T\"\n    ".to_string()),
        Just("??? tip\n    ".to_string()),
        Just("- ".to_string()),
        Just("1. ".to_string()),
        Just("  ".to_string()),
        Just("    ".to_string()),
        Just("- [x] ".to_string()),
        Just("```".to_string()),
        Just("```bash\n$ ".to_string()),
        Just("```quiz\nquestion: q\nchoices:\n  - text: a\n    correct: true\n```\n".to_string()),
        Just("| a | b |\n|---|---|\n| ".to_string()),
        Just("[l](".to_string()),
        Just("](javascript:alert(1))".to_string()),
        Just("![i](x.png \"t\")".to_string()),
        Just("[^1]".to_string()),
        Just("[^1]: ".to_string()),
        Just(" {#id .c data-x=\"1\" onclick=\"x\"}".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("<div>\n".to_string()),
        Just("</div>".to_string()),
        Just("<!-- c -->".to_string()),
        Just("*".to_string()),
        Just("_".to_string()),
        Just("`".to_string()),
        Just("$".to_string()),
        Just("&amp;".to_string()),
        Just("\u{2028}".to_string()),
        Just("\0".to_string()),
        Just("\r\n".to_string()),
        "[a-zA-Z0-9 ]{1,12}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// Tags the renderer itself writes; with raw HTML off nothing else may appear.
const OWN_TAGS: &[&str] = &[
    "a",
    "aside",
    "blockquote",
    "br",
    "code",
    "del",
    "details",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "input",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "dl",
    "dt",
    "dd",
    "button",
    "fieldset",
    "legend",
    "label",
];

fn assert_own_markup(html: &str) {
    let b = html.as_bytes();
    for (i, _) in html.match_indices('<') {
        let rest = &b[i + 1..];
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        let name: String = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(|c| char::from(*c).to_ascii_lowercase())
            .collect();
        assert!(
            OWN_TAGS.contains(&name.as_str()),
            "unexpected tag <{name}> in {html}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rendering_is_total_and_deterministic(body in markdownish()) {
        for raw_html in [true, false] {
            let opts = RenderOptions { raw_html };
            let a = render_markdown(&body, &NoRewrite, &opts);
            let b = render_markdown(&body, &NoRewrite, &opts);
            prop_assert_eq!(&a, &b);
            prop_assert!(!a.html.contains('\0'));
            if !raw_html {
                assert_no_active_content(&a.html);
                assert_own_markup(&a.html);
            }
        }
    }
}

/// A YAML scalar written in one of the ways people write them.
fn yaml_string() -> impl Strategy<Value = String> {
    let text = "[a-zA-Z0-9 ,.:#'\"<>&{}\\[\\]é-]{0,20}";
    prop_oneof![
        // Plain, when it is plainly safe.
        "[a-zA-Z][a-zA-Z0-9 _.-]{0,15}[a-zA-Z0-9]".prop_map(|s| s),
        text.prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
        text.prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))),
    ]
}

fn yaml_list() -> impl Strategy<Value = (bool, Vec<String>)> {
    (any::<bool>(), prop::collection::vec(yaml_string(), 0..4))
}

fn comment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("  # a comment".to_string()),
        Just(" # reviewed: 2020-01-01".to_string()),
    ]
}

/// One `key: value` entry of YAML front matter (possibly several lines).
fn yaml_entry() -> impl Strategy<Value = String> {
    let list = |key: &'static str| {
        (yaml_list(), comment()).prop_map(move |((flow, items), c)| {
            if flow || items.is_empty() {
                format!("{key}: [{}]{c}\n", items.join(", "))
            } else {
                let lines: Vec<String> = items.iter().map(|i| format!("  - {i}\n")).collect();
                format!("{key}:{c}\n{}", lines.concat())
            }
        })
    };
    prop_oneof![
        (yaml_string(), comment()).prop_map(|(s, c)| format!("title: {s}{c}\n")),
        list("owners"),
        list("tags"),
        list("services"),
        list("alerts"),
        (
            1u32..30,
            prop::sample::select(vec!["d", "w", "m", "y"]),
            comment()
        )
            .prop_map(|(n, u, c)| format!("review_every: {n}{u}{c}\n")),
        (any::<bool>(), comment()).prop_map(|(b, c)| format!("draft: {b}{c}\n")),
        (yaml_string(), comment()).prop_map(|(s, c)| format!("severity: {s}{c}\n")),
        prop::collection::vec("[a-z :#'\"-]{0,20}", 1..4).prop_map(|lines| {
            format!(
                "description: |\n{}",
                lines.iter().map(|l| format!("  {l}\n")).collect::<String>()
            )
        }),
        prop::collection::vec("[a-z]{1,8}", 1..4).prop_map(|words| {
            format!(
                "description: >-\n  {}\n  reviewed: 2020-01-01\n",
                words.join(" ")
            )
        }),
        ("[a-z_]{3,12}", yaml_string(), comment()).prop_map(|(k, v, c)| format!("x_{k}: {v}{c}\n")),
        ("[a-z_]{3,12}", yaml_string())
            .prop_map(|(k, v)| format!("x_{k}:\n  nested: {v}\n  reviewed: 2020-02-02\n")),
        Just("# reviewed: 2019-09-09\n".to_string()),
        Just("\n".to_string()),
    ]
}

fn reviewed_entry() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("reviewed: 2026-01-02\n".to_string()),
        Just("reviewed: \"2026-01-02\"\n".to_string()),
        Just("reviewed: '2026-01-02'  # last time\n".to_string()),
        Just("reviewed:\n".to_string()),
        Just("reviewed: null\n".to_string()),
        Just("reviewed: ~\n".to_string()),
    ]
}

fn yaml_document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(yaml_entry(), 0..8),
        reviewed_entry(),
        0usize..9,
        any::<bool>(),
        any::<bool>(),
        "[a-z #\n-]{0,40}",
    )
        .prop_map(|(mut entries, reviewed, at, crlf, bom, body)| {
            // Keys must be unique: keep each key's first entry.
            let mut seen = std::collections::HashSet::new();
            entries.retain(|e| {
                let key = e.split(':').next().unwrap_or("").to_string();
                key.starts_with('#') || key.trim().is_empty() || seen.insert(key)
            });
            entries.insert(at.min(entries.len()), reviewed);
            let text = format!("---\n{}---\n{body}\n", entries.concat());
            let text = if crlf {
                text.replace('\n', "\r\n")
            } else {
                text
            };
            if bom { format!("\u{feff}{text}") } else { text }
        })
}

fn toml_document() -> impl Strategy<Value = String> {
    let s = "[a-zA-Z0-9 #'<>&-]{0,16}";
    (
        s,
        prop::collection::vec(s, 0..3),
        prop_oneof![
            Just(String::new()),
            Just("reviewed = 2026-01-02\n".to_string()),
            Just("reviewed = \"2026-01-02\" # old\n".to_string()),
        ],
        any::<bool>(),
    )
        .prop_map(|(title, tags, reviewed, table)| {
            let tags: Vec<String> = tags.iter().map(|t| format!("{t:?}")).collect();
            let extra = if table {
                "\n[extra_table]\nreviewed = \"not this one\"\n"
            } else {
                ""
            };
            format!(
                "+++\n# comment\ntitle = {title:?}\n{reviewed}tags = [{}]\n{extra}+++\nbody\n",
                tags.join(", ")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn review_changes_only_reviewed(doc in prop_oneof![yaml_document(), toml_document()]) {
        let date = Date::parse("2031-02-28").unwrap();
        // Generated scalars can mean other types (`title: yes`); only metadata that parses
        // can be stamped.
        let plain = doc.trim_start_matches('\u{feff}');
        let parses = fieldbook::content::front_matter::split(plain)
            .ok()
            .is_some_and(|s| fieldbook::content::front_matter::parse(&s).is_ok());
        prop_assume!(parses);
        let stamped = fieldbook::content::edit::stamp(&doc, date, &fieldbook::adopt::aliases::Aliases);
        let stamped = match stamped {
            Ok(s) => s,
            Err(r) => panic!("review refused well-formed front matter: {r}\n{doc}"),
        };
        prop_assert!(stamped.changed);
        assert_review_round_trip(&doc, &stamped.text, date);
        // Nothing but the `reviewed` line differs.
        let changed: Vec<_> = diff_lines(&doc, &stamped.text);
        prop_assert!(changed.iter().all(|l| l.contains("reviewed") || l.trim().is_empty() || l.starts_with("---")),
            "other lines changed: {:?}", changed);
    }
}

/// Lines of `b` that are not lines of `a`.
fn diff_lines<'a>(a: &str, b: &'a str) -> Vec<&'a str> {
    let old: std::collections::HashSet<&str> = a.lines().collect();
    b.lines().filter(|l| !old.contains(l)).collect()
}
