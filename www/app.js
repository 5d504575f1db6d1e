// sipscope page: UI only. All parsing and correlation happen in worker.js (wasm); this file draws.
//
// Security rule for this file: text that comes from a log is only ever put in the page with
// textContent / createTextNode / setAttribute on a fixed attribute name, never innerHTML.
// The ladder SVG is parsed with DOMParser as XML, sanitized, and moved into the page with adoptNode.

import {
  initInsights, onAnalysis, onSelect, headersTable, summariesFor, bodySummary, headerSummaries, timeRows, alsoRows,
  renderFiles as renderFileChips,
} from './insights.js';

// The page started: the note for a page that cannot start (opened from disk) goes.
document.getElementById('engine-missing')?.remove();

const $ = (id) => document.getElementById(id);

const ui = {
  body: document.body,
  app: $('app'),
  files: $('files'),
  search: $('search'),
  searchCount: $('search-count'),
  openSample: $('open-sample'),
  openFile: $('open-file'),
  fileInput: $('file-input'),
  empty: $('empty'),
  dropzone: $('dropzone'),
  emptyOpenFile: $('empty-open-file'),
  emptyOpenSample: $('empty-open-sample'),
  pasteForm: $('paste-form'),
  pasteText: $('paste-text'),
  reading: $('reading'),
  progress: $('progress'),
  progressLabel: $('progress-label'),
  progressPercent: $('progress-percent'),
  progressBar: $('progress-bar'),
  progressDetail: $('progress-detail'),
  cancel: $('cancel'),
  preview: $('preview'),
  previewWait: $('preview-wait'),
  previewCaption: $('preview-caption'),
  error: $('error'),
  errorTitle: $('error-title'),
  errorMessage: $('error-message'),
  errorHints: $('error-hints'),
  errorNote: $('error-note'),
  errorBack: $('error-back'),
  errorActions: $('error-actions'),
  toast: $('toast'),
  workspace: $('workspace'),
  convScroll: $('conv-scroll'),
  convList: $('conv-list'),
  convCount: $('conv-count'),
  ladderCaption: $('ladder-caption'),
  ladderScroll: $('ladder-scroll'),
  ladderHeader: $('ladder-header'),
  ladderCanvas: $('ladder-canvas'),
  legend: $('legend'),
  exportSvg: $('export-svg'),
  notice: $('notice'),
  detailSub: $('detail-sub'),
  detailBody: $('detail-body'),
  rawToggle: $('raw-toggle'),
  detailToggle: $('detail-toggle'),
  summaryText: $('summary-text'),
  diagToggle: $('diag-toggle'),
  diagnostics: $('diagnostics'),
  diagList: $('diag-list'),
  dropOverlay: $('drop-overlay'),
};

const SVG_NS = 'http://www.w3.org/2000/svg';

// The largest input (all dropped files together) the page reads. The engine keeps every message's text in wasm
// memory today (about 1.3x the file size at peak, plus the page's own ~100 MB), and a tab that runs out of memory
// just dies, so bigger inputs are refused up front with a hint (split the log, or use the command line tool).
// The lead may raise this when the engine keeps a compact index instead of the text.
// For tests and for machines known to have the memory: `index.html?max-bytes=N` sets another limit.
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
const MAX_BYTES = (() => {
  const v = new URLSearchParams(location.search).get('max-bytes');
  return v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : DEFAULT_MAX_BYTES;
})();
// Messages drawn in the preview while a log is read: what fills the pane, at most 200. (Each row costs main-thread
// time to parse, check and lay out: 200 rows took about 100 ms on a 2-core machine, a screenful 20 ms.)
const PREVIEW_ROWS = Math.max(30, Math.min(200, Math.ceil(window.innerHeight / 28) + 10));

// ---------------------------------------------------------------------------------------------
// Small DOM helpers (text only).

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k === 'onclick') node.addEventListener('click', v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    node.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return node;
}

function formatBytes(n) {
  if (!Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

function plural(n, one, many) {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many || one + 's'}`;
}

const FORMAT_NAMES = {
  uccapilog: 'UccApi log',
  uccapi: 'UccApi log',
  sip: 'SIP text',
  siptext: 'SIP text',
  sip_text: 'SIP text',
  text: 'SIP text',
  pcap: 'pcap',
  pcapng: 'pcapng',
  snooper: 'Snooper text',
  server_trace: 'server trace',
  gzip: 'gzip archive',
  zip: 'zip archive',
  unsupported: 'not readable yet',
  unknown: 'unrecognized',
};

function formatName(fmt) {
  if (!fmt) return 'unknown format';
  const key = String(fmt).toLowerCase().replace(/[\s-]/g, '_');
  return FORMAT_NAMES[key] || String(fmt);
}

// Times come as ISO-like strings ("2018-03-30T10:57:58.371"); show the clock part as written in the log.
function splitTime(iso) {
  if (!iso) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)/.exec(String(iso));
  return m ? { date: m[1], clock: m[2] } : { date: '', clock: String(iso) };
}

function clock(iso) {
  const t = splitTime(iso);
  return t ? t.clock : '';
}

function durationText(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m - h * 60} min`;
  return `${Math.floor(h / 24)} days`;
}

function timeMs(iso) {
  if (!iso) return NaN;
  const t = Date.parse(String(iso).replace(' ', 'T'));
  return t;
}

// ---------------------------------------------------------------------------------------------
// State.

// Row <-> message maps of the current ladder, as typed arrays (a log can hold a million messages).
class RowIndex {
  constructor(rowToMsg, messageCount) {
    this.rows = rowToMsg;
    let size = messageCount;
    for (let r = 0; r < rowToMsg.length; r++) if (rowToMsg[r] >= size) size = rowToMsg[r] + 1;
    this.msgRow = new Int32Array(size).fill(-1);
    for (let r = 0; r < rowToMsg.length; r++) this.msgRow[rowToMsg[r]] = r;
  }

  has(msg) { return msg >= 0 && msg < this.msgRow.length && this.msgRow[msg] >= 0; }

  get(msg) { return this.has(msg) ? this.msgRow[msg] : undefined; }
}

const state = {
  phase: 'idle',
  job: 0,
  summary: null,
  conversations: [],
  meta: null,
  filter: -1,
  rowToMsg: new Int32Array(0),
  msgToRow: new RowIndex(new Int32Array(0), 0),
  arrows: new Map(),
  selected: -1,
  message: null,
  raw: false,
  searchHits: null, // Uint8Array mask by message index, or null
  searchCount: 0,
  searchConvs: null, // Set of conversation ids with a hit, or null
  searchQuery: '',
  fileLabel: '',
  windows: new Map(),
  windowRows: 60,
  ladderGen: 0,
  focusPending: -1,
  diagShown: 0,
};

function setPhase(phase) {
  state.phase = phase;
  ui.body.dataset.state = phase;
  ui.app.dataset.state = phase;
  if (phase !== 'done') {
    delete ui.body.dataset.messageCount;
    delete ui.app.dataset.messageCount;
  }
  ui.reading.hidden = phase !== 'analyzing';
  ui.error.hidden = phase !== 'error';
  ui.empty.hidden = phase !== 'idle';
  // While analyzing, the previous workspace (if any) stays as it is under the reading view: Cancel shows it again.
  if (phase === 'idle' || phase === 'error') ui.workspace.hidden = true;
  if (phase === 'done') ui.workspace.hidden = false;
  const busy = phase === 'analyzing';
  for (const b of [ui.openSample, ui.openFile, ui.emptyOpenSample, ui.emptyOpenFile]) b.disabled = busy;
  ui.search.disabled = phase !== 'done';
}

// A short notice ("Cancelled") that goes away by itself.
let toastTimer = 0;
function toast(text) {
  clearTimeout(toastTimer);
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  toastTimer = setTimeout(() => { ui.toast.hidden = true; }, 4000);
}

// ---------------------------------------------------------------------------------------------
// Engines: one Web Worker (wasm Session) per analysis. The engine of the analysis on screen answers the UI's
// requests; a new analysis runs in a fresh engine and replaces it when done, so Cancel (terminate the new
// engine) returns to what was on screen, and the memory of an analysis goes away with its worker.

class Engine {
  constructor() {
    this.pending = new Map();
    this.nextId = 1;
    this.fatal = null;
    this.handlers = null; // {progress, preview, done, error} while it runs an analysis
    this.bytes = 0; // size of what it analyzed
    try {
      // The single-file page (sipscope-offline.html) makes the worker from a blob: URL, as a classic script.
      const offline = globalThis.sipscopeWorkerUrl;
      this.worker = offline
        ? new Worker(offline, { name: 'sipscope-analysis' })
        : new Worker('worker.js', { type: 'module', name: 'sipscope-analysis' });
    } catch (err) {
      this.worker = null;
      this.fatal = 'This browser could not start the analysis worker: ' + err.message;
      return;
    }
    this.worker.onmessage = (event) => this.onMessage(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail('The analysis engine stopped: ' + (event.message || 'the worker failed to load'), 'engine');
    };
    this.worker.onmessageerror = () => this.fail('A message from the analysis engine could not be read.', 'engine');
  }

  fail(message, kind) {
    if (!this.fatal) this.fatal = message;
    for (const { reject } of this.pending.values()) {
      const err = new Error(message);
      err.closed = kind === 'closed'; // a request to an analysis that was closed on purpose: nothing to report
      reject(err);
    }
    this.pending.clear();
    const h = this.handlers;
    this.handlers = null;
    if (h) h.error({ message, kind });
  }

  onMessage(msg) {
    switch (msg.type) {
      case 'ready':
        if (msg.version) ui.body.dataset.engine = msg.version;
        break;
      case 'fatal':
        this.fail(msg.message, 'engine');
        break;
      case 'result': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if ('error' in msg && msg.error !== undefined) p.reject(new Error(msg.error));
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
        h[msg.type](msg);
        break;
      }
      default:
        break;
    }
  }

  analyze(sources, bytes, handlers) {
    this.bytes = bytes;
    if (this.fatal) {
      handlers.error({ message: this.fatal, kind: 'engine' });
      return;
    }
    this.handlers = handlers;
    this.worker.postMessage({ type: 'analyze', job: state.job, sources, previewRows: PREVIEW_ROWS });
  }

  call(method, ...args) {
    if (this.fatal) return Promise.reject(new Error(this.fatal));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'call', id, method, args });
    });
  }

  terminate() {
    this.handlers = null;
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.fail('This analysis was closed.', 'closed');
  }
}

