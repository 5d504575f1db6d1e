//! SIP quoted in other products' logs: the SBCs and proxies next to Skype for Business (Cisco Expressway,
//! AudioCodes, Ribbon, FreeSWITCH, drachtio, Kamailio/OpenSIPS, anything logging through syslog).
//!
//! **Design.** These logs are SIP text with a product's framing around each message: a header line that says
//! when, which way and to or from whom, a prefix or indentation on every line, escaped line breaks, an end
//! marker. So they are read by the SIP text importer itself, with a [`Product`] reader in front of it: the
//! reader sees each line first and either turns it into what the SIP text rules understand ([`Out`]: a message
//! begins with its time, direction and addresses; a line of it, prefix removed or escapes undone; its end; a log
//! line that is not SIP) or hands it on unchanged, so SIP pasted into such a log is still found. One framer, one
//! set of body and Content-Length rules: the readers only know their product's lines. The format is
//! [`super::super::Format::SbcLog`] with the product, so each is named for people and detected apart.
//!
//! **Times.** A time is taken as the log writes it (a zone offset is not applied: the analysis aligns clocks
//! across files). Products that write the time of day only (FreeSWITCH's sofia stamps) or no year (BSD syslog,
//! AudioCodes' `[Time:DD-MM@…]`) get the date or year from the nearest earlier line that has one ([`Clock`]); when
//! none has, 1970 stands in and one info diagnostic ([`Code::MissingDate`]) says so. A time of day well before the
//! previous one is the next day (midnight passed).
//!
//! **Addresses.** The far end as the log names it (`host:port`). The box that wrote the log is one column, like
//! a server trace's server: it is named after the host the log names (the syslog line's host, the Expressway's
//! host name), else after the product (`freeswitch`, `drachtio`, `ribbon-sbc`). The interface a message used
//! (Expressway's `Local-ip`, Ribbon's `Local IP/port`, a script's `to ADDR`) stays in the message's Via and
//! Contact.

mod audiocodes;
mod clock;
mod expressway;
mod place;
mod ribbon;
mod sofia;
mod syslog;
#[cfg(test)]
mod tests;

use clock::Clock;
use clock::{bsd_prefix, clock_time, iso_prefix, DayTime, MonthDayTime, Stamp};
use place::piece;
pub(super) use place::Mapped;
pub use place::{places, Piece, PlacedLine};

use super::{
    addr_ok, digits, find_start, is_blank, parse_date_time, prefix_len, strip_transport, LineInfo,
    Meta, SipTextImporter,
};
use crate::base::diag::{Code, Diagnostic, Problem};
use crate::base::time::Timestamp;
use crate::import::lines::Line;
use crate::import::trace::{Level, TraceLine};
use crate::import::Direction;
use crate::import::Sink;
use crate::sip::parser;

/// The products whose logs are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Product {
    /// Cisco Expressway / VCS diagnostic log (`network.sip` at DEBUG).
    Expressway,
    /// AudioCodes Mediant syslog, one packet a line (`#012` for line breaks).
    AudioCodes,
    /// Ribbon (Sonus) SBC Core call trace (`.TRC`: `received msg …`, `RAW PDU:`).
    Ribbon,
    /// FreeSWITCH's log with sofia-sip's message trace (`recv N bytes from …`).
    FreeSwitch,
    /// drachtio-server's log (the same sofia-sip stamp after drachtio's time).
    Drachtio,
    /// Kamailio / OpenSIPS logging whole messages through syslog (`#015#012`, or `\r\n` written out).
    Kamailio,
    /// Any other syslog whose lines hold whole messages with escaped line breaks.
    Syslog,
}

impl Product {
    pub const ALL: [Product; 7] = [
        Product::Expressway,
        Product::AudioCodes,
        Product::Ribbon,
        Product::FreeSwitch,
        Product::Drachtio,
        Product::Kamailio,
        Product::Syslog,
    ];

    /// The format's name (`sipscope --json`'s `format`).
    pub fn name(self) -> &'static str {
        match self {
            Product::Expressway => "expressway-log",
            Product::AudioCodes => "audiocodes-syslog",
            Product::Ribbon => "ribbon-trace",
            Product::FreeSwitch => "freeswitch-log",
            Product::Drachtio => "drachtio-log",
            Product::Kamailio => "kamailio-syslog",
            Product::Syslog => "syslog",
        }
    }

    /// The format's name for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Product::Expressway => "Cisco Expressway log",
            Product::AudioCodes => "AudioCodes syslog",
            Product::Ribbon => "Ribbon SBC call trace",
            Product::FreeSwitch => "FreeSWITCH log",
            Product::Drachtio => "drachtio log",
            Product::Kamailio => "Kamailio / OpenSIPS syslog",
            Product::Syslog => "syslog",
        }
    }
}

