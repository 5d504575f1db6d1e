// Never run what a log says (issue #10): a realistic Skype for Business client log, made here, whose every field
// the page shows carries script-injection payloads (start line, From/To display names that become lifeline names,
// Via, Contact, User-Agent, Subject, ms-diagnostics reason text that findings quote, presence notes, IM text as
// plain text, HTML and in ms-text-format, SDP, multipart parts, file names and zip entry names), opened in every
// view. No payload may run (window.__pwned stays undefined, no dialog, no page error, no request leaves), and log
// text may only ever be text: the marker appears in text nodes and in title / aria-label attributes, nowhere else.
// Also: Trusted Types is enforced (a string at an HTML sink throws), and the saved SVG carries no script.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ROOT, useBrowser, waitDone, zip, exportFile } from './helpers.mjs';

const MARK = 'XSSMARK';
// Each payload names the marker and, if it ever ran, sets window.__pwned.
const P = {
  img: `<img src=x onerror="window.__pwned='img'">${MARK}`,
  script: `<script>window.__pwned='script'</script>${MARK}`,
  svg: `"><svg onload="window.__pwned='svg'">${MARK}`,
  js: `javascript:window.__pwned='js';//${MARK}`,
  tmpl: `{{constructor.constructor('window.__pwned=1')()}}${MARK}`,
  textarea: `</textarea></title></style><img src=x onerror="window.__pwned='ta'">${MARK}`,
  css: `<style>*{background:url("http://evil.example/${MARK}")}</style><div style="background:url(javascript:window.__pwned=1)">${MARK}`,
  fo: `<svg><foreignObject><iframe src="javascript:parent.__pwned='fo'"></iframe></foreignObject></svg>${MARK}`,
  bidi: `\u202Egnp.exe\u202C \u2066${MARK}\u2069`,
  ctrl: `NUL\u0000ESC\u001b[31mred\u001b[0m${MARK}`,
  link: `<a href="javascript:window.__pwned='a'">${MARK}</a><base href="http://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1">`,
};
const ALL = Object.values(P).join(' ');
// Without spaces: where SIP syntax splits on them (request-URI, Via host, tags).
const TIGHT = `<img/src=x/onerror=window.__pwned=1>${MARK}`;

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const UTF16 = (s) => Buffer.from(s, 'utf16le').toString('base64');

let clock = 0;
/** One UccApiLog packet: a sent or received SIP message, its text with CRLF line ends. */
function packet(dir, lines, body = '') {
  clock += 137;
  const t = new Date(Date.UTC(2018, 2, 30, 10, 0, 0) + clock).toISOString();
  const stamp = `03/30/2018|${t.slice(11, 23)}`;
  const msg = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const size = Buffer.byteLength(msg);
  const [what, to] = dir === 'out'
    ? ['Sending Packet - 211.208.253.66:5061 (From Local Address: 192.168.1.51:51882)', 'End of Sending Packet - 211.208.253.66:5061 (From Local Address: 192.168.1.51:51882)']
    : ['Data Received -211.208.253.66:5061 (To Local Address: 192.168.1.51:51882)', 'End of Data Received -211.208.253.66:5061 (To Local Address: 192.168.1.51:51882)'];
  return `${stamp} 2738:14E0 INFO  :: ${what} ${size} bytes:\n${stamp} 2738:14E0 INFO  :: ${msg}\n${stamp} 2738:14E0 INFO  :: ${to} ${size} bytes\n`;
}

const UA = `UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business ${P.script})`;
const common = (method, seq, callId, tag) => [
  `Via: SIP/2.0/TLS 192.168.1.51:51882;branch=z9hG4bK${seq}${method};received=${TIGHT}`,
  'Max-Forwards: 70',
  `From: "${P.img}" <sip:on1@limcm.com>;tag=${tag};epid=5f2c81d07a`,
  `To: "${P.svg}" <sip:on2@limcm.com>`,
  `Call-ID: ${callId}`,
  `CSeq: ${seq} ${method}`,
  `Contact: "${P.textarea}" <sip:on1@limcm.com;opaque=user:epid:Wq3L;gruu>`,
  `User-Agent: ${UA}`,
];
const reply = (status, method, seq, callId, tag, extra = []) => [
  `SIP/2.0 ${status}`,
  `Via: SIP/2.0/TLS 192.168.1.51:51882;branch=z9hG4bK${seq}${method};received=211.208.253.66`,
  `From: "${P.img}" <sip:on1@limcm.com>;tag=${tag};epid=5f2c81d07a`,
  `To: "${P.svg}" <sip:on2@limcm.com>;tag=r${tag}`,
  `Call-ID: ${callId}`,
  `CSeq: ${seq} ${method}`,
  `Server: RTC/6.0 ${P.fo}`,
  ...extra,
];

