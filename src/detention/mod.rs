//! Detention: units' arrests, as Epstein's rule or as a process bounded by
//! people and by law (docs/model.md, "Detention"). Epstein's officers keep
//! Epstein's jail.
//!
//! A unit whose task is to disperse, arrest or guard a site arrests random
//! actives within its vision, in id order, up to one per 10 personnel a
//! tick, and jails them for Epstein's term. With the scenario's
//! `detention` section (the shipped social-conflict scenarios have it):
//! - each arrest takes a team (`detention.team_personnel`) out of action for
//!   `processing_minutes` (restraint, transport, booking), so a unit makes
//!   no more arrests at once than it has free teams;
//! - a zone's police stations hold at most `holding_per_zone` detainees:
//!   when they are full, nobody more is arrested there;
//! - a detainee is held for a term drawn uniformly from 0 to `hold_hours`,
//!   never past the 48 hours of the Constitution (art. 2.24.f), then
//!   released (the civilians' jail release) and the place freed.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::base::rng::Stream;
use crate::base::{AgentIndex, Position, Step, TickRules};
use crate::civilians::{CivilianId, Condition};
use crate::grid::Grid;
use crate::police::{self, ArrestBooks, Arrester};
use crate::scenario::{DetentionSpec, Scenario};
use crate::situation::Zones;
use crate::units::{Tasking, Unit, UnitId, UnitShapes, unit_key};

/// Where the number of a unit's arrest within a tick enters its key, above
/// the id and the kind bits of [`unit_key`].
const ARREST_NUMBER_SHIFT: u32 = 48;

/// The detention rules in ticks, the teams out and the people held.
#[derive(Resource, Debug, Clone)]
pub struct Detention {
    team_personnel: u32,
    processing_ticks: u32,
    holding_per_zone: u32,
    /// The longest term, in ticks.
    hold_ticks: u32,
    /// Per unit (by id): the ticks its teams out come back.
    teams_out: Vec<Vec<u32>>,
    /// Per zone: the ticks its detainees are released.
    held: Vec<Vec<u32>>,
}

impl Detention {
    pub fn new(spec: &DetentionSpec, units: usize, zones: usize, minutes_per_tick: f64) -> Detention {
        Detention {
            team_personnel: spec.team_personnel,
            processing_ticks: crate::base::ticks(spec.processing_minutes, minutes_per_tick).max(1),
            holding_per_zone: spec.holding_per_zone,
            hold_ticks: crate::base::ticks(spec.hold_hours * 60.0, minutes_per_tick),
            teams_out: vec![Vec::new(); units],
            held: vec![Vec::new(); zones],
        }
    }

    /// The detainees held in each zone now.
    pub fn held(&self) -> impl Iterator<Item = usize> + '_ {
        self.held.iter().map(Vec::len)
    }

    /// The longest term, in ticks.
    pub fn hold_ticks(&self) -> u32 {
        self.hold_ticks
    }

    /// Drops the teams back and the detainees released by `tick`.
    fn settle(&mut self, tick: u32) {
        for back in self.teams_out.iter_mut().chain(self.held.iter_mut()) {
            back.retain(|&t| t > tick);
        }
    }

    /// Arrests the unit can start now: one per free team, at most `most`.
    fn free_teams(&self, unit: UnitId, strength: u32, most: u32) -> u32 {
        let busy = self.teams_out[unit.0 as usize].len() as u32 * self.team_personnel;
        (strength.saturating_sub(busy) / self.team_personnel).min(most)
    }
}

impl Fingerprint for Detention {
    /// The teams out and the people held; the rules are fixed.
    fn fingerprint(&self, h: &mut Fnv) {
        let Detention { team_personnel: _, processing_ticks: _, holding_per_zone: _, hold_ticks: _, teams_out, held } =
            self;
        for ticks in teams_out.iter().chain(held) {
            h.each(ticks, |h, &t| h.u32(t));
        }
    }
}

/// The detention of a new world (after `situation::setup` and the units).
/// A scenario without an operation has none.
pub fn setup(world: &mut World, s: &Scenario) {
    let Some(spec) = &s.detention else { return };
    let zones = world.get_resource::<Zones>().map_or(1, |z| z.len());
    let units = world.resource::<AgentIndex>().units.len();
    world.insert_resource(Detention::new(spec, units, zones, s.metadata.minutes_per_tick));
}

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(arrest_by_units.in_set(Step::UnitsArrest));
}

/// Who the units' arrests reach: the civilians' conditions by entity.
#[derive(SystemParam)]
pub struct Suspects<'w, 's> {
    index: Res<'w, AgentIndex>,
    civilians: Query<'w, 's, &'static mut Condition, With<CivilianId>>,
}

/// Units whose task is to disperse, arrest or guard a site arrest random
/// actives within vision, in id order: by Epstein's rule, or with a
/// [`Detention`] as many as they have free teams and their zone has room
/// to hold.
pub fn arrest_by_units(
    now: TickRules,
    mut grid: ResMut<Grid>,
    ground: (Res<UnitShapes>, Option<Res<Zones>>),
    mut detention: Option<ResMut<Detention>>,
    mut books: ArrestBooks,
    units: Query<(&UnitId, &Unit, &Position, &Tasking)>,
    suspects: Suspects,
) {
    let TickRules { clock, streams, tunables, rules } = now;
    let (shapes, zones) = ground;
    let Suspects { index, mut civilians } = suspects;
    let (grid, tick) = (grid.writes(), clock.tick);
    let arrests = streams.draws(Stream::UnitArrest);
    let terms = streams.draws(Stream::JailTerm);
    let mut d = detention.as_deref_mut();
    if let Some(d) = d.as_mut() {
        d.settle(tick);
    }
    let max_term = d.as_ref().map_or(tunables.0.max_jail_term_ticks, |d| d.hold_ticks);
    for &entity in &index.units {
        let Ok((id, unit, pos, tasking)) = units.get(entity) else { continue };
        if !tasking.task.kind.arrests() {
            continue;
        }
        let shape = &shapes.0[&unit.vision_cells];
        let most = unit.arrests_per_tick();
        let now_possible = d.as_ref().map_or(most, |d| d.free_teams(*id, unit.strength_personnel, most));
        for n in 0..now_possible {
            let key = unit_key(*id) ^ (n as u64) << ARREST_NUMBER_SHIFT;
            let Some((suspect, cell)) = police::pick_suspect(&grid, pos.0, shape, arrests.agent(key, tick)) else {
                break;
            };
            let zone = zones.as_ref().map_or(0, |z| z.of(cell));
            if d.as_ref().is_some_and(|d| d.held[zone].len() as u32 >= d.holding_per_zone) {
                break; // the zone's stations are full
            }
            let Ok(mut condition) = civilians.get_mut(index.civilians[suspect as usize]) else { break };
            let how = police::Jailing { keep_cell: rules.0.jailed_keep_cell, max_term, terms, tick };
            books.jail(grid, &mut condition, Arrester::Unit(id.0), CivilianId(suspect), cell, how);
            if let (Some(d), Condition::Jailed { until_tick }) = (d.as_mut(), *condition) {
                d.held[zone].push(until_tick);
                d.teams_out[id.0 as usize].push(tick + d.processing_ticks);
            }
        }
    }
}
