//! The trace view (Snooper's Trace tab): a log's lines that are not SIP, with the messages among them in the
//! order they were logged, narrowed by level, thread and the query; a message's place among them; the
//! `ERROR`/`WARN` lines logged near a failed message; and `sipscope --trace`'s lines.

use super::rows::{self, ArrowKind, Direction};
use super::QueryProblem;
use crate::base::time::format_clock;
use crate::import::trace::Level;
use crate::query::Query;
use crate::store::{Analysis, LineInfo, Row};
use serde::Serialize;
#[cfg(test)]
use ts_rs::TS;

/// A trace line's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "lowercase")]
pub enum TraceLevel {
    Error,
    Warn,
    Info,
    Trace,
}

impl From<Level> for TraceLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Error => TraceLevel::Error,
            Level::Warn => TraceLevel::Warn,
            Level::Info => TraceLevel::Info,
            Level::Trace => TraceLevel::Trace,
        }
    }
}

/// Trace lines per level.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct LevelCounts {
    pub error: u32,
    pub warn: u32,
    pub info: u32,
    pub trace: u32,
}

/// A file's share of the trace lines.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TraceFile {
    pub file: u32,
    pub name: String,
    pub lines: u32,
}

/// A thread and its lines.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ThreadCount {
    /// As written (`2738:14E0`).
    pub thread: String,
    pub lines: u32,
}

/// What the trace holds, for the view's controls.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TraceSummary {
    /// Trace lines in all files.
    pub lines: u32,
    pub levels: LevelCounts,
    /// Messages listed among them.
    pub messages: u32,
    /// The files that have trace lines.
    pub files: Vec<TraceFile>,
    /// The busiest [`THREADS`] threads, most lines first (a thread of the same ids in two files counts once).
    pub threads: Vec<ThreadCount>,
    /// Threads in all.
    pub thread_count: u32,
    /// Why there are no lines to show, when there are none.
    pub note: Option<String>,
}

/// How many threads the summary names.
pub const THREADS: usize = 200;

/// What the trace view lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceFilter {
    /// Levels shown ([`Level`] as index).
    pub levels: [bool; 4],
    /// Messages shown among the lines.
    pub messages: bool,
    /// Only this thread's lines (ids as `thread:` takes them).
    pub thread: Option<String>,
    /// A query (words, `/regex/`, `level:`, `thread:`, `file:`, `after:`, …; SIP fields for the messages).
    pub query: String,
}

impl Default for TraceFilter {
    fn default() -> Self {
        TraceFilter {
            levels: [true; 4],
            messages: true,
            thread: None,
            query: String::new(),
        }
    }
}

impl TraceFilter {
    /// Every line of `level` and worse, no messages (`sipscope --trace --level warn`).
    pub fn lines_from(level: Level, query: &str) -> TraceFilter {
        TraceFilter {
            levels: Level::ALL.map(|l| l <= level),
            messages: false,
            thread: None,
            query: query.to_string(),
        }
    }
}

/// How many rows a filter selects.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TraceCount {
    /// Rows selected.
    pub total: u32,
    /// Rows in all (every line and message).
    pub all: u32,
    /// What is wrong with the query (nothing selected then).
    pub error: Option<QueryProblem>,
}

/// One row of the trace view: a trace line, or a message among them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TraceRow {
    /// Its place among the selected rows.
    pub row: u32,
    pub file: u32,
    /// 1-based line in the file.
    pub line: u32,
    /// On the merged timeline (ISO 8601).
    pub time: Option<String>,
    /// `HH:MM:SS.mmm` of `time`.
    pub clock: String,
    /// A trace line's level (none for a message).
    pub level: Option<TraceLevel>,
    /// A trace line's thread as written.
    pub thread: String,
    /// A trace line's text (its continuation lines after `\n`), or a message's start line.
    pub text: String,
    /// A trace line's index among its file's trace lines (what finds it again).
    pub index: Option<u32>,
    /// The message this row is.
    pub message: Option<u32>,
    /// A message's arrow kind and direction.
    pub kind: Option<ArrowKind>,
    pub direction: Option<Direction>,
    /// A message's other end (`host:port` as the log gives it).
    pub peer: Option<String>,
}

/// A page of rows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TracePage {
    pub first: u32,
    pub total: u32,
    pub rows: Vec<TraceRow>,
}

/// Where a message (or a line) is among the selected rows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TracePlace {
    /// The row that is it, or the first selected row after it (the last row when none is after it).
    pub row: Option<u32>,
    /// The row is the message itself (not only near it).
    pub exact: bool,
}

