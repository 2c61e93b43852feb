#!/usr/bin/env node
// How often a module worker's Wasm load never settles in WPE WebKit 2.38 (a Safari 16 engine)
// once a page of the same browser has run the module: each round launches WebKit, opens a page
// that imports the ES module, awaits init() and books once, closes it, then opens a page whose
// module worker loads the .wasm one way (--way) and waits up to 8 s. Prints each round that
// hung and the rate. Two CPU hogs run beside it (--load 0 for none): the package test met the
// hang on a busy 2-core CI machine. Needs pkg/ (npm run build).
//
//   node scripts/webkit_worker_init.mjs                       (60 rounds, --way package)
//   node scripts/webkit_worker_init.mjs --way one-step        (instantiateStreaming, as before)
//   node scripts/webkit_worker_init.mjs --rounds 120 --load 0
//
// --way package: the package's init() (compiles, then instantiates the Module; scripts/build.mjs).
// --way one-step: WebAssembly.instantiateStreaming(fetch(wasm), imports), wasm-bindgen's way.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launch } from './engines.mjs';
import { startStaticServer } from './serve.mjs';

const HELP = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 15)
  .map((l) => l.replace(/^\/\/ ?/, '')).join('\n');
const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '60' }, way: { type: 'string', default: 'package' },
    load: { type: 'string', default: '2' }, help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
const ROUNDS = Number(opts.rounds);
const LOAD = Number(opts.load);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be a whole number above 0, got '${opts.rounds}'`);
if (!Number.isInteger(LOAD) || LOAD < 0) throw new Error(`--load must be a whole number, got '${opts.load}'`);
if (!['package', 'one-step'].includes(opts.way)) throw new Error(`--way must be package or one-step, got '${opts.way}'`);

const dir = mkdtempSync(join(tmpdir(), 'raptor-worker-init-'));
writeFileSync(join(dir, 'page.html'), `<!doctype html><button data-action="book-appointment">Book</button><script type="module">
  import init, { AppointmentClient, getActionLabel } from '/pkg/raptor_secondary.js';
  await init();
  const provider = async (url) => new Response(JSON.stringify(url.endsWith('/events') ? { id: 'evt_1', status: 'published' } : { id: 'apt_1', status: 'confirmed' }),
    { status: 201, headers: { 'content-type': 'application/json' } });
  const client = new AppointmentClient({ baseUrl: 'https://provider.example/api/v2', fetch: provider, storageKey: 'page-' + Math.random() });
  const result = await client.book({ calendarId: 'cal_1', slotStart: new Date(Date.now() + 7 * 86400000).toISOString(),
    durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org' });
  window.done = result.state + ' ' + getActionLabel({ srcElement: document.querySelector('button') });
</script>`);
writeFileSync(join(dir, 'package.js'), `import init from '/pkg/raptor_secondary.js';
  await init();
  postMessage('done');`);
// The package's init(), with its two steps made one: what it would instantiate is
// instantiated from the Response instead, as wasm-bindgen's own load does.
writeFileSync(join(dir, 'one-step.js'), `const { instantiate } = WebAssembly;
  WebAssembly.compileStreaming = async () => ({});
  WebAssembly.instantiate = async (_, imports) =>
    (await WebAssembly.instantiateStreaming(fetch('/pkg/raptor_secondary_bg.wasm'), imports)).instance;
  const { default: init } = await import('/pkg/raptor_secondary.js');
  await init();
  WebAssembly.instantiate = instantiate;
  postMessage('done');`);
writeFileSync(join(dir, 'worker.html'), `<!doctype html><script type="module">
  const worker = new Worker(location.hash.slice(1) + '.js', { type: 'module' });
  worker.onmessage = (e) => { if (e.data === 'done') window.done = 'done'; };
  worker.onerror = (e) => { window.done = 'error: ' + e.message; };
</script>`);

const hogs = Array.from({ length: LOAD }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
const server = await startStaticServer({ port: 0, mounts: { '/pkg/': join(ROOT, 'pkg'), '/': dir } });
let hung = 0;
let version;
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const browser = await launch('webkit');
    version = browser.version;
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}page.html?${round}`);
      const booked = await page.waitForFunction(() => window.done, null, { timeout: 20_000 });
      if (booked !== 'completed book-appointment') throw new Error(`round ${round}: the page answered '${booked}'`);
      await page.close();
      const worker = await browser.newPage();
      await worker.goto(`${server.url}worker.html?${round}#${opts.way}`);
      const out = await worker.waitForFunction(() => window.done, null, { timeout: 8000 }).catch(() => null);
      if (out === null) {
        hung += 1;
        console.log(`webkit-worker-init: round ${round}: the worker's load did not settle in 8 s`);
      } else if (out !== 'done') {
        throw new Error(`round ${round}: ${out}`);
      }
      await worker.close();
    } finally {
      await browser.close();
    }
  }
} finally {
  for (const hog of hogs) hog.kill();
  server.server.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`webkit-worker-init: WebKit ${version}, --way ${opts.way}, ${LOAD} CPU hogs: ${hung} of ${ROUNDS} worker loads never settled (${(100 * hung / ROUNDS).toFixed(1)} %)`);
