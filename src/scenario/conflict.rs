//! The crowd beyond Epstein's rule (`crowd`) and the use of force
//! (`force`): checked once, like the rest of the file. Both optional; they
//! come with every scenario that has a security operation.

use serde::Serialize;

use super::MapSpec;
use super::checks::{minutes, sigma, unit_interval, whole_in};
use super::defaults as d;
use super::purpose::{PurposeSpec, check_purpose};
use super::raw::{RawCrowd, RawForce};
use super::types::{CrowdType, DialogueEvent, WhileAwaiting};
use super::validate::Checker;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrowdSpec {
    /// Whether `crowd.types` was given; without it every civilian is an
    /// Epstein civilian (drawn from `civilians`) of no particular type.
    pub typed: bool,
    /// Share of each type, in `CrowdType::ALL` order (bystanders: the rest).
    pub shares: [f64; 5],
    pub stones_share: f64,
    pub firearms_share: f64,
    pub identity_weight: f64,
    pub identity_decay_per_tick: f64,
    pub indiscriminate_identity_gain: f64,
    pub differentiated_identity_gain: f64,
    pub death_legitimacy_loss: f64,
    pub serious_injury_legitimacy_loss: f64,
    pub backlash_radius_cells: u32,
    pub backlash_lag_minutes: f64,
    pub flashpoint_threshold_drop: f64,
    pub flashpoint_minutes: f64,
    pub flashpoint_radius_cells: u32,
    pub agitator_provocation_probability: f64,
    pub dialogue: Vec<(u32, DialogueEvent)>,
    /// Where the crowd goes and when; `None`: Epstein's random walk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<PurposeSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForceSpec {
    pub engage_radius_cells: u32,
    pub perception_sigma_pnp: f64,
    pub perception_sigma_ffaa: f64,
    pub ffaa_overclassify_probability: f64,
    pub untrained_escalation_probability: f64,
    pub stress_escalation_weight: f64,
    pub no_kit_lethal_probability: f64,
    pub pro_officer_interpretation: bool,
    pub area_effects: bool,
    pub reassess_minutes: f64,
    /// Per person hit by kinetic-impact projectiles: injured.
    pub kinetic_injury_probability: f64,
    /// Per aimed shot at a cell's distance: a hit (less further away).
    pub lethal_hit_probability: f64,
    /// Given a hit by a round: death, else severe injury.
    pub lethal_death_given_hit: f64,
    /// Per civilian throwing stones within range, per minute: one of the
    /// unit injured (halved by shields).
    pub stones_injury_probability: f64,
    /// A civilian seriously harmed while the roads are blockaded dies for
    /// want of an ambulance.
    pub evacuation_death_probability: f64,
    /// Of a fully kitted unit's uses of non-lethal tactics, the share that
    /// fire kinetic-impact projectiles (the rest: gas).
    pub kinetic_share: f64,
    /// Of the officers a crowd's stones and blows would injure, the share
    /// killed (beaten, burned, struck on the head).
    pub officer_death_given_injury: f64,
    /// Per use of force: a unit that would fire short of a lethal threat,
    /// and has no authority for it, fires anyway.
    pub unauthorised_fire_probability: f64,
    /// The chance, as officers see it, of being sanctioned for firing
    /// without a lethal threat: it deters that share of unauthorised fire.
    pub expected_sanction: f64,
    /// What units of each agency do while they wait for leave to fire.
    pub awaiting_authority_pnp: WhileAwaiting,
    pub awaiting_authority_ffaa: WhileAwaiting,
    /// From a dispersal squad's warning to its first gas or projectile
    /// (0: no warning).
    pub dispersal_warning_minutes: f64,
}

