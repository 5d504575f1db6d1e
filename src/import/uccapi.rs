//! UccApiLog importer: Skype for Business / Lync client traces (`Lync-UccApi-0.UccApilog`) → SIP records.
//!
//! Every trace line starts `MM/DD/YYYY|HH:MM:SS.mmm TID:TID LEVEL :: text`. A packet is
//! `Sending Packet - <remote> (From Local Address: <local>) N bytes:` or
//! `Data Received -<remote> (To Local Address: <local>) N bytes:`, then the SIP start line on the next prefixed
//! line, then the SIP lines without prefix, then `End of Sending Packet - …` / `End of Data Received -…`.
//! Prefixed lines inside a packet that are not its start or end are other threads' noise and are skipped.
//! A packet may hold several SIP messages (framed by Content-Length). A file that starts or ends inside a packet
//! yields a warning for the fragment and no message.

use super::lines::{Line, LineReader};
use super::trace::{Level, TraceLine};
use super::{Direction, InFile, LineImporter, Record, Sink};
use crate::base::diag::{Code, Diagnostic, Problem};
use crate::base::time::Timestamp;
use crate::sip::{framing, parser};

/// The parsed prefix of a trace line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix<'a> {
    /// `MM/DD/YYYY|HH:MM:SS.mmm`, checked for shape; [`Prefix::time`] turns it into a timestamp (only packet
    /// headers need it, so noise lines never pay for it).
    pub clock: &'a [u8],
    /// Thread ids as written (`2738:14E0`).
    pub thread: &'a [u8],
    /// `INFO`, `TRACE`, `ERROR`, `WARN`, …
    pub level: &'a [u8],
    /// Everything after `:: `.
    pub text: &'a [u8],
}

impl Prefix<'_> {
    /// The line's time; `None` when a field is out of range (month 13, …).
    pub fn time(&self) -> Option<Timestamp> {
        let c = self.clock;
        let f = |r: std::ops::Range<usize>| c.get(r).and_then(digits);
        Timestamp::from_parts(
            f(6..10)? as i32,
            f(0..2)?,
            f(3..5)?,
            f(11..13)?,
            f(14..16)?,
            f(17..19)?,
            f(20..23)?,
        )
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() {
        return None;
    }
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// Parse `MM/DD/YYYY|HH:MM:SS.mmm TID:TID LEVEL :: text`; `None` when the line has no such prefix.
pub fn parse_prefix(line: &[u8]) -> Option<Prefix<'_>> {
    if line.len() < 26
        || line[2] != b'/'
        || line[5] != b'/'
        || line[10] != b'|'
        || line[13] != b':'
        || line[16] != b':'
        || line[19] != b'.'
    {
        return None;
    }
    let clock = &line[..23];
    if ![0..2, 3..5, 6..10, 11..13, 14..16, 17..19, 20..23]
        .into_iter()
        .all(|r| clock[r].iter().all(u8::is_ascii_digit))
    {
        return None;
    }
    let rest = &line[23..];
    // The first "::" (thread ids hold single colons).
    let mut from = 0;
    let sep = loop {
        let k = from + memchr::memchr(b':', rest.get(from..)?)?;
        if rest.get(k + 1) == Some(&b':') {
            break k;
        }
        from = k + 1;
    };
    let head = &rest[..sep];
    let mut words = head.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let thread = words.next()?;
    if !thread.iter().all(|&b| b.is_ascii_hexdigit() || b == b':') || !thread.contains(&b':') {
        return None;
    }
    let level = words.next()?;
    if words.next().is_some() || !level.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let mut text = &rest[sep + 2..];
    if text.first() == Some(&b' ') {
        text = &text[1..];
    }
    Some(Prefix {
        clock,
        thread,
        level,
        text,
    })
}

/// A packet header line: direction, remote and local address, announced byte count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketHeader {
    pub direction: Direction,
    pub remote: String,
    pub local: String,
    pub bytes: Option<usize>,
}

