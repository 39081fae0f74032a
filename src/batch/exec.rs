//! Runs a list of batch runs on worker threads, one simulation per thread
//! at a time, and hands each finished run to the caller in the order they
//! finish. Which thread ran what never shows in a result: each run is
//! decided by its scenario and seed alone, and outputs are sorted by index.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use serde_json::Value;

use super::BatchError;
use super::plan::RunSpec;
use super::store::RunRecord;
use crate::runner::{self, RunReport};
use crate::scenario::Scenario;
use crate::sim::SimOptions;

/// Runs `todo` (scenarios by condition) on `threads` workers, calling
/// `finished` on this thread for each; stops at the first error.
pub fn execute(
    scenarios: &[Scenario],
    todo: &[RunSpec],
    threads: usize,
    mut finished: impl FnMut(RunRecord) -> Result<(), BatchError>,
) -> Result<(), BatchError> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<Result<RunRecord, BatchError>>();
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, todo.len().max(1)) {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(spec) = todo.get(i) else { break };
                    let mut scenario = scenarios[spec.condition].clone();
                    scenario.metadata.seed = spec.seed;
                    // Each worker runs its simulation serially: across runs
                    // the cores are already busy.
                    let result = runner::run(&scenario, SimOptions::default(), None, |_| {})
                        .map(|report| record_of(spec, &report))
                        .map_err(BatchError::from);
                    if tx.send(result).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for result in rx {
            if let Err(e) = result.and_then(&mut finished) {
                stop.store(true, Ordering::Relaxed);
                return Err(e);
            }
        }
        Ok(())
    })
}

/// The record of one run: every metric leaf by path, and the headline's
/// (`headline.deaths`, …; `docs/sweeps.md`).
pub fn record_of(spec: &RunSpec, report: &RunReport) -> RunRecord {
    let mut metrics = BTreeMap::new();
    if let Ok(v) = serde_json::to_value(&report.metrics) {
        flatten(&v, "", &mut metrics);
    }
    if let Ok(v) = serde_json::to_value(&report.headline) {
        flatten(&v, "headline", &mut metrics);
    }
    RunRecord {
        run: spec.index,
        condition: spec.condition,
        replication: spec.replication,
        seed: spec.seed,
        metrics,
        final_state_hash: report.final_state_hash.clone(),
    }
}

/// Leaves of a JSON value by dotted path (`operation.zones[0].renewals`).
pub fn flatten(v: &Value, prefix: &str, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(x, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(x, &format!("{prefix}[{i}]"), out);
            }
        }
        // A yes or no is a 1 or 0 to the statistics.
        Value::Bool(b) => {
            out.insert(prefix.to_string(), (*b as u8).into());
        }
        leaf => {
            out.insert(prefix.to_string(), leaf.clone());
        }
    }
}
