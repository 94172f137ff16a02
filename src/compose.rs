//! `fieldbook compose PART_DIR... --output DIR` (docs/many-repos.md): parts built by
//! `build --part` merged into one site without re-rendering their pages. Each part's files are
//! copied under its prefix; the composer adds a home page listing the parts and what needs
//! review, `parts.json` (every part's manifest summary and search index, for federated
//! search), and checks the links between parts from the manifests alone.

use crate::build::output::{Staging, check_target};
use crate::build::part::{FORMAT_MAJOR, MANIFEST, invalid_name};
use crate::diagnostic::{Code, Diagnostic, Pos};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One part as read from its directory.
pub struct Part {
    pub dir: PathBuf,
    pub name: String,
    pub manifest: Value,
}

/// What [`compose`] did.
pub struct Composed {
    pub parts: usize,
    pub files: usize,
    pub output: PathBuf,
    /// Broken links between parts.
    pub findings: Vec<Diagnostic>,
}

fn fatal(file: &str, message: String) -> Vec<Diagnostic> {
    vec![Diagnostic::new(
        Code::OutputError,
        file,
        Pos::START,
        message,
    )]
}

/// Read the part in `dir`, refusing one built with another major format version.
pub fn read_part(dir: &Path) -> Result<Part, Vec<Diagnostic>> {
    let file = dir.join(MANIFEST);
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(&file)
        .map_err(|e| fatal(&shown, format!("cannot read the part manifest: {e}")))?;
    let manifest: Value = serde_json::from_str(&text)
        .map_err(|e| fatal(&shown, format!("the part manifest is not JSON: {e}")))?;
    let format = manifest["format"].as_u64();
    if format != Some(u64::from(FORMAT_MAJOR)) {
        let by = manifest["fieldbook"]
            .as_str()
            .unwrap_or("an unknown version");
        let found = format.map_or("none".to_string(), |f| f.to_string());
        return Err(vec![
            Diagnostic::new(
                Code::OutputError,
                &shown,
                Pos::START,
                format!(
                    "part format {found} (built by Fieldbook {by}) cannot be composed by Fieldbook {}, which reads part format {FORMAT_MAJOR}",
                    env!("CARGO_PKG_VERSION")
                ),
            )
            .with_hint("rebuild the part with this Fieldbook version (fieldbook build --part NAME)"),
        ]);
    }
    let name = manifest["name"].as_str().unwrap_or_default().to_string();
    if let Some(why) = invalid_name(&name) {
        return Err(fatal(&shown, why));
    }
    if !dir.join(&name).is_dir() {
        return Err(fatal(
            &shown,
            format!("the part's pages are missing: no {name}/ beside part.json"),
        ));
    }
    Ok(Part {
        dir: dir.to_path_buf(),
        name,
        manifest,
    })
}

/// The links between `parts` that lead nowhere: to a part that is not composed, a document
/// that part does not have, or an anchor that document does not have.
pub fn check_links(parts: &[Part]) -> Vec<Diagnostic> {
    // part → content path → anchors
    let mut docs: BTreeMap<&str, BTreeMap<&str, BTreeSet<&str>>> = BTreeMap::new();
    for p in parts {
        let entry = docs.entry(p.name.as_str()).or_default();
        for d in p.manifest["documents"].as_array().into_iter().flatten() {
            let anchors = d["anchors"].as_array().into_iter().flatten();
            entry.insert(
                d["path"].as_str().unwrap_or_default(),
                anchors.filter_map(Value::as_str).collect(),
            );
        }
    }
    let mut out = Vec::new();
    for p in parts {
        for d in p.manifest["documents"].as_array().into_iter().flatten() {
            let from = format!("{}:{}", p.name, d["path"].as_str().unwrap_or_default());
            for l in d["part_links"].as_array().into_iter().flatten() {
                let part = l["part"].as_str().unwrap_or_default();
                let path = l["path"].as_str().unwrap_or_default();
                let anchor = l["anchor"].as_str();
                let line = l["line"].as_u64().unwrap_or(1) as u32;
                let pos = Pos::new(line, 1, 0);
                let link = match anchor {
                    Some(a) => format!("{part}:{path}#{a}"),
                    None => format!("{part}:{path}"),
                };
                let problem = match docs.get(part) {
                    None => Some((Code::BrokenLink, format!("link to `{link}`: no part `{part}` is composed"))),
                    Some(paths) => match paths.get(path) {
                        None => Some((Code::BrokenLink, format!("link to `{link}`: part `{part}` has no document `{path}`"))),
                        Some(anchors) => anchor.filter(|a| !anchors.contains(a)).map(|a| {
                            (Code::BrokenAnchor, format!("link to `{link}`: `{path}` in part `{part}` has no anchor `{a}`"))
                        }),
                    },
                };
                if let Some((code, message)) = problem {
                    out.push(Diagnostic::new(code, from.clone(), pos, message));
                }
            }
        }
    }
    out
}

