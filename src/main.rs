//! The `mando` binary: parse the command line and hand over to `cli`.

use std::process::ExitCode;

use clap::Parser;

/// Large arrays on huge pages: 7-8% off the million-civilian tick
/// (`docs/performance.md`).
#[global_allocator]
static ALLOCATOR: mando::memory::HugePageAlloc = mando::memory::HugePageAlloc;

fn main() -> ExitCode {
    match mando::cli::Cli::try_parse() {
        Ok(cli) => mando::cli::dispatch(cli),
        Err(e) if e.use_stderr() && mando::cli::wants_json(&std::env::args().collect::<Vec<_>>()) => {
            mando::cli::command_line_error(&e)
        }
        Err(e) => e.exit(),
    }
}
