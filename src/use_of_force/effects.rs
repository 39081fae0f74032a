//! Step 5 of the use of force: who is hit, the harm done to each, and what
//! the crowd makes of it.
//!
//! Force at level 4 hits everyone within [`AREA_EFFECT_RADIUS_CELLS`] of
//! the target (gas, pellets) unless `force.area_effects` is off; lower
//! levels only the target; level 5 is aimed fire at the target, a hit the
//! less likely the further it stands, and a miss may strike someone beside
//! it. The harm per person hit depends on the level and the unit's kit
//! (domain brief, "Effects"; `docs/model.md` §11.4). A civilian critically
//! harmed (disabled, or shot) while the roads are blockaded may die for
//! want of an ambulance.
//! Deaths and serious injuries
//! feed the crowd's backlash, every use of force its shared identity, and
//! force at level 4 or 5 on someone not resisting sparks a flashpoint
//! (`docs/model.md` §11.5).

use crate::base::events::{Event, EventLog};
use crate::base::vocabulary::{Cause, ForceLevel, Harm, HarmCount, Resistance};
use crate::civilians::Condition;
use crate::crowd::CrowdMood;
use crate::grid::{Grid, GridWrites, Occupant};
use crate::scenario::{ForceSpec, NonLethalKit};

use super::{Civilians, Duty, Near, Nearby, cells_apart};

/// How far from the target area effects reach (brief: "hits every agent in
/// the cell or radius"; one cell, assumption).
const AREA_EFFECT_RADIUS_CELLS: u32 = 1;

/// Physical control: the probability of injury (brief: "injury 0.02
/// (0.01–0.05), death ≈ 0").
const PHYSICAL_CONTROL_INJURY_PROBABILITY: f64 = 0.02;

/// Kinetic-impact projectiles: of those injured, the share who die (Haar
/// et al. 2017: 53 of 1,984, ≈ 3%).
const KINETIC_DEATH_GIVEN_INJURY: f64 = 0.03;

/// Kinetic-impact projectiles: of those injured, the share who die or are
/// disabled for good: 3% dead and 15% disabled (Haar et al. 2017: 300 of
/// 1,984 disabled), written as the sum so that the comparison is with the
/// very same number.
const KINETIC_DEATH_OR_DISABILITY_GIVEN_INJURY: f64 = 0.18;

/// Gas and batons (partial kit): the probability of injury (brief: "4, gas
/// … injury 0.01").
const GAS_INJURY_PROBABILITY: f64 = 0.01;

/// Gas: the probability that an active civilian hit flees and turns
/// quiescent (brief: "flee probability 0.5–0.8").
const GAS_FLIGHT_PROBABILITY: f64 = 0.65;

/// Aimed fire: each cell beyond the first multiplies the chance of a hit
/// by this (**Assumption**: 0.45 at 25 m, 0.34 at 50 m, 0.25 at 75 m).
const LETHAL_HIT_FALLOFF_PER_CELL: f64 = 0.75;

/// Aimed fire: a round that misses its target strikes someone within a
/// cell of it with this probability (**Assumption**: rounds fired into a
/// crowd; many of the dead of 2022–23 were passers-by, brief §3).
const STRAY_GIVEN_MISS: f64 = 0.2;

/// Those in `near` whom `force` used on `target` reaches: everyone within
/// [`AREA_EFFECT_RADIUS_CELLS`] of it for level 4 with `area_effects`, else
/// the target alone (aimed fire included; see [`strike`] for strays).
pub(super) fn hit(grid: &Grid, near: &Near, target: Nearby, force: ForceLevel, area_effects: bool) -> Vec<Nearby> {
    let area = force == ForceLevel::NonLethalDefensiveTactics && area_effects;
    let at = grid.xy(target.cell);
    near.iter()
        .filter(|n| {
            if area { cells_apart(grid, at, n.cell) <= AREA_EFFECT_RADIUS_CELLS } else { n.civilian == target.civilian }
        })
        .copied()
        .collect()
}

/// The chances of harm a use of force gives, from the scenario's settings.
#[derive(Debug, Clone, Copy)]
pub(super) struct Odds {
    pub kinetic_injury: f64,
    pub lethal_hit: f64,
    pub lethal_death_given_hit: f64,
}

