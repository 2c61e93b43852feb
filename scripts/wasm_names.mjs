// Short names for what a .wasm and its wasm-bindgen glue call each other by: the glue's own
// imports (`__wbg_<name>_<16 hex digits>`, module `./<name>_bg.js`) and the module's exports
// (`__core_poll`, `__wbindgen_malloc`, ...) become `a`, `b`, ... in the .wasm and in the glue
// alike. The hex digits are a hash that gzip cannot compress: the client page is 1.6 KB gzip
// smaller for it, the drop-in page 0.5 KB (issue 21). The exported memory and externref table
// (the loader reads them) and the snippets' imports (short already, and named by the snippet
// modules) keep their names. Used by scripts/build.mjs on the glue as
// wasm-pack writes it, before it is minified (every export is read as `wasm.<name>` there).

/** Reads an unsigned LEB128 at `at`: [value, next offset]. (A non-negative signed LEB128, such
 * as an `i32.const` address, reads the same.) */
export function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

/** The sections of a module's `bytes`, in order: `{ id, start, body, end }` each (`start` where
 * the section begins, `body` where its contents begin, `end` where it ends). */
export function sections(bytes) {
  const out = [];
  for (let at = 8; at < bytes.length;) {
    const [size, body] = leb(bytes, at + 1);
    out.push({ id: bytes[at], start: at, body, end: body + size });
    at = body + size;
  }
  return out;
}

/** `n` as unsigned LEB128 bytes. */
export function toLeb(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

const utf8 = new TextEncoder();
const text = new TextDecoder();
const name = (s) => [...toLeb(utf8.encode(s).length), ...utf8.encode(s)];

/** The `i`th short name: a..z, A..Z, then two characters and so on (keys and property reads
 * only, where even a keyword is a valid name). */
function shortName(i) {
  const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const rest = `${first}0123456789_$`;
  let out = first[i % first.length];
  for (i = Math.floor(i / first.length); i > 0; i = Math.floor((i - 1) / rest.length)) out += rest[(i - 1) % rest.length];
  return out;
}

/** Skips an import's description (after its kind byte) at `at`. */
export function skipImport(bytes, kind, at) {
  const limits = (p) => {
    const flags = bytes[p];
    let next = leb(bytes, p + 1)[1];
    if (flags & 1) next = leb(bytes, next)[1];
    return next;
  };
  if (kind === 0) return leb(bytes, at)[1]; // a function: its type
  if (kind === 1) return limits(at + 1); // a table: its element type, then limits
  if (kind === 2) return limits(at); // a memory
  if (kind === 3) return at + 2; // a global: its type, mutability
  if (kind === 4) return leb(bytes, at + 1)[1]; // a tag: attribute, type
  throw new Error(`wasm_names: import kind ${kind} unknown`);
}

/** Exports read by name outside the glue: the loader's `memoryBytes` and `externrefSlots`. */
const KEPT = ['memory', '__wbindgen_externrefs'];

/**
 * Renames the imports of module `glueModule` and every export but KEPT in `wasm` (bytes).
 * Returns the new bytes and the renames of imports and of exports, `[old, new]` each.
 */
export function shortenNames(wasm, glueModule) {
  const bytes = new Uint8Array(wasm);
  const parts = [bytes.subarray(0, 8)];
  const renames = { imports: [], exports: [] };
  let next = 0;
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    const end = start + size;
    let body = bytes.subarray(start, end);
    if (id === 2 || id === 7) {
      const rewritten = [];
      let [count, p] = leb(bytes, start);
      rewritten.push(...toLeb(count));
      while (count--) {
        let module;
        if (id === 2) {
          const [length, from] = leb(bytes, p);
          module = text.decode(bytes.subarray(from, from + length));
          rewritten.push(...name(module));
          p = from + length;
        }
        const [length, from] = leb(bytes, p);
        const old = text.decode(bytes.subarray(from, from + length));
        p = from + length;
        const kind = bytes[p];
        const after = id === 2 ? skipImport(bytes, kind, p + 1) : leb(bytes, p + 1)[1];
        const renamed = (id === 2 ? module === glueModule : !KEPT.includes(old)) ? shortName(next++) : old;
        if (renamed !== old) renames[id === 2 ? 'imports' : 'exports'].push([old, renamed]);
        rewritten.push(...name(renamed), ...bytes.subarray(p, after));
        p = after;
      }
      body = rewritten;
    }
    parts.push(Uint8Array.from([id, ...toLeb(body.length)]), Uint8Array.from(body));
    at = end;
  }
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((offset, part) => (out.set(part, offset), offset + part.length), 0);
  return { bytes: out, ...renames };
}

/** The glue `code` (as wasm-pack writes it) with the renames of `shortenNames`: the keys of
 * the imports it defines and its `wasm.<export>` reads. Throws if an import is not defined. */
export function renameInGlue(code, imports, exports) {
  const escape = (name) => name.replace(/[$]/g, '\\$&');
  let out = code;
  for (const [old, renamed] of imports) {
    const before = out;
    out = out.replace(new RegExp(`(?<=[{,\\s])${escape(old)}(?=\\s*:)`, 'g'), renamed);
    // An import the glue does not define would fail at instantiation: found here instead.
    if (out === before) throw new Error(`wasm_names: the glue defines no import ${old}`);
  }
  for (const [old, renamed] of exports) out = out.replace(new RegExp(`(?<=\\bwasm\\.)${escape(old)}\\b`, 'g'), renamed);
  return out;
}

/** A TypeScript declaration file with the export renames (whole names only). */
export function renameInTypes(code, renames) {
  return renames.reduce((out, [old, renamed]) => out.replace(new RegExp(`\\b${old.replace(/[$]/g, '\\$&')}\\b`, 'g'), renamed), code);
}