/// Parse the text of `Sending Packet - …` / `Data Received -…` (after the prefix).
pub fn parse_packet_header(text: &[u8]) -> Option<PacketHeader> {
    let (direction, rest, local_label) = if let Some(r) = text.strip_prefix(b"Sending Packet -") {
        (Direction::Sent, r, &b"(From Local Address:"[..])
    } else if let Some(r) = text.strip_prefix(b"Data Received -") {
        (Direction::Received, r, &b"(To Local Address:"[..])
    } else {
        return None;
    };
    let rest = std::str::from_utf8(rest).ok()?;
    let label = std::str::from_utf8(local_label).ok()?;
    let (remote, after) = rest.split_once(label)?;
    let (local, after) = after.split_once(')')?;
    let bytes = after
        .trim()
        .trim_end_matches(':')
        .trim()
        .strip_suffix("bytes")
        .and_then(|n| n.trim().parse().ok());
    Some(PacketHeader {
        direction,
        remote: remote.trim().to_string(),
        local: local.trim().to_string(),
        bytes,
    })
}

/// Whether a prefixed line's text (after its prefix) is a packet's End line.
pub fn is_packet_end(text: &[u8]) -> bool {
    text.starts_with(b"End of Sending Packet") || text.starts_with(b"End of Data Received")
}

#[derive(Debug)]
struct Packet {
    header: PacketHeader,
    time: Option<Timestamp>,
    start: u64,
    line: u32,
    sip: Vec<u8>,
    have_start: bool,
    last_line: u32,
    /// Where `sip` begins in the file, and whether it is the file's bytes unchanged so far (every line
    /// copied with its own CRLF, none skipped between them); `next` is where the next copied line must start.
    at: Option<u64>,
    next: u64,
    verbatim: bool,
}

impl Packet {
    /// Append a line's text (or its tail after a prefix) and a CRLF.
    fn append(&mut self, l: &Line<'_>, text: &[u8]) {
        let at = l.crlf_copy_at(text);
        if self.sip.is_empty() {
            self.at = at;
        }
        self.verbatim &=
            at.is_some_and(|a| self.at.is_some() && (self.sip.is_empty() || a == self.next));
        self.next = l.end;
        self.sip.extend_from_slice(text);
        self.sip.extend_from_slice(b"\r\n");
    }

    /// Where the text is in the file, when it is the file's bytes unchanged.
    fn in_file(&self) -> Option<u64> {
        self.at.filter(|_| self.verbatim)
    }
}

/// Raw lines seen before the first packet header, in case they turn out to be the tail of a packet.
#[derive(Debug, Default)]
struct Orphans {
    first: u32,
    last: u32,
    count: u32,
}

/// Streaming UccApiLog importer for one file.
#[derive(Debug)]
pub struct UccApiImporter {
    file: u32,
    lines: LineReader,
    packet: Option<Packet>,
    orphans: Orphans,
    seen_packet: bool,
    /// Thread id of the open packet's header line (kept here, not in the packet: one buffer for all packets).
    thread: Vec<u8>,
    /// The last trace line, while unprefixed lines may still continue it, and its thread's ids (the sink that
    /// gets it numbers threads its own way: a piece's last line goes to the file's sink).
    open: Option<TraceLine>,
    open_thread: Vec<u8>,
    /// Its lines (decoded, each ended by `\n`), when the sink keeps trace text.
    open_text: Vec<u8>,
}

impl UccApiImporter {
    pub fn new(file: u32) -> Self {
        UccApiImporter {
            file,
            lines: LineReader::new(),
            packet: None,
            orphans: Orphans::default(),
            seen_packet: false,
            thread: Vec::new(),
            open: None,
            open_thread: Vec::new(),
            open_text: Vec::new(),
        }
    }

    /// An importer for a piece of a file that begins with a packet header line, read by `lines` (see
    /// [`super::split`]).
    pub fn resume(file: u32, lines: LineReader) -> Self {
        UccApiImporter {
            lines,
            ..Self::new(file)
        }
    }

