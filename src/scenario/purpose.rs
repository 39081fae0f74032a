//! The crowd's purpose (`crowd.gatherings`, `day`, `fatigue_per_day`,
//! `arrivals`, `bystanders_keep_away_cells`): where protesters gather, the
//! site each gathering marches on, the hours of their day, how they tire
//! over days and who comes from outlying communities when the conflict
//! escalates. Rules and sources: docs/model.md §11.9.

use serde::Serialize;

use super::MapSpec;
use super::checks::{open_cell, unit_interval, whole_in};
use super::defaults as d;
use super::raw::{RawArrivals, RawCrowd, RawDay};
use super::validate::Checker;

/// A place where part of the crowd gathers, and the site it marches on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gathering {
    pub name: String,
    pub at: (u32, u32),
    /// Index of the site in `map.sites`.
    pub march_to: usize,
}

/// The crowd's day, in hours of the clock (0–24): how many of the crowd
/// are out rises from `night_share` at `rise_from` to all at `peak_from`,
/// stays until `peak_until` and falls back by `home_by`. Before
/// `march_from` those out assemble at their gathering; from it they march.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Day {
    pub clock_at_start: f64,
    pub rise_from: f64,
    pub march_from: f64,
    pub peak_from: f64,
    pub peak_until: f64,
    pub home_by: f64,
    pub night_share: f64,
}

impl Day {
    /// The hour of the clock (0–24) and the day (0 = the first) at `minutes`
    /// into the run.
    pub fn clock(&self, minutes: f64) -> (f64, u32) {
        let since_midnight = self.clock_at_start * 60.0 + minutes;
        let day = (since_midnight / 1440.0).floor();
        ((since_midnight - day * 1440.0) / 60.0, day as u32)
    }

    /// The share of the committed crowd out at `hour`: piecewise linear.
    pub fn share_out(&self, hour: f64) -> f64 {
        let n = self.night_share;
        if hour < self.rise_from || hour >= self.home_by {
            n
        } else if hour < self.peak_from {
            n + (1.0 - n) * (hour - self.rise_from) / (self.peak_from - self.rise_from)
        } else if hour < self.peak_until {
            1.0
        } else {
            1.0 - (1.0 - n) * (hour - self.peak_until) / (self.home_by - self.peak_until)
        }
    }

    /// Whether `hour` is in the daytime peak (when order is judged).
    pub fn is_peak(&self, hour: f64) -> bool {
        hour >= self.peak_from && hour < self.peak_until
    }
}

/// Where the crowd goes and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PurposeSpec {
    pub gatherings: Vec<Gathering>,
    pub day: Day,
    /// Share of the committed who stay home for good each new day.
    pub fatigue_per_day: f64,
    /// Share of protesters who live in outlying communities and come only
    /// once the conflict has escalated (a death, a breached site or a
    /// declared regime), `arrivals_after_hours` later.
    pub arrivals_share: f64,
    pub arrivals_after_hours: f64,
    /// Bystanders closer than this to a site or a security unit move away
    /// from it.
    pub bystanders_keep_away_cells: u32,
}

