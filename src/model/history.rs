//! What git says about each document (read by [`crate::load::git`]): the commits that touched
//! it, newest first, and what each did to its review date and the rest of it.

use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub date: String,
    pub commit: String,
}

/// One commit, as its author and date say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Commit {
    /// The first 12 hex digits of its hash.
    pub hash: String,
    pub author: String,
    pub email: String,
    /// The commit date, `YYYY-MM-DD`.
    pub date: String,
}

/// What one commit did to one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touch {
    /// Index into [`History::commits`].
    pub commit: usize,
    /// The review date it set (`reviewed:` or GOV.UK `last_reviewed_on:`), when it changed
    /// that line to a new value.
    pub review: Option<String>,
    /// Whether it changed any other line of the file.
    pub other: bool,
}

#[derive(Debug, Default)]
pub struct History {
    /// Newest first.
    pub commits: Vec<Commit>,
    /// By path relative to the content directory (its current name): newest first.
    pub files: HashMap<String, Vec<Touch>>,
    /// The newest change of each file, by path relative to the content directory.
    pub changes: HashMap<String, Change>,
    pub shallow: bool,
    /// Whether the content directory is in a git work tree at all.
    pub in_git: bool,
}

impl History {
    /// The commits that touched `rel` (content-relative), newest first.
    pub fn touches(&self, rel: &str) -> &[Touch] {
        self.files.get(rel).map_or(&[], Vec::as_slice)
    }
}
