//! The token pass's matcher: the values the pass replaces found by hand, byte by byte, exactly as the regular
//! expression [`alternatives`] (kept as the definition, and to try IPv6 addresses and phone numbers) would find
//! them — leftmost first, at one place the first alternative in order that matches, each quantifier greedy as a
//! backtracking search has it. A test holds the two to the same matches on every fixture and on generated text
//! (`find`'s tests). regex-lite runs a PikeVM over every byte; this runs a few comparisons.

use std::ops::Range;
use std::sync::OnceLock;

use regex_lite::Regex;

use super::find::{is_word, starts};

/// A host: a dotted name, an IPv4 address, or an IPv6 address in brackets (what [`host`] reads).
#[cfg(test)]
const HOST: &str = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)";

const V6: &str = r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*::[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*";
const PHONE: &str = r"\+\d[\d ()-]{5,22}\d|\(\d{3}\) ?\d{3}-\d{4}|\d{3}-\d{3}-\d{4}";

/// The token pattern, alternative by alternative in order of preference: the definition of what [`next`] finds
/// (the test searches with it and compares).
#[cfg(test)]
pub(super) fn alternatives() -> Vec<String> {
    vec![
        r#"(?P<dn>")(?P<dnv>[^"\r\n]+)(?P<dnt>"\s*<(?:sips?|tel):)"#.to_string(),
        r#"(?P<gruu>opaque=user:epid:)(?P<gruuv>[^;>\s,"]+)"#.to_string(),
        r#"(?P<authk>\b(?:gssapi-data|response|rspauth|crand|srand|opaque|signature|cnonce|nonce)=")(?P<authv>[^"\s]+)"#.to_string(),
        r#"(?P<idk>\b(?:(?:epid|tag|branch|ms-conversation-id|ms-opaque|ms-route-sig)=|urn:uuid:))(?P<idv>[^;>\s,"&]+)"#.to_string(),
        r"(?P<sdpk>a=ice-ufrag:|a=ice-pwd:|a=x-ssrc-range:|inline:)(?P<sdpv>[A-Za-z0-9+/=]+)".to_string(),
        r"(?P<msb>ms-body=)(?P<msbv>[A-Za-z0-9+/=]+)".to_string(),
        r"(?P<telk>\btel:)(?P<telv>\+?[0-9][0-9().-]*)".to_string(),
        r"(?P<extk>;ext=)(?P<extv>[0-9]+)".to_string(),
        // A URI's host may be an IPv6 address without its brackets (some phones write them so).
        format!(r#"(?P<sch>\b(?:sips?|pres|im):)(?:(?P<user>[^@\s;<>",:]+)@)?(?P<uh>{HOST}|(?:{V6}))"#),
        format!(r"(?P<mail>\b[A-Za-z0-9][A-Za-z0-9._%+-]*)@(?P<mh>{HOST})"),
        format!(r"(?P<v6>\b(?:{V6})\b)"),
        r"(?P<v4>\b(?:\d{1,3})\.(?:\d{1,3})\.(?:\d{1,3})\.(?:\d{1,3})\b)".to_string(),
        // Phone numbers in text: international (`+` first), or North American with its separators.
        format!(r"(?P<ph>{PHONE})"),
        format!(r"(?P<host>\b{HOST}\b)"),
    ]
}

/// Via sent-by, SIP URI hosts, `targetname`, `ms-ep-fqdn`, ms-diagnostics `source` and a server trace's `Peer`
/// and `Peer-FQDN`: where a domain is certain (learnt before any host name is renamed). The definition of what
/// [`next_learnt`] finds.
#[cfg(test)]
pub(super) fn learnt() -> String {
    let keys = r"\b(?:sips?|pres|im):(?:[^@\s;<>\x22,:]+@)?|SIP/2\.0/[A-Za-z]+\s+|[A-Za-z0-9]@|ms-fe=|targetname=\x22|ms-ep-fqdn=|source=\x22|(?i:peer|peer-fqdn):[ \t]*";
    format!("(?:{keys})(?P<h>{HOST})")
}

/// The next host in `text` at or after byte `from` whose domain is certain: where its match ends, and the host.
pub(super) fn next_learnt(text: &str, from: usize) -> Option<(usize, Range<usize>)> {
    let b = text.as_bytes();
    (from..b.len()).find_map(|i| {
        let c = b[i];
        let host_at = |k: usize| host(b, k).map(|e| (e, k..e));
        let bounded = !(i > 0 && is_word(b[i - 1]));
        if bounded && matches!(c, b's' | b'p' | b'i') {
            if let Some(Token {
                range,
                kind: Kind::Uri { host, .. },
            }) = uri(b, i)
            {
                // A host that is a bare IPv6 address names no domain to learn.
                if b[host.start] == b'[' || !b[host.clone()].contains(&b':') {
                    return Some((range.end, host));
                }
            }
        }
        if c == b'S' && starts(b, i, b"SIP/2.0/", false) {
            let letters = run(b, i + 8, |c| c.is_ascii_alphabetic());
            let host = run(b, letters, space);
            if letters > i + 8 && host > letters {
                if let Some(h) = host_at(host) {
                    return Some(h);
                }
            }
        }
        if c.is_ascii_alphanumeric() && b.get(i + 1) == Some(&b'@') {
            if let Some(h) = host_at(i + 2) {
                return Some(h);
            }
        }
        const KEYS: &[&[u8]] = &[b"ms-fe=", b"targetname=\"", b"ms-ep-fqdn=", b"source=\""];
        if let Some(h) = key(b, i, KEYS).and_then(host_at) {
            return Some(h);
        }
        if matches!(c, b'p' | b'P') {
            for k in [&b"peer:"[..], b"peer-fqdn:"] {
                if starts(b, i, k, true) {
                    if let Some(h) = host_at(run(b, i + k.len(), |c| c == b' ' || c == b'\t')) {
                        return Some(h);
                    }
                }
            }
        }
        None
    })
}

/// What a token is, and its parts (ranges of the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    /// `"` display name `"\s*<sip:`: the name, then what closes it.
    Name {
        value: Range<usize>,
        close: Range<usize>,
    },
    /// A key (`opaque=user:epid:`, `response="`, `tag=`, `a=ice-pwd:`, `ms-body=`, `tel:`, `;ext=`) and its value.
    Gruu(Range<usize>, Range<usize>),
    Auth(Range<usize>, Range<usize>),
    Id(Range<usize>, Range<usize>),
    Sdp(Range<usize>, Range<usize>),
    Body(Range<usize>, Range<usize>),
    Tel(Range<usize>, Range<usize>),
    Ext(Range<usize>, Range<usize>),
    /// A URI: its scheme, user when there is one, host.
    Uri {
        scheme: Range<usize>,
        user: Option<Range<usize>>,
        host: Range<usize>,
    },
    /// `user@host`.
    Mail {
        user: Range<usize>,
        host: Range<usize>,
    },
    V6,
    V4,
    Phone,
    Host,
}

/// A token found: where it is, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub range: Range<usize>,
    pub kind: Kind,
}

