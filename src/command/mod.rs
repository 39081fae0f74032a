//! Command chains and the arrangement between them.
//!
//! Command nodes are entities: the political level that declares states of
//! exception, the PNP and FF.AA. echelons (as deep as the scenario says),
//! the unified command post and the liaison officers when present. Under
//! the arrangement in force ([`Arrangement`], from `command.model` and the
//! legal regime) each unit has one [`Commander`]: the planner that directs
//! it. Planners read their chain's [`picture::Picture`], built from reports
//! that travel up the chain as messages ([`messages`]), find hotspots and
//! task units ([`planning`]); orders travel down as messages too.
//!
//! Rules and sources: `docs/model.md`, "Command".

pub mod messages;
pub mod picture;
pub mod planning;

use std::collections::{BTreeMap, BTreeSet};

use bevy_ecs::prelude::*;
use serde::Serialize;

use crate::base::events::{Event, EventLog};
use crate::base::rng::{Stream, Streams};
use crate::base::{AgentIndex, Clock, Position, Step};
use crate::grid::path::Pathfinder;
use crate::grid::{CellIndex, Grid, Terrain, is_active_code};
use crate::law::{self, LegalState, Violation};
use crate::scenario::{Agency, CommandModel, CommandSpec, Deployment, Regime, UnitKind};
use crate::situation::{ReportEvery, Sectors, Situation, Zones, is_report_tick};
use crate::units::{self, Task, TaskKind, Tasking, Unit, UnitId, UnitShapes};
use messages::{Hop, Message, MessageQueue, Order, Report, transit};
use picture::Picture;
use planning::{Candidate, Concern, SiteInfo};

/// Who plans: each chain's operational level, or the unified post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Planner {
    Pnp,
    Ffaa,
    Unified,
}

impl Planner {
    pub fn name(self) -> &'static str {
        match self {
            Planner::Pnp => "pnp",
            Planner::Ffaa => "ffaa",
            Planner::Unified => "unified",
        }
    }

    fn of(agency: Agency) -> Planner {
        match agency {
            Agency::Pnp => Planner::Pnp,
            Agency::Ffaa => Planner::Ffaa,
        }
    }
}

/// A command node's stable id.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommandId(pub u32);

/// What a command node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The President with the Council of Ministers: declares states of exception.
    Political,
    /// An echelon of an agency's chain, 0 at the top.
    Echelon {
        agency: Agency,
        level: u32,
    },
    UnifiedPost,
    Liaison,
}

#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct CommandNode {
    pub name: String,
    pub role: Role,
}

/// The planner that directs a unit under the arrangement in force.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commander(pub Planner);

/// Who directs whom at this moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrangement {
    /// The FF.AA. are not deployed (or wait for the command post): the PNP
    /// alone.
    PnpOnly,
    PnpLead,
    FfaaControl,
    Unified,
    Parallel,
}

impl Arrangement {
    fn planners(self) -> &'static [Planner] {
        match self {
            Arrangement::PnpOnly | Arrangement::PnpLead => &[Planner::Pnp],
            Arrangement::FfaaControl => &[Planner::Ffaa],
            Arrangement::Unified => &[Planner::Unified],
            Arrangement::Parallel => &[Planner::Pnp, Planner::Ffaa],
        }
    }

    /// The planner that directs a unit of `agency`.
    pub fn commander(self, agency: Agency) -> Planner {
        match self {
            Arrangement::PnpOnly | Arrangement::Parallel => Planner::of(agency),
            Arrangement::PnpLead => Planner::Pnp,
            Arrangement::FfaaControl => Planner::Ffaa,
            Arrangement::Unified => Planner::Unified,
        }
    }
}

/// What command knows about one unit.
#[derive(Debug, Clone)]
struct UnitBook {
    agency: Agency,
    kind: UnitKind,
    home: CellIndex,
    standing: TaskKind,
    latest_order: Option<u64>,
    /// Who sent `latest_order`.
    latest_issuer: Option<Planner>,
    /// Its current task was taken on its own initiative.
    initiative: bool,
    /// Since when it has seen a crowd while on its standing task.
    seen_since: Option<u32>,
}

/// Whole ticks from minutes (at least one for any positive time).
fn ticks(minutes: f64, mpt: f64) -> u32 {
    law::ticks(minutes, mpt)
}

