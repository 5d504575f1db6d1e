//! Small text helpers shared by the annotators: base64, UTF-16LE, durations, IP ranges, and owned-`String`
//! adapters over the span grammar of `sip::grammar` (URIs, name-addr, parameter lists).
//!
//! Everything here is total: malformed input gives `None` or an empty result, never a panic.

use crate::sip::grammar;

/// Decode base64 (RFC 4648 standard or URL-safe alphabet; whitespace ignored, padding optional).
/// `None` when a character is outside both alphabets.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// UTF-16LE bytes to a string (a BOM is dropped, unpaired surrogates become U+FFFD, an odd last byte is ignored).
pub fn utf16le(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let s: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    s.trim_start_matches('\u{feff}').to_string()
}

/// Replace control characters (other than tab) by spaces and collapse runs of white space: log text shown in one
/// line.
pub fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// At most `max` characters of `s`, with `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    let mut it = s.char_indices();
    match it.nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Owned pairs of a parameter iterator from [`grammar`] (spans into `s`).
fn owned(s: &str, it: impl Iterator<Item = grammar::Param>) -> Vec<(String, String)> {
    it.map(|p| (s[p.name].to_string(), s[p.value].to_string()))
        .collect()
}

/// The URI of a name-addr or addr-spec, owned ([`grammar::uri_of`]).
pub fn uri_of(value: &str) -> String {
    grammar::uri_of(value).to_string()
}

/// The header parameters of a name-addr or addr-spec entry, owned ([`grammar::name_addr`]).
pub fn header_params(entry: &str) -> Vec<(String, String)> {
    let tail = &entry[grammar::name_addr(entry).params];
    owned(tail, grammar::semi_params(tail))
}

/// The display name of a name-addr, owned ([`grammar::display_name`]).
pub fn display_name(value: &str) -> Option<String> {
    grammar::display_name(value).map(str::to_string)
}

/// Parts of a SIP URI, owned ([`grammar::uri`]): scheme lower-cased, port parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uri {
    pub scheme: String,
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// URI parameters in order (`lr` has an empty value).
    pub params: Vec<(String, String)>,
}

