//! A dispersal is announced before it starts (`force.dispersal_warning_minutes`;
//! UN Basic Principles on the Use of Force and Firearms, principles 10 and
//! 13; OHCHR Guidance on Less-Lethal Weapons, §6.3; sources in
//! `docs/model.md` §10.9). The first time a unit on `disperse` would use gas
//! or projectiles on its task, short of a perceived lethal threat, it warns
//! instead: those around it who are not resisting take the warning and
//! leave, and the unit holds at physical control until the warning's time
//! is up. A perceived lethal threat is answered at once.

use crate::base::vocabulary::{ForceLevel, Resistance};
use crate::units::{TaskKind, Tasking};

/// What the warning rule makes of the force a unit chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Warning {
    /// No warning bears on it: the force stands.
    None,
    /// The unit warns now, holding at physical control; gas and
    /// projectiles wait until `until_tick`.
    Given { until_tick: u32 },
    /// Warned, and still giving the crowd its time: physical control.
    Waiting,
}

/// The warning that bears on `force` (already within the task's ceiling)
/// against a target perceived at `perceived`, for a unit on `tasking` at
/// `tick`, with `warning_ticks` from the warning to scattering force (0: no
/// warning). Marks the task warned when the warning is given.
pub(super) fn before_dispersal(
    force: ForceLevel,
    perceived: Resistance,
    tasking: &mut Tasking,
    tick: u32,
    warning_ticks: u32,
) -> Warning {
    let scattering = force >= ForceLevel::NonLethalDefensiveTactics && perceived < Resistance::LethalAggression;
    if warning_ticks == 0 || tasking.task.kind != TaskKind::Disperse || !scattering {
        return Warning::None;
    }
    match tasking.warned_tick {
        None => {
            tasking.warned_tick = Some(tick);
            Warning::Given { until_tick: tick + warning_ticks }
        }
        Some(t) if tick < t + warning_ticks => Warning::Waiting,
        Some(_) => Warning::None,
    }
}

impl Warning {
    /// The force the unit uses under this warning.
    pub(super) fn cap(self, force: ForceLevel) -> ForceLevel {
        match self {
            Warning::None => force,
            Warning::Given { .. } | Warning::Waiting => force.min(ForceLevel::PhysicalControl),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{Authority, Task};
    use ForceLevel::*;
    use Resistance::*;

    fn on(kind: TaskKind) -> Tasking {
        Tasking {
            task: Task { kind, cell: 0 },
            since_tick: 0,
            path: Vec::new(),
            stress: 0.0,
            last_force_tick: None,
            authority: Authority::NotAsked,
            warned_tick: None,
        }
    }

    #[test]
    fn a_dispersal_is_announced_once_and_gas_waits_for_the_warnings_time() {
        let mut t = on(TaskKind::Disperse);
        let w = before_dispersal(NonLethalDefensiveTactics, NonLethalAggression, &mut t, 10, 5);
        assert_eq!(w, Warning::Given { until_tick: 15 });
        assert_eq!(w.cap(NonLethalDefensiveTactics), PhysicalControl);
        assert_eq!(t.warned_tick, Some(10));
        for tick in 11..15 {
            assert_eq!(
                before_dispersal(NonLethalDefensiveTactics, NonLethalAggression, &mut t, tick, 5),
                Warning::Waiting
            );
        }
        assert_eq!(before_dispersal(NonLethalDefensiveTactics, NonLethalAggression, &mut t, 15, 5), Warning::None);
        assert_eq!(t.warned_tick, Some(10), "once per task");
    }

    #[test]
    fn no_warning_against_a_lethal_threat_below_gas_off_dispersal_or_when_set_to_zero() {
        let cases = [
            (TaskKind::Disperse, LethalForce, LethalAggression, 5),
            (TaskKind::Disperse, PhysicalControl, PhysicalResistance, 5),
            (TaskKind::GuardSite, NonLethalDefensiveTactics, NonLethalAggression, 5),
            (TaskKind::Disperse, NonLethalDefensiveTactics, NonLethalAggression, 0),
        ];
        for (kind, force, perceived, ticks) in cases {
            let mut t = on(kind);
            assert_eq!(before_dispersal(force, perceived, &mut t, 3, ticks), Warning::None, "{kind:?} {force:?}");
            assert_eq!(t.warned_tick, None);
        }
    }
}
