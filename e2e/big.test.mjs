// End-to-end tests of big inputs (behaviour, not speed): progress while reading, Cancel, the size limit, the
// preview before done, virtualization of the ladder and of the conversations list for 100,000 messages, and
// search in the worker. The inputs are made once per run in a temp dir.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, OUT, DIST, waitDone, waitSettled, useBrowser } from './helpers.mjs';

const SAMPLE_FILE = join(ROOT, 'www', 'sample', 'sample.uccapilog');
const UTF16_FILE = join(ROOT, 'tests', 'fixtures', 'utf16.uccapilog');

const suite = useBrowser();
const { withPage } = suite;
let dir;
let bigLog; // ~20 MB client log: the sample 300 times (5 chunks of 4 MiB)
let sipText; // 100,000 short SIP messages in 5,000 conversations (~23 MB of SIP text)

// 100,000 SIP messages as text: 50,000 MESSAGE requests, each answered by 200 OK, over 5,000 Call-IDs.
function sipTextLog() {
  const parts = [];
  for (let i = 0; i < 50_000; i++) {
    const callId = `call-${i % 5000}@example.com`;
    const branch = `z9hG4bK${i.toString(36)}`;
    const to = `<sip:user${i % 50}@example.com>`;
    parts.push(`MESSAGE sip:user${i % 50}@example.com SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=${branch}\r\n`
      + `From: <sip:alice@example.com>;tag=a${i}\r\nTo: ${to}\r\nCall-ID: ${callId}\r\nCSeq: ${i + 1} MESSAGE\r\n`
      + 'Content-Length: 0\r\n\r\n');
    parts.push(`SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=${branch}\r\nFrom: <sip:alice@example.com>;tag=a${i}\r\n`
      + `To: ${to};tag=b${i}\r\nCall-ID: ${callId}\r\nCSeq: ${i + 1} MESSAGE\r\nContent-Length: 0\r\n\r\n`);
  }
  return parts.join('');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sipscope-e2e-'));
  bigLog = join(dir, 'big-client.uccapilog');
  const one = readFileSync(SAMPLE_FILE);
  writeFileSync(bigLog, Buffer.concat(Array.from({ length: 300 }, () => one)));
  sipText = join(dir, 'sip-100k.txt');
  writeFileSync(sipText, sipTextLog());
});

after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});


// Record, in the page, every progress update (bytes and messages as the progress element shows them), whether
// the preview had rows while the page was still analyzing, and every state.
async function recordProgress(page) {
  await page.evaluate(() => {
    const rec = { progress: [], previewWhileAnalyzing: false, previewRows: 0, states: [] };
    window.__rec = rec;
    const progress = document.getElementById('progress');
    new MutationObserver(() => {
      rec.progress.push({
        bytes: Number(progress.dataset.bytes),
        messages: Number(progress.dataset.messages),
        text: document.getElementById('progress-detail').textContent,
        label: document.getElementById('progress-label').textContent,
        step: progress.dataset.step,
        percent: document.getElementById('progress-percent').textContent,
        visible: !document.getElementById('reading').hidden,
      });
    }).observe(progress, { attributes: true, attributeFilter: ['data-bytes'] });
    new MutationObserver(() => {
      const rows = document.querySelectorAll('#preview .preview-row').length;
      if (rows && document.body.dataset.state === 'analyzing' && !document.getElementById('reading').hidden) {
        rec.previewWhileAnalyzing = true;
        rec.previewRows = Math.max(rec.previewRows, rows);
        rec.previewInteractive = document.querySelectorAll('#preview [data-msg], #preview [tabindex]').length;
      }
    }).observe(document.getElementById('preview'), { childList: true, subtree: true });
    new MutationObserver(() => rec.states.push(document.body.dataset.state))
      .observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
  });
}