impl Odds {
    pub fn of(spec: &ForceSpec) -> Odds {
        Odds {
            kinetic_injury: spec.kinetic_injury_probability,
            lethal_hit: spec.lethal_hit_probability,
            lethal_death_given_hit: spec.lethal_death_given_hit,
        }
    }

    /// The chance that a round aimed at someone `cells` away hits.
    fn lethal_hit_at(&self, cells: u32) -> f64 {
        self.lethal_hit * LETHAL_HIT_FALLOFF_PER_CELL.powi(cells.saturating_sub(1) as i32)
    }
}

/// The harm `force` used by a unit with `kit` does to one person reached
/// `cells` away, and its cause, given the draws `u_hit` and `u_harm` (how
/// badly, given a hit).
fn harm_to_civilian(
    odds: &Odds,
    force: ForceLevel,
    kit: NonLethalKit,
    cells: u32,
    u_hit: f64,
    u_harm: f64,
) -> (Option<Harm>, Cause) {
    match (force, kit) {
        (ForceLevel::PhysicalControl, _) => {
            ((u_hit < PHYSICAL_CONTROL_INJURY_PROBABILITY).then_some(Harm::Injured), Cause::PhysicalControl)
        }
        (ForceLevel::NonLethalDefensiveTactics, NonLethalKit::Full) => {
            let given = if u_harm < KINETIC_DEATH_GIVEN_INJURY {
                Harm::Dead
            } else if u_harm < KINETIC_DEATH_OR_DISABILITY_GIVEN_INJURY {
                Harm::Disabled
            } else {
                Harm::Injured
            };
            ((u_hit < odds.kinetic_injury).then_some(given), Cause::KineticProjectiles)
        }
        (ForceLevel::NonLethalDefensiveTactics, _) => {
            ((u_hit < GAS_INJURY_PROBABILITY).then_some(Harm::Injured), Cause::Gas)
        }
        (ForceLevel::LethalForce, _) => {
            let given = if u_harm < odds.lethal_death_given_hit { Harm::Dead } else { Harm::Injured };
            ((u_hit < odds.lethal_hit_at(cells)).then_some(given), Cause::Firearm)
        }
        _ => (None, Cause::PhysicalControl),
    }
}

/// How a use of force lands: the chances of harm, whether the roads are
/// blockaded (ambulances cannot pass) and the chance that a critical
/// patient dies of it.
pub(super) struct Landing {
    pub odds: Odds,
    pub roads_blockaded: bool,
    pub evacuation_death: f64,
    pub kinetic_share: f64,
}

