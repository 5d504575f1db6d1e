//! SIP value grammar as byte spans: quote-aware splitting, header parameters, name-addr, URI, Via, auth params,
//! header unfolding.
//!
//! Every span function takes a value and returns `Range<usize>` (or small structs of ranges) into that same value;
//! nothing allocates, so these run per message on large logs. Thin `&str` helpers slice the spans for callers that
//! want text. All functions are total: malformed input gives `None` or empty spans, never a panic.

use std::ops::Range;

/// The range `part` occupies inside `whole` (`part` must be a subslice of `whole`).
fn span_in(whole: &str, part: &str) -> Range<usize> {
    let start = part.as_ptr() as usize - whole.as_ptr() as usize;
    start..start + part.len()
}

/// `r` shifted by `by` (for spans computed on a suffix).
fn shift(r: Range<usize>, by: usize) -> Range<usize> {
    r.start + by..r.end + by
}

/// `r` narrowed to exclude white space at both ends of `s[r]`.
pub fn trim(s: &str, r: Range<usize>) -> Range<usize> {
    span_in(s, s[r].trim())
}

/// Segments of a value split on a separator outside double quotes (with `\` escapes inside them) and angle
/// brackets. Always yields at least one (possibly empty) segment.
#[derive(Debug, Clone)]
pub struct TopLevel<'a> {
    bytes: &'a [u8],
    sep: u8,
    pos: usize,
    start: usize,
    angle: i32,
    done: bool,
}

impl Iterator for TopLevel<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.done {
            return None;
        }
        // At a separator the quote and escape states are clear; only the bracket depth carries over.
        let (mut quoted, mut escaped) = (false, false);
        while self.pos < self.bytes.len() {
            let i = self.pos;
            self.pos += 1;
            let c = self.bytes[i];
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                b'\\' if quoted => escaped = true,
                b'"' => quoted = !quoted,
                b'<' if !quoted => self.angle += 1,
                b'>' if !quoted => self.angle -= 1,
                c if c == self.sep && !quoted && self.angle <= 0 => {
                    let r = self.start..i;
                    self.start = i + 1;
                    return Some(r);
                }
                _ => {}
            }
        }
        self.done = true;
        Some(self.start..self.bytes.len())
    }
}

/// Split `s` on `sep` (ASCII) outside quotes and `<…>`: spans into `s`.
pub fn split_spans(s: &str, sep: u8) -> TopLevel<'_> {
    TopLevel {
        bytes: s.as_bytes(),
        sep,
        pos: 0,
        start: 0,
        angle: 0,
        done: false,
    }
}

/// [`split_spans`] as text.
pub fn split_top_level(s: &str, sep: u8) -> impl Iterator<Item = &str> + Clone {
    split_spans(s, sep).map(move |r| &s[r])
}

/// The first entry of a header value that may list several, comma-separated (outside quotes and `<…>`), trimmed.
pub fn first_entry_span(value: &str) -> Range<usize> {
    // Most values hold one entry: no comma, nothing to split (the top Via and the CSeq of every message).
    if memchr::memchr(b',', value.as_bytes()).is_none() {
        return trim(value, 0..value.len());
    }
    let first = split_spans(value, b',').next().unwrap_or(0..value.len());
    trim(value, first)
}

/// [`first_entry_span`] as text.
pub fn first_entry(value: &str) -> &str {
    &value[first_entry_span(value)]
}

