//! The event journal: what happened, as domains report it. Events other
//! than arrests are written to `events.jsonl` (one JSON object per line,
//! `kind` first). Domain systems push them in a fixed order within a tick;
//! metrics' recorders count this tick's events ([`EventLog::this_tick`]);
//! the runner drains them after every tick.
//!
//! *Invariant:* a domain says what happened here and keeps no counter for
//! the outputs; every counter of `summary.json` and `timeseries.csv` is
//! built by `metrics` from these events and from the world.

use bevy_ecs::prelude::Resource;
use serde::Serialize;

use super::vocabulary::{
    Cause, ConflictPhase, ForceAuthority, ForceLevel, Harm, HarmCount, Resistance, RuleSet, Side, TaskKind, Violation,
};
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
    /// The issuer gave an order up after its last retransmission was lost:
    /// the unit keeps what it was doing.
    OrderDropped {
        tick: u32,
        order: u64,
        unit: u32,
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
        /// Why: `order`; under decentralised execution `initiative` (or
        /// back to its standing task) and `resume` (back to the order it
        /// left); `withdrawal` (to wait for leave to fire) and `authority`
        /// (back to its task with leave).
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
        /// The task it was on.
        task: TaskKind,
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
        /// On whose authority.
        authority: ForceAuthority,
        /// Gas, projectiles or rounds on someone with no way out.
        trapped: bool,
    },
    /// A unit asked its commander for leave to use lethal force short of a
    /// lethal threat.
    AuthorityRequested {
        tick: u32,
        unit: u32,
        #[serde(serialize_with = "Agency::serialize_key")]
        agency: Agency,
        /// The planner asked.
        to: Issuer,
    },
    /// The answer reached the unit.
    AuthorityAnswered {
        tick: u32,
        unit: u32,
        #[serde(serialize_with = "Agency::serialize_key")]
        agency: Agency,
        by: Issuer,
        granted: bool,
        /// From the request to the answer's arrival.
        latency_minutes: f64,
    },
    /// Soldiers arrested someone: they hand the detainee over to the PNP,
    /// done at `due_tick` (Código Procesal Penal art. 260.2).
    HandedOver {
        tick: u32,
        unit: u32,
        civilian: u32,
        due_tick: u32,
    },
    /// A dispersal squad announced its dispersal: gas and projectiles wait
    /// until `until_tick`; `left` people around it who were not resisting
    /// took the warning and went.
    DispersalWarned {
        tick: u32,
        unit: u32,
        cell: (u32, u32),
        until_tick: u32,
        left: u32,
    },
    /// A civilian fired on a unit (lethal aggression): evidence the law
    /// counts towards a hostile group.
    ArmedAttack {
        tick: u32,
        unit: u32,
        /// Where the attacker stood.
        cell: (u32, u32),
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
        /// The provision broken ([`Violation::basis`]).
        basis: &'static str,
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
    // The facts below are counted in the summary but have never been
    // written to `events.jsonl`; they stay out of it so that the journal's
    // format does not change (see [`Event::in_journal`]).
    /// An order arrived after a later order to the same unit: not carried out.
    OrderSuperseded {
        tick: u32,
        order: u64,
        unit: u32,
        latency_minutes: f64,
    },
    /// Copies of a report sent to the other chain's picture were lost on the way.
    ReportTransmissionsLost {
        tick: u32,
        transmissions: u32,
    },
    /// Parallel chains: a planner tasked a unit to a place the other chain
    /// already sends a unit to, for the same task.
    DuplicatedTasking {
        tick: u32,
        unit: u32,
    },
    /// Parallel chains: a clash of orders called off by phone.
    DeconflictedByPhone {
        tick: u32,
        unit: u32,
    },
    /// Decentralised execution: a unit took a task on its own initiative.
    InitiativeTaken {
        tick: u32,
        unit: u32,
    },
    /// A civilian harmed by a unit's use of force.
    CivilianHarmed {
        tick: u32,
        unit: u32,
        harm: Harm,
        cause: Cause,
    },
    /// A decision point's choice, taken after `tick` (its changes follow).
    DecisionTaken {
        tick: u32,
        decision: String,
        choice: String,
    },
    /// A change no file scheduled (a classroom inject, or a decision's),
    /// made after `tick` and in force from the next.
    ChangeMade {
        tick: u32,
        path: String,
        value: String,
    },
}

impl Event {
    /// Whether the event is written to `events.jsonl`.
    pub fn in_journal(&self) -> bool {
        !matches!(
            self,
            Event::OrderSuperseded { .. }
                | Event::ReportTransmissionsLost { .. }
                | Event::DuplicatedTasking { .. }
                | Event::DeconflictedByPhone { .. }
                | Event::InitiativeTaken { .. }
                | Event::CivilianHarmed { .. }
        )
    }
}

/// Events of the ticks run since the runner last drained them.
#[derive(Resource, Debug, Default, Clone)]
pub struct EventLog {
    events: Vec<Event>,
    /// Where the current tick's events begin.
    tick_start: usize,
}

impl EventLog {
    pub fn push(&mut self, e: Event) {
        self.events.push(e);
    }

    /// Marks the start of a tick (the clock's step).
    pub fn begin_tick(&mut self) {
        self.tick_start = self.events.len();
    }

    /// The events of the tick being run, in the order they happened.
    pub fn this_tick(&self) -> &[Event] {
        &self.events[self.tick_start..]
    }

    /// Takes the events written to the journal since the last call.
    pub fn drain_journal(&mut self) -> Vec<Event> {
        self.tick_start = 0;
        self.events.drain(..).filter(Event::in_journal).collect()
    }
}
