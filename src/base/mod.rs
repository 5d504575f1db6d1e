//! Base: what every layer uses and nothing SIP-specific — diagnostics with typed codes, timestamps and the one
//! duration/offset formatter, the crate's hasher and string interning. Depends on nothing else in the crate.

pub mod base64;
pub mod diag;
pub mod filename;
pub mod fxhash;
pub mod intern;
pub mod time;
