//! Other tools' front matter keys, read as Fieldbook's (docs/adopting.md has the tables).
//!
//! [`apply`] runs inside [`crate::content::front_matter::parse_with`] on the untyped keys (the
//! loader passes [`Aliases`]), before the typed pass: it says which native keys to set or drop and collects what has no native key
//! ([`crate::content::front_matter::Adopted`]: weight, old URLs, last change, a Slack channel as owner). Every command that
//! loads documents (check, build, serve, search, report) goes through that function, so they
//! all see the same metadata. When a native key and an alias are both present the native key
//! wins and a `conflicting-keys` warning names both.
//!
//! [`freshness_comment`] reads Google's `<!--* freshness: { owner: 'x' reviewed: '…' } *-->`
//! from a body; [`crate::load::parse_document`] applies it.

use crate::content::date::{Date, Period};
use crate::content::front_matter::Conflict;
use crate::content::front_matter::{Adoption, Invalid, KeyDialect, Keys};
use serde_json::Value;

/// Every key this module reads, with the tool it comes from (for messages and docs).
pub const ALIASES: [(&str, &str); 17] = [
    ("last_reviewed_on", "GOV.UK tech docs"),
    ("review_in", "GOV.UK tech docs"),
    ("owner_slack", "GOV.UK tech docs"),
    ("weight", "Hugo"),
    ("aliases", "Hugo"),
    ("lastmod", "Hugo"),
    ("categories", "Hugo"),
    ("summary", "Hugo"),
    ("sidebar_position", "Docusaurus"),
    ("last_update", "Docusaurus"),
    ("hide_table_of_contents", "Docusaurus"),
    ("sidebar_label", "Docusaurus"),
    ("keywords", "Docusaurus"),
    ("unlisted", "Docusaurus"),
    ("slug", "Hugo and Docusaurus"),
    ("hide", "MkDocs Material"),
    ("template", "MkDocs"),
];

pub fn is_alias(key: &str) -> bool {
    ALIASES.iter().any(|(k, _)| *k == key)
}

fn tool(key: &str) -> &'static str {
    ALIASES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("another tool", |(_, t)| t)
}

/// The front matter dialect [`crate::load`] parses every document with.
pub struct Aliases;

impl KeyDialect for Aliases {
    fn apply(&self, keys: &Keys) -> Result<Adoption, Invalid> {
        apply(keys)
    }

    fn is_alias(&self, key: &str) -> bool {
        is_alias(key)
    }
}

trait Alias {
    fn alias(&mut self, keys: &Keys, alias: &'static str, native: &'static str, value: Value);
}

impl Alias for Adoption {
    /// Set native `key` from alias `alias` unless the file sets it itself.
    fn alias(&mut self, keys: &Keys, alias: &'static str, native: &'static str, value: Value) {
        let present = |k: &str| keys.iter().any(|(n, _)| n == k);
        let natives: &[&str] = if native == "owners" {
            &["owners", "owner"]
        } else {
            std::slice::from_ref(&native)
        };
        if let Some(n) = natives.iter().find(|n| present(n)) {
            self.conflicts.push(Conflict {
                key: alias,
                native,
                message: format!(
                    "`{alias}` ({}) and `{n}` are both set; Fieldbook uses `{n}`",
                    tool(alias)
                ),
            });
            return;
        }
        self.set.push((native, value));
        self.adopted.from.insert(native, alias);
    }
}

