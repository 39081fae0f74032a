//! Golden outputs: a run of every shipped scenario (its whole length, a
//! few hundredths of a second each; the classic one for 150 ticks under
//! each engine) must keep giving the same `summary.json` and the same bytes
//! of `events.jsonl` and `timeseries.csv`. A change here is a change in model behaviour: if it is
//! meant, regenerate with `MANDO_BLESS=1 cargo test golden` and explain the
//! diff in the commit.
//!
//! *Pattern:* `tests/golden/<case>.json` holds the summary (its
//! `mando_version` nulled: releases may differ) and, for the two larger
//! files, their line count, byte count, lines by event kind and FNV-1a
//! 64-bit digest. *Reasoning:* the summary is small enough to read in a
//! diff; the other files are too big to keep in version control, but their
//! digests catch any change to a byte, and the counts say roughly what
//! changed. When a digest differs the run's files are kept and their
//! folder is printed, to compare against a run of the previous commit.

use std::collections::BTreeMap;
use std::path::Path;

use mando::metrics::output::{EVENTS, SUMMARY, TIMESERIES};
use mando::sim::SimOptions;
use serde_json::{Value, json};

use crate::common::*;

/// The most changed lines a failing golden prints.
const MAX_DIFF_LINES: usize = 40;

/// Runs `file` with `sets` and compares its outputs with `tests/golden/<name>.json`.
fn check(name: &str, file: &str, sets: &[&str]) {
    let s = shipped(file, sets);
    let dir = temp_dir(&format!("golden-{name}"));
    mando::runner::run(&s, SimOptions::default(), Some(&dir), |_| {}).unwrap();
    let mut summary: Value = serde_json::from_slice(&read(&dir.join(SUMMARY))).unwrap();
    summary["mando_version"] = Value::Null; // releases may differ
    let actual = json!({
        "summary": summary,
        EVENTS: digest(&dir.join(EVENTS), true),
        TIMESERIES: digest(&dir.join(TIMESERIES), false),
    });
    let actual = serde_json::to_string_pretty(&actual).unwrap() + "\n";
    let path = repo().join("tests").join("golden").join(format!("{name}.json"));
    if std::env::var_os("MANDO_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} missing: run with MANDO_BLESS=1", path.display()));
    if expected != actual {
        let diff = line_diff(&expected, &actual, MAX_DIFF_LINES);
        panic!("{name} changed (this run's outputs are in {}):\n{}", dir.display(), diff.join("\n"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Line count, byte count, FNV-1a 64 (hex) of a file and, for an events
/// file, its lines by `kind`.
fn digest(path: &Path, by_kind: bool) -> Value {
    let bytes = read(path);
    let text = String::from_utf8(bytes).expect("outputs are UTF-8");
    let mut d = json!({
        "lines": text.lines().count(),
        "bytes": text.len(),
        "fnv1a64": format!("{:016x}", fnv1a64(text.as_bytes())),
    });
    if by_kind {
        let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).expect("an events line is JSON");
            *kinds.entry(v["kind"].as_str().unwrap_or("?").to_string()).or_default() += 1;
        }
        d["kinds"] = json!(kinds);
    }
    d
}

/// The 64-bit FNV-1a hash of `bytes` (the standard one, so any tool can
/// check a digest); kept here rather than borrowed from the crate, so that
/// a change to the crate's own hashing cannot move the goldens.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The lines that differ between `expected` and `actual`, from a longest
/// common subsequence: `- line` only in `expected`, `+ line` only in
/// `actual`, and before each run of changes `@@ -a +b`, its first line
/// numbers in each. An inserted line is one `+`, not a misalignment of
/// everything after it. At most `max` changed lines, then how many more.
fn line_diff(expected: &str, actual: &str, max: usize) -> Vec<String> {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // Common ends need no table.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let (n, m) = (ma.len(), mb.len());
    // lcs[i * (m + 1) + j]: the longest common subsequence of ma[i..] and
    // mb[j..]. Past a few million cells, every middle line counts as changed.
    let table = (n + 1).saturating_mul(m + 1) <= 1 << 24;
    let mut lcs = vec![0u32; if table { (n + 1) * (m + 1) } else { 0 }];
    if table {
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * (m + 1) + j] = if ma[i] == mb[j] {
                    lcs[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
                };
            }
        }
    }
    let at = |i: usize, j: usize| if table { lcs[i * (m + 1) + j] } else { 0 };
    let (mut out, mut changed, mut in_hunk) = (Vec::new(), 0usize, false);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && ma[i] == mb[j] && at(i, j) == at(i + 1, j + 1) + 1 {
            (i, j, in_hunk) = (i + 1, j + 1, false);
            continue;
        }
        if !in_hunk && changed < max {
            out.push(format!("@@ -{} +{}", prefix + i + 1, prefix + j + 1));
            in_hunk = true;
        }
        // Removals before insertions, so that a changed line reads - then +.
        let line = if i < n && (j == m || at(i + 1, j) >= at(i, j + 1)) {
            i += 1;
            format!("- {}", ma[i - 1])
        } else {
            j += 1;
            format!("+ {}", mb[j - 1])
        };
        if changed < max {
            out.push(line);
        }
        changed += 1;
    }
    if changed > max {
        out.push(format!("… and {} more changed lines", changed - max));
    }
    out
}

