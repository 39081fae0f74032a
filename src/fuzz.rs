//! What the fuzz targets check (`fuzz/`, docs/reliability.md), here so that
//! the crash inputs they found replay in `cargo test` through the very same
//! code (tests/mando/fuzz.rs). Each function takes any bytes; bad input is
//! refused with an error, and every assertion below is a property of the
//! reader, so a panic is a bug.

use std::path::PathBuf;

use crate::batch::plan::{Condition, Shard};
use crate::batch::{self, BatchPlan, grow, store, summary, table};
use crate::scenario::{self, Override};

/// The scenario parser and validator on any text: a scenario loads, or
/// every problem is reported, each message of bounded length (the bad input
/// is echoed only as a short excerpt).
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match scenario::load_str("fuzz.ron", text, &[]) {
        Ok(s) => assert!(s.metadata.ticks >= 1, "a loaded scenario runs at least one tick"),
        Err(e) => {
            let problems = e.diagnostics();
            assert!(!problems.is_empty(), "an error with no problem in it");
            for p in problems {
                assert!(p.to_string().len() < 2_000, "an overlong message: {p}");
            }
        }
    }
}

/// `--set` and `--vary` values on the built-in default scenario, one
/// argument per line (at most 8): the `--set`s that parse are applied
/// together; all the lines as `--vary`s are expanded into conditions and the
/// scenario is loaded under the first.
pub fn overrides(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines: Vec<String> = text.lines().take(8).map(String::from).collect();
    let sets: Vec<Override> = lines.iter().filter_map(|l| Override::parse(l).ok()).collect();
    if let Err(e) = scenario::load_default(&sets) {
        assert!(!e.diagnostics().is_empty(), "an error with no problem in it");
    }
    if let Ok((params, conditions)) = crate::cli::vary_conditions(&lines) {
        assert_eq!(params.len(), lines.len(), "one varied path per --vary");
        assert!(!conditions.is_empty() && conditions.iter().all(|c| c.values.len() == params.len()));
        let first: Vec<Override> = conditions[0]
            .values
            .iter()
            .map(|(p, v)| Override { path: p.clone(), value: v.clone(), written_as: None })
            .collect();
        let _ = scenario::load_default(&first);
    }
}

/// A sweep spec on any text, read as if from `scenarios/sweeps/`: checked,
/// its design expanded, and a small design prepared (the scenario loaded
/// and checked under every point).
pub fn sweep_spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps/fuzz.ron");
    let Ok(sweep) = batch::design::parse(&spec, text) else { return };
    assert!(!sweep.conditions.is_empty() && sweep.replications >= 1);
    // Each point sets each path once. (Two equal points are refused in a
    // grid or a list; a hypercube over few whole numbers repeats some by
    // design, docs/sweeps.md.)
    for c in &sweep.conditions {
        let paths: std::collections::BTreeSet<&String> = c.values.iter().map(|(p, _)| p).collect();
        assert_eq!(paths.len(), c.values.len(), "a path set twice in {}", c.label());
    }
    if sweep.conditions.len() <= 4 {
        let written_as = |c: usize, p: &str, v: &str| sweep.written_as(c, p, v);
        if let Ok(b) = batch::prepare(sweep.input(&written_as, Shard::WHOLE)) {
            assert_eq!(b.plan.runs_total, b.plan.conditions.len() * b.plan.replications);
        }
    }
}

/// A small valid plan: the batch a log without its own plan is read under.
fn small_plan() -> BatchPlan {
    let condition = |v: &str| Condition { values: vec![("command.model".into(), v.into())] };
    BatchPlan {
        mando_version: "fuzz".into(),
        kind: "compare".into(),
        scenario: "s.ron".into(),
        scenario_name: "s".into(),
        fingerprint: "f".into(),
        base: "b".into(),
        parameters: vec!["command.model".into()],
        conditions: vec![condition("pnp_lead"), condition("parallel")],
        replications: 2,
        seed: 1,
        runs_total: 4,
        shard: Shard::WHOLE,
        baseline: Some(0),
    }
}

/// The batch folder reader: a `batch.json` and a `runs.jsonl` split at the
/// first NUL byte (without one, the whole input is the log of a small valid
/// plan). A plan that reads is checked as the growth of the small one; a log
/// that reads becomes the runs table and, when complete, the summary, as
/// `mando merge` would make them.
pub fn batch_folder(data: &[u8]) {
    let (plan, log) = match data.iter().position(|&b| b == 0) {
        Some(i) => (store::parse_plan(&data[..i]).ok(), &data[i + 1..]),
        None => (None, data),
    };
    let plan = plan.unwrap_or_else(small_plan);
    if let Ok(map) = grow::mapping(&small_plan(), &plan) {
        assert_eq!(map.len(), 4);
        assert!(map.iter().flatten().all(|&i| i < plan.runs_total && plan.shard.takes(i)));
    }
    let Ok((records, good)) = store::parse_log(log, &plan) else { return };
    assert!(good as usize <= log.len());
    assert!(records.iter().all(|(&i, r)| i == r.run && i < plan.runs_total && plan.shard.takes(i)));
    let t = table::runs_table(&plan, &records);
    let _ = t.to_csv();
    if batch::missing(&plan, &records, Shard::WHOLE).is_none() && plan.runs_total <= 1_000 {
        let _ = summary::compare(&plan, &t).to_csv();
    }
}
