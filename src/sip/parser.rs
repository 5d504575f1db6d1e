//! nom parser: SIP message bytes → [`Message`] with zero-copy header ranges; unknown methods and headers are values.
//!
//! Grammar (RFC 3261 §7, §25, tolerant as RFC 4475 asks):
//!
//! * start line: `METHOD SP Request-URI SP SIP-Version` or `SIP-Version SP 3DIGIT [SP Reason-Phrase]`; any run of
//!   SP/HTAB separates the parts, any token is a method, any three digits a status, any text (or none) a reason;
//! * header line: `token *WSP ":" *WSP value`; a line starting with SP/HTAB continues the previous header;
//! * the header section ends at the first empty (or whitespace-only) line; everything after it is the body.
//!
//! Lines end with CRLF or a bare LF. Headers are kept as [`Span`]s into the message text, in order, repeats kept;
//! only the start line fields are copied into `String`s. Nothing in here panics on any input: malformed lines,
//! a body that disagrees with Content-Length, invalid UTF-8 and cut-off messages become `Message::problems`
//! (and `Message::truncated`). The only error is a first line that is not a SIP start line.
//!
//! [`scan_head`] (the header-section scanner) and [`content_length`] are shared with `framing`, so a block is
//! cut exactly where the parser later finds the end of the header section.

use super::{Header, Message, Span, StartLine};
use crate::base::diag::{Code, Problem};
use memchr::memchr;
use nom::bytes::complete::{tag_no_case, take_till1, take_while1, take_while_m_n};
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::{eof, recognize};
use nom::Parser;

/// Why a block is not a SIP message at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSip {
    pub reason: String,
    /// The bytes, handed back so the caller can try them another way.
    pub raw: Vec<u8>,
}

/// nom result with the unit error: failures carry no data, so a failed alternative costs nothing.
type PResult<'a, O> = nom::IResult<&'a [u8], O, ()>;

/// RFC 3261 `token` characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
static TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
            );
        i += 1;
    }
    t
};

#[inline]
fn is_token(b: u8) -> bool {
    TOKEN[b as usize]
}

#[inline]
fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

#[inline]
fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

fn trim_wsp(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_wsp(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_wsp(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// `SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT` ("SIP" case-insensitive, RFC 3261 §7.1).
#[inline]
fn sip_version(i: &[u8]) -> PResult<'_, &[u8]> {
    recognize((tag_no_case(&b"SIP/"[..]), digit1, char('.'), digit1)).parse(i)
}

/// `SIP-Version 1*WSP 3DIGIT [1*WSP reason]` → (version, status digits, reason).
#[inline]
fn status_line(i: &[u8]) -> PResult<'_, (&[u8], &[u8], &[u8])> {
    let (i, version) = sip_version(i)?;
    let (i, _) = space1(i)?;
    let (i, code) = take_while_m_n(3, 3, is_digit).parse(i)?;
    // The code is exactly three digits: it must be followed by whitespace or the end of the line.
    match i.first() {
        None => Ok((i, (version, code, i))),
        Some(&b) if is_wsp(b) => Ok((&i[i.len()..], (version, code, trim_wsp(i)))),
        Some(_) => Err(nom::Err::Error(())),
    }
}

/// `token 1*WSP uri 1*WSP SIP-Version *WSP` → (method, uri, version). The URI holds no whitespace and has a
/// scheme (every Request-URI is an absolute URI, RFC 3261 §25.1).
#[inline]
fn request_line(i: &[u8]) -> PResult<'_, (&[u8], &[u8], &[u8])> {
    let (i, method) = take_while1(is_token).parse(i)?;
    let (i, _) = space1(i)?;
    let (i, uri) = take_till1(is_wsp).parse(i)?;
    let (i, _) = space1(i)?;
    let (i, version) = sip_version(i)?;
    let (i, _) = space0(i)?;
    let (i, _) = eof(i)?;
    if memchr(b':', uri).is_none() {
        return Err(nom::Err::Error(()));
    }
    Ok((i, (method, uri, version)))
}

/// A request line whose URI holds whitespace (`INVITE sip:a@b; lr SIP/2.0`): method first, version last,
/// the URI is everything between. Only used by the parser, never to detect messages in text.
fn loose_request_line(line: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let (rest, method) = take_while1::<_, _, ()>(is_token).parse(line).ok()?;
    let (rest, _) = space1::<_, ()>(rest).ok()?;
    let rest = trim_wsp(rest);
    let cut = rest.iter().rposition(|&b| is_wsp(b))?;
    let (uri, version) = (trim_wsp(rest.get(..cut)?), rest.get(cut + 1..)?);
    let (after, version) = sip_version(version).ok()?;
    if !after.is_empty() || uri.is_empty() || memchr(b':', uri).is_none() {
        return None;
    }
    Some((method, uri, version))
}

/// `token *WSP ":" *WSP` → (value and rest of line, name).
#[inline]
fn header_start(line: &[u8]) -> PResult<'_, &[u8]> {
    let (i, name) = take_while1(is_token).parse(line)?;
    let (i, _) = space0(i)?;
    let (i, _) = char(':')(i)?;
    let (i, _) = space0(i)?;
    Ok((i, name))
}

