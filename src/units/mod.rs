//! Security units: PNP and FF.AA. squads and platoons on the grid. Each has
//! its agency, kind, strength, crowd-control training, non-lethal kit,
//! weapons, radio net, stress, speed and vision, and a current task. Units
//! walk shortest paths around buildings (faster on roads), count as police
//! presence in every civilian's arrest estimate; their arrests are
//! `detention`'s.

pub mod tasks;

use std::collections::BTreeMap;
use std::fmt;

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use serde::Serialize;

use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::base::rng::Stream;
use crate::base::{AgentIndex, Position, Step, TickDraws};
use crate::civilians::CivilianId;
use crate::grid::path::Pathfinder;
use crate::grid::{CellIndex, Grid, GridWrites, Occupant, Shape, Terrain};
use crate::police::OfficerId;
use crate::scenario::{Agency, Deployment, NonLethalKit, Regime, Scenario, StandingTask, UnitGroup, UnitKind};
pub use tasks::{Task, TaskKind, standing_kind};

/// A unit's stable id, 0-based in scenario order.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct UnitId(pub u32);

impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "u{}", self.0)
    }
}

/// What a unit is: fixed for the run, but for its strength (casualties
/// lower it).
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Unit {
    pub group: u16,
    pub agency: Agency,
    pub kind: UnitKind,
    pub strength_personnel: u32,
    pub crowd_training: f64,
    pub non_lethal_kit: NonLethalKit,
    pub lethal_weapons: bool,
    /// Index into [`RadioNets`].
    pub radio_net: u16,
    pub speed_cells_per_tick: u32,
    pub vision_cells: u32,
    pub standing_task: StandingTask,
    pub patrol_radius_cells: u32,
    /// Where it started (its base, or the centre of its patrol).
    pub home: CellIndex,
}

impl Unit {
    /// Arrests a unit can make in one tick. Assumption: one per ten
    /// personnel, at least one (an arrest team of about ten).
    pub fn arrests_per_tick(&self) -> u32 {
        self.strength_personnel.div_ceil(10).max(1)
    }
}

/// What a unit is doing now, and the way there.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Tasking {
    pub task: Task,
    pub since_tick: u32,
    /// Cells still to step on, next first (reversed: next is last).
    pub path: Vec<CellIndex>,
    /// Stress 0–1, raised by threat and casualties.
    pub stress: f64,
    /// When it last used force (see `force.reassess_minutes`).
    pub last_force_tick: Option<u32>,
    /// Its authority for lethal force on this task (asked once per task).
    pub authority: Authority,
    /// When it announced its dispersal on this task (once per task).
    pub warned_tick: Option<u32>,
}

/// A unit's authority to use lethal force short of an imminent lethal
/// threat, on its current task (`docs/model.md`, "Authority over force").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Authority {
    /// Not needed yet on this task.
    #[default]
    NotAsked,
    /// Requested at this tick; the answer is on its way.
    Awaiting {
        since_tick: u32,
    },
    Granted,
    Denied,
}

impl Fingerprint for Authority {
    fn fingerprint(&self, h: &mut Fnv) {
        match *self {
            Authority::NotAsked => h.u32(0),
            Authority::Awaiting { since_tick } => {
                h.u32(1);
                h.u32(since_tick);
            }
            Authority::Granted => h.u32(2),
            Authority::Denied => h.u32(3),
        }
    }
}

/// A unit's request for authority, sent this tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorityRequest {
    pub unit: u32,
    /// The tick its task began: the request is for that task.
    pub task_since: u32,
    pub tick: u32,
    /// Its doctrine is to withdraw while it waits.
    pub withdraw: bool,
}

/// Requests for authority sent by units this tick, for command to carry
/// up the chain.
#[derive(Resource, Debug, Default, Clone)]
pub struct AuthorityRequests(pub Vec<AuthorityRequest>);

