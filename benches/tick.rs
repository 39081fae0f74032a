//! One tick of the simulation at growing sizes: `tick/<engine>_<threads>t/civilians_<n>`.
//!
//! Civilians at density 0.7 and officers at 0.04 on a square torus, the
//! proportions of Epstein's classic run; the world is built and run for a
//! few ticks outside the timed closure, with a fixed seed. Throughput is in
//! civilians, so criterion reports civilians per second (invert for ns per
//! civilian per tick). Run: `cargo bench --bench tick`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mando::scenario::{self, Override};
use mando::sim::{Sim, SimOptions};

fn world(civilians: u64, activation: &str, threads: usize) -> Sim {
    // Side of the square map that holds `civilians` at density 0.7.
    let side = ((civilians as f64 / 0.7).sqrt().ceil()) as u32;
    let set = |p: &str, v: String| Override { path: p.into(), value: v, written_as: None };
    let overrides = [
        set("map.width_cells", side.to_string()),
        set("map.height_cells", side.to_string()),
        set("civilians.count", civilians.to_string()),
        set("police.density", "0.04".into()),
        set("rules.activation", activation.into()),
        set("metadata.seed", "7".into()),
    ];
    let s = scenario::load_default(&overrides).expect("benchmark scenario is valid");
    // Threads used at every size, to show where they start to pay.
    let options = SimOptions { threads, parallel_from_civilians: 0, ..SimOptions::default() };
    let mut sim = Sim::new(&s, options).expect("benchmark world builds");
    for _ in 0..5 {
        sim.step();
    }
    sim.drain_arrests();
    sim
}

fn tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("tick");
    let cases: &[(&str, usize, &[u64])] = &[
        ("synchronous", 1, &[10_000, 100_000, 1_000_000]),
        ("synchronous", 2, &[10_000, 100_000, 1_000_000]),
        ("sequential", 1, &[10_000, 100_000]),
    ];
    for &(engine, threads, sizes) in cases {
        let activation = if engine == "sequential" { "RandomSequential" } else { "Synchronous" };
        for &n in sizes {
            group.throughput(Throughput::Elements(n));
            group.sample_size(if n >= 1_000_000 { 10 } else { 20 });
            let mut sim = world(n, activation, threads);
            group.bench_with_input(
                BenchmarkId::new(format!("{engine}_{threads}t"), format!("civilians_{n}")),
                &n,
                |b, _| {
                    b.iter(|| {
                        let r = sim.step();
                        sim.drain_arrests();
                        r
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, tick);
criterion_main!(benches);
