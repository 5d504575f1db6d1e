// @ts-check
// sipscope page, trace view (in the drawer; Snooper's Trace tab): the log's lines that are not SIP — a client log's
// ERROR / WARN / INFO / TRACE lines, a server trace's non-protocol records — with the messages among them, in the
// order they were logged. Level chips, a thread, and the query narrow them (the engine selects: set_trace_filter);
// the list is virtual (trace_rows a page at a time, the text read back from the file by the engine), so a trace of
// millions of lines scrolls like a short one. Selecting a message anywhere puts it in the middle of the list with
// the lines logged around it; clicking a message row selects it in the ladder; clicking a line shows it whole.

import { state, loadInsight, fileName } from './state.js';
import { ui, el, fill, clamp } from './dom.js';
import { plural, count } from './format.js';
import { call, report } from './engine.js';

/** @typedef {import('../types/view').TraceRow} TraceRow */
/** @typedef {import('../types/view').TraceSummary} TraceSummary */

const ROW_H = 20; // px, as .tr-row in insights.css
const PAGE = 200; // rows asked of the engine at once
const PAGES_KEPT = 24; // pages held; the farthest from the view go first
// Browsers cap an element's height (Chromium near 33.5 million px): past this the scrollbar maps onto the rows
// proportionally instead of one row per 20 px.
const MAX_HEIGHT = 8_000_000;

/** The levels as the chips show them (bit, the summary's key, the chip's word). */
const LEVELS = /** @type {const} */ ([[1, 'error', 'Errors'], [2, 'warn', 'Warnings'], [4, 'info', 'Info'], [8, 'trace', 'Trace']]);

/** Load what the trace holds (once per analysis), then `then()`. @param {() => void} then */
export function loadTrace(then) {
  return loadInsight('trace', () => call('trace_summary'), then);
}

/** The drawer's line about the trace. */
export function traceSub() {
  const t = state.insights.trace;
  const c = state.trace.count;
  if (!t || !t.lines) return '';
  const shown = c && c.total !== c.all ? `${count(c.total)} of ${count(c.all)} rows shown · ` : '';
  return `${shown}${plural(t.lines, 'line')} in ${plural(t.files.length, 'file')} · selecting a message shows its place`;
}

/** A new analysis: the view starts over (its controls are built again when it is next opened). */
export function resetTrace() {
  const t = state.trace;
  Object.assign(t, { levels: 15, messages: true, thread: '', query: '', count: null, active: -1, built: false, ready: null });
  t.pages.clear();
  t.fetching.clear();
  t.gen += 1;
  clearTimeout(t.timer);
}

/** Draw the trace panel (the controls once, then the rows of the current filter). */
export function renderTrace() {
  const sum = state.insights.trace;
  if (!sum) return;
  if (!sum.lines) {
    ui.tracePanel.replaceChildren(el('p', { class: 'placeholder', text: sum.note || 'No trace lines.' }));
    return;
  }
  if (!state.trace.built) build(sum);
  if (!state.trace.count) applyFilter().catch(report);
  else drawRows();
}

/** The trace view's rows are selected (its summary loaded and its first filter answered). */
export async function traceReady() {
  if (state.trace.ready) await state.trace.ready;
}

