//! The small closed vocabularies a scenario chooses from: edges, neighbourhood
//! shapes, rounding of the cop-to-active ratio, activation order, placement and
//! the distributions of agent traits. Each variant is documented in
//! `docs/scenario-format.md` and, where it is a modelling choice, in
//! `docs/model.md` with the implementation that makes it.
//!
//! Files spell a variant as RON does (`EmergencySupport`); every output
//! writes it in snake case (`emergency_support`), as the outputs' own
//! names are, so that one enum has one spelling across all output files.

use serde::{Deserialize, Serialize};

/// What lies beyond the map's border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Edges {
    /// A torus: leaving one side enters the opposite one (Epstein 2002).
    Wrap,
    /// Nothing: vision and movement stop at the border.
    Bounded,
}

/// Which cells an agent sees at vision `v`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Neighbourhood {
    /// Cells with |dx| + |dy| <= v (Mesa's example).
    VonNeumann,
    /// Cells with max(|dx|, |dy|) <= v.
    Moore,
    /// Cells with dx² + dy² <= v² (NetLogo's `in-radius`).
    Euclidean,
}

/// How the cop-to-active ratio C/A is rounded before it enters
/// P = 1 − exp(−k·C/A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Rounding {
    /// No rounding, as printed in the paper.
    Exact,
    /// Round down, as NetLogo's Rebellion does.
    Floor,
    /// Round to the nearest integer, as Mesa's example does.
    Round,
}

/// How agents take their turns within a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Activation {
    /// Every agent, civilian or officer, takes one turn in a fresh random
    /// order and sees what earlier agents did (the paper, NetLogo, Mesa).
    RandomSequential,
    /// All civilians decide from the same start-of-tick picture, officers
    /// arrest, then everyone moves at once with conflicts settled by lot. The
    /// fast, parallel engine for large maps.
    Synchronous,
}

/// What an agent does first in its turn under `RandomSequential`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Turn {
    /// Move, then decide (civilian) or arrest (officer): the paper, NetLogo.
    MoveThenAct,
    /// Decide or arrest, then move: Mesa's example.
    ActThenMove,
}

/// Where civilians start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Placement {
    /// Uniformly at random over open cells, one agent per cell.
    Random,
}

/// How a per-agent trait is drawn at the start of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Distribution {
    /// Uniform on [min, max).
    Uniform { min: f64, max: f64 },
    /// The same value for everyone.
    Constant(f64),
}

impl Distribution {
    /// Maps a uniform draw `u` in [0, 1) to this distribution.
    pub fn sample(self, u: f64) -> f64 {
        match self {
            Distribution::Uniform { min, max } => min + (max - min) * u,
            Distribution::Constant(v) => v,
        }
    }
}

/// What kind of place a critical site is (`map.sites`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum SiteKind {
    Airport,
    Mine,
    Bridge,
    Plant,
    Port,
    Other,
}

/// The institution a security unit or command node belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Agency {
    /// Policía Nacional del Perú.
    Pnp,
    /// Fuerzas Armadas.
    Ffaa,
}

impl Agency {
    /// The agency's name in outputs (`pnp`, `ffaa`): as in summary.json's
    /// per-agency figures and the sides of casualty events.
    pub fn key(self) -> &'static str {
        match self {
            Agency::Pnp => "pnp",
            Agency::Ffaa => "ffaa",
        }
    }

    /// Writes an agency in an output by [`Agency::key`] (a scenario file
    /// and summary.json's parameters keep the file's `Pnp`, `Ffaa`).
    pub fn serialize_key<S: serde::Serializer>(agency: &Agency, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(agency.key())
    }
}

/// The type of a security unit; each has defaults in `scenario::defaults::unit_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum UnitKind {
    PnpPatrol,
    /// Unidad de Servicios Especiales / crowd-control police.
    PnpCrowdControl,
    FfaaInfantry,
    /// Soldiers trained and equipped for crowd control.
    FfaaCrowdTrained,
    /// PNP negotiators: a dialogue team, unarmed.
    PnpDialogueTeam,
}