/// The effects of `force` used by the unit on `duty` on those `hit` (the
/// target first): gas puts the active to flight, the harmed are reported to
/// `log` and counted, the dead leave the grid, and deaths and serious
/// injuries reach the crowd's mood. A round that misses may strike one of
/// `beside` (those within a cell of the target), who is then returned.
#[allow(clippy::too_many_arguments)]
pub(super) fn strike(
    grid: GridWrites,
    duty: &Duty,
    force: ForceLevel,
    hit: &[Nearby],
    beside: &[Nearby],
    landing: &Landing,
    civilians: &mut Civilians,
    mood: &mut CrowdMood,
    log: &mut EventLog,
) -> (HarmCount, Option<Nearby>) {
    let tick = duty.tick;
    // A fully kitted unit fires projectiles or gas, by the kinetic share.
    let kit = match duty.unit.non_lethal_kit {
        NonLethalKit::Full if duty.draws.projectiles() >= landing.kinetic_share => NonLethalKit::Partial,
        kit => kit,
    };
    let mut done = HarmCount::default();
    let mut stray = None;
    // Gas, projectiles and gunfire scatter those they reach and those
    // beside a round's target.
    if force >= ForceLevel::NonLethalDefensiveTactics {
        let scattered = if force == ForceLevel::LethalForce { beside } else { &[][..] };
        for n in hit.iter().chain(scattered) {
            mood.disperse(n.civilian);
        }
    }
    for n in hit {
        let draws = duty.draws.civilian(n.civilian);
        let cells = cells_apart(&grid, duty.at, n.cell);
        let (mut harm, cause) = harm_to_civilian(&landing.odds, force, kit, cells, draws.hit(), draws.harm_given_hit());
        flee_gas(grid, duty, cause, n, civilians);
        let mut struck = *n;
        if harm.is_none() && force == ForceLevel::LethalForce && !beside.is_empty() {
            let u = duty.draws.stray();
            if u < STRAY_GIVEN_MISS {
                struck = beside[((u / STRAY_GIVEN_MISS) * beside.len() as f64) as usize % beside.len()];
                let given = duty.draws.civilian(struck.civilian).harm_given_hit();
                // A stray round is a hit: the draw for the hit is 0.
                harm = harm_to_civilian(&landing.odds, force, kit, 1, 0.0, given).0;
                stray = Some(struck);
            }
        }
        let Some(h) = harm else { continue };
        let serious = h == Harm::Disabled || (h == Harm::Injured && force >= ForceLevel::NonLethalDefensiveTactics);
        // Critical: disabled for good, or shot (brief: "critical patient").
        let critical = h == Harm::Disabled || (h == Harm::Injured && force == ForceLevel::LethalForce);
        let evacuation_failed = critical
            && landing.roads_blockaded
            && duty.draws.civilian(struck.civilian).evacuation() < landing.evacuation_death;
        let (h, cause) = if evacuation_failed { (Harm::Dead, Cause::BlockedEvacuation) } else { (h, cause) };
        let Ok((_, mut condition)) = civilians.get_mut(struck.entity) else {
            continue;
        };
        log.push(Event::CivilianHarmed { tick, unit: duty.id.0, harm: h, cause });
        match h {
            Harm::Dead => {
                *condition = Condition::Dead;
                grid.set(struck.cell, Occupant::Empty);
                mood.death_at(struck.cell, tick);
                done.dead += 1;
            }
            Harm::Disabled => {
                mood.serious_injury_at(struck.cell);
                done.disabled += 1;
            }
            Harm::Injured => {
                // Injury by non-lethal tactics or firearms is serious.
                if serious {
                    mood.serious_injury_at(struck.cell);
                }
                done.injured += 1;
            }
        }
    }
    (done, stray)
}

/// Gas puts an active civilian it reaches to flight (quiescent), with the
/// gas-flight probability.
fn flee_gas(grid: GridWrites, duty: &Duty, cause: Cause, n: &Nearby, civilians: &mut Civilians) {
    if cause != Cause::Gas {
        return;
    }
    let Ok((_, mut condition)) = civilians.get_mut(n.entity) else { return };
    if *condition == Condition::Active && duty.draws.civilian(n.civilian).flight_from_gas() < GAS_FLIGHT_PROBABILITY {
        *condition = Condition::Quiescent;
        grid.set(n.cell, Occupant::Civilian { id: n.civilian.0, active: false });
    }
}

/// Those hit who were not resisting: at resistance 2 or below (brief,
/// "Discrimination").
fn bystanders(hit: &[Nearby]) -> usize {
    hit.iter().filter(|n| n.resistance <= Resistance::NonCooperative).count()
}

/// Whether a use of force that hit `hit` was indiscriminate: more than one
/// person hit, more than half of them bystanders (brief: "more than 50% of
/// those hit being at r ≤ 2").
pub(super) fn indiscriminate(hit: &[Nearby]) -> bool {
    hit.len() > 1 && 2 * bystanders(hit) > hit.len()
}

