//! The true situation on the ground, taken every report interval: actives
//! per sector (and on roads), per legal zone and per critical site, and PNP
//! strength per zone. Command chains see it only through reports
//! (`command::picture`); the political level's declaration triggers read
//! the zone totals (`law`).

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::base::{Clock, Position, Step};
use crate::civilians::Condition;
use crate::grid::terrain::Ground;
use crate::grid::{CellIndex, Terrain};
use crate::police::OfficerId;
use crate::scenario::{Agency, LawSpec, MapSpec, Scenario};
use crate::units::{Unit, UnitId};

/// Squares of `side` cells over the map; the unit of a command picture.
#[derive(Debug, Clone, Copy)]
pub struct Sectors {
    pub side: u32,
    pub columns: u32,
    pub rows: u32,
    width: u32,
}

impl Sectors {
    pub fn new(map: &MapSpec, side: u32) -> Sectors {
        Sectors {
            side,
            columns: map.width_cells.div_ceil(side),
            rows: map.height_cells.div_ceil(side),
            width: map.width_cells,
        }
    }

    pub fn count(&self) -> usize {
        self.columns as usize * self.rows as usize
    }

    #[inline]
    pub fn of(&self, cell: CellIndex) -> u32 {
        let (x, y) = (cell % self.width, cell / self.width);
        (y / self.side) * self.columns + x / self.side
    }

    /// The cell in the middle of a sector (clipped to the map).
    pub fn centre(&self, sector: u32, map_height: u32) -> CellIndex {
        let (sx, sy) = (sector % self.columns, sector / self.columns);
        let x = (sx * self.side + self.side / 2).min(self.width - 1);
        let y = (sy * self.side + self.side / 2).min(map_height - 1);
        y * self.width + x
    }
}

/// Legal zones: which zone each cell is in.
#[derive(Resource, Debug, Clone)]
pub struct Zones {
    pub names: Vec<String>,
    of_cell: Vec<u16>,
    width: u32,
}

impl Zones {
    /// The scenario's rectangles (first match wins), then one zone for the
    /// cells outside them all, if any; one zone `map` if none are given.
    pub fn new(map: &MapSpec, law: &LawSpec) -> Zones {
        if law.zones.is_empty() {
            return Zones { names: vec!["map".to_string()], of_cell: vec![0; map.cells()], width: map.width_cells };
        }
        let rest = law.zones.len() as u16;
        let of_cell: Vec<u16> = (0..map.cells() as u32)
            .map(|c| {
                let (x, y) = (c % map.width_cells, c / map.width_cells);
                law.zones.iter().position(|z| z.contains(x, y)).map_or(rest, |i| i as u16)
            })
            .collect();
        let mut names: Vec<String> = law.zones.iter().map(|z| z.name.clone()).collect();
        if of_cell.contains(&rest) {
            names.push("rest of map".to_string());
        }
        Zones { names, of_cell, width: map.width_cells }
    }

    /// The map's width (to name cells in events).
    pub fn width(&self) -> u32 {
        self.width
    }

