// Builds dist/sipscope-offline.html: the whole page in one file that works opened from disk (file://), where
// browsers refuse module script files, worker files and fetching the .wasm. Run after the Trunk build
// (scripts/lib.sh build_page does); node scripts/build-offline.mjs [DIST].
//
// The file holds: the page's HTML; its CSS in <style>; one JSON data block (never executed) with the sources of
// the page's modules (app.js and every module it imports, found by following the imports, dependencies first) and
// of the analysis worker (the wasm-bindgen glue, the wasm as base64 and worker.js made one classic script:
// Chromium refuses module workers from blob: URLs in a file:// page); and a small inline bootstrap that turns
// those sources into blob: URLs (each module's imports pointed at its dependencies' URLs) and imports app.js.
// The CSP allows
// exactly that: the bootstrap and the styles by hash, modules and workers from blob: URLs, wasm compilation, and
// no network at all (connect-src 'none').
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.argv[2] || join(ROOT, 'dist');
const read = (name) => readFileSync(join(DIST, name), 'utf8');
const fail = (msg) => { console.error(`build-offline: ${msg}`); process.exit(1); };
const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

// Replace exactly one occurrence, or fail loudly (a changed source must not build a broken page silently).
function replaceOnce(text, from, to, what) {
  const i = text.indexOf(from);
  if (i < 0 || text.indexOf(from, i + from.length) >= 0) fail(`expected exactly one ${what}`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

// The wasm-bindgen glue inside the worker's module, in a scope of its own (its names, e.g. `wasm`, must not meet
// worker.js's): what worker.js imports from it comes out as constants.
function glueAsLocal(glue) {
  let g = glue.replace(/^export (class|function|const|let|async function) /gm, '$1 ');
  g = replaceOnce(g, 'export { initSync, __wbg_init as default };', '', 'glue export list');
  // Only used when no bytes are given (they always are here); `import.meta` is not allowed in a classic script.
  g = replaceOnce(g, "new URL('sipscope_bg.wasm', import.meta.url)", 'undefined', 'glue wasm URL');
  if (/^export /m.test(g)) fail('the wasm-bindgen glue has an export this script does not know');
  return `const { Session, sample_log, version, redact, init } = (() => {\n${g}\nreturn { Session, sample_log, version, redact, init: __wbg_init };\n})();`;
}

const glue = read('sipscope.js');
const worker = read('worker.js');
const wasm = readFileSync(join(DIST, 'sipscope_bg.wasm')).toString('base64');
const workerModule = [
  '// sipscope analysis worker, single-file build (a classic script): the wasm-bindgen glue, the wasm bytes, worker.js.',
  glueAsLocal(glue),
  `self.sipscopeWasm = Uint8Array.from(atob(${JSON.stringify(wasm)}), (c) => c.charCodeAt(0));`,
  replaceOnce(
    replaceOnce(worker, "import init, { Session, sample_log, version, redact } from './sipscope.js';", '', 'worker import of the glue'),
    // No reader worker here (a worker made from a blob: URL cannot load another file): worker.js then reads
    // the slices itself.
    "new URL('./reader.js', import.meta.url)",
    "(() => { throw new Error('no reader worker in the single-file page'); })()",
    'worker reader URL'),
].join('\n');
if (/import\.meta|^\s*(import|export)\s/m.test(workerModule)) fail('the worker bundle still has module syntax');

// The page's modules, dependencies first (a module's blob: URL must exist before a module importing it is made),
// each with its relative imports written as 'sipscope-module:<path in dist>' for the bootstrap to point at URLs.
const IMPORT = /^(\s*import\s*[\w$*{},\s]*?\bfrom\s*|\s*export\s*(?:\{[\w$,\s]*\}|\*(?:\s+as\s+[\w$]+)?)\s*from\s*|\s*import\s*)(['"])([^'"]+)\2/gm;
function pageModules(entry) {
  const order = [];
  const state = new Map(); // path -> 'visiting' | 'done'
  const visit = (path, from) => {
    if (state.get(path) === 'done') return;
    if (state.get(path) === 'visiting') fail(`import cycle through ${path} (from ${from}): the single-file page needs an acyclic module graph`);
    state.set(path, 'visiting');
    let src;
    try {
      src = read(path);
    } catch {
      fail(`${from} imports ${path}, which is not in ${DIST}`);
    }
    const code = src.replace(IMPORT, (all, head, quote, spec) => {
      if (!spec.startsWith('./') && !spec.startsWith('../')) fail(`${path} imports ${spec}: only relative imports can be bundled`);
      const dep = posix.normalize(posix.join(posix.dirname(path), spec));
      if (dep.startsWith('..')) fail(`${path} imports ${spec}, outside ${DIST}`);
      visit(dep, path);
      return `${head}'sipscope-module:${dep}'`;
    });
    if (/^\s*(import|export)\s*[\w$*{},\s]*?\bfrom\b|^\s*import\s*['"]/m.test(src.replace(IMPORT, ''))) fail(`${path}: an import this script cannot read`);
    // (Comments left out: JSDoc types say import('…') and are not code.)
    const bare = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    if (/\bimport\s*\(|import\.meta/.test(bare)) fail(`${path} uses import() or import.meta, which the single-file page cannot follow`);
    state.set(path, 'done');
    order.push({ path, code });
  };
  visit(entry, 'index.html');
  return order;
}
const modules = pageModules('app.js');

const bundle = {
  modules,
  worker: workerModule,
};
// In a JSON data block `<` is written \u003c: nothing inside can end the block.
const json = JSON.stringify(bundle).replace(/</g, '\\u003c');

const bootstrap = `
// sipscope single-file page: make modules and the worker from the sources in #sipscope-bundle, start app.js.
(() => {
  const b = JSON.parse(document.getElementById('sipscope-bundle').textContent);
  const url = (src) => URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  const urls = {};
  for (const m of b.modules) {
    urls[m.path] = url(m.code.replace(/'sipscope-module:([^']+)'/g, (_, path) => JSON.stringify(urls[path])));
  }
  globalThis.sipscopeWorkerUrl = url(b.worker);
  import(urls['app.js']).catch((err) => { console.error('sipscope could not start:', err); });
})();
`;

let html = read('index.html');
const css = ['style.css', 'insights.css'].map(read).join('\n');
html = html.replace(/\s*<link rel="stylesheet" href="\.\/(style|insights)\.css"\/>/g, '');
html = replaceOnce(html, '<script type="module" src="app.js"></script>',
  `<style>${css}</style>\n  <script type="application/json" id="sipscope-bundle">${json}</script>\n  <script>${bootstrap}</script>`,
  'app.js script tag');
html = html.replace(/\s*<link rel="icon"[^>]*>/, '');
// No web app manifest and no service worker here (a file:// page can have neither; ui/offline.js registers
// nothing off http(s)).
html = replaceOnce(html, '<link rel="manifest" href="manifest.webmanifest">', '', 'manifest link');
// The note for a page that cannot start: this file is already the one made for the disk.
const note = /(<p id="engine-missing"[^>]*>)[\s\S]*?(<\/p>)/;
if (!note.test(html)) fail('no #engine-missing note');
html = html.replace(note, '$1sipscope could not start its analysis engine in this browser. It needs a browser from the '
  + 'last few years with WebAssembly and Web Workers (Chrome, Edge, Firefox, Safari). Nothing was uploaded.$2');
const csp = [
  "default-src 'none'",
  `script-src ${sha256(bootstrap)} blob: 'wasm-unsafe-eval'`,
  'worker-src blob:',
  "connect-src 'none'",
  `style-src ${sha256(css)}`,
  'img-src data: blob:',
  "base-uri 'none'",
  "form-action 'none'",
  // Trusted Types, as index.html: the page's two policies (www/ui/trusted.js) and no other string reaches a sink.
  "require-trusted-types-for 'script'",
  'trusted-types sipscope-worker sipscope-svg',
].join('; ');
html = html.replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*">/, `<meta http-equiv="Content-Security-Policy" content="${csp}">`);
if (!html.includes(csp)) fail('no Content-Security-Policy meta tag to replace');
writeFileSync(join(DIST, 'sipscope-offline.html'), html);
console.log(`build-offline: ${join(DIST, 'sipscope-offline.html')} (${(html.length / 1024).toFixed(0)} KiB)`);
