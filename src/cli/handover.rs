//! `fieldbook handover OLD --to NEW [--dry-run]`: move what OLD owns to NEW — the `owners`
//! (or `owner`) of every document that names OLD, and the owner of every open action item —
//! by text surgery, as `review` stamps dates: key order, comments, quoting, blank lines and
//! line endings stay byte for byte, only the id changes. Every rewritten file is parsed again
//! and must read as the old metadata with the id replaced; a file that does not (or whose
//! front matter does not parse while it names OLD) is refused, and a refusal leaves every
//! file as it was.

use crate::content::edit::scan;
use crate::content::front_matter::{self, ActionStatus, Format, FrontMatter, OneOrMany};
use crate::diagnostic::format::fail;
use crate::diagnostic::{Code, Diagnostic, Pos};
use std::io::Write;
use std::path::Path;

/// Whether `c` can be part of an owner id (ids are YAML/TOML scalars: letters, digits, `-`,
/// `_`, `.`, `@`).
fn id_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '/')
}

/// Where a `#` comment starts on a line (outside quotes), or its length.
fn comment_start(line: &str) -> usize {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return i,
            None => {}
        }
        prev = c;
    }
    line.len()
}

/// `line` with each whole-token `old` in `line[from..]` (before any comment) replaced.
fn replace_tokens(line: &str, from: usize, old: &str, new: &str) -> String {
    let end = comment_start(line).max(from);
    let (head, rest) = line.split_at(end);
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    while let Some(i) = head[from.max(at)..].find(old).map(|i| i + from.max(at)) {
        let before = head[..i].chars().next_back();
        let after = head[i + old.len()..].chars().next();
        if before.is_some_and(id_char) || after.is_some_and(id_char) {
            out.push_str(&head[at..i + old.len()]);
        } else {
            out.push_str(&head[at..i]);
            out.push_str(new);
        }
        at = i + old.len();
    }
    out.push_str(&head[at..]);
    out.push_str(rest);
    out
}

/// Rewrite the front matter text `front`: OLD → NEW in the owners and in the `owner` of the
/// open action items whose indices are `open`. Lines are read by `review`'s scanner, so a
/// line inside a multi-line value is never taken for a key.
fn rewrite_front(format: Format, front: &str, old: &str, new: &str, open: &[usize]) -> String {
    let mut out = String::with_capacity(front.len() + 16);
    // The top-level key the line belongs to (`action_items` in a TOML `[[action_items]]`).
    let mut key: Option<&str> = None;
    let mut in_table = false;
    // Action items seen so far (`- ` entries in YAML, `[[action_items]]` tables in TOML).
    let mut item: Option<usize> = None;
    let next_item = |item: &mut Option<usize>| *item = Some(item.map_or(0, |i| i + 1));
    let owner_of_open = |item: Option<usize>| item.is_some_and(|i| open.contains(&i));
    for line in scan(front, format) {
        let text = line.text;
        let replaced = if line.header {
            in_table = text.trim().trim_matches(['[', ']', ' ']) == "action_items"
                && text.trim_start().starts_with("[[");
            key = in_table.then_some("action_items");
            if in_table {
                next_item(&mut item);
            }
            None
        } else if let Some((k, value_at)) = line.entry {
            if in_table {
                (k == "owner" && owner_of_open(item))
                    .then(|| replace_tokens(text, value_at, old, new))
            } else {
                key = Some(k);
                matches!(k, "owners" | "owner").then(|| replace_tokens(text, value_at, old, new))
            }
        } else if line.trivia || in_table {
            None
        } else {
            match key {
                Some("owners" | "owner") => Some(replace_tokens(text, 0, old, new)),
                Some("action_items") => {
                    let t = text.trim_start();
                    if t.starts_with("- ") {
                        next_item(&mut item);
                    }
                    let field = t.trim_start_matches("- ").trim_start();
                    let is_owner = field
                        .strip_prefix("owner")
                        .is_some_and(|r| r.trim_start().starts_with(':'));
                    (is_owner && owner_of_open(item)).then(|| {
                        replace_tokens(text, text.len() - field.len() + "owner".len(), old, new)
                    })
                }
                _ => None,
            }
        };
        out.push_str(replaced.as_deref().unwrap_or(text));
        out.push_str(line.eol);
    }
    out
}

/// What a handover does to one file.
#[derive(Debug, PartialEq, Eq)]
pub struct Handed {
    pub text: String,
    /// Whether the document's own owners named OLD.
    pub owners: bool,
    /// How many open action items moved.
    pub actions: usize,
}

