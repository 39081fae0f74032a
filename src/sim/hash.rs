//! The state hash: one fingerprint of everything in the world that can
//! change during a run, the same whatever the thread count or the order
//! agents are stored in. Equal hashes mean equal worlds (up to collisions).
//!
//! *Pattern:* agents are gathered by query and written in id order; each
//! resource writes itself ([`Fingerprint`], next to its type, so a field
//! added to it is a compile error until the fingerprint says whether it is
//! state); the security operation's resources, absent from a pure crowd
//! model, are skipped when absent. Each part opens with its own tag.
//! *Reasoning:* the determinism tests compare these hashes tick by tick, so
//! what is left out is what they cannot see.
//!
//! Covered: the clock and the tunables in force; every civilian (id, cell,
//! condition, disposition), officer (id, cell) and unit (id, cell,
//! strength, task, path, stress, last use of force, commander); the grid's
//! occupancy and the jail roster; with an operation, the true situation,
//! the legal regime of every zone, command's state (arrangement, pictures,
//! ledgers, units' books, messages in flight), the crowd's mood
//! (legitimacy, identity, flashpoints, backlash, dialogue), the escalation
//! phase and its clocks, and command's and the use of force's counters;
//! the changes made during the run (injects, decisions' changes: so two
//! branches that differ only in a force or law setting differ here) and
//! where each decision point stands.
//!
//! Left out, as fixed for the run or scratch rebuilt before it is read:
//! the scenario's settings and rules, the map and terrain, zones, sectors
//! and command nodes, random streams (stateless), vision shapes and
//! counts, the empty-cell snapshot, the move lottery, intents, the storage
//! rows and the agent index (where agents are stored, which must not
//! matter), the tick's census, the arrest log and event journal (drained
//! into the output files every tick), and wall-clock phase timings.

use bevy_ecs::prelude::*;

use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::base::{Clock, CurrentTunables, Position};
use crate::changes::live::LiveChanges;
use crate::civilians::{CivilianId, Condition, Disposition, JailRoster};
use crate::command::{CommandState, Commander};
use crate::crowd::CrowdMood;
use crate::decisions::{DecisionBook, DecisionState};
use crate::detention::Detention;
use crate::grid::Grid;
use crate::law::{ArmedAttacks, LegalState};
use crate::metrics::escalation::Escalation;
use crate::metrics::{CommandMetrics, ForceMetrics};
use crate::police::OfficerId;
use crate::situation::Situation;
use crate::units::{AuthorityRequests, Tasking, Unit, UnitId};

/// Opens each part of the hash: `PART | n` for part `n`.
const PART: u64 = 0x6d61_6e64_6f00_0000;

/// The fingerprint of `world` (see the module's documentation).
pub fn state_hash(world: &mut World) -> u64 {
    let mut h = Fnv::default();
    h.u64(PART);
    h.u32(world.resource::<Clock>().tick);
    world.resource::<CurrentTunables>().0.fingerprint(&mut h);
    civilians(world, &mut h);
    officers(world, &mut h);
    units(world, &mut h);
    let world: &World = world;
    part::<Grid>(world, 4, &mut h);
    part::<JailRoster>(world, 5, &mut h);
    part::<Situation>(world, 6, &mut h);
    part::<LegalState>(world, 7, &mut h);
    part::<CommandState>(world, 8, &mut h);
    part::<CrowdMood>(world, 9, &mut h);
    part::<Escalation>(world, 10, &mut h);
    part::<CommandMetrics>(world, 11, &mut h);
    part::<ForceMetrics>(world, 12, &mut h);
    part::<Detention>(world, 13, &mut h);
    part::<ArmedAttacks>(world, 14, &mut h);
    part::<AuthorityRequests>(world, 15, &mut h);
    // Changes during a run and decision points (absent from most runs:
    // then nothing is written, so their hashes are as before).
    if let Some(live) = world.get_resource::<LiveChanges>().filter(|l| !l.made.is_empty()) {
        h.u64(PART | 16);
        h.each(&live.made, |h, (tick, o)| {
            h.u32(*tick);
            for b in o.path.bytes().chain([0xff]).chain(o.value.bytes()) {
                h.u32(b as u32);
            }
            h.u32(0xffff);
        });
    }
    if let Some(book) = world.get_resource::<DecisionBook>().filter(|b| !b.0.is_empty()) {
        h.u64(PART | 17);
        h.each(&book.0, |h, s| {
            let (kind, tick, choice) = match *s {
                DecisionState::Waiting => (0, 0, 0),
                DecisionState::Due { tick } => (1, tick, 0),
                // Before the start, the choice is part of the scenario (an
                // explicit --set may overrule it): the state is the same.
                DecisionState::Taken { tick: 0, .. } => (3, 0, 0),
                DecisionState::Taken { tick, choice } => (2, tick, choice as u32),
            };
            h.u32(kind);
            h.u32(tick);
            h.u32(choice);
        });
    }
    h.finish()
}

/// A resource's fingerprint after its tag; nothing if the world has none.
fn part<R: Resource + Fingerprint>(world: &World, n: u64, h: &mut Fnv) {
    if let Some(r) = world.get_resource::<R>() {
        h.u64(PART | n);
        r.fingerprint(h);
    }
}

fn civilians(world: &mut World, h: &mut Fnv) {
    let mut civ: Vec<(u32, u32, Condition, Disposition)> = world
        .query::<(&CivilianId, &Position, &Condition, &Disposition)>()
        .iter(world)
        .map(|(id, p, c, d)| (id.0, p.0, *c, *d))
        .collect();
    civ.sort_unstable_by_key(|c| c.0);
    h.u64(PART | 1);
    h.each(&civ, |h, &(id, cell, condition, d)| {
        h.u32(id);
        h.u32(cell);
        let (kind, until) = match condition {
            Condition::Quiescent => (0, 0),
            Condition::Active => (1, 0),
            Condition::Jailed { until_tick } => (2, until_tick),
            Condition::Dead => (3, 0),
        };
        h.u32(kind);
        h.u32(until);
        h.f64(d.hardship);
        h.f64(d.risk_aversion);
    });
}

fn officers(world: &mut World, h: &mut Fnv) {
    let mut off: Vec<(u32, u32)> =
        world.query::<(&OfficerId, &Position)>().iter(world).map(|(id, p)| (id.0, p.0)).collect();
    off.sort_unstable();
    h.u64(PART | 2);
    h.each(&off, |h, &(id, cell)| {
        h.u32(id);
        h.u32(cell);
    });
}

fn units(world: &mut World, h: &mut Fnv) {
    let mut query = world.query::<(&UnitId, &Position, &Unit, &Tasking, Option<&Commander>)>();
    let mut units: Vec<_> = query.iter(world).collect();
    units.sort_unstable_by_key(|u| *u.0);
    h.u64(PART | 3);
    h.each(&units, |h, &(id, pos, unit, tasking, commander)| {
        h.u32(id.0);
        h.u32(pos.0);
        unit.fingerprint(h);
        tasking.fingerprint(h);
        h.opt(commander.map(|c| c.0 as u32));
    });
}
