//! The capture written back in its own container, each packet record with its new bytes and lengths and its
//! timestamp as it was.
//!
//! pcap: the file header as it was (its snapshot length raised if a packet grew past it), then the records.
//! pcapng: blocks in their order, each block's total length (both copies) made again. Option strings can name
//! people and machines, so only options that say how to read the packets are kept: the section's
//! `shb_userappl`; an interface's speeds, time resolution, zone and offset, FCS length (not its name,
//! description, addresses, filter, OS or hardware); an enhanced packet block's flags, drop count, packet id and
//! queue (not its hash, now wrong); statistics; never a comment or a custom option. Name resolution blocks
//! (addresses with their host names), decryption secrets, systemd journal entries, custom and unknown blocks are
//! left out. A Simple Packet Block cannot say it was cut short: a payload left out there is zeros
//! ([`simple`]), and its checksums are those of the zeros.

use crate::import::pcap::layout::Frame;
use crate::import::pcap::{ng_options, u32_at};

const SHB: u32 = 0x0A0D_0D0A;

/// A packet's new captured bytes and length on the wire.
#[derive(Debug, Clone, Default)]
pub struct Packet {
    pub data: Vec<u8>,
    pub orig_len: u32,
}

/// Whether `frame` is a pcapng Simple Packet Block (type 3 in either byte order), whose packet the file
/// cannot show shorter than it was sent.
pub fn simple(bytes: &[u8], frame: &Frame) -> bool {
    let at = frame.span.0 as usize;
    bytes.starts_with(&SHB.to_le_bytes())
        && matches!(bytes.get(at..at + 4), Some([3, 0, 0, 0] | [0, 0, 0, 3]))
}

/// The capture `bytes` written again with each frame's packet (`packets[i]` is `frames[i]`'s).
pub fn write(bytes: &[u8], frames: &[Frame], packets: &[Packet]) -> Vec<u8> {
    if bytes.starts_with(&SHB.to_le_bytes()) {
        pcapng(bytes, frames, packets)
    } else {
        pcap(bytes, frames, packets)
    }
}

fn put32(out: &mut Vec<u8>, v: u32, le: bool) {
    out.extend(if le { v.to_le_bytes() } else { v.to_be_bytes() });
}

fn pcap(bytes: &[u8], frames: &[Frame], packets: &[Packet]) -> Vec<u8> {
    let le = matches!(
        bytes.get(..4),
        Some([0xD4, 0xC3, 0xB2, 0xA1] | [0x4D, 0x3C, 0xB2, 0xA1])
    );
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(bytes.get(..24).unwrap_or(bytes));
    let longest = packets.iter().map(|p| p.data.len()).max().unwrap_or(0) as u32;
    if u32_at(bytes, 16, le).is_some_and(|snap| snap < longest) {
        let mut snap = Vec::new();
        put32(&mut snap, longest, le);
        out[16..20].copy_from_slice(&snap);
    }
    for (f, p) in frames.iter().zip(packets) {
        let ts = f.span.0 as usize;
        out.extend_from_slice(bytes.get(ts..ts + 8).unwrap_or(&[0; 8]));
        put32(&mut out, p.data.len() as u32, le);
        put32(&mut out, p.orig_len, le);
        out.extend_from_slice(&p.data);
    }
    out
}

