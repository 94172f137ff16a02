//! The module graph (docs/architecture.md): each stage uses only the stages before it, and no
//! module imports one that (transitively) imports it back. Read from the sources' own paths
//! (`use crate::…`, `super::…`, `crate::…` in code), test modules left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The stages, lowest first: a module may use only those before it (and itself).
const STAGES: &[&str] = &[
    "diagnostic",
    "write",
    "content",
    "config",
    "model",
    "adopt",
    "load",
    "checks",
    "render",
    "search",
    "parts",
    "build",
    "compose",
    "alert_rules",
    "pipeline",
    "serve",
    "cli",
    "fuzzing",
];

type Module = Vec<String>;

fn modules(src: &Path) -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(src) {
        let e = e.unwrap();
        let p = e.path();
        if p.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = p.strip_prefix(src).unwrap().with_extension("");
        let mut m: Module = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if m.last().is_some_and(|l| l == "mod") {
            m.pop();
        }
        if m == ["lib"] || m == ["main"] {
            continue;
        }
        out.insert(m, std::fs::read_to_string(p).unwrap());
    }
    out
}

/// The code without comments, string literals and the `#[cfg(test)] mod tests` block.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every path a `use` tree names, braces expanded (`a::{b, c::d}` → `a::b`, `a::c::d`).
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(p).into_iter().map(|e| format!("{prefix}{e}")))
        .collect()
}

/// The module a path leads to, or `None` for paths outside the crate.
fn resolve(mods: &BTreeMap<Module, String>, from: &Module, path: &str) -> Option<Module> {
    let segs: Vec<&str> = path
        .split("::")
        .map(|s| s.split(" as ").next().unwrap_or("").trim())
        .collect();
    let (mut base, rest): (Module, &[&str]) = match segs[0] {
        "crate" => (Vec::new(), &segs[1..]),
        "self" => (from.clone(), &segs[1..]),
        "super" => {
            let mut b = from.clone();
            let mut i = 0;
            while segs.get(i) == Some(&"super") {
                b.pop();
                i += 1;
            }
            (b, &segs[i..])
        }
        first => {
            let mut child = from.clone();
            child.push(first.to_string());
            if !mods.contains_key(&child) {
                return None;
            }
            (from.clone(), &segs[..])
        }
    };
    for s in rest {
        base.push(s.to_string());
        if !mods.contains_key(&base) {
            base.pop();
            break;
        }
    }
    Some(base)
}

fn edges(mods: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut out = BTreeMap::new();
    for (m, text) in mods {
        let code = code(text);
        let mut targets = BTreeSet::new();
        let mut paths: Vec<String> = Vec::new();
        for stmt in code.split(';') {
            let stmt = stmt.trim_start();
            let stmt = stmt.strip_prefix("pub(crate) ").unwrap_or(stmt);
            let stmt = stmt.strip_prefix("pub ").unwrap_or(stmt);
            if let Some(tree) = stmt.strip_prefix("use ") {
                paths.extend(expand(tree));
            }
        }
        for word in code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')) {
            let word = word.trim_end_matches(':');
            // `super::{a, b}` leaves `super::` here: its paths came from the `use` above.
            if word.starts_with("crate::") || word.starts_with("super::") {
                paths.push(word.to_string());
            }
        }
        for p in paths {
            if let Some(t) = resolve(mods, m, &p)
                && !t.is_empty()
                && t != *m
            {
                targets.insert(t);
            }
        }
        out.insert(m.clone(), targets);
    }
    out
}

/// The modules on a cycle through `start`, if there is one.
fn cycle_from(g: &BTreeMap<Module, BTreeSet<Module>>, start: &Module) -> Option<Vec<Module>> {
    let mut stack = vec![(start.clone(), vec![start.clone()])];
    let mut seen = BTreeSet::new();
    while let Some((m, path)) = stack.pop() {
        for t in g.get(&m).into_iter().flatten() {
            if t == start {
                return Some(path);
            }
            if seen.insert(t.clone()) {
                let mut p = path.clone();
                p.push(t.clone());
                stack.push((t.clone(), p));
            }
        }
    }
    None
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    edges(&modules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src")))
}

#[test]
fn every_stage_uses_only_the_stages_before_it() {
    let mut wrong = Vec::new();
    for (m, targets) in graph() {
        let rank = |m: &Module| STAGES.iter().position(|s| *s == m[0]);
        let Some(from) = rank(&m) else {
            wrong.push(format!("{} is in no stage: add it to STAGES", m.join("::")));
            continue;
        };
        for t in targets {
            match rank(&t) {
                Some(to) if to <= from => {}
                _ => wrong.push(format!("{} uses {}", m.join("::"), t.join("::"))),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "against the stage order:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let g = graph();
    let cycles: Vec<String> = g
        .keys()
        .filter_map(|m| cycle_from(&g, m))
        .map(|c| {
            c.iter()
                .map(|m| m.join("::"))
                .collect::<Vec<_>>()
                .join(" → ")
        })
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_sees_a_cycle() {
    let mods: BTreeMap<Module, String> = [
        (vec!["a".to_string()], "use crate::b::{x, y};".to_string()),
        (
            vec!["b".to_string()],
            "fn f() { crate::a::g() }".to_string(),
        ),
        (
            vec!["c".to_string()],
            "// use crate::a;\nconst S: &str = \"crate::a\";".to_string(),
        ),
    ]
    .into_iter()
    .collect();
    let g = edges(&mods);
    assert!(cycle_from(&g, &vec!["a".to_string()]).is_some());
    assert!(g[&vec!["c".to_string()]].is_empty());
}
