//! The crowd behaves as Epstein's Model I says it should (directional
//! checks over seeds, never a single lucky run).

use mando::sim::{Sim, SimOptions};

use crate::common::*;

/// Mean share of civilians active over `ticks` ticks.
fn mean_active_share(sets: &[&str], ticks: u32) -> f64 {
    let s = scenario_with(sets);
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    let mut sum = 0.0;
    for _ in 0..ticks {
        let r = sim.step();
        sum += r.active as f64 / r.population() as f64;
    }
    sum / ticks as f64
}

#[test]
fn full_legitimacy_means_nobody_is_ever_active() {
    for engine in ["RandomSequential", "Synchronous"] {
        let s = scenario_with(&["civilians.legitimacy=1.0", "police.count=0", &format!("rules.activation={engine}")]);
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        for _ in 0..100 {
            let r = sim.step();
            assert_eq!(r.active, 0, "tick {}", r.tick);
            assert_eq!(r.arrests, 0);
        }
    }
}

#[test]
fn without_police_and_with_low_legitimacy_most_rebel() {
    // G = H·0.9 > 0.1 for H > 1/9: about 89% of civilians, and with no
    // officers nothing deters them.
    for engine in ["RandomSequential", "Synchronous"] {
        let s = scenario_with(&["civilians.legitimacy=0.1", "police.count=0", &format!("rules.activation={engine}")]);
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        let mut last = sim.step();
        for _ in 0..20 {
            last = sim.step();
        }
        let share = last.active as f64 / last.population() as f64;
        assert!(share > 0.8 && share < 0.95, "{engine}: active share {share}");
    }
}

#[test]
fn more_police_means_fewer_actives_on_average() {
    let seeds = 6;
    let (mut few, mut many) = (0.0, 0.0);
    let mut lower_in = 0;
    for seed in 0..seeds {
        let seed = format!("metadata.seed={seed}");
        let a = mean_active_share(&["police.density=0.02", "civilians.legitimacy=0.7", &seed], 150);
        let b = mean_active_share(&["police.density=0.08", "civilians.legitimacy=0.7", &seed], 150);
        few += a / seeds as f64;
        many += b / seeds as f64;
        lower_in += (b < a) as u32;
    }
    assert!(many < few * 0.8, "mean active share: 0.02 cops {few:.4}, 0.08 cops {many:.4}");
    assert!(lower_in >= seeds - 1, "more police lowered activity in only {lower_in} of {seeds} seeds");
}

#[test]
fn the_classic_run_shows_punctuated_outbursts() {
    // Epstein's run 2: calm spells broken by outbursts, not a steady state.
    let s = shipped("epstein_classic.ron", &["metadata.ticks=400"]);
    let report = mando::runner::run(&s, SimOptions::default(), None, |_| {}).unwrap();
    let m = report.metrics;
    assert!(m.outbursts >= 3, "outbursts {}", m.outbursts);
    assert!(m.mean_active_share < 0.2, "mean active share {}", m.mean_active_share);
    assert!(m.peak_active as f64 > 0.1 * m.population as f64, "peak {}", m.peak_active);
}
