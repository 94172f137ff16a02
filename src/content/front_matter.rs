//! Front matter: splitting it from the Markdown body and parsing it (YAML between `---`, TOML
//! between `+++`) into typed metadata, with a position for every error.

use crate::content::date::{Date, Period, parse_duration_minutes};
use crate::content::source::pos_at;
use crate::diagnostic::Pos;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// A file's text cut into front matter and body. Lines are 1-based and absolute in the file.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Option<Format>,
    /// The front matter text (without fences); empty when there is none.
    pub front: &'a str,
    /// Line of the first front matter line.
    pub front_line: u32,
    pub body: &'a str,
    /// Line of the first body line.
    pub body_line: u32,
}

/// An error in front matter, positioned in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontMatterError {
    pub pos: Pos,
    pub message: String,
    pub hint: Option<String>,
}

/// Cut `text` (BOM already removed) at its front matter fences. A first line of `---` or `+++`
/// opens front matter; it must be closed by the same fence (`...` also closes YAML).
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let first = text[..first_end].trim_end();
    let format = match first {
        "---" => Format::Yaml,
        "+++" => Format::Toml,
        _ => {
            return Ok(Split {
                format: None,
                front: &text[..0],
                front_line: 1,
                body: text,
                body_line: 1,
            });
        }
    };
    let mut offset = first_end;
    let mut line_no = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        let line = text[offset..end].trim_end();
        let closes = line == first || (format == Format::Yaml && line == "...");
        if closes {
            return Ok(Split {
                format: Some(format),
                front: &text[first_end..offset],
                front_line: 2,
                body: &text[end..],
                body_line: line_no + 1,
            });
        }
        offset = end;
        line_no += 1;
    }
    Err(FrontMatterError {
        pos: Pos::new(1, 1, 3),
        message: format!("front matter opened with `{first}` on line 1 is never closed"),
        hint: Some(format!(
            "end the metadata with a line holding only `{first}`; a Markdown thematic break cannot be the first line"
        )),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Runbook,
    Postmortem,
    Course,
    Lesson,
    Page,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Runbook,
        Kind::Postmortem,
        Kind::Course,
        Kind::Lesson,
        Kind::Page,
    ];

    /// The kind named by its `as_str` form.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Runbook => "runbook",
            Kind::Postmortem => "postmortem",
            Kind::Course => "course",
            Kind::Lesson => "lesson",
            Kind::Page => "page",
        }
    }

    /// Kinds whose documents must name owners (FORMAT.md).
    pub fn requires_owners(self) -> bool {
        matches!(self, Kind::Runbook | Kind::Postmortem | Kind::Course)
    }

    /// Kinds whose documents must carry `reviewed`.
    pub fn requires_review(self) -> bool {
        matches!(self, Kind::Runbook | Kind::Course)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostmortemStatus {
    Draft,
    InReview,
    Published,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionStatus {
    Open,
    Done,
    Wontfix,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionItem {
    pub title: String,
    pub owner: String,
    pub due: Date,
    pub status: ActionStatus,
    #[serde(default)]
    pub link: Option<String>,
}

/// Typed front matter. Every field is optional here; what each kind requires is a check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub kind: Option<Kind>,
    pub owners: Option<OneOrMany>,
    pub owner: Option<OneOrMany>,
    pub reviewed: Option<Date>,
    pub review_every: Option<Period>,
    pub tags: Vec<String>,
    pub services: Vec<String>,
    pub draft: bool,
    pub alerts: Vec<String>,
    pub severity: Option<String>,
    pub date: Option<Date>,
    pub duration: Option<Duration>,
    pub status: Option<PostmortemStatus>,
    pub action_items: Vec<ActionItem>,
    pub lessons: Vec<String>,
    pub level: Option<Level>,
    pub prerequisites: Vec<String>,
    pub minutes: Option<u32>,
    pub description: Option<String>,
    /// What a course teaches, one sentence each (docs/courses.md).
    pub objectives: Vec<String>,
    /// A lesson's stable id, kept when its file is renamed (docs/courses.md).
    pub id: Option<String>,
    /// Keys Fieldbook does not know, kept for templates. Filled by [`parse`], not by serde.
    #[serde(skip)]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// What other tools' keys say (docs/adopting.md). Filled by [`parse`], not by serde.
    #[serde(skip)]
    pub adopted: Adopted,
}

/// The keys FORMAT.md defines, for typo suggestions.
pub const KNOWN_KEYS: [&str; 22] = [
    "title",
    "kind",
    "owners",
    "owner",
    "reviewed",
    "review_every",
    "tags",
    "services",
    "draft",
    "alerts",
    "severity",
    "date",
    "duration",
    "status",
    "action_items",
    "lessons",
    "level",
    "prerequisites",
    "minutes",
    "description",
    "objectives",
    "id",
];

/// `owners: alice` or `owners: [alice, team-db]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

// By hand rather than `#[serde(untagged)]`: an untagged enum's error has no position and
// names no key; this one is raised inside the value, so it gets both.
impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an owner id or a list of owner ids")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    ids.push(id);
                }
                Ok(OneOrMany::Many(ids))
            }
        }
        d.deserialize_any(V)
    }
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A postmortem's duration as written and in minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Duration {
    pub text: String,
    pub minutes: u64,
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let parse = |s: &str| {
            parse_duration_minutes(s).map(|minutes| Duration {
                text: s.to_string(),
                minutes,
            })
        };
        d.deserialize_any(ParseVisitor(
            "a duration such as `45m`, `3h` or `2d`",
            parse,
        ))
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ParseVisitor(
            "a period such as `90d`, `6w`, `3m`, `1y` or `never`",
            Period::parse,
        ))
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ParseVisitor("a date YYYY-MM-DD", Date::parse))
    }
}

