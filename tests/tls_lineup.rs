//! TLS record matching: a capture of the client's TLS connection, merged with its client log, has each
//! application-data record lined up with the message it carries. The captures are built here from the sample
//! client log: every message sent or received becomes a record of its size plus the cipher's overhead, at the
//! log's time on another clock (UTC against the log's Korean local time, with a few milliseconds of transit).
#![cfg(not(target_arch = "wasm32"))]

use sipscope::flow::merge::ClockSource;
use sipscope::import::Direction;
use sipscope::store::tls::Overhead;
use sipscope::{Analysis, Code};
use sipscope_harness::packets::{eth, ipv4_raw, tcp};

const LOG: &str = "www/sample/sample.uccapilog";
/// The log writes UTC+9; the capture UTC. Added to the capture's times to put them on the log's clock.
const ZONE_MS: i64 = 9 * 3_600_000;

fn sample() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(LOG)).unwrap()
}

fn ip(a: &str) -> ([u8; 4], u16) {
    let (h, p) = a.rsplit_once(':').unwrap();
    let o: Vec<u8> = h.split('.').map(|x| x.parse().unwrap()).collect();
    ([o[0], o[1], o[2], o[3]], p.parse().unwrap())
}

/// Bytes that look encrypted (a fixed pseudo-random sequence).
fn noise(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn record(ty: u8, payload_len: usize, seed: u32) -> Vec<u8> {
    let mut v = vec![ty, 3, 3];
    v.extend((payload_len as u16).to_be_bytes());
    v.extend(noise(payload_len, seed));
    v
}

/// How to build the capture.
struct Plan {
    /// Bytes the cipher adds to each record.
    overhead: fn(usize) -> usize,
    /// The client's address as the capture sees it (`None`: the log's own, a capture taken on the client).
    client: Option<&'static str>,
    /// Log messages left out at the start (the capture started late).
    skip: usize,
}

/// A pcap (µs) of the sample log's connection: handshake, then one record per message (the 5th split inside
/// its header, the 9th inside its payload), a CRLF keep-alive and a record no message fits.
fn capture(log: &Analysis, plan: &Plan) -> Vec<u8> {
    let msgs: Vec<_> = log
        .messages
        .iter()
        .filter(|m| m.direction != Direction::Unknown)
        .collect();
    let first = &msgs[0];
    let (local, remote) = match first.direction {
        Direction::Sent => (first.src.to_string(), first.dst.to_string()),
        _ => (first.dst.to_string(), first.src.to_string()),
    };
    let (cip, cport) = ip(plan.client.unwrap_or(&local));
    let (sip, sport) = ip(&remote);
    let mut seq = [1_000u32, 900_000u32];
    let mut packets: Vec<(i64, Vec<u8>)> = Vec::new();
    let mut send =
        |from_client: bool, at_ms: i64, data: &[u8], packets: &mut Vec<(i64, Vec<u8>)>| {
            let d = usize::from(!from_client);
            let (s, dd) = if from_client {
                ((cip, cport), (sip, sport))
            } else {
                ((sip, sport), (cip, cport))
            };
            let seg = tcp(s.1, dd.1, seq[d], seq[1 - d], 0x18, data);
            seq[d] = seq[d].wrapping_add(data.len() as u32);
            packets.push((at_ms, eth(0x0800, &ipv4_raw(s.0, dd.0, 6, 1, 0x4000, &seg))));
        };
    let t0 = msgs[0].file_time.unwrap().0 - ZONE_MS;
    send(true, t0 - 300, &record(22, 180, 1), &mut packets); // ClientHello
    send(
        false,
        t0 - 250,
        &[record(22, 3_000, 2), record(20, 1, 3), record(22, 40, 4)].concat(),
        &mut packets,
    );
    send(
        true,
        t0 - 200,
        &[record(22, 70, 5), record(20, 1, 6), record(22, 40, 7)].concat(),
        &mut packets,
    );
    for (k, m) in msgs.iter().enumerate().skip(plan.skip) {
        let sent = m.direction == Direction::Sent;
        // Sent: on the wire a little after the log wrote it; received: a little before.
        let transit = 3 + (k as i64 * 7) % 40;
        let at = m.file_time.unwrap().0 - ZONE_MS + if sent { transit } else { -transit };
        let rec = record(23, (plan.overhead)(m.text.bytes() as usize), 100 + k as u32);
        match k {
            5 => {
                send(sent, at, &rec[..3], &mut packets);
                send(sent, at + 1, &rec[3..], &mut packets);
            }
            9 => {
                send(sent, at, &rec[..200], &mut packets);
                send(sent, at + 1, &rec[200..], &mut packets);
            }
            _ => send(sent, at, &rec, &mut packets),
        }
        if k == 20 {
            send(
                true,
                at + 5,
                &record(23, (plan.overhead)(4), 7),
                &mut packets,
            );
            send(
                false,
                at + 9,
                &record(23, (plan.overhead)(61_000 % 16_000), 8),
                &mut packets,
            );
        }
    }
    let mut v = Vec::new();
    v.extend(0xA1B2_C3D4u32.to_le_bytes());
    v.extend([2, 0, 4, 0]);
    v.extend([0u8; 8]);
    v.extend(262_144u32.to_le_bytes());
    v.extend(1u32.to_le_bytes());
    for (ms, p) in packets {
        v.extend(((ms / 1000) as u32).to_le_bytes());
        v.extend(((ms % 1000 * 1000) as u32).to_le_bytes());
        v.extend((p.len() as u32).to_le_bytes());
        v.extend((p.len() as u32).to_le_bytes());
        v.extend(p);
    }
    v
}

fn merged(plan: &Plan) -> (Analysis, Analysis) {
    let log = sample();
    let alone = Analysis::of_files([("Lync-UccApi-0.UccApilog", log.as_slice())]);
    let cap = capture(&alone, plan);
    let both = Analysis::of_files([
        ("Lync-UccApi-0.UccApilog", log.as_slice()),
        ("client-tls.pcap", cap.as_slice()),
    ]);
    (alone, both)
}

fn gcm(n: usize) -> usize {
    n + 24
}

/// The sample log analyzed alone, and its capture in TLS 1.2 AES-GCM taken on the client.
fn gcm_capture() -> (Analysis, Vec<u8>) {
    let alone = Analysis::of_files([("Lync-UccApi-0.UccApilog", sample().as_slice())]);
    let cap = capture(
        &alone,
        &Plan {
            overhead: gcm,
            client: None,
            skip: 0,
        },
    );
    (alone, cap)
}

#[test]
fn records_line_up_with_the_client_logs_messages() {
    let plan = Plan {
        overhead: gcm,
        client: None,
        skip: 0,
    };
    let (alone, a) = merged(&plan);
    // The capture adds no message: it is seen only through its records.
    assert_eq!(a.messages.len(), alone.messages.len());
    let lineup = &a.tls_lineup;
    assert_eq!(lineup.files.len(), 1, "{lineup:?}");
    let f = &lineup.files[0];
    assert_eq!(f.overhead, Some(Overhead::Aead(24)));
    let wanted = a
        .messages
        .iter()
        .filter(|m| m.direction != Direction::Unknown)
        .count() as u32;
    assert_eq!(
        f.messages, wanted,
        "every message sent or received is carried"
    );
    // The offset is the zone plus a few milliseconds of transit.
    assert!((f.offset_ms - ZONE_MS).abs() < 40, "offset {}", f.offset_ms);
    let clock = &a.clocks[1];
    assert_eq!(clock.source, ClockSource::TlsRecords);
    assert_eq!(clock.shared, wanted);
    // Each message took the record built from it: same direction, its size plus 24, and the frames in order.
    let mut last_frame = 0;
    for (i, m) in a.messages.iter().enumerate() {
        if m.direction == Direction::Unknown {
            continue;
        }
        let recs: Vec<_> = lineup
            .records_of(i as u32)
            .map(|r| a.tls.records[r as usize])
            .collect();
        assert_eq!(recs.len(), 1, "message {i}");
        assert_eq!(recs[0].len, m.text.bytes() + 24, "message {i}");
        assert_eq!(recs[0].from_client, m.direction == Direction::Sent);
        assert!(recs[0].frame > last_frame);
        last_frame = recs[0].frame;
    }
    // The connection: the keep-alive and the stray record are counted, not matched.
    let c = &lineup.conns[0];
    assert_eq!(
        (c.records, c.matched, c.keepalives),
        (wanted + 2, wanted, 1)
    );
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::TlsRecordsMatched)
        .expect("a diagnostic says what was matched");
    assert_eq!(
        d.message,
        format!(
            "TLS connection 192.168.1.51:51882 ↔ 211.208.253.66:5061: {wanted} of {} application-data records carry messages of Lync-UccApi-0.UccApilog (TLS 1.2 with AES-GCM: 24 bytes added to each record); the rest: 1 keep-alive, 1 record the log has no message for.",
            wanted + 2
        )
    );
    assert_eq!(d.file, Some(1));
    // The message panel says where the message was seen encrypted.
    let i = a
        .messages
        .iter()
        .position(|m| m.direction == Direction::Received)
        .unwrap() as u32;
    let detail = a.message_detail(i).unwrap();
    let seen = detail
        .also
        .iter()
        .find(|s| s.tls.is_some())
        .expect("a TLS sighting");
    assert_eq!(seen.file, 1);
    assert_eq!(seen.src, "211.208.253.66:5061");
    assert_eq!(seen.dst, "192.168.1.51:51882");
    let carry = seen.tls.as_ref().unwrap();
    assert_eq!(carry.frames, vec![seen.line]);
    assert_eq!(carry.bytes, a.messages[i as usize].text.bytes() + 24);
    assert!(carry.cipher.starts_with("TLS 1.2 with AES-GCM"));
    // `file:` finds the messages the capture carried.
    let q = sipscope::query::Query::new(&a, "file:client-tls").unwrap();
    assert_eq!(q.run(&a).len() as u32, wanted);
}

