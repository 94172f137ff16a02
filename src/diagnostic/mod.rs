//! Findings as data: one type, written by [`format`](mod@format) into human, JSON, GitHub, JUnit, SARIF,
//! GitLab Code Quality, reviewdog rdjsonl and Checkstyle output.

pub mod format;
pub mod trace;

use serde::Serialize;
use std::fmt;

/// A stable finding code. The string form is part of the contract with users (FORMAT.md):
/// never rename one, only add.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    // Content findings: severity follows `[check] fail_on`.
    InvalidMetadata,
    UnknownKey,
    UnknownOwner,
    LapsedOwner,
    PartiallyLapsedOwner,
    UnknownMembership,
    Stale,
    DueSoon,
    NeverReviewed,
    OverdueAction,
    BrokenLink,
    BrokenAnchor,
    InvalidEncoding,
    FileTooLarge,
    InvalidAlertRules,
    PageWithoutRunbook,
    AlertWithoutRunbook,
    UnknownAlert,
    BrokenRunbookUrl,
    // Code blocks (src/checks/code.rs).
    InvalidCode,
    // Outside links (src/checks/external.rs, `check --external`).
    DeadLink,
    // Courses (src/courses.rs).
    UnknownPrerequisite,
    PrerequisiteCycle,
    MissingLesson,
    UnlistedLesson,
    InvalidQuiz,
    DuplicateQuestion,
    StaleCaseStudy,
    UnknownCourse,
    UnsupportedSyntax,
    ConflictingKeys,
    InvalidAlias,
    // What is read and written: `symlink-outside` and `output-collision` are errors whatever
    // `fail_on` says (exit status 1, see `Code::always_fails`); the case collision follows it.
    SymlinkOutside,
    OutputCollision,
    OutputCaseCollision,
    // Review history (docs/freshness-history.md).
    RubberStampReview,
    ReviewByNonOwner,
    ChangedSinceReview,
    StaleDependency,
    // Composed handbooks (docs/many-repos.md): a part shown from its last good copy.
    LastGoodPart,
    // Fatal: the run cannot be trusted; always an error and exit status 2.
    InvalidConfig,
    InvalidOwners,
    IoError,
    TemplateError,
    OutputError,
}

