//! Flow: transactions, dialogs and subscriptions correlated from parsed messages (a state machine kept apart
//! from the parsers).
//!
//! - A transaction is a request and its responses: matched by Call-ID, CSeq number and method and the top Via
//!   branch (absent branches match each other: Skype for Business clients often send none over TLS). An ACK for
//!   a non-2xx final response shares the INVITE's branch and joins its transaction; a 2xx ACK is a transaction of
//!   its own that expects no response. CANCEL has its own transaction (its method differs).
//! - A request seen again with the same key is a retransmission; so is a response with the same status and
//!   To tag.
//! - A dialog is a Call-ID with its From/To tags; a conversation (what the page lists) is a Call-ID.
//! - A subscription is a SUBSCRIBE dialog with its NOTIFY/BENOTIFY requests, Expires and subscription-state.

pub mod brief;
pub mod merge;

pub use brief::Brief;

use crate::base::fxhash::FxMap;
use crate::base::intern::{Interner, Sym};
use crate::base::time::Timestamp;
use crate::sip::grammar::param;

/// Requests that by design get no response: ACK (RFC 3261) and BENOTIFY ([MS-SIP] best-effort NOTIFY).
pub fn expects_response(method: &str) -> bool {
    !(method.eq_ignore_ascii_case("ACK") || method.eq_ignore_ascii_case("BENOTIFY"))
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub id: u32,
    pub method: String,
    pub cseq: u32,
    pub call_id: String,
    pub branch: Option<String>,
    /// The request's message index (absent when only responses are in the log).
    pub request: Option<u32>,
    pub responses: Vec<u32>,
    pub final_status: Option<u16>,
    /// Milliseconds from the request to its first final response.
    pub response_ms: Option<i64>,
    /// A request that expects a response and got no final one in the log.
    pub unanswered: bool,
    /// Retransmissions of the request.
    pub retransmissions: Vec<u32>,
}

/// What a conversation is about, from its first request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationKind {
    Registration,
    Subscription,
    Call,
    Im,
    Publication,
    Message,
    Options,
    Other,
}

impl ConversationKind {
    pub fn name(self) -> &'static str {
        match self {
            ConversationKind::Registration => "registration",
            ConversationKind::Subscription => "subscription",
            ConversationKind::Call => "call",
            ConversationKind::Im => "im",
            ConversationKind::Publication => "publication",
            ConversationKind::Message => "message",
            ConversationKind::Options => "options",
            ConversationKind::Other => "other",
        }
    }
}

/// All messages that share a Call-ID.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub id: u32,
    pub call_id: String,
    pub kind: ConversationKind,
    /// e.g. `SUBSCRIBE presence sip:on1@limcm.com`, `INVITE sip:on2@limcm.com (IM)`.
    pub label: String,
    pub messages: Vec<u32>,
    pub transactions: Vec<u32>,
    pub first_time: Option<Timestamp>,
    /// Some transaction in it ended in a final status ≥ 400 other than an authentication challenge, or
    /// went unanswered.
    pub failed: bool,
}

/// The state of a subscription as the log last showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionState {
    /// SUBSCRIBE sent, no final response yet.
    Requested,
    Pending,
    Active {
        expires: Option<u32>,
    },
    Terminated {
        reason: Option<String>,
    },
    Failed {
        status: u16,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: u32,
    pub conversation: u32,
    pub call_id: String,
    /// The Event package (`presence`, `vnd-microsoft-roaming-self`, …).
    pub event: String,
    /// Request-URI of the first SUBSCRIBE.
    pub resource: String,
    /// SUBSCRIBE requests (first one, refreshes, unsubscribe).
    pub subscribes: Vec<u32>,
    /// NOTIFY and BENOTIFY requests.
    pub notifies: Vec<u32>,
    pub state: SubscriptionState,
}

/// Per-message links into the flow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Links {
    pub transaction: Option<u32>,
    pub conversation: Option<u32>,
    /// This message repeats an earlier one (same transaction, same start line).
    pub retransmission: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flow {
    pub transactions: Vec<Transaction>,
    pub conversations: Vec<Conversation>,
    pub subscriptions: Vec<Subscription>,
    pub links: Vec<Links>,
}