const engines = {
  shown: null, // the analysis on screen
  job: null, // the analysis being read
  spare: null, // a started, unused engine: the next analysis starts without waiting for the wasm to load
};

function takeEngine() {
  const e = engines.spare && !engines.spare.fatal ? engines.spare : new Engine();
  if (engines.spare && engines.spare !== e) engines.spare.terminate();
  engines.spare = null;
  return e;
}

function warmSpare() {
  if (!engines.spare) engines.spare = new Engine();
}

// Requests from the UI go to the engine of the analysis on screen.
function call(method, ...args) {
  if (!engines.shown) return Promise.reject(new Error('nothing analyzed yet'));
  return engines.shown.call(method, ...args);
}

// ---------------------------------------------------------------------------------------------
// Analysis.

const reading = {
  label: '',
  total: 0,
  startedAt: 0,
  previewShown: false,
};

function analyze(sources, label, totalBytes) {
  if (!sources.length) return;
  if (totalBytes > MAX_BYTES) {
    refuseTooBig(sources, totalBytes);
    return;
  }
  if (engines.job) cancelAnalysis({ quiet: true });
  state.job += 1;
  const job = state.job;
  // Keep the analysis on screen (for Cancel) only while both fit in memory together.
  if (engines.shown && engines.shown.bytes + totalBytes > MAX_BYTES) dropShown();
  const engine = takeEngine();
  engines.job = engine;
  state.fileLabel = label;
  reading.label = label;
  reading.total = totalBytes;
  reading.startedAt = performance.now();
  reading.previewShown = false;
  performance.clearMarks('sipscope:start');
  performance.mark('sipscope:start');

  ui.progressLabel.textContent = `Reading ${label}`;
  ui.progressBar.removeAttribute('value');
  ui.progressPercent.textContent = '';
  ui.progressDetail.textContent = totalBytes ? `${formatBytes(totalBytes)} · on this device` : 'On this device';
  ui.preview.querySelector('svg')?.remove();
  ui.previewWait.hidden = false;
  ui.previewCaption.textContent = '';
  ui.cancel.disabled = false;
  renderReadingFiles(sources);
  setPhase('analyzing');

  const mine = (fn) => (msg) => { if (engines.job === engine && state.job === job) fn(msg); };
  engine.analyze(sources, totalBytes, {
    progress: mine(showProgress),
    preview: mine(showPreview),
    done: mine((msg) => {
      engines.job = null;
      if (engines.shown) engines.shown.terminate();
      engines.shown = engine;
      onDone(msg).catch((err) => analysisFailed({ message: err.message, kind: 'engine' }));
      setTimeout(warmSpare, 500);
    }),
    error: mine((msg) => {
      engines.job = null;
      engine.terminate();
      analysisFailed(msg);
      warmSpare();
    }),
  });
}

function sourceLabel(files) {
  return files.length === 1 ? files[0].name : `${files.length} files`;
}

function analyzeFiles(fileList) {
  const files = Array.from(fileList || []);
  if (!files.length) return;
  const total = files.reduce((n, f) => n + f.size, 0);
  analyze(files.map((file) => ({ kind: 'file', file })), sourceLabel(files), total);
}

function analyzeSample() {
  analyze([{ kind: 'sample' }], 'the sample log', 0);
}

function analyzePaste() {
  const text = ui.pasteText.value;
  if (!text.trim()) {
    ui.pasteText.focus();
    ui.pasteText.setAttribute('aria-invalid', 'true');
    return;
  }
  ui.pasteText.removeAttribute('aria-invalid');
  const bytes = new TextEncoder().encode(text);
  analyze([{ kind: 'bytes', name: 'pasted text', bytes }], 'pasted text', bytes.length);
}

// The top bar names what is being read (the previous files come back on Cancel).
function renderReadingFiles(sources) {
  ui.files.replaceChildren(...sources.map((s) => {
    const name = sourceName(s);
    const size = s.kind === 'file' ? s.file.size : s.kind === 'bytes' ? s.bytes.length : 0;
    return el('li', { class: 'file-chip', title: name },
      el('span', { class: 'file-name', text: name }),
      el('span', { class: 'file-meta', text: `${size ? `${formatBytes(size)} · ` : ''}reading…` }));
  }));
}

function showProgress(msg) {
  const total = Number(msg.total) || 0;
  const bytes = Number(msg.bytes) || 0;
  const messages = Number(msg.messages) || 0;
  const parts = [];
  if (msg.phase === 'correlating') {
    ui.progressLabel.textContent = `Correlating ${plural(messages, 'message')}`;
    ui.progressBar.removeAttribute('value'); // one step without progress of its own
    ui.progressPercent.textContent = '';
    parts.push(`${formatBytes(bytes)} read`, 'transactions, conversations, subscriptions…');
  } else {
    ui.progressLabel.textContent = `Reading ${reading.label}`;
    if (total > 0) {
      ui.progressBar.max = total;
      ui.progressBar.value = bytes;
      ui.progressPercent.textContent = `${Math.floor((100 * bytes) / total)}%`;
      parts.push(`${formatBytes(bytes)} of ${formatBytes(total)}`);
    } else {
      parts.push(formatBytes(bytes));
    }
    parts.push(plural(messages, 'message'));
    const elapsed = performance.now() - reading.startedAt;
    if (total > bytes && bytes > 0 && elapsed > 1500) {
      const left = ((total - bytes) * elapsed) / bytes;
      if (left > 1500) parts.push(`about ${durationText(Math.round(left / 1000) * 1000)} left`);
    }
  }
  ui.progressDetail.textContent = parts.join(' · ');
  ui.progress.dataset.bytes = String(bytes);
  ui.progress.dataset.messages = String(messages);
}

// The engine's preview: a standalone SVG of the first messages. It is only a picture: its <style> (which the
// page's CSP would refuse) is dropped by sanitizeSvg, the page's CSS styles the classes, and the arrows lose
// their message index, tab stop and role.
function showPreview(msg) {
  let svg;
  try {
    // Drop the <style> before parsing: even in a DOMParser document, the page's CSP refuses it (and says so in
    // the console). The engine escapes all log text, so "<style" only ever starts its own stylesheet.
    svg = parseSvg(String(msg.svg).replace(/<style[^>]*>[^<]*<\/style>/g, ''));
  } catch {
    return; // the full ladder comes soon anyway
  }
  for (const a of svg.querySelectorAll('[data-msg]')) {
    a.removeAttribute('data-msg');
    a.removeAttribute('tabindex');
    a.removeAttribute('role');
    a.removeAttribute('aria-label');
    a.classList.add('preview-row');
  }
  svg.classList.add('preview-svg');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  ui.preview.querySelector('svg')?.remove();
  ui.previewWait.hidden = true;
  ui.preview.append(svg);
  ui.previewCaption.textContent = `first ${plural(Number(msg.messages) || 0, 'message')} (not interactive yet)`;
  if (!reading.previewShown) {
    reading.previewShown = true;
    performance.mark('sipscope:preview');
  }
}

