//! The simulation: a bevy_ecs `World` built from a checked scenario and a
//! `Schedule` of named phases run on the single-threaded executor.
//!
//! Each tick runs Inject → Sense → Decide → Command → Act → Move → Resolve →
//! Record → Maintain. Domain modules add their systems to these phases through their
//! `plugin` functions; ambiguity detection is set to error, so two systems
//! touching the same data without an order fail to build. Parallelism lives
//! inside hot systems (`par_iter_mut`), never across systems.

use bevy_ecs::prelude::*;

use crate::base::events::EventLog;
use crate::base::{Clock, Step, tick_schedule, timing};
use crate::changes::live::LiveChanges;
use crate::decisions::{self, DecisionBook, DecisionState};
use crate::grid::MAX_AGENT_ID;
use crate::metrics::{self, Census, TickRecord};
use crate::police::{Arrest, ArrestLog};
use crate::scenario::{Override, Scenario};
use crate::{
    activation, base, changes, civilians, command, crowd, detention, grid, law, police, situation, units, use_of_force,
};

pub mod hash;
pub mod snapshot;

/// How the simulation uses the machine; never changes an outcome.
#[derive(Debug, Clone, Copy)]
pub struct SimOptions {
    /// Worker threads for the parallel engine; 1 runs everything serially.
    pub threads: usize,
    /// Re-sort civilians by cell every this many ticks (0: never).
    pub resort_every_ticks: u32,
    /// Below this many civilians the threads are not used: splitting the
    /// work costs more than it saves (measured: `docs/performance.md`).
    pub parallel_from_civilians: u32,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions { threads: 1, resort_every_ticks: 32, parallel_from_civilians: 50_000 }
    }
}

/// Sets up the global compute task pool once per process, with
/// `threads − 1` workers: the calling thread runs the scope's tasks too
/// (bevy_tasks ticks the pool's executor on it), so `threads` threads
/// work. A pool of `threads` ran three threads on this 2-core machine,
/// each descheduled part of the time (no difference measured in the
/// bench). Later calls with a different count keep the first pool;
/// [`Parallel`](crate::base::settings::Parallel) decides whether it is used, so results never depend on
/// its size.
pub fn init_threads(threads: usize) {
    if threads > 1 {
        bevy_tasks::ComputeTaskPool::get_or_init(|| {
            bevy_tasks::TaskPoolBuilder::new().num_threads(threads - 1).build()
        });
    }
}

/// A running simulation.
pub struct Sim {
    world: World,
    schedule: Schedule,
    scenario: Scenario,
    options: SimOptions,
    /// Leave due decisions for [`Sim::decide`] (the classroom) instead of
    /// taking their batch choice.
    hold_decisions: bool,
    /// Batch choices that could not be applied (see [`Sim::step`]).
    refused: Vec<String>,
}

/// Why a simulation could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("the scenario has {0} agents of one kind; mando supports at most {MAX_AGENT_ID}")]
    TooManyAgents(u32),
    #[error("the tick schedule could not be built: {0}")]
    Schedule(String),
    #[error("the units of group `{0}` do not fit in the open ground around its cell")]
    UnitsDoNotFit(String),
}

