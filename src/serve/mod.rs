//! `fieldbook serve`: a live preview. The site is rendered into memory once, then a watcher
//! reports saved files and the [`engine`] re-renders only the pages an edit affects; the HTTP
//! server ([`http`]) serves the in-memory files (there are no file system paths behind a
//! request), tells open pages over server-sent events which URLs changed, and shows build errors
//! as an overlay on them ([`LIVE_JS`]).
//!
//! Threads: the watcher ([`watch`]) batches file events; the engine owns the [`Site`] and
//! renders; a search worker keeps the tantivy index (in `<site>/.fieldbook/`) and the browser's
//! client index up to date; tokio runs the HTTP server. Only `.fieldbook/` is ever written.
//!
//! `FIELDBOOK_SERVE_TRACE=1` prints the time each step of a rebuild takes (and the RSS).
//!
//! [`Site`]: crate::model::Site

pub mod engine;
pub mod http;
mod search_worker;
mod trace;
pub mod watch;

use crate::build::MemorySink;
use crate::content::date::Date;
use crate::diagnostic::Diagnostic;
use serde_json::json;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock, mpsc};

/// The script injected into every HTML page served (never into a build).
pub const LIVE_JS: &str = include_str!("live.js");

pub struct ServeArgs {
    pub site: PathBuf,
    pub port: u16,
    pub bind: IpAddr,
    pub open: bool,
    pub poll: bool,
    pub drafts: bool,
    pub today: Option<Date>,
    pub color: bool,
}

/// Something open pages are told.
#[derive(Clone, Debug)]
pub struct ServerEvent {
    /// The SSE event name: `reload`, `error` or `ok`.
    pub name: &'static str,
    /// JSON.
    pub data: String,
}

impl ServerEvent {
    /// Pages whose URLs (site-relative: `""`, `runbooks/db/failover/`) changed.
    pub fn reload(urls: Vec<String>) -> ServerEvent {
        ServerEvent {
            name: "reload",
            data: json!({ "all": false, "urls": urls }).to_string(),
        }
    }

    pub fn reload_all() -> ServerEvent {
        ServerEvent {
            name: "reload",
            data: json!({ "all": true, "urls": [] }).to_string(),
        }
    }

    pub fn error(diags: &[Diagnostic]) -> ServerEvent {
        let list: Vec<_> = diags
            .iter()
            .map(|d| {
                json!({
                    "code": d.code,
                    "severity": d.severity,
                    "file": d.file,
                    "line": d.line,
                    "column": d.column,
                    "message": d.message,
                    "hint": d.hint,
                    "source": d.source_line,
                })
            })
            .collect();
        ServerEvent {
            name: "error",
            data: json!({ "diagnostics": list }).to_string(),
        }
    }

    pub fn ok() -> ServerEvent {
        ServerEvent {
            name: "ok",
            data: "{}".into(),
        }
    }
}

/// What the HTTP server shares with the threads that render.
pub struct Shared {
    /// The site as served: paths relative to its root, percent-decoded.
    pub files: MemorySink,
    pub events: tokio::sync::broadcast::Sender<ServerEvent>,
    /// The error event open pages show now (`None`: the last rebuild went well).
    pub status: Mutex<Option<ServerEvent>>,
    /// The site directory (the tantivy index lives in its `.fieldbook/`).
    pub root: PathBuf,
    /// Generations of the search index: 0 until the first one is ready.
    pub search_ready: tokio::sync::watch::Sender<u64>,
    /// Searches read the tantivy index while the worker is not updating it.
    pub search_lock: RwLock<()>,
    /// Tells pages that reconnect whether this is still the server they loaded from.
    pub instance: String,
}

impl Shared {
    pub fn new(root: PathBuf) -> Shared {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Shared {
            files: MemorySink::new(),
            events: tokio::sync::broadcast::channel(256).0,
            status: Mutex::new(None),
            root,
            search_ready: tokio::sync::watch::channel(0).0,
            search_lock: RwLock::new(()),
            instance: format!("{}-{started:x}", std::process::id()),
        }
    }

