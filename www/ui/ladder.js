// @ts-check
// sipscope page, ladder view: the message flow as the engine draws it (SVG), virtualized. The canvas is sized
// from ladder_meta() (fixed row height), and only windows of rows near the visible part exist in the DOM, each
// one SVG from ladder_svg(first, count) placed at its own y. The SVG is parsed as XML, sanitized and moved into
// the page by ui/trusted.js (parseSvg). Also: selection marks, the selection kept in view (exports: ui/export.js).

import { state, summary, RowIndex } from './state.js';
import { ui, el, closest } from './dom.js';
import { plural, count } from './format.js';
import { call } from './engine.js';
import { applySearchToLadder } from './search.js';
import { parseSvg } from './trusted.js';

// 60 rows (28 px each) is about two screens: a few hundred arrows in the DOM at most, and little to parse per
// window while scrolling.
const WINDOW_ROWS = 60;

/** Draw the ladder of `meta` (after an analysis, a re-merge or a conversation chosen). @param {import('./engine.js').Meta} meta */
export async function renderLadder(meta) {
  state.laddersDrawing += 1;
  ui.ladderCanvas.setAttribute('aria-busy', 'true');
  try {
    await drawLadder(meta);
  } finally {
    state.laddersDrawing -= 1;
    if (!state.laddersDrawing) ui.ladderCanvas.setAttribute('aria-busy', 'false');
  }
}

/** @param {import('./engine.js').Meta} meta */
async function drawLadder(meta) {
  state.meta = meta;
  state.rowToMsg = new Int32Array(0);
  state.msgToRow = new RowIndex(state.rowToMsg, 0);
  state.arrows = new Map();
  state.windows = new Map();
  ui.ladderCanvas.replaceChildren();
  ui.ladderHeader.replaceChildren();
  ui.notice.hidden = true;

  const s = summary();
  const rows = meta.rows;
  const total = s.message_count;
  ui.ladderCaption.textContent = state.filter === -1 ? plural(rows, 'message') : `${plural(rows, 'message')} of ${count(total)}`;
  ui.exportButton.disabled = rows === 0;

  ui.legend.hidden = rows === 0;
  if (rows === 0) {
    ui.ladderScroll.hidden = true;
    const files = s.files.map((f) => f.name).join(', ') || 'this input';
    ui.notice.replaceChildren(
      el('strong', {
        text: total === 0 ? `No SIP messages found in ${files}.`
          : state.searchQuery ? 'No message here matches the filter.' : 'No messages in this conversation.',
      }),
      el('span', {
        text: total !== 0 ? ''
          : state.headersAlone.length ? ' Its header lines are explained one by one in the message panel.'
            : ' sipscope reads Skype for Business / Lync client logs (.UccApilog) and plain SIP text. See the diagnostics below for what was found.',
      }));
    ui.notice.hidden = false;
    return;
  }
  ui.ladderScroll.hidden = false;

  // The canvas is the whole ladder (header included, ladder_meta() size); the sticky header covers its
  // top header_height px, and each window of rows is placed at its own y.
  const hh = meta.header_height;
  ui.ladderCanvas.style.width = `${meta.width}px`;
  ui.ladderCanvas.style.height = `${meta.height || hh + rows * meta.row_height}px`;
  ui.ladderCanvas.style.marginTop = `${-hh}px`;
  ui.ladderHeader.style.height = `${hh}px`;
  ui.ladderHeader.style.width = `${meta.width}px`;

  state.rowToMsg = meta.messages.length === rows ? meta.messages : new Int32Array(0);
  // Without the row order the page cannot window: draw every row at once.
  state.windowRows = state.rowToMsg.length ? WINDOW_ROWS : rows;
  const gen = ++state.ladderGen;
  try {
    const head = parseSvg(await call('ladder_header'));
    if (gen !== state.ladderGen) return;
    head.setAttribute('aria-hidden', 'true');
    ui.ladderHeader.append(head);
    await ensureWindows();
  } catch (err) {
    if (gen !== state.ladderGen) return;
    ui.notice.replaceChildren(el('strong', { text: err instanceof Error ? err.message : String(err) }));
    ui.notice.hidden = false;
    return;
  }
  if (!state.rowToMsg.length) {
    state.rowToMsg = Int32Array.from(ui.ladderCanvas.querySelectorAll('[data-msg]'), (a) => Number(a.getAttribute('data-msg')));
  }
  state.msgToRow = new RowIndex(state.rowToMsg, s.message_count);
  applySearchToLadder();
  if (state.selected >= 0 && state.arrows.has(state.selected)) markSelected();
  else if (state.rowToMsg.length) state.arrows.get(state.rowToMsg[0])?.setAttribute('tabindex', '0');
}

function visibleWindows() {
  const meta = /** @type {import('./engine.js').Meta} */ (state.meta);
  const rows = meta.rows;
  const hh = meta.header_height;
  const rh = meta.row_height || 28;
  const sc = ui.ladderScroll;
  const firstRow = Math.max(0, Math.floor((sc.scrollTop - hh) / rh));
  const lastRow = Math.min(rows - 1, Math.ceil((sc.scrollTop + Math.max(sc.clientHeight, 400)) / rh));
  const per = state.windowRows;
  // One window of overscan each way, so that scrolling a little never shows a gap.
  const from = Math.max(0, Math.floor(firstRow / per) - 1);
  const to = Math.min(Math.floor((rows - 1) / per), Math.floor(lastRow / per) + 1);
  return { from, to };
}

