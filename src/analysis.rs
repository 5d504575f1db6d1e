//! Analysis: the whole pipeline (detect → import → parse → correlate → ladder) behind one incremental byte
//! interface. Files are fed in chunks; [`Analyzer::finish`] merges them into one [`Analysis`].

use crate::diag::{Diagnostic, Severity};
use crate::flow::merge::{self, Aliases, FileClock, Sighting};
use crate::flow::{self, Flow};
use crate::fxhash::FxMap;
use crate::import::{self, archive, Direction, Format, Importer, Record, Sink};
use crate::ladder::{ArrowInput, ArrowKind, Ladder};
use crate::sip::{self, body, Message};
use crate::time::Timestamp;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;

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
    /// Time on the merged timeline: the file's own time plus the file's clock offset.
    pub time: Option<Timestamp>,
    /// Time as the file wrote it (its own clock: client logs local time, server traces UTC).
    pub file_time: Option<Timestamp>,
    /// Arrival order over all files: a stable identity while files are merged and re-merged.
    pub seq: u32,
    /// The same message as other files logged it (same hop, same identity), drawn once.
    pub also: Vec<Msg>,
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
                Ok(mut m) => {
                    f.info.messages += 1;
                    m.seq = self.messages.len() as u32;
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
        let files = self
            .files
            .iter()
            .map(|f| FileInfo {
                bytes: f.pushed,
                ..f.info.clone()
            })
            .collect();
        merge_files(files, messages, Vec::new(), &[])
    }

    /// Merge the files (ordered by time), correlate, and build the analysis.
    pub fn finish(mut self) -> Analysis {
        for i in 0..self.files.len() as u32 {
            self.finish_file(i);
        }
        let mut diagnostics = self.diagnostics;
        attach_server_diagnostics(&self.files, &self.messages, &mut diagnostics);
        let files = self.files.into_iter().map(|f| f.info).collect();
        merge_files(files, self.messages, diagnostics, &[])
    }
}

