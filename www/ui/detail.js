// @ts-check
// sipscope page, message detail view: the message panel. Start line with the engine's kind of message (a 401/407
// is a challenge, not a failure), time, endpoints, file and line, other files that logged it, its transaction, the
// engine's diagnostics about it, the headers with what each one means (the engine's annotations), readable body
// summaries above each pretty-printed body part, and the raw text. Every text here comes from the engine.

import { state, summary, fileName } from './state.js';
import { ui, el, messageLink, diagnosticItem, markWords } from './dom.js';
import { timeText, sameDay, count } from './format.js';
import { withAvailability } from './presence.js';
import { updateCompare } from './diff.js';

/** @typedef {import('../types/view').MessageDetail} MessageDetail */
/** @typedef {import('../types/view').BodySummary} BodySummary */
/** @typedef {import('../types/view').BodyPart} BodyPart */
/** @typedef {import('../types/view').Diagnostic} Diagnostic */

const ENTRIES_SHOWN = 60; // rows of a body summary's table before "Show all"

/** What the start line's badge says, by the engine's kind of message. */
const KIND_WORD = /** @type {Record<MessageDetail['kind'], string>} */ ({
  request: 'request',
  unanswered: 'request, no response',
  provisional: 'provisional',
  success: 'success',
  redirect: 'redirect',
  challenge: 'challenge',
  failure: 'failure',
});

/** Draw the message panel from `state.message` (or say why there is none). @param {string} [errorText] */
export function renderDetail(errorText) {
  const m = state.message;
  ui.detailBody.replaceChildren();
  ui.rawToggle.disabled = !m;
  updateCompare();
  ui.rawToggle.setAttribute('aria-pressed', state.raw ? 'true' : 'false');
  ui.rawToggle.textContent = state.raw ? 'Parsed view' : 'Raw text';
  ui.detailSub.textContent = '';
  if (errorText) {
    ui.detailBody.append(el('p', { class: 'placeholder error-text', text: `This message could not be shown: ${errorText}` }));
    return;
  }
  if (!m && !(summary().message_count > 0)) {
    if (!state.headersAlone.length) {
      ui.detailBody.append(el('p', { class: 'placeholder', text: 'No message to show.' }));
      return;
    }
    // No message, but header lines (a copied ms-diagnostics line, a pasted header block): each explained.
    for (const h of state.headersAlone) {
      ui.detailBody.append(el('section', { class: 'msg-section headers-alone' },
        el('p', { class: 'notice-text', text: `No SIP message was found in ${h.file_name}, but it holds ${h.headers.length === 1 ? 'a header line' : `${h.headers.length} header lines`}: ${h.headers.length === 1 ? 'it is' : 'they are'} explained on their own.` }),
        headersTable(h)));
    }
    return;
  }
  if (!m) {
    ui.detailBody.append(el('p', { class: 'placeholder' },
      'Select an arrow in the flow to see its message. ', el('kbd', { text: '↑' }), ' ', el('kbd', { text: '↓' }), ' move between messages.'));
    return;
  }
  ui.detailSub.textContent = `#${m.index + 1}`;

  const head = el('div', { class: 'msg-head' });
  const word = KIND_WORD[m.kind] || m.kind;
  head.append(el('div', { class: `start-line sl-${m.kind}`, 'data-kind': m.kind },
    el('span', { class: 'sl-text', text: m.start_line }),
    el('span', { class: 'sl-kind', text: m.status && (m.kind === 'failure' || m.kind === 'challenge') ? `${word} (${m.status})` : word })));
  const dir = m.direction && m.direction !== 'unknown' ? ` (${m.direction})` : '';
  /** @type {Array<[string, string] | [string, string, boolean]>} rows: name, value, whether it wraps */
  const metaItems = [
    ...timeRows(m), // merged time, and the file's own time when it differs
    ['From', m.src],
    ['To', `${m.dst}${dir}`],
    ['Source', `${m.file_name}${m.line ? `, line ${m.line}` : ''}`],
    ...alsoRows(m), // the same message in other files
  ];
  const dl = el('dl', { class: 'msg-meta' });
  for (const [k, v, wrap] of metaItems) dl.append(el('dt', { text: k }), el('dd', { text: v, title: v, class: wrap ? 'wrap' : null }));
  head.append(dl);

  if (m.transaction) head.append(renderTransaction(m, m.transaction));

  /** @type {{severity: string, message: string}[]} */
  const notes = [];
  if (m.retransmission) notes.push({ severity: 'info', message: 'Retransmission: the same message was sent before.' });
  if (m.truncated) notes.push({ severity: 'warning', message: 'This message is truncated in the log.' });
  notes.push(...m.diagnostics);
  if (notes.length) head.append(el('ul', { class: 'msg-problems', 'aria-label': 'Problems' }, notes.map((d) => diagnosticItem(d))));
  if (m.nearby_trace) head.append(nearbyTrace(m.nearby_trace));
  // Secrets the engine masked in every text below (the media relay's credentials): how many, said once.
  if (m.masked) head.append(el('p', { class: 'msg-masked muted', text: m.masked }));
  ui.detailBody.append(head);

  const parts = m.body_parts;
  const headers = m.headers;
  if (state.raw) {
    const pre = el('pre', { class: 'raw', text: m.raw });
    markWords(pre, state.searchMarks);
    ui.detailBody.append(el('section', { class: 'msg-section' },
      el('h3', { text: m.masked ? 'Raw text as in the log, credentials masked' : 'Raw text, exactly as in the log' }), pre));
    return;
  }
  // Section shortcuts, like DevTools' tabs: the body can be far below a long header table.
  /** @param {string} id */
  const jump = (id) => () => document.getElementById(id)?.scrollIntoView({ block: 'start' });
  ui.detailBody.append(el('nav', { class: 'msg-jump', 'aria-label': 'Message sections' },
    el('button', { type: 'button', class: 'chip', onclick: jump('sec-headers'), text: `Headers ${headers.length}` }),
    el('button', { type: 'button', class: 'chip', onclick: jump('sec-body'), text: parts.length ? `Body ${parts.length === 1 ? '' : `${parts.length} parts`}`.trim() : 'No body' })));

  const table = headersTable(m);
  markWords(table, state.searchMarks); // what the filter looked for, in the headers and their values
  ui.detailBody.append(el('section', { class: 'msg-section', id: 'sec-headers' },
    el('h3', { text: `Headers (${headers.length})` }), table));

  const fromHeaders = headerSummaries(m); // text carried in a header (the first IM, in ms-text-format)
  const body = el('section', { class: 'msg-section', id: 'sec-body' },
    el('h3', { text: parts.length > 1 ? `Body (${parts.length} parts)` : 'Body' }), fromHeaders);
  if (parts.length) parts.forEach((p, i) => body.append(renderBodyPart(p, i, parts.length, summariesFor(m, i))));
  else if (!fromHeaders) body.append(el('p', { class: 'muted', text: 'No body.' }));
  markWords(body, state.searchMarks);
  ui.detailBody.append(body);
}

