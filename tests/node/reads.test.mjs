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

test('options are read by own properties only, and a throwing read is parked', () => {
  Object.prototype.attribute = 'data-polluted';
  try {
    assert.equal(reads.own({}, 'attribute'), undefined);
    assert.equal(reads.own({ attribute: 'data-x' }, 'attribute'), 'data-x');
  } finally {
    delete Object.prototype.attribute;
  }
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.equal(reads.own(proxy, 'attribute'), undefined);
  assert.equal(reads.failed(), true);
  assert.ok(reads.takeFailure() instanceof TypeError);
  assert.equal(reads.failed(), false);
});

test('the first composed-path entry survives every hostile composedPath', () => {
  const { proxy, revoke } = Proxy.revocable([], {});
  revoke();
  const hostile = [
    { composedPath: () => proxy },
    { composedPath: () => Object.defineProperty([], 0, { get() { throw new Error('index'); } }) },
    { composedPath() { throw new Error('call'); } },
  ];
  for (const event of hostile) {
    assert.equal(reads.firstPathEntry(event), undefined);
    assert.equal(reads.failed(), true);
    reads.takeFailure();
  }
  assert.equal(reads.firstPathEntry({ composedPath: () => ['first', 'second'] }), 'first');
  assert.equal(reads.firstPathEntry({ composedPath: () => 'not an array' }), undefined);
  assert.equal(reads.failed(), false);
});
