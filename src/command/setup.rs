//! Command at the start of a run: the command nodes (political level,
//! echelons of each chain, unified post, liaison), the target cell of each
//! sector, and what command knows about each unit.

use std::collections::BTreeSet;

use bevy_ecs::prelude::*;

use super::messages::{Hop, MessageQueue};
use super::picture::Picture;
use super::planning::SiteInfo;
use super::{Arrangement, CommandId, CommandNode, CommandState, Commander, Planner, Role, UnitBook, ticks};
use crate::base::AgentIndex;
use crate::grid::path::Pathfinder;
use crate::grid::{CellIndex, Grid, Terrain};
use crate::scenario::defaults as d;
use crate::scenario::{Agency, CommandModel, CommandSpec, Scenario};
use crate::situation::Situation;
use crate::units::{RadioNets, Unit, UnitId, standing_kind};

/// Builds command nodes, what command knows of the sites and units, and
/// puts every unit under the PNP's planner (the arrangement of a run's
/// first tick settles who directs whom); after `situation::setup` and the
/// units' spawning. A scenario without an operation has none of it.
pub fn setup(world: &mut World, s: &Scenario) {
    let Some(spec) = &s.command else { return };
    let minutes_per_tick = s.metadata.minutes_per_tick;
    let sites = site_infos(world, s);
    let units: Vec<Entity> = world.resource::<AgentIndex>().units.clone();
    for e in units {
        world.entity_mut(e).insert(Commander(Planner::Pnp));
    }
    let mut id = 0u32;
    let mut node = |world: &mut World, name: String, role: Role| {
        world.spawn((CommandId(id), CommandNode { name, role }));
        id += 1;
    };
    node(world, "President and Council of Ministers".into(), Role::Political);
    const PNP: [&str; 4] = ["Comandancia General", "Región/Frente Policial", "División", "Unidad"];
    const FFAA: [&str; 5] = ["CCFFAA", "Comando Operacional", "Brigada", "Batallón", "Compañía"];
    for (agency, depth, names) in
        [(Agency::Pnp, spec.pnp_echelons, &PNP[..]), (Agency::Ffaa, spec.ffaa_echelons, &FFAA[..])]
    {
        for level in 0..depth {
            let name = names.get(level as usize).map_or_else(|| format!("echelon {level}"), |n| n.to_string());
            node(world, format!("{agency:?} {name}"), Role::Echelon { agency, level });
        }
    }
    if spec.model == CommandModel::Unified {
        node(world, "Unified command post".into(), Role::UnifiedPost);
    }
    if spec.liaison_officers {
        node(world, "Liaison officers".into(), Role::Liaison);
    }

    let map_height = world.resource::<Grid>().height;
    let sectors = world.resource::<Situation>().sectors;
    let terrain = world.resource::<Terrain>();
    let targets = (0..sectors.count() as u32)
        .map(|s| {
            let c = sectors.centre(s, map_height);
            if terrain.passable(c) {
                return Some(c);
            }
            // The passable cell of the sector nearest its middle.
            let (sx, sy) = (s % sectors.columns * sectors.side, s / sectors.columns * sectors.side);
            let mut best: Option<(u32, CellIndex)> = None;
            for y in sy..(sy + sectors.side).min(terrain.height) {
                for x in sx..(sx + sectors.side).min(terrain.width) {
                    let cell = y * terrain.width + x;
                    if terrain.passable(cell) {
                        let d = terrain.manhattan(cell, c);
                        if best.is_none_or(|b| (d, cell) < b) {
                            best = Some((d, cell));
                        }
                    }
                }
            }
            best.map(|b| b.1)
        })
        .collect();
    let nets = world.resource::<RadioNets>().0.clone();
    let mut units: Vec<(UnitId, UnitBook)> = world
        .query::<(&UnitId, &Unit)>()
        .iter(world)
        .map(|(id, u)| {
            let standing = standing_kind(u.standing_task);
            let book = UnitBook {
                agency: u.agency,
                kind: u.kind,
                home: u.home,
                standing,
                link: link(spec, &nets[u.radio_net as usize], u.agency),
                latest_order: None,
                latest_issuer: None,
                initiative: false,
                seen_since: None,
                withdrawn_from: None,
                left_order: None,
            };
            (*id, book)
        })
        .collect();
    units.sort_by_key(|u| u.0);
    let n = units.len();
    let state = CommandState {
        spec: spec.clone(),
        minutes_per_tick,
        decision_every: ticks(spec.decision_interval_minutes, minutes_per_tick).max(1),
        autonomy_ticks: ticks(spec.local_autonomy_delay_minutes, minutes_per_tick),
        setup_ticks: ticks(spec.unified_setup_minutes, minutes_per_tick),
        arrangement: Arrangement::PnpOnly,
        epoch: 0,
        ffaa_deployed_since: None,
        pictures: [
            Picture::new(sectors.count(), n),
            Picture::new(sectors.count(), n),
            Picture::new(sectors.count(), n),
        ],
        ledgers: [vec![None; n], vec![None; n], vec![None; n]],
        barred: BTreeSet::new(),
        units: units.into_iter().map(|u| u.1).collect(),
        queue: MessageQueue::default(),
        next_order: 0,
        next_report: 0,
        next_authority: 0,
        sectors,
        width: world.resource::<Grid>().width,
        targets,
        sites,
        finder: Pathfinder::default(),
    };
    world.insert_resource(state);
}

/// The hop between the net of `agency`'s chain and a unit on `net`, if
/// any: none on the chain's own net or where every net interoperates, a
/// relay where `command.relays` joins the two, and otherwise no link.
fn link(spec: &CommandSpec, net: &str, agency: Agency) -> Option<Hop> {
    let chain = match agency {
        Agency::Pnp => d::PNP_NET,
        Agency::Ffaa => d::FFAA_NET,
    };
    if net == chain || spec.interoperable_radios {
        None
    } else if joined(spec, net, chain) {
        Some(Hop::Relay)
    } else {
        Some(Hop::NoLink)
    }
}

/// Whether a relay joins nets `a` and `b`.
pub(super) fn joined(spec: &CommandSpec, a: &str, b: &str) -> bool {
    spec.relays.iter().any(|(x, y)| (x == a && y == b) || (x == b && y == a))
}

/// Each site's middle cell, the sectors it spans and the actives that
/// breach it.
fn site_infos(world: &World, s: &Scenario) -> Vec<SiteInfo> {
    let sectors = world.resource::<Situation>().sectors;
    world
        .resource::<Terrain>()
        .site_cells
        .iter()
        .zip(&s.map.sites)
        .map(|(cells, site)| {
            let mut secs: Vec<u32> = cells.iter().map(|&c| sectors.of(c)).collect();
            secs.sort_unstable();
            secs.dedup();
            SiteInfo { sectors: secs, cell: cells[cells.len() / 2], breach_actives: site.breach_actives }
        })
        .collect()
}
