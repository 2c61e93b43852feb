// The inputs that bricked the module (issue "never bricked, never redirected", part 1), each
// repeated past the count that used to kill it, with the Wasm memory and externref table
// checked flat and a normal call checked after every one. The public API as the loader
// exposes it (RaptorSecondary.fromGlue), on the built package in Node; needs pkg/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';
import { reference } from '../support/hostile.js';

const root = new URL('../../', import.meta.url);
const glue = await import(new URL('pkg/raptor_secondary.js', root));
const wasm = glue.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });
vm.runInThisContext(readFileSync(new URL('js/loader.js', root), 'utf8'));
const { getActionLabel, resolveAction, AppointmentClient } = globalThis.RaptorSecondary.fromGlue(glue);

const revoked = (target = {}) => {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
};
const throwingProxy = () => new Proxy({}, Object.fromEntries(['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf']
  .map((trap) => [trap, () => { throw new Error(`trap ${trap}`); }])));
const good = { srcElement: { getAttribute: (name) => (name === 'data-action' ? 'ok' : null) } };
const footprint = () => [wasm.memory.buffer.byteLength, wasm.__wbindgen_externrefs.length];

/** Runs `call` `times` times after a warm-up; a normal call must work after each; nothing grows. */
function survives(times, call) {
  for (let i = 0; i < 10; i++) call();
  const before = footprint();
  for (let i = 0; i < times; i++) {
    call();
    assert.equal(getActionLabel(good), 'ok', `getActionLabel after ${i + 1} hostile calls`);
    assert.equal(resolveAction(good).label, 'ok', `resolveAction after ${i + 1} hostile calls`);
  }
  assert.deepEqual(footprint(), before, 'Wasm memory and the externref table stayed flat');
}

test('a composedPath returning a revoked Proxy, or an array whose index throws, is read_failed', () => {
  const events = [
    { composedPath: () => revoked([]) },
    { composedPath: () => Object.defineProperty([], 0, { get() { throw new Error('index'); } }) },
    { target: { nodeType: 1, getAttribute: () => 'x' }, composedPath: () => revoked([]) },
  ];
  survives(4000, () => {
    for (const event of events) {
      const resolved = resolveAction(event);
      assert.equal(resolved.reason, 'read_failed');
      assert.equal(resolved.label, '');
    }
  });
});

test('a 1 MB data- attribute name: the legacy answer, no recursion, no memory growth', () => {
  const name = `data-${'x'.repeat(1 << 20)}`;
  const key = 'x'.repeat(1 << 20);
  const elements = [
    { dataset: {} },
    { dataset: { [key]: 'found' } },
    { dataset: new Proxy({}, { get: (_, k) => (typeof k === 'string' ? `len ${k.length}` : undefined) }) },
  ];
  survives(700, () => {
    for (const element of elements) {
      const event = { srcElement: element };
      assert.equal(getActionLabel(event, name), reference(event, name));
    }
  });
  assert.throws(() => resolveAction(good, { attribute: name }), (e) => e.code === 'invalid_options');
});

test('a revoked Proxy as a booking request or one of its fields resolves to a failed result', async () => {
  const calls = [];
  const client = new AppointmentClient({ fetch: async (...args) => { calls.push(args); return new Response(null, { status: 500 }); } });
  const requests = [revoked(), { calendarId: revoked() }, throwingProxy(), Object.defineProperty({}, 'patientEmail', { get() { throw new Error('getter'); }, enumerable: true })];
  for (let i = 0; i < 700; i++) {
    for (const request of requests) {
      const promise = client.book(request);
      assert.ok(promise instanceof Promise, 'book returned a promise instead of throwing');
      const result = await promise;
      assert.equal(result.state, 'failed');
      assert.equal(result.error.code, 'invalid_request');
    }
    assert.equal((await client.cancel(revoked())).error.code, 'invalid_request');
  }
  assert.equal(calls.length, 0, 'nothing was sent');
  client.free();
});

test('a throwing storage object or config is invalid_options, every time', () => {
  const configs = [{ storage: throwingProxy() }, { storage: revoked() }, revoked(), throwingProxy(),
    Object.defineProperty({}, 'attempts', { get() { throw new Error('getter'); }, enumerable: true })];
  survives(1200, () => {
    for (const config of configs) {
      assert.throws(() => new AppointmentClient(config), (e) => e.code === 'invalid_options');
    }
  });
});

test('an exception from one input never surfaces in the next call', () => {
  const boom = new Error('stale?');
  const throwing = Object.defineProperty({}, 'target', { get() { throw boom; } });
  for (let i = 0; i < 1000; i++) {
    // A throwing read, then a revoked composedPath in the same call: the old build threw
    // through Wasm with the first exception still parked.
    let threw = null;
    try {
      resolveAction(Object.defineProperty({ composedPath: () => revoked([]) }, 'target', { get() { throw boom; } }));
    } catch (e) {
      threw = e;
    }
    // The next call is a plain getActionLabel, or (every other round) a resolveAction with
    // options, which the old build answered with invalid_options for the parked exception.
    let next;
    try {
      next = i % 2 ? getActionLabel(good) : resolveAction(good, { maxDepth: 3 }).label;
    } catch (e) {
      next = `a throw of ${e === boom ? 'the earlier input\'s exception' : e}`;
    }
    assert.equal(next, 'ok', 'the next, normal call');
    assert.equal(threw, null, 'resolveAction does not throw for a bad event');
    assert.throws(() => getActionLabel(throwing), (e) => e === boom, 'the input\'s own exception');
    assert.equal(getActionLabel(good), 'ok');
  }
});

test('a throwing getter on an element is read_failed, not invalid_options', () => {
  const element = Object.defineProperty({ nodeType: 1 }, 'getAttribute', { get() { throw new Error('getter'); } });
  for (const options of [undefined, {}, { attribute: 'data-action' }]) {
    const resolved = resolveAction({ target: element }, options);
    assert.equal(resolved.reason, 'read_failed');
  }
});
