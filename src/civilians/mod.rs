//! Civilians and Epstein's rule for when one rebels (Model I, PNAS 2002).
//!
//! A civilian has hardship H and risk aversion R, drawn at the start; the
//! regime's legitimacy L is common to all. Grievance is G = H·(1 − L); the
//! estimated arrest probability is P = 1 − exp(−k·⌊C/A⌋) with C officers and
//! A actives within vision, the civilian counting itself among the actives;
//! a civilian is active when G − R·P > T. Jailed civilians sit out their term
//! and come back quiescent.

pub mod storage;

use std::collections::BTreeMap;
use std::fmt;

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::base::radix::sort_by_u64_key;
use crate::base::rng::Stream;
use crate::base::rng::Streams;
use crate::base::{AgentIndex, CurrentRules, Intent, Parallel, Phase, Position, TickDraws};
use crate::grid::Shapes;
use crate::grid::{CellIndex, Grid, Occupant, Shape, is_active_code, is_officer_code};
use crate::memory;
use crate::movement;
use crate::scenario::Rounding;
use crate::scenario::conflict::type_of;
use crate::scenario::{Scenario, defaults};
use storage::{Row, StorageRows};

/// A civilian's stable id, 0-based in creation order.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilianId(pub u32);

impl fmt::Display for CivilianId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{}", self.0)
    }
}

/// What a civilian brings: fixed for the run.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Disposition {
    pub hardship: f64,
    pub risk_aversion: f64,
}

/// What a civilian is doing.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Quiescent,
    Active,
    /// In jail until the end of tick `until_tick`.
    Jailed {
        until_tick: u32,
    },
    /// Killed (only where security units use force): off the grid for good.
    Dead,
}

impl Condition {
    pub fn is_jailed(self) -> bool {
        matches!(self, Condition::Jailed { .. })
    }

    /// Jailed or dead: takes no turn and is not on the grid as a person
    /// who can move or decide.
    pub fn is_out(self) -> bool {
        matches!(self, Condition::Jailed { .. } | Condition::Dead)
    }
}

/// What a civilian brings to a decision beyond its disposition: the
/// legitimacy it perceives, its threshold, and grievance from a shared
/// identity against the police (zero in Epstein's model).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mood {
    pub legitimacy: f64,
    pub threshold: f64,
    pub extra_grievance: f64,
}

/// P = 1 − exp(−k·C/A), with C/A rounded as the scenario says.
#[inline]
pub fn arrest_probability(k: f64, officers: u32, actives_with_self: u32, rounding: Rounding) -> f64 {
    // No officer in sight: nothing to fear, whatever the rounding.
    if officers == 0 {
        return 0.0;
    }
    let ratio = officers as f64 / actives_with_self.max(1) as f64;
    let ratio = match rounding {
        Rounding::Exact => ratio,
        Rounding::Floor => ratio.floor(),
        // Half away from zero; Mesa (Python) rounds half to even, which
        // differs only when C/A is exactly k + 1/2.
        Rounding::Round => ratio.round(),
    };
    1.0 - (-k * ratio).exp()
}

/// [`arrest_probability`] for one tick's k and rounding, with the values for
/// whole ratios 0..=64 computed once: under `Floor` and `Round` the ratio is
/// always whole, and `exp` was a visible share of the tick. The table holds
/// the very same expression, so results are bit-identical.
#[derive(Debug, Clone)]
pub struct ArrestOdds {
    k: f64,
    rounding: Rounding,
    table: [f64; 65],
}

impl ArrestOdds {
    pub fn new(k: f64, rounding: Rounding) -> ArrestOdds {
        let table = std::array::from_fn(|r| 1.0 - (-k * r as f64).exp());
        ArrestOdds { k, rounding, table }
    }

