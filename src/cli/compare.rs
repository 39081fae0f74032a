//! `mando compare`: one scenario under every combination of the varied
//! values, N replications each with common random numbers, summarised with
//! confidence intervals against a baseline.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Format, exit};
use crate::batch::{self, BatchInput, Condition, Shard};
use crate::scenario::Override;

#[derive(Debug, Args)]
#[command(after_help = "EXAMPLES:
  mando compare scenarios/mining_corridor_blockade.ron --vary command.model=pnp_lead,ffaa_control,unified,parallel --reps 20
  mando compare scenarios/substation_under_threat.ron --vary decide.platoon_fire=hold,withdraw,act_alone --reps 30 -o runs/fire
  mando compare scenarios/mining_corridor_blockade.ron --vary command.model=pnp_lead,parallel --reps 40 --shard 2/4 -o runs/s2
  mando compare ... again with the same arguments: resumes where it stopped")]
pub struct CompareArgs {
    /// Scenario file (RON).
    pub file: PathBuf,
    /// A parameter and its values, e.g. command.model=pnp_lead,unified,parallel.
    /// Repeatable: every combination of the values is a condition.
    #[arg(long = "vary", value_name = "PATH=V1,V2,...", required = true)]
    pub vary: Vec<String>,
    /// Replications per condition.
    #[arg(long, default_value_t = 10)]
    pub reps: usize,
    /// Master seed of the replications [default: the scenario's metadata.seed].
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Number of ticks of every run (overrides metadata.ticks).
    #[arg(long, allow_hyphen_values = true, value_parser = super::ticks_arg)]
    pub ticks: Option<u32>,
    /// Override a field for every run, e.g. civilians.legitimacy=0.7. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Take this choice at a decision point in every run, e.g.
    /// platoon_fire=withdraw (vary it with --vary decide.NAME=A,B).
    #[arg(long = "decide", value_name = "NAME=CHOICE")]
    pub decides: Vec<String>,
    /// The baseline condition, by its values (e.g. command.model=pnp_lead)
    /// [default: the first value of each --vary].
    #[arg(long, value_name = "PATH=VALUE,...")]
    pub baseline: Option<String>,
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// Where and how a batch runs: shared by `compare` and `sweep`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Output folder [default: runs/<verb>-<scenario>-<seed>-<8 hex>/, the
    /// hex a fingerprint of the settings but the replications and the varied
    /// values; a larger batch of the same settings grows the folder].
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Worker threads: runs go in parallel, one per thread [default: all cores].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Run only the K-th of N shares of the runs (1-based), for a cluster.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Print nothing: no progress (on standard error) and no tables (on
    /// standard output). With --format json the result document is still
    /// printed.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// How to print the result on standard output.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Splits `a,b,(c, d)` on the commas outside brackets and quotes.
pub fn split_values(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quoted) = (Vec::new(), String::new(), 0i32, false);
    for ch in s.chars() {
        match ch {
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth -= 1,
            ',' if depth == 0 && !quoted => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur.trim().to_string());
    out
}

/// The conditions of `--vary` arguments: their cartesian product, first
/// parameter slowest; or one message per bad argument.
pub fn conditions(vary: &[String]) -> Result<(Vec<String>, Vec<Condition>), Vec<String>> {
    let mut problems = Vec::new();
    let mut params: Vec<(String, Vec<String>)> = Vec::new();
    for v in vary {
        match Override::parse(v) {
            Ok(o) => {
                let values = split_values(&o.value);
                let twice = values.iter().enumerate().find(|(i, x)| values[..*i].contains(x)).map(|(_, x)| x);
                if values.iter().any(String::is_empty) {
                    problems.push(format!("--vary {v}: expected PATH=V1,V2,... with no empty value"));
                } else if let Some(x) = twice {
                    problems.push(format!("--vary {v}: `{x}` is given twice (two conditions would be the same)"));
                } else if params.iter().any(|(p, _)| *p == o.path) {
                    problems.push(format!("--vary {v}: `{}` is varied twice", o.path));
                } else {
                    params.push((o.path, values));
                }
            }
            Err(m) => problems.push(format!("--vary {v}: {m}")),
        }
    }
    let count = params.iter().try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()));
    if count.is_none_or(|n| n > batch::plan::MAX_CONDITIONS) {
        problems.push(format!("--vary: more than {} conditions: split the comparison", batch::plan::MAX_CONDITIONS));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut conds = vec![Condition { values: Vec::new() }];
    for (p, values) in &params {
        conds = conds
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.values.push((p.clone(), v.clone()));
                    c
                })
            })
            .collect();
    }
    Ok((params.into_iter().map(|(p, _)| p).collect(), conds))
}

