//! The cells an agent sees at a given vision, for each neighbourhood shape.
//!
//! A shape is stored two ways: as the half-width of each row (for row scans
//! and prefix-sum counts) and as a list of offsets (for drawing a random
//! cell within vision).

use bevy_ecs::prelude::Resource;

use crate::scenario::{Neighbourhood, Rules, Tunables};

/// Neighbourhood shapes at the current visions of civilians and officers.
#[derive(Resource, Debug, Clone)]
pub struct Shapes {
    pub civilian: Shape,
    pub officer: Shape,
}

impl Shapes {
    pub fn new(rules: &Rules, t: &Tunables, map_width: u32) -> Shapes {
        Shapes {
            civilian: Shape::new(rules.neighbourhood, t.civilian_vision_cells).for_row_length(map_width),
            officer: Shape::new(rules.neighbourhood, t.police_vision_cells).for_row_length(map_width),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub kind: Neighbourhood,
    pub vision: u32,
    /// `half_widths[dy + vision]`: cells seen left and right on row `dy`.
    half_widths: Vec<u32>,
    /// Every offset seen, the centre excluded, in row order.
    pub offsets: Vec<(i32, i32)>,
    /// The same offsets as steps in the cell index on a map `row_length`
    /// cells wide (`dy * row_length + dx`): for agents far enough from the
    /// border that nothing wraps, a neighbour is one addition away.
    pub deltas: Vec<i64>,
    pub row_length: u32,
}

impl Shape {
    pub fn new(kind: Neighbourhood, vision: u32) -> Shape {
        let v = vision as i64;
        let half_widths: Vec<u32> = (-v..=v)
            .map(|dy| match kind {
                Neighbourhood::VonNeumann => (v - dy.abs()) as u32,
                Neighbourhood::Moore => v as u32,
                // Largest dx with dx² + dy² <= v²: NetLogo's in-radius on
                // patch centres.
                Neighbourhood::Euclidean => {
                    let r2 = v * v - dy * dy;
                    let mut dx = (r2 as f64).sqrt() as i64;
                    while dx * dx > r2 {
                        dx -= 1;
                    }
                    while (dx + 1) * (dx + 1) <= r2 {
                        dx += 1;
                    }
                    dx as u32
                }
            })
            .collect();
        let mut offsets = Vec::new();
        for dy in -v..=v {
            let hw = half_widths[(dy + v) as usize] as i64;
            for dx in -hw..=hw {
                if dx != 0 || dy != 0 {
                    offsets.push((dx as i32, dy as i32));
                }
            }
        }
        Shape { kind, vision, half_widths, offsets, deltas: Vec::new(), row_length: 0 }
    }

    /// This shape with index steps for a map `width` cells wide.
    pub fn for_row_length(mut self, width: u32) -> Shape {
        self.deltas = self.offsets.iter().map(|&(dx, dy)| dy as i64 * width as i64 + dx as i64).collect();
        self.row_length = width;
        self
    }

    #[inline]
    pub fn half_width(&self, dy: i32) -> u32 {
        self.half_widths[(dy + self.vision as i32) as usize]
    }

    /// Cells seen, the centre excluded.
    pub fn size(&self) -> usize {
        self.offsets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_the_known_counts() {
        // Von Neumann diamond of radius v without centre: 2v(v+1).
        assert_eq!(Shape::new(Neighbourhood::VonNeumann, 7).size(), 112);
        // Moore square: (2v+1)² − 1.
        assert_eq!(Shape::new(Neighbourhood::Moore, 7).size(), 224);
        // NetLogo's in-radius 7 covers 149 patches including the centre.
        assert_eq!(Shape::new(Neighbourhood::Euclidean, 7).size(), 148);
        // Radius 1: the four orthogonal neighbours.
        assert_eq!(Shape::new(Neighbourhood::Euclidean, 1).size(), 4);
    }
}
