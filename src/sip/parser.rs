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
mod tests;
