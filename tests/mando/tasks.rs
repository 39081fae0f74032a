//! Tasks that differ in behaviour (issue 19, item 2): cordons that let
//! people out and no one in, dispersal that warns before it scatters
//! (selective arrest is in `detention.rs`).

use std::collections::BTreeMap;

use mando::base::Position;
use mando::base::events::Event;
use mando::civilians::{CivilianId, Condition};
use mando::crowd::CrowdMood;
use mando::sim::{Sim, SimOptions};
use mando::units::UnitId;
use mando::use_of_force::{ForceLevel, Resistance};

use crate::common::*;

/// Every civilian's cell and whether it is out of the street (jailed,
/// dead, fled), by id.
fn civilians(sim: &mut Sim) -> BTreeMap<u32, (u32, bool)> {
    let world = sim.world_mut();
    world
        .query::<(&CivilianId, &Position, &Condition)>()
        .iter(world)
        .map(|(id, p, c)| (id.0, (p.0, c.is_out())))
        .collect()
}

/// Every unit's cell, by id.
fn unit_cells(sim: &mut Sim) -> Vec<u32> {
    let world = sim.world_mut();
    let mut cells: Vec<(u32, u32)> =
        world.query::<(&UnitId, &Position)>().iter(world).map(|(u, p)| (u.0, p.0)).collect();
    cells.sort_unstable();
    cells.into_iter().map(|(_, c)| c).collect()
}

/// Over a run of the mining blockade under a unified command (its
/// infantry cordons the crowd) on `engine`: ticks with a line held, and
/// the civilians' own steps (not a release from jail) that crossed a line held in the tick inwards
/// and outwards.
fn crossings(engine: &str, seed: u64) -> (u32, u32, u32) {
    let sets = ["command.model=unified", &format!("rules.activation={engine}"), &format!("metadata.seed={seed}")];
    let s = shipped("mining_corridor_blockade.ron", &sets);
    // The most cells a unit walks in a tick (twice its speed, on roads).
    let walk = s.forces.iter().map(|g| 2 * g.speed_cells_per_tick).max().unwrap_or(0);
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    let (mut held, mut inwards, mut outwards) = (0, 0, 0);
    while !sim.is_finished() {
        let before = civilians(&mut sim);
        let units_before = unit_cells(&mut sim);
        sim.step();
        // Units walking through the crowd swap places with civilians on
        // their way: steps ending within a walk of a unit that moved are
        // left out, so that only the civilians' own steps count.
        let walked: Vec<(u32, u32)> = units_before
            .iter()
            .zip(unit_cells(&mut sim))
            .filter(|(a, b)| **a != *b)
            .map(|(&a, _)| (a % s.map.width_cells, a / s.map.width_cells))
            .collect();
        let near_a_walk = |c: u32| {
            let (x, y) = (c % s.map.width_cells, c / s.map.width_cells);
            walked.iter().any(|&(ux, uy)| ux.abs_diff(x).max(uy.abs_diff(y)) <= walk)
        };
        // The lines are read off the units at the start of the tick, before
        // anyone moves in it.
        let lines = sim.world_mut().resource::<CrowdMood>().cordons.clone();
        sim.drain_events();
        // Someone arrested may be released at once, anywhere near.
        let taken: Vec<u32> = sim.drain_arrests().iter().map(|a| a.civilian).collect();
        if lines.is_empty() {
            continue;
        }
        held += 1;
        for (id, (to, out)) in civilians(&mut sim) {
            let (from, was_out) = before[&id];
            if from == to || out || was_out || near_a_walk(to) || taken.contains(&id) {
                continue;
            }
            inwards += !lines.lets(from, to) as u32;
            outwards += !lines.lets(to, from) as u32;
        }
    }
    (held, inwards, outwards)
}

#[test]
fn a_cordon_lets_people_out_and_no_one_in_on_either_engine() {
    for engine in ["RandomSequential", "Synchronous"] {
        let (held, inwards, outwards) = crossings(engine, 1);
        assert!(held > 50, "{engine}: a line held in only {held} ticks");
        assert_eq!(inwards, 0, "{engine}: {inwards} crossed a line inwards");
        assert!(outwards > 0, "{engine}: no one left through a line");
    }
    // Without the rule, seed 1 on the sequential engine: 45 steps in
    // through a line (and 48 out).
}

/// Per dispersal squad's task: the tick of its warning and the ticks it
/// used gas or projectiles short of a perceived lethal threat.
type Dispersals = BTreeMap<(u32, u32), (Option<u32>, Vec<u32>)>;

/// The warnings and scattering force of a run of the mining blockade under
/// FF.AA. control (every unit disperses) with `warning` minutes, and how
/// many people left on a warning.
fn dispersals(warning: &str, seed: u64) -> (Dispersals, u32) {
    let sets = ["command.model=ffaa_control", warning, &format!("metadata.seed={seed}")];
    let s = shipped("mining_corridor_blockade.ron", &sets);
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    let (mut by_task, mut since, mut left) = (Dispersals::new(), BTreeMap::new(), 0);
    while !sim.is_finished() {
        sim.step();
        sim.drain_arrests();
        for e in sim.drain_events() {
            match e {
                Event::TaskStarted { tick, unit, .. } => {
                    since.insert(unit, tick);
                }
                Event::DispersalWarned { tick, unit, left: l, .. } => {
                    let task = by_task.entry((unit, since[&unit])).or_default();
                    assert_eq!(task.0, None, "unit {unit} warned twice on one task");
                    task.0 = Some(tick);
                    left += l;
                }
                Event::UseOfForce {
                    tick,
                    unit,
                    task: mando::units::TaskKind::Disperse,
                    force: ForceLevel::NonLethalDefensiveTactics,
                    perceived_resistance,
                    ..
                } if perceived_resistance < Resistance::LethalAggression => {
                    by_task.entry((unit, since[&unit])).or_default().1.push(tick);
                }
                _ => {}
            }
        }
    }
    (by_task, left)
}

/// Dispersal warns first (issue 19, item 2): no gas or projectile short of
/// a lethal threat before the warning's time is up, and some of those
/// around leave on it; with no warning time, none is given.
#[test]
fn a_dispersal_squad_warns_and_waits_before_gas() {
    // Twenty minutes: four ticks of five.
    let (warned, left) = dispersals("force.dispersal_warning_minutes=20", 1);
    let mut scattered = 0;
    for ((unit, _), (warning, uses)) in &warned {
        let Some(&first) = uses.first() else { continue };
        let w = warning.unwrap_or_else(|| panic!("unit {unit} used gas at {first} unwarned"));
        assert!(first >= w + 4, "unit {unit} warned at {w} and used gas at {first}");
        scattered += uses.len();
    }
    assert!(scattered > 0 && left > 0, "{scattered} uses of gas, {left} left on a warning: the test means nothing");
    let (unwarned, left) = dispersals("force.dispersal_warning_minutes=0", 1);
    assert!(unwarned.values().all(|t| t.0.is_none()) && left == 0);
    assert!(unwarned.values().any(|t| !t.1.is_empty()));
}
