//! Calls: each INVITE dialog that is not an IM session (the flow's `Call` conversations), told as an admin asks
//! about it — who called whom, how it ended and why, ring and talk time, who hung up — with each media line's
//! codecs, encryption, ICE candidates by type and the path ICE chose; the quality reports (`quality.rs`) and the
//! users' ratings (`feedback.rs`) that name it.
//!
//! Sources: RFC 3261 (dialogs, CANCEL → 487, BYE), RFC 3326 (`Reason`), RFC 5245 §9.1.2.2 (the controlling
//! agent's re-INVITE names the chosen remote candidates in `a=remote-candidates`; its own default candidate is
//! its `c=`/`m=` address), [MS-SDPEXT] (`a=x-candidate`, `a=encryption`), [MS-OCER] and the diagnostics table
//! (`ms-client-diagnostics` 21–25: "Call failed to establish due to a media connectivity failure …").

use super::diagnostics::{self, Side};
use super::feedback::{self, Feedback};
use super::finding::{finding, Finding, FindingKind};
use super::quality::{self, QualityReport};
use super::sdp::{self, Candidate, Sdp};
use super::util::{display_name, find, one_line, parse_uri, semi_params, uri_of};
use crate::base::diag::Severity;
use crate::base::time::Timestamp;
use crate::flow::ConversationKind;
use crate::sip::{body, Message};
use crate::store::Analysis;

/// `ms-client-diagnostics` codes that say a call's media never connected (the table's rows 21–23 and the
/// same family's 24 and 25: "Call failed to establish due to a media connectivity failure …").
pub const MEDIA_FAILURE_CODES: std::ops::RangeInclusive<u32> = 21..=25;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered (2xx), and its media connected as far as the log says.
    Answered,
    /// Answered, then ended by the client because its media never connected (`ms-client-diagnostics` 21–25).
    MediaFailed,
    /// Refused by the callee: 486, 600, 603.
    Declined,
    /// The caller gave up: CANCEL, then 487.
    Cancelled,
    /// Redirected (3xx).
    Redirected,
    /// Any other final status ≥ 400.
    Failed,
    /// No final response in the log.
    NoAnswer,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::MediaFailed => "media-failed",
            Outcome::Declined => "declined",
            Outcome::Cancelled => "cancelled",
            Outcome::Redirected => "redirected",
            Outcome::Failed => "failed",
            Outcome::NoAnswer => "no-answer",
        }
    }
}

/// Which end of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Caller,
    Callee,
}

/// Why a call ended as it did, from one header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallReason {
    /// The header it comes from (`ms-client-diagnostics`, `ms-diagnostics`, `Reason`, `Warning`).
    pub header: String,
    pub code: Option<u32>,
    pub text: Option<String>,
    /// The message that carries it.
    pub msg: u32,
}

/// One media line of a call, offer and answer side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallMedia {
    /// `audio`, `video`, `applicationsharing`, `data`…
    pub kind: String,
    /// The answer declined it (port 0), or it has no answer.
    pub declined: bool,
    pub offered_codecs: Vec<String>,
    /// The answer's codecs (what was agreed), empty without an answer.
    pub answered_codecs: Vec<String>,
    /// `a=encryption` of the offer (`required`, `optional`, `rejected`).
    pub encryption: Option<String>,
    /// SRTP suites both sides named (`a=crypto`), offer's order.
    pub srtp: Vec<String>,
    pub offer_candidates: Vec<Candidate>,
    pub answer_candidates: Vec<Candidate>,
    /// The path ICE chose, from the re-INVITE: (local candidate, remote candidate) as `address:port (type)`.
    pub path: Option<(String, String)>,
    pub bandwidth: Vec<String>,
}