/// Put the files' messages on one timeline: align clocks, order by time, draw a message seen in two files once,
/// join the names of one host, correlate. `messages` may hold earlier sightings in `also` (a re-merge).
fn merge_files(
    files: Vec<FileInfo>,
    messages: Vec<Msg>,
    base_diagnostics: Vec<Diagnostic>,
    manual: &[Option<i64>],
) -> Analysis {
    // A first merge (no earlier sightings) takes the messages as they are: no copying a big single file around.
    let mut all = messages;
    if all.iter().any(|m| !m.also.is_empty()) {
        let mut flat = Vec::with_capacity(all.len());
        for mut m in all {
            flat.extend(std::mem::take(&mut m.also));
            flat.push(m);
        }
        flat.sort_by_key(|m| m.seq);
        all = flat;
    }
    let mut with_messages: Vec<u32> = all.iter().map(|m| m.file).collect();
    with_messages.dedup();
    with_messages.sort_unstable();
    with_messages.dedup();
    let multi = with_messages.len() > 1;
    let clocks = if multi || manual.iter().any(Option::is_some) {
        let sightings: Vec<Sighting> = all
            .iter()
            .map(|m| Sighting::of(m.file, m.file_time, &m.sip))
            .collect();
        let client_log = files.iter().position(|f| f.format == Format::UccApiLog);
        merge::align(files.len(), &sightings, manual, client_log)
    } else {
        (0..files.len() as u32)
            .map(|f| FileClock {
                file: f,
                offset_ms: 0,
                source: if with_messages.contains(&f) && all.iter().any(|m| m.time.is_some()) {
                    merge::ClockSource::Reference
                } else {
                    merge::ClockSource::Unknown
                },
                shared: 0,
            })
            .collect()
    };
    for m in &mut all {
        let offset = clocks.get(m.file as usize).map_or(0, |c| c.offset_ms);
        m.time = m.file_time.map(|t| Timestamp(t.0 + offset));
    }
    let mut aliases = Aliases::default();
    let mut kept: Vec<Msg> = Vec::with_capacity(all.len());
    if multi {
        // Stable merge by time; a message without time keeps the time of the one before it in its file.
        let mut last: Vec<Option<Timestamp>> = vec![None; files.len()];
        let mut keyed: Vec<(Option<Timestamp>, Msg)> = all
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
        let sightings: Vec<Sighting> = keyed
            .iter()
            .map(|(_, m)| Sighting::of(m.file, m.time, &m.sip))
            .collect();
        let dups = merge::duplicates(&sightings);
        let mut kept_at = vec![0usize; keyed.len()];
        for (i, (_, m)) in keyed.into_iter().enumerate() {
            match dups[i] {
                Some(j) => {
                    let k = kept_at[j as usize];
                    kept_at[i] = k;
                    let first = &mut kept[k];
                    aliases.join(&first.src, &m.src);
                    aliases.join(&first.dst, &m.dst);
                    first.also.push(m);
                }
                None => {
                    kept_at[i] = kept.len();
                    kept.push(m);
                }
            }
        }
    } else {
        kept = all;
    }
    let alias_groups = aliases.groups();
    let alias_of: HashMap<String, String> = alias_groups
        .iter()
        .flat_map(|(k, names)| names.iter().map(move |n| (n.clone(), k.clone())))
        .collect();
    // Message seqs are 0..n over all sightings: a vector maps them to indices.
    let all_seqs = || {
        kept.iter()
            .flat_map(|m| std::iter::once(m.seq).chain(m.also.iter().map(|a| a.seq)))
    };
    let mut index_of_seq: Vec<Option<u32>> =
        vec![None; all_seqs().max().map_or(0, |s| s as usize + 1)];
    for (i, m) in kept.iter().enumerate() {
        for seq in std::iter::once(m.seq).chain(m.also.iter().map(|a| a.seq)) {
            if let Some(slot) = index_of_seq.get_mut(seq as usize) {
                *slot = Some(i as u32);
            }
        }
    }
    let flow = flow::correlate(kept.iter().map(|m| (m.time, &m.sip)));
    infer_endpoints(&mut kept, &flow);
    let mut diagnostics: Vec<Diagnostic> = base_diagnostics
        .iter()
        .cloned()
        .map(|mut d| {
            d.msg = d
                .msg
                .and_then(|s| index_of_seq.get(s as usize).copied().flatten());
            d
        })
        .collect();
    for (i, m) in kept.iter().enumerate() {
        for p in &m.problems {
            diagnostics.push(
                Diagnostic::warning(p.clone())
                    .at(m.file, m.line)
                    .about(i as u32),
            );
        }
    }
    for t in &flow.transactions {
        if let (true, Some(r)) = (t.unanswered, t.request) {
            let m = &kept[r as usize];
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
    diagnostics.sort_by_key(|d| (d.file, d.line));
    Analysis {
        files,
        messages: kept,
        flow,
        diagnostics,
        clocks,
        aliases: alias_groups,
        alias_of,
        base_diagnostics,
    }
}

/// A server trace's diagnostic records name the message they are about (Call-ID, CSeq): link each to it (by
/// the message's `seq`; the merge turns it into an index). The importer pushed one `server: …` diagnostic per
/// record, in the order of `server_diagnostics()`.
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
        if records.is_empty() {
            continue;
        }
        // The file's messages by (Call-ID, CSeq number), in order: each record finds its message in one lookup
        // (a scan of all messages per record was quadratic on big traces).
        let mut by_key: FxMap<(&str, u32), Vec<(String, u32)>> = FxMap::default();
        let keys: Vec<(String, u32, String, u32)> = messages
            .iter()
            .filter(|m| m.file == fi as u32)
            .filter_map(|m| {
                let call_id = m.sip.call_id()?.trim().to_string();
                let (n, method) = m.sip.cseq().unwrap_or((0, String::new()));
                Some((call_id, n, method, m.seq))
            })
            .collect();
        for (call_id, n, method, seq) in &keys {
            by_key
                .entry((call_id.as_str(), *n))
                .or_default()
                .push((method.clone(), *seq));
        }
        let sink = diagnostics
            .iter_mut()
            .filter(|d| d.file == Some(fi as u32) && d.message.starts_with("server: "));
        for (d, rec) in sink.zip(records) {
            d.msg = rec.key().and_then(|(call_id, n, method)| {
                by_key.get(&(call_id, n)).and_then(|list| {
                    list.iter()
                        .find(|(m, _)| method.is_empty() || m.eq_ignore_ascii_case(method))
                        .map(|&(_, seq)| seq)
                })
            });
        }
    }
}

