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
    /// SUBSCRIBE, NOTIFY and BENOTIFY and their responses, where subscriptions are made of them.
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
        let subscribing = ["SUBSCRIBE", "NOTIFY", "BENOTIFY"]
            .iter()
            .any(|k| kind.eq_ignore_ascii_case(k));
        let (mut event, mut sub_state, mut expires) = (None, None, None);
        if subscribing {
            event = msg
                .header("Event")
                .map(|e| sym(e.split(';').next().unwrap_or("").trim()));
            sub_state = msg.header("Subscription-State").map(|v| sym(&v));
            expires = msg.header("Expires").map(|v| sym(&v));
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