impl UnitKind {
    pub fn agency(self) -> Agency {
        match self {
            UnitKind::PnpPatrol | UnitKind::PnpCrowdControl | UnitKind::PnpDialogueTeam => Agency::Pnp,
            UnitKind::FfaaInfantry | UnitKind::FfaaCrowdTrained => Agency::Ffaa,
        }
    }
}

/// Non-lethal equipment a unit carries (shields, batons, gas, projectiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum NonLethalKit {
    None,
    Partial,
    Full,
}

/// What a unit does while it waits for leave to use lethal force, or
/// after a refusal (`force.awaiting_authority_pnp`, `_ffaa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum WhileAwaiting {
    /// Keep to the most it may use without firearms.
    Hold,
    /// Break contact: use no force, fall back to its base until leave
    /// comes, then go back to its task.
    Withdraw,
    /// Fire on its own judgement meanwhile (each use unauthorised).
    ActAlone,
}

/// What a unit does while it has no order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum StandingTask {
    /// Walk between random points near where it started.
    Patrol,
    /// Stay where it is.
    Hold,
}

/// Who commands whom when both institutions are deployed (`command.model`).
/// Written in snake case, the ids of `docs/model.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandModel {
    /// The PNP keeps control; the FF.AA. support under their own chain, with
    /// tasks passed through liaison.
    PnpLead,
    /// The FF.AA. operational command directs; the PNP follows late.
    FfaaControl,
    /// A joint command post, after a set-up time, plans for both.
    Unified,
    /// Two chains side by side that only coordinate by phone.
    Parallel,
}

impl CommandModel {
    /// The id written in scenario files.
    pub fn id(self) -> &'static str {
        match self {
            CommandModel::PnpLead => "pnp_lead",
            CommandModel::FfaaControl => "ffaa_control",
            CommandModel::Unified => "unified",
            CommandModel::Parallel => "parallel",
        }
    }
}

/// When the armed forces' units leave their base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Deployment {
    /// When a state of exception takes effect (what the law requires).
    OnDeclaration,
    /// From the first tick, whatever the regime (each task the regime does
    /// not permit is then a legal violation).
    FromStart,
}

/// The legal regime of a zone (Constitution art. 137; D. Leg. 1095).
/// Written in the outputs as everywhere else there (`emergency_support`),
/// read from scenario files as RON spells variants (`EmergencySupport`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Regime {
    /// No state of exception: the PNP alone keeps internal order.
    #[default]
    Normal,
    /// State of emergency, the PNP keeps control with FF.AA. support.
    EmergencySupport,
    /// State of emergency, the FF.AA. control internal order against other
    /// situations of violence (D. Leg. 1095 art. 12).
    EmergencyControl,
    /// State of emergency with operations against a hostile group (D. Leg.
    /// 1095 art. 4; humanitarian-law rules).
    HostileGroup,
    /// State of siege (art. 137.2).
    Siege,
}

/// What a declared state of emergency puts the FF.AA. in (`law.emergency_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum EmergencyMode {
    /// Control if `command.model` is `ffaa_control`, support otherwise.
    FollowModel,
    Support,
    Control,
}

/// Which state of exception the political level declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum Declaration {
    Emergency,
    Siege,
}

/// A step in the dialogue between the state and the protesters
/// (`crowd.dialogue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "snake_case"))]
pub enum DialogueEvent {
    /// A dialogue table opens with a credible mediator.
    OpenTable,
    /// The state breaks an agreement: the table closes and its gains are lost.
    BrokenAgreement,
}

/// The kinds of civilian (domain brief, "Civilian agent").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrowdType {
    Bystander,
    PeacefulProtester,
    Blockader,
    ShockGroup,
    PaidAgitator,
}

impl CrowdType {
    pub const ALL: [CrowdType; 5] = [
        CrowdType::Bystander,
        CrowdType::PeacefulProtester,
        CrowdType::Blockader,
        CrowdType::ShockGroup,
        CrowdType::PaidAgitator,
    ];
}
