//! Positions in source text: byte offsets to 1-based line and character columns, and a
//! locator for keys in block-style YAML so that checks run after parsing can still point at
//! the line a value came from.

use crate::diagnostic::Pos;

/// Line and column (both 1-based, column in characters) of a byte offset.
pub fn pos_at(text: &str, offset: usize, len_bytes: usize) -> Pos {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    let end = floor_char_boundary(text, (offset + len_bytes).min(text.len()));
    let len = text[offset..end]
        .split('\n')
        .next()
        .map_or(1, |s| s.chars().count());
    Pos::new(line as u32, column as u32, len.max(1) as u32)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Finds where keys and list items sit in a block-style YAML mapping. Values written in flow
/// style (`{ a: 1 }`, `[a, b]`) resolve to the line of their key, which is still the right line.
pub struct YamlLocator<'a> {
    lines: Vec<&'a str>,
}

impl<'a> YamlLocator<'a> {
    pub fn new(text: &'a str) -> Self {
        YamlLocator {
            lines: text.split('\n').collect(),
        }
    }

    /// Position of the value of top-level `key` (or of the key itself when the value is on
    /// the following lines).
    pub fn key(&self, key: &str) -> Option<Pos> {
        let (i, _) = self.key_line(key, 0, self.lines.len(), 0)?;
        Some(self.value_pos(i, 0, key))
    }

    /// Position of `needle` as a word inside the value of top-level `key` (an owner id in an
    /// `owners` list, say), falling back to the key.
    pub fn word_in(&self, key: &str, needle: &str) -> Option<Pos> {
        let (start, end) = self.key_line(key, 0, self.lines.len(), 0)?;
        for i in start..end {
            let line = self.lines[i];
            let from = if i == start {
                line.find(':').map_or(0, |c| c + 1)
            } else {
                0
            };
            if let Some(col) = find_word(&line[from..], needle) {
                let col = from + col;
                return Some(Pos::new(
                    i as u32 + 1,
                    line[..col].chars().count() as u32 + 1,
                    needle.chars().count() as u32,
                ));
            }
        }
        self.key(key)
    }

    /// Position of `field` in item `index` of the block list under top-level `key`
    /// (`action_items[2].due`), falling back to the item, then to the key.
    pub fn item_field(&self, key: &str, index: usize, field: &str) -> Option<Pos> {
        let (start, end) = self.key_line(key, 0, self.lines.len(), 0)?;
        let mut items = Vec::new();
        let mut item_indent = None;
        for i in start + 1..end {
            let line = self.lines[i];
            let indent = indent_of(line);
            let rest = &line[indent..];
            if rest.starts_with("- ") || rest == "-" || rest == "-\r" {
                match item_indent {
                    None => item_indent = Some(indent),
                    Some(ind) if ind != indent => continue,
                    _ => {}
                }
                items.push(i);
            }
        }
        let Some(&item_start) = items.get(index) else {
            return self.key(key);
        };
        let item_end = items.get(index + 1).copied().unwrap_or(end);
        let ind = item_indent.unwrap_or(0);
        // The first field shares the dash's line; the others are indented past the dash.
        let first = self.lines[item_start].get(ind + 2..).unwrap_or("");
        if first.trim_start().starts_with(&format!("{field}:")) {
            let col = ind + 2 + indent_of(first);
            return Some(self.value_pos(item_start, col, field));
        }
        if let Some((i, _)) = self.key_line(field, item_start + 1, item_end, ind + 1) {
            let col = indent_of(self.lines[i]);
            return Some(self.value_pos(i, col, field));
        }
        Some(Pos::new(item_start as u32 + 1, ind as u32 + 1, 1))
    }

