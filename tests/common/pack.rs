//! Archives made in tests: the gzip and zip writers redaction packs its copies with.
// Each test file that includes `common` uses part of it.
#![allow(unused_imports)]

pub use sipscope::redact::archive::{gzip, zip};
