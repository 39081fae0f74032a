//! Synchronous activation, the parallel engine for large maps.
//!
//! Pattern: each phase reads one picture and writes disjoint data, so its
//! agents can run on any number of threads: civilians decide from counts of
//! the start-of-tick grid (prefix sums); officers each pick a suspect, and
//! two officers choosing the same one are settled by lot; agents propose a
//! free cell, and a per-cell lottery (the lowest ticket, drawn from the
//! seed) picks one winner per cell. Each chunk of agents enters its
//! tickets only in its own zone of cells and keeps the rest for after,
//! so no two threads ever write one cell's ticket.
//! Reasoning: the result depends only on the seed and the stable ids, never
//! on thread timing or storage order, and the work per agent is a few loads.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use super::{Intent, civilian_code, civilian_key, lottery_key, move_ticket, officer_key, relocate};
use crate::base::chunks::{chunk_starts, over_chunks, over_read_chunks};
use crate::base::radix::sort_by_u64_key;
use crate::base::rng::Stream;
use crate::base::{CurrentRules, CurrentTunables, Parallel, Position, TickDraws, TickRules};
use crate::civilians::storage::{Row, StorageRows};
use crate::civilians::{self, CivilianId, Condition, Disposition, Leaning};
use crate::crowd::CrowdMood;
use crate::crowd::purpose::Heading;
use crate::grid::Shapes;
use crate::grid::{CellIndex, DeferredClaims, EmptyCells, Grid, GridWrites, Occupant, VisionCounts, claim_zones};
use crate::movement;
use crate::police::{self, ArrestBooks, OfficerId};

/// Civilians' and officers' components are in tables (the default
/// storage), so their queries are always dense.
/// Reasoning: every phase runs over the tables' slices with
/// [`over_chunks`], which cuts them for the pool's workers and the calling
/// thread. Bevy's `par_iter` counts only the workers, and with the one
/// worker of two threads ran everything on one thread.
const DENSE: &str = "agents' components are stored in tables";

pub fn count_what_agents_see(
    grid: Res<Grid>,
    tunables: Res<CurrentTunables>,
    parallel: Res<Parallel>,
    mut counts: ResMut<VisionCounts>,
) {
    let t = tunables.0;
    counts.rebuild(&grid, t.civilian_vision_cells.max(t.police_vision_cells), parallel.0);
}

/// What agents see in the synchronous engine: the grid, the counts of it
/// within vision (prefix sums of the start-of-tick picture) and the
/// shapes of vision.
#[derive(SystemParam)]
pub struct Sight<'w> {
    grid: Res<'w, Grid>,
    counts: Res<'w, VisionCounts>,
    shapes: Res<'w, Shapes>,
}

/// [`Sight`] for the decisions, which also mark who turns active on the grid.
#[derive(SystemParam)]
pub struct SightThatMarks<'w> {
    grid: ResMut<'w, Grid>,
    counts: Res<'w, VisionCounts>,
    shapes: Res<'w, Shapes>,
}

