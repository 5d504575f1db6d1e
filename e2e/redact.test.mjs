// End-to-end tests of "Share a redacted copy" (ui/redact.js): the preview by category with counts and examples,
// the download read back by the page as the same flow with no original value left, a kept category, the mapping
// as a separate file, several files with one table of stand-ins, and a hostile log's values shown as text.
// Screenshots in e2e/out/redact-*.png.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, OUT, waitDone, useBrowser, openSample } from './helpers.mjs';

const FIXTURES = join(ROOT, 'tests', 'fixtures');
const SAMPLE = join(ROOT, 'www', 'sample', 'sample.uccapilog');

const suite = useBrowser();
const { withPage } = suite;

/** Open the dialog from the Export menu and wait for its preview. */
async function openDialog(page) {
  await page.click('#export');
  await page.click('#export-menu [data-action="redact"]');
  await page.waitForSelector('#redact[open]');
  await page.waitForFunction(() => /redact-(ok|error)/.test(document.getElementById('redact-status').className), null, { timeout: 60_000 });
}

/** The preview's categories: name → {count, examples: [[from, to]], kept}. */
function categories(page) {
  return page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll('#redact-cats tr[data-category]')).map((tr) => [
    tr.getAttribute('data-category'),
    {
      count: Number(tr.querySelector('.redact-count').textContent.replace(/,/g, '')),
      examples: Array.from(tr.querySelectorAll('.redact-example')).map((e) => [e.querySelector('.redact-from').textContent, e.querySelector('.redact-to').textContent]),
      kept: tr.classList.contains('redact-kept'),
    },
  ])));
}

/** Click Download and collect `n` downloads: [{name, bytes}]. */
async function download(page, n) {
  const downloads = [];
  const got = new Promise((resolve) => {
    page.on('download', async (d) => {
      downloads.push({ name: d.suggestedFilename(), bytes: readFileSync(await d.path()) });
      if (downloads.length === n) resolve();
    });
  });
  await page.click('#redact-download');
  await got;
  return downloads.sort((a, b) => a.name.localeCompare(b.name));
}

