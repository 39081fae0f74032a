//! What the page is shown: the scenario's fixed parts, the state, the map
//! (as blocks of cells, so 100,000 civilians cost the page no more than a
//! small map), the figures per tick and the branches. All JSON.

use serde::Serialize;
use serde_json::{Value, json};

use super::session::{ActionKind, Session};
use crate::base::Position;
use crate::base::events::Event;
use crate::base::vocabulary::{ForceLevel, Harm, Side};
use crate::civilians::{CivilianId, Condition};
use crate::command::Commander;
use crate::law::LegalState;
use crate::metrics::escalation::Escalation;
use crate::metrics::map::ground_rows;
use crate::metrics::{CommandMetrics, ForceMetrics};
use crate::police::OfficerId;
use crate::scenario::Scenario;
use crate::scenario::decisions::live_paths_text;
use crate::sim::Sim;
use crate::units::{Tasking, Unit, UnitId};

/// The map is drawn in blocks of cells no more than this many a side.
const MAX_BLOCKS_A_SIDE: u32 = 160;

/// The figures after one tick.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Row {
    pub tick: u32,
    pub quiescent: u32,
    pub active: u32,
    pub jailed: u32,
    pub dead: u32,
    pub civilians_injured: u64,
    pub civilians_killed: u64,
    pub police_injured: u64,
    pub police_killed: u64,
    pub soldiers_injured: u64,
    pub soldiers_killed: u64,
    pub uses_of_force: u64,
    pub legitimacy: f64,
    /// Mean latency of the orders delivered this tick (none delivered:
    /// `None`).
    pub order_latency_minutes: Option<f64>,
}

/// How many order latencies the run has recorded (to find the tick's).
pub fn latencies_len(sim: &mut Sim) -> usize {
    sim.world_mut().get_resource::<CommandMetrics>().map_or(0, |c| c.latencies_minutes.len())
}

/// The figures before the first tick.
pub fn row_after(sim: &mut Sim, _: &[Event]) -> Row {
    let n = latencies_len(sim);
    let census = sim.census();
    row_after_from(sim, &census, n)
}

/// The figures after the tick `census` records; order latency over those
/// recorded after the first `latencies_before`.
pub fn row_after_from(sim: &mut Sim, census: &crate::metrics::TickRecord, latencies_before: usize) -> Row {
    let census = *census;
    let world = sim.world_mut();
    let mut row = Row {
        tick: census.tick,
        quiescent: census.quiescent,
        active: census.active,
        jailed: census.jailed,
        dead: census.operation.map_or(0, |o| o.dead),
        legitimacy: world
            .get_resource::<Escalation>()
            .filter(|_| census.tick > 0)
            .map_or(census.legitimacy, |e| e.mean_legitimacy),
        ..Row::default()
    };
    if let Some(f) = world.get_resource::<ForceMetrics>() {
        let sum = |side: Side, dead: bool| -> u64 {
            f.harm.iter().filter(|((s, h, _), _)| *s == side && (*h == Harm::Dead) == dead).map(|(_, n)| *n).sum()
        };
        row.civilians_injured = sum(Side::Civilian, false);
        row.civilians_killed = sum(Side::Civilian, true);
        row.police_injured = sum(Side::Pnp, false);
        row.police_killed = sum(Side::Pnp, true);
        row.soldiers_injured = sum(Side::Ffaa, false);
        row.soldiers_killed = sum(Side::Ffaa, true);
        row.uses_of_force = f.uses.iter().sum();
    }
    if let Some(c) = world.get_resource::<CommandMetrics>() {
        let new = &c.latencies_minutes[latencies_before.min(c.latencies_minutes.len())..];
        if !new.is_empty() {
            row.order_latency_minutes = Some(new.iter().sum::<f64>() / new.len() as f64);
        }
    }
    row
}

/// The uses of force among `events`, as map marks.
pub fn force_marks(events: &[Event], _width: u32) -> Vec<Value> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::UseOfForce { tick, agency, force, cell, .. } => Some(json!({
                "tick": tick,
                "x": cell.0,
                "y": cell.1,
                "level": key(force),
                "agency": agency.key(),
                "lethal": *force == ForceLevel::LethalForce,
            })),
            _ => None,
        })
        .collect()
}

