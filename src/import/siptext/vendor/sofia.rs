//! sofia-sip's message trace, as FreeSWITCH (`sofia global siptrace on`) and drachtio-server log it.
//!
//! sofia-sip's `tport_log_msg` (libsofia-sip-ua/tport/tport_logging.c) stamps each message
//! `recv 1141 bytes from udp/[10.26.0.81]:5060 at 19:34:41.657063:` (`send … bytes to …`): the far end and the
//! time of day, no date. FreeSWITCH 1.10 then writes a line of 72 dashes, every line of the message indented by
//! three spaces, and the dashes again, among its own dated lines (`2020-09-17 14:40:16.543992 [NOTICE] …`,
//! which give the date). Its log can interleave other threads' lines inside a message; lines at the margin there
//! are skipped. drachtio-server writes its own time before the stamp (`2021-08-26 09:53:47.561449 recv 425 bytes
//! from udp/[10.140.22.25]:5060 at 09:53:47.561337:`) and the message's lines as they are, up to its next dated
//! line; newer sofia-sip also drops the indentation and the closing dashes. A container's timestamp before every
//! line (`docker logs -t`, `kubectl logs --timestamps`: `2024-03-14T09:12:03.421903712Z `) is removed first.
//! The product's own end is not in the stamp: it is named `freeswitch` or `drachtio`.

use super::{address, clock_time, ends, iso_prefix, meta, Clock, Out, Product};
use crate::import::lines::Line;
use crate::import::Direction;

#[derive(Debug, Default)]
pub(super) enum State {
    #[default]
    Idle,
    /// A stamp was read; the dashes (FreeSWITCH) or the message (drachtio) follow.
    Stamped,
    /// In a message: its lines' indentation, and whether a closing line of dashes ends it (else the next dated
    /// line does).
    Message { indent: usize, dashes: bool },
}

/// A sofia-sip stamp: direction, far end, time of day.
fn stamp(s: &[u8]) -> Option<(Direction, Option<String>, super::DayTime)> {
    let s = std::str::from_utf8(s.get(..s.len().min(400))?).ok()?;
    let mut w = s.split_ascii_whitespace();
    let direction = match w.next()? {
        "recv" => Direction::Received,
        "send" | "sent" => Direction::Sent,
        _ => return None,
    };
    w.next()?.parse::<u64>().ok()?;
    if w.next()? != "bytes" || !matches!(w.next()?, "from" | "to") {
        return None;
    }
    let far = w.next()?;
    let far = address(far.split(';').next().unwrap_or(far)).or_else(|| {
        // `udp/[10.0.0.1]` without a port (older sofia-sip).
        let host = far
            .split_once('/')?
            .1
            .trim_start_matches('[')
            .trim_end_matches(']');
        (!host.is_empty()).then(|| host.to_string())
    });
    let mut at = None;
    while let Some(x) = w.next() {
        if x == "at" {
            at = w.next();
            break;
        }
    }
    let at = at?.strip_suffix(':')?;
    Some((direction, far, clock_time(at.as_bytes())?))
}

/// A container runtime's RFC 3339 time before a line.
fn container_prefix(s: &[u8]) -> &[u8] {
    if s.len() > 21 && s[4] == b'-' && s[10] == b'T' {
        if let Some(sp) = s[..s.len().min(40)]
            .iter()
            .position(|&b| b == b' ')
            .filter(|&sp| sp > 19)
        {
            if s[sp - 1] == b'Z'
                && s[11..sp - 1]
                    .iter()
                    .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.'))
            {
                return &s[sp + 1..];
            }
        }
    }
    s
}

/// A line of dashes (sofia-sip's separator).
fn dashes(s: &[u8]) -> bool {
    let t = s.trim_ascii();
    t.len() >= 20 && t.iter().all(|&b| b == b'-')
}

/// A dated line's level (`[NOTICE]`, `[ERR]`: FreeSWITCH's) and its text after it.
fn leveled(rest: &[u8]) -> (Option<&[u8]>, &[u8]) {
    if let Some(r) = rest.strip_prefix(b"[") {
        if let Some(close) = memchr::memchr(b']', &r[..r.len().min(12)]) {
            if close > 0 && r[..close].iter().all(u8::is_ascii_uppercase) {
                return (Some(&r[..close]), r[close + 1..].trim_ascii_start());
            }
        }
    }
    (None, rest)
}

/// A dated line's text for people (its time and level are shown apart).
pub(super) fn text(line: &[u8]) -> Option<&[u8]> {
    let (_, rest, t_form) = iso_prefix(container_prefix(line))?;
    (!t_form).then(|| leveled(rest).1.trim_ascii_end())
}

