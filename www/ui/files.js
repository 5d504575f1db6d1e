// @ts-check
// sipscope page, files and clocks view: the top bar's files (archive members under their archive), the files
// panel (each file's format, size, messages and clock offset, adjustable by hand) and the one-line clock note
// above the ladder when several files are merged. Format names and offsets are the engine's text. Applying an
// offset is app.js's job: the panel asks for it with a 'sipscope:clock' event ({file, ms}; ms null = estimate).

import { state, summary, fileName } from './state.js';
import { ui, el, fill, fillList } from './dom.js';
import { formatBytes, plural, count } from './format.js';

/** @typedef {import('../types/view').FileRow} FileRow */
/** @typedef {import('../types/view').FileClockRow} FileClockRow */
/** @typedef {{file: number, ms: number | null}} ClockRequest */

/** @param {FileRow} f */
function isArchive(f) {
  return f.format === 'gzip' || f.format === 'zip';
}

/** @param {number | null | undefined} i @returns {i is number} */
function isIndex(i) {
  return typeof i === 'number' && Number.isInteger(i);
}

/** An archive member's name without its archive's ("logs.zip/Tracing/a.log" → "Tracing/a.log"). @param {FileRow} f @param {FileRow[]} files */
function memberName(f, files) {
  const box = isIndex(f.container) ? files[f.container] : null;
  if (box && f.name.startsWith(`${box.name}/`)) return f.name.slice(box.name.length + 1);
  return f.name;
}

/** Archives first, each followed by its members; other files in their order. @param {FileRow[]} files */
function fileOrder(files) {
  /** @type {number[]} */
  const order = [];
  const seen = new Set();
  /** @param {number} i */
  const add = (i) => {
    if (seen.has(i)) return;
    seen.add(i);
    order.push(i);
    files.forEach((f, j) => { if (f.container === i) add(j); });
  };
  files.forEach((f, i) => { if (!isIndex(f.container) || !files[f.container]) add(i); });
  files.forEach((_, i) => add(i));
  return order;
}

/** @param {FileRow} f @param {FileRow[]} files @param {boolean} short without the size */
function fileMeta(f, files, short) {
  const meta = [f.format_name];
  if (!short) meta.push(formatBytes(f.bytes));
  if (isArchive(f)) meta.push(plural(files.filter((g) => g.container === files.indexOf(f)).length, 'file'));
  else meta.push(plural(f.messages, 'msg', 'msgs'));
  return meta;
}

function clockMap() {
  /** @type {Map<number, FileClockRow>} */
  const map = new Map();
  for (const c of summary().clocks) map.set(c.file, c);
  return map;
}

/** Files whose clock matters: those with messages (not archives, not empty files). */
function timedFiles() {
  /** @type {number[]} */
  const out = [];
  const clocks = clockMap();
  // A capture of TLS only has no message of its own, but its clock was found from its records.
  summary().files.forEach((f, i) => { if (!isArchive(f) && (f.messages > 0 || clocks.get(i)?.source === 'tls-records')) out.push(i); });
  return out;
}

/** @param {FileClockRow | undefined} c */
function clockText(c) {
  if (!c) return 'unknown';
  switch (c.source) {
    case 'reference': return 'reference clock: the other files are aligned to it';
    case 'estimated': return `${c.offset_text}, estimated from ${plural(c.shared, 'shared message')}`;
    case 'manual': return `${c.offset_text}, set by hand`;
    case 'tls-records': return `${c.offset_text}, estimated from ${plural(c.shared, 'message')} of the client log matched to its TLS records`;
    default: return `${c.offset_text}: not known (no message shared with another file); set it by hand`;
  }
}