    /// The piece ends where the next packet header begins (at `at`): the open packet is closed as that line
    /// would close it.
    pub fn end_piece(&mut self, at: u64, sink: &mut Sink) {
        self.close_trace(sink);
        if let Some(p) = self.packet.take() {
            self.close(p, at, false, sink);
        }
    }

    /// Go on with `later`, the importer of the next piece: what it holds open is the file's from now on.
    pub fn then(self, mut later: UccApiImporter) -> UccApiImporter {
        later.seen_packet |= self.seen_packet;
        later
    }

    pub fn push(&mut self, chunk: &[u8], sink: &mut Sink) {
        self.feed(chunk, sink);
    }

    pub fn finish(&mut self, sink: &mut Sink) {
        self.feed_end(sink);
        self.close_trace(sink);
        if let Some(p) = self.packet.take() {
            let announced = p
                .header
                .bytes
                .map(|n| format!(", {n} bytes announced"))
                .unwrap_or_default();
            sink.diagnostics.push(
                Diagnostic::warning(Code::FragmentAtEnd, format!(
                    "The log ends inside a packet ({} {}{}, {} bytes in the file, lines {}–{}): the fragment is not shown as a message.",
                    direction_phrase(p.header.direction),
                    p.header.remote,
                    announced,
                    p.sip.len(),
                    p.line,
                    p.last_line
                ))
                .at(self.file, p.line),
            );
        }
    }

    fn line(&mut self, l: Line<'_>, sink: &mut Sink) {
        match parse_prefix(l.text) {
            Some(prefix) => {
                self.close_trace(sink);
                self.prefixed(&l, prefix, sink)
            }
            None => self.raw(&l, sink),
        }
    }

    /// The open trace line is complete.
    fn close_trace(&mut self, sink: &mut Sink) {
        if let Some(t) = self.open.take() {
            let text = &self.open_text;
            sink.trace
                .push(t, &self.open_thread, || vec![text.as_slice()]);
        }
    }

    /// A prefixed line that is neither SIP nor a packet's frame: a trace line, open until a line that does not
    /// continue it.
    fn trace_line(&mut self, l: &Line<'_>, prefix: &Prefix<'_>, keep: bool) {
        self.open_thread.clear();
        self.open_thread.extend_from_slice(prefix.thread);
        self.open_text.clear();
        if keep {
            self.open_text.extend_from_slice(l.text);
        }
        self.open = Some(TraceLine {
            at: l.start,
            len: (l.end - l.start) as u32,
            line: l.number,
            time: prefix.time(),
            level: Level::of(prefix.level),
            thread: 0,
        });
    }

    fn prefixed(&mut self, l: &Line<'_>, prefix: Prefix<'_>, sink: &mut Sink) {
        if let Some(header) = parse_packet_header(prefix.text) {
            if let Some(p) = self.packet.take() {
                self.close(p, l.start, false, sink);
            }
            self.seen_packet = true;
            // The announced size plus the line break the log adds: the text fits without growing.
            let capacity = header.bytes.map_or(2048, |n| n + 2).min(1 << 20);
            self.thread.clear();
            self.thread.extend_from_slice(prefix.thread);
            self.packet = Some(Packet {
                header,
                time: prefix.time(),
                start: l.start,
                line: l.number,
                sip: Vec::with_capacity(capacity),
                have_start: false,
                last_line: l.number,
                at: None,
                next: 0,
                verbatim: true,
            });
            return;
        }
        if is_packet_end(prefix.text) {
            match self.packet.take() {
                Some(p) => self.close(p, l.end, true, sink),
                None if !self.seen_packet => {
                    let first = if self.orphans.count > 0 {
                        self.orphans.first
                    } else {
                        l.number
                    };
                    sink.diagnostics.push(
                        Diagnostic::warning(Code::FragmentAtStart, format!(
                            "The log starts inside a packet: lines {first}–{} are the end of a message whose beginning is not in this file; skipped.",
                            l.number
                        ))
                        .at(self.file, first),
                    );
                    self.orphans = Orphans::default();
                    self.seen_packet = true;
                }
                None => sink.diagnostics.push(
                    Diagnostic::warning(
                        Code::StrayLine,
                        "An \"End of packet\" line without its packet header; ignored.",
                    )
                    .at(self.file, l.number),
                ),
            }
            return;
        }
        if let Some(p) = self.packet.as_mut() {
            if !p.have_start
                && (prefix.thread == self.thread.as_slice() || parser::is_start_line(prefix.text))
            {
                p.append(l, prefix.text);
                p.have_start = true;
                p.last_line = l.number;
                return;
            }
            // Any other prefixed line is another thread's trace, logged in the middle of the packet.
        }
        self.trace_line(l, &prefix, sink.trace.keep);
    }

