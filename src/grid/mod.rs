//! The map: cells, who stands on each, and the neighbourhoods agents see.
//!
//! Occupancy is one 32-bit code per cell ([`Occupant`]), stored in atomics so
//! that the parallel engine can write disjoint cells from several threads
//! without locks; the sequential engine uses the same calls. The code carries
//! an "active" bit so that a neighbourhood scan never leaves the grid.

pub mod counts;
pub mod empty;
pub mod neighbourhood;
pub mod path;
pub mod terrain;

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use bevy_ecs::prelude::Resource;

use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::scenario::{Edges, MapSpec};

pub use counts::{Viewer, VisionCounts};
pub use empty::EmptyCells;
pub use neighbourhood::{Shape, Shapes};
pub use terrain::Terrain;

/// A cell index, row-major: `y * width + x`, row 0 on top.
pub use crate::base::CellIndex;

const KIND_SHIFT: u32 = 30;
const KIND_CIVILIAN: u32 = 1 << KIND_SHIFT;
const KIND_OFFICER: u32 = 2 << KIND_SHIFT;
const ACTIVE_BIT: u32 = 1 << 29;
const ID_MASK: u32 = ACTIVE_BIT - 1;
/// Marks a security unit among the police codes: a unit counts as police
/// presence wherever an officer does, with no extra test in the hot loops.
const UNIT_BIT: u32 = 1 << 28;
const EMPTY: u32 = 0;
const BUILDING: u32 = u32::MAX;

/// The rows a neighbourhood of `vision` around row `y` covers, as
/// `(dy, row)`: wrapped onto a torus of `height` rows, or clipped on a
/// bounded map. One walker for every neighbourhood loop (scans, counts,
/// the k-th active).
#[inline]
pub fn visible_rows(y: i64, vision: i64, height: i64, wrap: bool) -> impl Iterator<Item = (i64, i64)> {
    (-vision..=vision).filter_map(move |dy| {
        let ny = y + dy;
        if wrap { Some((dy, ny.rem_euclid(height))) } else { (0..height).contains(&ny).then_some((dy, ny)) }
    })
}

/// Largest agent id the occupancy code can hold.
pub const MAX_AGENT_ID: u32 = UNIT_BIT - 1;

/// Who stands on a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occupant {
    Empty,
    Building,
    Civilian {
        id: u32,
        active: bool,
    },
    Officer {
        id: u32,
    },
    /// A security unit (squad or platoon), by its `UnitId`.
    Unit {
        id: u32,
    },
}

impl Occupant {
    #[inline]
    pub const fn encode(self) -> u32 {
        match self {
            Occupant::Empty => EMPTY,
            Occupant::Building => BUILDING,
            Occupant::Civilian { id, active } => KIND_CIVILIAN | id | if active { ACTIVE_BIT } else { 0 },
            Occupant::Officer { id } => KIND_OFFICER | id,
            Occupant::Unit { id } => KIND_OFFICER | UNIT_BIT | id,
        }
    }

    #[inline]
    pub fn decode(code: u32) -> Occupant {
        match code {
            EMPTY => Occupant::Empty,
            BUILDING => Occupant::Building,
            c if c >> KIND_SHIFT == 1 => Occupant::Civilian { id: c & ID_MASK, active: c & ACTIVE_BIT != 0 },
            c if c & UNIT_BIT != 0 => Occupant::Unit { id: c & (UNIT_BIT - 1) },
            c => Occupant::Officer { id: c & (UNIT_BIT - 1) },
        }
    }
}

#[inline]
pub fn is_empty_code(code: u32) -> bool {
    code == EMPTY
}

#[inline]
pub fn is_officer_code(code: u32) -> bool {
    code != BUILDING && code >> KIND_SHIFT == 2
}

/// A security unit's code (not an Epstein officer's).
#[inline]
pub fn is_unit_code(code: u32) -> bool {
    is_officer_code(code) && code & UNIT_BIT != 0
}

#[inline]
pub fn is_active_code(code: u32) -> bool {
    code >> KIND_SHIFT == 1 && code & ACTIVE_BIT != 0
}