/// Which product a line shows, for format detection; `None` for a line no product reader claims.
pub fn sniff_line(line: &[u8]) -> Option<Product> {
    if line.len() > 256 * 1024 {
        return None;
    }
    expressway::sniff(line)
        .or_else(|| audiocodes::sniff(line))
        .or_else(|| ribbon::sniff(line))
        .or_else(|| sofia::sniff(line))
        .or_else(|| syslog::sniff(line))
}

/// What a product reader makes of a line, for the SIP text framer.
#[derive(Debug)]
pub(super) enum Out<'a> {
    /// A message begins (what is open is closed first); the meta says where its entry starts.
    Begin(Meta),
    /// A line of the message: the end of the physical line, its own line break after it.
    Tail(&'a [u8]),
    /// A line of the message rebuilt (escapes undone, pieces joined).
    Rebuilt {
        text: Vec<u8>,
        /// It ended with CRLF (else LF, or nothing when `!terminated`).
        crlf: bool,
        terminated: bool,
        /// Where its text is in the file (what the redaction writes its new text back into).
        from: Vec<Piece>,
    },
    /// The message ends at its end marker.
    End,
    /// The message stops without its end marker: a problem on it, with this text.
    Cut(String),
    /// A problem with the open message, which goes on (packets lost from it, a line too long).
    Problem(Code, String),
    /// A line of the log that is not SIP: what is open is closed.
    Other,
    /// A line of the product's own log (call control, media, errors): what is open is closed, and the line is a
    /// trace line ([`crate::import::trace`]) with its time, level and writer as the product gives them.
    Log(LogLine),
    /// A line of the product's own log among a message's lines (another thread's): a trace line; the message
    /// goes on.
    Aside(LogLine),
    /// A message announced at this line whose text never came.
    Empty(u32),
    /// A diagnostic about the file (its line set).
    Note(Diagnostic),
}

/// A product's own log line, as its reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LogLine {
    pub time: Option<Timestamp>,
    pub level: Level,
    /// Who wrote it, as the line says: a syslog program (`kamailio[2215]`), an Expressway module, an AudioCodes
    /// session (`SID=5f6a2b:18:2742`), a Ribbon subsystem; empty when the line names none.
    pub thread: Vec<u8>,
}

/// The level a product writes as `word` (any case): syslog's severities (`emerg`, `alert`, `crit`, `err` →
/// error; `warning` → warn; `notice`, `info` → info; `debug` → trace), Ribbon's (`CRITICAL`, `MAJOR` → error,
/// `MINOR` → warn) and the usual names (`ERROR`, `FATAL`, `WARN`, `TRACE`, …); a word it does not know is info
/// (a line the product wrote without a level among others that have one).
pub(super) fn level(word: &[u8]) -> Level {
    let w = word.to_ascii_lowercase();
    match w.as_slice() {
        b"emerg" | b"emergency" | b"alert" | b"crit" | b"critical" | b"err" | b"error"
        | b"fatal" | b"bug" | b"major" => Level::Error,
        b"warn" | b"warning" | b"minor" => Level::Warn,
        b"debug" | b"dbg" | b"trace" | b"verbose" | b"l_dbg" => Level::Trace,
        _ => Level::Info,
    }
}

/// The text of a product's log line for people: what follows its time and the parts shown apart (level,
/// writer); the whole line when its shape is not recognised.
pub fn line_text(product: Product, line: &[u8]) -> &[u8] {
    let text = match product {
        Product::Expressway => expressway::text(line),
        Product::AudioCodes => audiocodes::text(line),
        Product::Ribbon => ribbon::text(line),
        Product::FreeSwitch | Product::Drachtio => sofia::text(line),
        Product::Kamailio | Product::Syslog => syslog::text(line),
    };
    text.unwrap_or(line)
}

/// The reader of one file's product lines.
#[derive(Debug)]
pub(super) struct Reader {
    product: Product,
    clock: Clock,
    state: State,
}

#[derive(Debug)]
enum State {
    Expressway(expressway::State),
    AudioCodes(Box<audiocodes::State>),
    Ribbon(ribbon::State),
    Sofia(sofia::State),
    Syslog,
}

