//! Framing: cut a block of bytes (one log packet, one datagram, a pasted text) into SIP messages by Content-Length.
//!
//! A block is whatever the importer hands over as one unit: a packet from a client log, a UDP datagram, a TCP
//! segment, or text pasted by a user that may hold several messages. [`frame_block`] returns the byte ranges of
//! the SIP messages in it, in order. Frames never overlap, and together they cover every SIP byte of the block;
//! what lies between them is only whitespace (CRLF keep-alives, blank lines) or text that is not SIP.
//!
//! For each message:
//!
//! 1. **Start.** Leading whitespace and blank lines are skipped. The message starts at the first line that is a
//!    SIP start line ([`is_start_line`]); non-SIP lines before it are skipped too, and the frame says so.
//! 2. **Header end.** The header section is scanned exactly as the parser does it: it ends at the first empty
//!    line, or at a line that cannot be a header (an XML line `<...` with no blank line before it: that line
//!    starts the body), or at another start line (the next message, no blank line and no body), or at the end of
//!    the block.
//! 3. **Body end.** With one numeric Content-Length (`l` is the compact form) the body is that many bytes:
//!    * what follows the body is whitespace only, or (after whitespace) a SIP start line: the frame ends with the
//!      body and the next message starts there;
//!    * the block ends before the body does: the frame runs to the end of the block (or to the next message, when
//!      a start line after a blank line shows up first) with a problem (`Content-Length 451 but the block has only
//!      300 body bytes`);
//!    * something that is not SIP follows the body: the declared length disagrees with the block, and the frame
//!      extends to the next message (a start line after a blank line) or the end of the block, with a problem
//!      (`Content-Length 451 but the block has 470 body bytes`).
//!
//!    Logs often turn CRLF into LF while keeping the sender's Content-Length, which counted the CRs. When the
//!    message's lines end with a bare LF and the exact count does not land on a clean boundary, the body end is
//!    also tried counting every bare LF as two bytes.
//! 4. **No usable Content-Length** (none, not a number, several): the body runs to the next line that is a SIP
//!    start line preceded by a blank line, or to the end of the block; trailing blank lines are left out.
//!
//! Problems about the message itself (two Content-Length values, malformed header lines) are the parser's
//! business and are not repeated here: a frame's problems only explain framing decisions.

use super::parser::{
    content_length, crlf_body_end, crlf_len, is_start_line, line_at, scan_head, ContentLength,
    HeadEnd,
};
use super::Header;
use crate::base::diag::{Code, Problem};
use std::ops::Range;

/// One message found in a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Byte range of the message in the block.
    pub range: Range<usize>,
    /// Framing problems (Content-Length disagrees with the block, …).
    pub problems: Vec<Problem>,
}

#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The first byte at or after `pos` that is not whitespace.
fn skip_ws(block: &[u8], mut pos: usize) -> usize {
    while block.get(pos).is_some_and(|&b| is_ws(b)) {
        pos += 1;
    }
    pos
}

/// The line at `pos` as a slice (without its line break).
fn line(block: &[u8], pos: usize) -> &[u8] {
    block.get(pos..line_at(block, pos).0).unwrap_or(&[])
}

/// The next message start at or after `pos`: skips whitespace, then non-SIP lines. Returns the start and whether
/// anything but whitespace was skipped.
fn next_start(block: &[u8], mut pos: usize) -> Option<(usize, bool)> {
    let mut skipped_text = false;
    loop {
        pos = skip_ws(block, pos);
        if pos >= block.len() {
            return None;
        }
        if is_start_line(line(block, pos)) {
            return Some((pos, skipped_text));
        }
        skipped_text = true;
        pos = line_at(block, pos).1;
    }
}

/// Whether the line before the line starting at `pos` is blank (or `pos` is the start of the block).
fn after_blank_line(block: &[u8], pos: usize) -> bool {
    let before = block.get(..pos).unwrap_or(&[]);
    let before = before.strip_suffix(b"\n").unwrap_or(before);
    // The previous line runs from the last '\n' of `before` (exclusive) to its end.
    let prev = match memchr::memrchr(b'\n', before) {
        Some(i) => before.get(i + 1..).unwrap_or(&[]),
        None => before,
    };
    prev.iter().all(|&b| is_ws(b))
}

