//! The trace lines of an analysis (a log's lines that are not SIP, [`crate::import::trace`]): per file, their
//! positions, times, levels and threads in a few compact columns (20 bytes a line), never their text, which is
//! read back from the file when a view shows a line ([`Analysis::trace_text`]) — except for a file that cannot
//! be read again (standard input), whose lines' text is kept as its messages' is; and the one order the trace
//! view lists them in, with the messages among them ([`Analysis::trace_order`]).

use super::{Analysis, Msg};
use crate::base::fxhash::FxMap;
use crate::base::time::Timestamp;
use crate::import::lines::Encoding;
use crate::import::trace::{Level, Shape, TraceLine, Traces};

/// Lines held in one chunk of [`Lines`].
const CHUNK: usize = 1 << 13;

/// The lines of a file, 20 bytes each, in chunks of [`CHUNK`]: a long log's lines grow the column a chunk at a
/// time, never by copying it into a room twice its size (which held both, and zeroed fresh pages for the copy).
#[derive(Debug, Clone, Default)]
struct Lines {
    chunks: Vec<Vec<[u32; 5]>>,
    len: usize,
}

impl Lines {
    fn push(&mut self, line: [u32; 5]) {
        if self.chunks.last().is_none_or(|c| c.len() == CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(c) = self.chunks.last_mut() {
            c.push(line);
        }
        self.len += 1;
    }

    fn get(&self, i: usize) -> [u32; 5] {
        self.chunks[i / CHUNK][i % CHUNK]
    }

    fn bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.capacity() * 20).sum()
    }
}

/// The longest stretch of a file one trace line names (a longer one is read cut there).
const MAX_LEN: u64 = (1 << 24) - 1;
/// `times` value of a line without time.
const NO_TIME: i32 = i32::MIN;

/// One file's trace lines, in file order.
#[derive(Debug, Clone, Default)]
pub struct FileTrace {
    /// The file's text encoding and the shape of its lines (how their text is read back).
    shape: Option<(Encoding, Shape)>,
    /// Per line: offset in the file (40 bits) and length (24 bits) as two words; its 1-based line number; level
    /// (2 bits) and thread index (the rest); milliseconds from the base of its block ([`NO_TIME`] without time).
    lines: Lines,
    /// Blocks of lines sharing a time base: (first line, base time in ms).
    bases: Vec<(u32, i64)>,
    /// Threads as written, by index.
    threads: Vec<Box<str>>,
    /// Index of each thread by name.
    thread_index: FxMap<Box<str>, u32>,
    /// The index here of each thread of the importer's [`Traces`] lines come from (it numbers them its way).
    from_sink: Vec<u32>,
    /// Lines per level.
    counts: [u32; 4],
    /// The lines of level warn or worse (what is shown near a failure), by index.
    notable: Vec<u32>,
    /// The lines' text, for a file that cannot be read again (standard input): offsets are in it.
    own: Option<Vec<u8>>,
}

/// One trace line as the analysis holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInfo {
    pub file: u32,
    /// Its index among the file's trace lines.
    pub index: u32,
    pub at: u64,
    pub len: u32,
    pub line: u32,
    /// Time as the file wrote it.
    pub file_time: Option<Timestamp>,
    pub level: Level,
    pub thread: u32,
}

impl FileTrace {
    /// Add the lines an importer found; `from` is the importer's own [`Traces`], which numbers threads its way.
    pub(super) fn take(&mut self, from: &mut Traces, shape: Option<(Encoding, Shape)>) {
        if self.shape.is_none() {
            self.shape = shape;
        }
        // Kept text is decoded: UTF-8 whatever the file's encoding.
        let base = if from.keep {
            let own = self.own.get_or_insert_with(Vec::new);
            let base = own.len() as u64;
            own.append(&mut from.text);
            if let Some((enc, _)) = self.shape.as_mut() {
                *enc = Encoding::Utf8;
            }
            base
        } else {
            0
        };
        for k in self.from_sink.len()..from.threads().len() {
            let name = String::from_utf8_lossy(&from.threads()[k]).into_owned();
            let i = self.thread_named(&name);
            self.from_sink.push(i);
        }
        for mut l in from.lines.drain(..) {
            l.at += base;
            self.push(l, self.from_sink[l.thread as usize]);
        }
    }