impl Fingerprint for AuthorityRequests {
    fn fingerprint(&self, h: &mut Fnv) {
        h.each(&self.0, |h, r| {
            h.u32(r.unit);
            h.u32(r.task_since);
            h.u32(r.tick);
            h.flag(r.withdraw);
        });
    }
}

impl Fingerprint for Unit {
    /// Its strength: the rest never changes.
    fn fingerprint(&self, h: &mut Fnv) {
        h.u32(self.strength_personnel);
    }
}

impl Fingerprint for Tasking {
    fn fingerprint(&self, h: &mut Fnv) {
        let Tasking { task, since_tick, path, stress, last_force_tick, authority, warned_tick } = self;
        task.fingerprint(h);
        h.u32(*since_tick);
        h.each(path, |h, &c| h.u32(c));
        h.f64(*stress);
        h.opt(*last_force_tick);
        authority.fingerprint(h);
        h.opt(*warned_tick);
    }
}

/// The names of the radio nets, in order of first appearance.
#[derive(Resource, Debug, Clone, Default)]
pub struct RadioNets(pub Vec<String>);

impl RadioNets {
    pub fn index(&mut self, name: &str) -> u16 {
        match self.0.iter().position(|n| n == name) {
            Some(i) => i as u16,
            None => {
                self.0.push(name.to_string());
                (self.0.len() - 1) as u16
            }
        }
    }
}

/// Vision shapes of units, by vision in cells.
#[derive(Resource, Debug, Clone, Default)]
pub struct UnitShapes(pub BTreeMap<u32, Shape>);

/// Places every unit of every group: the first on the group's cell, the
/// others on the nearest free passable cells (breadth first, in a fixed
/// order). Returns (unit, cell) in id order, marking the grid, or the name
/// of a group whose units do not fit in the open ground around its cell.
pub fn place_units(
    groups: &[UnitGroup],
    grid: GridWrites,
    terrain: &Terrain,
) -> Result<Vec<(UnitGroup, u16, CellIndex)>, String> {
    let mut placed = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let start = grid.index(group.at.0, group.at.1);
        let mut queue = std::collections::VecDeque::from([start]);
        let mut seen = std::collections::BTreeSet::from([start]);
        let mut left = group.count;
        while left > 0 {
            let Some(cell) = queue.pop_front() else { break };
            if grid.is_empty(cell) && terrain.passable(cell) {
                grid.set(cell, Occupant::Unit { id: placed.len() as u32 });
                placed.push((group.clone(), g as u16, cell));
                left -= 1;
            }
            for next in terrain.steps(cell) {
                if terrain.passable(next) && seen.insert(next) {
                    queue.push_back(next);
                }
            }
        }
        if left > 0 {
            return Err(group.name.clone());
        }
    }
    Ok(placed)
}

/// Places a new world's units on the grid ([`place_units`]); they are
/// spawned later, by [`setup`], after the civilians and officers.
pub fn place(world: &mut World, s: &Scenario) -> Result<Vec<(UnitGroup, u16, CellIndex)>, String> {
    world
        .resource_scope(|world, mut grid: Mut<Grid>| place_units(&s.forces, grid.writes(), world.resource::<Terrain>()))
}

/// Spawns the units [`place`] put on the grid, in id order, on their
/// standing task (soldiers of a force deployed on declaration wait in
/// barracks while the law is normal), with their radio nets and shapes
/// of vision.
pub fn setup(world: &mut World, s: &Scenario, placed: Vec<(UnitGroup, u16, CellIndex)>) {
    let mut nets = RadioNets::default();
    let mut shapes = UnitShapes::default();
    let mut by_id = Vec::with_capacity(placed.len());
    for (i, (g, group, cell)) in placed.into_iter().enumerate() {
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
        let standing = standing_kind(g.standing_task);
        let in_barracks = g.agency == Agency::Ffaa
            && s.command.as_ref().is_some_and(|c| c.ffaa_deployment == Deployment::OnDeclaration)
            && s.law.as_ref().is_some_and(|l| l.initial == Regime::Normal);
        let kind = if in_barracks { TaskKind::Hold } else { standing };
        let tasking = Tasking {
            task: Task { kind, cell },
            since_tick: 0,
            path: Vec::new(),
            stress: 0.0,
            last_force_tick: None,
            authority: Authority::NotAsked,
            warned_tick: None,
        };
        by_id.push(world.spawn((UnitId(i as u32), unit, Position(cell), tasking)).id());
    }
    world.resource_mut::<AgentIndex>().units = by_id;
    world.insert_resource(nets);
    world.insert_resource(shapes);
}

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(move_units.in_set(Step::UnitsMove));
}

