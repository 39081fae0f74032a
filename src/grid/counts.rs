//! Officers and active civilians within vision, from per-row prefix sums.
//!
//! Pattern: once per tick, each row's occupancy is summed into a prefix array
//! padded by `vision` cells on both sides (copies of the wrapped cells on a
//! torus, zeros on a bounded map). A neighbourhood count is then two loads
//! per row of the shape instead of a scan of every cell.
//! Reasoning: at a million agents the cell-by-cell scan (about 150 cells at
//! vision 7) dominates the tick; the prefix sums cost one pass over the map.
//! Officers and actives are packed into one lane (officers in the high
//! half) so one load answers both. The sums are kept modulo the lane's size:
//! the difference of two of them is still exact as long as what a whole
//! neighbourhood holds fits in a half. Visions up to 7 (at most 225 cells)
//! fit 8-bit halves of a `u16`, which halves the memory every count reads;
//! larger ones (validation allows up to 64, at most 129·129 cells) use
//! 16-bit halves of a `u32`.

use bevy_ecs::prelude::Resource;
use bevy_tasks::{ComputeTaskPool, ParallelSliceMut};

use super::{CellIndex, FastDiv, Grid, Occupant, Shape, is_active_code, visible_rows};

/// A prefix-sum cell: officers in the high half, actives in the low half,
/// both modulo the half's size.
trait Lane: Copy + Default + Send + Sync {
    /// Bits of the low half.
    const HALF_BITS: u32;
    fn weight(code: u32) -> Self;
    fn add(self, other: Self) -> Self;
    /// `self − other` as the exact (officers, actives) packed count, valid
    /// when both halves of the true difference fit their bits.
    fn minus(self, other: Self) -> u32;
}

impl Lane for u16 {
    const HALF_BITS: u32 = 8;
    #[inline]
    fn weight(code: u32) -> u16 {
        weight(code, Self::HALF_BITS) as u16
    }
    #[inline]
    fn add(self, other: u16) -> u16 {
        self.wrapping_add(other)
    }
    #[inline]
    fn minus(self, other: u16) -> u32 {
        self.wrapping_sub(other) as u32
    }
}

impl Lane for u32 {
    const HALF_BITS: u32 = 16;
    #[inline]
    fn weight(code: u32) -> u32 {
        weight(code, Self::HALF_BITS)
    }
    #[inline]
    fn add(self, other: u32) -> u32 {
        self.wrapping_add(other)
    }
    #[inline]
    fn minus(self, other: u32) -> u32 {
        self.wrapping_sub(other)
    }
}

/// The sums, in the narrowest lane that holds the largest neighbourhood.
#[derive(Clone)]
enum Sums {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

/// The largest vision whose every shape (the square is the largest) holds
/// fewer than 256 cells, so that its counts fit 8-bit halves.
const NARROW_MAX_VISION: u32 = 7;

#[derive(Resource, Clone)]
pub struct VisionCounts {
    by_width: FastDiv,
    pad: usize,
    stride: usize,
    sums: Sums,
    width: usize,
    height: usize,
    wrap: bool,
}

impl Default for VisionCounts {
    fn default() -> Self {
        VisionCounts {
            by_width: FastDiv::new(1),
            pad: 0,
            stride: 0,
            sums: Sums::Narrow(Vec::new()),
            width: 0,
            height: 0,
            wrap: false,
        }
    }
}

impl VisionCounts {
    /// Rebuilds the sums from the grid, padded for visions up to `max_vision`.
    /// Rows are independent: with `parallel` they are split over the compute
    /// task pool (same sums either way).
    pub fn rebuild(&mut self, grid: &Grid, max_vision: u32, parallel: bool) {
        let (w, h) = (grid.width as usize, grid.height as usize);
        let pad = max_vision as usize;
        self.by_width = FastDiv::new(w as u32);
        self.pad = pad;
        self.stride = w + 2 * pad + 1;
        self.width = w;
        self.height = h;
        self.wrap = grid.wrap;
        let len = self.stride * h;
        let narrow = max_vision <= NARROW_MAX_VISION;
        // The lane changes only if the vision does (a scheduled change).
        if narrow != matches!(self.sums, Sums::Narrow(_)) {
            self.sums = if narrow { Sums::Narrow(Vec::new()) } else { Sums::Wide(Vec::new()) };
        }
        match &mut self.sums {
            Sums::Narrow(v) => fill(v, len, grid, pad, parallel),
            Sums::Wide(v) => fill(v, len, grid, pad, parallel),
        }
    }

