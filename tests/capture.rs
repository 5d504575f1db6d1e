//! Capture importer tests: the shared pcap fixtures (message counts and start lines), synthetic pcap/pcapng files
//! built here (TCP reassembly, fragments, tunnels, SCTP, WebSocket, TLS), chunking invariance and robustness.
#![cfg(not(target_arch = "wasm32"))]

use sipscope::import::pcap::{CaptureImporter, CaptureKind};
use sipscope::import::{Record, Sink};
use sipscope::{Code, Diagnostic, Severity};
use sipscope_harness::packets::{eth, ipv4_raw, ipv6, ng_block, pcap_file, tcp, udp};
use std::path::Path;

// ---------------------------------------------------------------------------------------------------------------
// Running the importer

fn import_chunked(bytes: &[u8], chunk: usize) -> Sink {
    sipscope_harness::packets::import_capture(bytes, chunk)
}

fn import(bytes: &[u8]) -> Sink {
    import_chunked(bytes, 1 << 22)
}

/// Import, and check on the way that chunking changes nothing.
fn import_checked(bytes: &[u8]) -> Sink {
    let whole = import(bytes);
    for chunk in [1, 7, 4096] {
        let other = import_chunked(bytes, chunk);
        assert!(
            other.records == whole.records && diags(&other) == diags(&whole),
            "chunks of {chunk} differ"
        );
    }
    whole
}

fn first_line(r: &Record) -> String {
    let text = String::from_utf8_lossy(&r.sip);
    text.lines().next().unwrap_or("").to_string()
}

fn first_lines(s: &Sink) -> Vec<String> {
    s.records.iter().map(first_line).collect()
}

fn diags(s: &Sink) -> Vec<String> {
    s.diagnostics
        .iter()
        .map(|d: &Diagnostic| format!("{}: {}", d.severity.as_str(), d.message))
        .collect()
}

fn fixture(name: &str) -> Option<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/pcap");
    if !dir.is_dir() {
        println!(
            "capture: {} not found; fixture checks skipped",
            dir.display()
        );
        return None;
    }
    Some(std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")))
}

const FIXTURES: &[&str] = &[
    "sip_ipv6_udp.pcap",
    "sip_ipv4_tcp.pcap",
    "sip_ipv4_tcp_retrans.pcap",
    "ipip.pcap",
    "ipv6frag.pcap",
];

// ---------------------------------------------------------------------------------------------------------------
// Shared fixtures

#[test]
fn fixture_sip_ipv6_udp() {
    let Some(bytes) = fixture("sip_ipv6_udp.pcap") else {
        return;
    };
    assert_eq!(CaptureImporter::sniff(&bytes), Some(CaptureKind::Pcap));
    let s = import(&bytes);
    let lines = first_lines(&s);
    assert_eq!(
        lines,
        [
            "INVITE sip:4321@fec0:0:0:0:216:d3ff:fe0d:22c:5060 SIP/2.0",
            "SIP/2.0 100 Trying",
            "SIP/2.0 200 OK",
            "ACK sip:4321@fec0:0:0:0:216:d3ff:fe0d:22c SIP/2.0",
            "BYE sip:4321@fec0:0:0:0:216:d3ff:fe0d:22c SIP/2.0",
            "SIP/2.0 200 OK",
        ]
    );
    let r = &s.records[0];
    assert_eq!(r.src.as_deref(), Some("[fe80::21a:a0ff:fe07:32e0]:5060"));
    assert_eq!(r.dst.as_deref(), Some("[fec0::216:d3ff:fe0d:22c]:5060"));
    assert_eq!(r.line, 1);
    assert_eq!(r.span.0, 24);
    assert_eq!(s.records[1].line, 2);
    assert_eq!(s.records[1].span.0, r.span.1);
    assert!(r.time.is_some());
    assert!(s.records.iter().all(|r| r.problems.is_empty()));
    assert!(s.diagnostics.is_empty(), "{:?}", diags(&s));
}

#[test]
fn fixture_sip_ipv4_tcp() {
    let Some(bytes) = fixture("sip_ipv4_tcp.pcap") else {
        return;
    };
    let s = import(&bytes);
    assert_eq!(
        first_lines(&s),
        [
            "INVITE sip:201@10.33.6.101;user=phone SIP/2.0",
            "SIP/2.0 100 Trying",
            "SIP/2.0 180 Ringing",
            "SIP/2.0 200 OK",
            "ACK sip:201@10.33.6.101:5060;transport=tcp SIP/2.0",
            "BYE sip:101@10.33.6.100:5060;transport=tcp SIP/2.0",
            "SIP/2.0 200 OK",
        ]
    );
    let frames: Vec<u32> = s.records.iter().map(|r| r.line).collect();
    assert_eq!(frames, [3, 5, 7, 9, 11, 81, 83]);
    assert_eq!(s.records[0].src.as_deref(), Some("10.33.6.100:64802"));
    assert_eq!(s.records[0].dst.as_deref(), Some("10.33.6.101:5060"));
    assert!(
        s.records.iter().all(|r| r.problems.is_empty()),
        "{:?}",
        s.records.iter().map(|r| &r.problems).collect::<Vec<_>>()
    );
    println!("sip_ipv4_tcp diagnostics: {:?}", diags(&s));
}

#[test]
fn fixture_sip_ipv4_tcp_retrans() {
    let Some(bytes) = fixture("sip_ipv4_tcp_retrans.pcap") else {
        return;
    };
    let s = import(&bytes);
    assert_eq!(
        first_lines(&s),
        [
            "REGISTER sip:172.168.0.228;transport=tcp SIP/2.0",
            "REGISTER sip:172.168.0.227;transport=udp SIP/2.0",
            "SIP/2.0 401 Unauthorized",
            "SIP/2.0 401 Unauthorized",
            "REGISTER sip:172.168.0.228;transport=tcp SIP/2.0",
            "REGISTER sip:172.168.0.227;transport=udp SIP/2.0",
            "SIP/2.0 200 OK",
            "SIP/2.0 200 OK",
        ]
    );
    let frames: Vec<u32> = s.records.iter().map(|r| r.line).collect();
    assert_eq!(frames, [28, 30, 31, 32, 33, 34, 35, 36]);
    // The connections to port 443 are TLS: one info each, nothing else about them.
    let tls: Vec<&Diagnostic> = s
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::TlsConnection)
        .collect();
    assert!(!tls.is_empty(), "{:?}", diags(&s));
    assert!(tls.iter().all(|d| d.severity == Severity::Info));
    assert!(
        tls.iter()
            .any(|d| d.message.contains("192.168.1.252:52797 ↔ 192.168.1.3:443")),
        "{:?}",
        diags(&s)
    );
    println!("retrans diagnostics: {:#?}", diags(&s));
}

