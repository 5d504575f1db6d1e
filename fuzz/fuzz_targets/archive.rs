//! Fuzz target `archive`: the checks live in `sipscope_harness::archive` (shared with the regression tests).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sipscope_harness::archive(data));
