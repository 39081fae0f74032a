//! Same scenario and seed ⇒ the same bytes, whatever the thread count or
//! storage order; different seeds ⇒ different runs. The state hash these
//! tests compare covers the security operation too, and moves with each
//! part of it.

use bevy_ecs::world::World;
use mando::command::{Commander, Planner};
use mando::crowd::CrowdMood;
use mando::law::LegalState;
use mando::metrics::CommandMetrics;
use mando::metrics::escalation::Escalation;
use mando::runner;
use mando::scenario::Regime;
use mando::sim::{Sim, SimOptions as Options, SimOptions};
use mando::situation::Situation;
use mando::units::{TaskKind, Tasking, Unit, UnitId};

use crate::common::*;

fn run_to(tag: &str, sets: &[&str], options: Options) -> std::path::PathBuf {
    let dir = temp_dir(tag);
    runner::run(&scenario_with(sets), options, Some(&dir), |_| {}).expect("run");
    dir
}

fn assert_same_files(a: &std::path::Path, b: &std::path::Path) {
    for f in OUTPUT_FILES {
        assert!(read(&a.join(f)) == read(&b.join(f)), "{f} differs between {} and {}", a.display(), b.display());
    }
}

const SMALL: &[&str] = &["metadata.ticks=120", "metadata.seed=11"];

#[test]
fn same_seed_gives_byte_identical_outputs() {
    for engine in ["RandomSequential", "Synchronous"] {
        let activation = format!("rules.activation={engine}");
        let sets = [SMALL, &[activation.as_str()]].concat();
        let a = run_to(&format!("same-a-{engine}"), &sets, Options::default());
        let b = run_to(&format!("same-b-{engine}"), &sets, Options::default());
        assert_same_files(&a, &b);
    }
}

#[test]
fn different_seeds_give_different_runs() {
    let a = run_to("seed-a", &["metadata.ticks=60", "metadata.seed=1"], Options::default());
    let b = run_to("seed-b", &["metadata.ticks=60", "metadata.seed=2"], Options::default());
    assert!(read(&a.join("events.jsonl")) != read(&b.join("events.jsonl")));
    assert!(read(&a.join("timeseries.csv")) != read(&b.join("timeseries.csv")));
}

#[test]
fn one_and_two_threads_give_identical_outputs() {
    // A map big enough that the parallel engine really splits the work.
    let sets = [
        "map.width_cells=160",
        "map.height_cells=160",
        "rules.activation=Synchronous",
        "metadata.ticks=40",
        "metadata.seed=5",
    ];
    let a = run_to("threads-1", &sets, Options { threads: 1, ..Options::default() });
    let b = run_to("threads-2", &sets, Options { threads: 2, parallel_from_civilians: 0, ..Options::default() });
    assert_same_files(&a, &b);
}

#[test]
fn storage_order_never_changes_the_outcome() {
    // Re-sorting every tick versus never: equal state hashes tick by tick.
    let s = scenario_with(&[
        "map.width_cells=60",
        "map.height_cells=60",
        "rules.activation=Synchronous",
        "metadata.seed=9",
    ]);
    let mut a = Sim::new(&s, SimOptions { threads: 1, resort_every_ticks: 1, ..SimOptions::default() }).unwrap();
    let mut b = Sim::new(&s, SimOptions { threads: 2, resort_every_ticks: 0, parallel_from_civilians: 0 }).unwrap();
    for _ in 0..30 {
        assert_eq!(a.step(), b.step());
        assert_eq!(a.state_hash(), b.state_hash(), "tick {}", a.tick());
    }
}

#[test]
fn stepping_twice_gives_equal_state_hashes_every_tick() {
    let s = scenario_with(&["metadata.seed=3"]);
    let mut a = Sim::new(&s, SimOptions::default()).unwrap();
    let mut b = Sim::new(&s, SimOptions::default()).unwrap();
    let mut changed = false;
    let first = a.state_hash();
    for _ in 0..50 {
        a.step();
        b.step();
        assert_eq!(a.state_hash(), b.state_hash());
        changed |= a.state_hash() != first;
    }
    assert!(changed, "the state hash must follow the state");
}

#[test]
fn mean_legitimacy_does_not_depend_on_storage_order() {
    // Regression: it was summed over civilians in storage order, so its last
    // bits (in summary.json) changed when civilians were re-sorted.
    let s = shipped("highland_airport_protest.ron", &["metadata.ticks=300", "rules.activation=Synchronous"]);
    let mut a = Sim::new(&s, SimOptions { resort_every_ticks: 1, ..SimOptions::default() }).unwrap();
    let mut b = Sim::new(&s, SimOptions { resort_every_ticks: 0, ..SimOptions::default() }).unwrap();
    while !a.is_finished() {
        a.step();
        b.step();
        let mean = |sim: &mut Sim| {
            sim.world_mut().resource::<mando::metrics::escalation::Escalation>().mean_legitimacy.to_bits()
        };
        assert_eq!(mean(&mut a), mean(&mut b), "tick {}", a.tick());
    }
}

#[test]
fn storage_order_and_threads_never_change_an_operation() {
    // Both operation scenarios, both engines, every tick: units, command,
    // the law and the crowd's mood hash the same whatever the storage order
    // and thread count.
    for file in ["highland_airport_protest.ron", "mining_corridor_blockade.ron"] {
        for engine in ["RandomSequential", "Synchronous"] {
            let s = shipped(file, &["metadata.ticks=720", &format!("rules.activation={engine}")]);
            let mut a =
                Sim::new(&s, SimOptions { threads: 1, resort_every_ticks: 1, ..SimOptions::default() }).unwrap();
            let mut b =
                Sim::new(&s, SimOptions { threads: 2, resort_every_ticks: 0, parallel_from_civilians: 0 }).unwrap();
            while !a.is_finished() {
                assert_eq!(a.step(), b.step());
                assert_eq!(a.state_hash(), b.state_hash(), "{file} {engine} tick {}", a.tick());
            }
        }
    }
}