/// What the crowd makes of `force` used on `target` that hit `hit`: the
/// share of bystanders among those hit feeds shared identity; level 4 or 5
/// on someone not resisting sparks a flashpoint.
/// Force on a `trapped` crowd (no way out, `escape`) is force on all of
/// them and sparks a flashpoint whoever it hit.
pub(super) fn on_the_crowd(
    mood: &mut CrowdMood,
    target: Nearby,
    force: ForceLevel,
    (hit, trapped): (&[Nearby], bool),
    tick: u32,
) {
    let share = if trapped { 1.0 } else { bystanders(hit) as f64 / hit.len().max(1) as f64 };
    mood.force_seen(target.cell, share);
    if force >= ForceLevel::NonLethalDefensiveTactics && (trapped || target.resistance <= Resistance::NonCooperative) {
        mood.flashpoint(target.cell, tick);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::civilians::CivilianId;

    const ODDS: Odds = Odds { kinetic_injury: 0.3, lethal_hit: 0.45, lethal_death_given_hit: 0.35 };

    #[test]
    fn aimed_fire_hits_less_the_further_the_target() {
        let f = ForceLevel::LethalForce;
        let kit = NonLethalKit::None;
        assert_eq!(harm_to_civilian(&ODDS, f, kit, 1, 0.44, 0.9), (Some(Harm::Injured), Cause::Firearm));
        assert_eq!(harm_to_civilian(&ODDS, f, kit, 2, 0.44, 0.9), (None, Cause::Firearm), "0.45 x 0.75 at 2 cells");
        assert_eq!(harm_to_civilian(&ODDS, f, kit, 2, 0.33, 0.9), (Some(Harm::Injured), Cause::Firearm));
        assert_eq!(harm_to_civilian(&ODDS, f, kit, 3, 0.26, 0.1), (None, Cause::Firearm), "0.25 at 3 cells");
    }

    #[test]
    fn kinetic_projectiles_kill_three_and_disable_fifteen_in_a_hundred_injured() {
        let f = ForceLevel::NonLethalDefensiveTactics;
        let full = NonLethalKit::Full;
        let kinetic = Cause::KineticProjectiles;
        assert_eq!(harm_to_civilian(&ODDS, f, full, 1, 0.29, 0.02), (Some(Harm::Dead), kinetic));
        assert_eq!(harm_to_civilian(&ODDS, f, full, 1, 0.29, 0.1), (Some(Harm::Disabled), kinetic));
        assert_eq!(harm_to_civilian(&ODDS, f, full, 1, 0.29, 0.5), (Some(Harm::Injured), kinetic));
        assert_eq!(harm_to_civilian(&ODDS, f, full, 1, 0.31, 0.02), (None, kinetic), "missed");
    }

    #[test]
    fn the_kit_and_the_level_set_the_harm() {
        use ForceLevel::*;
        let partial = NonLethalKit::Partial;
        assert_eq!(
            harm_to_civilian(&ODDS, NonLethalDefensiveTactics, partial, 1, 0.005, 0.0),
            (Some(Harm::Injured), Cause::Gas)
        );
        assert_eq!(harm_to_civilian(&ODDS, NonLethalDefensiveTactics, partial, 1, 0.02, 0.0), (None, Cause::Gas));
        assert_eq!(
            harm_to_civilian(&ODDS, PhysicalControl, partial, 1, 0.01, 0.0),
            (Some(Harm::Injured), Cause::PhysicalControl)
        );
        assert_eq!(harm_to_civilian(&ODDS, LethalForce, partial, 1, 0.4, 0.3), (Some(Harm::Dead), Cause::Firearm));
        assert_eq!(harm_to_civilian(&ODDS, LethalForce, partial, 1, 0.4, 0.4), (Some(Harm::Injured), Cause::Firearm));
        assert_eq!(harm_to_civilian(&ODDS, LethalForce, partial, 1, 0.5, 0.0), (None, Cause::Firearm));
        assert_eq!(harm_to_civilian(&ODDS, ContactControl, partial, 1, 0.0, 0.0), (None, Cause::PhysicalControl));
    }

    #[test]
    fn indiscriminate_means_mostly_bystanders_among_several() {
        let at = |civilian, resistance| Nearby {
            civilian: CivilianId(civilian),
            entity: bevy_ecs::entity::Entity::PLACEHOLDER,
            cell: civilian,
            resistance,
        };
        let (calm, violent) = (Resistance::Cooperative, Resistance::NonLethalAggression);
        assert!(!indiscriminate(&[at(1, calm)]), "one person is never indiscriminate");
        assert!(!indiscriminate(&[at(1, calm), at(2, violent)]), "half is not more than half");
        assert!(indiscriminate(&[at(1, calm), at(2, calm), at(3, violent)]));
        assert!(!indiscriminate(&[at(1, Resistance::PhysicalResistance), at(2, violent)]));
    }
}