/// Division by a fixed divisor as a multiply and a shift (exact for every
/// u32 numerator): `cell / width` runs once per agent per phase, and a
/// hardware division costs tens of cycles.
#[derive(Debug, Clone, Copy)]
pub struct FastDiv {
    divisor: u32,
    magic: u128,
}

impl FastDiv {
    const SHIFT: u32 = 64;

    pub fn new(divisor: u32) -> FastDiv {
        assert!(divisor > 0);
        // ceil(2^64 / d): exact for n < 2^32 since the error n·(m − 2^64/d)
        // stays below 2^64/d.
        let magic = (1u128 << Self::SHIFT).div_ceil(divisor as u128);
        FastDiv { divisor, magic }
    }

    /// (n / d, n % d).
    #[inline]
    pub fn div_rem(self, n: u32) -> (u32, u32) {
        let q = ((n as u128 * self.magic) >> Self::SHIFT) as u32;
        (q, n - q * self.divisor)
    }
}

/// One chunk's claims in the move lottery, made a few agents late, so that
/// each cell's claim is fetched while the next agents are worked on instead of
/// stalling the one that claims it. Only cells in the chunk's own zone are
/// claimed here; the rest are kept for [`GridWrites::claim_all`] after every
/// chunk is done. Zones of chunks running at once do not overlap, so no
/// two threads ever write one cell's claim and every claim is exact (the lowest
/// ticket wins whatever the order of claims).
pub struct DeferredClaims<'g> {
    grid: GridWrites<'g>,
    ring: [(CellIndex, u32); CLAIM_DELAY],
    next: usize,
    zone: std::ops::Range<CellIndex>,
    elsewhere: Vec<(CellIndex, u32)>,
}

/// How many agents a claim waits for: enough to cover a load from the
/// third-level cache (the claims fill 4 bytes a cell, megabytes at a
/// million agents), few enough to stay in L1. 16 against 8: 0.3-0.9 ms
/// less a tick at 1M on one thread (`docs/performance.md`).
const CLAIM_DELAY: usize = 16;

impl<'g> DeferredClaims<'g> {
    /// Claims for a chunk that owns the cells `zone`.
    pub fn new(grid: GridWrites<'g>, zone: std::ops::Range<CellIndex>) -> Self {
        DeferredClaims { grid, ring: [(0, UNCLAIMED); CLAIM_DELAY], next: 0, zone, elsewhere: Vec::new() }
    }

    #[inline]
    pub fn claim(&mut self, cell: CellIndex, ticket: u32) {
        if !self.zone.contains(&cell) {
            self.elsewhere.push((cell, ticket));
            return;
        }
        self.grid.prefetch_claim(cell);
        let (old_cell, old_ticket) = std::mem::replace(&mut self.ring[self.next], (cell, ticket));
        self.next = (self.next + 1) % CLAIM_DELAY;
        if old_ticket != UNCLAIMED {
            self.grid.claim(old_cell, old_ticket);
        }
    }

    /// Makes the delayed claims in the zone; returns the claims outside it.
    pub fn finish(self) -> Vec<(CellIndex, u32)> {
        for &(cell, ticket) in &self.ring {
            if ticket != UNCLAIMED {
                self.grid.claim(cell, ticket);
            }
        }
        self.elsewhere
    }
}

/// Disjoint zones of cells, one per chunk of agents stored from `starts`:
/// chunk `k` owns the cells from the cell of its first agent to that of the
/// next chunk's, kept increasing (`cell_at` gives an agent's cell). Agents
/// are stored in about cell order, so most of a chunk's claims fall in its
/// own zone; the zones would be right, only slower, in any order.
pub fn claim_zones(
    starts: &[usize],
    cells: usize,
    cell_at: impl Fn(usize) -> CellIndex,
) -> Vec<std::ops::Range<CellIndex>> {
    let mut bounds: Vec<CellIndex> = Vec::with_capacity(starts.len() + 1);
    bounds.push(0);
    for &start in starts.iter().skip(1) {
        let last = *bounds.last().expect("the first bound is in");
        bounds.push(cell_at(start).max(last));
    }
    bounds.push(cells as CellIndex);
    bounds.windows(2).map(|b| b[0]..b[1]).collect()
}

