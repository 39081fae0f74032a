//! The simulation: a bevy_ecs `World` built from a checked scenario and a
//! `Schedule` of named phases run on the single-threaded executor.
//!
//! Each tick runs Inject → Sense → Decide → Command → Act → Move → Resolve →
//! Record → Maintain. Domain modules add their systems to these phases through their
//! `plugin` functions; ambiguity detection is set to error, so two systems
//! touching the same data without an order fail to build. Parallelism lives
//! inside hot systems (`par_iter_mut`), never across systems.

use bevy_ecs::prelude::*;
use rand::seq::SliceRandom;

use crate::base::rng::{Stream, Streams};
use crate::base::{
    AgentIndex, Clock, CurrentRules, CurrentTunables, Parallel, Position, Step, Timeline, tick_schedule, timing,
};

use crate::base::events::EventLog;
use crate::civilians::{self, CivilianId, Condition, Disposition};
use crate::command::planning::SiteInfo;
use crate::grid::{CellIndex, Grid, MAX_AGENT_ID, Occupant, Shape, Shapes, Terrain, VisionCounts};
use crate::law::{LegalState, SiteZones};
use crate::metrics::{self, Census, TickRecord};
use crate::police::{Arrest, ArrestLog, OfficerId};
use crate::scenario::conflict::type_of;
use crate::scenario::{Agency, Deployment, Regime, Scenario, Tunables, defaults};
use crate::situation::{ReportEvery, Sectors, SiteBreach, Situation, Zones};
use crate::units::{RadioNets, Task, TaskKind, Tasking, Unit, UnitId, UnitShapes};
use crate::{activation, changes, command, crowd, law, situation, units, use_of_force};

pub mod hash;

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
/// [`Parallel`] decides whether it is used, so results never depend on
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
        Ok(Sim { world, schedule, scenario: scenario.clone() })
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

    /// Runs one tick and returns its record.
    pub fn step(&mut self) -> TickRecord {
        self.schedule.run(&mut self.world);
        self.world.resource::<Census>().0
    }

    /// Wall time per phase over the ticks run so far (never in an output
    /// file: it differs from run to run).
    pub fn phase_times(&self) -> &timing::PhaseTimes {
        self.world.resource::<timing::PhaseTimes>()
    }

    /// The arrests of the ticks run since the last call.
    pub fn drain_arrests(&mut self) -> Vec<Arrest> {
        // Drained rather than taken: the log keeps its capacity, so a busy
        // tick does not regrow it from nothing (megabytes at 1M civilians).
        self.world.resource_mut::<ArrestLog>().events.drain(..).collect()
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
    log.this_tick = 0;
    events.begin_tick();
}