function cancelAnalysis({ quiet = false } = {}) {
  const engine = engines.job;
  if (!engine) return;
  engines.job = null;
  engine.terminate();
  state.job += 1; // anything still arriving for the cancelled job is ignored
  warmSpare();
  if (quiet) return;
  if (engines.shown && state.summary) {
    renderFiles();
    setPhase('done');
    ui.body.dataset.messageCount = String(Number(state.summary.message_count) || 0);
    ui.app.dataset.messageCount = ui.body.dataset.messageCount;
  } else {
    ui.files.replaceChildren();
    setPhase('idle');
  }
  toast(`Cancelled: ${reading.label} was not analyzed.`);
}

// Forget the analysis on screen (its worker and memory).
function dropShown() {
  if (engines.shown) engines.shown.terminate();
  engines.shown = null;
  state.summary = null;
  ui.workspace.hidden = true;
}

// Hints are lists of parts: text, or {code} for a command.
const CLI_HINT = ['Or use the command line tool, which reads the file in chunks with no browser memory limit: ',
  { code: 'sipscope --summary FILE' }, ' for the counts, or ', { code: 'sipscope --json FILE' },
  ' for everything (see the README).'];
const SPLIT_HINT = ['Split the log: open the client\'s rotated files (', { code: 'Lync-UccApi-0.UccApilog' }, ', ',
  { code: 'Lync-UccApi-1.UccApilog' }, ', …) one at a time, or cut out the time window of the problem with a text '
  + 'editor and open that.'];

function refuseTooBig(sources, totalBytes) {
  const single = sources.length === 1 && sources[0].kind === 'file' ? sources[0].file : null;
  const what = single ? sourceName(sources[0]) : `These ${sources.length} files`;
  // One file: offer to analyze its end (where the problem a log was taken for usually is) or its start, as much
  // as fits. The cut falls mid-line: the importers say so and start at the next whole message.
  const actions = [];
  if (single) {
    const part = (which, start) => () => {
      const end = Math.min(single.size, start + MAX_BYTES);
      const name = `${single.name} (${which} ${formatBytes(end - start)})`;
      analyze([{ kind: 'file', file: single.slice(start, end), name }], name, end - start);
    };
    // An even offset keeps a UTF-16 log's characters whole.
    const lastStart = single.size - MAX_BYTES + ((single.size - MAX_BYTES) % 2);
    actions.push({ text: `Analyze the last ${formatBytes(MAX_BYTES)}`, primary: true, run: part('last', lastStart) });
    actions.push({ text: `Analyze the first ${formatBytes(MAX_BYTES)}`, run: part('first', 0) });
  }
  showError({
    title: 'This log is too big to analyze in the browser',
    message: `${what} ${sources.length === 1 ? 'is' : 'are'} ${formatBytes(totalBytes)}; this page analyzes up to `
      + `${formatBytes(MAX_BYTES)} at a time, because it keeps every message in the tab's memory and a tab that runs `
      + 'out of memory crashes. Nothing was read.',
    hints: [SPLIT_HINT, CLI_HINT],
    note: 'Nothing was uploaded.',
    back: true,
    actions,
  });
}

// A source's display name: a part of a file carries its own ("trace.log (last 512 MB)").
function sourceName(s) {
  if (s.kind === 'file') return s.name || s.file.name;
  return s.kind === 'sample' ? 'sample.uccapilog' : s.name;
}

function analysisFailed(msg) {
  const where = msg.file ? ` while reading ${msg.file}${msg.bytes ? ` at ${formatBytes(Number(msg.bytes))}` : ''}` : '';
  if (msg.kind === 'memory') {
    showError({
      title: 'The browser ran out of memory',
      message: `The analysis stopped${where}: the tab could not get more memory (${msg.message}). Nothing was uploaded.`,
      hints: [['Close other tabs and try again.'], SPLIT_HINT, CLI_HINT],
      note: '',
      back: true,
    });
  } else if (msg.kind === 'read') {
    showError({ title: 'The file could not be read', message: msg.message, note: 'Nothing was uploaded.', back: true });
  } else {
    showError({ message: msg.message || 'Unknown error.', back: true });
  }
}

// The error card: a title, what happened, optional hints, and a button back to what was on screen before
// (or to the start).
function showError(opts) {
  const o = typeof opts === 'string' ? { message: opts } : opts || {};
  ui.errorTitle.textContent = o.title || 'Could not analyze this input';
  ui.errorMessage.textContent = o.message || 'Unknown error.';
  ui.errorHints.replaceChildren(...(o.hints || []).map((h) => el('li', null,
    ...[].concat(h).map((part) => (typeof part === 'string' ? part : el('code', { text: part.code }))))));
  ui.errorMessage.classList.toggle('plain', !!o.title); // engine errors stay in monospace
  ui.errorHints.hidden = !(o.hints && o.hints.length);
  if (o.note !== undefined) {
    ui.errorNote.textContent = o.note;
    ui.errorNote.hidden = !o.note;
  } else {
    ui.errorNote.hidden = false;
    ui.errorNote.replaceChildren('Try a Skype for Business client log (', el('code', { text: '.UccApilog' }), ') or plain SIP text. Nothing was uploaded.');
  }
  ui.errorActions.replaceChildren(...(o.actions || []).map((a) => {
    const b = el('button', { type: 'button', class: a.primary ? 'btn btn-primary' : 'btn', text: a.text });
    b.addEventListener('click', a.run);
    return b;
  }));
  ui.errorActions.hidden = !(o.actions && o.actions.length);
  const canGoBack = !!(o.back && engines.shown && state.summary);
  ui.errorBack.textContent = canGoBack ? 'Back' : 'Start over';
  ui.errorBack.dataset.back = canGoBack ? 'true' : 'false';
  if (!canGoBack) ui.files.replaceChildren();
  setPhase('error');
  ui.errorBack.focus({ preventScroll: true });
}

function leaveError() {
  if (ui.errorBack.dataset.back === 'true' && engines.shown && state.summary) {
    renderFiles();
    setPhase('done');
    ui.body.dataset.messageCount = String(Number(state.summary.message_count) || 0);
    ui.app.dataset.messageCount = ui.body.dataset.messageCount;
  } else {
    dropShown();
    setPhase('idle');
  }
}

async function onDone(msg) {
  state.summary = msg.summary || {};
  state.conversations = Array.isArray(msg.conversations) ? msg.conversations : [];
  state.meta = msg.meta;
  state.filter = -1;
  state.selected = -1;
  state.message = null;
  state.raw = false;
  state.searchHits = null;
  state.searchConvs = null;
  state.searchQuery = '';
  ui.search.value = '';
  ui.searchCount.textContent = '';
  if (!msg.reload) performance.mark('sipscope:read');

  renderFiles();
  renderSummary();
  renderDiagnostics();
  renderConversations();
  renderDetail();
  // Show the workspace first (the ladder needs its size to know which rows are in view).
  ui.reading.hidden = true;
  ui.workspace.hidden = false;
  ui.ladderScroll.scrollTop = 0;
  ui.ladderScroll.scrollLeft = 0;
  ui.convScroll.scrollTop = 0;
  await renderLadder(state.meta);

  const count = Number(state.summary.message_count) || 0;
  setPhase('done');
  ui.body.dataset.messageCount = String(count);
  ui.app.dataset.messageCount = String(count);
  if (count === 0) {
    ui.diagnostics.hidden = false;
    ui.diagToggle.setAttribute('aria-expanded', 'true');
  }
  onAnalysis(); // findings, presence, clocks (insights.js)
  if (msg.reload) return;
  // For the benchmark (bench/): how long each part took, and the engine's memory.
  performance.measure('sipscope:analysis', { start: 'sipscope:start', detail: { ...msg.timings, wasmBytes: msg.wasmBytes } });
}
// ---------------------------------------------------------------------------------------------
// Top bar, summary, diagnostics.

// The top bar's files (insights.js: archive members under their archive, a panel with clock offsets).
function renderFiles() {
  renderFileChips(ui.files, state.summary);
}

function diagCounts() {
  const c = state.summary.diagnostic_counts;
  if (c && typeof c === 'object') return { error: Number(c.error) || 0, warning: Number(c.warning) || 0, info: Number(c.info) || 0 };
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of state.summary.diagnostics || []) {
    const sev = String(d.severity || 'info').toLowerCase();
    counts[sev in counts ? sev : 'info'] += 1;
  }
  return counts;
}

