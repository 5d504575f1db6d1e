// sipscope analysis worker: owns the wasm Session. The page never loads the wasm itself.
//
// One worker holds one analysis. The page starts a fresh worker for every analysis and terminates the old one
// when the new one is done (or terminates the new one on Cancel), so the wasm memory of an analysis is given
// back to the browser as soon as it is no longer shown: a wasm instance's memory never shrinks.
//
// Protocol (page -> worker):
//   {type:'analyze', job, sources:[{kind:'file', file, name?} | {kind:'bytes', name, bytes} | {kind:'sample'}],
//    previewRows}
//   {type:'call', id, method, args}            tiny RPC, answered with {type:'result', id, value|error};
//                                              methods: see `methods` below (findings, presence and
//                                              setClockOffset serve www/insights.js)
// Worker -> page:
//   {type:'ready', version}
//   {type:'progress', job, phase:'reading'|'correlating', file, bytes, total, messages, wasmBytes}
//                                              after every 4 MiB chunk (and once before correlating)
//   {type:'preview', job, svg, messages}       a standalone SVG of the first messages read so far: after the
//                                              first chunk, then about every second while it still grows
//   {type:'done', job, summary, conversations, meta, timings, wasmBytes}
//   {type:'error', job, message, kind:'memory'|'read'|'engine'}
//   {type:'fatal', message}                    the wasm module could not be loaded
//
// Large values cross compactly: meta.messages is an Int32Array (transferred); conversations come without their
// message lists (the page only needs counts; search matches conversations here); only the first DIAG_PAGE diagnostics
// are sent, the rest on request ('diagnostics' call).

import init, { Session, sample_log, version } from './sipscope.js';

const CHUNK = 4 * 1024 * 1024;
const READ_AHEAD = 3; // slices read ahead of the engine

// A Blob's slices in order: `await next()` gives the next one's ArrayBuffer; `close()` when done or abandoned.
// Read by reader.js in a worker of its own, so reading overlaps the engine's work (see reader.js). Where that
// worker cannot start (nested workers are missing in some browsers; reader.js did not load), read here, a few
// slices ahead.
function readSlices(blob) {
  let reader = null;
  try {
    reader = new Worker(new URL('./reader.js', import.meta.url), { type: 'module', name: 'sipscope-reader' });
  } catch {
    reader = null;
  }
  if (!reader) return readSlicesHere(blob);
  const arrived = [];
  let waiting = null;
  let taken = 0; // slices handed out so far
  let here = null; // the fallback, once the reader failed before its first slice
  const deliver = (item) => {
    if (waiting) { const w = waiting; waiting = null; w(item); } else arrived.push(item);
  };
  reader.onmessage = (e) => deliver(e.data);
  reader.onerror = (e) => {
    e.preventDefault();
    deliver(arrived.length === 0 && taken === 0 ? { unavailable: true } : { error: e.message || 'the file reader failed' });
  };
  reader.postMessage({ blob, chunk: CHUNK, ahead: READ_AHEAD });
  return {
    async next() {
      if (here) return here.next();
      const item = arrived.length ? arrived.shift() : await new Promise((resolve) => { waiting = resolve; });
      if (item.unavailable) {
        reader.terminate();
        here = readSlicesHere(blob);
        return here.next();
      }
      if (item.error !== undefined) throw new Error(item.error);
      taken += 1;
      reader.postMessage('more');
      return item.buf;
    },
    close: () => reader.terminate(),
  };
}

// readSlices without a reader worker: this worker reads, READ_AHEAD slices ahead.
function readSlicesHere(blob) {
  let offset = 0;
  const ahead = [];
  const fill = () => {
    while (ahead.length < READ_AHEAD && offset < blob.size) {
      const p = blob.slice(offset, offset + CHUNK).arrayBuffer();
      p.catch(() => {}); // reported when awaited
      ahead.push(p);
      offset += CHUNK;
    }
  };
  fill();
  return {
    next: () => { const p = ahead.shift(); fill(); return p; },
    close: () => {},
  };
}

const PREVIEW_EVERY_MS = 1000;
const DIAG_PAGE = 200;

let wasm = null; // the wasm exports (for the memory size)
let session = null;
let ready = null;
let fatal = null; // set when the wasm module could not be loaded
let convOf = new Uint32Array(0); // per message: its conversation (for search)
let diagnostics = []; // every diagnostic, sorted by severity
let reading = { file: '', bytes: 0 }; // where the reading is, for error messages

// serde-wasm-bindgen may hand out Map objects and BigInts; the page wants plain JSON-like values.
function plain(value) {
  if (value instanceof Map) {
    const out = {};
    for (const [k, v] of value) out[k] = plain(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'bigint') return Number(value);
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out = {};
    for (const k of Object.keys(value)) out[k] = plain(value[k]);
    return out;
  }
  return value;
}

