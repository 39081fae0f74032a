//! Step 1 of the use of force: the resistance of each civilian near a unit.
//!
//! A unit scans the square of cells around it, as far as it engages or is
//! attacked, and rates each civilian there at a level of D. Leg. 1186
//! art. 7.1 from its drive D = G − R·P − T (domain brief, "Resistance level
//! of an active agent"; `docs/model.md` §11.2). A paid agitator within
//! [`AGGRESSION_RADIUS_CELLS`] of the unit may provoke: throw a stone and
//! turn active.

use crate::base::vocabulary::Resistance;
use crate::civilians::{self, ArrestOdds, CivilianId, Condition, Disposition, Mood};
use crate::crowd::{CrowdMood, Weapon};
use crate::grid::{GridWrites, Occupant};
use crate::scenario::CrowdType;

use super::aggression::AGGRESSION_RADIUS_CELLS;
use super::{Civilians, Duty, Near, Nearby, Surroundings};

/// The highest drive at which an active civilian is only non-cooperative
/// (domain brief, "Resistance level of an active agent": D ≤ 0.1 → 2).
const NON_COOPERATIVE_MAX_DRIVE: f64 = 0.1;

/// The highest drive at which an active civilian resists only physically,
/// armed or not (brief: 0.1–0.3 → 3; above, with a weapon → 4).
const PHYSICAL_RESISTANCE_MAX_DRIVE: f64 = 0.3;

/// Per tick, the probability that an armed shock-group member or agitator
/// above [`PHYSICAL_RESISTANCE_MAX_DRIVE`] uses its firearm (brief:
/// "firearm plus shock/agitator type → 5 with probability 0.05").
const LETHAL_AGGRESSION_PROBABILITY: f64 = 0.05;

/// Resistance from drive D = G − R·P − T (domain brief, "Resistance level
/// of an active agent"), given the draw `lethal_draw` for lethal
/// aggression.
pub fn resistance(active: bool, drive: f64, weapon: Weapon, kind: Option<CrowdType>, lethal_draw: f64) -> Resistance {
    if !active {
        return Resistance::Cooperative;
    }
    let mut r = if drive <= NON_COOPERATIVE_MAX_DRIVE {
        Resistance::NonCooperative
    } else if drive <= PHYSICAL_RESISTANCE_MAX_DRIVE || weapon == Weapon::None {
        Resistance::PhysicalResistance
    } else {
        Resistance::NonLethalAggression
    };
    let organised = matches!(kind, Some(CrowdType::ShockGroup | CrowdType::PaidAgitator));
    if weapon == Weapon::Firearm
        && organised
        && drive > PHYSICAL_RESISTANCE_MAX_DRIVE
        && lethal_draw < LETHAL_AGGRESSION_PROBABILITY
    {
        r = Resistance::LethalAggression;
    }
    // Shock groups resist physically at least (brief: they start at 3–4).
    if kind == Some(CrowdType::ShockGroup) {
        r = r.max(Resistance::PhysicalResistance);
    }
    r
}

/// The drive D = G − R·P − T of a civilian with `disposition` and `mood`
/// facing arrest probability `arrest_probability`, where
/// G = H·(1 − L) + w_S·S.
fn drive(disposition: &Disposition, mood: &Mood, arrest_probability: f64) -> f64 {
    disposition.hardship * (1.0 - mood.legitimacy) + mood.extra_grievance
        - disposition.risk_aversion * arrest_probability
        - mood.threshold
}

