//! Batches: common random numbers, thread-independence, resume after a
//! kill, shards that merge into the whole, Parquet that reads back, and
//! sweep specs checked like scenarios.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::*;

fn mando(args: &[&str]) -> Output {
    Command::new(bin()).args(args).current_dir(repo()).output().expect("mando runs")
}

fn ok(args: &[&str]) -> Output {
    let out = mando(args);
    assert!(out.status.success(), "mando {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn text(path: &Path) -> String {
    String::from_utf8(read(path)).unwrap()
}

/// `runs.csv` as maps from column to value.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let t = text(path);
    let mut lines = t.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(str::to_string).collect();
    lines.map(|l| header.iter().cloned().zip(l.split(',').map(str::to_string)).collect()).collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const SMALL_GRID: &str = "tests/fixtures/sweeps/small_grid.ron";

#[test]
fn a_replication_in_a_comparison_is_the_single_run_with_its_seed() {
    let dir = temp_dir("batch-crn");
    let out = dir.join("cmp");
    ok(&[
        "compare",
        "scenarios/mining_corridor_blockade.ron",
        "--vary",
        "command.model=pnp_lead,unified",
        "--reps",
        "2",
        "--ticks",
        "80",
        "--quiet",
        "--out",
        s(&out),
    ]);
    let rows = csv_rows(&out.join("runs.csv"));
    assert_eq!(rows.len(), 4);
    // The same replication has the same seed under both conditions.
    assert_eq!(rows[0]["seed"], rows[2]["seed"]);
    assert_ne!(rows[0]["seed"], rows[1]["seed"]);
    for row in [&rows[1], &rows[2]] {
        let single = dir.join(format!("single-{}", row["run"]));
        let o = ok(&[
            "run",
            "scenarios/mining_corridor_blockade.ron",
            "--seed",
            &row["seed"],
            "--ticks",
            "80",
            "--set",
            &format!("command.model={}", row["command.model"]),
            "--format",
            "json",
            "--out",
            s(&single),
        ]);
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(row["final_state_hash"], summary["final_state_hash"].as_str().unwrap());
        let m = &summary["metrics"];
        for (col, value) in [
            ("total_arrests", &m["total_arrests"]),
            ("mean_active", &m["mean_active"]),
            ("operation.orders_issued", &m["operation"]["orders_issued"]),
            (
                "operation.conflict.harm_totals.civilian.injured",
                &m["operation"]["conflict"]["harm_totals"]["civilian"]["injured"],
            ),
        ] {
            assert_eq!(row[col].parse::<f64>().unwrap(), value.as_f64().unwrap(), "{col}");
        }
    }
}

#[test]
fn a_batch_writes_the_same_bytes_with_one_and_two_threads() {
    let dir = temp_dir("batch-threads");
    let mut files = Vec::new();
    for t in ["1", "2"] {
        let out = dir.join(format!("t{t}"));
        ok(&[
            "compare",
            "scenarios/epstein_classic.ron",
            "--vary",
            "civilians.legitimacy=0.8,0.9",
            "--reps",
            "3",
            "--ticks",
            "40",
            "--threads",
            t,
            "--quiet",
            "--out",
            s(&out),
        ]);
        files.push(
            ["runs.csv", "runs.parquet", "summary.csv", "summary.json", "summary.md"].map(|f| read(&out.join(f))),
        );
    }
    assert!(files[0] == files[1], "outputs differ between 1 and 2 threads");
}

#[test]
fn a_sweep_resumes_after_a_torn_write_without_redoing_runs() {
    let dir = temp_dir("batch-torn");
    let whole = dir.join("whole");
    ok(&["sweep", SMALL_GRID, "--quiet", "--out", s(&whole)]);
    let log = text(&whole.join("runs.jsonl"));
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 12);

    // A folder as a kill in the middle of the fifth write leaves it.
    let cut = dir.join("cut");
    std::fs::create_dir_all(&cut).unwrap();
    std::fs::copy(whole.join("batch.json"), cut.join("batch.json")).unwrap();
    let half = &lines[4][..lines[4].len() / 2];
    std::fs::write(cut.join("runs.jsonl"), format!("{}\n{half}", lines[..4].join("\n"))).unwrap();

    ok(&["sweep", SMALL_GRID, "--quiet", "--out", s(&cut)]);
    let resumed = text(&cut.join("runs.jsonl"));
    assert_eq!(resumed.lines().count(), 12, "every run logged exactly once");
    assert!(resumed.starts_with(&lines[..4].join("\n")), "finished runs kept, not redone");
    for f in ["runs.csv", "runs.parquet"] {
        assert!(read(&whole.join(f)) == read(&cut.join(f)), "{f} differs after resume");
    }
}

