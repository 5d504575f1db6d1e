// @ts-check
// sipscope page, drop and progress: how an analysis starts (a dropped or chosen file, the sample, pasted text),
// the reading view (progress, time left, Cancel, a preview of the first messages), inputs too big for a tab, and
// the error card. The page's phases (idle, analyzing, done, error) are set here. A finished analysis is handed to
// app.js with a 'sipscope:analyzed' event (detail: worker.js's 'done' message).

import { state } from './state.js';
import { ui, el, closest } from './dom.js';
import { formatBytes, plural, durationText } from './format.js';
import { takeEngine, warmSpare } from './engine.js';
import { parseSvg } from './trusted.js';
import { renderFiles, closeFilesPanel } from './files.js';
import { crashTitle, crashDetails, copyText, hideCrashBanner } from './crash.js';

/** @typedef {import('./engine.js').Source} Source */
/** @typedef {import('./engine.js').Failure} Failure */
/** @typedef {(string | {code: string})[]} Hint  text, or {code} for a command */

// The largest input (all dropped files together) the page reads. The engine keeps where each message is and
// reads its text back from the file when shown (about 0.35x the input in wasm memory, plus the page's own
// ~100 MB; text the engine had to rebuild, such as a capture's TCP streams, is kept), and a tab that runs out of
// memory just dies, so bigger inputs are refused up front with a hint (split the log, or use the command line
// tool). 2 GiB, or less where the browser says the device has little memory (navigator.deviceMemory, in GB:
// 512 MiB per GB). For tests and for machines known to have the memory: `index.html?max-bytes=N`.
const GIB = 1024 * 1024 * 1024;
const DEFAULT_MAX_BYTES = (() => {
  const gb = Number(Reflect.get(navigator, 'deviceMemory'));
  return Number.isFinite(gb) && gb > 0 ? Math.max(GIB / 4, Math.min(2 * GIB, gb * GIB / 2)) : 2 * GIB;
})();
const MAX_BYTES = (() => {
  const v = new URLSearchParams(location.search).get('max-bytes');
  return v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : DEFAULT_MAX_BYTES;
})();
// The most files one analysis reads: every file is a lifeline source, a chip in the top bar and a row of the
// files panel, and merging compares files pairwise, so a drop of a whole disk's worth of files is refused with a
// message instead of freezing the tab. (Members of a .zip count as the engine finds them, not here.)
export const MAX_FILES = 200;
// Messages drawn in the preview while a log is read: what fills the pane, at most 200. (Each row costs main-thread
// time to parse, check and lay out: 200 rows took about 100 ms on a 2-core machine, a screenful 20 ms.)
const PREVIEW_ROWS = Math.max(30, Math.min(200, Math.ceil(window.innerHeight / 28) + 10));

const CLI_HINT = ['Or use the command line tool, which reads the file in chunks with no browser memory limit: ',
  { code: 'sipscope --summary FILE' }, ' for the counts, or ', { code: 'sipscope --json FILE' },
  ' for everything (see the README).'];
const SPLIT_HINT = ['Split the log: open the client\'s rotated files (', { code: 'Lync-UccApi-0.UccApilog' }, ', ',
  { code: 'Lync-UccApi-1.UccApilog' }, ', …) one at a time, or cut out the time window of the problem with a text '
  + 'editor and open that.'];

/** Show the page in `phase`. @param {import('./state.js').Phase} phase */
export function setPhase(phase) {
  state.phase = phase;
  ui.body.dataset.state = phase;
  ui.app.dataset.state = phase;
  if (phase !== 'done') {
    delete ui.body.dataset.messageCount;
    delete ui.app.dataset.messageCount;
    closeFilesPanel(false); // it is about the files on screen
  } else if (state.summary) {
    ui.body.dataset.messageCount = String(state.summary.message_count);
    ui.app.dataset.messageCount = ui.body.dataset.messageCount;
  }
  ui.reading.hidden = phase !== 'analyzing';
  ui.error.hidden = phase !== 'error';
  ui.empty.hidden = phase !== 'idle';
  // While analyzing, the previous workspace (if any) stays as it is under the reading view: Cancel shows it again.
  if (phase === 'idle' || phase === 'error') ui.workspace.hidden = true;
  if (phase === 'done') ui.workspace.hidden = false;
  const busy = phase === 'analyzing';
  for (const b of [ui.openSample, ui.openFile, ui.emptyOpenSample, ui.emptyOpenFile]) b.disabled = busy;
  ui.search.disabled = phase !== 'done';
}

