//! The tasks a commander gives a unit, in order of priority, and where.

use serde::Serialize;

use crate::grid::CellIndex;

/// What a unit is told to do (domain brief, command decisions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Stand at a critical site and keep it.
    GuardSite,
    /// Hold a line around a crowd.
    Cordon,
    /// Clear a crowd or a blocked road.
    Disperse,
    /// Arrest actives.
    Arrest,
    /// Walk around near home.
    Patrol,
    /// Stay put (at base).
    Hold,
}

impl TaskKind {
    pub const ALL: [TaskKind; 6] =
        [TaskKind::GuardSite, TaskKind::Cordon, TaskKind::Disperse, TaskKind::Arrest, TaskKind::Patrol, TaskKind::Hold];

    /// Whether a unit on this task arrests the actives it sees.
    pub fn arrests(self) -> bool {
        matches!(self, TaskKind::Disperse | TaskKind::Arrest | TaskKind::GuardSite)
    }

    /// Whether the task answers a hotspot (rather than being a unit's
    /// standing task).
    pub fn is_operation(self) -> bool {
        !matches!(self, TaskKind::Patrol | TaskKind::Hold)
    }

    /// Crowd-control tasks: the ones that put the unit face to face with a crowd.
    pub fn is_crowd_control(self) -> bool {
        matches!(self, TaskKind::Cordon | TaskKind::Disperse | TaskKind::Arrest)
    }

    pub fn name(self) -> &'static str {
        match self {
            TaskKind::GuardSite => "guard_site",
            TaskKind::Cordon => "cordon",
            TaskKind::Disperse => "disperse",
            TaskKind::Arrest => "arrest",
            TaskKind::Patrol => "patrol",
            TaskKind::Hold => "hold",
        }
    }
}

/// A task and the cell it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Task {
    pub kind: TaskKind,
    pub cell: CellIndex,
}
