// The loader's JavaScript fallback (js/loader.js) gives the WebAssembly module's answers
// exactly: the legacy project's two cases, the event-shape corpus and 100,000 generated inputs
// (hostile ones included: throwing getters, revoked Proxies, 1 MB strings, lone surrogates)
// through both, zero differences. Also: the loader parses as ES5, so an old engine defines the
// globals and answers from the fallback. Needs pkg/ (npm run build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { parse } from 'acorn';
import { compareEngines } from '../support/fallback_diff.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const INPUTS = Number(process.env.FALLBACK_INPUTS ?? 100_000);

/** The loader run in this realm (so engine messages name values alike) without a document:
 * its globals are the fallback until the caller wraps a glue with `fromGlue`. */
function fallbackOf(source) {
  vm.runInThisContext(source);
  const { getActionLabel, resolveAction, RaptorSecondary: api } = globalThis;
  assert.equal(api.engine, 'fallback');
  return { getActionLabel, resolveAction, api };
}

test('the loader, as written and as shipped, parses as ES5 (an old engine defines the globals)', () => {
  for (const file of [join(ROOT, 'js', 'loader.js'), join(ROOT, 'pkg', 'raptor-secondary.js')]) {
    assert.doesNotThrow(() => parse(readFileSync(file, 'utf8'), { ecmaVersion: 5, sourceType: 'script' }), file);
  }
});

test('without WebAssembly the globals answer from the fallback, say why, and booking says not_loaded', () => {
  const context = vm.createContext({ Promise, console: { warn: (...args) => warned.push(args.join(' ')) } });
  const warned = [];
  vm.runInContext(readFileSync(join(ROOT, 'pkg', 'raptor-secondary.js'), 'utf8'), context);
  const api = context.RaptorSecondary;
  assert.equal(api.engine, 'fallback');
  assert.equal(api.engineReason, 'no_webassembly');
  assert.equal(context.getActionLabel({ srcElement: { dataset: { action: 'legacy-dataset-only' } } }), 'legacy-dataset-only');
  assert.equal(warned.length, 1);
  assert.match(warned[0], /no_webassembly/);
  assert.throws(() => new api.AppointmentClient({}), (e) => e.code === 'not_loaded' && /no_webassembly/.test(e.message));
  return assert.rejects(api.ready, (e) => e.code === 'not_loaded' && e.reason === 'no_webassembly');
});

test('the fallback gives the module\'s answers: legacy cases, corpus, generated inputs', async () => {
  const glue = await import(pathToFileURL(join(ROOT, 'pkg', 'raptor_secondary_lite.js')).href);
  glue.initSync({ module: readFileSync(join(ROOT, 'pkg', 'raptor_secondary_lite_bg.wasm')) });
  const fallback = fallbackOf(readFileSync(join(ROOT, 'pkg', 'raptor-secondary.js'), 'utf8'));
  const wasm = fallback.api.fromGlue(glue);
  const legacyCases = [
    [{ srcElement: { getAttribute: (n) => (n === 'data-action' ? 'legacy-submit' : null), dataset: { action: 'legacy-dataset' } } }],
    [{ srcElement: { dataset: { action: 'legacy-dataset-only' } } }],
  ];
  assert.equal(fallback.getActionLabel(...legacyCases[0]), 'legacy-submit');
  assert.equal(fallback.getActionLabel(...legacyCases[1]), 'legacy-dataset-only');
  const corpus = JSON.parse(readFileSync(join(ROOT, 'data', 'action_label_corpus.json'), 'utf8'));
  const { counts, differences } = compareEngines(wasm, fallback, { inputs: INPUTS, corpus, extraCases: legacyCases });
  console.log(`fallback: node: ${counts.inputs} generated inputs (getActionLabel ${counts.getActionLabel}, resolveAction ${counts.resolveAction}, ${counts.throws} throws), ${counts.corpus} corpus cases, 2 legacy cases: ${counts.differences} differences from the module`);
  assert.deepEqual(differences, []);
  assert.ok(counts.inputs >= INPUTS);
});
