// What one tab does with `storage: 'local'` reaches another tab's booking of the same payload at
// once, even where that tab reads localStorage from before it (a localStorage write reaches
// other tabs late: in Chromium a booking made the moment a cancel answered replayed the
// cancelled appointment in 1 round of 40 under load, and a second tab booked a payload just
// booked in another again, 1 round of 60): a cancel, a booking's record, and of two tabs' writes
// of one record the later. Here the lateness is made certain: a localStorage whose reads lag
// (they return what it held at `freeze()`) and the Web Locks API with one lock manager, as a
// browser origin has. Through the real Wasm client; needs pkg/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const glue = await import(new URL('pkg/raptor_secondary.js', root));
glue.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });

/** The Web Locks API over one lock manager (exclusive and shared modes, ifAvailable, signal, query). */
function webLocks() {
  const held = [];
  const waiting = [];
  const conflicts = (name, mode) => held.some((l) => l.name === name && (mode === 'exclusive' || l.mode === 'exclusive'));
  const release = (lock) => { held.splice(held.indexOf(lock), 1); pump(); };
  const grant = (req) => {
    const lock = { name: req.name, mode: req.mode };
    held.push(lock);
    Promise.resolve().then(() => req.cb(lock)).then((v) => { release(lock); req.resolve(v); }, (e) => { release(lock); req.reject(e); });
  };
  const pump = () => {
    for (let i = 0; i < waiting.length; i++) {
      const req = waiting[i];
      if (!conflicts(req.name, req.mode) && !waiting.slice(0, i).some((w) => w.name === req.name)) {
        waiting.splice(i, 1);
        i -= 1;
        grant(req);
      }
    }
  };
  return {
    request(name, options, cb) {
      if (typeof options === 'function') [cb, options] = [options, {}];
      const mode = options.mode ?? 'exclusive';
      return new Promise((resolve, reject) => {
        const req = { name, mode, cb, resolve, reject };
        if (options.ifAvailable) {
          if (conflicts(name, mode) || waiting.some((w) => w.name === name)) Promise.resolve().then(() => cb(null)).then(resolve, reject);
          else grant(req);
          return;
        }
        if (options.signal) {
          if (options.signal.aborted) return reject(new DOMException('aborted', 'AbortError'));
          options.signal.addEventListener('abort', () => {
            const i = waiting.indexOf(req);
            if (i >= 0) { waiting.splice(i, 1); reject(new DOMException('aborted', 'AbortError')); }
          });
        }
        waiting.push(req);
        pump();
      });
    },
    query: () => Promise.resolve({ held: held.map(({ name, mode }) => ({ name, mode })), pending: waiting.map(({ name, mode }) => ({ name, mode })) }),
  };
}

/** localStorage whose reads can lag: while `lagging`, they return what it held at `freeze()`. */
function laggingStorage() {
  const now = new Map();
  let then = null;
  return {
    freeze() { then = new Map(now); },
    thaw() { then = null; },
    getItem: (k) => (then ?? now).get(k) ?? null,
    setItem: (k, v) => { now.set(k, String(v)); },
    removeItem: (k) => { now.delete(k); },
    key: (i) => [...(then ?? now).keys()][i] ?? null,
    get length() { return (then ?? now).size; },
  };
}

/** A booking request of `calendarId`'s slot in three days. */
const booking = (calendarId) => ({
  calendarId, slotStart: new Date(Date.now() + 3 * 86400000).toISOString(), durationMinutes: 30,
  patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
});