/** A short notice ("Cancelled") that goes away by itself. @param {string} text */
export function toast(text) {
  clearTimeout(state.toastTimer);
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  state.toastTimer = window.setTimeout(() => { ui.toast.hidden = true; }, 4000);
}

/** A source's display name: a part of a file carries its own ("trace.log (last 512 MB)"). @param {Source} s */
function sourceName(s) {
  if (s.kind === 'file') return s.name || s.file.name || 'file';
  return s.kind === 'sample' ? 'sample.uccapilog' : s.name;
}

/**
 * Read and analyze `sources` in a fresh engine.
 * @param {Source[]} sources
 * @param {string} label what the reading view calls them
 * @param {number} totalBytes
 */
function analyze(sources, label, totalBytes) {
  if (!sources.length) return;
  // Refused inputs stop a reading under way too: what is on screen afterwards is about what was chosen last.
  if ((sources.length > MAX_FILES || totalBytes > MAX_BYTES) && state.engines.job) cancelAnalysis(true);
  if (sources.length > MAX_FILES) {
    refuseTooMany(sources.length, totalBytes);
    return;
  }
  if (totalBytes > MAX_BYTES) {
    refuseTooBig(sources, totalBytes);
    return;
  }
  const { engines, reading } = state;
  if (engines.job) cancelAnalysis(true);
  state.job += 1;
  const job = state.job;
  // Keep the analysis on screen (for Cancel) only while both fit in memory together.
  if (engines.shown && engines.shown.bytes + totalBytes > MAX_BYTES) dropShown();
  const engine = takeEngine();
  engines.job = engine;
  reading.label = label;
  reading.total = totalBytes;
  reading.startedAt = performance.now();
  reading.previewShown = false;
  performance.clearMarks('sipscope:start');
  performance.mark('sipscope:start');

  ui.progressLabel.textContent = `Reading ${label}`;
  ui.progressBar.removeAttribute('value');
  ui.progressPercent.textContent = '';
  ui.progressDetail.textContent = totalBytes ? `${formatBytes(totalBytes)} · on this device` : 'On this device';
  ui.preview.querySelector('svg')?.remove();
  ui.previewWait.hidden = false;
  ui.previewCaption.textContent = '';
  ui.cancel.disabled = false;
  ui.files.replaceChildren(...sources.map((s) => {
    const name = sourceName(s);
    const size = s.kind === 'file' ? s.file.size : s.kind === 'bytes' ? s.bytes.length : 0;
    return el('li', { class: 'file-chip', title: name },
      el('span', { class: 'file-name', text: name }),
      el('span', { class: 'file-meta', text: `${size ? `${formatBytes(size)} · ` : ''}reading…` }));
  }));
  setPhase('analyzing');

  /** @template T @param {(m: T) => void} fn @returns {(m: T) => void} */
  const mine = (fn) => (m) => { if (engines.job === engine && state.job === job) fn(m); };
  engine.analyze(sources, totalBytes, job, PREVIEW_ROWS, {
    progress: mine(showProgress),
    preview: mine(showPreview),
    done: mine((m) => {
      engines.job = null;
      if (engines.shown) engines.shown.terminate();
      engines.shown = engine;
      hideCrashBanner(); // about the analysis replaced
      document.dispatchEvent(new CustomEvent('sipscope:analyzed', { detail: m }));
      setTimeout(warmSpare, 500);
    }),
    error: mine((m) => {
      engines.job = null;
      engine.terminate();
      analysisFailed(m);
      warmSpare();
    }),
  });
}

/** What the engine's steps after reading are called on the reading view. @type {Record<string, {label: string, detail: string}>} */
const FINISH_STEPS = {
  merging: { label: 'Merging', detail: 'clocks and one timeline' },
  correlating: { label: 'Correlating', detail: 'transactions, conversations, subscriptions' },
  endpoints: { label: 'Placing', detail: 'endpoints the log does not name' },
  diagnostics: { label: 'Checking', detail: 'diagnostics in file order' },
  ladder: { label: 'Drawing', detail: 'lifelines and the ladder' },
};

