//! `fieldbook search QUERY [--kind K] [--service S] [--owner ID] [--stale] [--json] [--limit N]`,
//! and with `--site DIR` the same search of a built or composed site's client index.

use super::query::{Hit, Query};
use crate::content::date::Date;
use crate::content::front_matter::Kind;
use crate::model::ReviewState;
use anstyle::{AnsiColor, Style};
use serde_json::json;
use std::io::{self, Write};
use std::path::Path;

/// Load the site, bring its index up to date (cheap when nothing changed: documents whose
/// content hash is unchanged are not re-indexed), search, and print the results: numbered
/// entries with title, review and ownership badges, path, kind, owners and a snippet whose
/// matches are bold on a terminal (`color`) and `**…**` otherwise; with `json`,
/// `{"results": [{"path", "title", "kind", "score", "url", "owners", "owner_names", "state",
/// "lapsed", "unowned", "snippet", "missing"}], "closest": {"alerts", "services"}}` best first
/// (`closest`: when nothing matched, the nearest alert and service names) (`path` relative to the content directory, `owners` ids,
/// `snippet` with `**…**` around matches).
///
/// Exit status: 0 when the search ran, whether or not anything matched (nothing matching
/// prints `no results for …`, or an empty `results` list); 2 for a usage, configuration or
/// I/O error (a site that cannot be loaded, an index that cannot be written or read, an empty
/// query without filters, an `--owner` that is not in owners.yaml). Errors go to `err`.
pub fn run(
    site: &Path,
    today: Option<Date>,
    q: Query,
    json: bool,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let filtered = q.kind.is_some() || q.service.is_some() || q.owner.is_some() || q.stale;
    if nothing_to_search(&q, filtered, "--kind, --service, --owner, --stale", err)? {
        return Ok(2);
    }
    let loaded = match crate::load::load_site(site, today) {
        Ok(s) => s,
        Err(fatal) => return crate::diagnostic::format::fail(fatal, err, color),
    };
    if let Some(why) = q
        .owner
        .as_deref()
        .and_then(|id| loaded.owners.unknown_id(id))
    {
        writeln!(err, "error: {why}")?;
        return Ok(2);
    }
    let root = loaded.config.root.clone();
    let docs = super::documents(&loaded, false);
    drop(loaded);
    let alerts = super::client::distinct(&docs, &|d| d.alerts.clone());
    let services = super::client::distinct(&docs, &|d| d.services.clone());
    if let Err(e) = super::update_index(&root, &docs) {
        // Another process may hold the index (a build running): search what is there.
        if super::index::open(&root).is_err() {
            writeln!(err, "error: cannot update the search index: {e:#}")?;
            return Ok(2);
        }
        writeln!(
            err,
            "warning: cannot update the search index, results may be out of date: {e:#}"
        )?;
    }
    let hits = match super::search(&root, &q) {
        Ok(h) => h,
        Err(e) => {
            writeln!(err, "error: search failed: {e:#}")?;
            return Ok(2);
        }
    };
    if let Some(note) = super::query::truncation(&q.text) {
        writeln!(err, "note: {note}")?;
    }
    // Nothing matched: the closest alert and service names instead of a dead end.
    let words = super::query::written_words(&q.text);
    let closest = if hits.is_empty() {
        Closest {
            alerts: super::pasted::closest(&words, &alerts),
            services: super::pasted::closest(&words, &services),
        }
    } else {
        Closest::default()
    };
    if json {
        let mut v = results_json(&hits);
        v["closest"] = json!({ "alerts": closest.alerts, "services": closest.services });
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
    } else {
        print_human(&q.text, &hits, color, false, out)?;
        for (what, names) in [("alerts", &closest.alerts), ("services", &closest.services)] {
            if !names.is_empty() {
                let list: Vec<String> = names.iter().map(|n| clean(n)).collect();
                writeln!(out, "closest {what}: {}", list.join(", "))?;
            }
        }
    }
    Ok(0)
}

