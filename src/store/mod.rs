//! Store: what an analysis holds. Ingest (detect each file's format, run its importer, unpack archives into
//! files of their own, parse each record into a message) and merge (one timeline over several files: clocks,
//! messages seen twice, host aliases; correlation). Files are fed in chunks; [`Analyzer::finish`] gives the
//! [`Analysis`]. What people see of it is built by `view`; this layer decides nothing about presentation.

pub mod text;

use crate::base::diag::{Code, Diagnostic, Problem};
use crate::base::fxhash::FxMap;
use crate::base::intern::Interner;
use crate::base::time::Timestamp;
use crate::flow::merge::{self, Aliases, FileClock, Sighting};
use crate::flow::{self, Brief, Flow};
use crate::import::{self, archive, Direction, Format, Importer, Record, Sink};
use crate::sip::{self, Message};
use std::collections::HashMap;
use std::rc::Rc;
use text::{Source, Text, Texts};
use thin_vec::ThinVec;

/// One input file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileInfo {
    pub name: String,
    pub format: Format,
    pub bytes: u64,
    pub messages: u32,
    /// The archive this file was unpacked from (index into the file list).
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
    /// The same message as other files logged it (same hop, same identity), drawn once. Nearly always empty:
    /// a thin vector (one pointer) keeps every message smaller, and every pass over the messages faster.
    pub also: ThinVec<Msg>,
    /// Sender and receiver (`host:port`): from the log, or inferred from Via / Request-URI when the log has none.
    /// Shared: a log names few endpoints, each for many messages.
    pub src: Rc<str>,
    pub dst: Rc<str>,
    /// The endpoints were inferred from the message, not given by the log.
    pub inferred: bool,
    pub direction: Direction,
    /// Where the message's text is (read it with [`Analysis::sip`]); what correlation needs of it.
    pub text: Text,
    pub brief: Brief,
    /// Byte range of the entry in its file.
    pub span: (u64, u64),
    /// 1-based line of the entry in its file.
    pub line: u32,
    /// Import and parse problems for this message (nearly always none: a thin vector, like `also`).
    pub problems: ThinVec<Problem>,
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
    /// Archive levels above this file (0 for a file the user gave) and the top-level file it came from.
    depth: u32,
    root: u32,
    /// For a top-level file: bytes unpacked from it and from everything nested in it.
    unpacked: u64,
    /// For an archive: files begun inside it.
    entries: u32,
    /// Its text cannot be read again (standard input): keep it.
    keep_text: bool,
}

/// Incremental analysis: add files, push their bytes in chunks, finish.
#[derive(Debug, Default)]
pub struct Analyzer {
    files: Vec<FileState>,
    messages: Vec<Msg>,
    diagnostics: Vec<Diagnostic>,
    syms: Interner,
    texts: Texts,
    /// Endpoint names given so far, each held once.
    names: FxMap<String, Rc<str>>,
}

impl Analyzer {
    /// An analyzer that keeps every message's text (inputs held in memory, tests).
    pub fn new() -> Self {
        Self::default()
    }

    /// An analyzer that leaves the text of messages logged verbatim in the files the user gave, reading it back
    /// through `source` when asked (file ids are the ones [`Analyzer::add_file`] returns).
    pub fn with_source(source: Rc<dyn Source>) -> Self {
        Analyzer {
            texts: Texts::new(Some(source)),
            ..Self::default()
        }
    }