function errorText(err) {
  if (err instanceof Error) return err.message || String(err);
  if (typeof err === 'string') return err;
  try { return JSON.stringify(err); } catch { return String(err); }
}

// An engine trap (RuntimeError: unreachable, from an allocation that failed) or a RangeError (an ArrayBuffer or
// wasm memory that could not grow) almost always means the tab ran out of memory.
function isMemoryError(err) {
  if (err instanceof RangeError) return true;
  if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError) return true;
  return /out of memory|memory|allocation failed|could not grow/i.test(errorText(err));
}

const wasmBytes = () => (wasm && wasm.memory ? wasm.memory.buffer.byteLength : 0);

async function start() {
  try {
    // The single-file page (sipscope-offline.html) hands the wasm bytes over; served, the glue fetches the file.
    wasm = await init(self.sipscopeWasm ? { module_or_path: self.sipscopeWasm } : undefined);
    self.postMessage({ type: 'ready', version: typeof version === 'function' ? version() : '' });
  } catch (err) {
    fatal = 'The analysis engine (WebAssembly) could not be loaded: ' + errorText(err);
    self.postMessage({ type: 'fatal', message: fatal });
  }
}

function sourceSize(src) {
  if (src.kind === 'file') return src.file.size;
  if (src.kind === 'bytes') return src.bytes.length;
  return 0;
}

async function analyze(job, sources, previewRows) {
  if (session) throw new Error('this worker already holds an analysis');
  session = new Session();
  const t0 = performance.now();
  const totalBytes = sources.reduce((n, s) => n + sourceSize(s), 0);
  let doneBytes = 0;
  let lastPreview = -Infinity;
  let previewMessages = 0;
  let currentName = '';
  let waited = 0; // ms spent waiting for the file's bytes
  let pushed = 0; // ms spent in the engine's push (import and parse)

  const progress = (phase) => {
    reading = { file: currentName, bytes: doneBytes };
    self.postMessage({
    type: 'progress', job, phase, file: currentName, bytes: doneBytes, total: totalBytes,
      messages: session.message_count(), wasmBytes: wasmBytes(),
    });
  };
  // The first messages as a picture, while the rest is read: after the first chunk, then about every second
  // until it holds `previewRows` messages (it never changes after that).
  const preview = (force) => {
    if (!previewRows || previewMessages >= previewRows) return;
    const now = performance.now();
    if (!force && now - lastPreview < PREVIEW_EVERY_MS) return;
    const count = session.message_count();
    if (count === previewMessages) return;
    lastPreview = now;
    const svg = session.preview_svg(previewRows);
    if (!svg) return;
    previewMessages = Math.min(count, previewRows);
    self.postMessage({ type: 'preview', job, svg, messages: previewMessages });
  };

  for (const src of sources) {
    let blob;
    if (src.kind === 'file') {
      blob = src.file;
      currentName = src.name || src.file.name; // a part of a file is a Blob named by the page
    } else if (src.kind === 'sample') {
      blob = new Blob([sample_log()]);
      currentName = 'sample.uccapilog';
    } else {
      blob = new Blob([src.bytes]);
      currentName = src.name;
    }
    reading = { file: currentName, bytes: doneBytes };
    const id = session.add_file(currentName, blob.size);
    const slices = readSlices(blob);
    try {
      for (let offset = 0; offset < blob.size; offset += CHUNK) {
        let buf;
        const tWait = performance.now();
        try {
          buf = await slices.next();
        } catch (err) {
          const e = new Error(`${currentName} could not be read at ${offset} bytes (${errorText(err)}). Was it changed or removed while it was read?`);
          e.kind = 'read';
          throw e;
        }
        const tPush = performance.now();
        waited += tPush - tWait;
        session.push(id, new Uint8Array(buf));
        pushed += performance.now() - tPush;
        doneBytes += buf.byteLength;
        progress('reading');
        preview(offset === 0);
      }
    } finally {
      slices.close();
    }
    session.finish_file(id);
  }
  preview(true);
  const tRead = performance.now();
  progress('correlating');

  // The first query finishes the analysis (merge, correlate): the one long step without progress.
  const summary = plain(session.summary());
  const tFinish = performance.now();
  const { conversations, meta } = results(summary);
  const tEnd = performance.now();
  self.postMessage({
    type: 'done',
    job,
    summary,
    conversations,
    meta,
    wasmBytes: wasmBytes(),
    timings: { read: tRead - t0, wait: waited, push: pushed, correlate: tFinish - tRead, serialize: tEnd - tFinish, total: tEnd - t0 },
  }, [meta.messages.buffer]);
}