function renderSummary() {
  const s = state.summary;
  const files = s.files || [];
  const parts = [];
  const fileText = files.length === 1 ? String(files[0].name) : `${files.length} files`;
  parts.push(el('span', { class: 'sum-item sum-file', title: files.map((f) => f.name).join('\n'), text: fileText }));
  parts.push(el('span', { class: 'sum-item' }, el('strong', { text: (Number(s.message_count) || 0).toLocaleString('en-US') }), ` ${Number(s.message_count) === 1 ? 'message' : 'messages'}`));
  // Problems first, so that they stay in view when the bar is narrow; the time range and counts may be cut.
  if (Number(s.failures) > 0) parts.push(el('span', { class: 'sum-item sum-fail', text: `✕ ${plural(Number(s.failures), 'failure')}` }));
  if (Number(s.unanswered) > 0) parts.push(el('span', { class: 'sum-item sum-warn', text: `${plural(Number(s.unanswered), 'unanswered request')}` }));
  if (s.first_time) {
    const a = splitTime(s.first_time);
    const b = splitTime(s.last_time || s.first_time);
    const span = durationText(timeMs(s.last_time) - timeMs(s.first_time));
    const range = a.date === b.date ? `${a.date} ${a.clock} – ${b.clock}` : `${a.date} ${a.clock} – ${b.date} ${b.clock}`;
    const text = span ? `${range} (${span})` : range;
    parts.push(el('span', { class: 'sum-item sum-cut', title: text, text }));
  }
  const counters = [
    ['conversations', 'conversation'], ['dialogs', 'dialog'], ['transactions', 'transaction'], ['subscriptions', 'subscription'],
  ];
  const counts = counters.filter(([key]) => s[key] !== undefined && s[key] !== null)
    .map(([key, word]) => plural(Number(s[key]) || 0, word)).join(' · ');
  if (counts) parts.push(el('span', { class: 'sum-item sum-cut', title: counts, text: counts }));
  ui.summaryText.replaceChildren(...parts);

  const c = diagCounts();
  const total = c.error + c.warning + c.info;
  ui.diagToggle.replaceChildren(...[
    el('span', { text: `Diagnostics: ${total}` }),
    c.error ? el('span', { class: 'pill pill-error', text: `${c.error} error${c.error === 1 ? '' : 's'}` }) : null,
    c.warning ? el('span', { class: 'pill pill-warning', text: `${c.warning} warning${c.warning === 1 ? '' : 's'}` }) : null,
  ].filter(Boolean));
  ui.diagToggle.disabled = total === 0;
  if (total === 0) {
    ui.diagnostics.hidden = true;
    ui.diagToggle.setAttribute('aria-expanded', 'false');
  }
}

const SEVERITY_ICON = { error: '✕', warning: '!', info: 'i' };

// The diagnostics list: the worker sends the first page (sorted by severity); "Show more" asks for the next
// ones, so a log with a hundred thousand problems never builds a hundred thousand elements at once.
const DIAG_PAGE = 200;

function renderDiagnostics() {
  const list = state.summary.diagnostics || [];
  ui.diagList.replaceChildren();
  state.diagShown = 0;
  appendDiagnostics(list);
}

function diagItem(d) {
  const sev = ['error', 'warning', 'info'].includes(d.severity) ? d.severity : 'info';
  const where = [];
  if (d.file !== undefined && d.file !== null) {
    const f = (state.summary.files || [])[d.file];
    where.push(f ? f.name : `file ${d.file}`);
  }
  if (d.line) where.push(`line ${d.line}`);
  const hasMsg = Number.isInteger(d.msg) && d.msg >= 0;
  return el('li', { class: `diag diag-${sev}` },
    el('span', { class: 'diag-sev', 'aria-hidden': 'true', text: SEVERITY_ICON[sev] }),
    el('span', { class: 'diag-word', text: sev }),
    el('span', { class: 'diag-msg', text: String(d.message ?? '') }),
    where.length ? el('span', { class: 'diag-where', text: where.join(', ') }) : null,
    hasMsg ? el('button', { type: 'button', class: 'link', text: `message #${d.msg + 1}`, onclick: () => selectMessage(d.msg, { scroll: true }) }) : null);
}

function appendDiagnostics(list) {
  ui.diagList.querySelector('.diag-more')?.remove();
  ui.diagList.append(...list.map(diagItem));
  state.diagShown += list.length;
  const total = Number(state.summary.diagnostics_total ?? (state.summary.diagnostics || []).length);
  if (state.diagShown < total) {
    const left = total - state.diagShown;
    const more = el('button', {
      type: 'button',
      class: 'btn btn-small',
      text: `Show ${Math.min(DIAG_PAGE, left).toLocaleString('en-US')} more (${left.toLocaleString('en-US')} not shown)`,
      onclick: () => {
        more.disabled = true;
        call('diagnostics', state.diagShown, DIAG_PAGE).then(appendDiagnostics, reportError);
      },
    });
    ui.diagList.append(el('li', { class: 'diag-more' }, more));
  }
}

// ---------------------------------------------------------------------------------------------
// Conversations.

const KIND_LABEL = {
  registration: 'REG', register: 'REG', subscription: 'SUB', subscribe: 'SUB', im: 'IM', call: 'CALL',
  invite: 'CALL', service: 'SVC', options: 'OPT', message: 'IM', notify: 'NTFY', dialog: 'DLG', transaction: 'TX',
  conference: 'CONF', publish: 'PUB', other: '…',
};

// The list is virtualized: entries have a fixed height and only those in view (plus a few) exist in the DOM,
// so a log with thousands of conversations costs the same as one with ten. `conv.view` is what the list shows,
// in order: "All messages" (-1) then every conversation, or those with a search hit.
const CONV_ROW = 48; // px, = .conv height in style.css
const CONV_OVERSCAN = 8;

const conv = {
  view: [-1],
  items: new Map(), // conversation id -> its <li>, for the entries in the DOM
};

function renderConversations() {
  conv.view = [-1, ...state.conversations.keys()];
  resetConvList();
}

function resetConvList() {
  conv.items.clear();
  ui.convList.replaceChildren();
  ui.convList.style.height = `${conv.view.length * CONV_ROW}px`;
  const all = state.conversations.length;
  const shown = conv.view.length - 1;
  ui.convCount.textContent = !all ? '' : shown === all ? all.toLocaleString('en-US') : `${shown.toLocaleString('en-US')} of ${all.toLocaleString('en-US')}`;
  renderConvWindow();
}

function convItem(id, pos) {
  if (id === -1) return convOption(-1, 'All messages', '', Number(state.summary.message_count) || 0, null, false, 'ALL');
  const c = state.conversations[id] || {};
  const kind = String(c.kind || 'other').toLowerCase();
  const badge = KIND_LABEL[kind] || kind.slice(0, 4).toUpperCase();
  const count = Number(c.message_count) || 0;
  // set_filter() takes the conversation's position in conversations() (its id, when ids are positions).
  return convOption(id, String(c.label || c.call_id || `conversation ${pos}`), String(c.call_id || ''), count, c.first_time, !!c.failed, badge, kind);
}

function renderConvWindow() {
  const sc = ui.convScroll;
  const n = conv.view.length;
  const first = Math.max(0, Math.floor(sc.scrollTop / CONV_ROW) - CONV_OVERSCAN);
  const last = Math.min(n - 1, Math.ceil((sc.scrollTop + Math.max(sc.clientHeight, 600)) / CONV_ROW) + CONV_OVERSCAN);
  const want = new Set();
  for (let pos = first; pos <= last; pos++) want.add(conv.view[pos]);
  for (const [id, li] of conv.items) {
    // The focused entry stays (keyboard focus must not fall off the list).
    if (!want.has(id) && li !== document.activeElement) {
      li.remove();
      conv.items.delete(id);
    }
  }
  for (let pos = first; pos <= last; pos++) {
    const id = conv.view[pos];
    let li = conv.items.get(id);
    if (!li) {
      li = convItem(id, pos);
      li.style.top = `${pos * CONV_ROW}px`;
      li.setAttribute('aria-setsize', String(n));
      li.setAttribute('aria-posinset', String(pos + 1));
      conv.items.set(id, li);
      ui.convList.append(li);
    }
  }
  markConversation();
}

let convScrollQueued = false;
function onConvScroll() {
  if (convScrollQueued) return;
  convScrollQueued = true;
  requestAnimationFrame(() => {
    convScrollQueued = false;
    renderConvWindow();
  });
}

// Scroll the list so that view position `pos` is in view, draw it, and return its <li>.
function revealConv(pos) {
  const sc = ui.convScroll;
  const top = pos * CONV_ROW;
  if (top < sc.scrollTop) sc.scrollTop = top;
  else if (top + CONV_ROW > sc.scrollTop + sc.clientHeight) sc.scrollTop = top + CONV_ROW - sc.clientHeight;
  renderConvWindow();
  return conv.items.get(conv.view[pos]);
}

