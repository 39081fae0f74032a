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
pub mod phase;
pub mod radix;
pub mod rng;
pub mod settings;
pub mod timing;
pub mod vocabulary;

pub use agents::{AgentIndex, CellIndex, Position};
pub use clock::{Clock, ticks};
pub use context::{TickDraws, TickRules};
pub use phase::{Phase, Step, Tick, tick_schedule};
pub use settings::{CurrentRules, CurrentTunables, Parallel, Timeline};
