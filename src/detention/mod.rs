//! Detention: units' arrests, as Epstein's rule or as a process bounded by
//! people and by law (docs/model.md, "Detention"). Epstein's officers keep
//! Epstein's jail.
//!
//! A unit whose task is to arrest or guard a site arrests random actives
//! within its vision, in id order, up to one per 10 personnel a
//! tick, and jails them for Epstein's term. With the scenario's
//! `detention` section (the shipped social-conflict scenarios have it):
//! - each arrest takes a team (`detention.team_personnel`) out of action for
//!   `processing_minutes` (restraint, transport, booking), so a unit makes
//!   no more arrests at once than it has free teams;
//! - a zone's police stations hold at most `holding_per_zone` detainees:
//!   when they are full, nobody more is arrested there;
//! - a detainee is held for a term drawn uniformly from 0 to `hold_hours`,
//!   never past the 48 hours of the Constitution (art. 2.24.f), then
//!   released (the civilians' jail release) and the place freed;
//! - soldiers book no one: an FF.AA. team hands its detainee to the PNP
//!   (Código Procesal Penal art. 260.2), out for `handover_minutes`
//!   instead of `processing_minutes` (a `handed_over` event);
//! - without a warrant, a person may be arrested only in flagrante
//!   (art. 2.24.f): a unit arrests actives it sees committing an offence
//!   ([`offending`]: blocking a road, inside a critical site, or at arm's
//!   length confronting the unit). Where a state of exception is in force
//!   and `liberty_suspended_in_emergency` says its decree suspends personal
//!   liberty (art. 137.1), it goes for offenders first, then for any active
//!   it sees;
//! - a unit on selective arrest sends snatch teams for the core, not for
//!   whoever is nearest ([`pick_core`]): among the offenders it sees, an
//!   instigator (a shock group's member or a paid agitator) first, then the
//!   one with most actives around.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use crate::base::events::{Event, EventLog};
use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::base::rng::AgentDraws;
use crate::base::rng::Stream;
use crate::base::{AgentIndex, Position, Step, TickRules};
use crate::civilians::{CivilianId, Condition};
use crate::crowd::CrowdMood;
use crate::grid::terrain::Ground;
use crate::grid::{CellIndex, Grid, Occupant, Shape, Terrain, is_active_code};
use crate::law::LegalState;
use crate::police::{self, ArrestBooks, Arrester};
use crate::scenario::{Agency, CrowdType, DetentionSpec, Regime, Scenario};
use crate::situation::Zones;
use crate::units::TaskKind;
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
    liberty_suspended_in_emergency: bool,
    handover_ticks: u32,
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
            liberty_suspended_in_emergency: spec.liberty_suspended_in_emergency,
            handover_ticks: crate::base::ticks(spec.handover_minutes, minutes_per_tick).max(1),
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
        let Detention {
            team_personnel: _,
            processing_ticks: _,
            holding_per_zone: _,
            hold_ticks: _,
            liberty_suspended_in_emergency: _,
            handover_ticks: _,
            teams_out,
            held,
        } = self;
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

/// How close an active must stand to a unit to be confronting it, in
/// cells (**Assumption**: at arm's length, the cells around it).
const ARM_LENGTH_CELLS: u32 = 1;

/// Whether a unit standing at column and row `at` sees the active on `cell`
/// committing an offence it may be arrested for in flagrante: blocking a
/// road (Código Penal art. 283), inside a critical site (art. 315,
/// disturbances), or confronting the unit at arm's length (art. 366,
/// violence against the authority).
pub fn offending(terrain: &Terrain, grid: &Grid, at: (u32, u32), cell: CellIndex) -> bool {
    let (x, y) = grid.xy(cell);
    matches!(terrain.ground(cell), Ground::Site(_))
        || at.0.abs_diff(x).max(at.1.abs_diff(y)) <= ARM_LENGTH_CELLS
        || terrain.is_road(cell) && blocking(terrain, grid, (x, y))
}

/// Whether an active on the road cell at column and row `at` stands in a
/// line across it: another active on a road cell beside it (one person
/// crossing a road blocks nothing).
fn blocking(terrain: &Terrain, grid: &Grid, (x, y): (u32, u32)) -> bool {
    (-1..=1).any(|dy: i32| {
        (-1..=1).any(|dx: i32| {
            (dx, dy) != (0, 0)
                && grid.offset_xy(x, y, dx, dy).is_some_and(|c| {
                    terrain.is_road(c) && matches!(grid.get(c), Occupant::Civilian { active: true, .. })
                })
        })
    })
}

/// How much an instigator outweighs the actives around a suspect in a
/// snatch team's choice: more than the eight cells around can hold, so an
/// instigator in sight always goes first.
const INSTIGATOR_WEIGHT: u32 = 9;

