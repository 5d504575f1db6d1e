//! A client log packet the importer had to rebuild (LF line ends, another thread's lines inside it, a line that
//! is not UTF-8): redacted as the importer reads it, and put back line by line. Its text is taken as the importer
//! takes it (the start line's text after its prefix, every line without a prefix, each ended by a CRLF; the other
//! threads' lines left out), cut into messages by the framer, each message redacted on its parsed form (so each
//! Content-Length frames the same part of the copy), and each line's new text put back in the line it came from,
//! with the file's own line break; the other threads' lines go through the token pass.

use super::names::Pseudonyms;
use super::raw::Raw;
use super::{message, text, Keep};
use crate::import::uccapi::{parse_packet_header, parse_prefix};
use crate::sip::parser::is_start_line;

/// One line of the packet: its text without the line break, the break, and where the importer's text of it
/// begins in that line (`None`: a line it leaves out).
struct Line<'a> {
    content: &'a str,
    brk: &'a str,
    kept: Option<usize>,
}

/// The packet whose header line is `header` and whose lines (up to its End line) are `body`: the new lines, and
/// what the text the importer reads gained or lost (its `N bytes` move by that). `None` when the redaction would
/// not keep the lines as they are (the caller scrubs them as text).
pub(super) fn redact(
    p: &mut Pseudonyms,
    keep: Keep,
    stray: Raw,
    header: &str,
    body: &str,
) -> Option<(String, i64)> {
    let h = parse_prefix(header.trim_end().as_bytes())?;
    let thread = h.thread;
    let announced = parse_packet_header(h.text).and_then(|h| h.bytes);
    let mut lines = Vec::new();
    let mut started = false;
    for l in body.split_inclusive('\n') {
        let content = l
            .strip_suffix('\n')
            .map_or(l, |c| c.strip_suffix('\r').unwrap_or(c));
        let kept = match parse_prefix(content.as_bytes()) {
            // The start line, by its thread or its shape; any other prefixed line is another thread's.
            Some(pre) if !started && (pre.thread == thread || is_start_line(pre.text)) => {
                Some(content.len() - pre.text.len())
            }
            Some(_) => None,
            None => Some(0),
        };
        started |= kept.is_some();
        lines.push(Line {
            content,
            brk: &l[content.len()..],
            kept,
        });
    }
    // The importer's text: each kept line and a CRLF; the CRLF it adds after the last is dropped when the packet
    // announces two bytes less.
    let mut sip = String::with_capacity(body.len() + body.len() / 16);
    for l in &lines {
        if let Some(from) = l.kept {
            sip.push_str(&l.content[from..]);
            sip.push_str("\r\n");
        }
    }
    let held = stray.len(&sip);
    let truncated = announced == Some(held.wrapping_sub(2)) && sip.ends_with("\r\n");
    if truncated {
        sip.truncate(sip.len() - 2);
    }
    // Each message redacted as a message, the text between them as text; the framer reads the file's bytes.
    let mut new = message::each(p, keep, stray, &sip);
    if truncated {
        new.push_str("\r\n");
    }
    let grown = stray.len(&new) as i64 - held as i64;
    // Back line by line: the same number of lines, or nothing.
    let mut pieces = new.split("\r\n");
    let mut out = String::with_capacity(body.len() + body.len() / 8);
    for l in &lines {
        match l.kept {
            Some(from) => {
                out.push_str(&l.content[..from]);
                out.push_str(pieces.next()?);
            }
            None => out.push_str(&text::scrub(p, keep, l.content)),
        }
        out.push_str(l.brk);
    }
    // After the last kept line's CRLF, nothing is left.
    (pieces.next() == Some("") && pieces.next().is_none()).then_some((out, grown))
}