    #[inline]
    pub fn of(&self, cell: CellIndex) -> usize {
        self.of_cell[cell as usize] as usize
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The latest true situation.
#[derive(Resource, Debug, Clone)]
pub struct Situation {
    pub sectors: Sectors,
    /// Tick it was taken.
    pub tick: u32,
    pub sector_actives: Vec<u32>,
    pub sector_road_actives: Vec<u32>,
    pub zone_actives: Vec<u32>,
    /// PNP personnel (unit strengths plus Epstein officers) in each zone.
    pub zone_pnp_personnel: Vec<u32>,
    /// Actives standing on each site's cells.
    pub site_actives: Vec<u32>,
    /// Whether each site has its breach count of actives on it.
    pub site_breached: Vec<bool>,
}

impl Situation {
    pub fn new(sectors: Sectors, zones: usize, sites: usize) -> Situation {
        Situation {
            sectors,
            tick: 0,
            sector_actives: vec![0; sectors.count()],
            sector_road_actives: vec![0; sectors.count()],
            zone_actives: vec![0; zones],
            zone_pnp_personnel: vec![0; zones],
            site_actives: vec![0; sites],
            site_breached: vec![false; sites],
        }
    }
}

impl Fingerprint for Situation {
    fn fingerprint(&self, h: &mut Fnv) {
        let Situation {
            sectors: _,
            tick,
            sector_actives,
            sector_road_actives,
            zone_actives,
            zone_pnp_personnel,
            site_actives,
            site_breached,
        } = self;
        h.u32(*tick);
        for counts in [sector_actives, sector_road_actives, zone_actives, zone_pnp_personnel, site_actives] {
            h.each(counts, |h, &n| h.u32(n));
        }
        h.each(site_breached, |h, &b| h.flag(b));
    }
}

/// How often the situation is taken, in ticks.
#[derive(Resource, Debug, Clone, Copy)]
pub struct ReportEvery(pub u32);

/// The clock and the report interval: what a system that works on report
/// ticks reads to know whether this is one ([`is_report_tick`]).
#[derive(SystemParam)]
pub struct ReportClock<'w> {
    pub clock: Res<'w, Clock>,
    pub every: Res<'w, ReportEvery>,
}

/// Whether this tick is a report tick.
pub fn is_report_tick(clock: &Clock, every: ReportEvery) -> bool {
    clock.tick.is_multiple_of(every.0.max(1)) || clock.tick == 1
}

/// Thresholds from the scenario, per site.
#[derive(Resource, Debug, Clone)]
pub struct SiteBreach(pub Vec<u32>);

/// The operation's picture of the ground in a new world: the legal zones,
/// the sectors command thinks in, the sites' breach thresholds and the
/// report interval in ticks. A scenario without an operation has none.
pub fn setup(world: &mut World, s: &Scenario) {
    let (Some(cmd), Some(law)) = (&s.command, &s.law) else { return };
    let zones = Zones::new(&s.map, law);
    let sectors = Sectors::new(&s.map, cmd.sector_cells);
    world.insert_resource(SiteBreach(s.map.sites.iter().map(|x| x.breach_actives).collect()));
    world.insert_resource(Situation::new(sectors, zones.len(), s.map.sites.len()));
    world.insert_resource(ReportEvery(
        crate::base::ticks(cmd.report_interval_minutes, s.metadata.minutes_per_tick).max(1),
    ));
    world.insert_resource(zones);
}

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(take_situation.in_set(Step::TakeSituation));
}

/// Who stands where: the civilians and their condition, the units and
/// Epstein's officers.
#[derive(SystemParam)]
pub struct Presence<'w, 's> {
    civilians: Query<'w, 's, (&'static Position, &'static Condition)>,
    units: Query<'w, 's, (&'static UnitId, &'static Unit, &'static Position)>,
    officers: Query<'w, 's, &'static Position, With<OfficerId>>,
}

pub fn take_situation(
    report: ReportClock,
    terrain: Res<Terrain>,
    zones: Res<Zones>,
    breach: Res<SiteBreach>,
    mut situation: ResMut<Situation>,
    presence: Presence,
) {
    let ReportClock { clock, every } = report;
    let Presence { civilians, units, officers } = presence;
    if !is_report_tick(&clock, *every) {
        return;
    }
    let s = &mut *situation;
    s.tick = clock.tick;
    for v in [&mut s.sector_actives, &mut s.sector_road_actives, &mut s.zone_actives, &mut s.zone_pnp_personnel] {
        v.fill(0);
    }
    s.site_actives.fill(0);
    for (pos, condition) in &civilians {
        if *condition != Condition::Active {
            continue;
        }
        let sector = s.sectors.of(pos.0) as usize;
        s.sector_actives[sector] += 1;
        match terrain.ground(pos.0) {
            Ground::Road => s.sector_road_actives[sector] += 1,
            Ground::Site(i) => s.site_actives[i as usize] += 1,
            _ => {}
        }
        s.zone_actives[zones.of(pos.0)] += 1;
    }
    for (_, unit, pos) in &units {
        if unit.agency == Agency::Pnp {
            s.zone_pnp_personnel[zones.of(pos.0)] += unit.strength_personnel;
        }
    }
    for pos in &officers {
        s.zone_pnp_personnel[zones.of(pos.0)] += 1;
    }
    for (i, b) in s.site_breached.iter_mut().enumerate() {
        *b = s.site_actives[i] >= breach.0[i];
    }
}