/// The end of the content before `pos`, leaving out trailing blank lines but keeping the line break of the last
/// line that has text. Never before `floor`.
fn trim_blank_lines(block: &[u8], floor: usize, pos: usize) -> usize {
    let text = block.get(floor..pos).unwrap_or(&[]);
    let Some(last) = text.iter().rposition(|&b| !is_ws(b)) else {
        return floor.min(pos);
    };
    let tail = text.get(last + 1..).unwrap_or(&[]);
    match memchr::memchr(b'\n', tail) {
        Some(j) => floor + last + 1 + j + 1,
        None => pos,
    }
}

/// The next message boundary at or after `from`: a start line preceded by a blank line.
/// Returns (end of the current frame, start of the next message).
fn find_next_message(block: &[u8], from: usize, floor: usize) -> Option<(usize, usize)> {
    let mut pos = from;
    // Start from a line start.
    if pos > 0 && block.get(pos - 1) != Some(&b'\n') {
        pos = line_at(block, pos).1;
    }
    let mut prev_blank = after_blank_line(block, pos);
    while pos < block.len() {
        let (end, next, _) = line_at(block, pos);
        let l = block.get(pos..end).unwrap_or(&[]);
        let blank = l.iter().all(|&b| is_ws(b));
        if prev_blank && !blank && is_start_line(l) {
            return Some((trim_blank_lines(block, floor, pos), pos));
        }
        prev_blank = blank;
        pos = next;
    }
    None
}

/// Cut `block` into messages. See the module docs for the rules.
pub fn frame_block(block: &[u8]) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut headers: Vec<Header> = Vec::with_capacity(32);
    let mut scratch = Vec::new();
    let mut pos = 0;
    while let Some((start, skipped_text)) = next_start(block, pos) {
        let mut problems = Vec::new();
        if skipped_text {
            let n = start - pos;
            problems.push(Problem::new(
                Code::SkippedText,
                format!("{n} bytes of text before this message are not SIP and were skipped"),
            ));
        }
        let msg = block.get(start..).unwrap_or(&[]);
        let (_, after_start, terminated) = line_at(msg, 0);
        headers.clear();
        scratch.clear();
        let head_end = if terminated {
            scan_head(msg, after_start, 2, &mut headers, &mut scratch)
        } else {
            HeadEnd::Eof { cut: true }
        };
        let body_start = match head_end {
            HeadEnd::Blank { body } | HeadEnd::Body { body } => body,
            HeadEnd::StartLine { at } => {
                problems.push(Problem::new(
                    Code::NoBlankLine,
                    "the headers end without a blank line: the next line starts another message",
                ));
                frames.push(Frame {
                    range: start..start + at,
                    problems,
                });
                pos = start + at;
                continue;
            }
            HeadEnd::Eof { .. } => {
                frames.push(Frame {
                    range: start..block.len(),
                    problems,
                });
                break;
            }
        };
        let bare_lf = terminated && msg.get(after_start.saturating_sub(2)) != Some(&b'\r');
        let (end, next) = match content_length(msg, &headers) {
            ContentLength::One(declared) => {
                frame_by_length(msg, body_start, declared, bare_lf, &mut problems)
            }
            _ => match find_next_message(msg, body_start, body_start) {
                Some((end, next)) => (end, Some(next)),
                None => (trim_blank_lines(msg, body_start, msg.len()), None),
            },
        };
        frames.push(Frame {
            range: start..start + end,
            problems,
        });
        match next {
            // `next` is after `start`: the loop always moves forward.
            Some(n) if n > 0 => pos = start + n,
            _ => break,
        }
    }
    frames
}

