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

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use crate::base::chunks::over_chunks;
use crate::base::radix::sort_by_u64_key;
use crate::civilians::{CivilianId, Condition, Disposition};
use crate::grid::{CellIndex, GridWrites, Occupant};
use crate::police::OfficerId;
use crate::scenario::Activation;

use crate::base::{AgentIndex, Clock, CurrentRules, Parallel, Phase, Position, Step};

pub use crate::base::Intent;

/// A lottery ticket (moves, and officers contending for one suspect): a bijection of the agent's 31-bit
/// key keyed by the tick's salt, so no two agents share a ticket in a tick
/// (a tie would let both move into one cell) and the order looks random.
#[inline]
pub fn move_ticket(agent: u32, salt: u64) -> u32 {
    const MASK: u32 = (1 << 31) - 1;
    let mut x = (agent ^ salt as u32) & MASK;
    // xorshifts and odd multiplications are bijections modulo 2^31.
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d) & MASK;
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b) & MASK;
    x ^= x >> 16;
    (x ^ (salt >> 32) as u32) & MASK
}

/// How often the civilians are re-stored in cell order.
#[derive(Resource, Debug, Clone, Copy)]
pub struct ResortEvery(pub u32);

fn is(mode: Activation) -> impl Fn(Res<CurrentRules>) -> bool + Clone {
    move |rules: Res<CurrentRules>| rules.0.activation == mode
}

/// The engine's setting for a new world: how often civilians are re-stored.
pub fn setup(world: &mut World, resort_every_ticks: u32) {
    world.insert_resource(ResortEvery(resort_every_ticks));
}

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems((
        synchronous::count_what_agents_see.in_set(Phase::Sense).run_if(is(Activation::Synchronous)),
        synchronous::decide_together.in_set(Phase::Decide).run_if(is(Activation::Synchronous)),
        (
            sequential::take_turns.run_if(is(Activation::RandomSequential)),
            synchronous::recount_after_decisions.run_if(is(Activation::Synchronous)),
            synchronous::choose_suspects.run_if(is(Activation::Synchronous)),
            synchronous::make_arrests.run_if(is(Activation::Synchronous)),
        )
            .chain()
            .in_set(Step::CrowdActs),
        (synchronous::propose_moves, synchronous::settle_moves)
            .chain()
            .in_set(Step::CrowdMoves)
            .run_if(is(Activation::Synchronous)),
        resort_by_cell.in_set(Phase::Maintain),
    ));
}

/// Reused memory for [`resort_by_cell`].
#[derive(Default)]
pub struct ResortBuffers {
    /// The civilians' columns as they were, all tables one after another.
    ids: Vec<CivilianId>,
    cells: Vec<Position>,
    dispositions: Vec<Disposition>,
    conditions: Vec<Condition>,
    /// (cell << 32 | old row) per civilian, sorted by cell; and the sort's
    /// second buffer.
    order: Vec<u64>,
    sorting: Vec<u64>,
    officers: Vec<(CellIndex, OfficerId, Intent)>,
}

/// When the agents are re-stored: every [`ResortEvery`] ticks, and only
/// under the synchronous engine, which walks the tables in storage order.
#[derive(SystemParam)]
pub struct ResortDue<'w> {
    clock: Res<'w, Clock>,
    every: Res<'w, ResortEvery>,
    rules: Res<'w, CurrentRules>,
}

