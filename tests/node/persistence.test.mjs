// Persistence through the real Wasm client: with `storage`, a second client (a reloaded page)
// picks up the first one's idempotency records and reuses the key of a booking that was in
// flight; bad storage never breaks booking. Needs pkg/ (npm run build).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { scenarioFetch } from '../support/scenarios.js';

const root = new URL('../../', import.meta.url);
const glue = await import(new URL('pkg/raptor_secondary.js', root));
glue.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });

const memoryStorage = () => {
  const items = new Map();
  return { items, getItem: (k) => (items.has(k) ? items.get(k) : null), setItem: (k, v) => items.set(k, String(v)) };
};
const request = {
  calendarId: 'cal_1', slotStart: new Date(Date.now() + 7 * 86400000).toISOString(), durationMinutes: 30,
  patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
};

test('a reloaded page reuses the key of the booking that was in flight', async () => {
  const storage = memoryStorage();
  const calls = [];
  const fetch = scenarioFetch({ create: ['delay=100 201'] }, calls, 'apt');
  const first = new glue.AppointmentClient({ fetch, storage });
  first.book(request); // the page goes away while this is in flight
  await new Promise((r) => setTimeout(r, 10));
  // One item per payload's record (and per booking's event), under the storage key.
  const records = [...storage.items].filter(([name]) => name.startsWith('raptor-secondary:v1:/api/v2:p:'));
  assert.equal(records.length, 1);
  const saved = JSON.parse(records[0][1]);
  assert.equal(saved.result, null, 'saved while in flight');
  assert.equal(records[0][0], `raptor-secondary:v1:/api/v2:p:${saved.fingerprint}`);
  assert.ok(![...storage.items.values()].some((v) => v.includes('Jane')), 'no personal data in storage');

  const second = new glue.AppointmentClient({ fetch, storage });
  assert.deepEqual(second.restored(), { enabled: true, records: 1, outbox: 0, pending: 0 });
  const result = await second.book(request);
  assert.equal(result.state, 'completed');
  const keys = calls.filter((c) => c.endpoint === 'create').map((c) => c.idempotencyKey);
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1], 'one key for the booking across the reload');
  assert.equal(result.idempotencyKey, keys[0]);
});

test('the storage key defaults to the base URL and can be set', async () => {
  const storage = memoryStorage();
  const fetch = scenarioFetch({}, [], 'apt');
  await new glue.AppointmentClient({ fetch, storage }).book(request);
  await new glue.AppointmentClient({ fetch, storage, storageKey: 'clinic-a' }).book(request);
  const prefixes = new Set([...storage.items.keys()].map((k) => k.replace(/:(p:[0-9a-f]{16}|o:[^:]+|s:|b:|names)$/, '')));
  assert.deepEqual([...prefixes], ['raptor-secondary:v1:/api/v2', 'clinic-a']);
});

test('a snapshot saved by earlier builds (one item under the storage key) is migrated, not dropped', async () => {
  const storage = memoryStorage();
  const calls = [];
  const fetch = scenarioFetch({}, calls, 'apt');
  const first = new glue.AppointmentClient({ fetch, storage });
  const done = await first.book(request);
  // What the v1 builds saved: every record and entry in one JSON blob under the storage key.
  const items = [...storage.items].filter(([k]) => /:(p|o):/.test(k));
  const blob = {
    version: 1,
    records: items.filter(([k]) => k.includes(':p:')).map(([, v]) => JSON.parse(v)),
    outbox: items.filter(([k]) => k.includes(':o:')).map(([, v]) => JSON.parse(v)),
  };
  const old = memoryStorage();
  old.items.set('raptor-secondary:v1:/api/v2', JSON.stringify(blob));
  // The origin's secret, which keyed the fingerprints above (an earlier build's blob holds
  // plain ones, found without it: crates/core/tests/reload.rs).
  old.items.set('raptor-secondary:v1:/api/v2:s:', storage.items.get('raptor-secondary:v1:/api/v2:s:'));
  const second = new glue.AppointmentClient({ fetch, storage: old });
  assert.deepEqual(second.restored(), { enabled: true, records: 1, outbox: 1, pending: 0 });
  assert.equal(old.items.get('raptor-secondary:v1:/api/v2'), '', 'the blob is emptied (no removeItem here)');
  const replay = await second.book(request);
  assert.equal(replay.idempotentReplay, true);
  assert.equal(replay.appointmentId, done.appointmentId);
  assert.equal(calls.filter((c) => c.endpoint === 'create').length, 1, 'no second appointment');
  const third = new glue.AppointmentClient({ fetch, storage: old });
  assert.equal(third.restored().records, 1, 'the migrated records are items now');
});

