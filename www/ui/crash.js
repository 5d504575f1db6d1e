// @ts-check
// sipscope page, crash banner: when the engine of the analysis on screen stops (a panic inside sipscope, or the
// tab out of memory) on a later request (a message clicked, a search, an export), a banner says so in plain words,
// says the log was not sent anywhere, and offers "Copy technical details": the engine's version, the browser, the
// step ("message(1234)", "reading file 2 of 3 (12.0 MiB) at 4.0 MiB") and the error's kind. Never any log text
// and no file name (names can be personal): files by number and size only. The page stays usable: another file
// is analyzed in a fresh engine. A crash while reading uses the error card (ui/drop.js) with the same details.

import { ui } from './dom.js';

/** @typedef {import('./engine.js').Crash} Crash */

/** What happened, in plain words. @param {Crash} crash */
export function crashTitle(crash) {
  return crash.kind === 'memory' ? 'The browser ran out of memory' : 'sipscope\'s analysis engine stopped';
}

/** The technical details to copy: what, where, which versions; nothing from the log. @param {Crash} crash */
export function crashDetails(crash) {
  const offline = /** @type {{sipscopeWorkerUrl?: string}} */ (globalThis).sipscopeWorkerUrl;
  return [
    `sipscope engine stopped: ${crash.kind === 'memory' ? 'out of memory (a wasm trap with no panic message, or memory that could not grow)' : 'panic (an internal error in sipscope)'}`,
    `step: ${crash.step || 'unknown'}`,
    `error: ${crash.error || 'unknown'}`,
    ...(crash.where ? [`panicked at: ${crash.where}`] : []),
    `engine: sipscope ${ui.body.dataset.engine || 'unknown version'}`,
    `wasm memory: ${(crash.wasmBytes / (1024 * 1024)).toFixed(1)} MiB`,
    `page: ${offline ? 'single-file page (sipscope-offline.html)' : 'served page'}`,
    `browser: ${navigator.userAgent}`,
    '(no log text, file names or message contents are included)',
  ].join('\n');
}

/**
 * Copy `text`; where the clipboard is refused, select it in `fallback` for the user to copy. Says what happened
 * on `button` for a moment.
 * @param {string} text @param {HTMLButtonElement} button @param {HTMLElement} fallback
 */
export async function copyText(text, button, fallback) {
  const label = button.textContent;
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    copied = false;
  }
  if (!copied) {
    const details = fallback.closest('details');
    if (details) details.open = true;
    const range = document.createRange();
    range.selectNodeContents(fallback);
    const sel = window.getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
  }
  button.textContent = copied ? 'Copied' : 'Selected below: press Ctrl+C';
  button.dataset.copied = copied ? 'true' : 'false';
  setTimeout(() => { button.textContent = label; }, 2500);
}

/** Show the banner for the analysis on screen, whose engine stopped. @param {Crash} crash */
export function showCrashBanner(crash) {
  ui.crashTitle.textContent = crashTitle(crash);
  ui.crashMessage.textContent = crash.kind === 'memory'
    ? 'The tab could not get more memory, so the analysis on screen cannot answer any more: messages, search and '
      + 'export stop working for it. What is drawn stays as it is.'
    : 'An internal error in sipscope stopped the analysis on screen: messages, search and export stop working for '
      + 'it. What is drawn stays as it is. This is a bug in sipscope; the technical details help fix it.';
  ui.crashDetails.textContent = crashDetails(crash);
  ui.crashDetailsBox.open = false;
  ui.crash.hidden = false;
  ui.crashCopy.focus({ preventScroll: true });
}

export function hideCrashBanner() {
  ui.crash.hidden = true;
}

/** The banner's buttons. @param {() => void} openFile the "Open another file…" action */
export function wireCrash(openFile) {
  ui.crashCopy.addEventListener('click', () => { copyText(ui.crashDetails.textContent || '', ui.crashCopy, ui.crashDetails); });
  ui.crashOpen.addEventListener('click', openFile);
  ui.crashClose.addEventListener('click', hideCrashBanner);
}
