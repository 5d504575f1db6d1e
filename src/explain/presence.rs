//! Presence timeline: per contact, the availability changes the log shows; per subscription, its lifecycle.
//!
//! Availability comes from category documents (`categories` with a `state` category, [MS-PRES]) in NOTIFY and
//! BENOTIFY requests, in 200 OKs to SUBSCRIBE (piggy-backed first notification, [MS-SIP] 3.4) and to SERVICE
//! (roaming self data), and from the user's own publications (`publish`). For a notification the aggregate
//! state is the one shown to watchers; for a publication, the user state (manual) or else the machine state.
//! Names follow [`super::body::availability_name`].
//!
//! A subscription's lifecycle lists: created, challenged, accepted (with its expiry), failed, refreshed,
//! unsubscribed, notify / benotify received, terminated (with the RFC 3265 reason), and expired (the granted
//! expiry passed before the log ended with no refresh). With `com.microsoft.autoextend` every NOTIFY renews the
//! subscription ([MS-SIP] 3.6), so a NOTIFY's `subscription-state: …;expires=` resets the expiry too. Runs of
//! at least [`STORM_MIN`] BENOTIFYs with nothing else in between are collapsed into one `benotify-storm`
//! event (`{first, last, count}`) for the UI.

use super::body::{availability_name, presence_docs};
use super::util::{duration, find, one_line, semi_params};
use super::{body, diagnostics};
use crate::base::fxhash::FxMap;
use crate::base::intern::Interner;
use crate::base::time::Timestamp;
use crate::flow::Brief;
use crate::sip::{self, Message};
use crate::store::Analysis;
use serde::Serialize;

