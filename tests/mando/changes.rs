//! Scheduled changes take effect at the tick they name, in one step or in
//! many, and change what the simulation does.

use mando::sim::{Sim, SimOptions};

use crate::common::*;

fn records(s: &mando::Scenario) -> Vec<mando::TickRecord> {
    let mut sim = Sim::new(s, SimOptions::default()).unwrap();
    (0..s.metadata.ticks).map(|_| sim.step()).collect()
}

#[test]
fn a_sudden_cut_applies_at_its_tick() {
    let s = shipped("epstein_legitimacy_cut.ron", &["metadata.ticks=90"]);
    let r = records(&s);
    assert_eq!(r[75].legitimacy, 0.9, "tick 76");
    assert_eq!(r[76].tick, 77);
    assert_eq!(r[76].legitimacy, 0.7, "tick 77");
    // Calm before the cut, a burst of rebellion at it.
    assert!(r[..76].iter().all(|x| x.active == 0 && x.jailed == 0), "activity before the cut");
    assert!(r[76].active + r[76].arrests > 10, "no reaction to the cut: {:?}", r[76]);
}

#[test]
fn a_ramp_moves_in_equal_steps_and_lands_on_the_value() {
    let s = shipped("epstein_salami_tactics.ron", &["metadata.ticks=100"]);
    let r = records(&s);
    assert_eq!(r[8].legitimacy, 0.9, "tick 9");
    assert!((r[9].legitimacy - 0.89).abs() < 1e-9, "tick 10: {}", r[9].legitimacy);
    assert!((r[43].legitimacy - 0.55).abs() < 1e-9, "tick 44: {}", r[43].legitimacy);
    assert_eq!(r[78].legitimacy, 0.2, "tick 79");
    assert_eq!(r[99].legitimacy, 0.2);
}

#[test]
fn officers_are_withdrawn_and_added_on_schedule() {
    let text = r#"Scenario(
        metadata: (name: "police change", seed: 2, ticks: 30),
        map: (width_cells: 30, height_cells: 30),
        civilians: (density: 0.5, vision_cells: 4),
        police: (count: 40, vision_cells: 4),
        changes: [
            (at_tick: 10, path: "police.count", value: 10),
            (at_tick: 20, path: "police.density", value: 0.1, over_ticks: 5),
        ],
    )"#;
    let s = mando::scenario::load_str("inline.ron", text, &[]).unwrap();
    let r = records(&s);
    assert_eq!(r[8].officers, 40);
    assert_eq!(r[9].officers, 10);
    assert_eq!(r[24].officers, 90, "0.1 of 900 cells");
    assert!(r[20].officers > 10 && r[20].officers < 90, "ramp midway: {}", r[20].officers);
}

#[test]
fn changes_can_be_overridden_from_the_command_line_paths() {
    // A ramp over 70 ticks instead of one jump, by path into the list.
    let s = shipped("epstein_legitimacy_cut.ron", &["changes[0].over_ticks=70", "metadata.ticks=100"]);
    assert_eq!(s.changes[0].over_ticks, 70);
    let r = records(&s);
    assert!(r[76].legitimacy > 0.89 && r[76].legitimacy < 0.9);
}