impl Reader {
    pub(super) fn new(product: Product) -> Reader {
        let state = match product {
            Product::Expressway => State::Expressway(expressway::State::default()),
            Product::AudioCodes => State::AudioCodes(Box::default()),
            Product::Ribbon => State::Ribbon(ribbon::State::default()),
            Product::FreeSwitch | Product::Drachtio => State::Sofia(sofia::State::default()),
            Product::Kamailio | Product::Syslog => State::Syslog,
        };
        Reader {
            product,
            clock: Clock::default(),
            state,
        }
    }

    pub(super) fn product(&self) -> Product {
        self.product
    }

    /// Read a line: `false` when it is not the product's (the SIP text rules read it).
    pub(super) fn line<'a>(&mut self, l: &Line<'a>, out: &mut Vec<Out<'a>>) -> bool {
        let clock = &mut self.clock;
        match &mut self.state {
            State::Expressway(s) => s.line(l, clock, out),
            State::AudioCodes(s) => s.line(l, clock, out),
            State::Ribbon(s) => s.line(l, clock, out),
            State::Sofia(s) => s.line(l, self.product, clock, out),
            State::Syslog => syslog::line(l, clock, out),
        }
    }

    /// The end of the file: what is open is closed; the notes about the whole file.
    pub(super) fn finish(&mut self, out: &mut Vec<Out<'_>>) {
        match &mut self.state {
            State::Expressway(s) => s.finish(out),
            State::AudioCodes(s) => s.finish(out),
            State::Ribbon(s) => s.finish(out),
            State::Sofia(s) => s.finish(out),
            State::Syslog => {}
        }
        if self.clock.guessed {
            out.push(Out::Note(Diagnostic::info(
                Code::MissingDate,
                format!(
                    "This {} gives some times without their date or year: the missing part is shown as 1970 (January 1st when the date is missing).",
                    self.product.display_name()
                ),
            )));
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The SIP text importer's side: what the readers' lines do to its blocks.

/// Announced messages whose text never came, or is not SIP: counted, said once for the file.
#[derive(Debug, Default)]
pub(super) struct Unread {
    /// (count, first line) of messages announced whose text never came.
    empty: (u32, u32),
    /// (count, first line, what it held) of messages announced whose text is not SIP.
    not_sip: (u32, u32, String),
}

impl Unread {
    fn empty(&mut self, line: u32) {
        if self.empty.0 == 0 {
            self.empty.1 = line;
        }
        self.empty.0 += 1;
    }

    /// The diagnostics of the file, at its end.
    pub(super) fn diagnostics(&self, file: u32) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let (n, first) = self.empty;
        if n > 0 {
            out.push(
                Diagnostic::warning(
                    Code::IncompleteEntry,
                    format!(
                        "{n} SIP message{} the log announces {} no text (the first at line {first}): the log was cut there or lost {}; nothing of {} is shown.",
                        if n == 1 { "" } else { "s" },
                        if n == 1 { "has" } else { "have" },
                        if n == 1 { "it" } else { "them" },
                        if n == 1 { "it" } else { "them" },
                    ),
                )
                .at(file, first),
            );
        }
        let (n, first, ref what) = self.not_sip;
        if n > 0 {
            out.push(
                Diagnostic::warning(
                    Code::NotSip,
                    format!(
                        "{n} SIP message{} the log announces {} text that is not SIP (the first at line {first}: `{what}`); skipped.",
                        if n == 1 { "" } else { "s" },
                        if n == 1 { "has" } else { "have" },
                    ),
                )
                .at(file, first),
            );
        }
        out
    }
}

impl SipTextImporter {
    /// What a product reader made of line `l` (`None`: the end of the file).
    pub(super) fn apply(&mut self, outs: Vec<Out<'_>>, l: Option<&Line<'_>>, sink: &mut Sink) {
        if let Some(l) = l {
            self.last_line = Some(LineInfo::of(l));
        }
        for o in outs {
            match o {
                Out::Begin(meta) => {
                    self.close_announced(sink);
                    self.pending = Some(meta);
                    self.announced = true;
                }
                Out::Tail(s) => {
                    if let Some(l) = l {
                        self.vendor_line(s, LineInfo::of(l), sink);
                    }
                }
                Out::Rebuilt {
                    text,
                    crlf,
                    terminated,
                    ..
                } => {
                    // At the end of the file: where the last line was.
                    let Some(at) = l.map(LineInfo::of).or(self.last_line) else {
                        continue;
                    };
                    let info = LineInfo {
                        terminated,
                        crlf,
                        verbatim: false,
                        text_len: text.len(),
                        text_addr: 0,
                        ..at
                    };
                    self.vendor_line(&text, info, sink);
                }
                Out::End | Out::Other => self.close_announced(sink),
                Out::Log(log) => {
                    self.close_announced(sink);
                    self.trace_line(log, l, sink);
                }
                Out::Aside(log) => self.trace_line(log, l, sink),
                Out::Cut(why) => {
                    if let Some(b) = self.block.as_mut() {
                        b.problems.push(Problem::new(Code::TruncatedMessage, why));
                    }
                    self.close_announced(sink);
                }
                Out::Problem(code, why) => {
                    if let Some(b) = self.block.as_mut() {
                        b.problems.push(Problem::new(code, why));
                    }
                }
                Out::Empty(line) => self.unread.empty(line),
                Out::Note(mut d) => {
                    d.file = Some(self.file);
                    sink.diagnostics.push(d);
                }
            }
        }
    }

    /// Line `l`, a product's own log line, as a trace line.
    fn trace_line(&mut self, log: LogLine, l: Option<&Line<'_>>, sink: &mut Sink) {
        let Some(l) = l else { return };
        sink.trace.push(
            TraceLine {
                at: l.start,
                len: (l.end - l.start).min(u64::from(u32::MAX)) as u32,
                line: l.number,
                time: log.time,
                level: log.level,
                thread: 0,
            },
            &log.thread,
            || vec![l.text],
        );
    }

    /// What is open ends; a message announced whose text never came is counted.
    fn close_announced(&mut self, sink: &mut Sink) {
        if self.announced && self.block.is_none() {
            let line = self.pending.as_ref().map_or(0, |m| m.line);
            self.unread.empty(line);
        }
        self.end_block(sink);
        self.pending = None;
        self.announced = false;
    }

    /// A line of a message a product reader announced.
    fn vendor_line(&mut self, s: &[u8], info: LineInfo, sink: &mut Sink) {
        if self.block.is_none() {
            if !self.announced || is_blank(s) {
                return;
            }
            self.announced = false;
            if !parser::is_start_line(&s[prefix_len(s)..]) {
                let line = self.pending.take().map_or(info.number, |m| m.line);
                let u = &mut self.unread.not_sip;
                if u.0 == 0 {
                    u.1 = line;
                    u.2 = String::from_utf8_lossy(&s[..s.len().min(60)]).into_owned();
                }
                u.0 += 1;
                return;
            }
        }
        self.content_line(s, info, sink);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// What the readers share.

/// A message's meta as a product announces it, its entry starting at line `l`.
fn meta(l: &Line<'_>, direction: Direction, src: Option<String>, dst: Option<String>) -> Meta {
    let mut m = Meta::new(direction);
    m.src = src;
    m.dst = dst;
    m.start = l.start;
    m.line = l.number;
    m
}

/// The source and destination of a message from the far end and the product's own end.
fn ends(
    direction: Direction,
    far: Option<String>,
    own: Option<String>,
) -> (Option<String>, Option<String>) {
    match direction {
        Direction::Sent => (own, far),
        _ => (far, own),
    }
}

/// A syslog line as a syslog server stores it: time, host, then the message.
#[derive(Debug)]
struct Envelope<'a> {
    stamp: Stamp,
    host: &'a [u8],
    /// The program (`kamailio` from `/usr/sbin/kamailio[2210]:`), empty when the message has none.
    program: &'a [u8],
    /// The message after the program's `name[pid]: `, or all of it.
    message: &'a [u8],
}

fn envelope(s: &[u8]) -> Option<Envelope<'_>> {
    // A raw syslog priority `<134>` and an RFC 5424 version.
    let mut s = s;
    if s.first() == Some(&b'<') {
        let n = s.iter().skip(1).take_while(|b| b.is_ascii_digit()).count();
        if n > 0 && s.get(n + 1) == Some(&b'>') {
            s = &s[n + 2..];
            if let Some(r) = s.strip_prefix(b"1 ") {
                s = r;
            }
        }
    }
    let (stamp, rest) = match iso_prefix(s) {
        Some((t, rest, true)) => (Stamp::Full(t), rest),
        _ => {
            let (mdt, rest) = bsd_prefix(s)?;
            (Stamp::MonthDay(mdt), rest)
        }
    };
    let end = rest.iter().position(|&b| b == b' ')?;
    let host = &rest[..end];
    if host.is_empty() {
        return None;
    }
    let message = rest[end..].trim_ascii_start();
    // `program[pid]: ` or `program: `.
    let colon = message
        .iter()
        .take(96)
        .position(|&b| b == b':' || b == b' ')
        .filter(|&i| message[i] == b':' && message.get(i + 1).is_none_or(|&b| b == b' '));
    let (program, message) = match colon {
        Some(i) => {
            let name = &message[..i];
            let name = match memchr::memchr(b'[', name) {
                Some(b) if name.last() == Some(&b']') => &name[..b],
                _ => name,
            };
            let name = match memchr::memrchr(b'/', name) {
                Some(k) => &name[k + 1..],
                None => name,
            };
            (name, message[i + 1..].trim_ascii_start())
        }
        None => (&b""[..], message),
    };
    Some(Envelope {
        stamp,
        host,
        program,
        message,
    })
}

/// How a log wrote a message's line breaks on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escapes {
    /// rsyslog's `#` and three octal digits for control characters: `#015#012`.
    Octal,
    /// C-style: `\r\n`, `\"`, `\\` (Kamailio's `{s.escape.common}`, JSON strings).
    C,
}