/// `1 SUBSCRIBE` → `(1, "SUBSCRIBE")`.
fn cseq_parts(value: &str) -> Option<(u32, &str)> {
    let mut it = value.split_whitespace();
    Some((it.next()?.parse().ok()?, it.next()?))
}

fn is_challenge(status: u16) -> bool {
    status == 401 || status == 407
}

/// No earlier transaction under the same (conversation, CSeq number).
const NO_TX: u32 = u32::MAX;

/// Messages correlated between two calls of `correlate`'s progress callback.
pub const TICK: usize = 1 << 15;

/// Correlate messages given in display order, from what each message's [`Brief`] keeps (strings in `syms`):
/// `of(message)` gives its time and brief (read where they are: no copy of them for every message is made).
/// `progress(done, total)` is called before the first message and after every [`TICK`] messages.
pub fn correlate<'a, T>(
    syms: &Interner,
    messages: &'a [T],
    of: impl Fn(&'a T) -> (Option<Timestamp>, &'a Brief),
    progress: &mut dyn FnMut(usize, usize),
) -> Flow {
    // At most one transaction per message: room for them up front, so the vector is never copied as it grows
    // (most messages open one in client logs and server traces; only what is used is ever touched).
    let mut flow = Flow {
        links: Vec::with_capacity(messages.len()),
        transactions: Vec::with_capacity(messages.len()),
        ..Flow::default()
    };
    let mut conv_index: FxMap<Sym, u32> = FxMap::default();
    // (conversation, CSeq number) → its latest transaction (one, or a few: INVITE, CANCEL, ACK share a number);
    // `tx_chain[t]` is the one listed before `t` under the same key ([`NO_TX`] when none) and `t`'s top Via
    // branch. Method and branch are compared on the transactions themselves: a lookup allocates nothing, and
    // neither does a new transaction (no list per key).
    let mut tx_index: FxMap<(u32, u32), u32> = FxMap::default();
    let mut tx_chain: Vec<(u32, Option<Sym>)> = Vec::with_capacity(messages.len());
    let mut sub_index: FxMap<Sym, u32> = FxMap::default();

    for (i, m) in messages.iter().enumerate() {
        let (time, msg) = of(m);
        if i % TICK == 0 {
            progress(i, messages.len());
        }
        let i = i as u32;
        let mut links = Links::default();
        let call_id = syms.get(msg.call_id);

        // Conversation by Call-ID.
        let conv = match conv_index.get(&msg.call_id) {
            Some(&c) => c,
            None => {
                let (kind, label) = describe(syms, msg);
                let c = flow.conversations.len() as u32;
                flow.conversations.push(Conversation {
                    id: c,
                    call_id: call_id.to_string(),
                    kind,
                    label,
                    messages: Vec::new(),
                    transactions: Vec::new(),
                    first_time: time,
                    failed: false,
                });
                conv_index.insert(msg.call_id, c);
                c
            }
        };
        {
            let c = &mut flow.conversations[conv as usize];
            c.messages.push(i);
            if c.first_time.is_none() {
                c.first_time = time;
            }
            // A conversation first seen through a response is named after its first request.
            if msg.is_request()
                && c.transactions.is_empty()
                && c.messages.len() > 1
                && c.kind == ConversationKind::Other
            {
                let (kind, label) = describe(syms, msg);
                c.kind = kind;
                c.label = label;
            }
        }
        links.conversation = Some(conv);

        // Transaction.
        if let Some((cseq, cseq_method)) = msg.cseq {
            let branch = msg.branch;
            // At most one transaction matches: a new one is made only when none does.
            let find = |method: &str, flow: &Flow| {
                let mut t = tx_index.get(&(conv, cseq)).copied().unwrap_or(NO_TX);
                while t != NO_TX {
                    let (prev, b) = tx_chain[t as usize];
                    if b == branch
                        && flow.transactions[t as usize]
                            .method
                            .eq_ignore_ascii_case(method)
                    {
                        return Some(t);
                    }
                    t = prev;
                }
                None
            };
            let written = msg.method.map(|m| syms.get(m));
            let method: &str = match written {
                // A non-2xx ACK carries the INVITE's branch; it belongs to the INVITE transaction.
                Some(m) if m.eq_ignore_ascii_case("ACK") => match find("INVITE", &flow) {
                    Some(t)
                        if branch.is_some()
                            && flow.transactions[t as usize]
                                .final_status
                                .is_some_and(|s| s >= 300) =>
                    {
                        "INVITE"
                    }
                    _ => "ACK",
                },
                Some(m) => m,
                None => syms.get(cseq_method),
            };
            let t = match find(method, &flow) {
                Some(t) => t,
                None => {
                    let t = flow.transactions.len() as u32;
                    flow.transactions.push(Transaction {
                        id: t,
                        method: method.to_ascii_uppercase(),
                        cseq,
                        call_id: call_id.to_string(),
                        branch: branch.map(|b| syms.get(b).to_string()),
                        request: None,
                        responses: Vec::new(),
                        final_status: None,
                        response_ms: None,
                        unanswered: false,
                        retransmissions: Vec::new(),
                    });
                    let prev = tx_index.insert((conv, cseq), t).unwrap_or(NO_TX);
                    tx_chain.push((prev, branch));
                    flow.conversations[conv as usize].transactions.push(t);
                    t
                }
            };
            links.transaction = Some(t);
            let tx = &mut flow.transactions[t as usize];
            match msg.status {
                None if written.is_some_and(|m| m.eq_ignore_ascii_case("ACK"))
                    && method == "INVITE" =>
                {
                    // ACK of a non-2xx final response: part of the INVITE transaction, listed with its responses.
                    tx.responses.push(i);
                }
                None => match tx.request {
                    None => tx.request = Some(i),
                    Some(_) => {
                        tx.retransmissions.push(i);
                        links.retransmission = true;
                    }
                },
                Some(status) => {
                    // The same status with the same To tag as an earlier response: a retransmission.
                    let repeat = tx.responses.iter().any(|&r| {
                        let earlier = of(&messages[r as usize]).1;
                        earlier.status == Some(status) && earlier.to_tag == msg.to_tag
                    });
                    if repeat {
                        links.retransmission = true;
                    }
                    tx.responses.push(i);
                    if status >= 200 && tx.final_status.is_none() {
                        tx.final_status = Some(status);
                        if let (Some(req), Some(t1)) = (tx.request, time) {
                            if let Some(t0) = of(&messages[req as usize]).0 {
                                tx.response_ms = Some(t1.0 - t0.0);
                            }
                        }
                    }
                    if status >= 400 && !is_challenge(status) {
                        flow.conversations[conv as usize].failed = true;
                    }
                }
            }
        }

        // Subscriptions.
        subscription_step(&mut flow, &mut sub_index, syms, msg, i, conv);

        flow.links.push(links);
    }

    // Room reserved for a transaction per message and mostly unused is given back (the page's memory is all
    // committed); a vector mostly used is left as it is rather than copied.
    if flow.transactions.len() < flow.transactions.capacity() / 2 {
        flow.transactions.shrink_to_fit();
    }
    for tx in &mut flow.transactions {
        let expects = tx.request.is_some() && expects_response(&tx.method);
        if expects && tx.final_status.is_none() {
            tx.unanswered = true;
        }
    }
    for c in &mut flow.conversations {
        if c.transactions
            .iter()
            .any(|&t| flow.transactions[t as usize].unanswered)
        {
            c.failed = true;
        }
    }
    // Subscriptions whose SUBSCRIBE failed.
    for s in &mut flow.subscriptions {
        if let Some(&first) = s.subscribes.first() {
            if let Some(t) = flow.links[first as usize].transaction {
                if let Some(st) = flow.transactions[t as usize].final_status {
                    if st >= 300 && matches!(s.state, SubscriptionState::Requested) {
                        s.state = SubscriptionState::Failed { status: st };
                    }
                }
            }
        }
    }
    flow
}