/// `fieldbook search --site DIR QUERY`: search the client index a build or `compose` wrote into
/// `dir` (`search/`), scored by [`super::client::Reference`] as the browser scores it, and
/// print the results as [`run`] does, each with its URL (in a composed handbook, under its
/// part's prefix). A part's copy inside a handbook points at the handbook's index, which is
/// searched instead. `--owner` needs the sources (the client index has owner names, not
/// ids). Exit status: 0 when the search ran; 2 for a usage error or an index that cannot be
/// read.
pub fn run_site(
    dir: &Path,
    q: Query,
    json: bool,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let filtered = q.kind.is_some() || q.service.is_some() || q.stale;
    if q.owner.is_some() {
        writeln!(
            err,
            "error: --owner needs the site's sources (the browser's index has owner names, not ids); search the site directory without --site"
        )?;
        return Ok(2);
    }
    if nothing_to_search(&q, filtered, "--kind, --service, --stale", err)? {
        return Ok(2);
    }
    let root = handbook_of(dir);
    let reference = match super::client::Reference::open(&root) {
        Ok(r) => r,
        Err(e) => {
            writeln!(
                err,
                "error: cannot read the search index in {}: {e}\n  = help: give the output folder of `fieldbook build` or `fieldbook compose` (it holds search/index.json)",
                root.join("search").display()
            )?;
            return Ok(2);
        }
    };
    let ranked = match reference.ranked_ids(&q) {
        Ok(r) => r,
        Err(e) => {
            writeln!(err, "error: search failed: {e:#}")?;
            return Ok(2);
        }
    };
    let mut hits = Vec::new();
    for (d, score, missing) in ranked {
        let Some(m) = reference.doc(d) else { continue };
        let (snippet, highlights) = reference.snippet_of(d, &q)?;
        hits.push(Hit {
            rel: m.p.clone(),
            url: m.u.clone(),
            title: m.t.clone(),
            kind: Kind::parse(&m.k).unwrap_or(Kind::Page),
            score,
            owners: Vec::new(),
            owner_names: m.o.clone(),
            state: serde_json::from_value(json!(m.s)).unwrap_or(ReviewState::Untracked),
            lapsed: m.l,
            unowned: m.n,
            snippet,
            highlights,
            missing,
        });
    }
    if let Some(note) = super::query::truncation(&q.text) {
        writeln!(err, "note: {note}")?;
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &results_json(&hits))?;
        writeln!(out)?;
    } else {
        print_human(&q.text, &hits, color, true, out)?;
    }
    Ok(0)
}

/// Whether `q` has no words and no filter (then said on `err`, naming the `filters` there are).
fn nothing_to_search(
    q: &Query,
    filtered: bool,
    filters: &str,
    err: &mut dyn Write,
) -> io::Result<bool> {
    let nothing = super::query::parse(&q.text).is_empty() && !filtered;
    if nothing {
        writeln!(
            err,
            "error: nothing to search for; give words (an alert name, an error message) or a filter ({filters})"
        )?;
    }
    Ok(nothing)
}

/// Where the index of the site in `dir` is: `dir`, or for a part's copy inside a composed
/// handbook the handbook's root its `search/index.json` points at (`"handbook": "../"`).
fn handbook_of(dir: &Path) -> std::path::PathBuf {
    let index = dir.join("search").join("index.json");
    // An index.json is small; one that is not is not a pointer either.
    let up = crate::config::read_regular(&index, 64 * 1024 * 1024)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get("handbook")?.as_str().map(str::to_string));
    match up {
        Some(up) if !up.is_empty() && up.split_terminator('/').all(|s| s == "..") => dir.join(up),
        _ => dir.to_path_buf(),
    }
}