/// The state of command: arrangement, pictures, plans, messages in flight.
#[derive(Resource)]
pub struct CommandState {
    pub spec: CommandSpec,
    mpt: f64,
    decision_every: u32,
    autonomy_ticks: u32,
    setup_ticks: u32,
    pub arrangement: Arrangement,
    /// Increases whenever the arrangement changes.
    pub epoch: u32,
    pub ffaa_deployed_since: Option<u32>,
    pictures: [Picture; 2],
    /// Per planner, per unit: the concern and task the planner gave it.
    ledgers: [Vec<Option<(Concern, TaskKind)>>; 3],
    /// (planner, unit, concern, regime there) pairs a planner no longer
    /// proposes: the law refused them, or a phone call called them off.
    barred: BTreeSet<(Planner, u32, Concern, Regime)>,
    units: Vec<UnitBook>,
    queue: MessageQueue,
    next_order: u64,
    next_report: u64,
    sectors: Sectors,
    width: u32,
    /// A passable cell near each sector's middle (`None`: all buildings).
    targets: Vec<Option<CellIndex>>,
    sites: Vec<SiteInfo>,
    finder: Pathfinder,
}

/// Builds command nodes and units' books; called once when the world is made.
pub fn setup(world: &mut World, spec: &CommandSpec, mpt: f64, sites: Vec<SiteInfo>) {
    let mut id = 0u32;
    let mut node = |world: &mut World, name: String, role: Role| {
        world.spawn((CommandId(id), CommandNode { name, role }));
        id += 1;
    };
    node(world, "President and Council of Ministers".into(), Role::Political);
    const PNP: [&str; 4] = ["Comandancia General", "Región/Frente Policial", "División", "Unidad"];
    const FFAA: [&str; 5] = ["CCFFAA", "Comando Operacional", "Brigada", "Batallón", "Compañía"];
    for (agency, depth, names) in
        [(Agency::Pnp, spec.pnp_echelons, &PNP[..]), (Agency::Ffaa, spec.ffaa_echelons, &FFAA[..])]
    {
        for level in 0..depth {
            let name = names.get(level as usize).map_or_else(|| format!("echelon {level}"), |n| n.to_string());
            node(world, format!("{agency:?} {name}"), Role::Echelon { agency, level });
        }
    }
    if spec.model == CommandModel::Unified {
        node(world, "Unified command post".into(), Role::UnifiedPost);
    }
    if spec.liaison_officers {
        node(world, "Liaison officers".into(), Role::Liaison);
    }

    let map_height = world.resource::<Grid>().height;
    let sectors = world.resource::<Situation>().sectors;
    let terrain = world.resource::<Terrain>();
    let targets = (0..sectors.count() as u32)
        .map(|s| {
            let c = sectors.centre(s, map_height);
            if terrain.passable(c) {
                return Some(c);
            }
            // The passable cell of the sector nearest its middle.
            let (sx, sy) = (s % sectors.columns * sectors.side, s / sectors.columns * sectors.side);
            let mut best: Option<(u32, CellIndex)> = None;
            for y in sy..(sy + sectors.side).min(terrain.height) {
                for x in sx..(sx + sectors.side).min(terrain.width) {
                    let cell = y * terrain.width + x;
                    if terrain.passable(cell) {
                        let d = terrain.manhattan(cell, c);
                        if best.is_none_or(|b| (d, cell) < b) {
                            best = Some((d, cell));
                        }
                    }
                }
            }
            best.map(|b| b.1)
        })
        .collect();
    let mut units: Vec<(UnitId, UnitBook)> = world
        .query::<(&UnitId, &Unit)>()
        .iter(world)
        .map(|(id, u)| {
            let standing = match u.standing_task {
                crate::scenario::StandingTask::Patrol => TaskKind::Patrol,
                crate::scenario::StandingTask::Hold => TaskKind::Hold,
            };
            let book = UnitBook {
                agency: u.agency,
                kind: u.kind,
                home: u.home,
                standing,
                latest_order: None,
                latest_issuer: None,
                initiative: false,
                seen_since: None,
            };
            (*id, book)
        })
        .collect();
    units.sort_by_key(|u| u.0);
    let n = units.len();
    let state = CommandState {
        spec: spec.clone(),
        mpt,
        decision_every: ticks(spec.decision_interval_minutes, mpt).max(1),
        autonomy_ticks: ticks(spec.local_autonomy_delay_minutes, mpt),
        setup_ticks: ticks(spec.unified_setup_minutes, mpt),
        arrangement: Arrangement::PnpOnly,
        epoch: 0,
        ffaa_deployed_since: None,
        pictures: [Picture::new(sectors.count(), n), Picture::new(sectors.count(), n)],
        ledgers: [vec![None; n], vec![None; n], vec![None; n]],
        barred: BTreeSet::new(),
        units: units.into_iter().map(|u| u.1).collect(),
        queue: MessageQueue::default(),
        next_order: 0,
        next_report: 0,
        sectors,
        width: world.resource::<Grid>().width,
        targets,
        sites,
        finder: Pathfinder::default(),
    };
    world.insert_resource(state);
}

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(
        (update_arrangement, send_reports, deliver_messages, plan_and_order, act_on_initiative)
            .chain()
            .in_set(Step::Command),
    );
}

