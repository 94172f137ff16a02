//! `fieldbook init`: a starter site, or (`--from`) the configuration for an existing docs tree
//! — mdBook, MkDocs, Hugo, Docusaurus, GOV.UK tech docs or plain Markdown. It writes only new
//! files (the config and a starter owners.yaml), never touches the docs, and refuses to
//! overwrite anything.

use crate::adopt::nav;
use crate::adopt::sources::{CODEOWNERS_PLACES, Codeowners};
use crate::content::date::Date;
use crate::diagnostic::Diagnostic;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What `--from` recognised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detected {
    /// mdBook, MkDocs, ...
    pub tool: &'static str,
    pub title: Option<String>,
    /// The Markdown directory (absolute).
    pub content: PathBuf,
    /// A foreign `book.toml` sits in the tree's root.
    pub foreign_book_toml: bool,
    /// `[[courses]]` entries to write: (slug, key, path relative to the site, section).
    pub courses: Vec<(String, &'static str, String, Option<String>)>,
    /// `[build] urls`: `"source"` when the tool published `a/b.html` (Middleman, mdBook, Hugo
    /// with `uglyURLs`), else `"pretty"`.
    pub urls: &'static str,
    /// The published site's address (GOV.UK `host`).
    pub base_url: Option<String>,
    /// The default owner's Slack channel (GOV.UK `default_owner_slack`).
    pub default_owner_slack: Option<String>,
    /// `[extra]` values for templates: (key, TOML value).
    pub extra: Vec<(String, String)>,
    /// A course's prerequisites (course slugs), for `[[courses]]` entries.
    pub prerequisites: std::collections::HashMap<String, Vec<String>>,
    /// `[[paths]]` to write: (id, title, course slugs in order).
    pub paths: Vec<(String, String, Vec<String>)>,
}

/// Run `fieldbook init [DIR]` or `fieldbook init --from TREE [DIR]`.
pub fn run(
    dir: Option<&Path>,
    from: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let result = match from {
        None => starter(dir.unwrap_or(Path::new("."))),
        Some(tree) => adopt(tree, dir.unwrap_or(tree)),
    };
    match result {
        Ok(lines) => {
            for l in lines {
                writeln!(out, "{l}")?;
            }
            Ok(0)
        }
        Err(msg) => {
            writeln!(err, "error: {msg}")?;
            Ok(2)
        }
    }
}

/// Files are all checked before any is written, so a refusal writes nothing.
fn write_new(files: &[(PathBuf, String)]) -> Result<(), String> {
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(format!(
            "refusing to overwrite {} (init only writes new files; move it aside or edit it by hand)",
            existing.join(", ")
        ));
    }
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn starter(dir: &Path) -> Result<Vec<String>, String> {
    let today = Date::today();
    let config_name = crate::config::file_name(dir);
    if dir.join(config_name).exists() {
        return Err(format!(
            "refusing to overwrite {} (the directory is already a site)",
            dir.join(config_name).display()
        ));
    }
    let book = format!(
        "[book]\ntitle = \"Reliability Handbook\"\ndescription = \"Runbooks, postmortems and onboarding courses\"\nbase_url = \"/\"\n\n\
         [build]\ncontent = \"content\"\noutput = \"public\"\n\n[owners]\nfile = \"owners.yaml\"\n\n{FRESHNESS}\n\
         [check]\nfail_on = [\"invalid-metadata\", \"unknown-owner\", \"lapsed-owner\", \"broken-link\", \"broken-anchor\"]\n"
    );
    let owners = "# Who may own documents. Mark people who leave with `left: YYYY-MM-DD`.\npeople:\n  you: { name: Your Name, email: you@example.com }\nteams:\n  team-sre:\n    name: Site Reliability\n    members: [you]\n    channel: \"#sre\"\n";
    let runbook = format!(
        "---\ntitle: Disk almost full\nowners: [team-sre]\nreviewed: {today}\nreview_every: 90d\nservices: [example]\nalerts: [NodeDiskAlmostFull]\nseverity: warning\n---\n\
         # Disk almost full\n\n## Symptoms\n\nThe `NodeDiskAlmostFull` alert fires: a volume is over 90% full.\n\n\
         ## Steps\n\n1. Find what grew: `du -xh / | sort -h | tail`.\n2. Rotate or delete old logs.\n3. If the data is real, grow the volume.\n\n\
         ## Afterwards\n\nRun `fieldbook review content/runbooks/disk-almost-full.md` once an owner has checked these steps.\n"
    );
    let files = vec![
        (dir.join(crate::config::CONFIG_FILE), book),
        (dir.join("owners.yaml"), owners.to_string()),
        (dir.join("content/runbooks/disk-almost-full.md"), runbook),
    ];
    write_new(&files)?;
    Ok(vec![
        format!("wrote a starter handbook in {}:", dir.display()),
        "  book.toml, owners.yaml, content/runbooks/disk-almost-full.md".into(),
        "next steps:".into(),
        "  - put your people and teams in owners.yaml".into(),
        format!(
            "  - `fieldbook serve {}` to preview, `fieldbook check {}` in CI",
            dir.display(),
            dir.display()
        ),
    ])
}

const FRESHNESS: &str = "[freshness]\nrunbook = \"90d\"\ncourse = \"180d\"\npage = \"365d\"\npostmortem = \"never\"\nwarn_before = \"14d\"\n";

/// Recognise the docs tool of `tree`.
pub fn detect(tree: &Path) -> Detected {
    let read = |p: &str| read_inside(tree, &tree.join(p));
    let mut d = Detected {
        tool: "plain Markdown",
        title: None,
        content: tree.to_path_buf(),
        foreign_book_toml: false,
        courses: vec![],
        urls: "pretty",
        base_url: None,
        default_owner_slack: None,
        extra: vec![],
        prerequisites: Default::default(),
        paths: vec![],
    };
    if let Some(text) = read("book.toml") {
        let v: toml::Table = toml::from_str(&text).unwrap_or_default();
        let book = v.get("book").and_then(|b| b.as_table());
        let src = book
            .and_then(|b| b.get("src"))
            .and_then(|s| s.as_str())
            .unwrap_or("src");
        // A minimal mdBook book.toml (`[book] title`) also parses as Fieldbook's: its
        // SUMMARY.md tells them apart.
        d.foreign_book_toml = crate::config::parse(tree, &text).is_err()
            || tree.join(src).join("SUMMARY.md").is_file();
    }
    if d.foreign_book_toml
        && let Some(text) = read("book.toml")
    {
        let v: toml::Table = toml::from_str(&text).unwrap_or_default();
        let book = v.get("book").and_then(|b| b.as_table());
        if book.is_some() || tree.join("src/SUMMARY.md").is_file() {
            d.tool = "mdBook";
            d.urls = "source";
            d.title = book
                .and_then(|b| b.get("title"))
                .and_then(|t| t.as_str())
                .map(str::to_string);
            let src = book
                .and_then(|b| b.get("src"))
                .and_then(|s| s.as_str())
                .unwrap_or("src");
            d.content = tree.join(src);
            if d.content.join("SUMMARY.md").is_file() {
                d.courses.push((
                    slug_of(d.title.as_deref().unwrap_or("handbook")),
                    "summary",
                    format!("{src}/SUMMARY.md"),
                    None,
                ));
            }
            return d;
        }
    }
    for name in ["mkdocs.yml", "mkdocs.yaml"] {
        let Some(text) = read(name) else { continue };
        d.tool = "MkDocs";
        if let Ok(m) = nav::parse_mkdocs(&text, None) {
            d.title = m.site_name.clone();
            d.content = tree.join(&m.docs_dir);
            let site_name = d.title.clone();
            if !m.nav.entries.is_empty() && curriculum(&text, site_name.as_deref(), name, &mut d) {
                // Levels of series of courses of lessons: each course in its place.
            } else if !m.nav.entries.is_empty() {
                let sections = course_sections(&text);
                if sections.is_empty() {
                    d.courses.push((
                        slug_of(d.title.as_deref().unwrap_or("handbook")),
                        "nav",
                        name.to_string(),
                        None,
                    ));
                }
                for s in sections {
                    d.courses
                        .push((slug_of(&s), "nav", name.to_string(), Some(s)));
                }
            }
        } else {
            d.content = tree.join("docs");
        }
        return d;
    }
    let hugo = [
        "hugo.toml",
        "hugo.yaml",
        "config.toml",
        "config.yaml",
        "config.yml",
    ]
    .iter()
    .any(|f| tree.join(f).is_file());
    if hugo && tree.join("content").is_dir() {
        d.tool = "Hugo";
        d.content = tree.join("content");
        d.urls = if hugo_ugly_urls(tree) {
            "source"
        } else {
            "pretty"
        };
        d.title = ["hugo.toml", "config.toml"]
            .iter()
            .filter_map(|f| read(f))
            .find_map(|t| {
                toml::from_str::<toml::Table>(&t)
                    .ok()?
                    .get("title")?
                    .as_str()
                    .map(str::to_string)
            });
        return d;
    }
    if ["docusaurus.config.js", "docusaurus.config.ts"]
        .iter()
        .any(|f| tree.join(f).is_file())
    {
        d.tool = "Docusaurus";
        d.content = tree.join("docs");
        return d;
    }
    if let Some(text) = read("config/tech-docs.yml") {
        d.tool = "GOV.UK tech docs";
        d.content = tree.join("source");
        d.urls = "source";
        tech_docs(&text, &mut d);
        return d;
    }
    d
}

/// Hugo's `uglyURLs = true` (`a/b.html` rather than `a/b/`) in its configuration.
fn hugo_ugly_urls(tree: &Path) -> bool {
    let read = |f: &str| read_text(&tree.join(f));
    let toml_ugly = ["hugo.toml", "config.toml"]
        .iter()
        .filter_map(|f| read(f))
        .filter_map(|t| toml::from_str::<toml::Table>(&t).ok())
        .any(|t| t.get("uglyURLs").and_then(|v| v.as_bool()) == Some(true));
    let yaml_ugly = ["hugo.yaml", "config.yaml", "config.yml"]
        .iter()
        .filter_map(|f| read(f))
        .filter_map(|t| serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&t).ok())
        .any(|v| v.get("uglyURLs").and_then(|u| u.as_bool()) == Some(true));
    toml_ugly || yaml_ugly
}

