//! The one module that talks to JavaScript: a wasm-bindgen `Session` over the core's byte interface.
//!
//! The page's worker calls these methods by their own names, end to end (`call('ladder_svg', first, count)`);
//! every value returned is a view type (`src/view`), declared for TypeScript in `www/types/view.d.ts`, and
//! wasm-bindgen's own declaration of `Session` names them. Bytes come in as `Uint8Array`, never as one string.
//!
//! - `new Session(read?)`, `add_file(name, size) -> id`, `push(id, Uint8Array)`, `finish_file(id)`: bytes in, in
//!   chunks. `read(file, offset, length) -> Uint8Array | null` reads a file again (the worker uses
//!   `FileReaderSync`): given it, the engine keeps positions of the text logged verbatim, not the text;
//!   `message_count()`, `bytes_pushed()`, `preview_svg(max)`: progress and the first rows while importing.
//! - `summary()`: files, counts, time span, clocks, the first page of diagnostics (the analysis is finished on the
//!   first query); `diagnostics(first, count)`: more of them, in the same order.
//! - `conversations()`, `set_filter(conversation | -1)`, `set_query(query, transactions)`: narrow the ladder
//!   to a conversation, to what a query selects, or both.
//! - `ladder_meta()`, `ladder_header()`, `ladder_svg(first, count)`: the ladder, a window of rows at a time.
//! - `message(index)`, `diff(left, right)`, `headers_alone()`, `findings(first, count)`, `presence()`, `calls()`,
//!   `response_times()`.
//! - `set_clock_offset(file, ms | undefined)`: a file's clock by hand; the files are merged again.
//! - `export(format)`: `{mime, name, bytes}` for "svg", "mermaid", "plantuml", "csv", "snooper", "json", "text",
//!   "summary"; the pictures draw the ladder on screen, the tables list its messages, the name says the first
//!   input and the conversation (`Lync-UccApi-0-conversation-3.mmd`).
//! - `redact(names, files, keep, with_mapping)`: a redacted copy of each file, what it renames by category
//!   (the page's "Share a redacted copy"; run in a worker of its own, not a Session's).
//! - `sample_log()`, `version()`.

use crate::ladder::{layout::Layout, Ladder};
use crate::render::{self, svg, OutputFormat};
use crate::store::text::Source;
use crate::store::{Analysis, Analyzer};
use crate::view::trace::{TraceFilter, TraceView};
use crate::view::{self, Finding, LadderMeta};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_IMPORTS: &str = r#"import type { Summary, Diagnostic, ConversationListRow, LadderMeta, MessageDetail, FindingsPage, Presence, ResponseTimes, MessageDiff, HeadersAlone, SearchHits, Export, TraceSummary, TraceCount, TracePage, TracePlace, Redaction, CallRow } from "./types/view";"#;

/// The built-in sample a newcomer opens with "Open sample".
const SAMPLE: &[u8] = include_bytes!("../www/sample/sample.uccapilog");

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[wasm_bindgen]
pub fn sample_log() -> js_sys::Uint8Array {
    js_sys::Uint8Array::from(SAMPLE)
}

#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A redacted copy of each file (`names[i]`, `files[i]`) with one table of pseudonyms, keeping the categories
/// named in `keep` (`"domains"`…): `{summary, copies, mapping, zip}` (see `view::redact::Redaction`); each copy a
/// `Uint8Array` or `null` when the file's format is not written back; the mapping only when asked for; `zip`
/// (all the copies in one zip) only when asked for and there are several.
#[wasm_bindgen(unchecked_return_type = "Redaction")]
pub fn redact(
    names: Vec<String>,
    files: Vec<js_sys::Uint8Array>,
    keep: Vec<String>,
    with_mapping: bool,
    as_zip: bool,
) -> Result<JsValue, JsError> {
    if names.len() != files.len() {
        return Err(JsError::new("redact: one name per file"));
    }
    let keep = view::redact::keep_from_names(keep.iter().map(String::as_str))
        .map_err(|e| JsError::new(&e))?;
    let bytes: Vec<Vec<u8>> = files.iter().map(js_sys::Uint8Array::to_vec).collect();
    drop(files);
    let inputs: Vec<(&str, &[u8])> = names
        .iter()
        .map(String::as_str)
        .zip(bytes.iter().map(Vec::as_slice))
        .collect();
    let r = view::redact::redact(&inputs, keep, with_mapping);
    drop(inputs);
    drop(bytes);
    let copies = js_sys::Array::new();
    for c in &r.copies {
        copies.push(
            &c.as_deref()
                .map_or(JsValue::NULL, |b| js_sys::Uint8Array::from(b).into()),
        );
    }
    let out = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        js_sys::Reflect::set(&out, &JsValue::from_str(k), v).map_err(|_| JsError::new("redact"))
    };
    set("summary", &to_js(&r.summary))?;
    set("copies", &copies.into())?;
    set(
        "mapping",
        &r.mapping
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str),
    )?;
    let several = r.copies.iter().filter(|c| c.is_some()).count() > 1;
    set(
        "zip",
        &if as_zip && several {
            js_sys::Uint8Array::from(view::redact::zip_copies(&r).as_slice()).into()
        } else {
            JsValue::NULL
        },
    )?;
    Ok(out.into())
}