impl CommandState {
    pub fn minutes_per_tick(&self) -> f64 {
        self.mpt
    }

    /// The sectors commanders' pictures and plans are made of.
    pub fn sectors(&self) -> &Sectors {
        &self.sectors
    }

    /// Reports and orders sent and not yet delivered.
    pub fn messages_in_flight(&self) -> usize {
        self.queue.in_flight()
    }

    fn depth(&self, a: Agency) -> u32 {
        match a {
            Agency::Pnp => self.spec.pnp_echelons,
            Agency::Ffaa => self.spec.ffaa_echelons,
        }
    }

    /// The level at which an agency's chain plans: its second echelon
    /// (region/front, operational command), or its only one.
    fn entry(&self, a: Agency) -> u32 {
        1.min(self.depth(a) - 1)
    }

    /// Hops from the planning level down to a unit (or up from it).
    fn down(&self, a: Agency) -> impl Iterator<Item = Hop> {
        std::iter::repeat_n(Hop::Echelon(a), (self.depth(a) - self.entry(a)) as usize)
    }

    fn cross(&self, liaison: bool) -> Hop {
        Hop::Cross { liaison, lossy: !self.spec.interoperable_radios }
    }

    /// The route of an order from `issuer` to a unit of `agency`.
    fn route(&self, issuer: Planner, agency: Agency) -> Vec<Hop> {
        let liaison = self.spec.liaison_officers;
        match (issuer, agency) {
            (Planner::Pnp, Agency::Pnp) | (Planner::Ffaa, Agency::Ffaa) => self.down(agency).collect(),
            (Planner::Unified, a) => std::iter::once(Hop::UnifiedPost).chain(self.down(a)).collect(),
            (Planner::Pnp, Agency::Ffaa) if self.arrangement == Arrangement::Parallel => {
                // By phone between the tops of the two chains.
                std::iter::repeat_n(Hop::Echelon(Agency::Pnp), self.entry(Agency::Pnp) as usize)
                    .chain([self.cross(false)])
                    .chain(std::iter::repeat_n(Hop::Echelon(Agency::Ffaa), self.depth(Agency::Ffaa) as usize))
                    .collect()
            }
            (Planner::Pnp, Agency::Ffaa) => std::iter::once(self.cross(liaison)).chain(self.down(agency)).collect(),
            (Planner::Ffaa, Agency::Pnp) => {
                std::iter::once(self.cross(liaison)).chain(self.down(agency)).chain([Hop::Compliance]).collect()
            }
        }
    }

    /// The picture a planner reads.
    fn picture_for(&self, p: Planner) -> Picture {
        if p == Planner::Unified || self.spec.interoperable_radios {
            Picture::merged(&self.pictures[0], &self.pictures[1])
        } else {
            self.pictures[p as usize].clone()
        }
    }

    fn ffaa_deployed(&self) -> bool {
        self.ffaa_deployed_since.is_some()
    }
}

/// Checks a task against the law in the zone of its cell; records what it
/// finds. Returns whether the task goes ahead.
#[allow(clippy::too_many_arguments)]
fn lawful(
    law: &LegalState,
    zones: &Zones,
    log: &mut EventLog,
    tick: u32,
    unit: u32,
    agency: Agency,
    issuer: Option<Planner>,
    task: Task,
) -> bool {
    let zone = zones.of(task.cell);
    let regime = law.regime(zone);
    let mut found = Vec::new();
    if !law::permits(regime, agency, task.kind) {
        found.push(Violation::TaskNotPermitted);
    }
    if issuer == Some(Planner::Ffaa) && agency == Agency::Pnp && !law::ffaa_may_direct_pnp(regime) {
        found.push(Violation::CommandNotPermitted);
    }
    let refused = law.spec.enforce && !found.is_empty();
    for v in found {
        log.push(Event::Violation {
            tick,
            violation: v,
            unit,
            agency,
            task: task.kind,
            cell: (task.cell % zones.width(), task.cell / zones.width()),
            regime,
            zone: zones.names[zone].clone(),
            refused,
        });
    }
    !refused
}

