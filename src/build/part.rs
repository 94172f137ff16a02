//! `fieldbook build --part NAME` (docs/many-repos.md): one repository's docs as a relocatable
//! part. The site is written under `NAME/` of the output (pages link to each other relatively,
//! so they work under any prefix), and [`crate::parts::Manifest`] (`part.json`) beside it.

use crate::diagnostic::Diagnostic;

/// What `--part` adds to a build.
#[derive(Clone, Debug)]
pub struct PartOptions {
    /// The part's name: its URL prefix without the slash.
    pub name: String,
    /// The findings of the check the build ran, recorded in the manifest.
    pub findings: Vec<Diagnostic>,
}
