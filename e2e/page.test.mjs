// End-to-end tests of the built page (dist/) in Debian's Chromium: the real wasm, a real worker, real clicks.
// Run: scripts/test.sh (builds first), or `node --test --test-reporter=spec e2e/` after a trunk build.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, OUT, waitDone, waitSettled, firstExisting, useBrowser, exportFile } from './helpers.mjs';

const FIXTURES = join(ROOT, 'tests', 'fixtures');
const SAMPLE_FILE = join(ROOT, 'www', 'sample', 'sample.uccapilog');
const PRESENCE_FILE = firstExisting(join(FIXTURES, 'seed-presence.uccapilog'), SAMPLE_FILE);
const HOSTILE_FILE = firstExisting(join(FIXTURES, 'hostile.uccapilog'));

// Files the page itself is made of: nothing else may ever be requested.
const OWN_FILES = new Set(['/', '/index.html', '/app.js', '/worker.js', '/reader.js', '/sipscope.js', '/sipscope_bg.wasm',
  '/style.css', '/favicon.svg', '/favicon.ico', '/insights.css', '/manifest.webmanifest', '/sw.js',
  // The page's modules (www/ui/).
  ...readdirSync(join(ROOT, 'www', 'ui')).filter((f) => f.endsWith('.js')).map((f) => `/ui/${f}`)]);

// A hostile SIP message, used when tests/fixtures/hostile.uccapilog is not there.
const HOSTILE_TEXT = [
  'MESSAGE sip:<script>alert(\'PWNED\')</script>@example.com SIP/2.0',
  'Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK<img src=x onerror=alert(\'PWNED\')>',
  'From: "<img src=x onerror=alert(\'PWNED\')>" <sip:a@example.com>;tag=1',
  'To: <sip:b@example.com>',
  'Call-ID: <script>alert(\'PWNED\')</script>',
  'CSeq: 1 MESSAGE',
  'Content-Type: text/html',
  'Content-Length: 95',
  '',
  '<script>alert(\'PWNED\')</script><svg onload="alert(\'PWNED\')"></svg><iframe src="javascript:1">',
  '',
].join('\r\n');

const RAW_SIP = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'From: <sip:alice@example.com>;tag=1928301774',
  'To: <sip:bob@example.com>',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 63104 OPTIONS',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

// Elements and attributes that could run code or fetch something, inside the app (the page's own form excepted).
const DANGEROUS_ELEMENTS = () => {
  const bad = [];
  for (const e of document.querySelectorAll('#app *, .topbar *')) {
    const tag = e.localName.toLowerCase();
    if (['script', 'img', 'iframe', 'object', 'embed', 'foreignobject', 'image', 'a', 'style', 'link', 'form',
      'video', 'audio', 'source', 'meta', 'base'].includes(tag)) bad.push(tag);
    for (const a of e.attributes) if (a.name.toLowerCase().startsWith('on')) bad.push(`${tag}[${a.name}]`);
  }
  return bad;
};

const suite = useBrowser();
const { withPage } = suite;