    /// (officers, active civilians) that `shape` sees from `cell`, the
    /// centre cell included. For one count; a loop over many agents sharing
    /// a shape takes a [`Viewer`] once.
    pub fn count(&self, cell: CellIndex, shape: &Shape) -> (u32, u32) {
        self.viewer(shape).count(cell)
    }

    /// `shape` laid over the current sums, for counting from many cells.
    /// Valid until the next rebuild.
    pub fn viewer<'a>(&'a self, shape: &'a Shape) -> Viewer<'a> {
        let v = shape.vision as usize;
        let spans = (0..=2 * v)
            .map(|i| {
                let hw = shape.half_width(i as i32 - v as i32) as usize;
                let centre = i * self.stride + v;
                ((centre - hw) as u32, (centre + hw + 1) as u32)
            })
            .collect();
        Viewer { counts: self, shape, spans, reach: 2 * v * self.stride + 2 * v + 2 }
    }

    /// The `k`th (0-based) active civilian that `shape` sees from `cell`,
    /// in row-then-column order (the order of [`Grid::scan`]). Rows are
    /// skipped by their prefix sums; only the row holding it is scanned.
    /// The grid must be unchanged since the last rebuild.
    pub fn nth_active(&self, grid: &Grid, cell: CellIndex, shape: &Shape, k: u32) -> Option<CellIndex> {
        match &self.sums {
            Sums::Narrow(sums) => self.nth_active_in(sums, grid, cell, shape, k),
            Sums::Wide(sums) => self.nth_active_in(sums, grid, cell, shape, k),
        }
    }

    fn nth_active_in<L: Lane>(
        &self,
        sums: &[L],
        grid: &Grid,
        cell: CellIndex,
        shape: &Shape,
        mut k: u32,
    ) -> Option<CellIndex> {
        let (w, h) = (self.width as isize, self.height as isize);
        let (y, x) = self.by_width.div_rem(cell);
        let (x, y) = (x as isize, y as isize);
        let v = shape.vision as isize;
        let pad = self.pad as isize;
        for (dy, ny) in visible_rows(y as i64, v as i64, h as i64, self.wrap) {
            let (dy, ny) = (dy as isize, ny as isize);
            let hw = shape.half_width(dy as i32) as isize;
            let row = ny as usize * self.stride;
            let (lo, hi) = ((x - hw + pad) as usize, (x + hw + pad + 1) as usize);
            let in_row = sums[row + hi].minus(sums[row + lo]) & ((1 << L::HALF_BITS) - 1);
            if k >= in_row {
                k -= in_row;
                continue;
            }
            for ext in lo..hi {
                let mut nx = ext as isize - pad;
                if nx < 0 || nx >= w {
                    if !self.wrap {
                        continue;
                    }
                    nx = nx.rem_euclid(w);
                }
                let c = (ny * w + nx) as CellIndex;
                if is_active_code(grid.code(c)) {
                    if k == 0 {
                        return Some(c);
                    }
                    k -= 1;
                }
            }
            return None;
        }
        None
    }
}

/// A shape laid over the sums ([`VisionCounts::viewer`]): where each of its
/// rows starts and ends, as offsets from the first sum it can read.
/// Reasoning: a count is then one slice of the sums and two loads per row,
/// with no index arithmetic per row; it is called for every civilian who
/// hesitates, and the per-row arithmetic was three quarters of its work.
pub struct Viewer<'a> {
    counts: &'a VisionCounts,
    shape: &'a Shape,
    /// Per row of the shape (top first): offsets of the sums before its
    /// first cell and at its last, from the window's start.
    spans: Vec<(u32, u32)>,
    /// Length of the window of sums the spans reach into.
    reach: usize,
}