/// BENOTIFY runs at least this long are collapsed into one storm event.
pub const STORM_MIN: u32 = 3;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presence {
    /// Contacts in order of first appearance.
    pub contacts: Vec<ContactPresence>,
    /// One entry per flow subscription, same order and ids.
    pub subscriptions: Vec<SubscriptionLife>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPresence {
    /// The contact's URI as the documents write it (`sip:on2@limcm.com`).
    pub uri: String,
    pub changes: Vec<AvailabilityChange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityChange {
    /// Message index.
    pub msg: u32,
    pub time: Option<Timestamp>,
    pub availability: u32,
    /// `Available`, `Busy`, `Away`, …
    pub name: String,
    pub note: Option<String>,
    pub activity: Option<String>,
    /// Where it was seen.
    pub source: PresenceSource,
}

/// Where an availability change was seen. Serialized in kebab-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PresenceSource {
    /// A NOTIFY.
    Notify,
    /// A BENOTIFY (best-effort NOTIFY, no response).
    Benotify,
    /// A 2xx to SUBSCRIBE (the piggy-backed first notification).
    SubscribeResponse,
    /// A 2xx to SERVICE (roaming self data).
    ServiceResponse,
    /// The user's own publication (SERVICE or PUBLISH).
    Publication,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionLife {
    /// The flow's subscription id.
    pub subscription: u32,
    pub event: String,
    pub resource: String,
    pub state: LifeState,
    pub events: Vec<LifeEvent>,
}

/// Where a subscription stands at the end of the log. Serialized in kebab-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LifeState {
    /// SUBSCRIBE sent, no final response.
    Requested,
    /// Accepted, waiting for the notifier (`subscription-state: pending`).
    Pending,
    /// Accepted and running.
    Active,
    /// Ended by either side.
    Terminated,
    /// The SUBSCRIBE failed.
    Failed,
    /// The granted expiry passed before the log ended, with no refresh.
    Expired,
}

/// One step of a subscription's lifecycle. Serialized in kebab-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LifeEventKind {
    /// The first SUBSCRIBE.
    Created,
    /// A 401/407 to a SUBSCRIBE.
    Challenged,
    /// A 2xx to a SUBSCRIBE (with its expiry).
    Accepted,
    /// A final response ≥ 300 to a SUBSCRIBE.
    Failed,
    /// A later SUBSCRIBE on the same dialog.
    Refreshed,
    /// SUBSCRIBE with Expires 0.
    Unsubscribed,
    /// A NOTIFY received.
    Notify,
    /// A BENOTIFY received.
    Benotify,
    /// A run of at least [`STORM_MIN`] BENOTIFYs, collapsed.
    BenotifyStorm,
    /// The server terminated the subscription (`subscription-state: terminated`).
    Terminated,
    /// The granted expiry passed with no refresh in the log.
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifeEvent {
    pub kind: LifeEventKind,
    /// The message it is about (the first of a storm; for `expired`, the message that granted the expiry).
    pub msg: u32,
    pub time: Option<Timestamp>,
    pub text: String,
    /// For `benotify-storm`.
    pub storm: Option<Storm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Storm {
    pub first: u32,
    pub last: u32,
    pub count: u32,
    /// Every BENOTIFY of the storm (message indices), in order.
    pub msgs: Vec<u32>,
}

/// The presence timeline and subscription lifecycles of an analysis.
pub fn presence(analysis: &Analysis) -> Presence {
    Presence {
        contacts: contacts(analysis),
        subscriptions: subscriptions(analysis),
    }
}

fn source_of(m: &Brief, syms: &Interner) -> Option<PresenceSource> {
    match (m.method.map(|x| syms.get(x)), m.status) {
        (Some(x), _) if x.eq_ignore_ascii_case("NOTIFY") => Some(PresenceSource::Notify),
        (Some(x), _) if x.eq_ignore_ascii_case("BENOTIFY") => Some(PresenceSource::Benotify),
        (Some(x), _) if x.eq_ignore_ascii_case("SERVICE") => Some(PresenceSource::Publication),
        (Some(x), _) if x.eq_ignore_ascii_case("PUBLISH") => Some(PresenceSource::Publication),
        (None, Some(200..=299)) => match syms.get(m.cseq?.1).to_ascii_uppercase().as_str() {
            "SUBSCRIBE" => Some(PresenceSource::SubscribeResponse),
            "SERVICE" => Some(PresenceSource::ServiceResponse),
            _ => None,
        },
        _ => None,
    }
}

fn contacts(analysis: &Analysis) -> Vec<ContactPresence> {
    let mut out: Vec<ContactPresence> = Vec::new();
    // Contact URI, lower-cased → its place in `out` (presence-heavy logs name thousands of contacts).
    let mut index: FxMap<String, usize> = FxMap::default();
    for (i, m) in analysis.messages.iter().enumerate() {
        let Some(source) = source_of(&m.brief, analysis.syms()) else {
            continue;
        };
        if analysis.flow.links.get(i).is_some_and(|l| l.retransmission) {
            continue;
        }
        let sipm = analysis.sip(i as u32);
        for part in sip::body::parts(&sipm) {
            if !part
                .text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('<')
            {
                continue;
            }
            for doc in presence_docs(&part.text) {
                if doc.uri.is_empty() {
                    continue;
                }
                let key = doc.uri.to_ascii_lowercase();
                let idx = match index.get(&key) {
                    Some(&p) => p,
                    None => {
                        index.insert(key, out.len());
                        out.push(ContactPresence {
                            uri: doc.uri.clone(),
                            changes: Vec::new(),
                        });
                        out.len() - 1
                    }
                };
                let contact = &mut out[idx];
                let prev = contact.changes.last();
                let availability = doc
                    .state
                    .as_ref()
                    .and_then(|s| s.availability)
                    .or_else(|| prev.map(|p| p.availability));
                let Some(availability) = availability else {
                    continue;
                };
                let note = if doc.has_note {
                    doc.note.clone()
                } else {
                    prev.and_then(|p| p.note.clone())
                };
                let activity = match &doc.state {
                    Some(s) => s.activity.clone(),
                    None => prev.and_then(|p| p.activity.clone()),
                };
                let changed = match prev {
                    None => true,
                    Some(p) => {
                        p.availability != availability || p.note != note || p.activity != activity
                    }
                };
                if changed {
                    contact.changes.push(AvailabilityChange {
                        msg: i as u32,
                        time: m.time,
                        availability,
                        name: availability_name(availability).to_string(),
                        note,
                        activity,
                        source,
                    });
                }
            }
        }
    }
    out.retain(|c| !c.changes.is_empty());
    out
}

/// `t` plus `secs` seconds, in milliseconds (saturating: a huge Expires never overflows).
fn expiry(t: Timestamp, secs: u64) -> i64 {
    t.0.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX).saturating_mul(1000))
}

