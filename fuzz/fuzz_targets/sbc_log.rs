//! Fuzz target `sbc_log`: the checks live in `sipscope_harness::sbc_log` (shared with the regression tests).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sipscope_harness::sbc_log(data));