/**
 * The ERROR / WARN trace lines logged near a failed message (the engine picks them and says the window), each a
 * link to its place in the trace view.
 * @param {import('../types/view').NearbyTrace} near
 */
function nearbyTrace(near) {
  const n = near.lines.length + near.more;
  return el('section', { class: 'msg-near', 'aria-label': 'Trace lines logged near this failure' },
    el('h3', { class: 'near-h' },
      el('span', { text: `Logged near this failure: ${n === 1 ? '1 error or warning' : `${count(n)} errors and warnings`}` }),
      el('span', { class: 'muted near-window', text: ` (${near.window}${near.more ? `; the ${near.lines.length} nearest shown` : ''})` })),
    el('ul', { class: 'near-lines' }, near.lines.map((l) => {
      const [first, ...more] = l.text.split('\n');
      return el('li', { class: `near-line lv-${l.level || 'trace'}` },
        el('button', {
          type: 'button', class: 'near-link', 'data-trace-line': `${l.file}:${l.index}`,
          title: `${fileName(l.file)}, line ${l.line}${l.thread ? `, thread ${l.thread}` : ''}: show it among the trace lines`,
        },
        el('span', { class: 'tr-time', text: l.clock }),
        el('span', { class: 'tr-level', text: (l.level || '').toUpperCase() }),
        el('span', { class: 'near-text', text: first }),
        more.length ? el('span', { class: 'near-more', text: more.join(' · ') }) : null));
    })));
}

/** Rows of the facts: time on the merged timeline, and the file's own time when it differs. @param {MessageDetail} m @returns {[string, string][]} */
function timeRows(m) {
  /** @type {[string, string][]} */
  const rows = [];
  if (m.time) rows.push(['Time', timeText(m.time, true)]);
  if (m.file_time && m.file_time !== m.time) {
    if (m.time) rows.push(['File time', `${timeText(m.file_time, !sameDay(m.time, m.file_time))} on ${fileName(m.file)}'s own clock`]);
    else rows.push(['Time', timeText(m.file_time, true)]);
  }
  return rows;
}

