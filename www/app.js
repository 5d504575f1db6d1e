// @ts-check
// sipscope page: the entry point. It wires the views (www/ui/) together: a finished analysis drawn everywhere,
// selecting a message or a conversation, re-merging after a clock offset set by hand, and the page's keys. All
// parsing and correlation happen in worker.js (wasm); the page's state lives in ui/state.js.

import { state, summary } from './ui/state.js';
import { ui, closest, isTyping } from './ui/dom.js';
import { call, warmSpare, EngineError } from './ui/engine.js';
import { setPhase, showError, cancelAnalysis, wireDrop, openFileDialog } from './ui/drop.js';
import { showCrashBanner, wireCrash } from './ui/crash.js';
import {
  renderLadder, ensureWindows, onLadderScroll, messageAt, markSelected, scrollToMessage, ladderFocused,
  keepSelectionInView,
} from './ui/ladder.js';
import { renderConversations, markConversation, onConvScroll, convKey, focusCurrentConversation } from './ui/conversations.js';
import { renderDetail } from './ui/detail.js';
import { renderSummary, renderDiagnostics, showDiagnostics } from './ui/summary.js';
import { runSearch, clearSearch, nextSearchHit, runChip } from './ui/search.js';
import { renderFiles, renderClockStrip, renderFilesPanel, focusFileRow, wireFiles } from './ui/files.js';
import { resetDrawer, closeDrawer, onSelect, wireDrawer, toggleDrawer } from './ui/drawer.js';
import { writeLink, readLink } from './ui/link.js';
import { compareAction } from './ui/diff.js';
import { wireExport } from './ui/export.js';
import { wireRedact } from './ui/redact.js';
import { startOffline } from './ui/offline.js';

/** @typedef {import('./ui/engine.js').Done} Done */

// The page started: the note for a page that cannot start (opened from disk) goes.
document.getElementById('engine-missing')?.remove();

/** A request of the page failed: logged (unless about an analysis closed on purpose). @param {unknown} err */
function reportError(err) {
  // Closed on purpose: nothing to say; crashed: the crash banner says it, once.
  if (err instanceof EngineError && (err.closed || err.crash)) return;
  console.error(err);
  if (state.phase === 'analyzing') showError({ message: err instanceof Error ? err.message : String(err) });
}

/** Draw a finished analysis (or the same files merged again, `reload`). @param {Done} done */
async function showAnalysis(done) {
  state.summary = done.summary;
  state.conversations = done.conversations;
  state.meta = done.meta;
  state.filter = -1;
  state.selected = -1;
  state.message = null;
  state.pinned = -1; // message indices of another analysis
  state.raw = false;
  state.headersAlone = summary().message_count === 0 ? await call('headers_alone') : [];
  clearSearch();
  if (!done.reload) performance.mark('sipscope:read');

  renderFiles();
  renderSummary();
  renderDiagnostics();
  renderConversations();
  renderDetail();
  renderClockStrip();
  if (!ui.filesPanel.hidden) renderFilesPanel();
  // Show the workspace first (the ladder needs its size to know which rows are in view).
  ui.reading.hidden = true;
  ui.workspace.hidden = false;
  ui.ladderScroll.scrollTop = 0;
  ui.ladderScroll.scrollLeft = 0;
  ui.convScroll.scrollTop = 0;
  await renderLadder(done.meta);

  setPhase('done');
  if (summary().message_count === 0) showDiagnostics(true);
  resetDrawer(); // findings and presence of this analysis
  if (done.reload) return;
  await restoreLink();
  // For the benchmark (bench/): how long each part took, and the engine's memory.
  performance.measure('sipscope:analysis', { start: 'sipscope:start', detail: { ...done.timings, wasmBytes: done.wasmBytes } });
}