    #[inline]
    pub fn probability(&self, officers: u32, actives_with_self: u32) -> f64 {
        let a = actives_with_self.max(1);
        // Whole-number forms of floor(C/A) and round-half-up(C/A): exact,
        // as C and A are small integers.
        let whole = match self.rounding {
            Rounding::Exact => return arrest_probability(self.k, officers, a, self.rounding),
            Rounding::Floor => officers / a,
            Rounding::Round => (2 * officers + a) / (2 * a),
        };
        match self.table.get(whole as usize) {
            Some(&p) => p,
            None => arrest_probability(self.k, officers, a, self.rounding),
        }
    }
}

/// Epstein's activation rule: G − R·P > T.
#[inline]
pub fn decides_active(d: &Disposition, legitimacy: f64, threshold: f64, arrest_probability: f64) -> bool {
    let grievance = d.hardship * (1.0 - legitimacy);
    grievance - d.risk_aversion * arrest_probability > threshold
}

/// Officers and other actives `shape` sees from `cell`, by scanning.
pub fn scan_counts(grid: &Grid, cell: CellIndex, shape: &Shape) -> (u32, u32) {
    let (mut officers, mut actives) = (0u32, 0u32);
    grid.scan(cell, shape, |_, code| {
        officers += is_officer_code(code) as u32;
        actives += is_active_code(code) as u32;
    });
    (officers, actives)
}

/// The whole decision for one civilian. `sees` returns (officers, other
/// actives) within vision and is called only when the answer matters
/// (see [`Leaning`]).
#[inline]
pub fn decide(
    d: &Disposition,
    t: &crate::scenario::Tunables,
    odds: &ArrestOdds,
    sees: impl FnOnce() -> (u32, u32),
) -> bool {
    decide_in_mood(d, Leaning::common_mood(t), odds, sees)
}

/// [`decide`] for a civilian whose legitimacy, threshold and grievance
/// differ from the common ones (crowd types, backlash, identity,
/// flashpoints): G = H·(1 − L_i) + w_S·S_i; active when G − R·P > T_i.
#[inline]
pub fn decide_in_mood(d: &Disposition, m: Mood, odds: &ArrestOdds, sees: impl FnOnce() -> (u32, u32)) -> bool {
    let leaning = Leaning::of(d, m);
    if leaning.quiet {
        return false;
    }
    if leaning.bold {
        return true;
    }
    let (officers, other_actives) = sees();
    leaning.rebels_at(odds.probability(officers, other_actives + 1))
}

/// The part of a decision that needs no counts, as [`decide_in_mood`]
/// makes it: with R·P in [0, R], a grievance at or below the threshold
/// never makes an active (`quiet`), and one above it by more than R is
/// never deterred (`bold`). Only the rest hesitate and need the counts.
#[derive(Debug, Clone, Copy)]
pub struct Leaning {
    pub quiet: bool,
    pub bold: bool,
    grievance: f64,
    risk_aversion: f64,
    threshold: f64,
}

impl Leaning {
    #[inline(always)]
    pub fn of(d: &Disposition, m: Mood) -> Leaning {
        let grievance = d.hardship * (1.0 - m.legitimacy) + m.extra_grievance;
        Leaning {
            quiet: grievance <= m.threshold,
            bold: grievance - d.risk_aversion > m.threshold,
            grievance,
            risk_aversion: d.risk_aversion,
            threshold: m.threshold,
        }
    }

    /// Whether a hesitant civilian rebels at arrest probability `p`:
    /// G − R·P > T.
    #[inline(always)]
    pub fn rebels_at(self, p: f64) -> bool {
        self.grievance - self.risk_aversion * p > self.threshold
    }

    /// The common mood of Epstein's model: the regime's legitimacy and the
    /// common threshold, no extra grievance (adding 0 changes no bit).
    #[inline]
    pub fn common_mood(t: &crate::scenario::Tunables) -> Mood {
        Mood { legitimacy: t.legitimacy, threshold: t.threshold, extra_grievance: 0.0 }
    }
}