/** The controls and the list. @param {TraceSummary} sum */
function build(sum) {
  const t = state.trace;
  t.built = true;
  const chips = el('div', { class: 'tr-levels', role: 'group', 'aria-label': 'Show' },
    LEVELS.map(([bit, key, word]) => el('button', {
      type: 'button', class: `chip tr-chip lv-${key}`, 'data-bit': String(bit), 'aria-pressed': t.levels & bit ? 'true' : 'false',
      text: `${word} ${count(sum.levels[key])}`, title: `${word}: ${plural(sum.levels[key], 'line')}`,
    })),
    el('button', {
      type: 'button', class: 'chip tr-chip tr-chip-msg', 'data-bit': 'messages', 'aria-pressed': t.messages ? 'true' : 'false',
      text: `Messages ${count(sum.messages)}`, title: 'The SIP messages, where they were logged among the lines',
    }));
  const threads = el('select', { class: 'tr-thread', 'aria-label': 'Thread' },
    el('option', { value: '', text: `All threads (${count(sum.thread_count)})` }),
    sum.threads.map((th) => el('option', { value: th.thread, text: `${th.thread} · ${plural(th.lines, 'line')}` })));
  const query = el('input', {
    class: 'tr-query', type: 'search', spellcheck: 'false', autocomplete: 'off', 'aria-label': 'Filter the trace lines',
    placeholder: 'Filter lines: words, "phrase", /regex/, thread:14E0, after:10:58…',
  });
  const rows = el('div', { class: 'tr-rows' });
  const list = el('div', { class: 'tr-scroll', tabindex: '0', role: 'listbox', 'aria-label': 'Trace lines and messages' },
    el('div', { class: 'tr-spacer' }), rows);
  fill(ui.tracePanel,
    el('div', { class: 'tr-bar' }, chips, threads, query, el('span', { class: 'tr-count muted', 'aria-live': 'polite' })),
    el('p', { class: 'tr-error', role: 'alert' }),
    list,
    el('div', { class: 'tr-detail', 'aria-live': 'polite' }));

  chips.addEventListener('click', (e) => {
    const b = e.target instanceof Element ? e.target.closest('.tr-chip') : null;
    if (!(b instanceof HTMLElement)) return;
    if (b.dataset.bit === 'messages') t.messages = !t.messages;
    else t.levels ^= Number(b.dataset.bit);
    b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
    applyFilter().catch(report);
  });
  threads.addEventListener('change', () => {
    t.thread = threads.value;
    applyFilter().catch(report);
  });
  query.addEventListener('input', () => {
    clearTimeout(t.timer);
    t.timer = window.setTimeout(() => {
      t.query = query.value;
      applyFilter().catch(report);
    }, 200);
  });
  query.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && query.value) {
      e.preventDefault();
      e.stopPropagation(); // the drawer stays open
      query.value = '';
      t.query = '';
      applyFilter().catch(report);
    }
  });
  list.addEventListener('scroll', () => drawRows(), { passive: true });
  list.addEventListener('click', (e) => {
    const row = e.target instanceof Element ? e.target.closest('.tr-row') : null;
    if (row instanceof HTMLElement) markRow(Number(row.dataset.row), false);
  });
  list.addEventListener('keydown', onListKey);
  new ResizeObserver(() => drawRows()).observe(list);
}

/** @param {string} cls @returns {HTMLElement} */
function part(cls) {
  const node = ui.tracePanel.querySelector(cls);
  if (!(node instanceof HTMLElement)) throw new Error(`the trace panel has no ${cls}`);
  return node;
}

/** Ask the engine for the rows the controls select; draw them, and put the selected message in view. */
function applyFilter() {
  const p = select();
  state.trace.ready = p;
  return p;
}

async function select() {
  const t = state.trace;
  const gen = ++t.gen;
  const c = await call('set_trace_filter', t.levels, t.messages, t.thread, t.query);
  if (gen !== t.gen) return;
  t.count = c;
  t.pages.clear();
  t.fetching.clear();
  t.active = -1;
  const err = part('.tr-error');
  const query = part('.tr-query');
  err.textContent = c.error ? `${c.error.message}` : '';
  query.setAttribute('aria-invalid', c.error ? 'true' : 'false');
  part('.tr-count').textContent = c.error ? '' : c.total === c.all ? plural(c.total, 'row') : `${count(c.total)} of ${count(c.all)}`;
  part('.tr-detail').replaceChildren();
  sizeList();
  if (state.insights.view === 'trace') ui.drawerSub.textContent = traceSub();
  if (state.selected >= 0) await locateMessage(state.selected);
  else drawRows();
}

/** The list's height for the rows selected. */
function sizeList() {
  const total = state.trace.count?.total || 0;
  part('.tr-spacer').style.setProperty('--h', `${Math.min(total * ROW_H, MAX_HEIGHT)}px`);
}

/** Which row is at the top of the list, with the fraction of it scrolled past. */
function topRow() {
  const list = part('.tr-scroll');
  const total = state.trace.count?.total || 0;
  const height = Math.min(total * ROW_H, MAX_HEIGHT);
  const view = list.clientHeight;
  const visible = view / ROW_H;
  const maxScroll = Math.max(1, height - view);
  // One row per ROW_H px when everything fits; proportional past MAX_HEIGHT.
  const exact = height < MAX_HEIGHT ? list.scrollTop / ROW_H : (list.scrollTop / maxScroll) * Math.max(0, total - visible);
  return { exact, visible, total, maxScroll, height };
}

