// `book`, `cancel` and `handle` take `{ signal }`: aborting stops waiting and retrying and
// answers `aborted` at once; an appointment that exists is kept and reported, its event still
// published; a signal aborted already sends nothing. Through the real Wasm client in Node with
// a scripted provider. Needs pkg/ (npm run build).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { scenarioFetch } from '../support/scenarios.js';

const root = new URL('../../', import.meta.url);
const glue = await import(new URL('pkg/raptor_secondary.js', root));
glue.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });

let day = 3;
const request = () => ({
  calendarId: 'cal_abort', slotStart: new Date(Date.now() + ++day * 86400000).toISOString(), durationMinutes: 30,
  patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
});
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const client = (script, calls) => new glue.AppointmentClient({ fetch: scenarioFetch(script, calls, 'apt'), baseDelayMs: 1, maxDelayMs: 2 });

test('aborting while the create is in flight answers aborted at once and retries nothing', async () => {
  const calls = [];
  const c = client({ create: ['delay=5000 201'] }, calls);
  const controller = new AbortController();
  const started = Date.now();
  const pending = c.book(request(), { signal: controller.signal });
  await sleep(20);
  controller.abort();
  const result = await pending;
  assert.ok(Date.now() - started < 1000, 'answered at once, not after the provider');
  assert.equal(result.state, 'failed');
  assert.equal(result.error.code, 'aborted');
  assert.equal(result.appointmentId, null);
  await sleep(50);
  assert.equal(calls.length, 1, 'no retry after the abort');
  // The next call with the payload runs again under the same key (the provider may have acted).
  const again = await c.book({ ...request(), slotStart: calls[0].body.slotStart });
  assert.equal(again.idempotencyKey, result.idempotencyKey);
  assert.equal(again.state, 'completed');
});

test('a signal aborted before the call answers aborted and sends nothing', async () => {
  const calls = [];
  const c = client({}, calls);
  const signal = AbortSignal.abort();
  for (const result of [await c.book(request(), { signal }), await c.cancel('apt_1', { signal })]) {
    assert.equal(result.error.code, 'aborted');
  }
  assert.equal(calls.length, 0);
  assert.equal(c.metrics().bookings, 2, 'counted like any other call');
});

test('aborting once the appointment exists keeps it, reports it, and still publishes its event', async () => {
  const calls = [];
  const c = client({ publish: ['delay=300 202'] }, calls);
  const controller = new AbortController();
  const pending = c.book(request(), { signal: controller.signal });
  while (!calls.some((x) => x.endpoint === 'publish')) await sleep(5);
  controller.abort();
  const result = await pending;
  assert.equal(result.error.code, 'aborted');
  assert.equal(result.appointmentId, 'apt_1', 'the appointment is reported');
  await sleep(400);
  assert.deepEqual(c.outbox().map((e) => e.status), ['published'], 'its event is published');
  assert.equal(calls.filter((x) => x.endpoint === 'cancel').length, 0, 'never cancelled');
});

test('aborting after the call finished changes nothing', async () => {
  const c = client({}, []);
  const controller = new AbortController();
  const result = await c.book(request(), { signal: controller.signal });
  controller.abort();
  await sleep(10);
  assert.equal(result.state, 'completed');
  assert.equal(c.metrics().completed, 1);
});

test('options that are not like { signal } are an invalid_options error', () => {
  const c = client({}, []);
  for (const options of [42, 'signal', { signal: 42 }, { signal: {} }, { signal: null },
    { get signal() { throw new Error('hostile'); } }, { signal: { aborted: 'no', addEventListener() {} } }]) {
    assert.throws(() => c.book(request(), options), (e) => e.code === 'invalid_options', String(options));
  }
  // No options, empty options and an inherited signal (a polluted prototype) are no signal.
  Object.prototype.signal = AbortSignal.abort();
  try {
    for (const options of [undefined, null, {}]) assert.ok(c.book(request(), options) instanceof Promise);
  } finally {
    delete Object.prototype.signal;
  }
});
