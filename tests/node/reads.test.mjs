// The never-throwing reads of src/web/reads.js that the drop-in and the resolver import: the
// dataset key rule (the legacy helper's own) and the own-property read of options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import * as reads from '../../src/web/reads.js';

test('the dataset key camel-cases after the data- prefix, as the legacy helper does', () => {
  assert.equal(reads.datasetKey('data-action'), 'action');
  assert.equal(reads.datasetKey('data-user-id'), 'userId');
  assert.equal(reads.datasetKey('data-a-b-c'), 'aBC');
});

test('names without the prefix, and values that are not strings, have no dataset key', () => {
  for (const name of ['action', 'aria-label', 'DATA-action', 'data', 42, null, undefined, { toString: () => 'data-x' }]) {
    assert.equal(reads.datasetKey(name), undefined, String(name));
  }
});

test('only a dash before a lowercase ASCII letter is folded; every other unit is kept', () => {
  assert.equal(reads.datasetKey('data-'), '');
  assert.equal(reads.datasetKey('data-x-'), 'x-');
  assert.equal(reads.datasetKey('data-x-1'), 'x-1');
  assert.equal(reads.datasetKey('data-x-Y'), 'x-Y');
  assert.equal(reads.datasetKey('data-x--y'), 'x-Y');
  assert.equal(reads.datasetKey('data-é-ü'), 'é-ü');
  assert.equal(reads.datasetKey('data-x\uD800-q'), 'x\uD800Q', 'a lone surrogate passes through');
});

test('a 1 MB name converts without recursion or a copy through Wasm', () => {
  const name = `data-${'-a'.repeat(1 << 19)}`;
  assert.equal(reads.datasetKey(name), 'A'.repeat(1 << 19));
});

// The reads work on the arguments the wrappers hold for a call; `held` holds them as
// actionLabel and resolveCall do.
const held = (event, argument, read) => {
  reads.enter(event, argument);
  try {
    return read();
  } finally {
    reads.leave();
  }
};

test('the default attribute is the Rust core\'s', () => {
  const source = readFileSync(new URL('../../crates/core/src/action/options.rs', import.meta.url), 'utf8');
  assert.equal(reads.DEFAULT_ATTRIBUTE, /pub const DEFAULT_ATTRIBUTE: &str = "([^"]*)";/.exec(source)?.[1]);
});

test('options are read by own properties only, and a throwing read is reported', () => {
  // The kinds, 3 bits each: attribute, maxDepth, root (0 undefined, 1 null, 2 string, 3 number, 4 object).
  Object.prototype.attribute = 'data-polluted';
  try {
    assert.equal(held(undefined, {}, () => reads.readOptions()), 0);
    assert.equal(held(undefined, { attribute: 'data-x', maxDepth: 2, root: null }, () => {
      const kinds = reads.readOptions();
      assert.equal(reads.attributeUnits(), 6);
      assert.equal(reads.maxDepthOption(), 2);
      return kinds;
    }), 2 | 3 << 3 | 1 << 6);
  } finally {
    delete Object.prototype.attribute;
  }
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.equal(held(undefined, proxy, () => reads.readOptions()), -1);
  assert.equal(held(undefined, { get root() { throw new Error('root'); } }, () => reads.readOptions()), -1);
  assert.equal(held(undefined, {}, () => reads.readOptions()), 0, 'and forgotten by the next call');
});

test('every hostile composedPath, getter and Proxy is parked, never thrown', () => {
  const { proxy, revoke } = Proxy.revocable([], {});
  revoke();
  const hostile = [
    { target: {}, composedPath: () => proxy },
    { target: {}, composedPath: () => Object.defineProperty([], 0, { get() { throw new Error('index'); } }) },
    { target: {}, composedPath() { throw new Error('call'); } },
    Object.defineProperty({}, 'target', { get() { throw new Error('target'); } }),
    { get currentTarget() { throw new Error('currentTarget'); } },
  ];
  for (const event of hostile) {
    assert.equal(held(event, undefined, () => reads.begin(false)), -1);
    assert.ok(reads.takeFailure() instanceof Error);
  }
  assert.equal(held(proxy, undefined, () => reads.begin(false)), -1, 'a revoked Proxy as the event');
  assert.ok(reads.takeFailure() instanceof TypeError);
  assert.throws(() => reads.actionLabel(() => reads.element() !== -1, proxy, undefined), TypeError, 'and as getActionLabel\'s');
});

