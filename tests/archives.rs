//! Archives: a gzipped log and a zipped Tracing folder are unpacked in the stream and every log inside is analyzed.
#![cfg(not(target_arch = "wasm32"))]

use sipscope::import::Format;
use sipscope::{Analysis, Analyzer, Code, Severity};
use std::path::Path;

#[path = "common/pack.rs"]
mod pack;
use pack::{gzip, zip};

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn in_chunks(name: &str, bytes: &[u8], chunk: usize) -> Analysis {
    let mut a = Analyzer::new();
    let id = a.add_file(name, bytes.len() as u64);
    for c in bytes.chunks(chunk) {
        a.push(id, c);
    }
    a.finish_file(id);
    a.finish()
}

#[test]
fn a_gzipped_client_log_is_read_inside() {
    let sample = fixture("www/sample/sample.uccapilog");
    for (name, gz, inner) in [
        (
            "logs.gz",
            gzip(Some("Lync-UccApi-0.UccApilog"), &sample),
            "logs.gz/Lync-UccApi-0.UccApilog",
        ),
        (
            "Lync-UccApi-0.UccApilog.gz",
            gzip(None, &sample),
            "Lync-UccApi-0.UccApilog.gz/Lync-UccApi-0.UccApilog",
        ),
    ] {
        let a = Analysis::of_files([(name, gz.as_slice())]);
        assert_eq!(a.files.len(), 2, "{:?}", a.files);
        assert_eq!(a.files[0].format, Format::Gzip);
        assert_eq!(a.files[1].name, inner);
        assert_eq!(a.files[1].format, Format::UccApiLog);
        assert_eq!(a.files[1].container, Some(0));
        assert_eq!(a.files[1].bytes, sample.len() as u64);
        assert_eq!(a.messages.len(), 34);
        assert!(
            a.diagnostics.iter().all(|d| d.severity == Severity::Info),
            "{:?}",
            a.diagnostics
        );
    }
}

#[test]
fn a_zipped_tracing_folder_yields_every_log() {
    let sample = fixture("www/sample/sample.uccapilog");
    let seed = fixture("tests/fixtures/seed-presence.uccapilog");
    let z = zip(&[
        ("Tracing/", b"", false, false),
        ("Tracing/Lync-UccApi-0.UccApilog", &sample, true, true),
        ("Tracing/Lync-UccApi-1.UccApilog", &seed, false, false),
        ("Tracing/readme.txt", b"Collected for case 123", true, false),
    ]);
    let whole = Analysis::of_files([("Tracing.zip", z.as_slice())]);
    let names: Vec<&str> = whole.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Tracing.zip",
            "Tracing.zip/Tracing/Lync-UccApi-0.UccApilog",
            "Tracing.zip/Tracing/Lync-UccApi-1.UccApilog",
            "Tracing.zip/Tracing/readme.txt"
        ]
    );
    assert_eq!(whole.messages.len(), 38);
    assert_eq!(
        whole.files[3].format,
        Format::Unknown,
        "a text without SIP is said to be so"
    );
    for chunk in [1, 13, 4096] {
        let a = in_chunks("Tracing.zip", &z, chunk);
        assert_eq!(a.to_text(), whole.to_text(), "chunks of {chunk}");
    }
}

#[test]
fn a_cut_off_archive_keeps_what_was_read_and_says_so() {
    let sample = fixture("www/sample/sample.uccapilog");
    let z = zip(&[
        ("a.UccApilog", &sample, true, false),
        ("b.UccApilog", &sample, true, false),
    ]);
    let cut = &z[..z.len() * 3 / 4];
    let a = Analysis::of_files([("cut.zip", cut)]);
    assert_eq!(a.files.len(), 3);
    assert!(
        a.messages.len() >= 34,
        "the first entry is complete: {}",
        a.messages.len()
    );
    assert!(
        a.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Warning && d.code == Code::ArchiveCutOff),
        "{:?}",
        a.diagnostics
    );
    // Every prefix: no panic.
    for end in (0..z.len()).step_by(z.len() / 97 + 1) {
        let _ = Analysis::of_files([("p.zip", &z[..end])]).to_text();
    }
    let gz = gzip(None, &sample);
    for end in (0..gz.len()).step_by(gz.len() / 97 + 1) {
        let _ = Analysis::of_files([("p.gz", &gz[..end])]).to_text();
    }
}
