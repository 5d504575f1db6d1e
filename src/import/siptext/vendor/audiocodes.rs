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

use super::{clock_time, digits, ends, envelope, meta, Clock, Out, Product};
use crate::base::diag::Code;
use crate::import::lines::Line;
use crate::import::Direction;

#[derive(Debug, Default)]
pub(super) struct State {
    /// In a message (its text goes on in the next packet when the last line was cut).
    open: bool,
    /// The end of the last packet when it did not end a line, and where it is in the file.
    partial: Vec<u8>,
    partial_from: Vec<super::Piece>,
    /// The last packet's sequence number.
    last_seq: Option<u64>,
}

/// A packet: its severity when the line writes it, its sequence number, its session or board (`SID=…`,
/// `BID=…`), its device time `[Time:…]`, and the text between.
struct Packet<'a> {
    level: Option<&'a [u8]>,
    seq: Option<u64>,
    session: &'a [u8],
    time: Option<super::MonthDayTime>,
    text: &'a [u8],
}

/// The syslog severities a line may write before `[S=` (`WARNING: [S=9399] [BID=2ed1c8:96] invalid Physical
/// index`, as AudioCodes' manuals show a packet).
const SEVERITIES: [&[u8]; 8] = [
    b"EMERGENCY",
    b"ALERT",
    b"CRITICAL",
    b"ERROR",
    b"WARNING",
    b"NOTICE",
    b"INFO",
    b"DEBUG",
];

fn packet(message: &[u8]) -> Option<Packet<'_>> {
    let mut s = message.trim_ascii_start();
    let mut level = None;
    if let Some(c) = memchr::memchr(b':', &s[..s.len().min(12)]) {
        if SEVERITIES.iter().any(|w| s[..c].eq_ignore_ascii_case(w)) {
            level = Some(&s[..c]);
            s = s[c + 1..].trim_ascii_start();
        }
    }
    let rest = s.strip_prefix(b"[S=")?;
    let close = memchr::memchr(b']', rest)?;
    let seq = std::str::from_utf8(&rest[..close])
        .ok()?
        .parse::<u64>()
        .ok();
    let mut rest = &rest[close + 1..];
    let mut session: &[u8] = b"";
    // `[SID=…]`, `[SID:…]`, `[BID=…]`.
    for tag in [&b"[SID"[..], b"[BID"] {
        let r = rest.trim_ascii_start();
        if r.starts_with(tag) {
            let close = memchr::memchr(b']', r)?;
            session = &r[1..close];
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
    Some(Packet {
        level,
        seq,
        session,
        time,
        text,
    })
}

/// A line's text for people: the packet's text (its severity, sequence, session and time are shown apart).
pub(super) fn text(line: &[u8]) -> Option<&[u8]> {
    packet(envelope(line)?.message).map(|p| p.text.trim_ascii())
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
            let time = e.stamp.on(clock);
            out.push(Out::Log(super::LogLine {
                time,
                level: super::level(e.program),
                thread: e.program.to_vec(),
            }));
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
        let mapped = super::Mapped::of(l, p.text);
        let text = &mapped.text;
        let continues = item(text).is_none();
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
        let mut at = 0;
        let mut first = true;
        // The line carries a message's text or announces one (else it is a log line).
        let mut sip = continues && self.open;
        loop {
            let (end, broken) = match memchr::memchr(b'\n', &text[at..]) {
                Some(i) => (at + i, true),
                None => (text.len(), false),
            };
            let line = &text[at..end];
            let next = broken.then_some(end + 1);
            if first && continues && !self.partial.is_empty() {
                // The line the last packet cut goes on here.
                first = false;
                self.partial.extend_from_slice(line);
                let cr = broken && line.last() == Some(&b'\r');
                self.partial_from
                    .push(mapped.piece(at, if cr { end - 1 } else { end }));
                if broken {
                    let mut text = std::mem::take(&mut self.partial);
                    if cr {
                        text.pop();
                    }
                    out.push(Out::Rebuilt {
                        text,
                        crlf: cr,
                        terminated: true,
                        from: std::mem::take(&mut self.partial_from),
                    });
                } else if self.partial.len() > super::super::MAX_BLOCK_BYTES {
                    self.too_long(out);
                }
                match next {
                    Some(n) => {
                        at = n;
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
                    sip = true;
                }
            } else if self.open {
                if broken {
                    let (stop, crlf) = match line.strip_suffix(b"\r") {
                        Some(_) => (end - 1, true),
                        None => (end, false),
                    };
                    out.push(Out::Rebuilt {
                        text: text[at..stop].to_vec(),
                        crlf,
                        terminated: true,
                        from: vec![mapped.piece(at, stop)],
                    });
                } else if !line.is_empty() {
                    // Cut at the packet's end: the next packet may go on with it.
                    self.partial = line.to_vec();
                    self.partial_from = vec![mapped.piece(at, end)];
                }
            }
            match next {
                Some(n) => at = n,
                None => break,
            }
        }
        if !sip {
            self.close(out);
            out.push(Out::Log(super::LogLine {
                time,
                // The severity before `[S=`, which the envelope may have taken for a program (`WARNING:`).
                level: p
                    .level
                    .or_else(|| {
                        SEVERITIES
                            .iter()
                            .any(|w| e.program.eq_ignore_ascii_case(w))
                            .then_some(e.program)
                    })
                    .map_or(crate::import::trace::Level::Info, super::level),
                thread: p.session.to_vec(),
            }));
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
                from: std::mem::take(&mut self.partial_from),
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
