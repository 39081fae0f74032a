//! Many runs of one scenario: comparisons of conditions with common random
//! numbers (`mando compare`), parameter sweeps (`mando sweep`), shards and
//! their merge. Every batch keeps a durable log in its folder, so a killed
//! batch picks up where it stopped.
//!
//! Data flows one way: a [`Batch`] (plan + one checked scenario per
//! condition) → [`exec`] runs it on all cores into the [`store`] → [`table`]
//! writes `runs.csv` / `runs.parquet` → [`summary`] describes conditions.

pub mod design;
pub mod exec;
pub mod grow;
pub mod plan;
pub mod stats;
pub mod store;
pub mod summary;
pub mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::scenario::{self, Diagnostic, Override, Scenario, ScenarioError};
pub use plan::{Condition, RunSpec, Shard};
pub use store::{BatchPlan, RunRecord};

/// Why a batch could not run or be merged.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{}", render(.0))]
    Spec(Vec<Diagnostic>),
    #[error(
        "{dir} holds another batch ({found}), not this one ({wanted}): it holds {why}; use another --out or remove the folder"
    )]
    OtherBatch { dir: String, found: String, wanted: String, why: String },
    #[error("{path}: {problem}")]
    Corrupt { path: String, problem: String },
    #[error("{0}")]
    Incomplete(String),
    #[error("another mando is running the batch in {0}: wait for it, or use another --out")]
    Busy(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{0} is not a batch folder (no batch.json): give the folders that compare or sweep wrote")]
    NotABatch(String),
    #[error("{0} does not exist: give the folders that compare or sweep wrote")]
    Missing(String),
    #[error("a run failed: {0}")]
    Run(#[from] crate::runner::RunError),
}

impl BatchError {
    /// Exit code: bad input (2) or failure while running (1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            BatchError::Scenario(_)
                | BatchError::Spec(_)
                | BatchError::OtherBatch { .. }
                | BatchError::Incomplete(_)
                | BatchError::NotABatch(_)
                | BatchError::Missing(_)
                | BatchError::Corrupt { .. }
                | BatchError::Busy(_)
        )
    }
}

fn render(problems: &[Diagnostic]) -> String {
    problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n")
}

/// Problems reported at most for one batch.
const MAX_PROBLEMS: usize = 50;

/// A checked batch: its plan and one scenario per condition.
pub struct Batch {
    pub plan: BatchPlan,
    pub scenarios: Vec<Scenario>,
}

/// What a batch is made of, before it is checked.
pub struct BatchInput<'a> {
    pub kind: &'a str,
    pub scenario_path: &'a Path,
    /// Overrides for every run (`--set`, `--ticks`).
    pub common: Vec<Override>,
    pub parameters: Vec<String>,
    pub conditions: Vec<Condition>,
    /// How each condition's value is named in messages: `(condition, path)`
    /// → the argument or spec place that wrote it.
    pub written_as: &'a dyn Fn(usize, &str, &str) -> String,
    pub replications: usize,
    pub seed: Option<u64>,
    pub shard: Shard,
    pub baseline: Option<usize>,
}

