//! Where the crowd goes and when (docs/model.md §11.9). Epstein's rule
//! still decides who turns active; this decides where people walk: to
//! their gathering in the morning, along the roads to the site their
//! gathering marches on, home in the evening, and, for bystanders, away
//! from the sites in conflict. Who is out follows the hour of the day,
//! fatigue over days and, for people from outlying communities, whether the
//! conflict has escalated.
//!
//! Everything about a person is a stateless draw on its id (commitment,
//! gathering, whether it comes from afar), so nothing is stored per
//! civilian: the only state is when the conflict escalated.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::base::rng::{AgentDraws, Draws};
use crate::civilians::CivilianId;
use crate::grid::{CellIndex, Grid, Shape, Terrain};
use crate::movement;
use crate::scenario::{CrowdType, PurposeSpec};

/// Cost of a cell no goal can be reached from.
pub const UNREACHABLE: u16 = u16::MAX;

/// How close (in step costs: 1 on a road, 2 off it) people stay to the
/// site they march on, and to their gathering (**Assumption**: a crowd
/// packs within about 100 m of a site, and a community within 150 m).
const SITE_REACH: u32 = 4;
const GATHERING_REACH: u32 = 6;

/// Trait draws on a civilian's id (slots 0–4 are hardship, risk aversion,
/// a spare, type and weapon).
const COMMITMENT_DRAW: u32 = 5;
const GATHERING_DRAW: u32 = 6;
const FROM_AFAR_DRAW: u32 = 7;

/// Where a civilian heads this tick.
#[derive(Debug, Clone, Copy)]
pub enum Heading<'a> {
    /// Epstein's random walk.
    Wander,
    /// Down `cost` until within `reach` of its goal, then about it; a
    /// walker that `keeps_off` a set of cells (`Some`) never steps on them
    /// nor next to a security unit.
    Toward { cost: &'a [u16], reach: u32, keeps_off: Option<&'a [bool]> },
    /// Until `keep` away (in walking cost) from the nearest site and the
    /// nearest security unit.
    AwayFrom { sites: &'a [u16], units: &'a [u16], keep: u32 },
}

impl Heading<'_> {
    /// The cost of standing on `cell` for this heading (0: where one wants
    /// to be), and the most a cell may cost to count as arrived.
    #[inline]
    pub fn score(&self, cell: CellIndex) -> u32 {
        match *self {
            Heading::Wander => 0,
            Heading::Toward { cost, .. } => cost[cell as usize] as u32,
            Heading::AwayFrom { sites, units, keep } => {
                keep.saturating_sub(sites[cell as usize].min(units[cell as usize]) as u32)
            }
        }
    }

    #[inline]
    pub fn reach(&self) -> u32 {
        match *self {
            Heading::Toward { reach, .. } => reach,
            _ => 0,
        }
    }

    /// The cell the walker at `cell` steps to, if any: Epstein's rule when
    /// wandering, [`movement::head_where`] otherwise. `is_empty` as in
    /// [`movement::propose_empty_where`].
    #[inline(always)]
    pub fn step(
        &self,
        grid: &Grid,
        is_empty: impl Fn(CellIndex) -> bool,
        cell: CellIndex,
        shape: &Shape,
        rng: AgentDraws,
    ) -> Option<CellIndex> {
        match *self {
            Heading::Wander => movement::propose_empty_where(grid, is_empty, cell, shape, rng),
            Heading::Toward { keeps_off: Some(closed), .. } => {
                let open = |c: CellIndex| is_empty(c) && !closed[c as usize] && !grid.unit_beside(c);
                movement::head_where(grid, open, cell, shape, rng, |c| self.score(c), self.reach())
            }
            _ => movement::head_where(grid, is_empty, cell, shape, rng, |c| self.score(c), self.reach()),
        }
    }
}

impl Heading<'_> {
    /// [`Self::step`] where cordons stand (`cordons`): no step crosses a
    /// line inwards. Walkers out of reach of every line step as before.
    #[inline(always)]
    pub fn step_past(
        &self,
        cordons: Option<&super::cordon::Cordons>,
        grid: &Grid,
        is_empty: impl Fn(CellIndex) -> bool,
        cell: CellIndex,
        shape: &Shape,
        rng: AgentDraws,
    ) -> Option<CellIndex> {
        match cordons {
            Some(lines) if !lines.is_empty() && lines.near(cell, shape.vision) => {
                self.step(grid, |c| is_empty(c) && lines.lets(cell, c), cell, shape, rng)
            }
            _ => self.step(grid, is_empty, cell, shape, rng),
        }
    }
}