/// The GOV.UK tech docs template's `config/tech-docs.yml`: `service_name` is the title,
/// `host` the base URL, `default_owner_slack` the default owner; `owner_slack_workspace` and
/// `show_review_banner` are passed on to templates.
fn tech_docs(text: &str, d: &mut Detected) {
    let Ok(v) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) else {
        return;
    };
    let string = |k: &str| {
        v.get(k)
            .and_then(|s| s.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    d.title = string("service_name");
    d.base_url = string("host").map(|h| {
        let h = if h.contains("://") {
            h
        } else {
            format!("https://{h}")
        };
        format!("{}/", h.trim_end_matches('/'))
    });
    d.default_owner_slack = string("default_owner_slack");
    if let Some(w) = string("owner_slack_workspace") {
        d.extra.push(("owner_slack_workspace".into(), toml_str(&w)));
    }
    if let Some(b) = v.get("show_review_banner").and_then(|b| b.as_bool()) {
        d.extra.push(("show_review_banner".into(), b.to_string()));
    }
}

/// Words that make a top-level nav section read as a course.
const COURSE_WORDS: [&str; 6] = [
    "onboarding",
    "training",
    "course",
    "getting started",
    "tutorial",
    "learn",
];

/// Words that, besides [`COURSE_WORDS`], make a nav or site read as a curriculum.
const CURRICULUM_WORDS: [&str; 8] = [
    "level",
    "curriculum",
    "school",
    "101",
    "lesson",
    "module",
    "bootcamp",
    "series",
];

/// A curriculum: a nav whose sections nest (levels › series › courses › lessons) and that
/// reads as training. Each section holding pages becomes a course, in nav order, each after
/// the one before it (its prerequisite); each top-level section becomes a learning path of
/// its courses. Returns whether `text` was one.
fn curriculum(text: &str, site_name: Option<&str>, file: &str, d: &mut Detected) -> bool {
    let leaves = nav::leaf_sections(text);
    if !leaves.iter().any(|p| p.len() >= 2) {
        return false;
    }
    let training = |s: &str| {
        let s = s.to_lowercase();
        COURSE_WORDS
            .iter()
            .chain(&CURRICULUM_WORDS)
            .any(|w| s.contains(w))
    };
    if !site_name.is_some_and(training) && !leaves.iter().flatten().any(|s| training(s)) {
        return false;
    }
    let mut used = std::collections::HashSet::new();
    let mut paths: Vec<(String, String, Vec<String>)> = Vec::new();
    for path in &leaves {
        let mut slug = slug_of(path.last().map_or("course", String::as_str));
        if !used.insert(slug.clone()) {
            slug = slug_of(&path.join(" "));
            used.insert(slug.clone());
        }
        if let Some((prev, ..)) = d.courses.last() {
            d.prerequisites.insert(slug.clone(), vec![prev.clone()]);
        }
        d.courses.push((
            slug.clone(),
            "nav",
            file.to_string(),
            Some(path.join(" / ")),
        ));
        let top = &path[0];
        match paths.iter_mut().find(|p| p.1 == *top) {
            Some(p) => p.2.push(slug),
            None if path.len() >= 2 => paths.push((slug_of(top), top.clone(), vec![slug])),
            None => {}
        }
    }
    d.paths = paths;
    true
}

/// Top-level nav sections that read as training: each becomes a course.
fn course_sections(mkdocs: &str) -> Vec<String> {
    let Ok(v) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(mkdocs) else {
        return vec![];
    };
    v.get("nav")
        .and_then(|n| n.as_sequence())
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let (k, v) = item.as_mapping()?.iter().next()?;
            let k = k.as_str()?;
            (v.is_sequence() && COURSE_WORDS.iter().any(|w| k.to_lowercase().contains(w)))
                .then(|| k.to_string())
        })
        .collect()
}

