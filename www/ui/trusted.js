// @ts-check
// sipscope page, Trusted Types: the only places where the page hands a string to a sink that could run code.
// The page's CSP says `require-trusted-types-for 'script'; trusted-types sipscope-worker sipscope-svg`, so the
// browser refuses a plain string at every such sink (innerHTML, DOMParser, new Worker, …) and only these two
// policies may exist. Each is private to this module and does one narrow thing:
//
// - `sipscope-worker` (createScriptURL): the URL of one of the page's own workers: the analysis worker, which is
//   only ever the page's `worker.js` or, in the single-file page, the blob: URL its bootstrap made
//   (`globalThis.sipscopeWorkerUrl`); and the service worker, only ever the page's `sw.js` (registered by
//   ui/offline.js). Anything else throws; `startWorker` passes only the analysis worker, `registerServiceWorker`
//   only `sw.js`.
// - `sipscope-svg` (createHTML): SVG text from the engine for DOMParser as `image/svg+xml`: an inert XML document
//   (no script runs, nothing loads), never the page's DOM. What comes out is then kept only if it is an allowed
//   SVG element with allowed attributes (no event handler, style, or link outside the picture), and only then
//   moved into the page. The engine escapes all log text in its SVG; this is the second line.
//
// Where a browser has no Trusted Types, the same checks run on plain strings.

/** @typedef {{createPolicy: (name: string, rules: {createHTML?: (s: string) => string, createScriptURL?: (s: string) => string}) => {createHTML: (s: string) => unknown, createScriptURL: (s: string) => unknown}}} TrustedTypesApi */

const tt = /** @type {{trustedTypes?: TrustedTypesApi}} */ (/** @type {unknown} */ (globalThis)).trustedTypes;

/** The service worker's URL, next to the page (its scope is the page's folder). */
const SERVICE_WORKER_URL = 'sw.js';

/** The analysis worker's URL: the page's own worker.js, or the single-file page's blob: URL. @param {string} url */
function isAnalysisWorkerUrl(url) {
  const offline = /** @type {{sipscopeWorkerUrl?: string}} */ (globalThis).sipscopeWorkerUrl;
  return url === 'worker.js' || Boolean(offline && url === offline && url.startsWith('blob:'));
}

/** A URL of one of the page's own workers: the analysis worker, or the service worker. @param {string} url */
function checkWorkerUrl(url) {
  if (isAnalysisWorkerUrl(url) || url === SERVICE_WORKER_URL) return url;
  throw new TypeError('sipscope-worker: not one of the page\'s own workers');
}

/** Engine SVG only: a standalone <svg> document (its XML prolog allowed), nothing else. @param {string} text */
function checkSvg(text) {
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<svg[\s>]/.test(text)) throw new TypeError('sipscope-svg: not an SVG document');
  return text;
}

const workerPolicy = tt ? tt.createPolicy('sipscope-worker', { createScriptURL: checkWorkerUrl }) : null;
const svgPolicy = tt ? tt.createPolicy('sipscope-svg', { createHTML: checkSvg }) : null;

/**
 * Start the analysis worker (`worker.js`, or the single-file page's blob: URL) through `sipscope-worker`.
 * @param {string} url
 * @param {WorkerOptions} options
 */
export function startWorker(url, options) {
  if (!isAnalysisWorkerUrl(url)) throw new TypeError('sipscope-worker: not the page\'s analysis worker');
  const checked = workerPolicy ? workerPolicy.createScriptURL(url) : checkWorkerUrl(url);
  return new Worker(/** @type {string} */ (checked), options);
}

/**
 * Register the page's service worker (`sw.js`, scope: the page's folder) through `sipscope-worker`. Its update
 * checks skip the HTTP cache, so a new build is seen on the next visit.
 * @param {ServiceWorkerContainer} container
 */
export function registerServiceWorker(container) {
  const checked = workerPolicy ? workerPolicy.createScriptURL(SERVICE_WORKER_URL) : checkWorkerUrl(SERVICE_WORKER_URL);
  return container.register(/** @type {string} */ (checked), { scope: './', updateViaCache: 'none' });
}

const SVG_NS = 'http://www.w3.org/2000/svg';

const SVG_ALLOWED = new Set([
  'svg', 'g', 'defs', 'marker', 'path', 'line', 'polyline', 'polygon', 'rect', 'circle', 'ellipse',
  'text', 'tspan', 'title', 'desc', 'use', 'symbol', 'clipPath', 'linearGradient', 'stop',
]);

// Only allowed SVG elements; no event handler, style or outside link attributes. One pass over the elements in
// document order (a window of rows has a few thousand; this runs on the main thread for each one drawn).
/** @param {Element} root */
function sanitizeSvg(root) {
  const all = root.getElementsByTagName('*');
  const bad = [];
  for (let i = 0; i < all.length; i++) {
    const e = all[i];
    if (e.namespaceURI !== SVG_NS || !SVG_ALLOWED.has(e.localName)) bad.push(e);
  }
  for (const e of bad) e.remove();
  cleanAttributes(root);
  for (let i = 0; i < all.length; i++) cleanAttributes(all[i]);
}

/** @param {Element} node */
function cleanAttributes(node) {
  const attrs = node.attributes;
  for (let i = attrs.length - 1; i >= 0; i--) {
    const attr = attrs[i];
    const name = attr.name.toLowerCase();
    if (name.startsWith('on') || name === 'style') node.removeAttributeNode(attr);
    else if (attr.localName.toLowerCase() === 'href' && !attr.value.trim().startsWith('#')) node.removeAttributeNode(attr);
  }
}

/** SVG text from the engine as a sanitized element of this page. @param {string} text @returns {SVGSVGElement} */
export function parseSvg(text) {
  const source = String(text);
  const checked = svgPolicy ? svgPolicy.createHTML(source) : checkSvg(source);
  const doc = new DOMParser().parseFromString(/** @type {string} */ (checked), 'image/svg+xml');
  const err = doc.getElementsByTagName('parsererror')[0];
  const root = doc.documentElement;
  if (err || !(root instanceof SVGSVGElement)) {
    throw new Error('The flow diagram could not be drawn (the engine returned SVG the browser could not read).');
  }
  sanitizeSvg(root);
  // Moved, not copied: a copy would leave a second tree behind for the garbage collector at every window drawn
  // while scrolling (hundreds of MB of garbage on a long scroll through a big ladder).
  return document.adoptNode(root);
}
