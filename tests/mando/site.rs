//! A site under threat (issue 19, item 6): on `substation_under_threat`
//! the PNP sees the march and the army can guard the substation in time,
//! so how fast an order crosses from one to the other decides how long the
//! crowd holds the site. Directional checks over seeds.

use mando::runner;
use mando::sim::SimOptions;

use crate::common::*;

const SITE: &str = "substation_under_threat.ron";
const SEEDS: std::ops::RangeInclusive<u64> = 1..=16;

/// Over the seeds: minutes the substation was breached.
fn over_seeds(sets: &[&str]) -> f64 {
    let mut breached = 0.0;
    for seed in SEEDS {
        let seed = format!("metadata.seed={seed}");
        let s = shipped(SITE, &[sets, &[&seed]].concat());
        let report = runner::run(&s, SimOptions::default(), None, |_| {}).unwrap();
        let c = report.metrics.operation.unwrap().conflict.unwrap();
        breached += c.site_breached_minutes["Electrical substation"];
    }
    breached
}

#[test]
fn the_later_the_guard_order_arrives_the_longer_the_site_is_in_the_crowds_hands() {
    // Two levers on the same order: the army's echelons under PNP lead,
    // and the joint post's hop under a unified command.
    for (lever, base) in [
        ("command.ffaa_echelon_delay_median_minutes", "command.model=pnp_lead"),
        ("command.unified_hop_minutes", "command.model=unified"),
    ] {
        // Harm is not asserted: it does not follow latency clearly
        // (civilians injured, disabled or killed over the 16 runs: 57 -> 67
        // under PNP lead, 51 -> 57 under a unified command, each within the
        // spread of the runs; docs/model.md §10.10).
        let fast = over_seeds(&[base, &format!("{lever}=1")]);
        let slow = over_seeds(&[base, &format!("{lever}=40")]);
        assert!(slow > 1.2 * fast, "{lever}: breached {slow} min at 40 vs {fast} at 1");
    }
}

#[test]
fn parallel_chains_without_liaison_leave_the_site_longer_than_a_unified_command() {
    // Parallel: the PNP's planner, its squad held at the plaza, phones for
    // the platoon (an hour through both chains); the army's own planner
    // hears of the march only when the crowd at the substation comes into
    // the platoon's sight. A unified post orders it on the drone's report.
    // Measured: 65 against 38 min a run over these seeds, 77 against 38
    // over seeds 17-56 (docs/model.md §10.10).
    let parallel = over_seeds(&["command.model=parallel", "command.liaison_officers=false"]);
    let unified = over_seeds(&["command.model=unified"]);
    assert!(parallel > 1.4 * unified, "breached {parallel} min under parallel chains vs {unified} unified");
}
