// sipscope benchmark: measures what bench/run.sh prepared (release CLI, dist/, generated logs) and writes
// bench/out/results.json plus a Markdown table on stdout. Run through bench/run.sh, which builds and generates
// first; by hand: node bench/bench.mjs --small F --large F [--big F] [--runs N] [--out DIR].
//
// What it measures, and how:
// - native: wall clock of `target/release/sipscope --summary FILE` (best of 3), and of `rg -c "Sending
//   Packet|Data Received" FILE` on the same file (best of 3), and the `cargo bench --bench pipeline` line.
// - browser (Debian's Chromium through playwright-core, headless, the flags of e2e/helpers.mjs): the page is
//   opened and its analysis engine has loaded; the file is set on the file input. Times are taken in the page:
//   from the input's `change` event (what a drop also starts) to `data-state="done"` (MB/s), to the first ladder
//   row in the DOM (the preview's, or the ladder's) and the animation frame after it (first row visible).
//   The longest main-thread task is the longest `longtask` PerformanceObserver entry between the change event
//   and one second after done. Then the ladder is scrolled top to bottom (jumps, then 150 frames of continuous
//   scrolling): the longest task and the longest frame while scrolling, and the most arrows ever in the DOM.
//   Then a search is typed into the search box: the time until its match count is shown.
// - memory: the peak resident set (VmHWM in /proc/PID/status) of the Chromium renderer process that hosts the
//   page and its Web Worker (found with CDP SystemInfo.getProcessInfo; a fresh browser per run, so the page's
//   renderer is the largest); VmRSS sampled every 50 ms as a cross-check; the wasm memory the worker reports at
//   the end (it never shrinks, so it is the wasm peak); the main thread's JS heap (CDP Performance.getMetrics
//   JSHeapUsedSize, sampled). The worker's own JS heap is inside the renderer's RSS but not reported apart.
// - the release wasm: raw and gzip -9 size of dist/sipscope_bg.wasm.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { join, basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, DIST, CHROMIUM, setup } from '../e2e/helpers.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const OUTDIR = opt('out', join(ROOT, 'bench', 'out'));
const SMALL = opt('small', '');
const LARGE = opt('large', '');
const BIG = opt('big', '');
const RUNS = Number(opt('runs', '3'));
const SKIP_CARGO_BENCH = args.includes('--skip-cargo-bench');
const CLI = join(ROOT, 'target', 'release', 'sipscope');
mkdirSync(OUTDIR, { recursive: true });

const MB = 1e6;
// A contact that sipscope-gen puts in many presence messages.
const SEARCH_QUERY = 'USER42@limcm.com';
const log = (...a) => console.error('   ', ...a);
const round = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? null : Number(x.toFixed(d)));

function wall(cmd, argv, opts = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { s, out: r.stdout };
}

function bestOf(n, fn) {
  const times = [];
  let out = '';
  for (let i = 0; i < n; i++) {
    const r = fn();
    times.push(r.s);
    out = r.out;
  }
  return { best: Math.min(...times), times, out };
}

function machine() {
  const chromium = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const os = existsSync('/etc/os-release') ? (/PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8')) || [])[1] : '';
  const rustc = spawnSync('rustc', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return {
    cpus: cpus().length,
    cpu: cpus()[0] ? cpus()[0].model : '',
    memory_gb: round(totalmem() / 2 ** 30, 1),
    os,
    chromium,
    rustc,
    node: process.version,
    loadavg_at_start: loadavg().map((x) => round(x, 2)),
  };
}

function native(file) {
  const bytes = statSync(file).size;
  log(`native: sipscope --summary ${basename(file)} (best of 3)`);
  const sum = bestOf(3, () => wall(CLI, ['--summary', file]));
  const messages = Number((/^messages:\s+(\d+)/m.exec(sum.out) || [])[1]);
  log(`native: rg -c on ${basename(file)} (best of 3)`);
  const rg = bestOf(3, () => wall('rg', ['-c', 'Sending Packet|Data Received', file]));
  return {
    file: basename(file),
    bytes,
    messages,
    summary_s: round(sum.best, 3),
    summary_runs_s: sum.times.map((t) => round(t, 3)),
    summary_mb_s: round(bytes / MB / sum.best, 0),
    rg_s: round(rg.best, 3),
    rg_mb_s: round(bytes / MB / rg.best, 0),
    rg_count: Number(rg.out.trim()),
  };
}

function cargoBench() {
  log('cargo bench --bench pipeline');
  const r = spawnSync('cargo', ['bench', '--bench', 'pipeline'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.startsWith('pipeline:')) || '';
  if (r.status !== 0 || !line) return { ok: false, error: (r.stderr || '').split('\n').slice(-15).join('\n') };
  const m = /([\d.]+) MiB generated client log, (\d+) messages: best of (\d+) ([\d.]+) s = (\d+) MiB\/s/.exec(line);
  return {
    ok: true,
    line: line.trim(),
    mib: m ? Number(m[1]) : null,
    messages: m ? Number(m[2]) : null,
    best_s: m ? Number(m[4]) : null,
    mib_s: m ? Number(m[5]) : null,
    mb_s: m ? round((Number(m[1]) * 2 ** 20) / MB / Number(m[4]), 0) : null,
  };
}

function procStatus(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s) || [])[1] || 0);
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return null;
  }
}