    /// The index of thread `name`, given one when it is new.
    fn thread_named(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.thread_index.get(name) {
            return i;
        }
        let i = self.threads.len() as u32;
        self.threads.push(name.into());
        self.thread_index.insert(name.into(), i);
        i
    }

    fn push(&mut self, l: TraceLine, thread: u32) {
        let index = self.lines.len as u32;
        let span = (l.at.min((1 << 40) - 1) << 24) | u64::from(l.len).min(MAX_LEN);
        let meta = (thread << 2) | l.level as u32;
        self.counts[l.level as usize] += 1;
        if l.level <= Level::Warn {
            self.notable.push(index);
        }
        let time = match l.time {
            None => NO_TIME,
            Some(t) => {
                let fits = |base: i64| i32::try_from(t.0 - base).ok().filter(|&d| d != NO_TIME);
                match self.bases.last().and_then(|&(_, b)| fits(b)) {
                    Some(d) => d,
                    None => {
                        self.bases.push((index, t.0));
                        0
                    }
                }
            }
        };
        self.lines
            .push([(span >> 32) as u32, span as u32, l.line, meta, time as u32]);
    }

    /// Append `other`, the lines of the next piece of the same file.
    pub(super) fn append(&mut self, other: FileTrace) {
        let remap: Vec<u32> = other.threads.iter().map(|t| self.thread_named(t)).collect();
        if self.shape.is_none() {
            self.shape = other.shape;
        }
        let base = match &other.own {
            Some(text) => {
                let own = self.own.get_or_insert_with(Vec::new);
                let base = own.len() as u64;
                own.extend_from_slice(text);
                base
            }
            None => 0,
        };
        for i in 0..other.len() {
            let l = other.get(0, i);
            self.push(
                TraceLine {
                    at: base + l.at,
                    len: l.len,
                    line: l.line,
                    time: l.file_time,
                    level: l.level,
                    thread: 0,
                },
                remap[l.thread as usize],
            );
        }
    }

    pub fn len(&self) -> u32 {
        self.lines.len as u32
    }

    pub fn is_empty(&self) -> bool {
        self.lines.len == 0
    }

    /// Line `i` (file `file`'s).
    pub fn get(&self, file: u32, i: u32) -> LineInfo {
        let [hi, lo, line, meta, time] = self.lines.get(i as usize);
        let span = (u64::from(hi) << 32) | u64::from(lo);
        let file_time = match time as i32 {
            NO_TIME => None,
            d => {
                let b = self.bases.partition_point(|&(first, _)| first <= i);
                Some(Timestamp(self.bases[b - 1].1 + i64::from(d)))
            }
        };
        LineInfo {
            file,
            index: i,
            at: span >> 24,
            len: (span & MAX_LEN) as u32,
            line,
            file_time,
            level: Level::from_bits(meta),
            thread: meta >> 2,
        }
    }

    pub fn level(&self, i: u32) -> Level {
        Level::from_bits(self.lines.get(i as usize)[3])
    }

    pub fn thread_of(&self, i: u32) -> u32 {
        self.lines.get(i as usize)[3] >> 2
    }

    /// Threads as written, by index.
    pub fn threads(&self) -> &[Box<str>] {
        &self.threads
    }

    /// Lines per level ([`Level`] as index).
    pub fn counts(&self) -> [u32; 4] {
        self.counts
    }

    /// The lines of level warn or worse, by index.
    pub fn notable(&self) -> &[u32] {
        &self.notable
    }

