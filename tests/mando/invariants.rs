//! Properties that hold every tick, whatever the rules: people are
//! conserved, the grid and the agents agree, one agent per cell.

use std::collections::BTreeSet;

use mando::base::Position;
use mando::civilians::{CivilianId, Condition};
use mando::grid::{Grid, Occupant, Terrain};
use mando::police::OfficerId;
use mando::sim::{Sim, SimOptions};
use mando::units::UnitId;

use crate::common::*;

/// Checks that the occupancy grid is exactly what the agents say.
fn check_grid(sim: &mut Sim, keep_cell: bool) {
    let world = sim.world_mut();
    let mut on_grid = BTreeSet::new();
    let civilians: Vec<(CivilianId, Position, Condition)> =
        world.query::<(&CivilianId, &Position, &Condition)>().iter(world).map(|(a, b, c)| (*a, *b, *c)).collect();
    let officers: Vec<(OfficerId, Position)> =
        world.query::<(&OfficerId, &Position)>().iter(world).map(|(a, b)| (*a, *b)).collect();
    let units: Vec<(UnitId, Position)> =
        world.query::<(&UnitId, &Position)>().iter(world).map(|(a, b)| (*a, *b)).collect();
    let grid = world.resource::<Grid>();
    let terrain = world.resource::<Terrain>();
    for (id, pos) in units {
        assert_eq!(grid.get(pos.0), Occupant::Unit { id: id.0 }, "unit {id}");
        assert!(terrain.passable(pos.0), "unit {id} inside a building");
        assert!(on_grid.insert(pos.0), "two agents on cell {}", pos.0);
    }
    for (id, pos, condition) in civilians {
        let expect = match condition {
            Condition::Dead => continue,
            Condition::Jailed { .. } if !keep_cell => continue,
            Condition::Jailed { .. } => Occupant::Civilian { id: id.0, active: false },
            Condition::Active => Occupant::Civilian { id: id.0, active: true },
            Condition::Quiescent => Occupant::Civilian { id: id.0, active: false },
        };
        assert_eq!(grid.get(pos.0), expect, "civilian {id} at {:?}", grid.xy(pos.0));
        assert!(on_grid.insert(pos.0), "two agents on cell {}", pos.0);
    }
    for (id, pos) in officers {
        assert_eq!(grid.get(pos.0), Occupant::Officer { id: id.0 }, "officer {id}");
        assert!(on_grid.insert(pos.0), "two agents on cell {}", pos.0);
    }
    let marked =
        (0..grid.cells() as u32).filter(|&c| !matches!(grid.get(c), Occupant::Empty | Occupant::Building)).count();
    assert_eq!(marked, on_grid.len(), "grid marks cells nobody stands on");
}

#[test]
fn people_are_conserved_and_the_grid_agrees_every_tick() {
    for engine in ["RandomSequential", "Synchronous"] {
        for keep in [false, true] {
            for (shape, edges) in [("Euclidean", "Wrap"), ("VonNeumann", "Bounded"), ("Moore", "Wrap")] {
                let s = scenario_with(&[
                    "map.width_cells=30",
                    "map.height_cells=24",
                    &format!("map.edges={edges}"),
                    &format!("rules.activation={engine}"),
                    &format!("rules.jailed_keep_cell={keep}"),
                    &format!("rules.neighbourhood={shape}"),
                    "civilians.legitimacy=0.6",
                    "civilians.max_jail_term_ticks=5",
                    "civilians.vision_cells=4",
                    "police.vision_cells=3",
                    "metadata.seed=4",
                ]);
                let population = s.civilians.count;
                let mut sim =
                    Sim::new(&s, SimOptions { threads: 2, parallel_from_civilians: 0, ..SimOptions::default() })
                        .unwrap();
                let mut arrests = 0;
                for _ in 0..40 {
                    let r = sim.step();
                    assert_eq!(
                        r.quiescent + r.active + r.jailed,
                        population,
                        "{engine} keep={keep} {shape} tick {}",
                        r.tick
                    );
                    arrests += r.arrests;
                    check_grid(&mut sim, keep);
                }
                assert!(arrests > 0, "{engine} keep={keep} {shape}: the test must exercise arrests");
            }
        }
    }
}

#[test]
fn buildings_are_never_entered() {
    let text = std::fs::read_to_string(fixture("valid_with_terrain.ron")).unwrap();
    let s = mando::scenario::load_str("valid_with_terrain.ron", &text, &[]).unwrap();
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    for _ in 0..30 {
        sim.step();
        let world = sim.world_mut();
        let cells: Vec<u32> = world.query::<&Position>().iter(world).map(|p| p.0).collect();
        let grid = world.resource::<Grid>();
        for c in cells {
            let (x, y) = grid.xy(c);
            assert!(!s.map.is_building(x, y), "agent inside a building at ({x}, {y})");
        }
    }
}

