//! The calls view: one row per call (`explain::calls`) — caller, callee, outcome with its reason, ring and talk
//! time, who hung up — and per media line its codecs, encryption, ICE candidates by type and the path ICE chose,
//! with the quality reports' figures and the users' ratings.
//! `sipscope --json` carries them as `calls`; the page's Calls panel lists them.

use crate::base::time::{format_ms, Timestamp};
use crate::explain::calls::{self, Call, CallMedia, CallReason, Outcome, Party};
use crate::explain::feedback::{Feedback, Token};
use crate::explain::quality::{QualityMedia, QualityReport, Stream};
use crate::explain::sdp::Candidate;
use crate::store::Analysis;
use serde::Serialize;
#[cfg(test)]
use ts_rs::TS;

/// How a call ended (see [`Outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "kebab-case")]
pub enum CallOutcome {
    Answered,
    MediaFailed,
    Declined,
    Cancelled,
    Redirected,
    Failed,
    NoAnswer,
}

impl From<Outcome> for CallOutcome {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Answered => CallOutcome::Answered,
            Outcome::MediaFailed => CallOutcome::MediaFailed,
            Outcome::Declined => CallOutcome::Declined,
            Outcome::Cancelled => CallOutcome::Cancelled,
            Outcome::Redirected => CallOutcome::Redirected,
            Outcome::Failed => CallOutcome::Failed,
            Outcome::NoAnswer => CallOutcome::NoAnswer,
        }
    }
}

/// Why a call ended, from one header of one message.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct CallReasonRow {
    pub header: String,
    pub code: Option<u32>,
    pub text: Option<String>,
    /// The message that carries it.
    pub msg: u32,
}

impl From<&CallReason> for CallReasonRow {
    fn from(r: &CallReason) -> Self {
        CallReasonRow {
            header: r.header.clone(),
            code: r.code,
            text: r.text.clone(),
            msg: r.msg,
        }
    }
}

/// Candidates of one side by type.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct CandidateCounts {
    pub host: u32,
    pub srflx: u32,
    pub prflx: u32,
    pub relay: u32,
    /// Microsoft's `a=x-candidate` lines (no type written).
    pub microsoft: u32,
}

/// One ICE candidate.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct CandidateRow {
    /// `host`, `srflx`, `prflx`, `relay`, or empty.
    pub kind: String,
    pub component: String,
    pub transport: String,
    pub address: String,
    pub port: String,
    /// `raddr:rport`.
    pub related: Option<String>,
    pub microsoft: bool,
}

impl From<&Candidate> for CandidateRow {
    fn from(c: &Candidate) -> Self {
        CandidateRow {
            kind: c.kind.clone(),
            component: c.component.clone(),
            transport: c.transport.clone(),
            address: c.address.clone(),
            port: c.port.clone(),
            related: c.related.as_ref().map(|(a, p)| format!("{a}:{p}")),
            microsoft: c.microsoft,
        }
    }
}

fn counts(list: &[Candidate]) -> CandidateCounts {
    let mut c = CandidateCounts::default();
    for x in list {
        match x.kind.as_str() {
            "host" => c.host += 1,
            "srflx" => c.srflx += 1,
            "prflx" => c.prflx += 1,
            "relay" => c.relay += 1,
            _ if x.microsoft => c.microsoft += 1,
            _ => {}
        }
    }
    c
}

/// One media line of a call.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct CallMediaRow {
    pub kind: String,
    pub declined: bool,
    pub offered_codecs: Vec<String>,
    pub answered_codecs: Vec<String>,
    /// `required`, `optional`, `rejected` ([MS-SDPEXT] `a=encryption`).
    pub encryption: Option<String>,
    /// SRTP suites both sides named.
    pub srtp: Vec<String>,
    pub offer_counts: CandidateCounts,
    pub answer_counts: CandidateCounts,
    pub offer_candidates: Vec<CandidateRow>,
    pub answer_candidates: Vec<CandidateRow>,
    /// The path ICE chose: the offerer's candidate and the answerer's, `address:port (type)`.
    pub path_local: Option<String>,
    pub path_remote: Option<String>,
    pub bandwidth: Vec<String>,
}