impl Token {
    /// The regular expression's groups that take part in this match, with their text (for the test).
    #[cfg(test)]
    pub(super) fn groups(&self, text: &str) -> Vec<String> {
        let g = |n: &str, r: &Range<usize>| format!("{n}={}", &text[r.clone()]);
        let pair = |k: &str, v: &str, a: &Range<usize>, b: &Range<usize>| vec![g(k, a), g(v, b)];
        let whole = &self.range;
        match &self.kind {
            Kind::Name { value, close } => {
                vec![
                    g("dn", &(whole.start..value.start)),
                    g("dnv", value),
                    g("dnt", close),
                ]
            }
            Kind::Gruu(a, b) => pair("gruu", "gruuv", a, b),
            Kind::Auth(a, b) => pair("authk", "authv", a, b),
            Kind::Id(a, b) => pair("idk", "idv", a, b),
            Kind::Sdp(a, b) => pair("sdpk", "sdpv", a, b),
            Kind::Body(a, b) => pair("msb", "msbv", a, b),
            Kind::Tel(a, b) => pair("telk", "telv", a, b),
            Kind::Ext(a, b) => pair("extk", "extv", a, b),
            Kind::Uri { scheme, user, host } => {
                let mut v = vec![g("sch", scheme)];
                v.extend(user.iter().map(|u| g("user", u)));
                v.push(g("uh", host));
                v
            }
            Kind::Mail { user, host } => vec![g("mail", user), g("mh", host)],
            Kind::V6 => vec![g("v6", whole)],
            Kind::V4 => vec![g("v4", whole)],
            Kind::Phone => vec![g("ph", whole)],
            Kind::Host => vec![g("host", whole)],
        }
    }
}

