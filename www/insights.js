// sipscope insights: what the engine explains about a log, laid out by the page.
//
// - Message panel: each header's meaning (the engine's `annotations`) in a third column of the headers table
//   (or under the value when the panel is narrow), readable body summaries (`body_summaries`) above the
//   pretty-printed body, the file's own time and "also seen in" for messages logged by several files.
// - A drawer under the workspace, opened from the bottom bar: Findings (problems linked to messages) and
//   Presence (availability per contact over time; subscription lifecycles with BENOTIFY storms collapsed).
// - The top bar's files (archive members under their archive) with a panel for each file's clock offset,
//   adjustable by hand (`set_clock_offset`), and a one-line clock note above the ladder when files are merged.
//
// The engine (src/annotate) writes every explanation; this file only lays them out and adds no SIP knowledge of
// its own. Security: text from a log is only ever inserted with textContent / createTextNode, never innerHTML.

let ctx = null;

const FINDINGS_PAGE = 300; // findings drawn at once ("Show more" asks the worker for the next ones)
const CONTACTS_PAGE = 100; // presence contacts drawn at once
const CHANGES_SHOWN = 40; // availability changes drawn per contact before "+N more"
const EVENTS_SHOWN = 40; // lifecycle events drawn per subscription before "+N more"
const ENTRIES_SHOWN = 60; // rows of a body summary's table before "Show all"

const SEVERITIES = ['error', 'warning', 'info'];
const SEVERITY_ICON = { error: '✕', warning: '!', info: 'i' };

const ins = {
  findings: null, // {total, counts, items} once loaded
  findingsLoading: null,
  presence: null,
  presenceLoading: null,
  view: null, // 'findings' | 'presence' while the drawer is open
  generation: 0, // bumps on every analysis (or re-merge): late answers for an older one are dropped
  activeFinding: -1,
  merging: false,
};

const dom = {};

// ---------------------------------------------------------------------------------------------
// Setup. `context` comes from app.js:
//   el(tag, attrs, ...children)   the page's DOM helper (text only)
//   call(method, ...args)         a request to the worker of the analysis on screen
//   jumpTo(msg)                   select a message and scroll the ladder to it (shows all messages if needed)
//   reload(result)                redraw everything from {summary, conversations, meta} after a re-merge
//   summary()                     the current summary
//   formatBytes, plural, formatName, splitTime, clock   the page's formatters

export function initInsights(context) {
  ctx = context;
  const { el } = ctx;
  const $ = (id) => document.getElementById(id);
  dom.workspace = $('workspace');
  dom.summaryBar = $('summary');
  dom.diagToggle = $('diag-toggle');
  dom.diagnostics = $('diagnostics');
  dom.files = $('files');
  dom.ladderPane = $('ladder-pane');

  // Bottom bar toggles, next to Diagnostics (DevTools' drawer: one open at a time).
  dom.findingsToggle = el('button', {
    type: 'button', id: 'findings-toggle', class: 'btn btn-small ins-toggle', 'aria-expanded': 'false', 'aria-controls': 'insights',
    title: 'Problems worth a look, each linked to its message',
  }, el('span', { text: 'Findings' }));
  dom.presenceToggle = el('button', {
    type: 'button', id: 'presence-toggle', class: 'btn btn-small ins-toggle', 'aria-expanded': 'false', 'aria-controls': 'insights',
    title: 'Availability of each contact over time, and the lifecycle of each subscription',
  }, el('span', { text: 'Presence' }));
  dom.summaryBar.insertBefore(dom.findingsToggle, dom.diagToggle);
  dom.summaryBar.insertBefore(dom.presenceToggle, dom.diagToggle);

  dom.drawerTitle = el('h2', { id: 'insights-title', text: 'Findings' });
  dom.drawerSub = el('span', { class: 'muted ins-sub' });
  dom.drawerClose = el('button', { type: 'button', class: 'btn btn-small', text: 'Close', title: 'Close (Esc)' });
  dom.findingsPanel = el('div', { id: 'ins-findings', class: 'ins-panel' });
  dom.presencePanel = el('div', { id: 'ins-presence', class: 'ins-panel' });
  dom.drawer = el('section', { id: 'insights', class: 'insights', hidden: true, 'aria-labelledby': 'insights-title' },
    el('div', { class: 'ins-head' }, dom.drawerTitle, dom.drawerSub, el('span', { class: 'spacer' }), dom.drawerClose),
    el('div', { class: 'ins-body', tabindex: '-1' }, dom.findingsPanel, dom.presencePanel));
  dom.summaryBar.after(dom.drawer);

  dom.findingsToggle.addEventListener('click', () => toggleDrawer('findings'));
  dom.presenceToggle.addEventListener('click', () => toggleDrawer('presence'));
  dom.drawerClose.addEventListener('click', () => closeDrawer(true));
  // Diagnostics share the drawer's place: opening them closes the drawer.
  dom.diagToggle.addEventListener('click', () => { if (!dom.diagnostics.hidden || dom.diagToggle.getAttribute('aria-expanded') === 'true') closeDrawer(false); });
  dom.drawer.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      closeDrawer(true);
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault(); // the page's ↑/↓ move the ladder's selection; not from inside the drawer
    }
  });
  dom.findingsPanel.addEventListener('keydown', (e) => listKeys(e, dom.findingsPanel, '.finding-main'));
  dom.presencePanel.addEventListener('keydown', (e) => {
    if (e.target.closest('.pc-timeline')) listKeys(e, e.target.closest('.pc-timeline'), '.pc-change', true);
    else if (e.target.closest('.ps-events')) listKeys(e, e.target.closest('.ps-events'), '.ps-ev, .ps-storm > summary');
  });

  // The clock note above the ladder (only when several files are merged).
  dom.clockStrip = el('div', { id: 'clock-strip', class: 'clock-strip', hidden: true, role: 'note' });
  const head = dom.ladderPane.querySelector('.pane-head');
  head.after(dom.clockStrip);

  // The files panel: every file, its format, size, messages and clock offset.
  dom.filesPanel = el('div', { id: 'files-panel', class: 'files-panel', hidden: true, role: 'dialog', 'aria-labelledby': 'files-panel-title' });
  document.body.append(dom.filesPanel);
  document.addEventListener('mousedown', (e) => {
    if (dom.filesPanel.hidden) return;
    if (dom.filesPanel.contains(e.target) || dom.files.contains(e.target) || dom.clockStrip.contains(e.target)) return;
    closeFilesPanel(false);
  });
  dom.filesPanel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      closeFilesPanel(true);
    }
  });
  window.addEventListener('resize', () => { if (!dom.filesPanel.hidden) placeFilesPanel(); });
  // A new analysis starts (or the page goes back to the start): the panel about the old files closes.
  new MutationObserver(() => {
    if (document.body.dataset.state !== 'done') closeFilesPanel(false);
  }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
}

