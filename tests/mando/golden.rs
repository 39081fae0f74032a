//! Golden outputs: a short run of the classic scenario must keep giving the
//! same summary. A change here is a change in model behaviour: if it is
//! meant, regenerate with `MANDO_BLESS=1 cargo test golden` and explain the
//! diff in the commit.

use mando::sim::SimOptions;

use crate::common::*;

fn check(name: &str, sets: &[&str]) {
    let s = shipped("epstein_classic.ron", sets);
    let report = mando::runner::run(&s, SimOptions::default(), None, |_| {}).unwrap();
    let mut actual = serde_json::to_value(&report).unwrap();
    actual["mando_version"] = serde_json::Value::Null; // releases may differ
    let actual = serde_json::to_string_pretty(&actual).unwrap() + "\n";
    let path = repo().join("tests").join("golden").join(format!("{name}.json"));
    if std::env::var_os("MANDO_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} missing: run with MANDO_BLESS=1", path.display()));
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .filter(|(a, b)| a != b)
            .take(10)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!("{name} changed:\n{}", diff.join("\n"));
    }
}

#[test]
fn classic_sequential_summary_is_unchanged() {
    check("epstein_classic_sequential_150", &["metadata.ticks=150"]);
}

#[test]
fn classic_synchronous_summary_is_unchanged() {
    check("epstein_classic_synchronous_150", &["metadata.ticks=150", "rules.activation=Synchronous"]);
}