/// The `ERROR`/`WARN` lines logged near a failed message.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct NearbyTrace {
    /// In time order.
    pub lines: Vec<TraceRow>,
    /// Lines in the window beyond those shown (the nearest are shown).
    pub more: u32,
    /// The window, for people: `from 2 s before the request to 2 s after the 503`.
    pub window: String,
}

/// `sipscope --trace --json`: one trace line.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TraceLineOut {
    /// The file's name.
    pub file: String,
    pub line: u32,
    /// On the merged timeline (ISO 8601).
    pub time: Option<String>,
    pub level: TraceLevel,
    pub thread: String,
    pub text: String,
}

/// Before a failed transaction's request: what was logged while it was prepared.
const NEAR_BEFORE_MS: i64 = 2_000;
/// After its failure: what was logged while the failure was handled.
const NEAR_AFTER_MS: i64 = 2_000;
/// After a request that got no answer: a SIP client transaction times out after 64 × T1 = 32 s (RFC 3261
/// 17.1.1.2, Timer B/F); what the client logged about the timeout is in that window.
const NEAR_UNANSWERED_MS: i64 = 32_000;
/// Lines shown near a failure (the nearest in time).
const NEAR_LINES: usize = 20;

/// The trace view's state over one analysis: every row in order, and the rows a filter selected.
#[derive(Debug, Clone, Default)]
pub struct TraceView {
    order: Vec<Row>,
    /// Selected rows, as places in `order` (ascending).
    selected: Vec<u32>,
}

impl TraceView {
    /// Every row selected.
    pub fn new(a: &Analysis) -> TraceView {
        let order = a.trace_order();
        let selected = (0..order.len() as u32).collect();
        TraceView { order, selected }
    }

    /// Select the rows `filter` keeps.
    pub fn select(&mut self, a: &Analysis, filter: &TraceFilter) -> TraceCount {
        let all = self.order.len() as u32;
        let keep = match Selector::new(a, filter) {
            Ok(k) => k,
            Err(e) => {
                self.selected.clear();
                return TraceCount {
                    total: 0,
                    all,
                    error: Some(QueryProblem::of(&filter.query, &e)),
                };
            }
        };
        self.selected = self
            .order
            .iter()
            .enumerate()
            .filter(|(_, row)| keep.keeps(a, **row))
            .map(|(k, _)| k as u32)
            .collect();
        TraceCount {
            total: self.selected.len() as u32,
            all,
            error: None,
        }
    }

    /// Selected rows `first .. first + count`.
    pub fn page(&self, a: &Analysis, first: u32, count: u32) -> TracePage {
        let total = self.selected.len() as u32;
        let end = first.saturating_add(count).min(total);
        let rows = (first.min(end)..end)
            .map(|r| row_of(a, self.order[self.selected[r as usize] as usize], r))
            .collect();
        TracePage { first, total, rows }
    }

    /// Where message `i` is among the selected rows.
    pub fn locate_message(&self, i: u32) -> TracePlace {
        self.locate(Row::Message(i))
    }

    /// Where line `index` of file `file` is among the selected rows.
    pub fn locate_line(&self, file: u32, index: u32) -> TracePlace {
        self.locate(Row::Line { file, index })
    }

    fn locate(&self, want: Row) -> TracePlace {
        let Some(at) = self.order.iter().position(|&r| r == want) else {
            return TracePlace {
                row: None,
                exact: false,
            };
        };
        let k = self.selected.partition_point(|&p| (p as usize) < at);
        match self.selected.get(k) {
            Some(&p) => TracePlace {
                row: Some(k as u32),
                exact: p as usize == at,
            },
            None => TracePlace {
                row: self.selected.len().checked_sub(1).map(|r| r as u32),
                exact: false,
            },
        }
    }
}

/// What a [`TraceFilter`] keeps, ready to ask row by row.
struct Selector<'a> {
    filter: &'a TraceFilter,
    query: Query,
    everything: bool,
    /// With a thread asked for: per file, per thread, whether it is that one.
    thread: Option<Vec<Vec<bool>>>,
}