fn pcapng(bytes: &[u8], frames: &[Frame], packets: &[Packet]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut next = frames.iter().zip(packets).peekable();
    let mut le = true;
    let mut at = 0usize;
    while let Some(head) = bytes.get(at..at + 12) {
        if u32_at(head, 0, true) == Some(SHB) {
            le = u32_at(head, 8, true) == Some(0x1A2B_3C4D);
        }
        let (Some(kind), Some(len)) = (u32_at(head, 0, le), u32_at(head, 4, le)) else {
            break;
        };
        let len = len as usize;
        let Some(block) = bytes
            .get(at..at + len)
            .filter(|_| len >= 12 && len % 4 == 0)
        else {
            break;
        };
        let body = &block[8..len - 4];
        let packet = next.next_if(|(f, _)| f.span.0 == at as u64).map(|x| x.1);
        let new = match kind {
            SHB => Some(section(body, le)),
            1 => Some(interface(body, le)),
            5 => Some(kept(body, 12, le, &[2, 3, 4, 5, 6, 7, 8])),
            2 | 3 | 6 => packet_block(kind, body, le, packet),
            _ => None,
        };
        if let Some(new) = new {
            put32(&mut out, kind, le);
            let total = 12 + new.len().div_ceil(4) * 4;
            put32(&mut out, total as u32, le);
            out.extend_from_slice(&new);
            out.resize(out.len() + total - 12 - new.len(), 0);
            put32(&mut out, total as u32, le);
        }
        at += len;
    }
    out
}

/// `body[..fixed]` as it is, then the options whose code is in `keep`, then an end of options when any was kept.
fn kept(body: &[u8], fixed: usize, le: bool, keep: &[u16]) -> Vec<u8> {
    let mut out = body.get(..fixed).unwrap_or(body).to_vec();
    out.resize(fixed, 0);
    let mut any = false;
    for (code, value) in ng_options(body.get(fixed..).unwrap_or(&[]), le) {
        if keep.contains(&code) {
            any = true;
            let (c, l) = if le {
                (code.to_le_bytes(), (value.len() as u16).to_le_bytes())
            } else {
                (code.to_be_bytes(), (value.len() as u16).to_be_bytes())
            };
            out.extend_from_slice(&c);
            out.extend_from_slice(&l);
            out.extend_from_slice(value);
            out.resize(out.len() + (4 - value.len() % 4) % 4, 0);
        }
    }
    if any {
        out.extend_from_slice(&[0; 4]);
    }
    out
}

/// A Section Header Block: byte-order magic and version kept, the section length unknown (-1) since blocks
/// changed size, `shb_userappl` the only option kept.
fn section(body: &[u8], le: bool) -> Vec<u8> {
    let mut out = kept(body, 16, le, &[4]);
    out[8..16].fill(0xFF);
    out
}

/// An Interface Description Block: link type and snapshot length kept, and the options that say how to read
/// its packets.
fn interface(body: &[u8], le: bool) -> Vec<u8> {
    kept(body, 8, le, &[8, 9, 10, 13, 14, 16, 17, 18])
}

/// A packet block with its packet's new bytes (or, for a packet the importer could not read, none of them);
/// `None` when the block is malformed.
fn packet_block(kind: u32, body: &[u8], le: bool, packet: Option<&Packet>) -> Option<Vec<u8>> {
    if kind == 3 {
        // Simple Packet Block: the wire length, then as many bytes.
        let orig = packet.map_or(u32_at(body, 0, le)?, |p| p.orig_len);
        let mut out = Vec::new();
        put32(&mut out, orig, le);
        let data = packet.map_or(&[][..], |p| &p.data);
        out.extend_from_slice(data);
        out.resize(4 + data.len().max(orig as usize), 0);
        return Some(out);
    }
    // Enhanced (6) and obsolete (2) Packet Blocks: interface, time, captured and wire lengths, bytes, options.
    let caplen = u32_at(body, 12, le)? as usize;
    let orig = u32_at(body, 16, le)?;
    let options = body.get(20 + caplen.div_ceil(4) * 4..).unwrap_or(&[]);
    let (data, orig) = packet.map_or((&[][..], orig), |p| (&p.data[..], p.orig_len));
    let mut out = body.get(..12)?.to_vec();
    put32(&mut out, data.len() as u32, le);
    put32(&mut out, orig, le);
    out.extend_from_slice(data);
    out.resize(20 + data.len().div_ceil(4) * 4, 0);
    let keep: &[u16] = if kind == 6 { &[2, 4, 5, 6] } else { &[2] };
    out.extend(kept(options, 0, le, keep));
    Some(out)
}
