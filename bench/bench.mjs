// sipscope benchmark: measures what bench/run.sh prepared (release CLI, generated files, dist/) and writes
// bench/out/results.json plus Markdown tables on stdout (bench/run.sh also saves them as bench/out/results.md).
// Run through bench/run.sh, which installs the tools, builds and generates first (the probes run in the page are in
// bench/probes.mjs). By hand:
//
//   node bench/bench.mjs --file client:F [--file presence:F] [--file server:F] [--file capture:F] …
//        [--skip 'server:50M:generator lacks --format server'] [--browser F …] [--big F …]
//        [--runs N] [--browser-runs N] [--native-only] [--skip-cargo-bench] [--out DIR]
//
// (`--small F` / `--large F` are still accepted: a client log measured natively and in the browser.)
//
// What it measures, and how:
// - native, sipscope next to its peers on the same file in the same run. Per file: each tool once, untimed, to
//   count what it finds (this also puts the file in the page cache), then RUNS timed runs (default 5) through
//   hyperfine (`-N --output=pipe`: no shell; the output is read through a pipe, as a script would read it, not
//   sent to /dev/null, which some tools notice), then one more run under `/usr/bin/time -f %M` for the peak
//   resident set. Without hyperfine the runs are timed here (spawnSync). Reported: the median wall time (not the
//   best), MB/s, µs per message (wall ÷ the messages in the file: the generator's count, else sipscope's), the
//   time ÷ sipscope's, CPU time (user + system, mean of the timed runs) and the peak RSS.
//     client logs:    sipscope --summary F        rg -c "Sending Packet|Data Received" F   (lines: 2 per message)
//     server traces:  sipscope --summary F        rg -c -F '$$begin_record' F              (records)
//     captures:       sipscope --summary F        tshark -r F -q -z sip,stat               (TCP desegmentation on,
//                     as by default: "Number of SIP messages")
//                     sngrep -N -q -I F  (timed: read the capture without the interface; its main thread looks
//                     every 0.5 s whether reading is over, so its wall time is rounded up to 0.5 s steps: see
//                     its CPU time). Counted in the untimed run, `sngrep -N -q -I F -O out.pcap -H udp:…`: one
//                     HEP packet per SIP message it parsed, counted on a local UDP socket; the messages tshark
//                     finds in out.pcap are a cross-check (results.json).
// - `cargo bench --bench pipeline`: its one-line result.
// - browser (Debian's Chromium through playwright-core, headless, the flags of e2e/helpers.mjs), BROWSER_RUNS runs
//   per client log (default 3), median and best reported: the page is opened and its analysis engine has loaded;
//   the file is set on the file input. Times are taken in the page: from the input's `change` event (what a drop
//   also starts) to `data-state="done"` (MB/s), to the first ladder row in the DOM (the preview's, or the
//   ladder's) and the animation frame after it (first row visible). The longest main-thread task is the longest
//   `longtask` PerformanceObserver entry between the change event and one second after done. Then the ladder is
//   scrolled top to bottom (jumps, then 150 frames of continuous scrolling): the longest task and the longest
//   frame while scrolling, and the most arrows ever in the DOM. Then a word and a query of fields are typed into the
//   filter box: the time until the ladder is narrowed and the match count shown. Then the trace view is opened
//   and a word typed into its query box: the time until its first rows, then the narrowed rows, are drawn.
// - memory in the browser: the peak resident set (VmHWM in /proc/PID/status) of the Chromium renderer process
//   that hosts the page and its Web Worker (found with CDP SystemInfo.getProcessInfo; a fresh browser per run, so
//   the page's renderer is the largest); VmRSS sampled every 50 ms as a cross-check; the wasm memory the worker
//   reports at the end (it never shrinks, so it is the wasm peak); the main thread's JS heap (CDP
//   Performance.getMetrics JSHeapUsedSize, sampled). The worker's own JS heap is inside the renderer's RSS but
//   not reported apart.
// - the release wasm: raw and gzip -9 size of dist/sipscope_bg.wasm.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, statSync, writeFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { join, basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { probes, scrollProbe, searchProbe, traceProbe } from './probes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const opts = (name) => args.flatMap((a, i) => (a === `--${name}` && i + 1 < args.length ? [args[i + 1]] : []));
const OUTDIR = opt('out', join(ROOT, 'bench', 'out'));
const RUNS = Number(opt('runs', '5'));
const BROWSER_RUNS = Number(opt('browser-runs', '3'));
const NATIVE_ONLY = args.includes('--native-only');
const SKIP_CARGO_BENCH = args.includes('--skip-cargo-bench');
const BIGS = NATIVE_ONLY ? [] : opts('big');
const CLI = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'sipscope');
mkdirSync(OUTDIR, { recursive: true });

