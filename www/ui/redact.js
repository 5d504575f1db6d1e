// @ts-check
// sipscope page, "Share a redacted copy" (the Export menu's last entry): the files on screen written again with
// every name, address and secret replaced by a stand-in, the same value always by the same one, so the copy still
// analyzes to the same flow. Before the download the dialog shows what will change, by category, with counts and
// the first renamings, and a switch per category to keep it as it is; each file's copy (or why it has none) and
// its first lines. The engine redacts (`redact`) in a worker of its own, terminated after: the copies and the
// mapping are made on this device and go nowhere but the user's downloads. The mapping is a separate file, only
// when asked for.

import { state } from './state.js';
import { ui, el, fill, saveFile } from './dom.js';
import { Engine, EngineError, report } from './engine.js';
import { formatBytes, plural } from './format.js';

/** @typedef {import('../types/view').Redaction} Redaction */
/** @typedef {import('../types/view').RedactCategory} RedactCategory */
/** @typedef {import('./engine.js').Source} Source */

// The engine holds the inputs, the copies and the table of stand-ins at once (about 3x the inputs in wasm
// memory): bigger inputs are for the command line tool.
const MAX_BYTES = 512 * 1024 * 1024;
// The first lines of a copy shown in the dialog.
const PREVIEW_BYTES = 6 * 1024;
const PREVIEW_LINES = 40;

/**
 * The dialog's redaction: the sources it is about, and the last copies made (kept to download them when the
 * switches have not changed since).
 * @type {{sources: Source[], made: {keep: string, mapping: boolean, value: Redaction} | null, running: Engine | null,
 *   categories: RedactCategory[]}}
 */
const current = { sources: [], made: null, running: null, categories: [] };

export function wireRedact() {
  ui.redactClose.addEventListener('click', () => ui.redact.close());
  ui.redact.addEventListener('close', () => {
    if (current.running) current.running.terminate();
    current.running = null;
    current.made = null;
    ui.exportButton.focus();
  });
  ui.redactDownload.addEventListener('click', () => download().catch((err) => failed(err)));
  ui.redactBody.addEventListener('change', (e) => {
    if (e.target instanceof HTMLInputElement && e.target.dataset.keep !== undefined) markKept();
  });
}

/** Open the dialog for the files on screen and find what a redaction changes. */
export async function openRedaction() {
  const shown = state.engines.shown;
  if (state.phase !== 'done' || !shown) return;
  current.sources = shown.sources;
  current.made = null;
  current.categories = [];
  const total = current.sources.reduce((n, s) => n + sourceBytes(s), 0);
  const count = current.sources.length;
  ui.redactSub.textContent = `${plural(count, 'file', 'files')}${total ? ` · ${formatBytes(total)}` : ''}`;
  fill(ui.redactCats);
  fill(ui.redactFiles);
  ui.redactTables.hidden = true;
  ui.redactDownload.disabled = true;
  ui.redactMapping.checked = false;
  ui.redact.showModal();
  if (total > MAX_BYTES) {
    status('error', `These files are ${formatBytes(total)}; this page makes redacted copies of up to ${formatBytes(MAX_BYTES)}. `,
      'Use the command line tool, which has no browser memory limit: ', el('code', { text: 'sipscope redact FILE… -o DIR' }), '.');
    return;
  }
  status('busy', `Finding what to replace in ${plural(count, 'file', 'files')}…`);
  try {
    const value = await run([], false, false);
    if (!value) return;
    current.made = { keep: '', mapping: false, value };
    current.categories = value.summary.categories;
    show(value);
  } catch (err) {
    failed(err);
  }
}

/** @param {Source} s */
function sourceBytes(s) {
  return s.kind === 'file' ? s.file.size : s.kind === 'bytes' ? s.bytes.length : 0;
}

/**
 * Redact the dialog's sources in a fresh engine (terminated after); null when the dialog was closed meanwhile.
 * @param {string[]} keep @param {boolean} mapping @param {boolean} zip
 * @returns {Promise<Redaction | null>}
 */
async function run(keep, mapping, zip) {
  const engine = new Engine();
  current.running = engine;
  try {
    return await engine.redact(current.sources, keep, mapping, zip);
  } catch (err) {
    if (err instanceof EngineError && err.closed) return null;
    throw err;
  } finally {
    if (current.running === engine) current.running = null;
    engine.terminate();
  }
}

/** The categories the switches keep, in the engine's order. */
function keptNames() {
  return Array.from(ui.redactCats.querySelectorAll('input[data-keep]'))
    .filter((i) => i instanceof HTMLInputElement && !i.checked)
    .map((i) => String(/** @type {HTMLInputElement} */ (i).dataset.keep));
}

