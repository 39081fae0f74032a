//! The words events are written in: what a unit is told to do, the
//! use-of-force scale, harm, legal violations and conflict phases. Plain
//! data with their names; the rules that produce them live in their
//! domains (`units`, `use_of_force`, `law`), which re-export them.

use serde::{Deserialize, Serialize};

// ---- Tasks (units, command) ----

/// What a unit is told to do (domain brief, command decisions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Stand at a critical site and keep it.
    GuardSite,
    /// Hold a line around a crowd.
    Cordon,
    /// Clear a crowd or a blocked road.
    Disperse,
    /// Arrest actives.
    Arrest,
    /// Walk around near home.
    Patrol,
    /// Stay put (at base).
    Hold,
    /// Talk with the crowd's representatives (a dialogue team).
    Negotiate,
    /// Be seen around a crowd: a presence patrol, walking near it.
    Presence,
}

impl TaskKind {
    pub const ALL: [TaskKind; 8] = [
        TaskKind::GuardSite,
        TaskKind::Cordon,
        TaskKind::Disperse,
        TaskKind::Arrest,
        TaskKind::Patrol,
        TaskKind::Hold,
        TaskKind::Negotiate,
        TaskKind::Presence,
    ];

    /// Whether a unit on this task arrests the actives it sees: snatch
    /// teams and site guards do; dispersal squads scatter a crowd and
    /// cordons hold a line (`docs/model.md` §10.9).
    pub fn arrests(self) -> bool {
        matches!(self, TaskKind::Arrest | TaskKind::GuardSite)
    }

    /// Whether the task answers a hotspot (rather than being a unit's
    /// standing task).
    pub fn is_operation(self) -> bool {
        !matches!(self, TaskKind::Patrol | TaskKind::Hold)
    }

    /// Crowd-control tasks: the ones that put the unit face to face with a crowd.
    pub fn is_crowd_control(self) -> bool {
        matches!(self, TaskKind::Cordon | TaskKind::Disperse | TaskKind::Arrest | TaskKind::Presence)
    }

    pub fn name(self) -> &'static str {
        match self {
            TaskKind::GuardSite => "guard_site",
            TaskKind::Cordon => "cordon",
            TaskKind::Disperse => "disperse",
            TaskKind::Arrest => "arrest",
            TaskKind::Patrol => "patrol",
            TaskKind::Hold => "hold",
            TaskKind::Negotiate => "negotiate",
            TaskKind::Presence => "presence",
        }
    }
}

// ---- The use-of-force scale and harm (D. Leg. 1186 art. 7) ----

/// A person's resistance (D. Leg. 1186 art. 7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resistance {
    /// Riesgo latente.
    LatentRisk,
    /// Cooperador.
    Cooperative,
    /// No cooperador.
    NonCooperative,
    /// Resistencia física.
    PhysicalResistance,
    /// Agresión no letal.
    NonLethalAggression,
    /// Agresión letal.
    LethalAggression,
}

/// The force a unit uses (D. Leg. 1186 art. 7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForceLevel {
    /// Presencia policial.
    Presence,
    /// Verbalización.
    VerbalCommands,
    /// Control de contacto.
    ContactControl,
    /// Control físico.
    PhysicalControl,
    /// Tácticas defensivas no letales.
    NonLethalDefensiveTactics,
    /// Fuerza letal.
    LethalForce,
}

impl Resistance {
    pub const ALL: [Resistance; 6] = [
        Resistance::LatentRisk,
        Resistance::Cooperative,
        Resistance::NonCooperative,
        Resistance::PhysicalResistance,
        Resistance::NonLethalAggression,
        Resistance::LethalAggression,
    ];
}

impl ForceLevel {
    pub const ALL: [ForceLevel; 6] = [
        ForceLevel::Presence,
        ForceLevel::VerbalCommands,
        ForceLevel::ContactControl,
        ForceLevel::PhysicalControl,
        ForceLevel::NonLethalDefensiveTactics,
        ForceLevel::LethalForce,
    ];

    /// The level `n`, capped at lethal force.
    pub fn of(n: u8) -> ForceLevel {
        ForceLevel::ALL[(n as usize).min(5)]
    }
}

/// The rules a unit's force answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSet {
    /// D. Leg. 1186 and D.S. 012-2016-IN (the PNP).
    PoliceLaw,
    /// RS 003-2023-DE rules for the use of force under human-rights law (the FF.AA.).
    ArmedForcesRules,
    /// Humanitarian-law rules of engagement, only against a hostile group.
    HumanitarianLaw,
}

/// On whose authority a unit used the force it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForceAuthority {
    /// Below lethal force, or under humanitarian-law rules: its own.
    Own,
    /// Lethal force against a perceived lethal threat: needs no one's leave.
    SelfDefence,
    /// Lethal force short of a lethal threat, authorised by its commander.
    Authorised,
    /// Lethal force short of a lethal threat without authorisation.
    Unauthorised,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Civilian,
    Pnp,
    Ffaa,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Harm {
    Injured,
    Disabled,
    Dead,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    PhysicalControl,
    Gas,
    KineticProjectiles,
    Firearm,
    Stones,
    /// A seriously harmed civilian who died because a blockade kept the
    /// ambulance away.
    BlockedEvacuation,
}

/// Harm done in one use of force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HarmCount {
    pub injured: u32,
    pub disabled: u32,
    pub dead: u32,
}

// ---- Law ----

/// Kinds of legal violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Violation {
    /// A unit tasked with something its agency may not do in the zone's regime.
    TaskNotPermitted,
    /// An FF.AA. command directing PNP units where the FF.AA. do not control
    /// internal order.
    CommandNotPermitted,
    /// Lethal force against someone who posed no lethal threat (judged on
    /// the true resistance, as an inquiry would).
    LethalForceWithoutThreat,
}

impl Violation {
    /// The provision broken.
    pub fn basis(self) -> &'static str {
        match self {
            Violation::TaskNotPermitted => "Const. art. 137; D. Leg. 1095 arts. 4, 23",
            Violation::CommandNotPermitted => "D. Leg. 1095 art. 12",
            Violation::LethalForceWithoutThreat => "D. Leg. 1186 art. 8.3; RS 003-2023-DE",
        }
    }
}

// ---- Conflict phases (Defensoría del Pueblo) ----

/// The escalation phase of a conflict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPhase {
    #[default]
    Early,
    Escalation,
    Crisis,
    DeEscalation,
    Dialogue,
}

impl ConflictPhase {
    pub const ALL: [ConflictPhase; 5] = [
        ConflictPhase::Early,
        ConflictPhase::Escalation,
        ConflictPhase::Crisis,
        ConflictPhase::DeEscalation,
        ConflictPhase::Dialogue,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConflictPhase::Early => "early",
            ConflictPhase::Escalation => "escalation",
            ConflictPhase::Crisis => "crisis",
            ConflictPhase::DeEscalation => "de_escalation",
            ConflictPhase::Dialogue => "dialogue",
        }
    }
}
