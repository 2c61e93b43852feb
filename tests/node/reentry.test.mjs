// getActionLabel and resolveAction read the page through a cursor held in reads.js, one call
// across the boundary per step. Page code runs inside those reads (getters, getAttribute,
// matches, Proxies) and may call the drop-in again: the outer call must still answer for its
// own event, and nothing of either call may stay behind. Needs pkg/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

const root = new URL('../../', import.meta.url);
const glue = await import(new URL('pkg/raptor_secondary.js', root));
glue.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });
vm.runInThisContext(readFileSync(new URL('js/loader.js', root), 'utf8'));
const { getActionLabel, resolveAction } = globalThis.RaptorSecondary.fromGlue(glue);

const element = (label, extra = {}) => ({ nodeType: 1, getAttribute: (n) => (n === 'data-action' ? label : null), matches: () => false, ...extra });

test('a getAttribute that calls getActionLabel does not change the outer answer', () => {
  const inner = { srcElement: element('inner') };
  let seen;
  const outer = { target: element('outer', { getAttribute(n) { seen = getActionLabel(inner); return n === 'data-action' ? 'outer' : null; } }) };
  assert.equal(getActionLabel(outer), 'outer');
  assert.equal(seen, 'inner');
});

test('a getter that calls getActionLabel before the outer call has its element', () => {
  const inner = { target: element('inner') };
  let seen;
  const outer = { get target() { return undefined; }, get srcElement() { seen = getActionLabel(inner); return element('outer'); } };
  assert.equal(getActionLabel(outer), 'outer');
  assert.equal(seen, 'inner');
});

test('a matches() that calls resolveAction keeps the outer walk, its element and its boundary', () => {
  const inner = { target: element('inner') };
  let seen;
  const button = element('book');
  const icon = element(null, { parentNode: button, matches() { seen = resolveAction(inner); return false; } });
  const result = resolveAction({ target: icon, currentTarget: button });
  assert.equal(result.label, 'book');
  assert.equal(result.element, button);
  assert.equal(result.depth, 1);
  assert.equal(seen.label, 'inner');
  assert.equal(seen.element, inner.target);
});

test('a read that throws inside a re-entered call fails only that call', () => {
  const hostile = { get target() { throw new Error('inner getter'); } };
  let thrown;
  const outer = { target: element('outer', { getAttribute(n) {
    try { getActionLabel(hostile); } catch (e) { thrown = e; }
    return n === 'data-action' ? 'outer' : null;
  } }) };
  assert.equal(getActionLabel(outer), 'outer');
  assert.equal(thrown.message, 'inner getter');
  assert.equal(getActionLabel({ target: element('after') }), 'after');
});

test('an options getter that calls the drop-in keeps the options read before it', () => {
  const button = element('book');
  const icon = element(null, { parentNode: button });
  let seen;
  const options = { maxDepth: 0, get root() { seen = getActionLabel({ target: element('inner') }); return null; } };
  const result = resolveAction({ target: icon }, options);
  assert.equal(seen, 'inner');
  assert.equal(result.reason, 'depth_limit', 'maxDepth 0 still holds: the icon alone is looked at');
  assert.equal(result.depth, 0);
});

test('an options read that threw fails the call, even when a later getter calls resolveAction', () => {
  let inner;
  const options = {
    get attribute() { throw new Error('attribute getter'); },
    get maxDepth() { inner = resolveAction({ target: element('inner') }, { maxDepth: 1 }); return 1; },
  };
  assert.throws(() => resolveAction({ target: element('outer') }, options), (e) => e.code === 'invalid_options');
  assert.equal(inner.label, 'inner');
});
