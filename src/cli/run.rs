//! `mando run`: one scenario, one seed, outputs in a folder.

use std::path::PathBuf;

use clap::Args;

use super::progress::Progress;
use super::{Format, exit, load};
use crate::runner::{self, RunReport};
use crate::scenario::Override;
use crate::sim::SimOptions;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (RON). Without it, the built-in epstein_classic runs.
    pub file: Option<PathBuf>,
    /// Master seed (overrides metadata.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of ticks (overrides metadata.ticks).
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Output folder [default: runs/<scenario>-<seed>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario field by its path, e.g. civilians.legitimacy=0.7.
    /// Repeatable; checked like the file.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Take this choice at a decision point of the scenario instead of its
    /// default, e.g. platoon_fire=withdraw. Repeatable.
    #[arg(long = "decide", value_name = "NAME=CHOICE")]
    pub decides: Vec<String>,
    /// Worker threads for the parallel engine [default: all cores]. Results
    /// are identical for any number.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress (a bar on a terminal, else a line every 5 s on standard
    /// error) and no summary.
    #[arg(long)]
    pub quiet: bool,
    /// Print on standard error, at the end, the mean wall time per tick of
    /// each phase (differs from run to run; never in the outputs).
    #[arg(long)]
    pub timings: bool,
    /// How to print the result on standard output.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: RunArgs) -> u8 {
    let mut extra = Vec::new();
    if let Some(seed) = args.seed {
        extra.push(Override::from_flag("metadata.seed", seed, "--seed"));
    }
    if let Some(ticks) = args.ticks {
        extra.push(Override::from_flag("metadata.ticks", ticks, "--ticks"));
    }
    let Some(decides) = super::decide_overrides(&args.decides) else { return exit::BAD_INPUT };
    extra.extend(decides);
    let scenario = match load(args.file.as_ref(), &args.sets, extra) {
        Ok(s) => s,
        Err(e) => {
            warn!("{e}");
            return exit::BAD_INPUT;
        }
    };
    let Some(threads) = super::threads(args.threads) else { return exit::BAD_INPUT };
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from("runs").join(format!("{}-{}", super::file_safe(&scenario.metadata.name), scenario.metadata.seed))
    });

    let progress = Progress::new(scenario.metadata.ticks as u64, "tick", args.quiet);
    let options = SimOptions { threads, ..SimOptions::default() };
    let result = runner::run_timed(&scenario, options, Some(&out), |r| {
        if let Some(bar) = progress.bar() {
            bar.set_position(r.tick as u64);
            bar.set_message(format!("active {} detained {}", r.active, r.jailed));
        }
    });
    progress.finish();
    match result {
        Ok((report, times)) => {
            if args.timings {
                warn!("{}", times.table().trim_end());
            }
            match args.format {
                Format::Json => match serde_json::to_string_pretty(&report) {
                    Ok(s) => say!("{s}"),
                    Err(e) => {
                        warn!("cannot print the summary: {e}");
                        return exit::FAILURE;
                    }
                },
                Format::Text => {
                    if !args.quiet {
                        print_summary(&report, &out);
                    }
                }
            }
            exit::OK
        }
        Err(e) => {
            warn!("{e}");
            exit::FAILURE
        }
    }
}

/// The run's headline in plain sentences (`metrics::headline`), and where
/// the outputs are.
fn print_summary(r: &RunReport, out: &std::path::Path) {
    for line in r.headline.sentences(&r.scenario) {
        say!("{line}");
    }
    say!("Seed {}; outputs in {} (summary.json, events.jsonl, timeseries.csv).", r.seed, out.display());
}
