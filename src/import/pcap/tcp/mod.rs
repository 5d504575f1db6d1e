//! TCP: stream reassembly per direction, then SIP framing of the byte stream (or WebSocket frames; TLS is noted).
//!
//! **Reassembly.** Each direction orders segments by sequence number (32-bit, wrapping, tracked as a 64-bit
//! stream offset). Bytes already delivered are never delivered again (retransmissions and overlaps count once:
//! the first copy wins). A segment ahead of the expected one waits; the hole it leaves is declared a gap when the
//! peer acknowledges past it (the capture missed bytes that did arrive), when it is older than 10 s of capture
//! time or 50,000 packets, when more than 1 MiB waits behind it, or when the connection ends.
//!
//! **Classification.** A direction's first bytes decide what it carries: a TLS record header (content type
//! 0x14–0x17, version 3.x) makes the whole connection TLS (one info diagnostic per connection, counting all its
//! packets, given when the connection is forgotten: a minute of capture time after it closed, or at the end); an
//! HTTP Upgrade to `websocket` (or a WebSocket data frame whose payload starts with a SIP start line, when the
//! handshake was not captured) switches to WebSocket frames; a SIP start line makes it a SIP stream. A stream
//! seen from its SYN that starts otherwise is not SIP and is skipped. A stream joined in the middle (no SYN)
//! that is text is searched for a SIP start line in its first 64 KiB.
//!
//! **SIP framing.** Start line, headers to the blank line, body by Content-Length (none: no body); CRLF
//! keep-alives between messages are skipped. After a gap, the message cut by it is shown with a problem when its
//! headers are complete (dropped otherwise), a diagnostic says how many bytes are missing, and reading resumes
//! at the next line that is a SIP start line. When a connection ends (or the capture does) inside messages, each
//! direction gives what it holds in the order it began, whichever endpoint's address is the lower.
//!
//! Size: one reassembly state machine (per-direction buffers, gaps, acknowledgements, SIP and WebSocket framing
//! of the stream) whose invariants span all of it; its tests live in `tcp/tests.rs`.

use super::report::{Kind, Report};
use super::ws;
use super::{emit_block, is_ws, Cx, Ep, FxMap, Meta};
use crate::base::diag::{Code, Diagnostic, Problem};
use crate::import::{InFile, Sink};
use crate::sip::parser::{self, content_length, scan_head, ContentLength, HeadEnd};
use crate::sip::Header;
use std::collections::{BTreeMap, VecDeque};

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const ACK: u8 = 0x10;

/// A segment further than this from the expected sequence number is not part of the stream.
const MAX_AHEAD: i64 = 64 << 20;
/// Out-of-order bytes (and segments) held per direction before the hole is given up.
const MAX_OOO_BYTES: usize = 1 << 20;
const MAX_OOO_SEGMENTS: usize = 1024;
/// A hole older than this is given up.
const HOLE_MS: i64 = 10_000;
const HOLE_PACKETS: u64 = 50_000;
/// A connection idle for this long is closed and forgotten (a closed one sooner; one that is TLS or not SIP
/// only when there are too many connections).
const IDLE_MS: i64 = 300_000;
const IDLE_PACKETS: u64 = 2_000_000;
const CLOSED_MS: i64 = 60_000;
const CLOSED_PACKETS: u64 = 200_000;
/// Connections tracked at once; beyond, the least recently active are closed.
const MAX_CONNS: usize = 200_000;
/// Longest start line, header section and body accepted on a stream.
const MAX_LINE: usize = 8 << 10;
const MAX_HEAD: usize = 256 << 10;
const MAX_BODY: usize = 16 << 20;
const MAX_WS_MESSAGE: usize = 16 << 20;
/// How far a stream joined in the middle is searched for a SIP start line.
const HUNT_BUDGET: usize = 64 << 10;
/// Gaps and TLS connections listed one by one; the rest are counted.
const LIST_GAPS: u32 = 20;
const LIST_TLS: u32 = 100;

