//! Step 3 of the use of force: the target, and the resistance the unit
//! perceives in it.
//!
//! The target is the civilian at the highest resistance within the engage
//! radius (the lowest id among equals). The unit reads its level with a
//! normal error of its agency's σ (PNP 0.3, FF.AA. 0.6), scaled by its
//! crowd training, and the FF.AA. read one level higher with a probability
//! (domain brief, "Force-resistance rule", step 1; `docs/model.md` §11.3).

use std::cmp::Reverse;

use crate::base::vocabulary::Resistance;
use crate::grid::Grid;
use crate::scenario::{Agency, ForceSpec};
use crate::units::Unit;

use super::draws::UnitDraws;
use super::{Near, Nearby, cells_apart};

/// σ's factor for an untrained unit: σ × (1.25 − training/2), so the
/// agency's σ applies at training 0.5 (assumption: training sharpens the
/// eye).
const UNTRAINED_SIGMA_FACTOR: f64 = 1.25;

/// How much of σ's factor crowd training takes away, per unit of training
/// (assumption; see [`UNTRAINED_SIGMA_FACTOR`]).
const SIGMA_FACTOR_PER_TRAINING: f64 = 0.5;

/// The civilian in `near` the unit at column and row `at` answers: the
/// one at the highest resistance among those within `engage_radius_cells`
/// and those throwing or shooting at it from anywhere in `near` (stones and
/// rounds are answered at their range), the nearest and then the lowest id
/// among equals.
pub(super) fn target(grid: &Grid, near: &Near, at: (u32, u32), engage_radius_cells: u32) -> Option<Nearby> {
    near.iter()
        .map(|n| (n, cells_apart(grid, at, n.cell)))
        .filter(|&(n, d)| d <= engage_radius_cells || n.resistance >= Resistance::NonLethalAggression)
        .max_by_key(|&(n, d)| (n.resistance, Reverse(d), Reverse(n.civilian.0)))
        .map(|(n, _)| *n)
}

/// The perception error's σ and the probability of an upward misreading
/// for `unit`.
fn error_of(spec: &ForceSpec, unit: &Unit) -> (f64, f64) {
    let (sigma, over) = match unit.agency {
        Agency::Pnp => (spec.perception_sigma_pnp, 0.0),
        Agency::Ffaa => (spec.perception_sigma_ffaa, spec.ffaa_overclassify_probability),
    };
    (sigma * (UNTRAINED_SIGMA_FACTOR - SIGMA_FACTOR_PER_TRAINING * unit.crowd_training), over)
}

/// The level read for `true_level` with error σ `sigma` and upward
/// misreading probability `over`, given a standard normal `error` and a
/// uniform `u_over`.
fn read(true_level: Resistance, sigma: f64, over: f64, error: f64, u_over: f64) -> Resistance {
    let seen = true_level as u8 as f64 + sigma * error + if u_over < over { 1.0 } else { 0.0 };
    Resistance::ALL[seen.round().clamp(0.0, 5.0) as usize]
}

/// The resistance `unit` perceives in a target at `true_level`.
pub(super) fn perceive(spec: &ForceSpec, unit: &Unit, true_level: Resistance, draws: UnitDraws) -> Resistance {
    let (sigma, over) = error_of(spec, unit);
    read(true_level, sigma, over, draws.perception_error(), draws.overclassify())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_rounds_to_a_level_within_the_scale() {
        use Resistance::*;
        assert_eq!(read(PhysicalResistance, 0.3, 0.0, 0.0, 0.5), PhysicalResistance);
        assert_eq!(read(PhysicalResistance, 0.3, 0.0, 1.0, 0.5), PhysicalResistance, "0.3 rounds back");
        assert_eq!(read(PhysicalResistance, 0.6, 0.0, 1.0, 0.5), NonLethalAggression, "0.6 rounds up");
        assert_eq!(read(PhysicalResistance, 0.6, 0.0, -1.0, 0.5), NonCooperative);
        assert_eq!(read(LethalAggression, 0.6, 0.0, 3.0, 0.5), LethalAggression, "never above 5");
        assert_eq!(read(NonCooperative, 0.6, 0.0, -5.0, 0.5), LatentRisk, "never below 0");
    }

    #[test]
    fn overclassification_reads_one_level_up() {
        use Resistance::*;
        assert_eq!(read(NonCooperative, 0.0, 0.2, 0.0, 0.1), PhysicalResistance);
        assert_eq!(read(NonCooperative, 0.0, 0.2, 0.0, 0.3), NonCooperative);
        assert_eq!(read(NonCooperative, 0.0, 0.0, 0.0, 0.0), NonCooperative, "never without the probability");
    }
}