fn slug_of(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "handbook".into()
    } else {
        out
    }
}

/// An owner found in the tree, with where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct FoundOwner {
    team: bool,
    /// `github:` / `email:` key to write.
    key: Option<(&'static str, String)>,
    places: Vec<String>,
}

fn adopt(tree: &Path, site: &Path) -> Result<Vec<String>, String> {
    if !tree.is_dir() {
        return Err(format!("{} is not a directory", tree.display()));
    }
    let site_abs = std::path::absolute(site).map_err(|e| e.to_string())?;
    let d = detect(tree);
    let content_abs = std::path::absolute(&d.content).map_err(|e| e.to_string())?;
    let tree_abs = std::path::absolute(tree).map_err(|e| e.to_string())?;
    let Ok(content_rel) = content_abs.strip_prefix(&site_abs) else {
        return Err(format!(
            "the docs ({}) must be inside the site directory {} (pass the tree's root or one of its parents as DIR)",
            content_abs.display(),
            site_abs.display()
        ));
    };
    if !content_abs.is_dir() {
        return Err(format!(
            "the docs directory {} does not exist",
            content_abs.display()
        ));
    }
    let content_rel = crate::content::slash(content_rel);
    let content_rel = if content_rel.is_empty() {
        ".".to_string()
    } else {
        content_rel
    };
    let tree_rel = crate::content::slash(tree_abs.strip_prefix(&site_abs).unwrap_or(Path::new("")));
    let own = |name: &str| {
        read_text(&site.join(name)).is_some_and(|t| crate::config::parse(site, &t).is_ok())
    };
    if site.join(crate::config::FIELDBOOK_FILE).exists()
        || (!d.foreign_book_toml && own(crate::config::CONFIG_FILE))
    {
        return Err(format!(
            "{} is already a Fieldbook site (it has its configuration); edit it by hand",
            site.display()
        ));
    }
    let config_name = if d.foreign_book_toml || site.join("book.toml").exists() {
        crate::config::FIELDBOOK_FILE
    } else {
        crate::config::CONFIG_FILE
    };

    let (markdown, dirs, refused) = scan(&site_abs, &content_abs);
    // What was guessed, and how to change each guess.
    let mut inferred: Vec<String> = Vec::new();
    let title = match d.title.clone() {
        Some(t) => {
            inferred.push(format!(
                "title {t:?} from {}'s configuration (change [book] title)",
                d.tool
            ));
            t
        }
        None => match readme_title(&tree_abs).or_else(|| readme_title(&content_abs)) {
            Some(t) => {
                inferred.push(format!(
                    "title {t:?} from the README's first heading (change [book] title)"
                ));
                t
            }
            None => {
                let t = tree_abs
                    .file_name()
                    .map(|n| n.to_string_lossy().replace(['-', '_'], " "))
                    .unwrap_or_else(|| "Handbook".into());
                inferred.push(format!(
                    "title {t:?} from the folder's name (set [book] title)"
                ));
                t
            }
        },
    };
    // A handbook that calls itself runbooks holds runbooks, not pages.
    let runbook_handbook = title.to_lowercase().contains("runbook") && d.courses.is_empty();
    let kinds = kinds_for(&markdown, &dirs, runbook_handbook);
    if kinds
        .get("runbook")
        .is_some_and(|k| k.iter().any(|p| p == "**"))
    {
        inferred.push(
            "every document is a runbook (the handbook calls itself runbooks), READMEs and index pages excepted (edit [kinds])".into(),
        );
    }
    let named = markdown
        .iter()
        .filter(|m| crate::adopt::alert_of_path(m).is_some())
        .count();
    if named > 0 {
        inferred.push(format!(
            "{named} runbook{} named after the alert{} {} answer{} (alerts/<AlertName>.md); `alerts:` in front matter overrides it",
            if named == 1 { "" } else { "s" },
            if named == 1 { "" } else { "s" },
            if named == 1 { "it" } else { "they" },
            if named == 1 { "s" } else { "" },
        ));
    }
    let mut owners = owners_in_tree(&site_abs, &tree_abs, &content_abs, &markdown);
    let default_owner = d.default_owner_slack.as_ref().map(|channel| {
        let id = sanitize_id(channel);
        let e = owners.entry(id.clone()).or_default();
        e.team = true;
        e.key.get_or_insert(("channel", channel.clone()));
        e.places
            .push("config/tech-docs.yml (default_owner_slack)".into());
        id
    });

    let mut book = String::new();
    let _ = writeln!(
        book,
        "# Fieldbook configuration for the {} tree in {}, written by `fieldbook init --from`.",
        d.tool,
        if tree_rel.is_empty() { "." } else { &tree_rel }
    );
    if config_name == crate::config::FIELDBOOK_FILE {
        book.push_str("# It is fieldbook.toml because book.toml belongs to the other tool; Fieldbook reads this file first.\n");
    }
    let _ = writeln!(
        book,
        "\n[book]\ntitle = {}\nbase_url = {}\n\n[build]\ncontent = {}",
        toml_str(&title),
        toml_str(d.base_url.as_deref().unwrap_or("/")),
        toml_str(&content_rel)
    );
    // Markdown at the site's root: the output must be a folder the content walk skips.
    let output = if content_rel == "." {
        ".fieldbook-site"
    } else {
        "public"
    };
    let _ = writeln!(book, "output = {}", toml_str(output));
    if d.urls == "source" {
        let _ = writeln!(
            book,
            "# Pages keep the URLs {} published (a/b.html); \"pretty\" would make them a/b/.\nurls = \"source\"",
            d.tool
        );
    }
    book.push_str("\n[owners]\nfile = \"owners.yaml\"\n# Owners of documents that name none and match no CODEOWNERS/OWNERS entry:\n");
    match &default_owner {
        Some(id) => {
            let _ = writeln!(book, "default = {}  # default_owner_slack\n", toml_str(id));
        }
        None => book.push_str("# default = \"team-id\"\n\n"),
    }
    if d.tool == "GOV.UK tech docs" {
        // The gem reviews only pages with `review_in`: no period without one.
        book.push_str("# The tech docs gem reviews only pages that set `review_in`; others have no period here.\n");
        book.push_str(
            &FRESHNESS
                .replace("\"90d\"", "\"never\"")
                .replace("\"180d\"", "\"never\"")
                .replace("\"365d\"", "\"never\""),
        );
    } else {
        book.push_str(FRESHNESS);
    }
    book.push('\n');
    if !kinds.is_empty() {
        book.push_str("# Document kinds by path (in the content directory); front matter `kind:` still wins.\n[kinds]\n");
        for (kind, patterns) in &kinds {
            let list: Vec<String> = patterns.iter().map(|p| toml_str(p)).collect();
            let _ = writeln!(book, "{kind} = [{}]", list.join(", "));
        }
        book.push('\n');
    }
    for (slug, key, path, section) in &d.courses {
        let path = if tree_rel.is_empty() {
            path.clone()
        } else {
            format!("{tree_rel}/{path}")
        };
        let _ = writeln!(
            book,
            "[[courses]]\nslug = {}\n{key} = {}",
            toml_str(slug),
            toml_str(&path)
        );
        if let Some(s) = section {
            let _ = writeln!(book, "section = {}", toml_str(s));
        }
        if let Some(pre) = d.prerequisites.get(slug) {
            let list: Vec<String> = pre.iter().map(|p| toml_str(p)).collect();
            let _ = writeln!(book, "prerequisites = [{}]", list.join(", "));
        }
        book.push('\n');
    }
    for (id, title, courses) in &d.paths {
        let list: Vec<String> = courses.iter().map(|c| toml_str(c)).collect();
        let _ = writeln!(
            book,
            "[[paths]]\nid = {}\ntitle = {}\ncourses = [{}]\n",
            toml_str(id),
            toml_str(title),
            list.join(", ")
        );
    }
    if !d.paths.is_empty() {
        inferred.push(format!(
            "{} course{} in {} learning path{} from the nav's sections, each course after the one before it (edit [[courses]] and [[paths]])",
            d.courses.len(),
            if d.courses.len() == 1 { "" } else { "s" },
            d.paths.len(),
            if d.paths.len() == 1 { "" } else { "s" },
        ));
    }
    if !d.extra.is_empty() {
        let _ = writeln!(book, "# From {}, for templates.\n[extra]", d.tool);
        for (k, v) in &d.extra {
            let _ = writeln!(book, "{k} = {v}");
        }
        book.push('\n');
    }
    book.push_str("[check]\n# Record today's findings with `fieldbook check --update-baseline`; then only new ones fail.\n# baseline = \"fieldbook-baseline.json\"\n");

    let files = vec![
        (site.join(config_name), book),
        (site.join("owners.yaml"), owners_yaml(&owners)),
    ];
    write_new(&files)?;
    let mut lines = vec![
        format!(
            "{} tree found: content = \"{content_rel}\" ({} Markdown files)",
            d.tool,
            markdown.len()
        ),
        format!(
            "wrote {} and owners.yaml ({} owners found, to be filled in)",
            files[0].0.display(),
            owners.len()
        ),
        "the docs themselves are unchanged".into(),
    ];
    lines.extend(inferred.iter().map(|i| format!("inferred: {i}")));
    lines.extend([
        "next steps:".into(),
        "  - fill in owners.yaml: names, team members, `left:` dates".into(),
        format!(
            "  - `fieldbook check {}` lists what is missing (owners, review dates)",
            site.display()
        ),
        format!(
            "  - set [check] baseline = \"fieldbook-baseline.json\" and run `fieldbook check --update-baseline {}` to fail CI only on new findings",
            site.display()
        ),
    ]);
    if output != "public" {
        lines.push(format!("  - add {output}/ to .gitignore (the built site)"));
    }
    for f in refused {
        lines.push(format!("  - skipped: {}", f.message));
    }
    Ok(lines)
}

