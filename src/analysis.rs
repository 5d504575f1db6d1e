//! Analysis: the whole pipeline (detect → import → parse → correlate → ladder) behind one incremental byte
//! interface. Files are fed in chunks; [`Analyzer::finish`] merges them into one [`Analysis`].

use crate::diag::{Diagnostic, Severity};
use crate::flow::{self, Flow};
use crate::import::{self, archive, Direction, Format, Importer, Record, Sink};
use crate::ladder::{ArrowInput, ArrowKind, Ladder};
use crate::sip::{self, body, Message};
use crate::time::Timestamp;
use serde::Serialize;

/// One input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileInfo {
    pub name: String,
    pub format: Format,
    pub bytes: u64,
    pub messages: u32,
    /// The archive this file was unpacked from (index into the file list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<u32>,
}

/// One message with where and when it was seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    pub file: u32,
    pub time: Option<Timestamp>,
    /// Sender and receiver (`host:port`): from the log, or inferred from Via / Request-URI when the log has none.
    pub src: String,
    pub dst: String,
    /// The endpoints were inferred from the message, not given by the log.
    pub inferred: bool,
    pub direction: Direction,
    pub sip: Message,
    /// Byte range of the entry in its file.
    pub span: (u64, u64),
    /// 1-based line of the entry in its file.
    pub line: u32,
    /// Import and parse problems for this message.
    pub problems: Vec<String>,
}

#[derive(Debug)]
struct FileState {
    info: FileInfo,
    /// The first bytes, kept until the format is known.
    head: Vec<u8>,
    importer: Option<Importer>,
    sink: Sink,
    finished: bool,
    /// Bytes pushed so far.
    pushed: u64,
    /// For an archive: its reader and the entry being unpacked (a file of its own).
    archive: Option<archive::Reader>,
    entry: Option<u32>,
}

/// Incremental analysis: add files, push their bytes in chunks, finish.
#[derive(Debug, Default)]
pub struct Analyzer {
    files: Vec<FileState>,
    messages: Vec<Msg>,
    diagnostics: Vec<Diagnostic>,
}

