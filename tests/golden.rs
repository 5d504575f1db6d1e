//! Golden tests: every fixture's text ladder and diagnostics, compared with tests/golden/<name>.txt.
//! Re-bless after an intended change with `SIPSCOPE_BLESS=1 cargo test --test golden`.
#![cfg(not(target_arch = "wasm32"))]

use sipscope::Analysis;
use std::path::{Path, PathBuf};

fn inputs() -> Vec<PathBuf> {
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

fn analyze_in_chunks(name: &str, bytes: &[u8], chunk: usize) -> Analysis {
    let mut a = sipscope::Analyzer::new();
    let id = a.add_file(name, bytes.len() as u64);
    for c in bytes.chunks(chunk.max(1)) {
        a.push(id, c);
    }
    a.finish_file(id);
    a.finish()
}

#[test]
fn golden_text_ladders() {
    let bless = std::env::var_os("SIPSCOPE_BLESS").is_some();
    let mut failures = Vec::new();
    for path in inputs() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let got = Analysis::of_files([(name.as_str(), bytes.as_slice())]).to_text();
        let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(format!("{name}.txt"));
        if bless {
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!(
                "{name}: output differs from {}\n--- want\n{want}\n--- got\n{got}",
                golden.display()
            )),
            Err(_) => failures.push(format!(
                "{name}: no golden file {} (run with SIPSCOPE_BLESS=1)\n{got}",
                golden.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn chunking_never_changes_the_result() {
    for path in inputs() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let whole = Analysis::of_files([(name.as_str(), bytes.as_slice())]).to_text();
        for chunk in [1, 2, 3, 7, 64, 4096] {
            let text = analyze_in_chunks(&name, &bytes, chunk).to_text();
            assert_eq!(text, whole, "{name} pushed in chunks of {chunk} bytes");
        }
    }
}

#[test]
fn every_prefix_of_the_sample_analyzes_without_panic() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/sample/sample.uccapilog");
    let bytes = std::fs::read(path).unwrap();
    let step = (bytes.len() / 300).max(1);
    for end in (0..bytes.len()).step_by(step) {
        let a = Analysis::of_files([("cut.uccapilog", &bytes[..end])]);
        assert!(a.messages.len() <= 60);
        let _ = a.to_text();
        for i in 0..a.messages.len() as u32 {
            assert!(a.message_detail(i).is_some());
        }
    }
}