/// Sends an order on its way.
fn issue(
    st: &mut CommandState,
    log: &mut EventLog,
    grid: &Grid,
    draws: crate::base::rng::Draws,
    tick: u32,
    (issuer, unit, task, observed_tick): (Planner, u32, Task, u32),
) {
    let agency = st.units[unit as usize].agency;
    let route = st.route(issuer, agency);
    let id = st.next_order;
    st.next_order += 1;
    let t = transit(&st.spec, st.mpt, &route, draws, id);
    let due = tick + ticks(t.minutes, st.mpt).max(1);
    for &(hop, at) in &t.losses {
        st.queue.send(tick + ticks(at, st.mpt), Message::Lost { order: id, unit, hop });
    }
    let cross = route.iter().filter(|h| h.is_cross_agency()).count() as u32;
    st.queue.send(
        due,
        Message::Order(Order {
            id,
            issuer,
            unit,
            task,
            issued_tick: tick,
            minutes: t.minutes,
            cross_agency_hops: cross,
            observed_tick,
            epoch: st.epoch,
        }),
    );
    st.units[unit as usize].latest_order = Some(id);
    st.units[unit as usize].latest_issuer = Some(issuer);
    log.push(Event::OrderIssued {
        tick,
        order: id,
        by: issuer.name(),
        unit,
        task: task.kind,
        cell: grid.xy(task.cell),
        due_tick: due,
        cross_agency_hops: cross,
    });
}

/// Deploys or stands down the FF.AA. and sets the arrangement in force.
#[allow(clippy::too_many_arguments)]
fn update_arrangement(
    clock: Res<Clock>,
    law: Res<LegalState>,
    grid: Res<Grid>,
    streams: Res<Streams>,
    index: Res<AgentIndex>,
    mut st: ResMut<CommandState>,
    mut log: ResMut<EventLog>,
    mut commanders: Query<&mut Commander>,
) {
    let tick = clock.tick;
    let st = &mut *st;
    let deploy = match st.spec.ffaa_deployment {
        Deployment::FromStart => true,
        Deployment::OnDeclaration => law.any_exception(),
    };
    let stand_down = !deploy && st.ffaa_deployed();
    if deploy && !st.ffaa_deployed() {
        st.ffaa_deployed_since = Some(tick);
    } else if stand_down {
        st.ffaa_deployed_since = None;
    }
    let cp_ready = st.ffaa_deployed_since.is_some_and(|s| tick - s >= st.setup_ticks);
    let arrangement = match (st.ffaa_deployed(), st.spec.model) {
        (false, _) => Arrangement::PnpOnly,
        (true, CommandModel::Unified) if !cp_ready => Arrangement::PnpOnly,
        (true, CommandModel::Unified) => Arrangement::Unified,
        (true, CommandModel::PnpLead) => Arrangement::PnpLead,
        (true, CommandModel::FfaaControl) => Arrangement::FfaaControl,
        (true, CommandModel::Parallel) => Arrangement::Parallel,
    };
    if arrangement != st.arrangement || tick == 1 {
        if arrangement != st.arrangement {
            st.epoch += 1;
        }
        st.arrangement = arrangement;
        // The new planners inherit the plan for the units they now direct.
        for u in 0..st.units.len() {
            let entry = st.ledgers.iter().find_map(|l| l[u]);
            for l in st.ledgers.iter_mut() {
                l[u] = None;
            }
            let p = arrangement.commander(st.units[u].agency);
            st.ledgers[p as usize][u] = entry;
            if let Ok(mut c) = commanders.get_mut(index.units[u]) {
                c.0 = p;
            }
        }
    }
    if stand_down {
        // Back to barracks, by their own chain.
        let draws = streams.draws(Stream::Messages);
        for u in 0..st.units.len() {
            if st.units[u].agency == Agency::Ffaa {
                for l in st.ledgers.iter_mut() {
                    l[u] = None;
                }
                let task = Task { kind: TaskKind::Hold, cell: st.units[u].home };
                issue(st, &mut log, &grid, draws, tick, (Planner::Ffaa, u as u32, task, tick));
            }
        }
    }
}

