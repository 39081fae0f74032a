//! Decisions: on decision ticks each planner of the arrangement reads its
//! picture, finds hotspots and tasks units ([`super::planning`]); under
//! parallel chains, clashes with the other chain's orders are called off
//! by phone or become conflicting orders.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;

use super::orders::{Proposal, issue, lawful};
use super::planning::{self, Candidate, Concern};
use super::{Arrangement, CommandWrites, Ground, LawInForce, Planner};
use crate::base::Clock;
use crate::base::events::Event;
use crate::base::rng::{Stream, Streams};
use crate::grid::{CellIndex, Terrain};
use crate::scenario::Agency;
use crate::units::{Task, TaskKind};

/// On decision ticks each planner of the arrangement plans from its picture.
pub(super) fn plan_and_order(
    clock: Res<Clock>,
    ground: Ground,
    in_force: LawInForce,
    streams: Res<Streams>,
    mut command: CommandWrites,
) {
    let tick = clock.tick;
    if !tick.is_multiple_of(command.state.decision_every) && tick != 1 {
        return;
    }
    let (st, log) = (&mut *command.state, &mut *command.log);
    let (grid, terrain) = (&*ground.grid, &*ground.terrain);
    let (law, zones) = (&*in_force.law, &*in_force.zones);
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
            planner,
            terrain,
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
            if lawful(law, zones, log, tick, Proposal { unit: u, agency, issuer: Some(planner), task }) {
                issue(st, log, grid, draws, tick, (planner, u, task, tick));
            }
        }
        for (u, h, kind) in plan.assign {
            let hot = &hotspots[h];
            let k = sent.entry(h).or_default();
            let task = Task { kind, cell: spread(terrain, hot.cell, *k) };
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
            if !lawful(law, zones, log, tick, Proposal { unit: u, agency, issuer: Some(planner), task }) {
                // Refused: the planner does not propose it again under this regime.
                st.barred.insert((planner, u, hot.concern, regime));
                continue;
            }
            st.ledgers[ledger][u as usize] = Some((hot.concern, kind));
            issue(st, log, grid, draws, tick, (planner, u, task, hot.observed_tick));
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
