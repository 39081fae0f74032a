//! Orders and reports as messages with release times.
//!
//! An order's route is a list of hops ([`Hop`]): each echelon it passes adds
//! a log-normal delay (median by agency, domain brief: PNP 3 min, FF.AA.
//! 5 min, σ 0.5); a cross-agency hop adds a fixed 20 min, or 3 min through a
//! liaison officer. Each hop may lose the message (brief: 0.03 on one net,
//! `command.lost_message_probability` between nets that do not
//! interoperate); a lost message is sent again, costing the hop's delay
//! once more, up to `command.retransmissions` times, after which the sender
//! gives it up and it never arrives. A unit on a radio net other than its
//! chain's is reached only through a relay ([`Hop::Relay`]) or where the
//! nets interoperate; otherwise never ([`Hop::NoLink`]). Every draw is a stateless hash of
//! (message id, hop, attempt), so a route's timing does not depend on what
//! else happens in the tick.

use std::collections::BTreeMap;

use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::base::rng::Draws;
use crate::scenario::{Agency, CommandSpec};
use crate::units::Task;

use super::Planner;

/// One leg of a message's route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Hop {
    /// Through one echelon of an agency's chain.
    Echelon(Agency),
    /// From one agency's chain to the other's, by a liaison officer or not;
    /// `lossy` where the radio nets are not interoperable.
    Cross { liaison: bool, lossy: bool },
    /// Through the unified command post.
    UnifiedPost,
    /// The PNP acting on an FF.AA. order late.
    Compliance,
    /// A drone's feed: one tick.
    Feed,
    /// Between a chain's net and a unit on another net joined to it by a
    /// relay.
    Relay,
    /// Between a chain's net and a unit on another net that nothing joins
    /// to it: every call goes unanswered.
    NoLink,
}

impl Hop {
    pub fn is_cross_agency(self) -> bool {
        matches!(self, Hop::Cross { .. })
    }
}

/// When a message sent along a route arrives (or, if it never does, when
/// the sender gave it up), and where it was lost on the way (hop index,
/// minutes after sending).
#[derive(Debug, Clone, PartialEq)]
pub struct Transit {
    pub minutes: f64,
    pub losses: Vec<(u32, f64)>,
    /// Whether it got through within the retransmissions allowed.
    pub delivered: bool,
}

/// A standard normal draw by Box–Muller from two uniform draws.
fn normal(draws: Draws, id: u64, n: u32) -> f64 {
    let u1 = 1.0 - draws.unit(id, 0, n); // in (0, 1]
    let u2 = draws.unit(id, 0, n + 1);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The chance a hop loses a message.
fn loss_probability(spec: &CommandSpec, hop: Hop) -> f64 {
    match hop {
        Hop::Cross { lossy: true, .. } => spec.lost_message_probability,
        Hop::Echelon(_) | Hop::Cross { .. } | Hop::UnifiedPost | Hop::Relay => spec.same_net_loss_probability,
        Hop::NoLink => 1.0,
        // Acting late is not a transmission; a drone's feed is a data link.
        Hop::Compliance | Hop::Feed => 0.0,
    }
}

/// The timing of message `id` along `route`.
pub fn transit(spec: &CommandSpec, minutes_per_tick: f64, route: &[Hop], draws: Draws, id: u64) -> Transit {
    let mut t = Transit { minutes: 0.0, losses: Vec::new(), delivered: true };
    for (h, hop) in route.iter().enumerate() {
        let h = h as u32;
        let p = loss_probability(spec, *hop);
        let mut attempt = 0;
        loop {
            let n = (h << 16) | (attempt << 2);
            let delay = match *hop {
                Hop::Echelon(a) => {
                    let median = match a {
                        Agency::Pnp => spec.pnp_echelon_delay_median_minutes,
                        Agency::Ffaa => spec.ffaa_echelon_delay_median_minutes,
                    };
                    median * (spec.echelon_delay_sigma * normal(draws, id, n)).exp()
                }
                Hop::Cross { liaison: true, .. } => spec.liaison_delay_minutes,
                Hop::Cross { liaison: false, .. } => spec.cross_agency_delay_minutes,
                Hop::UnifiedPost => spec.unified_hop_minutes,
                Hop::Compliance => spec.pnp_compliance_delay_minutes,
                Hop::Feed => minutes_per_tick,
                Hop::Relay => spec.relay_delay_minutes,
                // A call on the wrong net fails at once.
                Hop::NoLink => minutes_per_tick,
            };
            t.minutes += delay;
            if p == 0.0 || draws.unit(id, 1, n | 2) >= p {
                break;
            }
            t.losses.push((h, t.minutes));
            if attempt == spec.retransmissions {
                t.delivered = false;
                return t;
            }
            attempt += 1;
        }
    }
    t
}

/// An order on its way to a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: u64,
    pub issuer: Planner,
    pub unit: u32,
    pub task: Task,
    pub issued_tick: u32,
    pub minutes: f64,
    pub cross_agency_hops: u32,
    /// When the picture entry that prompted the order was observed.
    pub observed_tick: u32,
    /// The arrangement in force when it was issued.
    pub epoch: u32,
}

