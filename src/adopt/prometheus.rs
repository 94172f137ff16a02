//! Prometheus rule files: `groups: [{name, interval?, rules: [{alert|record, expr, for?,
//! labels?, annotations?}]}]`, also as a Kubernetes `PrometheusRule` manifest (`spec.groups`)
//! and as several YAML documents in one file. Only alerting rules are kept (recording rules
//! answer no page), each with where its `alert:` value stands, so findings can point at it.
//!
//! The YAML is read with yaml-rust's event parser (already part of the build, for syntect),
//! which reports the position of every value; serde would lose them.

use crate::content::links::percent_decode;
use crate::diagnostic::{Code, Diagnostic, Pos};
use std::collections::HashMap;
use yaml_rust::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust::scanner::{Marker, TScalarStyle};

/// Deeper nesting than this is no rule file (and would make the tree costly to drop).
const MAX_DEPTH: usize = 64;
/// Nodes a file may expand to through aliases (a "billion laughs" file stops here).
const MAX_NODES: usize = 200_000;

/// One alerting rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub alert: String,
    /// The rule file, as findings name it.
    pub file: String,
    /// Where the `alert:` value stands.
    pub pos: Pos,
    pub group: String,
    /// `labels.severity`.
    pub severity: Option<String>,
    /// `annotations.runbook_url` and where it stands.
    pub runbook_url: Option<(String, Pos)>,
}

/// A parsed YAML node with the place it starts.
#[derive(Clone, Debug)]
enum Node {
    /// `None` for a null (`~`, `null`, nothing).
    Scalar(Option<String>, Pos),
    Seq(Vec<Node>, Pos),
    Map(Vec<(Node, Node)>, Pos),
}

impl Node {
    fn pos(&self) -> Pos {
        match self {
            Node::Scalar(_, p) | Node::Seq(_, p) | Node::Map(_, p) => *p,
        }
    }

    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries, _) => entries
                .iter()
                .find(|(k, _)| matches!(k, Node::Scalar(Some(s), _) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            Node::Scalar(Some(s), _) => Some(s),
            _ => None,
        }
    }

    fn size(&self) -> usize {
        match self {
            Node::Scalar(..) => 1,
            Node::Seq(items, _) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Node::Map(entries, _) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.size() + v.size())
                    .sum::<usize>()
            }
        }
    }

    fn what(&self) -> &'static str {
        match self {
            Node::Scalar(None, _) => "nothing",
            Node::Scalar(..) => "a single value",
            Node::Seq(..) => "a list",
            Node::Map(..) => "a mapping",
        }
    }
}

fn pos_of(m: Marker, len: usize) -> Pos {
    Pos::new(m.line() as u32, m.col() as u32 + 1, len.max(1) as u32)
}

/// A container being filled: a list, or a mapping with the key waiting for its value.
enum Open {
    Seq(Vec<Node>, Pos, usize),
    Map(Vec<(Node, Node)>, Option<Node>, Pos, usize),
}

/// Builds the documents of a stream from parser events.
#[derive(Default)]
struct Builder {
    docs: Vec<Node>,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    /// Why the tree is incomplete (too deep, too large), and where.
    refused: Option<(String, Pos)>,
}

impl Builder {
    fn refuse(&mut self, why: &str, pos: Pos) {
        if self.refused.is_none() {
            self.refused = Some((why.to_string(), pos));
        }
    }

