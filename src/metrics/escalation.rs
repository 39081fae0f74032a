//! The escalation phase of the conflict, after the Defensoría del Pueblo's
//! phases of active conflicts (early, escalation, crisis, de-escalation,
//! dialogue), computed every tick from the state of the world (domain
//! brief, "Macro phases"):
//!
//! - **crisis**: a death in the last 2 h, 10 or more injured in the last
//!   2 h, or a critical site breached;
//! - **dialogue**: a dialogue table open and under 1% of civilians active;
//! - **de-escalation**: after a crisis or escalation, the active share lower
//!   than 6 h before and nobody injured for 4 h;
//! - **escalation**: 1% or more active, or actives on roads (a blockade);
//! - **early**: otherwise.
//!
//! The first that holds, in that order. Also here: time in each phase, time
//! to restore order, peak and area of actives, blockade cell-hours.

use std::collections::VecDeque;

use bevy_ecs::prelude::*;

use super::Census;
use super::counters::ForceMetrics;
use crate::base::events::{Event, EventLog};
use crate::base::fingerprint::{Fingerprint, Fnv};
pub use crate::base::vocabulary::ConflictPhase;
use crate::base::{CurrentTunables, Position};
use crate::civilians::Condition;
use crate::crowd::CrowdMood;
use crate::situation::{ReportClock, Situation, is_report_tick};

/// Under this share of civilians active, order holds.
pub const ORDER_ACTIVE_SHARE: f64 = 0.01;
/// Order is restored when the share stays under it this long.
pub const RESTORED_AFTER_MINUTES: f64 = 60.0;

/// With a crowd that has a day (`crowd.gatherings`), order is restored
/// when a whole daytime peak passes with no site breached, the roads open
/// (fewer actives on road cells than make a blockade) and under this share
/// of civilians active (**Assumption**: a commander reports order restored
/// when fewer than 1 in 50 are out protesting through the day; night,
/// when everyone is home, never counts).
pub const RESTORED_DAY_ACTIVE_SHARE: f64 = 0.02;

/// Actives on road cells that make a blockade (as in the use of force's
/// blocked evacuations).
pub const BLOCKADE_ROAD_ACTIVES: u32 = 10;

#[derive(Resource, Debug, Clone)]
pub struct Escalation {
    pub phase: ConflictPhase,
    minutes_per_tick: f64,
    /// Per tick: (tick, injured, dead) over the last 4 h.
    harm: VecDeque<(u32, u32, u32)>,
    /// Per tick: (tick, active share) over the last 6 h.
    shares: VecDeque<(u32, f64)>,
    pub minutes_in: [f64; 5],
    pub first_crisis_tick: Option<u32>,
    calm_since: Option<u32>,
    pub order_restored_tick: Option<u32>,
    pub peak_active: u32,
    /// Σ actives × minutes.
    pub active_person_minutes: f64,
    /// Σ over report ticks of actives on road cells × the interval, in hours.
    pub blockade_cell_hours: f64,
    /// Minutes each critical site spent breached (sampled every report interval).
    pub site_breached_minutes: Vec<f64>,
    /// Mean legitimacy civilians on the map perceive, taken every report
    /// interval ([`take_mean_legitimacy`]), and its lowest.
    pub mean_legitimacy: f64,
    pub min_mean_legitimacy: f64,
    /// Σ and count of the mean identity over sectors, every report interval.
    identity_sum: f64,
    identity_samples: u32,
    /// The phase was escalating or in crisis since the last calm.
    heated: bool,
    /// The daytime peak under way: the tick it began, and whether order
    /// has held through it so far.
    peak: Option<(u32, bool)>,
}

impl Escalation {
    pub fn new(minutes_per_tick: f64) -> Escalation {
        Escalation {
            phase: ConflictPhase::Early,
            minutes_per_tick,
            harm: VecDeque::new(),
            shares: VecDeque::new(),
            minutes_in: [0.0; 5],
            first_crisis_tick: None,
            calm_since: None,
            order_restored_tick: None,
            peak_active: 0,
            active_person_minutes: 0.0,
            blockade_cell_hours: 0.0,
            site_breached_minutes: Vec::new(),
            mean_legitimacy: 0.0,
            min_mean_legitimacy: f64::INFINITY,
            identity_sum: 0.0,
            identity_samples: 0,
            heated: false,
            peak: None,
        }
    }

