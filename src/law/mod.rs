//! The legal regime as a state machine per zone (Constitution art. 137;
//! D. Leg. 1095): normal → (trigger, then a decree delay) → state of
//! emergency with the FF.AA. in support or in control, or a state of siege;
//! the state lapses at its legal time limit unless the trigger still holds,
//! in which case it is renewed (renewals counted).
//!
//! What each regime lets each agency do is one table ([`PERMITS`]), not
//! scattered conditions. A task the table does not permit is a legal
//! violation; with `law.enforce` it is refused instead.

use bevy_ecs::prelude::*;
use serde::Serialize;

use crate::base::events::{Event, EventLog};
use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::base::rng::{Stream, Streams};
pub use crate::base::vocabulary::Violation;
use crate::base::{Clock, Step};
use crate::grid::Terrain;
use crate::scenario::{Agency, CommandModel, Declaration, EmergencyMode, LawSpec, Regime, Scenario};
use crate::situation::{ReportEvery, Situation, Zones, is_report_tick};
use crate::units::TaskKind;

const fn bit(t: TaskKind) -> u8 {
    1 << t as u8
}
const GUARD: u8 = bit(TaskKind::GuardSite);
const CORDON: u8 = bit(TaskKind::Cordon);
const DISPERSE: u8 = bit(TaskKind::Disperse);
const ARREST: u8 = bit(TaskKind::Arrest);
const PATROL: u8 = bit(TaskKind::Patrol);
const HOLD: u8 = bit(TaskKind::Hold);
const NEGOTIATE: u8 = bit(TaskKind::Negotiate);
const PRESENCE: u8 = bit(TaskKind::Presence);
const ALL: u8 = GUARD | CORDON | DISPERSE | ARREST | PATROL | HOLD | NEGOTIATE | PRESENCE;
/// Every task but negotiation, which is the PNP's (and the dialogue
/// office's), never the FF.AA.'s.
const FFAA_ALL: u8 = ALL & !NEGOTIATE;

/// Tasks each agency may take under each regime: `PERMITS[regime][agency]`,
/// regimes and agencies in declaration order. Sources in `docs/model.md`:
/// - Normal: internal order is the PNP's (Const. art. 166); the FF.AA. stay
///   in barracks.
/// - Emergency, support (D. Leg. 1095 art. 23, as amended by Ley 32307):
///   the FF.AA. guard strategic sites, hold cordons, patrol (presence
///   included) and support crowd control; arrests stay with the PNP.
/// - Emergency, control; hostile group; siege (arts. 4 and 12): both act.
/// - Negotiation is never the FF.AA.'s (**Assumption**: dialogue with a
///   protest is the PNP's and the PCM's dialogue office's, D.S. 004-2013-DE).
pub const PERMITS: [[u8; 2]; 5] = [
    [ALL, HOLD],
    [ALL, GUARD | CORDON | DISPERSE | PATROL | PRESENCE | HOLD],
    [ALL, FFAA_ALL],
    [ALL, FFAA_ALL],
    [ALL, FFAA_ALL],
];

pub fn permits(regime: Regime, agency: Agency, task: TaskKind) -> bool {
    PERMITS[regime as usize][agency as usize] & bit(task) != 0
}

/// Whether an FF.AA. command may direct PNP units (art. 12: only where the
/// FF.AA. control internal order).
pub fn ffaa_may_direct_pnp(regime: Regime) -> bool {
    matches!(regime, Regime::EmergencyControl | Regime::HostileGroup | Regime::Siege)
}

/// Whether FF.AA. units may leave their base at all.
pub fn ffaa_deployable(regime: Regime) -> bool {
    regime != Regime::Normal
}

/// The regime of one zone and its clock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneLaw {
    pub regime: Regime,
    pub since_tick: u32,
    /// First report tick of the current spell over the trigger.
    #[serde(skip)]
    pub over_trigger_since: Option<u32>,
    /// A decree signed, taking effect at this tick.
    pub decree_at_tick: Option<u32>,
    /// The regime that decree puts in force.
    #[serde(skip)]
    pub decreed: Regime,
    /// When the current state of exception lapses.
    pub expires_at_tick: Option<u32>,
    pub renewals: u32,
}

