// @ts-check
// sipscope analysis worker: owns the wasm Session and is the page's transport to it. The page never loads the
// wasm itself, and this worker decides nothing: everything the page shows comes from the Session's own methods.
//
// One worker holds one analysis. The page starts a fresh worker for every analysis and terminates the old one
// when the new one is done (or terminates the new one on Cancel), so the wasm memory of an analysis is given
// back to the browser as soon as it is no longer shown: a wasm instance's memory never shrinks.
//
// Protocol (page -> worker):
//   {type:'analyze', job, sources:[{kind:'file', file, name?} | {kind:'bytes', name, bytes} | {kind:'sample'}],
//    previewRows}
//   {type:'call', id, method, args}            session[method](...args) for the methods in CALLS, answered with
//                                              {type:'result', id, value|error}
//   {type:'redact', id, sources, keep, mapping, zip} a redacted copy of each source (the engine's `redact`),
//                                              answered with {type:'result', id, value: {summary, copies, mapping,
//                                              zip}|error};
//                                              the copies' buffers are transferred. Sent to a worker of its own,
//                                              never one that holds an analysis (wasm memory never shrinks)
// Worker -> page:
//   {type:'ready', version}
//   {type:'progress', job, phase:'reading'|'correlating', file, bytes, total, messages, wasmBytes,
//    step?, stepDone?, stepTotal?}             after every 4 MiB chunk; while correlating, at each of the
//                                              engine's steps (merging, correlating, endpoints, diagnostics,
//                                              ladder) and every 32,768 messages correlated
//   {type:'preview', job, svg, messages}       a standalone SVG of the first messages read so far: after the
//                                              first chunk, then about every second while it still grows
//   {type:'done', job, summary, conversations, meta, timings, wasmBytes}
//   {type:'error', job, message, kind:'memory'|'panic'|'read'|'engine', file, bytes, wasmBytes, crash?}
//   {type:'fatal', message}                    the wasm module could not be loaded
//   {type:'crashed', crash}                    the engine trapped (a panic or out of memory) on a call; after
//                                              it this worker never calls into the wasm instance again (its state
//                                              is poisoned) and answers every call with an error and `crash`
// where crash = {kind:'panic'|'memory', step, error, where, wasmBytes}: no log text, no file name (step is e.g.
// "message(1234)" or "reading file 2 of 3 (12.0 MiB) at 4.0 MiB"; where is the panic's place in sipscope's source).
//
// Lists of message indices cross as Int32Array (transferred, not copied): ladder_meta().messages, set_query()'s hits
// and conversations; export()'s bytes are transferred too.

import init, { Session, sample_log, version, redact } from './sipscope.js';

const CHUNK = 4 * 1024 * 1024;
const READ_AHEAD = 3; // slices read ahead of the engine
const PREVIEW_EVERY_MS = 1000;

/** @typedef {import('./sipscope.js').Session} SessionT */
/** @typedef {{next: () => Promise<ArrayBuffer>, close: () => void}} Slices */
/** @typedef {{kind: 'file', file: Blob & {name?: string}, name?: string} | {kind: 'bytes', name: string, bytes: Uint8Array} | {kind: 'sample'}} Source */

// The Session methods the page may call, by their own names (the page's `call(method, ...args)`).
/** @type {Set<keyof SessionT>} */
const CALLS = new Set([
  'summary', 'conversations', 'ladder_meta', 'ladder_svg', 'ladder_header', 'set_filter', 'set_clock_offset',
  'message', 'diagnostics', 'findings', 'presence', 'response_times', 'diff', 'headers_alone', 'set_query', 'export',
  'trace_summary', 'set_trace_filter', 'trace_rows', 'trace_locate', 'trace_locate_line', 'calls',
]);

// postMessage of this worker (the page's lib types `self` as a window).
const post = /** @type {(message: unknown, transfer?: Transferable[]) => void} */ (self.postMessage.bind(self));

// What this worker holds (one analysis).
const held = {
  /** @type {{memory: WebAssembly.Memory} | null} the wasm exports (for the memory size) */
  wasm: null,
  /** @type {SessionT | null} */
  session: null,
  /** @type {Promise<void> | null} */
  ready: null,
  /** @type {string | null} set when the wasm module could not be loaded */
  fatal: null,
  /** what the engine was doing, for the technical details of a crash */
  step: 'starting',
  /** where the reading is, for error messages */
  reading: { file: '', bytes: 0 },
  /** @type {Crash | null} set at the first engine trap: the wasm instance is not called again */
  dead: null,
  /** where in sipscope's source the last panic was (from the panic hook's console message) */
  panicAt: '',
};

