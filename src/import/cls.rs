//! Server trace importer: Skype for Business Server CLS / OCSLogger SIPStack text → SIP records and diagnostics.
//!
//! Lync / Skype for Business servers trace SIP with the SIPStack component. The binary ETL traces become text
//! when they are formatted by OCSLogger, CLS (`Search-CsClsLogging`), or Snooper, and saved as `.txt` / `.log`.
//! Every trace line starts with a header:
//!
//! ```text
//! TL_INFO(TF_PROTOCOL) [FE01\FE01]06E4.0EB4::03/30/2018-01:57:41.310.00005386 (SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(125))[3151897743] $$begin_record
//! ```
//!
//! level (`TL_INFO`, `TL_WARN`, `TL_ERROR`, …), flag (`TF_PROTOCOL`, `TF_DIAG`, `TF_COMPONENT`,
//! `TF_CONNECTION`, …), `[machine]` (`[0]` in OCS 2007 traces: no machine name), process and thread ids, the
//! time **in UTC** (`MM/DD/YYYY-HH:MM:SS.mmm`, then a sequence number), the source location, and for a
//! structured record `$$begin_record`. The record's fields follow, one per line, up to `$$end_record`.
//!
//! * **Protocol records** (`TF_PROTOCOL`) hold one SIP message: trace fields `Trace-Correlation-Id`,
//!   `Instance-Id`, `Direction: incoming|outgoing[;source="…";destination="…"]`, `Peer` (the other end,
//!   `host:port` or a name), `Message-Type`, `Start-Line`; then the SIP headers as sent (any case); then
//!   `Message-Body:` followed by the body on the same and the following lines (`–` or `-` when empty). The
//!   message is rebuilt as start line + SIP headers + empty line + body with CRLF line ends; when the body as
//!   logged is two bytes short of Content-Length, the CRLF the log dropped at its end is put back.
//! * **Diagnostic records** (`LogType: diagnostic`, or the `TF_DIAG` flag; sometimes with no `$$begin_record`,
//!   just a header line followed by the fields) carry `Severity`, `Text`, `Result-Code`, `SIP-Start-Line`,
//!   `SIP-Call-ID`, `SIP-CSeq`, `Peer`, `Data`. They become [`Diagnostic`]s in the sink
//!   (`server: <Text> (<Result-Code>) — <SIP-Start-Line>, Call-ID …, CSeq …`) and are also kept as
//!   [`ServerDiagnostic`]s ([`ClsImporter::server_diagnostics`]) so the analysis can attach them to the message
//!   they name by Call-ID + CSeq. A server `error` or `warning` becomes a warning (the input was read fine; the
//!   server reported a problem), anything else an info.
//! * Any other record kind (`LogType: connection`, …) is skipped; one info diagnostic per kind says how many.
//!   Header lines without `$$begin_record` and without fields are ordinary trace text and are skipped quietly.
//!
//! **Endpoints.** The server is one column, named after the record's machine (`FE01` from `[FE01\FE01]`),
//! or `server` when the trace does not name it. An incoming message goes from `Peer` to the server
//! ([`Direction::Received`]); an outgoing one from the server to `Peer` ([`Direction::Sent`]).
//!
//! The importer is streaming: it holds one record at a time (at most [`MAX_RECORD_BYTES`]).

use super::lines::{Line, LineReader};
use super::trace::{Level, ThreadId, TraceLine};
use super::{Direction, LineImporter, Record, Sink};
use crate::base::diag::{Code, Diagnostic, Problem};
use crate::base::time::Timestamp;
pub use fields::{record_parts, RecordParts};
use fields::{split_field, Fields};
use place::LineSpan;

/// The largest record kept; the rest of a longer record is dropped with a warning.
pub const MAX_RECORD_BYTES: usize = 4 * 1024 * 1024;

const BEGIN: &[u8] = b"$$begin_record";
const END: &[u8] = b"$$end_record";

