//! The use of force: resistance and force levels 0–5 with the names of
//! D. Leg. 1186 art. 7, the force decision of each unit every tick, its
//! effects on people, civilians' aggression on units, and what force does
//! to the crowd's mood.
//!
//! Per unit on an operation (guard a site, cordon, disperse, arrest), in id
//! order (domain brief, "Force-resistance rule"; sources in
//! `docs/model.md` §11):
//! 1. **Resistance** of each civilian within 3 cells, from its drive
//!    D = G − R·P − T: quiescent → cooperative (1); active with D ≤ 0.1 →
//!    non-cooperative (2); ≤ 0.3 → physical resistance (3); above, with
//!    stones → non-lethal aggression (4); with a firearm and a shock-group or
//!    agitator type, lethal aggression (5) with probability 0.05. Shock
//!    groups resist physically at least. Agitators within 3 cells provoke.
//! 2. **Aggression** on the unit by those at 4 or 5 within 3 cells.
//! 3. **Perception** of the highest resistance within the engage radius,
//!    with an error (PNP σ 0.3, FF.AA. σ 0.6 and an upward misreading).
//! 4. **Prescription** on the diagonal (force = perceived resistance), then
//!    **deviation**: one level up with a probability that falls with
//!    training and rises with stress; without non-lethal kit, a situation
//!    calling for non-lethal tactics gets lethal force half the time (else
//!    physical control); under humanitarian-law rules, any reactive force is
//!    lethal.
//!    The task caps it short of a perceived lethal threat (snatch teams and
//!    cordons at physical control), and lethal force short of one needs the
//!    commander's leave (`authority.rs`).
//! 5. **Effects**: level 4 and 5 hit everyone within a cell of the target
//!    (gas, pellets, volleys) unless `force.area_effects` is off.
//!
//! Each step is a rule in its own file: `resistance.rs` (the scan of the
//! civilians around a unit, agitators' provocations), `aggression.rs`
//! (civilians' aggression on the unit, its stress), `perception.rs` (the
//! target and its perceived resistance), `choice.rs` (the rule set and the
//! force level), `authority.rs` (leave for lethal force), `effects.rs` (who
//! is hit, the harm done, and what the crowd makes of it); `draws.rs` names
//! the random draws each rule takes.
//! The system [`use_force`] calls them in that order for each unit.

mod aggression;
mod authority;
mod choice;
mod draws;
mod effects;
pub mod escape;
mod perception;
mod resistance;
mod warning;

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use crate::base::events::{Event, EventLog};
use crate::base::rng::{Stream, Streams};
pub use crate::base::vocabulary::{Cause, ForceAuthority, ForceLevel, Harm, HarmCount, Resistance, RuleSet, Side};
use crate::base::{AgentIndex, Clock, CurrentRules, CurrentTunables, Position, Step};
use crate::civilians::{ArrestOdds, CivilianId, Condition, Disposition};
use crate::crowd::CrowdMood;
use crate::grid::{CellIndex, Grid, Shapes};
use crate::law::{ArmedAttacks, LegalState, Violation};
use crate::scenario::{Agency, ForceSpec, Scenario};
use crate::situation::{Situation, Zones};
use crate::units::{AuthorityRequests, Tasking, Unit, UnitId, unit_key};
pub use choice::choose_force;
use draws::UnitDraws;
pub use resistance::resistance;

/// The force settings of a new world, with the reassessment interval in
/// ticks. A scenario without an operation has none.
pub fn setup(world: &mut World, s: &Scenario) {
    let Some(settings) = settings(s) else { return };
    world.insert_resource(settings);
    world.insert_resource(AuthorityRequests::default());
}

