// End-to-end test of TLS record matching: the sample client log and a capture of its TLS connection, opened
// together, put the capture on the log's clock (found from the records) and show, in the message panel, the
// frame and record that carried each message. Screenshots in e2e/out/tls-*.png.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, OUT, waitDone, useBrowser, showMessage } from './helpers.mjs';

const SAMPLE = join(ROOT, 'www', 'sample', 'sample.uccapilog');
const CAPTURE = join(ROOT, 'tests', 'fixtures', 'tls', 'sample-client-tls.pcap');
const suite = useBrowser();
const { withPage } = suite;

describe('TLS records lined up with the client log', () => {
  it('puts the capture on the log\'s clock and shows the record that carried each message', async () => {
    await withPage({ width: 1366, height: 900 }, async ({ page }) => {
      await page.setInputFiles('#file-input', [SAMPLE, CAPTURE]);
      await waitDone(page);
      // The capture adds no arrow: 34 messages, as the log alone.
      assert.equal(await page.evaluate(() => document.getElementById('ladder-caption').textContent), '34 messages');
      // Its clock, from the records: the log writes UTC+9, the capture UTC.
      const strip = page.locator('#clock-strip');
      assert.ok(await strip.isVisible(), 'the clock note shows the capture');
      assert.match(await strip.textContent(), /sample-client-tls\.pcap \+9 h 0 min 0\.0\d\d s \(from its TLS records\)/);
      // The first message received: the frame and record that carried it.
      await showMessage(page, 1);
      const meta = await page.locator('#detail-body .msg-meta').innerText();
      assert.match(meta, /Seen encrypted\s+in sample-client-tls\.pcap, frame \d+ at \d\d:\d\d:\d\d\.\d{3}, 211\.208\.253\.66:5061 → 192\.168\.1\.51:51882\s+TLS\s+one record, [\d,]+ bytes; TLS 1\.2 with AES-GCM: 24 bytes added to each record/);
      await page.screenshot({ path: join(OUT, 'tls-seen-encrypted-1366.png') });
      // The files panel says how the clock was found.
      await page.click('#clock-strip button');
      const rows = await page.locator('#files-panel tbody tr').allInnerTexts();
      assert.match(rows[1], /sample-client-tls\.pcap[\s\S]*pcap[\s\S]*\+9 h 0 min 0\.0\d\d s, estimated from 34 messages of the client log matched to its TLS records/);
      await page.screenshot({ path: join(OUT, 'tls-files-panel-1366.png') });
      await page.keyboard.press('Escape');
      // `file:` finds the messages the capture carried: all of them.
      await page.fill('#search', 'file:sample-client-tls direction:in');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.getElementById('ladder-caption').textContent === '17 messages');
    });
  });
});