/// One call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The flow conversation it is.
    pub conversation: u32,
    pub call_id: String,
    /// The first INVITE.
    pub invite: u32,
    /// `user@host` of From and To, with display names when given.
    pub caller: String,
    pub caller_name: Option<String>,
    pub callee: String,
    pub callee_name: Option<String>,
    /// The INVITE went to a conference (a focus or an MCU: `gruu;opaque=app:conf:…`).
    pub conference: bool,
    pub outcome: Outcome,
    /// The first INVITE's final status.
    pub status: Option<u16>,
    pub reason: Option<CallReason>,
    pub started: Option<Timestamp>,
    /// From the INVITE to its final response (milliseconds).
    pub setup_ms: Option<i64>,
    /// From the first 180 Ringing (or 183 Session Progress) to the final response: how long it rang.
    pub ring_ms: Option<i64>,
    /// From the answer to the BYE.
    pub talk_ms: Option<i64>,
    pub ended_by: Option<Party>,
    /// The BYE, when the log has one.
    pub bye: Option<u32>,
    pub media: Vec<CallMedia>,
    /// The quality reports about this call (`VQReportEvent`s naming its Call-ID), in log order.
    pub quality: Vec<QualityReport>,
    /// The users' ratings of this call (`CallQualityFeedbackReport`s naming its Call-ID), in log order.
    pub feedback: Vec<Feedback>,
    /// Every message of the call.
    pub messages: Vec<u32>,
}

/// Every call of an analysis, in conversation order, each with the quality reports and the users' ratings that
/// name it.
pub fn calls(a: &Analysis) -> Vec<Call> {
    let mut calls: Vec<Call> = a
        .flow
        .conversations
        .iter()
        .filter(|c| c.kind == ConversationKind::Call)
        .filter_map(|c| call(a, c.id, &c.messages, &c.call_id))
        .collect();
    let reports = reports(a);
    for r in reports.quality {
        if let Some(c) = named(&mut calls, r.call_id.as_deref()) {
            c.quality.push(r);
        }
    }
    for f in reports.feedback {
        if let Some(c) = named(&mut calls, f.call_id.as_deref()) {
            c.feedback.push(f);
        }
    }
    calls
}

/// The call with this Call-ID.
fn named<'a>(calls: &'a mut [Call], call_id: Option<&str>) -> Option<&'a mut Call> {
    let id = call_id?;
    calls.iter_mut().find(|c| c.call_id == id)
}

/// What clients report about calls in SERVICE requests.
#[derive(Debug, Default)]
pub struct Reports {
    pub quality: Vec<QualityReport>,
    pub feedback: Vec<Feedback>,
}

/// Every quality report and call-quality feedback of an analysis: only the SERVICE requests whose Content-Type
/// says they carry one (or may, in a multipart body) are read back.
pub fn reports(a: &Analysis) -> Reports {
    let mut out = Reports::default();
    for (i, m) in a.messages.iter().enumerate() {
        if m.brief.method.map(|s| a.syms().get(s)) != Some("SERVICE") {
            continue;
        }
        let sip = a.sip(i as u32);
        let ct = sip.content_type().unwrap_or_default().to_ascii_lowercase();
        let multipart = ct.starts_with("multipart/");
        if multipart || ct.contains("vq-rtcpxr") {
            out.quality.extend(quality::reports(i as u32, &sip));
        }
        if multipart || ct.contains("ms-cqf") {
            out.feedback.extend(feedback::reports(i as u32, &sip));
        }
    }
    out
}

