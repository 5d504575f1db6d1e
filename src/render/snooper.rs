//! Snooper-readable text: the messages of any input (a capture, a server trace, pasted SIP) in the least of the
//! client log's (UccApiLog's) framing that Microsoft's Snooper reads, so they open there as a client log's would.
//!
//! Each message is three things, every line prefixed `MM/DD/YYYY|HH:MM:SS.mmm 0000:0000 INFO  :: ` with its time
//! on the merged timeline:
//!
//! - a header line: `Sending Packet - <destination> (From Local Address: <source>) N bytes:` for a message its log
//!   sent, `Data Received -<source> (To Local Address: <destination>) N bytes:` for one it received. A message
//!   whose log had no point of view (a capture, SIP text) is written as sent by its source, so Snooper still shows
//!   it from the source to the destination;
//! - the SIP text, its start line on a prefixed line, the rest as it is, with CRLF line ends (an LF alone becomes
//!   CRLF; nothing else changes), then a CRLF when the text does not end with one, as the client writes it;
//! - the End line, `End of Sending Packet - …` / `End of Data Received -…`, the header's words again.
//!
//! N is the exact byte length of the (UTF-8) SIP text. A message without a time gets the time of the message
//! before it (as a merge orders it), or of the first one after it when none before has one. An address holding
//! `(` or `)` has them written `[` `]`, which the framing needs. sipscope's own client-log importer reads the
//! export back to the same messages (`tests/exports.rs`), except where a line of a message's text itself looks
//! like a log line (`MM/DD/YYYY|HH:MM:SS.mmm T:T LEVEL :: …`, say a log pasted into an IM), which no reader of
//! the format can tell from one.

use crate::base::time::Timestamp;
use crate::ladder::clean_text;
use crate::store::Analysis;
use crate::view::rows::Direction;
use std::borrow::Cow;
use std::io::Write;

/// The process and thread ids of every line.
const THREAD: &str = "0000:0000";

/// Messages `messages` of `analysis` as a client log.
pub fn render(analysis: &Analysis, messages: &[u32]) -> Vec<u8> {
    let times = times(analysis, messages);
    let mut out = Vec::new();
    for (&i, time) in messages.iter().zip(times) {
        let Some(m) = analysis.messages.get(i as usize) else {
            continue;
        };
        let sip = analysis.sip(i);
        let text = crlf(&sip.raw);
        let (src, dst) = (address(&m.src), address(&m.dst));
        let n = text.len();
        let frame = match Direction::from(m.direction) {
            Direction::Received => {
                format!("Data Received -{src} (To Local Address: {dst}) {n} bytes")
            }
            Direction::Sent | Direction::Unknown => {
                format!("Sending Packet - {dst} (From Local Address: {src}) {n} bytes")
            }
        };
        let prefix = prefix(time);
        let _ = write!(out, "{prefix}{frame}:\r\n{prefix}");
        out.extend_from_slice(&text);
        if !text.ends_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
        }
        let _ = write!(out, "{prefix}End of {frame}\r\n");
    }
    out
}

/// `MM/DD/YYYY|HH:MM:SS.mmm 0000:0000 INFO  :: `.
fn prefix(time: Timestamp) -> String {
    let (y, mo, d, h, mi, s, ms) = time.fields();
    format!("{mo:02}/{d:02}/{y:04}|{h:02}:{mi:02}:{s:02}.{ms:03} {THREAD} INFO  :: ")
}

/// The time each message is written with: its own when a prefix can say it (years 0 to 9999), else the one
/// before it, else the first after it, else 01/01/1970.
fn times(analysis: &Analysis, messages: &[u32]) -> Vec<Timestamp> {
    let own: Vec<Option<Timestamp>> = messages
        .iter()
        .map(|&i| {
            analysis
                .messages
                .get(i as usize)
                .and_then(|m| m.time)
                .filter(|t| (0..=9999).contains(&t.fields().0))
        })
        .collect();
    let mut last = own.iter().flatten().next().copied().unwrap_or(Timestamp(0));
    own.into_iter()
        .map(|t| {
            if let Some(t) = t {
                last = t;
            }
            last
        })
        .collect()
}

/// `text` with every LF that has no CR before it written CRLF.
fn crlf(text: &[u8]) -> Cow<'_, [u8]> {
    let bare = |(k, &b): (usize, &u8)| b == b'\n' && (k == 0 || text[k - 1] != b'\r');
    if !text.iter().enumerate().any(bare) {
        return Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(text.len() + 64);
    for (k, &b) in text.iter().enumerate() {
        if bare((k, &b)) {
            out.push(b'\r');
        }
        out.push(b);
    }
    Cow::Owned(out)
}

/// An endpoint as the header line can hold it: one line, without the parentheses that close its fields.
fn address(name: &str) -> String {
    clean_text(name)
        .chars()
        .map(|c| match c {
            '(' => '[',
            ')' => ']',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_become_crlf_and_nothing_else_changes() {
        assert_eq!(&*crlf(b"a\r\nb\r\n"), b"a\r\nb\r\n");
        assert!(matches!(crlf(b"a\r\nb"), Cow::Borrowed(_)));
        assert_eq!(&*crlf(b"a\nb\r\n\nc\rd\n"), b"a\r\nb\r\n\r\nc\rd\r\n");
        assert_eq!(&*crlf(b"\n"), b"\r\n");
    }

    #[test]
    fn the_prefix_is_a_client_log_prefix() {
        let t = Timestamp::from_parts(2018, 3, 30, 10, 57, 41, 217).unwrap();
        let p = prefix(t);
        assert_eq!(p, "03/30/2018|10:57:41.217 0000:0000 INFO  :: ");
        let line = format!("{p}REGISTER sip:limcm.com SIP/2.0");
        let parsed = crate::import::uccapi::parse_prefix(line.as_bytes()).unwrap();
        assert_eq!(parsed.time(), Some(t));
        assert_eq!(parsed.text, b"REGISTER sip:limcm.com SIP/2.0");
    }

    #[test]
    fn addresses_cannot_end_the_header_fields() {
        assert_eq!(address("a (b)\r\nc"), "a [b]  c");
        assert_eq!(address("[2001:db8::1]:5061"), "[2001:db8::1]:5061");
    }
}
