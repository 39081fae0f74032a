//! Command chains and the arrangement between them.
//!
//! Command nodes are entities: the political level that declares states of
//! exception, the PNP and FF.AA. echelons (as deep as the scenario says),
//! the unified command post and the liaison officers when present. Under
//! the arrangement in force ([`Arrangement`], from `command.model` and the
//! legal regime) each unit has one [`Commander`]: the planner that directs
//! it. Planners read their chain's [`picture::Picture`], built from reports
//! that travel up the chain as messages ([`messages`]), find hotspots and
//! task units ([`planning`]); orders travel down as messages too.
//!
//! Rules and sources: `docs/model.md`, "Command".

mod arrangement;
mod authority;
mod decisions;
mod initiative;
pub mod messages;
mod orders;
pub mod picture;
pub mod planning;
mod reports;
mod setup;

use std::collections::BTreeSet;

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use serde::Serialize;

use crate::base::Step;
use crate::base::events::EventLog;
use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::grid::path::Pathfinder;
use crate::grid::{CellIndex, Grid, Terrain};
use crate::law::{self, LegalState};
use crate::scenario::{Agency, CommandSpec, Regime, UnitKind};
use crate::situation::{Sectors, Zones};
use crate::units::{Task, TaskKind};
pub use arrangement::Arrangement;
pub use authority::grants;
pub use decisions::PHONE_PENALTY_CELLS;
use messages::MessageQueue;
use picture::Picture;
use planning::{Concern, SiteInfo};
pub use setup::setup;

/// Who plans: each chain's operational level, or the unified post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Planner {
    Pnp,
    Ffaa,
    Unified,
}

impl Planner {
    pub fn name(self) -> &'static str {
        match self {
            Planner::Pnp => "pnp",
            Planner::Ffaa => "ffaa",
            Planner::Unified => "unified",
        }
    }

    fn of(agency: Agency) -> Planner {
        match agency {
            Agency::Pnp => Planner::Pnp,
            Agency::Ffaa => Planner::Ffaa,
        }
    }
}

/// A command node's stable id.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommandId(pub u32);

/// What a command node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The President with the Council of Ministers: declares states of exception.
    Political,
    /// An echelon of an agency's chain, 0 at the top.
    Echelon {
        agency: Agency,
        level: u32,
    },
    UnifiedPost,
    Liaison,
}

#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct CommandNode {
    pub name: String,
    pub role: Role,
}

/// The planner that directs a unit under the arrangement in force.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commander(pub Planner);

/// What command knows about one unit.
#[derive(Debug, Clone)]
struct UnitBook {
    agency: Agency,
    kind: UnitKind,
    home: CellIndex,
    standing: TaskKind,
    /// How its chain's net reaches it: directly, by a relay, or not at all
    /// (fixed for the run).
    link: Option<messages::Hop>,
    /// The newest order delivered to it (orders are numbered as issued).
    latest_order: Option<u64>,
    /// Who sent `latest_order`.
    latest_issuer: Option<Planner>,
    /// Its current task was taken on its own initiative.
    initiative: bool,
    /// Since when it has seen a crowd while on its standing task.
    seen_since: Option<u32>,
    /// The task it fell back from to wait for leave to fire, and when that
    /// task began (the request's key).
    withdrawn_from: Option<(Task, u32)>,
    /// The ordered task it left on its own initiative, to go back to.
    left_order: Option<Task>,
}

impl Fingerprint for UnitBook {
    /// What changes: the latest order, its issuer, initiative, sightings.
    fn fingerprint(&self, h: &mut Fnv) {
        let UnitBook {
            agency: _,
            kind: _,
            home: _,
            standing: _,
            link: _,
            latest_order,
            latest_issuer,
            initiative,
            seen_since,
            withdrawn_from,
            left_order,
        } = self;
        h.flag(latest_order.is_some());
        h.u64(latest_order.unwrap_or(0));
        h.opt(latest_issuer.map(|p| p as u32));
        h.flag(*initiative);
        h.opt(*seen_since);
        h.flag(withdrawn_from.is_some());
        if let Some((task, since)) = withdrawn_from {
            task.fingerprint(h);
            h.u32(*since);
        }
        h.flag(left_order.is_some());
        if let Some(task) = left_order {
            task.fingerprint(h);
        }
    }
}