pub fn decide_together(
    sight: SightThatMarks,
    tunables: Res<CurrentTunables>,
    rules: Res<CurrentRules>,
    parallel: Res<Parallel>,
    mood: Option<Res<CrowdMood>>,
    mut civilians: Query<(&CivilianId, &Position, &Disposition, &mut Condition)>,
) {
    let SightThatMarks { mut grid, counts, shapes } = sight;
    let (grid, shape) = (grid.writes(), &shapes.civilian);
    let viewer = counts.viewer(shape);
    let viewer = &viewer;
    let mood = mood.as_deref();
    let t = tunables.0;
    let odds = civilians::ArrestOdds::new(t.arrest_constant_k, rules.0.arrest_ratio_rounding);
    let odds = &odds;
    let common = Leaning::common_mood(&t);
    // Over the table's slices, so that the loop body is inlined and writes
    // skip change detection (nothing reads it).
    for (ids, cells, dispositions, mut conditions) in civilians.contiguous_iter_mut().expect(DENSE) {
        over_chunks(parallel.0, conditions.bypass_change_detection(), |first, conditions| {
            // In blocks of 64. Whether a civilian hesitates is a coin toss
            // per civilian, so a branch on it was often mispredicted: the
            // sure ones are settled without one, and the hesitant are then
            // visited through a bit mask and counted.
            for (b, block) in conditions.chunks_mut(64).enumerate() {
                let at = first + 64 * b;
                let (ids, cells, dispositions) = (&ids[at..], &cells[at..], &dispositions[at..]);
                let set = |condition: &mut Condition, j: usize, active: bool| {
                    *condition = if active { Condition::Active } else { Condition::Quiescent };
                    grid.set(cells[j].0, civilian_code(ids[j], *condition));
                };
                let mut hesitant = 0u64;
                for (j, condition) in block.iter_mut().enumerate() {
                    let lean = leaning(mood, common, &t, &dispositions[j], cells[j].0, ids[j]);
                    let was_active = *condition == Condition::Active;
                    let out = condition.is_out();
                    let hesitates = !out & !(lean.quiet | lean.bold);
                    hesitant |= (hesitates as u64) << j;
                    let active = if out | hesitates { was_active } else { lean.bold };
                    if active != was_active {
                        set(condition, j, active);
                    }
                }
                for_each_bit(hesitant, |j| {
                    let condition = &mut block[j];
                    let lean = leaning(mood, common, &t, &dispositions[j], cells[j].0, ids[j]);
                    let was_active = *condition == Condition::Active;
                    let (officers, actives) = viewer.count(cells[j].0);
                    let active = lean.rebels_at(odds.probability(officers, actives - was_active as u32 + 1));
                    if active != was_active {
                        set(condition, j, active);
                    }
                });
            }
        });
    }
}

/// What a civilian leans to before any count: under the common mood, or
/// its own where crowds have moods. A function forced inline, not a
/// closure: as a closure LLVM inlined it into one thread count's copy of
/// the loop and called it per civilian from the other's, which made
/// deciding on two threads no faster than on one.
#[inline(always)]
fn leaning(
    mood: Option<&CrowdMood>,
    common: civilians::Mood,
    t: &crate::scenario::Tunables,
    d: &Disposition,
    cell: CellIndex,
    id: CivilianId,
) -> Leaning {
    match mood {
        None => Leaning::of(d, common),
        Some(m) => Leaning::of(d, m.mood_for(cell, id, t)),
    }
}

/// Recounts after the decisions, so officers see who is active now.
pub fn recount_after_decisions(
    grid: Res<Grid>,
    tunables: Res<CurrentTunables>,
    parallel: Res<Parallel>,
    counts: ResMut<VisionCounts>,
) {
    count_what_agents_see(grid, tunables, parallel, counts);
}

pub fn choose_suspects(
    sight: Sight,
    draws: TickDraws,
    parallel: Res<Parallel>,
    mut officers: Query<(&OfficerId, &Position, &mut Intent), Without<CivilianId>>,
) {
    let (Sight { grid, counts, shapes }, TickDraws { clock, streams }) = (sight, draws);
    let (grid, counts, shape, tick) = (&*grid, &*counts, &shapes.officer, clock.tick);
    let viewer = counts.viewer(shape);
    let viewer = &viewer;
    let draws = streams.draws(Stream::Arrest);
    let salt = draws.u64(u64::MAX, tick, 0);
    for (ids, cells, mut intents) in officers.contiguous_iter_mut().expect(DENSE) {
        over_chunks(parallel.0, intents.bypass_change_detection(), |first, intents| {
            for ((id, pos), intent) in ids[first..].iter().zip(&cells[first..]).zip(intents) {
                let key = officer_key(*id);
                // A uniformly random active within vision, found through the counts.
                let (_, actives) = viewer.count(pos.0);
                let suspect = (actives > 0)
                    .then(|| viewer.nth_active(grid, pos.0, draws.below(actives, key, tick, 0)))
                    .flatten()
                    .filter(|&cell| matches!(Occupant::decode(grid.code(cell)), Occupant::Civilian { .. }));
                *intent = match suspect {
                    Some(suspect) => {
                        Intent { target: suspect, ticket: move_ticket(lottery_key(None, Some(*id)), salt) }
                    }
                    None => Intent::default(),
                };
            }
        });
    }
}