#[test]
fn a_sweep_killed_at_any_moment_finishes_with_every_run_once() {
    let dir = temp_dir("batch-kill");
    let whole = dir.join("whole");
    let spec = "scenarios/sweeps/epstein_legitimacy_lhs.ron";
    ok(&["sweep", spec, "--quiet", "--threads", "2", "--out", s(&whole)]);
    let total = text(&whole.join("runs.jsonl")).lines().count();

    let out = dir.join("killed");
    let mut child = Command::new(bin())
        .args(["sweep", spec, "--quiet", "--threads", "2", "--out", s(&out)])
        .current_dir(repo())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for a few runs to be logged, then kill -9.
    let log = out.join("runs.jsonl");
    let start = std::time::Instant::now();
    while std::fs::read(&log).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()) < 3
        && start.elapsed() < std::time::Duration::from_secs(60)
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let before = std::fs::read(&log).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
    assert!(!out.join("runs.csv").exists() || before == total, "tables appear only when the batch is complete");

    ok(&["sweep", spec, "--quiet", "--threads", "2", "--out", s(&out)]);
    assert_eq!(text(&log).lines().count(), total, "every run logged exactly once");
    assert!(read(&whole.join("runs.csv")) == read(&out.join("runs.csv")));
}

#[test]
fn shards_merge_into_the_whole_batch_row_for_row() {
    let dir = temp_dir("batch-shards");
    let whole = dir.join("whole");
    let args = |out: &Path, shard: Option<&str>| {
        let mut a = vec![
            "compare".to_string(),
            "scenarios/epstein_classic.ron".into(),
            "--vary".into(),
            "civilians.legitimacy=0.75,0.85".into(),
            "--vary".into(),
            "police.density=0.02,0.04".into(),
            "--reps".into(),
            "3".into(),
            "--ticks".into(),
            "30".into(),
            "--quiet".into(),
            "--out".into(),
            s(out).to_string(),
        ];
        if let Some(k) = shard {
            a.extend(["--shard".to_string(), k.to_string()]);
        }
        a
    };
    let run = |a: Vec<String>| ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    run(args(&whole, None));
    let shards: Vec<_> = (1..=3).map(|k| dir.join(format!("shard{k}"))).collect();
    for (k, d) in shards.iter().enumerate() {
        run(args(d, Some(&format!("{}/3", k + 1))));
        assert!(!d.join("summary.csv").exists(), "a shard alone has no summary");
    }
    let sizes: Vec<usize> = shards.iter().map(|d| csv_rows(&d.join("runs.csv")).len()).collect();
    assert_eq!(sizes, vec![4, 4, 4]);

    // Two shards are not the whole batch.
    let merged = dir.join("merged");
    let partial = mando(&["merge", s(&shards[0]), s(&shards[1]), "--out", s(&merged)]);
    assert_eq!(partial.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&partial.stderr).contains("4 of 12 runs are missing"));

    ok(&["merge", s(&shards[0]), s(&shards[1]), s(&shards[2]), "--out", s(&merged), "--quiet"]);
    for f in ["runs.csv", "runs.parquet", "summary.csv", "summary.json", "summary.md"] {
        assert!(read(&whole.join(f)) == read(&merged.join(f)), "{f} differs");
    }
}