impl Analyzer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Register a file; returns its id. `bytes` is its size when known (for progress), else 0.
    pub fn add_file(&mut self, name: &str, bytes: u64) -> u32 {
        self.files.push(FileState {
            info: FileInfo {
                name: name.to_string(),
                format: Format::Pending,
                bytes,
                messages: 0,
                container: None,
            },
            head: Vec::new(),
            importer: None,
            sink: Sink::default(),
            finished: false,
            pushed: 0,
            archive: None,
            entry: None,
        });
        self.files.len() as u32 - 1
    }

    /// Feed the next chunk of a file.
    pub fn push(&mut self, file: u32, chunk: &[u8]) {
        let Some(f) = self.files.get_mut(file as usize) else {
            return;
        };
        if f.finished {
            return;
        }
        f.pushed += chunk.len() as u64;
        let mut events = Vec::new();
        if let Some(ar) = f.archive.as_mut() {
            ar.push(chunk, &mut events, &mut f.sink.diagnostics);
        } else if let Some(imp) = f.importer.as_mut() {
            imp.push(chunk, &mut f.sink);
        } else {
            f.head.extend_from_slice(chunk);
            Self::try_detect(f, file, false, &mut events);
        }
        self.drain(file);
        self.unpacked(file, events);
    }

    /// No more bytes for this file.
    pub fn finish_file(&mut self, file: u32) {
        let Some(f) = self.files.get_mut(file as usize) else {
            return;
        };
        if f.finished {
            return;
        }
        let mut events = Vec::new();
        if f.importer.is_none() && f.archive.is_none() {
            Self::try_detect(f, file, true, &mut events);
        }
        if let Some(ar) = f.archive.as_mut() {
            ar.finish(&mut events, &mut f.sink.diagnostics);
        }
        if let Some(imp) = f.importer.as_mut() {
            imp.finish(&mut f.sink);
        }
        f.finished = true;
        f.info.bytes = f.pushed;
        self.drain(file);
        self.unpacked(file, events);
        if let Some(entry) = self
            .files
            .get_mut(file as usize)
            .and_then(|f| f.entry.take())
        {
            self.finish_file(entry);
        }
    }

    /// Files found inside an archive become files of their own, detected by content.
    fn unpacked(&mut self, file: u32, events: Vec<archive::Event>) {
        for e in events {
            match e {
                archive::Event::Begin(name) => {
                    let parent = &self.files[file as usize].info.name;
                    let id = self.add_file(&format!("{parent}/{name}"), 0);
                    self.files[id as usize].info.container = Some(file);
                    if let Some(old) = self.files[file as usize].entry.replace(id) {
                        self.finish_file(old);
                    }
                }
                archive::Event::Data(bytes) => {
                    if let Some(entry) = self.files[file as usize].entry {
                        self.push(entry, &bytes);
                    }
                }
                archive::Event::End => {
                    if let Some(entry) = self.files[file as usize].entry.take() {
                        self.finish_file(entry);
                    }
                }
            }
        }
    }

    fn try_detect(f: &mut FileState, file: u32, complete: bool, events: &mut Vec<archive::Event>) {
        let (format, diag) = import::detect(&f.head, complete);
        if format == Format::Pending {
            return;
        }
        f.info.format = format;
        if let Some(d) = diag {
            f.sink.diagnostics.push(d.in_file(file));
        }
        let head = std::mem::take(&mut f.head);
        let kind = match format {
            Format::Gzip => Some(archive::Kind::Gzip),
            Format::Zip => Some(archive::Kind::Zip),
            _ => None,
        };
        if let Some(kind) = kind {
            let mut ar = archive::Reader::new(kind, &f.info.name);
            ar.push(&head, events, &mut f.sink.diagnostics);
            f.archive = Some(ar);
            return;
        }
        let mut imp = Importer::new(format, file);
        imp.push(&head, &mut f.sink);
        f.importer = Some(imp);
    }

    /// Move what the importer produced into messages and diagnostics.
    fn drain(&mut self, file: u32) {
        let Some(f) = self.files.get_mut(file as usize) else {
            return;
        };
        for mut d in f.sink.diagnostics.drain(..) {
            d.file.get_or_insert(file);
            self.diagnostics.push(d);
        }
        for r in f.sink.records.drain(..) {
            match to_msg(file, r) {
                Ok(m) => {
                    f.info.messages += 1;
                    self.messages.push(m);
                }
                Err(d) => self.diagnostics.push(d),
            }
        }
    }

    /// Messages read so far (for progress).
    pub fn message_count(&self) -> usize {
        self.messages.len()
    }

    /// Bytes pushed so far, over all files (for progress).
    pub fn bytes_pushed(&self) -> u64 {
        self.files.iter().map(|f| f.pushed).sum()
    }

    /// An analysis of the first `max` messages read so far, in the order they were read, while the import goes
    /// on: what the page shows within a second of a drop, before the whole file is read. Its correlation only
    /// knows those messages (a request whose response comes later looks unanswered).
    pub fn preview(&self, max: usize) -> Analysis {
        let messages: Vec<Msg> = self.messages.iter().take(max).cloned().collect();
        let flow = flow::correlate(messages.iter().map(|m| (m.time, &m.sip)));
        let files = self
            .files
            .iter()
            .map(|f| FileInfo {
                bytes: f.pushed,
                ..f.info.clone()
            })
            .collect();
        Analysis {
            files,
            messages,
            flow,
            diagnostics: Vec::new(),
        }
    }

    /// Merge the files (ordered by time), correlate, and build the analysis.
    pub fn finish(mut self) -> Analysis {
        for i in 0..self.files.len() as u32 {
            self.finish_file(i);
        }
        let mut messages = self.messages;
        if self.files.len() > 1 {
            // Stable merge by time; a message without time keeps the time of the one before it in its file.
            let mut last: Vec<Option<Timestamp>> = vec![None; self.files.len()];
            let mut keyed: Vec<(Option<Timestamp>, Msg)> = messages
                .into_iter()
                .map(|m| {
                    let slot = &mut last[m.file as usize];
                    if m.time.is_some() {
                        *slot = m.time;
                    }
                    (*slot, m)
                })
                .collect();
            keyed.sort_by_key(|(t, m)| (*t, m.file));
            messages = keyed.into_iter().map(|(_, m)| m).collect();
        }
        let flow = flow::correlate(messages.iter().map(|m| (m.time, &m.sip)));
        infer_endpoints(&mut messages, &flow);
        let mut diagnostics = self.diagnostics;
        attach_server_diagnostics(&self.files, &messages, &mut diagnostics);
        for (i, m) in messages.iter().enumerate() {
            for p in &m.problems {
                diagnostics.push(
                    Diagnostic::warning(p.clone())
                        .at(m.file, m.line)
                        .about(i as u32),
                );
            }
        }
        for t in &flow.transactions {
            if t.unanswered {
                if let Some(r) = t.request {
                    let m = &messages[r as usize];
                    diagnostics.push(
                        Diagnostic::info(format!(
                            "{} (CSeq {}) got no final response in the log.",
                            t.method, t.cseq
                        ))
                        .at(m.file, m.line)
                        .about(r),
                    );
                }
            }
        }
        diagnostics.sort_by_key(|d| (d.file, d.line));
        let files = self.files.into_iter().map(|f| f.info).collect();
        Analysis {
            files,
            messages,
            flow,
            diagnostics,
        }
    }
}

