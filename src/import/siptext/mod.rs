//! SIP text importer: SIP messages pasted, saved as text, quoted in documents and logs, or with lost line breaks.
//! Size: one line-driven state machine (blocks, quoting styles of other tools, lost line breaks) whose states
//! share the lookahead and the framing hand-off; split, the transitions would be spread over files (tests in
//! `siptext/tests.rs`).
//!
//! The text may be CRLF or LF; messages are framed by start lines, blank lines and Content-Length.
//!
//! The importer reads lines one at a time and cuts the text into **blocks**: runs of lines that hold SIP.
//! A block is framed into messages with [`framing::frame_block`] when it ends, so only one block (plus one
//! held blank line of lookahead) is ever kept. Text outside blocks (prose, configuration, other log lines) is
//! not SIP and is skipped.
//!
//! * **Plain text.** A block starts at a SIP start line (after a blank line, or when no block is open).
//!   While it runs, the importer follows the message being read: its headers (and Content-Length), the blank
//!   line that ends them, the body (as many bytes as Content-Length says, counted with CRLF line ends). Once
//!   a message is complete, a blank line followed by text that is not a start line ends the block: prose
//!   between messages never becomes part of a body unless Content-Length says so. Without a Content-Length,
//!   a body must look like one (`<…`, `v=0`, `--boundary`, `{`) unless the block is delimited by a log
//!   marker or a code fence. A start line after a blank line starts a new block, unless the current body is
//!   still expecting bytes (a `message/sipfrag` body).
//! * **Quoted text.** The start line's leading indentation and `>` or `|` quote marks (Markdown 4-space code
//!   blocks, `> ` e-mail quoting, `| ` bars) are the block's prefix: it is removed from every line of the block,
//!   and a line without it ends the block. A `|` right before the start line with no space after it marks that
//!   line alone (Cisco Expressway's ` SIPMSG:` / ` |INVITE …` / ` Via: …` / ` |`): the prefix is the
//!   indentation before it, and a line holding only `|` ends the block. Markdown code fences (```` ``` ````,
//!   `~~~`) end blocks.
//! * **Log markers** give the message's addresses and sometimes its time: Asterisk pjsip logger
//!   (`<--- Received SIP request (N bytes) from UDP:ip:port --->` → source;
//!   `<--- Transmitting SIP response (N bytes) to UDP:ip:port --->` → destination), chan_sip
//!   (`<--- SIP read from UDP:ip:port --->` … `<------------->`, `<--- Transmitting (no NAT) to ip:port --->`,
//!   `Reliably Transmitting (no NAT) to ip:port:`), Kamailio `sipdump` text files (`====================`,
//!   `tag: rcv|snd`, `time:`, `srcip:` …, `~~~~~~~~~~~~~~~~~~~~`, message, `||||||||||||||||||||`), and
//!   ngrep / sngrep address lines (`U 2019/01/30 10:29:28.316451 10.0.0.1:5060 -> 10.0.0.2:5060`). The other
//!   end is unknown when the marker names only one.
//! * **Double-spaced text** (documents that put a blank line after every line): when the start line is
//!   followed by a blank line and then a header line, blank lines between header lines are dropped, and a line
//!   after a header value ending in `;`, `,` or `:` continues that header.
//! * **Lost line breaks.** A line that holds a start line and at least three known header names (one of them
//!   Call-ID, CSeq or Via) is SIP whose line breaks were lost (copied from a web page). It is cut before the
//!   known header names (case-insensitive, at a token boundary, outside quoted strings and `<…>`); inlined
//!   UccApiLog prefixes are removed and their `Sending Packet` / `Data Received` headers give time, source and
//!   destination; human annotations (`<-`/`->` followed by text, outside quoted strings) are dropped; the body
//!   starts at a Snooper tree marker (`- <`, `+ <`), `<?xml`, a multipart boundary or a `<` after a header that
//!   never holds one, and is laid out one element per line. Every message rebuilt this way carries the problem
//!   [`RECONSTRUCTED`]. A line with literal `\r\n` escapes around a start line is split at them.
//!
//! Line breaks are CRLF in every record (bodies are counted that way).

pub mod vendor;

use super::lines::{Line, LineReader};
use super::uccapi;
use super::{Direction, InFile, LineImporter, Record, Sink};
use crate::base::diag::{Code, Diagnostic, Problem};
use crate::base::time::Timestamp;
use crate::sip::{framing, grammar, parser};

/// The problem attached to every message rebuilt from a line whose line breaks were lost.
pub const RECONSTRUCTED: &str =
    "reconstructed from text whose line breaks were lost; header values may include annotations";

/// A block larger than this is framed early (only pathological input: no blank line for megabytes).
pub const MAX_BLOCK_BYTES: usize = 8 * 1024 * 1024;

const SIPDUMP_START: &[u8] = b"====================";
const SIPDUMP_DATA: &[u8] = b"~~~~~~~~~~~~~~~~~~~~";
const SIPDUMP_END: &[u8] = b"||||||||||||||||||||";

// ---------------------------------------------------------------------------------------------------------
// Small byte helpers.

fn is_blank(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_whitespace)
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        )
}

/// `token *WSP ":"` at the start of the line → (name, value after the colon, trimmed).
fn header_line(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = s.iter().take_while(|&&b| is_token(b)).count();
    if n == 0 {
        return None;
    }
    let mut i = n;
    while matches!(s.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if s.get(i) != Some(&b':') {
        return None;
    }
    Some((&s[..n], s[i + 1..].trim_ascii()))
}

/// A line that can only start a body: XML/JSON, an SDP `x=` line, a multipart delimiter.
fn looks_like_body(s: &[u8]) -> bool {
    let s = s.trim_ascii_start();
    match s {
        [b'<' | b'{' | b'[', ..] => true,
        [b'-', b'-', ..] => true,
        [a, b'=', ..] => a.is_ascii_lowercase(),
        _ => false,
    }
}

fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

/// Leading indentation and quote marks: `>` (e-mail), `|` (a quoting bar; Cisco Expressway's mark before a start
/// line).
fn prefix_len(s: &[u8]) -> usize {
    s.iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'>' | b'|'))
        .count()
}

fn quote_depth(s: &[u8]) -> usize {
    s.iter().filter(|&&b| b == b'>' || b == b'|').count()
}

/// A Markdown code fence line (```` ``` ````, `~~~`), possibly indented or quoted.
fn is_fence(s: &[u8]) -> bool {
    let t = &s[prefix_len(s)..];
    t.starts_with(b"```") || t.starts_with(b"~~~")
}

/// chan_sip's end-of-message line: `<------------->`.
fn is_end_marker(s: &[u8]) -> bool {
    let t = s.trim_ascii();
    t.len() >= 5
        && t.first() == Some(&b'<')
        && t.last() == Some(&b'>')
        && t[1..t.len() - 1].iter().all(|&b| b == b'-')
}

/// `host:port`, `[v6]:port`: no whitespace, a port at the end.
fn addr_ok(a: &str) -> bool {
    let Some((host, port)) = a.rsplit_once(':') else {
        return false;
    };
    !host.is_empty()
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && !a.bytes().any(|b| b.is_ascii_whitespace())
        && host.bytes().any(|b| b.is_ascii_alphanumeric())
}