/** @typedef {{kind: 'panic' | 'memory', step: string, error: string, where: string, wasmBytes: number}} Crash */

// The engine's panic hook (console_error_panic_hook) logs "panicked at src/….rs:L:C:\n<message>" just before the
// trap. Its place in the source is kept for the technical details; the message (which may quote the log) is not.
const consoleError = console.error.bind(console);
console.error = (...args) => {
  const m = /panicked at ([\w./\\-]+\.rs:\d+(?::\d+)?)/.exec(String(args[0]));
  if (m) held.panicAt = m[1];
  consoleError(...args);
};

// A Blob's slices in order: `await next()` gives the next one's ArrayBuffer; `close()` when done or abandoned.
// Read by reader.js in a worker of its own, so reading overlaps the engine's work (see reader.js). Where that
// worker cannot start (nested workers are missing in some browsers; reader.js did not load), read here, a few
// slices ahead.
/** @param {Blob} blob @returns {Slices} */
function readSlices(blob) {
  /** @type {Worker | null} */
  let reader = null;
  try {
    reader = new Worker(new URL('./reader.js', import.meta.url), { type: 'module', name: 'sipscope-reader' });
  } catch {
    reader = null;
  }
  if (!reader) return readSlicesHere(blob);
  const worker = reader;
  /** @typedef {{buf: ArrayBuffer} | {error: string} | {unavailable: true}} Item */
  /** @type {Item[]} */
  const arrived = [];
  /** @type {((item: Item) => void) | null} */
  let waiting = null;
  let taken = 0; // slices handed out so far
  /** @type {Slices | null} the fallback, once the reader failed before its first slice */
  let here = null;
  /** @param {Item} item */
  const deliver = (item) => {
    if (waiting) { const w = waiting; waiting = null; w(item); } else arrived.push(item);
  };
  worker.onmessage = (e) => deliver(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    deliver(arrived.length === 0 && taken === 0 ? { unavailable: true } : { error: e.message || 'the file reader failed' });
  };
  worker.postMessage({ blob, chunk: CHUNK, ahead: READ_AHEAD });
  return {
    async next() {
      if (here) return here.next();
      const item = arrived.shift() || await /** @type {Promise<Item>} */ (new Promise((resolve) => { waiting = resolve; }));
      if ('unavailable' in item) {
        worker.terminate();
        here = readSlicesHere(blob);
        return here.next();
      }
      if ('error' in item) throw new Error(item.error);
      taken += 1;
      worker.postMessage('more');
      return item.buf;
    },
    close: () => worker.terminate(),
  };
}

// readSlices without a reader worker: this worker reads, READ_AHEAD slices ahead.
/** @param {Blob} blob @returns {Slices} */
function readSlicesHere(blob) {
  let offset = 0;
  /** @type {Promise<ArrayBuffer>[]} */
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
    next: () => {
      const p = ahead.shift();
      fill();
      return p || Promise.reject(new Error('read past the end'));
    },
    close: () => {},
  };
}

/** @param {unknown} err */
function errorText(err) {
  if (err instanceof Error) return err.message || String(err);
  if (typeof err === 'string') return err;
  try { return JSON.stringify(err); } catch { return String(err); }
}

// An engine trap: a RuntimeError (`unreachable`: a panic, after the panic hook logged it, or an allocation that
// failed), a RangeError (an ArrayBuffer or wasm memory that could not grow), or wasm-bindgen's refusal to enter an
// object a trap left borrowed. After one, the wasm instance's state is not to be trusted: the worker is dead.
/** @param {unknown} err */
function isTrap(err) {
  if (err instanceof RangeError) return true;
  if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError) return true;
  return /recursive use of an object|out of memory|allocation failed|could not grow/i.test(errorText(err));
}

/**
 * The worker dies: what happened, for the page's technical details (no log text, no file name).
 * @param {unknown} err @param {string} step
 * @returns {Crash}
 */
