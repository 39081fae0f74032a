//! Authority over lethal force (issue 19, item 3): short of a perceived
//! lethal threat, a unit asks its commander before it fires; the answer
//! follows the commander's doctrine and takes the chain's time; a unit
//! that fires without it is an unauthorised use.

use mando::base::events::Event;
use mando::sim::{Sim, SimOptions};
use mando::use_of_force::{ForceAuthority, ForceLevel, Resistance, RuleSet};

use crate::common::*;

/// The events of a whole run of the mining blockade with `sets`.
fn events(sets: &[&str], seed: u64) -> Vec<Event> {
    let seed = format!("metadata.seed={seed}");
    let mut all = sets.to_vec();
    all.push(&seed);
    let s = shipped("mining_corridor_blockade.ron", &all);
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    let mut out = Vec::new();
    while !sim.is_finished() {
        sim.step();
        out.extend(sim.drain_events());
    }
    out
}

/// Lethal uses of force by their authority.
fn lethal_by_authority(events: &[Event]) -> std::collections::BTreeMap<ForceAuthority, u32> {
    let mut by = std::collections::BTreeMap::new();
    for e in events {
        if let Event::UseOfForce { force: ForceLevel::LethalForce, authority, perceived_resistance, rule_set, .. } = *e
        {
            if authority == ForceAuthority::SelfDefence {
                assert_eq!(perceived_resistance, Resistance::LethalAggression, "self-defence answers a lethal threat");
            }
            if authority == ForceAuthority::Own {
                assert_eq!(rule_set, RuleSet::HumanitarianLaw, "lethal force on its own only under humanitarian law");
            }
            *by.entry(authority).or_default() += 1;
        }
    }
    by
}

#[test]
fn without_leave_a_unit_fires_only_in_self_defence_or_when_it_acts_alone() {
    let (mut disciplined, mut reckless, mut requests) = (Default::default(), Default::default(), 0);
    for seed in [1, 2] {
        let e = events(&["force.unauthorised_fire_probability=0"], seed);
        requests += e.iter().filter(|e| matches!(e, Event::AuthorityRequested { .. })).count();
        disciplined = merge(disciplined, lethal_by_authority(&e));
        reckless = merge(reckless, lethal_by_authority(&events(&["force.unauthorised_fire_probability=1"], seed)));
    }
    assert!(requests > 0, "units must ask for the test to mean anything");
    assert_eq!(disciplined.get(&ForceAuthority::Unauthorised), None, "{disciplined:?}");
    assert!(reckless.get(&ForceAuthority::Unauthorised).copied().unwrap_or(0) > 0, "{reckless:?}");
    // Not asserted: more lethal uses in all. Units that fire at will scatter
    // and kill sooner and then meet fewer threats they fire at in
    // self-defence (2 seeds: 86 + 51 against 137).
}

fn merge(
    mut a: std::collections::BTreeMap<ForceAuthority, u32>,
    b: std::collections::BTreeMap<ForceAuthority, u32>,
) -> std::collections::BTreeMap<ForceAuthority, u32> {
    for (k, v) in b {
        *a.entry(k).or_default() += v;
    }
    a
}

#[test]
fn the_ffaa_command_lets_site_guards_fire_and_the_pnp_never_does() {
    let (mut granted, mut refused, mut latencies) = ([0u32; 2], [0u32; 2], Vec::new());
    for (m, model) in ["pnp_lead", "ffaa_control"].into_iter().enumerate() {
        for seed in [1, 2] {
            let set = format!("command.model={model}");
            for e in events(&[&set], seed) {
                if let Event::AuthorityAnswered { granted: g, by, latency_minutes, .. } = e {
                    if g {
                        granted[m] += 1;
                        assert_eq!(by, "ffaa", "only the FF.AA. command grants outside a hostile-group regime");
                    } else {
                        refused[m] += 1;
                    }
                    latencies.push(latency_minutes);
                }
            }
        }
    }
    assert_eq!(granted[0], 0, "under PNP lead nobody may fire short of a lethal threat");
    assert!(refused[0] > 0, "PNP lead: requests must be answered");
    assert!(granted[1] > 0, "FF.AA. control: the site guards get leave ({refused:?} refused)");
    // An answer goes up and down the chain: never in the tick it was asked.
    assert!(latencies.iter().all(|&l| l >= 5.0), "{latencies:?}");
}

