//! The owners registry (`owners.yaml`): people and teams, and who has lapsed on a given day.

use crate::content::date::Date;
use crate::content::front_matter::yaml_error;
use crate::content::source::YamlLocator;
use crate::diagnostic::{Code, Diagnostic, Fatal, Pos};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Person {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub left: Option<Date>,
    #[serde(default = "yes")]
    pub active: bool,
    /// Anything else (chat handle, GitHub login) is kept for templates.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Team {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub disbanded: Option<Date>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owners {
    #[serde(default)]
    pub people: BTreeMap<String, Person>,
    #[serde(default)]
    pub teams: BTreeMap<String, Team>,
}

/// An owner id's standing on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    Active,
    /// Left, inactive, disbanded, or a team whose listed members have all lapsed.
    Lapsed,
    Unknown,
}

/// Why an owner id is lapsed, for messages.
pub fn lapse_reason(owners: &Owners, id: &str, today: Date) -> String {
    if let Some(p) = owners.people.get(id) {
        return match p.left {
            Some(d) if d <= today => format!("`{id}` left on {d}"),
            _ => format!("`{id}` is marked inactive"),
        };
    }
    if let Some(t) = owners.teams.get(id) {
        return match t.disbanded {
            Some(d) if d <= today => format!("team `{id}` was disbanded on {d}"),
            _ => format!("team `{id}` has no active member"),
        };
    }
    format!("`{id}` is not in owners.yaml")
}

/// Why an owner id lapsed, in words for readers of a page (`left on 2026-08-31`, `disbanded
/// on 2026-01-15`, `inactive`, `no active member`, `unknown`); `None` when it has not.
pub fn lapse_for_readers(owners: &Owners, id: &str, today: Date) -> Option<String> {
    match owners.standing(id, today) {
        Standing::Active => None,
        Standing::Unknown => Some("unknown".into()),
        Standing::Lapsed => Some(if let Some(p) = owners.people.get(id) {
            match p.left {
                Some(d) if d <= today => format!("left on {d}"),
                _ => "inactive".into(),
            }
        } else {
            match owners.teams.get(id).and_then(|t| t.disbanded) {
                Some(d) if d <= today => format!("disbanded on {d}"),
                _ => "no active member".into(),
            }
        }),
    }
}

impl Owners {
    pub fn person_active(&self, p: &Person, today: Date) -> bool {
        p.active && p.left.is_none_or(|d| d > today)
    }

    pub fn standing(&self, id: &str, today: Date) -> Standing {
        if let Some(p) = self.people.get(id) {
            return if self.person_active(p, today) {
                Standing::Active
            } else {
                Standing::Lapsed
            };
        }
        if let Some(t) = self.teams.get(id) {
            let disbanded = t.disbanded.is_some_and(|d| d <= today);
            // A team listing no members never had its membership recorded (a roster made
            // from a chat channel): it has not lapsed (FORMAT.md).
            let anyone = t.members.is_empty()
                || t.members.iter().any(|m| {
                    self.people
                        .get(m)
                        .is_some_and(|p| self.person_active(p, today))
                });
            return if !disbanded && anyone {
                Standing::Active
            } else {
                Standing::Lapsed
            };
        }
        Standing::Unknown
    }

    /// Whether `id` is a team whose membership was never recorded (it lists no members).
    pub fn membership_unknown(&self, id: &str) -> bool {
        self.teams.get(id).is_some_and(|t| t.members.is_empty())
    }

