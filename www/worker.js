// sipscope analysis worker: owns the wasm Session. The page never loads the wasm itself.
//
// Protocol (page -> worker):
//   {type:'analyze', job, sources:[{kind:'file', file} | {kind:'bytes', name, bytes} | {kind:'sample'}]}
//   {type:'call', id, method, args}            tiny RPC, answered with {type:'result', id, value|error}
// Worker -> page:
//   {type:'ready', version}
//   {type:'progress', job, file, bytes, total}
//   {type:'done', job, summary, conversations, meta}
//   {type:'error', job, message}
//   {type:'fatal', message}                    the wasm module could not be loaded

import init, { Session, sample_log, version } from './sipscope.js';

const CHUNK = 4 * 1024 * 1024;

let session = null;
let ready = null;
let fatal = null; // set when the wasm module could not be loaded
let messageTextCache = null; // lower-cased search text per message index, built on the first search

// serde-wasm-bindgen may hand out Map objects and BigInts; the page wants plain JSON-like values.
function plain(value) {
  if (value instanceof Map) {
    const out = {};
    for (const [k, v] of value) out[k] = plain(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'bigint') return Number(value);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
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

async function start() {
  try {
    await init();
    self.postMessage({ type: 'ready', version: typeof version === 'function' ? version() : '' });
  } catch (err) {
    fatal = 'The analysis engine (WebAssembly) could not be loaded: ' + errorText(err);
    self.postMessage({ type: 'fatal', message: fatal });
  }
}

function newSession() {
  if (session) {
    try { session.free(); } catch { /* a panicked session may refuse; drop it */ }
  }
  session = new Session();
  messageTextCache = null;
}

async function analyze(job, sources) {
  newSession();
  const totalBytes = sources.reduce((n, s) => n + sourceSize(s), 0);
  let doneBytes = 0;
  for (const src of sources) {
    if (src.kind === 'file') {
      const file = src.file;
      const id = session.add_file(file.name, file.size);
      for (let offset = 0; offset < file.size; offset += CHUNK) {
        const buf = await file.slice(offset, offset + CHUNK).arrayBuffer();
        session.push(id, new Uint8Array(buf));
        doneBytes += buf.byteLength;
        self.postMessage({ type: 'progress', job, file: file.name, bytes: doneBytes, total: totalBytes });
      }
      session.finish_file(id);
    } else {
      const name = src.kind === 'sample' ? 'sample.uccapilog' : src.name;
      const bytes = src.kind === 'sample' ? sample_log() : src.bytes;
      const id = session.add_file(name, bytes.length);
      for (let offset = 0; offset < bytes.length; offset += CHUNK) {
        const chunk = bytes.subarray(offset, offset + CHUNK);
        session.push(id, chunk);
        doneBytes += chunk.length;
        self.postMessage({ type: 'progress', job, file: name, bytes: doneBytes, total: totalBytes });
      }
      session.finish_file(id);
    }
  }
  self.postMessage({
    type: 'done',
    job,
    summary: plain(session.summary()),
    conversations: plain(session.conversations()),
    meta: plain(session.ladder_meta()),
  });
}

function sourceSize(src) {
  if (src.kind === 'file') return src.file.size;
  if (src.kind === 'bytes') return src.bytes.length;
  return 0;
}

// Search: which messages contain the query (case-insensitive, as a phrase) in their raw text, start line
// or endpoints.
function search(query) {
  const needle = String(query).trim().toLowerCase();
  if (!needle) return null;
  if (!messageTextCache) {
    const count = plain(session.summary()).message_count;
    messageTextCache = new Array(count);
    for (let i = 0; i < count; i++) {
      const m = plain(session.message(i));
      messageTextCache[i] = [m.start_line, m.src, m.dst, m.raw].join('\n').toLowerCase();
    }
  }
  const hits = [];
  for (let i = 0; i < messageTextCache.length; i++) {
    const text = messageTextCache[i];
    if (text.includes(needle)) hits.push(i);
  }
  return hits;
}

const methods = {
  meta: () => session.ladder_meta(),
  svg: (first, count) => session.ladder_svg(first, count),
  header: () => session.ladder_header(),
  export: () => session.ladder_export(),
  conversations: () => session.conversations(),
  summary: () => session.summary(),
  setFilter: (id) => { session.set_filter(id); return session.ladder_meta(); },
  message: (index) => session.message(index),
  search: (query) => search(query),
};

self.onmessage = async (event) => {
  const msg = event.data;
  await ready;
  if (fatal) {
    if (msg.type === 'call') self.postMessage({ type: 'result', id: msg.id, error: fatal });
    else if (msg.type === 'analyze') self.postMessage({ type: 'error', job: msg.job, message: fatal });
    return;
  }
  if (msg.type === 'analyze') {
    try {
      await analyze(msg.job, msg.sources);
    } catch (err) {
      session = null;
      self.postMessage({ type: 'error', job: msg.job, message: errorText(err) });
    }
  } else if (msg.type === 'call') {
    try {
      if (!session) throw new Error('nothing analyzed yet');
      const fn = methods[msg.method];
      if (!fn) throw new Error('unknown method ' + msg.method);
      self.postMessage({ type: 'result', id: msg.id, value: plain(fn(...(msg.args || []))) });
    } catch (err) {
      self.postMessage({ type: 'result', id: msg.id, error: errorText(err) });
    }
  }
};

ready = start();
