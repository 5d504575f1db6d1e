// sipscope page: UI only. All parsing and correlation happen in worker.js (wasm); this file draws.
//
// Security rule for this file: text that comes from a log is only ever put in the page with
// textContent / createTextNode / setAttribute on a fixed attribute name, never innerHTML.
// The ladder SVG is parsed with DOMParser as XML, sanitized, and imported with importNode.

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
  progress: $('progress'),
  progressLabel: $('progress-label'),
  progressBar: $('progress-bar'),
  progressDetail: $('progress-detail'),
  error: $('error'),
  errorMessage: $('error-message'),
  errorBack: $('error-back'),
  workspace: $('workspace'),
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
  summaryText: $('summary-text'),
  diagToggle: $('diag-toggle'),
  diagnostics: $('diagnostics'),
  diagList: $('diag-list'),
  dropOverlay: $('drop-overlay'),
};

const SVG_NS = 'http://www.w3.org/2000/svg';

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

const state = {
  phase: 'idle',
  job: 0,
  summary: null,
  conversations: [],
  meta: null,
  filter: -1,
  rowToMsg: [],
  msgToRow: new Map(),
  arrows: new Map(),
  selected: -1,
  message: null,
  raw: false,
  searchHits: null,
  searchQuery: '',
  fileLabel: '',
  windows: new Map(),
  windowRows: 150,
  ladderGen: 0,
  focusPending: -1,
};

function setPhase(phase) {
  state.phase = phase;
  ui.body.dataset.state = phase;
  ui.app.dataset.state = phase;
  if (phase !== 'done') {
    delete ui.body.dataset.messageCount;
    delete ui.app.dataset.messageCount;
  }
  ui.progress.hidden = phase !== 'analyzing';
  ui.error.hidden = phase !== 'error';
  ui.empty.hidden = phase !== 'idle';
  // While analyzing, keep the previous workspace (if any) under the progress overlay.
  if (phase === 'idle' || phase === 'error') ui.workspace.hidden = true;
  if (phase === 'done') ui.workspace.hidden = false;
  const busy = phase === 'analyzing';
  for (const b of [ui.openSample, ui.openFile, ui.emptyOpenSample, ui.emptyOpenFile]) b.disabled = busy;
  ui.search.disabled = phase !== 'done';
}

// ---------------------------------------------------------------------------------------------
// Worker and RPC.

let worker = null;
let nextCallId = 1;
const pending = new Map();
let workerFatal = null;

function startWorker() {
  try {
    worker = new Worker('worker.js', { type: 'module', name: 'sipscope-analysis' });
  } catch (err) {
    workerFatal = 'This browser could not start the analysis worker: ' + err.message;
    return;
  }
  worker.onmessage = (event) => onWorkerMessage(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    const message = 'The analysis engine stopped: ' + (event.message || 'the worker failed to load');
    failAll(message);
  };
  worker.onmessageerror = () => failAll('A message from the analysis engine could not be read.');
}

function failAll(message) {
  workerFatal = message;
  for (const { reject } of pending.values()) reject(new Error(message));
  pending.clear();
  if (state.phase === 'analyzing') showError(message);
}

function call(method, ...args) {
  if (workerFatal) return Promise.reject(new Error(workerFatal));
  const id = nextCallId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ type: 'call', id, method, args });
  });
}

