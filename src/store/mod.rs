//! Store: what an analysis holds. Ingest (detect each file's format, run its importer, unpack archives into
//! files of their own, parse each record into a message) and merge (one timeline over several files: clocks,
//! messages seen twice, host aliases; correlation). Files are fed in chunks; [`Analyzer::finish`] gives the
//! [`Analysis`]. What people see of it is built by `view`; this layer decides nothing about presentation.

pub mod piece;
pub mod text;
mod timeline;
pub mod tls;
pub mod trace;
pub mod unpacked;

use crate::base::diag::{Code, Diagnostic, Problem};
use crate::base::fxhash::FxMap;
use crate::base::intern::Interner;
use crate::base::time::Timestamp;
use crate::flow::merge::FileClock;
use crate::flow::{Brief, Flow};
use crate::import::tls::TlsRecords;
use crate::import::{self, archive, Direction, Format, Importer, Record, Sink};
use crate::sip::Message;
use std::collections::HashMap;
use std::rc::Rc;
use text::{Source, Text, Texts};
use thin_vec::ThinVec;
pub use timeline::Step;
use timeline::{attach_server_diagnostics, merge_files, Held};
pub use trace::{FileTrace, LineInfo, Row};
use unpacked::Unpacked;

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
    /// The source texts are read back through, with the restart points of archive entries.
    unpacked: Option<Rc<Unpacked>>,
    /// Each file's trace lines, by file id.
    trace: Vec<FileTrace>,
    /// The captures' TLS records.
    tls: TlsRecords,
}

impl Analyzer {
    /// An analyzer that keeps every message's text (inputs held in memory, tests).
    pub fn new() -> Self {
        Self::default()
    }

    /// An analyzer that leaves the text of messages logged verbatim in the files the user gave, reading it back
    /// through `source` when asked (file ids are the ones [`Analyzer::add_file`] returns).
    pub fn with_source(source: Rc<dyn Source>) -> Self {
        let unpacked = Rc::new(Unpacked::new(source));
        Analyzer {
            texts: Texts::new(Some(unpacked.clone())),
            unpacked: Some(unpacked),
            ..Self::default()
        }
    }

    /// Register a file; returns its id. `bytes` is its size when known (for progress), else 0.
    pub fn add_file(&mut self, name: &str, bytes: u64) -> u32 {
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
        self.trace.push(FileTrace::default());
        let id = self.files.len() as u32 - 1;
        self.set_keep(id);
        id
    }