/// The parsed header line of a server trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceHeader<'a> {
    /// `INFO`, `WARN`, `ERROR`, `VERBOSE`, … (after `TL_`).
    pub level: &'a [u8],
    /// `PROTOCOL`, `DIAG`, `COMPONENT`, `CONNECTION`, … (after `TF_`).
    pub flag: &'a [u8],
    /// What the brackets hold: `FE01\FE01`, `0`, or nothing.
    pub machine: &'a [u8],
    /// Process and thread ids as written (`0A3C.1B2C`).
    pub thread: &'a [u8],
    /// UTC.
    pub time: Option<Timestamp>,
    /// The line opens a structured record (`$$begin_record`).
    pub begins_record: bool,
    /// The text after the source location `(…)` (and before `$$begin_record`), trimmed.
    pub text: &'a [u8],
}

fn upper_word(b: &[u8]) -> usize {
    b.iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b'_')
        .count()
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')))
}

/// `MM/DD/YYYY-HH:MM:SS.mmm` at the start of `b` (23 bytes).
fn parse_time(b: &[u8]) -> Option<Option<Timestamp>> {
    let t = b.get(..23)?;
    if t[2] != b'/'
        || t[5] != b'/'
        || t[10] != b'-'
        || t[13] != b':'
        || t[16] != b':'
        || t[19] != b'.'
    {
        return None;
    }
    let f = |r: std::ops::Range<usize>| num(&t[r]);
    let (mo, d, y) = (f(0..2)?, f(3..5)?, f(6..10)?);
    let (h, mi, s, ms) = (f(11..13)?, f(14..16)?, f(17..19)?, f(20..23)?);
    Some(Timestamp::from_parts(y as i32, mo, d, h, mi, s, ms))
}

/// Parse a trace header line (`TL_…(TF_…) [machine]pid.tid::MM/DD/YYYY-HH:MM:SS.mmm.seq (…)…`).
pub fn parse_header(line: &[u8]) -> Option<TraceHeader<'_>> {
    let line = line.trim_ascii_start();
    let rest = line.strip_prefix(b"TL_")?;
    let n = upper_word(rest);
    if n == 0 {
        return None;
    }
    let level = &rest[..n];
    let rest = rest[n..].strip_prefix(b"(TF_")?;
    let n = upper_word(rest);
    let flag = &rest[..n];
    let rest = rest[n..].strip_prefix(b")")?.trim_ascii_start();
    let (machine, rest) = match rest.strip_prefix(b"[") {
        Some(r) => {
            let close = memchr::memchr(b']', r)?;
            (&r[..close], &r[close + 1..])
        }
        None => (&b""[..], rest),
    };
    // Process and thread ids: hex digits and dots up to `::`.
    let sep = memchr::memmem::find(rest.get(..rest.len().min(40))?, b"::")?;
    if sep == 0
        || !rest[..sep]
            .iter()
            .all(|c| c.is_ascii_hexdigit() || *c == b'.')
    {
        return None;
    }
    let thread = &rest[..sep];
    let rest = &rest[sep + 2..];
    let time = parse_time(rest)?;
    let mut rest = &rest[23..];
    // Sequence number `.0001C2F4`.
    if let Some(r) = rest.strip_prefix(b".") {
        let n = r.iter().take_while(|c| c.is_ascii_hexdigit()).count();
        rest = &r[n..];
    }
    let begins_record = memchr::memmem::find(rest, BEGIN).is_some();
    let mut text = rest.trim_ascii();
    // Skip the source location `(SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(125))`.
    if text.first() == Some(&b'(') {
        let mut depth = 0usize;
        let mut end = text.len();
        for (i, &c) in text.iter().enumerate() {
            match c {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        text = text[end..].trim_ascii();
    }
    if let Some(i) = memchr::memmem::find(text, BEGIN) {
        text = text[..i].trim_ascii();
    }
    Some(TraceHeader {
        level,
        flag,
        machine,
        thread,
        time,
        begins_record,
        text,
    })
}

/// Whether a line shows a server SIPStack trace: a `TL_…(TF_…) [n]xxxx.xxxx::MM/DD/YYYY-HH:MM:SS.mmm.xxxx (…)`
/// header line, or a line ending in `$$begin_record`. For format detection.
pub fn sniff_line(line: &[u8]) -> bool {
    parse_header(line).is_some() || line.trim_ascii_end().ends_with(BEGIN)
}

/// A record's line as the importer keeps it (`None`: an `$$end_record` line with nothing before the marker),
/// and whether it ends the record.
pub fn record_line(text: &[u8]) -> (Option<&[u8]>, bool) {
    let trimmed = text.trim_ascii_end();
    match trimmed.strip_suffix(END) {
        Some(content) if content.trim_ascii().is_empty() => (None, true),
        Some(content) => (Some(content), true),
        None => (Some(text), false),
    }
}

/// A diagnostic the server wrote about a SIP message (a `LogType: diagnostic` record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerDiagnostic {
    /// UTC, from the record's header line.
    pub time: Option<Timestamp>,
    /// `error`, `warning`, … as written (lower-case), or the header level when the record has no Severity.
    pub severity: String,
    pub text: String,
    /// `0xC3E93C0F SIPPROXY_E_CONNECTION_TIMED_OUT`.
    pub result_code: Option<String>,
    /// The SIP start line of the message the diagnostic is about.
    pub start_line: Option<String>,
    pub call_id: Option<String>,
    /// `1 REGISTER`.
    pub cseq: Option<String>,
    pub peer: Option<String>,
    /// The record's `Data` field (extra details), when present.
    pub data: Option<String>,
    /// The server that wrote it (machine name, or `server`).
    pub server: String,
    /// 1-based line of the record's header line.
    pub line: u32,
}