    /// Register a file; returns its id. `bytes` is its size when known (for progress), else 0.
    pub fn add_file(&mut self, name: &str, bytes: u64) -> u32 {
        // Room for the messages a file of this size holds at most at the usual density (one per ~1.5 KB in
        // presence-heavy logs and server traces), reserved up front: growing the largest vector of the
        // analysis by doubling would hold it twice at its last step and copy it into fresh memory each time.
        let expected = (bytes / 1536).min(1 << 22) as usize;
        self.messages
            .reserve(expected.saturating_sub(self.messages.capacity() - self.messages.len()));
        self.files.push(FileState {
            info: FileInfo {
                name: name.to_string(),
                format: Format::default(),
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
            depth: 0,
            root: self.files.len() as u32,
            unpacked: 0,
            entries: 0,
            keep_text: false,
        });
        self.files.len() as u32 - 1
    }

    /// Keep the text of this file's messages instead of reading it back (a stream that cannot be read again).
    pub fn keep_text(&mut self, file: u32) {
        if let Some(f) = self.files.get_mut(file as usize) {
            f.keep_text = true;
        }
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
        if let Some(ar) = f.archive.as_mut() {
            ar.feed(chunk);
        } else if let Some(imp) = f.importer.as_mut() {
            imp.push(chunk, &mut f.sink);
        } else {
            f.head.extend_from_slice(chunk);
            Self::try_detect(f, file, false);
        }
        self.drain(file);
        self.unpack(file);
    }

    /// Unpack what an archive file was fed, a bounded amount at a time, into its entries.
    fn unpack(&mut self, file: u32) {
        let mut events = Vec::new();
        loop {
            let Some(f) = self.files.get_mut(file as usize) else {
                return;
            };
            let Some(ar) = f.archive.as_mut() else {
                return;
            };
            let more = ar.pump(&mut events, &mut f.sink.diagnostics);
            self.drain(file);
            self.unpacked(file, std::mem::take(&mut events));
            if !more {
                return;
            }
        }
    }

    /// No more bytes for this file.
    pub fn finish_file(&mut self, file: u32) {
        let Some(f) = self.files.get_mut(file as usize) else {
            return;
        };
        if f.finished {
            return;
        }
        if f.importer.is_none() && f.archive.is_none() {
            Self::try_detect(f, file, true);
        }
        self.unpack(file);
        let f = &mut self.files[file as usize];
        let mut events = Vec::new();
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
                    let parent = &mut self.files[file as usize];
                    parent.entries += 1;
                    if parent.entries > archive::MAX_ENTRIES {
                        let name = parent.info.name.clone();
                        self.stop_archive(file, Code::ArchiveTooManyEntries, format!(
                            "{name} holds more than {} files; the first {} were read, the rest skipped.",
                            archive::MAX_ENTRIES, archive::MAX_ENTRIES
                        ));
                        return;
                    }
                    let (depth, root) = (parent.depth + 1, parent.root);
                    let path = format!("{}/{name}", parent.info.name);
                    let id = self.add_file(&path, 0);
                    let entry = &mut self.files[id as usize];
                    (entry.info.container, entry.depth, entry.root) = (Some(file), depth, root);
                    if let Some(old) = self.files[file as usize].entry.replace(id) {
                        self.finish_file(old);
                    }
                }
                archive::Event::Data(bytes) => {
                    let root = self.files[file as usize].root as usize;
                    self.files[root].unpacked += bytes.len() as u64;
                    let budget = archive::MAX_RATIO
                        .saturating_mul(self.files[root].pushed)
                        .saturating_add(archive::RATIO_SLACK);
                    if self.files[root].unpacked > budget {
                        let name = self.files[root].info.name.clone();
                        self.stop_archive(file, Code::ArchiveBomb, format!(
                            "{name} unpacks to more than {} times its size (a decompression bomb?); unpacking stopped after {} MiB, what was read is shown.",
                            archive::MAX_RATIO, self.files[root].unpacked >> 20
                        ));
                        return;
                    }
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

    /// An archive that must not be read further: what is open is finished, the rest skipped, and why is said.
    fn stop_archive(&mut self, file: u32, code: Code, message: String) {
        let f = &mut self.files[file as usize];
        let mut events = Vec::new();
        if let Some(ar) = f.archive.as_mut() {
            ar.stop(&mut events);
        }
        f.sink
            .diagnostics
            .push(Diagnostic::warning(code, message).in_file(file));
        self.drain(file);
        if let Some(entry) = self.files[file as usize].entry.take() {
            self.finish_file(entry);
        }
    }

    fn try_detect(f: &mut FileState, file: u32, complete: bool) {
        let (format, diag) = import::detect(&f.head, complete);
        if format.is_pending() {
            return;
        }
        f.info.format = format;
        if let Some(d) = diag {
            f.sink.diagnostics.push(d.in_file(file));
        }
        let head = std::mem::take(&mut f.head);
        if let Some(kind) = format.archive() {
            if f.depth >= archive::MAX_DEPTH {
                f.sink.diagnostics.push(
                    Diagnostic::warning(Code::ArchiveTooDeep, format!(
                        "{} is an archive inside {} archives; archives are opened {} levels deep, this one is not.",
                        f.info.name, f.depth, archive::MAX_DEPTH
                    ))
                    .in_file(file),
                );
                f.importer = Some(Importer::Nothing);
                return;
            }
            let mut ar = archive::Reader::new(kind, &f.info.name);
            ar.feed(&head);
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
        // Text logged verbatim in a file the user gave stays there; the rest is kept.
        let in_place = f.depth == 0 && !f.keep_text && self.texts.has_source();
        for r in f.sink.records.drain(..) {
            match to_msg(
                file,
                r,
                in_place,
                &mut self.syms,
                &mut self.texts,
                &mut self.names,
            ) {
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
        let chunks = messages
            .iter()
            .filter_map(|m| match m.text {
                Text::Kept { chunk, .. } => Some(chunk as usize + 1),
                Text::File { .. } => None,
            })
            .max()
            .unwrap_or(0);
        let texts = self.texts.prefix(chunks);
        let files = self
            .files
            .iter()
            .map(|f| FileInfo {
                bytes: f.pushed,
                ..f.info.clone()
            })
            .collect();
        merge_files(files, messages, Vec::new(), &[], self.syms.clone(), texts)
    }

    /// Merge the files (ordered by time), correlate, and build the analysis.
    pub fn finish(mut self) -> Analysis {
        for i in 0..self.files.len() as u32 {
            self.finish_file(i);
        }
        let mut diagnostics = self.diagnostics;
        attach_server_diagnostics(&self.files, &self.messages, &self.syms, &mut diagnostics);
        let files = self.files.into_iter().map(|f| f.info).collect();
        merge_files(
            files,
            self.messages,
            diagnostics,
            &[],
            self.syms,
            self.texts,
        )
    }
}

/// Put the files' messages on one timeline: align clocks, order by time, draw a message seen in two files once,
/// join the names of one host, correlate. `messages` may hold earlier sightings in `also` (a re-merge).
fn merge_files(
    files: Vec<FileInfo>,
    messages: Vec<Msg>,
    base_diagnostics: Vec<Diagnostic>,
    manual: &[Option<i64>],
    syms: Interner,
    texts: Texts,
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
            .map(|m| m.brief.sighting(m.file, m.file_time))
            .collect();
        let client_log = files
            .iter()
            .position(|f| f.format.point_of_view() == import::PointOfView::Client);
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
            .map(|(_, m)| m.brief.sighting(m.file, m.time))
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
    let flow = flow::correlate(&syms, kept.iter().map(|m| (m.time, &m.brief)));
    infer_endpoints(&mut kept, &flow, &syms);
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
                Diagnostic::warning(p.code, p.text.clone())
                    .at(m.file, m.line)
                    .about(i as u32),
            );
        }
    }
    for t in &flow.transactions {
        if let (true, Some(r)) = (t.unanswered, t.request) {
            let m = &kept[r as usize];
            diagnostics.push(
                Diagnostic::info(
                    Code::NoFinalResponse,
                    format!(
                        "{} (CSeq {}) got no final response in the log.",
                        t.method, t.cseq
                    ),
                )
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
        syms,
        texts,
    }
}

/// A server trace's diagnostic records name the message they are about (Call-ID, CSeq): link each to it (by
/// the message's `seq`; the merge turns it into an index). The importer pushed one `server-diagnostic` diagnostic
/// per record, in the order of `server_diagnostics()`.
fn attach_server_diagnostics(
    files: &[FileState],
    messages: &[Msg],
    syms: &Interner,
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
        let mut by_key: FxMap<(&str, u32), Vec<(&str, u32)>> = FxMap::default();
        for m in messages.iter().filter(|m| m.file == fi as u32) {
            let call_id = syms.get(m.brief.call_id);
            if call_id.is_empty() {
                continue;
            }
            let (n, method) = m.brief.cseq.map_or((0, ""), |(n, s)| (n, syms.get(s)));
            by_key
                .entry((call_id, n))
                .or_default()
                .push((method, m.seq));
        }
        let sink = diagnostics
            .iter_mut()
            .filter(|d| d.file == Some(fi as u32) && d.code == Code::ServerDiagnostic);
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

fn to_msg(
    file: u32,
    mut r: Record,
    in_place: bool,
    syms: &mut Interner,
    texts: &mut Texts,
    names: &mut FxMap<String, Rc<str>>,
) -> Result<Msg, Diagnostic> {
    let framing_problems = std::mem::take(&mut r.problems);
    let (time, src, dst, direction, span, line, at) = (
        r.time,
        r.src.take(),
        r.dst.take(),
        r.direction,
        r.span,
        r.line,
        r.at.take(),
    );
    let sip = r.into_message().map_err(|e| {
        Diagnostic::warning(Code::NotSip, format!("Not a SIP message: {}", e.reason)).at(file, line)
    })?;
    // Framing already explained a Content-Length that disagrees with the block; the parser's own
    // "body has N bytes, Content-Length says M" about the same frame would say it twice.
    let framed_length = framing_problems
        .iter()
        .any(|p| p.code == Code::ContentLengthMismatch);
    let brief = Brief::of(&sip, syms, src.is_none() || dst.is_none());
    let text = match at {
        Some(at) if in_place => Text::File {
            file,
            at,
            len: sip.raw.len() as u32,
            check: text::check(&sip.raw),
        },
        _ => texts.keep(&sip.raw),
    };
    let problems: ThinVec<Problem> = framing_problems
        .into_iter()
        .chain(
            sip.problems
                .iter()
                .filter(|p| !(framed_length && p.code == Code::ContentLengthMismatch))
                .cloned(),
        )
        .collect();
    Ok(Msg {
        file,
        time,
        file_time: time,
        seq: 0,
        also: ThinVec::new(),
        inferred: src.is_none() || dst.is_none(),
        src: shared(names, src),
        dst: shared(names, dst),
        direction,
        text,
        brief,
        span,
        line,
        problems,
    })
}

/// The one copy of an endpoint name (empty when the log gave none).
fn shared(names: &mut FxMap<String, Rc<str>>, name: Option<String>) -> Rc<str> {
    let name = name.unwrap_or_default();
    match names.get(&name) {
        Some(n) => Rc::clone(n),
        None => {
            let n: Rc<str> = Rc::from(name.as_str());
            names.insert(name, Rc::clone(&n));
            n
        }
    }
}

/// Host (and port) of a SIP URI: `sip:on1@limcm.com;transport=tls` → `limcm.com`.
fn uri_host(uri: &str) -> String {
    uri[sip::grammar::uri_host_port(uri)].to_string()
}

/// Fill in endpoints for messages whose log gave none (SIP text): requests go from the top Via's sent-by to the
/// Request-URI's host; responses go back the way their request came.
fn infer_endpoints(messages: &mut [Msg], flow: &Flow, syms: &Interner) {
    let mut names: FxMap<String, Rc<str>> = FxMap::default();
    for i in 0..messages.len() {
        if !messages[i].inferred {
            continue;
        }
        let m = &messages[i];
        let via = m.brief.sent_by.map_or("?", |v| syms.get(v)).to_string();
        let (src, dst) = match m.brief.uri {
            Some(uri) => (
                shared(&mut names, Some(via)),
                shared(&mut names, Some(uri_host(syms.get(uri)))),
            ),
            None => {
                let req = flow.links[i]
                    .transaction
                    .and_then(|t| flow.transactions[t as usize].request);
                match req {
                    Some(r) if (r as usize) < i => (
                        Rc::clone(&messages[r as usize].dst),
                        Rc::clone(&messages[r as usize].src),
                    ),
                    _ => (
                        shared(&mut names, Some("?".into())),
                        shared(&mut names, Some(via)),
                    ),
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
    /// The strings the messages' briefs name.
    syms: Interner,
    /// Where the messages' text is, and its read-back caches.
    texts: Texts,
}

impl Analysis {
    /// Analyze whole files held in memory (tests, small inputs).
    /// Messages logged verbatim are read back from the bytes given, as the shells read them back from files.
    pub fn of_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Analysis {
        let files: Vec<(&str, &[u8])> = files.into_iter().collect();
        let source = text::MemorySource(files.iter().map(|(_, b)| b.to_vec()).collect());
        let mut a = Analyzer::with_source(Rc::new(source));
        for (name, bytes) in files {
            let id = a.add_file(name, bytes.len() as u64);
            a.push(id, bytes);
            a.finish_file(id);
        }
        a.finish()
    }

    /// The lifeline an endpoint name is drawn on (its alias group's key, or itself).
    pub fn lifeline<'a>(&'a self, name: &'a str) -> &'a str {
        self.alias_of.get(name).map_or(name, String::as_str)
    }

    /// Re-merge with clock offsets set by hand (`manual[file]`, milliseconds added to that file's times);
    /// files without one are estimated again against them.
    pub fn with_clock_offsets(self, manual: &[Option<i64>]) -> Analysis {
        merge_files(
            self.files,
            self.messages,
            self.base_diagnostics,
            manual,
            self.syms,
            self.texts,
        )
    }

    /// Message `i`, parsed from its text read back (see [`text`]).
    pub fn sip(&self, i: u32) -> Rc<Message> {
        self.sip_of(&self.messages[i as usize])
    }

    /// Any sighting's message (also the ones in [`Msg::also`]).
    pub fn sip_of(&self, m: &Msg) -> Rc<Message> {
        self.texts.message(&m.text, &m.brief, &self.syms)
    }

    /// `f` of message `i`'s text as logged (`None` when it cannot be read back), without parsing it.
    pub fn with_text<R>(&self, i: u32, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        self.texts.with_bytes(&self.messages[i as usize].text, f)
    }

    /// The strings of the messages' briefs.
    pub fn syms(&self) -> &Interner {
        &self.syms
    }

    /// Bytes of message text the analysis holds itself (the rest stays in the files).
    pub fn kept_bytes(&self) -> usize {
        self.texts.kept_bytes()
    }
}