function onWorkerMessage(msg) {
  switch (msg.type) {
    case 'ready':
      if (msg.version) ui.body.dataset.engine = msg.version;
      break;
    case 'fatal':
      failAll(msg.message);
      break;
    case 'result': {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if ('error' in msg && msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.value);
      break;
    }
    case 'progress':
      if (msg.job === state.job) showProgress(msg.file, msg.bytes, msg.total);
      break;
    case 'done':
      if (msg.job === state.job) onDone(msg).catch((err) => showError(err.message));
      break;
    case 'error':
      if (msg.job === state.job) showError(msg.message);
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Analysis.

function analyze(sources, label) {
  if (!sources.length) return;
  if (workerFatal) {
    showError(workerFatal);
    return;
  }
  state.job += 1;
  state.fileLabel = label;
  setPhase('analyzing');
  ui.progressLabel.textContent = `Analyzing ${label}…`;
  ui.progressBar.removeAttribute('value');
  ui.progressDetail.textContent = 'Reading on this device';
  worker.postMessage({ type: 'analyze', job: state.job, sources });
}

function analyzeFiles(fileList) {
  const files = Array.from(fileList || []);
  if (!files.length) return;
  const label = files.length === 1 ? files[0].name : `${files.length} files`;
  analyze(files.map((file) => ({ kind: 'file', file })), label);
}

function analyzeSample() {
  analyze([{ kind: 'sample' }], 'the sample log');
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
  analyze([{ kind: 'bytes', name: 'pasted text', bytes }], 'pasted text');
}

function showProgress(file, bytes, total) {
  if (total > 0) {
    ui.progressBar.max = total;
    ui.progressBar.value = bytes;
    ui.progressDetail.textContent = bytes >= total
      ? `${formatBytes(total)} read · correlating messages…`
      : `${file}: ${formatBytes(bytes)} of ${formatBytes(total)} read`;
  } else {
    ui.progressDetail.textContent = `${file}`;
  }
}

function showError(message) {
  ui.errorMessage.textContent = message || 'Unknown error.';
  setPhase('error');
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
  state.searchQuery = '';
  ui.search.value = '';
  ui.searchCount.textContent = '';

  renderFiles();
  renderSummary();
  renderDiagnostics();
  renderConversations();
  renderDetail();
  await renderLadder(state.meta);

  const count = Number(state.summary.message_count) || 0;
  setPhase('done');
  ui.body.dataset.messageCount = String(count);
  ui.app.dataset.messageCount = String(count);
  if (count === 0) {
    ui.diagnostics.hidden = false;
    ui.diagToggle.setAttribute('aria-expanded', 'true');
  }
  ui.ladderScroll.scrollTop = 0;
  ui.ladderScroll.scrollLeft = 0;
}

// ---------------------------------------------------------------------------------------------
// Top bar, summary, diagnostics.

function renderFiles() {
  ui.files.replaceChildren();
  for (const f of state.summary.files || []) {
    const name = String(f.name ?? '');
    const li = el('li', { class: 'file-chip', title: name },
      el('span', { class: 'file-name', text: name }),
      el('span', { class: 'file-meta', text: `${formatName(f.format)} · ${formatBytes(Number(f.bytes))} · ${plural(Number(f.messages) || 0, 'msg', 'msgs')}` }));
    ui.files.append(li);
  }
}

function diagCounts() {
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
  if (s.first_time) {
    const a = splitTime(s.first_time);
    const b = splitTime(s.last_time || s.first_time);
    const span = durationText(timeMs(s.last_time) - timeMs(s.first_time));
    const range = a.date === b.date ? `${a.date} ${a.clock} – ${b.clock}` : `${a.date} ${a.clock} – ${b.date} ${b.clock}`;
    parts.push(el('span', { class: 'sum-item', text: span ? `${range} (${span})` : range }));
  }
  const counters = [
    ['conversations', 'conversation'], ['dialogs', 'dialog'], ['transactions', 'transaction'], ['subscriptions', 'subscription'],
  ];
  for (const [key, word] of counters) {
    if (s[key] !== undefined && s[key] !== null) parts.push(el('span', { class: 'sum-item', text: plural(Number(s[key]) || 0, word) }));
  }
  if (Number(s.unanswered) > 0) parts.push(el('span', { class: 'sum-item sum-warn', text: `${plural(Number(s.unanswered), 'unanswered request')}` }));
  if (Number(s.failures) > 0) parts.push(el('span', { class: 'sum-item sum-fail', text: `✕ ${plural(Number(s.failures), 'failure')}` }));
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

function renderDiagnostics() {
  const list = state.summary.diagnostics || [];
  ui.diagList.replaceChildren();
  const order = { error: 0, warning: 1, info: 2 };
  const sorted = list.slice().sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3));
  for (const d of sorted) {
    const sev = ['error', 'warning', 'info'].includes(d.severity) ? d.severity : 'info';
    const where = [];
    if (d.file !== undefined && d.file !== null) {
      const f = (state.summary.files || [])[d.file];
      where.push(f ? f.name : `file ${d.file}`);
    }
    if (d.line) where.push(`line ${d.line}`);
    const hasMsg = Number.isInteger(d.msg) && d.msg >= 0;
    const li = el('li', { class: `diag diag-${sev}` },
      el('span', { class: 'diag-sev', 'aria-hidden': 'true', text: SEVERITY_ICON[sev] }),
      el('span', { class: 'diag-word', text: sev }),
      el('span', { class: 'diag-msg', text: String(d.message ?? '') }),
      where.length ? el('span', { class: 'diag-where', text: where.join(', ') }) : null,
      hasMsg ? el('button', { type: 'button', class: 'link', text: `message #${d.msg + 1}`, onclick: () => selectMessage(d.msg, { scroll: true }) }) : null);
    ui.diagList.append(li);
  }
}

// ---------------------------------------------------------------------------------------------
// Conversations.

const KIND_LABEL = {
  registration: 'REG', register: 'REG', subscription: 'SUB', subscribe: 'SUB', im: 'IM', call: 'CALL',
  invite: 'CALL', service: 'SVC', options: 'OPT', message: 'IM', notify: 'NTFY', dialog: 'DLG', transaction: 'TX',
  conference: 'CONF', publish: 'PUB', other: '…',
};

function renderConversations() {
  const convs = state.conversations;
  ui.convList.replaceChildren();
  const total = Number(state.summary.message_count) || 0;
  const all = convOption(-1, 'All messages', '', total, null, false, 'ALL');
  ui.convList.append(all);
  convs.forEach((c, index) => {
    const kind = String(c.kind || 'other').toLowerCase();
    const badge = KIND_LABEL[kind] || kind.slice(0, 4).toUpperCase();
    const count = Array.isArray(c.messages) ? c.messages.length : Number(c.messages) || 0;
    // set_filter() takes the conversation's position in conversations() (its id, when ids are positions).
    ui.convList.append(convOption(index, String(c.label || c.call_id || `conversation ${index + 1}`), String(c.call_id || ''), count, c.first_time, !!c.failed, badge, kind));
  });
  ui.convCount.textContent = convs.length ? String(convs.length) : '';
  markConversation();
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
    el('span', { class: 'conv-sub' },
      el('span', { text: plural(count, 'msg', 'msgs') }),
      firstTime ? el('span', { text: clock(firstTime) }) : null,
      failed ? el('span', { class: 'conv-fail', title: 'Something in this conversation failed', text: '✕ failed' }) : null)));
  return li;
}