impl ServerDiagnostic {
    /// The CSeq as (number, method), for matching a message: `"1 REGISTER"` → `(1, "REGISTER")`.
    pub fn cseq_parts(&self) -> Option<(u32, &str)> {
        let mut it = self.cseq.as_deref()?.split_ascii_whitespace();
        let n = it.next()?.parse().ok()?;
        Some((n, it.next().unwrap_or("")))
    }

    /// The message this diagnostic names: (Call-ID trimmed, CSeq number, CSeq method or "" for any method).
    pub fn key(&self) -> Option<(&str, u32, &str)> {
        let (n, m) = self.cseq_parts()?;
        Some((self.call_id.as_deref()?.trim(), n, m))
    }

    /// The sentence put in the sink: `server: <Text> (<Result-Code>) — <SIP-Start-Line>, Call-ID …, CSeq …`.
    pub fn sentence(&self) -> String {
        let mut s = format!("server: {}", self.text);
        if let Some(rc) = &self.result_code {
            s.push_str(&format!(" ({rc})"));
        }
        let mut about = Vec::new();
        if let Some(sl) = &self.start_line {
            about.push(sl.clone());
        }
        if let Some(c) = &self.call_id {
            about.push(format!("Call-ID {c}"));
        }
        if let Some(c) = &self.cseq {
            about.push(format!("CSeq {c}"));
        }
        if let Some(p) = &self.peer {
            about.push(format!("peer {p}"));
        }
        if !about.is_empty() {
            s.push_str(" — ");
            s.push_str(&about.join(", "));
        }
        s
    }
}

/// One record being collected.
#[derive(Debug)]
struct Pending {
    level: String,
    /// Process and thread ids as written.
    thread: ThreadId,
    /// The header line itself, when the sink keeps trace text.
    head: Vec<u8>,
    flag: String,
    machine: Option<String>,
    time: Option<Timestamp>,
    /// The header line had `$$begin_record`.
    begun: bool,
    /// The header line's own text (a diagnostic without `Text` uses it).
    text: String,
    start: u64,
    end: u64,
    line: u32,
    last_line: u32,
    /// The field lines, each followed by `\n`.
    lines: Vec<u8>,
    /// Where each of `lines` came from (same order): what tells whether the message text is the file's bytes.
    spans: Vec<LineSpan>,
    overflow: bool,
}