/** @param {import('./engine.js').Progress} m */
function showProgress(m) {
  const { total, bytes, messages } = m;
  const parts = [];
  if (m.phase === 'correlating') {
    const step = FINISH_STEPS[m.step || 'merging'] || FINISH_STEPS.merging;
    ui.progressLabel.textContent = `${step.label} ${plural(messages, 'message')}`;
    const { stepDone = 0, stepTotal = 0 } = m;
    if (m.step === 'correlating' && stepTotal > 0) {
      ui.progressBar.max = stepTotal;
      ui.progressBar.value = stepDone;
      ui.progressPercent.textContent = `${Math.floor((100 * stepDone) / stepTotal)}%`;
    } else {
      ui.progressBar.removeAttribute('value'); // a step without a count of its own
      ui.progressPercent.textContent = '';
    }
    parts.push(`${formatBytes(bytes)} read`, step.detail);
  } else {
    ui.progressLabel.textContent = `Reading ${state.reading.label}`;
    if (total > 0) {
      ui.progressBar.max = total;
      ui.progressBar.value = bytes;
      ui.progressPercent.textContent = `${Math.floor((100 * bytes) / total)}%`;
      parts.push(`${formatBytes(bytes)} of ${formatBytes(total)}`);
    } else {
      parts.push(formatBytes(bytes));
    }
    parts.push(plural(messages, 'message'));
    const elapsed = performance.now() - state.reading.startedAt;
    if (total > bytes && bytes > 0 && elapsed > 1500) {
      const left = ((total - bytes) * elapsed) / bytes;
      if (left > 1500) parts.push(`about ${durationText(Math.round(left / 1000) * 1000)} left`);
    }
  }
  ui.progressDetail.textContent = parts.join(' · ');
  ui.progress.dataset.step = m.phase === 'correlating' ? m.step || 'merging' : 'reading';
  ui.progress.dataset.messages = String(messages);
  ui.progress.dataset.bytes = String(bytes);
}

// The engine's preview: a standalone SVG of the first messages. It is only a picture: its <style> (which the
// page's CSP would refuse) is dropped, the page's CSS styles the classes, and the arrows lose their message index,
// tab stop and role.
/** @param {import('./engine.js').Preview} m */
function showPreview(m) {
  let svg;
  try {
    // Drop the <style> before parsing: even in a DOMParser document, the page's CSP refuses it (and says so in
    // the console). The engine escapes all log text, so "<style" only ever starts its own stylesheet.
    svg = parseSvg(String(m.svg).replace(/<style[^>]*>[^<]*<\/style>/g, ''));
  } catch {
    return; // the full ladder comes soon anyway
  }
  for (const a of svg.querySelectorAll('[data-msg]')) {
    for (const attr of ['data-msg', 'tabindex', 'role', 'aria-label']) a.removeAttribute(attr);
    a.classList.add('preview-row');
  }
  svg.classList.add('preview-svg');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  ui.preview.querySelector('svg')?.remove();
  ui.previewWait.hidden = true;
  ui.preview.append(svg);
  ui.previewCaption.textContent = `first ${plural(m.messages, 'message')} (not interactive yet)`;
  if (!state.reading.previewShown) {
    state.reading.previewShown = true;
    performance.mark('sipscope:preview');
  }
}

/** Back to the analysis on screen before, if any, else to the start. */
function backToShown() {
  if (state.engines.shown && state.summary) {
    renderFiles();
    setPhase('done');
  } else {
    dropShown();
    ui.files.replaceChildren();
    setPhase('idle');
  }
}

/** Stop the analysis being read. @param {boolean} [quiet] without going back and saying so */
export function cancelAnalysis(quiet = false) {
  const engine = state.engines.job;
  if (!engine) return;
  state.engines.job = null;
  engine.terminate();
  state.job += 1; // anything still arriving for the cancelled job is ignored
  warmSpare();
  if (quiet) return;
  backToShown();
  toast(`Cancelled: ${state.reading.label} was not analyzed.`);
}

/** Forget the analysis on screen (its worker and memory). */
function dropShown() {
  hideCrashBanner();
  if (state.engines.shown) state.engines.shown.terminate();
  state.engines.shown = null;
  state.summary = null;
  ui.workspace.hidden = true;
}

