//! One message as people see it: the row every list and the JSON report show, and the detail of the message
//! panel (the same row plus headers, bodies, explanations, raw text, its transaction and its diagnostics).

use super::rows::{self, Annotation, ArrowKind, BodyPart, BodySummary, DiagnosticRow, Direction};
use crate::base::diag::Code;
use crate::base::time::Timestamp;
use crate::sip::{body, Message};
use crate::store::{Analysis, Msg};
use serde::Serialize;
#[cfg(test)]
use ts_rs::TS;

/// What every view of a message starts with.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct MessageCore {
    pub index: u32,
    pub file: u32,
    /// On the merged timeline.
    pub time: Option<String>,
    pub src: String,
    pub dst: String,
    pub direction: Direction,
    pub start_line: String,
    /// The request's method, or for a response the method its CSeq names.
    pub method: Option<String>,
    pub status: Option<u16>,
    pub call_id: Option<String>,
    pub cseq: Option<String>,
    pub truncated: bool,
    pub retransmission: bool,
}

/// One message in the CLI's `--json` report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct MessageRow {
    #[serde(flatten)]
    pub core: MessageCore,
    pub transaction: Option<u32>,
    pub conversation: Option<u32>,
    pub line: u32,
    /// The same message in other files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, ts(optional = nullable))]
    pub also: Vec<SightingView>,
    /// What the headers mean, in plain English.
    pub annotations: Vec<AnnotationRow>,
}

/// One header explanation in the `--json` report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct AnnotationRow {
    pub header: String,
    pub text: String,
}

/// Where else a message was seen.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SightingView {
    pub file: u32,
    /// On the merged timeline.
    pub time: Option<String>,
    /// As the file wrote it.
    pub file_time: Option<String>,
    pub src: String,
    pub dst: String,
    /// Line (frame, in a capture) where it was seen.
    pub line: u32,
    /// Seen encrypted: the TLS records of a capture that carried it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional = nullable))]
    pub tls: Option<TlsCarry>,
}

/// The TLS records that carried a message (matched by direction, size and time; `store::tls`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TlsCarry {
    /// Frames holding the records' headers, in order.
    pub frames: Vec<u32>,
    /// Payload bytes of the records: the message plus what the cipher adds.
    pub bytes: u32,
    /// The cipher suite the sizes fit, for people.
    pub cipher: String,
}

impl SightingView {
    fn of(m: &Msg) -> SightingView {
        SightingView {
            file: m.file,
            time: rows::time(m.time),
            file_time: rows::time(m.file_time),
            src: m.src.to_string(),
            dst: m.dst.to_string(),
            line: m.line,
            tls: None,
        }
    }
}

impl Analysis {
    /// Where else message `i` was seen: other files' copies, then the capture's TLS records that carried it.
    pub fn sightings(&self, i: u32) -> Vec<SightingView> {
        let m = &self.messages[i as usize];
        let mut out: Vec<SightingView> = m.also.iter().map(SightingView::of).collect();
        let records: Vec<&crate::import::tls::TlsRecord> = self
            .tls_lineup
            .records_of(i)
            .filter_map(|r| self.tls.records.get(r as usize))
            .collect();
        let Some(first) = records.first() else {
            return out;
        };
        let conn = self
            .tls
            .conns
            .iter()
            .find(|c| c.file == first.file && c.conn == first.conn);
        let (client, server) = conn.map_or((String::new(), String::new()), |c| {
            (c.client.clone(), c.server.clone())
        });
        let (src, dst) = if first.from_client {
            (client, server)
        } else {
            (server, client)
        };
        let lineup = self.tls_lineup.files.iter().find(|f| f.file == first.file);
        let offset = self
            .clocks
            .get(first.file as usize)
            .map_or(0, |c| c.offset_ms);
        out.push(SightingView {
            file: first.file,
            time: rows::time(first.time.map(|t| Timestamp(t.0 + offset))),
            file_time: rows::time(first.time),
            src,
            dst,
            line: first.frame,
            tls: Some(TlsCarry {
                frames: records.iter().map(|r| r.frame).collect(),
                bytes: records.iter().map(|r| r.len).sum(),
                cipher: lineup
                    .and_then(|l| l.overhead)
                    .map(|o| o.describe())
                    .unwrap_or_default(),
            }),
        });
        out
    }
}

/// One header for display.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct HeaderView {
    pub name: String,
    pub value: String,
}

/// The transaction a message belongs to, for display.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TransactionView {
    pub method: String,
    pub cseq: u32,
    pub request: Option<u32>,
    pub responses: Vec<u32>,
    pub final_status: Option<u16>,
    /// How the final response's arrow looks (`challenge` for a 401/407, `failure`, `success`, …).
    pub final_kind: Option<ArrowKind>,
    #[cfg_attr(test, ts(type = "number | null"))]
    pub response_ms: Option<i64>,
    /// `response_ms` for people: `85 ms`, `1.2 s`.
    pub response_time: Option<String>,
    pub unanswered: bool,
}

