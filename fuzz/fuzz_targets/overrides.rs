//! `--set` and `--vary` values, one per line: see `mando::fuzz::overrides` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mando::fuzz::overrides(data));
