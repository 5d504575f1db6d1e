// sipscope analysis worker: owns the wasm Session. The page never loads the wasm itself.
//
// One worker holds one analysis. The page starts a fresh worker for every analysis and terminates the old one
// when the new one is done (or terminates the new one on Cancel), so the wasm memory of an analysis is given
// back to the browser as soon as it is no longer shown: a wasm instance's memory never shrinks.
//
// Protocol (page -> worker):
//   {type:'analyze', job, sources:[{kind:'file', file} | {kind:'bytes', name, bytes} | {kind:'sample'}],
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
//   {type:'searchProgress', id, done, total}   while the first search builds its index
//   {type:'fatal', message}                    the wasm module could not be loaded
//
// Large values cross compactly: meta.messages is an Int32Array (transferred); conversations lose their message
// lists (the page only needs counts; search matches conversations here); only the first DIAG_PAGE diagnostics
// are sent, the rest on request ('diagnostics' call).

import init, { Session, sample_log, version } from './sipscope.js';

const CHUNK = 4 * 1024 * 1024;
const PREVIEW_EVERY_MS = 1000;
const DIAG_PAGE = 200;

let wasm = null; // the wasm exports (for the memory size)
let session = null;
let ready = null;
let fatal = null; // set when the wasm module could not be loaded
let blobs = []; // per file id: the bytes it was read from (File or Blob), for search
let convMessages = []; // per conversation: its message indices (for search)
let diagnostics = []; // every diagnostic, sorted by severity
let searchIndex = null; // promise of the index (see buildSearchIndex)
let searchSeq = 0;
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
    wasm = await init();
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
      currentName = src.file.name;
    } else if (src.kind === 'sample') {
      blob = new Blob([sample_log()]);
      currentName = 'sample.uccapilog';
    } else {
      blob = new Blob([src.bytes]);
      currentName = src.name;
    }
    reading = { file: currentName, bytes: doneBytes };
    const id = session.add_file(currentName, blob.size);
    blobs[id] = blob;
    // Read the next slice while the engine works on this one.
    const read = (offset) => blob.slice(offset, offset + CHUNK).arrayBuffer();
    let next = blob.size > 0 ? read(0) : null;
    for (let offset = 0; offset < blob.size; offset += CHUNK) {
      let buf;
      try {
        buf = await next;
      } catch (err) {
        const e = new Error(`${currentName} could not be read at ${offset} bytes (${errorText(err)}). Was it changed or removed while it was read?`);
        e.kind = 'read';
        throw e;
      }
      next = offset + CHUNK < blob.size ? read(offset + CHUNK) : null;
      session.push(id, new Uint8Array(buf));
      doneBytes += buf.byteLength;
      progress('reading');
      preview(offset === 0);
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
    timings: { read: tRead - t0, correlate: tFinish - tRead, serialize: tEnd - tFinish, total: tEnd - t0 },
  }, [meta.messages.buffer]);
}

// What the page draws from a finished analysis (after the first one, and again after a re-merge): the summary
// with the first page of diagnostics, the conversations without their message lists, the ladder's meta.
function results(summary) {
  const convs = plain(session.conversations());
  const meta = metaOut(session.ladder_meta());
  const order = { error: 0, warning: 1, info: 2 };
  diagnostics = (summary.diagnostics || []).slice().sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3));
  summary.diagnostics = diagnostics.slice(0, DIAG_PAGE);
  summary.diagnostics_total = diagnostics.length;
  convMessages = convs.map((c) => (Array.isArray(c.messages) ? Int32Array.from(c.messages) : new Int32Array(0)));
  const conversations = convs.map((c, i) => {
    const out = { ...c, message_count: convMessages[i].length };
    delete out.messages;
    delete out.transactions;
    return out;
  });
  return { conversations, meta };
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
  searchIndex = null;
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
// Search: which messages contain the query (case-insensitive for ASCII letters). The worker does not keep a
// copy of every message's text: it reads the dropped file again and looks inside each message's block of the
// log (its byte span: for a client log, the packet lines with addresses and time, and the SIP text), and also
// matches the message's endpoints. The index (each message's span and endpoints) is built on the first search;
// when a file's spans do not point at its text (a format read through a decoder), that file's messages are
// searched in their text instead.

const yieldNow = () => new Promise((resolve) => setTimeout(resolve, 0));

function sniffEncoding(head) {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head.length >= 4 && head[0] && head[0] < 0x80 && head[1] === 0 && head[2] && head[2] < 0x80 && head[3] === 0) return 'utf-16le';
  if (head.length >= 4 && head[0] === 0 && head[1] && head[1] < 0x80 && head[2] === 0 && head[3] && head[3] < 0x80) return 'utf-16be';
  // windows-1252: one character per byte, so string positions are byte positions.
  return 'latin1';
}

const unitBytes = (enc) => (enc === 'latin1' ? 1 : 2);

// The needle as it appears after decoding the file with `enc` and lower-casing.
function needleFor(query, enc) {
  if (enc !== 'latin1') return query;
  return new TextDecoder('latin1').decode(new TextEncoder().encode(query)).toLowerCase();
}