/// Record kinds skipped, for the one-per-kind info diagnostic.
#[derive(Debug)]
struct Skipped {
    kind: String,
    count: u32,
    first_line: u32,
}

/// Streaming importer for server SIPStack text traces.
#[derive(Debug)]
pub struct ClsImporter {
    file: u32,
    lines: LineReader,
    pending: Option<Pending>,
    /// Lines before the first header line (the file may start inside a record).
    orphan_lines: u32,
    seen_header: bool,
    messages: u32,
    server_diagnostics: Vec<ServerDiagnostic>,
    skipped: Vec<Skipped>,
    /// The last record's lines buffer, emptied, for the next record.
    spare_lines: Vec<u8>,
    spare_spans: Vec<LineSpan>,
}

impl ClsImporter {
    pub fn new(file: u32) -> Self {
        ClsImporter {
            file,
            lines: LineReader::new(),
            pending: None,
            orphan_lines: 0,
            seen_header: false,
            messages: 0,
            server_diagnostics: Vec::new(),
            skipped: Vec::new(),
            spare_lines: Vec::new(),
            spare_spans: Vec::new(),
        }
    }

    /// Diagnostic records found so far, in file order. The lead attaches them to messages by Call-ID + CSeq
    /// ([`ServerDiagnostic::key`]).
    pub fn server_diagnostics(&self) -> &[ServerDiagnostic] {
        &self.server_diagnostics
    }

    /// An importer for a piece of a file that begins with a trace header line, read by `lines` (see
    /// [`super::split`]).
    pub fn resume(file: u32, lines: LineReader) -> Self {
        ClsImporter {
            lines,
            ..Self::new(file)
        }
    }

    /// The piece ends where the next header line begins: the open record is closed as that line would close it.
    pub fn end_piece(&mut self, sink: &mut Sink) {
        if let Some(p) = self.pending.take() {
            self.close(p, false, sink);
        }
    }

    /// Go on with `later`, the importer of the next piece: what it holds open is the file's from now on, and
    /// the file's counts so far (messages, diagnostic records, skipped kinds) are added before its own.
    pub fn then(mut self, mut later: ClsImporter) -> ClsImporter {
        later.messages += self.messages;
        self.server_diagnostics
            .append(&mut later.server_diagnostics);
        later.server_diagnostics = self.server_diagnostics;
        for s in later.skipped.drain(..) {
            match self.skipped.iter_mut().find(|k| k.kind == s.kind) {
                Some(k) => k.count += s.count,
                None => self.skipped.push(s),
            }
        }
        later.skipped = self.skipped;
        later.seen_header |= self.seen_header;
        later
    }

    pub fn push(&mut self, chunk: &[u8], sink: &mut Sink) {
        self.feed(chunk, sink);
    }

    pub fn finish(&mut self, sink: &mut Sink) {
        self.feed_end(sink);
        if let Some(p) = self.pending.take() {
            self.close(p, false, sink);
        }
        for s in std::mem::take(&mut self.skipped) {
            let n = s.count;
            sink.diagnostics.push(
                Diagnostic::info(
                    Code::SkippedRecords,
                    if n == 1 {
                        format!(
                            "1 server trace record of kind `{}` is not a SIP message; skipped.",
                            s.kind
                        )
                    } else {
                        format!(
                            "{n} server trace records of kind `{}` are not SIP messages; skipped.",
                            s.kind
                        )
                    },
                )
                .at(self.file, s.first_line),
            );
        }
        if self.messages == 0 && self.server_diagnostics.is_empty() {
            sink.diagnostics.push(
                Diagnostic::warning(Code::NoSipMessages,
                    "No SIP message found in this server trace (no TF_PROTOCOL record with a Start-Line).",
                )
                .in_file(self.file),
            );
        }
    }