    fn add(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Open::Seq(items, ..)) => items.push(node),
            Some(Open::Map(entries, key, ..)) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.refused.is_some() {
            return;
        }
        let pos = pos_of(mark, 1);
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            self.refuse("the file expands to too many values", pos);
            return;
        }
        match ev {
            Event::Scalar(value, style, anchor, _) => {
                let null = style == TScalarStyle::Plain
                    && matches!(value.as_str(), "~" | "null" | "Null" | "NULL" | "");
                let len = value.chars().count();
                let node = Node::Scalar((!null).then_some(value), pos_of(mark, len));
                self.add(node, anchor);
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => {
                    self.nodes += node.size();
                    self.add(node, 0);
                }
                None => self.add(Node::Scalar(None, pos), 0),
            },
            Event::SequenceStart(anchor) | Event::MappingStart(anchor)
                if self.stack.len() >= MAX_DEPTH =>
            {
                let _ = anchor;
                self.refuse("values are nested too deeply for a rule file", pos);
            }
            Event::SequenceStart(anchor) => self.stack.push(Open::Seq(Vec::new(), pos, anchor)),
            Event::MappingStart(anchor) => {
                self.stack.push(Open::Map(Vec::new(), None, pos, anchor))
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Open::Seq(items, p, anchor)) => self.add(Node::Seq(items, p), anchor),
                Some(Open::Map(entries, _, p, anchor)) => self.add(Node::Map(entries, p), anchor),
                None => {}
            },
            _ => {}
        }
    }
}

const SYNTAX_HINT: &str = "fix the YAML here (indentation, a missing `:` or quote); `promtool check rules FILE` checks a rule file too";

/// The first syntax error of any document of `text`, as libyaml reports it.
fn syntax_error(text: &str) -> Option<crate::content::front_matter::FrontMatterError> {
    use serde::Deserialize;
    serde_yaml_ng::Deserializer::from_str(text).find_map(|doc| {
        serde_yaml_ng::Value::deserialize(doc)
            .err()
            .map(|e| crate::content::front_matter::yaml_error(text, &e))
    })
}

/// The alerting rules of a rule file, and findings about what in it cannot be read. `file` is
/// how findings name it.
pub fn parse(file: &str, text: &str) -> (Vec<Rule>, Vec<Diagnostic>) {
    let finding = |pos: Pos, message: String, hint: &str| {
        Diagnostic::new(Code::InvalidAlertRules, file, pos, message)
            .with_hint(hint)
            .with_source(text)
    };
    let text = text.trim_start_matches('\u{feff}');
    // libyaml (serde) first: its messages and positions are those of front matter errors.
    if let Some(e) = syntax_error(text) {
        let hint = e.hint.unwrap_or_else(|| SYNTAX_HINT.to_string());
        let message = format!("YAML syntax error: {}", e.message);
        return (Vec::new(), vec![finding(e.pos, message, &hint)]);
    }
    let mut builder = Builder::default();
    let mut parser = Parser::new(text.chars());
    if let Err(e) = parser.load(&mut builder, true) {
        let shown = e.to_string();
        let message = shown
            .rsplit_once(" at line ")
            .map_or(shown.as_str(), |(m, _)| m);
        return (
            Vec::new(),
            vec![finding(
                pos_of(*e.marker(), 1),
                format!("YAML syntax error: {message}"),
                SYNTAX_HINT,
            )],
        );
    }
    if let Some((why, pos)) = builder.refused {
        return (
            Vec::new(),
            vec![finding(
                pos,
                format!("not read: {why}"),
                "a Prometheus rule file is `groups:` of `rules:`; check that this is one",
            )],
        );
    }
    let mut rules = Vec::new();
    let mut findings = Vec::new();
    for doc in &builder.docs {
        if matches!(doc, Node::Scalar(None, _)) {
            continue; // an empty document (a trailing `---`)
        }
        let groups = doc
            .get("groups")
            .or_else(|| doc.get("spec").and_then(|s| s.get("groups")));
        let Some(groups) = groups else {
            findings.push(finding(
                doc.pos(),
                "not a Prometheus rule file: no `groups:` (nor `spec.groups:` of a PrometheusRule)".into(),
                "rule files hold `groups: [{name, rules: [...]}]`; pass only rule files to --alert-rules",
            ));
            continue;
        };
        read_groups(file, groups, &mut rules, &mut |pos, message| {
            findings.push(finding(
                pos,
                message,
                "see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/",
            ))
        });
    }
    (rules, findings)
}

/// The items of a list; anything else but nothing is reported as `what` not being one.
fn list_of<'n>(node: &'n Node, what: &str, bad: &mut dyn FnMut(Pos, String)) -> &'n [Node] {
    match node {
        Node::Seq(items, _) => items,
        Node::Scalar(None, _) => &[],
        other => {
            bad(
                other.pos(),
                format!("{what} is {}, not a list", other.what()),
            );
            &[]
        }
    }
}

