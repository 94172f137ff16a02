//! `fieldbook pack`: the runbooks an on-call engineer needs when the docs host is down with
//! everything else, in one self-contained HTML file (inline CSS and JS, no request of any
//! kind, works from `file://`): a table of contents, the alert index, each runbook with its
//! owners, channels and review state, an in-page search, and a print stylesheet that starts
//! each runbook on a new page.

use crate::content::front_matter::Kind;
use crate::content::links::{LinkTarget, resolve_link};
use crate::content::urls::slug;
use crate::model::{Document, ReviewState, Site};
use crate::render::{RenderOptions, render_markdown};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// Which runbooks go into the pack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    All,
    /// Owned by this team or person.
    Team(String),
    /// About this service.
    Service(String),
    /// Those that answer at least one alert.
    Alerts,
}

impl Selection {
    fn includes(&self, doc: &Document) -> bool {
        match self {
            Selection::All => true,
            Selection::Team(t) => doc.owners.iter().any(|o| o == t),
            Selection::Service(s) => doc.meta.services.iter().any(|x| x == s),
            Selection::Alerts => !doc.meta.alerts.is_empty(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Selection::All => "every runbook".into(),
            Selection::Team(t) => format!("the runbooks owned by {t}"),
            Selection::Service(s) => format!("the runbooks about {s}"),
            Selection::Alerts => "the runbooks that answer an alert".into(),
        }
    }
}

pub struct Pack {
    pub html: String,
    pub runbooks: usize,
}

/// Marks the links the resolver makes between packed runbooks, so that the ids of each
/// runbook can be made unique without touching them (replaced by `#` at the end).
const CROSS: &str = "fieldbook-pack:";

/// The pack of the runbooks `selection` picks (published ones, by path).
pub fn pack(site: &Site, selection: &Selection) -> Pack {
    let docs: Vec<&Document> = site
        .listed(false)
        .filter(|d| d.kind == Kind::Runbook && selection.includes(d))
        .collect();
    let ids: HashMap<&str, String> = docs
        .iter()
        .map(|d| (d.rel.as_str(), article_id(d)))
        .collect();
    let title = &site.config.book.title;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <title>{} — runbooks for offline use</title>\n<style>{}\n{}</style>\n</head>\n<body>\n",
        esc(&site.config.book.language),
        esc(title),
        STYLE,
        crate::render::highlight_css(),
    );
    let _ = write!(
        out,
        "<header>\n<h1>{} — runbooks for offline use</h1>\n<p>{} of {}, packed on {} \
         for when the handbook's site is unreachable. Review dates are as of that day.</p>\n\
         <div role=\"search\" class=\"pack-search\"><label for=\"pack-q\">Search these runbooks\
         </label> <input id=\"pack-q\" type=\"search\" autocomplete=\"off\">\
         <p id=\"pack-status\" aria-live=\"polite\"></p><ol id=\"pack-results\"></ol></div>\n\
         </header>\n",
        esc(title),
        plural(docs.len(), "runbook"),
        esc(&selection.describe()),
        site.today,
    );
    contents(&mut out, site, &docs, &ids);
    alert_index(&mut out, &docs, &ids);
    out.push_str("<main>\n");
    for doc in &docs {
        runbook(&mut out, site, doc, &ids);
    }
    out.push_str(
        "<section id=\"not-in-pack\" class=\"note\"><h2>Not in this pack</h2><p>A link that led \
         here points to a page of the handbook that this pack does not hold.</p></section>\n",
    );
    out.push_str("</main>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    Pack {
        html: out,
        runbooks: docs.len(),
    }
}

fn article_id(doc: &Document) -> String {
    let stem = doc.rel.strip_suffix(".md").unwrap_or(&doc.rel);
    format!("rb-{}", slug(stem))
}

fn contents(out: &mut String, site: &Site, docs: &[&Document], ids: &HashMap<&str, String>) {
    out.push_str("<nav aria-labelledby=\"contents\"><h2 id=\"contents\">Contents</h2>\n<ol>\n");
    for doc in docs {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a>{}</li>",
            ids[doc.rel.as_str()],
            esc(&doc.title),
            flags(site, doc)
        );
    }
    out.push_str("</ol>\n</nav>\n");
}