async function arrowTexts(page) {
  return page.$$eval('#ladder-canvas [data-msg]', (els) => els.map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
}

describe('sipscope page', () => {
  it('opens the sample: ladder, arrows, message details', async () => {
    await withPage({}, async ({ page }) => {
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle');
      assert.ok(await page.locator('#dropzone').isVisible(), 'the drop zone shows first');
      await page.click('#open-sample');
      const count = await waitDone(page);
      assert.ok(count > 0, `message count ${count} > 0`);
      const arrows = page.locator('#ladder-canvas [data-msg]');
      const n = await arrows.count();
      assert.ok(n > 0, 'arrows with data-msg are drawn');
      await arrows.first().click();
      await page.waitForSelector('#detail-body .start-line');
      const start = (await page.locator('#detail-body .start-line .sl-text').textContent()).trim();
      assert.match(start, /SIP\/2\.0/, 'the start line is shown');
      const names = await page.$$eval('#detail-body table.headers tbody th', (els) => els.map((e) => e.textContent.trim().toLowerCase()));
      assert.ok(names.includes('call-id'), `a Call-ID header row is shown (got ${names.join(', ')})`);
      // Files list in the top bar and the summary.
      assert.match(await page.locator('#files').textContent(), /sample\.uccapilog/);
      assert.match(await page.locator('#summary-text').textContent(), /messages?/);
    });
  });

  it('keyboard: arrows move between messages, / focuses search, Enter selects', async () => {
    await withPage({}, async ({ page }) => {
      await page.click('#open-sample');
      const count = await waitDone(page);
      const selected = () => page.evaluate(() => {
        const a = document.querySelector('#ladder-canvas [data-msg].selected');
        return a ? Number(a.getAttribute('data-msg')) : -1;
      });
      const rows = await page.$$eval('#ladder-canvas [data-msg]', (els) => els.map((e) => Number(e.getAttribute('data-msg'))));
      await page.locator('#ladder-canvas [data-msg]').first().click();
      assert.equal(await selected(), rows[0]);
      if (count > 1) {
        await page.keyboard.press('ArrowDown');
        assert.equal(await selected(), rows[1], 'ArrowDown selects the next message');
        await page.keyboard.press('ArrowUp');
        assert.equal(await selected(), rows[0], 'ArrowUp selects the previous message');
      }
      await page.keyboard.press('/');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'search', '/ focuses the search box');
      await page.keyboard.press('Escape');
      // Tab order reaches the arrows: focus one and press Enter.
      if (rows.length > 1) {
        await page.locator(`#ladder-canvas [data-msg="${rows[1]}"]`).focus();
        await page.keyboard.press('Enter');
        assert.equal(await selected(), rows[1], 'Enter on a focused arrow selects it');
      }
      const labelled = await page.$$eval('#ladder-canvas [data-msg]', (els) => els.every((e) => (e.getAttribute('aria-label') || '').length > 0));
      assert.ok(labelled, 'every arrow has an aria-label');
    });
  });

  it('opens a log through the file input: SUBSCRIBE, 200 OK, SERVICE; the 200 OK body shows categories', async () => {
    await withPage({}, async ({ page }) => {
      // Record every data-state the page goes through: "analyzing" (with its progress bar) comes first.
      await page.evaluate(() => {
        window.__states = [];
        new MutationObserver(() => {
          window.__states.push(document.body.dataset.state);
          if (document.body.dataset.state === 'analyzing') window.__progressVisible = !document.getElementById('reading').hidden;
        }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
      });
      await page.setInputFiles('#file-input', PRESENCE_FILE);
      const count = await waitDone(page);
      assert.ok(count > 0);
      const states = await page.evaluate(() => window.__states);
      assert.deepEqual(states.filter((s, i) => s !== states[i - 1]), ['analyzing', 'done'], 'idle → analyzing → done');
      assert.ok(await page.evaluate(() => window.__progressVisible), 'the progress indicator shows while analyzing');
      const labels = (await arrowTexts(page)).join('\n');
      for (const want of ['SUBSCRIBE', '200 OK', 'SERVICE']) assert.ok(labels.includes(want), `ladder shows ${want}`);
      // The 200 OK that carries presence categories for on2.
      const oks = page.locator('#ladder-canvas [data-msg]', { hasText: '200 OK' });
      let found = false;
      for (let i = 0; i < await oks.count() && !found; i++) {
        await oks.nth(i).click();
        await page.waitForSelector('#detail-body .start-line');
        const text = await page.locator('#detail-body').textContent();
        found = /200 OK/.test(text) && text.includes('categories') && text.includes('on2@limcm.com')
          && (await page.locator('#detail-body .body-part').count()) > 0;
      }
      assert.ok(found, 'a 200 OK shows a body part with categories for on2@limcm.com');
    });
  });

  it('a hostile log is shown as text: no script runs, no element is made from it', async () => {
    await withPage({}, async ({ page, dialogs }) => {
      const baseline = await page.evaluate(DANGEROUS_ELEMENTS);
      if (HOSTILE_FILE) await page.setInputFiles('#file-input', HOSTILE_FILE);
      else {
        await page.fill('#paste-text', HOSTILE_TEXT);
        await page.click('#paste-go');
      }
      await waitDone(page);
      const arrows = page.locator('#ladder-canvas [data-msg]');
      const n = Math.min(await arrows.count(), 300);
      assert.ok(n > 0, 'the hostile log has messages');
      let sawScriptText = false;
      for (let i = 0; i < n; i++) {
        await arrows.nth(i).click();
        await page.waitForSelector('#detail-body .start-line');
        const text = await page.locator('#detail-body').textContent();
        if (text.includes('<script>')) sawScriptText = true;
        // The raw view too.
        await page.click('#raw-toggle');
        const raw = await page.locator('#detail-body pre.raw').textContent();
        if (raw.includes('<script>')) sawScriptText = true;
        await page.click('#raw-toggle');
      }
      assert.ok(sawScriptText, 'the text <script> appears literally in the message panel');
      await page.screenshot({ path: join(OUT, 'hostile-1366.png') });
      const injected = await page.evaluate(DANGEROUS_ELEMENTS);
      assert.deepEqual(injected, baseline, 'no script/img/iframe or on* attribute was made from the log');
      assert.deepEqual(dialogs, [], 'no alert() fired');
      assert.equal(await page.evaluate(() => document.querySelectorAll('script').length), 1, 'only the page\'s own script element');
    });
  });

  it('privacy: only the page\'s own files are requested; CSP is strict', async () => {
    await withPage({}, async ({ page, requests }) => {
      const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      assert.ok(csp, 'CSP meta tag present');
      assert.match(csp, /connect-src 'self'/);
      assert.match(csp, /default-src 'none'/);
      assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|https?:|\*/, 'no inline script, eval or other origins');
      await page.click('#open-sample');
      await waitDone(page);
      await page.locator('#ladder-canvas [data-msg]').first().click();
      await page.setInputFiles('#file-input', PRESENCE_FILE);
      await waitDone(page);
      await page.locator('#ladder-canvas [data-msg]').first().click();
      await page.waitForTimeout(300);
      const origin = suite.env.origin;
      const foreign = requests.filter((u) => !u.startsWith(origin + '/'));
      assert.deepEqual(foreign, [], 'every request is to the page\'s own origin');
      const paths = [...new Set(requests.map((u) => new URL(u).pathname))];
      const unexpected = paths.filter((p) => !OWN_FILES.has(p));
      assert.deepEqual(unexpected, [], `only the page's own files (got ${paths.join(', ')})`);
      assert.ok(paths.includes('/sipscope_bg.wasm') && paths.includes('/worker.js'), 'the worker loaded the wasm');
      const served = [...new Set(suite.env.requests)].filter((p) => !OWN_FILES.has(p));
      assert.deepEqual(served, [], 'the server saw only the page\'s own files');
    });
  });

  it('binary junk gives a clear message, never a blank page', async () => {
    await withPage({}, async ({ page }) => {
      let seed = 12345;
      const junk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < junk.length; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        junk[i] = seed >>> 24;
      }
      await page.setInputFiles('#file-input', { name: 'junk.bin', mimeType: 'application/octet-stream', buffer: junk });
      const st = await waitSettled(page);
      assert.ok(['done', 'error'].includes(st));
      await page.screenshot({ path: join(OUT, 'junk-1366.png') });
      const message = st === 'error'
        ? await page.locator('#error-message').textContent()
        : await page.evaluate(() => {
          const parts = [];
          const notice = document.getElementById('notice');
          if (notice && !notice.hidden) parts.push(notice.textContent);
          const diags = document.getElementById('diagnostics');
          if (diags && !diags.hidden) parts.push(diags.textContent);
          return parts.join(' ');
        });
      assert.ok(message.trim().length > 10, `a visible message explains the result (got "${message.trim()}")`);
      if (st === 'done') {
        const count = Number(await page.evaluate(() => document.body.dataset.messageCount));
        if (count === 0) assert.ok(await page.locator('#notice').isVisible(), 'the "no SIP messages" notice is visible');
      }
    });
  });

  it('if the engine cannot load, the page says so (state "error"), never blank', async () => {
    await withPage({ block: ['/sipscope_bg.wasm'], allowConsoleErrors: true }, async ({ page }) => {
      await page.click('#open-sample');
      const st = await waitSettled(page, 30_000);
      assert.equal(st, 'error');
      assert.ok(await page.locator('#error').isVisible());
      assert.match(await page.locator('#error-message').textContent(), /could not be loaded|stopped|failed/i);
      await page.click('#error-back');
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle');
    });
  });

  it('files dropped on the page are analyzed', async () => {
    await withPage({}, async ({ page }) => {
      const text = readFileSync(PRESENCE_FILE, 'latin1');
      await page.evaluate((content) => {
        const dt = new DataTransfer();
        dt.items.add(new File([content], 'dropped.uccapilog', { type: 'text/plain' }));
        const target = document.getElementById('dropzone');
        for (const type of ['dragenter', 'dragover', 'drop']) {
          target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
        }
      }, text);
      const count = await waitDone(page);
      assert.ok(count > 0);
      assert.match(await page.locator('#files').textContent(), /dropped\.uccapilog/);
      assert.ok(await page.locator('#drop-overlay').isHidden(), 'the drop overlay goes away');
    });
  });

  it('pasted SIP text is analyzed: one message', async () => {
    await withPage({}, async ({ page }) => {
      await page.fill('#paste-text', RAW_SIP);
      await page.click('#paste-go');
      const count = await waitDone(page);
      assert.equal(count, 1);
      assert.equal(await page.locator('#ladder-canvas [data-msg]').count(), 1);
      await page.locator('#ladder-canvas [data-msg]').first().click();
      await page.waitForSelector('#detail-body .start-line');
      assert.match(await page.locator('#detail-body .start-line').textContent(), /OPTIONS sip:bob@example\.com SIP\/2\.0/);
    });
  });

  it('filter: a query narrows the ladder; Enter and ▲▼ step through matches; a bad part is underlined in place; chips; transactions; matched words marked', async () => {
    await withPage({}, async ({ page }) => {
      await page.click('#open-sample');
      await waitDone(page);
      const arrows = () => page.locator('#ladder-canvas [data-msg]').count();
      const counted = (text) => page.waitForFunction((t) => document.getElementById('search-count').textContent === t, text);
      assert.equal(await arrows(), 34);
      await page.keyboard.press('/');
      await page.keyboard.type('method:REGISTER status:401');
      await counted('3 matches');
      assert.equal(await arrows(), 3, 'the ladder shows the matches only');
      assert.match(await page.locator('#ladder-caption').textContent(), /3 messages/);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#ladder-canvas [data-msg].selected');
      const first = Number(await page.locator('#ladder-canvas [data-msg].selected').getAttribute('data-msg'));
      await page.click('#query-next');
      await page.waitForFunction((f) => Number(document.querySelector('#ladder-canvas [data-msg].selected')?.dataset.msg) > f, first);
      await page.click('#query-prev');
      await page.waitForFunction((f) => Number(document.querySelector('#ladder-canvas [data-msg].selected')?.dataset.msg) === f, first);
      await page.waitForSelector('#detail-body .start-line');
      assert.match(await page.locator('#detail-body .start-line').textContent(), /401 Unauthorized/);

      // A query that cannot be read: the bad part underlined in the box, the reason beside it, the ladder kept.
      await page.fill('#search', 'method:REGISTER frm:on1');
      await page.waitForSelector('#search[aria-invalid]');
      assert.equal(await page.locator('#search-mirror .q-bad').textContent(), 'frm:');
      assert.match(await page.locator('#query-error').textContent(), /^frm: is not a field \(fields: method, status/);
      assert.ok(await page.locator('#query-error').isVisible());
      assert.equal(await arrows(), 3, 'the last query that could be read still holds');
      await page.fill('#search', 'from:on1 method:REGISTER');
      await counted('8 matches');
      assert.ok(!(await page.locator('#search').getAttribute('aria-invalid')));
      assert.ok(!(await page.locator('#query-error').isVisible()));
      // The words looked for are marked in the message panel.
      await page.locator('#ladder-canvas [data-msg]').first().click();
      await page.waitForSelector('#detail-body mark.q-mark');
      const marks = await page.$$eval('#detail-body mark.q-mark', (ms) => ms.map((m) => m.textContent.toLowerCase()));
      assert.ok(marks.length >= 2 && marks.every((m) => m === 'on1'), JSON.stringify(marks));

      // With transactions: the challenges and the requests they answer; the requests dimmed as not matching.
      await page.fill('#search', 'status:401');
      await counted('3 matches');
      assert.equal(await arrows(), 3);
      await page.check('#query-tx');
      await page.waitForFunction(() => document.querySelectorAll('#ladder-canvas [data-msg]').length === 6);
      assert.equal(await page.locator('#ladder-canvas.searching [data-msg].is-hit').count(), 3);
      await page.uncheck('#query-tx');
      await page.waitForFunction(() => document.querySelectorAll('#ladder-canvas [data-msg]').length === 3);

      // A chip asks its question; pressed again, it is taken back.
      const failures = page.locator('#query-bar .chip', { hasText: 'Failures' });
      await failures.click();
      await counted('2 matches');
      assert.equal(await failures.getAttribute('aria-pressed'), 'true');
      assert.equal(await page.inputValue('#search'), 'status:>=400 -status:401 -status:407');
      const statuses = await page.$$eval('#ladder-canvas [data-msg] text', (ts) => ts.map((t) => t.textContent).join(' '));
      assert.match(statuses, /503[\s\S]*480/);
      await failures.click();
      await page.waitForFunction(() => document.querySelectorAll('#ladder-canvas [data-msg]').length === 34);
      assert.equal(await failures.getAttribute('aria-pressed'), 'false');

      await page.fill('#search', 'no-such-text-anywhere-42');
      await counted('no match');
      assert.equal(await arrows(), 0);
      await page.focus('#search');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.querySelectorAll('#ladder-canvas [data-msg]').length === 34);
    });
  });

  it('deep links: the fragment keeps the view (message, query, conversation, panel), never log text; the same file opened again with it comes back to it; ? lists every key', async () => {
    await withPage({}, async ({ page }) => {
      await page.click('#open-sample');
      await waitDone(page);
      await page.fill('#search', 'method:REGISTER');
      await page.waitForFunction(() => document.getElementById('search-count').textContent === '8 matches');
      await page.locator('#ladder-canvas [data-msg]').nth(2).click();
      await page.waitForSelector('#detail-body .start-line');
      const msg = Number(await page.locator('#ladder-canvas [data-msg].selected').getAttribute('data-msg'));
      await page.click('#findings-toggle');
      await page.waitForFunction(() => /panel=findings/.test(location.hash));
      const hash = await page.evaluate(() => location.hash);
      const p = new URLSearchParams(hash.slice(1));
      assert.equal(p.get('msg'), String(msg + 1));
      assert.equal(p.get('q'), 'method:REGISTER');
      assert.equal(p.get('panel'), 'findings');
      assert.doesNotMatch(decodeURIComponent(hash), /limcm|192\.168|on1/, 'no log text in the link');
      // The page opened again with that link, the same file: the same view.
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.engine);
      await page.click('#open-sample');
      await waitDone(page);
      await page.waitForFunction(() => document.getElementById('search-count').textContent === '8 matches');
      assert.equal(await page.inputValue('#search'), 'method:REGISTER');
      await page.waitForFunction((m) => document.querySelector('#ladder-canvas [data-msg].selected')?.dataset.msg === String(m), msg);
      await page.waitForSelector('#detail-body .start-line');
      assert.ok(await page.locator('#ins-findings').isVisible(), 'the findings panel is open again');
      assert.equal(await page.evaluate(() => location.hash), hash);
      // A conversation chosen goes into the link too.
      await page.locator('#conv-list [data-conv="0"]').click();
      await page.waitForFunction(() => /conv=1/.test(location.hash));
      // ? lists the keys; Esc closes the list.
      await page.locator('#ladder-scroll').focus();
      await page.keyboard.press('?');
      await page.waitForSelector('#keys[open]');
      assert.match(await page.locator('#keys').textContent(), /Focus the filter[\s\S]*This list/);
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => !document.querySelector('#keys[open]'));
    });
  });

  it('response times: per method a histogram, median, 90% and slowest; the slowest transactions first, each selecting its request', async () => {
    await withPage({}, async ({ page }) => {
      await page.click('#open-sample');
      await waitDone(page);
      await page.click('#times-toggle');
      await page.waitForSelector('#ins-times table.rt-methods');
      const rows = await page.$$eval('#ins-times table.rt-methods tbody tr', (trs) => trs.map((tr) => tr.innerText.split('\t').map((c) => c.trim())));
      const register = rows.find((r) => r[0] === 'REGISTER');
      assert.ok(register, JSON.stringify(rows));
      assert.equal(register[1], '4');
      assert.equal(await page.locator('#ins-times .rt-methods tbody tr').first().locator('.rt-bar').count(), 10, 'one bar per bucket');
      const first = page.locator('#ins-times .rt-slowest li').first();
      assert.match(await first.innerText(), /^12\.1 s\s*INVITE \(CSeq \d+\)\s*→ 480$/);
      await first.locator('.msg-link').click();
      await page.waitForSelector('#detail-body .start-line');
      assert.match(await page.locator('#detail-body .start-line').textContent(), /^INVITE sip:/);
      assert.match(await page.evaluate(() => location.hash), /panel=times/);
    });
  });

  it('compare: pin a message, choose another, see both side by side (headers aligned by name, bodies by line)', async () => {
    await withPage({}, async ({ page }) => {
      await page.click('#open-sample');
      await waitDone(page);
      const arrows = page.locator('#ladder-canvas [data-msg]');
      await arrows.nth(7).click(); // 200 OK to the last REGISTER
      await page.waitForSelector('#detail-body .start-line');
      assert.equal(await page.locator('#compare').textContent(), 'Compare…');
      await page.locator('#ladder-scroll').focus();
      await page.keyboard.press('c');
      await page.waitForFunction(() => document.getElementById('compare').textContent === 'Pinned #8');
      await arrows.nth(15).click(); // 503 Service Unavailable
      await page.waitForFunction(() => document.getElementById('compare').textContent === 'Compare with #8');
      await page.click('#compare');
      await page.waitForSelector('#diff[open] .diff-table');
      assert.match(await page.locator('#diff-sub').textContent(), /^#8 against #16 · \d+ changes/);
      const rows = await page.$$eval('#diff-body .diff-table tbody tr', (trs) => trs.map((tr) => [tr.className, tr.querySelector('th')?.textContent || '', tr.lastElementChild.textContent]));
      assert.deepEqual(rows[0], ['diff-changed', '', 'changed'], 'the start lines differ');
      assert.ok(rows.some((r) => r[0] === 'diff-added' && r[1] === 'ms-diagnostics' && r[2] === 'only in the second'), JSON.stringify(rows));
      assert.ok(rows.some((r) => r[0] === 'diff-removed' && r[1] === 'Contact'), 'a header of another name is not a changed value');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => !document.querySelector('#diff[open]'));
    });
  });

  it('headers alone: a pasted ms-diagnostics line and header block are explained one by one, with a note that no message was found', async () => {
    await withPage({}, async ({ page }) => {
      await page.fill('#paste-text', 'From the ticket:\nms-diagnostics: 1033;reason="Previous hop server component did not respond";source="fe01.contoso.com"\nUser-Agent: UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)\n');
      await page.click('#paste-go');
      assert.equal(await waitDone(page), 0);
      await page.waitForSelector('#detail-body .headers-alone');
      assert.match(await page.locator('#detail-body .headers-alone .notice-text').textContent(), /^No SIP message was found in .+, but it holds 2 header lines: they are explained on their own\.$/);
      const names = await page.$$eval('#detail-body .headers-alone th.h-name', (ths) => ths.map((t) => t.textContent));
      assert.deepEqual(names, ['ms-diagnostics', 'User-Agent']);
      assert.match(await page.locator('#detail-body .headers-alone tr[data-header="ms-diagnostics"] .h-help').textContent(), /1033/);
    });
  });

  it('a large log (20 MB): progress, then a windowed ladder that scrolls to the end', async () => {
    const big = join(OUT, 'big.uccapilog');
    const one = readFileSync(SAMPLE_FILE);
    writeFileSync(big, Buffer.concat(Array.from({ length: 300 }, () => one)));
    try {
      await withPage({}, async ({ page }) => {
        const t0 = Date.now();
        await page.setInputFiles('#file-input', big);
        const count = await waitDone(page, 120_000);
        const seconds = (Date.now() - t0) / 1000;
        assert.ok(count >= 300, `${count} messages`);
        const drawn = await page.locator('#ladder-canvas [data-msg]').count();
        assert.ok(drawn > 0 && drawn < count, `only the visible part is drawn (${drawn} of ${count} arrows)`);
        await page.locator('#ladder-canvas [data-msg]').first().click();
        await page.keyboard.press('End');
        const last = await page.evaluate(() => Number(document.body.dataset.messageCount) - 1);
        await page.waitForSelector('#ladder-canvas [data-msg].selected', { timeout: 10_000 });
        const sel = await page.evaluate(() => Number(document.querySelector('#ladder-canvas [data-msg].selected').getAttribute('data-msg')));
        assert.equal(sel, last, "End selects the last message, drawn after scrolling");
        await page.waitForFunction(() => document.activeElement && document.activeElement.classList.contains("selected"));
        assert.ok(await page.evaluate(() => document.querySelectorAll('#ladder-canvas [data-msg]').length) < count);
        console.log(`# large log: ${count} messages in ${seconds.toFixed(1)} s, ${drawn} arrows drawn`);
      });
    } finally {
      rmSync(big, { force: true });
    }
  });

  it('Export: SVG and Mermaid save the ladder on screen as the engine writes it; PNG is drawn at 2×; the menu works by keyboard', async () => {
    await withPage({ acceptDownloads: true }, async ({ page }) => {
      await page.click('#open-sample');
      await waitDone(page);
      const save = async (format) => {
        const f = await exportFile(page, format);
        return { name: f.name, text: f.bytes.toString('utf8'), bytes: f.bytes };
      };
      const svg = await save('svg');
      assert.match(svg.name, /\.svg$/);
      assert.match(svg.text, /^(<\?xml[^>]*>\s*)?<svg[\s>]/, 'a standalone SVG document');
      assert.match(svg.text, /REGISTER/);
      const mermaid = await save('mermaid');
      assert.match(mermaid.name, /\.mmd$/);
      assert.ok(mermaid.text.startsWith('sequenceDiagram'), `a Mermaid sequence diagram (starts ${JSON.stringify(mermaid.text.slice(0, 40))})`);
      assert.match(mermaid.text, /REGISTER/);
      // Narrowed to one conversation, the file is that conversation's ladder.
      await page.locator('#conv-list [data-conv="0"]').click();
      await page.waitForFunction(() => /of 34$/.test(document.getElementById('ladder-caption').textContent));
      const narrowed = await save('mermaid');
      const arrows = (text) => text.split('\n').filter((l) => /^\s*[^\s:]+\s*--?(>>|x|\))[+-]?\s*[^\s:]+\s*:/.test(l)).length;
      assert.ok(arrows(narrowed.text) > 0 && arrows(narrowed.text) < arrows(mermaid.text),
        `fewer arrows than the whole ladder (${arrows(narrowed.text)} of ${arrows(mermaid.text)})`);
      // PNG: the SVG drawn at twice its pixels.
      const png = await save('png');
      assert.match(png.name, /\.png$/);
      assert.equal(png.bytes.subarray(1, 4).toString('latin1'), 'PNG');
      const width = png.bytes.readUInt32BE(16);
      const shown = await save('svg'); // the same view: the conversation chosen above
      const svgWidth = Number(/<svg[^>]* width="(\d+)"/.exec(shown.text)[1]);
      assert.equal(width, 2 * svgWidth, 'twice the picture\'s width');
      // Every other entry: the engine's file, named after the input and the view (conversation 1 is on screen).
      for (const [format, name, mark] of [
        ['plantuml', /^sample-conversation-1\.puml$/, /^@startuml/],
        ['csv', /^sample-conversation-1\.csv$/, /^\uFEFF/],
        ['json', /^sample-conversation-1\.json$/, /^\{/],
        ['snooper', /^sample-conversation-1-snooper\.txt$/, /^\d\d\/\d\d\/\d{4}\|[\d:.]+ 0000:0000 INFO {2}:: Sending Packet - /],
        ['html', /^sample-conversation-1\.html$/, /^<!doctype html>/],
      ]) {
        const f = await save(format);
        assert.match(f.name, name, format);
        assert.match(f.text, mark, `${format} starts as its format does`);
      }
      // By keyboard: Enter opens the menu on its first item, ↓ moves, Esc closes it and gives the focus back.
      await page.locator('#export').focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.dataset.format === 'svg');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.format), 'png');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.getElementById('export-menu').hidden && document.activeElement?.id === 'export');
    });
  });

  it('Export → HTML report: one file that shows the ladder and the findings with scripts disabled, offline, under its own CSP', async () => {
    await withPage({ acceptDownloads: true }, async ({ page }) => {
      await page.click('#open-sample');
      await waitDone(page);
      const report = await exportFile(page, 'html');
      assert.match(report.name, /^sample(-[a-z0-9-]+)?\.html$/);
      const dir = mkdtempSync(join(tmpdir(), 'sipscope-report-'));
      try {
        const file = join(dir, report.name);
        writeFileSync(file, report.bytes);
        // Opened as a colleague would: from disk, no script, no network.
        const context = await suite.env.browser.newContext({ javaScriptEnabled: false, offline: true, viewport: { width: 1366, height: 768 } });
        try {
          const view = await context.newPage();
          const console = [];
          const requests = [];
          view.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
          view.on('request', (r) => requests.push(r.url()));
          await view.goto(pathToFileURL(file).href);
          assert.equal(await view.locator('h1').textContent(), 'sipscope report');
          const ladder = view.locator('#flow svg');
          assert.ok(await ladder.isVisible(), 'the ladder is drawn');
          const box = await ladder.boundingBox();
          assert.ok(box.width > 400 && box.height > 400, `the ladder has its size (${box.width}×${box.height})`);
          assert.equal(await view.locator('#findings li').count(), 5);
          assert.match(await view.locator('#findings').textContent(), /Temporarily cannot route/);
          // Styled (its style sheets allowed by their hashes): the findings' error bar is red, not the default.
          const color = await view.locator('#findings li.sev-error').evaluate((e) => getComputedStyle(e).borderLeftColor);
          assert.notEqual(color, 'rgb(0, 0, 0)');
          assert.equal(await view.locator('article.msg').count(), 34);
          assert.deepEqual(console.filter((m) => /error|Refused|Content Security/i.test(m)), [], 'no CSP violation');
          assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'no request');
          await view.screenshot({ path: join(OUT, 'report-1366.png') });
        } finally {
          await context.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('a 401 is an authentication challenge in the message panel, not a failure; a 503 is a failure', async () => {
    await withPage({}, async ({ page }) => {
      await page.click('#open-sample');
      await waitDone(page);
      const show = async (startLine) => {
        const msg = await page.evaluate(async (re) => {
          // The first arrow whose label starts with this status.
          const a = Array.from(document.querySelectorAll('#ladder-canvas [data-msg]')).find((x) => new RegExp(re).test(x.getAttribute('aria-label')));
          return a ? Number(a.getAttribute('data-msg')) : -1;
        }, startLine);
        assert.ok(msg >= 0, `an arrow for ${startLine}`);
        await page.locator(`#ladder-canvas [data-msg="${msg}"]`).click();
        await page.waitForFunction((n) => document.getElementById('detail-sub').textContent === `#${n + 1}`, msg);
        const line = page.locator('#detail-body .start-line');
        return { kind: await line.getAttribute('data-kind'), cls: await line.getAttribute('class'), word: await line.locator('.sl-kind').textContent() };
      };
      const challenge = await show('401');
      assert.equal(challenge.kind, 'challenge');
      assert.match(challenge.cls, /\bsl-challenge\b/);
      assert.doesNotMatch(challenge.cls, /failure/);
      assert.match(challenge.word, /challenge/);
      assert.doesNotMatch(challenge.word, /fail/);
      const failure = await show('503');
      assert.equal(failure.kind, 'failure');
      assert.match(failure.word, /failure \(503\)/);
    });
  });

  it('conversations narrow the ladder', async () => {
    await withPage({}, async ({ page }) => {
      await page.click('#open-sample');
      const count = await waitDone(page);
      const convs = page.locator('#conv-list [data-conv]:not([data-conv="-1"])');
      if (await convs.count() === 0) return; // nothing to narrow to
      await convs.first().click();
      await page.waitForFunction(() => document.querySelector('#conv-list [aria-selected="true"]')?.dataset.conv !== '-1');
      await page.waitForFunction(() => document.getElementById('ladder-caption').textContent.includes(' of ')
        && document.getElementById('ladder-canvas').getAttribute('aria-busy') === 'false');
      const shown = await page.locator('#ladder-canvas [data-msg]').count();
      assert.ok(shown > 0 && shown <= count, `a conversation shows ${shown} of ${count} messages`);
      await page.click('#conv-list [data-conv="-1"]');
      await page.waitForFunction((total) => document.getElementById('ladder-canvas').getAttribute('aria-busy') === 'false'
        && document.querySelectorAll('#ladder-canvas [data-msg]').length === total, count);
    });
  });

  it('screenshots at 1366×768 and 2560×1440', async () => {
    for (const [width, height, scheme, name] of [
      [1366, 768, 'light', 'sample-1366.png'],
      [2560, 1440, 'light', 'sample-2560.png'],
      [1366, 768, 'dark', 'sample-1366-dark.png'],
    ]) {
      await withPage({ width, height, colorScheme: scheme }, async ({ page }) => {
        if (name === 'sample-1366.png') await page.screenshot({ path: join(OUT, 'empty-1366.png') });
        await page.click('#open-sample');
        await waitDone(page);
        // Select a 200 OK with a body (presence categories) when there is one, else the first message.
        const oks = page.locator('#ladder-canvas [data-msg]', { hasText: '200 OK' });
        let withBody = false;
        for (let i = 0; i < await oks.count() && !withBody; i++) {
          await oks.nth(i).click();
          await page.waitForSelector('#detail-body .start-line');
          withBody = (await page.locator('#detail-body .body-part').count()) > 0;
        }
        if (!withBody) {
          await page.locator('#ladder-canvas [data-msg]').first().click();
          await page.waitForSelector('#detail-body .start-line');
        }
        // No page scroll: the app fits the window; panes scroll on their own.
        const fits = await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight
          && document.documentElement.scrollWidth <= window.innerWidth);
        assert.ok(fits, 'the page itself does not scroll');
        await page.screenshot({ path: join(OUT, name) });
      });
    }
  });
});