impl Sim {
    pub fn new(scenario: &Scenario, options: SimOptions) -> Result<Sim, SimError> {
        // Officers added mid-run get fresh ids: count every id ever issued.
        let mut issued = scenario.police.count as u64;
        let mut on_duty = scenario.police.count as u64;
        for (_, t) in &scenario.timeline {
            issued += (t.police_count as u64).saturating_sub(on_duty);
            on_duty = t.police_count as u64;
        }
        let issued = issued.min(u32::MAX as u64) as u32;
        for n in [scenario.civilians.count, scenario.police.count, issued] {
            if n > MAX_AGENT_ID {
                return Err(SimError::TooManyAgents(n));
            }
        }
        init_threads(options.threads);
        let mut world = World::new();
        populate(&mut world, scenario, options)?;
        let mut schedule = tick_schedule();
        plugin(&mut schedule, scenario);
        if let Err(e) = schedule.initialize(&mut world) {
            return Err(SimError::Schedule(e.to_string(schedule.graph(), &world)));
        }
        world.insert_resource(LiveChanges::default());
        world.insert_resource(DecisionBook::new(scenario));
        Ok(Sim { world, schedule, scenario: scenario.clone(), options, hold_decisions: false, refused: Vec::new() })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn tick(&self) -> u32 {
        self.world.resource::<Clock>().tick
    }

    pub fn is_finished(&self) -> bool {
        self.tick() >= self.scenario.metadata.ticks
    }

    /// Runs one tick and returns its record. Decisions whose trigger fired
    /// take their batch choice (the default or `--decide`), unless they are
    /// held for [`Sim::decide`].
    pub fn step(&mut self) -> TickRecord {
        self.schedule.run(&mut self.world);
        if !self.scenario.decisions.is_empty() {
            let fired = decisions::fire_triggers(&mut self.world, &self.scenario.decisions);
            if !self.hold_decisions {
                for i in fired {
                    if let Err(e) = self.decide(i, self.scenario.decisions[i].chosen) {
                        self.refused.push(e);
                    }
                }
            }
        }
        self.world.resource::<Census>().0
    }

    /// Leaves decisions that fall due for [`Sim::decide`].
    pub fn hold_decisions(&mut self, hold: bool) {
        self.hold_decisions = hold;
    }

    /// The first decision waiting for a choice (held decisions only).
    pub fn due_decision(&self) -> Option<usize> {
        self.world.resource::<DecisionBook>().due()
    }

    /// Where each decision stands.
    pub fn decision_states(&self) -> &[DecisionState] {
        &self.world.resource::<DecisionBook>().0
    }

    /// Takes choice `choice` of due decision `index`: its changes take
    /// effect from the next tick.
    pub fn decide(&mut self, index: usize, choice: usize) -> Result<(), String> {
        let d = self.scenario.decisions.get(index).ok_or("no such decision")?.clone();
        let c = d.choices.get(choice).ok_or_else(|| format!("no such choice; the choices: {}", d.choice_names()))?;
        if !matches!(self.decision_states()[index], DecisionState::Due { .. }) {
            return Err(format!("`{}` is not waiting for a choice", d.name));
        }
        let tick = self.tick();
        self.world.resource_mut::<EventLog>().push(crate::base::events::Event::DecisionTaken {
            tick,
            decision: d.name.clone(),
            choice: c.name.clone(),
        });
        for change in &c.changes {
            changes::live::schedule(&mut self.world, &self.scenario, change)?;
        }
        self.world.resource_mut::<DecisionBook>().0[index] = DecisionState::Taken { tick, choice };
        Ok(())
    }

    /// Changes `change.path` from the next tick on, checked as the file
    /// would be (`changes::live`).
    pub fn change(&mut self, change: &Override) -> Result<(), String> {
        changes::live::schedule(&mut self.world, &self.scenario, change)
    }

    /// The changes made during the run so far, with the tick after which
    /// each was made.
    pub fn changes_made(&self) -> &[(u32, Override)] {
        &self.world.resource::<LiveChanges>().made
    }

    /// Batch choices whose changes could not be applied (with earlier
    /// changes they no longer fit the scenario's checks).
    pub fn refused_choices(&self) -> &[String] {
        &self.refused
    }

    /// Wall time per phase over the ticks run so far (never in an output
    /// file: it differs from run to run).
    pub fn phase_times(&self) -> &timing::PhaseTimes {
        self.world.resource::<timing::PhaseTimes>()
    }

    /// The arrests of the ticks run since the last call.
    pub fn drain_arrests(&mut self) -> Vec<Arrest> {
        self.world.resource_mut::<ArrestLog>().drain().collect()
    }

    /// The events other than arrests of the ticks run since the last call.
    pub fn drain_events(&mut self) -> Vec<crate::base::events::Event> {
        self.world.resource_mut::<EventLog>().drain_journal()
    }

    /// The security operation's summary so far (`None` without one).
    pub fn operation_summary(&self) -> Option<crate::metrics::operation::OperationSummary> {
        let sites: Vec<String> = self.scenario.map.sites.iter().map(|s| s.name.clone()).collect();
        crate::metrics::operation::summarise(&self.world, self.scenario.metadata.minutes_per_tick, &sites)
    }

    /// Counts of the current state (tick 0 before the first step).
    pub fn census(&mut self) -> TickRecord {
        metrics::take_census(&mut self.world)
    }

    /// A fingerprint of everything in the world that can change during a
    /// run, independent of storage order and thread count: equal hashes
    /// mean equal worlds (up to hash collisions). See [`hash`].
    pub fn state_hash(&mut self) -> u64 {
        hash::state_hash(&mut self.world)
    }

    /// The world, to read.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Direct access for tests and tools that inspect the world.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }
}

/// Composes every domain's systems; the security operation's only when the
/// scenario has one, so a pure crowd model pays nothing for it.
fn plugin(schedule: &mut Schedule, scenario: &Scenario) {
    schedule.add_systems(advance_clock.in_set(Step::AdvanceClock));
    changes::plugin(schedule);
    activation::plugin(schedule);
    civilians::plugin(schedule);
    if scenario.command.is_some() {
        units::plugin(schedule);
        detention::plugin(schedule);
        situation::plugin(schedule);
        law::plugin(schedule);
        command::plugin(schedule);
        crowd::plugin(schedule);
        use_of_force::plugin(schedule);
    }
    metrics::plugin(schedule, scenario);
    timing::plugin(schedule);
}

fn advance_clock(mut clock: ResMut<Clock>, mut log: ResMut<ArrestLog>, mut events: ResMut<EventLog>) {
    clock.tick += 1;
    log.begin_tick();
    events.begin_tick();
}

/// Builds the world: each domain sets up its own part, in an order that
/// decides who is placed where (and so every output).
fn populate(world: &mut World, s: &Scenario, options: SimOptions) -> Result<(), SimError> {
    base::setup(world, s, options.threads > 1 && s.civilians.count >= options.parallel_from_civilians);
    grid::setup(world, s);
    activation::setup(world, options.resort_every_ticks);
    // Officers with fixed posts, then units: they start where the scenario
    // puts them; civilians and the other officers take the cells left.
    police::hold_posts(world, s);
    let placed = units::place(world, s).map_err(SimError::UnitsDoNotFit)?;
    let open = grid::open_cells_in_random_order(world);
    let civilians_count = s.civilians.count as usize;
    civilians::setup(world, s, &open[..civilians_count]);
    police::setup(world, s, &open[civilians_count..]);
    units::setup(world, s, placed);
    // The operation's domains set up nothing in a pure crowd model.
    situation::setup(world, s);
    law::setup(world, s);
    command::setup(world, s);
    crowd::setup(world, s);
    use_of_force::setup(world, s);
    detention::setup(world, s);
    metrics::setup(world, s);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Phase;

    /// Two of the model's real grid writers, in one phase without an order:
    /// the schedule must refuse them, naming the grid; in two steps in
    /// order it builds. Were a writer to take `Res<Grid>` and write
    /// through the atomics, the pair would build and this would fail.
    #[test]
    fn two_unordered_grid_writers_do_not_build() {
        let mut world = World::new();
        let mut unordered = tick_schedule();
        unordered.add_systems((units::move_units.in_set(Phase::Act), civilians::release_from_jail.in_set(Phase::Act)));
        assert!(unordered.initialize(&mut world).is_err(), "two unordered grid writers must not build");
        let grid = world.component_id::<crate::grid::Grid>().expect("the schedule registered the grid");
        let conflicts = &unordered.graph().conflicting_systems().0;
        assert!(
            !conflicts.is_empty() && conflicts.iter().all(|(_, _, on)| on.contains(&grid)),
            "they conflict on the grid"
        );
        let mut ordered = tick_schedule();
        ordered.add_systems((units::move_units.in_set(Phase::Act), civilians::release_from_jail.in_set(Phase::Move)));
        assert!(ordered.initialize(&mut world).is_ok());
    }
}
