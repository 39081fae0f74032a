//! Whole-world snapshots, for the classroom's rewind: restoring one and
//! stepping on gives the same world, tick by tick, as never having stopped.
//!
//! *Pattern:* a snapshot is a copy of every resource the world holds and
//! of every agent's components. Restoring builds a fresh simulation of the
//! same scenario (so the schedule, its systems and their scratch are new)
//! and writes the copies over it. Civilians, units and command nodes keep
//! their entities for the whole run (only their components change), so
//! their copies go back onto the same entities; officers come and go with
//! `police.count`, so they are spawned anew and the agent index is mended.
//! *Reasoning:* bevy_ecs cannot clone a `World`; listing the state here
//! keeps the copy explicit, and `tests/mando/classroom.rs` compares state
//! hashes tick by tick after a restore, so a resource left out shows up.

use bevy_ecs::prelude::*;

use super::{Sim, SimError, SimOptions};
use crate::base::events::EventLog;
use crate::base::rng::Streams;
use crate::base::settings::Parallel;
use crate::base::{AgentIndex, Clock, CurrentRules, CurrentTunables, Intent, Position, Timeline};
use crate::changes::live::LiveChanges;
use crate::civilians::storage::StorageRows;
use crate::civilians::{CivilianId, Condition, Disposition, JailRoster};
use crate::command::{CommandState, Commander};
use crate::crowd::CrowdMood;
use crate::decisions::DecisionBook;
use crate::detention::Detention;
use crate::grid::counts::VisionCounts;
use crate::grid::empty::EmptyCells;
use crate::grid::{Grid, Shapes, Terrain};
use crate::law::{ArmedAttacks, LegalState, SiteZones};
use crate::metrics::escalation::Escalation;
use crate::metrics::{Census, CommandMetrics, ForceMetrics};
use crate::police::{ArrestLog, OfficerId};
use crate::scenario::Scenario;
use crate::situation::{ReportEvery, SiteBreach, Situation, Zones};
use crate::units::{AuthorityRequests, RadioNets, Tasking, Unit, UnitId, UnitShapes};
use crate::use_of_force::ForceSettings;

/// The world at one tick, and what is needed to rebuild it.
pub struct Snapshot {
    scenario: Scenario,
    options: SimOptions,
    tick: u32,
    resources: Vec<Box<dyn Stored>>,
    civilians: Vec<(Entity, CivilianId, Position, Disposition, Condition, Intent)>,
    officers: Vec<(OfficerId, Position, Intent)>,
    units: Vec<(Entity, UnitId, Unit, Position, Tasking, Option<Commander>)>,
}

/// One stored resource.
trait Stored: Send + Sync {
    fn put_back(&self, world: &mut World);
}

struct Copy<R>(R);

impl<R: Resource + Clone> Stored for Copy<R> {
    fn put_back(&self, world: &mut World) {
        world.insert_resource(self.0.clone());
    }
}

fn keep<R: Resource + Clone>(world: &World, into: &mut Vec<Box<dyn Stored>>) {
    if let Some(r) = world.get_resource::<R>() {
        into.push(Box::new(Copy(r.clone())));
    }
}

/// Every resource of the world, those fixed for the run included (cheap,
/// and nothing then depends on which are fixed). Wall-clock phase times
/// are left out: they are no part of the state.
fn resources(world: &World) -> Vec<Box<dyn Stored>> {
    let mut r = Vec::new();
    macro_rules! keep_all { ($($t:ty),* $(,)?) => { $( keep::<$t>(world, &mut r); )* } }
    keep_all!(
        Clock,
        Streams,
        CurrentTunables,
        CurrentRules,
        Timeline,
        Parallel,
        EventLog,
        ArrestLog,
        AgentIndex,
        Grid,
        Terrain,
        Shapes,
        EmptyCells,
        VisionCounts,
        StorageRows,
        JailRoster,
        Census,
        CommandMetrics,
        ForceMetrics,
        Escalation,
        Zones,
        Situation,
        ReportEvery,
        SiteBreach,
        AuthorityRequests,
        RadioNets,
        UnitShapes,
        CommandState,
        ForceSettings,
        CrowdMood,
        Detention,
        LegalState,
        ArmedAttacks,
        SiteZones,
        crate::activation::ResortEvery,
        LiveChanges,
        DecisionBook,
    );
    r
}

impl Snapshot {
    pub fn tick(&self) -> u32 {
        self.tick
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
}

impl Sim {
    /// A copy of the whole world as it is now (between ticks).
    pub fn snapshot(&mut self) -> Snapshot {
        let tick = self.tick();
        let world = &mut self.world;
        let civilians = world
            .query::<(Entity, &CivilianId, &Position, &Disposition, &Condition, &Intent)>()
            .iter(world)
            .map(|(e, id, p, d, c, i)| (e, *id, *p, *d, *c, *i))
            .collect();
        let officers =
            world.query::<(&OfficerId, &Position, &Intent)>().iter(world).map(|(id, p, i)| (*id, *p, *i)).collect();
        let units = world
            .query::<(Entity, &UnitId, &Unit, &Position, &Tasking, Option<&Commander>)>()
            .iter(world)
            .map(|(e, id, u, p, t, c)| (e, *id, u.clone(), *p, t.clone(), c.copied()))
            .collect();
        Snapshot {
            scenario: self.scenario.clone(),
            options: self.options,
            tick,
            resources: resources(world),
            civilians,
            officers,
            units,
        }
    }

    /// A simulation in the state `snapshot` recorded.
    pub fn restore(snapshot: &Snapshot) -> Result<Sim, SimError> {
        let mut sim = Sim::new(&snapshot.scenario, snapshot.options)?;
        let world = &mut sim.world;
        for r in &snapshot.resources {
            r.put_back(world);
        }
        for (e, id, p, d, c, i) in &snapshot.civilians {
            world.entity_mut(*e).insert((*id, *p, *d, *c, *i));
        }
        for (e, id, u, p, t, c) in &snapshot.units {
            let mut entity = world.entity_mut(*e);
            entity.insert((*id, u.clone(), *p, t.clone()));
            if let Some(c) = c {
                entity.insert(*c);
            }
        }
        let fresh: Vec<Entity> = world.query_filtered::<Entity, With<OfficerId>>().iter(world).collect();
        for e in fresh {
            world.despawn(e);
        }
        let mut officers: Vec<Option<Entity>> = vec![None; world.resource::<AgentIndex>().officers.len()];
        for (id, p, i) in &snapshot.officers {
            let e = world.spawn((*id, *p, *i)).id();
            officers[id.0 as usize] = Some(e);
        }
        world.resource_mut::<AgentIndex>().officers = officers;
        Ok(sim)
    }
}
