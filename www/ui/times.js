// @ts-check
// sipscope page, response times (in the drawer): per method a small histogram of how long final responses took
// (the engine's buckets), with median, 90th percentile and slowest; then the transactions slowest first, each a
// link that selects its request in the ladder.

import { state, loadInsight } from './state.js';
import { ui, el, messageLink } from './dom.js';
import { plural, count } from './format.js';
import { call } from './engine.js';

/** @typedef {import('../types/view').ResponseTimes} ResponseTimes */
/** @typedef {import('../types/view').MethodTimes} MethodTimes */

/** Load the response times once per analysis, then `then()`. @param {() => void} then */
export function loadTimes(then) {
  return loadInsight('times', () => call('response_times'), then);
}

/** The drawer's line about response times. */
export function timesSub() {
  const t = state.insights.times;
  return t ? `${plural(t.timed, 'transaction')} with a final response · slowest first · click one to show its request` : '';
}

/** A method's histogram: one bar per bucket, its height the share of the method's transactions. @param {MethodTimes} m @param {string[]} labels */
function histogram(m, labels) {
  const most = Math.max(1, ...m.histogram);
  const bars = m.histogram.map((n, i) => {
    const bar = el('span', { class: `rt-bar${i >= 6 ? ' rt-slow' : ''}`, title: `${labels[i]}: ${plural(n, 'transaction')}` });
    // Through the CSSOM: the page's CSP refuses style attributes.
    bar.style.setProperty('--h', `${n ? Math.max(8, Math.round((100 * n) / most)) : 0}%`);
    return bar;
  });
  return el('span', { class: 'rt-hist', role: 'img', 'aria-label': m.histogram.map((n, i) => `${labels[i]}: ${n}`).join(', ') }, bars);
}

/** Draw the response times panel. */
export function renderTimes() {
  const t = state.insights.times;
  const panel = ui.timesPanel;
  if (!t) return;
  if (!t.timed) {
    panel.replaceChildren(el('p', { class: 'placeholder', text: 'No transaction in this log has both its request and a final response.' }));
    return;
  }
  const labels = t.bucket_labels;
  const rows = t.methods.map((m) => el('tr', {},
    el('th', { scope: 'row', text: m.method }),
    el('td', { class: 'num', text: count(m.count) }),
    el('td', {}, histogram(m, labels)),
    el('td', { class: 'num', text: m.median }),
    el('td', { class: 'num', text: m.p90 }),
    el('td', { class: 'num', text: m.max })));
  const methods = el('table', { class: 'rt-methods' },
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: 'Method' }), el('th', { scope: 'col', class: 'num', text: 'Transactions' }),
      el('th', { scope: 'col', text: `Histogram (${labels[0]} … ${labels[labels.length - 1]})` }),
      el('th', { scope: 'col', class: 'num', text: 'Median' }), el('th', { scope: 'col', class: 'num', text: '90%' }),
      el('th', { scope: 'col', class: 'num', text: 'Slowest' }))),
    el('tbody', {}, rows));
  const slowest = el('ol', { class: 'rt-slowest' }, t.slowest.map((x) => el('li', {},
    el('span', { class: `rt-ms${x.ms >= 1000 ? ' rt-slow-text' : ''}`, text: x.time }),
    messageLink(x.message, `${x.method} (CSeq ${x.cseq})`),
    el('span', { class: 'muted', text: x.final_status ? ` → ${x.final_status}` : '' }))));
  const more = t.timed > t.slowest.length ? el('p', { class: 'muted', text: `The ${count(t.slowest.length)} slowest of ${count(t.timed)}.` }) : null;
  panel.replaceChildren(methods, el('h3', { class: 'rt-h', text: 'Slowest transactions' }), slowest, ...(more ? [more] : []));
}