function convKey(e) {
  const n = conv.view.length;
  if (!n) return;
  const focusedId = document.activeElement && document.activeElement.dataset ? Number(document.activeElement.dataset.conv) : NaN;
  let cur = conv.view.indexOf(Number.isNaN(focusedId) ? state.filter : focusedId);
  const page = Math.max(1, Math.floor(ui.convScroll.clientHeight / CONV_ROW) - 1);
  let next = -1;
  if (e.key === 'ArrowDown') next = (cur < 0 ? 0 : cur + 1);
  else if (e.key === 'ArrowUp') next = (cur < 0 ? 0 : cur - 1);
  else if (e.key === 'PageDown') next = (cur < 0 ? 0 : cur + page);
  else if (e.key === 'PageUp') next = (cur < 0 ? 0 : cur - page);
  else if (e.key === 'Home') next = 0;
  else if (e.key === 'End') next = n - 1;
  else if ((e.key === 'Enter' || e.key === ' ') && cur >= 0) {
    e.preventDefault();
    selectConversation(conv.view[cur]).catch(reportError);
    return;
  } else return;
  e.preventDefault();
  e.stopPropagation();
  next = Math.max(0, Math.min(n - 1, next));
  if (cur < 0) cur = next;
  const li = revealConv(next);
  if (li) li.focus({ preventScroll: true });
  selectConversation(conv.view[next]).catch(reportError);
}

function convOption(id, label, callId, count, firstTime, failed, badge, kind) {
  const li = el('li', {
    class: `conv${failed ? ' conv-failed' : ''}`,
    role: 'option',
    tabindex: '-1',
    'data-conv': String(id),
    title: callId ? `${label}\nCall-ID: ${callId}` : label,
  },
  el('span', { class: `conv-kind kind-${kind || 'all'}`, text: badge }),
  el('span', { class: 'conv-main' },
    el('span', { class: 'conv-label', text: label }),
    // One line (the list has a fixed row height): the failure first, the time last (it may be cut).
    el('span', { class: 'conv-sub' },
      failed ? el('span', { class: 'conv-fail', title: 'Something in this conversation failed', text: '✕ failed' }) : null,
      el('span', { class: 'conv-count', text: plural(count, 'msg', 'msgs') }),
      firstTime ? el('span', { class: 'conv-time', text: clock(firstTime) }) : null)));
  return li;
}

function markConversation() {
  for (const [id, li] of conv.items) {
    const on = id === state.filter;
    li.setAttribute('aria-selected', on ? 'true' : 'false');
    li.tabIndex = on ? 0 : -1;
  }
}

async function selectConversation(id) {
  if (state.phase !== 'done' || id === state.filter) return;
  state.filter = id;
  markConversation();
  const meta = await call('setFilter', id);
  await renderLadder(meta);
  // Keep the selection when it is still visible; else select the conversation's first message.
  if (!state.msgToRow.has(state.selected) && state.rowToMsg.length) selectMessage(state.rowToMsg[0], { scroll: true });
  else if (state.selected >= 0) scrollToMessage(state.selected);
}

// ---------------------------------------------------------------------------------------------
// Ladder. The canvas is sized from ladder_meta() (fixed row height), so rendering only a window of
// rows later (virtualization) needs no layout change: place each window's SVG at its first row.

const SVG_ALLOWED = new Set([
  'svg', 'g', 'defs', 'marker', 'path', 'line', 'polyline', 'polygon', 'rect', 'circle', 'ellipse',
  'text', 'tspan', 'title', 'desc', 'use', 'symbol', 'clipPath', 'linearGradient', 'stop',
]);

// Only allowed SVG elements; no event handler, style or outside link attributes. One pass over the elements in
// document order (a window of rows has a few thousand; this runs on the main thread for each one drawn).
function sanitizeSvg(root) {
  const all = root.getElementsByTagName('*');
  const bad = [];
  for (let i = 0; i < all.length; i++) {
    const e = all[i];
    if (e.namespaceURI !== SVG_NS || !SVG_ALLOWED.has(e.localName)) bad.push(e);
  }
  for (const e of bad) e.remove();
  cleanAttributes(root);
  for (let i = 0; i < all.length; i++) cleanAttributes(all[i]);
  return root;
}

function cleanAttributes(node) {
  const attrs = node.attributes;
  for (let i = attrs.length - 1; i >= 0; i--) {
    const attr = attrs[i];
    const name = attr.name.toLowerCase();
    if (name.startsWith('on') || name === 'style') node.removeAttributeNode(attr);
    else if (attr.localName.toLowerCase() === 'href' && !attr.value.trim().startsWith('#')) node.removeAttributeNode(attr);
  }
}

function parseSvg(text) {
  const doc = new DOMParser().parseFromString(String(text), 'image/svg+xml');
  const err = doc.getElementsByTagName('parsererror')[0];
  const root = doc.documentElement;
  if (err || !root || root.namespaceURI !== SVG_NS || root.localName !== 'svg') {
    throw new Error('The flow diagram could not be drawn (the engine returned SVG the browser could not read).');
  }
  sanitizeSvg(root);
  // Moved, not copied: a copy would leave a second tree behind for the garbage collector at every window drawn
  // while scrolling (hundreds of MB of garbage on a long scroll through a big ladder).
  return document.adoptNode(root);
}

let laddersDrawing = 0;
async function renderLadder(meta) {
  laddersDrawing += 1;
  ui.ladderCanvas.setAttribute('aria-busy', 'true');
  try {
    await drawLadder(meta);
  } finally {
    laddersDrawing -= 1;
    if (!laddersDrawing) ui.ladderCanvas.setAttribute('aria-busy', 'false');
  }
}

async function drawLadder(meta) {
  state.meta = meta;
  state.rowToMsg = new Int32Array(0);
  state.msgToRow = new RowIndex(state.rowToMsg, 0);
  state.arrows = new Map();
  state.windows = new Map();
  ui.ladderCanvas.replaceChildren();
  ui.ladderHeader.replaceChildren();
  ui.notice.hidden = true;

  const rows = Number(meta && meta.rows) || 0;
  const total = Number(state.summary.message_count) || 0;
  ui.ladderCaption.textContent = state.filter === -1
    ? plural(rows, 'message')
    : `${plural(rows, 'message')} of ${total.toLocaleString('en-US')}`;
  ui.exportSvg.disabled = rows === 0;

  ui.legend.hidden = rows === 0;
  if (rows === 0) {
    ui.ladderScroll.hidden = true;
    const files = (state.summary.files || []).map((f) => f.name).join(', ') || 'this input';
    ui.notice.replaceChildren(
      el('strong', { text: total === 0 ? `No SIP messages found in ${files}.` : 'No messages in this conversation.' }),
      el('span', { text: total === 0
        ? ' sipscope reads Skype for Business / Lync client logs (.UccApilog) and plain SIP text. See the diagnostics below for what was found.'
        : '' }));
    ui.notice.hidden = false;
    return;
  }
  ui.ladderScroll.hidden = false;

  // The canvas is the whole ladder (header included, ladder_meta() size); the sticky header covers its
  // top header_height px, and each window of rows is placed at its own y.
  const headerHeight = Number(meta.header_height) || 0;
  const rowHeight = Number(meta.row_height) || 28;
  const width = Number(meta.width) || 0;
  ui.ladderCanvas.style.width = `${width}px`;
  ui.ladderCanvas.style.height = `${Number(meta.height) || headerHeight + rows * rowHeight}px`;
  ui.ladderCanvas.style.marginTop = `${-headerHeight}px`;
  ui.ladderHeader.style.height = `${headerHeight}px`;
  ui.ladderHeader.style.width = `${width}px`;

  const order = meta.messages;
  state.rowToMsg = order && order.length === rows ? Int32Array.from(order) : new Int32Array(0);
  // Without the row order from ladder_meta() the page cannot window: draw every row at once.
  state.windowRows = state.rowToMsg.length ? WINDOW_ROWS : rows;
  const gen = ++state.ladderGen;
  try {
    const head = parseSvg(await call('header'));
    if (gen !== state.ladderGen) return;
    head.setAttribute('aria-hidden', 'true');
    ui.ladderHeader.append(head);
    await ensureWindows();
  } catch (err) {
    if (gen !== state.ladderGen) return;
    ui.notice.replaceChildren(el('strong', { text: err.message }));
    ui.notice.hidden = false;
    return;
  }
  if (!state.rowToMsg.length) {
    state.rowToMsg = Int32Array.from(ui.ladderCanvas.querySelectorAll('[data-msg]'), (a) => Number(a.getAttribute('data-msg')));
  }
  state.msgToRow = new RowIndex(state.rowToMsg, Number(state.summary.message_count) || 0);
  applySearchToLadder();
  if (state.selected >= 0 && state.arrows.has(state.selected)) markSelected();
  else if (state.rowToMsg.length) state.arrows.get(state.rowToMsg[0])?.setAttribute('tabindex', '0');
}

// Virtualization: the ladder is drawn in windows of WINDOW_ROWS rows, each one SVG from ladder_svg() placed
// at its own y; only the windows near the visible part of the pane exist in the DOM.
// 60 rows (28 px each) is about two screens: a few hundred arrows in the DOM at most, and little to parse per
// window while scrolling.
const WINDOW_ROWS = 60;