/// The purpose fields of `crowd`, or `None` without `gatherings` (then the
/// others are refused: they would change nothing).
pub(super) fn check_purpose(c: &mut Checker, r: &mut RawCrowd, map: &MapSpec) -> Option<PurposeSpec> {
    let Some(raw) = r.gatherings.take() else {
        for (field, written) in [
            ("crowd.day", r.day.is_some()),
            ("crowd.fatigue_per_day", r.fatigue_per_day.is_some()),
            ("crowd.arrivals", r.arrivals.is_some()),
            ("crowd.bystanders_keep_away_cells", r.bystanders_keep_away_cells.is_some()),
        ] {
            if written {
                c.report(
                    field,
                    format!("{field} needs crowd.gatherings: without places to gather the crowd has no day"),
                );
            }
        }
        return None;
    };
    if r.types.is_none() {
        c.report("crowd.gatherings", "crowd.gatherings needs crowd.types: protesters gather, bystanders keep away");
    }
    if raw.is_empty() {
        c.report("crowd.gatherings", "expected at least one gathering, or no crowd.gatherings at all");
    }
    let mut gatherings = Vec::new();
    for (i, g) in raw.into_iter().enumerate() {
        let field = |f: &str| format!("crowd.gatherings[{i}].{f}");
        c.check(&field("at"), g.at, |at| open_cell(map, at));
        if gatherings.iter().any(|o: &Gathering| o.name == g.name) {
            c.report(&field("name"), format!("\"{}\" names another gathering already", g.name));
        }
        let Some(site) = map.sites.iter().position(|s| s.name == g.march_to) else {
            let names: Vec<String> = map.sites.iter().map(|s| format!("\"{}\"", s.name)).collect();
            let expected = if names.is_empty() { "no sites in map.sites".to_string() } else { names.join(", ") };
            c.report(&field("march_to"), format!("\"{}\" is not a site; expected one of {expected}", g.march_to));
            continue;
        };
        gatherings.push(Gathering { name: g.name, at: g.at, march_to: site });
    }
    let day = check_day(c, r.day.take().unwrap_or_default());
    let RawArrivals { share, after_hours } = r.arrivals.take().unwrap_or_default();
    Some(PurposeSpec {
        gatherings,
        day,
        fatigue_per_day: c.check("crowd.fatigue_per_day", r.fatigue_per_day.unwrap_or(d::FATIGUE_PER_DAY), |v| {
            if (0.0..1.0).contains(&v) { Ok(v) } else { Err(format!("expected a share from 0 to below 1, found {v}")) }
        }),
        arrivals_share: c.check("crowd.arrivals.share", share.unwrap_or(d::ARRIVALS_SHARE), unit_interval),
        arrivals_after_hours: c.check(
            "crowd.arrivals.after_hours",
            after_hours.unwrap_or(d::ARRIVALS_AFTER_HOURS),
            |v: f64| {
                if (0.0..=720.0).contains(&v) { Ok(v) } else { Err(format!("expected 0 to 720 hours, found {v}")) }
            },
        ),
        bystanders_keep_away_cells: c.check(
            "crowd.bystanders_keep_away_cells",
            r.bystanders_keep_away_cells.unwrap_or(d::BYSTANDERS_KEEP_AWAY_CELLS),
            whole_in(0, 1024),
        ),
    })
}

fn check_day(c: &mut Checker, r: RawDay) -> Day {
    let hour = |c: &mut Checker, f: &str, v: Option<f64>, default: f64| {
        c.check(&format!("crowd.day.{f}"), v.unwrap_or(default), |h: f64| {
            if (0.0..24.0).contains(&h) {
                Ok(h)
            } else {
                Err(format!("expected an hour from 0 to below 24, found {h}"))
            }
        })
    };
    let day = Day {
        clock_at_start: hour(c, "clock_at_start", r.clock_at_start, d::CLOCK_AT_START),
        rise_from: hour(c, "rise_from", r.rise_from, d::RISE_FROM_HOUR),
        march_from: hour(c, "march_from", r.march_from, d::MARCH_FROM_HOUR),
        peak_from: hour(c, "peak_from", r.peak_from, d::PEAK_FROM_HOUR),
        peak_until: hour(c, "peak_until", r.peak_until, d::PEAK_UNTIL_HOUR),
        home_by: hour(c, "home_by", r.home_by, d::HOME_BY_HOUR),
        night_share: c.check("crowd.day.night_share", r.night_share.unwrap_or(d::NIGHT_SHARE), unit_interval),
    };
    let order = [
        ("rise_from", day.rise_from),
        ("peak_from", day.peak_from),
        ("peak_until", day.peak_until),
        ("home_by", day.home_by),
    ];
    for pair in order.windows(2) {
        let ((a, ha), (b, hb)) = (pair[0], pair[1]);
        if ha >= hb {
            c.report(&format!("crowd.day.{b}"), format!("expected {b} after {a} ({ha}), found {hb}"));
        }
    }
    if day.march_from < day.rise_from || day.march_from >= day.home_by {
        c.report(
            "crowd.day.march_from",
            format!("expected an hour from rise_from ({}) to before home_by ({})", day.rise_from, day.home_by),
        );
    }
    day
}