    /// Mean over the run of the mean identity over sectors.
    pub fn mean_identity_over_run(&self) -> f64 {
        if self.identity_samples == 0 { 0.0 } else { self.identity_sum / self.identity_samples as f64 }
    }

    fn ticks(&self, minutes: f64) -> u32 {
        crate::base::ticks(minutes, self.minutes_per_tick)
    }
}

impl Fingerprint for Escalation {
    fn fingerprint(&self, h: &mut Fnv) {
        let Escalation {
            phase,
            minutes_per_tick: _,
            harm,
            shares,
            minutes_in,
            first_crisis_tick,
            calm_since,
            order_restored_tick,
            peak_active,
            active_person_minutes,
            blockade_cell_hours,
            site_breached_minutes,
            mean_legitimacy,
            min_mean_legitimacy,
            identity_sum,
            identity_samples,
            heated,
            peak,
        } = self;
        h.u32(*phase as u32);
        h.count(harm.len());
        for &(tick, injured, dead) in harm {
            h.u32(tick);
            h.u32(injured);
            h.u32(dead);
        }
        h.count(shares.len());
        for &(tick, share) in shares {
            h.u32(tick);
            h.f64(share);
        }
        h.each(minutes_in, |h, &m| h.f64(m));
        h.opt(*first_crisis_tick);
        h.opt(*calm_since);
        h.opt(*order_restored_tick);
        h.u32(*peak_active);
        h.f64(*active_person_minutes);
        h.f64(*blockade_cell_hours);
        h.each(site_breached_minutes, |h, &m| h.f64(m));
        h.f64(*mean_legitimacy);
        h.f64(*min_mean_legitimacy);
        h.f64(*identity_sum);
        h.u32(*identity_samples);
        h.flag(*heated);
        match peak {
            Some((start, held)) => {
                h.u32(*start);
                h.flag(*held);
            }
            None => h.u32(u32::MAX),
        }
    }
}

/// The mean legitimacy civilians on the map perceive (report ticks): a
/// recording, read by no rule of the model.
///
/// Everyone in a sector perceives the same, so the living are counted by
/// sector and the sum taken over sectors in order: a sum over civilians in
/// storage order would round differently whenever they are re-sorted.
pub fn take_mean_legitimacy(
    report: ReportClock,
    tunables: Res<CurrentTunables>,
    mood: Res<CrowdMood>,
    civilians: Query<(&Position, &Condition)>,
    mut esc: ResMut<Escalation>,
    mut living: Local<Vec<u64>>,
) {
    if !is_report_tick(&report.clock, *report.every) {
        return;
    }
    let t = &tunables.0;
    living.clear();
    living.resize(mood.sector_count(), 0);
    for (pos, c) in &civilians {
        if *c != Condition::Dead {
            living[mood.sector_of(pos.0)] += 1;
        }
    }
    let n: u64 = living.iter().sum();
    let sum: f64 = living.iter().enumerate().map(|(s, &k)| k as f64 * mood.legitimacy_in(s, t)).sum();
    esc.mean_legitimacy = if n > 0 { sum / n as f64 } else { (t.legitimacy + mood.region_legitimacy).clamp(0.0, 1.0) };
}

