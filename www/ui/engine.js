// @ts-check
// sipscope page: the analysis engines. One Web Worker (worker.js, holding a wasm Session) per analysis; the page
// asks it with `call(method, ...args)`, where `method` is the Session's own method name (worker.js forwards it).
// The engine of the analysis on screen answers the UI; a new analysis runs in a fresh engine and replaces it when
// done, so Cancel (terminate the new engine) returns to what was on screen, and an analysis' memory goes away
// with its worker.

import { state } from './state.js';
import { ui } from './dom.js';
import { startWorker } from './trusted.js';

/** @typedef {import('../types/view').Summary} Summary */
/** @typedef {import('../types/view').ConversationListRow} ConversationRow */
/** @typedef {import('../types/view').LadderMeta} LadderMeta */

/** ladder_meta() as it arrives: the row order as an Int32Array (transferred, not copied). */
/** @typedef {Omit<LadderMeta, 'messages'> & {messages: Int32Array}} Meta */

/** @typedef {import('../sipscope.js').Session} Session */
/** @typedef {import('../types/view').Redaction} Redaction */
/**
 * What the page may ask: the Session's methods that worker.js forwards, by their own names.
 * @typedef {'summary' | 'conversations' | 'ladder_meta' | 'ladder_svg' | 'ladder_header' | 'set_filter'
 *   | 'set_clock_offset' | 'message' | 'diagnostics' | 'findings' | 'presence' | 'response_times' | 'diff' | 'headers_alone' | 'set_query' | 'export'
 *   | 'trace_summary' | 'set_trace_filter' | 'trace_rows' | 'trace_locate' | 'trace_locate_line' | 'calls'} Method
 */
/**
 * Values as worker.js sends them where they differ from the Session's: lists of message indices as Int32Array.
 * @typedef {import('../types/view').SearchHits} SearchHits
 * @typedef {{ladder_meta: Meta, set_query: Hits32}} Sent
 * @typedef {Omit<SearchHits, 'hits' | 'conversations'> & {hits: Int32Array, conversations: Int32Array}} Hits32
 */
/**
 * The value of `method` as it arrives: the Session's own (wasm-bindgen's declaration), or as sent.
 * @template {Method} M
 * @typedef {M extends keyof Sent ? Sent[M] : ReturnType<Session[M]>} Value
 */

/**
 * @typedef {{kind: 'file', file: Blob & {name?: string}, name?: string}
 *   | {kind: 'bytes', name: string, bytes: Uint8Array}
 *   | {kind: 'sample'}} Source  what an analysis reads (a part of a file is a Blob with a name of its own)
 */

/**
 * While correlating, `step` is the engine's step (merging, correlating, endpoints, diagnostics, ladder) with
 * `stepDone` of `stepTotal` messages done in it.
 * @typedef {{type: 'progress', job: number, phase: 'reading' | 'correlating', file: string, bytes: number, total: number,
 *   messages: number, wasmBytes: number, step?: string, stepDone?: number, stepTotal?: number}} Progress
 */
/** @typedef {{type: 'preview', job: number, svg: string, messages: number}} Preview */
/**
 * @typedef {{type: 'done', job: number, summary: Summary, conversations: ConversationRow[], meta: Meta,
 *   timings?: Record<string, number>, wasmBytes?: number, reload?: boolean}} Done
 */
/**
 * What worker.js says when its engine trapped (a panic or out of memory), for the technical details: the step
 * ("message(1234)", "reading file 2 of 3 (12.0 MiB) at 4.0 MiB"), the error's name, the panic's place in
 * sipscope's source. Never any log text or file name.
 * @typedef {{kind: 'panic' | 'memory', step: string, error: string, where: string, wasmBytes: number}} Crash
 */
/**
 * @typedef {{message: string, kind: 'memory' | 'panic' | 'read' | 'engine' | 'closed', file?: string, bytes?: number,
 *   crash?: Crash | null}} Failure
 */
/** @typedef {{progress: (m: Progress) => void, preview: (m: Preview) => void, done: (m: Done) => void, error: (m: Failure) => void}} Handlers */

/**
 * An Error that says whether the analysis it was about was closed on purpose, or its engine crashed (nothing to
 * report then: the crash banner says it once).
 */
export class EngineError extends Error {
  /** @param {string} message @param {boolean} closed @param {Crash | null} [crash] */
  constructor(message, closed, crash = null) {
    super(message);
    this.closed = closed;
    this.crash = crash;
  }
}

