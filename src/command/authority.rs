//! Authority over lethal force: a unit's request travels up to the planner
//! that directs it, the planner answers by its doctrine ([`grants`]), and
//! the answer travels back down; both legs take the route's delays (an
//! order's route, the compliance lag left out going up).
//!
//! Whom the planners let fire short of a lethal threat (sources and
//! assumptions in `docs/model.md`, "Authority over force"):
//! - the PNP never: D. Leg. 1186 art. 8.3 allows lethal force only against
//!   an imminent threat to life, which needs no one's leave;
//! - the FF.AA. command, to units guarding a critical site where the FF.AA.
//!   control internal order (emergency with the FF.AA. in control, siege)
//!   or against a hostile group (D. Leg. 1095 arts. 4 and 13: protection of
//!   strategic assets; **Assumption** that its commanders read it so, as at
//!   Ayacucho's airport in December 2022);
//! - the unified post, only against a hostile group (**Assumption**: a joint
//!   post answers to both chains and takes the stricter reading).

use bevy_ecs::prelude::*;

use super::messages::{AuthorityMessage, Hop, Message, transit};
use super::orders::{TaskChange, change_task};
use super::{CommandState, CommandWrites, Ground, Planner, ticks};
use crate::base::events::{Event, EventLog};
use crate::base::rng::{Draws, Stream, Streams};
use crate::base::{AgentIndex, Clock, Position};
use crate::grid::CellIndex;
use crate::scenario::Regime;
use crate::units::{Authority, AuthorityRequests, Task, TaskKind, Tasking};

/// Keys of authority messages' draws, clear of orders' ids and of reports'
/// (`1 << 62`).
const REQUEST_KEY: u64 = 1 << 61;
const ANSWER_KEY: u64 = 1 << 60;

/// Whether `planner` lets a unit on `task` in a zone of `regime` use lethal
/// force short of a lethal threat.
pub fn grants(planner: Planner, regime: Regime, task: TaskKind) -> bool {
    match planner {
        Planner::Pnp => false,
        Planner::Ffaa => {
            regime == Regime::HostileGroup
                || task == TaskKind::GuardSite && matches!(regime, Regime::EmergencyControl | Regime::Siege)
        }
        Planner::Unified => regime == Regime::HostileGroup,
    }
}

/// Sends this tick's requests up to the planners that direct the units;
/// pulls back to its base each unit whose doctrine is to withdraw while it
/// waits.
pub(super) fn forward_requests(
    clock: Res<Clock>,
    (streams, ground, index): (Res<Streams>, Ground, Res<AgentIndex>),
    mut requests: ResMut<AuthorityRequests>,
    mut command: CommandWrites,
    mut units: Query<(&Position, &mut Tasking)>,
) {
    let tick = clock.tick;
    let (st, log) = (&mut *command.state, &mut *command.log);
    let draws = streams.draws(Stream::Messages);
    for r in std::mem::take(&mut requests.0) {
        let unit = r.unit;
        let agency = st.units[unit as usize].agency;
        let planner = st.arrangement.commander(agency);
        let request =
            AuthorityMessage { unit, task_since: r.task_since, requested_tick: r.tick, planner, granted: false };
        let route: Vec<Hop> = st.route(planner, unit).into_iter().filter(|h| *h != Hop::Compliance).collect();
        log.push(Event::AuthorityRequested { tick, unit, agency, to: planner.name() });
        let due = arrival(st, draws, &route, REQUEST_KEY, tick);
        if let Some(due) = due {
            st.queue.send(due, Message::AuthorityRequest(request));
        }
        if !r.withdraw {
            // A request lost for good leaves a holding unit waiting.
            continue;
        }
        let Ok((pos, mut tasking)) = units.get_mut(index.units[unit as usize]) else { continue };
        let book = &mut st.units[unit as usize];
        let back = Task { kind: TaskKind::Hold, cell: book.home };
        if due.is_some() {
            book.withdrawn_from = Some((tasking.task, tasking.since_tick));
        } else {
            // Lost for good: no answer will call it back; its planner
            // may task it again.
            st.untask(unit);
        }
        let change = TaskChange { unit, at: pos.0, task: back, on: "withdrawal" };
        change_task(&mut st.finder, &ground.terrain, &ground.grid, log, tick, &mut tasking, change);
    }
}