fn replace_in(o: &OneOrMany, old: &str, new: &str) -> OneOrMany {
    let swap = |s: &String| if s == old { new.to_string() } else { s.clone() };
    match o {
        OneOrMany::One(s) => OneOrMany::One(swap(s)),
        OneOrMany::Many(v) => OneOrMany::Many(v.iter().map(swap).collect()),
    }
}

fn names(o: &Option<OneOrMany>, id: &str) -> bool {
    match o {
        Some(OneOrMany::One(s)) => s == id,
        Some(OneOrMany::Many(v)) => v.iter().any(|s| s == id),
        None => false,
    }
}

/// Hand `text`'s ownership from OLD to NEW. `Ok(None)`: the file names OLD nowhere that
/// moves. `Err`: why it was refused.
pub fn hand_over(text: &str, old: &str, new: &str) -> Result<Option<Handed>, String> {
    let (bom, rest) = text
        .strip_prefix('\u{feff}')
        .map_or(("", text), |r| ("\u{feff}", r));
    let split = front_matter::split(rest).map_err(|e| e.message)?;
    let Some(format) = split.format else {
        return Ok(None);
    };
    let meta = crate::adopt::parse_front_matter(&split)
        .map_err(|e| format!("{}:{}: {}", e.pos.line, e.pos.column, e.message))?
        .meta;
    let owners = names(&meta.owners, old) || names(&meta.owner, old);
    let open: Vec<usize> = meta
        .action_items
        .iter()
        .enumerate()
        .filter(|(_, a)| a.owner == old && a.status == ActionStatus::Open)
        .map(|(i, _)| i)
        .collect();
    if !owners && open.is_empty() {
        return Ok(None);
    }
    if owners && (names(&meta.owners, new) || names(&meta.owner, new)) {
        return Err(format!(
            "already owned by `{new}` as well: remove `{old}` from its owners by hand"
        ));
    }
    let mut expected: FrontMatter = meta.clone();
    expected.owners = meta.owners.as_ref().map(|o| replace_in(o, old, new));
    expected.owner = meta.owner.as_ref().map(|o| replace_in(o, old, new));
    for &i in &open {
        expected.action_items[i].owner = new.to_string();
    }
    let front_start = split.front.as_ptr() as usize - rest.as_ptr() as usize;
    let front_end = front_start + split.front.len();
    let new_front = rewrite_front(format, split.front, old, new, &open);
    let new_text = format!(
        "{bom}{}{new_front}{}",
        &rest[..front_start],
        &rest[front_end..]
    );
    let check = front_matter::split(&new_text[bom.len()..]).map_err(|e| e.message)?;
    let reread = crate::adopt::parse_front_matter(&check).map_err(|e| e.message)?;
    if reread.meta != expected || check.body != split.body {
        return Err(format!(
            "cannot move `{old}` to `{new}` without changing more than the ids (the owners are written in a way handover does not edit); change them by hand"
        ));
    }
    Ok(Some(Handed {
        text: new_text,
        owners,
        actions: open.len(),
    }))
}

