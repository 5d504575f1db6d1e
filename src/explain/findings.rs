//! Findings: what in a log deserves an admin's look, each linked to the message that shows it.
//!
//! Kinds and rules:
//! - `failed-transaction` (warning): a final response ≥ 400 other than a 401/407 challenge and 487 (request
//!   cancelled, `cancelled`, info); the detail quotes its ms-diagnostics. `server-error` (error): the same for
//!   5xx. `subscription-failed` (warning, error for 5xx): a SUBSCRIBE that failed. `redirect` (info): 3xx
//!   (a Director sending the client to its home pool).
//! - `no-response` (warning): a request that expects a response got no final one in the log.
//! - `slow-response` (warning): a non-INVITE request answered after more than [`SLOW_MS`]; an INVITE whose
//!   first response (even 100 Trying) came after more than [`SLOW_MS`] (its final response waits for a person,
//!   so only the first one measures the servers). 2 s is four times SIP's T1 (RFC 3261) and far above what a
//!   healthy Front End needs; Skype for Business clients resend over TLS after about 4 s (the sample's
//!   MESSAGE), so a slower answer usually comes with a retransmission.
//! - `retransmission` (info): the request was sent again.
//! - `auth-loop`: on one Call-ID, a fresh challenge (no gssapi-data, so not a handshake step) answering a
//!   request that already carried credentials means the credentials or the security association were rejected
//!   (warning when it later succeeded, error when it never did); [`MAX_CHALLENGES`] or more challenges in a
//!   row without success is an error too.
//! - `subscription-expired` (warning), `subscription-terminated` (info): from the subscription lifecycles of
//!   [`super::presence`]; `benotify-storm` (info): a run of BENOTIFYs with at least [`STORM_COUNT`] of them
//!   inside [`STORM_WINDOW_MS`] (the lifecycle collapses every run for display; only a dense one is a finding).
//! - `re-registration`: a successful REGISTER after an earlier successful one — on the same Call-ID it is the
//!   normal refresh (info), on a new Call-ID the client signed in again (warning: it lost its registration or
//!   connection); `sign-out` (info): REGISTER with Expires 0.
//! - `media-failed` (error), `poor-quality` and `low-rating` (warnings): about calls, from
//!   [`super::calls::findings`] (`low-rating`: the user rated the call 1 or 2 stars, [`super::feedback`]).

use super::diagnostics;
pub use super::finding::{finding, Finding, FindingKind};
use super::presence::{self, LifeEventKind};
use super::util::{auth_params, duration, find, one_line};
use crate::base::diag::Severity;
use crate::base::intern::Interner;
use crate::base::time::format_ms;
use crate::flow::Brief;
use crate::sip::{self, Message};
use crate::store::Analysis;
use std::collections::HashMap;

/// Responses slower than this are reported (see the module comment).
pub const SLOW_MS: i64 = 2000;
/// A BENOTIFY burst worth reporting: at least this many within [`STORM_WINDOW_MS`].
pub const STORM_COUNT: usize = 10;
pub const STORM_WINDOW_MS: i64 = 10_000;
/// This many challenges in a row on one Call-ID without a success is an authentication loop.
pub const MAX_CHALLENGES: usize = 5;

/// `SUBSCRIBE sip:on1@limcm.com` of a request, from what its brief kept (no read-back).
fn request_label(m: &Brief, syms: &Interner) -> String {
    match (m.method, m.uri, m.cseq) {
        (Some(method), uri, _) => format!(
            "{} {}",
            syms.get(method),
            one_line(uri.map_or("", |u| syms.get(u)))
        ),
        (None, _, Some((_, method))) => syms.get(method).to_string(),
        (None, _, None) => String::new(),
    }
}

fn response_label(m: &Message) -> String {
    match &m.start {
        sip::StartLine::Response { status, reason, .. } if reason.is_empty() => status.to_string(),
        sip::StartLine::Response { status, reason, .. } => format!("{status} {}", one_line(reason)),
        _ => String::new(),
    }
}