#[test]
fn fixture_ipip() {
    let Some(bytes) = fixture("ipip.pcap") else {
        return;
    };
    let s = import(&bytes);
    assert_eq!(
        first_lines(&s),
        [
            "INVITE sip:1bdaa608131517540001@172.28.1.3;transport=tcp SIP/2.0",
            "SIP/2.0 183 Ringing",
            "SIP/2.0 200 OK",
            "BYE sip:1bdaa608131517540001@172.28.1.3;transport=tcp SIP/2.0",
        ]
    );
    println!("ipip diagnostics: {:?}", diags(&s));
}

#[test]
fn fixture_ipv6frag() {
    let Some(bytes) = fixture("ipv6frag.pcap") else {
        return;
    };
    let s = import(&bytes);
    let lines = first_lines(&s);
    assert_eq!(lines.len(), 32, "{lines:#?}\n{:?}", diags(&s));
    let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("SIP/2.0 200"), 13);
    assert_eq!(count("UPDATE "), 4);
    assert_eq!(count("PRACK "), 4);
    assert_eq!(count("SIP/2.0 183"), 4);
    assert_eq!(count("INVITE "), 2);
    assert_eq!(count("BYE "), 2);
    assert_eq!(count("ACK "), 2);
    assert_eq!(count("SIP/2.0 100"), 1);
    assert!(
        lines[0].starts_with("INVITE sip:08019200028@[fd17:625c:f037:2:a00:27ff:feb9:4222]:25060")
    );
    assert_eq!(
        s.records[0].src.as_deref(),
        Some("[fd17:625c:f037:2:a00:27ff:feb9:1521]:15060")
    );
    println!("ipv6frag diagnostics: {:?}", diags(&s));
}

// ---------------------------------------------------------------------------------------------------------------
// Building captures

/// Start offsets of each packet record in a file made by `pcap_file`.
fn pcap_offsets(packets: &[Vec<u8>]) -> Vec<(u64, u64)> {
    let mut at = 24u64;
    packets
        .iter()
        .map(|p| {
            let span = (at, at + 16 + p.len() as u64);
            at = span.1;
            span
        })
        .collect()
}

/// A pcapng file: interfaces (link type, if_tsresol), packets (interface, timestamp in its units, bytes).
fn pcapng_file(ifaces: &[(u16, Option<u8>)], packets: &[(u32, u64, Vec<u8>)]) -> Vec<u8> {
    let mut shb = 0x1A2B_3C4Du32.to_le_bytes().to_vec();
    shb.extend([1, 0, 0, 0]);
    shb.extend(u64::MAX.to_le_bytes());
    let mut v = ng_block(0x0A0D_0D0A, &shb);
    for &(lt, res) in ifaces {
        let mut b = lt.to_le_bytes().to_vec();
        b.extend([0, 0]);
        b.extend(0u32.to_le_bytes());
        if let Some(r) = res {
            b.extend([9, 0, 1, 0, r, 0, 0, 0]);
            b.extend([0, 0, 0, 0]);
        }
        v.extend(ng_block(1, &b));
    }
    for (iface, ts, data) in packets {
        let mut b = iface.to_le_bytes().to_vec();
        b.extend(((ts >> 32) as u32).to_le_bytes());
        b.extend((*ts as u32).to_le_bytes());
        b.extend((data.len() as u32).to_le_bytes());
        b.extend((data.len() as u32).to_le_bytes());
        b.extend_from_slice(data);
        v.extend(ng_block(6, &b));
    }
    v
}

fn eth_tags(tags: &[u16], ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x66, 0x77, 0x88, 0x99, 0xAA,
    ];
    for (i, tpid) in tags.iter().enumerate() {
        v.extend(tpid.to_be_bytes());
        v.extend((100 + i as u16).to_be_bytes());
    }
    v.extend(ethertype.to_be_bytes());
    v.extend_from_slice(payload);
    v
}

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, payload: &[u8]) -> Vec<u8> {
    ipv4_raw(src, dst, proto, 1, 0x4000, payload)
}

const F_FIN: u8 = 0x01;
const F_SYN: u8 = 0x02;
const F_RST: u8 = 0x04;
const F_PSH: u8 = 0x08;
const F_ACK: u8 = 0x10;