impl Viewer<'_> {
    /// (officers, active civilians) the shape sees from `cell`, the centre
    /// cell included.
    #[inline]
    pub fn count(&self, cell: CellIndex) -> (u32, u32) {
        match &self.counts.sums {
            Sums::Narrow(sums) => self.count_in(sums, cell),
            Sums::Wide(sums) => self.count_in(sums, cell),
        }
    }

    /// The `k`th (0-based) active civilian the shape sees from `cell`, as
    /// [`VisionCounts::nth_active`] finds it.
    pub fn nth_active(&self, grid: &Grid, cell: CellIndex, k: u32) -> Option<CellIndex> {
        match &self.counts.sums {
            Sums::Narrow(sums) => self.nth_active_in(sums, grid, cell, k),
            Sums::Wide(sums) => self.nth_active_in(sums, grid, cell, k),
        }
    }

    fn nth_active_in<L: Lane>(&self, sums: &[L], grid: &Grid, cell: CellIndex, mut k: u32) -> Option<CellIndex> {
        let c = self.counts;
        let (y, x) = c.by_width.div_rem(cell);
        let (x, y) = (x as usize, y as usize);
        let v = self.shape.vision as usize;
        if !(y >= v && y + v < c.height && x >= v && x + v < c.width) {
            return c.nth_active(grid, cell, self.shape, k);
        }
        // Inside the map no row wraps or is clipped: rows are skipped by
        // their spans, and the row holding it is read as one run of cells.
        let window = &sums[(y - v) * c.stride + x + c.pad - v..][..self.reach];
        for (i, &(lo, hi)) in self.spans.iter().enumerate() {
            let in_row = window[hi as usize].minus(window[lo as usize]) & ((1 << L::HALF_BITS) - 1);
            if k >= in_row {
                k -= in_row;
                continue;
            }
            let first = ((y - v + i) * c.width + x - (hi - lo - 1) as usize / 2) as CellIndex;
            return nth_active_in_run(grid, first, (hi - lo) as usize, k);
        }
        None
    }

    #[inline]
    fn count_in<L: Lane>(&self, sums: &[L], cell: CellIndex) -> (u32, u32) {
        let c = self.counts;
        let (y, x) = c.by_width.div_rem(cell);
        let (x, y) = (x as usize, y as usize);
        let v = self.shape.vision as usize;
        let mut total = 0u32;
        if y >= v && y + v < c.height {
            // No row wraps or leaves the map: the common case, kept lean.
            let window = &sums[(y - v) * c.stride + x + c.pad - v..][..self.reach];
            for &(lo, hi) in &self.spans {
                total += window[hi as usize].minus(window[lo as usize]);
            }
        } else {
            let pad = c.pad as isize;
            for (dy, ny) in visible_rows(y as i64, v as i64, c.height as i64, c.wrap) {
                let hw = self.shape.half_width(dy as i32) as isize;
                debug_assert!(hw <= pad, "counts built for a smaller vision");
                let row = ny as usize * c.stride;
                let x = x as isize;
                total += sums[row + (x + hw + pad + 1) as usize].minus(sums[row + (x - hw + pad) as usize]);
            }
        }
        (total >> L::HALF_BITS, total & ((1 << L::HALF_BITS) - 1))
    }
}

/// The `k`th active among the `len` cells from `first`. Whether a cell
/// holds an active is a coin toss, so a test per cell mispredicted often
/// (officers choosing suspects spent most of their time here): runs of up
/// to 64 cells are read into a mask without a branch, and its lowest `k`
/// set bits cleared.
#[inline]
fn nth_active_in_run(grid: &Grid, first: CellIndex, len: usize, k: u32) -> Option<CellIndex> {
    if len > 64 {
        let mut actives = grid.codes(first, len).enumerate().filter(|&(_, code)| is_active_code(code));
        return actives.nth(k as usize).map(|(j, _)| first + j as CellIndex);
    }
    let mut mask = grid.codes(first, len).enumerate().fold(0u64, |m, (j, code)| m | (is_active_code(code) as u64) << j);
    for _ in 0..k {
        mask &= mask.wrapping_sub(1);
    }
    (mask != 0).then(|| first + mask.trailing_zeros())
}

/// Fills `sums` (resized to `len`) with each row's padded prefix sums.
fn fill<L: Lane>(sums: &mut Vec<L>, len: usize, grid: &Grid, pad: usize, parallel: bool) {
    let (w, h) = (grid.width as usize, grid.height as usize);
    let stride = w + 2 * pad + 1;
    sums.resize(len, L::default());
    let fill_row = |y: usize, row: &mut [L]| {
        let first = (y * w) as CellIndex;
        // Columns left and right of the map: copies of the wrapped cells on
        // a torus, nothing on a bounded map.
        let outside = |x: isize| {
            if grid.wrap { L::weight(grid.code(first + x.rem_euclid(w as isize) as CellIndex)) } else { L::default() }
        };
        row[0] = L::default();
        let (left, rest) = row[1..].split_at_mut(pad);
        let (middle, right) = rest.split_at_mut(w);
        let mut acc = L::default();
        accumulate(&mut acc, left.iter_mut().zip((0..pad).map(|i| outside(i as isize - pad as isize))));
        accumulate(&mut acc, middle.iter_mut().zip(grid.codes(first, w).map(L::weight)));
        accumulate(&mut acc, right.iter_mut().zip((0..pad).map(|i| outside((w + i) as isize))));
    };
    // Split only maps worth it (a task costs microseconds); a few chunks
    // per thread even out uneven rows.
    if parallel && w * h >= 1 << 18 {
        let rows_per_chunk = h.div_ceil(8);
        sums.par_chunk_map_mut(ComputeTaskPool::get(), stride * rows_per_chunk, |chunk, rows| {
            for (j, row) in rows.chunks_mut(stride).enumerate() {
                fill_row(chunk * rows_per_chunk + j, row);
            }
        });
    } else {
        for (y, row) in sums.chunks_mut(stride).enumerate() {
            fill_row(y, row);
        }
    }
}