/// Diagnostics of a response, as one sentence per header.
fn diagnostics_detail(m: &Message) -> Vec<String> {
    let mut out = Vec::new();
    for name in [
        "ms-diagnostics",
        "ms-diagnostics-public",
        "ms-client-diagnostics",
    ] {
        for v in m.headers_named(name) {
            if let Some(s) = diagnostics::summary(name, &v) {
                out.push(format!("{name} {s}."));
            }
        }
    }
    for w in m.headers_named("Warning") {
        out.push(format!("Warning: {}.", one_line(&w)));
    }
    if let Some(r) = m.header("Retry-After").and_then(|r| {
        r.split(';')
            .next()
            .and_then(|s| s.trim().parse::<u64>().ok())
    }) {
        out.push(format!("Retry after {}.", duration(r)));
    }
    out
}

fn is_fresh_challenge(m: &Message) -> bool {
    let mut any = false;
    for name in ["WWW-Authenticate", "Proxy-Authenticate"] {
        for v in m.headers_named(name) {
            any = true;
            let (_, p) = auth_params(&v);
            if find(&p, "gssapi-data").is_some() {
                return false;
            }
        }
    }
    any
}

fn has_credentials(m: &Message) -> bool {
    m.header("Authorization").is_some() || m.header("Proxy-Authorization").is_some()
}

