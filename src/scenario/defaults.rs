//! Every default a scenario can leave out, in one place. Each value's source
//! is given in `docs/model.md` (Epstein 2002, Model I, unless marked as an
//! assumption).

use super::types::{
    Activation, CommandModel, CrowdType, Declaration, Deployment, Distribution, Edges, EmergencyMode, Neighbourhood,
    NonLethalKit, Placement, Regime, Rounding, StandingTask, Turn, UnitKind, WhileAwaiting,
};

pub const FORMAT_VERSION: u32 = 1;
pub const SEED: u64 = 1;
pub const TICKS: u32 = 200;
/// Assumption: one tick is one minute (domain brief, proposed rules).
pub const MINUTES_PER_TICK: f64 = 1.0;
pub const EDGES: Edges = Edges::Wrap;

pub const CIVILIAN_DENSITY: f64 = 0.7;
pub const PLACEMENT: Placement = Placement::Random;
pub const LEGITIMACY: f64 = 0.82;
pub const CIVILIAN_VISION_CELLS: u32 = 7;
pub const THRESHOLD: f64 = 0.1;
pub const ARREST_CONSTANT_K: f64 = 2.3;
pub const MAX_JAIL_TERM_TICKS: u32 = 30;
pub const HARDSHIP: Distribution = Distribution::Uniform { min: 0.0, max: 1.0 };
pub const RISK_AVERSION: Distribution = Distribution::Uniform { min: 0.0, max: 1.0 };

pub const POLICE_DENSITY: f64 = 0.04;
pub const POLICE_VISION_CELLS: u32 = 7;

pub const NEIGHBOURHOOD: Neighbourhood = Neighbourhood::Euclidean;
pub const ARREST_RATIO_ROUNDING: Rounding = Rounding::Floor;
pub const JAILED_KEEP_CELL: bool = false;
pub const ACTIVATION: Activation = Activation::RandomSequential;
pub const TURN: Turn = Turn::MoveThenAct;

/// Assumption: an outburst is a spell with at least 5% of civilians active.
pub const OUTBURST_ACTIVE_SHARE: f64 = 0.05;

/// Largest map side we accept: keeps cell indices in 32 bits with room for
/// the occupancy codes.
pub const MAX_SIDE_CELLS: u32 = 16_384;
/// Longest jail term: far beyond any run, and far from overflowing a tick.
pub const MAX_JAIL_TERM_LIMIT_TICKS: u32 = 100_000_000;
/// Longest ramp of a scheduled change.
pub const MAX_RAMP_TICKS: u32 = 10_000_000;
/// The longest run: ten million ticks (19 years of one-minute ticks; an
/// Epstein run of 40×40 cells takes about an hour). **Assumption:** a
/// bound against typing mistakes (`--ticks 4294967295`), not a model limit.
pub const MAX_TICKS: u32 = 10_000_000;
/// Largest vision: beyond this the neighbourhood scans dominate everything.
pub const MAX_VISION_CELLS: u32 = 64;

// ---- map sites ----
/// Assumption: a site is breached when this many actives stand on its cells.
pub const SITE_BREACH_ACTIVES: u32 = 3;

// ---- security units ----

/// What a unit of a kind has unless the scenario says otherwise. Sources:
/// domain brief, "Security unit" (squads of 8–12 police, platoons of 30
/// soldiers; crowd-control training PNP crowd control 0.8, PNP patrol 0.5,
/// FF.AA. 0.2; FF.AA. non-lethal kit none or partial). The crowd-trained
/// soldiers' 0.5 and partial kit are assumptions.
pub struct KindDefaults {
    pub strength_personnel: u32,
    pub crowd_training: f64,
    pub non_lethal_kit: NonLethalKit,
    pub lethal_weapons: bool,
    pub radio_net: &'static str,
    pub standing_task: StandingTask,
}

