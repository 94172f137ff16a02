//! Existing navigation as course outlines: an mdBook `SUMMARY.md` and an MkDocs `mkdocs.yml`
//! `nav`. Both give an ordered list of entries, each a title and a path relative to the file's
//! documents directory, with where it was written (for findings about missing files).

use crate::diagnostic::Pos;
use serde_yaml_ng::Value;

/// One chapter or page named by the navigation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub title: String,
    /// As written, without `#anchor` and with `%20`-style escapes decoded.
    pub path: String,
    /// Where the path is written in the navigation file.
    pub pos: Pos,
}

/// A parsed outline: its title (a heading or section name, when it has one) and entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    pub title: Option<String>,
    pub entries: Vec<Entry>,
}

/// Why a section could not be taken from a navigation file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavError {
    pub pos: Pos,
    pub message: String,
}

/// mdBook's `SUMMARY.md`: prefix chapters, `# Part` headings, nested `- [Title](path.md)`
/// lists (`*` and `+` bullets too), suffix chapters after a `---` rule; draft chapters
/// (`[Title]()`) and external links are left out. With `section`, only the entries under the
/// `# section` part heading.
pub fn parse_summary(text: &str, section: Option<&str>) -> Result<Outline, NavError> {
    let mut outline = Outline::default();
    let mut current_part: Option<String> = None;
    let mut found_section = section.is_none();
    let mut in_fence = false;
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || trimmed.starts_with("<!--") {
            continue;
        }
        if let Some(h) = trimmed.strip_prefix('#') {
            let heading = h.trim_start_matches('#').trim().to_string();
            if outline.title.is_none() && outline.entries.is_empty() && current_part.is_none() {
                // mdBook's first heading names the summary itself ("# Summary").
                if !is_summary_heading(&heading) && section.is_none() {
                    outline.title = Some(heading.clone());
                }
            }
            current_part = Some(heading.clone());
            if let Some(s) = section
                && heading.eq_ignore_ascii_case(s)
            {
                found_section = true;
                outline.title = Some(heading);
            }
            continue;
        }
        if let Some(s) = section
            && !current_part
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        {
            continue;
        }
        // `- [Title](path)`, `[Title](path)`, `1. [Title](path)`.
        let Some(open) = line.find('[') else { continue };
        let before = line[..open].trim();
        let bullet = before.is_empty()
            || ["-", "*", "+"].contains(&before)
            || (before.ends_with('.')
                && before[..before.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_digit()));
        if !bullet {
            continue;
        }
        let Some((title, dest, dest_offset)) = link_at(line, open) else {
            continue;
        };
        let Some(path) = local_path(dest) else {
            continue;
        };
        let column = line[..dest_offset].chars().count() as u32 + 1;
        outline.entries.push(Entry {
            title: title.trim().to_string(),
            path,
            pos: Pos::new(line_no, column, dest.chars().count().max(1) as u32),
        });
    }
    match section {
        Some(s) if !found_section => Err(NavError {
            pos: Pos::START,
            message: format!("has no `# {s}` part heading"),
        }),
        _ => Ok(outline),
    }
}

fn is_summary_heading(h: &str) -> bool {
    let h = h.to_ascii_lowercase();
    h == "summary" || h == "table of contents" || h == "contents"
}

/// `[title](dest)` starting at byte `open`: the title, the destination and its byte offset.
fn link_at(line: &str, open: usize) -> Option<(String, &str, usize)> {
    let rest = &line[open + 1..];
    // The title may hold brackets of its own (`[The [x] flag](x.md)`): find the `](`.
    let mut depth = 0i32;
    let mut close = None;
    for (i, c) in rest.char_indices() {
        match c {
            '\\' => {}
            '[' => depth += 1,
            ']' if depth == 0 => {
                close = Some(i);
                break;
            }
            ']' => depth -= 1,
            _ => {}
        }
    }
    let close = close?;
    let after = &rest[close + 1..];
    let inner = after.strip_prefix('(')?;
    let end = inner.find(')')?;
    let dest_raw = &inner[..end];
    let lead = dest_raw.len() - dest_raw.trim_start().len();
    let dest = dest_raw.trim();
    let offset = open + 1 + close + 2 + lead;
    // `<path with spaces>`, or a path and an optional `"title"`.
    let (dest, offset) = match dest.strip_prefix('<').and_then(|d| d.split_once('>')) {
        Some((inside, _)) => (inside, offset + 1),
        None => (dest.split_whitespace().next().unwrap_or(""), offset),
    };
    Some((rest[..close].to_string(), dest, offset))
}

