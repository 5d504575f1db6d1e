//! Capture importer: pcap, pcapng and Network Monitor files → SIP records (link layers, IP reassembly, TCP streams, SCTP, WebSocket).
//!
//! The importer is push-based like the others: [`CaptureImporter::push`] takes chunks of any size and keeps only
//! the bytes of the record it is in the middle of; [`CaptureImporter::finish`] flushes what is still open (TCP
//! streams, fragment sets) and writes the counted diagnostics. The layers live in this folder:
//!
//! * `container.rs` — pcap (µs and ns, both byte orders) and pcapng (sections, interfaces with their own link
//!   type and `if_tsresol` / `if_tsoffset`; EPB, SPB and the obsolete PB) → packets.
//! * `netmon.rs` — Microsoft Network Monitor 2.x `.cap` files (header, frames, frame table) → the same packets.
//! * `net.rs` — link layers (Ethernet with 802.1Q/QinQ, Linux cooked SLL/SLL2, raw IP, BSD null/loop, MPLS,
//!   PPPoE, PPP, Cisco HDLC), IPv4/IPv6 (extension headers), tunnels (IP-in-IP, GRE, ERSPAN II/III, VXLAN),
//!   UDP datagrams.
//! * `frag.rs` — IP fragment reassembly.
//! * `tcp/` — TCP stream reassembly per direction and SIP stream framing, WebSocket, TLS detection.
//! * `sctp.rs` — SCTP DATA / I-DATA user messages.
//! * `ws.rs` — WebSocket frame headers.
//! * `report.rs` — counted diagnostics (one per kind, with a count and the first frame).
//! * `layout.rs` — the headers read in each packet, where ([`dissect`]: for writing a capture back).
//!
//! SIP is recognised by content, never by port: a datagram, a user message or a stream is SIP when its first
//! non-blank line is a SIP start line ([`crate::sip::parser::is_start_line`]).
//!
//! What a [`Record`] holds for a capture: `time` is the capture timestamp (UTC, milliseconds), `src` / `dst` are
//! `ip:port` (`[v6]:port`, RFC 5952 text), `direction` is [`Direction::Unknown`], `span` is the byte range of
//! the packet's record in the capture file (record header included; for a message that spans several packets,
//! the packet holding its first byte), and `line` is that packet's **frame number** (1-based, as Wireshark
//! numbers frames): a capture has no lines.

mod container;
mod frag;
pub mod layout;
mod net;
mod netmon;
mod report;
mod sctp;
mod tcp;
mod ws;

pub use container::{options as ng_options, u32_at};
pub use tcp::is_tls_record;

use super::{Direction, InFile, Record, Sink};
use crate::base::diag::{Code, Problem};
use crate::base::fxhash::FxMap;
use crate::base::time::Timestamp;
use crate::sip::{framing, parser};
use std::fmt;
use std::net::IpAddr;

/// Which capture container a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureKind {
    /// Classic libpcap (`tcpdump -w`): microsecond or nanosecond timestamps, either byte order.
    Pcap,
    /// pcapng (Wireshark's default): sections, interfaces, enhanced packet blocks.
    PcapNg,
    /// Microsoft Network Monitor 2.x (`.cap`, what Network Monitor 3.x writes): a header, frames, a frame table.
    NetMon,
}

impl CaptureKind {
    pub fn name(self) -> &'static str {
        match self {
            CaptureKind::Pcap => "pcap",
            CaptureKind::PcapNg => "pcapng",
            CaptureKind::NetMon => "netmon",
        }
    }
}

/// Streaming importer for one pcap or pcapng file.
#[derive(Debug)]
pub struct CaptureImporter {
    /// Boxed: the state is large, and the importer is a variant of [`super::Importer`].
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    reader: container::Reader,
    net: net::Net,
}

impl CaptureImporter {
    pub fn new(file: u32) -> Self {
        CaptureImporter {
            inner: Box::new(Inner {
                reader: container::Reader::new(file),
                net: net::Net::new(file),
            }),
        }
    }

    /// The capture container `head` (the first bytes of a file) starts with, if any: a pcap global header magic
    /// (`A1B2C3D4` µs or `A1B23C4D` ns, in either byte order) or a pcapng Section Header Block (block type
    /// `0A0D0D0A` followed, after the block length, by the byte-order magic `1A2B3C4D` in either order).
    pub fn sniff(head: &[u8]) -> Option<CaptureKind> {
        container::sniff(head)
    }

