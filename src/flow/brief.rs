//! What correlation and merging need of a message, kept for every message after its text is let go: a few
//! interned strings and two hashes (about 70 bytes), taken from the parsed message once, at import.

use super::merge;
use crate::base::intern::{Interner, Sym};
use crate::base::time::Timestamp;
use crate::sip::grammar::{first_entry, param, via};
use crate::sip::{Message, StartLine};
use std::num::NonZeroU64;

/// A hash as a [`NonZeroU64`]: 0 (one hash in 2^64) becomes 1.
fn non_zero(h: u64) -> NonZeroU64 {
    NonZeroU64::new(h).unwrap_or(NonZeroU64::MIN)
}

/// The facts of one message that transactions, conversations, subscriptions, endpoints and the merge use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brief {
    /// The request method as written; `None` for a response.
    pub method: Option<Sym>,
    /// The status code and reason phrase; `None` for a request.
    pub status: Option<u16>,
    pub reason: Option<Sym>,
    /// The Request-URI; `None` for a response.
    pub uri: Option<Sym>,
    /// Call-ID, trimmed (the empty string when there is none).
    pub call_id: Sym,
    /// CSeq number and method as written.
    pub cseq: Option<(u32, Sym)>,
    /// The top Via's `branch`, and its sent-by (`host:port`; only for a message whose log gave no endpoints:
    /// what they are inferred from).
    pub branch: Option<Sym>,
    pub sent_by: Option<Sym>,
    /// A hash of the To tag (only ever compared: a retransmitted response has the same); never zero, so that
    /// `None` takes no room of its own.
    pub to_tag: Option<NonZeroU64>,
    /// The Event package (up to the first `;`, trimmed), Subscription-State and Expires as written: only for
    /// SUBSCRIBE, NOTIFY and BENOTIFY and their responses, where subscriptions are made of them. For a C3P
    /// request or response (`application/cccp+xml`, [MS-CONFPRO]) `event` is its command instead — `addUser`, and
    /// for a response its code too: `addUser success` (see [`c3p_command`]).
    pub event: Option<Sym>,
    pub sub_state: Option<Sym>,
    pub expires: Option<Sym>,
    /// An INVITE whose SDP offers `m=message`: an IM session, not a call.
    pub im: bool,
    /// [`merge::Sighting`] keys: same message on the same hop, same message on any hop.
    pub identity: u64,
    pub trip: u64,
}

impl Brief {
    /// `inferred`: the log gave no endpoints for the message (they will be inferred from its Via).
    pub fn of(msg: &Message, syms: &mut Interner, inferred: bool) -> Brief {
        let mut sym = |s: &str| syms.intern(s);
        let (method, uri, status, reason) = match &msg.start {
            StartLine::Request { method, uri, .. } => {
                (Some(sym(method)), Some(sym(uri)), None, None)
            }
            StartLine::Response { status, reason, .. } => {
                (None, None, Some(*status), Some(sym(reason)))
            }
        };
        let call_id_value = msg.call_id();
        let call_id_text = call_id_value.as_deref().unwrap_or("");
        let call_id = sym(call_id_text);
        let cseq_value = msg.header("CSeq");
        let cseq_parts = cseq_value.as_deref().and_then(super::cseq_parts);
        let cseq = cseq_parts.map(|(n, m)| (n, sym(m)));
        let top_via = msg.header("Via");
        let top = top_via.as_deref().map(first_entry).unwrap_or("");
        let branch_text = param(top, "branch");
        let branch = branch_text.map(&mut sym);
        let sent_by = if inferred {
            via(top).sent_by.map(|s| sym(&top[s]))
        } else {
            None
        };
        let to_tag = msg
            .header("To")
            .and_then(|v| param(&v, "tag").map(|t| non_zero(merge::hash_of(t.as_bytes()))));
        let kind = match (msg.method(), cseq_parts) {
            (Some(m), _) | (None, Some((_, m))) => m,
            (None, None) => "",
        };
        let subscribing = is_subscription_method(kind);
        let (mut event, mut sub_state, mut expires) = (None, None, None);
        if subscribing {
            event = msg
                .header("Event")
                .map(|e| sym(e.split(';').next().unwrap_or("").trim()));
            sub_state = msg.header("Subscription-State").map(|v| sym(&v));
            expires = msg.header("Expires").map(|v| sym(&v));
        } else if msg.header("Content-Type").is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/cccp+xml")
        }) {
            event = c3p_command(msg.body()).map(|c| sym(&c));
        }
        let im = msg
            .method()
            .is_some_and(|m| m.eq_ignore_ascii_case("INVITE"))
            && memchr::memmem::find(msg.body(), b"m=message").is_some();
        let (identity, trip) = merge::keys(
            msg,
            call_id_text,
            cseq_value.as_deref().unwrap_or(""),
            top,
            branch_text.unwrap_or(""),
        );
        Brief {
            method,
            status,
            reason,
            uri,
            call_id,
            cseq,
            branch,
            sent_by,
            to_tag,
            event,
            sub_state,
            expires,
            im,
            identity,
            trip,
        }
    }

    /// The same brief with every symbol replaced by `f` of it (the brief of a piece of a file parsed with an
    /// interner of its own, moved to the analysis's).
    pub fn map_syms(&mut self, f: impl Fn(Sym) -> Sym) {
        // Every field named: a symbol added to the brief is a decision here.
        let Brief {
            method,
            status: _,
            reason,
            uri,
            call_id,
            cseq,
            branch,
            sent_by,
            to_tag: _,
            event,
            sub_state,
            expires,
            im: _,
            identity: _,
            trip: _,
        } = self;
        for s in [
            method, reason, uri, branch, sent_by, event, sub_state, expires,
        ] {
            *s = s.map(&f);
        }
        *call_id = f(*call_id);
        if let Some((_, m)) = cseq {
            *m = f(*m);
        }
    }

    /// What the merge needs of this message seen in `file` at `time`.
    pub fn sighting(&self, file: u32, time: Option<Timestamp>) -> merge::Sighting {
        merge::Sighting {
            file,
            time,
            identity: self.identity,
            trip: self.trip,
        }
    }

    pub fn is_request(&self) -> bool {
        self.method.is_some()
    }
}

