//! Trace lines: a log's lines that are not SIP (a client log's `ERROR`/`WARN`/`INFO`/`TRACE` lines, a server
//! trace's non-protocol records), found by the importers as they go and kept by the store as positions.
//!
//! An importer hands each one to its sink as a [`TraceLine`]: where it is in the file (a client log's line with
//! the unprefixed lines that continue it; a server trace's whole record), its time, level and thread as
//! written. Its text is not kept: [`super::trace_text`] reads it back from those bytes when it is shown.

use crate::base::fxhash::FxMap;
use crate::base::time::Timestamp;

/// How serious a trace line is, the levels both formats write folded into four (`ERROR`, `FATAL`,
/// `CRITICAL` → error; `WARN`, `WARNING` → warn; `INFO` → info; `TRACE`, `VERBOSE`, `NOISE`, `DEBUG` and
/// anything else → trace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error = 0,
    Warn = 1,
    Info = 2,
    Trace = 3,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Error, Level::Warn, Level::Info, Level::Trace];

    /// The level a log writes as `word` (any case).
    pub fn of(word: &[u8]) -> Level {
        let is = |w: &str| word.eq_ignore_ascii_case(w.as_bytes());
        if is("ERROR") || is("FATAL") || is("CRITICAL") || is("ERR") {
            Level::Error
        } else if is("WARN") || is("WARNING") {
            Level::Warn
        } else if is("INFO") || is("INFORMATION") {
            Level::Info
        } else {
            Level::Trace
        }
    }

    /// The level a person names (`error`, `warn`/`warning`, `info`, `trace`/`verbose`, any case).
    pub fn named(name: &str) -> Option<Level> {
        match name.to_ascii_lowercase().as_str() {
            "error" | "errors" | "fatal" => Some(Level::Error),
            "warn" | "warning" | "warnings" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "trace" | "verbose" | "debug" => Some(Level::Trace),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Trace => "trace",
        }
    }

    /// From the 2-bit number [`Level`] is stored as.
    pub fn from_bits(b: u32) -> Level {
        Level::ALL[(b & 3) as usize]
    }
}

/// Which format's framing a trace line has (it says how its text is cut out of its bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `MM/DD/YYYY|HH:MM:SS.mmm PID:TID LEVEL :: text`, then unprefixed lines that continue it.
    UccApi,
    /// `TL_LEVEL(TF_FLAG) [machine]PID.TID::time.seq (source) text`, then a record's field lines.
    Server,
    /// A line of an SBC or proxy log, framed as its product writes it (see
    /// [`super::siptext::vendor::line_text`]).
    Sbc(super::siptext::vendor::Product),
}

/// One trace line as an importer found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceLine {
    /// Byte offset of its first line in the file, and the bytes up to the end of its last line (line break
    /// included).
    pub at: u64,
    pub len: u32,
    /// 1-based line of its first line.
    pub line: u32,
    /// Time as the file wrote it.
    pub time: Option<Timestamp>,
    pub level: Level,
    /// The thread, an index into [`Traces::threads`].
    pub thread: u32,
}

/// A thread's ids as written, held inline (no allocation per record; ids longer than 40 bytes are cut there —
/// the formats write at most 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadId {
    bytes: [u8; 40],
    len: u8,
}

impl ThreadId {
    pub fn of(ids: &[u8]) -> ThreadId {
        let len = ids.len().min(40);
        let mut bytes = [0u8; 40];
        bytes[..len].copy_from_slice(&ids[..len]);
        ThreadId {
            bytes,
            len: len as u8,
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

/// The trace lines an importer found (taken by the store as they come) and the threads they name (kept for the
/// whole file: each line names its thread by index).
#[derive(Debug, Default)]
pub struct Traces {
    pub lines: Vec<TraceLine>,
    /// Set by the store before the importer runs: the file cannot be read again (standard input), so each
    /// line's text is kept in `text` (UTF-8, its lines ended by `\n`) and a line's `at` is its offset there.
    pub keep: bool,
    pub text: Vec<u8>,
    threads: Vec<Box<[u8]>>,
    index: FxMap<Box<[u8]>, u32>,
    /// The thread named last (most lines follow one of the same thread).
    last: u32,
}

impl Traces {
    /// Add a line of thread `thread` (ids as written: `2738:14E0`, `0A3C.1B2C`); `text` gives its lines
    /// (decoded) when they are to be kept ([`Traces::keep`]).
    pub fn push<'a>(
        &mut self,
        mut line: TraceLine,
        thread: &[u8],
        text: impl FnOnce() -> Vec<&'a [u8]>,
    ) {
        line.thread = self.thread(thread);
        if self.keep {
            let at = self.text.len();
            for l in text() {
                self.text.extend_from_slice(l);
                self.text.push(b'\n');
            }
            line.at = at as u64;
            line.len = (self.text.len() - at) as u32;
        }
        self.lines.push(line);
    }

    /// The index of thread `name`.
    fn thread(&mut self, name: &[u8]) -> u32 {
        if self
            .threads
            .get(self.last as usize)
            .is_some_and(|t| **t == *name)
        {
            return self.last;
        }
        if let Some(&i) = self.index.get(name) {
            self.last = i;
            return i;
        }
        let i = self.threads.len() as u32;
        self.threads.push(name.into());
        self.index.insert(name.into(), i);
        self.last = i;
        i
    }

    /// Every thread named so far, by index.
    pub fn threads(&self) -> &[Box<[u8]>] {
        &self.threads
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_fold_into_four() {
        assert_eq!(Level::of(b"ERROR"), Level::Error);
        assert_eq!(Level::of(b"FATAL"), Level::Error);
        assert_eq!(Level::of(b"WARN"), Level::Warn);
        assert_eq!(Level::of(b"INFO"), Level::Info);
        assert_eq!(Level::of(b"VERBOSE"), Level::Trace);
        assert_eq!(Level::of(b"TRACE"), Level::Trace);
        assert_eq!(Level::named("Warning"), Some(Level::Warn));
        assert_eq!(Level::named("loud"), None);
        for l in Level::ALL {
            assert_eq!(Level::from_bits(l as u32), l);
        }
    }
}
