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
#[derive(Resource, Debug, Default, Clone)]
pub struct AgentIndex {
    pub civilians: Vec<Entity>,
    /// `None` where an officer was withdrawn.
    pub officers: Vec<Option<Entity>>,
    /// Security units by `UnitId`.
    pub units: Vec<Entity>,
}

/// Scratch for the parallel engine (`activation::synchronous`): what an
/// agent intends this tick. Every civilian and officer is spawned with one,
/// whichever engine runs, so that all agents of a kind share one table.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intent {
    /// Cell it wants to move to, or for an officer choosing a suspect the
    /// suspect's cell; NONE if nothing.
    pub target: u32,
    /// Its ticket in the lottery for that target (lower wins); see
    /// `activation::move_ticket`.
    pub ticket: u32,
}

impl Intent {
    pub const NONE: u32 = u32::MAX;
}

impl Default for Intent {
    fn default() -> Self {
        Intent { target: Intent::NONE, ticket: u32::MAX }
    }
}