/// Whether `line` (one line, without its line break) is a SIP start line (request or status line).
pub fn is_start_line(line: &[u8]) -> bool {
    let line = match line {
        [rest @ .., b'\r'] => rest,
        _ => line,
    };
    // Shortest request line: `A s:x SIP/2.0` (13 bytes); shortest status line: `SIP/2.0 200` (11 bytes).
    if line.len() < 11 {
        return false;
    }
    match line.first() {
        Some(b'S' | b's') if status_line(line).is_ok() => true,
        Some(&b) if is_token(b) => request_line(line).is_ok(),
        _ => false,
    }
}

/// The line starting at `pos`: (end of its content without CR/LF, start of the next line, had a line break).
#[inline]
pub(crate) fn line_at(raw: &[u8], pos: usize) -> (usize, usize, bool) {
    let rest = raw.get(pos..).unwrap_or(&[]);
    match memchr(b'\n', rest) {
        Some(i) => {
            let nl = pos + i;
            let end = if i > 0 && raw.get(nl - 1) == Some(&b'\r') {
                nl - 1
            } else {
                nl
            };
            (end, nl + 1, true)
        }
        None => {
            let end = if rest.last() == Some(&b'\r') {
                raw.len() - 1
            } else {
                raw.len()
            };
            (end.max(pos.min(raw.len())), raw.len(), false)
        }
    }
}

/// How the header section ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadEnd {
    /// An empty line; the body starts at `body` (the byte after that line).
    Blank { body: usize },
    /// A line that is not a header line where one was expected: the body starts at that line (no blank line).
    Body { body: usize },
    /// A SIP start line where a header was expected: the next message begins at `at`, without a blank line.
    StartLine { at: usize },
    /// The bytes ended inside the header section. `cut`: the last line had no line break (cut off mid-line).
    Eof { cut: bool },
}

/// A line that can only be the first line of a body: XML/JSON, an SDP `x=` line, a multipart delimiter.
fn looks_like_body(line: &[u8]) -> bool {
    match line {
        [b'<' | b'{' | b'[', ..] => true,
        [b'-', b'-', ..] => true,
        [a, b'=', ..] => a.is_ascii_lowercase(),
        _ => false,
    }
}

/// Whether the next line that is not a continuation line (from `pos` on) is a header line.
fn next_is_header(raw: &[u8], mut pos: usize) -> bool {
    while pos < raw.len() {
        let (end, next, _) = line_at(raw, pos);
        let line = raw.get(pos..end).unwrap_or(&[]);
        match line.first() {
            None => return false,
            Some(&b) if is_wsp(b) => {
                if trim_wsp(line).is_empty() {
                    return false;
                }
                pos = next;
            }
            Some(_) => return header_start(line).is_ok(),
        }
    }
    false
}

/// A short printable excerpt of a line for problem messages.
fn excerpt(line: &[u8]) -> String {
    const MAX: usize = 60;
    let cut = line.get(..MAX).unwrap_or(line);
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if line.len() > MAX {
        s.push('…');
    }
    s
}

#[inline]
fn span(start: usize, end: usize) -> Span {
    // Callers only pass offsets into texts of at most u32::MAX bytes (checked by parse_message); saturate anyway.
    let c = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    c(start)..c(end)
}

/// Scan the header section of `raw` from `pos` (the byte after the start line) to its end, appending each header
/// line to `headers` (spans into `raw`) and each malformed line to `problems`. `first_line` is the 1-based line
/// number of the line at `pos`, for the messages.
pub(crate) fn scan_head(
    raw: &[u8],
    mut pos: usize,
    first_line: usize,
    headers: &mut Vec<Header>,
    problems: &mut Vec<Problem>,
) -> HeadEnd {
    let mut line_no = first_line;
    // Whether the previous line was a header (or its continuation), so that a folded line has something to extend.
    let mut in_header = false;
    let mut orphan_reported = false;
    while pos < raw.len() {
        let (end, next, terminated) = line_at(raw, pos);
        let line = raw.get(pos..end).unwrap_or(&[]);
        match line.first() {
            None => return HeadEnd::Blank { body: next },
            Some(&b) if is_wsp(b) => {
                let value = trim_wsp(line);
                if value.is_empty() {
                    // A whitespace-only line cannot be a fold (LWS has one line break): it ends the headers.
                    if !terminated {
                        return HeadEnd::Eof { cut: false };
                    }
                    return HeadEnd::Blank { body: next };
                }
                match headers.last_mut() {
                    Some(h) if in_header => {
                        let lead = line.len() - line.len().min(value.len() + trailing_wsp(line));
                        let (vstart, vend) = (pos + lead, pos + lead + value.len());
                        if h.value.is_empty() {
                            // `Contact:` with the value on the next line: the value starts there.
                            h.value = span(vstart, vend);
                        } else {
                            h.value.end = span(vend, vend).end;
                        }
                    }
                    _ => {
                        if !orphan_reported {
                            problems.push(Problem::new(
                                Code::MalformedHeaderLine,
                                format!(
                                    "line {line_no} is indented but continues no header: `{}`",
                                    excerpt(value)
                                ),
                            ));
                            orphan_reported = true;
                        }
                    }
                }
            }
            Some(_) => match header_start(line) {
                Ok((value, name)) => {
                    let name_start = pos;
                    // `value` is the tail of `line` after the colon and its whitespace.
                    let vstart = end - value.len();
                    let vend = vstart + trim_wsp(value).len();
                    headers.push(Header {
                        name: span(name_start, name_start + name.len()),
                        value: span(vstart, vend),
                    });
                    in_header = true;
                }
                Err(_) => {
                    if is_start_line(line) {
                        return HeadEnd::StartLine { at: pos };
                    }
                    if looks_like_body(line) || !next_is_header(raw, next) {
                        problems.push(Problem::new(
                            Code::NoBlankLine,
                            format!(
                                "no blank line before the body (it starts on line {line_no}: `{}`)",
                                excerpt(line)
                            ),
                        ));
                        return HeadEnd::Body { body: pos };
                    }
                    problems.push(Problem::new(
                        Code::MalformedHeaderLine,
                        format!("line {line_no} is not a header line: `{}`", excerpt(line)),
                    ));
                    in_header = false;
                }
            },
        }
        if !terminated {
            return HeadEnd::Eof { cut: true };
        }
        pos = next;
        line_no += 1;
    }
    HeadEnd::Eof { cut: false }
}

