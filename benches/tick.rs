//! One tick of the simulation at growing sizes: `tick/<engine>_<threads>t/civilians_<n>`,
//! and with 1,000 security units under command: `tick/units_<threads>t/civilians_1000000_units_1000`.
//!
//! Civilians at density 0.7 and officers at 0.04 on a square torus, the
//! proportions of Epstein's classic run; the world is built and run for a
//! few ticks outside the timed closure, with a fixed seed. Throughput is in
//! civilians, so criterion reports civilians per second (invert for ns per
//! civilian per tick). Run: `cargo bench --bench tick`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mando::scenario::{self, Override};
use mando::sim::{Sim, SimOptions};

/// As the `mando` binary: large arrays on huge pages.
#[global_allocator]
static ALLOC: mando::memory::HugePageAlloc = mando::memory::HugePageAlloc;

fn world(civilians: u64, activation: &str, threads: usize, units: u32) -> Sim {
    // Side of the square map that holds `civilians` at density 0.7.
    let side = ((civilians as f64 / 0.7).sqrt().ceil()) as u32;
    let set = |p: &str, v: String| Override { path: p.into(), value: v, written_as: None };
    let mut overrides = vec![
        set("map.width_cells", side.to_string()),
        set("map.height_cells", side.to_string()),
        set("civilians.count", civilians.to_string()),
        set("police.density", "0.04".into()),
        set("rules.activation", activation.into()),
        set("metadata.seed", "7".into()),
    ];
    if units > 0 {
        overrides.push(set("forces", force_list(side, units)));
        // Everyone deployed and commanded from the start: the heaviest case.
        overrides.push(set("command", "(model: parallel, ffaa_deployment: FromStart)".into()));
    }
    let s = scenario::load_default(&overrides).expect("benchmark scenario is valid");
    // Threads used at every size, to show where they start to pay.
    let options = SimOptions { threads, parallel_from_civilians: 0, ..SimOptions::default() };
    let mut sim = Sim::new(&s, options).expect("benchmark world builds");
    for _ in 0..5 {
        sim.step();
    }
    sim.drain_arrests();
    sim.drain_events();
    sim
}

/// `units` units in groups of 25 on a square lattice over the map, PNP
/// crowd control and army infantry in alternate groups.
fn force_list(side: u32, units: u32) -> String {
    let groups = units.div_ceil(25);
    let per_row = (groups as f64).sqrt().ceil() as u32;
    let step = side / (per_row + 1);
    let list: Vec<String> = (0..groups)
        .map(|g| {
            let (x, y) = ((g % per_row + 1) * step, (g / per_row + 1) * step);
            let kind = if g % 2 == 0 { "PnpCrowdControl" } else { "FfaaInfantry" };
            let count = 25.min(units - g * 25);
            format!("(name: \"g{g}\", kind: {kind}, count: {count}, at: ({x}, {y}), standing_task: Patrol)")
        })
        .collect();
    format!("(units: [{}])", list.join(", "))
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
            // Built on the case's first call (criterion calls the closure
            // again for every sample), and only if the filter selects it,
            // so a filtered run or a profile of one case builds one world.
            let mut built = None;
            group.bench_with_input(
                BenchmarkId::new(format!("{engine}_{threads}t"), format!("civilians_{n}")),
                &n,
                |b, _| {
                    let sim = built.get_or_insert_with(|| world(n, activation, threads, 0));
                    b.iter(|| {
                        let r = sim.step();
                        sim.drain_arrests();
                        r
                    })
                },
            );
        }
    }
    // Security units and command on top of the largest crowd: the same
    // map as `synchronous_<t>t/civilians_1000000`, plus 1,000 units.
    for threads in [1, 2] {
        let n = 1_000_000;
        group.throughput(Throughput::Elements(n));
        group.sample_size(10);
        let mut built = None;
        group.bench_with_input(
            BenchmarkId::new(format!("units_{threads}t"), format!("civilians_{n}_units_1000")),
            &n,
            |b, _| {
                let sim = built.get_or_insert_with(|| world(n, "Synchronous", threads, 1000));
                b.iter(|| {
                    let r = sim.step();
                    sim.drain_arrests();
                    sim.drain_events();
                    r
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, tick);
criterion_main!(benches);
