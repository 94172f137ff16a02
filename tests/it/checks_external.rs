//! Outside links (`check --external`, docs/checks.md): `dead-link` findings at the link,
//! naming the status or the error, against HTTP servers the tests start on 127.0.0.1 (200,
//! 404, 500, a redirect to a 404, a redirect to `file:`, a response slower than the timeout,
//! 429 with `Retry-After` then 200, a host wanting a token); the cache honoured on a second
//! run; nothing requested without `--external` or by `build`; the token in no output.

use crate::common::{TestSite, command, output, site_with};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "fb-test-token-5f3a9c";
const TOKEN_VAR: &str = "FIELDBOOK_TEST_LINK_TOKEN";

/// What the server saw: requests per path, and the `Authorization` header of each request.
#[derive(Default)]
struct Seen {
    count: HashMap<String, usize>,
    auth: Vec<(String, Option<String>)>,
}

/// An HTTP/1.1 server on 127.0.0.1 answering each path its way, one thread a connection,
/// counting what it is asked. It lives as long as the test process.
struct Server {
    port: u16,
    seen: Arc<Mutex<Seen>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = Arc::clone(&shared);
                std::thread::spawn(move || answer(stream, &seen));
            }
        });
        Server { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn count(&self, path: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .count
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.seen.lock().unwrap().count.values().sum()
    }

    fn auth(&self, path: &str) -> Vec<Option<String>> {
        let seen = self.seen.lock().unwrap();
        seen.auth
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, a)| a.clone())
            .collect()
    }
}

fn answer(mut stream: TcpStream, seen: &Mutex<Seen>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let path = head
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_string();
    let auth = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("authorization")
            .then(|| value.trim().to_string())
    });
    let n = {
        let mut s = seen.lock().unwrap();
        s.auth.push((path.clone(), auth.clone()));
        let n = s.count.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    let bearer = format!("Bearer {TOKEN}");
    let (status, extra): (&str, String) = match path.as_str() {
        "/ok" => ("200 OK", String::new()),
        "/missing" | "/gone" => ("404 Not Found", String::new()),
        "/error" => ("500 Internal Server Error", String::new()),
        "/redirect" => ("302 Found", "Location: /gone\r\n".into()),
        "/to-file" => ("302 Found", "Location: file:///etc/passwd\r\n".into()),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(4));
            ("200 OK", String::new())
        }
        "/busy" if n == 1 => ("429 Too Many Requests", "Retry-After: 1\r\n".into()),
        "/busy" => ("200 OK", String::new()),
        "/auth" if auth.as_deref() == Some(bearer.as_str()) => ("200 OK", String::new()),
        "/auth" => ("401 Unauthorized", String::new()),
        "/noauth" if auth.is_none() => ("200 OK", String::new()),
        "/noauth" => ("400 Bad Request", String::new()),
        _ => ("404 Not Found", String::new()),
    };
    let body = "hello";
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A site whose one runbook links to each of the server's paths, one a line (line numbers
/// in the file: the link to `/ok` is on line 7).
fn site(server: &Server, check: &str) -> TestSite {
    let book = format!(
        "[book]\ntitle = \"Links\"\n\n[build]\ntoday = \"2026-11-27\"\n\n[check]\nexternal_timeout = \"1s\"\nexternal_retries = 1\n{check}\n[check.external_headers]\n\"127.0.0.1\" = \"{TOKEN_VAR}\"\n"
    );
    let mut doc =
        String::from("---\ntitle: Links\nowners: [alice]\nreviewed: 2026-11-01\n---\n# Links\n");
    for path in [
        "/ok",
        "/missing",
        "/error",
        "/redirect",
        "/to-file",
        "/slow",
        "/busy",
        "/auth",
    ] {
        doc.push_str(&format!("- see [{path}]({}#section)\n", server.url(path)));
    }
    doc.push_str(&format!(
        "- and <http://localhost:{}/noauth>\n- not [mail](mailto:a@example.org), not [local](#links)\n",
        server.port
    ));
    site_with(&[
        ("book.toml", book.as_str()),
        ("content/runbooks/links.md", doc.as_str()),
    ])
}

/// `fieldbook SUBCOMMAND SITE ARGS...` with the token set and no proxy in the way: (exit
/// code, stdout, stderr).
fn run(site: &TestSite, subcommand: &str, args: &[&str]) -> (i32, String, String) {
    let mut cmd = command();
    cmd.arg(subcommand).arg(site.path()).args(args);
    cmd.env(TOKEN_VAR, TOKEN);
    for v in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        cmd.env_remove(v);
    }
    let (code, out, err) = output(cmd);
    assert!(!err.contains("panicked"), "{err}");
    (code, out, err)
}