/// Who leaves jail when: one list of civilians per release tick, so a tick
/// knows whom it releases without looking at everyone.
#[derive(Resource, Debug, Default, Clone)]
pub struct JailRoster(BTreeMap<u32, Vec<CivilianId>>);

impl Fingerprint for JailRoster {
    /// Release ticks in order, each one's civilians by id (the order within
    /// a tick's list is the order of admission and never read).
    fn fingerprint(&self, h: &mut Fnv) {
        h.count(self.0.len());
        let mut ids: Vec<u32> = Vec::new();
        for (&tick, civilians) in &self.0 {
            h.u32(tick);
            ids.clear();
            ids.extend(civilians.iter().map(|c| c.0));
            ids.sort_unstable();
            h.each(&ids, |h, &id| h.u32(id));
        }
    }
}

impl JailRoster {
    pub fn admit(&mut self, civilian: CivilianId, until_tick: u32) {
        self.0.entry(until_tick).or_default().push(civilian);
    }

    /// Admits a tick's arrests, each `(civilian, term)` jailed until
    /// `tick + term`: grouped by term first, so that each release tick's
    /// list is looked up once, not once per arrest (tens of thousands a
    /// tick at a million civilians, against a few dozen terms).
    pub fn admit_all(&mut self, tick: u32, arrests: impl IntoIterator<Item = (CivilianId, u32)>) {
        let mut by_term: Vec<Vec<CivilianId>> = Vec::new();
        for (civilian, term) in arrests {
            let t = term as usize;
            if t >= by_term.len() {
                by_term.resize_with(t + 1, Vec::new);
            }
            by_term[t].push(civilian);
        }
        for (term, mut civilians) in by_term.into_iter().enumerate() {
            if !civilians.is_empty() {
                self.0.entry(tick.saturating_add(term as u32)).or_default().append(&mut civilians);
            }
        }
    }

    /// Everyone whose term ends at or before `tick`, with the tick it
    /// ends, in no set order.
    fn due(&mut self, tick: u32) -> Vec<(CivilianId, u32)> {
        let mut out = Vec::new();
        while let Some(entry) = self.0.first_entry() {
            if *entry.key() > tick {
                break;
            }
            let until = *entry.key();
            out.extend(entry.remove().into_iter().map(|id| (id, until)));
        }
        out
    }
}

/// A civilian due for release, as found in the pass over the table.
#[derive(Debug, Clone, Copy)]
pub struct Release {
    until_tick: u32,
    id: CivilianId,
    /// Where the civilian is stored: which of the query's tables, which row.
    table: u32,
    row: u32,
    /// Its cell when jailed, then the cell it returns to (`None`: it waits).
    cell: Option<CellIndex>,
}

/// How many releases ahead their cells and rows are fetched.
const RELEASE_AHEAD: usize = 16;

/// Reused memory for [`release_from_jail`].
#[derive(Default)]
pub struct ReleaseWork {
    /// (civilian, end of term) from the roster.
    ends: Vec<(CivilianId, u32)>,
    /// Their ids, and where each is stored.
    wanted: Vec<CivilianId>,
    rows: Vec<Option<Row>>,
    due: Vec<Release>,
    /// Second buffer of the sort.
    sorting: Vec<Release>,
}

