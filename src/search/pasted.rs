//! What people paste into a search box at 3 a.m. (docs/search.md, "Pasted alerts"): an alert
//! notification's title, a label set, a pod name, a log line. This module turns such text into
//! the words worth looking up; `static/search.js` implements the same rules (`cleanPasted`,
//! `stripHash`, `STOP_WORDS`), and the judged queries of tests/fixtures/search hold both to them.
//!
//! - **Pager decoration** goes: a bracketed status such as `[FIRING:1]`, `[RESOLVED]`,
//!   `[Alerting]`, `[P1]` or `[#1234]` ([`is_status`]).
//! - **Label syntax** goes, values stay: `alertname="KubePodCrashLooping"`, `namespace=payments`,
//!   `pod!~"checkout-.*"` become their values; the values of labels that name no subject
//!   (`severity`, `instance`, `job`, … [`NOISE_LABELS`]) go too.
//! - **Generated suffixes** of Kubernetes object names (`checkout-7f9c-abc12` → `checkout`) are
//!   dropped from a word that the index does not hold as it is ([`strip_hash`]; applied when
//!   planning, where the index is known).
//! - **Stop words** ([`STOP_WORDS`]) still score, but a document missing one still "matches
//!   every word" (ranking counts the other words).

/// Label names whose values say nothing about what broke.
pub const NOISE_LABELS: [&str; 11] = [
    "severity",
    "priority",
    "prometheus",
    "prometheus_replica",
    "receiver",
    "instance",
    "job",
    "endpoint",
    "alertstate",
    "le",
    "quantile",
];

/// Words that do not count when ranking by the number of query words a document matches.
pub const STOP_WORDS: [&str; 29] = [
    "a", "an", "and", "are", "as", "at", "be", "been", "by", "for", "from", "has", "have", "in",
    "is", "it", "its", "of", "on", "or", "the", "this", "that", "to", "was", "were", "will",
    "with", "into",
];

/// The bracketed words of pager and chat notifications, lowercase.
const STATUS: [&str; 14] = [
    "firing",
    "resolved",
    "alert",
    "alerting",
    "triggered",
    "problem",
    "recovered",
    "ok",
    "acknowledged",
    "warning",
    "critical",
    "info",
    "error",
    "no data",
];

/// Brackets longer than this (in characters) are text, not decoration.
const MAX_BRACKET: usize = 40;

pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// A bracket's inner text is decoration: a status with an optional count (`FIRING:1`), a
/// priority (`P1`), an incident number (`#1234`) or a bare number.
pub fn is_status(inner: &str) -> bool {
    let s = inner.trim().to_lowercase();
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let word = match s.split_once(':') {
        Some((w, n)) if digits(n.trim()) => w.trim_end(),
        Some(_) => return false,
        None => s.as_str(),
    };
    STATUS.contains(&word)
        || word.strip_prefix('p').is_some_and(digits)
        || word.strip_prefix('#').is_some_and(digits)
        || digits(word)
}

fn name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Characters that end an unquoted label value.
fn value_end(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '{' | '}' | '(' | ')' | '"' | '\'' | '`')
}

/// A label pair starting at `i` (a name at a word start): the label name, its value, and the
/// index after it.
fn label_pair(chars: &[char], i: usize) -> Option<(String, String, usize)> {
    let mut k = i;
    while k < chars.len() && name_char(chars[k]) {
        k += 1;
    }
    let name: String = chars[i..k].iter().collect();
    let mut m = k;
    while chars.get(m) == Some(&' ') {
        m += 1;
    }
    match (chars.get(m), chars.get(m + 1)) {
        (Some('=' | '!'), Some('~')) | (Some('!'), Some('=')) => m += 2,
        (Some('='), next) if next != Some(&'=') => m += 1,
        _ => return None,
    }
    while chars.get(m) == Some(&' ') {
        m += 1;
    }
    let q = *chars.get(m)?;
    let (value, end) = if q == '"' || q == '\'' {
        let close = chars[m + 1..].iter().position(|&c| c == q)? + m + 1;
        (chars[m + 1..close].iter().collect(), close + 1)
    } else {
        let mut e = m;
        while e < chars.len() && !value_end(chars[e]) {
            e += 1;
        }
        if e == m {
            return None;
        }
        (chars[m..e].iter().collect(), e)
    };
    Some((name.to_lowercase(), value, end))
}