/// The legal state of every zone, and the law's parameters in ticks.
#[derive(Resource, Debug, Clone)]
pub struct LegalState {
    pub zones: Vec<ZoneLaw>,
    pub spec: LawSpec,
    /// The regime a declared emergency puts in force.
    pub declared: Regime,
    trigger_ticks: u32,
    decree_ticks: u32,
    /// Organised members of the crowd (shock groups and agitators).
    pub organised: u32,
    /// 24 hours in ticks: the window armed attacks are counted over.
    day_ticks: u32,
    emergency_limit_ticks: u32,
    siege_limit_ticks: u32,
}

pub use crate::base::ticks;

impl LegalState {
    pub fn new(spec: &LawSpec, model: CommandModel, zones: usize, minutes_per_tick: f64) -> LegalState {
        let declared = match (spec.declare, spec.emergency_mode) {
            (Declaration::Siege, _) => Regime::Siege,
            (Declaration::Emergency, EmergencyMode::Support) => Regime::EmergencySupport,
            (Declaration::Emergency, EmergencyMode::Control) => Regime::EmergencyControl,
            (Declaration::Emergency, EmergencyMode::FollowModel) => {
                if model == CommandModel::FfaaControl {
                    Regime::EmergencyControl
                } else {
                    Regime::EmergencySupport
                }
            }
        };
        let days = |d: f64| ticks(d * 24.0 * 60.0, minutes_per_tick).max(1);
        let mut law = LegalState {
            zones: Vec::new(),
            spec: spec.clone(),
            declared,
            trigger_ticks: ticks(spec.trigger_for_minutes, minutes_per_tick),
            decree_ticks: ticks(spec.decree_delay_minutes, minutes_per_tick),
            organised: 0,
            day_ticks: ticks(24.0 * 60.0, minutes_per_tick).max(1),
            emergency_limit_ticks: days(spec.emergency_limit_days),
            siege_limit_ticks: days(spec.siege_limit_days),
        };
        let initial = ZoneLaw {
            regime: spec.initial,
            since_tick: 0,
            over_trigger_since: None,
            decree_at_tick: None,
            decreed: declared,
            expires_at_tick: law.limit_ticks(spec.initial),
            renewals: 0,
        };
        law.zones = vec![initial; zones];
        law
    }

    /// How long a regime lasts before it lapses or is renewed: a siege 45
    /// days, any state of emergency 60 (Const. art. 137); normal never.
    pub fn limit_ticks(&self, regime: Regime) -> Option<u32> {
        limit_for(regime, self.emergency_limit_ticks, self.siege_limit_ticks)
    }

    pub fn regime(&self, zone: usize) -> Regime {
        self.zones[zone].regime
    }

    /// The most severe regime in force anywhere (for the time series).
    pub fn strongest(&self) -> Regime {
        self.zones.iter().map(|z| z.regime).max().unwrap_or(Regime::Normal)
    }

    /// The law's parameters from `spec` (a change during a run); each
    /// zone keeps its regime, clocks and pending decree.
    pub fn retune(&mut self, spec: &LawSpec, model: CommandModel, minutes_per_tick: f64) {
        let mut new = LegalState::new(spec, model, self.zones.len(), minutes_per_tick);
        new.zones = std::mem::take(&mut self.zones);
        new.organised = self.organised;
        *self = new;
    }

    /// Whether any zone is under a state of exception.
    pub fn any_exception(&self) -> bool {
        self.zones.iter().any(|z| z.regime != Regime::Normal)
    }
}

impl Fingerprint for LegalState {
    /// Every zone's regime and clocks, and the first declaration and
    /// decree; not the law's parameters (fixed for the run).
    fn fingerprint(&self, h: &mut Fnv) {
        let LegalState {
            zones,
            spec: _,
            declared: _,
            trigger_ticks: _,
            decree_ticks: _,
            organised: _,
            day_ticks: _,
            emergency_limit_ticks: _,
            siege_limit_ticks: _,
        } = self;
        h.each(zones, |h, z| {
            let ZoneLaw { regime, since_tick, over_trigger_since, decree_at_tick, decreed, expires_at_tick, renewals } =
                z;
            h.u32(*regime as u32);
            h.u32(*decreed as u32);
            h.u32(*since_tick);
            h.opt(*over_trigger_since);
            h.opt(*decree_at_tick);
            h.opt(*expires_at_tick);
            h.u32(*renewals);
        });
    }
}

