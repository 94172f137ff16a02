//! Links between documents: where a Markdown link leads inside the content directory. The
//! checks use it to find broken links, the site builder to rewrite links into page URLs.

/// Where an internal link leads, relative to the content directory.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkTarget {
    SameDoc(String),
    Path { rel: String, anchor: Option<String> },
}

/// Resolve `dest` as written in the document at `from` (content-relative). External links
/// (with a scheme, `//host`, `mailto:`) are not ours to check and give `None`; so do absolute
/// site paths that are not Markdown files or `.html` pages, since they name pages rather
/// than files (an adopted site's `/foo.html` names its page `foo.html.md`).
pub fn resolve_link(from: &str, dest: &str) -> Option<LinkTarget> {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with("//") || has_scheme(dest) {
        return None;
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(percent_decode(a))),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() {
        return anchor.map(LinkTarget::SameDoc);
    }
    let path = percent_decode(path);
    let base: Vec<&str> = if let Some(abs) = path.strip_prefix('/') {
        if !abs.ends_with(".md") && !abs.ends_with(".html") {
            return None;
        }
        vec![]
    } else {
        from.split('/').collect::<Vec<_>>()[..from.matches('/').count()].to_vec()
    };
    let mut parts: Vec<&str> = base;
    for seg in path.trim_start_matches('/').split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?; // climbing out of the content directory: not a page of ours
            }
            s => parts.push(s),
        }
    }
    Some(LinkTarget::Path {
        rel: parts.join("/"),
        anchor: anchor.filter(|a| !a.is_empty()),
    })
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) => {
            let scheme = &s[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// Decode `%XX` escapes (invalid ones are kept as written).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_links() {
        let p = |rel: &str, a: Option<&str>| {
            Some(LinkTarget::Path {
                rel: rel.into(),
                anchor: a.map(Into::into),
            })
        };
        assert_eq!(
            resolve_link("runbooks/db/a.md", "b.md"),
            p("runbooks/db/b.md", None)
        );
        assert_eq!(
            resolve_link("runbooks/db/a.md", "../../postmortems/x.md#timeline"),
            p("postmortems/x.md", Some("timeline"))
        );
        assert_eq!(
            resolve_link("a.md", "./img/My%20Pic.png"),
            p("img/My Pic.png", None)
        );
        assert_eq!(
            resolve_link("runbooks/a.md", "/runbooks/b.md"),
            p("runbooks/b.md", None)
        );
        assert_eq!(
            resolve_link("a.md", "#step-1"),
            Some(LinkTarget::SameDoc("step-1".into()))
        );
        assert_eq!(resolve_link("a.md", "https://x.y/z.md"), None);
        assert_eq!(resolve_link("a.md", "mailto:a@b"), None);
        assert_eq!(resolve_link("a.md", "//cdn/x"), None);
        assert_eq!(resolve_link("a.md", "/runbooks/"), None);
        assert_eq!(
            resolve_link("a/b.html.md", "/guide/setup.html#x"),
            p("guide/setup.html", Some("x"))
        );
        assert_eq!(resolve_link("a.md", "../../etc/passwd"), None);
    }
}