/// Set in every unit's stream key: civilians' keys are their ids (under
/// 2^29) and officers' set bit 40, so the three never meet.
const UNIT_KEY_BIT: u64 = 1 << 41;

/// Stream key of a unit (separate from civilians' and officers' keys).
#[inline]
pub fn unit_key(id: UnitId) -> u64 {
    id.0 as u64 | UNIT_KEY_BIT
}

/// How far a unit may search for a path (cells expanded).
const MAX_PATH_SEARCH: usize = 400_000;

/// Query filters that keep the three kinds of agent apart, so that one
/// system may move all three.
type OnlyUnits = (Without<CivilianId>, Without<OfficerId>);
type OnlyCivilians = (With<CivilianId>, Without<OfficerId>, Without<UnitId>);
type OnlyOfficers = (With<OfficerId>, Without<CivilianId>, Without<UnitId>);

/// The units that walk, and the civilians and officers they swap places
/// with on the way.
#[derive(SystemParam)]
pub struct Walkers<'w, 's> {
    units: Query<'w, 's, (&'static UnitId, &'static Unit, &'static mut Position, &'static mut Tasking), OnlyUnits>,
    civilians: Query<'w, 's, &'static mut Position, OnlyCivilians>,
    officers: Query<'w, 's, &'static mut Position, OnlyOfficers>,
}

/// Where a presence patrol walks: on a ring between these distances from
/// its crowd's cell (**Assumption**: 150–250 m, the streets around a
/// protest, in sight of it and out of its reach; soldiers in support deter,
/// the PNP faces the crowd).
pub const PRESENCE_RING_CELLS: (u32, u32) = (6, 10);

/// A point on the square ring at `d` cells (Chebyshev) from the centre,
/// the `k`-th of its 8·`d` cells going round.
fn on_ring(d: i64, k: i64) -> (i64, i64) {
    if d == 0 {
        return (0, 0);
    }
    let side = 2 * d;
    match k / side {
        0 => (-d + k % side, -d),
        1 => (d, -d + k % side),
        2 => (d - k % side, d),
        _ => (-d, d - k % side),
    }
}

