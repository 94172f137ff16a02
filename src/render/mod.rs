//! Markdown → HTML: the rendering stage.
//!
//! One pulldown-cmark pass per document with [`crate::content::markdown::options`], through our own
//! writer (`html`) that adds what reliability docs need:
//!
//! - headings get the ids [`crate::content::markdown::outline`] computes (same [`Slugger`](crate::content::markdown::Slugger),
//!   same order; an explicit `{#id}` wins) and an anchor link; levels 2–3 make the TOC;
//! - GitHub alerts (`> [!WARNING]`) and MkDocs admonitions (`!!! warning "Title"`, `???`
//!   collapsible; see [`crate::content::admonition`]) become `<aside class="callout callout-…">` / `<details>`;
//! - code blocks are highlighted at build time into short token-kind classes (`k`, `s`, …) ([`highlight`]), with a
//!   size limit past which they are plain text; shell prompts are marked for the copy button;
//! - ```` ```quiz ```` blocks become static quiz HTML ([`quiz`]); a code block that no
//!   longer parses gets a note above it ([`render_markdown_noted`]);
//! - link and image destinations go through a [`LinkResolver`]; raw HTML is dropped unless
//!   [`RenderOptions::raw_html`].
//!
//! Rendering is pure and deterministic, and everything here is `Sync`, so pages can be
//! rendered in parallel.
//!
//! Admonition content is not Markdown to a plain pulldown-cmark pass (it is indented code or
//! paragraph text there), so [`crate::content::markdown::outline`] sees headings and links inside
//! admonitions only if it parses [`preprocess`](crate::content::admonition::preprocess)`(body).text` too, mapping offsets back with
//! [`Preprocessed::source_offset`](crate::content::admonition::Preprocessed::source_offset).

pub mod cmdvars;
pub(crate) mod escape;
pub mod highlight;
mod html;
mod interface;
pub mod quiz;

pub use highlight::{grammar_name, highlight_css};
pub use html::write_quiz;
pub use interface::{LinkResolver, NoRewrite, RenderOptions, Rendered, TocEntry};

/// Render a document body (front matter already removed) to HTML.
pub fn render_markdown(body: &str, links: &dyn LinkResolver, opts: &RenderOptions) -> Rendered {
    html::render(body, links, opts, false)
}

