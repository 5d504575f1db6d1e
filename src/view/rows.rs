//! The serialized mirrors of core values (files, clocks, diagnostics, transactions, conversations,
//! subscriptions, explanations, presence, findings): one `From` each, so a field added to the core is a
//! decision here, not a silent change of the JSON or the page's data.

use crate::base::diag;
use crate::base::time::{format_ms, format_offset, Timestamp};
use crate::explain::{self, body::Availability};
use crate::flow::{self, merge};
use crate::import;
use crate::ladder;
use crate::sip;
use crate::store::FileInfo;
use serde::Serialize;
#[cfg(test)]
use ts_rs::TS;

/// A time on the merged timeline (or a file's own clock): ISO 8601 with milliseconds, no zone.
pub(crate) fn time(t: Option<Timestamp>) -> Option<String> {
    t.map(|t| t.to_string())
}

/// One input file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct FileRow {
    pub name: String,
    /// `uccapilog`, `server-trace`, `sip-text`, `pcap`, `pcapng`, `gzip`, `zip`, `unsupported`, `unknown`.
    pub format: String,
    /// The format's name for people (`UccApi log`, `server trace`, …).
    pub format_name: String,
    #[cfg_attr(test, ts(type = "number"))]
    pub bytes: u64,
    pub messages: u32,
    /// The archive this file was unpacked from (index into the file list).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub container: Option<u32>,
}

impl From<&FileInfo> for FileRow {
    fn from(f: &FileInfo) -> Self {
        FileRow {
            name: f.name.clone(),
            format: f.format.name().to_string(),
            format_name: f.format.display_name().to_string(),
            bytes: f.bytes,
            messages: f.messages,
            container: f.container,
        }
    }
}

/// How a file's clock was set against the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "lowercase")]
pub enum ClockSource {
    Reference,
    Estimated,
    Manual,
    Unknown,
    /// From TLS records matched to a client log's messages (`shared` counts them).
    #[serde(rename = "tls-records")]
    TlsRecords,
}

/// A file's clock against the merged timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct FileClockRow {
    pub file: u32,
    /// Milliseconds added to the file's own times.
    #[cfg_attr(test, ts(type = "number"))]
    pub offset_ms: i64,
    pub source: ClockSource,
    /// Messages shared with the reference the estimate rests on.
    pub shared: u32,
    /// The offset for people: `+9 h 0 min 0.011 s`.
    pub offset_text: String,
}

impl From<&merge::FileClock> for FileClockRow {
    fn from(c: &merge::FileClock) -> Self {
        FileClockRow {
            file: c.file,
            offset_ms: c.offset_ms,
            source: match c.source {
                merge::ClockSource::Reference => ClockSource::Reference,
                merge::ClockSource::Estimated => ClockSource::Estimated,
                merge::ClockSource::Manual => ClockSource::Manual,
                merge::ClockSource::Unknown => ClockSource::Unknown,
                merge::ClockSource::TlsRecords => ClockSource::TlsRecords,
            },
            shared: c.shared,
            offset_text: format_offset(c.offset_ms),
        }
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// The name the JSON gives it.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl From<diag::Severity> for Severity {
    fn from(s: diag::Severity) -> Self {
        match s {
            diag::Severity::Info => Severity::Info,
            diag::Severity::Warning => Severity::Warning,
            diag::Severity::Error => Severity::Error,
        }
    }
}

/// One problem met while reading or analysing, with its place.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(rename = "Diagnostic"))]
pub struct DiagnosticRow {
    pub severity: Severity,
    /// What kind of problem it is (kebab-case, e.g. `content-length-mismatch`): for code; `message` is for people.
    #[cfg_attr(test, ts(type = "string"))]
    pub code: diag::Code,
    pub message: String,
    /// Index into the file list.
    pub file: Option<u32>,
    /// 1-based line in that file.
    pub line: Option<u32>,
    /// The message it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub msg: Option<u32>,
}

impl From<&diag::Diagnostic> for DiagnosticRow {
    fn from(d: &diag::Diagnostic) -> Self {
        DiagnosticRow {
            severity: d.severity.into(),
            code: d.code,
            message: d.message.clone(),
            file: d.file,
            line: d.line,
            msg: d.msg,
        }
    }
}

/// One transaction in the JSON report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TransactionRow {
    pub id: u32,
    pub method: String,
    pub cseq: u32,
    pub call_id: String,
    pub branch: Option<String>,
    pub request: Option<u32>,
    pub responses: Vec<u32>,
    pub final_status: Option<u16>,
    #[cfg_attr(test, ts(type = "number | null"))]
    pub response_ms: Option<i64>,
    pub unanswered: bool,
    pub retransmissions: Vec<u32>,
}

