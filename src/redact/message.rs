//! One SIP message redacted on its parsed form: the start line, each header value by its name, the body by its
//! content type; names, separators and line ends kept; Content-Length moved by what the body gained or lost.

use super::find::{starts, Anchored};
use super::names::{is_phone, Category, Pseudonyms};
use super::raw::Raw;
use super::text::scrub;
use super::Keep;
use crate::sip::{self, canonical_name};

/// The redacted text of a message (`stray` says how it carries bytes that are not UTF-8), or `None` when it is not
/// a message the parser reads (the caller scrubs it as text).
pub(super) fn redact(p: &mut Pseudonyms, keep: Keep, stray: Raw, message: &str) -> Option<String> {
    let raw = message.as_bytes();
    let m = sip::parse_message(raw.to_vec()).ok()?;
    let text = |r: std::ops::Range<usize>| message.get(r).unwrap_or("");
    let body_type = m.content_type().unwrap_or_default();
    let body = text(m.body.start as usize..m.body.end as usize);
    let (new_body, grown) = framed_body(
        p,
        keep,
        &body_type,
        body,
        m.content_length(),
        Reading::Verbatim(stray),
    );
    let mut out = String::with_capacity(raw.len() + 64);
    let mut at = 0usize;
    // The start line: everything before the first header (or the body), as text.
    let first = m
        .headers
        .first()
        .map_or(m.body.start as usize, |h| h.name.start as usize);
    let start_end = raw[..first]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(first, |i| i + 1);
    out.push_str(&scrub(p, keep, text(0..start_end)));
    at = at.max(start_end);
    for h in &m.headers {
        let (vs, ve) = (h.value.start as usize, h.value.end as usize);
        if vs < at {
            continue;
        }
        out.push_str(text(at..vs));
        let name = canonical_name(text(h.name.start as usize..h.name.end as usize));
        let value = text(vs..ve);
        out.push_str(&header(p, keep, name, value, grown));
        at = ve;
    }
    let bs = m.body.start as usize;
    if bs >= at {
        out.push_str(text(at..bs));
        out.push_str(&new_body);
        at = m.body.end as usize;
    }
    out.push_str(text(at.min(raw.len())..raw.len()));
    Some(out)
}

/// A header value redacted by its name (a Call-ID whole; Content-Length moved by `grown`).
pub(super) fn header(
    p: &mut Pseudonyms,
    keep: Keep,
    name: &str,
    value: &str,
    grown: i64,
) -> String {
    if name.eq_ignore_ascii_case("Content-Length") {
        return match value.trim().parse::<i64>() {
            // A right length stays right, a wrong one as wrong as it was.
            Ok(n) if n + grown >= 0 => value.replace(value.trim(), &(n + grown).to_string()),
            _ => value.to_string(),
        };
    }
    let whole_id = ["Call-ID", "Ms-Conversation-ID"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n));
    if whole_id {
        let v = value.trim();
        return value.replace(v, &p.token(Category::Ids, v));
    }
    if NAME_ADDR.iter().any(|n| name.eq_ignore_ascii_case(n)) && !keep.has(Category::Names) {
        let value = unquoted_names(p, value);
        return scrub(p, keep, &value);
    }
    scrub(p, keep, value)
}

/// The headers whose values are name-addrs (`Display Name <sip:…>`, several apart by commas).
const NAME_ADDR: &[&str] = &[
    "From",
    "To",
    "Contact",
    "Reply-To",
    "Referred-By",
    "P-Asserted-Identity",
    "P-Preferred-Identity",
    "Remote-Party-ID",
    "Diversion",
];

/// A name-addr value's display names written without quotes (`Alice Smith <sip:…>`) renamed, as the quoted
/// form is (the same name gets the same stand-in either way).
fn unquoted_names(p: &mut Pseudonyms, value: &str) -> String {
    static RE: std::sync::OnceLock<regex_lite::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex_lite::Regex::new(
            r#"(?P<lead>(?:^|,)[ \t]*)(?P<name>[^"<>,;\r\n]*[^"<>,;\s])(?P<gap>[ \t]*<)"#,
        )
        .expect("the display name pattern is valid")
    });
    re.replace_all(value, |c: &regex_lite::Captures<'_>| {
        format!("{}{}{}", &c["lead"], p.display_name(&c["name"]), &c["gap"])
    })
    .into_owned()
}