/** @param {Source[]} sources @param {number} totalBytes */
function refuseTooBig(sources, totalBytes) {
  const first = sources[0];
  const single = sources.length === 1 && first.kind === 'file' ? first.file : null;
  const what = single ? sourceName(first) : `These ${sources.length} files`;
  // One file: offer to analyze its end (where the problem a log was taken for usually is) or its start, as much
  // as fits. The cut falls mid-line: the importers say so and start at the next whole message.
  const actions = [];
  if (single) {
    /** @param {string} which @param {number} start */
    const part = (which, start) => () => {
      const end = Math.min(single.size, start + MAX_BYTES);
      const name = `${single.name} (${which} ${formatBytes(end - start)})`;
      analyze([{ kind: 'file', file: single.slice(start, end), name }], name, end - start);
    };
    // An even offset keeps a UTF-16 log's characters whole.
    const lastStart = single.size - MAX_BYTES + ((single.size - MAX_BYTES) % 2);
    actions.push({ text: `Analyze the last ${formatBytes(MAX_BYTES)}`, primary: true, run: part('last', lastStart) });
    actions.push({ text: `Analyze the first ${formatBytes(MAX_BYTES)}`, run: part('first', 0) });
  }
  showError({
    title: 'This log is too big to analyze in the browser',
    message: `${what} ${sources.length === 1 ? 'is' : 'are'} ${formatBytes(totalBytes)}; this page analyzes up to `
      + `${formatBytes(MAX_BYTES)} at a time on this device, because a tab that runs out of memory crashes. `
      + 'Nothing was read.',
    hints: [SPLIT_HINT, CLI_HINT],
    note: 'Nothing was uploaded.',
    back: true,
    actions,
  });
}

/** @param {number} count @param {number} totalBytes */
function refuseTooMany(count, totalBytes) {
  showError({
    title: 'Too many files at once',
    message: `You chose ${count} files (${formatBytes(totalBytes)}); this page analyzes up to ${MAX_FILES} files at a time. `
      + 'Nothing was read.',
    hints: [['Pick the logs of the time and the people of the problem, for example one client\'s ',
      { code: 'Tracing' }, ' folder, and open those.'], CLI_HINT],
    note: 'Nothing was uploaded.',
    back: true,
  });
}

/** @param {Failure} m */
function analysisFailed(m) {
  const where = m.file ? ` while reading ${m.file}${m.bytes ? ` at ${formatBytes(m.bytes)}` : ''}` : '';
  const crash = m.crash || null;
  const details = crash ? crashDetails(crash) : undefined;
  const copy = details
    ? [{ text: 'Copy technical details', run: () => { copyText(details, ui.errorActions.querySelector('button') || ui.errorBack, ui.errorDetails); } }]
    : [];
  if (m.kind === 'memory') {
    showError({
      title: 'The browser ran out of memory',
      message: `The analysis stopped${where}: the tab could not get more memory (${m.message}). Your log was not sent anywhere.`,
      hints: [['Close other tabs and try again.'], SPLIT_HINT, CLI_HINT],
      note: '',
      back: true,
      actions: copy,
      details,
    });
  } else if (m.kind === 'panic' && crash) {
    showError({
      title: crashTitle(crash),
      message: `An internal error in sipscope stopped the analysis${where}. This is a bug in sipscope, not a problem with `
        + 'your log; the technical details help fix it. Your log was not sent anywhere.',
      hints: [['Open the file again, or another file: each analysis starts a fresh engine.'], CLI_HINT],
      note: 'The technical details name no message, no file and no text from the log.',
      back: true,
      actions: copy,
      details,
    });
  } else if (m.kind === 'read') {
    showError({
      title: 'The file could not be read',
      message: m.message,
      hints: [['Was the file changed, moved or deleted after it was chosen (a log still being written, say)? '
        + 'Choose it again. A folder cannot be opened: open the files in it.']],
      note: 'Nothing was uploaded.',
      back: true,
    });
  } else {
    showError({ message: m.message || 'Unknown error.', back: true });
  }
}

/**
 * The error card: a title, what happened, optional hints, actions and technical details, and a button back to
 * what was on screen before (or to the start).
 * @param {{title?: string, message: string, hints?: Hint[], note?: string, back?: boolean,
 *   actions?: {text: string, primary?: boolean, run: () => void}[], details?: string}} o
 */
