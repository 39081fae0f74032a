//! What is recorded: a census every tick ([`TickRecord`]) and the aggregate
//! outcome of a run ([`Summary`]). Systems here read the world and the
//! event log and never write the model: they write only their own records
//! (the census, the counters, the escalation) and the `PhaseChanged`
//! events of the escalation they record.
//! Writers for the output files are in [`output`].

pub mod conflict;
pub mod counters;
pub mod escalation;
pub mod headline;
pub mod map;
pub mod operation;
pub mod output;

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use serde::Serialize;

use crate::base::chunks::over_read_chunks;
use crate::base::{Clock, CurrentTunables, Parallel, Phase, Step};
use crate::civilians::Condition;
use crate::police::{ArrestLog, OfficerId};
use crate::scenario::Scenario;
pub use counters::{CommandMetrics, ForceMetrics, OperationTick};

/// The state of the world after one tick: a row of `timeseries.csv`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TickRecord {
    pub tick: u32,
    pub quiescent: u32,
    pub active: u32,
    pub jailed: u32,
    pub officers: u32,
    /// Arrests made during this tick.
    pub arrests: u32,
    /// Legitimacy in force during this tick.
    pub legitimacy: f64,
    /// The security operation's counts, if the scenario has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<OperationTick>,
}

impl TickRecord {
    pub const CSV_HEADER: &'static str = "tick,quiescent,active,jailed,officers,arrests,legitimacy";

    pub fn csv_row(&self) -> String {
        let mut row = format!(
            "{},{},{},{},{},{},{}",
            self.tick, self.quiescent, self.active, self.jailed, self.officers, self.arrests, self.legitimacy
        );
        if let Some(op) = &self.operation {
            row.push(',');
            row.push_str(&op.csv());
        }
        row
    }

    /// The CSV header: the operation's columns follow when there is one.
    pub fn csv_header(with_operation: bool) -> String {
        if with_operation {
            format!("{},{}", Self::CSV_HEADER, OperationTick::CSV_HEADER)
        } else {
            Self::CSV_HEADER.to_string()
        }
    }

    /// Everyone: quiescent, active, jailed, and the dead.
    pub fn population(&self) -> u32 {
        self.quiescent + self.active + self.jailed + self.operation.map_or(0, |o| o.dead)
    }
}

/// The latest census.
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct Census(pub TickRecord);

/// The census every tick; the operation's counters and its escalation
/// phase when the scenario has one.
/// The recorders' state in a new world: the census, and with an operation
/// the command and force counters and the escalation phase.
pub fn setup(world: &mut World, s: &Scenario) {
    world.insert_resource(Census::default());
    if s.command.is_some() && s.law.is_some() {
        let declared_from_start = s.law.as_ref().is_some_and(|l| l.initial != crate::scenario::Regime::Normal);
        world.insert_resource(CommandMetrics {
            first_declaration_tick: declared_from_start.then_some(0),
            ..CommandMetrics::default()
        });
        if s.crowd.is_some() && s.force.is_some() {
            world.insert_resource(ForceMetrics::default());
            world.insert_resource(escalation::Escalation::new(s.metadata.minutes_per_tick));
        }
    }
}

pub fn plugin(schedule: &mut Schedule, scenario: &Scenario) {
    schedule.add_systems(count_everyone.in_set(Phase::Record));
    if scenario.command.is_none() {
        return;
    }
    schedule.add_systems((
        counters::count_force_hours.in_set(Step::CountCommand),
        counters::count_command_events.in_set(Phase::Record).before(count_everyone),
    ));
    if scenario.crowd.is_some() && scenario.force.is_some() {
        schedule.add_systems((
            (counters::count_force_events, counters::count_arrests_by_type).chain().in_set(Phase::Record),
            escalation::take_mean_legitimacy.in_set(Phase::Record),
            escalation::update_phase
                .in_set(Phase::Record)
                .after(count_everyone)
                .after(counters::count_arrests_by_type)
                .after(escalation::take_mean_legitimacy),
        ));
    }
}

/// Who is counted in the census: every civilian by condition, and the
/// officers.
#[derive(SystemParam)]
pub struct Headcount<'w, 's> {
    civilians: Query<'w, 's, &'static Condition>,
    officers: Query<'w, 's, (), With<OfficerId>>,
}

pub fn count_everyone(
    clock: Res<Clock>,
    tunables: Res<CurrentTunables>,
    log: Res<ArrestLog>,
    parallel: Res<Parallel>,
    headcount: Headcount,
    operation: Option<Res<CommandMetrics>>,
    mut census: ResMut<Census>,
) {
    let Headcount { civilians, officers } = headcount;
    let mut r = TickRecord {
        tick: clock.tick,
        legitimacy: tunables.0.legitimacy,
        operation: operation.map(|m| m.tick),
        ..Default::default()
    };
    // Over the table's slices, each chunk counted in registers.
    let mut totals = [0u32; 4];
    for conditions in civilians.contiguous_iter().expect("conditions are stored in tables") {
        for counts in over_read_chunks(parallel.0, conditions, |_, chunk| tally(chunk)) {
            totals = std::array::from_fn(|i| totals[i] + counts[i]);
        }
    }
    let dead;
    [r.quiescent, r.active, r.jailed, dead] = totals;
    if let Some(op) = r.operation.as_mut() {
        op.dead = dead;
    }
    r.officers = officers.iter().count() as u32;
    r.arrests = log.this_tick().len() as u32;
    census.0 = r;
}

