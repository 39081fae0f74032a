//! Step 4 of the use of force: the rule set and the force level a unit
//! chooses.
//!
//! The PNP act under D. Leg. 1186; the FF.AA. under the RUF of
//! RS 003-2023-DE, or under humanitarian-law rules where the regime is
//! `HostileGroup`. The force prescribed is the level perceived (the
//! diagonal); it deviates one level up with a probability that falls with
//! training and rises with stress; without non-lethal kit, non-lethal
//! tactics become lethal force or physical control; under humanitarian-law
//! rules reactive force is lethal. A unit that has used force waits
//! `force.reassess_minutes` before using it again (domain brief,
//! "Force-resistance rule", steps 2–4; `docs/model.md` §11.3).

use crate::base::vocabulary::{ForceLevel, Resistance, RuleSet, TaskKind};
use crate::scenario::{Agency, ForceSpec, NonLethalKit, Regime};

use super::Duty;

/// What "pro-officer interpretation" under Ley 31012 adds to the
/// probability of escalating (brief, "Force-resistance rule" step 4: it
/// "raises δ by about 0.05").
const PRO_OFFICER_ESCALATION: f64 = 0.05;

/// The rules `agency` acts under in a zone of `regime`.
pub(super) fn rule_set(agency: Agency, regime: Regime) -> RuleSet {
    match (agency, regime) {
        (Agency::Pnp, _) => RuleSet::PoliceLaw,
        (Agency::Ffaa, Regime::HostileGroup) => RuleSet::HumanitarianLaw,
        (Agency::Ffaa, _) => RuleSet::ArmedForcesRules,
    }
}

/// The probability of escalating one level above the prescribed force for
/// a unit with `crowd_training` and `stress` (both 0–1): the settings'
/// weights, fitted to the brief's values per kind of unit.
fn escalation_probability(spec: &ForceSpec, crowd_training: f64, stress: f64) -> f64 {
    spec.untrained_escalation_probability * (1.0 - crowd_training)
        + spec.stress_escalation_weight * stress
        + if spec.pro_officer_interpretation { PRO_OFFICER_ESCALATION } else { 0.0 }
}

/// The force a unit chooses for a perceived resistance (step 4 of the
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
    const PHYSICAL_CONTROL: u8 = ForceLevel::PhysicalControl as u8;
    const NON_LETHAL_TACTICS: u8 = ForceLevel::NonLethalDefensiveTactics as u8;
    const LETHAL_FORCE: u8 = ForceLevel::LethalForce as u8;
    let mut f = perceived as u8;
    if u_escalate < escalation_probability {
        f = (f + 1).min(LETHAL_FORCE);
    }
    // "Built to annihilate": without the kit, no middle way (brief).
    if f == NON_LETHAL_TACTICS && kit == NonLethalKit::None {
        f = if u_lethal < no_kit_lethal { LETHAL_FORCE } else { PHYSICAL_CONTROL };
    }
    if rules == RuleSet::HumanitarianLaw && f >= PHYSICAL_CONTROL {
        f = LETHAL_FORCE;
    }
    ForceLevel::of(f)
}

/// The force the unit on `duty` chooses for `perceived` resistance under
/// `rule_set`.
pub(super) fn force_level(spec: &ForceSpec, duty: &Duty, perceived: Resistance, rule_set: RuleSet) -> ForceLevel {
    let escalation = escalation_probability(spec, duty.unit.crowd_training, duty.tasking.stress);
    let chosen = choose_force(
        perceived,
        escalation,
        duty.unit.non_lethal_kit,
        spec.no_kit_lethal_probability,
        rule_set,
        duty.draws.deviation(),
        duty.draws.no_kit(),
    );
    within_arms(chosen, duty.unit.lethal_weapons, duty.unit.non_lethal_kit)
}

/// The force a unit can use: without firearms (`lethal_weapons: false`) it
/// stops at its non-lethal tactics, or at physical control without the kit.
pub fn within_arms(force: ForceLevel, lethal_weapons: bool, kit: NonLethalKit) -> ForceLevel {
    match force {
        ForceLevel::LethalForce if !lethal_weapons && kit != NonLethalKit::None => {
            ForceLevel::NonLethalDefensiveTactics
        }
        ForceLevel::LethalForce if !lethal_weapons => ForceLevel::PhysicalControl,
        f => f,
    }
}

