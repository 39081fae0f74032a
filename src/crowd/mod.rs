//! The crowd beyond Epstein's rule: who each civilian is (crowd type,
//! weapon), and the mood of the ground they stand on — legitimacy lost to
//! deaths and injuries nearby and region-wide after a lag (backlash), a
//! shared identity against the police raised by indiscriminate force
//! (ESIM), thresholds lowered for a while after force on someone not
//! resisting (flashpoints), and dialogue tables that raise legitimacy until
//! an agreement is broken.
//!
//! The mood is kept per sector of the command picture's grid (squares of
//! `command.sector_cells`): a civilian reads the values of its sector. Type
//! and weapon are stateless draws on the civilian's id, so they need no
//! storage and never change. Rules and sources: `docs/model.md` §11.

pub mod cordon;
pub mod purpose;

use bevy_ecs::prelude::*;

use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::base::rng::{Draws, Stream, Streams};
use crate::base::{AgentIndex, Clock, Position, Step};
use crate::civilians::{CivilianId, Condition, Mood};
use crate::grid::terrain::Ground;
use crate::grid::{CellIndex, Grid, Occupant, Terrain};
use crate::scenario::conflict::type_of;
use crate::scenario::defaults as d;
use crate::scenario::{CrowdSpec, CrowdType, DialogueEvent, Scenario, Tunables};
use crate::situation::{Sectors, Situation};
use crate::units::{TaskKind, Tasking};
use cordon::Cordons;
use purpose::{Heading, Purpose};

/// What a civilian may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weapon {
    None,
    /// Stones, sticks, slings.
    Stones,
    Firearm,
}

/// The type of civilian `id` in a crowd of `spec`, from the trait draws
/// (`Stream::Traits`): `None` when the scenario gives no types.
pub fn crowd_type(spec: &CrowdSpec, traits: Draws, id: CivilianId) -> Option<CrowdType> {
    spec.typed.then(|| type_of(&spec.shares, traits.unit(id.0 as u64, 0, 3)))
}

/// How many of `count` civilians are organised: shock groups and paid
/// agitators (the law's evidence of a hostile group counts them).
pub fn organised_members(spec: &CrowdSpec, traits: Draws, count: u32) -> u32 {
    (0..count)
        .filter(|&id| {
            matches!(crowd_type(spec, traits, CivilianId(id)), Some(CrowdType::ShockGroup | CrowdType::PaidAgitator))
        })
        .count() as u32
}

/// The mood of the ground, and who each civilian is.
#[derive(Resource, Debug, Clone)]
pub struct CrowdMood {
    pub spec: CrowdSpec,
    sectors: Sectors,
    width: u32,
    height: u32,
    traits: Draws,
    /// Legitimacy lost (or gained) in each sector.
    pub local_legitimacy: Vec<f32>,
    /// Shared identity against the police in each sector, 0–1.
    pub identity: Vec<f32>,
    /// Tick until which a flashpoint lowers thresholds in each sector.
    flash_until: Vec<u32>,
    /// Legitimacy change for the whole region.
    pub region_legitimacy: f64,
    /// Region-wide backlash on its way: (tick it lands, change).
    pending: Vec<(u32, f64)>,
    /// A dialogue table is open: since this tick.
    pub dialogue_open_since: Option<u32>,
    /// Legitimacy the open table has won so far (lost if it breaks).
    dialogue_gain: f64,
    road: Vec<bool>,
    tick: u32,
    lag_ticks: u32,
    flash_ticks: u32,
    dialogue_ticks: u32,
    /// Where the crowd goes and when (with `crowd.gatherings`).
    pub purpose: Option<Purpose>,
    /// The cordons' lines as the units stood at the end of the last tick.
    pub cordons: Cordons,
}

/// Radius within which a dialogue team reaches a crowd (brief, \[P\]).
pub const NEGOTIATION_RADIUS_CELLS: u32 = 10;

/// Radius within which civilians see force used or a serious injury (the
/// vision of Epstein's classic run; domain brief ESIM update: radius 7).
pub const SEEN_RADIUS_CELLS: u32 = 7;

