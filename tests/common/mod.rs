//! What several test files share: the inputs every fixture-wide test runs over.

pub mod pack;

use std::path::{Path, PathBuf};

/// The built-in sample and every fixture in tests/fixtures (not its README or generator script), in order.
pub fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v = vec![root.join("www/sample/sample.uccapilog")];
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures"))
        .expect("tests/fixtures exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e != "md" && e != "py"))
        .collect();
    fixtures.sort();
    v.extend(fixtures);
    v
}
