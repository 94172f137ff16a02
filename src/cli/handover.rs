//! `fieldbook handover OLD --to NEW [--dry-run]`: move what OLD owns to NEW — the `owners`
//! (or `owner`) of every document that names OLD, and the owner of every open action item —
//! by text surgery, as `review` stamps dates: key order, comments, quoting, blank lines and
//! line endings stay byte for byte, only the id changes. Every rewritten file is parsed again
//! and must read as the old metadata with the id replaced; a file that does not (or whose
//! front matter does not parse while it names OLD) is refused, and a refusal leaves every
//! file as it was.

use crate::content::front_matter::{self, ActionStatus, FrontMatter, FrontMatterError, OneOrMany};
use crate::diagnostic::format::fail;
use crate::diagnostic::{Code, Diagnostic, Pos};
use std::io::Write;
use std::path::Path;

/// Whether `c` can be part of an owner id (ids are YAML/TOML scalars: letters, digits, `-`,
/// `_`, `.`, `@`).
fn id_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '/')
}

/// The byte offsets of each whole-token `old` in `text`: not inside a longer id (`ana` in
/// `anabel` or `team-ana`).
fn token_positions(text: &str, old: &str) -> Vec<usize> {
    text.match_indices(old)
        .map(|(i, _)| i)
        .filter(|&i| {
            let before = text[..i].chars().next_back();
            let after = text[i + old.len()..].chars().next();
            !before.is_some_and(id_char) && !after.is_some_and(id_char)
        })
        .collect()
}

/// At most this many occurrences of OLD in one front matter are tried (each is parsed).
const MAX_OCCURRENCES: usize = 256;

/// Whether `cand` differs from `orig` only by ids moved as `expected` moves them: owners
/// entries and open action items' owners, each either as it was or as expected.
fn only_moved(cand: &FrontMatter, orig: &FrontMatter, expected: &FrontMatter) -> bool {
    fn entries(o: &Option<OneOrMany>) -> Vec<&String> {
        match o {
            Some(OneOrMany::One(s)) => vec![s],
            Some(OneOrMany::Many(v)) => v.iter().collect(),
            None => vec![],
        }
    }
    let list_ok = |c: &Option<OneOrMany>, o: &Option<OneOrMany>, e: &Option<OneOrMany>| {
        let (c, o, e) = (entries(c), entries(o), entries(e));
        c.len() == o.len()
            && c.len() == e.len()
            && c.iter().zip(&o).zip(&e).all(|((c, o), e)| c == o || c == e)
    };
    let same_shape = |a: &Option<OneOrMany>, b: &Option<OneOrMany>| {
        matches!(
            (a, b),
            (None, None)
                | (Some(OneOrMany::One(_)), Some(OneOrMany::One(_)))
                | (Some(OneOrMany::Many(_)), Some(OneOrMany::Many(_)))
        )
    };
    if cand == orig
        || !same_shape(&cand.owners, &orig.owners)
        || !same_shape(&cand.owner, &orig.owner)
        || !list_ok(&cand.owners, &orig.owners, &expected.owners)
        || !list_ok(&cand.owner, &orig.owner, &expected.owner)
        || cand.action_items.len() != orig.action_items.len()
    {
        return false;
    }
    let items_ok = cand
        .action_items
        .iter()
        .zip(&orig.action_items)
        .zip(&expected.action_items)
        .all(|((c, o), e)| c.owner == o.owner || c.owner == e.owner);
    // Everything else as it was.
    let mut rest = cand.clone();
    rest.owners = orig.owners.clone();
    rest.owner = orig.owner.clone();
    for (r, o) in rest.action_items.iter_mut().zip(&orig.action_items) {
        r.owner = o.owner.clone();
    }
    items_ok && rest == *orig
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
pub fn hand_over(text: &str, old: &str, new: &str) -> Result<Option<Handed>, FrontMatterError> {
    let (bom, rest) = text
        .strip_prefix('\u{feff}')
        .map_or(("", text), |r| ("\u{feff}", r));
    let split = front_matter::split(rest)?;
    if split.format.is_none() || old == new {
        return Ok(None);
    }
    let meta = crate::adopt::parse_front_matter(&split)?.meta;
    let front_start = split.front.as_ptr() as usize - rest.as_ptr() as usize;
    let front_end = front_start + split.front.len();
    // A refusal points at the first whole-token OLD of the front matter (or its start).
    let refuse = |message: String| {
        let at = front_start
            + token_positions(split.front, old)
                .first()
                .copied()
                .unwrap_or(0);
        let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
        FrontMatterError {
            pos: Pos::new(
                rest[..at].matches('\n').count() as u32 + 1,
                rest[line_start..at].chars().count() as u32 + 1,
                old.len() as u32,
            ),
            message,
            hint: None,
        }
    };
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
        return Err(refuse(format!(
            "already owned by `{new}` as well: remove `{old}` from its owners by hand"
        )));
    }
    let mut expected: FrontMatter = meta.clone();
    expected.owners = meta.owners.as_ref().map(|o| replace_in(o, old, new));
    expected.owner = meta.owner.as_ref().map(|o| replace_in(o, old, new));
    for &i in &open {
        expected.action_items[i].owner = new.to_string();
    }
    // Each whole-token occurrence of OLD is tried alone and kept when the parsed result moves
    // an owner (or an open action item's owner) and changes nothing else: ids in titles,
    // comments, other keys or longer ids never change, and every syntax the parser reads
    // (block and flow YAML, TOML arrays and tables, quoted or not) is handled alike.
    let front = split.front;
    let positions = token_positions(front, old);
    if positions.len() > MAX_OCCURRENCES {
        return Err(refuse(format!(
            "`{old}` occurs {} times in the front matter (at most {MAX_OCCURRENCES} are tried); change the owners by hand",
            positions.len()
        )));
    }
    let with_front = |f: &str| format!("{bom}{}{f}{}", &rest[..front_start], &rest[front_end..]);
    let parse = |text: &str| -> Option<FrontMatter> {
        let split = front_matter::split(&text[bom.len()..]).ok()?;
        crate::adopt::parse_front_matter(&split)
            .ok()
            .map(|p| p.meta)
    };
    let splice = |at: &[usize]| {
        let mut f = String::with_capacity(front.len() + at.len() * new.len());
        let mut from = 0;
        for &i in at {
            f.push_str(&front[from..i]);
            f.push_str(new);
            from = i + old.len();
        }
        f.push_str(&front[from..]);
        f
    };
    let kept: Vec<usize> = positions
        .into_iter()
        .filter(|&i| {
            parse(&with_front(&splice(&[i]))).is_some_and(|m| only_moved(&m, &meta, &expected))
        })
        .collect();
    let new_text = with_front(&splice(&kept));
    let unchanged_otherwise = front_matter::split(&new_text[bom.len()..])
        .ok()
        .and_then(|check| {
            let reread = crate::adopt::parse_front_matter(&check).ok()?;
            Some(reread.meta == expected && check.body == split.body)
        })
        .unwrap_or(false);
    if !unchanged_otherwise {
        return Err(refuse(format!(
            "cannot move `{old}` to `{new}` without changing more than the ids (the owners are written in a way handover does not edit); change them by hand"
        )));
    }
    Ok(Some(Handed {
        text: new_text,
        owners,
        actions: open.len(),
    }))
}

