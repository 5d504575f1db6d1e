//! View: the only serialized types — what the CLI's JSON, the page and every export are made of. Each is built
//! here from the store and the explanations; renderers and the page show them and never decide again what the
//! engine decided (status class, durations, offsets, availability class, format names).

pub mod ladder;

use crate::base::diag::{Diagnostic, Severity};
use crate::base::time::Timestamp;
use crate::flow::{self, merge::FileClock};
use crate::import::Direction;
use crate::sip::{body, Message};
use crate::store::{Analysis, FileInfo, Msg};
use serde::Serialize;

/// Counts and span for the page's summary bar and `sipscope --summary`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub files: Vec<FileInfo>,
    pub message_count: usize,
    pub first_time: Option<Timestamp>,
    pub last_time: Option<Timestamp>,
    pub conversations: usize,
    pub transactions: usize,
    pub subscriptions: usize,
    pub unanswered: usize,
    pub failures: usize,
    pub diagnostic_counts: DiagnosticCounts,
    pub diagnostics: Vec<Diagnostic>,
    /// Each file's clock offset on the merged timeline.
    pub clocks: Vec<FileClock>,
    /// Messages seen in more than one file (drawn once).
    pub shared_messages: usize,
    /// Hosts known by several names: lifeline key → all its names.
    pub aliases: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DiagnosticCounts {
    pub info: usize,
    pub warning: usize,
    pub error: usize,
}

/// One header for display.
#[derive(Debug, Clone, Serialize)]
pub struct HeaderView {
    pub name: String,
    pub value: String,
}

/// The transaction a message belongs to, for display.
#[derive(Debug, Clone, Serialize)]
pub struct TransactionView {
    pub method: String,
    pub cseq: u32,
    pub request: Option<u32>,
    pub responses: Vec<u32>,
    pub final_status: Option<u16>,
    pub response_ms: Option<i64>,
    pub unanswered: bool,
}

/// Everything the message panel shows.
#[derive(Debug, Clone, Serialize)]
pub struct MessageDetail {
    pub index: u32,
    pub file: u32,
    pub file_name: String,
    /// On the merged timeline.
    pub time: Option<Timestamp>,
    /// As the file wrote it (differs from `time` when the file's clock was offset).
    pub file_time: Option<Timestamp>,
    /// The same message as other files logged it.
    pub also: Vec<SightingView>,
    /// What the headers mean, in plain English (`header_index` points into `headers`).
    pub annotations: Vec<crate::explain::Annotation>,
    /// Readable summaries of the body parts (presence, subscriptions, IM text, SDP, …).
    pub body_summaries: Vec<crate::explain::BodySummary>,
    pub src: String,
    pub dst: String,
    pub direction: Direction,
    pub start_line: String,
    pub method: Option<String>,
    pub status: Option<u16>,
    pub call_id: Option<String>,
    pub cseq: Option<String>,
    pub truncated: bool,
    pub retransmission: bool,
    pub headers: Vec<HeaderView>,
    pub body_parts: Vec<body::BodyPart>,
    /// The message text exactly as reconstructed from the log (lossy UTF-8).
    pub raw: String,
    pub line: u32,
    pub span: (u64, u64),
    pub problems: Vec<String>,
    pub transaction: Option<TransactionView>,
    pub conversation: Option<u32>,
}

/// One message in the CLI's `--json` report.
#[derive(Debug, Clone, Serialize)]
pub struct MessageRow {
    pub index: u32,
    pub file: u32,
    pub time: Option<Timestamp>,
    pub src: String,
    pub dst: String,
    pub direction: Direction,
    pub start_line: String,
    pub method: Option<String>,
    pub status: Option<u16>,
    pub call_id: Option<String>,
    pub cseq: Option<String>,
    pub truncated: bool,
    pub retransmission: bool,
    pub transaction: Option<u32>,
    pub conversation: Option<u32>,
    pub line: u32,
    /// The same message in other files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<SightingView>,
    /// What the headers mean, in plain English.
    pub annotations: Vec<AnnotationRow>,
}

/// One header explanation in the `--json` report.
#[derive(Debug, Clone, Serialize)]
pub struct AnnotationRow {
    pub header: String,
    pub text: String,
}

/// Where else a message was seen.
#[derive(Debug, Clone, Serialize)]
pub struct SightingView {
    pub file: u32,
    /// On the merged timeline.
    pub time: Option<Timestamp>,
    /// As the file wrote it.
    pub file_time: Option<Timestamp>,
    pub src: String,
    pub dst: String,
    pub line: u32,
}

impl SightingView {
    fn of(m: &Msg) -> SightingView {
        SightingView {
            file: m.file,
            time: m.time,
            file_time: m.file_time,
            src: m.src.clone(),
            dst: m.dst.clone(),
            line: m.line,
        }
    }
}

/// The CLI's `--json` document.
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    pub files: &'a [FileInfo],
    pub messages: Vec<MessageRow>,
    pub diagnostics: &'a [Diagnostic],
    pub transactions: &'a [flow::Transaction],
    pub conversations: &'a [flow::Conversation],
    pub subscriptions: &'a [flow::Subscription],
    /// Each file's clock offset on the merged timeline.
    pub clocks: &'a [FileClock],
    /// Hosts known by several names: lifeline key → all its names.
    pub aliases: &'a [(String, Vec<String>)],
    /// Availability and notes per contact over time, and each subscription's lifecycle.
    pub presence: crate::explain::Presence,
    /// The same availability timeline keyed by contact URI: `{"sip:on2@limcm.com": [{availability, name, …}]}`.
    pub presence_by_contact:
        std::collections::BTreeMap<String, Vec<crate::explain::presence::AvailabilityChange>>,
    /// Problems worth a look, each linked to its message.
    pub findings: Vec<crate::explain::Finding>,
    /// Lifelines with their role and name when the messages reveal them: key → label.
    pub lifelines: Vec<(String, String)>,
}