/// The jailed: the roster of terms, and the civilians' table with where
/// each civilian is stored, to reach the due by id.
#[derive(SystemParam)]
pub struct Jailed<'w, 's> {
    roster: ResMut<'w, JailRoster>,
    storage: ResMut<'w, StorageRows>,
    civilians: Query<'w, 's, (&'static CivilianId, &'static mut Position, &'static mut Condition)>,
}

/// Releases those whose term ends this tick, in (end of term, id) order,
/// each seeing the cells taken before it. A released civilian who left the
/// grid returns to its old cell if free, else to a random free cell within
/// vision, else anywhere free.
pub fn release_from_jail(
    draws: TickDraws,
    mut grid: ResMut<Grid>,
    rules: Res<CurrentRules>,
    shapes: Res<Shapes>,
    parallel: Res<Parallel>,
    jailed: Jailed,
    mut work: Local<ReleaseWork>,
) {
    const DENSE: &str = "civilian components are stored in tables";
    let TickDraws { clock, streams } = draws;
    let Jailed { mut roster, mut storage, mut civilians } = jailed;
    let grid = grid.writes();
    let tick = clock.tick;
    let ReleaseWork { ends, wanted, rows, due, sorting } = &mut *work;
    ends.clear();
    ends.extend(roster.due(tick));
    if ends.is_empty() {
        return;
    }
    // The due are reached by id through where they are stored (a few
    // thousand of a million civilians: a pass over the table cost more).
    let mut tables: Vec<_> = civilians.contiguous_iter_mut().expect(DENSE).collect();
    let id_columns: Vec<&[CivilianId]> = tables.iter().map(|t| t.0).collect();
    wanted.clear();
    wanted.extend(ends.iter().map(|&(id, _)| id));
    storage.find(&id_columns, wanted, rows, parallel.0);
    due.clear();
    for (i, (&(id, until_tick), row)) in ends.iter().zip(rows.iter()).enumerate() {
        if let Some(Some(later)) = rows.get(i + RELEASE_AHEAD) {
            memory::prefetch(&tables[later.table as usize].1[later.row as usize]);
        }
        let Some(Row { table, row }) = *row else { continue };
        let cell = Some(tables[table as usize].1[row as usize].0);
        due.push(Release { until_tick, id, table, row, cell });
    }
    sort_by_u64_key(due, sorting, |r| (r.until_tick as u64) << 32 | r.id.0 as u64);
    let draws = streams.draws(Stream::Release);
    let next_tick = tick.saturating_add(1);
    // By id the old cells are random places in the grid: each is fetched a
    // few releases ahead, and where it is taken by then, the cells its
    // civilian will try first (a miss each otherwise, most of the time here).
    let keep_cell = rules.0.jailed_keep_cell;
    for i in 0..due.len() {
        if let Some(cell) = due.get(i + 2 * RELEASE_AHEAD).and_then(|r| r.cell) {
            grid.prefetch(cell);
        }
        if let Some(later) = due.get(i + RELEASE_AHEAD)
            && let Some(cell) = later.cell.filter(|&c| !keep_cell && !grid.is_empty(c))
        {
            movement::prefetch_first_tries(&grid, cell, &shapes.civilian, draws.agent(later.id.0 as u64, tick));
        }
        let r = &mut due[i];
        let (id, old) = (r.id, r.cell.expect("a due civilian has its cell"));
        let key = id.0 as u64;
        r.cell = if keep_cell || grid.is_empty(old) {
            Some(old)
        } else {
            movement::propose_empty_in_vision(&grid, old, &shapes.civilian, draws.agent(key, tick))
                .or_else(|| movement::any_empty_cell(&grid, draws.agent(key, tick)))
        };
        match r.cell {
            Some(cell) => grid.set(cell, Occupant::Civilian { id: id.0, active: false }),
            // A full map (cannot happen with validated counts): wait a tick.
            None => roster.admit(id, next_tick),
        }
    }
    for (i, r) in due.iter().enumerate() {
        if let Some(later) = due.get(i + RELEASE_AHEAD) {
            let (_, cells, conditions) = &tables[later.table as usize];
            memory::prefetch(&cells[later.row as usize]);
            memory::prefetch(&conditions[later.row as usize]);
        }
        let (_, cells, conditions) = &mut tables[r.table as usize];
        let row = r.row as usize;
        match r.cell {
            Some(cell) => {
                conditions.bypass_change_detection()[row] = Condition::Quiescent;
                cells.bypass_change_detection()[row].0 = cell;
            }
            None => conditions.bypass_change_detection()[row] = Condition::Jailed { until_tick: next_tick },
        }
    }
}

/// Adds the civilians' own systems.
/// Places a new world's civilians on `cells`, civilian `i` on `cells[i]`,
/// quiescent, with hardship and risk aversion drawn by id (by crowd type
/// in a typed crowd); stores them in cell order, so that neighbours in the
/// grid are neighbours in memory.
pub fn setup(world: &mut World, s: &Scenario, cells: &[CellIndex]) {
    let traits = world.resource::<Streams>().draws(Stream::Traits);
    let mut civilians: Vec<(CivilianId, Position, Disposition, Condition)> = {
        let mut grid = world.resource_mut::<Grid>();
        let grid = grid.writes();
        (0..cells.len() as u32)
            .map(|i| {
                let cell = cells[i as usize];
                grid.set(cell, Occupant::Civilian { id: i, active: false });
                let (hardship, risk_aversion) = match s.crowd.as_ref().filter(|c| c.typed) {
                    Some(c) => {
                        let td = defaults::crowd_type(type_of(&c.shares, traits.unit(i as u64, 0, 3)));
                        (td.hardship, td.risk_aversion)
                    }
                    None => (s.civilians.hardship, s.civilians.risk_aversion),
                };
                let d = Disposition {
                    hardship: hardship.sample(traits.unit(i as u64, 0, 0)),
                    risk_aversion: risk_aversion.sample(traits.unit(i as u64, 0, 1)),
                };
                (CivilianId(i), Position(cell), d, Condition::Quiescent)
            })
            .collect()
    };
    civilians.sort_unstable_by_key(|c| c.1.0);
    let ids: Vec<CivilianId> = civilians.iter().map(|c| c.0).collect();
    let entities: Vec<Entity> =
        world.spawn_batch(civilians.into_iter().map(|(id, p, d, c)| (id, p, d, c, Intent::default()))).collect();
    let mut by_id = vec![Entity::PLACEHOLDER; ids.len()];
    for (id, e) in ids.into_iter().zip(entities) {
        by_id[id.0 as usize] = e;
    }
    world.resource_mut::<AgentIndex>().civilians = by_id;
    world.init_resource::<JailRoster>();
    world.init_resource::<StorageRows>();
}

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(release_from_jail.in_set(Phase::Resolve));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Clock;

