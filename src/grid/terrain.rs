//! What the ground is, cell by cell: open, road, building, base or station,
//! or part of a named critical site. Read from the scenario's ASCII terrain
//! rows; fixed for the whole run. Units walk faster on roads and never
//! through buildings ([`super::path`]).

use bevy_ecs::prelude::Resource;

use super::CellIndex;
use crate::scenario::MapSpec;

/// The kind of ground on a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    Open,
    Road,
    Building,
    Base,
    /// Part of the critical site with this index in `map.sites`.
    Site(u16),
}

const OPEN: u16 = 0;
const ROAD: u16 = 1;
const BUILDING: u16 = 2;
const BASE: u16 = 3;
const SITE0: u16 = 4;

/// The ground of every cell, and the cells of each critical site.
#[derive(Resource, Debug, Clone)]
pub struct Terrain {
    pub width: u32,
    pub height: u32,
    pub wrap: bool,
    kinds: Vec<u16>,
    /// Cells of site `i`, in index order.
    pub site_cells: Vec<Vec<CellIndex>>,
    /// Whether any cell is road (sets the path heuristic's step cost).
    pub has_roads: bool,
}

/// Cost of a step onto a road; any other passable cell costs twice as much
/// (assumption: units move twice as fast on roads).
pub const ROAD_STEP_COST: u32 = 1;
pub const OFF_ROAD_STEP_COST: u32 = 2;

impl Terrain {
    pub fn new(map: &MapSpec) -> Terrain {
        let w = map.width_cells as usize;
        let mut kinds = vec![OPEN; map.cells()];
        let mut site_cells = vec![Vec::new(); map.sites.len()];
        if let Some(rows) = &map.terrain {
            for (y, row) in rows.iter().enumerate() {
                for (x, ch) in row.chars().enumerate() {
                    let cell = y * w + x;
                    kinds[cell] = match ch {
                        '=' => ROAD,
                        '#' => BUILDING,
                        '*' => BASE,
                        c => match map.sites.iter().position(|s| s.symbol == c) {
                            Some(i) => {
                                site_cells[i].push(cell as CellIndex);
                                SITE0 + i as u16
                            }
                            None => OPEN,
                        },
                    };
                }
            }
        }
        let has_roads = kinds.contains(&ROAD);
        Terrain {
            width: map.width_cells,
            height: map.height_cells,
            wrap: map.edges == crate::scenario::Edges::Wrap,
            kinds,
            site_cells,
            has_roads,
        }
    }

    #[inline]
    pub fn ground(&self, cell: CellIndex) -> Ground {
        match self.kinds[cell as usize] {
            OPEN => Ground::Open,
            ROAD => Ground::Road,
            BUILDING => Ground::Building,
            BASE => Ground::Base,
            k => Ground::Site(k - SITE0),
        }
    }

    #[inline]
    pub fn passable(&self, cell: CellIndex) -> bool {
        self.kinds[cell as usize] != BUILDING
    }

    #[inline]
    pub fn is_road(&self, cell: CellIndex) -> bool {
        self.kinds[cell as usize] == ROAD
    }

    /// What a step onto `cell` costs (impassable cells are never entered).
    #[inline]
    pub fn step_cost(&self, cell: CellIndex) -> u32 {
        if self.is_road(cell) { ROAD_STEP_COST } else { OFF_ROAD_STEP_COST }
    }

    /// The four cells a unit can step to from `cell` (fewer at a bounded
    /// border).
    pub fn steps(&self, cell: CellIndex) -> impl Iterator<Item = CellIndex> + '_ {
        let (w, h) = (self.width as i64, self.height as i64);
        let (x, y) = ((cell % self.width) as i64, (cell / self.width) as i64);
        [(1, 0), (-1, 0), (0, 1), (0, -1)].into_iter().filter_map(move |(dx, dy)| {
            let (mut nx, mut ny) = (x + dx, y + dy);
            if self.wrap {
                nx = nx.rem_euclid(w);
                ny = ny.rem_euclid(h);
            } else if !(0..w).contains(&nx) || !(0..h).contains(&ny) {
                return None;
            }
            Some((ny * w + nx) as CellIndex)
        })
    }

    /// Steps between two cells ignoring terrain (on a torus, the short way).
    pub fn manhattan(&self, a: CellIndex, b: CellIndex) -> u32 {
        let (ax, ay) = (a % self.width, a / self.width);
        let (bx, by) = (b % self.width, b / self.width);
        let (mut dx, mut dy) = (ax.abs_diff(bx), ay.abs_diff(by));
        if self.wrap {
            dx = dx.min(self.width - dx);
            dy = dy.min(self.height - dy);
        }
        dx + dy
    }
}