test('two clients on one storage writing different bookings keep each other\'s records', async () => {
  const storage = memoryStorage();
  const fetch = scenarioFetch({}, [], 'apt');
  const a = new glue.AppointmentClient({ fetch, storage });
  const b = new glue.AppointmentClient({ fetch, storage });
  const day = (n) => ({ ...request, slotStart: new Date(Date.now() + n * 86400000).toISOString() });
  await Promise.all([a.book(day(2)), b.book(day(3)), a.book(day(4)), b.book(day(5))]);
  assert.equal(new glue.AppointmentClient({ fetch, storage }).restored().records, 4);
});

test('unreadable or failing storage never breaks booking', async () => {
  const broken = { getItem: () => '{not json', setItem: () => { throw new Error('QuotaExceededError'); } };
  const warn = console.warn;
  console.warn = () => {};
  try {
    const client = new glue.AppointmentClient({ fetch: scenarioFetch({}, [], 'apt'), storage: broken });
    assert.equal(client.restored().records, 0);
    assert.equal((await client.book(request)).state, 'completed');
  } finally {
    console.warn = warn;
  }
});

test('a bad storage option is an invalid_options error', () => {
  for (const storage of ['disk', 42, { getItem() {} }]) {
    assert.throws(() => new glue.AppointmentClient({ fetch: () => {}, storage }), (e) => e.code === 'invalid_options' && /storage/.test(e.message));
  }
  assert.throws(() => new glue.AppointmentClient({ fetch: () => {}, storageKey: '' }), (e) => e.code === 'invalid_options');
});

test('finished results and outbox entries come back intact after a reload', async () => {
  const storage = memoryStorage();
  const calls = [];
  const fetch = scenarioFetch({ create: ['422'], publish: ['503', '503', '503'] }, calls, 'apt');
  const config = { fetch, storage, baseDelayMs: 1, maxDelayMs: 2 };
  const first = new glue.AppointmentClient(config);
  const refused = await first.book(request);
  assert.equal(refused.error.code, 'provider_rejected');
  const other = { ...request, slotStart: new Date(Date.now() + 8 * 86400000).toISOString() };
  const compensated = await first.book(other);
  assert.equal(compensated.compensated, true);

  const second = new glue.AppointmentClient(config);
  assert.deepEqual(second.restored(), { enabled: true, records: 2, outbox: 1, pending: 0 });
  assert.deepEqual(second.outbox().map((e) => e.status), ['compensated']);
  const creates = calls.filter((c) => c.endpoint === 'create').length;
  const replay = await second.book(request);
  assert.equal(replay.idempotentReplay, true);
  assert.equal(replay.error.code, 'provider_rejected');
  assert.equal(replay.error.status, 422);
  // A compensated booking is replayed under its key (without one, the payload books anew: its
  // appointment was cancelled).
  const replay2 = await second.book({ ...other, idempotencyKey: compensated.idempotencyKey });
  assert.equal(replay2.idempotentReplay, true);
  assert.equal(replay2.error.code, 'outbox_publish_failed');
  assert.equal(replay2.error.cause.code, 'retry_exhausted');
  assert.equal(replay2.compensated, true);
  assert.equal(replay2.appointmentId, compensated.appointmentId);
  assert.equal(calls.filter((c) => c.endpoint === 'create').length, creates, 'no provider call for the replays');
});