/// A dated line of the product's own (not a stamp) as a log line.
fn log_line(time: crate::base::time::Timestamp, rest: &[u8]) -> super::LogLine {
    super::LogLine {
        time: Some(time),
        level: leveled(rest)
            .0
            .map_or(crate::import::trace::Level::Info, super::level),
        thread: Vec::new(),
    }
}

pub(super) fn sniff(line: &[u8]) -> Option<Product> {
    let s = container_prefix(line);
    if stamp(s).is_some() {
        return Some(Product::FreeSwitch);
    }
    let (_, rest, t_form) = iso_prefix(s)?;
    if t_form {
        return None;
    }
    if stamp(rest).is_some() {
        return Some(Product::Drachtio);
    }
    // FreeSWITCH's own lines: `[NOTICE] switch_channel.c:1118 …`.
    let level = rest.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', level.get(..level.len().min(10))?)?;
    (level[..close].iter().all(u8::is_ascii_uppercase) && close > 0).then_some(Product::FreeSwitch)
}

impl State {
    pub(super) fn line<'a>(
        &mut self,
        l: &Line<'a>,
        product: Product,
        clock: &mut Clock,
        out: &mut Vec<Out<'a>>,
    ) -> bool {
        let t = container_prefix(l.text);
        // A dated line (FreeSWITCH's log, drachtio's every line): its date for the stamps after it.
        let dated = iso_prefix(t).filter(|(_, _, t_form)| !t_form);
        let rest = dated.map_or(t, |(_, rest, _)| rest);
        if let Some((direction, far, (h, mi, s, ms))) = stamp(rest) {
            if let State::Message { dashes: true, .. } = self {
                out.push(Out::Cut(
                    "the next message begins before this one's closing dashes: it may be incomplete".into(),
                ));
            }
            if let Some((d, ..)) = dated {
                clock.full(d);
            }
            let own = Some(match product {
                Product::Drachtio => "drachtio",
                _ => "freeswitch",
            });
            let (src, dst) = ends(direction, far, own.map(str::to_string));
            let mut m = meta(l, direction, src, dst);
            m.time = clock.time_of_day(h, mi, s, ms);
            out.push(Out::Begin(m));
            *self = if dated.is_some() {
                State::Message {
                    indent: 0,
                    dashes: false,
                }
            } else {
                State::Stamped
            };
            return true;
        }
        if let Some((d, rest, _)) = dated {
            let time = clock.full(d);
            match self {
                // Another thread's line inside an indented message: a log line, the message goes on.
                State::Message { dashes: true, .. } => out.push(Out::Aside(log_line(time, rest))),
                _ => {
                    if matches!(self, State::Message { .. }) {
                        out.push(Out::End);
                    }
                    out.push(Out::Log(log_line(time, rest)));
                    *self = State::Idle;
                }
            }
            return true;
        }
        match std::mem::take(self) {
            State::Idle => false,
            State::Stamped => {
                if dashes(t) {
                    let indent = t.iter().take_while(|&&b| b == b' ').count();
                    *self = State::Message {
                        indent,
                        dashes: true,
                    };
                } else {
                    // No dashes: the message's lines follow as they are.
                    out.push(Out::Tail(t));
                    *self = State::Message {
                        indent: 0,
                        dashes: false,
                    };
                }
                true
            }
            State::Message {
                indent,
                dashes: true,
            } => {
                let trimmed = t.trim_ascii();
                if dashes(t) {
                    out.push(Out::End);
                    return true;
                }
                *self = State::Message {
                    indent,
                    dashes: true,
                };
                if let Some(n) = trimmed
                    .strip_prefix(b"*** message truncated at ")
                    .and_then(|r| r.strip_suffix(b" ***"))
                {
                    out.push(Out::Cut(format!(
                        "sofia-sip logged only the first {} bytes of this message",
                        String::from_utf8_lossy(n)
                    )));
                    *self = State::Idle;
                    return true;
                }
                let lead = t.iter().take_while(|&&b| b == b' ').count();
                if lead >= indent || trimmed.is_empty() {
                    out.push(Out::Tail(&t[indent.min(lead)..]));
                }
                // Else another thread's line at the margin: skipped.
                true
            }
            State::Message {
                indent,
                dashes: false,
            } => {
                out.push(Out::Tail(t));
                *self = State::Message {
                    indent,
                    dashes: false,
                };
                true
            }
        }
    }

    pub(super) fn finish(&mut self, out: &mut Vec<Out<'_>>) {
        match self {
            State::Message { dashes: true, .. } => out.push(Out::Cut(
                "the log ends before this message's closing dashes: it may be incomplete".into(),
            )),
            State::Message { .. } => out.push(Out::End),
            _ => {}
        }
        *self = State::Idle;
    }
}