/// A comma-separated list (outside quotes and brackets): items trimmed, empty items dropped.
pub fn comma_items(value: &str) -> impl Iterator<Item = &str> {
    split_top_level(value, b',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Where `wanted` (ASCII) first occurs outside double quotes.
pub fn find_unquoted(s: &str, wanted: u8) -> Option<usize> {
    let (mut quoted, mut escaped) = (false, false);
    for (i, &c) in s.as_bytes().iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            c if c == wanted && !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// One `name=value` parameter: name and value trimmed, value without surrounding quotes; a parameter without `=`
/// has an empty value span (at the end of its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: Range<usize>,
    pub value: Range<usize>,
}

/// `seg` (a span of `s`) read as `name=value`.
fn param_at(s: &str, seg: Range<usize>) -> Param {
    let p = &s[seg.clone()];
    match p.split_once('=') {
        Some((k, v)) => Param {
            name: span_in(s, k.trim()),
            value: span_in(s, v.trim().trim_matches('"')),
        },
        None => {
            let name = span_in(s, p.trim());
            Param {
                value: name.end..name.end,
                name,
            }
        }
    }
}

/// `;`-separated parameters after the first item of `s` (split outside quotes and `<…>`), segments that are only
/// white space skipped: `UAS; tcp=no; timeout=300` → `tcp`, `timeout`.
pub fn semi_params(s: &str) -> impl Iterator<Item = Param> + '_ {
    split_spans(s, b';')
        .skip(1)
        .filter(move |r| !s[r.clone()].trim().is_empty())
        .map(move |r| param_at(s, r))
}

/// The first item of a `;`-separated value (`UAS; tcp=no` → `UAS`), trimmed.
pub fn semi_first(s: &str) -> Range<usize> {
    let first = split_spans(s, b';').next().unwrap_or(0..0);
    trim(s, first)
}

/// The value of a `;name=value` header parameter, outside the `<uri>` part (quotes removed, name
/// case-insensitive). A parameter without `=` yields an empty span.
pub fn param_span(value: &str, name: &str) -> Option<Range<usize>> {
    // Parameters of a name-addr follow the '>' that closes its URI; of an addr-spec or Via, the first ';'. A
    // `<` opens the URI only before the first ';' outside quotes (a display name holds no bare ';'), so a `<`
    // in a later parameter (`+sip.instance="<urn:…>"`, a hostile `received=<…>`) is a value.
    let off = if memchr::memchr(b'<', value.as_bytes()).is_none() {
        0
    } else {
        match (find_unquoted(value, b'<'), find_unquoted(value, b';')) {
            (Some(lt), semi) if semi.is_none_or(|semi| lt < semi) => {
                value[lt..].find('>').map_or(value.len(), |gt| lt + gt + 1)
            }
            _ => 0,
        }
    };
    let tail = &value[off..];
    // Most values have neither quotes nor angle brackets after the URI: plain ';' splitting is enough.
    if !tail.contains(['"', '<']) {
        for p in tail.split(';').skip(1) {
            let (k, v) = p.split_once('=').unwrap_or((p, &p[p.len()..]));
            if k.trim().eq_ignore_ascii_case(name) {
                return Some(span_in(value, v.trim()));
            }
        }
        return None;
    }
    split_spans(tail, b';').skip(1).find_map(|seg| {
        let p = param_at(tail, seg);
        tail[p.name.clone()]
            .eq_ignore_ascii_case(name)
            .then(|| shift(p.value, off))
    })
}

/// [`param_span`] as text.
pub fn param<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    param_span(value, name).map(|r| &value[r])
}

/// A name-addr or addr-spec entry (`"On 1"<sip:on1@limcm.com>;tag=x`, `sip:a@b;tag=x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name, trimmed and without its quotes (escapes kept as written); `None` without `<…>` or when
    /// empty.
    pub display: Option<Range<usize>>,
    /// The URI, trimmed: inside `<…>`, or for an addr-spec up to the first `;`.
    pub uri: Range<usize>,
    /// The header parameters after the URI, starting at a `;` (or empty): read them with [`semi_params`].
    pub params: Range<usize>,
}

/// Parse a name-addr or addr-spec leniently (`<` inside the quoted display name is not the URI's start).
pub fn name_addr(value: &str) -> NameAddr {
    let v = value.trim();
    let base = span_in(value, v).start;
    match find_unquoted(v, b'<') {
        Some(lt) => {
            let name = v[..lt].trim().trim_matches('"').trim();
            let rest = &v[lt + 1..];
            let (uri, params) = match rest.find('>') {
                Some(gt) => (&rest[..gt], span_in(v, &rest[gt + 1..])),
                None => (rest, v.len()..v.len()),
            };
            NameAddr {
                display: (!name.is_empty()).then(|| span_in(value, name)),
                uri: span_in(value, uri.trim()),
                params: shift(params, base),
            }
        }
        None => {
            // addr-spec: parameters after the first ';' belong to the header (RFC 3261 §20.10).
            let semi = v.find(';').unwrap_or(v.len());
            NameAddr {
                display: None,
                uri: span_in(value, v[..semi].trim()),
                params: shift(semi..v.len(), base),
            }
        }
    }
}

/// The URI of a name-addr or addr-spec, as text.
pub fn uri_of(value: &str) -> &str {
    &value[name_addr(value).uri]
}

/// The display name of a name-addr, as text.
pub fn display_name(value: &str) -> Option<&str> {
    name_addr(value).display.map(|r| &value[r])
}

/// Parts of a SIP/SIPS/TEL URI (`sip:on1@limcm.com:5061;transport=tls;gruu?x=y`) as spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri {
    /// As written (empty when there is none); compare case-insensitively.
    pub scheme: Range<usize>,
    /// The user part, when there is an `@` (possibly empty).
    pub user: Option<Range<usize>>,
    /// The host without brackets for IPv6, trimmed.
    pub host: Range<usize>,
    /// The port digits, when present and a valid port number.
    pub port: Option<Range<usize>>,
    /// The `;…` URI parameters before any `?headers` (read them with [`uri_params`]).
    pub params: Range<usize>,
}

/// Parse a URI leniently (surrounding `<…>` and white space allowed; parameters split on every `;`).
pub fn uri(s: &str) -> Uri {
    let u = s.trim().trim_start_matches('<').trim_end_matches('>');
    let (scheme, rest) = match u.split_once(':') {
        Some((sc, r)) if !sc.is_empty() && sc.bytes().all(|c| c.is_ascii_alphanumeric()) => {
            (span_in(s, sc), r)
        }
        _ => {
            let at = span_in(s, u).start;
            (at..at, u)
        }
    };
    let rest = rest.split('?').next().unwrap_or("");
    let (hostpart, params) = match rest.find(';') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, &rest[rest.len()..]),
    };
    let (user, hostport) = match hostpart.rsplit_once('@') {
        Some((user, h)) => (Some(span_in(s, user)), h),
        None => (None, hostpart),
    };
    let (host, port) = host_port(hostport);
    let base = span_in(s, hostport).start;
    Uri {
        scheme,
        user,
        host: shift(host, base),
        port: port.map(|p| shift(p, base)),
        params: span_in(s, params),
    }
}