/// The TCP header fields a stream needs, and the payload.
#[derive(Debug)]
pub struct Segment<'a> {
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub data: &'a [u8],
    /// Payload bytes on the wire but not in the capture (snapshot length).
    pub missing: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    a: Ep,
    b: Ep,
}

/// What a connection is, beyond its two byte streams.
#[derive(Debug)]
struct Info {
    /// The connection's number, in the order connections were opened.
    id: u32,
    packets: u64,
    first_frame: u32,
    last_pkt: u64,
    last_ms: Option<i64>,
    /// Which side sent the SYN, or the TLS ClientHello.
    syn_from: Option<usize>,
    hello_from: Option<usize>,
    tls: bool,
    /// The connection is in the sink's TLS connections (it has had an application-data record).
    tls_listed: bool,
    ws: bool,
    deflate_reported: bool,
    /// Both directions ended, or reset: kept a while so late retransmissions are not taken for a new stream.
    closed: bool,
}

#[derive(Debug)]
struct Conn {
    /// `ep[0]` is the key's lower endpoint; direction `d` goes from `ep[d]` to `ep[1 - d]`.
    ep: [Ep; 2],
    half: [Half; 2],
    info: Info,
}

/// Everything a direction needs to report what it finds.
struct Ctx<'a> {
    file: u32,
    src: Ep,
    dst: Ep,
    d: usize,
    info: &'a mut Info,
    report: &'a mut Report,
    sink: &'a mut Sink,
    gaps_listed: &'a mut u32,
}

#[derive(Debug, Default)]
pub struct Tcp {
    file: u32,
    conns: FxMap<Key, Conn>,
    gaps_listed: u32,
    tls: TlsList,
    /// Connections opened so far.
    opened: u32,
}

/// TLS connections reported so far, and those beyond the list.
#[derive(Debug, Default)]
struct TlsList {
    listed: u32,
    more: u64,
    more_packets: u64,
    more_first: u32,
}

impl TlsList {
    /// The diagnostic for a connection that ended, when it is TLS (and within the list; the rest are counted).
    fn note(&mut self, file: u32, ep: [Ep; 2], info: &Info) -> Option<Diagnostic> {
        if !info.tls {
            return None;
        }
        let client = info
            .syn_from
            .or(info.hello_from)
            .unwrap_or(if ep[0].port >= ep[1].port { 0 } else { 1 })
            .min(1);
        let (c, s) = (ep[client], ep[1 - client]);
        if self.listed >= LIST_TLS {
            if self.more == 0 {
                self.more_first = info.first_frame;
            }
            self.more += 1;
            self.more_packets += info.packets;
            return None;
        }
        self.listed += 1;
        let p = if info.packets == 1 { "" } else { "s" };
        Some(
            Diagnostic::info(Code::TlsConnection, format!(
                "TLS connection {c} ↔ {s} ({} packet{p}): encrypted, SIP inside can't be read. The client log (Lync-UccApi-0.UccApilog) holds the same SIP decrypted: open both together to line each record up with its message.",
                info.packets
            ))
            .at(file, info.first_frame),
        )
    }
}

fn pair<T>(v: &mut [T; 2], d: usize) -> (&mut T, &mut T) {
    let [a, b] = v;
    if d == 0 {
        (a, b)
    } else {
        (b, a)
    }
}

impl Tcp {
    pub fn new(file: u32) -> Self {
        Tcp {
            file,
            ..Tcp::default()
        }
    }