    pub fn push(&mut self, chunk: &[u8], sink: &mut Sink) {
        let Inner { reader, net } = &mut *self.inner;
        reader.push(chunk, &mut |p| net.packet(p, sink));
    }

    pub fn finish(&mut self, sink: &mut Sink) {
        let Inner { reader, net } = &mut *self.inner;
        reader.finish(sink);
        net.finish(sink);
    }
}

/// A whole capture read to be written back: each packet record with the headers the layers read in it, and what
/// the importer made of the capture (its records and diagnostics).
pub fn dissect(bytes: &[u8]) -> (Vec<layout::Frame>, Sink) {
    let mut reader = container::Reader::new(0);
    let mut net = net::Net::new(0);
    net.record_layers();
    let mut sink = Sink::default();
    let mut frames = Vec::new();
    reader.push(bytes, &mut |p| {
        net.packet(p, &mut sink);
        frames.push(layout::Frame {
            span: p.meta.span,
            data_at: p.data_at,
            caplen: p.data.len(),
            orig_len: p.orig_len,
            number: p.meta.frame,
            layers: net.take_layers(),
        });
    });
    reader.finish(&mut sink);
    net.finish(&mut sink);
    (frames, sink)
}

/// Where a packet is in the capture: what a record built from it points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Meta {
    time: Option<Timestamp>,
    /// Byte range of the packet's record (header included) in the capture file.
    span: (u64, u64),
    /// 1-based frame number.
    frame: u32,
}

/// A transport endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Ep {
    ip: IpAddr,
    port: u16,
}

impl fmt::Display for Ep {
    /// `192.0.2.1:5060`, `[2001:db8::1]:5061` (std formats IPv6 per RFC 5952: lower case, longest zero run).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ip {
            IpAddr::V4(a) => write!(f, "{a}:{}", self.port),
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.port),
        }
    }
}

#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Whether `payload` is SIP: its first non-blank line is a SIP start line. Blank payloads (CRLF keep-alives) are
/// not.
fn starts_with_sip(payload: &[u8]) -> bool {
    let Some(start) = payload.iter().position(|&b| !is_ws(b)) else {
        return false;
    };
    let rest = payload.get(start..).unwrap_or(&[]);
    // A start line is short; do not scan a large binary payload for a line break.
    let window = rest.get(..rest.len().min(8192)).unwrap_or(rest);
    let end = memchr::memchr(b'\n', window).unwrap_or(window.len());
    parser::is_start_line(window.get(..end).unwrap_or(&[]))
}

/// Cut `block` (a datagram, a user message, a message cut from a stream) into SIP messages and append them as
/// records. `extra` problems come first in every message's problems. Returns how many records were added.
fn emit_block(
    block: &[u8],
    place: Option<InFile>,
    src: &Ep,
    dst: &Ep,
    meta: &Meta,
    extra: &[Problem],
    sink: &mut Sink,
) -> usize {
    let frames = framing::frame_block(block);
    let n = frames.len();
    if n == 0 {
        return 0;
    }
    let (src, dst) = (src.to_string(), dst.to_string());
    for f in frames {
        let mut problems = Vec::with_capacity(f.problems.len() + extra.len());
        problems.extend(extra.iter().cloned());
        problems.extend(f.problems);
        let at = place
            .as_ref()
            .and_then(|p| p.slice(f.range.start, f.range.len()));
        sink.records.push(Record {
            parsed: None,
            sip: block.get(f.range).unwrap_or(&[]).to_vec(),
            time: meta.time,
            src: Some(src.clone()),
            dst: Some(dst.clone()),
            direction: Direction::Unknown,
            span: meta.span,
            at,
            line: meta.frame,
            problems,
        });
    }
    n
}

/// Problem attached to messages from a packet cut short by the capture's snapshot length.
/// The problem of a message whose packet the capture's snapshot length cut.
fn cut_problem() -> Problem {
    Problem::new(
        Code::TruncatedMessage,
        "the packet was cut short by the capture's snapshot length: the end of this message is missing",
    )
}

/// The packet being read: where it is and whether the capture cut it short.
#[derive(Debug, Clone, Copy)]
struct Cx {
    pub meta: Meta,
    /// The packet's captured bytes: their address while the packet is read, their length and where they start in
    /// the file. What tells where a payload that is a slice of them is in the file.
    pub data: (usize, usize, u64),
    /// Packet index (1-based), for age limits that do not depend on timestamps.
    pub pkt_no: u64,
    /// The capture holds fewer bytes than were on the wire (snapshot length): a short header is not malformed.
    pub cut: bool,
}