impl Escapes {
    fn of(s: &[u8]) -> Option<Escapes> {
        if memchr::memmem::find(s, b"#012").is_some() || memchr::memmem::find(s, b"#015").is_some()
        {
            Some(Escapes::Octal)
        } else if memchr::memmem::find(s, b"\\n").is_some()
            || memchr::memmem::find(s, b"\\r").is_some()
        {
            Some(Escapes::C)
        } else {
            None
        }
    }

    fn undo(self, s: &[u8]) -> Vec<u8> {
        self.undo_map(s, &mut None)
    }

    /// `s` with its escapes undone; with `map`, where each byte of the result came from in `s` (and `s.len()`
    /// last).
    pub fn undo_map(self, s: &[u8], map: &mut Option<Vec<usize>>) -> Vec<u8> {
        let mut out = Vec::with_capacity(s.len());
        let mut i = 0;
        let octal = |t: &[u8]| -> Option<u8> {
            let t = t.get(..3)?;
            t.iter()
                .all(|b| (b'0'..=b'7').contains(b))
                .then(|| t.iter().fold(0u32, |n, &b| n * 8 + u32::from(b - b'0')))
                .and_then(|v| u8::try_from(v).ok())
        };
        while i < s.len() {
            let b = s[i];
            match self {
                // Only control characters are escaped this way: `#123` in a URI stays.
                Escapes::Octal if b == b'#' => match octal(&s[i + 1..]) {
                    Some(v) if v < 0x20 || v == 0x7F => {
                        if let Some(m) = map.as_mut() {
                            m.push(i);
                        }
                        out.push(v);
                        i += 4;
                        continue;
                    }
                    _ => {}
                },
                Escapes::C if b == b'\\' => {
                    let (v, n) = match s.get(i + 1) {
                        Some(b'r') => (b'\r', 2),
                        Some(b'n') => (b'\n', 2),
                        Some(b't') => (b'\t', 2),
                        Some(b'\\') => (b'\\', 2),
                        Some(b'"') => (b'"', 2),
                        Some(b'\'') => (b'\'', 2),
                        Some(b'0'..=b'7') => match octal(&s[i + 1..]) {
                            Some(v) => (v, 4),
                            None => (b'\\', 1),
                        },
                        _ => (b'\\', 1),
                    };
                    if let Some(m) = map.as_mut() {
                        m.push(i);
                    }
                    out.push(v);
                    i += n;
                    continue;
                }
                _ => {}
            }
            if let Some(m) = map.as_mut() {
                m.push(i);
            }
            out.push(b);
            i += 1;
        }
        if let Some(m) = map.as_mut() {
            m.push(s.len());
        }
        out
    }