function hostileLog() {
  clock = 0;
  const out = [];
  const note = `<?xml version="1.0" encoding="utf-8"?>\r\n<categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:on2@limcm.com"><category name="state" instance="1" publishTime="2018-03-30T01:58:19.930"><state xmlns="http://schemas.microsoft.com/2006/09/sip/state" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="aggregateState"><availability>6500</availability><activity token="${MARK}&lt;img src=x onerror=window.__pwned=1&gt;"/></state></category><category name="note" instance="0" publishTime="2018-03-30T02:10:00.000"><note xmlns="http://schemas.microsoft.com/2006/09/sip/note"><body type="personal" uri="">${escapeXml(ALL)}</body></note></category><category name="contactCard" instance="0" publishTime="2018-03-30T02:10:00.000"><contactCard xmlns="http://schemas.microsoft.com/2006/09/sip/contactcard"><identity><name><displayName>${escapeXml(P.img)}</displayName></name><email>${escapeXml(P.js)}</email></identity></contactCard></category></categories>`;
  // SUBSCRIBE (presence) → 200 OK with categories; then BENOTIFYs with a note, twice (a change).
  out.push(packet('out', [`SUBSCRIBE sip:on1@limcm.com SIP/2.0`, ...common('SUBSCRIBE', 1, `sub-${MARK}`, 't1'),
    'Event: presence', 'Accept: application/msrtc-event-categories+xml', 'Supported: eventlist', `Subject: ${ALL}`]));
  out.push(packet('in', reply('200 OK', 'SUBSCRIBE', 1, `sub-${MARK}`, 't1', ['Expires: 36000', 'Content-Type: application/msrtc-event-categories+xml', 'Event: presence']), note));
  out.push(packet('in', ['BENOTIFY sip:192.168.1.51:51882;transport=tls SIP/2.0', ...common('BENOTIFY', 2, `sub-${MARK}`, 't1').slice(0, 6),
    'Content-Type: application/msrtc-event-categories+xml', 'Event: presence', 'subscription-state: active;expires=31497'], note.replace('6500', '3500')));
  // A pidf NOTIFY with a note.
  out.push(packet('in', ['NOTIFY sip:192.168.1.51:51882;transport=tls SIP/2.0', ...common('NOTIFY', 3, `sub-${MARK}`, 't1').slice(0, 6),
    'Content-Type: application/pidf+xml', 'Event: presence', 'subscription-state: active;expires=31497'],
  `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:on2@limcm.com"><tuple id="t"><status><basic>open</basic></status><note>${escapeXml(ALL)}</note></tuple></presence>`));
  // A failed SUBSCRIBE with ms-diagnostics (a finding quotes the reason).
  out.push(packet('out', [`SUBSCRIBE sip:on4@limcm.com SIP/2.0`, ...common('SUBSCRIBE', 4, `fail-${MARK}`, 't2'), 'Event: presence']));
  out.push(packet('in', reply(`503 Service Unavailable ${P.script}`, 'SUBSCRIBE', 4, `fail-${MARK}`, 't2',
    [`ms-diagnostics: 1007;reason="${P.img.replace(/"/g, "'")} ${P.bidi}";source="FE01.limcm.com${P.ctrl}"`])));
  // INVITE with SDP (and an IM in ms-text-format), 200 OK, ACK.
  const sdp = ['v=0', `o=- 0 0 IN IP4 192.168.1.51`, `s=${P.script}`, `i=${P.img}`, 'c=IN IP4 192.168.1.51', 't=0 0',
    'm=message 5060 sip null', `a=accept-types:text/plain ${P.svg}`, ''].join('\r\n');
  out.push(packet('out', [`INVITE sip:${TIGHT}@limcm.com SIP/2.0`, ...common('INVITE', 1, `im-${MARK}`, 't3'),
    `ms-text-format: text/plain; charset=UTF-8;msgr=${UTF16('X-MMS-IM-Format: FN=Segoe%20UI; EF=; CO=0; CS=0; PF=0\r\n\r\n')};ms-body=${b64(ALL)}`,
    `Subject: ${P.tmpl}`, 'Content-Type: application/sdp'], sdp));
  out.push(packet('in', reply('100 Trying', 'INVITE', 1, `im-${MARK}`, 't3')));
  out.push(packet('in', reply('200 OK', 'INVITE', 1, `im-${MARK}`, 't3', ['Content-Type: application/sdp']), sdp));
  out.push(packet('out', [`ACK sip:on2@limcm.com SIP/2.0`, ...common('ACK', 1, `im-${MARK}`, 't3')]));
  // IMs: text/plain, text/html, multipart/alternative.
  out.push(packet('out', [`MESSAGE sip:on2@limcm.com SIP/2.0`, ...common('MESSAGE', 2, `im-${MARK}`, 't3'), 'Content-Type: text/plain; charset=UTF-8'], ALL));
  out.push(packet('in', reply('200 OK', 'MESSAGE', 2, `im-${MARK}`, 't3')));
  out.push(packet('out', [`MESSAGE sip:on2@limcm.com SIP/2.0`, ...common('MESSAGE', 3, `im-${MARK}`, 't3'), 'Content-Type: text/html; charset=UTF-8'],
    `<html><body><p>${ALL}</p><img src="x" onerror="window.__pwned='html'"><svg onload="window.__pwned=1"><foreignObject>${MARK}</foreignObject></svg></body></html>`));
  out.push(packet('in', reply('200 OK', 'MESSAGE', 3, `im-${MARK}`, 't3')));
  const boundary = 'b0und4ry';
  const multi = [`--${boundary}`, 'Content-Type: text/plain; charset=UTF-8', '', P.script, `--${boundary}`, 'Content-Type: text/html', '',
    `<b onmouseover="window.__pwned=1">${P.img}</b>`, `--${boundary}--`, ''].join('\r\n');
  out.push(packet('out', [`MESSAGE sip:on2@limcm.com SIP/2.0`, ...common('MESSAGE', 4, `im-${MARK}`, 't3'), `Content-Type: multipart/alternative; boundary=${boundary}`], multi));
  // An unanswered INFO (a finding), and a BYE.
  out.push(packet('out', [`INFO sip:on2@limcm.com SIP/2.0`, ...common('INFO', 5, `im-${MARK}`, 't3'), `Content-Type: application/${MARK}+xml`], `<x>${escapeXml(ALL)}</x>`));
  out.push(packet('out', [`BYE sip:on2@limcm.com SIP/2.0`, ...common('BYE', 6, `im-${MARK}`, 't3')]));
  out.push(packet('in', reply(`481 ${P.svg}`, 'BYE', 6, `im-${MARK}`, 't3', [`ms-diagnostics: 2;reason="${P.script}";source="${MARK}"`])));
  return out.join('');
}

