//! AudioCodes Mediant syslog, one syslog packet a line as a syslog server stores it.
//!
//! ```text
//! Mar  9 14:03:11 10.1.1.50  [S=481521] [SID=5f6a2b:18:2741] (N 1834201) ---- Incoming SIP Message from 10.1.1.21:5067 to SIPInterface #1 (SFB) TLS TO(#48) ---- #012OPTIONS sip:10.1.1.50:5067 SIP/2.0#012FROM: …#012 #012 [Time:09-03@14:03:11.402]
//! ```
//!
//! A packet is `[S=<sequence>]`, `[SID=…]` (a call's session) or `[BID=…]`, then log items each starting with
//! `(N <number>)`, then the device's `[Time:DD-MM@HH:MM:SS.mmm]`; the server wrote its line breaks as `#012`.
//! `---- Incoming SIP Message from <ip:port> to SIPInterface …` / `---- Outgoing SIP Message to <ip:port> from
//! SIPInterface …` introduce a message whose lines follow; the next item ends it. A packet may end with the
//! header of the next message, and a long message goes on in the next packet, even in the middle of a line: a
//! packet that starts with no item continues the one before. A gap in `[S=]` means packets were lost. Sources:
//! AudioCodes' user manuals ("Syslog Message Format"), the sipcapture paStash AudioCodes filter,
//! heplify.js_AudioCodesMediant, SIP-o-matic. The device's own end is the syslog line's host.

use super::{clock_time, digits, ends, envelope, meta, Clock, Escapes, Out, Product};
use crate::base::diag::Code;
use crate::import::lines::Line;
use crate::import::Direction;

#[derive(Debug, Default)]
pub(super) struct State {
    /// In a message (its text goes on in the next packet when the last line was cut).
    open: bool,
    /// The end of the last packet when it did not end a line.
    partial: Vec<u8>,
    /// The last packet's sequence number.
    last_seq: Option<u64>,
}

/// A packet: its sequence number, its device time `[Time:…]`, and the text between.
struct Packet<'a> {
    seq: Option<u64>,
    time: Option<super::MonthDayTime>,
    text: &'a [u8],
}

fn packet(message: &[u8]) -> Option<Packet<'_>> {
    let s = message.trim_ascii_start();
    let rest = s.strip_prefix(b"[S=")?;
    let close = memchr::memchr(b']', rest)?;
    let seq = std::str::from_utf8(&rest[..close])
        .ok()?
        .parse::<u64>()
        .ok();
    let mut rest = &rest[close + 1..];
    // `[SID=…]`, `[SID:…]`, `[BID=…]`.
    for tag in [&b"[SID"[..], b"[BID"] {
        let r = rest.trim_ascii_start();
        if r.starts_with(tag) {
            let close = memchr::memchr(b']', r)?;
            rest = &r[close + 1..];
        }
    }
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    // `… [Time:09-03@14:03:11.402]` at the end.
    let (text, time) = match memchr::memmem::rfind(rest, b"[Time:") {
        Some(i) if rest.trim_ascii_end().ends_with(b"]") => {
            let inner = rest[i + 6..].trim_ascii_end();
            let inner = &inner[..inner.len() - 1];
            let time = (|| {
                let (date, time) = inner.split_at(memchr::memchr(b'@', inner)?);
                let (d, mo) = (digits(date.get(0..2)?)?, digits(date.get(3..5)?)?);
                Some((mo, d, clock_time(&time[1..])?))
            })();
            let text = &rest[..i];
            (text.strip_suffix(b" ").unwrap_or(text), time)
        }
        _ => (rest, None),
    };
    Some(Packet { seq, time, text })
}

pub(super) fn sniff(line: &[u8]) -> Option<Product> {
    let e = envelope(line)?;
    let p = packet(e.message)?;
    let sip = memchr::memmem::find(p.text, b"---- Incoming SIP Message from ").is_some()
        || memchr::memmem::find(p.text, b"---- Outgoing SIP Message to ").is_some();
    (sip || p.time.is_some()).then_some(Product::AudioCodes)
}

/// An item's start: `(N 1834201) ` (or the older `(lgr_flow)(1967 ) `); the text after it.
fn item(line: &[u8]) -> Option<&[u8]> {
    let rest = line.strip_prefix(b"(")?;
    let close = memchr::memchr(b')', rest.get(..rest.len().min(40))?)?;
    let inner = &rest[..close];
    let n = inner
        .strip_prefix(b"N ")
        .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit));
    let lgr = inner.trim_ascii_start().starts_with(b"lgr");
    if !(n || lgr) {
        return None;
    }
    let mut after = &rest[close + 1..];
    // The older form's second number: `(1967 )`.
    if lgr && after.first() == Some(&b'(') {
        if let Some(c) = memchr::memchr(b')', after) {
            after = &after[c + 1..];
        }
    }
    Some(after.trim_ascii_start())
}

