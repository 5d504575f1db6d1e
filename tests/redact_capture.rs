//! Captures redacted (pcap and pcapng): every capture fixture analyzes to the same flow with none of its values
//! left (addresses in headers as bytes too), every checksum of the copy verifies (read by the tests' own reader,
//! `redact_capture/wire.rs`), TCP streams stay whole (a retransmission carries what its first copy carries,
//! acknowledgements and SACK edges fall where the bytes they acknowledge end), payloads that are not SIP are
//! left out, pcapng option strings and blocks that name people and machines are gone, and a capture whose SIP
//! cannot be rewritten is refused.
#![cfg(not(target_arch = "wasm32"))]

mod common;
#[path = "redact_capture/wire.rs"]
mod wire;

use common::redact::check;
use sipscope::redact::{redact_all, Category, Keep, Redactor, Refused};
use sipscope_harness::packets::{
    eth, ipv4_raw, ng_block_in, pcap_file, pcapng_from_pcap, tcp, udp, NgExtras,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![root.join("tests/fixtures/lab-tcp5060.pcap")];
    let shared = root.join("../shared/fixtures/pcap");
    match std::fs::read_dir(&shared) {
        Ok(dir) => {
            let mut more: Vec<_> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
            more.sort();
            paths.extend(more);
        }
        Err(_) => println!(
            "{} not found: the shared captures are not checked",
            shared.display()
        ),
    }
    paths
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

/// The addresses a stand-in is, as bytes: what may stay in a copy although an original had it too.
fn stand_ins(r: &Redactor) -> HashSet<Vec<u8>> {
    r.names
        .entries()
        .filter(|e| e.0 == Category::Addresses)
        .filter_map(|e| {
            let s = e.2;
            if let Ok(ip) = s.parse::<std::net::IpAddr>() {
                return Some(match ip {
                    std::net::IpAddr::V4(a) => a.octets().to_vec(),
                    std::net::IpAddr::V6(a) => a.octets().to_vec(),
                });
            }
            let mac: Vec<u8> = s
                .split(':')
                .filter_map(|p| u8::from_str_radix(p, 16).ok())
                .collect();
            (mac.len() == 6).then_some(mac)
        })
        .collect()
}

/// Everything a capture's copy owes beyond the shared promise: as many records with the same times, checksums
/// that verify, no address of a header left as bytes. Returns the two readings.
fn check_capture(name: &str, bytes: &[u8]) -> (Vec<u8>, wire::Wire, wire::Wire) {
    let (copy, r) = check(name, bytes);
    let (was, is) = (wire::read(bytes), wire::read(&copy));
    assert_eq!(was.records.len(), is.records.len(), "{name}: records");
    for (a, b) in was.records.iter().zip(&is.records) {
        assert_eq!(a.time, b.time, "{name}: a record's time changed");
        assert!(
            b.data.len() as u32 <= b.orig_len,
            "{name}: more captured than sent"
        );
    }
    assert!(
        is.bad.is_empty(),
        "{name}: checksums that do not verify: {:?}",
        is.bad
    );
    assert!(
        is.good.iter().sum::<usize>() > 0,
        "{name}: no checksum verified"
    );
    let kept = stand_ins(&r);
    let keeps_itself = |a: &[u8]| {
        (a.len() == 6 && (a[0] & 1 == 1 || a.iter().all(|&b| b == 0)))
            || (a.len() == 4 && (a[0] == 127 || a == [0, 0, 0, 0] || a == [255; 4]))
    };
    let addresses: HashSet<&Vec<u8>> = was.addresses.iter().collect();
    let left: Vec<&Vec<u8>> = addresses
        .into_iter()
        .filter(|a| !keeps_itself(a) && !kept.contains(*a))
        .filter(|a| copy.windows(a.len()).any(|w| w == a.as_slice()))
        .collect();
    assert!(
        left.is_empty(),
        "{name}: header addresses left in the copy: {left:02x?}"
    );
    (copy, was, is)
}

#[test]
fn every_capture_fixture_redacts_to_the_same_flow() {
    for (name, bytes) in fixtures() {
        let (copy, was, is) = check_capture(&name, &bytes);
        // A fixture's checksums were often wrong (offloading); every one the copy holds whole is right.
        println!(
            "{name}: {} → {} bytes; checksums verified {:?} (the original: {:?}, {} wrong)",
            bytes.len(),
            copy.len(),
            is.good,
            was.good,
            was.bad.len()
        );
    }
}

#[test]
fn pcapng_copies_keep_their_packets_and_lose_names() {
    // Little-endian and big-endian files in turn.
    for (i, (name, bytes)) in fixtures().into_iter().enumerate() {
        let le = i % 2 == 0;
        let name = format!("{name} as pcapng ({})", if le { "LE" } else { "BE" });
        let hardware: &[u8] = b"Contoso-Laptop-ALICE";
        let nrb = {
            // One IPv4 record naming a host, then the end of records.
            let mut b = if le { [1u8, 0, 20, 0] } else { [0u8, 1, 0, 20] }.to_vec();
            b.extend([10, 20, 30, 40]);
            b.extend(b"fe01.contoso.com\0\0\0\0");
            b.extend([0; 4]);
            b
        };
        let ng = pcapng_from_pcap(
            &bytes,
            le,
            &NgExtras {
                section: &[(2, hardware), (3, b"Windows 11 on ALICE-PC"), (4, b"Dumpcap (Wireshark)"), (1, b"for alice@contoso.com")],
                interface: &[(2, b"\\Device\\NPF_{6F1A2B3C-0D4E-4F50-8A9B-C0D1E2F3A4B5}"), (3, b"Intel(R) Ethernet on ALICE-PC"), (4, &[192, 168, 10, 21, 255, 255, 255, 0])],
                packet: &[(1, b"the call Bob could not hear")],
                blocks: &[(4, nrb), (0x0A, b"TLSK\x1a\0\0\0CLIENT_RANDOM 52362c10a2665e323a2adb4b9da0c10d4a8823719272f8b4c97af24f92784812".to_vec()), (0xBAD, b"\x9b\x7f\0\0custom block of ALICE-PC".to_vec())],
            },
        );
        let (copy, _, is) = check_capture(&name, &ng);
        for gone in [
            "ALICE",
            "NPF_",
            "Intel",
            "contoso",
            "Bob could",
            "CLIENT_RANDOM",
            "custom block",
        ] {
            assert!(
                !copy.windows(gone.len()).any(|w| w == gone.as_bytes()),
                "{name}: {gone} left in the copy"
            );
        }
        assert!(
            copy.windows(8).any(|w| w == b"Dumpcap "),
            "{name}: shb_userappl kept"
        );
        // The same packets as the pcap's copy, byte for byte (a fresh redaction numbers alike).
        let plain = redact_all(&[&bytes], Keep::default()).0.remove(0).unwrap();
        let records = |w: &wire::Wire| {
            w.records
                .iter()
                .map(|r| (r.data.clone(), r.orig_len))
                .collect::<Vec<_>>()
        };
        assert_eq!(records(&is), records(&wire::read(&plain)), "{name}");
    }
}

#[test]
fn a_generated_capture_redacts_to_the_same_flow() {
    let mut bytes = Vec::new();
    sipscope_gen::generate(
        &sipscope_gen::Config {
            target_bytes: 120 << 10,
            seed: 7,
            format: sipscope_gen::Format::Capture,
            ..sipscope_gen::Config::default()
        },
        &mut bytes,
    )
    .unwrap();
    let (_, was, is) = check_capture("generated capture", &bytes);
    streams_stay_whole("generated capture", &was, &is);
}

// ---------------------------------------------------------------------------------------------------------------
// A lab capture built here: SIP over TCP cut anywhere, retransmitted and acknowledged selectively; SIP in IP
// fragments; DNS, ARP, RTP and TLS beside it.

const CLIENT: [u8; 4] = [192, 168, 10, 21];
const SERVER: [u8; 4] = [10, 20, 30, 40];
const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

fn ip(src: [u8; 4], dst: [u8; 4], proto: u8, l4: &[u8]) -> Vec<u8> {
    eth(0x0800, &ipv4_raw(src, dst, proto, 7, 0x4000, l4))
}

/// A TCP segment between the client's port `client` and the server's `server`.
fn seg(
    ports: (u16, u16),
    to_server: bool,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let (c, s) = ports;
    let (a, b, pa, pb) = if to_server {
        (CLIENT, SERVER, c, s)
    } else {
        (SERVER, CLIENT, s, c)
    };
    ip(a, b, 6, &tcp(pa, pb, seq, ack, flags, payload))
}

/// A server ACK with one SACK block (NOP, NOP, SACK).
fn sack(seq: u32, ack: u32, left: u32, right: u32) -> Vec<u8> {
    let mut t = tcp(5060, 50123, seq, ack, ACK, &[]);
    t[12] = 0x80;
    t.extend([1, 1, 5, 10]);
    t.extend(left.to_be_bytes());
    t.extend(right.to_be_bytes());
    ip(SERVER, CLIENT, 6, &t)
}

fn message(start: &str, headers: &str, body: &str) -> String {
    format!(
        "{start}\r\nVia: SIP/2.0/TCP 192.168.10.21:50123;branch=z9hG4bK7a1c3e5f;received=192.168.10.21\r\n\
From: \"Alice Smith\" <sip:alice.smith@contoso.com>;tag=8f2a61c0;epid=1b7c9d2e4f\r\n{headers}\
Call-ID: 3c4f8e2a9b1d4e6f8a0c5d7e\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn sdp(host: &str, port: u16) -> String {
    format!(
        "v=0\r\no=- 0 0 IN IP4 {host}\r\ns=session\r\nc=IN IP4 {host}\r\nb=CT:99980\r\nt=0 0\r\n\
m=audio {port} RTP/AVP 0 8 101\r\na=ice-ufrag:Fq3Z\r\na=ice-pwd:Ab12Cd34Ef56Gh78Ij90Kl12\r\n\
a=candidate:1 1 UDP 2130706431 {host} {port} typ host\r\n\
a=candidate:2 1 UDP 1694498815 84.17.32.77 {port} typ srflx raddr {host} rport {port}\r\n\
a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
    )
}

/// A TLS ClientHello naming the server it wants (SNI).
fn client_hello(name: &str) -> Vec<u8> {
    let mut sni = vec![0, 0];
    sni.extend(((name.len() + 5) as u16).to_be_bytes());
    sni.extend(((name.len() + 3) as u16).to_be_bytes());
    sni.push(0);
    sni.extend((name.len() as u16).to_be_bytes());
    sni.extend(name.as_bytes());
    let mut hello = vec![3, 3];
    hello.extend([0x5A; 32]);
    hello.extend([0, 0, 2, 0x13, 0x01, 1, 0]);
    hello.extend((sni.len() as u16).to_be_bytes());
    hello.extend(sni);
    let mut hs = vec![1, 0];
    hs.extend((hello.len() as u16).to_be_bytes());
    hs.extend(hello);
    let mut rec = vec![0x16, 3, 1];
    rec.extend((hs.len() as u16).to_be_bytes());
    rec.extend(hs);
    rec
}

/// Frames (0-based) of the lab capture worth a look.
struct Lab {
    packets: Vec<Vec<u8>>,
    /// The INVITE's first and second segments and the retransmission that starts where the second does.
    first: usize,
    second: usize,
    again: usize,
    /// Frames that are not SIP, and how many bytes of each the copy keeps.
    other: [(usize, usize); 4],
}

fn lab() -> Lab {
    let invite = message(
        "INVITE sip:bob.jones@contoso.com SIP/2.0",
        "To: <sip:bob.jones@contoso.com>\r\nCSeq: 1 INVITE\r\n\
Contact: <sip:alice.smith@contoso.com;opaque=user:epid:Xy12Ab34Cd56Ef78Gh90Ij;gruu>\r\n\
User-Agent: UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)\r\nContent-Type: application/sdp\r\n",
        &sdp("192.168.10.21", 50020),
    );
    let tagged = "To: <sip:bob.jones@contoso.com>;tag=4d7e1a9b\r\n";
    let mut provisional = message(
        "SIP/2.0 100 Trying",
        "To: <sip:bob.jones@contoso.com>\r\nCSeq: 1 INVITE\r\n",
        "",
    );
    provisional += &message(
        "SIP/2.0 180 Ringing",
        &format!("{tagged}CSeq: 1 INVITE\r\n"),
        "",
    );
    let ok = message(
        "SIP/2.0 200 OK",
        &format!("{tagged}CSeq: 1 INVITE\r\nContact: <sip:bob.jones@contoso.com;opaque=user:epid:Qw98Er76Ty54Ui32Op10As;gruu>\r\nContent-Type: application/sdp\r\n"),
        &sdp("10.20.30.40", 52340),
    );
    let ack = message(
        "ACK sip:bob.jones@contoso.com SIP/2.0",
        &format!("{tagged}CSeq: 1 ACK\r\n"),
        "",
    );
    let bye = message(
        "BYE sip:bob.jones@contoso.com SIP/2.0",
        &format!("{tagged}CSeq: 2 BYE\r\n"),
        "",
    );
    let bye_ok = message("SIP/2.0 200 OK", &format!("{tagged}CSeq: 2 BYE\r\n"), "");
    let inv = invite.as_bytes();
    // The first cut falls inside the From line's user, the second inside a candidate's address.
    let cut1 = invite.find("alice.smith@").unwrap() + 5;
    let cut2 = invite.find("84.17.32.77").unwrap() + 4;
    // The client's stream passes 2^32 inside the INVITE.
    let (c0, s0): (u32, u32) = (0xFFFF_FE80, 3_000_000);
    let c = |off: usize| c0.wrapping_add(1).wrapping_add(off as u32);
    let s = |off: usize| s0.wrapping_add(1).wrapping_add(off as u32);
    let (c_end, s_end) = (
        inv.len() + ack.len() + bye.len(),
        provisional.len() + ok.len() + bye_ok.len(),
    );
    let (ok1, ok2) = ok.as_bytes().split_at(ok.len() / 2);
    let sip = |to_server, seq, ack, flags, payload: &[u8]| {
        seg((50123, 5060), to_server, seq, ack, flags, payload)
    };
    let tls = |to_server, seq, ack, flags, payload: &[u8]| {
        seg((50200, 443), to_server, seq, ack, flags, payload)
    };
    let mut dns = vec![0x1c, 0x2d, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in ["lyncdiscover", "contoso", "com"] {
        dns.push(label.len() as u8);
        dns.extend(label.as_bytes());
    }
    dns.extend([0, 0, 1, 0, 1]);
    let mut arp = vec![0, 1, 8, 0, 6, 4, 0, 1, 0x00, 0x66, 0x77, 0x88, 0x99, 0xAA];
    arp.extend(CLIENT);
    arp.extend([0; 6]);
    arp.extend([192, 168, 10, 1]);
    let mut rtp = vec![0x80, 0, 0, 1, 0, 0, 0, 160, 0x12, 0x34, 0x56, 0x78];
    rtp.extend([0xD5; 160]);
    // A BENOTIFY over UDP too long for one Ethernet frame: two IPv4 fragments.
    let notify = message(
        "BENOTIFY sip:alice.smith@contoso.com SIP/2.0",
        "To: <sip:alice.smith@contoso.com>;tag=61c0\r\nCSeq: 3 BENOTIFY\r\nEvent: presence\r\n\
Content-Type: application/msrtc-event-categories+xml\r\n",
        &"<category name=\"note\"><note><body type=\"personal\">Out until 3pm, ask Carol Diaz</body></note></category>".repeat(16),
    );
    let mut dg = udp(5060, 5060, notify.as_bytes());
    // Not computed by the sender (offloaded): the copy's is computed.
    dg[6..8].copy_from_slice(&[0xBE, 0xEF]);
    let frag = |off: usize, more: bool, piece: &[u8]| {
        let ff = (off / 8) as u16 | if more { 0x2000 } else { 0 };
        eth(0x0800, &ipv4_raw(SERVER, CLIENT, 17, 0x3a5c, ff, piece))
    };
    let packets = vec![
        eth(0x0806, &arp),
        ip(CLIENT, [10, 20, 30, 1], 17, &udp(53001, 53, &dns)),
        sip(true, c0, 0, SYN, b""),
        sip(false, s0, c(0), SYN | ACK, b""),
        sip(true, c(0), s(0), ACK, b""),
        sip(true, c(0), s(0), ACK | PSH, &inv[..cut1]),
        sip(true, c(cut2), s(0), ACK | PSH, &inv[cut2..]),
        sack(s(0), c(cut1), c(cut2), c(inv.len())),
        sip(true, c(cut1), s(0), ACK, &inv[cut1..cut2]),
        sip(false, s(0), c(inv.len()), ACK, b""),
        sip(true, c(cut1), s(0), ACK, &inv[cut1..]),
        sip(false, s(0), c(inv.len()), ACK | PSH, provisional.as_bytes()),
        sip(true, c(inv.len()), s(provisional.len()), ACK, b""),
        tls(true, 9_000, 0, SYN, b""),
        tls(false, 70_000, 9_001, SYN | ACK, b""),
        tls(
            true,
            9_001,
            70_001,
            ACK | PSH,
            &client_hello("lyncdiscover.contoso.com"),
        ),
        sip(false, s(provisional.len()), c(inv.len()), ACK | PSH, ok1),
        sip(
            false,
            s(provisional.len() + ok1.len()),
            c(inv.len()),
            ACK | PSH,
            ok2,
        ),
        sip(
            true,
            c(inv.len()),
            s(provisional.len() + ok.len()),
            ACK | PSH,
            ack.as_bytes(),
        ),
        ip(CLIENT, SERVER, 17, &udp(50020, 52340, &rtp)),
        frag(0, true, &dg[..1480]),
        frag(1480, false, &dg[1480..]),
        sip(
            true,
            c(inv.len() + ack.len()),
            s(provisional.len() + ok.len()),
            ACK | PSH,
            bye.as_bytes(),
        ),
        sip(
            false,
            s(provisional.len() + ok.len()),
            c(c_end),
            ACK | PSH,
            bye_ok.as_bytes(),
        ),
        sip(true, c(c_end), s(s_end), ACK | FIN, b""),
        sip(false, s(s_end), c(c_end) + 1, ACK | FIN, b""),
        sip(true, c(c_end) + 1, s(s_end) + 1, ACK, b""),
    ];
    Lab {
        packets,
        first: 5,
        second: 8,
        again: 10,
        other: [(0, 14), (1, 42), (15, 54 + 6), (19, 42)],
    }
}

/// Each TCP direction of the copy reads as one stream without holes, its copies of a byte agreeing; every
/// acknowledgement and SACK edge falls, in the copy, where the bytes it fell after in the original end.
fn streams_stay_whole(name: &str, was: &wire::Wire, is: &wire::Wire) {
    assert_eq!(
        was.segments.len(),
        is.segments.len(),
        "{name}: TCP segments"
    );
    let mut streams: HashMap<_, BTreeMap<u32, u8>> = HashMap::new();
    for g in &is.segments {
        let Some(syn) = is
            .segments
            .iter()
            .find(|x| x.from == g.from && x.to == g.to && x.flags & SYN != 0)
        else {
            continue;
        };
        let stream = streams.entry((g.from.clone(), g.to.clone())).or_default();
        for (i, &byte) in g.payload.iter().enumerate() {
            let at = g
                .seq
                .wrapping_sub(syn.seq.wrapping_add(1))
                .wrapping_add(i as u32);
            let old = stream.insert(at, byte);
            assert!(
                old.is_none_or(|o| o == byte),
                "{name}: frame {} disagrees with an earlier copy of its bytes",
                g.frame + 1
            );
        }
    }
    for (dir, stream) in &streams {
        let holes = stream
            .keys()
            .zip(stream.keys().skip(1))
            .filter(|(a, b)| **b != **a + 1)
            .count();
        assert_eq!(holes, 0, "{name}: a hole in the copy's stream {dir:?}");
    }
    let end = |g: &wire::Segment| {
        g.seq
            .wrapping_add(g.payload.len() as u32)
            .wrapping_add(u32::from(g.flags & (SYN | FIN) != 0))
    };
    for (x, y) in was.segments.iter().zip(&is.segments) {
        let acked = |v: u32, start: bool| {
            was.segments.iter().position(|g| {
                g.from == x.to && g.to == x.from && (end(g) == v || (start && g.seq == v))
            })
        };
        if x.flags & ACK != 0 {
            if let Some(k) = acked(x.ack, false) {
                assert_eq!(
                    y.ack,
                    end(&is.segments[k]),
                    "{name}: frame {}'s acknowledgement",
                    x.frame + 1
                );
            }
        }
        for (i, &edge) in x.sack.iter().enumerate() {
            let k = acked(edge, i % 2 == 0).expect("a SACK edge falls on a segment");
            let want = if was.segments[k].seq == edge {
                is.segments[k].seq
            } else {
                end(&is.segments[k])
            };
            assert_eq!(y.sack[i], want, "{name}: frame {}'s SACK edge", x.frame + 1);
        }
    }
}

#[test]
fn a_lab_capture_keeps_its_streams_whole_and_leaves_out_what_is_not_sip() {
    let lab = lab();
    let file = pcap_file(1, &lab.packets);
    let (copy, was, is) = check_capture("lab", &file);
    streams_stay_whole("lab", &was, &is);
    // The From line's redaction begins in the first segment and goes there whole: the second (and the
    // retransmission that starts where it does) begins with what follows it.
    let payload = |frame: usize| {
        &is.segments
            .iter()
            .find(|g| g.frame == frame)
            .unwrap()
            .payload
    };
    let first = String::from_utf8_lossy(payload(lab.first)).into_owned();
    assert!(
        first.ends_with(";epid=") || first.contains("From: \"User "),
        "{first}"
    );
    assert!(
        payload(lab.second).starts_with(b"\r\nTo: <sip:user"),
        "{:?}",
        String::from_utf8_lossy(payload(lab.second))
    );
    assert!(payload(lab.again).starts_with(payload(lab.second)));
    // What is not SIP keeps its headers and its length on the wire; a TLS connection its first record header.
    for (frame, kept) in lab.other {
        let (a, b) = (&was.records[frame], &is.records[frame]);
        assert_eq!(
            (b.data.len(), b.orig_len),
            (kept, a.orig_len),
            "frame {}",
            frame + 1
        );
    }
    for gone in ["contoso", "Carol", "Alice", "lyncdiscover", "84.17.32.77"] {
        assert!(
            !copy.windows(gone.len()).any(|w| w == gone.as_bytes()),
            "{gone} left in the copy"
        );
    }
    let after = common::redact::analyze(&copy);
    assert!(after
        .diagnostics
        .iter()
        .any(|d| format!("{:?}", d.code) == "TlsConnection"));
    // The BENOTIFY came in two fragments and went out in two, its UDP checksum right over the whole datagram.
    assert!(
        is.datagrams
            .iter()
            .any(|d| d.starts_with(b"BENOTIFY sip:user")),
        "no BENOTIFY"
    );
    assert!(is.good[1] >= 1);
}

/// A little-endian pcap file in big-endian byte order (as a SPARC or a PowerPC host writes it).
fn big_endian(pcap: &[u8]) -> Vec<u8> {
    let mut v = pcap.to_vec();
    let swap = |v: &mut Vec<u8>, at: usize, n: usize| v[at..at + n].reverse();
    swap(&mut v, 0, 4);
    swap(&mut v, 4, 2);
    swap(&mut v, 6, 2);
    for at in [8, 12, 16, 20] {
        swap(&mut v, at, 4);
    }
    let mut at = 24;
    while at + 16 <= v.len() {
        let caplen = u32::from_le_bytes([v[at + 8], v[at + 9], v[at + 10], v[at + 11]]) as usize;
        for field in 0..4 {
            swap(&mut v, at + 4 * field, 4);
        }
        at += 16 + caplen;
    }
    v
}

#[test]
fn a_big_endian_pcap_is_written_back_in_its_byte_order() {
    let file = big_endian(&pcap_file(1, &lab().packets));
    let (copy, _, _) = check_capture("lab, big-endian", &file);
    assert_eq!(copy[..24], file[..24], "the file header as it was");
}

#[test]
fn simple_packet_blocks_keep_their_length_and_zeros_for_what_is_not_sip() {
    let lab = lab();
    let mut file = pcapng_from_pcap(&pcap_file(1, &[]), true, &NgExtras::default());
    for p in &lab.packets {
        let mut body = (p.len() as u32).to_le_bytes().to_vec();
        body.extend_from_slice(p);
        file.extend(ng_block_in(true, 3, &body));
    }
    let (_, was, is) = check_capture("lab in simple packet blocks", &file);
    // What a pcap copy leaves out is zeros here, the packet as long as it was.
    for (frame, kept) in lab.other {
        let (a, b) = (&was.records[frame], &is.records[frame]);
        assert_eq!(a.data.len(), b.data.len(), "frame {}", frame + 1);
        assert!(
            b.data[kept..].iter().all(|&x| x == 0),
            "frame {}",
            frame + 1
        );
    }
}

#[test]
fn a_connection_idle_for_minutes_keeps_one_stream() {
    // The INVITE dialog, then more than 4096 other packets over six minutes (the importer forgets a connection
    // idle for five), then the BYE on the same connection.
    let lab = lab();
    let bye = lab.packets.len() - 5;
    let mut packets: Vec<Vec<u8>> = lab.packets[..bye].to_vec();
    let mut arp = lab.packets[0].clone();
    for i in 0..4200u32 {
        arp[38..42].copy_from_slice(&(0x0A00_0000 + i).to_be_bytes());
        packets.push(arp.clone());
    }
    packets.extend_from_slice(&lab.packets[bye..]);
    let mut file = pcap_file(1, &packets);
    // Times: 10 ms apart, then six minutes later from packet 4000 on (the importer looks for idle connections
    // every 4096 packets).
    let mut at = 24;
    for (i, p) in packets.iter().enumerate() {
        if i >= 4000 {
            let t = u32::from_le_bytes([file[at], file[at + 1], file[at + 2], file[at + 3]]) + 360;
            file[at..at + 4].copy_from_slice(&t.to_le_bytes());
        }
        at += 16 + p.len();
    }
    let (_, was, is) = check_capture("an idle connection", &file);
    streams_stay_whole("an idle connection", &was, &is);
}

#[test]
fn messages_the_capture_ends_inside_keep_their_order() {
    // The client (192.168.10.21, the higher address) sends an INVITE, the server (10.20.30.40) a 183, and the
    // capture ends inside both: the importer gives them at its end. The copy renames the client to a lower
    // address than the server's; the two must still come out INVITE first, as they began.
    let invite = message(
        "INVITE sip:bob.jones@contoso.com SIP/2.0",
        "To: <sip:bob.jones@contoso.com>\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n",
        &sdp("192.168.10.21", 50020),
    );
    let ringing = message(
        "SIP/2.0 183 Session Progress",
        "To: <sip:bob.jones@contoso.com>;tag=4d7e1a9b\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n",
        &sdp("10.20.30.40", 52340),
    );
    // Each cut inside its body (the 183's before its first address: the copy meets the client's first).
    let (inv, rng) = (
        &invite.as_bytes()[..invite.len() - 40],
        &ringing.as_bytes()[..ringing.find("o=-").unwrap()],
    );
    let ports = (50123, 5060);
    let packets = [
        seg(ports, true, 1000, 9000, PSH | ACK, inv),
        seg(ports, false, 9000, 1000 + inv.len() as u32, PSH | ACK, rng),
    ];
    let file = pcap_file(1, &packets);
    // The copy reads as the original does, and both as they began.
    check_capture("cut at the end", &file);
    let shape = common::redact::shape(&common::redact::analyze(&file));
    assert_eq!(shape.messages, ["INVITE", "183"]);
}

#[test]
fn sip_where_it_cannot_be_rewritten_refuses_the_file() {
    let lab = lab();
    // An OPTIONS inside a GRE tunnel.
    let options = message(
        "OPTIONS sip:bob.jones@contoso.com SIP/2.0",
        "To: <sip:bob.jones@contoso.com>\r\nCSeq: 9 OPTIONS\r\n",
        "",
    );
    let mut gre = vec![0, 0, 0x08, 0x00];
    gre.extend(ipv4_raw(
        CLIENT,
        SERVER,
        17,
        11,
        0,
        &udp(5060, 5060, options.as_bytes()),
    ));
    let mut tunnelled = lab.packets.clone();
    tunnelled.push(eth(
        0x0800,
        &ipv4_raw([172, 16, 0, 1], [172, 16, 0, 2], 47, 9, 0, &gre),
    ));
    let file = pcap_file(1, &tunnelled);
    match redact_all(&[&file], Keep::default()).0.remove(0) {
        Err(Refused::Capture(why)) => {
            assert!(
                why.contains("GRE") && why.contains(&format!("frame {}", tunnelled.len())),
                "{why}"
            )
        }
        other => panic!("not refused: {}", other.is_ok()),
    }
    // A record longer than any packet: the file is damaged there.
    let mut damaged = pcap_file(1, &lab.packets);
    damaged[24 + 8..24 + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    match redact_all(&[&damaged], Keep::default()).0.remove(0) {
        Err(Refused::Capture(why)) => assert!(why.contains("damaged"), "{why}"),
        other => panic!("not refused: {}", other.is_ok()),
    }
}

#[test]
fn cut_and_corrupted_captures_never_panic() {
    let lab = pcap_file(1, &lab().packets);
    let fixture = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lab-tcp5060.pcap"),
    )
    .unwrap();
    let ng = pcapng_from_pcap(&lab, false, &NgExtras::default());
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (name, bytes, stride, corrupted) in [
        ("lab", &lab, 251, 25),
        ("lab pcapng", &ng, 307, 25),
        ("lab-tcp5060", &fixture, 7919, 5),
    ] {
        let mut inputs: Vec<Vec<u8>> = (0..bytes.len())
            .step_by(stride)
            .map(|n| bytes[..n].to_vec())
            .collect();
        for _ in 0..corrupted {
            let mut b = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % b.len() as u64) as usize;
                b[at] = [0, 0xFF, 0x80, b[at] ^ 0x10][(next() % 4) as usize];
            }
            inputs.push(b);
        }
        for input in inputs {
            // Written back or refused; a copy reads as a capture again.
            if let Ok(copy) = redact_all(&[&input], Keep::default()).0.remove(0) {
                let a = common::redact::analyze(&copy);
                assert!(
                    a.files[0].format.is_capture() || input.len() < 24,
                    "{name}: {} bytes",
                    input.len()
                );
            }
        }
    }
}

#[test]
fn a_capture_and_the_client_log_it_saw_redacted_together_still_merge() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let log = std::fs::read(root.join("www/sample/sample.uccapilog")).unwrap();
    let pcap = std::fs::read(root.join("tests/fixtures/lab-tcp5060.pcap")).unwrap();
    let (copies, _) = redact_all(&[&log, &pcap], Keep::default());
    let copies: Vec<Vec<u8>> = copies.into_iter().map(Result::unwrap).collect();
    let merged = |log: &[u8], pcap: &[u8]| {
        let a = sipscope::Analysis::of_files([("client.uccapilog", log), ("lab.pcap", pcap)]);
        let clocks: Vec<_> = a
            .clocks
            .iter()
            .map(|c| (c.offset_ms, c.shared, format!("{:?}", c.source)))
            .collect();
        let sightings: usize = a.messages.iter().map(|m| m.also.len()).sum();
        (
            a.messages.len(),
            sightings,
            clocks,
            a.flow.transactions.len(),
            a.flow.conversations.len(),
            a.aliases.len(),
        )
    };
    let (was, is) = (merged(&log, &pcap), merged(&copies[0], &copies[1]));
    // The capture's messages are the log's, seen on the wire: each drawn once, on the log's clock.
    assert!(was.1 >= 30 && was.2[1].1 >= 30, "{was:?}");
    assert_eq!(was, is, "the copies merge differently");
}
