//! Capture containers: pcap, pcapng and Network Monitor read from pushed chunks of any size into packets (bytes, link type, time).
//!
//! Only the record being read is buffered: a chunk is parsed in place, and only its unfinished tail is copied.
//! Frame numbers count packet records (pcap) or packet blocks (pcapng EPB, SPB, PB), from 1.
//! A record whose length cannot be right (larger than 16 MiB, a pcapng block length that is not a multiple of 4)
//! means the file is damaged: reading stops there with an error diagnostic, because nothing tells where the next
//! record starts.

use super::netmon::{self, NetMon, Next};
use super::{CaptureKind, Meta};
use crate::base::diag::{Code, Diagnostic};
use crate::base::time::Timestamp;
use crate::import::Sink;

/// The largest packet or block accepted; larger lengths mean a damaged file.
const MAX_RECORD: usize = 16 << 20;

const PCAP_HEADER: usize = 24;
const PCAP_RECORD: usize = 16;
const NG_SHB: u32 = 0x0A0D_0D0A;
const NG_BOM: u32 = 0x1A2B_3C4D;

/// What the container hands to the network layers.
#[derive(Debug)]
pub struct Packet<'a> {
    /// The captured bytes (maybe fewer than were on the wire).
    pub data: &'a [u8],
    /// Where `data` starts in the capture file.
    pub data_at: u64,
    /// LINKTYPE_ value of the packet's interface.
    pub linktype: u32,
    /// Length on the wire.
    pub orig_len: u32,
    pub meta: Meta,
}

pub fn sniff(head: &[u8]) -> Option<CaptureKind> {
    match head.get(..4)? {
        [0xD4, 0xC3, 0xB2, 0xA1]
        | [0xA1, 0xB2, 0xC3, 0xD4]
        | [0x4D, 0x3C, 0xB2, 0xA1]
        | [0xA1, 0xB2, 0x3C, 0x4D] => Some(CaptureKind::Pcap),
        [0x0A, 0x0D, 0x0D, 0x0A] => match head.get(8..12)? {
            [0x4D, 0x3C, 0x2B, 0x1A] | [0x1A, 0x2B, 0x3C, 0x4D] => Some(CaptureKind::PcapNg),
            _ => None,
        },
        _ if netmon::sniff(head) => Some(CaptureKind::NetMon),
        _ => None,
    }
}

/// Timestamp units of a pcapng interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resolution {
    /// 10^-n seconds.
    Dec(u32),
    /// 2^-n seconds.
    Bin(u32),
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    linktype: u32,
    res: Resolution,
    /// Seconds added to every timestamp (`if_tsoffset`).
    offset: i64,
}

#[derive(Debug)]
enum State {
    /// Nothing read yet: the magic decides.
    Start,
    Pcap {
        le: bool,
        nanos: bool,
        linktype: u32,
    },
    Ng {
        le: bool,
        interfaces: Vec<Interface>,
    },
    /// Network Monitor 2.x (boxed: it keeps the offsets of the frames read).
    NetMon(Box<NetMon>),
    /// Damaged: the rest of the file is counted and ignored.
    Dead,
}

#[derive(Debug, Default)]
struct Counts {
    unknown_interface: u64,
    unknown_interface_first: u32,
    bad_block: u64,
    bad_block_first: u64,
}

#[derive(Debug)]
pub struct Reader {
    file: u32,
    state: State,
    /// Unfinished record bytes (at most one record).
    buf: Vec<u8>,
    /// File offset of the next byte to parse (the first byte of `buf` when it is not empty).
    pos: u64,
    /// Bytes needed from `pos` before the next record can be parsed.
    need: usize,
    frame: u32,
    /// Why and where reading stopped.
    dead: Option<(u64, String)>,
    ignored: u64,
    counts: Counts,
}

#[inline]
fn u16_at(d: &[u8], at: usize, le: bool) -> Option<u16> {
    let b: [u8; 2] = d.get(at..at + 2)?.try_into().ok()?;
    Some(if le {
        u16::from_le_bytes(b)
    } else {
        u16::from_be_bytes(b)
    })
}

/// A 32-bit field at `at`, in the file's byte order (`le`: little-endian).
#[inline]
pub fn u32_at(d: &[u8], at: usize, le: bool) -> Option<u32> {
    let b: [u8; 4] = d.get(at..at + 4)?.try_into().ok()?;
    Some(if le {
        u32::from_le_bytes(b)
    } else {
        u32::from_be_bytes(b)
    })
}