/// How an importer reads a text a length counts: as it is (a message the file holds unchanged), or line by line —
/// every line ended by a CRLF whatever its line break, a client log's lines from other threads left out (a
/// packet the importer had to rebuild). Either way a stray byte's character (`Raw`) is one byte.
#[derive(Clone, Copy)]
pub(super) enum Reading {
    Verbatim(Raw),
    Lines { client: bool, stray: Raw },
}

impl Reading {
    fn stray(self) -> Raw {
        match self {
            Reading::Verbatim(r) | Reading::Lines { stray: r, .. } => r,
        }
    }

    /// `text`'s lines: each with its length as the importer keeps it (`None`: a line it leaves out), its text,
    /// and its length in the text.
    fn lines(self, text: &str) -> impl Iterator<Item = (Option<usize>, &str, usize)> + '_ {
        let stray = self.stray();
        text.split_inclusive('\n').map(move |l| {
            let Some(content) = l.strip_suffix('\n') else {
                return (Some(stray.len(l)), l, l.len());
            };
            let content = content.strip_suffix('\r').unwrap_or(content);
            let noise = matches!(self, Reading::Lines { client: true, .. })
                && crate::import::uccapi::parse_prefix(content.as_bytes()).is_some();
            ((!noise).then(|| stray.len(content) + 2), content, l.len())
        })
    }

    /// How many bytes of `text` the importer reads.
    pub(super) fn len(self, text: &str) -> usize {
        match self {
            Reading::Verbatim(stray) => stray.len(text),
            Reading::Lines { .. } => self.lines(text).map(|l| l.0.unwrap_or(0)).sum(),
        }
    }

    /// Where in `text` the importer's byte `n` is; `None` past its end (or inside a character).
    fn at(self, text: &str, n: usize) -> Option<usize> {
        let stray = self.stray();
        match self {
            Reading::Verbatim(_) => stray.offset(text, n),
            Reading::Lines { .. } => {
                let (mut read, mut raw) = (0, 0);
                for (kept, content, len) in self.lines(text) {
                    if let Some(k) = kept {
                        if n < read + k {
                            // Inside the line, or between the CR and the LF the importer puts after it.
                            let (inside, bytes) = (n - read, stray.len(content));
                            let at = if inside < bytes {
                                raw + stray.offset(content, inside)?
                            } else {
                                raw + (content.len() + inside - bytes).min(len)
                            };
                            return (at < text.len() && text.is_char_boundary(at)).then_some(at);
                        }
                        read += k;
                    }
                    raw += len;
                }
                None
            }
        }
    }
}

/// A body redacted so that its Content-Length (`declared`, as `reading` counts) frames it where it did, and what
/// the length moves by: a length that covers less than the body (a malformed message, the log's line break after
/// it) covers the same part of the copy — that part and the rest are redacted apart, the length follows the
/// first; any other length moves by what the whole body gained or lost (a right one stays right, a long one as
/// long as it was).
pub(super) fn framed_body(
    p: &mut Pseudonyms,
    keep: Keep,
    content_type: &str,
    body: &str,
    declared: Option<usize>,
    reading: Reading,
) -> (String, i64) {
    let grown = |new: &str, old: &str| reading.len(new) as i64 - reading.len(old) as i64;
    match declared.and_then(|n| reading.at(body, n)) {
        Some(cut) => {
            let covered = redact_body(p, keep, content_type, &body[..cut]);
            let g = grown(&covered, &body[..cut]);
            (
                covered + &redact_body(p, keep, content_type, &body[cut..]),
                g,
            )
        }
        None => {
            let new = redact_body(p, keep, content_type, body);
            let g = grown(&new, body);
            (new, g)
        }
    }
}

pub fn redact_body(p: &mut Pseudonyms, keep: Keep, content_type: &str, body: &str) -> String {
    if body.is_empty() {
        return String::new();
    }
    if content_type.starts_with("text/") {
        return free_text(p, body);
    }
    let body = xml_names(p, keep, body);
    let body = scrub(p, keep, &body);
    xml_text(p, &body)
}

