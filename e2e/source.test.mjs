// The page's sources follow the page's rules (no browser needed): every script type-checked (`// @ts-check`) and
// saying what it is for, no module-level mutable state outside ui/state.js, no file over 800 lines, no HTML from
// strings, and a module graph without cycles (the single-file page needs one).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ROOT } from './helpers.mjs';

const WWW = join(ROOT, 'www');
const SCRIPTS = [
  ...readdirSync(WWW).filter((f) => f.endsWith('.js')),
  ...readdirSync(join(WWW, 'ui')).filter((f) => f.endsWith('.js')).map((f) => `ui/${f}`),
];
const source = (path) => readFileSync(join(WWW, path), 'utf8');

describe('page sources', () => {
  it('every script starts with // @ts-check and a line saying what it is for', () => {
    for (const path of SCRIPTS) {
      const [first, second] = source(path).split('\n');
      assert.equal(first, '// @ts-check', path);
      assert.match(second, /^\/\/ sipscope /, `${path}: what it is for`);
    }
  });

  it('no file over 800 lines', () => {
    for (const path of SCRIPTS) assert.ok(source(path).split('\n').length <= 800, path);
  });

  it('module-level state lives in ui/state.js only (no top-level let or var elsewhere)', () => {
    for (const path of SCRIPTS.filter((p) => p !== 'ui/state.js')) {
      assert.deepEqual(source(path).split('\n').filter((l) => /^(let|var) /.test(l)), [], path);
    }
  });

  it('log text is never parsed as HTML', () => {
    for (const path of SCRIPTS) {
      assert.doesNotMatch(source(path), /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/, path);
    }
  });

  it('strings reach Trusted Types sinks only through ui/trusted.js (the page\'s two policies)', () => {
    for (const path of SCRIPTS.filter((p) => p.startsWith('ui/') || p === 'app.js')) {
      if (path === 'ui/trusted.js') continue;
      assert.doesNotMatch(source(path), /new Worker\(|\.register\(|parseFromString|createPolicy|createContextualFragment|srcdoc|\beval\(|new Function\(/, path);
    }
    const trusted = source('ui/trusted.js');
    assert.equal([...trusted.matchAll(/createPolicy\('([^']+)'/g)].map((m) => m[1]).join(' '), 'sipscope-worker sipscope-svg');
    const csp = readFileSync(join(WWW, 'index.html'), 'utf8').match(/trusted-types ([\w\s-]+)"/)[1].trim();
    assert.equal(csp, 'sipscope-worker sipscope-svg', 'the CSP names exactly the policies the page makes');
  });

  it('the modules import each other without cycles', () => {
    const imports = (path) => [...source(path).matchAll(/^\s*import\s*[\w$*{},\s]*?\bfrom\s*'([^']+)'/gm)]
      .map((m) => posix.normalize(posix.join(posix.dirname(path), m[1])));
    const done = new Set();
    const visit = (path, trail) => {
      assert.ok(!trail.includes(path), `import cycle: ${[...trail, path].join(' → ')}`);
      if (done.has(path)) return;
      for (const dep of imports(path)) if (dep !== 'sipscope.js') visit(dep, [...trail, path]);
      done.add(path);
    };
    visit('app.js', []);
    assert.deepEqual(SCRIPTS.filter((p) => p.startsWith('ui/') && !done.has(p)), [], 'every module is used');
  });
});
