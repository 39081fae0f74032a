//! The fuzz targets' checks (`mando::fuzz`) over every input kept in the
//! repository: the crashes the fuzzer found (`fuzz/regressions/<target>/`)
//! and the corpus (`fuzz/corpus/<target>/`), so that a crash once fixed
//! stays fixed without the fuzzer installed.

use std::path::Path;

use crate::common::repo;

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 4] = [
    ("scenario", mando::fuzz::scenario),
    ("overrides", mando::fuzz::overrides),
    ("sweep_spec", mando::fuzz::sweep_spec),
    ("batch_folder", mando::fuzz::batch_folder),
];

/// Feeds every file of `dir/<target>/` to its target; returns how many.
fn replay(dir: &str) -> usize {
    let mut n = 0;
    for (name, target) in TARGETS {
        let folder = repo().join("fuzz").join(dir).join(name);
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&bytes));
            assert!(outcome.is_ok(), "{name} panics on {}", show(&path));
            n += 1;
        }
    }
    n
}

fn show(path: &Path) -> String {
    path.strip_prefix(repo()).unwrap_or(path).display().to_string()
}

#[test]
fn every_crash_the_fuzzer_found_stays_fixed() {
    assert!(replay("regressions") >= 1, "the regression inputs are missing");
}

#[test]
fn the_fuzz_corpus_reads_without_a_panic() {
    assert!(replay("corpus") >= 50, "the corpus is missing");
}

#[test]
fn a_block_comment_over_multibyte_characters_is_an_error_with_a_place() {
    // The fuzzer's first crash: the comment scanner stepped into `é`.
    for text in ["/*/ é", "/* é */ /*é", "Scenario(/*ü*/ metadata: (name: \"x\"), /* ä"] {
        let err = mando::scenario::load_str("x.ron", text, &[]).unwrap_err().to_string();
        assert!(err.starts_with("x.ron:1:"), "{text:?}: {err}");
    }
}
