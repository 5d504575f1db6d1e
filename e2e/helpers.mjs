// Shared setup for the e2e tests: Debian's Chromium through playwright-core, and dist/ on a loopback port.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..');
export const DIST = process.env.SIPSCOPE_DIST || join(ROOT, 'dist');
export const OUT = join(HERE, 'out');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

/**
 * An init script that reports every Content-Security-Policy violation (Trusted Types included) as a console
 * error: the tests fail on console errors, so they fail on any violation.
 */
export const REPORT_CSP_VIOLATIONS = () => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`CSP violation: ${e.violatedDirective} (${e.blockedURI || 'inline'}) ${e.sample || ''}`);
  });
};

/**
 * Start the static server and the browser. Call `close()` when done. `root` is the folder served (dist/ by
 * default), at `prefix` ('/' by default; '/sipscope/' serves it as GitHub Pages serves a project's site).
 */
export async function setup({ root = DIST, prefix = '/' } = {}) {
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`${root}/index.html is missing: build the page first (trunk build --release --config trunk.toml)`);
  }
  const srv = await startServer(root, 0, { prefix });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  return {
    origin: srv.origin,
    url: srv.url,
    requests: srv.requests,
    setRoot: srv.setRoot,
    browser,
    async close() {
      await browser.close();
      await srv.close();
    },
  };
}

/**
 * A new page at the site's address that records page errors, console errors and dialogs. Any of those, or a
 * request to another origin, is collected in `problems`; tests assert it stays empty.
 *
 * The page's service worker (www/sw.js) is blocked unless a test asks for it (`serviceWorkers: 'allow'`, as
 * sw.test.mjs does): once it controls a page, a reload is answered from its cache, and a test's routes (a worker.js
 * served with a fault, a file blocked) would no longer see the page's requests.
 */
export async function openPage(env, { width = 1366, height = 768, colorScheme = 'light', block = [], allowConsoleErrors = false, acceptDownloads = false, serviceWorkers = 'block' } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height }, colorScheme, acceptDownloads, serviceWorkers });
  const problems = [];
  const dialogs = [];
  const requests = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (block.some((path) => url === env.origin + path)) return route.abort('failed');
    if (url.startsWith(env.origin + '/') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    problems.push(`blocked request to another origin: ${url}`);
    return route.abort('blockedbyclient');
  });
  // Every CSP violation (a Trusted Types sink given a string included) becomes a console error, so a problem.
  await context.addInitScript(REPORT_CSP_VIOLATIONS);
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allowConsoleErrors) problems.push(`console error: ${msg.text()}`);
  });
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    problems.push(`dialog opened: ${d.type()} ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  await page.goto(env.url || env.origin + '/', { waitUntil: 'load' });
  return { page, context, problems, dialogs, requests };
}

/** Wait until the page finished an analysis ("done" or "error"); returns the state. */
export async function waitSettled(page, timeout = 60_000) {
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { timeout });
  return page.evaluate(() => document.body.dataset.state);
}

export async function waitDone(page, timeout = 60_000) {
  const st = await waitSettled(page, timeout);
  if (st !== 'done') {
    const msg = await page.locator('#error-message').textContent().catch(() => '');
    throw new Error(`analysis ended in state ${st}: ${msg}`);
  }
  return Number(await page.evaluate(() => document.body.dataset.messageCount));
}

/** Open the built-in sample and wait for its analysis; returns the message count. */
export async function openSample(page) {
  await page.click('#open-sample');
  return waitDone(page);
}

/** Click the arrow of message `msg` (0-based) and wait for its panel. */
export async function showMessage(page, msg) {
  await page.locator(`#ladder-canvas [data-msg="${msg}"]`).click();
  await page.waitForFunction((n) => document.getElementById('detail-sub').textContent === `#${n + 1}`, msg);
}

/** Choose `format` in the Export menu (opening it first). */
export async function chooseExport(page, format) {
  await page.click('#export');
  await page.click(`#export-menu [data-format="${format}"]`);
}

/** Export the view as `format` and read the download: its suggested name and its bytes. */
export async function exportFile(page, format) {
  const [download] = await Promise.all([page.waitForEvent('download'), chooseExport(page, format)]);
  const { readFileSync } = await import('node:fs');
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

/** The first existing path among `candidates`. */
export function firstExisting(...candidates) {
  return candidates.find((p) => existsSync(p));
}

/**
 * The browser and server a test file shares (`options` as `setup`'s): registers the hooks that start and stop
 * them, and returns `{ env, withPage }`. `suite.env` is set once the hook has run; `withPage(opts, fn)` gives `fn` a fresh page and
 * fails the test on any page error, console error, dialog or foreign request.
 */
export function useBrowser(options = {}) {
  const suite = { env: null };
  before(async () => {
    mkdirSync(OUT, { recursive: true });
    suite.env = await setup(options);
  });
  after(async () => {
    if (suite.env) await suite.env.close();
  });
  suite.withPage = async (opts, fn) => {
    const p = await openPage(suite.env, opts);
    try {
      await fn(p);
      assert.deepEqual(p.problems, [], 'no page errors, console errors, dialogs or foreign requests');
    } finally {
      await p.context.close();
    }
  };
  return suite;
}

/** A zip (stored and deflated entries) of `entries` [name, text]. */
export function zip(entries) {
  const out = [];
  const central = [];
  let offset = 0;
  for (const [i, [name, text]] of entries.entries()) {
    const data = Buffer.from(text);
    const deflate = i % 2 === 0;
    const body = deflate ? deflateRawSync(data) : data;
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x800, 6); local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(body.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(nameBytes.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(0x800, 8); cd.writeUInt16LE(deflate ? 8 : 0, 10);
    cd.writeUInt32LE(crc, 16); cd.writeUInt32LE(body.length, 20); cd.writeUInt32LE(data.length, 24); cd.writeUInt16LE(nameBytes.length, 28); cd.writeUInt32LE(offset, 42);
    out.push(local, nameBytes, body);
    central.push(cd, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBytes.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, cdBytes, end]);
}