/// Why `id` cannot be an owner id, if it cannot: empty, blank, or holding characters no id
/// holds (spaces, quotes, `:`, `#`, control characters...).
fn bad_id(id: &str) -> Option<&'static str> {
    if id.trim().is_empty() {
        Some("is empty")
    } else if !id.chars().all(id_char) {
        Some(
            "holds characters no owner id holds (ids are letters, digits, `-`, `_`, `.`, `@`, `/`)",
        )
    } else {
        None
    }
}

/// Where a document's owner `old` is written, when not in its own front matter as an id:
/// CODEOWNERS, an OWNERS file, `[owners] default`, its course, or a Slack channel
/// (`owner_slack`) that the owners file maps to `old`.
fn owned_elsewhere(
    doc: &crate::model::Document,
    old: &str,
    site: &crate::model::Site,
) -> Option<String> {
    use crate::model::outside::OwnersSource;
    if !doc.owners.iter().any(|o| o == old) {
        return None;
    }
    match &doc.owners_source {
        s if s.is_external() => Some(s.describe()),
        // A lesson follows its course's owners, which handover moves in the course's file.
        OwnersSource::Course => None,
        _ => doc.meta.adopted.owner_slack.as_ref().map(|ch| {
            format!(
                "the Slack channel `{ch}` (`owner_slack`), which {} maps to `{old}`",
                crate::config::site_rel(&site.config, &site.config.owners_file)
            )
        }),
    }
}