/// Each golden: its name (a shipped scenario's, with a suffix for a
/// variant), the scenario file and the overrides of the run.
const CASES: &[(&str, &str, &[&str])] = &[
    ("epstein_classic", "epstein_classic.ron", &["metadata.ticks=150"]),
    ("epstein_classic_synchronous", "epstein_classic.ron", &["metadata.ticks=150", "rules.activation=Synchronous"]),
    ("epstein_legitimacy_cut", "epstein_legitimacy_cut.ron", &["metadata.ticks=200"]),
    ("epstein_salami_tactics", "epstein_salami_tactics.ron", &["metadata.ticks=200"]),
    ("highland_airport_protest", "highland_airport_protest.ron", &["metadata.ticks=720"]),
    ("mining_corridor_blockade", "mining_corridor_blockade.ron", &["metadata.ticks=720"]),
    ("substation_under_threat", "substation_under_threat.ron", &[]),
];

fn check_case(name: &str) {
    let &(_, file, sets) = CASES.iter().find(|c| c.0 == name).expect("a golden case");
    check(name, file, sets);
}

#[test]
fn epstein_classic_is_unchanged() {
    check_case("epstein_classic");
}

#[test]
fn epstein_classic_synchronous_is_unchanged() {
    check_case("epstein_classic_synchronous");
}

#[test]
fn epstein_legitimacy_cut_is_unchanged() {
    check_case("epstein_legitimacy_cut");
}

#[test]
fn epstein_salami_tactics_is_unchanged() {
    check_case("epstein_salami_tactics");
}

#[test]
fn highland_airport_protest_is_unchanged() {
    check_case("highland_airport_protest");
}

#[test]
fn mining_corridor_blockade_is_unchanged() {
    check_case("mining_corridor_blockade");
}

#[test]
fn substation_under_threat_is_unchanged() {
    check_case("substation_under_threat");
}

#[test]
fn every_shipped_scenario_has_a_golden() {
    for entry in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".ron") {
            assert!(
                CASES.iter().any(|c| c.0 == stem && c.1 == name),
                "{name} has no golden: add a case and its test to tests/mando/golden.rs and bless it"
            );
        }
    }
}

#[test]
fn the_diff_shows_an_inserted_line_as_one_plus() {
    let diff = line_diff("a\nb\nc\nd\n", "a\nb\nnew\nc\nd\n", 10);
    assert_eq!(diff, ["@@ -3 +3", "+ new"]);
}

#[test]
fn the_diff_shows_removed_and_changed_lines() {
    assert_eq!(line_diff("a\nb\nc\n", "a\nc\n", 10), ["@@ -2 +2", "- b"]);
    assert_eq!(line_diff("a\nb\nc\nd\n", "a\nB\nc\nD\n", 10), ["@@ -2 +2", "- b", "+ B", "@@ -4 +4", "- d", "+ D"]);
    assert!(line_diff("same\n", "same\n", 10).is_empty());
}

#[test]
fn the_diff_is_capped() {
    let a: String = (0..100).map(|i| format!("{i}\n")).collect();
    let diff = line_diff(&a, "", 5);
    assert_eq!(diff.len(), 1 + 5 + 1, "{diff:?}");
    assert_eq!(diff.last().unwrap(), "… and 95 more changed lines");
}
