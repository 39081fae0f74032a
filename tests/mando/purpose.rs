//! The crowd's purpose (`crowd.gatherings`, `day`, `fatigue_per_day`,
//! `arrivals`, `bystanders_keep_away_cells`): marches reach their site,
//! the crowd thins out at night and comes back, bystanders keep away, and
//! every field changes the run or is refused.

use mando::base::Position;
use mando::civilians::{CivilianId, Condition};
use mando::crowd::CrowdMood;
use mando::crowd::purpose::cost_to;
use mando::grid::Terrain;
use mando::scenario::{self, CrowdType, Override, Scenario};
use mando::sim::{Sim, SimOptions};

use crate::common::*;

fn march(sets: &[&str]) -> Scenario {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).expect("test override")).collect();
    scenario::load_file(&fixture("march.ron"), &overrides).unwrap_or_else(|e| panic!("march.ron invalid:\n{e}"))
}

/// Each free civilian's type and walking cost to the site, after `ticks`.
fn costs_after(sim: &mut Sim, ticks: u32) -> Vec<(CrowdType, u16)> {
    for _ in 0..ticks {
        sim.step();
    }
    let world = sim.world_mut();
    let terrain = world.resource::<Terrain>().clone();
    let cost = cost_to(&terrain, &terrain.site_cells[0]);
    let mood = world.resource::<CrowdMood>().clone();
    let mut q = world.query::<(&CivilianId, &Position, &Condition)>();
    q.iter(world)
        .filter(|(_, _, c)| !c.is_out())
        .map(|(id, p, _)| (mood.type_of(*id).expect("a typed crowd"), cost[p.0 as usize]))
        .collect()
}

/// Share of the protesters within `cost` of the site.
fn protesters_near(all: &[(CrowdType, u16)], cost: u16) -> f64 {
    let protesters: Vec<u16> = all.iter().filter(|(t, _)| *t != CrowdType::Bystander).map(|&(_, c)| c).collect();
    protesters.iter().filter(|&&c| c <= cost).count() as f64 / protesters.len() as f64
}

#[test]
fn an_unopposed_march_reaches_its_site() {
    for seed in [1, 2, 3] {
        let s = march(&[&format!("metadata.seed={seed}")]);
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        let start = costs_after(&mut sim, 0);
        // 09:00 to 12:20: everyone committed is out and marching.
        let midday = costs_after(&mut sim, 40);
        let (before, after) = (protesters_near(&start, 8), protesters_near(&midday, 8));
        assert!(before < 0.3, "seed {seed}: {before} of the protesters start near the square");
        assert!(after > 0.8, "seed {seed}: only {after} of the protesters reached the square by midday");
    }
}

#[test]
fn the_crowd_thins_out_at_night_and_comes_back_in_the_morning() {
    let s = march(&["metadata.ticks=400"]);
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    let noon = protesters_near(&costs_after(&mut sim, 36), 12); // 12:00
    let night = protesters_near(&costs_after(&mut sim, 192), 12); // 04:00
    let next_noon = protesters_near(&costs_after(&mut sim, 96), 12); // 12:00, day 2
    assert!(noon > 0.8, "at noon {noon}");
    assert!(night < 0.2, "at 04:00 {night} are still at the square");
    assert!(next_noon > 0.6, "back the next day: {next_noon}");
}

#[test]
fn tired_protesters_stay_home_on_later_days() {
    let near_on_day_3 = |fatigue: &str| {
        let s = march(&["metadata.ticks=700", &format!("crowd.fatigue_per_day={fatigue}")]);
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        protesters_near(&costs_after(&mut sim, 36 + 2 * 288), 12)
    };
    let (fresh, tired) = (near_on_day_3("0.0"), near_on_day_3("0.5"));
    assert!(fresh > 0.8 && tired < 0.4, "at noon on day 3: no fatigue {fresh}, half a day {tired}");
}

#[test]
fn bystanders_keep_away_from_the_site() {
    let near = |keep: u32| {
        let s = march(&[
            "civilians.density=0.3",
            "crowd.types.peaceful_protester=0.1",
            &format!("crowd.bystanders_keep_away_cells={keep}"),
        ]);
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        let all = costs_after(&mut sim, 40);
        let bystanders: Vec<u16> = all.iter().filter(|(t, _)| *t == CrowdType::Bystander).map(|&(_, c)| c).collect();
        bystanders.iter().filter(|&&c| c <= 10).count()
    };
    let (wander, keep_away) = (near(0), near(20));
    assert!(keep_away * 4 < wander, "bystanders near the square: keeping away {keep_away}, wandering {wander}");
}

#[test]
fn people_from_afar_come_only_once_the_conflict_escalates() {
    // Everyone is from afar and nothing escalates: nobody marches.
    let s = march(&["crowd.arrivals.share=1.0"]);
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    let near = protesters_near(&costs_after(&mut sim, 40), 12);
    assert!(near < 0.1, "{near} of those from afar marched with no escalation");
    // A breached site escalates (actives among wandering bystanders walk
    // onto it): with no travel time those from afar come at once.
    let s = march(&[
        "crowd.arrivals.share=1.0",
        "crowd.arrivals.after_hours=0.0",
        "crowd.bystanders_keep_away_cells=0",
        "civilians.legitimacy=0.2",
        "map.sites[0].breach_actives=1",
    ]);
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    let near = protesters_near(&costs_after(&mut sim, 40), 12);
    assert!(near > 0.8, "after the escalation only {near} came");
}

#[test]
fn purposeful_crowds_are_deterministic_on_one_and_two_threads() {
    for activation in ["RandomSequential", "Synchronous"] {
        let s = march(&[&format!("rules.activation={activation}"), "civilians.density=0.3", "metadata.ticks=120"]);
        let hash = |options: SimOptions| {
            let mut sim = Sim::new(&s, options).unwrap();
            while !sim.is_finished() {
                sim.step();
            }
            sim.state_hash()
        };
        let one = hash(SimOptions { threads: 1, ..SimOptions::default() });
        let two = hash(SimOptions { threads: 2, parallel_from_civilians: 0, resort_every_ticks: 1 });
        assert_eq!(one, two, "{activation}: 1 vs 2 threads");
    }
}

#[test]
fn purpose_fields_without_gatherings_or_a_wrong_site_are_refused() {
    let text = std::fs::read_to_string(fixture("march.ron")).unwrap();
    let without = text.replace("gatherings: [(name: \"West end\", at: (0, 6), march_to: \"Square\")],", "");
    let err = scenario::load_str("march", &without, &[]).expect_err("day without gatherings");
    assert!(err.diagnostics().iter().any(|d| d.field == "crowd.day" && d.message.contains("crowd.gatherings")));
    let wrong = text.replace("march_to: \"Square\"", "march_to: \"Plaza\"");
    let err = scenario::load_str("march", &wrong, &[]).expect_err("no such site");
    let d = err.diagnostics();
    assert!(d.iter().any(|d| d.field == "crowd.gatherings[0].march_to" && d.message.contains("\"Square\"")), "{d:?}");
    assert!(
        d.iter().all(|d| matches!(d.origin, scenario::Origin::File { line, .. } if line > 0)),
        "every problem points at a line: {d:?}"
    );
    let late = march(&[]);
    assert!(late.crowd.unwrap().purpose.is_some());
    let err = scenario::load_file(&fixture("march.ron"), &[Override::parse("crowd.day.home_by=8.0").unwrap()])
        .expect_err("home before the peak");
    assert!(err.diagnostics().iter().any(|d| d.field == "crowd.day.home_by"), "{err}");
}
