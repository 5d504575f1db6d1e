// A tiny static file server for dist/: loopback only, correct MIME types, no directory listings.
// Used by the e2e tests (random port) and usable by hand: `node e2e/server.mjs dist 8080`, or under a path as
// GitHub Pages serves a project's site: `node e2e/server.mjs dist 8080 /sipscope/` (any other path is 404).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.uccapilog': 'text/plain; charset=utf-8',
};

/**
 * Serve `root` on 127.0.0.1:`port` (0 = any free port), at `prefix` ('/' by default; e.g. '/sipscope/': the site is
 * at /sipscope/ and every path outside it is 404). Resolves to {server, origin, url, requests, setRoot, close}:
 * `url` is the site's address, `setRoot(dir)` serves another folder from then on (a new build at the same address).
 */
export async function startServer(root, port = 0, { prefix = '/' } = {}) {
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`prefix must start and end with /: ${prefix}`);
  let base = resolve(root);
  const requests = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push(url.pathname);
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    let path;
    try {
      path = decodeURIComponent(url.pathname.slice(prefix.length - 1));
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad request');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': MIME[extname(file).toLowerCase()] || 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    server,
    origin,
    url: origin + prefix,
    requests,
    setRoot: (dir) => { base = resolve(dir); },
    close: () => new Promise((ok) => server.close(ok)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const root = process.argv[2] || 'dist';
  const port = Number(process.argv[3] || 8080);
  const { url } = await startServer(root, port, { prefix: process.argv[4] || '/' });
  console.log(`serving ${resolve(root)} on ${url} (Ctrl-C stops)`);
}