fn describe(syms: &Interner, msg: &Brief) -> (ConversationKind, String) {
    let Some(method) = msg.method.map(|m| syms.get(m)) else {
        let m = msg.cseq.map_or("", |(_, m)| syms.get(m));
        return (ConversationKind::Other, format!("{m} (response only)"));
    };
    let uri = msg.uri.map_or("", |u| syms.get(u));
    let upper = method.to_ascii_uppercase();
    let kind = match upper.as_str() {
        "REGISTER" => ConversationKind::Registration,
        "SUBSCRIBE" | "NOTIFY" | "BENOTIFY" => ConversationKind::Subscription,
        "INVITE" if msg.im => ConversationKind::Im,
        "INVITE" => ConversationKind::Call,
        "SERVICE" | "PUBLISH" => ConversationKind::Publication,
        "MESSAGE" | "INFO" => ConversationKind::Message,
        "OPTIONS" => ConversationKind::Options,
        _ => ConversationKind::Other,
    };
    let label = match kind {
        ConversationKind::Subscription => {
            let event = msg.event.map_or("", |e| syms.get(e));
            format!("{upper} {event} {uri}")
        }
        ConversationKind::Im => format!("{upper} {uri} (IM)"),
        _ => match msg.c3p(syms) {
            Some(c3p) => format!("{upper} {c3p} {uri}"),
            None => format!("{upper} {uri}"),
        },
    };
    (kind, label.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn subscription_step(
    flow: &mut Flow,
    index: &mut FxMap<Sym, u32>,
    syms: &Interner,
    msg: &Brief,
    i: u32,
    conv: u32,
) {
    let method = match (msg.method, msg.cseq) {
        (Some(m), _) | (None, Some((_, m))) => syms.get(m),
        (None, None) => return,
    };
    let is_sub = method.eq_ignore_ascii_case("SUBSCRIBE");
    let is_notify =
        method.eq_ignore_ascii_case("NOTIFY") || method.eq_ignore_ascii_case("BENOTIFY");
    if !is_sub && !is_notify {
        return;
    }
    let s = match index.get(&msg.call_id) {
        Some(&s) => s,
        None if msg.is_request() => {
            let s = flow.subscriptions.len() as u32;
            flow.subscriptions.push(Subscription {
                id: s,
                conversation: conv,
                call_id: syms.get(msg.call_id).to_string(),
                event: msg.event.map_or("", |e| syms.get(e)).to_string(),
                resource: msg.uri.map_or("", |u| syms.get(u)).to_string(),
                subscribes: Vec::new(),
                notifies: Vec::new(),
                state: SubscriptionState::Requested,
            });
            index.insert(msg.call_id, s);
            s
        }
        None => return,
    };
    let sub = &mut flow.subscriptions[s as usize];
    let sub_state = msg.sub_state.map(|v| syms.get(v));
    let expires = msg.expires.map(|v| syms.get(v));
    match (msg.method, msg.status) {
        (Some(_), _) if is_sub => {
            sub.subscribes.push(i);
            if expires.is_some_and(|e| e.trim() == "0") {
                sub.state = SubscriptionState::Terminated {
                    reason: Some("unsubscribed (Expires: 0)".into()),
                };
            }
        }
        (Some(_), _) => {
            sub.notifies.push(i);
            if let Some(state) = sub_state {
                sub.state = parse_subscription_state(state);
            }
        }
        (None, Some(status)) if is_sub => {
            if (200..300).contains(&status) {
                if !matches!(sub.state, SubscriptionState::Terminated { .. }) {
                    sub.state = match sub_state {
                        Some(v) => parse_subscription_state(v),
                        None => SubscriptionState::Active {
                            expires: expires.and_then(|e| e.trim().parse().ok()),
                        },
                    };
                }
            } else if status >= 300 && !is_challenge(status) {
                sub.state = SubscriptionState::Failed { status };
            }
        }
        _ => {}
    }
}

/// `active;expires=31535` → Active, `terminated;reason=timeout` → Terminated, `pending` → Pending.
pub fn parse_subscription_state(value: &str) -> SubscriptionState {
    let state = value.split(';').next().unwrap_or("").trim();
    // `param` reads the parameters after the first `;`: exactly the state's.
    if state.eq_ignore_ascii_case("active") {
        SubscriptionState::Active {
            expires: param(value, "expires").and_then(|e| e.parse().ok()),
        }
    } else if state.eq_ignore_ascii_case("pending") {
        SubscriptionState::Pending
    } else if state.eq_ignore_ascii_case("terminated") {
        SubscriptionState::Terminated {
            reason: param(value, "reason").map(str::to_string),
        }
    } else {
        SubscriptionState::Active { expires: None }
    }
}