/// The crowd's purpose for a run: the spec, the cost maps to every goal,
/// and this tick's share of the committed who are out.
#[derive(Debug, Clone)]
pub struct Purpose {
    pub spec: PurposeSpec,
    minutes_per_tick: f64,
    to_gathering: Vec<Vec<u16>>,
    to_site: Vec<Vec<u16>>,
    to_nearest_site: Vec<u16>,
    /// Walking cost to the nearest security unit, up to the bystanders'
    /// keep-away distance (beyond: [`UNREACHABLE`]); as the units stood at
    /// the start of the tick.
    to_nearest_unit: Vec<u16>,
    /// Cells `to_nearest_unit` holds a value for, to clear them.
    near_units: Vec<CellIndex>,
    /// By cell: part of a site its guards hold (marchers stop at the
    /// perimeter); as the guards stood at the start of the tick.
    held: Vec<bool>,
    /// Sites whose cells are in `held`.
    held_sites: Vec<u16>,
    /// Share of the committed out this tick.
    share_out: f64,
    /// Whether those out now head for their site (else their gathering).
    marching: bool,
    /// Tick the conflict escalated (first death or breached site).
    pub escalated_at: Option<u32>,
    arrivals_ticks: u32,
    /// By civilian id: the tick until which it stays away, dispersed by
    /// force (0: not dispersed; grown on demand).
    pub dispersed_until: Vec<u32>,
    dispersal_ticks: u32,
}

/// How long people put to flight by gas, projectiles or gunfire stay away
/// before they regroup (**Assumption**: two hours, the rhythm of the
/// clear-and-return cycles the Ombudsman reports on blocked roads).
pub const DISPERSAL_MINUTES: f64 = 120.0;

impl Purpose {
    pub fn new(spec: &PurposeSpec, terrain: &Terrain, minutes_per_tick: f64) -> Purpose {
        let to_gathering =
            spec.gatherings.iter().map(|g| cost_to(terrain, &[g.at.1 * terrain.width + g.at.0])).collect();
        let to_site: Vec<Vec<u16>> = terrain.site_cells.iter().map(|cells| cost_to(terrain, cells)).collect();
        let all_sites: Vec<CellIndex> = terrain.site_cells.iter().flatten().copied().collect();
        let mut p = Purpose {
            spec: spec.clone(),
            minutes_per_tick,
            to_gathering,
            to_site,
            to_nearest_site: cost_to(terrain, &all_sites),
            to_nearest_unit: vec![UNREACHABLE; terrain.width as usize * terrain.height as usize],
            near_units: Vec::new(),
            held: vec![false; terrain.width as usize * terrain.height as usize],
            held_sites: Vec::new(),
            share_out: 0.0,
            marching: false,
            escalated_at: None,
            arrivals_ticks: crate::base::ticks(spec.arrivals_after_hours * 60.0, minutes_per_tick),
            dispersed_until: Vec::new(),
            dispersal_ticks: crate::base::ticks(DISPERSAL_MINUTES, minutes_per_tick).max(1),
        };
        p.advance(0);
        p
    }

    /// The hour of the clock and the day (0 = the first) at tick `tick`.
    pub fn clock(&self, tick: u32) -> (f64, u32) {
        self.spec.day.clock(tick as f64 * self.minutes_per_tick)
    }

    /// Sets the share out and whether they march, for tick `tick`.
    pub fn advance(&mut self, tick: u32) {
        let day = &self.spec.day;
        let (hour, days) = self.clock(tick);
        self.share_out = day.share_out(hour) * (1.0 - self.spec.fatigue_per_day).powi(days as i32);
        self.marching = !(hour >= day.rise_from && hour < day.march_from);
    }

    /// Where the security units stand now: bystanders keep away from them
    /// as from the sites. The cost map is kept only as far as they keep
    /// away, so a tick costs the cells around the units, not the map.
    pub fn units_at(&mut self, terrain: &Terrain, cells: &[CellIndex]) {
        for &c in &self.near_units {
            self.to_nearest_unit[c as usize] = UNREACHABLE;
        }
        self.near_units.clear();
        let keep = self.spec.bystanders_keep_away_cells;
        if keep > 0 {
            walk_costs(terrain, cells, keep, &mut self.to_nearest_unit, Some(&mut self.near_units));
        }
    }

    /// The sites guards hold this tick (sorted, no repeats): marchers stop
    /// at their perimeter.
    pub fn sites_held(&mut self, terrain: &Terrain, sites: &[u16]) {
        for &s in &self.held_sites {
            for &c in &terrain.site_cells[s as usize] {
                self.held[c as usize] = false;
            }
        }
        self.held_sites.clear();
        self.held_sites.extend_from_slice(sites);
        for &s in sites {
            for &c in &terrain.site_cells[s as usize] {
                self.held[c as usize] = true;
            }
        }
    }

