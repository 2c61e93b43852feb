// The loader's JavaScript fallback against the WebAssembly module: the same inputs through both,
// every answer compared. Plain ESM, for Node (tests/node/fallback.test.mjs, duck-typed inputs)
// and for pages (tests/e2e/never_worse.test.mjs, real elements and shadow roots too).
import { buildArgs } from './event_shapes.js';
import { attempt, generator, Hostile, rng, safeText } from './hostile.js';

/** How two outcomes of one call differ ('' when they agree): the same value (resolveAction's
 * answer field by field, its element the very object), or the same thrown input exception, or
 * the same error of their own (constructor, message, code), or engine errors of one kind. */
export function difference(wasm, fallback) {
  if ('error' in wasm || 'error' in fallback) {
    if (!('error' in wasm)) return `fallback threw ${safeText(fallback.error)}, the module answered ${safeText(wasm.value)}`;
    if (!('error' in fallback)) return `module threw ${safeText(wasm.error)}, the fallback answered ${safeText(fallback.value)}`;
    const a = wasm.error;
    const b = fallback.error;
    if (a instanceof Hostile || b instanceof Hostile) return a === b ? '' : `threw ${safeText(a)} vs ${safeText(b)}`;
    // Errors the two make themselves match to the letter; an engine's own (a TypeError for `in`
    // on a primitive) by constructor: its message quotes the source or names the realm.
    const ours = (e) => { try { return e.code !== undefined || /^getActionLabel:/.test(e.message); } catch { return false; } };
    const shape = (e, full) => { try { return full ? `${e.constructor.name}|${e.message}|${e.code}` : e.constructor.name; } catch { return typeof e; } };
    const full = ours(a) || ours(b);
    return shape(a, full) === shape(b, full) ? '' : `threw ${shape(a, true)} vs ${shape(b, true)}`;
  }
  const a = wasm.value;
  const b = fallback.value;
  if (typeof a !== 'object' || a === null) return Object.is(a, b) ? '' : `${safeText(a)} vs ${safeText(b)}`;
  if (typeof b !== 'object' || b === null) return `an answer vs ${safeText(b)}`;
  const keys = (o) => Object.keys(o).join();
  if (keys(a) !== keys(b)) return `fields ${keys(a)} vs ${keys(b)}`;
  for (const key of Object.keys(a)) {
    if (!Object.is(a[key], b[key])) return `${key}: ${safeText(a[key])} vs ${safeText(b[key])}`;
  }
  return '';
}

/**
 * Runs `inputs` generated inputs (seed `seed`; `doc` the page's document, or undefined in Node)
 * and every case of `corpus` (data/action_label_corpus.json) through `wasm` and `fallback`
 * (each `{ getActionLabel, resolveAction }`). Returns counts and the first differences.
 */
export function compareEngines(wasm, fallback, { seed = 20261206, inputs = 100_000, doc, corpus, extraCases = [] } = {}) {
  const counts = { inputs: 0, getActionLabel: 0, resolveAction: 0, throws: 0, corpus: 0, differences: 0 };
  const differences = [];
  const check = (name, args, where) => {
    counts[name] += 1;
    const a = attempt(wasm[name], args);
    const b = attempt(fallback[name], args);
    if ('error' in a) counts.throws += 1;
    const d = difference(a, b);
    if (d) {
      counts.differences += 1;
      if (differences.length < 10) differences.push(`${where}: ${name}(${args.map(safeText).join(', ')}): ${d}`);
    }
  };
  for (const testCase of corpus?.cases ?? []) {
    counts.corpus += 1;
    const args = buildArgs(testCase);
    check('getActionLabel', args, `corpus ${testCase.id}`);
    check('resolveAction', [args[0]], `corpus ${testCase.id}`);
  }
  for (const [i, args] of extraCases.entries()) {
    check('getActionLabel', args, `case ${i}`);
    check('resolveAction', [args[0]], `case ${i}`);
  }
  const r = rng(seed);
  const g = generator(r, doc);
  for (let i = 0; i < inputs; i++) {
    counts.inputs += 1;
    if (r.chance(0.5)) {
      const args = r.chance(0.5) ? [g.event()] : [g.event(), g.attributeName()];
      check('getActionLabel', args, `input ${i}`);
    } else {
      const args = r.chance(0.3) ? [g.event()] : [g.event(), g.resolveOptions()];
      check('resolveAction', args, `input ${i}`);
    }
  }
  return { counts, differences };
}
