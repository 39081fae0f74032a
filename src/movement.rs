//! Epstein's movement rule: go to a random empty cell within vision.
//!
//! Two forms of the same rule. [`uniform_empty_in_vision`] scans the
//! neighbourhood and picks uniformly among its empty cells. [`propose_empty_in_vision`]
//! draws random offsets until one is empty (uniform over empty cells given
//! success, and much cheaper in the usual crowd with a quarter of cells
//! free), with the scan as its fallback: both engines move agents with it
//! (the parallel one then settles two agents choosing one cell by lot), and
//! releases from jail use it.

use crate::base::rng::AgentDraws;
use crate::grid::{CellIndex, Grid, Shape, is_empty_code};

/// Random draws before falling back to scanning the neighbourhood. With a
/// quarter of cells empty the fallback runs for about 1% of agents.
pub const PROPOSAL_TRIES: u32 = 16;

/// 64-bit draws per round of tries (two tries each); measured against one
/// and four (`docs/performance.md`).
const DRAWS_PER_ROUND: u32 = 2;

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
    grid.random_cell_where(cell, shape, |_, code| is_empty_code(code), rng, draw).map(|(c, _)| c)
}

/// A uniformly random empty cell within vision, or `None` if all are taken:
/// rejection sampling, and after [`PROPOSAL_TRIES`] misses an exact scan.
/// Both branches are uniform over the same empty cells, so the result is
/// exactly uniform; the scan is rarely needed in a crowd with free cells.
/// Each 64-bit draw serves two tries (high half first); the first empty
/// cell in draw order wins.
#[inline]
pub fn propose_empty_in_vision(grid: &Grid, cell: CellIndex, shape: &Shape, rng: AgentDraws) -> Option<CellIndex> {
    propose_empty_where(grid, |c| grid.is_empty(c), cell, shape, rng)
}

/// [`propose_empty_in_vision`] with emptiness read from `is_empty`, which
/// must agree with the grid (the parallel engine passes its snapshot,
/// [`crate::grid::EmptyCells`]).
// Inlined into each engine's loop: it is most of the move phase, and a
// call's register saves were a tenth of its instructions.
#[inline(always)]
pub fn propose_empty_where(
    grid: &Grid,
    is_empty: impl Fn(CellIndex) -> bool,
    cell: CellIndex,
    shape: &Shape,
    rng: AgentDraws,
) -> Option<CellIndex> {
    let n = shape.offsets.len() as u64;
    let pick = |half: u64| ((half * n) >> 32) as usize;
    let (x, y) = grid.xy(cell);
    if is_interior(grid, x, y, shape) {
        // Four tries at a time, tested without a branch each: which of them
        // is free is a coin toss per try, and a branch per try mispredicts
        // often. A round of four finds a cell for about 70% of agents in a
        // crowd with a quarter of cells free; rounds of eight computed
        // tries most agents never needed (9% more instructions per tick).
        for round in 0..PROPOSAL_TRIES / (2 * DRAWS_PER_ROUND) {
            let cells = round_of_tries(cell, shape, rng, round);
            let mut free = 0u32;
            for (t, &c) in cells.iter().enumerate() {
                free |= (is_empty(c) as u32) << t;
            }
            if free != 0 {
                return Some(cells[free.trailing_zeros() as usize]);
            }
        }
    } else {
        for t in 0..PROPOSAL_TRIES {
            let h = rng.u64(t / 2);
            let half = if t % 2 == 0 { h >> 32 } else { h & 0xFFFF_FFFF };
            let (dx, dy) = shape.offsets[pick(half)];
            if let Some(c) = grid.offset_xy(x, y, dx, dy).filter(|&c| is_empty(c)) {
                return Some(c);
            }
        }
    }
    uniform_empty_in_vision(grid, cell, shape, rng, PROPOSAL_TRIES)
}

/// Far from the border nothing wraps or clips: a neighbour is the cell
/// index plus a precomputed step.
#[inline(always)]
fn is_interior(grid: &Grid, x: u32, y: u32, shape: &Shape) -> bool {
    let v = shape.vision;
    shape.row_length == grid.width && x >= v && y >= v && x + v < grid.width && y + v < grid.height
}

/// The cells of round `round` of an interior agent's tries, in try order.
#[inline(always)]
fn round_of_tries(
    cell: CellIndex,
    shape: &Shape,
    rng: AgentDraws,
    round: u32,
) -> [CellIndex; 2 * DRAWS_PER_ROUND as usize] {
    let n = shape.offsets.len() as u64;
    let mut cells = [0 as CellIndex; 2 * DRAWS_PER_ROUND as usize];
    for j in 0..DRAWS_PER_ROUND {
        let h = rng.u64(DRAWS_PER_ROUND * round + j);
        for (k, half) in [h >> 32, h & 0xFFFF_FFFF].into_iter().enumerate() {
            let step = shape.deltas[((half * n) >> 32) as usize];
            cells[(2 * j + k as u32) as usize] = (cell as i64 + step) as CellIndex;
        }
    }
    cells
}

/// Asks the processor for the cells that [`propose_empty_in_vision`] from
/// `cell` tests first, for a caller that will propose some agents later
/// and whose grid around them is not in the cache (releases from jail). A
/// hint only: no effect on any result.
pub fn prefetch_first_tries(grid: &Grid, cell: CellIndex, shape: &Shape, rng: AgentDraws) {
    let (x, y) = grid.xy(cell);
    if is_interior(grid, x, y, shape) {
        for c in round_of_tries(cell, shape, rng, 0) {
            grid.prefetch(c);
        }
    }
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

/// A purposeful step (the crowd's purpose): with `score(c)` what
/// standing on `c` costs its walker (0 where it wants to be) and `reach`
/// the most that counts as arrived. Far from its goal, the walker takes a
/// uniformly random empty cell among those of least score in vision, if
/// that is less than here (a march); arrived, a random empty cell still
/// within reach (milling about); `None`: it stays. `is_empty` as in
/// [`propose_empty_where`].
pub fn head_where(
    grid: &Grid,
    is_empty: impl Fn(CellIndex) -> bool,
    cell: CellIndex,
    shape: &Shape,
    rng: AgentDraws,
    score: impl Fn(CellIndex) -> u32,
    reach: u32,
) -> Option<CellIndex> {
    let here = score(cell);
    // The most a cell may score to be taken: within reach once arrived,
    // else the least score in sight (found by a first pass).
    let limit = if here <= reach {
        reach
    } else {
        let mut least = u32::MAX;
        grid.scan(cell, shape, |c, _| {
            if is_empty(c) {
                least = least.min(score(c));
            }
        });
        if least >= here {
            return None;
        }
        least
    };
    let mut matches = 0u32;
    grid.scan(cell, shape, |c, _| matches += (is_empty(c) && score(c) <= limit) as u32);
    if matches == 0 {
        return None;
    }
    let mut pick = rng.below(matches, 0);
    let mut chosen = None;
    grid.scan(cell, shape, |c, _| {
        if chosen.is_none() && is_empty(c) && score(c) <= limit {
            if pick == 0 {
                chosen = Some(c);
            } else {
                pick -= 1;
            }
        }
    });
    chosen
}