fn to_msg(file: u32, mut r: Record) -> Result<Msg, Diagnostic> {
    let framing_problems = std::mem::take(&mut r.problems);
    let (time, src, dst, direction, span, line) = (
        r.time,
        r.src.take(),
        r.dst.take(),
        r.direction,
        r.span,
        r.line,
    );
    let sip = r.into_message().map_err(|e| {
        Diagnostic::warning(format!("Not a SIP message: {}", e.reason)).at(file, line)
    })?;
    // Framing already explained a Content-Length that disagrees with the block; the parser's own
    // "body has N bytes, Content-Length says M" about the same frame would say it twice.
    let framed_length = framing_problems
        .iter()
        .any(|p| p.starts_with("Content-Length "));
    let mut problems = framing_problems;
    problems.extend(
        sip.problems
            .iter()
            .filter(|p| !(framed_length && p.starts_with("body has ")))
            .cloned(),
    );
    Ok(Msg {
        file,
        time,
        file_time: time,
        seq: 0,
        also: Vec::new(),
        inferred: src.is_none() || dst.is_none(),
        src: src.unwrap_or_default(),
        dst: dst.unwrap_or_default(),
        direction,
        sip,
        span,
        line,
        problems,
    })
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
    /// Each file's clock against the merged timeline.
    pub clocks: Vec<FileClock>,
    /// Endpoint names that turned out to be one host: lifeline key → all its names (key first).
    pub aliases: Vec<(String, Vec<String>)>,
    /// Name → lifeline key, for every aliased name.
    alias_of: HashMap<String, String>,
    /// Import diagnostics, with `msg` as message `seq`: what a re-merge starts from.
    base_diagnostics: Vec<Diagnostic>,
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
    pub annotations: Vec<crate::annotate::Annotation>,
    /// Readable summaries of the body parts (presence, subscriptions, IM text, SDP, …).
    pub body_summaries: Vec<crate::annotate::BodySummary>,
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
    pub presence: crate::annotate::Presence,
    /// The same availability timeline keyed by contact URI: `{"sip:on2@limcm.com": [{availability, name, …}]}`.
    pub presence_by_contact:
        std::collections::BTreeMap<String, Vec<crate::annotate::presence::AvailabilityChange>>,
    /// Problems worth a look, each linked to its message.
    pub findings: Vec<crate::annotate::Finding>,
    /// Lifelines with their role and name when the messages reveal them: key → label.
    pub lifelines: Vec<(String, String)>,
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
            clocks: self.clocks.clone(),
            shared_messages: self.messages.iter().filter(|m| !m.also.is_empty()).count(),
            aliases: self.aliases.clone(),
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
        let mut ladder = Ladder::build(indices.iter().filter_map(|&i| self.arrow(i)));
        // Role and name from what the messages reveal ("on1 client", "Access Edge acc.limcm.com"), then every
        // address the host is known by.
        let roles: HashMap<String, String> =
            crate::annotate::lifeline_names(self).into_iter().collect();
        let keys: Vec<String> = ladder.columns.iter().map(|c| c.key.clone()).collect();
        for key in keys {
            let group = self
                .aliases
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, names)| names.as_slice());
            let addresses = match group {
                Some(names) => alias_label(names),
                None => key.clone(),
            };
            let names = group.map_or_else(|| vec![key.clone()], <[String]>::to_vec);
            let role = names
                .iter()
                .find_map(|n| roles.get(n))
                .and_then(|l| l.split('\n').next())
                .map(str::to_string);
            let label = match role {
                Some(role) => {
                    let addrs: Vec<&str> = names
                        .iter()
                        .filter(|n| is_address(n))
                        .map(String::as_str)
                        .collect();
                    let line = if addrs.is_empty() {
                        key.clone()
                    } else {
                        addrs.join(" = ")
                    };
                    format!("{role}\n{line}")
                }
                None => addresses,
            };
            if label != key {
                ladder.set_label(&key, label);
            }
        }
        ladder
    }

    fn arrow(&self, i: u32) -> Option<ArrowInput<'_>> {
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
            src: Cow::Borrowed(self.lifeline(&m.src)),
            dst: Cow::Borrowed(self.lifeline(&m.dst)),
            label,
            time: m.time,
            kind,
            retransmission: links.retransmission,
            note,
        })
    }

    /// The lifeline an endpoint name is drawn on (its alias group's key, or itself).
    pub fn lifeline<'a>(&'a self, name: &'a str) -> &'a str {
        self.alias_of.get(name).map_or(name, String::as_str)
    }

    /// Re-merge with clock offsets set by hand (`manual[file]`, milliseconds added to that file's times);
    /// files without one are estimated again against them.
    pub fn with_clock_offsets(self, manual: &[Option<i64>]) -> Analysis {
        merge_files(self.files, self.messages, self.base_diagnostics, manual)
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
            annotations: crate::annotate::annotate_headers(&m.sip),
            body_summaries: crate::annotate::decode_body(&m.sip),
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
        let presence = crate::annotate::presence(self);
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
                    annotations: crate::annotate::annotate_headers(&m.sip)
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
            findings: crate::annotate::findings(self),
            lifelines: self
                .ladder(None)
                .columns
                .iter()
                .map(|c| (c.key.clone(), c.label.clone()))
                .collect(),
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
        if self.files.len() > 1 {
            for c in &self.clocks {
                let name = self
                    .files
                    .get(c.file as usize)
                    .map_or("", |f| f.name.as_str());
                let how = match c.source {
                    merge::ClockSource::Reference => "reference clock".to_string(),
                    merge::ClockSource::Estimated => {
                        format!("estimated from {} shared messages", c.shared)
                    }
                    merge::ClockSource::Manual => "set by hand".to_string(),
                    merge::ClockSource::Unknown => "unknown: no shared messages".to_string(),
                };
                out.push_str(&format!(
                    "clock: {name} {} ({how})\n",
                    format_offset(c.offset_ms)
                ));
            }
            let shared = self.messages.iter().filter(|m| !m.also.is_empty()).count();
            if shared > 0 {
                out.push_str(&format!(
                    "shared: {shared} messages seen in more than one file, drawn once\n"
                ));
            }
        }
        out.push('\n');
        out.push_str(&crate::ladder::text::render(&self.ladder(None)));
        if !out.ends_with('\n') {
            out.push('\n');
        }
        let findings = crate::annotate::findings(self);
        if !findings.is_empty() {
            out.push_str("\nfindings:\n");
            for f in &findings {
                out.push_str(&format!("  {:7} #{} {}\n", f.severity, f.msg + 1, f.title));
                if !f.detail.is_empty() {
                    out.push_str(&format!("          {}\n", f.detail));
                }
            }
        }
        let presence = crate::annotate::presence(self);
        if !presence.contacts.is_empty() {
            out.push_str("\npresence:\n");
            for c in &presence.contacts {
                let changes: Vec<String> = c
                    .changes
                    .iter()
                    .map(|ch| {
                        let when = ch.time.map(|t| t.clock()).unwrap_or_default();
                        let note = ch
                            .note
                            .as_deref()
                            .map(|n| format!(" \"{n}\""))
                            .unwrap_or_default();
                        format!(
                            "{when} {} ({}){note} #{}",
                            ch.name,
                            ch.availability,
                            ch.msg + 1
                        )
                    })
                    .collect();
                out.push_str(&format!("  {}: {}\n", c.uri, changes.join(" → ")));
            }
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

/// `192.168.1.7:5061`, `[2001:db8::1]:5061`, `10.0.0.1` — not a host name like `FE01`.
fn is_address(name: &str) -> bool {
    name.contains(':') || (!name.is_empty() && name.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Two lines for a host known by several names: its names (`EDGE01`), then its addresses joined by `=`.
fn alias_label(names: &[String]) -> String {
    let is_addr = |n: &&String| is_address(n);
    let addrs: Vec<&str> = names.iter().filter(is_addr).map(String::as_str).collect();
    let hosts: Vec<&str> = names
        .iter()
        .filter(|n| !is_addr(n))
        .map(String::as_str)
        .collect();
    match (hosts.is_empty(), addrs.split_first()) {
        (false, _) => format!("{}\n{}", hosts.join(" / "), addrs.join(" = ")),
        (true, Some((first, rest))) => format!("{first}\n= {}", rest.join(" = ")),
        (true, None) => names.join(" = "),
    }
}

/// A file's clock offset for people: `+9 h 0 min 0.004 s`.
pub fn format_offset(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "+" };
    let a = ms.unsigned_abs();
    let (h, m, rest) = (a / 3_600_000, a / 60_000 % 60, a % 60_000);
    match (h, m) {
        (0, 0) => format!("{sign}{}.{:03} s", rest / 1000, rest % 1000),
        (0, _) => format!("{sign}{m} min {}.{:03} s", rest / 1000, rest % 1000),
        _ => format!("{sign}{h} h {m} min {}.{:03} s", rest / 1000, rest % 1000),
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