/// All findings of an analysis, in message order.
pub fn findings(analysis: &Analysis) -> Vec<Finding> {
    let msgs = &analysis.messages;
    let get = |i: u32| msgs.get(i as usize);
    let log_end = msgs.iter().filter_map(|m| m.time).max();
    let mut out = Vec::new();

    for t in &analysis.flow.transactions {
        let Some(req_i) = t.request else {
            continue;
        };
        let Some(req) = get(req_i) else {
            continue;
        };
        let label = request_label(&req.brief, analysis.syms());
        let mut related = vec![req_i];
        related.extend(t.retransmissions.iter().copied());
        let final_i = t
            .responses
            .iter()
            .copied()
            .find(|&r| get(r).is_some_and(|m| m.brief.status.is_some_and(|s| s >= 200)));

        // Failures.
        // Only a response that is a finding is read back.
        let read = |s: u16| s >= 300 && s != 401 && s != 407;
        if let (Some(status), Some(fi)) = (t.final_status.filter(|&s| read(s)), final_i) {
            let resp = &*analysis.sip(fi);
            let rl = response_label(resp);
            let diag = diagnostics_detail(resp);
            let detail = if diag.is_empty() {
                "No ms-diagnostics header explains it.".to_string()
            } else {
                diag.join(" ")
            };
            let subscribe = t.method.eq_ignore_ascii_case("SUBSCRIBE");
            match status {
                300..=399 => {
                    let to: Vec<String> = resp
                        .headers_named("Contact")
                        .map(|c| super::util::uri_of(&c))
                        .collect();
                    out.push(finding(
                        Severity::Info,
                        FindingKind::Redirect,
                        format!("{label} redirected: {rl}"),
                        if to.is_empty() {
                            "The server sent the client elsewhere.".into()
                        } else {
                            format!("The server sent the client to {} (a Director sends clients to their home pool this way).", to.join(", "))
                        },
                        fi,
                        related.clone(),
                    ));
                }
                401 | 407 => {}
                487 => out.push(finding(
                    Severity::Info,
                    FindingKind::Cancelled,
                    format!("{label} cancelled: {rl}"),
                    "The request was cancelled before it was answered (CANCEL).".into(),
                    fi,
                    related.clone(),
                )),
                400.. if subscribe => out.push(finding(
                    if status >= 500 {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    FindingKind::SubscriptionFailed,
                    format!("Subscription failed: {label} → {rl}"),
                    detail,
                    fi,
                    related.clone(),
                )),
                500..=599 => out.push(finding(
                    Severity::Error,
                    FindingKind::ServerError,
                    format!("Server error: {label} → {rl}"),
                    detail,
                    fi,
                    related.clone(),
                )),
                400.. => out.push(finding(
                    Severity::Warning,
                    FindingKind::FailedTransaction,
                    format!("{label} failed: {rl}"),
                    detail,
                    fi,
                    related.clone(),
                )),
                _ => {}
            }
        }

        // No response.
        if t.unanswered {
            let provisional: Vec<u32> = t.responses.clone();
            let after = match (req.time, log_end) {
                (Some(a), Some(b)) if b.0 > a.0 => {
                    format!(" The log goes on for {} after it.", format_ms(b.0 - a.0))
                }
                (Some(_), Some(_)) => " It is the last message in the log.".into(),
                _ => String::new(),
            };
            let prov = if provisional.is_empty() {
                String::new()
            } else {
                " Only provisional responses came.".into()
            };
            let mut rel = related.clone();
            rel.extend(provisional);
            out.push(finding(
                Severity::Warning,
                FindingKind::NoResponse,
                format!("{label} got no response"),
                format!("No final response in the log.{prov}{after}"),
                req_i,
                rel,
            ));
        }

        // Slow responses.
        let is_invite = t.method.eq_ignore_ascii_case("INVITE");
        let measured = if is_invite {
            t.responses.first().and_then(|&r| {
                let (a, b) = (req.time?, get(r)?.time?);
                Some((r, b.0 - a.0, "first response"))
            })
        } else {
            final_i.and_then(|r| Some((r, t.response_ms?, "final response")))
        };
        if let Some((r, ms, what)) = measured {
            if ms > SLOW_MS {
                let retrans = if t.retransmissions.is_empty() {
                    String::new()
                } else {
                    format!(
                        " The request was sent {} time{} more while waiting.",
                        t.retransmissions.len(),
                        if t.retransmissions.len() == 1 {
                            ""
                        } else {
                            "s"
                        }
                    )
                };
                out.push(finding(
                    Severity::Warning,
                    FindingKind::SlowResponse,
                    format!("Slow {what} to {label}: {}", format_ms(ms)),
                    format!(
                        "The {what} came {} after the request (threshold {}).{retrans}",
                        format_ms(ms),
                        format_ms(SLOW_MS)
                    ),
                    r,
                    related.clone(),
                ));
            }
        }

        // Retransmissions.
        if !t.retransmissions.is_empty() {
            let n = t.retransmissions.len();
            out.push(finding(
                Severity::Info,
                FindingKind::Retransmission,
                format!("{label} sent {} time{}", n + 1, if n == 0 { "" } else { "s" }),
                "The sender repeated the request because no response came in time; the response, if any, answers all copies.".into(),
                t.retransmissions[0],
                related.clone(),
            ));
        }
    }

    auth_loops(analysis, &mut out);
    registrations(analysis, &mut out);

    // Subscriptions.
    let lives = presence::subscriptions(analysis);
    for (life, sub) in lives.iter().zip(&analysis.flow.subscriptions) {
        let what = format!(
            "{} subscription to {}",
            life.event,
            one_line(&life.resource)
        );
        for e in &life.events {
            match e.kind {
                LifeEventKind::Expired => out.push(finding(
                    Severity::Warning,
                    FindingKind::SubscriptionExpired,
                    format!("The {what} expired"),
                    e.text.clone(),
                    e.msg,
                    sub.subscribes.clone(),
                )),
                LifeEventKind::Terminated => out.push(finding(
                    Severity::Info,
                    FindingKind::SubscriptionTerminated,
                    format!("The server ended the {what}"),
                    e.text.clone(),
                    e.msg,
                    sub.subscribes.clone(),
                )),
                LifeEventKind::BenotifyStorm => {
                    let Some(storm) = &e.storm else { continue };
                    // Times of the BENOTIFYs of this run.
                    let mut times: Vec<(i64, u32)> = sub
                        .notifies
                        .iter()
                        .filter(|&&n| n >= storm.first && n <= storm.last)
                        .filter_map(|&n| {
                            msgs.get(n as usize).and_then(|m| m.time).map(|t| (t.0, n))
                        })
                        .collect();
                    times.sort_unstable();
                    let (peak, at) = densest_window(&times, STORM_WINDOW_MS);
                    if peak >= STORM_COUNT {
                        let mut rel = sub.subscribes.clone();
                        rel.push(storm.last);
                        let when = at
                            .map(|(t, _)| {
                                format!(" (from {})", crate::base::time::Timestamp(t).clock())
                            })
                            .unwrap_or_default();
                        let first = at.map(|(_, n)| n).unwrap_or(e.msg);
                        rel.push(e.msg);
                        out.push(finding(
                            Severity::Info,
                            FindingKind::BenotifyStorm,
                            format!("Burst of BENOTIFYs on the {what}"),
                            format!(
                                "{peak} BENOTIFYs within {}{when}; {} in this run in all. Many contacts changing at once, or a server re-sending state.",
                                format_ms(STORM_WINDOW_MS),
                                storm.count
                            ),
                            first,
                            rel,
                        ))
                    }
                }
                _ => {}
            }
        }
    }

    out.extend(super::calls::findings(&super::calls::calls(analysis)));
    // By message, the most severe first.
    out.sort_by(|a, b| a.msg.cmp(&b.msg).then(b.severity.cmp(&a.severity)));
    // In merged files the same request and its answer appear on every hop (client → Edge → Front End): one
    // finding per kind per request, the first hop's.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| {
        let key = msgs
            .get(f.msg as usize)
            .map(|m| (m.brief.call_id, m.brief.cseq));
        seen.insert((f.kind, key))
    });
    out
}

