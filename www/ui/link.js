// @ts-check
// sipscope page, deep links: the URL fragment keeps the view — the selected message, the filter's query (and
// "with transactions"), the conversation, the open panel, raw text — so the same view comes back when the same
// file is opened again with that link (or the link is pasted into a tab showing it). Only positions and what the
// user typed go into it, never text from the log; the page never sends it anywhere (a fragment is not requested).
//
//   #msg=12&q=method%3AINVITE&tx=1&conv=3&panel=findings&raw=1     (msg and conv count from 1, as shown)

import { state, summary } from './state.js';
import { ui } from './dom.js';

/** What a link asks for. @typedef {{msg: number, q: string, tx: boolean, conv: number, panel: string, raw: boolean}} View */

/** The view on screen, as a fragment (empty for the plain view). */
export function linkOf() {
  const p = new URLSearchParams();
  if (state.selected >= 0) p.set('msg', String(state.selected + 1));
  if (state.searchQuery) p.set('q', state.searchQuery);
  if (state.searchQuery && state.searchTx) p.set('tx', '1');
  if (state.filter >= 0) p.set('conv', String(state.filter + 1));
  const panel = state.insights.view || (!ui.diagnostics.hidden ? 'diagnostics' : '');
  if (panel) p.set('panel', panel);
  if (state.raw) p.set('raw', '1');
  const s = p.toString();
  return s ? `#${s}` : '';
}

/** Keep the fragment in step with the view (the history is not grown: one entry per file, as before). */
export function writeLink() {
  if (state.phase !== 'done') return;
  const hash = linkOf();
  if (hash === location.hash || (!hash && !location.hash)) return;
  history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
}

/** The view the fragment asks for (numbers checked against the analysis on screen). @returns {View} */
export function readLink() {
  const p = new URLSearchParams(location.hash.replace(/^#/, ''));
  const count = summary()?.message_count || 0;
  const num = (/** @type {string} */ key, /** @type {number} */ max) => {
    const n = Number(p.get(key));
    return Number.isInteger(n) && n >= 1 && n <= max ? n - 1 : -1;
  };
  const panel = p.get('panel') || '';
  return {
    msg: num('msg', count),
    q: (p.get('q') || '').slice(0, 2000),
    tx: p.get('tx') === '1',
    conv: num('conv', state.conversations.length),
    panel: ['findings', 'presence', 'calls', 'times', 'trace', 'diagnostics'].includes(panel) ? panel : '',
    raw: p.get('raw') === '1',
  };
}