#[inline]
fn u64_at(d: &[u8], at: usize, le: bool) -> Option<u64> {
    let b: [u8; 8] = d.get(at..at + 8)?.try_into().ok()?;
    Some(if le {
        u64::from_le_bytes(b)
    } else {
        u64::from_be_bytes(b)
    })
}

/// What parsing the bytes at the current position gave.
enum Step {
    /// A record of this many bytes was handled.
    Used(usize),
    /// This many bytes are needed in all.
    Need(usize),
    /// The file is damaged here.
    Dead(String),
}

impl Reader {
    pub fn new(file: u32) -> Self {
        Reader {
            file,
            state: State::Start,
            buf: Vec::new(),
            pos: 0,
            need: 4,
            frame: 0,
            dead: None,
            ignored: 0,
            counts: Counts::default(),
        }
    }

    pub fn push<F: FnMut(&Packet<'_>)>(&mut self, mut chunk: &[u8], f: &mut F) {
        while !chunk.is_empty() {
            if matches!(self.state, State::Dead) {
                self.ignored += chunk.len() as u64;
                return;
            }
            if self.buf.is_empty() {
                let used = self.parse(chunk, f);
                let rest = chunk.get(used..).unwrap_or(&[]);
                if matches!(self.state, State::Dead) {
                    self.ignored += rest.len() as u64;
                } else {
                    self.buf.extend_from_slice(rest);
                }
                return;
            }
            // Complete the pending record with just the bytes it needs, then go on parsing in place.
            let want = self.need.saturating_sub(self.buf.len()).max(1);
            let (take, rest) = chunk.split_at(want.min(chunk.len()));
            self.buf.extend_from_slice(take);
            chunk = rest;
            if self.buf.len() >= self.need {
                let buf = std::mem::take(&mut self.buf);
                let used = self.parse(&buf, f);
                let mut buf = buf;
                if matches!(self.state, State::Dead) {
                    self.ignored += (buf.len() - used.min(buf.len())) as u64;
                    buf.clear();
                } else {
                    buf.drain(..used.min(buf.len()));
                }
                self.buf = buf;
            }
        }
    }

    pub fn finish(&mut self, sink: &mut Sink) {
        let file = self.file;
        if let Some((at, why)) = &self.dead {
            sink.diagnostics.push(
                Diagnostic::error(Code::CaptureDamaged, format!(
                    "The capture is damaged at byte {at} ({why}): the rest of the file ({} bytes) was not read.",
                    self.ignored
                ))
                .at(file, self.frame.max(1)),
            );
        } else if !self.buf.is_empty() {
            let what = match self.state {
                State::Start => "before its file header is complete",
                _ => "inside a record",
            };
            sink.diagnostics.push(
                Diagnostic::warning(Code::CaptureCutOff, format!(
                    "The capture ends {what} ({} of {} bytes at byte {}): the file was cut off; the last packet is missing.",
                    self.buf.len(),
                    self.need,
                    self.pos
                ))
                .at(file, self.frame + 1),
            );
        } else if matches!(self.state, State::Start) {
            sink.diagnostics.push(
                Diagnostic::warning(
                    Code::CaptureEmpty,
                    "The capture is empty: it has no file header.",
                )
                .in_file(file),
            );
        }
        if let State::NetMon(nm) = &self.state {
            nm.finish(file, sink);
        }
        if self.counts.unknown_interface > 0 {
            sink.diagnostics.push(
                Diagnostic::warning(Code::CaptureBadBlock, format!(
                    "{} packets name an interface the pcapng file does not describe; skipped (first: frame {}).",
                    self.counts.unknown_interface, self.counts.unknown_interface_first
                ))
                .at(file, self.counts.unknown_interface_first),
            );
        }
        if self.counts.bad_block > 0 {
            sink.diagnostics.push(
                Diagnostic::warning(
                    Code::CaptureBadBlock,
                    format!(
                        "{} pcapng blocks are malformed and were skipped (first at byte {}).",
                        self.counts.bad_block, self.counts.bad_block_first
                    ),
                )
                .in_file(file),
            );
        }
        self.buf = Vec::new();
    }