fn limit_for(regime: Regime, emergency: u32, siege: u32) -> Option<u32> {
    match regime {
        Regime::Normal => None,
        Regime::Siege => Some(siege),
        _ => Some(emergency),
    }
}

/// Whether a zone is over its declaration trigger in `situation`: more
/// actives per PNP officer than the threshold (any actives with no PNP at
/// all), or a critical site in the zone breached.
fn over_trigger(spec: &LawSpec, situation: &Situation, zone: usize, site_zones: &[usize]) -> bool {
    let actives = situation.zone_actives[zone] as f64;
    let pnp = situation.zone_pnp_personnel[zone] as f64;
    let crowded = if pnp > 0.0 { actives / pnp > spec.trigger_actives_per_pnp_officer } else { actives > 0.0 };
    let breached =
        spec.trigger_on_site_breach && situation.site_breached.iter().zip(site_zones).any(|(&b, &z)| b && z == zone);
    crowded || breached
}

/// Armed attacks on units, as (tick, zone), over the last 24 hours: the
/// use of force records them, the law counts them as evidence of a
/// hostile group.
#[derive(Resource, Debug, Clone, Default)]
pub struct ArmedAttacks(pub Vec<(u32, usize)>);

impl Fingerprint for ArmedAttacks {
    fn fingerprint(&self, h: &mut Fnv) {
        h.each(&self.0, |h, &(tick, zone)| {
            h.u32(tick);
            h.count(zone);
        });
    }
}

/// Whether a zone holds the evidence of a hostile group: enough armed
/// attacks on units there within the last 24 hours, by a crowd with enough
/// organised members (brief: ≥ 3 lethal-aggression events in 24 h, ≥ 20
/// organised; D. Leg. 1095 art. 3.f).
fn hostile_group(spec: &LawSpec, organised: u32, attacks: &ArmedAttacks, zone: usize) -> bool {
    spec.hostile_group_attacks > 0
        && organised >= spec.hostile_group_members
        && attacks.0.iter().filter(|&&(_, z)| z == zone).count() as u32 >= spec.hostile_group_attacks
}

/// The zone of each critical site (of its first cell).
#[derive(Resource, Debug, Clone, Default)]
pub struct SiteZones(pub Vec<usize>);

/// Each zone's regime at the start, and the zone of each site (after
/// `situation::setup`, whose zones it reads).
pub fn setup(world: &mut World, s: &Scenario) {
    let (Some(cmd), Some(law)) = (&s.command, &s.law) else { return };
    let zones = world.resource::<Zones>();
    let site_zones = SiteZones(
        world.resource::<Terrain>().site_cells.iter().map(|c| c.first().map_or(0, |&c| zones.of(c))).collect(),
    );
    let mut legal = LegalState::new(law, cmd.model, zones.len(), s.metadata.minutes_per_tick);
    if let Some(crowd) = &s.crowd {
        let traits = world.resource::<Streams>().draws(Stream::Traits);
        legal.organised = crate::crowd::organised_members(crowd, traits, s.civilians.count);
    }
    world.insert_resource(legal);
    world.insert_resource(ArmedAttacks::default());
    world.insert_resource(site_zones);
}

pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(update_regimes.in_set(Step::UpdateLaw));
}