/// Parses a string (or TOML's native date, which serde sees as a one-entry map) inside the
/// visitor, so that the YAML deserializer attaches the value's position to a parse error.
struct ParseVisitor<T>(&'static str, fn(&str) -> Result<T, String>);

impl<'de, T> Visitor<'de> for ParseVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.1)(v).map_err(E::custom)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        match map.next_entry::<String, String>()? {
            Some((k, v)) if k == "$__toml_private_datetime" => {
                (self.1)(&v).map_err(de::Error::custom)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

/// Other tools' front matter keys read as Fieldbook's: the dialect half of [`parse_with`]
/// ([`crate::adopt::aliases::Aliases`]). Front matter parsing itself knows no other tool.
pub trait KeyDialect {
    /// Which native keys to set or drop for `keys` (the file's untyped keys, in order).
    fn apply(&self, keys: &Keys) -> Result<Adoption, Invalid>;
    /// Whether `key` is one the dialect reads (so not a typo of a native key).
    fn is_alias(&self, key: &str) -> bool;
}

/// Fieldbook's own keys only.
pub struct NoDialect;

impl KeyDialect for NoDialect {
    fn apply(&self, _: &Keys) -> Result<Adoption, Invalid> {
        Ok(Adoption::default())
    }

    fn is_alias(&self, _: &str) -> bool {
        false
    }
}

/// What other tools' front matter says that Fieldbook has no key for, and where aliased
/// native keys came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Adopted {
    /// Order among siblings (Hugo `weight`, Docusaurus `sidebar_position`): lower first,
    /// documents without one after those with one.
    pub weight: Option<i64>,
    /// Old URLs of the page (Hugo `aliases`), as written.
    pub aliases: Vec<String>,
    /// When the page last changed (Hugo `lastmod`, Docusaurus `last_update.date`): shown
    /// as the last change, never taken as a review.
    pub last_changed: Option<Date>,
    pub last_changed_by: Option<String>,
    /// GOV.UK `owner_slack`: a team's channel or a person's Slack handle, resolved against
    /// owners.yaml when the site is assembled.
    pub owner_slack: Option<String>,
    /// Docusaurus `hide_table_of_contents`, MkDocs `hide: [toc]`.
    pub hide_toc: bool,
    /// The review period came from a key whose tool counts a page as late on its due day
    /// itself (GOV.UK `review_in`), not only from the day after.
    pub due_day_is_late: bool,
    /// For each native key set from an alias, the alias key (positions for findings).
    pub from: BTreeMap<&'static str, &'static str>,
    /// Byte range in the body of a Google freshness comment that was read.
    pub freshness: Option<(usize, usize)>,
}

impl Adopted {
    /// The key written in the file for native `key` (the alias it came from, or itself).
    pub fn key_in_file<'k>(&self, key: &'k str) -> &'k str {
        self.from.get(key).copied().unwrap_or(key)
    }
}

