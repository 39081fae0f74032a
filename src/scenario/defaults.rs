//! Every default a scenario can leave out, in one place. Each value's source
//! is given in `docs/model.md` (Epstein 2002, Model I, unless marked as an
//! assumption).

use super::types::{Activation, Distribution, Edges, Neighbourhood, Placement, Rounding, Turn};

pub const FORMAT_VERSION: u32 = 1;
pub const SEED: u64 = 1;
pub const TICKS: u32 = 200;
/// Assumption: one tick is one minute (domain brief, proposed rules).
pub const MINUTES_PER_TICK: f64 = 1.0;
pub const EDGES: Edges = Edges::Wrap;

pub const CIVILIAN_DENSITY: f64 = 0.7;
pub const PLACEMENT: Placement = Placement::Random;
pub const LEGITIMACY: f64 = 0.82;
pub const CIVILIAN_VISION_CELLS: u32 = 7;
pub const THRESHOLD: f64 = 0.1;
pub const ARREST_CONSTANT_K: f64 = 2.3;
pub const MAX_JAIL_TERM_TICKS: u32 = 30;
pub const HARDSHIP: Distribution = Distribution::Uniform { min: 0.0, max: 1.0 };
pub const RISK_AVERSION: Distribution = Distribution::Uniform { min: 0.0, max: 1.0 };

pub const POLICE_DENSITY: f64 = 0.04;
pub const POLICE_VISION_CELLS: u32 = 7;

pub const NEIGHBOURHOOD: Neighbourhood = Neighbourhood::Euclidean;
pub const ARREST_RATIO_ROUNDING: Rounding = Rounding::Floor;
pub const JAILED_KEEP_CELL: bool = false;
pub const ACTIVATION: Activation = Activation::RandomSequential;
pub const TURN: Turn = Turn::MoveThenAct;

/// Assumption: an outburst is a spell with at least 5% of civilians active.
pub const OUTBURST_ACTIVE_SHARE: f64 = 0.05;

/// Largest map side we accept: keeps cell indices in 32 bits with room for
/// the occupancy codes.
pub const MAX_SIDE_CELLS: u32 = 16_384;
/// Longest jail term: far beyond any run, and far from overflowing a tick.
pub const MAX_JAIL_TERM_LIMIT_TICKS: u32 = 100_000_000;
/// Longest ramp of a scheduled change.
pub const MAX_RAMP_TICKS: u32 = 10_000_000;
/// Largest vision: beyond this the neighbourhood scans dominate everything.
pub const MAX_VISION_CELLS: u32 = 64;