impl From<&flow::Transaction> for TransactionRow {
    fn from(t: &flow::Transaction) -> Self {
        TransactionRow {
            id: t.id,
            method: t.method.clone(),
            cseq: t.cseq,
            call_id: t.call_id.clone(),
            branch: t.branch.clone(),
            request: t.request,
            responses: t.responses.clone(),
            final_status: t.final_status,
            response_ms: t.response_ms,
            unanswered: t.unanswered,
            retransmissions: t.retransmissions.clone(),
        }
    }
}

/// What a conversation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "lowercase")]
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

impl From<flow::ConversationKind> for ConversationKind {
    fn from(k: flow::ConversationKind) -> Self {
        use flow::ConversationKind as K;
        match k {
            K::Registration => ConversationKind::Registration,
            K::Subscription => ConversationKind::Subscription,
            K::Call => ConversationKind::Call,
            K::Im => ConversationKind::Im,
            K::Publication => ConversationKind::Publication,
            K::Message => ConversationKind::Message,
            K::Options => ConversationKind::Options,
            K::Other => ConversationKind::Other,
        }
    }
}

/// One conversation (Call-ID) in the JSON report, with its messages and transactions.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ConversationRow {
    pub id: u32,
    pub call_id: String,
    pub kind: ConversationKind,
    pub label: String,
    pub messages: Vec<u32>,
    pub transactions: Vec<u32>,
    pub first_time: Option<String>,
    pub failed: bool,
}

impl From<&flow::Conversation> for ConversationRow {
    fn from(c: &flow::Conversation) -> Self {
        ConversationRow {
            id: c.id,
            call_id: c.call_id.clone(),
            kind: c.kind.into(),
            label: c.label.clone(),
            messages: c.messages.clone(),
            transactions: c.transactions.clone(),
            first_time: time(c.first_time),
            failed: c.failed,
        }
    }
}

/// One conversation as the page lists it: counts instead of lists (a big log's lists are as long as it is).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ConversationListRow {
    pub id: u32,
    pub call_id: String,
    pub kind: ConversationKind,
    pub label: String,
    pub message_count: usize,
    pub transaction_count: usize,
    pub first_time: Option<String>,
    pub failed: bool,
}

impl From<&flow::Conversation> for ConversationListRow {
    fn from(c: &flow::Conversation) -> Self {
        ConversationListRow {
            id: c.id,
            call_id: c.call_id.clone(),
            kind: c.kind.into(),
            label: c.label.clone(),
            message_count: c.messages.len(),
            transaction_count: c.transactions.len(),
            first_time: time(c.first_time),
            failed: c.failed,
        }
    }
}

/// Where a subscription stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(TS))]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum SubscriptionState {
    Requested,
    Pending,
    Active { expires: Option<u32> },
    Terminated { reason: Option<String> },
    Failed { status: u16 },
}

impl From<&flow::SubscriptionState> for SubscriptionState {
    fn from(s: &flow::SubscriptionState) -> Self {
        use flow::SubscriptionState as S;
        match s {
            S::Requested => SubscriptionState::Requested,
            S::Pending => SubscriptionState::Pending,
            S::Active { expires } => SubscriptionState::Active { expires: *expires },
            S::Terminated { reason } => SubscriptionState::Terminated {
                reason: reason.clone(),
            },
            S::Failed { status } => SubscriptionState::Failed { status: *status },
        }
    }
}

/// One subscription in the JSON report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SubscriptionRow {
    pub id: u32,
    pub conversation: u32,
    pub call_id: String,
    pub event: String,
    pub resource: String,
    pub subscribes: Vec<u32>,
    pub notifies: Vec<u32>,
    pub state: SubscriptionState,
}