    /// The conflict escalates (once): people from afar set out.
    pub fn escalate(&mut self, tick: u32) {
        self.escalated_at.get_or_insert(tick);
    }

    /// Civilian `id` is put to flight at `tick`: it goes home and does not
    /// protest until the dispersal is over.
    pub fn disperse(&mut self, id: CivilianId, tick: u32) {
        let i = id.0 as usize;
        if i >= self.dispersed_until.len() {
            self.dispersed_until.resize(i + 1, 0);
        }
        self.dispersed_until[i] = self.dispersed_until[i].max(tick + self.dispersal_ticks);
    }

    /// Whether people from outlying communities have arrived by `tick`.
    fn arrived(&self, tick: u32) -> bool {
        self.escalated_at.is_some_and(|at| tick >= at.saturating_add(self.arrivals_ticks))
    }

    /// Whether protester `id` is out this tick: committed enough for the
    /// hour and the day, and here (from afar only once arrived).
    #[inline]
    pub fn is_out(&self, traits: Draws, id: CivilianId, tick: u32) -> bool {
        let key = id.0 as u64;
        let from_afar = traits.unit(key, 0, FROM_AFAR_DRAW) < self.spec.arrivals_share;
        let dispersed = self.dispersed_until.get(id.0 as usize).is_some_and(|&until| tick < until);
        !dispersed && (!from_afar || self.arrived(tick)) && traits.unit(key, 0, COMMITMENT_DRAW) < self.share_out
    }

    /// Where civilian `id` of type `ty` heads this tick.
    #[inline]
    pub fn heading(&self, traits: Draws, id: CivilianId, ty: CrowdType, tick: u32) -> Heading<'_> {
        if ty == CrowdType::Bystander {
            let keep = self.spec.bystanders_keep_away_cells;
            return if keep == 0 {
                Heading::Wander
            } else {
                Heading::AwayFrom { sites: &self.to_nearest_site, units: &self.to_nearest_unit, keep }
            };
        }
        let n = self.spec.gatherings.len() as u32;
        let g = traits.below(n, id.0 as u64, 0, GATHERING_DRAW) as usize;
        if self.is_out(traits, id, tick) && self.marching {
            // A crowd faces a police line a step away and stops at a held
            // site's perimeter; shock groups close in and push through.
            let keeps_off = (ty != CrowdType::ShockGroup).then_some(&self.held[..]);
            Heading::Toward { cost: &self.to_site[self.spec.gatherings[g].march_to], reach: SITE_REACH, keeps_off }
        } else {
            Heading::Toward { cost: &self.to_gathering[g], reach: GATHERING_REACH, keeps_off: None }
        }
    }
}

/// The least cost to walk from every cell to the nearest of `seeds`, a step
/// costing 1 onto a road and 2 onto other open ground (so a march keeps to
/// the roads, as units' paths do), never through buildings. Dijkstra with
/// ties broken by cell index: the map depends only on the terrain.
pub fn cost_to(terrain: &Terrain, seeds: &[CellIndex]) -> Vec<u16> {
    let mut cost = vec![UNREACHABLE; terrain.width as usize * terrain.height as usize];
    walk_costs(terrain, seeds, UNREACHABLE as u32, &mut cost, None);
    cost
}

