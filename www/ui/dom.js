// @ts-check
// sipscope page: the page's elements (index.html) by name, and the one way to make new ones, `el`, which puts
// text in as text. Security rule for every page module: text that comes from a log is only ever put in the page
// with textContent / createTextNode / setAttribute on a fixed attribute name, never innerHTML.

/**
 * The element with this id, checked to be of the expected type.
 * @template {Element} T
 * @param {string} id
 * @param {{new (): T, prototype: T}} type
 * @returns {T}
 */
function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`index.html has no #${id} (${type.name})`);
  return node;
}

const E = HTMLElement;
const B = HTMLButtonElement;

/** The page's fixed elements. */
export const ui = {
  body: document.body,
  app: byId('app', E),
  files: byId('files', HTMLUListElement),
  search: byId('search', HTMLInputElement),
  searchCount: byId('search-count', E),
  searchMirror: byId('search-mirror', E),
  queryBar: byId('query-bar', E),
  queryTx: byId('query-tx', HTMLInputElement),
  queryError: byId('query-error', E),
  queryPrev: byId('query-prev', HTMLButtonElement),
  queryNext: byId('query-next', HTMLButtonElement),
  keys: byId('keys', HTMLDialogElement),
  keysClose: byId('keys-close', HTMLButtonElement),
  openSample: byId('open-sample', B),
  openFile: byId('open-file', B),
  fileInput: byId('file-input', HTMLInputElement),
  empty: byId('empty', E),
  dropzone: byId('dropzone', E),
  emptyOpenFile: byId('empty-open-file', B),
  emptyOpenSample: byId('empty-open-sample', B),
  pasteForm: byId('paste-form', HTMLFormElement),
  pasteText: byId('paste-text', HTMLTextAreaElement),
  reading: byId('reading', E),
  progress: byId('progress', E),
  progressLabel: byId('progress-label', E),
  progressPercent: byId('progress-percent', E),
  progressBar: byId('progress-bar', HTMLProgressElement),
  progressDetail: byId('progress-detail', E),
  cancel: byId('cancel', B),
  preview: byId('preview', E),
  previewWait: byId('preview-wait', E),
  previewCaption: byId('preview-caption', E),
  error: byId('error', E),
  errorTitle: byId('error-title', E),
  errorMessage: byId('error-message', E),
  errorHints: byId('error-hints', HTMLUListElement),
  errorNote: byId('error-note', E),
  errorBack: byId('error-back', B),
  errorActions: byId('error-actions', E),
  errorDetails: byId('error-details', E),
  errorDetailsBox: byId('error-details-box', HTMLDetailsElement),
  toast: byId('toast', E),
  crash: byId('crash', E),
  crashTitle: byId('crash-title', E),
  crashMessage: byId('crash-message', E),
  crashCopy: byId('crash-copy', B),
  crashOpen: byId('crash-open', B),
  crashClose: byId('crash-close', B),
  crashDetails: byId('crash-details', E),
  crashDetailsBox: byId('crash-details-box', HTMLDetailsElement),
  workspace: byId('workspace', E),
  convScroll: byId('conv-scroll', E),
  convList: byId('conv-list', HTMLUListElement),
  convCount: byId('conv-count', E),
  ladderPane: byId('ladder-pane', E),
  ladderCaption: byId('ladder-caption', E),
  ladderScroll: byId('ladder-scroll', E),
  ladderHeader: byId('ladder-header', E),
  ladderCanvas: byId('ladder-canvas', E),
  legend: byId('legend', E),
  exportButton: byId('export', B),
  exportMenu: byId('export-menu', E),
  notice: byId('notice', E),
  clockStrip: byId('clock-strip', E),
  detailSub: byId('detail-sub', E),
  detailBody: byId('detail-body', E),
  rawToggle: byId('raw-toggle', B),
  compare: byId('compare', B),
  diff: byId('diff', HTMLDialogElement),
  diffSub: byId('diff-sub', E),
  diffBody: byId('diff-body', E),
  diffClose: byId('diff-close', B),
  redact: byId('redact', HTMLDialogElement),
  redactSub: byId('redact-sub', E),
  redactClose: byId('redact-close', B),
  redactBody: byId('redact-body', E),
  redactStatus: byId('redact-status', E),
  redactTables: byId('redact-tables', E),
  redactCats: byId('redact-cats', HTMLTableSectionElement),
  redactFiles: byId('redact-files', HTMLUListElement),
  redactMapping: byId('redact-mapping', HTMLInputElement),
  redactKeptNote: byId('redact-kept', E),
  redactDownload: byId('redact-download', B),
  detailToggle: byId('detail-toggle', B),
  summaryBar: byId('summary', E),
  summaryText: byId('summary-text', E),
  findingsToggle: byId('findings-toggle', B),
  presenceToggle: byId('presence-toggle', B),
  callsToggle: byId('calls-toggle', B),
  timesToggle: byId('times-toggle', B),
  traceToggle: byId('trace-toggle', B),
  diagToggle: byId('diag-toggle', B),
  diagnostics: byId('diagnostics', E),
  diagList: byId('diag-list', HTMLUListElement),
  drawer: byId('insights', E),
  drawerTitle: byId('insights-title', E),
  drawerSub: byId('insights-sub', E),
  drawerClose: byId('insights-close', B),
  findingsPanel: byId('ins-findings', E),
  timesPanel: byId('ins-times', E),
  tracePanel: byId('ins-trace', E),
  drawerBody: byId('ins-body', E),
  presencePanel: byId('ins-presence', E),
  callsPanel: byId('ins-calls', E),
  filesPanel: byId('files-panel', E),
  update: byId('update', E),
  updateText: byId('update-text', E),
  updateReload: byId('update-reload', B),
  updateLater: byId('update-later', B),
  dropOverlay: byId('drop-overlay', E),
};