impl From<&CallMedia> for CallMediaRow {
    fn from(m: &CallMedia) -> Self {
        CallMediaRow {
            kind: m.kind.clone(),
            declined: m.declined,
            offered_codecs: m.offered_codecs.clone(),
            answered_codecs: m.answered_codecs.clone(),
            encryption: m.encryption.clone(),
            srtp: m.srtp.clone(),
            offer_counts: counts(&m.offer_candidates),
            answer_counts: counts(&m.answer_candidates),
            offer_candidates: m.offer_candidates.iter().map(Into::into).collect(),
            answer_candidates: m.answer_candidates.iter().map(Into::into).collect(),
            path_local: m.path.as_ref().map(|p| p.0.clone()),
            path_remote: m.path.as_ref().map(|p| p.1.clone()),
            bandwidth: m.bandwidth.clone(),
        }
    }
}

/// One direction of a reported media line (see `explain::quality::Stream`): ms for times, 0–1 for ratios.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct StreamRow {
    pub codec: Option<String>,
    pub jitter_ms: Option<f64>,
    pub jitter_max_ms: Option<f64>,
    pub loss_rate: Option<f64>,
    pub loss_rate_max: Option<f64>,
    pub burst_density: Option<f64>,
    pub burst_duration_ms: Option<f64>,
    pub gap_density: Option<f64>,
    pub gap_duration_ms: Option<f64>,
    pub round_trip_ms: Option<f64>,
    pub round_trip_max_ms: Option<f64>,
    /// Relative one-way delay, average, in seconds as reported.
    pub one_way_delay_s: Option<f64>,
    pub concealed_ratio: Option<f64>,
    pub listen_mos: Option<f64>,
    pub listen_mos_min: Option<f64>,
    pub network_mos: Option<f64>,
    pub network_mos_min: Option<f64>,
    pub degradation: Option<f64>,
    pub packets: Option<f64>,
    /// The Call Quality Dashboard thresholds it crosses, in words (empty: not poor).
    pub poor: Vec<String>,
}

impl From<&Stream> for StreamRow {
    fn from(s: &Stream) -> Self {
        StreamRow {
            codec: s.codec.clone(),
            jitter_ms: s.jitter,
            jitter_max_ms: s.jitter_max,
            loss_rate: s.loss,
            loss_rate_max: s.loss_max,
            burst_density: s.burst_density,
            burst_duration_ms: s.burst_duration,
            gap_density: s.gap_density,
            gap_duration_ms: s.gap_duration,
            round_trip_ms: s.round_trip,
            round_trip_max_ms: s.round_trip_max,
            one_way_delay_s: s.one_way_delay,
            concealed_ratio: s.concealed,
            listen_mos: s.listen_mos,
            listen_mos_min: s.listen_mos_min,
            network_mos: s.network_mos,
            network_mos_min: s.network_mos_min,
            degradation: s.degradation,
            packets: s.packets,
            poor: s.poor().into_iter().map(str::to_string).collect(),
        }
    }
}

/// A reported media line.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct QualityMediaRow {
    pub label: String,
    pub ice: Option<String>,
    /// `0x10000E6`.
    pub ice_warning_flags: Option<String>,
    pub ice_warnings: Vec<String>,
    pub relay: Option<String>,
    pub security: Option<String>,
    pub transport: Option<String>,
    pub network: Option<String>,
    pub vpn: Option<bool>,
    pub link_speed: Option<f64>,
    pub inside: Option<bool>,
    pub local: Option<String>,
    pub remote: Option<String>,
    pub capture_device: Option<String>,
    pub render_device: Option<String>,
    pub inbound: StreamRow,
    pub outbound: StreamRow,
    pub conversational_mos: Option<f64>,
}