/** Scroll so that row `r` is in the middle of the list (or just in view when `near`). @param {number} r @param {boolean} near */
function scrollToRow(r, near) {
  const list = part('.tr-scroll');
  const g = topRow();
  if (near && r >= g.exact && r + 1 <= g.exact + g.visible) return;
  const top = clamp(Math.round(r - (g.visible - 1) / 2), 0, Math.max(0, Math.ceil(g.total - g.visible)));
  list.scrollTop = g.height < MAX_HEIGHT ? top * ROW_H : (top / Math.max(1, g.total - g.visible)) * g.maxScroll;
}

/** Draw the rows in view (fetching the pages that are missing). */
function drawRows() {
  const t = state.trace;
  if (!t.count || state.insights.view !== 'trace') return;
  const g = topRow();
  const first = Math.floor(g.exact);
  const n = Math.ceil(g.visible) + 2;
  const rowsEl = part('.tr-rows');
  const list = part('.tr-scroll');
  // The rows sit in the list's visible part: at the scroll position, less the part of the first row scrolled past.
  rowsEl.style.setProperty('--y', `${list.scrollTop - (g.exact - first) * ROW_H}px`);
  /** @type {HTMLElement[]} */
  const out = [];
  for (let r = first; r < Math.min(first + n, g.total); r++) {
    const row = rowAt(r);
    out.push(row ? rowElement(row) : el('div', { class: 'tr-row tr-loading', role: 'option', 'aria-selected': 'false', text: '…' }));
  }
  rowsEl.replaceChildren(...out);
  const active = t.active >= 0 ? document.getElementById(`tr-row-${t.active}`) : null;
  if (active) list.setAttribute('aria-activedescendant', active.id);
  else list.removeAttribute('aria-activedescendant');
  for (let p = Math.floor(first / PAGE); p <= Math.floor((first + n) / PAGE); p++) fetchPage(p);
}

/** Row `r`, when its page is here. @param {number} r */
function rowAt(r) {
  const page = state.trace.pages.get(Math.floor(r / PAGE));
  return page ? page[r % PAGE] : undefined;
}

/** Fetch page `p` of the selected rows (once), then draw. @param {number} p */
function fetchPage(p) {
  const t = state.trace;
  if (!t.count || p * PAGE >= t.count.total || t.pages.has(p) || t.fetching.has(p)) return;
  const gen = t.gen;
  const go = call('trace_rows', p * PAGE, PAGE).then((page) => {
    if (gen !== t.gen || !page) return;
    t.fetching.delete(p);
    t.pages.set(p, page.rows);
    if (t.pages.size > PAGES_KEPT) {
      const here = Math.floor(topRow().exact / PAGE);
      const far = [...t.pages.keys()].sort((a, b) => Math.abs(b - here) - Math.abs(a - here))[0];
      t.pages.delete(far);
    }
    drawRows();
    if (t.active >= 0 && Math.floor(t.active / PAGE) === p) showActive();
  }, report);
  t.fetching.set(p, go);
}

/** The level word and class of a row. @param {TraceRow} row */
function levelOf(row) {
  if (row.message !== null && row.message !== undefined) return { word: 'SIP', cls: 'lv-msg' };
  const l = row.level || 'trace';
  return { word: l === 'warn' ? 'WARN' : l.toUpperCase(), cls: `lv-${l}` };
}

/** One row of the list. @param {TraceRow} row */
function rowElement(row) {
  const { word, cls } = levelOf(row);
  const isMsg = row.message !== null && row.message !== undefined;
  const [first, ...more] = row.text.split('\n');
  const arrow = row.direction === 'sent' ? '→' : row.direction === 'received' ? '←' : '·';
  return el('div', {
    class: `tr-row ${cls}${isMsg ? ` tr-msg k-${row.kind}` : ''}${row.row === state.trace.active ? ' tr-active' : ''}`,
    id: `tr-row-${row.row}`, role: 'option', 'aria-selected': row.row === state.trace.active ? 'true' : 'false',
    'data-row': String(row.row), 'data-goto': isMsg ? String(row.message) : null,
    title: isMsg ? `Message #${Number(row.message) + 1} (${fileName(row.file)}, line ${row.line}): click to show it` : `${fileName(row.file)}, line ${row.line}`,
  },
  el('span', { class: 'tr-time', text: row.clock }),
  el('span', { class: 'tr-level', text: word }),
  el('span', { class: 'tr-th', text: isMsg ? `${arrow} ${row.peer || ''}` : row.thread }),
  // A record of several lines (a server trace's fields, a dumped body) reads on: its other lines follow, muted.
  el('span', { class: 'tr-text' }, first, more.length ? el('span', { class: 'tr-more', text: ` · ${more.join(' · ')}` }) : null));
}

