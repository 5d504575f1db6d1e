// @ts-check
// sipscope page, offline: registers the service worker (sw.js), which keeps the page's own files so sipscope opens
// and analyzes logs with no network after one visit, and says when a new version has installed itself and waits
// ("A new version of sipscope is ready — Reload"). Only on http(s) pages: the single-file page opened from disk
// (sipscope-offline.html, file://) registers nothing. The service worker never sees a log: logs are read with
// File APIs, never fetched.

import { state } from './state.js';
import { ui } from './dom.js';
import { registerServiceWorker } from './trusted.js';

/** Show the notice: a new version waits (`ready`), or another tab already switched to it (`other`). @param {'ready' | 'other'} why */
function showUpdate(why) {
  ui.updateText.textContent = why === 'ready'
    ? 'A new version of sipscope is ready'
    : 'sipscope was updated in another tab';
  ui.updateReload.disabled = false;
  ui.update.hidden = false;
}

/** A new version installed itself (its whole cache) and waits for this page to let it take over. @param {ServiceWorker} worker */
function offer(worker) {
  state.update.waiting = worker;
  showUpdate('ready');
}

/** Watch a registration for a new version (only an update: a first install has nothing on screen to replace). @param {ServiceWorkerRegistration} reg */
function watch(reg) {
  if (!state.update.controlled) return;
  if (reg.waiting) offer(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const next = reg.installing;
    if (!next) return;
    next.addEventListener('statechange', () => {
      if (next.state === 'installed' && reg.waiting === next) offer(next);
    });
  });
}

/** Reload into the new version: the waiting one takes over (SKIP_WAITING), then the page reloads (controllerchange). */
function reloadIntoUpdate() {
  ui.updateReload.disabled = true;
  const worker = state.update.waiting;
  if (worker && worker.state === 'installed') {
    state.update.reloading = true;
    worker.postMessage({ type: 'SKIP_WAITING' });
  } else {
    location.reload(); // another tab switched already (or the waiting one is gone): the page as it is served now
  }
}

/** Register the service worker and wire the update notice; nothing at all off http(s) or without service workers. */
export function startOffline() {
  if (!/^https?:$/.test(location.protocol) || !('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  state.update.controlled = Boolean(container.controller);
  ui.updateReload.addEventListener('click', reloadIntoUpdate);
  ui.updateLater.addEventListener('click', () => { ui.update.hidden = true; });
  // Another version took over: this page asked (Reload), so it reloads into it; or another tab's Reload did.
  container.addEventListener('controllerchange', () => {
    if (state.update.reloading) location.reload();
    else if (state.update.controlled) showUpdate('other');
  });
  registerServiceWorker(container).then(
    (reg) => { if (reg) watch(reg); },
    // Not an error of the page: it works as before, only not offline (e.g. storage turned off).
    (err) => { console.warn('sipscope: offline use is not available here:', err instanceof Error ? err.message : String(err)); },
  );
}