#[test]
fn every_arrangement_is_the_same_on_one_and_two_threads() {
    // Authority requests and answers, dropped orders, the unified post's
    // own picture and each planner's doctrine, under every arrangement; then
    // withdrawal to wait for leave, units leaving orders on their own, a
    // squad cut off on another net, and the substation under parallel chains.
    const MINING: &str = "mining_corridor_blockade.ron";
    let cases: &[(&str, &[&str])] = &[
        (MINING, &["command.model=ffaa_control"]),
        (MINING, &["command.model=unified"]),
        (MINING, &["command.model=parallel"]),
        (
            MINING,
            &[
                "command.model=ffaa_control",
                "force.awaiting_authority_ffaa=Withdraw",
                "command.decentralised_execution=true",
                "forces.units[1].radio_net=\"pnp_analog\"",
            ],
        ),
        ("substation_under_threat.ron", &["command.model=parallel"]),
    ];
    for &(file, sets) in cases {
        let s = shipped(file, &[&["metadata.ticks=720", "rules.activation=Synchronous"], sets].concat());
        let mut a = Sim::new(&s, SimOptions { threads: 1, ..SimOptions::default() }).unwrap();
        let mut b = Sim::new(&s, SimOptions { threads: 2, resort_every_ticks: 0, parallel_from_civilians: 0 }).unwrap();
        while !a.is_finished() {
            assert_eq!(a.step(), b.step());
            assert_eq!(a.drain_events(), b.drain_events(), "{file} {sets:?} tick {}", a.tick());
            assert_eq!(a.state_hash(), b.state_hash(), "{file} {sets:?} tick {}", a.tick());
        }
    }
}

/// The highland protest after 90 ticks: units on tasks, orders in flight,
/// force used (the first casualty is at tick 69).
fn operation_at_tick_90() -> Sim {
    let s = shipped("highland_airport_protest.ron", &["metadata.ticks=720"]);
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    for _ in 0..90 {
        sim.step();
    }
    sim
}

/// A change to the state of a world.
type Change = fn(&mut World);

/// Runs `f` on unit 0's changing components.
fn with_unit_0(world: &mut World, f: impl FnOnce(&mut Tasking, &mut Unit, &mut Commander)) {
    let mut q = world.query::<(&UnitId, &mut Tasking, &mut Unit, &mut Commander)>();
    let (_, mut t, mut u, mut c) = q.iter_mut(world).find(|x| x.0.0 == 0).expect("unit 0");
    f(&mut t, &mut u, &mut c);
}

#[test]
fn the_state_hash_moves_with_every_part_of_an_operation() {
    let expected = operation_at_tick_90().state_hash();
    assert_eq!(operation_at_tick_90().state_hash(), expected, "the same run hashes the same");
    let changes: Vec<(&str, Change)> = vec![
        ("a unit's task", |w| {
            with_unit_0(w, |t, _, _| {
                t.task.kind = if t.task.kind == TaskKind::Cordon { TaskKind::Hold } else { TaskKind::Cordon }
            })
        }),
        ("a unit's task cell", |w| with_unit_0(w, |t, _, _| t.task.cell ^= 1)),
        ("when a unit took its task", |w| with_unit_0(w, |t, _, _| t.since_tick += 1)),
        ("a unit's path", |w| with_unit_0(w, |t, _, _| t.path.push(0))),
        ("a unit's stress", |w| with_unit_0(w, |t, _, _| t.stress += 1e-9)),
        ("a unit's last use of force", |w| with_unit_0(w, |t, _, _| t.last_force_tick = Some(12_345))),
        ("a unit's strength", |w| with_unit_0(w, |_, u, _| u.strength_personnel += 1)),
        ("a unit's commander", |w| {
            with_unit_0(w, |_, _, c| c.0 = if c.0 == Planner::Unified { Planner::Pnp } else { Planner::Unified })
        }),
        ("a zone's regime", |w| {
            let mut law = w.resource_mut::<LegalState>();
            law.zones[0].regime = if law.zones[0].regime == Regime::Siege { Regime::Normal } else { Regime::Siege };
        }),
        ("a zone's decree", |w| w.resource_mut::<LegalState>().zones[0].decree_at_tick = Some(999)),
        ("the crowd's identity", |w| w.resource_mut::<CrowdMood>().identity[0] += 0.01),
        ("a sector's legitimacy", |w| w.resource_mut::<CrowdMood>().local_legitimacy[0] -= 0.01),
        ("the dialogue table", |w| w.resource_mut::<CrowdMood>().dialogue_open_since = Some(12_345)),
        ("the true situation", |w| w.resource_mut::<Situation>().zone_actives[0] += 1),
        ("the escalation's clocks", |w| w.resource_mut::<Escalation>().peak_active += 1),
        ("the operation's counters", |w| w.resource_mut::<CommandMetrics>().orders_issued += 1),
    ];
    for (what, change) in changes {
        let mut sim = operation_at_tick_90();
        change(sim.world_mut());
        assert_ne!(sim.state_hash(), expected, "the state hash must cover {what}");
    }
}