/// `UDP:1.2.3.4:5060` → `1.2.3.4:5060`.
fn strip_transport(a: &str) -> &str {
    for t in ["UDP:", "TCP:", "TLS:", "WSS:", "WS:", "SCTP:"] {
        // Compared as bytes: the text may hold a multi-byte character where the prefix would end.
        if a.len() > t.len() && a.as_bytes()[..t.len()].eq_ignore_ascii_case(t.as_bytes()) {
            return &a[t.len()..];
        }
    }
    a
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 9 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')))
}

/// `YYYY-MM-DD HH:MM:SS[.fff]` or `YYYY/MM/DD HH:MM:SS[.ffffff]` (date and time as two words).
fn parse_date_time(date: &str, time: &str) -> Option<Timestamp> {
    let d = date.as_bytes();
    if d.len() != 10 || !(d[4] == b'-' || d[4] == b'/') || d[7] != d[4] {
        return None;
    }
    let (y, mo, day) = (digits(&d[0..4])?, digits(&d[5..7])?, digits(&d[8..10])?);
    let t = time.as_bytes();
    if t.len() < 8 || t[2] != b':' || t[5] != b':' {
        return None;
    }
    let (h, mi, s) = (digits(&t[0..2])?, digits(&t[3..5])?, digits(&t[6..8])?);
    let ms = match t.get(8) {
        Some(b'.' | b',') => {
            let frac = &t[9..];
            let frac = &frac[..frac.len().min(3)];
            let mut v = digits(frac)?;
            for _ in frac.len()..3 {
                v *= 10;
            }
            v
        }
        None => 0,
        _ => return None,
    };
    Timestamp::from_parts(y as i32, mo, day, h, mi, s, ms)
}

// ---------------------------------------------------------------------------------------------------------
// Log markers.

/// What a log marker says about the message(s) after it.
#[derive(Debug, Clone)]
struct Meta {
    src: Option<String>,
    dst: Option<String>,
    direction: Direction,
    time: Option<Timestamp>,
    /// Where the marker is, for the record's span and line.
    start: u64,
    line: u32,
    /// ngrep `-W byline` shows each CR as a trailing `.`.
    strip_dot: bool,
}

impl Meta {
    fn new(direction: Direction) -> Meta {
        Meta {
            src: None,
            dst: None,
            direction,
            time: None,
            start: 0,
            line: 0,
            strip_dot: false,
        }
    }
}

/// A leading `[2014-10-13 16:12:17.349]` time stamp (Asterisk full log).
fn bracket_time(s: &str) -> Option<Timestamp> {
    let inner = s.trim_start().strip_prefix('[')?;
    let (inner, _) = inner.split_once(']')?;
    let (d, t) = inner.trim().split_once(' ')?;
    parse_date_time(d, t.trim())
}

/// pjsip / chan_sip markers.
fn asterisk_marker(s: &str) -> Option<Meta> {
    let time = bracket_time(s);
    let mk = |dir: Direction, addr: &str| -> Option<Meta> {
        let a = strip_transport(addr.trim());
        if !addr_ok(a) {
            return None;
        }
        let mut m = Meta::new(dir);
        match dir {
            Direction::Received => m.src = Some(a.to_string()),
            _ => m.dst = Some(a.to_string()),
        }
        m.time = time;
        Some(m)
    };
    if let Some(i) = s.find("<--- ") {
        let inner = &s[i + 5..];
        let inner = inner.split_once(" --->").map_or(inner, |(a, _)| a).trim();
        if inner.starts_with("Received SIP ") {
            let (_, addr) = inner.rsplit_once(" from ")?;
            return mk(Direction::Received, addr);
        }
        if inner.starts_with("Transmitting SIP ") || inner.starts_with("Transmitting (") {
            let (_, addr) = inner.rsplit_once(" to ")?;
            return mk(Direction::Sent, addr);
        }
        if let Some(addr) = inner.strip_prefix("SIP read from ") {
            return mk(Direction::Received, addr);
        }
        return None;
    }
    // `Reliably Transmitting (no NAT) to 10.24.17.254:37509:`, `Retransmitting #1 (NAT) to …:`.
    let t = s.trim();
    let body = t.strip_suffix(':')?;
    let word = body.split_whitespace().next()?;
    let word_at = body.find(word)?;
    let lead = body[..word_at].trim();
    if !(lead.is_empty() || lead.starts_with('[') || lead.ends_with(':')) {
        return None;
    }
    if !matches!(word, "Reliably" | "Transmitting" | "Retransmitting") {
        return None;
    }
    let (head, addr) = body.rsplit_once(" to ")?;
    if !head.contains("Transmitting") {
        return None;
    }
    mk(Direction::Sent, addr)
}

/// ngrep / sngrep: `[U|T] [YYYY/MM/DD HH:MM:SS.ffffff] src -> dst [flags]`.
fn address_line(s: &str) -> Option<Meta> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let k = words.iter().position(|w| *w == "->")?;
    if k == 0 || k + 1 >= words.len() {
        return None;
    }
    let (a, b) = (words[k - 1], words[k + 1]);
    if !addr_ok(a) || !addr_ok(b) {
        return None;
    }
    let before = &words[..k - 1];
    let after = &words[k + 2..];
    if !after
        .iter()
        .all(|w| w.starts_with('[') || w.starts_with('#'))
    {
        return None;
    }
    let mut time = None;
    let mut proto = false;
    let mut rest = before;
    if let [p, r @ ..] = rest {
        if matches!(*p, "U" | "T" | "I" | "S") {
            proto = true;
            rest = r;
        }
    }
    match rest {
        [] => {}
        [d, t] => time = Some(parse_date_time(d, t)?),
        _ => return None,
    }
    let mut m = Meta::new(Direction::Unknown);
    m.src = Some(a.to_string());
    m.dst = Some(b.to_string());
    m.time = time;
    m.strip_dot = proto;
    Some(m)
}

fn log_marker(s: &[u8]) -> Option<Meta> {
    if s.len() > 400 {
        return None;
    }
    let s = std::str::from_utf8(s).ok()?;
    if !s.contains("->") && !s.contains("Transmitting") && !s.contains("<--- ") {
        return None;
    }
    asterisk_marker(s).or_else(|| address_line(s))
}

/// Kamailio sipdump header fields, collected between `====…` and `~~~~…`.
#[derive(Debug, Default)]
struct SipDump {
    tag: String,
    time: Option<Timestamp>,
    srcip: String,
    srcport: String,
    dstip: String,
    dstport: String,
    start: u64,
    line: u32,
}

impl SipDump {
    fn field(&mut self, s: &[u8]) -> bool {
        let Some((name, value)) = header_line(s) else {
            return false;
        };
        let v = String::from_utf8_lossy(value).into_owned();
        match name {
            b"tag" => self.tag = v,
            b"srcip" => self.srcip = v,
            b"srcport" => self.srcport = v,
            b"dstip" => self.dstip = v,
            b"dstport" => self.dstport = v,
            b"time" => {
                let (secs, frac) = v.split_once('.').unwrap_or((v.as_str(), "0"));
                if let Ok(secs) = secs.parse::<i64>() {
                    let usec: i64 = frac
                        .get(..frac.len().min(6))
                        .unwrap_or("0")
                        .parse()
                        .unwrap_or(0);
                    let scale = 10i64.pow(6u32.saturating_sub(frac.len().min(6) as u32));
                    self.time = secs
                        .checked_mul(1000)
                        .and_then(|ms| ms.checked_add(usec * scale / 1000))
                        .map(Timestamp);
                }
            }
            _ => {}
        }
        true
    }