    /// Read a segment. Returns its connection's number (none for a bare ACK, FIN or RST of a connection never
    /// seen carrying data), its direction, and the sequence number of the direction's stream byte 0 once known.
    pub fn segment(
        &mut self,
        src: Ep,
        dst: Ep,
        seg: &Segment<'_>,
        cx: &Cx,
        report: &mut Report,
        sink: &mut Sink,
    ) -> (Option<u32>, u8, Option<u32>) {
        let (key, d) = if src <= dst {
            (Key { a: src, b: dst }, 0)
        } else {
            (Key { a: dst, b: src }, 1)
        };
        let opening = seg.flags & (SYN | ACK) == SYN;
        let fresh = match self.conns.get(&key) {
            None => {
                if seg.data.is_empty() && seg.missing == 0 && seg.flags & SYN == 0 {
                    // A bare ACK/FIN/RST of a connection never seen carrying data.
                    return (None, d as u8, None);
                }
                true
            }
            // A new SYN on the same ports: the old connection is over.
            Some(c) => opening && c.half[d].syn_seq != Some(seg.seq),
        };
        if fresh {
            if let Some(old) = self.conns.remove(&key) {
                self.close(
                    old,
                    "the TCP connection was replaced by a new one before this message was complete",
                    report,
                    sink,
                );
            }
            self.conns.insert(
                key,
                Conn {
                    ep: [key.a, key.b],
                    half: [Half::default(), Half::default()],
                    info: Info {
                        id: self.opened,
                        packets: 0,
                        first_frame: cx.meta.frame,
                        last_pkt: cx.pkt_no,
                        last_ms: cx.now(),
                        syn_from: None,
                        hello_from: None,
                        tls: false,
                        tls_listed: false,
                        ws: false,
                        deflate_reported: false,
                        closed: false,
                    },
                },
            );
            self.opened += 1;
        }
        let Some(conn) = self.conns.get_mut(&key) else {
            return (None, d as u8, None);
        };
        let Conn { ep, half, info } = conn;
        let id = (Some(info.id), d as u8);
        info.packets += 1;
        info.last_pkt = cx.pkt_no;
        if cx.now().is_some() {
            info.last_ms = cx.now();
        }
        if info.closed {
            return (id.0, id.1, None); // a late retransmission after the end
        }
        if opening {
            info.syn_from = Some(d);
        }
        let (h, other) = pair(half, d);
        if seg.flags & ACK != 0 {
            other.peer_ack = Some(seg.ack);
        }
        let mut ctx = Ctx {
            file: self.file,
            src: ep[d],
            dst: ep[1 - d],
            d,
            info: &mut *info,
            report: &mut *report,
            sink: &mut *sink,
            gaps_listed: &mut self.gaps_listed,
        };
        h.segment(seg, cx, &mut ctx);
        // Sequence numbers and stream offsets move together (bytes delivered or skipped as a gap).
        let seq0 = h.synced.then(|| h.next.wrapping_sub(h.abs as u32));
        h.check_hole(cx, false, &mut ctx);
        ctx.src = ep[1 - d];
        ctx.dst = ep[d];
        ctx.d = 1 - d;
        other.check_hole(cx, false, &mut ctx);
        if ctx.info.tls {
            h.s.set_ignored(Mode::Tls);
            other.s.set_ignored(Mode::Tls);
        }
        let reset = seg.flags & RST != 0;
        if reset || (h.ended && other.ended) {
            if reset {
                let why = "the TCP connection was reset before this message was complete";
                ctx.src = ep[d];
                ctx.dst = ep[1 - d];
                ctx.d = d;
                h.end_all(cx, why, &mut ctx);
                ctx.src = ep[1 - d];
                ctx.dst = ep[d];
                ctx.d = 1 - d;
                other.end_all(cx, why, &mut ctx);
            }
            ctx.info.closed = true;
            // Keep the connection as a tombstone, without buffers: late retransmissions are not a new stream,
            // and the last packets still count for the TLS diagnostic, given when it is forgotten.
            *half = [Half::default(), Half::default()];
        }
        (id.0, id.1, seq0)
    }