/// The suspect a snatch team goes for (selective arrest: the PNP's
/// differentiated policing, Euro 2004's targeted snatch squads, domain
/// brief §5): among the actives within `shape` of `cell` on a cell that
/// passes `offends`, those with the highest score — `INSTIGATOR_WEIGHT`
/// for an instigator, plus one per active on the eight cells around —
/// and a uniformly random one of them (reservoir sampling, draws 2 on).
pub fn pick_core(
    grid: &Grid,
    cell: CellIndex,
    shape: &Shape,
    rng: AgentDraws,
    offends: impl Fn(CellIndex) -> bool,
    instigator: impl Fn(u32) -> bool,
) -> Option<(u32, CellIndex)> {
    let (mut best, mut ties, mut chosen) = (0u32, 0u32, None);
    grid.scan(cell, shape, |c, code| {
        if !is_active_code(code) || !offends(c) {
            return;
        }
        let Occupant::Civilian { id, .. } = Occupant::decode(code) else { return };
        let (x, y) = grid.xy(c);
        let around = (-1..=1)
            .flat_map(|dy| (-1..=1).map(move |dx| (dx, dy)))
            .filter(|&(dx, dy)| (dx, dy) != (0, 0))
            .filter(|&(dx, dy)| grid.offset_xy(x, y, dx, dy).is_some_and(|n| is_active_code(grid.code(n))))
            .count() as u32;
        let score = INSTIGATOR_WEIGHT * instigator(id) as u32 + around;
        if chosen.is_none() || score > best {
            (best, ties, chosen) = (score, 1, Some((id, c)));
        } else if score == best {
            ties += 1;
            if rng.below(ties, 1 + ties) == 0 {
                chosen = Some((id, c));
            }
        }
    });
    chosen
}

/// What the units' arrests read of the ground and the law: their shapes
/// of vision, the zones, the terrain, the regimes in force.
#[derive(SystemParam)]
pub struct ArrestGround<'w> {
    shapes: Res<'w, UnitShapes>,
    zones: Option<Res<'w, Zones>>,
    terrain: Res<'w, Terrain>,
    law: Option<Res<'w, LegalState>>,
    mood: Option<Res<'w, CrowdMood>>,
}