/// Read other tools' keys among `keys` (every top-level key of the front matter).
pub fn apply(keys: &Keys) -> Result<Adoption, Invalid> {
    let mut a = Adoption::default();
    let get = |k: &str| keys.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    for (key, value) in keys {
        match key.as_str() {
            "last_reviewed_on" => {
                let d = date_of(key, value)?;
                a.alias(keys, "last_reviewed_on", "reviewed", d.to_string().into());
            }
            "review_in" => {
                let p = review_in(key, value)?;
                a.alias(keys, "review_in", "review_every", p.into());
                // The gem's page is expired from its review day on (docs/adopting.md).
                a.adopted.due_day_is_late =
                    a.adopted.from.get("review_every") == Some(&"review_in");
            }
            "owner_slack" => {
                let Some(s) = value.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
                    return Err(invalid(
                        key,
                        "`owner_slack` must be a Slack channel such as \"#team-db\"",
                        "quote it: owner_slack: \"#team-db\"",
                    ));
                };
                a.adopted.owner_slack = Some(s.to_string());
                a.alias(
                    keys,
                    "owner_slack",
                    "owners",
                    Value::from(vec![s.to_string()]),
                );
            }
            "weight" | "sidebar_position" => {
                if key == "sidebar_position" && get("weight").is_some() {
                    continue;
                }
                a.adopted.weight = Some(
                    value
                        .as_i64()
                        .or_else(|| value.as_f64().map(|f| f.round() as i64))
                        .ok_or_else(|| {
                            invalid(
                                key,
                                &format!("`{key}` must be a number"),
                                "write a whole number; lower numbers come first",
                            )
                        })?,
                );
            }
            "aliases" => {
                a.adopted.aliases = strings(value).ok_or_else(|| {
                    invalid(
                        key,
                        "`aliases` must be a list of old URLs",
                        "write aliases: [/old/path/]",
                    )
                })?;
            }
            "lastmod" => a.adopted.last_changed = a.adopted.last_changed.or(date_prefix(value)),
            "last_update" => {
                a.adopted.last_changed = value.get("date").and_then(date_prefix);
                a.adopted.last_changed_by = value
                    .get("author")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            "categories" => {
                let cats = strings(value).unwrap_or_default();
                let mut tags = get("tags").and_then(tag_labels).unwrap_or_default();
                for c in cats {
                    if !tags.contains(&c) {
                        tags.push(c);
                    }
                }
                a.set.push(("tags", tags.into()));
            }
            // Hugo pages often carry both (a list summary and a meta description): no
            // conflict, the description wins.
            "summary" => {
                if let Some(s) = value.as_str()
                    && get("description").is_none()
                {
                    a.alias(keys, "summary", "description", s.into());
                }
            }
            "hide_table_of_contents" => a.adopted.hide_toc |= value.as_bool() == Some(true),
            "hide" => {
                a.adopted.hide_toc |= strings(value).is_some_and(|h| h.iter().any(|x| x == "toc"))
            }
            // Native keys other tools write their own way.
            "date" => {
                // Hugo writes a timestamp; the day is what Fieldbook keeps.
                if value.as_str().is_some_and(|s| s.len() > 10)
                    && let Some(d) = date_prefix(value)
                {
                    a.set.push(("date", d.to_string().into()));
                }
            }
            "status" => {
                // MkDocs Material's page status (`new`, `deprecated`) is not a postmortem's.
                if let Some(s) = value.as_str()
                    && !["draft", "in-review", "published"].contains(&s)
                {
                    a.drop.push("status");
                    a.extra.push(("page_status".into(), s.into()));
                }
            }
            // Docusaurus tags may be `{label, permalink}` objects.
            "tags"
                if value
                    .as_array()
                    .is_some_and(|v| v.iter().any(Value::is_object))
                    && get("categories").is_none() =>
            {
                a.set
                    .push(("tags", tag_labels(value).unwrap_or_default().into()));
            }
            _ => {}
        }
    }
    Ok(a)
}

fn invalid(key: &str, message: &str, hint: &'static str) -> Invalid {
    Invalid {
        key: key.to_string(),
        message: message.to_string(),
        hint,
    }
}

fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        Value::Null => Some(vec![]),
        _ => None,
    }
}

fn tag_labels(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|i| {
                    i.as_str()
                        .or_else(|| i.get("label").and_then(Value::as_str))
                        .map(str::to_string)
                })
                .collect(),
        ),
        _ => strings(v),
    }
}

/// The text of a date value: a YAML string, or TOML's native date.
fn date_text(v: &Value) -> Option<&str> {
    v.as_str()
        .or_else(|| v.get("$__toml_private_datetime").and_then(Value::as_str))
}

/// The day of a date or timestamp (`2024-03-01`, `2024-03-01T10:00:00+01:00`).
fn date_prefix(v: &Value) -> Option<Date> {
    let s = date_text(v)?.trim();
    Date::parse(s.get(..10)?).ok()
}

/// GOV.UK's `last_reviewed_on`: a YAML date, or a string the gem's Ruby reads as one —
/// `2026-10-01`, `1 October 2026`, `1 Oct 2026`, `October 1, 2026`.
fn date_of(key: &str, v: &Value) -> Result<Date, Invalid> {
    date_prefix(v)
        .or_else(|| v.as_str().and_then(written_date))
        .ok_or_else(|| {
            invalid(
                key,
                &format!("`{key}` must be a date YYYY-MM-DD"),
                "write dates as YYYY-MM-DD (or `1 October 2026`), a day that exists",
            )
        })
}

/// A date written with the month's name: `1 October 2026`, `Oct 1, 2026`.
fn written_date(s: &str) -> Option<Date> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let words: Vec<String> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let [a, b, c] = words.as_slice() else {
        return None;
    };
    let month = |w: &str| {
        MONTHS
            .iter()
            .position(|m| w.len() >= 3 && m.starts_with(w.trim_end_matches('.')))
            .map(|i| i as u32 + 1)
    };
    let day = |w: &str| w.parse::<u32>().ok();
    let (d, m) = match (day(a), month(a)) {
        (Some(d), _) => (d, month(b)?),
        (None, Some(m)) => (day(b)?, m),
        _ => return None,
    };
    Date::from_ymd(c.parse().ok()?, m, d)
}

