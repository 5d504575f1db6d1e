//! Network layers: link headers, IPv4/IPv6 with fragment reassembly, tunnels, UDP; hands TCP and SCTP on.
//!
//! Link types: Ethernet (1; 802.1Q/802.1ad/QinQ tags, MPLS, PPPoE session), BSD null/loop (0, 108), raw IP
//! (101, 12, 14, 228, 229), Linux cooked SLL (113) and SLL2 (276), PPP (9, 50), Cisco HDLC (104). Tunnels:
//! IP-in-IP (4, 41), GRE (47; plain and transparent Ethernet bridging, ERSPAN type I/II over 0x88BE, type III
//! over 0x22EB), VXLAN (recognised by its header inside UDP, not by port). Fragments are put back together in
//! `frag.rs`.

use super::container::Packet;
use super::frag::{FragKey, Frags};
use super::layout::Layer;
use super::report::{Kind, Report};
use super::sctp::Sctp;
use super::tcp::{Segment, Tcp};
use super::{be16, be32, cut_problem, emit_block, starts_with_sip, Cx, Ep};
use crate::import::{InFile, Sink};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// How deep tunnels may nest (Ethernet in GRE in IP in …).
const MAX_DEPTH: u8 = 8;
/// How often (in packets) idle state is swept.
const SWEEP_EVERY: u64 = 4096;

fn v4(d: &[u8], at: usize) -> Option<Ipv4Addr> {
    let b: [u8; 4] = d.get(at..at + 4)?.try_into().ok()?;
    Some(Ipv4Addr::from(b))
}

fn v6(d: &[u8], at: usize) -> Option<Ipv6Addr> {
    let b: [u8; 16] = d.get(at..at + 16)?.try_into().ok()?;
    Some(Ipv6Addr::from(b))
}

#[derive(Debug)]
pub struct Net {
    file: u32,
    report: Report,
    tcp: Tcp,
    sctp: Sctp,
    frags: Frags,
    pkt_no: u64,
    /// The headers read in the current packet, when asked for ([`Net::record_layers`]).
    layers: Option<Vec<(usize, Layer)>>,
}

impl Net {
    pub fn new(file: u32) -> Self {
        Net {
            file,
            report: Report::default(),
            tcp: Tcp::new(file),
            sctp: Sctp::default(),
            frags: Frags::default(),
            pkt_no: 0,
            layers: None,
        }
    }

    /// Note the headers read in each packet, for [`Net::take_layers`].
    pub fn record_layers(&mut self) {
        self.layers = Some(Vec::new());
    }