fn toml_str(s: &str) -> String {
    // TOML basic strings escape like JSON strings.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Markdown files and directories under `content` (content-relative), hidden ones skipped,
/// and the links leading outside the site directory `site` (not read: `symlink-outside`).
fn scan(site: &Path, content: &Path) -> (Vec<String>, Vec<String>, Vec<Diagnostic>) {
    let mut md = Vec::new();
    let mut dirs = Vec::new();
    let mut refused = Vec::new();
    let walker = crate::load::walk_inside(site, content, crate::load::is_hidden, &mut refused);
    for e in walker.flatten() {
        let rel = crate::content::slash(e.path().strip_prefix(content).unwrap_or(e.path()));
        if e.file_type().is_dir() {
            if e.depth() > 0 {
                dirs.push(rel);
            }
        } else if crate::load::is_markdown(&rel) {
            md.push(rel);
        }
    }
    (md, dirs, refused)
}

/// A file of the tree, unless a symbolic link leads it outside the site directory.
fn read_inside(site: &Path, path: &Path) -> Option<String> {
    if crate::config::leads_outside(site, path) {
        return None;
    }
    read_text(path)
}

/// A file of the tree being adopted, as text: a regular file only (a FIFO there never
/// blocks `init`), bounded in size.
fn read_text(path: &Path) -> Option<String> {
    let bytes = crate::config::read_regular(path, crate::config::MAX_CONFIG_BYTES).ok()?;
    String::from_utf8(bytes).ok()
}

/// `[kinds]` from directory names (`alerts/` → runbooks, `incidents/` → postmortems) and,
/// for a flat folder of incident write-ups, from file names.
/// The first `# heading` of the README (or index page) at the top of `dir`.
fn readme_title(dir: &Path) -> Option<String> {
    [
        "README.md",
        "readme.md",
        "Readme.md",
        "index.md",
        "_index.md",
    ]
    .iter()
    .filter_map(|f| read_text(&dir.join(f)))
    .find_map(|text| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix("# "))
            .map(|t| t.trim().trim_end_matches('#').trim().to_string())
            .filter(|t| !t.is_empty())
    })
}