pub fn unit_kind(kind: UnitKind) -> KindDefaults {
    use NonLethalKit::*;
    let (strength_personnel, crowd_training, non_lethal_kit, radio_net, standing_task) = match kind {
        UnitKind::PnpPatrol => (10, 0.5, Partial, PNP_NET, StandingTask::Patrol),
        UnitKind::PnpCrowdControl => (12, 0.8, Full, PNP_NET, StandingTask::Hold),
        UnitKind::FfaaInfantry => (30, 0.2, None, FFAA_NET, StandingTask::Hold),
        UnitKind::FfaaCrowdTrained => (30, 0.5, Partial, FFAA_NET, StandingTask::Hold),
        // Negotiators in plain clothes (brief: "PNP negotiator"; assumption:
        // a team of four, trained in contact, carrying nothing).
        UnitKind::PnpDialogueTeam => (4, 1.0, None, PNP_NET, StandingTask::Hold),
    };
    let lethal_weapons = kind != UnitKind::PnpDialogueTeam;
    KindDefaults { strength_personnel, crowd_training, non_lethal_kit, lethal_weapons, radio_net, standing_task }
}

pub const UNITS_PER_GROUP: u32 = 1;
/// Assumption: units walk one cell per tick off road, two on a road.
pub const UNIT_SPEED_CELLS_PER_TICK: u32 = 1;
pub const UNIT_VISION_CELLS: u32 = 5;
pub const PATROL_RADIUS_CELLS: u32 = 8;
pub const MAX_UNITS: u32 = 100_000;

// ---- command (domain brief, "Subordination models to compare") ----
pub const COMMAND_MODEL: CommandModel = CommandModel::PnpLead;
pub const DECENTRALISED_EXECUTION: bool = false;
/// Comandancia General → Región/Frente → División → Unidad.
pub const PNP_ECHELONS: u32 = 4;
/// CCFFAA → Comando Operacional → Brigada → Batallón → Compañía.
pub const FFAA_ECHELONS: u32 = 5;
pub const MAX_ECHELONS: u32 = 8;
pub const LIAISON_OFFICERS: bool = true;
pub const INTEROPERABLE_RADIOS: bool = false;
pub const PNP_ECHELON_DELAY_MEDIAN_MINUTES: f64 = 3.0;
pub const FFAA_ECHELON_DELAY_MEDIAN_MINUTES: f64 = 5.0;
pub const ECHELON_DELAY_SIGMA: f64 = 0.5;
pub const CROSS_AGENCY_DELAY_MINUTES: f64 = 20.0;
pub const LIAISON_DELAY_MINUTES: f64 = 3.0;
pub const LOST_MESSAGE_PROBABILITY: f64 = 0.1;
/// The nets each chain commands on: a unit of the kind's agency is on it
/// unless the scenario gives it another (`forces.units[].radio_net`).
pub const PNP_NET: &str = "pnp";
pub const FFAA_NET: &str = "ffaa";
/// A radio relay between two nets (a rebroadcast station or an operator
/// with both sets) adds a hop of this length (**Assumption**: an operator
/// repeats a voice message in about two minutes).
pub const RELAY_DELAY_MINUTES: f64 = 2.0;
/// Per hop on one net (brief: 0.03, range 0.01–0.1).
pub const SAME_NET_LOSS_PROBABILITY: f64 = 0.03;
/// Times a message is sent again before the sender gives it up
/// (**Assumption**: voice procedure repeats a call twice, then the sender
/// waits for the next planning round).
pub const RETRANSMISSIONS: u32 = 2;
/// Brief: command-post set-up 30–120 min; we take the middle.
pub const UNIFIED_SETUP_MINUTES: f64 = 60.0;
pub const UNIFIED_HOP_MINUTES: f64 = 3.0;
/// Assumption: the PNP takes 10 more minutes to act on an FF.AA. order.
pub const PNP_COMPLIANCE_DELAY_MINUTES: f64 = 10.0;
/// Brief: p_conflict_order 0.1–0.3.
pub const PHONE_CONFLICT_PROBABILITY: f64 = 0.2;
/// Assumption: commanders re-plan every 5 minutes.
pub const DECISION_INTERVAL_MINUTES: f64 = 5.0;
/// Assumption: units report every 5 minutes (brief: COP refresh 1–20 min).
pub const REPORT_INTERVAL_MINUTES: f64 = 5.0;
/// Brief: local_autonomy_delay 0–5 min.
pub const LOCAL_AUTONOMY_DELAY_MINUTES: f64 = 2.0;
/// Brief: p = 0.05–0.2 per deviation from the plan: here, per chance a
/// unit on an order has to leave it for a crowd it sees.
pub const UNITY_BREAK_PROBABILITY: f64 = 0.1;
/// Assumption: a picture is kept in squares of 8×8 cells.
pub const SECTOR_CELLS: u32 = 8;
/// Assumption: 5 reported actives in a sector make a hotspot.
pub const HOTSPOT_ACTIVES: u32 = 5;
/// Assumption: one unit per 15 actives, at least one per hotspot.
pub const ACTIVES_PER_UNIT: u32 = 15;
pub const FFAA_DEPLOYMENT: Deployment = Deployment::OnDeclaration;

