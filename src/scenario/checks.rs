//! The range checks that a scenario's fields share: each takes a value and
//! gives it back, or says in words what was expected. Every part of the
//! file's check ([`validate`](super::validate), [`operations`](super::operations),
//! [`conflict`](super::conflict)) and every change during a run
//! (`Tunables::set`) calls these, so one kind of field has one rule and one
//! message wherever it is written.

use super::defaults as d;
use super::{Edges, MapSpec};

pub fn unit_interval(v: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&v) { Ok(v) } else { Err(format!("expected a number from 0 to 1, found {v}")) }
}

pub fn positive(v: f64) -> Result<f64, String> {
    if v.is_finite() && v > 0.0 { Ok(v) } else { Err(format!("expected a number above 0, found {v}")) }
}

/// The spread of a log-normal delay or of a perception error.
pub fn sigma(v: f64) -> Result<f64, String> {
    if (0.0..=3.0).contains(&v) { Ok(v) } else { Err(format!("expected a number from 0 to 3, found {v}")) }
}

/// A duration; the bound keeps tick arithmetic far from overflow.
pub fn minutes(v: f64) -> Result<f64, String> {
    if v.is_finite() && (0.0..=1e7).contains(&v) {
        Ok(v)
    } else {
        Err(format!("expected minutes from 0 to 10000000, found {v}"))
    }
}

/// A duration that something is divided by, or waited on every time.
pub fn positive_minutes(v: f64) -> Result<f64, String> {
    minutes(v).and_then(|v| if v > 0.0 { Ok(v) } else { Err("expected more than 0 minutes, found 0".to_string()) })
}

/// A whole number from `lo` to `hi`.
pub fn whole_in(lo: u32, hi: u32) -> impl Fn(u32) -> Result<u32, String> {
    move |v| {
        if (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(format!("expected a whole number from {lo} to {hi}, found {v}"))
        }
    }
}

/// A length in cells from 1 to `max`.
fn cells_up_to(v: u32, max: u32) -> Result<u32, String> {
    if (1..=max).contains(&v) {
        Ok(v)
    } else {
        Err(format!("expected a whole number of cells from 1 to {max}, found {v}"))
    }
}

/// A side of the map.
pub fn side(v: u32) -> Result<u32, String> {
    cells_up_to(v, d::MAX_SIDE_CELLS)
}

/// How far an agent sees.
pub fn vision(v: u32) -> Result<u32, String> {
    cells_up_to(v, d::MAX_VISION_CELLS)
}

pub fn jail_term(v: u32) -> Result<u32, String> {
    if (1..=d::MAX_JAIL_TERM_LIMIT_TICKS).contains(&v) {
        Ok(v)
    } else {
        Err(format!("expected a whole number of ticks from 1 to {}, found {v}", d::MAX_JAIL_TERM_LIMIT_TICKS))
    }
}

/// A name that messages and outputs show: blank would read as nothing.
pub fn name_given(v: &str) -> Result<&str, String> {
    if v.trim().is_empty() { Err("expected a non-empty name".to_string()) } else { Ok(v) }
}

/// A cell (column, row) inside the map.
pub fn on_map(map: &MapSpec, (x, y): (u32, u32)) -> Result<(u32, u32), String> {
    if x >= map.width_cells || y >= map.height_cells {
        Err(format!("({x}, {y}) is outside the {}×{} map", map.width_cells, map.height_cells))
    } else {
        Ok((x, y))
    }
}

/// A cell an agent can stand on: on the map and not a building.
pub fn open_cell(map: &MapSpec, at: (u32, u32)) -> Result<(u32, u32), String> {
    let (x, y) = on_map(map, at)?;
    if map.is_building(x, y) { Err(format!("({x}, {y}) is a building (`#` in map.terrain)")) } else { Ok((x, y)) }
}

/// Whether an agent seeing `vision` cells would see a cell twice: on a
/// torus the neighbourhood has to fit inside the map.
pub fn vision_wraps(map: &MapSpec, vision: u32) -> bool {
    map.edges == Edges::Wrap && 2 * vision as u64 + 1 > map.width_cells.min(map.height_cells) as u64
}

/// [`vision_wraps`] in words, for the civilians' and officers' vision.
pub fn vision_fits(map: &MapSpec, vision: u32) -> Option<String> {
    vision_wraps(map, vision).then(|| {
        format!(
            "vision {vision} does not fit a wrapped {}×{} map: it needs 2·vision + 1 <= {}",
            map.width_cells,
            map.height_cells,
            map.width_cells.min(map.height_cells)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages are part of the command line's output: tests and users
    /// read them, so a merge or a move must not reword them.
    #[test]
    fn messages_read_as_before() {
        let err = |r: Result<f64, String>| r.unwrap_err();
        assert_eq!(err(minutes(-1.0)), "expected minutes from 0 to 10000000, found -1");
        assert_eq!(err(minutes(f64::NAN)), "expected minutes from 0 to 10000000, found NaN");
        assert_eq!(err(positive_minutes(0.0)), "expected more than 0 minutes, found 0");
        assert_eq!(err(positive_minutes(-2.0)), "expected minutes from 0 to 10000000, found -2");
        assert_eq!(err(sigma(3.5)), "expected a number from 0 to 3, found 3.5");
        assert_eq!(err(unit_interval(2.0)), "expected a number from 0 to 1, found 2");
        assert_eq!(err(positive(0.0)), "expected a number above 0, found 0");
        assert_eq!(whole_in(1, 8)(9).unwrap_err(), "expected a whole number from 1 to 8, found 9");
        assert_eq!(
            vision(0).unwrap_err(),
            format!("expected a whole number of cells from 1 to {}, found 0", d::MAX_VISION_CELLS)
        );
        assert_eq!(
            side(0).unwrap_err(),
            format!("expected a whole number of cells from 1 to {}, found 0", d::MAX_SIDE_CELLS)
        );
        assert_eq!(name_given("  ").unwrap_err(), "expected a non-empty name");
        assert_eq!(whole_in(0, 1024)(1024), Ok(1024));
        assert_eq!(minutes(1e7), Ok(1e7));
    }
}
