// @ts-check
// sipscope page: the drawer under the workspace, opened from the bottom bar (DevTools' drawer: one view at a time)
// with the findings, presence, calls, response-times and trace views; it takes the diagnostics list's place.

import { state } from './state.js';
import { ui, el, fill } from './dom.js';
import { plural, count } from './format.js';
import { report } from './engine.js';
import { loadFindings, renderFindings, findingsSub, countText, markActiveFinding } from './findings.js';
import { loadPresence, renderPresence, presenceSub } from './presence.js';
import { showDiagnostics } from './summary.js';
import { loadTimes, renderTimes, timesSub } from './times.js';
import { loadCalls, renderCalls, callsSub } from './calls.js';
import { loadTrace, renderTrace, traceSub, resetTrace, locateMessage, locateLine, traceReady } from './trace.js';

/** @typedef {'findings' | 'presence' | 'calls' | 'times' | 'trace'} View */

/** A new analysis (or the same files merged again) is on screen: forget the old findings and presence. */
export function resetDrawer() {
  const ins = state.insights;
  ins.generation += 1;
  ins.findings = null;
  ins.presence = null;
  ins.times = null;
  ins.trace = null;
  ins.calls = null;
  ins.loading = { findings: null, presence: null, times: null, trace: null, calls: null };
  ins.activeFinding = -1;
  // The page opened the diagnostics (nothing was found in the input): they have the drawer's place.
  if (!ui.diagnostics.hidden) closeDrawer(false);
  ui.findingsPanel.replaceChildren();
  ui.presencePanel.replaceChildren();
  ui.timesPanel.replaceChildren();
  ui.callsPanel.replaceChildren();
  ui.tracePanel.replaceChildren();
  resetTrace();
  setToggleLabels();
  // Findings name the problems in the bottom bar right away; presence and times are read when opened.
  loadFindings(findingsLoaded).catch(report);
  if (ins.view === 'presence') loadPresence(presenceLoaded).catch(report);
  if (ins.view === 'times') loadTimes(timesLoaded).catch(report);
  if (ins.view === 'calls') loadCalls(callsLoaded).catch(report);
  if (ins.view === 'trace') loadTrace(traceLoaded).catch(report);
}

function traceLoaded() {
  setToggleLabels();
  if (state.insights.view === 'trace') {
    renderTrace();
    updateDrawerSub();
  }
}

function callsLoaded() {
  setToggleLabels();
  if (state.insights.view === 'calls') {
    renderCalls();
    updateDrawerSub();
  }
}

function timesLoaded() {
  if (state.insights.view === 'times') {
    renderTimes();
    updateDrawerSub();
  }
}

function findingsLoaded() {
  setToggleLabels();
  if (state.insights.view === 'findings') {
    renderFindings();
    updateDrawerSub();
  }
}

function presenceLoaded() {
  setToggleLabels();
  if (state.insights.view === 'presence') {
    renderPresence();
    updateDrawerSub();
  }
}

function setToggleLabels() {
  const { findings: f, presence: p, view } = state.insights;
  fill(ui.findingsToggle,
    el('span', { text: f ? `Findings: ${count(f.total)}` : 'Findings' }),
    // The worst severity only: the bottom bar is narrow (the drawer says the rest).
    f && f.counts.error ? el('span', { class: 'pill pill-error', text: plural(f.counts.error, 'error') })
      : f && f.counts.warning ? el('span', { class: 'pill pill-warning', text: plural(f.counts.warning, 'warning') }) : null);
  const about = 'Problems worth a look, each linked to its message';
  ui.findingsToggle.title = f && f.total ? `Findings: ${countText(f.counts)}. ${about}` : about;
  ui.presenceToggle.replaceChildren(el('span', { text: p ? `Presence: ${plural(p.contacts.length, 'contact')}` : 'Presence' }));
  const c = state.insights.calls;
  ui.callsToggle.replaceChildren(el('span', { text: c ? `Calls: ${count(c.length)}` : 'Calls' }));
  const t = state.insights.trace;
  ui.traceToggle.replaceChildren(el('span', { text: t ? `Trace: ${count(t.lines)}` : 'Trace' }));
  for (const [button, v] of /** @type {[HTMLButtonElement, View][]} */ ([[ui.findingsToggle, 'findings'], [ui.presenceToggle, 'presence'], [ui.callsToggle, 'calls'], [ui.timesToggle, 'times'], [ui.traceToggle, 'trace']])) {
    button.setAttribute('aria-expanded', view === v ? 'true' : 'false');
    button.setAttribute('aria-pressed', view === v ? 'true' : 'false');
  }
}