// ---- law (Constitution art. 137; domain brief, "Legal-regime state machine") ----
pub const INITIAL_REGIME: Regime = Regime::Normal;
pub const LAW_ENFORCE: bool = false;
pub const DECLARATION: Declaration = Declaration::Emergency;
pub const EMERGENCY_MODE: EmergencyMode = EmergencyMode::FollowModel;
/// Brief: 30 actives per PNP officer (15–60) for more than an hour.
pub const TRIGGER_ACTIVES_PER_PNP_OFFICER: f64 = 30.0;
pub const TRIGGER_FOR_MINUTES: f64 = 60.0;
pub const TRIGGER_ON_SITE_BREACH: bool = true;
/// Evidence of a hostile group (D. Leg. 1095 art. 3.f after TC
/// 00022-2011-PI/TC: organised, armed, taking part in hostilities). The
/// brief operationalises it as at least 3 armed attacks on units in a zone
/// within 24 h by a crowd with at least 20 organised members; a scenario
/// with a hostile group writes `law.hostile_group_attacks: 3`. Off by
/// default: ordinary protest never qualifies (brief; TC), and mando cannot
/// tell a protest's few armed members from a group taking part in
/// hostilities (with the brief's rule on, 14 of 40 runs of the shipped
/// protests reached it).
pub const HOSTILE_GROUP_ATTACKS: u32 = 0;
pub const HOSTILE_GROUP_MEMBERS: u32 = 20;
/// Brief: decree delay 24 h (6–72 h).
pub const DECREE_DELAY_MINUTES: f64 = 1440.0;
/// Constitution art. 137.1 and 137.2.
pub const EMERGENCY_LIMIT_DAYS: f64 = 60.0;
pub const SIEGE_LIMIT_DAYS: f64 = 45.0;