#[inline]
fn slot(c: &Condition) -> usize {
    match c {
        Condition::Quiescent => 0,
        Condition::Active => 1,
        Condition::Jailed { .. } => 2,
        Condition::Dead => 3,
    }
}

/// Quiescent, active, jailed and dead among `conditions`: four sums of
/// comparisons, which the compiler keeps in registers (a counter array
/// indexed by condition went through memory for each civilian).
fn tally(conditions: &[Condition]) -> [u32; 4] {
    let mut counts = [0u32; 4];
    for c in conditions {
        let s = slot(c);
        for (i, n) in counts.iter_mut().enumerate() {
            *n += (s == i) as u32;
        }
    }
    counts
}

/// A census taken outside the schedule (for tick 0).
pub fn take_census(world: &mut World) -> TickRecord {
    let tick = world.resource::<Clock>().tick;
    let legitimacy = world.resource::<CurrentTunables>().0.legitimacy;
    // The regime in force before the first tick (law.initial), not `normal`.
    let regime = world.get_resource::<crate::law::LegalState>().map(|l| l.strongest()).unwrap_or_default();
    let operation =
        world.get_resource::<CommandMetrics>().map(|_| OperationTick { regime, ..OperationTick::default() });
    let mut r = TickRecord { tick, legitimacy, operation, ..Default::default() };
    for c in world.query::<&Condition>().iter(world) {
        match c {
            Condition::Quiescent => r.quiescent += 1,
            Condition::Active => r.active += 1,
            Condition::Jailed { .. } => r.jailed += 1,
            Condition::Dead => {}
        }
    }
    r.officers = world.query::<&OfficerId>().iter(world).count() as u32;
    r
}

/// Aggregate outcome of a run, in `summary.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub population: u32,
    pub peak_active: u32,
    pub peak_active_tick: u32,
    pub mean_active: f64,
    /// Mean share of civilians active per tick.
    pub mean_active_share: f64,
    pub total_arrests: u64,
    /// Spells with at least `outburst_active_share` of civilians active.
    pub outbursts: u32,
    pub first_outburst_tick: Option<u32>,
    pub ticks_in_outburst: u32,
    pub final_quiescent: u32,
    pub final_active: u32,
    pub final_jailed: u32,
    pub final_officers: u32,
    /// Command, orders and law, for scenarios with security units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<operation::OperationSummary>,
}

/// Builds a [`Summary`] from tick records as they come.
#[derive(Debug, Clone)]
pub struct SummaryBuilder {
    outburst_share: f64,
    s: Summary,
    ticks: u32,
    active_sum: u64,
    in_outburst: bool,
}

impl SummaryBuilder {
    pub fn new(outburst_share: f64) -> Self {
        SummaryBuilder { outburst_share, s: Summary::default(), ticks: 0, active_sum: 0, in_outburst: false }
    }

    /// Adds the record of a tick that was run (not the tick-0 census).
    pub fn add(&mut self, r: &TickRecord) {
        let s = &mut self.s;
        s.population = r.population();
        if r.active > s.peak_active {
            s.peak_active = r.active;
            s.peak_active_tick = r.tick;
        }
        self.ticks += 1;
        self.active_sum += r.active as u64;
        s.total_arrests += r.arrests as u64;
        let outburst = r.population() > 0 && r.active as f64 >= self.outburst_share * r.population() as f64;
        if outburst {
            s.ticks_in_outburst += 1;
            if !self.in_outburst {
                s.outbursts += 1;
                s.first_outburst_tick.get_or_insert(r.tick);
            }
        }
        self.in_outburst = outburst;
        s.final_quiescent = r.quiescent;
        s.final_active = r.active;
        s.final_jailed = r.jailed;
        s.final_officers = r.officers;
    }

    pub fn finish(mut self) -> Summary {
        if self.ticks > 0 {
            self.s.mean_active = self.active_sum as f64 / self.ticks as f64;
            self.s.mean_active_share =
                if self.s.population > 0 { self.s.mean_active / self.s.population as f64 } else { 0.0 };
        }
        self.s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(tick: u32, active: u32) -> TickRecord {
        TickRecord {
            tick,
            quiescent: 100 - active,
            active,
            jailed: 0,
            officers: 4,
            arrests: 1,
            legitimacy: 0.8,
            operation: None,
        }
    }

    #[test]
    fn outbursts_are_counted_as_spells() {
        let mut b = SummaryBuilder::new(0.1);
        for (t, a) in [0, 20, 30, 5, 0, 12, 2].iter().enumerate() {
            b.add(&rec(t as u32 + 1, *a));
        }
        let s = b.finish();
        assert_eq!(s.outbursts, 2);
        assert_eq!(s.first_outburst_tick, Some(2));
        assert_eq!(s.ticks_in_outburst, 3);
        assert_eq!((s.peak_active, s.peak_active_tick), (30, 3));
        assert_eq!(s.total_arrests, 7);
        assert!((s.mean_active - 69.0 / 7.0).abs() < 1e-12);
    }
}