fn sip(start: &str, call: &str, body: &str) -> String {
    format!(
        "{start}\r\nVia: SIP/2.0/TCP 10.0.0.2:50000;branch=z9hG4bK{call}\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: {call}\r\nCSeq: 1 INVITE\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn sdp(lines: usize) -> String {
    let mut s =
        String::from("v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n");
    for i in 0..lines {
        s.push_str(&format!(
            "a=candidate:{i} 1 UDP 2130706431 10.0.0.2 {} typ host\r\n",
            50000 + i
        ));
    }
    s
}

/// An Ethernet/IPv4/TCP packet between the client 10.0.0.2 and the server 10.0.0.1.
fn tcp_pkt(
    to_server: bool,
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let (src, dst) = if to_server {
        ([10, 0, 0, 2], [10, 0, 0, 1])
    } else {
        ([10, 0, 0, 1], [10, 0, 0, 2])
    };
    eth(
        0x0800,
        &ipv4(src, dst, 6, &tcp(sport, dport, seq, ack, flags, payload)),
    )
}

fn udp_sip_pkt(payload: &[u8]) -> Vec<u8> {
    ipv4(
        [192, 0, 2, 1],
        [192, 0, 2, 2],
        17,
        &udp(5060, 5060, payload),
    )
}

// ---------------------------------------------------------------------------------------------------------------
// Synthetic captures

/// TCP: sequence numbers wrap inside a message sent in 3 segments, out of order, with an overlapping
/// retransmission and a duplicate; two messages (and keep-alives) in one segment; SIP on a non-SIP port.
fn tcp_capture() -> (Vec<Vec<u8>>, [String; 3]) {
    let a = sip("INVITE sip:b@example.com SIP/2.0", "call-a", &sdp(12));
    let b = sip("SIP/2.0 100 Trying", "call-a", "");
    let c = sip("SIP/2.0 180 Ringing", "call-a", "");
    let ab = a.as_bytes();
    assert!(ab.len() > 700, "{}", ab.len());
    let (cp, sp) = (50_000, 15_061);
    let isn_c: u32 = 0xFFFF_FE00; // the stream passes 2^32 inside the INVITE
    let isn_s: u32 = 7_000;
    let c1 = isn_c.wrapping_add(1);
    let s1 = isn_s.wrapping_add(1);
    let (p1, p2, p3) = (&ab[..300], &ab[300..600], &ab[600..]);
    let at = |off: usize| c1.wrapping_add(off as u32);
    let mut two = b"\r\n\r\n".to_vec();
    two.extend(b.as_bytes());
    two.extend(c.as_bytes());
    let end_c = at(ab.len() + 4);
    let end_s = s1.wrapping_add(two.len() as u32);
    let packets = vec![
        tcp_pkt(true, cp, sp, isn_c, 0, F_SYN, b""),
        tcp_pkt(false, sp, cp, isn_s, c1, F_SYN | F_ACK, b""),
        tcp_pkt(true, cp, sp, c1, s1, F_ACK, b""),
        tcp_pkt(true, cp, sp, at(0), s1, F_ACK | F_PSH, p1), // frame 4
        tcp_pkt(true, cp, sp, at(600), s1, F_ACK | F_PSH, p3), // ahead: waits
        tcp_pkt(true, cp, sp, at(250), s1, F_ACK, &ab[250..620]), // overlaps p1 and p3
        tcp_pkt(true, cp, sp, at(0), s1, F_ACK, p1),         // duplicate
        tcp_pkt(true, cp, sp, at(300), s1, F_ACK, p2), // retransmission of what was already there
        tcp_pkt(false, sp, cp, s1, at(ab.len()), F_ACK | F_PSH, &two), // frame 9
        tcp_pkt(
            true,
            cp,
            sp,
            at(ab.len()),
            end_s,
            F_ACK | F_PSH,
            b"\r\n\r\n",
        ),
        tcp_pkt(false, sp, cp, end_s, end_c, F_ACK | F_FIN, b""),
        tcp_pkt(true, cp, sp, end_c, end_s + 1, F_ACK | F_FIN, b""),
    ];
    let _ = p2;
    (packets, [a, b, c])
}

#[test]
fn tcp_reassembly() {
    let (packets, [a, b, c]) = tcp_capture();
    let file = pcap_file(1, &packets);
    let spans = pcap_offsets(&packets);
    let s = import(&file);
    assert!(s.diagnostics.is_empty(), "{:?}", diags(&s));
    let texts: Vec<String> = s
        .records
        .iter()
        .map(|r| String::from_utf8(r.sip.clone()).unwrap())
        .collect();
    assert_eq!(texts, [a, b, c]);
    let r = &s.records[0];
    assert_eq!(r.line, 4);
    assert_eq!(r.span, spans[3]);
    assert_eq!(r.src.as_deref(), Some("10.0.0.2:50000"));
    assert_eq!(r.dst.as_deref(), Some("10.0.0.1:15061"));
    assert_eq!(r.time.unwrap().to_string(), "2023-11-14T22:13:20.030");
    assert_eq!(r.direction, sipscope::import::Direction::Unknown);
    assert_eq!((s.records[1].line, s.records[2].line), (9, 9));
    assert_eq!(s.records[1].src.as_deref(), Some("10.0.0.1:15061"));
    assert!(s.records.iter().all(|r| r.problems.is_empty()));
}

/// A segment missing from the capture: the message it cuts is shown with a problem (its headers are complete),
/// one warning names the gap, and the next message is found again.
#[test]
fn tcp_gap_resynchronises() {
    let d = sip("MESSAGE sip:b@example.com SIP/2.0", "d", "hello");
    let e = sip("INVITE sip:b@example.com SIP/2.0", "e", &sdp(20));
    let f = sip("BYE sip:b@example.com SIP/2.0", "f", "");
    let eb = e.as_bytes();
    let head_end = e.find("\r\n\r\n").unwrap() + 4;
    let (e1, e2, e3) = (
        &eb[..head_end + 10],
        &eb[head_end + 10..head_end + 200],
        &eb[head_end + 200..],
    );
    let mut e3f = e3.to_vec();
    e3f.extend(f.as_bytes());
    let (cp, sp) = (40_000, 5060);
    let base = 1000u32;
    let mut seq = base;
    let mut segs = Vec::new();
    for part in [d.as_bytes(), e1, e2, &e3f] {
        segs.push((seq, part.to_vec()));
        seq += part.len() as u32;
    }
    let mut packets = vec![
        tcp_pkt(true, cp, sp, base - 1, 0, F_SYN, b""),
        tcp_pkt(true, cp, sp, segs[0].0, 1, F_ACK, &segs[0].1),
        tcp_pkt(true, cp, sp, segs[1].0, 1, F_ACK, &segs[1].1),
        // segs[2] is not in the capture
        tcp_pkt(true, cp, sp, segs[3].0, 1, F_ACK, &segs[3].1),
    ];
    let with_ack = {
        let mut p = packets.clone();
        // The server acknowledges everything: the missing bytes did arrive, the capture missed them.
        p.push(tcp_pkt(false, sp, cp, 1, seq, F_ACK, b""));
        p
    };
    packets.push(tcp_pkt(true, cp, sp, seq, 1, F_ACK | F_FIN, b""));
    for (name, pk) in [("acknowledged", with_ack), ("at the end", packets)] {
        let s = import_checked(&pcap_file(1, &pk));
        let lines = first_lines(&s);
        assert_eq!(
            lines,
            [
                "MESSAGE sip:b@example.com SIP/2.0",
                "INVITE sip:b@example.com SIP/2.0",
                "BYE sip:b@example.com SIP/2.0"
            ],
            "{name}"
        );
        assert!(s.records[0].problems.is_empty());
        assert_eq!(s.records[1].sip, e1, "{name}");
        assert!(
            s.records[1]
                .problems
                .iter()
                .any(|p| p.code == Code::TruncatedMessage
                    && p.text.contains("missing from the capture")),
            "{name}: {:?}",
            s.records[1].problems
        );
        assert_eq!(s.records[2].sip, f.as_bytes());
        assert_eq!(s.records[2].line, 4);
        let gaps: Vec<&Diagnostic> = s
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::CaptureGap)
            .collect();
        assert_eq!(gaps.len(), 1, "{name}: {:?}", diags(&s));
        assert_eq!(gaps[0].severity, Severity::Warning);
        assert!(
            gaps[0]
                .message
                .contains("10.0.0.2:40000 → 10.0.0.1:5060: 190 bytes"),
            "{}",
            gaps[0].message
        );
        assert_eq!(gaps[0].line, Some(4));
    }
}

