//! The one module that talks to JavaScript: a wasm-bindgen `Session` over the core's byte interface.
//!
//! JS API (the page's worker uses exactly this):
//! - `new Session()`, `add_file(name, size) -> id`, `push(id, Uint8Array)`, `finish_file(id)`: bytes in, in chunks.
//! - `summary()`: files, counts, time span, diagnostics (analysis is finished on the first query).
//! - `conversations()`, `set_filter(conversation | -1)`: narrow the ladder to one conversation.
//! - `ladder_meta()`: columns, row count, message index per row, layout (width, height, header and row height).
//! - `ladder_header()`: an SVG of the column headers only (`header_height` tall), for a sticky header.
//! - `ladder_svg(first, count)`: an SVG of rows `first..first+count` only, cropped to them (its height is
//!   `count * row_height`; place it at `header_height + first * row_height` in a spacer `height` tall; the
//!   root carries `data-y`). No `<style>`: the page's CSS styles `.arrow.<kind>` etc.
//! - `ladder_export()`: the whole current ladder as one standalone SVG with embedded styles (save as picture).
//! - `conversations()`: the conversations (id, Call-ID, kind, label, counts, first time, failed);
//!   `message_conversations()`: `Uint32Array` of each message's conversation.
//! - `search(query)`: `Uint32Array` of the indices of the messages that contain `query`.
//! - `message(index)`: everything the message panel shows, with `annotations` (what each header means,
//!   `header_index` into `headers`) and `body_summaries` (readable summaries of the body parts).
//! - `findings()`, `presence()`: problems linked to messages; availability per contact over time.
//! - `set_clock_offset(file, ms | null)`: a file's clock offset by hand (summary's `clocks` shows the estimate).
//! - `message_count()`, `bytes_pushed()`: progress while importing; `preview_svg(max)`: a standalone SVG of the
//!   first `max` messages read so far, shown before the whole file is read.
//! - `sample_log()`: the built-in sample log's bytes; `version()`.
//!
//! Values cross as plain JS objects (serde-wasm-bindgen); bytes cross as `Uint8Array`, never as one big string.

use crate::ladder::Ladder;
use crate::render::svg;
use crate::store::{Analysis, Analyzer};
use serde::Serialize;
use wasm_bindgen::prelude::*;

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

enum State {
    Importing(Analyzer),
    Done(Box<Done>),
    /// Only while switching states.
    Empty,
}

struct Done {
    analysis: Analysis,
    /// Message indices shown in the current ladder (all, or one conversation).
    shown: Option<Vec<u32>>,
    ladder: Ladder,
    layout: svg::Layout,
    /// Clock offsets set by hand, per file.
    manual_offsets: Vec<Option<i64>>,
    /// Computed on first request (they read every message), then kept.
    findings: Option<JsValue>,
    presence: Option<JsValue>,
}

impl Done {
    fn new(analysis: Analysis) -> Done {
        let ladder = analysis.ladder(None);
        let layout = svg::Layout::new(&ladder);
        let manual_offsets = vec![None; analysis.files.len()];
        Done {
            analysis,
            shown: None,
            ladder,
            layout,
            manual_offsets,
            findings: None,
            presence: None,
        }
    }
}

#[derive(Serialize)]
struct LadderMeta<'a> {
    columns: &'a [crate::ladder::Column],
    rows: usize,
    /// Message index of each row, in order.
    messages: Vec<u32>,
    width: u32,
    height: u32,
    header_height: u32,
    row_height: u32,
}

/// A conversation without its message and transaction lists.
#[derive(Serialize)]
struct ConversationView<'a> {
    id: u32,
    call_id: &'a str,
    kind: crate::flow::ConversationKind,
    label: &'a str,
    message_count: usize,
    transaction_count: usize,
    first_time: Option<crate::base::time::Timestamp>,
    failed: bool,
}

#[wasm_bindgen]
pub struct Session {
    state: State,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

fn to_js<T: Serialize>(v: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser).unwrap_or(JsValue::NULL)
}

