//! The handbook's health checks: ownership, freshness, postmortem follow-ups, links and code
//! blocks. Each finding names its file, line, a stable code and what to do.

pub mod baseline;
pub mod cache;
pub mod code;
pub mod courses;
pub mod external;
pub mod history;

use crate::content::front_matter::{ActionStatus, Kind};
use crate::content::links::{LinkTarget, resolve_link};
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::model::owners::{Standing, lapse_reason};
use crate::model::{Document, ReviewState, Site};
use rayon::prelude::*;

/// The findings of the site's own checks for the files `keep` accepts (site-relative
/// paths, as findings name them; `|_| true` for all): load-time findings, each listed
/// document's ownership, freshness, action items and links, its code blocks ([`code`]), and
/// the course checks.
/// Severities are settled by [`crate::pipeline::findings`], which adds the checks of later
/// stages: call that, not this, to report findings.
pub fn run(site: &Site, keep: &(dyn Fn(&str) -> bool + Sync)) -> Vec<Diagnostic> {
    let mut findings: Vec<Diagnostic> = site
        .load_findings
        .iter()
        .filter(|d| keep(&d.file))
        .cloned()
        .collect();
    // Code blocks are checked together (one shellcheck run per check, mostly waiting on that
    // process) beside the other checks of each document.
    let (per_doc, code): (Vec<Vec<Diagnostic>>, _) = rayon::join(
        || {
            site.documents
                .par_iter()
                .filter(|d| d.is_listed(false) && keep(&d.file))
                .map(|d| {
                    let mut out = Vec::new();
                    ownership(site, d, &mut out);
                    freshness(site, d, &mut out);
                    action_items(site, d, &mut out);
                    links(site, d, &mut out);
                    out
                })
                .collect()
        },
        || code::check(site, keep),
    );
    findings.extend(per_doc.into_iter().flatten());
    findings.extend(code);
    // Course findings cross files (a lesson's quiz repeats another's): found for the whole
    // site, reported for the files asked about.
    findings.extend(courses::check(site).into_iter().filter(|d| keep(&d.file)));
    findings.extend(membership(site).into_iter().filter(|d| keep(&d.file)));
    findings
}

/// Teams owning listed documents whose membership was never recorded (no `members`, as in a
/// roster made from chat channels): not lapsed (FORMAT.md), but nobody can tell when they
/// will be. One finding per team, at its entry in the owners file.
fn membership(site: &Site) -> Vec<Diagnostic> {
    let mut owned: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for d in site.listed(false).filter(|d| !d.owners_inherited) {
        for o in &d.owners {
            if site.owners.membership_unknown(o)
                && site.owners.standing(o, site.today) == Standing::Active
            {
                *owned.entry(o.as_str()).or_default() += 1;
            }
        }
    }
    if owned.is_empty() {
        return Vec::new();
    }
    let file = crate::config::site_rel(&site.config, &site.config.owners_file);
    let text = crate::config::read_text_inside(
        &site.config.root,
        &site.config.owners_file,
        site.config.max_file_bytes,
    )
    .unwrap_or_default();
    owned
        .into_iter()
        .map(|(id, n)| {
            let pos = crate::model::owners::locate_team(&text, id).unwrap_or(Pos::START);
            let channel = site
                .owners
                .teams
                .get(id)
                .and_then(|t| t.channel.as_deref())
                .map(|c| format!(" (ask in {c})"))
                .unwrap_or_default();
            Diagnostic::new(
                Code::UnknownMembership,
                &file,
                pos,
                format!(
                    "team `{id}` owns {n} {} but lists no members: its membership was never recorded, so nobody can tell when it lapses",
                    plural(n as i64, "document")
                ),
            )
            .with_hint(format!(
                "list its members (people ids) under `members:`{channel}, or add `disbanded: YYYY-MM-DD` if it no longer exists"
            ))
        })
        .collect()
}

