//! Timings of the preview's steps, printed with `FIELDBOOK_SERVE_TRACE=1`.

use std::time::{Duration, Instant};

/// Phase timings on standard error when `FIELDBOOK_SERVE_TRACE` is set.
pub(crate) struct Trace {
    pub(crate) on: bool,
    pub(crate) last: Instant,
    parts: Vec<String>,
}

impl Trace {
    pub(crate) fn new() -> Trace {
        Trace {
            on: std::env::var_os("FIELDBOOK_SERVE_TRACE").is_some(),
            last: Instant::now(),
            parts: Vec::new(),
        }
    }

    pub(crate) fn lap(&mut self, what: &str) {
        if self.on {
            let now = Instant::now();
            self.parts.push(format!(
                "{what} {:.1}",
                (now - self.last).as_secs_f64() * 1000.0
            ));
            self.last = now;
        }
    }

    pub(crate) fn print(&mut self) {
        if self.on && !self.parts.is_empty() {
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmRSS:"))
                        .map(|l| l[6..].trim().to_string())
                })
                .unwrap_or_default();
            eprintln!("  trace (ms): {}; RSS {rss}", self.parts.join(", "));
            self.parts.clear();
        }
    }
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}
