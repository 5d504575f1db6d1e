//! Fuzz target `body`: the checks live in `sipscope_harness::body` (shared with the regression tests).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sipscope_harness::body(data));