    fn meta(&self) -> Meta {
        let addr = |ip: &str, port: &str| {
            if ip.is_empty() {
                None
            } else if ip.contains(':') && !ip.starts_with('[') {
                Some(format!("[{ip}]:{port}"))
            } else {
                Some(format!("{ip}:{port}"))
            }
        };
        let direction = match self.tag.as_str() {
            "rcv" => Direction::Received,
            "snd" => Direction::Sent,
            _ => Direction::Unknown,
        };
        let mut m = Meta::new(direction);
        m.src = addr(&self.srcip, &self.srcport);
        m.dst = addr(&self.dstip, &self.dstport);
        m.time = self.time;
        m.start = self.start;
        m.line = self.line;
        m
    }
}

// ---------------------------------------------------------------------------------------------------------
// Following one message inside a block.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClState {
    None,
    One(usize),
    Bad,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Headers,
    /// Body bytes still expected (Content-Length known).
    Body(usize),
    /// No usable Content-Length; `started`: a body line was seen.
    BodyUnknown {
        started: bool,
    },
    /// The message is complete; `blank`: a blank line followed it.
    Done {
        blank: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct Tracker {
    state: State,
    cl: ClState,
    lines_since_start: u32,
    double_spaced: bool,
    /// The last header value ends with `;`, `,` or `:` (or is empty): the next line may continue it.
    prev_continues: bool,
    /// Body lines seen (blank ones included).
    body_lines: u32,
    /// The current header value has an unclosed quoted string.
    quote_open: bool,
    /// The current header never holds `<` (Content-Length, Content-Type, …).
    no_angle: bool,
}

impl Tracker {
    fn new() -> Tracker {
        Tracker {
            state: State::Headers,
            cl: ClState::None,
            lines_since_start: 0,
            double_spaced: false,
            prev_continues: false,
            body_lines: 0,
            quote_open: false,
            no_angle: false,
        }
    }

    fn expects_body(&self) -> bool {
        matches!(self.state, State::Body(n) if n > 0)
    }

    /// In double-spaced text, whether `s` (not a header line) continues the previous header: the value ended
    /// with `;`, `,`, `:` or `=`, or the line starts with `;` or `,`.
    fn continues_with(&self, s: &[u8]) -> bool {
        self.double_spaced
            && self.state == State::Headers
            && self.lines_since_start > 0
            && !(self.no_angle && s.trim_ascii_start().first() == Some(&b'<'))
            && (self.prev_continues || matches!(s.trim_ascii_start().first(), Some(b';' | b',')))
    }

    /// Whether a start line (not a header, not a body line) begins a new message block here.
    fn start_line_splits(&self, after_blank: bool) -> bool {
        match self.state {
            State::Headers => false,
            // A `message/sipfrag` body starts with a start line; later in a body a start line is not body.
            State::Body(_) => self.body_lines > 0,
            State::BodyUnknown { started } => started || after_blank,
            // The message is complete (Content-Length said so): a start line is the next message, blank line
            // or not (saved streams put none), so blocks stay one message long.
            State::Done { .. } => true,
        }
    }

    fn header(&mut self, s: &[u8]) {
        self.lines_since_start += 1;
        let folded = matches!(s.first(), Some(b' ' | b'\t'));
        let parsed = if folded { None } else { header_line(s) };
        if !folded {
            self.quote_open = false;
            self.no_angle = parsed.is_some_and(|(name, _)| {
                NO_ANGLE
                    .iter()
                    .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
            });
        }
        let value = match parsed {
            Some((name, value)) => {
                if name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l") {
                    let n = std::str::from_utf8(value)
                        .ok()
                        .and_then(|v| v.parse::<usize>().ok());
                    self.cl = match (self.cl, n) {
                        (ClState::None, Some(n)) => ClState::One(n),
                        (ClState::One(a), Some(n)) if a == n => ClState::One(a),
                        _ => ClState::Bad,
                    };
                }
                value
            }
            None => s.trim_ascii(),
        };
        if value.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            self.quote_open = !self.quote_open;
        }
        self.prev_continues = value.is_empty()
            || self.quote_open
            || matches!(value.last(), Some(b';' | b',' | b':' | b'='));
    }

    fn consume(&mut self, n: usize) {
        if let State::Body(rem) = self.state {
            self.body_lines += 1;
            let rem = rem.saturating_sub(n);
            self.state = if rem == 0 {
                State::Done { blank: false }
            } else {
                State::Body(rem)
            };
        }
    }

    fn blank(&mut self) {
        match self.state {
            State::Headers => {
                self.state = match self.cl {
                    ClState::One(0) => State::Done { blank: true },
                    ClState::One(n) => State::Body(n),
                    _ => State::BodyUnknown { started: false },
                }
            }
            State::Body(_) => self.consume(2),
            State::BodyUnknown { started: true } => self.state = State::Done { blank: true },
            State::BodyUnknown { started: false } => {}
            State::Done { .. } => self.state = State::Done { blank: true },
        }
    }

    /// A body line `s` (in Headers state: the body starts without a blank line).
    fn body_line(&mut self, s: &[u8]) {
        match self.state {
            State::Headers => {
                self.state = match self.cl {
                    ClState::One(n) => State::Body(n),
                    _ => State::BodyUnknown { started: true },
                };
                self.consume(s.len() + 2);
            }
            State::Body(_) => self.consume(s.len() + 2),
            State::BodyUnknown { .. } => self.state = State::BodyUnknown { started: true },
            State::Done { .. } => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Blocks.

/// Where a line of the block came from.
#[derive(Debug, Clone, Copy)]
struct Mark {
    /// Offset of the line in the block text.
    at: usize,
    number: u32,
    start: u64,
    end: u64,
}

#[derive(Debug, Clone, Copy)]
struct LineInfo {
    number: u32,
    start: u64,
    end: u64,
    terminated: bool,
    /// The line ended with CRLF (or the file is UTF-16, where the original break is not known): the break
    /// is kept as it was, so a body keeps its bytes.
    crlf: bool,
    /// The line's text is the file's bytes at `start` (UTF-8), `text_len` of them, at address `text_addr`
    /// while the line is being read (what tells where a slice of it pushed into a block came from).
    verbatim: bool,
    text_len: usize,
    text_addr: usize,
}

impl LineInfo {
    fn of(l: &Line<'_>) -> LineInfo {
        // A UTF-8 line that ended with a bare LF takes exactly one byte more than its text.
        let lf = l.terminated && l.end.saturating_sub(l.start) == l.text.len() as u64 + 1;
        LineInfo {
            number: l.number,
            start: l.start,
            end: l.end,
            terminated: l.terminated,
            crlf: !lf,
            verbatim: l.verbatim,
            text_len: l.text.len(),
            text_addr: l.text.as_ptr() as usize,
        }
    }
}

enum Outcome {
    Continue,
    /// A start line after a blank line: close this block, open a new one at this line.
    NewBlock,
    /// The line is not part of the block: close it, then treat the line as outside any block.
    End,
}

/// One run of lines that holds SIP.
#[derive(Debug)]
struct Block {
    text: Vec<u8>,
    /// Indentation and quote marks removed from every line.
    prefix: Vec<u8>,
    /// The start line was marked with `|`: a line holding only `|` (after the prefix) ends the block.
    pipe_end: bool,
    meta: Option<Meta>,
    /// Inside a code fence or after a log marker: a body without Content-Length runs to the delimiter.
    delimited: bool,
    marks: Vec<Mark>,
    tracker: Tracker,
    after_blank: bool,
    held: Option<LineInfo>,
    problems: Vec<Problem>,
    /// Where `text` begins in the file and whether it is the file's bytes unchanged so far (each line's tail
    /// with its own line break, no line or prefix skipped between them); `next` is where the next must start.
    at: Option<u64>,
    next: u64,
    verbatim: bool,
}

impl Block {
    fn new(prefix: &[u8], meta: Option<Meta>, delimited: bool) -> Block {
        Block {
            text: Vec::with_capacity(1024),
            prefix: prefix.to_vec(),
            pipe_end: false,
            delimited: delimited || meta.is_some(),
            meta,
            marks: Vec::new(),
            tracker: Tracker::new(),
            after_blank: false,
            held: None,
            problems: Vec::new(),
            at: None,
            next: 0,
            verbatim: true,
        }
    }

    /// The line without the block's prefix; `None` when the line does not belong to the block.
    fn strip<'a>(&self, line: &'a [u8]) -> Option<&'a [u8]> {
        if let Some(rest) = line.strip_prefix(self.prefix.as_slice()) {
            return Some(rest);
        }
        let p = prefix_len(line);
        if is_blank(&line[p..]) && quote_depth(&line[..p]) == quote_depth(&self.prefix) {
            return Some(b"");
        }
        None
    }

    fn push(&mut self, s: &[u8], info: LineInfo) {
        // Where `s` is in the file, if it is the end of the line as read (a prefix stripped at most) and the file
        // holds it and then exactly the line break appended below. An empty `s` stands for an empty line only.
        let skipped = if s.is_empty() {
            Some(info.text_len)
        } else {
            (s.as_ptr() as usize)
                .checked_sub(info.text_addr)
                .filter(|&k| k + s.len() == info.text_len)
        };
        let at = skipped.and_then(|skipped| {
            let at = info.start + skipped as u64;
            let brk = if !info.terminated {
                0
            } else if info.crlf {
                2
            } else {
                1
            };
            let ends = info.end == at + s.len() as u64 + brk;
            (info.verbatim && ends && (!s.is_empty() || info.text_len == 0)).then_some(at)
        });
        if self.text.is_empty() {
            self.at = at;
        }
        self.verbatim &= at.is_some_and(|a| self.text.is_empty() || a == self.next);
        self.next = info.end;
        self.marks.push(Mark {
            at: self.text.len(),
            number: info.number,
            start: info.start,
            end: info.end,
        });
        self.text.extend_from_slice(s);
        if info.terminated {
            self.text
                .extend_from_slice(if info.crlf { b"\r\n" } else { b"\n" });
        }
    }

    fn release_held(&mut self) {
        if let Some(h) = self.held.take() {
            self.push(b"", h);
            self.tracker.blank();
        }
    }

    fn feed(&mut self, s: &[u8], info: LineInfo) -> Outcome {
        let blank = is_blank(s);
        let start = !blank && parser::is_start_line(s);
        if self.held.is_some() {
            let t = &self.tracker;
            let header_like = !blank && !start && (header_line(s).is_some() || t.continues_with(s));
            if header_like {
                if t.lines_since_start == 0 {
                    self.tracker.double_spaced = true;
                }
                self.held = None;
            } else {
                self.release_held();
            }
        }
        if blank {
            self.after_blank = true;
            let t = &self.tracker;
            if t.state == State::Headers && (t.lines_since_start == 0 || t.double_spaced) {
                self.held = Some(info);
                return Outcome::Continue;
            }
            self.push(b"", info);
            self.tracker.blank();
            return Outcome::Continue;
        }
        let was_after_blank = std::mem::replace(&mut self.after_blank, false);
        if start {
            if self.tracker.start_line_splits(was_after_blank) {
                return Outcome::NewBlock;
            }
            self.push(s, info);
            self.tracker = Tracker::new();
            return Outcome::Continue;
        }
        match self.tracker.state {
            State::Headers => {
                let fold =
                    matches!(s.first(), Some(b' ' | b'\t')) && self.tracker.lines_since_start > 0;
                if header_line(s).is_some() || fold {
                    self.push(s, info);
                    self.tracker.header(s);
                } else if self.tracker.continues_with(s) {
                    // A header value broken over lines without indentation: make it a folded line.
                    let mut folded = Vec::with_capacity(s.len() + 1);
                    folded.push(b' ');
                    folded.extend_from_slice(s.trim_ascii());
                    self.push(&folded, info);
                    // Rebuilt, not copied: the text is no longer the file's.
                    self.verbatim = false;
                    self.tracker.header(&folded);
                } else if matches!(self.tracker.cl, ClState::One(n) if n > 0) || looks_like_body(s)
                {
                    self.push(s, info);
                    self.tracker.body_line(s);
                } else {
                    return Outcome::End;
                }
            }
            State::Body(rem) => {
                self.push(s, info);
                if rem < s.len() && parser::is_start_line(&s[rem..]) {
                    // A saved TCP stream: the body ends without a line break and the next message starts on
                    // the same line (framing cuts it there by Content-Length).
                    self.tracker = Tracker::new();
                } else {
                    self.tracker.body_line(s);
                }
            }
            State::BodyUnknown { started } => {
                if started || self.delimited || looks_like_body(s) {
                    self.push(s, info);
                    self.tracker.body_line(s);
                } else {
                    return Outcome::End;
                }
            }
            State::Done { blank } => {
                if blank {
                    return Outcome::End;
                }
                // Text right after the body: the body is longer than Content-Length says (framing reports it).
                self.push(s, info);
            }
        }
        Outcome::Continue
    }
}

