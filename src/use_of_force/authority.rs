//! Step 4b of the use of force: authority for lethal force.
//!
//! Lethal force is lawful only against an imminent threat to life
//! (D. Leg. 1186 art. 8.3 for the PNP; the FF.AA.'s rules for the use of
//! force, RS 003-2023-DE, likewise): against a perceived lethal threat a
//! unit fires on its own authority (self-defence). Short of it, a unit that
//! would fire must ask its commander first (**Assumption**, after the
//! operation orders of the 2022–23 deployments, which reserved firearms to
//! the operation's commander); the request and the answer travel the chain
//! (`command`). Asked once per task. What it does while it waits, or once
//! refused, is its agency's doctrine ([`WhileAwaiting`]): hold at the most
//! it may use without firearms, unless it fires anyway
//! (`force.unauthorised_fire_probability` per use of force, an
//! unauthorised use); withdraw (no force; command pulls it back to its base
//! until leave comes); or act alone (every such use unauthorised). Under
//! humanitarian-law rules (a hostile group) the rules of engagement are the
//! authority.

use crate::base::vocabulary::{ForceAuthority, ForceLevel, Resistance, RuleSet};
use crate::scenario::WhileAwaiting;
use crate::units::{Authority, AuthorityRequest, AuthorityRequests};

use super::Duty;
use super::choice::within_arms;

/// How a unit without leave to fire behaves: its doctrine, the chance it
/// fires anyway when it holds, and its draw for that (it fires below it).
#[derive(Debug, Clone, Copy)]
pub(super) struct WithoutLeave {
    pub doctrine: WhileAwaiting,
    pub unauthorised: f64,
    pub u_act_alone: f64,
}