/// [`render_markdown`], with a visible note (`<p class="code-note" role="note">`) above each
/// code block that no longer parses: `notes` gives why, by the block's index among the blocks
/// of checked languages ([`crate::content::markdown::Outline::code_blocks`]).
pub fn render_markdown_noted(
    body: &str,
    links: &dyn LinkResolver,
    opts: &RenderOptions,
    notes: &[(usize, String)],
) -> Rendered {
    html::render_noted(body, links, opts, false, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::admonition::preprocess;
    use crate::content::markdown::outline;
    use std::time::{Duration, Instant};

    fn render(body: &str) -> Rendered {
        render_markdown(body, &NoRewrite, &RenderOptions::default())
    }

    fn html(body: &str) -> String {
        render(body).html
    }

    fn ids(r: &Rendered) -> Vec<String> {
        // Every `<hN id="…">` in order.
        let mut out = Vec::new();
        let mut rest = r.html.as_str();
        while let Some(i) = rest.find("<h") {
            rest = &rest[i + 2..];
            if rest.starts_with(|c: char| c.is_ascii_digit())
                && let Some(id) = rest[1..].strip_prefix(" id=\"")
            {
                out.push(id[..id.find('"').unwrap()].to_string());
            }
        }
        out
    }

    const TRICKY: &str = "# Disk full\n\n## Step 2: Fail over\n\n## Step 2: Fail over\n\n## `kubectl` usage {#kc}\n\n### Ünïcode & ümlauts\n\nSetext heading\n--------------\n\n## Step 2: Fail over-1\n\n## *Emphasis* and [a link](x.md) and ![alt *text*](i.png)\n\n##   Spaces   around   \n\n## <span>html</span> inside\n\n## kc\n\n## {#kc}\n\n## ???\n\n## ???\n\n- ## In a list\n\n> ## In a quote\n\n```\n## not a heading\n```\n\n## Footnote[^1] ref\n\n[^1]: Note.\n";

    #[test]
    fn heading_ids_match_outline() {
        let r = render(TRICKY);
        let expected: Vec<String> = outline(TRICKY).headings.into_iter().map(|h| h.id).collect();
        assert_eq!(ids(&r), expected);
        assert!(
            expected.contains(&"step-2-fail-over-1-1".to_string()),
            "{expected:?}"
        );
        // Raw HTML on does not change ids either.
        let raw = render_markdown(TRICKY, &NoRewrite, &RenderOptions { raw_html: true });
        assert_eq!(ids(&raw), expected);
    }

    #[test]
    fn headings_have_anchors_and_toc() {
        let r = render(
            "# Title\n\n## Check `df` {.big data-x=1 onclick=alert(1)}\n\n### Sub\n\n#### Deep\n",
        );
        assert!(r.html.contains("<h2 id=\"check-df\" class=\"big\" data-x=\"1\">Check <code>df</code><a class=\"anchor\" href=\"#check-df\" aria-label=\"Link to this section\">#</a></h2>"), "{}", r.html);
        assert!(!r.html.contains("onclick"));
        assert_eq!(
            r.toc,
            [
                TocEntry {
                    level: 2,
                    id: "check-df".into(),
                    text: "Check df".into()
                },
                TocEntry {
                    level: 3,
                    id: "sub".into(),
                    text: "Sub".into()
                },
            ]
        );
        let raw = render_markdown(
            "## A {onclick=x}\n",
            &NoRewrite,
            &RenderOptions { raw_html: true },
        );
        assert!(
            raw.html.contains("<h2 id=\"a\" onclick=\"x\">"),
            "{}",
            raw.html
        );
        // Unicode ids are percent-encoded in the href, verbatim in the id.
        let u = html("## Ünïcode\n");
        assert!(
            u.contains("id=\"ünïcode\"") && u.contains("href=\"#%C3%BCn%C3%AFcode\""),
            "{u}"
        );
    }

    #[test]
    fn github_alerts_are_callouts() {
        for (marker, class, title) in [
            ("NOTE", "note", "Note"),
            ("TIP", "tip", "Tip"),
            ("IMPORTANT", "important", "Important"),
            ("WARNING", "warning", "Warning"),
            ("CAUTION", "caution", "Caution"),
        ] {
            let h = html(&format!("> [!{marker}]\n> Do **not** restart.\n"));
            assert_eq!(
                h,
                format!(
                    "<aside class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{title}</p>\n<p>Do <strong>not</strong> restart.</p>\n</aside>\n"
                )
            );
        }
        assert_eq!(
            html("> plain\n"),
            "<blockquote>\n<p>plain</p>\n</blockquote>\n"
        );
    }

    #[test]
    fn admonitions_are_callouts() {
        let h = html(
            "!!! warning \"Data loss & risk\"\n    Take a **snapshot** first.\n\n    ```bash\n    pg_dump db > x\n    ```\n\nAfter.\n",
        );
        assert!(h.starts_with("<aside class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-title\">Data loss &amp; risk</p>\n<p>Take a <strong>snapshot</strong> first.</p>\n<pre class=\"code\" data-lang=\"bash\"><code><span class=\"nf\">pg_dump</span>"), "{h}");
        assert!(
            h.ends_with("</code></pre>\n</aside>\n<p>After.</p>\n"),
            "{h}"
        );

        let h = html("??? danger\n    Hidden.\n");
        assert_eq!(
            h,
            "<details class=\"callout callout-caution callout-danger\">\n<summary class=\"callout-title\">Danger</summary>\n<p>Hidden.</p>\n</details>\n"
        );
        let h = html("???+ tip \"Open\"\n    Shown.\n");
        assert!(h.starts_with("<details class=\"callout callout-tip\" open>\n<summary class=\"callout-title\">Open</summary>\n"), "{h}");
        let h = html("!!! note \"Why not `VACUUM FULL` <b>?\"\n\n??? note \"1. Step\"\n");
        assert!(
            h.contains("<p class=\"callout-title\">Why not <code>VACUUM FULL</code> ?</p>"),
            "{h}"
        );
        assert!(
            h.contains("<summary class=\"callout-title\">1. Step</summary>"),
            "{h}"
        );
        let h = html("!!! note \"\"\n    No title.\n");
        assert_eq!(
            h,
            "<aside class=\"callout callout-note\" role=\"note\">\n<p>No title.</p>\n</aside>\n"
        );
        // In a list item, and nested.
        let h = html(
            "1. Step\n\n    !!! info\n        Inside.\n\n        !!! bug\n            Deeper.\n",
        );
        assert!(h.contains("<li>\n<p>Step</p>\n<aside class=\"callout callout-note callout-info\" role=\"note\">\n<p class=\"callout-title\">Info</p>\n<p>Inside.</p>\n<aside class=\"callout callout-caution callout-bug\" role=\"note\">\n<p class=\"callout-title\">Bug</p>\n<p>Deeper.</p>\n</aside>\n</aside>\n</li>"), "{h}");
        // Not in code; a quote written by hand is not an admonition.
        let h = html("```\n!!! note\n    x\n```\n\n>\n> quoted\n");
        assert!(
            h.contains("!!! note") && h.contains("<blockquote>") && !h.contains("callout"),
            "{h}"
        );
    }

    #[test]
    fn headings_inside_admonitions_agree_with_outline_of_preprocessed_text() {
        let body = "## Steps\n\n!!! note\n    ## Steps\n\n    [x](a.md)\n\n## Steps\n";
        let r = render(body);
        let pre = preprocess(body);
        let o = outline(&pre.text);
        let expected: Vec<String> = o.headings.iter().map(|h| h.id.clone()).collect();
        assert_eq!(ids(&r), expected);
        assert_eq!(expected, ["steps", "steps-1", "steps-2"]);
        assert_eq!(o.links.len(), 1);
        // Offsets map back to the body.
        assert_eq!(
            pre.source_offset(o.headings[2].offset),
            body.rfind("## Steps").unwrap()
        );
        let line = |off: usize| body[..off].matches('\n').count();
        assert_eq!(line(pre.source_offset(o.headings[1].offset)), 3);
    }

    #[test]
    fn links_and_images() {
        let resolver = |dest: &str, image: bool| -> Option<String> {
            if dest.starts_with("http") {
                None
            } else if image {
                Some(format!("../{dest}"))
            } else {
                Some(dest.replace(".md", "/"))
            }
        };
        let r = render_markdown(
            "[Failover](../db/failover.md#step-1 \"How\") [ext](https://example.com) <https://x.y/z> <ops@example.com>\n\n![Disk *graph*](img/disk.png \"Disk\")\n",
            &resolver,
            &RenderOptions::default(),
        );
        assert_eq!(
            r.html,
            "<p><a href=\"../db/failover/#step-1\" title=\"How\">Failover</a> <a href=\"https://example.com\" rel=\"noopener\">ext</a> <a href=\"https://x.y/z\" rel=\"noopener\">https://x.y/z</a> <a href=\"mailto:ops@example.com\">ops@example.com</a></p>\n<p><img src=\"../img/disk.png\" alt=\"Disk graph\" title=\"Disk\" loading=\"lazy\"></p>\n"
        );
    }

    #[test]
    fn xss_is_escaped() {
        let h = html(
            "[<img src=x onerror=alert(1)>](a.md \"t\\\" onmouseover=\\\"x\") ![a\" onerror=\"x](i.png \"<b>\") [j](javascript:alert(1)) [k](  JaVa\tScRiPt:x) ![d](data:text/html,<script>) ![p](data:image/png;base64,AA)\n\n<script>alert(1)</script>\n\n`<script>` & **<b>**\n",
        );
        assert!(
            !h.contains("<script") && !h.contains("<img src=x") && !h.contains("<b>"),
            "{h}"
        );
        assert!(h.contains("title=\"t&quot; onmouseover=&quot;x\""), "{h}");
        assert!(
            h.contains("alt=\"a&quot; onerror=&quot;x\"") && h.contains("title=\"&lt;b&gt;\""),
            "{h}"
        );
        assert!(
            !h.to_ascii_lowercase().contains("javascript:") && !h.contains("data:text"),
            "{h}"
        );
        // A refused link keeps its text; a refused image shows its alt text.
        assert!(h.contains("> j [k](") && h.contains(") d <img"), "{h}");
        assert!(h.contains("src=\"data:image/png;base64,AA\""), "{h}");
        assert!(
            h.contains("<code>&lt;script&gt;</code> &amp; <strong></strong>"),
            "{h}"
        );
    }

    #[test]
    fn raw_html_option() {
        let body =
            "<div class=\"x\">\n<script>alert(1)</script>\n</div>\n\nInline <kbd>Ctrl</kbd>.\n";
        let off = html(body);
        assert_eq!(off, "<p>Inline Ctrl.</p>\n");
        let on = render_markdown(body, &NoRewrite, &RenderOptions { raw_html: true }).html;
        assert!(
            on.contains("<script>alert(1)</script>") && on.contains("<kbd>Ctrl</kbd>"),
            "{on}"
        );
        let js = render_markdown(
            "[j](javascript:x)\n",
            &NoRewrite,
            &RenderOptions { raw_html: true },
        )
        .html;
        assert!(js.contains("href=\"javascript:x\""));
    }

    #[test]
    fn tables_tasks_footnotes_strikethrough() {
        let h = html(
            "| a | b |\n|:-|-:|\n| 1 | ~~2~~ |\n\n- [x] done\n- [ ] todo\n\nText[^n].\n\n[^n]: The *note*.\n\nMore.\n",
        );
        assert_eq!(
            h,
            "<div class=\"table-wrap\"><table>\n<thead>\n<tr><th style=\"text-align: left\">a</th><th style=\"text-align: right\">b</th></tr>\n</thead>\n<tbody>\n<tr><td style=\"text-align: left\">1</td><td style=\"text-align: right\"><del>2</del></td></tr>\n</tbody>\n</table></div>\n<ul>\n<li class=\"task-list-item\"><input type=\"checkbox\" disabled checked aria-label=\"done\"> done</li>\n<li class=\"task-list-item\"><input type=\"checkbox\" disabled aria-label=\"not done\"> todo</li>\n</ul>\n<p>Text<sup class=\"footnote-ref\"><a href=\"#fn-n\" id=\"fnref-n\">1</a></sup>.</p>\n<p>More.</p>\n<section class=\"footnotes\">\n<div class=\"footnote-definition\" id=\"fn-n\"><sup class=\"footnote-definition-label\">1</sup>\n<p>The <em>note</em>. <a href=\"#fnref-n\" class=\"footnote-backref\" aria-label=\"Back to reference\">↩</a></p>\n</div>\n</section>\n"
        );
    }

    #[test]
    fn code_blocks() {
        assert_eq!(
            html("    indented <x>\n"),
            "<pre class=\"code\"><code>indented &lt;x&gt;\n</code></pre>\n"
        );
        assert_eq!(
            html("```\nplain\n```\n"),
            "<pre class=\"code\"><code>plain\n</code></pre>\n"
        );
        let h = html("```{.YAML title=x}\na: 1\n```\n\n```rust,ignore\nfn x() {}\n```\n");
        assert!(
            h.contains("data-lang=\"yaml\"><code><span class=\"nt\">a</span>"),
            "{h}"
        );
        assert!(
            h.contains("data-lang=\"rust\"><code><span class=\"kt\">fn </span>"),
            "{h}"
        );
        let h = html("```unknown-lang\n<script>alert(1)</script>\n```\n");
        assert_eq!(
            h,
            "<pre class=\"code\" data-lang=\"unknown-lang\"><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n"
        );
    }

    #[test]
    fn quizzes_are_counted() {
        let body = "Intro\n\n```quiz\nquestion: Q?\nchoices:\n  - text: A\n    correct: true\n  - text: B\nexplain: Because.\n```\n\n```quiz\nnot: [valid\n```\n";
        let r = render(body);
        assert_eq!(r.quiz_count, 1);
        assert!(r.html.contains("<section class=\"quiz\""));
        assert!(r.html.contains("<div class=\"quiz quiz-invalid\""));
    }

    #[test]
    fn pathological_blocks_render_quickly() {
        let start = Instant::now();
        let mut body = String::from("```bash\n");
        body.push_str(&"a".repeat(10 * 1024 * 1024));
        body.push_str("\n```\n\n```python\n");
        body.push_str(&"x = [1, 2, 'three']  # c\n".repeat(100_000));
        body.push_str("```\n");
        let r = render(&body);
        assert!(r.html.len() > body.len() - 100);
        assert!(!r.html.contains("<span"));
        // Linear work takes well under a second even in a debug build; the bound is loose
        // because tests share a loaded CI machine, and quadratic work on 10 MB would take hours.
        let elapsed = start.elapsed();
        assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    }

    #[test]
    fn odd_inputs_do_not_break_structure() {
        let inputs = [
            "",
            "\n\n",
            "!!!",
            "!!! note",
            "!!! note\r\n    a\r\n!!! tip\r\n    b",
            "??? x\n    ??? y\n        ??? z\n            deep\n",
            "> !!! note\n>     not an admonition\n",
            "- [ ] !!! note\n    x\n",
            "# ![*img* `code`](a.png)[^1] <b>x</b>\n\n[^1]: ## Heading in note\n",
            "[a ![b](c.png) d](e.md)\n",
            "| a |\n|---|\n| ```x``` |\n",
            "```quiz\n```\n",
            "```quiz\nquestion: \"```quiz\"\nchoices: [{text: \"```\", correct: true}]\nexplain: \"```quiz\\nx\\n```\"\n```\n",
            "> [!NOTE]\n> !!! tip\n",
            "<details>\n\n!!! note\n    inside html\n\n</details>\n",
            "\t!!! note\n\t\tcontent\n",
            "Text\n!!! warning\n    Lazy?\nNext paragraph line\n",
            "***\n---\n___\n",
            "[^x]\n\n[^x]: one\n[^y]: unreferenced\n",
            "## é{#é}\n## é\n",
        ];
        for body in inputs {
            for raw_html in [false, true] {
                let r = render_markdown(body, &NoRewrite, &RenderOptions { raw_html });
                let h = &r.html;
                for (open, close) in [
                    ("<aside", "</aside>"),
                    ("<details", "</details>"),
                    ("<blockquote", "</blockquote>"),
                    ("<table", "</table>"),
                    ("<pre", "</pre>"),
                    ("<section", "</section>"),
                    ("<ol", "</ol>"),
                    ("<ul", "</ul>"),
                    ("<p>", "</p>"),
                ] {
                    let opens = h.matches(open).count()
                        + if open == "<p>" {
                            h.matches("<p ").count()
                        } else {
                            0
                        };
                    if !raw_html {
                        assert_eq!(opens, h.matches(close).count(), "{open} in {body:?}: {h}");
                    }
                }
                let expected: Vec<String> = outline(&preprocess(body).text)
                    .headings
                    .into_iter()
                    .map(|h| h.id)
                    .collect();
                let mut got = ids(&r);
                got.sort();
                let mut expected_sorted = expected.clone();
                expected_sorted.sort();
                assert_eq!(got, expected_sorted, "{body:?}");
            }
        }
        let lazy = html("Text\n!!! warning\n    Lazy?\nNext paragraph line\n");
        assert!(
            lazy.ends_with("</aside>\n<p>Next paragraph line</p>\n"),
            "{lazy}"
        );
    }

    #[test]
    fn renderer_is_sync_and_deterministic() {
        fn assert_sync<T: Sync>(_: &T) {}
        assert_sync(&NoRewrite);
        assert_sync(&RenderOptions::default());
        let body = include_str!("testdata/runbook.md");
        let first = render(body);
        let results: Vec<Rendered> = {
            use rayon::prelude::*;
            (0..8).into_par_iter().map(|_| render(body)).collect()
        };
        assert!(results.iter().all(|r| *r == first));
    }

    #[test]
    fn runbook_snapshot() {
        let body = include_str!("testdata/runbook.md");
        let resolver = |dest: &str, image: bool| -> Option<String> {
            if dest.contains("://") || dest.starts_with('#') {
                None
            } else if image {
                Some(format!("../{dest}"))
            } else {
                let (path, frag) = dest
                    .split_once('#')
                    .map_or((dest, None), |(p, f)| (p, Some(f)));
                let page = format!("../{}/", path.trim_end_matches(".md"));
                Some(match frag {
                    Some(f) => format!("{page}#{f}"),
                    None => page,
                })
            }
        };
        let r = render_markdown(body, &resolver, &RenderOptions::default());
        insta::assert_snapshot!("runbook_html", r.html);
        insta::assert_debug_snapshot!("runbook_toc", (&r.toc, r.quiz_count));
        let expected: Vec<String> = outline(&preprocess(body).text)
            .headings
            .into_iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(ids(&r), expected);
    }
}