fn alert_index(out: &mut String, docs: &[&Document], ids: &HashMap<&str, String>) {
    let mut alerts: BTreeMap<&str, Vec<&Document>> = BTreeMap::new();
    for doc in docs {
        for a in &doc.meta.alerts {
            alerts.entry(a).or_default().push(doc);
        }
    }
    out.push_str("<section aria-labelledby=\"alerts\"><h2 id=\"alerts\">Alert index</h2>\n");
    if alerts.is_empty() {
        out.push_str("<p>None of these runbooks answers an alert.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr><th scope=\"col\">Alert</th><th scope=\"col\">Runbook</th></tr></thead>\n<tbody>\n");
    for (alert, docs) in alerts {
        let links: Vec<String> = docs
            .iter()
            .map(|d| format!("<a href=\"#{}\">{}</a>", ids[d.rel.as_str()], esc(&d.title)))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            esc(alert),
            links.join(", ")
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// The review and ownership flags of a document, as badges.
fn flags(site: &Site, doc: &Document) -> String {
    let mut s = String::new();
    match site.review(doc).state {
        ReviewState::Stale => s.push_str(" <strong class=\"flag\">Stale</strong>"),
        ReviewState::NeverReviewed => s.push_str(" <strong class=\"flag\">Never reviewed</strong>"),
        ReviewState::DueSoon => s.push_str(" <span class=\"flag soon\">Review due soon</span>"),
        ReviewState::Fresh | ReviewState::Untracked => {}
    }
    match crate::model::ownership_state(site, doc) {
        "lapsed" => s.push_str(" <strong class=\"flag\">No active owner</strong>"),
        "unowned" => s.push_str(" <span class=\"flag soon\">No owner named</span>"),
        _ => {}
    }
    s
}

fn runbook(out: &mut String, site: &Site, doc: &Document, ids: &HashMap<&str, String>) {
    let id = &ids[doc.rel.as_str()];
    let links = |dest: &str, image: bool| -> Option<String> {
        if image {
            // Files beside the pack would be requests; the alt text stays.
            return (!dest.starts_with("data:")).then(|| "data:,".to_string());
        }
        // The pack's own marker is the resolver's alone: an author's link spelled with it
        // leads nowhere in particular.
        if dest
            .get(..CROSS.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(CROSS))
        {
            return Some(format!("{CROSS}not-in-pack"));
        }
        match resolve_link(&doc.rel, dest)? {
            LinkTarget::Path { rel, anchor } => Some(match (ids.get(rel.as_str()), anchor) {
                (Some(target), Some(a)) => format!("{CROSS}{target}--{a}"),
                (Some(target), None) => format!("{CROSS}{target}"),
                (None, _) => match site.get(&rel) {
                    Some(d) if absolute(&site.config.book.base_url) => {
                        format!("{}{}", site.config.book.base_url, d.url())
                    }
                    _ => format!("{CROSS}not-in-pack"),
                },
            }),
            _ => None,
        }
    };
    let rendered = render_markdown(doc.markdown(), &links, &RenderOptions { raw_html: false });
    // Every runbook has its "Diagnosis": ids and the links to them get the runbook's prefix.
    let html = prefix_ids(&rendered.html, id);
    let owners: Vec<String> = doc
        .owners
        .iter()
        .map(|o| esc(&site.owners.label(o)))
        .collect();
    let review = site.review(doc);
    let reviewed = match (review.reviewed, review.due) {
        (Some(r), Some(due)) => format!("reviewed {r}, due {due}"),
        (Some(r), None) => format!("reviewed {r}"),
        (None, _) => "never reviewed".to_string(),
    };
    let _ = write!(
        out,
        "<article id=\"{id}\" aria-labelledby=\"{id}--title\">\n<h2 id=\"{id}--title\">{}</h2>\n\
         <p class=\"meta\"><code>{}</code> · Owners: {} · {reviewed}{}</p>\n{html}\n\
         <p class=\"back\"><a href=\"#contents\">Back to the contents</a></p>\n</article>\n",
        esc(&doc.title),
        esc(&doc.file),
        if owners.is_empty() {
            "none".to_string()
        } else {
            owners.join(", ")
        },
        flags(site, doc),
    );
}

/// `html` (a runbook as rendered) with its ids and in-page links prefixed by `id--`, and the
/// resolver's links between packed runbooks ([`CROSS`]) turned into in-page ones. Only the
/// markup changes: the rewriting reads tags, never text, so nothing a runbook's code blocks or
/// prose hold (`id="…"`, `href="#…"`, the pack's marker, `</pre><script>`) is rewritten or can
/// become markup. (The renderer escapes `<` in all text and `"` in all attribute values, so a
/// tag starts at each `<` and ends at the first `>` outside quotes.)
fn prefix_ids(html: &str, id: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag = &rest[lt..];
        let mut quoted = false;
        let end = tag
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '>' && !quoted
            })
            .map_or(tag.len(), |(i, _)| i + 1);
        let tag = &tag[..end];
        if tag.starts_with("</") || tag.starts_with("<!") {
            out.push_str(tag);
        } else {
            out.push_str(
                &tag.replace(" id=\"", &format!(" id=\"{id}--"))
                    .replace(" href=\"#", &format!(" href=\"#{id}--"))
                    .replace(&format!(" href=\"{CROSS}"), " href=\"#"),
            );
        }
        rest = &rest[lt + end..];
    }
    out.push_str(rest);
    out
}