    fn line(&mut self, l: Line<'_>, sink: &mut Sink) {
        if let Some(h) = parse_header(l.text) {
            if let Some(p) = self.pending.take() {
                self.close(p, false, sink);
            }
            if !self.seen_header && self.orphan_lines > 0 {
                // Lines before the first header that ended without `$$end_record`: not a record fragment.
                self.orphan_lines = 0;
            }
            self.seen_header = true;
            self.pending = Some(Pending {
                level: String::from_utf8_lossy(h.level).into_owned(),
                thread: ThreadId::of(h.thread),
                head: if sink.trace.keep {
                    l.text.to_vec()
                } else {
                    Vec::new()
                },
                flag: String::from_utf8_lossy(h.flag).into_owned(),
                machine: machine_name(h.machine),
                time: h.time,
                begun: h.begins_record,
                text: String::from_utf8_lossy(h.text).into_owned(),
                start: l.start,
                end: l.end,
                line: l.number,
                last_line: l.number,
                lines: std::mem::take(&mut self.spare_lines),
                spans: std::mem::take(&mut self.spare_spans),
                overflow: false,
            });
            return;
        }
        let (content, is_end) = record_line(l.text);
        match self.pending.as_mut() {
            Some(p) => {
                p.end = l.end;
                p.last_line = l.number;
                if let Some(content) = content {
                    if p.lines.len() + content.len() + 1 > MAX_RECORD_BYTES {
                        p.overflow = true;
                    } else {
                        p.spans.push(LineSpan::of(&l, p.lines.len(), content.len()));
                        p.lines.extend_from_slice(content);
                        p.lines.push(b'\n');
                    }
                }
                if is_end {
                    if let Some(p) = self.pending.take() {
                        self.close(p, true, sink);
                    }
                }
            }
            None if is_end && !self.seen_header => {
                sink.diagnostics.push(
                    Diagnostic::warning(Code::FragmentAtStart, format!(
                        "The trace starts inside a record: lines 1–{} are the end of a record whose beginning is not in this file; skipped.",
                        l.number
                    ))
                    .at(self.file, 1),
                );
                self.orphan_lines = 0;
                self.seen_header = true;
            }
            None if is_end => sink.diagnostics.push(
                Diagnostic::warning(
                    Code::StrayLine,
                    "A `$$end_record` line without its record header; ignored.",
                )
                .at(self.file, l.number),
            ),
            None => {
                if !self.seen_header && !l.text.trim_ascii().is_empty() {
                    self.orphan_lines += 1;
                }
            }
        }
    }

    fn server_name(p: &Pending) -> String {
        p.machine.clone().unwrap_or_else(|| "server".to_string())
    }

    fn skip_kind(&mut self, kind: String, line: u32) {
        match self.skipped.iter_mut().find(|s| s.kind == kind) {
            Some(s) => s.count += 1,
            None => self.skipped.push(Skipped {
                kind,
                count: 1,
                first_line: line,
            }),
        }
    }

    /// A record is complete (`ended`: its `$$end_record` was seen) or was cut off by the next header line / the
    /// end of the file.
    fn close(&mut self, p: Pending, ended: bool, sink: &mut Sink) {
        self.close_record(&p, ended, sink);
        // The lines buffer serves the next record.
        let mut lines = p.lines;
        lines.clear();
        self.spare_lines = lines;
        let mut spans = p.spans;
        spans.clear();
        self.spare_spans = spans;
    }

