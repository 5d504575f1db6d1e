// @ts-check
// sipscope page: the one state store. Everything the page remembers between events is a field of `state` (views
// read and write it); no other module of the page keeps mutable state of its own.

/** @typedef {import('../types/view').Summary} Summary */
/** @typedef {import('../types/view').ConversationListRow} ConversationRow */
/** @typedef {import('../types/view').MessageDetail} MessageDetail */
/** @typedef {import('../types/view').FindingsPage} FindingsPage */
/** @typedef {import('../types/view').Presence} Presence */
/** @typedef {import('./engine.js').Engine} Engine */
/** @typedef {import('./engine.js').Meta} Meta */

/** @typedef {'idle' | 'analyzing' | 'done' | 'error'} Phase */

/** Row <-> message maps of the current ladder, as typed arrays (a log can hold a million messages). */
export class RowIndex {
  /**
   * @param {Int32Array} rowToMsg the message of each row
   * @param {number} messageCount messages in the analysis
   */
  constructor(rowToMsg, messageCount) {
    this.rows = rowToMsg;
    let size = messageCount;
    for (let r = 0; r < rowToMsg.length; r++) if (rowToMsg[r] >= size) size = rowToMsg[r] + 1;
    this.msgRow = new Int32Array(size).fill(-1);
    for (let r = 0; r < rowToMsg.length; r++) this.msgRow[rowToMsg[r]] = r;
  }

  /** @param {number} msg */
  has(msg) { return msg >= 0 && msg < this.msgRow.length && this.msgRow[msg] >= 0; }

  /** @param {number} msg @returns {number | undefined} the row of `msg` */
  get(msg) { return this.has(msg) ? this.msgRow[msg] : undefined; }
}

/** The messages a search matched, as a list and a mask (has() is O(1) for any number of messages). */
export class Hits {
  /**
   * @param {Int32Array} list message indices
   * @param {number} messageCount messages in the analysis
   */
  constructor(list, messageCount) {
    this.list = list;
    let size = messageCount;
    for (const m of list) if (m >= size) size = m + 1;
    this.mask = new Uint8Array(size);
    for (const m of list) this.mask[m] = 1;
  }

  /** @param {number} msg */
  has(msg) { return msg >= 0 && msg < this.mask.length && this.mask[msg] === 1; }

  get size() { return this.list.length; }
}

/**
 * @typedef {object} State
 * @property {Phase} phase
 * @property {number} job                    bumps for every analysis started (late messages of an older one are dropped)
 * @property {{shown: Engine | null, job: Engine | null, spare: Engine | null}} engines
 *   the analysis on screen, the one being read, and a started, unused one (the next analysis starts without
 *   waiting for the wasm to load)
 * @property {{label: string, total: number, startedAt: number, previewShown: boolean}} reading  the analysis being read
 * @property {Summary | null} summary
 * @property {ConversationRow[]} conversations
 * @property {Meta | null} meta               the ladder on screen (ladder_meta)
 * @property {number} filter                 the conversation the ladder shows, -1 for all
 * @property {Int32Array} rowToMsg
 * @property {RowIndex} msgToRow
 * @property {Map<number, SVGElement>} arrows   the arrows in the DOM, by message
 * @property {Map<number, SVGSVGElement | 'pending'>} windows  the ladder's windows of rows in the DOM (or coming)
 * @property {number} windowRows
 * @property {number} ladderGen              bumps for every ladder drawn (late windows of an older one are dropped)
 * @property {number} laddersDrawing
 * @property {boolean} ladderScrollQueued
 * @property {number} focusPending           a message to focus once its window is drawn, or -1
 * @property {number} ladderHeight           the ladder's visible height when last measured (px)
 * @property {number} selected               the selected message, or -1
 * @property {MessageDetail | null} message  what the message panel shows
 * @property {boolean} raw                   the message panel shows the raw text
 * @property {number} detailSeq
 * @property {number} diagShown              diagnostics in the list
 * @property {{view: number[], items: Map<number, HTMLLIElement>, scrollQueued: boolean}} conv
 *   the conversations list: what it shows in order (-1 is "All messages"), the entries in the DOM
 * @property {Hits | null} searchHits
 * @property {Set<number> | null} searchConvs  conversations with a hit
 * @property {import('../types/view').HeadersAlone[]} headersAlone  files without a message whose header lines
 *   the engine explained
 * @property {number} pinned                 the message pinned to compare another with, or -1
 * @property {string} searchQuery            the filter's query in force (trimmed)
 * @property {boolean} searchTx               the filter keeps each match's transaction
 * @property {string[]} searchMarks           texts the filter looks for: marked in the message panel
 * @property {() => Promise<void>} redrawLadder  the ladder drawn again from the engine (set by app.js: ui/ladder.js
 *   imports ui/search.js, so search.js cannot import it)
 * @property {number} searchTimer
 * @property {number} searchSeq
 * @property {number} toastTimer
 * @property {number} dragDepth
 * @property {Insights} insights
 * @property {TraceState} trace             the trace view (in the drawer)
 * @property {{file: number, opener: HTMLElement | null}} filesPanel  the file the files panel is about, what opened it
 * @property {{waiting: ServiceWorker | null, reloading: boolean, controlled: boolean}} update  the service worker's
 *   new version waiting to take over (ui/offline.js), whether this page asked it to (then it reloads when it does),
 *   whether the page was started by a service worker
 */

