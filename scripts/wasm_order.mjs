// Functions in the order gzip compresses best: each next to the ones most like it (issue 21).
// gzip finds a repeat only within the last 32 KB it read, and the client's code section is
// about 100 KB, so which functions sit near each other decides what it finds. `rankByLikeness`
// picks the order greedily: after the first function, each next one is the function left with
// the largest share of its 4-byte sequences found in the last five functions placed.
// It writes that order into the module as function names (a name section of zero-padded
// ranks, nothing else), which `wasm-opt --reorder-functions-by-name` then applies; the names
// go when wasm-opt writes the module without -g. Used by scripts/build.mjs between the
// optimizing wasm-opt and that one. The same bytes in give the same order out.
import { leb, sections, skipImport, toLeb } from './wasm_names.mjs';

/** The most bytes a function's likeness is measured against: gzip's window (32 KB), less a
 * margin. */
const WINDOW = 30_000;
/** How many functions placed last a function's likeness is measured against. Measured on the
 * client's module (gzip of the .wasm): the last 1: 47,816 B; 3: 47,676; 5: 47,643; 10: 47,725;
 * 20: 47,709; 60: 47,824; all of the last 30,000 bytes: 48,027; by name (before): 48,297. */
const LAST = 5;

/** How many functions the module imports (they come first in the function index space). */
function importedFunctions(bytes, section) {
  if (!section) return 0;
  let functions = 0;
  let [count, at] = leb(bytes, section.body);
  while (count--) {
    for (let k = 0; k < 2; k++) {
      const [length, from] = leb(bytes, at);
      at = from + length;
    }
    const kind = bytes[at];
    if (kind === 0) functions += 1;
    at = skipImport(bytes, kind, at + 1);
  }
  return functions;
}

/** The 4-byte sequences of `bytes`, as numbers. */
function quads(bytes) {
  const out = new Set();
  for (let i = 0; i + 4 <= bytes.length; i++) {
    out.add(((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0);
  }
  return out;
}

/** The bodies of the code section, in index order. */
function bodies(bytes, section) {
  const out = [];
  let [count, at] = leb(bytes, section.body);
  while (count--) {
    const [size, from] = leb(bytes, at);
    out.push(bytes.subarray(from, from + size));
    at = from + size;
  }
  return out;
}

/** The greedy order of `list` (see the top of this file): indices into it. */
export function likenessOrder(list) {
  const own = list.map(quads);
  const left = new Set(list.keys());
  const order = [];
  while (left.size) {
    // The 4-byte sequences of the last LAST functions placed (at most WINDOW bytes).
    let from = order.length;
    for (let n = 0; from > 0 && n < WINDOW && order.length - from < LAST;) n += list[order[--from]].length;
    const tail = Buffer.concat(order.slice(from).map((k) => list[k]));
    const recent = quads(tail.subarray(Math.max(0, tail.length - WINDOW)));
    let best = -1;
    let bestShare = -1;
    for (const k of left) {
      let hits = 0;
      for (const q of own[k]) if (recent.has(q)) hits += 1;
      const share = own[k].size ? hits / own[k].size : 1;
      if (share > bestShare) [best, bestShare] = [k, share];
    }
    order.push(best);
    left.delete(best);
  }
  return order;
}

/**
 * `wasm` (bytes) with a name section naming each function by its rank in the likeness order
 * (imported functions `!<index>`: they are not reordered), in place of any name section.
 */
export function rankByLikeness(wasm) {
  const bytes = new Uint8Array(wasm);
  const all = sections(bytes);
  const imported = importedFunctions(bytes, all.find((s) => s.id === 2));
  const code = all.find((s) => s.id === 10);
  const list = code ? bodies(bytes, code) : [];
  const rank = new Array(list.length);
  likenessOrder(list).forEach((k, r) => { rank[k] = r; });
  const utf8 = new TextEncoder();
  const names = [...toLeb(imported + list.length)];
  for (let f = 0; f < imported + list.length; f++) {
    const name = utf8.encode(f < imported ? `!${f}` : String(rank[f - imported]).padStart(6, '0'));
    names.push(...toLeb(f), ...toLeb(name.length), ...name);
  }
  const title = utf8.encode('name');
  const contents = [...toLeb(title.length), ...title, 1, ...toLeb(names.length), ...names];
  const isNames = (s) => {
    if (s.id !== 0) return false;
    const [length, from] = leb(bytes, s.body);
    return length === 4 && String.fromCharCode(...bytes.subarray(from, from + 4)) === 'name';
  };
  const parts = [bytes.subarray(0, 8), ...all.filter((s) => !isNames(s)).map((s) => bytes.subarray(s.start, s.end)),
    Uint8Array.from([0, ...toLeb(contents.length), ...contents])];
  return Buffer.concat(parts);
}