/// Whole ticks from minutes (at least one for any positive time).
fn ticks(minutes: f64, minutes_per_tick: f64) -> u32 {
    law::ticks(minutes, minutes_per_tick)
}

/// The state of command: arrangement, pictures, plans, messages in flight.
#[derive(Resource, Clone)]
pub struct CommandState {
    pub spec: CommandSpec,
    minutes_per_tick: f64,
    decision_every: u32,
    autonomy_ticks: u32,
    setup_ticks: u32,
    pub arrangement: Arrangement,
    /// Increases whenever the arrangement changes.
    pub epoch: u32,
    pub ffaa_deployed_since: Option<u32>,
    /// The PNP's, the FF.AA.'s and the unified post's.
    pictures: [Picture; 3],
    /// Per planner, per unit: the concern and task the planner gave it.
    ledgers: [Vec<Option<(Concern, TaskKind)>>; 3],
    /// (planner, unit, concern, regime there) pairs a planner no longer
    /// proposes: the law refused them, or a phone call called them off.
    barred: BTreeSet<(Planner, u32, Concern, Regime)>,
    units: Vec<UnitBook>,
    queue: MessageQueue,
    next_order: u64,
    next_report: u64,
    /// Authority requests and answers sent.
    next_authority: u64,
    sectors: Sectors,
    width: u32,
    /// A passable cell near each sector's middle (`None`: all buildings).
    targets: Vec<Option<CellIndex>>,
    sites: Vec<SiteInfo>,
    finder: Pathfinder,
}

impl Fingerprint for CommandState {
    /// The arrangement, both pictures, the planners' ledgers and bars, the
    /// units' books, the messages in flight and the order and report
    /// counters; not the settings, sectors, targets and sites (fixed for
    /// the run) nor the path finder (scratch).
    fn fingerprint(&self, h: &mut Fnv) {
        let CommandState {
            spec: _,
            minutes_per_tick: _,
            decision_every: _,
            autonomy_ticks: _,
            setup_ticks: _,
            arrangement,
            epoch,
            ffaa_deployed_since,
            pictures,
            ledgers,
            barred,
            units,
            queue,
            next_order,
            next_report,
            next_authority,
            sectors: _,
            width: _,
            targets: _,
            sites: _,
            finder: _,
        } = self;
        h.u32(*arrangement as u32);
        h.u32(*epoch);
        h.opt(*ffaa_deployed_since);
        for picture in pictures {
            picture.fingerprint(h);
        }
        for ledger in ledgers {
            h.each(ledger, |h, entry| match entry {
                None => h.u64(u64::MAX),
                Some((concern, task)) => {
                    concern.fingerprint(h);
                    h.u32(*task as u32);
                }
            });
        }
        h.count(barred.len());
        for &(planner, unit, concern, regime) in barred {
            h.u32(planner as u32);
            h.u32(unit);
            concern.fingerprint(h);
            h.u32(regime as u32);
        }
        h.each(units, |h, book| book.fingerprint(h));
        queue.fingerprint(h);
        h.u64(*next_order);
        h.u64(*next_report);
        h.u64(*next_authority);
    }
}

/// What command's systems write: its state, and the journal of what it did.
#[derive(SystemParam)]
struct CommandWrites<'w> {
    state: ResMut<'w, CommandState>,
    log: ResMut<'w, EventLog>,
}

/// The ground orders are carried out on: occupancy and terrain.
#[derive(SystemParam)]
struct Ground<'w> {
    grid: Res<'w, Grid>,
    terrain: Res<'w, Terrain>,
}

/// The law in force and the zones it is in force in.
#[derive(SystemParam)]
struct LawInForce<'w> {
    law: Res<'w, LegalState>,
    zones: Res<'w, Zones>,
}

/// Command's systems, in the order a command phase runs them.
pub fn plugin(schedule: &mut Schedule) {
    schedule.add_systems(
        (
            arrangement::update_arrangement,
            reports::send_reports,
            authority::forward_requests,
            orders::deliver_messages,
            decisions::plan_and_order,
            initiative::act_on_initiative,
        )
            .chain()
            .in_set(Step::Command),
    );
}