/** Mark row `r` (its full text below the list); `center` puts it in the middle of the list. @param {number} r @param {boolean} center */
function markRow(r, center) {
  const t = state.trace;
  if (!t.count || r < 0 || r >= t.count.total) return;
  t.active = r;
  scrollToRow(r, !center);
  drawRows();
  showActive();
}

/** The marked line, whole, under the list (a message is shown whole in the message panel). */
function showActive() {
  const row = rowAt(state.trace.active);
  const box = part('.tr-detail');
  if (!row || (row.message !== null && row.message !== undefined)) {
    box.replaceChildren();
    return;
  }
  const { word, cls } = levelOf(row);
  fill(box,
    el('div', { class: 'tr-detail-head' },
      el('span', { class: `tr-level ${cls}`, text: word }),
      el('span', { text: `${row.time ? row.time.replace('T', ' ') : 'no time'} · ${fileName(row.file)}, line ${row.line}${row.thread ? ` · thread ${row.thread}` : ''}` })),
    el('pre', { class: 'tr-detail-text', text: row.text }));
  // The strip took room from the list: keep the marked row in view.
  if (!rowVisible(state.trace.active)) {
    scrollToRow(state.trace.active, true);
    drawRows();
  }
}

/** Put message `msg` in the middle of the list, marked (or the first row after its place). @param {number} msg */
export async function locateMessage(msg) {
  const t = state.trace;
  if (!t.count || state.insights.view !== 'trace') return;
  const gen = t.gen;
  const place = await call('trace_locate', msg);
  if (gen !== t.gen || place.row === null || place.row === undefined) return;
  if (place.exact) markRow(place.row, !rowVisible(place.row));
  else {
    t.active = -1;
    scrollToRow(place.row, false);
    drawRows();
  }
}

/** Put trace line `index` of file `file` in the middle of the list, marked. @param {number} file @param {number} index */
export async function locateLine(file, index) {
  const t = state.trace;
  if (!t.count) return;
  const gen = t.gen;
  let place = await call('trace_locate_line', file, index);
  if (gen !== t.gen) return;
  if (!place.exact) {
    // The filter hides it: show every line again, then find it.
    resetFilterControls();
    await applyFilter();
    place = await call('trace_locate_line', file, index);
  }
  if (place.row !== null && place.row !== undefined) markRow(place.row, true);
}

/** Back to every level, thread and line (the controls say so). */
function resetFilterControls() {
  const t = state.trace;
  Object.assign(t, { levels: 15, messages: true, thread: '', query: '' });
  for (const b of ui.tracePanel.querySelectorAll('.tr-chip')) b.setAttribute('aria-pressed', 'true');
  const thread = ui.tracePanel.querySelector('.tr-thread');
  if (thread instanceof HTMLSelectElement) thread.value = '';
  const query = ui.tracePanel.querySelector('.tr-query');
  if (query instanceof HTMLInputElement) query.value = '';
}

/** Row `r` is in the list's view. @param {number} r */
function rowVisible(r) {
  const g = topRow();
  return r >= g.exact && r + 1 <= g.exact + g.visible;
}

/** ↑/↓, Page Up/Down, Home/End move the mark; Enter on a message row shows the message. @param {KeyboardEvent} e */
function onListKey(e) {
  const t = state.trace;
  if (!t.count) return;
  const g = topRow();
  const page = Math.max(1, Math.floor(g.visible) - 1);
  const cur = t.active >= 0 ? t.active : Math.floor(g.exact);
  const to = /** @type {Record<string, number>} */ ({
    ArrowDown: cur + (t.active >= 0 ? 1 : 0), ArrowUp: cur - 1, PageDown: cur + page, PageUp: cur - page, Home: 0, End: g.total - 1,
  })[e.key];
  if (to !== undefined) {
    e.preventDefault();
    e.stopPropagation(); // the ladder's ↑/↓ keep away
    markRow(clamp(to, 0, g.total - 1), false);
  } else if (e.key === 'Enter' && t.active >= 0) {
    const row = rowAt(t.active);
    if (row && row.message !== null && row.message !== undefined) {
      e.preventDefault();
      document.getElementById(`tr-row-${t.active}`)?.click();
    }
  }
}