/// Tasks that differ in behaviour (issue 19, item 2): snatch teams and
/// site guards arrest, dispersal squads and cordons do not; snatch teams
/// and cordons work hand to hand short of a perceived lethal threat, while
/// dispersal squads use their kit.
#[test]
fn each_task_arrests_and_uses_force_in_its_own_way() {
    use mando::units::TaskKind;
    let seed = "metadata.seed=1";
    let s = shipped("mining_corridor_blockade.ron", &[seed]);
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    let mut task_of = [TaskKind::Hold; 64];
    let (mut arrests_by, mut top_force) = (std::collections::BTreeMap::new(), std::collections::BTreeMap::new());
    // Per task: unit-ticks on it, and how many of them the unit moved in.
    let mut moves: std::collections::BTreeMap<TaskKind, (u32, u32)> = Default::default();
    let mut last_cell = std::collections::BTreeMap::new();
    while !sim.is_finished() {
        sim.step();
        let world = sim.world_mut();
        let mut q = world.query::<(&mando::units::UnitId, &mando::base::Position, &mando::units::Tasking)>();
        for (id, pos, tasking) in q.iter(world) {
            let arrived = tasking.path.is_empty() || tasking.task.kind == TaskKind::Presence;
            if let Some(&before) = last_cell.get(&id.0)
                && arrived
                && tasking.since_tick + 12 < world.resource::<mando::base::Clock>().tick
            {
                let m = moves.entry(tasking.task.kind).or_default();
                m.0 += 1;
                m.1 += (before != pos.0) as u32;
            }
            last_cell.insert(id.0, pos.0);
        }
        // Tasks change in the command phase, before anyone arrests or uses
        // force in the tick: read the tick's task changes first.
        let arrests = sim.drain_arrests();
        for e in sim.drain_events() {
            match e {
                Event::TaskStarted { unit, task, .. } => task_of[unit as usize] = task,
                Event::UseOfForce { task, force, perceived_resistance, .. }
                    if perceived_resistance != Resistance::LethalAggression =>
                {
                    let top = top_force.entry(task).or_insert(ForceLevel::Presence);
                    *top = (*top).max(force);
                }
                _ => {}
            }
        }
        for a in arrests {
            *arrests_by.entry(task_of[a.unit.unwrap() as usize]).or_insert(0) += 1;
        }
    }
    for task in arrests_by.keys() {
        assert!(task.arrests(), "{task:?} made arrests: {arrests_by:?}");
    }
    assert!(arrests_by.contains_key(&TaskKind::Arrest), "{arrests_by:?}");
    for task in [TaskKind::Arrest, TaskKind::Cordon, TaskKind::Presence] {
        assert!(top_force.get(&task).is_none_or(|&f| f <= ForceLevel::PhysicalControl), "{top_force:?}");
    }
    assert!(top_force[&TaskKind::Disperse] >= ForceLevel::NonLethalDefensiveTactics, "{top_force:?}");
    // A presence patrol keeps walking around its crowd; a cordon, once in
    // place, holds its line.
    let share = |t| moves.get(&t).map_or(0.0, |&(n, m)| m as f64 / n.max(1) as f64);
    assert!(moves.get(&TaskKind::Presence).is_some_and(|m| m.0 > 0), "no presence patrol: {moves:?}");
    assert!(share(TaskKind::Presence) > 2.0 * share(TaskKind::Cordon), "{moves:?}");
}

/// The law judges acts (issue 19, item 5): every lethal use against a
/// target that posed no lethal threat, authorised or not, is followed in
/// the journal by a violation naming D. Leg. 1186 art. 8.3; none other is.
#[test]
fn lethal_force_without_a_lethal_threat_is_a_violation_whoever_allowed_it() {
    let all = events(&["force.unauthorised_fire_probability=1"], 3);
    let (mut unlawful, mut judged) = (0, 0);
    for (i, e) in all.iter().enumerate() {
        if let Event::UseOfForce { force: ForceLevel::LethalForce, true_resistance, rule_set, unit, tick, .. } = *e {
            let next = all.get(i + 1);
            let violation = matches!(next, Some(Event::Violation { violation: mando::law::Violation::LethalForceWithoutThreat, unit: u, tick: t, basis, .. })
                if *u == unit && *t == tick && basis.contains("1186"));
            let should = true_resistance < Resistance::LethalAggression && rule_set != RuleSet::HumanitarianLaw;
            assert_eq!(violation, should, "tick {tick}, unit {unit}: {true_resistance:?}");
            unlawful += should as u32;
        }
        judged +=
            matches!(e, Event::Violation { violation: mando::law::Violation::LethalForceWithoutThreat, .. }) as u32;
    }
    assert!(unlawful > 0, "the run must have unlawful shots for the test to mean anything");
    assert_eq!(judged, unlawful, "no violation without an unlawful shot");
}

