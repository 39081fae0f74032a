//! The arrangement in force: who directs whom, from `command.model` and
//! whether the FF.AA. are deployed (on a declaration, or from the start);
//! a unified post directs only once it is set up.

use bevy_ecs::prelude::*;
use serde::Serialize;

use super::orders::issue;
use super::picture::Picture;
use super::{CommandWrites, Commander, Planner};
use crate::base::rng::{Stream, Streams};
use crate::base::{AgentIndex, Clock};
use crate::grid::Grid;
use crate::law::LegalState;
use crate::scenario::{Agency, CommandModel, Deployment};
use crate::units::{Task, TaskKind};

/// Who directs whom at this moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrangement {
    /// The FF.AA. are not deployed (or wait for the command post): the PNP
    /// alone.
    PnpOnly,
    PnpLead,
    FfaaControl,
    Unified,
    Parallel,
}

impl Arrangement {
    pub(super) fn planners(self) -> &'static [Planner] {
        match self {
            Arrangement::PnpOnly | Arrangement::PnpLead => &[Planner::Pnp],
            Arrangement::FfaaControl => &[Planner::Ffaa],
            Arrangement::Unified => &[Planner::Unified],
            Arrangement::Parallel => &[Planner::Pnp, Planner::Ffaa],
        }
    }

    /// The planner that directs a unit of `agency`.
    pub fn commander(self, agency: Agency) -> Planner {
        match self {
            Arrangement::PnpOnly | Arrangement::Parallel => Planner::of(agency),
            Arrangement::PnpLead => Planner::Pnp,
            Arrangement::FfaaControl => Planner::Ffaa,
            Arrangement::Unified => Planner::Unified,
        }
    }
}

/// Deploys or stands down the FF.AA. and sets the arrangement in force.
pub(super) fn update_arrangement(
    clock: Res<Clock>,
    law: Res<LegalState>,
    grid: Res<Grid>,
    streams: Res<Streams>,
    index: Res<AgentIndex>,
    mut command: CommandWrites,
    mut commanders: Query<&mut Commander>,
) {
    let tick = clock.tick;
    let (st, log) = (&mut *command.state, &mut *command.log);
    let deploy = match st.spec.ffaa_deployment {
        Deployment::FromStart => true,
        Deployment::OnDeclaration => law.any_exception(),
    };
    let stand_down = !deploy && st.ffaa_deployed();
    if deploy && !st.ffaa_deployed() {
        st.ffaa_deployed_since = Some(tick);
    } else if stand_down {
        st.ffaa_deployed_since = None;
    }
    let cp_ready = st.ffaa_deployed_since.is_some_and(|s| tick - s >= st.setup_ticks);
    let arrangement = match (st.ffaa_deployed(), st.spec.model) {
        (false, _) => Arrangement::PnpOnly,
        (true, CommandModel::Unified) if !cp_ready => Arrangement::PnpOnly,
        (true, CommandModel::Unified) => Arrangement::Unified,
        (true, CommandModel::PnpLead) => Arrangement::PnpLead,
        (true, CommandModel::FfaaControl) => Arrangement::FfaaControl,
        (true, CommandModel::Parallel) => Arrangement::Parallel,
    };
    if arrangement != st.arrangement || tick == 1 {
        if arrangement != st.arrangement {
            st.epoch += 1;
        }
        if arrangement == Arrangement::Unified && st.arrangement != Arrangement::Unified {
            // A new joint post starts from what both chains know.
            st.pictures[2] = Picture::merged(&st.pictures[0], &st.pictures[1]);
        }
        st.arrangement = arrangement;
        // The new planners inherit the plan for the units they now direct.
        for u in 0..st.units.len() {
            let entry = st.ledgers.iter().find_map(|l| l[u]);
            for l in st.ledgers.iter_mut() {
                l[u] = None;
            }
            let p = arrangement.commander(st.units[u].agency);
            st.ledgers[p as usize][u] = entry;
            if let Ok(mut c) = commanders.get_mut(index.units[u]) {
                c.0 = p;
            }
        }
    }
    if stand_down {
        // Back to barracks, by their own chain.
        let draws = streams.draws(Stream::Messages);
        for u in 0..st.units.len() {
            if st.units[u].agency == Agency::Ffaa {
                for l in st.ledgers.iter_mut() {
                    l[u] = None;
                }
                let task = Task { kind: TaskKind::Hold, cell: st.units[u].home };
                issue(st, log, &grid, draws, tick, (Planner::Ffaa, u as u32, task, tick));
            }
        }
    }
}
