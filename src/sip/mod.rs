//! SIP messages: the parsed model (start line, ordered headers, body) as byte ranges into the message text.
//!
//! `parser` turns bytes into a [`Message`] (nom, zero-copy ranges, never fails on an unknown method, header or
//! content type); `body` splits multipart bodies and pretty-prints XML for display; `framing` cuts a block of
//! bytes into messages by Content-Length; `grammar` reads header values (parameters, name-addr, URI, Via, auth
//! params) as spans; `secrets` finds the values no view shows (media relay credentials), masked where the store
//! reads a message's text back and renamed by the redaction.

pub mod body;
pub mod framing;
pub mod grammar;
pub mod parser;
pub mod secrets;

use std::borrow::Cow;
use std::ops::Range;

use grammar::{first_entry, param};

pub use parser::parse_message;

/// A byte range into [`Message::raw`]. `u32` keeps the per-header cost small; a message over 4 GiB is not SIP.
pub type Span = Range<u32>;

/// First line of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    /// `METHOD uri SIP/2.0`. Any token is a method: SERVICE, BENOTIFY, NEGOTIATE are ordinary values.
    Request {
        method: String,
        uri: String,
        version: String,
    },
    /// `SIP/2.0 code reason`. Any three-digit code, any reason (UTF-8 or empty).
    Response {
        version: String,
        status: u16,
        reason: String,
    },
}

/// One header line as written (repeats kept, in order). Folded continuation lines are inside `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: Span,
    pub value: Span,
}

/// A parsed SIP message. Owns its text; everything else is ranges into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message text: start line, header lines, empty line, body (exactly as it appeared in the log).
    pub raw: Vec<u8>,
    pub start: StartLine,
    /// All header lines in order.
    pub headers: Vec<Header>,
    /// The body bytes (after the empty line), possibly empty.
    pub body: Span,
    /// The message is incomplete: the header section never ended, or the body is shorter than Content-Length.
    pub truncated: bool,
    /// Problems found while parsing (malformed header lines, two Content-Length values, …).
    pub problems: Vec<crate::base::diag::Problem>,
    /// Where the first header of each [`KNOWN`] name is in `headers` ([`ABSENT`] when there is none): the
    /// headers every message is asked for (correlation, the ladder, annotations) are found without a scan.
    /// Filled by [`Message::index_headers`].
    pub first: [u16; KNOWN.len()],
}

/// Headers looked up for nearly every message: [`Message::first`] indexes them (compact forms included).
pub const KNOWN: [&str; 11] = [
    "Call-ID",
    "CSeq",
    "Via",
    "From",
    "To",
    "Content-Length",
    "Content-Type",
    "Event",
    "Subscription-State",
    "Expires",
    "Contact",
];

/// [`Message::first`] for a header the message does not have.
pub const ABSENT: u16 = u16::MAX;

/// The [`KNOWN`] slot of a header name as written (compact forms included). Called for every header of every
/// message: the length picks the one or two names it can be, instead of comparing with all eleven.
fn known_slot(name: &[u8]) -> Option<usize> {
    let is = |slot: usize| name.eq_ignore_ascii_case(KNOWN[slot].as_bytes());
    let slot = match name.len() {
        1 => return KNOWN.iter().position(|long| name_bytes_match(name, long)),
        2 => 4,
        3 => 2,
        4 if is(1) => 1,
        4 => 3,
        5 => 7,
        7 if is(0) => 0,
        7 if is(9) => 9,
        7 => 10,
        12 => 6,
        14 => 5,
        18 => 8,
        _ => return None,
    };
    is(slot).then_some(slot)
}

/// Compact (single-letter) header forms, RFC 3261 §7.3.3 plus the registered extensions.
pub const COMPACT_FORMS: &[(&str, &str)] = &[
    ("a", "Accept-Contact"),
    ("b", "Referred-By"),
    ("c", "Content-Type"),
    ("d", "Request-Disposition"),
    ("e", "Content-Encoding"),
    ("f", "From"),
    ("i", "Call-ID"),
    ("j", "Reject-Contact"),
    ("k", "Supported"),
    ("l", "Content-Length"),
    ("m", "Contact"),
    ("o", "Event"),
    ("r", "Refer-To"),
    ("s", "Subject"),
    ("t", "To"),
    ("u", "Allow-Events"),
    ("v", "Via"),
    ("x", "Session-Expires"),
    ("y", "Identity"),
];

