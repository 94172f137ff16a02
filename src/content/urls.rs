//! The site's URL scheme. Every URL is relative to the site root, without a leading slash, and
//! names a directory (`runbooks/db/failover/`) whose `index.html` is the page; pages link to each
//! other through relative paths so the site works under any `base_url` and from a folder.

use crate::content::links::percent_decode;

/// How much of the URL space an entry of [`RESERVED`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reserve {
    /// The URL itself (an index page whose folder also holds documents: `runbooks/`).
    Exact,
    /// The URL and everything below it (`tags/db/`, `static/fieldbook.css`).
    Under,
}

/// The site's own URLs: the pages and files Fieldbook writes (home, indexes, tag, service,
/// team and alert pages, learning, the freshness report, search and its client index, the
/// theme's static files, `alerts.json`, `404.html`, the sitemap) and the live preview's
/// endpoints. No redirect alias may take them, and no part name may be their first segment.
pub const RESERVED: [(&str, Reserve); 21] = [
    ("", Reserve::Exact),
    ("index.html", Reserve::Exact),
    ("runbooks/", Reserve::Exact),
    ("postmortems/", Reserve::Exact),
    ("courses/", Reserve::Exact),
    ("pages/", Reserve::Exact),
    ("actions/", Reserve::Exact),
    ("learning/", Reserve::Exact),
    ("freshness/", Reserve::Exact),
    ("paths/", Reserve::Under),
    // A composed handbook's list of its parts (`compose`).
    ("parts/", Reserve::Exact),
    ("search/", Reserve::Under),
    ("static/", Reserve::Under),
    ("tags/", Reserve::Under),
    ("services/", Reserve::Under),
    ("teams/", Reserve::Under),
    ("alerts/", Reserve::Under),
    ("alerts.json", Reserve::Exact),
    ("404.html", Reserve::Exact),
    ("sitemap.xml", Reserve::Exact),
    // `fieldbook serve`: `api/search` and `__fieldbook/` (live reload).
    ("api/", Reserve::Under),
];

/// Whether `url` (site-relative, no leading slash) is one of the site's own ([`RESERVED`]).
pub fn is_reserved(url: &str) -> bool {
    let url = url.trim_start_matches('/');
    url.starts_with("__fieldbook/")
        || RESERVED.iter().any(|(r, how)| match how {
            Reserve::Exact => url == *r,
            Reserve::Under => url.starts_with(r) || format!("{url}/") == *r,
        })
}

/// Whether `segment` is the first segment of one of the site's own URLs: a folder or file
/// at the site's root that only Fieldbook writes (`runbooks`, `tags`, `search`, ...).
pub fn is_reserved_segment(segment: &str) -> bool {
    !segment.is_empty()
        && RESERVED
            .iter()
            .any(|(r, _)| r.split_once('/').map_or(*r, |(first, _)| first) == segment)
}

/// How document paths become URLs (`[build] urls`, chosen by the caller: content knows no
/// configuration).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UrlScheme {
    /// A folder per page: `runbooks/db/failover.md` → `runbooks/db/failover/`.
    #[default]
    Pretty,
    /// The file the source tool published: `runbooks/db/failover.md` →
    /// `runbooks/db/failover.html`.
    Source,
}

/// The file extensions of Markdown documents: what [`source_stem`] strips.
pub const DOC_EXTENSIONS: [&str; 2] = [".md", ".markdown"];

/// A document path without its Markdown extension (`a/b.html.md` → `a/b.html`), or `None`
/// when the path is not a Markdown file's.
pub fn source_stem(rel: &str) -> Option<&str> {
    DOC_EXTENSIONS.iter().find_map(|x| rel.strip_suffix(x))
}

/// The page URL of a document in the pretty scheme (see [`doc_url_as`]).
pub fn doc_url(rel: &str) -> String {
    doc_url_as(rel, UrlScheme::Pretty)
}

/// The page URL of a document: `runbooks/db/failover.md` → `runbooks/db/failover/` (pretty)
/// or `runbooks/db/failover.html` (source), `courses/oncall/index.md` → `courses/oncall/`.
pub fn doc_url_as(rel: &str, scheme: UrlScheme) -> String {
    page_url(source_stem(rel).unwrap_or(rel), scheme)
}

/// The page URL of a document path without its extensions (`a/b`, `a/index`). A page whose
/// name already ends in `.html` (`foo.html.md`) keeps that name in both schemes: `foo.html`.
pub fn page_url(stem: &str, scheme: UrlScheme) -> String {
    let (dir, name) = match stem.rsplit_once('/') {
        Some((d, n)) => (Some(d), n),
        None => (None, stem),
    };
    let folder = |d: Option<&str>| d.map(|d| format!("{}/", encode_path(d)));
    match name {
        "index" | "index.html" => folder(dir).unwrap_or_default(),
        n if n.ends_with(".html") => encode_path(stem),
        _ if scheme == UrlScheme::Source => format!("{}.html", encode_path(stem)),
        _ => format!("{}/", encode_path(stem)),
    }
}