/// A message split over many small segments, and a stream joined in the middle (no SYN).
#[test]
fn tcp_many_segments_and_mid_stream_start() {
    let m = sip("NOTIFY sip:b@example.com SIP/2.0", "n", &sdp(30));
    let tail = "a=x\r\n\r\nContent-Length: 0\r\n\r\n"; // the end of a message whose start is not captured
    let mut stream = tail.as_bytes().to_vec();
    stream.extend(m.as_bytes());
    stream.extend(m.as_bytes());
    let mut packets = Vec::new();
    let mut seq = 77u32;
    for chunk in stream.chunks(37) {
        packets.push(tcp_pkt(false, 5060, 41_000, seq, 1, F_ACK, chunk));
        seq += chunk.len() as u32;
    }
    let s = import_checked(&pcap_file(1, &packets));
    assert_eq!(first_lines(&s), ["NOTIFY sip:b@example.com SIP/2.0"; 2]);
    assert_eq!(s.records[0].sip, m.as_bytes());
    assert_eq!(s.records[0].line, 1 + tail.len() as u32 / 37);
    assert!(s.records.iter().all(|r| r.problems.is_empty()));
    assert_eq!(s.diagnostics.len(), 1, "{:?}", diags(&s));
    assert_eq!(s.diagnostics[0].severity, Severity::Info);
}

