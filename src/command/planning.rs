//! Commanders' decisions: read a picture, find hotspots, task units.
//!
//! Rules (documented in `docs/model.md`), all deterministic:
//! 1. Hotspots, in priority order: threatened critical sites (reported
//!    actives in the site's sectors at least its breach count), blocked roads
//!    (a hotspot sector with at least half its actives on road cells), then
//!    active crowds (a sector with at least `hotspot_actives` reported
//!    actives). Ties: more actives first, then lower sector index.
//! 2. A hotspot needs one unit per `actives_per_unit` actives, at least one
//!    and at most [`MAX_UNITS_PER_HOTSPOT`]; a site one guard (two if twice
//!    its breach count).
//! 3. Units keep a task whose hotspot is still in the picture; units whose
//!    hotspot is gone go back to their standing task.
//! 4. Free units are matched to hotspots in priority order, each time the
//!    one with the lowest cost: steps from its last reported cell plus
//!    [`PREFERENCE_CELLS`] per rank of its kind for the hotspot (below), ties
//!    by unit id.
//! 5. Rank and task follow the planner's doctrine ([`fit`]): sites are
//!    guarded, soldiers first; crowds and roads go to the kinds of unit the
//!    planner's agency sends against a crowd.

use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::grid::{CellIndex, Terrain};
use crate::scenario::UnitKind;
use crate::situation::Sectors;

use crate::units::TaskKind;

use super::Planner;
use super::picture::Picture;

pub const MAX_UNITS_PER_HOTSPOT: u32 = 8;
/// The rank of a kind a planner sends only when nothing else is free.
const LAST_RESORT: u32 = 50;
/// How many cells of walking one rank of preference is worth.
pub const PREFERENCE_CELLS: u32 = 20;

/// What a hotspot is about: a critical site, or a sector with a crowd (on
/// a road or not: that may change from one picture to the next, the
/// sector stays the same concern).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Concern {
    Site(u16),
    Sector(u32),
}

impl Concern {
    pub fn is_site(self) -> bool {
        matches!(self, Concern::Site(_))
    }
}