#[test]
fn a_folder_of_another_batch_is_refused_not_mixed() {
    let dir = temp_dir("batch-other");
    let out = dir.join("b");
    let common = ["sweep", "tests/fixtures/sweeps/list.ron", "--quiet", "--out", s(&out)];
    ok(&common);
    let o = mando(&["sweep", "tests/fixtures/sweeps/lhs.ron", "--quiet", "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("holds another batch"));
    assert_eq!(csv_rows(&out.join("runs.csv")).len(), 4, "the first batch's tables untouched");
}

#[test]
fn parquet_holds_the_same_table_as_csv() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let dir = temp_dir("batch-parquet");
    let out = dir.join("p");
    ok(&["sweep", "tests/fixtures/sweeps/list.ron", "--quiet", "--out", s(&out)]);
    let rows = csv_rows(&out.join("runs.csv"));
    let reader = SerializedFileReader::new(std::fs::File::open(out.join("runs.parquet")).unwrap()).unwrap();
    let meta = reader.metadata().file_metadata();
    assert_eq!(meta.num_rows(), rows.len() as i64);
    let header: Vec<String> =
        text(&out.join("runs.csv")).lines().next().unwrap().split(',').map(str::to_string).collect();
    let names: Vec<String> = meta.schema_descr().columns().iter().map(|c| c.name().to_string()).collect();
    assert_eq!(names, header);
    for (row, csv) in reader.get_row_iter(None).unwrap().zip(&rows) {
        let row = row.unwrap();
        for (name, field) in row.get_column_iter() {
            let want = &csv[name];
            let got = match field {
                parquet::record::Field::Long(v) => v.to_string(),
                parquet::record::Field::Double(v) => v.to_string(),
                parquet::record::Field::Str(v) => v.clone(),
                parquet::record::Field::Null => String::new(),
                other => panic!("unexpected {other:?} in {name}"),
            };
            assert_eq!(&got, want, "{name}");
        }
    }
    // The list design: its points in order, missing values left empty.
    assert_eq!(rows[0]["civilians.legitimacy"], "0.9");
    assert_eq!(rows[2]["civilians.legitimacy"], "0.7");
    assert_eq!(rows[2]["police.density"], "");
}

#[test]
fn a_latin_hypercube_puts_one_sample_in_every_stratum() {
    let dir = temp_dir("batch-lhs");
    let out = dir.join("l");
    ok(&["sweep", "tests/fixtures/sweeps/lhs.ron", "--quiet", "--out", s(&out)]);
    let rows = csv_rows(&out.join("runs.csv"));
    assert_eq!(rows.len(), 10);
    for (col, lo, hi) in [("civilians.legitimacy", 0.5, 1.0), ("police.density", 0.01, 0.05)] {
        let mut strata: Vec<usize> =
            rows.iter().map(|r| ((r[col].parse::<f64>().unwrap() - lo) / (hi - lo) * 10.0) as usize).collect();
        strata.sort();
        assert_eq!(strata, (0..10).collect::<Vec<_>>(), "{col}");
    }
}

#[test]
fn bad_sweep_specs_are_reported_with_their_place_and_field() {
    let cases: [(&str, &[&str]); 7] = [
        ("bad_twice.ron", &["bad_twice.ron:6:48: parameters[0].values: `0.6` is in the list twice"]),
        ("bad_twice_points.ron", &["bad_twice_points.ron:8:9: points[2]: the same point as points[0]"]),
        (
            "bad_integer.ron",
            &["bad_integer.ron:4:58: parameters[0].range: `integer: true` but (2.2, 2.8) holds no whole number"],
        ),
        ("bad_syntax.ron", &["bad_syntax.ron:6:5: parameters[0]: expected comma"]),
        ("bad_unknown_field.ron", &["bad_unknown_field.ron:6:5: repetitions: unknown field `repetitions`"]),
        (
            "bad_values.ron",
            &[
                "bad_values.ron:8:19: replications: expected from 1 to 10000000 replications, found 0",
                "bad_values.ron:5:47: parameters[0].range: expected (min, max) with min <= max",
                "bad_values.ron:6:9: parameters[1].steps: a range in a Grid design needs `steps`",
            ],
        ),
        (
            "bad_scenario_value.ron",
            &[
                "bad_scenario_value.ron:5:9: civilians.legitimacy=1.5: civilians.legitimacy: expected a number from 0 to 1",
                "bad_scenario_value.ron:6:9: civilians.no_such_field=1: civilians.no_such_field: unknown field",
            ],
        ),
    ];
    for (file, expected) in cases {
        let dir = temp_dir(&format!("batch-bad-{file}"));
        let out = dir.join("out");
        let o = mando(&["sweep", &format!("tests/fixtures/sweeps/{file}"), "--quiet", "--out", s(&out)]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        for e in expected {
            assert!(err.contains(e), "{file}: expected `{e}` in:\n{err}");
        }
        assert!(!out.exists(), "{file}: nothing written for bad input");
    }
}

#[test]
fn bad_compare_arguments_name_the_argument() {
    let dir = temp_dir("batch-bad-args");
    let out = dir.join("out");
    for (args, expected) in [
        (
            vec!["--vary", "civilians.legitimacy=0.5,2"],
            "--vary civilians.legitimacy=2: civilians.legitimacy: expected a number from 0 to 1",
        ),
        (vec!["--vary", "civilians.legitimacy=0.5,,0.6"], "no empty value"),
        (
            vec!["--vary", "civilians.legitimacy=0.5", "--baseline", "civilians.legitimacy=0.7"],
            "no condition has these values",
        ),
        (vec!["--vary", "civilians.legitimacy=0.5", "--shard", "3/2"], "--shard"),
        (vec!["--vary", "civilians.legitimacy=0.5", "--reps", "0"], "--reps"),
        (vec!["--vary", "metadata.seed=1,2"], "a batch sets each run's seed from its replication"),
        (vec!["--vary", "civilians.legitimacy=0.5", "--set", "metadata.seed=4"], "give the master seed with --seed"),
        (vec!["--vary", "civilians.legitimacy=0.5,0.6", "--reps", "99999999999"], "is more than 10000000 runs"),
    ] {
        let mut a = vec!["compare", "scenarios/epstein_classic.ron", "--quiet", "--out", s(&out)];
        a.extend(args);
        let o = mando(&a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {err}");
        assert!(err.contains(expected), "{a:?}: expected `{expected}` in:\n{err}");
        assert!(!out.exists());
    }
}

#[test]
fn compare_json_is_one_document_with_the_summary() {
    let dir = temp_dir("batch-json");
    let out = dir.join("j");
    let o = ok(&[
        "compare",
        "scenarios/highland_airport_protest.ron",
        "--vary",
        "force.area_effects=true,false",
        "--reps",
        "2",
        "--ticks",
        "60",
        "--format",
        "json",
        "--out",
        s(&out),
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["runs"], 4);
    assert_eq!(doc["complete"], true);
    let summary = &doc["summary"];
    assert_eq!(summary["conditions"].as_array().unwrap().len(), 2);
    let deaths = summary["metrics"].as_array().unwrap().iter().find(|m| m["metric"] == "headline.deaths").unwrap();
    assert!(deaths["conditions"][0]["vs_baseline"].is_null(), "the baseline is not compared with itself");
    assert!(deaths["conditions"][1]["vs_baseline"]["n"] == 2);
    assert!(!summary["pareto"]["front"].as_array().unwrap().is_empty());
}

#[test]
fn the_sweep_spec_in_the_docs_is_valid() {
    let doc = text(&repo().join("docs/sweeps.md"));
    let spec = doc.split("```ron\n").nth(1).and_then(|s| s.split("```").next()).expect("a RON example");
    let scenario = repo().join("scenarios/mining_corridor_blockade.ron");
    let spec = spec.replace("\"../mining_corridor_blockade.ron\"", &format!("{:?}", scenario.display().to_string()));
    let dir = temp_dir("batch-doc-spec");
    let path = dir.join("spec.ron");
    std::fs::write(&path, spec).unwrap();
    let sweep = mando::batch::design::load(&path).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(sweep.conditions.len(), 27);
    let written_as = |c: usize, p: &str, v: &str| sweep.written_as(c, p, v);
    let batch = mando::batch::prepare(sweep.input(&written_as, mando::batch::Shard::WHOLE));
    let batch = batch.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(batch.plan.runs_total, 27 * 5);
    assert!(batch.scenarios.iter().all(|s| s.law.as_ref().is_some_and(|l| l.enforce)));
}

#[test]
fn time_to_restore_order_is_counted_to_the_end_of_each_conditions_own_run() {
    let dir = temp_dir("batch-run-length");
    let out = dir.join("t");
    ok(&[
        "compare",
        "scenarios/highland_airport_protest.ron",
        "--vary",
        "metadata.ticks=30,90",
        "--set",
        "metadata.minutes_per_tick=1.0",
        "--set",
        "crowd.day.clock_at_start=11.0",
        "--reps",
        "2",
        "--quiet",
        "--out",
        s(&out),
    ]);
    let mut crises = 0;
    for row in csv_rows(&out.join("runs.csv")) {
        let minutes: f64 = row["metadata.ticks"].parse().unwrap(); // one minute a tick
        let t: f64 = row["headline.minutes_to_restore_order_or_end"].parse().unwrap();
        assert!((0.0..=minutes).contains(&t), "{t} outside 0..={minutes}");
        let censored = row["operation.conflict.order_restored_censored"] == "1"; // a flag in the table
        if row["operation.conflict.first_crisis_minute"].is_empty() {
            assert_eq!(t, 0.0, "no crisis, nothing to restore");
            assert!(!censored);
        } else if row["operation.conflict.minutes_to_restore_order"].is_empty() {
            crises += 1;
            let crisis: f64 = row["operation.conflict.first_crisis_minute"].parse().unwrap();
            assert_eq!(t, minutes - crisis, "censored at the end of the run");
            assert!(censored, "a crisis without order restored is censored");
        } else {
            assert!(!censored);
        }
        assert_eq!(row["headline.order_not_restored"], if censored { "1" } else { "0" });
    }
    assert!(crises > 0, "the test needs runs with a crisis");
}

#[test]
fn merging_a_folder_that_is_not_a_batch_is_bad_input_and_writes_nothing() {
    let dir = temp_dir("batch-merge-bad");
    let plain = dir.join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    let out = dir.join("merged");
    let o = mando(&["merge", s(&plain), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a batch folder"));
    assert!(!out.exists());
}