/// A server trace's diagnostic records name the message they are about (Call-ID, CSeq): link each to it.
/// The importer pushed one `server: …` diagnostic per record, in the order of `server_diagnostics()`.
fn attach_server_diagnostics(
    files: &[FileState],
    messages: &[Msg],
    diagnostics: &mut [Diagnostic],
) {
    for (fi, f) in files.iter().enumerate() {
        let Some(Importer::Server(imp)) = &f.importer else {
            continue;
        };
        let records = imp.server_diagnostics();
        let sink = diagnostics
            .iter_mut()
            .filter(|d| d.file == Some(fi as u32) && d.message.starts_with("server: "));
        for (d, rec) in sink.zip(records) {
            d.msg = messages
                .iter()
                .position(|m| {
                    m.file == fi as u32
                        && m.sip.call_id().is_some_and(|c| {
                            let (n, method) = m.sip.cseq().unwrap_or((0, String::new()));
                            rec.is_about(&c, n, &method)
                        })
                })
                .map(|i| i as u32);
        }
    }
}

fn to_msg(file: u32, r: Record) -> Result<Msg, Diagnostic> {
    match sip::parse_message(r.sip) {
        Ok(sip) => {
            // Framing already explained a Content-Length that disagrees with the block; the parser's own
            // "body has N bytes, Content-Length says M" about the same frame would say it twice.
            let framed_length = r.problems.iter().any(|p| p.starts_with("Content-Length "));
            let mut problems = r.problems;
            problems.extend(
                sip.problems
                    .iter()
                    .filter(|p| !(framed_length && p.starts_with("body has ")))
                    .cloned(),
            );
            Ok(Msg {
                file,
                time: r.time,
                inferred: r.src.is_none() || r.dst.is_none(),
                src: r.src.unwrap_or_default(),
                dst: r.dst.unwrap_or_default(),
                direction: r.direction,
                sip,
                span: r.span,
                line: r.line,
                problems,
            })
        }
        Err(e) => {
            Err(Diagnostic::warning(format!("Not a SIP message: {}", e.reason)).at(file, r.line))
        }
    }
}

/// Host (and port) of a SIP URI: `sip:on1@limcm.com;transport=tls` → `limcm.com`.
fn uri_host(uri: &str) -> String {
    let uri = uri.trim().trim_start_matches('<');
    let rest = uri.split_once(':').map_or(uri, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    rest.split([';', '>', '?']).next().unwrap_or("").to_string()
}

/// `SIP/2.0/TLS 192.168.1.51:51882;branch=…` → `192.168.1.51:51882`.
fn via_sent_by(via: &str) -> Option<String> {
    let after = via.split_whitespace().nth(1)?;
    Some(after.split(';').next()?.trim().to_string())
}

/// Fill in endpoints for messages whose log gave none (SIP text): requests go from the top Via's sent-by to the
/// Request-URI's host; responses go back the way their request came.
fn infer_endpoints(messages: &mut [Msg], flow: &Flow) {
    for i in 0..messages.len() {
        if !messages[i].inferred {
            continue;
        }
        let m = &messages[i];
        let via = m
            .sip
            .top_via()
            .and_then(|v| via_sent_by(&v))
            .unwrap_or_else(|| "?".into());
        let (src, dst) = match &m.sip.start {
            sip::StartLine::Request { uri, .. } => (via, uri_host(uri)),
            sip::StartLine::Response { .. } => {
                let req = flow.links[i]
                    .transaction
                    .and_then(|t| flow.transactions[t as usize].request);
                match req {
                    Some(r) if (r as usize) < i => (
                        messages[r as usize].dst.clone(),
                        messages[r as usize].src.clone(),
                    ),
                    _ => ("?".into(), via),
                }
            }
        };
        let m = &mut messages[i];
        if m.src.is_empty() {
            m.src = src;
        }
        if m.dst.is_empty() {
            m.dst = dst;
        }
    }
}

/// The finished analysis of one or more files.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub files: Vec<FileInfo>,
    pub messages: Vec<Msg>,
    pub flow: Flow,
    pub diagnostics: Vec<Diagnostic>,
}

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
}

