//! Owners from outside the front matter: a `CODEOWNERS` file (GitHub and GitLab syntax),
//! Kubernetes-style `OWNERS` files (with `OWNERS_ALIASES`), and `[owners] default`. Handles
//! (`@user`, `@org/team`, emails, OWNERS logins) are mapped onto owners.yaml ids through a
//! `github:`, `gitlab:` or `email:` key on a person or team, or through the id itself.
//!
//! Precedence (applied by the loader and the model): front matter > course (for lessons) >
//! nearest OWNERS > CODEOWNERS > `[owners] default`. A source that names owners wins even when
//! none of them maps onto owners.yaml; each unmapped handle is reported once, at the line that
//! names it.

use crate::content::pattern::Pattern;
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::model::outside::{Found, OwnersSource, Unmapped};
use crate::model::owners::Owners;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A handle as written, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handle {
    pub text: String,
    pub pos: Pos,
}

// ---- CODEOWNERS ----

#[derive(Clone, Debug)]
struct Rule {
    pattern: Pattern,
    section: usize,
    owners: Vec<Handle>,
    line: u32,
}

/// A parsed CODEOWNERS file.
#[derive(Clone, Debug, Default)]
pub struct Codeowners {
    /// Path shown in findings (relative to the site; `../` when it lies above it).
    pub file: String,
    /// Prepended to a site-relative path to make it relative to the file's base directory.
    pub prefix: String,
    rules: Vec<Rule>,
    pub text: String,
}

/// Where CODEOWNERS may live, in the order GitHub looks (GitLab's `.gitlab/` last).
pub const CODEOWNERS_PLACES: [&str; 4] = [
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

impl Codeowners {
    /// Parse CODEOWNERS text. Malformed lines (a section header that does not close) become
    /// findings; the rest of the file still applies.
    pub fn parse(file: &str, prefix: &str, text: &str) -> (Codeowners, Vec<Diagnostic>) {
        let mut rules = Vec::new();
        let mut problems = Vec::new();
        let mut section = 0;
        let mut section_defaults: Vec<Handle> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i as u32 + 1;
            let line = raw.trim_end_matches('\r');
            let start = line.len() - line.trim_start().len();
            let body = &line[start..];
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            if let Some(header) = section_header(body) {
                match header {
                    Some(rest_at) => {
                        section += 1;
                        section_defaults = owners_in(line, start + rest_at, line_no);
                    }
                    None => problems.push(
                        Diagnostic::new(
                            Code::InvalidMetadata,
                            file,
                            Pos::new(line_no, start as u32 + 1, body.chars().count() as u32),
                            "CODEOWNERS section header is not closed with `]`",
                        )
                        .with_hint(
                            "write sections as `[Name]`, `^[Optional name]` or `[Name][2] @owner`",
                        )
                        .with_source(text),
                    ),
                }
                continue;
            }
            let (pattern_text, end) = path_token(body);
            let Some(pattern) = Pattern::new(&pattern_text) else {
                continue;
            };
            let mut owners = owners_in(line, start + end, line_no);
            if owners.is_empty() && section > 0 {
                owners = section_defaults.clone();
            }
            rules.push(Rule {
                pattern,
                section,
                owners,
                line: line_no,
            });
        }
        (
            Codeowners {
                file: file.to_string(),
                prefix: prefix.to_string(),
                rules,
                text: text.to_string(),
            },
            problems,
        )
    }

    /// Every owner handle the file names, with its line, in order.
    pub fn handles(&self) -> impl Iterator<Item = (&str, u32)> {
        self.rules
            .iter()
            .flat_map(|r| r.owners.iter().map(|h| (h.text.as_str(), h.pos.line)))
    }

    /// The owners of `site_rel`: in each section the last matching line wins (a line without
    /// owners un-owns); sections add up, as in GitLab. The line is the first one that names
    /// owners.
    pub fn lookup(&self, site_rel: &str) -> Option<(Vec<&Handle>, u32)> {
        let path = format!("{}{site_rel}", self.prefix);
        let mut last: BTreeMap<usize, &Rule> = BTreeMap::new();
        for r in &self.rules {
            if r.pattern.matches(&path) {
                last.insert(r.section, r);
            }
        }
        let mut handles: Vec<&Handle> = Vec::new();
        let mut line = None;
        for r in last.values().filter(|r| !r.owners.is_empty()) {
            line.get_or_insert(r.line);
            for h in &r.owners {
                if !handles.iter().any(|x| x.text.eq_ignore_ascii_case(&h.text)) {
                    handles.push(h);
                }
            }
        }
        line.map(|l| (handles, l))
    }
}