function visibleWindows() {
  const meta = state.meta;
  const rows = Number(meta.rows) || 0;
  const hh = Number(meta.header_height) || 0;
  const rh = Number(meta.row_height) || 28;
  const sc = ui.ladderScroll;
  const firstRow = Math.max(0, Math.floor((sc.scrollTop - hh) / rh));
  const lastRow = Math.min(rows - 1, Math.ceil((sc.scrollTop + Math.max(sc.clientHeight, 400)) / rh));
  const per = state.windowRows;
  // One window of overscan each way, so that scrolling a little never shows a gap.
  const from = Math.max(0, Math.floor(firstRow / per) - 1);
  const to = Math.min(Math.floor((rows - 1) / per), Math.floor(lastRow / per) + 1);
  return { from, to };
}

async function ensureWindows() {
  if (!state.meta || !(Number(state.meta.rows) > 0)) return;
  const gen = state.ladderGen;
  const { from, to } = visibleWindows();
  // Drop windows that are far away.
  for (const [w, svg] of state.windows) {
    if (w < from - 1 || w > to + 1) {
      if (svg !== 'pending') {
        for (const a of svg.querySelectorAll('[data-msg]')) state.arrows.delete(Number(a.getAttribute('data-msg')));
        svg.remove();
      }
      state.windows.delete(w);
    }
  }
  const jobs = [];
  for (let w = from; w <= to; w++) {
    if (!state.windows.has(w)) jobs.push(renderWindow(w, gen));
  }
  await Promise.all(jobs);
}

async function renderWindow(w, gen) {
  state.windows.set(w, 'pending');
  const rows = Number(state.meta.rows) || 0;
  const first = w * state.windowRows;
  const count = Math.min(state.windowRows, rows - first);
  let svg;
  try {
    svg = parseSvg(await call('svg', first, count));
  } catch (err) {
    if (gen === state.ladderGen) state.windows.delete(w);
    throw err;
  }
  if (gen !== state.ladderGen || state.windows.get(w) !== 'pending') return;
  const meta = state.meta;
  const y = svg.hasAttribute('data-y')
    ? Number(svg.getAttribute('data-y'))
    : Number(meta.header_height) + first * Number(meta.row_height);
  svg.classList.add('ladder-window');
  svg.style.top = `${y}px`;
  svg.setAttribute('role', 'group');
  svg.setAttribute('aria-label', `Messages ${first + 1} to ${first + count}`);
  const hits = state.searchHits;
  for (const a of svg.querySelectorAll('[data-msg]')) {
    const msg = Number(a.getAttribute('data-msg'));
    state.arrows.set(msg, a);
    a.setAttribute('role', 'button');
    a.setAttribute('tabindex', '-1'); // roving: only the selected arrow is a Tab stop
    if (!a.hasAttribute('aria-label')) {
      const title = a.querySelector('title');
      a.setAttribute('aria-label', (title ? title.textContent : a.textContent).replace(/\s+/g, ' ').trim());
    }
    if (hits && hits.has(msg)) a.classList.add('is-hit');
    if (msg === state.selected) {
      a.classList.add('selected');
      a.setAttribute('aria-current', 'true');
      a.setAttribute('tabindex', '0');
    }
  }
  state.windows.set(w, svg);
  ui.ladderCanvas.append(svg);
  if (state.focusPending >= 0 && state.arrows.has(state.focusPending)) {
    state.arrows.get(state.focusPending).focus({ preventScroll: true });
    state.focusPending = -1;
  }
}

let scrollQueued = false;
function onLadderScroll() {
  if (scrollQueued) return;
  scrollQueued = true;
  requestAnimationFrame(() => {
    scrollQueued = false;
    ensureWindows().catch(reportError);
  });
}

