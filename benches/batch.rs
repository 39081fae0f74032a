//! Batches of many small runs: `batch/<n>_runs/<threads>t` runs n runs of
//! `epstein_classic` (200 ticks each) through the batch executor on 1 and
//! 2 worker threads (throughput in runs); `batch/run_200_ticks` is one such
//! run alone, and `batch/overhead_per_run` is everything a batch adds to a
//! run: cloning its scenario, building the world, flattening its metrics,
//! appending it to the log and its share of the CSV and Parquet tables.
//! Run: `cargo bench --bench batch`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mando::batch::{self, BatchPlan, Condition, RunSpec, Shard, exec, plan, store, table};
use mando::runner;
use mando::scenario::{self, Override, Scenario};
use mando::sim::{Sim, SimOptions};

const TICKS: u32 = 200;
const RUNS: usize = 64;

fn scenario() -> Scenario {
    let o = Override { path: "metadata.ticks".into(), value: TICKS.to_string(), written_as: None };
    scenario::load_default(&[o]).expect("default scenario")
}

fn plan_for(runs: usize) -> BatchPlan {
    BatchPlan {
        mando_version: "bench".into(),
        kind: "sweep".into(),
        scenario: "epstein_classic.ron".into(),
        scenario_name: "epstein_classic".into(),
        fingerprint: "bench".into(),
        base: String::new(),
        parameters: vec![],
        conditions: vec![Condition { values: vec![] }],
        replications: runs,
        seed: 1,
        runs_total: runs,
        shard: Shard::WHOLE,
        baseline: None,
    }
}

fn bench(c: &mut Criterion) {
    let s = scenario();
    let scenarios = vec![s.clone()];
    let runs: Vec<RunSpec> = plan::runs(1, RUNS, 1);
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);

    group.bench_function("run_200_ticks", |b| {
        b.iter(|| runner::run(&s, SimOptions::default(), None, |_| {}).expect("run"))
    });

    for threads in [1usize, 2] {
        group.throughput(Throughput::Elements(RUNS as u64));
        group.bench_with_input(BenchmarkId::new(format!("{RUNS}_runs"), format!("{threads}t")), &threads, |b, &t| {
            b.iter(|| {
                let mut n = 0;
                exec::execute(&scenarios, &runs, t, |_| {
                    n += 1;
                    Ok(())
                })
                .expect("batch");
                n
            })
        });
    }
    group.throughput(Throughput::Elements(1));

    // What a batch adds to one run, the simulation's ticks left out.
    let report = runner::run(&s, SimOptions::default(), None, |_| {}).expect("run");
    let dir: PathBuf = std::env::temp_dir().join(format!("mando-bench-batch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let p = plan_for(1_000_000);
    let (mut log, _) = store::Store::open(&dir, &p).expect("store");
    let records: BTreeMap<usize, batch::RunRecord> =
        runs.iter().map(|r| (r.index, exec::record_of(r, &report))).collect();
    let mut i = 0usize;
    group.bench_function("overhead_per_run", |b| {
        b.iter(|| {
            let mut sc = scenarios[0].clone();
            sc.metadata.seed = i as u64;
            let sim = Sim::new(&sc, SimOptions::default()).expect("world");
            let spec = RunSpec { index: i, condition: 0, replication: i, seed: i as u64 };
            i += 1;
            let record = exec::record_of(&spec, &report);
            log.append(&record).expect("append");
            // A share of the tables of a batch of RUNS runs.
            let share = if i.is_multiple_of(RUNS) {
                let t = table::runs_table(&plan_for(RUNS), &records);
                t.to_csv().len() + t.to_parquet().expect("parquet").len()
            } else {
                0
            };
            (sim.tick(), share)
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