impl Cx {
    pub fn now(&self) -> Option<i64> {
        self.meta.time.map(|t| t.0)
    }

    /// Where `bytes` are in the capture file, when they are a slice of this packet's captured bytes (not a
    /// datagram put together from IP fragments, not a decoded WebSocket payload).
    pub fn place(&self, bytes: &[u8]) -> Option<u64> {
        let (addr, len, at) = self.data;
        let off = (bytes.as_ptr() as usize).checked_sub(addr)?;
        (!bytes.is_empty() && off + bytes.len() <= len).then_some(at + off as u64)
    }
}

#[inline]
fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

#[inline]
fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn sniffs_all_magics() {
        for m in [
            [0xD4, 0xC3, 0xB2, 0xA1],
            [0xA1, 0xB2, 0xC3, 0xD4],
            [0x4D, 0x3C, 0xB2, 0xA1],
            [0xA1, 0xB2, 0x3C, 0x4D],
        ] {
            assert_eq!(CaptureImporter::sniff(&m), Some(CaptureKind::Pcap));
        }
        let shb_le = [0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A];
        let shb_be = [0x0A, 0x0D, 0x0D, 0x0A, 0, 0, 0, 28, 0x1A, 0x2B, 0x3C, 0x4D];
        assert_eq!(CaptureImporter::sniff(&shb_le), Some(CaptureKind::PcapNg));
        assert_eq!(CaptureImporter::sniff(&shb_be), Some(CaptureKind::PcapNg));
        assert_eq!(CaptureImporter::sniff(&shb_le[..8]), None);
        let mut bad = shb_le;
        bad[9] = 0;
        assert_eq!(CaptureImporter::sniff(&bad), None);
        assert_eq!(CaptureImporter::sniff(b"INVITE sip:a@b SIP/2.0"), None);
        assert_eq!(CaptureImporter::sniff(b""), None);
    }

    #[test]
    fn endpoints_format_like_rfc_5952() {
        let ep = |ip: IpAddr, port| Ep { ip, port }.to_string();
        assert_eq!(
            ep(IpAddr::V4(Ipv4Addr::new(192, 168, 1, 54)), 49816),
            "192.168.1.54:49816"
        );
        let v6: Ipv6Addr = "fec0:0:0:0:216:d3ff:fe0d:22c".parse().unwrap();
        assert_eq!(ep(IpAddr::V6(v6), 5060), "[fec0::216:d3ff:fe0d:22c]:5060");
        let v6: Ipv6Addr = "2001:db8:0:1:0:0:0:1".parse().unwrap();
        assert_eq!(ep(IpAddr::V6(v6), 1), "[2001:db8:0:1::1]:1");
        let v6: Ipv6Addr = "2001:db8:0:1:1:1:1:1".parse().unwrap();
        assert_eq!(ep(IpAddr::V6(v6), 1), "[2001:db8:0:1:1:1:1:1]:1");
    }

    #[test]
    fn sip_is_found_by_its_first_line() {
        assert!(starts_with_sip(
            b"\r\n\r\nINVITE sip:a@b SIP/2.0\r\nVia: x\r\n"
        ));
        assert!(starts_with_sip(b"SIP/2.0 200 OK\r\n"));
        assert!(!starts_with_sip(b"\r\n\r\n"));
        assert!(!starts_with_sip(b""));
        assert!(!starts_with_sip(&[0x80, 0x00, 0x12, 0x34, b'\n']));
        assert!(!starts_with_sip(b"GET / HTTP/1.1\r\n"));
    }

    #[test]
    fn importer_is_small() {
        // It is a variant of `Importer`: keep it as small as the others.
        assert!(std::mem::size_of::<CaptureImporter>() <= 16);
    }

    #[test]
    fn hasher_is_deterministic() {
        use std::hash::BuildHasher;
        let b = crate::base::fxhash::FxBuild::default();
        let e = Ep {
            ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            port: 5060,
        };
        let h = |e: &Ep| b.hash_one(e);
        assert_eq!(h(&e), h(&e));
        assert_ne!(h(&e), h(&Ep { port: 5061, ..e }));
    }
}