enum State {
    Importing(Analyzer),
    Done(Box<Done>),
    /// Only while switching states.
    Empty,
}

struct Done {
    analysis: Analysis,
    ladder: Ladder,
    layout: Layout,
    /// Clock offsets set by hand, per file.
    manual_offsets: Vec<Option<i64>>,
    /// The conversation the ladder is narrowed to.
    conversation: Option<usize>,
    /// The messages the query selects (with their transactions' other messages when asked), or all.
    query: Option<Vec<u32>>,
    /// Computed on first request (they read every message), then kept.
    findings: Option<Vec<Finding>>,
    presence: Option<JsValue>,
    diagnostic_order: Option<Vec<u32>>,
    /// The trace view's rows and selection, made when the view first asks.
    trace: Option<TraceView>,
}

impl Done {
    /// Lay the ladder out again for the conversation and the query.
    fn relayout(&mut self) {
        let conv = self
            .conversation
            .and_then(|c| self.analysis.flow.conversations.get(c));
        let shown: Option<Vec<u32>> = match (conv, &self.query) {
            (None, None) => None,
            (Some(c), None) => Some(c.messages.clone()),
            (None, Some(q)) => Some(q.clone()),
            (Some(c), Some(q)) => Some(
                q.iter()
                    .copied()
                    .filter(|&i| {
                        self.analysis
                            .flow
                            .links
                            .get(i as usize)
                            .and_then(|l| l.conversation)
                            == Some(c.id)
                    })
                    .collect(),
            ),
        };
        self.ladder = self.analysis.ladder(shown.as_deref());
        self.layout = Layout::new(&self.ladder);
    }

    fn new(analysis: Analysis) -> Done {
        let ladder = analysis.ladder(None);
        let layout = Layout::new(&ladder);
        let manual_offsets = vec![None; analysis.files.len()];
        Done {
            analysis,
            ladder,
            layout,
            manual_offsets,
            conversation: None,
            query: None,
            findings: None,
            presence: None,
            diagnostic_order: None,
            trace: None,
        }
    }

    /// The analysis and its trace view (made on first use).
    fn trace(&mut self) -> (&Analysis, &mut TraceView) {
        let a = &self.analysis;
        (a, self.trace.get_or_insert_with(|| TraceView::new(a)))
    }
}

/// The page's files, read again through the worker's `read(file, offset, length)`.
struct JsSource(js_sys::Function);

impl Source for JsSource {
    fn read(&self, file: u32, offset: u64, len: usize, into: &mut Vec<u8>) -> bool {
        let got = self.0.call3(
            &JsValue::NULL,
            &JsValue::from(file),
            &JsValue::from(offset as f64),
            &JsValue::from(len as f64),
        );
        let Ok(value) = got else {
            return false;
        };
        let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() else {
            return false;
        };
        into.clear();
        into.resize(bytes.length() as usize, 0);
        bytes.copy_to(into);
        true
    }
}

#[wasm_bindgen]
pub struct Session {
    state: State,
}

impl Default for Session {
    fn default() -> Self {
        Self::new(None)
    }
}

fn to_js<T: Serialize>(v: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser).unwrap_or(JsValue::NULL)
}