/// `text` without pager decoration and label syntax (see the module documentation). Every
/// removal leaves a space, so that words on either side stay apart; the rest is kept as it is.
pub fn clean(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '[' {
            let inner = chars[i + 1..]
                .iter()
                .take(MAX_BRACKET + 1)
                .position(|&d| d == ']' || d == '[');
            if let Some(j) = inner.map(|j| i + 1 + j).filter(|&j| chars[j] == ']') {
                let s: String = chars[i + 1..j].iter().collect();
                if is_status(&s) {
                    out.push(' ');
                    i = j + 1;
                    continue;
                }
            }
        }
        if name_start(c) && (i == 0 || !name_char(chars[i - 1])) {
            if let Some((name, value, end)) = label_pair(&chars, i) {
                out.push(' ');
                if !NOISE_LABELS.contains(&name.as_str()) {
                    out.push_str(&value);
                    out.push(' ');
                }
                i = end;
                continue;
            }
            while i < chars.len() && name_char(chars[i]) {
                out.push(chars[i]);
                i += 1;
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// A segment a controller generated: 4–10 lowercase letters and digits mixing both
/// (`7f9c`, `abc12`), or five with no vowel (`bcdfg`, Kubernetes' pod suffix alphabet).
fn is_generated(seg: &str) -> bool {
    let n = seg.chars().count();
    if !(4..=10).contains(&n)
        || !seg
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return false;
    }
    let digit = seg.chars().any(|c| c.is_ascii_digit());
    let letter = seg.chars().any(|c| c.is_ascii_lowercase());
    (digit && letter) || (n == 5 && !seg.chars().any(|c| "aeiouy".contains(c)))
}

/// `word` (lowercase) without its generated suffixes (at most two `-` segments, a part left):
/// `checkout-7f9c-abc12` → `checkout`, `api-5d8f7c9b6-x2x7k` → `api`. `None` when it has none.
pub fn strip_hash(word: &str) -> Option<&str> {
    let mut end = word.len();
    for _ in 0..2 {
        let Some(dash) = word[..end].rfind('-') else {
            break;
        };
        if dash == 0 || !is_generated(&word[dash + 1..end]) {
            break;
        }
        end = dash;
    }
    (end < word.len()).then(|| &word[..end])
}

/// Names offered when nothing matches ("closest alerts and services"), at most this many of each.
pub const CLOSEST: usize = 5;

/// How close `name` is to a query word as written: the edit distance of their lowercase forms
/// (0 when one holds the other) when within `max(2, ⌈chars/3⌉)`, and the parts of 3+
/// characters they share (`PaymentsGatewayDown` and `PaymentsGatewayErrors` share two).
/// `None`: not close. Words under 3 characters are never close to anything.
fn closeness(word: &str, name: &str) -> Option<(usize, usize)> {
    let w = word.to_lowercase();
    let n = name.to_lowercase();
    let wc: Vec<char> = w.chars().collect();
    if wc.len() < 3 {
        return None;
    }
    let budget = 2.max(wc.len().div_ceil(3));
    let d = if n.contains(&w) || (n.chars().count() >= 3 && w.contains(&n)) {
        0
    } else {
        let nc: Vec<char> = n.chars().collect();
        super::analyze::edit_distance(&wc, &nc, budget)
    };
    let parts = |s: &str| -> Vec<String> {
        let mut v: Vec<String> = super::analyze::parts(s)
            .into_iter()
            .map(|(a, b)| s[a..b].to_lowercase())
            .filter(|p| p.chars().count() >= 3)
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let theirs = parts(name);
    let shared = parts(word).iter().filter(|p| theirs.contains(p)).count();
    match (d <= budget, shared) {
        (false, 0) => None,
        (close, shared) => Some((if close { d } else { usize::MAX }, shared)),
    }
}

/// The names closest to any of `words` (as written): nearest edit distance first, then most
/// shared parts, then name order; at most [`CLOSEST`]. What the empty state of a search offers
/// (`fieldbook search` and the browser alike).
pub fn closest<'a>(words: &[String], names: &'a [String]) -> Vec<&'a str> {
    let mut found: Vec<((usize, std::cmp::Reverse<usize>), &str)> = names
        .iter()
        .filter_map(|name| {
            words
                .iter()
                .filter_map(|w| closeness(w, name))
                .map(|(d, s)| (d, std::cmp::Reverse(s)))
                .min()
                .map(|k| (k, name.as_str()))
        })
        .collect();
    found.sort();
    found.dedup_by(|a, b| a.1 == b.1);
    found.into_iter().take(CLOSEST).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squeeze(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn pager_decoration_goes() {
        assert_eq!(
            squeeze(&clean(
                "[FIRING:1] KubePodCrashLooping (payments checkout-7f9c-abc12 critical)"
            )),
            "KubePodCrashLooping (payments checkout-7f9c-abc12 critical)"
        );
        assert_eq!(
            squeeze(&clean("[RESOLVED] [P1] [#4321] Disk full")),
            "Disk full"
        );
        assert_eq!(squeeze(&clean("[Alerting] [No Data] x")), "x");
        // Brackets that are text stay: an array, a log level in a message, a long bracket.
        assert_eq!(clean("[1, 2]"), "[1, 2]");
        assert_eq!(clean("[kube-system]"), "[kube-system]");
        let long = format!("[{}]", "firing ".repeat(10));
        assert_eq!(clean(&long), long);
        assert_eq!(clean("unclosed [FIRING"), "unclosed [FIRING");
    }

    #[test]
    fn label_syntax_goes_and_values_stay() {
        assert_eq!(
            squeeze(&clean(
                r#"{alertname="KubePodCrashLooping", namespace="payments", pod='checkout-1', severity="critical", instance=10.0.0.1:9100}"#
            )),
            "{ KubePodCrashLooping , payments , checkout-1 , , }"
        );
        assert_eq!(squeeze(&clean("pod!~\"a.*\" job=~x b = c")), "a.* c");
        // Not a pair: `==`, a name without a value, an unclosed quote, a name inside a word.
        assert_eq!(clean("a == b"), "a == b");
        assert_eq!(clean("x= "), "x= ");
        assert_eq!(clean("k=\"open"), "k=\"open");
        assert_eq!(squeeze(&clean("9x=1")), "9x=1");
        assert_eq!(clean("déjà=vu"), "déjà=vu");
    }

    #[test]
    fn generated_suffixes() {
        assert_eq!(strip_hash("checkout-7f9c-abc12"), Some("checkout"));
        assert_eq!(
            strip_hash("checkout-api-5d8f7c9b6-x2x7k"),
            Some("checkout-api")
        );
        assert_eq!(strip_hash("web-bcdfg"), Some("web"));
        assert_eq!(strip_hash("cert-manager"), None);
        assert_eq!(strip_hash("node-exporter"), None);
        assert_eq!(strip_hash("ip-10-0-0-1"), None);
        assert_eq!(strip_hash("-ab12"), None);
        assert_eq!(strip_hash("abc12"), None);
    }

    #[test]
    fn closest_names_by_distance_then_shared_parts() {
        let names: Vec<String> = [
            "KubePodCrashLooping",
            "KubePodNotReady",
            "PaymentsGatewayErrors",
            "payments",
            "PostgresReplicationLagHigh",
        ]
        .map(String::from)
        .to_vec();
        let q = |w: &[&str]| closest(&w.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &names);
        // Three edits away; the other shares its `Pod`.
        assert_eq!(
            q(&["KubPodCrshLoopng"]),
            ["KubePodCrashLooping", "KubePodNotReady"]
        );
        // `payments` is within the word; the other shares two of its parts.
        assert_eq!(
            q(&["PaymentsGatewayDown"]),
            ["payments", "PaymentsGatewayErrors"]
        );
        assert_eq!(q(&["paymnts"]), ["payments"]);
        assert!(q(&["zz", "qqqqqqqq"]).is_empty());
        // Several words: each name once, by its best word.
        assert_eq!(q(&["KubePod", "KubePodNotReady"]).len(), 2);
    }

    #[test]
    fn statuses() {
        for s in [
            "FIRING:1",
            "firing",
            " Resolved ",
            "P2",
            "#77",
            "12",
            "OK",
            "FIRING: 3",
        ] {
            assert!(is_status(s), "{s}");
        }
        for s in ["payments", "FIRING:x", "p", "#", "", "kube-system"] {
            assert!(!is_status(s), "{s}");
        }
    }
}
