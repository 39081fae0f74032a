//! The tick: its phases in order and the named steps inside them where
//! systems of several domains must follow one another.
//!
//! *Pattern:* a domain puts each system in a [`Phase`] and, where its order
//! against another domain's system matters, in a [`Step`]; the order of the
//! steps is written here, once. *Reasoning:* a domain never names another
//! domain's system to order itself, so ordering adds no import between
//! domains, and the whole order of a tick reads in one place.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor};

/// The phases of a tick, in order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Scheduled changes take effect.
    Inject,
    /// Build what agents see (spatial counts).
    Sense,
    /// Civilians decide whether to rebel.
    Decide,
    /// The law, reports, commanders' plans and orders (scenarios with
    /// security units).
    Command,
    /// Officers arrest (and, in sequential activation, every turn).
    Act,
    /// Agents move.
    Move,
    /// Jail terms run and end.
    Resolve,
    /// Counts for the outputs.
    Record,
    /// Housekeeping that changes no outcome (storage order).
    Maintain,
}

impl Phase {
    /// Every phase, in the order a tick runs them.
    pub const ALL: [Phase; 9] = [
        Phase::Inject,
        Phase::Sense,
        Phase::Decide,
        Phase::Command,
        Phase::Act,
        Phase::Move,
        Phase::Resolve,
        Phase::Record,
        Phase::Maintain,
    ];

    /// Its name in lower case, as the timings print it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Inject => "inject",
            Phase::Sense => "sense",
            Phase::Decide => "decide",
            Phase::Command => "command",
            Phase::Act => "act",
            Phase::Move => "move",
            Phase::Resolve => "resolve",
            Phase::Record => "record",
            Phase::Maintain => "maintain",
        }
    }
}

#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tick;

/// Steps inside a phase that more than one domain takes part in, in the
/// order they run. A system in no step runs anywhere in its phase that its
/// data allows (ambiguity detection refuses two unordered systems that
/// touch the same data).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Inject: the clock moves on.
    AdvanceClock,
    /// Inject: the scenario's scheduled changes take effect.
    ApplyChanges,
    /// Inject: what follows from the changes and the clock (the crowd's mood).
    AfterChanges,
    /// Command: the true situation is taken (report ticks).
    TakeSituation,
    /// Command: the legal regimes are updated.
    UpdateLaw,
    /// Command: the arrangement, reports, orders and initiative.
    Command,
    /// Command: what the command phase left is counted.
    CountCommand,
    /// Act: the crowd engine's turns (civilians decide, officers arrest).
    CrowdActs,
    /// Act: units use force.
    UseForce,
    /// Act: units arrest.
    UnitsArrest,
    /// Move: the crowd engine's moves.
    CrowdMoves,
    /// Move: units walk.
    UnitsMove,
}

impl Step {
    /// The steps of each phase, in order.
    pub const ORDER: [(Phase, &'static [Step]); 4] = [
        (Phase::Inject, &[Step::AdvanceClock, Step::ApplyChanges, Step::AfterChanges]),
        (Phase::Command, &[Step::TakeSituation, Step::UpdateLaw, Step::Command, Step::CountCommand]),
        (Phase::Act, &[Step::CrowdActs, Step::UseForce, Step::UnitsArrest]),
        (Phase::Move, &[Step::CrowdMoves, Step::UnitsMove]),
    ];
}

/// An empty tick: the phases in order, the single-threaded executor, and
/// ambiguity detection set to error.
pub fn tick_schedule() -> Schedule {
    let mut schedule = Schedule::new(Tick);
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.set_build_settings(ScheduleBuildSettings { ambiguity_detection: LogLevel::Error, ..Default::default() });
    for pair in Phase::ALL.windows(2) {
        schedule.configure_sets(pair[0].before(pair[1]));
    }
    for (phase, steps) in Step::ORDER {
        for &step in steps {
            schedule.configure_sets(step.in_set(phase));
        }
        for pair in steps.windows(2) {
            schedule.configure_sets(pair[0].before(pair[1]));
        }
    }
    schedule
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Resource, Default)]
    struct Counter(u32);

    fn bump(mut c: ResMut<Counter>) {
        c.0 += 1;
    }

    fn bump_again(mut c: ResMut<Counter>) {
        c.0 += 2;
    }

    #[test]
    fn two_unordered_systems_writing_the_same_data_do_not_build() {
        let mut world = World::new();
        world.init_resource::<Counter>();
        let mut schedule = tick_schedule();
        schedule.add_systems((bump.in_set(Phase::Act), bump_again.in_set(Phase::Act)));
        assert!(schedule.initialize(&mut world).is_err(), "ambiguity must be an error");
        let mut ordered = tick_schedule();
        ordered.add_systems((bump.in_set(Phase::Act), bump_again.in_set(Phase::Move)));
        assert!(ordered.initialize(&mut world).is_ok());
        ordered.run(&mut world);
        assert_eq!(world.resource::<Counter>().0, 3);
    }
}
