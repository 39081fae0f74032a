//! Where agents stand, and how a system finds an agent's entity by its
//! stable id.

use bevy_ecs::prelude::*;

/// A cell of the map, row-major: `y * width + x`.
pub type CellIndex = u32;

/// The cell an agent stands on (or, for a jailed civilian who left the grid,
/// where it was arrested).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position(pub CellIndex);

/// Entities by stable id, for the sequential engine's turns and for rules
/// that act in id order.
#[derive(Resource, Debug, Default)]
pub struct AgentIndex {
    pub civilians: Vec<Entity>,
    /// `None` where an officer was withdrawn.
    pub officers: Vec<Option<Entity>>,
    /// Security units by `UnitId`.
    pub units: Vec<Entity>,
}