#[wasm_bindgen]
impl Session {
    /// `read(file, offset, length)`: the file's bytes again, as a `Uint8Array` (or `null` when it cannot be
    /// read). Without it every message's text is kept in wasm memory.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(
            unchecked_param_type = "((file: number, offset: number, length: number) => Uint8Array | null) | null"
        )]
        read: Option<js_sys::Function>,
    ) -> Session {
        let analyzer = match read {
            Some(f) => Analyzer::with_source(std::rc::Rc::new(JsSource(f))),
            None => Analyzer::new(),
        };
        Session {
            state: State::Importing(analyzer),
        }
    }

    /// Register a file; returns its id.
    pub fn add_file(&mut self, name: &str, size: f64) -> Result<u32, JsError> {
        match &mut self.state {
            State::Importing(a) => Ok(a.add_file(name, size.max(0.0) as u64)),
            _ => Err(JsError::new(
                "files can only be added before the analysis is finished",
            )),
        }
    }

    /// Feed the next chunk of a file.
    pub fn push(&mut self, file: u32, chunk: &[u8]) {
        if let State::Importing(a) = &mut self.state {
            a.push(file, chunk);
        }
    }

    pub fn finish_file(&mut self, file: u32) {
        if let State::Importing(a) = &mut self.state {
            a.finish_file(file);
        }
    }

    /// Messages read so far (progress while importing).
    pub fn message_count(&self) -> usize {
        match &self.state {
            State::Importing(a) => a.message_count(),
            State::Done(d) => d.analysis.messages.len(),
            State::Empty => 0,
        }
    }

    /// Bytes pushed so far (progress while importing).
    pub fn bytes_pushed(&self) -> f64 {
        match &self.state {
            State::Importing(a) => a.bytes_pushed() as f64,
            State::Done(d) => d.analysis.files.iter().map(|f| f.bytes).sum::<u64>() as f64,
            State::Empty => 0.0,
        }
    }

    /// While importing: a standalone SVG of the ladder of the first `max` messages read so far (empty string when
    /// none yet), for the page to show before the whole file is read.
    pub fn preview_svg(&self, max: u32) -> String {
        match &self.state {
            State::Importing(a) if a.message_count() > 0 => {
                let ladder = a.preview(max as usize).ladder(None);
                let layout = Layout::new(&ladder);
                svg::render_with(&ladder, &layout, 0..ladder.rows.len())
            }
            _ => String::new(),
        }
    }

    /// Finish the analysis (merge, correlate, lay out the ladder), telling `progress(step, done, total)` how far
    /// it has come: at the start of each step (`merging`, `correlating`, `endpoints`, `diagnostics`, `ladder`) and
    /// every few tens of thousands of messages while correlating (`done` and `total` count messages). Any later
    /// query finishes it too, without progress.
    pub fn finish(
        &mut self,
        #[wasm_bindgen(
            unchecked_param_type = "((step: string, done: number, total: number) => void) | null"
        )]
        progress: Option<js_sys::Function>,
    ) {
        let tell = |step: &str, done: usize, total: usize| {
            if let Some(f) = &progress {
                // A callback that throws must not stop the analysis: progress is only shown.
                let _ = f.call3(
                    &JsValue::NULL,
                    &JsValue::from_str(step),
                    &JsValue::from_f64(done as f64),
                    &JsValue::from_f64(total as f64),
                );
            }
        };
        if let State::Importing(a) = std::mem::replace(&mut self.state, State::Empty) {
            let analysis = a.finish_with(&mut |step, done, total| tell(step.as_str(), done, total));
            tell("ladder", 0, analysis.messages.len());
            self.state = State::Done(Box::new(Done::new(analysis)));
        }
    }

    fn done(&mut self) -> &mut Done {
        if let State::Importing(_) = self.state {
            if let State::Importing(a) = std::mem::replace(&mut self.state, State::Empty) {
                self.state = State::Done(Box::new(Done::new(a.finish())));
            }
        }
        match &mut self.state {
            State::Done(d) => d,
            _ => unreachable!("state is Done after finishing"),
        }
    }

    #[wasm_bindgen(unchecked_return_type = "Summary")]
    pub fn summary(&mut self) -> JsValue {
        to_js(&self.done().analysis.summary())
    }

    /// Diagnostics `first .. first + count`, errors first, then warnings, then info.
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn diagnostics(&mut self, first: u32, count: u32) -> JsValue {
        let d = self.done();
        let order = d
            .diagnostic_order
            .get_or_insert_with(|| d.analysis.diagnostic_order());
        to_js(
            &d.analysis
                .diagnostics_page(order, first as usize, count as usize),
        )
    }

    /// Findings `first .. first + count` (failed transactions with their ms-diagnostics reason, authentication
    /// loops, requests without a response, failed or expired subscriptions, slow responses, re-registrations),
    /// with the counts of all of them.
    #[wasm_bindgen(unchecked_return_type = "FindingsPage")]
    pub fn findings(&mut self, first: u32, count: u32) -> JsValue {
        let d = self.done();
        let all = d.findings.get_or_insert_with(|| d.analysis.findings_view());
        to_js(&view::findings_page(all, first as usize, count as usize))
    }

    /// Per contact, availability and notes over time (each change linked to its message); per subscription,
    /// its lifecycle with BENOTIFY storms collapsed.
    #[wasm_bindgen(unchecked_return_type = "Presence")]
    pub fn presence(&mut self) -> JsValue {
        let d = self.done();
        d.presence
            .get_or_insert_with(|| to_js(&d.analysis.presence_view()))
            .clone()
    }

    /// Every call (INVITE dialog that is not an IM session): caller, callee, outcome and reason, ring and talk
    /// time, who hung up, and per media line codecs, encryption, ICE candidates and the path ICE chose.
    #[wasm_bindgen(unchecked_return_type = "CallRow[]")]
    pub fn calls(&mut self) -> JsValue {
        to_js(&self.done().analysis.calls_view())
    }

    /// Files without a SIP message whose lines hold headers sipscope explains, each with its headers explained.
    #[wasm_bindgen(unchecked_return_type = "HeadersAlone[]")]
    pub fn headers_alone(&mut self) -> JsValue {
        to_js(&self.done().analysis.headers_alone())
    }

    /// Message `left` against message `right`: headers aligned by name and order, bodies by line (`null` when
    /// either index is out of range).
    #[wasm_bindgen(unchecked_return_type = "MessageDiff | null")]
    pub fn diff(&mut self, left: u32, right: u32) -> JsValue {
        to_js(&self.done().analysis.diff(left, right))
    }

    /// Response times per method (histogram, median, 90th percentile, slowest) and the slowest transactions.
    #[wasm_bindgen(unchecked_return_type = "ResponseTimes")]
    pub fn response_times(&mut self) -> JsValue {
        to_js(&self.done().analysis.response_times())
    }

    /// The conversations as the list shows them (counts, not lists).
    #[wasm_bindgen(unchecked_return_type = "ConversationListRow[]")]
    pub fn conversations(&mut self) -> JsValue {
        to_js(&self.done().analysis.conversation_list())
    }

    /// Set a file's clock offset by hand (milliseconds added to its times) and merge again; `undefined` goes back
    /// to the estimate. The ladder shows all messages afterwards.
    pub fn set_clock_offset(&mut self, file: u32, offset_ms: Option<f64>) {
        let d = self.done();
        let Some(slot) = d.manual_offsets.get_mut(file as usize) else {
            return;
        };
        *slot = offset_ms.map(|ms| ms as i64);
        let manual = std::mem::take(&mut d.manual_offsets);
        let analysis = std::mem::replace(
            &mut d.analysis,
            Analysis::of_files(std::iter::empty::<(&str, &[u8])>()),
        );
        *d = Done::new(analysis.with_clock_offsets(&manual));
        d.manual_offsets = manual;
    }

    /// Narrow the ladder to one conversation; `-1` shows all messages (of the query's, when one is set).
    pub fn set_filter(&mut self, conversation: i32) {
        let d = self.done();
        d.conversation = usize::try_from(conversation)
            .ok()
            .filter(|&c| c < d.analysis.flow.conversations.len());
        d.relayout();
    }

    /// Narrow the ladder to the messages `query` (the query language) selects, within the conversation the
    /// ladder is narrowed to; with `transactions`, also the other messages of each match's transaction (a
    /// request's responses, a response's request). An empty query shows every message again. A query that
    /// cannot be read changes nothing: its problem comes back.
    #[wasm_bindgen(unchecked_return_type = "SearchHits")]
    pub fn set_query(&mut self, query: &str, transactions: bool) -> JsValue {
        let d = self.done();
        let hits = d.analysis.filter_hits(query);
        if hits.error.is_none() {
            d.query = (!query.trim().is_empty()).then(|| {
                if transactions {
                    d.analysis.with_transactions(&hits.hits)
                } else {
                    hits.hits.clone()
                }
            });
            d.relayout();
        }
        to_js(&hits)
    }

    #[wasm_bindgen(unchecked_return_type = "LadderMeta")]
    pub fn ladder_meta(&mut self) -> JsValue {
        let d = self.done();
        to_js(&LadderMeta::of(&d.ladder, &d.layout))
    }

    /// SVG of rows `first .. first + count` of the current ladder, cropped to them.
    pub fn ladder_svg(&mut self, first: u32, count: u32) -> String {
        let d = self.done();
        let end = (first as usize)
            .saturating_add(count as usize)
            .min(d.ladder.rows.len());
        let start = (first as usize).min(end);
        svg::render_rows(&d.ladder, &d.layout, start..end)
    }

    /// SVG of the column headers only.
    pub fn ladder_header(&mut self) -> String {
        let d = self.done();
        svg::header_with(&d.ladder, &d.layout)
    }

    /// An export of the analysis (the pictures draw the current ladder, CSV and Snooper text list its messages):
    /// `{mime, name, bytes}`. Formats: "svg", "mermaid", "plantuml", "csv", "snooper", "json", "text", "summary".
    #[wasm_bindgen(unchecked_return_type = "Export")]
    pub fn export(&mut self, format: &str) -> Result<JsValue, JsError> {
        let f = OutputFormat::from_name(format)
            .ok_or_else(|| JsError::new(&format!("unknown export format {format:?}")))?;
        let d = self.done();
        let shown = render::Shown {
            ladder: &d.ladder,
            layout: &d.layout,
            conversation: d.conversation,
        };
        let e = render::export(&d.analysis, Some(shown), f);
        let out = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&out, &JsValue::from_str(k), v);
        set("mime", &JsValue::from_str(&e.mime)).map_err(|_| JsError::new("export"))?;
        set("name", &JsValue::from_str(&e.name)).map_err(|_| JsError::new("export"))?;
        set(
            "bytes",
            &js_sys::Uint8Array::from(e.bytes.as_slice()).into(),
        )
        .map_err(|_| JsError::new("export"))?;
        Ok(out.into())
    }

    /// What the trace holds: lines per level, files, the busiest threads (or why there are no lines).
    #[wasm_bindgen(unchecked_return_type = "TraceSummary")]
    pub fn trace_summary(&mut self) -> JsValue {
        to_js(&self.done().analysis.trace_summary())
    }

    /// Select the trace view's rows: `levels` a bit per level shown (1 error, 2 warn, 4 info, 8 trace),
    /// `messages` whether messages are listed among the lines, `thread` one thread's lines only (empty: all),
    /// `query` the query language over the lines' text, level, thread, file and time (and over the messages).
    #[wasm_bindgen(unchecked_return_type = "TraceCount")]
    pub fn set_trace_filter(
        &mut self,
        levels: u32,
        messages: bool,
        thread: &str,
        query: &str,
    ) -> JsValue {
        let filter = TraceFilter {
            levels: [0, 1, 2, 3].map(|b| levels & (1 << b) != 0),
            messages,
            thread: (!thread.trim().is_empty()).then(|| thread.trim().to_string()),
            query: query.to_string(),
        };
        let (a, view) = self.done().trace();
        to_js(&view.select(a, &filter))
    }

    /// Selected trace rows `first .. first + count`, their text read back from the files.
    #[wasm_bindgen(unchecked_return_type = "TracePage")]
    pub fn trace_rows(&mut self, first: u32, count: u32) -> JsValue {
        let (a, view) = self.done().trace();
        to_js(&view.page(a, first, count.min(1000)))
    }

    /// Where message `index` is among the selected trace rows (or the row after its place).
    #[wasm_bindgen(unchecked_return_type = "TracePlace")]
    pub fn trace_locate(&mut self, index: u32) -> JsValue {
        to_js(&self.done().trace().1.locate_message(index))
    }

    /// Where trace line `index` of file `file` is among the selected trace rows.
    #[wasm_bindgen(unchecked_return_type = "TracePlace")]
    pub fn trace_locate_line(&mut self, file: u32, index: u32) -> JsValue {
        to_js(&self.done().trace().1.locate_line(file, index))
    }

    /// Everything the message panel shows; `null` for an index out of range.
    #[wasm_bindgen(unchecked_return_type = "MessageDetail | null")]
    pub fn message(&mut self, index: u32) -> JsValue {
        match self.done().analysis.message_detail(index) {
            Some(m) => to_js(&m),
            None => JsValue::NULL,
        }
    }
}