/// The full name for a header name as written: compact forms expanded, otherwise unchanged.
pub fn canonical_name(name: &str) -> &str {
    if name.len() == 1 {
        for (short, long) in COMPACT_FORMS {
            if name.eq_ignore_ascii_case(short) {
                return long;
            }
        }
    }
    name
}

/// Whether a header written as `written` is the header `wanted` (case-insensitive, compact forms).
pub fn name_matches(written: &str, wanted: &str) -> bool {
    name_bytes_match(written.as_bytes(), wanted)
}

/// [`name_matches`] on the raw bytes of a name: no UTF-8 check, so header lookups stay cheap.
fn name_bytes_match(written: &[u8], wanted: &str) -> bool {
    if written.eq_ignore_ascii_case(wanted.as_bytes()) {
        return true;
    }
    match written {
        [c] => COMPACT_FORMS.iter().any(|(short, long)| {
            short.as_bytes()[0] == c.to_ascii_lowercase() && long.eq_ignore_ascii_case(wanted)
        }),
        _ => false,
    }
}

impl Message {
    /// Fill [`Message::first`] from `headers` (the parser calls it once the headers are known).
    pub fn index_headers(&mut self) {
        self.first = [ABSENT; KNOWN.len()];
        // A message with more headers than a u16 can count is left to the plain scan for the ones beyond.
        for (i, h) in self.headers.iter().enumerate().take(usize::from(ABSENT)) {
            let name = self.raw.get(h.name.start as usize..h.name.end as usize);
            if let Some(k) = known_slot(name.unwrap_or(&[])) {
                if self.first[k] == ABSENT {
                    self.first[k] = i as u16;
                }
            }
        }
    }

    /// Where to start looking for `wanted` in `headers`: its first occurrence when it is a [`KNOWN`] header
    /// (`headers.len()` when absent), else 0.
    fn scan_from(&self, wanted: &str) -> usize {
        match known_slot(wanted.as_bytes()) {
            Some(k) if self.first[k] != ABSENT => usize::from(self.first[k]),
            Some(_) if self.headers.len() < usize::from(ABSENT) => self.headers.len(),
            _ => 0,
        }
    }

    fn text(&self, span: &Span) -> &str {
        let bytes = self
            .raw
            .get(span.start as usize..span.end as usize)
            .unwrap_or(&[]);
        // The parser only makes spans over valid UTF-8; fall back to empty rather than panic.
        std::str::from_utf8(bytes).unwrap_or("")
    }

    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The request method, or `None` for a response.
    pub fn method(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    /// The status code, or `None` for a request.
    pub fn status(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { status, .. } => Some(*status),
            StartLine::Request { .. } => None,
        }
    }

    /// The start line as text (`SUBSCRIBE sip:on1@limcm.com SIP/2.0`, `SIP/2.0 200 OK`).
    pub fn start_line(&self) -> String {
        match &self.start {
            StartLine::Request {
                method,
                uri,
                version,
            } => format!("{method} {uri} {version}"),
            StartLine::Response {
                version,
                status,
                reason,
            } if reason.is_empty() => format!("{version} {status}"),
            StartLine::Response {
                version,
                status,
                reason,
            } => format!("{version} {status} {reason}"),
        }
    }

    /// The header's name as written.
    pub fn name(&self, h: &Header) -> &str {
        self.text(&h.name)
    }