    /// The headers read in the last packet, outermost first (empty unless recording).
    pub fn take_layers(&mut self) -> Vec<(usize, Layer)> {
        self.layers.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Note that `header` (a slice of the packet's own bytes, else nothing is noted) is a `layer`.
    fn mark(&mut self, layer: Layer, header: &[u8], cx: &Cx) {
        if let (Some(v), Some(at)) = (self.layers.as_mut(), cx.place(header)) {
            v.push(((at - cx.data.2) as usize, layer));
        }
    }

    pub fn packet(&mut self, p: &Packet<'_>, sink: &mut Sink) {
        self.pkt_no += 1;
        let cut = (p.data.len() as u64) < u64::from(p.orig_len);
        let cx = Cx {
            meta: p.meta,
            data: (p.data.as_ptr() as usize, p.data.len(), p.data_at),
            pkt_no: self.pkt_no,
            cut,
        };
        if cut {
            self.report.note(Kind::Snaplen, p.meta.frame);
        }
        self.link(p.linktype, p.data, &cx, sink);
        if self.pkt_no % SWEEP_EVERY == 0 {
            self.tcp.sweep(&cx, &mut self.report, sink);
            self.frags.sweep(&cx, &mut self.report);
            self.sctp.sweep(&cx, &mut self.report);
        }
    }

    pub fn finish(&mut self, sink: &mut Sink) {
        self.tcp.finish(&mut self.report, sink);
        self.frags.drop_all(&mut self.report);
        self.sctp.finish(&mut self.report);
        self.report.flush(self.file, sink);
    }

    fn bad(&mut self, kind: Kind, cx: &Cx) {
        // A packet cut short by the snapshot length is counted once, as that.
        if !cx.cut {
            self.report.note(kind, cx.meta.frame);
        }
    }

    fn link(&mut self, linktype: u32, d: &[u8], cx: &Cx, sink: &mut Sink) {
        match linktype {
            1 => self.ethernet(d, cx, 0, sink),
            // BSD loopback: a 4-byte address family (host or network order); the IP version tells the rest.
            0 | 108 => match d.get(4..) {
                Some(ip) => self.ip_any(ip, cx, 0, sink),
                None => self.bad(Kind::BadEthernet, cx),
            },
            101 | 12 | 14 => self.ip_any(d, cx, 0, sink),
            228 => self.ipv4(d, cx, 0, sink),
            229 => self.ipv6(d, cx, 0, sink),
            113 => match (be16(d, 14), d.get(16..)) {
                (Some(proto), Some(rest)) => {
                    self.mark(Layer::Sll, d, cx);
                    self.ethertype(proto, rest, cx, 0, sink)
                }
                _ => self.bad(Kind::BadEthernet, cx),
            },
            276 => match (be16(d, 0), d.get(20..)) {
                (Some(proto), Some(rest)) => {
                    self.mark(Layer::Sll2, d, cx);
                    self.ethertype(proto, rest, cx, 0, sink)
                }
                _ => self.bad(Kind::BadEthernet, cx),
            },
            // PPP (with or without the HDLC address and control bytes), Cisco HDLC.
            9 | 50 => {
                let d = d.strip_prefix(&[0xFF, 0x03]).unwrap_or(d);
                match (be16(d, 0), d.get(2..)) {
                    (Some(0x0021), Some(ip)) => self.ipv4(ip, cx, 0, sink),
                    (Some(0x0057), Some(ip)) => self.ipv6(ip, cx, 0, sink),
                    (Some(_), Some(_)) => {}
                    _ => self.bad(Kind::BadEthernet, cx),
                }
            }
            104 => match (be16(d, 2), d.get(4..)) {
                (Some(et), Some(rest)) => self.ethertype(et, rest, cx, 0, sink),
                _ => self.bad(Kind::BadEthernet, cx),
            },
            _ => self.report.unknown_link(linktype, cx.meta.frame),
        }
    }

    fn ethernet(&mut self, d: &[u8], cx: &Cx, depth: u8, sink: &mut Sink) {
        let (Some(et), Some(rest)) = (be16(d, 12), d.get(14..)) else {
            return self.bad(Kind::BadEthernet, cx);
        };
        self.mark(Layer::Ethernet, d, cx);
        // Values up to 1500 are 802.3 lengths (LLC frames): not IP.
        if et > 1500 {
            self.ethertype(et, rest, cx, depth, sink);
        }
    }

    fn ethertype(&mut self, mut et: u16, mut d: &[u8], cx: &Cx, depth: u8, sink: &mut Sink) {
        if depth > MAX_DEPTH {
            self.report.note(Kind::TunnelDepth, cx.meta.frame);
            return;
        }
        // VLAN tags (802.1Q, 802.1ad and the pre-standard QinQ types), as many as there are.
        while matches!(et, 0x8100 | 0x88A8 | 0x9100 | 0x9200 | 0x9300) {
            match (be16(d, 2), d.get(4..)) {
                (Some(inner), Some(rest)) => {
                    et = inner;
                    d = rest;
                }
                _ => return self.bad(Kind::BadEthernet, cx),
            }
        }
        match et {
            0x0800 => self.ipv4(d, cx, depth, sink),
            0x86DD => self.ipv6(d, cx, depth, sink),
            0x6558 => self.ethernet(d, cx, depth + 1, sink),
            0x8847 | 0x8848 => self.mpls(d, cx, depth, sink),
            0x8864 => {
                // PPPoE session: version/type 0x11, code 0, session, length, then the PPP protocol.
                match (d.first(), be16(d, 6), d.get(8..)) {
                    (Some(0x11), Some(0x0021), Some(ip)) => {
                        self.mark(Layer::Pppoe, d, cx);
                        self.ipv4(ip, cx, depth, sink)
                    }
                    (Some(0x11), Some(0x0057), Some(ip)) => {
                        self.mark(Layer::Pppoe, d, cx);
                        self.ipv6(ip, cx, depth, sink)
                    }
                    (Some(_), Some(_), Some(_)) => {}
                    _ => self.bad(Kind::BadEthernet, cx),
                }
            }
            _ => {}
        }
    }

    fn mpls(&mut self, mut d: &[u8], cx: &Cx, depth: u8, sink: &mut Sink) {
        loop {
            let (Some(label), Some(rest)) = (d.get(..4), d.get(4..)) else {
                return self.bad(Kind::BadEthernet, cx);
            };
            d = rest;
            if label.get(2).is_some_and(|b| b & 1 != 0) {
                break;
            }
        }
        match d.first().map(|b| b >> 4) {
            Some(4 | 6) => self.ip_any(d, cx, depth, sink),
            // A pseudowire control word (first nibble 0), then Ethernet.
            Some(0) => {
                if let Some(eth) = d.get(4..) {
                    self.ethernet(eth, cx, depth + 1, sink);
                }
            }
            _ => {}
        }
    }

    fn ip_any(&mut self, d: &[u8], cx: &Cx, depth: u8, sink: &mut Sink) {
        match d.first().map(|b| b >> 4) {
            Some(4) => self.ipv4(d, cx, depth, sink),
            Some(6) => self.ipv6(d, cx, depth, sink),
            _ => self.bad(Kind::BadIpv4, cx),
        }
    }

    fn ipv4(&mut self, d: &[u8], cx: &Cx, depth: u8, sink: &mut Sink) {
        let Some(&b0) = d.first() else {
            return self.bad(Kind::BadIpv4, cx);
        };
        let ihl = usize::from(b0 & 0x0F) * 4;
        let (Some(total), Some(ff), Some(&proto), Some(src), Some(dst)) =
            (be16(d, 2), be16(d, 6), d.get(9), v4(d, 12), v4(d, 16))
        else {
            return self.bad(Kind::BadIpv4, cx);
        };
        let total = usize::from(total);
        if b0 >> 4 != 4 || ihl < 20 || d.len() < ihl || (total != 0 && total < ihl) {
            return self.bad(Kind::BadIpv4, cx);
        }
        self.mark(Layer::Ipv4, d, cx);
        // Total length 0: segmentation offload on the capturing host; the captured bytes are the packet.
        let (end, missing) = if total == 0 {
            (d.len(), 0)
        } else {
            (total.min(d.len()), total.saturating_sub(d.len()))
        };
        let payload = d.get(ihl..end).unwrap_or(&[]);
        let more = ff & 0x2000 != 0;
        let offset = usize::from(ff & 0x1FFF) * 8;
        let (src, dst) = (IpAddr::V4(src), IpAddr::V4(dst));
        if more || offset > 0 {
            let id = u32::from(be16(d, 4).unwrap_or(0));
            let key = FragKey {
                src,
                dst,
                id,
                proto,
            };
            if let Some((whole, first)) =
                self.frags
                    .add(key, offset, more, payload, cx, &mut self.report)
            {
                let cx = Cx { meta: first, ..*cx };
                self.l4(proto, src, dst, &whole, 0, &cx, depth, sink);
            }
            return;
        }
        self.l4(proto, src, dst, payload, missing, cx, depth, sink);
    }

    fn ipv6(&mut self, d: &[u8], cx: &Cx, depth: u8, sink: &mut Sink) {
        let (Some(&b0), Some(plen), Some(&nh), Some(src), Some(dst)) =
            (d.first(), be16(d, 4), d.get(6), v6(d, 8), v6(d, 24))
        else {
            return self.bad(Kind::BadIpv6, cx);
        };
        if b0 >> 4 != 6 {
            return self.bad(Kind::BadIpv6, cx);
        }
        self.mark(Layer::Ipv6, d, cx);
        let plen = usize::from(plen);
        // Payload length 0: a jumbogram or segmentation offload; the captured bytes are the packet.
        let (end, missing) = if plen == 0 {
            (d.len(), 0)
        } else {
            (
                (40 + plen).min(d.len()),
                (40 + plen).saturating_sub(d.len()),
            )
        };
        let payload = d.get(40..end).unwrap_or(&[]);
        self.ipv6_ext(nh, payload, src, dst, missing, cx, depth, true, sink);
    }

    /// Walk IPv6 extension headers from `nh` over `p`; `reassembled`: `p` is a reassembled fragmentable part.
    #[allow(clippy::too_many_arguments)]
    fn ipv6_ext(
        &mut self,
        mut nh: u8,
        mut p: &[u8],
        src: Ipv6Addr,
        dst: Ipv6Addr,
        missing: usize,
        cx: &Cx,
        depth: u8,
        may_fragment: bool,
        sink: &mut Sink,
    ) {
        for _ in 0..32 {
            match nh {
                0 | 43 | 60 | 135 | 139 | 140 | 51 => {
                    let (Some(&next), Some(&l)) = (p.first(), p.get(1)) else {
                        return self.bad(Kind::BadIpv6, cx);
                    };
                    let len = if nh == 51 {
                        (usize::from(l) + 2) * 4
                    } else {
                        (usize::from(l) + 1) * 8
                    };
                    let Some(rest) = p.get(len..) else {
                        return self.bad(Kind::BadIpv6, cx);
                    };
                    self.mark(Layer::Ipv6Ext(nh), p, cx);
                    nh = next;
                    p = rest;
                }
                44 => {
                    let (Some(&next), Some(fo), Some(id), Some(data)) =
                        (p.first(), be16(p, 2), be32(p, 4), p.get(8..))
                    else {
                        return self.bad(Kind::BadIpv6, cx);
                    };
                    self.mark(Layer::Ipv6Ext(44), p, cx);
                    let offset = usize::from(fo & 0xFFF8);
                    let more = fo & 1 != 0;
                    if offset == 0 && !more {
                        // An atomic fragment: the whole datagram.
                        nh = next;
                        p = data;
                        continue;
                    }
                    if !may_fragment {
                        return self.bad(Kind::BadIpv6, cx);
                    }
                    let key = FragKey {
                        src: IpAddr::V6(src),
                        dst: IpAddr::V6(dst),
                        id,
                        proto: next,
                    };
                    if let Some((whole, first)) =
                        self.frags
                            .add(key, offset, more, data, cx, &mut self.report)
                    {
                        let cx = Cx { meta: first, ..*cx };
                        self.ipv6_ext(next, &whole, src, dst, 0, &cx, depth, false, sink);
                    }
                    return;
                }
                // No next header; ESP (encrypted).
                59 | 50 => return,
                _ => {
                    return self.l4(
                        nh,
                        IpAddr::V6(src),
                        IpAddr::V6(dst),
                        p,
                        missing,
                        cx,
                        depth,
                        sink,
                    )
                }
            }
        }
        self.bad(Kind::BadIpv6, cx);
    }

    /// The IP payload `p` of protocol `proto`; `missing` bytes of it are not in the capture.
    #[allow(clippy::too_many_arguments)]
    fn l4(
        &mut self,
        proto: u8,
        src: IpAddr,
        dst: IpAddr,
        p: &[u8],
        missing: usize,
        cx: &Cx,
        depth: u8,
        sink: &mut Sink,
    ) {
        if matches!(proto, 4 | 41 | 47) && depth >= MAX_DEPTH {
            self.report.note(Kind::TunnelDepth, cx.meta.frame);
            return;
        }
        match proto {
            4 => self.ipv4(p, cx, depth + 1, sink),
            41 => self.ipv6(p, cx, depth + 1, sink),
            47 => self.gre(p, cx, depth + 1, sink),
            6 => self.tcp(src, dst, p, missing, cx, sink),
            17 => self.udp(src, dst, p, missing, cx, depth, sink),
            132 => {
                self.mark(Layer::Sctp, p, cx);
                self.sctp
                    .packet(src, dst, p, missing, cx, &mut self.report, sink)
            }
            _ => {}
        }
    }

    fn gre(&mut self, p: &[u8], cx: &Cx, depth: u8, sink: &mut Sink) {
        let (Some(flags), Some(proto)) = (be16(p, 0), be16(p, 2)) else {
            return self.bad(Kind::BadGre, cx);
        };
        self.mark(Layer::Gre, p, cx);
        let version = flags & 7;
        if version != 0 || flags & 0x4000 != 0 {
            // Enhanced GRE (PPTP) carries PPP; source routing (RFC 1701) is obsolete: neither is read.
            return self.bad(Kind::BadGre, cx);
        }
        let seq = flags & 0x1000 != 0;
        let off = 4
            + if flags & 0x8000 != 0 { 4 } else { 0 }
            + if flags & 0x2000 != 0 { 4 } else { 0 }
            + if seq { 4 } else { 0 };
        let Some(payload) = p.get(off..) else {
            return self.bad(Kind::BadGre, cx);
        };
        match proto {
            // ERSPAN: type II has an 8-byte header and the GRE sequence number; type I has neither.
            0x88BE => match payload.get(if seq { 8 } else { 0 }..) {
                Some(eth) => self.ethernet(eth, cx, depth, sink),
                None => self.bad(Kind::BadGre, cx),
            },
            // ERSPAN type III: a 12-byte header, then an 8-byte platform subheader when O is set; FT says what
            // the frame is (0 Ethernet, 2 IP).
            0x22EB => {
                let (Some(&b10), Some(&b11)) = (payload.get(10), payload.get(11)) else {
                    return self.bad(Kind::BadGre, cx);
                };
                let skip = 12 + if b11 & 1 != 0 { 8 } else { 0 };
                let Some(frame) = payload.get(skip..) else {
                    return self.bad(Kind::BadGre, cx);
                };
                match (b10 >> 2) & 0x1F {
                    0 => self.ethernet(frame, cx, depth, sink),
                    2 => self.ip_any(frame, cx, depth, sink),
                    _ => {}
                }
            }
            et => self.ethertype(et, payload, cx, depth, sink),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn udp(
        &mut self,
        src: IpAddr,
        dst: IpAddr,
        p: &[u8],
        missing: usize,
        cx: &Cx,
        depth: u8,
        sink: &mut Sink,
    ) {
        let (Some(sport), Some(dport), Some(ulen)) = (be16(p, 0), be16(p, 2), be16(p, 4)) else {
            return self.bad(Kind::BadUdp, cx);
        };
        let ulen = usize::from(ulen);
        let (payload, missing) = if ulen == 0 {
            // Jumbogram or offload: the IP payload is the datagram.
            (p.get(8..).unwrap_or(&[]), missing)
        } else if ulen < 8 {
            return self.bad(Kind::BadUdp, cx);
        } else {
            let end = ulen.min(p.len());
            (p.get(8..end).unwrap_or(&[]), ulen - end)
        };
        self.mark(Layer::Udp, p, cx);
        if starts_with_sip(payload) {
            let (src, dst) = (
                Ep {
                    ip: src,
                    port: sport,
                },
                Ep {
                    ip: dst,
                    port: dport,
                },
            );
            let cut = (missing > 0).then(cut_problem);
            let place = cx.place(payload).map(InFile::At);
            emit_block(payload, place, &src, &dst, &cx.meta, cut.as_slice(), sink);
        } else if is_vxlan(payload) && depth < MAX_DEPTH {
            self.mark(Layer::Vxlan, payload, cx);
            if let Some(eth) = payload.get(8..) {
                self.ethernet(eth, cx, depth + 1, sink);
            }
        }
    }

    fn tcp(
        &mut self,
        src: IpAddr,
        dst: IpAddr,
        p: &[u8],
        missing: usize,
        cx: &Cx,
        sink: &mut Sink,
    ) {
        let (Some(sport), Some(dport), Some(seq), Some(ack), Some(&doff), Some(&flags)) = (
            be16(p, 0),
            be16(p, 2),
            be32(p, 4),
            be32(p, 8),
            p.get(12),
            p.get(13),
        ) else {
            return self.bad(Kind::BadTcp, cx);
        };
        let doff = usize::from(doff >> 4) * 4;
        let Some(data) = p.get(doff..).filter(|_| doff >= 20) else {
            return self.bad(Kind::BadTcp, cx);
        };
        let seg = Segment {
            seq,
            ack,
            flags,
            data,
            missing,
        };
        let (src, dst) = (
            Ep {
                ip: src,
                port: sport,
            },
            Ep {
                ip: dst,
                port: dport,
            },
        );
        let (conn, dir, seq0) = self.tcp.segment(src, dst, &seg, cx, &mut self.report, sink);
        self.mark(Layer::Tcp { conn, dir, seq0 }, p, cx);
    }
}

/// A VXLAN header (flags 0x08, reserved bytes zero) followed by an Ethernet frame carrying IP or a VLAN tag.
fn is_vxlan(p: &[u8]) -> bool {
    matches!(p.get(..4), Some([0x08, 0, 0, 0]))
        && p.get(7) == Some(&0)
        && matches!(be16(p, 8 + 12), Some(0x0800 | 0x86DD | 0x8100))
}
