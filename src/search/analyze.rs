//! The one analysis both engines use (docs/search.md, "Analysis"): words, their lowercase form,
//! and for words with inner parts each part and each tail at the same position.
//!
//! `static/search.js` implements the same function; the unit tests below are the examples the
//! design names, and the client index is written from this function's output, so the browser
//! never analyses documents itself, only queries.

/// Terms longer than this (in bytes) are dropped.
pub const MAX_TERM_BYTES: usize = 64;

/// One analysed term. `from..to` is the byte range of its source in the text: the word for the
/// whole form, the part for a part, and from the part to the end of the word for a tail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub term: String,
    pub pos: u32,
    pub from: usize,
    pub to: usize,
}

fn is_alnum(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_joiner(c: char) -> bool {
    matches!(c, '_' | '.' | '-' | '\'')
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

/// Call `f(start, end)` with the byte range of each word: a maximal run of alphanumerics plus
/// joiners (`_ . - '`) that stand between two alphanumerics.
pub fn for_each_word(text: &str, mut f: impl FnMut(usize, usize)) {
    let mut i = 0;
    while let Some(c) = char_at(text, i) {
        if !is_alnum(c) {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        i += c.len_utf8();
        loop {
            match char_at(text, i) {
                Some(c) if is_alnum(c) => i += c.len_utf8(),
                Some(j) if is_joiner(j) => match char_at(text, i + 1) {
                    Some(d) if is_alnum(d) => i += 1 + d.len_utf8(),
                    _ => break,
                },
                _ => break,
            }
        }
        f(start, i);
    }
}

/// The byte ranges of a word's parts (joiners excluded). One range when the word has no inner
/// parts.
pub fn parts(word: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for k in 1..chars.len() {
        let (at, c) = chars[k];
        let prev = chars[k - 1].1;
        if is_joiner(c) {
            out.push((start, at));
            start = at + c.len_utf8();
            continue;
        }
        if is_joiner(prev) {
            continue; // the part already starts here
        }
        let lower_to_upper = prev.is_lowercase() && c.is_uppercase();
        let run_end = prev.is_uppercase()
            && c.is_uppercase()
            && chars.get(k + 1).is_some_and(|&(_, n)| n.is_lowercase());
        if lower_to_upper || run_end {
            out.push((start, at));
            start = at;
        }
    }
    out.push((start, word.len()));
    out
}

/// Analyse one word starting at byte `offset` of its text, at position `pos`.
///
/// A word can be megabytes long with millions of parts (`a-b-c-…`, generated data): terms
/// are checked for length before they are built (lowercasing shrinks text at most threefold,
/// `K` → `k`), and past a few terms duplicates are found with a set, so that such a word
/// takes linear time, not quadratic.
pub fn analyze_word(word: &str, offset: usize, pos: u32, out: &mut Vec<Token>) {
    const SCAN: usize = 8;
    let first = out.len();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut push = |src: &str, from: usize, to: usize, out: &mut Vec<Token>| {
        if src.len() > 3 * MAX_TERM_BYTES {
            return;
        }
        let term = src.to_lowercase();
        if term.len() > MAX_TERM_BYTES {
            return;
        }
        let known = out.len() - first;
        if known < SCAN {
            if out[first..].iter().any(|t| t.term == term) {
                return;
            }
        } else {
            if seen.is_empty() {
                seen.extend(out[first..].iter().map(|t| t.term.clone()));
            }
            if !seen.insert(term.clone()) {
                return;
            }
        }
        out.push(Token {
            term,
            pos,
            from: offset + from,
            to: offset + to,
        });
    };
    push(word, 0, word.len(), out);
    let parts = parts(word);
    if parts.len() < 2 {
        return;
    }
    for &(a, b) in &parts {
        push(&word[a..b], a, b, out);
    }
    for &(a, _) in &parts[1..] {
        push(&word[a..], a, word.len(), out);
    }
}

/// `analyze(text)`: every term of every word, words numbered from 0.
pub fn analyze(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut pos = 0u32;
    for_each_word(text, |a, b| {
        analyze_word(&text[a..b], a, pos, &mut out);
        pos += 1;
    });
    out
}

/// The lowercase whole forms of the words of `text`, with their positions (query side: a
/// query word matches by its whole form; tails in the index make mid-word queries prefixes).
pub fn words(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut pos = 0u32;
    for_each_word(text, |a, b| {
        out.push((text[a..b].to_lowercase(), pos));
        pos += 1;
    });
    out
}

/// The terms of a multi-valued field, positioned as tantivy positions them: each value starts
/// one position after the end of the previous one, so a phrase never spans two values.
/// Returns the tokens and the field length (the number of tokens, as tantivy's field norm).
pub fn field_tokens<S: AsRef<str>>(values: &[S]) -> (Vec<(String, u32)>, u32) {
    let mut out = Vec::new();
    let mut base = 0u32;
    for v in values {
        let mut end = base;
        for t in analyze(v.as_ref()) {
            let p = base + t.pos;
            end = end.max(p + 1);
            out.push((t.term, p));
        }
        base = end + 1;
    }
    let len = out.len() as u32;
    (out, len)
}

/// Optimal string alignment distance (transpositions of neighbours count one), or `max + 1`
/// when it exceeds `max`.
pub fn edit_distance(a: &[char], b: &[char], max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return max + 1;
        }
    }
    d[a.len() * w + b.len()].min(max + 1)
}

/// The tantivy tokenizer running [`analyze`].
#[derive(Clone, Default)]
pub struct FieldbookTokenizer;

pub struct FieldbookTokenStream {
    tokens: std::vec::IntoIter<Token>,
    token: tantivy::tokenizer::Token,
}

impl tantivy::tokenizer::Tokenizer for FieldbookTokenizer {
    type TokenStream<'a> = FieldbookTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FieldbookTokenStream {
        FieldbookTokenStream {
            tokens: analyze(text).into_iter(),
            token: tantivy::tokenizer::Token::default(),
        }
    }
}

