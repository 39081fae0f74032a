//! The `mando` binary: parse the command line and hand over to `cli`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    mando::cli::dispatch(mando::cli::Cli::parse())
}
