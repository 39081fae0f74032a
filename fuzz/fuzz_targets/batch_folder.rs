//! The batch folder reader: a batch.json and a runs.jsonl split at a NUL byte: see `mando::fuzz::batch_folder` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mando::fuzz::batch_folder(data));
