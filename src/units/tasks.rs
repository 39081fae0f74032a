//! The tasks a commander gives a unit, in order of priority, and where.

use serde::Serialize;

pub use crate::base::vocabulary::TaskKind;
use crate::grid::CellIndex;

/// A task and the cell it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Task {
    pub kind: TaskKind,
    pub cell: CellIndex,
}