impl CrowdMood {
    pub fn new(
        spec: &CrowdSpec,
        sectors: Sectors,
        terrain: &Terrain,
        streams: &Streams,
        minutes_per_tick: f64,
    ) -> CrowdMood {
        let n = sectors.count();
        let cells = terrain.width as usize * terrain.height as usize;
        CrowdMood {
            spec: spec.clone(),
            sectors,
            width: terrain.width,
            height: terrain.height,
            traits: streams.draws(Stream::Traits),
            local_legitimacy: vec![0.0; n],
            identity: vec![0.0; n],
            flash_until: vec![0; n],
            region_legitimacy: 0.0,
            pending: Vec::new(),
            dialogue_open_since: None,
            dialogue_gain: 0.0,
            road: (0..cells as u32).map(|c| terrain.is_road(c)).collect(),
            tick: 0,
            lag_ticks: crate::base::ticks(spec.backlash_lag_minutes, minutes_per_tick),
            flash_ticks: crate::base::ticks(spec.flashpoint_minutes, minutes_per_tick),
            dialogue_ticks: crate::base::ticks(d::DIALOGUE_MINUTES, minutes_per_tick).max(1),
            purpose: spec.purpose.as_ref().map(|p| Purpose::new(p, terrain, minutes_per_tick)),
            cordons: Cordons::new(terrain.width, terrain.height, terrain.wrap),
        }
    }

    /// A civilian's type; `None` when the scenario gives no types.
    pub fn type_of(&self, id: CivilianId) -> Option<CrowdType> {
        crowd_type(&self.spec, self.traits, id)
    }

    pub fn weapon_of(&self, id: CivilianId) -> Weapon {
        let (stones, firearms) = match self.type_of(id) {
            None => (self.spec.stones_share, self.spec.firearms_share),
            Some(t) => {
                let td = d::crowd_type(t);
                (td.stones_share, if td.may_carry_firearms { self.spec.firearms_share } else { 0.0 })
            }
        };
        let u = self.traits.unit(id.0 as u64, 0, 4);
        if u < firearms {
            Weapon::Firearm
        } else if u < firearms + stones {
            Weapon::Stones
        } else {
            Weapon::None
        }
    }

    /// What the civilian `id` standing on `cell` brings to its decision. A
    /// protester who is not out (at home, tired, or from afar and not yet
    /// come) does not rebel: its threshold is out of reach.
    #[inline]
    pub fn mood_for(&self, cell: CellIndex, id: CivilianId, t: &Tunables) -> Mood {
        let s = self.sectors.of(cell) as usize;
        let ty = self.type_of(id);
        if let (Some(p), Some(ty)) = (&self.purpose, ty)
            && ty != CrowdType::Bystander
            && !p.is_out(self.traits, id, self.tick)
        {
            return Mood { legitimacy: 1.0, threshold: f64::INFINITY, extra_grievance: 0.0 };
        }
        let offset = ty.map_or(0.0, |ty| d::crowd_type(ty).threshold_offset);
        let flash = if self.flash_until[s] >= self.tick { self.spec.flashpoint_threshold_drop } else { 0.0 };
        Mood {
            legitimacy: self.legitimacy_in(s, t),
            threshold: t.threshold + offset - flash,
            extra_grievance: self.spec.identity_weight * self.identity[s] as f64,
        }
    }

    /// The sectors the mood is kept in.
    pub fn sector_count(&self) -> usize {
        self.local_legitimacy.len()
    }

    /// The sector of `cell`.
    pub fn sector_of(&self, cell: CellIndex) -> usize {
        self.sectors.of(cell) as usize
    }

    /// The legitimacy everyone in sector `s` perceives (as [`Self::mood_for`]).
    pub fn legitimacy_in(&self, s: usize, t: &Tunables) -> f64 {
        (t.legitimacy + self.region_legitimacy + self.local_legitimacy[s] as f64).clamp(0.0, 1.0)
    }