pub fn update_phase(
    report: ReportClock,
    situation: Res<Situation>,
    mood: Res<CrowdMood>,
    force: Res<ForceMetrics>,
    mut census: ResMut<Census>,
    mut esc: ResMut<Escalation>,
    mut log: ResMut<EventLog>,
) {
    let ReportClock { clock, every } = report;
    let tick = clock.tick;
    let r = census.0;
    let alive = (r.quiescent + r.active + r.jailed).max(1);
    let share = r.active as f64 / alive as f64;
    let e = &mut *esc;
    e.peak_active = e.peak_active.max(r.active);
    e.active_person_minutes += r.active as f64 * e.minutes_per_tick;
    if is_report_tick(&clock, *every) {
        let road: u32 = situation.sector_road_actives.iter().sum();
        e.blockade_cell_hours += road as f64 * every.0 as f64 * e.minutes_per_tick / 60.0;
        e.site_breached_minutes.resize(situation.site_breached.len(), 0.0);
        for (m, &b) in e.site_breached_minutes.iter_mut().zip(&situation.site_breached) {
            *m += if b { every.0 as f64 * e.minutes_per_tick } else { 0.0 };
        }
        e.min_mean_legitimacy = e.min_mean_legitimacy.min(e.mean_legitimacy);
        e.identity_sum += mood.mean_identity();
        e.identity_samples += 1;
    }
    let (two_h, four_h, six_h) = (e.ticks(120.0), e.ticks(240.0), e.ticks(360.0));
    e.harm.push_back((tick, force.tick.injured, force.tick.dead));
    while e.harm.front().is_some_and(|h| tick - h.0 >= four_h) {
        e.harm.pop_front();
    }
    e.shares.push_back((tick, share));
    while e.shares.front().is_some_and(|h| tick - h.0 > six_h) {
        e.shares.pop_front();
    }
    let recent =
        |within: u32| e.harm.iter().filter(|h| tick - h.0 < within).fold((0, 0), |(i, d), h| (i + h.1, d + h.2));
    let (injured_2h, dead_2h) = recent(two_h);
    let (injured_4h, _) = recent(four_h);
    let breached = situation.site_breached.iter().any(|&b| b);
    let blockade = situation.sector_road_actives.iter().any(|&n| n > 0);
    let six_hours_ago = e.shares.front().filter(|h| tick - h.0 >= six_h).map(|h| h.1);
    let phase = if dead_2h > 0 || injured_2h >= 10 || breached {
        ConflictPhase::Crisis
    } else if mood.dialogue_open_since.is_some() && share < ORDER_ACTIVE_SHARE {
        ConflictPhase::Dialogue
    } else if e.heated && injured_4h == 0 && six_hours_ago.is_some_and(|then| share < then) {
        ConflictPhase::DeEscalation
    } else if share >= ORDER_ACTIVE_SHARE || blockade {
        ConflictPhase::Escalation
    } else {
        ConflictPhase::Early
    };
    match phase {
        ConflictPhase::Crisis | ConflictPhase::Escalation => e.heated = true,
        ConflictPhase::Early | ConflictPhase::Dialogue => e.heated = false,
        ConflictPhase::DeEscalation => {}
    }
    if phase == ConflictPhase::Crisis {
        e.first_crisis_tick.get_or_insert(tick);
    }
    if let Some(p) = mood.purpose.as_ref() {
        // Order restored: after the first crisis, a whole daytime peak with
        // sites open, roads open and few active.
        let (hour, _) = p.clock(tick);
        let road: u32 = situation.sector_road_actives.iter().sum();
        let holds = !breached && road < BLOCKADE_ROAD_ACTIVES && share < RESTORED_DAY_ACTIVE_SHARE;
        if p.spec.day.is_peak(hour) {
            // A peak counts whole: from its first hour, not from mid-peak.
            let from_its_start = hour - p.spec.day.peak_from < e.minutes_per_tick / 60.0;
            match e.peak.as_mut() {
                Some((_, held)) => *held &= holds,
                None => e.peak = Some((tick, holds && from_its_start)),
            }
        } else if let Some((start, held)) = e.peak.take()
            && held
            && e.order_restored_tick.is_none()
            && e.first_crisis_tick.is_some_and(|crisis| start > crisis)
        {
            e.order_restored_tick = Some(start);
        }
    } else if share < ORDER_ACTIVE_SHARE && !breached {
        // Order restored: after the first crisis, the active share under 1%
        // for an hour with no site breached.
        e.calm_since.get_or_insert(tick);
    } else {
        e.calm_since = None;
    }
    if e.order_restored_tick.is_none()
        && let (Some(crisis), Some(calm)) = (e.first_crisis_tick, e.calm_since)
        && calm > crisis
        && tick - calm + 1 >= e.ticks(RESTORED_AFTER_MINUTES)
    {
        e.order_restored_tick = Some(calm);
    }
    e.minutes_in[phase as usize] += e.minutes_per_tick;
    if phase != e.phase {
        log.push(Event::PhaseChanged { tick, from: e.phase, to: phase });
        e.phase = phase;
    }
    if let Some(op) = census.0.operation.as_mut() {
        op.phase = phase;
        op.injured = force.tick.injured;
        op.force_events = force.tick.force_events;
    }
}
