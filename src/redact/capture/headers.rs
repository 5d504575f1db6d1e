//! One packet's headers rewritten: MAC and IP addresses renamed, IPv4 options blanked, lengths moved by what the
//! payload gained or lost, TCP sequence and acknowledgement numbers (SACK edges too) moved by what the stream
//! before them gained or lost, checksums made again.
//!
//! The headers are the ones the importer read (`import::pcap::layout`), outermost first, up to the first the
//! redaction does not rewrite (a GRE or VXLAN tunnel, SCTP, an IPv6 routing or authentication header): what
//! comes after the last header kept is the packet's payload.

use std::ops::Range;

use super::addr::Renamer;
use super::edits::Edits;
use super::sum::{pseudo, update, Sum};
use crate::import::pcap::layout::Layer;
use crate::redact::Pseudonyms;

const TCP_ACK: u8 = 0x10;

/// How far the redaction understands a packet.
#[derive(Debug, Clone, Default)]
pub struct Stack {
    /// The headers it rewrites, outermost first, and where each starts.
    pub layers: Vec<(usize, Layer)>,
    /// The payload's captured bytes: after the last header kept, up to the end its lengths give (a link-layer
    /// trailer may follow).
    pub payload: Range<usize>,
    /// Where the payload ends on the wire, by the innermost length (past `payload.end` when the capture cut it).
    pub wire_end: usize,
    /// The innermost IP header is one fragment of a datagram: the payload is a piece of it.
    pub fragment: bool,
    /// The first header the importer read that the redaction does not rewrite.
    pub beyond: Option<&'static str>,
}

fn be16(d: &[u8], at: usize) -> usize {
    d.get(at..at + 2)
        .map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])))
}

fn put16(d: &mut [u8], at: usize, v: usize) {
    if let Some(b) = d.get_mut(at..at + 2) {
        b.copy_from_slice(&(v as u16).to_be_bytes());
    }
}

fn be32(d: &[u8], at: usize) -> u32 {
    d.get(at..at + 4)
        .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn put32(d: &mut [u8], at: usize, v: u32) {
    if let Some(b) = d.get_mut(at..at + 4) {
        b.copy_from_slice(&v.to_be_bytes());
    }
}

/// What the redaction makes of a packet's headers (`data`: its captured bytes).
pub fn stack(data: &[u8], layers: &[(usize, Layer)]) -> Stack {
    let mut st = Stack::default();
    let mut end = 0;
    let mut wire_end = data.len();
    for &(at, layer) in layers {
        if at < end || at >= data.len() {
            break;
        }
        let len = match layer {
            Layer::Ethernet => 14,
            Layer::Sll => 16,
            Layer::Sll2 => 20,
            Layer::Pppoe => 8,
            Layer::Ipv4 => {
                let total = be16(data, at + 2);
                wire_end = if total == 0 { data.len() } else { at + total };
                let ff = be16(data, at + 6);
                st.fragment = ff & 0x3FFF != 0;
                usize::from(data[at] & 0x0F) * 4
            }
            Layer::Ipv6 => {
                let plen = be16(data, at + 4);
                wire_end = if plen == 0 {
                    data.len()
                } else {
                    at + 40 + plen
                };
                40
            }
            Layer::Ipv6Ext(0 | 60) => (usize::from(*data.get(at + 1).unwrap_or(&0)) + 1) * 8,
            Layer::Ipv6Ext(44) => {
                st.fragment = be16(data, at + 2) & 0xFFF9 != 0;
                8
            }
            Layer::Udp => {
                let ulen = be16(data, at + 4);
                if ulen != 0 {
                    wire_end = at + ulen;
                }
                8
            }
            Layer::Tcp { .. } => usize::from(data.get(at + 12).map_or(0, |b| b >> 4)) * 4,
            Layer::Ipv6Ext(_) => {
                st.beyond = Some("an IPv6 routing, authentication or mobility header");
                break;
            }
            Layer::Gre => {
                st.beyond = Some("a GRE tunnel");
                break;
            }
            Layer::Vxlan => {
                st.beyond = Some("a VXLAN tunnel");
                break;
            }
            Layer::Sctp => {
                st.beyond = Some("SCTP");
                break;
            }
        };
        st.layers.push((at, layer));
        end = at + len;
        if st.fragment {
            break;
        }
    }
    let end = end.min(data.len());
    st.wire_end = wire_end.max(end);
    st.payload = end..st.wire_end.min(data.len());
    st
}

impl Stack {
    /// The innermost header kept, when it is TCP or UDP (not a fragment's).
    pub fn l4(&self) -> Option<(usize, Layer)> {
        match self.layers.last() {
            Some(&(at, l @ (Layer::Tcp { .. } | Layer::Udp))) if !self.fragment => Some((at, l)),
            _ => None,
        }
    }

    /// The innermost IP header kept: where it is and whether it is IPv6.
    pub fn ip(&self) -> Option<(usize, bool)> {
        self.layers.iter().rev().find_map(|&(at, l)| match l {
            Layer::Ipv4 => Some((at, false)),
            Layer::Ipv6 => Some((at, true)),
            _ => None,
        })
    }

    /// The payload's bytes on the wire that the capture does not hold.
    pub fn missing(&self) -> usize {
        self.wire_end - self.payload.end
    }
}

/// What becomes of a packet's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// As it is (nothing to hide: empty).
    Keep,
    /// Left out of the copy but for its first bytes (this many): the packet's length on the wire stays, its
    /// captured length shrinks.
    Cut(usize),
    /// These bytes instead of the captured ones (the rest on the wire is still not captured).
    New(Vec<u8>),
}