function die(err, step) {
  if (!held.dead) {
    // A trap's own message comes from the wasm VM or the glue ("unreachable", "Array buffer allocation failed").
    const name = err instanceof Error ? err.name : typeof err;
    const text = err instanceof Error ? err.message.slice(0, 120) : '';
    held.dead = {
      kind: held.panicAt ? 'panic' : 'memory', step, error: text ? `${name}: ${text}` : name, where: held.panicAt,
      wasmBytes: wasmBytes(),
    };
  }
  return held.dead;
}

/** A call as the technical details name it: numbers as they are, text only by its length. @param {string} method @param {unknown[]} args */
function stepName(method, args) {
  const shown = args.map((a) => {
    if (typeof a === 'number' || typeof a === 'boolean' || a === null || a === undefined) return String(a);
    if (typeof a === 'string' && method === 'export' && /^[a-z]{1,12}$/.test(a)) return JSON.stringify(a); // a format name
    return typeof a === 'string' ? `<text of ${a.length} characters>` : `<${typeof a}>`;
  });
  return `${method}(${shown.join(', ')})`;
}

const MIB = 1024 * 1024;
/** @param {number} n */
const mib = (n) => `${(n / MIB).toFixed(1)} MiB`;

const wasmBytes = () => (held.wasm && held.wasm.memory ? held.wasm.memory.buffer.byteLength : 0);

async function start() {
  try {
    // The single-file page (sipscope-offline.html) hands the wasm bytes over; served, the glue fetches the file.
    const bytes = /** @type {{sipscopeWasm?: Uint8Array}} */ (/** @type {unknown} */ (self)).sipscopeWasm;
    held.wasm = await init(bytes ? { module_or_path: bytes } : undefined);
    post({ type: 'ready', version: typeof version === 'function' ? version() : '' });
  } catch (err) {
    held.fatal = 'The analysis engine (WebAssembly) could not be loaded: ' + errorText(err);
    post({ type: 'fatal', message: held.fatal });
  }
}

/** @param {Source} src */
function sourceSize(src) {
  if (src.kind === 'file') return src.file.size;
  if (src.kind === 'bytes') return src.bytes.length;
  return 0;
}

/** An Error that says the file could not be read (not the engine's fault). */
class ReadError extends Error {}

