//! Scheduled changes: the scenario's `changes` list takes effect at the start
//! of the tick it names. The timeline was checked and expanded (ramps into
//! steps) when the scenario was loaded; here it only updates the tunables,
//! the neighbourhood shapes and the number of officers on the map. Changes
//! no file scheduled (the classroom's injects, decisions) are in [`live`].

use bevy_ecs::prelude::*;

use crate::activation::{Intent, officer_key};
use crate::base::rng::{Stream, Streams};
use crate::base::{AgentIndex, Clock, CurrentRules, CurrentTunables, Position, Step, Timeline};
use crate::grid::Shapes;
use crate::grid::{Grid, Occupant};
use crate::movement;
use crate::police::OfficerId;

pub mod live;

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(apply_scheduled_changes.in_set(Step::ApplyChanges));
}

/// Applies the tunables scheduled for this tick, if any.
pub fn apply_scheduled_changes(world: &mut World) {
    live::apply_pending(world);
    let tick = world.resource::<Clock>().tick;
    let Some(next) = world.resource::<Timeline>().0.iter().find(|(t, _)| *t == tick).map(|(_, t)| *t) else {
        return;
    };
    let before = world.resource::<CurrentTunables>().0;
    world.resource_mut::<CurrentTunables>().0 = next;
    if next.civilian_vision_cells != before.civilian_vision_cells
        || next.police_vision_cells != before.police_vision_cells
    {
        let rules = world.resource::<CurrentRules>().0;
        let width = world.resource::<Grid>().width;
        world.insert_resource(Shapes::new(&rules, &next, width));
    }
    if next.police_count != before.police_count {
        set_officer_count(world, next.police_count, tick);
    }
}

/// Adds officers on random free cells, or withdraws a random subset, so that
/// `target` are on the map. New officers get fresh ids; the choice of who is
/// withdrawn depends only on the seed, the tick and the ids.
fn set_officer_count(world: &mut World, target: u32, tick: u32) {
    let draws = world.resource::<Streams>().draws(Stream::Changes);
    let mut on_duty: Vec<(OfficerId, Entity)> =
        world.query::<(Entity, &OfficerId)>().iter(world).map(|(e, id)| (*id, e)).collect();
    on_duty.sort_unstable_by_key(|o| o.0);
    let current = on_duty.len() as u32;
    if target < current {
        on_duty.sort_unstable_by_key(|(id, _)| (draws.u64(officer_key(*id), tick, 0), *id));
        for &(id, entity) in &on_duty[..(current - target) as usize] {
            let cell = world.get::<Position>(entity).map(|p| p.0);
            if let Some(cell) = cell {
                world.resource_mut::<Grid>().writes().set(cell, Occupant::Empty);
            }
            world.despawn(entity);
            world.resource_mut::<AgentIndex>().officers[id.0 as usize] = None;
        }
    } else {
        for _ in current..target {
            let id = OfficerId(world.resource::<AgentIndex>().officers.len() as u32);
            let cell = {
                let mut grid = world.resource_mut::<Grid>();
                let grid = grid.writes();
                // A full map cannot happen with validated counts; if it
                // did, fewer officers would deploy.
                let Some(cell) = movement::any_empty_cell(&grid, draws.agent(officer_key(id), tick)) else { break };
                grid.set(cell, Occupant::Officer { id: id.0 });
                cell
            };
            let e = world.spawn((id, Position(cell), Intent::default())).id();
            world.resource_mut::<AgentIndex>().officers.push(Some(e));
        }
    }
}
