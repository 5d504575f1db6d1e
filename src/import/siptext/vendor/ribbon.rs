//! Ribbon (Sonus) SBC Core call trace (`.TRC`): an entry per log event, SIP messages after `RAW PDU:`.
//!
//! ```text
//! 1787 12162016 083615.737177:1.01.00.38939.MAJOR .SIPSG:FILTER=Cisco_Test_Call GCID=0x00000DDB: EXTRA INFO: Ingress: received msg for CallId:804ee913ccfe61c2aa581a72a000 gcid:0xDDB from IP/port:10.100.100.10/5000, Local IP/port:10.139.160.141/5000
//! RAW PDU:
//! INVITE sip:+8005555555@abc.company.com:5000 SIP/2.0
//! …
//! ```
//!
//! (publicdoc.rbbn.com, SBXDOC120 "Notes and Examples on Call Trace Log Message".) An entry starts with a number
//! (its length), the date `MMDDYYYY`, the time `HHMMSS.uuuuuu`, `:`, ids ending in the entry's sequence number,
//! the level and the subsystem; a message is `received msg … from IP/port:a/p, Local IP/port:b/q` or `sent msg …
//! to IP/port:a/p, Local IP/port:b/q` (the form the sipcapture paStash Sonus filter reads), then `RAW PDU:` and
//! its lines, up to the next entry. The SBC is one column, `ribbon-sbc` (a call trace names no host). The SBC splits an entry over 1800 bytes into two "with the same time-stamp
//! and sequence number", to be joined into one: the second entry's text goes on where the first stopped (where
//! exactly the split falls is not shown publicly; sipscope joins the two texts with nothing between). A syslog
//! copy with the PDU on the entry's line (`RAW PDU:#012…`) is read too.

use super::{address, clock_time, digits, ends, meta, Clock, Out, Product};
use crate::base::time::Timestamp;
use crate::import::lines::Line;
use crate::import::Direction;

#[derive(Debug, Default)]
pub(super) struct State {
    /// The open message's entry (date, time and sequence, as written), to join a continued entry.
    key: Option<Vec<u8>>,
    /// The message announced, until `RAW PDU:` shows its text follows.
    announced: Option<Box<super::Meta>>,
    /// `RAW PDU:` was read: the message's lines follow.
    in_pdu: bool,
    /// The message's last line, held until the next line says whether the entry goes on in another.
    held: Option<(Vec<u8>, bool, Vec<super::Piece>)>,
}

/// An entry's first line: its key (date, time, sequence), its time, and its text after `.<SUBSYSTEM>:`.
struct Entry<'a> {
    key: Vec<u8>,
    time: Option<Timestamp>,
    /// `MAJOR`, `Info`, … and `SIPSG`, as written.
    level: &'a [u8],
    subsystem: &'a [u8],
    text: &'a [u8],
}

fn entry(s: &[u8]) -> Option<Entry<'_>> {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || s.get(n) != Some(&b' ') {
        return None;
    }
    let rest = &s[n + 1..];
    let date = rest.get(..8)?;
    if !date.iter().all(u8::is_ascii_digit) || rest.get(8) != Some(&b' ') {
        return None;
    }
    let rest = &rest[9..];
    let colon = memchr::memchr(b':', rest.get(..rest.len().min(32))?)?;
    let time = &rest[..colon];
    if time.len() < 8 || time[6] != b'.' || !time[..6].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let rest = &rest[colon + 1..];
    // `1.01.00.38939.MAJOR .SIPSG:` — ids, level, a space, `.SUBSYSTEM:`.
    let sp = memchr::memchr(b' ', rest.get(..rest.len().min(64))?)?;
    let ids = &rest[..sp];
    let level_at = memchr::memrchr(b'.', ids)?;
    if !ids[level_at + 1..].iter().all(u8::is_ascii_alphabetic)
        || !ids[..level_at]
            .iter()
            .all(|b| b.is_ascii_digit() || *b == b'.')
    {
        return None;
    }
    let sub = rest[sp + 1..].strip_prefix(b".").unwrap_or(&rest[sp + 1..]);
    let sub_end = memchr::memchr(b':', sub.get(..sub.len().min(32))?)?;
    if sub_end == 0
        || !sub[..sub_end]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
    {
        return None;
    }
    let mut key = date.to_vec();
    key.extend_from_slice(time);
    key.extend_from_slice(&ids[..level_at]);
    let t = (|| {
        let (mo, d, y) = (
            digits(&date[0..2])?,
            digits(&date[2..4])?,
            digits(&date[4..8])?,
        );
        let hms = format!(
            "{}:{}:{}{}",
            std::str::from_utf8(&time[0..2]).ok()?,
            std::str::from_utf8(&time[2..4]).ok()?,
            std::str::from_utf8(&time[4..6]).ok()?,
            std::str::from_utf8(&time[6..]).ok()?
        );
        let (h, mi, s, ms) = clock_time(hms.as_bytes())?;
        Timestamp::from_parts(y as i32, mo, d, h, mi, s, ms)
    })();
    Some(Entry {
        key,
        time: t,
        level: &ids[level_at + 1..],
        subsystem: &sub[..sub_end],
        text: &sub[sub_end + 1..],
    })
}