    /// Parse records from `data` (which starts at `self.pos`); returns the bytes used.
    fn parse<F: FnMut(&Packet<'_>)>(&mut self, data: &[u8], f: &mut F) -> usize {
        let mut off = 0;
        loop {
            let rest = data.get(off..).unwrap_or(&[]);
            let step = match &self.state {
                State::Dead => return off,
                State::Start => self.start(rest),
                State::Pcap { .. } => self.pcap_record(rest, f),
                State::Ng { .. } => self.ng_block(rest, f),
                State::NetMon(_) => self.netmon_frame(rest, f),
            };
            match step {
                Step::Used(n) => {
                    off += n;
                    self.pos += n as u64;
                    self.need = 0;
                }
                Step::Need(n) => {
                    self.need = n;
                    return off;
                }
                Step::Dead(why) => {
                    self.dead = Some((self.pos, why));
                    self.ignored += rest.len() as u64;
                    self.state = State::Dead;
                    return data.len();
                }
            }
        }
    }

    fn start(&mut self, d: &[u8]) -> Step {
        let Some(magic) = d.get(..4) else {
            return Step::Need(4);
        };
        if magic == [0x0A, 0x0D, 0x0D, 0x0A] {
            self.state = State::Ng {
                le: true,
                interfaces: Vec::new(),
            };
            return Step::Used(0);
        }
        if magic == netmon::MAGIC {
            let Some(head) = d.get(..netmon::HEADER) else {
                return Step::Need(netmon::HEADER);
            };
            return match NetMon::new(head) {
                Ok(n) => {
                    self.state = State::NetMon(Box::new(n));
                    Step::Used(netmon::HEADER)
                }
                Err(why) => Step::Dead(why),
            };
        }
        let (le, nanos) = match magic {
            [0xD4, 0xC3, 0xB2, 0xA1] => (true, false),
            [0xA1, 0xB2, 0xC3, 0xD4] => (false, false),
            [0x4D, 0x3C, 0xB2, 0xA1] => (true, true),
            [0xA1, 0xB2, 0x3C, 0x4D] => (false, true),
            _ => return Step::Dead("not a pcap, pcapng or Network Monitor file header".into()),
        };
        if d.len() < PCAP_HEADER {
            return Step::Need(PCAP_HEADER);
        }
        let linktype = u32_at(d, 20, le).unwrap_or(0) & 0xFFFF;
        self.state = State::Pcap {
            le,
            nanos,
            linktype,
        };
        Step::Used(PCAP_HEADER)
    }

    fn pcap_record<F: FnMut(&Packet<'_>)>(&mut self, d: &[u8], f: &mut F) -> Step {
        let State::Pcap {
            le,
            nanos,
            linktype,
        } = self.state
        else {
            return Step::Dead("internal state".into());
        };
        if d.len() < PCAP_RECORD {
            return Step::Need(PCAP_RECORD);
        }
        let (Some(sec), Some(frac), Some(incl), Some(orig)) = (
            u32_at(d, 0, le),
            u32_at(d, 4, le),
            u32_at(d, 8, le),
            u32_at(d, 12, le),
        ) else {
            return Step::Need(PCAP_RECORD);
        };
        let incl = incl as usize;
        if incl > MAX_RECORD {
            return Step::Dead(format!(
                "packet record {} claims {incl} captured bytes",
                self.frame + 1
            ));
        }
        let total = PCAP_RECORD + incl;
        let Some(data) = d.get(PCAP_RECORD..total) else {
            return Step::Need(total);
        };
        self.frame += 1;
        let ms = i64::from(sec) * 1000 + i64::from(frac) / if nanos { 1_000_000 } else { 1000 };
        f(&Packet {
            data,
            data_at: self.pos + PCAP_RECORD as u64,
            linktype,
            orig_len: orig.max(incl as u32),
            meta: Meta {
                time: Some(Timestamp(ms)),
                span: (self.pos, self.pos + total as u64),
                frame: self.frame,
            },
        });
        Step::Used(total)
    }

    fn netmon_frame<F: FnMut(&Packet<'_>)>(&mut self, d: &[u8], f: &mut F) -> Step {
        let State::NetMon(nm) = &mut self.state else {
            return Step::Dead("internal state".into());
        };
        match nm.next(d, self.pos, self.frame + 1, MAX_RECORD) {
            Next::Need(n) => Step::Need(n),
            Next::Skip(n) => Step::Used(n),
            Next::Damaged(why) => Step::Dead(why),
            Next::Frame {
                total,
                data,
                data_skip,
                linktype,
                orig_len,
                time,
            } => {
                self.frame += 1;
                if let Some(linktype) = linktype {
                    f(&Packet {
                        data,
                        data_at: self.pos + 16 + data_skip as u64,
                        linktype,
                        orig_len: orig_len.max(data.len() as u32),
                        meta: Meta {
                            time,
                            span: (self.pos, self.pos + total as u64),
                            frame: self.frame,
                        },
                    });
                }
                Step::Used(total)
            }
        }
    }

