//! Harm, force and escalation in `summary.json` (`metrics.operation.conflict`):
//! read from the world at the end of a run.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;
use serde::Serialize;

use super::counters::ForceMetrics;
use super::escalation::{ConflictPhase, Escalation};
use crate::crowd::CrowdMood;
use crate::use_of_force::{Harm, Side};

/// Uses of force by one agency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ForceByAgency {
    pub uses_of_force: u64,
    pub excessive: u64,
    /// Share of uses of force above the resistance they answered.
    pub excessive_force_rate: Option<f64>,
    /// Lethal force against less than lethal aggression.
    pub unlawful_lethal_force: u64,
    pub indiscriminate: u64,
    /// Leave asked to use lethal force short of a lethal threat.
    pub lethal_force_requested: u64,
    /// Leave granted by the unit's commander.
    pub lethal_force_authorised: u64,
    /// Lethal force short of a lethal threat used without leave.
    pub unauthorised_lethal_force: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictSummary {
    /// Deaths, disabilities and injuries by side, kind of harm and cause.
    pub harm: BTreeMap<Side, BTreeMap<Harm, BTreeMap<crate::use_of_force::Cause, u64>>>,
    /// Totals by side: `{dead, disabled, injured}`.
    pub harm_totals: BTreeMap<Side, BTreeMap<Harm, u64>>,
    pub force_pnp: ForceByAgency,
    pub force_ffaa: ForceByAgency,
    /// Humanitarian-law rules used against ordinary protest.
    pub rules_misapplied: u64,
    /// Arrests by the type of the arrested (`untyped` without crowd types).
    pub arrests_by_type: BTreeMap<String, u64>,
    /// Arrests of someone arrested before in the run: `total_arrests` minus
    /// this is the number of people arrested.
    pub rearrests: u64,
    pub peak_active: u32,
    /// Σ actives × minutes over the run.
    pub active_person_minutes: f64,
    pub first_crisis_minute: Option<f64>,
    /// Minutes from the start of the first crisis to the start of the first
    /// hour with under 1% active and no site breached.
    pub minutes_to_restore_order: Option<f64>,
    /// A crisis came and order had not returned by the end of the run: the
    /// time to restore it is censored (longer than the run), not missing.
    pub order_restored_censored: bool,
    pub minutes_in_phase: BTreeMap<&'static str, f64>,
    pub final_phase: ConflictPhase,
    /// Actives on road cells × hours (sampled every report interval).
    pub blockade_cell_hours: f64,
    /// Minutes each critical site (by name) spent breached.
    pub site_breached_minutes: BTreeMap<String, f64>,
    pub final_mean_legitimacy: f64,
    pub min_mean_legitimacy: f64,
    pub final_mean_identity: f64,
    /// Mean over the run (every report interval) of the mean identity.
    pub mean_identity_over_run: f64,
}

fn by_agency(m: &ForceMetrics, a: usize) -> ForceByAgency {
    ForceByAgency {
        uses_of_force: m.uses[a],
        excessive: m.excessive[a],
        excessive_force_rate: (m.uses[a] > 0).then(|| m.excessive[a] as f64 / m.uses[a] as f64),
        unlawful_lethal_force: m.unlawful_lethal[a],
        indiscriminate: m.indiscriminate[a],
        lethal_force_requested: m.authority_requested[a],
        lethal_force_authorised: m.authority_granted[a],
        unauthorised_lethal_force: m.unauthorised[a],
    }
}

pub fn summarise(world: &World, minutes_per_tick: f64, site_names: &[String]) -> Option<ConflictSummary> {
    let m = world.get_resource::<ForceMetrics>()?;
    let e = world.get_resource::<Escalation>()?;
    let mood = world.get_resource::<CrowdMood>()?;
    let mut harm: BTreeMap<Side, BTreeMap<Harm, BTreeMap<crate::use_of_force::Cause, u64>>> = BTreeMap::new();
    let mut harm_totals: BTreeMap<Side, BTreeMap<Harm, u64>> = BTreeMap::new();
    for side in [Side::Civilian, Side::Pnp, Side::Ffaa] {
        let totals = harm_totals.entry(side).or_default();
        for h in [Harm::Dead, Harm::Disabled, Harm::Injured] {
            totals.insert(h, 0);
        }
    }
    for (&(side, h, cause), &n) in &m.harm {
        *harm.entry(side).or_default().entry(h).or_default().entry(cause).or_default() += n;
        *harm_totals.entry(side).or_default().entry(h).or_default() += n;
    }
    let minute = |t: u32| t as f64 * minutes_per_tick;
    Some(ConflictSummary {
        harm,
        harm_totals,
        force_pnp: by_agency(m, 0),
        force_ffaa: by_agency(m, 1),
        rules_misapplied: m.rules_misapplied,
        arrests_by_type: m
            .arrests_by_type
            .iter()
            .map(|(t, n)| {
                let name = t.map_or("untyped".to_string(), |t| {
                    serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
                });
                (name, *n)
            })
            .collect(),
        rearrests: m.rearrests,
        peak_active: e.peak_active,
        active_person_minutes: e.active_person_minutes,
        first_crisis_minute: e.first_crisis_tick.map(minute),
        minutes_to_restore_order: match (e.first_crisis_tick, e.order_restored_tick) {
            (Some(c), Some(r)) => Some(minute(r - c)),
            _ => None,
        },
        order_restored_censored: e.first_crisis_tick.is_some() && e.order_restored_tick.is_none(),
        minutes_in_phase: ConflictPhase::ALL.iter().map(|p| (p.name(), e.minutes_in[*p as usize])).collect(),
        final_phase: e.phase,
        blockade_cell_hours: e.blockade_cell_hours,
        site_breached_minutes: site_names
            .iter()
            .cloned()
            .zip(e.site_breached_minutes.iter().copied().chain(std::iter::repeat(0.0)))
            .collect(),
        final_mean_legitimacy: e.mean_legitimacy,
        min_mean_legitimacy: if e.min_mean_legitimacy.is_finite() { e.min_mean_legitimacy } else { e.mean_legitimacy },
        final_mean_identity: mood.mean_identity(),
        mean_identity_over_run: e.mean_identity_over_run(),
    })
}