/// Compose the parts in `dirs` into `output`.
pub fn compose(dirs: &[PathBuf], output: &Path) -> Result<Composed, Vec<Diagnostic>> {
    let mut parts = Vec::new();
    let mut names = BTreeSet::new();
    for dir in dirs {
        let part = read_part(dir)?;
        if !names.insert(part.name.clone()) {
            return Err(fatal(
                &dir.join(MANIFEST).display().to_string(),
                format!("two parts are named `{}`", part.name),
            ));
        }
        parts.push(part);
    }
    let mut target = PathBuf::from(output);
    for p in &parts {
        target = check_target(output, &p.dir, &p.dir).map_err(|m| fatal("compose", m))?;
    }
    let staging = Staging::begin(&target).map_err(|e| {
        fatal(
            "compose",
            format!("cannot prepare {}: {e}", target.display()),
        )
    })?;
    let result = write(&parts, &staging.dir);
    match result {
        Ok(files) => {
            staging.commit().map_err(|e| {
                fatal(
                    "compose",
                    format!("cannot move the site into {}: {e}", target.display()),
                )
            })?;
            Ok(Composed {
                parts: parts.len(),
                files,
                output: target,
                findings: check_links(&parts),
            })
        }
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

fn write(parts: &[Part], dir: &Path) -> Result<usize, Vec<Diagnostic>> {
    let io = |what: &Path, e: std::io::Error| fatal("compose", format!("{}: {e}", what.display()));
    let mut files = 0;
    for p in parts {
        files += copy_tree(&p.dir.join(&p.name), &dir.join(&p.name)).map_err(|e| io(&p.dir, e))?;
    }
    let summary: Vec<Value> = parts
        .iter()
        .map(|p| {
            let m = &p.manifest;
            json!({
                "name": p.name,
                "title": m["title"],
                "prefix": m["prefix"],
                "fieldbook": m["fieldbook"],
                "roster": m["roster"],
                "search": m["search"],
                "documents": m["documents"].as_array().map_or(0, Vec::len),
            })
        })
        .collect();
    let index = json!({"format": FORMAT_MAJOR, "parts": summary});
    let mut bytes = serde_json::to_vec_pretty(&index).expect("JSON values serialize");
    bytes.push(b'\n');
    std::fs::write(dir.join("parts.json"), bytes).map_err(|e| io(dir, e))?;
    std::fs::write(dir.join("index.html"), home(parts)).map_err(|e| io(dir, e))?;
    Ok(files + 2)
}

/// Copy a directory tree; the number of files copied.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(to)?;
    let mut n = 0;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let t = e.file_type()?;
        if t.is_dir() {
            n += copy_tree(&e.path(), &to.join(e.file_name()))?;
        } else if t.is_file() {
            std::fs::copy(e.path(), to.join(e.file_name()))?;
            n += 1;
        }
    }
    Ok(n)
}

/// The composed home page: each part with its document count, then what needs review.
fn home(parts: &[Part]) -> String {
    let esc = |t: &str| {
        let mut out = String::new();
        let _ = pulldown_cmark_escape::escape_html(&mut out, t);
        out
    };
    let mut s = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Handbook</title></head><body><main>\n<h1>Handbook</h1>\n<h2>Parts</h2>\n<ul>\n",
    );
    let mut review = Vec::new();
    for p in parts {
        let m = &p.manifest;
        let docs = m["documents"].as_array().cloned().unwrap_or_default();
        s.push_str(&format!(
            "<li><a href=\"{}/\">{}</a> ({} documents)</li>\n",
            esc(&p.name),
            esc(m["title"].as_str().unwrap_or(&p.name)),
            docs.len()
        ));
        for d in docs {
            let state = d["state"].as_str().unwrap_or_default();
            if matches!(state, "stale" | "never-reviewed" | "due-soon") {
                review.push((
                    state.to_string(),
                    d["url"].as_str().unwrap_or_default().to_string(),
                    d["title"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    s.push_str("</ul>\n");
    if !review.is_empty() {
        s.push_str("<h2>Needs review</h2>\n<ul>\n");
        for (state, url, title) in review {
            s.push_str(&format!(
                "<li><a href=\"{}\">{}</a> — {}</li>\n",
                esc(&url),
                esc(&title),
                esc(&state)
            ));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</main></body></html>\n");
    s
}