describe('big inputs', () => {
  it('progress: a multi-chunk file shows percent, bytes and messages while it is read; the preview comes before done', async () => {
    await withPage({}, async ({ page }) => {
      await recordProgress(page);
      await page.setInputFiles('#file-input', bigLog);
      const count = await waitDone(page, 60_000);
      const rec = await page.evaluate(() => window.__rec);
      const reading = rec.progress.filter((p) => p.bytes > 0);
      assert.ok(reading.length >= 3, `several progress updates (got ${reading.length})`);
      for (let i = 1; i < reading.length; i++) assert.ok(reading[i].bytes >= reading[i - 1].bytes, 'bytes only go up');
      const mid = reading.find((p) => p.text.includes(' of ') && /\d+%/.test(p.percent));
      assert.ok(mid, `an update says "N MB of M MB" with a percent (got ${JSON.stringify(reading.slice(0, 2))})`);
      assert.match(mid.text, /MB of .*MB · [\d,]+ messages?/, 'bytes and messages so far are shown');
      assert.ok(mid.visible, 'the progress is visible');
      assert.ok(reading.some((p) => p.messages > 0 && p.messages < count), 'the message count grows while reading');
      assert.ok(rec.previewWhileAnalyzing, 'the preview of the first messages is shown before done');
      assert.ok(rec.previewRows > 0 && rec.previewRows <= 200, `the preview holds the first messages (${rec.previewRows} rows)`);
      assert.equal(rec.previewInteractive, 0, 'the preview is only a picture: no message links, no tab stops');
      assert.deepEqual(rec.states.filter((s, i) => s !== rec.states[i - 1]), ['analyzing', 'done']);
      assert.ok(await page.locator('#reading').isHidden(), 'the reading view goes away when done');
    });
  });

  it('reading: slices come from the reader worker, or from the analysis worker where nested workers are missing or reader.js does not load', async () => {
    // Both paths read the same multi-chunk log to the same analysis.
    const summary = async (page) => {
      await page.setInputFiles('#file-input', bigLog);
      const count = await waitDone(page, 60_000);
      // Counts and time span (the findings and presence buttons after them fill in later).
      const text = (await page.locator('#summary').textContent()).split('Findings')[0].trim();
      return { count, text };
    };
    let withReader;
    // What the server was asked for (a nested worker's requests are not reported to the page).
    const served = (from) => suite.env.requests.slice(from);
    await withPage({}, async ({ page }) => {
      const from = suite.env.requests.length;
      withReader = await summary(page);
      assert.ok(served(from).includes('/reader.js'), 'the analysis worker started the reader worker');
    });
    await withPage({}, async ({ page, context }) => {
      const real = readFileSync(join(DIST, 'worker.js'), 'utf8');
      // A browser without nested workers: no Worker constructor inside a worker.
      await context.route('**/worker.js', (route) => route.fulfill({ body: `self.Worker = undefined;\n${real}`, contentType: 'text/javascript' }));
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.engine);
      const from = suite.env.requests.length;
      const without = await summary(page);
      assert.ok(!served(from).includes('/reader.js'), 'no reader worker');
      assert.deepEqual(without, withReader, 'the same analysis either way');
    });
    await withPage({}, async ({ page, context }) => {
      // reader.js cannot be loaded (a 404): the analysis worker reads the file itself. (Playwright's routes do not
      // see a nested worker's requests, so the worker is served asking for a file that is not there.)
      const real = readFileSync(join(DIST, 'worker.js'), 'utf8');
      assert.ok(real.includes("'./reader.js'"));
      const missing = real.replace("'./reader.js'", "'./no-such-reader.js'");
      await context.route('**/worker.js', (route) => route.fulfill({ body: missing, contentType: 'text/javascript' }));
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.engine);
      const from = suite.env.requests.length;
      assert.deepEqual(await summary(page), withReader, 'the same analysis when reader.js is missing');
      assert.ok(served(from).includes('/no-such-reader.js'), 'the reader was asked for, and not found');
    });
  });

  it('cancel: stops the work, replaces the worker, returns to the previous state; a new file can then be analyzed', async () => {
    await withPage({}, async ({ page }) => {
      const closed = [];
      page.on('worker', (w) => w.on('close', () => closed.push(w.url())));
      // A previous analysis on screen: the sample.
      await page.click('#open-sample');
      const sampleCount = await waitDone(page);
      await recordProgress(page);
      // Cancel at the first progress update, from inside the page (no race with the test driver).
      await page.evaluate(() => {
        const progress = document.getElementById('progress');
        const obs = new MutationObserver(() => {
          if (Number(progress.dataset.bytes) > 0) {
            obs.disconnect();
            window.__cancelledAt = Number(progress.dataset.bytes);
            document.getElementById('cancel').click();
          }
        });
        obs.observe(progress, { attributes: true, attributeFilter: ['data-bytes'] });
      });
      const workersBefore = closed.length;
      await page.setInputFiles('#file-input', bigLog);
      await page.waitForFunction(() => window.__cancelledAt !== undefined);
      const total = readFileSync(bigLog).length;
      const cancelledAt = await page.evaluate(() => window.__cancelledAt);
      assert.ok(cancelledAt < total, `cancelled part way (${cancelledAt} of ${total} bytes)`);
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'done', 'back to the previous analysis');
      assert.equal(Number(await page.evaluate(() => document.body.dataset.messageCount)), sampleCount, 'the sample is still shown');
      assert.match(await page.locator('#files').textContent(), /sample\.uccapilog/, 'the top bar names the sample again');
      assert.match(await page.locator('#toast').textContent(), /Cancelled/);
      // The worker that was reading is gone, and nothing more arrives from it.
      await page.waitForTimeout(700);
      assert.ok(closed.length > workersBefore, 'the analysis worker was terminated');
      const after = await page.evaluate(() => window.__rec.progress.length);
      await page.waitForTimeout(700);
      assert.equal(await page.evaluate(() => window.__rec.progress.length), after, 'no progress after Cancel');
      // The sample still answers (its worker was kept).
      await page.locator('#ladder-canvas [data-msg]').first().click();
      await page.waitForSelector('#detail-body .start-line');
      // And a new file is analyzed by a fresh worker.
      await page.setInputFiles('#file-input', bigLog);
      await page.waitForFunction((n) => Number(document.body.dataset.messageCount) > n * 100, sampleCount, { timeout: 60_000 });
      assert.match(await page.locator('#files').textContent(), /big-client\.uccapilog/, 'the big log is analyzed');
    });
  });

  it('cancel with nothing analyzed before returns to the start, with a notice', async () => {
    await withPage({}, async ({ page }) => {
      await recordProgress(page);
      await page.setInputFiles('#file-input', bigLog);
      await page.waitForSelector('#reading:not([hidden])');
      await page.keyboard.press('Escape'); // Escape cancels too
      await page.waitForFunction(() => document.body.dataset.state === 'idle');
      assert.ok(await page.locator('#dropzone').isVisible(), 'the drop zone is back');
      assert.ok(await page.locator('#toast').isVisible(), 'a "Cancelled" notice shows');
      assert.match(await page.locator('#toast').textContent(), /Cancelled/);
      await page.click('#open-sample');
      assert.ok(await waitDone(page) > 0, 'the sample opens afterwards');
    });
  });

  it('a file over the size limit is refused up front with a hint (limit set small with ?max-bytes=)', async () => {
    await withPage({}, async ({ page }) => {
      await page.goto(`${suite.env.origin}/?max-bytes=100000`);
      await page.click('#open-sample'); // something on screen first (the sample is built in, not limited)
      const sampleCount = await waitDone(page);
      await recordProgress(page);
      await page.setInputFiles('#file-input', bigLog);
      const st = await waitSettled(page);
      assert.equal(st, 'error');
      assert.match(await page.locator('#error-title').textContent(), /too big/i);
      const text = await page.locator('#error').textContent();
      assert.match(text, /big-client\.uccapilog is 20\.0 MB/, 'the message names the file and its size');
      assert.match(text, /up to 98 KB/, 'and the limit');
      assert.match(text, /[Ss]plit the log/, 'hint: split the log');
      assert.match(text, /sipscope --summary FILE/, 'hint: the command line tool');
      assert.match(text, /sipscope --json FILE/);
      const rec = await page.evaluate(() => window.__rec);
      assert.deepEqual(rec.progress, [], 'nothing was read');
      assert.ok(!rec.states.includes('analyzing'), 'no analysis started');
      await page.screenshot({ path: join(OUT, 'too-big-1366.png') });
      // Back to the analysis that was on screen.
      assert.equal((await page.locator('#error-back').textContent()).trim(), 'Back');
      await page.click('#error-back');
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'done');
      assert.equal(Number(await page.evaluate(() => document.body.dataset.messageCount)), sampleCount);
    });
  });

  it('a file over the size limit: its last or first part can be analyzed instead, as much as the limit allows', async () => {
    await withPage({}, async ({ page }) => {
      // 400 kB: a few sample logs' worth of messages, cut mid-packet at both ends.
      await page.goto(`${suite.env.origin}/?max-bytes=400000`);
      const part = async (button) => {
        await page.setInputFiles('#file-input', bigLog);
        assert.equal(await waitSettled(page), 'error');
        const buttons = await page.locator('#error-actions button').allTextContents();
        assert.deepEqual(buttons, ['Analyze the last 391 KB', 'Analyze the first 391 KB']);
        await page.locator('#error-actions button', { hasText: button }).click();
        const count = await waitDone(page);
        const files = (await page.locator('#files').textContent()).replace(/\s+/g, ' ');
        const diags = await page.evaluate(() => document.getElementById('summary').textContent);
        return { count, files, diags };
      };
      const last = await part('last');
      assert.ok(last.count > 100, `messages from the end of the log (${last.count})`);
      assert.match(last.files, /big-client\.uccapilog \(last 391 KB\)/, 'the file chip says which part');
      await page.screenshot({ path: join(OUT, 'too-big-last-part-1366.png') });
      const first = await part('first');
      assert.ok(first.count > 100, `messages from the start of the log (${first.count})`);
      assert.match(first.files, /big-client\.uccapilog \(first 391 KB\)/);
      // The sample repeats, so both parts hold about as many messages; each may lose the one cut in two.
      assert.ok(Math.abs(first.count - last.count) <= 40, `${first.count} vs ${last.count}`);
    });
  });

  it('the engine running out of memory while reading gives a clear message, not a crashed page', async () => {
    await withPage({}, async ({ page, context }) => {
      // Serve a worker whose engine fails like a wasm allocation that cannot grow (a trap) on the second chunk.
      const real = readFileSync(join(DIST, 'worker.js'), 'utf8');
      const push = 'session.push(id, new Uint8Array(buf));';
      assert.ok(real.includes(push), 'worker.js pushes chunks as expected by this test');
      const faulty = real.replace(push, `if (offset > 0) throw new WebAssembly.RuntimeError('unreachable'); ${push}`);
      await context.route('**/worker.js', (route) => route.fulfill({ body: faulty, contentType: 'text/javascript' }));
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.engine);
      await page.setInputFiles('#file-input', bigLog);
      assert.equal(await waitSettled(page), 'error');
      assert.match(await page.locator('#error-title').textContent(), /ran out of memory/);
      const text = await page.locator('#error').textContent();
      assert.match(text, /while reading big-client\.uccapilog at 4\.0 MB/, 'says where it stopped');
      assert.match(text, /[Ss]plit the log/);
      assert.match(text, /sipscope --summary FILE/);
      await page.click('#error-back');
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle');
    });
  });

  it('100,000 messages: progress through correlation; the ladder and the conversations list keep only what is in view in the DOM', async () => {
    await withPage({}, async ({ page }) => {
      await recordProgress(page);
      await page.setInputFiles('#file-input', sipText);
      const count = await waitDone(page, 90_000);
      assert.equal(count, 100_000);
      // After reading, each of the engine's steps is shown in order, correlation with a growing percent.
      const rec = await page.evaluate(() => window.__rec);
      const steps = rec.progress.map((p) => p.step).filter((s, i, all) => s !== all[i - 1]);
      assert.deepEqual(steps, ['reading', 'merging', 'correlating', 'endpoints', 'diagnostics', 'ladder']);
      const percents = rec.progress.filter((p) => p.step === 'correlating').map((p) => p.percent);
      assert.deepEqual(percents, ['0%', '32%', '65%', '98%'], 'a percent every 32,768 messages');
      const drawing = rec.progress.find((p) => p.step === 'ladder');
      assert.equal(drawing.label, 'Drawing 100,000 messages');
      assert.match(drawing.text, /MB read · lifelines and the ladder/);
      const arrows = () => page.evaluate(() => document.querySelectorAll('#ladder-canvas [data-msg]').length);
      const convItems = () => page.evaluate(() => document.querySelectorAll('#conv-list [data-conv]').length);
      assert.ok(await arrows() > 0 && await arrows() < 400, `a few hundred arrows at most (${await arrows()})`);
      assert.match(await page.locator('#conv-count').textContent(), /5,000/);
      assert.ok(await convItems() > 5 && await convItems() < 100, `the conversations list draws only what is in view (${await convItems()})`);
      // Scroll the ladder to the middle and the end: still a few hundred arrows, the right ones.
      for (const frac of [0.5, 1]) {
        await page.evaluate((f) => {
          const sc = document.getElementById('ladder-scroll');
          sc.scrollTop = (sc.scrollHeight - sc.clientHeight) * f;
        }, frac);
        await page.waitForFunction((f) => {
          const sc = document.getElementById('ladder-scroll');
          const mid = (sc.scrollTop + sc.clientHeight / 2 - 48) / 28; // the row in the middle of the view
          return Array.from(document.querySelectorAll('#ladder-canvas [data-msg]'))
            .some((a) => Math.abs(Number(a.getAttribute('data-row')) - mid) < 30);
        }, frac);
        assert.ok(await arrows() < 400, `still a few hundred arrows after scrolling to ${frac * 100}% (${await arrows()})`);
      }
      // The conversations list scrolls to its last entry; End selects it from the keyboard.
      await page.locator('#conv-list [data-conv="-1"]').focus();
      await page.keyboard.press('End');
      await page.waitForFunction(() => document.querySelector('#conv-list [aria-selected="true"]')?.dataset.conv === '4999');
      assert.ok(await page.locator('#conv-list [data-conv="4999"]').isVisible(), 'the last conversation is drawn and visible');
      assert.ok(await convItems() < 100, `still few entries in the DOM (${await convItems()})`);
      await page.waitForFunction(() => document.getElementById('ladder-caption').textContent.includes('20 messages of 100,000'));
      await page.keyboard.press('ArrowUp');
      await page.waitForFunction(() => document.querySelector('#conv-list [aria-selected="true"]')?.dataset.conv === '4998');
      await page.keyboard.press('Home');
      await page.waitForFunction(() => document.querySelector('#conv-list [aria-selected="true"]')?.dataset.conv === '-1');
    });
  });

  it('search runs in the worker over every message: a UTF-16 log, and several files together', async () => {
    await withPage({}, async ({ page }) => {
      await page.setInputFiles('#file-input', [UTF16_FILE, SAMPLE_FILE]);
      const count = await waitDone(page);
      assert.match(await page.locator('#files').textContent(), /utf16\.uccapilog[\s\S]*sample\.uccapilog/);
      const search = async (q) => {
        await page.fill('#search', q);
        await page.waitForFunction((query) => {
          const c = document.getElementById('search-count');
          return c.dataset.query === query && /match/.test(c.textContent);
        }, q);
        return (await page.locator('#search-count').textContent()).trim();
      };
      // "on2@limcm.com" is in both files (UTF-16 and UTF-8), "192.168.10.54" only in the UTF-16 one (its
      // client's address), "211.208.253.66" only in the sample.
      const both = await search('ON2@LIMCM.COM');
      const utf16 = await search('192.168.10.54');
      const sample = await search('211.208.253.66');
      const n = (t) => Number((/^([\d,]+) match/.exec(t) || [0, '0'])[1].replace(/,/g, ''));
      assert.ok(n(utf16) > 0 && n(sample) > 0, `hits in each file (${utf16}; ${sample})`);
      assert.ok(n(both) >= 1 && n(both) <= count, `a case-insensitive hit (${both})`);
      assert.ok(n(utf16) + n(sample) <= count, 'the two addresses are in different messages');
      assert.equal(await search('no-such-text-anywhere-42'), 'no match');
    });
  });
});