    /// The header's value with folded lines joined by a single space.
    pub fn value(&self, h: &Header) -> Cow<'_, str> {
        let v = self.text(&h.value);
        if !v.contains('\n') {
            return Cow::Borrowed(v);
        }
        let mut out = String::with_capacity(v.len());
        for (i, piece) in grammar::unfold(v).enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&v[piece]);
        }
        Cow::Owned(out)
    }

    /// All values of a header (case-insensitive, compact forms understood), in order.
    pub fn headers_named<'a, 'w>(
        &'a self,
        wanted: &'w str,
    ) -> impl Iterator<Item = Cow<'a, str>> + use<'a, 'w> {
        self.headers[self.scan_from(wanted)..]
            .iter()
            .filter(move |h| {
                let name = self.raw.get(h.name.start as usize..h.name.end as usize);
                name_bytes_match(name.unwrap_or(&[]), wanted)
            })
            .map(move |h| self.value(h))
    }

    /// The first value of a header.
    pub fn header(&self, wanted: &str) -> Option<Cow<'_, str>> {
        self.headers_named(wanted).next()
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        self.raw
            .get(self.body.start as usize..self.body.end as usize)
            .unwrap_or(&[])
    }

    pub fn call_id(&self) -> Option<Cow<'_, str>> {
        self.header("Call-ID").map(|v| match v {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
        })
    }

    /// `CSeq: 1 SUBSCRIBE` → `(1, "SUBSCRIBE")`.
    pub fn cseq(&self) -> Option<(u32, String)> {
        let v = self.header("CSeq")?;
        let mut it = v.split_whitespace();
        let n = it.next()?.parse().ok()?;
        let m = it.next()?.to_string();
        Some((n, m))
    }

    /// The method this message belongs to: the request's own, or the one named in a response's CSeq.
    pub fn cseq_method(&self) -> Option<String> {
        match self.method() {
            Some(m) => Some(m.to_string()),
            None => self.cseq().map(|(_, m)| m),
        }
    }

    /// The first Via value (the first entry when one header holds several, comma-separated).
    pub fn top_via(&self) -> Option<String> {
        Some(first_entry(&self.header("Via")?).to_string())
    }

    /// The `branch` parameter of the top Via.
    pub fn via_branch(&self) -> Option<String> {
        param(&self.top_via()?, "branch").map(str::to_string)
    }

    pub fn from_tag(&self) -> Option<String> {
        param(&self.header("From")?, "tag").map(str::to_string)
    }

    pub fn to_tag(&self) -> Option<String> {
        param(&self.header("To")?, "tag").map(str::to_string)
    }

    /// The declared Content-Length, when there is exactly one parseable value.
    pub fn content_length(&self) -> Option<usize> {
        let mut it = self.headers_named("Content-Length");
        let first = it.next()?;
        if it.next().is_some() {
            return None;
        }
        first.trim().parse().ok()
    }

    /// The Content-Type without parameters, lower-cased (`multipart/related`).
    pub fn content_type(&self) -> Option<String> {
        Some(body::media_type(&self.header("Content-Type")?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_headers_are_indexed_with_compact_forms() {
        let m = crate::sip::parse_message(
            b"NOTIFY sip:on1@limcm.com SIP/2.0\r\nMax-Forwards: 70\r\nv: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1\r\n\
Via: SIP/2.0/TLS 10.0.0.2:5061;branch=z9hG4bK2\r\ni: abc@limcm.com\r\nf: <sip:a@limcm.com>;tag=1\r\n\
To: <sip:on1@limcm.com>;tag=2\r\nCSeq: 7 NOTIFY\r\nl: 0\r\n\r\n"
                .to_vec(),
        )
        .unwrap();
        assert_eq!(m.first[0], 3, "Call-ID written as i:");
        assert_eq!(m.first[2], 1, "the first Via, written as v:");
        assert_eq!(m.first[7], ABSENT, "no Event");
        assert_eq!(m.call_id().as_deref(), Some("abc@limcm.com"));
        assert_eq!(m.via_branch().as_deref(), Some("z9hG4bK1"));
        assert_eq!(m.headers_named("Via").count(), 2);
        assert_eq!(m.from_tag().as_deref(), Some("1"));
        assert_eq!(m.content_length(), Some(0));
        assert_eq!(m.header("Event"), None);
        assert_eq!(m.header("Max-Forwards").as_deref(), Some("70"));
    }

    #[test]
    fn every_known_name_finds_its_slot_in_any_case() {
        for (slot, name) in KNOWN.iter().enumerate() {
            assert_eq!(known_slot(name.as_bytes()), Some(slot), "{name}");
            let upper = name.to_ascii_uppercase();
            assert_eq!(known_slot(upper.as_bytes()), Some(slot), "{upper}");
        }
        for (short, long) in COMPACT_FORMS {
            let want = KNOWN.iter().position(|k| k == long);
            assert_eq!(known_slot(short.as_bytes()), want, "{short}");
        }
        for other in [
            "Route",
            "Require",
            "Supported",
            "ms-diagnostics",
            "Contact-X",
            "",
        ] {
            assert_eq!(known_slot(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn compact_forms_expand() {
        assert_eq!(canonical_name("i"), "Call-ID");
        assert_eq!(canonical_name("V"), "Via");
        assert_eq!(canonical_name("ms-diagnostics"), "ms-diagnostics");
        assert!(name_matches("l", "content-length"));
    }
}