/// A value's name as the outputs write it.
fn key(v: &impl Serialize) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The clock in the scenario's own time of day when it has one.
pub fn clock(s: &Scenario, tick: u32) -> String {
    let start = s.crowd.as_ref().and_then(|c| c.purpose.as_ref()).map_or(0.0, |p| p.day.clock_at_start);
    let minutes = (start * 60.0 + tick as f64 * s.metadata.minutes_per_tick).round() as u64;
    format!("day {}, {:02}:{:02}", minutes / 1440 + 1, minutes % 1440 / 60, minutes % 60)
}

/// `GET /api/scenario`.
pub fn scenario(session: &Session) -> Value {
    let s = session.scenario();
    let sites: Vec<Value> = s
        .map
        .sites
        .iter()
        .enumerate()
        .map(
            |(i, site)| json!({"symbol": char::from_digit(i as u32, 36).unwrap_or('?').to_string(), "name": site.name}),
        )
        .collect();
    let decisions: Vec<Value> = s
        .decisions
        .iter()
        .map(|d| {
            json!({
                "name": d.name,
                "prompt": d.prompt,
                "trigger": d.trigger_text(&s.map.sites, s.metadata.minutes_per_tick),
                "default": d.choices[d.default].name,
                "choices": d.choices.iter().map(|c| json!({
                    "name": c.name,
                    "label": c.label,
                    "changes": c.changes.iter().map(|o| format!("{}={}", o.path, o.value)).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut changeable: Vec<String> = crate::scenario::CHANGEABLE_PATHS.iter().map(|p| p.to_string()).collect();
    if let Some(f) = serde_json::to_value(&s.force).ok().and_then(|v| v.as_object().cloned()) {
        changeable.extend(f.keys().map(|k| format!("force.{k}")));
    }
    if let Some(l) = serde_json::to_value(&s.law).ok().and_then(|v| v.as_object().cloned()) {
        changeable.extend(l.keys().filter(|k| *k != "zones").map(|k| format!("law.{k}")));
    }
    json!({
        "name": s.metadata.name,
        "description": s.metadata.description,
        "seed": s.metadata.seed,
        "ticks": s.metadata.ticks,
        "minutes_per_tick": s.metadata.minutes_per_tick,
        "width": s.map.width_cells,
        "height": s.map.height_cells,
        "ground": ground_rows(session.sim().world().resource::<crate::grid::Terrain>(), s.map.width_cells, s.map.height_cells),
        "sites": sites,
        "scheduled": s.changes,
        "decisions": decisions,
        "changeable": changeable,
        "changeable_text": live_paths_text(),
        "snapshot_every": session.snapshot_every,
    })
}

/// `GET /api/state`.
pub fn state(session: &mut Session) -> Value {
    let tick = session.tick();
    let pending = session.pending_decision().map(|i| {
        let d = &session.scenario().decisions[i];
        // After a rewind to the decision's tick: what this branch answered.
        let branch_chose = session.branch().actions.iter().find_map(|a| match &a.kind {
            ActionKind::Decide { decision, choice } if a.tick >= tick && *decision == d.name => Some(choice.clone()),
            _ => None,
        });
        json!({
            "name": d.name,
            "prompt": d.prompt,
            "default": d.choices[d.default].name,
            "branch_chose": branch_chose,
            "choices": d.choices.iter().map(|c| json!({"name": c.name, "label": c.label})).collect::<Vec<_>>(),
        })
    });
    let s = session.scenario().clone();
    let row = session.branch().rows.get(tick as usize).copied().unwrap_or_default();
    let log: Vec<Value> = session
        .branch()
        .actions
        .iter()
        .filter(|a| a.tick <= tick)
        .map(|a| {
            let kind = if matches!(a.kind, super::session::ActionKind::Inject { .. }) { "inject" } else { "decision" };
            json!({"tick": a.tick, "kind": kind, "text": a.text(&s)})
        })
        .collect();
    let branch = session.branch().name.clone();
    let finished = session.sim().is_finished();
    let world = session.sim_mut().world_mut();
    let regime = world.get_resource::<LegalState>().map(|l| key(&l.strongest()));
    let phase = world.get_resource::<Escalation>().map(|e| e.phase.name());
    let hash = format!("{:016x}", session.sim_mut().state_hash());
    json!({
        "tick": tick,
        "ticks": s.metadata.ticks,
        "clock": clock(&s, tick),
        "state_hash": hash,
        "branch": branch,
        "regime": regime.unwrap_or_else(|| "normal".into()),
        "phase": phase,
        "finished": finished,
        "pending_decision": pending,
        "headline": row,
        "log": log,
    })
}

/// `GET /api/frame`: crowd and officers counted in blocks; every unit.
pub fn frame(session: &mut Session) -> Value {
    let s = session.scenario().clone();
    let (w, h) = (s.map.width_cells, s.map.height_cells);
    let block = w.max(h).div_ceil(MAX_BLOCKS_A_SIDE).max(1);
    let (cols, rows) = (w.div_ceil(block), h.div_ceil(block));
    let at = |cell: u32| ((cell / w) / block * cols + (cell % w) / block) as usize;
    let mut active = vec![0u32; (cols * rows) as usize];
    let mut quiescent = vec![0u32; (cols * rows) as usize];
    let mut officers = vec![0u32; (cols * rows) as usize];
    let tick = session.tick();
    let names = crate::metrics::output::unit_names(&s.forces);
    let world = session.sim_mut().world_mut();
    for (_, p, c) in world.query::<(&CivilianId, &Position, &Condition)>().iter(world) {
        match c {
            Condition::Active => active[at(p.0)] += 1,
            Condition::Quiescent => quiescent[at(p.0)] += 1,
            _ => {}
        }
    }
    for (_, p) in world.query::<(&OfficerId, &Position)>().iter(world) {
        officers[at(p.0)] += 1;
    }
    let mut units: Vec<(u32, Value)> = world
        .query::<(&UnitId, &Unit, &Position, &Tasking, Option<&Commander>)>()
        .iter(world)
        .map(|(id, u, p, t, c)| {
            let target = (t.task.cell % w, t.task.cell / w);
            (
                id.0,
                json!({
                    "id": id.0,
                    "name": names.get(id.0 as usize).cloned().unwrap_or_else(|| format!("unit {}", id.0)),
                    "agency": u.agency.key(),
                    "kind": key(&u.kind),
                    "task": key(&t.task.kind),
                    "commander": c.map(|c| c.0.name()),
                    "order": format!("{} at ({}, {}) since tick {}", key(&t.task.kind).replace('_', " "), target.0, target.1, t.since_tick),
                    "x": p.0 % w,
                    "y": p.0 / w,
                    "strength": u.strength_personnel,
                }),
            )
        })
        .collect();
    units.sort_by_key(|u| u.0);
    json!({
        "tick": tick,
        "block": block,
        "cols": cols,
        "rows": rows,
        "active": active,
        "quiescent": quiescent,
        "officers": officers,
        "units": units.into_iter().map(|u| u.1).collect::<Vec<_>>(),
        "force": session.recent_force,
    })
}

/// The figures of `rows` as columns (`GET /api/series`).
pub fn series(rows: &[Row]) -> Value {
    macro_rules! col {
        ($f:ident) => {
            rows.iter().map(|r| json!(r.$f)).collect::<Vec<_>>()
        };
    }
    json!({
        "tick": col!(tick),
        "quiescent": col!(quiescent),
        "active": col!(active),
        "jailed": col!(jailed),
        "dead": col!(dead),
        "civilians_injured": col!(civilians_injured),
        "civilians_killed": col!(civilians_killed),
        "police_injured": col!(police_injured),
        "police_killed": col!(police_killed),
        "soldiers_injured": col!(soldiers_injured),
        "soldiers_killed": col!(soldiers_killed),
        "uses_of_force": col!(uses_of_force),
        "legitimacy": col!(legitimacy),
        "order_latency_minutes": col!(order_latency_minutes),
    })
}

/// `GET /api/branches`.
pub fn branches(session: &Session) -> Value {
    let list: Vec<Value> = session
        .branches
        .iter()
        .map(|b| {
            json!({
                "name": b.name,
                "parent": b.parent.as_ref().map(|p| &p.0),
                "fork_tick": b.parent.as_ref().map(|p| p.1),
                "head_tick": b.head,
                "tick": if b.name == session.branch().name { session.tick() } else { b.head },
                "actions": b.actions.len(),
                "head_hash": format!("{:016x}", b.hashes[b.head as usize]),
            })
        })
        .collect();
    json!({"current": session.branch().name, "branches": list})
}
