//! Sweep specs on any text: see `mando::fuzz::sweep_spec` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mando::fuzz::sweep_spec(data));