/// Runs the state machine of every zone: triggers are checked on report
/// ticks (the political level hears of the situation through reports);
/// decrees and expiries take effect on their tick.
pub fn update_regimes(
    clock: Res<Clock>,
    every: Res<ReportEvery>,
    situation: Res<Situation>,
    zones: Res<Zones>,
    site_zones: Res<SiteZones>,
    (mut law, mut attacks): (ResMut<LegalState>, ResMut<ArmedAttacks>),
    mut log: ResMut<EventLog>,
) {
    let tick = clock.tick;
    let report = is_report_tick(&clock, *every);
    let law = &mut *law;
    let day = law.day_ticks;
    attacks.0.retain(|&(t, _)| tick - t < day);
    let (emergency, siege) = (law.emergency_limit_ticks, law.siege_limit_ticks);
    let limit = |r: Regime| limit_for(r, emergency, siege);
    for (z, zl) in law.zones.iter_mut().enumerate() {
        let over = report.then(|| over_trigger(&law.spec, &situation, z, &site_zones.0));
        if let Some(over) = over {
            zl.over_trigger_since = match (over, zl.over_trigger_since) {
                (true, None) => Some(tick),
                (true, since) => since,
                (false, _) => None,
            };
        }
        let held = zl.over_trigger_since.is_some_and(|since| tick - since >= law.trigger_ticks);
        let decree = if report
            && !matches!(zl.regime, Regime::HostileGroup | Regime::Siege)
            && zl.decreed != Regime::HostileGroup
            && hostile_group(&law.spec, law.organised, &attacks, z)
        {
            // A pending declaration is overtaken: the decree now names the
            // hostile group (D. Leg. 1095, second title).
            Some(Regime::HostileGroup)
        } else if zl.regime == Regime::Normal && zl.decree_at_tick.is_none() && held {
            Some(law.declared)
        } else {
            None
        };
        if let Some(regime) = decree {
            zl.decree_at_tick = Some(tick + law.decree_ticks);
            zl.decreed = regime;
            log.push(Event::DecreeSigned {
                tick,
                zone: zones.names[z].clone(),
                regime,
                effective_tick: tick + law.decree_ticks,
            });
        }
        if zl.decree_at_tick == Some(tick) {
            zl.decree_at_tick = None;
            let from = zl.regime;
            zl.regime = zl.decreed;
            zl.since_tick = tick;
            zl.expires_at_tick = limit(zl.regime).map(|l| tick.saturating_add(l));
            log.push(Event::RegimeChanged { tick, zone: zones.names[z].clone(), from, to: zl.regime, renewal: 0 });
        } else if zl.expires_at_tick == Some(tick) {
            let from = zl.regime;
            if zl.over_trigger_since.is_some() {
                zl.renewals += 1;
                zl.expires_at_tick = limit(zl.regime).map(|l| tick.saturating_add(l));
                log.push(Event::RegimeChanged {
                    tick,
                    zone: zones.names[z].clone(),
                    from,
                    to: from,
                    renewal: zl.renewals,
                });
            } else {
                zl.regime = Regime::Normal;
                zl.since_tick = tick;
                zl.expires_at_tick = None;
                log.push(Event::RegimeChanged {
                    tick,
                    zone: zones.names[z].clone(),
                    from,
                    to: Regime::Normal,
                    renewal: 0,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_matches_the_law() {
        // Internal order is the PNP's in every regime.
        for r in [Regime::Normal, Regime::EmergencySupport, Regime::EmergencyControl, Regime::Siege] {
            for t in TaskKind::ALL {
                assert!(permits(r, Agency::Pnp, t));
            }
        }
        // Soldiers on crowd control: a violation in normal times, lawful in
        // an emergency in support, and arrests only under control.
        assert!(!permits(Regime::Normal, Agency::Ffaa, TaskKind::Disperse));
        assert!(!permits(Regime::Normal, Agency::Ffaa, TaskKind::Cordon));
        assert!(permits(Regime::Normal, Agency::Ffaa, TaskKind::Hold));
        assert!(permits(Regime::EmergencySupport, Agency::Ffaa, TaskKind::Disperse));
        assert!(permits(Regime::EmergencySupport, Agency::Ffaa, TaskKind::GuardSite));
        assert!(!permits(Regime::EmergencySupport, Agency::Ffaa, TaskKind::Arrest));
        assert!(permits(Regime::EmergencyControl, Agency::Ffaa, TaskKind::Arrest));
        assert!(!ffaa_may_direct_pnp(Regime::EmergencySupport));
        assert!(ffaa_may_direct_pnp(Regime::EmergencyControl));
    }

    #[test]
    fn minutes_round_up_to_ticks() {
        assert_eq!(ticks(60.0, 1.0), 60);
        assert_eq!(ticks(61.0, 5.0), 13);
        assert_eq!(ticks(0.0, 5.0), 0);
        assert_eq!(ticks(0.1 * 24.0 * 60.0, 1.0), 144, "no floating-point tick too many");
    }
}
