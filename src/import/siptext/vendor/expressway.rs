//! Cisco Expressway / VCS diagnostic log: a `network.sip` DEBUG line, ` SIPMSG:`, the message.
//!
//! ```text
//! 2016-04-19T17:09:13+10:00 expc tvcs: UTCTime="2016-04-19 07:09:13,973" Module="network.sip" Level="DEBUG":  Action="Received"  Local-ip="10.0.30.2"  Local-port="27901"  Src-ip="64.100.0.10"  Src-port="7003"  Msg-Hash="123456789123456789"
//!  SIPMSG:
//!  |SERVICE sip:serviceserver@cucm02.example.local SIP/2.0
//!  Via: SIP/2.0/TLS 64.100.0.10:7003;egress-zone=UCTraversal;branch=…
//!  …
//!  |
//! ```
//!
//! (Cisco TAC document 212347.) `Action="Sent"` names `Dst-ip` / `Dst-port`; older versions write no `Action`,
//! only `Src-ip` (received) or `Dst-ip` (sent). The time is `UTCTime` (UTC, milliseconds). The start line follows
//! ` |`, the other lines one space, and ` |` closes the message; pasted logs may have lost the indentation. INFO
//! lines (`Detail="Receive Request Method=…"`) summarise a message without its text and are log lines like any
//! other line with a `UTCTime` (`tvcs:`, `alarm:`, `management:`, the cluster database's): trace lines with the
//! level they write (`Level="ERROR"`, `"WARN"`; the event log's `Level="1"` is importance, read as info) and
//! their module (else their program) as the writer.

use super::{ends, envelope, meta, Clock, Out};
use crate::import::lines::Line;
use crate::import::Direction;
use crate::sip::parser::is_start_line;

#[derive(Debug, Default)]
pub(super) enum State {
    #[default]
    Idle,
    /// A `network.sip` DEBUG line announced a message.
    Header(Box<super::Meta>),
    /// In a message whose lines are indented by this many spaces.
    Message(usize),
}

/// The value of attribute `name="…"` in a `tvcs:` line.
fn attr<'a>(s: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&s[from..], name) {
        let at = from + i;
        let boundary = at == 0 || matches!(s[at - 1], b' ' | b'\t');
        let rest = &s[at + name.len()..];
        if boundary {
            if let Some(v) = rest.strip_prefix(b"=\"") {
                let end = memchr::memchr(b'"', v)?;
                return Some(v[..end].trim_ascii());
            }
        }
        from = at + name.len();
    }
    None
}

/// A line of the Expressway's log: a syslog line whose message has a `UTCTime="…"` attribute, whatever wrote
/// it (`tvcs:`, `alarm:`, `management:`, or no program at all: the cluster database's lines).
fn logged(s: &[u8]) -> Option<(super::Envelope<'_>, &[u8])> {
    let e = envelope(s)?;
    let m = e.message;
    memchr::memmem::find(m, b"UTCTime=\"").map(|_| (e, m))
}

/// A `tvcs:` line (what detection looks for).
fn tvcs(s: &[u8]) -> Option<(super::Envelope<'_>, &[u8])> {
    logged(s).filter(|(e, _)| e.program == b"tvcs")
}

pub(super) fn sniff(line: &[u8]) -> Option<super::Product> {
    tvcs(line).map(|_| super::Product::Expressway)
}

/// A line's text for people: after `Level="…":` when the line has it (the module and level are shown apart),
/// else its message.
pub(super) fn text(line: &[u8]) -> Option<&[u8]> {
    let (_, m) = logged(line)?;
    let at = memchr::memmem::find(m, b" Level=\"")?;
    // The header's attributes end at `":` (`Level="INFO":`, `Thread="0x7f3c2a1fd700":`).
    match memchr::memmem::find(&m[at..], b"\": ") {
        Some(end) => Some(m[at + end + 2..].trim_ascii()),
        None => Some(m),
    }
}

/// A log line that is not a message: its level (`Level="ERROR"`; the event log's `Level="1"`…`"4"` are
/// importance, not severity: info) and its writer (the module, else the program).
fn log_line(
    e: &super::Envelope<'_>,
    m: &[u8],
    time: Option<crate::base::time::Timestamp>,
) -> super::LogLine {
    let level = match attr(m, b"Level") {
        Some(l) if l.iter().all(u8::is_ascii_digit) => crate::import::trace::Level::Info,
        Some(l) => super::level(l),
        None => crate::import::trace::Level::Info,
    };
    let thread = attr(m, b"Module").unwrap_or(e.program).to_vec();
    super::LogLine {
        time,
        level,
        thread,
    }
}