impl tantivy::tokenizer::TokenStream for FieldbookTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(t) => {
                self.token = tantivy::tokenizer::Token {
                    offset_from: t.from,
                    offset_to: t.to,
                    position: t.pos as usize,
                    text: t.term,
                    position_length: 1,
                };
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<(String, u32)> {
        analyze(text).into_iter().map(|t| (t.term, t.pos)).collect()
    }

    fn at(text: &str, pos: u32) -> Vec<String> {
        analyze(text)
            .into_iter()
            .filter(|t| t.pos == pos)
            .map(|t| t.term)
            .collect()
    }

    #[test]
    fn long_words_with_many_parts_take_linear_time() {
        // 400,000 parts: quadratic work here would take hours.
        let word = "ab-".repeat(400_000) + "ab";
        let start = std::time::Instant::now();
        let tokens = analyze(&word);
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
        // The whole word and its long tails are too long to be terms; `ab` and the short
        // tails are, each once.
        let terms: Vec<&str> = tokens.iter().map(|t| t.term.as_str()).collect();
        assert_eq!(terms.iter().filter(|t| **t == "ab").count(), 1);
        assert!(terms.contains(&"ab-ab") && terms.iter().all(|t| t.len() <= MAX_TERM_BYTES));
    }

    #[test]
    fn words_keep_inner_joiners() {
        let w: Vec<_> = words("x509: pg_stat_activity, orders-db v2.3.0 don't")
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(
            w,
            ["x509", "pg_stat_activity", "orders-db", "v2.3.0", "don't"]
        );
        // Joiners that do not stand between two alphanumerics end the word.
        let w: Vec<_> = words("orders-db-0..2 -x- a--b 'q' end.")
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(w, ["orders-db-0", "2", "x", "a", "b", "q", "end"]);
    }