impl From<&QualityMedia> for QualityMediaRow {
    fn from(m: &QualityMedia) -> Self {
        QualityMediaRow {
            label: m.label.clone(),
            ice: m.ice.clone(),
            ice_warning_flags: m.ice_warning_flags.map(|f| format!("0x{f:X}")),
            ice_warnings: m.ice_warnings.clone(),
            relay: m.relay.clone(),
            security: m.security.clone(),
            transport: m.transport.clone(),
            network: m.network.clone(),
            vpn: m.vpn,
            link_speed: m.link_speed,
            inside: m.inside,
            local: m.local.clone(),
            remote: m.remote.clone(),
            capture_device: m.capture_device.clone(),
            render_device: m.render_device.clone(),
            inbound: (&m.inbound).into(),
            outbound: (&m.outbound).into(),
            conversational_mos: m.conversational_mos,
        }
    }
}

/// A call quality report (`VQReportEvent`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct QualityRow {
    /// The SERVICE that carries it.
    pub msg: u32,
    /// Why it is incomplete (cut off in the log), when it is.
    pub truncated: Option<String>,
    pub endpoint: Option<String>,
    /// The reporting endpoint was the caller.
    pub caller: Option<bool>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub media: Vec<QualityMediaRow>,
}

impl From<&QualityReport> for QualityRow {
    fn from(q: &QualityReport) -> Self {
        QualityRow {
            msg: q.msg,
            truncated: q.truncated.clone(),
            endpoint: q.endpoint.clone(),
            caller: q.caller,
            start: q.start.clone(),
            end: q.end.clone(),
            media: q.media.iter().map(Into::into).collect(),
        }
    }
}

/// One feedback token offered to the user ("Rate My Call", [MS-QoE] 2.2.2.4).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct FeedbackTokenRow {
    /// `Id` and `Value` as written.
    pub id: String,
    pub value: String,
    /// Microsoft's name (`Audio_DistortedSpeech`), when the token table has the id.
    pub name: Option<String>,
    /// For people: `audio: distorted speech (Audio_DistortedSpeech)`, or `token 777`.
    pub text: String,
    /// The user ticked it (a value other than 0).
    pub ticked: bool,
}

impl From<&Token> for FeedbackTokenRow {
    fn from(t: &Token) -> Self {
        FeedbackTokenRow {
            id: t.id.clone(),
            value: t.value.clone(),
            name: t.name.map(str::to_string),
            text: t.text(),
            ticked: t.ticked(),
        }
    }
}

/// The user's rating of a call (`CallQualityFeedbackReport`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct FeedbackRow {
    /// The SERVICE that carries it.
    pub msg: u32,
    /// Why it is incomplete (cut off in the log), when it is.
    pub truncated: Option<String>,
    /// Who rated (`ReportingUserURI`).
    pub user: Option<String>,
    /// Stars, 1 (really bad) to 5 (excellent); 0: the survey was shown and not answered.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub rating: Option<i64>,
    /// `2 of 5 stars (poor)`.
    pub rating_text: String,
    /// 1 or 2 stars: a finding.
    pub low: bool,
    /// What the user wrote (user text), and its language tag.
    pub comment: Option<String>,
    pub language: Option<String>,
    /// Every token offered, ticked or not, in order.
    pub tokens: Vec<FeedbackTokenRow>,
    pub start: Option<String>,
    pub end: Option<String>,
}

impl From<&Feedback> for FeedbackRow {
    fn from(f: &Feedback) -> Self {
        FeedbackRow {
            msg: f.msg,
            truncated: f.truncated.clone(),
            user: f.user.clone(),
            rating: f.rating,
            rating_text: f.rating_words(),
            low: f.low(),
            comment: f.comment.clone(),
            language: f.language.clone(),
            tokens: f.tokens.iter().map(Into::into).collect(),
            start: f.start.clone(),
            end: f.end.clone(),
        }
    }
}

