//! Step 5 of the use of force: who is hit, the harm done to each, and what
//! the crowd makes of it.
//!
//! Force at levels 4 and 5 hits everyone within
//! [`AREA_EFFECT_RADIUS_CELLS`] of the target (gas, pellets, volleys)
//! unless `force.area_effects` is off; lower levels only the target. The
//! harm per person hit depends on the level and the unit's kit (domain
//! brief, "Effects"; `docs/model.md` §11.4). Deaths and serious injuries
//! feed the crowd's backlash, every use of force its shared identity, and
//! force at level 4 or 5 on someone not resisting sparks a flashpoint
//! (`docs/model.md` §11.5).

use crate::base::events::{Event, EventLog};
use crate::base::vocabulary::{Cause, ForceLevel, Harm, HarmCount, Resistance};
use crate::civilians::Condition;
use crate::crowd::CrowdMood;
use crate::grid::{Grid, GridWrites, Occupant};
use crate::scenario::NonLethalKit;

use super::{Civilians, Duty, Near, Nearby, cells_apart};

/// How far from the target area effects reach (brief: "hits every agent in
/// the cell or radius"; one cell, assumption).
const AREA_EFFECT_RADIUS_CELLS: u32 = 1;

/// Physical control: the probability of injury (brief: "injury 0.02
/// (0.01–0.05), death ≈ 0").
const PHYSICAL_CONTROL_INJURY_PROBABILITY: f64 = 0.02;

/// Kinetic-impact projectiles (full kit): the probability of injury (brief:
/// "injury 0.3 (0.2–0.5) per target hit").
const KINETIC_INJURY_PROBABILITY: f64 = 0.3;

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

/// Lethal force: the probability of a hit per person aimed at (brief: "hit
/// probability per aimed shot 0.3–0.6"; the middle).
const LETHAL_HIT_PROBABILITY: f64 = 0.45;

/// Lethal force: given a hit, the probability of death, else injury
/// (brief: "given hit, death 0.35 (0.2–0.5), otherwise severe injury").
const LETHAL_DEATH_GIVEN_HIT: f64 = 0.35;

/// Those in `near` whom `force` used on `target` hits: everyone within
/// [`AREA_EFFECT_RADIUS_CELLS`] of it for levels 4 and 5 with
/// `area_effects`, else the target alone.
pub(super) fn hit(grid: &Grid, near: &Near, target: Nearby, force: ForceLevel, area_effects: bool) -> Vec<Nearby> {
    let area = force >= ForceLevel::NonLethalDefensiveTactics && area_effects;
    let at = grid.xy(target.cell);
    near.iter()
        .filter(|n| {
            if area { cells_apart(grid, at, n.cell) <= AREA_EFFECT_RADIUS_CELLS } else { n.civilian == target.civilian }
        })
        .copied()
        .collect()
}

/// The harm `force` used by a unit with `kit` does to one person hit, and
/// its cause, given the draws `u_hit` and `u_harm` (how badly, given a
/// hit).
fn harm_to_civilian(force: ForceLevel, kit: NonLethalKit, u_hit: f64, u_harm: f64) -> (Option<Harm>, Cause) {
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
            ((u_hit < KINETIC_INJURY_PROBABILITY).then_some(given), Cause::KineticProjectiles)
        }
        (ForceLevel::NonLethalDefensiveTactics, _) => {
            ((u_hit < GAS_INJURY_PROBABILITY).then_some(Harm::Injured), Cause::Gas)
        }
        (ForceLevel::LethalForce, _) => {
            let given = if u_harm < LETHAL_DEATH_GIVEN_HIT { Harm::Dead } else { Harm::Injured };
            ((u_hit < LETHAL_HIT_PROBABILITY).then_some(given), Cause::Firearm)
        }
        _ => (None, Cause::PhysicalControl),
    }
}

