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

mod run;
mod validate;

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
    /// Run a scenario and write summary.json, timeseries.csv and events.jsonl.
    Run(run::RunArgs),
    /// Check scenario files and report every problem with file, line and column.
    Validate(validate::ValidateArgs),
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
}

/// Runs a parsed command line.
pub fn dispatch(cli: Cli) -> ExitCode {
    let code = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::validate(args),
    };
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
