//! Outside links checked (`dead-link`, `check --external`, docs/checks.md): every `http` and
//! `https` link of the listed documents is requested with [lychee-lib](https://lychee.cli.rs)
//! (per-host concurrency and request spacing, retries with exponential backoff, `Retry-After`
//! honoured per host, a timeout, bodies never read; a 5xx is retried here, which lychee does
//! not), and one that answers with an error
//! status or not at all is a finding at the link's line and column.
//!
//! Each distinct URL (its `#fragment` dropped) is requested once a run, and a settled answer
//! (a success, or a 4xx other than 408 and 429) is kept in `links.json` of the cache folder
//! ([`super::cache`], default `.fieldbook/cache/`) for
//! `[check] external_cache_ttl` (default one day), so that a nightly job re-checks a URL at
//! most once a day. Transient failures (5xx, 408, 429, timeouts, connection errors) are never
//! cached: the next run asks again.
//!
//! Never run by `build`, `serve` or `report`: a build without network must not fail. Tokens
//! for hosts behind authentication (`[check.external_headers]`) are read from the environment
//! and sent only to their host; they appear in no finding, note or cache.

use crate::config::{Config, ExternalLinks, HostHeader};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Document, Site};
use futures_util::StreamExt;
use lychee_lib::ratelimit::{HostConfig, HostConfigs, HostKey, RateLimitConfig};
use lychee_lib::{ClientBuilder, Status};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// At most this many distinct URLs are requested in one run; past it a note says how many
/// were left for the next (the cache carries the checked ones).
pub const MAX_URLS: usize = 10_000;

/// Requests in flight at once, all hosts together.
const CONCURRENCY: usize = 32;

/// Requests in flight at once to one host.
const PER_HOST: usize = 4;

/// The first wait before a retry (doubled for each next one), as lychee's.
const RETRY_WAIT: Duration = Duration::from_secs(1);

/// Redirects followed before a link counts as dead.
const MAX_REDIRECTS: usize = 5;

/// The cache is read up to this size; a larger one is ignored (and rewritten).
const MAX_CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// Entries kept in the cache at most (the most recent).
const MAX_CACHE_ENTRIES: usize = 100_000;

/// The cache, in the site's cache folder ([`super::cache`]).
pub const CACHE_FILE: &str = "links.json";

/// `.fieldbook/cache/links.json`: what each URL answered and when (seconds since the epoch).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    version: u32,
    links: BTreeMap<String, Entry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Entry {
    checked: u64,
    /// The HTTP status of the answer.
    status: u16,
    /// How a finding names it (`404 Not Found`).
    text: String,
}

/// What a URL answered.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Outcome {
    ok: bool,
    /// The answer settles it for the cache's lifetime (a success, a 4xx but 408 and 429).
    settled: bool,
    /// The status (`404 Not Found`) or the error (`timed out after 2s`, `DNS lookup failed: …`).
    text: String,
    status: Option<u16>,
}

