//! Hugo `aliases` (a page's old URLs) as redirect pages: a small HTML file at each old path,
//! inside the output, that sends the reader on to the page with a relative URL (so the site
//! still works under any `base_url` and from `file://`), with a plain link for readers
//! whose browser does not follow `<meta http-equiv="refresh">`.
//!
//! An alias is a site path such as `/runbooks/old-name/` or `old.html`. It must stay inside
//! the site: a `..` segment, a scheme or host, a backslash or a control character makes it an
//! `invalid-alias` warning (and no page). An alias that is the URL of a document or of one of
//! Fieldbook's own pages, or that several documents claim, is skipped: a redirect never
//! replaces a page.

use crate::content::urls::root_of;
use crate::model::{Document, Site};

/// The output URL (as `build` names pages: `old/path/`, `old.html`) an alias asks for, or why
/// it cannot have one.
pub fn alias_url(alias: &str) -> Result<String, &'static str> {
    let a = alias.trim();
    if a.contains("://") || a.starts_with("//") {
        return Err("an alias is a path inside the site, not an address on another host");
    }
    if a.chars().any(|c| c.is_control() || c == '\\') {
        return Err("an alias may not hold backslashes or control characters");
    }
    let path = a.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if segments.contains(&"..") {
        return Err("an alias may not climb out of the site with `..`");
    }
    if segments.is_empty() {
        return Err("an alias must name a path other than the site's root");
    }
    let joined = segments.join("/");
    let last = segments[segments.len() - 1];
    Ok(if last.ends_with(".html") || last.ends_with(".htm") {
        joined
    } else {
        format!("{joined}/")
    })
}

/// The output files of `doc`'s aliases (those that can have a page), so that `serve` can
/// take back the redirect pages of aliases a document no longer has.
pub fn outputs(doc: &Document) -> Vec<String> {
    doc.meta
        .adopted
        .aliases
        .iter()
        .filter_map(|a| alias_url(a).ok())
        .map(|u| crate::content::urls::output_file(&u))
        .collect()
}

/// The redirect pages of `doc`: `(url, html)` for each alias it may have.
pub fn pages(site: &Site, doc: &Document, page_url: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for alias in &doc.meta.adopted.aliases {
        let Ok(url) = alias_url(alias) else { continue };
        if url == page_url || crate::content::urls::is_reserved(&url) || taken(site, doc, &url) {
            continue;
        }
        let target = format!("{}{page_url}", root_of(&url));
        out.push((url, html(site, &doc.title, &target)));
    }
    out
}

/// Whether another document's page, or another document's alias, has `url`.
fn taken(site: &Site, doc: &Document, url: &str) -> bool {
    site.documents.iter().any(|d| {
        d.rel != doc.rel
            && (d.url() == url
                || d.meta
                    .adopted
                    .aliases
                    .iter()
                    .any(|a| alias_url(a).is_ok_and(|u| u == url)))
    })
}

fn html(site: &Site, title: &str, target: &str) -> String {
    let esc = |s: &str| {
        let mut o = String::new();
        let _ = pulldown_cmark_escape::escape_html(&mut o, s);
        o
    };
    let (title, target, lang) = (esc(title), esc(target), esc(&site.config.book.language));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved: {title}</title>\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{target}\">{title}</a>.</p>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_stay_inside_the_site() {
        assert_eq!(
            alias_url("/runbooks/old-name/").unwrap(),
            "runbooks/old-name/"
        );
        assert_eq!(
            alias_url("/runbooks/old-name").unwrap(),
            "runbooks/old-name/"
        );
        assert_eq!(alias_url("old.html").unwrap(), "old.html");
        assert_eq!(alias_url("./a/./b/").unwrap(), "a/b/");
        for bad in [
            "/../etc/",
            "a/../../x",
            "https://evil.example/",
            "//evil.example/x",
            "/",
            "a\\b",
            "",
        ] {
            assert!(alias_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn own_pages_are_reserved() {
        use crate::content::urls::is_reserved as reserved;
        assert!(reserved("runbooks/") && reserved("tags/db/") && reserved("404.html"));
        assert!(!reserved("runbooks/old/") && !reserved("docs/x/"));
    }
}