// What the page draws from a finished analysis (after the first one, and again after a re-merge): the summary
// with the first page of diagnostics, the conversations (without message lists), the ladder's meta.
function results(summary) {
  const convs = plain(session.conversations());
  const meta = metaOut(session.ladder_meta());
  const order = { error: 0, warning: 1, info: 2 };
  diagnostics = (summary.diagnostics || []).slice().sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3));
  summary.diagnostics = diagnostics.slice(0, DIAG_PAGE);
  summary.diagnostics_total = diagnostics.length;
  convOf = session.message_conversations();
  return { conversations: convs, meta };
}

// Findings, computed once per merge and sent a page at a time (a log can hold very many).
let findingsCache = null;
function findingsPage(from, count) {
  if (!findingsCache) findingsCache = plain(session.findings()) || [];
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findingsCache) counts[f.severity in counts ? f.severity : 'info'] += 1;
  return { total: findingsCache.length, counts, items: findingsCache.slice(from, from + count) };
}

// A file's clock offset set by hand (ms, or null for the estimate): the files are merged again, so message
// indices, conversations and the ladder change; the page redraws everything from what this returns.
function setClockOffset(file, ms) {
  session.set_clock_offset(file, ms === null || ms === undefined ? undefined : Number(ms));
  findingsCache = null;
  const summary = plain(session.summary());
  return { summary, ...results(summary) };
}

// ladder_meta() with the row order as an Int32Array (cheap to send: transferred, not copied).
function metaOut(raw) {
  const meta = plain(raw);
  meta.messages = Int32Array.from(meta.messages || []);
  return meta;
}

// ---------------------------------------------------------------------------------------------
// Search: the engine looks in the text it already holds (every message's SIP text and endpoints, ASCII letters
// without case) and returns the matching message indices; the conversations with a hit are found here.

function search(query) {
  const needle = String(query).trim();
  if (!needle) return null;
  const hits = session.search(needle);
  const convs = new Set();
  for (const i of hits) if (i < convOf.length && convOf[i] !== 0xffffffff) convs.add(convOf[i]);
  return { hits: Int32Array.from(hits), convs: Int32Array.from([...convs].sort((a, b) => a - b)) };
}

// ---------------------------------------------------------------------------------------------

function exportBlob() {
  const text = session.ladder_export();
  return new Blob([text], { type: 'image/svg+xml' });
}

const methods = {
  meta: () => metaOut(session.ladder_meta()),
  svg: (first, count) => session.ladder_svg(first, count),
  header: () => session.ladder_header(),
  export: () => exportBlob(),
  summary: () => plain(session.summary()),
  setFilter: (id) => { session.set_filter(id); return metaOut(session.ladder_meta()); },
  message: (index) => plain(session.message(index)),
  diagnostics: (from, count) => diagnostics.slice(from, from + count),
  search: (query) => search(query),
  findings: (from, count) => findingsPage(from || 0, count || 300),
  presence: () => plain(session.presence()),
  setClockOffset: (file, ms) => setClockOffset(file, ms),
};

function transferables(value) {
  if (value && ArrayBuffer.isView(value.messages)) return [value.messages.buffer];
  if (value && ArrayBuffer.isView(value.hits)) return [value.hits.buffer, value.convs.buffer];
  return [];
}

self.onmessage = async (event) => {
  const msg = event.data;
  await ready;
  if (fatal) {
    if (msg.type === 'call') self.postMessage({ type: 'result', id: msg.id, error: fatal });
    else if (msg.type === 'analyze') self.postMessage({ type: 'error', job: msg.job, message: fatal, kind: 'engine' });
    return;
  }
  if (msg.type === 'analyze') {
    try {
      await analyze(msg.job, msg.sources, msg.previewRows ?? 200);
    } catch (err) {
      const kind = err && err.kind === 'read' ? 'read' : isMemoryError(err) ? 'memory' : 'engine';
      self.postMessage({ type: 'error', job: msg.job, message: errorText(err), kind, file: reading.file, bytes: reading.bytes, wasmBytes: wasmBytes() });
    }
  } else if (msg.type === 'call') {
    try {
      if (!session) throw new Error('nothing analyzed yet');
      const fn = methods[msg.method];
      if (!fn) throw new Error('unknown method ' + msg.method);
      const value = await fn(...(msg.args || []), msg.id);
      self.postMessage({ type: 'result', id: msg.id, value }, transferables(value));
    } catch (err) {
      self.postMessage({ type: 'result', id: msg.id, error: errorText(err) });
    }
  }
};

ready = start();
