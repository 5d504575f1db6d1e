//! Golden tests: every fixture's text ladder and diagnostics (tests/golden/<name>.txt), its whole JSON report and
//! every message's detail (tests/golden/json/<name>.json, .detail.json), its text exports (tests/golden/export):
//! every field of the CLI's and the page's data pinned. Re-bless after an intended change with
//! `SIPSCOPE_BLESS=1 cargo test --test golden`.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::{inputs, sets};

use sipscope::import::trace::Level;
use sipscope::render::trace::write_trace;
use sipscope::render::{export, OutputFormat};
use sipscope::view::trace::TraceFilter;
use sipscope::Analysis;
use std::path::Path;

fn analyze_in_chunks(name: &str, bytes: &[u8], chunk: usize) -> Analysis {
    let mut a = sipscope::Analyzer::new();
    let id = a.add_file(name, bytes.len() as u64);
    for c in bytes.chunks(chunk.max(1)) {
        a.push(id, c);
    }
    a.finish_file(id);
    a.finish()
}

/// Compare `got` with the golden file `rel` (under tests/golden), or write it when blessing.
fn check_golden(rel: &str, got: &str, failures: &mut Vec<String>) {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(rel);
    if std::env::var_os("SIPSCOPE_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, got).unwrap();
        return;
    }
    match std::fs::read_to_string(&golden) {
        Ok(want) if want == got => {}
        Ok(want) => {
            let line = want
                .lines()
                .zip(got.lines())
                .position(|(a, b)| a != b)
                .map_or(want.lines().count().min(got.lines().count()), |l| l)
                + 1;
            failures.push(format!(
                "{rel}: output differs from {} first at line {line}\n--- want\n{}\n--- got\n{}",
                golden.display(),
                want.lines().nth(line - 1).unwrap_or("(end)"),
                got.lines().nth(line - 1).unwrap_or("(end)")
            ))
        }
        Err(_) => failures.push(format!(
            "{rel}: no golden file {} (run with SIPSCOPE_BLESS=1)",
            golden.display()
        )),
    }
}

#[test]
fn golden_text_ladders() {
    let mut failures = Vec::new();
    for path in inputs() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let got = Analysis::of_files([(name.as_str(), bytes.as_slice())]).to_text();
        check_golden(&format!("{name}.txt"), &got, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The JSON report (the CLI's `--json`) and every message's detail (the page's message panel), field by field.
#[test]
fn golden_json_reports_and_message_details() {
    let mut failures = Vec::new();
    for (name, data) in sets() {
        let a = Analysis::of_files(data.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        let report = serde_json::to_string_pretty(&a.report()).unwrap() + "\n";
        check_golden(&format!("json/{name}.json"), &report, &mut failures);
        let details: Vec<_> = (0..a.messages.len() as u32)
            .map(|i| a.message_detail(i).unwrap())
            .collect();
        let details = serde_json::to_string_pretty(&details).unwrap() + "\n";
        check_golden(&format!("json/{name}.detail.json"), &details, &mut failures);
        let summary = serde_json::to_string_pretty(&a.summary()).unwrap() + "\n";
        check_golden(
            &format!("json/{name}.summary.json"),
            &summary,
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The text exports of every set, as `sipscope --format` prints them: the PlantUML diagram of the ladder, the CSV
/// rows and the Snooper-readable text of every message (tests/golden/export/<name>.puml, .csv, -snooper.txt).
#[test]
fn golden_text_exports() {
    let mut failures = Vec::new();
    for (name, data) in sets() {
        let a = Analysis::of_files(data.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        for format in [
            OutputFormat::Plantuml,
            OutputFormat::Csv,
            OutputFormat::Snooper,
        ] {
            let e = export(&a, None, format);
            let stem = data[0]
                .0
                .rsplit_once('.')
                .map_or(data[0].0.as_str(), |s| s.0);
            assert_eq!(e.name, format.file_name(stem), "{name}: the file's name");
            check_golden(
                &format!("export/{}", format.file_name(&name)),
                &String::from_utf8(e.bytes).expect("UTF-8"),
                &mut failures,
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `sipscope --trace` (text) and `--trace --json` of every set: each trace line's place, time on the merged
/// timeline, level, thread and text read back from the file.
#[test]
fn golden_trace_lines() {
    let mut failures = Vec::new();
    let all = TraceFilter::lines_from(Level::Trace, "");
    for (name, data) in sets() {
        let a = Analysis::of_files(data.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        for (json, ext) in [(false, "txt"), (true, "json")] {
            let mut out = Vec::new();
            let n = write_trace(&a, &all, json, &mut out).unwrap().unwrap();
            assert_eq!(n, a.trace_line_count(), "{name}: every line written");
            check_golden(
                &format!("trace/{name}.{ext}"),
                &String::from_utf8(out).unwrap(),
                &mut failures,
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Trace lines are found alike however the file arrives.
#[test]
fn chunking_never_changes_the_trace_lines() {
    let all = TraceFilter::lines_from(Level::Trace, "");
    for path in inputs() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let trace = |chunk: usize| {
            let source = sipscope::store::text::MemorySource(vec![bytes.clone()]);
            let mut a = sipscope::Analyzer::with_source(std::rc::Rc::new(source));
            let id = a.add_file(&name, bytes.len() as u64);
            for c in bytes.chunks(chunk) {
                a.push(id, c);
            }
            a.finish_file(id);
            let mut out = Vec::new();
            write_trace(&a.finish(), &all, true, &mut out)
                .unwrap()
                .unwrap();
            out
        };
        let whole = trace(bytes.len().max(1));
        for chunk in [1, 3, 64, 4096] {
            assert!(
                trace(chunk) == whole,
                "{name} pushed in chunks of {chunk} bytes"
            );
        }
    }
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
