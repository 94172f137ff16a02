//! The build's phase timings on standard error with `FIELDBOOK_TRACE=1`: where a slow CI
//! build spends its time, without a profiler (docs/ci.md).

use std::sync::Mutex;
use std::time::Instant;

static LAST: Mutex<Option<Instant>> = Mutex::new(None);

fn on() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("FIELDBOOK_TRACE").is_some_and(|v| v != "0"))
}

/// Say how long it took since the last step (or since the first call) to finish `what`.
pub fn step(what: &str) {
    if !on() {
        return;
    }
    let now = Instant::now();
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let ms = last.map_or(0.0, |l| (now - l).as_secs_f64() * 1000.0);
    *last = Some(now);
    eprintln!("trace: {what} {ms:.1} ms");
}