/** Draw the windows in view (and one more each way); drop those far away. */
export async function ensureWindows() {
  if (!state.meta || !(state.meta.rows > 0)) return;
  const gen = state.ladderGen;
  const { from, to } = visibleWindows();
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

/** @param {number} w @param {number} gen */
async function renderWindow(w, gen) {
  state.windows.set(w, 'pending');
  const meta = /** @type {import('./engine.js').Meta} */ (state.meta);
  const first = w * state.windowRows;
  const rows = Math.min(state.windowRows, meta.rows - first);
  let svg;
  try {
    svg = parseSvg(await call('ladder_svg', first, rows));
  } catch (err) {
    if (gen === state.ladderGen) state.windows.delete(w);
    throw err;
  }
  if (gen !== state.ladderGen || state.windows.get(w) !== 'pending') return;
  const y = svg.hasAttribute('data-y') ? Number(svg.getAttribute('data-y')) : meta.header_height + first * meta.row_height;
  svg.classList.add('ladder-window');
  svg.style.top = `${y}px`;
  svg.setAttribute('role', 'group');
  svg.setAttribute('aria-label', `Messages ${first + 1} to ${first + rows}`);
  const hits = state.searchHits;
  for (const a of svg.querySelectorAll('[data-msg]')) {
    if (!(a instanceof SVGElement)) continue;
    const msg = Number(a.getAttribute('data-msg'));
    state.arrows.set(msg, a);
    a.setAttribute('role', 'button');
    a.setAttribute('tabindex', '-1'); // roving: only the selected arrow is a Tab stop
    if (!a.hasAttribute('aria-label')) {
      const title = a.querySelector('title');
      a.setAttribute('aria-label', (title ? title.textContent || '' : a.textContent || '').replace(/\s+/g, ' ').trim());
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
  const pending = state.arrows.get(state.focusPending);
  if (state.focusPending >= 0 && pending) {
    pending.focus({ preventScroll: true });
    state.focusPending = -1;
  }
}

/** The pane scrolled: draw what came into view (once per frame). @param {(err: unknown) => void} onError */
export function onLadderScroll(onError) {
  if (state.ladderScrollQueued) return;
  state.ladderScrollQueued = true;
  requestAnimationFrame(() => {
    state.ladderScrollQueued = false;
    ensureWindows().catch(onError);
  });
}

/**
 * Save the ladder on screen as a file the engine makes ("svg": a standalone picture; "mermaid": a Mermaid
 * sequenceDiagram).
 * @param {'svg' | 'mermaid'} format
 */
/** The message of the arrow (or row) a click or key event is on, or -1. @param {MouseEvent | KeyboardEvent} event */
export function messageAt(event) {
  const hit = closest(event.target, '[data-msg]');
  if (hit && ui.ladderCanvas.contains(hit)) return Number(hit.getAttribute('data-msg'));
  if (!(event instanceof MouseEvent) || !state.meta) return -1;
  const rect = ui.ladderCanvas.getBoundingClientRect();
  const y = event.clientY - rect.top; // the canvas starts at the top of the drawing (header included)
  const row = Math.floor((y - state.meta.header_height) / state.meta.row_height);
  return row >= 0 && row < state.rowToMsg.length ? state.rowToMsg[row] : -1;
}

/** Mark the selected message's arrow (the only Tab stop of the ladder); returns it when it is drawn. */
export function markSelected() {
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

/** Scroll the ladder so that message `msg` is in view. @param {number} msg */
export function scrollToMessage(msg) {
  const row = state.msgToRow.get(msg);
  const meta = state.meta;
  if (row === undefined || !meta) return;
  const hh = meta.header_height;
  const rh = meta.row_height;
  const top = hh + row * rh;
  const sc = ui.ladderScroll;
  if (top < sc.scrollTop + hh) sc.scrollTop = top - hh - rh;
  else if (top + rh > sc.scrollTop + sc.clientHeight) sc.scrollTop = top + 2 * rh - sc.clientHeight;
}

/**
 * The ladder's pane changed height (the drawer or the diagnostics opened, the window was resized): a selected
 * arrow that was in view stays in view. One scrolled away from on purpose is left where it is.
 */
export function keepSelectionInView() {
  const sc = ui.ladderScroll;
  const was = state.ladderHeight;
  state.ladderHeight = sc.clientHeight;
  const row = state.msgToRow.get(state.selected);
  const meta = state.meta;
  if (row === undefined || !meta || !was) return;
  const top = meta.header_height + row * meta.row_height;
  const wasInView = top >= sc.scrollTop + meta.header_height && top + meta.row_height <= sc.scrollTop + was;
  if (wasInView) scrollToMessage(state.selected);
}

/** The ladder has keyboard focus (an arrow, or the scroller). */
export function ladderFocused() {
  return ui.ladderCanvas.contains(document.activeElement) || document.activeElement === ui.ladderScroll;
}
