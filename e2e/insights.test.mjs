// End-to-end tests of what the engine explains (www/insights.js): header meanings and body summaries in the
// message panel, the findings and presence drawer, several files merged on one timeline with their clock
// offsets (estimated, and set by hand), archives and captures. Screenshots in e2e/out/insights-*.png.
// Run: scripts/test.sh (builds first), or `node --test --test-reporter=spec e2e/` after a trunk build.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, deflateRawSync } from 'node:zlib';
import { ROOT, OUT, waitDone, useBrowser, openSample, showMessage } from './helpers.mjs';

const FIXTURES = join(ROOT, 'tests', 'fixtures');
const SAMPLE = join(ROOT, 'www', 'sample', 'sample.uccapilog');
const EDGE = join(FIXTURES, 'server-edge.log');
const FRONTEND = join(FIXTURES, 'server-frontend.log');
const HOSTILE = join(FIXTURES, 'hostile.uccapilog');
const PCAP = join(ROOT, '..', 'shared', 'fixtures', 'pcap', 'sip_ipv4_tcp.pcap');

const suite = useBrowser();
const { withPage } = suite;


// The meanings shown (visible) next to the header rows named `name`, one list per row.
function visibleMeanings(page, name) {
  return page.evaluate((n) => Array.from(document.querySelectorAll('#detail-body table.headers tbody tr'))
    .filter((tr) => tr.querySelector('th').textContent.trim().toLowerCase() === n.toLowerCase())
    .map((tr) => {
      const head = tr.querySelector('th').getBoundingClientRect();
      return Array.from(tr.querySelectorAll('.h-ann'))
        .filter((a) => a.checkVisibility())
        .map((a) => {
          const r = a.getBoundingClientRect();
          // Next to its header: in the same row, level with or just under the name.
          return { text: a.textContent, sameRow: r.top >= head.top - 2 && r.top < head.bottom + 400 };
        });
    }), name);
}

const selected = (page) => page.evaluate(() => {
  const a = document.querySelector('#ladder-canvas [data-msg].selected');
  return a ? Number(a.getAttribute('data-msg')) : -1;
});

const arrowCount = (page) => page.evaluate(() => Number(document.body.dataset.messageCount) && document.querySelectorAll('#ladder-canvas [data-msg]').length);

// The ladder's row count (all rows, also those not drawn: the ladder is virtualized).
const ladderRows = (page) => page.evaluate(() => document.getElementById('ladder-caption').textContent);

// The sample with one BENOTIFY repeated: four BENOTIFYs in a row on one subscription, a storm to collapse.
function stormLog() {
  const lines = readFileSync(SAMPLE, 'utf8').split('\r\n');
  const at = lines.findIndex((l) => l.includes(':: BENOTIFY sip:'));
  let start = at;
  while (!/Data Received -/.test(lines[start])) start -= 1;
  let end = at;
  while (!/End of Data Received/.test(lines[end])) end += 1;
  const block = lines.slice(start, end + 1);
  const copies = [];
  for (const n of [5, 6, 7]) {
    // Same byte counts: only one digit of the CSeq and of the time change.
    copies.push(...block.map((l) => l.replace('CSeq: 2 BENOTIFY', `CSeq: ${n} BENOTIFY`).replace(/10:58:20\./g, `10:58:2${n}.`)));
  }
  lines.splice(end + 1, 0, ...copies);
  return lines.join('\r\n');
}

