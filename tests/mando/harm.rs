//! Harm as the record has it (issue 18, items 4, 5 and 8): blocked
//! ambulances, people conserved every tick, and order restored only
//! through a whole daytime peak.

use mando::metrics::conflict::ConflictSummary;
use mando::runner;
use mando::scenario::{self, Override, Scenario};
use mando::sim::SimOptions;
use mando::use_of_force::{Cause, Harm, Side};

use crate::common::*;

fn load(path: &std::path::Path, sets: &[&str]) -> Scenario {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).expect("test override")).collect();
    scenario::load_file(path, &overrides).unwrap_or_else(|e| panic!("invalid:\n{e}"))
}

/// The conflict summary of a run, checking on every tick that everyone
/// is somewhere: free (quiescent or active), detained or dead.
fn run(s: &Scenario) -> ConflictSummary {
    let population = s.civilians.count;
    let report = runner::run(s, SimOptions::default(), None, |r| {
        let dead = r.operation.as_ref().map_or(0, |op| op.dead);
        assert_eq!(r.quiescent + r.active + r.jailed + dead, population, "tick {}: people lost or made", r.tick);
    })
    .unwrap();
    report.metrics.operation.unwrap().conflict.unwrap()
}

fn mining(sets: &[&str], seed: u64) -> ConflictSummary {
    let seed = format!("metadata.seed={seed}");
    let mut all = vec!["metadata.ticks=288", seed.as_str()];
    all.extend_from_slice(sets);
    run(&load(&repo().join("scenarios/mining_corridor_blockade.ron"), &all))
}

fn civilian(c: &ConflictSummary, h: Harm) -> u64 {
    c.harm_totals[&Side::Civilian][&h]
}

#[test]
fn blocked_ambulances_kill_more_of_the_harmed() {
    let (mut blocked_deaths, mut share_with, mut share_without) = (0, 0.0, 0.0);
    for seed in [1, 2, 3, 4] {
        let with = mining(&["force.evacuation_death_probability=0.5"], seed);
        let without = mining(&["force.evacuation_death_probability=0.0"], seed);
        let by_cause = |c: &ConflictSummary| {
            c.harm[&Side::Civilian].get(&Harm::Dead).and_then(|m| m.get(&Cause::BlockedEvacuation)).copied()
        };
        blocked_deaths += by_cause(&with).unwrap_or(0);
        assert_eq!(by_cause(&without), None, "seed {seed}: no ambulance deaths when none can die of it");
        let share = |c: &ConflictSummary| {
            let dead = civilian(c, Harm::Dead) as f64;
            dead / (dead + civilian(c, Harm::Injured) as f64 + civilian(c, Harm::Disabled) as f64).max(1.0)
        };
        share_with += share(&with);
        share_without += share(&without);
    }
    assert!(blocked_deaths > 0, "the blockade must delay someone for the test to mean anything");
    assert!(share_with > share_without, "dead among the harmed: {share_with:.3} vs {share_without:.3}");
}

/// The march fixture as a conflict: legitimacy low enough that the crowd at the
/// square turns active and breaches it (a crisis); bystanders stay quiet.
fn square_conflict(sets: &[&str]) -> ConflictSummary {
    let mut all = vec![
        "civilians.legitimacy=0.7",
        "map.sites[0].breach_actives=3",
        "metadata.ticks=864",
        "crowd.arrivals.share=0.0",
    ];
    all.extend_from_slice(sets);
    run(&load(&fixture("march.ron"), &all))
}

#[test]
fn order_is_restored_only_through_a_whole_daytime_peak() {
    // The crowd comes back every day: nights are calm, but order is never
    // restored (censored).
    let back = square_conflict(&["crowd.fatigue_per_day=0.0"]);
    assert!(back.order_restored_censored && back.minutes_to_restore_order.is_none(), "{back:?}");
    // Almost everyone stays home after the first day: order is restored at
    // the start of day 2's peak (10:00), counted from the first crisis.
    let tired = square_conflict(&["crowd.fatigue_per_day=0.99", "crowd.day.night_share=0.0"]);
    assert!(!tired.order_restored_censored, "{tired:?}");
    let minutes = tired.minutes_to_restore_order.expect("restored");
    // The run starts at 09:00 (march.ron): day 2's 10:00 is 25 h later.
    let crisis_minute = 25.0 * 60.0 - minutes;
    assert!((0.0..600.0).contains(&crisis_minute), "the crisis came on day 1, {crisis_minute} minutes in");
}