/// The use of force's settings for `s` (none without an operation with a
/// crowd and force rules); also what a change during a run puts in force.
pub fn settings(s: &Scenario) -> Option<ForceSettings> {
    let (Some(_), Some(_), Some(force)) = (&s.command, &s.crowd, &s.force) else { return None };
    let reassess_ticks = crate::base::ticks(force.reassess_minutes, s.metadata.minutes_per_tick).max(1);
    let stones = aggression::StoneOdds::per_tick(
        force.stones_injury_probability,
        force.officer_death_given_injury,
        s.metadata.minutes_per_tick,
    );
    let warning_ticks = crate::base::ticks(force.dispersal_warning_minutes, s.metadata.minutes_per_tick);
    Some(ForceSettings(force.clone(), reassess_ticks, stones, warning_ticks))
}

/// Adds [`use_force`] to the tick, in the step [`Step::UseForce`].
pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(use_force.in_set(Step::UseForce));
}

/// The force settings of the scenario, `reassess_minutes` in ticks, the
/// chances of injury by stones per tick (per minute in the settings), and
/// `dispersal_warning_minutes` in ticks.
#[derive(Resource, Debug, Clone)]
pub struct ForceSettings(pub ForceSpec, pub u32, pub aggression::StoneOdds, pub u32);

/// What the use of force reads and does not change: the clock, the rules
/// and settings in force, the law and the zones it applies in (the grid,
/// which it marks, comes apart).
#[derive(SystemParam)]
pub struct Surroundings<'w> {
    streams: Res<'w, Streams>,
    clock: Res<'w, Clock>,
    tunables: Res<'w, CurrentTunables>,
    rules: Res<'w, CurrentRules>,
    shapes: Res<'w, Shapes>,
    index: Res<'w, AgentIndex>,
    law: Res<'w, LegalState>,
    zones: Res<'w, Zones>,
    situation: Res<'w, Situation>,
    settings: Res<'w, ForceSettings>,
}

/// Actives on road cells that make a blockade no ambulance passes
/// (**Assumption**: a line of ten across a highland road).
const ROADS_BLOCKADED_ACTIVES: u32 = 10;

/// The civilians as the use of force sees them: a disposition to read, a
/// condition to change (provoked, fled, dead).
pub type Civilians<'w, 's> = Query<'w, 's, (&'static Disposition, &'static mut Condition), With<CivilianId>>;

/// A civilian a unit has scanned: where it stands and its true resistance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nearby {
    pub civilian: CivilianId,
    /// Its entity, to reach it again without the index.
    pub entity: Entity,
    pub cell: CellIndex,
    pub resistance: Resistance,
}

/// The civilians around a unit, in scan order (row by row from the top
/// left of its square).
type Near = Vec<Nearby>;

/// A unit on an operation this tick, as the rules see it.
struct Duty<'a> {
    id: UnitId,
    unit: &'a mut Unit,
    tasking: &'a mut Tasking,
    /// The unit's cell, and its column and row.
    cell: CellIndex,
    at: (u32, u32),
    tick: u32,
    draws: UnitDraws,
}

/// Cells between column and row `at` and `cell` (the larger of the two
/// differences; on a wrapped map, not across the edge).
fn cells_apart(grid: &Grid, at: (u32, u32), cell: CellIndex) -> u32 {
    let (cx, cy) = grid.xy(cell);
    at.0.abs_diff(cx).max(at.1.abs_diff(cy))
}

/// What the use of force reports to others: the journal, requests for
/// authority (to command) and armed attacks (to the law).
#[derive(SystemParam)]
pub struct Reports<'w> {
    log: ResMut<'w, EventLog>,
    requests: ResMut<'w, AuthorityRequests>,
    attacks: ResMut<'w, ArmedAttacks>,
}

