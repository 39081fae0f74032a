//! `mando sweep SPEC.ron`: a design over scenario parameters, replications
//! and a seed, from a spec file (`docs/sweeps.md`).

use std::path::PathBuf;

use clap::Args;

use super::{Format, exit};
use crate::batch::{self, BatchInput};

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep spec (RON), see docs/sweeps.md.
    pub spec: PathBuf,
    /// Output folder [default: runs/sweep-<scenario>-<seed>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads: runs go in parallel, one per thread [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only the K-th of N shares of the runs (1-based), for a cluster.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// No progress bar and no message.
    #[arg(long)]
    pub quiet: bool,
    /// How to print the result on standard output.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: SweepArgs) -> u8 {
    let sweep = match batch::design::load(&args.spec) {
        Ok(s) => s,
        Err(e) => return super::batch_failure(&e),
    };
    let Some((threads, shard)) = super::threads_and_shard(args.threads, args.shard.as_deref(), sweep.replications)
    else {
        return exit::BAD_INPUT;
    };
    let places = sweep.places.clone();
    let written_as = move |c: usize, p: &str, v: &str| {
        places.get(&(c, p.to_string())).map_or(format!("{p}={v}"), |at| format!("{at}: {p}={v}"))
    };
    let input = BatchInput {
        kind: "sweep",
        scenario_path: &sweep.scenario,
        common: sweep.common.clone(),
        parameters: sweep.parameters.clone(),
        conditions: sweep.conditions.clone(),
        written_as: &written_as,
        replications: sweep.replications,
        seed: sweep.seed,
        shard,
        baseline: None,
    };
    super::compare::execute(input, args.out, threads, args.quiet, args.format, "sweep")
}