#[test]
fn a_capture_behind_nat_starting_late_with_tls_1_3_lines_up_too() {
    let plan = Plan {
        overhead: |n| n + 17,
        client: Some("203.0.113.7:40112"),
        skip: 6,
    };
    let (_, a) = merged(&plan);
    let f = &a.tls_lineup.files[0];
    assert_eq!(f.overhead, Some(Overhead::Aead(17)));
    let wanted = a
        .messages
        .iter()
        .filter(|m| m.direction != Direction::Unknown)
        .count() as u32;
    assert_eq!(f.messages, wanted - 6);
    assert!((f.offset_ms - ZONE_MS).abs() < 40, "offset {}", f.offset_ms);
    // The first six messages were before the capture began.
    let seen: Vec<bool> = (0..a.messages.len() as u32)
        .filter(|&i| a.messages[i as usize].direction != Direction::Unknown)
        .map(|i| a.tls_lineup.records_of(i).next().is_some())
        .collect();
    assert!(
        seen[..6].iter().all(|s| !s) && seen[6..].iter().all(|s| *s),
        "{seen:?}"
    );
}

#[test]
fn cbc_records_line_up_by_size_band() {
    // AES-CBC with SHA-1 in TLS 1.2: a 16-byte IV, a 20-byte MAC, padding to a multiple of 16.
    let plan = Plan {
        overhead: |n| {
            let inner = n + 20 + 1;
            16 + inner.div_ceil(16) * 16
        },
        client: None,
        skip: 0,
    };
    let (_, a) = merged(&plan);
    let f = &a.tls_lineup.files[0];
    assert_eq!(f.overhead, Some(Overhead::Cbc));
    let wanted = a
        .messages
        .iter()
        .filter(|m| m.direction != Direction::Unknown)
        .count() as u32;
    // Sizes are a band: messages close in size and time may swap records, but every one is carried.
    assert_eq!(f.messages, wanted);
}

