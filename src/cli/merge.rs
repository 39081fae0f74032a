//! `mando merge`: joins the folders of a batch's shards into one, row for
//! row what the unsharded batch would have written.

use std::path::PathBuf;

use clap::Args;

use super::Format;
use crate::batch::{self, BatchError, Shard, store};

#[derive(Debug, Args)]
#[command(after_help = "EXAMPLES:
  mando merge runs/s1 runs/s2 runs/s3 runs/s4 -o runs/all")]
pub struct MergeArgs {
    /// Shard folders (written by compare or sweep with --shard).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Folder for the merged batch.
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Print nothing (the tables are still written).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// How to print the result on standard output.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: MergeArgs) -> u8 {
    let (mut plan, records) = match store::read_dirs(&args.dirs) {
        Ok(x) => x,
        Err(e) => return super::batch_failure(&e),
    };
    if let Some(m) = batch::missing(&plan, &records, Shard::WHOLE) {
        return super::batch_failure(&BatchError::Incomplete(format!(
            "the folders do not hold the whole batch: {m}; run the missing shards (or resume them) and merge again"
        )));
    }
    plan.shard = Shard::WHOLE;
    // The merged folder is a batch folder like any other: its log and plan
    // let it be read, merged or resumed again.
    let write = || -> Result<(), BatchError> {
        let (mut s, done) = store::Store::open(&args.out, &plan)?;
        for r in records.values().filter(|r| !done.contains_key(&r.run)) {
            s.append(r)?;
        }
        s.sync()
    };
    if let Err(e) = write() {
        return super::batch_failure(&e);
    }
    super::compare::finish(&plan, &records, Some(0), &args.out, args.quiet, args.format)
}
