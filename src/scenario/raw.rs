//! The serde mirror of a scenario file, exactly as written.
//!
//! Every optional field is an `Option` so that validation can tell "left out,
//! take the default" from "written". Unknown fields are rejected. Nothing here
//! is trusted: [`super::validate`] turns it into a checked [`super::Scenario`].

use serde::{Deserialize, Serialize};

use super::types::{Activation, Distribution, Edges, Neighbourhood, Placement, Rounding, Turn};

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
    /// One string per row, top row first: `.` open ground, `#` building.
    pub terrain: Option<Vec<String>>,
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
