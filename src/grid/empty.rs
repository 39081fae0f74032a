//! Which cells are empty, one bit per cell: a snapshot for the parallel
//! engine's move proposals.
//!
//! Pattern: taken from the grid right before agents propose moves, read while
//! they propose (the grid does not change in that phase), stale after.
//! Reasoning: the move rule tests random cells up to `vision` rows away. In
//! the grid's 4-byte codes those rows are larger than the first-level cache
//! at a million agents; as bits a 1,200-cell row is 150 bytes. Keeping the
//! bits in step with every write instead needs a locked instruction per
//! move (two cells share a word across threads), which cost more than this
//! pass over the map.

use bevy_ecs::prelude::Resource;
use bevy_tasks::{ComputeTaskPool, ParallelSliceMut};

use super::{CellIndex, Grid, is_empty_code};

#[derive(Resource, Default, Clone)]
pub struct EmptyCells {
    /// Bit `c % 64` of word `c / 64` is set when cell `c` is empty.
    words: Vec<u64>,
}

impl EmptyCells {
    /// Takes the snapshot; with `parallel` the words are split over the
    /// compute task pool (same bits either way).
    pub fn refresh(&mut self, grid: &Grid, parallel: bool) {
        let cells = grid.cells();
        self.words.resize(cells.div_ceil(64), 0);
        let fill = |first_word: usize, words: &mut [u64]| {
            for (i, word) in words.iter_mut().enumerate() {
                let base = (first_word + i) * 64;
                // A run of codes behind one bounds check, folded without a
                // branch: a test per cell through the grid's accessor was
                // a tenth of the move phase.
                let codes = grid.codes(base as CellIndex, 64.min(cells - base));
                *word = codes.enumerate().fold(0, |bits, (b, code)| bits | (is_empty_code(code) as u64) << b);
            }
        };
        const CHUNK: usize = 4096;
        if parallel && cells >= 1 << 18 {
            self.words.par_chunk_map_mut(ComputeTaskPool::get(), CHUNK, |chunk, words| fill(chunk * CHUNK, words));
        } else {
            fill(0, &mut self.words);
        }
    }

    #[inline]
    pub fn is_empty(&self, cell: CellIndex) -> bool {
        self.words[cell as usize / 64] >> (cell % 64) & 1 != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Occupant;
    use crate::scenario::{Edges, MapSpec};

    #[test]
    fn snapshot_matches_the_grid() {
        // 70 × 9 cells: the last word is partly outside the map.
        let map = MapSpec { width_cells: 70, height_cells: 9, edges: Edges::Wrap, terrain: None, sites: Vec::new() };
        let mut grid = Grid::new(&map);
        for cell in 0..grid.cells() as u32 {
            let grid = grid.writes();
            match cell.wrapping_mul(2654435761) >> 30 {
                0 => grid.set(cell, Occupant::Officer { id: cell }),
                1 => grid.set(cell, Occupant::Civilian { id: cell, active: cell % 2 == 0 }),
                2 => grid.set(cell, Occupant::Building),
                _ => {}
            }
        }
        let mut empty = EmptyCells::default();
        empty.refresh(&grid, false);
        for cell in 0..grid.cells() as u32 {
            assert_eq!(empty.is_empty(cell), grid.is_empty(cell), "cell {cell}");
        }
        assert!((0..grid.cells() as u32).any(|c| empty.is_empty(c)));
        assert!((0..grid.cells() as u32).any(|c| !empty.is_empty(c)));
    }
}
