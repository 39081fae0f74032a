//! Growing a batch in its folder: more replications, or more values of a
//! varied parameter, when everything else is the same.
//!
//! *Pattern:* runs are identified by what they are (their condition's
//! values and their replication), not by their position; positions are
//! recomputed for the larger plan and the log rewritten under them.
//! *Reasoning:* a run's seed depends only on the master seed and its
//! replication (common random numbers, [`super::plan`]), so a finished run
//! of the small batch is, byte for byte, the same run of the large one. The
//! grown folder then holds exactly what a batch asked for the larger size
//! from the start would hold, and only the missing runs are run.
//!
//! *Crash safety:* the new log is written whole to a side file named after
//! the new plan's fingerprint, then the new plan, then the log rewritten in
//! place (the lock stays on the same file). A kill between any two steps is
//! repaired when the folder is opened next: a side file matching the plan in
//! force is copied in, any other is dropped.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::BatchError;
use super::store::{BatchPlan, PLAN_FILE, RunRecord, write_atomic};

const SIDE_PREFIX: &str = ".runs.grow-";

fn side_file(dir: &Path, fingerprint: &str) -> PathBuf {
    dir.join(format!("{SIDE_PREFIX}{fingerprint}.jsonl"))
}

/// The index in `new` of each run of `old` (`None` for a run that another
/// shard of `new` takes), if `new` grows `old`; otherwise why not.
pub fn mapping(old: &BatchPlan, new: &BatchPlan) -> Result<Vec<Option<usize>>, String> {
    if old.base.is_empty() || old.base != new.base {
        return Err("another scenario, build, seed, --set or varied parameter".into());
    }
    if old.shard != new.shard {
        return Err(format!("shard {}, not shard {}", old.shard, new.shard));
    }
    if new.replications < old.replications {
        return Err(format!(
            "{} replications, more than the {} asked (a batch grows, it does not shrink)",
            old.replications, new.replications
        ));
    }
    // By value, in one pass: a sweep may have 100,000 points.
    let mut position: std::collections::HashMap<&[(String, String)], usize> = std::collections::HashMap::new();
    for (i, c) in new.conditions.iter().enumerate() {
        position.entry(c.values.as_slice()).or_insert(i);
    }
    let mut to_new = Vec::with_capacity(old.conditions.len());
    let mut lacking = Vec::new();
    for c in &old.conditions {
        match position.get(c.values.as_slice()).copied() {
            Some(i) => to_new.push(i),
            None => lacking.push(c.label()),
        }
    }
    if !lacking.is_empty() {
        let shown: Vec<String> = lacking.iter().take(3).cloned().collect();
        return Err(format!(
            "{} condition(s) not asked for now ({}{}): ask for them too to grow it",
            lacking.len(),
            shown.join("; "),
            if lacking.len() > 3 { "; …" } else { "" }
        ));
    }
    let old_reps = old.replications;
    Ok((0..old.runs_total)
        .map(|i| {
            let index = to_new[i / old_reps] * new.replications + i % old_reps;
            new.shard.takes(index).then_some(index)
        })
        .collect())
}

/// Rewrites the folder's log and plan from `old` to `new` (the runs in
/// `done`, read under `old`); returns the runs under their new indices.
pub fn grow(
    dir: &Path,
    log: &mut File,
    old: &BatchPlan,
    new: &BatchPlan,
    done: BTreeMap<usize, RunRecord>,
    map: &[Option<usize>],
) -> Result<BTreeMap<usize, RunRecord>, BatchError> {
    let io = |e: io::Error| BatchError::Io { path: dir.display().to_string(), source: e };
    let mut grown = BTreeMap::new();
    for (i, mut r) in done {
        if let Some(index) = map.get(i).copied().flatten() {
            r.run = index;
            r.condition = index / new.replications;
            grown.insert(index, r);
        }
    }
    debug_assert!(grown.values().all(|r| r.replication < old.replications));
    let mut text = Vec::new();
    for r in grown.values() {
        serde_json::to_writer(&mut text, r).map_err(|e| io(io::Error::other(e)))?;
        text.push(b'\n');
    }
    let side = side_file(dir, &new.fingerprint);
    write_atomic(&side, &text).map_err(io)?;
    let plan = serde_json::to_vec_pretty(new).map_err(|e| io(io::Error::other(e)))?;
    write_atomic(&dir.join(PLAN_FILE), &plan).map_err(io)?;
    replace_log(log, &text).map_err(io)?;
    fs::remove_file(&side).map_err(io)?;
    Ok(grown)
}

/// Finishes or drops a growth a kill interrupted: the side file of the plan
/// in force becomes the log; any other side file is stale.
pub fn recover(dir: &Path, log: &mut File, plan: &BatchPlan) -> Result<(), BatchError> {
    let io = |e: io::Error| BatchError::Io { path: dir.display().to_string(), source: e };
    for entry in fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let Some(fingerprint) = name.strip_prefix(SIDE_PREFIX).and_then(|n| n.strip_suffix(".jsonl")) else {
            continue;
        };
        if fingerprint == plan.fingerprint {
            let text = fs::read(&path).map_err(io)?;
            replace_log(log, &text).map_err(io)?;
        }
        fs::remove_file(&path).map_err(io)?;
    }
    Ok(())
}