/// One call.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct CallRow {
    pub conversation: u32,
    pub call_id: String,
    /// The first INVITE (message index).
    pub invite: u32,
    pub caller: String,
    pub caller_name: Option<String>,
    pub callee: String,
    pub callee_name: Option<String>,
    pub conference: bool,
    pub outcome: CallOutcome,
    /// The outcome for people: `answered`, `declined (603 Decline)`…
    pub outcome_text: String,
    pub status: Option<u16>,
    pub reason: Option<CallReasonRow>,
    /// `HH:MM:SS.mmm` of the INVITE.
    pub started: String,
    /// From the INVITE to its final response.
    pub setup_ms: Option<i64>,
    /// From the first 180/183 to the final response: how long it rang.
    pub ring_ms: Option<i64>,
    /// From the answer to the BYE.
    pub talk_ms: Option<i64>,
    /// `4.2 s`, `2 min 5 s`.
    pub setup: Option<String>,
    pub ring: Option<String>,
    pub talk: Option<String>,
    /// `caller`, `callee`.
    pub ended_by: Option<String>,
    pub bye: Option<u32>,
    /// Media kinds offered (`audio`, `video`…), declined ones left out.
    pub media_kinds: Vec<String>,
    pub media: Vec<CallMediaRow>,
    /// The quality reports that name the call, with their figures.
    pub quality: Vec<QualityRow>,
    /// The users' ratings of the call ("Rate My Call").
    pub feedback: Vec<FeedbackRow>,
    pub messages: Vec<u32>,
}

fn outcome_text(c: &Call) -> String {
    let word = match c.outcome {
        Outcome::Answered => "answered",
        Outcome::MediaFailed => "answered, media never connected",
        Outcome::Declined => "declined",
        Outcome::Cancelled => "cancelled by the caller",
        Outcome::Redirected => "redirected",
        Outcome::Failed => "failed",
        Outcome::NoAnswer => "no final response in the log",
    };
    match (c.outcome, c.status) {
        (Outcome::Answered | Outcome::MediaFailed | Outcome::NoAnswer, _) | (_, None) => {
            word.to_string()
        }
        (_, Some(s)) => format!("{word} ({s})"),
    }
}

impl From<&Call> for CallRow {
    fn from(c: &Call) -> Self {
        CallRow {
            conversation: c.conversation,
            call_id: c.call_id.clone(),
            invite: c.invite,
            caller: c.caller.clone(),
            caller_name: c.caller_name.clone(),
            callee: c.callee.clone(),
            callee_name: c.callee_name.clone(),
            conference: c.conference,
            outcome: c.outcome.into(),
            outcome_text: outcome_text(c),
            status: c.status,
            reason: c.reason.as_ref().map(Into::into),
            started: c.started.map(Timestamp::clock).unwrap_or_default(),
            setup_ms: c.setup_ms,
            ring_ms: c.ring_ms,
            talk_ms: c.talk_ms,
            setup: c.setup_ms.map(format_ms),
            ring: c.ring_ms.map(format_ms),
            talk: c.talk_ms.map(format_ms),
            ended_by: c.ended_by.map(|p| {
                match p {
                    Party::Caller => "caller",
                    Party::Callee => "callee",
                }
                .to_string()
            }),
            bye: c.bye,
            media_kinds: c
                .media
                .iter()
                .filter(|m| !m.declined)
                .map(|m| m.kind.clone())
                .collect(),
            media: c.media.iter().map(Into::into).collect(),
            quality: c.quality.iter().map(Into::into).collect(),
            feedback: c.feedback.iter().map(Into::into).collect(),
            messages: c.messages.clone(),
        }
    }
}

impl Analysis {
    /// Every call, for `--json` and the page's Calls panel.
    pub fn calls_view(&self) -> Vec<CallRow> {
        calls::calls(self).iter().map(Into::into).collect()
    }
}