    /// Display name of an owner id (the id itself when it has none).
    pub fn display_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.people
            .get(id)
            .and_then(|p| p.name.as_deref())
            .or_else(|| self.teams.get(id).and_then(|t| t.name.as_deref()))
            .unwrap_or(id)
    }

    /// An owner as readers know them: the display name, and a team's channel after it
    /// (`Database Reliability (#db-oncall)`).
    pub fn label(&self, id: &str) -> String {
        let name = self.display_name(id);
        match self.teams.get(id).and_then(|t| t.channel.as_deref()) {
            Some(channel) => format!("{name} ({channel})"),
            None => name.to_string(),
        }
    }

    /// The registered id closest to an unknown one, for "did you mean" hints.
    pub fn suggest(&self, id: &str) -> Option<&str> {
        self.people
            .keys()
            .chain(self.teams.keys())
            .map(|k| (strsim::levenshtein(k, id), k))
            .filter(|(d, k)| *d <= 2.max(k.len() / 4))
            .min()
            .map(|(_, k)| k.as_str())
    }

    /// Why `id` cannot be asked about (it is in neither `people` nor `teams`), with a "did
    /// you mean" when a registered id is close; `None` when it is registered.
    pub fn unknown_id(&self, id: &str) -> Option<String> {
        if self.people.contains_key(id) || self.teams.contains_key(id) {
            return None;
        }
        let hint = match self.suggest(id) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "use a person or team id from owners.yaml".into(),
        };
        Some(format!("`{id}` is not an owner in owners.yaml; {hint}"))
    }

    /// The teams `person` belongs to.
    pub fn teams_of<'a>(&'a self, person: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.teams
            .iter()
            .filter(move |(_, t)| t.members.iter().any(|m| m == person))
            .map(|(id, _)| id.as_str())
    }
}

/// Parse owners.yaml (`rel` is its path relative to the site, for diagnostics). Every problem
/// is fatal: without a trustworthy registry no ownership finding can be trusted either.
pub fn parse(rel: &str, text: &str) -> Result<Owners, Fatal> {
    let text = text.trim_start_matches('\u{feff}');
    let fail = |pos: Pos, msg: String, hint: &str| {
        Diagnostic::new(Code::InvalidOwners, rel, pos, msg)
            .with_hint(hint)
            .with_source(text)
    };
    if text.trim().is_empty() {
        return Err(vec![fail(
            Pos::START,
            "owners.yaml is empty".into(),
            "list `people:` and `teams:` as in the README",
        )]);
    }
    // Untyped first, so that duplicate ids and alias bombs are reported anywhere in the file.
    serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text).map_err(|e| {
        let fe = yaml_error(text, &e);
        vec![fail(
            fe.pos,
            fe.message,
            fe.hint.as_deref().unwrap_or("fix the YAML syntax"),
        )]
    })?;
    let owners: Owners = serde_yaml_ng::from_str(text).map_err(|e| {
        let fe = yaml_error(text, &e);
        vec![fail(
            fe.pos,
            fe.message,
            fe.hint
                .as_deref()
                .unwrap_or("owners.yaml has two maps, `people` and `teams`; see the README"),
        )]
    })?;
    let mut problems = Vec::new();
    let locator = YamlLocator::new(text);
    for (tid, team) in &owners.teams {
        for m in &team.members {
            if !owners.people.contains_key(m) {
                let pos = locate_member(text, tid, m)
                    .or_else(|| locator.key("teams"))
                    .unwrap_or(Pos::START);
                let hint = if owners.teams.contains_key(m) {
                    "teams cannot contain teams; list the people instead"
                } else {
                    "add the person under `people:` (with `left:` if they have left), or remove them from the team"
                };
                problems.push(fail(
                    pos,
                    format!("team `{tid}` lists member `{m}`, who is not in `people`"),
                    hint,
                ));
            }
        }
    }
    for id in owners.people.keys() {
        if owners.teams.contains_key(id) {
            let pos = locator.key("teams").unwrap_or(Pos::START);
            problems.push(fail(
                pos,
                format!("`{id}` is both a person and a team"),
                "owner ids must be unique across people and teams",
            ));
        }
    }
    if problems.is_empty() {
        Ok(owners)
    } else {
        Err(problems)
    }
}

/// The member's place: the first time it appears as a word after the team's id.
/// The line index of team `team`'s entry in owners.yaml text (an indented key, plain or
/// quoted, as `init` writes them), and the key as written.
fn team_line<'t>(lines: &[&'t str], team: &str) -> Option<(usize, &'t str)> {
    let keys = [format!("\"{team}\""), format!("'{team}'"), team.to_string()];
    lines.iter().enumerate().find_map(|(i, l)| {
        let t = l.trim_start();
        let key = keys.iter().find(|k| {
            t.strip_prefix(k.as_str())
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })?;
        (t.len() < l.len()).then(|| (i, &t[..key.len()]))
    })
}