/// The next token in `text` at or after byte `from`.
pub(super) fn next(text: &str, from: usize) -> Option<Token> {
    let b = text.as_bytes();
    (from..b.len()).find_map(|i| at(text, b, i))
}

/// ASCII white space as `\s` has it.
fn space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// The end of the run from `i` of bytes `class` takes.
fn run(b: &[u8], i: usize, class: impl Fn(u8) -> bool) -> usize {
    b[i.min(b.len())..]
        .iter()
        .position(|&c| !class(c))
        .map_or(b.len(), |n| i + n)
}

/// The first of `keys` `b` begins with at `i`, and where it ends.
fn key(b: &[u8], i: usize, keys: &[&[u8]]) -> Option<usize> {
    keys.iter()
        .find(|k| starts(b, i, k, false))
        .map(|k| i + k.len())
}

/// A key at `i` and a value of at least one byte of `class` after it.
fn keyed(
    b: &[u8],
    i: usize,
    keys: &[&[u8]],
    class: impl Fn(u8) -> bool,
) -> Option<(Range<usize>, Range<usize>)> {
    let k = key(b, i, keys)?;
    let v = run(b, k, class);
    (v > k).then_some((i..k, k..v))
}

/// The token that begins at byte `i`, if one does.
fn at(text: &str, b: &[u8], i: usize) -> Option<Token> {
    let c = b[i];
    if c >= 0x80 {
        return None;
    }
    // The alternatives that begin with `\b` before a word character can begin only after a non-word character.
    let bounded = !(i > 0 && is_word(b[i - 1]));
    let tok = |range: Range<usize>, kind: Kind| Some(Token { range, kind });
    if c == b'"' {
        if let Some(t) = name(b, i) {
            return Some(t);
        }
    }
    if c == b'o' {
        if let Some((k, v)) = keyed(b, i, &[b"opaque=user:epid:"], |c| {
            !matches!(c, b';' | b'>' | b',' | b'"') && !space(c)
        }) {
            return tok(i..v.end, Kind::Gruu(k, v));
        }
    }
    if bounded && c.is_ascii_alphabetic() {
        const AUTH: &[&[u8]] = &[
            b"gssapi-data=\"",
            b"response=\"",
            b"rspauth=\"",
            b"crand=\"",
            b"srand=\"",
            b"opaque=\"",
            b"signature=\"",
            b"cnonce=\"",
            b"nonce=\"",
        ];
        // A value ends at its closing quote, or at white space when it has none (a quote left open must not take
        // the text after it, a start line maybe, into its stand-in).
        if let Some((k, v)) = keyed(b, i, AUTH, |c| c != b'"' && !space(c)) {
            return tok(i..v.end, Kind::Auth(k, v));
        }
        const IDS: &[&[u8]] = &[
            b"epid=",
            b"tag=",
            b"branch=",
            b"ms-conversation-id=",
            b"ms-opaque=",
            b"ms-route-sig=",
            b"urn:uuid:",
        ];
        if let Some((k, v)) = keyed(b, i, IDS, |c| {
            !matches!(c, b';' | b'>' | b',' | b'"' | b'&') && !space(c)
        }) {
            return tok(i..v.end, Kind::Id(k, v));
        }
    }
    let base64 = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=');
    if c == b'a' || c == b'i' {
        const SDP: &[&[u8]] = &[
            b"a=ice-ufrag:",
            b"a=ice-pwd:",
            b"a=x-ssrc-range:",
            b"inline:",
        ];
        if let Some((k, v)) = keyed(b, i, SDP, base64) {
            return tok(i..v.end, Kind::Sdp(k, v));
        }
    }
    if c == b'm' {
        if let Some((k, v)) = keyed(b, i, &[b"ms-body="], base64) {
            return tok(i..v.end, Kind::Body(k, v));
        }
    }
    if bounded && c == b't' && starts(b, i, b"tel:", false) {
        let mut v = i + 4;
        if b.get(v) == Some(&b'+') && b.get(v + 1).is_some_and(u8::is_ascii_digit) {
            v += 1;
        }
        if b.get(v).is_some_and(u8::is_ascii_digit) {
            let end = run(b, v + 1, |c| {
                c.is_ascii_digit() || matches!(c, b'(' | b')' | b'.' | b'-')
            });
            return tok(i..end, Kind::Tel(i..i + 4, i + 4..end));
        }
    }
    if c == b';' {
        if let Some((k, v)) = keyed(b, i, &[b";ext="], |c| c.is_ascii_digit()) {
            return tok(i..v.end, Kind::Ext(k, v));
        }
    }
    if bounded && c.is_ascii_alphanumeric() {
        if let Some(t) = uri(b, i).or_else(|| mail(b, i)) {
            return Some(t);
        }
        // An IPv6 address's first group: one to four hex digits, then `:`.
        let hex = run(b, i, |c| c.is_ascii_hexdigit());
        if hex - i <= 4 && b.get(hex) == Some(&b':') {
            if let Some(m) = anchored(v6(), text, i) {
                return tok(m, Kind::V6);
            }
        }
        if let Some(end) = v4(b, i) {
            return tok(i..end, Kind::V4);
        }
    }
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let number = match c {
        b'+' => digits(i + 1, 1),
        b'(' => digits(i + 1, 3) && b.get(i + 4) == Some(&b')'),
        _ => digits(i, 3) && b.get(i + 3) == Some(&b'-'),
    };
    if number {
        if let Some(m) = anchored(phone(), text, i) {
            return tok(m, Kind::Phone);
        }
    }
    let host = if bounded {
        c.is_ascii_alphanumeric()
            .then(|| bounded_host(b, i))
            .flatten()
    } else {
        bracket(b, i).filter(|&e| b.get(e).is_some_and(|&n| is_word(n)))
    };
    host.map(|end| Token {
        range: i..end,
        kind: Kind::Host,
    })
}

