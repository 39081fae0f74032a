//! `mando sweep SPEC.ron`: a design over scenario parameters, replications
//! and a seed, from a spec file (`docs/sweeps.md`).

use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::batch;

#[derive(Debug, Args)]
#[command(after_help = "EXAMPLES:
  mando sweep scenarios/sweeps/epstein_legitimacy_lhs.ron
  mando sweep scenarios/sweeps/mining_command_and_kit.ron --shard 1/4 -o runs/s1 -j 8")]
pub struct SweepArgs {
    /// Sweep spec (RON), see docs/sweeps.md.
    pub spec: PathBuf,
    #[command(flatten)]
    pub batch: super::compare::BatchArgs,
}

pub fn run(args: SweepArgs) -> u8 {
    let sweep = match batch::design::load(&args.spec) {
        Ok(s) => s,
        Err(e) => return super::batch_failure(&e),
    };
    let Some((threads, shard)) =
        super::threads_and_shard(args.batch.threads, args.batch.shard.as_deref(), sweep.replications)
    else {
        return exit::BAD_INPUT;
    };
    let written_as = |c: usize, p: &str, v: &str| sweep.written_as(c, p, v);
    super::compare::execute(sweep.input(&written_as, shard), args.batch, threads, "sweep")
}