/// Findings about calls: answered calls whose media never connected, each poor stream of a quality report, and
/// each rating of 1 or 2 stars.
pub fn findings(calls: &[Call]) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in calls {
        let who = format!("{} → {}", c.caller, c.callee);
        if c.outcome == Outcome::MediaFailed {
            let r = c.reason.as_ref();
            out.push(finding(
                Severity::Error,
                FindingKind::MediaFailed,
                format!("Call {who}: answered, but its media never connected"),
                r.map_or_else(String::new, |r| {
                    format!(
                        "{} {}: {}",
                        r.header,
                        r.code.map_or_else(String::new, |c| c.to_string()),
                        r.text.as_deref().unwrap_or("no reason text")
                    )
                }),
                r.map_or(c.invite, |r| r.msg),
                vec![c.invite],
            ));
        }
        for q in &c.quality {
            // One finding per report (the findings keep one per kind and message): each poor stream in it.
            let mut poor = Vec::new();
            for m in &q.media {
                for (dir, s) in [("received", &m.inbound), ("sent", &m.outbound)] {
                    let p = s.poor();
                    if !p.is_empty() {
                        let network = m.network.as_deref().map_or_else(String::new, |n| {
                            let vpn = if m.vpn == Some(true) { " over VPN" } else { "" };
                            format!(" (network {n}{vpn})")
                        });
                        poor.push(format!("{} {dir}: {}{network}", m.label, p.join(", ")));
                    }
                }
            }
            if !poor.is_empty() {
                out.push(finding(
                    Severity::Warning,
                    FindingKind::PoorQuality,
                    format!("Poor call quality on the call {who}"),
                    format!(
                        "{} — by the Call Quality Dashboard's thresholds.",
                        poor.join("; ")
                    ),
                    q.msg,
                    vec![c.invite],
                ));
            }
        }
        out.extend(
            c.feedback
                .iter()
                .filter_map(|f| feedback::finding(&who, c.invite, f)),
        );
    }
    out
}