impl CommandState {
    pub fn minutes_per_tick(&self) -> f64 {
        self.minutes_per_tick
    }

    /// The sectors commanders' pictures and plans are made of.
    pub fn sectors(&self) -> &Sectors {
        &self.sectors
    }

    /// Reports and orders sent and not yet delivered.
    pub fn messages_in_flight(&self) -> usize {
        self.queue.in_flight()
    }

    /// Where picture `p` (0 PNP, 1 FF.AA., 2 the unified post) last had
    /// unit `u`, and when that was observed.
    pub fn last_seen(&self, p: usize, u: u32) -> Option<(CellIndex, u32)> {
        self.pictures[p].units[u as usize]
    }

    /// The picture a planner reads: the unified post its own, fed by
    /// reports one hop later than the chains'.
    fn picture_for(&self, p: Planner) -> Picture {
        if p == Planner::Unified {
            self.pictures[2].clone()
        } else if self.spec.interoperable_radios {
            Picture::merged(&self.pictures[0], &self.pictures[1])
        } else {
            self.pictures[p as usize].clone()
        }
    }

    /// Forgets every planner's task for unit `u`: its planner may task it
    /// again at its next round.
    fn untask(&mut self, u: u32) {
        for l in self.ledgers.iter_mut() {
            l[u as usize] = None;
        }
    }

    fn ffaa_deployed(&self) -> bool {
        self.ffaa_deployed_since.is_some()
    }
}

/// Regime names for summaries.
pub fn regime_name(r: Regime) -> &'static str {
    match r {
        Regime::Normal => "normal",
        Regime::EmergencySupport => "emergency_support",
        Regime::EmergencyControl => "emergency_control",
        Regime::HostileGroup => "hostile_group",
        Regime::Siege => "siege",
    }
}

#[cfg(test)]
mod tests {
    use super::messages::{Message, Report};
    use super::*;
    use crate::sim::{Sim, SimOptions};

    /// A change to command's state.
    type Change = fn(&mut CommandState);

    /// The highland protest after 90 ticks: pictures filled, orders given.
    fn operation() -> Sim {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/highland_airport_protest.ron");
        let s = crate::scenario::load_file(&path, &[]).unwrap();
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        for _ in 0..90 {
            sim.step();
        }
        sim
    }

    #[test]
    fn the_state_hash_moves_with_every_part_of_command() {
        let expected = operation().state_hash();
        let changes: [(&str, Change); 11] = [
            ("the arrangement's epoch", |st| st.epoch += 1),
            ("the FF.AA.'s deployment", |st| st.ffaa_deployed_since = Some(7)),
            ("a picture", |st| st.pictures[0].sectors[0].actives += 1),
            ("a unit's place in a picture", |st| st.pictures[1].units[0] = Some((3, 89))),
            ("a ledger", |st| st.ledgers[2][0] = Some((Concern::Sector(1), TaskKind::Disperse))),
            ("a bar", |st| {
                st.barred.insert((Planner::Ffaa, 0, Concern::Site(0), Regime::Siege));
            }),
            ("a unit's book", |st| st.units[0].initiative = !st.units[0].initiative),
            ("a unit's withdrawal", |st| {
                st.units[0].withdrawn_from = Some((Task { kind: TaskKind::GuardSite, cell: 3 }, 9))
            }),
            ("the order a unit left", |st| st.units[0].left_order = Some(Task { kind: TaskKind::Disperse, cell: 3 })),
            ("a message in flight", |st| {
                let report = Report { picture: 0, observed_tick: 90, unit: None, sectors: vec![(0, 1, 0)] };
                st.queue.send(200, Message::Report(report));
            }),
            ("the order counter", |st| st.next_order += 1),
        ];
        for (what, change) in changes {
            let mut sim = operation();
            change(&mut sim.world_mut().resource_mut::<CommandState>());
            assert_ne!(sim.state_hash(), expected, "the state hash must cover {what}");
        }
    }
}
