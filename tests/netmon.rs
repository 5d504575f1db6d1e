//! Network Monitor 2.x captures: the `.cap` fixtures (written by `tests/fixtures/netmon/make.py` and by
//! Wireshark's editcap) and captures converted here read to exactly the messages of the pcap they came from;
//! damaged files give diagnostics, never a panic.
#![cfg(not(target_arch = "wasm32"))]

use sipscope::import::pcap::{CaptureImporter, CaptureKind};
use sipscope::import::{detect, Format, Sink};
use sipscope::Code;
use std::path::Path;

fn import_chunked(bytes: &[u8], chunk: usize) -> Sink {
    sipscope_harness::packets::import_capture(bytes, chunk)
}

/// Imported whole and in chunks of 1, 7 and 4096 bytes: the same records and diagnostics each time.
fn import(bytes: &[u8]) -> Sink {
    let whole = import_chunked(bytes, 1 << 22);
    for chunk in [1, 7, 4096] {
        let other = import_chunked(bytes, chunk);
        assert!(other.records == whole.records, "chunks of {chunk} differ");
        assert_eq!(
            format!("{:?}", other.diagnostics),
            format!("{:?}", whole.diagnostics)
        );
    }
    whole
}

/// What a message is, whatever the container: text, time, endpoints, frame number.
type Seen = (Vec<u8>, Option<i64>, Option<String>, Option<String>, u32);

fn messages(s: &Sink) -> Vec<Seen> {
    s.records
        .iter()
        .map(|r| {
            (
                r.sip.clone(),
                r.time.map(|t| t.0),
                r.src.clone(),
                r.dst.clone(),
                r.line,
            )
        })
        .collect()
}

/// The diagnostics' codes, less the note on the fixture's TLS connection (every version of it has one).
fn codes(s: &Sink) -> Vec<Code> {
    s.diagnostics
        .iter()
        .map(|d| d.code)
        .filter(|&c| c != Code::TlsConnection)
        .collect()
}

fn fixture(path: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A little-endian µs pcap's packets: (µs since 1970, wire length, bytes).
fn pcap_packets(pcap: &[u8]) -> Vec<(u64, u32, Vec<u8>)> {
    assert_eq!(&pcap[..4], &[0xD4, 0xC3, 0xB2, 0xA1]);
    let u32_at = |at: usize| u32::from_le_bytes(pcap[at..at + 4].try_into().unwrap());
    let (mut pos, mut out) = (24, Vec::new());
    while pos + 16 <= pcap.len() {
        let (sec, usec, incl, orig) = (
            u32_at(pos),
            u32_at(pos + 4),
            u32_at(pos + 8),
            u32_at(pos + 12),
        );
        let data = pcap[pos + 16..pos + 16 + incl as usize].to_vec();
        out.push((u64::from(sec) * 1_000_000 + u64::from(usec), orig, data));
        pos += 16 + incl as usize;
    }
    out
}

/// The packets as a Network Monitor 2.`minor` file (Ethernet), laid out as `make.py` documents; the frame table
/// at the end.
fn netmon_of(packets: &[(u64, u32, Vec<u8>)], minor: u8) -> Vec<u8> {
    let first = packets.first().map_or(0, |p| p.0);
    let start_us = first - first % 1000;
    let t = sipscope::base::time::Timestamp((start_us / 1000) as i64);
    let (y, mo, d, h, mi, s, ms) = t.fields();
    let mut out = b"GMBU".to_vec();
    out.extend([minor, 2, 1, 0]);
    for v in [
        y as u16, mo as u16, 0, d as u16, h as u16, mi as u16, s as u16, ms as u16,
    ] {
        out.extend(v.to_le_bytes());
    }
    out.resize(128, 0);
    let mut offsets = Vec::new();
    for (ts, orig, data) in packets {
        offsets.push(out.len() as u32);
        out.extend((ts - start_us).to_le_bytes());
        out.extend(orig.to_le_bytes());
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(data);
        if minor >= 1 {
            out.extend(1u16.to_le_bytes());
        }
        if minor >= 2 {
            out.extend(0u32.to_le_bytes());
        }
        if minor >= 3 {
            out.extend(((ts + 11_644_473_600_000_000) * 10).to_le_bytes());
            out.push(0);
        }
    }
    let table_at = out.len() as u32;
    for o in &offsets {
        out.extend(o.to_le_bytes());
    }
    out[24..28].copy_from_slice(&table_at.to_le_bytes());
    out[28..32].copy_from_slice(&(offsets.len() as u32 * 4).to_le_bytes());
    out
}

#[test]
fn netmon_is_detected_by_its_magic() {
    let cap = fixture("tests/fixtures/netmon/lab-tcp5060.cap");
    assert_eq!(CaptureImporter::sniff(&cap), Some(CaptureKind::NetMon));
    assert_eq!(detect(&cap, true).0, Format::NetMon);
    assert_eq!(Format::NetMon.display_name(), "Network Monitor capture");
    // Network Monitor 1.x (`RTSS`) and a 2.x magic with another major version are not taken.
    assert_eq!(CaptureImporter::sniff(b"RTSS\x00\x01\x01\x00"), None);
    assert_eq!(CaptureImporter::sniff(b"GMBU\x00\x03\x01\x00"), None);
}

#[test]
fn fixtures_read_as_the_pcap_they_came_from() {
    let pcap = import(&fixture("tests/fixtures/lab-tcp5060.pcap"));
    let want = messages(&pcap);
    assert!(want.len() > 20, "{} messages", want.len());
    // make.py (2.3, as Network Monitor 3.4 writes: trailers, FILETIMEs, a network info frame last) and
    // Wireshark's editcap -F netmon2 (2.0: start SYSTEMTIME + offsets).
    for name in ["lab-tcp5060.cap", "lab-tcp5060-editcap.cap"] {
        let cap = import(&fixture(&format!("tests/fixtures/netmon/{name}")));
        assert_eq!(messages(&cap), want, "{name}");
        assert_eq!(codes(&cap), codes(&pcap), "{name}: {:?}", cap.diagnostics);
        // Each record's span is its frame in the .cap, header to trailer.
        for r in &cap.records {
            assert!(
                r.span.0 >= 128 && r.span.1 > r.span.0 + 16,
                "{name}: {:?}",
                r.span
            );
        }
    }
}

#[test]
fn every_version_gives_the_same_messages() {
    let pcap = fixture("tests/fixtures/lab-tcp5060.pcap");
    let want = messages(&import(&pcap));
    let packets = pcap_packets(&pcap);
    for minor in 0..=3 {
        let cap = import(&netmon_of(&packets, minor));
        assert_eq!(messages(&cap), want, "2.{minor}");
        assert!(codes(&cap).is_empty(), "2.{minor}: {:?}", cap.diagnostics);
    }
}

#[test]
fn shared_udp_capture_converted() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/pcap/sip_ipv6_udp.pcap");
    let Ok(pcap) = std::fs::read(&path) else {
        println!("netmon: {} not found; skipped", path.display());
        return;
    };
    let want = messages(&import(&pcap));
    assert_eq!(want.len(), 6);
    for minor in [0, 3] {
        assert_eq!(
            messages(&import(&netmon_of(&pcap_packets(&pcap), minor))),
            want
        );
    }
}