    /// Keep the text of this file's messages instead of reading it back (a stream that cannot be read again).
    pub fn keep_text(&mut self, file: u32) {
        if let Some(f) = self.files.get_mut(file as usize) {
            f.keep_text = true;
        }
        self.set_keep(file);
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
            if !f.info.format.is_pending() {
                reserve_messages(&mut self.messages, f.info.bytes, f.info.format);
            }
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
            // Every event handled: the reader is where the open entry's bytes so far end.
            if let (Some(u), Some(f)) = (&self.unpacked, self.files.get(file as usize)) {
                if let (Some(ar), Some(entry)) = (&f.archive, f.entry) {
                    u.reached(entry, self.files[entry as usize].pushed, ar);
                }
            }
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
                archive::Event::Begin { name, at } => {
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
                    // Its text is read again from the archive, unless the archive itself cannot be read again.
                    let kind = self.files[file as usize].info.format.archive();
                    if let (Some(u), Some(kind)) = (&self.unpacked, kind) {
                        if !self.files[root as usize].keep_text {
                            u.begin(id, file, kind, at);
                        }
                    }
                    self.set_keep(id);
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

    /// Whether file `file`'s text stays in it: text logged verbatim in a file the user gave, or in an archive
    /// entry read again from restart points, stays there; the rest is kept.
    fn in_place(&self, file: u32) -> bool {
        let Some(f) = self.files.get(file as usize) else {
            return false;
        };
        match &self.unpacked {
            Some(_) if f.depth == 0 => !f.keep_text,
            Some(u) => u.is_entry(file),
            None => false,
        }
    }

    /// Tell the file's importer whether trace lines' text must be kept (it cannot be read again).
    fn set_keep(&mut self, file: u32) {
        let keep = !self.in_place(file);
        if let Some(f) = self.files.get_mut(file as usize) {
            f.sink.trace.keep = keep;
        }
    }

    /// Move what the importer produced into messages and diagnostics.
    fn drain(&mut self, file: u32) {
        let in_place = self.in_place(file);
        let Some(f) = self.files.get_mut(file as usize) else {
            return;
        };
        for mut d in f.sink.diagnostics.drain(..) {
            d.file.get_or_insert(file);
            self.diagnostics.push(d);
        }
        self.tls.append(&mut f.sink.tls);
        self.trace[file as usize].take(
            &mut f.sink.trace,
            f.importer.as_mut().and_then(Importer::trace_shape),
        );
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
        merge_files(
            files,
            messages,
            Vec::new(),
            &[],
            Held {
                syms: self.syms.clone(),
                texts,
                tls: Rc::default(),
            },
            &mut |_, _, _| {},
        )
    }

    /// Merge the files (ordered by time), correlate, and build the analysis.
    pub fn finish(self) -> Analysis {
        self.finish_with(&mut |_, _, _| {})
    }

    /// [`Analyzer::finish`], telling `progress(step, done, total)` how far it has come: at the start of each
    /// [`Step`] and, while correlating, every [`flow::TICK`] messages (`done` and `total` count messages).
    pub fn finish_with(mut self, progress: &mut dyn FnMut(Step, usize, usize)) -> Analysis {
        for i in 0..self.files.len() as u32 {
            self.finish_file(i);
        }
        let mut diagnostics = self.diagnostics;
        attach_server_diagnostics(&self.files, &self.messages, &self.syms, &mut diagnostics);
        let files = self.files.into_iter().map(|f| f.info).collect();
        let mut a = merge_files(
            files,
            self.messages,
            diagnostics,
            &[],
            Held {
                syms: self.syms,
                texts: self.texts,
                tls: Rc::new(self.tls),
            },
            progress,
        );
        a.trace = Rc::new(self.trace);
        a
    }
}

/// Room for the messages a file of `bytes` in `format` holds at most at the format's usual density
/// ([`Format::bytes_per_message`]), reserved once its format is known: growing the largest vector of the analysis
/// by doubling would hold it twice at its last step and copy it into fresh memory each time. The messages held
/// so far are moved into the new room (a reallocation would copy the whole old room, untouched part included).
fn reserve_messages(messages: &mut Vec<Msg>, bytes: u64, format: Format) {
    let expected = (bytes / format.bytes_per_message()).min(1 << 22) as usize;
    let spare = messages.capacity() - messages.len();
    if expected > spare {
        let mut room = Vec::with_capacity(messages.len() + expected);
        room.append(messages);
        *messages = room;
    }
}

fn to_msg(
    file: u32,
    r: Record,
    in_place: bool,
    syms: &mut Interner,
    texts: &mut Texts,
    names: &mut FxMap<String, Rc<str>>,
) -> Result<Msg, Diagnostic> {
    parse_record(file, r, in_place, syms).map(|p| p.into_msg(texts, names))
}

/// A record parsed into what a [`Msg`] keeps, before its endpoint names are shared and kept text is put in the
/// arena: plain data, so a piece of a file is parsed on a thread of its own ([`piece`]).
#[derive(Debug)]
struct Parsed {
    file: u32,
    time: Option<Timestamp>,
    src: Option<String>,
    dst: Option<String>,
    direction: Direction,
    /// Where the text is in the file, or the text to keep.
    text: Result<Text, Vec<u8>>,
    brief: Brief,
    span: (u64, u64),
    line: u32,
    problems: ThinVec<Problem>,
}

fn parse_record(
    file: u32,
    mut r: Record,
    in_place: bool,
    syms: &mut Interner,
) -> Result<Parsed, Diagnostic> {
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
    let mut sip = r.into_message().map_err(|e| {
        Diagnostic::warning(Code::NotSip, format!("Not a SIP message: {}", e.reason)).at(file, line)
    })?;
    // Framing already explained a Content-Length that disagrees with the block; the parser's own
    // "body has N bytes, Content-Length says M" about the same frame would say it twice.
    let framed_length = framing_problems
        .iter()
        .any(|p| p.code == Code::ContentLengthMismatch);
    let brief = Brief::of(&sip, syms, src.is_none() || dst.is_none());
    let text = match at {
        Some(at) if in_place => Ok(Text::File {
            file,
            at,
            len: sip.raw.len() as u32,
            check: text::check(&sip.raw),
        }),
        _ => Err(std::mem::take(&mut sip.raw)),
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
    Ok(Parsed {
        file,
        time,
        src,
        dst,
        direction,
        text,
        brief,
        span,
        line,
        problems,
    })
}

impl Parsed {
    fn into_msg(self, texts: &mut Texts, names: &mut FxMap<String, Rc<str>>) -> Msg {
        Msg {
            file: self.file,
            time: self.time,
            file_time: self.time,
            seq: 0,
            also: ThinVec::new(),
            inferred: self.src.is_none() || self.dst.is_none(),
            src: shared(names, self.src),
            dst: shared(names, self.dst),
            direction: self.direction,
            text: self.text.unwrap_or_else(|kept| texts.keep(&kept)),
            brief: self.brief,
            span: self.span,
            line: self.line,
            problems: self.problems,
        }
    }
}

/// The one copy of an endpoint name (empty when the log gave none).
pub(super) fn shared(names: &mut FxMap<String, Rc<str>>, name: Option<String>) -> Rc<str> {
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
    /// Each file's trace lines, by file id (shared: a re-merge keeps them).
    trace: Rc<Vec<FileTrace>>,
    /// The captures' TLS records (shared: a re-merge lines them up again).
    pub tls: Rc<TlsRecords>,
    /// Which records carried which messages.
    pub tls_lineup: tls::TlsLineup,
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
        let trace = self.trace;
        let mut a = merge_files(
            self.files,
            self.messages,
            self.base_diagnostics,
            manual,
            Held {
                syms: self.syms,
                texts: self.texts,
                tls: self.tls,
            },
            &mut |_, _, _| {},
        );
        a.trace = trace;
        a
    }

    /// Message `i`, parsed from its text read back (see [`text`]), its secrets masked: the media relay's user
    /// name and password are `*` of the same length ([`crate::sip::secrets`]) in every view.
    pub fn sip(&self, i: u32) -> Rc<Message> {
        self.sip_of(&self.messages[i as usize])
    }

    /// Any sighting's message (also the ones in [`Msg::also`]).
    pub fn sip_of(&self, m: &Msg) -> Rc<Message> {
        self.texts.message(&m.text, &m.brief, &self.syms)
    }

    /// `f` of message `i`'s text as logged (`None` when it cannot be read back), without parsing it; its secrets
    /// masked as [`Analysis::sip`] has them (a copy only when it has some).
    pub fn with_text<R>(&self, i: u32, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        self.texts.with_bytes(&self.messages[i as usize].text, |b| {
            f(&crate::sip::secrets::masked(b))
        })
    }

    /// The transaction message `i` belongs to.
    pub fn transaction_of(&self, i: u32) -> Option<&crate::flow::Transaction> {
        let t = self.flow.links.get(i as usize)?.transaction?;
        self.flow.transactions.get(t as usize)
    }

    /// Up to `len` bytes of file `file` from its start, read again (`None` when it cannot be).
    pub fn file_head(&self, file: u32, len: usize) -> Option<Vec<u8>> {
        self.texts.file_head(file, len)
    }

    /// The captures whose TLS records carried message `i`.
    pub fn tls_files(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        self.tls_lineup
            .records_of(i)
            .filter_map(|r| self.tls.records.get(r as usize).map(|r| r.file))
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