impl Analysis {
    /// Analyze whole files held in memory (tests, small inputs).
    pub fn of_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Analysis {
        let mut a = Analyzer::new();
        for (name, bytes) in files {
            let id = a.add_file(name, bytes.len() as u64);
            a.push(id, bytes);
            a.finish_file(id);
        }
        a.finish()
    }

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
        }
    }

    fn cseq_text(m: &Message) -> Option<String> {
        m.header("CSeq")
            .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// The ladder of all messages, or of the given message indices (in order).
    pub fn ladder(&self, only: Option<&[u32]>) -> Ladder {
        let all: Vec<u32>;
        let indices: &[u32] = match only {
            Some(ix) => ix,
            None => {
                all = (0..self.messages.len() as u32).collect();
                &all
            }
        };
        Ladder::build(indices.iter().filter_map(|&i| self.arrow(i)))
    }

    fn arrow(&self, i: u32) -> Option<ArrowInput> {
        let m = self.messages.get(i as usize)?;
        let links = self.flow.links.get(i as usize)?;
        let tx = links
            .transaction
            .and_then(|t| self.flow.transactions.get(t as usize));
        let (label, kind, note) = match &m.sip.start {
            sip::StartLine::Request { method, .. } => {
                let unanswered = tx.is_some_and(|t| t.unanswered && t.request == Some(i));
                let kind = if unanswered {
                    ArrowKind::Unanswered
                } else {
                    ArrowKind::Request
                };
                (
                    method.clone(),
                    kind,
                    unanswered.then(|| "no response".to_string()),
                )
            }
            sip::StartLine::Response { status, reason, .. } => {
                let kind = match status {
                    100..=199 => ArrowKind::Provisional,
                    200..=299 => ArrowKind::Success,
                    300..=399 => ArrowKind::Redirect,
                    401 | 407 => ArrowKind::Challenge,
                    _ => ArrowKind::Failure,
                };
                let label = if reason.is_empty() {
                    status.to_string()
                } else {
                    format!("{status} {reason}")
                };
                let first_final = tx.and_then(|t| {
                    t.responses.iter().find(|&&r| {
                        self.messages[r as usize]
                            .sip
                            .status()
                            .is_some_and(|s| s >= 200)
                    })
                });
                let note = match (tx, first_final) {
                    (Some(t), Some(&r)) if r == i => t.response_ms.map(format_ms),
                    _ => None,
                };
                (label, kind, note)
            }
        };
        Some(ArrowInput {
            msg: i,
            src: m.src.clone(),
            dst: m.dst.clone(),
            label,
            time: m.time,
            kind,
            retransmission: links.retransmission,
            note,
        })
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
            problems: m.problems.clone(),
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
        }
    }

    /// The text a person reads in a terminal (and golden tests compare): files, ladder, diagnostics.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            out.push_str(&format!(
                "file: {} ({}, {} bytes, {} messages)\n",
                f.name,
                f.format.name(),
                f.bytes,
                f.messages
            ));
        }
        out.push('\n');
        out.push_str(&crate::ladder::text::render(&self.ladder(None)));
        if !out.ends_with('\n') {
            out.push('\n');
        }
        if !self.diagnostics.is_empty() {
            out.push_str("\ndiagnostics:\n");
            for d in &self.diagnostics {
                let place = match (d.file.and_then(|f| self.files.get(f as usize)), d.line) {
                    (Some(f), Some(l)) => format!("{}:{}: ", f.name, l),
                    (Some(f), None) => format!("{}: ", f.name),
                    _ => String::new(),
                };
                out.push_str(&format!(
                    "  {:7} {}{}\n",
                    d.severity.as_str(),
                    place,
                    d.message
                ));
            }
        }
        out
    }
}

/// `63 ms`, `1.2 s`, `2 min 5 s`.
pub fn format_ms(ms: i64) -> String {
    let a = ms.unsigned_abs();
    let sign = if ms < 0 { "-" } else { "" };
    if a < 1000 {
        format!("{sign}{a} ms")
    } else if a < 60_000 {
        format!("{sign}{:.1} s", a as f64 / 1000.0)
    } else {
        format!("{sign}{} min {} s", a / 60_000, (a % 60_000) / 1000)
    }
}