/// What the caller decided for a packet beyond its addresses.
#[derive(Debug)]
pub struct Fix<'a> {
    pub payload: Payload,
    /// TCP: the segment's new sequence number, and the acknowledged direction's edits with its stream byte 0's
    /// sequence number.
    pub seq: Option<u32>,
    pub ack: Option<(&'a Edits, u32)>,
    /// A fragment's new offset in its datagram, in bytes.
    pub frag_at: Option<usize>,
}

impl Fix<'_> {
    pub fn payload(payload: Payload) -> Self {
        Fix {
            payload,
            seq: None,
            ack: None,
            frag_at: None,
        }
    }
}

/// A packet rewritten: its new captured bytes and how much longer (or shorter) it is on the wire.
pub fn rewrite(
    names: &mut Pseudonyms,
    ren: &mut Renamer,
    data: &[u8],
    st: &Stack,
    fix: &Fix<'_>,
) -> Result<(Vec<u8>, i64), String> {
    let mut h = data[..st.payload.start].to_vec();
    let old_payload = &data[st.payload.clone()];
    let (payload, grown): (&[u8], i64) = match &fix.payload {
        Payload::Keep | Payload::Cut(_) => (old_payload, 0),
        Payload::New(b) => (b, b.len() as i64 - old_payload.len() as i64),
    };
    for &(at, layer) in &st.layers {
        rename(names, ren, &mut h, at, layer);
        let field = match layer {
            Layer::Ipv4 => Some(at + 2),
            Layer::Ipv6 => Some(at + 4),
            Layer::Udp if !st.fragment => Some(at + 4),
            Layer::Pppoe => Some(at + 4),
            _ => None,
        };
        // A length of 0 (segmentation offload, jumbograms) says "the captured bytes"; it stays 0.
        if let Some(f) = field.filter(|&f| be16(&h, f) != 0) {
            let v = be16(&h, f) as i64 + grown;
            if !(0..=0xFFFF).contains(&v) {
                return Err("a redacted packet would be longer than its IP header can say".into());
            }
            put16(&mut h, f, v as usize);
        }
    }
    if let Some(new_at) = fix.frag_at {
        match st.layers.last() {
            Some(&(at, Layer::Ipv4)) => {
                let ff = be16(&h, at + 6);
                put16(&mut h, at + 6, (ff & 0xE000) | (new_at / 8));
            }
            Some(&(at, Layer::Ipv6Ext(44))) => {
                let fo = be16(&h, at + 2);
                put16(&mut h, at + 2, (new_at & 0xFFF8) | (fo & 7));
            }
            _ => {}
        }
    }
    if let Some((t, Layer::Tcp { .. })) = st.l4() {
        tcp_numbers(&mut h, t, fix);
    }
    if let (Some((at, l4)), Some((ip, v6))) = (st.l4(), st.ip()) {
        l4_checksum(data, &mut h, st, (at, l4), (ip, v6), payload, grown);
    }
    for &(at, layer) in &st.layers {
        if layer == Layer::Ipv4 {
            let ihl = usize::from(h.get(at).map_or(0, |b| b & 0x0F)) * 4;
            put16(&mut h, at + 10, 0);
            let c = Sum::default()
                .add(h.get(at..at + ihl).unwrap_or(&[]))
                .checksum();
            put16(&mut h, at + 10, usize::from(c));
        }
    }
    if let Payload::Cut(n) = fix.payload {
        h.extend_from_slice(&payload[..n.min(payload.len())]);
    } else {
        h.extend_from_slice(payload);
        // A link-layer trailer (padding, a frame check sequence) may hold stale bytes: zeros of its length.
        h.resize(h.len() + (data.len() - st.payload.end), 0);
    }
    Ok((h, grown))
}

