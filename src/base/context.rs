//! What many rules of a tick read together, bundled as system parameters:
//! the tick and its random streams ([`TickDraws`]), and with them the rules
//! and tunables in force ([`TickRules`]).
//!
//! *Pattern:* a bundle is named for what a rule reads, and a system takes
//! it in place of the resources it names. *Reasoning:* a bundle is no new
//! state and no indirection: the system reads exactly the resources listed
//! (the schedule's ambiguity check sees the same access), and destructuring
//! it at the top costs nothing.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use super::rng::Streams;
use super::{Clock, CurrentRules, CurrentTunables};

/// The tick and the random streams: what a rule draws from.
#[derive(SystemParam)]
pub struct TickDraws<'w> {
    pub clock: Res<'w, Clock>,
    pub streams: Res<'w, Streams>,
}

/// The tick, its random streams, and the rules and tunables in force: what
/// a turn of Epstein's rules, an arrest and a jail term read besides the
/// agents and the grid.
#[derive(SystemParam)]
pub struct TickRules<'w> {
    pub clock: Res<'w, Clock>,
    pub streams: Res<'w, Streams>,
    pub tunables: Res<'w, CurrentTunables>,
    pub rules: Res<'w, CurrentRules>,
}