/// `---- Incoming SIP Message from <addr> to …` / `---- Outgoing SIP Message to <addr> from …`.
fn announcement(text: &[u8]) -> Option<(Direction, Option<String>)> {
    let (direction, rest) = if let Some(r) = text.strip_prefix(b"---- Incoming SIP Message from ") {
        (Direction::Received, r)
    } else {
        (
            Direction::Sent,
            text.strip_prefix(b"---- Outgoing SIP Message to ")?,
        )
    };
    let word = rest.split(|&b| b == b' ').next()?;
    Some((direction, super::address(std::str::from_utf8(word).ok()?)))
}

impl State {
    pub(super) fn line<'a>(
        &mut self,
        l: &Line<'a>,
        clock: &mut Clock,
        out: &mut Vec<Out<'a>>,
    ) -> bool {
        let Some(e) = envelope(l.text) else {
            return false;
        };
        let Some(p) = packet(e.message) else {
            // The device's syslog without a packet header, or another host's line.
            self.close(out);
            out.push(Out::Other);
            return true;
        };
        let time = match p.time {
            Some((mo, d, (h, mi, s, ms))) => {
                // The server's time gives the year when it has one.
                if let super::Stamp::Full(t) = e.stamp {
                    clock.full(t);
                }
                clock.month_day(mo, d, h, mi, s, ms)
            }
            None => e.stamp.on(clock),
        };
        let text = match Escapes::of(p.text) {
            Some(esc) => esc.undo(p.text),
            None => p.text.to_vec(),
        };
        let continues = item(&text).is_none();
        if continues && self.open {
            if let (Some(last), Some(seq)) = (self.last_seq, p.seq) {
                if seq != last + 1 {
                    out.push(Out::Problem(Code::TruncatedMessage, format!(
                        "syslog packets [S={}] to [S={}] are missing from the log: lines of this message may be lost",
                        last + 1,
                        seq.saturating_sub(1)
                    )));
                }
            }
        } else if !continues {
            // The last packet's cut line was whole after all.
            self.flush_partial(out);
        }
        self.last_seq = p.seq;
        let host = String::from_utf8_lossy(e.host).into_owned();
        let mut rest: &[u8] = &text;
        let mut first = true;
        loop {
            let (line, next, broken) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], Some(&rest[i + 1..]), true),
                None => (rest, None, false),
            };
            if first && continues && !self.partial.is_empty() {
                // The line the last packet cut goes on here.
                first = false;
                self.partial.extend_from_slice(line);
                if broken {
                    let mut text = std::mem::take(&mut self.partial);
                    let crlf = text.last() == Some(&b'\r');
                    if crlf {
                        text.pop();
                    }
                    out.push(Out::Rebuilt {
                        text,
                        crlf,
                        terminated: true,
                    });
                } else if self.partial.len() > super::super::MAX_BLOCK_BYTES {
                    self.too_long(out);
                }
                match next {
                    Some(n) => {
                        rest = n;
                        continue;
                    }
                    None => break,
                }
            }
            first = false;
            if let Some(after) = item(line) {
                self.close(out);
                if let Some((direction, far)) = announcement(after) {
                    let (src, dst) = ends(direction, far, Some(host.clone()));
                    let mut m = meta(l, direction, src, dst);
                    m.time = time;
                    out.push(Out::Begin(m));
                    self.open = true;
                } else {
                    out.push(Out::Other);
                }
            } else if self.open {
                if broken {
                    let (line, crlf) = match line.strip_suffix(b"\r") {
                        Some(x) => (x, true),
                        None => (line, false),
                    };
                    out.push(Out::Rebuilt {
                        text: line.to_vec(),
                        crlf,
                        terminated: true,
                    });
                } else if !line.is_empty() {
                    // Cut at the packet's end: the next packet may go on with it.
                    self.partial = line.to_vec();
                }
            }
            match next {
                Some(n) => rest = n,
                None => break,
            }
        }
        true
    }

    /// A line longer than a block may be, over packets that never end it: what was read is the message's, which
    /// ends there; the packets that go on with it are skipped.
    fn too_long(&mut self, out: &mut Vec<Out<'_>>) {
        self.flush_partial(out);
        out.push(Out::Problem(
            Code::EntryTooLarge,
            format!(
                "a line of this message runs on for more than {} MiB over the syslog packets; it was cut there",
                super::super::MAX_BLOCK_BYTES >> 20
            ),
        ));
        self.close(out);
    }

    /// A cut last line turned out whole.
    fn flush_partial(&mut self, out: &mut Vec<Out<'_>>) {
        if !self.partial.is_empty() {
            out.push(Out::Rebuilt {
                text: std::mem::take(&mut self.partial),
                crlf: false,
                terminated: false,
            });
        }
    }

    /// The open message ends (the next item begins, or a line that is no packet).
    fn close(&mut self, out: &mut Vec<Out<'_>>) {
        self.flush_partial(out);
        if std::mem::take(&mut self.open) {
            out.push(Out::End);
        }
    }

    pub(super) fn finish(&mut self, out: &mut Vec<Out<'_>>) {
        self.close(out);
    }
}