/// The expiry a message grants, in seconds: `subscription-state: active;expires=N`, else `Expires: N`.
fn granted_expiry(m: &Message) -> Option<u64> {
    m.header("Subscription-State")
        .and_then(|v| {
            let (_, p) = semi_params(&v);
            find(&p, "expires").and_then(|e| e.parse().ok())
        })
        .or_else(|| m.header("Expires").and_then(|e| e.trim().parse().ok()))
}

fn status_text(m: &Message) -> String {
    match &m.start {
        sip::StartLine::Response { status, reason, .. } if reason.is_empty() => status.to_string(),
        sip::StartLine::Response { status, reason, .. } => format!("{status} {}", one_line(reason)),
        _ => String::new(),
    }
}

/// What a notification body says, in a few words.
fn notification_text(m: &Message) -> String {
    let mut said = Vec::new();
    for part in sip::body::parts(m) {
        for doc in presence_docs(&part.text) {
            if let Some(a) = doc.state.as_ref().and_then(|s| s.availability) {
                said.push(format!(
                    "{} is {a} {}",
                    body::bare(&doc.uri),
                    availability_name(a)
                ));
            } else if doc.has_note {
                said.push(format!("{} changed their note", body::bare(&doc.uri)));
            }
        }
    }
    if said.is_empty() {
        if let Some(s) = body::decode_body(m).into_iter().next() {
            said.push(one_line(&s.title));
        }
    }
    said.join("; ")
}

/// A subscription's lifecycle as it is read.
#[derive(Default)]
struct LifeRun {
    events: Vec<LifeEvent>,
    expires_at: Option<(i64, u32)>,
    ended: bool,
    failed: bool,
    first_subscribe: bool,
}