impl From<&flow::Subscription> for SubscriptionRow {
    fn from(s: &flow::Subscription) -> Self {
        SubscriptionRow {
            id: s.id,
            conversation: s.conversation,
            call_id: s.call_id.clone(),
            event: s.event.clone(),
            resource: s.resource.clone(),
            subscribes: s.subscribes.clone(),
            notifies: s.notifies.clone(),
            state: (&s.state).into(),
        }
    }
}

/// What one header means, in plain English (`header_index` points into the message's headers).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Annotation {
    pub header_index: usize,
    pub header: String,
    pub text: String,
}

impl From<&explain::Annotation> for Annotation {
    fn from(a: &explain::Annotation) -> Self {
        Annotation {
            header_index: a.header_index,
            header: a.header.clone(),
            text: a.text.clone(),
        }
    }
}

/// One fact read from a body (subject, field, value).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BodyEntry {
    pub subject: String,
    pub field: String,
    pub value: String,
}

/// A readable summary of one body part (presence, subscriptions, IM text, SDP, …).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BodySummary {
    pub part: usize,
    pub header_index: Option<usize>,
    pub content_type: String,
    #[cfg_attr(test, ts(type = "string"))]
    pub kind: explain::body::BodyKind,
    pub title: String,
    pub lines: Vec<String>,
    pub entries: Vec<BodyEntry>,
    pub malformed: Option<String>,
}

impl From<&explain::BodySummary> for BodySummary {
    fn from(b: &explain::BodySummary) -> Self {
        BodySummary {
            part: b.part,
            header_index: b.header_index,
            content_type: b.content_type.clone(),
            kind: b.kind,
            title: b.title.clone(),
            lines: b.lines.clone(),
            entries: b
                .entries
                .iter()
                .map(|e| BodyEntry {
                    subject: e.subject.clone(),
                    field: e.field.clone(),
                    value: e.value.clone(),
                })
                .collect(),
            malformed: b.malformed.clone(),
        }
    }
}

/// One body part: multipart split, XML pretty-printed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BodyPart {
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub pretty: Option<String>,
}

impl From<sip::body::BodyPart> for BodyPart {
    fn from(p: sip::body::BodyPart) -> Self {
        BodyPart {
            content_type: p.content_type,
            headers: p.headers,
            text: p.text,
            pretty: p.pretty,
        }
    }
}

/// An availability's colour class on the page: the MS-PRES range, decided by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "kebab-case")]
pub enum AvailabilityClass {
    None,
    Available,
    Idle,
    Busy,
    BusyIdle,
    Dnd,
    Away,
    Offline,
}

impl From<Availability> for AvailabilityClass {
    fn from(a: Availability) -> Self {
        match a {
            Availability::None => AvailabilityClass::None,
            Availability::Available => AvailabilityClass::Available,
            Availability::Idle => AvailabilityClass::Idle,
            Availability::Busy => AvailabilityClass::Busy,
            Availability::BusyIdle => AvailabilityClass::BusyIdle,
            Availability::DoNotDisturb => AvailabilityClass::Dnd,
            Availability::BeRightBack | Availability::Away => AvailabilityClass::Away,
            Availability::Offline => AvailabilityClass::Offline,
        }
    }
}

/// One change of a contact's availability or note.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct AvailabilityChange {
    pub msg: u32,
    pub time: Option<String>,
    pub availability: u32,
    /// `Available`, `Busy`, `Away`, …
    pub name: String,
    pub note: Option<String>,
    pub activity: Option<String>,
    /// Where it was seen: `notify`, `benotify`, `subscribe-response`, `service-response`, `publication`.
    #[cfg_attr(test, ts(type = "string"))]
    pub source: explain::presence::PresenceSource,
    /// The colour class of `availability`.
    pub class: AvailabilityClass,
}

impl From<&explain::presence::AvailabilityChange> for AvailabilityChange {
    fn from(c: &explain::presence::AvailabilityChange) -> Self {
        AvailabilityChange {
            msg: c.msg,
            time: time(c.time),
            availability: c.availability,
            name: c.name.clone(),
            note: c.note.clone(),
            activity: c.activity.clone(),
            source: c.source,
            class: Availability::of(c.availability).into(),
        }
    }
}

