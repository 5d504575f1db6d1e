//! A reader of captures of the tests' own, apart from sipscope's: pcap records and pcapng enhanced and simple
//! packet blocks → Ethernet, Linux
//! cooked or raw IP → IPv4 / IPv6 (extension headers, fragments put together, IP in IP) → UDP and TCP, with
//! every IPv4 header checksum and every UDP and TCP checksum whose bytes are all captured verified.

use std::collections::HashMap;

/// One packet record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Seconds and fraction as the file says them (pcap), or the 64-bit timestamp (pcapng).
    pub time: (u64, u64),
    pub orig_len: u32,
    pub linktype: u32,
    pub data: Vec<u8>,
}

/// A TCP segment as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub frame: usize,
    /// Source and destination: address bytes and port.
    pub from: (Vec<u8>, u16),
    pub to: (Vec<u8>, u16),
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    /// SACK block edges.
    pub sack: Vec<u32>,
    pub payload: Vec<u8>,
    /// Payload bytes on the wire but not in the capture.
    pub missing: usize,
}

/// What the reader found.
#[derive(Debug, Default)]
pub struct Wire {
    pub records: Vec<Record>,
    /// Checksums verified: IPv4 headers, UDP, TCP.
    pub good: [usize; 3],
    /// Checksums that do not verify: (frame, what).
    pub bad: Vec<(usize, String)>,
    /// Addresses in headers: IPv4 (4 bytes), IPv6 (16), MAC (6).
    pub addresses: Vec<Vec<u8>>,
    pub segments: Vec<Segment>,
    /// UDP payloads (datagrams put together from fragments too).
    pub datagrams: Vec<Vec<u8>>,
}

/// Fragments waiting for the rest of their datagram: by source, destination and identification, each piece's
/// offset, bytes and whether more follow.
type Fragments = HashMap<(Vec<u8>, Vec<u8>, u32), Vec<(usize, Vec<u8>, bool)>>;

fn u16be(d: &[u8], at: usize) -> usize {
    usize::from(u16::from_be_bytes([d[at], d[at + 1]]))
}

fn word(d: &[u8], at: usize, le: bool) -> u32 {
    let b = [d[at], d[at + 1], d[at + 2], d[at + 3]];
    if le {
        u32::from_le_bytes(b)
    } else {
        u32::from_be_bytes(b)
    }
}

/// The ones' complement sum of `parts`, folded (0xFFFF when a checksum in them is right).
fn ones(parts: &[&[u8]]) -> u16 {
    let mut all = Vec::new();
    for p in parts {
        all.extend_from_slice(p);
    }
    if all.len() % 2 == 1 {
        all.push(0);
    }
    let mut s: u64 = all
        .chunks(2)
        .map(|w| u64::from(u16::from_be_bytes([w[0], w[1]])))
        .sum();
    while s > 0xFFFF {
        s = (s & 0xFFFF) + (s >> 16);
    }
    s as u16
}

/// The records of a pcap or pcapng file.
pub fn records(file: &[u8]) -> Vec<Record> {
    let mut out = Vec::new();
    if file.starts_with(&[0x0A, 0x0D, 0x0D, 0x0A]) {
        let (mut at, mut le, mut links) = (0, true, Vec::new());
        while at + 12 <= file.len() {
            if file[at..at + 4] == [0x0A, 0x0D, 0x0D, 0x0A] {
                le = file[at + 8] == 0x4D;
                links.clear();
            }
            let (kind, len) = (word(file, at, le), word(file, at + 4, le) as usize);
            assert_eq!(
                word(file, at + len - 4, le) as usize,
                len,
                "block lengths agree"
            );
            let body = &file[at + 8..at + len - 4];
            match kind {
                1 => links.push(if le {
                    u32::from(u16::from_le_bytes([body[0], body[1]]))
                } else {
                    u32::from(u16::from_be_bytes([body[0], body[1]]))
                }),
                3 => {
                    let orig = word(body, 0, le);
                    let room = (body.len() - 4).min(orig as usize);
                    out.push(Record {
                        time: (0, 0),
                        orig_len: orig,
                        linktype: links[0],
                        data: body[4..4 + room].to_vec(),
                    });
                }
                6 => {
                    let caplen = word(body, 12, le) as usize;
                    out.push(Record {
                        time: (u64::from(word(body, 4, le)), u64::from(word(body, 8, le))),
                        orig_len: word(body, 16, le),
                        linktype: links[word(body, 0, le) as usize],
                        data: body[20..20 + caplen].to_vec(),
                    });
                }
                _ => {}
            }
            at += len;
        }
        return out;
    }
    let le = file[0] == 0xD4 || file[0] == 0x4D;
    let linktype = word(file, 20, le);
    let mut at = 24;
    while at + 16 <= file.len() {
        let caplen = word(file, at + 8, le) as usize;
        out.push(Record {
            time: (
                u64::from(word(file, at, le)),
                u64::from(word(file, at + 4, le)),
            ),
            orig_len: word(file, at + 12, le),
            linktype,
            data: file[at + 16..at + 16 + caplen].to_vec(),
        });
        at += 16 + caplen;
    }
    out
}

/// Read a capture, verifying checksums.
pub fn read(file: &[u8]) -> Wire {
    let mut w = Wire {
        records: records(file),
        ..Wire::default()
    };
    let mut frags = Fragments::new();
    for i in 0..w.records.len() {
        let d = w.records[i].data.clone();
        let ip = match w.records[i].linktype {
            1 if d.len() >= 14 => {
                w.addresses.push(d[0..6].to_vec());
                w.addresses.push(d[6..12].to_vec());
                let mut at = 12;
                while matches!(u16be(&d, at), 0x8100 | 0x88A8) {
                    at += 4;
                }
                matches!(u16be(&d, at), 0x0800 | 0x86DD).then_some(at + 2)
            }
            113 if d.len() >= 16 => {
                if u16be(&d, 4) == 6 {
                    w.addresses.push(d[6..12].to_vec());
                }
                matches!(u16be(&d, 14), 0x0800 | 0x86DD).then_some(16)
            }
            101 => Some(0),
            _ => None,
        };
        if let Some(at) = ip {
            w.ip(i, &d, at, &mut frags);
        }
    }
    w
}