/// The command: every Markdown file of the site at `root`.
pub fn run(
    root: &Path,
    old: &str,
    new: &str,
    dry_run: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> std::io::Result<u8> {
    let site = match crate::load::load_site(root, None) {
        Ok(s) => s,
        Err(fatal) => return fail(fatal, err, color),
    };
    let unknown =
        |id: &str| !site.owners.people.contains_key(id) && !site.owners.teams.contains_key(id);
    if unknown(new) {
        let d = Diagnostic::new(
            Code::UnknownOwner,
            crate::config::site_rel(&site.config, &site.config.owners_file),
            Pos::START,
            format!("`{new}` is in neither people nor teams of the owners file"),
        )
        .with_hint("add the new owner to owners.yaml first, then hand over");
        return fail(vec![d], err, color);
    }
    let mut planned = Vec::new();
    let mut refusals = Vec::new();
    for doc in &site.documents {
        let path = site.config.content_dir.join(&doc.rel);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        match hand_over(&text, old, new) {
            Ok(Some(h)) => planned.push((path, doc.file.clone(), h)),
            Ok(None) => {}
            Err(why) => refusals.push(
                Diagnostic::new(Code::InvalidMetadata, &doc.file, Pos::START, format!("refusing to hand over {}: {why}", doc.file))
                    .with_hint("fix the front matter (`fieldbook check` shows what is wrong), or change the owners by hand"),
            ),
        }
    }
    if !refusals.is_empty() {
        return fail(refusals, err, color);
    }
    let verb = if dry_run { "would move" } else { "moved" };
    for (path, shown, h) in &planned {
        if !dry_run {
            crate::write::replace_file(path, h.text.as_bytes())
                .map_err(|e| std::io::Error::new(e.kind(), format!("{shown}: {e}")))?;
        }
        let mut what = Vec::new();
        if h.owners {
            what.push("owners".to_string());
        }
        if h.actions > 0 {
            what.push(crate::diagnostic::format::plural(
                h.actions,
                "open action item",
            ));
        }
        writeln!(
            out,
            "{shown}: {verb} {} from {old} to {new}",
            what.join(" and ")
        )?;
    }
    writeln!(
        err,
        "handover: {} {verb} from {old} to {new}",
        crate::diagnostic::format::plural(planned.len(), "document")
    )?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(text: &str) -> String {
        hand_over(text, "ana", "bo").unwrap().unwrap().text
    }

    #[test]
    fn only_the_ids_change() {
        let t = "---\n# who\ntitle: A   # keep\nowners: [ana, 'team-x']  # ana leaves\nreviewed: 2026-01-01\n---\nana wrote this.\n";
        assert_eq!(moved(t), t.replace("[ana,", "[bo,"));
        let t = "---\r\nowners:\r\n  - \"ana\"\r\n  - anabel\r\n---\r\nBody\r\n";
        assert_eq!(moved(t), t.replace("\"ana\"", "\"bo\""));
        let t = "\u{feff}+++\nowner = \"ana\"\ntitle = \"ana\"\n+++\n";
        assert_eq!(moved(t), t.replacen("owner = \"ana\"", "owner = \"bo\"", 1));
    }

    #[test]
    fn open_action_items_move_and_done_ones_stay() {
        let t = "---\ntitle: PM\nowners: [team-x]\ndate: 2026-01-01\naction_items:\n  - title: Fix ana's script\n    owner: ana\n    due: 2026-02-01\n    status: done\n  - title: Add alert\n    owner: ana\n    due: 2026-02-01\n    status: open\n---\n";
        let h = hand_over(t, "ana", "bo").unwrap().unwrap();
        assert_eq!((h.owners, h.actions), (false, 1));
        let expected = t.replacen(
            "    owner: ana\n    due: 2026-02-01\n    status: open",
            "    owner: bo\n    due: 2026-02-01\n    status: open",
            1,
        );
        assert_eq!(h.text, expected);
    }

    #[test]
    fn toml_action_item_tables_move_too() {
        let t = "+++\ntitle = \"PM\"\nowners = [\"team-x\"]\n\n[[action_items]]\ntitle = \"Done\"\nowner = \"ana\"\ndue = 2026-02-01\nstatus = \"done\"\n\n[[action_items]]\ntitle = \"Open\"\nowner = \"ana\"  # her script\ndue = 2026-02-01\nstatus = \"open\"\n+++\n";
        let h = hand_over(t, "ana", "bo").unwrap().unwrap();
        assert_eq!((h.owners, h.actions), (false, 1));
        let open = t.rfind("owner = \"ana\"").unwrap();
        let expected = format!(
            "{}owner = \"bo\"{}",
            &t[..open],
            &t[open + "owner = \"ana\"".len()..]
        );
        assert_eq!(h.text, expected);
    }

    #[test]
    fn a_line_inside_a_multi_line_value_is_not_a_key() {
        let t = "---\ndescription: \"first line\n  owners: ana\"\nowners: [ana]\n---\n";
        assert_eq!(moved(t), t.replace("owners: [ana]", "owners: [bo]"));
    }

    #[test]
    fn untouched_and_refused_files() {
        assert_eq!(
            hand_over("---\nowners: [anabel]\n---\n", "ana", "bo"),
            Ok(None)
        );
        assert_eq!(hand_over("# No front matter, ana\n", "ana", "bo"), Ok(None));
        assert!(hand_over("---\nowners: [ana\n---\n", "ana", "bo").is_err());
        assert!(hand_over("---\nowners: [ana, bo]\n---\n", "ana", "bo").is_err());
        // An anchor makes the text and the value differ: refused rather than half-done.
        assert!(hand_over("---\nx: &o ana\nowners: [*o]\n---\n", "ana", "bo").is_err());
    }
}