impl Code {
    pub const ALL: [Code; 45] = [
        Code::InvalidMetadata,
        Code::UnknownKey,
        Code::UnknownOwner,
        Code::LapsedOwner,
        Code::PartiallyLapsedOwner,
        Code::UnknownMembership,
        Code::Stale,
        Code::DueSoon,
        Code::NeverReviewed,
        Code::OverdueAction,
        Code::BrokenLink,
        Code::BrokenAnchor,
        Code::InvalidEncoding,
        Code::FileTooLarge,
        Code::InvalidAlertRules,
        Code::PageWithoutRunbook,
        Code::AlertWithoutRunbook,
        Code::UnknownAlert,
        Code::BrokenRunbookUrl,
        Code::InvalidCode,
        Code::DeadLink,
        Code::UnknownPrerequisite,
        Code::PrerequisiteCycle,
        Code::MissingLesson,
        Code::UnlistedLesson,
        Code::InvalidQuiz,
        Code::DuplicateQuestion,
        Code::StaleCaseStudy,
        Code::UnknownCourse,
        Code::UnsupportedSyntax,
        Code::ConflictingKeys,
        Code::InvalidAlias,
        Code::SymlinkOutside,
        Code::OutputCollision,
        Code::OutputCaseCollision,
        Code::RubberStampReview,
        Code::ReviewByNonOwner,
        Code::ChangedSinceReview,
        Code::StaleDependency,
        Code::LastGoodPart,
        Code::InvalidConfig,
        Code::InvalidOwners,
        Code::IoError,
        Code::TemplateError,
        Code::OutputError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidMetadata => "invalid-metadata",
            Code::UnknownKey => "unknown-key",
            Code::UnknownOwner => "unknown-owner",
            Code::LapsedOwner => "lapsed-owner",
            Code::PartiallyLapsedOwner => "partially-lapsed-owner",
            Code::UnknownMembership => "unknown-membership",
            Code::Stale => "stale",
            Code::DueSoon => "due-soon",
            Code::NeverReviewed => "never-reviewed",
            Code::OverdueAction => "overdue-action",
            Code::BrokenLink => "broken-link",
            Code::BrokenAnchor => "broken-anchor",
            Code::InvalidEncoding => "invalid-encoding",
            Code::FileTooLarge => "file-too-large",
            Code::InvalidAlertRules => "invalid-alert-rules",
            Code::PageWithoutRunbook => "page-without-runbook",
            Code::AlertWithoutRunbook => "alert-without-runbook",
            Code::UnknownAlert => "unknown-alert",
            Code::BrokenRunbookUrl => "broken-runbook-url",
            Code::InvalidCode => "invalid-code",
            Code::DeadLink => "dead-link",
            Code::UnknownPrerequisite => "unknown-prerequisite",
            Code::PrerequisiteCycle => "prerequisite-cycle",
            Code::MissingLesson => "missing-lesson",
            Code::UnlistedLesson => "unlisted-lesson",
            Code::InvalidQuiz => "invalid-quiz",
            Code::DuplicateQuestion => "duplicate-question",
            Code::StaleCaseStudy => "stale-case-study",
            Code::UnknownCourse => "unknown-course",
            Code::UnsupportedSyntax => "unsupported-syntax",
            Code::ConflictingKeys => "conflicting-keys",
            Code::InvalidAlias => "invalid-alias",
            Code::SymlinkOutside => "symlink-outside",
            Code::OutputCollision => "output-collision",
            Code::OutputCaseCollision => "output-case-collision",
            Code::RubberStampReview => "rubber-stamp-review",
            Code::ReviewByNonOwner => "review-by-non-owner",
            Code::ChangedSinceReview => "changed-since-review",
            Code::StaleDependency => "stale-dependency",
            Code::InvalidConfig => "invalid-config",
            Code::InvalidOwners => "invalid-owners",
            Code::IoError => "io-error",
            Code::LastGoodPart => "last-good-part",
            Code::TemplateError => "template-error",
            Code::OutputError => "output-error",
        }
    }

    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Fatal codes mean the site could not be loaded as configured: exit status 2.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            Code::InvalidConfig
                | Code::InvalidOwners
                | Code::IoError
                | Code::TemplateError
                | Code::OutputError
        )
    }

    /// Errors whatever `[check] fail_on` says, without being fatal (exit status 1): a link
    /// out of the site (docs/hardening.md) and two sources of one output file, where which
    /// one is published would otherwise be left to chance.
    pub fn always_fails(self) -> bool {
        matches!(self, Code::SymlinkOutside | Code::OutputCollision)
    }

    /// One line for SARIF rule descriptions and `--help`-style listings.
    pub fn description(self) -> &'static str {
        match self {
            Code::InvalidMetadata => {
                "Front matter is malformed, has a wrong type or misses a required key"
            }
            Code::UnknownKey => {
                "Front matter key is not known and looks like a typo of one that is"
            }
            Code::UnknownOwner => "Owner id is found in neither people nor teams of owners.yaml",
            Code::LapsedOwner => "Every owner of the document has left, is inactive or unknown",
            Code::PartiallyLapsedOwner => "Some owners of the document have left or are inactive",
            Code::UnknownMembership => {
                "A team owning documents lists no members: whether it lapsed cannot be told"
            }
            Code::Stale => "Document is past its review due date",
            Code::DueSoon => "Document's review falls due within [freshness] warn_before",
            Code::NeverReviewed => "Document of a kind that requires `reviewed` has none",
            Code::OverdueAction => "Postmortem action item is open past its due date",
            Code::BrokenLink => "Relative link points to no file of the site",
            Code::BrokenAnchor => "Link's #anchor matches no heading of its target",
            Code::InvalidEncoding => "File is not valid UTF-8",
            Code::FileTooLarge => "File exceeds the size limit for content files",
            Code::InvalidAlertRules => {
                "Prometheus rule file is not valid YAML or not shaped like one"
            }
            Code::PageWithoutRunbook => {
                "Paging alert (severity critical or page) has no runbook in the handbook"
            }
            Code::AlertWithoutRunbook => "Non-paging alert has no runbook in the handbook",
            Code::UnknownAlert => "Runbook lists an alert that no given rule file defines",
            Code::BrokenRunbookUrl => "Alert's runbook_url points into the handbook at no page",
            Code::InvalidCode => {
                "Code block does not parse for its language (PromQL, YAML, JSON, TOML, shell)"
            }
            Code::DeadLink => {
                "Outside link (http, https) answers with an error status or not at all (check --external)"
            }
            Code::UnknownPrerequisite => "Course prerequisite names no (published) course",
            Code::PrerequisiteCycle => "Course prerequisites form a cycle, so none can be started",
            Code::MissingLesson => "Course `lessons` lists a file the course folder does not have",
            Code::UnlistedLesson => "Lesson file is not in its course's `lessons` list",
            Code::InvalidQuiz => {
                "Quiz block does not parse, has no correct answer or an empty question or choice"
            }
            Code::DuplicateQuestion => {
                "Quiz asks a question (or uses an id) already used in its course"
            }
            Code::StaleCaseStudy => {
                "Lesson links to a runbook or postmortem that is stale or has no active owner"
            }
            Code::UnknownCourse => "Learning path in book.toml names a course that does not exist",
            Code::UnsupportedSyntax => {
                "Another tool's syntax (a shortcode, template tag, snippet) was removed, not rendered"
            }
            Code::ConflictingKeys => {
                "Front matter sets a key both the Fieldbook way and another tool's way"
            }
            Code::InvalidAlias => "An old URL in `aliases` leads outside the site",
            Code::SymlinkOutside => {
                "Symbolic link leads outside the site directory; its target is not read"
            }
            Code::OutputCollision => {
                "Two sources (documents, aliases, assets, built-in pages) would write one output file"
            }
            Code::OutputCaseCollision => {
                "Two output paths differ only in letter case (one file on case-insensitive systems)"
            }
            Code::RubberStampReview => {
                "Reviews changed nothing but the review date, several times in a row or in a mass review"
            }
            Code::ReviewByNonOwner => {
                "The commit that set the review date is by none of the owners"
            }
            Code::ChangedSinceReview => "The document changed in commits after its last review",
            Code::StaleDependency => {
                "Something the document depends on (alert rule, case study, lesson) changed after its review or is stale"
            }
            Code::LastGoodPart => {
                "A composed part is shown from its last good copy, or its copy cannot be used"
            }
            Code::InvalidConfig => "book.toml is missing, malformed or points outside the site",
            Code::InvalidOwners => "owners.yaml is missing, malformed or inconsistent",
            Code::IoError => "A file or directory could not be read",
            Code::TemplateError => "A theme template does not parse or fails to render",
            Code::OutputError => "The output directory is unsafe or could not be written",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What stops a command (exit status 2): the fatal diagnostics of a site that cannot be
/// loaded, a template that does not render, an output that cannot be written. Every stage
/// returns this one type for them.
pub type Fatal = Vec<Diagnostic>;

/// One finding. `file` is relative to the site directory with `/` separators; `line` and
/// `column` are 1-based (a finding about a whole file points at 1:1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Recorded in the `[check] baseline`: reported, but not failing the run.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub baselined: bool,
    /// The offending source line, shown under the message by the human renderer.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// How many characters from `column` to underline (at least 1).
    #[serde(skip)]
    pub span_len: u32,
}