// Install the probes in the page before the file is set.
function probes() {
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
async function scrollProbe() {
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
async function searchProbe(query) {
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

async function browserRun(file, { query = '', expectRefusal = false } = {}) {
  const bytes = statSync(file).size;
  const env = await setup();
  let sampling = true;
  try {
    const cdpBrowser = await env.browser.newBrowserCDPSession();
    const context = await env.browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const problems = [];
    // A page error or a crash ends the run at once (instead of waiting for a state that never comes).
    let fail;
    const failed = new Promise((_, reject) => { fail = reject; });
    failed.catch(() => {});
    page.on('pageerror', (e) => { problems.push(`page error: ${e.message}`); fail(new Error(`page error: ${e.message}`)); });
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('crash', () => { problems.push('the renderer crashed'); fail(new Error('the renderer crashed')); });
    await page.goto(`${env.origin}/${query}`, { waitUntil: 'load' });
    // Like a user who opened the page a moment ago: the engine has loaded.
    await Promise.race([failed, page.waitForFunction(() => document.body.dataset.engine, null, { timeout: 30_000 })]);
    await page.evaluate(probes);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');

    // The worker that will run the analysis (the page starts it ahead): its JS heap, through the browser's CDP
    // session (Target.sendMessageToTarget; Playwright has no CDP session for workers).
    const { targetInfos } = await cdpBrowser.send('Target.getTargets');
    const workerTarget = targetInfos.find((t) => t.type === 'worker' && t.url.endsWith('/worker.js'));
    let workerSession = null;
    let workerHeap = 0;
    let msgId = 0;
    if (workerTarget) {
      ({ sessionId: workerSession } = await cdpBrowser.send('Target.attachToTarget', { targetId: workerTarget.targetId, flatten: false }));
      cdpBrowser.on('Target.receivedMessageFromTarget', (e) => {
        if (e.sessionId !== workerSession) return;
        const m = JSON.parse(e.message);
        if (m.result && typeof m.result.usedSize === 'number') workerHeap = Math.max(workerHeap, m.result.usedSize);
      });
    }
    const { processInfo } = await cdpBrowser.send('SystemInfo.getProcessInfo');
    const renderers = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
    let peakRss = 0;
    let peakHeap = 0;
    const sampler = (async () => {
      while (sampling) {
        for (const pid of renderers) {
          const st = procStatus(pid);
          if (st) peakRss = Math.max(peakRss, st.rss);
        }
        try {
          const { metrics } = await cdp.send('Performance.getMetrics');
          const h = metrics.find((m) => m.name === 'JSHeapUsedSize');
          if (h) peakHeap = Math.max(peakHeap, h.value);
          if (workerSession) {
            await cdpBrowser.send('Target.sendMessageToTarget', {
              sessionId: workerSession, message: JSON.stringify({ id: ++msgId, method: 'Runtime.getHeapUsage' }),
            }).catch(() => { workerSession = null; });
          }
        } catch { /* page closing */ }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    await page.setInputFiles('#file-input', file);
    await Promise.race([failed, page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state) || window.__bench.error,
      null, { timeout: 60_000 + (bytes / MB) * 300, polling: 100 })]);
    const st = await page.evaluate(() => document.body.dataset.state);
    if (expectRefusal || st !== 'done') {
      sampling = false;
      await sampler;
      const info = await page.evaluate(() => ({
        state: document.body.dataset.state,
        title: document.getElementById('error-title').textContent,
        message: document.getElementById('error-message').textContent,
        hints: document.getElementById('error-hints').textContent,
        t: window.__bench.t0 === null || !window.__bench.errorAt ? null : window.__bench.errorAt - window.__bench.t0,
      }));
      return { file: basename(file), bytes, outcome: info.state, ...info, problems };
    }
    await page.waitForTimeout(1000); // long tasks right after done count too
    const peakRssAnalysis = peakRss;
    const b = await page.evaluate(() => {
      const x = window.__bench;
      const m = performance.getEntriesByName('sipscope:analysis', 'measure').pop();
      return {
        t0: x.t0,
        first: x.first,
        firstFrame: x.firstFrame,
        done: x.done,
        longtasks: x.longtasks.filter((e) => e.start >= x.t0 && e.start <= x.done + 1000),
        detail: m ? m.detail : null,
        messages: Number(document.body.dataset.messageCount),
      };
    });
    const scroll = await page.evaluate(scrollProbe);
    const search = await page.evaluate(searchProbe, SEARCH_QUERY);
    sampling = false;
    await sampler;
    const hwm = renderers.map((pid) => ({ pid, ...procStatus(pid) }));
    const rendererPeak = Math.max(0, ...hwm.map((h) => h.hwm || 0));
    const analysisMs = b.done - b.t0;
    const longest = b.longtasks.reduce((m, e) => Math.max(m, e.duration), 0);
    await context.close();
    return {
      file: basename(file),
      bytes,
      outcome: 'done',
      messages: b.messages,
      drop_to_done_ms: round(analysisMs, 0),
      mb_s: round(bytes / MB / (analysisMs / 1000), 0),
      first_row_dom_ms: round(b.first - b.t0, 0),
      first_row_frame_ms: round(b.firstFrame - b.t0, 0),
      worker_ms: b.detail ? {
        read: round(b.detail.read, 0),
        wait: round(b.detail.wait, 0),
        push: round(b.detail.push, 0),
        correlate: round(b.detail.correlate, 0),
        serialize: round(b.detail.serialize, 0),
        total: round(b.detail.total, 0),
      } : null,
      longest_task_ms: round(longest, 0),
      longtasks_over_50ms: b.longtasks.length,
      longtasks: b.longtasks.map((e) => ({ start_ms: round(e.start - b.t0, 0), duration_ms: round(e.duration, 0) })),
      scroll: {
        ...scroll,
        longest_task_ms: round(scroll.longest_task_ms, 0),
        longest_frame_ms: round(scroll.longest_frame_ms, 0),
        continuous_ms: round(scroll.continuous_ms, 0),
      },
      search: { ...search, ms: round(search.ms, 0) },
      memory: {
        renderer_peak_rss_mb: round(rendererPeak / MB, 0),
        renderer_sampled_peak_rss_mb: round(peakRss / MB, 0),
        renderer_sampled_peak_rss_until_done_mb: round(peakRssAnalysis / MB, 0),
        renderers: hwm.map((h) => ({ pid: h.pid, hwm_mb: round((h.hwm || 0) / MB, 0) })),
        wasm_mb: b.detail ? round(b.detail.wasmBytes / MB, 0) : null,
        main_js_heap_peak_mb: round(peakHeap / MB, 1),
        worker_js_heap_peak_mb: round(workerHeap / MB, 1),
        js_heap_plus_wasm_mb: b.detail ? round((peakHeap + workerHeap + b.detail.wasmBytes) / MB, 0) : null,
        budget_mb: round((1.5 * bytes) / MB + 100, 0),
      },
      problems,
    };
  } finally {
    sampling = false;
    await env.close();
  }
}

// A look at the page as a user sees it: 1366×768, mid-analysis (40% read) and right after done.
async function screenshots(file) {
  const env = await setup();
  try {
    const context = await env.browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(`${env.origin}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.engine, null, { timeout: 30_000 });
    await page.setInputFiles('#file-input', file);
    const size = statSync(file).size;
    await page.waitForFunction((n) => Number(document.getElementById('progress').dataset.bytes) >= n * 0.4, size, { polling: 10, timeout: 600_000 });
    await page.screenshot({ path: join(OUTDIR, 'reading-1366.png') });
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 600_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUTDIR, 'done-1366.png') });
    return ['reading-1366.png', 'done-1366.png'];
  } finally {
    await env.close();
  }
}

function wasmSize() {
  const f = join(DIST, 'sipscope_bg.wasm');
  const raw = readFileSync(f);
  return { raw_bytes: raw.length, gzip_bytes: gzipSync(raw, { level: 9 }).length };
}

// ---------------------------------------------------------------------------------------------

const results = { date: new Date().toISOString(), machine: machine(), native: [], cargo_bench: null, browser: [], big: null };
log(`machine: ${results.machine.cpus} × ${results.machine.cpu}, ${results.machine.os}, ${results.machine.chromium}`);

for (const f of [SMALL, LARGE].filter(Boolean)) results.native.push(native(f));
results.cargo_bench = SKIP_CARGO_BENCH ? { ok: false, error: 'skipped (--skip-cargo-bench)' } : cargoBench();

const browserRuns = [];
if (SMALL) {
  for (let i = 0; i < RUNS; i++) {
    log(`browser: ${basename(SMALL)} (run ${i + 1} of ${RUNS})`);
    browserRuns.push(await browserRun(SMALL));
  }
}
if (LARGE) {
  for (let i = 0; i < RUNS; i++) {
    log(`browser: ${basename(LARGE)} (run ${i + 1} of ${RUNS})`);
    browserRuns.push(await browserRun(LARGE));
  }
}
results.browser = browserRuns;
results.wasm = wasmSize();
if (LARGE) {
  log(`screenshots of ${basename(LARGE)} (bench/out/reading-1366.png, done-1366.png)`);
  results.screenshots = await screenshots(LARGE);
}

if (BIG) {
  log(`big: native on ${basename(BIG)}`);
  const nat = native(BIG);
  log(`big: browser refusal of ${basename(BIG)}`);
  const refusal = await browserRun(BIG, { expectRefusal: true });
  results.big = { native: nat, refusal };
  if (args.includes('--force-big')) {
    log(`big: browser analysis of ${basename(BIG)} with the limit lifted (?max-bytes=4294967296)`);
    try {
      results.big.forced = await browserRun(BIG, { query: '?max-bytes=4294967296' });
    } catch (err) {
      results.big.forced = { outcome: 'crashed', error: String(err.message || err).split('\n')[0] };
    }
  }
}
results.machine.loadavg_at_end = loadavg().map((x) => round(x, 2));
writeFileSync(join(OUTDIR, 'results.json'), JSON.stringify(results, null, 2) + '\n');

// ---------------------------------------------------------------------------------------------
// The Markdown table.

const best = (runs, key) => runs.reduce((m, r) => (m === null || r[key] > m ? r[key] : m), null);
const worst = (runs, fn) => runs.reduce((m, r) => Math.max(m, fn(r)), 0);
const lines = [];
const m = results.machine;
lines.push(`Machine: ${m.cpus} × ${m.cpu}, ${m.memory_gb} GB, ${m.os}; ${m.chromium}; ${m.rustc}; load average ${m.loadavg_at_start.join(' ')} at start, ${m.loadavg_at_end.join(' ')} at end.`);
lines.push('');
lines.push('| what | file | figure | target |');
lines.push('|---|---|---|---|');
const mbText = (b) => `${(b / MB).toFixed(0)} MB`;
for (const n of results.native) {
  lines.push(`| native \`sipscope --summary\`, one thread, best of 3 | ${n.file} (${mbText(n.bytes)}, ${n.messages.toLocaleString('en-US')} msgs) | ${n.summary_s} s = **${n.summary_mb_s} MB/s** | ≥ 500 MB/s |`);
  lines.push(`| \`rg -c "Sending Packet\\|Data Received"\`, best of 3 | ${n.file} | ${n.rg_s} s = ${n.rg_mb_s} MB/s | comparison |`);
}
const cb = results.cargo_bench;
lines.push(cb.ok
  ? `| \`cargo bench --bench pipeline\` (in-memory, 4 MiB chunks) | generated ${cb.mib} MiB, ${cb.messages.toLocaleString('en-US')} msgs | ${cb.best_s} s = **${cb.mb_s} MB/s** (${cb.mib_s} MiB/s) | ≥ 500 MB/s |`
  : `| \`cargo bench --bench pipeline\` | | not run: ${cb.error.split('\n').pop()} | |`);
const byFile = {};
for (const r of results.browser.filter((r) => r.outcome === 'done')) (byFile[r.file] ||= []).push(r);
for (const [file, runs] of Object.entries(byFile)) {
  const n = runs.length;
  const r0 = runs[0];
  const label = `${file} (${mbText(r0.bytes)}, ${r0.messages.toLocaleString('en-US')} msgs)`;
  const fastest = runs.reduce((a, r) => (r.mb_s > a.mb_s ? r : a));
  const w = fastest.worker_ms;
  lines.push(`| Chromium: drop → \`data-state="done"\`${n > 1 ? `, best of ${n}` : ''} | ${label} | ${(fastest.drop_to_done_ms / 1000).toFixed(2)} s = **${best(runs, 'mb_s')} MB/s**${w ? ` (worker: read ${w.read} ms [engine ${w.push} ms, waiting for the file ${w.wait} ms], correlate ${w.correlate} ms, results ${w.serialize} ms)` : ''} | ≥ 150 MB/s |`);
  lines.push(`| Chromium: first ladder row visible after the drop${n > 1 ? `, worst of ${n}` : ''} | ${file} | **${worst(runs, (r) => r.first_row_frame_ms)} ms** | ≤ 1000 ms |`);
  lines.push(`| Chromium: longest main-thread task, drop → done + 1 s${n > 1 ? `, worst of ${n}` : ''} | ${file} | **${worst(runs, (r) => r.longest_task_ms)} ms** | ≤ 100 ms |`);
  lines.push(`| Chromium: scrolling the ladder top to bottom: longest task / longest frame / most arrows in the DOM${n > 1 ? `, worst of ${n}` : ''} | ${file} | ${worst(runs, (r) => r.scroll.longest_task_ms)} ms / ${worst(runs, (r) => r.scroll.longest_frame_ms)} ms / ${worst(runs, (r) => r.scroll.max_arrows_in_dom)} arrows (${worst(runs, (r) => r.scroll.dom_elements).toLocaleString('en-US')} elements in all) | ≤ 100 ms, a few hundred arrows |`);
  lines.push(`| Chromium: search for \`${r0.search.query}\` typed into the search box → match count shown (160 ms of it waits for more typing)${n > 1 ? `, worst of ${n}` : ''} | ${file} | **${worst(runs, (r) => r.search.ms)} ms** (${r0.search.result}) | for information |`);
  lines.push(`| Chromium: peak page memory, JS heap (page + worker) + wasm${n > 1 ? `, worst of ${n}` : ''} | ${file} | **${worst(runs, (r) => r.memory.js_heap_plus_wasm_mb)} MB** (wasm ${worst(runs, (r) => r.memory.wasm_mb)} MB, JS heap page ${worst(runs, (r) => r.memory.main_js_heap_peak_mb)} MB + worker ${worst(runs, (r) => r.memory.worker_js_heap_peak_mb)} MB) | ≤ ${r0.memory.budget_mb} MB (1.5 × file + 100 MB) |`);
  lines.push(`| Chromium: peak resident memory of the renderer process (page + worker + Blink + V8), VmHWM${n > 1 ? `, worst of ${n}` : ''} | ${file} | ${worst(runs, (r) => r.memory.renderer_sampled_peak_rss_until_done_mb)} MB until done; ${worst(runs, (r) => r.memory.renderer_peak_rss_mb)} MB after the scrolling test | for information (an empty page: ~140 MB) |`);
}
lines.push(`| release wasm (\`dist/sipscope_bg.wasm\`) | | ${(results.wasm.raw_bytes / 1024).toFixed(0)} KiB raw, ${(results.wasm.gzip_bytes / 1024).toFixed(0)} KiB gzip -9 | |`);
if (results.big) {
  const bn = results.big.native;
  lines.push(`| native \`sipscope --summary\`, best of 3 | ${bn.file} (${mbText(bn.bytes)}) | ${bn.summary_s} s = **${bn.summary_mb_s} MB/s** | ≥ 500 MB/s |`);
  lines.push(`| \`rg -c\`, best of 3 | ${bn.file} | ${bn.rg_s} s = ${bn.rg_mb_s} MB/s | comparison |`);
  const rf = results.big.refusal;
  lines.push(`| Chromium: ${bn.file} dropped | | ${rf.outcome === 'error' ? `refused up front in ${round(rf.t, 0)} ms: "${rf.title}"` : `not refused (${rf.outcome})`} | refused or analyzed, never a crash |`);
  const fo = results.big.forced;
  if (fo) {
    lines.push(fo.outcome === 'done'
      ? `| Chromium: ${bn.file} with the limit lifted (\`?max-bytes=\`) | | ${(fo.drop_to_done_ms / 1000).toFixed(1)} s = ${fo.mb_s} MB/s, peak renderer ${fo.memory.renderer_peak_rss_mb} MB, wasm ${fo.memory.wasm_mb} MB | for information |`
      : `| Chromium: ${bn.file} with the limit lifted (\`?max-bytes=\`) | | ${fo.outcome}: ${(fo.message || fo.error || '').slice(0, 160)} | for information |`);
  }
}
const problems = results.browser.flatMap((r) => r.problems || []);
if (problems.length) lines.push('', `Page problems seen: ${[...new Set(problems)].join('; ')}`);
console.log(lines.join('\n'));