/// `"name"` then white space, `<` and a `sip:`, `sips:` or `tel:` scheme.
fn name(b: &[u8], i: usize) -> Option<Token> {
    let end = run(b, i + 1, |c| !matches!(c, b'"' | b'\r' | b'\n'));
    if end == i + 1 || b.get(end) != Some(&b'"') {
        return None;
    }
    let lt = run(b, end + 1, space);
    if b.get(lt) != Some(&b'<') {
        return None;
    }
    let close = key(b, lt + 1, &[b"sips:", b"sip:", b"tel:"])?;
    Some(Token {
        range: i..close,
        kind: Kind::Name {
            value: i + 1..end,
            close: end..close,
        },
    })
}

/// `sip:`, `sips:`, `pres:` or `im:`, a user and `@` when one is there (and a host after it), and a host.
fn uri(b: &[u8], i: usize) -> Option<Token> {
    let scheme = key(b, i, &[b"sips:", b"sip:", b"pres:", b"im:"])?;
    let user_end = run(b, scheme, |c| {
        !matches!(c, b'@' | b';' | b'<' | b'>' | b'"' | b',' | b':') && !space(c)
    });
    if user_end > scheme && b.get(user_end) == Some(&b'@') {
        if let Some(end) = uri_host(b, user_end + 1) {
            return Some(Token {
                range: i..end,
                kind: Kind::Uri {
                    scheme: i..scheme,
                    user: Some(scheme..user_end),
                    host: user_end + 1..end,
                },
            });
        }
    }
    let end = uri_host(b, scheme)?;
    Some(Token {
        range: i..end,
        kind: Kind::Uri {
            scheme: i..scheme,
            user: None,
            host: scheme..end,
        },
    })
}

/// `user@host` (the user begins with a letter or a digit).
fn mail(b: &[u8], i: usize) -> Option<Token> {
    let at = run(b, i + 1, |c| {
        c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
    });
    if b.get(at) != Some(&b'@') {
        return None;
    }
    let end = host(b, at + 1)?;
    Some(Token {
        range: i..end,
        kind: Kind::Mail {
            user: i..at,
            host: at + 1..end,
        },
    })
}

