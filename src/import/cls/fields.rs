//! A server trace record's lines sorted into what they are: trace fields (`Direction`, `Peer`, `LogType`, …),
//! the SIP start line and header lines, and the body (`Message-Body:` and the lines after it).

use std::borrow::Cow;

/// `Name: value` → (name, value after the colon and its spaces). The name is a token without spaces.
pub(super) fn split_field(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = memchr::memchr(b':', line)?;
    let name = line[..colon].trim_ascii_end();
    if name.is_empty()
        || !name.iter().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    b'-' | b'_' | b'.' | b'!' | b'%' | b'*' | b'+' | b'`' | b'\'' | b'~'
                )
        })
    {
        return None;
    }
    let mut value = &line[colon + 1..];
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    Some((name, value))
}

/// A record's lines, sorted into trace fields, SIP headers and body.
#[derive(Debug, Default)]
pub(super) struct Fields<'a> {
    /// Trace fields in order (name, value); for a protocol record only those before `Start-Line`. Borrowed from
    /// the record's lines (a value continued on further lines is joined into an owned one).
    pub names: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub start_line: Option<&'a [u8]>,
    pub sip_headers: Vec<&'a [u8]>,
    pub body: Vec<&'a [u8]>,
}

impl<'a> Fields<'a> {
    pub(super) fn parse(lines: &'a [u8]) -> Fields<'a> {
        #[derive(PartialEq)]
        enum Phase {
            Trace,
            Headers,
            Body,
        }
        let mut f = Fields::default();
        let mut phase = Phase::Trace;
        let mut body_started = false;
        // The lines, cut at each `\n` (memchr, not a byte-by-byte split: records are most of a trace's bytes).
        let mut from = 0;
        let pieces = memchr::memchr_iter(b'\n', lines)
            .map(|nl| nl + 1)
            .chain(std::iter::once(lines.len() + 1))
            .map(|next| {
                let line = &lines[from..next - 1];
                from = next;
                line
            });
        for line in pieces {
            match phase {
                Phase::Body => {
                    f.body.push(line);
                    continue;
                }
                // A SIP header line is a field only to say where the body starts: only a line that can be
                // `Message-Body:` is split.
                Phase::Headers if !line.first().is_some_and(|b| b.eq_ignore_ascii_case(&b'm')) => {
                    if !line.trim_ascii().is_empty() {
                        f.sip_headers.push(line);
                    }
                    continue;
                }
                Phase::Trace | Phase::Headers => {}
            }
            let field = split_field(line);
            if let Some((name, value)) = field {
                if name.eq_ignore_ascii_case(b"Message-Body") {
                    phase = Phase::Body;
                    body_started = true;
                    if !is_dash(value) {
                        f.body.push(value);
                    }
                    continue;
                }
            }
            match phase {
                Phase::Trace => match field {
                    Some((name, value)) if name.eq_ignore_ascii_case(b"Start-Line") => {
                        f.start_line = Some(value.trim_ascii());
                        phase = Phase::Headers;
                    }
                    Some((name, value)) => f.names.push((
                        String::from_utf8_lossy(name),
                        String::from_utf8_lossy(value),
                    )),
                    None => {
                        // A line that continues the previous field (a long Text, a Data blob).
                        if let Some(last) = f.names.last_mut() {
                            if !line.trim_ascii().is_empty() {
                                let v = last.1.to_mut();
                                v.push(' ');
                                v.push_str(String::from_utf8_lossy(line.trim_ascii()).as_ref());
                            }
                        }
                    }
                },
                Phase::Headers => {
                    if !line.trim_ascii().is_empty() {
                        f.sip_headers.push(line);
                    }
                }
                Phase::Body => {}
            }
        }
        // The split leaves one empty piece after the last `\n`.
        if body_started {
            while f.body.last().is_some_and(|l| l.is_empty()) {
                f.body.pop();
            }
        }
        f
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

/// `–` (U+2013) or `-`: the log's mark for an empty body.
fn is_dash(value: &[u8]) -> bool {
    let v = value.trim_ascii();
    v.is_empty() || v == b"-" || v == "–".as_bytes() || v == "—".as_bytes()
}

/// Where a protocol record's message is in its field lines: byte ranges of the lines as the importer keeps them
/// (each line without its break and followed by `\n`, the header line left out, `$$end_record` cut off).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecordParts {
    /// The `Start-Line:` value, trimmed.
    pub start_line: Option<std::ops::Range<usize>>,
    /// Each SIP header line.
    pub headers: Vec<std::ops::Range<usize>>,
    /// Each body line: the `Message-Body:` value (none when it is the empty mark), then the lines after it.
    pub body: Vec<std::ops::Range<usize>>,
}

/// The parts of a record's field lines, found as the importer finds them (to write a record back).
pub fn record_parts(lines: &[u8]) -> RecordParts {
    let f = Fields::parse(lines);
    let range = |s: &[u8]| {
        let at = (s.as_ptr() as usize).saturating_sub(lines.as_ptr() as usize);
        at..at + s.len()
    };
    RecordParts {
        start_line: f.start_line.map(range),
        headers: f.sip_headers.iter().map(|h| range(h)).collect(),
        body: f.body.iter().map(|b| range(b)).collect(),
    }
}
