#!/usr/bin/env node
// Readiness: from the loader's <script> tag to `RaptorSecondary.ready`, in each browser with a
// cold cache (a fresh page; every file is served `no-store`), for the drop-in page and the client
// page (`data-client`), at loopback speed and with a round trip added by the server (it holds
// each response back that long). Two loaders, interleaved in one run: the current one, which fetches and compiles
// the .wasm as soon as it runs, in parallel with the glue's import; and the one before it
// (`sequential`: the same file with that line replaced by the URL, so the glue fetches the .wasm
// only once it has loaded), served from a copy of pkg/. Prints medians and ratios; asserts
// nothing. Needs pkg/ (npm run build).
//
//   node bench/readiness.mjs [--rounds 15] [--rtt 0,50] [--browser chromium|firefox|webkit|all]
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { engines, launch } from '../scripts/engines.mjs';
import { startStaticServer } from '../scripts/serve.mjs';
import { browserVersion, median, ratio, row } from './rows.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, rtt: { type: 'string', default: '0,50' }, browser: { type: 'string', default: 'chromium' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 12).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const ROUNDS = Number(values.rounds);
const RTTS = values.rtt.split(',').map(Number);

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const PKG = join(ROOT, 'pkg');
const OLD = join(ROOT, 'target', 'bench-readiness-sequential');
rmSync(OLD, { recursive: true, force: true });
cpSync(PKG, OLD, { recursive: true });
const loader = readFileSync(join(PKG, 'raptor-secondary.js'), 'utf8');
// The sequential loader: the .wasm is fetched only once the boot module runs (`_boot`), as a
// glue that fetches its own .wasm would; the parallel one starts the fetch at once.
const fetchAtOnce = /var (\w+)=fetch\((\w+)\)\.then\(/;
const boot = /(\w+)\._boot=function\((\w+)\)\{/;
if (!fetchAtOnce.test(loader) || !boot.test(loader)) throw new Error('bench: the loader no longer starts the .wasm fetch as this bench expects (run npm run build)');
writeFileSync(join(OLD, 'raptor-secondary.js'), loader
  .replace(fetchAtOnce, (_, wasm, url) => `var ${wasm}=new Promise(function(r){self.__sequential=r}).then(function(){return fetch(${url})}).then(`)
  .replace(boot, (all) => `${all}self.__sequential&&self.__sequential();`));

const page = (loaderUrl, client) => `<!doctype html><meta charset="utf-8"><title>readiness</title><link rel="icon" href="data:,">
<script>window.t0 = performance.now();</script>
<script src="${loaderUrl}"${client ? ' data-client' : ''}></script>
<script>RaptorSecondary.ready.then(() => { window.readyMs = performance.now() - window.t0; });</script>`;
let rttMs = 0;
const server = await startStaticServer({
  port: 0,
  mounts: { '/new/': PKG, '/old/': OLD },
  delay: () => rttMs,
});
// Pages are written beside the packages (served as files).
for (const [dir, name] of [[PKG, 'new'], [OLD, 'old']]) {
  writeFileSync(join(dir, 'bench-dropin.html'), page(`/${name}/raptor-secondary.js`, false));
  writeFileSync(join(dir, 'bench-client.html'), page(`/${name}/raptor-secondary.js`, true));
}

const samples = {};
try {
  for (const engine of engines(values.browser)) {
    const browser = await launch(engine);
    browserVersion(browser);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const rtt of RTTS) {
          rttMs = rtt;
          for (const kind of ['dropin', 'client']) {
            for (const variant of round % 2 ? ['old', 'new'] : ['new', 'old']) {
              const tab = await browser.newPage();
              tab.on('pageerror', (e) => console.log(`bench: ${engine}: page error (${variant} ${kind}): ${e.message}`));
              await tab.goto(`${server.url}${variant}/bench-${kind}.html`);
              await tab.waitForFunction(() => window.readyMs, null, { timeout: 30_000 });
              (samples[`${engine} ${rtt} ${kind} ${variant}`] ??= []).push(await tab.evaluate(() => window.readyMs));
              await tab.close();
            }
          }
        }
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  server.server.close();
  for (const dir of [PKG, OLD]) for (const f of ['bench-dropin.html', 'bench-client.html']) rmSync(join(dir, f), { force: true });
  rmSync(OLD, { recursive: true, force: true });
}
for (const engine of engines(values.browser)) {
  for (const rtt of RTTS) {
    for (const kind of ['dropin', 'client']) {
      const before = median(samples[`${engine} ${rtt} ${kind} old`]);
      const after = median(samples[`${engine} ${rtt} ${kind} new`]);
      const name = kind === 'dropin' ? 'drop-in page' : 'client page  ';
      row('readiness', `${name.trim()}, script to ready, RTT ${rtt} ms, cold cache`, `${after.toFixed(1)} ms`, `${before.toFixed(1)} ms (sequential loader)`, ratio(after, before), engine);
      console.log(`bench: ${engine}: readiness ${name} rtt ${String(rtt).padStart(3)} ms: sequential ${before.toFixed(1)} ms, parallel ${after.toFixed(1)} ms (${(after / before).toFixed(2)}x), median of ${ROUNDS}, cold cache`);
    }
  }
}
