//! Use of force, crowd types and escalation: directional behaviour over
//! seeds (never single-run coincidences) and the harm ledger's invariants.

use mando::base::events::Event;
use mando::metrics::conflict::ConflictSummary;
use mando::runner;
use mando::scenario::{self, Override};
use mando::sim::{Sim, SimOptions};
use mando::use_of_force::Harm;

use crate::common::*;

const SEEDS: [u64; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

fn conflict(file: &str, sets: &[&str], seed: u64) -> (ConflictSummary, f64) {
    let mut overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    overrides.push(Override::parse(&format!("metadata.seed={seed}")).unwrap());
    let path = if file.starts_with("tests/") { repo().join(file) } else { repo().join("scenarios").join(file) };
    let s = scenario::load_file(&path, &overrides).unwrap();
    let mut late_active = 0.0;
    let ticks = s.metadata.ticks;
    let report = runner::run(&s, SimOptions::default(), None, |r| {
        if r.tick > ticks / 2 {
            late_active += r.active as f64;
        }
    })
    .unwrap();
    (report.metrics.operation.unwrap().conflict.unwrap(), late_active)
}

fn over_seeds(file: &str, sets: &[&str], f: impl Fn(&ConflictSummary, f64) -> f64) -> f64 {
    SEEDS
        .iter()
        .map(|&seed| {
            let (c, late) = conflict(file, sets, seed);
            f(&c, late)
        })
        .sum()
}

fn civilian(c: &ConflictSummary, h: Harm) -> f64 {
    c.harm_totals[&mando::use_of_force::Side::Civilian][&h] as f64
}

#[test]
fn the_army_in_control_of_order_uses_more_excessive_force_than_under_police_lead() {
    // Under `ffaa_control` the FF.AA.'s command sends its infantry against
    // the crowd and lets site guards fire; under `pnp_lead` soldiers hold
    // cordons and sites and are never given leave (docs/model.md §10.4).
    // The excessive-force rate shows it at p = 0.001 over 30 paired runs;
    // deaths rise by about two a run, too little for a few seeds to show.
    let excessive = |model: &str| {
        let set = format!("command.model={model}");
        let (mut excessive, mut uses) = (0, 0);
        for file in ["highland_airport_protest.ron", "mining_corridor_blockade.ron"] {
            for seed in SEEDS {
                let c = conflict(file, &[&set], seed).0;
                excessive += c.force_pnp.excessive + c.force_ffaa.excessive;
                uses += c.force_pnp.uses_of_force + c.force_ffaa.uses_of_force;
            }
        }
        excessive as f64 / uses as f64
    };
    let (lead, control) = (excessive("pnp_lead"), excessive("ffaa_control"));
    assert!(control > lead, "excessive-force rate under FF.AA. control {control:.3} vs PNP lead {lead:.3}");
}

#[test]
fn crowd_control_training_lowers_the_excessive_force_rate() {
    let airport = "highland_airport_protest.ron";
    let trained = |t: f64| {
        let sets: Vec<String> = (0..3).map(|g| format!("forces.units[{g}].crowd_training={t}")).collect();
        let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
        let (mut excessive, mut uses) = (0.0, 0.0);
        for seed in SEEDS {
            let (c, _) = conflict(airport, &sets, seed);
            excessive += (c.force_pnp.excessive + c.force_ffaa.excessive) as f64;
            uses += (c.force_pnp.uses_of_force + c.force_ffaa.uses_of_force) as f64;
        }
        excessive / uses
    };
    let (low, high) = (trained(0.1), trained(0.9));
    assert!(high < low, "excessive-force rate trained {high:.3} vs untrained {low:.3}");
}

#[test]
fn indiscriminate_force_raises_identity_and_later_activity() {
    // A packed square; a fast-fading identity shows the mix of events
    // rather than a saturated sector.
    let square = "tests/fixtures/dense_square.ron";
    let run = |area: bool| {
        let sets = [format!("force.area_effects={area}"), "crowd.identity_decay_per_tick=0.1".to_string()];
        let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
        let mut out = (0.0, 0.0, 0.0);
        for seed in SEEDS {
            let (c, late) = conflict(square, &sets, seed);
            out.0 += (c.force_pnp.indiscriminate + c.force_ffaa.indiscriminate) as f64;
            out.1 += c.mean_identity_over_run;
            out.2 += late;
        }
        out
    };
    let (area, targeted) = (run(true), run(false));
    assert!(area.0 > 0.0 && targeted.0 == 0.0, "indiscriminate events: {} vs {}", area.0, targeted.0);
    assert!(area.1 > targeted.1, "identity {:.4} vs {:.4}", area.1, targeted.1);
    assert!(area.2 > targeted.2, "later activity {} vs {}", area.2, targeted.2);
}

#[test]
fn deaths_lower_legitimacy() {
    let airport = "highland_airport_protest.ron";
    let with_backlash = over_seeds(airport, &[], |c, _| c.min_mean_legitimacy);
    let without = over_seeds(airport, &["crowd.death_legitimacy_loss=0.0"], |c, _| c.min_mean_legitimacy);
    assert!(with_backlash < without, "lowest legitimacy {with_backlash:.3} vs {without:.3} without backlash");
    let deaths = over_seeds(airport, &[], |c, _| civilian(c, Harm::Dead));
    assert!(deaths > 0.0, "the test needs deaths");
}

#[test]
fn dialogue_calms_the_crowd() {
    // A table opened on the first morning raises legitimacy and lowers the
    // crowd's activity over the three days. (The time in the crisis phase
    // no longer falls with it: the deaths of the first day set the phase;
    // and the lowest legitimacy reaches 0 with or without it, since the
    // backlash of deaths has no floor.)
    let airport = "highland_airport_protest.ron";
    let table = "crowd.dialogue=[(at_tick: 60, event: OpenTable)]";
    let none = over_seeds(airport, &["crowd.dialogue=[]"], |c, _| c.active_person_minutes);
    let early = over_seeds(airport, &[table], |c, _| c.active_person_minutes);
    assert!(early < none, "active person-minutes with dialogue {early} vs none {none}");
}

#[test]
fn no_harm_without_an_event_that_caused_it_and_people_are_conserved() {
    // A property over scenarios and seeds, not one run.
    let mut harmed = 0;
    for (file, seed) in [
        ("highland_airport_protest.ron", 1),
        ("highland_airport_protest.ron", 2),
        ("highland_airport_protest.ron", 3),
        ("mining_corridor_blockade.ron", 4),
        ("mining_corridor_blockade.ron", 5),
    ] {
        harmed += harm_ledger_agrees_with_events(file, seed);
    }
    assert!(harmed > 0, "the test needs harm to check");
}

/// Checks conservation and the harm ledger for one run; returns the harm seen.
fn harm_ledger_agrees_with_events(file: &str, seed: u64) -> u64 {
    let s = shipped(file, &["metadata.ticks=300", &format!("metadata.seed={seed}")]);
    let population = s.civilians.count;
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    let (mut civ, mut security) = ([0u64; 3], 0u64);
    while !sim.is_finished() {
        let r = sim.step();
        let op = r.operation.unwrap();
        assert_eq!(r.quiescent + r.active + r.jailed + op.dead, population, "{file} seed {seed} tick {}", r.tick);
        for e in sim.drain_events() {
            match e {
                Event::UseOfForce { harm, force, affected, true_resistance, excessive, .. } => {
                    assert!(force as u8 <= 5);
                    assert_eq!(excessive, force as u8 > true_resistance as u8, "excessive means above the resistance");
                    assert!(harm.injured + harm.disabled + harm.dead <= affected);
                    civ[0] += harm.injured as u64;
                    civ[1] += harm.disabled as u64;
                    civ[2] += harm.dead as u64;
                }
                Event::Casualty { .. } => security += 1,
                _ => {}
            }
        }
    }
    let c = sim.operation_summary().unwrap().conflict.unwrap();
    let total = |side| -> u64 { c.harm_totals[&side].values().sum() };
    use mando::use_of_force::Side;
    assert_eq!(c.harm_totals[&Side::Civilian][&Harm::Injured], civ[0], "{file} seed {seed}");
    assert_eq!(c.harm_totals[&Side::Civilian][&Harm::Disabled], civ[1], "{file} seed {seed}");
    assert_eq!(c.harm_totals[&Side::Civilian][&Harm::Dead], civ[2], "{file} seed {seed}");
    assert_eq!(total(Side::Pnp) + total(Side::Ffaa), security, "{file} seed {seed}");
    civ.iter().sum::<u64>() + security
}

/// Re-arrests are counted apart (issue 18, item 3): the arrests of someone
/// arrested before, so that arrests minus re-arrests is people arrested.
#[test]
fn re_arrests_are_arrests_of_people_arrested_before() {
    let s = shipped("mining_corridor_blockade.ron", &[]);
    let mut people = std::collections::BTreeSet::new();
    let mut arrests = 0u64;
    let report = runner::run(&s, SimOptions::default(), None, |_| {}).unwrap();
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    while !sim.is_finished() {
        sim.step();
        sim.drain_events();
        for a in sim.drain_arrests() {
            arrests += 1;
            people.insert(a.civilian);
        }
    }
    let conflict = report.metrics.operation.unwrap().conflict.unwrap();
    assert_eq!(arrests, report.metrics.total_arrests);
    assert_eq!(conflict.rearrests, arrests - people.len() as u64);
    assert!(conflict.rearrests > 0, "Epstein's short terms bring the same people back to be arrested again");
}