/** Bring back the view the URL fragment names (a deep link), as far as this analysis has it. */
async function restoreLink() {
  const v = readLink();
  if (v.q) {
    ui.search.value = v.q;
    ui.queryTx.checked = v.tx;
    await runSearch();
  }
  if (v.conv >= 0) await selectConversation(v.conv);
  if (v.panel === 'diagnostics') showDiagnostics(true);
  else if (v.panel === 'findings' || v.panel === 'presence' || v.panel === 'calls' || v.panel === 'times' || v.panel === 'trace') toggleDrawer(v.panel);
  state.raw = v.raw;
  if (v.msg >= 0) await jumpToMessage(v.msg);
  else renderDetail();
  writeLink();
}

/** A file's clock offset set by hand (ms, or null for the estimate): the files are merged again, so message
 *  indices, conversations and the ladder change, and everything is drawn again. @param {number} file @param {number | null} ms */
async function setClock(file, ms) {
  const ins = state.insights;
  if (ins.merging) return;
  ins.merging = true;
  renderFilesPanel();
  try {
    await call('set_clock_offset', file, ms === null ? undefined : ms);
    const [s, conversations, meta] = [await call('summary'), await call('conversations'), await call('ladder_meta')];
    ins.merging = false;
    await showAnalysis({ type: 'done', job: state.job, summary: s, conversations, meta, reload: true });
  } finally {
    ins.merging = false;
  }
  if (!ui.filesPanel.hidden) {
    renderFilesPanel();
    focusFileRow(file);
  }
}

/**
 * Select message `msg`: mark its arrow, scroll to it, show it in the message panel.
 * @param {number} msg
 * @param {{scroll?: boolean, focus?: boolean}} [opts]
 */
async function selectMessage(msg, opts = {}) {
  if (!Number.isInteger(msg) || msg < 0) return;
  state.selected = msg;
  onSelect(msg);
  writeLink();
  const a = markSelected();
  if (opts.scroll !== false) scrollToMessage(msg);
  if (opts.focus && a) a.focus({ preventScroll: true });
  else if (opts.focus) state.focusPending = msg; // its window is not drawn yet: focus it when it is
  if (!a) ensureWindows().catch(reportError);
  const seq = ++state.detailSeq;
  try {
    const m = await call('message', msg);
    if (seq !== state.detailSeq) return;
    const other = !state.message || state.message.index !== m?.index;
    state.message = m;
    renderDetail();
    if (other) ui.detailBody.scrollTop = 0; // another message starts at its start line, like DevTools
  } catch (err) {
    if (seq !== state.detailSeq) return;
    state.message = null;
    renderDetail(err instanceof Error ? err.message : String(err));
  }
}

/** Move the selection `delta` rows in the ladder. @param {number} delta */
function moveSelection(delta) {
  const rows = state.rowToMsg;
  if (!rows.length) return;
  let row = state.msgToRow.get(state.selected);
  if (row === undefined) row = delta > 0 ? -1 : rows.length;
  const next = Math.max(0, Math.min(rows.length - 1, row + delta));
  if (next !== row) selectMessage(rows[next], { focus: ladderFocused() });
}

/** Narrow the ladder to conversation `id` (-1: all messages). @param {number} id */
async function selectConversation(id) {
  if (state.phase !== 'done' || id === state.filter) return;
  state.filter = id;
  markConversation();
  writeLink();
  await call('set_filter', id);
  await renderLadder(await call('ladder_meta'));
  // Keep the selection when it is still visible; else select the conversation's first message.
  if (!state.msgToRow.has(state.selected) && state.rowToMsg.length) selectMessage(state.rowToMsg[0], { scroll: true });
  else if (state.selected >= 0) scrollToMessage(state.selected);
}

/** Select a message from elsewhere (a link): show all messages first when the ladder does not hold it. @param {number} msg */
async function jumpToMessage(msg) {
  if (!Number.isInteger(msg) || msg < 0 || state.phase !== 'done') return;
  if (!state.msgToRow.has(msg) && state.filter !== -1) await selectConversation(-1);
  await selectMessage(msg, { scroll: true });
}

