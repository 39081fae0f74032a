//! The serde mirror of a scenario file, exactly as written.
//!
//! Every optional field is an `Option` so that validation can tell "left out,
//! take the default" from "written". Unknown fields are rejected. Nothing here
//! is trusted: `validate` turns it into a checked [`super::Scenario`].

use serde::{Deserialize, Serialize};

use super::types::{
    Activation, CommandModel, Declaration, Deployment, Distribution, Edges, EmergencyMode, Neighbourhood, NonLethalKit,
    Placement, Regime, Rounding, SiteKind, StandingTask, Turn, UnitKind,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Scenario")]
pub struct RawScenario {
    pub format_version: Option<u32>,
    pub metadata: RawMetadata,
    pub map: RawMap,
    pub civilians: RawCivilians,
    pub police: Option<RawPolice>,
    pub rules: Option<RawRules>,
    pub metrics: Option<RawMetrics>,
    pub changes: Option<Vec<RawChange>>,
    pub forces: Option<RawForces>,
    pub command: Option<RawCommand>,
    pub law: Option<RawLaw>,
    pub crowd: Option<RawCrowd>,
    pub force: Option<RawForce>,
    pub detention: Option<RawDetention>,
    pub decisions: Option<Vec<super::decisions::RawDecision>>,
}

/// How units' arrests are made and held (with an operation).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDetention {
    pub team_personnel: Option<u32>,
    pub processing_minutes: Option<f64>,
    pub holding_per_zone: Option<u32>,
    pub hold_hours: Option<f64>,
    pub liberty_suspended_in_emergency: Option<bool>,
    pub handover_minutes: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetadata {
    pub name: String,
    pub description: Option<String>,
    pub seed: Option<u64>,
    pub ticks: Option<u32>,
    pub minutes_per_tick: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMap {
    pub width_cells: u32,
    pub height_cells: u32,
    pub edges: Option<Edges>,
    /// One string per row, top row first: `.` open ground, `#` building,
    /// `=` road, `*` base or station, a capital letter a site in `sites`.
    pub terrain: Option<Vec<String>>,
    pub sites: Option<Vec<RawSite>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    /// The capital letter that marks the site's cells in `terrain`.
    pub symbol: char,
    pub name: String,
    pub kind: SiteKind,
    pub breach_actives: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCivilians {
    pub count: Option<u32>,
    pub density: Option<f64>,
    pub placement: Option<Placement>,
    pub legitimacy: Option<f64>,
    pub vision_cells: Option<u32>,
    pub threshold: Option<f64>,
    pub arrest_constant_k: Option<f64>,
    pub max_jail_term_ticks: Option<u32>,
    pub hardship: Option<Distribution>,
    pub risk_aversion: Option<Distribution>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolice {
    pub count: Option<u32>,
    pub density: Option<f64>,
    pub positions: Option<Vec<(u32, u32)>>,
    pub vision_cells: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    pub neighbourhood: Option<Neighbourhood>,
    pub arrest_ratio_rounding: Option<Rounding>,
    pub jailed_keep_cell: Option<bool>,
    pub activation: Option<Activation>,
    pub turn: Option<Turn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetrics {
    pub outburst_active_share: Option<f64>,
}

/// A change of one field at a given tick. The value is kept as written (any
/// RON value) and checked like the field it sets.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawChange {
    pub at_tick: u32,
    pub path: String,
    pub value: Box<ron::value::RawValue>,
    /// Reach `value` in this many equal steps, one per tick, from the value
    /// in force at `at_tick` (numeric fields only). Absent: one step.
    pub over_ticks: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawForces {
    pub units: Vec<RawUnitGroup>,
}

/// `count` units of one kind starting around one cell; every other field
/// overrides the kind's default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnitGroup {
    pub name: String,
    pub kind: UnitKind,
    pub count: Option<u32>,
    pub at: (u32, u32),
    pub strength_personnel: Option<u32>,
    pub crowd_training: Option<f64>,
    /// Read as the kit itself, so that `None` is the kit `None`, not a
    /// missing field (which implicit `Some` would make it, silently giving
    /// the kind's default).
    #[serde(default, deserialize_with = "written")]
    pub non_lethal_kit: Option<NonLethalKit>,
    pub lethal_weapons: Option<bool>,
    pub radio_net: Option<String>,
    pub speed_cells_per_tick: Option<u32>,
    pub vision_cells: Option<u32>,
    pub standing_task: Option<StandingTask>,
    pub patrol_radius_cells: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommand {
    pub model: Option<CommandModel>,
    pub decentralised_execution: Option<bool>,
    pub pnp_echelons: Option<u32>,
    pub ffaa_echelons: Option<u32>,
    pub liaison_officers: Option<bool>,
    pub interoperable_radios: Option<bool>,
    pub pnp_echelon_delay_median_minutes: Option<f64>,
    pub ffaa_echelon_delay_median_minutes: Option<f64>,
    pub echelon_delay_sigma: Option<f64>,
    pub cross_agency_delay_minutes: Option<f64>,
    pub liaison_delay_minutes: Option<f64>,
    pub lost_message_probability: Option<f64>,
    pub relays: Option<Vec<(String, String)>>,
    pub relay_delay_minutes: Option<f64>,
    pub same_net_loss_probability: Option<f64>,
    pub retransmissions: Option<u32>,
    pub unified_setup_minutes: Option<f64>,
    pub unified_hop_minutes: Option<f64>,
    pub pnp_compliance_delay_minutes: Option<f64>,
    pub phone_conflict_probability: Option<f64>,
    pub decision_interval_minutes: Option<f64>,
    pub report_interval_minutes: Option<f64>,
    pub local_autonomy_delay_minutes: Option<f64>,
    pub unity_break_probability: Option<f64>,
    pub sector_cells: Option<u32>,
    pub hotspot_actives: Option<u32>,
    pub actives_per_unit: Option<u32>,
    pub ffaa_deployment: Option<Deployment>,
    pub drones: Option<Vec<RawDrone>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDrone {
    pub agency: super::types::Agency,
    pub at: (u32, u32),
    pub radius_cells: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLaw {
    pub initial: Option<Regime>,
    pub enforce: Option<bool>,
    pub declare: Option<Declaration>,
    pub emergency_mode: Option<EmergencyMode>,
    pub trigger_actives_per_pnp_officer: Option<f64>,
    pub trigger_for_minutes: Option<f64>,
    pub trigger_on_site_breach: Option<bool>,
    pub hostile_group_attacks: Option<u32>,
    pub hostile_group_members: Option<u32>,
    pub decree_delay_minutes: Option<f64>,
    pub emergency_limit_days: Option<f64>,
    pub siege_limit_days: Option<f64>,
    pub zones: Option<Vec<RawZone>>,
}

/// A rectangle with its own legal regime.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawZone {
    pub name: String,
    pub at: (u32, u32),
    pub width_cells: u32,
    pub height_cells: u32,
}

/// The crowd beyond Epstein's rule: types, weapons, shared identity,
/// backlash, flashpoints and dialogue.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrowd {
    pub types: Option<RawCrowdShares>,
    pub stones_share: Option<f64>,
    pub firearms_share: Option<f64>,
    pub identity_weight: Option<f64>,
    pub identity_decay_per_tick: Option<f64>,
    pub indiscriminate_identity_gain: Option<f64>,
    pub differentiated_identity_gain: Option<f64>,
    pub death_legitimacy_loss: Option<f64>,
    pub serious_injury_legitimacy_loss: Option<f64>,
    pub backlash_radius_cells: Option<u32>,
    pub backlash_lag_minutes: Option<f64>,
    pub flashpoint_threshold_drop: Option<f64>,
    pub flashpoint_minutes: Option<f64>,
    pub flashpoint_radius_cells: Option<u32>,
    pub agitator_provocation_probability: Option<f64>,
    pub dialogue: Option<Vec<RawDialogue>>,
    pub gatherings: Option<Vec<RawGathering>>,
    pub day: Option<RawDay>,
    pub fatigue_per_day: Option<f64>,
    pub arrivals: Option<RawArrivals>,
    pub bystanders_keep_away_cells: Option<u32>,
}

/// Where part of the crowd gathers and the site it marches on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGathering {
    pub name: String,
    pub at: (u32, u32),
    pub march_to: String,
}

/// The crowd's day, in hours of the clock.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDay {
    pub clock_at_start: Option<f64>,
    pub rise_from: Option<f64>,
    pub march_from: Option<f64>,
    pub peak_from: Option<f64>,
    pub peak_until: Option<f64>,
    pub home_by: Option<f64>,
    pub night_share: Option<f64>,
}

/// People from outlying communities who come when the conflict escalates.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArrivals {
    pub share: Option<f64>,
    pub after_hours: Option<f64>,
}

/// Shares of each crowd type; bystanders take the rest.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrowdShares {
    pub peaceful_protester: Option<f64>,
    pub blockader: Option<f64>,
    pub shock_group: Option<f64>,
    pub paid_agitator: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDialogue {
    pub at_tick: u32,
    pub event: super::types::DialogueEvent,
}

/// How security units use force.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawForce {
    pub engage_radius_cells: Option<u32>,
    pub perception_sigma_pnp: Option<f64>,
    pub perception_sigma_ffaa: Option<f64>,
    pub ffaa_overclassify_probability: Option<f64>,
    pub untrained_escalation_probability: Option<f64>,
    pub stress_escalation_weight: Option<f64>,
    pub no_kit_lethal_probability: Option<f64>,
    pub pro_officer_interpretation: Option<bool>,
    pub area_effects: Option<bool>,
    pub reassess_minutes: Option<f64>,
    pub kinetic_injury_probability: Option<f64>,
    pub lethal_hit_probability: Option<f64>,
    pub lethal_death_given_hit: Option<f64>,
    pub stones_injury_probability: Option<f64>,
    pub evacuation_death_probability: Option<f64>,
    pub kinetic_share: Option<f64>,
    pub officer_death_given_injury: Option<f64>,
    pub unauthorised_fire_probability: Option<f64>,
    pub expected_sanction: Option<f64>,
    pub awaiting_authority_pnp: Option<super::types::WhileAwaiting>,
    pub awaiting_authority_ffaa: Option<super::types::WhileAwaiting>,
    pub dispersal_warning_minutes: Option<f64>,
}

/// A field that is there when written: its value read as the type itself,
/// never as an `Option` (for enums with a variant named `None`).
fn written<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}