/// Creates the resources and places every agent.
fn populate(world: &mut World, s: &Scenario, options: SimOptions) -> Result<(), SimError> {
    let streams = Streams::new(s.metadata.seed);
    let grid = Grid::new(&s.map);
    let terrain = Terrain::new(&s.map);
    let tunables = Tunables::initial(s);
    // Officers with fixed cells, then units: they start where the scenario
    // puts them; civilians and the other officers take the cells left.
    if let Some(ps) = &s.police.positions {
        for (i, &(x, y)) in ps.iter().enumerate() {
            grid.set(grid.index(x, y), Occupant::Officer { id: i as u32 });
        }
    }
    let units = units::place_units(&s.forces, &grid, &terrain).map_err(SimError::UnitsDoNotFit)?;

    // Placement: shuffle the open cells once; civilians take the first ones
    // in id order, then officers (unless their positions are given).
    let fixed: Option<Vec<CellIndex>> =
        s.police.positions.as_ref().map(|ps| ps.iter().map(|&(x, y)| grid.index(x, y)).collect());
    let mut open: Vec<CellIndex> = (0..grid.cells() as CellIndex)
        .filter(|&c| grid.get(c) == Occupant::Empty && !fixed.as_ref().is_some_and(|f| f.contains(&c)))
        .collect();
    open.shuffle(&mut streams.generator(Stream::Placement, 0));
    let n_civ = s.civilians.count as usize;
    let officer_cells: Vec<CellIndex> = match fixed {
        Some(f) => f,
        None => open[n_civ..n_civ + s.police.count as usize].to_vec(),
    };

    let traits = streams.draws(Stream::Traits);
    let mut civilians: Vec<(CivilianId, Position, Disposition, Condition)> = (0..n_civ as u32)
        .map(|i| {
            let cell = open[i as usize];
            grid.set(cell, Occupant::Civilian { id: i, active: false });
            // A typed crowd draws hardship and risk aversion by type.
            let (hardship, risk_aversion) = match s.crowd.as_ref().filter(|c| c.typed) {
                Some(c) => {
                    let td = defaults::crowd_type(type_of(&c.shares, traits.unit(i as u64, 0, 3)));
                    (td.hardship, td.risk_aversion)
                }
                None => (s.civilians.hardship, s.civilians.risk_aversion),
            };
            let d = Disposition {
                hardship: hardship.sample(traits.unit(i as u64, 0, 0)),
                risk_aversion: risk_aversion.sample(traits.unit(i as u64, 0, 1)),
            };
            (CivilianId(i), Position(cell), d, Condition::Quiescent)
        })
        .collect();
    // Stored in spatial order: neighbours in the grid are neighbours in memory.
    civilians.sort_unstable_by_key(|c| c.1.0);
    let mut index = AgentIndex { civilians: vec![Entity::PLACEHOLDER; n_civ], officers: Vec::new(), units: Vec::new() };
    let ids: Vec<CivilianId> = civilians.iter().map(|c| c.0).collect();
    let entities: Vec<Entity> = world
        .spawn_batch(civilians.into_iter().map(|(id, p, d, c)| (id, p, d, c, activation::Intent::default())))
        .collect();
    for (id, e) in ids.into_iter().zip(entities) {
        index.civilians[id.0 as usize] = e;
    }
    // Officers too are stored in cell order (their ids stay in draw order).
    index.officers = vec![None; officer_cells.len()];
    let mut by_cell: Vec<(CellIndex, u32)> = officer_cells.iter().enumerate().map(|(i, &c)| (c, i as u32)).collect();
    by_cell.sort_unstable();
    for (cell, i) in by_cell {
        grid.set(cell, Occupant::Officer { id: i });
        let e = world.spawn((OfficerId(i), Position(cell), activation::Intent::default())).id();
        index.officers[i as usize] = Some(e);
    }

    let mut nets = RadioNets::default();
    let mut shapes = UnitShapes::default();
    for (i, (g, group, cell)) in units.into_iter().enumerate() {
        let unit = Unit {
            group,
            agency: g.agency,
            kind: g.kind,
            strength_personnel: g.strength_personnel,
            crowd_training: g.crowd_training,
            non_lethal_kit: g.non_lethal_kit,
            lethal_weapons: g.lethal_weapons,
            radio_net: nets.index(&g.radio_net),
            speed_cells_per_tick: g.speed_cells_per_tick,
            vision_cells: g.vision_cells,
            standing_task: g.standing_task,
            patrol_radius_cells: g.patrol_radius_cells,
            home: cell,
        };
        shapes
            .0
            .entry(g.vision_cells)
            .or_insert_with(|| Shape::new(s.rules.neighbourhood, g.vision_cells).for_row_length(s.map.width_cells));
        let standing = match g.standing_task {
            crate::scenario::StandingTask::Patrol => TaskKind::Patrol,
            crate::scenario::StandingTask::Hold => TaskKind::Hold,
        };
        // Soldiers wait in barracks until they are deployed.
        let in_barracks = g.agency == Agency::Ffaa
            && s.command.as_ref().is_some_and(|c| c.ffaa_deployment == Deployment::OnDeclaration)
            && s.law.as_ref().is_some_and(|l| l.initial == Regime::Normal);
        let kind = if in_barracks { TaskKind::Hold } else { standing };
        let tasking =
            Tasking { task: Task { kind, cell }, since_tick: 0, path: Vec::new(), stress: 0.0, last_force_tick: None };
        let commander = command::Commander(command::Planner::Pnp);
        let e = world.spawn((UnitId(i as u32), unit, Position(cell), tasking, commander)).id();
        index.units.push(e);
    }
    world.insert_resource(nets);
    world.insert_resource(shapes);
    world.insert_resource(Shapes::new(&s.rules, &tunables, s.map.width_cells));
    world.insert_resource(grid);
    world.insert_resource(streams);
    world.insert_resource(Clock::default());
    world.init_resource::<timing::PhaseTimes>();
    world.insert_resource(CurrentTunables(tunables));
    world.insert_resource(CurrentRules(s.rules));
    world.insert_resource(Timeline(s.timeline.clone()));
    world.insert_resource(index);
    world.insert_resource(ArrestLog::default());
    world.insert_resource(civilians::JailRoster::default());
    world.insert_resource(VisionCounts::default());
    world.insert_resource(crate::grid::EmptyCells::default());
    world.insert_resource(crate::civilians::storage::StorageRows::default());
    world.insert_resource(Parallel(options.threads > 1 && s.civilians.count >= options.parallel_from_civilians));
    world.insert_resource(activation::ResortEvery(options.resort_every_ticks));
    world.insert_resource(Census::default());
    world.insert_resource(EventLog::default());
    world.insert_resource(terrain);
    if let (Some(cmd), Some(law)) = (&s.command, &s.law) {
        let zones = Zones::new(&s.map, law);
        let sectors = Sectors::new(&s.map, cmd.sector_cells);
        let terrain = world.resource::<Terrain>();
        let site_zones = SiteZones(terrain.site_cells.iter().map(|c| c.first().map_or(0, |&c| zones.of(c))).collect());
        let sites: Vec<SiteInfo> = terrain
            .site_cells
            .iter()
            .zip(&s.map.sites)
            .map(|(cells, site)| {
                let mut secs: Vec<u32> = cells.iter().map(|&c| sectors.of(c)).collect();
                secs.sort_unstable();
                secs.dedup();
                SiteInfo { sectors: secs, cell: cells[cells.len() / 2], breach_actives: site.breach_actives }
            })
            .collect();
        world.insert_resource(SiteBreach(s.map.sites.iter().map(|x| x.breach_actives).collect()));
        world.insert_resource(Situation::new(sectors, zones.len(), s.map.sites.len()));
        world.insert_resource(LegalState::new(law, cmd.model, zones.len(), s.metadata.minutes_per_tick));
        world.insert_resource(ReportEvery(
            crate::base::ticks(cmd.report_interval_minutes, s.metadata.minutes_per_tick).max(1),
        ));
        world.insert_resource(site_zones);
        world.insert_resource(zones);
        command::setup(world, cmd, s.metadata.minutes_per_tick, sites);
        world.insert_resource(metrics::CommandMetrics::default());
        let minutes_per_tick = s.metadata.minutes_per_tick;
        if let (Some(crowd_spec), Some(force_spec)) = (&s.crowd, &s.force) {
            let mood = crowd::CrowdMood::new(
                crowd_spec,
                sectors,
                world.resource::<Terrain>(),
                world.resource::<Streams>(),
                minutes_per_tick,
            );
            world.insert_resource(mood);
            world.insert_resource(use_of_force::ForceSettings(
                force_spec.clone(),
                crate::base::ticks(force_spec.reassess_minutes, minutes_per_tick).max(1),
            ));
            world.insert_resource(metrics::ForceMetrics::default());
            world.insert_resource(metrics::escalation::Escalation::new(minutes_per_tick));
        }
    }
    Ok(())
}