/** @param {number} job @param {Source[]} sources @param {number} previewRows */
async function analyze(job, sources, previewRows) {
  if (held.session) throw new Error('this worker already holds an analysis');
  // The engine keeps where each message is, not its text, and reads the text again from the file when a view
  // asks for it: the files stay here, read with FileReaderSync (a worker may read synchronously).
  /** @type {Blob[]} */
  const blobs = [];
  // FileReaderSync exists only in workers (the page's type library is the DOM's).
  /** @type {{new(): {readAsArrayBuffer(blob: Blob): ArrayBuffer}} | undefined} */
  const Sync = Reflect.get(self, 'FileReaderSync');
  const sync = typeof Sync === 'function' ? new Sync() : null;
  const reads = { count: 0, bytes: 0, ms: 0 }; // read back so far, for the timings
  /** @param {number} file @param {number} offset @param {number} length */
  const read = (file, offset, length) => {
    const blob = blobs[file];
    if (!blob || !sync) return null;
    const t = performance.now();
    try {
      const bytes = new Uint8Array(sync.readAsArrayBuffer(blob.slice(offset, offset + length)));
      reads.count += 1;
      reads.bytes += bytes.length;
      return bytes;
    } catch {
      return null; // changed or removed since: the engine says so on the message
    } finally {
      reads.ms += performance.now() - t;
    }
  };
  const session = new Session(sync ? read : null);
  held.session = session;
  const t0 = performance.now();
  const totalBytes = sources.reduce((n, s) => n + sourceSize(s), 0);
  let doneBytes = 0;
  let lastPreview = -Infinity;
  let previewMessages = 0;
  let currentName = '';
  let waited = 0; // ms spent waiting for the file's bytes
  let pushed = 0; // ms spent in the engine's push (import and parse)

  /**
   * @param {'reading' | 'correlating'} phase
   * @param {number} messages
   * @param {{step: string, stepDone: number, stepTotal: number}} [step]
   */
  const progress = (phase, messages, step) => {
    held.reading = { file: currentName, bytes: doneBytes };
    post({
      type: 'progress', job, phase, file: currentName, bytes: doneBytes, total: totalBytes,
      messages, wasmBytes: wasmBytes(), ...step,
    });
  };
  // The first messages as a picture, while the rest is read: after the first chunk, then about every second
  // until it holds `previewRows` messages (it never changes after that).
  /** @param {boolean} force */
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
    post({ type: 'preview', job, svg, messages: previewMessages });
  };

  for (const [index, src] of sources.entries()) {
    held.step = `reading file ${index + 1} of ${sources.length} (${mib(sourceSize(src))})`;
    /** @type {Blob} */
    let blob;
    if (src.kind === 'file') {
      blob = src.file;
      currentName = src.name || src.file.name || 'file'; // a part of a file is a Blob named by the page
    } else if (src.kind === 'sample') {
      blob = new Blob([/** @type {BlobPart} */ (sample_log())]);
      currentName = 'sample.uccapilog';
    } else {
      blob = new Blob([/** @type {BlobPart} */ (src.bytes)]);
      currentName = src.name;
    }
    held.reading = { file: currentName, bytes: doneBytes };
    const id = session.add_file(currentName, blob.size);
    blobs[id] = blob;
    const slices = readSlices(blob);
    try {
      for (let offset = 0; offset < blob.size; offset += CHUNK) {
        let buf;
        const tWait = performance.now();
        try {
          buf = await slices.next();
        } catch (err) {
          throw new ReadError(`${currentName} could not be read at ${offset} bytes (${errorText(err)}). Was it changed or removed while it was read?`);
        }
        const tPush = performance.now();
        waited += tPush - tWait;
        held.step = `reading file ${index + 1} of ${sources.length} (${mib(blob.size)}) at ${mib(offset)}`;
        session.push(id, new Uint8Array(buf));
        pushed += performance.now() - tPush;
        doneBytes += buf.byteLength;
        progress('reading', session.message_count());
        preview(offset === 0);
      }
    } finally {
      slices.close();
    }
    held.step = `finishing file ${index + 1} of ${sources.length}`;
    session.finish_file(id);
  }
  held.step = 'correlating';
  preview(true);
  const tRead = performance.now();
  const messages = session.message_count();
  progress('correlating', messages);
  // The callback runs inside the engine's call: it must not call the session again.
  session.finish((step, stepDone, stepTotal) => {
    held.step = `finishing (${step})`;
    progress('correlating', messages, { step, stepDone, stepTotal });
  });
  const summary = session.summary();
  const tFinish = performance.now();
  const conversations = session.conversations();
  held.step = 'ladder_meta()';
  const meta = transfer('ladder_meta', session.ladder_meta());
  const tEnd = performance.now();
  post({
    type: 'done',
    job,
    summary,
    conversations,
    meta: meta.value,
    wasmBytes: wasmBytes(),
    timings: {
      read: tRead - t0, wait: waited, push: pushed, correlate: tFinish - tRead, serialize: tEnd - tFinish, total: tEnd - t0,
      readBackCount: reads.count, readBackBytes: reads.bytes, readBackMs: reads.ms,
    },
  }, meta.buffers);
}

/**
 * A redacted copy of each source, with one table of pseudonyms: the sources read whole, then the engine's `redact`.
 * @param {Source[]} sources @param {string[]} keep categories left as they are @param {boolean} mapping
 * @param {boolean} zip also all the copies in one zip
 */
async function redactSources(sources, keep, mapping, zip) {
  /** @type {string[]} */
  const names = [];
  /** @type {Uint8Array[]} */
  const files = [];
  for (const [index, src] of sources.entries()) {
    held.step = `redact: reading file ${index + 1} of ${sources.length} (${mib(sourceSize(src))})`;
    if (src.kind === 'file') {
      names.push(src.name || src.file.name || 'file');
      try {
        files.push(new Uint8Array(await src.file.arrayBuffer()));
      } catch (err) {
        throw new ReadError(`${names[index]} could not be read (${errorText(err)}). Was it changed or removed since it was opened?`);
      }
    } else if (src.kind === 'sample') {
      names.push('sample.uccapilog');
      files.push(sample_log());
    } else {
      names.push(src.name);
      files.push(src.bytes);
    }
  }
  held.step = `redact(${sources.length} files, ${mib(files.reduce((n, f) => n + f.length, 0))})`;
  const value = redact(names, files, keep, mapping, zip);
  /** @type {ArrayBuffer[]} */
  const buffers = [];
  for (const c of value.copies) if (c) buffers.push(/** @type {ArrayBuffer} */ (c.buffer));
  if (value.zip) buffers.push(/** @type {ArrayBuffer} */ (value.zip.buffer));
  return { value, buffers };
}