/// An entry's text for people (its time, level and subsystem are shown apart).
pub(super) fn text(line: &[u8]) -> Option<&[u8]> {
    entry(line).map(|e| e.text.trim_ascii())
}

pub(super) fn sniff(line: &[u8]) -> Option<Product> {
    entry(line).map(|_| Product::Ribbon)
}

/// `received msg … from IP/port:a/p, Local IP/port:b/q` / `sent msg … to IP/port:a/p, …`.
fn message(text: &[u8]) -> Option<(Direction, Option<String>)> {
    let text = std::str::from_utf8(text).ok()?;
    let (direction, far_key) = if text.contains("received msg for CallId:") {
        (Direction::Received, " from IP/port:")
    } else if text.contains("sent msg for CallId:") {
        (Direction::Sent, " to IP/port:")
    } else {
        return None;
    };
    let value = |key: &str| {
        let i = text.find(key)? + key.len();
        let v = text[i..].split([',', ' ']).next()?;
        address(v)
    };
    Some((direction, value(far_key)))
}

impl State {
    pub(super) fn line<'a>(
        &mut self,
        l: &Line<'a>,
        clock: &mut Clock,
        out: &mut Vec<Out<'a>>,
    ) -> bool {
        let t = l.text;
        if let Some(e) = entry(t) {
            if let Some(t) = e.time {
                clock.full(t);
            }
            if self.key.as_deref() == Some(&e.key[..]) && self.in_pdu {
                // The same entry goes on: its text continues the held line.
                let (mut held, _, mut from) = self.held.take().unwrap_or_default();
                held.extend_from_slice(e.text);
                from.push(super::piece(l, e.text));
                if held.len() > super::super::MAX_BLOCK_BYTES {
                    // Entries that go on without end: what was read is the message's, which ends there.
                    out.push(Out::Rebuilt {
                        text: held,
                        crlf: false,
                        terminated: false,
                        from,
                    });
                    out.push(Out::Problem(
                        crate::base::diag::Code::EntryTooLarge,
                        format!(
                            "the call trace continues this message's entry for more than {} MiB; it was cut there",
                            super::super::MAX_BLOCK_BYTES >> 20
                        ),
                    ));
                    self.close(out);
                } else {
                    self.held = Some((held, l.terminated, from));
                }
                return true;
            }
            self.close(out);
            let Some((direction, far)) = message(e.text) else {
                out.push(Out::Log(super::LogLine {
                    time: e.time,
                    level: super::level(e.level),
                    thread: e.subsystem.to_vec(),
                }));
                return true;
            };
            // The SBC is one column (the file names no host): its interface (`Local IP/port`) stays in the
            // message's Via and Contact.
            let (src, dst) = ends(direction, far, Some("ribbon-sbc".into()));
            let mut m = meta(l, direction, src, dst);
            m.time = e.time;
            self.key = Some(e.key);
            // A syslog copy: the PDU on this line, its line breaks escaped.
            if let Some(i) = memchr::memmem::find(e.text, b"RAW PDU:") {
                out.push(Out::Begin(m));
                let pdu = super::Mapped::of(l, &e.text[i + 8..]);
                let from = usize::from(pdu.text.first() == Some(&b'\n'));
                super::rebuilt_lines(&pdu, from, out);
                out.push(Out::End);
                self.key = None;
            } else {
                self.announced = Some(Box::new(m));
            }
            return true;
        }
        if self.key.is_none() {
            return false;
        }
        if !self.in_pdu {
            if t.trim_ascii() == b"RAW PDU:" {
                self.in_pdu = true;
                if let Some(m) = self.announced.take() {
                    out.push(Out::Begin(*m));
                }
            }
            return true;
        }
        if let Some((held, terminated, from)) = self.held.take() {
            out.push(Out::Rebuilt {
                text: held,
                crlf: false,
                terminated,
                from,
            });
        }
        self.held = Some((t.to_vec(), l.terminated, vec![super::piece(l, t)]));
        true
    }

    /// The open message ends (the next entry begins).
    fn close(&mut self, out: &mut Vec<Out<'_>>) {
        if let Some((held, terminated, from)) = self.held.take() {
            // The empty line that separates entries is not the message's.
            if !held.is_empty() {
                out.push(Out::Rebuilt {
                    text: held,
                    crlf: false,
                    terminated,
                    from,
                });
            }
        }
        if self.key.take().is_some() && self.in_pdu {
            out.push(Out::End);
        }
        if let Some(m) = self.announced.take() {
            // No `RAW PDU:` followed.
            out.push(Out::Empty(m.line));
        }
        self.in_pdu = false;
    }

    pub(super) fn finish(&mut self, out: &mut Vec<Out<'_>>) {
        self.close(out);
    }
}
