//! Runs a scenario from start to end and writes its outputs: the one place
//! where scenario, simulation and metrics meet.

use std::path::Path;

use serde::Serialize;

use crate::base::timing::PhaseTimes;
use crate::metrics::headline::Headline;
use crate::metrics::map::MapRecorder;
use crate::metrics::output::OutputDir;
use crate::metrics::{Summary, SummaryBuilder, TickRecord};
use crate::scenario::Scenario;
use crate::sim::{Sim, SimError, SimOptions};

/// The content of `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The figures a reader wants first (`metrics::headline`).
    pub headline: Headline,
    pub mando_version: &'static str,
    pub scenario: String,
    pub seed: u64,
    pub ticks: u32,
    /// The scenario after overrides, defaults filled in.
    pub parameters: Scenario,
    pub metrics: Summary,
    /// Fingerprint of the final state (hex); equal runs have equal hashes.
    pub final_state_hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Sim(#[from] SimError),
    #[error("cannot write outputs in {dir}: {source}")]
    Output { dir: String, source: std::io::Error },
    /// A driven run's driver failed (the classroom's replay of a branch).
    #[error("{0}")]
    Driver(String),
    /// Ctrl-C or SIGTERM (`base::interrupt`): stopped, its outputs removed.
    #[error("interrupted: the run stopped and its unfinished outputs were removed")]
    Interrupted,
}

/// Runs `scenario` to its last tick. Writes outputs into `out` if given;
/// calls `on_tick` after every tick (for progress).
pub fn run(
    scenario: &Scenario,
    options: SimOptions,
    out: Option<&Path>,
    on_tick: impl FnMut(&TickRecord),
) -> Result<RunReport, RunError> {
    run_timed(scenario, options, out, on_tick).map(|(report, _)| report)
}

/// [`run`], also returning the wall time of each phase (for a profile;
/// it differs from run to run, so it is in no output file).
pub fn run_timed(
    scenario: &Scenario,
    options: SimOptions,
    out: Option<&Path>,
    on_tick: impl FnMut(&TickRecord),
) -> Result<(RunReport, PhaseTimes), RunError> {
    run_driven(scenario, options, out, on_tick, |_| Ok(()))
}

/// [`run_timed`], with `drive` called before every tick (and once before
/// the first): the classroom replays a branch's injects and decisions so.
pub fn run_driven(
    scenario: &Scenario,
    options: SimOptions,
    out: Option<&Path>,
    mut on_tick: impl FnMut(&TickRecord),
    mut drive: impl FnMut(&mut Sim) -> Result<(), String>,
) -> Result<(RunReport, PhaseTimes), RunError> {
    let io_err = |dir: &Path| {
        let dir = dir.display().to_string();
        move |source| RunError::Output { dir: dir.clone(), source }
    };
    let mut sim = Sim::new(scenario, options)?;
    let mut output = match out {
        Some(dir) => Some(OutputDir::create(dir, scenario).map_err(io_err(dir))?),
        None => None,
    };
    let mut map = output.as_ref().map(|_| MapRecorder::new(sim.world_mut(), scenario));
    let mut summary = SummaryBuilder::new(scenario.metrics.outburst_active_share);
    let start = sim.census();
    if let Some(o) = output.as_mut() {
        o.tick(&start).map_err(io_err(o.dir()))?;
    }
    while !sim.is_finished() {
        if crate::base::interrupt::requested() {
            return Err(RunError::Interrupted);
        }
        drive(&mut sim).map_err(RunError::Driver)?;
        let record = sim.step();
        summary.add(&record);
        let arrests = sim.drain_arrests();
        let events = sim.drain_events();
        if let Some(o) = output.as_mut() {
            o.tick(&record).map_err(io_err(o.dir()))?;
            o.arrests(&arrests).map_err(io_err(o.dir()))?;
            o.events(&events).map_err(io_err(o.dir()))?;
        }
        if let Some(m) = map.as_mut() {
            m.record(sim.world_mut(), record.tick);
        }
        on_tick(&record);
    }
    let metrics = Summary { operation: sim.operation_summary(), ..summary.finish() };
    let report = RunReport {
        headline: Headline::of(&metrics, scenario),
        mando_version: env!("CARGO_PKG_VERSION"),
        scenario: scenario.metadata.name.clone(),
        seed: scenario.metadata.seed,
        ticks: scenario.metadata.ticks,
        parameters: scenario.clone(),
        metrics,
        final_state_hash: format!("{:016x}", sim.state_hash()),
    };
    if let (Some(o), Some(m)) = (output, map) {
        let dir = o.dir().to_path_buf();
        o.finish(&m.finish(), &report).map_err(io_err(&dir))?;
    }
    Ok((report, sim.phase_times().clone()))
}