/**
 * A Session method's value made ready to send: its lists of message indices as Int32Array, with the buffers to
 * transfer (so that a million rows are not copied).
 * @param {string} method
 * @param {any} value
 * @returns {{value: any, buffers: ArrayBuffer[]}}
 */
function transfer(method, value) {
  /** @type {ArrayBuffer[]} */
  const buffers = [];
  /** @param {ArrayLike<number> | null | undefined} list */
  const ints = (list) => {
    const a = list instanceof Int32Array ? list : Int32Array.from(list || []);
    buffers.push(/** @type {ArrayBuffer} */ (a.buffer));
    return a;
  };
  if (method === 'ladder_meta' && value) value.messages = ints(value.messages);
  else if (method === 'set_query' && value) {
    value.hits = ints(value.hits);
    value.conversations = ints(value.conversations);
  } else if (method === 'export' && value) {
    value.bytes = value.bytes instanceof Uint8Array ? value.bytes : Uint8Array.from(value.bytes || []);
    buffers.push(value.bytes.buffer);
  }
  return { value, buffers };
}

self.onmessage = async (event) => {
  const msg = event.data;
  await held.ready;
  if (held.dead) {
    const crash = held.dead;
    const message = 'The analysis engine stopped earlier and cannot answer any more.';
    if (msg.type === 'call' || msg.type === 'redact') post({ type: 'result', id: msg.id, error: message, crash });
    else if (msg.type === 'analyze') post({ type: 'error', job: msg.job, message, kind: crash.kind, crash });
    return;
  }
  if (held.fatal) {
    if (msg.type === 'call' || msg.type === 'redact') post({ type: 'result', id: msg.id, error: held.fatal });
    else if (msg.type === 'analyze') post({ type: 'error', job: msg.job, message: held.fatal, kind: 'engine' });
    return;
  }
  if (msg.type === 'analyze') {
    try {
      await analyze(msg.job, msg.sources, msg.previewRows ?? 200);
    } catch (err) {
      const crash = err instanceof ReadError || !isTrap(err) ? null : die(err, held.step);
      const kind = err instanceof ReadError ? 'read' : crash ? crash.kind : 'engine';
      const { file, bytes } = held.reading;
      post({ type: 'error', job: msg.job, message: errorText(err), kind, file, bytes, wasmBytes: wasmBytes(), crash });
    }
  } else if (msg.type === 'redact') {
    try {
      const { value, buffers } = await redactSources(msg.sources, msg.keep, Boolean(msg.mapping), Boolean(msg.zip));
      post({ type: 'result', id: msg.id, value }, buffers);
    } catch (err) {
      if (isTrap(err)) {
        const crash = die(err, held.step);
        post({ type: 'result', id: msg.id, error: 'The redaction stopped: the engine ran out of memory or failed.', crash });
      } else {
        post({ type: 'result', id: msg.id, error: errorText(err) });
      }
    }
  } else if (msg.type === 'call') {
    try {
      const session = held.session;
      if (!session) throw new Error('nothing analyzed yet');
      const method = String(msg.method);
      if (!CALLS.has(/** @type {keyof SessionT} */ (method))) throw new Error('unknown method ' + method);
      const fn = /** @type {(...args: unknown[]) => unknown} */ (session[/** @type {keyof SessionT} */ (method)]);
      const args = Array.isArray(msg.args) ? msg.args : [];
      held.step = stepName(method, args);
      const { value, buffers } = transfer(method, fn.apply(session, args));
      post({ type: 'result', id: msg.id, value: value === undefined ? null : value }, buffers);
    } catch (err) {
      if (isTrap(err)) {
        const crash = die(err, held.step);
        post({ type: 'result', id: msg.id, error: 'The analysis engine stopped.', crash });
        post({ type: 'crashed', crash });
      } else {
        post({ type: 'result', id: msg.id, error: errorText(err) });
      }
    }
  }
};

held.ready = start();