    /// Where each line is in the file (its first byte), for finding a place among them.
    pub fn offset(&self, i: u32) -> u64 {
        let [hi, lo, ..] = self.lines.get(i as usize);
        ((u64::from(hi) << 32) | u64::from(lo)) >> 24
    }

    /// Bytes held per line (for the memory tests).
    pub fn bytes_held(&self) -> usize {
        self.lines.bytes()
            + self.notable.capacity() * 4
            + self.bases.capacity() * 16
            + self.own.as_ref().map_or(0, Vec::capacity)
    }
}

/// A row of the trace view: a trace line or a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Row {
    Line { file: u32, index: u32 },
    Message(u32),
}

impl Analysis {
    /// Each file's trace lines (empty for formats without).
    pub fn traces(&self) -> &[FileTrace] {
        &self.trace
    }

    /// Trace lines in all files.
    pub fn trace_line_count(&self) -> u64 {
        self.trace.iter().map(|t| u64::from(t.len())).sum()
    }

    /// Line `index` of file `file`'s trace.
    pub fn trace_line(&self, file: u32, index: u32) -> LineInfo {
        self.trace[file as usize].get(file, index)
    }

    /// A trace line's time on the merged timeline (its file's clock offset added).
    pub fn trace_time(&self, l: &LineInfo) -> Option<Timestamp> {
        let offset = self.clocks.get(l.file as usize).map_or(0, |c| c.offset_ms);
        l.file_time.map(|t| Timestamp(t.0 + offset))
    }

    /// A trace line's text, read back from its file (`None` when it cannot be read, or the file changed), its
    /// secrets masked as a message's are ([`Analysis::sip`]).
    pub fn trace_text(&self, l: &LineInfo) -> Option<String> {
        let t = self.trace.get(l.file as usize)?;
        let (encoding, shape) = t.shape?;
        let text = if let Some(own) = &t.own {
            let bytes = own.get(l.at as usize..(l.at + u64::from(l.len)) as usize)?;
            crate::import::trace_text(bytes, encoding, shape)
        } else {
            self.texts
                .read_at(l.file, l.at, l.len as usize, |b| {
                    crate::import::trace_text(b, encoding, shape)
                })
                .flatten()
        };
        text.map(crate::sip::secrets::masked_string)
    }

