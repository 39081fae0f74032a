//! Where a tick's time goes: wall time per phase, summed over the ticks run.
//!
//! Pattern: a marker system sits between each pair of phases (the phases
//! are chained, so the markers are ordered and touch nothing else); each
//! adds the time since the previous marker to the phase that just ended.
//! Reasoning: a bench says that a tick got slower, these counters say
//! where (rapier keeps such counters in its pipeline). Two clock reads a
//! phase cost nothing next to a tick, and the times are never written to
//! an output file, so they cannot break a run's reproducibility.

use std::time::{Duration, Instant};

use bevy_ecs::prelude::*;

use super::phase::Phase;

/// Wall time spent in each phase since the simulation was built.
#[derive(Resource, Debug, Clone, Default)]
pub struct PhaseTimes {
    /// Indexed as [`Phase::ALL`].
    pub total: [Duration; Phase::ALL.len()],
    /// Ticks timed.
    pub ticks: u64,
    /// When the last marker ran.
    last: Option<Instant>,
}

impl PhaseTimes {
    /// Each phase's mean wall time per tick, in milliseconds, with its name.
    pub fn per_tick_ms(&self) -> Vec<(&'static str, f64)> {
        let ticks = self.ticks.max(1) as f64;
        Phase::ALL.iter().zip(&self.total).map(|(p, t)| (p.name(), t.as_secs_f64() * 1e3 / ticks)).collect()
    }

    /// A table of [`Self::per_tick_ms`] with each phase's share of the
    /// tick, for people.
    pub fn table(&self) -> String {
        let rows = self.per_tick_ms();
        let sum: f64 = rows.iter().map(|r| r.1).sum();
        let mut out = format!("time per tick by phase, mean of {} ticks:\n", self.ticks);
        for (name, ms) in rows.iter().chain(std::iter::once(&("tick", sum))) {
            let share = if sum > 0.0 { 100.0 * ms / sum } else { 0.0 };
            out += &format!("  {name:<9}{ms:>10.3} ms {share:>5.1}%\n");
        }
        out
    }
}

/// Starts the clock of a tick.
fn start_tick(mut times: ResMut<PhaseTimes>) {
    times.last = Some(Instant::now());
}

/// Adds the markers to a schedule of chained phases: one before the first
/// phase, and after each phase one that ends it.
pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(start_tick.before(Phase::ALL[0]));
    for (p, &phase) in Phase::ALL.iter().enumerate() {
        let end = (move |mut times: ResMut<PhaseTimes>| times.end_phase(p)).after(phase);
        match Phase::ALL.get(p + 1) {
            Some(&next) => schedule.add_systems(end.before(next)),
            None => schedule.add_systems(end),
        };
    }
}

impl PhaseTimes {
    /// Adds the time since the last marker to phase `p`; the last phase
    /// also counts the tick.
    fn end_phase(&mut self, p: usize) {
        let now = Instant::now();
        if let Some(last) = self.last.replace(now) {
            self.total[p] += now - last;
        }
        if p == Phase::ALL.len() - 1 {
            self.ticks += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario;
    use crate::sim::{Sim, SimOptions};

    #[test]
    fn every_tick_is_timed_phase_by_phase_within_the_steps_wall_time() {
        let s = scenario::load_default(&[]).unwrap();
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        let started = std::time::Instant::now();
        for _ in 0..25 {
            sim.step();
        }
        let wall = started.elapsed();
        let times = sim.phase_times();
        assert_eq!(times.ticks, 25);
        let sum: std::time::Duration = times.total.iter().sum();
        assert!(sum <= wall, "phases {sum:?} exceed the steps' {wall:?}");
        // The turns take time in the act phase (sequential activation).
        let act = times.per_tick_ms().into_iter().find(|r| r.0 == "act").unwrap().1;
        assert!(act > 0.0);
        let table = times.table();
        for phase in crate::base::Phase::ALL {
            assert!(table.contains(phase.name()), "{table}");
        }
    }
}
