//! The token pass: URIs, addresses, host names, identifiers and secrets found in any text (trace lines, header
//! values, bodies) replaced by their pseudonyms, by regular expressions over the text.

use std::sync::OnceLock;

use regex_lite::{Captures, Regex};

use super::names::{is_name, is_phone, Category, Pseudonyms};
use super::Keep;

/// A host: a dotted name, an IPv4 address, or an IPv6 address in brackets.
const HOST: &str = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)";

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let v6 = r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*::[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*";
        let re = [
            r#"(?P<dn>")(?P<dnv>[^"\r\n]+)(?P<dnt>"\s*<(?:sips?|tel):)"#.to_string(),
            r#"(?P<gruu>opaque=user:epid:)(?P<gruuv>[^;>\s,"]+)"#.to_string(),
            r#"(?P<authk>\b(?:gssapi-data|response|rspauth|crand|srand|opaque|signature|cnonce|nonce)=")(?P<authv>[^"\r\n]+)"#.to_string(),
            r#"(?P<idk>\b(?:(?:epid|tag|branch|ms-conversation-id|ms-opaque|ms-route-sig)=|urn:uuid:))(?P<idv>[^;>\s,"&]+)"#.to_string(),
            r"(?P<sdpk>a=ice-ufrag:|a=ice-pwd:|a=x-ssrc-range:|inline:)(?P<sdpv>[A-Za-z0-9+/=]+)".to_string(),
            r"(?P<msb>ms-body=)(?P<msbv>[A-Za-z0-9+/=]+)".to_string(),
            r"(?P<telk>\btel:)(?P<telv>\+?[0-9][0-9().-]*)".to_string(),
            r"(?P<extk>;ext=)(?P<extv>[0-9]+)".to_string(),
            format!(r#"(?P<sch>\b(?:sips?|pres|im):)(?:(?P<user>[^@\s;<>",:]+)@)?(?P<uh>{HOST})"#),
            format!(r"(?P<mail>\b[A-Za-z0-9][A-Za-z0-9._%+-]*)@(?P<mh>{HOST})"),
            format!(r"(?P<v6>\b(?:{v6})\b)"),
            r"(?P<v4>\b(?:\d{1,3})\.(?:\d{1,3})\.(?:\d{1,3})\.(?:\d{1,3})\b)".to_string(),
            // Phone numbers in text: international (`+` first), or North American with its separators.
            r"(?P<ph>\+\d[\d ()-]{5,22}\d|\(\d{3}\) ?\d{3}-\d{4}|\d{3}-\d{3}-\d{4})".to_string(),
            format!(r"(?P<host>\b{HOST}\b)"),
        ]
        .join("|");
        Regex::new(&re).expect("the token pattern is valid")
    })
}

/// Via sent-by, SIP URI hosts, `targetname`, `ms-ep-fqdn`, ms-diagnostics `source` and a server trace's `Peer`
/// and `Peer-FQDN`: where a domain is certain (learnt before any host name is renamed).
fn learn_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(&format!(
            r"(?:\b(?:sips?|pres|im):(?:[^@\s;<>\x22,:]+@)?|SIP/2\.0/[A-Za-z]+\s+|[A-Za-z0-9]@|ms-fe=|targetname=\x22|ms-ep-fqdn=|source=\x22|(?i:peer|peer-fqdn):[ \t]*)(?P<h>{HOST})"
        ))
        .expect("the learn pattern is valid")
    })
}

/// Learn the domains the text's SIP names.
pub fn learn(p: &mut Pseudonyms, text: &str) {
    for c in learn_pattern().captures_iter(text) {
        p.learn_host(&c["h"]);
    }
}

/// Replace every value the pass recognises in `text`.
pub fn scrub(p: &mut Pseudonyms, keep: Keep, text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let out = pattern()
        .replace_all(text, |c: &Captures<'_>| {
            let new = replace(p, c, text);
            keep_stray(c.get(0).map_or("", |m| m.as_str()), new)
        })
        .into_owned();
    // Display names first: a user's name inside one (`Bob` of `Bob Jones`) is not renamed alone.
    let out = if keep.has(Category::Names) {
        out
    } else {
        names(p, out)
    };
    literals(p, keep, &out)
}

/// `new` (the stand-in of `old`) with the bytes of `old` that are not UTF-8 after it, when it lost them: a line
/// an importer skips because it is not UTF-8 stays skipped in the copy (`raw` gives such bytes characters of the
/// private-use planes 15 and 16; another character of those planes is kept too, which is harmless).
fn keep_stray(old: &str, mut new: String) -> String {
    let stray = |c: &char| *c >= '\u{F0000}';
    if let Some(first) = old.chars().find(stray) {
        if !new.contains(first) {
            new.extend(old.chars().filter(stray));
        }
    }
    new
}

/// Display names met in name-addr values, wherever else they stand (a reason phrase, a Warning, a trace line).
fn names(p: &Pseudonyms, mut text: String) -> String {
    for (from, to) in p.names() {
        if from.len() >= 4 && memchr::memmem::find(text.as_bytes(), from.as_bytes()).is_some() {
            text = text.replace(from, to);
        }
    }
    text
}