    #[test]
    fn admitting_a_tick_at_once_books_what_one_by_one_does() {
        let arrests: Vec<(CivilianId, u32)> = (0..500).map(|i| (CivilianId(i * 7 % 503), i * 13 % 31)).collect();
        let (mut one_by_one, mut at_once) = (JailRoster::default(), JailRoster::default());
        for &(id, term) in &arrests {
            one_by_one.admit(id, 40 + term);
        }
        at_once.admit_all(40, arrests.iter().copied());
        let sorted = |mut v: Vec<(CivilianId, u32)>| {
            v.sort();
            v
        };
        for tick in [39, 45, 70, 71] {
            assert_eq!(sorted(one_by_one.due(tick)), sorted(at_once.due(tick)), "released by tick {tick}");
        }
        assert!(at_once.0.is_empty());
    }

    #[test]
    fn terms_that_ended_on_different_ticks_are_all_released_together() {
        use crate::sim::{Sim, SimOptions};
        let scenario = crate::scenario::load_default(&[]).expect("the default scenario is valid");
        let mut sim = Sim::new(&scenario, SimOptions::default()).expect("the default world builds");
        for _ in 0..3 {
            sim.step();
        }
        let world = sim.world_mut();
        let now = world.resource::<Clock>().tick;
        let keep_cell = world.resource::<CurrentRules>().0.jailed_keep_cell;
        // Two civilians whose terms ended on two past ticks, as if a tick's
        // releases had been missed: the roster holds two lists at once.
        let mut query = world.query::<(&CivilianId, &Position, &mut Condition)>();
        let mut picked = Vec::new();
        for (id, pos, mut condition) in query.iter_mut(world) {
            if picked.len() < 2 && *condition == Condition::Quiescent {
                *condition = Condition::Jailed { until_tick: now - 1 - picked.len() as u32 };
                picked.push((*id, pos.0, now - 1 - picked.len() as u32));
            }
        }
        for &(id, cell, until) in &picked {
            if !keep_cell {
                world.resource_mut::<Grid>().writes().set(cell, Occupant::Empty);
            }
            world.resource_mut::<JailRoster>().admit(id, until);
        }
        sim.step();
        let world = sim.world_mut();
        let mut query = world.query::<(&CivilianId, &Position, &Condition)>();
        for (id, pos, condition) in query.iter(world) {
            if picked.iter().any(|p| p.0 == *id) {
                assert_eq!(*condition, Condition::Quiescent, "{id} is released");
                assert_eq!(world.resource::<Grid>().get(pos.0), Occupant::Civilian { id: id.0, active: false });
            }
        }
    }

