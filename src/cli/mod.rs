//! The command line: one file per verb. Doc comments here are the `--help`
//! text. Exit codes: 0 success, 1 failure while running (I/O), 2 bad input
//! (command line or scenario).

/// `println!` that does not panic when standard output is closed early
/// (`mando run --format json | head -1`): the reader has gone, so there is
/// no one to tell.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that does not panic when standard error is closed early.
macro_rules! warn {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod compare;
mod merge;
mod progress;
mod report;
mod run;
mod serve;
mod sweep;
mod validate;

/// `--vary` arguments as conditions (for the fuzz targets too).
pub use compare::conditions as vary_conditions;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::scenario::{self, Override, Scenario, ScenarioError};

/// mando: simulate military–police coordination in civil unrest on a grid.
#[derive(Debug, Parser)]
#[command(name = "mando", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write summary.json, timeseries.csv, events.jsonl,
    /// units.csv and map.json.
    Run(run::RunArgs),
    /// Check scenario files and report every problem with file, line and column.
    Validate(validate::ValidateArgs),
    /// Compare conditions over replications with common random numbers:
    /// runs.csv/.parquet and summary.csv/.json/.md with confidence intervals.
    Compare(compare::CompareArgs),
    /// Run a parameter sweep from a spec file (grid, Latin hypercube, list).
    Sweep(sweep::SweepArgs),
    /// Join the folders of a sharded compare or sweep into one.
    Merge(merge::MergeArgs),
    /// Write a self-contained HTML report of a run, compare or sweep folder
    /// (charts, map, logs); --figures also writes the charts as SVG files.
    Report(report::ReportArgs),
    /// The classroom: a live exercise in the browser (map, charts,
    /// injects, decisions, rewind, branches, after-action report).
    Serve(serve::ServeArgs),
    /// Print a shell completion script, e.g. `mando completions bash >
    /// ~/.local/share/bash-completion/completions/mando`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// How results are printed on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Readable text.
    #[default]
    Text,
    /// One JSON document, and nothing else, on standard output.
    Json,
}

/// Exit codes, documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const BAD_INPUT: u8 = 2;
    /// Stopped by Ctrl-C or SIGTERM; nothing half-written is left.
    pub const INTERRUPTED: u8 = 130;
}

/// Errors go out as one JSON document on standard output instead of text
/// on standard error (`--format json`).
static JSON_ERRORS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// The errors of this command, in JSON mode, printed together at the end.
static ERRORS: std::sync::Mutex<Vec<serde_json::Value>> = std::sync::Mutex::new(Vec::new());

/// Reports an error: a line on standard error, or with `--format json` an
/// entry of the one JSON document printed at the end
/// (`{"error": {"kind", "message", "file", "line", "column", "field"}}`,
/// `docs/outputs.md`).
pub(crate) fn fail(kind: &str, message: &str) {
    fail_at(kind, message, None);
}

fn fail_at(kind: &str, message: &str, d: Option<&scenario::Diagnostic>) {
    if !JSON_ERRORS.load(std::sync::atomic::Ordering::Relaxed) {
        warn!("{message}");
        return;
    }
    let (file, line, column, argument) = match d.map(|d| &d.origin) {
        Some(scenario::Origin::File { file, line, column }) => (Some(file.clone()), Some(*line), Some(*column), None),
        Some(scenario::Origin::Override { argument }) => (None, None, None, Some(argument.clone())),
        None => (None, None, None, None),
    };
    let entry = serde_json::json!({
        "kind": kind,
        "message": d.map_or_else(|| message.to_string(), |d| d.message.clone()),
        "file": file,
        "line": line,
        "column": column,
        "field": d.map(|d| d.field.clone()).filter(|f| !f.is_empty()),
        "argument": argument,
    });
    if let Ok(mut e) = ERRORS.lock() {
        e.push(entry);
    }
}

