//! Scenario time: the tick being run, and minutes turned into ticks.

use bevy_ecs::prelude::Resource;

/// The tick being run; 0 before the first.
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct Clock {
    pub tick: u32,
}

/// Minutes to whole ticks, rounded up; a hair of tolerance so that
/// 0.1 day (144.00000000000003 min in floating point) is 144 ticks.
pub fn ticks(minutes: f64, minutes_per_tick: f64) -> u32 {
    (minutes / minutes_per_tick - 1e-9).ceil().clamp(0.0, u32::MAX as f64 / 2.0) as u32
}
