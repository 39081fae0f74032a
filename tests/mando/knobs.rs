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

/// The state hash at the end of a shipped scenario's full run with `sets`,
/// or the validation message that refused them.
fn outcome(file: &str, sets: &[&str]) -> Result<u64, String> {
    let path = repo().join("scenarios").join(file);
    let s = scenario::load_file(&path, &overrides(sets)).map_err(|e| e.to_string())?;
    let mut sim = Sim::new(&s, SimOptions::default()).map_err(|e| e.to_string())?;
    while !sim.is_finished() {
        sim.step();
        sim.drain_arrests();
        sim.drain_events();
    }
    Ok(sim.state_hash())
}

/// Each field of the unit, crowd and detention sections and the harm
/// fields of the force section, set away from the
/// shipped value (on top of a base where one is needed for the field to
/// act), must change the run's final state or be refused with a message
/// naming it. (`name` is a label, `kind` the defaults' key.)
#[test]
fn every_unit_crowd_detention_and_harm_field_changes_the_run_or_is_refused() {
    const MINING: &str = "mining_corridor_blockade.ron";
    const HIGHLAND: &str = "highland_airport_protest.ron";
    // Flashpoints need force of level 4 or more on someone only
    // non-cooperative: police who misread the crowd and escalate.
    // Bystanders who wander near the units and units that use force every
    // tick make it likely.
    const OVERREACH: &[&str] = &[
        "force.perception_sigma_pnp=2.0",
        "force.untrained_escalation_probability=1.0",
        "crowd.bystanders_keep_away_cells=0",
        "force.reassess_minutes=5",
    ];
    // The detention section at its defaults.
    const DETENTION: &[&str] = &["detention.hold_hours=24"];
    // The FF.AA. in control: its site guards ask for leave to fire.
    const CONTROL: &[&str] = &["command.model=ffaa_control"];
    // A squad on a net its chain is not on, and a relay to it.
    const ANALOGUE: &[&str] = &["forces.units[0].radio_net=\"pnp_analog\""];
    const RELAYED: &[&str] =
        &["forces.units[0].radio_net=\"pnp_analog\"", "command.relays=[(\"pnp\", \"pnp_analog\")]"];
    let cases: &[(&str, &[&str], &str)] = &[
        (MINING, &[], "forces.units[0].count=2"),
        (MINING, &[], "forces.units[0].at=(7,12)"),
        (MINING, &[], "forces.units[0].strength_personnel=30"),
        (MINING, &[], "forces.units[0].crowd_training=0.1"),
        (MINING, &[], "forces.units[0].non_lethal_kit=None"),
        (MINING, &[], "forces.units[2].lethal_weapons=false"),
        (MINING, &[], "forces.units[0].radio_net=\"ffaa\""),
        (MINING, ANALOGUE, "command.relays=[(\"pnp\", \"pnp_analog\")]"),
        (MINING, RELAYED, "command.relay_delay_minutes=30"),
        (MINING, &[], "forces.units[0].speed_cells_per_tick=3"),
        (MINING, &[], "forces.units[0].vision_cells=2"),
        (MINING, &[], "forces.units[0].standing_task=Patrol"),
        (MINING, &[], "forces.units[1].patrol_radius_cells=3"),
        (MINING, &[], "forces.units[0].patrol_radius_cells=3"),
        (MINING, &[], "crowd.types=(peaceful_protester: 0.2, blockader: 0.3, shock_group: 0.1, paid_agitator: 0.05)"),
        (MINING, &[], "crowd.stones_share=0.9"),
        (MINING, &[], "crowd.firearms_share=0.9"),
        (MINING, &[], "crowd.identity_weight=0.9"),
        (MINING, &[], "crowd.identity_decay_per_tick=0.2"),
        (MINING, &[], "crowd.indiscriminate_identity_gain=0.9"),
        (MINING, &[], "crowd.differentiated_identity_gain=0.9"),
        (MINING, &[], "crowd.death_legitimacy_loss=0.5"),
        (MINING, &[], "crowd.serious_injury_legitimacy_loss=0.5"),
        (MINING, &[], "crowd.backlash_radius_cells=1"),
        (MINING, &[], "crowd.backlash_lag_minutes=5"),
        (HIGHLAND, OVERREACH, "crowd.flashpoint_threshold_drop=0.5"),
        (HIGHLAND, OVERREACH, "crowd.flashpoint_minutes=300"),
        (HIGHLAND, OVERREACH, "crowd.flashpoint_radius_cells=1"),
        (MINING, &[], "crowd.agitator_provocation_probability=0.9"),
        (MINING, &[], "crowd.dialogue=[(at_tick: 60, event: OpenTable)]"),
        (HIGHLAND, &[], "crowd.dialogue=[(at_tick: 60, event: OpenTable), (at_tick: 200, event: BrokenAgreement)]"),
        (MINING, &[], "crowd.gatherings=[(name: \"Plaza\", at: (16, 12), march_to: \"Bridge on the mining road\")]"),
        (MINING, &[], "crowd.day.clock_at_start=12.0"),
        (MINING, &[], "crowd.day.rise_from=4.0"),
        (MINING, &[], "crowd.day.march_from=7.0"),
        (MINING, &[], "crowd.day.peak_from=12.0"),
        (MINING, &[], "crowd.day.peak_until=13.0"),
        (MINING, &[], "crowd.day.home_by=18.0"),
        (MINING, &[], "crowd.day.night_share=0.3"),
        (MINING, &[], "crowd.fatigue_per_day=0.5"),
        (MINING, &[], "crowd.arrivals=(share: 0.0)"),
        (MINING, &[], "crowd.arrivals.after_hours=1.0"),
        (MINING, &[], "crowd.bystanders_keep_away_cells=0"),
        (MINING, &[], "force.kinetic_share=0.9"),
        (MINING, &[], "force.kinetic_injury_probability=0.9"),
        (MINING, &[], "force.lethal_hit_probability=0.9"),
        (MINING, &[], "force.lethal_death_given_hit=0.9"),
        (MINING, &[], "force.stones_injury_probability=0.2"),
        (MINING, &[], "force.officer_death_given_injury=0.5"),
        (MINING, &[], "force.unauthorised_fire_probability=1"),
        (MINING, &[], "force.expected_sanction=0.9"),
        (MINING, &[], "force.awaiting_authority_pnp=Withdraw"),
        (MINING, CONTROL, "force.awaiting_authority_ffaa=ActAlone"),
        (MINING, &[], "force.dispersal_warning_minutes=30"),
        (MINING, &[], "force.evacuation_death_probability=0.9"),
        (MINING, DETENTION, "detention.team_personnel=6"),
        (MINING, DETENTION, "detention.processing_minutes=20"),
        (MINING, DETENTION, "detention.holding_per_zone=10"),
        (MINING, DETENTION, "detention.hold_hours=6"),
        (MINING, DETENTION, "detention.liberty_suspended_in_emergency=true"),
        (MINING, CONTROL, "detention.handover_minutes=600"),
    ];
    let mut silent = Vec::new();
    let mut bases = std::collections::HashMap::new();
    for &(file, base_sets, set) in cases {
        let field = set.split('=').next().unwrap();
        let base = *bases.entry((file, base_sets)).or_insert_with(|| outcome(file, base_sets).unwrap());
        let sets: Vec<&str> = base_sets.iter().copied().chain([set]).collect();
        match outcome(file, &sets) {
            Ok(h) if h == base => silent.push(format!("{file}: --set {set} changed nothing")),
            Ok(_) => {}
            Err(message) if message.contains(field) => {}
            Err(message) => silent.push(format!("{file}: --set {set} refused without naming {field}: {message}")),
        }
    }
    assert!(silent.is_empty(), "silent knobs:\n{}", silent.join("\n"));
}