impl Fingerprint for Concern {
    fn fingerprint(&self, h: &mut Fnv) {
        h.u64(match *self {
            Concern::Site(s) => 1 << 32 | s as u64,
            Concern::Sector(s) => s as u64,
        });
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hotspot {
    pub concern: Concern,
    /// A crowd with at least half its actives on road cells.
    pub blocked_road: bool,
    pub cell: CellIndex,
    pub actives: u32,
    pub need: u32,
    pub observed_tick: u32,
}

/// Where a site is and when it counts as threatened.
#[derive(Debug, Clone)]
pub struct SiteInfo {
    pub sectors: Vec<u32>,
    /// A passable cell of the site near its middle.
    pub cell: CellIndex,
    pub breach_actives: u32,
}

/// The rank of a unit kind for a concern (0 best) and the task it gets,
/// by the doctrine of the planner (`docs/model.md` §10.5, "Doctrine"):
/// - every planner guards critical sites with soldiers first (D. Leg. 1095:
///   protection of strategic assets is the FF.AA.'s first support task);
/// - the PNP's planner faces crowds with its own crowd-control units
///   (graduated dispersal) and its patrols (selective arrest), and keeps the
///   FF.AA. in support to cordons (the crowd-trained) and presence patrols
///   (the infantry), away from contact with the crowd (D. Leg. 1095 art.
///   23: the FF.AA. support, the PNP keeps control of order; **Assumption**
///   that its planners read "support" so);
/// - the FF.AA.'s planner, in control of internal order, clears crowds and
///   roads with its own units first, infantry included (**Assumption**: a
///   military command uses the force it commands, as in the 2022–23
///   deployments), and hands arrests to the PNP's patrols;
/// - the unified post uses each agency for what it trained for: crowd
///   control by the crowd-trained of either, arrests by PNP patrols,
///   cordons by infantry (**Assumption**: the intent of a joint post).
pub fn fit(planner: Planner, kind: UnitKind, concern: Concern) -> (u32, TaskKind) {
    use UnitKind::*;
    if concern.is_site() {
        let rank = match kind {
            FfaaInfantry => 0,
            FfaaCrowdTrained => 1,
            PnpPatrol => 2,
            PnpCrowdControl => 3,
            // Negotiators guard nothing; a last resort at a site's gate.
            PnpDialogueTeam => LAST_RESORT,
        };
        let task = if kind == PnpDialogueTeam { TaskKind::Negotiate } else { TaskKind::GuardSite };
        return (rank, task);
    }
    match (planner, kind) {
        // The PNP and the joint post send negotiators first (PNP human-rights
        // manual: dialogue before force; brief: dialogue police); an FF.AA.
        // command keeps them for last (**Assumption**).
        (Planner::Pnp | Planner::Unified, PnpDialogueTeam) => (0, TaskKind::Negotiate),
        (Planner::Ffaa, PnpDialogueTeam) => (LAST_RESORT, TaskKind::Negotiate),
        (Planner::Pnp, PnpCrowdControl) => (0, TaskKind::Disperse),
        (Planner::Pnp, PnpPatrol) => (1, TaskKind::Arrest),
        (Planner::Pnp, FfaaCrowdTrained) => (2, TaskKind::Cordon),
        (Planner::Pnp, FfaaInfantry) => (3, TaskKind::Presence),
        (Planner::Ffaa, FfaaCrowdTrained) => (0, TaskKind::Disperse),
        (Planner::Ffaa, FfaaInfantry) => (1, TaskKind::Disperse),
        (Planner::Ffaa, PnpCrowdControl) => (2, TaskKind::Disperse),
        (Planner::Ffaa, PnpPatrol) => (3, TaskKind::Arrest),
        (Planner::Unified, PnpCrowdControl) => (0, TaskKind::Disperse),
        (Planner::Unified, FfaaCrowdTrained) => (1, TaskKind::Disperse),
        (Planner::Unified, PnpPatrol) => (2, TaskKind::Arrest),
        (Planner::Unified, FfaaInfantry) => (3, TaskKind::Cordon),
    }
}

/// The hotspots in a picture, in priority order.
pub fn hotspots(
    picture: &Picture,
    sectors: &Sectors,
    targets: &[Option<CellIndex>],
    sites: &[SiteInfo],
    hotspot_actives: u32,
    actives_per_unit: u32,
) -> Vec<Hotspot> {
    let mut out = Vec::new();
    for (i, site) in sites.iter().enumerate() {
        let (mut actives, mut observed) = (0, 0);
        for &s in &site.sectors {
            let v = picture.sectors[s as usize];
            actives += v.actives;
            observed = observed.max(v.observed_tick.unwrap_or(0));
        }
        if actives >= site.breach_actives {
            let need = if actives >= 2 * site.breach_actives { 2 } else { 1 };
            out.push(Hotspot {
                concern: Concern::Site(i as u16),
                blocked_road: false,
                cell: site.cell,
                actives,
                need,
                observed_tick: observed,
            });
        }
    }
    for (s, target) in targets.iter().enumerate().take(sectors.count()) {
        let v = picture.sectors[s];
        let Some(cell) = *target else { continue };
        if v.actives < hotspot_actives {
            continue;
        }
        out.push(Hotspot {
            concern: Concern::Sector(s as u32),
            blocked_road: 2 * v.road_actives >= v.actives,
            cell,
            actives: v.actives,
            need: v.actives.div_ceil(actives_per_unit).clamp(1, MAX_UNITS_PER_HOTSPOT),
            observed_tick: v.observed_tick.unwrap_or(0),
        });
    }
    out.sort_by_key(|h| {
        let class = match h.concern {
            Concern::Site(_) => 0,
            Concern::Sector(_) if h.blocked_road => 1,
            Concern::Sector(_) => 2,
        };
        (class, std::cmp::Reverse(h.actives), h.concern)
    });
    out
}

/// Whether units stay on a concern that has dropped below the hotspot
/// count: while its sectors still show at least half that count (half the
/// breach count for a site). Without it, a crowd hovering at the count
/// makes commanders send and recall units every round.
pub fn lingers(picture: &Picture, sites: &[SiteInfo], hotspot_actives: u32, concern: Concern) -> bool {
    match concern {
        Concern::Site(i) => {
            let site = &sites[i as usize];
            let actives: u32 = site.sectors.iter().map(|&s| picture.sectors[s as usize].actives).sum();
            2 * actives >= site.breach_actives
        }
        Concern::Sector(s) => 2 * picture.sectors[s as usize].actives >= hotspot_actives,
    }
}

/// A unit a planner may task.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub unit: u32,
    pub kind: UnitKind,
    /// Where the planner believes it is.
    pub cell: CellIndex,
    /// The concern it is on (per the planner's ledger), if any.
    pub on: Option<Concern>,
    /// Extra cost of using it (a unit that must be asked for by phone).
    pub penalty_cells: u32,
}

/// One planning round: which units keep their concern, which are released,
/// and which get new tasks, as (unit, hotspot index, task).
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    pub release: Vec<u32>,
    pub assign: Vec<(u32, usize, TaskKind)>,
}

