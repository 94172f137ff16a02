//! ```` ```quiz ```` blocks (FORMAT.md: one question in YAML) as static HTML that reads well
//! without JavaScript: the question, the numbered choices and a `<details>` with the answer.
//! The theme's script may make it interactive using `data-quiz-id` and `data-correct`.

use super::html::{escape_attr, render, render_inline};
use super::{LinkResolver, RenderOptions, highlight};
use crate::diagnostic::Pos;
use crate::source::YamlLocator;
use serde::Deserialize;

/// Larger quiz blocks are not parsed (shown as code with a note instead).
pub const MAX_QUIZ_BYTES: usize = 64 * 1024;

/// One question. The same parse serves the page (render) and `fieldbook check`
/// (`crate::courses`), so a block the checks accept is exactly one the page shows.
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
        let fe = crate::front_matter::yaml_error(yaml, &e);
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

/// Write the quiz in `yaml`; returns false when it could not be read (it is then shown as
/// an escaped code block after a visible note).
pub(crate) fn write_quiz(
    out: &mut String,
    yaml: &str,
    links: &dyn LinkResolver,
    opts: &RenderOptions,
) -> bool {
    let quiz = match parse(yaml) {
        Ok(quiz) => quiz,
        Err(e) => {
            out.push_str("<div class=\"quiz quiz-invalid\" role=\"note\">\n<p class=\"quiz-error\">This quiz could not be read: ");
            escape_attr(out, &e.message);
            out.push_str("</p>\n");
            highlight::write_code_block(out, Some("quiz"), yaml);
            out.push_str("</div>\n");
            return false;
        }
    };
    let correct: Vec<&Choice> = quiz.choices.iter().filter(|c| c.correct).collect();
    out.push_str("<section class=\"quiz\" data-quiz-id=\"");
    // Valid ids need no escaping; escaped anyway, so no change to `valid_id` can open a hole.
    escape_attr(out, &quiz.id());
    out.push_str("\" data-quiz-version=\"");
    out.push_str(&quiz.version());
    out.push('"');
    if correct.len() > 1 {
        out.push_str(" data-multiple=\"true\"");
    }
    out.push_str(">\n");
    let (question, inline) = render_inline(&quiz.question, links, opts);
    wrap(out, inline, "quiz-question", "", &question);
    out.push_str("<ol class=\"quiz-choices\">\n");
    for choice in &quiz.choices {
        out.push_str(if choice.correct {
            "<li data-correct=\"true\">"
        } else {
            "<li data-correct=\"false\">"
        });
        out.push_str(&render_inline(&choice.text, links, opts).0);
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n<details class=\"quiz-answer\"><summary>Show answer</summary>\n");
    if let [one] = correct.as_slice() {
        let (text, inline) = render_inline(&one.text, links, opts);
        wrap(out, inline, "quiz-correct", "Correct: ", &text);
    } else {
        out.push_str("<p class=\"quiz-correct\">Correct:</p>\n<ul>\n");
        for choice in &correct {
            out.push_str("<li>");
            out.push_str(&render_inline(&choice.text, links, opts).0);
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    if let Some(explain) = quiz.explain.as_deref().filter(|e| !e.trim().is_empty()) {
        out.push_str("<div class=\"quiz-explain\">\n");
        out.push_str(&render(explain, links, opts, true).html);
        out.push_str("</div>\n");
    }
    out.push_str("</details>\n</section>\n");
    true
}

/// `<p class>prefix html</p>` for inline HTML, `<div class>` when `html` holds blocks.
fn wrap(out: &mut String, inline: bool, class: &str, prefix: &str, html: &str) {
    let tag = if inline { "p" } else { "div" };
    out.push_str(&format!("<{tag} class=\"{class}\">{prefix}"));
    out.push_str(html.trim_end());
    out.push_str(&format!("</{tag}>\n"));
}

#[cfg(test)]
mod tests {
    use super::super::NoRewrite;
    use super::*;

    fn quiz(yaml: &str) -> (bool, String) {
        let mut out = String::new();
        let ok = write_quiz(&mut out, yaml, &NoRewrite, &RenderOptions::default());
        (ok, out)
    }

    #[test]
    fn renders_static_html() {
        let (ok, html) = quiz(
            "question: What should you check *first*?\nchoices:\n  - text: CPU <usage>\n  - text: The `burn-rate` window\n    correct: true\nexplain: |\n  Roll back first.\n\n  Debug later.\n",
        );
        assert!(ok);
        assert_eq!(
            html,
            format!(
                "<section class=\"quiz\" data-quiz-id=\"{}\" data-quiz-version=\"d8690b8c12806c7c\">\n<p class=\"quiz-question\">What should you check <em>first</em>?</p>\n<ol class=\"quiz-choices\">\n<li data-correct=\"false\">CPU </li>\n<li data-correct=\"true\">The <code>burn-rate</code> window</li>\n</ol>\n<details class=\"quiz-answer\"><summary>Show answer</summary>\n<p class=\"quiz-correct\">Correct: The <code>burn-rate</code> window</p>\n<div class=\"quiz-explain\">\n<p>Roll back first.</p>\n<p>Debug later.</p>\n</div>\n</details>\n</section>\n",
                quiz_id("What should you check *first*?")
            )
        );
    }

    #[test]
    fn multiple_select_and_escaping() {
        let (ok, html) = quiz(
            "question: \"Which <b>two</b> & why?\"\nchoices:\n  - {text: A, correct: true}\n  - {text: B, correct: true}\n  - {text: C}\n",
        );
        assert!(ok);
        assert!(html.contains("data-multiple=\"true\""));
        assert!(html.contains("Which two &amp; why?"), "{html}");
        assert!(html.contains(
            "<p class=\"quiz-correct\">Correct:</p>\n<ul>\n<li>A</li>\n<li>B</li>\n</ul>\n"
        ));
        let raw = write_raw("question: Q <b>x</b>\nchoices: [{text: A, correct: true}]\n");
        assert!(raw.contains("Q <b>x</b>"));
    }

    fn write_raw(yaml: &str) -> String {
        let mut out = String::new();
        write_quiz(
            &mut out,
            yaml,
            &NoRewrite,
            &RenderOptions { raw_html: true },
        );
        out
    }

    #[test]
    fn invalid_quizzes_show_as_code_with_a_note() {
        for (yaml, why) in [
            ("question: [unclosed\n", "could not be read"),
            ("question: Q\n", "missing field `choices`"),
            ("question: Q\nchoices: []\n", "`choices` is empty"),
            (
                "question: Q\nchoices: [{text: A}]\n",
                "no choice has `correct: true`",
            ),
            ("question: \"<script>\"\nchoices: 3\n", "&lt;script&gt;"),
        ] {
            let (ok, html) = quiz(yaml);
            assert!(!ok, "{yaml}");
            assert!(html.starts_with("<div class=\"quiz quiz-invalid\" role=\"note\">"));
            assert!(html.contains(why), "{why}: {html}");
            assert!(html.contains("<pre class=\"code\" data-lang=\"quiz\"><code>"));
            assert!(!html.contains("<script>"));
        }
    }

    #[test]
    fn errors_point_inside_the_block() {
        for (yaml, line, column, why) in [
            (
                "question: \"  \"\nchoices: [{text: A, correct: true}]\n",
                1,
                11,
                "`question` is empty",
            ),
            ("question: Q\nchoices: []\n", 2, 10, "`choices` is empty"),
            (
                "question: Q\nchoices:\n  - text: A\n    correct: true\n  - text: \"\"\n",
                5,
                11,
                "choice 2 has no text",
            ),
            (
                "id: a b\nquestion: Q\nchoices: [{text: A, correct: true}]\n",
                1,
                5,
                "not a valid id",
            ),
            (
                "question: Q\nchoices:\n  - text: A\n    corect: true\n",
                4,
                5,
                "unknown field `corect`",
            ),
            (
                "question: Q\nexplanation: x\nchoices: [{text: A, correct: true}]\n",
                2,
                1,
                "unknown field `explanation`",
            ),
        ] {
            let e = parse(yaml).unwrap_err();
            assert!(e.message.contains(why), "{yaml}: {}", e.message);
            assert_eq!((e.pos.line, e.pos.column), (line, column), "{yaml}");
            assert!(e.hint.is_some());
        }
    }

    #[test]
    fn block_text_is_not_put_in_paragraphs() {
        let (ok, html) = quiz(
            "question: \"Which?\\n\\n```\\ncode\\n```\"\nchoices:\n  - {text: \"- a\\n- b\", correct: true}\n",
        );
        assert!(ok);
        assert!(html.contains("<div class=\"quiz-question\"><p>Which?</p>\n<pre class=\"code\"><code>code\n</code></pre></div>\n"), "{html}");
        assert!(
            html.contains("<div class=\"quiz-correct\">Correct: <ul>"),
            "{html}"
        );
        assert!(!html.contains("<p class=\"quiz-question\"><pre"));
    }

    #[test]
    fn ids_are_stable() {
        assert_eq!(quiz_id("Q?"), quiz_id("  Q?\n"));
        assert_ne!(quiz_id("Q?"), quiz_id("Q!"));
        assert_eq!(quiz_id(""), "cbf29ce484222325");
    }
}
