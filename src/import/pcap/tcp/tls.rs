//! A TLS connection's record layer, followed through one direction's reassembled byte stream: each record
//! header (content type, version, length) is read and the record skipped, nothing is kept; application-data
//! records go to the sink ([`crate::import::tls`]) so the store can match them to a client log's messages.
//!
//! A gap that takes a header with it loses the walk; it resumes at the next segment that starts with a record
//! header (senders write each record from a segment's start, nearly always).

use super::*;
use crate::import::tls::{TlsConn, TlsRecord};

/// Longest record payload a TLS 1.2 peer may send (2^14 + 2048, RFC 5246 §6.2.3); TLS 1.3's is shorter.
const MAX_RECORD: u16 = (1 << 14) + 2048;
/// Content type of application data.
const APPLICATION_DATA: u8 = 23;

/// Whether `d` starts with a record header the walk can follow: content type 20–24 (change cipher spec, alert,
/// handshake, application data, heartbeat), version 3.0–3.4, a length a peer may send.
fn header(d: &[u8]) -> Option<(u8, u16)> {
    match *d {
        [ty @ 20..=24, 3, 0..=4, hi, lo, ..] => {
            let len = u16::from_be_bytes([hi, lo]);
            (len <= MAX_RECORD).then_some((ty, len))
        }
        _ => None,
    }
}

/// Where the walk is in one direction's stream.
#[derive(Debug, Default)]
pub(super) struct Walk {
    /// Stream offset of the next record header; `None` before the first one or after a gap took one.
    next: Option<u64>,
    /// Stream offset just past the bytes seen so far.
    end: u64,
    /// A header split over segments: its bytes so far, and the segment where it began.
    hdr: [u8; 5],
    have: usize,
    hdr_meta: Option<Meta>,
}

impl Walk {
    /// The bytes at stream offset `abs`, from the segment `meta` describes.
    pub(super) fn push(&mut self, data: &[u8], abs: u64, meta: Meta, ctx: &mut Ctx<'_>) {
        if abs != self.end && (self.have > 0 || self.next.is_some_and(|n| n < abs)) {
            // Bytes missing from the capture took a header with them.
            self.next = None;
            self.have = 0;
        }
        self.end = abs + data.len() as u64;
        if self.next.is_none() {
            if header(data).is_none() {
                return;
            }
            self.next = Some(abs);
        }
        while let Some(n) = self.next {
            let pos = n + self.have as u64;
            if pos >= self.end || pos < abs {
                return;
            }
            let i = (pos - abs) as usize;
            if self.have == 0 {
                self.hdr_meta = Some(meta);
            }
            let take = (5 - self.have).min(data.len() - i);
            self.hdr[self.have..self.have + take].copy_from_slice(&data[i..i + take]);
            self.have += take;
            if self.have < 5 {
                return;
            }
            self.have = 0;
            let Some((ty, len)) = header(&self.hdr) else {
                self.next = None;
                return;
            };
            if ty == APPLICATION_DATA {
                emit(len, self.hdr_meta.unwrap_or(meta), ctx);
            }
            self.next = Some(n + 5 + u64::from(len));
        }
    }
}

/// The side that opened the connection: the SYN's sender, else the ClientHello's, else the higher port.
pub(super) fn client_side(ctx: &Ctx<'_>) -> usize {
    ctx.info
        .syn_from
        .or(ctx.info.hello_from)
        .unwrap_or(if ctx.src.port >= ctx.dst.port {
            ctx.d
        } else {
            1 - ctx.d
        })
}

fn emit(len: u16, meta: Meta, ctx: &mut Ctx<'_>) {
    let client = client_side(ctx);
    if !ctx.info.tls_listed {
        ctx.info.tls_listed = true;
        let (c, s) = if client == ctx.d {
            (ctx.src, ctx.dst)
        } else {
            (ctx.dst, ctx.src)
        };
        ctx.sink.tls.conns.push(TlsConn {
            file: ctx.file,
            conn: ctx.info.id,
            client: c.to_string(),
            server: s.to_string(),
            first_frame: meta.frame,
        });
    }
    ctx.sink.tls.records.push(TlsRecord {
        file: ctx.file,
        conn: ctx.info.id,
        from_client: client == ctx.d,
        time: meta.time,
        len: u32::from(len),
        frame: meta.frame,
    });
}