    fn ng_block<F: FnMut(&Packet<'_>)>(&mut self, d: &[u8], f: &mut F) -> Step {
        if d.len() < 12 {
            return Step::Need(12);
        }
        let State::Ng { le, .. } = self.state else {
            return Step::Dead("internal state".into());
        };
        let is_shb = d.get(..4) == Some(&[0x0A, 0x0D, 0x0D, 0x0A][..]);
        let le = if is_shb {
            match u32_at(d, 8, true) {
                Some(NG_BOM) => true,
                _ if u32_at(d, 8, false) == Some(NG_BOM) => false,
                _ => {
                    return Step::Dead(
                        "a pcapng section header without its byte-order magic".into(),
                    )
                }
            }
        } else {
            le
        };
        let (Some(kind), Some(len)) = (u32_at(d, 0, le), u32_at(d, 4, le)) else {
            return Step::Need(12);
        };
        let len = len as usize;
        if len < 12 || len % 4 != 0 || len > MAX_RECORD {
            return Step::Dead(format!(
                "a pcapng block of type {kind:#x} claims {len} bytes"
            ));
        }
        let Some(block) = d.get(..len) else {
            return Step::Need(len);
        };
        let body = block.get(8..len - 4).unwrap_or(&[]);
        match kind {
            NG_SHB => {
                self.state = State::Ng {
                    le,
                    interfaces: Vec::new(),
                };
            }
            1 => self.ng_interface(body, le),
            6 => self.ng_packet(body, le, len, 6, f),
            3 => self.ng_packet(body, le, len, 3, f),
            2 => self.ng_packet(body, le, len, 2, f),
            _ => {}
        }
        Step::Used(len)
    }

    fn bad_block(&mut self) {
        if self.counts.bad_block == 0 {
            self.counts.bad_block_first = self.pos;
        }
        self.counts.bad_block += 1;
    }

    fn ng_interface(&mut self, body: &[u8], le: bool) {
        let Some(linktype) = u16_at(body, 0, le) else {
            self.bad_block();
            return;
        };
        let mut iface = Interface {
            linktype: u32::from(linktype),
            res: Resolution::Dec(6),
            offset: 0,
        };
        for (code, value) in options(body.get(8..).unwrap_or(&[]), le) {
            match code {
                9 => {
                    if let Some(&v) = value.first() {
                        iface.res = if v & 0x80 != 0 {
                            Resolution::Bin(u32::from(v & 0x7F))
                        } else {
                            Resolution::Dec(u32::from(v))
                        };
                    }
                }
                14 => {
                    if let Some(v) = u64_at(value, 0, le) {
                        iface.offset = v as i64;
                    }
                }
                _ => {}
            }
        }
        if let State::Ng { interfaces, .. } = &mut self.state {
            interfaces.push(iface);
        }
    }

    fn ng_packet<F: FnMut(&Packet<'_>)>(
        &mut self,
        body: &[u8],
        le: bool,
        len: usize,
        kind: u32,
        f: &mut F,
    ) {
        self.frame += 1;
        let parsed = packet_fields(body, le, kind);
        let Some((iface, ts, data, orig)) = parsed else {
            self.bad_block();
            return;
        };
        let State::Ng { interfaces, .. } = &self.state else {
            return;
        };
        let Some(i) = interfaces.get(iface as usize).copied() else {
            if self.counts.unknown_interface == 0 {
                self.counts.unknown_interface_first = self.frame;
            }
            self.counts.unknown_interface += 1;
            return;
        };
        let time = ts.and_then(|ts| ng_time(ts, i.res, i.offset));
        // The block body starts 8 bytes into the block, at `self.pos`.
        let data_at = self.pos + 8 + (data.as_ptr() as usize - body.as_ptr() as usize) as u64;
        f(&Packet {
            data,
            data_at,
            linktype: i.linktype,
            orig_len: orig.max(data.len() as u32),
            meta: Meta {
                time,
                span: (self.pos, self.pos + len as u64),
                frame: self.frame,
            },
        });
    }
}