    /// `text` written back with these escapes, as `like` (the original) wrote its own: control characters as
    /// `#` and three octal digits, or `\r`, `\n`, `\t`, `\\` (and `\"` unless `like` has a bare `"`).
    pub fn redo(self, text: &[u8], like: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 16);
        let bare_quote = like
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'"' && (i == 0 || like[i - 1] != b'\\'));
        for &b in text {
            match self {
                Escapes::Octal if b < 0x20 || b == 0x7F => {
                    out.extend_from_slice(format!("#{b:03o}").as_bytes())
                }
                Escapes::C => match b {
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'"' if !bare_quote => out.extend_from_slice(b"\\\""),
                    _ => out.push(b),
                },
                _ => out.push(b),
            }
        }
        out
    }
}

/// Text with real line breaks as message lines (from byte `from` of `m`'s text): each with its break, the last
/// without one when it has none.
fn rebuilt_lines(m: &Mapped, from: usize, out: &mut Vec<Out<'_>>) {
    let text = &m.text;
    let mut at = from;
    while let Some(i) = memchr::memchr(b'\n', &text[at..]) {
        let end = at + i;
        let (stop, crlf) = if end > at && text[end - 1] == b'\r' {
            (end - 1, true)
        } else {
            (end, false)
        };
        out.push(Out::Rebuilt {
            text: text[at..stop].to_vec(),
            crlf,
            terminated: true,
            from: vec![m.piece(at, stop)],
        });
        at = end + 1;
    }
    if at < text.len() {
        out.push(Out::Rebuilt {
            text: text[at..].to_vec(),
            crlf: false,
            terminated: false,
            from: vec![m.piece(at, text.len())],
        });
    }
}