impl Analysis {
    pub fn summary(&self) -> Summary {
        let mut counts = DiagnosticCounts::default();
        for d in &self.diagnostics {
            match d.severity {
                Severity::Info => counts.info += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Error => counts.error += 1,
            }
        }
        Summary {
            files: self.files.clone(),
            message_count: self.messages.len(),
            first_time: self.messages.iter().filter_map(|m| m.time).min(),
            last_time: self.messages.iter().filter_map(|m| m.time).max(),
            conversations: self.flow.conversations.len(),
            transactions: self.flow.transactions.len(),
            subscriptions: self.flow.subscriptions.len(),
            unanswered: self
                .flow
                .transactions
                .iter()
                .filter(|t| t.unanswered)
                .count(),
            failures: self
                .flow
                .transactions
                .iter()
                .filter(|t| {
                    t.final_status
                        .is_some_and(|s| s >= 400 && s != 401 && s != 407)
                })
                .count(),
            diagnostic_counts: counts,
            diagnostics: self.diagnostics.clone(),
            clocks: self.clocks.clone(),
            shared_messages: self.messages.iter().filter(|m| !m.also.is_empty()).count(),
            aliases: self.aliases.clone(),
        }
    }

    fn cseq_text(m: &Message) -> Option<String> {
        m.header("CSeq")
            .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Everything the message panel shows for message `i`.
    pub fn message_detail(&self, i: u32) -> Option<MessageDetail> {
        let m = self.messages.get(i as usize)?;
        let links = self.flow.links.get(i as usize)?;
        let tx = links
            .transaction
            .and_then(|t| self.flow.transactions.get(t as usize));
        Some(MessageDetail {
            index: i,
            file: m.file,
            file_time: m.file_time,
            also: m.also.iter().map(SightingView::of).collect(),
            annotations: crate::explain::annotate_headers(&m.sip),
            body_summaries: crate::explain::decode_body(&m.sip),
            file_name: self
                .files
                .get(m.file as usize)
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            time: m.time,
            src: m.src.clone(),
            dst: m.dst.clone(),
            direction: m.direction,
            start_line: m.sip.start_line(),
            method: m.sip.cseq_method(),
            status: m.sip.status(),
            call_id: m.sip.call_id().map(|c| c.into_owned()),
            cseq: Self::cseq_text(&m.sip),
            truncated: m.sip.truncated,
            retransmission: links.retransmission,
            headers: m
                .sip
                .headers
                .iter()
                .map(|h| HeaderView {
                    name: m.sip.name(h).to_string(),
                    value: m.sip.value(h).into_owned(),
                })
                .collect(),
            body_parts: body::parts(&m.sip),
            raw: String::from_utf8_lossy(&m.sip.raw).into_owned(),
            line: m.line,
            span: m.span,
            problems: m.problems.iter().map(|p| p.text.clone()).collect(),
            transaction: tx.map(|t| TransactionView {
                method: t.method.clone(),
                cseq: t.cseq,
                request: t.request,
                responses: t.responses.clone(),
                final_status: t.final_status,
                response_ms: t.response_ms,
                unanswered: t.unanswered,
            }),
            conversation: links.conversation,
        })
    }

    /// The CLI's `--json` document.
    pub fn report(&self) -> Report<'_> {
        let presence = crate::explain::presence(self);
        let messages = self
            .messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let links = &self.flow.links[i];
                MessageRow {
                    index: i as u32,
                    file: m.file,
                    time: m.time,
                    src: m.src.clone(),
                    dst: m.dst.clone(),
                    direction: m.direction,
                    start_line: m.sip.start_line(),
                    method: m.sip.cseq_method(),
                    status: m.sip.status(),
                    call_id: m.sip.call_id().map(|c| c.into_owned()),
                    cseq: Self::cseq_text(&m.sip),
                    truncated: m.sip.truncated,
                    retransmission: links.retransmission,
                    transaction: links.transaction,
                    conversation: links.conversation,
                    line: m.line,
                    also: m.also.iter().map(SightingView::of).collect(),
                    annotations: crate::explain::annotate_headers(&m.sip)
                        .into_iter()
                        .map(|a| AnnotationRow {
                            header: a.header,
                            text: a.text,
                        })
                        .collect(),
                }
            })
            .collect();
        Report {
            files: &self.files,
            messages,
            diagnostics: &self.diagnostics,
            transactions: &self.flow.transactions,
            conversations: &self.flow.conversations,
            subscriptions: &self.flow.subscriptions,
            clocks: &self.clocks,
            aliases: &self.aliases,
            presence_by_contact: presence
                .contacts
                .iter()
                .map(|c| (c.uri.clone(), c.changes.clone()))
                .collect(),
            presence,
            findings: crate::explain::findings(self),
            lifelines: self
                .ladder(None)
                .columns
                .iter()
                .map(|c| (c.key.clone(), c.label.clone()))
                .collect(),
        }
    }
}
