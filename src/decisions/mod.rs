//! Decision points while a run goes on: which have fired, and what was
//! chosen. The questions and choices are the scenario's
//! ([`crate::scenario::decisions`]); this is their state in the world, so
//! that snapshots and rewinds carry it.
//!
//! A trigger is looked at after each tick, outside the schedule (it reads
//! the clock, the operation's picture of its sites and the escalation
//! phase, and writes only this book). A decision taken after tick `t` takes
//! effect from tick `t + 1`, like any change during a run.

use bevy_ecs::prelude::*;
use serde::Serialize;

use crate::base::Clock;
use crate::metrics::escalation::Escalation;
use crate::scenario::{Decision, Scenario, Trigger};
use crate::situation::Situation;

/// Where each of the scenario's decisions stands, in the scenario's order.
#[derive(Resource, Debug, Clone, Default)]
pub struct DecisionBook(pub Vec<DecisionState>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionState {
    /// Its trigger has not fired.
    Waiting,
    /// Its trigger fired after `tick`; no choice yet.
    Due { tick: u32 },
    /// Choice `choice` was taken after `tick`.
    Taken { tick: u32, choice: usize },
}

impl DecisionBook {
    /// Decisions before the start were taken when the scenario was loaded.
    pub fn new(s: &Scenario) -> DecisionBook {
        DecisionBook(
            s.decisions
                .iter()
                .map(|d| {
                    if d.before_start() {
                        DecisionState::Taken { tick: 0, choice: d.chosen }
                    } else {
                        DecisionState::Waiting
                    }
                })
                .collect(),
        )
    }

    /// The first decision waiting for a choice.
    pub fn due(&self) -> Option<usize> {
        self.0.iter().position(|s| matches!(s, DecisionState::Due { .. }))
    }
}

/// Marks the decisions whose trigger fired by now as due; returns them.
pub fn fire_triggers(world: &mut World, decisions: &[Decision]) -> Vec<usize> {
    let tick = world.resource::<Clock>().tick;
    let fired: Vec<usize> = {
        let Some(book) = world.get_resource::<DecisionBook>() else { return Vec::new() };
        let situation = world.get_resource::<Situation>();
        let phase = world.get_resource::<Escalation>().map(|e| e.phase);
        decisions
            .iter()
            .enumerate()
            .filter(|(i, _)| book.0[*i] == DecisionState::Waiting)
            .filter(|(_, d)| match &d.trigger {
                Trigger::Tick(t) => tick >= *t,
                Trigger::SiteBreached(s) => {
                    situation.is_some_and(|x| x.site_breached.get(*s).copied().unwrap_or(false))
                }
                Trigger::Phase(p) => phase.is_some_and(|x| x.name() == p),
            })
            .map(|(i, _)| i)
            .collect()
    };
    let mut book = world.resource_mut::<DecisionBook>();
    for &i in &fired {
        book.0[i] = DecisionState::Due { tick };
    }
    fired
}

#[cfg(test)]
mod tests {
    use crate::base::vocabulary::ConflictPhase;
    use crate::scenario::decisions::PHASES;

    #[test]
    fn a_trigger_names_the_phases_the_metrics_know() {
        let names: Vec<&str> = ConflictPhase::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names, PHASES);
    }
}
