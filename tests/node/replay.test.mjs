// `client.replay` through the real Wasm client in Node, against the real mock provider over
// loopback: lost answers are listed and sent again under their keys with the same bodies;
// nothing else is sent; bad options are refused with `invalid_options` naming what is wrong,
// and hostile requests (a revoked Proxy, throwing getters, 1 MB strings) never send or throw.
// Needs pkg/ (npm run build); builds the provider.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { buildProvider, startProvider } from '../../scripts/demo.mjs';

const root = new URL('../../', import.meta.url);
const glue = await import(new URL('pkg/raptor_secondary.js', root));
glue.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });

let provider;
before(async () => {
  buildProvider({ quiet: true });
  provider = await startProvider({ port: 0, quiet: true });
});
after(() => provider?.child.kill());

const stats = () => fetch(`${new URL(provider.url).origin}/__admin/stats`).then((r) => r.json());
const slot = new Date(Date.now() + 9 * 86400000).toISOString();
let run = 0;

/** A page with a storage object and a fetch that loses the answers of the creates `lose` picks. */
function page(items, lose = () => false) {
  const sent = [];
  const storage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v), removeItem: (k) => items.delete(k) };
  const pageFetch = async (url, init) => {
    sent.push({ method: init.method, path: new URL(url).pathname, key: init.headers['Idempotency-Key'], body: init.body });
    const answer = await fetch(url, init);
    if (init.method === 'POST' && /\/appointments$/.test(url) && lose(init.body)) throw new TypeError('the answer was lost');
    return answer;
  };
  return { client: new glue.AppointmentClient({ baseUrl: provider.url, fetch: pageFetch, storage, attempts: 1, breakerThreshold: 100 }), sent };
}

test('lost answers are listed, then sent again under their keys with the same bodies, once', async () => {
  const items = new Map();
  const prefix = `replay-node-${++run}-`;
  const requests = Array.from({ length: 10 }, (_, i) => ({
    calendarId: `${prefix}${i}`, slotStart: slot, durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
  }));
  const first = page(items, (body) => /-(\d+)"/.exec(body)[1] % 3 === 0);
  const results = await Promise.all(requests.map((r) => first.client.book(r)));
  assert.equal(results.filter((r) => r.state === 'failed').length, 4);
  const lostKeys = results.filter((r) => r.state === 'failed').map((r) => r.idempotencyKey).sort();

  const next = page(items); // a reload
  const dry = await next.client.replay({ requests });
  assert.deepEqual(dry.unknown.map((u) => u.idempotencyKey).sort(), lostKeys);
  assert.ok(dry.unknown.every((u) => u.code === 'retry_exhausted' && !u.expired && u.endedAt > 0), JSON.stringify(dry.unknown));
  assert.equal(JSON.stringify(dry).includes('Jane'), false, 'no personal data in the listing');
  assert.deepEqual(dry.requests.map((r) => r.status), results.map((r) => (r.state === 'failed' ? 'would_send' : 'answered')));
  assert.equal(next.sent.length, 0, 'a dry run sends nothing');

  const done = await next.client.replay({ dryRun: false, requests });
  assert.deepEqual(done.requests.map((r) => r.status), dry.requests.map((r) => (r.status === 'would_send' ? 'sent' : 'answered')));
  assert.ok(done.requests.every((r) => r.result.state === 'completed'));
  const creates = next.sent.filter((s) => s.path.endsWith('/appointments'));
  assert.deepEqual(creates.map((s) => s.key).sort(), lostKeys, 'the lost ones only, under their keys');
  for (const c of creates) {
    const original = first.sent.find((s) => s.key === c.key && s.path.endsWith('/appointments'));
    assert.equal(c.body, original.body, 'the same bytes');
  }
  assert.deepEqual(done.outbox, { published: 0, pending: 0 });
  const again = await next.client.replay({ dryRun: false, requests });
  assert.ok(again.requests.every((r) => r.status === 'answered'));
  assert.equal(next.sent.filter((s) => s.path.endsWith('/appointments')).length, 4, 'nothing sent the second time');
  const made = (await stats()).appointments.filter((a) => a.calendarId.startsWith(prefix));
  assert.equal(made.length, 10);
  assert.equal((await next.client.replay()).unknown.length, 0);
});

test('bad options are refused with invalid_options naming what is wrong', async () => {
  const { client } = page(new Map());
  const refusals = [
    [{ dryrun: false }, /no option 'dryrun'/],
    [{ since: '2026-12-01' }, /since must be a time .*got a string/],
    [{ since: Number.NaN }, /since must be a time .*got a number/],
    [{ dryRun: 'no' }, /dryRun must be true or false; got a string/],
    [{ requests: {} }, /requests must be an array .*got an object/],
    [[], /got an array/],
    [42, /got a number/],
  ];
  for (const [options, message] of refusals) {
    assert.throws(() => client.replay(options), (e) => e.code === 'invalid_options' && message.test(e.message), JSON.stringify(options));
  }
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.throws(() => client.replay(proxy), (e) => e.code === 'invalid_options');
  const throwing = { get requests() { throw new Error('boom'); } };
  assert.throws(() => client.replay(throwing), (e) => e.code === 'invalid_options');
  // The client still works.
  assert.equal((await client.replay()).unknown.length, 0);
});

test('hostile requests are answered invalid or not_found, nothing sent, nothing thrown', async () => {
  const { client, sent } = page(new Map());
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const big = 'x'.repeat(1 << 20);
  const hostile = [
    proxy, null, 7, 'text', [], { get calendarId() { throw new Error('boom'); } },
    { calendarId: big, slotStart: slot, durationMinutes: 30, patientName: big, patientEmail: 'a@b.c' },
    { calendarId: 'c\uD800', slotStart: slot, durationMinutes: 30, patientName: 'x', patientEmail: 'a@b.c' },
    { calendarId: 'never-booked', slotStart: slot, durationMinutes: 30, patientName: 'x', patientEmail: 'a@b.c' },
  ];
  const dry = await client.replay({ requests: hostile });
  assert.deepEqual(dry.requests.map((r) => r.status), [...Array(8).fill('invalid'), 'not_found']);
  const done = await client.replay({ dryRun: false, requests: hostile });
  assert.deepEqual(done.requests.map((r) => r.status), [...Array(8).fill('invalid'), 'not_found']);
  assert.equal(done.requests[8].result.error.code, 'nothing_to_replay');
  assert.equal(sent.length, 0);
});
