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
//! at the next line that is a SIP start line.
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
    packets: u64,
    first_frame: u32,
    last_pkt: u64,
    last_ms: Option<i64>,
    /// Which side sent the SYN, or the TLS ClientHello.
    syn_from: Option<usize>,
    hello_from: Option<usize>,
    tls: bool,
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
                "TLS connection {c} ↔ {s} ({} packet{p}): encrypted, SIP inside can't be read. The client log (Lync-UccApi-0.UccApilog) holds the same SIP decrypted.",
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

    pub fn segment(
        &mut self,
        src: Ep,
        dst: Ep,
        seg: &Segment<'_>,
        cx: &Cx,
        report: &mut Report,
        sink: &mut Sink,
    ) {
        let (key, d) = if src <= dst {
            (Key { a: src, b: dst }, 0)
        } else {
            (Key { a: dst, b: src }, 1)
        };
        let opening = seg.flags & (SYN | ACK) == SYN;
        let fresh = match self.conns.get(&key) {
            None => {
                if seg.data.is_empty() && seg.missing == 0 && seg.flags & SYN == 0 {
                    return; // a bare ACK/FIN/RST of a connection never seen carrying data
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
                        packets: 0,
                        first_frame: cx.meta.frame,
                        last_pkt: cx.pkt_no,
                        last_ms: cx.now(),
                        syn_from: None,
                        hello_from: None,
                        tls: false,
                        ws: false,
                        deflate_reported: false,
                        closed: false,
                    },
                },
            );
        }
        let Some(conn) = self.conns.get_mut(&key) else {
            return;
        };
        let Conn { ep, half, info } = conn;
        info.packets += 1;
        info.last_pkt = cx.pkt_no;
        if cx.now().is_some() {
            info.last_ms = cx.now();
        }
        if info.closed {
            return; // a late retransmission after the end
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
        if self.s.ignored() {
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

/// What a direction's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mode {
    /// Not decided yet.
    #[default]
    Unknown,
    Sip,
    /// Looking for a SIP start line at a line start (after a gap, junk, or a mid-stream start), for at most
    /// `budget` bytes.
    Hunt {
        budget: usize,
    },
    /// WebSocket frames.
    Ws,
    /// A gap broke the WebSocket framing: waiting for a segment that starts with a frame carrying SIP.
    WsLost,
    Tls,
    /// Not SIP: skipped.
    Other,
}

/// Why a stream is hunting for a start line: decides what is said about the skipped bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum HuntReason {
    #[default]
    Junk,
    Gap,
    MidStream,
}

#[derive(Debug, Default)]
struct WsMessage {
    data: Vec<u8>,
    meta: Option<Meta>,
    active: bool,
    deflate: bool,
}

/// A direction's byte stream, after reassembly.
#[derive(Debug, Default)]
struct Stream {
    mode: Mode,
    /// The stream was seen from its SYN: its first byte is the first byte sent.
    syn: bool,
    buf: Vec<u8>,
    /// Bytes of `buf` already used.
    head: usize,
    /// Stream offset of `buf[0]`.
    buf_abs: u64,
    /// Where each segment's bytes start (stream offset), for the records' place in the capture.
    metas: VecDeque<(u64, Meta)>,
    /// Where the bytes of `buf` are in the capture file: from each stream offset listed to the next (or to the
    /// end of `buf`), from this file offset on (`None`: not the file's bytes).
    places: VecDeque<(u64, Option<u64>)>,
    /// Where to go on looking for the blank line that ends the header section (from `head`).
    scan_from: usize,
    /// A message whose header section was read: its length and the framing problems found.
    need: Option<(usize, Vec<Problem>)>,
    /// `buf[head]` is at the start of a line (hunting).
    at_line_start: bool,
    hunt_reason: HuntReason,
    skipped: usize,
    ws: WsMessage,
    headers: Vec<Header>,
}

fn meta_at(metas: &VecDeque<(u64, Meta)>, abs: u64) -> Option<Meta> {
    metas
        .iter()
        .rev()
        .find(|(a, _)| *a <= abs)
        .or(metas.front())
        .map(|(_, m)| *m)
}