fn replace(p: &mut Pseudonyms, c: &Captures<'_>, text: &str) -> String {
    let whole = c.get(0).map_or("", |m| m.as_str()).to_string();
    let pair = |k: &str, v: &str| {
        (
            c.name(k).map_or("", |m| m.as_str()),
            c.name(v).map(|m| m.as_str()),
        )
    };
    if let (k, Some(v)) = pair("dn", "dnv") {
        return format!("{k}{}{}", p.display_name(v), &c["dnt"]);
    }
    if let (k, Some(v)) = pair("gruu", "gruuv") {
        return format!("{k}{}", id(p, v));
    }
    if let (k, Some(v)) = pair("authk", "authv") {
        return format!("{k}{}", p.token(Category::Auth, v));
    }
    if let (k, Some(v)) = pair("idk", "idv") {
        return format!("{k}{}", id(p, v));
    }
    if let (k, Some(v)) = pair("sdpk", "sdpv") {
        return format!("{k}{}", p.token(Category::Media, v));
    }
    if let (k, Some(v)) = pair("msb", "msbv") {
        let n = p.get(Category::Text, v, |n| {
            crate::base::base64::encode(format!("Text {n} redacted.").as_bytes())
        });
        return format!("{k}{n}");
    }
    if let (k, Some(v)) = pair("telk", "telv") {
        return format!("{k}{}", p.phone(v));
    }
    if let (k, Some(v)) = pair("extk", "extv") {
        return format!("{k}{}", p.phone(v));
    }
    if let Some(sch) = c.name("sch") {
        let user = c.name("user").map(|u| format!("{}@", user(p, u.as_str())));
        let host = host(p, &c["uh"], true);
        return format!("{}{}{host}", sch.as_str(), user.unwrap_or_default());
    }
    if let Some(u) = c.name("mail") {
        let user = user(p, u.as_str());
        return format!("{user}@{}", host(p, &c["mh"], true));
    }
    if let Some(v) = c.name("v6") {
        return p.ipv6(v.as_str());
    }
    if c.name("v4").is_some() {
        return v4(p, &whole).unwrap_or(whole);
    }
    if let Some(h) = c.name("host") {
        return host(p, h.as_str(), false);
    }
    if let Some(m) = c.name("ph") {
        // Not inside a longer token (base64, an identifier): a number standing on its own.
        let joined = |ch: Option<char>| {
            ch.is_some_and(|ch| ch.is_ascii_alphanumeric() || "/+_-.".contains(ch))
        };
        let (before, after) = (
            text[..m.start()].chars().next_back(),
            text[m.end()..].chars().next(),
        );
        if !joined(before) && !joined(after) && is_phone(m.as_str(), 7) {
            return p.phone(m.as_str());
        }
    }
    whole
}

/// A URI's user: a phone number (`+14255550100`, `5550100`) keeps its shape, any other name is numbered.
fn user(p: &mut Pseudonyms, user: &str) -> String {
    if is_phone(user, 4) {
        p.phone(user)
    } else {
        p.user(user)
    }
}

fn id(p: &mut Pseudonyms, v: &str) -> String {
    // A Via branch keeps RFC 3261's magic cookie: it says the branch is unique.
    match v.strip_prefix("z9hG4bK") {
        Some(rest) if !rest.is_empty() => p.get(Category::Ids, v, |n| format!("z9hG4bKbranch{n}")),
        _ => p.token(Category::Ids, v),
    }
}

fn v4(p: &mut Pseudonyms, s: &str) -> Option<String> {
    let mut ip = [0u8; 4];
    let mut parts = s.split('.');
    for slot in ip.iter_mut() {
        *slot = parts.next()?.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(p.ipv4(ip))
}

/// A host as found: an IPv4 or bracketed IPv6 address, or a name (renamed when `certain` — it is a SIP URI's
/// host — or when it falls under a domain the SIP named).
fn host(p: &mut Pseudonyms, h: &str, certain: bool) -> String {
    if let Some(inner) = h.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return format!("[{}]", p.ipv6(inner));
    }
    if !is_name(h) {
        return v4(p, h).unwrap_or_else(|| h.to_string());
    }
    if p.is_private_host(h)
        || certain && {
            p.learn_host(h);
            p.is_private_host(h)
        }
    {
        return p.host(h);
    }
    h.to_string()
}

/// The values already renamed that may also stand alone in free text (a Call-ID or a user named in a trace
/// line): every token of the text that is one of them is replaced too.
fn literals(p: &mut Pseudonyms, keep: Keep, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let is_sep = |ch: char| ch.is_whitespace() || "<>\"'=()[]{}|,;".contains(ch);
    while !rest.is_empty() {
        let end = rest.find(is_sep).unwrap_or(rest.len());
        let (token, after) = rest.split_at(end);
        let word = token.trim_end_matches([':', '.']);
        // A machine's name alone (`FE01`): only a word with a digit or a hyphen, never a plain word.
        let machine = !word.contains('.') && word.bytes().any(|b| b.is_ascii_digit() || b == b'-');
        let stand_in = [
            Category::Ids,
            Category::Users,
            Category::Auth,
            Category::Domains,
        ]
        .into_iter()
        .filter(|&c| !keep.has(c) && word.len() >= 3 && (c != Category::Domains || machine))
        .find_map(|c| {
            let key = if matches!(c, Category::Users | Category::Domains) {
                word.to_ascii_lowercase()
            } else {
                word.to_string()
            };
            p.known(c, &key).map(str::to_string)
        });
        // A number the SIP named (`sip:4255550100@…`) standing alone.
        let stand_in = stand_in.or_else(|| {
            (!keep.has(Category::Phones)
                && is_phone(word, 7)
                && p.known(Category::Phones, word).is_some())
            .then(|| p.phone(word))
        });
        match stand_in {
            Some(s) => {
                out.push_str(&s);
                out.push_str(&token[word.len()..]);
            }
            None => out.push_str(token),
        }
        let sep_len = after.chars().next().map_or(0, char::len_utf8);
        out.push_str(&after[..sep_len]);
        rest = &after[sep_len..];
    }
    out
}