impl<'a> Selector<'a> {
    fn new(a: &Analysis, filter: &'a TraceFilter) -> Result<Self, crate::query::QueryError> {
        let query = Query::new(a, &filter.query)?;
        let thread = filter.thread.as_deref().map(|want| {
            a.traces()
                .iter()
                .map(|t| {
                    t.threads()
                        .iter()
                        .map(|name| crate::query::thread_is(name, want))
                        .collect()
                })
                .collect()
        });
        Ok(Selector {
            filter,
            everything: query.is_all(),
            query,
            thread,
        })
    }

    fn keeps(&self, a: &Analysis, row: Row) -> bool {
        match row {
            Row::Message(i) => {
                self.filter.messages
                    && self.thread.is_none()
                    && (self.everything || self.query.matches(a, i))
            }
            Row::Line { file, index } => {
                let t = &a.traces()[file as usize];
                self.filter.levels[t.level(index) as usize]
                    && self
                        .thread
                        .as_ref()
                        .is_none_or(|th| th[file as usize][t.thread_of(index) as usize])
                    && (self.everything || self.query.matches_line(a, &t.get(file, index)))
            }
        }
    }
}

/// Row `r` of the view: `row` with its text read back.
fn row_of(a: &Analysis, row: Row, r: u32) -> TraceRow {
    match row {
        Row::Line { file, index } => {
            let l = a.trace_line(file, index);
            line_row(a, &l, r)
        }
        Row::Message(i) => {
            let m = &a.messages[i as usize];
            let syms = a.syms();
            let text = match (m.brief.method, m.brief.status) {
                (Some(method), _) => format!(
                    "{} {}",
                    syms.get(method),
                    m.brief.uri.map_or("", |u| syms.get(u))
                ),
                (None, status) => format!(
                    "{} {}",
                    status.unwrap_or(0),
                    m.brief.reason.map_or("", |s| syms.get(s))
                ),
            };
            let peer = match m.direction {
                crate::import::Direction::Sent => &m.dst,
                _ => &m.src,
            };
            TraceRow {
                row: r,
                file: m.file,
                line: m.line,
                time: rows::time(m.time),
                clock: format_clock(m.time),
                level: None,
                thread: String::new(),
                text: text.trim_end().to_string(),
                index: None,
                message: Some(i),
                kind: Some(a.arrow_kind(i).into()),
                direction: Some(m.direction.into()),
                peer: (!peer.is_empty()).then(|| peer.to_string()),
            }
        }
    }
}

fn line_row(a: &Analysis, l: &LineInfo, r: u32) -> TraceRow {
    let time = a.trace_time(l);
    TraceRow {
        row: r,
        file: l.file,
        line: l.line,
        time: rows::time(time),
        clock: format_clock(time),
        level: Some(l.level.into()),
        thread: thread_name(a, l),
        text: a.trace_text(l).unwrap_or_else(unreadable),
        index: Some(l.index),
        message: None,
        kind: None,
        direction: None,
        peer: None,
    }
}