/// Write access to the grid, borrowed from `&mut Grid` ([`Grid::writes`]);
/// reads go through to the grid.
///
/// A system that only holds `Res<Grid>` cannot write:
///
/// ```compile_fail
/// fn sneak(grid: &mando::grid::Grid) {
///     grid.set(0, mando::grid::Occupant::Empty);
/// }
/// ```
#[derive(Clone, Copy)]
pub struct GridWrites<'g>(&'g Grid);

impl std::ops::Deref for GridWrites<'_> {
    type Target = Grid;

    fn deref(&self) -> &Grid {
        self.0
    }
}

impl GridWrites<'_> {
    /// Writes a cell. Safe from several threads as long as each writes cells
    /// no other thread reads or writes in the same phase.
    #[inline]
    pub fn set(&self, cell: CellIndex, who: Occupant) {
        self.0.codes[cell as usize].store(who.encode(), Relaxed)
    }

    /// Enters `ticket` in the lottery for `cell` if it beats the ticket
    /// there, with a plain load and store: exact as long as no other thread
    /// claims the same cell at the same time ([`DeferredClaims`] keeps the
    /// threads to disjoint zones).
    /// The store is unconditional (of the minimum), so no branch waits on
    /// the load of a random cell.
    #[inline]
    pub fn claim(&self, cell: CellIndex, ticket: u32) {
        let slot = &self.0.claims[cell as usize];
        slot.store(slot.load(Relaxed).min(ticket), Relaxed);
    }

    /// Enters the claims that chunks kept for cells outside their zones,
    /// after all chunks are done (one thread: exact).
    pub fn claim_all(&self, claims: impl IntoIterator<Item = (CellIndex, u32)>) {
        for (cell, ticket) in claims {
            self.claim(cell, ticket);
        }
    }

    #[inline]
    pub fn clear_claim(&self, cell: CellIndex) {
        self.0.claims[cell as usize].store(UNCLAIMED, Relaxed)
    }
}

/// The map of a new world: the grid with its buildings, the ground, the
/// shapes of vision (after `base::setup`, whose tunables they follow) and
/// the scratch the engines count and move with.
pub fn setup(world: &mut bevy_ecs::world::World, s: &crate::scenario::Scenario) {
    let tunables = world.resource::<crate::base::CurrentTunables>().0;
    world.insert_resource(Shapes::new(&s.rules, &tunables, s.map.width_cells));
    world.insert_resource(Grid::new(&s.map));
    world.insert_resource(Terrain::new(&s.map));
    world.init_resource::<VisionCounts>();
    world.init_resource::<EmptyCells>();
}

/// The cells nobody stands on, shuffled once from the seed: civilians take
/// the first in id order, then officers without posts.
pub fn open_cells_in_random_order(world: &bevy_ecs::world::World) -> Vec<CellIndex> {
    let grid = world.resource::<Grid>();
    let mut open: Vec<CellIndex> = (0..grid.cells() as CellIndex).filter(|&c| grid.get(c) == Occupant::Empty).collect();
    rand::seq::SliceRandom::shuffle(
        open.as_mut_slice(),
        &mut world.resource::<crate::base::rng::Streams>().generator(crate::base::rng::Stream::Placement, 0),
    );
    open
}

/// No ticket has claimed the cell this tick.
pub const UNCLAIMED: u32 = u32::MAX;

/// The map and its occupancy.
#[derive(Resource)]
pub struct Grid {
    pub width: u32,
    pub height: u32,
    pub wrap: bool,
    by_width: FastDiv,
    /// Who stands in each cell ([`Occupant::encode`]).
    codes: Box<[AtomicU32]>,
    /// The lowest ticket entered in each cell's move lottery this tick.
    // Apart from the codes: the sweeps over the grid (prefix sums,
    // census, emptiness) read codes only, and the settling reads claims
    // only (the proposals test emptiness in [`EmptyCells`]); beside each
    // other, each of those passes moved twice the bytes it needed.
    claims: Box<[AtomicU32]>,
}