/// Units walk their paths in id order. A step costs 1 on a road and 2 off
/// it, from a budget of twice the unit's speed per tick. A unit steps into
/// an empty cell, or swaps places with whoever stands there: a civilian (the
/// crowd lets a formed unit through), an officer or another unit (they give
/// way to each other, so two units never block each other for good).
/// Patrolling units pick a new random point near home when they arrive,
/// presence patrols one near their crowd.
pub fn move_units(
    draws: TickDraws,
    mut grid: ResMut<Grid>,
    terrain: Res<Terrain>,
    index: Res<AgentIndex>,
    walkers: Walkers,
    mut scratch: Local<(Pathfinder, Vec<CellIndex>)>,
) {
    let TickDraws { clock, streams } = draws;
    let Walkers { mut units, mut civilians, mut officers } = walkers;
    let grid = grid.writes();
    let (finder, cells) = &mut *scratch;
    let draws = streams.draws(Stream::Patrol);
    // Every unit's cell, so that one unit can move another aside.
    cells.clear();
    cells.extend(index.units.iter().map(|&e| units.get(e).map_or(0, |(_, _, p, _)| p.0)));
    for (u, &entity) in index.units.iter().enumerate() {
        let Ok((id, unit, _, mut tasking)) = units.get_mut(entity) else { continue };
        let at = cells[u];
        let walking = match tasking.task.kind {
            TaskKind::Patrol => Some((unit.home, None)),
            TaskKind::Presence => Some((tasking.task.cell, Some(PRESENCE_RING_CELLS))),
            _ => None,
        };
        if let (true, Some((centre, ring))) = (tasking.path.is_empty(), walking) {
            // A new waypoint: within the patrol radius of home, or on the
            // ring around the crowd (on a torus, however wide the radius,
            // the point wraps onto the map).
            let key = unit_key(*id);
            let (hx, hy) = grid.xy(centre);
            let (dx, dy) = match ring {
                None => {
                    let r = unit.patrol_radius_cells.min(grid.width.max(grid.height)) as i64;
                    let dx = draws.below(2 * r as u32 + 1, key, clock.tick, 0) as i64 - r;
                    (dx, draws.below(2 * r as u32 + 1, key, clock.tick, 1) as i64 - r)
                }
                Some((inner, outer)) => {
                    let d = (inner + draws.below(outer - inner + 1, key, clock.tick, 0)) as i64;
                    on_ring(d, draws.below(8 * d as u32, key, clock.tick, 1) as i64)
                }
            };
            let (w, h) = (grid.width as i64, grid.height as i64);
            let (x, y) = (hx as i64 + dx, hy as i64 + dy);
            let to = if grid.wrap {
                Some((x.rem_euclid(w), y.rem_euclid(h)))
            } else {
                ((0..w).contains(&x) && (0..h).contains(&y)).then_some((x, y))
            };
            if let Some((x, y)) = to
                && let Some(mut path) = finder.find(&terrain, at, grid.index(x as u32, y as u32), MAX_PATH_SEARCH)
            {
                path.reverse();
                tasking.path = path;
            }
        }
        let mut budget = 2 * unit.speed_cells_per_tick;
        while let Some(&next) = tasking.path.last() {
            let cost = terrain.step_cost(next);
            if cost > budget {
                break;
            }
            let from = cells[u];
            let other = grid.get(next);
            match other {
                Occupant::Empty => {}
                Occupant::Civilian { id: c, .. } => match civilians.get_mut(index.civilians[c as usize]) {
                    Ok(mut p) => p.0 = from,
                    Err(_) => break,
                },
                Occupant::Officer { id: o } => match index.officers[o as usize].map(|e| officers.get_mut(e)) {
                    Some(Ok(mut p)) => p.0 = from,
                    _ => break,
                },
                Occupant::Unit { id: v } => cells[v as usize] = from,
                Occupant::Building => break,
            }
            grid.set(from, other);
            grid.set(next, Occupant::Unit { id: id.0 });
            cells[u] = next;
            tasking.path.pop();
            budget -= cost;
        }
    }
    for (u, &entity) in index.units.iter().enumerate() {
        if let Ok((_, _, mut pos, _)) = units.get_mut(entity)
            && pos.0 != cells[u]
        {
            pos.0 = cells[u];
        }
    }
}

/// Sends unit `unit` on a new task: the path to where the task puts it (the
/// task's cell, or a cordon's post around it) is found now.
pub fn start_task(
    finder: &mut Pathfinder,
    terrain: &Terrain,
    (unit, from): (u32, CellIndex),
    tasking: &mut Tasking,
    task: Task,
    tick: u32,
) {
    tasking.task = task;
    tasking.since_tick = tick;
    tasking.authority = Authority::NotAsked;
    tasking.warned_tick = None;
    let to = if task.kind == TaskKind::Cordon { cordon_post(terrain, task.cell, unit) } else { task.cell };
    tasking.path = finder.find(terrain, from, to, MAX_PATH_SEARCH).unwrap_or_default();
    tasking.path.reverse();
}