/// The file a URL is written to, relative to the output directory.
pub fn output_file(url: &str) -> String {
    let decoded = percent_decode(url);
    if decoded.is_empty() || decoded.ends_with('/') {
        format!("{decoded}index.html")
    } else {
        decoded
    }
}

/// `../` once per directory level of `url`: the way back to the site root.
pub fn root_of(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// A URL-safe slug for tags, services and team ids: lowercase letters, digits and `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "-".into()
    } else {
        encode_path(&out)
    }
}

/// The page of a service (`services/<slug>/`): its runbooks, incidents and actions.
pub fn service_url(name: &str) -> String {
    format!("services/{}/", slug(name))
}

/// The stable page URL of an alert (`alerts/KubePodCrashLooping/`), the target of
/// Prometheus' `runbook_url`. Case is kept, so the name reads as Prometheus writes it;
/// characters other than ASCII letters, digits, `_` and `-` become `-` (a `:` would make the
/// relative link a URL scheme).
pub fn alert_url(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    out.push_str("alerts/");
    for c in name.trim().chars() {
        out.push(if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '-'
        });
    }
    if out.len() == "alerts/".len() {
        out.push('-');
    }
    out.push('/');
    out
}

/// Percent-encode what may not stand in a path segment (spaces in file names, `#`, `?`, `%`).
pub fn encode_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_get_directory_urls() {
        assert_eq!(doc_url("runbooks/db/failover.md"), "runbooks/db/failover/");
        assert_eq!(doc_url("courses/oncall/index.md"), "courses/oncall/");
        assert_eq!(doc_url("index.md"), "");
        assert_eq!(
            doc_url("postmortems/PM 1 - DNS.md"),
            "postmortems/PM%201%20-%20DNS/"
        );
        assert_eq!(
            output_file("postmortems/PM%201%20-%20DNS/"),
            "postmortems/PM 1 - DNS/index.html"
        );
        assert_eq!(output_file(""), "index.html");
        assert_eq!(doc_url("guide/setup.html.md"), "guide/setup.html");
        assert_eq!(page_url("guide/index.html", UrlScheme::Source), "guide/");
        assert_eq!(doc_url_as("a/b.md", UrlScheme::Source), "a/b.html");
        assert_eq!(doc_url_as("a/index.md", UrlScheme::Source), "a/");
        assert_eq!(doc_url_as("index.md", UrlScheme::Source), "");
        assert_eq!(doc_url_as("a/b.html.md", UrlScheme::Source), "a/b.html");
        assert_eq!(output_file("guide/setup.html"), "guide/setup.html");
        assert_eq!(source_stem("a/b.MD"), None);
        assert_eq!(source_stem("a/b.png"), None);
        assert_eq!(output_file("sitemap.xml"), "sitemap.xml");
    }

    #[test]
    fn roots_and_slugs() {
        assert_eq!(root_of(""), "");
        assert_eq!(root_of("runbooks/db/failover/"), "../../../");
        assert_eq!(slug("Team DB / Ops"), "team-db-ops");
        assert_eq!(slug("  "), "-");
        assert_eq!(slug("k8s"), "k8s");
        assert_eq!(
            alert_url("KubePodCrashLooping"),
            "alerts/KubePodCrashLooping/"
        );
        assert_eq!(
            alert_url("job:errors:rate5m high"),
            "alerts/job-errors-rate5m-high/"
        );
        assert_eq!(alert_url(" "), "alerts/-/");
    }
}

#[cfg(test)]
mod reserved_tests {
    use super::*;

    #[test]
    fn the_sites_own_urls_are_reserved() {
        for url in [
            "",
            "runbooks/",
            "tags/db/",
            "alerts/KubePodCrashLooping/",
            "alerts.json",
            "404.html",
            "sitemap.xml",
            "static/fieldbook.css",
            "search/t/0.json",
            "paths/sre/",
            "actions/",
            "learning/",
            "api/search",
            "__fieldbook/live.js",
            "tags",
        ] {
            assert!(is_reserved(url), "{url:?}");
        }
        for url in [
            "runbooks/old/",
            "docs/x/",
            "actions/x/",
            "searching/",
            "index.htm",
        ] {
            assert!(!is_reserved(url), "{url:?}");
        }
        for seg in [
            "runbooks", "tags", "search", "static", "alerts", "paths", "api", "learning",
        ] {
            assert!(is_reserved_segment(seg), "{seg}");
        }
        assert!(!is_reserved_segment("payments") && !is_reserved_segment(""));
    }
}
