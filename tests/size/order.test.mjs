// The order of the client's functions (scripts/wasm_order.mjs, used by scripts/build.mjs): each
// next to the ones most like it, written into the module as names for wasm-opt to apply.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { leb, sections } from '../../scripts/wasm_names.mjs';
import { likenessOrder, rankByLikeness } from '../../scripts/wasm_order.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');

test('likeness order: each function follows the ones most like it', () => {
  const like = (seed) => Buffer.from(Array.from({ length: 64 }, (_, i) => (seed * 31 + i * 7) % 251));
  const a = like(1);
  const b = like(2);
  // Two families, interleaved: a, b, a', b', a'' (each variant one byte off its family).
  const variant = (base, at) => Buffer.from(base.map((x, i) => (i === at ? x ^ 0xff : x)));
  const list = [a, b, variant(a, 10), variant(b, 20), variant(a, 40)];
  assert.deepEqual(likenessOrder(list), [0, 2, 4, 1, 3]);
  assert.deepEqual(likenessOrder([]), []);
});

/** The module's sections but its name section, `[id, hex]` each, and its function names. */
function read(bytes) {
  const kept = [];
  const names = new Map();
  for (const { id, start, body, end } of sections(bytes)) {
    const [length, title] = leb(bytes, body);
    if (id !== 0 || Buffer.from(bytes.subarray(title, title + length)).toString() !== 'name') {
      kept.push([id, Buffer.from(bytes.subarray(start, end)).toString('hex')]);
      continue;
    }
    for (let p = title + length; p < end;) {
      const [size, sub] = leb(bytes, p + 1);
      if (bytes[p] === 1) {
        let [count, q] = leb(bytes, sub);
        while (count--) {
          const [index, r] = leb(bytes, q);
          const [n, from] = leb(bytes, r);
          names.set(index, Buffer.from(bytes.subarray(from, from + n)).toString());
          q = from + n;
        }
      }
      p = sub + size;
    }
  }
  return { sections: kept, names };
}

test('the ranks of a real module: every other section kept as it was, one rank per function', () => {
  const wasm = readFileSync(join(ROOT, 'pkg', 'raptor_secondary_bg.wasm'));
  const ranked = rankByLikeness(wasm);
  assert.ok(WebAssembly.validate(ranked), 'still a valid module');
  assert.deepEqual(rankByLikeness(wasm), ranked, 'the same bytes give the same order');
  const before = read(wasm);
  const after = read(ranked);
  assert.deepEqual(after.sections, before.sections);
  const imported = WebAssembly.Module.imports(new WebAssembly.Module(wasm)).filter((i) => i.kind === 'function').length;
  const ranks = [...after.names].filter(([index]) => index >= imported).map(([, name]) => name);
  assert.ok(ranks.length > 100, `${ranks.length} functions`);
  assert.ok(ranks.every((name) => /^\d{6}$/.test(name)), 'zero-padded ranks');
  assert.deepEqual([...ranks].sort(), ranks.map((_, r) => String(r).padStart(6, '0')), 'each rank once');
  for (let f = 0; f < imported; f++) assert.equal(after.names.get(f), `!${f}`);
});
