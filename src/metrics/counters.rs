//! The security operation's counters, built from the events the domains
//! report ([`EventLog::this_tick`]) and from the world: what command,
//! the law and the use of force did, for `summary.json` and the
//! operation's columns of `timeseries.csv`.
//!
//! *Invariant:* nothing here changes the world; a recorder reads this
//! tick's events once, in the order they happened, so lists such as the
//! orders' latencies keep the order of the run.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;
use serde::Serialize;

use crate::base::events::{Event, EventLog};
use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::base::vocabulary::{
    Cause, ForceAuthority, ForceLevel, Harm, Resistance, RuleSet, Side, TaskKind, Violation,
};
use crate::civilians::CivilianId;
use crate::command::CommandState;
use crate::crowd::CrowdMood;
use crate::law::LegalState;
use crate::police::ArrestLog;
use crate::scenario::{CrowdType, Regime};
use crate::situation::{ReportClock, Situation, is_report_tick};
use crate::units::{Tasking, Unit};

/// Command's counts for the outputs.
#[derive(Resource, Debug, Default, Clone)]
pub struct CommandMetrics {
    pub orders_issued: u64,
    pub orders_delivered: u64,
    pub orders_superseded: u64,
    pub transmissions_lost: u64,
    /// Orders given up after their last retransmission was lost.
    pub orders_dropped: u64,
    pub orders_refused: u64,
    pub conflicting_orders: u64,
    pub deconflicted_by_phone: u64,
    pub duplicated_tasking: u64,
    pub unity_of_command_breaks: u64,
    pub initiative_acts: u64,
    pub uncovered_hotspot_minutes: f64,
    pub latencies_minutes: Vec<f64>,
    pub cross_agency_hops: Vec<u32>,
    pub picture_ages_minutes: Vec<f64>,
    pub violations: BTreeMap<Violation, u64>,
    /// Violations by the agency of the unit (PNP, FF.AA.).
    pub violations_by_agency: [u64; 2],
    /// Person-hours by agency (PNP, FF.AA.) and task.
    pub force_hours: [[f64; TaskKind::ALL.len()]; 2],
    /// First tick a zone's state of exception took effect (0 when the run
    /// starts under one), and first tick a decree was signed.
    pub first_declaration_tick: Option<u32>,
    pub first_decree_tick: Option<u32>,
    /// This tick's counts, for the time series.
    pub tick: OperationTick,
}

impl Fingerprint for CommandMetrics {
    fn fingerprint(&self, h: &mut Fnv) {
        let CommandMetrics {
            orders_issued,
            orders_delivered,
            orders_superseded,
            transmissions_lost,
            orders_dropped,
            orders_refused,
            conflicting_orders,
            deconflicted_by_phone,
            duplicated_tasking,
            unity_of_command_breaks,
            initiative_acts,
            uncovered_hotspot_minutes,
            latencies_minutes,
            cross_agency_hops,
            picture_ages_minutes,
            violations,
            violations_by_agency,
            force_hours,
            first_declaration_tick,
            first_decree_tick,
            tick,
        } = self;
        for n in [
            orders_issued,
            orders_delivered,
            orders_superseded,
            transmissions_lost,
            orders_dropped,
            orders_refused,
            conflicting_orders,
            deconflicted_by_phone,
            duplicated_tasking,
            unity_of_command_breaks,
            initiative_acts,
        ] {
            h.u64(*n);
        }
        h.u64(violations_by_agency[0]);
        h.u64(violations_by_agency[1]);
        h.f64(*uncovered_hotspot_minutes);
        h.each(latencies_minutes, |h, &m| h.f64(m));
        h.each(cross_agency_hops, |h, &n| h.u32(n));
        h.each(picture_ages_minutes, |h, &m| h.f64(m));
        h.count(violations.len());
        for (&v, &n) in violations {
            h.u32(v as u32);
            h.u64(n);
        }
        for hours in force_hours.iter().flatten() {
            h.f64(*hours);
        }
        h.opt(*first_declaration_tick);
        h.opt(*first_decree_tick);
        let OperationTick {
            regime,
            orders_issued,
            orders_delivered,
            transmissions_lost,
            conflicting_orders,
            violations,
            units_on_operations,
            messages_in_flight,
            dead,
            injured,
            force_events,
            phase,
        } = *tick;
        for n in [
            regime as u32,
            orders_issued,
            orders_delivered,
            transmissions_lost,
            conflicting_orders,
            violations,
            units_on_operations,
            messages_in_flight,
            dead,
            injured,
            force_events,
            phase as u32,
        ] {
            h.u32(n);
        }
    }
}