/// The lifecycle of every subscription (what findings need of presence; no contact documents read).
pub fn subscriptions(analysis: &Analysis) -> Vec<SubscriptionLife> {
    let log_end = analysis.messages.iter().filter_map(|m| m.time).max();
    let subs = &analysis.flow.subscriptions;
    // Every message of every subscription (its SUBSCRIBEs, their responses, its notifications) with the
    // subscription it belongs to, in log order: the texts are read back in one pass over the file, and each
    // subscription still sees its own messages in order.
    let mut work: Vec<(u32, u32)> = Vec::new();
    for (si, sub) in subs.iter().enumerate() {
        let si = si as u32;
        work.extend(sub.subscribes.iter().map(|&s| (s, si)));
        for &s in &sub.subscribes {
            if let Some(t) = analysis.transaction_of(s) {
                work.extend(t.responses.iter().map(|&r| (r, si)));
            }
        }
        work.extend(sub.notifies.iter().map(|&n| (n, si)));
    }
    work.sort_unstable();
    work.dedup();
    let mut runs: Vec<LifeRun> = subs
        .iter()
        .map(|_| LifeRun {
            first_subscribe: true,
            ..LifeRun::default()
        })
        .collect();
    for (i, si) in work {
        let (Some(sub), Some(run)) = (subs.get(si as usize), runs.get_mut(si as usize)) else {
            continue;
        };
        let Some(m) = analysis.messages.get(i as usize) else {
            continue;
        };
        if analysis
            .flow
            .links
            .get(i as usize)
            .is_some_and(|l| l.retransmission)
        {
            continue;
        }
        let sipm = &*analysis.sip(i);
        let time = m.time;
        let mut push = |kind: LifeEventKind, text: String| {
            run.events.push(LifeEvent {
                kind,
                msg: i,
                time,
                text,
                storm: None,
            });
        };
        match (sipm.method(), sipm.status()) {
            (Some(method), _) if method.eq_ignore_ascii_case("SUBSCRIBE") => {
                let exp = sipm
                    .header("Expires")
                    .and_then(|e| e.trim().parse::<u64>().ok());
                if exp == Some(0) {
                    push(
                        LifeEventKind::Unsubscribed,
                        "SUBSCRIBE with Expires 0: the client ends the subscription.".into(),
                    );
                    run.ended = true;
                } else if run.first_subscribe {
                    let asked = exp
                        .map(|e| format!(", asking for {}", duration(e)))
                        .unwrap_or_default();
                    push(
                        LifeEventKind::Created,
                        format!("SUBSCRIBE to {} of {}{asked}.", sub.event, sub.resource),
                    );
                } else {
                    push(
                        LifeEventKind::Refreshed,
                        "SUBSCRIBE refresh on the same dialog.".into(),
                    );
                }
                run.first_subscribe = false;
            }
            (Some(method), _) => {
                let kind = if method.eq_ignore_ascii_case("BENOTIFY") {
                    LifeEventKind::Benotify
                } else {
                    LifeEventKind::Notify
                };
                let what = notification_text(sipm);
                let state = sipm.header("Subscription-State").map(|v| v.into_owned());
                let text = if what.is_empty() {
                    format!("{method} received.")
                } else {
                    format!("{method}: {what}.")
                };
                push(kind, text);
                if let Some(st) = state {
                    let (s, p) = semi_params(&st);
                    if s.eq_ignore_ascii_case("terminated") {
                        let reason = find(&p, "reason").unwrap_or("");
                        let meaning = super::vocab::termination_reason(reason)
                            .map(|m| format!(": {m}"))
                            .unwrap_or_default();
                        let diag = sipm
                            .header("ms-diagnostics-public")
                            .or_else(|| sipm.header("ms-diagnostics"))
                            .and_then(|d| diagnostics::summary("ms-diagnostics", &d))
                            .map(|d| format!(" ms-diagnostics {d}."))
                            .unwrap_or_default();
                        push(
                            LifeEventKind::Terminated,
                            format!(
                                "The server terminated the subscription{}{meaning}.{diag}",
                                if reason.is_empty() {
                                    String::new()
                                } else {
                                    format!(" (reason {reason})")
                                }
                            ),
                        );
                        run.ended = true;
                    } else if let (Some(e), Some(t)) = (granted_expiry(sipm), time) {
                        run.expires_at = Some((expiry(t, e), i));
                    }
                }
            }
            (None, Some(status)) => {
                let st = status_text(sipm);
                if status == 401 || status == 407 {
                    push(
                        LifeEventKind::Challenged,
                        format!("{st}: the server asks the client to authenticate."),
                    );
                } else if (200..300).contains(&status) {
                    let exp = granted_expiry(sipm);
                    let piggy = sipm.header("ms-piggyback-cseq").is_some()
                        || !sipm.body().iter().all(u8::is_ascii_whitespace);
                    let mut text = format!("{st}: the subscription is active");
                    if let Some(e) = exp {
                        text.push_str(&format!(" for {}", duration(e)));
                        if let Some(t) = time {
                            run.expires_at = Some((expiry(t, e), i));
                        }
                    }
                    if piggy {
                        text.push_str("; the first notification is piggy-backed in this response");
                    }
                    text.push('.');
                    push(LifeEventKind::Accepted, text);
                } else if status >= 300 {
                    let diag = sipm
                        .header("ms-diagnostics")
                        .or_else(|| sipm.header("ms-diagnostics-public"))
                        .and_then(|d| diagnostics::summary("ms-diagnostics", &d))
                        .map(|d| format!(" ms-diagnostics {d}."))
                        .unwrap_or_default();
                    let retry = sipm
                        .header("Retry-After")
                        .and_then(|r| {
                            r.split(';')
                                .next()
                                .and_then(|s| s.trim().parse::<u64>().ok())
                        })
                        .map(|r| format!(" Retry after {}.", duration(r)))
                        .unwrap_or_default();
                    push(
                        LifeEventKind::Failed,
                        format!("{st}: the subscription failed.{diag}{retry}"),
                    );
                    run.failed = true;
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (sub, run) in subs.iter().zip(runs.iter_mut()) {
        let mut state = match &sub.state {
            crate::flow::SubscriptionState::Requested => LifeState::Requested,
            crate::flow::SubscriptionState::Pending => LifeState::Pending,
            crate::flow::SubscriptionState::Active { .. } => LifeState::Active,
            crate::flow::SubscriptionState::Terminated { .. } => LifeState::Terminated,
            crate::flow::SubscriptionState::Failed { .. } => LifeState::Failed,
        };
        if !run.ended && !run.failed {
            if let (Some((at, granted_by)), Some(end)) = (run.expires_at, log_end) {
                if at < end.0 {
                    let when = Timestamp(at);
                    run.events.push(LifeEvent {
                    kind: LifeEventKind::Expired,
                    msg: granted_by,
                    time: Some(when),
                    text: format!(
                        "Expired at {} with no refresh in the log (granted by message #{}; the log goes on until {}).",
                        when,
                        granted_by + 1,
                        end
                    ),
                    storm: None,
                });
                    state = LifeState::Expired;
                }
            }
        }
        out.push(SubscriptionLife {
            subscription: sub.id,
            event: sub.event.clone(),
            resource: sub.resource.clone(),
            state,
            events: collapse_storms(std::mem::take(&mut run.events)),
        });
    }
    out
}

/// Replace runs of at least [`STORM_MIN`] consecutive `benotify` events by one `benotify-storm` event.
pub fn collapse_storms(events: Vec<LifeEvent>) -> Vec<LifeEvent> {
    let mut out: Vec<LifeEvent> = Vec::with_capacity(events.len());
    let mut run: Vec<LifeEvent> = Vec::new();
    let flush = |run: &mut Vec<LifeEvent>, out: &mut Vec<LifeEvent>| {
        if run.len() as u32 >= STORM_MIN {
            let first = &run[0];
            let last = &run[run.len() - 1];
            let span = match (first.time, last.time) {
                (Some(a), Some(b)) => format!(" in {}", crate::base::time::format_ms(b.0 - a.0)),
                _ => String::new(),
            };
            out.push(LifeEvent {
                kind: LifeEventKind::BenotifyStorm,
                msg: first.msg,
                time: first.time,
                text: format!(
                    "{} BENOTIFYs (messages #{} to #{}){span}.",
                    run.len(),
                    first.msg + 1,
                    last.msg + 1
                ),
                storm: Some(Storm {
                    first: first.msg,
                    last: last.msg,
                    count: run.len() as u32,
                    msgs: run.iter().map(|e| e.msg).collect(),
                }),
            });
            run.clear();
        } else {
            out.append(run);
        }
    };
    for e in events {
        if e.kind == LifeEventKind::Benotify {
            run.push(e);
        } else {
            flush(&mut run, &mut out);
            out.push(e);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: LifeEventKind, msg: u32) -> LifeEvent {
        LifeEvent {
            kind,
            msg,
            time: Some(Timestamp(i64::from(msg) * 1000)),
            text: String::new(),
            storm: None,
        }
    }

    #[test]
    fn huge_expiry_saturates() {
        assert_eq!(expiry(Timestamp(1000), u64::MAX), i64::MAX);
        assert_eq!(expiry(Timestamp(1000), 2), 3000);
    }

    #[test]
    fn storms_collapse_only_long_runs() {
        let events = vec![
            ev(LifeEventKind::Created, 0),
            ev(LifeEventKind::Benotify, 2),
            ev(LifeEventKind::Benotify, 3),
            ev(LifeEventKind::Notify, 4),
            ev(LifeEventKind::Benotify, 5),
            ev(LifeEventKind::Benotify, 6),
            ev(LifeEventKind::Benotify, 9),
        ];
        let out = collapse_storms(events);
        let kinds: Vec<LifeEventKind> = out.iter().map(|e| e.kind).collect();
        use LifeEventKind::{Benotify, BenotifyStorm, Created, Notify};
        assert_eq!(
            kinds,
            vec![Created, Benotify, Benotify, Notify, BenotifyStorm]
        );
        assert_eq!(
            out[4].storm,
            Some(Storm {
                first: 5,
                last: 9,
                count: 3,
                msgs: vec![5, 6, 9],
            })
        );
        assert_eq!(out[4].text, "3 BENOTIFYs (messages #6 to #10) in 4.0 s.");
        assert!(collapse_storms(Vec::new()).is_empty());
    }

    // Typed, so the literals below coerce `&String` to `&str`.
    fn log(messages: &[(&str, &str, &str)]) -> Vec<u8> {
        crate::explain::test_log(messages)
    }

    fn cats(uri: &str, avail: u32) -> String {
        format!("<categories uri=\"{uri}\"><category name=\"state\" instance=\"1\"><state type=\"aggregateState\"><availability>{avail}</availability></state></category></categories>")
    }

    fn benotify(cseq: u32, avail: u32) -> String {
        let b = cats("sip:on9@limcm.com", avail);
        format!("BENOTIFY sip:10.0.0.2:50000 SIP/2.0\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK{cseq}\nFrom: <sip:on1@limcm.com>;tag=A\nTo: <sip:on1@limcm.com>;tag=B;epid=1\nCall-ID: sub1\nCSeq: {cseq} BENOTIFY\nEvent: presence\nsubscription-state: active;expires=600\nContent-Type: application/msrtc-event-categories+xml\nContent-Length: {}\n\n{b}", b.len())
    }

    #[test]
    fn lifecycle_with_expiry_and_storm() {
        let sub = "SUBSCRIBE sip:on1@limcm.com SIP/2.0\nVia: SIP/2.0/TLS 10.0.0.2:50000\nFrom: <sip:on1@limcm.com>;tag=B;epid=1\nTo: <sip:on1@limcm.com>\nCall-ID: sub1\nCSeq: 1 SUBSCRIBE\nEvent: presence\nExpires: 600\nContent-Length: 0\n\n".to_string();
        let b0 = cats("sip:on9@limcm.com", 3500);
        let ok = format!("SIP/2.0 200 OK\nVia: SIP/2.0/TLS 10.0.0.2:50000\nFrom: <sip:on1@limcm.com>;tag=B;epid=1\nTo: <sip:on1@limcm.com>;tag=A\nCall-ID: sub1\nCSeq: 1 SUBSCRIBE\nExpires: 600\nsubscription-state: active;expires=600\nms-piggyback-cseq: 1\nContent-Type: application/msrtc-event-categories+xml\nContent-Length: {}\n\n{b0}", b0.len());
        let bytes = log(&[
            ("send", "10:00:00.000", &sub),
            ("recv", "10:00:00.100", &ok),
            ("recv", "10:00:10.000", &benotify(2, 6500)),
            ("recv", "10:00:11.000", &benotify(3, 6500)),
            ("recv", "10:00:12.000", &benotify(4, 15500)),
            ("send", "10:30:00.000", "OPTIONS sip:x SIP/2.0\nVia: SIP/2.0/TLS 10.0.0.2:50000\nFrom: <sip:on1@limcm.com>;tag=C\nTo: <sip:x>\nCall-ID: other\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n"),
        ]);
        let a = Analysis::of_files([("t.uccapilog", bytes.as_slice())]);
        assert_eq!(a.messages.len(), 6, "{:?}", a.diagnostics);
        let p = presence(&a);
        let c = &p.contacts[0];
        assert_eq!(c.uri, "sip:on9@limcm.com");
        let seen: Vec<(u32, u32, PresenceSource)> = c
            .changes
            .iter()
            .map(|x| (x.msg, x.availability, x.source))
            .collect();
        assert_eq!(
            seen,
            vec![
                (1, 3500, PresenceSource::SubscribeResponse),
                (2, 6500, PresenceSource::Benotify),
                (4, 15500, PresenceSource::Benotify)
            ]
        );
        assert_eq!(c.changes[2].name, "Away");
        let s = &p.subscriptions[0];
        let kinds: Vec<LifeEventKind> = s.events.iter().map(|e| e.kind).collect();
        use LifeEventKind::{Accepted, BenotifyStorm, Created, Expired};
        assert_eq!(kinds, vec![Created, Accepted, BenotifyStorm, Expired]);
        assert!(s.events[1].text.contains("piggy-backed"));
        assert_eq!(
            s.events[2].storm,
            Some(Storm {
                first: 2,
                last: 4,
                count: 3,
                msgs: vec![2, 3, 4],
            })
        );
        assert_eq!(s.state, LifeState::Expired);
        assert_eq!(s.events[3].msg, 4);
        assert_eq!(s.events[3].time.unwrap().clock(), "10:10:12.000");
        assert_eq!(
            s.events[3].text,
            "Expired at 2018-03-30T10:10:12.000 with no refresh in the log (granted by message #5; the log goes on until 2018-03-30T10:30:00.000)."
        );
    }
}