/// Body end by Content-Length for a message `msg` (the block from the message start on). Returns the frame end
/// and where to look for the next message (`None`: the block is used up).
fn frame_by_length(
    msg: &[u8],
    body_start: usize,
    declared: usize,
    bare_lf: bool,
    problems: &mut Vec<Problem>,
) -> (usize, Option<usize>) {
    let exact = body_start.checked_add(declared).filter(|&e| e <= msg.len());
    let lf = if bare_lf {
        crlf_body_end(msg, body_start, declared)
    } else {
        None
    };
    for end in [exact, lf.filter(|&e| Some(e) != exact)]
        .into_iter()
        .flatten()
    {
        let after = skip_ws(msg, end);
        if after >= msg.len() {
            return (end, None);
        }
        if is_start_line(line(msg, after)) {
            return (end, Some(after));
        }
    }
    // The declared length does not fit the block. The body runs on to the next message (a start line after a
    // blank line, looked for from the body start: the length is wrong, so it cannot tell where to look), or to the
    // end of the block: all of it when the block is too short (a cut-off body keeps its last line breaks).
    let short = exact.is_none() && lf.is_none();
    let (end, next) = match find_next_message(msg, body_start, body_start) {
        Some((end, next)) => (end, Some(next)),
        None if short => (msg.len(), None),
        None => (trim_blank_lines(msg, body_start, msg.len()), None),
    };
    let body = msg.get(body_start..end).unwrap_or(&[]);
    let have = body.len();
    let counted = if bare_lf { crlf_len(body) } else { have };
    let text = if counted < declared && next.is_some() {
        format!("Content-Length {declared} but only {have} body bytes before the next message")
    } else if counted < declared {
        format!("Content-Length {declared} but the block has only {have} body bytes")
    } else if counted > declared {
        format!("Content-Length {declared} but the block has {have} body bytes")
    } else {
        return (end, next);
    };
    problems.push(Problem::new(Code::ContentLengthMismatch, text));
    (end, next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::parse_message;

    fn crlf(s: &str) -> String {
        s.replace("\r\n", "\n").replace('\n', "\r\n")
    }

    const RLMI: &str = "--5163ac81d4494d259d913ed7e3ea321e\r\nContent-Transfer-Encoding: 7bit\r\nContent-ID: <5f1a2f3d@limcm.com>\r\nContent-Type: application/rlmi+xml\r\n\r\n<list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"sip:on1@limcm.com\" version=\"0\" fullState=\"false\"/>\r\n--5163ac81d4494d259d913ed7e3ea321e--\r\n";

    fn subscribe() -> String {
        crlf(
            "SUBSCRIBE sip:on1@limcm.com SIP/2.0
Via: SIP/2.0/TLS 192.168.1.51:51882
From: <sip:on1@limcm.com>;tag=0bc7b0fc1e;epid=08b5b444f3
To: <sip:on1@limcm.com>
Call-ID: 3e027202ab3c4ccabed634c1edd89f72
CSeq: 1 SUBSCRIBE
Event: presence
Content-Length: 0

",
        )
    }

    fn ok_multipart() -> String {
        let head = crlf("SIP/2.0 200 OK
Via: SIP/2.0/TLS 192.168.1.51:51882
From: <sip:on1@limcm.com>;tag=0bc7b0fc1e;epid=08b5b444f3
To: <sip:on1@limcm.com>;tag=E8C2A1F4
Call-ID: 3e027202ab3c4ccabed634c1edd89f72
CSeq: 1 SUBSCRIBE
Content-Type: multipart/related; type=\"application/rlmi+xml\";start=resourceList; boundary=5163ac81d4494d259d913ed7e3ea321e
");
        format!("{head}Content-Length: {}\r\n\r\n{RLMI}", RLMI.len())
    }

    fn texts<'a>(block: &'a [u8], frames: &[Frame]) -> Vec<&'a str> {
        frames
            .iter()
            .map(|f| std::str::from_utf8(&block[f.range.clone()]).unwrap())
            .collect()
    }

    #[test]
    fn one_message_per_block() {
        let text = ok_multipart();
        let frames = frame_block(text.as_bytes());
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].range, 0..text.len());
        assert!(frames[0].problems.is_empty());
        assert!(frame_block(b"").is_empty());
        assert!(frame_block(b"\r\n\r\n").is_empty());
        assert!(frame_block(b"hello world\r\n").is_empty());
    }

    #[test]
    fn keep_alives_and_several_messages() {
        let (a, b) = (subscribe(), ok_multipart());
        let block = format!("\r\n\r\n{a}{b}\r\n\r\n{a}");
        let frames = frame_block(block.as_bytes());
        assert_eq!(
            texts(block.as_bytes(), &frames),
            [a.as_str(), b.as_str(), a.as_str()]
        );
        assert!(frames.iter().all(|f| f.problems.is_empty()), "{frames:?}");
    }

    #[test]
    fn body_longer_than_declared_extends_to_the_next_message() {
        let msg = crlf("MESSAGE sip:a@b SIP/2.0\nCall-ID: 1\nContent-Length: 3\n\nabcdef\n");
        let block = format!("{msg}\r\n{}", subscribe());
        let frames = frame_block(block.as_bytes());
        assert_eq!(frames.len(), 2);
        assert_eq!(texts(block.as_bytes(), &frames)[0], msg);
        assert_eq!(
            frames[0].problems,
            [Problem::new(
                Code::ContentLengthMismatch,
                "Content-Length 3 but the block has 8 body bytes"
            )]
        );
        assert!(frames[1].problems.is_empty());

        let frames = frame_block(msg.as_bytes());
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].range, 0..msg.len());
        assert_eq!(frames[0].problems.len(), 1);
    }

    #[test]
    fn body_shorter_than_declared() {
        let msg = crlf("MESSAGE sip:a@b SIP/2.0\nCall-ID: 1\nContent-Length: 30\n\nabcdef\n");
        let frames = frame_block(msg.as_bytes());
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].range, 0..msg.len());
        assert_eq!(
            frames[0].problems,
            [Problem::new(
                Code::ContentLengthMismatch,
                "Content-Length 30 but the block has only 8 body bytes"
            )]
        );

        let block = format!("{msg}\r\n{}", subscribe());
        let frames = frame_block(block.as_bytes());
        assert_eq!(frames.len(), 2);
        assert_eq!(texts(block.as_bytes(), &frames)[0], msg);
        assert_eq!(
            frames[0].problems,
            [Problem::new(
                Code::ContentLengthMismatch,
                "Content-Length 30 but only 8 body bytes before the next message"
            )]
        );
    }

    #[test]
    fn no_content_length_runs_to_the_next_start_line_after_a_blank_line() {
        let a =
            crlf("NOTIFY sip:a@b SIP/2.0\nCall-ID: 1\n\nline one\nSIP/2.0 200 OK is quoted here\n");
        let b = crlf("SIP/2.0 200 OK\nCall-ID: 1\n\n");
        let block = format!("{a}\r\n\r\n{b}");
        let frames = frame_block(block.as_bytes());
        assert_eq!(texts(block.as_bytes(), &frames), [a.as_str(), b.as_str()]);
        // Headers only, the next message right after the empty line.
        let block = format!("{b}{b}");
        assert_eq!(
            texts(block.as_bytes(), &frame_block(block.as_bytes())),
            [b.as_str(), b.as_str()]
        );
    }

    #[test]
    fn start_line_among_headers_starts_a_new_message() {
        let block = "SIP/2.0 200 OK\r\nCall-ID: 1\r\nACK sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n";
        let frames = frame_block(block.as_bytes());
        assert_eq!(
            texts(block.as_bytes(), &frames),
            [
                "SIP/2.0 200 OK\r\nCall-ID: 1\r\n",
                "ACK sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n"
            ]
        );
        assert_eq!(frames[0].problems.len(), 1);
        assert_eq!(frames[0].problems[0].code, Code::NoBlankLine);
    }

    #[test]
    fn lf_converted_text_keeps_crlf_content_length() {
        // Content-Length counted CRLFs, the log stored LFs: 6 + 2 line breaks = 8.
        let a = "MESSAGE sip:a@b SIP/2.0\nCall-ID: 1\nContent-Length: 8\n\nabc\nde\n";
        let b = "SIP/2.0 200 OK\nCall-ID: 1\nContent-Length: 0\n\n";
        let block = format!("{a}{b}");
        let frames = frame_block(block.as_bytes());
        assert_eq!(texts(block.as_bytes(), &frames), [a, b]);
        assert!(frames.iter().all(|f| f.problems.is_empty()), "{frames:?}");
        let m = parse_message(a.as_bytes().to_vec()).unwrap();
        assert!(!m.truncated && m.problems.is_empty(), "{:?}", m.problems);
    }

    #[test]
    fn leading_text_is_skipped() {
        let a = subscribe();
        let block = format!("2024-01-01 10:00:00 Sending packet\n{a}");
        let frames = frame_block(block.as_bytes());
        assert_eq!(texts(block.as_bytes(), &frames), [a.as_str()]);
        assert_eq!(frames[0].problems.len(), 1);
        assert_eq!(frames[0].problems[0].code, Code::SkippedText);
    }

    fn fixture(rel: &str) -> Option<Vec<u8>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/");
        let got = std::fs::read(format!("{dir}{rel}")).ok();
        if got.is_none() {
            eprintln!("fixture {rel} not found under {dir}: skipped");
        }
        got
    }

    #[test]
    fn fixtures_frame_as_one_message() {
        let names = [
            "resip-rfc4475/badinv01.dat",
            "resip-rfc4475/esc01.dat",
            "resip-rfc4475/longreq.dat",
            "resip-rfc4475/mcl01.dat",
            "resip-rfc4475/mpart01.dat",
            "resip-rfc4475/noreason.dat",
            "resip-rfc4475/unreason.dat",
            "resip-rfc4475/wsinv.dat",
            "kamailio-test/message-2002-379a395.sip",
            "kamailio-test/ms-invite-00.sip",
            "kamailio-test/ms-invite-00-rpl.sip",
            "kamailio-test/msbye.sip",
        ];
        for name in names {
            let Some(block) = fixture(name) else { return };
            let frames = frame_block(&block);
            assert_eq!(frames.len(), 1, "{name}: {frames:?}");
            let f = &frames[0];
            let m = parse_message(block[f.range.clone()].to_vec()).unwrap();
            match name {
                "kamailio-test/ms-invite-00-rpl.sip" => assert!(m.truncated),
                "resip-rfc4475/mcl01.dat" | "kamailio-test/message-2002-379a395.sip" => {
                    assert!(!m.problems.is_empty(), "{name}")
                }
                _ => assert!(
                    f.problems.is_empty() && !m.truncated,
                    "{name}: {f:?} {:?}",
                    m.problems
                ),
            }
        }
        // The concatenation of all of them, separated by blank lines, is as many messages.
        let mut all = Vec::new();
        for name in names.iter().filter(|n| !n.contains("-rpl")) {
            all.extend(fixture(name).unwrap_or_default());
            all.extend_from_slice(b"\r\n");
        }
        let frames = frame_block(&all);
        assert_eq!(frames.len(), names.len() - 1, "{frames:?}");
    }

    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    fn check(block: &[u8]) {
        let frames = frame_block(block);
        let mut last = 0;
        for f in &frames {
            assert!(
                last <= f.range.start && f.range.start < f.range.end && f.range.end <= block.len()
            );
            last = f.range.end;
            let _ = parse_message(block[f.range.clone()].to_vec());
        }
    }

    #[test]
    fn never_panics_and_never_overlaps() {
        let mut samples = vec![
            format!("{}\r\n{}{}", subscribe(), ok_multipart(), subscribe()).into_bytes(),
            b"SIP/2.0 200 OK\nl: 99999999999999999999999\n\nx\n\nACK sip:a@b SIP/2.0\nl: 2\n\nab"
                .to_vec(),
        ];
        samples.extend(fixture("kamailio-test/message-2002-379a395.sip"));
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        for s in &samples {
            for n in 0..=s.len() {
                check(&s[..n]);
            }
            for _ in 0..300 {
                let mut t = s.clone();
                for _ in 0..1 + xorshift(&mut rng) % 4 {
                    let i = (xorshift(&mut rng) % t.len() as u64) as usize;
                    t[i] = [
                        b'\r',
                        b'\n',
                        b' ',
                        b':',
                        b'9',
                        b'0',
                        b'<',
                        xorshift(&mut rng) as u8,
                    ][i % 8];
                }
                check(&t);
            }
        }
    }
}
