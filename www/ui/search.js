// @ts-check
// sipscope page, search: the engine looks in every message's text and endpoints (search(query) → the matching
// messages and the conversations holding them); the page marks the arrows in view, counts the matches and
// narrows the conversations list to those with a match.

import { state, summary, Hits } from './state.js';
import { ui } from './dom.js';
import { count } from './format.js';
import { showConversations } from './conversations.js';

/** Search for what the search box holds (an empty box clears the search). */
export async function runSearch() {
  const q = ui.search.value.trim();
  state.searchQuery = q;
  const seq = ++state.searchSeq;
  if (!q) {
    state.searchHits = null;
    state.searchConvs = null;
  } else {
    const engine = state.engines.shown;
    if (!engine) return;
    ui.searchCount.textContent = 'searching…';
    try {
      const r = await engine.call('search', q);
      if (seq !== state.searchSeq || state.engines.shown !== engine) return;
      state.searchHits = new Hits(r.hits, summary().message_count);
      state.searchConvs = new Set(r.conversations);
    } catch (err) {
      if (seq !== state.searchSeq) return;
      state.searchHits = new Hits(new Int32Array(0), 0);
      state.searchConvs = new Set();
      console.warn('search failed:', err instanceof Error ? err.message : err);
    }
  }
  applySearchToLadder();
  applySearchToConversations();
}

/** Forget the search (a new analysis is on screen). */
export function clearSearch() {
  state.searchHits = null;
  state.searchConvs = null;
  state.searchQuery = '';
  ui.search.value = '';
  ui.searchCount.textContent = '';
}

/** Mark the matches among the arrows in the DOM, and say how many there are. */
export function applySearchToLadder() {
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
    ? `${count(shown)} match${shown === 1 ? '' : 'es'}`
    : elsewhere ? `${count(elsewhere)} in other conversations` : 'no match';
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
