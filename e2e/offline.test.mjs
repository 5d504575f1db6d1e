// Opened from disk (file://), the page cannot start its engine; it says so, styled, instead of showing a broken page.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, CHROMIUM_ARGS, DIST } from './helpers.mjs';

describe('opened from disk', () => {
  it('says why it cannot start and how to serve it, instead of a broken page', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(join(DIST, 'index.html')).href);
      const note = page.locator('#engine-missing');
      await note.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await note.textContent(), /file:\/\/[\s\S]*scripts\/serve\.sh/);
      // The stylesheet loaded (no SRI check to fail on file://): the top bar is laid out, not raw HTML.
      const display = await page.evaluate(() => getComputedStyle(document.querySelector('.topbar')).display);
      assert.notEqual(display, 'block');
    } finally {
      await browser.close();
    }
  });
});