/// Replaces the whole content of the (locked, append-mode) log.
fn replace_log(log: &mut File, text: &[u8]) -> io::Result<()> {
    log.set_len(0)?;
    log.seek(SeekFrom::Start(0))?;
    log.write_all(text)?;
    log.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::plan::{Condition, Shard, replication_seed, runs};
    use crate::batch::store::{LOG_FILE, Store, read_plan};

    fn plan(values: &[&str], reps: usize) -> BatchPlan {
        let conditions: Vec<Condition> =
            values.iter().map(|v| Condition { values: vec![("command.model".into(), v.to_string())] }).collect();
        BatchPlan {
            mando_version: "test".into(),
            kind: "compare".into(),
            scenario: "s.ron".into(),
            scenario_name: "s".into(),
            fingerprint: format!("{values:?}x{reps}"),
            base: "b".into(),
            parameters: vec!["command.model".into()],
            runs_total: conditions.len() * reps,
            conditions,
            replications: reps,
            seed: 7,
            shard: Shard::WHOLE,
            baseline: None,
        }
    }

    /// What a run of `p` records: its outcome depends on its condition's
    /// value and its replication only, as a real run's does.
    fn record(p: &BatchPlan, index: usize) -> RunRecord {
        let (c, r) = (index / p.replications, index % p.replications);
        let value = &p.conditions[c].values[0].1;
        RunRecord {
            run: index,
            condition: c,
            replication: r,
            seed: replication_seed(p.seed, r),
            metrics: BTreeMap::from([("outcome".to_string(), serde_json::json!(format!("{value}/{r}")))]),
            final_state_hash: format!("{value}{r}"),
        }
    }

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("mando-grow-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    /// Opens `p` in `d` and records every run it lacks; returns the log.
    fn finish(d: &Path, p: &BatchPlan) -> BTreeMap<usize, RunRecord> {
        let (mut store, mut done) = Store::open(d, p).unwrap();
        for spec in runs(p.conditions.len(), p.replications, p.seed) {
            if !done.contains_key(&spec.index) && p.shard.takes(spec.index) {
                let r = record(p, spec.index);
                store.append(&r).unwrap();
                done.insert(spec.index, r);
            }
        }
        store.sync().unwrap();
        done
    }

    #[test]
    fn a_grown_batch_holds_what_the_larger_batch_would() {
        let small = plan(&["a", "b"], 2);
        let large = plan(&["c", "a", "b"], 5);
        let d = dir("grow");
        finish(&d, &small);
        let (store, kept) = Store::open(&d, &large).unwrap();
        drop(store);
        assert_eq!(kept.len(), 4, "the four runs of the small batch are kept");
        for (i, r) in &kept {
            assert_eq!(r, &record(&large, *i), "run {i} relabelled as the larger batch's");
        }
        assert_eq!(read_plan(&d.join(PLAN_FILE)).unwrap().unwrap(), large);
        let grown = finish(&d, &large);
        let fresh = finish(&dir("fresh"), &large);
        assert_eq!(grown, fresh);
    }

    #[test]
    fn only_a_superset_grows() {
        let small = plan(&["a", "b"], 3);
        assert!(mapping(&small, &plan(&["a", "b"], 2)).unwrap_err().contains("does not shrink"));
        assert!(mapping(&small, &plan(&["a", "c"], 3)).unwrap_err().contains("command.model=b"));
        let other = BatchPlan { base: "x".into(), ..plan(&["a", "b"], 4) };
        assert!(mapping(&small, &other).is_err());
        let old = BatchPlan { base: String::new(), ..small.clone() };
        assert!(mapping(&old, &plan(&["a", "b"], 4)).is_err(), "a folder from before growth");
        let sharded = |p: BatchPlan| BatchPlan { shard: Shard { k: 2, n: 3 }, ..p };
        let map = mapping(&sharded(small.clone()), &sharded(plan(&["a", "b"], 4))).unwrap();
        // Runs 0..6 become 0, 1, 2, 4, 5, 6; shard 2/3 takes 1 and 4 of those
        // (old run 4, now 5, goes to shard 3 and is run again there).
        assert_eq!(map, vec![None, Some(1), None, Some(4), None, None]);
    }

    #[test]
    fn a_growth_killed_midway_is_finished_or_dropped_when_reopened() {
        let small = plan(&["a", "b"], 2);
        let large = plan(&["a", "b"], 4);
        for plan_written in [false, true] {
            let d = dir(&format!("killed-{plan_written}"));
            let done = finish(&d, &small);
            // The side file is written; the kill comes before or after the plan.
            let map = mapping(&small, &large).unwrap();
            let mut text = Vec::new();
            for (i, mut r) in done {
                r.run = map[i].unwrap();
                r.condition = r.run / large.replications;
                serde_json::to_writer(&mut text, &r).unwrap();
                text.push(b'\n');
            }
            fs::write(side_file(&d, &large.fingerprint), text).unwrap();
            if plan_written {
                fs::write(d.join(PLAN_FILE), serde_json::to_vec(&large).unwrap()).unwrap();
            }
            let (store, kept) = Store::open(&d, &large).unwrap();
            drop(store);
            assert_eq!(kept.len(), 4, "plan written: {plan_written}");
            assert!(kept.iter().all(|(i, r)| r == &record(&large, *i)));
            assert!(!side_file(&d, &large.fingerprint).exists());
            assert_eq!(fs::read_to_string(d.join(LOG_FILE)).unwrap().lines().count(), 4);
        }
    }
}