/** Show what the redaction changes. @param {Redaction} r */
function show(r) {
  const { files, categories } = r.summary;
  const made = files.filter((f) => f.copy_size !== null).length;
  fill(ui.redactCats, ...categories.map((c) => {
    const id = `redact-keep-${c.name}`;
    return el('tr', { 'data-category': c.name, class: c.count ? '' : 'redact-none' },
      el('td', { class: 'redact-switch' }, el('input', {
        type: 'checkbox', id, 'data-keep': c.name, checked: true, disabled: c.count === 0,
        'aria-describedby': `${id}-what`,
      })),
      el('td', {}, el('label', { for: id, id: `${id}-what`, text: sentence(c.label) })),
      el('td', { class: 'redact-count', text: c.count.toLocaleString('en-US') }),
      el('td', { class: 'redact-examples' }, c.examples.length
        ? c.examples.map((e) => el('span', { class: 'redact-example', title: `${e.from} → ${e.to}` },
          el('span', { class: 'redact-from', text: e.from }), ' → ', el('span', { class: 'redact-to', text: e.to })))
        : el('span', { class: 'muted', text: 'none found' })));
  }));
  fill(ui.redactFiles, ...files.map((f, i) => {
    const copy = r.copies[i];
    return el('li', { class: f.refused ? 'redact-file redact-refused' : 'redact-file' },
      el('div', { class: 'redact-file-head' },
        el('span', { class: 'redact-file-name', text: f.name, title: f.name }),
        el('span', { class: 'muted', text: ` ${f.format} · ${formatBytes(f.size)}` }),
        f.refused ? null : el('span', { class: 'redact-arrow', 'aria-hidden': 'true', text: ' → ' }),
        f.refused ? null : el('span', { class: 'redact-file-name', text: f.copy_name }),
        f.refused || f.copy_size === null ? null : el('span', { class: 'muted', text: ` · ${formatBytes(f.copy_size)}` })),
      f.refused
        ? el('p', { class: 'redact-reason', text: `No copy: ${f.refused}. It is left out of the download.` })
        : null,
      f.left_out.length
        ? el('ul', { class: 'redact-left' }, f.left_out.map((l) => el('li', { text: `Left out of the copy: ${l}` })))
        : null,
      !f.refused && copy ? firstLines(f.copy_name, copy) : null);
  }));
  ui.redactTables.hidden = false;
  ui.redactDownload.disabled = made === 0;
  ui.redactDownload.textContent = made > 1 ? `Download ${made} redacted copies (.zip)` : 'Download the redacted copy';
  if (made === 0) status('error', 'None of these files can be redacted here: see why under each.');
  else status('ok', 'Every value ticked below is replaced by its stand-in in the copy. Untick a category to keep it as it is.');
  markKept();
}

/** `SIP URI users` → `SIP URI users`, `domains and host names` → `Domains and host names`. @param {string} s */
function sentence(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A copy's first lines, folded away (text only: a capture's copy is bytes). @param {string} name @param {Uint8Array} bytes */
function firstLines(name, bytes) {
  const head = bytes.subarray(0, PREVIEW_BYTES);
  const utf16 = head[0] === 0xff && head[1] === 0xfe ? 'utf-16le' : head[0] === 0xfe && head[1] === 0xff ? 'utf-16be' : '';
  const text = new TextDecoder(utf16 || 'utf-8').decode(head);
  const printable = text.replace(/[\t\r\n]/g, '').split('').filter((c) => c < ' ' || c === '\ufffd').length < text.length / 50;
  if (!printable) return null;
  const lines = text.split(/\r?\n/).slice(0, PREVIEW_LINES).join('\n');
  return el('details', { class: 'redact-preview' },
    el('summary', { text: `First lines of ${name}` }),
    el('pre', { text: lines }));
}

/** Tell which categories are kept (a kept row is marked, and the foot says what stays). */
function markKept() {
  const kept = keptNames();
  for (const row of ui.redactCats.querySelectorAll('tr[data-category]')) {
    row.classList.toggle('redact-kept', kept.includes(String(/** @type {HTMLElement} */ (row).dataset.category)));
  }
  const labels = current.categories.filter((c) => kept.includes(c.name)).map((c) => c.label);
  ui.redactKeptNote.hidden = labels.length === 0;
  ui.redactKeptNote.textContent = labels.length ? `Kept as they are in the copy: ${labels.join(', ')}.` : '';
}

/** Save the copies (made again when the switches changed), and the mapping when asked for. */
async function download() {
  const keep = keptNames();
  const mapping = ui.redactMapping.checked;
  const key = keep.join(',');
  let made = current.made;
  const several = made ? made.value.copies.filter(Boolean).length > 1 : current.sources.length > 1;
  if (!made || made.keep !== key || (mapping && !made.mapping) || (several && !made.value.zip)) {
    ui.redactDownload.disabled = true;
    status('busy', 'Writing the copies…');
    try {
      const value = await run(keep, mapping, true);
      if (!value) return;
      made = { keep: key, mapping, value };
      current.made = made;
    } finally {
      ui.redactDownload.disabled = false;
    }
  }
  const { summary, copies, zip } = made.value;
  let saved = 0;
  if (zip) {
    // Several copies: one download (a browser asks before a page saves many files at once).
    saveFile({ name: 'sipscope-redacted-copies.zip', mime: 'application/zip', bytes: zip });
    saved = copies.filter(Boolean).length;
  } else {
    summary.files.forEach((f, i) => {
      const bytes = copies[i];
      if (!bytes) return;
      saveFile({ name: f.copy_name, mime: 'application/octet-stream', bytes });
      saved += 1;
    });
  }
  if (mapping && made.value.mapping !== null) {
    const first = summary.files[0] ? summary.files[0].copy_name.replace(/-redacted(\..*)?$/, '') : 'sipscope';
    saveFile({ name: `${first}-redaction-mapping.tsv`, mime: 'text/tab-separated-values', bytes: new TextEncoder().encode(made.value.mapping) });
  }
  status('ok', `Saved ${plural(saved, 'redacted copy', 'redacted copies')}${mapping ? ' and the mapping (keep it to yourself: it undoes the redaction)' : ''}.`);
}

/**
 * The dialog's status line.
 * @param {'busy' | 'ok' | 'error'} kind
 * @param {...(string | Node)} parts
 */
function status(kind, ...parts) {
  ui.redactStatus.className = `redact-status redact-${kind}`;
  fill(ui.redactStatus, ...parts);
}

/** A redaction that failed: said in the dialog. @param {unknown} err */
function failed(err) {
  report(err);
  status('error', `The copy could not be made: ${err instanceof Error ? err.message : String(err)}`);
}
