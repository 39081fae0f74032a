//! Epstein's movement rule: go to a random empty cell within vision.
//!
//! Two forms of the same rule. [`uniform_empty_in_vision`] scans the
//! neighbourhood and picks uniformly among its empty cells. [`propose_empty_in_vision`]
//! draws random offsets until one is empty (uniform over empty cells given
//! success, and much cheaper in the usual crowd with a quarter of cells
//! free), with the scan as its fallback: both engines move agents with it
//! (the parallel one then settles two agents choosing one cell by lot), and
//! releases from jail use it.

use crate::grid::{CellIndex, Grid, Shape, is_empty_code};
use crate::sim::rng::AgentDraws;

/// Random draws before falling back to scanning the neighbourhood. With a
/// quarter of cells empty the fallback runs for about 1% of agents.
pub const PROPOSAL_TRIES: u32 = 16;

/// A uniformly random empty cell within vision, or `None` if all are taken.
/// `draw` numbers the random draw, so callers that already drew for this
/// agent and tick take a fresh one.
pub fn uniform_empty_in_vision(
    grid: &Grid,
    cell: CellIndex,
    shape: &Shape,
    rng: AgentDraws,
    draw: u32,
) -> Option<CellIndex> {
    grid.random_cell_where(cell, shape, is_empty_code, rng, draw).map(|(c, _)| c)
}

/// A uniformly random empty cell within vision, or `None` if all are taken:
/// rejection sampling, and after [`PROPOSAL_TRIES`] misses an exact scan.
/// Both branches are uniform over the same empty cells, so the result is
/// exactly uniform; the scan is rarely needed in a crowd with free cells.
/// Each 64-bit draw serves two tries, and tries go in batches of four whose
/// cells are loaded together, so the loads overlap; the first empty cell in
/// draw order wins, exactly as one try at a time would give.
#[inline]
pub fn propose_empty_in_vision(grid: &Grid, cell: CellIndex, shape: &Shape, rng: AgentDraws) -> Option<CellIndex> {
    const OFF_MAP: CellIndex = CellIndex::MAX;
    let n = shape.offsets.len() as u64;
    let (x, y) = grid.xy(cell);
    let v = shape.vision;
    // Far from the border nothing wraps or clips: a neighbour is the cell
    // index plus a precomputed step.
    let interior = shape.row_length == grid.width && x >= v && y >= v && x + v < grid.width && y + v < grid.height;
    let candidate = |half: u64| {
        let i = ((half * n) >> 32) as usize;
        if interior {
            (cell as i64 + shape.deltas[i]) as CellIndex
        } else {
            let (dx, dy) = shape.offsets[i];
            grid.offset_xy(x, y, dx, dy).unwrap_or(OFF_MAP)
        }
    };
    let free = |c: CellIndex| c != OFF_MAP && grid.is_empty(c);
    for batch in 0..PROPOSAL_TRIES / 4 {
        let (h0, h1) = (rng.u64(2 * batch), rng.u64(2 * batch + 1));
        let c0 = candidate(h0 >> 32);
        let c1 = candidate(h0 & 0xFFFF_FFFF);
        let c2 = candidate(h1 >> 32);
        let c3 = candidate(h1 & 0xFFFF_FFFF);
        if free(c0) {
            return Some(c0);
        }
        if free(c1) {
            return Some(c1);
        }
        if free(c2) {
            return Some(c2);
        }
        if free(c3) {
            return Some(c3);
        }
    }
    uniform_empty_in_vision(grid, cell, shape, rng, PROPOSAL_TRIES)
}

/// Some empty cell anywhere: random probes, then a sweep from a random
/// start; `None` only on a full map (validation keeps agents fewer than
/// open cells, so callers treat it as "try again next tick").
pub fn any_empty_cell(grid: &Grid, rng: AgentDraws) -> Option<CellIndex> {
    let cells = grid.cells() as u32;
    for attempt in 0..64 {
        let c = rng.below(cells, 1000 + attempt);
        if grid.is_empty(c) {
            return Some(c);
        }
    }
    let start = rng.below(cells, 2000);
    (0..cells).map(|i| (start + i) % cells).find(|&c| grid.is_empty(c))
}