/// The URI parameters in `s[params]` (a [`Uri::params`] span), in order: every `;`-separated non-empty segment.
pub fn uri_params(s: &str, params: Range<usize>) -> impl Iterator<Item = Param> + '_ {
    s[params]
        .split(';')
        .skip(1)
        .filter(|p| !p.is_empty())
        .map(move |p| param_at(s, span_in(s, p)))
}

/// `host:port`, `[v6]:port`, `host` → (host, port) spans into `s`; the port only when it is a valid number
/// (otherwise the whole trimmed text is the host).
pub fn host_port(s: &str) -> (Range<usize>, Option<Range<usize>>) {
    let t = s.trim();
    if let Some(rest) = t.strip_prefix('[') {
        if let Some((h, after)) = rest.split_once(']') {
            let port = after
                .strip_prefix(':')
                .filter(|p| p.parse::<u16>().is_ok())
                .map(|p| span_in(s, p));
            return (span_in(s, h), port);
        }
    }
    match t.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') && p.parse::<u16>().is_ok() => {
            (span_in(s, h), Some(span_in(s, p)))
        }
        _ => (span_in(s, t), None),
    }
}

/// The `host[:port]` of a Request-URI, read loosely: after the scheme and the last `@`, up to `;`, `>` or `?`.
pub fn uri_host_port(s: &str) -> Range<usize> {
    let u = s.trim().trim_start_matches('<');
    let rest = u.split_once(':').map_or(u, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    span_in(s, rest.split([';', '>', '?']).next().unwrap_or(""))
}

/// One Via entry: `SIP/2.0/TLS 192.168.1.51:51882;branch=z9hG4bK1;ms-received-port=51882`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// The first white-space separated token (`SIP/2.0/TLS`).
    pub protocol: Range<usize>,
    /// The second token up to its first `;`, trimmed; `None` when there is no second token.
    pub sent_by: Option<Range<usize>>,
    /// The parameters, from the first `;` after the protocol (or empty): read them with [`semi_params`].
    pub params: Range<usize>,
}

/// Parse one Via entry leniently.
pub fn via(s: &str) -> Via {
    let mut words = s.split_whitespace();
    let protocol = words.next().map_or(0..0, |w| span_in(s, w));
    let sent_by = words
        .next()
        .map(|w| span_in(s, w.split(';').next().unwrap_or("").trim()));
    let params = match s[protocol.end..].find(';') {
        Some(i) => protocol.end + i..s.len(),
        None => s.len()..s.len(),
    };
    Via {
        protocol,
        sent_by,
        params,
    }
}

/// An authentication header value: `TLS-DSK qop="auth", realm="…"` → the scheme span and the comma-separated
/// parameters (split outside quotes, empty items skipped).
pub fn auth(value: &str) -> (Range<usize>, impl Iterator<Item = Param> + '_) {
    let v = value.trim();
    let (scheme, rest) = match v.split_once(char::is_whitespace) {
        Some((sc, r)) => (sc, r),
        None => (v, &v[v.len()..]),
    };
    let off = span_in(value, rest).start;
    let params = split_spans(rest, b',')
        .filter(move |r| !rest[r.clone()].trim().is_empty())
        .map(move |r| {
            let p = param_at(rest, r);
            Param {
                name: shift(p.name, off),
                value: shift(p.value, off),
            }
        });
    (span_in(value, scheme), params)
}

/// The pieces of a header value written over several lines (folded), as spans: the first line without its `\r`,
/// each continuation line without its `\r` and leading white space. Joined by single spaces they make the
/// unfolded value; a value without `\n` is one piece.
pub fn unfold(value: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    value.split('\n').enumerate().map(move |(i, line)| {
        let line = line.trim_end_matches('\r');
        span_in(value, if i > 0 { line.trim_start() } else { line })
    })
}

/// Byte-level: the value of parameter `name` (`boundary=…`, maybe quoted) in a header value, found at the first
/// case-insensitive occurrence of `name`; for fast paths that have not checked UTF-8.
pub fn param_value_bytes(value: &[u8], name: &[u8]) -> Option<Range<usize>> {
    let i = find_ci(value, name)?;
    let after = i + name.len();
    let rest = value[after..].trim_ascii_start();
    let rest = rest.strip_prefix(b"=")?.trim_ascii_start();
    let at = value.len() - rest.len();
    if let Some(q) = rest.strip_prefix(b"\"") {
        let e = memchr::memchr(b'"', q)?;
        return Some(at + 1..at + 1 + e);
    }
    let e = rest
        .iter()
        .position(|&b| b == b';' || b == b',' || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    Some(at..at + e)
}

/// First case-insensitive occurrence of `needle` in `hay`.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests;
