//! Events other than arrests, as written to `events.jsonl` (one JSON object
//! per line, `kind` first). Systems push them in a fixed order within a
//! tick; the runner drains them after every tick.

use bevy_ecs::prelude::Resource;
use serde::Serialize;

use super::vocabulary::{Cause, ConflictPhase, ForceLevel, Harm, HarmCount, Resistance, RuleSet, Side, TaskKind, Violation};
use crate::scenario::{Agency, Regime};

/// Who issued an order, as written in events.
pub type Issuer = &'static str;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    OrderIssued {
        tick: u32,
        order: u64,
        by: Issuer,
        unit: u32,
        task: TaskKind,
        cell: (u32, u32),
        due_tick: u32,
        cross_agency_hops: u32,
    },
    OrderLost {
        tick: u32,
        order: u64,
        unit: u32,
        /// 0-based hop of the order's route where the message was lost.
        hop: u32,
    },
    OrderDelivered {
        tick: u32,
        order: u64,
        unit: u32,
        task: TaskKind,
        latency_minutes: f64,
        picture_age_minutes: f64,
    },
    TaskStarted {
        tick: u32,
        unit: u32,
        task: TaskKind,
        cell: (u32, u32),
        /// `order`, or `initiative` under decentralised execution.
        on: &'static str,
    },
    TaskEnded {
        tick: u32,
        unit: u32,
        task: TaskKind,
        ticks: u32,
    },
    ConflictingOrders {
        tick: u32,
        cell: (u32, u32),
        order: u64,
        task: TaskKind,
        other_unit: u32,
        other_task: TaskKind,
    },
    UnityOfCommandBroken {
        tick: u32,
        unit: u32,
        /// `two_commanders` or `initiative`.
        cause: &'static str,
    },
    DecreeSigned {
        tick: u32,
        zone: String,
        regime: Regime,
        effective_tick: u32,
    },
    RegimeChanged {
        tick: u32,
        zone: String,
        from: Regime,
        to: Regime,
        /// Number of the renewal (0 for a change of regime).
        renewal: u32,
    },
    UseOfForce {
        tick: u32,
        unit: u32,
        #[serde(serialize_with = "Agency::serialize_key")]
        agency: Agency,
        perceived_resistance: Resistance,
        true_resistance: Resistance,
        force: ForceLevel,
        rule_set: RuleSet,
        /// Where the target stood.
        cell: (u32, u32),
        /// People hit.
        affected: u32,
        harm: HarmCount,
        /// Force above the resistance it answered.
        excessive: bool,
        /// Most of those hit were not resisting.
        indiscriminate: bool,
    },
    /// A unit's member hurt by civilians.
    Casualty {
        tick: u32,
        unit: u32,
        side: Side,
        harm: Harm,
        cause: Cause,
    },
    PhaseChanged {
        tick: u32,
        from: ConflictPhase,
        to: ConflictPhase,
    },
    Violation {
        tick: u32,
        violation: Violation,
        unit: u32,
        #[serde(serialize_with = "Agency::serialize_key")]
        agency: Agency,
        task: TaskKind,
        cell: (u32, u32),
        regime: Regime,
        zone: String,
        /// Refused under `law.enforce` instead of carried out.
        refused: bool,
    },
}

/// Events of the ticks run since the runner last drained them.
#[derive(Resource, Debug, Default)]
pub struct EventLog {
    pub events: Vec<Event>,
}

impl EventLog {
    pub fn push(&mut self, e: Event) {
        self.events.push(e);
    }
}