fn kinds_for(
    markdown: &[String],
    dirs: &[String],
    runbook_handbook: bool,
) -> BTreeMap<&'static str, Vec<String>> {
    let mut kinds: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let runbook = [
        "runbook",
        "runbooks",
        "alerts",
        "playbooks",
        "playbook",
        "sops",
    ];
    let postmortem = [
        "postmortems",
        "post-mortems",
        "incidents",
        "incident-reports",
        "retrospectives",
        "postmortem",
    ];
    for d in dirs {
        let name = d.rsplit('/').next().unwrap_or(d).to_lowercase();
        // FORMAT.md's own `runbooks/` and `postmortems/` at the top need no pattern.
        if d == "runbooks" || d == "postmortems" {
            continue;
        }
        let parent_listed =
            |k: &[String]| k.iter().any(|p| d.starts_with(p.trim_end_matches("/**")));
        if runbook.contains(&name.as_str())
            && !parent_listed(kinds.get("runbook").map_or(&[], |v| v))
        {
            kinds.entry("runbook").or_default().push(format!("{d}/**"));
        } else if postmortem.contains(&name.as_str())
            && !parent_listed(kinds.get("postmortem").map_or(&[], |v| v))
        {
            kinds
                .entry("postmortem")
                .or_default()
                .push(format!("{d}/**"));
        }
    }
    let incident_like = |f: &String| {
        let n = f.rsplit('/').next().unwrap_or(f).to_lowercase();
        n.contains("postmortem")
            || n.contains("post-mortem")
            || n.contains("incident")
            || (n.starts_with("pm") && n[2..].starts_with(|c: char| c.is_ascii_digit()))
    };
    let top: Vec<&String> = markdown.iter().filter(|f| !f.contains('/')).collect();
    let n = top.iter().filter(|f| incident_like(f)).count();
    if n >= 3 && n * 2 > top.len() {
        kinds.entry("postmortem").or_default().push("/*.md".into());
        // The tree's own README stays a page.
        kinds
            .entry("page")
            .or_default()
            .insert(0, "/README.md".into());
    }
    let native = dirs.iter().any(|d| d == "runbooks" || d == "postmortems");
    if runbook_handbook && kinds.is_empty() && !native {
        kinds.insert(
            "page",
            [
                "**/README.md",
                "**/readme.md",
                "**/index.md",
                "**/_index.md",
            ]
            .map(String::from)
            .to_vec(),
        );
        kinds.insert("runbook", vec!["**".into()]);
    }
    kinds
}