/// The effects of `force` used by the unit on `duty` on those `hit`: gas
/// puts the active to flight, the harmed are reported to `log` and counted,
/// the dead leave the grid, and deaths and serious injuries reach the
/// crowd's mood.
pub(super) fn strike(
    grid: GridWrites,
    duty: &Duty,
    force: ForceLevel,
    hit: &[Nearby],
    civilians: &mut Civilians,
    mood: &mut CrowdMood,
    log: &mut EventLog,
) -> HarmCount {
    let tick = duty.tick;
    let mut done = HarmCount::default();
    for n in hit {
        let draws = duty.draws.civilian(n.civilian);
        let (harm, cause) = harm_to_civilian(force, duty.unit.non_lethal_kit, draws.hit(), draws.harm_given_hit());
        let Ok((_, mut condition)) = civilians.get_mut(n.entity) else {
            continue;
        };
        if cause == Cause::Gas && *condition == Condition::Active && draws.flight_from_gas() < GAS_FLIGHT_PROBABILITY {
            *condition = Condition::Quiescent;
            grid.set(n.cell, Occupant::Civilian { id: n.civilian.0, active: false });
        }
        let Some(h) = harm else { continue };
        log.push(Event::CivilianHarmed { tick, unit: duty.id.0, harm: h, cause });
        match h {
            Harm::Dead => {
                *condition = Condition::Dead;
                grid.set(n.cell, Occupant::Empty);
                mood.death_at(n.cell, tick);
                done.dead += 1;
            }
            Harm::Disabled => {
                mood.serious_injury_at(n.cell);
                done.disabled += 1;
            }
            Harm::Injured => {
                // Injury by non-lethal tactics or firearms is serious.
                if force >= ForceLevel::NonLethalDefensiveTactics {
                    mood.serious_injury_at(n.cell);
                }
                done.injured += 1;
            }
        }
    }
    done
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
pub(super) fn on_the_crowd(mood: &mut CrowdMood, target: Nearby, force: ForceLevel, hit: &[Nearby], tick: u32) {
    mood.force_seen(target.cell, bystanders(hit) as f64 / hit.len().max(1) as f64);
    if force >= ForceLevel::NonLethalDefensiveTactics && target.resistance <= Resistance::NonCooperative {
        mood.flashpoint(target.cell, tick);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::civilians::CivilianId;

    #[test]
    fn kinetic_projectiles_kill_three_and_disable_fifteen_in_a_hundred_injured() {
        let f = ForceLevel::NonLethalDefensiveTactics;
        let full = NonLethalKit::Full;
        let kinetic = Cause::KineticProjectiles;
        assert_eq!(harm_to_civilian(f, full, 0.29, 0.02), (Some(Harm::Dead), kinetic));
        assert_eq!(harm_to_civilian(f, full, 0.29, 0.1), (Some(Harm::Disabled), kinetic));
        assert_eq!(harm_to_civilian(f, full, 0.29, 0.5), (Some(Harm::Injured), kinetic));
        assert_eq!(harm_to_civilian(f, full, 0.31, 0.02), (None, kinetic), "missed");
    }

    #[test]
    fn the_kit_and_the_level_set_the_harm() {
        use ForceLevel::*;
        let partial = NonLethalKit::Partial;
        assert_eq!(harm_to_civilian(NonLethalDefensiveTactics, partial, 0.005, 0.0), (Some(Harm::Injured), Cause::Gas));
        assert_eq!(harm_to_civilian(NonLethalDefensiveTactics, partial, 0.02, 0.0), (None, Cause::Gas));
        assert_eq!(
            harm_to_civilian(PhysicalControl, partial, 0.01, 0.0),
            (Some(Harm::Injured), Cause::PhysicalControl)
        );
        assert_eq!(harm_to_civilian(LethalForce, partial, 0.4, 0.3), (Some(Harm::Dead), Cause::Firearm));
        assert_eq!(harm_to_civilian(LethalForce, partial, 0.4, 0.4), (Some(Harm::Injured), Cause::Firearm));
        assert_eq!(harm_to_civilian(LethalForce, partial, 0.5, 0.0), (None, Cause::Firearm));
        assert_eq!(harm_to_civilian(ContactControl, partial, 0.0, 0.0), (None, Cause::PhysicalControl));
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
