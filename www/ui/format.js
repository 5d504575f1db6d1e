// @ts-check
// sipscope page: the few formatters that are the page's own (byte sizes of what is read, counts in words, the
// clock part of the engine's ISO times, time left while reading). Everything about SIP or the log — format names,
// clock offsets, response times, a log's time span, message kinds — comes from the engine as text.

/** "1.5 MB". @param {number} n bytes */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** "1,234 messages", "1 message". @param {number} n @param {string} one @param {string} [many] */
export function plural(n, one, many) {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many || one + 's'}`;
}

/** "1,234". @param {number} n */
export function count(n) {
  return n.toLocaleString('en-US');
}

/**
 * Times come as ISO-like strings ("2018-03-30T10:57:58.371"); the date and the clock as written in the log.
 * @param {string | null | undefined} iso
 * @returns {{date: string, clock: string} | null}
 */
export function splitTime(iso) {
  if (!iso) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)/.exec(String(iso));
  return m ? { date: m[1], clock: m[2] } : { date: '', clock: String(iso) };
}

/** The clock part ("10:57:58.371"). @param {string | null | undefined} iso */
export function clock(iso) {
  const t = splitTime(iso);
  return t ? t.clock : '';
}

/** The clock, with the date before it when `withDate`. @param {string | null | undefined} iso @param {boolean} withDate */
export function timeText(iso, withDate) {
  const t = splitTime(iso);
  if (!t) return '';
  return withDate && t.date ? `${t.date} ${t.clock}` : t.clock;
}

/** Two times are on the same day. @param {string | null | undefined} a @param {string | null | undefined} b */
export function sameDay(a, b) {
  const x = splitTime(a);
  const y = splitTime(b);
  return !!x && !!y && x.date === y.date;
}

/** A rough time for people ("12 s", "3 min 4 s", "2 h 5 min"): the time left while a log is read. @param {number} ms */
export function durationText(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m - h * 60} min`;
  return `${Math.floor(h / 24)} days`;
}
