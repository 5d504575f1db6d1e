//! The capture generator's wire: Ethernet / IPv4 frames as pcap records, UDP datagrams, and TCP connections
//! whose segments split and coalesce messages as a real stack does (MSS, Nagle, delayed ACKs, the odd
//! retransmission). The scenarios in `mod.rs` say what is sent; this says how it looks on the wire.

use super::Gen;
use crate::sip::Msg;
use std::io::{self, Write};

/// Bytes of TCP payload a segment carries at most.
pub(super) const MSS: usize = 1460;

pub(super) const FIN: u8 = 0x01;
pub(super) const SYN: u8 = 0x02;
pub(super) const PSH: u8 = 0x08;
pub(super) const ACK: u8 = 0x10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ep {
    pub ip: [u8; 4],
    pub port: u16,
}

impl Ep {
    pub const fn new(ip: [u8; 4], port: u16) -> Ep {
        Ep { ip, port }
    }
    pub fn host(&self) -> String {
        let [a, b, c, d] = self.ip;
        format!("{a}.{b}.{c}.{d}")
    }
    pub fn addr(&self) -> String {
        format!("{}:{}", self.host(), self.port)
    }
}

/// A hardware address for an IP: the host's own on the 10.1/16 LAN, the router's for anything else.
fn mac(ip: [u8; 4]) -> [u8; 6] {
    if ip[0] == 10 {
        [0x00, 0x15, 0x5D, ip[1], ip[2], ip[3]]
    } else {
        [0x00, 0x1B, 0x54, 0x0A, 0x01, 0x01]
    }
}

