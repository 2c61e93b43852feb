// The memory layout that wasm-opt's --low-memory-unused relies on (Cargo.toml): it may turn a
// constant added to a pointer into the access's offset only because no access ever reaches the
// lowest KiB. That holds while the stack comes first, growing down from 1 MiB toward address 0,
// with every data segment (and so the heap after them) above it. A linker that laid the data out
// first would put it at the bottom of memory: this test fails then, before the flag could miscompile.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { leb } from '../../scripts/wasm_names.mjs';

const root = new URL('../../', import.meta.url);

/** The `i32.const` initial values of the module's globals and its active data segments' offsets. */
function layout(bytes) {
  const globals = [];
  const segments = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    let size;
    [size, at] = leb(bytes, at);
    const end = at + size;
    if (id === 6 || id === 11) {
      let count;
      let p;
      [count, p] = leb(bytes, at);
      for (let i = 0; i < count; i++) {
        if (id === 6) {
          p += 2; // value type, mutability
          assert.equal(bytes[p++], 0x41, 'a global starts with i32.const');
          let value;
          [value, p] = leb(bytes, p); // addresses: non-negative
          assert.equal(bytes[p++], 0x0b);
          globals.push(value);
        } else {
          let flags;
          [flags, p] = leb(bytes, p);
          assert.equal(flags, 0, 'an active data segment of memory 0');
          assert.equal(bytes[p++], 0x41, 'its offset is an i32.const');
          let offset;
          [offset, p] = leb(bytes, p);
          assert.equal(bytes[p++], 0x0b);
          let length;
          [length, p] = leb(bytes, p);
          segments.push({ offset, length });
          p += length;
        }
      }
    }
    at = end;
  }
  return { globals, segments };
}

for (const file of ['pkg/raptor_secondary_bg.wasm', 'pkg/raptor_secondary_lite_bg.wasm']) {
  test(`${file}: the stack comes first and the lowest KiB holds no data (--low-memory-unused)`, () => {
    const { globals, segments } = layout(readFileSync(new URL(file, root)));
    // The stack pointer is the first global; it starts at the top of the stack (1 MiB).
    assert.ok(globals[0] >= 1 << 20, `the stack starts at ${globals[0]}`);
    assert.ok(segments.length > 0);
    for (const { offset } of segments) {
      assert.ok(offset >= globals[0], `a data segment at ${offset}, below the stack's top`);
    }
  });
}