#[test]
fn records_that_fit_nothing_are_said_so_and_the_clock_stays_unknown() {
    let plan = Plan {
        overhead: |n| n * 3 + 1,
        client: None,
        skip: 0,
    };
    let (_, a) = merged(&plan);
    assert!(a.tls_lineup.carried.is_empty());
    assert_eq!(a.clocks[1].source, ClockSource::Unknown);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::TlsRecordsUnmatched)
        .expect("a diagnostic says nothing fits");
    assert!(d.message.starts_with("None of the "), "{}", d.message);
}

#[test]
fn a_few_records_that_fit_by_chance_line_nothing_up() {
    // Only every tenth record has a message's size (+24); the rest are of other sizes.
    let plan = Plan {
        overhead: |n| if n % 10 == 3 { n + 24 } else { n + 1_000 },
        client: None,
        skip: 0,
    };
    let (_, a) = merged(&plan);
    assert!(
        a.tls_lineup.carried.is_empty(),
        "{:?}",
        a.tls_lineup.carried
    );
    assert_eq!(a.clocks[1].source, ClockSource::Unknown);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::TlsRecordsUnmatched)
        .expect("a diagnostic says why");
    assert!(d.message.starts_with("Only "), "{}", d.message);
    assert!(d.message.ends_with("so none is lined up."), "{}", d.message);
}

