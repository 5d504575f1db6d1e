// Writes the build's file list and version into dist/sw.js (the service worker, www/sw.js copied by Trunk): every
// file of dist/ the page needs, each with its SHA-256, and a version that is a hash of that list and of sw.js
// itself, so a build with any other content gets another version (another cache, and an update in the browser).
// Run after the Trunk build (scripts/lib.sh build_page does); node scripts/sw-version.mjs [DIST]. It can run again
// on a dist/ whose files changed (the e2e update test does): it rewrites the same two lines.
//
// Left out of the list: sw.js (the browser keeps it), sipscope-offline.html (the single-file page for use from
// disk: a download of its own, never loaded by the served page) and *.d.ts (types for the page's type check).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.argv[2] || join(ROOT, 'dist');
const fail = (msg) => { console.error(`sw-version: ${msg}`); process.exit(1); };
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

const LEFT_OUT = (path) => path === 'sw.js' || path === 'sipscope-offline.html' || path.endsWith('.d.ts')
  || path.split('/').some((part) => part.startsWith('.'));

/** Every file under `dir`, as paths relative to DIST with '/' separators, sorted. */
function files(dir = '') {
  const out = [];
  for (const entry of readdirSync(join(DIST, dir), { withFileTypes: true })) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...files(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

const list = files().filter((path) => !LEFT_OUT(path)).map((path) => [path, sha256(readFileSync(join(DIST, path)))]);
for (const need of ['index.html', 'app.js', 'worker.js', 'reader.js', 'sipscope.js', 'sipscope_bg.wasm', 'style.css', 'manifest.webmanifest']) {
  if (!list.some(([path]) => path === need)) fail(`${DIST} has no ${need}`);
}

const VERSION_LINE = /^const SW_VERSION = '[^'\n]*';$/m;
const FILES_LINE = /^const SW_FILES = .*;$/m;
const swPath = join(DIST, 'sw.js');
let sw;
try {
  sw = readFileSync(swPath, 'utf8');
} catch {
  fail(`${swPath} is missing (www/sw.js is copied by Trunk)`);
}
for (const [what, re] of [['SW_VERSION', VERSION_LINE], ['SW_FILES', FILES_LINE]]) {
  const all = sw.match(new RegExp(re.source, 'gm')) || [];
  if (all.length !== 1) fail(`expected exactly one "const ${what} = …;" line in ${swPath}, found ${all.length}`);
}

// The version: the service worker's own code (without the two lines written here) and every file's hash.
const template = sw.replace(VERSION_LINE, "const SW_VERSION = '';").replace(FILES_LINE, 'const SW_FILES = [];');
const version = sha256(`${sha256(template)}\n${list.map(([path, hash]) => `${hash}  ${path}`).join('\n')}\n`).slice(0, 16);

const out = sw
  .replace(VERSION_LINE, () => `const SW_VERSION = '${version}';`)
  .replace(FILES_LINE, () => `const SW_FILES = /** @type {[string, string][]} */ (${JSON.stringify(list)});`);
writeFileSync(swPath, out);
const bytes = list.reduce((n, [path]) => n + readFileSync(join(DIST, path)).length, 0);
console.log(`sw-version: ${swPath}: version ${version}, ${list.length} files (${(bytes / 1024).toFixed(0)} KiB) for the offline cache`);