/// A navigation target as a local path: none for drafts, external URLs and bare anchors.
fn local_path(dest: &str) -> Option<String> {
    let dest = dest.split('#').next().unwrap_or("");
    if dest.is_empty()
        || dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.starts_with("//")
    {
        return None;
    }
    let dest = dest.split('?').next().unwrap_or("");
    Some(percent_decode(dest.trim_start_matches("./")))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(Ok(b)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The parts of `mkdocs.yml` Fieldbook reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MkDocs {
    pub site_name: Option<String>,
    /// `docs_dir`, default `docs`.
    pub docs_dir: String,
    pub nav: Outline,
}

/// Parse `mkdocs.yml`. Tags such as `!!python/name:` and `!ENV` are kept as opaque values.
/// With `section`, only the nav section of that title: a top-level one, or a nested one named
/// by its path from the top (`Level 101 / Fundamentals / Linux Basics`).
pub fn parse_mkdocs(text: &str, section: Option<&str>) -> Result<MkDocs, NavError> {
    let value: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let fe = crate::content::front_matter::yaml_error(text, &e);
        NavError {
            pos: fe.pos,
            message: fe.message,
        }
    })?;
    let get = |k: &str| value.get(k).map(untag);
    let site_name = get("site_name").and_then(|v| v.as_str().map(str::to_string));
    let docs_dir = get("docs_dir")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "docs".into());
    let mut items = Vec::new();
    let mut title = None;
    if let Some(nav) = get("nav") {
        match section {
            None => flatten(nav, &mut items),
            Some(s) => {
                let found = find_section(nav, s).or_else(|| {
                    let mut at: Option<(&str, &Value)> = None;
                    for part in s.split(" / ") {
                        let within = at.map_or(nav, |(_, v)| v);
                        at = Some(find_section(within, part.trim())?);
                    }
                    at
                });
                match found {
                    Some((name, v)) => {
                        title = Some(name.to_string());
                        flatten(v, &mut items);
                    }
                    None => {
                        return Err(NavError {
                            pos: crate::content::source::YamlLocator::new(text)
                                .key("nav")
                                .unwrap_or(Pos::START),
                            message: format!("`nav` has no top-level section `{s}`"),
                        });
                    }
                }
            }
        }
    }
    // serde_yaml_ng keeps no positions: each path is found in the text after the previous one.
    let mut from = 0;
    let mut entries = Vec::new();
    for (t, dest) in items {
        let Some(path) = local_path(&dest) else {
            continue;
        };
        let at = text[from..].find(dest.as_str()).map(|i| from + i);
        let pos = match at {
            Some(i) => {
                from = i + dest.len();
                crate::content::source::pos_at(text, i, dest.chars().count())
            }
            None => Pos::START,
        };
        let title = t.unwrap_or_else(|| title_from_path(&path));
        entries.push(Entry { title, path, pos });
    }
    Ok(MkDocs {
        site_name,
        docs_dir,
        nav: Outline { title, entries },
    })
}

/// The section titled `title` (any case) among the items of the nav sequence `v`.
fn find_section<'v>(v: &'v Value, title: &str) -> Option<(&'v str, &'v Value)> {
    untag(v)
        .as_sequence()
        .into_iter()
        .flatten()
        .find_map(|item| {
            let map = untag(item).as_mapping()?;
            let (k, v) = map.iter().next()?;
            (k.as_str()?.eq_ignore_ascii_case(title) && untag(v).is_sequence())
                .then_some((k.as_str()?, v))
        })
}