/// GOV.UK's `review_in: 6 months` (also `3 weeks`, `1 year`, `10 days`) as a period, `6m`.
fn review_in(key: &str, v: &Value) -> Result<String, Invalid> {
    let bad = || {
        invalid(
            key,
            "`review_in` must be a number and a unit, such as \"6 months\"",
            "write N days, N weeks, N months or N years (or a Fieldbook period such as 6m)",
        )
    };
    let s = v.as_str().ok_or_else(bad)?.trim().to_ascii_lowercase();
    if Period::parse(&s).is_ok() {
        return Ok(s);
    }
    // As the gem reads it ("in " + the value, parsed by Chronic): a number or a number word,
    // then a unit, singular or plural.
    let (n, unit) = s.split_once(char::is_whitespace).ok_or_else(bad)?;
    const WORDS: [&str; 12] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    let n: u32 = match n {
        "a" | "an" => 1,
        w => match WORDS.iter().position(|x| *x == w) {
            Some(i) => i as u32 + 1,
            None => n.parse().map_err(|_| bad())?,
        },
    };
    let unit = unit.trim();
    let (n, unit) = match unit.strip_suffix('s').unwrap_or(unit) {
        "day" => (n, "d"),
        "week" => (n, "w"),
        "fortnight" => (n.checked_mul(2).ok_or_else(bad)?, "w"),
        "month" => (n, "m"),
        "year" => (n, "y"),
        _ => return Err(bad()),
    };
    let p = format!("{n}{unit}");
    Period::parse(&p).map_err(|_| bad())?;
    Ok(p)
}

/// Google's freshness comment: `<!--* freshness: { owner: 'alice' reviewed: '2024-01-01' } *-->`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Freshness {
    /// Byte range of the comment in the body.
    pub offset: usize,
    pub len: usize,
    pub owners: Vec<String>,
    /// The reviewed date as written and its offset in the body.
    pub reviewed: Option<(String, usize)>,
    /// `exempt: true`: the document is not reviewed on a schedule.
    pub exempt: bool,
}