/// The `dead-link` findings: (line, column, message), in order.
fn dead_links(stdout: &str) -> Vec<(u64, u64, String)> {
    let json: serde_json::Value = serde_json::from_str(stdout).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "dead-link")
        .map(|f| {
            assert_eq!(f["severity"], "warning", "{f:#}");
            assert_eq!(f["file"], "content/runbooks/links.md", "{f:#}");
            (
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn dead_links_are_found_cached_and_never_requested_unasked() {
    let server = Server::start();
    let site = site(&server, "");

    // Off by default: `check` without --external, and `build`, request nothing.
    let (code, out, _) = run(&site, "check", &["--format", "json"]);
    assert_eq!(code, 0, "{out}");
    assert!(dead_links(&out).is_empty());
    let out_dir = site.output_dir();
    let (code, _, err) = run(&site, "build", &["--output", out_dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(server.total(), 0, "nothing is requested without --external");

    let (code, out, err) = run(&site, "check", &["--format", "json", "--external"]);
    assert_eq!(code, 0, "dead-link is a warning by default: {out}\n{err}");
    let found = dead_links(&out);
    let at: Vec<(u64, u64)> = found.iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(
        at,
        [(8, 7), (9, 7), (10, 7), (11, 7), (12, 7)],
        "{found:#?}\n{err}"
    );
    let url = |p: &str| format!("link `{}#section` is dead: ", server.url(p));
    assert_eq!(found[0].2, format!("{}404 Not Found", url("/missing")));
    assert_eq!(
        found[1].2,
        format!("{}500 Internal Server Error", url("/error"))
    );
    assert_eq!(
        found[2].2,
        format!("{}404 Not Found", url("/redirect")),
        "a redirect is followed"
    );
    assert!(
        found[3].2.starts_with(&url("/to-file"))
            && found[3].2.ends_with(
                "302 Found (a redirect to a URL that is not http or https: not followed)"
            ),
        "a redirect to file: is not followed: {:?}",
        found[3]
    );
    assert_eq!(found[4].2, format!("{}timed out after 1s", url("/slow")));
    // Retried: 500 once more; 429 then, after Retry-After, 200.
    assert_eq!(server.count("/error"), 2);
    assert_eq!(server.count("/busy"), 2);
    assert_eq!(server.count("/gone"), 1);
    // The token goes to its host only, and to no output.
    assert!(
        server
            .auth("/auth")
            .iter()
            .all(|a| a.as_deref() == Some(&*format!("Bearer {TOKEN}")))
    );
    assert_eq!(server.auth("/noauth"), [None]);
    let cache = site.read(".fieldbook/cache/links.json");
    for text in [&out, &err, &cache] {
        assert!(!text.contains(TOKEN), "{text}");
    }
    assert!(cache.contains(&server.url("/ok")) && cache.contains(&server.url("/missing")));
    assert!(
        !cache.contains("/slow") && !cache.contains("/error"),
        "{cache}"
    );

    // Second run: settled answers come from the cache; only the transient ones are asked again.
    let settled = [
        "/ok",
        "/missing",
        "/redirect",
        "/gone",
        "/busy",
        "/auth",
        "/noauth",
    ];
    let before: Vec<usize> = settled.iter().map(|p| server.count(p)).collect();
    let (_, out2, err2) = run(&site, "check", &["--format", "json", "--external"]);
    assert_eq!(dead_links(&out2), found, "{err2}");
    let after: Vec<usize> = settled.iter().map(|p| server.count(p)).collect();
    assert_eq!(before, after, "cached URLs are not requested again");
    assert_eq!(server.count("/error"), 4);
    assert!(server.count("/slow") >= 3);

    // A corrupt cache is ignored, with a note, and replaced.
    site.write(".fieldbook/cache/links.json", "{ not json");
    let (_, out3, err3) = run(&site, "check", &["--format", "json", "--external"]);
    assert!(
        err3.contains("note: the link cache") && err3.contains("corrupt"),
        "{err3}"
    );
    assert_eq!(dead_links(&out3), found);
    assert_eq!(server.count("/ok"), 2);
    assert!(
        site.read(".fieldbook/cache/links.json")
            .contains("\"version\": 1")
    );
}

#[test]
fn config_turns_it_on_for_check_only_and_fail_on_makes_it_an_error() {
    let server = Server::start();
    let site = site(
        &server,
        "external_links = true\nexternal_include = [\"/missing\", \"/ok\"]\nfail_on = [\"dead-link\"]\n",
    );
    let out_dir = site.output_dir();
    let (_, _, err) = run(&site, "build", &["--output", out_dir.to_str().unwrap()]);
    assert_eq!(server.total(), 0, "build never checks outside links: {err}");
    let (code, out, err) = run(&site, "check", &["--format", "json"]);
    assert_eq!(code, 1, "{out}\n{err}");
    let found = dead_links_any_severity(&out);
    assert_eq!(found, [(8, 7)], "{out}");
    // Only what external_include names was asked.
    assert_eq!(
        server.count("/ok") + server.count("/missing"),
        server.total()
    );
}

fn dead_links_any_severity(stdout: &str) -> Vec<(u64, u64)> {
    let json: serde_json::Value = serde_json::from_str(stdout).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "dead-link")
        .map(|f| {
            assert_eq!(f["severity"], "error");
            (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap())
        })
        .collect()
}

#[test]
fn bad_external_keys_are_configuration_errors() {
    for (check, says) in [
        ("external_timeout = \"soon\"", "is not a duration"),
        ("external_exclude = [\"(\"]", "is not a regular expression"),
        ("external_lnks = true", "external_lnks"),
    ] {
        let site = site_with(&[(
            "book.toml",
            format!("[book]\ntitle = \"T\"\n[check]\n{check}\n").as_str(),
        )]);
        let (code, out, err) = run(&site, "check", &[]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            out.contains(says) || err.contains(says),
            "{check}: {out}{err}"
        );
    }
}
