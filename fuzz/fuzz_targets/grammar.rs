//! Fuzz target `grammar`: the checks live in `sipscope_harness::grammar` (shared with the regression tests).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sipscope_harness::grammar(data));