/// Re-stores civilians and officers in cell order every so often, so that
/// the parallel engine walks memory in step with the grid. Their data is
/// sorted by cell and written back into the same entities in storage order
/// (no despawning). Changes no outcome: every rule keys its randomness and order
/// on stable ids, never on storage.
pub fn resort_by_cell(
    due: ResortDue,
    mut index: ResMut<AgentIndex>,
    mut civilians: Query<
        (Entity, &mut CivilianId, &mut Position, &mut Disposition, &mut Condition),
        Without<OfficerId>,
    >,
    mut officers: Query<(Entity, &mut OfficerId, &mut Position, &mut Intent), Without<CivilianId>>,
    parallel: Res<Parallel>,
    mut buffers: Local<ResortBuffers>,
) {
    let ResortBuffers {
        ids: old_ids,
        cells: old_cells,
        dispositions: old_dispositions,
        conditions: old_conditions,
        order,
        sorting,
        officers: by_cell,
    } = &mut *buffers;
    let ResortDue { clock, every, rules } = due;
    if every.0 == 0 || !clock.tick.is_multiple_of(every.0) || rules.0.activation != Activation::Synchronous {
        return;
    }
    // Officers too: in id order they stand anywhere, and each of their
    // counts and moves missed every cache (a comparison sort: they are few).
    by_cell.clear();
    by_cell.extend(officers.iter().map(|(_, id, p, i)| (p.0, *id, *i)));
    if !by_cell.is_sorted_by_key(|o| o.0) {
        by_cell.sort_unstable_by_key(|o| (o.0, o.1));
        for ((entity, mut id, mut pos, mut intent), &(cell, new_id, new_intent)) in
            officers.iter_mut().zip(by_cell.iter())
        {
            *id = new_id;
            pos.0 = cell;
            *intent = new_intent;
            index.officers[new_id.0 as usize] = Some(entity);
        }
    }
    const DENSE: &str = "civilian components are stored in tables";
    old_cells.clear();
    for (_, _, cells, _, _) in civilians.contiguous_iter().expect(DENSE) {
        old_cells.extend_from_slice(cells);
    }
    if old_cells.is_sorted_by_key(|p| p.0) {
        return;
    }
    // The rest of the columns as they are (copies of whole slices), then
    // the new order as a permutation: a radix sort of one 64-bit word per
    // civilian by its cell, two passes, stable, so ties (a jailed
    // civilian's old cell, now taken) keep their storage order; storage
    // order never affects an outcome. Moving whole 32-byte rows through a
    // counting sort over every cell was most of the re-sort's time.
    old_ids.clear();
    old_dispositions.clear();
    old_conditions.clear();
    for (_, ids, _, dispositions, conditions) in civilians.contiguous_iter().expect(DENSE) {
        old_ids.extend_from_slice(ids);
        old_dispositions.extend_from_slice(dispositions);
        old_conditions.extend_from_slice(conditions);
    }
    order.clear();
    order.extend(old_cells.iter().enumerate().map(|(row, p)| (p.0 as u64) << 32 | row as u64));
    sort_by_u64_key(order, sorting, |&o| o >> 32);
    let order = &*order;
    let mut first = 0;
    for (entities, mut ids, mut cells, mut dispositions, mut conditions) in
        civilians.contiguous_iter_mut().expect(DENSE)
    {
        let from = |j: usize| order[first + j] as u32 as usize;
        write_column(parallel.0, ids.bypass_change_detection(), |j| old_ids[from(j)]);
        write_column(parallel.0, cells.bypass_change_detection(), |j| old_cells[from(j)]);
        write_column(parallel.0, dispositions.bypass_change_detection(), |j| old_dispositions[from(j)]);
        write_column(parallel.0, conditions.bypass_change_detection(), |j| old_conditions[from(j)]);
        // The index by id: a write to a random place per civilian, each
        // fetched some civilians ahead.
        const AHEAD: usize = 16;
        let ids = &*ids;
        for (j, (&entity, id)) in entities.iter().zip(ids.iter()).enumerate() {
            if let Some(next) = ids.get(j + AHEAD) {
                crate::memory::prefetch(&index.civilians[next.0 as usize]);
            }
            index.civilians[id.0 as usize] = entity;
        }
        first += entities.len();
    }
}

/// Fills one column of the civilians' table with `value(row)`.
fn write_column<T: Send>(parallel: bool, out: &mut [T], value: impl Fn(usize) -> T + Sync) {
    over_chunks(parallel, out, |first, out| out.iter_mut().enumerate().for_each(|(j, o)| *o = value(first + j)));
}

/// The occupancy code of a civilian in a given condition.
#[inline]
pub fn civilian_code(id: CivilianId, condition: Condition) -> Occupant {
    Occupant::Civilian { id: id.0, active: condition == Condition::Active }
}

/// Moves an agent's mark on the grid.
#[inline]
pub fn relocate(grid: GridWrites, from: CellIndex, to: CellIndex, who: Occupant) {
    grid.set(from, Occupant::Empty);
    grid.set(to, who);
}

/// 31-bit key of an agent for the move lottery: civilians and officers have
/// separate id spaces (ids fit in 29 bits).
#[inline]
pub fn lottery_key(civilian: Option<CivilianId>, officer: Option<crate::police::OfficerId>) -> u32 {
    match (civilian, officer) {
        (Some(c), _) => c.0,
        (None, Some(o)) => o.0 | 1 << 30,
        (None, None) => 0,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::UNCLAIMED;

    #[test]
    fn move_tickets_are_unique_and_never_unclaimed() {
        for salt in [0u64, 0xdead_beef_1234_5678, u64::MAX] {
            let mut seen = std::collections::HashSet::new();
            for agent in (0..200_000u32).chain((0..200_000).map(|i| i | 1 << 30)) {
                let t = move_ticket(agent, salt);
                assert!(t < UNCLAIMED);
                assert!(seen.insert(t), "duplicate ticket");
            }
        }
    }
}
