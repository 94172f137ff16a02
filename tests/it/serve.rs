//! `fieldbook serve`: the live preview, driven over HTTP. Each test starts the server on a
//! free port (`--port 0`, the port read from its `serving ... at URL` line) over a temporary
//! copy of `tests/fixtures/valid`, edits files and watches the right pages change.

use crate::common;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a change may take to show (generous: CI machines are slow and busy).
const WAIT: Duration = Duration::from_secs(20);
const SNIPPET: &str = "<script src=\"/__fieldbook/live.js\" defer></script>\n";
const FAILOVER: &str = "content/runbooks/db/failover.md";

struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
    site: common::TestSite,
}

struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

impl Server {
    /// `fieldbook serve` on a copy of the valid fixture (changed by `prepare` first).
    fn start(extra: &[&str], prepare: impl FnOnce(&Path)) -> Server {
        let site = common::temp_fixture("valid");
        prepare(site.path());
        let mut cmd = common::command();
        cmd.arg("serve")
            .arg(site.path())
            .args(["--port", "0", "--color", "never"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("fieldbook serve starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut tx = Some(tx);
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Some(rest) = line.strip_prefix("serving ")
                        && let Some(port) = rest
                            .rsplit_once(':')
                            .and_then(|(_, p)| p.trim_end_matches('/').parse::<u16>().ok())
                        && let Some(tx) = tx.take()
                    {
                        let _ = tx.send(port);
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let port = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(p) => p,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "fieldbook serve did not print its address:\n{}",
                    log.lock().unwrap().join("\n")
                );
            }
        };
        Server {
            child,
            port,
            log,
            site,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.path().join(rel)
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    fn request(&self, method: &str, target: &str) -> Response {
        request(self.port, method, target)
    }

    fn get(&self, target: &str) -> Response {
        self.request("GET", target)
    }

    /// Poll `target` until `ok` holds for its response; panics after [`WAIT`].
    fn wait_for(&self, target: &str, what: &str, ok: impl Fn(&Response) -> bool) -> Response {
        let start = Instant::now();
        loop {
            let r = self.get(target);
            if ok(&r) {
                return r;
            }
            if start.elapsed() > WAIT {
                panic!(
                    "{target}: {what} did not happen within {WAIT:?} (status {}); server said:\n{}",
                    r.status,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn wait_log(&self, what: &str, ok: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while !ok(&self.log()) {
            if start.elapsed() > WAIT {
                panic!("{what} was not printed within {WAIT:?}:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn edit(&self, rel: &str, f: impl FnOnce(&str) -> String) {
        let text = std::fs::read_to_string(self.path(rel)).unwrap();
        self.write(rel, &f(&text));
    }

    /// Every page and file the site has, by URL path, as served (without the injected script).
    fn snapshot(&self, paths: &[String]) -> BTreeMap<String, Vec<u8>> {
        paths
            .iter()
            .map(|p| {
                let r = self.get(p);
                assert_eq!(r.status, 200, "{p}");
                (p.clone(), strip_snippet(&r.body))
            })
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn strip_snippet(body: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(body);
    if s.contains(SNIPPET) {
        s.replacen(SNIPPET, "", 1).into_bytes()
    } else {
        body.to_vec()
    }
}

/// One HTTP/1.1 request on a fresh connection; the response read whole.
fn request(port: u16, method: &str, target: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("the server accepts connections");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_response(&raw, method == "HEAD")
}

fn parse_response(raw: &[u8], head: bool) -> Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(raw)));
    let head_text = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head_text.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &raw[end + 4..];
    let body = if head {
        rest.to_vec()
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|t| t == "chunked")
    {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..i]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[i + 2..(i + 2 + size).min(b.len())]);
        b = &b[(i + 4 + size).min(b.len())..];
    }
    out
}

/// Server-sent events from `/__fieldbook/events`, as (event, data) pairs.
struct Events {
    rx: mpsc::Receiver<(String, String)>,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET /__fieldbook/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(s);
            // Headers.
            let mut chunked = false;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line
                    .to_ascii_lowercase()
                    .starts_with("transfer-encoding: chunked")
                {
                    chunked = true;
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut text = String::new();
            let mut buf = vec![0u8; 65536];
            loop {
                let data = if chunked {
                    let mut size_line = String::new();
                    if r.read_line(&mut size_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let size = usize::from_str_radix(size_line.trim(), 16).unwrap_or(0);
                    if size == 0 {
                        return;
                    }
                    let mut chunk = vec![0u8; size + 2];
                    if r.read_exact(&mut chunk).is_err() {
                        return;
                    }
                    chunk.truncate(size);
                    chunk
                } else {
                    let n = r.read(&mut buf).unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf[..n].to_vec()
                };
                text.push_str(&String::from_utf8_lossy(&data));
                while let Some(i) = text.find("\n\n") {
                    let block: String = text.drain(..i + 2).collect();
                    let mut event = "message".to_string();
                    let mut data = String::new();
                    for line in block.lines() {
                        if let Some(e) = line.strip_prefix("event:") {
                            event = e.trim().to_string();
                        } else if let Some(d) = line.strip_prefix("data:") {
                            data.push_str(d.trim_start());
                        }
                    }
                    if tx.send((event, data)).is_err() {
                        return;
                    }
                }
            }
        });
        Events { rx }
    }

    /// The next event named `name` (others are skipped), with its data as JSON.
    fn next(&self, name: &str, server: &Server) -> serde_json::Value {
        let start = Instant::now();
        while start.elapsed() < WAIT {
            match self.rx.recv_timeout(Duration::from_millis(200)) {
                Ok((e, data)) if e == name => {
                    return serde_json::from_str(&data).unwrap_or_else(|err| {
                        panic!("event {e} has data that is not JSON ({err}): {data}")
                    });
                }
                Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!(
            "no `{name}` event within {WAIT:?}; server said:\n{}",
            server.log()
        );
    }
}

fn sitemap_paths(server: &Server) -> Vec<String> {
    let xml = server.get("/sitemap.xml").text();
    let mut paths: Vec<String> = xml
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .map(|s| s.to_string())
        .collect();
    paths.extend(
        ["/static/fieldbook.css", "/404.html", "/sitemap.xml"]
            .into_iter()
            .map(String::from),
    );
    paths
}

#[test]
fn serves_the_site_in_memory_with_the_right_headers() {
    let server = Server::start(&[], |_| {});
    assert!(
        server.log().lines().any(|l| l.starts_with("build: ")),
        "{}",
        server.log()
    );
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("cache-control"), Some("no-cache"));
    assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
    let text = home.text();
    assert!(text.contains("Valid Fixture Handbook"));
    assert_eq!(
        text.matches(SNIPPET).count(),
        1,
        "the live-reload script is injected once"
    );
    assert!(text.find(SNIPPET).unwrap() < text.rfind("</body>").unwrap());

    let page = server.get("/runbooks/db/failover/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Database failover"));
    // Directory URLs: index.html, and a redirect to the trailing slash.
    let same = server.get("/runbooks/db/failover/index.html");
    assert_eq!(same.body, page.body);
    let redirect = server.get("/runbooks/db/failover?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(
        redirect.header("location"),
        Some("/runbooks/db/failover/?x=1")
    );

    let css = server.get("/static/fieldbook.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(!css.text().contains("live.js"));
    let sitemap = server.get("/sitemap.xml");
    assert_eq!(sitemap.header("content-type"), Some("application/xml"));
    let script = server.get("/__fieldbook/live.js");
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.text().contains("EventSource"));

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        missing.text().contains("kind-not-found"),
        "the site's 404 page"
    );
    assert!(missing.text().contains(SNIPPET));

    let head = server.request("HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    assert_eq!(
        head.header("content-length"),
        Some(home.body.len().to_string().as_str())
    );
    assert_eq!(server.request("HEAD", "/nope/").status, 404);
    let post = server.request("POST", "/");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));

    // The sources and the site's own files are not part of the site.
    for p in [
        "/book.toml",
        "/owners.yaml",
        "/content/runbooks/db/failover.md",
        "/runbooks/db/failover.md",
        "/.fieldbook/search/meta.json",
        "/.fieldbook-output",
    ] {
        assert_eq!(server.get(p).status, 404, "{p}");
    }
    assert!(
        !server.path("public").exists(),
        "serve writes no output directory"
    );
    // Nothing in the site changed but its search index in .fieldbook/.
    let files = |root: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut v: Vec<(PathBuf, Vec<u8>)> = walkdir(root)
            .into_iter()
            .filter(|p| !p.strip_prefix(root).unwrap().starts_with(".fieldbook"))
            .map(|p| {
                (
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        files(server.site.path()),
        files(&common::fixture("valid")),
        "serve changed files of the site"
    );
}

#[test]
fn hostile_paths_get_400_or_404_and_never_file_contents() {
    let server = Server::start(&[], |_| {});
    // A file beside the site that traversal would reach.
    let secret = server
        .site
        .path()
        .parent()
        .unwrap()
        .join(format!("fieldbook-serve-secret-{}.txt", std::process::id()));
    std::fs::write(&secret, "TOP-SECRET-CONTENTS").unwrap();
    let name = secret.file_name().unwrap().to_string_lossy().into_owned();
    let long = format!("/{}", "a/".repeat(5000));
    let hostile = [
        "/../etc/passwd".to_string(),
        "/../../../../../../etc/passwd".to_string(),
        "/%2e%2e/".to_string(),
        "/%2e%2e/%2e%2e/etc/passwd".to_string(),
        "/%2E%2E/book.toml".to_string(),
        "/..%2fbook.toml".to_string(),
        "/..%2Fbook.toml".to_string(),
        "/static/..%2f..%2fbook.toml".to_string(),
        "/static/%2e%2e/%2e%2e/book.toml".to_string(),
        "/..%5cbook.toml".to_string(),
        "/static/%00".to_string(),
        "/static/fieldbook.css%00.html".to_string(),
        "//etc/passwd".to_string(),
        "/static//fieldbook.css".to_string(),
        "/%252e%252e/book.toml".to_string(),
        "/./book.toml".to_string(),
        "/%c0%ae%c0%ae/book.toml".to_string(),
        format!("/../{name}"),
        format!("/%2e%2e/{name}"),
        format!("/..%2f{name}"),
        long,
    ];
    for p in &hostile {
        let r = server.get(p);
        assert!(
            r.status == 400 || r.status == 404,
            "{}: status {}",
            &p[..p.len().min(60)],
            r.status
        );
        let text = r.text();
        for leak in [
            "TOP-SECRET",
            "root:",
            "[book]",
            "people:",
            "title: Database failover",
        ] {
            assert!(!text.contains(leak), "{p} leaked {leak}");
        }
    }
    let _ = std::fs::remove_file(secret);
    // Still serving.
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn an_edit_rerenders_the_page_and_only_the_pages_that_show_it() {
    let server = Server::start(&[], |_| {});
    let paths = sitemap_paths(&server);
    let before = server.snapshot(&paths);

    // A body edit: the page changes, nothing else does (no list shows the body).
    server.edit(FAILOVER, |t| {
        t.replace(
            "1. Promote the replica.",
            "1. Promote the replica (edited).",
        )
    });
    server.wait_for("/runbooks/db/failover/", "the edit", |r| {
        r.text().contains("Promote the replica (edited).")
    });
    std::thread::sleep(Duration::from_millis(500));
    let after = server.snapshot(&paths);
    let changed: Vec<&String> = paths.iter().filter(|p| before[*p] != after[*p]).collect();
    assert_eq!(
        changed,
        ["/runbooks/db/failover/"],
        "a body edit changes its page alone"
    );

    // A title edit: the page, and the index pages that list the runbook.
    server.edit(FAILOVER, |t| {
        t.replace(
            "title: Database failover",
            "title: Database failover, renamed",
        )
    });
    server.wait_for(
        "/runbooks/",
        "the runbooks index lists the new title",
        |r| r.text().contains("Database failover, renamed"),
    );
    for p in [
        "/runbooks/db/failover/",
        "/teams/team-db/",
        "/teams/",
        "/sitemap.xml",
    ] {
        let r = server.wait_for(p, "the new title", |r| {
            p == "/sitemap.xml" || r.text().contains("Database failover, renamed")
        });
        assert_eq!(r.status, 200);
    }
    let after_title = server.snapshot(&paths);
    for unchanged in [
        "/about/",
        "/courses/intro/",
        "/courses/intro/01-paging/",
        "/postmortems/2026-10-01-primary-lost/",
        "/static/fieldbook.css",
        "/sitemap.xml",
        "/404.html",
    ] {
        assert!(
            after[unchanged] == after_title[unchanged],
            "{unchanged} changed with the runbook's title"
        );
    }
}

#[test]
fn added_renamed_and_deleted_files() {
    let server = Server::start(&[], |_| {});
    // A runbook without a review date: never reviewed, so home lists it under "needs review".
    server.write(
        "content/runbooks/db/vacuum.md",
        "---\ntitle: Vacuum runaway tables\nowners: [team-db]\n---\n\nRun `VACUUM (VERBOSE)` on the table.\n",
    );
    let page = server.wait_for("/runbooks/db/vacuum/", "the new page", |r| r.status == 200);
    assert!(page.text().contains("VACUUM (VERBOSE)"));
    server.wait_for("/", "home lists the new runbook", |r| {
        r.text().contains("Vacuum runaway tables")
    });
    server.wait_for("/runbooks/", "the runbooks index lists it", |r| {
        r.text().contains("Vacuum runaway tables")
    });
    server.wait_for("/sitemap.xml", "the sitemap lists it", |r| {
        r.text().contains("/runbooks/db/vacuum/")
    });

    // Renamed: the old URL is gone, the new one serves the page.
    std::fs::rename(
        server.path("content/runbooks/db/vacuum.md"),
        server.path("content/runbooks/db/vacuum-tables.md"),
    )
    .unwrap();
    server.wait_for("/runbooks/db/vacuum-tables/", "the renamed page", |r| {
        r.status == 200 && r.text().contains("VACUUM (VERBOSE)")
    });
    server.wait_for("/runbooks/db/vacuum/", "the old URL gone", |r| {
        r.status == 404
    });

    // Deleted, and a whole folder with it.
    std::fs::remove_file(server.path("content/runbooks/db/vacuum-tables.md")).unwrap();
    server.wait_for(
        "/runbooks/db/vacuum-tables/",
        "the deleted page gone",
        |r| r.status == 404,
    );
    server.wait_for("/", "home no longer lists it", |r| {
        !r.text().contains("Vacuum runaway tables")
    });
    std::fs::remove_dir_all(server.path("content/courses/intro")).unwrap();
    server.wait_for("/courses/intro/01-paging/", "the lesson gone", |r| {
        r.status == 404
    });
    server.wait_for("/courses/intro/", "the course gone", |r| r.status == 404);
    // Pages that linked to the deleted page no longer link to its URL.
    server.wait_for("/runbooks/db/failover/", "still served", |r| {
        r.status == 200
    });
}

#[test]
fn broken_front_matter_keeps_the_last_good_page_and_reports_the_error() {
    let server = Server::start(&[], |_| {});
    let events = Events::open(server.port);
    let hello = events.next("hello", &server);
    assert_eq!(hello["error"], false);
    let good = server.get("/runbooks/db/failover/").body;

    server.edit(FAILOVER, |t| {
        t.replace("owners: [team-db]", "owners: [team-db\nbroken: here")
    });
    let error = events.next("error", &server);
    let d = &error["diagnostics"][0];
    assert_eq!(d["file"], FAILOVER, "{error}");
    assert_eq!(d["code"], "invalid-metadata");
    assert!(
        d["line"].as_u64().is_some_and(|l| (2..=6).contains(&l)),
        "{error}"
    );
    assert!(d["column"].as_u64().is_some_and(|c| c >= 1));
    assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
    // The server keeps serving the last good page, and says what is wrong on the terminal.
    let r = server.get("/runbooks/db/failover/");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, good);
    server.wait_log("the error on the terminal", |log| {
        log.contains("error[invalid-metadata]") && log.contains(&format!("--> {FAILOVER}:"))
    });
    // A page opened now hears about the error at once.
    let late = Events::open(server.port);
    assert_eq!(late.next("hello", &server)["error"], true);
    assert_eq!(
        late.next("error", &server)["diagnostics"][0]["file"],
        FAILOVER
    );

    // Fixed: `ok`, and the page shows the new text.
    server.edit(FAILOVER, |t| {
        t.replace("owners: [team-db\nbroken: here", "owners: [team-db]")
            .replace("Promote the replica.", "Promote the replica, fixed.")
    });
    events.next("ok", &server);
    server.wait_for("/runbooks/db/failover/", "the fixed page", |r| {
        r.text().contains("Promote the replica, fixed.")
    });
    let reload = events.next("reload", &server);
    assert!(
        reload["urls"]
            .as_array()
            .is_some_and(|u| u.iter().any(|u| u == "runbooks/db/failover/")),
        "{reload}"
    );
}

#[test]
fn owners_book_toml_and_theme_changes_rebuild_everything() {
    let server = Server::start(&[], |_| {});
    let events = Events::open(server.port);
    events.next("hello", &server);
    let owners = std::fs::read_to_string(server.path("owners.yaml")).unwrap();
    let team = server.get("/teams/team-db/").text();
    assert!(!team.contains("Storage Reliability Squad"));
    let renamed = rename_team(&owners);
    std::fs::write(server.path("owners.yaml"), &renamed).unwrap();
    server.wait_for("/teams/team-db/", "the team's new name", |r| {
        r.text().contains("Storage Reliability Squad")
    });
    // The runbook's owner badge too.
    server.wait_for("/runbooks/db/failover/", "the owner's new name", |r| {
        r.text().contains("Storage Reliability Squad")
    });
    let reload = events.next("reload", &server);
    assert_eq!(reload["all"], true);

    // A broken owners file: an error, the last good site stays.
    std::fs::write(server.path("owners.yaml"), "people: [unclosed\n").unwrap();
    let error = events.next("error", &server);
    assert_eq!(error["diagnostics"][0]["file"], "owners.yaml", "{error}");
    assert!(
        server
            .get("/teams/team-db/")
            .text()
            .contains("Storage Reliability Squad")
    );
    std::fs::write(server.path("owners.yaml"), &renamed).unwrap();
    events.next("ok", &server);

    // book.toml: the title.
    let book = std::fs::read_to_string(server.path("book.toml")).unwrap();
    std::fs::write(
        server.path("book.toml"),
        book.replace("Valid Fixture Handbook", "Renamed Handbook"),
    )
    .unwrap();
    server.wait_for("/about/", "the new site title", |r| {
        r.text().contains("Renamed Handbook")
    });

    // A theme's template, created while serving.
    server.write(
        "themes/default/templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<p>Custom not-found page</p>{% endblock main %}",
    );
    server.wait_for("/no-such-page/", "the theme's 404 page", |r| {
        r.status == 404 && r.text().contains("Custom not-found page")
    });
}

fn rename_team(owners: &str) -> String {
    // The fixture names team-db's display name on one line.
    let mut out = String::new();
    let mut in_team = false;
    for line in owners.lines() {
        if line.trim_start().starts_with("team-db:") {
            in_team = true;
        }
        if in_team && line.trim_start().starts_with("name:") {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}name: Storage Reliability Squad\n"));
            in_team = false;
            continue;
        }
        if in_team && line.contains("name:") && line.contains('{') {
            out.push_str(&line.replacen("name: ", "name: Storage Reliability Squad, was: ", 1));
            out.push('\n');
            in_team = false;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    assert_ne!(out, owners, "team-db has a name in owners.yaml:\n{owners}");
    out
}

#[test]
fn editor_saves_and_bursts_of_files() {
    let server = Server::start(&[], |_| {});
    // vim: probe file, original moved to a backup, new file written, backup removed.
    let dir = server.path("content/runbooks/db");
    std::fs::write(dir.join("4913"), "").unwrap();
    std::fs::remove_file(dir.join("4913")).unwrap();
    std::fs::write(dir.join(".failover.md.swp"), "swap").unwrap();
    std::fs::rename(dir.join("failover.md"), dir.join("failover.md~")).unwrap();
    let text = std::fs::read_to_string(dir.join("failover.md~")).unwrap();
    std::fs::write(
        dir.join("failover.md"),
        text.replace("Promote the replica.", "Promote the replica (vim)."),
    )
    .unwrap();
    std::fs::remove_file(dir.join("failover.md~")).unwrap();
    server.wait_for("/runbooks/db/failover/", "the saved text", |r| {
        r.status == 200 && r.text().contains("Promote the replica (vim).")
    });
    for p in [
        "/runbooks/db/4913",
        "/runbooks/db/.failover.md.swp",
        "/runbooks/db/failover.md~",
    ] {
        assert_eq!(server.get(p).status, 404, "{p}");
    }

    // Twenty files at once (a git checkout): all served, in one or a few rebuilds.
    let before = server.log().matches("changed ").count();
    for i in 0..20 {
        server.write(
            &format!("content/runbooks/burst/rb-{i:02}.md"),
            &format!(
                "---\ntitle: Burst {i}\nowners: [team-db]\nreviewed: 2026-11-01\n---\nBody {i}\n"
            ),
        );
    }
    for i in 0..20 {
        server.wait_for(
            &format!("/runbooks/burst/rb-{i:02}/"),
            "the burst page",
            |r| r.status == 200,
        );
    }
    let rebuilds = server.log().matches("changed ").count() - before;
    assert!(
        (1..=6).contains(&rebuilds),
        "{rebuilds} rebuilds for 20 files:\n{}",
        server.log()
    );
    // Images and other files are copied into memory.
    std::fs::write(
        server.path("content/runbooks/db/diagram.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    let svg = server.wait_for("/runbooks/db/diagram.svg", "the new image", |r| {
        r.status == 200
    });
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    std::fs::remove_file(server.path("content/runbooks/db/diagram.svg")).unwrap();
    server.wait_for("/runbooks/db/diagram.svg", "the image gone", |r| {
        r.status == 404
    });
}

#[test]
fn polling_sees_changes_too() {
    let server = Server::start(&["--poll"], |_| {});
    server.edit(FAILOVER, |t| {
        t.replace("Promote the replica.", "Promote the replica (polled).")
    });
    server.wait_for("/runbooks/db/failover/", "the edit, polled", |r| {
        r.text().contains("Promote the replica (polled).")
    });
}

#[test]
fn search_api_answers_from_the_index() {
    let server = Server::start(&[], |_| {});
    let r = server.get("/api/search?q=failover");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let results = v["results"].as_array().expect("a results list");
    assert_eq!(results[0]["path"], "runbooks/db/failover.md", "{v}");
    assert_eq!(results[0]["url"], "runbooks/db/failover/");
    assert!(results[0]["score"].as_f64().is_some());
    let v: serde_json::Value =
        serde_json::from_slice(&server.get("/api/search?q=primary&kind=postmortem").body).unwrap();
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["kind"] == "postmortem"),
        "{v}"
    );
    assert_eq!(
        server.get("/api/search?q=failover&kind=nonsense").status,
        400
    );
    assert_eq!(server.get("/api/search?q=").status, 400);
    assert_eq!(server.get("/api/search?q=x&limit=many").status, 400);

    // New text is found once the index has caught up.
    server.edit(FAILOVER, |t| {
        t.replace("Promote the replica.", "Promote the replica with zorblax.")
    });
    server.wait_for("/api/search?q=zorblax", "the new word indexed", |r| {
        r.text().contains("runbooks/db/failover.md")
    });
    // The browser's index is kept up to date too.
    server.wait_for("/search/index.json", "the client index", |r| {
        r.status == 200
    });
}

#[test]
fn after_edits_the_served_site_equals_a_fresh_build() {
    let server = Server::start(&[], |_| {});
    let events = Events::open(server.port);
    events.next("hello", &server);
    server.edit(FAILOVER, |t| {
        t.replace(
            "title: Database failover",
            "title: Failover of the database",
        )
        .replace("Promote the replica.", "Promote the replica, carefully.")
    });
    server.write(
        "content/runbooks/cache/flush.md",
        "---\ntitle: Flush the cache\nowners: [team-db]\nreviewed: 2026-11-20\ntags: [cache, storage]\nservices: [redis]\n---\n\nSee [failover](../db/failover.md).\n",
    );
    server.edit("content/courses/intro/01-paging.md", |t| {
        format!("{t}\n\nOne more paragraph about paging.\n")
    });
    server.write(
        "content/courses/intro/02-escalation.md",
        "---\ntitle: Escalation\nminutes: 12\n---\n\nWhen to wake someone up.\n",
    );
    std::fs::rename(
        server.path("content/about.md"),
        server.path("content/about-us.md"),
    )
    .unwrap();
    server.wait_for("/about-us/", "the renamed page", |r| r.status == 200);
    server.wait_for("/courses/intro/02-escalation/", "the new lesson", |r| {
        r.status == 200
    });

    assert_served_equals_build(&server);
    // And pages of removed documents are gone.
    assert_eq!(server.get("/about/").status, 404);
}

#[test]
fn after_structural_edits_the_served_site_equals_a_fresh_build() {
    let server = Server::start(&[], |_| {});
    // The course's owners change: its lessons inherit them (team pages, cards).
    server.edit("content/courses/intro/index.md", |t| {
        t.replace("owners: [team-db]", "owners: [alice]")
    });
    server.edit("content/courses/intro/01-paging.md", |t| {
        t.replace("minutes: 10", "minutes: 25\ntags: [paging]")
    });
    // A postmortem's action item changes hands.
    server.edit("content/postmortems/2026-10-01-primary-lost.md", |t| {
        t.replace("owner: bob", "owner: team-db")
    });
    // A runbook and a postmortem about a service: its page gathers both (runbooks, alerts,
    // incidents, open action items, teams) and the services index counts them.
    server.edit(FAILOVER, |t| {
        t.replace(
            "alerts: [PostgresPrimaryDown]",
            "alerts: [PostgresPrimaryDown, PostgresReplicaLag]\nservices: [postgres]",
        )
    });
    server.edit("content/postmortems/2026-10-01-primary-lost.md", |t| {
        t.replace("date: 2026-10-01", "date: 2026-10-01\nservices: [postgres]")
    });
    server.wait_for("/services/postgres/", "the service page", |r| {
        r.text().contains("PostgresReplicaLag") && r.text().contains("Primary database lost")
    });
    // A review date long past: the runbook turns stale (the navigation's count on every page).
    server.edit(FAILOVER, |t| {
        t.replace("reviewed: 2026-11-01", "reviewed: 2025-01-01")
    });
    server.wait_for("/freshness/", "the stale runbook in the report", |r| {
        r.text().contains("2025-01-01")
    });
    // A folder renamed: pages linking into it change their links.
    std::fs::rename(
        server.path("content/runbooks/db"),
        server.path("content/runbooks/database"),
    )
    .unwrap();
    server.wait_for("/runbooks/database/failover/", "the moved page", |r| {
        r.status == 200
    });
    // An image, and a page that links to it; a draft leaves the site.
    std::fs::write(
        server.path("content/runbooks/database/topology.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    server.write(
        "content/runbooks/database/replicas.md",
        "---\ntitle: Replicas\nowners: [team-db]\nreviewed: 2026-11-20\n---\n\n![Topology](topology.svg)\n",
    );
    server.write(
        "content/runbooks/database/draft.md",
        "---\ntitle: Not yet\nowners: [team-db]\nreviewed: 2026-11-20\ndraft: true\n---\n\nWork in progress.\n",
    );
    server.wait_for("/runbooks/database/replicas/", "the new page", |r| {
        r.status == 200
    });
    assert_served_equals_build(&server);
    assert_eq!(server.get("/runbooks/db/failover/").status, 404);
    assert_eq!(server.get("/runbooks/database/draft/").status, 404);
}

#[test]
fn after_edits_that_keep_the_navigation_the_served_site_equals_a_fresh_build() {
    // None of these changes a count in the navigation, so only the pages the edits reach are
    // re-rendered: this checks that they are the right ones.
    let server = Server::start(&[], |_| {});
    // One edit at a time (each waits for its page), so that each is a rebuild of its own.
    // After each, everything must equal a fresh build: a later edit could hide a page the
    // earlier one forgot.
    let step = |rel: &str, url: &str, marker: &str, f: &dyn Fn(&str) -> String| {
        server.edit(rel, |t| format!("{}\n\n{marker}\n", f(t)));
        server.wait_for(url, marker, |r| r.text().contains(marker));
        assert_served_equals_build(&server);
    };
    step(FAILOVER, "/runbooks/db/failover/", "step-one", &|t| {
        t.replace(
            "title: Database failover",
            "title: Database failover, again\ntags: [db, storage]",
        )
    });
    let lesson = (
        "content/courses/intro/01-paging.md",
        "/courses/intro/01-paging/",
    );
    let course = ("content/courses/intro/index.md", "/courses/intro/");
    step(lesson.0, lesson.1, "step-two", &|t| {
        t.replace("minutes: 10", "minutes: 10\ntags: [paging]")
    });
    // The course's title shows on its lessons' pages.
    step(course.0, course.1, "step-three", &|t| {
        t.replace("title: Intro to on-call", "title: On-call basics")
    });
    // A lesson's minutes show on the course's page and the home page's course card.
    step(lesson.0, lesson.1, "step-four", &|t| {
        t.replace("minutes: 10", "minutes: 15")
    });
    // The course's owners are its lessons' (their cards on the tag's pages).
    step(course.0, course.1, "step-five", &|t| {
        t.replace("owners: [team-db]", "owners: [team-db, alice]")
    });
    step(
        "content/postmortems/2026-10-01-primary-lost.md",
        "/postmortems/2026-10-01-primary-lost/",
        "step-six",
        &|t| {
            t.replace("owner: bob", "owner: team-db").replace(
                "title: Primary database lost",
                "title: Primary database lost for good",
            )
        },
    );
    // An action item closed: the tracker, its owner's team page (team-db) and the home's
    // postmortem card show it.
    step(
        "content/postmortems/2026-10-01-primary-lost.md",
        "/postmortems/2026-10-01-primary-lost/",
        "step-seven",
        &|t| t.replace("status: open", "status: wontfix"),
    );
    // A lesson starts teaching with the failover runbook and gets a quiz: the runbook's
    // "Taught in", the course page's question ids and My learning follow.
    step(lesson.0, lesson.1, "step-eight", &|t| {
        format!(
            "{t}\n\nSee [failover](../../runbooks/db/failover.md).\n\n```quiz\nquestion: Which?\nchoices:\n  - text: This\n    correct: true\n```\n"
        )
    });
    // The runbook turns stale: the lesson teaching with it warns its learners.
    step(FAILOVER, "/runbooks/db/failover/", "step-nine", &|t| {
        t.replace("reviewed: 2026-11-01", "reviewed: 2025-01-01")
    });
    assert!(
        server
            .get("/courses/intro/01-paging/")
            .text()
            .contains("case-study-warning")
    );
    // A tag no document has any more loses its page.
    server.edit(FAILOVER, |t| t.replace("tags: [db, storage]", "tags: [db]"));
    server.wait_for("/tags/storage/", "the empty tag's page gone", |r| {
        r.status == 404
    });
    assert_served_equals_build(&server);
}

/// Build the site with `fieldbook build` and compare every file with what the server serves
/// (waiting for its background work to catch up).
fn assert_served_equals_build(server: &Server) {
    let out = tempfile::tempdir().unwrap();
    let (code, _, err) = common::build_into(
        server.site.path(),
        &out.path().join("public"),
        &["--color", "never"],
    );
    assert!(code == 0 || code == 1, "build failed:\n{err}");
    let public = out.path().join("public");
    let mut files = Vec::new();
    for e in walkdir(&public) {
        let rel = e
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == ".fieldbook-output" {
            continue;
        }
        files.push(rel);
    }
    assert!(files.len() > 20, "{files:?}");
    // The served site catches up (index pages and the search index follow the edits).
    let start = Instant::now();
    loop {
        let mut diff = Vec::new();
        for rel in &files {
            let want = std::fs::read(public.join(rel)).unwrap();
            let url = format!("/{}", rel.strip_suffix("index.html").unwrap_or(rel));
            let url = url.replace(' ', "%20");
            let got = server.get(&url);
            if got.status != 200 || strip_snippet(&got.body) != want {
                diff.push(format!("{url} ({})", got.status));
            }
        }
        if diff.is_empty() {
            break;
        }
        if start.elapsed() > WAIT {
            panic!(
                "served pages differ from a fresh build: {diff:?}\nserver said:\n{}",
                server.log()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn listening_beyond_this_machine_is_warned_about() {
    let server = Server::start(&["--bind", "0.0.0.0"], |_| {});
    server.wait_log("the warning", |log| {
        log.contains(
            "warning: listening on 0.0.0.0 makes the preview reachable from other machines",
        )
    });
    assert_eq!(server.get("/").status, 200);
    let quiet = Server::start(&[], |_| {});
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !quiet.log().contains("warning: listening"),
        "{}",
        quiet.log()
    );
}

#[test]
fn usage_errors_exit_2() {
    // No site.
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = common::run([
        "serve".as_ref(),
        dir.path().as_os_str(),
        "--port".as_ref(),
        "0".as_ref(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("book.toml"), "{err}");
    // A port in use.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = common::fixture("valid");
    let copy = tempfile::tempdir().unwrap();
    common::copy_dir(&site, copy.path());
    let (code, _, err) = common::run([
        "serve".as_ref(),
        copy.path().as_os_str(),
        "--port".as_ref(),
        port.as_ref(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot listen"), "{err}");
}

#[test]
fn alert_pages_and_alerts_json_follow_a_runbooks_alerts_title_and_owners() {
    let server = Server::start(&[], |_| {});
    let page = server.get("/alerts/PostgresPrimaryDown/");
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("runbooks/db/failover/"),
        "{}",
        page.text()
    );

    // Renaming the alert: the new page appears, the old one goes, the map follows.
    server.edit(FAILOVER, |t| {
        t.replace(
            "alerts: [PostgresPrimaryDown]",
            "alerts: [PostgresPrimaryLost]",
        )
    });
    server.wait_for(
        "/alerts/PostgresPrimaryLost/",
        "the renamed alert's page",
        |r| r.status == 200 && r.text().contains("runbooks/db/failover/"),
    );
    server.wait_for(
        "/alerts/PostgresPrimaryDown/",
        "the old alert page to go",
        |r| r.status == 404,
    );
    server.wait_for("/alerts.json", "the alert map to follow", |r| {
        r.text().contains("\"PostgresPrimaryLost\"") && !r.text().contains("PostgresPrimaryDown")
    });

    // The runbook's title and owners show on its alert page, the index and the map.
    server.edit(FAILOVER, |t| {
        t.replace(
            "title: Database failover",
            "title: Failing over the database",
        )
        .replace("owners: [team-db]", "owners: [team-db, alice]")
    });
    for p in ["/alerts/PostgresPrimaryLost/", "/alerts/", "/alerts.json"] {
        server.wait_for(p, "the new title and owner", |r| {
            r.text().contains("Failing over the database") && r.text().contains("Alice Ng")
        });
    }
}

#[test]
fn hugo_alias_redirects_follow_their_document() {
    let server = Server::start(&[], |_| {});
    let lag = |alias: &str| {
        format!("---\ntitle: Lag\nowners: [team-db]\naliases: [{alias}]\n---\n\nText.\n")
    };
    server.write("content/runbooks/db/lag.md", &lag("/old-lag/"));
    server.wait_for("/old-lag/", "the redirect page", |r| {
        r.status == 200 && r.text().contains("url=../runbooks/db/lag/")
    });
    // The alias changes: the new old URL redirects, the previous one is gone.
    server.write("content/runbooks/db/lag.md", &lag("/older-lag/"));
    server.wait_for("/older-lag/", "the new redirect page", |r| r.status == 200);
    server.wait_for("/old-lag/", "the dropped alias gone", |r| r.status == 404);
    std::fs::remove_file(server.path("content/runbooks/db/lag.md")).unwrap();
    server.wait_for("/older-lag/", "gone with its document", |r| r.status == 404);
}