/// What a unit does while it waits for leave is its agency's doctrine
/// (issue 19, item 3): holding, it fires without leave only by the odds of
/// `force.unauthorised_fire_probability`; withdrawing, it never does, falls
/// back to its base and comes back when leave comes; acting alone, it fires
/// without leave every time it would.
#[test]
fn while_it_waits_a_unit_holds_withdraws_or_acts_alone_as_its_doctrine_says() {
    use mando::scenario::Agency;
    // Under FF.AA. control the site guards ask for leave and may get it.
    let control = "command.model=ffaa_control";
    #[derive(Default, Debug)]
    struct Tally {
        unauthorised: u32,
        withdrawals: u32,
        returns: u32,
        pnp_withdrawals: u32,
    }
    let tally = |sets: &[&str], seed| {
        let mut t = Tally::default();
        let mut agency = std::collections::BTreeMap::new();
        for e in events(sets, seed) {
            match e {
                Event::AuthorityRequested { unit, agency: a, .. } => {
                    agency.insert(unit, a);
                }
                Event::UseOfForce { agency: Agency::Ffaa, authority: ForceAuthority::Unauthorised, .. } => {
                    t.unauthorised += 1
                }
                Event::TaskStarted { unit, on: "withdrawal", .. } => {
                    t.withdrawals += 1;
                    t.pnp_withdrawals += (agency.get(&unit) != Some(&Agency::Ffaa)) as u32;
                }
                Event::TaskStarted { on: "authority", .. } => t.returns += 1,
                _ => {}
            }
        }
        t
    };
    let (mut hold, mut withdraw, mut alone) = (Tally::default(), Tally::default(), Tally::default());
    for seed in [1, 2] {
        let h = tally(&[control], seed);
        let w = tally(&[control, "force.awaiting_authority_ffaa=Withdraw"], seed);
        let a = tally(&[control, "force.awaiting_authority_ffaa=ActAlone"], seed);
        for (sum, t) in [(&mut hold, h), (&mut withdraw, w), (&mut alone, a)] {
            sum.unauthorised += t.unauthorised;
            sum.withdrawals += t.withdrawals;
            sum.returns += t.returns;
            sum.pnp_withdrawals += t.pnp_withdrawals;
        }
    }
    assert_eq!(hold.withdrawals, 0, "{hold:?}");
    assert!(withdraw.withdrawals > 0 && withdraw.returns > 0, "{withdraw:?}");
    assert_eq!(withdraw.unauthorised, 0, "a withdrawing unit never fires without leave: {withdraw:?}");
    assert_eq!(withdraw.pnp_withdrawals, 0, "the PNP's doctrine is still to hold");
    assert!(alone.unauthorised > hold.unauthorised, "acting alone {alone:?} vs holding {hold:?}");
}

/// Dispersal leaves escape routes (issue 19, item 2): units trained in
/// crowd control never use gas or projectiles on someone with no way out;
/// untrained infantry does, and the crowd takes it as force on all.
#[test]
fn trained_units_leave_a_way_out_and_infantry_does_not() {
    let (mut trained_trapped, mut infantry_trapped, mut trained_scattering) = (0, 0, 0);
    for seed in [1, 2, 3, 4, 5, 6] {
        // The infantry given gas and projectiles, to see what it does with them.
        let sets =
            ["command.model=ffaa_control", "forces.units[2].non_lethal_kit=Full", &format!("metadata.seed={seed}")];
        let s = shipped("mining_corridor_blockade.ron", &sets);
        let training = per_unit(&s, |g| g.crowd_training);
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        while !sim.is_finished() {
            sim.step();
            for e in sim.drain_events() {
                if let Event::UseOfForce { unit, force: ForceLevel::NonLethalDefensiveTactics, trapped, .. } = e {
                    if training[unit as usize] >= mando::use_of_force::escape::ESCAPE_TRAINING {
                        trained_scattering += 1;
                        trained_trapped += trapped as u32;
                    } else {
                        infantry_trapped += trapped as u32;
                    }
                }
            }
        }
    }
    assert!(trained_scattering > 0, "trained units must use gas for the test to mean anything");
    assert_eq!(trained_trapped, 0, "a trained unit gassed someone with no way out");
    // Six seeds: with dispersal warnings, infantry corners someone in 3 of
    // its 181 uses of gas (in none over the first two seeds).
    assert!(infantry_trapped > 0, "infantry never cornered anyone: the test checks nothing");
}
