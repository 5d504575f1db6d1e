// @ts-check
// sipscope service worker: keeps the page's own files in a cache of their own version, so the page opens and
// analyzes logs with no network after one visit. Registered by ui/offline.js (http and https only).
//
// What it does, and nothing more:
// - install: fetches every file of the build listed in SW_FILES (bypassing the HTTP cache), checks each one's
//   SHA-256 against the list, and only then puts them all in the cache `sipscope-<version>`. One file missing or
//   different (a deploy half done) fails the install: the version on screen stays, and the next visit tries
//   again. So a cache is always one whole build, never a mix of two.
// - fetch: a same-origin GET for one of those files is answered from that cache (from the network if it is not
//   there). Every other request is left alone, untouched and unseen: the logs a user opens are read with File
//   APIs in the page's workers and never fetched, and the page asks for nothing but its own files.
// - update: a new version installs its whole cache and then waits (no skipWaiting of its own); the page shows
//   "A new version of sipscope is ready — Reload", whose button posts SKIP_WAITING. On activate the caches of
//   other versions are deleted.
//
// The build (scripts/sw-version.mjs, run by scripts/lib.sh build_page) writes the two lines below into
// dist/sw.js: the list of files with their SHA-256, and the version, a hash of that list and of this script. A
// build with other content has another version, so another sw.js, which the browser installs as an update.

const SW_VERSION = 'dev';
const SW_FILES = /** @type {[string, string][]} */ ([]);

const SW_CACHE = `sipscope-${SW_VERSION}`;

/**
 * The service worker's global scope, as far as this script uses it (tsconfig's lib is the page's, "dom").
 * @typedef {Event & {waitUntil: (p: Promise<unknown>) => void}} SwEvent
 * @typedef {SwEvent & {request: Request, respondWith: (r: Promise<Response>) => void}} SwFetchEvent
 * @typedef {SwEvent & {data: unknown}} SwMessageEvent
 * @typedef {{
 *   registration: ServiceWorkerRegistration,
 *   skipWaiting: () => Promise<void>,
 *   addEventListener: ((type: 'install' | 'activate', fn: (e: SwEvent) => void) => void)
 *     & ((type: 'fetch', fn: (e: SwFetchEvent) => void) => void)
 *     & ((type: 'message', fn: (e: SwMessageEvent) => void) => void),
 * }} SwScope
 */
const sw = /** @type {SwScope} */ (/** @type {unknown} */ (self));

/** The precached files by their path in the site ("index.html", "ui/app.js", …). */
const SW_PATHS = new Set(SW_FILES.map(([path]) => path));

/** A path of the site as a full URL under the service worker's scope. @param {string} path */
const swUrl = (path) => new URL(path, sw.registration.scope).href;

/** SHA-256 of bytes, as lowercase hex. @param {ArrayBuffer} bytes */
async function swSha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Fetch one file of the build from the network and check it is that build's. @param {[string, string]} file */
async function swFetchChecked([path, sha]) {
  const response = await fetch(new Request(swUrl(path), { cache: 'reload', credentials: 'same-origin', redirect: 'error' }));
  if (!response.ok) throw new Error(`sipscope offline cache: ${path}: HTTP ${response.status}`);
  const got = await swSha256(await response.clone().arrayBuffer());
  if (got !== sha) throw new Error(`sipscope offline cache: ${path} is not this version's (another deploy under way?)`);
  return /** @type {[string, Response]} */ ([path, response]);
}

// Install: the whole build checked first, then cached; any failure leaves no half-filled cache behind.
sw.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const fetched = await Promise.all(SW_FILES.map(swFetchChecked));
    const cache = await caches.open(SW_CACHE);
    try {
      await Promise.all(fetched.map(([path, response]) => cache.put(swUrl(path), response)));
    } catch (err) {
      await caches.delete(SW_CACHE);
      throw err;
    }
  })());
});

// Activate: only this version's cache stays (the caches of other sipscope versions go; nothing else is touched).
sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('sipscope-') && name !== SW_CACHE) await caches.delete(name);
    }
  })());
});

// The page's Reload button: this waiting version takes over now.
sw.addEventListener('message', (event) => {
  const data = /** @type {{type?: unknown} | null} */ (event.data);
  if (data && data.type === 'SKIP_WAITING') event.waitUntil(sw.skipWaiting());
});

/**
 * The precached path a request asks for, or null when the request is not for one of the page's files. The
 * scope itself ("…/sipscope/") is index.html; a page's query string ("?max-bytes=…") is the page's, not a file's.
 * @param {Request} request
 */
function swPathOf(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  const scope = new URL(sw.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  if (url.search && request.mode !== 'navigate') return null;
  let path;
  try {
    path = decodeURIComponent(url.pathname.slice(scope.pathname.length)) || 'index.html';
  } catch {
    return null; // not a name of ours
  }
  return SW_PATHS.has(path) ? path : null;
}

// Fetch: the page's own files from this version's cache; any other request is not answered here at all.
sw.addEventListener('fetch', (event) => {
  const path = swPathOf(event.request);
  if (path === null) return;
  event.respondWith((async () => {
    const cache = await caches.open(SW_CACHE);
    const hit = await cache.match(swUrl(path));
    return hit || fetch(event.request);
  })());
});