/// The largest number of `times` (sorted by time) inside any window of `window` ms, and the first entry of
/// that window.
fn densest_window(times: &[(i64, u32)], window: i64) -> (usize, Option<(i64, u32)>) {
    let mut best = (0usize, None);
    let mut lo = 0usize;
    for hi in 0..times.len() {
        while times[hi].0 - times[lo].0 > window {
            lo += 1;
        }
        if hi + 1 - lo > best.0 {
            best = (hi + 1 - lo, Some(times[lo]));
        }
    }
    best
}

fn auth_loops(analysis: &Analysis, out: &mut Vec<Finding>) {
    let msgs = &analysis.messages;
    // Transactions per Call-ID, in order of their request.
    let mut by_call: HashMap<&str, Vec<&crate::flow::Transaction>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for t in &analysis.flow.transactions {
        if t.request.is_none() {
            continue;
        }
        let e = by_call.entry(t.call_id.as_str()).or_default();
        if e.is_empty() {
            order.push(t.call_id.as_str());
        }
        e.push(t);
    }
    for call in order {
        let mut txs = by_call.remove(call).unwrap_or_default();
        txs.sort_by_key(|t| t.request);
        let mut streak: Vec<u32> = Vec::new();
        let mut rejected: Vec<u32> = Vec::new();
        let mut method = String::new();
        for t in txs {
            let (Some(req_i), Some(status)) = (t.request, t.final_status) else {
                continue;
            };
            if msgs.get(req_i as usize).is_none() {
                continue;
            }
            let fi = t.responses.iter().copied().find(|&r| {
                msgs.get(r as usize)
                    .is_some_and(|m| m.brief.status.is_some_and(|s| s >= 200))
            });
            match status {
                401 | 407 => {
                    let Some(fi) = fi else { continue };
                    streak.push(req_i);
                    streak.push(fi);
                    method = t.method.clone();
                    if has_credentials(&analysis.sip(req_i))
                        && is_fresh_challenge(&analysis.sip(fi))
                    {
                        rejected.push(fi);
                    }
                }
                200..=299 => {
                    if !rejected.is_empty() {
                        out.push(finding(
                            Severity::Warning,
                            FindingKind::AuthLoop,
                            format!("{method} credentials rejected {} time{} before success", rejected.len(), if rejected.len() == 1 { "" } else { "s" }),
                            "The server answered a request that carried credentials with a new challenge: the credentials or the security association were not accepted, and the client started over.".into(),
                            rejected[0],
                            streak.clone(),
                        ));
                    }
                    streak.clear();
                    rejected.clear();
                }
                _ => {}
            }
        }
        let challenges = streak.len() / 2;
        if !rejected.is_empty() || challenges >= MAX_CHALLENGES {
            let first = rejected
                .first()
                .copied()
                .or(streak.get(1).copied())
                .unwrap_or(0);
            out.push(finding(
                Severity::Error,
                FindingKind::AuthLoop,
                format!("{method} authentication never succeeded ({challenges} challenge{})", if challenges == 1 { "" } else { "s" }),
                if rejected.is_empty() {
                    format!("{challenges} challenges in a row with no success in the log.")
                } else {
                    format!("{} challenge{} answered requests that already carried credentials, and no request succeeded afterwards: check the user's credentials, certificate (TLS-DSK) or clock.", rejected.len(), if rejected.len() == 1 { "" } else { "s" })
                },
                first,
                streak.clone(),
            ));
        }
    }
}

