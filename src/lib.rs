//! Fieldbook: a static site generator and health checker for reliability documentation.
//!
//! The modules are the pipeline's stages, each using only those listed before it
//! (docs/architecture.md draws the graph):
//! [`diagnostic`] and [`write`](mod@write) (shared by all) → [`content`] (one file's text: source
//! positions, dates, front matter, Markdown, links, URLs) → [`config`] (book.toml) →
//! [`model`] (documents, owners, courses, the site) → [`adopt`] (other tools' conventions
//! read as Fieldbook's) → [`load`] (walk the tree, apply adoption, build the model) →
//! [`checks`] (findings, baseline) → [`render`] (Markdown to HTML, highlighting) →
//! [`search`] → [`parts`] (the part manifest) → [`build`] (pages, templates, output) →
//! [`compose`] (parts into one handbook) → [`alert_rules`] (Prometheus rules
//! against the built pages) → [`pipeline`] (load and check, as every command does) →
//! [`serve`] → [`cli`] (the commands).

pub mod adopt;
pub mod alert_rules;
pub mod build;
pub mod checks;
pub mod cli;
pub mod compose;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod fuzzing;
pub mod load;
pub mod model;
pub mod parts;
pub mod pipeline;
pub mod render;
pub mod search;
pub mod serve;
pub mod write;