pub(super) fn check_crowd(c: &mut Checker, raw: Option<RawCrowd>, map: &MapSpec) -> CrowdSpec {
    let mut r = raw.unwrap_or_default();
    let purpose = check_purpose(c, &mut r, map);
    let mut shares = [0.0; 5];
    let typed = r.types.is_some();
    if let Some(t) = &r.types {
        let given = [
            (1, "peaceful_protester", t.peaceful_protester),
            (2, "blockader", t.blockader),
            (3, "shock_group", t.shock_group),
            (4, "paid_agitator", t.paid_agitator),
        ];
        for (i, name, v) in given {
            shares[i] = c.check(&format!("crowd.types.{name}"), v.unwrap_or(0.0), unit_interval);
        }
        let sum: f64 = shares.iter().sum();
        if sum > 1.0 + 1e-9 {
            c.report(
                "crowd.types",
                format!("the shares add up to {sum}; they must leave room for bystanders (at most 1)"),
            );
        }
        shares[0] = (1.0 - sum).max(0.0);
    } else {
        shares[0] = 1.0;
    }
    let mut dialogue: Vec<(u32, DialogueEvent)> = Vec::new();
    for (i, e) in r.dialogue.unwrap_or_default().into_iter().enumerate() {
        if e.at_tick == 0 {
            c.report(&format!("crowd.dialogue[{i}].at_tick"), "expected tick 1 or later");
        }
        dialogue.push((e.at_tick, e.event));
    }
    dialogue.sort_by_key(|e| e.0);
    let ui = |c: &mut Checker, f: &str, v: Option<f64>, default: f64| c.check(f, v.unwrap_or(default), unit_interval);
    CrowdSpec {
        typed,
        shares,
        stones_share: ui(c, "crowd.stones_share", r.stones_share, d::STONES_SHARE),
        // Typed: the share of shock groups and agitators armed (fitted);
        // untyped: of everyone (ordinary protest: none).
        firearms_share: ui(
            c,
            "crowd.firearms_share",
            r.firearms_share,
            if typed { d::FIREARMS_SHARE_ORGANISED } else { d::FIREARMS_SHARE },
        ),
        identity_weight: ui(c, "crowd.identity_weight", r.identity_weight, d::IDENTITY_WEIGHT),
        identity_decay_per_tick: ui(
            c,
            "crowd.identity_decay_per_tick",
            r.identity_decay_per_tick,
            d::IDENTITY_DECAY_PER_TICK,
        ),
        indiscriminate_identity_gain: ui(
            c,
            "crowd.indiscriminate_identity_gain",
            r.indiscriminate_identity_gain,
            d::INDISCRIMINATE_IDENTITY_GAIN,
        ),
        differentiated_identity_gain: ui(
            c,
            "crowd.differentiated_identity_gain",
            r.differentiated_identity_gain,
            d::DIFFERENTIATED_IDENTITY_GAIN,
        ),
        death_legitimacy_loss: ui(c, "crowd.death_legitimacy_loss", r.death_legitimacy_loss, d::DEATH_LEGITIMACY_LOSS),
        serious_injury_legitimacy_loss: ui(
            c,
            "crowd.serious_injury_legitimacy_loss",
            r.serious_injury_legitimacy_loss,
            d::SERIOUS_INJURY_LEGITIMACY_LOSS,
        ),
        backlash_radius_cells: c.check(
            "crowd.backlash_radius_cells",
            r.backlash_radius_cells.unwrap_or(d::BACKLASH_RADIUS_CELLS),
            whole_in(0, 1024),
        ),
        backlash_lag_minutes: c.check(
            "crowd.backlash_lag_minutes",
            r.backlash_lag_minutes.unwrap_or(d::BACKLASH_LAG_MINUTES),
            minutes,
        ),
        flashpoint_threshold_drop: ui(
            c,
            "crowd.flashpoint_threshold_drop",
            r.flashpoint_threshold_drop,
            d::FLASHPOINT_THRESHOLD_DROP,
        ),
        flashpoint_minutes: c.check(
            "crowd.flashpoint_minutes",
            r.flashpoint_minutes.unwrap_or(d::FLASHPOINT_MINUTES),
            minutes,
        ),
        flashpoint_radius_cells: c.check(
            "crowd.flashpoint_radius_cells",
            r.flashpoint_radius_cells.unwrap_or(d::FLASHPOINT_RADIUS_CELLS),
            whole_in(0, 1024),
        ),
        agitator_provocation_probability: ui(
            c,
            "crowd.agitator_provocation_probability",
            r.agitator_provocation_probability,
            d::AGITATOR_PROVOCATION_PROBABILITY,
        ),
        dialogue,
        purpose,
    }
}