/// The most force a task calls for short of a perceived lethal threat
/// (`docs/model.md` §10.9): snatch teams and cordons work hand to hand
/// (physical control: a gassed crowd cannot be snatched from or held in a
/// line); dispersal squads and site guards use their kit.
pub fn task_ceiling(task: TaskKind) -> ForceLevel {
    match task {
        // A presence patrol defends itself by hand (**Assumption**).
        TaskKind::Arrest | TaskKind::Cordon | TaskKind::Presence => ForceLevel::PhysicalControl,
        // Talking: no force to record.
        TaskKind::Negotiate => ForceLevel::VerbalCommands,
        _ => ForceLevel::LethalForce,
    }
}

/// `force` within what the task calls for, unless the unit perceives a
/// lethal threat.
pub(super) fn within_task(force: ForceLevel, perceived: Resistance, task: TaskKind) -> ForceLevel {
    if perceived == Resistance::LethalAggression { force } else { force.min(task_ceiling(task)) }
}

/// Whether a unit that last used force at `last_force_tick` is still
/// reassessing at `tick`, `reassess_ticks` being the wait.
pub(super) fn reassessing(last_force_tick: Option<u32>, tick: u32, reassess_ticks: u32) -> bool {
    last_force_tick.is_some_and(|t0| tick - t0 < reassess_ticks)
}

/// Force above the resistance it answers is excessive (D. Leg. 1186; brief,
/// "Legality check": any force above the diagonal).
pub(super) fn excessive(force: ForceLevel, true_resistance: Resistance) -> bool {
    force as u8 > true_resistance as u8
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn the_ffaa_use_humanitarian_law_only_against_a_hostile_group() {
        assert_eq!(rule_set(Agency::Pnp, Regime::HostileGroup), RuleSet::PoliceLaw);
        assert_eq!(rule_set(Agency::Ffaa, Regime::HostileGroup), RuleSet::HumanitarianLaw);
        assert_eq!(rule_set(Agency::Ffaa, Regime::Normal), RuleSet::ArmedForcesRules);
    }

    #[test]
    fn escalation_falls_with_training_and_rises_with_stress() {
        let mut spec = super::super::default_spec();
        spec.pro_officer_interpretation = false;
        // At 0.35 untrained (the fit to the brief's per-kind values before
        // calibration): 0.07 at training 0.8, 0.28 at 0.2, unstressed.
        spec.untrained_escalation_probability = 0.35;
        assert!((escalation_probability(&spec, 0.8, 0.0) - 0.07).abs() < 1e-12);
        assert!((escalation_probability(&spec, 0.2, 0.0) - 0.28).abs() < 1e-12);
        assert!(escalation_probability(&spec, 0.8, 0.5) > escalation_probability(&spec, 0.8, 0.0));
        spec.pro_officer_interpretation = true;
        assert!((escalation_probability(&spec, 0.8, 0.0) - 0.12).abs() < 1e-12);
    }

    #[test]
    fn snatch_teams_and_cordons_go_hand_to_hand_short_of_a_lethal_threat() {
        use ForceLevel::*;
        let r = Resistance::NonLethalAggression;
        assert_eq!(within_task(NonLethalDefensiveTactics, r, TaskKind::Arrest), PhysicalControl);
        assert_eq!(within_task(LethalForce, r, TaskKind::Cordon), PhysicalControl);
        assert_eq!(within_task(NonLethalDefensiveTactics, r, TaskKind::Disperse), NonLethalDefensiveTactics);
        assert_eq!(within_task(LethalForce, r, TaskKind::GuardSite), LethalForce);
        assert_eq!(within_task(LethalForce, Resistance::LethalAggression, TaskKind::Cordon), LethalForce);
        assert_eq!(within_task(ContactControl, r, TaskKind::Arrest), ContactControl);
    }

    #[test]
    fn a_unit_waits_before_using_force_again() {
        assert!(!reassessing(None, 10, 5));
        assert!(reassessing(Some(6), 10, 5));
        assert!(!reassessing(Some(5), 10, 5));
    }

    #[test]
    fn a_unit_without_firearms_never_uses_lethal_force() {
        use ForceLevel::*;
        assert_eq!(within_arms(LethalForce, false, NonLethalKit::Full), NonLethalDefensiveTactics);
        assert_eq!(within_arms(LethalForce, false, NonLethalKit::None), PhysicalControl);
        assert_eq!(within_arms(LethalForce, true, NonLethalKit::None), LethalForce);
        assert_eq!(within_arms(PhysicalControl, false, NonLethalKit::Full), PhysicalControl);
    }

    #[test]
    fn force_above_the_resistance_is_excessive() {
        assert!(excessive(ForceLevel::LethalForce, Resistance::NonLethalAggression));
        assert!(!excessive(ForceLevel::PhysicalControl, Resistance::PhysicalResistance));
        assert!(!excessive(ForceLevel::ContactControl, Resistance::PhysicalResistance));
    }
}
