//! No silent knobs: a scenario field either changes the run or is refused
//! with a message naming it (issue 18, item 6).

use mando::base::events::Event;
use mando::scenario::{self, NonLethalKit, Override};
use mando::sim::{Sim, SimOptions};
use mando::use_of_force::ForceLevel;

use crate::common::*;

fn overrides(sets: &[&str]) -> Vec<Override> {
    sets.iter().map(|s| Override::parse(s).expect("test override")).collect()
}

#[test]
fn a_kit_written_none_is_no_kit_not_the_kinds_default() {
    // The USE company's kind carries the full kit by default.
    assert_eq!(shipped("mining_corridor_blockade.ron", &[]).forces[0].non_lethal_kit, NonLethalKit::Full);
    let s = shipped("mining_corridor_blockade.ron", &["forces.units[0].non_lethal_kit=None"]);
    assert_eq!(s.forces[0].non_lethal_kit, NonLethalKit::None);
    let s = shipped("mining_corridor_blockade.ron", &["forces.units[2].non_lethal_kit=Partial"]);
    assert_eq!(s.forces[2].non_lethal_kit, NonLethalKit::Partial);
}

#[test]
fn hardship_and_risk_aversion_are_refused_with_a_typed_crowd() {
    let path = repo().join("scenarios").join("highland_airport_protest.ron");
    let sets = overrides(&["civilians.hardship=Constant(0.5)", "civilians.risk_aversion=Constant(0.1)"]);
    let err = scenario::load_file(&path, &sets).expect_err("ignored fields must be refused");
    let d = err.diagnostics();
    for field in ["civilians.hardship", "civilians.risk_aversion"] {
        let p = d.iter().find(|p| p.field == field).unwrap_or_else(|| panic!("{field} not reported: {d:?}"));
        assert!(p.message.contains("typed crowd"), "{}", p.message);
    }
    // Without crowd types the same values are used.
    let s = shipped("epstein_classic.ron", &["civilians.hardship=Constant(0.5)"]);
    assert_eq!(format!("{:?}", s.civilians.hardship), "Constant(0.5)");
}

/// Uses of lethal force over a run of `ticks`.
fn lethal_uses(sets: &[&str], ticks: u32) -> usize {
    let ticks_set = format!("metadata.ticks={ticks}");
    let mut all: Vec<&str> = sets.to_vec();
    all.push(&ticks_set);
    let s = shipped("highland_airport_protest.ron", &all);
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    let mut lethal = 0;
    while !sim.is_finished() {
        sim.step();
        sim.drain_arrests();
        lethal += sim
            .drain_events()
            .iter()
            .filter(|e| matches!(e, Event::UseOfForce { force: ForceLevel::LethalForce, .. }))
            .count();
    }
    lethal
}

#[test]
fn units_without_firearms_never_use_lethal_force() {
    let armed = lethal_uses(&[], 720);
    assert!(armed > 0, "the shipped run must use lethal force for this test to mean anything");
    let unarmed = [
        "forces.units[0].lethal_weapons=false",
        "forces.units[1].lethal_weapons=false",
        "forces.units[2].lethal_weapons=false",
    ];
    assert_eq!(lethal_uses(&unarmed, 720), 0);
}
