// @ts-check
// sipscope page, conversations view: the list of conversations (by Call-ID) that narrows the ladder. Virtualized:
// entries have a fixed height and only those in view (plus a few) exist in the DOM, so a log with thousands of
// conversations costs the same as one with ten. `state.conv.view` is what the list shows, in order: "All
// messages" (-1) then every conversation, or those with a search hit. A conversation's id is its position in
// conversations(), which is what set_filter takes.

import { state, summary } from './state.js';
import { ui, el, clamp } from './dom.js';
import { plural, clock, count } from './format.js';

const CONV_ROW = 48; // px, = .conv height in style.css
const CONV_OVERSCAN = 8;

const KIND_LABEL = /** @type {Record<string, string>} */ ({
  registration: 'REG', subscription: 'SUB', im: 'IM', call: 'CALL', options: 'OPT', message: 'IM',
  publication: 'PUB', other: '…',
});

/** Show every conversation (a new analysis is on screen). */
export function renderConversations() {
  showConversations([-1, ...state.conversations.keys()]);
}

/** Show these entries (-1 is "All messages"), from the top. @param {number[]} view */
export function showConversations(view) {
  state.conv.view = view;
  state.conv.items.clear();
  ui.convList.replaceChildren();
  ui.convList.style.height = `${view.length * CONV_ROW}px`;
  const all = state.conversations.length;
  const shown = view.length - 1;
  ui.convCount.textContent = !all ? '' : shown === all ? count(all) : `${count(shown)} of ${count(all)}`;
  renderConvWindow();
}

/** @param {number} id */
function convItem(id) {
  if (id === -1) return convOption(-1, 'All messages', '', summary().message_count, null, false, 'ALL', 'all');
  const c = state.conversations[id];
  const kind = String(c.kind || 'other').toLowerCase();
  const badge = KIND_LABEL[kind] || kind.slice(0, 4).toUpperCase();
  return convOption(id, c.label || c.call_id || `conversation ${id + 1}`, c.call_id || '', c.message_count, c.first_time, c.failed, badge, kind);
}

/** Draw the entries in view; drop the others. */
export function renderConvWindow() {
  const { conv } = state;
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
      li = convItem(id);
      li.style.top = `${pos * CONV_ROW}px`;
      li.setAttribute('aria-setsize', String(n));
      li.setAttribute('aria-posinset', String(pos + 1));
      conv.items.set(id, li);
      ui.convList.append(li);
    }
  }
  markConversation();
}

/** The list scrolled: draw what came into view (once per frame). */
export function onConvScroll() {
  if (state.conv.scrollQueued) return;
  state.conv.scrollQueued = true;
  requestAnimationFrame(() => {
    state.conv.scrollQueued = false;
    renderConvWindow();
  });
}

/** Scroll the list so that view position `pos` is in view, draw it, and return its entry. @param {number} pos */
export function revealConv(pos) {
  const sc = ui.convScroll;
  const top = pos * CONV_ROW;
  if (top < sc.scrollTop) sc.scrollTop = top;
  else if (top + CONV_ROW > sc.scrollTop + sc.clientHeight) sc.scrollTop = top + CONV_ROW - sc.clientHeight;
  renderConvWindow();
  return state.conv.items.get(state.conv.view[pos]);
}

/**
 * The list's keys (↑ ↓ PageUp PageDown Home End move and choose, Enter / Space choose): the conversation to
 * show, or undefined when the key is not the list's.
 * @param {KeyboardEvent} e
 * @returns {number | undefined}
 */
export function convKey(e) {
  const { view } = state.conv;
  const n = view.length;
  if (!n) return undefined;
  const active = document.activeElement;
  const focusedId = active instanceof HTMLElement && active.dataset.conv !== undefined ? Number(active.dataset.conv) : NaN;
  const cur = view.indexOf(Number.isNaN(focusedId) ? state.filter : focusedId);
  const page = Math.max(1, Math.floor(ui.convScroll.clientHeight / CONV_ROW) - 1);
  const from = cur < 0 ? 0 : cur;
  /** @type {Record<string, number>} */
  const moves = { ArrowDown: from + 1, ArrowUp: from - 1, PageDown: from + page, PageUp: from - page, Home: 0, End: n - 1 };
  if (cur < 0) for (const k of ['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp']) moves[k] = 0;
  if ((e.key === 'Enter' || e.key === ' ') && cur >= 0) {
    e.preventDefault();
    return view[cur];
  }
  if (!(e.key in moves)) return undefined;
  e.preventDefault();
  e.stopPropagation();
  const next = clamp(moves[e.key], 0, n - 1);
  const li = revealConv(next);
  if (li) li.focus({ preventScroll: true });
  return view[next];
}

/** Focus the entry of the conversation on screen (the list got focus from Tab). */
export function focusCurrentConversation() {
  const pos = state.conv.view.indexOf(state.filter);
  const li = pos >= 0 ? revealConv(pos) : null;
  if (li) li.focus({ preventScroll: true });
}

/**
 * @param {number} id
 * @param {string} label
 * @param {string} callId
 * @param {number} messages
 * @param {string | null} firstTime
 * @param {boolean} failed
 * @param {string} badge
 * @param {string} kind
 */
function convOption(id, label, callId, messages, firstTime, failed, badge, kind) {
  return el('li', {
    class: `conv${failed ? ' conv-failed' : ''}`,
    role: 'option',
    tabindex: '-1',
    'data-conv': String(id),
    title: callId ? `${label}\nCall-ID: ${callId}` : label,
  },
  el('span', { class: `conv-kind kind-${kind}`, text: badge }),
  el('span', { class: 'conv-main' },
    el('span', { class: 'conv-label', text: label }),
    // One line (the list has a fixed row height): the failure first, the time last (it may be cut).
    el('span', { class: 'conv-sub' },
      failed ? el('span', { class: 'conv-fail', title: 'Something in this conversation failed', text: '✕ failed' }) : null,
      el('span', { class: 'conv-count', text: plural(messages, 'msg', 'msgs') }),
      firstTime ? el('span', { class: 'conv-time', text: clock(firstTime) }) : null)));
}

/** Mark the conversation on screen (the only Tab stop of the list). */
export function markConversation() {
  for (const [id, li] of state.conv.items) {
    const on = id === state.filter;
    li.setAttribute('aria-selected', on ? 'true' : 'false');
    li.tabIndex = on ? 0 : -1;
  }
}