/// The `dead-link` findings of the listed documents `keep` accepts. Notes (a corrupt cache,
/// a token variable not set, URLs past [`MAX_URLS`]) go to standard error, once each.
pub fn check(site: &Site, keep: &(dyn Fn(&str) -> bool + Sync)) -> Vec<Diagnostic> {
    let cfg = &site.config.external;
    let filter = match Filter::new(cfg) {
        Ok(f) => f,
        // Checked when book.toml was read: unreachable but harmless.
        Err(e) => {
            eprintln!("note: outside links not checked: {e}");
            return Vec::new();
        }
    };
    // Each distinct URL, in the order the documents first use it, with its uses.
    let docs: Vec<&Document> = site
        .documents
        .iter()
        .filter(|d| d.is_listed(false) && keep(&d.file))
        .collect();
    let mut order: Vec<String> = Vec::new();
    let mut uses: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (di, d) in docs.iter().enumerate() {
        for (li, link) in d.outline.links.iter().enumerate() {
            let Some(url) = outside_url(&link.dest) else {
                continue;
            };
            if !filter.wants(&url) {
                continue;
            }
            let e = uses.entry(url.clone()).or_default();
            if e.is_empty() {
                order.push(url);
            }
            e.push((di, li));
        }
    }
    if order.is_empty() {
        return Vec::new();
    }
    if order.len() > MAX_URLS {
        eprintln!(
            "note: {} outside URLs found; only the first {MAX_URLS} were checked this run",
            order.len()
        );
        order.truncate(MAX_URLS);
    }
    let now = unix_now();
    let (mut cache, read) = read_cache(&site.config);
    let ttl = cfg.cache_ttl.as_secs();
    let mut outcomes: HashMap<&str, Outcome> = HashMap::new();
    let mut ask: Vec<&str> = Vec::new();
    for url in &order {
        match cache.links.get(url.as_str()) {
            Some(e) if e.checked <= now && now - e.checked < ttl => {
                outcomes.insert(url, cached_outcome(e));
            }
            _ => ask.push(url),
        }
    }
    let secrets = secrets(cfg);
    if !ask.is_empty() {
        match request_all(cfg, &secrets, &ask) {
            Ok(found) => {
                for (url, outcome) in ask.iter().zip(found) {
                    if outcome.settled
                        && let Some(status) = outcome.status
                    {
                        cache.links.insert(
                            url.to_string(),
                            Entry {
                                checked: now,
                                status,
                                text: outcome.text.clone(),
                            },
                        );
                    }
                    outcomes.insert(url, outcome);
                }
                write_cache(&site.config, cache, read.as_deref(), now, ttl);
            }
            Err(e) => eprintln!("note: outside links not checked: {}", scrub(&e, &secrets)),
        }
    }
    let mut out = Vec::new();
    for url in &order {
        let Some(o) = outcomes.get(url.as_str()).filter(|o| !o.ok) else {
            continue;
        };
        for &(di, li) in &uses[url] {
            let d = docs[di];
            let link = &d.outline.links[li];
            let what = if link.image { "image" } else { "link" };
            let text = scrub(&o.text, &secrets);
            out.push(
                d.finding(
                    Code::DeadLink,
                    d.body_pos(link.offset, link.len),
                    format!("{what} `{}` is dead: {text}", link.dest.trim()),
                )
                .with_hint(hint(o)),
            );
        }
    }
    out
}

fn hint(o: &Outcome) -> &'static str {
    match o.status {
        Some(404 | 410) => {
            "the page is gone: link to where it moved, or drop the link (`[check] external_exclude` skips URLs that are meant to be unreachable)"
        }
        Some(401 | 403) => {
            "the host wants credentials: give a token with `[check.external_headers]`, or exclude it with `[check] external_exclude`"
        }
        Some(_) => {
            "check the link in a browser; if it works there, the host may refuse automated requests (exclude it with `[check] external_exclude`)"
        }
        None => {
            "check the link in a browser; a host that is slow or only reachable from inside a network can be excluded with `[check] external_exclude`"
        }
    }
}

/// The URL of an outside link (`http:` or `https:`, any case), its fragment dropped.
fn outside_url(dest: &str) -> Option<String> {
    let dest = dest.trim();
    let scheme_end = dest.find(':')?;
    let scheme = &dest[..scheme_end];
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let url = dest.split('#').next().unwrap_or(dest);
    (url.len() > scheme_end + 3).then(|| url.to_string())
}

/// `[check] external_include` and `external_exclude`: regular expressions matched anywhere
/// in the URL.
struct Filter {
    include: Option<regex::RegexSet>,
    exclude: Option<regex::RegexSet>,
}

impl Filter {
    fn new(cfg: &ExternalLinks) -> Result<Filter, regex::Error> {
        let set = |list: &[String]| -> Result<Option<regex::RegexSet>, regex::Error> {
            if list.is_empty() {
                return Ok(None);
            }
            regex::RegexSetBuilder::new(list)
                .size_limit(1 << 22)
                .build()
                .map(Some)
        };
        Ok(Filter {
            include: set(&cfg.include)?,
            exclude: set(&cfg.exclude)?,
        })
    }

    fn wants(&self, url: &str) -> bool {
        self.include.as_ref().is_none_or(|s| s.is_match(url))
            && !self.exclude.as_ref().is_some_and(|s| s.is_match(url))
    }
}

