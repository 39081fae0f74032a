//! mando: a simulator of interagency military–police coordination.
//!
//! A scenario file ([`scenario`]) describes a map, civilians and security
//! forces; [`sim`] builds a bevy_ecs world from it and steps it through
//! deterministic ticks; [`metrics`] records what happened; [`runner`] ties
//! them together and writes the outputs. The crowd follows Epstein's
//! civil-violence Model I ([`civilians`], [`police`], [`movement`],
//! [`activation`]). Security units ([`units`]) act under command chains
//! ([`command`]) and a legal regime ([`law`]), seeing the [`situation`]
//! through reports.
//!
//! Data flows one way: scenario → sim → metrics → files.

pub mod activation;
pub mod base;
pub mod batch;
pub mod changes;
pub mod civilians;
pub mod classroom;
pub mod cli;
pub mod command;
pub mod crowd;
pub mod decisions;
pub mod detention;
pub mod fuzz;
pub mod grid;
pub mod law;
pub mod memory;
pub mod metrics;
pub mod movement;
pub mod police;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod sim;
pub mod situation;
pub mod units;
pub mod use_of_force;

pub use metrics::{Summary, TickRecord};
pub use runner::{RunReport, run};
pub use scenario::{Scenario, ScenarioError};
pub use sim::{Sim, SimOptions};
