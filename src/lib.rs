//! sipscope core: SIP log import, SIP parsing, flow correlation and ladder rendering; bytes in, analysis out.
//!
//! The core does no I/O and never names wasm-bindgen, web-sys or js-sys: the `web` module (wasm32 only)
//! is the one place that talks to JavaScript. See ARCHITECTURE.md for the codemap and invariants.

pub mod analysis;
pub mod annotate;
pub mod diag;
pub mod flow;
pub mod fxhash;
pub mod import;
pub mod ladder;
pub mod search;
pub mod sip;
pub mod time;

#[cfg(target_arch = "wasm32")]
mod wasm_alloc;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use analysis::{Analysis, Analyzer};
pub use diag::{Diagnostic, Severity};