/// A bracketed IPv6 address at `i`: where it ends.
fn bracket(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let end = run(b, i + 1, |c| {
        c.is_ascii_hexdigit() || matches!(c, b':' | b'.')
    });
    (end > i + 1 && b.get(end) == Some(&b']')).then_some(end + 1)
}

/// The ends a label that begins at `i` may have, longest first (a greedy `[A-Za-z0-9-]*` backing off to end on
/// a letter or a digit, then the one character alone).
fn label_ends(b: &[u8], i: usize) -> impl Iterator<Item = usize> + '_ {
    let end = run(b, i + 1, |c| c.is_ascii_alphanumeric() || c == b'-');
    (i + 2..=end)
        .rev()
        .filter(move |&k| b[k - 1].is_ascii_alphanumeric())
        .chain(std::iter::once(i + 1))
}

/// A URI's host: a [`host`], else an IPv6 address written without its brackets.
fn uri_host(b: &[u8], i: usize) -> Option<usize> {
    host(b, i).or_else(|| {
        let text = std::str::from_utf8(&b[i..]).ok().or_else(|| {
            // Up to the first byte that is not UTF-8: an address is ASCII.
            let n = b[i..].utf8_chunks().next().map_or(0, |c| c.valid().len());
            std::str::from_utf8(&b[i..i + n]).ok()
        })?;
        v6_bare().find(text).map(|m| i + m.end())
    })
}

/// A dotted host name at `i` (greedy: as long as it goes), or a bracketed IPv6 address: where it ends.
fn host(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'[') {
        return bracket(b, i);
    }
    if !b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut end = label_ends(b, i).next()?;
    let mut labels = 0;
    while b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_alphanumeric) {
        end = label_ends(b, end + 1).next()?;
        labels += 1;
    }
    (labels > 0).then_some(end)
}

/// A dotted host name at `i` followed by a word boundary: the first end a backtracking search reaches.
fn bounded_host(b: &[u8], i: usize) -> Option<usize> {
    let boundary = |e: usize| !b.get(e).is_some_and(|&n| is_word(n));
    // More labels first; then, when at least one followed the first, end here.
    fn more(b: &[u8], e: usize, labels: usize, boundary: &dyn Fn(usize) -> bool) -> Option<usize> {
        if b.get(e) == Some(&b'.') && b.get(e + 1).is_some_and(u8::is_ascii_alphanumeric) {
            for e2 in label_ends(b, e + 1) {
                if let Some(x) = more(b, e2, labels + 1, boundary) {
                    return Some(x);
                }
            }
        }
        (labels > 0 && boundary(e)).then_some(e)
    }
    label_ends(b, i).find_map(|e| more(b, e, 0, &boundary))
}

/// An IPv4 address at `i` followed by a word boundary: four groups of one to three digits, each as long as it
/// can be for the rest to match.
fn v4(b: &[u8], i: usize) -> Option<usize> {
    fn group(b: &[u8], at: usize, left: u32) -> Option<usize> {
        let digits = run(b, at, |c| c.is_ascii_digit()).min(at + 3);
        (at + 1..=digits).rev().find_map(|e| {
            if left == 0 {
                (!b.get(e).is_some_and(|&n| is_word(n))).then_some(e)
            } else if b.get(e) == Some(&b'.') {
                group(b, e + 1, left - 1)
            } else {
                None
            }
        })
    }
    group(b, i, 3)
}

fn v6() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!(r"^(?:{V6})\b")).expect("the IPv6 pattern is valid"))
}

fn v6_bare() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!(r"^(?:{V6})")).expect("the IPv6 pattern is valid"))
}

fn phone() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!("^(?:{PHONE})")).expect("the phone pattern is valid"))
}

/// Where `re` (anchored) matches the text from `i` (a place a leading `\b` holds at).
fn anchored(re: &Regex, text: &str, i: usize) -> Option<Range<usize>> {
    re.find(&text[i..]).map(|m| i + m.start()..i + m.end())
}
