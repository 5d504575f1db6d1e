//! What correlation and merging need of a message, kept for every message after its text is let go: a few
//! interned strings and two hashes (about 70 bytes), taken from the parsed message once, at import.

use super::merge;
use crate::base::intern::{Interner, Sym};
use crate::base::time::Timestamp;
use crate::sip::grammar::{first_entry, param, via};
use crate::sip::{Message, StartLine};

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
    /// The top Via's `branch` and sent-by (`host:port`).
    pub branch: Option<Sym>,
    pub sent_by: Option<Sym>,
    /// The To tag.
    pub to_tag: Option<Sym>,
    /// The Event package (up to the first `;`, trimmed).
    pub event: Option<Sym>,
    /// Subscription-State and Expires as written.
    pub sub_state: Option<Sym>,
    pub expires: Option<Sym>,
    /// An INVITE whose SDP offers `m=message`: an IM session, not a call.
    pub im: bool,
    /// [`merge::Sighting`] keys: same message on the same hop, same message on any hop.
    pub identity: u64,
    pub trip: u64,
}

impl Brief {
    pub fn of(msg: &Message, syms: &mut Interner) -> Brief {
        let mut sym = |s: &str| syms.intern(s);
        let (method, uri, status, reason) = match &msg.start {
            StartLine::Request { method, uri, .. } => {
                (Some(sym(method)), Some(sym(uri)), None, None)
            }
            StartLine::Response { status, reason, .. } => {
                (None, None, Some(*status), Some(sym(reason)))
            }
        };
        let call_id = sym(msg.call_id().as_deref().unwrap_or(""));
        let cseq_value = msg.header("CSeq");
        let cseq = cseq_value
            .as_deref()
            .and_then(super::cseq_parts)
            .map(|(n, m)| (n, sym(m)));
        let top_via = msg.header("Via");
        let top = top_via.as_deref().map(first_entry);
        let branch = top.and_then(|v| param(v, "branch")).map(&mut sym);
        let sent_by = top.and_then(|v| Some(sym(&v[via(v).sent_by?])));
        let to_tag = msg
            .header("To")
            .and_then(|v| param(&v, "tag").map(&mut sym));
        let event = msg
            .header("Event")
            .map(|e| sym(e.split(';').next().unwrap_or("").trim()));
        let sub_state = msg.header("Subscription-State").map(|v| sym(&v));
        let expires = msg.header("Expires").map(|v| sym(&v));
        let im = msg
            .method()
            .is_some_and(|m| m.eq_ignore_ascii_case("INVITE"))
            && memchr::memmem::find(msg.body(), b"m=message").is_some();
        let (identity, trip) = merge::keys(msg);
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
