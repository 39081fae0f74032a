//! Decentralised execution: units that see a crowd long enough act on
//! their own initiative, even leaving an order, and go back to what they
//! were doing when it is gone.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use super::orders::{Proposal, TaskChange, change_task, lawful};
use super::planning::{self, Concern};
use super::{CommandWrites, Ground, LawInForce, Planner};
use crate::base::events::Event;
use crate::base::rng::{Stream, Streams};
use crate::base::{AgentIndex, Clock, Position};
use crate::grid::is_active_code;
use crate::scenario::Agency;
use crate::units::{Task, Tasking, Unit, UnitId, UnitShapes};

/// Under decentralised execution a unit that has seen a crowd of
/// `hotspot_actives` for `local_autonomy_delay_minutes` may act on its own:
/// it takes the task its kind would get for a crowd, where it stands.
/// - On its standing task (no order came, or none got through) it always
///   does: that is what decentralised execution allows.
/// - On an order whose place is out of its sight (on its way, or sent
///   elsewhere) it leaves the order with `unity_break_probability`: a break
///   of unity of command, which leaves the ordered task undone until it
///   comes back.
///
/// A unit acting on its own goes back, when it sees no actives, to the
/// order it left or to its standing task.
pub(super) fn act_on_initiative(
    clock: Res<Clock>,
    ground: Ground,
    in_force: LawInForce,
    streams: Res<Streams>,
    mut command: CommandWrites,
    mut on_the_ground: UnitsOnTheGround,
) {
    if !command.state.spec.decentralised_execution {
        return;
    }
    let tick = clock.tick;
    let (st, log) = (&mut *command.state, &mut *command.log);
    let (grid, terrain) = (&*ground.grid, &*ground.terrain);
    let UnitsOnTheGround { index, shapes, units } = &mut on_the_ground;
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
            let (task, on) = match book.left_order {
                Some(order) => (order, "resume"),
                None => (Task { kind: book.standing, cell: book.home }, "initiative"),
            };
            st.units[u].initiative = false;
            st.units[u].left_order = None;
            let change = TaskChange { unit: id.0, at: pos.0, task, on };
            change_task(&mut st.finder, terrain, grid, log, tick, &mut tasking, change);
            continue;
        }
        let ordered = tasking.task.kind.is_operation();
        let in_sight = |cell| {
            let ((x, y), (tx, ty)) = (grid.xy(pos.0), grid.xy(cell));
            x.abs_diff(tx).max(y.abs_diff(ty)) <= unit.vision_cells
        };
        // A unit withdrawn to wait for leave to fire keeps back.
        let waiting = book.withdrawn_from.is_some();
        if book.initiative || waiting || ordered && in_sight(tasking.task.cell) || actives < st.spec.hotspot_actives {
            st.units[u].seen_since = None;
            continue;
        }
        let since = *st.units[u].seen_since.get_or_insert(tick);
        if tick - since < st.autonomy_ticks {
            continue;
        }
        st.units[u].seen_since = None;
        if ordered && choices.unit(id.0 as u64, tick, 7) >= st.spec.unity_break_probability {
            continue; // it keeps to its order, and weighs it again later
        }
        let kind = planning::fit(Planner::of(book.agency), book.kind, Concern::Sector(0)).1;
        let task = Task { kind, cell: pos.0 };
        let agency = book.agency;
        if !lawful(&in_force.law, &in_force.zones, log, tick, Proposal { unit: id.0, agency, issuer: None, task }) {
            continue;
        }
        log.push(Event::InitiativeTaken { tick, unit: id.0 });
        if ordered {
            log.push(Event::UnityOfCommandBroken { tick, unit: id.0, cause: "initiative" });
            st.units[u].left_order = Some(tasking.task);
        }
        st.units[u].initiative = true;
        let change = TaskChange { unit: id.0, at: pos.0, task, on: "initiative" };
        change_task(&mut st.finder, terrain, grid, log, tick, &mut tasking, change);
    }
}

/// The units a unit's own initiative concerns: where they are, what they
/// see, and their tasks.
#[derive(SystemParam)]
pub(super) struct UnitsOnTheGround<'w, 's> {
    index: Res<'w, AgentIndex>,
    shapes: Res<'w, UnitShapes>,
    units: Query<'w, 's, (&'static UnitId, &'static Unit, &'static Position, &'static mut Tasking)>,
}