function markConversation() {
  for (const li of ui.convList.children) {
    const on = Number(li.dataset.conv) === state.filter;
    li.setAttribute('aria-selected', on ? 'true' : 'false');
    li.tabIndex = on ? 0 : -1;
  }
  applySearchToConversations();
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

function sanitizeSvg(root) {
  const walker = [root];
  while (walker.length) {
    const node = walker.pop();
    for (const child of Array.from(node.children)) {
      if (child.namespaceURI !== SVG_NS || !SVG_ALLOWED.has(child.localName)) {
        child.remove();
        continue;
      }
      walker.push(child);
    }
    for (const attr of Array.from(node.attributes)) {
      const name = attr.name.toLowerCase();
      const local = attr.localName.toLowerCase();
      if (name.startsWith('on') || name === 'style') node.removeAttributeNode(attr);
      else if ((local === 'href') && !attr.value.trim().startsWith('#')) node.removeAttributeNode(attr);
    }
  }
  return root;
}

function parseSvg(text) {
  const doc = new DOMParser().parseFromString(String(text), 'image/svg+xml');
  const err = doc.getElementsByTagName('parsererror')[0];
  const root = doc.documentElement;
  if (err || !root || root.namespaceURI !== SVG_NS || root.localName !== 'svg') {
    throw new Error('The flow diagram could not be drawn (the engine returned SVG the browser could not read).');
  }
  sanitizeSvg(root);
  return document.importNode(root, true);
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
  state.rowToMsg = [];
  state.msgToRow = new Map();
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

  state.rowToMsg = Array.isArray(meta.messages) && meta.messages.length === rows ? meta.messages.map(Number) : [];
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
    state.rowToMsg = Array.from(ui.ladderCanvas.querySelectorAll('[data-msg]'), (a) => Number(a.getAttribute('data-msg')));
  }
  state.rowToMsg.forEach((msg, row) => state.msgToRow.set(msg, row));
  applySearchToLadder();
  if (state.selected >= 0 && state.arrows.has(state.selected)) markSelected();
  else if (state.rowToMsg.length) state.arrows.get(state.rowToMsg[0])?.setAttribute('tabindex', '0');
}