/// Free text (an IM): each line replaced, line breaks kept, and the quote marks or indentation before it (a
/// message quoted in a document keeps its quoting).
fn free_text(p: &mut Pseudonyms, body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        let content = line.trim_end_matches(['\r', '\n']);
        let text = content.trim_start_matches(|c: char| c.is_whitespace() || c == '>' || c == '|');
        if text.trim().is_empty() {
            out.push_str(line);
        } else {
            out.push_str(&content[..content.len() - text.len()]);
            out.push_str(&p.get(Category::Text, text, |n| format!("Text {n} redacted.")));
            out.push_str(&line[content.len()..]);
        }
    }
    out
}

/// The element names whose text is free text people wrote or a directory holds: presence notes, contact card
/// fields, a meeting's join URL (it names its organizer: `https://meet.contoso.com/alice/8F3K2Q7W`), the comment
/// a user wrote when rating a call (`Text` of call-quality feedback, [MS-QoE] 2.2.2.2).
const FREE_TEXT: &[&str] = &[
    "body",
    "join-url",
    "title",
    "office",
    "company",
    "department",
    "email",
    "street",
    "city",
    "location",
    "description",
    "subject",
    "comment",
    "Text",
    "nickname",
    "phoneNumber",
    "machineName",
    "displayString",
];

/// The element names whose text is a person's name, as a display name is (`display-name` is a conference state's
/// organizer, RFC 4575; its `display-text` is a user's name as often as a label such as `audio-video`, which
/// must not become a name, so a user's `display-text` is renamed only when the name is known from elsewhere).
const NAMES: &[&str] = &["displayName", "name", "display-name"];

/// The element names whose text is a phone number, however it is written.
const PHONES: &[&str] = &[
    "tel",
    "phoneNumber",
    "telephoneNumber",
    "mobilePhone",
    "homePhone",
];

/// An element named one of `names` whose text (no child element) matches `text`: `open`, `text`, `close`.
fn element(names: &[&str], text: &str) -> Anchored {
    Anchored::plain(&[&format!(
        r"(?P<open><(?:[A-Za-z_][\w.-]*:)?(?:{})(?:\s[^<>]*)?>)(?P<text>{text})(?P<close></)",
        names.join("|")
    )])
}

/// The patterns of a body's XML: free-text elements, phone elements, name elements, name attributes.
pub(super) fn xml_patterns() -> &'static [Anchored; 4] {
    static RE: std::sync::OnceLock<[Anchored; 4]> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        // `displayName="…"` anywhere, `name="…"` of a contact or a list's resource: a person's name.
        let contact = r#"<(?:[A-Za-z_][\w.-]*:)?(?:contact|resource)\s[^<>]*?\bname=""#;
        let attribute = |open: &str| format!(r#"(?P<open>{open})(?P<text>[^"]+)(?P<close>")"#);
        [
            element(FREE_TEXT, r"[^<]*[^<\s\d.:+-][^<]*"),
            element(PHONES, "[^<]+"),
            element(NAMES, r"[^<]*[^<\s][^<]*"),
            Anchored::new(&[(
                attribute(&format!(r#"\bdisplayName="|{contact}"#)),
                Some(attribute(contact)),
            )]),
        ]
    })
}