/// The options of a pcapng block (`d`: its bytes from the first option on), as (code, value), up to the end of
/// options (code 0) or of `d`; a value cut short by the block's end is empty.
pub fn options(d: &[u8], le: bool) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (code, len) = (u16_at(d, at, le)?, usize::from(u16_at(d, at + 2, le)?));
        if code == 0 {
            return None;
        }
        let value = d.get(at + 4..at + 4 + len).unwrap_or(&[]);
        at += 4 + len.div_ceil(4) * 4;
        Some((code, value))
    })
}

/// The fields of a pcapng packet block body: (interface, timestamp, captured bytes, wire length).
fn packet_fields(body: &[u8], le: bool, kind: u32) -> Option<(u32, Option<u64>, &[u8], u32)> {
    if kind == 3 {
        // Simple Packet Block: wire length, then the bytes (as many as the block holds).
        let orig = u32_at(body, 0, le)?;
        let room = body.len().saturating_sub(4);
        let data = body.get(4..4 + room.min(orig as usize))?;
        return Some((0, None, data, orig));
    }
    // Enhanced (6) and obsolete (2) Packet Blocks share the layout; PB's interface id is 16 bits.
    let iface = if kind == 6 {
        u32_at(body, 0, le)?
    } else {
        u32::from(u16_at(body, 0, le)?)
    };
    let ts = (u64::from(u32_at(body, 4, le)?) << 32) | u64::from(u32_at(body, 8, le)?);
    let caplen = u32_at(body, 12, le)? as usize;
    let orig = u32_at(body, 16, le)?;
    let data = body.get(20..20usize.checked_add(caplen)?)?;
    Some((iface, Some(ts), data, orig))
}

