//! Cordons and containment (issue 19, item 2; `docs/model.md` §10.9): a
//! unit on `cordon` takes a post on a ring around its crowd and, once
//! there, holds a line across the ground beside it. Nobody crosses the line
//! inwards; anyone may leave. The lines are read off the units at the end of
//! every tick (derived state, like the sites guards hold) and bound the
//! civilians' moves in the next.

use crate::grid::CellIndex;

/// How far either side of its post a cordon's line reaches, in cells
/// (**Assumption**: a platoon of about 30 at two metres a person holds some
/// 60 m, a cell of 25 m either side of the post; with the post, 75 m).
pub const LINE_HALF_WIDTH_CELLS: u32 = 1;

/// One unit's line: where it stands, the hotspot it closes and how far out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    post: (u32, u32),
    centre: (u32, u32),
    radius: u32,
}

/// The lines held this tick.
#[derive(Debug, Clone, Default)]
pub struct Cordons {
    lines: Vec<Line>,
    width: u32,
    height: u32,
    wrap: bool,
}

impl Cordons {
    pub fn new(width: u32, height: u32, wrap: bool) -> Cordons {
        Cordons { lines: Vec::new(), width, height, wrap }
    }

    /// Forgets last tick's lines.
    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// A unit at `post` holds a line around the hotspot at `centre`, at the
    /// distance it stands from it (a unit on the hotspot itself closes
    /// nothing).
    pub fn hold(&mut self, post: CellIndex, centre: CellIndex) {
        let (post, centre) = (self.xy(post), self.xy(centre));
        let radius = self.apart(post, centre);
        if radius > 0 {
            self.lines.push(Line { post, centre, radius });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether a walker on `from` who sees `vision` cells may meet a line:
    /// some hotspot is within its ring plus the walker's reach.
    #[inline]
    pub fn near(&self, from: CellIndex, vision: u32) -> bool {
        let at = self.xy(from);
        self.lines.iter().any(|l| self.apart(at, l.centre) <= l.radius + vision + 1)
    }

    /// Whether a move from `from` to `to` is let through: it is refused when
    /// it crosses a line inwards (from at or beyond its ring to inside it)
    /// where the line stands (its start, its middle or its end within
    /// [`LINE_HALF_WIDTH_CELLS`] of the post). Moves outwards, along the
    /// ring or far from every post pass.
    #[inline]
    pub fn lets(&self, from: CellIndex, to: CellIndex) -> bool {
        let (a, b) = (self.xy(from), self.xy(to));
        !self.lines.iter().any(|l| {
            self.apart(b, l.centre) < l.radius && self.apart(a, l.centre) >= l.radius && {
                let mid = self.midpoint(a, b);
                [a, mid, b].iter().any(|&p| self.apart(p, l.post) <= LINE_HALF_WIDTH_CELLS)
            }
        })
    }

    fn xy(&self, cell: CellIndex) -> (u32, u32) {
        (cell % self.width, cell / self.width)
    }

    /// The signed shortest step from `a` to `b` along an axis of `len`.
    fn step(&self, a: u32, b: u32, len: u32) -> i64 {
        let d = b as i64 - a as i64;
        let len = len as i64;
        if self.wrap && d.abs() * 2 > len { d - d.signum() * len } else { d }
    }

    /// Cells apart (the larger of the two differences; across a wrapped
    /// edge where that is shorter).
    fn apart(&self, a: (u32, u32), b: (u32, u32)) -> u32 {
        self.step(a.0, b.0, self.width).unsigned_abs().max(self.step(a.1, b.1, self.height).unsigned_abs()) as u32
    }

    /// Halfway from `a` to `b`, rounded towards `a`.
    fn midpoint(&self, a: (u32, u32), b: (u32, u32)) -> (u32, u32) {
        let half = |a: u32, b: u32, len: u32| (a as i64 + self.step(a, b, len) / 2).rem_euclid(len as i64) as u32;
        (half(a.0, b.0, self.width), half(a.1, b.1, self.height))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_stops_people_coming_in_and_lets_them_out() {
        let cell = |x: u32, y: u32| y * 30 + x;
        let mut c = Cordons::new(30, 30, false);
        assert!(c.lets(cell(15, 20), cell(15, 17)), "no line, no cordon");
        // A unit 4 cells south of the hotspot at (15, 15).
        c.hold(cell(15, 19), cell(15, 15));
        assert!(!c.lets(cell(15, 20), cell(15, 18)), "in through the line");
        assert!(!c.lets(cell(16, 22), cell(14, 16)), "a long jump across the line");
        assert!(!c.lets(cell(14, 19), cell(14, 18)), "from the ring itself, inwards");
        assert!(c.lets(cell(15, 18), cell(15, 22)), "out through the line");
        assert!(c.lets(cell(15, 17), cell(14, 16)), "inside, moving about");
        assert!(c.lets(cell(10, 22), cell(9, 23)), "outside, moving about");
        assert!(c.lets(cell(15, 10), cell(15, 12)), "in on the other side: no line there");
        assert!(c.lets(cell(19, 20), cell(18, 18)), "in beyond the line's reach");
        assert!(c.near(cell(15, 23), 3) && !c.near(cell(15, 24), 3), "within the ring and a walker's reach");
        c.clear();
        assert!(c.is_empty() && c.lets(cell(15, 20), cell(15, 18)));
        c.hold(cell(15, 15), cell(15, 15));
        assert!(c.is_empty(), "a unit on the hotspot holds no line");
    }
}