/**
 * @typedef {object} TraceState
 * @property {number} levels                 levels shown: 1 error, 2 warn, 4 info, 8 trace
 * @property {boolean} messages              messages listed among the lines
 * @property {string} thread                 one thread's lines only ('' for all)
 * @property {string} query                  the view's query
 * @property {import('../types/view').TraceCount | null} count   what the filter selected
 * @property {Map<number, import('../types/view').TraceRow[]>} pages  rows fetched, by page
 * @property {Map<number, Promise<void>>} fetching                    pages on their way
 * @property {number} gen                    bumps on every filter (late pages of an older one are dropped)
 * @property {number} active                 the row marked (selected message or line), or -1
 * @property {number} timer                  the query's typing pause
 * @property {boolean} built                 the panel's controls are in the DOM for this analysis
 * @property {Promise<void> | null} ready    the last filter asked of the engine, until its rows are drawn
 */

/**
 * @typedef {object} Insights
 * @property {FindingsPage | null} findings   the findings loaded so far (items grow with "Show more")
 * @property {Presence | null} presence
 * @property {import('../types/view').ResponseTimes | null} times
 * @property {import('../types/view').TraceSummary | null} trace
 * @property {import('../types/view').CallRow[] | null} calls
 * @property {{findings: Promise<void> | null, presence: Promise<void> | null, times: Promise<void> | null, trace: Promise<void> | null, calls: Promise<void> | null}} loading
 *   what is being asked of the engine
 * @property {'findings' | 'presence' | 'times' | 'trace' | 'calls' | null} view  what the drawer shows, when open
 * @property {number} generation              bumps on every analysis (or re-merge): late answers are dropped
 * @property {number} activeFinding
 * @property {boolean} merging                a clock offset is being applied
 */

/** @type {State} */
export const state = {
  phase: 'idle',
  job: 0,
  engines: { shown: null, job: null, spare: null },
  reading: { label: '', total: 0, startedAt: 0, previewShown: false },
  summary: null,
  conversations: [],
  meta: null,
  filter: -1,
  rowToMsg: new Int32Array(0),
  msgToRow: new RowIndex(new Int32Array(0), 0),
  arrows: new Map(),
  windows: new Map(),
  windowRows: 60,
  ladderGen: 0,
  laddersDrawing: 0,
  ladderScrollQueued: false,
  focusPending: -1,
  ladderHeight: 0,
  selected: -1,
  message: null,
  raw: false,
  detailSeq: 0,
  diagShown: 0,
  conv: { view: [-1], items: new Map(), scrollQueued: false },
  searchHits: null,
  searchConvs: null,
  headersAlone: [],
  pinned: -1,
  searchQuery: '',
  searchTx: false,
  searchMarks: [],
  redrawLadder: async () => {},
  searchTimer: 0,
  searchSeq: 0,
  toastTimer: 0,
  dragDepth: 0,
  insights: {
    findings: null,
    presence: null,
    times: null,
    trace: null,
    calls: null,
    loading: { findings: null, presence: null, times: null, trace: null, calls: null },
    view: null,
    generation: 0,
    activeFinding: -1,
    merging: false,
  },
  trace: {
    levels: 15,
    messages: true,
    thread: '',
    query: '',
    count: null,
    pages: new Map(),
    fetching: new Map(),
    gen: 0,
    active: -1,
    timer: 0,
    built: false,
    ready: null,
  },
  filesPanel: { file: -1, opener: null },
  update: { waiting: null, reloading: false, controlled: false },
};

/** The summary on screen (an empty one before the first analysis). */
export function summary() {
  return state.summary || EMPTY_SUMMARY;
}

/** @type {Summary} */
const EMPTY_SUMMARY = Object.freeze({
  files: [], message_count: 0, first_time: null, last_time: null, span: null, conversations: 0, transactions: 0,
  subscriptions: 0, unanswered: 0, failures: 0, diagnostic_counts: { info: 0, warning: 0, error: 0 },
  diagnostics: [], diagnostics_total: 0, clocks: [], shared_messages: 0, aliases: [],
});

/** A file's name by index. @param {number | null | undefined} i */
export function fileName(i) {
  const f = i === null || i === undefined ? undefined : summary().files[i];
  return f ? f.name : `file ${Number(i) + 1}`;
}

/**
 * Ask the engine for one of the drawer's views once per analysis: `ask()` runs unless the value is there or on
 * its way; `then()` runs when it arrives for the analysis still on screen.
 * @template {'findings' | 'presence' | 'times' | 'trace' | 'calls'} K
 * @param {K} key
 * @param {() => Promise<NonNullable<Insights[K]>>} ask
 * @param {() => void} then
 * @returns {Promise<void>}
 */
export function loadInsight(key, ask, then) {
  const ins = state.insights;
  if (ins[key]) return Promise.resolve();
  const pending = ins.loading[key];
  if (pending) return pending;
  const gen = ins.generation;
  const p = ask().then((v) => {
    if (gen !== ins.generation) return;
    ins[key] = v;
    then();
  });
  ins.loading[key] = p;
  return p;
}
