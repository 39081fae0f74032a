//! Step 4c: escape routes. Force that scatters a crowd (gas, projectiles,
//! rounds) must leave it a way out: the PNP's human-rights manual for
//! operations (RM 952-2018-IN) requires dispersal to leave escape routes,
//! and a crowd with none is crushed, or turns on the line. A target is
//! **trapped** when every cell beside it farther from the unit is a wall,
//! the map's edge, or a unit or officer: the crowd behind it can give way,
//! a building or a line cannot (a kettle).
//!
//! Units trained in crowd control (`crowd_training` at least
//! [`ESCAPE_TRAINING`]) keep to it: they do not gas or fire projectiles at
//! a trapped person, holding at physical control. Others do, and the crowd sees it as
//! force on all of them (indiscriminate) and a flashpoint
//! (`effects::on_the_crowd`).

use crate::base::vocabulary::ForceLevel;
use crate::grid::{CellIndex, Grid, Occupant};

/// The crowd-control training from which a unit leaves escape routes
/// (**Assumption**: the PNP's crowd-control police, 0.8, its patrols, 0.5,
/// and the FF.AA.'s crowd-trained soldiers, 0.5, are taught it; infantry,
/// 0.2, is not).
pub const ESCAPE_TRAINING: f64 = 0.5;

/// Whether the person on `target` has no way out from a unit at column and
/// row `at`: no cell beside it (8 around, not across a wrapped edge)
/// farther from the unit than it stands is open ground or other civilians.
pub fn trapped(grid: &Grid, at: (u32, u32), target: CellIndex) -> bool {
    let (x, y) = grid.xy(target);
    let from = |(cx, cy): (u32, u32)| at.0.abs_diff(cx).max(at.1.abs_diff(cy));
    let here = from((x, y));
    let gives_way = |c| matches!(grid.get(c), Occupant::Empty | Occupant::Civilian { .. });
    !(-1..=1).any(|dy: i32| {
        (-1..=1).any(|dx: i32| grid.offset_xy(x, y, dx, dy).is_some_and(|c| gives_way(c) && from(grid.xy(c)) > here))
    })
}

/// The force a unit with `training` uses on a target, `trapped` or not,
/// when it chose `force`: gas and projectiles on a trapped person only by
/// the untrained (lethal force answers its own rules, §11.10).
pub fn leaving_a_way_out(force: ForceLevel, training: f64, trapped: bool) -> ForceLevel {
    if trapped && training >= ESCAPE_TRAINING && force == ForceLevel::NonLethalDefensiveTactics {
        ForceLevel::PhysicalControl
    } else {
        force
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Edges, MapSpec};

    #[test]
    fn a_person_with_no_empty_cell_farther_from_the_unit_is_trapped() {
        let rows = ["......", "......", "......", "......"];
        let map = MapSpec {
            width_cells: 6,
            height_cells: 4,
            edges: Edges::Bounded,
            terrain: Some(rows.iter().map(|r| r.to_string()).collect()),
            sites: Vec::new(),
        };
        let mut grid = Grid::new(&map);
        let cell = |x: u32, y: u32| y * 6 + x;
        let unit = (0, 1);
        // Open ground behind the target: a way out.
        assert!(!trapped(&grid, unit, cell(1, 1)));
        // The crowd behind gives way.
        for (x, y) in [(2, 0), (2, 1), (2, 2)] {
            grid.writes().set(cell(x, y), Occupant::Civilian { id: x + 10 * y, active: false });
        }
        assert!(!trapped(&grid, unit, cell(1, 1)), "the crowd behind can move");
        // A line of units behind does not.
        for (x, y) in [(2, 0), (2, 1), (2, 2)] {
            grid.writes().set(cell(x, y), Occupant::Unit { id: x + 10 * y });
        }
        assert!(trapped(&grid, unit, cell(1, 1)), "between two lines");
        // Against the map's edge, with the unit between it and the open.
        assert!(trapped(&grid, (4, 1), cell(5, 1)));
        use ForceLevel::*;
        assert_eq!(leaving_a_way_out(NonLethalDefensiveTactics, 0.8, true), PhysicalControl);
        assert_eq!(leaving_a_way_out(NonLethalDefensiveTactics, 0.2, true), NonLethalDefensiveTactics, "infantry");
        assert_eq!(leaving_a_way_out(LethalForce, 0.8, true), LethalForce, "lethal force has its own rules");
        assert_eq!(leaving_a_way_out(NonLethalDefensiveTactics, 0.8, false), NonLethalDefensiveTactics);
    }
}