/// `[Name]`, `^[Name]`, `[Name][2]`, followed by nothing or by owners: `Some(Some(offset of
/// the owners))`; `Some(None)` for an unclosed header; `None` for a path (`[Rr]eadme.md`).
fn section_header(body: &str) -> Option<Option<usize>> {
    let lead = usize::from(body.starts_with('^'));
    if !body[lead..].starts_with('[') {
        return None;
    }
    let Some(close) = body[lead..].find(']') else {
        // `[abc` with no `]` anywhere and nothing after: a broken header only when the whole
        // line is that; a path such as `[x` followed by owners is left to the path rules.
        return (!body.contains(char::is_whitespace)).then_some(None);
    };
    let mut at = lead + close + 1;
    if body[at..].starts_with('[')
        && let Some(c) = body[at..].find(']')
        && body[at + 1..at + c].chars().all(|c| c.is_ascii_digit())
    {
        at += c + 1;
    }
    let rest = &body[at..];
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some(Some(at))
}

/// The path at the start of `body` (up to unescaped whitespace), and the byte after it.
fn path_token(body: &str) -> (String, usize) {
    let mut out = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            if let Some(&(_, n)) = chars.peek() {
                // `\ ` and `\#` stand for themselves; other escapes stay for the glob.
                if n == ' ' || n == '#' {
                    out.push('\\');
                    out.push(n);
                    chars.next();
                    continue;
                }
            }
            out.push(c);
            continue;
        }
        if c.is_whitespace() {
            return (out, i);
        }
        out.push(c);
    }
    (out, body.len())
}

/// Owner handles in `line` from byte `from` on, up to a `#` comment.
fn owners_in(line: &str, from: usize, line_no: u32) -> Vec<Handle> {
    let mut out = Vec::new();
    let mut offset = from;
    for token in line[from..].split_whitespace() {
        let at = line[offset..].find(token).map_or(offset, |i| offset + i);
        offset = at + token.len();
        if token.starts_with('#') {
            break;
        }
        // GitLab's role owners (`@@developer`) name no one in particular.
        if token.starts_with("@@") || !token.contains('@') {
            continue;
        }
        out.push(Handle {
            text: token.to_string(),
            pos: Pos::new(
                line_no,
                line[..at].chars().count() as u32 + 1,
                token.chars().count() as u32,
            ),
        });
    }
    out
}

// ---- OWNERS (Kubernetes) ----

#[derive(Clone, Debug)]
struct OwnersFile {
    file: String,
    approvers: Vec<Handle>,
    line: u32,
    no_parent: bool,
}

