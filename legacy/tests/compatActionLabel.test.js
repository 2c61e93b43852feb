'use strict';
// The legacy project's two tests: IE11-style events that carry the element only in
// `srcElement`. On the legacy helper both fail (0 passed, 2 failed). Set ACTION_LABEL_IMPL to
// a module exporting `getActionLabel` to run the very same cases against another
// implementation (run_tests.sh runs them against the Wasm build, where both pass).
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const implementation = process.env.ACTION_LABEL_IMPL
  ? path.resolve(process.env.ACTION_LABEL_IMPL)
  : path.join(__dirname, '..', 'src', 'compatActionLabel.js');
const { getActionLabel } = require(implementation);

test('IE11-style events expose attributes only via srcElement', () => {
  const element = {
    getAttribute: (name) => (name === 'data-action' ? 'legacy-submit' : null),
    dataset: { action: 'legacy-dataset' },
  };
  assert.equal(getActionLabel({ srcElement: element }), 'legacy-submit');
});

test('dataset fallback should read from srcElement', () => {
  const element = { dataset: { action: 'legacy-dataset-only' } };
  assert.equal(getActionLabel({ srcElement: element }), 'legacy-dataset-only');
});
