//! The figures a reader wants first: `summary.json`'s `headline` block,
//! what `compare` and `sweep` compare (`headline.*`), and the plain-language
//! summary `mando run` prints and `mando report` opens with. Built from the
//! run's [`Summary`]; every figure the sentences state is a field here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Summary;
use crate::scenario::Scenario;
use crate::use_of_force::{Harm, Side};

/// The headline of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// How long the run covers, in minutes.
    pub minutes: f64,
    pub peak_active: u32,
    /// Arrests made (a person arrested twice counts twice).
    pub arrests: u64,
    /// The security operation's figures; absent for a pure crowd model.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<OperationHeadline>,
}

/// What an operation did and cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationHeadline {
    /// The command arrangement the scenario names.
    pub command_model: String,
    /// Deaths on every side.
    pub deaths: u64,
    pub civilian_deaths: u64,
    /// Dead, disabled and injured by side (`civilian`, `pnp`, `ffaa`).
    pub harm: BTreeMap<Side, BTreeMap<Harm, u64>>,
    /// People arrested (each once, however often).
    pub people_arrested: u64,
    /// Uses of force by both agencies, and those above the resistance
    /// they answered.
    pub uses_of_force: u64,
    pub excessive_uses_of_force: u64,
    pub excessive_force_rate: Option<f64>,
    /// By agency (`pnp`, `ffaa`): excessive uses, lethal force short of a
    /// lethal threat, and violations of the law.
    pub by_agency: BTreeMap<String, AgencyHeadline>,
    pub legal_violations: u64,
    /// Minutes each critical site spent breached (sites never breached
    /// included, at 0).
    pub site_breached_minutes: BTreeMap<String, f64>,
    /// Minutes from the first crisis until order returned; counted to the
    /// end of the run when it never did (then `order_not_restored`), 0
    /// when order was never lost.
    pub minutes_to_restore_order_or_end: f64,
    pub order_not_restored: bool,
    /// The minute of the run the first crisis began, if one did.
    pub first_crisis_minute: Option<f64>,
    /// The minute a state of exception first took effect, if one did.
    pub emergency_declared_minute: Option<f64>,
    /// Each zone's regime at the end.
    pub final_regimes: BTreeMap<String, String>,
}

/// One agency's share of the force and the law.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AgencyHeadline {
    pub uses_of_force: u64,
    pub excessive_uses_of_force: u64,
    pub unlawful_lethal_force: u64,
    pub legal_violations: u64,
}

impl Headline {
    /// The headline of a run of `scenario` that ended with `summary`.
    pub fn of(summary: &Summary, scenario: &Scenario) -> Headline {
        let minutes = scenario.metadata.ticks as f64 * scenario.metadata.minutes_per_tick;
        let operation = summary.operation.as_ref().and_then(|op| {
            let c = op.conflict.as_ref()?;
            let dead = |side| c.harm_totals.get(&side).and_then(|h| h.get(&Harm::Dead)).copied().unwrap_or(0);
            let uses = c.force_pnp.uses_of_force + c.force_ffaa.uses_of_force;
            let excessive = c.force_pnp.excessive + c.force_ffaa.excessive;
            let agency = |f: &super::conflict::ForceByAgency, violations| AgencyHeadline {
                uses_of_force: f.uses_of_force,
                excessive_uses_of_force: f.excessive,
                unlawful_lethal_force: f.unlawful_lethal_force,
                legal_violations: violations,
            };
            let (restore, not_restored) = match (c.minutes_to_restore_order, c.first_crisis_minute) {
                (Some(t), _) => (t, false),
                (None, Some(crisis)) => (minutes - crisis, true),
                (None, None) => (0.0, false),
            };
            Some(OperationHeadline {
                command_model: op.command_model.id().to_string(),
                deaths: [Side::Civilian, Side::Pnp, Side::Ffaa].into_iter().map(dead).sum(),
                civilian_deaths: dead(Side::Civilian),
                harm: c.harm_totals.clone(),
                people_arrested: summary.total_arrests.saturating_sub(c.rearrests),
                uses_of_force: uses,
                excessive_uses_of_force: excessive,
                excessive_force_rate: (uses > 0).then(|| excessive as f64 / uses as f64),
                by_agency: BTreeMap::from([
                    ("pnp".to_string(), agency(&c.force_pnp, op.legal_violations_pnp)),
                    ("ffaa".to_string(), agency(&c.force_ffaa, op.legal_violations_ffaa)),
                ]),
                legal_violations: op.legal_violations_total,
                site_breached_minutes: c.site_breached_minutes.clone(),
                minutes_to_restore_order_or_end: restore,
                order_not_restored: not_restored,
                first_crisis_minute: c.first_crisis_minute,
                emergency_declared_minute: op.minutes_to_emergency_declaration,
                final_regimes: op.zones.iter().map(|z| (z.zone.clone(), z.final_regime.to_string())).collect(),
            })
        });
        Headline { minutes, peak_active: summary.peak_active, arrests: summary.total_arrests, operation }
    }