/// How many times a file edited while handover runs is read again before it is refused.
const RETRIES: usize = 3;

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
    let usage: Vec<Diagnostic> = [("OLD", old), ("NEW", new)]
        .into_iter()
        .filter_map(|(which, id)| {
            bad_id(id).map(|why| {
                Diagnostic::new(
                    Code::InvalidOwners,
                    "<command line>",
                    Pos::START,
                    format!("handover: {which} ({id:?}) {why}"),
                )
                .with_hint("usage: fieldbook handover OLD --to NEW [SITE]; OLD and NEW are ids of the owners file")
            })
        })
        .collect();
    if !usage.is_empty() {
        return fail(usage, err, color);
    }
    if old == new {
        writeln!(
            err,
            "handover: OLD and NEW are both `{old}`: nothing moves, no file was changed"
        )?;
        return Ok(0);
    }
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
    let mut elsewhere = Vec::new();
    for doc in &site.documents {
        let path = site.config.content_dir.join(&doc.rel);
        let text = match crate::write::read_regular(&path).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => continue,
            Err(e) => {
                // A link (even one inside the site) or a special file is never written
                // through; it blocks the handover only when it names OLD.
                let link =
                    std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
                let names_old = doc.owners.iter().any(|o| o == old)
                    || (link
                        && std::fs::metadata(&path).is_ok_and(|m| m.is_file())
                        && std::fs::read_to_string(&path)
                            .map_or(true, |t| !matches!(hand_over(&t, old, new), Ok(None))));
                if names_old {
                    refusals.push(crate::cli::review::unreadable(&path, &doc.file, &e));
                }
                continue;
            }
        };
        match hand_over(&text, old, new) {
            Ok(Some(h)) => {
                if !h.owners
                    && let Some(src) = owned_elsewhere(doc, old, &site)
                {
                    elsewhere.push((doc.file.clone(), src));
                }
                planned.push((path, doc.file.clone(), h, text))
            }
            Ok(None) => {
                if let Some(src) = owned_elsewhere(doc, old, &site) {
                    elsewhere.push((doc.file.clone(), src));
                }
            }
            // A file whose front matter does not parse blocks the handover only if it may
            // name OLD.
            Err(_) if token_positions(&text, old).is_empty() => {}
            Err(why) => {
                let mut d = Diagnostic::new(
                    Code::InvalidMetadata,
                    &doc.file,
                    why.pos,
                    format!("refusing to hand over {}: {}", doc.file, why.message),
                )
                .with_source(&text);
                d.hint = why.hint.or(Some(
                    "fix the front matter (`fieldbook check` shows what is wrong), or change the owners by hand".into(),
                ));
                refusals.push(d);
            }
        }
    }
    if !refusals.is_empty() {
        return fail(refusals, err, color);
    }
    let verb = if dry_run { "would move" } else { "moved" };
    let mut moved = 0;
    for (path, shown, h, read) in planned {
        let mut h = h;
        if !dry_run {
            // Written only over the text it was computed from: a file edited meanwhile is
            // read again and handed over again, never overwritten with what was read before.
            let mut read = read;
            let mut tries = 0;
            let mut gone = false;
            loop {
                match crate::write::replace_if_unchanged(&path, read.as_bytes(), h.text.as_bytes())
                {
                    Ok(()) => break,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && tries < RETRIES => {
                        tries += 1;
                        read = crate::write::read_regular(&path)
                            .ok()
                            .and_then(|b| String::from_utf8(b).ok())
                            .ok_or_else(|| {
                                std::io::Error::other(format!(
                                    "{shown}: changed while handover ran and can no longer be read"
                                ))
                            })?;
                        match hand_over(&read, old, new) {
                            Ok(Some(again)) => h = again,
                            Ok(None) => {
                                gone = true;
                                break;
                            }
                            Err(why) => {
                                return Err(std::io::Error::other(format!(
                                    "{shown}: changed while handover ran: {}",
                                    why.message
                                )));
                            }
                        }
                    }
                    Err(e) => return Err(std::io::Error::new(e.kind(), format!("{shown}: {e}"))),
                }
            }
            if gone {
                continue;
            }
        }
        moved += 1;
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
    for (shown, src) in &elsewhere {
        writeln!(out, "{shown}: owned by {old} through {src}: edit that file")?;
    }
    let also = if elsewhere.is_empty() {
        String::new()
    } else {
        format!(
            "; {} owned through other files (listed above: edit those)",
            crate::diagnostic::format::plural(elsewhere.len(), "document")
        )
    };
    writeln!(
        err,
        "handover: {} {verb} from {old} to {new}{also}",
        crate::diagnostic::format::plural(moved, "document")
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

    #[test]
    fn flow_items_toml_owners_and_ids_elsewhere() {
        let t = "---\ntitle: ana's page # ana\nowners: [team-x] # was ana\n---\n";
        assert!(hand_over(t, "ana", "bo").unwrap().is_none());
        let t = "---\ntitle: ana\nowners: [team-x]\naction_items: [ { title: ana, owner: ana, due: 2026-02-01, status: open } ]\n---\n";
        assert_eq!(moved(t), t.replace("owner: ana", "owner: bo"));
        let t = "---\ntitle: PM\naction_items:\n  - { title: \"ana\", owner: ana, due: 2026-02-01, status: open }\n  - { title: X, owner: ana, due: 2026-02-01, status: done }\n---\n";
        assert_eq!(moved(t), t.replacen("owner: ana", "owner: bo", 1));
        let t = "+++\ntitle = \"ana\"\nowners = [ \"anabel\", 'ana' ] # ana\naction_items = [{ title = \"ana\", owner = \"ana\", due = 2026-02-01, status = \"open\" }]\n+++\nana\n";
        let h = hand_over(t, "ana", "bo").unwrap().unwrap();
        assert_eq!((h.owners, h.actions), (true, 1));
        assert_eq!(
            h.text,
            t.replace("'ana'", "'bo'")
                .replace("owner = \"ana\"", "owner = \"bo\"")
        );
        // Prefixes and longer ids never change.
        let t = "---\nowners: [ana-b, ana.c, ana]\n---\n";
        assert_eq!(moved(t), t.replace(", ana]", ", bo]"));
        assert_eq!(
            hand_over("---\nowners: [ana]\n---\n", "ana", "ana"),
            Ok(None)
        );
        assert!(bad_id("").is_some() && bad_id("  ").is_some() && bad_id("a b").is_some());
        assert!(bad_id("team-x").is_none());
    }
}
