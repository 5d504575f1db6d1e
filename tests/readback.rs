//! Reading back: an analysis that leaves verbatim message text in its files (read back through a `Source`)
//! gives exactly the output of one that keeps every text, on every fixture and however the bytes arrive; client
//! logs and SIP text keep (almost) none of their text; a file that changed since it was read is noticed.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::inputs;
use common::pack::{gzip, zip};

use sipscope::store::text::{MemorySource, Source};
use sipscope::{Analysis, Analyzer};
use std::path::Path;
use std::rc::Rc;

fn analyze(mut a: Analyzer, name: &str, bytes: &[u8], chunk: usize) -> Analysis {
    let id = a.add_file(name, bytes.len() as u64);
    for c in bytes.chunks(chunk) {
        a.push(id, c);
    }
    a.finish_file(id);
    a.finish()
}

/// The whole JSON report and every message's detail.
fn everything(a: &Analysis) -> String {
    let mut out = Vec::new();
    sipscope::render::write_json(a, &mut out).unwrap();
    for i in 0..a.messages.len() as u32 {
        out.extend(serde_json::to_vec(&a.message_detail(i)).unwrap());
    }
    String::from_utf8(out).unwrap()
}

fn source(bytes: &[u8]) -> Rc<dyn Source> {
    Rc::new(MemorySource(vec![bytes.to_vec()]))
}

#[test]
fn reading_back_gives_what_keeping_gives() {
    for path in inputs() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let kept = analyze(Analyzer::new(), &name, &bytes, 1 << 22);
        let want = everything(&kept);
        for chunk in [1 << 22, 4093, 97] {
            let read = analyze(Analyzer::with_source(source(&bytes)), &name, &bytes, chunk);
            assert!(
                everything(&read) == want,
                "{name} in chunks of {chunk}: reading back differs from keeping"
            );
        }
    }
}

#[test]
fn client_logs_server_traces_and_captures_leave_their_text_in_the_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for rel in [
        "www/sample/sample.uccapilog",
        "tests/fixtures/seed-presence.uccapilog",
        "tests/fixtures/server-frontend.log",
        "tests/fixtures/server-edge.log",
        "tests/fixtures/lab-tcp5060.pcap",
    ] {
        let bytes = std::fs::read(root.join(rel)).unwrap();
        let a = analyze(Analyzer::with_source(source(&bytes)), rel, &bytes, 1 << 16);
        let total: usize = (0..a.messages.len() as u32)
            .map(|i| a.sip(i).raw.len())
            .sum();
        assert!(total > 5_000, "{rel}: {total} bytes of messages");
        assert!(
            a.kept_bytes() * 20 < total,
            "{rel}: {} of {total} bytes of message text kept in memory",
            a.kept_bytes()
        );
    }
}

#[test]
fn a_file_that_changed_since_is_noticed_not_misread() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(root.join("www/sample/sample.uccapilog")).unwrap();
    // The same file, every "sip:" now "SIP:" (same length, different bytes): a rotated-over log.
    let changed: Vec<u8> = String::from_utf8_lossy(&bytes)
        .replace("sip:", "SIP:")
        .into_bytes();
    assert_eq!(changed.len(), bytes.len());
    let mut a = Analyzer::with_source(Rc::new(MemorySource(vec![changed])));
    let id = a.add_file("sample.uccapilog", bytes.len() as u64);
    a.push(id, &bytes);
    a.finish_file(id);
    let a = a.finish();
    let d = a.message_detail(0).unwrap();
    assert!(
        d.problems
            .iter()
            .any(|p| p.contains("could not be read back")),
        "{:?}",
        d.problems
    );
    assert!(
        d.core.start_line.starts_with("REGISTER sip:"),
        "{}",
        d.core.start_line
    );
    assert!(
        !d.raw.contains("SIP:"),
        "the changed bytes are not shown as the message"
    );
    // The ladder, correlation and counts come from what the analysis kept.
    assert_eq!(a.ladder(None).rows.len(), a.messages.len());
}

#[test]
fn files_inside_archives_are_read_again_from_the_archive() {
    // Every fixture gzipped, all of them in one zip (deflated and stored, with and without data descriptors),
    // and a gzipped log inside a zip: the same analysis as keeping the text, and (almost) nothing kept.
    let files: Vec<(String, Vec<u8>)> = inputs()
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read(p).unwrap())
        })
        .collect();
    let mut archives: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(name, bytes)| (format!("{name}.gz"), gzip(Some(name), bytes)))
        .collect();
    let entries: Vec<(&str, &[u8], bool, bool)> = files
        .iter()
        .enumerate()
        .map(|(i, (name, bytes))| (name.as_str(), bytes.as_slice(), i % 2 == 0, i % 3 == 0))
        .collect();
    archives.push(("all.zip".into(), zip(&entries)));
    let sample_gz = gzip(Some("sample.uccapilog"), &files[0].1);
    archives.push((
        "nested.zip".into(),
        zip(&[("Tracing/sample.uccapilog.gz", &sample_gz, false, false)]),
    ));
    for (name, bytes) in &archives {
        let want = everything(&analyze(Analyzer::new(), name, bytes, 1 << 22));
        for chunk in [1 << 22, 4093] {
            let read = analyze(Analyzer::with_source(source(bytes)), name, bytes, chunk);
            assert!(
                everything(&read) == want,
                "{name} in chunks of {chunk}: reading back differs from keeping"
            );
        }
    }
}

#[test]
fn a_big_gzipped_log_is_read_again_from_restart_points_in_any_order() {
    // About 7 MiB of client log: several restart points (one every 2 MiB of the log).
    let sample = std::fs::read(inputs()[0].clone()).unwrap();
    let log = sample.repeat((7 << 20) / sample.len() + 1);
    let gz = gzip(Some("big.uccapilog"), &log);
    let kept = analyze(Analyzer::new(), "big.uccapilog.gz", &gz, 1 << 22);
    let read = analyze(
        Analyzer::with_source(source(&gz)),
        "big.uccapilog.gz",
        &gz,
        1 << 22,
    );
    let n = kept.messages.len() as u32;
    assert!(n > 3_000, "{n} messages");
    assert!(
        read.kept_bytes() < log.len() / 50,
        "{} of {} bytes kept",
        read.kept_bytes(),
        log.len()
    );
    // Far jumps back and forth (each from the restart point before it), then a pass in order.
    let order: Vec<u32> = (0..n)
        .rev()
        .step_by(331)
        .chain((0..n).step_by(997))
        .chain([n - 1, 0, n / 2])
        .collect();
    for i in order {
        assert_eq!(
            serde_json::to_string(&read.message_detail(i)).unwrap(),
            serde_json::to_string(&kept.message_detail(i)).unwrap(),
            "message {i}"
        );
    }
    let mut json = (Vec::new(), Vec::new());
    sipscope::render::write_json(&kept, &mut json.0).unwrap();
    sipscope::render::write_json(&read, &mut json.1).unwrap();
    assert!(json.0 == json.1, "the report differs");
}