/// Loads the scenario under every condition and checks all of them,
/// reporting every problem at once (each distinct one once).
pub fn prepare(input: BatchInput<'_>) -> Result<Batch, BatchError> {
    let path = input.scenario_path;
    let mut problems: Vec<Diagnostic> = Vec::new();
    let argument = |c: usize, p: &str, v: &str| scenario::Origin::Override { argument: (input.written_as)(c, p, v) };
    match input.conditions.len().checked_mul(input.replications) {
        Some(n) if n <= plan::MAX_RUNS => {}
        _ => problems.push(Diagnostic {
            origin: scenario::Origin::Override { argument: format!("{} replications", input.replications) },
            field: String::new(),
            message: format!(
                "{} conditions × {} replications is more than {} runs: split the batch",
                input.conditions.len(),
                input.replications,
                plan::MAX_RUNS
            ),
        }),
    }
    // The replication decides the seed: varying it would make every
    // condition the same runs.
    let seeds = input
        .common
        .iter()
        .filter(|o| o.path == "metadata.seed")
        .map(|o| scenario::Origin::Override { argument: o.argument() });
    let varied = input.conditions.iter().enumerate().flat_map(|(c, cond)| {
        cond.values.iter().filter(|(p, _)| p == "metadata.seed").map(move |(p, v)| argument(c, p, v))
    });
    for origin in seeds.chain(varied).take(1) {
        problems.push(Diagnostic {
            origin,
            field: "metadata.seed".into(),
            message: "a batch sets each run's seed from its replication: give the master seed with --seed (or `seed:` in a sweep spec)".into(),
        });
    }
    if input.conditions.is_empty() {
        return Err(BatchError::Incomplete("the batch has no conditions".into()));
    }
    if !problems.is_empty() {
        return Err(ScenarioError::Invalid(problems).into());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|source| ScenarioError::Io { path: path.display().to_string(), source })?;
    let mut scenarios = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (c, cond) in input.conditions.iter().enumerate() {
        let mut overrides = input.common.clone();
        for (p, v) in &cond.values {
            overrides.push(Override {
                path: p.clone(),
                value: v.clone(),
                written_as: Some((input.written_as)(c, p, v)),
            });
        }
        match scenario::load_str(&path.display().to_string(), &text, &overrides) {
            Ok(s) => scenarios.push(s),
            Err(e) => {
                for d in e.diagnostics() {
                    if seen.insert(d.to_string()) {
                        problems.push(d);
                    }
                }
                // The same mistake under many conditions: enough to fix it.
                if problems.len() >= MAX_PROBLEMS {
                    break;
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(ScenarioError::Invalid(problems).into());
    }
    let first = &scenarios[0];
    let seed = input.seed.unwrap_or(first.metadata.seed);
    let settings = serde_json::json!({
        "kind": input.kind,
        "common": input.common.iter().map(|o| (o.path.clone(), o.value.clone())).collect::<Vec<_>>(),
        "parameters": input.parameters,
        "seed": seed,
    })
    .to_string();
    let size = serde_json::json!({ "conditions": input.conditions, "replications": input.replications }).to_string();
    // The build's own source is part of what decides the results.
    let build = env!("MANDO_SOURCE_HASH");
    let base = store::fingerprint(&[build.as_bytes(), text.as_bytes(), settings.as_bytes()]);
    let fingerprint = store::fingerprint(&[base.as_bytes(), size.as_bytes()]);
    let plan = BatchPlan {
        mando_version: env!("CARGO_PKG_VERSION").to_string(),
        kind: input.kind.to_string(),
        scenario: path.display().to_string(),
        scenario_name: first.metadata.name.clone(),
        fingerprint,
        base,
        parameters: input.parameters,
        runs_total: input.conditions.len() * input.replications,
        conditions: input.conditions,
        replications: input.replications,
        seed,
        shard: input.shard,
        baseline: input.baseline,
    };
    Ok(Batch { plan, scenarios })
}

/// Runs what is left of `batch` in `dir` (its shard, less what the log
/// already holds, grown into this batch if it was a smaller one) on
/// `threads` workers. Returns every finished run of the shard, by index, and
/// how many of them this call ran.
pub fn run(
    batch: &Batch,
    dir: &Path,
    threads: usize,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<(BTreeMap<usize, RunRecord>, usize), BatchError> {
    let (mut store, mut done) = store::Store::open(dir, &batch.plan)?;
    let p = &batch.plan;
    let todo: Vec<RunSpec> = plan::runs(p.conditions.len(), p.replications, p.seed)
        .into_iter()
        .filter(|r| p.shard.takes(r.index) && !done.contains_key(&r.index))
        .collect();
    if let Some(bar) = progress {
        bar.set_length((todo.len() + done.len()) as u64);
        bar.set_position(done.len() as u64);
        bar.reset_eta();
    }
    let result = exec::execute(&batch.scenarios, &todo, threads, |record| {
        store.append(&record)?;
        done.insert(record.run, record);
        if let Some(bar) = progress {
            bar.inc(1);
        }
        Ok(())
    });
    store.sync()?;
    result?;
    Ok((done, todo.len()))
}

/// The runs of `plan` that `records` lacks, as a message; `None` if complete.
pub fn missing(plan: &BatchPlan, records: &BTreeMap<usize, RunRecord>, shard: Shard) -> Option<String> {
    let lacking: Vec<usize> = (0..plan.runs_total).filter(|i| shard.takes(*i) && !records.contains_key(i)).collect();
    (!lacking.is_empty()).then(|| {
        let shown: Vec<String> = lacking.iter().take(10).map(|i| i.to_string()).collect();
        format!(
            "{} of {} runs are missing (runs {}{})",
            lacking.len(),
            plan.runs_total,
            shown.join(", "),
            if lacking.len() > 10 { ", …" } else { "" }
        )
    })
}

/// Writes `runs.csv` and `runs.parquet` for `records` into `dir`, and for a
/// whole comparison `summary.{csv,json,md}`. Returns the compare summary
/// when one was written.
pub fn write_outputs(
    plan: &BatchPlan,
    records: &BTreeMap<usize, RunRecord>,
    dir: &Path,
) -> Result<(Vec<PathBuf>, Option<summary::CompareSummary>), BatchError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| BatchError::Io { path: path.clone(), source }
    };
    let t = table::runs_table(plan, records);
    let mut written = Vec::new();
    let csv = dir.join("runs.csv");
    store::write_atomic(&csv, t.to_csv().as_bytes()).map_err(io(&csv))?;
    written.push(csv);
    let pq = dir.join("runs.parquet");
    let bytes = t
        .to_parquet()
        .map_err(|e| BatchError::Io { path: pq.display().to_string(), source: std::io::Error::other(e) })?;
    store::write_atomic(&pq, &bytes).map_err(io(&pq))?;
    written.push(pq);
    let whole = missing(plan, records, Shard::WHOLE).is_none();
    // Per condition (a sweep's design point): mean, sd, CI of each metric.
    if whole {
        let s = summary::compare(plan, &t);
        for (name, bytes) in [
            ("summary.csv", s.to_csv().into_bytes()),
            ("summary.json", serde_json::to_vec_pretty(&s).unwrap_or_default()),
            ("summary.md", s.to_markdown().into_bytes()),
        ] {
            let path = dir.join(name);
            store::write_atomic(&path, &bytes).map_err(io(&path))?;
            written.push(path);
        }
        return Ok((written, Some(s)));
    }
    Ok((written, None))
}