// ---------------------------------------------------------------------------------------------
// A new analysis (or the same files merged again) is on screen.

export function onAnalysis() {
  ins.generation += 1;
  ins.findings = null;
  ins.findingsLoading = null;
  ins.presence = null;
  ins.presenceLoading = null;
  ins.activeFinding = -1;
  // The page opened the diagnostics (nothing was found in the input): they have the drawer's place.
  if (!dom.diagnostics.hidden) closeDrawer(false);
  dom.findingsPanel.replaceChildren();
  dom.presencePanel.replaceChildren();
  setToggleLabels();
  renderClockStrip();
  if (!dom.filesPanel.hidden) renderFilesPanel();
  // Findings name the problems in the bottom bar right away; presence is read when it is opened.
  loadFindings().catch(report);
  if (ins.view === 'presence') loadPresence().catch(report);
}

function report(err) {
  if (err && err.closed) return;
  console.warn('sipscope insights:', err && err.message ? err.message : err);
}

// ---------------------------------------------------------------------------------------------
// Formatting.

function sevOf(s) {
  return SEVERITIES.includes(s) ? s : 'info';
}

function countText(counts) {
  const parts = [];
  if (counts.error) parts.push(ctx.plural(counts.error, 'error'));
  if (counts.warning) parts.push(ctx.plural(counts.warning, 'warning'));
  if (counts.info) parts.push(`${counts.info.toLocaleString('en-US')} info`);
  return parts.join(', ');
}

// Clock offsets: "+9 h 0 min 0.011 s", "−2.500 s", "0 s".
export function formatOffset(ms) {
  const n = Math.round(Number(ms) || 0);
  if (n === 0) return '0 s';
  const sign = n < 0 ? '−' : '+';
  const a = Math.abs(n);
  const h = Math.floor(a / 3_600_000);
  const m = Math.floor((a % 3_600_000) / 60_000);
  const s = ((a % 60_000) / 1000).toFixed(3);
  if (h) return `${sign}${h} h ${m} min ${s} s`;
  if (m) return `${sign}${m} min ${s} s`;
  return `${sign}${s} s`;
}

// The same as an input value: "+9:00:00.011".
function offsetInput(ms) {
  const n = Math.round(Number(ms) || 0);
  const sign = n < 0 ? '-' : '+';
  const a = Math.abs(n);
  const h = Math.floor(a / 3_600_000);
  const m = Math.floor((a % 3_600_000) / 60_000);
  const s = Math.floor((a % 60_000) / 1000);
  const f = a % 1000;
  return `${sign}${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(f).padStart(3, '0')}`;
}

// What a person types for an offset: milliseconds ("32400000", "-500 ms"), h:m[:s[.fff]] ("+9:00",
// "9:00:00.011", "-0:00:02.5") or units ("9 h 0 min 0.011 s", "2s", "-30 min"). null when it is none of them.
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

function timeText(iso, withDate) {
  const t = ctx.splitTime(iso);
  if (!t) return '';
  return withDate && t.date ? `${t.date} ${t.clock}` : t.clock;
}

function fileName(i) {
  const f = (ctx.summary().files || [])[i];
  return f ? String(f.name ?? `file ${i + 1}`) : `file ${Number(i) + 1}`;
}

// An archive member's name without its archive's ("logs.zip/Tracing/a.log" → "Tracing/a.log").
function memberName(f, files) {
  const name = String(f.name ?? '');
  const box = Number.isInteger(f.container) ? files[f.container] : null;
  if (box) {
    const prefix = `${box.name}/`;
    if (name.startsWith(prefix)) return name.slice(prefix.length);
  }
  return name;
}