/// Number of SP/HTAB bytes at the end of `line`.
fn trailing_wsp(line: &[u8]) -> usize {
    line.iter().rev().take_while(|&&b| is_wsp(b)).count()
}

/// The Content-Length header(s) of a header list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ContentLength {
    Absent,
    /// Exactly one value, a number (saturated to `usize::MAX`).
    One(usize),
    /// One value that is not a number, as written.
    Bad(String),
    /// Two or more values, as written.
    Many(Vec<String>),
}

fn is_content_length(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l")
}

/// Find and read the Content-Length header(s) among `headers` (spans into `raw`).
pub(crate) fn content_length(raw: &[u8], headers: &[Header]) -> ContentLength {
    let bytes = |s: &Span| raw.get(s.start as usize..s.end as usize).unwrap_or(&[]);
    let mut found = headers.iter().filter(|h| is_content_length(bytes(&h.name)));
    let Some(first) = found.next() else {
        return ContentLength::Absent;
    };
    let value = bytes(&first.value).trim_ascii();
    let rest: Vec<&Header> = found.collect();
    if !rest.is_empty() {
        let mut all = vec![String::from_utf8_lossy(value).into_owned()];
        all.extend(
            rest.iter()
                .map(|h| String::from_utf8_lossy(bytes(&h.value).trim_ascii()).into_owned()),
        );
        return ContentLength::Many(all);
    }
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return ContentLength::Bad(String::from_utf8_lossy(value).into_owned());
    }
    let n = value
        .iter()
        .try_fold(0usize, |n, &d| {
            n.checked_mul(10)?.checked_add(usize::from(d - b'0'))
        })
        .unwrap_or(usize::MAX);
    ContentLength::One(n)
}

/// The length `text` had with CRLF line breaks: every bare LF counts two bytes.
pub(crate) fn crlf_len(text: &[u8]) -> usize {
    let mut n = text.len();
    for i in memchr::memchr_iter(b'\n', text) {
        if i == 0 || text.get(i - 1) != Some(&b'\r') {
            n += 1;
        }
    }
    n
}