/// Units whose task is to arrest or guard a site arrest random
/// actives within vision, in id order: by Epstein's rule, or with a
/// [`Detention`] as many as they have free teams and their zone has room
/// to hold, those seen offending first (see the module's rules).
pub fn arrest_by_units(
    now: TickRules,
    mut grid: ResMut<Grid>,
    ground: ArrestGround,
    mut detention: Option<ResMut<Detention>>,
    (mut books, mut journal): (ArrestBooks, ResMut<EventLog>),
    units: Query<(&UnitId, &Unit, &Position, &Tasking)>,
    suspects: Suspects,
) {
    let TickRules { clock, streams, tunables, rules } = now;
    let ArrestGround { shapes, zones, terrain, law, mood } = ground;
    let instigator = |id| {
        mood.as_ref()
            .and_then(|m| m.type_of(CivilianId(id)))
            .is_some_and(|t| matches!(t, CrowdType::ShockGroup | CrowdType::PaidAgitator))
    };
    let Suspects { index, mut civilians } = suspects;
    let (grid, tick) = (grid.writes(), clock.tick);
    let arrests = streams.draws(Stream::UnitArrest);
    let terms = streams.draws(Stream::JailTerm);
    let mut d = detention.as_deref_mut();
    if let Some(d) = d.as_mut() {
        d.settle(tick);
    }
    let max_term = d.as_ref().map_or(tunables.0.max_jail_term_ticks, |d| d.hold_ticks);
    let zone_of = |cell| zones.as_ref().map_or(0, |z| z.of(cell));
    for &entity in &index.units {
        let Ok((id, unit, pos, tasking)) = units.get(entity) else { continue };
        if !tasking.task.kind.arrests() {
            continue;
        }
        let shape = &shapes.0[&unit.vision_cells];
        let most = unit.arrests_per_tick();
        let now_possible = d.as_ref().map_or(most, |d| d.free_teams(*id, unit.strength_personnel, most));
        let at = grid.xy(pos.0);
        let suspended = d.as_ref().is_some_and(|d| d.liberty_suspended_in_emergency)
            && law.as_ref().is_some_and(|l| l.regime(zone_of(pos.0)) != Regime::Normal);
        for n in 0..now_possible {
            let key = unit_key(*id) ^ (n as u64) << ARREST_NUMBER_SHIFT;
            let rng = arrests.agent(key, tick);
            let picked = if d.is_none() {
                police::pick_suspect(&grid, pos.0, shape, rng)
            } else {
                let offends = |c| offending(&terrain, &grid, at, c);
                if tasking.task.kind == TaskKind::Arrest {
                    pick_core(&grid, pos.0, shape, rng, offends, instigator)
                } else {
                    police::pick_suspect_where(&grid, pos.0, shape, rng, 0, offends)
                }
                .or_else(|| suspended.then(|| police::pick_suspect_where(&grid, pos.0, shape, rng, 1, |_| true))?)
            };
            let Some((suspect, cell)) = picked else { break };
            let zone = zone_of(cell);
            if d.as_ref().is_some_and(|d| d.held[zone].len() as u32 >= d.holding_per_zone) {
                break; // the zone's stations are full
            }
            let Ok(mut condition) = civilians.get_mut(index.civilians[suspect as usize]) else { break };
            let how = police::Jailing { keep_cell: rules.0.jailed_keep_cell, max_term, terms, tick };
            books.jail(grid, &mut condition, Arrester::Unit(id.0), CivilianId(suspect), cell, how);
            if let (Some(d), Condition::Jailed { until_tick }) = (d.as_mut(), *condition) {
                d.held[zone].push(until_tick);
                // Soldiers do not book: they hand the detainee to the PNP.
                let out = if unit.agency == Agency::Ffaa {
                    let due_tick = tick + d.handover_ticks;
                    journal.push(Event::HandedOver { tick, unit: id.0, civilian: suspect, due_tick });
                    d.handover_ticks
                } else {
                    d.processing_ticks
                };
                d.teams_out[id.0 as usize].push(tick + out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Edges, MapSpec, Site, SiteKind};

    #[test]
    fn an_offence_is_seen_in_a_site_in_a_line_on_a_road_or_at_arms_length() {
        let rows = ["..........", "====......", "..........", "......AA..", ".........."];
        let site = Site { symbol: 'A', name: "a".into(), kind: SiteKind::Airport, breach_actives: 1 };
        let map = MapSpec {
            width_cells: 10,
            height_cells: 5,
            edges: Edges::Bounded,
            terrain: Some(rows.iter().map(|r| r.to_string()).collect()),
            sites: vec![site],
        };
        let (terrain, mut grid) = (Terrain::new(&map), Grid::new(&map));
        let active = |id| Occupant::Civilian { id, active: true };
        let cell = |x: u32, y: u32| y * 10 + x;
        let unit = (9, 0);
        grid.writes().set(cell(0, 1), active(0));
        assert!(!offending(&terrain, &grid, unit, cell(0, 1)), "one person on a road blocks nothing");
        grid.writes().set(cell(1, 1), active(1));
        assert!(offending(&terrain, &grid, unit, cell(0, 1)), "two side by side on a road are a line");
        grid.writes().set(cell(1, 2), active(2));
        assert!(!offending(&terrain, &grid, unit, cell(1, 2)), "beside a line, off the road");
        assert!(offending(&terrain, &grid, unit, cell(6, 3)), "inside a site");
        assert!(offending(&terrain, &grid, unit, cell(8, 1)), "next to the unit");
        assert!(!offending(&terrain, &grid, unit, cell(7, 2)), "two cells from the unit");
    }

    #[test]
    fn snatch_teams_go_for_instigators_then_the_thick_of_the_crowd() {
        use crate::base::rng::{Stream, Streams};
        use crate::scenario::Neighbourhood;
        let map = MapSpec { width_cells: 12, height_cells: 6, edges: Edges::Bounded, terrain: None, sites: vec![] };
        let mut grid = Grid::new(&map);
        let shape = Shape::new(Neighbourhood::Moore, 11).for_row_length(12);
        let cell = |x: u32, y: u32| y * 12 + x;
        let active = |id| Occupant::Civilian { id, active: true };
        // One active beside the unit, a knot of five further off (the
        // middle one has four actives around it).
        grid.writes().set(cell(1, 0), active(0));
        for (i, (x, y)) in [(7, 3), (8, 3), (9, 3), (8, 2), (8, 4)].into_iter().enumerate() {
            grid.writes().set(cell(x, y), active(1 + i as u32));
        }
        let draws = Streams::new(1).draws(Stream::UnitArrest);
        let pick = |grid: &Grid, seed, instigators: &[u32]| {
            pick_core(grid, cell(0, 0), &shape, draws.agent(seed, 0), |_| true, |id| instigators.contains(&id))
        };
        for seed in 0..20 {
            assert_eq!(pick(&grid, seed, &[]), Some((2, cell(8, 3))), "the thick of the crowd, not the nearest");
            assert_eq!(pick(&grid, seed, &[0]), Some((0, cell(1, 0))), "an instigator first");
        }
        // Ties are broken at random: the four arms of the knot each have
        // two actives around (the centre and none other).
        grid.writes().set(cell(8, 3), Occupant::Empty);
        let picked: std::collections::BTreeSet<_> =
            (0..40).filter_map(|seed| pick(&grid, seed, &[])).map(|p| p.0).collect();
        assert!(picked.len() > 1 && !picked.contains(&0), "{picked:?}");
        assert_eq!(pick_core(&grid, cell(0, 0), &shape, draws.agent(1, 0), |_| false, |_| true), None);
    }
}