/// Owner ids the tree names: front matter `owner`/`owners`, CODEOWNERS handles, OWNERS
/// approvers and reviewers.
fn owners_in_tree(
    site: &Path,
    tree: &Path,
    content: &Path,
    markdown: &[String],
) -> BTreeMap<String, FoundOwner> {
    let mut found: BTreeMap<String, FoundOwner> = BTreeMap::new();
    let mut add = |id: String, team: bool, key: Option<(&'static str, String)>, place: String| {
        let id = sanitize_id(&id);
        if id.is_empty() {
            return;
        }
        let e = found.entry(id).or_default();
        e.team |= team;
        if e.key.is_none() {
            e.key = key;
        }
        if e.places.len() < 3 && !e.places.contains(&place) {
            e.places.push(place);
        }
    };
    for rel in markdown {
        let Some(text) = read_inside(site, &content.join(rel)) else {
            continue;
        };
        let Ok(split) = crate::content::front_matter::split(&text) else {
            continue;
        };
        let Ok(parsed) = crate::adopt::parse_front_matter(&split) else {
            continue;
        };
        let m = parsed.meta;
        for id in m
            .owners
            .or(m.owner)
            .map(|o| o.into_vec())
            .unwrap_or_default()
        {
            // GOV.UK `owner_slack`: a team's channel or a person's handle.
            let key = match id.chars().next() {
                Some('#') => Some(("channel", id.clone())),
                Some('@') => Some(("slack", id.clone())),
                _ => None,
            };
            let team = key.as_ref().is_some_and(|(k, _)| *k == "channel")
                || id.starts_with("team")
                || id.ends_with("-team")
                || id.contains("team-");
            add(id, team, key, format!("front matter of {rel}"));
        }
    }
    for place in CODEOWNERS_PLACES {
        let Some(text) = read_inside(site, &tree.join(place)) else {
            continue;
        };
        let (c, _) = Codeowners::parse(place, "", &text);
        for (handle, line) in c.handles() {
            let (id, team, key) = if let Some(h) = handle.strip_prefix('@') {
                let team = h.contains('/');
                let id = h.rsplit('/').next().unwrap_or(h).to_string();
                (id, team, ("github", handle.to_string()))
            } else {
                (
                    handle.split('@').next().unwrap_or("").to_string(),
                    false,
                    ("email", handle.to_string()),
                )
            };
            add(
                id,
                team,
                Some(key),
                format!("{place} line {line} as {handle}"),
            );
        }
        break;
    }
    let mut refused = Vec::new();
    let walker = crate::load::walk_inside(site, tree, crate::load::is_hidden, &mut refused);
    for e in walker.flatten().filter(|e| e.file_name() == "OWNERS") {
        let Some(text) = read_text(e.path()) else {
            continue;
        };
        let Ok(v) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text) else {
            continue;
        };
        let shown = crate::content::slash(e.path().strip_prefix(tree).unwrap_or(e.path()));
        for key in ["approvers", "reviewers"] {
            for login in v
                .get(key)
                .and_then(|l| l.as_sequence())
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str())
            {
                add(
                    login.to_string(),
                    false,
                    Some(("github", login.to_string())),
                    format!("{shown} ({key})"),
                );
            }
        }
    }
    found
}