/** @typedef {Node | string | number | null | undefined | false} Child */
/**
 * Attributes of `el`: `class`, `text` (textContent), `onclick`, or any attribute (true: present, false / null /
 * undefined: left out).
 * @typedef {{[name: string]: string | number | boolean | null | undefined | ((event: Event) => void)}} Attrs
 */

/**
 * A new element with attributes and children (strings become text nodes).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (typeof v === 'function') {
        if (k === 'onclick') node.addEventListener('click', v);
        continue;
      }
      if (k === 'class') node.className = String(v);
      else if (k === 'text') node.textContent = String(v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
  }
  node.append(nodes(children));
  return node;
}

/**
 * Children in one fragment (strings become text nodes; null, undefined and false are left out). A fragment, not
 * an argument list: spreading 100,000 rows into `append(...)` overflows the call stack.
 * @param {(Child | Child[])[]} children
 */
function nodes(children) {
  const out = document.createDocumentFragment();
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    out.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return out;
}

/** Replace an element's children (as `el` makes them). @param {Element} parent @param {...(Child | Child[])} children */
export function fill(parent, ...children) {
  parent.replaceChildren(nodes(children));
}

/** Replace an element's children with a list of any length (no argument spreading). @param {Element} parent @param {Node[]} list */
export function fillList(parent, list) {
  parent.replaceChildren(nodes([list]));
}

/** The closest element matching `selector` from an event's target, or null. @param {EventTarget | null} target @param {string} selector */
export function closest(target, selector) {
  return target instanceof Element ? target.closest(selector) : null;
}

/** `target` is a text field (keys typed there are text, not shortcuts). @param {EventTarget | null} target */
export function isTyping(target) {
  return target instanceof HTMLElement
    && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
}

/**
 * A button that shows message `msg`: app.js handles every click on `[data-goto]` (shows all messages first when
 * the conversation on screen does not hold it).
 * @param {number} msg
 * @param {string} text
 * @param {string} [cls]
 */
export function messageLink(msg, text, cls = 'link msg-link') {
  return el('button', { type: 'button', class: cls, 'data-goto': String(msg), text, title: `Show message #${msg + 1}` });
}

/** Keeps `value` in [lo, hi]. @param {number} value @param {number} lo @param {number} hi */
export function clamp(value, lo, hi) {
  return Math.max(lo, Math.min(hi, value));
}

/**
 * Save bytes as a file (the browser's download).
 * @param {{name: string, mime: string, bytes: Uint8Array}} file
 */
export function saveFile(file) {
  const url = URL.createObjectURL(new Blob([/** @type {BlobPart} */ (file.bytes)], { type: file.mime }));
  const a = el('a', { href: url, download: file.name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const SEVERITY_ICON = /** @type {const} */ ({ error: '✕', warning: '!', info: 'i' });

/** A severity the page has a style for. @param {string} s @returns {'error' | 'warning' | 'info'} */
export function severity(s) {
  return s === 'error' || s === 'warning' ? s : 'info';
}

/** One diagnostic as a list item (icon, word, text); `extra` goes after the text. @param {{severity: string, message: string}} d @param {...(Node | null)} extra */
export function diagnosticItem(d, ...extra) {
  const sev = severity(d.severity);
  return el('li', { class: `diag diag-${sev}` },
    el('span', { class: 'diag-sev', 'aria-hidden': 'true', text: SEVERITY_ICON[sev] }),
    el('span', { class: 'diag-word', text: sev }),
    el('span', { class: 'diag-msg', text: d.message }),
    ...extra);
}

/**
 * Mark each occurrence of `words` (lower case; ASCII letters compared without case, as the engine does) in the
 * text under `root` with <mark class="q-mark">. Text stays text: nodes are split, nothing is parsed as HTML.
 * @param {Node} root
 * @param {string[]} words
 * @returns {number} marks made
 */
export function markWords(root, words) {
  const wanted = words.filter((w) => w.length > 0);
  if (!wanted.length) return 0;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  /** @type {Text[]} */
  const nodes = [];
  while (walker.nextNode()) nodes.push(/** @type {Text} */ (walker.currentNode));
  let made = 0;
  for (const node of nodes) {
    const text = node.nodeValue || '';
    const lower = text.replace(/[A-Z]+/g, (c) => c.toLowerCase()); // same length as text
    /** @type {[number, number][]} */
    const ranges = [];
    for (const w of wanted) {
      for (let i = lower.indexOf(w); i >= 0; i = lower.indexOf(w, i + w.length)) ranges.push([i, i + w.length]);
    }
    if (!ranges.length) continue;
    ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const frag = document.createDocumentFragment();
    let at = 0;
    for (const [a, b] of ranges) {
      if (b <= at) continue;
      const from = Math.max(a, at);
      if (from > at) frag.append(text.slice(at, from));
      frag.append(el('mark', { class: 'q-mark', text: text.slice(from, b) }));
      at = b;
      made += 1;
    }
    frag.append(text.slice(at));
    node.replaceWith(frag);
  }
  return made;
}
