//! Who acts when within a tick: the two engines that run Epstein's rules.
//!
//! [`sequential`] gives every agent one turn in a random order, each seeing
//! what earlier agents did: the paper's, NetLogo's and Mesa's activation, and
//! the default. [`synchronous`] lets all civilians decide from one picture
//! (counted from prefix sums), then officers arrest, then everyone moves at
//! once with conflicts settled by lot: parallel and fast on large maps. Both
//! use the same rules from `civilians`, `police` and `movement`; the choice is
//! `rules.activation` in the scenario.

pub mod sequential;
pub mod synchronous;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use bevy_ecs::prelude::*;

use crate::civilians::{CivilianId, Condition, Disposition};
use crate::grid::{CellIndex, Grid, Occupant};
use crate::scenario::Activation;
use crate::sim::{AgentIndex, Clock, CurrentRules, Phase, Position};

/// Scratch for the parallel engine: what an agent intends this tick.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intent {
    /// Cell it wants to move to, or a suspect's id for an officer; NONE if
    /// nothing.
    pub target: u32,
    /// Its ticket in the lottery for that target (lower wins).
    pub ticket: u64,
}

impl Intent {
    pub const NONE: u32 = u32::MAX;
}

impl Default for Intent {
    fn default() -> Self {
        Intent { target: Intent::NONE, ticket: u64::MAX }
    }
}

/// Per-cell lottery for moves in the parallel engine: the lowest ticket
/// claiming a cell wins it. `fetch_min` is commutative, so the winner does
/// not depend on which thread claims first.
#[derive(Resource)]
pub struct Claims(pub Box<[AtomicU64]>);

impl Claims {
    pub fn new(cells: usize) -> Claims {
        Claims((0..cells).map(|_| AtomicU64::new(u64::MAX)).collect())
    }

    #[inline]
    pub fn claim(&self, cell: CellIndex, ticket: u64) {
        self.0[cell as usize].fetch_min(ticket, Relaxed);
    }

    #[inline]
    pub fn winner(&self, cell: CellIndex) -> u64 {
        self.0[cell as usize].load(Relaxed)
    }

    #[inline]
    pub fn clear(&self, cell: CellIndex) {
        self.0[cell as usize].store(u64::MAX, Relaxed);
    }
}

/// How often the civilians are re-stored in cell order.
#[derive(Resource, Debug, Clone, Copy)]
pub struct ResortEvery(pub u32);

fn is(mode: Activation) -> impl Fn(Res<CurrentRules>) -> bool + Clone {
    move |rules: Res<CurrentRules>| rules.0.activation == mode
}

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems((
        synchronous::count_what_agents_see.in_set(Phase::Sense).run_if(is(Activation::Synchronous)),
        synchronous::decide_together.in_set(Phase::Decide).run_if(is(Activation::Synchronous)),
        (
            sequential::take_turns.run_if(is(Activation::RandomSequential)),
            synchronous::choose_suspects.run_if(is(Activation::Synchronous)),
            synchronous::make_arrests.run_if(is(Activation::Synchronous)),
        )
            .chain()
            .in_set(Phase::Act),
        (synchronous::propose_moves, synchronous::settle_moves)
            .chain()
            .in_set(Phase::Move)
            .run_if(is(Activation::Synchronous)),
        resort_by_cell.in_set(Phase::Maintain),
    ));
}

/// Re-stores civilians in cell order every so often, so that the parallel
/// engine walks memory in step with the grid. Changes no outcome: every rule
/// keys its randomness and order on stable ids, never on storage.
pub fn resort_by_cell(world: &mut World) {
    let every = world.resource::<ResortEvery>().0;
    let tick = world.resource::<Clock>().tick;
    if every == 0 || tick % every != 0 || world.resource::<CurrentRules>().0.activation != Activation::Synchronous {
        return;
    }
    let mut q = world.query::<(Entity, &CivilianId, &Position, &Disposition, &Condition)>();
    let mut all: Vec<(Entity, CivilianId, Position, Disposition, Condition)> =
        q.iter(world).map(|(e, id, p, d, c)| (e, *id, *p, *d, *c)).collect();
    // Already in order (within a row): nothing to gain.
    if all.windows(2).all(|w| w[0].2.0 / 64 <= w[1].2.0 / 64) {
        return;
    }
    all.sort_unstable_by_key(|a| (a.2.0, a.1));
    for (e, ..) in &all {
        world.despawn(*e);
    }
    let ids: Vec<CivilianId> = all.iter().map(|a| a.1).collect();
    let entities: Vec<Entity> =
        world.spawn_batch(all.into_iter().map(|(_, id, p, d, c)| (id, p, d, c, Intent::default()))).collect();
    let mut index = world.resource_mut::<AgentIndex>();
    for (id, e) in ids.into_iter().zip(entities) {
        index.civilians[id.0 as usize] = e;
    }
}

/// The occupancy code of a civilian in a given condition.
#[inline]
pub fn civilian_code(id: CivilianId, condition: Condition) -> Occupant {
    Occupant::Civilian { id: id.0, active: condition == Condition::Active }
}

/// Moves an agent's mark on the grid.
#[inline]
pub fn relocate(grid: &Grid, from: CellIndex, to: CellIndex, who: Occupant) {
    grid.set(from, Occupant::Empty);
    grid.set(to, who);
}

/// Hash key of an agent in the random streams: civilians and officers have
/// separate id spaces.
#[inline]
pub fn civilian_key(id: CivilianId) -> u64 {
    id.0 as u64
}

#[inline]
pub fn officer_key(id: crate::police::OfficerId) -> u64 {
    id.0 as u64 | 1 << 40
}
