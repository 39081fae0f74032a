//! Changes during a run that no file scheduled: the classroom's injects and
//! the choices taken at decision points. Each is checked by loading the
//! scenario again with it as an override (so it gets the file's messages)
//! and takes effect at the start of the next tick:
//! - a tunable (`CHANGEABLE_PATHS`) holds from then on, also over the
//!   file's later scheduled changes of other fields (a later scheduled
//!   change of the same field is overruled: the instructor's word stands);
//! - a field of `force` puts the use-of-force settings rebuilt from the
//!   changed scenario in force;
//! - a field of `law` retunes the law's parameters; each zone keeps its
//!   regime, clocks and pending decree.

use bevy_ecs::prelude::*;

use crate::base::events::{Event, EventLog};
use crate::base::{Clock, CurrentTunables, Timeline};
use crate::law::LegalState;
use crate::scenario::decisions::{is_live_path, live_paths_text};
use crate::scenario::{CHANGEABLE_PATHS, CommandModel, LawSpec, Override, Scenario, Tunables};
use crate::use_of_force::ForceSettings;

/// The changes made so far (so the next is checked with them) and those
/// waiting for their tick. Part of the world, so snapshots carry it.
#[derive(Resource, Debug, Clone, Default)]
pub struct LiveChanges {
    pub made: Vec<(u32, Override)>,
    pending: Vec<(u32, Pending)>,
}

#[derive(Debug, Clone)]
enum Pending {
    Force(Box<ForceSettings>),
    Law(Box<LawSpec>, CommandModel, f64),
}

/// Checks `change` against `scenario` and the changes made before it, and
/// schedules it for the next tick; the message says what is wrong.
pub fn schedule(world: &mut World, scenario: &Scenario, change: &Override) -> Result<(), String> {
    let path = change.path.as_str();
    if !is_live_path(path) {
        return Err(format!("`{path}` cannot change during a run; these can: {}", live_paths_text()));
    }
    let at = world.resource::<Clock>().tick + 1;
    let mut all: Vec<Override> = world.resource::<LiveChanges>().made.iter().map(|(_, o)| o.clone()).collect();
    all.push(change.clone());
    let changed = scenario.reload(&all).map_err(|e| e.to_string())?;
    if CHANGEABLE_PATHS.contains(&path) {
        let open = scenario.map.open_cells();
        let value = Tunables::initial(&changed).get(path, open).ok_or_else(|| format!("`{path}` has no value"))?;
        let now = world.resource::<CurrentTunables>().0;
        let mut timeline = world.resource_mut::<Timeline>();
        let mut at_start = timeline.0.iter().rev().find(|(t, _)| *t <= at).map_or(now, |(_, tun)| *tun);
        at_start.set(path, value, open)?;
        match timeline.0.iter().position(|(t, _)| *t >= at) {
            Some(i) if timeline.0[i].0 == at => timeline.0[i].1 = at_start,
            Some(i) => timeline.0.insert(i, (at, at_start)),
            None => timeline.0.push((at, at_start)),
        }
        for (t, tun) in timeline.0.iter_mut().filter(|(t, _)| *t > at) {
            let _ = t;
            tun.set(path, value, open)?;
        }
    } else if path.starts_with("force.") {
        let settings =
            crate::use_of_force::settings(&changed).filter(|_| world.get_resource::<ForceSettings>().is_some());
        let Some(settings) = settings else {
            return Err("this scenario has no use of force to change (it needs forces, a crowd and force rules)".into());
        };
        world.resource_mut::<LiveChanges>().pending.push((at, Pending::Force(Box::new(settings))));
    } else {
        let (Some(law), Some(command), true) =
            (&changed.law, &changed.command, world.get_resource::<LegalState>().is_some())
        else {
            return Err("this scenario has no law to change (it needs forces and command chains)".into());
        };
        let pending = Pending::Law(Box::new(law.clone()), command.model, changed.metadata.minutes_per_tick);
        world.resource_mut::<LiveChanges>().pending.push((at, pending));
    }
    world.resource_mut::<LiveChanges>().made.push((at - 1, change.clone()));
    world.resource_mut::<EventLog>().push(Event::ChangeMade {
        tick: at - 1,
        path: change.path.clone(),
        value: change.value.clone(),
    });
    Ok(())
}

/// Puts in force the changes waiting for this tick (tunables go through
/// the timeline, applied by the caller).
pub fn apply_pending(world: &mut World) {
    let tick = world.resource::<Clock>().tick;
    let Some(mut live) = world.get_resource_mut::<LiveChanges>() else { return };
    if live.pending.iter().all(|(t, _)| *t != tick) {
        return;
    }
    let due: Vec<Pending> = {
        let (due, later): (Vec<_>, Vec<_>) =
            std::mem::take(&mut live.pending).into_iter().partition(|(t, _)| *t == tick);
        live.pending = later;
        due.into_iter().map(|(_, p)| p).collect()
    };
    for p in due {
        match p {
            Pending::Force(settings) => world.insert_resource(*settings),
            Pending::Law(spec, model, minutes) => world.resource_mut::<LegalState>().retune(&spec, model, minutes),
        }
    }
}