// ---------------------------------------------------------------------------------------------------------
// The importer.

/// Streaming importer for SIP text.
#[derive(Debug)]
pub struct SipTextImporter {
    file: u32,
    lines: LineReader,
    block: Option<Box<Block>>,
    in_fence: bool,
    /// A log marker was seen; the next start line gets its addresses.
    pending: Option<Meta>,
    sipdump: Option<Box<SipDump>>,
    messages: u32,
    /// The product whose log this is: its reader sees each line first ([`vendor`]).
    vendor: Option<Box<vendor::Reader>>,
    /// The product reader announced a message whose first line has not come yet.
    announced: bool,
    /// Where the last line a product reader saw was (what it hands on at the end of the file is placed there).
    last_line: Option<LineInfo>,
    /// Messages a product reader announced that were not read.
    unread: vendor::Unread,
}

impl SipTextImporter {
    pub fn new(file: u32) -> Self {
        SipTextImporter {
            file,
            lines: LineReader::new(),
            block: None,
            in_fence: false,
            pending: None,
            sipdump: None,
            messages: 0,
            vendor: None,
            announced: false,
            last_line: None,
            unread: vendor::Unread::default(),
        }
    }

    /// The importer of a product's log: SIP text whose lines the product's reader sees first.
    pub fn with_product(file: u32, product: vendor::Product) -> Self {
        SipTextImporter {
            vendor: Some(Box::new(vendor::Reader::new(product))),
            ..SipTextImporter::new(file)
        }
    }

