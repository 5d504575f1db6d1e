//! What several test files share: the inputs every fixture-wide test runs over, alone and merged.

pub mod pack;
pub mod redact;

use std::path::{Path, PathBuf};

/// The built-in sample and every fixture in tests/fixtures and its folders (not READMEs or generator scripts),
/// in order.
pub fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v = vec![root.join("www/sample/sample.uccapilog")];
    let list = |dir: PathBuf| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .expect("tests/fixtures exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect()
    };
    let top = list(root.join("tests/fixtures"));
    // Folders of fixtures about one subject (calls/) join the others.
    let mut fixtures: Vec<PathBuf> = top
        .iter()
        .filter(|p| p.is_dir())
        .flat_map(|d| list(d.clone()))
        .chain(top.iter().cloned())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| !["md", "py", "json"].contains(&e.to_str().unwrap_or("")))
        })
        .collect();
    fixtures.sort();
    v.extend(fixtures);
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
    sets.push((
        "merged-client-tls-capture".into(),
        vec![
            root.join("www/sample/sample.uccapilog"),
            root.join("tests/fixtures/tls/sample-client-tls.pcap"),
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