fn absolute(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

const STYLE: &str = r##"
body { font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 52rem; padding: 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; }
a { color: #0b57d0; }
code, pre { font-family: ui-monospace, monospace; font-size: .9em; }
pre { background: #f5f5f5; padding: .75rem; white-space: pre-wrap; overflow-wrap: anywhere; border-radius: 4px; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; }
.meta { color: #444; font-size: .9rem; }
.flag { color: #a00000; } .flag.soon { color: #6b4e00; }
.pack-search input { font-size: 1rem; padding: .3rem; width: 20rem; max-width: 100%; }
#pack-results li { margin: .4rem 0; }
#pack-results .where { color: #444; font-size: .85rem; }
mark { background: #ffe066; color: inherit; }
article { border-top: 2px solid #ddd; margin-top: 2rem; }
blockquote, aside { border-left: 4px solid #ccc; margin-left: 0; padding-left: 1rem; }
@media print {
  .pack-search, .back, #not-in-pack { display: none; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  article { break-before: page; border-top: none; margin-top: 0; }
  pre { white-space: pre-wrap; break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"##;

/// The in-page search: each runbook's sections (by heading) searched for every word of the
/// query, the title counting most; results link to the section.
const SCRIPT: &str = r##"
(function () {
  "use strict";
  const input = document.getElementById("pack-q");
  const status = document.getElementById("pack-status");
  const list = document.getElementById("pack-results");
  const sections = [];
  for (const art of document.querySelectorAll("main article")) {
    const title = art.querySelector("h2").textContent;
    let cur = { id: art.id, title, heading: "", text: "" };
    sections.push(cur);
    for (const node of art.children) {
      if (/^H[2-6]$/.test(node.tagName) && node.id && node.id !== art.id + "--title") {
        cur = { id: node.id, title, heading: node.textContent, text: "" };
        sections.push(cur);
      } else if (!/^H2$/.test(node.tagName)) {
        cur.text += " " + node.textContent;
      }
    }
  }
  for (const s of sections) { s.text = s.text.replace(/\s+/g, " ").trim(); s.lower = (s.title + " " + s.heading + " " + s.text).toLowerCase(); }
  function run() {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    list.replaceChildren();
    if (!words.length) { status.textContent = ""; return; }
    const found = sections
      .filter((s) => words.every((w) => s.lower.includes(w)))
      .map((s) => ({ s, score: words.reduce((n, w) => n + (s.title.toLowerCase().includes(w) ? 4 : 0) + (s.heading.toLowerCase().includes(w) ? 2 : 0) + 1, 0) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 30);
    status.textContent = found.length ? found.length + " matching sections" : "No section matches every word.";
    for (const { s } of found) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "#" + s.id;
      a.textContent = s.heading ? s.title + " — " + s.heading : s.title;
      li.append(a);
      const at = s.text.toLowerCase().indexOf(words[0]);
      if (at >= 0) {
        const from = Math.max(0, at - 60);
        const where = document.createElement("div");
        where.className = "where";
        where.append((from > 0 ? "…" : "") + s.text.slice(from, at));
        const m = document.createElement("mark");
        m.textContent = s.text.slice(at, at + words[0].length);
        where.append(m, s.text.slice(at + words[0].length, at + 100) + "…");
        li.append(where);
      }
      list.append(li);
    }
  }
  input.addEventListener("input", run);
  run();
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_markup_is_prefixed_never_text() {
        let html = "<h2 id=\"steps\">Steps</h2>\n<p><a href=\"#steps\">x</a> \
                    <a href=\"fieldbook-pack:rb-b\">b</a></p>\n<pre class=\"code\"><code>\
                    &lt;a id=\"x\" href=\"#y\"&gt; href=\"fieldbook-pack:rb-c\" \
                    &lt;/pre&gt;&lt;script&gt;</code></pre>";
        assert_eq!(
            prefix_ids(html, "rb-a"),
            "<h2 id=\"rb-a--steps\">Steps</h2>\n<p><a href=\"#rb-a--steps\">x</a> \
             <a href=\"#rb-b\">b</a></p>\n<pre class=\"code\"><code>\
             &lt;a id=\"x\" href=\"#y\"&gt; href=\"fieldbook-pack:rb-c\" \
             &lt;/pre&gt;&lt;script&gt;</code></pre>"
        );
        // A `>` inside a quoted attribute value does not end the tag.
        assert_eq!(
            prefix_ids("<a title=\"a>b\" href=\"#c\">t</a>", "p"),
            "<a title=\"a>b\" href=\"#p--c\">t</a>"
        );
    }
}
