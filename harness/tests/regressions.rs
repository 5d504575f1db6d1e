//! Every committed fuzz corpus file (`fuzz/corpus/TARGET/`) and every regression file (`tests/regressions/TARGET/`,
//! each an input a fuzzer or a report once broke) run through their target's checks with plain `cargo test`.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files under `dir/TARGET/` for every target; a folder named after no target is an error.
fn inputs(dir: &Path) -> Vec<(&'static str, sipscope_harness::Target, PathBuf)> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in rd.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() {
            continue;
        }
        let Some(&(target, run)) = sipscope_harness::TARGETS.iter().find(|(t, _)| *t == name)
        else {
            panic!("{}: no fuzz target is named {name}", dir.display());
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(entry.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|p| (target, run, p)));
    }
    out
}

fn run_all(dir: &Path) -> usize {
    let all = inputs(dir);
    let mut failed = Vec::new();
    for (target, run, path) in &all {
        let data = std::fs::read(path).unwrap();
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            failed.push(format!("{target}: {}", path.display()));
        }
    }
    assert!(
        failed.is_empty(),
        "inputs that break an invariant:\n{}",
        failed.join("\n")
    );
    all.len()
}

#[test]
fn every_regression_file_passes_its_target() {
    let n = run_all(&root().join("tests/regressions"));
    assert!(n >= 3, "only {n} regression files found");
}

#[test]
fn every_committed_corpus_file_passes_its_target() {
    let dir = root().join("fuzz/corpus");
    let n = run_all(&dir);
    for (target, _) in sipscope_harness::TARGETS {
        assert!(
            dir.join(target).is_dir(),
            "fuzz/corpus/{target} is missing: every target has a seed corpus"
        );
    }
    assert!(
        n >= sipscope_harness::TARGETS.len(),
        "only {n} corpus files"
    );
}
