//! Police officers in Epstein's model: each arrests one random active
//! civilian within its vision, who goes to jail for a random term of 0 to
//! the maximum ticks.

use std::fmt;

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use serde::Serialize;

use crate::base::rng::{AgentDraws, Draws};
use crate::base::{AgentIndex, Intent, Position};
use crate::civilians::{CivilianId, Condition, JailRoster};
use crate::grid::{CellIndex, Grid, GridWrites, Occupant, Shape, is_active_code};
use crate::scenario::Scenario;

/// An officer's stable id, 0-based in creation order.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct OfficerId(pub u32);

impl fmt::Display for OfficerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p{}", self.0)
    }
}

/// Who made an arrest: one of Epstein's officers or a security unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrester {
    Officer(OfficerId),
    Unit(u32),
}

/// One arrest, as written to `events.jsonl`: `officer` or `unit` names who
/// made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arrest {
    pub tick: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub officer: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<u32>,
    pub civilian: u32,
    /// (x, y) of the civilian when arrested.
    pub cell: (u32, u32),
    pub jail_term_ticks: u32,
}

/// Arrests not yet written out (drained by the runner), in the order they
/// were made; like the `EventLog`, it knows where the current tick's begin.
#[derive(Resource, Debug, Default, Clone)]
pub struct ArrestLog {
    events: Vec<Arrest>,
    tick_start: usize,
}

/// A uniformly random active civilian within vision: (its id, its cell).
pub fn pick_suspect(grid: &Grid, cell: CellIndex, shape: &Shape, rng: AgentDraws) -> Option<(u32, CellIndex)> {
    pick_suspect_where(grid, cell, shape, rng, 0, |_| true)
}

/// A uniformly random active civilian within vision on a cell that passes
/// `seen` (what the arrester sees there), by draw number `draw`.
pub fn pick_suspect_where(
    grid: &Grid,
    cell: CellIndex,
    shape: &Shape,
    rng: AgentDraws,
    draw: u32,
    seen: impl Fn(CellIndex) -> bool,
) -> Option<(u32, CellIndex)> {
    let (c, code) = grid.random_cell_where(cell, shape, |c, code| is_active_code(code) && seen(c), rng, draw)?;
    match Occupant::decode(code) {
        Occupant::Civilian { id, .. } => Some((id, c)),
        _ => None,
    }
}

/// How arrests jail this tick: whether the jailed keep their cell, the
/// longest term, the stream terms are drawn from.
#[derive(Debug, Clone, Copy)]
pub struct Jailing {
    pub keep_cell: bool,
    pub max_term: u32,
    pub terms: Draws,
    pub tick: u32,
}

/// The books an arrest is entered in: the jail roster and the arrest log.
#[derive(SystemParam)]
pub struct ArrestBooks<'w> {
    pub log: ResMut<'w, ArrestLog>,
    pub roster: ResMut<'w, JailRoster>,
}

/// Marks the officers the scenario posts on given cells, before anyone else
/// is placed: they keep those cells whoever comes after.
pub fn hold_posts(world: &mut World, s: &Scenario) {
    let Some(posts) = &s.police.positions else { return };
    let mut grid = world.resource_mut::<Grid>();
    let grid = grid.writes();
    for (i, &(x, y)) in posts.iter().enumerate() {
        grid.set(grid.index(x, y), Occupant::Officer { id: i as u32 });
    }
}

/// Places a new world's officers: on their posts if the scenario gives
/// them, else on the first of the `open` cells, officer `i` on `open[i]`.
/// They are stored in cell order (their ids stay in draw order).
pub fn setup(world: &mut World, s: &Scenario, open: &[CellIndex]) {
    let cells: Vec<CellIndex> = match &s.police.positions {
        Some(posts) => {
            let grid = world.resource::<Grid>();
            posts.iter().map(|&(x, y)| grid.index(x, y)).collect()
        }
        None => open[..s.police.count as usize].to_vec(),
    };
    let mut by_cell: Vec<(CellIndex, u32)> = cells.iter().enumerate().map(|(i, &c)| (c, i as u32)).collect();
    by_cell.sort_unstable();
    let mut by_id = vec![None; cells.len()];
    for (cell, i) in by_cell {
        world.resource_mut::<Grid>().writes().set(cell, Occupant::Officer { id: i });
        by_id[i as usize] = Some(world.spawn((OfficerId(i), Position(cell), Intent::default())).id());
    }
    world.resource_mut::<AgentIndex>().officers = by_id;
    world.init_resource::<ArrestLog>();
}

impl ArrestBooks<'_> {
    /// Jails `civilian` standing on `cell`: updates its condition, the grid
    /// and the jail roster, and logs the arrest. The term is uniform on
    /// 0..=max (the paper's U(0, J)); the civilian sits out the next `term`
    /// ticks.
    pub fn jail(
        &mut self,
        grid: GridWrites,
        condition: &mut Condition,
        by: Arrester,
        civilian: CivilianId,
        cell: CellIndex,
        how: Jailing,
    ) {
        let term = lock_up(grid, condition, civilian, cell, how);
        self.book(&grid, by, civilian, cell, term, how.tick);
    }

    /// The books of an arrest made by [`lock_up`]: the roster and the log.
    pub fn book(&mut self, grid: &Grid, by: Arrester, civilian: CivilianId, cell: CellIndex, term: u32, tick: u32) {
        self.roster.admit(civilian, tick.saturating_add(term));
        self.log.record(grid, by, civilian, cell, term, tick);
    }
}

/// The arrest itself, the part of [`ArrestBooks::jail`] that touches only this
/// civilian and its cell (so arrests can be made on several threads): the
/// term drawn, the condition set, the cell emptied or the civilian left on
/// it, quiescent. Returns the term; [`ArrestBooks::book`] must follow.
#[inline]
pub fn lock_up(
    grid: GridWrites,
    condition: &mut Condition,
    civilian: CivilianId,
    cell: CellIndex,
    how: Jailing,
) -> u32 {
    let term = how.terms.below(how.max_term + 1, civilian.0 as u64, how.tick, 0);
    *condition = Condition::Jailed { until_tick: how.tick.saturating_add(term) };
    let left = if how.keep_cell { Occupant::Civilian { id: civilian.0, active: false } } else { Occupant::Empty };
    grid.set(cell, left);
    term
}

impl ArrestLog {
    /// Logs an arrest (the roster is booked apart: see [`ArrestBooks::book`]).
    /// Marks the start of a tick: what is logged from here on is this tick's.
    pub fn begin_tick(&mut self) {
        self.tick_start = self.events.len();
    }

    /// The arrests of the tick being run, in the order they were made.
    pub fn this_tick(&self) -> &[Arrest] {
        &self.events[self.tick_start..]
    }

    /// Takes every arrest logged since the last call. Drained rather than
    /// taken: the log keeps its capacity, so a busy tick does not regrow it
    /// from nothing (megabytes at 1M civilians).
    pub fn drain(&mut self) -> std::vec::Drain<'_, Arrest> {
        self.tick_start = 0;
        self.events.drain(..)
    }

    pub fn record(&mut self, grid: &Grid, by: Arrester, civilian: CivilianId, cell: CellIndex, term: u32, tick: u32) {
        self.events.push(Arrest {
            tick,
            officer: match by {
                Arrester::Officer(o) => Some(o.0),
                Arrester::Unit(_) => None,
            },
            unit: match by {
                Arrester::Unit(u) => Some(u),
                Arrester::Officer(_) => None,
            },
            civilian: civilian.0,
            cell: grid.xy(cell),
            jail_term_ticks: term,
        });
    }
}