fn address(s: &[u8], ip: &[u8], port: &[u8]) -> Option<String> {
    let ip = std::str::from_utf8(attr(s, ip)?).ok()?;
    match attr(s, port).and_then(|p| std::str::from_utf8(p).ok()) {
        Some(p) if ip.contains(':') => Some(format!("[{ip}]:{p}")),
        Some(p) => Some(format!("{ip}:{p}")),
        None => Some(ip.to_string()),
    }
}

impl State {
    pub(super) fn line<'a>(
        &mut self,
        l: &Line<'a>,
        clock: &mut Clock,
        out: &mut Vec<Out<'a>>,
    ) -> bool {
        let t = l.text;
        if let Some((e, m)) = logged(t) {
            if matches!(self, State::Message(_)) {
                out.push(Out::Cut(
                    "the log goes on before this message's closing `|`: it may be incomplete"
                        .into(),
                ));
            }
            *self = State::Idle;
            let time = attr(m, b"UTCTime")
                .and_then(|v| {
                    let v = std::str::from_utf8(v).ok()?;
                    let (d, t) = v.split_once(' ')?;
                    super::parse_date_time(d, t)
                })
                .map(|t| clock.full(t))
                .or_else(|| e.stamp.on(clock));
            let sip = attr(m, b"Module") == Some(b"network.sip")
                && attr(m, b"Detail").is_none()
                && (attr(m, b"Src-ip").is_some() || attr(m, b"Dst-ip").is_some());
            if sip {
                let direction = match attr(m, b"Action") {
                    Some(a) if a.eq_ignore_ascii_case(b"Received") => Direction::Received,
                    Some(a) if a.eq_ignore_ascii_case(b"Sent") => Direction::Sent,
                    _ if attr(m, b"Src-ip").is_some() => Direction::Received,
                    _ => Direction::Sent,
                };
                let far = match direction {
                    Direction::Received => address(m, b"Src-ip", b"Src-port"),
                    _ => address(m, b"Dst-ip", b"Dst-port"),
                };
                // The Expressway is one column, named after its host (its interfaces: Local-ip).
                let own = Some(String::from_utf8_lossy(e.host).into_owned())
                    .filter(|h| !h.is_empty())
                    .or_else(|| address(m, b"Local-ip", b"Local-port"));
                let (src, dst) = ends(direction, far, own);
                let mut meta = meta(l, direction, src, dst);
                meta.time = time;
                out.push(Out::Other);
                *self = State::Header(Box::new(meta));
            } else {
                out.push(Out::Log(log_line(&e, m, time)));
            }
            return true;
        }
        match std::mem::take(self) {
            State::Idle => false,
            State::Header(meta) => {
                let s = t.trim_ascii_start();
                if s.trim_ascii_end() == b"SIPMSG:" {
                    *self = State::Header(meta);
                    return true;
                }
                match s.strip_prefix(b"|") {
                    Some(start) if is_start_line(start) => {
                        out.push(Out::Begin(*meta));
                        out.push(Out::Tail(start));
                        *self = State::Message(t.len() - s.len());
                        true
                    }
                    _ => {
                        out.push(Out::Empty(meta.line));
                        false
                    }
                }
            }
            State::Message(indent) => {
                let lead = t.iter().take_while(|&&b| b == b' ').count();
                if t.trim_ascii() == b"|" {
                    out.push(Out::End);
                    return true;
                }
                if lead >= indent || t.trim_ascii().is_empty() {
                    out.push(Out::Tail(&t[indent.min(lead)..]));
                    *self = State::Message(indent);
                    return true;
                }
                // A line at the margin where the message's lines are indented: the message was cut.
                out.push(Out::Cut(
                    "the log goes on before this message's closing `|`: it may be incomplete"
                        .into(),
                ));
                false
            }
        }
    }

    pub(super) fn finish(&mut self, out: &mut Vec<Out<'_>>) {
        match self {
            State::Message(_) => out.push(Out::Cut(
                "the log ends before this message's closing `|`: it may be incomplete".into(),
            )),
            State::Header(meta) => out.push(Out::Empty(meta.line)),
            State::Idle => {}
        }
        *self = State::Idle;
    }
}
