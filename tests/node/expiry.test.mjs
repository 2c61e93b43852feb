// A payload booked again after its record expired (`idempotencyTtlMs`), against the real mock
// provider over loopback: the client asks the provider about the appointment it made before
// creating another, so a patient who comes back after the window keeps one appointment; if
// the appointment was cancelled meanwhile (from another device, say) the slot is booked anew.
// Through the real Wasm client in Node; needs pkg/ (npm run build); builds the provider.
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

const TTL = 300;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const stats = () => fetch(`${new URL(provider.url).origin}/__admin/stats`).then((r) => r.json());
let day = 20;
const request = () => ({
  calendarId: 'cal_expiry', slotStart: new Date(Date.now() + ++day * 86400000).toISOString(), durationMinutes: 30,
  patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
});
function page(items) {
  const sent = [];
  const storage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v) };
  const pageFetch = (url, init) => {
    sent.push(`${init.method} ${new URL(url).pathname}`);
    return fetch(url, init);
  };
  const client = new glue.AppointmentClient({ baseUrl: provider.url, fetch: pageFetch, storage, idempotencyTtlMs: TTL });
  return { client, sent };
}
const active = async (slotStart) => (await stats()).appointments
  .filter((a) => a.slotStart === slotStart && a.appointment.status !== 'cancelled');

test('a payload booked again after its record expired keeps the one appointment', async () => {
  const items = new Map();
  const first = page(items);
  const r = request();
  const booked = await first.client.book(r);
  assert.equal(booked.state, 'completed');
  await sleep(TTL + 100);
  // A reload after the window: the record is expired, the appointment is looked up.
  const second = page(items);
  const again = await second.client.book(r);
  assert.equal(again.state, 'completed');
  assert.equal(again.appointmentId, booked.appointmentId);
  assert.equal(again.idempotentReplay, true);
  assert.deepEqual(second.sent, [`GET /api/v2/appointments/${booked.appointmentId}`]);
  assert.equal((await active(r.slotStart)).length, 1);
});

test('after the window, an appointment cancelled elsewhere is booked anew', async () => {
  const items = new Map();
  const first = page(items);
  const r = request();
  const booked = await first.client.book(r);
  // Cancelled at the provider by someone else (another device, the practice).
  const cancel = await fetch(`${provider.url}/appointments/${booked.appointmentId}/cancel`, {
    method: 'POST', headers: { 'Idempotency-Key': `elsewhere-${booked.appointmentId}` },
  });
  assert.equal(cancel.status, 200);
  await sleep(TTL + 100);
  const again = await page(items).client.book(r);
  assert.equal(again.state, 'completed');
  assert.notEqual(again.appointmentId, booked.appointmentId);
  assert.notEqual(again.idempotencyKey, booked.idempotencyKey);
  const held = await active(r.slotStart);
  assert.deepEqual(held.map((a) => a.appointment.id), [again.appointmentId]);
});