/** Fill the top bar's file list from the summary on screen: one chip per file, archive members after their archive. */
export function renderFiles() {
  const files = summary().files;
  const clocks = clockMap();
  const timed = timedFiles();
  fillList(ui.files, fileOrder(files).map((i) => {
    const f = files[i];
    const member = isIndex(f.container);
    const clock = clocks.get(i);
    const clockLine = clock && timed.length > 1 && timed.includes(i) ? `\nclock: ${clockText(clock)}` : '';
    const btn = el('button', {
      type: 'button', class: 'file-open', 'data-file': String(i), 'aria-haspopup': 'dialog', 'aria-controls': 'files-panel',
      'aria-expanded': ui.filesPanel.hidden ? 'false' : 'true',
      title: `${f.name}\n${fileMeta(f, files, false).join(' · ')}${clockLine}\nClick for details${timed.length > 1 ? ' and clock offsets' : ''}`,
    },
    el('span', { class: 'file-name' }, member ? el('span', { class: 'file-in', 'aria-hidden': 'true', text: '↳ ' }) : null, member ? memberName(f, files) : f.name),
    // Several files: the size goes to the tooltip and the panel, so that names and counts fit.
    el('span', { class: 'file-meta', text: fileMeta(f, files, files.length > 2).join(' · ') }));
    btn.addEventListener('click', () => toggleFilesPanel(i, btn));
    return el('li', { class: `file-chip ins-chip${member ? ' file-member' : ''}${isArchive(f) ? ' file-archive' : ''}${files.length > 2 ? ' is-compact' : ''}` }, btn);
  }));
}

/** The clock note above the ladder (only when several files with messages are merged). */
export function renderClockStrip() {
  const s = summary();
  const timed = timedFiles();
  if (timed.length < 2) {
    ui.clockStrip.hidden = true;
    ui.clockStrip.replaceChildren();
    return;
  }
  const clocks = clockMap();
  const files = s.files;
  const ref = timed.find((i) => clocks.get(i)?.source === 'reference');
  const others = timed.filter((i) => i !== ref);
  const sources = new Set(others.map((i) => clocks.get(i)?.source || 'unknown'));
  const items = others.map((i) => {
    const c = clocks.get(i);
    const source = c ? c.source : 'unknown';
    return el('span', { class: `cs-item cs-${source}`, title: `${files[i].name}: ${clockText(c)}` },
      el('span', { class: 'cs-file', text: memberName(files[i], files) }), ' ',
      el('strong', { text: c ? c.offset_text : '?' }),
      source === 'manual' ? el('span', { class: 'cs-how', text: ' (set by hand)' }) : null,
      source === 'unknown' ? el('span', { class: 'cs-how', text: ' (not known: no shared message)' }) : null,
      source === 'tls-records' ? el('span', { class: 'cs-how', text: ' (from its TLS records)' }) : null);
  });
  // The whole story on hover: which clock is the reference and how each offset was found.
  const story = [ref !== undefined ? `Times are on ${files[ref].name}'s clock.` : 'No file is the reference.'];
  for (const i of others) story.push(`${files[i].name}: ${clockText(clocks.get(i))}.`);
  if (s.shared_messages) story.push(`${plural(s.shared_messages, 'message')} seen in two files ${s.shared_messages === 1 ? 'is' : 'are'} drawn once.`);
  const adjust = el('button', { type: 'button', class: 'btn btn-small', text: 'Adjust clocks…', 'aria-controls': 'files-panel', 'aria-haspopup': 'dialog' });
  adjust.addEventListener('click', () => toggleFilesPanel(others[0] ?? timed[0], adjust));
  ui.clockStrip.replaceChildren(el('span', { class: 'cs-text', title: story.join('\n') },
    el('span', { class: 'cs-lead', text: 'Clocks:' }), ' ',
    items.flatMap((x, k) => (k ? [el('span', { class: 'cs-sep', 'aria-hidden': 'true', text: ' · ' }), x] : [x])),
    sources.size === 1 && sources.has('estimated') ? el('span', { class: 'cs-how', text: ' (estimated)' }) : null), adjust);
  ui.clockStrip.hidden = false;
}

/** @param {number} file @param {HTMLElement} opener */
function toggleFilesPanel(file, opener) {
  if (!ui.filesPanel.hidden && state.filesPanel.file === file) {
    closeFilesPanel(true);
    return;
  }
  state.filesPanel.file = file;
  state.filesPanel.opener = opener;
  renderFilesPanel();
  ui.filesPanel.hidden = false;
  placeFilesPanel();
  for (const b of ui.files.querySelectorAll('.file-open')) b.setAttribute('aria-expanded', 'true');
  focusFileRow(file);
}

/** Focus the offset input of `file` (or its row). @param {number} file */
export function focusFileRow(file) {
  const row = ui.filesPanel.querySelector(`[data-file-row="${file}"]`);
  const target = row?.querySelector('input') || row || ui.filesPanel;
  if (target instanceof HTMLElement) target.focus({ preventScroll: true });
}