/// On report ticks every unit reports the sectors around it and where it
/// is, up its chain; drones feed their chain's picture.
#[allow(clippy::too_many_arguments)]
fn send_reports(
    clock: Res<Clock>,
    every: Res<ReportEvery>,
    situation: Res<Situation>,
    streams: Res<Streams>,
    index: Res<AgentIndex>,
    mut st: ResMut<CommandState>,
    mut log: ResMut<EventLog>,
    units: Query<(&Unit, &Position)>,
) {
    if !is_report_tick(&clock, *every) {
        return;
    }
    let tick = clock.tick;
    let st = &mut *st;
    let draws = streams.draws(Stream::Messages);
    let sectors = st.sectors;
    let observe = |s: u32| (s, situation.sector_actives[s as usize], situation.sector_road_actives[s as usize]);
    for (u, &entity) in index.units.iter().enumerate() {
        let Ok((unit, pos)) = units.get(entity) else { continue };
        // The sectors its vision reaches (its own and the eight around it).
        let own = sectors.of(pos.0);
        let (cx, cy) = (own % sectors.columns, own / sectors.columns);
        let mut seen = Vec::with_capacity(9);
        let v = unit.vision_cells;
        let (x, y) = (pos.0 % st.width, pos.0 / st.width);
        for sy in cy.saturating_sub(1)..=(cy + 1).min(sectors.rows - 1) {
            for sx in cx.saturating_sub(1)..=(cx + 1).min(sectors.columns - 1) {
                let (x0, y0) = (sx * sectors.side, sy * sectors.side);
                let (x1, y1) = (x0 + sectors.side - 1, y0 + sectors.side - 1);
                let dx = if x < x0 { x0 - x } else { x.saturating_sub(x1) };
                let dy = if y < y0 { y0 - y } else { y.saturating_sub(y1) };
                if dx <= v && dy <= v {
                    seen.push(observe(sy * sectors.columns + sx));
                }
            }
        }
        let agency = unit.agency;
        let report =
            Report { picture: agency as usize, observed_tick: tick, unit: Some((u as u32, pos.0)), sectors: seen };
        send_report(st, &mut log, draws, tick, agency, report, false);
    }
    for d in 0..st.spec.drones.len() {
        let drone = st.spec.drones[d].clone();
        let r2 = (drone.radius_cells as u64).pow(2);
        let seen: Vec<(u32, u32, u32)> = (0..sectors.count() as u32)
            .filter(|&s| {
                let (sx, sy) = (s % sectors.columns * sectors.side, s / sectors.columns * sectors.side);
                let (mx, my) = ((sx + sectors.side / 2) as i64, (sy + sectors.side / 2) as i64);
                let (dx, dy) = (mx - drone.at.0 as i64, my - drone.at.1 as i64);
                (dx * dx + dy * dy) as u64 <= r2
            })
            .map(observe)
            .collect();
        let report = Report { picture: drone.agency as usize, observed_tick: tick, unit: None, sectors: seen };
        send_report(st, &mut log, draws, tick, drone.agency, report, true);
    }
}

/// Sends one report to its chain's picture and, where the chains share
/// information (liaison under a lead agency or an FF.AA. control), on to the
/// other chain's picture.
fn send_report(
    st: &mut CommandState,
    log: &mut EventLog,
    draws: crate::base::rng::Draws,
    tick: u32,
    agency: Agency,
    report: Report,
    drone: bool,
) {
    let own: Vec<Hop> = if drone { vec![Hop::Feed] } else { st.down(agency).collect() };
    let id = 1 << 62 | st.next_report;
    st.next_report += 1;
    let t = transit(&st.spec, st.mpt, &own, draws, id);
    let due = tick + ticks(t.minutes, st.mpt).max(1);
    let shares = matches!(st.arrangement, Arrangement::PnpLead | Arrangement::FfaaControl);
    if shares && !st.spec.interoperable_radios {
        let mut across = own.clone();
        across.push(st.cross(st.spec.liaison_officers));
        let t2 = transit(&st.spec, st.mpt, &across, draws, id);
        if !t2.losses.is_empty() {
            log.push(Event::ReportTransmissionsLost { tick, transmissions: t2.losses.len() as u32 });
        }
        let mut other = report.clone();
        other.picture = 1 - report.picture;
        st.queue.send(tick + ticks(t2.minutes, st.mpt).max(1), Message::Report(other));
    }
    st.queue.send(due, Message::Report(report));
}