    /// The product whose log this is, when it is one.
    pub fn product(&self) -> Option<vendor::Product> {
        self.vendor.as_ref().map(|v| v.product())
    }

    pub fn push(&mut self, chunk: &[u8], sink: &mut Sink) {
        self.feed(chunk, sink);
    }

    pub fn finish(&mut self, sink: &mut Sink) {
        self.feed_end(sink);
        if let Some(v) = self.vendor.as_mut() {
            let mut outs = Vec::new();
            v.finish(&mut outs);
            self.apply(outs, None, sink);
            self.apply(vec![vendor::Out::End], None, sink);
            sink.diagnostics.extend(self.unread.diagnostics(self.file));
        }
        self.end_block(sink);
        if self.messages == 0 {
            sink.diagnostics.push(
                Diagnostic::error(Code::NoSipMessages, "No SIP message found in this text.")
                    .in_file(self.file),
            );
        }
    }

    fn end_block(&mut self, sink: &mut Sink) {
        if let Some(mut b) = self.block.take() {
            b.release_held();
            self.flush(*b, sink);
        }
    }

    fn line(&mut self, l: Line<'_>, sink: &mut Sink) {
        if let Some(v) = self.vendor.as_mut() {
            let mut outs = Vec::new();
            if v.line(&l, &mut outs) {
                self.apply(outs, Some(&l), sink);
                return;
            }
            self.apply(outs, Some(&l), sink);
        }
        let text = l.text;
        // Kamailio sipdump header fields.
        if let Some(d) = self.sipdump.as_mut() {
            if text.trim_ascii() == SIPDUMP_DATA {
                let mut meta = d.meta();
                meta.strip_dot = false;
                self.pending = Some(meta);
                self.sipdump = None;
                return;
            }
            if d.field(text) {
                return;
            }
            self.sipdump = None;
        }
        if is_fence(text) {
            self.end_block(sink);
            self.in_fence = !self.in_fence;
            self.pending = None;
            return;
        }
        if is_end_marker(text) {
            self.end_block(sink);
            self.pending = None;
            return;
        }
        let trimmed = text.trim_ascii_end();
        if trimmed.ends_with(SIPDUMP_END) {
            // The dump writes the message as it was: without a final line break the bars follow its last byte.
            let before = &trimmed[..trimmed.len() - SIPDUMP_END.len()];
            if !before.is_empty() {
                let mut info = LineInfo::of(&l);
                info.terminated = false;
                self.content_line(before, info, sink);
            }
            self.end_block(sink);
            self.pending = None;
            return;
        }
        if text.trim_ascii() == SIPDUMP_START {
            self.end_block(sink);
            self.pending = None;
            self.sipdump = Some(Box::new(SipDump {
                start: l.start,
                line: l.number,
                ..SipDump::default()
            }));
            return;
        }
        if let Some(mut meta) = log_marker(text) {
            self.end_block(sink);
            meta.start = l.start;
            meta.line = l.number;
            self.pending = Some(meta);
            return;
        }
        let in_body = self
            .block
            .as_ref()
            .is_some_and(|b| b.tracker.expects_body());
        if !in_body && memchr::memmem::find(text, b"SIP/2.0").is_some() {
            if let Some(found) = recover_line(text) {
                self.end_block(sink);
                self.pending = None;
                self.emit_recovered(found, &l, sink);
                return;
            }
        }
        self.content_line(text, LineInfo::of(&l), sink);
    }

    /// A block grown past [`MAX_BLOCK_BYTES`] is framed now, with a problem saying so.
    fn cap_block(&mut self, sink: &mut Sink) {
        if let Some(b) = self.block.as_mut() {
            if b.text.len() > MAX_BLOCK_BYTES {
                b.problems.push(Problem::new(
                    Code::EntryTooLarge,
                    format!(
                        "the text has no blank line for more than {} MiB; it was cut there",
                        MAX_BLOCK_BYTES >> 20
                    ),
                ));
                self.end_block(sink);
            }
        }
    }

    fn content_line(&mut self, text: &[u8], info: LineInfo, sink: &mut Sink) {
        self.cap_block(sink);
        self.content_line_in(text, info, sink);
        // The line that made the block too large ends it, even when no line follows.
        self.cap_block(sink);
    }

    fn content_line_in(&mut self, text: &[u8], info: LineInfo, sink: &mut Sink) {
        if let Some(b) = self.block.as_mut() {
            if let Some(s) = b.strip(text) {
                if b.pipe_end && s.trim_ascii() == b"|" {
                    self.end_block(sink);
                    return;
                }
                let on = b.meta.as_ref().is_some_and(|m| m.strip_dot);
                let s = match s {
                    [rest @ .., b'.'] if on => rest,
                    _ => s,
                };
                match b.feed(s, info) {
                    Outcome::Continue => return,
                    Outcome::NewBlock => {
                        self.end_block(sink);
                        self.open(text, info);
                        return;
                    }
                    Outcome::End => self.end_block(sink),
                }
            } else {
                self.end_block(sink);
            }
        }
        self.open(text, info);
    }

    /// Outside any block: a start line (after indentation and quote marks) opens one.
    fn open(&mut self, text: &[u8], info: LineInfo) {
        let p = prefix_len(text);
        let on = self.pending.as_ref().is_some_and(|m| m.strip_dot);
        let rest = match &text[p..] {
            [r @ .., b'.'] if on => r,
            r => r,
        };
        if parser::is_start_line(rest) {
            let meta = self.pending.take();
            // A `|` right before the start line (no space after it) marks that line only, as Cisco Expressway
            // writes a message: the other lines carry the indentation alone, and a bare `|` closes the message.
            let pipe_mark = text[..p].last() == Some(&b'|');
            let prefix = if pipe_mark {
                &text[..p - 1]
            } else {
                &text[..p]
            };
            let mut b = Box::new(Block::new(prefix, meta, self.in_fence));
            b.pipe_end = pipe_mark;
            let _ = b.feed(rest, info);
            self.block = Some(b);
        } else if !is_blank(rest) {
            // A marker followed by something that is not SIP.
            self.pending = None;
        }
    }

    fn flush(&mut self, b: Block, sink: &mut Sink) {
        for f in framing::frame_block(&b.text) {
            // The lines where the message starts and ends (marks are in text order: a binary search, so a
            // block of many messages is framed in linear time).
            let at = |n: usize| n.checked_sub(1).map(|i| &b.marks[i]);
            let first = at(b.marks.partition_point(|m| m.at <= f.range.start)).or(b.marks.first());
            let last = at(b.marks.partition_point(|m| m.at < f.range.end)).or(first);
            let (Some(first), Some(last)) = (first, last) else {
                continue;
            };
            let mut sip = b.text.get(f.range.clone()).unwrap_or(&[]).to_vec();
            trim_extra_blank_lines(&mut sip);
            let mut start = first.start;
            let mut line = first.number;
            let (mut src, mut dst, mut time, mut direction) =
                (None, None, None, Direction::Unknown);
            if let Some(m) = &b.meta {
                if b.marks.first().is_some_and(|m| m.at == first.at) {
                    start = m.start;
                    if m.line > 0 {
                        line = m.line;
                    }
                }
                src = m.src.clone();
                dst = m.dst.clone();
                time = m.time;
                direction = m.direction;
            }
            let mut problems = b.problems.clone();
            problems.extend(f.problems);
            self.messages += 1;
            sink.records.push(Record {
                parsed: None,
                sip,
                time,
                src,
                dst,
                direction,
                span: (start, last.end.max(start)),
                at: b
                    .at
                    .filter(|_| b.verbatim)
                    .map(|a| InFile::At(a + f.range.start as u64)),
                line,
                problems,
            });
        }
    }

