//! The tasks a commander gives a unit, in order of priority, and where.

use serde::Serialize;

use crate::base::fingerprint::{Fingerprint, Fnv};
pub use crate::base::vocabulary::TaskKind;
use crate::grid::CellIndex;

/// A task and the cell it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Task {
    pub kind: TaskKind,
    pub cell: CellIndex,
}

/// The task a unit falls back on when it has no order.
pub fn standing_kind(task: crate::scenario::StandingTask) -> TaskKind {
    match task {
        crate::scenario::StandingTask::Patrol => TaskKind::Patrol,
        crate::scenario::StandingTask::Hold => TaskKind::Hold,
    }
}

impl Fingerprint for Task {
    fn fingerprint(&self, h: &mut Fnv) {
        h.u32(self.kind as u32);
        h.u32(self.cell);
    }
}