/// A copy for world snapshots (`sim::snapshot`): taken between ticks,
/// when no system writes the atomics.
impl Clone for Grid {
    fn clone(&self) -> Grid {
        let copy = |cells: &[AtomicU32]| cells.iter().map(|c| AtomicU32::new(c.load(Relaxed))).collect();
        Grid {
            width: self.width,
            height: self.height,
            wrap: self.wrap,
            by_width: self.by_width,
            codes: copy(&self.codes),
            claims: copy(&self.claims),
        }
    }
}

impl Fingerprint for Grid {
    /// Who stands in each cell; not the move lottery (cleared every tick).
    fn fingerprint(&self, h: &mut Fnv) {
        h.count(self.cells());
        for code in self.codes(0, self.cells()) {
            h.u32(code);
        }
    }
}

impl Grid {
    pub fn new(map: &MapSpec) -> Grid {
        let codes = (0..map.cells() as u32)
            .map(|i| {
                let (x, y) = (i % map.width_cells, i / map.width_cells);
                AtomicU32::new(if map.is_building(x, y) { BUILDING } else { EMPTY })
            })
            .collect();
        let claims = (0..map.cells()).map(|_| AtomicU32::new(UNCLAIMED)).collect();
        Grid {
            width: map.width_cells,
            height: map.height_cells,
            wrap: map.edges == Edges::Wrap,
            by_width: FastDiv::new(map.width_cells),
            codes,
            claims,
        }
    }

