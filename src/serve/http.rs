//! The preview's HTTP side (axum): the in-memory site, the event stream open pages listen to,
//! the live-reload script and the search API.
//!
//! A request path is only ever a key into the in-memory site: it is percent-decoded one
//! segment at a time and refused (400) when a segment is `.` or `..`, holds a slash, backslash
//! or control character once decoded (`%2f`, `%5c`, `%00`), when it is empty in the middle
//! (`//etc`), not UTF-8, or longer than [`MAX_PATH`]. Nothing is read from the disk.

use super::{LIVE_JS, ServerEvent, Shared};
use crate::content::front_matter::Kind;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use serde_json::json;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// Longest request path accepted, in bytes.
pub const MAX_PATH: usize = 4096;
const EVENTS: &str = "/__fieldbook/events";
const SCRIPT: &str = "/__fieldbook/live.js";
/// What is inserted before `</body>` of every HTML page served.
const SNIPPET: &[u8] = b"<script src=\"/__fieldbook/live.js\" defer></script>\n";

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(EVENTS, get(events))
        .route(SCRIPT, get(live_js))
        .route("/api/search", get(api_search))
        .fallback(site)
        .with_state(shared)
}

/// The key into the site a request path names: percent-decoded, `/`-separated, without the
/// leading slash (`""` for `/`, `runbooks/` for `/runbooks/`); or the status refusing it.
pub fn site_path(raw: &str) -> Result<String, StatusCode> {
    let bad = StatusCode::BAD_REQUEST;
    if raw.len() > MAX_PATH {
        return Err(bad);
    }
    let rest = raw.strip_prefix('/').ok_or(bad)?;
    let segments: Vec<&str> = rest.split('/').collect();
    let mut out = Vec::with_capacity(segments.len());
    for (i, seg) in segments.iter().enumerate() {
        if seg.is_empty() {
            if i + 1 == segments.len() {
                out.push(String::new());
                continue;
            }
            return Err(bad);
        }
        let decoded = decode_segment(seg).ok_or(bad)?;
        if decoded == "."
            || decoded == ".."
            || decoded.contains(['/', '\\'])
            || decoded.chars().any(char::is_control)
        {
            return Err(bad);
        }
        out.push(decoded);
    }
    Ok(out.join("/"))
}