/// The operation's columns of a `timeseries.csv` row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct OperationTick {
    /// The most severe regime in force anywhere (written by name).
    pub regime: Regime,
    pub orders_issued: u32,
    pub orders_delivered: u32,
    pub transmissions_lost: u32,
    pub conflicting_orders: u32,
    pub violations: u32,
    pub units_on_operations: u32,
    pub messages_in_flight: u32,
    /// Civilians killed so far.
    pub dead: u32,
    /// People injured (civilians and security personnel) during the tick.
    pub injured: u32,
    /// Uses of force (contact control and above) during the tick.
    pub force_events: u32,
    /// Escalation phase (written by name).
    pub phase: crate::base::vocabulary::ConflictPhase,
}

impl OperationTick {
    pub const CSV_HEADER: &'static str = "regime,orders_issued,orders_delivered,transmissions_lost,\
                                          conflicting_orders,violations,units_on_operations,messages_in_flight,\
                                          dead,injured,force_events,phase";

    pub fn csv(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            crate::command::regime_name(self.regime),
            self.orders_issued,
            self.orders_delivered,
            self.transmissions_lost,
            self.conflicting_orders,
            self.violations,
            self.units_on_operations,
            self.messages_in_flight,
            self.dead,
            self.injured,
            self.force_events,
            self.phase.name()
        )
    }
}

/// The use of force's counts for the outputs.
#[derive(Resource, Debug, Default, Clone)]
pub struct ForceMetrics {
    pub harm: BTreeMap<(Side, Harm, Cause), u64>,
    /// By agency (PNP, FF.AA.): uses of force, above the resistance
    /// answered, lethal below lethal aggression, indiscriminate.
    pub uses: [u64; 2],
    pub excessive: [u64; 2],
    pub unlawful_lethal: [u64; 2],
    pub indiscriminate: [u64; 2],
    /// By agency: leave asked to use lethal force short of a lethal threat,
    /// leave granted, and lethal force used without it.
    pub authority_requested: [u64; 2],
    pub authority_granted: [u64; 2],
    pub unauthorised: [u64; 2],
    /// Humanitarian-law rules used against people who are not a hostile group.
    pub rules_misapplied: u64,
    /// Arrests by the type of the arrested (`None`: untyped crowd).
    pub arrests_by_type: BTreeMap<Option<CrowdType>, u64>,
    /// Arrests of someone arrested before in the run.
    pub rearrests: u64,
    /// One bit per civilian id: arrested at least once.
    ever_arrested: Vec<u64>,
    pub tick: ForceTick,
}

/// This tick's counts of harm and force.
#[derive(Debug, Default, Clone, Copy)]
pub struct ForceTick {
    pub injured: u32,
    pub dead: u32,
    pub force_events: u32,
}

