//! Fieldbook's integration tests, in one test crate so that `cargo test` links one binary
//! for them all instead of one per file. Each module is one area; `common` holds the helpers
//! they share (running the `fieldbook` binary, [`common::TestSite`]).

mod common;

mod adopt_curriculum;
mod adopt_format;
mod adopt_govuk;
mod adopt_owners;
mod alerts;
mod architecture;
mod bad_input;
mod browser;
mod build;
mod build_cache;
mod checks_code;
mod checks_external;
mod cli;
mod collisions;
mod compose;
mod compose_last_good;
mod content_root;
mod corpus_oracle;
mod courses;
mod decisions;
mod fuzz_regressions;
mod handover;
mod hardening_content;
mod hardening_io;
mod hardening_sinks;
mod history;
mod incidents;
mod interrupted;
mod limits;
mod ownership_states;
mod part;
mod properties;
mod search_export;
mod search_relevance;
mod serve;
mod serve_load;
#[cfg(unix)]
mod symlinks;
mod theme_smoke;
mod xss;
