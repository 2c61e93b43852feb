// scripts/wasm_names.mjs, which gives the glue's imports and the module's exports short names in
// the built .wasm and its glue (issue 21): the rewritten module is valid, names what it names
// through the renames and nothing else, and keeps what the loader reads by name. Needs pkg/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renameInGlue, shortenNames } from '../../scripts/wasm_names.mjs';

const root = new URL('../../', import.meta.url);

test('a rewritten module is valid and names its imports and exports through the renames', () => {
  // wasm-pack's own output for the drop-in (target/pkg-lite, as the build leaves it), with the
  // long names; and the built modules, whose short names a second rewrite keeps.
  for (const [path, glueModule, long] of [
    ['target/pkg-lite/raptor_secondary_lite_bg.wasm', './raptor_secondary_lite_bg.js', true],
    ['pkg/raptor_secondary_lite_bg.wasm', './raptor_secondary_lite_bg.js', false],
    ['pkg/raptor_secondary_bg.wasm', './raptor_secondary_bg.js', false],
  ]) {
    const wasm = readFileSync(new URL(path, root));
    const before = new WebAssembly.Module(wasm);
    const { bytes, imports, exports } = shortenNames(wasm, glueModule);
    assert.ok(WebAssembly.validate(bytes), `${path} is valid after the rewrite`);
    const after = new WebAssembly.Module(bytes);
    const renamed = (renames) => (name) => new Map(renames).get(name) ?? name;
    assert.deepEqual(WebAssembly.Module.imports(after),
      WebAssembly.Module.imports(before).map((i) => ({ ...i, name: i.module === glueModule ? renamed(imports)(i.name) : i.name })));
    assert.deepEqual(WebAssembly.Module.exports(after),
      WebAssembly.Module.exports(before).map((e) => ({ ...e, name: renamed(exports)(e.name) })));
    assert.equal(imports.length > 0 && exports.length > 0, long, `${path}: renamed only where names were long`);
    const names = [...WebAssembly.Module.imports(after).filter((i) => i.module === glueModule), ...WebAssembly.Module.exports(after)]
      .map((x) => x.name).filter((n) => n !== 'memory' && n !== '__wbindgen_externrefs');
    assert.ok(names.every((name) => name.length <= 2), `${path}: every other name is short`);
    assert.ok(WebAssembly.Module.exports(after).some((e) => e.name === 'memory'), 'what the loader reads keeps its name');
  }
});

test('the glue is renamed where it defines an import and where it reads an export, nowhere else', () => {
  const glue = 'const import0 = { __proto__: null, __wbg_id_01: function() {}, __wbg_x_02: function() {} };\n'
    + 'function id() { return wasm.__core_id(wasm.__core_idle); }\nconst __core_id = 1;';
  const out = renameInGlue(glue, [['__wbg_id_01', 'a'], ['__wbg_x_02', 'b']], [['__core_id', 'c'], ['__core_idle', 'd']]);
  assert.equal(out, 'const import0 = { __proto__: null, a: function() {}, b: function() {} };\n'
    + 'function id() { return wasm.c(wasm.d); }\nconst __core_id = 1;');
  assert.throws(() => renameInGlue(glue, [['__wbg_missing_03', 'a']], []), /defines no import __wbg_missing_03/);
});
