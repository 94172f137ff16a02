//! What a compose wrote, kept beside its output (`.NAME.fieldbook-compose.json` for an
//! output folder NAME, where its staging folder goes too) so that the next compose into the
//! same output rewrites only what changed; not in the output, whose bytes then depend on the
//! parts alone (its times would make two composes of the same parts differ). It holds every
//! output file with its size
//! and time (the build cache's [`OutputFile`]s, checked with the build's
//! `outputs_unchanged`), and each part's files as they were copied (the source's size and
//! time). A record that is missing, damaged, of another Fieldbook, or that the output no
//! longer matches (a file edited, added or removed by hand) is not used: the compose is then
//! made from scratch, as without one.

use crate::build::cache::{OutputFile, output_files, outputs_unchanged};
use crate::diagnostic::Fatal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The record of the output `target`: beside it, hidden.
pub fn path_of(target: &Path) -> Option<PathBuf> {
    beside(target, "fieldbook-compose.json")
}

/// Where the output a compose replaced is kept, beside the output, for the next compose to
/// start from (`build::output::Staging::commit_keeping`): bringing that tree in line with the
/// output touches only what differs, where linking a new copy of every file and removing
/// the replaced tree costs more than the rest of a compose that changed one part.
pub fn spare_of(target: &Path) -> Option<PathBuf> {
    beside(target, "fieldbook-spare")
}

fn beside(target: &Path, what: &str) -> Option<PathBuf> {
    let name = target.file_name()?.to_string_lossy();
    Some(target.with_file_name(format!(".{name}.{what}")))
}
/// Bumped when a field changes meaning: a record of another format is not used.
const FORMAT: u32 = 2;
/// The most a record may be (it is read whole): a 10k-document handbook's is a few MB.
const MAX_RECORD_BYTES: u64 = 256 << 20;

/// A source file's size and modification time (nanoseconds since the epoch).
pub type Stamp = (u64, u64);

#[derive(Serialize, Deserialize)]
pub struct Record {
    format: u32,
    fieldbook: String,
    /// Every file of the output but the record itself, as the compose left it.
    outputs: Vec<OutputFile>,
    /// Part name → its files as they were copied.
    parts: BTreeMap<String, Copied>,
}

/// One part's files as a compose copied them.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Copied {
    /// The folder they came from (absolute).
    pub dir: PathBuf,
    /// The last-good banner put into its pages, if any.
    pub banner: Option<String>,
    /// Output path → the source's stamp when it was copied.
    pub files: BTreeMap<String, Stamp>,
}

impl Record {
    /// The record of the compose that left `output`, when it can be trusted: readable, of
    /// this Fieldbook, and the output holding exactly the files it lists, unchanged.
    pub fn read(output: &Path) -> Option<Record> {
        let path = path_of(output)?;
        let bytes = crate::write::read_bounded_unrecorded(&path, MAX_RECORD_BYTES, false).ok()?;
        let record: Record = serde_json::from_slice(&bytes).ok()?;
        if record.format != FORMAT || record.fieldbook != env!("CARGO_PKG_VERSION") {
            return None;
        }
        outputs_unchanged(output, &record.outputs).then_some(record)
    }

    /// Part `name`'s files as copied from `dir` with `banner`; `None` when it was copied
    /// from elsewhere or with another banner (every file is then compared).
    pub fn copied(&self, name: &str, dir: &Path, banner: Option<&str>) -> Option<&Copied> {
        self.parts
            .get(name)
            .filter(|c| c.dir == dir && c.banner.as_deref() == banner)
    }

    /// The output files the compose wrote (not the record).
    pub fn outputs(&self) -> impl Iterator<Item = &str> {
        self.outputs.iter().map(|o| o.path.as_str())
    }
}

/// What `dir` (a finished compose, before it is swapped in: the move keeps each file's size
/// and time) holds, with `parts` as copied.
pub fn of(dir: &Path, parts: BTreeMap<String, Copied>) -> Result<Record, Fatal> {
    let outputs = output_files(dir).map_err(|e| {
        crate::build::sink::output_error(format!("cannot list {}: {e}", dir.display()))
    })?;
    Ok(Record {
        format: FORMAT,
        fieldbook: env!("CARGO_PKG_VERSION").to_string(),
        outputs,
        parts,
    })
}

impl Record {
    /// Keep the record beside `target`, which now holds what it lists. A record that cannot
    /// be written is removed: the next compose is then made from scratch, which is only
    /// slower, so the compose that just succeeded does not fail for it.
    pub fn save(&self, target: &Path) {
        let Some(path) = path_of(target) else { return };
        let mut bytes = serde_json::to_vec(self).expect("strings and numbers serialize");
        bytes.push(b'\n');
        if crate::write::replace_file(&path, &bytes).is_err() {
            let _ = std::fs::remove_file(&path);
        }
    }
}