/** Open the drawer on `view`, or close it when it shows that already. @param {View} view */
export function toggleDrawer(view) {
  if (state.insights.view === view) closeDrawer(false);
  else openDrawer(view);
}

/** @param {View} view */
function openDrawer(view) {
  state.insights.view = view;
  showDiagnostics(false); // the drawer takes the diagnostics' place
  ui.drawer.hidden = false;
  ui.findingsPanel.hidden = view !== 'findings';
  ui.presencePanel.hidden = view !== 'presence';
  ui.timesPanel.hidden = view !== 'times';
  ui.callsPanel.hidden = view !== 'calls';
  ui.tracePanel.hidden = view !== 'trace';
  // The trace scrolls its own list: the drawer's body holds it still.
  ui.drawerBody.classList.toggle('ins-body-fill', view === 'trace');
  setToggleLabels();
  if (view === 'findings') {
    ui.drawerTitle.textContent = 'Findings';
    if (state.insights.findings) renderFindings();
    else {
      ui.findingsPanel.replaceChildren(el('p', { class: 'placeholder', text: 'Looking for problems…' }));
      loadFindings(findingsLoaded).catch(report);
    }
  } else if (view === 'presence') {
    ui.drawerTitle.textContent = 'Presence';
    if (state.insights.presence) renderPresence();
    else {
      ui.presencePanel.replaceChildren(el('p', { class: 'placeholder', text: 'Reading presence…' }));
      loadPresence(presenceLoaded).catch(report);
    }
  } else if (view === 'calls') {
    ui.drawerTitle.textContent = 'Calls';
    if (state.insights.calls) renderCalls();
    else {
      ui.callsPanel.replaceChildren(el('p', { class: 'placeholder', text: 'Reading the calls…' }));
      loadCalls(callsLoaded).catch(report);
    }
  } else if (view === 'trace') {
    ui.drawerTitle.textContent = 'Trace';
    if (state.insights.trace) renderTrace();
    else {
      ui.tracePanel.replaceChildren(el('p', { class: 'placeholder', text: 'Reading the trace lines…' }));
      loadTrace(traceLoaded).catch(report);
    }
  } else {
    ui.drawerTitle.textContent = 'Response times';
    if (state.insights.times) renderTimes();
    else {
      ui.timesPanel.replaceChildren(el('p', { class: 'placeholder', text: 'Timing the transactions…' }));
      loadTimes(timesLoaded).catch(report);
    }
  }
  updateDrawerSub();
}

/** Close the drawer; focus goes back to its toggle when `restoreFocus`. @param {boolean} restoreFocus */
export function closeDrawer(restoreFocus) {
  const was = state.insights.view;
  if (!was) return;
  state.insights.view = null;
  ui.drawer.hidden = true;
  setToggleLabels();
  if (restoreFocus) ({ findings: ui.findingsToggle, presence: ui.presenceToggle, calls: ui.callsToggle, times: ui.timesToggle, trace: ui.traceToggle })[was].focus({ preventScroll: true });
}

function updateDrawerSub() {
  const v = state.insights.view;
  ui.drawerSub.textContent = v === 'findings' ? findingsSub() : v === 'presence' ? presenceSub() : v === 'calls' ? callsSub() : v === 'times' ? timesSub() : v === 'trace' ? traceSub() : '';
}