/** Close the files panel. @param {boolean} restoreFocus give focus back to what opened it */
export function closeFilesPanel(restoreFocus) {
  if (ui.filesPanel.hidden) return;
  ui.filesPanel.hidden = true;
  for (const b of ui.files.querySelectorAll('.file-open')) b.setAttribute('aria-expanded', 'false');
  const opener = state.filesPanel.opener;
  if (restoreFocus && opener && opener.isConnected) opener.focus({ preventScroll: true });
  else if (restoreFocus) /** @type {HTMLElement | null} */ (ui.files.querySelector('.file-open'))?.focus({ preventScroll: true });
}

function placeFilesPanel() {
  const bar = ui.files.getBoundingClientRect();
  const width = Math.min(980, window.innerWidth - 24);
  const left = Math.max(12, Math.min(bar.left, window.innerWidth - width - 12));
  ui.filesPanel.style.left = `${left}px`;
  ui.filesPanel.style.width = `${width}px`;
}

/** Draw the files panel (when open) from the summary on screen. */
export function renderFilesPanel() {
  const s = summary();
  const files = s.files;
  const clocks = clockMap();
  const timed = timedFiles();
  const several = timed.length > 1;
  const total = files.filter((f) => !isArchive(f)).reduce((n, f) => n + f.messages, 0);
  const shared = s.shared_messages ? `; ${plural(s.shared_messages, 'message')} seen in two files drawn once` : '';
  const head = el('div', { class: 'fp-head' },
    el('h2', { id: 'files-panel-title', text: files.length === 1 ? 'File' : `Files (${files.length})` }),
    el('span', { class: 'muted', text: `${plural(total, 'message')} read on this device${shared}` }),
    el('span', { class: 'spacer' }),
    el('button', { type: 'button', class: 'btn btn-small', text: 'Close', title: 'Close (Esc)', onclick: () => closeFilesPanel(true) }));
  const rows = fileOrder(files).map((i) => {
    const f = files[i];
    const member = isIndex(f.container);
    const box = isIndex(f.container) ? files[f.container] : undefined;
    return el('tr', { 'data-file-row': String(i), class: member ? 'fp-member' : null, tabindex: '-1' },
      el('th', { scope: 'row', class: 'fp-name', title: f.name },
        member ? el('span', { class: 'file-in', 'aria-hidden': 'true', text: '↳ ' }) : null,
        member ? memberName(f, files) : f.name,
        member ? el('span', { class: 'fp-in', text: ` in ${box ? box.name : 'archive'}` }) : null),
      el('td', { text: f.format_name }),
      el('td', { class: 'num', text: formatBytes(f.bytes) }),
      el('td', { class: 'num', text: isArchive(f) ? '—' : count(f.messages) }),
      several ? el('td', { class: 'fp-clock' }, timed.includes(i) ? clockCell(i, clocks.get(i))
        : el('span', { class: 'muted', text: isArchive(f) ? 'archive: see the files inside' : 'no messages' })) : null);
  });
  const table = el('table', { class: 'fp-table' },
    el('thead', null, el('tr', null,
      el('th', { scope: 'col', text: 'File' }),
      el('th', { scope: 'col', text: 'Format' }),
      el('th', { scope: 'col', class: 'num', text: 'Size' }),
      el('th', { scope: 'col', class: 'num', text: 'Messages' }),
      several ? el('th', { scope: 'col', class: 'fp-clock-col', text: 'Clock offset' }) : null)),
    el('tbody', null, rows));
  fill(ui.filesPanel, head, el('div', { class: 'fp-scroll' }, table),
    several ? el('p', { class: 'fp-note' },
      'Times in the flow are on the reference file\'s clock; the other files\' times are shifted by their offset. ',
      'The offset is estimated from messages seen in two files (for a capture of TLS only, from its records matched to the messages of a client log). If two logs share no message, or the estimate is wrong, set it here: ',
      el('kbd', { text: '+9:00:00' }), ', ', el('kbd', { text: '32400000' }), ' (ms) or ', el('kbd', { text: '9 h 0 min 0.011 s' }), '.') : null,
    state.insights.merging ? el('p', { class: 'fp-status', role: 'status', text: 'Merging the files again…' }) : null);
}