// ---- crowd (domain brief, "Crowd-state update"; ESIM; flashpoints) ----
/// Assumption: without crowd types, one civilian in ten carries stones.
pub const STONES_SHARE: f64 = 0.1;
/// Without crowd types, ordinary social protest: no firearms (brief: ~1%
/// only in organised-crime scenarios).
pub const FIREARMS_SHARE: f64 = 0.0;
/// With crowd types, the share of shock-group members and agitators who
/// carry a firearm (home-made or hunting guns; prior 0–0.3, fitted by scripts/calibrate.py, docs/validation.md).
pub const FIREARMS_SHARE_ORGANISED: f64 = 0.082;
/// Brief: w_S = 0.3 (0.1–0.5).
pub const IDENTITY_WEIGHT: f64 = 0.3;
/// Brief: S decays by 1% per tick.
pub const IDENTITY_DECAY_PER_TICK: f64 = 0.01;
/// Brief: +0.15 (0.05–0.3) per indiscriminate event seen.
pub const INDISCRIMINATE_IDENTITY_GAIN: f64 = 0.15;
/// Brief: +0.02 per differentiated event.
pub const DIFFERENTIATED_IDENTITY_GAIN: f64 = 0.02;
/// Brief: ΔL_death 0.01–0.08 (0.03), within 15 cells and region-wide after
/// 60 min; fitted by scripts/calibrate.py, docs/validation.md.
pub const DEATH_LEGITIMACY_LOSS: f64 = 0.053;
pub const SERIOUS_INJURY_LEGITIMACY_LOSS: f64 = 0.005;
pub const BACKLASH_RADIUS_CELLS: u32 = 15;
pub const BACKLASH_LAG_MINUTES: f64 = 60.0;
/// Brief: for 10 min, T falls by 0.05 within radius 5.
pub const FLASHPOINT_THRESHOLD_DROP: f64 = 0.05;
pub const FLASHPOINT_MINUTES: f64 = 10.0;
pub const FLASHPOINT_RADIUS_CELLS: u32 = 5;
/// Brief: p_prov 0.02–0.05 per tick within 3 cells of security units.
pub const AGITATOR_PROVOCATION_PROBABILITY: f64 = 0.03;
/// Brief: a dialogue table with a credible mediator gives +0.05 over 24 h;
/// a broken agreement −0.05.
pub const DIALOGUE_LEGITIMACY_GAIN: f64 = 0.05;
pub const DIALOGUE_MINUTES: f64 = 1440.0;

/// What a crowd type brings (domain brief, per-type table; values the brief
/// leaves open are assumptions, listed in `docs/model.md`).
pub struct TypeDefaults {
    pub hardship: Distribution,
    pub risk_aversion: Distribution,
    /// Added to `civilians.threshold`.
    pub threshold_offset: f64,
    pub stones_share: f64,
    /// Whether `crowd.firearms_share` applies to it.
    pub may_carry_firearms: bool,
}

pub fn crowd_type(t: CrowdType) -> TypeDefaults {
    use Distribution::Uniform as U;
    let (hardship, risk_aversion, threshold_offset, stones_share, may_carry_firearms) = match t {
        CrowdType::Bystander => (U { min: 0.0, max: 0.6 }, U { min: 0.4, max: 1.0 }, 0.1, 0.0, false),
        CrowdType::PeacefulProtester => (U { min: 0.3, max: 1.0 }, U { min: 0.0, max: 1.0 }, 0.0, 0.05, false),
        CrowdType::Blockader => (U { min: 0.5, max: 1.0 }, U { min: 0.0, max: 0.6 }, -0.05, 0.2, false),
        CrowdType::ShockGroup => (U { min: 0.7, max: 1.0 }, U { min: 0.0, max: 0.3 }, -0.1, 0.9, true),
        CrowdType::PaidAgitator => (U { min: 0.9, max: 1.0 }, U { min: 0.0, max: 0.3 }, -0.1, 0.5, true),
    };
    TypeDefaults { hardship, risk_aversion, threshold_offset, stones_share, may_carry_firearms }
}