export function showError(o) {
  ui.errorDetails.textContent = o.details || '';
  ui.errorDetailsBox.hidden = !o.details;
  ui.errorDetailsBox.open = false;
  ui.errorTitle.textContent = o.title || 'Could not analyze this input';
  ui.errorMessage.textContent = o.message || 'Unknown error.';
  const hints = o.hints || [];
  ui.errorHints.replaceChildren(...hints.map((h) => el('li', null,
    h.map((part) => (typeof part === 'string' ? part : el('code', { text: part.code }))))));
  ui.errorMessage.classList.toggle('plain', !!o.title); // engine errors stay in monospace
  ui.errorHints.hidden = !hints.length;
  if (o.note !== undefined) {
    ui.errorNote.textContent = o.note;
    ui.errorNote.hidden = !o.note;
  } else {
    ui.errorNote.hidden = false;
    ui.errorNote.replaceChildren('Try a Skype for Business client log (', el('code', { text: '.UccApilog' }), ') or plain SIP text. Nothing was uploaded.');
  }
  const actions = o.actions || [];
  ui.errorActions.replaceChildren(...actions.map((a) => el('button', { type: 'button', class: a.primary ? 'btn btn-primary' : 'btn', text: a.text, onclick: a.run })));
  ui.errorActions.hidden = !actions.length;
  const canGoBack = !!(o.back && state.engines.shown && state.summary);
  ui.errorBack.textContent = canGoBack ? 'Back' : 'Start over';
  ui.errorBack.dataset.back = canGoBack ? 'true' : 'false';
  if (!canGoBack) ui.files.replaceChildren();
  setPhase('error');
  ui.errorBack.focus({ preventScroll: true });
}

/** @param {FileList | File[] | null | undefined} list */
function analyzeFiles(list) {
  const files = Array.from(list || []);
  if (!files.length) return;
  const total = files.reduce((n, f) => n + f.size, 0);
  analyze(files.map((file) => ({ kind: 'file', file })), files.length === 1 ? files[0].name : `${files.length} files`, total);
}

function analyzeSample() {
  analyze([{ kind: 'sample' }], 'the sample log', 0);
}

function analyzePaste() {
  const text = ui.pasteText.value;
  if (!text.trim()) {
    ui.pasteText.focus();
    ui.pasteText.setAttribute('aria-invalid', 'true');
    return;
  }
  ui.pasteText.removeAttribute('aria-invalid');
  const bytes = new TextEncoder().encode(text);
  analyze([{ kind: 'bytes', name: 'pasted text', bytes }], 'pasted text', bytes.length);
}

export function openFileDialog() {
  ui.fileInput.value = '';
  ui.fileInput.click();
}

/** The ways in: buttons, the file input, the drop zone, pasted text, files dropped anywhere; Cancel and Back. */
export function wireDrop() {
  ui.openSample.addEventListener('click', analyzeSample);
  ui.emptyOpenSample.addEventListener('click', (e) => { e.stopPropagation(); analyzeSample(); });
  ui.openFile.addEventListener('click', openFileDialog);
  ui.emptyOpenFile.addEventListener('click', (e) => { e.stopPropagation(); openFileDialog(); });
  ui.fileInput.addEventListener('change', () => {
    const files = Array.from(ui.fileInput.files || []);
    ui.fileInput.value = ''; // choosing the same file again (after Cancel, say) is a change too
    analyzeFiles(files);
  });
  ui.dropzone.addEventListener('click', (e) => { if (e.target === ui.dropzone || !closest(e.target, 'button')) openFileDialog(); });
  ui.dropzone.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && e.target === ui.dropzone) { e.preventDefault(); openFileDialog(); }
  });
  ui.pasteForm.addEventListener('submit', (e) => { e.preventDefault(); analyzePaste(); });
  ui.pasteText.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); analyzePaste(); }
  });
  ui.errorBack.addEventListener('click', () => {
    if (ui.errorBack.dataset.back === 'true') backToShown();
    else {
      dropShown();
      setPhase('idle');
    }
  });
  ui.cancel.addEventListener('click', () => cancelAnalysis());

  // Drag and drop anywhere on the page.
  /** @param {DragEvent} e */
  const hasFiles = (e) => !!e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    state.dragDepth += 1;
    ui.dropOverlay.hidden = false;
  });
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e) || !e.dataTransfer) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('dragleave', (e) => {
    if (!hasFiles(e)) return;
    state.dragDepth = Math.max(0, state.dragDepth - 1);
    if (!state.dragDepth) ui.dropOverlay.hidden = true;
  });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e) || !e.dataTransfer) return;
    e.preventDefault();
    state.dragDepth = 0;
    ui.dropOverlay.hidden = true;
    // Files dropped while others are read replace them: the reading stops and the new files are read.
    const replacing = state.phase === 'analyzing' ? state.reading.label : '';
    const files = Array.from(e.dataTransfer.files || []);
    if (!files.length) return;
    analyzeFiles(files);
    if (replacing && state.phase === 'analyzing') toast(`Stopped reading ${replacing}: reading the files just dropped instead.`);
  });
}
