//! The preview's search worker: keeps the terminal's tantivy index and the browser's client
//! index up to date with what the engine sends, off the engine's thread.

use super::Shared;
use super::trace::Trace;
use crate::build::{MemorySink, Sink};
use crate::search::SearchDoc;
use std::collections::BTreeMap;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

pub use crate::search::is_client_index;

/// What the search worker is told: all entries anew, or some changed (`None`: removed).
pub enum SearchUpdate {
    All(Vec<SearchDoc>),
    Some(Vec<(String, Option<SearchDoc>)>),
}

/// The search worker waits for edits to pause this long before updating the indexes.
const SEARCH_QUIET: Duration = Duration::from_millis(200);

/// Keep the tantivy index and the browser's client index up to date with the entries the
/// engine sends. It waits for edits to pause ([`SEARCH_QUIET`]), runs at a lower priority and
/// on a thread pool of its own, so that it never delays the rendering of an edited page.
pub fn search_worker(shared: Arc<Shared>, rx: mpsc::Receiver<SearchUpdate>) {
    lower_priority();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "fieldbook-search-pool".into())
        .start_handler(|_| lower_priority())
        .build();
    let mut docs: BTreeMap<String, SearchDoc> = BTreeMap::new();
    let mut generation = 0u64;
    let apply = |docs: &mut BTreeMap<String, SearchDoc>, u: SearchUpdate| match u {
        SearchUpdate::All(all) => *docs = all.into_iter().map(|d| (d.rel.clone(), d)).collect(),
        SearchUpdate::Some(some) => {
            for (rel, entry) in some {
                match entry {
                    Some(e) => docs.insert(rel, e),
                    None => docs.remove(&rel),
                };
            }
        }
    };
    while let Ok(first) = rx.recv() {
        apply(&mut docs, first);
        // The first index is wanted at once; later ones when the edits pause.
        if generation > 0 {
            let opened = Instant::now();
            while opened.elapsed() < Duration::from_secs(3) {
                match rx.recv_timeout(SEARCH_QUIET) {
                    Ok(u) => apply(&mut docs, u),
                    Err(mpsc::RecvTimeoutError::Timeout) => break,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
        }
        while let Ok(u) = rx.try_recv() {
            apply(&mut docs, u);
        }
        let list: Vec<SearchDoc> = docs.values().cloned().collect();
        let update = || index_search(&shared, &list);
        match &pool {
            Ok(p) => p.install(update),
            Err(_) => update(),
        }
        drop(list);
        trim_memory();
        generation += 1;
        shared.search_ready.send_replace(generation);
    }
}

fn index_search(shared: &Shared, docs: &[SearchDoc]) {
    let mut trace = Trace::new();
    {
        let _w = shared
            .search_lock
            .write()
            .unwrap_or_else(|e| e.into_inner());
        if let Err(e) = crate::search::update_index(&shared.root, docs) {
            eprintln!("warning: the search index was not updated: {e:#}");
        }
    }
    trace.lap("search: tantivy");
    match crate::search::client_index_files(docs) {
        Ok(files) => {
            let staged = MemorySink::new();
            for (path, bytes) in files {
                let _ = staged.put(&path, bytes);
            }
            let gone: Vec<String> = shared
                .files
                .paths()
                .into_iter()
                .filter(|p| is_client_index(p) && !staged.contains(p))
                .collect();
            shared.files.apply(staged, &gone);
        }
        Err(e) => eprintln!("warning: the browser's search index was not updated: {e}"),
    }
    trace.lap("client index");
    trace.print();
}

/// Make the calling thread yield to the others (nice 10), where the system allows it.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread; failure only leaves the priority.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// Give memory freed by a large temporary (the client index is rebuilt whole) back to the
/// system, so that the server's size stays near what it holds. The `fieldbook` binary
/// allocates with mimalloc (src/main.rs); the library's own tests with the system's allocator.
fn trim_memory() {
    // SAFETY: mi_collect only returns mimalloc's free pages; harmless when it holds none.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap memory.
    unsafe {
        libc::malloc_trim(0);
    }
}
