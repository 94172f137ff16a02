//! Fieldbook: a static site generator and health checker for reliability documentation.
//!
//! The pipeline, one module per stage: [`config`] → [`load`] (walk, [`front_matter`]) →
//! [`model`] (documents, [`owners`], courses) → [`checks`] ([`diagnostic`]s) → output.

pub mod adopt;
pub mod alerts;
pub mod baseline;
pub mod build;
pub mod checks;
pub mod commands;
pub mod config;
pub mod courses;
pub mod date;
pub mod diagnostic;
pub mod front_matter;
pub mod fuzzing;
pub mod links;
pub mod load;
pub mod markdown;
pub mod model;
pub mod owners;
pub mod render;
pub mod report;
pub mod review;
pub mod search;
pub mod serve;
pub mod source;
pub mod write;