// Virtualization: the ladder is drawn in windows of WINDOW_ROWS rows, each one SVG from ladder_svg() placed
// at its own y; only the windows near the visible part of the pane exist in the DOM.
const WINDOW_ROWS = 150;

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
  const text = await call('export');
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
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
  const a = markSelected();
  if (opts.scroll !== false) scrollToMessage(msg);
  if (opts.focus && a) a.focus({ preventScroll: true });
  else if (opts.focus) state.focusPending = msg; // its window is not drawn yet: focus it when it is
  if (!a) ensureWindows().catch(reportError);
  const seq = ++detailSeq;
  try {
    const m = await call('message', msg);
    if (seq !== detailSeq) return;
    state.message = m;
    renderDetail();
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

const HEADER_HELP = {
  'via': 'Path the request took so far; responses travel back along it',
  'from': 'Who sent the request (with the dialog tag)',
  'to': 'Who the request is for (the tag is added by the answering side)',
  'call-id': 'Identifies the dialog or registration; the same for every message in it',
  'cseq': 'Sequence number and method; pairs responses with their request',
  'contact': 'Where the sender can be reached directly',
  'max-forwards': 'Hops left before the request is dropped',
  'content-type': 'Type of the body',
  'content-length': 'Size of the body in bytes',
  'user-agent': 'Client software and version',
  'server': 'Server software and version',
  'event': 'Event package of a SUBSCRIBE / NOTIFY (presence, registration, …)',
  'expires': 'Seconds the registration or subscription stays valid',
  'subscription-state': 'State of the subscription (active, pending, terminated)',
  'supported': 'Extensions the sender supports',
  'require': 'Extensions the receiver must support',
  'proxy-require': 'Extensions proxies must support',
  'accept': 'Body types the sender accepts',
  'allow': 'Methods the sender accepts',
  'route': 'Proxies the request must pass through',
  'record-route': 'Proxies that stay on the path for the rest of the dialog',
  'authorization': 'Credentials for the server',
  'proxy-authorization': 'Credentials for the proxy (NTLM / Kerberos / TLS-DSK in Skype for Business)',
  'www-authenticate': 'Authentication challenge from the server',
  'proxy-authenticate': 'Authentication challenge from the proxy',
  'authentication-info': 'Proof that the server authenticated the message',
  'ms-user-logon-data': 'Skype for Business: how the user signed in (e.g. RemoteUser = through the Edge)',
  'ms-piggyback-cseq': 'Skype for Business: NOTIFY data piggybacked on this response',
  'ms-diagnostics': 'Skype for Business: server diagnostic code and reason',
  'ms-diagnostics-public': 'Skype for Business: diagnostic code and reason for clients',
  'ms-client-diagnostics': 'Skype for Business: client diagnostic code and reason',
  'ms-endpoint-location-data': 'Skype for Business: network location of the endpoint',
  'ms-subnet': 'Skype for Business: client subnet',
  'ms-edge-proxy-message-trust': 'Skype for Business: how the Edge trusted the message',
  'p-asserted-identity': 'Identity asserted by a trusted proxy',
  'referred-by': 'Who asked for this call transfer',
  'refer-to': 'Target of a transfer',
  'session-expires': 'Session refresh interval',
  'reason': 'Why the request was sent (e.g. why a call ended)',
  'warning': 'Extra information about the response',
  'retry-after': 'When to try again',
};

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
    m.time ? ['Time', `${splitTime(m.time).date} ${clock(m.time)}`] : null,
    ['From', `${m.src ?? ''}`],
    ['To', `${m.dst ?? ''}${dir}`],
    fileName !== undefined || m.line ? ['Source', `${fileName ?? ''}${m.line ? `, line ${m.line}` : ''}`] : null,
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

  const table = el('table', { class: 'headers' },
    el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Name' }), el('th', { scope: 'col', text: 'Value' }), el('th', { scope: 'col', class: 'col-help', text: 'Meaning' }))));
  const tbody = el('tbody');
  for (const h of headers) {
    const name = String(h.name ?? '');
    // The engine's explanation when it gives one (annotations), else the page's short list.
    const help = String(h.explanation ?? h.meaning ?? h.help ?? HEADER_HELP[name.toLowerCase()] ?? '');
    tbody.append(el('tr', null,
      el('th', { scope: 'row', class: 'h-name', title: help || null, text: name }),
      el('td', { class: 'h-value', text: String(h.value ?? '') }),
      el('td', { class: 'h-help col-help', text: help })));
  }
  table.append(tbody);
  ui.detailBody.append(el('section', { class: 'msg-section', id: 'sec-headers' }, el('h3', { text: `Headers (${headers.length})` }), table));

  if (parts.length) {
    const sec = el('section', { class: 'msg-section', id: 'sec-body' }, el('h3', { text: parts.length === 1 ? 'Body' : `Body (${parts.length} parts)` }));
    parts.forEach((p, i) => sec.append(renderBodyPart(p, i, parts.length)));
    ui.detailBody.append(sec);
  } else {
    ui.detailBody.append(el('section', { class: 'msg-section', id: 'sec-body' }, el('h3', { text: 'Body' }), el('p', { class: 'muted', text: 'No body.' })));
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

function renderBodyPart(p, i, n) {
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
  // Readable first: what the part says, in words; then the pretty-printed (or plain) text.
  const fromEngine = Array.isArray(p.summary) ? p.summary : typeof p.summary === 'string' && p.summary ? [p.summary] : null;
  const facts = fromEngine
    ? fromEngine.map((f) => (Array.isArray(f) ? f
      : f && typeof f === 'object' ? [f.label ?? f.name ?? '', f.value ?? f.text ?? '']
        : ['', String(f)]))
    : summarizeBody(ct, text);
  if (facts.length) {
    const dl = el('dl', { class: 'readable', 'aria-label': 'Summary of this part' });
    for (const [k, v] of facts) dl.append(el('dt', { text: String(k) }), el('dd', { text: String(v) }));
    part.append(dl);
  }
  if (pretty || text) {
    part.append(el('details', { class: 'pretty', open: true },
      el('summary', { text: pretty ? 'Pretty-printed' : 'Text' }),
      el('pre', { class: 'code', text: pretty || text })));
  } else {
    part.append(el('p', { class: 'muted', text: 'Empty part.' }));
  }
  return part;
}

// Microsoft presence availability codes ([MS-PRES]) in words.
function availabilityText(code) {
  const n = Number(code);
  if (!Number.isFinite(n)) return String(code);
  const ranges = [[3000, 'Available'], [4500, 'Available (idle)'], [6000, 'Busy'], [7500, 'Busy (idle)'],
    [9000, 'Do not disturb'], [12000, 'Be right back'], [15000, 'Away'], [18000, 'Offline']];
  let word = 'None';
  for (const [from, w] of ranges) if (n >= from) word = w;
  return `${word} (${n})`;
}

// A few facts from well-known bodies (presence XML, SDP), read without running anything: the XML is
// parsed into an inert document and only text and attributes are read back.
function summarizeBody(contentType, text) {
  const facts = [];
  const ct = contentType.toLowerCase();
  if (!text) return facts;
  if (ct.includes('sdp')) {
    for (const line of text.split(/\r?\n/)) {
      if (line.startsWith('m=')) facts.push(['media', line.slice(2)]);
      else if (line.startsWith('c=')) facts.push(['connection', line.slice(2)]);
    }
    return facts.slice(0, 12);
  }
  if (!ct.includes('xml') || text.length > 2_000_000) return facts;
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) return facts;
  const root = doc.documentElement;
  const uri = root.getAttribute('uri');
  facts.push(['document', `<${root.localName}>${uri ? ` for ${uri}` : ''}`]);
  const byName = (name) => Array.from(doc.getElementsByTagNameNS('*', name));
  for (const c of byName('category').slice(0, 40)) {
    const name = c.getAttribute('name') || '?';
    const bits = [];
    const inst = c.getAttribute('instance');
    if (inst !== null) bits.push(`instance ${inst}`);
    const avail = c.getElementsByTagNameNS('*', 'availability')[0];
    if (avail) bits.push(availabilityText(avail.textContent.trim()));
    const activity = c.getElementsByTagNameNS('*', 'activity')[0];
    if (activity && activity.getAttribute('token')) bits.push(activity.getAttribute('token'));
    const note = c.getElementsByTagNameNS('*', 'body')[0];
    if (name === 'note' && note) bits.push(`"${note.textContent.trim().slice(0, 200)}"`);
    const display = c.getElementsByTagNameNS('*', 'displayName')[0] || c.getElementsByTagNameNS('*', 'name')[0];
    if (name === 'contactCard' && display && display.textContent.trim()) bits.push(display.textContent.trim().slice(0, 120));
    if (!c.children.length && !bits.length) bits.push('empty');
    facts.push([`category ${name}`, bits.join(', ')]);
  }
  for (const pub of byName('publication').slice(0, 40)) {
    facts.push([`publish ${pub.getAttribute('categoryName') || '?'}`, [
      pub.getAttribute('instance') !== null ? `instance ${pub.getAttribute('instance')}` : '',
      pub.getAttribute('container') !== null ? `container ${pub.getAttribute('container')}` : '',
      pub.getAttribute('expires') !== null ? `expires ${pub.getAttribute('expires')}` : '',
    ].filter(Boolean).join(', ')]);
  }
  for (const r of byName('resource').slice(0, 40)) {
    const inst = r.getElementsByTagNameNS('*', 'instance')[0];
    facts.push(['resource', `${r.getAttribute('uri') || '?'}${inst && inst.getAttribute('state') ? ` (${inst.getAttribute('state')})` : ''}`]);
  }
  const cats = byName('category').length;
  if (root.localName === 'batchSub') {
    for (const a of byName('action').slice(0, 10)) facts.push(['action', `${a.getAttribute('name') || '?'}`]);
    const targets = byName('contact').map((c) => c.getAttribute('uri')).filter(Boolean);
    if (targets.length) facts.push(['contacts', targets.slice(0, 20).join(', ') + (targets.length > 20 ? ` … (${targets.length})` : '')]);
  }
  if (facts.length === 1 && !cats) {
    // Unknown XML: name the top-level children.
    const kids = Array.from(root.children).slice(0, 12).map((k) => k.localName);
    if (kids.length) facts.push(['contains', kids.join(', ')]);
  }
  return facts;
}

// ---------------------------------------------------------------------------------------------
// Search.

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
  } else {
    try {
      const hits = await call('search', q);
      if (seq !== searchSeq) return;
      state.searchHits = hits ? new Set(hits) : null;
    } catch {
      state.searchHits = new Set();
    }
  }
  applySearchToLadder();
  applySearchToConversations();
}