    fn close_record(&mut self, p: &Pending, ended: bool, sink: &mut Sink) {
        let fields = Fields::parse(&p.lines);
        let trace_line = TraceLine {
            at: p.start,
            len: (p.end - p.start).min(u64::from(u32::MAX)) as u32,
            line: p.line,
            time: p.time,
            level: Level::of(p.level.as_bytes()),
            thread: 0,
        };
        if !p.begun && !ended && fields.names.is_empty() {
            // An ordinary trace line.
            sink.trace
                .push(trace_line, p.thread.as_bytes(), || record_text(p));
            return;
        }
        if p.overflow {
            sink.diagnostics.push(
                Diagnostic::warning(Code::EntryTooLarge, format!(
                    "A server trace record (lines {}–{}) is larger than {} MiB; its end was dropped.",
                    p.line,
                    p.last_line,
                    MAX_RECORD_BYTES / (1024 * 1024)
                ))
                .at(self.file, p.line),
            );
        }
        let log_type = fields.get("LogType").map(|s| s.to_ascii_lowercase());
        let protocol = fields.start_line.is_some()
            || (p.flag.eq_ignore_ascii_case("PROTOCOL") && log_type.is_none());
        let diagnostic = !protocol
            && (log_type.as_deref() == Some("diagnostic")
                || (log_type.is_none()
                    && (p.flag.eq_ignore_ascii_case("DIAG")
                        || fields.get("SIP-Start-Line").is_some()
                        || fields.get("Result-Code").is_some())));
        if protocol {
            self.protocol(p, &fields, ended, sink);
            return;
        }
        // Any record but a message's is a trace line too.
        sink.trace
            .push(trace_line, p.thread.as_bytes(), || record_text(p));
        if diagnostic {
            self.diagnostic(p, &fields, sink);
        } else {
            let kind = log_type.unwrap_or_else(|| format!("TF_{}", p.flag));
            self.skip_kind(kind, p.line);
        }
    }