    fn raw(&mut self, l: &Line<'_>, sink: &mut Sink) {
        if let Some(t) = self.open.as_mut() {
            // An unprefixed line right after a trace line continues it (a multi-line trace text), unless the
            // packet it was logged in is open or the line is empty or a `|` noise line.
            let noise = matches!(l.text.trim_ascii(), b"" | b"|");
            if self.packet.is_none() && !noise && !parser::is_start_line(l.text) {
                t.len = (l.end - t.at).min(u64::from(u32::MAX)) as u32;
                if sink.trace.keep {
                    self.open_text.push(b'\n');
                    self.open_text.extend_from_slice(l.text);
                }
                return;
            }
            self.close_trace(sink);
        }
        match self.packet.as_mut() {
            Some(p) => {
                p.append(l, l.text);
                p.have_start = true;
                p.last_line = l.number;
            }
            None if !self.seen_packet => {
                if self.orphans.count == 0 {
                    self.orphans.first = l.number;
                }
                self.orphans.last = l.number;
                self.orphans.count += 1;
            }
            None => {
                if parser::is_start_line(l.text) {
                    sink.diagnostics.push(
                        Diagnostic::info(Code::StrayLine, "A SIP start line outside any packet; skipped (it is not part of a logged packet).").at(self.file, l.number),
                    );
                }
            }
        }
    }

    /// A packet is complete (`ended`: its End line was seen) or was cut off by the next packet header.
    fn close(&mut self, mut p: Packet, end: u64, ended: bool, sink: &mut Sink) {
        let in_file = p.in_file();
        // The log puts a line break before the End line unless the SIP text already ended with one: the text
        // held is N or N + 2 bytes. Drop that added break so the body is exactly what was sent.
        if p.header.bytes.is_some_and(|n| p.sip.len() == n + 2) && p.sip.ends_with(b"\r\n") {
            p.sip.truncate(p.sip.len() - 2);
        }
        let direction = p.header.direction;
        let (src, dst) = match direction {
            Direction::Sent => (p.header.local, p.header.remote),
            _ => (p.header.remote, p.header.local),
        };
        // The common case: a complete packet holding exactly one well-formed message whose Content-Length and
        // announced size match what the log holds. Parse it once, here, instead of framing and then parsing.
        if ended && p.header.bytes.is_none_or(|n| n == p.sip.len()) {
            match crate::sip::parse_message(std::mem::take(&mut p.sip)) {
                Ok(mut m)
                    if m.problems.is_empty()
                        && !m.truncated
                        && m.content_length() == Some(m.body().len()) =>
                {
                    // Only a buffer that grew far past its text is worth a copy to shrink.
                    if m.raw.capacity() > m.raw.len() + 64 {
                        m.raw.shrink_to_fit();
                    }
                    sink.records.push(Record {
                        sip: Vec::new(),
                        time: p.time,
                        src: Some(src),
                        dst: Some(dst),
                        direction,
                        span: (p.start, end),
                        at: in_file.map(InFile::At),
                        line: p.line,
                        problems: Vec::new(),
                        parsed: Some(m),
                    });
                    return;
                }
                Ok(m) => p.sip = m.raw,
                Err(e) => p.sip = e.raw,
            }
        }
        let frames = framing::frame_block(&p.sip);
        let complete = ended || frames.iter().all(|f| f.problems.is_empty());
        if frames.is_empty() || !complete {
            sink.diagnostics.push(
                Diagnostic::warning(Code::IncompleteEntry, format!(
                    "A packet ({} {}) has no End line and its SIP text is incomplete (lines {}–{}); the fragment is not shown as a message.",
                    direction_phrase(direction),
                    if direction == Direction::Sent { &dst } else { &src },
                    p.line,
                    p.last_line
                ))
                .at(self.file, p.line),
            );
            sink.dropped.push((p.start, end));
            return;
        }
        let mut packet_problems = Vec::new();
        if !ended {
            packet_problems.push(Problem::new(
                Code::NoEndMarker,
                "The packet has no End line in the log.",
            ));
        }
        if let Some(n) = p.header.bytes {
            // The log adds a line break after the SIP text; a body that ended in CRLF has no extra one.
            let held = p.sip.len();
            if n != held {
                packet_problems.push(Problem::new(
                    Code::PacketSizeMismatch,
                    format!("The packet header announces {n} bytes; the log holds {held}."),
                ));
            }
        }
        let single = frames.len() == 1;
        let mut text = std::mem::take(&mut p.sip);
        for f in frames {
            let mut problems = packet_problems.clone();
            problems.extend(f.problems);
            // The common case, one message per packet: hand over the buffer instead of copying it.
            let sip = if single && f.range.start == 0 {
                text.truncate(f.range.end);
                text.shrink_to_fit();
                std::mem::take(&mut text)
            } else {
                text.get(f.range.clone()).unwrap_or(&[]).to_vec()
            };
            sink.records.push(Record {
                sip,
                time: p.time,
                src: Some(src.clone()),
                dst: Some(dst.clone()),
                direction: p.header.direction,
                span: (p.start, end),
                at: in_file.map(|a| InFile::At(a + f.range.start as u64)),
                line: p.line,
                problems,
                parsed: None,
            });
        }
    }
}

