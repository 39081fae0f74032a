//! `map.json`: what a run's map shows in `mando report` — the ground, where
//! the crowd was active (over the run and at chosen moments) and where each
//! unit went. Where force was used comes from `events.jsonl`, which already
//! names the cell.
//!
//! Recorded only when a run writes outputs: one pass over the civilians and
//! units a tick, outside the simulation's systems.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use super::escalation::Escalation;
use crate::base::CurrentTunables;
use crate::base::Position;
use crate::civilians::{CivilianId, Condition};
use crate::command::Commander;
use crate::crowd::CrowdMood;
use crate::grid::terrain::Ground;
use crate::grid::{Grid, Terrain};
use crate::scenario::Scenario;
use crate::units::UnitId;

/// The content of `map.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapFile {
    pub width: u32,
    pub height: u32,
    /// Rows top to bottom, a character a cell: `.` open, `=` road, `#`
    /// building, `B` base, `0`–`9` then `a`–`z` the sites in order.
    pub ground: Vec<String>,
    pub sites: Vec<SiteName>,
    /// Per cell (row-major): ticks an active civilian stood there.
    pub activity: Vec<u32>,
    /// Where the actives stood at chosen moments: the peak and the end of
    /// each quarter of the run.
    pub moments: Vec<Moment>,
    /// Per unit (by id): `[tick, x, y]` each time it moved, from tick 0.
    pub tracks: BTreeMap<u32, Vec<[u32; 3]>>,
    /// Per unit (by id): the planner that directs it (`pnp`, `ffaa`,
    /// `unified`) from each tick it changed, from tick 0.
    pub commanders: BTreeMap<u32, Vec<(u32, String)>>,
    /// Per tick from 0: the legitimacy the living civilians grant, their
    /// mean (the scenario's value moved by backlash, `docs/model.md` §11.5).
    pub mean_legitimacy: Vec<f32>,
    /// Per tick from 0: shared identity against the police, mean over the
    /// crowd's sectors (empty without crowd dynamics).
    pub mean_identity: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteName {
    pub symbol: char,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moment {
    pub tick: u32,
    /// "peak" or "quarter".
    pub label: String,
    /// Cells (row-major index) with an active civilian, ascending.
    pub active_cells: Vec<u32>,
}

/// The character site `i` is drawn with in [`MapFile::ground`] (the
/// scenario's own symbols may clash with the ground's).
fn site_mark(i: usize) -> char {
    char::from_digit(i as u32, 36).unwrap_or('?')
}

/// The ground as [`MapFile::ground`] writes it.
pub fn ground_rows(terrain: &Terrain, width: u32, height: u32) -> Vec<String> {
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| match terrain.ground(y * width + x) {
                    Ground::Open => '.',
                    Ground::Road => '=',
                    Ground::Building => '#',
                    Ground::Base => 'B',
                    Ground::Site(i) => site_mark(i as usize),
                })
                .collect()
        })
        .collect()
}

/// Builds a [`MapFile`] tick by tick.
pub struct MapRecorder {
    file: MapFile,
    quarters: Vec<u32>,
    peak: Option<Moment>,
    civilians: QueryState<(&'static CivilianId, &'static Position, &'static Condition)>,
    units: QueryState<(&'static UnitId, &'static Position, Option<&'static Commander>)>,
}

impl MapRecorder {
    pub fn new(world: &mut World, scenario: &Scenario) -> MapRecorder {
        let (width, height) = (scenario.map.width_cells, scenario.map.height_cells);
        let ground = ground_rows(world.resource::<Terrain>(), width, height);
        let sites = scenario
            .map
            .sites
            .iter()
            .enumerate()
            .map(|(i, s)| SiteName { symbol: site_mark(i), name: s.name.clone() })
            .collect();
        let ticks = scenario.metadata.ticks;
        let mut quarters: Vec<u32> = (1..=4).map(|q| ticks * q / 4).filter(|&t| t > 0).collect();
        quarters.dedup();
        let mut recorder = MapRecorder {
            file: MapFile {
                width,
                height,
                ground,
                sites,
                activity: vec![0; (width * height) as usize],
                moments: Vec::new(),
                tracks: BTreeMap::new(),
                commanders: BTreeMap::new(),
                mean_legitimacy: Vec::new(),
                mean_identity: Vec::new(),
            },
            quarters,
            peak: None,
            civilians: world.query(),
            units: world.query(),
        };
        recorder.record(world, 0);
        recorder
    }

    /// Reads where everyone stands after `tick`.
    pub fn record(&mut self, world: &World, tick: u32) {
        let grid = world.resource::<Grid>();
        let mut active: Vec<u32> = self
            .civilians
            .iter(world)
            .filter(|(_, _, c)| matches!(c, Condition::Active))
            .map(|(_, p, _)| p.0)
            .collect();
        // The escalation metrics' mean (summed by sector, so independent of
        // storage order), first taken after tick 0; the scenario's value
        // before then and for a pure crowd model.
        let legitimacy = match world.get_resource::<Escalation>() {
            Some(e) if tick > 0 && world.get_resource::<CrowdMood>().is_some() => e.mean_legitimacy,
            _ => world.resource::<CurrentTunables>().0.legitimacy,
        };
        self.file.mean_legitimacy.push(legitimacy as f32);
        if let Some(crowd) = world.get_resource::<CrowdMood>()
            && !crowd.identity.is_empty()
        {
            let mean = crowd.identity.iter().map(|&x| x as f64).sum::<f64>() / crowd.identity.len() as f64;
            self.file.mean_identity.push(mean as f32);
        }
        active.sort_unstable();
        for &c in &active {
            self.file.activity[c as usize] += 1;
        }
        if self.peak.as_ref().is_none_or(|p| active.len() > p.active_cells.len()) {
            self.peak = Some(Moment { tick, label: "peak".into(), active_cells: active.clone() });
        }
        if self.quarters.contains(&tick) {
            self.file.moments.push(Moment { tick, label: "quarter".into(), active_cells: active });
        }
        for (id, pos, commander) in self.units.iter(world) {
            let (x, y) = grid.xy(pos.0);
            let track = self.file.tracks.entry(id.0).or_default();
            if track.last().is_none_or(|&[_, lx, ly]| (lx, ly) != (x, y)) {
                track.push([tick, x, y]);
            }
            if let Some(Commander(planner)) = commander {
                let chain = self.file.commanders.entry(id.0).or_default();
                if chain.last().is_none_or(|(_, p)| p != planner.name()) {
                    chain.push((tick, planner.name().to_string()));
                }
            }
        }
    }

    pub fn finish(mut self) -> MapFile {
        if let Some(peak) = self.peak.take() {
            self.file.moments.push(peak);
        }
        self.file.moments.sort_by_key(|m| m.tick);
        self.file
    }
}