/// Releases every message due: reports update pictures, orders start tasks.
#[allow(clippy::too_many_arguments)]
fn deliver_messages(
    clock: Res<Clock>,
    grid: Res<Grid>,
    terrain: Res<Terrain>,
    index: Res<AgentIndex>,
    mut st: ResMut<CommandState>,
    mut log: ResMut<EventLog>,
    mut units: Query<(&Position, &mut Tasking, &Commander)>,
) {
    let tick = clock.tick;
    let st = &mut *st;
    while let Some(m) = st.queue.next_due(tick) {
        match m {
            Message::Report(r) => {
                st.pictures[r.picture].apply(&r);
                if st.spec.interoperable_radios {
                    st.pictures[1 - r.picture].apply(&r);
                }
            }
            Message::Lost { order, unit, hop } => {
                log.push(Event::OrderLost { tick, order, unit, hop });
            }
            Message::Order(o) => {
                let book = &mut st.units[o.unit as usize];
                if book.latest_order != Some(o.id) {
                    log.push(Event::OrderSuperseded { tick, order: o.id, unit: o.unit, latency_minutes: o.minutes });
                    // Another chain's order overtook this one: two commanders
                    // competing for the unit; the loser learns it lost it.
                    if book.latest_issuer != Some(o.issuer) && o.epoch == st.epoch {
                        log.push(Event::UnityOfCommandBroken { tick, unit: o.unit, cause: "two_commanders" });
                        st.ledgers[o.issuer as usize][o.unit as usize] = None;
                    }
                    continue;
                }
                let Ok((pos, mut tasking, commander)) = units.get_mut(index.units[o.unit as usize]) else {
                    continue;
                };
                let age = (tick - o.observed_tick.min(tick)) as f64 * st.mpt;
                log.push(Event::OrderDelivered {
                    tick,
                    order: o.id,
                    unit: o.unit,
                    task: o.task.kind,
                    latency_minutes: o.minutes,
                    picture_age_minutes: age,
                });
                if o.issuer != commander.0 && o.epoch == st.epoch {
                    log.push(Event::UnityOfCommandBroken { tick, unit: o.unit, cause: "two_commanders" });
                }
                book.initiative = false;
                book.seen_since = None;
                change_task(
                    &mut st.finder,
                    &terrain,
                    &grid,
                    &mut log,
                    tick,
                    o.unit,
                    pos.0,
                    &mut tasking,
                    o.task,
                    "order",
                );
            }
        }
    }
}

/// Ends a unit's task and starts another, with their events.
#[allow(clippy::too_many_arguments)]
fn change_task(
    finder: &mut Pathfinder,
    terrain: &Terrain,
    grid: &Grid,
    log: &mut EventLog,
    tick: u32,
    unit: u32,
    at: CellIndex,
    tasking: &mut Tasking,
    task: Task,
    on: &'static str,
) {
    if tasking.task == task {
        return;
    }
    log.push(Event::TaskEnded { tick, unit, task: tasking.task.kind, ticks: tick - tasking.since_tick });
    units::start_task(finder, terrain, at, tasking, task, tick);
    log.push(Event::TaskStarted { tick, unit, task: task.kind, cell: grid.xy(task.cell), on });
}