    /// Every trace line and every message, in the order the trace view lists them: each file's trace lines and
    /// messages in file order, the files interleaved by time on the merged timeline (a row without time
    /// keeps the time of the row before it in its file).
    pub fn trace_order(&self) -> Vec<Row> {
        // Each file's messages, in file order.
        let mut per_file: Vec<Vec<u32>> = vec![Vec::new(); self.files.len()];
        for (i, m) in self.messages.iter().enumerate() {
            if let Some(v) = per_file.get_mut(m.file as usize) {
                v.push(i as u32);
            }
        }
        for v in &mut per_file {
            v.sort_by_key(|&i| self.messages[i as usize].span.0);
        }
        struct Stream<'a> {
            file: u32,
            trace: Option<&'a FileTrace>,
            line: u32,
            messages: &'a [u32],
            msg: usize,
            time: i64,
        }
        let mut streams: Vec<Stream> = per_file
            .iter()
            .enumerate()
            .map(|(f, msgs)| Stream {
                file: f as u32,
                trace: self.trace.get(f).filter(|t| !t.is_empty()),
                line: 0,
                messages: msgs,
                msg: 0,
                time: i64::MIN,
            })
            .filter(|s| s.trace.is_some() || !s.messages.is_empty())
            .collect();
        let total = self.messages.len() + self.trace_line_count() as usize;
        let mut out = Vec::with_capacity(total);
        let msg_of = |i: u32| -> &Msg { &self.messages[i as usize] };
        // The head of a stream: its next row, where it is in the file, and its time if it has one.
        let head = |s: &Stream| -> Option<(Row, u64, Option<i64>)> {
            let line = s
                .trace
                .filter(|t| s.line < t.len())
                .map(|t| (s.line, t.offset(s.line)));
            let msg = s.messages.get(s.msg).map(|&i| (i, msg_of(i).span.0));
            match (line, msg) {
                (Some((l, at)), m) if m.is_none_or(|(_, mat)| at < mat) => {
                    let info = self.trace_line(s.file, l);
                    Some((
                        Row::Line {
                            file: s.file,
                            index: l,
                        },
                        at,
                        self.trace_time(&info).map(|t| t.0),
                    ))
                }
                (_, Some((i, at))) => Some((Row::Message(i), at, msg_of(i).time.map(|t| t.0))),
                _ => None,
            }
        };
        let mut heads: Vec<Option<(Row, u64, Option<i64>)>> = streams.iter().map(head).collect();
        loop {
            // The stream whose next row is earliest (ties: the first file).
            let mut best: Option<(usize, i64)> = None;
            for (k, h) in heads.iter().enumerate() {
                if let Some((_, _, t)) = h {
                    let t = t.unwrap_or(streams[k].time);
                    if best.is_none_or(|(_, bt)| t < bt) {
                        best = Some((k, t));
                    }
                }
            }
            let Some((k, t)) = best else { break };
            let (row, _, _) = heads[k].take().expect("a head");
            out.push(row);
            let s = &mut streams[k];
            s.time = t;
            match row {
                Row::Line { .. } => s.line += 1,
                Row::Message(_) => s.msg += 1,
            }
            heads[k] = head(s);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(at: u64, n: u32, ms: Option<i64>, level: Level) -> TraceLine {
        TraceLine {
            at,
            len: 10,
            line: n,
            time: ms.map(Timestamp),
            level,
            thread: 0,
        }
    }

    #[test]
    fn lines_keep_what_they_were_given_in_20_bytes() {
        let mut traces = Traces::default();
        let far = 40 * 24 * 3600 * 1000; // 40 days: past one block's i32 milliseconds
        let given = [
            line(0, 1, Some(1_000), Level::Info),
            line(10, 2, None, Level::Error),
            line(1 << 35, 3, Some(1_000 + far), Level::Warn),
            line(1 << 36, 4, Some(999), Level::Trace),
        ];
        for (k, l) in given.iter().enumerate() {
            traces.push(
                *l,
                if k % 2 == 0 { b"2738:14E0" } else { b"1EC:1F0" },
                Vec::new,
            );
        }
        let mut t = FileTrace::default();
        t.take(&mut traces, None);
        assert_eq!(t.len(), 4);
        for (i, g) in given.iter().enumerate() {
            let l = t.get(3, i as u32);
            assert_eq!(
                (l.at, l.len, l.line, l.file_time, l.level),
                (g.at, g.len, g.line, g.time, g.level)
            );
            assert_eq!(
                &*t.threads()[l.thread as usize],
                if i % 2 == 0 { "2738:14E0" } else { "1EC:1F0" }
            );
        }
        assert_eq!(t.counts(), [1, 1, 1, 1]);
        assert_eq!(t.notable(), &[1, 2]);
        // Columns, not records: 20 bytes a line.
        let per_line = 8 + 4 + 4 + 4;
        assert_eq!(
            per_line,
            std::mem::size_of::<u64>() + 3 * std::mem::size_of::<u32>()
        );
        // Pieces appended give the same lines, threads numbered once.
        let mut a = FileTrace::default();
        let mut b = FileTrace::default();
        let mut ta = Traces::default();
        let mut tb = Traces::default();
        ta.push(given[0], b"1EC:1F0", Vec::new);
        tb.push(given[1], b"2738:14E0", Vec::new);
        tb.push(given[2], b"1EC:1F0", Vec::new);
        a.take(&mut ta, None);
        b.take(&mut tb, None);
        a.append(b);
        assert_eq!(a.threads().len(), 2);
        assert_eq!(a.get(0, 2).thread, a.get(0, 0).thread);
        assert_eq!(a.get(0, 2).file_time, given[2].time);
    }
}
