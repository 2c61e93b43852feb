// A polluted Object.prototype chooses nothing: config and requests are read by own properties
// only, `__proto__` is an unknown option, fetch's init and the provider's answers are read
// without inheritance, and results are built so that no setter on Object.prototype sees them.
// Also the strict types and lone surrogates of the issue "never bricked, never redirected".
// Through the real Wasm client in Node; needs pkg/ (npm run build).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createRequire } from 'node:module';

const root = new URL('../../', import.meta.url);
const glue = await import(new URL('pkg/raptor_secondary.js', root));
glue.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });
const { getActionLabel, resolveAction } = createRequire(import.meta.url)('./wasm_action_label.cjs');

const day = 86400000;
const request = (days = 7) => ({
  calendarId: 'cal_1', slotStart: new Date(Date.now() + days * day).toISOString(), durationMinutes: 30,
  patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
});

/** A provider that answers at once and records what it was sent. */
function recordingFetch({ pending = false } = {}) {
  const calls = [];
  let n = 0;
  const fetch = async (url, init) => {
    calls.push({ url, init, body: init.body === undefined ? undefined : JSON.parse(init.body) });
    if (url.endsWith('/events')) return Response.json({ accepted: true }, { status: 202 });
    if (init.method === 'GET') return Response.json({ id: url.split('/').at(-1), status: 'confirmed' });
    const id = `apt_${++n}`;
    return pending ? Response.json({ id, status: 'pending' }, { status: 202 }) : Response.json({ id, status: 'confirmed' }, { status: 201 });
  };
  return { fetch, calls };
}

/** Runs `fn` with `fields` defined on Object.prototype, removing them afterwards. */
async function polluted(fields, fn) {
  const names = Object.keys(fields);
  for (const name of names) {
    Object.defineProperty(Object.prototype, name, { ...fields[name], configurable: true });
  }
  try {
    return await fn();
  } finally {
    for (const name of names) delete Object.prototype[name];
  }
}
const value = (v) => ({ value: v, writable: true, enumerable: false });

test('a polluted baseUrl does not redirect bookings (or the patient\'s e-mail)', async () => {
  const { fetch, calls } = recordingFetch();
  await polluted({ baseUrl: value('http://attacker.invalid/api') }, async () => {
    const client = new glue.AppointmentClient({ fetch });
    assert.equal(client.config().baseUrl, '/api/v2');
    assert.equal((await client.book(request())).state, 'completed');
  });
  assert.ok(calls.length >= 2);
  for (const call of calls) assert.ok(call.url.startsWith('/api/v2/'), call.url);
});

test('a polluted idempotencyKey, notes or attempts is not read as the caller\'s own', async () => {
  const { fetch, calls } = recordingFetch();
  await polluted({ idempotencyKey: value('polluted-key-0001'), notes: value('polluted notes'), attempts: value(1) }, async () => {
    const client = new glue.AppointmentClient({ fetch });
    assert.equal(client.config().attempts, 3);
    const first = await client.book(request(7));
    const second = await client.book(request(8));
    assert.equal(first.state, 'completed');
    assert.equal(second.state, 'completed', 'a second booking is not refused as idempotency_key_reused');
    assert.notEqual(first.idempotencyKey, 'polluted-key-0001');
    assert.notEqual(first.idempotencyKey, second.idempotencyKey);
  });
  for (const call of calls.filter((c) => c.url.endsWith('/appointments'))) {
    assert.equal(Object.hasOwn(call.body, 'notes'), false, 'no notes were sent');
    assert.notEqual(call.init.headers['Idempotency-Key'], 'polluted-key-0001');
  }
});

test('an own "__proto__" key (JSON.parse makes one) is an unknown option', () => {
  const config = JSON.parse('{"__proto__": {"baseUrl": "http://attacker.invalid/api"}, "attempts": 2}');
  assert.throws(() => new glue.AppointmentClient(config),
    (e) => e.code === 'invalid_options' && /unknown option '__proto__'/.test(e.message));
  const request = JSON.parse('{"__proto__": {"idempotencyKey": "polluted-key-0001"}}');
  assert.equal(Object.hasOwn(request, 'idempotencyKey'), false);
});

