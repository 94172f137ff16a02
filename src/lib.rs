//! Fieldbook: a static site generator and health checker for reliability documentation.
//!
//! The pipeline, one module per stage: [`config`] → [`load`] (walk, front matter) → [`model`]
//! (documents, owners, courses) → [`checks`] (diagnostics) → output.

pub mod diagnostic;
