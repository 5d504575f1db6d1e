//! Fuzz target `sip_text`: the checks live in `sipscope_harness::sip_text` (shared with the regression tests).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sipscope_harness::sip_text(data));