const FORMATS = {
  client: 'client log',
  presence: 'presence-heavy client log',
  server: 'server trace',
  capture: 'capture',
};
// --file FORMAT:PATH (repeatable); --small/--large F: a client log, natively and in the browser.
const FILES = opts('file').map((s) => {
  const i = s.indexOf(':');
  const format = s.slice(0, i);
  if (i < 0 || !FORMATS[format]) throw new Error(`--file ${s}: expected FORMAT:PATH with FORMAT one of ${Object.keys(FORMATS).join(', ')}`);
  return { format, path: s.slice(i + 1) };
});
const BROWSER_FILES = opts('browser');
for (const f of [opt('small', ''), opt('large', '')].filter(Boolean)) {
  FILES.push({ format: 'client', path: f });
  BROWSER_FILES.push(f);
}
// --skip FORMAT:SIZE:REASON (repeatable): a row that could not be measured, and why.
const SKIPS = opts('skip').map((s) => {
  const [format, size, ...rest] = s.split(':');
  return { format, size, reason: rest.join(':') };
});

const MB = 1e6;
// A contact that sipscope-gen puts in many presence messages.
const SEARCH_QUERY = 'USER42@limcm.com';
// A query of fields only (answered from what the engine holds, no text read back): issue 12's "within 150 ms of
// the typing pause".
const FIELD_QUERY = 'method:SUBSCRIBE status:2xx -direction:out';
// A word in some of the trace lines sipscope-gen writes (a timer's), looked for in every line's text.
const TRACE_QUERY = 'fired';
const log = (...a) => console.error('   ', ...a);
const round = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? null : Number(x.toFixed(d)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
const firstLine = (cmd, argv) => {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  return r.error ? null : `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim()) || null;
};
// POSIX shell quoting, for hyperfine's command line (it splits it like a shell, with -N no shell runs it).
const shq = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

function machine() {
  const os = existsSync('/etc/os-release') ? (/PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8')) || [])[1] : '';
  return {
    cpus: cpus().length,
    cpu: cpus()[0] ? cpus()[0].model : '',
    memory_gb: round(totalmem() / 2 ** 30, 1),
    os,
    rustc: firstLine('rustc', ['--version']),
    node: process.version,
    tools: {
      sipscope: firstLine(CLI, ['--version']),
      rg: firstLine('rg', ['--version']),
      tshark: firstLine('tshark', ['--version']),
      sngrep: firstLine('sngrep', ['-V']),
      hyperfine: firstLine('hyperfine', ['--version']),
    },
    loadavg_at_start: loadavg().map((x) => round(x, 2)),
  };
}

// ---------------------------------------------------------------------------------------------
// Native: sipscope and its peers.

// How each tool is run on a file, and how what it found is read from its output.
const TOOLS = {
  sipscope: {
    bin: CLI,
    label: '`sipscope --summary`',
    argv: (f) => ['--summary', f],
    count: (out) => ({ count: Number((/^messages:\s+(\d+)/m.exec(out) || [])[1]), unit: 'messages' }),
  },
  rg_client: {
    bin: 'rg',
    label: '`rg -c "Sending Packet\\|Data Received"`',
    argv: (f) => ['-c', 'Sending Packet|Data Received', f],
    okStatus: [0, 1], // 1: no match
    count: (out) => ({ count: Number(out.trim() || 0), unit: 'lines' }),
  },
  rg_server: {
    bin: 'rg',
    label: "`rg -c -F '$$begin_record'`",
    argv: (f) => ['-c', '-F', '$$begin_record', f],
    okStatus: [0, 1],
    count: (out) => ({ count: Number(out.trim() || 0), unit: 'records' }),
  },
  tshark: {
    bin: 'tshark',
    label: '`tshark -r F -q -z sip,stat`',
    argv: (f) => ['-r', f, '-q', '-z', 'sip,stat'],
    count: (out) => ({
      count: Number((/Number of SIP messages:\s*(\d+)/.exec(out) || [])[1]),
      unit: 'messages',
      resent: Number((/Number of resent SIP messages:\s*(\d+)/.exec(out) || [])[1]),
    }),
  },
  sngrep: {
    bin: 'sngrep',
    label: '`sngrep -N -q -I F`',
    argv: (f) => ['-N', '-q', '-I', f],
    countRun: sngrepCount,
  },
};
const TOOLS_BY_FORMAT = {
  client: ['sipscope', 'rg_client'],
  presence: ['sipscope', 'rg_client'],
  server: ['sipscope', 'rg_server'],
  capture: ['sipscope', 'tshark', 'sngrep'],
};

function run(cmd, argv, okStatus = [0]) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (!okStatus.includes(r.status)) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return r;
}

// UDP datagrams the kernel dropped for a full receive buffer (all sockets): a HEP count is a lower bound if it moved.
const udpRcvbufErrors = () => {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const [h, v] = lines.map((l) => l.split(/\s+/));
    return Number(v[h.indexOf('RcvbufErrors')]);
  } catch {
    return null;
  }
};

// sngrep 1.6 has no message count of its own in its no-interface mode ("Dialog count" only). Each SIP message it
// parses is sent as one HEP packet (-H) and written to the -O capture; the HEP packets are counted here.
async function sngrepCount(file) {
  const sock = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  let hep = 0;
  sock.on('message', () => { hep++; });
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  const port = sock.address().port;
  const dump = join(OUTDIR, 'sngrep-out.pcap');
  rmSync(dump, { force: true });
  const drops0 = udpRcvbufErrors();
  const child = spawn('sngrep', ['-N', '-q', '-I', file, '-O', dump, '-H', `udp:127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.resume();
  const status = await new Promise((r) => child.on('close', r));
  for (let last = -1; last !== hep;) { last = hep; await sleep(300); } // the last datagrams
  sock.close();
  const drops = drops0 === null ? null : udpRcvbufErrors() - drops0;
  if (status !== 0) throw new Error(`sngrep failed (${status}): ${stderr.slice(-2000)}`);
  let dumpCount = null;
  if (has('tshark') && existsSync(dump)) {
    dumpCount = TOOLS.tshark.count(run('tshark', TOOLS.tshark.argv(dump)).stdout).count;
  }
  rmSync(dump, { force: true });
  return {
    count: hep,
    unit: 'messages',
    dialogs: null,
    udp_drops_during_count: drops,
    tshark_count_in_sngrep_output_pcap: dumpCount,
  };
}

// RUNS timed runs of `bin argv` (wall time; CPU time, user + system), then one more run under /usr/bin/time for
// its peak resident set: the timed runs are not wrapped, so that the fastest tools do not carry its ~1 ms.
function timeRuns(bin, argv, okStatus, tag) {
  let res;
  if (has('hyperfine')) {
    const json = join(OUTDIR, `.hyperfine-${tag}.json`);
    const cmd = [bin, ...argv].map(shq).join(' ');
    run('hyperfine', ['-N', '-i', '--output=pipe', '--style', 'none', '--runs', String(RUNS), '--export-json', json, cmd]);
    const h = JSON.parse(readFileSync(json, 'utf8')).results[0];
    rmSync(json, { force: true });
    const bad = (h.exit_codes || []).filter((c) => !okStatus.includes(c));
    if (bad.length) throw new Error(`${bin} exited with ${bad.join(', ')} under hyperfine`);
    res = { timer: 'hyperfine', runs_s: h.times, cpu_s: h.user + h.system };
  } else {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
      runs.push(Number(process.hrtime.bigint() - t) / 1e9);
      if (!okStatus.includes(r.status)) throw new Error(`${bin} failed (${r.status}): ${String(r.stderr).slice(-2000)}`);
    }
    res = { timer: 'node spawnSync', runs_s: runs, cpu_s: null };
  }
  // "%M %U %S"; /usr/bin/time writes a "Command exited with non-zero status" line first when it did.
  const statsFile = join(OUTDIR, `.time-${tag}.txt`);
  const r = spawnSync('/usr/bin/time', ['-o', statsFile, '-f', '%M %U %S', bin, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
  if (!okStatus.includes(r.status)) throw new Error(`/usr/bin/time ${bin} failed (${r.status}): ${String(r.stderr).slice(-2000)}`);
  const m = readFileSync(statsFile, 'utf8').split('\n').map((l) => /^(\d+) ([\d.]+) ([\d.]+)$/.exec(l.trim())).find(Boolean);
  rmSync(statsFile, { force: true });
  if (!m) throw new Error(`/usr/bin/time gave no figures for ${bin}`);
  return { ...res, rss_kb: Number(m[1]), cpu_s: res.cpu_s ?? Number(m[2]) + Number(m[3]) };
}

async function measureTool(key, file, bytes) {
  const t = TOOLS[key];
  const name = key.replace(/_.*/, '');
  if (!has(t.bin)) return { tool: name, label: t.label, skipped: `${t.bin} is not installed` };
  log(`native: ${name} on ${basename(file)} (1 counting run, ${RUNS} timed)`);
  const found = t.countRun ? await t.countRun(file) : t.count(run(t.bin, t.argv(file), t.okStatus).stdout);
  const timed = timeRuns(t.bin, t.argv(file), t.okStatus || [0], name);
  const med = median(timed.runs_s);
  const rssKb = timed.rss_kb;
  return {
    tool: name,
    label: t.label,
    command: [t.bin === CLI ? 'target/release/sipscope' : t.bin, ...t.argv(basename(file))].map(shq).join(' '),
    ...found,
    timer: timed.timer,
    runs_s: timed.runs_s.map((x) => round(x, 4)),
    median_s: round(med, 4),
    best_s: round(Math.min(...timed.runs_s), 4),
    mb_s: round(bytes / MB / med, 0),
    cpu_s: round(timed.cpu_s, 3),
    rss_kb: rssKb,
    rss_mb: round((rssKb * 1024) / MB, 0),
    rss_x_file: round((rssKb * 1024) / bytes, 2),
  };
}

// What the generator said it wrote (bench/run.sh keeps its stderr beside the file as FILE.gen.txt).
function generated(file) {
  const f = `${file}.gen.txt`;
  if (!existsSync(f)) return null;
  const m = /(\d+) (?:SIP )?messages/.exec(readFileSync(f, 'utf8'));
  return m ? Number(m[1]) : null;
}

async function native({ format, path }) {
  const bytes = statSync(path).size;
  const tools = [];
  for (const key of TOOLS_BY_FORMAT[format]) {
    try {
      tools.push(await measureTool(key, path, bytes));
    } catch (err) {
      tools.push({ tool: key.replace(/_.*/, ''), label: TOOLS[key].label, skipped: `failed: ${String(err.message || err).split('\n')[0]}` });
    }
  }
  const gen = generated(path);
  const sip = tools.find((t) => t.tool === 'sipscope' && !t.skipped);
  const messages = gen ?? (sip ? sip.count : null);
  for (const t of tools.filter((x) => !x.skipped)) {
    t.us_per_message = messages ? round((t.median_s * 1e6) / messages, 2) : null;
    t.time_vs_sipscope = sip ? round(t.median_s / sip.median_s, 2) : null;
  }
  return { format, file: basename(path), path, bytes, generated_messages: gen, messages, messages_from: gen !== null ? 'generator' : 'sipscope', tools };
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

// ---------------------------------------------------------------------------------------------
// Browser.

let setup;
let DIST;

function procStatus(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s) || [])[1] || 0);
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return null;
  }
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
    const fields = await page.evaluate(searchProbe, FIELD_QUERY);
    const trace = await page.evaluate(traceProbe, TRACE_QUERY);
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
      fields: { ...fields, ms: round(fields.ms, 0) },
      trace: { ...trace, open_ms: round(trace.open_ms, 0), query_ms: round(trace.query_ms, 0) },
      memory: {
        renderer_peak_rss_mb: round(rendererPeak / MB, 0),
        renderer_sampled_peak_rss_mb: round(peakRss / MB, 0),
        renderer_sampled_peak_rss_until_done_mb: round(peakRssAnalysis / MB, 0),
        renderers: hwm.map((h) => ({ pid: h.pid, hwm_mb: round((h.hwm || 0) / MB, 0) })),
        wasm_mb: b.detail ? round(b.detail.wasmBytes / MB, 0) : null,
        main_js_heap_peak_mb: round(peakHeap / MB, 1),
        worker_js_heap_peak_mb: round(workerHeap / MB, 1),
        js_heap_plus_wasm_mb: b.detail ? round((peakHeap + workerHeap + b.detail.wasmBytes) / MB, 0) : null,
        budget_mb: round((0.35 * bytes) / MB + 60, 0),
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

const results = {
  date: new Date().toISOString(),
  machine: machine(),
  settings: { runs: RUNS, browser_runs: NATIVE_ONLY ? 0 : BROWSER_RUNS, timer: has('hyperfine') ? 'hyperfine' : 'node spawnSync' },
  native: [],
  skipped: SKIPS,
  cargo_bench: null,
  browser: [],
  big: null,
};
if (!NATIVE_ONLY) {
  let CHROMIUM;
  ({ setup, DIST, CHROMIUM } = await import('../e2e/helpers.mjs'));
  results.machine.chromium = firstLine(CHROMIUM, ['--version']);
}
const mc = results.machine;
log(`machine: ${mc.cpus} × ${mc.cpu}, ${mc.os}${mc.chromium ? `, ${mc.chromium}` : ''}`);

for (const f of FILES) results.native.push(await native(f));
results.cargo_bench = SKIP_CARGO_BENCH ? { ok: false, error: 'skipped (--skip-cargo-bench)' } : cargoBench();

if (!NATIVE_ONLY) {
  for (const f of BROWSER_FILES) {
    for (let i = 0; i < BROWSER_RUNS; i++) {
      log(`browser: ${basename(f)} (run ${i + 1} of ${BROWSER_RUNS})`);
      results.browser.push(await browserRun(f));
    }
  }
  results.wasm = wasmSize();
  const last = BROWSER_FILES[BROWSER_FILES.length - 1];
  if (last) {
    log(`screenshots of ${basename(last)} (bench/out/reading-1366.png, done-1366.png)`);
    results.screenshots = await screenshots(last);
  }
  // Gigabyte inputs: analyzed in the page (the default limit is 2 GiB), and refused up front when the limit is
  // set below their size (what a device with little memory does).
  results.big = [];
  for (const big of BIGS) {
    const entry = { file: basename(big), bytes: statSync(big).size };
    log(`big: browser refusal of ${entry.file} under ?max-bytes=104857600`);
    entry.refusal = await browserRun(big, { expectRefusal: true, query: '?max-bytes=104857600' });
    log(`big: browser analysis of ${entry.file}`);
    try {
      entry.analyzed = await browserRun(big);
    } catch (err) {
      entry.analyzed = { outcome: 'crashed', error: String(err.message || err).split('\n')[0] };
    }
    results.big.push(entry);
  }
}
results.machine.loadavg_at_end = loadavg().map((x) => round(x, 2));
writeFileSync(join(OUTDIR, 'results.json'), JSON.stringify(results, null, 2) + '\n');

// ---------------------------------------------------------------------------------------------
// The Markdown tables.

const lines = [];
const n0 = (x) => (x === null || x === undefined ? '—' : x.toLocaleString('en-US'));
const mbText = (b) => `${(b / MB).toFixed(0)} MB`;
const secs = (s) => (s >= 10 ? s.toFixed(1) : s >= 1 ? s.toFixed(2) : s.toFixed(3));
const cpu = (s) => (s === null ? '—' : s < 0.01 ? '< 0.01 s' : `${secs(s)} s`);
const us = (x) => (x === null || x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const times = (x) => (x === null ? '—' : `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)} ×`);
const m = results.machine;
// "TShark (Wireshark) 4.0.17 (Git …)" → "tshark 4.0.17", "sngrep - 1.6.0" → "sngrep 1.6.0".
const toolVersions = Object.entries(m.tools).filter(([, v]) => v)
  .map(([k, v]) => `${k} ${(/\d+\.\d+(?:\.\d+)?/.exec(v) || ['?'])[0]}`).join(', ');
lines.push(`Machine: ${m.cpus} × ${m.cpu}, ${m.memory_gb} GB, ${m.os}; ${m.rustc}; ${toolVersions}${m.chromium ? `; ${m.chromium}` : ''}; load average ${m.loadavg_at_start.join(' ')} at start, ${m.loadavg_at_end.join(' ')} at end.`);
lines.push('');
lines.push(`Native, the same files in the same run: median of ${RUNS} runs (${results.settings.timer}; the file in the page cache), MB = 10⁶ bytes.`);
lines.push('');
lines.push(`| format | file | tool | median wall | MB/s | µs per message | time ÷ sipscope's | CPU, user + sys${results.settings.timer === 'hyperfine' ? ' (mean)' : ''} | peak RSS (× file) | found |`);
lines.push('|---|---|---|---|---|---|---|---|---|---|');
const notes = new Set();
const found = (t, expected) => {
  if (t.unit !== 'messages') {
    if (t.unit === 'lines') notes.add('lines');
    if (t.unit === 'records') notes.add('records');
    return `${n0(t.count)} ${t.unit}`;
  }
  if (t.tool === 'sngrep') notes.add('sngrep-count');
  if (t.tool === 'tshark') notes.add('tshark-count');
  // HEP datagrams the kernel dropped while sngrep was counted: its count is then a lower bound.
  const atLeast = t.udp_drops_during_count ? '≥ ' : '';
  const dropped = t.udp_drops_during_count ? ` (${n0(t.udp_drops_during_count)} UDP datagrams dropped while counting)` : '';
  if (!expected || t.count === expected) return `${atLeast}${n0(t.count)}${dropped}`;
  return `${atLeast}${n0(t.count)} of ${n0(expected)} (${((100 * t.count) / expected).toFixed(t.count / expected > 0.99 ? 1 : 0)} %)${dropped}`;
};
const byFormat = Object.keys(FORMATS);
const rows = [...results.native].sort((a, b) => byFormat.indexOf(a.format) - byFormat.indexOf(b.format) || a.bytes - b.bytes);
for (const format of byFormat) {
  for (const r of rows.filter((x) => x.format === format)) {
    r.tools.forEach((t, i) => {
      const file = i ? '' : `${r.file} (${mbText(r.bytes)}, ${n0(r.messages)} msgs${r.messages_from === 'generator' ? '' : ' by sipscope'})`;
      const head = `| ${i ? '' : FORMATS[format]} | ${file} | ${t.label} |`;
      if (t.skipped) {
        lines.push(`${head} ${t.skipped} | | | | | | |`);
        return;
      }
      if (t.tool === 'sngrep') notes.add('sngrep-wall');
      if (t.tool === 'rg') notes.add('rg-rss');
      const wall = t.tool === 'sipscope' ? `**${secs(t.median_s)} s**` : `${secs(t.median_s)} s`;
      const mbs = t.tool === 'sipscope' ? `**${t.mb_s}**` : `${t.mb_s}`;
      const ratio = t.tool === 'sipscope' ? '1' : times(t.time_vs_sipscope);
      lines.push(`${head} ${wall} | ${mbs} | ${us(t.us_per_message)} | ${ratio} | ${cpu(t.cpu_s)} | ${t.rss_mb} MB (${t.rss_x_file} ×) | ${found(t, r.messages)} |`);
    });
  }
  const sk = SKIPS.filter((s) => s.format === format);
  if (sk.length) {
    for (const reason of [...new Set(sk.map((s) => s.reason))]) {
      const sizes = sk.filter((s) => s.reason === reason).map((s) => s.size).join(', ');
      lines.push(`| ${FORMATS[format] || format} | ${sizes} | not measured: (${reason}) | | | | | | | |`);
    }
  }
}
lines.push('');
if (notes.has('lines')) lines.push('- `rg` on a client log counts matching lines: every message has a `Sending Packet`/`Data Received` line and an `End of …` line, and trace lines that mention them in prose match too; it does not tell messages apart.');
if (notes.has('records')) lines.push('- `rg` on a server trace counts `$$begin_record` lines: one per trace record, and connection records (TF_CONNECTION) carry no SIP message.');
if (notes.has('tshark-count')) lines.push('- tshark: "Number of SIP messages" of `-z sip,stat`, with TCP desegmentation on (its default); it finds SIP on port 5060 and, by its heuristics (on by default), on other TCP and UDP ports.');
if (notes.has('sngrep-count')) lines.push('- sngrep has no message count of its own (`-N` prints a dialog count): counted in a separate run, `sngrep -N -q -I F -O out.pcap -H udp:127.0.0.1:PORT`, one HEP packet per SIP message it parsed, counted on a local UDP socket (a cross-check in results.json: the SIP messages tshark finds in out.pcap). sngrep 1.6 drops a request whose method it does not know (Lync\'s SERVICE and BENOTIFY), a response in a dialog it has not seen begin with a request (so the responses to those), and a message over 10 KiB (a 200 OK carrying a big presence document); it keeps 20,000 dialogs (`-l`), the oldest rotated out.');
if (notes.has('sngrep-wall')) lines.push('- sngrep\'s wall time is rounded up to its main thread\'s 0.5 s polling (`-N` waits in steps of 500 ms for the reading thread to finish): its CPU time is the better measure of its work.');
lines.push(`- µs per message: the median wall time ÷ the messages in the file (the generator's count; sipscope's when the file was not generated). ${results.settings.timer === 'hyperfine'
  ? 'CPU: user + system, the mean of the timed runs (hyperfine; a slow run weighs on it, unlike on the median wall time).'
  : 'CPU: user + system of the run under /usr/bin/time (no hyperfine: not a mean).'} Peak RSS: \`/usr/bin/time -f %M\`, in one more run.`);
if (notes.has('rg-rss')) lines.push('- rg memory-maps the file it searches: its peak RSS counts the file\'s pages it touched.');
const cb = results.cargo_bench;
lines.push(cb.ok
  ? `- \`cargo bench --bench pipeline\` (in memory, 4 MiB chunks): generated ${cb.mib} MiB, ${n0(cb.messages)} msgs, best of its runs ${cb.best_s} s = **${cb.mb_s} MB/s** (${cb.mib_s} MiB/s).`
  : `- \`cargo bench --bench pipeline\`: not run: ${cb.error.split('\n').filter(Boolean).pop()}`);

// Browser: median and best of the runs (best = fastest, or least memory).
if (!NATIVE_ONLY) {
  const med = (runs, fn) => median(runs.map(fn));
  const best = (runs, fn, lowIsBest = true) => (lowIsBest ? Math.min : Math.max)(...runs.map(fn));
  const worst = (runs, fn) => Math.max(...runs.map(fn));
  const mbw = (runs, fn, unit, d = 0) => `**${round(med(runs, fn), d)} ${unit}** (best ${round(best(runs, fn), d)}, worst ${round(worst(runs, fn), d)})`;
  lines.push('');
  lines.push(`In Chromium (headless), ${BROWSER_RUNS} runs per log, a fresh browser each: the median in bold, then the best and the worst run.`);
  lines.push('');
  lines.push('| what | file | figure | target |');
  lines.push('|---|---|---|---|');
  const byFile = {};
  for (const r of results.browser.filter((x) => x.outcome === 'done')) (byFile[r.file] ||= []).push(r);
  for (const [file, runs] of Object.entries(byFile)) {
    const n = runs.length;
    const r0 = runs[0];
    const label = `${file} (${mbText(r0.bytes)}, ${n0(r0.messages)} msgs)`;
    const sorted = [...runs].sort((a, b) => a.drop_to_done_ms - b.drop_to_done_ms);
    const medRun = sorted[(n - 1) >> 1];
    const fastest = sorted[0];
    const w = medRun.worker_ms;
    lines.push(`| Chromium: drop → \`data-state="done"\`, median / best of ${n} | ${label} | median ${(med(runs, (r) => r.drop_to_done_ms) / 1000).toFixed(2)} s = **${round(med(runs, (r) => r.mb_s), 0)} MB/s**; best ${(fastest.drop_to_done_ms / 1000).toFixed(2)} s = ${fastest.mb_s} MB/s${w ? ` (worker, median run: read ${w.read} ms [engine ${w.push} ms, waiting for the file ${w.wait} ms], correlate ${w.correlate} ms, results ${w.serialize} ms)` : ''} | ≥ 150 MB/s |`);
    lines.push(`| Chromium: first ladder row visible after the drop | ${file} | ${mbw(runs, (r) => r.first_row_frame_ms, 'ms')} | ≤ 1000 ms |`);
    lines.push(`| Chromium: longest main-thread task, drop → done + 1 s | ${file} | ${mbw(runs, (r) => r.longest_task_ms, 'ms')} | ≤ 100 ms |`);
    lines.push(`| Chromium: scrolling the ladder top to bottom: longest task / longest frame / most arrows in the DOM | ${file} | ${mbw(runs, (r) => r.scroll.longest_task_ms, 'ms')} / ${mbw(runs, (r) => r.scroll.longest_frame_ms, 'ms')} / ${worst(runs, (r) => r.scroll.max_arrows_in_dom)} arrows at most (${n0(worst(runs, (r) => r.scroll.dom_elements))} elements in all) | ≤ 100 ms, a few hundred arrows |`);
    lines.push(`| Chromium: search for \`${r0.search.query}\` typed into the filter box → match count shown (160 ms of it waits for more typing) | ${file} | ${mbw(runs, (r) => r.search.ms, 'ms')}; ${r0.search.result} | for information |`);
    lines.push(`| Chromium: query \`${r0.fields.query}\` typed → ladder narrowed and count shown, after the 160 ms typing pause | ${file} | ${mbw(runs, (r) => r.fields.ms - 160, 'ms')}; ${r0.fields.result} | ≤ 150 ms |`);
    if (r0.trace) {
      lines.push(`| Chromium: the trace view opened (${r0.trace.rows}: every line and message put in order) → first rows drawn | ${file} | ${mbw(runs, (r) => r.trace.open_ms, 'ms')} | for information |`);
      lines.push(`| Chromium: \`${r0.trace.query}\` typed into the trace's query box → rows narrowed, after the 200 ms typing pause (every line's text read back) | ${file} | ${mbw(runs, (r) => r.trace.query_ms - 200, 'ms')}; ${r0.trace.result} | for information |`);
    }
    lines.push(`| Chromium: peak page memory, JS heap (page + worker) + wasm | ${file} | ${mbw(runs, (r) => r.memory.js_heap_plus_wasm_mb, 'MB')}; median run: wasm ${medRun.memory.wasm_mb} MB, JS heap page ${medRun.memory.main_js_heap_peak_mb} MB + worker ${medRun.memory.worker_js_heap_peak_mb} MB | ≤ ${r0.memory.budget_mb} MB (0.35 × file + 60 MB) |`);
    lines.push(`| Chromium: peak resident memory of the renderer process (page + worker + Blink + V8), VmHWM | ${file} | until done ${mbw(runs, (r) => r.memory.renderer_sampled_peak_rss_until_done_mb, 'MB')}; after the scrolling test ${mbw(runs, (r) => r.memory.renderer_peak_rss_mb, 'MB')} | for information (an empty page: ~140 MB) |`);
  }
  if (results.wasm) lines.push(`| release wasm (\`dist/sipscope_bg.wasm\`) | | ${(results.wasm.raw_bytes / 1024).toFixed(0)} KiB raw, ${(results.wasm.gzip_bytes / 1024).toFixed(0)} KiB gzip -9 | |`);
  for (const b of results.big || []) {
    const rf = b.refusal;
    lines.push(`| Chromium: ${b.file} dropped with \`?max-bytes=104857600\` | ${mbText(b.bytes)} | ${rf.outcome === 'error' ? `refused up front in ${round(rf.t, 0)} ms: "${rf.title}"` : `not refused (${rf.outcome})`} | refused, never a crash |`);
    const fo = b.analyzed;
    lines.push(fo.outcome === 'done'
      ? `| Chromium: ${b.file} analyzed | ${mbText(b.bytes)} | ${(fo.drop_to_done_ms / 1000).toFixed(1)} s = ${fo.mb_s} MB/s; JS heap + wasm ${fo.memory.js_heap_plus_wasm_mb} MB (wasm ${fo.memory.wasm_mb} MB); peak renderer ${fo.memory.renderer_peak_rss_mb} MB | ≤ ${fo.memory.budget_mb} MB (0.35 × file + 60 MB) |`
      : `| Chromium: ${b.file} analyzed | ${mbText(b.bytes)} | ${fo.outcome}: ${(fo.message || fo.error || '').slice(0, 160)} | analyzed |`);
  }
  const problems = results.browser.flatMap((r) => r.problems || []);
  if (problems.length) lines.push('', `Page problems seen: ${[...new Set(problems)].join('; ')}`);
}
console.log(lines.join('\n'));