function escapeXml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

const LOG = hostileLog();
// A SIP text file (another importer) for inside the zip.
const SIP_TEXT = [`OPTIONS sip:${TIGHT}@example.com SIP/2.0`, `Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bKz`, `From: "${P.css}" <sip:alice@example.com>;tag=1`,
  `To: "${P.fo}" <sip:bob@example.com>`, `Call-ID: zip-${MARK}`, 'CSeq: 1 OPTIONS', `User-Agent: ${P.ctrl}`, 'Content-Length: 0', '', ''].join('\r\n');
const FILE_NAME = `<img src=x onerror="window.__pwned='name'">${MARK}.uccapilog`;
const ZIP_NAME = `"><svg onload=window.__pwned=1>${MARK}.zip`;
const ZIP = zip([[`Tracing/<script>window.__pwned='zip'<\\script>${MARK}.UccApilog`, LOG], [`Tracing/${P.svg.replace(/\//g, '')}.txt`, SIP_TEXT]]);

// The page's own files: nothing else may be requested.
const OWN = new Set(['/', '/index.html', '/app.js', '/worker.js', '/reader.js', '/sipscope.js', '/sipscope_bg.wasm', '/style.css',
  '/favicon.svg', '/favicon.ico', '/insights.css', '/manifest.webmanifest', '/sw.js', ...readdirSync(join(ROOT, 'www', 'ui')).filter((f) => f.endsWith('.js')).map((f) => `/ui/${f}`)]);