#[test]
fn a_capture_that_fits_by_chance_leaves_anothers_lineup_alone() {
    let log = sample();
    let (alone, good) = gcm_capture();
    let chance = capture(
        &alone,
        &Plan {
            overhead: |n| if n % 10 == 3 { n + 24 } else { n + 1_000 },
            client: None,
            skip: 0,
        },
    );
    let a = Analysis::of_files([
        ("Lync-UccApi-0.UccApilog", log.as_slice()),
        ("client-tls.pcap", good.as_slice()),
        ("other-tls.pcap", chance.as_slice()),
    ]);
    let carried = a.tls_lineup.carried.len();
    let wanted = a
        .messages
        .iter()
        .filter(|m| m.direction != Direction::Unknown)
        .count();
    assert_eq!(carried, wanted, "the good capture's lineup stays");
    assert!(a.tls_files(0).all(|f| f == 1));
    assert_eq!(a.clocks[1].source, ClockSource::TlsRecords);
    assert_eq!(a.clocks[2].source, ClockSource::Unknown);
}

#[test]
fn a_capture_alone_keeps_its_records_but_lines_nothing_up() {
    let (_, cap) = gcm_capture();
    let a = Analysis::of_files([("client-tls.pcap", cap.as_slice())]);
    assert!(a.messages.is_empty());
    assert!(!a.tls.records.is_empty());
    assert!(a.tls_lineup.carried.is_empty());
    assert!(a.diagnostics.iter().any(|d| d.code == Code::TlsConnection));
    assert!(!a
        .diagnostics
        .iter()
        .any(|d| matches!(d.code, Code::TlsRecordsMatched | Code::TlsRecordsUnmatched)));
}

#[test]
fn records_are_the_same_whatever_the_chunks() {
    let (alone, cap) = gcm_capture();
    let whole = sipscope_harness::packets::import_capture(&cap, 1 << 22);
    assert_eq!(whole.tls.conns.len(), 1);
    // 3 handshake-time records are not application data; the rest are.
    let n = alone
        .messages
        .iter()
        .filter(|m| m.direction != Direction::Unknown)
        .count();
    assert_eq!(whole.tls.records.len(), n + 2);
    for chunk in [1, 7, 4096] {
        let other = sipscope_harness::packets::import_capture(&cap, chunk);
        assert_eq!(other.tls, whole.tls, "chunks of {chunk}");
    }
}

#[test]
fn a_clock_set_by_hand_is_kept_and_still_lines_up() {
    let plan = Plan {
        overhead: gcm,
        client: None,
        skip: 0,
    };
    let (_, a) = merged(&plan);
    let before = a.tls_lineup.files[0].messages;
    let moved = a.with_clock_offsets(&[None, Some(ZONE_MS + 10)]);
    assert_eq!(moved.clocks[1].source, ClockSource::Manual);
    assert_eq!(moved.clocks[1].offset_ms, ZONE_MS + 10);
    assert_eq!(moved.tls_lineup.files[0].messages, before);
}

/// The capture the page's end-to-end test and the fixture-wide tests read: the AES-GCM one, from this file's
/// generator (`SIPSCOPE_BLESS=1` writes it again).
#[test]
fn the_fixture_capture_is_the_generators() {
    let (_, cap) = gcm_capture();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls/sample-client-tls.pcap");
    if std::env::var_os("SIPSCOPE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &cap).unwrap();
    }
    let on_disk = std::fs::read(&path).unwrap_or_default();
    assert!(
        on_disk == cap,
        "{} is stale: SIPSCOPE_BLESS=1 cargo test --test tls_lineup",
        path.display()
    );
}

/// A redacted copy of the log and the capture, made together: the capture's TLS payloads are left out (the
/// ClientHello's server name, certificates, ciphertext), and, since the redacted messages change length, nothing
/// is lined up rather than a few records by chance.
#[test]
fn redacted_copies_keep_no_tls_payload_and_line_up_nothing_by_chance() {
    let log = sample();
    let (_, cap) = gcm_capture();
    let (copies, _) = sipscope::redact::redact_all(
        &[log.as_slice(), cap.as_slice()],
        sipscope::redact::Keep::default(),
    );
    let copies: Vec<Vec<u8>> = copies.into_iter().map(Result::unwrap).collect();
    let after = Analysis::of_files([
        ("Lync-UccApi-0.UccApilog", copies[0].as_slice()),
        ("client-tls.pcap", copies[1].as_slice()),
    ]);
    assert!(
        after.tls_lineup.carried.is_empty(),
        "{:?}",
        after.tls_lineup
    );
    assert!(!after
        .diagnostics
        .iter()
        .any(|d| d.code == Code::TlsRecordsMatched));
    let secret = noise(64, 100);
    assert!(
        cap.windows(8).any(|w| w == &secret[..8]),
        "the original holds it"
    );
    assert!(
        !copies[1].windows(8).any(|w| w == &secret[..8]),
        "the copy does not"
    );
}