describe('Share a redacted copy', () => {
  it('previews what changes by category, downloads a copy the page reads as the same flow, with no original value left', async () => {
    await withPage({ acceptDownloads: true }, async ({ page }) => {
      const count = await openSample(page);
      await openDialog(page);
      const cats = await categories(page);
      for (const name of ['users', 'domains', 'addresses', 'ids', 'auth']) {
        assert.ok(cats[name] && cats[name].count > 0, `${name} found in the sample (${JSON.stringify(cats[name])})`);
        assert.ok(cats[name].examples.length > 0 && cats[name].examples.every(([from, to]) => from && to && from !== to), name);
      }
      const files = await page.locator('#redact-files .redact-file').allTextContents();
      assert.equal(files.length, 1);
      assert.match(files[0], /sample\.uccapilog.*→.*sample-redacted\.uccapilog/);
      assert.equal(await page.locator('#redact-download').textContent(), 'Download the redacted copy');
      await page.locator('#redact-files details summary').click();
      await page.screenshot({ path: join(OUT, 'redact-1366.png') });

      // With the mapping: two files, the copy and the mapping apart from it.
      await page.check('#redact-mapping');
      const [copy, mapping] = await download(page, 2);
      assert.equal(copy.name, 'sample-redacted.uccapilog');
      assert.equal(mapping.name, 'sample-redaction-mapping.tsv');
      const text = copy.bytes.toString('utf8');
      const original = readFileSync(SAMPLE, 'utf8');
      const pairs = mapping.bytes.toString('utf8').trim().split('\n').map((l) => l.split('\t'));
      assert.ok(pairs.length >= Object.values(cats).reduce((n, c) => n + c.count, 0) / 2, 'the mapping lists the renamings');
      for (const [category, from, to] of pairs) {
        if (from.length < 6 || !original.includes(from)) continue;
        assert.ok(!text.includes(from), `${category} ${JSON.stringify(from)} is not in the copy`);
        assert.ok(text.includes(to) || category === 'text', `its stand-in ${JSON.stringify(to)} is`);
      }
      assert.ok(!text.includes('redaction') || !pairs.some(([, from]) => text.includes(`\t${from}\t`)), 'no mapping inside the copy');
      await page.waitForFunction(() => /Saved 1 redacted copy and the mapping/.test(document.getElementById('redact-status').textContent));

      // The page reads the copy back as the same flow.
      await page.click('#redact-close');
      await page.setInputFiles('#file-input', { name: copy.name, mimeType: 'application/octet-stream', buffer: copy.bytes });
      assert.equal(await waitDone(page), count, 'the copy holds as many messages');
    });
  });

  it('keeps a category as it is when its switch is off, and says so', async () => {
    await withPage({ acceptDownloads: true, colorScheme: 'dark' }, async ({ page }) => {
      await openSample(page);
      await openDialog(page);
      const before = await categories(page);
      const domain = before.domains.examples[0][0];
      await page.uncheck('#redact-keep-domains');
      const after = await categories(page);
      assert.ok(after.domains.kept && !after.users.kept);
      assert.match(await page.locator('#redact-kept').textContent(), /Kept as they are in the copy: domains and host names/);
      await page.screenshot({ path: join(OUT, 'redact-kept-dark.png') });
      const [copy] = await download(page, 1);
      const text = copy.bytes.toString('utf8');
      assert.ok(text.includes(domain), `the kept domain ${domain} is still in the copy`);
      assert.ok(!text.includes(before.users.examples[0][0] + '@'), 'users are still replaced');
    });
  });

  it('redacts several files with one table of stand-ins, and says which files it cannot write back', async () => {
    await withPage({ acceptDownloads: true, width: 2560, height: 1440 }, async ({ page }) => {
      const other = readFileSync(join(FIXTURES, 'seed-presence.uccapilog'));
      const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251));
      await page.setInputFiles('#file-input', [
        { name: 'sample.uccapilog', mimeType: 'text/plain', buffer: readFileSync(SAMPLE) },
        { name: 'seed-presence.uccapilog', mimeType: 'text/plain', buffer: other },
        { name: 'noise.bin', mimeType: 'application/octet-stream', buffer: binary },
      ]);
      await waitDone(page);
      await openDialog(page);
      const rows = page.locator('#redact-files .redact-file');
      assert.equal(await rows.count(), 3);
      assert.match(await rows.nth(2).textContent(), /noise\.bin.*No copy: .*left out of the download/);
      assert.equal(await page.locator('#redact-download').textContent(), 'Download 2 redacted copies (.zip)');
      await page.screenshot({ path: join(OUT, 'redact-2560.png') });
      // One zip of both copies, which the page reads back as the two files.
      const [zip] = await download(page, 1);
      assert.equal(zip.name, 'sipscope-redacted-copies.zip');
      assert.equal(zip.bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004');
      await page.click('#redact-close');
      await page.setInputFiles('#file-input', { name: zip.name, mimeType: 'application/zip', buffer: zip.bytes });
      await waitDone(page);
      const chips = await page.locator('#files .file-chip .file-name').allTextContents();
      assert.ok(chips.some((c) => /sample-redacted\.uccapilog/.test(c)) && chips.some((c) => /seed-presence-redacted\.uccapilog/.test(c)), chips.join(' | '));
    });
  });

  it("shows a hostile log's values as text", async () => {
    await withPage({}, async ({ page }) => {
      await page.setInputFiles('#file-input', join(FIXTURES, 'hostile.uccapilog'));
      await waitDone(page);
      await openDialog(page);
      const injected = await page.evaluate(() => document.querySelectorAll('#redact img, #redact script, #redact iframe, #redact a, #redact [onerror], #redact svg').length);
      assert.equal(injected, 0, 'nothing from the log became an element');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => !document.getElementById('redact').open);
      await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'export', null, { timeout: 5_000 });
    });
  });
});
