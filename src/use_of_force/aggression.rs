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
use crate::law::ArmedAttacks;
use crate::scenario::{Agency, NonLethalKit};
use crate::situation::Zones;

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

/// Per thrower within range and per tick, the probability that one of the
/// unit is injured by stones, without and with shields (any non-lethal
/// kit halves it: brief, "reduced by 50% with shields"). The scenario
/// gives it per minute (`force.stones_injury_probability`; brief:
/// "0.02–0.05 per exposure tick" of a minute); a tick of m minutes is m
/// independent minutes: 1 − (1 − p)^m.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoneOdds {
    bare: f64,
    shielded: f64,
    /// Of those harmed, the share killed.
    death_given_injury: f64,
}

impl StoneOdds {
    pub fn per_tick(per_minute: f64, death_given_injury: f64, minutes_per_tick: f64) -> StoneOdds {
        let over = |p: f64| if minutes_per_tick == 1.0 { p } else { 1.0 - (1.0 - p).powf(minutes_per_tick) };
        StoneOdds { bare: over(per_minute), shielded: over(per_minute / 2.0), death_given_injury }
    }
}

/// Stress each casualty adds to its unit (assumption).
const CASUALTY_STRESS: f64 = 0.05;

/// Stress a tick under threat adds (assumption: it builds slowly).
const THREAT_STRESS_PER_TICK: f64 = 0.002;

/// Stress a tick without threat takes away (assumption: it fades twice as
/// fast as it builds).
const CALM_STRESS_RELIEF_PER_TICK: f64 = 0.004;

/// The harm one exposure to a civilian at resistance `r` does to a unit,
/// `shielded` or not, given the draw `u`.
fn harm_to_unit(r: Resistance, stones: StoneOdds, shielded: bool, u: f64) -> (Option<Harm>, Cause) {
    if r == Resistance::LethalAggression {
        if u < FIREARM_DEATH_PROBABILITY {
            (Some(Harm::Dead), Cause::Firearm)
        } else if u < FIREARM_DEATH_OR_INJURY_PROBABILITY {
            (Some(Harm::Injured), Cause::Firearm)
        } else {
            (None, Cause::Firearm)
        }
    } else {
        // One draw: below p·d the officer dies, below p it is injured.
        let p = if shielded { stones.shielded } else { stones.bare };
        let harm = if u < p * stones.death_given_injury {
            Some(Harm::Dead)
        } else if u < p {
            Some(Harm::Injured)
        } else {
            None
        };
        (harm, Cause::Stones)
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
/// casualties (reported to `log`), its stress, and each armed attack (a
/// civilian at lethal aggression in range) as an event and, by the zone of
/// the attacker, in `attacks` for the law.
pub(super) fn on_unit(
    grid: &Grid,
    near: &Near,
    duty: &mut Duty,
    (stones, zones): (StoneOdds, &Zones),
    log: &mut EventLog,
    attacks: &mut ArmedAttacks,
) {
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
        if n.resistance == Resistance::LethalAggression {
            attacks.0.push((duty.tick, zones.of(n.cell)));
            log.push(Event::ArmedAttack { tick: duty.tick, unit: duty.id.0, cell: grid.xy(n.cell) });
        }
        let (harm, cause) = harm_to_unit(n.resistance, stones, shielded, duty.draws.civilian(n.civilian).aggression());
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
        let s = StoneOdds::per_tick(0.03, 0.0, 1.0);
        assert_eq!(harm_to_unit(r, s, true, 0.05), (Some(Harm::Dead), Cause::Firearm), "shields do not stop rounds");
        assert_eq!(harm_to_unit(r, s, false, 0.2), (Some(Harm::Injured), Cause::Firearm));
        assert_eq!(harm_to_unit(r, s, false, 0.3), (None, Cause::Firearm));
    }

    #[test]
    fn shields_halve_injury_by_stones() {
        let r = Resistance::NonLethalAggression;
        let s = StoneOdds::per_tick(0.03, 0.1, 1.0);
        assert_eq!(harm_to_unit(r, s, false, 0.002), (Some(Harm::Dead), Cause::Stones), "0.03 x 0.1");
        assert_eq!(harm_to_unit(r, s, false, 0.02), (Some(Harm::Injured), Cause::Stones));
        assert_eq!(harm_to_unit(r, s, true, 0.02), (None, Cause::Stones));
        assert_eq!(harm_to_unit(r, s, true, 0.01), (Some(Harm::Injured), Cause::Stones));
        assert_eq!(s, StoneOdds { bare: 0.03, shielded: 0.015, death_given_injury: 0.1 });
    }

    #[test]
    fn a_longer_tick_is_that_many_minutes_of_stones() {
        let s = StoneOdds::per_tick(0.03, 0.0, 5.0);
        assert!((s.bare - (1.0 - 0.97f64.powi(5))).abs() < 1e-12, "{}", s.bare);
        assert!((s.shielded - (1.0 - 0.985f64.powi(5))).abs() < 1e-12);
    }

    #[test]
    fn stress_builds_under_threat_and_fades_twice_as_fast() {
        assert_eq!(stress_after_tick(0.5, true), 0.5 + 0.002);
        assert_eq!(stress_after_tick(0.5, false), 0.5 - 0.004);
        assert_eq!(stress_after_tick(0.9995, true), 1.0);
        assert_eq!(stress_after_tick(0.001, false), 0.0);
    }
}
