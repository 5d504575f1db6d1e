//! Fuzz target `redact`: the checks live in `sipscope_harness::redact` (shared with the regression tests).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sipscope_harness::redact(data));
