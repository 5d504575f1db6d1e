// @ts-check
// sipscope page, the Export menu (in the message flow's head): the current view — all messages, a conversation, a
// query's matches — as a picture (SVG, or PNG drawn here from the engine's SVG at twice the pixels), a sequence
// diagram (Mermaid, PlantUML), the messages as CSV, the analysis as JSON, a self-contained HTML report, or text
// Snooper opens. Every file is the engine's export (`export(format)`), named by it after the input and the view.
// Its last entry is not about the view: a redacted copy of the files themselves (ui/redact.js).

import { state } from './state.js';
import { ui, el, saveFile, closest } from './dom.js';
import { call, report } from './engine.js';
import { toast } from './drop.js';
import { openRedaction } from './redact.js';

/** The menu's entries: the engine's format name, what it is, and a hint. */
const ITEMS = /** @type {const} */ ([
  ['svg', 'Picture (SVG)', 'The flow as drawn, any size, sharp at any zoom'],
  ['png', 'Picture (PNG, 2×)', 'The flow as an image to paste into a ticket or a chat'],
  ['mermaid', 'Mermaid diagram', 'Sequence-diagram text for GitHub, GitLab, Confluence or a wiki'],
  ['plantuml', 'PlantUML diagram', 'Sequence-diagram text for PlantUML'],
  ['csv', 'Messages as CSV', 'One row per message, for a spreadsheet'],
  ['json', 'Analysis as JSON', 'Everything sipscope found, for scripts'],
  ['html', 'HTML report', 'One file: summary, findings, the flow, every message explained; opens offline, runs no script'],
  ['snooper', 'Snooper text', 'The messages in the client-log framing Microsoft Snooper opens'],
]);

// Browsers draw no canvas past 32,767 px a side.
const MAX_CANVAS = 32_767;

/** Build the menu (once). */
export function wireExport() {
  fillMenu();
  ui.exportButton.addEventListener('click', () => (ui.exportMenu.hidden ? openMenu() : closeMenu(false)));
  ui.exportMenu.addEventListener('click', (e) => {
    const item = closest(e.target, '.export-item');
    if (!(item instanceof HTMLElement)) return;
    if (item.dataset.action === 'redact') {
      closeMenu(false);
      openRedaction().catch((err) => toastError(err));
      return;
    }
    closeMenu(true);
    exportAs(String(item.dataset.format)).catch((err) => toastError(err));
  });
  ui.exportMenu.addEventListener('keydown', (e) => {
    const items = /** @type {HTMLElement[]} */ (Array.from(ui.exportMenu.querySelectorAll('.export-item')));
    const at = items.indexOf(/** @type {HTMLElement} */ (e.target));
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      closeMenu(true);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      e.stopPropagation();
      items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length].focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      items[e.key === 'Home' ? 0 : items.length - 1].focus();
    }
  });
  document.addEventListener('click', (e) => {
    if (!ui.exportMenu.hidden && !ui.exportMenu.contains(/** @type {Node} */ (e.target)) && e.target !== ui.exportButton) closeMenu(false);
  });
}

function fillMenu() {
  ui.exportMenu.replaceChildren(...ITEMS.map(([format, label, hint]) => el('button', {
    type: 'button', role: 'menuitem', class: 'export-item', 'data-format': format, tabindex: '-1',
  }, el('span', { class: 'export-label', text: label }), el('span', { class: 'export-hint', text: hint }))),
  el('span', { class: 'export-sep', role: 'separator' }),
  el('button', { type: 'button', role: 'menuitem', class: 'export-item', 'data-action': 'redact', tabindex: '-1', 'aria-haspopup': 'dialog' },
    el('span', { class: 'export-label', text: 'Share a redacted copy…' }),
    el('span', { class: 'export-hint', text: 'The log itself with names, addresses and secrets replaced, to send to a colleague or a vendor' })));
}

function openMenu() {
  ui.exportMenu.hidden = false;
  ui.exportButton.setAttribute('aria-expanded', 'true');
  /** @type {HTMLElement | null} */ (ui.exportMenu.querySelector('[data-format]'))?.focus();
}

/** @param {boolean} restoreFocus */
function closeMenu(restoreFocus) {
  ui.exportMenu.hidden = true;
  ui.exportButton.setAttribute('aria-expanded', 'false');
  if (restoreFocus) ui.exportButton.focus();
}

/** Save the current view as `format`. @param {string} format */
export async function exportAs(format) {
  if (state.phase !== 'done') return;
  if (format === 'png') {
    saveFile(await png(await call('export', 'svg')));
    return;
  }
  saveFile(await call('export', format));
}

/**
 * The engine's SVG drawn on a canvas at twice its pixels (sharp on a high-density screen or in a ticket).
 * @param {{name: string, mime: string, bytes: Uint8Array}} svg
 * @returns {Promise<{name: string, mime: string, bytes: Uint8Array}>}
 */
async function png(svg) {
  const url = URL.createObjectURL(new Blob([/** @type {BlobPart} */ (svg.bytes)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const w = img.naturalWidth;
    const h = img.naturalHeight;
    if (!w || !h) throw new Error('the picture has no size');
    if (Math.max(w, h) * 2 > MAX_CANVAS) {
      throw new Error(`This flow is ${h.toLocaleString('en-US')} px tall: too big for a PNG. Narrow it (a conversation, a query), or save it as SVG.`);
    }
    const canvas = el('canvas', { width: String(w * 2), height: String(h * 2) });
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser cannot draw the picture');
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0, w, h);
    const blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the picture could not be encoded'))), 'image/png'));
    return { name: svg.name.replace(/\.svg$/, '') + '.png', mime: 'image/png', bytes: new Uint8Array(await blob.arrayBuffer()) };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** An export that could not be made: said in the toast. @param {unknown} err */
function toastError(err) {
  report(err);
  toast(`Export: ${err instanceof Error ? err.message : String(err)}`);
}