/// What a unit or drone saw: (sector, actives, actives on roads).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// 0 PNP, 1 FF.AA., 2 the unified post's picture.
    pub picture: usize,
    pub observed_tick: u32,
    /// The reporting unit and its cell, if a unit.
    pub unit: Option<(u32, u32)>,
    pub sectors: Vec<(u32, u32, u32)>,
}

/// A unit's request for leave to use lethal force, or its answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuthorityMessage {
    pub unit: u32,
    /// The tick the unit's task began: an answer to an earlier task is void.
    pub task_since: u32,
    pub requested_tick: u32,
    /// The planner asked (who answers).
    pub planner: Planner,
    /// In an answer: granted or refused.
    pub granted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Order(Order),
    Report(Report),
    /// Up the chain to the planner.
    AuthorityRequest(AuthorityMessage),
    /// Down the chain to the unit.
    AuthorityAnswer(AuthorityMessage),
    /// A transmission of an order that did not get through.
    Lost {
        order: u64,
        unit: u32,
        hop: u32,
    },
    /// The issuer gave up an order after its last retransmission was lost
    /// (no acknowledgement came): the unit never gets it.
    Dropped {
        order: u64,
        unit: u32,
        issuer: Planner,
    },
}

impl Fingerprint for Message {
    fn fingerprint(&self, h: &mut Fnv) {
        match self {
            Message::Order(o) => {
                let Order { id, issuer, unit, task, issued_tick, minutes, cross_agency_hops, observed_tick, epoch } = o;
                h.u32(0);
                h.u64(*id);
                h.u32(*issuer as u32);
                h.u32(*unit);
                task.fingerprint(h);
                h.u32(*issued_tick);
                h.f64(*minutes);
                h.u32(*cross_agency_hops);
                h.u32(*observed_tick);
                h.u32(*epoch);
            }
            Message::Report(r) => {
                let Report { picture, observed_tick, unit, sectors } = r;
                h.u32(1);
                h.count(*picture);
                h.u32(*observed_tick);
                h.opt(unit.map(|(u, _)| u));
                h.opt(unit.map(|(_, cell)| cell));
                h.each(sectors, |h, &(sector, actives, road_actives)| {
                    h.u32(sector);
                    h.u32(actives);
                    h.u32(road_actives);
                });
            }
            Message::AuthorityRequest(a) | Message::AuthorityAnswer(a) => {
                let AuthorityMessage { unit, task_since, requested_tick, planner, granted } = *a;
                h.u32(if matches!(self, Message::AuthorityRequest(_)) { 3 } else { 4 });
                h.u32(unit);
                h.u32(task_since);
                h.u32(requested_tick);
                h.u32(planner as u32);
                h.flag(granted);
            }
            Message::Lost { order, unit, hop } => {
                h.u32(2);
                h.u64(*order);
                h.u32(*unit);
                h.u32(*hop);
            }
            Message::Dropped { order, unit, issuer } => {
                h.u32(5);
                h.u64(*order);
                h.u32(*unit);
                h.u32(*issuer as u32);
            }
        }
    }
}

/// Messages by release tick, then by the order they were sent in.
#[derive(Debug, Default, Clone)]
pub struct MessageQueue {
    pending: BTreeMap<(u32, u64), Message>,
    sent: u64,
}

impl MessageQueue {
    pub fn send(&mut self, release_tick: u32, m: Message) {
        self.pending.insert((release_tick, self.sent), m);
        self.sent += 1;
    }

    /// The next message due at or before `tick`.
    pub fn next_due(&mut self, tick: u32) -> Option<Message> {
        let (&key, _) = self.pending.first_key_value()?;
        if key.0 > tick {
            return None;
        }
        self.pending.remove(&key)
    }

    /// Orders and reports sent and not yet arrived (not loss markers).
    pub fn in_flight(&self) -> usize {
        self.pending.values().filter(|m| !matches!(m, Message::Lost { .. } | Message::Dropped { .. })).count()
    }
}

