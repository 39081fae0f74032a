//! The small closed vocabularies a scenario chooses from: edges, neighbourhood
//! shapes, rounding of the cop-to-active ratio, activation order, placement and
//! the distributions of agent traits. Each variant is documented in
//! `docs/scenario-format.md` and, where it is a modelling choice, in
//! `docs/model.md` with the implementation that makes it.

use serde::{Deserialize, Serialize};

/// What lies beyond the map's border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Edges {
    /// A torus: leaving one side enters the opposite one (Epstein 2002).
    Wrap,
    /// Nothing: vision and movement stop at the border.
    Bounded,
}

/// Which cells an agent sees at vision `v`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Neighbourhood {
    /// Cells with |dx| + |dy| <= v (Mesa's example).
    VonNeumann,
    /// Cells with max(|dx|, |dy|) <= v.
    Moore,
    /// Cells with dx² + dy² <= v² (NetLogo's `in-radius`).
    Euclidean,
}

/// How the cop-to-active ratio C/A is rounded before it enters
/// P = 1 − exp(−k·C/A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rounding {
    /// No rounding, as printed in the paper.
    Exact,
    /// Round down, as NetLogo's Rebellion does.
    Floor,
    /// Round to the nearest integer, as Mesa's example does.
    Round,
}

/// How agents take their turns within a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// Every agent, civilian or officer, takes one turn in a fresh random
    /// order and sees what earlier agents did (the paper, NetLogo, Mesa).
    RandomSequential,
    /// All civilians decide from the same start-of-tick picture, officers
    /// arrest, then everyone moves at once with conflicts settled by lot. The
    /// fast, parallel engine for large maps.
    Synchronous,
}

/// What an agent does first in its turn under `RandomSequential`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Turn {
    /// Move, then decide (civilian) or arrest (officer): the paper, NetLogo.
    MoveThenAct,
    /// Decide or arrest, then move: Mesa's example.
    ActThenMove,
}

/// Where civilians start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Placement {
    /// Uniformly at random over open cells, one agent per cell.
    Random,
}

/// How a per-agent trait is drawn at the start of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Distribution {
    /// Uniform on [min, max).
    Uniform { min: f64, max: f64 },
    /// The same value for everyone.
    Constant(f64),
}

impl Distribution {
    /// Maps a uniform draw `u` in [0, 1) to this distribution.
    pub fn sample(self, u: f64) -> f64 {
        match self {
            Distribution::Uniform { min, max } => min + (max - min) * u,
            Distribution::Constant(v) => v,
        }
    }
}