impl Diagnostic {
    /// A finding at a place in a file. Severity is settled later by [`Policy::apply`].
    pub fn new(code: Code, file: impl Into<String>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: if code.is_fatal() {
                Severity::Error
            } else {
                Severity::Warning
            },
            file: file.into(),
            line: pos.line.max(1),
            column: pos.column.max(1),
            message: message.into(),
            hint: None,
            baselined: false,
            source_line: None,
            span_len: pos.len.max(1),
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Attach the source line the finding points at, taken from the file's text.
    pub fn with_source(mut self, text: &str) -> Self {
        self.source_line = text
            .lines()
            .nth(self.line as usize - 1)
            .map(|l| l.trim_end_matches('\r').to_string());
        self
    }

    /// Sort key: findings come out by file, line, column, code.
    pub fn sort_key(&self) -> (&str, u32, u32, &'static str, &str) {
        (
            &self.file,
            self.line,
            self.column,
            self.code.as_str(),
            &self.message,
        )
    }
}

/// What identifies a finding apart from its position (the `[check] baseline` key with its code
/// and file, and the base of the CI formats' fingerprints): for review states (one per document)
/// nothing more; for overdue action items the item's title; for unknown owners the owner id;
/// for the rest the message with numbers blanked (counts and dates in messages change from
/// day to day).
pub fn fingerprint(d: &Diagnostic) -> String {
    match d.code {
        Code::Stale | Code::DueSoon | Code::NeverReviewed => String::new(),
        Code::UnknownOwner => d
            .message
            .split('`')
            .nth(1)
            .unwrap_or(&d.message)
            .to_string(),
        Code::OverdueAction => d
            .message
            .split('"')
            .nth(1)
            .unwrap_or(&d.message)
            .to_string(),
        _ => {
            let mut out = String::with_capacity(d.message.len());
            let mut in_number = false;
            for c in d.message.chars() {
                if c.is_ascii_digit() {
                    if !in_number {
                        out.push('#');
                    }
                    in_number = true;
                } else {
                    in_number = false;
                    out.push(c);
                }
            }
            out
        }
    }
}

/// A place in a file: 1-based line and column (in characters), and the length to underline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

impl Pos {
    pub const START: Pos = Pos {
        line: 1,
        column: 1,
        len: 1,
    };

    pub fn new(line: u32, column: u32, len: u32) -> Pos {
        Pos { line, column, len }
    }