fn ipv4_checksum(h: &[u8]) -> u16 {
    let mut sum: u32 = h
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
        .sum();
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// A TCP connection: `ep[0]` opened it; direction `d` goes from `ep[d]` to `ep[1 - d]`.
#[derive(Debug)]
pub(super) struct Conn {
    pub ep: [Ep; 2],
    /// The next sequence number each side sends.
    pub next: [u32; 2],
    /// When it last carried anything (µs).
    pub last: i64,
}

impl<W: Write> Gen<'_, W> {
    /// One Ethernet / IPv4 frame and its pcap record.
    pub(super) fn frame(&mut self, src: Ep, dst: Ep, proto: u8, l4: &[u8]) -> io::Result<()> {
        let len = 14 + 20 + l4.len();
        let mut f = Vec::with_capacity(16 + len);
        let (sec, usec) = (
            self.now.div_euclid(1_000_000),
            self.now.rem_euclid(1_000_000),
        );
        f.extend((sec as u32).to_le_bytes());
        f.extend((usec as u32).to_le_bytes());
        f.extend((len as u32).to_le_bytes());
        f.extend((len as u32).to_le_bytes());
        f.extend(mac(dst.ip));
        f.extend(mac(src.ip));
        f.extend([0x08, 0x00]);
        let mut ip = [0u8; 20];
        ip[0] = 0x45;
        ip[2..4].copy_from_slice(&((20 + l4.len()) as u16).to_be_bytes());
        ip[4..6].copy_from_slice(&self.ip_id.to_be_bytes());
        self.ip_id = self.ip_id.wrapping_add(1);
        if proto == 6 {
            ip[6] = 0x40; // don't fragment
        }
        ip[8] = if src.ip[0] == 10 { 128 } else { 57 };
        ip[9] = proto;
        ip[12..16].copy_from_slice(&src.ip);
        ip[16..20].copy_from_slice(&dst.ip);
        let sum = ipv4_checksum(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        f.extend(ip);
        f.extend_from_slice(l4);
        self.out.stats.frames += 1;
        self.out.write(&f)
    }

    pub(super) fn udp(&mut self, src: Ep, dst: Ep, sip: &str) -> io::Result<()> {
        let mut l4 = Vec::with_capacity(8 + sip.len());
        l4.extend(src.port.to_be_bytes());
        l4.extend(dst.port.to_be_bytes());
        l4.extend(((8 + sip.len()) as u16).to_be_bytes());
        l4.extend([0, 0]);
        l4.extend_from_slice(sip.as_bytes());
        self.out.stats.messages += 1;
        self.frame(src, dst, 17, &l4)?;
        self.tick_us(20, 400);
        Ok(())
    }

    /// One TCP segment from side `d` of connection `c`, at sequence number `seq`.
    pub(super) fn segment_at(
        &mut self,
        c: usize,
        d: usize,
        flags: u8,
        seq: u32,
        data: &[u8],
    ) -> io::Result<()> {
        let conn = &self.conns[c];
        let (src, dst) = (conn.ep[d], conn.ep[1 - d]);
        let ack = if flags & ACK != 0 {
            conn.next[1 - d]
        } else {
            0
        };
        let syn = flags & SYN != 0;
        let mut l4 = Vec::with_capacity(32 + data.len());
        l4.extend(src.port.to_be_bytes());
        l4.extend(dst.port.to_be_bytes());
        l4.extend(seq.to_be_bytes());
        l4.extend(ack.to_be_bytes());
        l4.push(if syn { 0x80 } else { 0x50 });
        l4.push(flags);
        l4.extend(if syn { [0xFA, 0xF0] } else { [0x02, 0x01] }); // 64240, or 513 × 2^8
        l4.extend([0, 0, 0, 0]);
        if syn {
            // MSS 1460, NOP, window scale 8, NOP, NOP, SACK permitted.
            l4.extend([2, 4, 0x05, 0xB4, 1, 3, 3, 8, 1, 1, 4, 2]);
        }
        l4.extend_from_slice(data);
        self.frame(src, dst, 6, &l4)
    }

    /// The next segment from side `d`: it moves the sequence number on.
    pub(super) fn segment(&mut self, c: usize, d: usize, flags: u8, data: &[u8]) -> io::Result<()> {
        let seq = self.conns[c].next[d];
        self.segment_at(c, d, flags, seq, data)?;
        let used = data.len() as u32 + u32::from(flags & (SYN | FIN) != 0);
        self.conns[c].next[d] = seq.wrapping_add(used);
        self.conns[c].last = self.now;
        Ok(())
    }

    pub(super) fn connect(&mut self, client: Ep, server: Ep) -> io::Result<usize> {
        let isn = [self.rng.next() as u32, self.rng.next() as u32];
        self.conns.push(Conn {
            ep: [client, server],
            next: isn,
            last: self.now,
        });
        let c = self.conns.len() - 1;
        self.segment(c, 0, SYN, &[])?;
        self.tick_us(150, 900);
        self.segment(c, 1, SYN | ACK, &[])?;
        self.tick_us(50, 300);
        self.segment(c, 0, ACK, &[])?;
        self.tick_us(200, 2_000);
        Ok(c)
    }

    pub(super) fn close(&mut self, c: usize) -> io::Result<()> {
        self.segment(c, 0, FIN | ACK, &[])?;
        self.tick_us(100, 800);
        self.segment(c, 1, FIN | ACK, &[])?;
        self.tick_us(50, 300);
        self.segment(c, 0, ACK, &[])
    }

    /// Messages written back to back by side `d`, segmented as a TCP stack does.
    pub(super) fn send(&mut self, c: usize, d: usize, msgs: &[String]) -> io::Result<()> {
        self.out.stats.messages += msgs.iter().filter(|m| !m.trim().is_empty()).count() as u64;
        let data = msgs.concat().into_bytes();
        let mut pos = 0;
        if msgs.len() > 1 && msgs[0].len() < data.len() {
            // Nagle: the first message goes at once (a full segment at most); the rest waits for its ACK.
            pos = msgs[0].len().min(MSS);
            self.segment(c, d, PSH | ACK, &data[..pos])?;
            self.tick_us(150, 1_500);
            self.segment(c, 1 - d, ACK, &[])?;
            self.tick_us(10, 80);
        }
        let (mut unacked, mut last) = (0, pos);
        while pos < data.len() {
            let end = (pos + MSS).min(data.len());
            last = pos;
            let flags = if end == data.len() { PSH | ACK } else { ACK };
            self.segment(c, d, flags, &data[pos..end])?;
            pos = end;
            unacked += 1;
            if unacked == 2 && pos < data.len() {
                self.tick_us(100, 600);
                self.segment(c, 1 - d, ACK, &[])?;
                unacked = 0;
            }
            self.tick_us(10, 60);
        }
        if self.rng.chance(1) {
            // A spurious retransmission of the last segment: the ACK was slow.
            let seq = self.conns[c].next[d].wrapping_sub((data.len() - last) as u32);
            self.tick(200, 300);
            self.segment_at(c, d, PSH | ACK, seq, &data[last..])?;
        }
        if self.rng.chance(60) {
            self.tick_us(100, 40_000);
            self.segment(c, 1 - d, ACK, &[])?;
        }
        self.tick_us(100, 3_000);
        Ok(())
    }

    pub(super) fn send1(&mut self, c: usize, d: usize, m: &Msg) -> io::Result<()> {
        self.send(c, d, &[m.wire()])
    }
}