/// [`cost_to`]'s search into `cost` (all [`UNREACHABLE`] but where a search
/// already reached), keeping only costs below `below`; each cell it gives a
/// cost is added to `reached`, to clear it later.
fn walk_costs(
    terrain: &Terrain,
    seeds: &[CellIndex],
    below: u32,
    cost: &mut [u16],
    mut reached: Option<&mut Vec<CellIndex>>,
) {
    let mut set = |cost: &mut [u16], cell: CellIndex, c: u32| {
        if cost[cell as usize] == UNREACHABLE
            && let Some(r) = reached.as_deref_mut()
        {
            r.push(cell);
        }
        cost[cell as usize] = c as u16;
    };
    let mut open = BinaryHeap::new();
    for &s in seeds {
        if cost[s as usize] != 0 {
            set(cost, s, 0);
            open.push(Reverse((0u32, s)));
        }
    }
    while let Some(Reverse((c, cell))) = open.pop() {
        if c > cost[cell as usize] as u32 {
            continue;
        }
        for next in terrain.steps(cell) {
            let nc = c + terrain.step_cost(next);
            if terrain.passable(next) && nc < below && nc < cost[next as usize] as u32 {
                set(cost, next, nc);
                open.push(Reverse((nc, next)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::rng::{Stream, Streams};
    use crate::scenario::load_str;

    fn terrain(rows: &[&str]) -> Terrain {
        let sites = if rows.iter().any(|r| r.contains('S')) {
            ", sites: [(symbol: 'S', name: \"s\", kind: Mine, breach_actives: 1)]"
        } else {
            ""
        };
        let text = format!(
            "Scenario(metadata: (name: \"t\"), map: (width_cells: {}, height_cells: {}, edges: Bounded, terrain: [{}]{sites}), \
             civilians: (count: 1), police: (count: 0))",
            rows[0].len(),
            rows.len(),
            rows.iter().map(|r| format!("\"{r}\"")).collect::<Vec<_>>().join(", ")
        );
        Terrain::new(&load_str("t", &text, &[]).unwrap().map)
    }

    /// One gathering at (9, 2) marching on site 0, the usual day starting
    /// at `clock_at_start`, no arrivals.
    fn one_gathering(clock_at_start: f64, fatigue_per_day: f64, bystanders_keep_away_cells: u32) -> PurposeSpec {
        PurposeSpec {
            gatherings: vec![crate::scenario::Gathering { name: "g".into(), at: (9, 2), march_to: 0 }],
            day: crate::scenario::Day {
                clock_at_start,
                rise_from: 6.0,
                march_from: 9.0,
                peak_from: 10.0,
                peak_until: 16.0,
                home_by: 21.0,
                night_share: 0.05,
            },
            fatigue_per_day,
            arrivals_share: 0.0,
            arrivals_after_hours: 0.0,
            bystanders_keep_away_cells,
        }
    }

    #[test]
    fn bystanders_know_how_far_the_units_are_up_to_their_keep_away_distance() {
        let t = terrain(&["S.........", "..........", ".........."]);
        let spec = one_gathering(6.0, 0.1, 5);
        let mut p = Purpose::new(&spec, &t, 1.0);
        p.units_at(&t, &[15]); // (5, 1)
        assert_eq!(p.to_nearest_unit[15], 0);
        assert_eq!(p.to_nearest_unit[16], 2, "one step over open ground");
        assert_eq!(p.to_nearest_unit[17], 4);
        assert_eq!(p.to_nearest_unit[18], UNREACHABLE, "6 is beyond the keep-away distance of 5");
        p.units_at(&t, &[0]);
        assert_eq!(p.to_nearest_unit[15], UNREACHABLE, "the old map is cleared when the unit moves");
        assert_eq!(p.to_nearest_unit[1], 2);
        let heading = p.heading(Streams::new(1).draws(Stream::Traits), CivilianId(0), CrowdType::Bystander, 0);
        assert_eq!(heading.score(1), 5 - 2, "the site at cell 0 and the unit on it");
        assert_eq!(heading.score(9), 0, "far from both");
    }

    #[test]
    fn marchers_stop_at_a_held_sites_perimeter_and_shock_groups_push_in() {
        let t = terrain(&["SS........", "SS........", ".........."]);
        let spec = one_gathering(12.0, 0.0, 0);
        let mut p = Purpose::new(&spec, &t, 1.0);
        let traits = Streams::new(1).draws(Stream::Traits);
        // Someone committed enough to be out at noon.
        let marcher = (0..1000).map(CivilianId).find(|&id| p.is_out(traits, id, 0)).unwrap();
        let closed = |p: &Purpose, ty| match p.heading(traits, marcher, ty, 0) {
            Heading::Toward { keeps_off: Some(held), .. } => (0..30).filter(|&c| held[c]).collect::<Vec<_>>(),
            Heading::Toward { keeps_off: None, .. } => vec![],
            _ => panic!("a marcher heads somewhere"),
        };
        assert_eq!(closed(&p, CrowdType::PeacefulProtester), Vec::<usize>::new(), "no guard: the site is open");
        p.sites_held(&t, &[0]);
        assert_eq!(closed(&p, CrowdType::PeacefulProtester), vec![0, 1, 10, 11], "guarded: its cells are closed");
        assert_eq!(closed(&p, CrowdType::ShockGroup), Vec::<usize>::new(), "shock groups push in");
        p.sites_held(&t, &[]);
        assert_eq!(closed(&p, CrowdType::Blockader), Vec::<usize>::new(), "the guards left: open again");
    }

    #[test]
    fn costs_go_round_buildings_and_prefer_roads() {
        let t = terrain(&["....", ".##.", "====", "...."]);
        let cost = cost_to(&t, &[0]);
        assert_eq!(cost[0], 0);
        assert_eq!(cost[3], 6, "three steps on open ground");
        assert_eq!(cost[5], UNREACHABLE, "a building is never entered");
        // (3, 2) on the road: down to it over open ground (2), onto it (1),
        // then along it (1 each): 6, not 9 round the top row.
        assert_eq!(cost[2 * 4 + 3], 6);
    }
}