/// A stream that is not SIP (binary, or text that is not SIP from its SYN) gives nothing, silently.
#[test]
fn non_sip_streams_and_datagrams_are_ignored() {
    let rtp: Vec<u8> = (0..172u8).map(|i| i.wrapping_mul(37)).collect();
    let mut rtp = rtp;
    rtp[0] = 0x80;
    let packets = vec![
        udp_sip_pkt(&rtp),
        udp_sip_pkt(b"\r\n\r\n"),
        udp_sip_pkt(b"\r\n"),
        udp_sip_pkt(b"   "),
        tcp_pkt(true, 33_000, 80, 10, 0, F_SYN, b""),
        tcp_pkt(
            true,
            33_000,
            80,
            11,
            0,
            F_ACK,
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        tcp_pkt(
            false,
            80,
            33_000,
            5,
            0,
            F_ACK,
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
        ),
        tcp_pkt(true, 33_001, 22, 10, 0, F_SYN, b""),
        tcp_pkt(true, 33_001, 22, 11, 0, F_ACK, b"SSH-2.0-OpenSSH_9.6\r\n"),
        // SIP on an unusual UDP port is still SIP.
        ipv4(
            [192, 0, 2, 1],
            [192, 0, 2, 2],
            17,
            &udp(
                40_000,
                12_345,
                b"OPTIONS sip:x@y SIP/2.0\r\nContent-Length: 0\r\n\r\n",
            ),
        ),
    ];
    let s = import_checked(&pcap_file(
        101,
        &packets[..4]
            .iter()
            .chain(&packets[9..])
            .cloned()
            .collect::<Vec<_>>(),
    ));
    assert_eq!(first_lines(&s), ["OPTIONS sip:x@y SIP/2.0"]);
    assert!(s.diagnostics.is_empty(), "{:?}", diags(&s));
    let s = import_checked(&pcap_file(1, &packets[4..9]));
    assert!(s.records.is_empty());
    assert!(s.diagnostics.is_empty(), "{:?}", diags(&s));
}

/// A UDP datagram with two messages is two records; IPv4 fragments out of order (one duplicated) are one
/// datagram; an incomplete set gives a warning at the end.
#[test]
fn udp_and_ipv4_fragments() {
    let big = sip("INVITE sip:b@example.com SIP/2.0", "frag", &sdp(40));
    let dgram = udp(5060, 5080, big.as_bytes());
    assert!(dgram.len() > 2000);
    let (src, dst) = ([198, 51, 100, 1], [198, 51, 100, 2]);
    let f1 = ipv4_raw(src, dst, 17, 0x1234, 0x2000, &dgram[..1000]);
    let f2 = ipv4_raw(
        src,
        dst,
        17,
        0x1234,
        0x2000 | (1000 / 8),
        &dgram[1000..2000],
    );
    let f3 = ipv4_raw(src, dst, 17, 0x1234, 2000 / 8, &dgram[2000..]);
    let lonely = ipv4_raw(src, dst, 17, 0x9999, 0x2000, &dgram[..1000]);
    let two = format!(
        "{}{}",
        sip("SIP/2.0 200 OK", "x", ""),
        sip("SIP/2.0 200 OK", "y", "")
    );
    let packets: Vec<Vec<u8>> = vec![
        eth(0x0800, &f2),
        eth(0x0800, &lonely),
        eth(0x0800, &f3),
        eth(0x0800, &f2),
        eth(0x0800, &f1),
        eth(
            0x0800,
            &ipv4(src, dst, 17, &udp(5080, 5060, two.as_bytes())),
        ),
    ];
    let s = import_checked(&pcap_file(1, &packets));
    assert_eq!(
        first_lines(&s),
        [
            "INVITE sip:b@example.com SIP/2.0",
            "SIP/2.0 200 OK",
            "SIP/2.0 200 OK"
        ]
    );
    assert_eq!(s.records[0].sip, big.as_bytes());
    assert_eq!(s.records[0].line, 1);
    assert_eq!(s.records[0].src.as_deref(), Some("198.51.100.1:5060"));
    assert_eq!((s.records[1].line, s.records[2].line), (6, 6));
    assert_eq!(s.diagnostics.len(), 1, "{:?}", diags(&s));
    assert!(s.diagnostics[0]
        .message
        .starts_with("1 fragmented IP datagram"));
    assert_eq!(s.diagnostics[0].line, Some(2));
}

/// IPv6 with extension headers before and after the fragment header, in two fragments; Linux cooked SLL2.
#[test]
fn ipv6_extension_headers_and_fragments() {
    let m = sip("REGISTER sip:example.com SIP/2.0", "v6", &sdp(10));
    let dgram = udp(5060, 5060, m.as_bytes());
    // Fragmentable part: a destination-options header, then UDP.
    let mut fragmentable = vec![17, 0, 1, 4, 0, 0, 0, 0];
    fragmentable.extend(&dgram);
    let cut = 400;
    let frag = |offset: usize, more: bool, part: &[u8]| {
        // Hop-by-hop (unfragmentable), then the fragment header.
        let mut p = vec![44, 0, 1, 4, 0, 0, 0, 0];
        p.extend([60, 0]);
        p.extend(((offset as u16) | u16::from(more)).to_be_bytes());
        p.extend(0xABCD_0001u32.to_be_bytes());
        p.extend_from_slice(part);
        ipv6("2001:db8::1", "2001:db8:0:0:1::2", 0, &p)
    };
    let sll2 = |ip: Vec<u8>| {
        let mut v = 0x86DDu16.to_be_bytes().to_vec();
        v.extend([0; 18]);
        v.extend(ip);
        v
    };
    let packets = vec![
        sll2(frag(cut, false, &fragmentable[cut..])),
        sll2(frag(0, true, &fragmentable[..cut])),
    ];
    let s = import_checked(&pcap_file(276, &packets));
    assert_eq!(first_lines(&s), ["REGISTER sip:example.com SIP/2.0"]);
    assert_eq!(s.records[0].sip, m.as_bytes());
    assert_eq!(s.records[0].src.as_deref(), Some("[2001:db8::1]:5060"));
    assert_eq!(
        s.records[0].dst.as_deref(),
        Some("[2001:db8::1:0:0:2]:5060")
    );
    assert!(s.diagnostics.is_empty(), "{:?}", diags(&s));
}

/// VLAN tags (802.1ad + 802.1Q), MPLS, PPPoE; BSD loopback; raw IPv4 and IPv6 link types, in one pcapng file
/// whose interfaces have different link types and timestamp resolutions.
#[test]
fn link_layers_in_pcapng() {
    let m = |n: usize| sip("OPTIONS sip:x@example.com SIP/2.0", &format!("link{n}"), "");
    let ip = |n: usize| udp_sip_pkt(m(n).as_bytes());
    let mut mpls = vec![0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40];
    mpls.extend(ip(3));
    let mut pppoe = vec![0x11, 0x00, 0x00, 0x01];
    let inner = ip(4);
    pppoe.extend((inner.len() as u16 + 2).to_be_bytes());
    pppoe.extend(0x0021u16.to_be_bytes());
    pppoe.extend(inner);
    let mut null = 2u32.to_le_bytes().to_vec();
    null.extend(ip(5));
    let v6 = ipv6("::1", "::1", 17, &udp(5060, 5060, m(7).as_bytes()));
    let mut sll = vec![0, 0, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0];
    sll.extend(0x0800u16.to_be_bytes());
    sll.extend(ip(8));
    let ifaces = [
        (1, None),      // Ethernet, µs
        (0, Some(9)),   // BSD loopback, ns
        (101, Some(3)), // raw, ms
        (229, None),    // raw IPv6
        (113, None),    // Linux cooked
        (147, None),    // a user link type: not supported
    ];
    let packets = vec![
        (
            0,
            1_600_000_000_000_001u64,
            eth_tags(&[0x88A8, 0x8100], 0x0800, &ip(1)),
        ),
        (
            0,
            1_600_000_000_500_000,
            eth_tags(&[0x8100], 0x0800, &ip(2)),
        ),
        (0, 1_600_000_001_000_000, eth(0x8847, &mpls)),
        (0, 1_600_000_001_000_000, eth(0x8864, &pppoe)),
        (1, 1_600_000_002_123_456_789, null),
        (2, 1_600_000_003_456, ip(6)),
        (3, 1_600_000_004_000_000, v6),
        (4, 1_600_000_005_000_000, sll),
        (5, 0, vec![1, 2, 3]),
        (5, 0, vec![1, 2, 3]),
    ];
    let s = import_checked(&pcapng_file(&ifaces, &packets));
    let calls: Vec<String> = s
        .records
        .iter()
        .map(|r| {
            let t = String::from_utf8_lossy(&r.sip).to_string();
            t.lines()
                .find(|l| l.starts_with("Call-ID"))
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(
        calls,
        (1..=8)
            .map(|n| format!("Call-ID: link{n}"))
            .collect::<Vec<_>>()
    );
    let times: Vec<String> = s
        .records
        .iter()
        .map(|r| r.time.unwrap().to_string())
        .collect();
    assert_eq!(
        times,
        [
            "2020-09-13T12:26:40.000",
            "2020-09-13T12:26:40.500",
            "2020-09-13T12:26:41.000",
            "2020-09-13T12:26:41.000",
            "2020-09-13T12:26:42.123",
            "2020-09-13T12:26:43.456",
            "2020-09-13T12:26:44.000",
            "2020-09-13T12:26:45.000",
        ]
    );
    assert_eq!(s.records[6].src.as_deref(), Some("[::1]:5060"));
    assert_eq!(s.diagnostics.len(), 1, "{:?}", diags(&s));
    assert!(s.diagnostics[0].message.contains("Link type 147"));
    assert!(s.diagnostics[0].message.contains("2 packets"));
    assert_eq!(s.diagnostics[0].line, Some(9));
}

/// PPP (with and without address/control bytes) and Cisco HDLC link types.
#[test]
fn ppp_and_hdlc() {
    let m = sip("OPTIONS sip:x@example.com SIP/2.0", "ppp", "");
    let ip = udp_sip_pkt(m.as_bytes());
    let mut ppp = vec![0xFF, 0x03, 0x00, 0x21];
    ppp.extend(&ip);
    let mut ppp_short = vec![0x00, 0x21];
    ppp_short.extend(&ip);
    let mut hdlc = vec![0x0F, 0x00, 0x08, 0x00];
    hdlc.extend(&ip);
    assert_eq!(
        import_checked(&pcap_file(9, &[ppp, ppp_short]))
            .records
            .len(),
        2
    );
    assert_eq!(import_checked(&pcap_file(104, &[hdlc])).records.len(), 1);
}

/// Tunnels: IP-in-IP (IPv4 and IPv6 inside IPv4), GRE with checksum and key, ERSPAN type II and III, VXLAN.
#[test]
fn tunnels() {
    let m = |n: usize| sip("OPTIONS sip:x@example.com SIP/2.0", &format!("tun{n}"), "");
    let inner = |n: usize| udp_sip_pkt(m(n).as_bytes());
    let outer = |proto: u8, payload: &[u8]| {
        eth(0x0800, &ipv4([10, 9, 9, 1], [10, 9, 9, 2], proto, payload))
    };
    let ipip = outer(4, &inner(1));
    let v6in4 = outer(
        41,
        &ipv6(
            "2001:db8::a",
            "2001:db8::b",
            17,
            &udp(5060, 5060, m(2).as_bytes()),
        ),
    );
    let mut gre = vec![0xA0, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 42]; // C and K
    gre.extend(inner(3));
    let gre = outer(47, &gre);
    let mut erspan2 = vec![0x10, 0x00, 0x88, 0xBE, 0, 0, 0, 1]; // S, ERSPAN, sequence
    erspan2.extend([0x10, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00]);
    erspan2.extend(eth(0x0800, &inner(4)));
    let erspan2 = outer(47, &erspan2);
    let mut erspan3 = vec![0x10, 0x00, 0x22, 0xEB, 0, 0, 0, 2];
    erspan3.extend([0x20, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0x00, 0x01]); // O set: platform subheader
    erspan3.extend([0; 8]);
    erspan3.extend(eth(0x0800, &inner(5)));
    let erspan3 = outer(47, &erspan3);
    let mut vxlan = vec![0x08, 0, 0, 0, 0, 0, 0x2A, 0];
    vxlan.extend(eth(0x0800, &inner(6)));
    let vxlan = outer(17, &udp(51_000, 4789, &vxlan));
    let mut teb = vec![0x00, 0x00, 0x65, 0x58];
    teb.extend(eth_tags(&[0x8100], 0x0800, &inner(7)));
    let teb = outer(47, &teb);
    let s = import_checked(&pcap_file(
        1,
        &[ipip, v6in4, gre, erspan2, erspan3, vxlan, teb],
    ));
    let calls: Vec<String> = s
        .records
        .iter()
        .map(|r| {
            let t = String::from_utf8_lossy(&r.sip).to_string();
            t.lines()
                .find(|l| l.starts_with("Call-ID"))
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(
        calls,
        (1..=7)
            .map(|n| format!("Call-ID: tun{n}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(s.records[0].src.as_deref(), Some("192.0.2.1:5060"));
    assert_eq!(s.records[1].src.as_deref(), Some("[2001:db8::a]:5060"));
    assert!(s.diagnostics.is_empty(), "{:?}", diags(&s));
}

fn sctp_packet(chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut v = 5060u16.to_be_bytes().to_vec();
    v.extend(5060u16.to_be_bytes());
    v.extend([0, 0, 0, 9, 0, 0, 0, 0]);
    for c in chunks {
        v.extend(c);
    }
    eth(0x0800, &ipv4([10, 1, 1, 1], [10, 1, 1, 2], 132, &v))
}

fn data_chunk(flags: u8, tsn: u32, stream: u16, data: &[u8]) -> Vec<u8> {
    let mut v = vec![0, flags];
    v.extend((16 + data.len() as u16).to_be_bytes());
    v.extend(tsn.to_be_bytes());
    v.extend(stream.to_be_bytes());
    v.extend(0u16.to_be_bytes());
    v.extend(0u32.to_be_bytes());
    v.extend_from_slice(data);
    v.resize(v.len().div_ceil(4) * 4, 0);
    v
}

fn idata_chunk(flags: u8, tsn: u32, stream: u16, mid: u32, fsn: u32, data: &[u8]) -> Vec<u8> {
    let mut v = vec![64, flags];
    v.extend((20 + data.len() as u16).to_be_bytes());
    v.extend(tsn.to_be_bytes());
    v.extend(stream.to_be_bytes());
    v.extend(0u16.to_be_bytes());
    v.extend(mid.to_be_bytes());
    v.extend(fsn.to_be_bytes());
    v.extend_from_slice(data);
    v.resize(v.len().div_ceil(4) * 4, 0);
    v
}

/// SCTP: two whole messages in one packet, a retransmission of it, a message in 3 DATA fragments (out of
/// order), one in 2 I-DATA fragments, and a chunk that is not data.
#[test]
fn sctp_data_and_idata() {
    let m = |n: usize| {
        sip(
            "MESSAGE sip:x@example.com SIP/2.0",
            &format!("sctp{n}"),
            "body",
        )
    };
    let (m3, m4) = (m(3), m(4));
    let (a3, b3) = m3.as_bytes().split_at(60);
    let (b3, c3) = b3.split_at(50);
    let (a4, b4) = m4.as_bytes().split_at(100);
    let init = vec![1, 0, 0, 8, 0, 0, 0, 0];
    let first = sctp_packet(&[
        data_chunk(3, 100, 0, m(1).as_bytes()),
        data_chunk(3, 101, 1, m(2).as_bytes()),
    ]);
    let packets = vec![
        sctp_packet(&[init]),
        first.clone(),
        first,
        sctp_packet(&[data_chunk(2, 102, 0, a3)]),
        sctp_packet(&[data_chunk(1, 104, 0, c3)]),
        sctp_packet(&[data_chunk(0, 103, 0, b3)]),
        sctp_packet(&[idata_chunk(1, 106, 2, 7, 1, b4)]),
        sctp_packet(&[idata_chunk(2, 105, 2, 7, 0, a4)]),
    ];
    let s = import_checked(&pcap_file(1, &packets));
    let calls: Vec<String> = s
        .records
        .iter()
        .map(|r| {
            let t = String::from_utf8_lossy(&r.sip).to_string();
            t.lines()
                .find(|l| l.starts_with("Call-ID"))
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(
        calls,
        (1..=4)
            .map(|n| format!("Call-ID: sctp{n}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(s.records[2].sip, m3.as_bytes());
    assert_eq!(s.records[2].line, 4);
    assert_eq!(s.records[3].sip, m4.as_bytes());
    assert_eq!(s.records[3].line, 8);
    assert!(s.diagnostics.is_empty(), "{:?}", diags(&s));
}

fn ws_frame(opcode: u8, fin: bool, mask: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![(if fin { 0x80 } else { 0 }) | opcode];
    let m = if mask.is_some() { 0x80 } else { 0 };
    if payload.len() < 126 {
        v.push(m | payload.len() as u8);
    } else if payload.len() < 65_536 {
        v.push(m | 126);
        v.extend((payload.len() as u16).to_be_bytes());
    } else {
        v.push(m | 127);
        v.extend((payload.len() as u64).to_be_bytes());
    }
    match mask {
        Some(k) => {
            v.extend(k);
            v.extend(payload.iter().enumerate().map(|(i, b)| b ^ k[i % 4]));
        }
        None => v.extend_from_slice(payload),
    }
    v
}

/// SIP over WebSocket: the Upgrade handshake, a masked client frame split over two segments, a fragmented
/// server message with a ping in the middle, a binary frame holding two messages, a close.
#[test]
fn websocket() {
    let reg = sip("REGISTER sip:example.com SIP/2.0", "ws1", &sdp(30));
    let ok = sip("SIP/2.0 200 OK", "ws1", "");
    let two = format!(
        "{}{}",
        sip("OPTIONS sip:a@b SIP/2.0", "ws2", ""),
        sip("OPTIONS sip:a@b SIP/2.0", "ws3", "")
    );
    let req = b"GET /ws HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n";
    let resp = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n\r\n";
    let f1 = ws_frame(1, true, Some([1, 2, 3, 4]), reg.as_bytes());
    let (f1a, f1b) = f1.split_at(500);
    let (oka, okb) = ok.as_bytes().split_at(40);
    let mut server = ws_frame(1, false, None, oka);
    server.extend(ws_frame(9, true, None, b"ping"));
    server.extend(ws_frame(0, true, None, okb));
    let f3 = ws_frame(2, true, Some([9, 8, 7, 6]), two.as_bytes());
    let close = ws_frame(8, true, Some([0, 0, 0, 0]), &[3, 232]);
    let (cp, sp) = (50_123, 8443);
    let mut c = 101u32;
    let mut s = 901u32;
    let mut packets = vec![
        tcp_pkt(true, cp, sp, c - 1, 0, F_SYN, b""),
        tcp_pkt(false, sp, cp, s - 1, c, F_SYN | F_ACK, b""),
    ];
    let mut send = |to_server: bool, data: &[u8], packets: &mut Vec<Vec<u8>>| {
        let (seq, ack) = if to_server { (&mut c, s) } else { (&mut s, c) };
        let (sport, dport) = if to_server { (cp, sp) } else { (sp, cp) };
        packets.push(tcp_pkt(
            to_server,
            sport,
            dport,
            *seq,
            ack,
            F_ACK | F_PSH,
            data,
        ));
        *seq += data.len() as u32;
    };
    send(true, req, &mut packets);
    send(false, resp, &mut packets);
    send(true, f1a, &mut packets); // frame 5
    send(true, f1b, &mut packets);
    send(false, &server, &mut packets); // frame 7
    send(true, &f3, &mut packets); // frame 8
    send(true, &close, &mut packets);
    let s = import_checked(&pcap_file(1, &packets));
    assert_eq!(
        first_lines(&s),
        [
            "REGISTER sip:example.com SIP/2.0",
            "SIP/2.0 200 OK",
            "OPTIONS sip:a@b SIP/2.0",
            "OPTIONS sip:a@b SIP/2.0"
        ]
    );
    assert_eq!(s.records[0].sip, reg.as_bytes());
    assert_eq!(s.records[1].sip, ok.as_bytes());
    let lines: Vec<u32> = s.records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [5, 7, 8, 8]);
    assert_eq!(s.records[0].dst.as_deref(), Some("10.0.0.1:8443"));
    assert!(s.records.iter().all(|r| r.problems.is_empty()));
    assert!(s.diagnostics.is_empty(), "{:?}", diags(&s));

    // Without the handshake in the capture, frames that carry SIP are still recognised.
    let s = import_checked(&pcap_file(1, &packets[4..]));
    assert_eq!(first_lines(&s).len(), 4, "{:?}", diags(&s));
}

/// A TLS connection gives exactly one info diagnostic (client ↔ server, packets) and no records.
#[test]
fn tls_connection_is_reported_once() {
    let (cp, sp) = (49_816, 5061);
    let mut hello = vec![
        0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2C, 0x03, 0x03,
    ];
    hello.extend([0x42; 44]);
    let mut server_hello = vec![0x16, 0x03, 0x03, 0x00, 0x30, 0x02];
    server_hello.extend([0x17; 47]);
    let mut app = vec![0x17, 0x03, 0x03, 0x01, 0x00];
    app.extend([0x99; 256]);
    let c0 = 5000u32;
    let s0 = 9000u32;
    let packets = [
        tcp_pkt(true, cp, sp, c0, 0, F_SYN, b""),
        tcp_pkt(false, sp, cp, s0, c0 + 1, F_SYN | F_ACK, b""),
        tcp_pkt(true, cp, sp, c0 + 1, s0 + 1, F_ACK, &hello),
        tcp_pkt(
            false,
            sp,
            cp,
            s0 + 1,
            c0 + 1 + hello.len() as u32,
            F_ACK,
            &server_hello,
        ),
        tcp_pkt(true, cp, sp, c0 + 1 + hello.len() as u32, 0, F_ACK, &app),
        tcp_pkt(
            false,
            sp,
            cp,
            s0 + 1 + server_hello.len() as u32,
            0,
            F_ACK,
            &app,
        ),
        tcp_pkt(
            true,
            cp,
            sp,
            c0 + 1 + (hello.len() + app.len()) as u32,
            0,
            F_ACK | F_RST,
            b"",
        ),
        // A late packet after the reset is not a new connection.
        tcp_pkt(
            false,
            sp,
            cp,
            s0 + 1 + (server_hello.len() + app.len()) as u32,
            0,
            F_ACK,
            &app,
        ),
    ];
    for cut in [packets.len(), 5] {
        let s = import_checked(&pcap_file(1, &packets[..cut]));
        assert!(s.records.is_empty());
        assert_eq!(s.diagnostics.len(), 1, "{:?}", diags(&s));
        let d = &s.diagnostics[0];
        assert_eq!(d.severity, Severity::Info);
        let n = if cut == 5 { 5 } else { 8 };
        assert_eq!(
            d.message,
            format!("TLS connection 10.0.0.2:49816 ↔ 10.0.0.1:5061 ({n} packets): encrypted, SIP inside can't be read. The client log (Lync-UccApi-0.UccApilog) holds the same SIP decrypted: open both together to line each record up with its message.")
        );
        assert_eq!(d.line, Some(1));
    }
}

/// Packets cut by the snapshot length: one warning with the count; the SIP that is there is shown with a
/// problem.
#[test]
fn snaplen_truncation() {
    let m = sip("INVITE sip:b@example.com SIP/2.0", "cut", &sdp(5));
    let full = eth(0x0800, &udp_sip_pkt(m.as_bytes()));
    let mut file = pcap_file(1, &[full.clone(), full.clone()]);
    // Rewrite both records: keep 200 bytes of each, announce the full length.
    let mut out = file[..24].to_vec();
    let mut at = 24;
    for _ in 0..2 {
        let hdr = &file[at..at + 16];
        out.extend(&hdr[..8]);
        out.extend(200u32.to_le_bytes());
        out.extend((full.len() as u32).to_le_bytes());
        out.extend(&file[at + 16..at + 16 + 200]);
        at += 16 + full.len();
    }
    file = out;
    let s = import(&file);
    assert_eq!(s.records.len(), 2);
    assert!(s.records[0]
        .problems
        .iter()
        .any(|p| p.code == Code::TruncatedMessage && p.text.contains("snapshot length")));
    assert_eq!(s.diagnostics.len(), 1, "{:?}", diags(&s));
    assert!(s.diagnostics[0]
        .message
        .starts_with("2 packets were cut short"));
}

/// The end of a capture in the middle of a record, and junk after the header, are reported, not fatal.
#[test]
fn damaged_files() {
    let (packets, _) = tcp_capture();
    let file = pcap_file(1, &packets);
    let s = import(&file[..file.len() - 10]);
    assert_eq!(s.records.len(), 3);
    assert!(
        diags(&s).iter().any(|d| d.contains("ends inside a record")),
        "{:?}",
        diags(&s)
    );
    let mut bad = file.clone();
    let second = pcap_offsets(&packets)[1].0 as usize;
    bad[second + 8..second + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let s = import(&bad);
    assert!(s.records.is_empty());
    assert!(
        diags(&s)
            .iter()
            .any(|d| d.starts_with("error: The capture is damaged")),
        "{:?}",
        diags(&s)
    );
    assert!(import(&[]).records.is_empty());
}

// ---------------------------------------------------------------------------------------------------------------
// Invariance and robustness

fn synthetic_captures() -> Vec<(String, Vec<u8>)> {
    let (tcp_packets, _) = tcp_capture();
    let mut v = vec![("tcp".to_string(), pcap_file(1, &tcp_packets))];
    // A pcapng with the same packets on two interfaces with different resolutions.
    let ng: Vec<(u32, u64, Vec<u8>)> = tcp_packets
        .iter()
        .enumerate()
        .map(|(i, p)| ((i % 2) as u32, 1_700_000_000_000 + i as u64, p.clone()))
        .collect();
    v.push((
        "pcapng".to_string(),
        pcapng_file(&[(1, Some(3)), (1, Some(3))], &ng),
    ));
    v
}

fn summary(s: &Sink) -> (Vec<Record>, Vec<String>) {
    (s.records.clone(), diags(s))
}

#[test]
fn chunking_does_not_change_anything() {
    let mut inputs = synthetic_captures();
    for name in FIXTURES {
        if let Some(bytes) = fixture(name) {
            inputs.push((name.to_string(), bytes));
        }
    }
    for (name, bytes) in &inputs {
        let whole = summary(&import(bytes));
        assert!(!whole.0.is_empty(), "{name}");
        for chunk in [1, 7, 4096] {
            assert!(
                summary(&import_chunked(bytes, chunk)) == whole,
                "{name}: chunks of {chunk} differ"
            );
        }
    }
}

#[test]
fn prefixes_never_panic() {
    let mut inputs = synthetic_captures();
    for name in FIXTURES {
        if let Some(bytes) = fixture(name) {
            inputs.push((name.to_string(), bytes));
        }
    }
    for (_, bytes) in &inputs {
        // Every prefix of the small files; a stride through the larger ones. Damaged bytes are the `capture`
        // fuzz target's work (fuzz/, seeded with these captures: SIPSCOPE_WRITE_SEEDS=1 writes them).
        let step = if bytes.len() <= 8192 {
            1
        } else {
            bytes.len() / 1500
        };
        for n in (0..=bytes.len()).step_by(step) {
            let _ = import(&bytes[..n]);
        }
    }
    if std::env::var_os("SIPSCOPE_WRITE_SEEDS").is_some() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/capture");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in synthetic_captures() {
            let file: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            std::fs::write(dir.join(format!("synthetic-{file}")), bytes).unwrap();
        }
    }
}

/// Throughput on a synthetic capture (run with `cargo test --release --test capture -- --ignored --nocapture`).
#[test]
#[ignore = "a measurement, not a check: run it by hand in release mode"]
fn throughput() {
    let invite = sip("INVITE sip:b@example.com SIP/2.0", "perf", &sdp(20));
    let mut rtp = vec![0x80u8; 172];
    rtp[1] = 0;
    let mut packets = Vec::new();
    let mut seqs = [1u32; 7];
    for i in 0..400_000u32 {
        match i % 10 {
            0 => packets.push(eth(0x0800, &udp_sip_pkt(invite.as_bytes()))),
            1 => {
                let c = (i / 10 % 7) as usize;
                let port = 50_000 + c as u16;
                packets.push(tcp_pkt(
                    true,
                    port,
                    5060,
                    seqs[c],
                    1,
                    F_ACK,
                    invite.as_bytes(),
                ));
                seqs[c] = seqs[c].wrapping_add(invite.len() as u32);
            }
            _ => packets.push(eth(
                0x0800,
                &ipv4([10, 0, 0, 9], [10, 0, 0, 8], 17, &udp(40_000, 40_002, &rtp)),
            )),
        }
    }
    let file = pcap_file(1, &packets);
    let start = std::time::Instant::now();
    let s = import_chunked(&file, 4 << 20);
    let dt = start.elapsed();
    println!(
        "throughput: {} packets, {} MB, {} records in {:?} ({:.0} MB/s)",
        packets.len(),
        file.len() >> 20,
        s.records.len(),
        dt,
        file.len() as f64 / 1e6 / dt.as_secs_f64()
    );
}

/// Print what a capture file gives: `CAPTURE_FILE=x.pcapng cargo test --test capture -- --ignored --nocapture dump`.
#[test]
#[ignore = "a tool for looking at a capture named by CAPTURE_FILE, not a check"]
fn dump_capture_file() {
    let Ok(path) = std::env::var("CAPTURE_FILE") else {
        println!("set CAPTURE_FILE");
        return;
    };
    let bytes = std::fs::read(&path).unwrap();
    let start = std::time::Instant::now();
    let s = import(&bytes);
    let dt = start.elapsed();
    for r in &s.records {
        println!(
            "{:>6} {} {} → {} {} {:?}",
            r.line,
            r.time.map(|t| t.to_string()).unwrap_or_default(),
            r.src.as_deref().unwrap_or("?"),
            r.dst.as_deref().unwrap_or("?"),
            first_line(r),
            r.problems
        );
    }
    for d in diags(&s) {
        println!("{d}");
    }
    println!(
        "{} records, {} diagnostics in {dt:?}",
        s.records.len(),
        s.diagnostics.len()
    );
}
