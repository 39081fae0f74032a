//! Orders and reports as messages with release times.
//!
//! An order's route is a list of hops ([`Hop`]): each echelon it passes adds
//! a log-normal delay (median by agency, domain brief: PNP 3 min, FF.AA.
//! 5 min, σ 0.5); a cross-agency hop adds a fixed 20 min, or 3 min through a
//! liaison officer; a hop between radio nets that are not interoperable
//! loses the message with a probability and it is sent again. Every draw is
//! a stateless hash of (order id, hop, attempt), so a route's timing does not
//! depend on what else happens in the tick.

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
}

impl Hop {
    pub fn is_cross_agency(self) -> bool {
        matches!(self, Hop::Cross { .. })
    }
}

/// When a message sent along a route arrives, and where it was lost on the
/// way (hop index, minutes after sending).
#[derive(Debug, Clone, PartialEq)]
pub struct Transit {
    pub minutes: f64,
    pub losses: Vec<(u32, f64)>,
}

/// The most times a message is sent again before it gets through (with the
/// validated loss probability of at most 0.95, reaching this is < 1e-9 likely).
const MAX_ATTEMPTS: u32 = 400;

/// A standard normal draw by Box–Muller from two uniform draws.
fn normal(draws: Draws, id: u64, n: u32) -> f64 {
    let u1 = 1.0 - draws.unit(id, 0, n); // in (0, 1]
    let u2 = draws.unit(id, 0, n + 1);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The timing of message `id` along `route`.
pub fn transit(spec: &CommandSpec, minutes_per_tick: f64, route: &[Hop], draws: Draws, id: u64) -> Transit {
    let mut t = Transit { minutes: 0.0, losses: Vec::new() };
    for (h, hop) in route.iter().enumerate() {
        let h = h as u32;
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
            };
            t.minutes += delay;
            let lost = matches!(hop, Hop::Cross { lossy: true, .. })
                && attempt + 1 < MAX_ATTEMPTS
                && draws.unit(id, 1, n | 2) < spec.lost_message_probability;
            if !lost {
                break;
            }
            t.losses.push((h, t.minutes));
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
    /// 0 PNP, 1 FF.AA. picture.
    pub picture: usize,
    pub observed_tick: u32,
    /// The reporting unit and its cell, if a unit.
    pub unit: Option<(u32, u32)>,
    pub sectors: Vec<(u32, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Order(Order),
    Report(Report),
    /// A transmission of an order that did not get through.
    Lost {
        order: u64,
        unit: u32,
        hop: u32,
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
            Message::Lost { order, unit, hop } => {
                h.u32(2);
                h.u64(*order);
                h.u32(*unit);
                h.u32(*hop);
            }
        }
    }
}

/// Messages by release tick, then by the order they were sent in.
#[derive(Debug, Default)]
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
        self.pending.values().filter(|m| !matches!(m, Message::Lost { .. })).count()
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
        let s = spec(&[]);
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
    fn lossy_hops_resend_and_liaison_is_faster() {
        let s = spec(&[("lost_message_probability", "0.5"), ("echelon_delay_sigma", "0.0")]);
        let draws = Streams::new(9).draws(Stream::Messages);
        let route = [Hop::Cross { liaison: false, lossy: true }];
        let mut lost = 0;
        for id in 0..2000 {
            let t = transit(&s, 1.0, &route, draws, id);
            assert_eq!(t.minutes, 20.0 * (1 + t.losses.len()) as f64, "each loss costs one more send");
            lost += t.losses.len();
        }
        // Geometric: expected losses per message p/(1-p) = 1.
        assert!((lost as f64 / 2000.0 - 1.0).abs() < 0.15, "{lost}");
        let liaison = transit(&s, 1.0, &[Hop::Cross { liaison: true, lossy: false }], draws, 1);
        assert_eq!(liaison, Transit { minutes: 3.0, losses: Vec::new() });
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
