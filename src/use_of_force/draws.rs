//! The draws of the use of force: which key and which slot of
//! [`Stream::Force`](crate::base::rng::Stream::Force) each rule draws from.
//!
//! Pattern: a draw is a stateless hash of (key, tick, slot) (see
//! `base::rng`). A unit draws with its own key ([`unit_key`] of its id) for
//! what it does as a whole (perceive, deviate) and for each civilian it
//! scans; it draws with a key per (unit, civilian) pair ([`civilian_key`])
//! for what passes between the two (a stone thrown, a round fired), so that
//! each pair has its own sequence of draws whoever else stands near.
//! Reasoning: every slot is named here once, so two rules cannot take the
//! same draw by accident, and the numbers (fixed by the outputs of every
//! earlier run) cannot drift.
//!
//! [`unit_key`]: crate::units::unit_key

use crate::base::rng::Draws;
use crate::civilians::CivilianId;

// Slots drawn with the unit's key.

/// Projectiles or gas, for a fully kitted unit's non-lethal tactics.
const PROJECTILES: u32 = 0;

/// The perception error: a standard normal from this slot and the next.
const PERCEPTION_ERROR: u32 = 2;
/// The FF.AA.'s upward misreading of resistance.
const OVERCLASSIFY: u32 = 4;
/// The deviation one level above the prescribed force.
const DEVIATION: u32 = 5;
/// Lethal force or physical control, without non-lethal kit.
const NO_KIT: u32 = 6;
/// Whether a round that missed its target strikes someone beside it, and
/// whom.
const STRAY: u32 = 11;
/// The scan counter's value before the first civilian: the counter steps
/// by [`SCAN_SLOTS_PER_CIVILIAN`] before each civilian's draws, so the first
/// civilian scanned takes slots 12 and 13 (10 is a pair slot, 11 the
/// stray round's).
const SCAN_COUNTER_START: u32 = 10;
/// Slots per civilian scanned: its lethal aggression, then a provocation.
const SCAN_SLOTS_PER_CIVILIAN: u32 = 2;

// Slots drawn with the (unit, civilian) key. Civilian 0's key is the unit's
// own, so these must stay clear of the unit's slots above.

/// A civilian's aggression on the unit.
const AGGRESSION: u32 = 1;
/// Whether force used on a civilian harms it.
const HIT: u32 = 7;
/// How badly, given a hit.
const HARM_GIVEN_HIT: u32 = 8;
/// Whether a civilian hit by gas flees.
const FLIGHT_FROM_GAS: u32 = 9;
/// Whether a seriously harmed civilian dies for a blocked ambulance.
const EVACUATION: u32 = 10;

/// The key of the draws between a unit and a civilian: the unit's key with
/// the civilian's id shifted clear of unit ids. A separate sequence of draws
/// per (unit, civilian) pair, so what passes between them does not depend
/// on who else is near.
pub fn civilian_key(unit_key: u64, civilian: CivilianId) -> u64 {
    unit_key ^ ((civilian.0 as u64) << 20)
}