// ---- the crowd's purpose (docs/model.md §11.9) ----
/// Assumption: a run starts at 06:00, when people in the highlands rise.
pub const CLOCK_AT_START: f64 = 6.0;
/// Assumption, from the Ombudsman's daily reports of road blockades and
/// marches (brief §3): people gather from about 06:00, march from 09:00,
/// are all out from 10:00 to 16:00 and home by 21:00; a vigil of 5% keeps
/// the blockade overnight.
pub const RISE_FROM_HOUR: f64 = 6.0;
pub const MARCH_FROM_HOUR: f64 = 9.0;
pub const PEAK_FROM_HOUR: f64 = 10.0;
pub const PEAK_UNTIL_HOUR: f64 = 16.0;
pub const HOME_BY_HOUR: f64 = 21.0;
pub const NIGHT_SHARE: f64 = 0.05;
/// Assumption: a tenth of those still committed stay home for good each
/// new day of a strike (ESIM's withdrawal as a conflict drags on; the
/// Ombudsman records paros fading over one to three weeks).
pub const FATIGUE_PER_DAY: f64 = 0.1;
/// Assumption: a quarter of the protesters live in outlying communities and
/// come in once the conflict escalates, half a day's travel later (the
/// "delegaciones" of Juliaca and Ayacucho, brief §3).
pub const ARRIVALS_SHARE: f64 = 0.25;
pub const ARRIVALS_AFTER_HOURS: f64 = 12.0;
/// Assumption: bystanders within a walking cost of 12 (12 road cells or 6
/// of open ground, 150–300 m) of a site in conflict or of a security unit
/// walk away from it.
pub const BYSTANDERS_KEEP_AWAY_CELLS: u32 = 12;

// ---- use of force (domain brief, "Force-resistance rule") ----
/// Assumption: force is used on people next to the unit (one cell, about 25 m).
pub const ENGAGE_RADIUS_CELLS: u32 = 1;
pub const PERCEPTION_SIGMA_PNP: f64 = 0.3;
pub const PERCEPTION_SIGMA_FFAA: f64 = 0.429;
/// Brief 0.2 (prior 0.1–0.3); fitted by scripts/calibrate.py, docs/validation.md.
pub const FFAA_OVERCLASSIFY_PROBABILITY: f64 = 0.162;
/// Escalation probability is this × (1 − crowd_training): about 0.06 for
/// PNP crowd control (brief 0.05), 0.15 for patrols and crowd-trained
/// soldiers (0.10, 0.15), 0.24 for infantry (0.30); prior 0.2–0.5, fitted by scripts/calibrate.py, docs/validation.md.
pub const UNTRAINED_ESCALATION_PROBABILITY: f64 = 0.319;
pub const STRESS_ESCALATION_WEIGHT: f64 = 0.3;
/// Brief: p_no_nlw 0.2–0.8 (0.5); fitted by scripts/calibrate.py, docs/validation.md.
pub const NO_KIT_LETHAL_PROBABILITY: f64 = 0.429;
pub const PRO_OFFICER_INTERPRETATION: bool = false;
pub const AREA_EFFECTS: bool = true;
/// Assumption: a use of force is an incident, not a per-minute act; a unit
/// that has used force holds that level for a while before it uses force
/// again (it still sees, is attacked and arrests meanwhile); prior 5–30
/// minutes, fitted by scripts/calibrate.py, docs/validation.md.
pub const REASSESS_MINUTES: f64 = 17.286;

