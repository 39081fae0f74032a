//! The `mando` binary: parse the command line and hand over to `cli`.

use std::process::ExitCode;

use clap::Parser;

/// Large arrays on huge pages: 7-8% off the million-civilian tick
/// (`docs/performance.md`).
#[global_allocator]
static ALLOCATOR: mando::memory::HugePageAlloc = mando::memory::HugePageAlloc;

fn main() -> ExitCode {
    mando::cli::dispatch(mando::cli::Cli::parse())
}