/// Reused memory for [`make_arrests`].
#[derive(Default)]
pub struct ArrestWork {
    /// (suspect, ticket, officer, suspect's cell) for every officer with a
    /// suspect.
    wanted: Vec<(u32, u32, OfficerId, CellIndex)>,
    /// Second buffer of the sorts.
    sorting: Vec<(u32, u32, OfficerId, CellIndex)>,
    /// The suspects, and where each is stored.
    suspects: Vec<CivilianId>,
    rows: Vec<Option<Row>>,
    /// (civilian, cell, jail term, officer) of this tick's arrests.
    locked_up: Vec<(CivilianId, CellIndex, u32, OfficerId)>,
    booking: Vec<(CivilianId, CellIndex, u32, OfficerId)>,
}

/// How many arrests ahead a suspect's condition is fetched.
const ARREST_AHEAD: usize = 16;

/// The civilians officers may arrest, reached by id through where each is
/// stored.
#[derive(SystemParam)]
pub struct Suspects<'w, 's> {
    storage: ResMut<'w, StorageRows>,
    civilians: Query<'w, 's, (&'static CivilianId, &'static Position, &'static mut Condition), Without<OfficerId>>,
}

pub fn make_arrests(
    now: TickRules,
    mut grid: ResMut<Grid>,
    parallel: Res<Parallel>,
    books: ArrestBooks,
    suspects_by_id: Suspects,
    officers: Query<(&OfficerId, &Intent), Without<CivilianId>>,
    mut work: Local<ArrestWork>,
) {
    let TickRules { clock, streams, tunables, rules } = now;
    let ArrestBooks { mut log, mut roster } = books;
    let Suspects { mut storage, mut civilians } = suspects_by_id;
    let ArrestWork { wanted, sorting, suspects, rows, locked_up, booking } = &mut *work;
    wanted.clear();
    // The grid is as the officers saw it: each target cell holds the
    // suspect they chose. Read over the threads (a load of a random cell
    // per officer).
    for (ids, intents) in officers.contiguous_iter().expect(DENSE) {
        let found = over_read_chunks(parallel.0, intents, |first, intents| {
            let chosen = ids[first..].iter().zip(intents).filter(|(_, i)| i.target != Intent::NONE);
            let suspects = chosen.filter_map(|(id, i)| match Occupant::decode(grid.code(i.target)) {
                Occupant::Civilian { id: suspect, .. } => Some((suspect, i.ticket, *id, i.target)),
                _ => None,
            });
            suspects.collect::<Vec<_>>()
        });
        wanted.extend(found.into_iter().flatten());
    }
    // One officer per suspect: the lowest ticket wins (officers' tickets
    // are all different); the others arrest nobody this tick. Sorted by
    // suspect alone, then the lowest ticket kept from each run: the ids'
    // twenty-odd bits take two radix passes, with the tickets five.
    sort_by_u64_key(wanted, sorting, |w| w.0 as u64);
    wanted.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same && later.1 < kept.1 {
            *kept = *later;
        }
        same
    });
    // The suspects are reached by id through where they are stored (a few
    // thousand of a million civilians: a pass over the table cost more).
    // The grid names the civilian standing in each suspect's cell, so its
    // own cell is that one.
    let mut tables: Vec<_> = civilians.contiguous_iter_mut().expect(DENSE).collect();
    let id_columns: Vec<&[CivilianId]> = tables.iter().map(|t| t.0).collect();
    suspects.clear();
    suspects.extend(wanted.iter().map(|w| CivilianId(w.0)));
    storage.find(&id_columns, suspects, rows, parallel.0);
    let (grid, terms, tick) = (grid.writes(), streams.draws(Stream::JailTerm), clock.tick);
    let how =
        police::Jailing { keep_cell: rules.0.jailed_keep_cell, max_term: tunables.0.max_jail_term_ticks, terms, tick };
    locked_up.clear();
    for (i, (&(suspect, _, officer, cell), row)) in wanted.iter().zip(rows.iter()).enumerate() {
        if let Some(Some(later)) = rows.get(i + ARREST_AHEAD) {
            crate::memory::prefetch(&tables[later.table as usize].2[later.row as usize]);
        }
        let Some(row) = row else { continue };
        let (_, cells, conditions) = &mut tables[row.table as usize];
        debug_assert_eq!(cells[row.row as usize].0, cell, "the grid and the table agree on the suspect's cell");
        let id = CivilianId(suspect);
        let term = police::lock_up(grid, &mut conditions.bypass_change_detection()[row.row as usize], id, cell, how);
        locked_up.push((id, cell, term, officer));
    }
    // Booked in officer-id order, one arrest per officer: releases go by
    // (end of term, id), so the order of the lookups is not seen.
    sort_by_u64_key(locked_up, booking, |a| a.3.0 as u64);
    for &(id, cell, term, officer) in locked_up.iter() {
        log.record(&grid, police::Arrester::Officer(officer), id, cell, term, tick);
    }
    roster.admit_all(tick, locked_up.iter().map(|&(id, _, term, _)| (id, term)));
}