/// Each unit on an operation, in id order: the five steps of the module's
/// rule.
pub fn use_force(
    world: Surroundings,
    mut grid: ResMut<Grid>,
    mut mood: ResMut<CrowdMood>,
    reports: Reports,
    mut units: Query<(&UnitId, &mut Unit, &Position, &mut Tasking)>,
    mut civilians: Civilians,
    mut near: Local<Near>,
) {
    let Reports { mut log, mut requests, mut attacks } = reports;
    let tick = world.clock.tick;
    let grid = grid.writes();
    let (spec, reassess_ticks) = (&world.settings.0, world.settings.1);
    let odds = ArrestOdds::new(world.tunables.0.arrest_constant_k, world.rules.0.arrest_ratio_rounding);
    let draws = world.streams.draws(Stream::Force);
    let acting_alone = world.streams.draws(Stream::Authority);
    let roads: u32 = world.situation.sector_road_actives.iter().sum();
    let landing = effects::Landing {
        odds: effects::Odds::of(spec),
        roads_blockaded: roads >= ROADS_BLOCKADED_ACTIVES,
        evacuation_death: spec.evacuation_death_probability,
        kinetic_share: spec.kinetic_share,
    };
    let mut beside = Vec::new();
    for &entity in &world.index.units {
        let Ok((id, mut unit, pos, mut tasking)) = units.get_mut(entity) else { continue };
        if unit.strength_personnel == 0 || !tasking.task.kind.is_operation() {
            continue;
        }
        let mut duty = Duty {
            id: *id,
            unit: &mut unit,
            tasking: &mut tasking,
            cell: pos.0,
            at: grid.xy(pos.0),
            tick,
            draws: UnitDraws::new(draws, unit_key(*id), tick),
        };
        // 1. Resistance of each civilian around the unit.
        resistance::scan(&world, grid, &odds, &duty, &mood, &mut civilians, &mut near);
        // 2. Their aggression on the unit.
        aggression::on_unit(&grid, &near, &mut duty, (world.settings.2, &world.zones), &mut log, &mut attacks);
        // 3. The target and its perceived resistance.
        let Some(target) = perception::target(&grid, &near, duty.at, spec.engage_radius_cells) else {
            continue;
        };
        if target.resistance < Resistance::NonCooperative {
            continue;
        }
        let perceived = perception::perceive(spec, duty.unit, target.resistance, duty.draws);
        if perceived <= Resistance::Cooperative {
            continue; // presence and words: no use of force to record
        }
        // 4. The force level, under the rules of the zone.
        let rule_set = choice::rule_set(duty.unit.agency, world.law.regime(world.zones.of(target.cell)));
        let force = choice::force_level(spec, &duty, perceived, rule_set);
        let force = choice::within_task(force, perceived, duty.tasking.task.kind);
        // 4a. A dispersal is announced, and the crowd given time to leave.
        let warning = warning::before_dispersal(force, perceived, duty.tasking, tick, world.settings.3);
        let force = warning.cap(force);
        if let warning::Warning::Given { until_tick } = warning {
            let mut left = 0;
            for n in near.iter().filter(|n| n.resistance <= Resistance::Cooperative) {
                mood.disperse(n.civilian);
                left += 1;
            }
            log.push(Event::DispersalWarned { tick, unit: duty.id.0, cell: duty.at, until_tick, left });
        }
        // 4b. Lethal force short of a lethal threat needs authority.
        let u_alone = acting_alone.unit(unit_key(duty.id), tick, 0);
        let without = authority::WithoutLeave {
            doctrine: match duty.unit.agency {
                Agency::Pnp => spec.awaiting_authority_pnp,
                Agency::Ffaa => spec.awaiting_authority_ffaa,
            },
            unauthorised: spec.unauthorised_fire_probability * (1.0 - spec.expected_sanction),
            u_act_alone: u_alone,
        };
        let (force, authority) = authority::authorise(force, perceived, rule_set, &mut duty, &mut requests, without);
        // 4c. Scattering force leaves a way out, if the unit was taught to.
        let cornered = force >= ForceLevel::NonLethalDefensiveTactics && escape::trapped(&grid, duty.at, target.cell);
        let force = escape::leaving_a_way_out(force, duty.unit.crowd_training, cornered);
        let trapped = cornered && force >= ForceLevel::NonLethalDefensiveTactics;
        if force < ForceLevel::ContactControl {
            continue;
        }
        // Hands reach only the engage radius; an aggressor further away is
        // answered with projectiles, gas or rounds, or not at all.
        if force <= ForceLevel::PhysicalControl && cells_apart(&grid, duty.at, target.cell) > spec.engage_radius_cells {
            continue;
        }
        if choice::reassessing(duty.tasking.last_force_tick, tick, reassess_ticks) {
            continue;
        }
        duty.tasking.last_force_tick = Some(tick);
        // 5. Its effects on those hit, and on the crowd.
        let hit = effects::hit(&grid, &near, target, force, spec.area_effects);
        let target_at = grid.xy(target.cell);
        beside.clear();
        beside.extend(
            near.iter().filter(|n| n.civilian != target.civilian && cells_apart(&grid, target_at, n.cell) <= 1),
        );
        let (harm, stray) =
            effects::strike(grid, &duty, force, &hit, &beside, &landing, &mut civilians, &mut mood, &mut log);
        let hit: Vec<Nearby> = hit.into_iter().chain(stray).collect();
        let excessive = choice::excessive(force, target.resistance);
        let indiscriminate = effects::indiscriminate(&hit);
        effects::on_the_crowd(&mut mood, target, force, (&hit, trapped), tick);
        log.push(Event::UseOfForce {
            tick,
            unit: duty.id.0,
            agency: duty.unit.agency,
            task: duty.tasking.task.kind,
            perceived_resistance: perceived,
            true_resistance: target.resistance,
            force,
            rule_set,
            cell: grid.xy(target.cell),
            affected: hit.len() as u32,
            harm,
            excessive,
            indiscriminate,
            authority,
            trapped,
        });
        // The law judges the act on what was there, as an inquiry would.
        if force == ForceLevel::LethalForce
            && target.resistance < Resistance::LethalAggression
            && rule_set != RuleSet::HumanitarianLaw
        {
            let zone = world.zones.of(target.cell);
            let violation = Violation::LethalForceWithoutThreat;
            log.push(Event::Violation {
                tick,
                violation,
                basis: violation.basis(),
                unit: duty.id.0,
                agency: duty.unit.agency,
                task: duty.tasking.task.kind,
                cell: grid.xy(target.cell),
                regime: world.law.regime(zone),
                zone: world.zones.names[zone].clone(),
                refused: false,
            });
        }
    }
}