impl Fingerprint for ForceMetrics {
    fn fingerprint(&self, h: &mut Fnv) {
        let ForceMetrics {
            harm,
            uses,
            excessive,
            unlawful_lethal,
            indiscriminate,
            authority_requested,
            authority_granted,
            unauthorised,
            rules_misapplied,
            arrests_by_type,
            rearrests,
            ever_arrested,
            tick,
        } = self;
        h.count(harm.len());
        for (&(side, harm, cause), &n) in harm {
            h.u32(side as u32);
            h.u32(harm as u32);
            h.u32(cause as u32);
            h.u64(n);
        }
        for n in
            [uses, excessive, unlawful_lethal, indiscriminate, authority_requested, authority_granted, unauthorised]
                .into_iter()
                .flatten()
        {
            h.u64(*n);
        }
        h.u64(*rules_misapplied);
        h.count(arrests_by_type.len());
        for (&t, &n) in arrests_by_type {
            h.opt(t.map(|t| t as u32));
            h.u64(n);
        }
        h.u64(*rearrests);
        h.each(ever_arrested, |h, &w| h.u64(w));
        let ForceTick { injured, dead, force_events } = *tick;
        for n in [injured, dead, force_events] {
            h.u32(n);
        }
    }
}

impl ForceMetrics {
    fn record(&mut self, side: Side, harm: Harm, cause: Cause) {
        *self.harm.entry((side, harm, cause)).or_default() += 1;
        match harm {
            Harm::Dead => self.tick.dead += 1,
            _ => self.tick.injured += 1,
        }
    }
}

/// At the end of the command phase: person-hours by agency and task, the
/// regime, units on operations and messages in flight, and on report ticks
/// the true hotspots no unit is tasked to. Starts the tick's counts.
pub fn count_force_hours(
    report: ReportClock,
    situation: Res<Situation>,
    law: Res<LegalState>,
    st: Res<CommandState>,
    mut metrics: ResMut<CommandMetrics>,
    units: Query<(&Unit, &Tasking)>,
    mut covered: Local<Vec<bool>>,
) {
    let ReportClock { clock, every } = report;
    let minutes_per_tick = st.minutes_per_tick();
    let hours = minutes_per_tick / 60.0;
    let mut on_ops = 0;
    let sectors = st.sectors();
    covered.clear();
    covered.resize(sectors.count(), false);
    for (unit, tasking) in &units {
        metrics.force_hours[unit.agency as usize][tasking.task.kind as usize] += unit.strength_personnel as f64 * hours;
        if tasking.task.kind.is_operation() {
            on_ops += 1;
            covered[sectors.of(tasking.task.cell) as usize] = true;
        }
    }
    if is_report_tick(&clock, *every) && clock.tick > 1 {
        let uncovered = (situation.sector_actives.iter().zip(covered.iter()))
            .filter(|&(&a, &c)| a >= st.spec.hotspot_actives && !c)
            .count();
        metrics.uncovered_hotspot_minutes += uncovered as f64 * every.0 as f64 * minutes_per_tick;
    }
    metrics.tick = OperationTick {
        regime: law.strongest(),
        units_on_operations: on_ops,
        messages_in_flight: st.messages_in_flight() as u32,
        ..OperationTick::default()
    };
}

