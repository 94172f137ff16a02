//! A repository whose Markdown sits at its root (`[build] content = "."`, as `init --from`
//! writes for 6 of 11 public repositories): every command works from inside it with no
//! directory argument, and the site's own files never reach the output.

use crate::common::*;

const OWNERS: &str = "people:\n  alice: { name: Alice, email: alice@private.example }\n  bob: { name: Bob, left: 2026-01-01 }\n";

#[test]
fn every_command_works_from_inside_with_the_root_as_content() {
    for content in [".", "./", "/ABS"] {
        let site = TestSite::empty();
        let content = content.replace("/ABS", site.path().to_str().unwrap());
        site.write(
            "book.toml",
            &format!(
                "[book]\ntitle = \"Root\"\n[build]\ncontent = {content:?}\noutput = \".site\"\ntoday = \"2026-11-27\"\n[check]\nbaseline = \"baseline.json\"\n"
            ),
        );
        site.write("owners.yaml", OWNERS);
        site.write(
            "ops/disk.md",
            "---\ntitle: Disk full\nowners: [alice]\nreviewed: 2026-11-01\n---\n\nSteps.\n",
        );
        site.write("README.md", "# Root\n\nHello.\n");
        site.write("themes/x/static/x.css", "body{}");
        let inside = |args: &[&str]| {
            let mut cmd = command();
            cmd.current_dir(site.path()).args(args);
            output(cmd)
        };
        let (code, out, err) = inside(&["check", "--update-baseline"]);
        assert_eq!(code, 0, "{content}: {out}{err}");
        for args in [&["check"][..], &["build"], &["report"], &["search", "disk"]] {
            let (code, out, err) = inside(args);
            assert_eq!(code, 0, "{content} {args:?}: {out}{err}");
        }
        let built = site.join(".site");
        assert!(built.join("ops/disk/index.html").is_file());
        let mut published = Vec::new();
        for e in walkdir::WalkDir::new(&built).into_iter().flatten() {
            let text =
                String::from_utf8_lossy(&std::fs::read(e.path()).unwrap_or_default()).into_owned();
            assert!(
                !text.contains("alice@private.example"),
                "{}",
                e.path().display()
            );
            published.push(e.file_name().to_string_lossy().into_owned());
        }
        for own in ["book.toml", "owners.yaml", "baseline.json", "x.css"] {
            assert!(
                !published.iter().any(|p| p == own),
                "{content}: {own} published"
            );
        }
    }
}
