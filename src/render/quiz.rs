//! ```` ```quiz ```` blocks (FORMAT.md: one question in YAML) as static HTML that reads well
//! without JavaScript: the question, the numbered choices and a `<details>` with the answer.
//! The theme's script may make it interactive using `data-quiz-id` and `data-correct`.

use super::escape::escape_attr;
use super::highlight;
use crate::content::quiz::{Choice, parse};

/// How the Markdown in a quiz (question, choices, explanation) becomes HTML: by the page's
/// own writer, so links and code in a quiz render as they do elsewhere.
pub(crate) trait Markdown {
    /// Inline HTML, and false when the text is more than one paragraph (then it must not be
    /// put inside a `<p>`).
    fn inline(&self, text: &str) -> (String, bool);
    fn block(&self, text: &str) -> String;
}

/// Write the quiz in `yaml`; returns false when it could not be read (it is then shown as
/// an escaped code block after a visible note).
pub(crate) fn write(out: &mut String, yaml: &str, md: &dyn Markdown) -> bool {
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
    let (question, inline) = md.inline(&quiz.question);
    wrap(out, inline, "quiz-question", "", &question);
    out.push_str("<ol class=\"quiz-choices\">\n");
    for choice in &quiz.choices {
        out.push_str(if choice.correct {
            "<li data-correct=\"true\">"
        } else {
            "<li data-correct=\"false\">"
        });
        out.push_str(&md.inline(&choice.text).0);
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n<details class=\"quiz-answer\"><summary>Show answer</summary>\n");
    if let [one] = correct.as_slice() {
        let (text, inline) = md.inline(&one.text);
        wrap(out, inline, "quiz-correct", "Correct: ", &text);
    } else {
        out.push_str("<p class=\"quiz-correct\">Correct:</p>\n<ul>\n");
        for choice in &correct {
            out.push_str("<li>");
            out.push_str(&md.inline(&choice.text).0);
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    if let Some(explain) = quiz.explain.as_deref().filter(|e| !e.trim().is_empty()) {
        out.push_str("<div class=\"quiz-explain\">\n");
        out.push_str(&md.block(explain));
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
    use super::*;
    use crate::content::quiz::quiz_id;
    use crate::render::{NoRewrite, RenderOptions, write_quiz};

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