// A minimal zip file (deflate) holding `entries` ({name, data}), written here so the test needs no tool.
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function zipOf(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + packed.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

// Three files through the file input, as a person picks several files in the dialog.
async function openThree(page) {
  await page.setInputFiles('#file-input', [SAMPLE, EDGE, FRONTEND]);
  return waitDone(page);
}

async function checkThree(page) {
  const files = await page.locator('#files').textContent();
  for (const name of ['sample.uccapilog', 'server-edge.log', 'server-frontend.log']) assert.ok(files.includes(name), `${name} in the top bar`);
  // Three lifelines, labelled by role and name.
  const head = await page.locator('#ladder-header').textContent();
  assert.match(head, /on1 client/);
  assert.match(head, /Access Edge acc\.limcm\.com/);
  assert.match(head, /Front End FE01\.limcm\.com/);
  // The server traces' clocks (UTC) are about 9 hours behind the client's (UTC+9).
  const strip = await page.locator('#clock-strip').textContent();
  assert.match(strip, /server-edge\.log \+9 h 0 min 0\.0\d\d s/);
  assert.match(strip, /server-frontend\.log \+9 h 0 min 0\.0\d\d s/);
  // 34 + 8 + 8 messages read; those seen in two files are drawn once.
  assert.equal(await ladderRows(page), '42 messages');
  // The client's first REGISTER, drawn once, was also logged by the Edge.
  await showMessage(page, 0);
  assert.match(await page.locator('#detail-body .start-line').textContent(), /REGISTER sip:limcm\.com/);
  const facts = await page.locator('#detail-body .msg-meta').innerText();
  assert.match(facts, /Also seen\s+in server-edge\.log at 01:57:41\.221/);
  // A message from a server trace: its own (UTC) time is told too.
  await showMessage(page, 1);
  assert.match(await page.locator('#detail-body .msg-meta').innerText(), /File time\s+01:57:41\.\d{3} on server-edge\.log's own clock/);
}

describe('insights: what the engine explains', () => {
  it('message panel: each header\'s meaning next to it (User-Agent, ms-diagnostics, WWW-Authenticate)', async () => {
    for (const width of [1366, 2560]) {
      await withPage({ width, height: width > 2000 ? 1440 : 768 }, async ({ page }) => {
        await openSample(page);
        await showMessage(page, 0); // REGISTER
        const ua = await visibleMeanings(page, 'User-Agent');
        assert.equal(ua.length, 1, 'one User-Agent row');
        assert.ok(ua[0].some((a) => /Skype for Business 2016\/2019/.test(a.text) && a.sameRow), `User-Agent explained (${JSON.stringify(ua)})`);
        await showMessage(page, 1); // 401
        const auth = await visibleMeanings(page, 'WWW-Authenticate');
        assert.equal(auth.length, 2, 'both WWW-Authenticate rows');
        assert.match(auth[0].map((a) => a.text).join(' '), /NTLM/);
        assert.match(auth[1].map((a) => a.text).join(' '), /TLS-DSK/);
        await showMessage(page, 15); // 503
        const diag = await visibleMeanings(page, 'ms-diagnostics');
        assert.ok(diag[0].some((a) => /Temporarily cannot route/.test(a.text)), 'ms-diagnostics 1007 explained');
        // The page's own short list of header meanings is gone: headers the engine says nothing about have none.
        const callId = await visibleMeanings(page, 'Call-ID');
        assert.deepEqual(callId, [[]], 'no meaning made up by the page');
      });
    }
  });

  it('message panel: readable body summaries, availability coloured and in words, IM text from a header', async () => {
    await withPage({}, async ({ page }) => {
      await openSample(page);
      await showMessage(page, 13); // 200 OK to the batched SUBSCRIBE: rlmi + categories for on2 and on3
      const titles = await page.$$eval('#detail-body .bsum-title', (els) => els.map((e) => e.textContent));
      assert.ok(titles.some((t) => /Resource list of sip:on1@limcm\.com: 2 contacts/.test(t)), titles.join(' | '));
      assert.ok(titles.some((t) => /Presence of sip:on2@limcm\.com: 3500 Available, note "회의 중"/.test(t)), 'Korean note shown as is');
      const badge = page.locator('#detail-body .bsum-title .avail.av-available').first();
      assert.equal((await badge.textContent()).trim(), '3500 Available', 'the state is told in words');
      const colour = await badge.locator('.avail-dot').evaluate((e) => getComputedStyle(e).backgroundColor);
      assert.notEqual(colour, 'rgba(0, 0, 0, 0)', 'and shown in colour');
      // Summaries come before the pretty-printed text of their part.
      const order = await page.$$eval('#detail-body .body-part', (parts) => parts.map((p) => {
        const s = p.querySelector('.bsum');
        const pre = p.querySelector('details.pretty');
        return !s || !pre || (s.compareDocumentPosition(pre) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
      }));
      assert.ok(order.every(Boolean), 'summary above the raw/pretty body');
      await showMessage(page, 16); // BENOTIFY: on2 is Busy
      assert.ok(await page.locator('#detail-body .bsum .avail.av-busy').count() > 0, 'Busy badge');
      await showMessage(page, 17); // INVITE: the first IM travels in ms-text-format
      const im = await page.locator('#detail-body .body-part-header').innerText();
      assert.match(im, /From the ms-text-format header/);
      assert.match(im, /Hi, do you have a minute\?/);
      await showMessage(page, 21); // MESSAGE with Korean text
      assert.match(await page.locator('#detail-body .bsum').first().innerText(), /회의 끝나면 잠깐 통화 가능할까요\?/);
    });
  });

  it('findings: the 503 and the unanswered SERVICE; clicking one selects its message, also from another conversation', async () => {
    await withPage({}, async ({ page }) => {
      await openSample(page);
      await page.waitForFunction(() => /Findings: \d/.test(document.getElementById('findings-toggle').textContent));
      assert.match(await page.locator('#findings-toggle').textContent(), /1 error/);
      await page.click('#findings-toggle');
      assert.equal(await page.locator('#findings-toggle').getAttribute('aria-expanded'), 'true');
      await page.waitForSelector('#insights .finding-main');
      const items = await page.$$eval('#insights .finding', (els) => els.map((e) => ({
        sev: e.querySelector('.diag-word').textContent,
        title: e.querySelector('.finding-title').textContent,
        msg: Number(e.querySelector('.finding-main').dataset.msg),
      })));
      const failed = items.find((f) => /SUBSCRIBE sip:on4@limcm\.com → 503 Service Unavailable/.test(f.title));
      assert.ok(failed, `the 503 is a finding (${items.map((f) => f.title).join(' | ')})`);
      assert.equal(failed.sev, 'error', 'told in words');
      const unanswered = items.find((f) => /SERVICE sip:on1@limcm\.com got no response/.test(f.title));
      assert.ok(unanswered, 'the unanswered SERVICE is a finding');
      assert.equal(unanswered.msg, 33);
      // Narrow the ladder to the registration, then pick a finding elsewhere: all messages come back.
      await page.locator('#conv-list [data-conv="0"]').click();
      await page.waitForFunction(() => /of 34/.test(document.getElementById('ladder-caption').textContent));
      await page.locator(`#insights .finding-main[data-msg="${failed.msg}"]`).click();
      await page.waitForFunction((n) => Number(document.querySelector('#ladder-canvas [data-msg].selected')?.getAttribute('data-msg')) === n, failed.msg);
      assert.equal(await ladderRows(page), '34 messages', 'the whole ladder again');
      await page.waitForFunction(() => /503 Service Unavailable/.test(document.querySelector('#detail-body .start-line')?.textContent || ''));
      // The arrow is in view.
      const inView = await page.evaluate(() => {
        const a = document.querySelector('#ladder-canvas [data-msg].selected').getBoundingClientRect();
        const sc = document.getElementById('ladder-scroll').getBoundingClientRect();
        return a.top >= sc.top && a.bottom <= sc.bottom;
      });
      assert.ok(inView, 'the ladder scrolled to it');
      // Keyboard: ↓ moves to the next finding, Enter shows it; Esc closes the drawer.
      await page.locator(`#insights .finding-main[data-msg="${failed.msg}"]`).focus();
      await page.keyboard.press('ArrowDown');
      const next = await page.evaluate(() => Number(document.activeElement.dataset.msg));
      assert.notEqual(next, failed.msg, 'focus moved to the next finding');
      assert.equal(await selected(page), failed.msg, '↓ in the list does not move the ladder');
      await page.keyboard.press('Enter');
      await page.waitForFunction((n) => Number(document.querySelector('#ladder-canvas [data-msg].selected')?.getAttribute('data-msg')) === n, next);
      await page.keyboard.press('Escape');
      assert.ok(await page.locator('#insights').isHidden(), 'Esc closes the drawer');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'findings-toggle', 'focus back on its toggle');
    });
  });

  it('presence: on2 Available → Busy, Korean notes, changes linked to their messages, BENOTIFY storms collapsed', async () => {
    await withPage({}, async ({ page }) => {
      await openSample(page);
      await page.click('#presence-toggle');
      await page.waitForSelector('#insights .pc-row');
      const contacts = await page.$$eval('#insights .pc-row', (rows) => rows.map((r) => ({
        uri: r.querySelector('.pc-uri').textContent,
        states: Array.from(r.querySelectorAll('.pc-change .avail-name')).map((e) => e.textContent),
        msgs: Array.from(r.querySelectorAll('.pc-change')).map((e) => Number(e.dataset.msg)),
        text: r.textContent,
      })));
      const on2 = contacts.find((c) => c.uri === 'on2@limcm.com');
      assert.ok(on2, `on2 listed (${contacts.map((c) => c.uri).join(', ')})`);
      assert.deepEqual(on2.states, ['Available', 'Busy']);
      assert.match(on2.text, /회의 중/, 'the Korean note as written');
      const on3 = contacts.find((c) => c.uri === 'on3@limcm.com');
      assert.deepEqual(on3.states, ['Available', 'Away']);
      assert.match(on3.text, /외근 중 - 오후 3시 복귀/);
      // Colours carry the state (the engine's class of each change, av-<class>), the words too.
      assert.equal(await page.locator('#insights .pc-row').nth(contacts.indexOf(on2)).locator('.avail.av-busy').count(), 1);
      const on3row = page.locator('#insights .pc-row').nth(contacts.indexOf(on3));
      assert.equal(await on3row.locator('.avail.av-available').count(), 1);
      assert.equal(await on3row.locator('.avail.av-away').count(), 1);
      const classes = await page.$$eval('#insights .pc-change .avail', (els) => els.map((e) => e.className));
      assert.ok(classes.length > 0 && classes.every((c) => /^avail av-(available|idle|busy|busy-idle|dnd|away|offline|none)$/.test(c)), classes.join(', '));
      const dot = (cls) => page.locator(`#insights .pc-change .avail.${cls} .avail-dot`).first().evaluate((e) => getComputedStyle(e).backgroundColor);
      assert.notEqual(await dot('av-available'), await dot('av-busy'), 'Available and Busy in different colours');
      // Click Busy: the BENOTIFY that said so.
      await page.locator(`#insights .pc-change[data-msg="${on2.msgs[1]}"]`).click();
      await page.waitForFunction(() => /^BENOTIFY/.test(document.querySelector('#detail-body .start-line .sl-text')?.textContent || ''));
      assert.equal(await selected(page), on2.msgs[1]);
      // Subscriptions: the failed one to on4 is said to have failed.
      const subs = await page.$$eval('#insights .ps-sub', (els) => els.map((e) => e.textContent));
      assert.ok(subs.some((t) => /on4@limcm\.com/.test(t) && /failed/.test(t) && /Temporarily cannot route/.test(t)), subs.join(' | '));
    });
    // Four BENOTIFYs in a row: one expandable row.
    await withPage({}, async ({ page }) => {
      const text = stormLog();
      await page.setInputFiles('#file-input', { name: 'storm.uccapilog', mimeType: 'text/plain', buffer: Buffer.from(text, 'utf8') });
      assert.equal(await waitDone(page), 37);
      await page.click('#presence-toggle');
      await page.waitForSelector('#insights .ps-storm');
      const storm = page.locator('#insights .ps-storm').first();
      const summary = await storm.locator('summary').textContent();
      assert.match(summary, /BENOTIFY ×5/);
      assert.match(summary, /5 BENOTIFYs \(messages #17 to #28\)/, 'message numbers as the page counts them');
      assert.ok(await storm.locator('.ps-storm-body').isHidden(), 'collapsed');
      await storm.locator('summary').focus();
      await page.keyboard.press('Enter');
      assert.ok(await storm.locator('.ps-storm-body').isVisible(), 'Enter expands it');
      await storm.locator('.ps-storm-body .msg-link').last().click();
      await page.waitForFunction(() => Number(document.querySelector('#ladder-canvas [data-msg].selected')?.getAttribute('data-msg')) === 27);
    });
  });

  it('several files through the file input: three lifelines, clocks about +9 h, shared messages drawn once', async () => {
    await withPage({}, async ({ page }) => {
      assert.equal(await openThree(page), 42);
      await checkThree(page);
    });
  });

  it('three lifelines at 1366 px: hiding the message panel gives the flow the room, showing it brings the message back', async () => {
    await withPage({ width: 1366, height: 768 }, async ({ page }) => {
      await openThree(page);
      await page.locator('#ladder-canvas [data-msg]').first().click();
      const overflow = () => page.evaluate(() => {
        const sc = document.getElementById('ladder-scroll');
        return sc.scrollWidth - sc.clientWidth;
      });
      assert.ok(await overflow() > 0, 'with the panel open the third lifeline is past the edge');
      await page.click('#detail-toggle');
      assert.equal(await page.getAttribute('#detail-toggle', 'aria-expanded'), 'false');
      assert.ok(await page.locator('#detail-body').isHidden(), 'the message body is folded away');
      assert.ok(await overflow() <= 0, 'folded, the whole ladder fits');
      await page.screenshot({ path: join(OUT, 'insights-merged-folded-1366.png') });
      await page.click('#detail-toggle');
      assert.equal(await page.getAttribute('#detail-toggle', 'aria-expanded'), 'true');
      assert.match(await page.locator('#detail-body').textContent(), /REGISTER sip:limcm\.com/, 'the selected message is still shown');
    });
  });

  it('several files dropped at once: the same merged ladder', async () => {
    await withPage({}, async ({ page }) => {
      const files = [SAMPLE, EDGE, FRONTEND].map((p) => ({ name: p.split('/').pop(), b64: readFileSync(p).toString('base64') }));
      await page.evaluate((list) => {
        const dt = new DataTransfer();
        for (const f of list) {
          const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
          dt.items.add(new File([bytes], f.name, { type: 'text/plain' }));
        }
        for (const type of ['dragenter', 'dragover', 'drop']) {
          document.getElementById('dropzone').dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
        }
      }, files);
      assert.equal(await waitDone(page), 42);
      await checkThree(page);
    });
  });

  it('a clock offset set by hand merges again (edge at 0: more arrows); Reset goes back to the estimate', async () => {
    await withPage({}, async ({ page }) => {
      await openThree(page);
      await page.click('#clock-strip button');
      const panel = page.locator('#files-panel');
      assert.ok(await panel.isVisible(), 'the files panel opens');
      const rows = await panel.locator('tbody tr').allInnerTexts();
      assert.match(rows[0], /sample\.uccapilog[\s\S]*UccApi log[\s\S]*34[\s\S]*reference/);
      assert.match(rows[1], /server-edge\.log[\s\S]*server trace[\s\S]*8[\s\S]*\+9 h 0 min 0\.0\d\d s, estimated from 8 shared messages/);
      const input = panel.locator('[data-file-row="1"] input');
      assert.ok(await input.evaluate((e) => e === document.activeElement), 'focus on the offset to edit');
      assert.match(await input.inputValue(), /^\+9 h 0 min 0\.0\d\d s$/, 'the engine\'s offset text, ready to edit');
      // Nonsense is refused with a hint, nothing changes.
      await input.fill('nine hours');
      await panel.locator('[data-file-row="1"] button', { hasText: 'Apply' }).click();
      assert.equal(await input.getAttribute('aria-invalid'), 'true');
      assert.match(await panel.locator('[data-file-row="1"] .fp-error').textContent(), /milliseconds/);
      // The Edge's clock at 0: its messages no longer meet the client's, so more arrows.
      await input.fill('0');
      await input.press('Enter');
      await page.waitForFunction(() => /^4[3-9] messages$/.test(document.getElementById('ladder-caption').textContent));
      const more = Number((await ladderRows(page)).split(' ')[0]);
      assert.ok(more > 42, `more arrows with the edge at 0 (${more})`);
      assert.match(await page.locator('#clock-strip').textContent(), /server-edge\.log \+?0(\.0+)? s \(set by hand\)/, 'the engine\'s offset text');
      assert.match(await panel.locator('[data-file-row="1"]').innerText(), /set by hand/);
      // h:m:s works too.
      await panel.locator('[data-file-row="1"] input').fill('+9:00:00.008');
      await panel.locator('[data-file-row="1"] button', { hasText: 'Apply' }).click();
      await page.waitForFunction(() => document.getElementById('ladder-caption').textContent === '42 messages');
      // Back to the estimate.
      await panel.locator('[data-file-row="1"] button', { hasText: 'Reset to estimate' }).click();
      await page.waitForFunction(() => /estimated from 8 shared/.test(document.querySelector('#files-panel [data-file-row="1"]')?.textContent || ''));
      assert.equal(await ladderRows(page), '42 messages');
      // Esc closes the panel.
      await page.keyboard.press('Escape');
      assert.ok(await panel.isHidden());
      // The merged ladder still works: messages open, findings list the merged analysis.
      await showMessage(page, 0);
      assert.match(await page.locator('#detail-body .msg-meta').innerText(), /Also seen\s+in server-edge\.log/);
    });
  });

  it('a .gz and a .zip open and show the files inside, under their archive', async () => {
    await withPage({}, async ({ page }) => {
      await page.setInputFiles('#file-input', { name: 'edge.log.gz', mimeType: 'application/gzip', buffer: gzipSync(readFileSync(EDGE)) });
      assert.equal(await waitDone(page), 8);
      const chips = await page.$$eval('#files .file-chip', (els) => els.map((e) => ({ text: e.innerText, member: e.classList.contains('file-member') })));
      assert.equal(chips.length, 2);
      assert.match(chips[0].text, /edge\.log\.gz[\s\S]*gzip archive/);
      assert.ok(chips[1].member, 'the inner file comes under its archive');
      assert.match(chips[1].text, /edge\.log[\s\S]*server trace[\s\S]*8 msgs/, 'the gzipped file, named after its archive');
      assert.match(await page.locator('#ladder-header').textContent(), /Front End FE01\.limcm\.com/);
    });
    await withPage({}, async ({ page }) => {
      const zip = zipOf([
        { name: 'Tracing/server-frontend.log', data: readFileSync(FRONTEND) },
        { name: 'Tracing/Lync-UccApi-0.UccApilog', data: readFileSync(SAMPLE) },
      ]);
      await page.setInputFiles('#file-input', { name: 'logs.zip', mimeType: 'application/zip', buffer: zip });
      const count = await waitDone(page);
      assert.ok(count >= 34, `the files inside were read (${count} messages)`);
      await page.locator('#files .file-open').first().click();
      const panel = page.locator('#files-panel');
      const rows = await panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ text: tr.innerText, member: tr.classList.contains('fp-member') })));
      assert.equal(rows.length, 3);
      assert.match(rows[0].text, /logs\.zip[\s\S]*zip archive/);
      assert.ok(rows[1].member && rows[2].member, 'members indented under the archive');
      assert.match(rows.map((r) => r.text).join('\n'), /Tracing\/server-frontend\.log[\s\S]*in logs\.zip/);
      assert.match(rows.map((r) => r.text).join('\n'), /Tracing\/Lync-UccApi-0\.UccApilog[\s\S]*UccApi log[\s\S]*34/);
      // The archive itself has no clock; its members do.
      assert.match(rows[0].text, /archive: see the files inside/);
      // The client log is the reference even when the server trace comes first: its local time is what the admin
      // remembers; the server trace (UTC) is shifted by about +9 h.
      assert.match(rows[2].text, /reference clock/, 'the client log inside is the reference');
      assert.match(rows[1].text, /\+9 h 0 min 0\.0\d\d s, estimated from 8 shared messages/, 'the server trace, 9 h behind the client\'s local time');
      // A message of a file inside the zip opens: its text is inflated again from the archive.
      await page.keyboard.press('Escape');
      await page.locator('#ladder-canvas [data-msg]').last().click();
      await page.waitForSelector('#detail-body .start-line');
      assert.match(await page.locator('#detail-body .start-line .sl-text').textContent(), /SIP\/2\.0/);
      assert.doesNotMatch(await page.locator('#detail-body').textContent(), /could not be read back/);
    });
  });

  it('a pcap capture shows its 7 arrows', { skip: !existsSync(PCAP) && 'no shared pcap fixture' }, async () => {
    await withPage({}, async ({ page }) => {
      await page.setInputFiles('#file-input', PCAP);
      assert.equal(await waitDone(page), 7);
      assert.equal(await arrowCount(page), 7);
      assert.match(await page.locator('#files').textContent(), /sip_ipv4_tcp\.pcap[\s\S]*pcap/);
      assert.equal(await page.locator('#clock-strip').isHidden(), true, 'one file: no clock note');
    });
  });

  it('log text in findings, presence and summaries stays text (hostile log)', { skip: !existsSync(HOSTILE) && 'no hostile fixture' }, async () => {
    await withPage({}, async ({ page, dialogs }) => {
      await page.setInputFiles('#file-input', HOSTILE);
      const count = await waitDone(page);
      for (let i = 0; i < count; i++) await showMessage(page, i);
      await page.click('#findings-toggle');
      await page.waitForFunction(() => !/Looking/.test(document.getElementById('ins-findings').textContent));
      await page.click('#presence-toggle');
      await page.waitForFunction(() => !/Reading presence/.test(document.getElementById('ins-presence').textContent));
      // The trace lines carry HTML and template payloads too: shown as text, the whole of each under the list.
      await page.click('#trace-toggle');
      await page.waitForSelector('#ins-trace .tr-row.lv-error');
      await page.locator('#ins-trace .tr-row.lv-error').first().click();
      assert.match(await page.locator('#ins-trace .tr-detail-text').textContent(), /488 <i>Bad<\/i> <img src=x onerror=alert\('PWNED'\)>/);
      await page.locator('#files .file-open').first().click();
      const bad = await page.evaluate(() => {
        const out = [];
        for (const e of document.querySelectorAll('#workspace *, .topbar *, #files-panel *')) {
          const tag = e.localName.toLowerCase();
          if (['script', 'img', 'iframe', 'object', 'embed', 'foreignobject', 'image', 'a', 'style', 'link', 'form', 'video', 'audio', 'source', 'meta', 'base'].includes(tag)) out.push(tag);
          for (const a of e.attributes) if (a.name.toLowerCase().startsWith('on')) out.push(`${tag}[${a.name}]`);
        }
        return out;
      });
      assert.deepEqual(bad, []);
      assert.deepEqual(dialogs, []);
    });
  });

  it('screenshots: message panel with meanings, findings, presence, three files merged (1366×768, 2560×1440, light and dark)', async () => {
    const sizes = [[1366, 768], [2560, 1440]];
    for (const [width, height] of sizes) {
      for (const colorScheme of ['light', 'dark']) {
        const tag = `${width}${colorScheme === 'dark' ? '-dark' : ''}`;
        await withPage({ width, height, colorScheme }, async ({ page }) => {
          await openSample(page);
          await showMessage(page, 15);
          await page.screenshot({ path: join(OUT, `insights-message-${tag}.png`) });
          await showMessage(page, 13);
          await page.evaluate(() => document.querySelector('#detail-body .bsum').scrollIntoView({ block: 'start' }));
          await page.screenshot({ path: join(OUT, `insights-body-${tag}.png`) });
          await page.click('#findings-toggle');
          await page.waitForSelector('#insights .finding-main');
          await page.locator('#insights .finding-main').first().click();
          await page.waitForSelector('#detail-body .start-line');
          await page.screenshot({ path: join(OUT, `insights-findings-${tag}.png`) });
          await page.click('#presence-toggle');
          await page.waitForSelector('#insights .pc-row');
          await page.screenshot({ path: join(OUT, `insights-presence-${tag}.png`) });
          await page.click('#presence-toggle'); // closed again: the merged ladder gets the room
          await openThree(page);
          await showMessage(page, 0);
          await page.screenshot({ path: join(OUT, `insights-merged-${tag}.png`) });
          await page.click('#clock-strip button');
          await page.screenshot({ path: join(OUT, `insights-clocks-${tag}.png`) });
        });
      }
    }
  });
});