async function exportSvg() {
  // The worker makes the file (a Blob): the main thread never holds the whole picture as a string.
  const blob = await call('export');
  const url = URL.createObjectURL(blob instanceof Blob ? blob : new Blob([String(blob)], { type: 'image/svg+xml' }));
  const a = document.createElement('a');
  const base = ((state.summary.files || [])[0] || {}).name || 'sipscope';
  a.href = url;
  a.download = `${String(base).replace(/\.[^.]*$/, '')}-flow.svg`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function rowOfEvent(event) {
  const meta = state.meta;
  if (!meta) return -1;
  const rect = ui.ladderCanvas.getBoundingClientRect();
  const y = event.clientY - rect.top; // canvas starts at the top of the drawing (header included)
  const row = Math.floor((y - Number(meta.header_height)) / Number(meta.row_height));
  return row >= 0 && row < state.rowToMsg.length ? row : -1;
}

function onLadderClick(event) {
  const hit = event.target.closest && event.target.closest('[data-msg]');
  let msg = -1;
  if (hit && ui.ladderCanvas.contains(hit)) msg = Number(hit.getAttribute('data-msg'));
  else {
    const row = rowOfEvent(event);
    if (row >= 0) msg = state.rowToMsg[row];
  }
  if (msg >= 0) selectMessage(msg, { focus: true });
}

function markSelected() {
  for (const a of ui.ladderCanvas.querySelectorAll('[data-msg].selected')) {
    a.classList.remove('selected');
    a.removeAttribute('aria-current');
    a.setAttribute('tabindex', '-1');
  }
  const a = state.arrows.get(state.selected);
  if (!a) return null;
  a.classList.add('selected');
  a.setAttribute('aria-current', 'true');
  a.setAttribute('tabindex', '0');
  return a;
}

function scrollToMessage(msg) {
  const row = state.msgToRow.get(msg);
  if (row === undefined || !state.meta) return;
  const top = Number(state.meta.header_height) + row * Number(state.meta.row_height);
  const sc = ui.ladderScroll;
  const viewTop = sc.scrollTop + Number(state.meta.header_height);
  const viewBottom = sc.scrollTop + sc.clientHeight;
  const rowH = Number(state.meta.row_height);
  if (top < viewTop) sc.scrollTop = top - Number(state.meta.header_height) - rowH;
  else if (top + rowH > viewBottom) sc.scrollTop = top + 2 * rowH - sc.clientHeight;
}

let detailSeq = 0;

async function selectMessage(msg, opts = {}) {
  if (!Number.isInteger(msg) || msg < 0) return;
  state.selected = msg;
  onSelect(msg);
  const a = markSelected();
  if (opts.scroll !== false) scrollToMessage(msg);
  if (opts.focus && a) a.focus({ preventScroll: true });
  else if (opts.focus) state.focusPending = msg; // its window is not drawn yet: focus it when it is
  if (!a) ensureWindows().catch(reportError);
  const seq = ++detailSeq;
  try {
    const m = await call('message', msg);
    if (seq !== detailSeq) return;
    const other = !state.message || state.message.index !== m?.index;
    state.message = m;
    renderDetail();
    if (other) ui.detailBody.scrollTop = 0; // another message starts at its start line, like DevTools
  } catch (err) {
    if (seq !== detailSeq) return;
    state.message = null;
    renderDetail(err.message);
  }
}

function moveSelection(delta) {
  const rows = state.rowToMsg;
  if (!rows.length) return;
  let row = state.msgToRow.get(state.selected);
  if (row === undefined) row = delta > 0 ? -1 : rows.length;
  let next = row + delta;
  next = Math.max(0, Math.min(rows.length - 1, next));
  if (next !== row) selectMessage(rows[next], { focus: ui.ladderCanvas.contains(document.activeElement) || document.activeElement === ui.ladderScroll });
}

// ---------------------------------------------------------------------------------------------
// Message detail.

function renderDetail(errorText) {
  const m = state.message;
  ui.detailBody.replaceChildren();
  ui.rawToggle.disabled = !m;
  ui.rawToggle.setAttribute('aria-pressed', state.raw ? 'true' : 'false');
  ui.rawToggle.textContent = state.raw ? 'Parsed view' : 'Raw text';
  ui.detailSub.textContent = '';
  if (errorText) {
    ui.detailBody.append(el('p', { class: 'placeholder error-text', text: `This message could not be shown: ${errorText}` }));
    return;
  }
  if (!m && !(Number(state.summary && state.summary.message_count) > 0)) {
    ui.detailBody.append(el('p', { class: 'placeholder', text: 'No message to show.' }));
    return;
  }
  if (!m) {
    ui.detailBody.append(el('p', { class: 'placeholder' },
      'Select an arrow in the flow to see its message. ', el('kbd', { text: '↑' }), ' ', el('kbd', { text: '↓' }), ' move between messages.'));
    return;
  }
  ui.detailSub.textContent = `#${Number(m.index) + 1}`;

  const status = Number(m.status) || 0;
  const cls = status >= 400 ? 'failure' : status >= 300 ? 'redirect' : status >= 200 ? 'success' : status >= 100 ? 'provisional' : 'request';
  const head = el('div', { class: 'msg-head' });
  head.append(el('div', { class: `start-line sl-${cls}` },
    el('span', { class: 'sl-text', text: String(m.start_line ?? '') }),
    el('span', { class: 'sl-kind', text: statusWord(cls, status) })));
  const fileName = m.file_name ?? ((state.summary.files || [])[m.file] || {}).name;
  const dir = m.direction ? ` (${m.direction})` : '';
  const metaItems = [
    ...timeRows(m), // merged time, and the file's own clock when it differs
    ['From', `${m.src ?? ''}`],
    ['To', `${m.dst ?? ''}${dir}`],
    fileName !== undefined || m.line ? ['Source', `${fileName ?? ''}${m.line ? `, line ${m.line}` : ''}`] : null,
    ...alsoRows(m), // the same message in other files
  ].filter(Boolean);
  const dl = el('dl', { class: 'msg-meta' });
  for (const [k, v] of metaItems) dl.append(el('dt', { text: k }), el('dd', { text: v, title: v }));
  head.append(dl);

  const tx = m.transaction;
  if (tx && typeof tx === 'object') head.append(renderTransaction(m, tx));

  const problems = [...(m.problems || []).map((p) => ({ severity: 'warning', message: String(p) })), ...(m.diagnostics || [])];
  if (m.truncated) problems.unshift({ severity: 'warning', message: 'This message is truncated in the log.' });
  if (m.retransmission) problems.unshift({ severity: 'info', message: 'Retransmission: the same message was sent before.' });
  if (problems.length) {
    const ul = el('ul', { class: 'msg-problems', 'aria-label': 'Problems' });
    for (const p of problems) {
      const sev = ['error', 'warning', 'info'].includes(p.severity) ? p.severity : 'warning';
      ul.append(el('li', { class: `diag diag-${sev}` },
        el('span', { class: 'diag-sev', 'aria-hidden': 'true', text: SEVERITY_ICON[sev] }),
        el('span', { class: 'diag-word', text: sev }),
        el('span', { class: 'diag-msg', text: String(p.message ?? p) })));
    }
    head.append(ul);
  }
  ui.detailBody.append(head);

  const parts = Array.isArray(m.body_parts) ? m.body_parts : [];
  const headers = Array.isArray(m.headers) ? m.headers : [];
  if (!state.raw) {
    // Section shortcuts, like DevTools' tabs: the body can be far below a long header table.
    const jump = (id) => () => document.getElementById(id)?.scrollIntoView({ block: 'start' });
    ui.detailBody.append(el('nav', { class: 'msg-jump', 'aria-label': 'Message sections' },
      el('button', { type: 'button', class: 'chip', onclick: jump('sec-headers'), text: `Headers ${headers.length}` }),
      el('button', { type: 'button', class: 'chip', onclick: jump('sec-body'), text: parts.length ? `Body ${parts.length === 1 ? '' : `${parts.length} parts`}`.trim() : 'No body' })));
  }

  if (state.raw) {
    ui.detailBody.append(el('section', { class: 'msg-section' },
      el('h3', { text: 'Raw text, exactly as in the log' }),
      el('pre', { class: 'raw', text: String(m.raw ?? '') })));
    return;
  }

  // Name, value, and what it means (the engine's annotations; insights.js lays them out).
  const table = headersTable(headers, m.annotations);
  ui.detailBody.append(el('section', { class: 'msg-section', id: 'sec-headers' }, el('h3', { text: `Headers (${headers.length})` }), table));

  const fromHeaders = headerSummaries(m); // text carried in a header (the first IM, in ms-text-format)
  if (parts.length) {
    const sec = el('section', { class: 'msg-section', id: 'sec-body' }, el('h3', { text: parts.length === 1 ? 'Body' : `Body (${parts.length} parts)` }));
    if (fromHeaders) sec.append(fromHeaders);
    parts.forEach((p, i) => sec.append(renderBodyPart(p, i, parts.length, summariesFor(m, i))));
    ui.detailBody.append(sec);
  } else {
    ui.detailBody.append(el('section', { class: 'msg-section', id: 'sec-body' }, el('h3', { text: 'Body' }), fromHeaders || el('p', { class: 'muted', text: 'No body.' })));
  }
}

function statusWord(cls, status) {
  switch (cls) {
    case 'failure': return `failure (${status})`;
    case 'redirect': return 'redirect';
    case 'success': return 'success';
    case 'provisional': return 'provisional';
    default: return 'request';
  }
}

function renderTransaction(m, tx) {
  const box = el('div', { class: 'msg-tx' });
  const link = (i, text) => el('button', { type: 'button', class: 'link', text, onclick: () => selectMessage(i, { scroll: true }) });
  const isRequest = !(Number(m.status) > 0);
  if (isRequest) {
    const responses = Array.isArray(tx.responses) ? tx.responses : [];
    box.append(el('span', { class: 'tx-label', text: 'Transaction' }));
    if (tx.final_status) {
      const fs = Number(tx.final_status);
      box.append(el('span', { class: `tx-status ${fs >= 300 ? 'tx-bad' : 'tx-ok'}`, text: `final ${fs}${tx.response_ms !== null && tx.response_ms !== undefined ? ` after ${durationText(Number(tx.response_ms))}` : ''}` }));
    } else {
      box.append(el('span', { class: 'tx-status tx-bad', text: 'no final response' }));
    }
    if (responses.length) {
      box.append(el('span', { class: 'tx-list' }, 'responses: ', ...responses.flatMap((r, i) => [i ? ', ' : '', link(Number(r), `#${Number(r) + 1}`)])));
    }
  } else {
    box.append(el('span', { class: 'tx-label', text: 'Answers' }));
    if (tx.request !== null && tx.request !== undefined) box.append(link(Number(tx.request), `request #${Number(tx.request) + 1}`));
    if (tx.response_ms !== null && tx.response_ms !== undefined) box.append(el('span', { class: 'tx-status', text: `final after ${durationText(Number(tx.response_ms))}` }));
  }
  return box;
}

function renderBodyPart(p, i, n, summaries) {
  const ct = String(p.content_type || 'no content type');
  const part = el('div', { class: 'body-part' });
  part.append(el('h4', null, n > 1 ? el('span', { class: 'muted', text: `Part ${i + 1} · ` }) : null, el('span', { text: ct })));
  const hdrs = Array.isArray(p.headers) ? p.headers : [];
  if (hdrs.length) {
    const dl = el('dl', { class: 'part-headers' });
    for (const h of hdrs) {
      if (Array.isArray(h)) dl.append(el('dt', { text: String(h[0]) }), el('dd', { text: String(h[1]) }));
      else if (h && typeof h === 'object') dl.append(el('dt', { text: String(h.name ?? '') }), el('dd', { text: String(h.value ?? '') }));
      else dl.append(el('dd', { text: String(h) }));
    }
    part.append(dl);
  } else if (typeof p.headers === 'string' && p.headers.trim()) {
    part.append(el('pre', { class: 'part-headers-text', text: p.headers }));
  }
  const text = p.text === undefined || p.text === null ? '' : String(p.text);
  const pretty = p.pretty === undefined || p.pretty === null ? '' : String(p.pretty);
  // Readable first: what the part says, in words (the engine's body summaries); then the pretty-printed text.
  for (const sum of summaries || []) part.append(bodySummary(sum));
  if (pretty || text) {
    part.append(el('details', { class: 'pretty', open: true },
      el('summary', { text: pretty ? 'Pretty-printed' : 'Text' }),
      el('pre', { class: 'code', text: pretty || text })));
  } else {
    part.append(el('p', { class: 'muted', text: 'Empty part.' }));
  }
  return part;
}

// ---------------------------------------------------------------------------------------------
// Search.

// The search runs in the worker (the engine looks in every message's text and endpoints); the page gets back the
// matching message indices and conversation ids, and only marks the arrows and entries in view.

// The messages that match, as a list and a mask (has() is O(1) for any number of messages).
class Hits {
  constructor(list, messageCount) {
    this.list = list;
    let size = messageCount;
    for (const m of list) if (m >= size) size = m + 1;
    this.mask = new Uint8Array(size);
    for (const m of list) this.mask[m] = 1;
  }

  has(msg) { return msg >= 0 && msg < this.mask.length && this.mask[msg] === 1; }

  get size() { return this.list.length; }
}

let searchTimer = 0;
let searchSeq = 0;

function onSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 160);
}

