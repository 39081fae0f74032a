//! Orders down the chains: the route an order takes from its planner to a
//! unit, the law's check of a task before it is ordered, sending, and the
//! delivery of every message due (reports into pictures, orders into
//! tasks, with the unity of command they keep or break).

use bevy_ecs::prelude::*;

use super::messages::{Hop, Message, Order, transit};
use super::{
    Arrangement, CommandState, CommandWrites, Commander, Ground, LawInForce, Planner, authority, setup, ticks,
};
use crate::base::events::{Event, EventLog};
use crate::base::rng::{Draws, Stream, Streams};
use crate::base::{AgentIndex, Clock, Position};
use crate::grid::path::Pathfinder;
use crate::grid::{CellIndex, Grid, Terrain};
use crate::law::{self, LegalState, Violation};
use crate::scenario::Agency;
use crate::scenario::defaults as d;
use crate::situation::Zones;
use crate::units::{self, Task, Tasking};

impl CommandState {
    pub(super) fn depth(&self, a: Agency) -> u32 {
        match a {
            Agency::Pnp => self.spec.pnp_echelons,
            Agency::Ffaa => self.spec.ffaa_echelons,
        }
    }

    /// The level at which an agency's chain plans: its second echelon
    /// (region/front, operational command), or its only one.
    pub(super) fn entry(&self, a: Agency) -> u32 {
        1.min(self.depth(a) - 1)
    }

    /// Hops from the planning level down to a unit of `a` on its chain's
    /// net (or up from it).
    pub(super) fn down(&self, a: Agency) -> impl Iterator<Item = Hop> {
        std::iter::repeat_n(Hop::Echelon(a), (self.depth(a) - self.entry(a)) as usize)
    }

    /// Hops from the planning level down to unit `u`: its chain's, then the
    /// relay to its own net, or no link, where it is on another.
    pub(super) fn down_to(&self, u: u32) -> Vec<Hop> {
        let book = &self.units[u as usize];
        self.down(book.agency).chain(book.link).collect()
    }

    /// The hop between the two chains' tops: lossy where their nets neither
    /// interoperate nor share a relay (a liaison officer carries both sets).
    pub(super) fn cross(&self, liaison: bool) -> Hop {
        let joined = self.spec.interoperable_radios || setup::joined(&self.spec, d::PNP_NET, d::FFAA_NET);
        Hop::Cross { liaison, lossy: !liaison && !joined }
    }

    /// The route of an order from `issuer` to unit `u`.
    pub(super) fn route(&self, issuer: Planner, u: u32) -> Vec<Hop> {
        let liaison = self.spec.liaison_officers;
        let agency = self.units[u as usize].agency;
        let down = self.down_to(u);
        match (issuer, agency) {
            (Planner::Pnp, Agency::Pnp) | (Planner::Ffaa, Agency::Ffaa) => down,
            (Planner::Unified, _) => std::iter::once(Hop::UnifiedPost).chain(down).collect(),
            (Planner::Pnp, Agency::Ffaa) if self.arrangement == Arrangement::Parallel => {
                // By phone between the tops of the two chains.
                std::iter::repeat_n(Hop::Echelon(Agency::Pnp), self.entry(Agency::Pnp) as usize)
                    .chain([self.cross(false)])
                    .chain(std::iter::repeat_n(Hop::Echelon(Agency::Ffaa), self.entry(Agency::Ffaa) as usize))
                    .chain(down)
                    .collect()
            }
            (Planner::Pnp, Agency::Ffaa) => std::iter::once(self.cross(liaison)).chain(down).collect(),
            (Planner::Ffaa, Agency::Pnp) => {
                std::iter::once(self.cross(liaison)).chain(down).chain([Hop::Compliance]).collect()
            }
        }
    }
}

/// A task proposed for a unit: by a planner, or by the unit itself
/// (`issuer` `None`, on its own initiative).
#[derive(Debug, Clone, Copy)]
pub(super) struct Proposal {
    pub unit: u32,
    pub agency: Agency,
    pub issuer: Option<Planner>,
    pub task: Task,
}