    /// The handle that changes the grid. It takes `&mut self`, so a system
    /// that writes must hold `ResMut<Grid>` and the schedule's ambiguity
    /// check sees the write; the handle itself is shared (`Copy`, `Sync`),
    /// so the parallel engine hands it to its threads.
    pub fn writes(&mut self) -> GridWrites<'_> {
        GridWrites(self)
    }

    #[inline]
    pub fn cells(&self) -> usize {
        self.codes.len()
    }

    #[inline]
    pub fn code(&self, cell: CellIndex) -> u32 {
        self.codes[cell as usize].load(Relaxed)
    }

    /// The codes of the cells `first..first + len`, in order: one bounds
    /// check for a whole run of cells (a row, for the prefix sums).
    #[inline]
    pub fn codes(&self, first: CellIndex, len: usize) -> impl Iterator<Item = u32> + '_ {
        self.codes[first as usize..][..len].iter().map(|c| c.load(Relaxed))
    }

    #[inline]
    pub fn get(&self, cell: CellIndex) -> Occupant {
        Occupant::decode(self.code(cell))
    }

    /// Asks the processor to bring `cell`'s code into the cache, to be
    /// read or written soon. A hint only: no effect on any result.
    #[inline]
    pub fn prefetch(&self, cell: CellIndex) {
        crate::memory::prefetch(&self.codes[cell as usize]);
    }

    /// As [`Grid::prefetch`], for `cell`'s move lottery.
    #[inline]
    pub fn prefetch_claim(&self, cell: CellIndex) {
        crate::memory::prefetch(&self.claims[cell as usize]);
    }

    /// The lowest ticket entered for `cell` (or [`UNCLAIMED`]).
    #[inline]
    pub fn claim_winner(&self, cell: CellIndex) -> u32 {
        self.claims[cell as usize].load(Relaxed)
    }

    #[inline]
    pub fn is_empty(&self, cell: CellIndex) -> bool {
        is_empty_code(self.code(cell))
    }

    #[inline]
    pub fn xy(&self, cell: CellIndex) -> (u32, u32) {
        let (y, x) = self.by_width.div_rem(cell);
        (x, y)
    }

    #[inline]
    pub fn index(&self, x: u32, y: u32) -> CellIndex {
        y * self.width + x
    }

    /// The cell at offset (dx, dy) from `cell`, or `None` off a bounded map.
    #[inline]
    pub fn offset(&self, cell: CellIndex, dx: i32, dy: i32) -> Option<CellIndex> {
        let (x, y) = self.xy(cell);
        self.offset_xy(x, y, dx, dy)
    }

    /// Whether a security unit stands on one of the eight cells around
    /// `cell`.
    pub fn unit_beside(&self, cell: CellIndex) -> bool {
        let (x, y) = self.xy(cell);
        (-1..=1).any(|dy| {
            (-1..=1).any(|dx| {
                (dx, dy) != (0, 0) && self.offset_xy(x, y, dx, dy).is_some_and(|c| is_unit_code(self.code(c)))
            })
        })
    }

    /// The cell at offset (dx, dy) from column `x`, row `y`.
    #[inline]
    pub fn offset_xy(&self, x: u32, y: u32, dx: i32, dy: i32) -> Option<CellIndex> {
        let (w, h) = (self.width as i64, self.height as i64);
        let (mut nx, mut ny) = (x as i64 + dx as i64, y as i64 + dy as i64);
        if self.wrap {
            // |dx| < w and |dy| < h (validation): one correction suffices.
            nx += if nx < 0 {
                w
            } else if nx >= w {
                -w
            } else {
                0
            };
            ny += if ny < 0 {
                h
            } else if ny >= h {
                -h
            } else {
                0
            };
        } else if nx < 0 || ny < 0 || nx >= w || ny >= h {
            return None;
        }
        Some((ny * w + nx) as CellIndex)
    }

    /// A uniformly random cell that `shape` sees from `cell` whose cell and
    /// occupancy code pass `wanted`, with that code; `None` if there is
    /// none. Two scans: count, then walk to the chosen one (one draw,
    /// numbered `draw`).
    pub fn random_cell_where(
        &self,
        cell: CellIndex,
        shape: &Shape,
        wanted: impl Fn(CellIndex, u32) -> bool,
        rng: crate::base::rng::AgentDraws,
        draw: u32,
    ) -> Option<(CellIndex, u32)> {
        // Up to a 15 × 15 square (vision 7) the matches are kept from one
        // scan; larger shapes count first and find the pick in a second.
        const KEPT: usize = 225;
        if shape.size() <= KEPT {
            let mut kept = [(0 as CellIndex, 0u32); KEPT];
            let mut matches = 0usize;
            self.scan(cell, shape, |c, code| {
                kept[matches] = (c, code);
                matches += wanted(c, code) as usize;
            });
            return (matches > 0).then(|| kept[rng.below(matches as u32, draw) as usize]);
        }
        let mut matches = 0u32;
        self.scan(cell, shape, |c, code| matches += wanted(c, code) as u32);
        if matches == 0 {
            return None;
        }
        let mut pick = rng.below(matches, draw);
        let mut chosen = None;
        self.scan(cell, shape, |c, code| {
            if chosen.is_none() && wanted(c, code) {
                if pick == 0 {
                    chosen = Some((c, code));
                } else {
                    pick -= 1;
                }
            }
        });
        chosen
    }

    /// Calls `f` with the occupancy code of every cell `shape` sees from
    /// `cell`, the centre excluded, row by row (wrapping or clipping at the
    /// border). On a torus the shape must fit in the map (validation checks
    /// `2 * vision + 1 <= side`), so no cell is seen twice.
    #[inline]
    pub fn scan(&self, cell: CellIndex, shape: &Shape, mut f: impl FnMut(CellIndex, u32)) {
        let (x, y) = self.xy(cell);
        let (w, h) = (self.width as i64, self.height as i64);
        for (dy, ny) in visible_rows(y as i64, shape.vision as i64, h, self.wrap) {
            let hw = shape.half_width(dy as i32) as i64;
            let row = ny * w;
            let (lo, hi) = (x as i64 - hw, x as i64 + hw);
            let mut visit = |from: i64, to: i64| {
                for nx in from..=to {
                    if dy == 0 && nx == x as i64 {
                        continue;
                    }
                    let c = (row + nx) as CellIndex;
                    f(c, self.codes[c as usize].load(Relaxed));
                }
            };
            if self.wrap {
                if lo < 0 {
                    visit(lo + w, w - 1);
                    visit(0, hi);
                } else if hi >= w {
                    visit(lo, w - 1);
                    visit(0, hi - w);
                } else {
                    visit(lo, hi);
                }
            } else {
                visit(lo.max(0), hi.min(w - 1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Neighbourhood;

    fn map(w: u32, h: u32, edges: Edges) -> MapSpec {
        MapSpec { width_cells: w, height_cells: h, edges, terrain: None, sites: Vec::new() }
    }

    #[test]
    fn fast_division_is_exact() {
        for d in [1u32, 3, 7, 40, 1195, 16_384] {
            let f = FastDiv::new(d);
            for n in [0u32, 1, d - 1, d, d + 1, 12_345_677, u32::MAX - 1, u32::MAX] {
                assert_eq!(f.div_rem(n), (n / d, n % d), "{n} / {d}");
            }
        }
    }

    #[test]
    fn codes_round_trip() {
        for o in [
            Occupant::Empty,
            Occupant::Building,
            Occupant::Civilian { id: 0, active: false },
            Occupant::Civilian { id: MAX_AGENT_ID, active: true },
            Occupant::Officer { id: 12345 },
        ] {
            assert_eq!(Occupant::decode(o.encode()), o);
        }
        assert!(is_active_code(Occupant::Civilian { id: 3, active: true }.encode()));
        assert!(!is_active_code(Occupant::Officer { id: 3 }.encode()));
        assert!(is_officer_code(Occupant::Officer { id: 0 }.encode()));
        assert!(!is_officer_code(BUILDING));
    }

    #[test]
    fn scan_visits_each_neighbour_once() {
        for edges in [Edges::Wrap, Edges::Bounded] {
            for shape in [Neighbourhood::VonNeumann, Neighbourhood::Moore, Neighbourhood::Euclidean] {
                let g = Grid::new(&map(20, 17, edges));
                let s = Shape::new(shape, 3);
                for cell in [0, 7, 19, 200, 339] {
                    let mut seen = Vec::new();
                    g.scan(cell, &s, |c, _| seen.push(c));
                    let n = seen.len();
                    seen.sort();
                    seen.dedup();
                    assert_eq!(seen.len(), n, "duplicates");
                    assert!(!seen.contains(&cell));
                    // Compare with the offsets list.
                    let mut expect: Vec<_> = s.offsets.iter().filter_map(|&(dx, dy)| g.offset(cell, dx, dy)).collect();
                    expect.sort();
                    assert_eq!(seen, expect, "{edges:?} {shape:?} cell {cell}");
                }
            }
        }
    }

    #[test]
    fn random_cell_where_picks_the_drawn_match_in_scan_order() {
        use crate::base::rng::{Stream, Streams};
        // Shapes kept from one scan (up to 225 cells) and counted twice
        // (larger): both must pick match number `below(matches, draw)` in
        // scan order, at the border and inside.
        for edges in [Edges::Wrap, Edges::Bounded] {
            let mut grid = Grid::new(&map(40, 37, edges));
            for cell in 0..grid.cells() as u32 {
                if cell.wrapping_mul(2654435761) >> 30 != 0 {
                    grid.writes().set(cell, Occupant::Civilian { id: cell, active: false });
                }
            }
            let draws = Streams::new(3).draws(Stream::Movement);
            for shape in [Shape::new(Neighbourhood::Moore, 7), Shape::new(Neighbourhood::Euclidean, 12)] {
                for cell in [0u32, 41, 700, 1479] {
                    let rng = draws.agent(cell as u64, 5);
                    let mut matches = Vec::new();
                    grid.scan(cell, &shape, |c, code| {
                        if is_empty_code(code) {
                            matches.push((c, code))
                        }
                    });
                    let expect = matches[rng.below(matches.len() as u32, 9) as usize];
                    assert_eq!(
                        grid.random_cell_where(cell, &shape, |_, code| is_empty_code(code), rng, 9),
                        Some(expect)
                    );
                    assert_eq!(grid.random_cell_where(cell, &shape, |_, code| code == BUILDING, rng, 9), None);
                }
            }
        }
    }

    #[test]
    fn claim_zones_are_disjoint_and_cover_the_map_whatever_the_order() {
        // Chunks of 10 agents; agents' cells in order but for a few far off.
        let mut cells: Vec<CellIndex> = (0..50).map(|i| i * 4).collect();
        cells[20] = 190;
        cells[30] = 5;
        let zones = claim_zones(&[0, 10, 20, 30, 40], 256, |i| cells[i]);
        assert_eq!(zones.len(), 5);
        assert_eq!(zones[0].start, 0);
        assert_eq!(zones[4].end, 256);
        assert!(zones.windows(2).all(|z| z[0].end == z[1].start && z[0].start <= z[0].end));
        assert_eq!(zones[1], 40..190);
        assert_eq!(zones[2], 190..190, "a chunk starting out of order gets an empty zone");
    }

    #[test]
    fn chunks_claiming_in_their_zones_at_once_leave_the_lowest_tickets() {
        // Four threads started together, each a chunk claiming the same
        // cells in the same order with its own tickets: without zones the
        // plain load and store lose tickets to each other; with them each
        // thread writes only its own zone and keeps the rest for after.
        const THREADS: u32 = 4;
        let cells = 64 * 64;
        let claim_of = |k: u32, i: u32| (i * 4 % cells, (k * 4096 + i).wrapping_mul(2654435761) >> 1);
        let all: Vec<(CellIndex, u32)> = (0..THREADS).flat_map(|k| (0..4096).map(move |i| claim_of(k, i))).collect();
        for _ in 0..20 {
            let mut grid = Grid::new(&map(64, 64, Edges::Wrap));
            let grid = grid.writes();
            let zones = claim_zones(&[0, 1024, 2048, 3072], cells as usize, |i| i as CellIndex);
            let start = std::sync::Barrier::new(THREADS as usize);
            let elsewhere: Vec<Vec<(CellIndex, u32)>> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..THREADS)
                    .map(|k| {
                        let (zone, start) = (zones[k as usize].clone(), &start);
                        s.spawn(move || {
                            let mut claims = DeferredClaims::new(grid, zone);
                            start.wait();
                            for i in 0..4096 {
                                let (cell, ticket) = claim_of(k, i);
                                claims.claim(cell, ticket);
                            }
                            claims.finish()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert!(elsewhere.iter().all(|e| e.len() == 3 * 4096 / 4), "three quarters fall in other zones");
            grid.claim_all(elsewhere.into_iter().flatten());
            let mut lowest = vec![UNCLAIMED; cells as usize];
            for &(cell, ticket) in &all {
                lowest[cell as usize] = lowest[cell as usize].min(ticket);
            }
            for cell in 0..cells {
                assert_eq!(grid.claim_winner(cell), lowest[cell as usize], "cell {cell}");
            }
        }
    }

    #[test]
    fn deferred_claims_leave_the_same_winners_as_direct_ones() {
        let (mut direct, mut deferred) = (Grid::new(&map(16, 16, Edges::Wrap)), Grid::new(&map(16, 16, Edges::Wrap)));
        let (direct, deferred) = (direct.writes(), deferred.writes());
        // More claims than the delay, many on the same cells, tickets in
        // no particular order; the last few are made only on drop.
        let claims: Vec<(CellIndex, u32)> =
            (0..100u32).map(|i| (i.wrapping_mul(2654435761) % 40, i.wrapping_mul(40503) % 1000)).collect();
        for &(cell, ticket) in &claims {
            direct.claim(cell, ticket);
        }
        // The zone holds half the cells claimed: the others are entered
        // after, by `claim_all`.
        let mut late = DeferredClaims::new(deferred, 0..20);
        for &(cell, ticket) in &claims {
            late.claim(cell, ticket);
        }
        let elsewhere = late.finish();
        assert!(!elsewhere.is_empty() && elsewhere.iter().all(|c| c.0 >= 20));
        deferred.claim_all(elsewhere);
        for cell in 0..direct.cells() as CellIndex {
            let lowest = claims.iter().filter(|c| c.0 == cell).map(|c| c.1).min().unwrap_or(UNCLAIMED);
            assert_eq!(direct.claim_winner(cell), lowest, "cell {cell}");
            assert_eq!(deferred.claim_winner(cell), lowest, "cell {cell}");
        }
    }
}