fn thread_name(a: &Analysis, l: &LineInfo) -> String {
    a.traces()[l.file as usize]
        .threads()
        .get(l.thread as usize)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn unreadable() -> String {
    "(this line could not be read back from its file: was the file changed or moved since it was opened?)"
        .to_string()
}

impl Analysis {
    /// What the trace holds.
    pub fn trace_summary(&self) -> TraceSummary {
        let mut levels = [0u32; 4];
        let mut threads: crate::base::fxhash::FxMap<&str, u32> = Default::default();
        let mut files = Vec::new();
        for (f, t) in self.traces().iter().enumerate() {
            if t.is_empty() {
                continue;
            }
            for (k, n) in t.counts().iter().enumerate() {
                levels[k] += n;
            }
            let mut per = vec![0u32; t.threads().len()];
            for i in 0..t.len() {
                per[t.thread_of(i) as usize] += 1;
            }
            for (name, n) in t.threads().iter().zip(per) {
                *threads.entry(name).or_default() += n;
            }
            files.push(TraceFile {
                file: f as u32,
                name: self.files[f].name.clone(),
                lines: t.len(),
            });
        }
        let thread_count = threads.len() as u32;
        let mut threads: Vec<ThreadCount> = threads
            .into_iter()
            .map(|(thread, lines)| ThreadCount {
                thread: thread.to_string(),
                lines,
            })
            .collect();
        threads.sort_by(|a, b| b.lines.cmp(&a.lines).then_with(|| a.thread.cmp(&b.thread)));
        threads.truncate(THREADS);
        let lines = self.trace_line_count() as u32;
        let note = (lines == 0).then(|| {
            "No trace lines: only client logs (UccApiLog) and server traces have lines that are not SIP; SIP text and captures hold messages only.".to_string()
        });
        TraceSummary {
            lines,
            levels: LevelCounts {
                error: levels[0],
                warn: levels[1],
                info: levels[2],
                trace: levels[3],
            },
            messages: self.messages.len() as u32,
            files,
            threads,
            thread_count,
            note,
        }
    }

    /// Each trace line `filter` keeps, in the trace view's order, to `f` (`sipscope --trace`); messages are
    /// not among them. Returns how many; a query that cannot be read is returned as its error.
    pub fn each_trace_line(
        &self,
        filter: &TraceFilter,
        mut f: impl FnMut(TraceLineOut),
    ) -> Result<u64, crate::query::QueryError> {
        let keep = Selector::new(self, filter)?;
        let mut n = 0;
        for row in self.trace_order() {
            let Row::Line { file, index } = row else {
                continue;
            };
            if !keep.keeps(self, row) {
                continue;
            }
            let l = self.trace_line(file, index);
            n += 1;
            f(TraceLineOut {
                file: self.files[file as usize].name.clone(),
                line: l.line,
                time: rows::time(self.trace_time(&l)),
                level: l.level.into(),
                thread: thread_name(self, &l),
                text: self.trace_text(&l).unwrap_or_else(unreadable),
            });
        }
        Ok(n)
    }

    /// The `ERROR`/`WARN` lines logged near message `i` when it failed (a failure response, the request it
    /// answers, or a request that got no answer): from [`NEAR_BEFORE_MS`] before its transaction's
    /// request to [`NEAR_AFTER_MS`] after the failure (or [`NEAR_UNANSWERED_MS`] after an unanswered
    /// request), on the merged timeline; the nearest [`NEAR_LINES`]. `None` when the message did not fail or
    /// the log has no such lines.
    pub fn nearby_trace(&self, i: u32) -> Option<NearbyTrace> {
        if self.traces().iter().all(|t| t.notable().is_empty()) {
            return None;
        }
        let tx = self.transaction_of(i);
        let failure = |k: u32| self.arrow_kind(k) == crate::ladder::ArrowKind::Failure;
        let request = tx.and_then(|t| t.request).unwrap_or(i);
        let start = self.messages.get(request as usize)?.time?;
        // The failure (its time and status), or none for a request that got no answer.
        let (end, failed) = if failure(i) {
            (self.messages[i as usize].time?, Some(i))
        } else if let Some(f) = tx
            .filter(|t| t.request == Some(i))
            .and_then(|t| t.responses.iter().copied().find(|&k| failure(k)))
        {
            (self.messages[f as usize].time?, Some(f))
        } else if tx.is_some_and(|t| t.unanswered)
            && self.messages[i as usize].brief.status.is_none()
        {
            (start, None)
        } else {
            return None;
        };
        let unanswered = failed.is_none();
        let from = start.0 - NEAR_BEFORE_MS;
        let to = end.0
            + if unanswered {
                NEAR_UNANSWERED_MS
            } else {
                NEAR_AFTER_MS
            };
        let mut found: Vec<(i64, LineInfo)> = Vec::new();
        for (f, t) in self.traces().iter().enumerate() {
            for &k in t.notable() {
                let l = t.get(f as u32, k);
                if let Some(time) = self.trace_time(&l).filter(|x| (from..=to).contains(&x.0)) {
                    found.push((time.0, l));
                }
            }
        }
        if found.is_empty() {
            return None;
        }
        let more = found.len().saturating_sub(NEAR_LINES) as u32;
        if found.len() > NEAR_LINES {
            // The nearest to the failure (or to the unanswered request).
            found.sort_by_key(|(t, _)| (t - end.0).abs());
            found.truncate(NEAR_LINES);
        }
        found.sort_by_key(|(t, l)| (*t, l.file, l.index));
        let window = match failed {
            None => format!(
                "from {} s before the request to {} s after it (a transaction times out after 32 s)",
                NEAR_BEFORE_MS / 1000,
                NEAR_UNANSWERED_MS / 1000
            ),
            Some(f) => format!(
                "from {} s before the request to {} s after the {} response",
                NEAR_BEFORE_MS / 1000,
                NEAR_AFTER_MS / 1000,
                self.messages[f as usize].brief.status.unwrap_or(0)
            ),
        };
        Some(NearbyTrace {
            lines: found.iter().map(|(_, l)| line_row(self, l, 0)).collect(),
            more,
            window,
        })
    }
}