/// The force the unit on `duty` uses, and on whose authority, when it
/// chose `force` for `perceived` resistance under `rules`. Records a
/// request the first time it needs one on its task.
pub(super) fn authorise(
    force: ForceLevel,
    perceived: Resistance,
    rules: RuleSet,
    duty: &mut Duty,
    requests: &mut AuthorityRequests,
    without: WithoutLeave,
) -> (ForceLevel, ForceAuthority) {
    if force != ForceLevel::LethalForce || rules == RuleSet::HumanitarianLaw {
        return (force, ForceAuthority::Own);
    }
    if perceived == Resistance::LethalAggression {
        return (force, ForceAuthority::SelfDefence);
    }
    match duty.tasking.authority {
        Authority::Granted => (force, ForceAuthority::Authorised),
        asked => {
            if asked == Authority::NotAsked {
                duty.tasking.authority = Authority::Awaiting { since_tick: duty.tick };
                requests.0.push(AuthorityRequest {
                    unit: duty.id.0,
                    task_since: duty.tasking.since_tick,
                    tick: duty.tick,
                    withdraw: without.doctrine == WhileAwaiting::Withdraw,
                });
            }
            match without.doctrine {
                WhileAwaiting::Withdraw => (ForceLevel::Presence, ForceAuthority::Own),
                WhileAwaiting::ActAlone => (force, ForceAuthority::Unauthorised),
                WhileAwaiting::Hold if without.u_act_alone < without.unauthorised => {
                    (force, ForceAuthority::Unauthorised)
                }
                WhileAwaiting::Hold => (within_arms(force, false, duty.unit.non_lethal_kit), ForceAuthority::Own),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::rng::{Stream, Streams};
    use crate::scenario::{Agency, NonLethalKit, StandingTask, UnitKind};
    use crate::units::{Task, TaskKind, Tasking, Unit, UnitId};
    use crate::use_of_force::draws::UnitDraws;

    fn soldiers() -> (Unit, Tasking) {
        let unit = Unit {
            group: 0,
            agency: Agency::Ffaa,
            kind: UnitKind::FfaaInfantry,
            strength_personnel: 30,
            crowd_training: 0.2,
            non_lethal_kit: NonLethalKit::Full,
            lethal_weapons: true,
            radio_net: 0,
            speed_cells_per_tick: 5,
            vision_cells: 5,
            standing_task: StandingTask::Hold,
            patrol_radius_cells: 0,
            home: 0,
        };
        let task = Task { kind: TaskKind::GuardSite, cell: 0 };
        let tasking = Tasking {
            task,
            since_tick: 3,
            path: Vec::new(),
            stress: 0.0,
            last_force_tick: None,
            authority: Authority::NotAsked,
            warned_tick: None,
        };
        (unit, tasking)
    }

    #[test]
    fn lethal_force_short_of_a_lethal_threat_waits_for_leave() {
        use ForceLevel::*;
        use Resistance::*;
        let (mut unit, mut tasking) = soldiers();
        let draws = UnitDraws::new(Streams::new(1).draws(Stream::Force), 7, 10);
        let mut duty =
            Duty { id: UnitId(7), unit: &mut unit, tasking: &mut tasking, cell: 0, at: (0, 0), tick: 10, draws };
        let mut requests = AuthorityRequests::default();
        let hold =
            |unauthorised, u_act_alone| WithoutLeave { doctrine: WhileAwaiting::Hold, unauthorised, u_act_alone };
        let (rules, held, alone) = (RuleSet::ArmedForcesRules, hold(0.2, 0.5), hold(0.2, 0.1));
        // Below lethal force, and against a lethal threat: no one's leave.
        assert_eq!(
            authorise(NonLethalDefensiveTactics, NonLethalAggression, rules, &mut duty, &mut requests, held),
            (NonLethalDefensiveTactics, ForceAuthority::Own)
        );
        assert_eq!(
            authorise(LethalForce, LethalAggression, rules, &mut duty, &mut requests, held),
            (LethalForce, ForceAuthority::SelfDefence)
        );
        assert!(requests.0.is_empty());
        // Short of it: the unit asks once, and holds at its non-lethal kit.
        assert_eq!(
            authorise(LethalForce, NonLethalAggression, rules, &mut duty, &mut requests, held),
            (NonLethalDefensiveTactics, ForceAuthority::Own)
        );
        assert_eq!(requests.0, vec![AuthorityRequest { unit: 7, task_since: 3, tick: 10, withdraw: false }]);
        assert_eq!(duty.tasking.authority, Authority::Awaiting { since_tick: 10 });
        assert_eq!(
            authorise(LethalForce, PhysicalResistance, rules, &mut duty, &mut requests, alone),
            (LethalForce, ForceAuthority::Unauthorised),
            "acting alone"
        );
        assert_eq!(requests.0.len(), 1, "asked once per task");
        // Without the kit it holds at physical control.
        duty.unit.non_lethal_kit = NonLethalKit::None;
        duty.tasking.authority = Authority::Denied;
        assert_eq!(
            authorise(LethalForce, NonLethalAggression, rules, &mut duty, &mut requests, held),
            (PhysicalControl, ForceAuthority::Own)
        );
        duty.tasking.authority = Authority::Granted;
        assert_eq!(
            authorise(LethalForce, NonLethalAggression, rules, &mut duty, &mut requests, held),
            (LethalForce, ForceAuthority::Authorised)
        );
        // Against a hostile group the rules of engagement are the authority.
        duty.tasking.authority = Authority::NotAsked;
        assert_eq!(
            authorise(LethalForce, PhysicalResistance, RuleSet::HumanitarianLaw, &mut duty, &mut requests, held),
            (LethalForce, ForceAuthority::Own)
        );
        assert_eq!(requests.0.len(), 1);
        // The other doctrines: withdraw uses nothing and asks to be pulled
        // back; acting alone fires whatever its draw.
        for (doctrine, used, withdraw) in [
            (WhileAwaiting::Withdraw, (Presence, ForceAuthority::Own), true),
            (WhileAwaiting::ActAlone, (LethalForce, ForceAuthority::Unauthorised), false),
        ] {
            duty.tasking.authority = Authority::NotAsked;
            let without = WithoutLeave { doctrine, unauthorised: 0.0, u_act_alone: 0.9 };
            assert_eq!(authorise(LethalForce, NonLethalAggression, rules, &mut duty, &mut requests, without), used);
            assert_eq!(requests.0.last().unwrap().withdraw, withdraw, "{doctrine:?}");
        }
    }
}
