//! The plain-language headline (issue 20, item 4): `summary.json` opens
//! with it, and every number `mando run` states is the one in the file.

use std::process::Command;

use serde_json::Value;

use crate::common::*;

/// `mando run` of `file` for `ticks`: its standard output and summary.json.
fn run(file: &str, ticks: &str, name: &str) -> (Vec<String>, Value, String) {
    let dir = temp_dir(name);
    let path = repo().join("scenarios").join(file);
    let out = Command::new(bin())
        .args(["run", path.to_str().unwrap(), "--ticks", ticks, "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(read(&dir.join("out").join("summary.json"))).unwrap();
    let lines = String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect();
    (lines, serde_json::from_str(&text).unwrap(), text)
}

fn n(v: &Value, path: &str) -> u64 {
    path.split('.').fold(v, |v, k| &v[k]).as_u64().unwrap_or_else(|| panic!("{path} is not a count: {v}"))
}

#[test]
fn the_run_states_the_figures_summary_json_holds() {
    let (lines, s, text) = run("mining_corridor_blockade.ron", "400", "headline-mining");
    assert!(text.trim_start().starts_with("{\n  \"headline\""), "summary.json opens with the headline");
    let h = &s["headline"];
    let m = &s["metrics"]["operation"]["conflict"];
    // The headline is the metrics', gathered.
    let dead = |side: &str| n(m, &format!("harm_totals.{side}.dead"));
    assert_eq!(n(h, "deaths"), dead("civilian") + dead("pnp") + dead("ffaa"));
    assert_eq!(n(h, "uses_of_force"), n(m, "force_pnp.uses_of_force") + n(m, "force_ffaa.uses_of_force"));
    assert_eq!(n(h, "legal_violations"), n(&s["metrics"]["operation"], "legal_violations_total"));
    assert_eq!(n(h, "people_arrested"), n(&s["metrics"], "total_arrests") - n(m, "rearrests"));
    assert!(n(h, "uses_of_force") > 0 && n(h, "people_arrested") > 0, "figures worth stating: {h}");
    // What the run says is the headline's.
    let said =
        |start: &str| lines.iter().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("{start}: {lines:?}"));
    let harm = |harm: &str| {
        let side = |s: &str| n(h, &format!("harm.{s}.{harm}"));
        format!("{} civilians, {} police, {} soldiers", side("civilian"), side("pnp"), side("ffaa"))
    };
    assert_eq!(said(&format!("{} dead", n(h, "deaths"))), &format!("{} dead ({}).", n(h, "deaths"), harm("dead")));
    assert_eq!(said("Disabled"), &format!("Disabled: {}. Injured: {}.", harm("disabled"), harm("injured")));
    assert!(said("Force was used").starts_with(&format!(
        "Force was used {} times; {} uses were excessive",
        n(h, "uses_of_force"),
        n(h, "excessive_uses_of_force")
    )));
    assert_eq!(
        said("Violations"),
        &format!(
            "Violations of the law: {} (police {}, soldiers {}).",
            n(h, "legal_violations"),
            n(h, "by_agency.pnp.legal_violations"),
            n(h, "by_agency.ffaa.legal_violations")
        )
    );
    assert_eq!(
        said(&format!("{} people", n(h, "people_arrested"))),
        &format!("{} people arrested ({} arrests).", n(h, "people_arrested"), n(h, "arrests"))
    );
    // Nothing that misleads: no officers where units did the work.
    assert!(lines.iter().all(|l| !l.contains("officers")), "{lines:?}");
}

#[test]
fn a_crowd_without_an_operation_gets_its_own_headline() {
    let (lines, s, _) = run("epstein_classic.ron", "50", "headline-classic");
    let h = &s["headline"];
    assert!(h.get("deaths").is_none(), "no operation, no harm figures: {h}");
    assert_eq!(n(h, "arrests"), n(&s["metrics"], "total_arrests"));
    let said = format!("At most {} people were active at once; {} arrests.", n(h, "peak_active"), n(h, "arrests"));
    assert!(lines.contains(&said), "{lines:?}");
}
