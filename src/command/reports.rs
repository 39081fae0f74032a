//! Reports up the chains: every report tick each unit reports the sectors
//! it sees and where it is; drones feed their chain's picture. Where the
//! chains share information a copy goes across to the other picture.

use bevy_ecs::prelude::*;

use super::messages::{Hop, Message, Report, transit};
use super::{Arrangement, CommandState, CommandWrites, ticks};
use crate::base::events::{Event, EventLog};
use crate::base::rng::{Draws, Stream, Streams};
use crate::base::{AgentIndex, Clock, Position};
use crate::situation::{ReportEvery, Situation, is_report_tick};
use crate::units::Unit;

/// On report ticks every unit reports the sectors around it and where it
/// is, up its chain; drones feed their chain's picture.
pub(super) fn send_reports(
    clock: Res<Clock>,
    every: Res<ReportEvery>,
    situation: Res<Situation>,
    streams: Res<Streams>,
    index: Res<AgentIndex>,
    mut command: CommandWrites,
    units: Query<(&Unit, &Position)>,
) {
    if !is_report_tick(&clock, *every) {
        return;
    }
    let tick = clock.tick;
    let (st, log) = (&mut *command.state, &mut *command.log);
    let draws = streams.draws(Stream::Messages);
    let sectors = st.sectors;
    let observe = |s: u32| (s, situation.sector_actives[s as usize], situation.sector_road_actives[s as usize]);
    for (u, &entity) in index.units.iter().enumerate() {
        let Ok((unit, pos)) = units.get(entity) else { continue };
        // The sectors its vision reaches (its own and the eight around it).
        let own = sectors.of(pos.0);
        let (cx, cy) = (own % sectors.columns, own / sectors.columns);
        let mut seen = Vec::with_capacity(9);
        let v = unit.vision_cells;
        let (x, y) = (pos.0 % st.width, pos.0 / st.width);
        for sy in cy.saturating_sub(1)..=(cy + 1).min(sectors.rows - 1) {
            for sx in cx.saturating_sub(1)..=(cx + 1).min(sectors.columns - 1) {
                let (x0, y0) = (sx * sectors.side, sy * sectors.side);
                let (x1, y1) = (x0 + sectors.side - 1, y0 + sectors.side - 1);
                let dx = if x < x0 { x0 - x } else { x.saturating_sub(x1) };
                let dy = if y < y0 { y0 - y } else { y.saturating_sub(y1) };
                if dx <= v && dy <= v {
                    seen.push(observe(sy * sectors.columns + sx));
                }
            }
        }
        let agency = unit.agency;
        let report =
            Report { picture: agency as usize, observed_tick: tick, unit: Some((u as u32, pos.0)), sectors: seen };
        let route = st.down_to(u as u32);
        send_report(st, log, draws, tick, route, report);
    }
    for d in 0..st.spec.drones.len() {
        let drone = st.spec.drones[d].clone();
        let r2 = (drone.radius_cells as u64).pow(2);
        let seen: Vec<(u32, u32, u32)> = (0..sectors.count() as u32)
            .filter(|&s| {
                let (sx, sy) = (s % sectors.columns * sectors.side, s / sectors.columns * sectors.side);
                let (mx, my) = ((sx + sectors.side / 2) as i64, (sy + sectors.side / 2) as i64);
                let (dx, dy) = (mx - drone.at.0 as i64, my - drone.at.1 as i64);
                (dx * dx + dy * dy) as u64 <= r2
            })
            .map(observe)
            .collect();
        let report = Report { picture: drone.agency as usize, observed_tick: tick, unit: None, sectors: seen };
        send_report(st, log, draws, tick, vec![Hop::Feed], report);
    }
}

/// Sends one report up its own route (`own`) to its chain's picture and, where the chains share
/// information (liaison under a lead agency or an FF.AA. control), on to the
/// other chain's picture.
fn send_report(st: &mut CommandState, log: &mut EventLog, draws: Draws, tick: u32, own: Vec<Hop>, report: Report) {
    let id = 1 << 62 | st.next_report;
    st.next_report += 1;
    let t = transit(&st.spec, st.minutes_per_tick, &own, draws, id);
    let due = tick + ticks(t.minutes, st.minutes_per_tick).max(1);
    let shares = matches!(st.arrangement, Arrangement::PnpLead | Arrangement::FfaaControl);
    if shares && !st.spec.interoperable_radios {
        let mut across = own.clone();
        across.push(st.cross(st.spec.liaison_officers));
        let t2 = transit(&st.spec, st.minutes_per_tick, &across, draws, id);
        if !t2.losses.is_empty() {
            log.push(Event::ReportTransmissionsLost { tick, transmissions: t2.losses.len() as u32 });
        }
        if t2.delivered {
            let mut other = report.clone();
            other.picture = 1 - report.picture;
            st.queue.send(tick + ticks(t2.minutes, st.minutes_per_tick).max(1), Message::Report(other));
        }
    }
    if st.arrangement == Arrangement::Unified {
        // On to the joint post, one hop more.
        let mut to_post = own.clone();
        to_post.push(Hop::UnifiedPost);
        let t3 = transit(&st.spec, st.minutes_per_tick, &to_post, draws, id);
        if t3.delivered {
            let mut copy = report.clone();
            copy.picture = 2;
            st.queue.send(tick + ticks(t3.minutes, st.minutes_per_tick).max(1), Message::Report(copy));
        }
    }
    if t.delivered {
        st.queue.send(due, Message::Report(report));
    }
}