fn ownership(site: &Site, doc: &Document, out: &mut Vec<Diagnostic>) {
    // No owners: not required, or already reported as missing metadata. Inherited owners:
    // the course carries the finding, once, rather than each of its lessons.
    if doc.owners.is_empty() || doc.owners_inherited {
        return;
    }
    let o = site.ownership(doc);
    let key = if doc.meta.owners.is_some() {
        "owners"
    } else {
        "owner"
    };
    for id in &o.unknown {
        if doc.meta.adopted.owner_slack.as_deref() == Some(id.as_str()) {
            out.push(unresolved_slack(doc, id));
            continue;
        }
        let hint = match site.owners.suggest(id) {
            Some(s) => format!(
                "did you mean `{s}`? Owner ids must be listed under `people` or `teams` in owners.yaml"
            ),
            None => "add the id to owners.yaml under `people` or `teams`, or fix the spelling"
                .to_string(),
        };
        out.push(
            doc.finding(
                Code::UnknownOwner,
                doc.word_pos(key, id),
                format!("owner `{id}` is not in owners.yaml"),
            )
            .with_hint(hint),
        );
    }
    let pos = doc.key_pos(key);
    // Owners from CODEOWNERS, OWNERS or the default: say so, since the file does not show them.
    let from = if doc.owners_source.is_external() {
        format!(" (owners from {})", doc.owners_source.describe())
    } else {
        String::new()
    };
    let reasons: Vec<String> = o
        .lapsed
        .iter()
        .chain(&o.unknown)
        .map(|id| lapse_reason(&site.owners, id, site.today))
        .collect();
    if o.all_lapsed() {
        out.push(
            doc.finding(
                Code::LapsedOwner,
                pos,
                format!(
                    "{} has no active owner: {}{from}",
                    doc.kind.as_str(),
                    reasons.join("; ")
                ),
            )
            .with_hint("hand it over to an active person or team in owners.yaml"),
        );
    } else if let Some(first) = o.lapsed.first() {
        let pos = doc.word_pos(key, first);
        let list = o
            .lapsed
            .iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            doc.finding(
                Code::PartiallyLapsedOwner,
                pos,
                format!(
                    "{} lists lapsed owners: {}{from}",
                    doc.kind.as_str(),
                    reasons[..o.lapsed.len()].join("; ")
                ),
            )
            .with_hint(format!(
                "remove {list} from its owners, or name their successor"
            )),
        );
    }
}

fn freshness(site: &Site, doc: &Document, out: &mut Vec<Diagnostic>) {
    let r = site.review(doc);
    let kind = doc.kind.as_str();
    if doc.is_nav_course() && r.state == ReviewState::NeverReviewed {
        let index = format!("courses/{}/index.md", doc.course.as_deref().unwrap_or(""));
        out.push(
            doc.finding(
                Code::NeverReviewed,
                Pos::START,
                format!("course `{}` (from {}) has never been reviewed", doc.title, doc.file),
            )
            .with_hint(format!(
                "create {index} in the content directory with `owners` and `reviewed` to give the course its page and review date"
            )),
        );
        return;
    }
    let review_cmd = format!("after checking it, run `fieldbook review {}`", doc.file);
    match r.state {
        ReviewState::Stale => {
            let (reviewed, due, days) = (
                r.reviewed.unwrap(),
                r.due.unwrap(),
                -r.days_left.unwrap_or(0),
            );
            // Due today only when the review counts as late on its due day (GOV.UK).
            let ago = if days == 0 {
                "today".to_string()
            } else {
                format!("{days} {} ago", plural(days, "day"))
            };
            out.push(
                doc.finding(
                    Code::Stale,
                    doc.key_pos("reviewed"),
                    format!(
                        "{kind} is stale: last reviewed {reviewed}, review was due {due} ({ago}, every {})",
                        r.every
                    ),
                )
                .with_hint(format!("an owner should confirm it is still correct; {review_cmd}")),
            );
        }
        ReviewState::DueSoon => {
            let (due, days) = (r.due.unwrap(), r.days_left.unwrap_or(0));
            let when = if days == 0 {
                "today".to_string()
            } else {
                format!("in {days} {}", plural(days, "day"))
            };
            out.push(
                doc.finding(
                    Code::DueSoon,
                    doc.key_pos("reviewed"),
                    format!("{kind} review is due {due} ({when})"),
                )
                .with_hint(review_cmd),
            );
        }
        ReviewState::NeverReviewed => out.push(
            doc.finding(
                Code::NeverReviewed,
                Pos::START,
                format!("{kind} has never been reviewed (no `reviewed` date)"),
            )
            .with_hint(format!(
                "an owner should check it and run `fieldbook review {}`",
                doc.file
            )),
        ),
        ReviewState::Fresh | ReviewState::Untracked => {}
    }
}

fn action_items(site: &Site, doc: &Document, out: &mut Vec<Diagnostic>) {
    if doc.kind != Kind::Postmortem {
        return;
    }
    for (i, item) in doc.meta.action_items.iter().enumerate() {
        if item.status == ActionStatus::Open && item.due < site.today {
            let days = item.due.days_until(site.today);
            out.push(
                doc.finding(
                    Code::OverdueAction,
                    doc.item_pos("action_items", i, "due"),
                    format!(
                        "action item \"{}\" (owner `{}`) is open {days} {} past its due date {}",
                        item.title,
                        item.owner,
                        plural(days, "day"),
                        item.due
                    ),
                )
                .with_hint("finish it and set `status: done`, move `due` with the owner's agreement, or close it as `wontfix`"),
            );
        }
        if item.status == ActionStatus::Open {
            match site.owners.standing(&item.owner, site.today) {
                Standing::Active => {}
                Standing::Unknown => out.push(
                    doc.finding(
                        Code::UnknownOwner,
                        doc.item_pos("action_items", i, "owner"),
                        format!(
                            "action item \"{}\" is owned by `{}`, who is not in owners.yaml",
                            item.title, item.owner
                        ),
                    )
                    .with_hint("use an id from owners.yaml"),
                ),
                Standing::Lapsed => out.push(
                    doc.finding(
                        Code::LapsedOwner,
                        doc.item_pos("action_items", i, "owner"),
                        format!(
                            "open action item \"{}\" has no active owner: {}",
                            item.title,
                            lapse_reason(&site.owners, &item.owner, site.today)
                        ),
                    )
                    .with_hint("give the action item to an active person or team"),
                ),
            }
        }
    }
}