/// Runs the prefix sum on from `acc` over (slot, weight) pairs.
#[inline]
fn accumulate<'s, L: Lane + 's>(acc: &mut L, pairs: impl Iterator<Item = (&'s mut L, L)>) {
    for (slot, value) in pairs {
        *acc = acc.add(value);
        *slot = *acc;
    }
}

/// An officer weighs one in the high half, an active one in the low half.
/// Arithmetic rather than a branch: which kind a cell holds is random.
/// From the code's top three bits (kind and active bit: 3 is an active
/// civilian, 4 an officer or unit, 7 a building), two compares instead of
/// the four of `is_officer_code` and `is_active_code`: the sums are
/// rebuilt twice a tick over every cell.
#[inline]
fn weight(code: u32, half_bits: u32) -> u32 {
    let class = code >> ACTIVE_SHIFT;
    ((class == ACTIVE_CLASS) as u32) | ((class == POLICE_CLASS) as u32) << half_bits
}

/// The top three bits of a code, as [`weight`] reads them.
const ACTIVE_SHIFT: u32 = 29;
const ACTIVE_CLASS: u32 = Occupant::Civilian { id: 0, active: true }.encode() >> ACTIVE_SHIFT;
const POLICE_CLASS: u32 = Occupant::Officer { id: 0 }.encode() >> ACTIVE_SHIFT;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::{MAX_AGENT_ID, Occupant, is_officer_code};
    use crate::scenario::{Edges, MapSpec, Neighbourhood};

    /// Counts by scanning, the reference for the prefix sums.
    fn scanned(grid: &Grid, cell: CellIndex, shape: &Shape) -> (u32, u32) {
        let (mut c, mut a) = (0, 0);
        let centre = grid.code(cell);
        grid.scan(cell, shape, |_, code| {
            c += is_officer_code(code) as u32;
            a += is_active_code(code) as u32;
        });
        (c + is_officer_code(centre) as u32, a + is_active_code(centre) as u32)
    }

    /// A `width` × `height` grid with `who(cell)` in every cell it names.
    fn scattered(width: u32, height: u32, edges: Edges, who: impl Fn(u32) -> Option<Occupant>) -> Grid {
        let map = MapSpec { width_cells: width, height_cells: height, edges, terrain: None, sites: Vec::new() };
        let mut grid = Grid::new(&map);
        for cell in 0..grid.cells() as u32 {
            if let Some(o) = who(cell) {
                grid.writes().set(cell, o);
            }
        }
        grid
    }

    #[test]
    fn weights_agree_with_the_kind_tests() {
        let ids = [0, 1, MAX_AGENT_ID];
        let kinds = ids.iter().flat_map(|&id| {
            [
                Occupant::Civilian { id, active: false },
                Occupant::Civilian { id, active: true },
                Occupant::Officer { id },
                Occupant::Unit { id },
            ]
        });
        for o in kinds.chain([Occupant::Empty, Occupant::Building]) {
            let code = o.encode();
            for half_bits in [8, 16] {
                let expect = ((is_officer_code(code) as u32) << half_bits) | is_active_code(code) as u32;
                assert_eq!(weight(code, half_bits), expect, "{o:?}");
            }
        }
    }

    #[test]
    fn nth_active_walks_actives_in_scan_order() {
        for edges in [Edges::Wrap, Edges::Bounded] {
            let grid = scattered(17, 15, edges, |cell| {
                (cell.wrapping_mul(2654435761) >> 29 == 1).then_some(Occupant::Civilian { id: cell, active: true })
            });
            let shape = Shape::new(Neighbourhood::Euclidean, 5);
            let mut counts = VisionCounts::default();
            counts.rebuild(&grid, 5, false);
            for cell in [0u32, 8, 100, 254] {
                let mut expect = Vec::new();
                grid.scan(cell, &shape, |c, code| {
                    if is_active_code(code) {
                        expect.push(c)
                    }
                });
                let found: Vec<_> =
                    (0..expect.len() as u32).map(|k| counts.nth_active(&grid, cell, &shape, k).unwrap()).collect();
                assert_eq!(found, expect, "{edges:?} cell {cell}");
                assert_eq!(counts.nth_active(&grid, cell, &shape, expect.len() as u32), None);
            }
        }
    }

    #[test]
    fn a_viewer_finds_the_same_actives_as_the_general_walk() {
        for edges in [Edges::Wrap, Edges::Bounded] {
            let grid = scattered(31, 29, edges, |cell| match cell.wrapping_mul(2654435761) >> 29 {
                0 | 1 => Some(Occupant::Civilian { id: cell, active: true }),
                2 => Some(Occupant::Officer { id: cell }),
                _ => None,
            });
            for kind in [Neighbourhood::VonNeumann, Neighbourhood::Moore, Neighbourhood::Euclidean] {
                let shape = Shape::new(kind, 6);
                let mut counts = VisionCounts::default();
                counts.rebuild(&grid, 7, false);
                let viewer = counts.viewer(&shape);
                for cell in 0..grid.cells() as u32 {
                    let actives = viewer.count(cell).1;
                    for k in 0..=actives {
                        assert_eq!(
                            viewer.nth_active(&grid, cell, k),
                            counts.nth_active(&grid, cell, &shape, k),
                            "{edges:?} {kind:?} cell {cell} k {k}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_viewer_finds_actives_in_rows_longer_than_a_mask() {
        // Vision 33 on a Moore square: rows of 67 cells, read without the
        // 64-bit mask.
        let grid = scattered(70, 70, Edges::Wrap, |cell| {
            (cell.wrapping_mul(2654435761) >> 30 == 1).then_some(Occupant::Civilian { id: cell, active: true })
        });
        let shape = Shape::new(Neighbourhood::Moore, 33);
        let mut counts = VisionCounts::default();
        counts.rebuild(&grid, 33, false);
        let viewer = counts.viewer(&shape);
        for cell in [35 * 70 + 35, 34 * 70 + 36] {
            let actives = viewer.count(cell).1;
            assert!(actives > 64);
            for k in 0..=actives {
                assert_eq!(viewer.nth_active(&grid, cell, k), counts.nth_active(&grid, cell, &shape, k), "k {k}");
            }
        }
    }

    #[test]
    fn prefix_counts_equal_scans() {
        for edges in [Edges::Wrap, Edges::Bounded] {
            // A deterministic scatter of officers and actives.
            let grid = scattered(23, 19, edges, |cell| match (cell.wrapping_mul(2654435761) >> 28) % 4 {
                0 => Some(Occupant::Officer { id: cell }),
                1 => Some(Occupant::Civilian { id: cell, active: true }),
                2 => Some(Occupant::Civilian { id: cell, active: false }),
                _ => None,
            });
            // Built for vision 7 the sums are 16-bit, for 9 they are 32-bit.
            let kinds = [Neighbourhood::VonNeumann, Neighbourhood::Moore, Neighbourhood::Euclidean];
            for (max_vision, kind, vision) in [7, 9]
                .into_iter()
                .flat_map(|m| kinds.into_iter().flat_map(move |k| [1, 3, 7, m].map(move |v| (m, k, v))))
            {
                let shape = Shape::new(kind, vision);
                let mut counts = VisionCounts::default();
                counts.rebuild(&grid, max_vision, false);
                for cell in 0..grid.cells() as u32 {
                    assert_eq!(
                        counts.count(cell, &shape),
                        scanned(&grid, cell, &shape),
                        "{edges:?} {kind:?} v{vision} (built for {max_vision}) cell {cell}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_full_neighbourhood_fits_the_narrow_sums() {
        // Every cell active, then every cell an officer: the largest shape
        // the 8-bit halves serve (a 15 × 15 square) must count all 225, on
        // a map whose rows are long enough for the prefix sums to wrap.
        let map = MapSpec { width_cells: 700, height_cells: 20, edges: Edges::Wrap, terrain: None, sites: Vec::new() };
        let shape = Shape::new(Neighbourhood::Moore, 7);
        for officers in [false, true] {
            let mut grid = Grid::new(&map);
            for cell in 0..grid.cells() as u32 {
                grid.writes().set(
                    cell,
                    if officers {
                        Occupant::Officer { id: cell }
                    } else {
                        Occupant::Civilian { id: cell, active: true }
                    },
                );
            }
            let mut counts = VisionCounts::default();
            counts.rebuild(&grid, 7, false);
            for cell in [0, 350, 699, 7000, 13_999] {
                let expect = if officers { (225, 0) } else { (0, 225) };
                assert_eq!(counts.count(cell, &shape), expect, "cell {cell}");
            }
            assert_eq!(counts.nth_active(&grid, 7000, &shape, 224).is_some(), !officers);
        }
    }
}
