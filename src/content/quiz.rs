//! ```` ```quiz ```` blocks (FORMAT.md: one question in YAML), read. The page
//! ([`crate::render::quiz`]) and `fieldbook check` use this one parser.

use crate::content::source::YamlLocator;
use crate::diagnostic::Pos;
use serde::Deserialize;

/// Larger quiz blocks are not parsed (shown as code with a note instead).
pub const MAX_QUIZ_BYTES: usize = 64 * 1024;

/// One question. The same parse serves the page (render) and `fieldbook check`
/// (`crate::model::courses`), so a block the checks accept is exactly one the page shows.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    /// A stable id the author chose, so that rewording the question keeps learners' progress.
    #[serde(default)]
    pub id: Option<String>,
    pub question: String,
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub explain: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub text: String,
    #[serde(default)]
    pub correct: bool,
}

/// Why a block is not a quiz, at a place inside the block (line 1 is its first line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuizError {
    pub pos: Pos,
    pub message: String,
    pub hint: Option<String>,
}

impl Quiz {
    /// The id progress is kept under: `id:`, or a hash of the trimmed question text.
    pub fn id(&self) -> String {
        match &self.id {
            Some(id) => id.clone(),
            None => quiz_id(&self.question),
        }
    }

    /// Changes whenever the question, a choice or which choices are correct changes, so that
    /// a learner's stored answer to an older version is not taken for an answer to this one.
    pub fn version(&self) -> String {
        let mut h = Fnv::new();
        h.write(self.question.trim().as_bytes());
        for c in &self.choices {
            h.write(b"\0");
            h.write(c.text.trim().as_bytes());
            h.write(if c.correct { b"\0+" } else { b"\0-" });
        }
        format!("{:016x}", h.0)
    }

    pub fn multiple(&self) -> bool {
        self.choices.iter().filter(|c| c.correct).count() > 1
    }
}

/// Whether `id` can key progress and sit in space-separated `data-` lists: letters, digits,
/// `-`, `_` and `.`, at most 100 of them.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub fn parse(yaml: &str) -> Result<Quiz, QuizError> {
    let at = |key: &str, message: String, hint: &str| QuizError {
        pos: YamlLocator::new(yaml).key(key).unwrap_or(Pos::START),
        message,
        hint: Some(hint.to_string()),
    };
    if yaml.len() > MAX_QUIZ_BYTES {
        return Err(QuizError {
            pos: Pos::START,
            message: format!("the block is larger than {} KiB", MAX_QUIZ_BYTES / 1024),
            hint: Some("split it into several questions".into()),
        });
    }
    let quiz: Quiz = serde_yaml_ng::from_str(yaml).map_err(|e| {
        let fe = crate::content::front_matter::yaml_error(yaml, &e);
        QuizError {
            pos: fe.pos,
            message: fe.message,
            hint: Some(fe.hint.unwrap_or_else(|| {
                "a quiz is YAML with `question`, `choices` (each `text` and optionally `correct: true`), and optionally `explain` and `id`".into()
            })),
        }
    })?;
    if let Some(id) = &quiz.id
        && !valid_id(id)
    {
        return Err(at(
            "id",
            format!("quiz id `{id}` is not a valid id"),
            "use letters, digits, `-`, `_` and `.` only (at most 100)",
        ));
    }
    if quiz.question.trim().is_empty() {
        return Err(at(
            "question",
            "`question` is empty".into(),
            "write the question",
        ));
    }
    if quiz.choices.is_empty() {
        return Err(at(
            "choices",
            "`choices` is empty".into(),
            "list the answers to choose from, each as `- text: ...`",
        ));
    }
    if let Some(i) = quiz.choices.iter().position(|c| c.text.trim().is_empty()) {
        return Err(QuizError {
            pos: YamlLocator::new(yaml)
                .item_field("choices", i, "text")
                .unwrap_or(Pos::START),
            message: format!("choice {} has no text", i + 1),
            hint: Some("give every choice a `text`".into()),
        });
    }
    if !quiz.choices.iter().any(|c| c.correct) {
        return Err(at(
            "choices",
            "no choice has `correct: true`".into(),
            "mark the right answer (or answers) with `correct: true`",
        ));
    }
    Ok(quiz)
}

/// FNV-1a, 64 bit: tiny, and stable across Rust versions and platforms (ids are stored in
/// learners' browsers, so they must never change for the same text).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A stable id for a quiz: FNV-1a (64 bit) of its trimmed question text, in hex.
pub fn quiz_id(question: &str) -> String {
    let mut h = Fnv::new();
    h.write(question.trim().as_bytes());
    format!("{:016x}", h.0)
}