    fn emit_recovered(&mut self, found: Vec<Recovered>, l: &Line<'_>, sink: &mut Sink) {
        for r in found {
            let frames = framing::frame_block(&r.sip);
            for f in frames {
                let mut problems = Vec::new();
                if r.reconstructed {
                    problems.push(Problem::new(Code::LostLineBreaks, RECONSTRUCTED));
                }
                problems.extend(f.problems);
                let sip = r.sip.get(f.range.clone()).unwrap_or(&[]).to_vec();
                self.messages += 1;
                sink.records.push(Record {
                    parsed: None,
                    sip,
                    time: r.time,
                    src: r.src.clone(),
                    dst: r.dst.clone(),
                    direction: r.direction,
                    span: (l.start, l.end),
                    at: None,
                    line: l.number,
                    problems,
                });
            }
        }
    }
}

/// Trailing blank lines separate messages in text; they are not part of the message: keep at most the two
/// line breaks that end the header section (or the body's last line and one more).
fn trim_extra_blank_lines(sip: &mut Vec<u8>) {
    let run = sip
        .iter()
        .rev()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    let start = sip.len() - run;
    let mut breaks = 0;
    for i in start..sip.len() {
        if sip[i] == b'\n' {
            breaks += 1;
            if breaks == 2 {
                sip.truncate(i + 1);
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Detection helpers (the format detector in `import::detect` uses these).

/// Whether a line shows SIP text: a start line (after indentation and `>` quote marks), a SIP log marker
/// (pjsip, chan_sip), or SIP whose line breaks were lost ([`is_collapsed_line`]).
pub fn sniff_line(line: &[u8]) -> bool {
    let p = prefix_len(line);
    parser::is_start_line(&line[p..])
        || std::str::from_utf8(line)
            .ok()
            .and_then(asterisk_marker)
            .is_some()
        || is_collapsed_line(line)
}

/// Whether a line holds a whole SIP message whose line breaks were lost (a start line followed by at least
/// three known header names, or by literal `\r\n` escapes). Such a line may start with a UccApiLog prefix;
/// the detector should treat the file as SIP text, not as a client log, when its prefixed lines are like this.
pub fn is_collapsed_line(line: &[u8]) -> bool {
    memchr::memmem::find(line, b"SIP/2.0").is_some() && collapsed_start(line).is_some()
}

// ---------------------------------------------------------------------------------------------------------
// Recovering SIP from one line whose line breaks were lost.

/// A message rebuilt from one line.
#[derive(Debug, Clone)]
struct Recovered {
    sip: Vec<u8>,
    time: Option<Timestamp>,
    src: Option<String>,
    dst: Option<String>,
    direction: Direction,
    reconstructed: bool,
}

/// Header names the text is cut before (lower case). Only these can be told apart from header values.
const KNOWN_HEADERS: &[&str] = &[
    "via",
    "max-forwards",
    "from",
    "to",
    "call-id",
    "cseq",
    "contact",
    "user-agent",
    "server",
    "event",
    "allow-events",
    "accept",
    "accept-encoding",
    "accept-language",
    "allow",
    "supported",
    "unsupported",
    "require",
    "proxy-require",
    "proxy-authorization",
    "proxy-authenticate",
    "proxy-authentication-info",
    "authorization",
    "www-authenticate",
    "authentication-info",
    "content-type",
    "content-length",
    "content-encoding",
    "content-disposition",
    "expires",
    "min-expires",
    "subscription-state",
    "record-route",
    "route",
    "date",
    "retry-after",
    "warning",
    "reason",
    "subject",
    "priority",
    "organization",
    "call-info",
    "alert-info",
    "error-info",
    "in-reply-to",
    "reply-to",
    "referred-by",
    "refer-to",
    "replaces",
    "session-expires",
    "min-se",
    "rseq",
    "rack",
    "sip-etag",
    "sip-if-match",
    "mime-version",
    "path",
    "service-route",
    "history-info",
    "diversion",
    "privacy",
    "p-asserted-identity",
    "p-preferred-identity",
    "ms-user-logon-data",
    "ms-piggyback-cseq",
    "ms-diagnostics",
    "ms-diagnostics-public",
    "ms-keep-alive",
    "ms-conversation-id",
    "ms-text-format",
    "ms-endpoint-location-data",
    "ms-subnet",
    "ms-client-diagnostics",
    "ms-edge-proxy-message-trust",
    "ms-trunking-peer",
    "ms-split-domain-info",
    "ms-asserted-verification-level",
    "ms-exchange-command",
    "ms-accepted-content-id",
];

/// Headers whose values never hold `<`: a `<` after one of them starts the body.
const NO_ANGLE: &[&str] = &[
    "content-length",
    "content-type",
    "content-encoding",
    "content-disposition",
    "cseq",
    "call-id",
    "max-forwards",
    "expires",
    "min-expires",
    "event",
    "allow-events",
    "supported",
    "require",
    "proxy-require",
    "allow",
    "accept",
    "user-agent",
    "server",
    "subscription-state",
    "ms-piggyback-cseq",
    "ms-user-logon-data",
];

/// MIME part headers inside a multipart body.
const PART_HEADERS: &[&str] = &[
    "content-type",
    "content-id",
    "content-transfer-encoding",
    "content-disposition",
    "content-description",
    "content-length",
];

/// A known header name at `i` (after whitespace or at 0), followed by optional blanks and `:`. Returns the
/// index into `names` and the length up to and including the colon.
fn name_at(s: &[u8], i: usize, names: &[&str]) -> Option<(usize, usize)> {
    if i > 0 && !s[i - 1].is_ascii_whitespace() {
        return None;
    }
    let first = s.get(i)?.to_ascii_lowercase();
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let mut best: Option<(usize, usize)> = None;
    for (k, n) in names.iter().enumerate() {
        let n = n.as_bytes();
        if n[0] != first || !starts_with_ci(&s[i..], n) {
            continue;
        }
        let mut j = i + n.len();
        while matches!(s.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        if s.get(j) == Some(&b':') && best.is_none_or(|(_, len)| n.len() > len) {
            best = Some((k, j + 1 - i));
        }
    }
    best
}

fn is_arrow(s: &[u8], i: usize) -> bool {
    (i == 0 || s[i - 1].is_ascii_whitespace())
        && (s[i..].starts_with(b"<-") || s[i..].starts_with(b"->"))
        && !s[i..].starts_with(b"<--")
        && !s[i..].starts_with(b"-->")
}

/// Where the start line begins in a line, when the line is collapsed SIP: `(start, escaped)`.
fn collapsed_start(line: &[u8]) -> Option<(usize, bool)> {
    let start = find_start(line)?;
    let rest = &line[start..];
    let escaped = memchr::memmem::find_iter(rest, b"\\r\\n").take(3).count() >= 2;
    if escaped {
        return Some((start, true));
    }
    let mut seen = [false; 96];
    let mut key = false;
    let mut count = 0;
    for i in memchr::memchr2_iter(b' ', b'\t', rest) {
        if let Some((k, _)) = name_at(rest, i + 1, KNOWN_HEADERS) {
            if k < seen.len() && !seen[k] {
                seen[k] = true;
                count += 1;
                key |= matches!(KNOWN_HEADERS[k], "call-id" | "cseq" | "via");
            }
        }
    }
    (count >= 3 && key).then_some((start, false))
}

/// The earliest SIP start line inside a line: `SIP/2.0 NNN …` or `METHOD uri SIP/2.0`.
fn find_start(line: &[u8]) -> Option<usize> {
    for j in memchr::memmem::find_iter(line, b"SIP/2.0") {
        let boundary = j == 0 || line[j - 1].is_ascii_whitespace();
        let after = &line[j + 7..];
        // Status line.
        if boundary
            && after.len() >= 4
            && after[0] == b' '
            && after[1..4].iter().all(u8::is_ascii_digit)
            && after.get(4).is_none_or(|b| b.is_ascii_whitespace())
        {
            return Some(j);
        }
        // Request line ending here.
        if j >= 2
            && line[j - 1] == b' '
            && after
                .first()
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'\\')
        {
            // A request line is short: look back at most 4 KiB (a line of megabytes stays linear).
            let base = j.saturating_sub(4096);
            let before = line[base..j].trim_ascii_end();
            let uri_start = before
                .iter()
                .rposition(|b| b.is_ascii_whitespace())
                .map_or(0, |p| p + 1);
            let uri = &before[uri_start..];
            if uri.is_empty() || !uri.contains(&b':') {
                continue;
            }
            let before = before[..uri_start].trim_ascii_end();
            let m_start = before
                .iter()
                .rposition(|b| b.is_ascii_whitespace())
                .map_or(0, |p| p + 1);
            let method = &before[m_start..];
            if !method.is_empty()
                && method.iter().all(|&b| is_token(b))
                && method.iter().any(u8::is_ascii_uppercase)
                && !method.iter().any(u8::is_ascii_lowercase)
            {
                return Some(base + m_start);
            }
        }
    }
    None
}

/// Find UccApiLog prefixes (`MM/DD/YYYY|HH:MM:SS.mmm TID LEVEL :: `) inside a line: (start, text start).
fn inline_prefixes(line: &[u8]) -> Vec<(usize, usize, Option<Timestamp>)> {
    let mut out = Vec::new();
    for p in memchr::memchr_iter(b'|', line) {
        if p < 10 {
            continue;
        }
        let at = p - 10;
        if at > 0 && !line[at - 1].is_ascii_whitespace() {
            continue;
        }
        if let Some(prefix) = uccapi::parse_prefix(&line[at..]) {
            let text_at = line.len() - prefix.text.len();
            out.push((at, text_at, prefix.time()));
        }
    }
    out
}

/// Recover the SIP message(s) of one line whose line breaks were lost; `None` when the line is not such.
fn recover_line(line: &[u8]) -> Option<Vec<Recovered>> {
    let (first_start, escaped) = collapsed_start(line)?;
    if escaped {
        let text = &line[first_start..];
        let mut sip = Vec::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = memchr::memmem::find(rest, b"\\r\\n") {
            sip.extend_from_slice(&rest[..i]);
            sip.extend_from_slice(b"\r\n");
            rest = &rest[i + 4..];
        }
        sip.extend_from_slice(rest.trim_ascii_end());
        return Some(vec![Recovered {
            sip,
            time: None,
            src: None,
            dst: None,
            direction: Direction::Unknown,
            reconstructed: false,
        }]);
    }
    let prefixes = inline_prefixes(line);
    // The whole line from its first start line, rebuilt: when no prefix cuts it, or no segment held a message.
    let whole = || Recovered {
        sip: rebuild(&line[first_start..]),
        time: None,
        src: None,
        dst: None,
        direction: Direction::Unknown,
        reconstructed: true,
    };
    let mut out = Vec::new();
    if prefixes.is_empty() {
        out.push(whole());
        return Some(out);
    }
    // Segments between prefixes: packet headers, start + SIP, End lines, other traces.
    let mut packet: Option<(uccapi::PacketHeader, Option<Timestamp>)> = None;
    for (k, &(_, text_at, time)) in prefixes.iter().enumerate() {
        let end = prefixes.get(k + 1).map_or(line.len(), |p| p.0);
        let seg = line.get(text_at..end).unwrap_or(&[]);
        if seg.starts_with(b"Sending Packet -") || seg.starts_with(b"Data Received -") {
            let cut = memchr::memmem::find(seg, b"bytes:").map_or(seg.len(), |i| i + 6);
            packet = uccapi::parse_packet_header(&seg[..cut]).map(|h| (h, time));
            continue;
        }
        if seg.starts_with(b"End of ") {
            packet = None;
            continue;
        }
        let Some(s) = find_start(seg) else { continue };
        if !seg[..s].trim_ascii().is_empty() {
            continue;
        }
        let (src, dst, direction, t) = match &packet {
            Some((h, t)) => match h.direction {
                Direction::Sent => (
                    Some(h.local.clone()),
                    Some(h.remote.clone()),
                    h.direction,
                    *t,
                ),
                _ => (
                    Some(h.remote.clone()),
                    Some(h.local.clone()),
                    h.direction,
                    *t,
                ),
            },
            None => (None, None, Direction::Unknown, time),
        };
        out.push(Recovered {
            sip: rebuild(&seg[s..]),
            time: t,
            src,
            dst,
            direction,
            reconstructed: true,
        });
    }
    if out.is_empty() {
        out.push(whole());
    }
    Some(out)
}

/// A header piece of collapsed text.
struct Piece {
    start: usize,
    end: usize,
    /// Where an annotation starts (the value ends there).
    cut: Option<usize>,
    name: usize,
}

/// The value of parameter `name` (`boundary=…`, maybe quoted) in a header value ([`grammar::param_value_bytes`]).
fn param_value<'a>(value: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    grammar::param_value_bytes(value, name).map(|r| &value[r])
}

/// Whether the body starts at `i` of collapsed text `s`.
fn body_starts(s: &[u8], i: usize, current: Option<&str>, boundary: Option<&[u8]>) -> bool {
    if i > 0 && !s[i - 1].is_ascii_whitespace() {
        return false;
    }
    let t = &s[i..];
    if t.starts_with(b"- <") || t.starts_with(b"+ <") || t.starts_with(b"<?xml") {
        return true;
    }
    if let Some(rest) = t.strip_prefix(b"--") {
        if let Some(b) = boundary {
            if !b.is_empty() && rest.starts_with(b) {
                return true;
            }
        }
        let n = rest
            .iter()
            .take_while(|&&c| c.is_ascii_alphanumeric() || b"'()+_,-./=?".contains(&c))
            .count();
        if n >= 8 && starts_with_ci(rest[n..].trim_ascii_start(), b"content-") {
            return true;
        }
    }
    if t.first() == Some(&b'<') && t.get(1).is_some_and(|b| b.is_ascii_alphabetic()) {
        if let Some(c) = current {
            return NO_ANGLE.contains(&c);
        }
    }
    false
}

/// Cut collapsed text into header pieces and the body start.
fn split_pieces(
    s: &[u8],
    names: &[&str],
    no_body: bool,
) -> (usize, Vec<Piece>, Option<usize>, Option<Vec<u8>>) {
    let mut pieces: Vec<Piece> = Vec::new();
    let (mut in_q, mut in_b, mut annot) = (false, false, false);
    let mut lead_cut: Option<usize> = None;
    let mut boundary: Option<Vec<u8>> = None;
    let mut body = None;
    let mut i = 0;
    while i < s.len() {
        let free = (!in_q && !in_b) || annot;
        if free && (i == 0 || s[i - 1].is_ascii_whitespace()) {
            if let Some((k, len)) = name_at(s, i, names) {
                if let Some(p) = pieces.last_mut() {
                    p.end = i;
                    let value = &s[p.start..p.cut.unwrap_or(i)];
                    if names[p.name] == "content-type" {
                        if let Some(b) = param_value(value, b"boundary") {
                            boundary = Some(b.to_vec());
                        }
                    }
                }
                pieces.push(Piece {
                    start: i,
                    end: s.len(),
                    cut: None,
                    name: k,
                });
                in_q = false;
                in_b = false;
                annot = false;
                i += len;
                continue;
            }
            if !no_body {
                let current = pieces.last().map(|p| names[p.name]);
                if body_starts(s, i, current, boundary.as_deref()) {
                    if let Some(p) = pieces.last_mut() {
                        p.end = i;
                    }
                    body = Some(i);
                    break;
                }
            }
            if !annot && is_arrow(s, i) {
                annot = true;
                match pieces.last_mut() {
                    Some(p) => {
                        if p.cut.is_none() {
                            p.cut = Some(i);
                        }
                    }
                    None => {
                        if lead_cut.is_none() {
                            lead_cut = Some(i);
                        }
                    }
                }
            }
        }
        if !annot {
            match s[i] {
                b'"' if !in_b => in_q = !in_q,
                b'\\' if in_q => i += 1,
                b'<' if !in_q && s.get(i + 1) != Some(&b'-') => in_b = true,
                b'>' if in_b => in_b = false,
                _ => {}
            }
        }
        i += 1;
    }
    if let Some(p) = pieces.last() {
        let value = &s[p.start..p.cut.unwrap_or(p.end)];
        if names[p.name] == "content-type" {
            if let Some(b) = param_value(value, b"boundary") {
                boundary = Some(b.to_vec());
            }
        }
    }
    let lead_end = pieces.first().map_or(body.unwrap_or(s.len()), |p| p.start);
    let lead_end = lead_cut.map_or(lead_end, |c| c.min(lead_end));
    (lead_end, pieces, body, boundary)
}

/// Rebuild a message from collapsed text that starts with its start line.
fn rebuild(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 256);
    // The start line: a request ends with its version; a status line's reason runs to the first header.
    let (start_line, rest): (&[u8], &[u8]) = if s.starts_with(b"SIP/") {
        (&[], s)
    } else {
        match memchr::memmem::find(s, b"SIP/2.0") {
            Some(j) => (&s[..j + 7], &s[j + 7..]),
            None => (s, &[]),
        }
    };
    let (lead_end, pieces, body, boundary) = split_pieces(rest, KNOWN_HEADERS, false);
    if start_line.is_empty() {
        out.extend_from_slice(rest[..lead_end].trim_ascii());
    } else {
        out.extend_from_slice(start_line.trim_ascii());
    }
    out.extend_from_slice(b"\r\n");
    for p in &pieces {
        let h = rest[p.start..p.cut.unwrap_or(p.end).min(p.end)].trim_ascii();
        out.extend_from_slice(h);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if let Some(b) = body {
        for l in body_lines(&rest[b..], boundary.as_deref()) {
            out.extend_from_slice(&l);
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// Lay out a collapsed body: multipart parts with their headers, XML one element per line.
fn body_lines(body: &[u8], boundary: Option<&[u8]>) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let delim: Option<Vec<u8>> = boundary.filter(|b| !b.is_empty()).map(|b| {
        let mut d = b"--".to_vec();
        d.extend_from_slice(b);
        d
    });
    let Some(delim) = delim.filter(|d| memchr::memmem::find(body, d).is_some()) else {
        lines.extend(xml_lines(body));
        return lines;
    };
    let positions: Vec<usize> = memchr::memmem::find_iter(body, &delim).collect();
    if let Some(&first) = positions.first() {
        lines.extend(xml_lines(&body[..first]));
    }
    for (k, &p) in positions.iter().enumerate() {
        let end = positions.get(k + 1).copied().unwrap_or(body.len());
        let part = &body[p + delim.len()..end];
        if part.starts_with(b"--") {
            let mut l = delim.clone();
            l.extend_from_slice(b"--");
            lines.push(l);
            let tail = &part[2..];
            lines.extend(xml_lines(tail));
            continue;
        }
        lines.push(delim.clone());
        let (_, pieces, content, _) = split_pieces(part, PART_HEADERS, false);
        for pc in &pieces {
            lines.push(
                part[pc.start..pc.cut.unwrap_or(pc.end).min(pc.end)]
                    .trim_ascii()
                    .to_vec(),
            );
        }
        lines.push(Vec::new());
        let content_at = content.unwrap_or_else(|| pieces.last().map_or(0, |pc| pc.end));
        lines.extend(xml_lines(&part[content_at.min(part.len())..]));
    }
    lines
}

/// XML (possibly with Snooper's `-`/`+` tree markers and annotations) → one element per line.
fn xml_lines(text: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    let mut in_q = false;
    let mut i = 0;
    let flush = |cur: &mut Vec<u8>, lines: &mut Vec<Vec<u8>>| {
        let mut t = cur.trim_ascii();
        // A tree marker belongs to the next element.
        loop {
            match t {
                [rest @ .., b' ', b'-' | b'+'] => t = rest.trim_ascii_end(),
                [b'-' | b'+'] => t = &[],
                _ => break,
            }
        }
        if !t.is_empty() {
            lines.push(t.to_vec());
        }
        cur.clear();
    };
    while i < text.len() {
        let c = text[i];
        let boundary = i == 0 || text[i - 1].is_ascii_whitespace();
        if !in_q && boundary && is_arrow(text, i) {
            // An annotation: skip to the next element.
            let next = text[i + 2..]
                .iter()
                .enumerate()
                .position(|(k, &b)| {
                    b == b'<'
                        && text.get(i + 2 + k + 1) != Some(&b'-')
                        && (i + 2 + k == 0 || text[i + 2 + k - 1].is_ascii_whitespace())
                })
                .map_or(text.len(), |k| i + 2 + k);
            i = next;
            continue;
        }
        if !in_q && boundary && c == b'<' {
            flush(&mut cur, &mut lines);
        }
        if c == b'"' {
            in_q = !in_q;
        }
        cur.push(c);
        i += 1;
    }
    flush(&mut cur, &mut lines);
    lines
}

impl super::LineImporter for SipTextImporter {
    fn reader(&mut self) -> &mut super::lines::LineReader {
        &mut self.lines
    }
    fn on_line(&mut self, line: super::lines::Line<'_>, sink: &mut Sink) {
        self.line(line, sink);
    }
}

#[cfg(test)]
mod tests;