fn links(site: &Site, doc: &Document, out: &mut Vec<Diagnostic>) {
    for link in &doc.outline.links {
        let Some(target) = resolve_link(&doc.rel, &link.dest) else {
            continue;
        };
        // Only for findings: finding a line is a scan of the body.
        let pos = || doc.body_pos(link.offset, link.len);
        let shown = &link.dest;
        match target {
            LinkTarget::SameDoc(anchor) => {
                if !doc.outline.has_anchor(&anchor) {
                    out.push(broken_anchor(doc, doc, pos(), shown, &anchor));
                }
            }
            LinkTarget::Path { rel, anchor } => {
                if let Some(t) = site.link_target(&rel) {
                    if t.is_draft() {
                        out.push(
                            doc.finding(
                                Code::BrokenLink,
                                pos(),
                                format!("link `{shown}` points to a draft, which is not published"),
                            )
                            .with_hint(
                                "publish the target (remove `draft: true`) or drop the link",
                            ),
                        );
                    } else if let Some(a) = anchor
                        && !t.outline.has_anchor(&a)
                    {
                        out.push(broken_anchor(doc, t, pos(), shown, &a));
                    }
                } else if !exists(site, &rel) {
                    let what = if link.image { "image" } else { "link" };
                    let hint = match suggest_path(site, &rel) {
                        Some(s) => format!("did you mean `{s}`? Paths are relative to this file"),
                        None => {
                            "fix the path (relative to this file) or remove the link".to_string()
                        }
                    };
                    out.push(
                        doc.finding(
                            Code::BrokenLink,
                            pos(),
                            format!("{what} `{shown}` points to `{rel}`, which does not exist"),
                        )
                        .with_hint(hint),
                    );
                }
            }
        }
    }
}

/// A finding in `doc` about its link to a heading `target` lacks.
fn broken_anchor(
    doc: &Document,
    target: &Document,
    pos: Pos,
    shown: &str,
    anchor: &str,
) -> Diagnostic {
    let rel = &target.rel;
    let ids: Vec<&str> = target
        .outline
        .headings
        .iter()
        .map(|h| h.id.as_str())
        .collect();
    let close = ids
        .iter()
        .min_by_key(|id| strsim::levenshtein(id, anchor))
        .filter(|id| strsim::levenshtein(id, anchor) <= anchor.len().max(3) / 3);
    let hint = match close {
        Some(id) => format!("did you mean `#{id}`?"),
        None if ids.is_empty() => format!("`{rel}` has no headings"),
        None => format!(
            "anchors in `{rel}`: {}",
            ids.iter()
                .take(8)
                .map(|i| format!("#{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    doc.finding(
        Code::BrokenAnchor,
        pos,
        format!("link `{shown}`: `{rel}` has no heading `#{anchor}`"),
    )
    .with_hint(hint)
}

fn exists(site: &Site, rel: &str) -> bool {
    let rel = rel.trim_end_matches('/');
    rel.is_empty()
        || site
            .assets
            .binary_search_by(|a| a.as_str().cmp(rel))
            .is_ok()
        || site.dirs.iter().any(|d| d == rel)
        || site.link_target(rel).is_some()
}

fn suggest_path(site: &Site, rel: &str) -> Option<String> {
    let name = rel.rsplit('/').next()?;
    site.documents
        .iter()
        .map(|d| d.rel.as_str())
        .filter(|r| {
            r.rsplit('/')
                .next()
                .is_some_and(|n| strsim::levenshtein(n, name) <= 2)
        })
        .min_by_key(|r| strsim::levenshtein(r, rel))
        .map(str::to_string)
}

fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
/// The `unknown-owner` finding for an `owner_slack` handle no team or person has.
fn unresolved_slack(doc: &Document, handle: &str) -> Diagnostic {
    doc.finding(
        Code::UnknownOwner,
        doc.key_pos("owners"),
        format!("owner_slack `{handle}` is the channel of no team (and the Slack handle of no person) in owners.yaml"),
    )
    .with_hint(format!(
        "give the owning team `channel: \"{handle}\"` in owners.yaml, or name its id with `owners: [team-id]`"
    ))
}
