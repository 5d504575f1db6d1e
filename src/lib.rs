//! sipscope core: SIP log import, SIP parsing, flow correlation, explanations and renderers; bytes in, analysis out.
//!
//! Layers, each depending only on the ones before it (tests/tidy.rs enforces it; ARCHITECTURE.md has the map):
//! `base` → `sip`, `ladder` → `import`, `flow` → `store` (and `redact`) → `explain` → `query` → `view` → `render`
//! → `web` (and the CLI). The core does no I/O and never names wasm-bindgen, web-sys or js-sys: `web` (wasm32 only) is the one
//! place that talks to JavaScript.

pub mod base;
pub mod explain;
pub mod flow;
pub mod import;
pub mod ladder;
pub mod query;
pub mod redact;
pub mod render;
pub mod sip;
pub mod store;
pub mod view;

#[cfg(target_arch = "wasm32")]
mod wasm_alloc;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use base::diag::{Code, Diagnostic, Problem, Severity};
pub use store::{Analysis, Analyzer};
