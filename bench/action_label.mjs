// Benchmark: the Wasm getActionLabel and resolveAction (the loader's globals, as pages call
// them) against the fixed JavaScript helper (the legacy helper with srcElement added), side by
// side in the same page of each browser, on real DOM click events and on IE11-style event-like
// objects. Also times, in plain JS, the reads resolveAction makes beyond the helper's
// (composedPath() and the :disabled match), and all of its reads (the loader's JavaScript
// fallback resolveAction, which gives the same answers): the floor of its ratio. Prints
// ns/call and the ratios per round and the median ratios, per browser. Each figure times a batch of N calls
// (Firefox and WebKit step performance.now() in 0.1 to 1 ms). Also the loader's JavaScript
// fallback, and what the rollout kit's label shadow adds to a click (comparisons off, and every
// click compared). Prints figures; asserts nothing.
//
//   node bench/action_label.mjs [--calls N] [--rounds N] [--browser chromium|firefox|webkit|all]
//   (needs npm run build first)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startStaticServer } from '../scripts/serve.mjs';
import { engines, launch } from '../scripts/engines.mjs';
import { browserVersion, median, row } from './rows.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const { values } = parseArgs({ options: { calls: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '5' }, browser: { type: 'string', default: 'chromium' } } });
const calls = Number(values.calls);
const rounds = Number(values.rounds);

// The fixed helper is the legacy source with exactly the one-line fix applied.
const legacySource = readFileSync(join(ROOT, 'legacy', 'src', 'compatActionLabel.js'), 'utf8');
const BUG = 'event.target || event.currentTarget';
if (!legacySource.includes(BUG)) throw new Error('bench: the legacy element line changed; update the fix');
const fixedSource = legacySource.replace(BUG, 'event.target || event.srcElement || event.currentTarget');

