//! The `fieldbook` command line: parses arguments, runs a command, maps its result to the exit
//! status FORMAT.md promises (0 clean, 1 failing findings, 2 usage/config/I-O error).

use clap::builder::TypedValueParser;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use fieldbook::cli;
use fieldbook::content::date::Date;
use fieldbook::diagnostic::format::Format;
use fieldbook::search::export::ExportFormat;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

// A build makes and frees millions of small strings (template values, tokens, HTML pieces)
// across threads: glibc's allocator spent ~15% of a cold build's CPU in malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// No transparent huge pages for this process. mimalloc asks for them, and the kernel zeroes
/// 2 MiB at the first touch of each: `perf` put 40% of a cached 10k build's CPU in that
/// zeroing (`clear_page_erms`). Without them a cached build took 0.6 s of system time instead
/// of 1.5–2 s, a cold one 2.6 s instead of 4.4 s, `check` 0.7 s wall instead of 0.9–1 s, each
/// with about 90 MB less peak memory. The flag holds for mappings already made.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes integer arguments and changes only how the
    // kernel backs this process's memory; it fails harmlessly on kernels without it.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[derive(Parser)]
#[command(
    name = "fieldbook",
    version,
    about = "Reliability handbooks from Markdown: runbooks, postmortems and courses, with owners and review dates that CI keeps honest"
)]
struct Cli {
    /// When to use colours in human output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Run every check (metadata, owners, freshness, action items, links, code blocks) without writing anything
    Check {
        /// The site directory (holding book.toml)
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Output format for the findings
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Judge freshness as of this date (YYYY-MM-DD) instead of [build] today or the clock
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// Treat every warning as a failure
        #[arg(long)]
        strict: bool,
        /// Prometheus rule files (or directories of them) to check the runbooks against: alerts without a runbook, runbooks naming unknown alerts, runbook_url annotations leading nowhere
        #[arg(long, value_name = "PATH", num_args = 1..)]
        alert_rules: Vec<PathBuf>,
        /// Record today's findings in the baseline file ([check] baseline, default fieldbook-baseline.json) so that only new ones fail
        #[arg(long)]
        update_baseline: bool,
        /// Where the site directory is in the repository (e.g. docs/handbook): put before file paths in github, sarif, codequality, rdjsonl and checkstyle output. Default on GitHub Actions: the site's place under GITHUB_WORKSPACE
        #[arg(long, value_name = "DIR")]
        path_prefix: Option<String>,
        /// A folder of other repositories' parts (each a `build --part` output): also report the links they make into this part that the current change would break (a page renamed, an anchor removed). Needs --part
        #[arg(long, value_name = "PARTS_DIR", requires = "part")]
        inbound: Option<PathBuf>,
        /// This repository's part name, for --inbound
        #[arg(long, value_name = "NAME", requires = "inbound")]
        part: Option<String>,
        /// Also request every outside (http, https) link: dead-link findings for those that answer with an error or not at all. Results are cached in .fieldbook/cache for [check] external_cache_ttl (default 1d). Needs network; never done by build
        #[arg(long)]
        external: bool,
    },
    /// Start a handbook: a starter site, or with --from the configuration for an existing docs tree (its files are left as they are)
    Init {
        /// The site directory to write into (default: the current directory, or the docs tree's root with --from)
        dir: Option<PathBuf>,
        /// An existing docs tree (mdBook, MkDocs, Hugo, Docusaurus, GOV.UK tech docs or plain Markdown) to adopt
        #[arg(long, value_name = "DOCS_DIR")]
        from: Option<PathBuf>,
    },
    /// Check, then render the site (even with findings: their flags show in it); exit 1 on failing findings
    Build {
        /// The site directory (holding book.toml)
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Where to write the site (default: [build] output, "public")
        #[arg(long)]
        output: Option<PathBuf>,
        /// Include documents marked `draft: true`
        #[arg(long)]
        drafts: bool,
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// Treat every warning as a failure
        #[arg(long)]
        strict: bool,
        /// Also write every document's search record to FILE as JSON lines
        #[arg(long, value_name = "FILE")]
        search_export: Option<PathBuf>,
        /// The records of --search-export: fieldbook (one JSON line per document), or one record per section for docsearch (Algolia), meilisearch, typesense or elasticsearch (_bulk, OpenSearch too)
        #[arg(long, value_name = "FORMAT", default_value = "fieldbook", requires = "search_export",
              value_parser = clap::builder::PossibleValuesParser::new(ExportFormat::NAMES)
                  .map(|s: String| ExportFormat::parse(&s).unwrap_or_default()))]
        search_export_format: ExportFormat,
        /// Build a relocatable part for `fieldbook compose`: the pages under NAME/ of the output, and part.json beside them
        #[arg(long, value_name = "NAME")]
        part: Option<String>,
        /// Neither reuse nor save the build cache (a build with nothing changed since the last one otherwise reuses its output)
        #[arg(long)]
        no_cache: bool,
        /// Keep the build cache in DIR (default: [build] cache_dir, ".fieldbook/cache")
        #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
        cache_dir: Option<PathBuf>,
        /// Also build clean into a temporary directory and compare it with the output file by file: exit 1 naming the files that differ
        #[arg(long)]
        verify_cache: bool,
    },
    /// Preview the site: render it in memory, serve it, and re-render what an edit changes (pages reload by themselves)
    Serve {
        /// The site directory (holding book.toml)
        #[arg(default_value = ".")]
        site: PathBuf,
        /// The port to listen on (0: any free port)
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on; anything but a loopback address makes the preview reachable from other machines
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the preview in a browser
        #[arg(long)]
        open: bool,
        /// Poll for changes instead of using the file system's events (network mounts, WSL2, containers)
        #[arg(long)]
        poll: bool,
        /// Include documents marked `draft: true`
        #[arg(long)]
        drafts: bool,
        /// Judge freshness as of this date (YYYY-MM-DD) instead of [build] today or the clock
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Search the handbook from the terminal (alert names, error strings, symptoms)
    Search {
        /// What to look for: words, "quoted phrases", alert names, error strings
        query: String,
        /// The site directory (holding book.toml)
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Only documents of this kind
        #[arg(long, value_parser = parse_kind)]
        kind: Option<fieldbook::content::front_matter::Kind>,
        /// Only documents about this service
        #[arg(long)]
        service: Option<String>,
        /// Only documents owned by this person or team (a person includes their teams)
        #[arg(long)]
        owner: Option<String>,
        /// Only stale documents
        #[arg(long)]
        stale: bool,
        /// How many results (default 10)
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print {"results": [...]} as JSON
        #[arg(long)]
        json: bool,
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// Search the browser's index of a built or composed site in DIR (the output of `build` or `compose`; a composed handbook ranks every part together), scored as the browser scores it
        #[arg(long = "site", value_name = "DIR", conflicts_with_all = ["owner", "today"])]
        built: Option<PathBuf>,
    },
    /// Stamp `reviewed:` with today's date, changing nothing else in the files
    Review {
        /// Markdown files to stamp
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The date to stamp (default: the site's [build] today, else the clock)
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Merge parts built by `build --part` into one site, without re-rendering their pages; exit 1 on broken links between parts
    Compose {
        /// The part directories (each holding part.json); none: the handbook's `[compose] parts`
        parts: Vec<PathBuf>,
        /// The handbook whose book.toml lists the parts (`[compose] parts`), when none are given
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// Where to write the composed site (default with --site: its [build] output)
        #[arg(long)]
        output: Option<PathBuf>,
        /// The date the composed pages say they were built (YYYY-MM-DD; default: today)
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// Keep each part's last good copy in DIR, and compose a part that is missing, cannot be read or was checked against another roster from it (default with --site: its [compose] keep_last_good)
        #[arg(long, value_name = "DIR")]
        keep_last_good: Option<PathBuf>,
    },
    /// Move what a person or team owns to another: document owners and open action items
    Handover {
        /// The owner id handing over (someone leaving, a team disbanding)
        old: String,
        /// The owner id taking over (must be in owners.yaml)
        #[arg(long = "to")]
        to: String,
        /// The site directory (holding book.toml)
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Print what would change, change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// What each owner or team must review, most urgent first
    Report {
        /// The site directory (holding book.toml)
        #[arg(default_value = ".")]
        site: PathBuf,
        #[arg(long, value_enum, default_value_t = fieldbook::cli::report::Format::Md)]
        format: fieldbook::cli::report::Format,
        /// Only this person or team (a person also gets their teams' items)
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Write the runbooks to one self-contained HTML file for when the docs host is down: contents, alert index, owners and channels, review flags, in-page search, printable
    Pack {
        /// The site directory (holding book.toml)
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Only the runbooks this team (or person) owns
        #[arg(long, value_name = "TEAM", conflicts_with_all = ["service", "alerts"])]
        team: Option<String>,
        /// Only the runbooks about this service
        #[arg(long, conflicts_with = "alerts")]
        service: Option<String>,
        /// Only the runbooks that answer an alert
        #[arg(long)]
        alerts: bool,
        /// The HTML file to write
        #[arg(long, value_name = "FILE.html")]
        output: PathBuf,
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Print the shell completion script for bash, zsh, fish or PowerShell (e.g. `fieldbook completions bash > /etc/bash_completion.d/fieldbook`)
    Completions {
        /// The shell to complete in
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `fieldbook man > /usr/local/share/man/man1/fieldbook.1`; with a command, that command's page (fieldbook-check.1)
    Man {
        /// The command whose page to print (default: the page of fieldbook itself)
        command: Option<String>,
    },
}

fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn parse_kind(s: &str) -> Result<fieldbook::content::front_matter::Kind, String> {
    fieldbook::content::front_matter::Kind::parse(s)
        .ok_or_else(|| "expected runbook, postmortem, course, lesson or page".to_string())
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
}

/// `fieldbook man [COMMAND]`: the page of fieldbook, or of one command as `fieldbook-COMMAND`
/// (the page the main one's SUBCOMMANDS section refers to).
fn man(command: Option<&str>, out: &mut dyn std::io::Write) -> std::io::Result<u8> {
    let mut cli = Cli::command();
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) => {
                let sub = sub.clone();
                let page_name = format!("fieldbook-{}", sub.get_name());
                sub.name(page_name).version(env!("CARGO_PKG_VERSION"))
            }
            None => {
                eprintln!("error: no command `{name}` (see `fieldbook --help`)");
                return Ok(2);
            }
        },
    };
    clap_mangen::Man::new(page).render(out).map(|()| 0)
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    // Findings go to stdout for `check`, to stderr for the other commands.
    let color = use_color(cli.color, std::io::stdout().is_terminal());
    let color_err = use_color(cli.color, std::io::stderr().is_terminal());
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr();
    let result = match &cli.command {
        Command::Check {
            site,
            format,
            today,
            strict,
            alert_rules,
            update_baseline,
            path_prefix,
            inbound,
            part,
            external,
        } => cli::check(
            &cli::CheckArgs {
                site,
                today: *today,
                strict: *strict,
                format: *format,
                color,
                alert_rules,
                update_baseline: *update_baseline,
                path_prefix: path_prefix.as_deref(),
                inbound: inbound.as_deref().zip(part.as_deref()),
                external: *external,
            },
            &mut out,
        ),
        Command::Build {
            site,
            output,
            drafts,
            today,
            strict,
            search_export,
            search_export_format,
            part,
            no_cache,
            cache_dir,
            verify_cache,
        } => cli::build(
            &cli::BuildArgs {
                site,
                today: *today,
                strict: *strict,
                output: output.clone(),
                drafts: *drafts,
                color: color_err,
                search_export: search_export.clone(),
                search_export_format: *search_export_format,
                part: part.clone(),
                no_cache: *no_cache,
                cache_dir: cache_dir.clone(),
                verify_cache: *verify_cache,
            },
            &mut err,
        ),
        Command::Serve {
            site,
            port,
            bind,
            open,
            poll,
            drafts,
            today,
        } => cli::serve(
            &fieldbook::serve::ServeArgs {
                site: site.clone(),
                port: *port,
                bind: *bind,
                open: *open,
                poll: *poll,
                drafts: *drafts,
                today: *today,
                color: color_err,
            },
            &mut err,
        ),
        Command::Search {
            query,
            site,
            kind,
            service,
            owner,
            stale,
            limit,
            json,
            today,
            built,
        } => {
            let q = fieldbook::search::Query {
                text: query.clone(),
                kind: *kind,
                service: service.clone(),
                owner: owner.clone(),
                stale: *stale,
                limit: *limit,
            };
            match built {
                Some(dir) => {
                    fieldbook::search::cli::run_site(dir, q, *json, color, &mut out, &mut err)
                }
                None => {
                    fieldbook::search::cli::run(site, *today, q, *json, color, &mut out, &mut err)
                }
            }
        }
        Command::Init { dir, from } => {
            fieldbook::cli::init::run(dir.as_deref(), from.as_deref(), &mut out, &mut err)
        }
        Command::Pack {
            site,
            team,
            service,
            alerts,
            output,
            today,
        } => {
            use fieldbook::build::pack::Selection;
            let selection = match (team, service) {
                (Some(t), _) => Selection::Team(t.clone()),
                (_, Some(s)) => Selection::Service(s.clone()),
                _ if *alerts => Selection::Alerts,
                _ => Selection::All,
            };
            cli::pack(site, *today, &selection, output, &mut err, color_err)
        }
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "fieldbook", &mut out);
            Ok(0)
        }
        Command::Man { command } => man(command.as_deref(), &mut out),
        Command::Review { files, today } => {
            cli::review::run(files, *today, &mut out, &mut err, color_err)
        }
        Command::Compose {
            parts,
            site,
            output,
            today,
            keep_last_good,
        } => cli::compose(
            &cli::ComposeArgs {
                parts,
                site,
                output: output.as_deref(),
                today: *today,
                keep_last_good: keep_last_good.as_deref(),
            },
            &mut err,
            color_err,
        ),
        Command::Handover {
            old,
            to,
            site,
            dry_run,
        } => cli::handover::run(site, old, to, *dry_run, &mut out, &mut err, color_err),
        Command::Report {
            site,
            format,
            owner,
            today,
        } => cli::report(
            site,
            *today,
            owner.as_deref(),
            *format,
            &mut out,
            &mut err,
            color_err,
        ),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (`fieldbook check | head`) is the reader's choice, not our failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