impl Uri {
    pub fn param(&self, name: &str) -> Option<&str> {
        find(&self.params, name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.param(name).is_some()
    }

    /// `host:port` or `host`.
    pub fn host_port(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }

    /// `user@host` or `host`.
    pub fn address(&self) -> String {
        match &self.user {
            Some(u) => format!("{u}@{}", self.host),
            None => self.host.clone(),
        }
    }

    /// `transport=tls` → `TLS`, defaulting from the scheme (`sips` → TLS).
    pub fn transport(&self) -> Option<String> {
        self.param("transport")
            .map(str::to_ascii_uppercase)
            .or_else(|| {
                self.scheme
                    .eq_ignore_ascii_case("sips")
                    .then(|| "TLS".into())
            })
    }
}

/// Parse a SIP/SIPS/TEL URI leniently into owned parts.
pub fn parse_uri(uri: &str) -> Uri {
    let u = grammar::uri(uri);
    Uri {
        scheme: uri[u.scheme].to_ascii_lowercase(),
        user: u.user.map(|r| uri[r].to_string()),
        host: uri[u.host].to_string(),
        port: u.port.and_then(|r| uri[r].parse().ok()),
        params: owned(uri, grammar::uri_params(uri, u.params)),
    }
}

/// `host:port`, `[v6]:port`, `host` → (host, port), owned ([`grammar::host_port`]).
pub fn split_host_port(s: &str) -> (String, Option<u16>) {
    let (host, port) = grammar::host_port(s);
    (s[host].to_string(), port.and_then(|r| s[r].parse().ok()))
}

/// The user part of a SIP URI or address (`sip:on1@limcm.com` → `on1`).
pub fn user_of(uri: &str) -> Option<String> {
    let user = grammar::uri(uri).user?;
    (!user.is_empty()).then(|| uri[user].to_string())
}

/// `;`-separated parameters of a header value after its first item, owned ([`grammar::semi_params`]).
pub fn semi_params(value: &str) -> (String, Vec<(String, String)>) {
    let first = value[grammar::semi_first(value)].to_string();
    (first, owned(value, grammar::semi_params(value)))
}

/// Find a parameter in a list (case-insensitive name).
pub fn find<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// An authentication header, owned ([`grammar::auth`]): `TLS-DSK qop="auth", realm="…"` → (`TLS-DSK`, params).
pub fn auth_params(value: &str) -> (String, Vec<(String, String)>) {
    let (scheme, params) = grammar::auth(value);
    (value[scheme].to_string(), owned(value, params))
}

/// A comma-separated list (outside quotes and brackets), owned ([`grammar::comma_items`]).
pub fn comma_list(value: &str) -> Vec<String> {
    grammar::comma_items(value).map(str::to_string).collect()
}

/// `7200` → `2 h`, `31535` → `8 h 45 min 35 s`, `300` → `5 min`.
pub fn duration(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        (secs % 86_400) / 3600,
        (secs % 3600) / 60,
        secs % 60,
    );
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

/// An IPv4 address in a private, loopback, link-local or carrier-grade NAT range (RFC 1918, RFC 6598, RFC 3927).
pub fn is_private_ipv4(host: &str) -> Option<bool> {
    let octets: Vec<u8> = host
        .split('.')
        .map(|o| o.parse::<u8>())
        .collect::<Result<_, _>>()
        .ok()?;
    if octets.len() != 4 {
        return None;
    }
    Some(
        matches!(
            (octets[0], octets[1]),
            (10, _) | (127, _) | (192, 168) | (169, 254)
        ) || (octets[0] == 172 && (16..=31).contains(&octets[1]))
            || (octets[0] == 100 && (64..=127).contains(&octets[1])),
    )
}

/// Whether `host` is a literal IP address (v4 or v6).
pub fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_standard_and_url_safe() {
        assert_eq!(
            base64_decode("SGksIGRvIHlvdSBoYXZlIGEgbWludXRlPw==").unwrap(),
            b"Hi, do you have a minute?"
        );
        assert_eq!(base64_decode("-DJ-").unwrap(), vec![0xf8, 0x32, 0x7e]);
        assert_eq!(base64_decode("YQ").unwrap(), b"a");
        assert!(base64_decode("a*b").is_none());
        assert_eq!(base64_decode("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn utf16_decodes_the_msgr_parameter() {
        let b = base64_decode("WAAtAE0ATQBTAC0ASQBNAC0ARgBvAHIAbQBhAHQAOgAgAEYATgA9AFMAZQBnAG8AZQAlADIAMABVAEkAOwAgAEUARgA9ADsAIABDAE8APQAwADsAIABDAFMAPQAwADsAIABQAEYAPQAwAA0ACgANAAoA").unwrap();
        assert!(utf16le(&b).starts_with("X-MMS-IM-Format: FN=Segoe%20UI; EF=;"));
        assert_eq!(utf16le(&[0x41]), "");
        assert_eq!(utf16le(&[0x00, 0xd8]), "\u{fffd}");
    }

    #[test]
    fn uris_and_names() {
        let from = "\"On 1\"<sip:on1@limcm.com>;tag=0bc7b0fc1e;epid=08b5b444f3";
        assert_eq!(uri_of(from), "sip:on1@limcm.com");
        assert_eq!(display_name(from).as_deref(), Some("On 1"));
        assert_eq!(uri_of("sip:a@b;tag=1"), "sip:a@b");
        let u = parse_uri("<sip:pool.limcm.com:5061;transport=tls;ms-fe=FE01.limcm.com;lr>");
        assert_eq!(u.host, "pool.limcm.com");
        assert_eq!(u.port, Some(5061));
        assert_eq!(u.param("ms-fe"), Some("FE01.limcm.com"));
        assert!(u.has("lr"));
        assert_eq!(u.transport().as_deref(), Some("TLS"));
        let g = parse_uri("sip:on2@limcm.com;opaque=user:epid:-DJ-jixsE1iniiysRLkUJwAA;gruu");
        assert_eq!(
            g.param("opaque"),
            Some("user:epid:-DJ-jixsE1iniiysRLkUJwAA")
        );
        assert_eq!(user_of("sip:on1@limcm.com").as_deref(), Some("on1"));
        assert_eq!(split_host_port("[::1]:5061"), ("::1".into(), Some(5061)));
        assert_eq!(parse_uri("garbage").host, "garbage");
    }

    #[test]
    fn params_and_durations() {
        let (first, p) = semi_params("UAS; tcp=no; hop-hop=yes; end-end=no; timeout=300");
        assert_eq!(first, "UAS");
        assert_eq!(find(&p, "timeout"), Some("300"));
        let (scheme, a) = auth_params(
            "TLS-DSK realm=\"SIP Communications Service\", targetname=\"FE01.limcm.com\", version=4",
        );
        assert_eq!(scheme, "TLS-DSK");
        assert_eq!(find(&a, "targetname"), Some("FE01.limcm.com"));
        assert_eq!(duration(7200), "2 h");
        assert_eq!(duration(31535), "8 h 45 min 35 s");
        assert_eq!(duration(0), "0 s");
        assert_eq!(is_private_ipv4("192.168.1.51"), Some(true));
        assert_eq!(is_private_ipv4("211.208.253.61"), Some(false));
        assert_eq!(is_private_ipv4("acc.limcm.com"), None);
        assert_eq!(clip("회의 중입니다", 3), "회의 …");
    }
}