/// The first freshness comment of `body`, outside code.
pub fn freshness_comment(body: &str) -> Option<Freshness> {
    let start = body.find("<!--*")?;
    let len = body[start + 5..].find("*-->")? + 9;
    let inner = &body[start + 5..start + len - 4];
    let f = inner.find("freshness:")?;
    let mut rest = &inner[f + "freshness:".len()..];
    let mut out = Freshness {
        offset: start,
        len,
        ..Freshness::default()
    };
    rest = rest.trim_start_matches([' ', '\t', '\n', '\r', '{']);
    while let Some(colon) = rest.find(':') {
        let key = rest[..colon].trim_matches(|c: char| c.is_whitespace() || c == ',' || c == '{');
        let after = rest[colon + 1..].trim_start();
        let (value, next) = match after.chars().next() {
            Some(q @ ('\'' | '"')) => {
                let e = after[1..].find(q).map_or(after.len(), |e| e + 1);
                (&after[1..e], after.get(e + 1..).unwrap_or(""))
            }
            _ => {
                let e = after
                    .find(|c: char| c.is_whitespace() || c == '}' || c == ',')
                    .unwrap_or(after.len());
                (&after[..e], &after[e..])
            }
        };
        let value_at = start + 5 + (value.as_ptr() as usize - inner.as_ptr() as usize);
        match key {
            "owner" | "owners" => out.owners.push(value.to_string()),
            "reviewed" => out.reviewed = Some((value.to_string(), value_at)),
            "exempt" => out.exempt = value == "true",
            _ => {}
        }
        rest = next;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(v: Value) -> Vec<(String, Value)> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    #[test]
    fn govuk_review_fields() {
        let a = apply(&keys(json!({
            "last_reviewed_on": "2026-01-15",
            "review_in": "6 months",
            "owner_slack": "#db-oncall",
        })))
        .unwrap();
        let mut set = a.set.clone();
        set.sort_by_key(|(k, _)| *k);
        assert_eq!(
            set,
            [
                ("owners", json!(["#db-oncall"])),
                ("review_every", json!("6m")),
                ("reviewed", json!("2026-01-15")),
            ]
        );
        assert_eq!(a.adopted.owner_slack.as_deref(), Some("#db-oncall"));
        assert_eq!(a.adopted.key_in_file("reviewed"), "last_reviewed_on");
        for (text, want) in [
            ("3 weeks", "3w"),
            ("1 week", "1w"),
            ("90 days", "90d"),
            ("1 day", "1d"),
            ("six months", "6m"),
            ("a year", "1y"),
            ("2 fortnights", "4w"),
            ("12 Months", "12m"),
            ("1 year", "1y"),
            ("10 Days", "10d"),
            ("90d", "90d"),
        ] {
            assert_eq!(review_in("review_in", &json!(text)).unwrap(), want);
        }
        let e = apply(&keys(json!({"review_in": "6 munths"}))).unwrap_err();
        assert_eq!(e.key, "review_in");
        assert!(apply(&keys(json!({"last_reviewed_on": "2026-02-30"}))).is_err());
        for text in [
            "1 October 2026",
            "1 Oct 2026",
            "October 1, 2026",
            "Oct. 1 2026",
        ] {
            let a = apply(&keys(json!({"last_reviewed_on": text}))).unwrap();
            assert_eq!(a.set, [("reviewed", json!("2026-10-01"))], "{text}");
        }
        assert!(apply(&keys(json!({"last_reviewed_on": "31 June 2026"}))).is_err());
        assert!(apply(&keys(json!({"last_reviewed_on": "1 Smarch 2026"}))).is_err());
    }

    #[test]
    fn native_keys_win_with_a_conflict() {
        let a = apply(&keys(json!({"reviewed": "2026-01-01", "last_reviewed_on": "2025-01-01", "owner": "x", "owner_slack": "#c"}))).unwrap();
        assert!(a.set.is_empty());
        let c: Vec<_> = a.conflicts.iter().map(|c| (c.key, c.native)).collect();
        assert_eq!(
            c,
            [("last_reviewed_on", "reviewed"), ("owner_slack", "owners")]
        );
        assert!(
            a.conflicts[1].message.contains("`owner` are both set"),
            "{}",
            a.conflicts[1].message
        );
    }

    #[test]
    fn hugo_and_docusaurus_keys() {
        let a = apply(&keys(json!({
            "date": "2019-03-26T10:00:00+01:00",
            "lastmod": "2024-05-01T08:00:00Z",
            "weight": 20,
            "aliases": ["/old/"],
            "tags": ["db"],
            "categories": ["storage", "db"],
            "summary": "Short",
        })))
        .unwrap();
        assert_eq!(a.adopted.weight, Some(20));
        assert_eq!(a.adopted.aliases, ["/old/"]);
        assert_eq!(a.adopted.last_changed.unwrap().to_string(), "2024-05-01");
        assert!(a.set.contains(&("date", json!("2019-03-26"))));
        assert!(a.set.contains(&("tags", json!(["db", "storage"]))));
        assert!(a.set.contains(&("description", json!("Short"))));

        let d = apply(&keys(json!({
            "sidebar_position": 3,
            "tags": [{"label": "Kafka", "permalink": "/k"}, "ops"],
            "last_update": {"date": "2024-02-03", "author": "Ana"},
            "hide_table_of_contents": true,
            "status": "deprecated",
        })))
        .unwrap();
        assert_eq!(d.adopted.weight, Some(3));
        assert!(d.adopted.hide_toc);
        assert_eq!(d.adopted.last_changed_by.as_deref(), Some("Ana"));
        assert!(d.set.contains(&("tags", json!(["Kafka", "ops"]))));
        assert_eq!(d.drop, ["status"]);
        assert_eq!(d.extra, [("page_status".to_string(), json!("deprecated"))]);
        assert!(
            !apply(&keys(json!({"status": "published", "date": "2024-01-01"})))
                .unwrap()
                .rewrites()
        );
        let both = apply(&keys(json!({"summary": "S", "description": "D"}))).unwrap();
        assert!(both.conflicts.is_empty() && !both.rewrites());
    }

    #[test]
    fn freshness_comments() {
        let body = "# T\n<!--* freshness: { owner: 'alice' owner: \"team-db\" reviewed: '2024-01-02' } *-->\n";
        let f = freshness_comment(body).unwrap();
        assert_eq!(f.owners, ["alice", "team-db"]);
        let (d, at) = f.reviewed.unwrap();
        assert_eq!(d, "2024-01-02");
        assert_eq!(&body[at..at + 10], "2024-01-02");
        assert_eq!(&body[f.offset..f.offset + 5], "<!--*");
        assert!(
            freshness_comment("<!--* freshness: { exempt: true } *-->")
                .unwrap()
                .exempt
        );
        assert!(freshness_comment("<!-- plain -->").is_none());
        assert!(freshness_comment("<!--*-->").is_none());
        assert!(
            freshness_comment("<!--* freshness: *-->")
                .unwrap()
                .owners
                .is_empty()
        );
    }
}
