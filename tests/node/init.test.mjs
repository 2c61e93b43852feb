// How the ES modules' init() loads the .wasm (needs pkg/: npm run build): it compiles first and
// instantiates the compiled Module, for every argument it takes (bytes, a Response, a Response
// served with another content type), and never instantiates bytes or a Response in one step.
// WebKit 2.38 (Safari 16) sometimes never settles that one step in a worker once a page has run
// the module (scripts/webkit_worker_init.mjs measures it; docs/testing.md, Browsers).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, test } from 'node:test';

const root = new URL('../../', import.meta.url);
const GLUES = [
  ['raptor_secondary_core.js', 'raptor_secondary_bg.wasm'],
  ['raptor_secondary_lite.js', 'raptor_secondary_lite_bg.wasm'],
];
// Node defines Response on first use (undici, which compiles Wasm of its own): taken before
// the spies go in.
const { Response } = globalThis;
const SPIED = ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming'];
let calls;
let saved;
beforeEach(() => {
  calls = [];
  saved = Object.fromEntries(SPIED.map((name) => [name, WebAssembly[name]]));
  for (const name of SPIED) {
    WebAssembly[name] = function (first, ...rest) {
      const kind = first instanceof WebAssembly.Module ? 'Module' : first instanceof Response ? 'Response'
        : first instanceof Promise ? 'Promise' : 'bytes';
      calls.push(`${name}(${kind})`);
      return saved[name].call(this, first, ...rest);
    };
  }
});
afterEach(() => Object.assign(WebAssembly, saved));

let fresh = 0;
/** A module instance of `glue` of its own, so each test's init() loads anew. */
const load = (glue) => import(new URL(`pkg/${glue}?init-test-${fresh++}`, root));

for (const [glue, wasm] of GLUES) {
  const bytes = readFileSync(new URL(`pkg/${wasm}`, root));
  const inputs = {
    'bytes': () => bytes,
    'a Response served as application/wasm': () => new Response(bytes, { headers: { 'content-type': 'application/wasm' } }),
    'a Response served as application/octet-stream': () => new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }),
    'a compiled Module': () => new WebAssembly.Module(bytes),
  };
  for (const [name, input] of Object.entries(inputs)) {
    test(`${glue}: init() with ${name} compiles, then instantiates the Module`, async () => {
      const module = await load(glue);
      const exports = await module.default({ module_or_path: input() });
      assert.ok(exports.memory instanceof WebAssembly.Memory, 'the module is ready');
      assert.equal(calls.at(-1), 'instantiate(Module)', calls.join(', '));
      assert.deepEqual(calls.filter((c) => c !== 'instantiate(Module)' && !c.startsWith('compile')), [],
        `nothing instantiated in one step: ${calls.join(', ')}`);
      assert.equal(module.__actionLabel(module.__getActionLabelFast,
        { srcElement: { getAttribute: () => 'book-appointment' } }), 'book-appointment');
    });
  }

  test(`${glue}: a Response that is not ok is refused, naming its status`, async () => {
    const module = await load(glue);
    await assert.rejects(module.default({ module_or_path: new Response('gone', { status: 404, statusText: 'Not Found' }) }),
      /failed to fetch Wasm: 404 Not Found/);
  });
}
