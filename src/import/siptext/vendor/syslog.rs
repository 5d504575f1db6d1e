//! Whole SIP messages on syslog lines, their line breaks escaped: Kamailio's and OpenSIPS' `xlog` of `$mb`.
//!
//! ```text
//! Jun 22 10:15:03 kam-sbc01 /usr/sbin/kamailio[2215]: INFO: <script>: RECV OPTIONS from tls:10.1.1.21:5067 to 10.1.1.70:5067#012OPTIONS sip:10.1.1.70:5067 SIP/2.0#015#012FROM: …#015#012#015#012
//! 2021-04-14T16:42:07.412853+02:00 sbc-edge01 kamailio[1188]: INFO: <script>: in INVITE from 198.51.100.20:5060 to 203.0.113.40:5060: INVITE sip:… SIP/2.0\r\nVia: …\r\n\r\nv=0\r\n…
//! ```
//!
//! rsyslog writes control characters as `#` and three octal digits (`$EscapeControlCharactersOnReceive`,
//! `$ControlCharacterEscapePrefix`: `#015#012` for CRLF); Kamailio's `{s.escape.common}` transformation writes
//! `\r`, `\n`, `\"`, `\\`. The message starts at its start line; the text before it is the script's own words,
//! read for a direction verb and `from ADDR` / `to ADDR` ([`super::words`]); the side it leaves out is the
//! syslog line's host. The time is the syslog line's (BSD syslog has no year, see [`super::Clock`]). A line is
//! one message, so it ends with its line; one cut short is reported by the framer (Content-Length).

use super::{envelope, meta, rebuilt_lines, start_in, words, Clock, Escapes, Out, Product};
use crate::import::lines::Line;

/// A syslog line holding a message: its envelope, the text with escapes undone, where the start line is.
struct Found<'a> {
    envelope: super::Envelope<'a>,
    text: Vec<u8>,
    start: usize,
}

fn found(line: &[u8]) -> Option<Found<'_>> {
    memchr::memmem::find(line, b"SIP/2.0")?;
    let e = envelope(line)?;
    let esc = Escapes::of(e.message)?;
    let text = esc.undo(e.message);
    let start = start_of(&text)?;
    Some(Found {
        envelope: e,
        text,
        start,
    })
}

/// Where the start line is in a message's text with its escapes undone: at the start of a line, or after the
/// script's words on the first one.
fn start_of(text: &[u8]) -> Option<usize> {
    let mut at = 0;
    loop {
        let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i);
        if let Some(s) = start_in(&text[at..end]) {
            return Some(at + s);
        }
        if end >= text.len() {
            return None;
        }
        at = end + 1;
    }
}

pub(super) fn sniff(line: &[u8]) -> Option<Product> {
    let f = found(line)?;
    Some(match f.envelope.program {
        b"kamailio" | b"opensips" | b"ser" | b"openser" => Product::Kamailio,
        _ => Product::Syslog,
    })
}

/// A syslog message's level, as Kamailio, OpenSIPS and rtpengine write it first (`ERROR: <core> …`,
/// `WARNING:`, `NOTICE:`, `INFO:`, `DEBUG:`, `CRITICAL:`, `ALERT:`, `BUG:`, `ERR:`), and the text after it.
fn leveled(m: &[u8]) -> (Option<&[u8]>, &[u8]) {
    if let Some(c) = memchr::memchr(b':', &m[..m.len().min(12)]) {
        let w = &m[..c];
        if !w.is_empty() && w.iter().all(u8::is_ascii_uppercase) && m.get(c + 1) == Some(&b' ') {
            return (Some(w), m[c + 1..].trim_ascii_start());
        }
    }
    (None, m)
}

/// Who wrote a syslog line: its program with the process id as written (`kamailio[1189]`), else the host.
fn thread(e: &super::Envelope<'_>, line: &[u8]) -> Vec<u8> {
    if e.program.is_empty() {
        return e.host.to_vec();
    }
    // The program as written, from its name to the colon (`/usr/sbin/kamailio[2215]` → `kamailio[2215]`).
    let at = e.program.as_ptr() as usize - line.as_ptr() as usize;
    let end = line[at..]
        .iter()
        .position(|&b| b == b':')
        .map_or(at + e.program.len(), |i| at + i);
    line[at..end].to_vec()
}

/// A line's text for people (its time, writer and level are shown apart).
pub(super) fn text(line: &[u8]) -> Option<&[u8]> {
    let e = envelope(line)?;
    Some(leveled(e.message).1)
}

pub(super) fn line<'a>(l: &Line<'a>, clock: &mut Clock, out: &mut Vec<Out<'a>>) -> bool {
    let Some(f) = found(l.text) else {
        // Another syslog line: a log line, not SIP. A line that is not syslog is left to the SIP text rules.
        if let Some(e) = envelope(l.text) {
            let time = e.stamp.on(clock);
            let (level, _) = leveled(e.message);
            out.push(Out::Log(super::LogLine {
                time,
                level: level.map_or(crate::import::trace::Level::Info, super::level),
                thread: thread(&e, l.text),
            }));
            return true;
        }
        return false;
    };
    let host = String::from_utf8_lossy(f.envelope.host).into_owned();
    let (direction, src, dst) = words(&f.text[..f.start], Some(&host));
    let mut m = meta(l, direction, src, dst);
    m.time = f.envelope.stamp.on(clock);
    out.push(Out::Begin(m));
    // The same text again, knowing where each byte came from.
    let mapped = super::Mapped::of(l, f.envelope.message);
    rebuilt_lines(&mapped, start_of(&mapped.text).unwrap_or(f.start), out);
    out.push(Out::End);
    true
}