/// On decision ticks each planner of the arrangement plans from its picture.
#[allow(clippy::too_many_arguments)]
fn plan_and_order(
    clock: Res<Clock>,
    grid: Res<Grid>,
    terrain: Res<Terrain>,
    law: Res<LegalState>,
    zones: Res<Zones>,
    streams: Res<Streams>,
    mut st: ResMut<CommandState>,
    mut log: ResMut<EventLog>,
) {
    let tick = clock.tick;
    if !tick.is_multiple_of(st.decision_every) && tick != 1 {
        return;
    }
    let st = &mut *st;
    let draws = streams.draws(Stream::Messages);
    let choices = streams.draws(Stream::Command);
    let arrangement = st.arrangement;
    for &planner in arrangement.planners() {
        let picture = st.picture_for(planner);
        let hotspots = planning::hotspots(
            &picture,
            &st.sectors,
            &st.targets,
            &st.sites,
            st.spec.hotspot_actives,
            st.spec.actives_per_unit,
        );
        let ledger = planner as usize;
        let mut candidates = Vec::new();
        for (u, book) in st.units.iter().enumerate() {
            let mine = arrangement.commander(book.agency) == planner;
            // Under parallel chains the PNP can ask for soldiers by phone,
            // once its own units are all taken.
            let by_phone =
                arrangement == Arrangement::Parallel && planner == Planner::Pnp && book.agency == Agency::Ffaa;
            if !(mine || by_phone) || (book.agency == Agency::Ffaa && !st.ffaa_deployed()) {
                continue;
            }
            let cell = picture.units[u].map_or(book.home, |(c, _)| c);
            candidates.push(Candidate {
                unit: u as u32,
                kind: book.kind,
                cell,
                on: st.ledgers[ledger][u].map(|e| e.0),
                penalty_cells: if by_phone { PHONE_PENALTY_CELLS } else { 0 },
            });
        }
        let (hot, sites, barred) = (st.spec.hotspot_actives, &st.sites, &st.barred);
        let regime_at = |c: Concern| {
            let cell = hotspots.iter().find(|h| h.concern == c).map_or(0, |h| h.cell);
            law.regime(zones.of(cell))
        };
        let plan = planning::plan(
            &terrain,
            &hotspots,
            &candidates,
            |c| planning::lingers(&picture, sites, hot, c),
            |u, c| !barred.contains(&(planner, u, c, regime_at(c))),
        );
        // Units sent to one hotspot spread over cells around it.
        let mut sent: BTreeMap<usize, u32> = BTreeMap::new();
        for e in &st.ledgers[ledger] {
            if let Some((c, _)) = e
                && let Some(h) = hotspots.iter().position(|h| h.concern == *c)
            {
                *sent.entry(h).or_default() += 1;
            }
        }
        for u in plan.release {
            st.ledgers[ledger][u as usize] = None;
            let book = &st.units[u as usize];
            let task = Task { kind: book.standing, cell: book.home };
            let agency = book.agency;
            if lawful(&law, &zones, &mut log, tick, u, agency, Some(planner), task) {
                issue(st, &mut log, &grid, draws, tick, (planner, u, task, tick));
            }
        }
        for (u, h, kind) in plan.assign {
            let hot = &hotspots[h];
            let k = sent.entry(h).or_default();
            let task = Task { kind, cell: spread(&terrain, hot.cell, *k) };
            *k += 1;
            let regime = law.regime(zones.of(hot.cell));
            if arrangement == Arrangement::Parallel {
                // The other chain may have tasked units to the same place.
                let other = 1 - ledger;
                let clash = st.ledgers[other]
                    .iter()
                    .enumerate()
                    .find(|(_, e)| e.is_some_and(|(c, k)| c == hot.concern && k != kind && k.is_crowd_control()));
                let duplicate = st.ledgers[other].iter().any(|e| e.is_some_and(|(c, k)| c == hot.concern && k == kind));
                if duplicate {
                    log.push(Event::DuplicatedTasking { tick, unit: u });
                }
                if let Some((v, e)) = clash
                    && kind.is_crowd_control()
                {
                    let other_task = e.map_or(TaskKind::Hold, |e| e.1);
                    if choices.unit(u as u64, tick, planner as u32) >= st.spec.phone_conflict_probability {
                        // Called off by phone; not proposed again here.
                        log.push(Event::DeconflictedByPhone { tick, unit: u });
                        st.barred.insert((planner, u, hot.concern, regime));
                        continue;
                    }
                    log.push(Event::ConflictingOrders {
                        tick,
                        cell: grid.xy(hot.cell),
                        order: st.next_order,
                        task: kind,
                        other_unit: v as u32,
                        other_task,
                    });
                }
            }
            let agency = st.units[u as usize].agency;
            if !lawful(&law, &zones, &mut log, tick, u, agency, Some(planner), task) {
                // Refused: the planner does not propose it again under this regime.
                st.barred.insert((planner, u, hot.concern, regime));
                continue;
            }
            st.ledgers[ledger][u as usize] = Some((hot.concern, kind));
            issue(st, &mut log, &grid, draws, tick, (planner, u, task, hot.observed_tick));
        }
    }
}