#[wasm_bindgen]
impl Session {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        Session {
            state: State::Importing(Analyzer::new()),
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
                let layout = svg::Layout::new(&ladder);
                svg::render_with(&ladder, &layout, 0..ladder.rows.len())
            }
            _ => String::new(),
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

    pub fn summary(&mut self) -> JsValue {
        to_js(&self.done().analysis.summary())
    }

    /// Problems worth a look (failed transactions with their ms-diagnostics reason, authentication loops,
    /// requests without a response, failed or expired subscriptions, slow responses, re-registrations), each
    /// linked to its message.
    pub fn findings(&mut self) -> JsValue {
        let d = self.done();
        d.findings
            .get_or_insert_with(|| to_js(&crate::explain::findings(&d.analysis)))
            .clone()
    }

    /// Per contact, availability and notes over time (each change linked to its message); per subscription,
    /// its lifecycle with BENOTIFY storms collapsed.
    pub fn presence(&mut self) -> JsValue {
        let d = self.done();
        d.presence
            .get_or_insert_with(|| to_js(&crate::explain::presence(&d.analysis)))
            .clone()
    }

    /// The conversations as the list shows them: their message and transaction lists stay here (a big log's
    /// lists are as long as its messages); `message_conversations()` maps messages to conversations.
    pub fn conversations(&mut self) -> JsValue {
        let list: Vec<ConversationView<'_>> = self
            .done()
            .analysis
            .flow
            .conversations
            .iter()
            .map(|c| ConversationView {
                id: c.id,
                call_id: &c.call_id,
                kind: c.kind,
                label: &c.label,
                message_count: c.messages.len(),
                transaction_count: c.transactions.len(),
                first_time: c.first_time,
                failed: c.failed,
            })
            .collect();
        to_js(&list)
    }

    /// The conversation of every message, by message index (`Uint32Array`; `u32::MAX` for none).
    pub fn message_conversations(&mut self) -> js_sys::Uint32Array {
        let links = &self.done().analysis.flow.links;
        let v: Vec<u32> = links
            .iter()
            .map(|l| l.conversation.unwrap_or(u32::MAX))
            .collect();
        js_sys::Uint32Array::from(v.as_slice())
    }

    /// Set a file's clock offset by hand (milliseconds added to its times) and merge again; `null` goes back to
    /// the estimate. The ladder shows all messages afterwards.
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

    /// Narrow the ladder to one conversation; `-1` shows all messages.
    pub fn set_filter(&mut self, conversation: i32) {
        let d = self.done();
        let shown = usize::try_from(conversation)
            .ok()
            .and_then(|c| d.analysis.flow.conversations.get(c))
            .map(|c| c.messages.clone());
        d.ladder = d.analysis.ladder(shown.as_deref());
        d.layout = svg::Layout::new(&d.ladder);
        d.shown = shown;
    }

    pub fn ladder_meta(&mut self) -> JsValue {
        let d = self.done();
        to_js(&LadderMeta {
            columns: &d.ladder.columns,
            rows: d.ladder.rows.len(),
            messages: d.ladder.rows.iter().map(|r| r.msg).collect(),
            width: d.layout.width,
            height: d.layout.height,
            header_height: d.layout.header_height,
            row_height: d.layout.row_height,
        })
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

    /// The whole current ladder as one standalone SVG document (for "save as SVG").
    pub fn ladder_export(&mut self) -> String {
        let d = self.done();
        svg::render_with(&d.ladder, &d.layout, 0..d.ladder.rows.len())
    }

    /// Indices of the messages that contain `query` (ASCII letters without case; text and endpoints), in ladder
    /// order: searched in the text the engine already holds, so no file is read again.
    pub fn search(&mut self, query: &str) -> js_sys::Uint32Array {
        js_sys::Uint32Array::from(self.done().analysis.search(query).as_slice())
    }

    /// Everything the message panel shows; `null` for an index out of range.
    pub fn message(&mut self, index: u32) -> JsValue {
        match self.done().analysis.message_detail(index) {
            Some(m) => to_js(&m),
            None => JsValue::NULL,
        }
    }
}
