//! Fuzz target `capture`: the checks live in `sipscope_harness::capture` (shared with the regression tests).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sipscope_harness::capture(data));