const { server, url } = await startStaticServer({ port: 0 });
for (const engine of engines(values.browser)) {
const browser = await launch(engine);
browserVersion(browser);
try {
  const page = await browser.newPage();
  await page.goto(`${url}drop-in.html`);
  const results = await page.evaluate(async ({ fixedSource, calls, rounds }) => {
    await RaptorSecondary.ready;
    const module = { exports: {} };
    new Function('module', 'exports', fixedSource)(module, module.exports);
    const fixed = module.exports.getActionLabel;
    const dom = [];
    for (let i = 0; i < 64; i++) {
      const button = document.createElement('button');
      button.setAttribute('data-action', 'book-' + i);
      button.addEventListener('click', (e) => dom.push(e), { once: true });
      button.dispatchEvent(new MouseEvent('click'));
    }
    const objects = dom.map((e) => ({ srcElement: e.target }));
    const time = (fn, events) => {
      let sink = 0;
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) sink += fn(events[i & 63]).length;
      const ns = ((performance.now() - t0) * 1e6) / calls;
      if (sink === 0) throw new Error('no labels');
      return ns;
    };
    // Every contender is called through a local binding, as `wasmLabel` and the fallback's
    // are: a page global read inside the loop costs Firefox about 90 ns a call by itself.
    const wasmResolve = resolveAction;
    const resolve = (event) => wasmResolve(event).label;
    // What resolveAction reads beyond the helper's reads, alone: the composed path (for clicks
    // inside shadow trees) and the :disabled match of the clicked element.
    const extraReads = (event) => {
      const element = event.target || event.srcElement;
      const path = typeof event.composedPath === 'function' ? event.composedPath() : [];
      return element.matches(':disabled') || path.length < 0 ? '' : 'x';
    };
    // The loader's JavaScript fallback (what answers where the module cannot run): the shipped
    // loader run against a window without WebAssembly.
    const fake = {};
    new Function('window', await (await fetch('/pkg/raptor-secondary.js')).text())(fake);
    const fallback = fake.getActionLabel;
    // ... and its resolveAction: the same reads and the same answer, in plain JavaScript.
    const plainResolve = fake.resolveAction;
    const fallbackResolve = (event) => plainResolve(event).label;
    // The rollout kit's label shadow: the wrapper with comparisons off, and comparing every
    // click (sample 1, no cap).
    const wasmLabel = getActionLabel;
    await new Promise((ok, fail) => {
      const tag = Object.assign(document.createElement('script'), { src: '/pkg/raptor-secondary-rollout.js', onload: ok, onerror: fail });
      document.head.append(tag);
    });
    const rollout = RaptorSecondary.rollout;
    const shadowed = (event) => getActionLabel(event);
    const out = { dom: [], objects: [] };
    for (let r = 0; r < rounds; r++) {
      for (const [name, events] of [['dom', dom], ['objects', objects]]) {
        // resolveAction last: the result objects it allocates are collected in its own time.
        const js = time(fixed, events);
        const extra = time(extraReads, events);
        const wasm = time(wasmLabel, events);
        const fb = time(fallback, events);
        rollout.configure({ shadow: false });
        const wrapped = time(shadowed, events);
        rollout.configure({ shadow: true, sample: 1, cap: 1e9 });
        const shadowOn = time(shadowed, events);
        const plainResolved = time(fallbackResolve, events);
        const resolved = time(resolve, events);
        out[name].push({
          plainResolved, plainResolveRatio: resolved / plainResolved,
          js, wasm, ratio: wasm / js, resolved, resolveRatio: resolved / js, extra, extraRatio: (js + extra) / js,
          fallback: fb, fallbackRatio: fb / js, wrapped, shadowOn,
        });
      }
    }
    return out;
  }, { fixedSource, calls, rounds });
  for (const [name, label] of [['dom', 'real DOM click events'], ['objects', 'IE11-style {srcElement} objects']]) {
    for (const [i, r] of results[name].entries()) {
      console.log(`bench: ${engine}: ${label.padEnd(31)} round ${i + 1}: js ${r.js.toFixed(1)} ns, getActionLabel ${r.wasm.toFixed(1)} ns (${r.ratio.toFixed(2)}x), resolveAction ${r.resolved.toFixed(1)} ns (${r.resolveRatio.toFixed(2)}x); its extra reads alone ${r.extra.toFixed(1)} ns`);
    }
    const m = median(results[name].map((r) => r.ratio));
    const mr = median(results[name].map((r) => r.resolveRatio));
    const me = median(results[name].map((r) => r.extraRatio));
    console.log(`bench: ${engine}: ${label}: getActionLabel median ${m.toFixed(2)}x, resolveAction median ${mr.toFixed(2)}x the fixed JS helper (${calls} calls x ${rounds} rounds)`);
    const ns = (key) => median(results[name].map((r) => r[key]));
    row('action label', `getActionLabel per call, ${label}`, `${ns('wasm').toFixed(1)} ns`, `${ns('js').toFixed(1)} ns (fixed JS helper)`, `${m.toFixed(2)}x`, engine);
    row('action label', `resolveAction per call, ${label}`, `${ns('resolved').toFixed(1)} ns`, `${ns('js').toFixed(1)} ns (fixed JS helper)`, `${mr.toFixed(2)}x`, engine);
    console.log(`bench: ${engine}: ${label}: the helper plus resolveAction's extra reads (composedPath, :disabled), in plain JS: median ${me.toFixed(2)}x`);
    const mp = median(results[name].map((r) => r.plainResolveRatio));
    console.log(`bench: ${engine}: ${label}: resolveAction median ${mp.toFixed(2)}x the same reads in plain JS (the loader's fallback resolveAction, ${ns('plainResolved').toFixed(1)} ns)`);
    row('action label', `resolveAction per call against the same reads in plain JS, ${label}`, `${ns('resolved').toFixed(1)} ns`, `${ns('plainResolved').toFixed(1)} ns (the loader's fallback resolveAction)`, `${mp.toFixed(2)}x`, engine);
    const mf = median(results[name].map((r) => r.fallbackRatio));
    console.log(`bench: ${engine}: ${label}: the loader's JavaScript fallback getActionLabel: median ${mf.toFixed(2)}x the fixed JS helper (${ns('fallback').toFixed(1)} ns)`);
    row('action label', `fallback getActionLabel per call, ${label}`, `${ns('fallback').toFixed(1)} ns`, `${ns('js').toFixed(1)} ns (fixed JS helper)`, `${mf.toFixed(2)}x`, engine);
    const added = ns('shadowOn') - ns('wasm');
    console.log(`bench: ${engine}: ${label}: label shadow (rollout kit): the wrapper with comparisons off adds ${(ns('wrapped') - ns('wasm')).toFixed(1)} ns a click; comparing a click adds ${added.toFixed(1)} ns (${(added / 1e6).toFixed(5)} ms: legacy rule, drop-in and resolver, counters)`);
    row('action label', `label shadow, added per compared click, ${label}`, `${added.toFixed(1)} ns`, `${ns('wasm').toFixed(1)} ns (getActionLabel alone)`, `${(ns('shadowOn') / ns('wasm')).toFixed(2)}x`, engine);
  }
} finally {
  await browser.close();
}
}
server.close();
