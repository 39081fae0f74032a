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
//! 5. **Effects**: level 4 and 5 hit everyone within a cell of the target
//!    (gas, pellets, volleys) unless `force.area_effects` is off.

use bevy_ecs::prelude::*;

use crate::base::events::{Event, EventLog};
use crate::base::rng::{Draws, Stream, Streams};
pub use crate::base::vocabulary::{Cause, ForceLevel, Harm, HarmCount, Resistance, RuleSet, Side};
use crate::base::{AgentIndex, Clock, CurrentRules, CurrentTunables, Position, Step};
use crate::civilians::{self, CivilianId, Condition, Disposition};
use crate::crowd::{CrowdMood, Weapon};
use crate::grid::Shapes;
use crate::grid::{CellIndex, Grid, Occupant};
use crate::law::LegalState;
use crate::scenario::{Agency, CrowdType, ForceSpec, NonLethalKit, Regime};
use crate::situation::Zones;
use crate::units::{Tasking, Unit, UnitId, unit_key};

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(use_force.in_set(Step::UseForce));
}

/// Who stands near a unit: (civilian, cell, true resistance).
type Near = Vec<(CivilianId, CellIndex, Resistance)>;

/// Radius within which civilians throw things at a unit.
const AGGRESSION_RADIUS_CELLS: u32 = 3;