/// `snippet` with `open`/`close` around each highlighted range (control characters in the
/// text become spaces).
pub fn marked(h: &Hit, open: &str, close: &str) -> String {
    let mut s = String::with_capacity(h.snippet.len() + 16);
    let mut at = 0;
    for &(a, b) in &h.highlights {
        if a < at || b > h.snippet.len() || !h.snippet.is_char_boundary(a) {
            continue;
        }
        s.push_str(&clean(&h.snippet[at..a]));
        s.push_str(open);
        s.push_str(&clean(&h.snippet[a..b]));
        s.push_str(close);
        at = b;
    }
    s.push_str(&clean(&h.snippet[at..]));
    s
}

/// Names offered when nothing matched.
#[derive(Default)]
struct Closest<'a> {
    alerts: Vec<&'a str>,
    services: Vec<&'a str>,
}

/// `{"results": [...]}`, what `--json` prints (and `fieldbook serve`'s `/api/search` answers).
pub fn results_json(hits: &[Hit]) -> serde_json::Value {
    let results: Vec<_> = hits
        .iter()
        .map(|h| {
            json!({
                "path": h.rel,
                "title": h.title,
                "kind": h.kind,
                "score": h.score,
                "url": h.url,
                "owners": h.owners,
                "owner_names": h.owner_names,
                "state": h.state,
                "lapsed": h.lapsed,
                "unowned": h.unowned,
                "snippet": marked(h, "**", "**"),
                "missing": h.missing,
            })
        })
        .collect();
    json!({ "results": results })
}

/// Text from documents, made safe for a terminal: control and invisible characters (those
/// the finding formats escape, bidi overrides included) become spaces.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if crate::diagnostic::format::is_hidden(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

fn paint(s: &str, style: Style, color: bool) -> String {
    if color {
        format!("{style}{s}{style:#}")
    } else {
        s.to_string()
    }
}

/// The results for a person; with `urls`, each result's URL beside its path (a composed
/// handbook's parts may hold one path each).
fn print_human(
    text: &str,
    hits: &[Hit],
    color: bool,
    urls: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    use crate::model::ReviewState as R;
    if hits.is_empty() {
        let read = super::query::cut_text(text).trim();
        let shown = if read.len() < text.trim().len() {
            format!("{read}…")
        } else {
            read.to_string()
        };
        return writeln!(out, "no results for `{}`", clean(&shown));
    }
    let bold = Style::new().bold();
    let red = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
    let yellow = Style::new().bold().fg_color(Some(AnsiColor::Yellow.into()));
    let dim = Style::new().dimmed();
    for (i, h) in hits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let mut badges = String::new();
        let state = match h.state {
            R::Stale => Some(("[STALE]", red)),
            R::NeverReviewed => Some(("[NEVER REVIEWED]", red)),
            R::DueSoon => Some(("[DUE SOON]", yellow)),
            R::Fresh | R::Untracked => None,
        };
        if let Some((b, style)) = state {
            badges.push(' ');
            badges.push_str(&paint(b, style, color));
        }
        if h.lapsed {
            badges.push(' ');
            badges.push_str(&paint("[LAPSED OWNER]", red, color));
        } else if h.unowned {
            badges.push_str(" [no owner named]");
        }
        writeln!(
            out,
            "{}. {}{badges}",
            i + 1,
            paint(&clean(&h.title), bold, color)
        )?;
        let owners = if h.owner_names.is_empty() {
            "no owner".to_string()
        } else {
            clean(&h.owner_names.join(", "))
        };
        let mut meta = format!("{} · {} · {owners}", clean(&h.rel), h.kind.as_str());
        if urls {
            meta.push_str(&format!(" · {}", clean(&h.url)));
        }
        writeln!(out, "   {}", paint(&meta, dim, color))?;
        let snippet = if color {
            marked(h, &format!("{bold}"), &format!("{bold:#}"))
        } else {
            marked(h, "**", "**")
        };
        if !h.snippet.is_empty() {
            writeln!(out, "   {snippet}")?;
        }
        if !h.missing.is_empty() {
            let missing = format!("missing: {}", clean(&h.missing.join(", ")));
            writeln!(out, "   {}", paint(&missing, dim, color))?;
        }
    }
    Ok(())
}