/** Everything in the document that log text could have made: runs in the page. */
function scanDom(mark) {
  const found = [];
  // Text-bearing attributes the browser never interprets: tooltips, accessible names, and the search box's
  // own query (what the user typed, here a payload) kept on the match count.
  const TEXT_ATTRS = new Set(['title', 'aria-label', 'data-query']);
  for (const e of document.querySelectorAll('*')) {
    const tag = e.localName.toLowerCase();
    if (['img', 'iframe', 'object', 'embed', 'foreignobject', 'image', 'video', 'audio', 'source', 'base', 'frame', 'frameset', 'math'].includes(tag)) found.push(`<${tag}>`);
    if (tag === 'script' && e.parentElement !== document.head && !e.closest('head')) found.push('<script> outside head');
    if (['style', 'link', 'meta'].includes(tag) && !e.closest('head')) found.push(`<${tag}> outside head`);
    if (tag === 'a' && /^\s*javascript:/i.test(e.getAttribute('href') || '')) found.push('<a href=javascript:>');
    for (const a of e.attributes) {
      if (a.name.toLowerCase().startsWith('on')) found.push(`${tag}[${a.name}]`);
      if (a.value.includes(mark) && !TEXT_ATTRS.has(a.name)) found.push(`${tag}[${a.name}] holds log text`);
      if (/javascript:/i.test(a.value) && !TEXT_ATTRS.has(a.name)) found.push(`${tag}[${a.name}] = javascript:`);
    }
  }
  const scripts = [...document.scripts].map((s) => s.getAttribute('src') || 'inline');
  return { found, scripts, markInText: document.body.textContent.includes(mark), pwned: window.__pwned };
}

/**
 * What in a saved SVG could run or load something: elements other than drawing ones, on* attributes, links
 * out, and log text in an attribute other than aria-label (log text elsewhere is escaped text: `&lt;` never
 * starts a tag).
 */
function svgProblems(svg) {
  const bad = [];
  for (const [, tag, attrs] of svg.matchAll(/<([a-zA-Z][\w:.-]*)([^>]*)>/g)) {
    if (!/^(svg|g|title|desc|style|rect|line|path|text|tspan|circle|polyline|polygon|defs|marker)$/.test(tag)) bad.push(`<${tag}>`);
    const rest = attrs.replace(/\s*\/$/, '').replace(/\s+([\w:.-]+)="([^"]*)"/g, (_, name, value) => {
      if (/^on/i.test(name)) bad.push(`${tag}[${name}]`);
      if (/href$/i.test(name) && !value.startsWith('#')) bad.push(`${tag}[${name}=${value}]`);
      if (value.includes(MARK) && name !== 'aria-label') bad.push(`${tag}[${name}] holds log text`);
      return '';
    });
    if (rest.trim()) bad.push(`<${tag}> with attributes this check cannot read: ${rest.slice(0, 80)}`);
  }
  return bad;
}

const suite = useBrowser();
const { withPage } = suite;

