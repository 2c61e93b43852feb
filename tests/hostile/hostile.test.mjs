// The hostile tier: at least 100,000 generated hostile inputs (tests/support/hostile.js)
// through the loader's globals in each engine (scripts/engines.mjs; BROWSERS, default all):
// getActionLabel (checked against the legacy contract on every input), resolveAction, new
// AppointmentClient, book, cancel and handle. After every throw a normal call must still work.
// Memory is read after a warm-up, at each quarter and at the end: nothing may grow over the last
// three quarters (Wasm memory, the externref table, and the JS heap where the engine shows it:
// Chromium), and nothing beyond one allocator page since the warm-up. Prints the counts and the
// figures, per engine.
//
//   HOSTILE_INPUTS=1000000 HOSTILE_SEED=7 node --test tests/hostile/   (a longer run, another seed)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../scripts/serve.mjs';
import { eachEngine } from '../support/browsers.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const INPUTS = Number(process.env.HOSTILE_INPUTS ?? 100000);
const SEED = Number(process.env.HOSTILE_SEED ?? 20261123);
let server, base;

before(async () => {
  ({ server, url: base } = await startStaticServer({
    port: 0,
    mounts: { '/pkg/': join(ROOT, 'pkg'), '/tests/': join(ROOT, 'tests'), '/': join(ROOT, 'www') },
    pages: {
      '/hostile-client.html': '<!doctype html><body><script src="/pkg/raptor-secondary.js" data-client></script>',
      '/hostile-drop-in.html': '<!doctype html><body><script src="/pkg/raptor-secondary.js"></script>',
    },
  }));
});

after(() => server?.close());

/** Nothing grows over the last three quarters of the run, and the allocator's high-water mark
 * is at most one 64 KiB page above where the warm-up left it (the JS heap where it is shown). */
function assertFlat({ baseline, checkpoints, end }) {
  const [first] = checkpoints;
  assert.equal(end.wasmBytes, first.wasmBytes, 'Wasm memory grew during the run');
  assert.ok(end.wasmBytes - baseline.wasmBytes <= 65536, `Wasm memory grew by ${end.wasmBytes - baseline.wasmBytes} B`);
  assert.equal(end.externrefs, baseline.externrefs, 'the externref table grew');
  if (!baseline.heapBytes) return;
  assert.ok(end.heapBytes - first.heapBytes < 1024 * 1024, `the JS heap grew by ${end.heapBytes - first.heapBytes} B`);
  assert.ok(end.heapBytes - baseline.heapBytes < 2 * 1024 * 1024, `the JS heap grew by ${end.heapBytes - baseline.heapBytes} B`);
}

const heap = (bytes) => (bytes ? `${bytes} B` : 'not shown');

eachEngine((engine, browser) => {

  /** Runs the tier in a fresh page that loads the loader, with the client or the drop-in alone. */
  async function run({ inputs, dropInOnly }) {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}${dropInOnly ? 'hostile-drop-in.html' : 'hostile-client.html'}`);
    await page.watchErrors();
    const report = await page.evaluate(async (options) => {
      await RaptorSecondary.ready;
      const { runHostileTier } = await import('/tests/support/hostile_tier.js');
      return runHostileTier(options);
    }, { inputs, seed: SEED, warmup: Math.min(20000, inputs / 5), dropInOnly });
    pageErrors.push(...await page.errors());
    await page.close();
    return { report, pageErrors };
  }

test(`${engine}: ${INPUTS} hostile inputs neither brick the module nor leak`, { timeout: 20 * 60 * 1000 }, async () => {
  const { report, pageErrors } = await run({ inputs: INPUTS, dropInOnly: false });
  const { counts, baseline, end } = report;
  console.log(`hostile: ${engine}: ${counts.inputs} inputs (seed ${SEED}): getActionLabel ${counts.getActionLabel}, `
    + `resolveAction ${counts.resolveAction}, new AppointmentClient ${counts.constructor}, book ${counts.book}, `
    + `cancel ${counts.cancel}, handle ${counts.handle}`);
  console.log(`hostile: ${engine}: ${counts.threw} throws (${counts.ownExceptions} the input's own exception, `
    + `${counts.invalidOptions} invalid_options), ${counts.failedResults} failed booking results, `
    + `${counts.recoveryChecks} recovery checks, ${report.problems.length} problems`);
  console.log(`hostile: ${engine}: provider calls ${JSON.stringify(report.calls)}`);
  console.log(`hostile: ${engine}: after warm-up / at end: Wasm memory ${baseline.wasmBytes} / ${end.wasmBytes} B, `
    + `externref table ${baseline.externrefs} / ${end.externrefs} slots, JS heap ${heap(baseline.heapBytes)} / ${heap(end.heapBytes)}`);

  for (const c of report.checkpoints) {
    console.log(`hostile: ${engine}: after ${c.after} inputs: Wasm memory ${c.wasmBytes} B, externref table ${c.externrefs}, JS heap ${heap(c.heapBytes)}`);
  }
  assert.deepEqual(report.problems, []);
  assert.deepEqual(pageErrors, []);
  assert.ok(counts.inputs >= INPUTS);
  assertFlat(report);
});

// The drop-in alone is its own module, with its own allocator (web/bump.rs, which frees
// nothing): the same inputs through getActionLabel and resolveAction must leave it flat too.
test(`${engine}: ${INPUTS / 2} hostile inputs leave the drop-in-only module flat`, { timeout: 20 * 60 * 1000 }, async () => {
  const { report, pageErrors } = await run({ inputs: INPUTS / 2, dropInOnly: true });
  const { counts, baseline, end } = report;
  console.log(`hostile: ${engine} (drop-in only): ${counts.inputs} inputs: getActionLabel ${counts.getActionLabel}, `
    + `resolveAction ${counts.resolveAction}; ${counts.threw} throws, ${report.problems.length} problems; `
    + `Wasm memory ${baseline.wasmBytes} / ${end.wasmBytes} B, externref table ${baseline.externrefs} / ${end.externrefs} slots`);
  assert.deepEqual(report.problems, []);
  assert.deepEqual(pageErrors, []);
  assertFlat(report);
});
});