/// Whether `node` is a mapping; if not, reported as `what` not being one.
fn is_map(node: &Node, what: &str, bad: &mut dyn FnMut(Pos, String)) -> bool {
    let ok = matches!(node, Node::Map(..));
    if !ok {
        bad(
            node.pos(),
            format!("{what} is {}, not a mapping", node.what()),
        );
    }
    ok
}

fn read_groups(file: &str, groups: &Node, rules: &mut Vec<Rule>, bad: &mut dyn FnMut(Pos, String)) {
    for group in list_of(groups, "`groups`", bad) {
        if !is_map(group, "a group", bad) {
            continue;
        }
        let name = group.get("name").and_then(Node::text).unwrap_or_default();
        let list = group.get("rules").map_or(&[][..], |r| {
            list_of(r, &format!("`rules` of group `{name}`"), bad)
        });
        for rule in list {
            if !is_map(rule, &format!("a rule of group `{name}`"), bad) {
                continue;
            }
            match (rule.get("alert"), rule.get("record")) {
                (Some(Node::Scalar(Some(alert), pos)), _) if !alert.trim().is_empty() => {
                    let severity = rule
                        .get("labels")
                        .and_then(|l| l.get("severity"))
                        .and_then(Node::text)
                        .map(str::to_string);
                    let runbook_url = rule
                        .get("annotations")
                        .and_then(|a| a.get("runbook_url"))
                        .and_then(|n| n.text().map(|t| (t.trim().to_string(), n.pos())))
                        .filter(|(t, _)| !t.is_empty());
                    rules.push(Rule {
                        alert: alert.trim().to_string(),
                        file: file.to_string(),
                        pos: *pos,
                        group: name.to_string(),
                        severity,
                        runbook_url,
                    });
                }
                (Some(other), _) => bad(
                    other.pos(),
                    format!(
                        "`alert` of a rule of group `{name}` is {}, not an alert name",
                        other.what()
                    ),
                ),
                (None, Some(_)) => {} // a recording rule
                (None, None) => bad(
                    rule.pos(),
                    format!("a rule of group `{name}` has neither `alert` nor `record`"),
                ),
            }
        }
    }
}

/// Where a runbook_url leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Outside the handbook, or not decidable (a template in its path).
    Elsewhere,
    /// A path of the handbook (site-relative, percent-decoded, as a page URL: `alerts/X/`).
    Page(String),
}

/// Resolve `url` (a rule's runbook_url) against the handbook at `base` (`[book] base_url`:
/// a full URL, or a path). `{{ $labels.alertname }}` and its Go-template spellings stand for
/// `alert`; query and fragment are dropped.
pub fn resolve(url: &str, alert: &str, base: &str) -> Resolved {
    let url = fill_alertname(url, alert);
    let path_end = url.find(['?', '#']).unwrap_or(url.len());
    let url = &url[..path_end];
    if url.contains("{{") {
        return Resolved::Elsewhere;
    }
    let full = |s: &str| s.starts_with("http://") || s.starts_with("https://");
    let rest = if full(base) {
        let (b, u) = (base.to_ascii_lowercase(), url.to_ascii_lowercase());
        if u.starts_with(&b) {
            &url[b.len()..]
        } else if u == b.trim_end_matches('/') {
            ""
        } else {
            return Resolved::Elsewhere;
        }
    } else if !full(url) && url.starts_with(base) {
        &url[base.len()..]
    } else {
        return Resolved::Elsewhere;
    };
    let mut path = percent_decode(rest.trim_start_matches('/'));
    if let Some(dir) = path.strip_suffix("index.html") {
        path = dir.to_string();
    }
    let last = path.rsplit('/').next().unwrap_or("");
    if !path.is_empty() && !path.ends_with('/') && !last.contains('.') {
        path.push('/'); // static hosts answer `x` with `x/`
    }
    Resolved::Page(path)
}