/// Where a body of `declared` CRLF-counted bytes starting at `from` ends in `text` whose line breaks may be bare
/// LFs (each counting two bytes); `None` when `text` ends first.
pub(crate) fn crlf_body_end(text: &[u8], from: usize, declared: usize) -> Option<usize> {
    let mut left = declared;
    let mut pos = from;
    while left > 0 {
        let rest = text.get(pos..)?;
        match memchr(b'\n', rest) {
            Some(i) if i < left => {
                let bare = text.get((pos + i).wrapping_sub(1)) != Some(&b'\r') || pos + i == 0;
                let cost = i + if bare { 2 } else { 1 };
                left = left.saturating_sub(cost);
                pos += i + 1;
            }
            _ => {
                pos = pos.checked_add(left)?;
                left = 0;
            }
        }
    }
    (pos <= text.len()).then_some(pos)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

thread_local! {
    /// The header buffer [`parse_message`] reuses.
    static HEADER_SCRATCH: std::cell::RefCell<Vec<Header>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Parse one message occupying all of `raw`. Only a missing/invalid start line is an error; every other problem
/// is recorded in `Message::problems` (and `truncated`).
pub fn parse_message(raw: Vec<u8>) -> Result<Message, NotSip> {
    if u32::try_from(raw.len()).is_err() {
        return Err(NotSip {
            reason: format!("{} bytes is too large for one SIP message", raw.len()),
            raw,
        });
    }
    let mut problems = Vec::new();

    // Leading keep-alive line breaks, whitespace and a UTF-8 byte order mark are skipped.
    let mut pos = 0;
    if raw.starts_with(b"\xEF\xBB\xBF") {
        pos = 3;
    }
    while raw.get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
        pos += 1;
    }
    if pos >= raw.len() {
        return Err(NotSip {
            reason: "no text".into(),
            raw,
        });
    }
    let (end, next, terminated) = line_at(&raw, pos);
    let line = raw.get(pos..end).unwrap_or(&[]);

    let start = if let Ok((_, (version, code, reason))) = status_line(line) {
        let status = code.iter().fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
        if std::str::from_utf8(reason).is_err() {
            problems.push(Problem::new(
                Code::InvalidUtf8,
                "the reason phrase is not valid UTF-8",
            ));
        }
        StartLine::Response {
            version: lossy(version),
            status,
            reason: lossy(reason),
        }
    } else {
        let (method, uri, version) = match request_line(line) {
            Ok((_, parts)) => parts,
            Err(_) => match loose_request_line(line) {
                Some(parts) => {
                    problems.push(Problem::new(
                        Code::BadStartLine,
                        "the Request-URI contains whitespace",
                    ));
                    parts
                }
                None => {
                    let reason = format!(
                        "the first line is not a SIP request or status line: `{}`",
                        excerpt(line)
                    );
                    return Err(NotSip { reason, raw });
                }
            },
        };
        if std::str::from_utf8(uri).is_err() {
            problems.push(Problem::new(
                Code::InvalidUtf8,
                "the Request-URI is not valid UTF-8",
            ));
        }
        StartLine::Request {
            method: lossy(method),
            uri: lossy(uri),
            version: lossy(version),
        }
    };
    let version = match &start {
        StartLine::Request { version, .. } | StartLine::Response { version, .. } => version,
    };
    if !version.eq_ignore_ascii_case("SIP/2.0") {
        problems.push(Problem::new(
            Code::BadStartLine,
            format!("the protocol version is {version}, not SIP/2.0"),
        ));
    }

    // Headers are collected in a buffer kept between calls, then copied out at their exact count: one
    // allocation per message that is kept (every message stays in memory), none that grows or shrinks.
    let mut headers = HEADER_SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
    headers.clear();
    let mut truncated = false;
    let head_end = if terminated {
        scan_head(&raw, next, 2, &mut headers, &mut problems)
    } else {
        HeadEnd::Eof { cut: true }
    };
    let (body_start, headers_end) = match head_end {
        HeadEnd::Blank { body } => (body, body),
        HeadEnd::Body { body } => (body, body),
        HeadEnd::StartLine { at } => {
            problems.push(Problem::new(
                Code::SecondStartLine,
                format!(
                    "a second start line appears among the headers: `{}`; the rest is kept as the body",
                    excerpt(raw.get(at..line_at(&raw, at).0).unwrap_or(&[]))
                ),
            ));
            (at, at)
        }
        HeadEnd::Eof { cut } => {
            if cut {
                truncated = true;
                problems.push(Problem::new(
                    Code::TruncatedMessage,
                    "the message ends in the middle of the header section (the last line is cut off)",
                ));
            }
            (raw.len(), raw.len())
        }
    };
    let body_len = raw.len().saturating_sub(body_start);
    // The start line ends with a bare LF: the text probably had its CRLFs turned into LFs.
    let bare_lf = terminated && raw.get(next.saturating_sub(2)) != Some(&b'\r');

    // Content-Length against the body actually present.
    match content_length(&raw, &headers) {
        ContentLength::Absent => {}
        ContentLength::One(declared) => {
            if matches!(head_end, HeadEnd::Eof { .. }) {
                if declared > 0 && !truncated {
                    truncated = true;
                    problems.push(Problem::new(
                        Code::TruncatedMessage,
                        format!(
                            "the headers end without a blank line, but Content-Length says {declared} body bytes follow"
                        ),
                    ));
                }
            } else if body_len < declared
                && !(bare_lf && crlf_len(raw.get(body_start..).unwrap_or(&[])) >= declared)
            {
                // A log that turned CRLF into LF keeps the sender's Content-Length, which counted the CRs: such a
                // body is complete when its CRLF length reaches the declared length.
                truncated = true;
                problems.push(Problem::new(
                    Code::ContentLengthMismatch,
                    format!("body has {body_len} bytes, Content-Length says {declared}"),
                ));
            } else if body_len > declared {
                let extra = raw
                    .get(body_start.saturating_add(declared)..)
                    .unwrap_or(&[]);
                if !extra.iter().all(u8::is_ascii_whitespace) {
                    problems.push(Problem::new(
                        Code::ContentLengthMismatch,
                        format!("body has {body_len} bytes, Content-Length says {declared}"),
                    ));
                }
            }
        }
        ContentLength::Bad(v) => problems.push(Problem::new(
            Code::BadContentLength,
            format!("Content-Length `{v}` is not a number"),
        )),
        ContentLength::Many(vs) => problems.push(Problem::new(
            Code::BadContentLength,
            format!(
                "{} Content-Length headers ({}): the body length is unknown",
                vs.len(),
                vs.join(", ")
            ),
        )),
    }

    // UTF-8: one fast check over the whole header section, then per header to name the culprits.
    if std::str::from_utf8(raw.get(next.min(headers_end)..headers_end).unwrap_or(&[])).is_err() {
        for h in &headers {
            let bytes = |s: &Span| raw.get(s.start as usize..s.end as usize).unwrap_or(&[]);
            if std::str::from_utf8(bytes(&h.value)).is_err() {
                problems.push(Problem::new(
                    Code::InvalidUtf8,
                    format!("header {} is not valid UTF-8", lossy(bytes(&h.name))),
                ));
            }
        }
    }

    let exact = headers.as_slice().to_vec();
    HEADER_SCRATCH.with(|s| *s.borrow_mut() = headers);
    let mut msg = Message {
        raw,
        start,
        headers: exact,
        body: span(body_start, body_start + body_len),
        truncated,
        problems,
        first: [super::ABSENT; super::KNOWN.len()],
    };
    msg.index_headers();
    check_headers(&mut msg);
    Ok(msg)
}

/// The first header named `long` (or its compact form `short`), by bytes: no UTF-8 check, no allocation.
fn find_header<'a>(msg: &'a Message, long: &[u8], short: &[u8]) -> Option<&'a [u8]> {
    let bytes = |s: &Span| msg.raw.get(s.start as usize..s.end as usize).unwrap_or(&[]);
    msg.headers
        .iter()
        .find(|h| {
            let n = bytes(&h.name);
            n.eq_ignore_ascii_case(long) || (!short.is_empty() && n.eq_ignore_ascii_case(short))
        })
        .map(|h| bytes(&h.value))
}