/// A contact's availability over time.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ContactPresence {
    pub uri: String,
    pub changes: Vec<AvailabilityChange>,
}

/// NOTIFY/BENOTIFY bursts collapsed into one event.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Storm {
    pub first: u32,
    pub last: u32,
    pub count: u32,
    pub msgs: Vec<u32>,
}

/// One step of a subscription's life.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct LifeEvent {
    #[cfg_attr(test, ts(type = "string"))]
    pub kind: explain::presence::LifeEventKind,
    pub msg: u32,
    pub time: Option<String>,
    pub text: String,
    pub storm: Option<Storm>,
}

/// A subscription's lifecycle.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SubscriptionLife {
    pub subscription: u32,
    pub event: String,
    pub resource: String,
    #[cfg_attr(test, ts(type = "string"))]
    pub state: explain::presence::LifeState,
    pub events: Vec<LifeEvent>,
}

/// Availability per contact over time, and each subscription's lifecycle.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Presence {
    pub contacts: Vec<ContactPresence>,
    pub subscriptions: Vec<SubscriptionLife>,
}

impl From<&explain::Presence> for Presence {
    fn from(p: &explain::Presence) -> Self {
        Presence {
            contacts: p
                .contacts
                .iter()
                .map(|c| ContactPresence {
                    uri: c.uri.clone(),
                    changes: c.changes.iter().map(Into::into).collect(),
                })
                .collect(),
            subscriptions: p
                .subscriptions
                .iter()
                .map(|s| SubscriptionLife {
                    subscription: s.subscription,
                    event: s.event.clone(),
                    resource: s.resource.clone(),
                    state: s.state,
                    events: s
                        .events
                        .iter()
                        .map(|e| LifeEvent {
                            kind: e.kind,
                            msg: e.msg,
                            time: time(e.time),
                            text: e.text.clone(),
                            storm: e.storm.as_ref().map(|s| Storm {
                                first: s.first,
                                last: s.last,
                                count: s.count,
                                msgs: s.msgs.clone(),
                            }),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A problem worth a look, linked to the message that shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Finding {
    pub severity: Severity,
    #[cfg_attr(test, ts(type = "string"))]
    pub kind: explain::FindingKind,
    pub title: String,
    pub detail: String,
    pub msg: u32,
    pub related: Vec<u32>,
}

impl From<&explain::Finding> for Finding {
    fn from(f: &explain::Finding) -> Self {
        Finding {
            severity: f.severity.into(),
            kind: f.kind,
            title: f.title.clone(),
            detail: f.detail.clone(),
            msg: f.msg,
            related: f.related.clone(),
        }
    }
}

/// How an arrow (and so its message) looks: decided once, drawn by every renderer and the page alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "lowercase")]
pub enum ArrowKind {
    Request,
    Unanswered,
    Provisional,
    Success,
    Redirect,
    Challenge,
    Failure,
}

impl From<ladder::ArrowKind> for ArrowKind {
    fn from(k: ladder::ArrowKind) -> Self {
        use ladder::ArrowKind as K;
        match k {
            K::Request => ArrowKind::Request,
            K::Unanswered => ArrowKind::Unanswered,
            K::Provisional => ArrowKind::Provisional,
            K::Success => ArrowKind::Success,
            K::Redirect => ArrowKind::Redirect,
            K::Challenge => ArrowKind::Challenge,
            K::Failure => ArrowKind::Failure,
        }
    }
}

/// Who logged a message: the log's own point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Sent,
    Received,
    Unknown,
}

impl Direction {
    /// The direction as its JSON word: `sent`, `received`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
            Direction::Unknown => "unknown",
        }
    }
}

impl From<import::Direction> for Direction {
    fn from(d: import::Direction) -> Self {
        match d {
            import::Direction::Sent => Direction::Sent,
            import::Direction::Received => Direction::Received,
            import::Direction::Unknown => Direction::Unknown,
        }
    }
}

/// A duration for people (`85 ms`, `1.2 s`), the engine's one formatter.
pub(crate) fn duration(ms: Option<i64>) -> Option<String> {
    ms.map(format_ms)
}