    fn protocol(&mut self, p: &Pending, f: &Fields, ended: bool, sink: &mut Sink) {
        let Some(start_line) = f.start_line else {
            sink.diagnostics.push(
                Diagnostic::warning(
                    Code::BadProtocolRecord,
                    format!(
                        "A protocol record (lines {}–{}) has no Start-Line; skipped.",
                        p.line, p.last_line
                    ),
                )
                .at(self.file, p.line),
            );
            return;
        };
        if !crate::sip::parser::is_start_line(start_line) {
            sink.diagnostics.push(
                Diagnostic::warning(Code::BadProtocolRecord, format!(
                    "A protocol record (lines {}–{}) has a Start-Line that is not a SIP start line (`{}`); skipped.",
                    p.line,
                    p.last_line,
                    String::from_utf8_lossy(&start_line[..start_line.len().min(80)])
                ))
                .at(self.file, p.line),
            );
            return;
        }
        let mut problems = Vec::new();
        if !ended {
            problems.push(Problem::new(
                Code::NoEndMarker,
                format!(
                    "The server trace record has no $$end_record (lines {}–{}): the message may be incomplete.",
                    p.line, p.last_line
                ),
            ));
        }
        if p.overflow {
            problems.push(Problem::new(
                Code::EntryTooLarge,
                "The record was too large; its end was dropped.",
            ));
        }
        let start_line = start_line.trim_ascii();
        let mut sip = Vec::with_capacity(p.lines.len() + 64);
        sip.extend_from_slice(start_line);
        sip.extend_from_slice(b"\r\n");
        let mut declared = None;
        for h in &f.sip_headers {
            sip.extend_from_slice(h);
            sip.extend_from_slice(b"\r\n");
            // Only a line starting with `c` or `l` can be Content-Length.
            let maybe_length = h
                .first()
                .is_some_and(|b| matches!(b.to_ascii_lowercase(), b'c' | b'l'));
            if let Some((name, value)) = split_field(h).filter(|_| maybe_length) {
                if name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l") {
                    declared = std::str::from_utf8(value.trim_ascii())
                        .ok()
                        .and_then(|v| v.parse::<usize>().ok());
                }
            }
        }
        let head_len = sip.len();
        sip.extend_from_slice(b"\r\n");
        let body_from = sip.len();
        for (i, l) in f.body.iter().enumerate() {
            if i > 0 {
                sip.extend_from_slice(b"\r\n");
            }
            sip.extend_from_slice(l);
        }
        let mut put_back = false;
        if let Some(n) = declared {
            // The log drops the line break that ends a body; put it back when that is what the length says.
            if sip.len() - body_from + 2 == n {
                sip.extend_from_slice(b"\r\n");
                put_back = true;
            }
        }
        let body_start = f.body.first().copied();
        let at = place::record(
            &p.lines, &p.spans, &sip, head_len, body_start, put_back, start_line,
        );
        let server = Self::server_name(p);
        let peer = f.get("Peer").map(|s| s.trim().to_string());
        let dir = f
            .get("Direction")
            .map(|d| {
                d.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let (direction, src, dst) = match dir.as_str() {
            "incoming" => (Direction::Received, peer, Some(server)),
            "outgoing" => (Direction::Sent, Some(server), peer),
            _ => {
                problems.push(Problem::new(
                    Code::UnknownDirection,
                    format!(
                        "The record's Direction is {}: the message is shown without direction.",
                        if dir.is_empty() {
                            "missing".to_string()
                        } else {
                            format!("`{dir}`")
                        }
                    ),
                ));
                (Direction::Unknown, None, None)
            }
        };
        self.messages += 1;
        sink.records.push(Record {
            parsed: None,
            sip,
            time: p.time,
            src,
            dst,
            direction,
            span: (p.start, p.end),
            at,
            line: p.line,
            problems,
        });
    }

    fn diagnostic(&mut self, p: &Pending, f: &Fields, sink: &mut Sink) {
        let mut text = f.get("Text").map(|s| s.trim().to_string());
        let mut result_code = f.get("Result-Code").map(|s| s.trim().to_string());
        // Some copies put `Result-Code:` on the Text line.
        if let Some(t) = text.as_mut() {
            if let Some(i) = t.find("Result-Code:") {
                let rc = t[i + "Result-Code:".len()..].trim().to_string();
                t.truncate(i);
                *t = t.trim().to_string();
                if result_code.is_none() && !rc.is_empty() {
                    result_code = Some(rc);
                }
            }
        }
        let text = text
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| p.text.trim().to_string());
        let severity = f
            .get("Severity")
            .map(|s| s.trim().to_ascii_lowercase())
            .unwrap_or_else(|| p.level.to_ascii_lowercase());
        let opt = |name: &str| {
            f.get(name)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let d = ServerDiagnostic {
            time: p.time,
            severity: severity.clone(),
            text,
            result_code,
            start_line: opt("SIP-Start-Line"),
            call_id: opt("SIP-Call-ID"),
            cseq: opt("SIP-CSeq"),
            peer: opt("Peer"),
            data: opt("Data"),
            server: Self::server_name(p),
            line: p.line,
        };
        let sentence = d.sentence();
        let diag = match severity.as_str() {
            "error" | "warning" | "critical" | "fatal" => {
                Diagnostic::warning(Code::ServerDiagnostic, sentence)
            }
            _ => Diagnostic::info(Code::ServerDiagnostic, sentence),
        };
        sink.diagnostics.push(diag.at(self.file, p.line));
        self.server_diagnostics.push(d);
    }
}

/// A record's lines as kept for its trace line: the header line, then its field lines.
fn record_text(p: &Pending) -> Vec<&[u8]> {
    let mut v = vec![p.head.as_slice()];
    v.extend(p.lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()));
    v
}

/// `FE01\FE01` → `FE01`; `0` or empty → none.
fn machine_name(raw: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(raw);
    let name = s.split('\\').next().unwrap_or("").trim();
    if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
        None
    } else {
        Some(name.to_string())
    }
}

impl super::LineImporter for ClsImporter {
    fn reader(&mut self) -> &mut super::lines::LineReader {
        &mut self.lines
    }
    fn on_line(&mut self, line: super::lines::Line<'_>, sink: &mut Sink) {
        self.line(line, sink);
    }
}

mod fields;
mod place;

#[cfg(test)]
mod tests;