/// Where team `team`'s entry is in owners.yaml text.
pub fn locate_team(text: &str, team: &str) -> Option<Pos> {
    let lines: Vec<&str> = text.split('\n').collect();
    let (i, key) = team_line(&lines, team)?;
    let indent = lines[i].len() - lines[i].trim_start().len();
    Some(Pos::new(
        i as u32 + 1,
        indent as u32 + 1,
        key.chars().count() as u32,
    ))
}

fn locate_member(text: &str, team: &str, member: &str) -> Option<Pos> {
    let lines: Vec<&str> = text.split('\n').collect();
    let (start, _) = team_line(&lines, team)?;
    for (i, line) in lines.iter().enumerate().skip(start) {
        let hay = if i == start {
            &line[line.find(':')? + 1..]
        } else {
            line
        };
        let offset = line.len() - hay.len();
        for (j, _) in hay.match_indices(member) {
            let before = hay[..j].chars().next_back();
            let after = hay[j + member.len()..].chars().next();
            let boundary =
                |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_'));
            if boundary(before) && boundary(after) {
                let col = line[..offset + j].chars().count() as u32 + 1;
                return Some(Pos::new(i as u32 + 1, col, member.chars().count() as u32));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "people:\n  alice: { name: Alice Ng, email: alice@example.com }\n  carol: { name: Carol Silva, left: 2026-06-30 }\n  dan: { name: Dan, active: false, slack: '@dan' }\nteams:\n  team-db:\n    name: Database Reliability\n    members: [alice, carol]\n    channel: \"#db-oncall\"\n  team-legacy: { name: Legacy Ops, members: [alice], disbanded: 2026-01-15 }\n  team-ghost: { members: [carol, dan] }\n";

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn standings_follow_format_md() {
        let o = parse("owners.yaml", SAMPLE).unwrap();
        let t = day("2026-11-27");
        assert_eq!(o.standing("alice", t), Standing::Active);
        assert_eq!(o.standing("carol", t), Standing::Lapsed);
        assert_eq!(o.standing("carol", day("2026-06-29")), Standing::Active);
        assert_eq!(o.standing("dan", t), Standing::Lapsed);
        assert_eq!(o.standing("team-db", t), Standing::Active);
        assert_eq!(o.standing("team-legacy", t), Standing::Lapsed);
        assert_eq!(o.standing("team-ghost", t), Standing::Lapsed);
        assert_eq!(o.standing("nobody", t), Standing::Unknown);
        assert_eq!(o.display_name("team-db"), "Database Reliability");
        assert_eq!(o.people["dan"].extra["slack"], "@dan");
        assert!(lapse_reason(&o, "carol", t).contains("left on 2026-06-30"));
        assert_eq!(
            o.teams_of("alice").collect::<Vec<_>>(),
            ["team-db", "team-legacy"]
        );
    }

    #[test]
    fn member_not_in_people_is_located() {
        let e = parse(
            "owners.yaml",
            "people:\n  alice: {}\nteams:\n  t:\n    members: [alice, zed]\n",
        )
        .unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].code, e[0].line, e[0].column),
            (Code::InvalidOwners, 5, 22)
        );
    }

    #[test]
    fn malformed_files_are_refused() {
        assert!(parse("owners.yaml", "").is_err());
        let e = parse("owners.yaml", "people:\n  alice: {left: 2026-13-01}\n").unwrap_err();
        assert_eq!(e[0].line, 2);
        let e = parse("owners.yaml", "people:\n  a: {}\n  a: {}\n").unwrap_err();
        assert!(e[0].message.contains("duplicate"), "{}", e[0].message);
        let e = parse("owners.yaml", "peeple: {}\n").unwrap_err();
        assert!(e[0].message.contains("unknown field"), "{}", e[0].message);
    }
}