/// How far from its crowd's hotspot a cordon takes its post, in cells
/// (**Assumption**: 100 m at 25 m a cell, out of stones' range of the
/// centre and close enough to hold the streets into it).
pub const CORDON_RING_CELLS: u32 = 4;

/// Where unit `unit` stands in a cordon around the hotspot at `centre`: a
/// point on the ring [`CORDON_RING_CELLS`] out, spread around it by the
/// unit's id (the golden ratio's steps, so that any few units stand apart
/// without agreeing where), or the nearest passable cell to it within 3;
/// on a bounded map, pulled inside the edge. The centre if none is open.
pub fn cordon_post(terrain: &Terrain, centre: CellIndex, unit: u32) -> CellIndex {
    const GOLDEN: f64 = 0.618_033_988_749_895;
    let r = CORDON_RING_CELLS as i64;
    let k = ((unit as f64 * GOLDEN).fract() * (8 * r) as f64) as i64;
    let (dx, dy) = on_ring(r, k);
    let (w, h) = (terrain.width as i64, terrain.height as i64);
    let (cx, cy) = ((centre % terrain.width) as i64, (centre / terrain.width) as i64);
    let at = |x: i64, y: i64| -> Option<CellIndex> {
        let (x, y) =
            if terrain.wrap { (x.rem_euclid(w), y.rem_euclid(h)) } else { (x.clamp(0, w - 1), y.clamp(0, h - 1)) };
        let c = (y * w + x) as CellIndex;
        terrain.passable(c).then_some(c)
    };
    (0..=3i64)
        .find_map(|d| {
            (0..(8 * d).max(1)).find_map(|j| {
                let (ox, oy) = on_ring(d, j);
                at(cx + dx + ox, cy + dy + oy)
            })
        })
        .unwrap_or(centre)
}

#[cfg(test)]
mod ring_tests {
    use super::on_ring;

    #[test]
    fn the_ring_goes_round_every_cell_at_its_distance_once() {
        for d in 1..6i64 {
            let cells: std::collections::BTreeSet<(i64, i64)> = (0..8 * d).map(|k| on_ring(d, k)).collect();
            assert_eq!(cells.len() as i64, 8 * d, "ring {d}");
            assert!(cells.iter().all(|&(x, y)| x.abs().max(y.abs()) == d), "ring {d}: {cells:?}");
        }
        assert_eq!(on_ring(0, 0), (0, 0));
    }

    #[test]
    fn cordon_posts_stand_on_the_ring_apart_and_off_buildings() {
        use super::{CORDON_RING_CELLS, cordon_post};
        use crate::grid::Terrain;
        use crate::scenario::{Edges, MapSpec};
        let mut rows = vec![".".repeat(21); 21];
        rows[6] = "#".repeat(21); // a row of buildings on the ring's north side
        let map =
            MapSpec { width_cells: 21, height_cells: 21, edges: Edges::Bounded, terrain: Some(rows), sites: vec![] };
        let terrain = Terrain::new(&map);
        let centre = 10 * 21 + 10;
        let posts: Vec<(i64, i64)> = (0..6)
            .map(|u| cordon_post(&terrain, centre, u))
            .map(|c| ((c % 21) as i64 - 10, (c / 21) as i64 - 10))
            .collect();
        let r = CORDON_RING_CELLS as i64;
        for (i, &(x, y)) in posts.iter().enumerate() {
            assert!(terrain.passable(cordon_post(&terrain, centre, i as u32)), "{posts:?}");
            let d = x.abs().max(y.abs());
            assert!((r - 1..=r + 1).contains(&d), "post {i} at {d} cells: {posts:?}");
            for &(x2, y2) in &posts[..i] {
                assert!((x - x2).abs().max((y - y2).abs()) >= 2, "posts bunch: {posts:?}");
            }
        }
    }
}
