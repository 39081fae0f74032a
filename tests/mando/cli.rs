//! The command line as users and scripts meet it: exit codes, what goes
//! where, and nothing written when the input is bad.

use std::process::{Command, Output};

use crate::common::*;

fn mando(args: &[&str], cwd: &std::path::Path) -> Output {
    Command::new(bin()).args(args).current_dir(cwd).output().expect("mando runs")
}

#[test]
fn run_without_a_file_runs_the_built_in_default_from_any_folder() {
    let dir = temp_dir("cli-default");
    let out = mando(&["run", "--ticks", "20", "--quiet"], &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // `--ticks` changes the run: the folder name carries a fingerprint.
    let runs: Vec<_> = std::fs::read_dir(dir.join("runs")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(runs.len(), 1);
    let run_dir = runs[0].clone();
    let name = run_dir.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("epstein_classic-20020514-") && name.len() == "epstein_classic-20020514-".len() + 8,
        "{name}"
    );
    for f in OUTPUT_FILES {
        assert!(run_dir.join(f).is_file(), "{f} missing");
    }
    let csv = String::from_utf8(read(&run_dir.join("timeseries.csv"))).unwrap();
    assert!(csv.starts_with("tick,quiescent,active,jailed,"));
    assert_eq!(csv.lines().count(), 22, "header, tick 0 and 20 ticks");
    // No staging folder left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&run_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn timings_go_to_standard_error_and_leave_the_outputs_alone() {
    let dir = temp_dir("cli-timings");
    let plain = mando(&["run", "--ticks", "30", "--quiet", "--out", "plain"], &dir);
    let timed = mando(&["run", "--ticks", "30", "--quiet", "--timings", "--out", "timed"], &dir);
    assert!(plain.status.success() && timed.status.success());
    let stderr = String::from_utf8_lossy(&timed.stderr);
    assert!(stderr.contains("mean of 30 ticks"), "{stderr}");
    for phase in ["inject", "sense", "decide", "command", "act", "move", "resolve", "record", "maintain", "tick"] {
        assert!(stderr.lines().any(|l| l.trim_start().starts_with(phase) && l.ends_with('%')), "{phase}: {stderr}");
    }
    assert!(plain.stderr.is_empty() && timed.stdout == plain.stdout);
    for f in OUTPUT_FILES {
        assert_eq!(read(&dir.join("plain").join(f)), read(&dir.join("timed").join(f)), "{f}");
    }
}

#[test]
fn one_two_and_three_threads_write_the_same_bytes() {
    // 63,000 civilians: above the size where the threads are used; 7,200
    // officers, well above the 4,096 at which their phases are cut in
    // chunks too (each chunk claiming cells in its own zone).
    let dir = temp_dir("cli-threads");
    let common = [
        "run",
        "--ticks",
        "25",
        "--seed",
        "8",
        "--quiet",
        "--set",
        "map.width_cells=300",
        "--set",
        "map.height_cells=300",
        "--set",
        "police.density=0.08",
        "--set",
        "rules.activation=Synchronous",
    ];
    for t in ["1", "2", "3"] {
        let mut args = common.to_vec();
        let out_dir = format!("t{t}");
        args.extend(["--threads", t, "--out", &out_dir]);
        let out = mando(&args, &dir);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    for f in OUTPUT_FILES {
        assert!(read(&dir.join("t1").join(f)) == read(&dir.join("t2").join(f)), "{f} differs with 2 threads");
        assert!(read(&dir.join("t1").join(f)) == read(&dir.join("t3").join(f)), "{f} differs with 3 threads");
    }
}

#[test]
fn a_bad_scenario_exits_2_names_the_place_and_writes_nothing() {
    let dir = temp_dir("cli-bad");
    let file = fixture("out_of_range.ron");
    let out = mando(&["run", file.to_str().unwrap(), "--out", "never"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("out_of_range.ron:6:21: civilians.legitimacy: expected a number from 0 to 1, found 1.5"),
        "{err}"
    );
    assert!(err.contains("out_of_range.ron:10:28: police.vision_cells"), "{err}");
    assert!(!dir.join("never").exists(), "output folder created for bad input");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_bad_override_exits_2() {
    let dir = temp_dir("cli-bad-set");
    let out = mando(&["run", "--set", "civilians.legitimacy=high", "--out", "never"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--set civilians.legitimacy=high"));
    assert!(!dir.join("never").exists());
}

#[test]
fn json_format_prints_only_json_on_stdout() {
    let dir = temp_dir("cli-json");
    let out = mando(&["run", "--ticks", "10", "--format", "json", "--set", "civilians.legitimacy=0.7"], &dir);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(v["scenario"], "epstein_classic");
    assert_eq!(v["ticks"], 10);
    assert_eq!(v["parameters"]["civilians"]["legitimacy"], 0.7, "parameters are recorded after overrides");
    assert!(v["metrics"]["total_arrests"].is_u64());
}

#[test]
fn validate_checks_every_file_and_exits_2_if_any_is_bad() {
    let dir = temp_dir("cli-validate");
    let good = repo().join("scenarios/epstein_classic.ron");
    let bad = fixture("unknown_field.ron");
    let out = mando(&["validate", good.to_str().unwrap(), bad.to_str().unwrap(), "--format", "json"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[1]["valid"], false);
    assert_eq!(v[1]["problems"][0]["line"], 6);
    assert_eq!(v[1]["problems"][0]["column"], 9);
    assert_eq!(v[1]["problems"][0]["field"], "civilians.legitimcy");
}

#[test]
fn an_unwritable_output_folder_is_an_error_not_a_panic() {
    let dir = temp_dir("cli-unwritable");
    std::fs::write(dir.join("a_file"), b"x").unwrap();
    let out = mando(&["run", "--ticks", "5", "--quiet", "--out", "a_file/run"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write outputs"));
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = temp_dir("cli-pipe");
    let mut child = Command::new(bin())
        .args(["run", "--ticks", "5", "--format", "json", "--out", "o"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then hang up, as `| head -c 1` would.
    let mut out = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    out.read_exact(&mut byte).unwrap();
    drop(out);
    let status = child.wait().unwrap();
    assert_ne!(status.code(), Some(101), "panicked on a closed pipe");
}

#[test]
fn a_rerun_into_the_same_folder_replaces_every_file() {
    let dir = temp_dir("cli-rerun");
    // Another run into the same folder takes --force (tests/mando/contract.rs).
    for (seed, force) in [("1", None), ("2", Some("--force"))] {
        let mut args = vec!["run", "--ticks", "10", "--seed", seed, "--quiet", "--out", "same"];
        args.extend(force);
        let out = mando(&args, &dir);
        assert!(out.status.success());
    }
    let summary: serde_json::Value = serde_json::from_slice(&read(&dir.join("same/summary.json"))).unwrap();
    assert_eq!(summary["seed"], 2);
    let fresh = temp_dir("cli-rerun-fresh");
    mando(&["run", "--ticks", "10", "--seed", "2", "--quiet", "--out", "alone"], &fresh);
    for f in OUTPUT_FILES {
        assert!(read(&dir.join("same").join(f)) == read(&fresh.join("alone").join(f)), "{f} differs");
    }
}

#[test]
fn a_command_model_set_on_the_command_line_runs_and_is_reported() {
    let dir = temp_dir("cli-model");
    let file = repo().join("scenarios/mining_corridor_blockade.ron");
    let out =
        mando(&["run", file.to_str().unwrap(), "--ticks", "400", "--set", "command.model=unified", "--out", "o"], &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("under the unified command arrangement"), "{text}");
    let summary: serde_json::Value = serde_json::from_slice(&read(&dir.join("o/summary.json"))).unwrap();
    let minute = summary["metrics"]["operation"]["minutes_to_emergency_declaration"].as_f64();
    let minute = minute.expect("declared within the run");
    let declared = format!("A state of exception took effect {} in.", mando::metrics::headline::duration(minute));
    assert!(text.contains(&declared), "{text}");
    assert_eq!(summary["parameters"]["command"]["model"], "unified");
    assert_eq!(summary["metrics"]["operation"]["final_arrangement"], "unified");
    let csv = String::from_utf8(read(&dir.join("o/timeseries.csv"))).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",regime,orders_issued,orders_delivered,transmissions_lost,conflicting_orders,violations,units_on_operations,messages_in_flight,dead,injured,force_events,phase"), "{header}");
    // The emergency is in force from that minute on, named as
    // summary.json names it.
    let tick = (minute / 5.0) as usize;
    let regime_at = |tick: usize| csv.lines().nth(tick + 1).unwrap().split(',').nth(7).unwrap().to_string();
    assert_eq!(regime_at(tick - 1), "normal");
    assert_eq!(regime_at(tick), "emergency_support");
    // Agencies are named in events as in summary.json's figures and the
    // casualties' sides.
    let events = String::from_utf8(read(&dir.join("o/events.jsonl"))).unwrap();
    let named: Vec<serde_json::Value> = events
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e.get("agency").is_some())
        .collect();
    assert!(named.iter().any(|e| e["kind"] == "use_of_force"), "no use of force in 240 ticks");
    for e in &named {
        assert!(e["agency"] == "pnp" || e["agency"] == "ffaa", "{e}");
    }
}

/// Progress for logs (issue 20, item 5): with standard error not a
/// terminal, plain lines (the last says it is done), never a bar's control
/// codes; nothing with `--quiet`.
#[test]
fn progress_goes_to_a_log_as_plain_lines_and_quiet_silences_it() {
    let dir = temp_dir("cli-progress");
    let out = mando(&["run", "--ticks", "40", "--out", "talk"], &dir);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.lines().last().is_some_and(|l| l.starts_with("done: tick 40/40 (100%)")), "{stderr}");
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\r'), "terminal codes in a log: {stderr:?}");
    let quiet = mando(&["run", "--ticks", "40", "--quiet", "--out", "hush"], &dir);
    assert!(quiet.stderr.is_empty() && quiet.stdout.is_empty());
}

/// `--threads` beyond any machine is refused with a message and exit 2,
/// never an abort (100,000 used to abort allocating thread stacks).
#[test]
fn absurd_thread_counts_are_refused_not_crashed_on() {
    let dir = temp_dir("cli-threads");
    let file = repo().join("scenarios/epstein_classic.ron");
    let file = file.to_str().unwrap();
    for args in [
        vec!["run", "--threads", "100000", "--ticks", "5", "--out", "r"],
        vec![
            "compare",
            file,
            "--vary",
            "civilians.legitimacy=0.8,0.9",
            "--reps",
            "1",
            "--threads",
            "100000",
            "--out",
            "c",
        ],
    ] {
        let out = mando(&args, &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--threads: 100000 is more than 1024"), "{err}");
        assert!(!dir.join(args[args.len() - 1]).exists(), "nothing written");
    }
}