    /// The headline in plain sentences, one a line, numbers rounded for
    /// reading (`summary.json` keeps them whole). `name` is the scenario's.
    pub fn sentences(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        let Some(op) = &self.operation else {
            out.push(format!("{name}: {} simulated.", duration(self.minutes)));
            out.push(format!("At most {} people were active at once; {} arrests.", self.peak_active, self.arrests));
            return out;
        };
        out.push(format!(
            "{name}: {} simulated under the {} command arrangement.",
            duration(self.minutes),
            arrangement(&op.command_model)
        ));
        let of = |side, harm| op.harm.get(&side).and_then(|h| h.get(&harm)).copied().unwrap_or(0);
        let sides = |harm| {
            format!(
                "{} civilians, {} police, {} soldiers",
                of(Side::Civilian, harm),
                of(Side::Pnp, harm),
                of(Side::Ffaa, harm)
            )
        };
        out.push(format!("{} dead ({}).", op.deaths, sides(Harm::Dead)));
        out.push(format!("Disabled: {}. Injured: {}.", sides(Harm::Disabled), sides(Harm::Injured)));
        let rate = op.excessive_force_rate.map_or(String::new(), |r| format!(", {:.0}%", 100.0 * r));
        let (pnp, ffaa) = (op.by_agency["pnp"], op.by_agency["ffaa"]);
        out.push(format!(
            "Force was used {} times; {} uses were excessive{rate} (police {}, soldiers {}); lethal force without a \
             lethal threat: police {}, soldiers {}.",
            op.uses_of_force,
            op.excessive_uses_of_force,
            pnp.excessive_uses_of_force,
            ffaa.excessive_uses_of_force,
            pnp.unlawful_lethal_force,
            ffaa.unlawful_lethal_force,
        ));
        out.push(format!(
            "Violations of the law: {} (police {}, soldiers {}).",
            op.legal_violations, pnp.legal_violations, ffaa.legal_violations
        ));
        out.push(format!("{} people arrested ({} arrests).", op.people_arrested, self.arrests));
        let breached: Vec<String> = op
            .site_breached_minutes
            .iter()
            .filter(|(_, m)| **m > 0.0)
            .map(|(site, m)| format!("{site} for {}", duration(*m)))
            .collect();
        if !op.site_breached_minutes.is_empty() {
            out.push(if breached.is_empty() {
                "No critical site was breached.".to_string()
            } else {
                format!("Breached: {}.", breached.join("; "))
            });
        }
        out.push(match (op.first_crisis_minute, op.order_not_restored) {
            (None, _) => "Order was never lost.".to_string(),
            (Some(c), true) => format!(
                "Order was not restored: the crisis began {} in and lasted the remaining {}.",
                duration(c),
                duration(op.minutes_to_restore_order_or_end)
            ),
            (Some(c), false) => format!(
                "The crisis began {} in; order was restored {} later.",
                duration(c),
                duration(op.minutes_to_restore_order_or_end)
            ),
        });
        let declared = match op.emergency_declared_minute {
            None => "No state of exception took effect.".to_string(),
            Some(m) if m <= 0.0 => "A state of exception was in force from the start.".to_string(),
            Some(m) => format!("A state of exception took effect {} in.", duration(m)),
        };
        let regimes: Vec<String> =
            op.final_regimes.iter().map(|(zone, r)| format!("{} in {zone}", r.replace('_', " "))).collect();
        let at_end = match op.final_regimes.len() {
            1 => op.final_regimes.values().next().map_or(String::new(), |r| r.replace('_', " ")),
            _ => regimes.join(", "),
        };
        out.push(format!("{declared} The regime at the end: {at_end}."));
        out
    }
}

/// The arrangement's name in words.
fn arrangement(id: &str) -> &'static str {
    match id {
        "pnp_lead" => "police-lead",
        "ffaa_control" => "armed-forces-control",
        "unified" => "unified",
        "parallel" => "parallel-chains",
        _ => "given",
    }
}

/// Minutes in words, rounded to what a reader needs: "45 min", "3 h 20 min",
/// "2 days 4 h".
pub fn duration(minutes: f64) -> String {
    let m = minutes.max(0.0).round() as u64;
    let (days, hours, mins) = (m / 1440, m % 1440 / 60, m % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, h) if mins == 0 => format!("{h} h"),
        (0, h) => format!("{h} h {mins} min"),
        (d, 0) => format!("{d} day{}", if d == 1 { "" } else { "s" }),
        (d, h) => format!("{d} day{} {h} h", if d == 1 { "" } else { "s" }),
    }
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_read_as_a_person_would_say_them() {
        assert_eq!(duration(45.0), "45 min");
        assert_eq!(duration(120.0), "2 h");
        assert_eq!(duration(200.0), "3 h 20 min");
        assert_eq!(duration(1440.0), "1 day");
        assert_eq!(duration(4320.0 + 125.0), "3 days 2 h");
        assert_eq!(duration(-3.0), "0 min");
    }
}
