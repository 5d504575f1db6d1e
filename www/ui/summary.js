// @ts-check
// sipscope page, the bottom bar and the diagnostics list: counts and time span of the analysis; the engine's
// diagnostics in its severity order, the first page from the summary and "Show more" asking diagnostics(first,
// count) for the next ones, so a log with a hundred thousand problems never builds as many elements at once.

import { state, summary, fileName } from './state.js';
import { ui, el, fill, messageLink, diagnosticItem } from './dom.js';
import { plural, count, splitTime } from './format.js';
import { call, report } from './engine.js';

/** @typedef {import('../types/view').Diagnostic} Diagnostic */

const DIAG_PAGE = 200;

/** Fill the bottom bar. */
export function renderSummary() {
  const s = summary();
  const files = s.files;
  const parts = [];
  const fileText = files.length === 1 ? files[0].name : `${files.length} files`;
  parts.push(el('span', { class: 'sum-item sum-file', title: files.map((f) => f.name).join('\n'), text: fileText }));
  parts.push(el('span', { class: 'sum-item' }, el('strong', { text: count(s.message_count) }), ` ${s.message_count === 1 ? 'message' : 'messages'}`));
  // Problems first, so that they stay in view when the bar is narrow; the time range and counts may be cut.
  if (s.failures > 0) parts.push(el('span', { class: 'sum-item sum-fail', text: `✕ ${plural(s.failures, 'failure')}` }));
  if (s.unanswered > 0) parts.push(el('span', { class: 'sum-item sum-warn', text: plural(s.unanswered, 'unanswered request') }));
  const a = splitTime(s.first_time);
  const b = splitTime(s.last_time || s.first_time);
  if (a && b) {
    const range = a.date === b.date ? `${a.date} ${a.clock} – ${b.clock}` : `${a.date} ${a.clock} – ${b.date} ${b.clock}`;
    const text = s.span ? `${range} (${s.span})` : range;
    parts.push(el('span', { class: 'sum-item sum-cut', title: text, text }));
  }
  const counts = [
    plural(s.conversations, 'conversation'), plural(s.transactions, 'transaction'), plural(s.subscriptions, 'subscription'),
  ].join(' · ');
  parts.push(el('span', { class: 'sum-item sum-cut', title: counts, text: counts }));
  ui.summaryText.replaceChildren(...parts);

  const c = s.diagnostic_counts;
  const total = c.error + c.warning + c.info;
  fill(ui.diagToggle,
    el('span', { text: `Diagnostics: ${total}` }),
    c.error ? el('span', { class: 'pill pill-error', text: plural(c.error, 'error') }) : null,
    c.warning ? el('span', { class: 'pill pill-warning', text: plural(c.warning, 'warning') }) : null);
  ui.diagToggle.disabled = total === 0;
  if (total === 0) showDiagnostics(false);
}

/** Open or close the diagnostics list. @param {boolean} open */
export function showDiagnostics(open) {
  ui.diagnostics.hidden = !open;
  ui.diagToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
}

/** The diagnostics list, from the first page the summary holds. */
export function renderDiagnostics() {
  ui.diagList.replaceChildren();
  state.diagShown = 0;
  appendDiagnostics(summary().diagnostics);
}

/** @param {Diagnostic} d */
function diagItem(d) {
  const where = [];
  if (d.file !== null && d.file !== undefined) where.push(fileName(d.file));
  if (d.line) where.push(`line ${d.line}`);
  const msg = d.msg;
  return diagnosticItem(d,
    where.length ? el('span', { class: 'diag-where', text: where.join(', ') }) : null,
    msg !== undefined && msg !== null && msg >= 0 ? messageLink(msg, `message #${msg + 1}`, 'link') : null);
}

/** @param {Diagnostic[]} list */
function appendDiagnostics(list) {
  ui.diagList.querySelector('.diag-more')?.remove();
  ui.diagList.append(...list.map(diagItem));
  state.diagShown += list.length;
  const total = summary().diagnostics_total;
  if (state.diagShown < total) {
    const left = total - state.diagShown;
    const more = el('button', {
      type: 'button',
      class: 'btn btn-small',
      text: `Show ${count(Math.min(DIAG_PAGE, left))} more (${count(left)} not shown)`,
      onclick: () => {
        more.disabled = true;
        call('diagnostics', state.diagShown, DIAG_PAGE).then(appendDiagnostics, report);
      },
    });
    ui.diagList.append(el('li', { class: 'diag-more' }, more));
  }
}