    /// Mean shared identity over sectors.
    pub fn mean_identity(&self) -> f64 {
        if self.identity.is_empty() {
            0.0
        } else {
            self.identity.iter().map(|&s| s as f64).sum::<f64>() / self.identity.len() as f64
        }
    }

    /// Where civilian `id` heads this tick: Epstein's random walk without
    /// `crowd.gatherings`.
    #[inline]
    pub fn heading(&self, id: CivilianId) -> Heading<'_> {
        let Some(p) = &self.purpose else { return Heading::Wander };
        match self.type_of(id) {
            Some(ty) => p.heading(self.traits, id, ty, self.tick),
            None => Heading::Wander,
        }
    }

    /// Civilian `id`, reached by force that scatters a crowd, flees home
    /// for a while (with `crowd.gatherings`; else nothing changes).
    pub fn disperse(&mut self, id: CivilianId) {
        let tick = self.tick;
        if let Some(p) = self.purpose.as_mut() {
            p.disperse(id, tick);
        }
    }

    /// Blockaders hold road cells: an active blockader on a road does not move.
    #[inline]
    pub fn holds_cell(&self, cell: CellIndex, id: CivilianId, condition: Condition) -> bool {
        condition == Condition::Active
            && self.road[cell as usize]
            && self.spec.typed
            && self.type_of(id) == Some(CrowdType::Blockader)
    }

    /// Applies `f` to every sector with a cell within `radius` of `cell`
    /// (the square around it, clipped to the map).
    fn near(&mut self, cell: CellIndex, radius: u32, mut f: impl FnMut(&mut CrowdMood, usize)) {
        let (x, y) = (cell % self.width, cell / self.width);
        let (x0, x1) = (x.saturating_sub(radius), (x + radius).min(self.width - 1));
        let (y0, y1) = (y.saturating_sub(radius), (y + radius).min(self.height - 1));
        let side = self.sectors.side;
        for sy in y0 / side..=y1 / side {
            for sx in x0 / side..=x1 / side {
                f(self, (sy * self.sectors.columns + sx) as usize);
            }
        }
    }

    /// A civilian killed at `cell`: legitimacy falls within the backlash
    /// radius now, and region-wide after the lag.
    pub fn death_at(&mut self, cell: CellIndex, tick: u32) {
        if let Some(p) = self.purpose.as_mut() {
            p.escalate(tick);
        }
        let loss = self.spec.death_legitimacy_loss as f32;
        self.near(cell, self.spec.backlash_radius_cells, |m, s| m.local_legitimacy[s] -= loss);
        self.pending.push((tick + self.lag_ticks, -self.spec.death_legitimacy_loss));
    }

    /// A serious injury seen by those around.
    pub fn serious_injury_at(&mut self, cell: CellIndex) {
        let loss = self.spec.serious_injury_legitimacy_loss as f32;
        self.near(cell, SEEN_RADIUS_CELLS, |m, s| m.local_legitimacy[s] -= loss);
    }

    /// Force seen by those around: indiscriminate force unites the crowd
    /// against the police; differentiated force barely does. The gain is
    /// the mix of the two by the share of those hit who were not resisting
    /// (0: force only on resisters; 1: only on people who were not).
    pub fn force_seen(&mut self, cell: CellIndex, bystander_share: f64) {
        let s = bystander_share.clamp(0.0, 1.0);
        let gain =
            (s * self.spec.indiscriminate_identity_gain + (1.0 - s) * self.spec.differentiated_identity_gain) as f32;
        self.near(cell, SEEN_RADIUS_CELLS, |m, s| m.identity[s] = (m.identity[s] + gain).min(1.0));
    }

    /// Whether someone who can speak for the crowd stands within
    /// [`NEGOTIATION_RADIUS_CELLS`] of `cell`: a peaceful protester or a
    /// blockader, the members of the communities' organisations and their
    /// delegates (**Assumption**; bystanders have no one to speak for,
    /// shock groups and agitators do not want a deal). In an untyped crowd,
    /// anyone.
    pub fn representative_near(&self, grid: &Grid, cell: CellIndex) -> bool {
        let r = NEGOTIATION_RADIUS_CELLS as i32;
        let (x, y) = grid.xy(cell);
        (-r..=r).any(|dy| {
            (-r..=r).any(|dx| match grid.offset_xy(x, y, dx, dy).map(|c| grid.get(c)) {
                Some(Occupant::Civilian { id, .. }) => matches!(
                    self.type_of(CivilianId(id)),
                    None | Some(CrowdType::PeacefulProtester | CrowdType::Blockader)
                ),
                _ => false,
            })
        })
    }

    /// A dialogue team talking at `cell` with the crowd's representatives
    /// (brief, "Crowd-state update" \[P\]: a negotiator within radius 10
    /// lowers shared identity by 0.02 and raises legitimacy by 0.005 a
    /// tick). Its legitimacy wins back what force lost nearby and at most
    /// the table's gain above it (**Assumption**: a team on the spot wins
    /// no more than a dialogue table does).
    pub fn negotiate_at(&mut self, cell: CellIndex) {
        let cap = d::DIALOGUE_LEGITIMACY_GAIN as f32;
        self.near(cell, NEGOTIATION_RADIUS_CELLS, |m, s| {
            m.identity[s] = (m.identity[s] - 0.02).max(0.0);
            m.local_legitimacy[s] = (m.local_legitimacy[s] + 0.005).min(cap.max(m.local_legitimacy[s]));
        });
    }

    /// Force on someone not resisting: thresholds fall nearby for a while.
    pub fn flashpoint(&mut self, cell: CellIndex, tick: u32) {
        let until = tick + self.flash_ticks;
        self.near(cell, self.spec.flashpoint_radius_cells, |m, s| m.flash_until[s] = m.flash_until[s].max(until));
    }

    /// The mood's changes at the start of a tick: identity decays, backlash
    /// lands, dialogue opens, gains or breaks.
    fn advance(&mut self, tick: u32, site_breached: bool) {
        self.tick = tick;
        if let Some(p) = self.purpose.as_mut() {
            if site_breached {
                p.escalate(tick);
            }
            p.advance(tick);
        }
        let keep = 1.0 - self.spec.identity_decay_per_tick as f32;
        for s in self.identity.iter_mut() {
            *s *= keep;
        }
        let (due, later): (Vec<_>, Vec<_>) = self.pending.iter().partition(|(t, _)| *t <= tick);
        self.pending = later;
        self.region_legitimacy += due.iter().map(|(_, v)| v).sum::<f64>();
        for &(at, event) in self.spec.dialogue.clone().iter().filter(|(at, _)| *at == tick) {
            let _ = at;
            match event {
                DialogueEvent::OpenTable => {
                    self.dialogue_open_since.get_or_insert(tick);
                }
                DialogueEvent::BrokenAgreement => {
                    self.dialogue_open_since = None;
                    self.region_legitimacy -= self.dialogue_gain + d::DIALOGUE_LEGITIMACY_GAIN;
                    self.dialogue_gain = 0.0;
                }
            }
        }
        if let Some(since) = self.dialogue_open_since
            && tick - since < self.dialogue_ticks
        {
            // +0.05 spread over 24 h, and the mediators calm the crowd.
            let step = d::DIALOGUE_LEGITIMACY_GAIN / self.dialogue_ticks as f64;
            self.region_legitimacy += step;
            self.dialogue_gain += step;
            for s in self.identity.iter_mut() {
                *s = (*s - 0.02).max(0.0);
            }
        }
    }
}

