//! Property tests over random valid scenarios (issue 22, item 7): people
//! are conserved every tick, no unit's strength grows or wraps below zero,
//! no unit fires a weapon it does not carry, and the parallel engine on 2
//! threads gives the same world, tick by tick, as on 1.
//!
//! Few cases and short runs, so `cargo test` stays quick; each case is a
//! different scenario drawn by proptest (its seed is reported on failure).

use mando::base::events::Event;
use mando::base::vocabulary::ForceLevel;
use mando::scenario::{Override, Scenario};
use mando::sim::{Sim, SimOptions};
use mando::units::{Unit, UnitId};
use proptest::prelude::*;

use crate::common::{per_unit, repo};

fn load(file: &str, sets: &[String]) -> Option<Scenario> {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    mando::scenario::load_file(&repo().join("scenarios").join(file), &overrides).ok()
}

/// A random crowd model: map, densities, Epstein's parameters, engine.
fn crowd_scenario() -> impl Strategy<Value = Vec<String>> {
    (
        10u32..40,
        10u32..40,
        0.05f64..0.7,
        0.0f64..0.08,
        0.0f64..1.0,
        0.0f64..0.5,
        // A wrapped map needs 2·vision + 1 <= its narrower side (10 at least).
        1u32..5,
        any::<u64>(),
        prop_oneof![Just("RandomSequential"), Just("Synchronous")],
    )
        .prop_map(|(w, h, civ, pol, legit, thr, vision, seed, engine)| {
            vec![
                format!("map.width_cells={w}"),
                format!("map.height_cells={h}"),
                format!("civilians.density={civ:.3}"),
                format!("police.density={pol:.3}"),
                format!("civilians.legitimacy={legit:.3}"),
                format!("civilians.threshold={thr:.3}"),
                format!("civilians.vision_cells={vision}"),
                format!("police.vision_cells={vision}"),
                format!("metadata.seed={seed}"),
                format!("rules.activation={engine}"),
                "metadata.ticks=25".into(),
            ]
        })
}

/// A random security operation: one of the shipped ones with another
/// arrangement, seed and crowd mood.
fn operation_scenario() -> impl Strategy<Value = (String, Vec<String>)> {
    (
        prop_oneof![Just("substation_under_threat.ron"), Just("highland_airport_protest.ron")],
        prop_oneof![Just("pnp_lead"), Just("ffaa_control"), Just("unified"), Just("parallel")],
        0.3f64..0.95,
        any::<u64>(),
    )
        .prop_map(|(file, model, legit, seed)| {
            (
                file.to_string(),
                vec![
                    format!("command.model={model}"),
                    format!("civilians.legitimacy={legit:.3}"),
                    format!("metadata.seed={seed}"),
                    "metadata.ticks=60".into(),
                ],
            )
        })
}

/// Runs `s` on 1 thread and on 2 (the parallel engine forced on), checking
/// the invariants after every tick.
fn check(s: &Scenario) -> Result<(), TestCaseError> {
    let people = s.civilians.count;
    let mut one = Sim::new(s, SimOptions { threads: 1, ..SimOptions::default() }).unwrap();
    let mut two = Sim::new(s, SimOptions { threads: 2, parallel_from_civilians: 0, ..SimOptions::default() }).unwrap();
    let strength = per_unit(s, |g| g.strength_personnel);
    let lethal = per_unit(s, |g| g.lethal_weapons);
    while !one.is_finished() {
        let r = one.step();
        two.step();
        prop_assert_eq!(r.population(), people, "people not conserved at tick {}", r.tick);
        prop_assert_eq!(one.state_hash(), two.state_hash(), "1 and 2 threads differ at tick {}", r.tick);
        let world = one.world_mut();
        for (id, unit) in world.query::<(&UnitId, &Unit)>().iter(world) {
            prop_assert!(unit.strength_personnel <= strength[id.0 as usize], "unit {} grew or wrapped", id.0);
        }
        for e in one.drain_events() {
            if let Event::UseOfForce { unit, force: ForceLevel::LethalForce, tick, .. } = e {
                prop_assert!(lethal[unit as usize], "unit {unit} fired without firearms at tick {tick}");
            }
        }
        two.drain_events();
        one.drain_arrests();
        two.drain_arrests();
    }
    Ok(())
}

proptest! {
    // A fixed seed: CI draws the same cases every time (a red run can be
    // replayed); PROPTEST_RNG_SEED=N explores others.
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(2026),
        ),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_crowds_keep_the_invariants(sets in crowd_scenario()) {
        // The densities drawn always fit the map.
        let s = load("epstein_classic.ron", &sets).unwrap_or_else(|| panic!("not a valid crowd model: {sets:?}"));
        check(&s)?;
    }

    #[test]
    fn random_operations_keep_the_invariants((file, sets) in operation_scenario()) {
        let s = load(&file, &sets).expect("a valid operation");
        check(&s)?;
    }
}