/// A standard normal draw (Box–Muller) from slots `n` and `n + 1`.
fn normal(draws: Draws, key: u64, tick: u32, n: u32) -> f64 {
    let u1 = 1.0 - draws.unit(key, tick, n);
    let u2 = draws.unit(key, tick, n + 1);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The draws of one unit at one tick.
#[derive(Debug, Clone, Copy)]
pub struct UnitDraws {
    draws: Draws,
    key: u64,
    tick: u32,
}

impl UnitDraws {
    /// The draws of the unit with key `unit_key` (`units::unit_key`).
    pub fn new(draws: Draws, unit_key: u64, tick: u32) -> UnitDraws {
        UnitDraws { draws, key: unit_key, tick }
    }

    fn unit(self, slot: u32) -> f64 {
        self.draws.unit(self.key, self.tick, slot)
    }

    /// A standard normal: the error in perceiving resistance.
    pub fn perception_error(self) -> f64 {
        normal(self.draws, self.key, self.tick, PERCEPTION_ERROR)
    }

    /// A uniform for the FF.AA.'s upward misreading.
    pub fn overclassify(self) -> f64 {
        self.unit(OVERCLASSIFY)
    }

    /// A uniform for the deviation one level up.
    pub fn deviation(self) -> f64 {
        self.unit(DEVIATION)
    }

    /// A uniform for lethal force without non-lethal kit.
    pub fn no_kit(self) -> f64 {
        self.unit(NO_KIT)
    }

    /// A uniform for projectiles (below the kinetic share) or gas.
    pub fn projectiles(self) -> f64 {
        self.unit(PROJECTILES)
    }

    /// A uniform for a stray round: below the stray probability it strikes
    /// someone, and its position in that range picks whom.
    pub fn stray(self) -> f64 {
        self.unit(STRAY)
    }

    /// The slots of the civilians this unit scans, in scan order.
    pub fn scan(self) -> ScanDraws {
        ScanDraws { unit: self, counter: SCAN_COUNTER_START }
    }

    /// The draws between this unit and `civilian`.
    pub fn civilian(self, civilian: CivilianId) -> PairDraws {
        PairDraws { draws: self.draws, key: civilian_key(self.key, civilian), tick: self.tick }
    }
}

/// The counter of a unit's scan: each civilian scanned takes the next
/// [`SCAN_SLOTS_PER_CIVILIAN`] slots of the unit's key.
#[derive(Debug, Clone, Copy)]
pub struct ScanDraws {
    unit: UnitDraws,
    counter: u32,
}

impl ScanDraws {
    /// The draws of the next civilian scanned.
    pub fn next_civilian(&mut self) -> ScannedDraws {
        self.counter += SCAN_SLOTS_PER_CIVILIAN;
        ScannedDraws { unit: self.unit, first: self.counter }
    }
}

/// The draws of one civilian in a unit's scan.
#[derive(Debug, Clone, Copy)]
pub struct ScannedDraws {
    unit: UnitDraws,
    first: u32,
}

impl ScannedDraws {
    /// A uniform for lethal aggression by an armed, organised civilian.
    pub fn lethal_aggression(self) -> f64 {
        self.unit.unit(self.first)
    }

    /// A uniform for an agitator's provocation.
    pub fn provocation(self) -> f64 {
        self.unit.unit(self.first + 1)
    }
}

/// The draws between one unit and one civilian at one tick.
#[derive(Debug, Clone, Copy)]
pub struct PairDraws {
    draws: Draws,
    key: u64,
    tick: u32,
}

impl PairDraws {
    fn unit(self, slot: u32) -> f64 {
        self.draws.unit(self.key, self.tick, slot)
    }

    /// A uniform for the civilian's aggression on the unit.
    pub fn aggression(self) -> f64 {
        self.unit(AGGRESSION)
    }

    /// A uniform for whether the unit's force harms the civilian.
    pub fn hit(self) -> f64 {
        self.unit(HIT)
    }

    /// A uniform for how badly, given a hit.
    pub fn harm_given_hit(self) -> f64 {
        self.unit(HARM_GIVEN_HIT)
    }

    /// A uniform for flight from gas.
    pub fn flight_from_gas(self) -> f64 {
        self.unit(FLIGHT_FROM_GAS)
    }

    /// A uniform for death for want of an ambulance.
    pub fn evacuation(self) -> f64 {
        self.unit(EVACUATION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::rng::{Stream, Streams};

    #[test]
    fn civilian_keys_are_distinct_per_civilian() {
        let unit = 7 | 1 << 41;
        assert_eq!(civilian_key(unit, CivilianId(0)), unit, "civilian 0 shares the unit's key");
        assert_eq!(civilian_key(unit, CivilianId(3)), unit ^ 3 << 20);
        assert_ne!(civilian_key(unit, CivilianId(1)), civilian_key(unit, CivilianId(2)));
        assert_ne!(civilian_key(unit, CivilianId(1)), civilian_key(8 | 1 << 41, CivilianId(1)));
    }

    #[test]
    fn scan_slots_start_at_twelve_and_step_by_two() {
        let draws = Streams::new(3).draws(Stream::Force);
        let mut scan = UnitDraws::new(draws, 42, 9).scan();
        let first = scan.next_civilian();
        assert_eq!(first.lethal_aggression(), draws.unit(42, 9, 12));
        assert_eq!(first.provocation(), draws.unit(42, 9, 13));
        let second = scan.next_civilian();
        assert_eq!(second.lethal_aggression(), draws.unit(42, 9, 14));
        assert_eq!(second.provocation(), draws.unit(42, 9, 15));
    }

    #[test]
    fn pair_slots_stay_clear_of_the_units_slots() {
        // Civilian 0's pair key is the unit's key: its slots must differ.
        let unit = [PROJECTILES, PERCEPTION_ERROR, PERCEPTION_ERROR + 1, OVERCLASSIFY, DEVIATION, NO_KIT, STRAY];
        let pair = [AGGRESSION, HIT, HARM_GIVEN_HIT, FLIGHT_FROM_GAS, EVACUATION];
        for s in pair {
            assert!(!unit.contains(&s), "slot {s}");
        }
        // Nor may any fixed slot fall among the scan's (12 and up).
        for s in unit.into_iter().chain(pair) {
            assert!(s < SCAN_COUNTER_START + SCAN_SLOTS_PER_CIVILIAN, "slot {s} among the scan's");
        }
    }
}
