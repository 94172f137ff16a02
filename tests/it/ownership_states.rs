//! The four ownership states readers see (FORMAT.md): owned, partly lapsed, lapsed (every
//! owner left or was disbanded, with dates) and unowned (no owner named, or only the
//! handbook's default owner). A team whose membership was never recorded has not lapsed.

use crate::common::*;

const OWNERS: &str = "people:\n  alice: { name: Alice }\n  bob: { name: Bob, left: 2026-01-01 }\nteams:\n  team-chat: { name: Chat Team, channel: \"#chat-ops\", members: [] }\n  team-gone: { name: Gone Team, members: [alice], disbanded: 2026-02-01 }\n";

fn runbook(owners: &str) -> String {
    format!("---\ntitle: Runbook\n{owners}reviewed: 2026-11-01\n---\n\nSteps.\n")
}

#[test]
fn each_state_is_worded_for_readers_and_only_lapsed_alarms() {
    let site = site_with(&[
        (
            "book.toml",
            "[book]\ntitle = \"T\"\n[build]\ntoday = \"2026-11-27\"\n[owners]\nfile = \"owners.yaml\"\ndefault = \"team-chat\"\n",
        ),
        ("owners.yaml", OWNERS),
        (
            "content/runbooks/chat.md",
            &runbook("owners: [team-chat]\n"),
        ),
        ("content/runbooks/default.md", &runbook("")),
        (
            "content/runbooks/partly.md",
            &runbook("owners: [team-chat, bob]\n"),
        ),
        (
            "content/runbooks/gone.md",
            &runbook("owners: [bob, team-gone]\n"),
        ),
    ]);
    let (code, json) = site.check_json(&[]);
    let found = findings(&json);
    let codes: Vec<(&str, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.2.as_str()))
        .filter(|(c, _)| c.contains("lapsed"))
        .collect();
    assert_eq!(
        codes,
        [
            ("lapsed-owner", "content/runbooks/gone.md"),
            ("partially-lapsed-owner", "content/runbooks/partly.md"),
        ],
        "{json}"
    );
    assert_eq!(code, 1);
    // The team whose members were never recorded: one finding, at its entry, saying so.
    let unknown: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "unknown-membership")
        .collect();
    assert_eq!(unknown.len(), 1, "{found:?}");
    assert_eq!(
        (unknown[0].2.as_str(), unknown[0].3, unknown[0].4),
        ("owners.yaml", 5, 3)
    );
    assert!(
        json.to_string()
            .contains("owns 3 documents but lists no members"),
        "{json}"
    );

    let (_, _, err) = site.build(&[]);
    let page = |name: &str| site.read_output(&format!("runbooks/{name}/index.html"));
    // A team whose members were never recorded owns its pages: no alarm, no "disbanded".
    let chat = page("chat");
    assert!(
        !chat.contains("disbanded") && !chat.contains("Lapsed owner"),
        "{chat}"
    );
    assert!(!chat.contains("banner"), "{chat}");
    // Only the default owner: unowned, in plain words, no configuration jargon.
    let default = page("default");
    assert!(
        default.contains("No owner is named for this runbook"),
        "{default}{err}"
    );
    assert!(default.contains("default owner") && default.contains("Chat Team"));
    assert!(!default.contains("[owners]") && !default.contains("book.toml"));
    assert!(!default.contains("Lapsed owner") && !default.contains("Nobody owns"));
    // Partly lapsed: who left and when.
    assert!(page("partly").contains("Bob <span class=\"mark mark-lapsed\">(left on 2026-01-01)"));
    // Lapsed: every owner, with dates.
    let gone = page("gone");
    assert!(gone.contains("Nobody owns this runbook any more"), "{gone}");
    assert!(gone.contains("(left on 2026-01-01)") && gone.contains("(disbanded on 2026-02-01)"));
    // The home page counts each state as what it is.
    let home = site.read_output("index.html");
    assert!(
        home.contains(
            "<span class=\"count-n\">1</span> <span class=\"count-l\">lapsed owner</span>"
        ),
        "{home}"
    );
    assert!(
        home.contains(
            "<span class=\"count-n\">1</span> <span class=\"count-l\">without a named owner</span>"
        ),
        "{home}"
    );
    // The team page says its membership was not recorded, and where to ask; and a team lead
    // sees the lapsed co-owner there, on home and in the freshness report (issue 29).
    let team = site.read_output("teams/team-chat/index.html");
    assert!(team.contains("not recorded: ask in #chat-ops"), "{team}");
    let needs = &team[team.find("team-needs-review").unwrap()..];
    assert!(needs.contains("runbooks/partly/"), "{team}");
    assert!(
        home.contains(
            "<span class=\"count-n\">1</span> <span class=\"count-l\">with a lapsed co-owner</span>"
        ),
        "{home}"
    );
    let report = site.read_output("freshness/index.html");
    assert!(report.contains("runbooks/partly/"), "{report}");
}
