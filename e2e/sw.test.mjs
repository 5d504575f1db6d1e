// The site as GitHub Pages serves it, and offline: dist/ under /sipscope/ (every URL the page uses is relative; no
// request outside the path), the service worker (www/sw.js) that keeps the page's own files so the page works
// with the network cut after one visit (and never answers, caches or sees anything else: logs are read with File
// APIs), and a new build: its service worker installs its whole cache, waits, the page says "A new version of
// sipscope is ready — Reload", Reload runs the new version, the old cache goes.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, OUT, ROOT, firstExisting, useBrowser, waitDone } from './helpers.mjs';

const PREFIX = '/sipscope/';
const SAMPLE_MESSAGES = 34;
const PRESENCE_FILE = firstExisting(join(ROOT, 'tests', 'fixtures', 'seed-presence.uccapilog'), join(ROOT, 'www', 'sample', 'sample.uccapilog'));
const suite = useBrowser({ prefix: PREFIX });
const SW = { serviceWorkers: 'allow' };

/** What scripts/sw-version.mjs wrote into a build's sw.js: its version and the files it keeps. @param {string} dir */
function swBuild(dir) {
  const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
  const version = sw.match(/^const SW_VERSION = '([0-9a-f]{16})';$/m)?.[1];
  const files = JSON.parse(sw.match(/^const SW_FILES = \/\*\* @type \{\[string, string\]\[\]\} \*\/ \((.*)\);$/m)?.[1] || 'null');
  assert.ok(version && Array.isArray(files), `${dir}/sw.js has the build's version and file list`);
  return { version, paths: files.map(([path]) => path) };
}

/** The page's caches: {name: [path under the site, …]} (sorted). @param {import('playwright-core').Page} page */
async function cachesOf(page) {
  const base = suite.env.url;
  const all = await page.evaluate(async () => {
    /** @type {Record<string, string[]>} */
    const out = {};
    for (const name of await caches.keys()) out[name] = (await (await caches.open(name)).keys()).map((r) => r.url);
    return out;
  });
  return Object.fromEntries(Object.entries(all).map(([name, urls]) => [name, urls.map((u) => {
    assert.ok(u.startsWith(base), `cached under the site: ${u}`);
    return u.slice(base.length);
  }).sort()]));
}

/** Wait until the service worker is active, and return its scope. @param {import('playwright-core').Page} page */
const swReady = (page) => page.evaluate(async () => (await navigator.serviceWorker.ready).scope);

/** The server's requests from `from` on. */
const served = (from) => suite.env.requests.slice(from);

const temps = [];
after(() => { for (const dir of temps) rmSync(dir, { recursive: true, force: true }); });