/// Reports a scenario's problems, each with its place.
pub(crate) fn fail_scenario(e: &ScenarioError) {
    match e {
        ScenarioError::Invalid(problems) => {
            for d in problems {
                fail_at("scenario", &d.to_string(), Some(d));
            }
        }
        other => fail("io", &other.to_string()),
    }
}

/// The one JSON error document, if errors were reported in JSON mode.
fn flush_errors() {
    let Ok(mut errors) = ERRORS.lock() else { return };
    if errors.is_empty() {
        return;
    }
    let all: Vec<serde_json::Value> = std::mem::take(&mut *errors);
    let doc = serde_json::json!({ "error": all[0], "errors": all });
    say!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}

/// Whether the command line asks for JSON (`--format json` or
/// `--format=json`), for errors found before it is parsed.
pub fn wants_json(args: &[String]) -> bool {
    args.windows(2).any(|w| w[0] == "--format" && w[1] == "json") || args.iter().any(|a| a == "--format=json")
}

/// A command line clap refused, as `--format json` asks: one JSON document.
pub fn command_line_error(e: &clap::Error) -> ExitCode {
    JSON_ERRORS.store(true, std::sync::atomic::Ordering::Relaxed);
    let text = e.kind().as_str().map_or_else(|| e.to_string(), str::to_string);
    let detail = e.to_string();
    let first = detail.lines().next().unwrap_or("").trim_start_matches("error: ").to_string();
    fail("command_line", if first.is_empty() { &text } else { &first });
    flush_errors();
    ExitCode::from(e.exit_code().clamp(0, 255) as u8)
}

/// Runs a parsed command line.
pub fn dispatch(cli: Cli) -> ExitCode {
    let json = match &cli.command {
        Command::Run(a) => a.format == Format::Json,
        Command::Validate(a) => a.format == Format::Json,
        Command::Compare(a) => a.batch.format == Format::Json,
        Command::Sweep(a) => a.batch.format == Format::Json,
        Command::Merge(a) => a.format == Format::Json,
        Command::Report(a) => a.format == Format::Json,
        Command::Serve(_) | Command::Completions { .. } => false,
    };
    JSON_ERRORS.store(json, std::sync::atomic::Ordering::Relaxed);
    let code = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::validate(args),
        Command::Compare(args) => compare::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Report(args) => report::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "mando", &mut std::io::stdout());
            exit::OK
        }
    };
    flush_errors();
    ExitCode::from(code)
}

/// Loads the scenario at `file` (or the built-in default) with overrides.
pub(crate) fn load(file: Option<&PathBuf>, sets: &[String], extra: Vec<Override>) -> Result<Scenario, ScenarioError> {
    let mut overrides = Vec::new();
    let mut problems = Vec::new();
    for s in sets {
        match Override::parse(s) {
            Ok(o) => overrides.push(o),
            Err(message) => problems.push(scenario::Diagnostic {
                origin: scenario::Origin::Override { argument: format!("--set {s}") },
                field: String::new(),
                message,
            }),
        }
    }
    overrides.extend(extra);
    let loaded = match file {
        Some(path) => scenario::load_file(path, &overrides),
        None => scenario::load_default(&overrides),
    };
    match (loaded, problems.is_empty()) {
        (Ok(s), true) => Ok(s),
        (Ok(_), false) => Err(ScenarioError::Invalid(problems)),
        (Err(ScenarioError::Invalid(more)), _) => {
            problems.extend(more);
            Err(ScenarioError::Invalid(problems))
        }
        (Err(e), _) => Err(e),
    }
}

/// A name made safe for a folder: letters, digits, `-` and `_` kept.
pub(crate) fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// `--set` arguments and `--ticks` as overrides for every run of a batch;
/// `None` (after saying why) if one is malformed.
pub(crate) fn common_overrides(sets: &[String], ticks: Option<u32>) -> Option<Vec<Override>> {
    let mut out = Vec::new();
    let mut ok = true;
    for s in sets {
        match Override::parse(s) {
            Ok(o) => out.push(o),
            Err(m) => {
                fail("command_line", &format!("--set {s}: {m}"));
                ok = false;
            }
        }
    }
    if let Some(t) = ticks {
        out.push(Override::from_flag("metadata.ticks", t, "--ticks"));
    }
    ok.then_some(out)
}