/// Parse an OWNERS file: `approvers` (or `reviewers` when there are none) and
/// `options: {no_parent_owners: true}`. Malformed YAML is a finding and the file is ignored.
fn parse_owners_file(file: &str, text: &str) -> Result<OwnersFile, Diagnostic> {
    let bad = |pos: Pos, msg: String| {
        Diagnostic::new(Code::InvalidMetadata, file, pos, msg)
            .with_hint("OWNERS files hold `approvers:` and `reviewers:` lists of logins (Kubernetes style)")
            .with_source(text)
    };
    let value: serde_yaml_ng::Value = if text.trim().is_empty() {
        serde_yaml_ng::Value::Null
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| {
            let fe = crate::content::front_matter::yaml_error(text, &e);
            bad(fe.pos, format!("{file}: {}", fe.message))
        })?
    };
    let locator = crate::content::source::YamlLocator::new(text);
    let list = |key: &str| -> Vec<Handle> {
        value
            .get(key)
            .and_then(|v| v.as_sequence())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str())
            .map(|s| Handle {
                text: s.to_string(),
                pos: locator.word_in(key, s).unwrap_or(Pos::START),
            })
            .collect()
    };
    let (key, approvers) = match list("approvers") {
        a if !a.is_empty() => ("approvers", a),
        _ => ("reviewers", list("reviewers")),
    };
    let no_parent = value
        .get("options")
        .and_then(|o| o.get("no_parent_owners"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    Ok(OwnersFile {
        file: file.to_string(),
        line: locator.key(key).map_or(1, |p| p.line),
        approvers,
        no_parent,
    })
}

// ---- all sources together ----

/// Every owner source of a site, with handles already mapped onto owners.yaml ids.
#[derive(Clone, Debug, Default)]
pub struct OwnerSources {
    codeowners: Option<Codeowners>,
    /// OWNERS files by site-relative directory (`""` for the site root).
    owners_files: BTreeMap<String, OwnersFile>,
    /// `OWNERS_ALIASES`: alias → logins.
    aliases: BTreeMap<String, Vec<String>>,
    default: Option<(String, OwnersSource)>,
    /// Handle (lowercase) → id, when it maps.
    map: HashMap<String, Option<String>>,
}

impl OwnerSources {
    /// Gather the sources of the site at `root`. `owners_dirs` are the site-relative
    /// directories holding an `OWNERS` file. Returns the sources and findings about them.
    pub fn load(
        root: &Path,
        owners_dirs: &[String],
        default: Option<(String, OwnersSource)>,
        registry: &Owners,
    ) -> (OwnerSources, Vec<Diagnostic>) {
        let mut findings = Vec::new();
        let mut sources = OwnerSources {
            default,
            ..OwnerSources::default()
        };
        findings.extend(
            CODEOWNERS_PLACES
                .iter()
                .filter_map(|p| crate::config::outside_link(root, &root.join(p))),
        );
        if let Some((file, prefix, text)) = find_codeowners(root) {
            let (c, mut problems) = Codeowners::parse(&file, &prefix, &text);
            findings.append(&mut problems);
            sources.codeowners = Some(c);
        }
        for dir in owners_dirs {
            let file = if dir.is_empty() {
                "OWNERS".to_string()
            } else {
                format!("{dir}/OWNERS")
            };
            let path = root.join(&file);
            if let Some(f) = crate::config::outside_link(root, &path) {
                findings.push(f);
                continue;
            }
            let Ok(text) =
                crate::config::read_text_inside(root, &path, crate::config::MAX_CONFIG_BYTES)
            else {
                continue;
            };
            match parse_owners_file(&file, &text) {
                Ok(o) => {
                    sources.owners_files.insert(dir.clone(), o);
                }
                Err(d) => findings.push(d),
            }
        }
        let aliases = root.join("OWNERS_ALIASES");
        let aliases = match crate::config::outside_link(root, &aliases) {
            Some(f) => {
                findings.push(f);
                None
            }
            None => {
                crate::config::read_text_inside(root, &aliases, crate::config::MAX_CONFIG_BYTES)
                    .ok()
            }
        };
        if let Some(text) = aliases {
            let parsed: Result<BTreeMap<String, BTreeMap<String, Vec<String>>>, _> =
                serde_yaml_ng::from_str(&text);
            match parsed {
                Ok(mut m) => sources.aliases = m.remove("aliases").unwrap_or_default(),
                Err(e) => {
                    let fe = crate::content::front_matter::yaml_error(&text, &e);
                    findings.push(
                        Diagnostic::new(Code::InvalidMetadata, "OWNERS_ALIASES", fe.pos, fe.message)
                            .with_hint("OWNERS_ALIASES holds `aliases:`, a map of alias names to lists of logins")
                            .with_source(&text),
                    );
                }
            }
        }
        sources.build_map(registry);
        (sources, findings)
    }

    /// Whether any source beyond front matter exists.
    pub fn is_empty(&self) -> bool {
        self.codeowners.is_none() && self.owners_files.is_empty() && self.default.is_none()
    }

    fn build_map(&mut self, registry: &Owners) {
        let mut handles: Vec<String> = Vec::new();
        if let Some(c) = &self.codeowners {
            handles.extend(
                c.rules
                    .iter()
                    .flat_map(|r| r.owners.iter().map(|h| h.text.clone())),
            );
        }
        for o in self.owners_files.values() {
            handles.extend(o.approvers.iter().map(|h| h.text.clone()));
        }
        for members in self.aliases.values() {
            handles.extend(members.iter().cloned());
        }
        handles.extend(self.aliases.keys().cloned());
        for h in handles {
            let key = h.to_lowercase();
            self.map
                .entry(key)
                .or_insert_with(|| map_handle(registry, &h));
        }
    }

    fn mapped(&self, handle: &str) -> Option<&str> {
        self.map
            .get(&handle.to_lowercase())
            .and_then(|o| o.as_deref())
    }

    /// The owners of the file at `site_rel` from the first source that names any: nearest
    /// OWNERS (with its parents), then CODEOWNERS, then the default.
    pub fn lookup(&self, site_rel: &str) -> Option<Found> {
        self.by_owners_files(site_rel)
            .or_else(|| self.by_codeowners(site_rel))
            .or_else(|| {
                self.default.as_ref().map(|(id, source)| Found {
                    ids: vec![id.clone()],
                    source: source.clone(),
                    unmapped: vec![],
                })
            })
    }

    fn by_owners_files(&self, site_rel: &str) -> Option<Found> {
        let mut dir = parent(site_rel);
        let mut found: Option<Found> = None;
        loop {
            if let Some(o) = self.owners_files.get(dir)
                && !o.approvers.is_empty()
            {
                let f = found.get_or_insert_with(|| Found {
                    ids: vec![],
                    source: OwnersSource::OwnersFile {
                        file: o.file.clone(),
                        line: o.line,
                    },
                    unmapped: vec![],
                });
                for h in &o.approvers {
                    self.resolve_login(&o.file, h, f);
                }
                if o.no_parent {
                    break;
                }
            }
            if dir.is_empty() {
                break;
            }
            dir = parent(dir);
        }
        found
    }

    /// An OWNERS login: a registered id or mapped handle, else an alias (as a whole when it
    /// maps, else its members), else unmapped.
    fn resolve_login(&self, file: &str, h: &Handle, f: &mut Found) {
        if let Some(id) = self.mapped(&h.text) {
            push_unique(&mut f.ids, id);
            return;
        }
        if let Some(members) = self.aliases.get(&h.text) {
            for m in members {
                match self.mapped(m) {
                    Some(id) => push_unique(&mut f.ids, id),
                    None => f.unmapped.push(unmapped(file, h, m)),
                }
            }
            return;
        }
        f.unmapped.push(unmapped(file, h, &h.text));
    }

    fn by_codeowners(&self, site_rel: &str) -> Option<Found> {
        let c = self.codeowners.as_ref()?;
        let (handles, line) = c.lookup(site_rel)?;
        let mut f = Found {
            ids: vec![],
            source: OwnersSource::Codeowners {
                file: c.file.clone(),
                line,
            },
            unmapped: vec![],
        };
        for h in handles {
            match self.mapped(&h.text) {
                Some(id) => push_unique(&mut f.ids, id),
                None => f.unmapped.push(unmapped(&c.file, h, &h.text)),
            }
        }
        Some(f)
    }

    /// The source text of a file findings point into (for source excerpts).
    pub fn text_of(&self, file: &str) -> Option<&str> {
        self.codeowners
            .as_ref()
            .filter(|c| c.file == file)
            .map(|c| c.text.as_str())
    }
}

fn unmapped(file: &str, h: &Handle, who: &str) -> Unmapped {
    Unmapped {
        file: file.to_string(),
        line: h.pos.line,
        column: h.pos.column,
        len: h.pos.len,
        handle: who.to_string(),
    }
}

fn push_unique(ids: &mut Vec<String>, id: &str) {
    if !ids.iter().any(|i| i == id) {
        ids.push(id.to_string());
    }
}

fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// CODEOWNERS of the site, or else of the git repository the site is in: (path shown,
/// prefix from the file's base to the site, text).
fn find_codeowners(root: &Path) -> Option<(String, String, String)> {
    let read = |base: &Path| {
        // Not through a link leading out of the directory it is found in.
        CODEOWNERS_PLACES.iter().find_map(|p| {
            crate::config::read_text_inside(base, &base.join(p), crate::config::MAX_CONFIG_BYTES)
                .ok()
                .map(|t| (*p, t))
        })
    };
    if let Some((p, text)) = read(root) {
        return Some((p.to_string(), String::new(), text));
    }
    // A handbook in a subdirectory of a repository is owned by the repository's CODEOWNERS,
    // whose patterns are relative to the repository root.
    let abs = std::path::absolute(root).ok()?;
    let repo = abs.ancestors().skip(1).find(|a| a.join(".git").exists())?;
    let (p, text) = read(repo)?;
    let inside = abs.strip_prefix(repo).ok()?;
    let prefix: String = inside
        .components()
        .map(|c| format!("{}/", c.as_os_str().to_string_lossy()))
        .collect();
    let up = "../".repeat(inside.components().count());
    Some((format!("{up}{p}"), prefix, text))
}

/// An owners.yaml id for a handle: a person or team whose `github`, `gitlab` or `email` key
/// (or a person's email) names it, else an id equal to the handle or to its last segment
/// (`@acme/team-db` → `team-db`).
pub fn map_handle(registry: &Owners, handle: &str) -> Option<String> {
    let bare = handle.trim_start_matches('@').to_lowercase();
    let norm = |s: &str| s.trim().trim_start_matches('@').to_lowercase();
    let keyed = |extra: &BTreeMap<String, serde_json::Value>| {
        ["github", "gitlab", "email"]
            .iter()
            .any(|k| match extra.get(*k) {
                Some(serde_json::Value::String(s)) => norm(s) == bare,
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .any(|v| v.as_str().is_some_and(|s| norm(s) == bare)),
                _ => false,
            })
    };
    for (id, p) in &registry.people {
        if keyed(&p.extra) || p.email.as_deref().is_some_and(|e| norm(e) == bare) {
            return Some(id.clone());
        }
    }
    for (id, t) in &registry.teams {
        if keyed(&t.extra) {
            return Some(id.clone());
        }
    }
    if bare.contains('@') {
        return None;
    }
    let last = bare.rsplit('/').next().unwrap_or(&bare);
    registry
        .people
        .keys()
        .chain(registry.teams.keys())
        .find(|id| id.to_lowercase() == bare || id.to_lowercase() == last)
        .cloned()
}

/// One `unknown-owner` finding per handle and line that some document's owners came from.
pub fn unmapped_findings(
    unmapped: impl IntoIterator<Item = Unmapped>,
    registry: &Owners,
    text_of: impl Fn(&str) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut counts: BTreeMap<Unmapped, usize> = BTreeMap::new();
    for u in unmapped {
        *counts.entry(u).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(u, n)| {
            let suggestion = registry
                .suggest(u.handle.trim_start_matches('@').rsplit('/').next().unwrap_or(""))
                .map(|s| format!("`{s}`"))
                .unwrap_or_else(|| "the person or team".into());
            let key = if u.handle.contains('@') && !u.handle.starts_with('@') {
                "email"
            } else {
                "github"
            };
            let mut d = Diagnostic::new(
                Code::UnknownOwner,
                &u.file,
                Pos::new(u.line, u.column, u.len),
                format!(
                    "owner `{}` is not in owners.yaml (named for {} by this line)",
                    u.handle,
                    if n == 1 { "1 document".to_string() } else { format!("{n} documents") }
                ),
            )
            .with_hint(format!(
                "map it: give {suggestion} in owners.yaml `{key}: \"{}\"`, or add an entry with that id",
                u.handle
            ));
            if let Some(text) = text_of(&u.file) {
                d = d.with_source(&text);
            }
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODEOWNERS: &str = "# Owners\n*                 @acme/sre\n/content/runbooks/ @acme/team-db  # db runbooks\ncontent/runbooks/legacy/\n*.png             ops@example.com\n\\#notes.md        @carol\n\n[Courses]\n/content/courses/ @acme/training @@developer\n^[Optional Docs][2] @alice\n/content/pages/\n";

    fn lookup(c: &Codeowners, path: &str) -> Option<(Vec<String>, u32)> {
        c.lookup(path)
            .map(|(h, l)| (h.iter().map(|h| h.text.clone()).collect(), l))
    }

    #[test]
    fn codeowners_last_match_wins_and_sections_add_up() {
        let (c, problems) = Codeowners::parse(".github/CODEOWNERS", "", CODEOWNERS);
        assert!(problems.is_empty(), "{problems:?}");
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(lookup(&c, "content/a.md"), Some((s(&["@acme/sre"]), 2)));
        assert_eq!(
            lookup(&c, "content/runbooks/db/x.md"),
            Some((s(&["@acme/team-db"]), 3))
        );
        // An owner-less line un-owns.
        assert_eq!(lookup(&c, "content/runbooks/legacy/x.md"), None);
        assert_eq!(
            lookup(&c, "content/img/a.png"),
            Some((s(&["ops@example.com"]), 5))
        );
        assert_eq!(lookup(&c, "#notes.md"), Some((s(&["@carol"]), 6)));
        // Default section and a GitLab section both apply; `@@role` names no one.
        assert_eq!(
            lookup(&c, "content/courses/c/index.md"),
            Some((s(&["@acme/sre", "@acme/training"]), 2))
        );
        // A section's default owners apply to its owner-less lines.
        assert_eq!(
            lookup(&c, "content/pages/p.md"),
            Some((s(&["@acme/sre", "@alice"]), 2))
        );
        let (c, problems) = Codeowners::parse("CODEOWNERS", "", "[Broken\n* @x\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 1);
        assert!(lookup(&c, "a.md").is_some());
        let (c, _) = Codeowners::parse("CODEOWNERS", "site/", "/site/docs/ @a\n");
        assert!(lookup(&c, "docs/x.md").is_some());
        let (c, _) = Codeowners::parse("CODEOWNERS", "", "[Rr]unbook.md @a\n");
        assert!(lookup(&c, "x/runbook.md").is_some());
    }

    #[test]
    fn handles_map_through_keys_or_ids() {
        let reg = crate::model::owners::parse(
            "owners.yaml",
            "people:\n  alice: {email: Alice@Example.com}\n  bob: {github: '@bobby'}\nteams:\n  team-db: {members: [alice]}\n  sre: {members: [bob], gitlab: acme/platform-sre}\n",
        )
        .unwrap();
        assert_eq!(
            map_handle(&reg, "@acme/team-db").as_deref(),
            Some("team-db")
        );
        assert_eq!(map_handle(&reg, "@BOBBY").as_deref(), Some("bob"));
        assert_eq!(
            map_handle(&reg, "alice@example.com").as_deref(),
            Some("alice")
        );
        assert_eq!(
            map_handle(&reg, "@acme/platform-sre").as_deref(),
            Some("sre")
        );
        assert_eq!(map_handle(&reg, "alice").as_deref(), Some("alice"));
        assert_eq!(map_handle(&reg, "@acme/nobody"), None);
        assert_eq!(map_handle(&reg, "x@example.com"), None);
    }
}
