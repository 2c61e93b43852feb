// The never-throwing reads of src/web/reads.js that the drop-in and the resolver import: the
// dataset key rule (the legacy helper's own) and the own-property read of options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
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

test('options are read by own properties only, and a throwing read is reported once', () => {
  Object.prototype.attribute = 'data-polluted';
  try {
    assert.equal(reads.own({}, 'attribute'), undefined);
    assert.equal(reads.own({ attribute: 'data-x' }, 'attribute'), 'data-x');
  } finally {
    delete Object.prototype.attribute;
  }
  assert.equal(reads.ownFailed(), false);
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.equal(reads.own(proxy, 'attribute'), undefined);
  assert.equal(reads.ownFailed(), true);
  assert.equal(reads.ownFailed(), false);
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
    assert.equal(reads.begin(event, undefined, false, undefined), -1);
    assert.ok(reads.takeFailure() instanceof Error);
  }
  assert.equal(reads.pick(proxy), -1, 'a revoked Proxy as the event');
  assert.ok(reads.takeFailure() instanceof TypeError);
  assert.throws(() => reads.actionLabel(() => reads.element() !== -1, proxy, undefined), TypeError, 'and as getActionLabel\'s');
});

test('begin starts at a composed-path entry only when it differs from target', () => {
  reads.setDefault('data-action');
  const element = { nodeType: 1, getAttribute: () => 'book', matches: () => false };
  const inner = { nodeType: 1, getAttribute: () => 'inner', matches: () => false };
  // 0 = target, 3 = composedPath; the look's bits follow, times 8 (1 element | 16 value).
  assert.equal(reads.begin({ target: element, composedPath: () => [element] }, undefined, false, undefined), 0 + 8 * 17);
  assert.equal(reads.resolution(1, 0, 1, 0).label, 'book');
  assert.equal(reads.begin({ target: element, composedPath: () => [inner] }, undefined, false, undefined), 3 + 8 * 17);
  assert.equal(reads.resolution(4, 0, 1, 0).label, 'inner');
  assert.equal(reads.begin({ srcElement: element }, undefined, false, undefined), 4, 'srcElement is picked by Rust');
  assert.equal(reads.begin(null, undefined, false, undefined), 2);
});

test('a call ends with its registers cleared: no page node is held after it', () => {
  const element = { nodeType: 1, getAttribute: () => 'book', matches: () => false };
  reads.begin({ target: element }, element, true, undefined);
  reads.keep();
  const result = reads.resolution(1, 0, 2, 0);
  assert.equal(result.element, element);
  assert.deepEqual(reads.save(), [undefined, undefined, undefined, undefined]);
  // getActionLabel's export, here the one read it makes first (3: the label is found).
  assert.equal(reads.actionLabel(() => reads.element() === 3, { target: element }, 'data-action'), 'book');
  assert.deepEqual(reads.save(), [undefined, undefined, undefined, undefined]);
  assert.deepEqual(reads.enter(undefined, undefined), [undefined, undefined], 'nor its event and attribute');
  assert.throws(() => reads.actionLabel(() => reads.element() === 3, { target: { getAttribute() { throw new RangeError('x'); } } }), RangeError);
  assert.deepEqual(reads.save(), [undefined, undefined, undefined, undefined]);
  assert.deepEqual(reads.enter(undefined, undefined), [undefined, undefined], 'nor after a failed call');
});