    /// The line where `key:` starts at `min_indent` or more (exactly 0 when min_indent is 0),
    /// between `from` and `to`, and the end of its block.
    fn key_line(
        &self,
        key: &str,
        from: usize,
        to: usize,
        min_indent: usize,
    ) -> Option<(usize, usize)> {
        for i in from..to.min(self.lines.len()) {
            let line = self.lines[i];
            let indent = indent_of(line);
            let ok_indent = if min_indent == 0 {
                indent == 0
            } else {
                indent >= min_indent
            };
            if !ok_indent {
                continue;
            }
            let rest = &line[indent..];
            let unquoted = rest
                .strip_prefix(key)
                .or_else(|| rest.strip_prefix(&format!("\"{key}\"")))
                .or_else(|| rest.strip_prefix(&format!("'{key}'")));
            // `key:` in YAML, `key =` in TOML front matter.
            if let Some(after) = unquoted
                && after.trim_start_matches(' ').starts_with([':', '='])
            {
                let end = (i + 1..to.min(self.lines.len()))
                    .find(|&j| {
                        let l = self.lines[j];
                        !l.trim().is_empty()
                            && indent_of(l) <= indent
                            && !l[indent_of(l)..].starts_with("- ")
                    })
                    .unwrap_or(to.min(self.lines.len()));
                return Some((i, end));
            }
        }
        None
    }

    fn value_pos(&self, line_idx: usize, key_col: usize, key: &str) -> Pos {
        let line = self.lines[line_idx].trim_end_matches('\r');
        let after_key = line[key_col..]
            .find([':', '='])
            .map_or(key_col, |c| key_col + c + 1);
        let value = &line[after_key..];
        let lead = value.len() - value.trim_start().len();
        let value = value.trim();
        // Drop a trailing comment from the underline.
        let value = value.split(" #").next().unwrap_or(value).trim_end();
        if value.is_empty() {
            let col = line[..key_col].chars().count() as u32 + 1;
            return Pos::new(line_idx as u32 + 1, col, key.chars().count() as u32);
        }
        let col = line[..after_key + lead].chars().count() as u32 + 1;
        Pos::new(line_idx as u32 + 1, col, value.chars().count() as u32)
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Byte offset of `needle` in `hay` where it stands as a whole word (not part of a longer id).
fn find_word(hay: &str, needle: &str) -> Option<usize> {
    let is_id = |c: char| c.is_alphanumeric() || c == '-' || c == '_' || c == '.';
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let s = from + i;
        let e = s + needle.len();
        let before_ok = hay[..s].chars().next_back().is_none_or(|c| !is_id(c));
        let after_ok = hay[e..].chars().next().is_none_or(|c| !is_id(c));
        if before_ok && after_ok {
            return Some(s);
        }
        from = e;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FM: &str = "title: Disk full\nowners: [team-db, carol]\nreviewed: 2026-02-30  # oops\naction_items:\n  - title: Add alert\n    owner: alice\n    due: 2026-01-01\n  - { title: Two, owner: bob, due: 2026-02-01 }\n  -\n    title: Three\n    due: 2026-03-01\ntags:\n  - db\n";

    #[test]
    fn offsets_become_lines_and_char_columns() {
        let t = "ab\nçd\n";
        assert_eq!(pos_at(t, 0, 1), Pos::new(1, 1, 1));
        assert_eq!(pos_at(t, 5, 1), Pos::new(2, 2, 1));
        assert_eq!(pos_at(t, 999, 1).line, 3);
    }

    #[test]
    fn locates_top_level_values() {
        let l = YamlLocator::new(FM);
        assert_eq!(l.key("reviewed"), Some(Pos::new(3, 11, 10)));
        assert_eq!(l.key("title"), Some(Pos::new(1, 8, 9)));
        assert_eq!(l.key("action_items"), Some(Pos::new(4, 1, 12)));
        assert_eq!(l.key("missing"), None);
        assert_eq!(l.word_in("owners", "carol"), Some(Pos::new(2, 19, 5)));
        assert_eq!(l.word_in("tags", "db"), Some(Pos::new(13, 5, 2)));
    }

    #[test]
    fn locates_fields_of_list_items() {
        let l = YamlLocator::new(FM);
        assert_eq!(
            l.item_field("action_items", 0, "due"),
            Some(Pos::new(7, 10, 10))
        );
        assert_eq!(
            l.item_field("action_items", 0, "title"),
            Some(Pos::new(5, 12, 9))
        );
        // Flow-style item: its line.
        assert_eq!(l.item_field("action_items", 1, "due").unwrap().line, 8);
        assert_eq!(
            l.item_field("action_items", 2, "due"),
            Some(Pos::new(11, 10, 10))
        );
    }
}
