//! The base layer: the vocabulary every domain of the world shares, and
//! nothing of any domain's rules. The tick's phases and their steps
//! ([`phase`]), the clock ([`clock`]), where agents stand and how they are
//! found ([`agents`]), the settings in force ([`settings`]), random streams
//! ([`rng`]), the system parameters that bundle these ([`context`]), the
//! event journal and its vocabulary ([`events`], [`vocabulary`]), the
//! fingerprint every domain writes its state into ([`fingerprint`]), and
//! the tools of the hot loops ([`chunks`], [`radix`], [`timing`]).
//!
//! *Invariant:* nothing here imports a domain, the world's assembly,
//! metrics, batches or the command line; only `scenario` (the checked file
//! format) lies below it.

pub mod agents;
pub mod chunks;
pub mod clock;
pub mod context;
pub mod events;
pub mod fingerprint;
pub mod interrupt;
pub mod phase;
pub mod radix;
pub mod rng;
pub mod settings;
pub mod timing;
pub mod vocabulary;

pub use agents::{AgentIndex, CellIndex, Intent, Position};
pub use clock::{Clock, ticks};
pub use context::{TickDraws, TickRules};
pub use phase::{Phase, Step, Tick, tick_schedule};
pub use settings::{CurrentRules, CurrentTunables, Parallel, Timeline};

/// The world's own resources, which belong to no domain: the seed's
/// streams, the clock, the rules and settings in force with their
/// timeline, the (empty) agent index, the event log, phase timings and
/// whether the engine uses its threads.
pub fn setup(world: &mut bevy_ecs::world::World, s: &crate::scenario::Scenario, parallel: bool) {
    world.insert_resource(rng::Streams::new(s.metadata.seed));
    world.insert_resource(Clock::default());
    world.init_resource::<timing::PhaseTimes>();
    world.insert_resource(CurrentTunables(crate::scenario::Tunables::initial(s)));
    world.insert_resource(CurrentRules(s.rules));
    world.insert_resource(Timeline(s.timeline.clone()));
    world.init_resource::<AgentIndex>();
    world.init_resource::<events::EventLog>();
    world.insert_resource(Parallel(parallel));
}
