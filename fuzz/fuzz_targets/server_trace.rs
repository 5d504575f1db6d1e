//! Fuzz target `server_trace`: the checks live in `sipscope_harness::server_trace` (shared with the regression tests).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sipscope_harness::server_trace(data));