/// A pcapng timestamp in milliseconds since the epoch.
fn ng_time(ts: u64, res: Resolution, offset: i64) -> Option<Timestamp> {
    let ms: u128 = match res {
        Resolution::Dec(n) if n <= 3 => u128::from(ts) * 10u128.pow(3 - n),
        Resolution::Dec(n) if n <= 38 => u128::from(ts) / 10u128.pow(n - 3),
        Resolution::Bin(n) if n < 64 => (u128::from(ts) * 1000) >> n,
        _ => return None,
    };
    let ms = i64::try_from(ms).ok()?;
    Some(Timestamp(ms.checked_add(offset.checked_mul(1000)?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen = Vec<(u32, u32, Option<i64>, (u64, u64), Vec<u8>)>;

    fn collect(file: &[u8], chunk: usize) -> (Seen, Sink) {
        let mut r = Reader::new(0);
        let mut out = Vec::new();
        for c in file.chunks(chunk.max(1)) {
            r.push(c, &mut |p: &Packet<'_>| {
                out.push((
                    p.meta.frame,
                    p.linktype,
                    p.meta.time.map(|t| t.0),
                    p.meta.span,
                    p.data.to_vec(),
                ))
            });
        }
        let mut sink = Sink::default();
        r.finish(&mut sink);
        (out, sink)
    }

    fn pcap(le: bool, nanos: bool, linktype: u32, packets: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let w32 =
            |v: &mut Vec<u8>, x: u32| v.extend(if le { x.to_le_bytes() } else { x.to_be_bytes() });
        let mut v = Vec::new();
        w32(&mut v, if nanos { 0xA1B2_3C4D } else { 0xA1B2_C3D4 });
        v.extend(if le { [2, 0, 4, 0] } else { [0, 2, 0, 4] });
        w32(&mut v, 0);
        w32(&mut v, 0);
        w32(&mut v, 65535);
        w32(&mut v, linktype);
        for (s, frac, d) in packets {
            w32(&mut v, *s);
            w32(&mut v, *frac);
            w32(&mut v, d.len() as u32);
            w32(&mut v, d.len() as u32);
            v.extend_from_slice(d);
        }
        v
    }

    #[test]
    fn pcap_all_variants_and_chunkings() {
        for (le, nanos) in [(true, false), (false, false), (true, true), (false, true)] {
            let frac = if nanos { 123_456_789 } else { 123_456 };
            let file = pcap(le, nanos, 1, &[(1_000, frac, b"abc"), (1_001, 0, b"")]);
            for chunk in [1, 3, 7, 4096] {
                let (pk, sink) = collect(&file, chunk);
                assert!(sink.diagnostics.is_empty(), "{:?}", sink.diagnostics);
                assert_eq!(pk.len(), 2);
                assert_eq!(pk[0], (1, 1, Some(1_000_123), (24, 43), b"abc".to_vec()));
                assert_eq!(pk[1].0, 2);
                assert_eq!(pk[1].2, Some(1_001_000));
            }
        }
    }

    #[test]
    fn pcap_cut_and_damaged() {
        let file = pcap(true, false, 1, &[(1, 0, b"abcdef")]);
        let (pk, sink) = collect(&file[..file.len() - 2], 5);
        assert!(pk.is_empty());
        assert_eq!(sink.diagnostics.len(), 1);
        assert!(sink.diagnostics[0].message.contains("cut off"));
        let mut bad = file.clone();
        bad[24 + 8..24 + 12].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
        let (pk, sink) = collect(&bad, 4);
        assert!(pk.is_empty());
        assert!(sink.diagnostics[0].message.contains("damaged at byte 24"));
    }

    fn ng_block(kind: u32, body: &[u8]) -> Vec<u8> {
        let len = 12 + body.len().div_ceil(4) * 4;
        let mut v = kind.to_le_bytes().to_vec();
        v.extend((len as u32).to_le_bytes());
        v.extend_from_slice(body);
        v.resize(len - 4, 0);
        v.extend((len as u32).to_le_bytes());
        v
    }

    #[test]
    fn pcapng_interfaces_and_resolutions() {
        let mut shb = NG_BOM.to_le_bytes().to_vec();
        shb.extend([1, 0, 0, 0]);
        shb.extend(u64::MAX.to_le_bytes());
        let mut file = ng_block(NG_SHB, &shb);
        // Interface 0: Ethernet, default µs. Interface 1: raw IP, ns (if_tsresol 9), offset 10 s.
        let mut idb0 = vec![1, 0, 0, 0];
        idb0.extend(0u32.to_le_bytes());
        file.extend(ng_block(1, &idb0));
        let mut idb1 = vec![101, 0, 0, 0];
        idb1.extend(0u32.to_le_bytes());
        idb1.extend([9, 0, 1, 0, 9, 0, 0, 0]);
        idb1.extend([14, 0, 8, 0]);
        idb1.extend(10u64.to_le_bytes());
        idb1.extend([0, 0, 0, 0]);
        file.extend(ng_block(1, &idb1));
        let epb = |iface: u32, ts: u64, data: &[u8]| {
            let mut b = iface.to_le_bytes().to_vec();
            b.extend(((ts >> 32) as u32).to_le_bytes());
            b.extend((ts as u32).to_le_bytes());
            b.extend((data.len() as u32).to_le_bytes());
            b.extend((data.len() as u32).to_le_bytes());
            b.extend_from_slice(data);
            ng_block(6, &b)
        };
        file.extend(epb(0, 1_500_000_000_123_456, b"one"));
        file.extend(ng_block(5, b"ignored statistics"));
        file.extend(epb(1, 1_500_000_000_123_456_789, b"two!!"));
        file.extend(epb(7, 0, b"no such interface"));
        let mut spb = 4u32.to_le_bytes().to_vec();
        spb.extend(b"spb!");
        file.extend(ng_block(3, &spb));
        for chunk in [1, 7, 4096] {
            let (pk, sink) = collect(&file, chunk);
            assert_eq!(pk.len(), 3, "{pk:?}");
            assert_eq!(pk[0].1, 1);
            assert_eq!(pk[0].2, Some(1_500_000_000_123));
            assert_eq!(pk[0].4, b"one");
            assert_eq!((pk[1].0, pk[1].1), (2, 101));
            assert_eq!(pk[1].2, Some(1_500_000_010_123));
            assert_eq!(pk[1].4, b"two!!");
            assert_eq!(
                (pk[2].0, pk[2].2, pk[2].4.as_slice()),
                (4, None, &b"spb!"[..])
            );
            assert_eq!(sink.diagnostics.len(), 1, "{:?}", sink.diagnostics);
            assert!(sink.diagnostics[0].message.contains("interface"));
        }
    }

    #[test]
    fn binary_resolution() {
        assert_eq!(
            ng_time(3 << 20, Resolution::Bin(20), 0),
            Some(Timestamp(3000))
        );
        assert_eq!(ng_time(5, Resolution::Dec(0), 0), Some(Timestamp(5000)));
        assert_eq!(ng_time(5, Resolution::Dec(99), 0), None);
    }
}
