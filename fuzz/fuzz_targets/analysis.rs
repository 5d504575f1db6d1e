//! Fuzz target `analysis`: the checks live in `sipscope_harness::analysis` (shared with the regression tests).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sipscope_harness::analysis(data));
