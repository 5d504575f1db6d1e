// End-to-end tests of the trace view (the drawer's Trace; Snooper's Trace tab): a message's place among the log's
// other lines, level chips, thread and query, the lines near a failure in the message panel, three files merged,
// a trace of half a million lines scrolled end to end, and the deep link. Screenshots in e2e/out/trace-*.png and
// readme-1366.png (the README's picture, copied to docs/screenshot.png).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, OUT, waitDone, useBrowser, openSample, showMessage } from './helpers.mjs';

const FIXTURES = join(ROOT, 'tests', 'fixtures');
const SAMPLE = join(ROOT, 'www', 'sample', 'sample.uccapilog');
const EDGE = join(FIXTURES, 'server-edge.log');
const FRONTEND = join(FIXTURES, 'server-frontend.log');

const suite = useBrowser();
const { withPage } = suite;
let dir;
let manyLines; // a client log of 450,000 trace lines around a few packets: past the list's pixel cap

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipscope-trace-'));
  manyLines = join(dir, 'many-lines.uccapilog');
  const levels = ['TRACE', 'INFO ', 'TRACE', 'WARN ', 'TRACE', 'INFO ', 'ERROR'];
  const out = [];
  for (let k = 0; k < 450_000; k++) {
    const ms = k * 7;
    const t = `${String(Math.floor(ms / 3_600_000) % 24 + 8).padStart(2, '0')}:${String(Math.floor(ms / 60_000) % 60).padStart(2, '0')}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
    out.push(`03/30/2018|${t} 2738:${(0x14E0 + (k % 5)).toString(16).toUpperCase()} ${levels[k % 7]} :: CUccPresenceManager::ProcessCategoryUpdate - line ${k} of the trace\r\n`);
  }
  writeFileSync(manyLines, out.join(''));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The trace rows in the DOM: level word, text, and whether marked. */
const traceRows = (page) => page.$$eval('#ins-trace .tr-row', (rows) => rows.map((r) => ({
  level: r.querySelector('.tr-level')?.textContent || '',
  text: r.querySelector('.tr-text')?.textContent || '',
  active: r.classList.contains('tr-active'),
  msg: r.dataset.goto === undefined ? -1 : Number(r.dataset.goto),
  visible: (() => {
    const box = r.getBoundingClientRect();
    const list = document.querySelector('#ins-trace .tr-scroll').getBoundingClientRect();
    return box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
  })(),
})));

/** Wait until the trace view drew rows (none of them still loading). */
async function traceDrawn(page) {
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll('#ins-trace .tr-row');
    return rows.length > 0 && !document.querySelector('#ins-trace .tr-loading');
  });
}

const traceCount = (page) => page.locator('#ins-trace .tr-count').textContent();

describe('trace view', () => {
  it('selecting a message shows its place among the lines logged around it; a message row selects it; a line shows whole', async () => {
    await withPage({}, async ({ page }) => {
      await openSample(page);
      await showMessage(page, 15); // the 503
      await page.locator('#ladder-scroll').focus();
      await page.keyboard.press('t');
      await page.waitForSelector('#ins-trace .tr-row.tr-active');
      await traceDrawn(page);
      assert.match(await page.locator('#trace-toggle').textContent(), /^Trace: 42$/);
      assert.equal(await traceCount(page), '76 rows', '42 lines and 34 messages');
      let rows = await traceRows(page);
      const at = rows.findIndex((r) => r.active);
      assert.equal(rows[at].msg, 15);
      assert.equal(rows[at].text, '503 Service Unavailable');
      assert.ok(rows[at].visible, 'the message is in view');
      // The lines around it: the subscription logged before, the failure handled after.
      const after = rows.slice(at + 1).find((r) => r.msg < 0);
      assert.match(after.text, /OnSubscribeFailed - sip:on4@limcm\.com 503/);
      assert.equal(after.level, 'WARN');
      assert.match(await page.evaluate(() => location.hash), /panel=trace/);
      // The drawer took room from the ladder: the selected arrow is still in view there.
      await page.waitForFunction(() => {
        const a = document.querySelector('#ladder-canvas [data-msg="15"]')?.getBoundingClientRect();
        const box = document.getElementById('ladder-scroll').getBoundingClientRect();
        return a && a.top >= box.top && a.bottom <= box.bottom;
      });
      // Another message selected in the ladder: the trace follows.
      await showMessage(page, 0);
      await page.waitForFunction(() => document.querySelector('#ins-trace .tr-row.tr-active')?.dataset.goto === '0');
      // A message row clicked in the trace selects it in the ladder and the message panel.
      await page.locator('#ins-trace .tr-row[data-goto="1"]').click();
      await page.waitForFunction(() => document.getElementById('detail-sub').textContent === '#2');
      assert.equal(await page.locator('#ladder-canvas [data-msg].selected').getAttribute('data-msg'), '1');
      // A line clicked: shown whole under the list, with its file, line and thread.
      await page.locator('#ins-trace .tr-row.lv-info').first().click();
      const detail = await page.locator('#ins-trace .tr-detail').textContent();
      assert.match(detail, /sample\.uccapilog, line \d+ · thread 2738:/);
      // ↓ moves the mark; Esc closes the drawer.
      const before = await page.locator('#ins-trace .tr-row.tr-active').getAttribute('data-row');
      await page.locator('#ins-trace .tr-scroll').focus();
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction((b) => document.querySelector('#ins-trace .tr-row.tr-active')?.dataset.row === String(Number(b) + 1), before);
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.getElementById('insights').hidden);
    });
  });

  it('level chips, a thread and the query narrow the lines; a bad query says why', async () => {
    await withPage({}, async ({ page }) => {
      await openSample(page);
      await page.click('#trace-toggle');
      await traceDrawn(page);
      // Errors and warnings only.
      for (const chip of ['Info', 'Trace', 'Messages']) await page.locator('#ins-trace .tr-chip', { hasText: chip }).click();
      await page.waitForFunction(() => document.querySelector('#ins-trace .tr-count').textContent === '5 of 76');
      await traceDrawn(page);
      let rows = await traceRows(page);
      assert.equal(rows.length, 5);
      assert.ok(rows.every((r) => r.level === 'ERROR' || r.level === 'WARN'), JSON.stringify(rows));
      assert.match(await page.locator('#insights-sub').textContent(), /^5 of 76 rows shown · 42 lines in 1 file/);
      // One thread (all levels again).
      for (const chip of ['Info', 'Trace']) await page.locator('#ins-trace .tr-chip', { hasText: chip }).click();
      await page.selectOption('#ins-trace .tr-thread', '2738:3A4');
      await page.waitForFunction(() => /of 76$/.test(document.querySelector('#ins-trace .tr-count').textContent));
      await traceDrawn(page);
      rows = await traceRows(page);
      assert.ok(rows.length >= 4);
      assert.ok(rows.every((r) => /DnsQuery|QuerySrv|ResolveHostname|CDnsResolver/.test(r.text)), JSON.stringify(rows));
      // The query's words, within the thread.
      await page.fill('#ins-trace .tr-query', 'failed');
      await page.waitForFunction(() => document.querySelector('#ins-trace .tr-count').textContent === '1 of 76');
      await traceDrawn(page);
      rows = await traceRows(page);
      assert.match(rows[0].text, /DnsQuery\(_sipinternaltls\._tcp\.limcm\.com, SRV\) failed/);
      // A query that cannot be read: why, and nothing selected.
      await page.fill('#ins-trace .tr-query', 'level:loud');
      await page.waitForFunction(() => document.querySelector('#ins-trace .tr-error').textContent !== '');
      assert.match(await page.locator('#ins-trace .tr-error').textContent(), /level: is error, warn, info or trace, not "loud"/);
      assert.equal(await page.locator('#ins-trace .tr-query').getAttribute('aria-invalid'), 'true');
      // Esc in the query clears it (the drawer stays).
      await page.locator('#ins-trace .tr-query').press('Escape');
      await page.waitForFunction(() => /of 76$/.test(document.querySelector('#ins-trace .tr-count').textContent) && !document.querySelector('#ins-trace .tr-error').textContent);
      assert.equal(await page.locator('#insights').isHidden(), false);
    });
  });

  it('message panel: the errors and warnings logged near a failure, each opening its place in the trace', async () => {
    await withPage({}, async ({ page }) => {
      await openSample(page);
      await showMessage(page, 15);
      const near = page.locator('#detail-body .msg-near');
      assert.match(await near.locator('.near-h').textContent(), /^Logged near this failure: 2 errors and warnings \(from 2 s before the request to 2 s after the 503 response\)/);
      const lines = await near.locator('.near-link').allTextContents();
      assert.equal(lines.length, 2);
      assert.match(lines[0], /^10:57:40\.944ERRORCDnsResolver::QuerySrv/);
      assert.match(lines[1], /^10:57:42\.088WARNCUccPresenceManager::OnSubscribeFailed/);
      // A success has none.
      await showMessage(page, 7);
      assert.equal(await page.locator('#detail-body .msg-near').count(), 0);
      // Back on the 503: its first line opens the trace at that line, marked, even when the view hid it.
      await showMessage(page, 15);
      await page.click('#trace-toggle');
      await traceDrawn(page);
      await page.locator('#ins-trace .tr-chip', { hasText: 'Errors' }).click(); // errors hidden
      await page.waitForFunction(() => document.querySelector('#ins-trace .tr-count').textContent === '74 of 76');
      await page.locator('#detail-body .near-link').first().click();
      await page.waitForFunction(() => /DnsQuery\(_sipinternaltls/.test(document.querySelector('#ins-trace .tr-row.tr-active .tr-text')?.textContent || ''));
      assert.equal(await traceCount(page), '76 rows', 'every line shown again to show it');
      const rows = await traceRows(page);
      assert.ok(rows.find((r) => r.active).visible);
    });
  });

  it('three files merged: the servers\' records among the client\'s lines, on one timeline; near the 503 the Front End\'s diagnostic', async () => {
    await withPage({}, async ({ page }) => {
      await page.setInputFiles('#file-input', [SAMPLE, EDGE, FRONTEND]);
      assert.equal(await waitDone(page), 42);
      await page.click('#trace-toggle');
      await traceDrawn(page);
      assert.match(await page.locator('#insights-sub').textContent(), /in 3 files/);
      const failed = await page.evaluate(() => Array.from(document.querySelectorAll('#ladder-canvas [data-msg]'))
        .find((a) => /503 Service Unavailable/.test(a.textContent))?.getAttribute('data-msg'));
      await showMessage(page, Number(failed));
      const near = await page.locator('#detail-body .near-link').allTextContents();
      assert.ok(near.some((t) => /SIPPROXY_E_CONNECTION_TIMED_OUT/.test(t)), near.join('\n'));
      assert.ok(near.some((t) => /OnSubscribeFailed/.test(t)), near.join('\n'));
      // The server's records sit beside the client's lines at the same merged time.
      await page.fill('#ins-trace .tr-query', 'SIPPROXY_E_CONNECTION_TIMED_OUT OR OnSubscribeFailed');
      await page.waitForFunction(() => /^\d+ of \d+$/.test(document.querySelector('#ins-trace .tr-count').textContent));
      await traceDrawn(page);
      const rows = await traceRows(page);
      assert.ok(rows.length >= 3, JSON.stringify(rows));
      const times = await page.$$eval('#ins-trace .tr-row .tr-time', (els) => els.map((e) => e.textContent));
      assert.ok(times.every((t) => t.startsWith('10:57:42.')), times.join(' '));
    });
  });

  it('half a million lines: the list keeps only the rows in view, End reaches the last line, a line in the middle is found', async () => {
    await withPage({}, async ({ page }) => {
      await page.setInputFiles('#file-input', manyLines);
      await waitDone(page, 120_000);
      await page.click('#trace-toggle');
      await traceDrawn(page);
      assert.equal(await traceCount(page), '450,000 rows');
      assert.ok((await page.locator('#ins-trace .tr-row').count()) < 40, 'only the rows in view are in the DOM');
      await page.locator('#ins-trace .tr-scroll').focus();
      await page.keyboard.press('End');
      await page.waitForFunction(() => /line 449999 of the trace/.test(document.querySelector('#ins-trace .tr-row.tr-active .tr-text')?.textContent || ''));
      // The list scrolls to the active row in the frame after it draws it: wait for that frame.
      await page.waitForFunction(() => {
        const r = document.querySelector('#ins-trace .tr-row.tr-active');
        const list = document.querySelector('#ins-trace .tr-scroll');
        if (!r || !list) return false;
        const box = r.getBoundingClientRect();
        const view = list.getBoundingClientRect();
        return box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
      }, null, { timeout: 5_000 }).catch(() => {});
      let rows = await traceRows(page);
      assert.ok(rows.find((r) => r.active).visible, 'the last row is in view');
      // The scroll bar maps onto the rows: its middle is the middle of the trace.
      await page.evaluate(() => {
        const list = document.querySelector('#ins-trace .tr-scroll');
        list.scrollTop = (list.scrollHeight - list.clientHeight) / 2;
      });
      await page.waitForFunction(() => {
        const t = document.querySelector('#ins-trace .tr-row:not(.tr-loading) .tr-text')?.textContent || '';
        const n = Number((/line (\d+) of/.exec(t) || [])[1]);
        return n > 220_000 && n < 230_000;
      });
      // A query over every line's text, read back from the file in the worker.
      await page.fill('#ins-trace .tr-query', '"line 312345 of"');
      await page.waitForFunction(() => document.querySelector('#ins-trace .tr-count').textContent === '1 of 450,000', null, { timeout: 60_000 });
      await traceDrawn(page);
      rows = await traceRows(page);
      assert.match(rows[0].text, /line 312345 of the trace/);
    });
  });

  it('the deep link keeps the trace open', async () => {
    await withPage({}, async ({ page }) => {
      await openSample(page);
      await showMessage(page, 15);
      await page.click('#trace-toggle');
      await page.waitForFunction(() => /panel=trace/.test(location.hash));
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.engine);
      await openSample(page);
      await page.waitForSelector('#ins-trace .tr-row.tr-active');
      assert.equal(await page.locator('#ins-trace .tr-row.tr-active').getAttribute('data-goto'), '15');
    });
  });

  it('screenshots: the trace beside the 503 and its nearby lines (1366×768 light and dark, 2560×1440)', async () => {
    for (const [width, height, colorScheme] of [[1366, 768, 'light'], [1366, 768, 'dark'], [2560, 1440, 'light']]) {
      await withPage({ width, height, colorScheme }, async ({ page }) => {
        await page.setInputFiles('#file-input', [SAMPLE, EDGE, FRONTEND]);
        await waitDone(page);
        const failed = await page.evaluate(() => Array.from(document.querySelectorAll('#ladder-canvas [data-msg]'))
          .find((a) => /503 Service Unavailable/.test(a.textContent))?.getAttribute('data-msg'));
        await showMessage(page, Number(failed));
        await page.click('#trace-toggle');
        await page.waitForSelector('#ins-trace .tr-row.tr-active');
        await traceDrawn(page);
        await page.screenshot({ path: join(OUT, `trace-${width}${colorScheme === 'dark' ? '-dark' : ''}.png`) });
      });
    }
    // The README's picture (docs/screenshot.png is a copy): the sample, its 503, the lines logged around it.
    await withPage({}, async ({ page }) => {
      await openSample(page);
      await showMessage(page, 15);
      await page.click('#trace-toggle');
      await page.waitForSelector('#ins-trace .tr-row.tr-active');
      await traceDrawn(page);
      await page.screenshot({ path: join(OUT, 'readme-1366.png') });
    });
  });
});