fn sanitize_id(id: &str) -> String {
    id.trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

fn owners_yaml(owners: &BTreeMap<String, FoundOwner>) -> String {
    let mut s = String::from(
        "# Starter owners registry written by `fieldbook init --from`: every owner the tree names.\n\
         # TODO: give each a name, put people into teams (`members:`), mark people who left\n\
         # (`left: YYYY-MM-DD`). `github:`/`email:` keys map CODEOWNERS and OWNERS handles onto ids.\n",
    );
    let entry = |s: &mut String, id: &str, o: &FoundOwner| {
        let comment = o.places.join("; ").replace(['\n', '\r'], " ");
        let _ = writeln!(s, "  {}:  # TODO: found in {comment}", json(id));
        if let Some((k, v)) = &o.key {
            let _ = writeln!(s, "    {k}: {}", json(v));
        }
        if o.team {
            s.push_str("    members: []\n");
        } else {
            s.push_str("    name: null\n");
        }
    };
    for (section, teams) in [("people", false), ("teams", true)] {
        let _ = write!(s, "{section}:");
        let listed: Vec<_> = owners.iter().filter(|(_, o)| o.team == teams).collect();
        s.push_str(if listed.is_empty() { " {}\n" } else { "\n" });
        for (id, o) in listed {
            entry(&mut s, id, o);
        }
    }
    s
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_yaml_parses_and_lists_every_owner() {
        let mut found = BTreeMap::new();
        found.insert(
            "team-db".to_string(),
            FoundOwner {
                team: true,
                key: Some(("github", "@acme/team-db".into())),
                places: vec![".github/CODEOWNERS line 2 as @acme/team-db".into()],
            },
        );
        found.insert(
            "alice".to_string(),
            FoundOwner {
                team: false,
                key: None,
                places: vec!["front matter of a.md".into()],
            },
        );
        let text = owners_yaml(&found);
        let o = crate::model::owners::parse("owners.yaml", &text).unwrap();
        assert!(o.people.contains_key("alice") && o.teams.contains_key("team-db"));
        assert_eq!(
            crate::adopt::sources::map_handle(&o, "@acme/team-db").as_deref(),
            Some("team-db")
        );
        assert!(crate::model::owners::parse("owners.yaml", &owners_yaml(&BTreeMap::new())).is_ok());
    }

    #[test]
    fn a_minimal_mdbook_is_told_apart_by_its_summary() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"Ops\"\n").unwrap();
        assert!(!detect(dir.path()).foreign_book_toml, "a Fieldbook site");
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/SUMMARY.md"), "- [A](a.md)\n").unwrap();
        let d = detect(dir.path());
        assert_eq!((d.tool, d.foreign_book_toml), ("mdBook", true));
        assert_eq!(d.courses[0].2, "src/SUMMARY.md");
        assert_eq!(d.title.as_deref(), Some("Ops"));
    }

    #[test]
    fn other_tools_are_recognised_by_their_config() {
        for (marker, tool, content) in [
            ("hugo.toml", "Hugo", "content"),
            ("docusaurus.config.js", "Docusaurus", "docs"),
            ("config/tech-docs.yml", "GOV.UK tech docs", "source"),
            ("mkdocs.yml", "MkDocs", "docs"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(marker);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "title = \"T\"\n").unwrap();
            std::fs::create_dir(dir.path().join("content")).unwrap();
            let d = detect(dir.path());
            assert_eq!(
                (d.tool, d.content),
                (tool, dir.path().join(content)),
                "{marker}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(detect(dir.path()).tool, "plain Markdown");
    }

    #[test]
    fn url_schemes_follow_the_tool() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("hugo.toml"), "title = \"T\"\n").unwrap();
        assert_eq!(detect(dir.path()).urls, "pretty");
        std::fs::write(dir.path().join("hugo.toml"), "uglyURLs = true\n").unwrap();
        assert_eq!(detect(dir.path()).urls, "source");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("config")).unwrap();
        std::fs::write(
            dir.path().join("config/tech-docs.yml"),
            "service_name: Ops\nhost: docs.example.org\ndefault_owner_slack: \"#ops\"\n",
        )
        .unwrap();
        let d = detect(dir.path());
        assert_eq!((d.tool, d.urls), ("GOV.UK tech docs", "source"));
        assert_eq!(d.title.as_deref(), Some("Ops"));
        assert_eq!(d.base_url.as_deref(), Some("https://docs.example.org/"));
        assert_eq!(d.default_owner_slack.as_deref(), Some("#ops"));
    }

    #[test]
    fn slugs_and_kinds() {
        assert_eq!(slug_of("Acme Ops: Handbook!"), "acme-ops-handbook");
        assert_eq!(slug_of("¡!"), "handbook");
        let k = kinds_for(
            &["a.md".into()],
            &[
                "ops".into(),
                "ops/alerts".into(),
                "ops/alerts/runbook".into(),
                "incidents".into(),
                "runbooks".into(),
            ],
            true,
        );
        assert_eq!(k["runbook"], ["ops/alerts/**"]);
        assert_eq!(k["postmortem"], ["incidents/**"]);
        // A handbook that calls itself runbooks, with no layout saying otherwise.
        let k = kinds_for(&["a.md".into(), "db/b.md".into()], &["db".into()], true);
        assert_eq!(k["runbook"], ["**"]);
        assert!(k["page"].contains(&"**/README.md".to_string()));
        assert!(kinds_for(&["a.md".into()], &["db".into()], false).is_empty());
    }

    #[test]
    fn the_title_comes_from_the_readme_before_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("README.md"),
            "Intro\n\n# GitLab Runbooks\n\ntext\n",
        )
        .unwrap();
        assert_eq!(readme_title(dir.path()).as_deref(), Some("GitLab Runbooks"));
    }
}