/// Everything the message panel shows: the row, then what only the panel needs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct MessageDetail {
    #[serde(flatten)]
    pub core: MessageCore,
    /// How its arrow looks (a 401/407 is a `challenge`, not a failure).
    pub kind: ArrowKind,
    pub file_name: String,
    /// As the file wrote it (differs from `time` when the file's clock was offset).
    pub file_time: Option<String>,
    /// The same message as other files logged it.
    pub also: Vec<SightingView>,
    /// What the headers mean, in plain English (`header_index` points into `headers`).
    pub annotations: Vec<Annotation>,
    /// Readable summaries of the body parts (presence, subscriptions, IM text, SDP, …).
    pub body_summaries: Vec<BodySummary>,
    pub headers: Vec<HeaderView>,
    pub body_parts: Vec<BodyPart>,
    /// The message text exactly as reconstructed from the log (lossy UTF-8), its secrets masked.
    pub raw: String,
    /// Said when secrets were masked in the text (the media relay's user names and passwords, `*` of the same
    /// length in `raw`, `headers` and `body_parts`): how many and what.
    pub masked: Option<String>,
    pub line: u32,
    /// Byte range of the entry in its file.
    #[cfg_attr(test, ts(type = "[number, number]"))]
    pub span: (u64, u64),
    pub problems: Vec<String>,
    /// Every diagnostic about this message: reading problems, server diagnostic records, no final response.
    pub diagnostics: Vec<DiagnosticRow>,
    pub transaction: Option<TransactionView>,
    pub conversation: Option<u32>,
    /// For a failed message: the `ERROR`/`WARN` trace lines logged near it.
    pub nearby_trace: Option<super::trace::NearbyTrace>,
}

/// The panel's note on a text read back with secrets masked (the store masks every value
/// [`crate::sip::secrets::credentials`] finds, so each one it finds again is one masked).
fn masked_note(m: &Message) -> Option<String> {
    let n = crate::sip::secrets::credentials(&m.raw).len();
    (n > 0).then(|| {
        format!(
            "{n} credential{} masked: media relay user names and passwords are shown as *, their lengths kept.",
            if n == 1 { "" } else { "s" }
        )
    })
}

fn cseq_text(m: &Message) -> Option<String> {
    m.header("CSeq")
        .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
}

impl Analysis {
    fn message_core(&self, i: u32, sip: &Message) -> Option<MessageCore> {
        let m = self.messages.get(i as usize)?;
        let links = self.flow.links.get(i as usize)?;
        Some(MessageCore {
            index: i,
            file: m.file,
            time: rows::time(m.time),
            src: m.src.to_string(),
            dst: m.dst.to_string(),
            direction: m.direction.into(),
            start_line: sip.start_line(),
            method: sip.cseq_method(),
            status: sip.status(),
            call_id: sip.call_id().map(|c| c.into_owned()),
            cseq: cseq_text(sip),
            truncated: sip.truncated,
            retransmission: links.retransmission,
        })
    }

    /// Message `i` as the JSON report lists it.
    pub fn message_row(&self, i: u32) -> Option<MessageRow> {
        self.row(i, true)
    }

    /// Message `i` as a table lists it (the CSV export): the row without what its headers mean (`annotations`
    /// empty), which a table has no column for and which would cost a pass over every header.
    pub fn table_row(&self, i: u32) -> Option<MessageRow> {
        self.row(i, false)
    }

    fn row(&self, i: u32, explained: bool) -> Option<MessageRow> {
        let sip = self.sip_of(self.messages.get(i as usize)?);
        let core = self.message_core(i, &sip)?;
        let m = &self.messages[i as usize];
        let links = &self.flow.links[i as usize];
        let annotations = if explained {
            crate::explain::annotate_headers(&sip)
                .into_iter()
                .map(|a| AnnotationRow {
                    header: a.header,
                    text: a.text,
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(MessageRow {
            core,
            transaction: links.transaction,
            conversation: links.conversation,
            line: m.line,
            also: self.sightings(i),
            annotations,
        })
    }

    /// Everything the message panel shows for message `i`.
    pub fn message_detail(&self, i: u32) -> Option<MessageDetail> {
        let sip = self.sip_of(self.messages.get(i as usize)?);
        let core = self.message_core(i, &sip)?;
        let m = &self.messages[i as usize];
        let links = &self.flow.links[i as usize];
        let tx = self.transaction_of(i);
        Some(MessageDetail {
            core,
            kind: self.arrow_kind(i).into(),
            file_name: self
                .files
                .get(m.file as usize)
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            file_time: rows::time(m.file_time),
            also: self.sightings(i),
            annotations: crate::explain::annotate_headers(&sip)
                .iter()
                .map(Into::into)
                .collect(),
            body_summaries: crate::explain::decode_body(&sip)
                .iter()
                .map(Into::into)
                .collect(),
            headers: sip
                .headers
                .iter()
                .map(|h| HeaderView {
                    name: sip.name(h).to_string(),
                    value: sip.value(h).into_owned(),
                })
                .collect(),
            body_parts: body::parts(&sip).into_iter().map(Into::into).collect(),
            raw: String::from_utf8_lossy(&sip.raw).into_owned(),
            masked: masked_note(&sip),
            line: m.line,
            span: m.span,
            // A text that could not be read back says so among the import problems.
            problems: m
                .problems
                .iter()
                .chain(
                    sip.problems
                        .iter()
                        .filter(|p| p.code == Code::TextUnreadable),
                )
                .map(|p| p.text.clone())
                .collect(),
            diagnostics: self
                .diagnostics
                .iter()
                .filter(|d| d.msg == Some(i))
                .map(Into::into)
                .collect(),
            transaction: tx.map(|t| TransactionView {
                method: t.method.clone(),
                cseq: t.cseq,
                request: t.request,
                responses: t.responses.clone(),
                final_status: t.final_status,
                final_kind: t
                    .responses
                    .iter()
                    .find(|&&r| {
                        self.messages
                            .get(r as usize)
                            .and_then(|m| m.brief.status)
                            .is_some_and(|s| s >= 200)
                    })
                    .map(|&r| self.arrow_kind(r).into()),
                response_ms: t.response_ms,
                response_time: rows::duration(t.response_ms),
                unanswered: t.unanswered,
            }),
            conversation: links.conversation,
            nearby_trace: self.nearby_trace(i),
        })
    }
}