/// Checks on the parsed headers that need no parse: Call-ID present, CSeq method equal to the request method.
fn check_headers(msg: &mut Message) {
    if !msg.truncated && find_header(msg, b"call-id", b"i").is_none() {
        msg.problems
            .push(Problem::new(Code::MissingCallId, "no Call-ID header"));
    }
    let StartLine::Request { method, .. } = &msg.start else {
        return;
    };
    let Some(cseq) = find_header(msg, b"cseq", b"") else {
        return;
    };
    let mut it = cseq
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty());
    let number = it
        .next()
        .filter(|n| n.len() <= 10 && n.iter().all(u8::is_ascii_digit));
    let problem = match (number, it.next(), it.next()) {
        (Some(_), Some(m), None) if m == method.as_bytes() => None,
        (Some(_), Some(m), None) => Some(format!(
            "CSeq method {} does not match the request method {method}",
            lossy(m)
        )),
        _ => Some(format!(
            "CSeq `{}` is not `number METHOD`",
            excerpt(cseq.trim_ascii())
        )),
    }
    .map(|text| Problem::new(Code::BadCseq, text));
    msg.problems.extend(problem);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crlf(s: &str) -> Vec<u8> {
        s.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes()
    }

    const SUBSCRIBE_BODY: &str = "<batchSub xmlns=\"http://schemas.microsoft.com/2006/01/sip/batch-subscribe\" uri=\"sip:on1@limcm.com\" name=\"\"><action name=\"subscribe\" id=\"49698520\"><adhocList><resource uri=\"sip:on2@limcm.com\"/></adhocList><categoryList xmlns=\"http://schemas.microsoft.com/2006/09/sip/categorylist\"><category name=\"contactCard\"/><category name=\"note\"/><category name=\"state\"/></categoryList></action></batchSub>";

    fn subscribe() -> Vec<u8> {
        let head = "SUBSCRIBE sip:on1@limcm.com SIP/2.0
Via: SIP/2.0/TLS 192.168.1.51:51882
Max-Forwards: 70
From: <sip:on1@limcm.com>;tag=0bc7b0fc1e;epid=08b5b444f3
To: <sip:on1@limcm.com>
Call-ID: 3e027202ab3c4ccabed634c1edd89f72
CSeq: 1 SUBSCRIBE
Contact: <sip:on1@limcm.com;opaque=user:epid:rD_-D8k_BF-h0APnlXF6WwAA;gruu>
User-Agent: UCCAPI/16.0.9126.2072 OC/16.0.9126.2098 (Skype for Business)
Event: presence
Supported: com.microsoft.autoextend
Supported: ms-benotify
Proxy-Require: ms-benotify
Require: adhoclist, categoryList
Content-Type: application/msrtc-adrl-categorylist+xml
";
        let mut m = crlf(head);
        m.extend_from_slice(
            format!(
                "Content-Length: {}\r\n\r\n{SUBSCRIBE_BODY}",
                SUBSCRIBE_BODY.len()
            )
            .as_bytes(),
        );
        m
    }

    fn fixture(rel: &str) -> Option<Vec<u8>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/");
        match std::fs::read(format!("{dir}{rel}")) {
            Ok(b) => Some(b),
            Err(_) => {
                eprintln!("fixture {rel} not found under {dir}: skipped");
                None
            }
        }
    }

    #[test]
    fn parses_a_skype_subscribe() {
        let m = parse_message(subscribe()).unwrap();
        assert_eq!(m.method(), Some("SUBSCRIBE"));
        assert_eq!(m.start_line(), "SUBSCRIBE sip:on1@limcm.com SIP/2.0");
        assert_eq!(m.headers.len(), 15);
        assert_eq!(
            m.call_id().as_deref(),
            Some("3e027202ab3c4ccabed634c1edd89f72")
        );
        assert_eq!(m.cseq(), Some((1, "SUBSCRIBE".to_string())));
        assert_eq!(m.from_tag().as_deref(), Some("0bc7b0fc1e"));
        assert_eq!(
            m.headers_named("Supported").collect::<Vec<_>>(),
            ["com.microsoft.autoextend", "ms-benotify"]
        );
        assert_eq!(
            m.header("user-agent").as_deref(),
            Some("UCCAPI/16.0.9126.2072 OC/16.0.9126.2098 (Skype for Business)")
        );
        assert_eq!(
            m.content_type().as_deref(),
            Some("application/msrtc-adrl-categorylist+xml")
        );
        assert_eq!(m.content_length(), Some(SUBSCRIBE_BODY.len()));
        assert_eq!(m.body(), SUBSCRIBE_BODY.as_bytes());
        assert!(!m.truncated);
        assert!(m.problems.is_empty(), "{:?}", m.problems);
    }

    #[test]
    fn parses_responses_with_any_reason() {
        let m = parse_message(crlf(
            "SIP/2.0 200 OK\nCall-ID: a\nCSeq: 1 SUBSCRIBE\nContent-Length: 0\n\n",
        ))
        .unwrap();
        assert_eq!(m.status(), Some(200));
        assert_eq!(m.start_line(), "SIP/2.0 200 OK");
        assert_eq!(m.cseq_method().as_deref(), Some("SUBSCRIBE"));
        assert!(m.body().is_empty());
        assert!(m.problems.is_empty(), "{:?}", m.problems);

        let m = parse_message(b"SIP/2.0 100 \r\nCall-ID: x\r\n\r\n".to_vec()).unwrap();
        assert_eq!(
            m.start,
            StartLine::Response {
                version: "SIP/2.0".into(),
                status: 100,
                reason: String::new()
            }
        );
        let m = parse_message(
            "SIP/2.0   488  Не приемлемо здесь\r\nCall-ID: x\r\n\r\n"
                .as_bytes()
                .to_vec(),
        )
        .unwrap();
        assert_eq!(m.status(), Some(488));
        assert_eq!(m.start_line(), "SIP/2.0 488 Не приемлемо здесь");
        assert!(parse_message(b"SIP/2.0 2000 OK\r\n\r\n".to_vec()).is_err());
    }

    #[test]
    fn any_token_is_a_method() {
        for method in [
            "SERVICE",
            "BENOTIFY",
            "NEGOTIATE",
            "INFO",
            "Invite",
            "x-custom.1",
        ] {
            let text =
                format!("{method} sip:a@b.c SIP/2.0\r\nCall-ID: 1\r\nCSeq: 1 {method}\r\n\r\n");
            let m = parse_message(text.into_bytes()).unwrap();
            assert_eq!(m.method(), Some(method));
            assert!(m.problems.is_empty(), "{method}: {:?}", m.problems);
        }
    }

    #[test]
    fn start_line_detection() {
        assert!(is_start_line(b"SUBSCRIBE sip:on1@limcm.com SIP/2.0"));
        assert!(is_start_line(b"BYE sip:131.107.155.12:7210 SIP/2.0"));
        assert!(is_start_line(b"INVITE  sip:a@b   SIP/2.0 \r"));
        assert!(is_start_line(b"SIP/2.0 200 OK"));
        assert!(is_start_line(b"SIP/2.0 100 "));
        assert!(is_start_line(b"sip/2.0 180 Ringing"));
        assert!(is_start_line(b"SIP/2.0 200 = 2**3 * 5**2 \xd0\xbd\xd0\xbe"));
        assert!(!is_start_line(b""));
        assert!(!is_start_line(b"Via: SIP/2.0/TLS 192.168.1.51:51882"));
        assert!(!is_start_line(b"SIP/2.0/TLS 192.168.1.51:51882"));
        assert!(!is_start_line(b"SIP/2.0 20 OK"));
        assert!(!is_start_line(b"SIP/2.0 2000"));
        assert!(!is_start_line(b"The request line ends with SIP/2.0"));
        assert!(!is_start_line(b"INVITE sip:a@b SIP/2.0 extra"));
        assert!(!is_start_line(b"INVITE nocolon SIP/2.0"));
        assert!(!is_start_line(
            b"<publish xmlns=\"http://schemas.microsoft.com\">"
        ));
    }

    #[test]
    fn lf_lines_folding_and_spacing() {
        let text = "INVITE sip:a@b SIP/2.0\nContact:\n  <sip:c@d>\nSubject : hello\n\tworld  \nCall-ID: x\nCSeq: 1 INVITE\nl: 3\n\nabc";
        let m = parse_message(text.as_bytes().to_vec()).unwrap();
        assert_eq!(m.header("Contact").as_deref(), Some("<sip:c@d>"));
        assert_eq!(m.header("subject").as_deref(), Some("hello world"));
        assert_eq!(m.name(&m.headers[1]), "Subject");
        assert_eq!(m.content_length(), Some(3));
        assert_eq!(m.body(), b"abc");
        assert!(m.problems.is_empty(), "{:?}", m.problems);
    }

    #[test]
    fn content_length_mismatches() {
        let short = parse_message(crlf(
            "MESSAGE sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 MESSAGE\nContent-Length: 10\n\nabc",
        ))
        .unwrap();
        assert!(short.truncated);
        assert!(
            short
                .problems
                .iter()
                .any(|p| p.code == Code::ContentLengthMismatch
                    && p.text == "body has 3 bytes, Content-Length says 10"),
            "{:?}",
            short.problems
        );

        let long = parse_message(crlf(
            "MESSAGE sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 MESSAGE\nContent-Length: 2\n\nabcdef",
        ))
        .unwrap();
        assert!(!long.truncated);
        assert_eq!(long.body(), b"abcdef");
        assert!(
            long.problems
                .iter()
                .any(|p| p.code == Code::ContentLengthMismatch
                    && p.text == "body has 6 bytes, Content-Length says 2"),
            "{:?}",
            long.problems
        );

        let newline = parse_message(crlf(
            "MESSAGE sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 MESSAGE\nContent-Length: 3\n\nabc\n",
        ))
        .unwrap();
        assert!(
            newline.problems.is_empty(),
            "a trailing line break is not a problem: {:?}",
            newline.problems
        );

        let bad = parse_message(crlf(
            "OPTIONS sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 OPTIONS\nContent-Length: ten\n\n",
        ))
        .unwrap();
        assert!(
            bad.problems
                .iter()
                .any(|p| p.code == Code::BadContentLength && p.text.contains("not a number")),
            "{:?}",
            bad.problems
        );
        assert_eq!(bad.content_length(), None);

        let no_blank = parse_message(crlf(
            "OPTIONS sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 OPTIONS\nContent-Length: 0\n",
        ))
        .unwrap();
        assert!(!no_blank.truncated);
        assert!(no_blank.problems.is_empty(), "{:?}", no_blank.problems);
        let no_blank = parse_message(crlf(
            "OPTIONS sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 2 OPTIONS\nContent-Length: 5\n",
        ))
        .unwrap();
        assert!(no_blank.truncated);
    }

    #[test]
    fn xml_without_blank_line_starts_the_body() {
        let text = "SERVICE sip:adamb@contoso.com SIP/2.0\nFROM: <sip:adamb@contoso.com>;tag=1\nCALL-ID: 3e66\nCSEQ: 6 SERVICE\nCONTENT-TYPE: application/msrtc-category-publish+xml\n<publish \n   xmlns=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\">\n</publish>\n";
        let m = parse_message(text.as_bytes().to_vec()).unwrap();
        assert_eq!(m.headers.len(), 4);
        assert_eq!(m.call_id().as_deref(), Some("3e66"));
        assert!(m.body().starts_with(b"<publish"));
        assert!(
            m.problems.iter().any(|p| p.code == Code::NoBlankLine
                && p.text.starts_with("no blank line before the body")),
            "{:?}",
            m.problems
        );
    }

    #[test]
    fn bad_header_lines_are_reported_and_skipped() {
        let m = parse_message(crlf(
            "INVITE sip:a@b SIP/2.0\nCall-ID: x\nthis is junk\nCSeq: 1 INVITE\n\n",
        ))
        .unwrap();
        assert_eq!(m.headers.len(), 2);
        assert!(
            m.problems
                .iter()
                .any(|p| p.code == Code::MalformedHeaderLine
                    && p.text.starts_with("line 3 is not a header line")),
            "{:?}",
            m.problems
        );
        let m = parse_message(
            b"INVITE sip:a@b SIP/2.0\r\nCall-ID: \xff\xfe\r\nCSeq: 1 INVITE\r\n\r\n".to_vec(),
        )
        .unwrap();
        assert!(
            m.problems
                .iter()
                .any(|p| p.code == Code::InvalidUtf8
                    && p.text == "header Call-ID is not valid UTF-8"),
            "{:?}",
            m.problems
        );
        assert_eq!(m.header("Call-ID").as_deref(), Some(""));
    }

    #[test]
    fn not_sip() {
        assert!(parse_message(Vec::new()).is_err());
        assert!(parse_message(b"\r\n\r\n".to_vec()).is_err());
        assert!(parse_message(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()).is_err());
        assert!(parse_message(b"Via: SIP/2.0/UDP a\r\n\r\n".to_vec()).is_err());
        // Leading keep-alives are skipped.
        assert!(parse_message(b"\r\n\r\nSIP/2.0 200 OK\r\nCall-ID: a\r\n\r\n".to_vec()).is_ok());
    }

    #[test]
    fn rfc4475_torture_messages() {
        let Some(wsinv) = fixture("resip-rfc4475/wsinv.dat") else {
            return;
        };
        let m = parse_message(wsinv).unwrap();
        assert_eq!(m.method(), Some("INVITE"));
        assert_eq!(
            m.header("to").as_deref(),
            Some("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n")
        );
        assert_eq!(m.to_tag(), Some("1918181833n".into()));
        assert_eq!(m.cseq(), Some((9, "INVITE".into())));
        assert_eq!(
            m.header("NewFangledHeader").as_deref(),
            Some("newfangled value continued newfangled value")
        );
        assert_eq!(m.content_length(), Some(150));
        assert_eq!(m.body().len(), 150);
        assert_eq!(m.header("s").as_deref(), Some(""));
        assert!(m.problems.is_empty(), "{:?}", m.problems);

        let Some(longreq) = fixture("resip-rfc4475/longreq.dat") else {
            return;
        };
        let m = parse_message(longreq).unwrap();
        assert_eq!(m.headers_named("via").count(), 34);
        assert!(m.problems.is_empty(), "{:?}", m.problems);

        let m = parse_message(fixture("resip-rfc4475/esc01.dat").unwrap_or_default()).unwrap();
        assert_eq!(
            m.call_id().as_deref(),
            Some("esc01.239409asdfakjkn23onasd0-3234")
        );
        assert_eq!(
            m.header("Contact").as_deref(),
            Some("<sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>")
        );
        assert!(m.problems.is_empty(), "{:?}", m.problems);

        let m = parse_message(fixture("resip-rfc4475/noreason.dat").unwrap_or_default()).unwrap();
        assert_eq!(m.start_line(), "SIP/2.0 100");
        assert!(m.problems.is_empty(), "{:?}", m.problems);

        let m = parse_message(fixture("resip-rfc4475/unreason.dat").unwrap_or_default()).unwrap();
        assert_eq!(m.status(), Some(200));
        assert!(m.start_line().ends_with("- простое"), "{}", m.start_line());
        assert!(m.problems.is_empty(), "{:?}", m.problems);

        let m = parse_message(fixture("resip-rfc4475/mcl01.dat").unwrap_or_default()).unwrap();
        assert!(
            m.problems.iter().any(|p| p.code == Code::BadContentLength
                && p.text.starts_with("2 Content-Length headers (13, 5)")),
            "{:?}",
            m.problems
        );
        assert_eq!(m.content_length(), None);

        let m = parse_message(fixture("resip-rfc4475/badinv01.dat").unwrap_or_default()).unwrap();
        assert_eq!(m.method(), Some("INVITE"));
        assert_eq!(m.content_length(), Some(152));

        let m = parse_message(fixture("resip-rfc4475/mpart01.dat").unwrap_or_default()).unwrap();
        assert_eq!(m.content_type().as_deref(), Some("multipart/mixed"));
        assert_eq!(m.body().len(), 553);
        assert!(m.problems.is_empty(), "{:?}", m.problems);
    }

    #[test]
    fn kamailio_samples() {
        let Some(rpl) = fixture("kamailio-test/ms-invite-00-rpl.sip") else {
            return;
        };
        let m = parse_message(rpl).unwrap();
        assert_eq!(m.status(), Some(180));
        assert!(m.truncated);
        assert_eq!(m.headers_named("Via").count(), 2);

        let m =
            parse_message(fixture("kamailio-test/message-2002-379a395.sip").unwrap_or_default())
                .unwrap();
        assert_eq!(m.method(), Some("MESSSAGE"));
        assert_eq!(m.body(), b"dfss\n\n");
        assert!(
            m.header("To").is_some_and(|t| t.contains("Call-ID:")),
            "two headers on one line stay one header"
        );
        assert!(
            m.problems.iter().any(|p| p.code == Code::NoBlankLine
                && p.text.starts_with("no blank line before the body")),
            "{:?}",
            m.problems
        );
        assert!(
            m.problems
                .iter()
                .any(|p| p.code == Code::MissingCallId && p.text == "no Call-ID header"),
            "{:?}",
            m.problems
        );
        assert!(
            m.problems
                .iter()
                .any(|p| p.code == Code::BadCseq && p.text.starts_with("CSeq method MESSAGE")),
            "{:?}",
            m.problems
        );
        assert!(!m.truncated);

        let m =
            parse_message(fixture("kamailio-test/ms-invite-00.sip").unwrap_or_default()).unwrap();
        assert_eq!(m.method(), Some("OPTIONS"));
        assert_eq!(m.content_type().as_deref(), Some("application/sdp"));
        assert!(!m.truncated, "{:?}", m.problems);

        let m = parse_message(fixture("kamailio-test/msbye.sip").unwrap_or_default()).unwrap();
        assert_eq!(m.start_line(), "BYE sip:131.107.155.12:7210 SIP/2.0");
        assert!(m.problems.is_empty(), "{:?}", m.problems);
    }

    /// Tiny deterministic generator for the mutation test (no dev-dependency needed).
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    fn check_invariants(m: &Message) {
        let len = m.raw.len() as u32;
        assert!(m.body.start <= m.body.end && m.body.end == len);
        for h in &m.headers {
            assert!(h.name.start < h.name.end && h.name.end <= len);
            assert!(h.value.start <= h.value.end && h.value.end <= len);
            let _ = (m.name(h), m.value(h));
        }
        let _ = (m.content_length(), m.cseq(), m.top_via(), m.start_line());
    }

    #[test]
    fn never_panics_on_prefixes_and_mutations() {
        let mut samples = vec![
            subscribe(),
            crlf("SIP/2.0 200 OK\nContact:\n  <sip:c@d>\nl: 3\n\nabc"),
            b"NOTIFY sip:a@b SIP/2.0\nEvent: x\njunk\n\tfold\n<xml/>".to_vec(),
        ];
        for f in [
            "resip-rfc4475/wsinv.dat",
            "kamailio-test/message-2002-379a395.sip",
        ] {
            samples.extend(fixture(f));
        }
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        for s in &samples {
            for n in 0..=s.len() {
                if let Ok(m) = parse_message(s[..n].to_vec()) {
                    check_invariants(&m);
                }
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
                        0xff,
                        0xd0,
                        b'0',
                        xorshift(&mut rng) as u8,
                    ][i % 8];
                }
                if let Ok(m) = parse_message(t) {
                    check_invariants(&m);
                }
            }
        }
    }
}
