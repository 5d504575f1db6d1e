// @ts-check
// sipscope page, compare two messages: "Compare…" pins the message shown; on another message the button (or c)
// asks the engine for the diff (headers aligned by name and order, bodies by line) and shows both side by side,
// each row same, changed, added or removed, said in words as well as in colour.

import { state } from './state.js';
import { ui, el } from './dom.js';
import { plural } from './format.js';
import { call } from './engine.js';

/** @typedef {import('../types/view').DiffRow} DiffRow */

const WORD = /** @type {Record<string, string>} */ ({ same: '', changed: 'changed', added: 'only in the second', removed: 'only in the first' });

/** The compare button says what it will do for the message shown. */
export function updateCompare() {
  const b = ui.compare;
  const shown = state.message ? state.message.index : -1;
  b.disabled = shown < 0;
  b.setAttribute('aria-pressed', String(state.pinned >= 0 && state.pinned === shown));
  if (state.pinned < 0 || shown < 0) {
    b.textContent = 'Compare…';
    b.title = 'Pin this message, then choose another one to see both side by side (c)';
  } else if (state.pinned === shown) {
    b.textContent = `Pinned #${shown + 1}`;
    b.title = 'Choose another message to compare with this one; press again to unpin';
  } else {
    b.textContent = `Compare with #${state.pinned + 1}`;
    b.title = `Show #${state.pinned + 1} and #${shown + 1} side by side (c)`;
  }
}

/** What the compare button (or c) does now. */
export async function compareAction() {
  const shown = state.message ? state.message.index : -1;
  if (shown < 0) return;
  if (state.pinned < 0) state.pinned = shown;
  else if (state.pinned === shown) state.pinned = -1;
  else await showDiff(state.pinned, shown);
  updateCompare();
}

/** @param {string | null | undefined} text */
function cell(text) {
  return text === null || text === undefined ? el('td', { class: 'diff-none', text: '—' }) : el('td', { text });
}

/** @param {DiffRow} r @param {boolean} header */
function diffRow(r, header) {
  const word = WORD[r.change] || '';
  return el('tr', { class: `diff-${r.change}` },
    header ? el('th', { scope: 'row', text: r.name }) : null,
    cell(r.left), cell(r.right),
    el('td', { class: 'diff-word', text: word }));
}

/** @param {number} left @param {number} right */
async function showDiff(left, right) {
  const d = await call('diff', left, right);
  if (!d) return;
  ui.diffSub.textContent = `#${left + 1} against #${right + 1} · ${plural(d.changed, 'change')}, ${d.added} only in #${right + 1}, ${d.removed} only in #${left + 1}`;
  const head = (/** @type {string} */ first) => el('thead', {}, el('tr', {},
    first ? el('th', { scope: 'col', text: first }) : null,
    el('th', { scope: 'col', text: `#${left + 1}` }), el('th', { scope: 'col', text: `#${right + 1}` }), el('th', { scope: 'col' })));
  const start = el('table', { class: 'diff-table' }, head('Start line'),
    el('tbody', {}, diffRow({ name: '', left: d.left_start, right: d.right_start, change: d.start_changed ? 'changed' : 'same' }, true)));
  const headers = el('table', { class: 'diff-table' }, head('Header'), el('tbody', {}, d.headers.map((r) => diffRow(r, true))));
  const body = d.body.length
    ? el('table', { class: 'diff-table diff-lines' }, head(''), el('tbody', {}, d.body.map((r) => diffRow(r, false))))
    : el('p', { class: 'muted', text: 'Neither message has a body.' });
  ui.diffBody.replaceChildren(start,
    el('h3', { text: `Headers (${d.headers.length} rows)` }), headers,
    el('h3', { text: 'Body, line by line' }), body,
    d.body_note ? el('p', { class: 'muted', text: d.body_note }) : '');
  if (!ui.diff.open) ui.diff.showModal();
}