    /// Tell every open page (nobody listening is fine).
    pub fn send(&self, event: ServerEvent) {
        let _ = self.events.send(event);
    }

    /// Set the error state; returns whether it changed.
    pub fn set_status(&self, status: Option<ServerEvent>) -> bool {
        let mut s = self.status.lock().unwrap_or_else(|e| e.into_inner());
        let changed = match (&*s, &status) {
            (None, None) => false,
            (Some(a), Some(b)) => a.data != b.data,
            _ => true,
        };
        *s = status;
        changed
    }

    pub fn current_status(&self) -> Option<ServerEvent> {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Run the preview server until interrupted. Returns the exit status: 2 when the site cannot
/// be loaded at the start or the address cannot be bound.
pub fn run(args: &ServeArgs, err: &mut dyn Write) -> std::io::Result<u8> {
    let started = std::time::Instant::now();
    let root = match std::fs::canonicalize(&args.site) {
        Ok(r) => r,
        Err(e) => {
            writeln!(err, "error: cannot open {}: {e}", args.site.display())?;
            return Ok(2);
        }
    };
    let shared = Arc::new(Shared::new(root.clone()));
    let (search_tx, search_rx) = mpsc::channel();
    let interrupt = Arc::new(AtomicBool::new(false));
    // Watch before the first build reads anything, so that no save is missed: changes made
    // meanwhile wait in the channel.
    let config = match crate::config::load(&root) {
        Ok(c) => c,
        Err(d) => return crate::diagnostic::format::fail(d, err, args.color),
    };
    let (batch_tx, batch_rx) = mpsc::channel();
    let watcher = match watch::spawn(
        engine::watch_targets(&root, &config),
        args.poll,
        batch_tx,
        interrupt.clone(),
    ) {
        Ok(w) => w,
        Err(e) => {
            writeln!(
                err,
                "error: cannot watch {} for changes: {e}{}",
                root.display(),
                if args.poll {
                    ""
                } else {
                    " (try --poll, which polls for changes instead)"
                }
            )?;
            return Ok(2);
        }
    };
    let options = engine::Options {
        root: root.clone(),
        today: args.today,
        drafts: args.drafts,
        color: args.color,
    };
    let (mut engine, first) = match engine::Engine::start(options, shared.clone(), search_tx) {
        Ok(x) => x,
        Err(fatal) => return crate::diagnostic::format::fail(fatal, err, args.color),
    };
    writeln!(
        err,
        "build: {} pages and {} other files in memory, {} errors, {} warnings, {:.2} s",
        first.pages,
        shared.files.len().saturating_sub(first.pages),
        first.errors,
        first.warnings,
        started.elapsed().as_secs_f64()
    )?;

    let listener = match std::net::TcpListener::bind(SocketAddr::new(args.bind, args.port)) {
        Ok(l) => l,
        Err(e) => {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                "; another server uses that port: choose another with --port N (0 for any free one)"
            } else {
                ""
            };
            writeln!(
                err,
                "error: cannot listen on {}: {e}{hint}",
                SocketAddr::new(args.bind, args.port)
            )?;
            return Ok(2);
        }
    };
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}/");
    writeln!(err, "serving {} at {url}", engine.title())?;
    if !args.bind.is_loopback() {
        writeln!(
            err,
            "warning: listening on {} makes the preview reachable from other machines; it is meant for this one (the default, --bind 127.0.0.1)",
            args.bind
        )?;
    }
    err.flush()?;

    engine.set_watcher(watcher);

    {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("fieldbook-search".into())
            .spawn(move || search_worker::search_worker(shared, search_rx))?;
    }
    std::thread::Builder::new()
        .name("fieldbook-rebuild".into())
        .spawn(move || engine.run(batch_rx, interrupt))?;

    if args.open {
        open_browser(&url);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = http::router(shared);
        let server = axum::serve(listener, app);
        tokio::select! {
            r = server => r,
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })?;
    writeln!(err, "serve: stopped")?;
    // Open event streams would keep the runtime's shutdown waiting.
    std::process::exit(0);
}

fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let spawned = cmd
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
    }
}