/// `lingers(concern)` says whether a concern that is no longer a hotspot
/// still holds the units on it (hysteresis: see [`lingers`]).
/// `allowed(unit, concern)` bars pairs the planner has learnt not to try
/// (refused by the law, or called off by phone).
pub fn plan(
    planner: Planner,
    terrain: &Terrain,
    hotspots: &[Hotspot],
    candidates: &[Candidate],
    lingers: impl Fn(Concern) -> bool,
    allowed: impl Fn(u32, Concern) -> bool,
) -> Plan {
    let mut p = Plan::default();
    let mut have = vec![0u32; hotspots.len()];
    let mut free: Vec<&Candidate> = Vec::new();
    for c in candidates {
        match c.on.map(|on| (on, hotspots.iter().position(|h| h.concern == on))) {
            Some((_, Some(h))) => have[h] += 1,
            Some((on, None)) if lingers(on) => {}
            on => {
                if on.is_some() {
                    p.release.push(c.unit);
                }
                free.push(c);
            }
        }
    }
    for (h, hot) in hotspots.iter().enumerate() {
        while have[h] < hot.need {
            let best = (0..free.len()).filter(|&i| allowed(free[i].unit, hot.concern)).min_by_key(|&i| {
                let c = free[i];
                let cost = terrain.manhattan(c.cell, hot.cell)
                    + PREFERENCE_CELLS * fit(planner, c.kind, hot.concern).0
                    + c.penalty_cells;
                (cost, c.unit)
            });
            let Some(best) = best else { break };
            let c = free.swap_remove(best);
            p.assign.push((c.unit, h, fit(planner, c.kind, hot.concern).1));
            have[h] += 1;
        }
    }
    // A released unit given a new hotspot in the same round gets only the
    // new order.
    p.release.retain(|u| !p.assign.iter().any(|a| a.0 == *u));
    p.release.sort_unstable();
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::picture::SectorView;
    use crate::scenario::{Edges, MapSpec};

    fn open_map(w: u32, h: u32) -> (MapSpec, Terrain) {
        let map = MapSpec { width_cells: w, height_cells: h, edges: Edges::Bounded, terrain: None, sites: vec![] };
        let t = Terrain::new(&map);
        (map, t)
    }

    #[test]
    fn each_planner_sends_its_own_doctrine_against_a_crowd() {
        let crowd = Concern::Sector(0);
        for kind in [UnitKind::FfaaInfantry, UnitKind::FfaaCrowdTrained] {
            let task = fit(Planner::Pnp, kind, crowd).1;
            assert!(matches!(task, TaskKind::Cordon | TaskKind::Presence), "the PNP keeps soldiers off the crowd");
            assert_eq!(fit(Planner::Ffaa, kind, crowd).1, TaskKind::Disperse, "an FF.AA. command uses its own");
        }
        assert_eq!(fit(Planner::Pnp, UnitKind::FfaaInfantry, crowd).1, TaskKind::Presence, "presence, not contact");
        assert_eq!(fit(Planner::Pnp, UnitKind::PnpDialogueTeam, crowd), (0, TaskKind::Negotiate), "dialogue first");
        assert!(fit(Planner::Ffaa, UnitKind::PnpDialogueTeam, crowd).0 > 3, "an FF.AA. command talks last");
        assert_eq!(fit(Planner::Unified, UnitKind::FfaaInfantry, crowd).1, TaskKind::Cordon);
        assert_eq!(fit(Planner::Ffaa, UnitKind::FfaaInfantry, crowd).0, 1);
        assert_eq!(fit(Planner::Pnp, UnitKind::PnpPatrol, crowd), (1, TaskKind::Arrest));
        for planner in [Planner::Pnp, Planner::Ffaa, Planner::Unified] {
            assert_eq!(fit(planner, UnitKind::FfaaInfantry, Concern::Site(0)), (0, TaskKind::GuardSite));
        }
    }

    #[test]
    fn hotspots_come_in_priority_order_and_units_by_fit_and_distance() {
        let (map, terrain) = open_map(32, 32);
        let sectors = Sectors::new(&map, 8);
        let targets: Vec<Option<CellIndex>> = (0..16).map(|s| Some(sectors.centre(s, 32))).collect();
        let mut pic = Picture::new(16, 4);
        let seen = |actives, road| SectorView { actives, road_actives: road, observed_tick: Some(3) };
        pic.sectors[0] = seen(40, 0); // a big crowd
        pic.sectors[5] = seen(6, 4); // a blocked road
        pic.sectors[9] = seen(4, 0); // below the hotspot count
        let sites = [SiteInfo { sectors: vec![15], cell: 31 * 32 + 31, breach_actives: 3 }];
        pic.sectors[15] = seen(7, 0); // near a site: a site concern and a crowd
        let hs = hotspots(&pic, &sectors, &targets, &sites, 5, 15);
        let concerns: Vec<Concern> = hs.iter().map(|h| h.concern).collect();
        assert_eq!(concerns, vec![Concern::Site(0), Concern::Sector(5), Concern::Sector(0), Concern::Sector(15)]);
        assert!(hs[1].blocked_road && !hs[2].blocked_road);
        assert_eq!(hs[0].need, 2, "7 actives is twice the breach count of 3");
        assert_eq!(hs[2].need, 3, "40 actives at 15 per unit");

        let cand = |unit, kind, cell, on| Candidate { unit, kind, cell, on, penalty_cells: 0 };
        let units = [
            cand(0, UnitKind::PnpCrowdControl, 0, None),
            cand(1, UnitKind::FfaaInfantry, 0, None),
            cand(2, UnitKind::PnpPatrol, 31 * 32 + 30, Some(Concern::Sector(9))), // its hotspot is gone
            cand(3, UnitKind::PnpPatrol, 100, Some(Concern::Sector(5))),          // keeps its task
        ];
        let p = plan(Planner::Unified, &terrain, &hs, &units, |_| false, |_, _| true);
        // Unit 2's hotspot is gone, but it gets the site in the same round:
        // one new order, no recall first.
        assert!(p.release.is_empty());
        // The site takes the patrol next to it first (1 step + 2 ranks ·
        // 20 = 41) and then the infantry from across the map (62 steps,
        // rank 0): distance can outweigh fit.
        assert_eq!(p.assign[0], (2, 0, TaskKind::GuardSite));
        assert_eq!(p.assign[1], (1, 0, TaskKind::GuardSite));
        // The road is covered by unit 3; the crowd gets the crowd-control unit.
        assert_eq!(p.assign[2], (0, 2, TaskKind::Disperse));
        assert_eq!(p.assign.len(), 3);
        // A barred pair is skipped and the next best unit goes instead.
        let barred =
            plan(Planner::Unified, &terrain, &hs, &units, |_| false, |u, c| !(u == 2 && c == Concern::Site(0)));
        assert_eq!(barred.assign[0], (1, 0, TaskKind::GuardSite));
        assert_eq!(barred.assign[1], (0, 0, TaskKind::GuardSite));
        // The crowd near the site has nobody left.
        // With nothing to do, a unit on a gone hotspot is recalled, unless the
        // crowd there lingers at half the hotspot count.
        let idle = [cand(7, UnitKind::PnpPatrol, 0, Some(Concern::Sector(9)))];
        assert_eq!(plan(Planner::Unified, &terrain, &[], &idle, |_| false, |_, _| true).release, vec![7]);
        assert!(
            plan(Planner::Unified, &terrain, &[], &idle, |c| lingers(&pic, &sites, 5, c), |_, _| true)
                .release
                .is_empty(),
            "4 ≥ 5/2 lingers"
        );
        assert!(!lingers(&pic, &sites, 9, Concern::Sector(9)), "4 < 9/2");
    }
}
