//! Archives: a gzipped log and a zipped Tracing folder are unpacked in the stream and every log inside is analyzed.
#![cfg(not(target_arch = "wasm32"))]

use miniz_oxide::deflate::compress_to_vec;
use sipscope::import::Format;
use sipscope::{Analysis, Analyzer, Code, Severity};
use std::path::Path;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn gzip(name: Option<&str>, data: &[u8]) -> Vec<u8> {
    let mut out = vec![
        0x1F,
        0x8B,
        8,
        if name.is_some() { 8 } else { 0 },
        0,
        0,
        0,
        0,
        0,
        3,
    ];
    if let Some(n) = name {
        out.extend_from_slice(n.as_bytes());
        out.push(0);
    }
    out.extend_from_slice(&compress_to_vec(data, 6));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// (name, data, deflate?, data descriptor?)
fn zip(entries: &[(&str, &[u8], bool, bool)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for &(name, data, deflate, descriptor) in entries {
        let body = if deflate {
            compress_to_vec(data, 6)
        } else {
            data.to_vec()
        };
        let offset = out.len() as u32;
        let flags: u16 = if descriptor { 8 } else { 0 };
        let method: u16 = if deflate { 8 } else { 0 };
        let (crc, csize, usize_) = (crc32(data), body.len() as u32, data.len() as u32);
        let (hcrc, hc, hu) = if descriptor {
            (0, 0, 0)
        } else {
            (crc, csize, usize_)
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, flags, method, 0, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [hcrc, hc, hu] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
        if descriptor {
            for v in [0x0807_4b50u32, crc, csize, usize_] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, flags, method, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, csize, usize_] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, entries.len() as u16, entries.len() as u16] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
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