function wire() {
  wireDrop();
  wireCrash(openFileDialog);
  wireFiles();
  // The engine of an analysis stopped (a panic or out of memory): the banner, when it is the one on screen.
  document.addEventListener('sipscope:crashed', (e) => {
    const { engine, crash } = /** @type {CustomEvent<{engine: import('./ui/engine.js').Engine, crash: import('./ui/engine.js').Crash}>} */ (e).detail;
    if (engine === state.engines.shown) showCrashBanner(crash);
  });
  wireDrawer();
  document.addEventListener('sipscope:analyzed', (e) => {
    const done = /** @type {CustomEvent<Done>} */ (e).detail;
    showAnalysis(done).catch((err) => reportError(err));
  });
  document.addEventListener('sipscope:clock', (e) => {
    const { file, ms } = /** @type {CustomEvent<import('./ui/files.js').ClockRequest>} */ (e).detail;
    setClock(file, ms).catch(reportError);
  });
  // Every "show message #N" link of the views (diagnostics, transactions, findings, presence).
  document.addEventListener('click', (e) => {
    const link = closest(e.target, '[data-goto]');
    if (link instanceof HTMLElement) jumpToMessage(Number(link.dataset.goto)).catch(reportError);
  });

  ui.ladderCanvas.addEventListener('click', (e) => {
    const msg = messageAt(e);
    if (msg >= 0) selectMessage(msg, { focus: true });
  });
  ui.ladderScroll.addEventListener('scroll', () => onLadderScroll(reportError), { passive: true });
  new ResizeObserver(() => keepSelectionInView()).observe(ui.ladderScroll);
  ui.ladderCanvas.addEventListener('keydown', (e) => {
    const msg = messageAt(e);
    if (msg >= 0 && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      selectMessage(msg, { focus: true });
    }
  });
  ui.ladderScroll.addEventListener('focus', () => {
    // Focus lands on the scroller from Tab: pass it to the selected (or first) arrow.
    const a = state.arrows.get(state.selected) || state.arrows.get(state.rowToMsg[0]);
    if (a) a.focus({ preventScroll: true });
  });

  ui.convList.addEventListener('click', (e) => {
    const li = closest(e.target, '[data-conv]');
    if (li instanceof HTMLElement) selectConversation(Number(li.dataset.conv)).catch(reportError);
  });
  ui.convList.addEventListener('keydown', (e) => {
    const id = convKey(e);
    if (id !== undefined) selectConversation(id).catch(reportError);
  });
  ui.convList.addEventListener('focus', (e) => { if (e.target === ui.convList) focusCurrentConversation(); });
  ui.convScroll.addEventListener('scroll', onConvScroll, { passive: true });

  wireExport();
  wireRedact();
  ui.rawToggle.addEventListener('click', () => {
    state.raw = !state.raw;
    renderDetail();
    writeLink();
  });
  // The message panel folds into a rail and back; the selection and its details stay (shown when unfolded).
  ui.detailToggle.addEventListener('click', () => {
    const collapse = !ui.workspace.classList.contains('detail-collapsed');
    ui.workspace.classList.toggle('detail-collapsed', collapse);
    ui.detailToggle.setAttribute('aria-expanded', collapse ? 'false' : 'true');
    ui.detailToggle.textContent = collapse ? '‹' : 'Hide';
    ui.detailToggle.title = collapse ? 'Show the message panel' : 'Hide the message panel: more room for the flow';
    ui.detailToggle.setAttribute('aria-label', collapse ? 'Show the message panel' : 'Hide the message panel');
  });
  ui.diagToggle.addEventListener('click', () => {
    const open = ui.diagnostics.hidden;
    showDiagnostics(open);
    if (open) closeDrawer(false); // the diagnostics and the drawer share a place
    writeLink();
  });
  // The drawer's toggles (wired in ui/drawer.js) change the view too.
  for (const b of [ui.findingsToggle, ui.presenceToggle, ui.callsToggle, ui.timesToggle, ui.traceToggle, ui.drawerClose]) b.addEventListener('click', () => writeLink());
  ui.keysClose.addEventListener('click', () => ui.keys.close());
  ui.compare.addEventListener('click', () => { compareAction().catch(reportError); });
  ui.diffClose.addEventListener('click', () => ui.diff.close());
  // A link pasted into this tab while its file is open.
  window.addEventListener('hashchange', () => {
    if (state.phase === 'done') restoreLink().catch(reportError);
  });

  ui.search.addEventListener('input', () => {
    clearTimeout(state.searchTimer);
    state.searchTimer = window.setTimeout(() => { runSearch().catch(reportError); }, 160);
  });
  state.redrawLadder = async () => renderLadder(await call('ladder_meta'));
  ui.search.addEventListener('scroll', () => { ui.searchMirror.scrollLeft = ui.search.scrollLeft; });
  ui.queryTx.addEventListener('change', () => { runSearch().catch(reportError); });
  ui.queryBar.addEventListener('click', (e) => {
    const chip = closest(e.target, '.query-chips .chip');
    if (chip instanceof HTMLElement) runChip(chip).catch(reportError);
  });
  /** @param {number} delta */
  const step = (delta) => {
    const msg = nextSearchHit(delta);
    if (msg >= 0) selectMessage(msg, { scroll: true });
  };
  ui.queryPrev.addEventListener('click', () => step(-1));
  ui.queryNext.addEventListener('click', () => step(1));
  // A new filter: its words are marked in the message shown; a message no longer in the ladder gives way to the
  // first match.
  document.addEventListener('sipscope:filtered', () => {
    writeLink();
    if (state.selected >= 0 && !state.msgToRow.has(state.selected) && state.rowToMsg.length) {
      selectMessage(state.rowToMsg[0], { scroll: true }).catch(reportError);
    } else if (state.message) {
      renderDetail();
    }
  });
  ui.search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(state.searchTimer);
      const go = () => step(e.shiftKey ? -1 : 1);
      if (ui.search.value.trim() !== state.searchQuery) runSearch().then(go, reportError);
      else go();
    } else if (e.key === 'Escape') {
      ui.search.value = '';
      runSearch().catch(reportError);
      ui.ladderScroll.focus();
    }
  });

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    if (isTyping(e.target)) return;
    const target = e.target instanceof Node ? e.target : null;
    if (e.key === 'Escape' && state.phase === 'analyzing') {
      e.preventDefault();
      cancelAnalysis();
    } else if (e.key === 'c' && state.phase === 'done') {
      e.preventDefault();
      compareAction().catch(reportError);
    } else if (e.key === 't' && state.phase === 'done') {
      e.preventDefault();
      toggleDrawer('trace');
      writeLink();
    } else if (e.key === '?') {
      e.preventDefault();
      if (!ui.keys.open) ui.keys.showModal();
    } else if (e.key === '/' && !ui.search.disabled) {
      e.preventDefault();
      ui.search.focus();
      ui.search.select();
    } else if (state.phase === 'done' && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      if (ui.convList.contains(target)) return;
      if (ui.detailBody.contains(target)) return; // let the detail pane scroll with the arrows
      e.preventDefault();
      moveSelection(e.key === 'ArrowDown' ? 1 : -1);
    } else if (state.phase === 'done' && (e.key === 'Home' || e.key === 'End') && (ui.ladderCanvas.contains(target) || target === ui.ladderScroll)) {
      e.preventDefault();
      const rows = state.rowToMsg;
      if (rows.length) selectMessage(rows[e.key === 'Home' ? 0 : rows.length - 1], { focus: true });
    }
  });
}

setPhase('idle');
wire();
warmSpare();
startOffline();