// Harm (docs/model.md §11.4): each value is the posterior median fitted
// by scripts/calibrate.py (priors from the brief, noted per value); the
// plausible ranges are in docs/validation.md.
/// Of a fully kitted unit's uses of non-lethal tactics, the share with
/// kinetic-impact projectiles; the rest are gas (**Assumption**: the PNP
/// USE open with gas and fire pellets at closer quarters).
pub const KINETIC_SHARE: f64 = 0.703;
/// Of the officers a crowd's stones and blows harm, the share killed (the
/// record: about 5 police dead to 794 police injured in 2013–19, brief §3).
pub const OFFICER_DEATH_GIVEN_INJURY: f64 = 0.006;
/// A unit without authority for lethal force fires anyway, per use of
/// force (**Assumption**, fitted by scripts/calibrate.py: prior 0.05–0.5).
pub const UNAUTHORISED_FIRE_PROBABILITY: f64 = 0.214;
/// Expected sanction for firing without a lethal threat: none. Ley 30151
/// (2014) exempts agents who cause injury or death using their weapons in
/// the course of duty, and Ley 31012 (2020) presumes they acted lawfully;
/// together they lower the expected sanction to about nothing (brief: "a
/// deterrence parameter"). The fitted unauthorised fire is the rate under it.
pub const EXPECTED_SANCTION: f64 = 0.0;
/// While a unit waits for leave to fire, it holds at non-lethal force: the
/// PNP's graduated use of force (D. Leg. 1186 art. 4; Manual de Derechos
/// Humanos aplicados a la Función Policial, RM 952-2018-IN: the least
/// harmful means that suffices). **Assumption** that the FF.AA.'s units in
/// internal order do the same (RS 003-2023-DE reproduces the graduation).
pub const AWAITING_AUTHORITY_PNP: WhileAwaiting = WhileAwaiting::Hold;
pub const AWAITING_AUTHORITY_FFAA: WhileAwaiting = WhileAwaiting::Hold;
/// A dispersal is announced and the crowd given time to leave before gas
/// or projectiles (UN Basic Principles on the Use of Force and Firearms,
/// 1990, principles 10 and 13; OHCHR Guidance on Less-Lethal Weapons in Law
/// Enforcement, 2020, §6.3; the PNP's human-rights manual, RM 952-2018-IN:
/// verbalisation before reactive force \[B\]). **Assumption**: 5 minutes,
/// the loudspeaker warning given three times.
pub const DISPERSAL_WARNING_MINUTES: f64 = 5.0;
/// Kinetic-impact projectiles: injury per person hit (brief 0.3, 0.2–0.5).
pub const KINETIC_INJURY_PROBABILITY: f64 = 0.419;
/// Aimed fire: a hit per shot at one cell (brief 0.3–0.6); each further
/// cell multiplies it by `use_of_force`'s range fall-off.
pub const LETHAL_HIT_PROBABILITY: f64 = 0.381;
/// Given a hit by a round, death (brief 0.35, 0.2–0.5).
pub const LETHAL_DEATH_GIVEN_HIT: f64 = 0.242;
/// Stones: an injury per thrower within 3 cells per minute (brief
/// 0.02–0.05 "per exposure tick" of one minute), halved by shields.
pub const STONES_INJURY_PROBABILITY: f64 = 0.038;
/// A critical patient delayed by a blockade dies (brief: excess delay over
/// 60 min gives 0.05–0.2; 11 of the 66 dead of 2022–23 were
/// blockade-related).
pub const EVACUATION_DEATH_PROBABILITY: f64 = 0.082;

// Detention: units' arrests as a process (docs/model.md, "Detention").
/// Personnel one arrest takes out of action: a pair restrains and escorts
/// (**Assumption**).
pub const ARREST_TEAM_PERSONNEL: u32 = 2;
/// Restraint, transport to the comisaría and booking, before the pair is
/// back (**Assumption**).
pub const ARREST_PROCESSING_MINUTES: f64 = 90.0;
/// Soldiers who arrest in flagrante do it as anyone may (Código Procesal
/// Penal art. 260) and must hand the person over at once to the nearest
/// police (art. 260.2; D. Leg. 1095 gives the FF.AA. no power to book or
/// hold). The team is out while it takes the detainee to the PNP and
/// signs the hand-over record (**Assumption**: 45 minutes).
pub const HANDOVER_MINUTES: f64 = 45.0;
/// Detainees a zone's police stations hold at once (**Assumption**: the
/// cells of a provincial comisaría and a holding area).
pub const HOLDING_PER_ZONE: u32 = 50;
/// How long a detainee is held before release or hand-over to the
/// prosecutor (**Assumption**: within the day in protest arrests).
pub const HOLD_HOURS: f64 = 24.0;
/// Whether a declared state of exception suspends personal liberty and
/// security (art. 2.24.f): art. 137.1 lets the decree do so and the 2022
/// national emergency did (brief); a decree suspends only what it says, so
/// the default is no.
pub const LIBERTY_SUSPENDED_IN_EMERGENCY: bool = false;
/// The longest a person arrested in flagrante may be held before being put
/// at a judge's disposal (Constitution art. 2.24.f).
pub const FLAGRANTE_LIMIT_HOURS: f64 = 48.0;