/// The sections of a nav that hold pages only (at least two): what a curriculum calls its
/// courses, each with its path of section titles from the top, in nav order.
pub fn leaf_sections(text: &str) -> Vec<Vec<String>> {
    fn walk(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        let Some(items) = untag(v).as_sequence() else {
            return;
        };
        let mut pages = 0;
        let mut sections = 0;
        for item in items {
            match untag(item) {
                Value::String(_) => pages += 1,
                Value::Mapping(map) => {
                    for (k, v) in map {
                        match untag(v) {
                            Value::String(_) => pages += 1,
                            Value::Sequence(_) => {
                                sections += 1;
                                path.push(k.as_str().unwrap_or_default().to_string());
                                walk(v, path, out);
                                path.pop();
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if sections == 0 && pages >= 2 && !path.is_empty() {
            out.push(path.clone());
        }
    }
    let Ok(value) = serde_yaml_ng::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(nav) = value.get("nav") {
        walk(nav, &mut Vec::new(), &mut out);
    }
    out
}

fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => untag(&t.value),
        other => other,
    }
}

/// Nav items in order: `path.md`, `Title: path.md`, `Section: [items]`.
fn flatten(v: &Value, out: &mut Vec<(Option<String>, String)>) {
    match untag(v) {
        Value::Sequence(items) => items.iter().for_each(|i| flatten(i, out)),
        Value::String(path) => out.push((None, path.clone())),
        Value::Mapping(map) => {
            for (k, v) in map {
                let title = k.as_str().map(str::to_string);
                match untag(v) {
                    Value::String(path) => out.push((title, path.clone())),
                    other => flatten(other, out),
                }
            }
        }
        _ => {}
    }
}

/// `guide/first-steps.md` → `first steps`.
pub fn title_from_path(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    stem.replace(['-', '_'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY: &str = "# Summary\n\n[Introduction](README.md)\n\n# On-call\n\n- [First week](oncall/first-week.md)\n    - [Paging](oncall/paging.md#how)\n* [Draft chapter]()\n- [The [x] flag](<oncall/x flag.md>)\n- [Upstream](https://example.com/a.md)\n\n# Databases\n\n1. [Failover](db/failover%20steps.md)\n\n---\n\n[Contributors](misc/contributors.md)\n\n```\n- [Not a chapter](nope.md)\n```\n";

    #[test]
    fn summary_in_order_with_positions() {
        let o = parse_summary(SUMMARY, None).unwrap();
        let got: Vec<(&str, &str, u32, u32)> = o
            .entries
            .iter()
            .map(|e| (e.title.as_str(), e.path.as_str(), e.pos.line, e.pos.column))
            .collect();
        assert_eq!(
            got,
            [
                ("Introduction", "README.md", 3, 16),
                ("First week", "oncall/first-week.md", 7, 16),
                ("Paging", "oncall/paging.md", 8, 16),
                ("The [x] flag", "oncall/x flag.md", 10, 19),
                ("Failover", "db/failover steps.md", 15, 15),
                ("Contributors", "misc/contributors.md", 19, 16),
            ]
        );
        assert_eq!(o.title, None, "`# Summary` names the file, not the course");
    }

    #[test]
    fn summary_section() {
        let o = parse_summary(SUMMARY, Some("on-call")).unwrap();
        assert_eq!(o.title.as_deref(), Some("On-call"));
        let paths: Vec<&str> = o.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "oncall/first-week.md",
                "oncall/paging.md",
                "oncall/x flag.md"
            ]
        );
        assert!(parse_summary(SUMMARY, Some("Missing")).is_err());
        let o = parse_summary("# Ops handbook\n- [A](a.md)\n", None).unwrap();
        assert_eq!(o.title.as_deref(), Some("Ops handbook"));
    }

    const MKDOCS: &str = "site_name: Ops\ndocs_dir: handbook\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\nnav:\n  - index.md\n  - Onboarding:\n      - Welcome: onboarding/welcome.md\n      - Tools:\n          - onboarding/tools.md\n      - GitHub: https://github.com/acme\n  - Runbooks:\n      - Disk full: runbooks/disk.md\nextra:\n  key: !ENV [HOME, x]\n";

    #[test]
    fn mkdocs_nav_with_python_tags() {
        let m = parse_mkdocs(MKDOCS, None).unwrap();
        assert_eq!(m.site_name.as_deref(), Some("Ops"));
        assert_eq!(m.docs_dir, "handbook");
        let got: Vec<(&str, &str, u32)> = m
            .nav
            .entries
            .iter()
            .map(|e| (e.title.as_str(), e.path.as_str(), e.pos.line))
            .collect();
        assert_eq!(
            got,
            [
                ("index", "index.md", 7),
                ("Welcome", "onboarding/welcome.md", 9),
                ("tools", "onboarding/tools.md", 11),
                ("Disk full", "runbooks/disk.md", 14),
            ]
        );
        let s = parse_mkdocs(MKDOCS, Some("Onboarding")).unwrap();
        assert_eq!(s.nav.title.as_deref(), Some("Onboarding"));
        assert_eq!(s.nav.entries.len(), 2);
        let e = parse_mkdocs(MKDOCS, Some("Nope")).unwrap_err();
        assert_eq!(e.pos.line, 6);
        let e = parse_mkdocs("nav: [unclosed\n", None).unwrap_err();
        assert!(e.pos.line >= 1);
        assert_eq!(
            parse_mkdocs("site_name: x\n", None).unwrap().docs_dir,
            "docs"
        );
    }
}