/// `url` with the alert name in place of the templates that stand for it.
pub fn fill_alertname(url: &str, alert: &str) -> String {
    const NAMES: [&str; 4] = [
        "$labels.alertname",
        ".Labels.alertname",
        ".CommonLabels.alertname",
        ".GroupLabels.alertname",
    ];
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        let inner = rest[open + 2..open + close].trim().trim_matches('-').trim();
        out.push_str(&rest[..open]);
        if NAMES.contains(&inner) {
            out.push_str(alert);
        } else {
            out.push_str(&rest[open..open + close + 2]);
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// The rule files `[check] alert_rules` names (absolute path, site-relative name), globs
/// expanded and folders read for their `.yml`/`.yaml` files. `Err` names the patterns that
/// match no file.
pub fn configured_files(
    config: &crate::config::Config,
) -> Result<Vec<(std::path::PathBuf, String)>, crate::diagnostic::Fatal> {
    use crate::config::glob;
    let mut out = Vec::new();
    let mut fatal = Vec::new();
    for (pattern, pos) in &config.alert_rules {
        let found: Vec<(std::path::PathBuf, String)> = if glob::is_glob(pattern) {
            glob::expand(&config.root, pattern)
        } else {
            let path = config.root.join(pattern);
            if path.is_dir() {
                glob::yaml_files(&path)
                    .into_iter()
                    .map(|p| (p.clone(), crate::config::site_rel(config, &p)))
                    .collect()
            } else if path.is_file() {
                vec![(path, pattern.trim_start_matches("./").to_string())]
            } else {
                Vec::new()
            }
        };
        if found.is_empty() {
            fatal.push(
                Diagnostic::new(
                    Code::InvalidConfig,
                    crate::config::CONFIG_FILE,
                    *pos,
                    format!("[check] alert_rules: `{pattern}` matches no rule file"),
                )
                .with_hint("paths and globs (`*`, `**`) are relative to the site directory; fix the path or remove it"),
            );
        }
        out.extend(found);
    }
    if fatal.is_empty() {
        Ok(out)
    } else {
        Err(fatal)
    }
}

/// What the configured rule files say of the handbook's runbooks: content-relative path →
/// the alerts whose `runbook_url` leads to its page (`rel_of` maps a page path, percent-
/// decoded, to the Markdown file published there). Files that cannot be read or parsed say
/// nothing here (`check` reports them).
pub fn runbook_links(
    config: &crate::config::Config,
    rel_of: &dyn Fn(&str) -> Option<String>,
) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let Ok(files) = configured_files(config) else {
        return out;
    };
    for (path, shown) in files {
        let Ok(text) = crate::config::read_text_inside(
            &config.root,
            &path,
            crate::config::MAX_CONFIG_BYTES * 4,
        ) else {
            continue;
        };
        let (rules, _) = parse(&shown, &text);
        for r in rules {
            let Some((url, _)) = &r.runbook_url else {
                continue;
            };
            if let Resolved::Page(page) = resolve(url, &r.alert, &config.book.base_url)
                && let Some(rel) = rel_of(&page)
            {
                let alerts = out.entry(rel).or_default();
                if !alerts.contains(&r.alert) {
                    alerts.push(r.alert.clone());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = "\
groups:
  - name: kubernetes-apps
    interval: 1m
    rules:
      - alert: KubePodCrashLooping
        expr: max_over_time(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"}[5m]) >= 1
        for: 15m
        labels:
          severity: warning
        annotations:
          summary: Pod is crash looping.
          runbook_url: https://handbook.example.com/alerts/{{ $labels.alertname }}/
      - record: namespace:container_cpu:sum
        expr: sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))
      - alert: 'KubeNodeNotReady'
        expr: kube_node_status_condition{condition=\"Ready\",status=\"true\"} == 0
        labels: {severity: critical}
";

    #[test]
    fn reads_alerting_rules_with_positions() {
        let (rules, findings) = parse("rules.yml", RULES);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(rules.len(), 2);
        let r = &rules[0];
        assert_eq!(
            (r.alert.as_str(), r.pos.line, r.pos.column, r.pos.len),
            ("KubePodCrashLooping", 5, 16, 19)
        );
        assert_eq!(r.group, "kubernetes-apps");
        assert_eq!(r.severity.as_deref(), Some("warning"));
        let (url, pos) = r.runbook_url.as_ref().unwrap();
        assert!(url.ends_with("{{ $labels.alertname }}/"));
        assert_eq!((pos.line, pos.column), (12, 24));
        // A quoted name points at its quote; flow-style labels are read too.
        assert_eq!((rules[1].pos.line, rules[1].pos.column), (15, 16));
        assert_eq!(rules[1].severity.as_deref(), Some("critical"));
    }

    #[test]
    fn reads_prometheus_rule_manifests_and_several_documents() {
        let manifest = format!(
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: x\nspec:\n{}---\ngroups:\n- name: b\n  rules:\n  - alert: Second\n    expr: up == 0\n---\n",
            RULES
                .lines()
                .map(|l| format!("  {l}\n"))
                .collect::<String>()
        );
        let (rules, findings) = parse("k8s.yaml", &manifest);
        assert!(findings.is_empty(), "{findings:?}");
        let names: Vec<_> = rules
            .iter()
            .map(|r| (r.alert.as_str(), r.pos.line))
            .collect();
        assert_eq!(
            names,
            [
                ("KubePodCrashLooping", 10),
                ("KubeNodeNotReady", 20),
                ("Second", 27)
            ]
        );
    }

    #[test]
    fn yaml_errors_and_wrong_shapes_are_findings_with_positions() {
        let (rules, f) = parse(
            "bad.yml",
            "groups:\n  - name: a\n    rules:\n      - alert: X\n       expr: up\n",
        );
        assert!(rules.is_empty());
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].code, f[0].file.as_str()),
            (Code::InvalidAlertRules, "bad.yml")
        );
        assert!(
            f[0].message.starts_with("YAML syntax error: "),
            "{}",
            f[0].message
        );
        assert!(!f[0].message.contains(" at line "), "{}", f[0].message);
        assert_eq!(f[0].line, 5, "{:?}", f[0]);

        let (_, f) = parse("x.yml", "scrape_configs: []\n");
        assert!(f[0].message.contains("no `groups:`"), "{}", f[0].message);
        let (rules, f) = parse(
            "x.yml",
            "groups:\n- name: g\n  rules:\n  - expr: up\n  - alert: [a]\n  - alert: Ok\n    expr: up\n",
        );
        assert_eq!(rules.len(), 1);
        let lines: Vec<_> = f.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(
            lines,
            [
                (4, "a rule of group `g` has neither `alert` nor `record`"),
                (
                    5,
                    "`alert` of a rule of group `g` is a list, not an alert name"
                ),
            ]
        );
        let (_, f) = parse("x.yml", "groups: 3\n");
        assert!(f[0].message.contains("not a list"));
        // Empty files and documents are nothing to report.
        assert_eq!(parse("x.yml", "").1, []);
        assert_eq!(parse("x.yml", "---\n---\n").1, []);
    }

    #[test]
    fn hostile_files_are_refused_not_crashed_on() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let (_, f) = parse("deep.yml", &deep);
        assert!(f[0].message.contains("recursion limit"), "{}", f[0].message);
        // Deep enough for no rule file, not for libyaml's limit: our own guard.
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let (_, f) = parse("deep.yml", &deep);
        assert!(
            f[0].message.contains("nested too deeply"),
            "{}",
            f[0].message
        );
        let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, c) in ('b'..='j').enumerate() {
            let prev = (b'a' + i as u8) as char;
            laughs.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let (_, f) = parse("laughs.yml", &laughs);
        assert!(
            f[0].message.contains("repetition limit"),
            "{}",
            f[0].message
        );
        for junk in [
            "- ? :",
            "{[",
            "!!binary x",
            "&a *a",
            "a: *nothing",
            "\t- x",
            "'",
        ] {
            let _ = parse("junk.yml", junk);
        }
    }
}