/** @param {number} i @param {FileClockRow | undefined} c */
function clockCell(i, c) {
  const out = [el('span', { class: `fp-offset fp-${c ? c.source : 'unknown'}`, text: clockText(c) })];
  if (c && c.source === 'reference') return out;
  const merging = state.insights.merging;
  const input = el('input', {
    id: `clock-input-${i}`, type: 'text', class: 'fp-input', inputmode: 'text', autocomplete: 'off', spellcheck: 'false',
    value: c ? c.offset_text : '0 s', 'aria-label': `Clock offset of ${fileName(i)} (milliseconds or h:m:s)`, disabled: merging,
  });
  const error = el('span', { class: 'fp-error', role: 'alert' });
  const apply = el('button', { type: 'button', class: 'btn btn-small btn-primary', text: 'Apply', disabled: merging });
  const reset = el('button', {
    type: 'button', class: 'btn btn-small', text: 'Reset to estimate', disabled: merging || !c || c.source !== 'manual',
    title: 'Go back to the offset estimated from shared messages',
  });
  const go = () => {
    const ms = parseOffset(input.value);
    if (ms === null) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = 'Write milliseconds (32400000) or h:m:s (+9:00:00.011).';
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    error.textContent = '';
    requestClock(i, ms);
  };
  apply.addEventListener('click', go);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      go();
    }
  });
  reset.addEventListener('click', () => requestClock(i, null));
  out.push(el('span', { class: 'fp-adjust' }, input, apply, reset, error));
  return out;
}

/** @param {number} file @param {number | null} ms */
function requestClock(file, ms) {
  if (state.insights.merging) return;
  document.dispatchEvent(new CustomEvent('sipscope:clock', { detail: /** @type {ClockRequest} */ ({ file, ms }) }));
}

/**
 * What a person types for an offset: milliseconds ("32400000", "-500 ms"), h:m[:s[.fff]] ("+9:00", "9:00:00.011",
 * "-0:00:02.5") or units, as the engine writes them ("+9 h 0 min 0.011 s", "2 s", "-30 min"). null when it is
 * none of them.
 * @param {string} text
 * @returns {number | null}
 */
export function parseOffset(text) {
  const s = String(text || '').trim().replace(/−/g, '-').replace(/\s+/g, ' ');
  if (!s) return null;
  let m = /^([+-])? ?(\d{1,12}) ?(?:ms)?$/i.exec(s);
  if (m) return (m[1] === '-' ? -1 : 1) * Number(m[2]);
  m = /^([+-])? ?(\d{1,4}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,3}))?)?$/.exec(s);
  if (m) {
    if (Number(m[3]) > 59 || Number(m[4] || 0) > 59) return null;
    const ms = Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000 + Number(m[4] || 0) * 1000 + Number((m[5] || '').padEnd(3, '0') || 0);
    return (m[1] === '-' ? -1 : 1) * ms;
  }
  m = /^([+-])? ?(?:(\d{1,4}) ?h(?:ours?)?)? ?(?:(\d{1,6}) ?m(?:in)?)? ?(?:(\d{1,9}(?:\.\d{1,3})?) ?s(?:ec)?)? ?(?:(\d{1,9}) ?ms)?$/i.exec(s);
  if (m && (m[2] || m[3] || m[4] || m[5])) {
    const ms = Number(m[2] || 0) * 3_600_000 + Number(m[3] || 0) * 60_000 + Math.round(Number(m[4] || 0) * 1000) + Number(m[5] || 0);
    return (m[1] === '-' ? -1 : 1) * ms;
  }
  return null;
}

/** The files panel's own events (it closes on a click elsewhere, on Esc, and when another analysis starts). */
export function wireFiles() {
  document.addEventListener('mousedown', (e) => {
    if (ui.filesPanel.hidden || !(e.target instanceof Node)) return;
    if (ui.filesPanel.contains(e.target) || ui.files.contains(e.target) || ui.clockStrip.contains(e.target)) return;
    closeFilesPanel(false);
  });
  // Esc closes the panel wherever the focus is: after a merge the panel is drawn again, and the focus can be
  // on the page for a moment before it comes back to the file's row.
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || ui.filesPanel.hidden || e.defaultPrevented) return;
    if (e.target instanceof Element && e.target.closest('dialog[open]')) return;
    e.preventDefault();
    closeFilesPanel(true);
  });
  window.addEventListener('resize', () => { if (!ui.filesPanel.hidden) placeFilesPanel(); });
}
