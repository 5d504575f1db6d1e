//! Fuzz target `sip_message`: the checks live in `sipscope_harness::sip_message` (shared with the regression tests).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sipscope_harness::sip_message(data));
