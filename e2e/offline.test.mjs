// Opened from disk (file://): index.html cannot start its engine there and says so, pointing at
// sipscope-offline.html, the single-file page (scripts/build-offline.mjs), which works from disk: the sample, a
// dropped multi-chunk log, a message's details, and no request beyond the file itself.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, CHROMIUM_ARGS, DIST, OUT, ROOT, waitDone } from './helpers.mjs';

let browser;
let dir;
before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  dir = mkdtempSync(join(tmpdir(), 'sipscope-offline-'));
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('opened from disk', () => {
  it('index.html says why it cannot start and points at the single-file page, instead of a broken page', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(pathToFileURL(join(DIST, 'index.html')).href);
      const note = page.locator('#engine-missing');
      await note.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await note.textContent(), /file:\/\/[\s\S]*sipscope-offline\.html[\s\S]*scripts\/serve\.sh/);
      assert.equal(await note.locator('a').getAttribute('href'), 'sipscope-offline.html');
      // The stylesheet loaded (no SRI check to fail on file://): the top bar is laid out, not raw HTML.
      const display = await page.evaluate(() => getComputedStyle(document.querySelector('.topbar')).display);
      assert.notEqual(display, 'block');
    } finally {
      await page.close();
    }
  });

  it('sipscope-offline.html works from disk: sample, a dropped multi-chunk log, details; no request leaves it', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const problems = [];
    const requests = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('request', (r) => requests.push(r.url()));
    try {
      const url = pathToFileURL(join(DIST, 'sipscope-offline.html')).href;
      await page.goto(url);
      await page.waitForFunction(() => document.body.dataset.engine, null, { timeout: 15_000 });
      assert.ok(await page.locator('#engine-missing').count() === 0, 'the page started');
      const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /connect-src 'none'/);
      assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|https?:|\*/, 'no inline script by default, no eval, no other origin');
      assert.match(csp, /require-trusted-types-for 'script'; trusted-types sipscope-worker sipscope-svg$/);
      // No web app manifest and no service worker from disk (ui/offline.js registers only on http(s) pages).
      assert.equal(await page.locator('link[rel="manifest"]').count(), 0);

      await page.click('#open-sample');
      assert.equal(await waitDone(page), 34);
      await page.locator('#ladder-canvas [data-msg]').first().click();
      await page.waitForFunction(() => /REGISTER/.test(document.getElementById('detail-body')?.textContent || ''));
      await page.screenshot({ path: join(OUT, 'offline-file-1366.png') });

      // A log of several 4 MiB slices, dropped through the file input: read in the worker itself here.
      const big = join(dir, 'big-client.uccapilog');
      writeFileSync(big, Buffer.concat(Array.from({ length: 150 }, () => readFileSync(join(ROOT, 'www', 'sample', 'sample.uccapilog')))));
      await page.setInputFiles('#file-input', big);
      assert.equal(await waitDone(page, 60_000), 34 * 150);

      // Trusted Types is enforced here too (each attempt is also a console error, so they are counted apart).
      const before = problems.length;
      const tried = await page.evaluate(() => ['innerHTML', 'Worker', 'policy'].map((what) => {
        try {
          if (what === 'innerHTML') document.body.innerHTML = '<b>x</b>';
          else if (what === 'Worker') new Worker('data:text/javascript,1');
          else window.trustedTypes.createPolicy('evil', { createHTML: (s) => s });
          return 'allowed';
        } catch (e) { return e.name; }
      }));
      assert.deepEqual(tried, ['TypeError', 'TypeError', 'TypeError']);
      problems.splice(before);

      const foreign = requests.filter((u) => u !== url && !u.startsWith('blob:'));
      assert.deepEqual(foreign, [], 'only the file itself and the blob: URLs it made');
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});