/// The scenario format's default force settings.
#[cfg(test)]
fn default_spec() -> ForceSpec {
    use crate::scenario::defaults as d;
    ForceSpec {
        engage_radius_cells: d::ENGAGE_RADIUS_CELLS,
        perception_sigma_pnp: d::PERCEPTION_SIGMA_PNP,
        perception_sigma_ffaa: d::PERCEPTION_SIGMA_FFAA,
        ffaa_overclassify_probability: d::FFAA_OVERCLASSIFY_PROBABILITY,
        untrained_escalation_probability: d::UNTRAINED_ESCALATION_PROBABILITY,
        stress_escalation_weight: d::STRESS_ESCALATION_WEIGHT,
        no_kit_lethal_probability: d::NO_KIT_LETHAL_PROBABILITY,
        pro_officer_interpretation: d::PRO_OFFICER_INTERPRETATION,
        area_effects: d::AREA_EFFECTS,
        reassess_minutes: d::REASSESS_MINUTES,
        kinetic_injury_probability: d::KINETIC_INJURY_PROBABILITY,
        lethal_hit_probability: d::LETHAL_HIT_PROBABILITY,
        lethal_death_given_hit: d::LETHAL_DEATH_GIVEN_HIT,
        stones_injury_probability: d::STONES_INJURY_PROBABILITY,
        evacuation_death_probability: d::EVACUATION_DEATH_PROBABILITY,
        kinetic_share: d::KINETIC_SHARE,
        officer_death_given_injury: d::OFFICER_DEATH_GIVEN_INJURY,
        unauthorised_fire_probability: d::UNAUTHORISED_FIRE_PROBABILITY,
        expected_sanction: d::EXPECTED_SANCTION,
        awaiting_authority_pnp: d::AWAITING_AUTHORITY_PNP,
        awaiting_authority_ffaa: d::AWAITING_AUTHORITY_FFAA,
        dispersal_warning_minutes: d::DISPERSAL_WARNING_MINUTES,
    }
}