/** The page selected a message: mark the finding about it, if any; put it in view among the trace lines. @param {number} msg */
export function onSelect(msg) {
  if (state.insights.view === 'trace') locateMessage(msg).catch(report);
  if (state.insights.activeFinding === msg) return;
  state.insights.activeFinding = msg;
  if (state.insights.view === 'findings') markActiveFinding();
}

/** Show trace line `index` of file `file` in the trace view (opened when closed). @param {number} file @param {number} index */
async function showTraceLine(file, index) {
  if (state.insights.view !== 'trace') openDrawer('trace');
  await loadTrace(traceLoaded);
  await traceReady();
  await locateLine(file, index);
}

/**
 * ↑/↓ (and ←/→ in a row of chips), Home/End move between the items of a list in the drawer; the ladder's own ↑/↓
 * keep away.
 * @param {KeyboardEvent} e
 * @param {Element} container
 * @param {string} selector
 * @param {boolean} [horizontal]
 */
function listKeys(e, container, selector, horizontal) {
  const keys = horizontal ? ['ArrowLeft', 'ArrowRight', 'Home', 'End'] : ['ArrowUp', 'ArrowDown', 'Home', 'End'];
  if (!keys.includes(e.key)) {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') e.preventDefault();
    return;
  }
  const items = /** @type {HTMLElement[]} */ (Array.from(container.querySelectorAll(selector))).filter((x) => x.offsetParent !== null);
  const cur = items.indexOf(/** @type {HTMLElement} */ (e.target));
  if (cur < 0) return;
  e.preventDefault();
  e.stopPropagation();
  let next = cur;
  if (e.key === 'Home') next = 0;
  else if (e.key === 'End') next = items.length - 1;
  else next = cur + (e.key === 'ArrowDown' || e.key === 'ArrowRight' ? 1 : -1);
  items[Math.max(0, Math.min(items.length - 1, next))].focus();
}

/** The drawer's own events. */
export function wireDrawer() {
  ui.findingsToggle.addEventListener('click', () => toggleDrawer('findings'));
  ui.presenceToggle.addEventListener('click', () => toggleDrawer('presence'));
  ui.timesToggle.addEventListener('click', () => toggleDrawer('times'));
  ui.callsToggle.addEventListener('click', () => toggleDrawer('calls'));
  ui.traceToggle.addEventListener('click', () => toggleDrawer('trace'));
  // "Logged near this failure" lines in the message panel: their place in the trace.
  document.addEventListener('click', (e) => {
    const link = e.target instanceof Element ? e.target.closest('[data-trace-line]') : null;
    if (!(link instanceof HTMLElement)) return;
    const [file, index] = String(link.dataset.traceLine).split(':').map(Number);
    showTraceLine(file, index).catch(report);
  });
  ui.timesPanel.addEventListener('keydown', (e) => listKeys(e, ui.timesPanel, '.rt-slowest .msg-link'));
  ui.drawerClose.addEventListener('click', () => closeDrawer(true));
  ui.drawer.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      closeDrawer(true);
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault(); // the page's ↑/↓ move the ladder's selection; not from inside the drawer
    }
  });
  ui.findingsPanel.addEventListener('keydown', (e) => listKeys(e, ui.findingsPanel, '.finding-main'));
  ui.callsPanel.addEventListener('keydown', (e) => listKeys(e, ui.callsPanel, '.call-main'));
  ui.presencePanel.addEventListener('keydown', (e) => {
    const t = e.target instanceof Element ? e.target : null;
    const timeline = t?.closest('.pc-timeline');
    const events = t?.closest('.ps-events');
    if (timeline) listKeys(e, timeline, '.pc-change', true);
    else if (events) listKeys(e, events, '.ps-ev, .ps-storm > summary');
  });
}