/** Rows for the other files that logged the same message (drawn once in the ladder), and the capture's TLS records that carried it. @param {MessageDetail} m @returns {[string, string, boolean][]} */
function alsoRows(m) {
  return m.also.flatMap((a) => {
    const when = a.file_time || a.time;
    const at = when ? ` at ${timeText(when, !sameDay(m.time, when))}` : '';
    if (a.tls) {
      // Two rows, wrapped: where and when, then what the record was.
      const frames = a.tls.frames.length === 1 ? `frame ${a.tls.frames[0]}` : `frames ${a.tls.frames.join(', ')}`;
      const records = a.tls.frames.length === 1 ? 'one record' : `${a.tls.frames.length} records`;
      return [
        /** @type {[string, string, boolean]} */ (['Seen encrypted', `in ${fileName(a.file)}, ${frames}${at}, ${a.src} → ${a.dst}`, true]),
        /** @type {[string, string, boolean]} */ (['TLS', `${records}, ${a.tls.bytes.toLocaleString('en-US')} bytes${a.tls.cipher ? `; ${a.tls.cipher}` : ''}`, true]),
      ];
    }
    return [/** @type {[string, string, boolean]} */ (['Also seen', `in ${fileName(a.file)}${at}${a.line ? ` (line ${a.line})` : ''}`, false])];
  });
}

/** @param {MessageDetail} m @param {import('../types/view').TransactionView} tx */
function renderTransaction(m, tx) {
  const box = el('div', { class: 'msg-tx' });
  const after = tx.response_time ? ` after ${tx.response_time}` : '';
  if (m.status === null || m.status === undefined) {
    box.append(el('span', { class: 'tx-label', text: 'Transaction' }));
    if (tx.final_status) {
      const failed = tx.final_kind === 'failure';
      const kind = tx.final_kind && tx.final_kind !== 'success' ? ` (${tx.final_kind})` : '';
      box.append(el('span', { class: failed ? 'tx-status tx-bad' : 'tx-status', text: `final ${tx.final_status}${kind}${after}` }));
    }
    else box.append(el('span', { class: 'tx-status tx-bad', text: 'no final response' }));
    if (tx.responses.length) {
      box.append(el('span', { class: 'tx-list' }, 'responses: ',
        tx.responses.flatMap((r, i) => [i ? ', ' : '', messageLink(r, `#${r + 1}`, 'link')])));
    }
  } else {
    box.append(el('span', { class: 'tx-label', text: 'Answers' }));
    if (tx.request !== null && tx.request !== undefined) box.append(messageLink(tx.request, `request #${tx.request + 1}`, 'link'));
    if (tx.response_time) box.append(el('span', { class: 'tx-status', text: `final${after}` }));
  }
  return box;
}

/** @param {BodyPart} p @param {number} i @param {number} n @param {BodySummary[]} summaries */
function renderBodyPart(p, i, n, summaries) {
  const part = el('div', { class: 'body-part' });
  part.append(el('h4', null, n > 1 ? el('span', { class: 'muted', text: `Part ${i + 1} · ` }) : null,
    el('span', { text: p.content_type || 'no content type' })));
  if (p.headers.length) {
    part.append(el('dl', { class: 'part-headers' }, p.headers.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])));
  }
  // Readable first: what the part says, in words (the engine's body summaries); then the pretty-printed text.
  for (const sum of summaries) part.append(bodySummary(sum));
  const text = p.pretty || p.text;
  if (text) {
    part.append(el('details', { class: 'pretty', open: true },
      el('summary', { text: p.pretty ? 'Pretty-printed' : 'Text' }),
      el('pre', { class: 'code', text })));
  } else {
    part.append(el('p', { class: 'muted', text: 'Empty part.' }));
  }
  return part;
}

/**
 * The headers table: name, value, and what it means (the engine's annotations for that header).
 * @param {{headers: import('../types/view').HeaderView[], annotations: import('../types/view').Annotation[]}} m
 */