/// The agents that propose moves, civilians and officers, with their
/// intents to fill.
#[derive(SystemParam)]
pub struct Movers<'w, 's> {
    civilians: Query<
        'w,
        's,
        (&'static CivilianId, &'static Position, &'static Condition, &'static mut Intent),
        Without<OfficerId>,
    >,
    officers: Query<'w, 's, (&'static OfficerId, &'static Position, &'static mut Intent), Without<CivilianId>>,
}

pub fn propose_moves(
    draws: TickDraws,
    mut grid: ResMut<Grid>,
    shapes: Res<Shapes>,
    parallel: Res<Parallel>,
    mood: Option<Res<CrowdMood>>,
    mut empty: ResMut<EmptyCells>,
    movers: Movers,
) {
    let TickDraws { clock, streams } = draws;
    let Movers { mut civilians, mut officers } = movers;
    empty.refresh(&grid, parallel.0);
    let (grid, empty, tick) = (grid.writes(), &*empty, clock.tick);
    let is_empty = |c| empty.is_empty(c);
    let mood = mood.as_deref();
    let draws = streams.draws(Stream::Movement);
    let salt = draws.u64(u64::MAX, tick, 0);
    let shape = &shapes.civilian;
    // Each chunk claims in its own zone of cells; the claims it keeps for
    // other zones are entered once all chunks are done.
    let mut elsewhere = Vec::new();
    for (ids, cells, conditions, mut intents) in civilians.contiguous_iter_mut().expect(DENSE) {
        let starts = chunk_starts(parallel.0, cells.len());
        let zones = claim_zones(&starts, grid.cells(), |i| cells[i].0);
        let (starts, zones) = (&starts, &zones);
        elsewhere.extend(over_chunks(parallel.0, intents.bypass_change_detection(), |first, intents| {
            let n = intents.len();
            let mut claims = DeferredClaims::new(grid, zones[zone_of(starts, first)].clone());
            let agents = ids[first..][..n].iter().zip(&cells[first..][..n]).zip(&conditions[first..][..n]);
            for (((id, pos), condition), intent) in agents.zip(intents) {
                let key = civilian_key(*id);
                let holds = mood.is_some_and(|m| m.holds_cell(pos.0, *id, *condition));
                let proposal = if condition.is_out() || holds {
                    None
                } else {
                    let heading = mood.map_or(Heading::Wander, |m| m.heading(*id));
                    heading.step_past(mood.map(|m| &m.cordons), &grid, is_empty, pos.0, shape, draws.agent(key, tick))
                };
                *intent = match proposal {
                    Some(to) => {
                        let t = move_ticket(lottery_key(Some(*id), None), salt);
                        claims.claim(to, t);
                        Intent { target: to, ticket: t }
                    }
                    None => Intent::default(),
                };
            }
            claims.finish()
        }));
    }
    grid.claim_all(elsewhere.drain(..).flatten());
    let shape = &shapes.officer;
    for (ids, cells, mut intents) in officers.contiguous_iter_mut().expect(DENSE) {
        let starts = chunk_starts(parallel.0, cells.len());
        let zones = claim_zones(&starts, grid.cells(), |i| cells[i].0);
        let (starts, zones) = (&starts, &zones);
        elsewhere.extend(over_chunks(parallel.0, intents.bypass_change_detection(), |first, intents| {
            let mut claims = DeferredClaims::new(grid, zones[zone_of(starts, first)].clone());
            for ((id, pos), intent) in ids[first..].iter().zip(&cells[first..]).zip(intents) {
                let key = officer_key(*id);
                *intent = match movement::propose_empty_where(&grid, is_empty, pos.0, shape, draws.agent(key, tick)) {
                    Some(to) => {
                        let t = move_ticket(lottery_key(None, Some(*id)), salt);
                        claims.claim(to, t);
                        Intent { target: to, ticket: t }
                    }
                    None => Intent::default(),
                };
            }
            claims.finish()
        }));
    }
    grid.claim_all(elsewhere.drain(..).flatten());
}

/// The chunk starting at `first`, among chunks starting at `starts`.
fn zone_of(starts: &[usize], first: usize) -> usize {
    starts.partition_point(|&s| s <= first) - 1
}

/// Bit `j` set when agent `j` of `intents` (at most 64) holds the lowest
/// ticket for the cell it claimed, tested without a branch.
#[inline]
fn winners(grid: &Grid, intents: &[Intent]) -> u64 {
    let mut won = 0u64;
    for (j, intent) in intents.iter().enumerate() {
        let claimed = intent.target != Intent::NONE;
        // An agent that claimed nothing reads cell 0 and is not counted.
        let cell = if claimed { intent.target } else { 0 };
        won |= ((claimed & (grid.claim_winner(cell) == intent.ticket)) as u64) << j;
    }
    won
}

/// Calls `f` with the index of every set bit of `bits`, lowest first.
#[inline(always)]
fn for_each_bit(mut bits: u64, mut f: impl FnMut(usize)) {
    while bits != 0 {
        f(bits.trailing_zeros() as usize);
        bits &= bits - 1;
    }
}

pub fn settle_moves(
    mut grid: ResMut<Grid>,
    parallel: Res<Parallel>,
    mut civilians: Query<(&CivilianId, &mut Position, &Condition, &Intent), Without<OfficerId>>,
    mut officers: Query<(&OfficerId, &mut Position, &Intent), Without<CivilianId>>,
) {
    let grid = grid.writes();
    // Winners move, writing only their old cell and the cell they won.
    for (ids, mut cells, conditions, intents) in civilians.contiguous_iter_mut().expect(DENSE) {
        over_chunks(parallel.0, cells.bypass_change_detection(), |first, cells| {
            let n = cells.len();
            let (ids, conditions) = (&ids[first..][..n], &conditions[first..][..n]);
            settle_claimants(grid, cells, &intents[first..][..n], |j| civilian_code(ids[j], conditions[j]));
        });
    }
    for (ids, mut cells, intents) in officers.contiguous_iter_mut().expect(DENSE) {
        over_chunks(parallel.0, cells.bypass_change_detection(), |first, cells| {
            let ids = &ids[first..];
            settle_claimants(grid, cells, &intents[first..], |j| Occupant::Officer { id: ids[j].0 });
        });
    }
}

/// How many agents ahead the settling fetches the lottery of the cell
/// claimed (measured against 64: `docs/performance.md`).
const SETTLE_AHEAD: usize = 128;

/// Moves the winners among the agents standing on `cells` (whose claims
/// are `intents`, and who are `who(j)` on the grid) to the cells they won,
/// clearing those cells' lottery for the next tick; the others stay. A
/// loser never holds the winning ticket, so it loses whether it looks
/// before or after the winner clears: the outcome does not depend on thread
/// timing. In blocks of 64, as the decisions: who won is a coin toss per
/// agent, so the tickets are compared without a branch and the winners
/// then visited through a bit mask.
#[inline]
fn settle_claimants(grid: GridWrites, cells: &mut [Position], intents: &[Intent], who: impl Fn(usize) -> Occupant) {
    for (b, cells) in cells.chunks_mut(64).enumerate() {
        let at = 64 * b;
        // The lottery of the cells claimed SETTLE_AHEAD agents on: claimed while
        // every agent proposed, it has left the caches since, and waiting
        // on it was most of this phase.
        for next in intents[(at + SETTLE_AHEAD).min(intents.len())..].iter().take(64) {
            grid.prefetch_claim(if next.target != Intent::NONE { next.target } else { 0 });
        }
        let intents = &intents[at..][..cells.len()];
        for_each_bit(winners(&grid, intents), |j| {
            let target = intents[j].target;
            grid.clear_claim(target);
            relocate(grid, cells[j].0, target, who(at + j));
            cells[j].0 = target;
        });
    }
}