function isArchive(f) {
  return ['gzip', 'zip'].includes(String(f.format || '').toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Availability: the engine names it (Available, Busy, Away, …); the page colours it and always says it.

const AVAIL_CLASS = [
  [/^Available-Idle/i, 'av-idle'],
  [/^Available/i, 'av-available'],
  [/^Busy-Idle/i, 'av-busy-idle'],
  [/^Busy/i, 'av-busy'],
  [/^Do Not Disturb/i, 'av-dnd'],
  [/^Be Right Back/i, 'av-away'],
  [/^Away/i, 'av-away'],
  [/^Offline/i, 'av-offline'],
];

function availClass(name) {
  for (const [re, cls] of AVAIL_CLASS) if (re.test(name)) return cls;
  return 'av-none';
}

// A coloured dot and the words: colour for the eye, the name for everyone.
function availBadge(name, text) {
  const { el } = ctx;
  return el('span', { class: `avail ${availClass(String(name))}` },
    el('span', { class: 'avail-dot', 'aria-hidden': 'true' }),
    el('span', { class: 'avail-name', text: String(text ?? name) }));
}

// "3500 Available" (a code, then the engine's name) inside a summary's text becomes a coloured badge.
const AVAIL_IN_TEXT = /\b(\d{1,5}) (Available-Idle \(Inactive\)|Available|Busy-Idle|Busy|Do Not Disturb|Be Right Back|Away|Offline)(?![\w-])/g;

function withAvailability(text) {
  const s = String(text ?? '');
  const out = [];
  let last = 0;
  AVAIL_IN_TEXT.lastIndex = 0;
  for (let m = AVAIL_IN_TEXT.exec(s); m; m = AVAIL_IN_TEXT.exec(s)) {
    if (m.index > last) out.push(document.createTextNode(s.slice(last, m.index)));
    out.push(availBadge(m[2], `${m[1]} ${m[2]}`));
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(document.createTextNode(s.slice(last)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Message panel: headers with their meaning.

/** The headers table: name, value, and what it means (the engine's annotations for that header). */
export function headersTable(headers, annotations) {
  const { el } = ctx;
  const notes = new Map();
  for (const a of Array.isArray(annotations) ? annotations : []) {
    const i = Number(a.header_index);
    if (!Number.isInteger(i)) continue;
    if (!notes.has(i)) notes.set(i, []);
    notes.get(i).push(String(a.text ?? ''));
  }
  const table = el('table', { class: 'headers' },
    el('thead', null, el('tr', null,
      el('th', { scope: 'col', text: 'Name' }),
      el('th', { scope: 'col', text: 'Value' }),
      el('th', { scope: 'col', class: 'col-help', text: 'Meaning' }))));
  const tbody = el('tbody');
  headers.forEach((h, i) => {
    const texts = notes.get(i) || [];
    const name = String(h.name ?? '');
    const row = el('tr', { class: texts.length ? 'has-ann' : null, 'data-header': name.toLowerCase() },
      el('th', { scope: 'row', class: 'h-name', title: texts.length ? texts.join('\n') : null, text: name }),
      el('td', { class: 'h-value' },
        el('span', { class: 'h-value-text', text: String(h.value ?? '') }),
        // Narrow panel: the meaning under the value (the third column takes over when there is room).
        texts.length ? el('span', { class: 'h-ann-inline' }, ...texts.map((t) => el('span', { class: 'h-ann', text: t }))) : null),
      el('td', { class: 'h-help col-help' }, ...texts.map((t) => el('span', { class: 'h-ann', text: t }))));
    tbody.append(row);
  });
  table.append(tbody);
  return table;
}

// ---------------------------------------------------------------------------------------------
// Message panel: readable body summaries.

/** The summaries of body part `part` (or, for part === null, those read from headers: ms-text-format). */
export function summariesFor(m, part) {
  const all = Array.isArray(m.body_summaries) ? m.body_summaries : [];
  const nParts = Array.isArray(m.body_parts) ? m.body_parts.length : 0;
  if (part === null) return all.filter((s) => !(Number(s.part) < nParts) || (s.header_index !== null && s.header_index !== undefined));
  return all.filter((s) => Number(s.part) === part && (s.header_index === null || s.header_index === undefined));
}

/** One readable summary: title, sentences, and its table of entries (who, what, value). */
export function bodySummary(s) {
  const { el } = ctx;
  const kind = String(s.kind || 'text');
  const box = el('div', { class: `bsum bsum-${kind.replace(/[^a-z0-9-]/gi, '')}`, 'aria-label': 'Readable summary' });
  box.append(el('div', { class: 'bsum-title' }, ...withAvailability(s.title || kind)));
  if (s.malformed) {
    box.append(el('p', { class: 'bsum-malformed' },
      el('span', { class: 'diag-sev', 'aria-hidden': 'true', text: '!' }),
      el('span', { text: `Not fully readable: ${s.malformed}` })));
  }
  const lines = Array.isArray(s.lines) ? s.lines : [];
  if (lines.length) {
    if (/^im-/.test(kind)) {
      // An instant message: its text, as written.
      box.append(el('blockquote', { class: 'bsum-im', lang: '' }, lines.map(String).join('\n')));
    } else {
      box.append(el('ul', { class: 'bsum-lines' }, ...lines.map((l) => el('li', null, ...withAvailability(l)))));
    }
  }
  const entries = Array.isArray(s.entries) ? s.entries : [];
  if (entries.length) box.append(entriesTable(entries));
  return box;
}

function entriesTable(entries) {
  const { el } = ctx;
  const subjects = new Set(entries.map((e) => String(e.subject || '')));
  const grouped = subjects.size > 1;
  const table = el('table', { class: 'bsum-entries' });
  const tbody = el('tbody');
  const draw = (upto) => {
    tbody.replaceChildren();
    let subject = null;
    for (const e of entries.slice(0, upto)) {
      const subj = String(e.subject || '');
      if (grouped && subj !== subject) {
        subject = subj;
        tbody.append(el('tr', { class: 'bsum-subject' }, el('th', { colspan: '2', scope: 'rowgroup', text: subj || '(no subject)' })));
      }
      tbody.append(el('tr', null,
        el('th', { scope: 'row', text: String(e.field ?? '') }),
        el('td', null, ...withAvailability(e.value))));
    }
    if (entries.length > upto) {
      const more = el('button', {
        type: 'button', class: 'link', text: `Show all ${entries.length.toLocaleString('en-US')} rows`,
        onclick: () => draw(entries.length),
      });
      tbody.append(el('tr', { class: 'bsum-more' }, el('td', { colspan: '2' }, more)));
    }
  };
  draw(ENTRIES_SHOWN);
  table.append(tbody);
  return table;
}

/** Summaries read from headers (the first IM text in ms-text-format), as a box of their own in the body section. */
export function headerSummaries(m) {
  const { el } = ctx;
  const list = summariesFor(m, null);
  if (!list.length) return null;
  const headers = Array.isArray(m.headers) ? m.headers : [];
  const box = el('div', { class: 'body-part body-part-header' });
  for (const s of list) {
    const h = headers[Number(s.header_index)];
    box.append(el('h4', null,
      el('span', { class: 'muted', text: h ? `From the ${h.name} header · ` : 'From the headers · ' }),
      el('span', { text: String(s.content_type || '') })));
    box.append(bodySummary(s));
  }
  return box;
}

// ---------------------------------------------------------------------------------------------
// Message panel: times and other files.

/** Rows for the message panel's facts: time on the merged timeline, and the file's own time when it differs.
 *  Each row is [label, text]. */
export function timeRows(m) {
  const rows = [];
  if (m.time) rows.push(['Time', timeText(m.time, true)]);
  if (m.file_time && m.file_time !== m.time) {
    const sameDay = m.time && ctx.splitTime(m.time).date === ctx.splitTime(m.file_time).date;
    rows.push(['File time', `${timeText(m.file_time, !sameDay)} on ${fileName(m.file)}'s own clock`]);
  } else if (!m.time && m.file_time) {
    rows.push(['Time', timeText(m.file_time, true)]);
  }
  return rows;
}

/** Rows for the other files that logged the same message (drawn once in the ladder). */
export function alsoRows(m) {
  const rows = [];
  for (const a of Array.isArray(m.also) ? m.also : []) {
    const when = a.file_time || a.time;
    const sameDay = m.time && when && ctx.splitTime(m.time).date === ctx.splitTime(when).date;
    rows.push(['Also seen', `in ${fileName(a.file)}${when ? ` at ${timeText(when, !sameDay)}` : ''}${a.line ? ` (line ${a.line})` : ''}`]);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Top bar: files.

/** Fill the top bar's file list: one chip per file, archive members after their archive. */
export function renderFiles(list, summary) {
  const { el } = ctx;
  const files = (summary && summary.files) || [];
  list.replaceChildren();
  const clocks = clockMap(summary);
  const timed = timedFiles(summary);
  for (const i of fileOrder(files)) {
    const f = files[i];
    const member = Number.isInteger(f.container);
    const name = member ? memberName(f, files) : String(f.name ?? '');
    // Several files: the size goes to the tooltip and the panel, so that names and counts fit.
    const meta = fileMeta(f, files, files.length > 2);
    const clock = clocks.get(i);
    const btn = el('button', {
      type: 'button', class: 'file-open', 'data-file': String(i), 'aria-haspopup': 'dialog', 'aria-controls': 'files-panel',
      'aria-expanded': 'false',
      title: `${String(f.name ?? '')}\n${fileMeta(f, files, false).join(' · ')}${clock && timed.length > 1 && timed.includes(i) ? `\nclock: ${clockText(clock)}` : ''}\nClick for details${timed.length > 1 ? ' and clock offsets' : ''}`,
    },
    el('span', { class: 'file-name' }, member ? el('span', { class: 'file-in', 'aria-hidden': 'true', text: '↳ ' }) : null, name),
    el('span', { class: 'file-meta', text: meta.join(' · ') }));
    btn.addEventListener('click', () => toggleFilesPanel(i));
    list.append(el('li', { class: `file-chip ins-chip${member ? ' file-member' : ''}${isArchive(f) ? ' file-archive' : ''}${files.length > 2 ? ' is-compact' : ''}` }, btn));
  }
}

// Archives first, each followed by its members; other files in their order.
function fileOrder(files) {
  const order = [];
  const seen = new Set();
  const add = (i) => {
    if (seen.has(i)) return;
    seen.add(i);
    order.push(i);
    files.forEach((f, j) => { if (f.container === i) add(j); });
  };
  files.forEach((f, i) => { if (!Number.isInteger(f.container) || !files[f.container]) add(i); });
  files.forEach((_, i) => add(i));
  return order;
}

function fileMeta(f, files, short) {
  const meta = [ctx.formatName(f.format)];
  if (!short && Number.isFinite(Number(f.bytes))) meta.push(ctx.formatBytes(Number(f.bytes)));
  if (isArchive(f)) {
    const inside = files.filter((g) => g.container === files.indexOf(f)).length;
    meta.push(ctx.plural(inside, 'file'));
  } else {
    meta.push(ctx.plural(Number(f.messages) || 0, 'msg', 'msgs'));
  }
  return meta;
}

function clockMap(summary) {
  const map = new Map();
  for (const c of (summary && summary.clocks) || []) map.set(Number(c.file), c);
  return map;
}

// Files whose clock matters: those with messages (not archives, not empty files).
function timedFiles(summary) {
  const files = (summary && summary.files) || [];
  const out = [];
  files.forEach((f, i) => { if (!isArchive(f) && Number(f.messages) > 0) out.push(i); });
  return out;
}

function clockText(c) {
  if (!c) return 'unknown';
  const shared = Number(c.shared) || 0;
  switch (c.source) {
    case 'reference': return 'reference clock: the other files are aligned to it';
    case 'estimated': return `${formatOffset(c.offset_ms)}, estimated from ${ctx.plural(shared, 'shared message')}`;
    case 'manual': return `${formatOffset(c.offset_ms)}, set by hand`;
    default: return `${formatOffset(c.offset_ms)}: not known (no message shared with another file); set it by hand`;
  }
}

// ---------------------------------------------------------------------------------------------
// The clock note above the ladder.

function renderClockStrip() {
  const { el } = ctx;
  const summary = ctx.summary();
  const timed = timedFiles(summary);
  if (timed.length < 2) {
    dom.clockStrip.hidden = true;
    dom.clockStrip.replaceChildren();
    return;
  }
  const clocks = clockMap(summary);
  const files = summary.files || [];
  const ref = timed.find((i) => (clocks.get(i) || {}).source === 'reference');
  const items = [];
  const sources = new Set();
  for (const i of timed) {
    if (i === ref) continue;
    const c = clocks.get(i);
    const source = c ? c.source : 'unknown';
    sources.add(source);
    items.push(el('span', { class: `cs-item cs-${source}`, title: `${files[i].name}: ${clockText(c)}` },
      el('span', { class: 'cs-file', text: memberName(files[i], files) }), ' ',
      el('strong', { text: c ? formatOffset(c.offset_ms) : '?' }),
      source === 'manual' ? el('span', { class: 'cs-how', text: ' (set by hand)' }) : null,
      source === 'unknown' ? el('span', { class: 'cs-how', text: ' (not known: no shared message)' }) : null));
  }
  const text = [
    el('span', { class: 'cs-lead', text: 'Clocks:' }), ' ',
    ...items.flatMap((x, k) => (k ? [el('span', { class: 'cs-sep', 'aria-hidden': 'true', text: ' · ' }), x] : [x])),
    sources.size === 1 && sources.has('estimated') ? el('span', { class: 'cs-how', text: ' (estimated)' }) : null,
  ];
  // The whole story on hover: which clock is the reference and how each offset was found.
  const story = [ref !== undefined ? `Times are on ${files[ref].name}'s clock.` : 'No file is the reference.'];
  for (const i of timed) if (i !== ref) story.push(`${files[i].name}: ${clockText(clocks.get(i))}.`);
  const shared = Number(summary.shared_messages) || 0;
  if (shared) story.push(`${ctx.plural(shared, 'message')} seen in two files ${shared === 1 ? 'is' : 'are'} drawn once.`);
  const adjust = el('button', { type: 'button', class: 'btn btn-small', text: 'Adjust clocks…', 'aria-controls': 'files-panel', 'aria-haspopup': 'dialog' });
  adjust.addEventListener('click', () => toggleFilesPanel(timed.find((i) => i !== ref) ?? timed[0], adjust));
  dom.clockStrip.replaceChildren(el('span', { class: 'cs-text', title: story.join('\n') }, ...text), adjust);
  dom.clockStrip.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// The files panel.

let panelFocusFile = -1;
let panelOpener = null;

function toggleFilesPanel(file, opener) {
  if (!dom.filesPanel.hidden && panelFocusFile === file) {
    closeFilesPanel(true);
    return;
  }
  panelFocusFile = file;
  panelOpener = opener || dom.files.querySelector(`.file-open[data-file="${file}"]`);
  renderFilesPanel();
  dom.filesPanel.hidden = false;
  placeFilesPanel();
  for (const b of dom.files.querySelectorAll('.file-open')) b.setAttribute('aria-expanded', 'true');
  const target = dom.filesPanel.querySelector(`[data-file-row="${file}"] input`) || dom.filesPanel.querySelector(`[data-file-row="${file}"]`) || dom.filesPanel;
  target.focus({ preventScroll: true });
}

function closeFilesPanel(restoreFocus) {
  if (dom.filesPanel.hidden) return;
  dom.filesPanel.hidden = true;
  for (const b of dom.files.querySelectorAll('.file-open')) b.setAttribute('aria-expanded', 'false');
  if (restoreFocus && panelOpener && panelOpener.isConnected) panelOpener.focus({ preventScroll: true });
  else if (restoreFocus) dom.files.querySelector('.file-open')?.focus({ preventScroll: true });
}

function placeFilesPanel() {
  const bar = dom.files.getBoundingClientRect();
  const width = Math.min(980, window.innerWidth - 24);
  const left = Math.max(12, Math.min(bar.left, window.innerWidth - width - 12));
  dom.filesPanel.style.left = `${left}px`;
  dom.filesPanel.style.width = `${width}px`;
}

function renderFilesPanel() {
  const { el } = ctx;
  const summary = ctx.summary() || {};
  const files = summary.files || [];
  const clocks = clockMap(summary);
  const timed = timedFiles(summary);
  const close = el('button', { type: 'button', class: 'btn btn-small', text: 'Close', title: 'Close (Esc)', onclick: () => closeFilesPanel(true) });
  const total = files.filter((f) => !isArchive(f)).reduce((n, f) => n + (Number(f.messages) || 0), 0);
  const head = el('div', { class: 'fp-head' },
    el('h2', { id: 'files-panel-title', text: files.length === 1 ? 'File' : `Files (${files.length})` }),
    el('span', { class: 'muted', text: `${ctx.plural(total, 'message')} read on this device${Number(summary.shared_messages) ? `; ${ctx.plural(Number(summary.shared_messages), 'message')} seen in two files drawn once` : ''}` }),
    el('span', { class: 'spacer' }), close);
  const table = el('table', { class: 'fp-table' },
    el('thead', null, el('tr', null,
      el('th', { scope: 'col', text: 'File' }),
      el('th', { scope: 'col', text: 'Format' }),
      el('th', { scope: 'col', class: 'num', text: 'Size' }),
      el('th', { scope: 'col', class: 'num', text: 'Messages' }),
      timed.length > 1 ? el('th', { scope: 'col', class: 'fp-clock-col', text: 'Clock offset' }) : null)));
  const tbody = el('tbody');
  for (const i of fileOrder(files)) {
    const f = files[i];
    const member = Number.isInteger(f.container);
    const row = el('tr', { 'data-file-row': String(i), class: member ? 'fp-member' : null, tabindex: '-1' },
      el('th', { scope: 'row', class: 'fp-name', title: String(f.name ?? '') },
        member ? el('span', { class: 'file-in', 'aria-hidden': 'true', text: '↳ ' }) : null,
        member ? memberName(f, files) : String(f.name ?? ''),
        member ? el('span', { class: 'fp-in', text: ` in ${files[f.container] ? files[f.container].name : 'archive'}` }) : null),
      el('td', { text: ctx.formatName(f.format) }),
      el('td', { class: 'num', text: ctx.formatBytes(Number(f.bytes)) }),
      el('td', { class: 'num', text: isArchive(f) ? '—' : (Number(f.messages) || 0).toLocaleString('en-US') }),
      timed.length > 1 ? el('td', { class: 'fp-clock' }, ...(timed.includes(i) ? clockCell(i, clocks.get(i)) : [el('span', { class: 'muted', text: isArchive(f) ? 'archive: see the files inside' : 'no messages' })])) : null);
    tbody.append(row);
  }
  table.append(tbody);
  const body = [head, el('div', { class: 'fp-scroll' }, table)];
  if (timed.length > 1) {
    body.push(el('p', { class: 'fp-note' },
      'Times in the flow are on the reference file\'s clock; the other files\' times are shifted by their offset. ',
      'The offset is estimated from messages seen in two files. If two logs share no message, or the estimate is wrong, set it here: ',
      el('kbd', { text: '+9:00:00' }), ', ', el('kbd', { text: '32400000' }), ' (ms) or ', el('kbd', { text: '9 h 0 min 0.011 s' }), '.'));
  }
  if (ins.merging) body.push(el('p', { class: 'fp-status', role: 'status', text: 'Merging the files again…' }));
  dom.filesPanel.replaceChildren(...body);
}

function clockCell(i, c) {
  const { el } = ctx;
  const out = [el('span', { class: `fp-offset fp-${c ? c.source : 'unknown'}`, text: clockText(c) })];
  if (c && c.source === 'reference') return out;
  const id = `clock-input-${i}`;
  const input = el('input', {
    id, type: 'text', class: 'fp-input', inputmode: 'text', autocomplete: 'off', spellcheck: 'false',
    value: offsetInput(c ? c.offset_ms : 0), 'aria-label': `Clock offset of ${fileName(i)} (milliseconds or h:m:s)`,
    disabled: ins.merging,
  });
  const error = el('span', { class: 'fp-error', role: 'alert' });
  const apply = el('button', { type: 'button', class: 'btn btn-small btn-primary', text: 'Apply', disabled: ins.merging });
  const reset = el('button', {
    type: 'button', class: 'btn btn-small', text: 'Reset to estimate', disabled: ins.merging || !c || c.source !== 'manual',
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
    setClock(i, ms).catch(report);
  };
  apply.addEventListener('click', go);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      go();
    }
  });
  reset.addEventListener('click', () => setClock(i, null).catch(report));
  out.push(el('span', { class: 'fp-adjust' }, input, apply, reset, error));
  return out;
}

async function setClock(file, ms) {
  if (ins.merging) return;
  ins.merging = true;
  renderFilesPanel();
  let result;
  try {
    result = await ctx.call('setClockOffset', file, ms);
  } finally {
    ins.merging = false;
  }
  await ctx.reload(result);
  if (!dom.filesPanel.hidden) {
    renderFilesPanel();
    const input = dom.filesPanel.querySelector(`[data-file-row="${file}"] input`);
    (input || dom.filesPanel.querySelector(`[data-file-row="${file}"]`))?.focus({ preventScroll: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The drawer: findings and presence.

function setToggleLabels() {
  const { el } = ctx;
  const f = ins.findings;
  const fParts = [el('span', { text: f ? `Findings: ${f.total.toLocaleString('en-US')}` : 'Findings' })];
  // The worst severity only: the bottom bar is narrow (the drawer says the rest).
  if (f && f.counts.error) fParts.push(el('span', { class: 'pill pill-error', text: ctx.plural(f.counts.error, 'error') }));
  else if (f && f.counts.warning) fParts.push(el('span', { class: 'pill pill-warning', text: ctx.plural(f.counts.warning, 'warning') }));
  dom.findingsToggle.replaceChildren(...fParts);
  dom.findingsToggle.title = f && f.total ? `Findings: ${countText(f.counts)}. Problems worth a look, each linked to its message` : 'Problems worth a look, each linked to its message';
  const p = ins.presence;
  dom.presenceToggle.replaceChildren(el('span', {
    text: p ? `Presence: ${ctx.plural(p.contacts.length, 'contact')}` : 'Presence',
  }));
  const open = (v) => (ins.view === v ? 'true' : 'false');
  dom.findingsToggle.setAttribute('aria-expanded', open('findings'));
  dom.presenceToggle.setAttribute('aria-expanded', open('presence'));
  dom.findingsToggle.setAttribute('aria-pressed', open('findings'));
  dom.presenceToggle.setAttribute('aria-pressed', open('presence'));
}

function toggleDrawer(view) {
  if (ins.view === view) {
    closeDrawer(false);
    return;
  }
  openDrawer(view);
}

export function openDrawer(view) {
  ins.view = view;
  // The drawer takes the diagnostics' place.
  if (!dom.diagnostics.hidden) {
    dom.diagnostics.hidden = true;
    dom.diagToggle.setAttribute('aria-expanded', 'false');
  }
  dom.drawer.hidden = false;
  dom.findingsPanel.hidden = view !== 'findings';
  dom.presencePanel.hidden = view !== 'presence';
  setToggleLabels();
  if (view === 'findings') {
    dom.drawerTitle.textContent = 'Findings';
    if (ins.findings) renderFindings();
    else {
      dom.findingsPanel.replaceChildren(ctx.el('p', { class: 'placeholder', text: 'Looking for problems…' }));
      loadFindings().catch(report);
    }
  } else {
    dom.drawerTitle.textContent = 'Presence';
    if (ins.presence) renderPresence();
    else {
      dom.presencePanel.replaceChildren(ctx.el('p', { class: 'placeholder', text: 'Reading presence…' }));
      loadPresence().catch(report);
    }
  }
  updateDrawerSub();
}

function closeDrawer(restoreFocus) {
  if (!ins.view) return;
  const was = ins.view;
  ins.view = null;
  dom.drawer.hidden = true;
  setToggleLabels();
  if (restoreFocus) (was === 'findings' ? dom.findingsToggle : dom.presenceToggle).focus({ preventScroll: true });
}

function updateDrawerSub() {
  if (ins.view === 'findings') {
    const f = ins.findings;
    dom.drawerSub.textContent = f ? (f.total ? `${countText(f.counts)} · click one to show its message` : 'none') : '';
  } else if (ins.view === 'presence') {
    const p = ins.presence;
    dom.drawerSub.textContent = p ? `${ctx.plural(p.contacts.length, 'contact')} · ${ctx.plural(p.subscriptions.length, 'subscription')} · click a change to show its message` : '';
  }
}

async function loadFindings() {
  if (ins.findings || ins.findingsLoading) return ins.findingsLoading;
  const gen = ins.generation;
  ins.findingsLoading = ctx.call('findings', 0, FINDINGS_PAGE).then((r) => {
    if (gen !== ins.generation) return;
    ins.findings = { total: Number(r.total) || 0, counts: r.counts || {}, items: Array.isArray(r.items) ? r.items : [] };
    setToggleLabels();
    if (ins.view === 'findings') {
      renderFindings();
      updateDrawerSub();
    }
  });
  return ins.findingsLoading;
}

async function loadPresence() {
  if (ins.presence || ins.presenceLoading) return ins.presenceLoading;
  const gen = ins.generation;
  ins.presenceLoading = ctx.call('presence').then((r) => {
    if (gen !== ins.generation) return;
    ins.presence = {
      contacts: Array.isArray(r && r.contacts) ? r.contacts : [],
      subscriptions: Array.isArray(r && r.subscriptions) ? r.subscriptions : [],
    };
    setToggleLabels();
    if (ins.view === 'presence') {
      renderPresence();
      updateDrawerSub();
    }
  });
  return ins.presenceLoading;
}

// ↑/↓ (and ←/→ in a row of chips), Home/End move between the items of a list; the ladder's own ↑/↓ keep away.
function listKeys(e, container, selector, horizontal) {
  const keys = horizontal ? ['ArrowLeft', 'ArrowRight', 'Home', 'End'] : ['ArrowUp', 'ArrowDown', 'Home', 'End'];
  if (!keys.includes(e.key)) {
    // Keep the page's ↑/↓ (ladder selection) out of the drawer.
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') e.preventDefault();
    return;
  }
  const items = Array.from(container.querySelectorAll(selector)).filter((x) => x.offsetParent !== null);
  const cur = items.indexOf(e.target);
  if (cur < 0) return;
  e.preventDefault();
  e.stopPropagation();
  let next = cur;
  if (e.key === 'Home') next = 0;
  else if (e.key === 'End') next = items.length - 1;
  else next = cur + (e.key === 'ArrowDown' || e.key === 'ArrowRight' ? 1 : -1);
  next = Math.max(0, Math.min(items.length - 1, next));
  items[next].focus();
}

function messageLink(msg, text, title) {
  return ctx.el('button', { type: 'button', class: 'link msg-link', 'data-msg-link': String(msg), text, title: title || `Show message #${msg + 1}`, onclick: () => ctx.jumpTo(msg) });
}

function renderFindings() {
  const { el } = ctx;
  const f = ins.findings;
  if (!f) return;
  if (!f.total) {
    dom.findingsPanel.replaceChildren(el('p', { class: 'placeholder', text: 'Nothing found worth a look: no failed or unanswered requests, no failed subscriptions, no slow responses.' }));
    return;
  }
  const list = el('ul', { class: 'findings', 'aria-label': 'Findings' });
  const add = (items) => {
    for (const x of items) list.append(findingItem(x));
  };
  add(f.items);
  const more = () => {
    const left = f.total - f.items.length;
    if (left <= 0) return null;
    const btn = el('button', {
      type: 'button', class: 'btn btn-small', text: `Show ${Math.min(FINDINGS_PAGE, left).toLocaleString('en-US')} more (${left.toLocaleString('en-US')} not shown)`,
      onclick: () => {
        btn.disabled = true;
        const gen = ins.generation;
        ctx.call('findings', f.items.length, FINDINGS_PAGE).then((r) => {
          if (gen !== ins.generation) return;
          const items = Array.isArray(r.items) ? r.items : [];
          f.items.push(...items);
          btn.closest('li').remove();
          add(items);
          const next = more();
          if (next) list.append(next);
        }, report);
      },
    });
    return el('li', { class: 'finding-more' }, btn);
  };
  const m = more();
  if (m) list.append(m);
  dom.findingsPanel.replaceChildren(list);
  markActiveFinding();
}

function findingItem(x) {
  const { el } = ctx;
  const sev = sevOf(x.severity);
  const msg = Number(x.msg);
  const main = el('button', {
    type: 'button', class: 'finding-main', 'data-msg': String(msg), title: `Show message #${msg + 1}`,
    onclick: () => {
      ins.activeFinding = msg;
      markActiveFinding();
      ctx.jumpTo(msg);
    },
  },
  el('span', { class: 'diag-sev', 'aria-hidden': 'true', text: SEVERITY_ICON[sev] }),
  el('span', { class: 'diag-word', text: sev }),
  el('span', { class: 'finding-text' },
    el('span', { class: 'finding-title', text: String(x.title ?? '') }),
    x.detail ? el('span', { class: 'finding-detail', text: x.detail }) : null),
  el('span', { class: 'finding-msg', text: `#${msg + 1}` }));
  const related = Array.isArray(x.related) ? x.related.map(Number).filter((r) => Number.isInteger(r)) : [];
  return el('li', { class: `finding diag-${sev}`, 'data-kind': String(x.kind ?? '') },
    main,
    related.length ? el('span', { class: 'finding-related' }, 'see also ',
      ...related.slice(0, 12).flatMap((r, k) => [k ? ', ' : '', messageLink(r, `#${r + 1}`)]),
      related.length > 12 ? ` and ${related.length - 12} more` : '') : null);
}

function markActiveFinding() {
  for (const b of dom.findingsPanel.querySelectorAll('.finding-main')) {
    const on = Number(b.dataset.msg) === ins.activeFinding;
    b.closest('.finding').classList.toggle('is-active', on);
    if (on) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
}

/** The page selected a message: mark the finding about it, if any. */
export function onSelect(msg) {
  if (ins.activeFinding === msg) return;
  ins.activeFinding = msg;
  if (ins.view === 'findings') markActiveFinding();
}

// Presence: per contact a timeline of availability; per subscription its lifecycle.

function renderPresence() {
  const { el } = ctx;
  const p = ins.presence;
  if (!p) return;
  if (!p.contacts.length && !p.subscriptions.length) {
    dom.presencePanel.replaceChildren(el('p', { class: 'placeholder', text: 'No presence in this log: no SUBSCRIBE, NOTIFY, BENOTIFY or published state.' }));
    return;
  }
  const contacts = el('section', { class: 'pres-contacts', 'aria-labelledby': 'pres-contacts-title' },
    el('h3', { id: 'pres-contacts-title', text: `Contacts (${p.contacts.length.toLocaleString('en-US')})` }));
  const list = el('ul', { class: 'pc-list' });
  contacts.append(list);
  const drawContacts = (from) => {
    list.querySelector('.pc-more')?.remove();
    const upto = Math.min(p.contacts.length, from + CONTACTS_PAGE);
    for (let k = from; k < upto; k++) list.append(contactRow(p.contacts[k]));
    if (upto < p.contacts.length) {
      list.append(el('li', { class: 'pc-more' }, el('button', {
        type: 'button', class: 'btn btn-small', text: `Show ${Math.min(CONTACTS_PAGE, p.contacts.length - upto)} more contacts (${(p.contacts.length - upto).toLocaleString('en-US')} not shown)`,
        onclick: () => drawContacts(upto),
      })));
    }
  };
  if (p.contacts.length) drawContacts(0);
  else contacts.append(el('p', { class: 'muted', text: 'No availability seen.' }));

  const subs = el('section', { class: 'pres-subs', 'aria-labelledby': 'pres-subs-title' },
    el('h3', { id: 'pres-subs-title', text: `Subscriptions (${p.subscriptions.length.toLocaleString('en-US')})` }));
  if (p.subscriptions.length) for (const s of p.subscriptions) subs.append(subscriptionBlock(s));
  else subs.append(el('p', { class: 'muted', text: 'No subscriptions.' }));
  dom.presencePanel.replaceChildren(el('div', { class: 'pres-grid' }, contacts, subs));
}

function contactRow(c) {
  const { el } = ctx;
  const changes = Array.isArray(c.changes) ? c.changes : [];
  const line = el('ol', { class: 'pc-timeline', 'aria-label': `Availability of ${c.uri} over time` });
  const draw = (upto) => {
    line.replaceChildren();
    let note = null;
    changes.slice(0, upto).forEach((ch, k) => {
      const showNote = ch.note && ch.note !== note;
      note = ch.note || note;
      const when = timeText(ch.time, false);
      const label = `${when ? `${when}: ` : ''}${ch.name}${ch.availability !== undefined ? ` (${ch.availability})` : ''}${ch.activity ? `, activity ${ch.activity}` : ''}${ch.note ? `, note "${ch.note}"` : ''}; from ${String(ch.source || '').replace(/-/g, ' ')}, message #${Number(ch.msg) + 1}`;
      line.append(el('li', { class: 'pc-item' },
        k ? el('span', { class: 'pc-arrow', 'aria-hidden': 'true', text: '→' }) : null,
        el('button', { type: 'button', class: 'pc-change', 'data-msg': String(ch.msg), title: label, 'aria-label': label, onclick: () => ctx.jumpTo(Number(ch.msg)) },
          when ? el('span', { class: 'pc-time', text: when }) : null,
          availBadge(ch.name),
          showNote ? el('span', { class: 'pc-note', text: `“${ch.note}”` }) : null)));
    });
    if (changes.length > upto) {
      line.append(el('li', { class: 'pc-item' }, el('button', {
        type: 'button', class: 'link', text: `+${(changes.length - upto).toLocaleString('en-US')} more`, onclick: () => draw(changes.length),
      })));
    }
  };
  draw(CHANGES_SHOWN);
  const last = changes[changes.length - 1];
  return el('li', { class: 'pc-row' },
    el('div', { class: 'pc-who' },
      el('span', { class: 'pc-uri', title: String(c.uri ?? ''), text: String(c.uri ?? '').replace(/^sips?:/i, '') }),
      el('span', { class: 'pc-count', text: `${ctx.plural(changes.length, 'change')}${last ? `, now ${last.name}` : ''}` })),
    line);
}

const EVENT_WORD = {
  created: 'subscribe', challenged: 'challenged', accepted: 'accepted', failed: 'failed', refreshed: 'refreshed',
  unsubscribed: 'unsubscribe', notify: 'NOTIFY', benotify: 'BENOTIFY', 'benotify-storm': 'BENOTIFY ×', terminated: 'terminated', expired: 'expired',
};

function subscriptionBlock(s) {
  const { el } = ctx;
  const state = String(s.state || '');
  const bad = ['failed', 'expired', 'terminated'].includes(state);
  const events = Array.isArray(s.events) ? s.events : [];
  const list = el('ol', { class: 'ps-events' });
  const draw = (upto) => {
    list.replaceChildren();
    for (const ev of events.slice(0, upto)) list.append(eventRow(ev));
    if (events.length > upto) {
      list.append(el('li', null, el('button', { type: 'button', class: 'link', text: `+${events.length - upto} more events`, onclick: () => draw(events.length) })));
    }
  };
  draw(EVENTS_SHOWN);
  return el('div', { class: 'ps-sub' },
    el('div', { class: 'ps-head' },
      el('span', { class: 'ps-event', text: String(s.event || 'subscription') }),
      el('span', { class: 'ps-resource', title: String(s.resource ?? ''), text: String(s.resource ?? '').replace(/^sips?:/i, '') }),
      el('span', { class: `ps-state ps-state-${state.replace(/[^a-z-]/g, '')}${bad ? ' ps-bad' : ''}`, text: state || 'unknown' })),
    list);
}

function eventRow(ev) {
  const { el } = ctx;
  const kind = String(ev.kind || '');
  const msg = Number(ev.msg);
  const when = timeText(ev.time, false);
  const bad = ['failed', 'expired', 'challenged'].includes(kind);
  if (ev.storm) {
    const st = ev.storm;
    const text = ev.text;
    return el('li', { class: 'ps-item' },
      el('details', { class: 'ps-storm' },
        el('summary', { 'aria-label': `${when} BENOTIFY storm: ${text}` },
          el('span', { class: 'ps-time', text: when }),
          el('span', { class: 'ps-kind ps-kind-storm', text: `BENOTIFY ×${Number(st.count) || '?'}` }),
          el('span', { class: 'ps-text', text })),
        el('div', { class: 'ps-storm-body' },
          el('span', { text: `${ctx.plural(Number(st.count) || 0, 'BENOTIFY', 'BENOTIFYs')}, collapsed into this row. ` }),
          messageLink(Number(st.first), `first: #${Number(st.first) + 1}`), ' · ',
          messageLink(Number(st.last), `last: #${Number(st.last) + 1}`),
          el('span', { class: 'muted', text: ' — the availability they carry is in the contacts\' timelines.' }))));
  }
  return el('li', { class: 'ps-item' },
    el('button', { type: 'button', class: `ps-ev${bad ? ' ps-ev-bad' : ''}`, 'data-msg': String(msg), title: `Show message #${msg + 1}`, onclick: () => ctx.jumpTo(msg) },
      el('span', { class: 'ps-time', text: when }),
      el('span', { class: `ps-kind ps-kind-${kind.replace(/[^a-z-]/g, '')}`, text: EVENT_WORD[kind] || kind }),
      el('span', { class: 'ps-text' }, ...withAvailability(ev.text))));
}