test('begin starts at a composed-path entry only when it differs from target, else at the first field with an element', () => {
  const element = { nodeType: 1, getAttribute: () => 'book', matches: () => false };
  const inner = { nodeType: 1, getAttribute: () => 'inner', matches: () => false };
  const begin = (event) => held(event, undefined, () => reads.begin(false));
  // Rust's Source index (0 target, 1 srcElement, 2 currentTarget, 3 composedPath); the look's
  // bits follow, times 8 (1 element | 16 value).
  // The answer packed: source index + 1, then the reason (0: none) from bit 3, the element
  // (1: the cursor's) from bit 7, the depth from bit 9.
  const found = (source) => held({ target: element, composedPath: () => [inner] }, undefined, () => {
    reads.begin(false);
    return reads.resolution(source + 1 | 1 << 7 | 3 << 9);
  });
  assert.deepEqual(found(3), { label: 'inner', source: 'composedPath', reason: null, element: inner, depth: 3 });
  assert.equal(begin({ target: element, composedPath: () => [element] }), 0 + 8 * 17);
  assert.equal(begin({ target: element, composedPath: () => [inner] }), 3 + 8 * 17);
  assert.equal(begin({ srcElement: element }), 1 + 8 * 17);
  assert.equal(begin({ currentTarget: element }), 2 + 8 * (17 | 32), 'and it is the boundary (32)');
  assert.equal(begin({ target: null, srcElement: 0 }), 4, 'no element');
  assert.equal(begin(null), 5, 'no event');
});

test('a call ends with its registers cleared: no page node is held after it', () => {
  const element = { nodeType: 1, getAttribute: () => 'book', matches: () => false };
  // What is left after a call: the label, the node under the cursor (element 1), the kept one
  // (element 2) and the event (element() says NO_EVENT, 2, without one).
  const left = () => [reads.takeLabel(), reads.resolution(1 << 7).element, reads.resolution(2 << 7).element, reads.element()];
  const nothing = ['', null, null, 2];
  // resolveAction's export, here the reads of a click on an element with the attribute.
  const result = reads.resolveCall((kind) => {
    assert.equal(kind, 4, 'an options object');
    reads.readOptions();
    reads.begin(true);
    reads.keep();
    return 1 | 2 << 7;
  }, { target: element }, { root: element });
  assert.deepEqual(result, { label: 'book', source: 'target', reason: null, element, depth: 0 });
  assert.deepEqual(left(), nothing);
  // getActionLabel's export, here the one read it makes first (3: the label is found).
  assert.equal(reads.actionLabel(() => reads.element() === 3, { target: element }, 'data-action'), 'book');
  assert.deepEqual(left(), nothing);
  assert.throws(() => reads.actionLabel(() => reads.element() === 3, { target: { getAttribute() { throw new RangeError('x'); } } }), RangeError);
  assert.deepEqual(left(), nothing, 'nor after a failed call');
  assert.throws(() => reads.resolveCall(() => { throw new Error('a trap'); }, { target: element }), /a trap/);
  assert.deepEqual(left(), nothing, 'nor after a trap in Wasm');
});

test('a call that a read re-entered gets its own registers, and the outer call gets its back', () => {
  const inner = { nodeType: 1, getAttribute: () => 'inner' };
  const outerElement = {
    nodeType: 1,
    getAttribute() {
      // Re-entered from the outer call's read: a whole call of its own.
      assert.equal(reads.actionLabel(() => reads.element() === 3, { target: inner }, 'data-x'), 'inner');
      return 'outer';
    },
  };
  const result = reads.resolveCall(() => {
    assert.equal(reads.begin(false), 0 + 8 * 17, 'the outer look, after the inner call');
    return 1 | 1 << 7;
  }, { target: outerElement });
  assert.deepEqual(result, { label: 'outer', source: 'target', reason: null, element: outerElement, depth: 0 });
});
