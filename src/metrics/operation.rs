//! The security operation's part of `summary.json`: command, orders, the
//! law. Read from the world at the end of a run; absent for a pure crowd
//! model.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;
use serde::Serialize;

use super::counters::CommandMetrics;
use crate::command::{Arrangement, CommandState, regime_name};
use crate::law::{LegalState, Violation};
use crate::scenario::CommandModel;
use crate::situation::Zones;
use crate::units::TaskKind;

/// Mean and 95th percentile of a sample (nearest-rank).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanP95 {
    pub mean: f64,
    pub p95: f64,
    pub count: usize,
}

impl MeanP95 {
    pub fn of(values: &[f64]) -> Option<MeanP95> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let rank = (0.95 * v.len() as f64).ceil() as usize;
        Some(MeanP95 { mean: v.iter().sum::<f64>() / v.len() as f64, p95: v[rank.max(1) - 1], count: v.len() })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneOutcome {
    pub zone: String,
    pub final_regime: &'static str,
    pub renewals: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationSummary {
    pub command_model: CommandModel,
    pub final_arrangement: Arrangement,
    pub orders_issued: u64,
    pub orders_delivered: u64,
    /// Delivered after a newer order to the same unit was sent: ignored.
    pub orders_superseded: u64,
    /// Transmissions lost on the way (each was sent again, up to
    /// `command.retransmissions` times).
    pub transmissions_lost: u64,
    /// Orders given up after their last retransmission was lost: never
    /// carried out.
    pub orders_dropped: u64,
    /// Orders the law refused (`law.enforce`).
    pub orders_refused: u64,
    pub order_latency_minutes: Option<MeanP95>,
    pub mean_cross_agency_hops_per_order: f64,
    pub conflicting_orders: u64,
    pub deconflicted_by_phone: u64,
    pub duplicated_tasking: u64,
    /// Age of the picture behind an order when the unit started on it.
    pub picture_age_minutes: Option<MeanP95>,
    pub unity_of_command_breaks: u64,
    pub initiative_acts: u64,
    /// Minutes × true hotspot sectors (at least `command.hotspot_actives`
    /// actives) with no unit tasked to them, sampled every report interval.
    pub uncovered_hotspot_minutes: f64,
    /// Minutes until a decree was first signed (it takes effect
    /// `law.decree_delay_minutes` later).
    pub minutes_to_first_decree: Option<f64>,
    pub minutes_to_emergency_declaration: Option<f64>,
    pub zones: Vec<ZoneOutcome>,
    /// Person-hours by agency and task.
    pub force_hours: BTreeMap<&'static str, BTreeMap<&'static str, f64>>,
    pub legal_violations: BTreeMap<Violation, u64>,
    pub legal_violations_total: u64,
    /// Violations by the agency of the unit that committed them.
    pub legal_violations_pnp: u64,
    pub legal_violations_ffaa: u64,
    /// Harm, force and escalation.
    pub conflict: Option<super::conflict::ConflictSummary>,
}

/// The summary of the operation in `world`, if the scenario has one.
pub fn summarise(world: &World, minutes_per_tick: f64, site_names: &[String]) -> Option<OperationSummary> {
    let m = world.get_resource::<CommandMetrics>()?;
    let st = world.get_resource::<CommandState>()?;
    let law = world.get_resource::<LegalState>()?;
    let zones = world.get_resource::<Zones>()?;
    let mut force_hours = BTreeMap::new();
    for (a, agency) in ["pnp", "ffaa"].into_iter().enumerate() {
        let by_task: BTreeMap<&'static str, f64> =
            TaskKind::ALL.iter().map(|t| (t.name(), m.force_hours[a][*t as usize])).filter(|(_, h)| *h > 0.0).collect();
        force_hours.insert(agency, by_task);
    }
    let hops = &m.cross_agency_hops;
    Some(OperationSummary {
        command_model: st.spec.model,
        final_arrangement: st.arrangement,
        orders_issued: m.orders_issued,
        orders_delivered: m.orders_delivered,
        orders_superseded: m.orders_superseded,
        transmissions_lost: m.transmissions_lost,
        orders_dropped: m.orders_dropped,
        orders_refused: m.orders_refused,
        order_latency_minutes: MeanP95::of(&m.latencies_minutes),
        mean_cross_agency_hops_per_order: if hops.is_empty() {
            0.0
        } else {
            hops.iter().map(|&h| h as f64).sum::<f64>() / hops.len() as f64
        },
        conflicting_orders: m.conflicting_orders,
        deconflicted_by_phone: m.deconflicted_by_phone,
        duplicated_tasking: m.duplicated_tasking,
        picture_age_minutes: MeanP95::of(&m.picture_ages_minutes),
        unity_of_command_breaks: m.unity_of_command_breaks,
        initiative_acts: m.initiative_acts,
        uncovered_hotspot_minutes: m.uncovered_hotspot_minutes,
        minutes_to_first_decree: m.first_decree_tick.map(|t| t as f64 * minutes_per_tick),
        minutes_to_emergency_declaration: m.first_declaration_tick.map(|t| t as f64 * minutes_per_tick),
        zones: law
            .zones
            .iter()
            .zip(&zones.names)
            .map(|(z, name)| ZoneOutcome {
                zone: name.clone(),
                final_regime: regime_name(z.regime),
                renewals: z.renewals,
            })
            .collect(),
        force_hours,
        legal_violations_total: m.violations.values().sum(),
        legal_violations: m.violations.clone(),
        legal_violations_pnp: m.violations_by_agency[0],
        legal_violations_ffaa: m.violations_by_agency[1],
        conflict: super::conflict::summarise(world, minutes_per_tick, site_names),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_nearest_rank_p95() {
        let v: Vec<f64> = (1..=20).map(|i| i as f64).collect();
        let s = MeanP95::of(&v).unwrap();
        assert_eq!(s.mean, 10.5);
        assert_eq!(s.p95, 19.0, "rank ceil(0.95·20) = 19");
        assert_eq!(MeanP95::of(&[4.0]).unwrap().p95, 4.0);
        assert!(MeanP95::of(&[]).is_none());
    }
}