export class Engine {
  constructor() {
    /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void}>} */
    this.pending = new Map();
    this.nextId = 1;
    /** @type {string | null} */
    this.fatal = null;
    /** @type {Crash | null} set when its engine trapped: it answers nothing more */
    this.crash = null;
    /** @type {Handlers | null} while it runs an analysis */
    this.handlers = null;
    this.bytes = 0; // size of what it analyzed
    /** @type {Source[]} what it analyzed (a redacted copy is made of the same files) */
    this.sources = [];
    /** @type {Worker | null} */
    this.worker = null;
    try {
      // The single-file page (sipscope-offline.html) makes the worker from a blob: URL, as a classic script.
      const offline = /** @type {{sipscopeWorkerUrl?: string}} */ (globalThis).sipscopeWorkerUrl;
      this.worker = offline
        ? startWorker(offline, { name: 'sipscope-analysis' })
        : startWorker('worker.js', { type: 'module', name: 'sipscope-analysis' });
    } catch (err) {
      this.fatal = 'This browser could not start the analysis worker: ' + (err instanceof Error ? err.message : String(err));
      return;
    }
    this.worker.onmessage = (event) => this.onMessage(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail('The analysis engine stopped: ' + (event.message || 'the worker failed to load'), 'engine');
    };
    this.worker.onmessageerror = () => this.fail('A message from the analysis engine could not be read.', 'engine');
  }

  /** @param {string} message @param {Failure['kind']} kind */
  fail(message, kind) {
    if (!this.fatal) this.fatal = message;
    for (const { reject } of this.pending.values()) reject(new EngineError(message, kind === 'closed', this.crash));
    this.pending.clear();
    const h = this.handlers;
    this.handlers = null;
    if (h) h.error({ message, kind });
  }

  /** @param {any} msg a message from worker.js (see its protocol) */
  onMessage(msg) {
    switch (msg.type) {
      case 'ready':
        if (msg.version) ui.body.dataset.engine = msg.version;
        break;
      case 'fatal':
        this.fail(msg.message, 'engine');
        break;
      case 'crashed':
        // The worker stopped calling its wasm (poisoned after a trap): every request from now on fails at once,
        // and the page says so (app.js shows the crash banner when this is the analysis on screen).
        if (this.crash) break;
        this.crash = msg.crash;
        this.fail('The analysis engine stopped.', msg.crash.kind);
        document.dispatchEvent(new CustomEvent('sipscope:crashed', { detail: { engine: this, crash: msg.crash } }));
        break;
      case 'result': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if ('error' in msg && msg.error !== undefined) p.reject(new EngineError(msg.error, false, msg.crash || null));
        else p.resolve(msg.value);
        break;
      }
      case 'progress':
      case 'preview':
      case 'done':
      case 'error': {
        const h = this.handlers;
        if (!h) return;
        if (msg.type === 'done' || msg.type === 'error') this.handlers = null;
        h[/** @type {'progress' | 'preview' | 'done' | 'error'} */ (msg.type)](msg);
        break;
      }
      default:
        break;
    }
  }

  /**
   * Read and analyze `sources`.
   * @param {Source[]} sources
   * @param {number} bytes their size
   * @param {number} job
   * @param {number} previewRows messages in the preview while reading
   * @param {Handlers} handlers
   */
  analyze(sources, bytes, job, previewRows, handlers) {
    this.bytes = bytes;
    this.sources = sources;
    if (this.fatal || !this.worker) {
      handlers.error({ message: this.fatal || 'no worker', kind: 'engine' });
      return;
    }
    this.handlers = handlers;
    this.worker.postMessage({ type: 'analyze', job, sources, previewRows });
  }

  /**
   * @template {Method} M
   * @param {M} method
   * @param {Parameters<Session[M]>} args
   * @returns {Promise<Value<M>>}
   */
  call(method, ...args) {
    const worker = this.worker;
    if (this.fatal || !worker) return Promise.reject(new EngineError(this.fatal || 'no worker', false, this.crash));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: 'call', id, method, args });
    });
  }

  /**
   * A redacted copy of `sources` (see worker.js): ask an engine that holds no analysis, and terminate it after.
   * @param {Source[]} sources
   * @param {string[]} keep categories left as they are
   * @param {boolean} mapping also the mapping's text
   * @param {boolean} zip also all the copies in one zip (when there are several)
   * @returns {Promise<Redaction>}
   */
  redact(sources, keep, mapping, zip) {
    const worker = this.worker;
    if (this.fatal || !worker) return Promise.reject(new EngineError(this.fatal || 'no worker', false, this.crash));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: 'redact', id, sources, keep, mapping, zip });
    });
  }

  terminate() {
    this.handlers = null;
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.fail('This analysis was closed.', 'closed');
  }
}

/** A started engine for the next analysis: the spare one when there is one. */
export function takeEngine() {
  const spare = state.engines.spare;
  const e = spare && !spare.fatal ? spare : new Engine();
  if (spare && spare !== e) spare.terminate();
  state.engines.spare = null;
  return e;
}

/** Start a spare engine (its wasm loads while nobody waits). */
export function warmSpare() {
  if (!state.engines.spare) state.engines.spare = new Engine();
}

/**
 * A request to the engine of the analysis on screen.
 * @template {Method} M
 * @param {M} method
 * @param {Parameters<Session[M]>} args
 * @returns {Promise<Value<M>>}
 */
export function call(method, ...args) {
  const shown = state.engines.shown;
  if (!shown) return Promise.reject(new EngineError('nothing analyzed yet', false));
  return shown.call(method, ...args);
}

/** Errors of the page's requests: logged, unless about an analysis closed on purpose or crashed (the banner says
 *  that). @param {unknown} err */
export function report(err) {
  if (err instanceof EngineError && (err.closed || err.crash)) return;
  console.warn('sipscope:', err instanceof Error ? err.message : err);
}