function applySearchToLadder() {
  const hits = state.searchHits;
  ui.ladderCanvas.classList.toggle('searching', !!hits);
  for (const [msg, a] of state.arrows) a.classList.toggle('is-hit', !!hits && hits.has(msg));
  if (!hits) {
    ui.searchCount.textContent = '';
    return;
  }
  let shown = 0;
  for (const msg of hits) if (state.msgToRow.has(msg)) shown += 1;
  const elsewhere = hits.size - shown;
  ui.searchCount.textContent = shown
    ? `${shown} match${shown === 1 ? '' : 'es'}`
    : elsewhere ? `${elsewhere} in other conversations` : 'no match';
}

function applySearchToConversations() {
  const hits = state.searchHits;
  for (const li of ui.convList.children) {
    const id = Number(li.dataset.conv);
    if (id === -1 || !hits) {
      li.hidden = false;
      continue;
    }
    const conv = state.conversations[id];
    const msgs = conv && Array.isArray(conv.messages) ? conv.messages : [];
    li.hidden = !msgs.some((m) => hits.has(Number(m)));
  }
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
  ui.fileInput.addEventListener('change', () => analyzeFiles(ui.fileInput.files));
  ui.dropzone.addEventListener('click', (e) => { if (e.target === ui.dropzone || !e.target.closest('button')) openFileDialog(); });
  ui.dropzone.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && e.target === ui.dropzone) { e.preventDefault(); openFileDialog(); }
  });
  ui.pasteForm.addEventListener('submit', (e) => { e.preventDefault(); analyzePaste(); });
  ui.pasteText.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); analyzePaste(); }
  });
  ui.errorBack.addEventListener('click', () => setPhase('idle'));

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
  ui.convList.addEventListener('keydown', (e) => {
    const items = Array.from(ui.convList.children).filter((li) => !li.hidden);
    const cur = items.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      e.stopPropagation();
      const next = items[Math.max(0, Math.min(items.length - 1, (cur < 0 ? 0 : cur) + (e.key === 'ArrowDown' ? 1 : -1)))];
      if (next) { next.focus(); selectConversation(Number(next.dataset.conv)).catch(reportError); }
    } else if ((e.key === 'Enter' || e.key === ' ') && cur >= 0) {
      e.preventDefault();
      selectConversation(Number(items[cur].dataset.conv)).catch(reportError);
    }
  });
  ui.convList.addEventListener('focus', (e) => {
    if (e.target === ui.convList) {
      const cur = ui.convList.querySelector('[aria-selected="true"]');
      if (cur) cur.focus();
    }
  });

  ui.exportSvg.addEventListener('click', () => exportSvg().catch(reportError));
  ui.rawToggle.addEventListener('click', () => {
    state.raw = !state.raw;
    renderDetail();
  });
  ui.diagToggle.addEventListener('click', () => {
    const open = ui.diagnostics.hidden;
    ui.diagnostics.hidden = !open;
    ui.diagToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  });

  ui.search.addEventListener('input', onSearchInput);
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
    if (e.key === '/' && !ui.search.disabled) {
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
  console.error(err);
  if (state.phase === 'analyzing') showError(err.message);
}

setPhase('idle');
wire();
startWorker();