/// An address as logs write one: `udp:10.0.0.1:5060`, `tls/[10.0.0.1]:5061`, `10.0.0.1/5060` (Ribbon),
/// `[2001:db8::1]:5060` → `host:port`; `None` when it is not one.
fn address(word: &str) -> Option<String> {
    let w = word.trim_matches(|c: char| matches!(c, ',' | ';' | '(' | ')' | '"' | '\''));
    let w = w.strip_suffix(':').unwrap_or(w);
    let w = strip_transport(w);
    // `proto/[host]:port`, `proto/host:port`.
    let w = match w.split_once('/') {
        Some((p, rest)) if p.chars().all(|c| c.is_ascii_alphabetic()) && !p.is_empty() => rest,
        _ => w,
    };
    // `[v4]:port` as sofia writes it: the brackets go.
    let owned;
    let w = match w.strip_prefix('[').and_then(|r| r.split_once("]:")) {
        Some((host, port)) if !host.contains(':') => {
            owned = format!("{host}:{port}");
            owned.as_str()
        }
        _ => w,
    };
    // Ribbon's `host/port`.
    let owned2;
    let w = match w.rsplit_once('/') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() => {
            owned2 = format!("{host}:{port}");
            owned2.as_str()
        }
        _ => w,
    };
    addr_ok(w).then(|| w.to_string())
}

/// What free text before a message says about it: a verb for the direction (`recv`, `received`, `in`,
/// `send`, `sent`, `out`, `relayed`, …) and `from ADDR` / `to ADDR`. The far end is the one the direction
/// names (`from` for a message received); the box's own end is `own` (the socket address the text may also
/// give stays in the message). Without a direction, `from` and `to` are taken as they are.
fn words(text: &[u8], own: Option<&str>) -> (Direction, Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(&text[..text.len().min(2048)]);
    let ws: Vec<&str> = text.split_whitespace().collect();
    let mut direction = Direction::Unknown;
    let (mut from, mut to) = (None, None);
    for (i, w) in ws.iter().enumerate() {
        let lower = w
            .trim_matches(|c: char| !c.is_ascii_alphanumeric())
            .to_ascii_lowercase();
        if direction == Direction::Unknown {
            direction = match lower.as_str() {
                "recv" | "rcv" | "rcvd" | "receive" | "received" | "receiving" | "in"
                | "incoming" | "inbound" => Direction::Received,
                "send" | "snd" | "sent" | "sending" | "out" | "outgoing" | "outbound" | "relay"
                | "relayed" | "relaying" | "forward" | "forwarded" | "forwarding" | "fwd"
                | "transmit" | "transmitting" => Direction::Sent,
                _ => Direction::Unknown,
            };
        }
        let next = ws.get(i + 1).and_then(|n| address(n));
        match lower.as_str() {
            "from" if from.is_none() => from = next,
            "to" if to.is_none() => to = next,
            _ => {}
        }
    }
    if direction == Direction::Unknown {
        direction = match (&from, &to) {
            (Some(_), None) => Direction::Received,
            (None, Some(_)) => Direction::Sent,
            _ => Direction::Unknown,
        };
    }
    let own = own.map(str::to_string);
    match direction {
        Direction::Received => (direction, from, own.or(to)),
        Direction::Sent => (direction, own.or(from), to),
        Direction::Unknown => (direction, from, to),
    }
}

/// The position of a SIP start line in a line, when the line has one (a request line, `SIP/2.0 NNN …`).
fn start_in(line: &[u8]) -> Option<usize> {
    memchr::memmem::find(line, b"SIP/2.0")?;
    find_start(line)
}