/// The offset just past the blank line that ends a header section, searching from `from`.
fn blank_line_end(d: &[u8], from: usize) -> Option<usize> {
    let rest = d.get(from..)?;
    memchr::memchr_iter(b'\n', rest).find_map(|i| match rest.get(i + 1) {
        Some(b'\n') => Some(from + i + 2),
        Some(b'\r') if rest.get(i + 2) == Some(&b'\n') => Some(from + i + 3),
        _ => None,
    })
}

/// Whether the start of a stream looks like binary data rather than text.
fn looks_binary(d: &[u8]) -> bool {
    let sample = d.get(..d.len().min(256)).unwrap_or(d);
    let odd = sample
        .iter()
        .filter(|&&b| b == 0 || b == 0x7F || (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')))
        .count();
    sample.contains(&0) || odd * 20 > sample.len()
}

fn is_tls_record(d: &[u8]) -> bool {
    matches!(d, [0x14..=0x17, 3, 0..=4, ..])
}

impl Stream {
    fn ignored(&self) -> bool {
        matches!(self.mode, Mode::Tls | Mode::Other)
    }

    fn set_ignored(&mut self, mode: Mode) {
        if self.mode != mode {
            self.mode = mode;
            self.discard();
        }
    }

    fn discard(&mut self) {
        self.buf = Vec::new();
        self.head = 0;
        self.metas.clear();
        self.places.clear();
        self.need = None;
        self.scan_from = 0;
        self.ws = WsMessage::default();
    }

    fn pending(&self) -> &[u8] {
        self.buf.get(self.head..).unwrap_or(&[])
    }

    fn push(&mut self, data: &[u8], abs: u64, meta: Meta, at: Option<u64>, ctx: &mut Ctx<'_>) {
        match self.mode {
            Mode::Tls | Mode::Other => return,
            Mode::WsLost => {
                if ws::frame_carries_sip(data) == Some(true) {
                    self.mode = Mode::Ws;
                    self.discard();
                } else {
                    return;
                }
            }
            _ => {}
        }
        if self.head >= self.buf.len() || self.buf_abs + self.buf.len() as u64 != abs {
            self.buf.clear();
            self.head = 0;
            self.buf_abs = abs;
            self.metas.clear();
            self.places.clear();
            self.scan_from = 0;
            self.need = None;
        }
        if self.metas.back().is_none_or(|(_, m)| *m != meta) {
            self.metas.push_back((abs, meta));
        }
        // A stretch that goes on where the last one ended in the file is the same stretch.
        let goes_on = self
            .places
            .back()
            .is_some_and(|&(a, p)| matches!((p, at), (Some(p), Some(at)) if p + (abs - a) == at));
        if !goes_on {
            self.places.push_back((abs, at));
        }
        self.buf.extend_from_slice(data);
        self.run(ctx);
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        loop {
            let progress = match self.mode {
                Mode::Unknown => self.classify(ctx),
                Mode::Sip => self.sip(ctx),
                Mode::Hunt { .. } => self.hunt(ctx),
                Mode::Ws => self.websocket(ctx),
                Mode::WsLost | Mode::Tls | Mode::Other => {
                    self.discard();
                    false
                }
            };
            if !progress {
                break;
            }
        }
        self.compact();
    }

    /// Drop the used bytes and the segment places no longer needed.
    fn compact(&mut self) {
        if self.head == 0 {
            return;
        }
        let head = self.head.min(self.buf.len());
        if head == self.buf.len() {
            self.buf.clear();
        } else {
            self.buf.drain(..head);
        }
        self.buf_abs += head as u64;
        self.head = 0;
        if self.buf.is_empty() {
            self.metas.clear();
            self.places.clear();
        } else {
            while self.metas.len() > 1 && self.metas.get(1).is_some_and(|m| m.0 <= self.buf_abs) {
                self.metas.pop_front();
            }
            while self.places.len() > 1 && self.places.get(1).is_some_and(|p| p.0 <= self.buf_abs) {
                self.places.pop_front();
            }
        }
    }

    fn classify(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let d = self.pending();
        let blank = d.iter().take_while(|&&b| is_ws(b)).count();
        if blank > 0 {
            self.head += blank;
            return true;
        }
        if d.len() < 3 {
            return false;
        }
        if is_tls_record(d) {
            ctx.info.tls = true;
            if d.first() == Some(&0x16) && d.get(5) == Some(&1) && ctx.info.hello_from.is_none() {
                ctx.info.hello_from = Some(ctx.d);
            }
            self.set_ignored(Mode::Tls);
            return false;
        }
        if matches!(d.first(), Some(0x81 | 0x82 | 0x01 | 0x02)) {
            match ws::frame_carries_sip(d) {
                Some(true) => {
                    ctx.info.ws = true;
                    self.mode = Mode::Ws;
                    return true;
                }
                None if d.len() < 1024 => return false,
                _ => {}
            }
        }
        if ws::looks_like_http(d) {
            match ws::http_head(d) {
                Some((n, upgrade)) => {
                    if upgrade || (ctx.info.ws && d.starts_with(b"HTTP/1.1 101")) {
                        ctx.info.ws = true;
                        self.head += n;
                        self.mode = Mode::Ws;
                        return true;
                    }
                    self.set_ignored(Mode::Other);
                    return false;
                }
                None if d.len() < MAX_HEAD => return false,
                None => {
                    self.set_ignored(Mode::Other);
                    return false;
                }
            }
        }
        let window = d.get(..d.len().min(MAX_LINE)).unwrap_or(d);
        match memchr::memchr(b'\n', window) {
            Some(i) if parser::is_start_line(window.get(..i).unwrap_or(&[])) => {
                self.mode = Mode::Sip;
                return true;
            }
            Some(_) => {}
            None if d.len() < MAX_LINE => return false,
            None => {}
        }
        if self.syn || looks_binary(d) {
            self.set_ignored(Mode::Other);
            return false;
        }
        // Joined in the middle of a text stream: look for a message start.
        self.mode = Mode::Hunt {
            budget: HUNT_BUDGET,
        };
        self.hunt_reason = HuntReason::MidStream;
        self.at_line_start = false;
        self.skipped = 0;
        true
    }

    fn hunt(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let Mode::Hunt { budget } = self.mode else {
            return false;
        };
        let d = self.buf.get(self.head..).unwrap_or(&[]);
        let mut p = 0;
        if !self.at_line_start {
            match memchr::memchr(b'\n', d) {
                Some(i) => p = i + 1,
                None => p = d.len(),
            }
            self.at_line_start = p < d.len() || d.last() == Some(&b'\n');
        }
        let mut found = false;
        if self.at_line_start {
            loop {
                let rest = d.get(p..).unwrap_or(&[]);
                match memchr::memchr(b'\n', rest) {
                    Some(i) => {
                        if parser::is_start_line(rest.get(..i).unwrap_or(&[])) {
                            found = true;
                            break;
                        }
                        p += i + 1;
                    }
                    None => {
                        if rest.len() > MAX_LINE {
                            p = d.len();
                            self.at_line_start = false;
                        }
                        break;
                    }
                }
            }
        }
        self.head += p;
        self.skipped += p;
        if found {
            if self.hunt_reason == HuntReason::MidStream && self.skipped > 0 {
                ctx.report.note(
                    Kind::TcpMidStream,
                    meta_at(&self.metas, self.buf_abs).map_or(0, |m| m.frame),
                );
            }
            self.mode = Mode::Sip;
            return true;
        }
        if self.skipped > budget {
            self.set_ignored(Mode::Other);
        }
        false
    }

    fn sip(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let d = self.buf.get(self.head..).unwrap_or(&[]);
        if let Some((end, _)) = &self.need {
            let end = *end;
            if d.len() < end {
                return false;
            }
            let (_, problems) = self.need.take().unwrap_or_default();
            self.emit(end, &problems, ctx);
            return true;
        }
        let blank = d.iter().take_while(|&&b| is_ws(b)).count();
        if blank > 0 {
            // CRLF keep-alives between messages.
            self.head += blank;
            self.scan_from = 0;
            return true;
        }
        if d.is_empty() {
            return false;
        }
        let window = d.get(..d.len().min(MAX_LINE)).unwrap_or(d);
        let Some(nl) = memchr::memchr(b'\n', window) else {
            if d.len() >= MAX_LINE {
                self.start_hunt(HuntReason::Junk, false);
                return true;
            }
            return false;
        };
        if !parser::is_start_line(window.get(..nl).unwrap_or(&[])) {
            self.start_hunt(HuntReason::Junk, true);
            return true;
        }
        let Some(body_hint) = blank_line_end(d, self.scan_from.max(nl)) else {
            if d.len() > MAX_HEAD {
                // No end of the header section in sight: show what there is and look for the next message.
                let n = d.len();
                self.emit(
                    n,
                    &[Problem::new(
                        Code::EntryTooLarge,
                        "the header section does not end within 256 KiB on the TCP stream",
                    )],
                    ctx,
                );
                self.start_hunt(HuntReason::Junk, false);
                return true;
            }
            self.scan_from = d.len().saturating_sub(2).max(nl);
            return false;
        };
        let head = d.get(..body_hint).unwrap_or(d);
        self.headers.clear();
        let mut scratch = Vec::new();
        let body_start = match scan_head(head, nl + 1, 2, &mut self.headers, &mut scratch) {
            HeadEnd::Blank { body } | HeadEnd::Body { body } => body,
            HeadEnd::StartLine { at } => {
                self.emit(at, &[], ctx);
                return true;
            }
            HeadEnd::Eof { .. } => body_hint,
        };
        let mut problems = Vec::new();
        let body = match content_length(head, &self.headers) {
            ContentLength::One(n) if n <= MAX_BODY => n,
            ContentLength::One(n) => {
                problems.push(Problem::new(
                    Code::ContentLengthMismatch,
                    format!(
                        "Content-Length {n} is too large for a message on a TCP stream; the body is taken as empty"
                    ),
                ));
                0
            }
            ContentLength::Many(values) => {
                // The parser reports the disagreement; framing can still follow values that agree.
                let first = values.first().and_then(|v| v.parse::<usize>().ok());
                match first {
                    Some(n) if n <= MAX_BODY && values.iter().all(|v| v.parse() == Ok(n)) => n,
                    _ => 0,
                }
            }
            // Absent or not a number: no body (RFC 3261 §18.3: a stream message without one has none).
            _ => 0,
        };
        let end = body_start + body;
        self.scan_from = 0;
        if d.len() < end {
            self.need = Some((end, problems));
            return false;
        }
        self.emit(end, &problems, ctx);
        true
    }

    fn start_hunt(&mut self, reason: HuntReason, at_line_start: bool) {
        self.mode = Mode::Hunt { budget: usize::MAX };
        self.hunt_reason = reason;
        self.at_line_start = at_line_start;
        self.skipped = 0;
        self.scan_from = 0;
        self.need = None;
    }

    /// Emit the `len` bytes at `head` as a message and move past them.
    /// Where stream bytes `from .. from + len` (all in `buf`) are in the capture file: the payloads of the
    /// segments that carried them, in order.
    fn place(&self, from: u64, len: usize) -> Option<InFile> {
        let end = self.buf_abs + self.buf.len() as u64;
        let pieces = self.places.iter().enumerate().map(|(i, &(a, at))| {
            let b = self.places.get(i + 1).map_or(end, |p| p.0);
            (at, a, b)
        });
        // Every stretch the message touches must be the file's bytes.
        let mut stretches = Vec::new();
        for (at, a, b) in pieces {
            if b <= from || a >= from + len as u64 {
                continue;
            }
            stretches.push((at?, (b - a) as u32));
        }
        // The first stretch touched starts this far before the message.
        let skip = from - self.places.iter().take_while(|p| p.0 <= from).last()?.0;
        InFile::from_pieces(stretches, skip, len as u64)
    }

    fn emit(&mut self, len: usize, problems: &[Problem], ctx: &mut Ctx<'_>) {
        let d = self.buf.get(self.head..).unwrap_or(&[]);
        let msg = d.get(..len.min(d.len())).unwrap_or(d);
        let junk_problem;
        let extra = if self.skipped > 0 && self.hunt_reason == HuntReason::Junk {
            let mut all = vec![Problem::new(
                Code::SkippedText,
                format!(
                    "{} bytes of the TCP stream before this message are not SIP and were skipped",
                    self.skipped
                ),
            )];
            all.extend_from_slice(problems);
            junk_problem = all;
            junk_problem.as_slice()
        } else {
            problems
        };
        let from = self.buf_abs + self.head as u64;
        if let Some(meta) = meta_at(&self.metas, from) {
            let place = self.place(from, msg.len());
            emit_block(msg, place, &ctx.src, &ctx.dst, &meta, extra, ctx.sink);
        }
        self.skipped = 0;
        self.head += msg.len();
        self.scan_from = 0;
    }

    fn websocket(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let d = self.buf.get(self.head..).unwrap_or(&[]);
        let frame = meta_at(&self.metas, self.buf_abs + self.head as u64);
        let h = match ws::header(d) {
            Ok(Some(h)) => h,
            Ok(None) => return false,
            Err(()) => {
                ctx.report
                    .note(Kind::BadWebSocket, frame.map_or(0, |m| m.frame));
                self.set_ignored(Mode::Other);
                return false;
            }
        };
        let Some(total) = usize::try_from(h.payload)
            .ok()
            .filter(|&n| n <= MAX_WS_MESSAGE)
            .map(|n| n + h.len)
        else {
            ctx.report
                .note(Kind::BadWebSocket, frame.map_or(0, |m| m.frame));
            self.set_ignored(Mode::Other);
            return false;
        };
        let Some(payload) = d.get(h.len..total) else {
            return false;
        };
        let m = &mut self.ws;
        let mut complete = false;
        match h.opcode {
            ws::OP_TEXT | ws::OP_BINARY => {
                m.data.clear();
                m.active = true;
                m.deflate = h.rsv1;
                m.meta = frame;
                ws::unmask_into(payload, h.mask, 0, &mut m.data);
                complete = h.fin;
            }
            ws::OP_CONTINUATION if m.active => {
                if m.data.len() + payload.len() > MAX_WS_MESSAGE {
                    m.active = false;
                    m.data.clear();
                } else {
                    ws::unmask_into(payload, h.mask, 0, &mut m.data);
                    complete = h.fin;
                }
            }
            ws::OP_CLOSE => {
                self.head += total;
                self.set_ignored(Mode::Other);
                return false;
            }
            // Pings, pongs, and continuations of a message whose start was not seen.
            ws::OP_PING | ws::OP_PONG | ws::OP_CONTINUATION => {}
            _ => {}
        }
        self.head += total;
        if complete {
            m.active = false;
            if m.deflate {
                if !ctx.info.deflate_reported {
                    ctx.info.deflate_reported = true;
                    ctx.sink.diagnostics.push(
                        Diagnostic::warning(Code::WebsocketCompressed, format!(
                            "WebSocket connection {} ↔ {} compresses its messages (permessage-deflate): SIP inside can't be read.",
                            ctx.src, ctx.dst
                        ))
                        .at(ctx.file, m.meta.map_or(0, |x| x.frame)),
                    );
                }
            } else if super::starts_with_sip(&m.data) {
                if let Some(meta) = m.meta {
                    // A WebSocket payload is unmasked: not the file's bytes.
                    emit_block(&m.data, None, &ctx.src, &ctx.dst, &meta, &[], ctx.sink);
                }
            }
            m.data.clear();
        }
        true
    }

    /// `n` bytes of the stream are not in the capture. `quiet`: already reported (snapshot length).
    fn gap(&mut self, n: u64, next: Meta, quiet: bool, ctx: &mut Ctx<'_>) {
        match self.mode {
            Mode::Tls | Mode::Other | Mode::WsLost => {}
            Mode::Unknown => {
                // Not classified yet: what follows is classified afresh, as a stream joined in the middle.
                self.discard();
                self.buf.clear();
                self.syn = false;
            }
            Mode::Hunt { .. } => {
                self.discard();
                self.at_line_start = true;
            }
            Mode::Sip => {
                let note = self.flush_cut(n, ctx);
                self.discard();
                self.start_hunt(HuntReason::Gap, true);
                if !quiet {
                    self.gap_diag(n, next, note.as_deref(), ctx);
                }
            }
            Mode::Ws => {
                let cut = self.ws.active || !self.pending().is_empty();
                let note = cut.then_some(", inside a WebSocket message (dropped)");
                self.discard();
                self.mode = Mode::WsLost;
                if !quiet {
                    self.gap_diag(n, next, note, ctx);
                }
            }
        }
    }

    /// Handle the message a gap cut: shown with a problem when its header section is complete, dropped
    /// otherwise. Returns what the gap diagnostic should say about it.
    fn flush_cut(&mut self, n: u64, ctx: &mut Ctx<'_>) -> Option<String> {
        let d = self.pending();
        let lead = d.iter().take_while(|&&b| is_ws(b)).count();
        let rest = d.get(lead..).unwrap_or(&[]);
        if rest.is_empty() {
            return None;
        }
        let len = rest.len();
        let complete_head = memchr::memchr(b'\n', rest).is_some_and(|nl| {
            parser::is_start_line(rest.get(..nl).unwrap_or(&[]))
                && blank_line_end(rest, nl).is_some()
        });
        if !complete_head {
            return Some(format!(
                ", inside a message whose header section is incomplete ({len} bytes, dropped)"
            ));
        }
        self.head += lead;
        let s = if n == 1 { "" } else { "s" };
        let mut problems = vec![Problem::new(
            Code::TruncatedMessage,
            format!(
                "{n} byte{s} of the TCP stream after this point are missing from the capture: this message is incomplete"
            ),
        )];
        if let Some((_, p)) = self.need.take() {
            problems.extend(p);
        }
        self.emit(len, &problems, ctx);
        Some(", inside a message (shown, marked incomplete)".to_string())
    }

    fn gap_diag(&mut self, n: u64, next: Meta, note: Option<&str>, ctx: &mut Ctx<'_>) {
        if *ctx.gaps_listed >= LIST_GAPS {
            ctx.report.note(Kind::TcpGapMore, next.frame);
            return;
        }
        *ctx.gaps_listed += 1;
        let s = if n == 1 { "" } else { "s" };
        let resume = if self.mode == Mode::WsLost {
            "the next WebSocket frame that carries SIP"
        } else {
            "the next SIP start line"
        };
        ctx.sink.diagnostics.push(
            Diagnostic::warning(Code::CaptureGap, format!(
                "TCP stream {} → {}: {n} byte{s} are missing from the capture before frame {}{}; reading resumes at {resume}.",
                ctx.src,
                ctx.dst,
                next.frame,
                note.unwrap_or("")
            ))
            .at(ctx.file, next.frame),
        );
    }

    /// The stream is over: flush the message in progress (shown with `why` when its start line is complete).
    fn end(&mut self, why: &str, ctx: &mut Ctx<'_>) {
        if self.mode == Mode::Sip {
            let d = self.pending();
            let lead = d.iter().take_while(|&&b| is_ws(b)).count();
            let rest = d.get(lead..).unwrap_or(&[]);
            let has_start = memchr::memchr(b'\n', rest)
                .is_some_and(|nl| parser::is_start_line(rest.get(..nl).unwrap_or(&[])));
            let n = rest.len();
            if has_start {
                self.head += lead;
                let mut problems = vec![Problem::new(Code::TruncatedMessage, why)];
                if let Some((_, p)) = self.need.take() {
                    problems.extend(p);
                }
                self.emit(n, &problems, ctx);
            }
        }
        self.discard();
        self.mode = Mode::Other;
    }
}

#[cfg(test)]
mod tests;
