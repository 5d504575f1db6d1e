// sipscope benchmark, the probes bench.mjs runs inside the page (page.evaluate): they only read the page and time
// it, and return plain values. Each is serialized by Playwright and run in the page, so it may use nothing but
// its own body and the page's globals.

// Install the probes in the page before the file is set.
export function probes() {
  window.__bench = { longtasks: [], first: null, firstFrame: null, done: null, t0: null };
  const b = window.__bench;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  document.addEventListener('change', () => { if (b.t0 === null) b.t0 = performance.now(); }, true);
  const seeRow = () => {
    if (b.first !== null) return;
    if (document.querySelector('#preview .preview-row, #ladder-canvas [data-msg]')) {
      b.first = performance.now();
      requestAnimationFrame(() => { b.firstFrame = performance.now(); });
    }
  };
  new MutationObserver(seeRow).observe(document.getElementById('app'), { childList: true, subtree: true });
  new MutationObserver(() => {
    if (document.body.dataset.state === 'done' && b.done === null) b.done = performance.now();
    if (document.body.dataset.state === 'error' && b.done === null) {
      b.errorAt = performance.now();
      b.error = document.getElementById('error-message').textContent;
    }
  }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
}

// Scroll the ladder top to bottom: 30 jumps, then 150 frames of continuous scrolling (40 px per frame).
export async function scrollProbe() {
  const sc = document.getElementById('ladder-scroll');
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
  const arrows = () => document.querySelectorAll('#ladder-canvas [data-msg]').length;
  const t0 = performance.now();
  let maxArrows = arrows();
  const max = sc.scrollHeight - sc.clientHeight;
  for (let i = 1; i <= 30; i++) {
    sc.scrollTop = (max * i) / 30;
    await frame();
    await new Promise((r) => setTimeout(r, 30));
    maxArrows = Math.max(maxArrows, arrows());
  }
  sc.scrollTop = max / 2;
  await new Promise((r) => setTimeout(r, 300));
  let last = await frame();
  let longestFrame = 0;
  const t1 = performance.now();
  for (let i = 0; i < 150; i++) {
    sc.scrollTop += 40;
    const now = await frame();
    longestFrame = Math.max(longestFrame, now - last);
    last = now;
    maxArrows = Math.max(maxArrows, arrows());
  }
  const lt = window.__bench.longtasks.filter((e) => e.start >= t0);
  return {
    max_arrows_in_dom: maxArrows,
    longest_task_ms: lt.reduce((m, e) => Math.max(m, e.duration), 0),
    longest_frame_ms: longestFrame,
    continuous_ms: performance.now() - t1,
    dom_elements: document.getElementsByTagName('*').length,
    conv_items_in_dom: document.querySelectorAll('#conv-list [data-conv]').length,
  };
}

// Type a query into the search box as a user would (an input event: the page waits 160 ms for more typing, then
// asks the worker); the time until the match count is shown.
export async function searchProbe(query) {
  const box = document.getElementById('search');
  const count = document.getElementById('search-count');
  const t0 = performance.now();
  box.value = query;
  box.dispatchEvent(new Event('input', { bubbles: true }));
  while (!(count.dataset.query === query && /match/.test(count.textContent))) {
    await new Promise((r) => requestAnimationFrame(r));
  }
  return { query, ms: performance.now() - t0, result: count.textContent.trim() };
}

// Open the trace view (the drawer's Trace: every line and message put in order, the first rows drawn), then type
// a word into its query box (every line's text read back from the file in the worker): the time until each is on
// screen. The query box waits 200 ms for more typing.
export async function traceProbe(word) {
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  const drawn = () => document.querySelector('#ins-trace .tr-row') && !document.querySelector('#ins-trace .tr-loading');
  const t0 = performance.now();
  document.getElementById('trace-toggle').click();
  while (!drawn() || !/rows?$|of/.test(document.querySelector('#ins-trace .tr-count')?.textContent || '')) await frame();
  const open = performance.now() - t0;
  const count = document.querySelector('#ins-trace .tr-count');
  const rows = count.textContent.trim();
  const box = document.querySelector('#ins-trace .tr-query');
  const t1 = performance.now();
  box.value = word;
  box.dispatchEvent(new Event('input', { bubbles: true }));
  while (count.textContent.trim() === rows || !drawn()) await frame();
  return { rows, open_ms: open, query: word, query_ms: performance.now() - t1, result: count.textContent.trim() };
}