function headersTable(m) {
  /** @type {Map<number, string[]>} */
  const notes = new Map();
  for (const a of m.annotations) {
    const list = notes.get(a.header_index) || [];
    list.push(a.text);
    notes.set(a.header_index, list);
  }
  /** @param {string} t */
  const ann = (t) => el('span', { class: 'h-ann', text: t });
  return el('table', { class: 'headers' },
    el('thead', null, el('tr', null,
      el('th', { scope: 'col', text: 'Name' }),
      el('th', { scope: 'col', text: 'Value' }),
      el('th', { scope: 'col', class: 'col-help', text: 'Meaning' }))),
    el('tbody', null, m.headers.map((h, i) => {
      const texts = notes.get(i) || [];
      return el('tr', { class: texts.length ? 'has-ann' : null, 'data-header': h.name.toLowerCase() },
        el('th', { scope: 'row', class: 'h-name', title: texts.length ? texts.join('\n') : null, text: h.name }),
        el('td', { class: 'h-value' },
          el('span', { class: 'h-value-text', text: h.value }),
          // Narrow panel: the meaning under the value (the third column takes over when there is room).
          texts.length ? el('span', { class: 'h-ann-inline' }, texts.map(ann)) : null),
        el('td', { class: 'h-help col-help' }, texts.map(ann)));
    })));
}

/**
 * The summaries of body part `part` (or, for part === null, those read from headers: ms-text-format).
 * @param {MessageDetail} m
 * @param {number | null} part
 */
function summariesFor(m, part) {
  const all = m.body_summaries;
  const nParts = m.body_parts.length;
  const fromHeader = (/** @type {BodySummary} */ s) => s.header_index !== null && s.header_index !== undefined;
  if (part === null) return all.filter((s) => !(s.part < nParts) || fromHeader(s));
  return all.filter((s) => s.part === part && !fromHeader(s));
}

/** One readable summary: title, sentences, and its table of entries (who, what, value). @param {BodySummary} s */
function bodySummary(s) {
  const kind = s.kind || 'text';
  const box = el('div', { class: `bsum bsum-${kind.replace(/[^a-z0-9-]/gi, '')}`, 'aria-label': 'Readable summary' });
  box.append(el('div', { class: 'bsum-title' }, withAvailability(s.title || kind)));
  if (s.malformed) {
    box.append(el('p', { class: 'bsum-malformed' },
      el('span', { class: 'diag-sev', 'aria-hidden': 'true', text: '!' }),
      el('span', { text: `Not fully readable: ${s.malformed}` })));
  }
  if (s.lines.length) {
    // An instant message: its text, as written.
    if (kind.startsWith('im-')) box.append(el('blockquote', { class: 'bsum-im', lang: '' }, s.lines.join('\n')));
    else box.append(el('ul', { class: 'bsum-lines' }, s.lines.map((l) => el('li', null, withAvailability(l)))));
  }
  if (s.entries.length) box.append(entriesTable(s.entries));
  return box;
}

/** @param {import('../types/view').BodyEntry[]} entries */
function entriesTable(entries) {
  const grouped = new Set(entries.map((e) => e.subject)).size > 1;
  const tbody = el('tbody');
  /** @param {number} upto */
  const draw = (upto) => {
    tbody.replaceChildren();
    /** @type {string | null} */
    let subject = null;
    for (const e of entries.slice(0, upto)) {
      if (grouped && e.subject !== subject) {
        subject = e.subject;
        tbody.append(el('tr', { class: 'bsum-subject' }, el('th', { colspan: '2', scope: 'rowgroup', text: subject || '(no subject)' })));
      }
      tbody.append(el('tr', null, el('th', { scope: 'row', text: e.field }), el('td', null, withAvailability(e.value))));
    }
    if (entries.length > upto) {
      const more = el('button', { type: 'button', class: 'link', text: `Show all ${entries.length.toLocaleString('en-US')} rows`, onclick: () => draw(entries.length) });
      tbody.append(el('tr', { class: 'bsum-more' }, el('td', { colspan: '2' }, more)));
    }
  };
  draw(ENTRIES_SHOWN);
  return el('table', { class: 'bsum-entries' }, tbody);
}

/** Summaries read from headers (the first IM text in ms-text-format), as a box of their own in the body section. @param {MessageDetail} m */
function headerSummaries(m) {
  const list = summariesFor(m, null);
  if (!list.length) return null;
  const box = el('div', { class: 'body-part body-part-header' });
  for (const s of list) {
    const h = s.header_index === null ? undefined : m.headers[s.header_index];
    box.append(el('h4', null,
      el('span', { class: 'muted', text: h ? `From the ${h.name} header · ` : 'From the headers · ' }),
      el('span', { text: s.content_type })));
    box.append(bodySummary(s));
  }
  return box;
}