async function runSearch() {
  const q = ui.search.value.trim();
  state.searchQuery = q;
  const seq = ++searchSeq;
  if (!q) {
    state.searchHits = null;
    state.searchConvs = null;
  } else {
    const engine = engines.shown;
    if (!engine) return;
    ui.searchCount.textContent = 'searching…';
    try {
      const r = await engine.call('search', q);
      if (seq !== searchSeq || engines.shown !== engine) return;
      state.searchHits = r ? new Hits(r.hits, Number(state.summary.message_count) || 0) : null;
      state.searchConvs = r ? new Set(r.convs) : null;
    } catch (err) {
      if (seq !== searchSeq) return;
      state.searchHits = new Hits(new Int32Array(0), 0);
      state.searchConvs = new Set();
      console.warn('search failed:', err.message);
    }
  }
  applySearchToLadder();
  applySearchToConversations();
}

function applySearchToLadder() {
  const hits = state.searchHits;
  ui.searchCount.dataset.query = hits ? state.searchQuery : ''; // what the count is about
  ui.ladderCanvas.classList.toggle('searching', !!hits);
  for (const [msg, a] of state.arrows) a.classList.toggle('is-hit', !!hits && hits.has(msg));
  if (!hits) {
    ui.searchCount.textContent = '';
    return;
  }
  let shown = 0;
  if (state.filter === -1) shown = hits.size;
  else for (const msg of hits.list) if (state.msgToRow.has(msg)) shown += 1;
  const elsewhere = hits.size - shown;
  ui.searchCount.textContent = shown
    ? `${shown.toLocaleString('en-US')} match${shown === 1 ? '' : 'es'}`
    : elsewhere ? `${elsewhere.toLocaleString('en-US')} in other conversations` : 'no match';
}

// The conversations list shows only the conversations with a match (and "All messages").
function applySearchToConversations() {
  const convs = state.searchConvs;
  const view = [-1];
  if (convs) {
    for (const id of state.conversations.keys()) if (convs.has(id) || id === state.filter) view.push(id);
  } else {
    for (const id of state.conversations.keys()) view.push(id);
  }
  conv.view = view;
  resetConvList();
}

function nextSearchHit(delta) {
  const hits = state.searchHits;
  if (!hits || !hits.size) return;
  const rows = state.rowToMsg;
  let row = state.msgToRow.get(state.selected);
  if (row === undefined) row = delta > 0 ? -1 : rows.length;
  for (let i = 1; i <= rows.length; i++) {
    const r = (row + delta * i + rows.length * 2) % rows.length;
    if (hits.has(rows[r])) {
      selectMessage(rows[r], { scroll: true });
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Events.

function isTyping(target) {
  return target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
}

function openFileDialog() {
  ui.fileInput.value = '';
  ui.fileInput.click();
}

function wire() {
  ui.openSample.addEventListener('click', analyzeSample);
  ui.emptyOpenSample.addEventListener('click', (e) => { e.stopPropagation(); analyzeSample(); });
  ui.openFile.addEventListener('click', openFileDialog);
  ui.emptyOpenFile.addEventListener('click', (e) => { e.stopPropagation(); openFileDialog(); });
  ui.fileInput.addEventListener('change', () => {
    const files = Array.from(ui.fileInput.files || []);
    ui.fileInput.value = ''; // choosing the same file again (after Cancel, say) is a change too
    analyzeFiles(files);
  });
  ui.dropzone.addEventListener('click', (e) => { if (e.target === ui.dropzone || !e.target.closest('button')) openFileDialog(); });
  ui.dropzone.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && e.target === ui.dropzone) { e.preventDefault(); openFileDialog(); }
  });
  ui.pasteForm.addEventListener('submit', (e) => { e.preventDefault(); analyzePaste(); });
  ui.pasteText.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); analyzePaste(); }
  });
  ui.errorBack.addEventListener('click', leaveError);
  ui.cancel.addEventListener('click', () => cancelAnalysis());

  ui.ladderCanvas.addEventListener('click', onLadderClick);
  ui.ladderScroll.addEventListener('scroll', onLadderScroll, { passive: true });
  ui.ladderCanvas.addEventListener('keydown', (e) => {
    const hit = e.target.closest && e.target.closest('[data-msg]');
    if (hit && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      selectMessage(Number(hit.getAttribute('data-msg')), { focus: true });
    }
  });
  ui.ladderScroll.addEventListener('focus', () => {
    // Focus lands on the scroller from Tab: pass it to the selected (or first) arrow.
    const a = state.arrows.get(state.selected) || state.arrows.get(state.rowToMsg[0]);
    if (a) a.focus({ preventScroll: true });
  });

  ui.convList.addEventListener('click', (e) => {
    const li = e.target.closest('[data-conv]');
    if (li) selectConversation(Number(li.dataset.conv)).catch(reportError);
  });
  ui.convList.addEventListener('keydown', convKey);
  ui.convList.addEventListener('focus', (e) => {
    if (e.target === ui.convList) {
      const pos = conv.view.indexOf(state.filter);
      const li = pos >= 0 ? revealConv(pos) : null;
      if (li) li.focus({ preventScroll: true });
    }
  });
  ui.convScroll.addEventListener('scroll', onConvScroll, { passive: true });

  ui.exportSvg.addEventListener('click', () => exportSvg().catch(reportError));
  ui.rawToggle.addEventListener('click', () => {
    state.raw = !state.raw;
    renderDetail();
  });
  // The message panel folds into a rail and back; the selection and its details stay (shown when unfolded).
  ui.detailToggle.addEventListener('click', () => {
    const collapse = !ui.workspace.classList.contains('detail-collapsed');
    ui.workspace.classList.toggle('detail-collapsed', collapse);
    ui.detailToggle.setAttribute('aria-expanded', collapse ? 'false' : 'true');
    ui.detailToggle.textContent = collapse ? '‹' : 'Hide';
    ui.detailToggle.title = collapse ? 'Show the message panel' : 'Hide the message panel: more room for the flow';
    ui.detailToggle.setAttribute('aria-label', collapse ? 'Show the message panel' : 'Hide the message panel');
  });
  ui.diagToggle.addEventListener('click', () => {
    const open = ui.diagnostics.hidden;
    ui.diagnostics.hidden = !open;
    ui.diagToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  });

  ui.search.addEventListener('input', onSearchInput);
  // A search is coming: let the worker start its index now (seconds for a very large log).
  ui.search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(searchTimer);
      const go = () => nextSearchHit(e.shiftKey ? -1 : 1);
      if (ui.search.value.trim() !== state.searchQuery) runSearch().then(go, reportError);
      else go();
    } else if (e.key === 'Escape') {
      ui.search.value = '';
      runSearch().catch(reportError);
      ui.ladderScroll.focus();
    }
  });

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    if (isTyping(e.target)) return;
    if (e.key === 'Escape' && state.phase === 'analyzing') {
      e.preventDefault();
      cancelAnalysis();
    } else if (e.key === '/' && !ui.search.disabled) {
      e.preventDefault();
      ui.search.focus();
      ui.search.select();
    } else if (state.phase === 'done' && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      if (ui.convList.contains(e.target)) return;
      if (ui.detailBody.contains(e.target) && e.target !== ui.detailBody) return;
      if (e.target === ui.detailBody) return; // let the detail pane scroll with the arrows
      e.preventDefault();
      moveSelection(e.key === 'ArrowDown' ? 1 : -1);
    } else if (state.phase === 'done' && (e.key === 'Home' || e.key === 'End') && (ui.ladderCanvas.contains(e.target) || e.target === ui.ladderScroll)) {
      e.preventDefault();
      const rows = state.rowToMsg;
      if (rows.length) selectMessage(rows[e.key === 'Home' ? 0 : rows.length - 1], { focus: true });
    }
  });

  // Drag and drop anywhere on the page.
  let dragDepth = 0;
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth += 1;
    ui.dropOverlay.hidden = false;
  });
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('dragleave', (e) => {
    if (!hasFiles(e)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) ui.dropOverlay.hidden = true;
  });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth = 0;
    ui.dropOverlay.hidden = true;
    if (state.phase !== 'analyzing') analyzeFiles(e.dataTransfer.files);
  });
}

function reportError(err) {
  if (err && err.closed) return;
  console.error(err);
  if (state.phase === 'analyzing') showError(err.message);
}

// Select a message from elsewhere (findings, presence): show all messages first when the conversation on
// screen does not hold it.
async function jumpToMessage(msg) {
  if (!Number.isInteger(msg) || msg < 0 || state.phase !== 'done') return;
  if (!state.msgToRow.has(msg) && state.filter !== -1) await selectConversation(-1);
  await selectMessage(msg, { scroll: true });
}

setPhase('idle');
wire();
initInsights({
  el, formatBytes, plural, formatName, splitTime, clock,
  call,
  jumpTo: (msg) => { jumpToMessage(msg).catch(reportError); },
  // The same files merged again (a clock offset set by hand): message indices changed, so all is redrawn.
  reload: (result) => onDone({ ...result, reload: true }),
  summary: () => state.summary || {},
});
warmSpare();