/// SUBSCRIBE, NOTIFY and BENOTIFY: the methods subscriptions are made of (a response by its CSeq method).
pub fn is_subscription_method(method: &str) -> bool {
    ["SUBSCRIBE", "NOTIFY", "BENOTIFY"]
        .iter()
        .any(|k| method.eq_ignore_ascii_case(k))
}

impl Brief {
    /// The C3P command of a conference control message (`addUser`, `addUser success`), when it is one.
    pub fn c3p<'a>(&self, syms: &'a Interner) -> Option<&'a str> {
        let kind = self
            .method
            .or(self.cseq.map(|c| c.1))
            .map_or("", |m| syms.get(m));
        self.event
            .filter(|_| !is_subscription_method(kind))
            .map(|e| syms.get(e))
    }
}

/// A C3P body's command ([MS-CONFPRO] 2.2: `<request …><addUser …>`, `<response … code="failure"><addUser …>`):
/// the root's first child element's local name, and for a response its `code` (`addUser failure`). Read with a
/// byte scan, not an XML parser: only the first two start tags matter, and every message's brief is made.
pub fn c3p_command(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let mut rest = text;
    let mut root: Option<(&str, &str)> = None;
    loop {
        let at = rest.find('<')?;
        rest = &rest[at + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let end = rest.find('>')?;
        let tag = &rest[..end];
        let name = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        let local = name.rsplit(':').next().unwrap_or(name);
        if local.is_empty() || name.starts_with('/') {
            return None;
        }
        match root {
            None => {
                if local != "request" && local != "response" {
                    return None;
                }
                root = Some((local, tag));
            }
            Some((kind, root_tag)) => {
                let code = (kind == "response")
                    .then(|| attribute(root_tag, "code"))
                    .flatten();
                return Some(match code {
                    Some(c) => format!("{local} {c}"),
                    None => local.to_string(),
                });
            }
        }
        rest = &rest[end + 1..];
    }
}

/// An attribute's value in a start tag's text (`code="success"`).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = tag[from..].find(name) {
        let at = from + i;
        let before_ok = at == 0 || tag[..at].ends_with(char::is_whitespace);
        let after = tag[at + name.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                let q = v.chars().next()?;
                if q == '"' || q == '\'' {
                    return v[1..].split(q).next();
                }
            }
        }
        from = at + name.len();
    }
    None
}

#[cfg(test)]
mod c3p_tests {
    use super::c3p_command;

    #[test]
    fn requests_and_responses() {
        let req = br#"<?xml version="1.0"?><request xmlns="urn:ietf:params:xml:ns:cccp" C3PVersion="1" requestId="2"><addUser><conferenceKeys confEntity="x"/></addUser></request>"#;
        assert_eq!(c3p_command(req).as_deref(), Some("addUser"));
        let resp = br#"<response xmlns="urn:ietf:params:xml:ns:cccp" requestId="2" code="failure" reason="deniedByPolicy"><addUser/></response>"#;
        assert_eq!(c3p_command(resp).as_deref(), Some("addUser failure"));
        let prefixed = br#"<?xml version="1.0"?>
<!-- c --><c3p:request xmlns:c3p="urn:ietf:params:xml:ns:cccp"><c3p:getConference/></c3p:request>"#;
        assert_eq!(c3p_command(prefixed).as_deref(), Some("getConference"));
        assert_eq!(c3p_command(b"<other><x/></other>"), None);
        assert_eq!(c3p_command(b"<request"), None);
        assert_eq!(c3p_command(b""), None);
        assert_eq!(c3p_command(b"<request></request>"), None);
    }
}