test("a slot cancelled in one tab and booked at once in another that reads localStorage late is booked anew", async () => {
  const storage = laggingStorage();
  globalThis.localStorage = storage;
  Object.defineProperty(globalThis, 'navigator', { value: { locks: webLocks() }, configurable: true, writable: true });
  let made = 0;
  const held = new Set();
  const fetch = async (url) => {
    const path = new URL(url).pathname;
    if (path.endsWith('/events')) return new Response('{}', { status: 202 });
    const cancel = /\/appointments\/([^/]+)\/cancel$/.exec(path);
    if (cancel) {
      held.delete(cancel[1]);
      return new Response(JSON.stringify({ id: cancel[1], status: 'cancelled' }), { status: 200 });
    }
    const id = `apt_${++made}`;
    held.add(id);
    return new Response(JSON.stringify({ id, status: 'confirmed' }), { status: 201 });
  };
  const tab = () => new glue.AppointmentClient({ baseUrl: 'http://provider.test/api/v2', fetch, storage: 'local', storageKey: 'late' });
  const [one, two] = [tab(), tab()];
  await Promise.all([one.ready, two.ready]);
  const request = booking('cal_late');
  const first = await one.book(request);
  assert.equal(first.state, 'completed');
  // Tab two reads localStorage as it was before the cancel.
  storage.freeze();
  const cancelled = await one.cancel(first.appointmentId);
  assert.equal(cancelled.state, 'completed');
  const again = await two.book(request);
  storage.thaw();
  assert.equal(again.state, 'completed');
  assert.equal(again.idempotentReplay, false, `replayed the cancelled ${again.appointmentId}`);
  assert.notEqual(again.appointmentId, first.appointmentId);
  assert.deepEqual([...held], [again.appointmentId], 'the provider holds the new appointment only');
  one.free();
  two.free();
});

for (const together of [false, true]) {
test(`a payload booked in one tab is replayed, not booked again, by another that reads localStorage late (${together ? 'both at the same moment' : 'one after the other'})`, async () => {
  const storage = laggingStorage();
  globalThis.localStorage = storage;
  Object.defineProperty(globalThis, 'navigator', { value: { locks: webLocks() }, configurable: true, writable: true });
  let made = 0;
  const fetch = async (url) => {
    if (new URL(url).pathname.endsWith('/events')) return new Response('{}', { status: 202 });
    return new Response(JSON.stringify({ id: `apt_${++made}`, status: 'confirmed' }), { status: 201 });
  };
  const tab = () => new glue.AppointmentClient({ baseUrl: 'http://provider.test/api/v2', fetch, storage: 'local', storageKey: 'late-book' });
  const [one, two] = [tab(), tab()];
  await Promise.all([one.ready, two.ready]);
  const request = booking('cal_late');
  // Tab two reads localStorage as it was before tab one's booking.
  storage.freeze();
  const [first, again] = together
    ? await Promise.all([one.book(request), two.book(request)])
    : [await one.book(request), await two.book(request)];
  storage.thaw();
  assert.equal(first.state, 'completed');
  assert.equal(again.state, 'completed');
  assert.equal(made, 1, `the provider was asked to create ${made} appointments`);
  assert.equal(again.appointmentId, first.appointmentId);
  assert.equal(again.idempotentReplay, true);
  one.free();
  two.free();
});
}

test("of two tabs' announcements of a payload's record, a claim takes the later write", async () => {
  const storage = laggingStorage();
  globalThis.localStorage = storage;
  Object.defineProperty(globalThis, 'navigator', { value: { locks: webLocks() }, configurable: true, writable: true });
  const creates = [];
  const fetch = async (url, init) => {
    if (new URL(url).pathname.endsWith('/events')) return new Response('{}', { status: 202 });
    creates.push(new Headers(init.headers).get('idempotency-key'));
    if (creates.length === 1) return new Response('{"error":"down"}', { status: 503 });
    return new Response(JSON.stringify({ id: `apt_${creates.length - 1}`, status: 'confirmed' }), { status: 201 });
  };
  const tab = () => new glue.AppointmentClient({ baseUrl: 'http://provider.test/api/v2', fetch, storage: 'local', storageKey: 'late-order', attempts: 1 });
  const [one, two] = [tab(), tab()];
  await Promise.all([one.ready, two.ready]);
  const request = booking('cal_order');
  storage.freeze(); // neither tab sees the other's writes in localStorage
  const failed = await one.book(request);
  assert.equal(failed.state, 'failed');
  // Tab two retries the failed booking under its key, and books it.
  const booked = await two.book(request);
  assert.equal(booked.state, 'completed');
  assert.equal(booked.idempotencyKey, failed.idempotencyKey);
  // Tab one holds its own failed write and hears of tab two's later one: it replays that.
  const again = await one.book(request);
  storage.thaw();
  assert.equal(again.appointmentId, booked.appointmentId);
  assert.equal(again.idempotentReplay, true);
  assert.deepEqual(creates, [failed.idempotencyKey, failed.idempotencyKey], 'two creates: the failed one and its retry');
  one.free();
  two.free();
});