/// The crowd of a new world: types, identity and the mood by sector (after
/// `situation::setup`, whose sectors it uses). A scenario without an
/// operation has none.
pub fn setup(world: &mut World, s: &Scenario) {
    let (Some(_), Some(crowd), Some(_)) = (&s.command, &s.crowd, &s.force) else { return };
    let sectors = world.resource::<Situation>().sectors;
    let mood = CrowdMood::new(
        crowd,
        sectors,
        world.resource::<Terrain>(),
        world.resource::<Streams>(),
        s.metadata.minutes_per_tick,
    );
    world.insert_resource(mood);
}

impl Fingerprint for CrowdMood {
    /// Legitimacy, identity and flashpoints by sector, the region's
    /// legitimacy and the backlash on its way, the dialogue table and the
    /// tick the mood was advanced to; not the settings, map and trait draws
    /// (fixed).
    fn fingerprint(&self, h: &mut Fnv) {
        let CrowdMood {
            spec: _,
            sectors: _,
            width: _,
            height: _,
            traits: _,
            local_legitimacy,
            identity,
            flash_until,
            region_legitimacy,
            pending,
            dialogue_open_since,
            dialogue_gain,
            road: _,
            tick,
            lag_ticks: _,
            flash_ticks: _,
            dialogue_ticks: _,
            purpose,
            cordons: _, // read off the units every tick
        } = self;
        h.each(local_legitimacy, |h, &v| h.f32(v));
        h.each(identity, |h, &v| h.f32(v));
        h.each(flash_until, |h, &t| h.u32(t));
        h.f64(*region_legitimacy);
        h.each(pending, |h, &(at, change)| {
            h.u32(at);
            h.f64(change);
        });
        h.opt(*dialogue_open_since);
        h.f64(*dialogue_gain);
        h.u32(*tick);
        if let Some(p) = purpose {
            h.opt(p.escalated_at);
            h.each(&p.dispersed_until, |h, &t| h.u32(t));
        }
    }
}

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(advance_mood.in_set(Step::AfterChanges));
}

