//! The parts of a scenario that describe the security operation: critical
//! sites on the map, security units, command chains and the legal regime.
//! All optional: a file without them is a pure crowd model (format v1 as
//! first shipped). Checked here, once, like the rest of the file.

use serde::Serialize;

use super::MapSpec;
use super::checks::{
    minutes, name_given, on_map, open_cell, positive, positive_minutes, sigma, unit_interval, vision, vision_wraps,
    whole_in,
};
use super::defaults as d;
use super::raw::{RawCommand, RawForces, RawLaw, RawSite};
use super::types::{
    Agency, CommandModel, Declaration, Deployment, EmergencyMode, NonLethalKit, Regime, SiteKind, StandingTask,
    UnitKind,
};
use super::validate::Checker;

/// A named critical site: the cells marked with `symbol` in the terrain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    pub symbol: char,
    pub name: String,
    pub kind: SiteKind,
    pub breach_actives: u32,
}

/// `count` units of one kind, every default filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitGroup {
    pub name: String,
    pub kind: UnitKind,
    pub agency: Agency,
    pub count: u32,
    pub at: (u32, u32),
    pub strength_personnel: u32,
    pub crowd_training: f64,
    pub non_lethal_kit: NonLethalKit,
    pub lethal_weapons: bool,
    pub radio_net: String,
    pub speed_cells_per_tick: u32,
    pub vision_cells: u32,
    pub standing_task: StandingTask,
    pub patrol_radius_cells: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drone {
    pub agency: Agency,
    pub at: (u32, u32),
    pub radius_cells: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommandSpec {
    pub model: CommandModel,
    pub decentralised_execution: bool,
    pub pnp_echelons: u32,
    pub ffaa_echelons: u32,
    pub liaison_officers: bool,
    pub interoperable_radios: bool,
    pub pnp_echelon_delay_median_minutes: f64,
    pub ffaa_echelon_delay_median_minutes: f64,
    pub echelon_delay_sigma: f64,
    pub cross_agency_delay_minutes: f64,
    pub liaison_delay_minutes: f64,
    pub lost_message_probability: f64,
    /// Pairs of radio nets joined by a relay.
    pub relays: Vec<(String, String)>,
    pub relay_delay_minutes: f64,
    /// Per hop on one net (an echelon, the unified post, a liaison officer).
    pub same_net_loss_probability: f64,
    /// Times a lost message is sent again before the sender gives it up.
    pub retransmissions: u32,
    pub unified_setup_minutes: f64,
    pub unified_hop_minutes: f64,
    pub pnp_compliance_delay_minutes: f64,
    pub phone_conflict_probability: f64,
    pub decision_interval_minutes: f64,
    pub report_interval_minutes: f64,
    pub local_autonomy_delay_minutes: f64,
    pub unity_break_probability: f64,
    pub sector_cells: u32,
    pub hotspot_actives: u32,
    pub actives_per_unit: u32,
    pub ffaa_deployment: Deployment,
    pub drones: Vec<Drone>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Zone {
    pub name: String,
    pub at: (u32, u32),
    pub width_cells: u32,
    pub height_cells: u32,
}

impl Zone {
    pub fn contains(&self, x: u32, y: u32) -> bool {
        x >= self.at.0 && y >= self.at.1 && x - self.at.0 < self.width_cells && y - self.at.1 < self.height_cells
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LawSpec {
    pub initial: Regime,
    pub enforce: bool,
    pub declare: Declaration,
    pub emergency_mode: EmergencyMode,
    pub trigger_actives_per_pnp_officer: f64,
    pub trigger_for_minutes: f64,
    pub trigger_on_site_breach: bool,
    /// Armed attacks on units in a zone within 24 h that, with
    /// `hostile_group_members` organised civilians, are evidence of a
    /// hostile group (0: never).
    pub hostile_group_attacks: u32,
    pub hostile_group_members: u32,
    pub decree_delay_minutes: f64,
    pub emergency_limit_days: f64,
    pub siege_limit_days: f64,
    /// Named rectangles, each with its own regime; cells outside every
    /// rectangle form one more zone. Empty: the whole map is one zone.
    pub zones: Vec<Zone>,
}

/// Checks `map.sites` against the terrain rows.
pub(super) fn check_sites(c: &mut Checker, raw: Option<Vec<RawSite>>, terrain: Option<&Vec<String>>) -> Vec<Site> {
    let mut sites: Vec<Site> = Vec::new();
    for (i, s) in raw.unwrap_or_default().into_iter().enumerate() {
        let field = |name: &str| format!("map.sites[{i}].{name}");
        if !s.symbol.is_ascii_uppercase() {
            c.report(&field("symbol"), format!("expected a capital letter A–Z, found `{}`", s.symbol));
        } else if sites.iter().any(|o| o.symbol == s.symbol) {
            c.report(&field("symbol"), format!("`{}` marks another site already", s.symbol));
        } else if !terrain.is_some_and(|rows| rows.iter().any(|r| r.contains(s.symbol))) {
            c.report(&field("symbol"), format!("`{}` appears nowhere in map.terrain", s.symbol));
        }
        c.check(&field("name"), s.name.as_str(), name_given);
        // Gatherings, decisions and reports name sites: one name, one site.
        if sites.iter().any(|o| o.name == s.name) {
            c.report(&field("name"), format!("\"{}\" names another site already", s.name));
        }
        let breach_actives = c.check(
            &field("breach_actives"),
            s.breach_actives.unwrap_or(d::SITE_BREACH_ACTIVES),
            whole_in(1, 1_000_000),
        );
        sites.push(Site { symbol: s.symbol, name: s.name, kind: s.kind, breach_actives });
    }
    sites
}

pub(super) fn check_forces(
    c: &mut Checker,
    raw: Option<RawForces>,
    map: &MapSpec,
    police_positions: Option<&Vec<(u32, u32)>>,
) -> Vec<UnitGroup> {
    let mut groups = Vec::new();
    let mut total: u64 = 0;
    for (i, g) in raw.map(|f| f.units).unwrap_or_default().into_iter().enumerate() {
        let field = |name: &str| format!("forces.units[{i}].{name}");
        let k = d::unit_kind(g.kind);
        c.check(&field("name"), g.name.as_str(), name_given);
        let count = c.check(&field("count"), g.count.unwrap_or(d::UNITS_PER_GROUP), whole_in(1, d::MAX_UNITS));
        total += count as u64;
        c.check(&field("at"), g.at, |at| open_cell(map, at));
        if police_positions.is_some_and(|ps| ps.contains(&g.at)) {
            c.report(&field("at"), format!("({}, {}) is an officer's cell in police.positions", g.at.0, g.at.1));
        }
        let radio_net = g.radio_net.unwrap_or(k.radio_net.to_string());
        if radio_net.trim().is_empty() {
            c.report(&field("radio_net"), "expected the name of a radio net, found an empty name");
        }
        let standing_task = g.standing_task.unwrap_or(k.standing_task);
        if g.patrol_radius_cells.is_some() && standing_task != StandingTask::Patrol {
            c.report(
                &field("patrol_radius_cells"),
                "patrol_radius_cells applies only to units whose standing_task is Patrol; remove it or set \
                 standing_task: Patrol",
            );
        }
        let vision_cells = c.check(&field("vision_cells"), g.vision_cells.unwrap_or(d::UNIT_VISION_CELLS), vision);
        if vision_wraps(map, vision_cells) {
            c.report(&field("vision_cells"), format!("vision {vision_cells} does not fit the wrapped map"));
        }
        groups.push(UnitGroup {
            name: g.name,
            kind: g.kind,
            agency: g.kind.agency(),
            count,
            at: g.at,
            strength_personnel: c.check(
                &field("strength_personnel"),
                g.strength_personnel.unwrap_or(k.strength_personnel),
                whole_in(1, 10_000),
            ),
            crowd_training: c.check(
                &field("crowd_training"),
                g.crowd_training.unwrap_or(k.crowd_training),
                unit_interval,
            ),
            non_lethal_kit: g.non_lethal_kit.unwrap_or(k.non_lethal_kit),
            lethal_weapons: g.lethal_weapons.unwrap_or(k.lethal_weapons),
            radio_net,
            speed_cells_per_tick: c.check(
                &field("speed_cells_per_tick"),
                g.speed_cells_per_tick.unwrap_or(d::UNIT_SPEED_CELLS_PER_TICK),
                whole_in(1, 16),
            ),
            vision_cells,
            standing_task,
            patrol_radius_cells: c.check(
                &field("patrol_radius_cells"),
                g.patrol_radius_cells.unwrap_or(d::PATROL_RADIUS_CELLS),
                whole_in(1, d::MAX_SIDE_CELLS),
            ),
        });
    }
    if total > d::MAX_UNITS as u64 {
        c.report("forces.units", format!("expected at most {} units in all, found {total}", d::MAX_UNITS));
    }
    groups
}

/// Each relay joins two different nets that exist: a unit's, or a chain's.
pub(super) fn check_relays(c: &mut Checker, command: &CommandSpec, forces: &[UnitGroup]) {
    let known = |n: &str| n == d::PNP_NET || n == d::FFAA_NET || forces.iter().any(|g| g.radio_net == n);
    for (i, (a, b)) in command.relays.iter().enumerate() {
        let field = format!("command.relays[{i}]");
        if a == b {
            c.report(&field, format!("a relay joins two different nets, found (\"{a}\", \"{b}\")"));
        }
        for n in [a, b] {
            if !known(n) {
                c.report(
                    &field,
                    format!(
                        "no chain or unit is on radio net \"{n}\": expected \"{}\", \"{}\" or a unit's radio_net",
                        d::PNP_NET,
                        d::FFAA_NET
                    ),
                );
            }
        }
    }
}

pub(super) fn check_command(c: &mut Checker, raw: Option<RawCommand>, map: &MapSpec) -> CommandSpec {
    let r = raw.unwrap_or_default();
    let echelons = whole_in(1, d::MAX_ECHELONS);
    let below_one = |v: f64| {
        if (0.0..0.95).contains(&v) {
            Ok(v)
        } else {
            Err(format!("expected a probability from 0 up to (not including) 0.95, found {v}"))
        }
    };
    let mut drones = Vec::new();
    for (i, dr) in r.drones.unwrap_or_default().into_iter().enumerate() {
        c.check(&format!("command.drones[{i}].at"), dr.at, |at| open_cell(map, at));
        let radius_cells = c.check(&format!("command.drones[{i}].radius_cells"), dr.radius_cells, whole_in(1, 1024));
        drones.push(Drone { agency: dr.agency, at: dr.at, radius_cells });
    }
    CommandSpec {
        model: r.model.unwrap_or(d::COMMAND_MODEL),
        decentralised_execution: r.decentralised_execution.unwrap_or(d::DECENTRALISED_EXECUTION),
        pnp_echelons: c.check("command.pnp_echelons", r.pnp_echelons.unwrap_or(d::PNP_ECHELONS), &echelons),
        ffaa_echelons: c.check("command.ffaa_echelons", r.ffaa_echelons.unwrap_or(d::FFAA_ECHELONS), &echelons),
        liaison_officers: r.liaison_officers.unwrap_or(d::LIAISON_OFFICERS),
        interoperable_radios: r.interoperable_radios.unwrap_or(d::INTEROPERABLE_RADIOS),
        pnp_echelon_delay_median_minutes: c.check(
            "command.pnp_echelon_delay_median_minutes",
            r.pnp_echelon_delay_median_minutes.unwrap_or(d::PNP_ECHELON_DELAY_MEDIAN_MINUTES),
            positive_minutes,
        ),
        ffaa_echelon_delay_median_minutes: c.check(
            "command.ffaa_echelon_delay_median_minutes",
            r.ffaa_echelon_delay_median_minutes.unwrap_or(d::FFAA_ECHELON_DELAY_MEDIAN_MINUTES),
            positive_minutes,
        ),
        echelon_delay_sigma: c.check(
            "command.echelon_delay_sigma",
            r.echelon_delay_sigma.unwrap_or(d::ECHELON_DELAY_SIGMA),
            sigma,
        ),
        cross_agency_delay_minutes: c.check(
            "command.cross_agency_delay_minutes",
            r.cross_agency_delay_minutes.unwrap_or(d::CROSS_AGENCY_DELAY_MINUTES),
            minutes,
        ),
        liaison_delay_minutes: c.check(
            "command.liaison_delay_minutes",
            r.liaison_delay_minutes.unwrap_or(d::LIAISON_DELAY_MINUTES),
            minutes,
        ),
        lost_message_probability: c.check(
            "command.lost_message_probability",
            r.lost_message_probability.unwrap_or(d::LOST_MESSAGE_PROBABILITY),
            below_one,
        ),
        relay_delay_minutes: {
            if r.relay_delay_minutes.is_some() && r.relays.as_ref().is_none_or(|v| v.is_empty()) {
                c.report(
                    "command.relay_delay_minutes",
                    "relay_delay_minutes applies only where command.relays joins radio nets; add relays or remove it",
                );
            }
            c.check("command.relay_delay_minutes", r.relay_delay_minutes.unwrap_or(d::RELAY_DELAY_MINUTES), minutes)
        },
        relays: r.relays.unwrap_or_default(),
        same_net_loss_probability: c.check(
            "command.same_net_loss_probability",
            r.same_net_loss_probability.unwrap_or(d::SAME_NET_LOSS_PROBABILITY),
            below_one,
        ),
        retransmissions: c.check(
            "command.retransmissions",
            r.retransmissions.unwrap_or(d::RETRANSMISSIONS),
            whole_in(0, 100),
        ),
        unified_setup_minutes: c.check(
            "command.unified_setup_minutes",
            r.unified_setup_minutes.unwrap_or(d::UNIFIED_SETUP_MINUTES),
            minutes,
        ),
        unified_hop_minutes: c.check(
            "command.unified_hop_minutes",
            r.unified_hop_minutes.unwrap_or(d::UNIFIED_HOP_MINUTES),
            minutes,
        ),
        pnp_compliance_delay_minutes: c.check(
            "command.pnp_compliance_delay_minutes",
            r.pnp_compliance_delay_minutes.unwrap_or(d::PNP_COMPLIANCE_DELAY_MINUTES),
            minutes,
        ),
        phone_conflict_probability: c.check(
            "command.phone_conflict_probability",
            r.phone_conflict_probability.unwrap_or(d::PHONE_CONFLICT_PROBABILITY),
            unit_interval,
        ),
        decision_interval_minutes: c.check(
            "command.decision_interval_minutes",
            r.decision_interval_minutes.unwrap_or(d::DECISION_INTERVAL_MINUTES),
            positive_minutes,
        ),
        report_interval_minutes: c.check(
            "command.report_interval_minutes",
            r.report_interval_minutes.unwrap_or(d::REPORT_INTERVAL_MINUTES),
            positive_minutes,
        ),
        local_autonomy_delay_minutes: c.check(
            "command.local_autonomy_delay_minutes",
            r.local_autonomy_delay_minutes.unwrap_or(d::LOCAL_AUTONOMY_DELAY_MINUTES),
            minutes,
        ),
        unity_break_probability: c.check(
            "command.unity_break_probability",
            r.unity_break_probability.unwrap_or(d::UNITY_BREAK_PROBABILITY),
            unit_interval,
        ),
        sector_cells: c.check("command.sector_cells", r.sector_cells.unwrap_or(d::SECTOR_CELLS), whole_in(1, 1024)),
        hotspot_actives: c.check(
            "command.hotspot_actives",
            r.hotspot_actives.unwrap_or(d::HOTSPOT_ACTIVES),
            whole_in(1, 1_000_000),
        ),
        actives_per_unit: c.check(
            "command.actives_per_unit",
            r.actives_per_unit.unwrap_or(d::ACTIVES_PER_UNIT),
            whole_in(1, 1_000_000),
        ),
        ffaa_deployment: r.ffaa_deployment.unwrap_or(d::FFAA_DEPLOYMENT),
        drones,
    }
}

pub(super) fn check_law(c: &mut Checker, raw: Option<RawLaw>, map: &MapSpec) -> LawSpec {
    let r = raw.unwrap_or_default();
    if r.hostile_group_members.is_some() && r.hostile_group_attacks.unwrap_or(d::HOSTILE_GROUP_ATTACKS) == 0 {
        c.report(
            "law.hostile_group_members",
            "law.hostile_group_members changes nothing while law.hostile_group_attacks is 0 (the hostile-group \
             trigger is off): set law.hostile_group_attacks too, or remove it",
        );
    }
    let days = |v: f64| {
        if v.is_finite() && v > 0.0 && v <= 3650.0 {
            Ok(v)
        } else {
            Err(format!("expected a number of days above 0 and at most 3650, found {v}"))
        }
    };
    let mut zones: Vec<Zone> = Vec::new();
    for (i, z) in r.zones.unwrap_or_default().into_iter().enumerate() {
        let field = |name: &str| format!("law.zones[{i}].{name}");
        if let Err(e) = name_given(&z.name) {
            c.report(&field("name"), e);
        } else if zones.iter().any(|o| o.name == z.name) {
            c.report(&field("name"), format!("another zone is named `{}`", z.name));
        }
        match on_map(map, z.at) {
            Err(e) => c.report(&field("at"), e),
            Ok((x, y)) => {
                let w = c.check(&field("width_cells"), z.width_cells, whole_in(1, map.width_cells - x));
                let h = c.check(&field("height_cells"), z.height_cells, whole_in(1, map.height_cells - y));
                zones.push(Zone { name: z.name, at: z.at, width_cells: w, height_cells: h });
            }
        }
    }
    if zones.len() > 200 {
        c.report("law.zones", format!("expected at most 200 zones, found {}", zones.len()));
    }
    LawSpec {
        initial: r.initial.unwrap_or(d::INITIAL_REGIME),
        enforce: r.enforce.unwrap_or(d::LAW_ENFORCE),
        declare: r.declare.unwrap_or(d::DECLARATION),
        emergency_mode: r.emergency_mode.unwrap_or(d::EMERGENCY_MODE),
        trigger_actives_per_pnp_officer: c.check(
            "law.trigger_actives_per_pnp_officer",
            r.trigger_actives_per_pnp_officer.unwrap_or(d::TRIGGER_ACTIVES_PER_PNP_OFFICER),
            positive,
        ),
        trigger_for_minutes: c.check(
            "law.trigger_for_minutes",
            r.trigger_for_minutes.unwrap_or(d::TRIGGER_FOR_MINUTES),
            minutes,
        ),
        trigger_on_site_breach: r.trigger_on_site_breach.unwrap_or(d::TRIGGER_ON_SITE_BREACH),
        hostile_group_attacks: c.check(
            "law.hostile_group_attacks",
            r.hostile_group_attacks.unwrap_or(d::HOSTILE_GROUP_ATTACKS),
            whole_in(0, 1_000_000),
        ),
        hostile_group_members: c.check(
            "law.hostile_group_members",
            r.hostile_group_members.unwrap_or(d::HOSTILE_GROUP_MEMBERS),
            whole_in(1, 1_000_000_000),
        ),
        decree_delay_minutes: c.check(
            "law.decree_delay_minutes",
            r.decree_delay_minutes.unwrap_or(d::DECREE_DELAY_MINUTES),
            minutes,
        ),
        emergency_limit_days: c.check(
            "law.emergency_limit_days",
            r.emergency_limit_days.unwrap_or(d::EMERGENCY_LIMIT_DAYS),
            days,
        ),
        siege_limit_days: c.check("law.siege_limit_days", r.siege_limit_days.unwrap_or(d::SIEGE_LIMIT_DAYS), days),
        zones,
    }
}