    /// End both directions of a connection (flushing what they hold) and report it if it was TLS.
    fn close(&mut self, mut conn: Conn, why: &str, report: &mut Report, sink: &mut Sink) {
        if !conn.info.closed {
            let Conn { ep, half, info } = &mut conn;
            let cx_end = Cx {
                meta: Meta {
                    time: None,
                    span: (0, 0),
                    frame: info.first_frame,
                },
                data: (0, 0, 0),
                pkt_no: info.last_pkt,
                cut: false,
            };
            // What each direction holds comes out in the order it began, never by which endpoint's address is
            // the lower (a copy with its addresses renamed must read the same).
            let mut order = [0, 1];
            order.sort_by_key(|&d| half[d].first_held().unwrap_or(u32::MAX));
            for d in order {
                let (h, _) = pair(half, d);
                let mut ctx = Ctx {
                    file: self.file,
                    src: ep[d],
                    dst: ep[1 - d],
                    d,
                    info,
                    report,
                    sink,
                    gaps_listed: &mut self.gaps_listed,
                };
                h.end_all(&cx_end, why, &mut ctx);
            }
            info.closed = true;
        }
        if let Some(diag) = self.tls.note(self.file, conn.ep, &conn.info) {
            sink.diagnostics.push(diag);
        }
        conn.info.tls = false;
    }

    /// Forget idle connections, give up old holes. Deterministic: by first frame.
    pub fn sweep(&mut self, cx: &Cx, report: &mut Report, sink: &mut Sink) {
        let now = cx.now();
        let idle = |info: &Info, ms: i64, pkts: u64| {
            cx.pkt_no.saturating_sub(info.last_pkt) > pkts
                || matches!((now, info.last_ms), (Some(n), Some(l)) if n - l > ms)
        };
        let mut gone: Vec<(u32, Key)> = self
            .conns
            .iter()
            .filter(|(_, c)| {
                if c.info.closed {
                    idle(&c.info, CLOSED_MS, CLOSED_PACKETS)
                } else if c.half.iter().all(|h| h.s.ignored()) {
                    // TLS or not SIP: nothing is held, and forgetting it would report it twice when it resumes.
                    false
                } else {
                    idle(&c.info, IDLE_MS, IDLE_PACKETS)
                }
            })
            .map(|(k, c)| (c.info.first_frame, *k))
            .collect();
        if self.conns.len() - gone.len() > MAX_CONNS {
            let mut rest: Vec<(u64, u32, Key)> = self
                .conns
                .iter()
                .map(|(k, c)| (c.info.last_pkt, c.info.first_frame, *k))
                .collect();
            rest.sort_unstable_by_key(|a| (a.0, a.1));
            let excess = self.conns.len() - MAX_CONNS * 3 / 4;
            gone.extend(rest.into_iter().take(excess).map(|(_, f, k)| (f, k)));
            gone.sort_unstable_by_key(|g| g.0);
            gone.dedup_by(|a, b| a.1 == b.1);
        }
        gone.sort_unstable_by_key(|a| (a.0, a.1.a, a.1.b));
        for (_, key) in gone {
            if let Some(conn) = self.conns.remove(&key) {
                self.close(
                    conn,
                    "the TCP connection went idle before this message was complete",
                    report,
                    sink,
                );
            }
        }
        // Holes that waited too long, in connections that went quiet.
        let mut keys: Vec<(u32, Key)> = self
            .conns
            .iter()
            .filter(|(_, c)| !c.half[0].ooo.is_empty() || !c.half[1].ooo.is_empty())
            .map(|(k, c)| (c.info.first_frame, *k))
            .collect();
        keys.sort_unstable_by_key(|a| (a.0, a.1.a, a.1.b));
        for (_, key) in keys {
            let Some(Conn { ep, half, info }) = self.conns.get_mut(&key) else {
                continue;
            };
            for d in 0..2 {
                let (h, _) = pair(half, d);
                let mut ctx = Ctx {
                    file: self.file,
                    src: ep[d],
                    dst: ep[1 - d],
                    d,
                    info,
                    report,
                    sink,
                    gaps_listed: &mut self.gaps_listed,
                };
                h.check_hole(cx, false, &mut ctx);
            }
        }
    }