fn ms_between(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<i64> {
    Some(b?.0 - a?.0).filter(|d| *d >= 0)
}

fn call(a: &Analysis, conversation: u32, messages: &[u32], call_id: &str) -> Option<Call> {
    let method =
        |i: u32| -> Option<&str> { a.messages[i as usize].brief.method.map(|s| a.syms().get(s)) };
    let time = |i: u32| a.messages[i as usize].time;
    let invite = messages
        .iter()
        .copied()
        .find(|&i| method(i) == Some("INVITE"))?;
    let inv = a.sip(invite);
    let from = inv
        .header("From")
        .map(|v| v.into_owned())
        .unwrap_or_default();
    let to = inv.header("To").map(|v| v.into_owned()).unwrap_or_default();
    let request_uri = a.messages[invite as usize]
        .brief
        .uri
        .map(|s| a.syms().get(s).to_string())
        .unwrap_or_default();
    let conference = [request_uri.as_str(), uri_of(&to).as_str()]
        .iter()
        .any(|u| {
            parse_uri(u)
                .param("opaque")
                .is_some_and(|o| o.starts_with("app:conf"))
        });
    let tx = a.transaction_of(invite);
    let status = tx.and_then(|t| t.final_status);
    let final_msg = tx.and_then(|t| {
        t.responses.iter().copied().find(|&r| {
            a.messages[r as usize]
                .brief
                .status
                .is_some_and(|s| s >= 200)
        })
    });
    let answer_msg = final_msg.filter(|_| status.is_some_and(|s| (200..300).contains(&s)));
    let cancelled = messages.iter().any(|&i| method(i) == Some("CANCEL"));
    let bye = messages.iter().copied().find(|&i| method(i) == Some("BYE"));
    let ended_by = bye.map(|b| {
        let bye_from = a.sip(b).from_tag();
        if bye_from.is_some() && bye_from == inv.from_tag() {
            Party::Caller
        } else {
            Party::Callee
        }
    });
    // The reason: where the call's end is said, most specific first.
    let mut carriers: Vec<u32> = Vec::new();
    carriers.extend(bye);
    carriers.extend(final_msg.filter(|_| answer_msg.is_none()));
    carriers.extend(
        messages
            .iter()
            .copied()
            .filter(|&i| method(i) == Some("CANCEL")),
    );
    let reason = reason_of(a, &carriers);
    let media_failed = reason.as_ref().is_some_and(|r| {
        r.header.eq_ignore_ascii_case("ms-client-diagnostics")
            && r.code.is_some_and(|c| MEDIA_FAILURE_CODES.contains(&c))
    });
    let outcome = match status {
        Some(200..=299) if media_failed => Outcome::MediaFailed,
        Some(200..=299) => Outcome::Answered,
        Some(300..=399) => Outcome::Redirected,
        Some(487) if cancelled => Outcome::Cancelled,
        Some(486 | 600 | 603) => Outcome::Declined,
        Some(_) => Outcome::Failed,
        None if cancelled => Outcome::Cancelled,
        None => Outcome::NoAnswer,
    };
    // Offer and answer: the INVITE's SDP and the answer's (the 200 OK, else an early 183).
    let offer = sdp_of(&inv);
    let answer = answer_msg
        .or_else(|| {
            tx.and_then(|t| {
                t.responses
                    .iter()
                    .copied()
                    .find(|&r| a.messages[r as usize].brief.status == Some(183))
            })
        })
        .and_then(|r| sdp_of(&a.sip(r)));
    // ICE's choice: the last re-INVITE with `a=remote-candidates`.
    let reinvite = messages
        .iter()
        .copied()
        .filter(|&i| i != invite && method(i) == Some("INVITE"))
        .filter_map(|i| sdp_of(&a.sip(i)))
        .filter(|s| s.media.iter().any(|m| !m.remote_candidates.is_empty()))
        .last();
    let media = offer
        .as_ref()
        .map(|o| media_lines(o, answer.as_ref(), reinvite.as_ref()))
        .unwrap_or_default();
    Some(Call {
        conversation,
        call_id: call_id.to_string(),
        invite,
        caller: parse_uri(&uri_of(&from)).address(),
        caller_name: display_name(&from).filter(|n| !n.is_empty()),
        callee: parse_uri(&uri_of(&to)).address(),
        callee_name: display_name(&to)
            .filter(|n| !n.is_empty())
            .or_else(|| conference_role(&request_uri).or_else(|| conference_role(&uri_of(&to)))),
        conference,
        outcome,
        status,
        reason,
        started: time(invite),
        setup_ms: final_msg.and_then(|f| ms_between(time(invite), time(f))),
        ring_ms: final_msg.and_then(|f| {
            let ringing = tx?
                .responses
                .iter()
                .copied()
                .find(|&r| matches!(a.messages[r as usize].brief.status, Some(180 | 183)))?;
            ms_between(time(ringing), time(f))
        }),
        talk_ms: answer_msg.and_then(|f| bye.and_then(|b| ms_between(time(f), time(b)))),
        ended_by,
        bye,
        media,
        quality: Vec::new(),
        feedback: Vec::new(),
        messages: messages.to_vec(),
    })
}

/// What a conference URI reaches, from its `opaque=app:conf:…` ([MS-CONFBAS] 2.2.1; the MCU names of
/// [MS-CONFAV], [MS-CONFAS], [MS-CONFIM]): `meeting 8F3K2Q7W: focus`, `… A/V conferencing server`.
fn conference_role(uri: &str) -> Option<String> {
    let u = parse_uri(uri);
    let rest = u.param("opaque")?.strip_prefix("app:conf:")?;
    let (kind, id) = match rest.split_once(":id:") {
        Some((k, id)) => (k, Some(id)),
        None => (rest, None),
    };
    let what = match kind {
        "focusfactory" => "conference factory",
        "focus" => "focus",
        "audio-video" => "A/V conferencing server",
        "applicationsharing" => "application sharing server",
        "chat" => "IM conferencing server",
        "data-conf" => "data conferencing server",
        "phoneconf" => "telephony conferencing server",
        other => other,
    };
    Some(match id {
        Some(id) => format!("meeting {id}: {what}"),
        None => what.to_string(),
    })
}

/// The SDP of a message: the body, or the part of a multipart body with RFC 5245 candidates (Microsoft sends
/// `multipart/alternative` with an [MS-ICE] draft-6 part and an RFC one), else its first SDP part.
fn sdp_of(m: &Message) -> Option<Sdp> {
    let parts: Vec<Sdp> = body::parts(m)
        .into_iter()
        .filter(|p| body::media_type(&p.content_type) == "application/sdp")
        .map(|p| sdp::parse(&p.text))
        .collect();
    let rfc = parts.iter().position(|s| {
        s.media
            .iter()
            .any(|m| m.candidates.iter().any(|c| !c.microsoft))
    });
    let mut parts = parts;
    match rfc {
        Some(i) => Some(parts.swap_remove(i)),
        None => parts.into_iter().next(),
    }
}

fn media_lines(offer: &Sdp, answer: Option<&Sdp>, reinvite: Option<&Sdp>) -> Vec<CallMedia> {
    offer
        .media
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let ans = answer.and_then(|s| s.media.get(i));
            let path = reinvite.and_then(|r| r.media.get(i)).and_then(|r| {
                let (_, addr, port) = r.remote_candidates.iter().find(|c| c.0 == "1")?;
                let remote_kind = ans
                    .and_then(|a| {
                        a.candidates
                            .iter()
                            .find(|c| &c.address == addr && &c.port == port)
                    })
                    .map(|c| c.kind.clone());
                let local_addr = r
                    .address
                    .clone()
                    .or_else(|| reinvite.and_then(|s| s.address.clone()))
                    .unwrap_or_default();
                let local_kind = o
                    .candidates
                    .iter()
                    .find(|c| c.address == local_addr && c.port == r.port)
                    .map(|c| c.kind.clone());
                let show = |a: &str, p: &str, k: Option<String>| match k.filter(|k| !k.is_empty()) {
                    Some(k) => format!("{a}:{p} ({k})"),
                    None => format!("{a}:{p}"),
                };
                Some((
                    show(&local_addr, &r.port, local_kind),
                    show(addr, port, remote_kind),
                ))
            });
            CallMedia {
                kind: o.kind.clone(),
                declined: o.declined() || ans.is_none_or(|a| a.declined()),
                offered_codecs: o.codecs.clone(),
                answered_codecs: ans.map(|a| a.codecs.clone()).unwrap_or_default(),
                encryption: o.encryption.clone(),
                srtp: o.crypto.iter().fold(Vec::new(), |mut v, s| {
                    if ans.is_some_and(|a| a.crypto.contains(s)) && !v.contains(s) {
                        v.push(s.clone());
                    }
                    v
                }),
                offer_candidates: o.candidates.clone(),
                answer_candidates: ans.map(|a| a.candidates.clone()).unwrap_or_default(),
                path,
                bandwidth: o.bandwidth.clone(),
            }
        })
        .collect()
}

