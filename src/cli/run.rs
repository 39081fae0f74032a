//! `mando run`: one scenario, one seed, outputs in a folder.

use std::path::PathBuf;

use clap::Args;

use super::progress::Progress;
use super::{Format, exit, load};
use crate::runner::{self, RunReport};
use crate::scenario::Override;
use crate::sim::SimOptions;

#[derive(Debug, Args)]
#[command(after_help = "EXAMPLES:
  mando run                                        the built-in epstein_classic
  mando run scenarios/mining_corridor_blockade.ron -s 3 -o runs/mining-3
  mando run scenarios/substation_under_threat.ron --set command.model=unified --decide platoon_fire=withdraw
  mando run scenarios/epstein_classic.ron --ticks 100 -q --format json | jq .headline")]
pub struct RunArgs {
    /// Scenario file (RON). Without it, the built-in epstein_classic runs.
    pub file: Option<PathBuf>,
    /// Master seed (overrides metadata.seed).
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Number of ticks (overrides metadata.ticks).
    #[arg(long, allow_hyphen_values = true, value_parser = super::ticks_arg)]
    pub ticks: Option<u32>,
    /// Output folder [default: runs/<scenario>-<seed>/, with a fingerprint
    /// of the --set, --ticks and --decide arguments appended when there are
    /// any, e.g. runs/substation_under_threat-1-3f2a9c01/].
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Replace the outputs of another run in the output folder (without it,
    /// a folder holding another run's outputs is refused; a rerun of the
    /// same run replaces its own). A batch folder is never replaced.
    #[arg(long)]
    pub force: bool,
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
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Print nothing: no progress (a bar on a terminal, else a line every
    /// 5 s, on standard error) and no summary sentences (on standard
    /// output). With --format json the summary document is still printed.
    #[arg(long, short = 'q')]
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
            super::fail_scenario(&e);
            return exit::BAD_INPUT;
        }
    };
    let Some(threads) = super::threads(args.threads) else { return exit::BAD_INPUT };
    let out = args.out.clone().unwrap_or_else(|| default_folder(&scenario, &args));
    if let Some(why) = folder_refusal(&out, &scenario, args.force) {
        super::fail("output_folder", &why);
        return exit::BAD_INPUT;
    }
    crate::base::interrupt::install();

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
        Err(crate::runner::RunError::Interrupted) => {
            super::fail("interrupted", &crate::runner::RunError::Interrupted.to_string());
            exit::INTERRUPTED
        }
        Err(e) => {
            super::fail("failure", &e.to_string());
            exit::FAILURE
        }
    }
}

/// `runs/<scenario>-<seed>`, and a fingerprint of the arguments that change
/// the scenario (`--set`, `--ticks`, `--decide`, in order) when there are
/// any: runs that differ in them never share a folder.
fn default_folder(scenario: &crate::scenario::Scenario, args: &RunArgs) -> PathBuf {
    let base = format!("{}-{}", super::file_safe(&scenario.metadata.name), scenario.metadata.seed);
    let mut given: Vec<String> = args.sets.iter().map(|s| format!("set {}", s.trim())).collect();
    given.extend(args.ticks.map(|t| format!("ticks {t}")));
    given.extend(args.decides.iter().map(|d| format!("decide {}", d.trim())));
    if given.is_empty() {
        return PathBuf::from("runs").join(base);
    }
    let mut h = crate::base::fingerprint::Fnv::default();
    for g in &given {
        for b in g.bytes() {
            h.u64(b as u64);
        }
        h.u64(0xff);
    }
    PathBuf::from("runs").join(format!("{base}-{:08x}", h.finish() as u32))
}

/// Why `out` must not take this run's outputs: it holds a batch, or
/// another run's outputs (not replaced without `--force`).
fn folder_refusal(out: &std::path::Path, scenario: &crate::scenario::Scenario, force: bool) -> Option<String> {
    let dir = out.display();
    if out.join("batch.json").is_file() {
        return Some(format!(
            "{dir} holds a compare or sweep batch: a run's files would mix with its tables; give another --out \
             (--force never replaces a batch)"
        ));
    }
    if force {
        return None;
    }
    let text = std::fs::read_to_string(out.join(crate::metrics::output::SUMMARY)).ok()?;
    let Ok(old) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Some(format!(
            "{dir} holds a summary.json that mando cannot read; give another --out, or --force to replace it"
        ));
    };
    let new = serde_json::to_value(scenario).ok()?;
    first_difference(&old["parameters"], &new, "").map(|d| {
        format!("{dir} holds the outputs of another run ({d}); give another --out, or --force to replace them")
    })
}

/// The first field where two parameter sets differ, in words.
fn first_difference(there: &serde_json::Value, here: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    match (there, here) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                first_difference(a.get(k).unwrap_or(&Value::Null), b.get(k).unwrap_or(&Value::Null), &p)
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).enumerate().find_map(|(i, (x, y))| first_difference(x, y, &format!("{path}[{i}]")))
        }
        (a, b) if a == b => None,
        (Value::Null, _) => Some(format!("{path} is new here")),
        (a, b) => {
            let short = |v: &Value| {
                let s = v.to_string();
                if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s }
            };
            Some(format!("{path}: {} there, {} here", short(a), short(b)))
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