async function buildSearchIndex(id) {
  const count = session.message_count();
  // Per file of the analysis (an archive's members are files of their own, with no blob here: searched in text).
  const files = [];
  const endpoints = new Map(); // endpoint string -> list of message indices (few distinct endpoints)
  const addEndpoint = (name, i) => {
    if (!name) return;
    let list = endpoints.get(name);
    if (!list) endpoints.set(name, (list = []));
    list.push(i);
  };
  let t = performance.now();
  for (let i = 0; i < count; i++) {
    const m = session.message(i);
    if (!m) continue;
    const f = files[m.file] || (files[m.file] = { msgs: [], starts: [], ends: [], mode: null, text: null });
    const [start, end] = (m.span || [0, 0]).map(Number);
    if (f.mode === null) f.mode = await spanPointsAtText(m.file, start, end, String(m.start_line || ''));
    if (f.mode === 'bytes') {
      f.msgs.push(i);
      f.starts.push(start);
      f.ends.push(end);
    } else {
      if (!f.text) f.text = new Map();
      f.text.set(i, [m.start_line, m.raw].join('\n').toLowerCase());
    }
    addEndpoint(String(m.src || '').toLowerCase(), i);
    addEndpoint(String(m.dst || '').toLowerCase(), i);
    if (performance.now() - t > 30) {
      self.postMessage({ type: 'searchProgress', id, done: i + 1, total: count });
      await yieldNow(); // let the page's other requests (ladder windows, message details) through
      t = performance.now();
    }
  }
  for (const f of files) {
    if (!f) continue;
    // Sort each file's messages by position (they are, unless merging reordered them).
    const order = f.msgs.map((_, k) => k).sort((a, b) => f.starts[a] - f.starts[b]);
    f.msgs = Int32Array.from(order, (k) => f.msgs[k]);
    f.starts = Float64Array.from(order, (k) => f.starts[k]);
    f.ends = Float64Array.from(order, (k) => f.ends[k]);
  }
  return { files, endpoints, count };
}

// Does the file's byte span of a message hold its start line? (No for a file read through a decoder.)
async function spanPointsAtText(file, start, end, startLine) {
  const blob = blobs[file];
  if (!blob || !(end > start) || end > blob.size || !startLine) return 'text';
  try {
    const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
    const enc = sniffEncoding(head);
    const bytes = await blob.slice(start, Math.min(end, start + 64 * 1024)).arrayBuffer();
    const text = new TextDecoder(enc === 'latin1' ? 'utf-8' : enc).decode(bytes);
    return text.includes(startLine.slice(0, 200)) ? 'bytes' : 'text';
  } catch {
    return 'text';
  }
}

// The index is built once, on the first search, or earlier when the page says a search is coming (the search box
// got focus): building it calls message() for every message (tens of µs each: seconds for 100,000 messages).
function ensureSearchIndex(id) {
  if (!searchIndex) {
    searchIndex = buildSearchIndex(id);
    searchIndex.catch(() => { searchIndex = null; });
  }
  return searchIndex;
}

async function search(query, id) {
  const seq = ++searchSeq;
  const needle = String(query).trim().toLowerCase();
  if (!needle) return null;
  const index = await ensureSearchIndex(id);
  if (seq !== searchSeq) return { superseded: true };
  const mask = new Uint8Array(index.count);
  for (const [name, list] of index.endpoints) if (name.includes(needle)) for (const i of list) mask[i] = 1;
  for (let fid = 0; fid < index.files.length; fid++) {
    const f = index.files[fid];
    if (!f) continue;
    if (f.text) for (const [i, text] of f.text) if (text.includes(needle)) mask[i] = 1;
    if (f.msgs.length) {
      const ok = await scanFile(fid, f, needle, mask, seq);
      if (!ok) return { superseded: true };
    }
  }
  const hits = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) hits.push(i);
  const convs = [];
  convMessages.forEach((list, c) => {
    for (const m of list) if (mask[m]) { convs.push(c); break; }
  });
  return { hits: Int32Array.from(hits), convs: Int32Array.from(convs) };
}

// Mark the messages of file `fid` whose span holds `needle`. Reads the file again in CHUNK slices (with an
// overlap of the needle's length); false when a newer search started meanwhile.
async function scanFile(fid, f, query, mask, seq) {
  const blob = blobs[fid];
  const enc = sniffEncoding(new Uint8Array(await blob.slice(0, 4).arrayBuffer()));
  const unit = unitBytes(enc);
  const needle = needleFor(query, enc);
  const decoder = new TextDecoder(enc, { ignoreBOM: true }); // keep the BOM: string positions stay byte positions
  const overlap = (needle.length - 1) * unit;
  const first = f.starts[0];
  const last = f.ends[f.ends.length - 1];
  let k = 0; // the first message whose span may still hold a hit
  for (let pos = first - (first % unit); pos < last && k < f.msgs.length; pos += CHUNK) {
    const from = Math.max(0, pos - overlap);
    const buf = await blob.slice(from, Math.min(blob.size, pos + CHUNK)).arrayBuffer();
    if (seq !== searchSeq) return false;
    const hay = decoder.decode(buf).toLowerCase();
    let at = hay.indexOf(needle);
    while (at >= 0 && k < f.msgs.length) {
      const offset = from + at * unit;
      while (k < f.msgs.length && f.ends[k] < offset + needle.length * unit) k++;
      if (k >= f.msgs.length) break;
      if (f.starts[k] <= offset) {
        mask[f.msgs[k]] = 1;
        // One hit is enough: go on after this message's block.
        const next = Math.floor((f.ends[k] - from) / unit);
        k++;
        at = hay.indexOf(needle, Math.max(at + 1, next));
      } else {
        // Between messages: go on at the next message's block.
        at = hay.indexOf(needle, Math.max(at + 1, Math.floor((f.starts[k] - from) / unit)));
      }
    }
  }
  return true;
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
  search: (query, id) => search(query, id),
  prepareSearch: () => { ensureSearchIndex(null).catch(() => {}); return true; },
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
