//! The command line's contract with scripts (issue 22): results are never
//! lost or mixed silently, and an interrupted run leaves nothing behind.

use std::path::Path;
use std::process::Command;

use crate::common::{bin, read, repo, temp_dir};

fn mando(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(bin()).current_dir(dir).args(args).output().expect("mando runs")
}

const SUBSTATION: &str = "scenarios/substation_under_threat.ron";

#[test]
fn runs_that_differ_in_their_overrides_get_different_default_folders() {
    let dir = temp_dir("default-folders");
    let file = repo().join(SUBSTATION);
    let file = file.to_str().unwrap();
    for model in ["parallel", "pnp_lead", "parallel"] {
        let out = mando(&dir, &["run", file, "--ticks", "20", "--set", &format!("command.model={model}"), "--quiet"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut folders: Vec<String> =
        std::fs::read_dir(dir.join("runs")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    folders.sort();
    assert_eq!(folders.len(), 2, "{folders:?}");
    for f in &folders {
        assert!(
            f.starts_with("substation_under_threat-20230109-")
                && f.len() == "substation_under_threat-20230109-".len() + 8,
            "{f}"
        );
        let summary: serde_json::Value =
            serde_json::from_slice(&read(&dir.join("runs").join(f).join("summary.json"))).unwrap();
        assert_eq!(summary["ticks"], 20);
    }
    // Without overrides: the plain name.
    assert!(mando(&dir, &["run", file, "--quiet"]).status.success());
    assert!(dir.join("runs/substation_under_threat-20230109/summary.json").is_file());
}

#[test]
fn a_run_never_replaces_another_runs_or_a_batchs_outputs_without_force() {
    let dir = temp_dir("no-overwrite");
    let file = repo().join(SUBSTATION);
    let file = file.to_str().unwrap();
    assert!(mando(&dir, &["run", file, "--ticks", "20", "--out", "r", "--quiet"]).status.success());
    let before = read(&dir.join("r/summary.json"));
    // The same run again replaces its own outputs (the same bytes).
    assert!(mando(&dir, &["run", file, "--ticks", "20", "--out", "r", "--quiet"]).status.success());
    assert_eq!(read(&dir.join("r/summary.json")), before);
    // Another run: refused, with the reason, and nothing touched.
    let out = mando(&dir, &["run", file, "--ticks", "20", "--set", "command.model=parallel", "--out", "r", "--quiet"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("holds the outputs of another run") && err.contains("command.model"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(read(&dir.join("r/summary.json")), before);
    // --force replaces them.
    let out = mando(
        &dir,
        &["run", file, "--ticks", "20", "--set", "command.model=parallel", "--out", "r", "--quiet", "--force"],
    );
    assert!(out.status.success());
    assert_ne!(read(&dir.join("r/summary.json")), before);
    // A batch folder is never a run's, even with --force.
    let out = mando(
        &dir,
        &[
            "compare",
            file,
            "--ticks",
            "10",
            "--vary",
            "command.model=pnp_lead,parallel",
            "--reps",
            "2",
            "--out",
            "b",
            "--quiet",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let batch_summary = read(&dir.join("b/summary.json"));
    for force in [false, true] {
        let mut args = vec!["run", file, "--ticks", "10", "--out", "b", "--quiet"];
        if force {
            args.push("--force");
        }
        let out = mando(&dir, &args);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("holds a compare or sweep batch"));
        assert_eq!(read(&dir.join("b/summary.json")), batch_summary);
        assert!(!dir.join("b/timeseries.csv").exists());
    }
}

#[test]
fn staging_folders_of_dead_processes_are_cleaned_and_ctrl_c_leaves_none() {
    let dir = temp_dir("partials");
    // A process that no longer runs (pid far above any in use here).
    std::fs::create_dir_all(dir.join("r/.partial-3999999")).unwrap();
    std::fs::write(dir.join("r/.partial-3999999/timeseries.csv"), "half").unwrap();
    assert!(mando(&dir, &["run", "--ticks", "5", "--out", "r", "--quiet"]).status.success());
    assert!(!dir.join("r/.partial-3999999").exists(), "the stale staging folder is still there");

    // Ctrl-C in the middle of a long run: exit 130, no folder, no staging.
    let mut child = Command::new(bin())
        .current_dir(&dir)
        .args([
            "run",
            "--set",
            "map.width_cells=200",
            "--set",
            "map.height_cells=200",
            "--ticks",
            "100000",
            "--out",
            "long",
            "--quiet",
        ])
        .spawn()
        .unwrap();
    let staging = dir.join("long").join(format!(".partial-{}", child.id()));
    let start = std::time::Instant::now();
    while !staging.exists() && start.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(staging.exists(), "the run never started writing");
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!dir.join("long").exists(), "an interrupted run left its folder behind");
}

#[test]
fn with_format_json_every_error_is_one_json_document_on_standard_output() {
    let dir = temp_dir("json-errors");
    let file = repo().join(SUBSTATION);
    let file = file.to_str().unwrap();
    for (args, kind, want) in [
        (
            vec!["run", "--format", "json", "--set", "civilians.legitimacy=7"],
            "scenario",
            "expected a number from 0 to 1",
        ),
        (vec!["run", "--format", "json", "--ticks", "-1"], "command_line", "from 1 to 10000000, found -1"),
        (vec!["run", "--format", "json", "--threads", "0"], "command_line", "--threads"),
        (vec!["merge", "nowhere", "--out", "m", "--format", "json"], "bad_input", "nowhere does not exist"),
        (
            vec!["compare", file, "--vary", "command.model=a,a", "--reps", "1", "--format", "json"],
            "command_line",
            "given twice",
        ),
    ] {
        let out = mando(&dir, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{args:?}: not one JSON document ({e}): {}", String::from_utf8_lossy(&out.stdout))
        });
        assert_eq!(v["error"]["kind"], kind, "{args:?}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(want), "{args:?}: {v}");
        for key in ["file", "line", "column", "field"] {
            assert!(v["error"].get(key).is_some(), "{args:?}: no {key}");
        }
    }
    // A file's problem carries its place.
    let bad = crate::common::fixture("wrong_type.ron");
    let out = mando(&dir, &["run", bad.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["error"]["line"].as_u64(), v["error"]["field"].as_str()), (Some(4), Some("map.width_cells")), "{v}");
}

#[test]
fn messages_are_plain_words_with_short_excerpts_and_bounds() {
    let dir = temp_dir("plain-messages");
    let file = repo().join(SUBSTATION);
    let file = file.to_str().unwrap();
    let text = |args: &[&str]| {
        let out = mando(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let e = text(&["compare", file, "--vary", "command.model=1,2", "--reps", "1"]);
    assert!(!e.contains("raw identifier") && !e.contains("r#1") && e.contains("expected a name"), "{e}");
    let e = text(&["compare", file, "--vary", "command=1,2", "--reps", "1"]);
    assert!(!e.contains("Raw") && e.contains("command.model=unified"), "{e}");
    // A 5 MB token is not echoed back.
    let garbage = dir.join("garbage.ron");
    std::fs::write(&garbage, "x".repeat(5_000_000)).unwrap();
    let e = text(&["validate", garbage.to_str().unwrap()]);
    assert!(e.len() < 1000, "{} bytes of error", e.len());
    // Absurd tick counts are refused at once.
    let e = text(&["run", "--ticks", "4294967295"]);
    assert!(e.contains("from 1 to 10000000"), "{e}");
    let e = text(&["run", "--set", "metadata.ticks=4294967295"]);
    assert!(e.contains("expected at most 10000000 ticks"), "{e}");
    // A shard with no runs says so and writes nothing.
    let e = text(&[
        "compare",
        file,
        "--ticks",
        "5",
        "--vary",
        "command.model=pnp_lead,parallel",
        "--reps",
        "2",
        "--shard",
        "7/10",
        "--out",
        "s",
    ]);
    assert!(e.contains("shard 7/10 has no runs"), "{e}");
    assert!(!dir.join("s").exists());
}

#[test]
fn short_flags_examples_and_completions_follow_the_conventions() {
    let dir = temp_dir("conventions");
    // -q -o -j -s as cargo and ripgrep users expect.
    let out = mando(&dir, &["run", "--ticks", "5", "-q", "-o", "short", "-j", "1", "-s", "7"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "-q printed something");
    let summary: serde_json::Value = serde_json::from_slice(&read(&dir.join("short/summary.json"))).unwrap();
    assert_eq!(summary["seed"], 7);
    // Every verb's help has examples.
    for verb in ["run", "compare", "sweep", "merge", "report", "validate", "serve"] {
        let out = mando(&dir, &[verb, "--help"]);
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("EXAMPLES:") && help.contains(&format!("mando {verb}")), "{verb} --help has no examples");
    }
    // The help tells the truth about --quiet.
    let help = String::from_utf8_lossy(&mando(&dir, &["run", "--help"]).stdout).to_string();
    assert!(help.contains("no summary sentences (on standard output)"), "{help}");
    // Completions for the shells clap_complete knows, naming every verb.
    for shell in ["bash", "zsh", "fish"] {
        let out = mando(&dir, &["completions", shell]);
        assert!(out.status.success());
        let script = String::from_utf8_lossy(&out.stdout);
        for verb in ["run", "compare", "sweep", "merge", "report", "serve", "validate"] {
            assert!(script.contains(verb), "{shell} completions lack {verb}");
        }
    }
    assert_eq!(mando(&dir, &["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn a_sweep_writes_the_summary_tables_with_its_parameters_as_columns() {
    let dir = temp_dir("sweep-summary");
    let spec = dir.join("spec.ron");
    std::fs::write(
        &spec,
        format!(
            "Sweep(scenario: \"{}\", design: Grid, parameters: [(path: \"civilians.legitimacy\", values: [0.6, 0.9])], \
             replications: 3, seed: 5, ticks: 30)",
            repo().join("scenarios/epstein_classic.ron").display()
        ),
    )
    .unwrap();
    let out = mando(&dir, &["sweep", spec.to_str().unwrap(), "-o", "s", "-q"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8(read(&dir.join("s/summary.csv"))).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(&header[..5], ["metric", "condition", "label", "civilians.legitimacy", "n"]);
    let row = csv.lines().find(|l| l.starts_with("peak_active,1,")).unwrap_or_else(|| panic!("{csv}"));
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!((cells[3], cells[4]), ("0.9", "3"), "{row}");
    assert!(cells[5].parse::<f64>().is_ok() && cells[9].parse::<f64>().is_ok(), "mean and CI: {row}");
    let md = String::from_utf8(read(&dir.join("s/summary.md"))).unwrap();
    assert!(md.starts_with("# Sweep:") && !md.contains("baseline"), "{md}");
    assert!(dir.join("s/summary.json").is_file());
}

/// `--format json`'s document of a batch command that succeeded.
fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn batch_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = mando(dir, &[args, &["--format", "json", "-q"]].concat());
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
    serde_json::from_slice(&out.stdout).unwrap()
}

const TABLES: [&str; 5] = ["batch.json", "runs.csv", "runs.parquet", "summary.csv", "summary.json"];

#[test]
fn a_finished_comparison_grows_to_more_replications_and_values_running_only_what_is_missing() {
    let dir = temp_dir("grow-compare");
    let file = repo().join("scenarios/epstein_classic.ron");
    let compare = |values: &str, reps: &str, out: &str| {
        let vary = format!("civilians.legitimacy={values}");
        ["compare", file.to_str().unwrap(), "--vary", &vary, "--reps", reps, "--ticks", "30", "-o", out]
            .map(String::from)
    };
    let small = batch_json(&dir, &args(&compare("0.6,0.9", "2", "g")));
    assert_eq!((small["ran"].as_u64(), small["runs"].as_u64()), (Some(4), Some(4)));
    // A third value (in the middle) and twice the replications.
    let grown = batch_json(&dir, &args(&compare("0.6,0.75,0.9", "4", "g")));
    assert_eq!((grown["ran"].as_u64(), grown["runs"].as_u64()), (Some(8), Some(12)), "{grown}");
    let fresh = batch_json(&dir, &args(&compare("0.6,0.75,0.9", "4", "f")));
    assert_eq!(fresh["ran"].as_u64(), Some(12));
    assert_eq!(grown["fingerprint"], fresh["fingerprint"]);
    for name in TABLES {
        assert!(
            read(&dir.join("g").join(name)) == read(&dir.join("f").join(name)),
            "{name} differs from a fresh batch"
        );
    }
    // Asked again: nothing to run.
    assert_eq!(batch_json(&dir, &args(&compare("0.6,0.75,0.9", "4", "g")))["ran"].as_u64(), Some(0));
    // Fewer replications, or values that leave some out: refused, untouched.
    let before = read(&dir.join("g/runs.csv"));
    for (values, reps, says) in [("0.6,0.75,0.9", "3", "does not shrink"), ("0.6,0.9,0.95", "4", "not asked for")] {
        let out = mando(&dir, &args(&compare(values, reps, "g")));
        assert_eq!(out.status.code(), Some(2), "{values} × {reps}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says) && err.contains("another --out"), "{err}");
    }
    assert_eq!(read(&dir.join("g/runs.csv")), before);
}

#[test]
fn default_batch_folders_tell_settings_apart_and_a_larger_batch_grows_its_own() {
    let dir = temp_dir("grow-default");
    let file = repo().join("scenarios/epstein_classic.ron");
    let file = file.to_str().unwrap();
    let base = ["compare", file, "--ticks", "20", "--reps"];
    let legit = batch_json(&dir, &[&base[..], &["2", "--vary", "civilians.legitimacy=0.6,0.9"]].concat());
    let vision = batch_json(&dir, &[&base[..], &["2", "--vary", "civilians.vision_cells=3,5"]].concat());
    assert_ne!(legit["out"], vision["out"], "two settings, two folders");
    let more = batch_json(&dir, &[&base[..], &["3", "--vary", "civilians.legitimacy=0.6,0.9"]].concat());
    assert_eq!(more["out"], legit["out"], "the larger batch grows the first");
    assert_eq!(more["ran"].as_u64(), Some(2));
    assert_eq!(std::fs::read_dir(dir.join("runs")).unwrap().count(), 2);
}

#[test]
fn a_finished_sweep_grows_to_more_points_of_a_list() {
    let dir = temp_dir("grow-sweep");
    let spec = |values: &str, name: &str| {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(
                "Sweep(scenario: \"{}\", design: Grid, parameters: [(path: \"civilians.legitimacy\", values: [{values}])], \
                 replications: 3, seed: 5, ticks: 30)",
                repo().join("scenarios/epstein_classic.ron").display()
            ),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let (two, three) = (spec("0.6, 0.9", "two.ron"), spec("0.6, 0.75, 0.9", "three.ron"));
    assert_eq!(batch_json(&dir, &["sweep", &two, "-o", "g"])["ran"].as_u64(), Some(6));
    assert_eq!(batch_json(&dir, &["sweep", &three, "-o", "g"])["ran"].as_u64(), Some(3));
    assert_eq!(batch_json(&dir, &["sweep", &three, "-o", "f"])["ran"].as_u64(), Some(9));
    for name in TABLES {
        assert!(
            read(&dir.join("g").join(name)) == read(&dir.join("f").join(name)),
            "{name} differs from a fresh sweep"
        );
    }
}

#[test]
fn grown_shards_merge_into_the_larger_unsharded_batch() {
    let dir = temp_dir("grow-shards");
    let file = repo().join("scenarios/epstein_classic.ron");
    let compare = |values: &str, reps: &str, shard: Option<&str>, out: &str| {
        let vary = format!("civilians.legitimacy={values}");
        let mut a: Vec<String> = ["compare", file.to_str().unwrap(), "--vary", &vary, "--reps", reps, "--ticks", "20"]
            .map(String::from)
            .to_vec();
        if let Some(k) = shard {
            a.extend(["--shard".into(), k.into()]);
        }
        a.extend(["-o".into(), out.into()]);
        a
    };
    for k in ["1/2", "2/2"] {
        let out = format!("s{}", &k[..1]);
        batch_json(&dir, &args(&compare("0.6,0.9", "2", Some(k), &out)));
    }
    // 4 runs done; the larger batch has 9, of which shard 1 takes 5 and
    // shard 2 takes 4: 5 run here, the 4 done are kept.
    let ran: u64 = ["1/2", "2/2"]
        .iter()
        .map(|k| {
            let out = format!("s{}", &k[..1]);
            batch_json(&dir, &args(&compare("0.6,0.8,0.9", "3", Some(k), &out)))["ran"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(ran, 5);
    batch_json(&dir, &["merge", "s1", "s2", "-o", "m"]);
    batch_json(&dir, &args(&compare("0.6,0.8,0.9", "3", None, "u")));
    for name in TABLES {
        assert!(read(&dir.join("m").join(name)) == read(&dir.join("u").join(name)), "{name} differs");
    }
}