/// How close to its site a guard stands to hold it, in cells
/// (**Assumption**: a platoon holds a gate or a fence line within about
/// 50 m).
const GUARD_REACH_CELLS: i32 = 2;

/// Advances the mood; a site breached at the end of the last tick
/// escalates the conflict; bystanders learn where the units stand, and
/// marchers which sites guards hold.
fn advance_mood(
    clock: Res<Clock>,
    (situation, grid): (Res<Situation>, Res<Grid>),
    terrain: Res<Terrain>,
    index: Res<AgentIndex>,
    units: Query<(&Position, &Tasking)>,
    mut mood: ResMut<CrowdMood>,
    mut scratch: Local<(Vec<CellIndex>, Vec<u16>)>,
) {
    mood.advance(clock.tick, situation.site_breached.iter().any(|&b| b));
    mood.cordons.clear();
    for (pos, tasking) in index.units.iter().filter_map(|&e| units.get(e).ok()) {
        if tasking.task.kind == TaskKind::Cordon && tasking.path.is_empty() {
            mood.cordons.hold(pos.0, tasking.task.cell);
        }
    }
    for (pos, tasking) in index.units.iter().filter_map(|&e| units.get(e).ok()) {
        let talking = tasking.task.kind == TaskKind::Negotiate && tasking.path.is_empty();
        if talking && mood.representative_near(&grid, pos.0) {
            mood.negotiate_at(pos.0);
        }
    }
    if let Some(p) = mood.purpose.as_mut() {
        let (cells, held) = &mut *scratch;
        cells.clear();
        held.clear();
        for (pos, tasking) in index.units.iter().filter_map(|&e| units.get(e).ok()) {
            cells.push(pos.0);
            if tasking.task.kind == TaskKind::GuardSite {
                held.extend(sites_within(&terrain, pos.0, GUARD_REACH_CELLS));
            }
        }
        cells.sort_unstable();
        held.sort_unstable();
        held.dedup();
        p.units_at(&terrain, cells);
        p.sites_held(&terrain, held);
    }
}

