//! The token pass: URIs, addresses, host names, identifiers, secrets and phone numbers found in any text (trace
//! lines, header values, bodies) by `tokens`' matcher and replaced by their pseudonyms; then the display names and
//! the values already renamed wherever else they stand.
use std::borrow::Cow;
use std::ops::Range;

use super::tokens::{self, Kind, Token};

use super::names::{is_name, is_phone, Category, Pseudonyms};
use super::Keep;

/// Learn the domains the text's SIP names (see [`tokens::next_learnt`]).
pub fn learn(p: &mut Pseudonyms, text: &str) {
    let mut from = 0;
    while let Some((end, host)) = tokens::next_learnt(text, from) {
        p.learn_host(&text[host]);
        from = end;
    }
}

/// Replace every value the pass recognises in `text`.
pub fn scrub(p: &mut Pseudonyms, keep: Keep, text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let text = &*credentials(p, text);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut last = 0;
    while let Some(t) = tokens::next(text, last) {
        out.push_str(&text[last..t.range.start]);
        let new = replace(p, &t, text);
        out.push_str(&keep_stray(&text[t.range.clone()], new));
        last = t.range.end;
    }
    out.push_str(&text[last..]);
    // Display names first: a user's name inside one (`Bob` of `Bob Jones`) is not renamed alone.
    let out = if keep.has(Category::Names) {
        out
    } else {
        names(p, out)
    };
    literals(p, keep, &out)
}

/// The media relay's user names and passwords, as every view finds them ([`crate::sip::secrets`]): authentication
/// values (the views mask them; a copy to share gets stand-ins of the same shape).
fn credentials<'a>(p: &mut Pseudonyms, text: &'a str) -> Cow<'a, str> {
    let found = crate::sip::secrets::credentials(text.as_bytes());
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in found {
        out.push_str(&text[last..r.start]);
        out.push_str(&p.token(Category::Auth, &text[r.clone()]));
        last = r.end;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
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

/// The stand-in of a token of `text`.
fn replace(p: &mut Pseudonyms, t: &Token, text: &str) -> String {
    let s = |r: &Range<usize>| &text[r.clone()];
    let whole = s(&t.range);
    // A Call-ID that looks like `user@host` is one identifier, renamed as its header was.
    if let Some(known) = p.known(Category::Ids, whole) {
        return known.to_string();
    }
    match &t.kind {
        Kind::Name { value, close } => format!("\"{}{}", p.display_name(s(value)), s(close)),
        Kind::Gruu(k, v) | Kind::Id(k, v) => format!("{}{}", s(k), id(p, s(v))),
        Kind::Auth(k, v) => format!("{}{}", s(k), p.token(Category::Auth, s(v))),
        Kind::Sdp(k, v) => format!("{}{}", s(k), p.token(Category::Media, s(v))),
        Kind::Body(k, v) => {
            let n = p.get(Category::Text, s(v), |n| {
                crate::base::base64::encode(format!("Text {n} redacted.").as_bytes())
            });
            format!("{}{n}", s(k))
        }
        Kind::Tel(k, v) | Kind::Ext(k, v) => format!("{}{}", s(k), p.phone(s(v))),
        Kind::Uri {
            scheme,
            user: u,
            host: h,
        } => {
            let u = u.as_ref().map(|u| format!("{}@", user(p, s(u))));
            let h = host(p, s(h), true);
            format!("{}{}{h}", s(scheme), u.unwrap_or_default())
        }
        Kind::Mail { user: u, host: h } => {
            let u = user(p, s(u));
            format!("{u}@{}", host(p, s(h), true))
        }
        Kind::V6 => p.ipv6(whole),
        Kind::V4 => v4(p, whole).unwrap_or_else(|| whole.to_string()),
        Kind::Host => host(p, whole, false),
        Kind::Phone => {
            // Not inside a longer token (base64, an identifier): a number standing on its own.
            let joined = |ch: Option<char>| {
                ch.is_some_and(|ch| ch.is_ascii_alphanumeric() || "/+_-.".contains(ch))
            };
            let (before, after) = (
                text[..t.range.start].chars().next_back(),
                text[t.range.end..].chars().next(),
            );
            if !joined(before) && !joined(after) && is_phone(whole, 7) {
                p.phone(whole)
            } else {
                whole.to_string()
            }
        }
    }
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
    // A URI's IPv6 host written without brackets.
    if h.contains(':') {
        return p.ipv6(h);
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