/// The first reason any carrier gives: `ms-client-diagnostics`, then `ms-diagnostics` (and `-public`), then
/// `Reason`, then `Warning`; each carrier in turn.
fn reason_of(a: &Analysis, carriers: &[u32]) -> Option<CallReason> {
    for header in [
        "ms-client-diagnostics",
        "ms-diagnostics",
        "ms-diagnostics-public",
        "Reason",
        "Warning",
    ] {
        for &i in carriers {
            let m = a.sip(i);
            let Some(v) = m.header(header) else {
                continue;
            };
            let (code, text) = match Side::of_header(header) {
                Some(side) => {
                    let d = diagnostics::parse(side, &v);
                    (d.code, d.reason().map(str::to_string))
                }
                None if header == "Reason" => {
                    // RFC 3326: `SIP ;cause=480 ;text="…"` or `Q.850;cause=16`.
                    let (_, p) = semi_params(&v);
                    (
                        find(&p, "cause").and_then(|c| c.trim().parse().ok()),
                        find(&p, "text").map(one_line),
                    )
                }
                None => {
                    // RFC 3261 Warning: `399 host "text"`.
                    let v = one_line(&v);
                    let code = v.split_whitespace().next().and_then(|c| c.parse().ok());
                    let text = v
                        .split_once('"')
                        .map(|(_, t)| t.trim_end_matches('"').to_string());
                    (code, text)
                }
            };
            return Some(CallReason {
                header: header.to_string(),
                code,
                text: text.filter(|t| !t.is_empty()),
                msg: i,
            });
        }
    }
    None
}