/// The sites with a cell within `reach` cells of `cell` (a square; not
/// across a wrapped edge).
fn sites_within(terrain: &Terrain, cell: CellIndex, reach: i32) -> impl Iterator<Item = u16> + '_ {
    let (x, y) = ((cell % terrain.width) as i32, (cell / terrain.width) as i32);
    (-reach..=reach).flat_map(move |dy| (-reach..=reach).map(move |dx| (x + dx, y + dy))).filter_map(move |(cx, cy)| {
        let inside = (0..terrain.width as i32).contains(&cx) && (0..terrain.height as i32).contains(&cy);
        match inside.then(|| terrain.ground(cy as u32 * terrain.width + cx as u32)) {
            Some(Ground::Site(s)) => Some(s),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    fn mood(extra: &str) -> CrowdMood {
        let text = format!(
            "Scenario(metadata: (name: \"m\"), map: (width_cells: 40, height_cells: 40, edges: Bounded), \
             civilians: (count: 10), police: (count: 0), command: (sector_cells: 8), crowd: ({extra}))"
        );
        let s = load_str("m", &text, &[]).unwrap();
        let terrain = Terrain::new(&s.map);
        CrowdMood::new(s.crowd.as_ref().unwrap(), Sectors::new(&s.map, 8), &terrain, &Streams::new(1), 1.0)
    }

    #[test]
    fn a_death_costs_legitimacy_nearby_now_and_everywhere_after_the_lag() {
        let mut m = mood("backlash_radius_cells: 8, backlash_lag_minutes: 60.0, death_legitimacy_loss: 0.03");
        let t = Tunables {
            legitimacy: 0.8,
            threshold: 0.1,
            arrest_constant_k: 2.3,
            max_jail_term_ticks: 30,
            civilian_vision_cells: 7,
            police_vision_cells: 7,
            police_count: 0,
        };
        let (near, far) = (20 * 40 + 20, 39 * 40 + 39);
        m.advance(1, false);
        m.death_at(near, 1);
        assert!((m.mood_for(near, CivilianId(0), &t).legitimacy - 0.77).abs() < 1e-6);
        assert_eq!(m.mood_for(far, CivilianId(0), &t).legitimacy, 0.8, "far away, nothing yet");
        m.advance(60, false);
        assert_eq!(m.mood_for(far, CivilianId(0), &t).legitimacy, 0.8);
        m.advance(61, false);
        assert!((m.mood_for(far, CivilianId(0), &t).legitimacy - 0.77).abs() < 1e-9, "the news arrives");
        assert!((m.mood_for(near, CivilianId(0), &t).legitimacy - 0.74).abs() < 1e-6);
    }

    #[test]
    fn indiscriminate_force_raises_identity_far_more_and_it_decays() {
        let mut m = mood("");
        let cell = 20 * 40 + 20;
        m.force_seen(cell, 0.0);
        let s = m.sectors.of(cell) as usize;
        assert!((m.identity[s] - 0.02).abs() < 1e-6);
        m.force_seen(cell, 1.0);
        assert!((m.identity[s] - 0.17).abs() < 1e-6);
        m.force_seen(cell, 0.5);
        assert!((m.identity[s] - 0.255).abs() < 1e-6, "half and half: the mean of the two gains");
        m.advance(1, false);
        assert!((m.identity[s] - 0.255 * 0.99).abs() < 1e-6);
        assert_eq!(m.identity[m.sectors.of(0) as usize], 0.0, "not seen from the corner");
    }

    #[test]
    fn types_follow_their_shares_and_weapons_their_type() {
        let m = mood(
            "types: (peaceful_protester: 0.3, blockader: 0.1, shock_group: 0.05, paid_agitator: 0.02), \
             firearms_share: 0.0",
        );
        let mut counts = std::collections::BTreeMap::new();
        let mut stones = 0;
        for i in 0..20_000 {
            let t = m.type_of(CivilianId(i)).unwrap();
            *counts.entry(t).or_insert(0) += 1;
            if t == CrowdType::ShockGroup && m.weapon_of(CivilianId(i)) == Weapon::Stones {
                stones += 1;
            }
        }
        let share = |t| counts[&t] as f64 / 20_000.0;
        assert!((share(CrowdType::Bystander) - 0.53).abs() < 0.015);
        assert!((share(CrowdType::ShockGroup) - 0.05).abs() < 0.006);
        assert!((stones as f64 / counts[&CrowdType::ShockGroup] as f64 - 0.9).abs() < 0.04);
    }
}