test('fetch gets an init without inherited members, and answers are read by own fields', async () => {
  const { fetch, calls } = recordingFetch({ pending: true });
  await polluted({
    body: value('{"stolen":true}'), credentials: value('include'), referrerPolicy: value('unsafe-url'),
    statusUrl: value('http://attacker.invalid/poll'), error: value('polluted'),
  }, async () => {
    const client = new glue.AppointmentClient({ fetch, pollIntervalMs: 1 });
    const result = await client.book(request());
    assert.equal(result.state, 'completed');
  });
  const poll = calls.find((c) => c.init.method === 'GET');
  assert.ok(poll, 'the pending booking was polled');
  assert.ok(poll.url.startsWith('/api/v2/appointments/'), `polled ${poll.url}`);
  for (const call of calls) {
    assert.equal(call.init.credentials, undefined);
    assert.equal(call.init.referrerPolicy, undefined);
    if (call.init.method === 'GET') assert.equal(call.init.body, undefined);
  }
});

test('no setter or read-only field on Object.prototype sees or blocks a result or a request', async () => {
  const { fetch, calls } = recordingFetch();
  const seen = [];
  const spy = { set(v) { seen.push(v); }, get() { return undefined; } };
  const records = [];
  const result = await polluted({
    patientEmail: spy, patientName: spy, idempotencyKey: spy, appointmentId: { value: 'apt_polluted', writable: false },
  }, async () => {
    const client = new glue.AppointmentClient({ fetch, log: (r) => records.push(r) });
    return client.book(request());
  });
  assert.deepEqual(seen, [], 'no setter on Object.prototype saw a value');
  assert.equal(result.state, 'completed');
  assert.equal(Object.getOwnPropertyDescriptor(result, 'appointmentId').value, 'apt_1');
  assert.equal(calls[0].body.patientEmail, 'jane.doe@example.org', 'the body kept its own fields');
  assert.ok(records.length > 0 && records.every((r) => Object.hasOwn(r, 'appointment_id')));
});

test('durationMinutes must be a number: a numeric string is refused', async () => {
  const { fetch, calls } = recordingFetch();
  const client = new glue.AppointmentClient({ fetch });
  for (const duration of ['30', new Number(30), [30], 30n]) {
    const result = await client.book({ ...request(), durationMinutes: duration });
    assert.equal(result.error?.code, 'invalid_request', String(duration));
    assert.equal(result.error.field, 'durationMinutes');
  }
  assert.equal(calls.length, 0);
});

test('a lone surrogate in any text field is refused, naming the field, never rewritten', async () => {
  const { fetch, calls } = recordingFetch();
  const client = new glue.AppointmentClient({ fetch });
  for (const field of ['notes', 'patientName', 'calendarId', 'patientEmail']) {
    const result = await client.book({ ...request(), [field]: 'a\uD800b' });
    assert.equal(result.error?.code, 'invalid_request', field);
    assert.equal(result.error.field, field);
    assert.match(result.error.message, /lone surrogate/);
  }
  assert.equal(calls.length, 0, 'nothing was sent');
  assert.throws(() => new glue.AppointmentClient({ fetch, baseUrl: '/api/\uDC00' }), (e) => e.code === 'invalid_options');
});

test('resolveAction reads a lone-surrogate attribute unit for unit, as getActionLabel does', () => {
  const name = 'data-\uD83D';
  const element = { nodeType: 1, getAttribute: (n) => (n === name ? 'found' : null) };
  assert.equal(getActionLabel({ target: element }, name), 'found');
  const resolved = resolveAction({ target: element }, { attribute: name });
  assert.equal(resolved.label, 'found');
  assert.equal(resolved.reason, null);
});

test('resolveAction options are own properties too', async () => {
  const element = { nodeType: 1, getAttribute: (n) => (n === 'data-action' ? 'book-appointment' : null) };
  const child = { nodeType: 1, parentNode: element, getAttribute: () => null };
  await polluted({ attribute: value('data-evil'), maxDepth: value(0), root: value(child) }, () => {
    const resolved = resolveAction({ target: child }, {});
    assert.equal(resolved.label, 'book-appointment');
    assert.equal(resolved.depth, 1);
  });
});