fn direction_phrase(d: Direction) -> &'static str {
    match d {
        Direction::Sent => "sent to",
        _ => "received from",
    }
}

impl super::LineImporter for UccApiImporter {
    fn reader(&mut self) -> &mut super::lines::LineReader {
        &mut self.lines
    }
    fn on_line(&mut self, line: super::lines::Line<'_>, sink: &mut Sink) {
        self.line(line, sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_parse() {
        let p = parse_prefix(
            b"03/30/2018|10:57:58.371 2738:14E0 INFO  :: Sending Packet - 211.208.253.66:5061",
        )
        .unwrap();
        assert_eq!(p.time().unwrap().to_string(), "2018-03-30T10:57:58.371");
        assert_eq!(p.thread, b"2738:14E0");
        assert_eq!(p.level, b"INFO");
        assert_eq!(p.text, b"Sending Packet - 211.208.253.66:5061");
        let p =
            parse_prefix(b"04/02/2018|18:21:48.021 1EC:1F0 TRACE :: CUccPresenceManager::Publish")
                .unwrap();
        assert_eq!(p.text, b"CUccPresenceManager::Publish");
        assert!(parse_prefix(b"Via: SIP/2.0/TLS 192.168.1.51:51882").is_none());
        assert!(parse_prefix(b"03/30/2018|10:57:58.371").is_none());
    }

    #[test]
    fn packet_headers_parse() {
        let h = parse_packet_header(b"Data Received -211.208.253.66:5061 (To Local Address: 192.168.1.51:51882) 3606 bytes:").unwrap();
        assert_eq!(h.direction, Direction::Received);
        assert_eq!(h.remote, "211.208.253.66:5061");
        assert_eq!(h.local, "192.168.1.51:51882");
        assert_eq!(h.bytes, Some(3606));
        let h = parse_packet_header(
            b"Sending Packet - [2001:db8::1]:5061 (From Local Address: [fe80::2]:50123) 12 bytes:",
        )
        .unwrap();
        assert_eq!(
            (h.remote.as_str(), h.local.as_str(), h.bytes),
            ("[2001:db8::1]:5061", "[fe80::2]:50123", Some(12))
        );
        assert!(parse_packet_header(b"End of Sending Packet - 1.2.3.4:5061").is_none());
    }
}