    pub fn finish(&mut self, report: &mut Report, sink: &mut Sink) {
        let mut all: Vec<(u32, Key)> = self
            .conns
            .iter()
            .map(|(k, c)| (c.info.first_frame, *k))
            .collect();
        all.sort_unstable_by_key(|a| (a.0, a.1.a, a.1.b));
        for (_, key) in all {
            if let Some(conn) = self.conns.remove(&key) {
                self.close(
                    conn,
                    "the capture ends before this message is complete",
                    report,
                    sink,
                );
            }
        }
        if self.tls.more > 0 {
            sink.diagnostics.push(
                Diagnostic::info(Code::TlsConnection, format!(
                    "{} more TLS connections ({} packets) are encrypted too; SIP inside them can't be read.",
                    self.tls.more, self.tls.more_packets
                ))
                .at(self.file, self.tls.more_first),
            );
        }
        self.tls.more = 0;
    }
}

/// One direction of a connection.
#[derive(Debug, Default)]
struct Half {
    synced: bool,
    syn_seq: Option<u32>,
    /// Sequence number of the next byte expected, and its offset in the stream.
    next: u32,
    abs: u64,
    /// Segments ahead of `next`, by stream offset.
    ooo: BTreeMap<u64, Pending>,
    ooo_bytes: usize,
    /// When the current hole opened (packet index, capture time).
    hole_pkt: u64,
    hole_ms: Option<i64>,
    /// The highest acknowledgment the other side sent for this direction.
    peer_ack: Option<u32>,
    /// Stream offset of the FIN.
    fin: Option<u64>,
    ended: bool,
    s: Stream,
}

#[derive(Debug)]
struct Pending {
    data: Vec<u8>,
    meta: Meta,
    /// Where `data` is in the capture file.
    at: Option<u64>,
}

impl Half {
    fn segment(&mut self, seg: &Segment<'_>, cx: &Cx, ctx: &mut Ctx<'_>) {
        if self.ended {
            return;
        }
        let fin = seg.flags & FIN != 0;
        if self.s.skipped() {
            if fin {
                self.ended = true;
            }
            return;
        }
        let mut seq = seg.seq;
        if seg.flags & SYN != 0 {
            self.syn_seq = Some(seg.seq);
            seq = seq.wrapping_add(1);
            if !self.synced {
                self.synced = true;
                self.next = seq;
                self.s.syn = true;
            }
        }
        let len = seg.data.len();
        if !self.synced {
            if len == 0 && seg.missing == 0 {
                if fin {
                    self.ended = true;
                }
                return;
            }
            self.synced = true;
            self.next = seq;
        }
        let rel = i64::from(seq.wrapping_sub(self.next) as i32);
        let total = (len + seg.missing) as i64;
        if rel > MAX_AHEAD || rel + total < -MAX_AHEAD {
            ctx.report.note(Kind::TcpOutOfWindow, cx.meta.frame);
            return;
        }
        let start_abs = self.abs as i64 + rel;
        if fin && start_abs + total >= 0 {
            self.fin = Some((start_abs + total) as u64);
        }
        if rel <= 0 {
            let skip = rel.unsigned_abs() as usize;
            if let Some(fresh) = seg.data.get(skip..).filter(|f| !f.is_empty()) {
                self.deliver(fresh, cx.meta, cx.place(fresh), ctx);
            }
            // Bytes the snapshot length cut off: a gap, already reported as truncation.
            let end_abs = start_abs + total;
            if end_abs > self.abs as i64 {
                let n = (end_abs - self.abs as i64) as u64;
                self.skip(n, cx.meta, true, ctx);
            }
        } else if len > 0 {
            let at = self.abs + rel as u64;
            let keep = self.ooo.get(&at).is_none_or(|p| p.data.len() < len);
            if keep {
                let old = self
                    .ooo
                    .insert(
                        at,
                        Pending {
                            data: seg.data.to_vec(),
                            meta: cx.meta,
                            at: cx.place(seg.data),
                        },
                    )
                    .map_or(0, |p| p.data.len());
                self.ooo_bytes = self.ooo_bytes + len - old;
            }
        }
        self.drain(ctx);
        if self.ooo.is_empty() {
            self.hole_pkt = 0;
            self.hole_ms = None;
        } else if self.hole_pkt == 0 {
            self.hole_pkt = cx.pkt_no;
            self.hole_ms = cx.now();
        }
        self.maybe_end(ctx);
    }