/// A standard normal draw (Box–Muller).
fn normal(draws: Draws, key: u64, tick: u32, n: u32) -> f64 {
    let u1 = 1.0 - draws.unit(key, tick, n);
    let u2 = draws.unit(key, tick, n + 1);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Resistance from drive D = G − R·P − T (domain brief, "Resistance level
/// of an active agent").
pub fn resistance(active: bool, drive: f64, weapon: Weapon, kind: Option<CrowdType>, lethal_draw: f64) -> Resistance {
    if !active {
        return Resistance::Cooperative;
    }
    let mut r = if drive <= 0.1 {
        Resistance::NonCooperative
    } else if drive <= 0.3 || weapon == Weapon::None {
        Resistance::PhysicalResistance
    } else {
        Resistance::NonLethalAggression
    };
    let organised = matches!(kind, Some(CrowdType::ShockGroup | CrowdType::PaidAgitator));
    if weapon == Weapon::Firearm && organised && drive > 0.3 && lethal_draw < 0.05 {
        r = Resistance::LethalAggression;
    }
    if kind == Some(CrowdType::ShockGroup) {
        r = r.max(Resistance::PhysicalResistance);
    }
    r
}

/// The force a unit chooses for a perceived resistance (steps 4 of the
/// module's rule), given its draws `u_escalate` and `u_lethal`.
pub fn choose_force(
    perceived: Resistance,
    escalation_probability: f64,
    kit: NonLethalKit,
    no_kit_lethal: f64,
    rules: RuleSet,
    u_escalate: f64,
    u_lethal: f64,
) -> ForceLevel {
    let mut f = perceived as u8;
    if u_escalate < escalation_probability {
        f = (f + 1).min(5);
    }
    if f == 4 && kit == NonLethalKit::None {
        f = if u_lethal < no_kit_lethal { 5 } else { 3 };
    }
    if rules == RuleSet::HumanitarianLaw && f >= 3 {
        f = 5;
    }
    ForceLevel::of(f)
}

#[allow(clippy::too_many_arguments)]
pub fn use_force(
    grid: Res<Grid>,
    streams: Res<Streams>,
    clock: Res<Clock>,
    tunables: Res<CurrentTunables>,
    rules: Res<CurrentRules>,
    shapes: Res<Shapes>,
    index: Res<AgentIndex>,
    law: Res<LegalState>,
    zones: Res<Zones>,
    spec: Res<ForceSettings>,
    mut mood: ResMut<CrowdMood>,
    mut log: ResMut<EventLog>,
    mut units: Query<(&UnitId, &mut Unit, &Position, &mut Tasking)>,
    mut civilians: Query<(&Disposition, &mut Condition), With<CivilianId>>,
    mut near: Local<Near>,
) {
    let tick = clock.tick;
    let t = tunables.0;
    let (spec, reassess) = (&spec.0, spec.1);
    let odds = civilians::ArrestOdds::new(t.arrest_constant_k, rules.0.arrest_ratio_rounding);
    let draws = streams.draws(Stream::Force);
    for &entity in &index.units {
        let Ok((id, mut unit, pos, mut tasking)) = units.get_mut(entity) else { continue };
        if unit.strength_personnel == 0 || !tasking.task.kind.is_operation() {
            continue;
        }
        let key = unit_key(*id);
        let reach = spec.engage_radius_cells.max(AGGRESSION_RADIUS_CELLS) as i32;
        // What a civilian here estimates: the counts at the unit's cell.
        let (officers, actives) = civilians::scan_counts(&grid, pos.0, &shapes.civilian);
        let p = odds.probability(officers, actives.max(1));
        near.clear();
        let (ux, uy) = grid.xy(pos.0);
        let mut n = 10u32;
        for dy in -reach..=reach {
            for dx in -reach..=reach {
                let Some(cell) = grid.offset_xy(ux, uy, dx, dy) else { continue };
                let Occupant::Civilian { id: c, active } = grid.get(cell) else { continue };
                let cid = CivilianId(c);
                let Ok((disposition, mut condition)) = civilians.get_mut(index.civilians[c as usize]) else { continue };
                if condition.is_out() {
                    continue;
                }
                let kind = mood.type_of(cid);
                let m = mood.mood_for(cell, cid, &t);
                let drive = disposition.hardship * (1.0 - m.legitimacy) + m.extra_grievance
                    - disposition.risk_aversion * p
                    - m.threshold;
                n += 2;
                let mut r = resistance(active, drive, mood.weapon_of(cid), kind, draws.unit(key, tick, n));
                let within3 = dx.unsigned_abs().max(dy.unsigned_abs()) <= AGGRESSION_RADIUS_CELLS;
                if kind == Some(CrowdType::PaidAgitator)
                    && within3
                    && draws.unit(key, tick, n + 1) < mood.spec.agitator_provocation_probability
                {
                    // A provocation: a stone thrown at the unit.
                    r = r.max(Resistance::NonLethalAggression);
                    *condition = Condition::Active;
                    grid.set(cell, Occupant::Civilian { id: c, active: true });
                }
                near.push((cid, cell, r));
            }
        }
        // Civilians' aggression on the unit: each stone-thrower an exposure.
        let side = if unit.agency == Agency::Pnp { Side::Pnp } else { Side::Ffaa };
        let shielded = unit.non_lethal_kit != NonLethalKit::None;
        let mut threatened = false;
        for &(cid, cell, r) in near.iter() {
            let (cx, cy) = grid.xy(cell);
            if r < Resistance::NonLethalAggression || ux.abs_diff(cx).max(uy.abs_diff(cy)) > AGGRESSION_RADIUS_CELLS {
                continue;
            }
            threatened = true;
            let u = draws.unit(key ^ (cid.0 as u64) << 20, tick, 1);
            let (harm, cause) = if r == Resistance::LethalAggression {
                // Brief: firearms, death 0.1 per exposure; injury 0.2 (assumption).
                if u < 0.1 {
                    (Some(Harm::Dead), Cause::Firearm)
                } else if u < 0.3 {
                    (Some(Harm::Injured), Cause::Firearm)
                } else {
                    (None, Cause::Firearm)
                }
            } else {
                // Brief: stones, injury 0.02–0.05 per exposure; shields halve it.
                let p = if shielded { 0.015 } else { 0.03 };
                ((u < p).then_some(Harm::Injured), Cause::Stones)
            };
            if let Some(h) = harm
                && unit.strength_personnel > 0
            {
                unit.strength_personnel -= 1;
                tasking.stress = (tasking.stress + 0.05).min(1.0);
                log.push(Event::Casualty { tick, unit: id.0, side, harm: h, cause });
            }
        }
        // Assumption: stress builds slowly under threat and fades twice as fast.
        tasking.stress = if threatened { (tasking.stress + 0.002).min(1.0) } else { (tasking.stress - 0.004).max(0.0) };
        // The target: the highest resistance within the engage radius.
        let engage = spec.engage_radius_cells;
        let Some(&(target, target_cell, r_true)) = near
            .iter()
            .filter(|(_, cell, _)| {
                let (cx, cy) = grid.xy(*cell);
                ux.abs_diff(cx).max(uy.abs_diff(cy)) <= engage
            })
            .max_by_key(|(cid, _, r)| (*r, std::cmp::Reverse(cid.0)))
        else {
            continue;
        };
        if r_true < Resistance::NonCooperative {
            continue;
        }
        let (sigma, over) = match unit.agency {
            Agency::Pnp => (spec.perception_sigma_pnp, 0.0),
            Agency::Ffaa => (spec.perception_sigma_ffaa, spec.ffaa_overclassify_probability),
        };
        // Training sharpens the eye: σ × (1.25 − training/2), the agency's σ
        // at training 0.5 (assumption).
        let sigma = sigma * (1.25 - 0.5 * unit.crowd_training);
        let seen = r_true as u8 as f64
            + sigma * normal(draws, key, tick, 2)
            + if draws.unit(key, tick, 4) < over { 1.0 } else { 0.0 };
        let perceived = Resistance::ALL[seen.round().clamp(0.0, 5.0) as usize];
        if perceived <= Resistance::Cooperative {
            continue; // presence and words: no use of force to record
        }
        let regime = law.regime(zones.of(target_cell));
        let rule_set = match (unit.agency, regime) {
            (Agency::Pnp, _) => RuleSet::PoliceLaw,
            (Agency::Ffaa, Regime::HostileGroup) => RuleSet::HumanitarianLaw,
            (Agency::Ffaa, _) => RuleSet::ArmedForcesRules,
        };
        let escalation = spec.untrained_escalation_probability * (1.0 - unit.crowd_training)
            + spec.stress_escalation_weight * tasking.stress
            + if spec.pro_officer_interpretation { 0.05 } else { 0.0 };
        let f = choose_force(
            perceived,
            escalation,
            unit.non_lethal_kit,
            spec.no_kit_lethal_probability,
            rule_set,
            draws.unit(key, tick, 5),
            draws.unit(key, tick, 6),
        );
        if f < ForceLevel::ContactControl {
            continue;
        }
        if tasking.last_force_tick.is_some_and(|t0| tick - t0 < reassess) {
            continue;
        }
        tasking.last_force_tick = Some(tick);
        // Who is hit: the target, or everyone within a cell of it.
        let area = f >= ForceLevel::NonLethalDefensiveTactics && spec.area_effects;
        let (tx, ty) = grid.xy(target_cell);
        let hit: Vec<(CivilianId, CellIndex, Resistance)> = near
            .iter()
            .filter(|(cid, cell, _)| {
                let (cx, cy) = grid.xy(*cell);
                if area { tx.abs_diff(cx).max(ty.abs_diff(cy)) <= 1 } else { *cid == target }
            })
            .copied()
            .collect();
        let mut done = HarmCount::default();
        for &(cid, cell, _) in &hit {
            let k = key ^ (cid.0 as u64) << 20;
            let (u1, u2) = (draws.unit(k, tick, 7), draws.unit(k, tick, 8));
            let (harm, cause) = match (f, unit.non_lethal_kit) {
                (ForceLevel::PhysicalControl, _) => ((u1 < 0.02).then_some(Harm::Injured), Cause::PhysicalControl),
                (ForceLevel::NonLethalDefensiveTactics, NonLethalKit::Full) => {
                    // Kinetic-impact projectiles (Haar 2017): of those injured,
                    // 3% die and 15% are disabled.
                    let given = if u2 < 0.03 {
                        Harm::Dead
                    } else if u2 < 0.18 {
                        Harm::Disabled
                    } else {
                        Harm::Injured
                    };
                    let h = (u1 < 0.3).then_some(given);
                    (h, Cause::KineticProjectiles)
                }
                (ForceLevel::NonLethalDefensiveTactics, _) => ((u1 < 0.01).then_some(Harm::Injured), Cause::Gas),
                (ForceLevel::LethalForce, _) => {
                    // Brief: hit 0.3–0.6 per aimed shot; given a hit, death 0.35.
                    let h = (u1 < 0.45).then_some(if u2 < 0.35 { Harm::Dead } else { Harm::Injured });
                    (h, Cause::Firearm)
                }
                _ => (None, Cause::PhysicalControl),
            };
            let Ok((_, mut condition)) = civilians.get_mut(index.civilians[cid.0 as usize]) else { continue };
            if cause == Cause::Gas && *condition == Condition::Active && draws.unit(k, tick, 9) < 0.65 {
                // Flight from gas.
                *condition = Condition::Quiescent;
                grid.set(cell, Occupant::Civilian { id: cid.0, active: false });
            }
            let Some(h) = harm else { continue };
            log.push(Event::CivilianHarmed { tick, unit: id.0, harm: h, cause });
            match h {
                Harm::Dead => {
                    *condition = Condition::Dead;
                    grid.set(cell, Occupant::Empty);
                    mood.death_at(cell, tick);
                    done.dead += 1;
                }
                Harm::Disabled => {
                    mood.serious_injury_at(cell);
                    done.disabled += 1;
                }
                Harm::Injured => {
                    if f >= ForceLevel::NonLethalDefensiveTactics {
                        mood.serious_injury_at(cell);
                    }
                    done.injured += 1;
                }
            }
        }
        let excessive = f as u8 > r_true as u8;
        let bystanders = hit.iter().filter(|h| h.2 <= Resistance::NonCooperative).count();
        let indiscriminate = hit.len() > 1 && 2 * bystanders > hit.len();
        mood.force_seen(target_cell, bystanders as f64 / hit.len().max(1) as f64);
        if f >= ForceLevel::NonLethalDefensiveTactics && r_true <= Resistance::NonCooperative {
            mood.flashpoint(target_cell, tick);
        }
        log.push(Event::UseOfForce {
            tick,
            unit: id.0,
            agency: unit.agency,
            perceived_resistance: perceived,
            true_resistance: r_true,
            force: f,
            rule_set,
            cell: grid.xy(target_cell),
            affected: hit.len() as u32,
            harm: done,
            excessive,
            indiscriminate,
        });
    }
}

/// The force settings of the scenario, and `reassess_minutes` in ticks.
#[derive(Resource, Debug, Clone)]
pub struct ForceSettings(pub ForceSpec, pub u32);

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
    fn force_follows_the_diagonal_then_deviates() {
        use ForceLevel::*;
        let r = Resistance::NonLethalAggression;
        let (pl, kit) = (RuleSet::PoliceLaw, NonLethalKit::Full);
        assert_eq!(choose_force(r, 0.1, kit, 0.5, pl, 0.5, 0.5), NonLethalDefensiveTactics, "on the diagonal");
        assert_eq!(choose_force(r, 0.1, kit, 0.5, pl, 0.05, 0.5), LethalForce, "escalated one level");
        assert_eq!(
            choose_force(Resistance::PhysicalResistance, 0.1, kit, 0.5, pl, 0.05, 0.5),
            NonLethalDefensiveTactics
        );
        // Without non-lethal kit, non-lethal tactics are not there to use.
        let none = NonLethalKit::None;
        assert_eq!(choose_force(r, 0.1, none, 0.5, RuleSet::ArmedForcesRules, 0.5, 0.4), LethalForce);
        assert_eq!(choose_force(r, 0.1, none, 0.5, RuleSet::ArmedForcesRules, 0.5, 0.6), PhysicalControl);
        // Humanitarian-law rules: reactive force is lethal.
        assert_eq!(
            choose_force(Resistance::PhysicalResistance, 0.0, kit, 0.5, RuleSet::HumanitarianLaw, 0.5, 0.5),
            LethalForce
        );
        assert_eq!(
            choose_force(Resistance::NonCooperative, 0.0, kit, 0.5, RuleSet::HumanitarianLaw, 0.5, 0.5),
            ContactControl
        );
        // Never above lethal force.
        assert_eq!(choose_force(Resistance::LethalAggression, 1.0, kit, 0.5, pl, 0.0, 0.0), LethalForce);
    }
}