    #[test]
    fn each_word_gets_the_next_position() {
        let t = terms("Disk  full: x509!");
        assert_eq!(
            t,
            [("disk".into(), 0), ("full".into(), 1), ("x509".into(), 2)]
        );
    }

    #[test]
    fn camel_case_parts_and_tails() {
        assert_eq!(
            at("KubePodCrashLooping", 0),
            [
                "kubepodcrashlooping",
                "kube",
                "pod",
                "crash",
                "looping",
                "podcrashlooping",
                "crashlooping"
            ]
        );
    }

    #[test]
    fn capital_runs_split_before_their_last_capital() {
        assert_eq!(at("HTTPServer", 0), ["httpserver", "http", "server"]);
        assert_eq!(at("IOError", 0), ["ioerror", "io", "error"]);
        assert_eq!(at("getHTTP", 0), ["gethttp", "get", "http"]);
        assert_eq!(at("ALLCAPS", 0), ["allcaps"]);
        assert_eq!(
            at("TLSCertificateExpired", 0),
            [
                "tlscertificateexpired",
                "tls",
                "certificate",
                "expired",
                "certificateexpired"
            ]
        );
    }

    #[test]
    fn joiners_split_parts_and_tails_keep_them() {
        assert_eq!(
            at("pg_stat_activity", 0),
            [
                "pg_stat_activity",
                "pg",
                "stat",
                "activity",
                "stat_activity"
            ]
        );
        assert_eq!(at("orders-db", 0), ["orders-db", "orders", "db"]);
        assert_eq!(at("v2.3.0", 0), ["v2.3.0", "v2", "3", "0", "3.0"]);
        assert_eq!(at("don't", 0), ["don't", "don", "t"]);
    }

    #[test]
    fn letters_and_digits_are_not_split() {
        assert_eq!(at("x509", 0), ["x509"]);
        assert_eq!(at("X509Certificate", 0), ["x509certificate"]);
        assert_eq!(at("k8sPod", 0), ["k8spod", "k8s", "pod"]);
    }

    #[test]
    fn parts_share_the_word_position() {
        let t = analyze("see PostgresReplicationLagHigh now");
        assert!(t.iter().filter(|t| t.pos == 1).count() > 1);
        assert!(
            t.iter()
                .any(|t| t.term == "replicationlaghigh" && t.pos == 1)
        );
        assert_eq!(t.last().map(|t| (t.term.as_str(), t.pos)), Some(("now", 2)));
        let tail = t.iter().find(|t| t.term == "laghigh").unwrap();
        assert_eq!(
            &"see PostgresReplicationLagHigh now"[tail.from..tail.to],
            "LagHigh"
        );
    }

    #[test]
    fn long_terms_are_dropped_but_keep_their_position() {
        let long = "a".repeat(65);
        let t = terms(&format!("x {long} y"));
        assert_eq!(t, [("x".into(), 0), ("y".into(), 2)]);
        let exactly = "b".repeat(64);
        assert_eq!(terms(&exactly).len(), 1);
        // The parts of a long word survive.
        let camel = format!("{}Tail", "Long".repeat(16));
        let t = at(&camel, 0);
        assert!(!t.contains(&camel.to_lowercase()));
        assert!(t.contains(&"tail".to_string()));
    }

    #[test]
    fn unicode_words_and_lowercase() {
        assert_eq!(at("Ünïcode", 0), ["ünïcode"]);
        assert_eq!(at("straßeÜber", 0), ["straßeüber", "straße", "über"]);
        assert_eq!(words("日本語 テキスト").len(), 2);
    }

    #[test]
    fn field_values_are_a_position_apart() {
        let (t, len) = field_tokens(&["KubePodCrashLooping", "Disk full"]);
        assert_eq!(len, 9);
        let disk = t.iter().find(|(term, _)| term == "disk").unwrap();
        assert_eq!(disk.1, 2);
        let (t, _) = field_tokens(&["", "x"]);
        assert_eq!(t, [("x".to_string(), 1)]);
    }
}