/// The `k`-th unit sent to a hotspot goes to a cell two steps out on one of
/// eight rays around its centre (the centre for the first), if that cell is
/// on the map and passable; units do not all queue for one cell.
fn spread(terrain: &Terrain, centre: CellIndex, k: u32) -> CellIndex {
    const RAYS: [(i64, i64); 8] = [(0, 0), (2, 0), (-2, 0), (0, 2), (0, -2), (2, 2), (-2, -2), (2, -2)];
    let (dx, dy) = RAYS[k as usize % RAYS.len()];
    let (w, h) = (terrain.width as i64, terrain.height as i64);
    let (x, y) = ((centre % terrain.width) as i64 + dx, (centre / terrain.width) as i64 + dy);
    if (0..w).contains(&x) && (0..h).contains(&y) {
        let cell = (y * w + x) as CellIndex;
        if terrain.passable(cell) {
            return cell;
        }
    }
    centre
}

/// How many cells of walking a phone request to the other institution is
/// worth: the PNP asks for soldiers only when its own units are all taken.
pub const PHONE_PENALTY_CELLS: u32 = 1000;

/// Under decentralised execution, a unit on its standing task that has seen
/// a crowd of `hotspot_actives` for `local_autonomy_delay_minutes` acts on
/// its own: it takes the task its kind would get for a crowd, where it
/// stands. Each such act breaks unity of command with a probability. A unit
/// acting on its own goes back to its standing task when it sees no actives.
#[allow(clippy::too_many_arguments)]
fn act_on_initiative(
    clock: Res<Clock>,
    grid: Res<Grid>,
    terrain: Res<Terrain>,
    law: Res<LegalState>,
    zones: Res<Zones>,
    streams: Res<Streams>,
    shapes: Res<UnitShapes>,
    index: Res<AgentIndex>,
    mut st: ResMut<CommandState>,
    mut log: ResMut<EventLog>,
    mut units: Query<(&UnitId, &Unit, &Position, &mut Tasking)>,
) {
    if !st.spec.decentralised_execution {
        return;
    }
    let tick = clock.tick;
    let st = &mut *st;
    let choices = streams.draws(Stream::Command);
    for (u, &entity) in index.units.iter().enumerate() {
        let Ok((id, unit, pos, mut tasking)) = units.get_mut(entity) else { continue };
        let book = st.units[u].clone();
        if book.agency == Agency::Ffaa && st.ffaa_deployed_since.is_none() {
            continue;
        }
        let mut actives = 0;
        grid.scan(pos.0, &shapes.0[&unit.vision_cells], |_, code| actives += is_active_code(code) as u32);
        if book.initiative && actives == 0 {
            let task = Task { kind: book.standing, cell: book.home };
            st.units[u].initiative = false;
            change_task(&mut st.finder, &terrain, &grid, &mut log, tick, id.0, pos.0, &mut tasking, task, "initiative");
            continue;
        }
        if tasking.task.kind.is_operation() {
            continue;
        }
        if actives < st.spec.hotspot_actives {
            st.units[u].seen_since = None;
            continue;
        }
        let since = *st.units[u].seen_since.get_or_insert(tick);
        if tick - since < st.autonomy_ticks {
            continue;
        }
        let kind = planning::fit(book.kind, Concern::Sector(0)).1;
        let task = Task { kind, cell: pos.0 };
        let agency = book.agency;
        if !lawful(&law, &zones, &mut log, tick, id.0, agency, None, task) {
            continue;
        }
        log.push(Event::InitiativeTaken { tick, unit: id.0 });
        st.units[u].initiative = true;
        st.units[u].seen_since = None;
        change_task(&mut st.finder, &terrain, &grid, &mut log, tick, id.0, pos.0, &mut tasking, task, "initiative");
        if choices.unit(id.0 as u64, tick, 7) < st.spec.unity_break_probability {
            log.push(Event::UnityOfCommandBroken { tick, unit: id.0, cause: "initiative" });
        }
    }
}

/// Regime names for summaries.
pub fn regime_name(r: Regime) -> &'static str {
    match r {
        Regime::Normal => "normal",
        Regime::EmergencySupport => "emergency_support",
        Regime::EmergencyControl => "emergency_control",
        Regime::HostileGroup => "hostile_group",
        Regime::Siege => "siege",
    }
}