/// Whether an element named one of `names` (after a namespace prefix or not) may begin at byte `i`: a `<`, the
/// name, then white space or `>` (`space`: only white space, an attribute must follow).
fn tag(b: &[u8], i: usize, names: &[&str], space: bool) -> bool {
    if b[i] != b'<' {
        return false;
    }
    let end = b[i + 1..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-')))
        .map_or(b.len(), |n| i + 1 + n);
    let after = b.get(end).copied();
    if !(after.is_some_and(|c| c.is_ascii_whitespace() || c == 0x0B)
        || (!space && after == Some(b'>')))
    {
        return false;
    }
    let tag = &b[i + 1..end];
    names.iter().any(|n| {
        let n = n.as_bytes();
        tag == n
            || (tag.len() > n.len() && tag.ends_with(n) && tag[tag.len() - n.len() - 1] == b':')
    })
}

/// Where an element of free text may begin.
pub(super) fn free_text_may_begin(b: &[u8], i: usize) -> bool {
    tag(b, i, FREE_TEXT, false)
}

/// Where a phone element may begin.
pub(super) fn phone_may_begin(b: &[u8], i: usize) -> bool {
    tag(b, i, PHONES, false)
}

/// Where an element holding a person's name may begin.
pub(super) fn name_may_begin(b: &[u8], i: usize) -> bool {
    tag(b, i, NAMES, false)
}

/// Where a name attribute may begin: `displayName="`, or a contact or a list's resource.
pub(super) fn attribute_may_begin(b: &[u8], i: usize) -> bool {
    (b[i] == b'd' && starts(b, i, b"displayName=\"", false))
        || tag(b, i, &["contact", "resource"], true)
}

/// People's names in a body's XML (before the token pass, which would rename a user's name inside one):
/// renamed as display names are.
fn xml_names(p: &mut Pseudonyms, keep: Keep, body: &str) -> String {
    let [_, _, names, attributes] = xml_patterns();
    let mut body = body.to_string();
    if keep.has(Category::Names) {
        return body;
    }
    let begins: [fn(&[u8], usize) -> bool; 2] = [name_may_begin, attribute_may_begin];
    for (re, may_begin) in [names, attributes].into_iter().zip(begins) {
        body = re.replace(&body, may_begin, |c, _| {
            let t = &c["text"];
            let breaks: String = t.chars().filter(|&ch| ch == '\n' || ch == '\r').collect();
            let s = p.display_name(t.trim_end_matches(['\r', '\n']));
            format!("{}{s}{breaks}{}", &c["open"], &c["close"])
        });
    }
    body
}

fn xml_text(p: &mut Pseudonyms, body: &str) -> String {
    let [re, phone, _, _] = xml_patterns();
    let body = phone.replace(body, phone_may_begin, |c, _| {
        let t = &c["text"];
        let s = if is_phone(t, 3) {
            p.phone(t)
        } else {
            t.to_string()
        };
        format!("{}{s}{}", &c["open"], &c["close"])
    });
    re.replace(&body, free_text_may_begin, |c, _| {
        let t = &c["text"];
        if is_phone(t, 4) {
            return format!("{}{}{}", &c["open"], p.phone(t), &c["close"]);
        }
        format!("{}{}{}", &c["open"], text_lines(p, t), &c["close"])
    })
}

/// An element's free text replaced. Text over several lines keeps its lines, each line's text replaced apart: a
/// blank line stays blank and no other becomes one (in SIP text a blank line ends a message's headers).
fn text_lines(p: &mut Pseudonyms, t: &str) -> String {
    let stand_in =
        |p: &mut Pseudonyms, t: &str| p.get(Category::Text, t, |n| format!("Text {n} redacted."));
    if !t.contains('\n') {
        let breaks: String = t.chars().filter(|&ch| ch == '\r').collect();
        return stand_in(p, t) + &breaks;
    }
    let mut out = String::with_capacity(t.len() + 16);
    for line in t.split_inclusive('\n') {
        let content = line.trim_end_matches(['\r', '\n']);
        let text = content.trim();
        if text.is_empty() {
            out.push_str(line);
            continue;
        }
        let lead = content.len() - content.trim_start().len();
        out.push_str(&content[..lead]);
        out.push_str(&stand_in(p, text));
        out.push_str(&line[lead + text.len()..]);
    }
    out
}

/// Text as an importer reads it, redacted: each message the framer finds (on the file's bytes) on its parsed form,
/// the text between as text.
pub(super) fn each(p: &mut Pseudonyms, keep: Keep, stray: Raw, sip: &str) -> String {
    let mut new = String::with_capacity(sip.len() + sip.len() / 8);
    let mut at = 0;
    for f in crate::sip::framing::frame_block(&stray.into_bytes(sip)) {
        let end = |n: usize| {
            if n == stray.len(sip) {
                Some(sip.len())
            } else {
                stray.offset(sip, n)
            }
        };
        let (Some(s), Some(e)) = (end(f.range.start), end(f.range.end)) else {
            continue;
        };
        if s < at || e < s {
            continue;
        }
        new.push_str(&super::text::scrub(p, keep, &sip[at..s]));
        let msg = redact(p, keep, stray, &sip[s..e])
            .unwrap_or_else(|| super::text::scrub(p, keep, &sip[s..e]));
        new.push_str(&msg);
        at = e;
    }
    new.push_str(&super::text::scrub(p, keep, &sip[at..]));
    new
}