/// Checks a task against the law in the zone of its cell; records what it
/// finds. Returns whether the task goes ahead.
pub(super) fn lawful(law: &LegalState, zones: &Zones, log: &mut EventLog, tick: u32, proposal: Proposal) -> bool {
    let Proposal { unit, agency, issuer, task } = proposal;
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
            basis: v.basis(),
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
pub(super) fn issue(
    st: &mut CommandState,
    log: &mut EventLog,
    grid: &Grid,
    draws: Draws,
    tick: u32,
    (issuer, unit, task, observed_tick): (Planner, u32, Task, u32),
) {
    let route = st.route(issuer, unit);
    let id = st.next_order;
    st.next_order += 1;
    let t = transit(&st.spec, st.minutes_per_tick, &route, draws, id);
    let due = tick + ticks(t.minutes, st.minutes_per_tick).max(1);
    for &(hop, at) in &t.losses {
        st.queue.send(tick + ticks(at, st.minutes_per_tick), Message::Lost { order: id, unit, hop });
    }
    let cross = route.iter().filter(|h| h.is_cross_agency()).count() as u32;
    if t.delivered {
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
    } else {
        // No acknowledgement: the issuer learns it failed when it gives up.
        st.queue.send(due, Message::Dropped { order: id, unit, issuer });
    }
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

/// Releases every message due: reports update pictures, orders start tasks,
/// requests for authority are answered and answers reach their units.
pub(super) fn deliver_messages(
    clock: Res<Clock>,
    ground: Ground,
    (in_force, streams): (LawInForce, Res<Streams>),
    index: Res<AgentIndex>,
    mut command: CommandWrites,
    mut units: Query<(&Position, &mut Tasking, &Commander)>,
) {
    let tick = clock.tick;
    let (st, log) = (&mut *command.state, &mut *command.log);
    let draws = streams.draws(Stream::Messages);
    while let Some(m) = st.queue.next_due(tick) {
        match m {
            Message::AuthorityRequest(a) => {
                let Ok((pos, tasking, _)) = units.get(index.units[a.unit as usize]) else { continue };
                // A unit that withdrew to wait is asking for the task it left.
                let withdrawn = st.units[a.unit as usize].withdrawn_from.filter(|w| w.1 == a.task_since);
                let (task, cell) = withdrawn.map_or((tasking.task.kind, pos.0), |(t, _)| (t.kind, t.cell));
                let regime = in_force.law.regime(in_force.zones.of(cell));
                authority::answer(st, draws, tick, a, regime, task);
            }
            Message::AuthorityAnswer(a) => {
                let Ok((pos, mut tasking, _)) = units.get_mut(index.units[a.unit as usize]) else { continue };
                authority::receive(st, log, (&ground, pos.0), tick, a, &mut tasking);
            }
            Message::Report(r) => {
                st.pictures[r.picture].apply(&r);
                if st.spec.interoperable_radios && r.picture < 2 {
                    st.pictures[1 - r.picture].apply(&r);
                }
            }
            Message::Lost { order, unit, hop } => {
                log.push(Event::OrderLost { tick, order, unit, hop });
            }
            Message::Dropped { order, unit, issuer } => {
                log.push(Event::OrderDropped { tick, order, unit });
                // The planner may task the unit again at its next round.
                st.ledgers[issuer as usize][unit as usize] = None;
            }
            Message::Order(o) => {
                let book = &mut st.units[o.unit as usize];
                // Orders are numbered as issued: one that arrives after a
                // newer one was delivered is stale. One that arrives while
                // a newer one is still on its way is acted on until that
                // one comes (docs/model.md §10.4).
                if book.latest_order.is_some_and(|newer| newer > o.id) {
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
                let age = (tick - o.observed_tick.min(tick)) as f64 * st.minutes_per_tick;
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
                book.latest_order = Some(o.id);
                book.latest_issuer = Some(o.issuer);
                book.initiative = false;
                book.seen_since = None;
                book.withdrawn_from = None;
                book.left_order = None;
                let change = TaskChange { unit: o.unit, at: pos.0, task: o.task, on: "order" };
                change_task(&mut st.finder, &ground.terrain, &ground.grid, log, tick, &mut tasking, change);
            }
        }
    }
}

/// A unit's change of task: the unit, where it stands, its new task and
/// why (`order`, or `initiative`).
#[derive(Debug, Clone, Copy)]
pub(super) struct TaskChange {
    pub unit: u32,
    pub at: CellIndex,
    pub task: Task,
    pub on: &'static str,
}

/// Ends a unit's task and starts another, with their events.
pub(super) fn change_task(
    finder: &mut Pathfinder,
    terrain: &Terrain,
    grid: &Grid,
    log: &mut EventLog,
    tick: u32,
    tasking: &mut Tasking,
    change: TaskChange,
) {
    let TaskChange { unit, at, task, on } = change;
    if tasking.task == task {
        return;
    }
    log.push(Event::TaskEnded { tick, unit, task: tasking.task.kind, ticks: tick - tasking.since_tick });
    units::start_task(finder, terrain, (unit, at), tasking, task, tick);
    log.push(Event::TaskStarted { tick, unit, task: task.kind, cell: grid.xy(task.cell), on });
}