/// The condition whose values include every `PATH=VALUE` of `spec`.
fn baseline_of(spec: &str, conds: &[Condition]) -> Result<usize, String> {
    let wanted: Vec<(String, String)> = split_values(spec)
        .iter()
        .map(|kv| Override::parse(kv).map(|o| (o.path, o.value)))
        .collect::<Result<_, _>>()
        .map_err(|m| format!("--baseline {spec}: {m}"))?;
    let matches: Vec<usize> =
        (0..conds.len()).filter(|&i| wanted.iter().all(|w| conds[i].values.contains(w))).collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("--baseline {spec}: no condition has these values")),
        _ => Err(format!("--baseline {spec}: {} conditions match; name a value of every --vary", matches.len())),
    }
}

pub fn run(args: CompareArgs) -> u8 {
    let (parameters, conds) = match conditions(&args.vary) {
        Ok(x) => x,
        Err(problems) => {
            for p in problems {
                super::fail("command_line", &p);
            }
            return exit::BAD_INPUT;
        }
    };
    let baseline = match args.baseline.as_deref().map(|b| baseline_of(b, &conds)).transpose() {
        Ok(b) => b,
        Err(m) => {
            super::fail("command_line", &m);
            return exit::BAD_INPUT;
        }
    };
    let Some(mut common) = super::common_overrides(&args.sets, args.ticks) else { return exit::BAD_INPUT };
    let Some(decides) = super::decide_overrides(&args.decides) else { return exit::BAD_INPUT };
    common.extend(decides);
    let Some((threads, shard)) = super::threads_and_shard(args.batch.threads, args.batch.shard.as_deref(), args.reps)
    else {
        return exit::BAD_INPUT;
    };
    let written_as = |_: usize, p: &str, v: &str| format!("--vary {p}={v}");
    let input = BatchInput {
        kind: "compare",
        scenario_path: &args.file,
        common,
        parameters,
        conditions: conds,
        written_as: &written_as,
        replications: args.reps,
        seed: args.seed,
        shard,
        baseline,
    };
    execute(input, args.batch, threads, "compare")
}

/// Prepares, runs and writes a batch; prints what a person or a script
/// needs. Shared by `compare` and `sweep`.
pub(super) fn execute(input: BatchInput<'_>, args: BatchArgs, threads: usize, verb: &str) -> u8 {
    let BatchArgs { out, quiet, format, .. } = args;
    crate::base::interrupt::install();
    let batch = match batch::prepare(input) {
        Ok(b) => b,
        Err(e) => return super::batch_failure(&e),
    };
    let p = &batch.plan;
    if !(0..p.runs_total).any(|i| p.shard.takes(i)) {
        super::fail(
            "bad_input",
            &format!(
                "shard {} has no runs: the {verb} has {} runs, so only the first {} of {} shards get any",
                p.shard,
                p.runs_total,
                p.runs_total.min(p.shard.n),
                p.shard.n
            ),
        );
        return exit::BAD_INPUT;
    }
    let out = out.unwrap_or_else(|| {
        // The base fingerprint tells batches of other settings apart, and
        // lets a larger batch of the same settings grow this one.
        let mut name = format!("{verb}-{}-{}-{}", super::file_safe(&p.scenario_name), p.seed, &p.base[..8]);
        if p.shard != Shard::WHOLE {
            name.push_str(&format!("-shard{}of{}", p.shard.k, p.shard.n));
        }
        PathBuf::from("runs").join(name)
    });
    let progress = super::progress::Progress::new(0, "run", quiet);
    let records = batch::run(&batch, &out, threads, progress.bar());
    progress.finish();
    let (records, ran) = match records {
        Ok(r) => r,
        Err(e) => return super::batch_failure(&e),
    };
    finish(p, &records, Some(ran), &out, quiet, format)
}

/// Writes the tables (and summary) and prints them.
pub(super) fn finish(
    plan: &batch::BatchPlan,
    records: &std::collections::BTreeMap<usize, batch::RunRecord>,
    ran: Option<usize>,
    out: &Path,
    quiet: bool,
    format: Format,
) -> u8 {
    let (files, summary) = match batch::write_outputs(plan, records, out) {
        Ok(x) => x,
        Err(e) => return super::batch_failure(&e),
    };
    let whole = batch::missing(plan, records, Shard::WHOLE).is_none();
    match format {
        Format::Json => {
            let doc = serde_json::json!({
                "kind": plan.kind,
                "scenario": plan.scenario_name,
                "fingerprint": plan.fingerprint,
                "runs": records.len(),
                // Run by this command (the rest were in the folder already).
                "ran": ran,
                "runs_total": plan.runs_total,
                // The whole batch; a shard's own runs are `shard_complete`.
                "complete": whole,
                "shard": plan.shard.to_string(),
                "shard_complete": batch::missing(plan, records, plan.shard).is_none(),
                "out": out.display().to_string(),
                "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "summary": summary,
            });
            say!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Text if !quiet => {
            if let Some(s) = &summary {
                say!("{}", s.to_markdown());
            }
            say!(
                "{} of {} runs in {}{}",
                records.len(),
                plan.runs_total,
                out.display(),
                if whole { String::new() } else { format!(" (shard {}; `mando merge` joins the shards)", plan.shard) }
            );
        }
        Format::Text => {}
    }
    exit::OK
}
