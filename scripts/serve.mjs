// A small static file server for loopback: www/ at /, the built package at /pkg/.
// Used by `npm run demo`, the drop-in page test and the browser benchmark.
//
//   node scripts/serve.mjs [--port N] [--host 127.0.0.1]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs as parseOptions } from 'node:util';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const DEFAULT_MOUNTS = { '/pkg/': join(ROOT, 'pkg'), '/': join(ROOT, 'www') };
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ts': 'text/plain; charset=utf-8', '.md': 'text/plain; charset=utf-8',
};

/** Maps a URL path to a file under one of the mounts, refusing anything outside them. */
function locate(mounts, urlPath) {
  let path;
  try { path = decodeURIComponent(urlPath.split('?')[0]); } catch { return null; }
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length)));
    return file === dir || file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

/**
 * Starts the server and resolves to { server, url, requests, reports } once it listens. Rejects
 * with a clear message when the port is taken. `headers` is an object, or a function of the file
 * path returning one; `routes` maps exact paths to functions returning a JSON-able value; `pages`
 * maps exact paths to HTML text; `delay(path)` gives the milliseconds to hold a response back.
 * What a test would otherwise ask of one browser's network hooks, it reads here, so it runs in
 * every engine: `requests` lists each request served ({ method, path, status }, the last 10,000),
 * and `reports` the bodies POSTed to `/__report` (Content-Security-Policy violation reports).
 */
export function startStaticServer({
  port = 8080, host = '127.0.0.1', mounts = DEFAULT_MOUNTS, headers = {}, routes = {}, pages = {},
  delay = () => 0,
} = {}) {
  const requests = [];
  const reports = [];
  const server = createServer(async (req, res) => {
    const path = req.url.split('?')[0];
    const log = { method: req.method, path, status: 0 };
    requests.push(log);
    if (requests.length > 10_000) requests.shift();
    const writeHead = res.writeHead.bind(res);
    res.writeHead = (status, ...rest) => { log.status = status; return writeHead(status, ...rest); };
    const wait = delay(path);
    if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
    if (path === '/__report' && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => { if (body.length < 65_536) body += chunk; });
      req.on('end', () => {
        reports.push(body);
        res.writeHead(204).end();
      });
      return;
    }
    if (pages[path] !== undefined && req.method === 'GET') {
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
      res.end(pages[path]);
      return;
    }
    const route = routes[path];
    if (route && req.method === 'GET') {
      res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
      res.end(JSON.stringify(route()));
      return;
    }
    let file = locate(mounts, req.url);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(file ? 405 : 404, { 'content-type': 'text/plain' }).end(file ? 'method not allowed' : 'not found');
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        ...(typeof headers === 'function' ? headers(file) : headers),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', (err) => fail(err.code === 'EADDRINUSE'
      ? new Error(`port ${port} on ${host} is already in use: stop what holds it or pass --port N`)
      : err));
    server.listen(port, host, () => ok({ server, url: `http://${host}:${server.address().port}/`, requests, reports }));
  });
}

/** The command line (`node:util` parseArgs: `--port 9000` and `--port=9000`). */
function parseArgs(argv) {
  let values;
  try {
    ({ values } = parseOptions({ args: argv, options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    throw new Error(`${error.message.replace(/\. To specify a positional.*$/s, '')} (try --help)`);
  }
  const args = { help: values.help === true, port: Number(values.port ?? process.env.PORT ?? 8080), host: values.host ?? '127.0.0.1' };
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    throw new Error(`--port must be an integer from 0 to 65535`);
  }
  return args;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const args = parseArgs(process.argv.slice(2));
    if (args.help) {
      console.log('usage: node scripts/serve.mjs [--port N (default 8080, 0 = any)] [--host 127.0.0.1]');
      process.exit(0);
    }
    const { server, url } = await startStaticServer(args);
    console.log(`serving www/ and pkg/ at ${url}  (Ctrl-C to stop)`);
    const stop = () => server.close(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (err) {
    console.error(`serve: ${err.message}`);
    process.exit(1);
  }
}
