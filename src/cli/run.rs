//! `mando run`: one scenario, one seed, outputs in a folder.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

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
    /// Worker threads for the parallel engine [default: all cores]. Results
    /// are identical for any number.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar and no summary on standard error.
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
    let scenario = match load(args.file.as_ref(), &args.sets, extra) {
        Ok(s) => s,
        Err(e) => {
            warn!("{e}");
            return exit::BAD_INPUT;
        }
    };
    if args.threads == Some(0) {
        warn!("--threads: expected at least 1");
        return exit::BAD_INPUT;
    }
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from("runs").join(format!("{}-{}", super::file_safe(&scenario.metadata.name), scenario.metadata.seed))
    });

    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let bar = if show_progress {
        let bar = ProgressBar::new(scenario.metadata.ticks as u64);
        bar.set_style(
            ProgressStyle::with_template("{spinner} tick {pos}/{len} {wide_bar} {elapsed}<{eta}  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let options = SimOptions { threads, ..SimOptions::default() };
    let result = runner::run_timed(&scenario, options, Some(&out), |r| {
        if let Some(bar) = &bar {
            bar.set_position(r.tick as u64);
            bar.set_message(format!("active {} jailed {}", r.active, r.jailed));
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
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

fn print_summary(r: &RunReport, out: &std::path::Path) {
    let m = &r.metrics;
    say!("{} (seed {}, {} ticks)", r.scenario, r.seed, r.ticks);
    say!("  civilians {}  officers at the end {}", m.population, m.final_officers);
    say!(
        "  peak active {} at tick {}  mean active {:.1} ({:.1}%)",
        m.peak_active,
        m.peak_active_tick,
        m.mean_active,
        100.0 * m.mean_active_share
    );
    say!(
        "  outbursts {}{}  arrests {}",
        m.outbursts,
        m.first_outburst_tick.map(|t| format!(" (first at tick {t})")).unwrap_or_default(),
        m.total_arrests
    );
    say!("  at the end: quiescent {}  active {}  jailed {}", m.final_quiescent, m.final_active, m.final_jailed);
    if let Some(op) = &m.operation {
        let minutes = |x: &Option<crate::metrics::operation::MeanP95>| {
            x.map_or("-".to_string(), |v| format!("{:.1} min (p95 {:.1})", v.mean, v.p95))
        };
        say!(
            "  command {}: orders {} (latency {})  conflicting {}  unity-of-command breaks {}",
            op.command_model.id(),
            op.orders_issued,
            minutes(&op.order_latency_minutes),
            op.conflicting_orders,
            op.unity_of_command_breaks
        );
        let declared = op.minutes_to_emergency_declaration.map_or("never".to_string(), |t| format!("at minute {t}"));
        let regimes: Vec<String> = op.zones.iter().map(|z| format!("{} {}", z.zone, z.final_regime)).collect();
        say!(
            "  law: state of exception {declared}; at the end {}; violations {}  refused {}",
            regimes.join(", "),
            op.legal_violations_total,
            op.orders_refused
        );
    }
    say!("  outputs in {}", out.display());
}