    /// `at`: where `data` is in the capture file.
    fn deliver(&mut self, data: &[u8], meta: Meta, at: Option<u64>, ctx: &mut Ctx<'_>) {
        self.s.push(data, self.abs, meta, at, ctx);
        self.abs += data.len() as u64;
        self.next = self.next.wrapping_add(data.len() as u32);
    }

    /// Skip `n` bytes that are not in the capture.
    fn skip(&mut self, n: u64, meta: Meta, quiet: bool, ctx: &mut Ctx<'_>) {
        self.s.gap(n, meta, quiet, ctx);
        self.abs += n;
        self.next = self.next.wrapping_add(n as u32);
    }

    /// Deliver the waiting segments that have become in order.
    fn drain(&mut self, ctx: &mut Ctx<'_>) {
        while let Some(entry) = self.ooo.first_entry() {
            let start = *entry.key();
            if start > self.abs {
                break;
            }
            let p = entry.remove();
            self.ooo_bytes = self.ooo_bytes.saturating_sub(p.data.len());
            let skip = (self.abs - start) as usize;
            if let Some(fresh) = p.data.get(skip..).filter(|f| !f.is_empty()) {
                self.deliver(fresh, p.meta, p.at.map(|a| a + skip as u64), ctx);
            }
        }
    }

    /// Give up the hole before the waiting segments when it cannot be filled any more (or `force`).
    fn check_hole(&mut self, cx: &Cx, force: bool, ctx: &mut Ctx<'_>) {
        if self.ooo.is_empty() || self.ended {
            return;
        }
        let old = cx.pkt_no.saturating_sub(self.hole_pkt) > HOLE_PACKETS
            || matches!((cx.now(), self.hole_ms), (Some(n), Some(h)) if n - h > HOLE_MS);
        let mut once = old;
        loop {
            let acked = self
                .peer_ack
                .is_some_and(|a| (a.wrapping_sub(self.next) as i32) > 0);
            let big = self.ooo_bytes > MAX_OOO_BYTES || self.ooo.len() > MAX_OOO_SEGMENTS;
            if !(force || acked || big || once) {
                break;
            }
            once = false;
            let Some((&at, p)) = self.ooo.first_key_value() else {
                break;
            };
            let meta = p.meta;
            let n = at.saturating_sub(self.abs);
            self.skip(n, meta, false, ctx);
            self.drain(ctx);
            if self.ooo.is_empty() {
                break;
            }
        }
        if self.ooo.is_empty() {
            self.hole_pkt = 0;
            self.hole_ms = None;
        } else {
            self.hole_pkt = cx.pkt_no;
            self.hole_ms = cx.now();
        }
        self.maybe_end(ctx);
    }

    fn maybe_end(&mut self, ctx: &mut Ctx<'_>) {
        if !self.ended && self.fin.is_some_and(|f| self.abs >= f) {
            self.ended = true;
            self.ooo.clear();
            self.ooo_bytes = 0;
            self.s.end(
                "the TCP connection closed before this message was complete",
                ctx,
            );
        }
    }

    /// The frame of the first byte ending the direction would give out: the message it holds, else the first
    /// segment waiting behind a hole.
    fn first_held(&self) -> Option<u32> {
        if self.ended {
            return None;
        }
        self.s
            .held_from()
            .or_else(|| self.ooo.first_key_value().map(|(_, p)| p.meta.frame))
    }

    /// The connection is over: fill holes as gaps, flush the stream.
    fn end_all(&mut self, cx: &Cx, why: &str, ctx: &mut Ctx<'_>) {
        if self.ended {
            return;
        }
        self.check_hole(cx, true, ctx);
        if !self.ended {
            self.ended = true;
            self.s.end(why, ctx);
        }
    }
}

mod stream;
mod tls;

pub use stream::is_tls_record;
use stream::{Mode, Stream};

#[cfg(test)]
mod tests;
