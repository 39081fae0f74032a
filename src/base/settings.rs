//! The scenario's settings in force at the current tick, and whether hot
//! systems may use the threads.

use bevy_ecs::prelude::Resource;

use crate::scenario::{Rules, Tunables};

#[derive(Resource, Debug, Clone, Copy)]
pub struct CurrentTunables(pub Tunables);

#[derive(Resource, Debug, Clone, Copy)]
pub struct CurrentRules(pub Rules);

/// The scheduled tunables, from the scenario's changes.
#[derive(Resource, Debug, Clone, Default)]
pub struct Timeline(pub Vec<(u32, Tunables)>);

/// Whether hot systems may spread over the compute task pool.
#[derive(Resource, Debug, Clone, Copy)]
pub struct Parallel(pub bool);
