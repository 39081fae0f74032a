//! The `detention` section: how units' arrests are made and how long they
//! are held, within the law's limit.

use serde::Serialize;

use super::checks::{positive_minutes, whole_in};
use super::defaults as d;
use super::raw::RawDetention;
use super::validate::Checker;

/// Units' arrests as a process bounded by people and by law.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetentionSpec {
    pub team_personnel: u32,
    pub processing_minutes: f64,
    pub holding_per_zone: u32,
    pub hold_hours: f64,
    /// A state of exception in force suspends personal liberty (art. 137.1
    /// lets the decree suspend art. 2.24.f): units may then detain actives
    /// they do not see committing an offence.
    pub liberty_suspended_in_emergency: bool,
    /// Soldiers' arrest teams are out this long handing a detainee to the PNP.
    pub handover_minutes: f64,
}

pub(super) fn check_detention(c: &mut Checker, r: RawDetention) -> DetentionSpec {
    let hold_hours = c.check("detention.hold_hours", r.hold_hours.unwrap_or(d::HOLD_HOURS), hold_within_the_law);
    DetentionSpec {
        team_personnel: c.check(
            "detention.team_personnel",
            r.team_personnel.unwrap_or(d::ARREST_TEAM_PERSONNEL),
            whole_in(1, 100),
        ),
        processing_minutes: c.check(
            "detention.processing_minutes",
            r.processing_minutes.unwrap_or(d::ARREST_PROCESSING_MINUTES),
            positive_minutes,
        ),
        holding_per_zone: c.check(
            "detention.holding_per_zone",
            r.holding_per_zone.unwrap_or(d::HOLDING_PER_ZONE),
            whole_in(1, 1_000_000),
        ),
        hold_hours,
        liberty_suspended_in_emergency: r.liberty_suspended_in_emergency.unwrap_or(d::LIBERTY_SUSPENDED_IN_EMERGENCY),
        handover_minutes: c.check(
            "detention.handover_minutes",
            r.handover_minutes.unwrap_or(d::HANDOVER_MINUTES),
            positive_minutes,
        ),
    }
}

/// More than 0 hours, and no more than a person arrested in flagrante may
/// be held before a judge (Constitution art. 2.24.f).
fn hold_within_the_law(hours: f64) -> Result<f64, String> {
    let limit = d::FLAGRANTE_LIMIT_HOURS;
    if hours > 0.0 && hours <= limit {
        Ok(hours)
    } else if hours > limit {
        Err(format!(
            "{hours} hours is longer than the {limit} hours a person arrested in flagrante may be held before a \
             judge (Constitution art. 2.24.f)"
        ))
    } else {
        Err(format!("expected hours more than 0 and at most {limit}, found {hours}"))
    }
}