pub(super) fn check_force(c: &mut Checker, raw: Option<RawForce>) -> ForceSpec {
    let r = raw.unwrap_or_default();
    let ui = |c: &mut Checker, f: &str, v: Option<f64>, default: f64| c.check(f, v.unwrap_or(default), unit_interval);
    ForceSpec {
        engage_radius_cells: c.check(
            "force.engage_radius_cells",
            r.engage_radius_cells.unwrap_or(d::ENGAGE_RADIUS_CELLS),
            whole_in(0, 16),
        ),
        perception_sigma_pnp: c.check(
            "force.perception_sigma_pnp",
            r.perception_sigma_pnp.unwrap_or(d::PERCEPTION_SIGMA_PNP),
            sigma,
        ),
        perception_sigma_ffaa: c.check(
            "force.perception_sigma_ffaa",
            r.perception_sigma_ffaa.unwrap_or(d::PERCEPTION_SIGMA_FFAA),
            sigma,
        ),
        ffaa_overclassify_probability: c.check(
            "force.ffaa_overclassify_probability",
            r.ffaa_overclassify_probability.unwrap_or(d::FFAA_OVERCLASSIFY_PROBABILITY),
            unit_interval,
        ),
        untrained_escalation_probability: c.check(
            "force.untrained_escalation_probability",
            r.untrained_escalation_probability.unwrap_or(d::UNTRAINED_ESCALATION_PROBABILITY),
            unit_interval,
        ),
        stress_escalation_weight: c.check(
            "force.stress_escalation_weight",
            r.stress_escalation_weight.unwrap_or(d::STRESS_ESCALATION_WEIGHT),
            unit_interval,
        ),
        no_kit_lethal_probability: c.check(
            "force.no_kit_lethal_probability",
            r.no_kit_lethal_probability.unwrap_or(d::NO_KIT_LETHAL_PROBABILITY),
            unit_interval,
        ),
        pro_officer_interpretation: r.pro_officer_interpretation.unwrap_or(d::PRO_OFFICER_INTERPRETATION),
        area_effects: r.area_effects.unwrap_or(d::AREA_EFFECTS),
        reassess_minutes: c.check("force.reassess_minutes", r.reassess_minutes.unwrap_or(d::REASSESS_MINUTES), minutes),
        kinetic_injury_probability: ui(
            c,
            "force.kinetic_injury_probability",
            r.kinetic_injury_probability,
            d::KINETIC_INJURY_PROBABILITY,
        ),
        lethal_hit_probability: ui(
            c,
            "force.lethal_hit_probability",
            r.lethal_hit_probability,
            d::LETHAL_HIT_PROBABILITY,
        ),
        lethal_death_given_hit: ui(
            c,
            "force.lethal_death_given_hit",
            r.lethal_death_given_hit,
            d::LETHAL_DEATH_GIVEN_HIT,
        ),
        stones_injury_probability: ui(
            c,
            "force.stones_injury_probability",
            r.stones_injury_probability,
            d::STONES_INJURY_PROBABILITY,
        ),
        evacuation_death_probability: ui(
            c,
            "force.evacuation_death_probability",
            r.evacuation_death_probability,
            d::EVACUATION_DEATH_PROBABILITY,
        ),
        kinetic_share: ui(c, "force.kinetic_share", r.kinetic_share, d::KINETIC_SHARE),
        officer_death_given_injury: ui(
            c,
            "force.officer_death_given_injury",
            r.officer_death_given_injury,
            d::OFFICER_DEATH_GIVEN_INJURY,
        ),
        unauthorised_fire_probability: ui(
            c,
            "force.unauthorised_fire_probability",
            r.unauthorised_fire_probability,
            d::UNAUTHORISED_FIRE_PROBABILITY,
        ),
        expected_sanction: ui(c, "force.expected_sanction", r.expected_sanction, d::EXPECTED_SANCTION),
        awaiting_authority_pnp: r.awaiting_authority_pnp.unwrap_or(d::AWAITING_AUTHORITY_PNP),
        awaiting_authority_ffaa: r.awaiting_authority_ffaa.unwrap_or(d::AWAITING_AUTHORITY_FFAA),
        dispersal_warning_minutes: c.check(
            "force.dispersal_warning_minutes",
            r.dispersal_warning_minutes.unwrap_or(d::DISPERSAL_WARNING_MINUTES),
            minutes,
        ),
    }
}

/// The crowd type of civilian `id`, from a stateless draw: the same
/// civilian is the same type in every run of the scenario and seed.
pub fn type_of(shares: &[f64; 5], u: f64) -> CrowdType {
    let mut acc = 0.0;
    for (i, s) in shares.iter().enumerate().skip(1) {
        acc += s;
        if u < acc {
            return CrowdType::ALL[i];
        }
    }
    CrowdType::Bystander
}
