// @ts-check
// sipscope page, the filter: the engine reads the query (docs/query.md) and narrows the ladder to the messages it
// selects (set_query(query, transactions) → the hits, the conversations holding them, the texts to mark, or
// where and why the query is wrong). The page redraws the ladder, counts the matches, narrows the conversations
// list, underlines a bad part of the query in place and marks the matched words in the message panel. It never
// interprets the query itself.

import { state, summary, Hits } from './state.js';
import { ui, el } from './dom.js';
import { count } from './format.js';
import { showConversations } from './conversations.js';

/** Run what the filter box holds (an empty box shows every message again). */
export async function runSearch() {
  const q = ui.search.value;
  const tx = ui.queryTx.checked;
  const seq = ++state.searchSeq;
  const engine = state.engines.shown;
  if (!engine) return;
  ui.searchCount.textContent = q.trim() ? 'filtering…' : '';
  /** @type {import('./engine.js').Hits32} */
  let r;
  try {
    r = await engine.call('set_query', q, tx);
  } catch (err) {
    if (seq !== state.searchSeq) return;
    showProblem(q, { start: 0, end: q.length, message: `The filter could not be run: ${err instanceof Error ? err.message : err}` });
    return;
  }
  if (seq !== state.searchSeq || state.engines.shown !== engine) return;
  if (r.error) {
    // Nothing changed in the engine: the ladder keeps the last query that could be read.
    showProblem(q, r.error);
    return;
  }
  showProblem(q, null);
  state.searchQuery = q.trim();
  state.searchTx = tx;
  state.searchMarks = state.searchQuery ? r.marks : [];
  if (!state.searchQuery) {
    state.searchHits = null;
    state.searchConvs = null;
  } else {
    state.searchHits = new Hits(r.hits, summary().message_count);
    state.searchConvs = new Set(r.conversations);
  }
  markChips();
  await state.redrawLadder();
  applySearchToLadder();
  applySearchToConversations();
  document.dispatchEvent(new CustomEvent('sipscope:filtered'));
}

/**
 * Say what is wrong with the query, the bad part underlined in place (or clear it).
 * @param {string} q
 * @param {import('../types/view').QueryProblem | null} problem
 */
function showProblem(q, problem) {
  ui.searchMirror.replaceChildren();
  ui.search.toggleAttribute('aria-invalid', !!problem);
  ui.queryError.textContent = problem ? problem.message : '';
  ui.queryError.classList.toggle('on', !!problem);
  if (!problem) return;
  ui.searchCount.textContent = 'error';
  // The offsets count UTF-16 units, as the input's own text does.
  const end = Math.max(problem.end, problem.start + 1);
  const bad = q.slice(problem.start, end) || ' ';
  ui.searchMirror.append(q.slice(0, problem.start), el('span', { class: 'q-bad', text: bad }), q.slice(end));
  ui.searchMirror.scrollLeft = ui.search.scrollLeft;
}

/** The chip whose question is in the box is pressed. */
function markChips() {
  for (const b of ui.queryBar.querySelectorAll('.query-chips .chip')) {
    if (b instanceof HTMLElement) b.setAttribute('aria-pressed', String(b.dataset.query === state.searchQuery));
  }
}

/** Forget the filter (a new analysis is on screen: its engine starts unfiltered). */
export function clearSearch() {
  state.searchHits = null;
  state.searchConvs = null;
  state.searchQuery = '';
  state.searchMarks = [];
  ui.search.value = '';
  ui.searchCount.textContent = '';
  showProblem('', null);
  markChips();
  updateStepButtons();
}

/** Mark the matches among the arrows in the DOM (with their transactions, the others are dimmed), and count them. */
export function applySearchToLadder() {
  const hits = state.searchHits;
  ui.searchCount.dataset.query = hits ? state.searchQuery : ''; // what the count is about
  // Every arrow is a match unless the transactions around them are kept too: then the others are dimmed.
  ui.ladderCanvas.classList.toggle('searching', !!hits && state.searchTx);
  for (const [msg, a] of state.arrows) a.classList.toggle('is-hit', !!hits && hits.has(msg));
  updateStepButtons();
  if (!hits) {
    if (!ui.search.hasAttribute('aria-invalid')) ui.searchCount.textContent = '';
    return;
  }
  let shown = 0;
  if (state.filter === -1) shown = hits.size;
  else for (const msg of hits.list) if (state.msgToRow.has(msg)) shown += 1;
  const elsewhere = hits.size - shown;
  ui.searchCount.textContent = shown
    ? `${count(shown)} match${shown === 1 ? '' : 'es'}`
    : elsewhere ? `${count(elsewhere)} in other conversations` : 'no match';
}

function updateStepButtons() {
  const some = !!state.searchHits && state.searchHits.size > 0;
  ui.queryPrev.disabled = !some;
  ui.queryNext.disabled = !some;
}

/** The conversations list shows only the conversations with a match (and "All messages"). */
function applySearchToConversations() {
  const convs = state.searchConvs;
  const view = [-1];
  // A conversation's id is its position in conversations() (what set_filter takes).
  for (const id of state.conversations.keys()) if (!convs || convs.has(id) || id === state.filter) view.push(id);
  showConversations(view);
}

/** The next (delta 1) or previous (-1) match in the ladder from the selection, or -1. @param {number} delta */
export function nextSearchHit(delta) {
  const hits = state.searchHits;
  if (!hits || !hits.size) return -1;
  const rows = state.rowToMsg;
  let row = state.msgToRow.get(state.selected);
  if (row === undefined) row = delta > 0 ? -1 : rows.length;
  for (let i = 1; i <= rows.length; i++) {
    const r = (row + delta * i + rows.length * 2) % rows.length;
    if (hits.has(rows[r])) return rows[r];
  }
  return -1;
}

/** A chip puts its question in the box and runs it (again: off). @param {HTMLElement} chip */
export function runChip(chip) {
  const q = chip.dataset.query || '';
  ui.search.value = state.searchQuery === q ? '' : q;
  return runSearch();
}