describe('a hostile log', () => {
  it('every field a payload, every view opened: nothing runs, nothing is made from it, nothing leaves', async () => {
    await withPage({ acceptDownloads: true }, async ({ page, dialogs, requests, problems }) => {
      const before = await page.evaluate(scanDom, MARK);
      assert.deepEqual(before.found, [], 'the page itself has none of it');
      await page.setInputFiles('#file-input', [
        { name: FILE_NAME, mimeType: 'text/plain', buffer: Buffer.from(LOG) },
        { name: ZIP_NAME, mimeType: 'application/zip', buffer: ZIP },
      ]);
      const count = await waitDone(page);
      // 18 in the log, 18 more in the zip (the same messages: drawn once) and one in the zip's SIP text.
      assert.equal(count, 19);
      assert.match(await page.locator('#files').textContent(), /zip archive · 2 files[\s\S]*Tracing\/<script>/);
      assert.ok((await page.locator('#files').textContent()).includes(MARK), 'the file names are shown, as text');

      // The ladder: lifeline names from the display names.
      const header = await page.locator('#ladder-header').textContent();
      assert.ok(header.length > 0);
      // The message panel: every message, parsed and raw.
      const n = Math.min(count, 40);
      let sawScript = false;
      for (let i = 0; i < n; i++) {
        const arrow = page.locator(`#ladder-canvas [data-msg="${i}"]`);
        if (!(await arrow.count())) continue;
        await arrow.click();
        await page.waitForFunction((k) => document.getElementById('detail-sub').textContent === `#${k + 1}`, i);
        const text = await page.locator('#detail-body').textContent();
        if (text.includes("<script>window.__pwned='script'</script>")) sawScript = true;
        if (i % 5 === 0) {
          await page.click('#raw-toggle');
          await page.waitForSelector('#detail-body pre.raw');
          await page.click('#raw-toggle');
        }
      }
      assert.ok(sawScript, 'a <script> payload is shown literally in the message panel');
      // The INVITE with its IM and SDP, for the screenshot.
      const invite = page.locator('#ladder-canvas [data-msg]', { hasText: 'INVITE' }).first();
      await invite.click();
      await page.waitForSelector('#detail-body .start-line');
      await page.screenshot({ path: join(OUT, 'hostile-ladder-1366.png') });
      const html = page.locator('#ladder-canvas [data-msg]', { hasText: 'MESSAGE' }).nth(1);
      await html.click();
      await page.waitForTimeout(200);
      await page.locator('#sec-body').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(OUT, 'hostile-message-1366.png') });

      // Findings, presence, conversations, the files panel, diagnostics.
      await page.click('#findings-toggle');
      await page.waitForFunction(() => document.getElementById('ins-findings').textContent.length > 20);
      assert.ok((await page.locator('#ins-findings').textContent()).length > 0);
      const goto = page.locator('#ins-findings [data-goto]').first();
      if (await goto.count()) await goto.click();
      await page.click('#presence-toggle');
      await page.waitForFunction(() => document.getElementById('ins-presence').textContent.length > 20);
      await page.screenshot({ path: join(OUT, 'hostile-presence-1366.png') });
      await page.click('#insights-close');
      const convs = page.locator('#conv-list [data-conv]');
      for (let i = 0; i < Math.min(await convs.count(), 8); i++) {
        await convs.nth(i).click();
        await page.waitForFunction(() => document.getElementById('ladder-canvas').getAttribute('aria-busy') === 'false');
      }
      await page.click('#conv-list [data-conv="-1"]');
      for (const chip of await page.locator('#files [data-file]').all()) {
        await chip.click();
        await page.locator('#files-panel').waitFor({ state: 'visible' });
        await page.keyboard.press('Escape');
      }
      await page.click('#diag-toggle');
      await page.click('#diag-toggle');
      // Search with a payload as the query.
      await page.fill('#search', P.img);
      await page.waitForFunction(() => /match/.test(document.getElementById('search-count').textContent));
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);

      // Save SVG: the engine's standalone picture, without script, handlers or foreign content from the log.
      const svg = (await exportFile(page, 'svg')).bytes.toString('utf8');
      assert.ok(svg.includes(MARK), 'the log text is in the picture, as text');
      assert.deepEqual(svgProblems(svg), [], 'the saved SVG: no script, handler, link or foreign content');
      assert.doesNotMatch(svg, /<style[^>]*>[^<]*XSSMARK/, 'no log text in the stylesheet');

      const after = await page.evaluate(scanDom, MARK);
      assert.deepEqual(after.found, [], 'no element or attribute made from log text');
      assert.deepEqual(after.scripts, before.scripts, 'only the page\'s own scripts');
      assert.ok(after.markInText, 'the log text is on the page, as text');
      assert.equal(after.pwned, undefined, 'no payload ran');
      assert.deepEqual(dialogs, []);
      const origin = suite.env.origin;
      const strange = [...new Set(requests.map((u) => (u.startsWith(origin + '/') ? new URL(u).pathname : u)))].filter((p) => !OWN.has(p) && !p.startsWith('blob:'));
      assert.deepEqual(strange, [], 'no request beyond the page\'s own files');
      assert.deepEqual([...new Set(suite.env.requests)].filter((p) => !OWN.has(p)), [], 'the server saw only the page\'s own files');
      assert.deepEqual(problems, []);
    });
  });

  it('Trusted Types is enforced: a string given to an HTML or script URL sink throws', async () => {
    await withPage({ allowConsoleErrors: true }, async ({ page }) => {
      await page.waitForFunction(() => document.body.dataset.engine);
      const tried = await page.evaluate(() => {
        const out = {};
        const attempt = (name, fn) => { try { fn(); out[name] = 'allowed'; } catch (e) { out[name] = e.name; } };
        attempt('innerHTML', () => { document.body.innerHTML = '<b>x</b>'; });
        attempt('insertAdjacentHTML', () => document.body.insertAdjacentHTML('beforeend', '<b>x</b>'));
        attempt('DOMParser', () => new DOMParser().parseFromString('<b>x</b>', 'text/html'));
        attempt('Worker', () => new Worker('worker.js'));
        attempt('another policy', () => window.trustedTypes.createPolicy('evil', { createHTML: (s) => s }));
        return out;
      });
      assert.deepEqual(tried, { innerHTML: 'TypeError', insertAdjacentHTML: 'TypeError', DOMParser: 'TypeError', Worker: 'TypeError', 'another policy': 'TypeError' });
      const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      assert.match(csp, /require-trusted-types-for 'script'; trusted-types sipscope-worker sipscope-svg$/);
    });
  });
});
