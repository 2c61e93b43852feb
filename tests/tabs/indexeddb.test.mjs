// `storage: 'indexeddb'` in each engine (scripts/engines.mjs; BROWSERS, default all): what
// earlier builds or `storage: 'local'` left in localStorage moves into IndexedDB (and is
// replayed, not booked again); a database that cannot be opened falls back to localStorage with
// one warning; page calls made while the database loads wait for it. A provider stub in the page
// counts the calls; the page's console warnings are gathered in the page. Needs pkg/ (npm run build).
import { after, before, test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { startStaticServer } from '../../scripts/serve.mjs';
import { eachEngine } from '../support/browsers.mjs';

let server, url;
before(async () => { ({ server, url } = await startStaticServer({ port: 0 })); });
after(() => server?.close());

eachEngine((engine, browser) => {
const test = (name, fn) => nodeTest(`${engine}: ${name}`, fn);

/** Runs `fn(request)` in a fresh page with the ES module loaded and a counting provider stub. */
async function inPage(fn, arg) {
  const page = await browser.newPage();
  await page.goto(`${url}drop-in.html`);
  const { out, warnings } = await page.evaluate(async ({ source, arg }) => {
    const warnings = [];
    const warn = console.warn;
    console.warn = (...args) => { warnings.push(args.map(String).join(' ')); warn.apply(console, args); };
    const mod = await import('/pkg/raptor_secondary.js');
    await mod.default();
    window.calls = 0;
    const fetch = async (u) => {
      window.calls += 1;
      const body = u.endsWith('/events') ? '{}' : `{"id":"apt_${window.calls}","status":"confirmed"}`;
      return new Response(body, { status: 201 });
    };
    const client = (storage, storageKey) => new mod.AppointmentClient({ baseUrl: 'http://127.0.0.1:9/api/v2', fetch, storage, storageKey });
    const request = {
      calendarId: 'cal_idb', slotStart: new Date(Date.now() + 5 * 86400000).toISOString(), durationMinutes: 30,
      patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
    };
    const out = await new Function('mod', 'client', 'request', 'arg', `return (${source})(mod, client, request, arg);`)(mod, client, request, arg);
    return { out, warnings };
  }, { source: fn.toString(), arg });
  await page.close();
  return { out, warnings };
}

test('a v1 snapshot in localStorage moves into IndexedDB and is replayed, not booked again', async () => {
  const { out } = await inPage(async (mod, client, request) => {
    // What an earlier build saved: one JSON blob under the storage key.
    const local = client('local', 'old');
    const first = await local.book(request);
    const items = Object.keys(localStorage).filter((k) => k.startsWith('old:'));
    const blob = {
      version: 1,
      records: items.filter((k) => k.includes(':p:')).map((k) => JSON.parse(localStorage.getItem(k))),
      outbox: items.filter((k) => k.includes(':o:')).map((k) => JSON.parse(localStorage.getItem(k))),
    };
    const secret = localStorage.getItem('old:s:'); // keyed the fingerprints above (see persistence.test.mjs)
    localStorage.clear();
    localStorage.setItem('v1key', JSON.stringify(blob));
    localStorage.setItem('v1key:s:', secret);
    const callsBefore = window.calls;
    const idb = client('indexeddb', 'v1key');
    await idb.ready;
    const restored = idb.restored();
    const replay = await idb.book(request);
    const again = client('indexeddb', 'v1key');
    await again.ready;
    return {
      restored, replay: replay.idempotentReplay, same: replay.appointmentId === first.appointmentId,
      calls: window.calls - callsBefore, left: Object.keys(localStorage), reloaded: again.restored().records,
    };
  });
  assert.deepEqual(out.restored, { enabled: true, records: 1, outbox: 1, pending: 0 });
  assert.equal(out.replay, true);
  assert.equal(out.same, true);
  assert.equal(out.calls, 0, 'no provider call: the booking was replayed');
  assert.deepEqual(out.left, [], 'nothing left in localStorage');
  assert.equal(out.reloaded, 1, 'the records are IndexedDB rows now');
});

test('a database that cannot be opened falls back to localStorage with one warning', async () => {
  const { out, warnings } = await inPage(async (mod, client, request) => {
    // On the prototype: an own property on the `indexedDB` object can vanish in WebKit (its
    // wrapper object is collected and made anew, without it: then IndexedDB opened, no warning
    // came and nothing went to localStorage, 2 of about 8 full runs).
    IDBFactory.prototype.open = () => { throw new DOMException('denied', 'SecurityError'); };
    const c = client('indexeddb', 'fallback');
    await c.ready;
    const result = await c.book(request);
    return {
      state: result.state, items: Object.keys(localStorage).filter((k) => k.startsWith('fallback:')).length,
      all: localStorage.length, restored: c.restored(), replay: result.idempotentReplay,
    };
  });
  assert.equal(out.state, 'completed');
  assert.ok(out.items >= 2, `${out.items} localStorage items (${out.all} in all; restored ${JSON.stringify(out.restored)}; replay ${out.replay}; warnings: ${warnings.join(' | ')})`);
  assert.equal(warnings.filter((w) => w.includes('IndexedDB could not be opened')).length, 1);
});

test('page calls made while the database loads wait for it, in order', async () => {
  const { out } = await inPage(async (mod, client, request) => {
    const c = client('indexeddb', 'early');
    // Booked at once, before `ready`: answered after the load, under the claim, as usual.
    const results = await Promise.all([c.book(request), c.book(request)]);
    const again = client('indexeddb', 'early');
    await again.ready;
    return { states: results.map((r) => r.state), same: results[0].appointmentId === results[1].appointmentId, calls: window.calls, restored: again.restored().records };
  });
  assert.deepEqual(out.states, ['completed', 'completed']);
  assert.equal(out.same, true);
  assert.equal(out.restored, 1);
});

test('free() while the database loads, or from a log sink mid-drain, answers the call and sends nothing', async () => {
  const { out } = await inPage(async (mod, client, request) => {
    let sent = 0;
    const fetch = async () => { sent += 1; return new Promise(() => {}); };
    const answered = (promise) => Promise.race([promise.then((r) => r.error && r.error.code, (e) => `threw ${e}`),
      new Promise((done) => setTimeout(() => done('unanswered'), 1000))]);
    // The default storage: book() waits for the database, and free() comes first.
    const loading = new mod.AppointmentClient({ baseUrl: 'http://127.0.0.1:9/api/v2', fetch, storageKey: `free-${Math.random()}` });
    const waiting = loading.book(request);
    loading.free();
    let freeing;
    const sink = new mod.AppointmentClient({
      baseUrl: 'http://127.0.0.1:9/api/v2', fetch, storage: 'none',
      log: (record) => { if (record.event === 'booking.requested') freeing.free(); },
    });
    freeing = sink;
    const midDrain = sink.book(request);
    return { whileLoading: await answered(waiting), midDrain: await answered(midDrain), sent };
  });
  assert.deepEqual(out, { whileLoading: 'timeout', midDrain: 'timeout', sent: 0 });
});

test('a conditional removal keeps an item that holds another text, in both stores', async () => {
  const { out } = await inPage(async () => {
    const { indexedDb, webStorage } = await import('/pkg/storage.js');
    const results = {};
    // The same key run again: a newer write of the record, which a removal of the older keeps.
    const older = '{"key":"k-1","rev":"00000000000000a1"}';
    const newer = '{"key":"k-1","rev":"00000000000000b2"}';
    const local = webStorage(localStorage, 'cond-local');
    local.save('p:ab', newer);
    local.save('p:ab', null, older);
    results.localKept = local.read('p:ab') === newer;
    local.save('p:ab', null, newer);
    results.localRemoved = local.read('p:ab') === undefined;
    const idb = indexedDb('cond-idb', () => undefined);
    await idb.load();
    idb.save('p:ab', newer);
    idb.save('p:ab', null, older);
    results.idbKept = (await idb.read('p:ab')) === newer;
    idb.save('p:ab', null, newer);
    results.idbRemoved = (await idb.read('p:ab')) === undefined;
    idb.close();
    return results;
  });
  assert.deepEqual(out, { localKept: true, localRemoved: true, idbKept: true, idbRemoved: true });
});
});
