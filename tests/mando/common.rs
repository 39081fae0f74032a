//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};

use mando::scenario::{self, Override, Scenario};

/// The built-in default scenario with `PATH=VALUE` overrides.
pub fn scenario_with(sets: &[&str]) -> Scenario {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).expect("test override")).collect();
    scenario::load_default(&overrides).unwrap_or_else(|e| panic!("test scenario invalid:\n{e}"))
}

/// A shipped scenario file with overrides.
pub fn shipped(name: &str, sets: &[&str]) -> Scenario {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).expect("test override")).collect();
    scenario::load_file(&repo().join("scenarios").join(name), &overrides)
        .unwrap_or_else(|e| panic!("{name} invalid:\n{e}"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests").join("fixtures").join(name)
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mando"))
}

/// A fresh, empty temporary folder unique to this test.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mando-test-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub const OUTPUT_FILES: [&str; 4] = ["summary.json", "timeseries.csv", "events.jsonl", "map.json"];

/// One value per unit, in id order: each group's `f` repeated `count` times.
pub fn per_unit<T: Clone>(s: &Scenario, f: impl Fn(&mando::scenario::UnitGroup) -> T) -> Vec<T> {
    s.forces.iter().flat_map(|g| std::iter::repeat_n(f(g), g.count as usize)).collect()
}