/// Orders, losses, clashes, initiative and the law's findings of this tick.
pub fn count_command_events(log: Res<EventLog>, mut metrics: ResMut<CommandMetrics>) {
    let m = &mut *metrics;
    for event in log.this_tick() {
        match *event {
            Event::OrderIssued { cross_agency_hops, .. } => {
                m.orders_issued += 1;
                m.tick.orders_issued += 1;
                m.cross_agency_hops.push(cross_agency_hops);
            }
            Event::DecreeSigned { tick, .. } => {
                m.first_decree_tick.get_or_insert(tick);
            }
            // A decree taking effect (a renewal or a lapse is not one).
            Event::RegimeChanged { tick, to, renewal: 0, .. } if to != Regime::Normal => {
                m.first_declaration_tick.get_or_insert(tick);
            }
            Event::OrderDropped { .. } => m.orders_dropped += 1,
            Event::OrderLost { .. } => {
                m.transmissions_lost += 1;
                m.tick.transmissions_lost += 1;
            }
            Event::ReportTransmissionsLost { transmissions, .. } => {
                m.transmissions_lost += transmissions as u64;
                m.tick.transmissions_lost += transmissions;
            }
            // Every order that arrives is a sample of the channel's latency,
            // current or not: leaving out the overtaken ones would drop the
            // slowest routes (survivorship).
            Event::OrderDelivered { task, latency_minutes, picture_age_minutes, .. } => {
                m.orders_delivered += 1;
                m.tick.orders_delivered += 1;
                m.latencies_minutes.push(latency_minutes);
                if task.is_operation() {
                    m.picture_ages_minutes.push(picture_age_minutes);
                }
            }
            Event::OrderSuperseded { latency_minutes, .. } => {
                m.orders_delivered += 1;
                m.tick.orders_delivered += 1;
                m.latencies_minutes.push(latency_minutes);
                m.orders_superseded += 1;
            }
            Event::UnityOfCommandBroken { .. } => m.unity_of_command_breaks += 1,
            Event::ConflictingOrders { .. } => {
                m.conflicting_orders += 1;
                m.tick.conflicting_orders += 1;
            }
            Event::DeconflictedByPhone { .. } => m.deconflicted_by_phone += 1,
            Event::DuplicatedTasking { .. } => m.duplicated_tasking += 1,
            Event::InitiativeTaken { .. } => m.initiative_acts += 1,
            Event::Violation { violation, refused, agency, .. } => {
                if refused {
                    m.orders_refused += 1;
                } else {
                    *m.violations.entry(violation).or_default() += 1;
                    m.violations_by_agency[agency as usize] += 1;
                    m.tick.violations += 1;
                }
            }
            _ => {}
        }
    }
}

/// Uses of force and the harm done, to civilians and to units, this tick.
pub fn count_force_events(log: Res<EventLog>, mut metrics: ResMut<ForceMetrics>) {
    let m = &mut *metrics;
    m.tick = ForceTick::default();
    for event in log.this_tick() {
        match *event {
            Event::UseOfForce {
                agency,
                true_resistance,
                force,
                rule_set,
                excessive,
                indiscriminate,
                authority,
                ..
            } => {
                let a = agency as usize;
                m.unauthorised[a] += (authority == ForceAuthority::Unauthorised) as u64;
                m.uses[a] += 1;
                m.excessive[a] += excessive as u64;
                m.unlawful_lethal[a] +=
                    (force == ForceLevel::LethalForce && true_resistance < Resistance::LethalAggression) as u64;
                m.indiscriminate[a] += indiscriminate as u64;
                m.rules_misapplied += (rule_set == RuleSet::HumanitarianLaw) as u64;
                m.tick.force_events += 1;
            }
            Event::AuthorityRequested { agency, .. } => m.authority_requested[agency as usize] += 1,
            Event::AuthorityAnswered { agency, granted, .. } => m.authority_granted[agency as usize] += granted as u64,
            Event::Casualty { side, harm, cause, .. } => m.record(side, harm, cause),
            Event::CivilianHarmed { harm, cause, .. } => m.record(Side::Civilian, harm, cause),
            _ => {}
        }
    }
}

/// Arrests of this tick by the crowd type of the arrested, and those of
/// someone arrested before (a re-arrest is one more arrest, not one more
/// person).
pub fn count_arrests_by_type(log: Res<ArrestLog>, mood: Res<CrowdMood>, mut metrics: ResMut<ForceMetrics>) {
    let m = &mut *metrics;
    for a in log.this_tick() {
        *m.arrests_by_type.entry(mood.type_of(CivilianId(a.civilian))).or_default() += 1;
        let (word, bit) = (a.civilian as usize / 64, 1u64 << (a.civilian % 64));
        if word >= m.ever_arrested.len() {
            m.ever_arrested.resize(word + 1, 0);
        }
        if m.ever_arrested[word] & bit != 0 {
            m.rearrests += 1;
        }
        m.ever_arrested[word] |= bit;
    }
}
