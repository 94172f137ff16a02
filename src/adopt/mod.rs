//! Adoption: handbooks written for other tools (Hugo, MkDocs, mdBook, Docusaurus, GOV.UK tech
//! docs) build as they are. [`aliases`] reads their front matter conventions as Fieldbook's
//! keys, [`syntax`] rewrites their body syntax into Markdown Fieldbook renders, and
//! [`redirects`] serves Hugo `aliases` (old URLs) as small redirect pages. docs/adopting.md
//! is the user's view of all three.

pub mod aliases;
pub mod redirects;
pub mod syntax;

use crate::date::{Date, Period};
use crate::diagnostic::{Code, Diagnostic};
use crate::front_matter::{FrontMatter, OneOrMany};

/// Read a Google freshness comment in `body` into `meta` where the front matter says nothing
/// (the front matter wins; a disagreement is a `conflicting-keys` warning). `finding` makes a
/// diagnostic at a byte range of the body.
pub fn apply_body(
    meta: &mut FrontMatter,
    body: &str,
    finding: impl Fn(Code, String, &str, usize, usize) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(f) = aliases::freshness_comment(body) else {
        return out;
    };
    let conflict = |what: &str, native: &str| {
        finding(
            Code::ConflictingKeys,
            format!(
                "the freshness comment's {what} and the front matter's `{native}` are both set; Fieldbook uses `{native}`"
            ),
            "remove one of them; docs/adopting.md lists how each tool's metadata is read",
            f.offset,
            f.len,
        )
    };
    meta.adopted.freshness = Some((f.offset, f.len));
    if !f.owners.is_empty() {
        match meta
            .owners
            .clone()
            .or_else(|| meta.owner.clone())
            .map(OneOrMany::into_vec)
        {
            None => meta.owners = Some(OneOrMany::Many(f.owners.clone())),
            Some(o) if o != f.owners => out.push(conflict("owner", "owners")),
            Some(_) => {}
        }
    }
    if let Some((text, at)) = &f.reviewed {
        match Date::parse(text) {
            Err(e) => out.push(finding(
                Code::InvalidMetadata,
                format!("freshness comment: `reviewed` {e}"),
                "write dates as YYYY-MM-DD, a day that exists",
                *at,
                text.len(),
            )),
            Ok(d) => match meta.reviewed {
                None => meta.reviewed = Some(d),
                Some(r) if r != d => out.push(conflict("reviewed date", "reviewed")),
                Some(_) => {}
            },
        }
    }
    if f.exempt && meta.review_every.is_none() {
        meta.review_every = Some(Period::Never);
    }
    out
}

/// Put the owners.yaml id in place of a GOV.UK `owner_slack` handle: the team whose `channel`
/// it is, else the person whose `slack` it is (compared without `#`/`@` and case). Left as
/// written when nobody matches: the ownership check then reports [`unresolved_slack`].
pub fn resolve_slack(owners: &crate::owners::Owners, doc: &mut crate::model::Document) {
    let Some(handle) = doc.meta.adopted.owner_slack.as_deref() else {
        return;
    };
    if doc.meta.adopted.from.get("owners") != Some(&"owner_slack") {
        return;
    }
    let norm = |s: &str| s.trim().trim_start_matches(['#', '@']).to_lowercase();
    let want = norm(handle);
    let team = owners
        .teams
        .iter()
        .find(|(_, t)| t.channel.as_deref().is_some_and(|c| norm(c) == want));
    let person = || {
        owners.people.iter().find(|(_, p)| {
            p.extra
                .get("slack")
                .and_then(|v| v.as_str())
                .is_some_and(|s| norm(s) == want)
        })
    };
    let Some(id) = team
        .map(|(id, _)| id)
        .or_else(|| person().map(|(id, _)| id))
    else {
        return;
    };
    for o in &mut doc.owners {
        if o == handle {
            *o = id.clone();
        }
    }
}

/// The `unknown-owner` finding for an `owner_slack` handle no team or person has.
pub fn unresolved_slack(doc: &crate::model::Document, handle: &str) -> Diagnostic {
    doc.finding(
        Code::UnknownOwner,
        doc.key_pos("owners"),
        format!("owner_slack `{handle}` is the channel of no team (and the Slack handle of no person) in owners.yaml"),
    )
    .with_hint(format!(
        "give the owning team `channel: \"{handle}\"` in owners.yaml, or name its id with `owners: [team-id]`"
    ))
}

/// A document's order among its siblings: its `weight` (or `sidebar_position`), documents
/// without one after all those with one. Sorting by it is stable, so ties keep path order.
pub fn weight(doc: &crate::model::Document) -> i64 {
    doc.meta.adopted.weight.unwrap_or(i64::MAX)
}

/// The last change front matter records (Hugo `lastmod`, Docusaurus `last_update`), for a
/// page whose file has no git history. It is not a review: see docs/adopting.md.
pub fn last_change(doc: &crate::model::Document) -> Option<crate::build::context::LastChange> {
    let a = &doc.meta.adopted;
    Some(crate::build::context::LastChange {
        date: a.last_changed?.to_string(),
        commit: String::new(),
        by: a.last_changed_by.clone(),
    })
}