    #[test]
    fn floor_rounding_makes_small_ratios_harmless() {
        // Two officers, three actives: floor(2/3) = 0, so P = 0 (NetLogo).
        assert_eq!(arrest_probability(2.3, 2, 3, Rounding::Floor), 0.0);
        let exact = arrest_probability(2.3, 2, 3, Rounding::Exact);
        assert!((exact - (1.0 - (-2.3f64 * 2.0 / 3.0).exp())).abs() < 1e-12);
        assert!((arrest_probability(2.3, 2, 3, Rounding::Round) - (1.0 - (-2.3f64).exp())).abs() < 1e-12);
        // C = A gives 1 − e^−2.3 ≈ 0.90 ("0.9 when cops equal actives").
        assert!((arrest_probability(2.3, 1, 1, Rounding::Floor) - 0.8997).abs() < 1e-3);
    }

    #[test]
    fn shortcuts_agree_with_the_full_rule() {
        let t = crate::scenario::Tunables {
            legitimacy: 0.6,
            threshold: 0.1,
            arrest_constant_k: 2.3,
            max_jail_term_ticks: 30,
            civilian_vision_cells: 7,
            police_vision_cells: 7,
            police_count: 0,
        };
        for h in 0..=20 {
            for r in 0..=20 {
                for (c, a) in [(0, 0), (1, 0), (2, 1), (5, 2), (0, 9)] {
                    let d = Disposition { hardship: h as f64 / 20.0, risk_aversion: r as f64 / 20.0 };
                    for rounding in [Rounding::Exact, Rounding::Floor, Rounding::Round] {
                        let p = arrest_probability(t.arrest_constant_k, c, a + 1, rounding);
                        let odds = ArrestOdds::new(t.arrest_constant_k, rounding);
                        assert_eq!(decide(&d, &t, &odds, || (c, a)), decides_active(&d, t.legitimacy, t.threshold, p));
                    }
                }
            }
        }
    }

    #[test]
    fn the_odds_table_is_bit_identical_to_the_formula() {
        for rounding in [Rounding::Exact, Rounding::Floor, Rounding::Round] {
            let odds = ArrestOdds::new(2.3, rounding);
            for c in 0..200 {
                for a in 1..40 {
                    assert_eq!(
                        odds.probability(c, a).to_bits(),
                        arrest_probability(2.3, c, a, rounding).to_bits(),
                        "{rounding:?} C={c} A={a}"
                    );
                }
            }
        }
    }

    #[test]
    fn legitimacy_one_means_no_grievance_so_nobody_rebels() {
        let d = Disposition { hardship: 1.0, risk_aversion: 0.0 };
        assert!(!decides_active(&d, 1.0, 0.0, 0.0));
        assert!(decides_active(&d, 0.5, 0.1, 0.0));
        // Risk aversion times arrest probability holds her back.
        let cautious = Disposition { hardship: 1.0, risk_aversion: 1.0 };
        assert!(!decides_active(&cautious, 0.5, 0.1, 0.9));
    }
}
