// Reloads at every point of a booking, against the real mock provider (target/release/
// mock-provider, `slow` scenario: every call takes 0.3 s) over loopback: the page goes away
// while a call is in flight, a new page with the same storage books the same payload again and
// flushes the outbox. The appointment must never be cancelled or doubled, the re-booking must
// complete, and flushOutbox() must drain what the first page left pending.
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
  provider = await startProvider({ port: 0, scenario: 'slow', quiet: true });
});
after(() => provider?.child.kill());

const admin = (path, body) => fetch(`${new URL(provider.url).origin}/__admin/${path}`, body === undefined ? {}
  : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * A page: a client whose fetch and storage die with the page. After `close()` nothing it
 * started reaches the page any more (answers never arrive, writes are lost), as in a reload;
 * what it sent is still processed by the provider.
 */
function openPage(items, onSend) {
  let alive = true;
  const storage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => { if (alive) items.set(k, v); } };
  const sent = [];
  const pageFetch = (url, init) => {
    if (!alive) return new Promise(() => {});
    sent.push({ url, method: init.method, key: init.headers['Idempotency-Key'], body: init.body });
    onSend?.(sent.length);
    return fetch(url, init).then((r) => (alive ? r : new Promise(() => {})));
  };
  const client = new glue.AppointmentClient({
    fetch: pageFetch, storage, baseUrl: provider.url, attemptTimeoutMs: 1500, deadlineMs: 6000, baseDelayMs: 50, maxDelayMs: 200,
  });
  return { client, sent, close: () => { alive = false; } };
}

let day = 10;
const request = () => ({
  calendarId: 'cal_reload', slotStart: new Date(Date.now() + ++day * 86400000).toISOString(), durationMinutes: 30,
  patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
});

/** The provider's appointments for one slot. */
async function slot(slotStart) {
  const stats = await admin('stats');
  return { stats, held: stats.appointments.filter((a) => a.slotStart === slotStart) };
}

// Calls of an undisturbed booking in `slow` mode: 1 = create, 2 = publish. The page goes away
// `delay` ms after call `n` was sent: 0 = as it leaves, 150 = mid-flight, 400 = after its answer.
const CUTS = [];
for (const n of [1, 2]) for (const delay of [0, 150, 400]) CUTS.push({ n, delay });

for (const order of ['book, then flush', 'flush, then book']) {
  for (const { n, delay } of CUTS) {
    test(`a reload ${delay} ms after call ${n} was sent (${order}): one appointment, kept; the outbox drains`, async () => {
      const items = new Map();
      const booking = request();
      let reloadAt;
      const cut = new Promise((ok) => { reloadAt = ok; });
      const first = openPage(items, (count) => { if (count === n) sleep(delay).then(reloadAt); });
      const firstResult = first.client.book(booking);
      await Promise.race([cut, firstResult]);
      first.close();

      const second = openPage(items);
      let result;
      let flushed;
      if (order === 'book, then flush') {
        result = await second.client.book(booking);
        flushed = await second.client.flushOutbox();
      } else {
        flushed = await second.client.flushOutbox();
        result = await second.client.book(booking);
      }
      const again = await second.client.flushOutbox();

      assert.equal(result.state, 'completed', JSON.stringify(result.error));
      assert.equal(again.pending, 0, 'nothing is left pending');
      assert.equal(flushed.pending, 0, 'flushOutbox drained what the first page left');
      assert.ok(second.client.outbox().every((e) => e.status === 'published'), JSON.stringify(second.client.outbox()));
      const { stats, held } = await slot(booking.slotStart);
      assert.deepEqual(stats.duplicates, []);
      assert.equal(held.length, 1, 'one appointment for the slot');
      assert.equal(held[0].appointment.status, 'confirmed', 'the appointment was not cancelled');
      assert.equal(held[0].appointment.id, result.appointmentId);
      // The event the second page sent (if any) is the first page's, byte for byte.
      const events = [...first.sent, ...second.sent].filter((s) => s.url.endsWith('/events'));
      assert.ok(events.every((e) => e.body === events[0].body), 'one event body under one key');
    });
  }
}
