//! Step 2 of the use of force: civilians' aggression on a unit, and the
//! unit's stress.
//!
//! Each civilian at non-lethal or lethal aggression within
//! [`AGGRESSION_RADIUS_CELLS`] of a unit is one exposure per tick: stones
//! may injure one of its people, a firearm injure or kill one. Each
//! casualty takes a person from the unit's strength and adds to its stress;
//! stress also builds under threat and fades without (domain brief,
//! "Civilian → security aggression"; `docs/model.md` §11.4).

use crate::base::events::{Event, EventLog};
use crate::base::vocabulary::{Cause, Harm, Resistance, Side};
use crate::grid::Grid;
use crate::scenario::{Agency, NonLethalKit};

use super::{Duty, Near, cells_apart};

/// Radius within which civilians throw things at a unit, and within which
/// agitators provoke (brief: stones "per exposure tick within 3 cells";
/// `p_prov` "when within 3 cells of security units").
pub(super) const AGGRESSION_RADIUS_CELLS: u32 = 3;

/// Per exposure to a firearm, the probability that one of the unit dies
/// (brief: "Firearms (rare): death 0.1").
const FIREARM_DEATH_PROBABILITY: f64 = 0.1;

/// Per exposure to a firearm, the probability that one of the unit dies or
/// is injured: death 0.1 and injury 0.2 (the injury: assumption). Written
/// as the sum, 0.3, so that the comparison is with the very same number.
const FIREARM_DEATH_OR_INJURY_PROBABILITY: f64 = 0.3;

/// Per exposure to stones, the probability that one of the unit is injured
/// (brief: "injury 0.02–0.05 per exposure tick within 3 cells"; the
/// middle).
const STONES_INJURY_PROBABILITY: f64 = 0.03;

/// [`STONES_INJURY_PROBABILITY`] for a unit with shields (any non-lethal
/// kit): halved (brief: "reduced by 50% with shields").
const STONES_INJURY_PROBABILITY_SHIELDED: f64 = 0.015;

/// Stress each casualty adds to its unit (assumption).
const CASUALTY_STRESS: f64 = 0.05;

/// Stress a tick under threat adds (assumption: it builds slowly).
const THREAT_STRESS_PER_TICK: f64 = 0.002;

/// Stress a tick without threat takes away (assumption: it fades twice as
/// fast as it builds).
const CALM_STRESS_RELIEF_PER_TICK: f64 = 0.004;

/// The harm one exposure to a civilian at resistance `r` does to a unit,
/// `shielded` or not, given the draw `u`.
fn harm_to_unit(r: Resistance, shielded: bool, u: f64) -> (Option<Harm>, Cause) {
    if r == Resistance::LethalAggression {
        if u < FIREARM_DEATH_PROBABILITY {
            (Some(Harm::Dead), Cause::Firearm)
        } else if u < FIREARM_DEATH_OR_INJURY_PROBABILITY {
            (Some(Harm::Injured), Cause::Firearm)
        } else {
            (None, Cause::Firearm)
        }
    } else {
        let p = if shielded { STONES_INJURY_PROBABILITY_SHIELDED } else { STONES_INJURY_PROBABILITY };
        ((u < p).then_some(Harm::Injured), Cause::Stones)
    }
}

/// A unit's stress after a tick, `threatened` or not.
fn stress_after_tick(stress: f64, threatened: bool) -> f64 {
    if threatened {
        (stress + THREAT_STRESS_PER_TICK).min(1.0)
    } else {
        (stress - CALM_STRESS_RELIEF_PER_TICK).max(0.0)
    }
}

/// The aggression of the civilians in `near` on the unit on `duty`: its
/// casualties (reported to `log`) and its stress.
pub(super) fn on_unit(grid: &Grid, near: &Near, duty: &mut Duty, log: &mut EventLog) {
    let side = if duty.unit.agency == Agency::Pnp { Side::Pnp } else { Side::Ffaa };
    let shielded = duty.unit.non_lethal_kit != NonLethalKit::None;
    let mut threatened = false;
    for n in near {
        if n.resistance < Resistance::NonLethalAggression
            || cells_apart(grid, duty.at, n.cell) > AGGRESSION_RADIUS_CELLS
        {
            continue;
        }
        threatened = true;
        let (harm, cause) = harm_to_unit(n.resistance, shielded, duty.draws.civilian(n.civilian).aggression());
        if let Some(h) = harm
            && duty.unit.strength_personnel > 0
        {
            duty.unit.strength_personnel -= 1;
            duty.tasking.stress = (duty.tasking.stress + CASUALTY_STRESS).min(1.0);
            log.push(Event::Casualty { tick: duty.tick, unit: duty.id.0, side, harm: h, cause });
        }
    }
    duty.tasking.stress = stress_after_tick(duty.tasking.stress, threatened);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firearms_kill_then_injure_then_miss() {
        let r = Resistance::LethalAggression;
        assert_eq!(harm_to_unit(r, true, 0.05), (Some(Harm::Dead), Cause::Firearm), "shields do not stop rounds");
        assert_eq!(harm_to_unit(r, false, 0.2), (Some(Harm::Injured), Cause::Firearm));
        assert_eq!(harm_to_unit(r, false, 0.3), (None, Cause::Firearm));
    }

    #[test]
    fn shields_halve_injury_by_stones() {
        let r = Resistance::NonLethalAggression;
        assert_eq!(harm_to_unit(r, false, 0.02), (Some(Harm::Injured), Cause::Stones));
        assert_eq!(harm_to_unit(r, true, 0.02), (None, Cause::Stones));
        assert_eq!(harm_to_unit(r, true, 0.01), (Some(Harm::Injured), Cause::Stones));
        assert_eq!(STONES_INJURY_PROBABILITY_SHIELDED, STONES_INJURY_PROBABILITY / 2.0);
    }

    #[test]
    fn stress_builds_under_threat_and_fades_twice_as_fast() {
        assert_eq!(stress_after_tick(0.5, true), 0.5 + 0.002);
        assert_eq!(stress_after_tick(0.5, false), 0.5 - 0.004);
        assert_eq!(stress_after_tick(0.9995, true), 1.0);
        assert_eq!(stress_after_tick(0.001, false), 0.0);
    }
}