/// Fills `near` with the civilians within the unit's reach (the larger of
/// its engage radius and [`AGGRESSION_RADIUS_CELLS`]) and their resistance,
/// row by row; agitators within [`AGGRESSION_RADIUS_CELLS`] may provoke,
/// which turns them active on the grid too.
pub(super) fn scan(
    world: &Surroundings,
    grid: GridWrites,
    odds: &ArrestOdds,
    duty: &Duty,
    mood: &CrowdMood,
    civilians: &mut Civilians,
    near: &mut Near,
) {
    let reach = world.settings.0.engage_radius_cells.max(AGGRESSION_RADIUS_CELLS) as i32;
    // What a civilian here estimates: the counts at the unit's cell.
    let (officers, actives) = civilians::scan_counts(&grid, duty.cell, &world.shapes.civilian);
    let p = odds.probability(officers, actives.max(1));
    near.clear();
    let (ux, uy) = duty.at;
    let mut draws = duty.draws.scan();
    for dy in -reach..=reach {
        for dx in -reach..=reach {
            let Some(cell) = grid.offset_xy(ux, uy, dx, dy) else { continue };
            let Occupant::Civilian { id: c, active } = grid.get(cell) else { continue };
            let cid = CivilianId(c);
            let entity = world.index.civilians[c as usize];
            let Ok((disposition, mut condition)) = civilians.get_mut(entity) else {
                continue;
            };
            if condition.is_out() {
                continue;
            }
            let kind = mood.type_of(cid);
            let m = mood.mood_for(cell, cid, &world.tunables.0);
            let drive = drive(disposition, &m, p);
            let slots = draws.next_civilian();
            let mut r = resistance(active, drive, mood.weapon_of(cid), kind, slots.lethal_aggression());
            let close = dx.unsigned_abs().max(dy.unsigned_abs()) <= AGGRESSION_RADIUS_CELLS;
            if kind == Some(CrowdType::PaidAgitator)
                && close
                && slots.provocation() < mood.spec.agitator_provocation_probability
            {
                // A provocation: a stone thrown at the unit.
                r = r.max(Resistance::NonLethalAggression);
                *condition = Condition::Active;
                grid.set(cell, Occupant::Civilian { id: c, active: true });
            }
            near.push(Nearby { civilian: cid, entity, cell, resistance: r });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resistance_follows_the_drive_and_the_weapon() {
        use Resistance::*;
        assert_eq!(resistance(false, 0.9, Weapon::Firearm, None, 0.0), Cooperative);
        assert_eq!(resistance(true, 0.05, Weapon::Stones, None, 0.0), NonCooperative);
        assert_eq!(resistance(true, 0.2, Weapon::Stones, None, 0.0), PhysicalResistance);
        assert_eq!(resistance(true, 0.5, Weapon::None, None, 0.0), PhysicalResistance);
        assert_eq!(resistance(true, 0.5, Weapon::Stones, None, 0.0), NonLethalAggression);
        let shock = Some(CrowdType::ShockGroup);
        assert_eq!(resistance(true, 0.05, Weapon::None, shock, 0.0), PhysicalResistance, "shock groups resist");
        assert_eq!(resistance(true, 0.5, Weapon::Firearm, shock, 0.01), LethalAggression);
        assert_eq!(resistance(true, 0.5, Weapon::Firearm, shock, 0.5), NonLethalAggression, "armed, not shooting");
        assert_eq!(resistance(true, 0.5, Weapon::Firearm, None, 0.01), NonLethalAggression, "untyped: never lethal");
    }

    #[test]
    fn the_thresholds_are_inclusive() {
        use Resistance::*;
        let agitator = Some(CrowdType::PaidAgitator);
        assert_eq!(resistance(true, 0.1, Weapon::Stones, None, 0.0), NonCooperative);
        assert_eq!(resistance(true, 0.3, Weapon::Stones, None, 0.0), PhysicalResistance);
        // At D = 0.3 exactly an armed agitator does not shoot, above it may.
        assert_eq!(resistance(true, 0.3, Weapon::Firearm, agitator, 0.0), PhysicalResistance);
        assert_eq!(resistance(true, 0.31, Weapon::Firearm, agitator, 0.049), LethalAggression);
        assert_eq!(resistance(true, 0.31, Weapon::Firearm, agitator, 0.05), NonLethalAggression);
    }

    #[test]
    fn drive_is_grievance_less_fear_less_threshold() {
        let d = Disposition { hardship: 0.5, risk_aversion: 0.5 };
        let m = Mood { legitimacy: 0.5, threshold: 0.1, extra_grievance: 0.25 };
        // 0.5·(1 − 0.5) + 0.25 − 0.5·0.5 − 0.1
        assert!((drive(&d, &m, 0.5) - 0.15).abs() < 1e-12);
        assert!(drive(&d, &m, 1.0) < drive(&d, &m, 0.0), "fear of arrest lowers the drive");
    }
}
