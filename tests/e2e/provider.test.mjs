// The mock provider binary over real sockets: bad input of every kind gets a coded 4xx, the
// server keeps serving, CORS is right, and idempotency holds. Builds the provider if needed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { buildProvider, startProvider } from '../../scripts/demo.mjs';

let provider, base, origin;

before(async () => {
  buildProvider({ quiet: true });
  provider = await startProvider({ port: 0, quiet: true });
  base = provider.url;
  origin = new URL(base);
});

after(() => provider?.child.kill());

const booking = (slot = '2027-01-05T09:30:00Z') => JSON.stringify({
  calendarId: 'cal_1', slotStart: slot, durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane@example.org',
});
const post = (path, body, headers = {}) => fetch(`${base}${path}`, {
  method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body,
});

/** Sends raw bytes, returns the status line of the answer. */
function raw(bytes) {
  return new Promise((ok, fail) => {
    const socket = connect(Number(origin.port), origin.hostname, () => socket.end(bytes));
    let data = '';
    socket.on('data', (d) => { data += d; });
    socket.on('end', () => ok(data.split('\r\n')[0]));
    socket.on('error', fail);
  });
}

test('bad input gets a coded 4xx and the server keeps serving', async () => {
  const cases = [
    [await post('/appointments', '{"calendarId":', { 'Idempotency-Key': 'k-1' }), 400, 'invalid_json'],
    [await post('/appointments', '{"calendarId": 7}', { 'Idempotency-Key': 'k-2' }), 400, 'invalid_request'],
    [await post('/appointments', booking(), {}), 400, 'missing_idempotency_key'],
    [await post('/appointments', 'x'.repeat(70 * 1024), { 'Idempotency-Key': 'k-3' }), 413, 'payload_too_large'],
    [await post('/events', '{"id": 1}', { 'Idempotency-Key': 'k-4' }), 400, 'invalid_json'],
    [await fetch(`${base}/appointments/nope`), 404, 'not_found'],
    [await fetch(`${base}/appointments`, { method: 'PUT' }), 405, 'method_not_allowed'],
    [await post('/appointments', booking(), { 'Idempotency-Key': 'k-5', 'X-Mock-Scenario': 'chaos' }), 400, 'unknown_scenario'],
  ];
  for (const [response, status, code] of cases) {
    assert.equal(response.status, status, code);
    assert.equal((await response.json()).error.code, code);
  }
  const wrongType = await post('/appointments', JSON.stringify({ ...JSON.parse(booking()), durationMinutes: '30' }), { 'Idempotency-Key': 'k-6' });
  assert.equal((await wrongType.json()).error.field, 'durationMinutes');
  assert.match(await raw('GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await raw(`GET / HTTP/1.1\r\nX: ${'a'.repeat(20000)}\r\n\r\n`), /^HTTP\/1\.1 431/);
  assert.match(await raw('POST /api/v2/appointments HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.equal(await raw(''), '', 'an empty connection is just closed');
  const ok = await post('/appointments', booking(), { 'Idempotency-Key': 'k-ok' });
  assert.equal(ok.status, 201, 'still serving');
});

test('CORS lets a page on another origin send the key and read Retry-After', async () => {
  const preflight = await fetch(`${base}/appointments`, { method: 'OPTIONS' });
  assert.equal(preflight.status, 204);
  assert.match(preflight.headers.get('access-control-allow-headers'), /Idempotency-Key/);
  assert.match(preflight.headers.get('access-control-expose-headers'), /Retry-After/);
  const limited = await post('/appointments', booking('2027-01-06T09:30:00Z'), { 'Idempotency-Key': 'k-rl', 'X-Mock-Scenario': 'rate_limited' });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '1');
  assert.equal(limited.headers.get('access-control-allow-origin'), '*');
});

test('server-side idempotency: replay, 422 for another payload, none duplicated', async () => {
  const first = await post('/appointments', booking('2027-01-07T09:30:00Z'), { 'Idempotency-Key': 'k-idem' });
  const again = await post('/appointments', booking('2027-01-07T09:30:00Z'), { 'Idempotency-Key': 'k-idem' });
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(await again.json(), await first.json());
  const other = await post('/appointments', booking('2027-01-08T09:30:00Z'), { 'Idempotency-Key': 'k-idem' });
  assert.equal(other.status, 422);
  const stats = await (await fetch(`${origin.origin}/__admin/stats`)).json();
  assert.equal(stats.counters.createdPerKey['k-idem'], 1);
  assert.deepEqual(stats.duplicates, []);
});