fn registrations(analysis: &Analysis, out: &mut Vec<Finding>) {
    let msgs = &analysis.messages;
    let mut last_ok: Option<(String, u32, Option<crate::base::time::Timestamp>)> = None;
    let mut regs: Vec<&crate::flow::Transaction> = analysis
        .flow
        .transactions
        .iter()
        .filter(|t| t.method.eq_ignore_ascii_case("REGISTER") && t.request.is_some())
        .collect();
    regs.sort_by_key(|t| t.request);
    // In merged files one REGISTER crosses several hops (client → Edge → Front End): count it once.
    let mut seen = std::collections::HashSet::new();
    for t in regs {
        if !seen.insert((t.call_id.as_str(), t.cseq)) {
            continue;
        }
        let Some(req_i) = t.request else { continue };
        let req = analysis.sip(req_i);
        let expires0 = req.header("Expires").is_some_and(|e| e.trim() == "0")
            || req.headers_named("Contact").any(|c| {
                crate::sip::grammar::param(&c, "expires").is_some_and(|e| e.trim() == "0")
            });
        if expires0 {
            out.push(finding(
                Severity::Info,
                FindingKind::SignOut,
                "The client signs out (REGISTER with Expires 0)".into(),
                "The client removes its registration.".into(),
                req_i,
                Vec::new(),
            ));
            last_ok = None;
            continue;
        }
        if !t.final_status.is_some_and(|s| (200..300).contains(&s)) {
            continue;
        }
        let ok_i = t
            .responses
            .iter()
            .copied()
            .find(|&r| {
                msgs.get(r as usize)
                    .is_some_and(|m| m.brief.status.is_some_and(|s| (200..300).contains(&s)))
            })
            .unwrap_or(req_i);
        if let Some((call, prev_i, prev_t)) = &last_ok {
            let since = match (prev_t, msgs.get(ok_i as usize).and_then(|m| m.time)) {
                (Some(a), Some(b)) => format!(" {} after the previous one", format_ms(b.0 - a.0)),
                _ => String::new(),
            };
            if *call == t.call_id {
                out.push(finding(
                    Severity::Info,
                    FindingKind::ReRegistration,
                    "Registration refreshed".into(),
                    format!("A REGISTER on the same dialog renewed the registration{since}: the normal refresh before it expires."),
                    ok_i,
                    vec![*prev_i, req_i],
                ));
            } else {
                out.push(finding(
                    Severity::Warning,
                    FindingKind::ReRegistration,
                    "The client signed in again".into(),
                    format!("A new registration (new Call-ID) succeeded{since}: the client had lost its registration or its connection and signed in from scratch."),
                    ok_i,
                    vec![*prev_i, req_i],
                ));
            }
        }
        last_ok = Some((
            t.call_id.clone(),
            ok_i,
            msgs.get(ok_i as usize).and_then(|m| m.time),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client log from (direction, time, SIP text with `\n` line ends).
    use crate::explain::test_log as log;

    fn register(call: &str, cseq: u32, auth: &str) -> String {
        format!("REGISTER sip:limcm.com SIP/2.0\nVia: SIP/2.0/TLS 10.0.0.2:50000;branch=z9hG4bK{call}{cseq}\nFrom: <sip:on1@limcm.com>;tag=t{call};epid=e\nTo: <sip:on1@limcm.com>\nCall-ID: {call}\nCSeq: {cseq} REGISTER\n{auth}Content-Length: 0\n\n")
    }

    fn answer(call: &str, cseq: u32, status: &str, extra: &str) -> String {
        format!("SIP/2.0 {status}\nVia: SIP/2.0/TLS 10.0.0.2:50000;branch=z9hG4bK{call}{cseq}\nFrom: <sip:on1@limcm.com>;tag=t{call};epid=e\nTo: <sip:on1@limcm.com>;tag=srv\nCall-ID: {call}\nCSeq: {cseq} REGISTER\n{extra}Content-Length: 0\n\n")
    }

    const NTLM: &str = "WWW-Authenticate: NTLM realm=\"SIP Communications Service\", targetname=\"fe.limcm.com\", version=4\n";
    const CREDS: &str = "Proxy-Authorization: NTLM qop=\"auth\", realm=\"SIP Communications Service\", targetname=\"fe.limcm.com\", gssapi-data=\"TlRMTVNTUAADAAAA\", version=4\n";

    #[test]
    fn rejected_credentials_never_succeeding_is_an_auth_loop() {
        let bytes = log(&[
            ("send", "10:00:00.000", register("a", 1, "")),
            (
                "recv",
                "10:00:00.050",
                answer("a", 1, "401 Unauthorized", NTLM),
            ),
            ("send", "10:00:00.100", register("a", 2, CREDS)),
            (
                "recv",
                "10:00:00.150",
                answer("a", 2, "401 Unauthorized", NTLM),
            ),
            ("send", "10:00:00.200", register("a", 3, CREDS)),
            (
                "recv",
                "10:00:00.250",
                answer("a", 3, "401 Unauthorized", NTLM),
            ),
        ]);
        let a = Analysis::of_files([("t.uccapilog", bytes.as_slice())]);
        let f = findings(&a);
        let loops: Vec<&Finding> = f
            .iter()
            .filter(|x| x.kind == FindingKind::AuthLoop)
            .collect();
        assert_eq!(loops.len(), 1, "{f:#?}");
        assert_eq!(loops[0].severity, Severity::Error);
        assert_eq!(loops[0].msg, 3);
        assert!(loops[0].title.contains("never succeeded (3 challenges)"));
    }

    #[test]
    fn handshake_steps_are_not_a_loop_and_refresh_versus_new_sign_in() {
        let cont = "WWW-Authenticate: NTLM opaque=\"1\", gssapi-data=\"TlRMTVNTUAACAAAA\", targetname=\"fe.limcm.com\"\n";
        let bytes = log(&[
            ("send", "10:00:00.000", register("a", 1, "")),
            (
                "recv",
                "10:00:00.050",
                answer("a", 1, "401 Unauthorized", NTLM),
            ),
            ("send", "10:00:00.100", register("a", 2, CREDS)),
            (
                "recv",
                "10:00:00.150",
                answer("a", 2, "401 Unauthorized", cont),
            ),
            ("send", "10:00:00.200", register("a", 3, CREDS)),
            (
                "recv",
                "10:00:00.250",
                answer("a", 3, "200 OK", "Expires: 7200\n"),
            ),
            ("send", "11:00:00.000", register("a", 4, CREDS)),
            ("recv", "11:00:00.050", answer("a", 4, "200 OK", "")),
            ("send", "11:30:00.000", register("b", 1, CREDS)),
            ("recv", "11:30:03.000", answer("b", 1, "200 OK", "")),
        ]);
        let a = Analysis::of_files([("t.uccapilog", bytes.as_slice())]);
        let f = findings(&a);
        assert!(f.iter().all(|x| x.kind != FindingKind::AuthLoop), "{f:#?}");
        let re: Vec<(Severity, u32)> = f
            .iter()
            .filter(|x| x.kind == FindingKind::ReRegistration)
            .map(|x| (x.severity, x.msg))
            .collect();
        assert_eq!(re, vec![(Severity::Info, 7), (Severity::Warning, 9)]);
        let slow: Vec<&Finding> = f
            .iter()
            .filter(|x| x.kind == FindingKind::SlowResponse)
            .collect();
        assert_eq!(slow.len(), 1);
        assert_eq!(slow[0].msg, 9);
        assert_eq!(slow[0].related, vec![8]);
    }

    #[test]
    fn densest_window_counts_a_burst() {
        assert_eq!(densest_window(&[], 10), (0, None));
        let t = |v: &[i64]| {
            v.iter()
                .enumerate()
                .map(|(i, &x)| (x, i as u32))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            densest_window(&t(&[0, 5, 10, 11, 100]), 10),
            (3, Some((0, 0)))
        );
        assert_eq!(
            densest_window(&t(&[0, 50, 100, 101, 102, 103]), 10),
            (4, Some((100, 2)))
        );
    }

    #[test]
    fn empty_analysis_has_no_findings() {
        let a = Analysis::of_files([("empty.txt", &b""[..])]);
        assert!(findings(&a).is_empty());
    }
}