describe('published under a path, and offline', () => {
  it('under /sipscope/ (GitHub Pages): the sample is analyzed, every request stays under the path', async () => {
    const from = suite.env.requests.length;
    await suite.withPage(SW, async ({ page, requests, problems }) => {
      assert.equal(page.url(), suite.env.url);
      assert.equal(await page.locator('link[rel="manifest"]').getAttribute('href'), 'manifest.webmanifest');
      await page.click('#open-sample');
      assert.equal(await waitDone(page), SAMPLE_MESSAGES);
      await page.locator('#ladder-canvas [data-msg]').first().click();
      await page.waitForFunction(() => /REGISTER/.test(document.getElementById('detail-body')?.textContent || ''));
      assert.equal(await swReady(page), suite.env.url, 'the service worker\'s scope is the site\'s path');
      // Trusted Types: the service worker is registered only through the page's policy (a string is refused; the
      // attempt is also a console error, so it is counted apart).
      const counted = problems.length;
      const tried = await page.evaluate(async () => {
        try {
          await navigator.serviceWorker.register('sw.js');
          return 'allowed';
        } catch (e) { return e instanceof Error ? e.name : String(e); }
      });
      assert.equal(tried, 'TypeError');
      assert.match(problems.slice(counted).join('\n'), /requires 'TrustedScriptURL'/);
      problems.splice(counted);
      const outside = requests.filter((u) => !u.startsWith(suite.env.url) && !u.startsWith('blob:'));
      assert.deepEqual(outside, [], 'the page asked for nothing outside /sipscope/');
    });
    const seen = served(from);
    assert.ok(seen.includes(`${PREFIX}sipscope_bg.wasm`) && seen.includes(`${PREFIX}worker.js`) && seen.includes(`${PREFIX}sw.js`));
    assert.deepEqual(seen.filter((p) => !p.startsWith(PREFIX)), [], 'the server saw nothing outside /sipscope/');

    // The manifest: the page's own icon and colours, start and scope the site's folder whatever its path.
    const manifest = JSON.parse(readFileSync(join(DIST, 'manifest.webmanifest'), 'utf8'));
    assert.equal(manifest.start_url, '.');
    assert.equal(manifest.scope, '.');
    assert.equal(manifest.display, 'standalone');
    assert.deepEqual(manifest.icons, [{ src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }]);
    const css = readFileSync(join(DIST, 'style.css'), 'utf8');
    assert.ok(css.includes(`--bg: ${manifest.background_color};`) && css.includes(`--panel: ${manifest.theme_color};`), 'the manifest\'s colours are the page\'s');
  });

  it('after one visit it works with the network cut: the sample and a log read from disk; the service worker keeps only the page\'s files', async () => {
    const build = swBuild(DIST);
    await suite.withPage(SW, async ({ page, context, requests }) => {
      // The one visit: the service worker installed the whole build, checked, under this version's name.
      await swReady(page);
      assert.deepEqual(await cachesOf(page), { [`sipscope-${build.version}`]: [...build.paths].sort() });
      assert.ok(build.paths.includes('sipscope_bg.wasm') && build.paths.includes('worker.js') && build.paths.includes('reader.js')
        && build.paths.includes('ui/offline.js') && build.paths.includes('manifest.webmanifest') && build.paths.includes('favicon.svg'));
      assert.ok(!build.paths.includes('sw.js') && !build.paths.includes('sipscope-offline.html'));

      // The network cut (and nothing reaches the server from now on).
      await context.setOffline(true);
      const from = suite.env.requests.length;
      const responses = [];
      page.on('response', (r) => responses.push({ url: r.url(), fromSW: r.fromServiceWorker(), status: r.status() }));
      const before = requests.length;
      await page.reload({ waitUntil: 'load' });
      assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), 'the page came from the service worker');
      await page.click('#open-sample');
      assert.equal(await waitDone(page), SAMPLE_MESSAGES);
      await page.locator('#ladder-canvas [data-msg]').first().click();
      await page.waitForFunction(() => /REGISTER/.test(document.getElementById('detail-body')?.textContent || ''));
      // A log from disk: read with File APIs in the workers (reader.js, from the cache too), never fetched.
      await page.setInputFiles('#file-input', PRESENCE_FILE);
      assert.ok(await waitDone(page) > 0);
      await page.screenshot({ path: join(OUT, 'offline-sw-1366.png') });

      assert.deepEqual(served(from), [], 'no request reached the server');
      const asked = requests.slice(before).filter((u) => !u.startsWith('blob:'));
      assert.ok(asked.length > 0);
      for (const u of asked) {
        assert.ok(u.startsWith(suite.env.url), u);
        const path = u.slice(suite.env.url.length) || 'index.html';
        assert.ok(build.paths.includes(path), `one of the page's own files: ${u}`);
      }
      const answered = responses.filter((r) => !r.url.startsWith('blob:'));
      assert.ok(answered.length > 0 && answered.every((r) => r.fromSW && r.status === 200), JSON.stringify(answered.filter((r) => !r.fromSW || r.status !== 200)));
      assert.deepEqual(await cachesOf(page), { [`sipscope-${build.version}`]: [...build.paths].sort() }, 'nothing added to the cache');

      // A file of the site that is not one of the page's (the types of the engine, never loaded by the page): the
      // service worker leaves the request alone, the network answers it.
      await context.setOffline(false);
      assert.equal(await page.evaluate(async () => (await fetch('sipscope.d.ts')).status), 200);
      assert.ok(responses.some((r) => r.url === `${suite.env.url}sipscope.d.ts` && !r.fromSW), 'answered by the network, not the service worker');
    });
  });

  it('a new build: its service worker installs its whole cache and waits; "A new version of sipscope is ready — Reload" runs it; the old cache goes', async () => {
    const v1 = swBuild(DIST);
    // The new build: dist/ with one file changed (a marker the new version sets), its sw.js written again.
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-v2-'));
    temps.push(dir);
    cpSync(DIST, dir, { recursive: true });
    appendFileSync(join(dir, 'app.js'), "\ndocument.documentElement.dataset.sipscopeTest = 'new version';\n");
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'sw-version.mjs'), dir], { stdio: 'pipe' });
    const v2 = swBuild(dir);
    assert.notEqual(v2.version, v1.version, 'other content, other version');
    const marker = (page) => page.evaluate(() => document.documentElement.dataset.sipscopeTest || 'old version');

    try {
      await suite.withPage(SW, async ({ page, context, problems }) => {
        await swReady(page);
        await page.reload({ waitUntil: 'load' }); // a visit after the first: the page from the service worker
        assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)));
        await page.click('#open-sample');
        assert.equal(await waitDone(page), SAMPLE_MESSAGES);
        assert.ok(await page.locator('#update').isHidden(), 'no notice while the version on screen is the newest');

        // Deployed: the next visit sees the new sw.js; it installs and waits; the page says so.
        suite.env.setRoot(dir);
        await page.reload({ waitUntil: 'load' });
        const second = await context.newPage(); // another tab of the site
        second.on('pageerror', (err) => problems.push(`second tab: page error: ${err.message}`));
        second.on('console', (msg) => { if (msg.type() === 'error') problems.push(`second tab: console error: ${msg.text()}`); });
        await second.goto(suite.env.url);
        const notice = page.locator('#update');
        await notice.waitFor({ state: 'visible', timeout: 30_000 });
        assert.equal(await page.locator('#update-text').textContent(), 'A new version of sipscope is ready');
        assert.equal(await page.locator('#update-reload').textContent(), 'Reload');
        assert.equal(await page.getAttribute('#update', 'role'), 'status');
        assert.equal(await marker(page), 'old version', 'the page runs the version it started with until Reload');
        const waiting = await page.evaluate(async () => {
          const reg = await navigator.serviceWorker.getRegistration();
          return { waiting: reg?.waiting?.state, active: reg?.active?.state };
        });
        assert.deepEqual(waiting, { waiting: 'installed', active: 'activated' }, 'the new version waits (no skipWaiting of its own)');
        const both = await cachesOf(page);
        assert.deepEqual(both, {
          [`sipscope-${v1.version}`]: [...v1.paths].sort(),
          [`sipscope-${v2.version}`]: [...v2.paths].sort(),
        }, 'the new version\'s cache is complete before it takes over; the old one still serves the page');
        // The new version's cache holds the new files, the old one the old files: never a mix.
        const appJs = await page.evaluate(async ([oldName, newName]) => {
          const text = async (name) => (await (await caches.open(name)).match('app.js'))?.text();
          return [await text(oldName), await text(newName)];
        }, [`sipscope-${v1.version}`, `sipscope-${v2.version}`]);
        assert.equal(appJs[0], readFileSync(join(DIST, 'app.js'), 'utf8'));
        assert.equal(appJs[1], readFileSync(join(dir, 'app.js'), 'utf8'));

        // Later hides it; the next visit offers it again (the other tab shows it meanwhile).
        await page.click('#update-later');
        assert.ok(await notice.isHidden());
        await second.locator('#update').waitFor({ state: 'visible' });
        await page.reload({ waitUntil: 'load' });
        await notice.waitFor({ state: 'visible' });
        await page.click('#open-sample');
        assert.equal(await waitDone(page), SAMPLE_MESSAGES);
        await page.screenshot({ path: join(OUT, 'update-1366.png') });
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.screenshot({ path: join(OUT, 'update-1366-dark.png') });
        await page.emulateMedia({ colorScheme: 'light' });

        // Reload: the new version takes over and the page reloads into it.
        await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), page.click('#update-reload')]);
        await page.waitForFunction(() => document.documentElement.dataset.sipscopeTest === 'new version', null, { timeout: 30_000 });
        assert.ok(await notice.isHidden());
        assert.deepEqual(await cachesOf(page), { [`sipscope-${v2.version}`]: [...v2.paths].sort() }, 'the old version\'s cache is gone');
        await page.click('#open-sample');
        assert.equal(await waitDone(page), SAMPLE_MESSAGES);

        // The other tab: its service worker changed under it; it says so, and its Reload runs the new version.
        await second.waitForFunction(() => document.getElementById('update-text')?.textContent === 'sipscope was updated in another tab');
        await Promise.all([second.waitForEvent('load'), second.click('#update-reload')]);
        assert.equal(await marker(second), 'new version');
      });
    } finally {
      suite.env.setRoot(DIST);
    }
  });
});
