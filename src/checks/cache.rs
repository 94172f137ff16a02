//! The checks' result caches, files of the site's cache folder (`[build] cache_dir`, default
//! `.fieldbook/cache`): `links.json` (outside links, [`super::external`]) and
//! `shellcheck.json` (shell blocks, [`super::code::shellcheck`]). A cache only saves work:
//! one that is missing, unreadable, too large, corrupt or of another format is ignored and
//! rewritten, and one that cannot be written leaves the findings as they are.
//!
//! Read unrecorded: a check's cache is no input of a build (the build cache would otherwise
//! see it change under every build it saves).

use crate::config::Config;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::PathBuf;

/// The cache folder as [`crate::write::own_dir`] walks it: its components below the site.
fn parts(config: &Config) -> Result<Vec<String>, String> {
    let rel = config
        .cache_dir
        .strip_prefix(&config.root)
        .map_err(|_| "the cache folder is not inside the site".to_string())?;
    Ok(rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect())
}

fn dir(config: &Config, create: bool) -> Result<Option<PathBuf>, String> {
    let parts = parts(config)?;
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let found = if create {
        crate::write::own_dir(&config.root, &parts).map(Some)
    } else {
        crate::write::existing_own_dir(&config.root, &parts)
    };
    found.map_err(|e| e.to_string())
}

/// `file` of the cache folder as the site shows it (`.fieldbook/cache/links.json`).
pub fn shown(config: &Config, file: &str) -> String {
    crate::config::site_rel(config, &config.cache_dir.join(file))
}

/// The cache `file` and its bytes as read (to write it back only when it changed): `Ok(None)`
/// when there is none yet, `Err` saying why one there is ignored.
pub fn read<T: DeserializeOwned>(
    config: &Config,
    file: &str,
    max: u64,
) -> Result<Option<(T, Vec<u8>)>, String> {
    let Some(dir) = dir(config, false)? else {
        return Ok(None);
    };
    let bytes = match crate::write::read_bounded_unrecorded(&dir.join(file), max, false) {
        Ok(b) => b,
        Err(crate::write::Unreadable::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(crate::write::Unreadable::NotAFile) => {
            return Err("it is not a regular file".to_string());
        }
        Err(crate::write::Unreadable::TooLarge(n)) => {
            return Err(format!("it is too large ({n} bytes)"));
        }
        Err(crate::write::Unreadable::Io(e)) => return Err(e.to_string()),
    };
    match serde_json::from_slice::<T>(&bytes) {
        Ok(v) => Ok(Some((v, bytes))),
        Err(e) => Err(format!("it is corrupt: {e}")),
    }
}

/// Write `value` as the cache `file`, atomically, unless it would be `previous` byte for byte.
pub fn write<T: Serialize>(
    config: &Config,
    file: &str,
    value: &T,
    previous: Option<&[u8]>,
) -> Result<(), String> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| e.to_string())?;
    if previous == Some(bytes.as_slice()) {
        return Ok(());
    }
    let dir = dir(config, true)?.expect("created");
    crate::write::replace_file(&dir.join(file), &bytes).map_err(|e| e.to_string())
}

/// The configuration of a new site in `root` with a bare book.toml.
#[cfg(test)]
pub fn test_config(root: &std::path::Path) -> Config {
    std::fs::write(root.join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
    crate::config::load(root).unwrap()
}