/// Rename the addresses of the header `layer` at `at`; blank IPv4 options (record and source routes name hosts).
fn rename(names: &mut Pseudonyms, ren: &mut Renamer, h: &mut [u8], at: usize, layer: Layer) {
    let mut mac = |h: &mut [u8], from: usize| {
        if let Some(b) = h.get_mut(from..from + 6) {
            let a: [u8; 6] = [b[0], b[1], b[2], b[3], b[4], b[5]];
            b.copy_from_slice(&ren.mac(names, a));
        }
    };
    match layer {
        Layer::Ethernet => {
            mac(h, at);
            mac(h, at + 6);
        }
        Layer::Sll if be16(h, at + 4) == 6 => mac(h, at + 6),
        Layer::Sll2 if h.get(at + 11) == Some(&6) => mac(h, at + 12),
        Layer::Ipv4 => {
            for from in [at + 12, at + 16] {
                if let Some(b) = h.get_mut(from..from + 4) {
                    b.copy_from_slice(&ren.v4(names, [b[0], b[1], b[2], b[3]]));
                }
            }
            let ihl = usize::from(h.get(at).map_or(0, |b| b & 0x0F)) * 4;
            if let Some(options) = h.get_mut(at + 20..at + ihl) {
                options.fill(1);
            }
        }
        Layer::Ipv6 => {
            for from in [at + 8, at + 24] {
                if let Some(b) = h.get_mut(from..from + 16) {
                    let mut a = [0u8; 16];
                    a.copy_from_slice(b);
                    b.copy_from_slice(&ren.v6(names, a));
                }
            }
        }
        _ => {}
    }
}

/// Sequence and acknowledgement numbers, and the SACK blocks (which acknowledge the other direction's bytes).
fn tcp_numbers(h: &mut [u8], t: usize, fix: &Fix<'_>) {
    if let Some(seq) = fix.seq {
        put32(h, t + 4, seq);
    }
    let Some((edits, seq0)) = fix.ack else {
        return;
    };
    if h.get(t + 13).is_some_and(|f| f & TCP_ACK != 0) {
        let ack = be32(h, t + 8);
        put32(h, t + 8, edits.map_seq(seq0, ack));
    }
    let end = t + usize::from(h.get(t + 12).map_or(0, |b| b >> 4)) * 4;
    let mut i = t + 20;
    while i < end.min(h.len()) {
        match h[i] {
            0 => break,
            1 => i += 1,
            kind => {
                let len = usize::from(*h.get(i + 1).unwrap_or(&0));
                if len < 2 || i + len > end {
                    break;
                }
                if kind == 5 {
                    for edge in (i + 2..i + len - 3).step_by(4) {
                        let v = be32(h, edge);
                        put32(h, edge, edits.map_seq(seq0, v));
                    }
                }
                i += len;
            }
        }
    }
}

/// The UDP or TCP checksum: computed again over the new bytes when the whole segment is in the capture, else
/// moved by what changed in the bytes the capture holds. A UDP checksum of 0 over IPv4 says "none" and stays.
fn l4_checksum(
    data: &[u8],
    h: &mut [u8],
    st: &Stack,
    (at, l4): (usize, Layer),
    (ip, v6): (usize, bool),
    payload: &[u8],
    grown: i64,
) {
    let (proto, field) = match l4 {
        Layer::Udp => (17, at + 6),
        _ => (6, at + 16),
    };
    let old_field = be16(h, field) as u16;
    if proto == 17 && old_field == 0 && !v6 {
        return;
    }
    let old_len = st.wire_end - at;
    let new_len = (old_len as i64 + grown).max(0) as usize;
    put16(h, field, 0);
    let new = pseudo(&h[ip..], v6, proto, new_len)
        .add(&h[at..])
        .add(payload);
    let mut c = if st.missing() == 0 {
        new.checksum()
    } else {
        let mut old_header = data[at..st.payload.start].to_vec();
        put16(&mut old_header, field - at, 0);
        let old = pseudo(&data[ip..], v6, proto, old_len)
            .add(&old_header)
            .add(&data[st.payload.clone()]);
        update(old_field, old, new)
    };
    if proto == 17 && c == 0 {
        c = 0xFFFF;
    }
    put16(h, field, usize::from(c));
}