/// `%XX` decoding that refuses malformed escapes and bytes that are not UTF-8.
fn decode_segment(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let v = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" | "log" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The page with the live-reload script before its closing `</body>` (or at its end).
pub fn inject(html: &[u8]) -> Vec<u8> {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + SNIPPET.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(SNIPPET);
    out.extend_from_slice(&html[at..]);
    out
}

fn with_headers(mut r: Response, content_type: &'static str) -> Response {
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // A preview: the browser asks again every time.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    with_headers((status, text).into_response(), "text/plain; charset=utf-8")
}

fn file(status: StatusCode, path: &str, bytes: Arc<[u8]>) -> Response {
    let ct = content_type(path);
    let body = if ct.starts_with("text/html") {
        Body::from(inject(&bytes))
    } else {
        Body::from(Bytes::from_owner(bytes))
    };
    with_headers((status, body).into_response(), ct)
}

fn not_found(shared: &Shared) -> Response {
    match shared.files.get("404.html") {
        Some(page) => file(StatusCode::NOT_FOUND, "404.html", page),
        None => plain(StatusCode::NOT_FOUND, "Not found\n"),
    }
}

/// Any other path: a file of the in-memory site.
async fn site(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let raw = uri.path();
    let key = match site_path(raw) {
        Ok(k) => k,
        Err(status) => return plain(status, "Bad request\n"),
    };
    let path = if key.is_empty() || key.ends_with('/') {
        format!("{key}index.html")
    } else {
        key.clone()
    };
    if let Some(bytes) = shared.files.get(&path) {
        return file(StatusCode::OK, &path, bytes);
    }
    if !key.is_empty() && !key.ends_with('/') && shared.files.contains(&format!("{key}/index.html"))
    {
        // `raw` passed the checks above: it starts with one slash and names a page here.
        let location = match uri.query() {
            Some(q) => format!("{raw}/?{q}"),
            None => format!("{raw}/"),
        };
        if let Ok(v) = HeaderValue::from_str(&location) {
            let mut r = plain(StatusCode::MOVED_PERMANENTLY, "Moved permanently\n");
            r.headers_mut().insert(header::LOCATION, v);
            return r;
        }
    }
    not_found(&shared)
}

async fn live_js() -> Response {
    with_headers(LIVE_JS.into_response(), "text/javascript; charset=utf-8")
}

fn sse_event(e: &ServerEvent) -> Event {
    Event::default().event(e.name).data(&e.data)
}

/// Server-sent events: `hello` first (with the server's instance, so that a page reloads
/// after a restart), the current errors if any, then `reload`, `error` and `ok` as they come.
async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let rx = shared.events.subscribe();
    let status = shared.current_status();
    let hello = Event::default()
        .event("hello")
        .retry(Duration::from_millis(1000))
        .data(json!({ "instance": shared.instance, "error": status.is_some() }).to_string());
    let mut first = vec![hello];
    first.extend(status.as_ref().map(sse_event));
    let live = futures_util::stream::unfold(rx, |mut rx| async move {
        use tokio::sync::broadcast::error::RecvError;
        match rx.recv().await {
            Ok(e) => Some((sse_event(&e), rx)),
            // Too far behind to know what changed: everything did.
            Err(RecvError::Lagged(_)) => Some((sse_event(&ServerEvent::reload_all()), rx)),
            Err(RecvError::Closed) => None,
        }
    });
    let stream = futures_util::stream::iter(first)
        .chain(live)
        .map(Ok::<_, Infallible>);
    let mut r = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

fn json_response(status: StatusCode, v: serde_json::Value) -> Response {
    with_headers((status, v.to_string()).into_response(), "application/json")
}

fn json_error(status: StatusCode, msg: &str) -> Response {
    json_response(status, json!({ "error": msg }))
}

/// `GET /api/search?q=...&kind=&service=&owner=&stale=&limit=`: what `fieldbook search --json`
/// prints, from the tantivy index.
async fn api_search(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| params.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let text = get("q").unwrap_or("").to_string();
    let kind = match get("kind") {
        Some(k) => match Kind::parse(k) {
            Some(k) => Some(k),
            None => {
                return json_error(
                    StatusCode::BAD_REQUEST,
                    "kind must be runbook, postmortem, course, lesson or page",
                );
            }
        },
        None => None,
    };
    let limit = match get("limit") {
        Some(l) => match l.parse::<usize>() {
            Ok(n) => n.clamp(1, 100),
            Err(_) => return json_error(StatusCode::BAD_REQUEST, "limit must be a number"),
        },
        None => 10,
    };
    let q = crate::search::Query {
        text,
        kind,
        service: get("service").map(str::to_string),
        owner: get("owner").map(str::to_string),
        stale: matches!(get("stale"), Some("1" | "true" | "yes" | "on")),
        limit,
    };
    let filtered = q.kind.is_some() || q.service.is_some() || q.owner.is_some() || q.stale;
    if crate::search::query::parse(&q.text).is_empty() && !filtered {
        return json_error(
            StatusCode::BAD_REQUEST,
            "nothing to search for: give q (words, an alert name, an error message) or a filter",
        );
    }
    let mut ready = shared.search_ready.subscribe();
    let ready = tokio::time::timeout(Duration::from_secs(120), ready.wait_for(|g| *g > 0))
        .await
        .is_ok_and(|r| r.is_ok());
    if !ready {
        return json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the search index is not ready yet",
        );
    }
    // The query is bounded where it is parsed; say so when it was cut.
    let note = crate::search::query::truncation(&q.text);
    let result = tokio::task::spawn_blocking(move || {
        let _r = shared.search_lock.read().unwrap_or_else(|e| e.into_inner());
        crate::search::search(&shared.root, &q)
    })
    .await;
    match result {
        Ok(Ok(hits)) => {
            let mut v = crate::search::cli::results_json(&hits);
            if let Some(note) = note {
                v["note"] = note.into();
            }
            json_response(StatusCode::OK, v)
        }
        Ok(Err(e)) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("search failed: {e:#}"),
        ),
        Err(_) => json_error(StatusCode::INTERNAL_SERVER_ERROR, "search failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_are_keys_or_refused() {
        assert_eq!(site_path("/").unwrap(), "");
        assert_eq!(site_path("/runbooks/").unwrap(), "runbooks/");
        assert_eq!(
            site_path("/postmortems/PM%201%20-%20DNS/").unwrap(),
            "postmortems/PM 1 - DNS/"
        );
        assert_eq!(site_path("/static/a.css").unwrap(), "static/a.css");
        assert_eq!(site_path("/caf%C3%A9/").unwrap(), "café/");
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/",
            "/%2E%2E/book.toml",
            "/..%2fbook.toml",
            "/a/%2F/b",
            "/a%5c..%5cb",
            "/static/%00",
            "//etc/passwd",
            "/a//b",
            "/./a",
            "/a/.",
            "/%zz",
            "/%c3",
            "/a%0ab",
            "relative",
        ] {
            assert_eq!(site_path(bad), Err(StatusCode::BAD_REQUEST), "{bad}");
        }
        assert!(site_path(&format!("/{}", "a".repeat(MAX_PATH))).is_err());
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let out = inject(b"<html><body><p>x</p></body></html>");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<html><body><p>x</p><script src=\"/__fieldbook/live.js\" defer></script>\n</body></html>"
        );
        let out = inject(b"no body");
        assert!(out.ends_with(SNIPPET));
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("static/x.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("search/t/0.json"), "application/json");
        assert_eq!(content_type("sitemap.xml"), "application/xml");
        assert_eq!(content_type("images/a.PNG"), "image/png");
        assert_eq!(content_type("README"), "application/octet-stream");
    }
}
