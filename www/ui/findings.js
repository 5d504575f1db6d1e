// @ts-check
// sipscope page, findings view (in the drawer): the engine's problems worth a look, each linked to its message,
// a page at a time (findings(first, count); "Show more" asks for the next page).

import { state, loadInsight } from './state.js';
import { ui, el, messageLink, SEVERITY_ICON, severity } from './dom.js';
import { plural, count } from './format.js';
import { call, report } from './engine.js';

/** @typedef {import('../types/view').Finding} Finding */

const FINDINGS_PAGE = 300; // findings drawn at once

/** "2 errors, 1 warning, 3 info". @param {{error: number, warning: number, info: number}} c */
export function countText(c) {
  const parts = [];
  if (c.error) parts.push(plural(c.error, 'error'));
  if (c.warning) parts.push(plural(c.warning, 'warning'));
  if (c.info) parts.push(`${count(c.info)} info`);
  return parts.join(', ');
}

/** Load the first page of findings of the analysis on screen (once); `then` runs when it is there. @param {() => void} then */
export function loadFindings(then) {
  return loadInsight('findings', () => call('findings', 0, FINDINGS_PAGE), then);
}

/** The drawer's line about findings. */
export function findingsSub() {
  const f = state.insights.findings;
  return f ? (f.total ? `${countText(f.counts)} · click one to show its message` : 'none') : '';
}

/** Draw the findings panel. */
export function renderFindings() {
  const f = state.insights.findings;
  if (!f) return;
  if (!f.total) {
    ui.findingsPanel.replaceChildren(el('p', { class: 'placeholder', text: 'Nothing found worth a look: no failed or unanswered requests, no failed subscriptions, no slow responses.' }));
    return;
  }
  const list = el('ul', { class: 'findings', 'aria-label': 'Findings' }, f.items.map(findingItem));
  const more = () => {
    const left = f.total - f.items.length;
    if (left <= 0) return null;
    const btn = el('button', {
      type: 'button', class: 'btn btn-small', text: `Show ${count(Math.min(FINDINGS_PAGE, left))} more (${count(left)} not shown)`,
      onclick: () => {
        btn.disabled = true;
        const gen = state.insights.generation;
        call('findings', f.items.length, FINDINGS_PAGE).then((page) => {
          if (gen !== state.insights.generation) return;
          f.items.push(...page.items);
          item.remove();
          list.append(...page.items.map(findingItem));
          const next = more();
          if (next) list.append(next);
        }, report);
      },
    });
    const item = el('li', { class: 'finding-more' }, btn);
    return item;
  };
  const m = more();
  if (m) list.append(m);
  ui.findingsPanel.replaceChildren(list);
  markActiveFinding();
}

/** @param {Finding} x */
function findingItem(x) {
  const sev = severity(x.severity);
  const msg = x.msg;
  const main = el('button', { type: 'button', class: 'finding-main', 'data-msg': String(msg), 'data-goto': String(msg), title: `Show message #${msg + 1}` },
    el('span', { class: 'diag-sev', 'aria-hidden': 'true', text: SEVERITY_ICON[sev] }),
    el('span', { class: 'diag-word', text: sev }),
    el('span', { class: 'finding-text' },
      el('span', { class: 'finding-title', text: x.title }),
      x.detail ? el('span', { class: 'finding-detail', text: x.detail }) : null),
    el('span', { class: 'finding-msg', text: `#${msg + 1}` }));
  const related = x.related;
  return el('li', { class: `finding diag-${sev}`, 'data-kind': x.kind },
    main,
    related.length ? el('span', { class: 'finding-related' }, 'see also ',
      related.slice(0, 12).flatMap((r, k) => [k ? ', ' : '', messageLink(r, `#${r + 1}`)]),
      related.length > 12 ? ` and ${related.length - 12} more` : '') : null);
}

/** Mark the finding about the selected message, if any. */
export function markActiveFinding() {
  for (const b of ui.findingsPanel.querySelectorAll('.finding-main')) {
    if (!(b instanceof HTMLElement)) continue;
    const on = Number(b.dataset.msg) === state.insights.activeFinding;
    b.closest('.finding')?.classList.toggle('is-active', on);
    if (on) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
}