#[test]
fn damaged_files_give_diagnostics() {
    let pcap = fixture("tests/fixtures/lab-tcp5060.pcap");
    let good = netmon_of(&pcap_packets(&pcap), 2);
    let all = import(&good).records.len();
    let table_at = u32::from_le_bytes(good[24..28].try_into().unwrap()) as usize;

    // The header cut short: nothing read, the file said to be cut off.
    let s = import(&good[..60]);
    assert!(s.records.is_empty());
    assert_eq!(codes(&s), [Code::CaptureCutOff]);

    // Cut inside a frame (a frame longer than what is left of the file): the frames before it are read.
    let s = import(&good[..table_at / 2]);
    assert!(!s.records.is_empty() && s.records.len() < all);
    assert!(
        codes(&s).contains(&Code::CaptureCutOff),
        "{:?}",
        s.diagnostics
    );

    // The frame table cut off, and an entry pointing past the end of the file.
    let s = import(&good[..table_at + 8]);
    assert_eq!(s.records.len(), all);
    assert_eq!(codes(&s), [Code::CaptureCutOff]);
    let mut bad = good.clone();
    bad[table_at + 4..table_at + 8].copy_from_slice(&u32::MAX.to_le_bytes());
    let s = import(&bad);
    assert_eq!(s.records.len(), all);
    assert_eq!(codes(&s), [Code::CaptureBadBlock]);
    assert!(s.diagnostics.iter().any(|d| d.message.contains("entry 2")));

    // A frame table placed past the end of the file: frames are read to the end, the table is missing.
    let mut bad = good[..table_at].to_vec();
    bad[24..28].copy_from_slice(&(1u32 << 30).to_le_bytes());
    let s = import(&bad);
    assert_eq!(s.records.len(), all);
    assert_eq!(codes(&s), [Code::CaptureCutOff]);

    // A frame claiming more bytes than can be: the file is damaged from there.
    let mut bad = good.clone();
    bad[128 + 12..128 + 16].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    let s = import(&bad);
    assert!(s.records.is_empty());
    assert_eq!(codes(&s), [Code::CaptureDamaged]);

    // A frame running into the frame table.
    let mut bad = good.clone();
    bad[128 + 12..128 + 16].copy_from_slice(&(table_at as u32).to_le_bytes());
    let s = import(&bad);
    assert_eq!(codes(&s), [Code::CaptureDamaged]);

    // Another major version, and a media type this reader does not know.
    let mut bad = good.clone();
    bad[5] = 3;
    assert_eq!(codes(&import(&bad)), [Code::CaptureDamaged]);
    let mut bad = good.clone();
    let first_len = u32::from_le_bytes(bad[128 + 12..128 + 16].try_into().unwrap()) as usize;
    bad[128 + 16 + first_len..128 + 18 + first_len].copy_from_slice(&0x0Bu16.to_le_bytes());
    let s = import(&bad);
    assert_eq!(codes(&s), [Code::CaptureUnsupported]);
    assert!(s.diagnostics.iter().any(|d| d.message.contains("0x000b")));

    // Any prefix of the file: no panic.
    for n in (0..good.len()).step_by(97) {
        import_chunked(&good[..n], 13);
    }
}