/// When a message sent now along `route` arrives (at least the next tick),
/// `None` if it is lost for good; `key` keeps its draws apart from other
/// kinds of message.
fn arrival(st: &mut CommandState, draws: Draws, route: &[Hop], key: u64, tick: u32) -> Option<u32> {
    let id = key | st.next_authority;
    st.next_authority += 1;
    let t = transit(&st.spec, st.minutes_per_tick, route, draws, id);
    t.delivered.then(|| tick + ticks(t.minutes, st.minutes_per_tick).max(1))
}

/// The planner answers a request that reached it; `regime` is the law
/// where the unit stands, `task` what it is doing now.
pub(super) fn answer(
    st: &mut CommandState,
    draws: Draws,
    tick: u32,
    request: AuthorityMessage,
    regime: Regime,
    task: TaskKind,
) {
    let granted = grants(request.planner, regime, task);
    let route = st.route(request.planner, request.unit);
    if let Some(due) = arrival(st, draws, &route, ANSWER_KEY, tick) {
        st.queue.send(due, Message::AuthorityAnswer(AuthorityMessage { granted, ..request }));
    } else if st.units[request.unit as usize].withdrawn_from.is_some_and(|w| w.1 == request.task_since) {
        // A withdrawn unit no answer will reach: its planner may task it.
        st.units[request.unit as usize].withdrawn_from = None;
        st.untask(request.unit);
    }
}

/// An answer reaches its unit, standing on cell `at`: it holds for the
/// task it was asked on. A unit that withdrew to wait goes back to that
/// task with leave, or stays back, untasked, on a refusal.
pub(super) fn receive(
    st: &mut CommandState,
    log: &mut EventLog,
    (ground, at): (&Ground, CellIndex),
    tick: u32,
    a: AuthorityMessage,
    tasking: &mut Tasking,
) {
    let book = &mut st.units[a.unit as usize];
    let withdrawn = book.withdrawn_from.filter(|w| w.1 == a.task_since);
    if let Some((task, _)) = withdrawn {
        book.withdrawn_from = None;
        if a.granted {
            let change = TaskChange { unit: a.unit, at, task, on: "authority" };
            change_task(&mut st.finder, &ground.terrain, &ground.grid, log, tick, tasking, change);
            tasking.authority = Authority::Granted;
        } else {
            st.untask(a.unit);
        }
    } else if tasking.since_tick == a.task_since && matches!(tasking.authority, Authority::Awaiting { .. }) {
        tasking.authority = if a.granted { Authority::Granted } else { Authority::Denied };
    } else {
        return;
    }
    log.push(Event::AuthorityAnswered {
        tick,
        unit: a.unit,
        agency: st.units[a.unit as usize].agency,
        by: a.planner.name(),
        granted: a.granted,
        latency_minutes: (tick - a.requested_tick) as f64 * st.minutes_per_tick,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_ffaa_grant_and_only_at_sites_under_their_control_or_against_a_hostile_group() {
        use Regime::*;
        for regime in [Normal, EmergencySupport, EmergencyControl, HostileGroup, Siege] {
            for task in [TaskKind::GuardSite, TaskKind::Disperse] {
                assert!(!grants(Planner::Pnp, regime, task), "the PNP never: D. Leg. 1186 art. 8.3");
            }
        }
        assert!(grants(Planner::Ffaa, EmergencyControl, TaskKind::GuardSite));
        assert!(grants(Planner::Ffaa, Siege, TaskKind::GuardSite));
        assert!(!grants(Planner::Ffaa, EmergencyControl, TaskKind::Disperse));
        assert!(!grants(Planner::Ffaa, EmergencySupport, TaskKind::GuardSite), "in support the PNP's rules hold");
        assert!(grants(Planner::Ffaa, HostileGroup, TaskKind::Disperse));
        assert!(grants(Planner::Unified, HostileGroup, TaskKind::Cordon));
        assert!(!grants(Planner::Unified, EmergencyControl, TaskKind::GuardSite));
    }
}