impl Fingerprint for MessageQueue {
    /// Every message not yet released, in release order, and how many
    /// have been sent.
    fn fingerprint(&self, h: &mut Fnv) {
        h.count(self.pending.len());
        for (&(release_tick, n), m) in &self.pending {
            h.u32(release_tick);
            h.u64(n);
            m.fingerprint(h);
        }
        h.u64(self.sent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::rng::{Stream, Streams};
    use crate::scenario::load_str;

    fn spec(sets: &[(&str, &str)]) -> CommandSpec {
        let mut text = String::from(
            "Scenario(metadata: (name: \"t\"), map: (width_cells: 20, height_cells: 20), civilians: (count: 1), command: (",
        );
        for (k, v) in sets {
            text.push_str(&format!("{k}: {v},"));
        }
        text.push_str("))");
        load_str("t", &text, &[]).unwrap().command.unwrap()
    }

    #[test]
    fn echelon_delays_have_the_documented_median() {
        let s = spec(&[("same_net_loss_probability", "0.0")]);
        let draws = Streams::new(3).draws(Stream::Messages);
        let mut d: Vec<f64> =
            (0..4001).map(|id| transit(&s, 1.0, &[Hop::Echelon(Agency::Ffaa)], draws, id).minutes).collect();
        d.sort_by(f64::total_cmp);
        let median = d[2000];
        assert!((median - 5.0).abs() < 0.25, "median {median}");
        // σ = 0.5: the 84th percentile sits at median·e^0.5.
        let p84 = d[(0.8413 * 4000.0) as usize];
        assert!((p84 / median - 0.5f64.exp()).abs() < 0.1, "p84/median {}", p84 / median);
    }

    #[test]
    fn lossy_hops_resend_up_to_the_budget_and_liaison_is_faster() {
        let s = spec(&[("lost_message_probability", "0.5"), ("echelon_delay_sigma", "0.0")]);
        let draws = Streams::new(9).draws(Stream::Messages);
        let route = [Hop::Cross { liaison: false, lossy: true }];
        let mut lost = 0;
        let mut given_up = 0;
        for id in 0..2000 {
            let t = transit(&s, 1.0, &route, draws, id);
            assert_eq!(t.minutes, 20.0 * (1 + t.losses.len().min(2)) as f64, "each loss costs one more send");
            lost += t.losses.len();
            given_up += !t.delivered as usize;
            assert_eq!(t.delivered, t.losses.len() < 3, "given up after the third loss");
        }
        // Losses per message: 0.5 + 0.25 + 0.125 = 0.875; given up 1/8.
        assert!((lost as f64 / 2000.0 - 0.875).abs() < 0.1, "{lost}");
        assert!((given_up as f64 / 2000.0 - 0.125).abs() < 0.03, "{given_up}");
        let s = spec(&[("same_net_loss_probability", "0.0")]);
        let liaison = transit(&s, 1.0, &[Hop::Cross { liaison: true, lossy: false }], draws, 1);
        assert_eq!(liaison, Transit { minutes: 3.0, losses: Vec::new(), delivered: true });
    }

    #[test]
    fn a_unit_on_an_unjoined_net_is_never_reached_and_a_relay_adds_its_hop() {
        let s = spec(&[("same_net_loss_probability", "0.0"), ("echelon_delay_sigma", "0.0"), ("retransmissions", "5")]);
        let draws = Streams::new(4).draws(Stream::Messages);
        for id in 0..500 {
            let t = transit(&s, 1.0, &[Hop::Echelon(Agency::Pnp), Hop::NoLink], draws, id);
            assert!(!t.delivered, "message {id} crossed to a net nothing joins");
            assert_eq!(t.losses.len(), 6, "the call and its five repeats all fail");
        }
        let t = transit(&s, 1.0, &[Hop::Echelon(Agency::Pnp), Hop::Relay], draws, 1);
        assert_eq!(t, Transit { minutes: 3.0 + 2.0, losses: Vec::new(), delivered: true });
    }

    #[test]
    fn the_queue_releases_in_tick_then_send_order() {
        let mut q = MessageQueue::default();
        q.send(5, Message::Lost { order: 1, unit: 0, hop: 0 });
        q.send(3, Message::Lost { order: 2, unit: 0, hop: 0 });
        q.send(3, Message::Lost { order: 3, unit: 0, hop: 0 });
        assert!(q.next_due(2).is_none());
        let got: Vec<u64> = std::iter::from_fn(|| q.next_due(5))
            .map(|m| match m {
                Message::Lost { order, .. } => order,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(got, vec![2, 3, 1]);
    }
}
