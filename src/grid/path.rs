//! Shortest paths for security units: A* over the four-neighbour grid,
//! around buildings, with roads cheaper than open ground.
//!
//! *Pattern:* one reusable search state with generation stamps instead of
//! fresh arrays per search. *Reasoning:* a million-cell map would otherwise
//! allocate and clear megabytes for every order a unit receives.
//! Ties in the open list break on (cost estimate, cell index), so the path
//! found depends only on the map, never on memory or timing.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::CellIndex;
use super::terrain::{OFF_ROAD_STEP_COST, ROAD_STEP_COST, Terrain};

/// Reused search memory.
#[derive(Debug, Default, Clone)]
pub struct Pathfinder {
    stamp: Vec<u32>,
    cost: Vec<u32>,
    parent: Vec<CellIndex>,
    generation: u32,
    open: BinaryHeap<Reverse<(u32, CellIndex)>>,
}

impl Pathfinder {
    /// The cheapest path from `from` to `to`: the cells to step on in order,
    /// `to` last (empty if already there). `None` if `to` is a building or
    /// cannot be reached within `max_expanded` cells.
    pub fn find(&mut self, t: &Terrain, from: CellIndex, to: CellIndex, max_expanded: usize) -> Option<Vec<CellIndex>> {
        if !t.passable(to) {
            return None;
        }
        if from == to {
            return Some(Vec::new());
        }
        let n = t.width as usize * t.height as usize;
        if self.stamp.len() != n {
            self.stamp = vec![0; n];
            self.cost = vec![0; n];
            self.parent = vec![0; n];
            self.generation = 0;
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.generation = 1;
        }
        let unit = if t.has_roads { ROAD_STEP_COST } else { OFF_ROAD_STEP_COST };
        let h = |c: CellIndex| t.manhattan(c, to) * unit;
        let g = self.generation;
        self.open.clear();
        self.stamp[from as usize] = g;
        self.cost[from as usize] = 0;
        self.open.push(Reverse((h(from), from)));
        let mut expanded = 0;
        while let Some(Reverse((f, cell))) = self.open.pop() {
            let c = self.cost[cell as usize];
            if f > c + h(cell) {
                continue; // a stale entry
            }
            if cell == to {
                let mut path = vec![to];
                let mut at = to;
                while self.parent[at as usize] != from {
                    at = self.parent[at as usize];
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            expanded += 1;
            if expanded > max_expanded {
                return None;
            }
            for next in t.steps(cell) {
                if !t.passable(next) {
                    continue;
                }
                let nc = c + t.step_cost(next);
                let i = next as usize;
                if self.stamp[i] != g || nc < self.cost[i] {
                    self.stamp[i] = g;
                    self.cost[i] = nc;
                    self.parent[i] = cell;
                    self.open.push(Reverse((nc + h(next), next)));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Edges, MapSpec};

    fn terrain(rows: &[&str]) -> Terrain {
        Terrain::new(&MapSpec {
            width_cells: rows[0].len() as u32,
            height_cells: rows.len() as u32,
            edges: Edges::Bounded,
            terrain: Some(rows.iter().map(|r| r.to_string()).collect()),
            sites: Vec::new(),
        })
    }

    fn cost(t: &Terrain, path: &[CellIndex]) -> u32 {
        path.iter().map(|&c| t.step_cost(c)).sum()
    }

    #[test]
    fn goes_around_buildings_and_prefers_roads() {
        let t = terrain(&[
            ".......", //
            ".#####.", //
            ".......", //
            "=======", //
        ]);
        let from = t.width * 2; // (0, 2)
        let to = t.width * 2 + 6; // (6, 2)
        let path = Pathfinder::default().find(&t, from, to, 1000).unwrap();
        assert_eq!(*path.last().unwrap(), to);
        assert!(path.iter().all(|&c| t.passable(c)));
        // Straight along row 2 costs 12; down to the road, along it and
        // back up costs 1 + 6 + 2 = 9: roads are twice as fast.
        assert_eq!(cost(&t, &path), 9);
        for w in path.windows(2) {
            assert_eq!(t.manhattan(w[0], w[1]), 1, "steps are to a neighbour");
        }
    }

    #[test]
    fn walled_in_targets_have_no_path() {
        let t = terrain(&[
            "..#..", //
            "..#..", //
            "..#..", //
        ]);
        assert!(Pathfinder::default().find(&t, 0, 4, 1000).is_none());
        assert!(Pathfinder::default().find(&t, 0, 2, 1000).is_none(), "a building is never a target");
        assert_eq!(Pathfinder::default().find(&t, 0, 0, 1000), Some(Vec::new()));
    }

    #[test]
    fn reused_state_gives_the_same_paths() {
        let t = terrain(&[
            "..........", //
            ".###.####.", //
            "...=====..", //
            ".#.#..#...", //
        ]);
        let mut reused = Pathfinder::default();
        for (a, b) in [(0u32, 39u32), (9, 30), (20, 7), (0, 39)] {
            assert_eq!(reused.find(&t, a, b, 1000), Pathfinder::default().find(&t, a, b, 1000));
        }
    }
}