/// A header of `[check.external_headers]` with its value from the environment.
struct Secret<'a> {
    header: &'a HostHeader,
    value: String,
}

/// The headers of `[check.external_headers]` whose variables are set. A variable not set is
/// a note; that host is checked without that header.
fn secrets(cfg: &ExternalLinks) -> Vec<Secret<'_>> {
    let mut out = Vec::new();
    for h in &cfg.headers {
        match std::env::var(&h.var) {
            Ok(v) if !v.trim().is_empty() => out.push(Secret {
                header: h,
                value: v,
            }),
            _ => eprintln!(
                "note: [check.external_headers] \"{}\": the environment variable {} is not set; links to {} are checked without it",
                h.host, h.var, h.host
            ),
        }
    }
    out
}

/// `text` with every secret value replaced by `***`.
fn scrub(text: &str, secrets: &[Secret<'_>]) -> String {
    let mut text = text.to_string();
    for s in secrets {
        if s.value.len() >= 4 {
            text = text.replace(s.value.as_str(), "***");
        }
    }
    text
}

/// Request each of `urls` once with one lychee client, `CONCURRENCY` at a time: the outcomes
/// in the order of `urls`.
fn request_all(
    cfg: &ExternalLinks,
    secrets: &[Secret<'_>],
    urls: &[&str],
) -> Result<Vec<Outcome>, String> {
    let mut per_host: BTreeMap<&str, http::HeaderMap> = BTreeMap::new();
    for s in secrets {
        let (name, value) = match &s.header.header {
            None => (
                http::header::AUTHORIZATION,
                format!("Bearer {}", s.value.trim()),
            ),
            Some(name) => (
                http::HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| format!("`{name}` is not a header name"))?,
                s.value.trim().to_string(),
            ),
        };
        let mut value = http::HeaderValue::from_str(&value)
            .map_err(|_| format!("the value of {} is not a valid header value", s.header.var))?;
        value.set_sensitive(true);
        per_host
            .entry(s.header.host.as_str())
            .or_default()
            .insert(name, value);
    }
    let mut hosts = HostConfigs::default();
    for (host, headers) in per_host {
        let config = HostConfig {
            headers,
            ..HostConfig::default()
        };
        hosts = hosts.merge(HostConfigs::from([(HostKey::from(host), config)]));
    }
    let client = ClientBuilder::builder()
        .max_redirects(MAX_REDIRECTS)
        .max_retries(cfg.retries)
        .retry_wait_time(RETRY_WAIT)
        .timeout(Some(cfg.timeout))
        .user_agent(format!(
            "fieldbook/{} (link check)",
            env!("CARGO_PKG_VERSION")
        ))
        .schemes(
            ["http", "https"]
                .into_iter()
                .map(String::from)
                .collect::<std::collections::HashSet<_>>(),
        )
        .rate_limit_config(RateLimitConfig::from_options(Some(PER_HOST), None))
        .hosts(hosts)
        .build()
        .client()
        .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (timeout, retries) = (cfg.timeout, cfg.retries);
    let found: Vec<(usize, Outcome)> = runtime.block_on(async {
        futures_util::stream::iter(urls.iter().enumerate())
            .map(|(i, url)| {
                let client = &client;
                async move {
                    // lychee retries a 429, a timeout or a dropped connection itself; a 5xx
                    // or 408 answer is retried here, with the same backoff.
                    let mut wait = RETRY_WAIT;
                    let mut tries = 0;
                    loop {
                        let found = match client.check(*url).await {
                            Ok(response) => outcome(response.status(), timeout),
                            Err(e) => Outcome {
                                ok: false,
                                settled: false,
                                text: format!("not a URL that can be checked: {}", chain(&e)),
                                status: None,
                            },
                        };
                        let again = found.status.is_some_and(|c| c >= 500 || c == 408);
                        if !again || tries >= retries {
                            return (i, found);
                        }
                        tries += 1;
                        tokio::time::sleep(wait).await;
                        wait = wait.saturating_mul(2);
                    }
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await
    });
    let mut out = vec![None; urls.len()];
    for (i, o) in found {
        out[i] = Some(o);
    }
    Ok(out.into_iter().map(Option::unwrap_or_default).collect())
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome {
            ok: true,
            settled: false,
            text: String::new(),
            status: None,
        }
    }
}

/// What lychee's answer means for a finding and the cache.
fn outcome(status: &Status, timeout: Duration) -> Outcome {
    let code = status.code().map(|c| c.as_u16());
    let named = |c: u16| {
        let reason = http::StatusCode::from_u16(c)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        format!("{c} {reason}").trim_end().to_string()
    };
    // Settled answers are cached: a success, or a client error that a retry would not change.
    let settled =
        |c: u16| (200..300).contains(&c) || ((400..500).contains(&c) && c != 408 && c != 429);
    match status {
        Status::Ok(c) => Outcome {
            ok: true,
            settled: settled(c.as_u16()),
            text: named(c.as_u16()),
            status: Some(c.as_u16()),
        },
        // lychee's own cache (not used here) and links it chose not to check (example
        // domains): nothing to report.
        Status::Cached(_) | Status::Excluded => Outcome::default(),
        Status::Timeout(_) => Outcome {
            ok: false,
            settled: false,
            text: format!("timed out after {}", show_duration(timeout)),
            status: None,
        },
        Status::Error(e) | Status::Unsupported(e) => match code {
            // Redirects to http(s) URLs are followed: one left is to another scheme.
            Some(c) if (300..400).contains(&c) => Outcome {
                ok: false,
                settled: false,
                text: format!(
                    "{} (a redirect to a URL that is not http or https: not followed)",
                    named(c)
                ),
                status: Some(c),
            },
            Some(c) => Outcome {
                ok: false,
                settled: settled(c),
                text: named(c),
                status: Some(c),
            },
            None => Outcome {
                ok: false,
                settled: false,
                text: chain(e),
                status: None,
            },
        },
        Status::RequestError(e) => Outcome {
            ok: false,
            settled: false,
            text: bounded(e.to_string()),
            status: None,
        },
        Status::UnknownStatusCode(c) => Outcome {
            ok: false,
            settled: false,
            text: format!("unknown status {}", c.as_u16()),
            status: None,
        },
        Status::UnknownMailStatus(_) => Outcome::default(),
    }
}

fn cached_outcome(e: &Entry) -> Outcome {
    Outcome {
        ok: (200..300).contains(&e.status),
        settled: true,
        text: bounded(e.text.clone()),
        status: Some(e.status),
    }
}

/// An error as a reader can act on it: what kind (DNS, TLS, connection) and the innermost
/// cause, which names what went wrong.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut messages = vec![e.to_string()];
    let mut at = e.source();
    while let Some(s) = at {
        messages.push(s.to_string());
        at = s.source();
    }
    let all = messages.join(": ").to_ascii_lowercase();
    let innermost = messages.last().cloned().unwrap_or_default();
    let kind = if all.contains("dns error") || all.contains("failed to lookup address") {
        "DNS lookup failed"
    } else if all.contains("certificate") || all.contains("tls") || all.contains("handshake") {
        "TLS error"
    } else if all.contains("redirect") {
        "redirect not followed"
    } else if all.contains("connection refused") {
        "connection refused"
    } else if all.contains("connect") {
        "connection failed"
    } else {
        "request failed"
    };
    bounded(format!("{kind}: {innermost}"))
}

/// At most 300 characters of `text` on one line.
fn bounded(text: String) -> String {
    let one_line = text.replace(['\n', '\r'], " ");
    match one_line.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

fn show_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The cache, or an empty one: none yet, another format, or (with a note) one that cannot
/// be read or parsed. Also its bytes as read.
fn read_cache(config: &Config) -> (Cache, Option<Vec<u8>>) {
    match super::cache::read::<Cache>(config, CACHE_FILE, MAX_CACHE_BYTES) {
        Ok(Some((c, bytes))) if c.version == 1 => (c, Some(bytes)),
        Ok(_) => (Cache::default(), None),
        Err(why) => {
            eprintln!(
                "note: the link cache {} is ignored ({why}); every link is checked again",
                super::cache::shown(config, CACHE_FILE)
            );
            (Cache::default(), None)
        }
    }
}

/// Write the cache back, atomically, without the entries past their time (nor more than
/// [`MAX_CACHE_ENTRIES`]). A failure is a note: the findings stand.
fn write_cache(config: &Config, mut cache: Cache, previous: Option<&[u8]>, now: u64, ttl: u64) {
    cache.version = 1;
    cache
        .links
        .retain(|_, e| e.checked <= now && now - e.checked < ttl);
    if cache.links.len() > MAX_CACHE_ENTRIES {
        let mut by_age: Vec<(u64, String)> = cache
            .links
            .iter()
            .map(|(u, e)| (e.checked, u.clone()))
            .collect();
        by_age.sort_unstable_by(|a, b| b.cmp(a));
        for (_, u) in by_age.into_iter().skip(MAX_CACHE_ENTRIES) {
            cache.links.remove(&u);
        }
    }
    if let Err(e) = super::cache::write(config, CACHE_FILE, &cache, previous) {
        eprintln!("note: the link cache was not written: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_links_are_outside_urls() {
        assert_eq!(
            outside_url(" https://example.org/a#part "),
            Some("https://example.org/a".into())
        );
        assert_eq!(
            outside_url("HTTP://example.org"),
            Some("HTTP://example.org".into())
        );
        for not in [
            "mailto:a@b.c",
            "ftp://x.org/f",
            "../a.md",
            "#top",
            "https://",
            "javascript:x",
        ] {
            assert_eq!(outside_url(not), None, "{not}");
        }
    }

    #[test]
    fn include_and_exclude_patterns() {
        let cfg = ExternalLinks {
            include: vec!["^https://".into()],
            exclude: vec![r"internal\.example".into()],
            ..ExternalLinks::default()
        };
        let f = Filter::new(&cfg).unwrap();
        assert!(f.wants("https://docs.example.org/"));
        assert!(!f.wants("http://docs.example.org/"));
        assert!(!f.wants("https://internal.example/x"));
    }

    #[test]
    fn tokens_are_scrubbed_and_answers_settled() {
        let h = HostHeader {
            host: "h".into(),
            header: None,
            var: "V".into(),
        };
        let s = vec![Secret {
            header: &h,
            value: "s3cr3t-token".into(),
        }];
        assert_eq!(scrub("x s3cr3t-token y", &s), "x *** y");
        let t = Duration::from_secs(2);
        let ok = outcome(&Status::Ok(http::StatusCode::OK), t);
        assert!(ok.ok && ok.settled);
        let gone = outcome(
            &Status::Error(lychee_lib::ErrorKind::RejectedStatusCode(
                http::StatusCode::NOT_FOUND,
            )),
            t,
        );
        assert!(!gone.ok && gone.settled);
        assert_eq!(gone.text, "404 Not Found");
        let busy = outcome(
            &Status::Error(lychee_lib::ErrorKind::RejectedStatusCode(
                http::StatusCode::TOO_MANY_REQUESTS,
            )),
            t,
        );
        assert!(!busy.ok && !busy.settled);
        let slow = outcome(&Status::Timeout(None), Duration::from_millis(1500));
        assert_eq!(slow.text, "timed out after 1500ms");
        assert!(!slow.settled);
    }

    #[test]
    fn a_corrupt_cache_is_ignored() {
        let site = tempfile::tempdir().unwrap();
        let config = crate::checks::cache::test_config(site.path());
        let dir = crate::write::own_dir(site.path(), &[".fieldbook", "cache"]).unwrap();
        std::fs::write(dir.join(CACHE_FILE), "{ not json").unwrap();
        assert!(read_cache(&config).0.links.is_empty());
        let mut c = Cache::default();
        c.links.insert(
            "https://a.example/".into(),
            Entry {
                checked: 100,
                status: 200,
                text: "200 OK".into(),
            },
        );
        c.links.insert(
            "https://old.example/".into(),
            Entry {
                checked: 1,
                status: 200,
                text: "200 OK".into(),
            },
        );
        write_cache(&config, c, None, 150, 60);
        let back = read_cache(&config).0;
        assert_eq!(
            back.links.keys().collect::<Vec<_>>(),
            ["https://a.example/"]
        );
    }
}
