// End-to-end tests of the Calls view (the drawer's Calls): the calls of the call fixtures with their outcome in
// words, the reason linked to its message, a click on a call shows its INVITE, and a media line's candidates and
// path unfolded, a quality report's figures and the user's rating; the media relay's credentials masked in the
// message panel and the exports. Screenshots in e2e/out/calls-*.png.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, OUT, waitDone, useBrowser, showMessage, exportFile } from './helpers.mjs';

const CALLS = join(ROOT, 'tests', 'fixtures', 'calls');
const suite = useBrowser();
const { withPage } = suite;

async function openCalls(page, files) {
  await page.setInputFiles('#file-input', files.map((f) => join(CALLS, f)));
  await waitDone(page);
  await page.click('#calls-toggle');
  await page.waitForSelector('#ins-calls .call');
}

describe('Calls view', () => {
  it('lists each call with its outcome and reason; a call opens its INVITE; media unfold', async () => {
    await withPage({}, async ({ page }) => {
      await openCalls(page, ['call-media-failure.uccapilog', 'call-relay.uccapilog']);
      assert.match(await page.locator('#calls-toggle').textContent(), /^Calls: 7$/);
      const outcomes = await page.locator('#ins-calls .call-outcome').allTextContents();
      assert.ok(outcomes.includes('answered, media never connected'), outcomes.join(' | '));
      assert.ok(outcomes.includes('declined (603)'));
      assert.ok(outcomes.includes('cancelled by the caller (487)'));
      const reasons = await page.locator('#ins-calls .call-reason').allTextContents();
      assert.ok(reasons.some((r) => /ms-client-diagnostics 23: Call failed to establish due to a media connectivity failure/.test(r)), reasons.join(' | '));
      assert.match(await page.locator('#insights-sub').textContent(), /7 calls · \d+ not answered or failed/);
      await page.screenshot({ path: join(OUT, 'calls-1366.png') });
      // A call's row shows its INVITE.
      const relay = page.locator('#ins-calls .call', { hasText: 'bob@contoso.com' }).filter({ hasText: '4 min' });
      const invite = Number(await relay.locator('.call-main').getAttribute('data-goto'));
      await relay.locator('.call-main').click();
      await page.waitForFunction((n) => document.getElementById('detail-sub').textContent === `#${n + 1}`, invite);
      assert.match(await page.locator('#detail-body').textContent(), /INVITE sip:bob@contoso\.com/);
      // Its media: candidates by type and the relayed path.
      await relay.locator('.call-details summary').click();
      const facts = await relay.locator('.call-facts').first().textContent();
      assert.match(facts, /Candidates.*offer: 2 host, 4 server-reflexive, 8 relay/);
      assert.match(facts, /Path.*\(srflx\) ⇄ .*\(relay\)/);
      assert.ok(await relay.locator('.call-cands tbody tr').count() > 10);
      await page.screenshot({ path: join(OUT, 'calls-media-1366.png') });
      // The deep link keeps the panel.
      assert.match(page.url(), /panel=calls/);
    });
  });

  it('shows a call quality report: its figures in the Calls panel and in the message panel, poor ones as a finding', async () => {
    await withPage({ width: 1600, height: 900 }, async ({ page }) => {
      await openCalls(page, ['vq-poor-network.uccapilog']);
      const line = page.locator('#ins-calls .call-quality-line').first();
      assert.match(await line.textContent(), /Quality, main-audio: MOS 2\.05 received, 2\.88 sent · network MOS 2\.21 · loss 13\.2 % · jitter 52 ms · round trip 612 ms · wifi, VPN/);
      assert.equal(await line.locator('.call-poor').count(), 1, 'marked poor');
      assert.match(await page.locator('#ins-calls').textContent(), /The report was cut off in the log/);
      await page.screenshot({ path: join(OUT, 'calls-quality-1600.png') });
      // The report's message: the body summary with the figures and what is poor.
      await line.locator('.msg-link').click();
      await page.waitForFunction(() => /Call quality report: main-audio/.test(document.getElementById('detail-body').textContent));
      const body = await page.locator('#detail-body').textContent();
      assert.match(body, /main-audio received: SILK\/16000, listening MOS 2\.05, network MOS 2\.21, degradation 1\.74, jitter 52 ms, loss 13\.2 %/);
      assert.match(body, /— poor: network MOS degradation above 1\.0, packet loss above 10 %/);
      assert.match(body, /ICE warnings 0x10000E6: /);
      await page.screenshot({ path: join(OUT, 'calls-quality-detail-1600.png') });
      // A finding says it too.
      await page.click('#findings-toggle');
      await page.waitForSelector('#ins-findings .finding');
      assert.match(await page.locator('#ins-findings').textContent(), /Poor call quality on the call alice@contoso\.com → bob@contoso\.com/);
    });
  });

  it('masks the media relay user name and password in the message panel, its raw text and the exports', async () => {
    // The MRAS answer's secrets in call-relay.uccapilog (tests/fixtures/calls/make.py writes them).
    const secrets = ['FWkvQLuR5qREC8tnECJ9InoRJJ5vFQrtK8J1D/BwwBJKLOg1qx64=', '7KDnL9CdO/+gBvmSZVr4/epzgZ3Z'];
    /** @param {string} where @param {string} text */
    const none = (where, text) => { for (const s of secrets) assert.ok(!text.includes(s), `${where} shows ${s}`); };
    await withPage({ width: 1366, height: 900, acceptDownloads: true }, async ({ page }) => {
      await page.setInputFiles('#file-input', [join(CALLS, 'call-relay.uccapilog')]);
      await waitDone(page);
      await showMessage(page, 1); // the SERVICE's 200 OK: the MRAS answer
      const body = page.locator('#detail-body');
      assert.match(await body.textContent(), /Media relay \(A\/V Edge\) credentials: 2 relays/);
      assert.match(await body.locator('.msg-masked').textContent(), /^2 credentials masked: media relay user names and passwords are shown as \*, their lengths kept\.$/);
      const pretty = await body.locator('.body-part pre').first().textContent();
      none('the pretty body', pretty);
      assert.ok(pretty.includes(`<username>${'*'.repeat(secrets[0].length)}</username>`), pretty);
      assert.match(pretty, /<hostName>av\.contoso\.com<\/hostName>/);
      none('the parsed view', await body.textContent());
      await page.screenshot({ path: join(OUT, 'calls-mras-masked-1366.png') });
      await body.locator('.body-part pre').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(OUT, 'calls-mras-masked-body-1366.png') });
      await page.click('#raw-toggle');
      const raw = await body.locator('pre.raw').textContent();
      none('the raw text', raw);
      assert.ok(raw.includes(`<password>${'*'.repeat(secrets[1].length)}</password>`), raw);
      assert.match(await body.locator('.msg-masked').textContent(), /^2 credentials masked/);
      assert.match(await body.locator('h3').last().textContent(), /credentials masked/);
      await body.locator('pre.raw').evaluate((e) => { e.scrollIntoView({ block: 'end' }); });
      await page.screenshot({ path: join(OUT, 'calls-mras-masked-raw-1366.png') });
      for (const format of ['html', 'snooper']) none(`the ${format} export`, (await exportFile(page, format)).bytes.toString('utf8'));
    });
  });

  it("shows the user's rating: stars, problems and comment in the Calls panel, its summary in the message panel, a low one as a finding", async () => {
    await withPage({ width: 1600, height: 900 }, async ({ page }) => {
      await openCalls(page, ['vq-poor-network.uccapilog']);
      const rated = page.locator('#ins-calls .call-feedback').first();
      const line = await rated.locator('.call-quality-line').first().textContent();
      assert.match(line, /^Rated by sip:alice@contoso\.com: ★★☆☆☆ 2 of 5 stars \(poor\) low · audio: distorted speech \(Audio_DistortedSpeech\), audio: interrupted \(Audio_Interrupted\) #10$/);
      // The user's comment is text: the angle brackets the user typed are characters, not elements.
      const comment = rated.locator('.call-comment q');
      assert.equal(await comment.textContent(), 'Bob kept cutting out and sounded robotic <hotel wifi & VPN again>');
      assert.equal(await comment.evaluate((q) => q.children.length), 0);
      assert.equal(await page.locator('#ins-calls .call-feedback').count(), 1, 'only the first call was rated');
      await rated.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(OUT, 'calls-feedback-1600.png') });
      // The rating's message: its body summary.
      await rated.locator('.msg-link').click();
      await page.waitForFunction(() => /Call rating: 2 of 5 stars \(poor\)/.test(document.getElementById('detail-body').textContent));
      const body = await page.locator('#detail-body').textContent();
      assert.match(body, /rated the call 2 of 5 stars \(poor\) — on Rate My Call's scale from 1 \(really bad\) to 5 \(excellent\)/);
      assert.match(body, /Problems ticked: audio: distorted speech \(Audio_DistortedSpeech\), audio: interrupted \(Audio_Interrupted\) \(7 more offered, not ticked\)/);
      assert.match(body, /The user wrote \(en-US\): “Bob kept cutting out and sounded robotic <hotel wifi & VPN again>”/);
      await page.locator('#detail-body').getByText('Call rating: 2 of 5 stars (poor)').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(OUT, 'calls-feedback-detail-1600.png') });
      // A finding next to the poor quality.
      await page.click('#findings-toggle');
      await page.waitForSelector('#ins-findings .finding');
      const findings = await page.locator('#ins-findings').textContent();
      assert.match(findings, /The user rated the call alice@contoso\.com → bob@contoso\.com 2 of 5 stars \(poor\)/);
      assert.match(findings, /Poor call quality on the call/);
    });
  });

  it('says so when a log has no calls', async () => {
    await withPage({ colorScheme: 'dark' }, async ({ page }) => {
      await page.click('#open-sample');
      await waitDone(page);
      await page.click('#calls-toggle');
      await page.waitForSelector('#ins-calls .placeholder');
      assert.match(await page.locator('#ins-calls').textContent(), /No calls in this log/);
      assert.match(await page.locator('#calls-toggle').textContent(), /^Calls: 0$/);
    });
  });
});