impl Wire {
    fn ip(&mut self, frame: usize, d: &[u8], at: usize, frags: &mut Fragments) {
        let Some(&b0) = d.get(at) else { return };
        let (header, src, dst, mut proto, end, frag) = if b0 >> 4 == 4 {
            let ihl = usize::from(b0 & 15) * 4;
            if d.len() < at + ihl {
                return;
            }
            if ones(&[&d[at..at + ihl]]) == 0xFFFF {
                self.good[0] += 1;
            } else {
                self.bad.push((frame, "IPv4 header".into()));
            }
            let ff = u16be(d, at + 6);
            let frag = (ff & 0x3FFF != 0)
                .then(|| (u16be(d, at + 4) as u32, (ff & 0x1FFF) * 8, ff & 0x2000 != 0));
            let end = at + u16be(d, at + 2);
            (
                at + ihl,
                d[at + 12..at + 16].to_vec(),
                d[at + 16..at + 20].to_vec(),
                d[at + 9],
                end,
                frag,
            )
        } else {
            if d.len() < at + 40 {
                return;
            }
            let mut p = at + 40;
            let mut nh = d[at + 6];
            let mut frag = None;
            while matches!(nh, 0 | 43 | 44 | 60) && p + 8 <= d.len() {
                if nh == 44 {
                    let fo = u16be(d, p + 2);
                    let id = u32::from_be_bytes([d[p + 4], d[p + 5], d[p + 6], d[p + 7]]);
                    frag = (fo & 0xFFF9 != 0).then_some((id, fo & 0xFFF8, fo & 1 != 0));
                    nh = d[p];
                    p += 8;
                } else {
                    nh = d[p];
                    p += (usize::from(d[p + 1]) + 1) * 8;
                }
            }
            let end = at + 40 + u16be(d, at + 4);
            (
                p,
                d[at + 8..at + 24].to_vec(),
                d[at + 24..at + 40].to_vec(),
                nh,
                end,
                frag,
            )
        };
        self.addresses.push(src.clone());
        self.addresses.push(dst.clone());
        let mut payload = d[header.min(d.len())..end.min(d.len())].to_vec();
        let mut missing = end.saturating_sub(d.len());
        if let Some((id, offset, more)) = frag {
            let key = (src.clone(), dst.clone(), id);
            let set = frags.entry(key.clone()).or_default();
            set.push((offset, payload, more));
            let mut pieces = set.clone();
            pieces.sort_by_key(|p| p.0);
            let mut whole = Vec::new();
            for (o, bytes, _) in &pieces {
                if *o != whole.len() {
                    return;
                }
                whole.extend_from_slice(bytes);
            }
            if pieces.last().is_some_and(|p| p.2) {
                return;
            }
            frags.remove(&key);
            payload = whole;
            missing = 0;
            // The fragment header said which protocol the datagram is.
            if b0 >> 4 == 4 {
                proto = d[at + 9];
            }
        }
        match proto {
            4 | 41 => self.ip(frame, &payload, 0, frags),
            6 | 17 => self.l4(frame, proto, (&src, &dst), &payload, missing),
            _ => {}
        }
    }

    fn l4(
        &mut self,
        frame: usize,
        proto: u8,
        (src, dst): (&[u8], &[u8]),
        p: &[u8],
        missing: usize,
    ) {
        let len = p.len() + missing;
        let mut pseudo = src.to_vec();
        pseudo.extend_from_slice(dst);
        if src.len() == 16 {
            pseudo.extend((len as u32).to_be_bytes());
            pseudo.extend([0, 0, 0, proto]);
        } else {
            pseudo.extend([0, proto]);
            pseudo.extend((len as u16).to_be_bytes());
        }
        let checked = missing == 0 && !(proto == 17 && src.len() == 4 && u16be(p, 6) == 0);
        if checked {
            if ones(&[&pseudo, p]) == 0xFFFF {
                self.good[if proto == 17 { 1 } else { 2 }] += 1;
            } else {
                self.bad
                    .push((frame, if proto == 17 { "UDP" } else { "TCP" }.into()));
            }
        }
        if proto == 17 {
            self.datagrams.push(p[8.min(p.len())..].to_vec());
            return;
        }
        let doff = usize::from(p[12] >> 4) * 4;
        let mut sack = Vec::new();
        let mut i = 20;
        while i < doff {
            match p[i] {
                0 => break,
                1 => i += 1,
                kind => {
                    let n = usize::from(p[i + 1]);
                    if kind == 5 {
                        for e in (i + 2..i + n).step_by(4) {
                            sack.push(u32::from_be_bytes([p[e], p[e + 1], p[e + 2], p[e + 3]]));
                        }
                    }
                    i += n.max(2);
                }
            }
        }
        let n32 = |at: usize| u32::from_be_bytes([p[at], p[at + 1], p[at + 2], p[at + 3]]);
        self.segments.push(Segment {
            frame,
            from: (src.to_vec(), u16be(p, 0) as u16),
            to: (dst.to_vec(), u16be(p, 2) as u16),
            seq: n32(4),
            ack: n32(8),
            flags: p[13],
            sack,
            payload: p[doff.min(p.len())..].to_vec(),
            missing,
        });
    }
}
