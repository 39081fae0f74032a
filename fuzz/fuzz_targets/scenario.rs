//! The scenario parser and validator on any text: see `mando::fuzz::scenario` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mando::fuzz::scenario(data));
