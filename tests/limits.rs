//! The cheap cases of the resource limits (docs/hardening.md; `bench/limits.py` runs all of
//! them at full size with peak memory): deep nesting does not overflow a rendering thread's
//! stack, a long line renders, and an oversized owners registry is refused with a clear
//! `invalid-owners` finding instead of being parsed.

mod common;

use fieldbook::render::{NoRewrite, RenderOptions, render_markdown};

/// Run `f` on a thread with Rust's default 2 MiB stack, as rayon's page-rendering threads
/// have (a stack overflow aborts the whole test process, which fails the test too).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no panic")
}

#[test]
fn ten_thousand_levels_of_nesting_render() {
    const DEPTH: usize = 10_000;
    for (name, body) in [
        ("lists", "- ".repeat(DEPTH) + "x\n"),
        ("ordered lists", "1. ".repeat(DEPTH) + "x\n"),
        ("block quotes", "> ".repeat(DEPTH) + "x\n"),
        ("quotes and lists", "> - ".repeat(DEPTH / 2) + "x\n"),
        ("emphasis", "*a ".repeat(DEPTH) + "x" + &" b*".repeat(DEPTH)),
        ("links", "[".repeat(DEPTH) + "x" + &"](u)".repeat(DEPTH)),
        (
            "admonitions",
            (0..200)
                .map(|i| "    ".repeat(i) + "!!! note\n")
                .collect::<String>()
                + &"    ".repeat(200)
                + "x\n",
        ),
    ] {
        let (html, outline) = on_small_stack(move || {
            let html = render_markdown(&body, &NoRewrite, &RenderOptions::default()).html;
            let outline = fieldbook::content::markdown::outline(&body);
            let _ = fieldbook::search::plain_text(&body);
            (html, outline.headings.len())
        });
        assert!(html.contains('x'), "{name}: the innermost text is lost");
        let _ = outline;
    }
}

#[test]
fn a_long_line_renders() {
    let body = "word ".repeat(400_000) + "\n\n```bash\n" + &"x".repeat(2_000_000) + "\n```\n";
    let html =
        on_small_stack(move || render_markdown(&body, &NoRewrite, &RenderOptions::default()).html);
    assert!(html.len() > 4_000_000);
}

#[test]
fn an_oversized_owners_registry_is_refused_before_parsing() {
    let mut owners = String::from("people:\n");
    for i in 0..200 {
        owners.push_str(&format!("  p{i}: {{name: Person {i}}}\n"));
    }
    let site = common::temp_site(&[
        (
            "book.toml",
            "[book]\ntitle = \"T\"\n[check]\nmax_file_size = \"2KB\"\n",
        ),
        ("owners.yaml", &owners),
        ("content/index.md", "---\ntitle: Home\n---\nHi.\n"),
    ]);
    let (code, out, err) = common::run(["check".as_ref(), site.path().as_os_str()]);
    assert_eq!(code, 2, "{out}{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("invalid-owners"), "{all}");
    assert!(
        all.contains("owners.yaml is 5 KiB, over the 2 KiB limit"),
        "{all}"
    );
    assert!(all.contains("max_file_size"), "{all}");
}