    /// The same place, `lines` further down (front matter positions are relative to its start).
    pub fn shifted(self, lines: u32) -> Pos {
        Pos {
            line: self.line + lines,
            ..self
        }
    }
}

/// Which codes fail a run (`[check] fail_on`, `--strict`).
#[derive(Clone, Debug)]
pub struct Policy {
    pub fail_on: Vec<Code>,
    pub strict: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fail_on: DEFAULT_FAIL_ON.to_vec(),
            strict: false,
        }
    }
}

/// FORMAT.md's defaults, plus the two content problems Fieldbook adds that leave a document
/// unreadable (documented in the README), the alert findings that leave an on-call engineer without a runbook when paged
/// (docs/alerts.md), and broken course structure and quizzes, which
/// leave a course that cannot be worked through (docs/courses.md).
pub const DEFAULT_FAIL_ON: [Code; 16] = [
    Code::InvalidMetadata,
    Code::UnknownOwner,
    Code::LapsedOwner,
    Code::BrokenLink,
    Code::BrokenAnchor,
    Code::InvalidEncoding,
    Code::FileTooLarge,
    Code::InvalidAlertRules,
    Code::PageWithoutRunbook,
    Code::BrokenRunbookUrl,
    Code::UnknownPrerequisite,
    Code::PrerequisiteCycle,
    Code::MissingLesson,
    Code::InvalidQuiz,
    Code::DuplicateQuestion,
    Code::UnknownCourse,
];

impl Policy {
    pub fn severity(&self, code: Code) -> Severity {
        if self.strict || code.is_fatal() || code.always_fails() || self.fail_on.contains(&code) {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    /// Settle every finding's severity and put them in their stable order.
    pub fn apply(&self, findings: &mut [Diagnostic]) {
        for d in findings.iter_mut() {
            d.severity = self.severity(d.code);
        }
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
}

/// Counts for summaries and the exit status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub documents: usize,
    /// Errors and warnings not in the baseline.
    pub errors: usize,
    pub warnings: usize,
    pub fatal: usize,
    /// Progress against `[check] baseline`, when the site has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Progress>,
}

impl Summary {
    pub fn of(documents: usize, findings: &[Diagnostic]) -> Summary {
        let mut s = Summary {
            documents,
            ..Summary::default()
        };
        for d in findings.iter().filter(|d| !d.baselined) {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
            }
            if d.code.is_fatal() {
                s.fatal += 1;
            }
        }
        s
    }

    /// FORMAT.md: 0 when nothing in `fail_on` was found, 1 when something was, 2 when the
    /// site could not be loaded.
    pub fn exit_code(&self) -> u8 {
        if self.fatal > 0 {
            2
        } else if self.errors > 0 {
            1
        } else {
            0
        }
    }
}

/// Progress against a baseline, for summaries and the report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Findings the baseline records.
    pub recorded: usize,
    /// Findings of this run found in it (reported, not failing).
    pub baselined: usize,
    /// Recorded findings no longer found.
    pub fixed: usize,
}

impl Progress {
    /// "12 of 40 baselined findings fixed — run `fieldbook check --update-baseline` to shrink it".
    pub fn sentence(&self) -> String {
        let mut s = format!(
            "{} of {} baselined {} fixed",
            self.fixed,
            self.recorded,
            if self.recorded == 1 {
                "finding"
            } else {
                "findings"
            }
        );
        if self.fixed > 0 {
            s.push_str(" — run `fieldbook check --update-baseline` to shrink it");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_names() {
        for c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
        }
        assert_eq!(Code::parse("stael"), None);
    }

    #[test]
    fn policy_sets_severity_and_orders_findings() {
        let mut f = vec![
            Diagnostic::new(Code::Stale, "b.md", Pos::new(3, 1, 1), "s"),
            Diagnostic::new(Code::BrokenLink, "a.md", Pos::new(9, 2, 1), "l"),
            Diagnostic::new(Code::BrokenAnchor, "a.md", Pos::new(9, 2, 1), "a"),
        ];
        Policy::default().apply(&mut f);
        let order: Vec<_> = f.iter().map(|d| (d.file.as_str(), d.code)).collect();
        assert_eq!(
            order,
            [
                ("a.md", Code::BrokenAnchor),
                ("a.md", Code::BrokenLink),
                ("b.md", Code::Stale)
            ]
        );
        assert_eq!(f[2].severity, Severity::Warning);
        assert_eq!(Summary::of(2, &f).exit_code(), 1);
        let strict = Policy {
            strict: true,
            ..Policy::default()
        };
        strict.apply(&mut f);
        assert!(f.iter().all(|d| d.severity == Severity::Error));
    }

    #[test]
    fn fatal_findings_exit_two() {
        let f = vec![Diagnostic::new(
            Code::InvalidConfig,
            "book.toml",
            Pos::START,
            "x",
        )];
        assert_eq!(Summary::of(0, &f).exit_code(), 2);
    }
}
