//! Every shipped scenario validates and runs, under both engines.

use std::process::Command;

use mando::sim::SimOptions;

use crate::common::*;

fn shipped_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("scenarios"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ron"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_shipped_scenario_passes_validate() {
    let files = shipped_files();
    assert!(files.len() >= 2);
    let paths: Vec<_> = files.iter().map(|f| repo().join("scenarios").join(f)).collect();
    let out = Command::new(bin()).arg("validate").args(&paths).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn every_shipped_scenario_smoke_runs_under_both_engines() {
    for f in shipped_files() {
        for engine in ["RandomSequential", "Synchronous"] {
            let s = shipped(&f, &["metadata.ticks=30", &format!("rules.activation={engine}")]);
            let report = mando::runner::run(&s, SimOptions::default(), None, |_| {}).unwrap();
            assert_eq!(report.metrics.population, s.civilians.count, "{f}");
        }
    }
}

#[test]
fn the_built_in_default_is_the_shipped_classic() {
    let file = std::fs::read_to_string(repo().join("scenarios").join(mando::scenario::DEFAULT_SCENARIO_NAME)).unwrap();
    assert_eq!(file, mando::scenario::DEFAULT_SCENARIO);
}

#[test]
fn every_example_in_the_format_doc_is_valid() {
    let doc = std::fs::read_to_string(repo().join("docs/scenario-format.md")).unwrap();
    let examples: Vec<&str> = doc.split("```ron\n").skip(1).filter_map(|rest| rest.split("```").next()).collect();
    assert!(!examples.is_empty(), "the format doc should show examples");
    for (i, text) in examples.iter().enumerate() {
        if let Err(e) = mando::scenario::load_str(&format!("docs example {i}"), text, &[]) {
            panic!("example {i} in docs/scenario-format.md is invalid:\n{e}");
        }
    }
}