/// `--ticks`, checked here so that `--ticks -1` gets a plain message (not
/// clap's advice to write `-- -1`); the scenario's own bound applies too.
pub(crate) fn ticks_arg(s: &str) -> Result<u32, String> {
    let max = crate::scenario::defaults::MAX_TICKS;
    match s.trim().parse::<i64>() {
        Ok(n) if n >= 1 && n <= max as i64 => Ok(n as u32),
        Ok(n) => Err(format!("expected a whole number of ticks from 1 to {max}, found {n}")),
        Err(_) => {
            let shown: String = s.chars().take(40).collect();
            Err(format!("expected a whole number of ticks from 1 to {max}, found `{shown}`"))
        }
    }
}

/// `--decide NAME=CHOICE` arguments as overrides of `decide.NAME`, which
/// the scenario loader turns into the decision's batch choice (and which
/// `compare --vary decide.NAME=A,B` varies the same way).
pub(crate) fn decide_overrides(decides: &[String]) -> Option<Vec<Override>> {
    let mut out = Vec::new();
    let mut ok = true;
    for d in decides {
        match d.split_once('=') {
            Some((name, choice)) if !name.trim().is_empty() && !choice.trim().is_empty() => out.push(Override {
                path: format!("decide.{}", name.trim()),
                value: choice.trim().to_string(),
                written_as: Some(format!("--decide {d}")),
            }),
            _ => {
                fail(
                    "command_line",
                    &format!("--decide {d}: expected NAME=CHOICE (a decision of the scenario and one of its choices)"),
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// The most worker threads `--threads` accepts: far above any machine this
/// runs on, and far below the count whose stacks cannot be allocated (at
/// 100,000 the process aborted).
pub(crate) const MAX_THREADS: usize = 1024;

/// `--threads`, checked: from 1 to [`MAX_THREADS`]; default all cores.
pub(crate) fn threads(threads: Option<usize>) -> Option<usize> {
    match threads {
        Some(0) => {
            fail("command_line", "--threads: expected at least 1");
            None
        }
        Some(n) if n > MAX_THREADS => {
            fail(
                "command_line",
                &format!(
                    "--threads: {n} is more than {MAX_THREADS}; give at most the machine's cores (results are the same for any number)"
                ),
            );
            None
        }
        Some(n) => Some(n),
        None => Some(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// `--threads` (default all cores) and `--shard` (default the whole batch).
pub(crate) fn threads_and_shard(
    threads: Option<usize>,
    shard: Option<&str>,
    reps: usize,
) -> Option<(usize, crate::batch::Shard)> {
    let threads = self::threads(threads)?;
    if reps == 0 {
        fail("command_line", "--reps: expected at least 1 replication");
        return None;
    }
    let shard = match shard.map(crate::batch::Shard::parse).transpose() {
        Ok(s) => s.unwrap_or(crate::batch::Shard::WHOLE),
        Err(m) => {
            fail("command_line", &format!("--shard: {m}"));
            return None;
        }
    };
    Some((threads, shard))
}

/// Says what went wrong with a batch and gives its exit code.
pub(crate) fn batch_failure(e: &crate::batch::BatchError) -> u8 {
    if matches!(e, crate::batch::BatchError::Run(crate::runner::RunError::Interrupted)) {
        fail("interrupted", &format!("{e}; the finished runs are kept: run the same command again to go on"));
        return exit::INTERRUPTED;
    }
    match e {
        crate::batch::BatchError::Scenario(s) => fail_scenario(s),
        _ if e.is_bad_input() => fail("bad_input", &e.to_string()),
        _ => fail("failure", &e.to_string()),
    }
    if e.is_bad_input() { exit::BAD_INPUT } else { exit::FAILURE }
}