/// A warning about a key, located by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The alias key (where the warning points).
    pub key: &'static str,
    pub native: &'static str,
    pub message: String,
}

/// A value that cannot be read: an `invalid-metadata` error at the key's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub key: String,
    pub message: String,
    pub hint: &'static str,
}

/// The result of [`KeyDialect::apply`]: native keys to set (value as Fieldbook writes it) or drop.
#[derive(Debug, Default)]
pub struct Adoption {
    pub set: Vec<(&'static str, serde_json::Value)>,
    pub drop: Vec<&'static str>,
    pub adopted: Adopted,
    pub conflicts: Vec<Conflict>,
    /// Native values another tool wrote its own way, kept for templates under their key.
    pub extra: Vec<(String, serde_json::Value)>,
}

impl Adoption {
    /// Whether the typed pass must read the rewritten keys rather than the text.
    pub fn rewrites(&self) -> bool {
        !self.set.is_empty() || !self.drop.is_empty()
    }
}

/// What parsing front matter yields: the metadata, unknown keys that look like typos of
/// known ones (`(key, suggestion, position)`), and other tools' keys that lost to the native
/// key they stand for (`(message, position of the alias)`).
#[derive(Debug, Default)]
pub struct Parsed {
    pub meta: FrontMatter,
    pub typos: Vec<(String, &'static str, Pos)>,
    pub conflicts: Vec<(String, Pos)>,
}

/// Parse the front matter of `split` in Fieldbook's keys only. Errors are positioned in the
/// whole file.
pub fn parse(split: &Split<'_>) -> Result<Parsed, FrontMatterError> {
    parse_with(split, &NoDialect)
}

/// [`parse`], reading other tools' keys as `dialect` says.
pub fn parse_with(split: &Split<'_>, dialect: &dyn KeyDialect) -> Result<Parsed, FrontMatterError> {
    let shift = split.front_line - 1;
    let text = split.front;
    if text.trim().is_empty() {
        return Ok(Parsed::default());
    }
    let shifted = |mut e: FrontMatterError| {
        e.pos = e.pos.shifted(shift);
        e
    };
    let Some(format) = split.format else {
        return Ok(Parsed::default());
    };
    // A top-level key written twice: the source tools (Hugo, MkDocs, Jekyll) take the last
    // value; so does Fieldbook, with a finding, rather than losing the page. Only what the
    // YAML parser itself calls a duplicate is dropped (its earlier occurrences).
    let mut current = std::borrow::Cow::Borrowed(text);
    let mut repeated: Vec<(String, u32, u32)> = Vec::new();
    if format == Format::Yaml {
        while repeated.len() < 64 {
            let Err(e) = yaml_keys(&current) else { break };
            let Some(key) = duplicate_key(&e.message) else {
                break;
            };
            let Some((t, first, last)) = drop_earlier(&current, &key) else {
                break;
            };
            repeated.push((key, first, last));
            current = std::borrow::Cow::Owned(t);
        }
    }
    let text: &str = &current;
    let locator = crate::content::source::YamlLocator::new(text);
    let value_pos = |key: &str| locator.key(key).unwrap_or(Pos::START);
    // The untyped pass first: it reports syntax errors, duplicate keys and alias bombs
    // wherever they are, before the typed pass reports the first wrong type.
    let keys = match format {
        Format::Yaml => yaml_keys(text),
        Format::Toml => toml_keys(text),
    }
    .map_err(shifted)?;
    let adoption = dialect.apply(&keys).map_err(|e| {
        shifted(FrontMatterError {
            pos: value_pos(&e.key),
            message: e.message,
            hint: Some(e.hint.to_string()),
        })
    })?;
    let mut meta = if adoption.rewrites() {
        typed_from_keys(&keys, &adoption, value_pos)
    } else {
        match format {
            Format::Yaml => typed_from_values(&keys).map_or_else(
                || serde_yaml_ng::from_str(text).map_err(|e| yaml_error(text, &e)),
                Ok,
            ),
            Format::Toml => toml::from_str(text).map_err(|e| toml_error(text, &e)),
        }
    }
    .map_err(shifted)?;
    let mut typos = Vec::new();
    for (key, value) in keys {
        if KNOWN_KEYS.contains(&key.as_str()) {
            continue;
        }
        if !dialect.is_alias(&key)
            && let Some(suggestion) = likely_typo(&key)
        {
            let pos = find_key_pos(&locator, text, &key).shifted(shift);
            typos.push((key.clone(), suggestion, pos));
        }
        meta.extra.insert(key, value);
    }
    meta.extra.extend(adoption.extra);
    let mut conflicts: Vec<(String, Pos)> = adoption
        .conflicts
        .into_iter()
        .map(|c| {
            (
                c.message,
                find_key_pos(&locator, text, c.key).shifted(shift),
            )
        })
        .collect();
    for (key, first, last) in repeated {
        conflicts.push((
            format!(
                "`{key}` is written twice (lines {} and {}); the last value is used, as other tools do",
                first + shift,
                last + shift
            ),
            Pos::new(last + shift, 1, key.chars().count() as u32),
        ));
    }
    meta.adopted = adoption.adopted;
    Ok(Parsed {
        meta,
        typos,
        conflicts,
    })
}

/// A mapping's keys and values, in file order.
pub type Keys = Vec<(String, serde_json::Value)>;

/// The typed front matter from the untyped pass's values, which saves parsing the YAML a
/// second time (a third of loading a document). `None` when they do not fit as they stand:
/// YAML reads `title: 2026` as text where the values hold a number, so the text's own typed
/// pass decides, and places any error.
fn typed_from_values(keys: &Keys) -> Option<FrontMatter> {
    let map: serde_json::Map<String, serde_json::Value> = keys.iter().cloned().collect();
    serde_json::from_value(serde_json::Value::Object(map)).ok()
}

/// The typed pass over keys rewritten by [`KeyDialect::apply`]. The values are no longer text,
/// so an error is placed by finding the key whose value fails on its own.
fn typed_from_keys(
    keys: &Keys,
    adoption: &Adoption,
    value_pos: impl Fn(&str) -> Pos,
) -> Result<FrontMatter, FrontMatterError> {
    let mut map = serde_json::Map::new();
    for (k, v) in keys {
        if !adoption.drop.contains(&k.as_str()) {
            map.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in &adoption.set {
        map.insert(k.to_string(), v.clone());
    }
    serde_json::from_value(serde_json::Value::Object(map.clone())).map_err(|e| {
        let failing = map.into_iter().find_map(|(k, v)| {
            let one = serde_json::Value::Object([(k.clone(), v)].into_iter().collect());
            serde_json::from_value::<FrontMatter>(one)
                .err()
                .map(|e| (k, e))
        });
        let (pos, e) = match failing {
            Some((k, e)) => (value_pos(adoption.adopted.key_in_file(&k)), e),
            None => (Pos::START, e),
        };
        let message = strip_locations(&e.to_string());
        FrontMatterError {
            pos,
            hint: yaml_hint(&message),
            message,
        }
    })
}

fn yaml_keys(text: &str) -> Result<Keys, FrontMatterError> {
    let map: serde_yaml_ng::Mapping =
        serde_yaml_ng::from_str(text).map_err(|e| yaml_error(text, &e))?;
    let mut keys = Vec::with_capacity(map.len());
    for (k, v) in map {
        let serde_yaml_ng::Value::String(k) = k else {
            return Err(FrontMatterError {
                pos: Pos::START,
                message: "front matter keys must be strings".into(),
                hint: None,
            });
        };
        keys.push((
            k,
            serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
        ));
    }
    Ok(keys)
}

fn toml_keys(text: &str) -> Result<Keys, FrontMatterError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    Ok(table
        .into_iter()
        .map(|(k, v)| {
            let v = serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
            (k, v)
        })
        .collect())
}

pub fn yaml_error(text: &str, e: &serde_yaml_ng::Error) -> FrontMatterError {
    let pos = e.location().map_or(Pos::START, |l| {
        let p = pos_at(text, l.index(), 1);
        // libyaml reports an error at the very end of input at a column past the text; keep it.
        Pos::new(
            l.line() as u32,
            p.column.max(l.column() as u32).min(l.column() as u32),
            1,
        )
    });
    let message = strip_locations(&e.to_string());
    let hint = yaml_hint(&message);
    let pos = duplicate_key_pos(text, &message).unwrap_or(pos);
    FrontMatterError { pos, message, hint }
}

pub fn toml_error(text: &str, e: &toml::de::Error) -> FrontMatterError {
    let pos = e
        .span()
        .map_or(Pos::START, |s| pos_at(text, s.start, s.len()));
    FrontMatterError {
        pos,
        message: e.message().trim().to_string(),
        hint: None,
    }
}

/// The key of a "duplicate entry with key" error at the top level of front matter.
fn duplicate_key(message: &str) -> Option<String> {
    message
        .strip_prefix("duplicate entry with key \"")
        .and_then(|r| r.split('"').next())
        .map(str::to_string)
}

/// `text` with the earlier top-level occurrences of `key` blanked (lines keep their numbers:
/// the entry's line and the indented lines of its value), and the 1-based lines of the first
/// and the last occurrence. `None` when `key` does not start two lines.
fn drop_earlier(text: &str, key: &str) -> Option<(String, u32, u32)> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let starts = |line: &str| {
        let quoted = [format!("\"{key}\""), format!("'{key}'")];
        let rest = quoted
            .iter()
            .find_map(|q| line.strip_prefix(q.as_str()))
            .or_else(|| line.strip_prefix(key));
        rest.is_some_and(|r| r.trim_start_matches([' ', '\t']).starts_with(':'))
    };
    let at: Vec<usize> = (0..lines.len()).filter(|&i| starts(lines[i])).collect();
    let (&first, &last) = (at.first()?, at.last()?);
    if first == last {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut dropping = false;
    for (i, line) in lines.iter().enumerate() {
        if at.contains(&i) {
            dropping = i != last;
        } else if !line.starts_with([' ', '\t', '-', '#']) && !line.trim().is_empty() {
            dropping = false;
        }
        if dropping {
            out.push_str(if line.ends_with('\n') { "\n" } else { "" });
        } else {
            out.push_str(line);
        }
    }
    Some((out, first as u32 + 1, last as u32 + 1))
}

/// serde_yaml places a duplicate key at the start of its mapping; point at the repeat instead
/// (top-level keys, which is where front matter and owners.yaml repeat them).
fn duplicate_key_pos(text: &str, message: &str) -> Option<Pos> {
    // A nested duplicate comes as "people: duplicate entry ...".
    let message = message
        .find("duplicate ")
        .map_or(message, |i| &message[i..]);
    let key = message
        .strip_prefix("duplicate entry with key \"")
        .and_then(|r| r.split('"').next())
        .or_else(|| {
            message
                .strip_prefix("duplicate field `")
                .and_then(|r| r.split('`').next())
        })?;
    let mut seen = 0;
    for (i, line) in text.split('\n').enumerate() {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if t.strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with(':'))
        {
            seen += 1;
            if seen == 2 {
                return Some(Pos::new(
                    i as u32 + 1,
                    indent as u32 + 1,
                    key.chars().count() as u32,
                ));
            }
        }
    }
    None
}

/// serde_yaml appends "at line L column C" to messages; the position is shown separately.
fn strip_locations(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let skip = tail
            .find(|c: char| !(c.is_ascii_digit() || c == ' ' || "column".contains(c)))
            .unwrap_or(tail.len());
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

fn yaml_hint(message: &str) -> Option<String> {
    let hint = if message.contains("repetition limit") || message.contains("recursion limit") {
        "the YAML expands aliases or nests too deeply to be safe to read; write the values out"
    } else if message.contains("duplicate") {
        "each key may appear once; remove or merge the repeated one"
    } else if message.contains("mapping values are not allowed") {
        "quote values that contain `: `, for example title: \"DNS: resolution fails\""
    } else if message.contains("found character that cannot start any token") {
        "quote values that start with `@`, `` ` `` or `%`, and channel names such as \"#db-oncall\""
    } else if message.contains("expected a date")
        || message.contains("YYYY-MM-DD")
        || message.contains("calendar")
    {
        "write dates as YYYY-MM-DD, a day that exists"
    } else if message.contains("invalid type") {
        "check the value's type against the table of keys in FORMAT.md"
    } else {
        return None;
    };
    Some(hint.to_string())
}

/// A key not in FORMAT.md that is close to one that is: `reviwed`, `Owners`, `review-every`.
pub fn likely_typo(key: &str) -> Option<&'static str> {
    let norm = key.to_ascii_lowercase().replace('-', "_");
    KNOWN_KEYS.into_iter().find(|&k| {
        norm == k
            || (key.len() >= 4
                && strsim::damerau_levenshtein(&norm, k) <= if k.len() >= 8 { 2 } else { 1 })
    })
}

fn find_key_pos(locator: &crate::content::source::YamlLocator<'_>, text: &str, key: &str) -> Pos {
    if let Some(p) = locator.key(key) {
        // Point at the key, not its value.
        let line = text.lines().nth(p.line as usize - 1).unwrap_or("");
        let col = line.find(key).map_or(1, |c| line[..c].chars().count() + 1);
        return Pos::new(p.line, col as u32, key.chars().count() as u32);
    }
    Pos::START
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Parsed, FrontMatterError> {
        parse(&split(text)?)
    }

    #[test]
    fn splits_yaml_toml_and_none() {
        let s = split("---\ntitle: A\n---\n# Body\n").unwrap();
        assert_eq!(
            (s.format, s.front, s.body, s.body_line),
            (Some(Format::Yaml), "title: A\n", "# Body\n", 4)
        );
        let s = split("+++\r\ntitle = 'A'\r\n+++\r\nbody").unwrap();
        assert_eq!(
            (s.format, s.front, s.body),
            (Some(Format::Toml), "title = 'A'\r\n", "body")
        );
        let s = split("# Just markdown\n").unwrap();
        assert_eq!(s.format, None);
        let s = split("---\n---\n").unwrap();
        assert_eq!((s.front, s.body), ("", ""));
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let e = split("---\n").unwrap_err();
        assert!(e.message.contains("never closed"), "{}", e.message);
        assert!(split("---").is_err());
    }

    #[test]
    fn parses_every_field() {
        let p = parse_str(
            "---\ntitle: Failover\nowners: team-db\nreviewed: 2026-11-01\nreview_every: 6w\ntags: [db]\n\
             draft: false\nalerts: [PgDown]\nseverity: critical\ndate: 2026-01-02\nduration: 3h\nstatus: in-review\n\
             action_items:\n  - {title: Fix, owner: bob, due: 2026-02-01, status: open}\nlevel: beginner\nminutes: 15\n\
             team_channel: x\n---\n",
        )
        .unwrap();
        let m = p.meta;
        assert_eq!(m.title.as_deref(), Some("Failover"));
        assert_eq!(m.owners.unwrap().into_vec(), ["team-db"]);
        assert_eq!(m.review_every, Some(Period::Weeks(6)));
        assert_eq!(m.duration.unwrap().minutes, 180);
        assert_eq!(m.status, Some(PostmortemStatus::InReview));
        assert_eq!(m.action_items[0].status, ActionStatus::Open);
        assert_eq!(m.extra["team_channel"], serde_json::json!("x"));
        assert!(p.typos.is_empty());
    }

    #[test]
    fn toml_front_matter_with_native_dates() {
        let p = parse_str("+++\ntitle = \"T\"\nreviewed = 2026-03-04\nowners = [\"a\"]\n+++\n")
            .unwrap();
        assert_eq!(p.meta.reviewed.unwrap().to_string(), "2026-03-04");
        let e = parse_str("+++\ntitle = \"T\"\nreviewed = 2026-02-30\n+++\n").unwrap_err();
        assert_eq!(e.pos.line, 3, "{e:?}");
    }

    #[test]
    fn errors_point_at_the_value() {
        let e = parse_str("---\ntitle: A\nreviewed: 2026-02-30\n---\n").unwrap_err();
        assert_eq!((e.pos.line, e.pos.column), (3, 11));
        assert!(
            e.message.contains("not a day of the calendar"),
            "{}",
            e.message
        );
        let e = parse_str("---\ntitle: A\nminutes: many\n---\n").unwrap_err();
        assert_eq!(e.pos.line, 3);
        assert!(e.message.contains("invalid type"), "{}", e.message);
        assert!(!e.message.contains("at line"), "{}", e.message);
        // A top-level key written twice: the last value, and a finding at the repeat.
        let p = parse_str("---\ntitle: A\nowners: [x]\ntitle: B\n---\n").unwrap();
        assert_eq!(p.meta.title.as_deref(), Some("B"));
        assert_eq!(p.conflicts.len(), 1);
        assert_eq!(p.conflicts[0].1.line, 4);
        assert!(
            p.conflicts[0].0.contains("lines 2 and 4"),
            "{:?}",
            p.conflicts
        );
        let p = parse_str("---\ntags:\n  - a\ntitle: T\ntags:\n- b\n- c\n---\n").unwrap();
        assert_eq!(p.meta.tags, ["b", "c"]);
        // Inside a value it is still an error, at the repeat.
        let e = parse_str("---\ntitle: A\naction_items:\n  - title: x\n    title: y\n---\n")
            .unwrap_err();
        assert!(e.message.contains("duplicate"), "{}", e.message);
        let e = parse_str("---\ntitle: [unclosed\n---\n").unwrap_err();
        assert!(e.pos.line >= 2);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut y = String::from(
            "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (i, c) in "bcdefghi".chars().enumerate() {
            let prev = (b'a' + i as u8) as char;
            y.push_str(&format!("{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        y.push_str("---\n");
        let e = parse_str(&y).unwrap_err();
        assert!(e.message.contains("limit"), "{}", e.message);
    }

    #[test]
    fn typos_are_named() {
        let p = parse_str(
            "---\ntitle: A\nreviwed: 2026-01-01\nreview-every: 90d\nteam_channel: '#x'\n---\n",
        )
        .unwrap();
        let t: Vec<_> = p
            .typos
            .iter()
            .map(|(k, s, p)| (k.as_str(), *s, p.line))
            .collect();
        assert_eq!(
            t,
            [
                ("reviwed", "reviewed", 3),
                ("review-every", "review_every", 4)
            ]
        );
        // Course keys (docs/courses.md) are known, and their typos named.
        let p = parse_str(
            "---
objectives: [a]
id: x
objectivs: [b]
---
",
        )
        .unwrap();
        assert_eq!(p.meta.objectives, ["a"]);
        assert_eq!(p.meta.id.as_deref(), Some("x"));
        let t: Vec<_> = p.typos.iter().map(|(k, s, _)| (k.as_str(), *s)).collect();
        assert_eq!(t, [("objectivs", "objectives")]);
    }

    #[test]
    fn strips_locations_from_messages() {
        assert_eq!(
            strip_locations(
                "did not find expected key at line 3 column 1, while parsing a block mapping at line 1 column 1"
            ),
            "did not find expected key, while parsing a block mapping"
        );
    }
}