#[test]
fn units_share_the_grid_with_the_crowd_without_overlap() {
    for engine in ["RandomSequential", "Synchronous"] {
        for keep in [false, true] {
            let s = shipped(
                "mining_corridor_blockade.ron",
                &[
                    &format!("rules.activation={engine}"),
                    &format!("rules.jailed_keep_cell={keep}"),
                    "command.ffaa_deployment=FromStart",
                    "metadata.ticks=120",
                ],
            );
            let population = s.civilians.count;
            let mut sim =
                Sim::new(&s, SimOptions { threads: 2, parallel_from_civilians: 0, ..SimOptions::default() }).unwrap();
            let mut moved = 0;
            let start: Vec<u32> = {
                let w = sim.world_mut();
                w.query::<(&UnitId, &Position)>().iter(w).map(|(_, p)| p.0).collect()
            };
            while !sim.is_finished() {
                let r = sim.step();
                let dead = r.operation.map_or(0, |o| o.dead);
                assert_eq!(r.quiescent + r.active + r.jailed + dead, population, "{engine} keep={keep}");
                check_grid(&mut sim, keep);
            }
            let w = sim.world_mut();
            let end: Vec<u32> = w.query::<(&UnitId, &Position)>().iter(w).map(|(_, p)| p.0).collect();
            moved += start.iter().zip(&end).filter(|(a, b)| a != b).count();
            assert!(moved > 4, "{engine} keep={keep}: units must move for this test to mean anything");
        }
    }
}

#[test]
fn a_patrol_wider_than_a_torus_stays_on_the_map() {
    // Regression: a waypoint more than a map width away used to land off
    // the map and crash the run.
    let text = r#"Scenario(
        metadata: (name: "patrol_wrap", seed: 1, ticks: 60),
        map: (width_cells: 20, height_cells: 20, edges: Wrap),
        civilians: (density: 0.5, vision_cells: 3),
        police: (density: 0.04, vision_cells: 3),
        forces: (units: [(name: "patrol", kind: PnpPatrol, count: 3, at: (10, 10), patrol_radius_cells: 60)]),
    )"#;
    let s = mando::scenario::load_str("patrol_wrap", text, &[]).unwrap();
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    while !sim.is_finished() {
        sim.step();
        check_grid(&mut sim, false);
    }
}

#[test]
fn units_that_do_not_fit_around_their_cell_are_an_error_not_fewer_units() {
    let text = r##"Scenario(
        metadata: (name: "boxed_in"),
        map: (width_cells: 5, height_cells: 3, edges: Bounded, terrain: [".#...", "#....", "....."]),
        civilians: (count: 0),
        police: (count: 0),
        forces: (units: [(name: "boxed", kind: PnpPatrol, count: 2, at: (0, 0))]),
    )"##;
    let s = mando::scenario::load_str("boxed_in", text, &[]).unwrap();
    match Sim::new(&s, SimOptions::default()) {
        Err(e) => assert!(e.to_string().contains("`boxed` do not fit"), "{e}"),
        Ok(_) => panic!("two units cannot fit in one walled cell"),
    }
}

#[test]
fn re_sorting_keeps_every_agent_indexed_and_arrests_logged_in_officer_order() {
    // Re-sorted every tick, officers withdrawn and added on the way: the
    // index must still find each agent by id, and the parallel engine's
    // arrests, made in storage order, must be logged in officer-id order.
    let s = scenario_with(&[
        "map.width_cells=30",
        "map.height_cells=24",
        "rules.activation=Synchronous",
        "civilians.legitimacy=0.5",
        "metadata.seed=9",
        "changes=[(at_tick: 6, path: \"police.count\", value: 12), (at_tick: 12, path: \"police.count\", value: 40)]",
    ]);
    let options = SimOptions { threads: 2, resort_every_ticks: 1, parallel_from_civilians: 0 };
    let mut sim = Sim::new(&s, options).unwrap();
    let mut arrests = 0;
    for _ in 0..20 {
        sim.step();
        let log = sim.drain_arrests();
        arrests += log.len();
        assert!(log.windows(2).all(|w| w[0].officer < w[1].officer), "arrests out of officer order: {log:?}");
        let world = sim.world_mut();
        let index = world.resource::<mando::base::AgentIndex>();
        let (civilians, officers) = (index.civilians.clone(), index.officers.clone());
        for (i, e) in civilians.iter().enumerate() {
            assert_eq!(world.get::<CivilianId>(*e).map(|c| c.0), Some(i as u32), "civilian {i}");
        }
        for (i, e) in officers.iter().enumerate() {
            if let Some(e) = e {
                assert_eq!(world.get::<OfficerId>(*e).map(|o| o.0), Some(i as u32), "officer {i}");
            }
        }
        // Re-sorted at the end of every tick: stored in cell order.
        let cells: Vec<u32> =
            world.query::<(&CivilianId, &mando::base::Position)>().iter(world).map(|(_, p)| p.0).collect();
        assert!(cells.is_sorted(), "civilians not stored in cell order after a re-sort");
        check_grid(&mut sim, false);
    }
    assert!(arrests > 10, "the test must exercise arrests ({arrests})");
}
