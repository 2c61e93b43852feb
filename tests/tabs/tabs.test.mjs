// Two tabs of one browser profile (same origin, shared storage), each with its own
// AppointmentClient, against the real mock provider over loopback, in each engine
// (scripts/engines.mjs; BROWSERS, default all); every case once with `storage: 'local'` and once
// with `'indexeddb'`. Each case is repeated ROUNDS times (TABS_ROUNDS, 8 by default; 20 and more
// for the long form) and prints its rate; it passes only when no round failed. What each tab
// sends is read from the page (its client's fetch notes every call), not from one engine's
// network hooks.
//
//   node --test tests/tabs/tabs.test.mjs      (needs pkg/: npm run build; builds the provider if needed)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, launch } from '../../scripts/engines.mjs';
import { demoForFile } from '../support/browsers.mjs';

const ROUNDS = Number(process.env.TABS_ROUNDS ?? 8);
const demo = demoForFile();
let browser, ENGINE;
const pages = [];

const admin = (path, body) => fetch(`${new URL(demo.providerUrl).origin}/__admin/${path}`, body === undefined ? {}
  : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

/**
 * A tab on the demo's origin with a client of its own under `storageKey`; `window.sent` lists
 * every call its client makes (`POST /appointments`, say). Windows are reused across rounds (a
 * round's tabs are fresh clients on a fresh storage key, each reading the storage at
 * construction as a page load does): opening windows took most of a round's time.
 */
let STORAGE = 'local';
const idle = [];
async function openTab(storageKey, settings = {}) {
  let page = idle.pop();
  if (!page) {
    page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'warn') console.log(`page warning: ${m.text()}`); });
    await page.goto(`${demo.url}drop-in.html`);
    // The drop-in page loads the lite module; the full one is imported beside it.
    await page.evaluate(async () => {
      window.mod = await import('/pkg/raptor_secondary.js');
      await window.mod.default();
    });
  }
  pages.push(page);
  await page.evaluate(async ({ providerUrl, storageKey, settings, storage }) => {
    window.client?.free();
    window.sent = [];
    window.started = {};
    const fetch = (url, init) => {
      window.sent.push(`${init.method} ${new URL(url, location.href).pathname.replace(/^\/api\/v2/, '')}`);
      return globalThis.fetch(url, init);
    };
    window.client = new window.mod.AppointmentClient({
      baseUrl: providerUrl, fetch, storage, storageKey, attemptTimeoutMs: 2000, deadlineMs: 8000,
      baseDelayMs: 50, maxDelayMs: 200, ...settings,
    });
    await window.client.ready;
  }, { providerUrl: demo.providerUrl, storageKey, settings, storage: STORAGE });
  return page;
}

/** How many calls `page`'s client made of `call` (`'POST /events'`, say). */
const sent = (page, call) => page.evaluate((call) => window.sent.filter((s) => s === call).length, call);

/** The round's tabs are done: their clients freed, their windows kept for the next round. */
async function closeTabs() {
  for (const page of pages.splice(0)) {
    await page.evaluate(() => { window.client?.free(); window.client = undefined; });
    idle.push(page);
  }
}

let calendar = 0;
const SLOT = new Date(Math.ceil(Date.now() / 86400000) * 86400000 + 2 * 86400000).toISOString();
/** A payload no other round uses (a calendar of its own). */
function payload() {
  return {
    calendarId: `cal_tabs_${Date.now()}_${++calendar}`, slotStart: SLOT,
    durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
  };
}

const book = (page, request) => page.evaluate((r) => window.client.book(r), request);

/**
 * Books `request` in each page at once: every booking is started before any is awaited (WebDriver
 * runs one script at a time, so awaiting one booking per script would book one after the other),
 * then the results are collected in order.
 */
async function bookAtOnce(entries) {
  for (const [i, [page, request]] of entries.entries()) {
    await page.evaluate(({ r, i }) => { (window.started ??= {})[i] = window.client.book(r); }, { r: request, i });
  }
  const results = [];
  for (const [i, [page]] of entries.entries()) results.push(await page.evaluate((i) => window.started[i], i));
  return results;
}

/** Active appointments the provider holds for `request`'s slot. */
async function held(request) {
  const stats = await admin('stats');
  return stats.appointments.filter((a) => a.calendarId === request.calendarId && a.slotStart === request.slotStart
    && a.appointment.status !== 'cancelled');
}

function report(name, failures) {
  console.log(`tabs: ${ENGINE}: ${STORAGE}: ${name}: ${failures.length} of ${ROUNDS} rounds failed${failures.length ? ` (first: ${failures[0]})` : ''}`);
}

for (const engine of engines(process.env.BROWSERS)) describe(engine, () => {
  before(async () => {
    ENGINE = engine;
    browser = await launch(engine);
  });
  after(async () => {
    idle.length = 0;
    await browser?.close();
  });

for (const storage of ['local', 'indexeddb']) {
  describe(`${engine}: ${storage}`, () => {
    before(() => { STORAGE = storage; });

  test(`${engine}: ${storage}: different payloads in two tabs, then a reload restores every record`, async () => {
  const failures = [];
  for (let round = 0; round < ROUNDS; round++) {
    const storageKey = `tabs-restore-${round}-${Date.now()}`;
    const [a, b] = [await openTab(storageKey), await openTab(storageKey)];
    const requests = [payload(), payload(), payload(), payload(), payload(), payload()];
    const results = await Promise.all([
      bookAtOnce(requests.slice(0, 3).map((r) => [a, r])),
      bookAtOnce(requests.slice(3).map((r) => [b, r])),
    ]);
    const completed = results.flat().filter((r) => r.state === 'completed').length;
    const reload = await openTab(storageKey);
    const restored = await reload.evaluate(() => window.client.restored());
    // Where the records are: localStorage items, or IndexedDB rows (and then no item at all).
    const where = await reload.evaluate(async (prefix) => {
      const items = Object.keys(localStorage).filter((k) => k.startsWith(prefix)).length;
      if (!(await indexedDB.databases()).some((d) => d.name === 'raptor-secondary')) return { items, rows: 0 };
      const db = await new Promise((ok) => { const r = indexedDB.open('raptor-secondary'); r.onsuccess = () => ok(r.result); });
      const rows = db.objectStoreNames.contains('items') ? await new Promise((ok) => {
        const r = db.transaction('items').objectStore('items').getAllKeys(IDBKeyRange.bound(prefix, `${prefix}\uffff`));
        r.onsuccess = () => ok(r.result.length);
      }) : 0;
      db.close();
      return { items, rows };
    }, `${storageKey}:`);
    // With 'local', IndexedDB holds one row: the origin's secret, agreed there (issue 16).
    const stored = STORAGE === 'indexeddb' ? where.items === 0 && where.rows >= 12 : where.rows === 1 && where.items >= 12;
    if (!stored) failures.push(`round ${round}: ${where.items} localStorage items, ${where.rows} IndexedDB rows`);
    // Re-booking every payload in the reloaded tab must replay, never book a second time.
    const again = await bookAtOnce(requests.map((r) => [reload, r]));
    const doubled = (await Promise.all(requests.map(held))).filter((h) => h.length !== 1).length;
    const replays = again.filter((r) => r.idempotentReplay).length;
    if (completed !== 6 || restored.records !== 6 || doubled || replays !== 6) {
      failures.push(`round ${round}: ${completed} completed, ${restored.records} records restored, ${replays} replays, ${doubled} slots not held once`);
    }
    await closeTabs();
  }
  report('records restored after two tabs booked', failures);
  assert.deepEqual(failures, []);
});

  test(`${engine}: ${storage}: an appointment cancelled in one tab is booked anew in the other, not replayed`, async () => {
  // Five rounds (a round opens two tabs and books, cancels and books again).
  const rounds = Math.min(ROUNDS, 5);
  const failures = [];
  for (let round = 0; round < rounds; round++) {
    const storageKey = `tabs-cancel-${round}-${Date.now()}`;
    const [a, b] = [await openTab(storageKey), await openTab(storageKey)];
    const request = payload();
    const first = await book(a, request);
    const cancelled = await b.evaluate((id) => window.client.cancel(id), first.appointmentId);
    const again = await book(a, request);
    const slot = await held(request);
    if (cancelled.state !== 'completed' || again.idempotentReplay || again.appointmentId === first.appointmentId
      || slot.length !== 1 || slot[0].appointment.id !== again.appointmentId) {
      failures.push(`round ${round}: cancel ${cancelled.state}; booked again: ${again.state} ${again.appointmentId} (replay ${again.idempotentReplay}); provider holds ${slot.map((x) => x.appointment.id).join(',') || 'nothing'}`);
    }
    await closeTabs();
  }
  console.log(`tabs: ${ENGINE}: ${STORAGE}: an appointment cancelled in another tab is booked anew: ${failures.length} of ${rounds} rounds failed${failures.length ? ` (first: ${failures[0]})` : ''}`);
  assert.deepEqual(failures, []);
});

  test(`${engine}: ${storage}: the same payload in two tabs at the same moment books one appointment`, async () => {
  const failures = [];
  for (let round = 0; round < ROUNDS; round++) {
    const storageKey = `tabs-same-${round}-${Date.now()}`;
    const [a, b] = [await openTab(storageKey), await openTab(storageKey)];
    const request = payload();
    const [ra, rb] = await bookAtOnce([[a, request], [b, request]]);
    const slot = await held(request);
    const sameAnswer = ra.appointmentId === rb.appointmentId && ra.state === 'completed' && rb.state === 'completed';
    if (slot.length !== 1 || !sameAnswer) {
      failures.push(`round ${round}: ${slot.length} appointments; tabs said ${ra.state}/${ra.appointmentId}/${ra.error?.code} and ${rb.state}/${rb.appointmentId}`);
    }
    await closeTabs();
  }
  report('one appointment for one payload booked by two tabs at once', failures);
  assert.deepEqual(failures, []);
});

  test(`${engine}: ${storage}: a tab that books while another tab is still booking the payload (slow provider) joins it`, async () => {
  await admin('scenario', { scenario: 'slow' });
  const failures = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const storageKey = `tabs-later-${round}-${Date.now()}`;
      const [a, b] = [await openTab(storageKey), await openTab(storageKey)];
      const request = payload();
      await a.evaluate((r) => { window.first = window.client.book(r); }, request);
      await new Promise((ok) => setTimeout(ok, 100)); // a's create is at the provider now
      const rb = await book(b, request);
      const ra = await a.evaluate(() => window.first);
      const slot = await held(request);
      if (slot.length !== 1 || ra.appointmentId !== rb.appointmentId || rb.state !== 'completed') {
        failures.push(`round ${round}: ${slot.length} appointments; tabs said ${ra.state}/${ra.appointmentId}/${ra.error?.code} and ${rb.state}/${rb.appointmentId}`);
      }
      await closeTabs();
    }
  } finally {
    await admin('scenario', { scenario: 'immediate' });
  }
  report('a second tab booking while the first is in flight', failures);
  assert.deepEqual(failures, []);
});

  test(`${engine}: ${storage}: an event a closed tab left pending is published by one of the next tabs, without flushOutbox()`, async () => {
  await admin('scenario', { scenario: 'slow' });
  const failures = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const storageKey = `tabs-drain-${round}-${Date.now()}`;
      const first = await openTab(storageKey);
      const request = payload();
      // The first tab goes away while its event is being published (create and publish take
      // 300 ms each in the slow scenario).
      await first.evaluate((r) => { window.client.book(r); }, request);
      await first.waitForFunction(() => window.sent.includes('POST /events'), null, { timeout: 5000 });
      await first.close();
      pages.splice(pages.indexOf(first), 1);
      const [b, c] = [await openTab(storageKey), await openTab(storageKey)];
      const settled = (page) => page.waitForFunction(() => window.client.outbox().length === 1
        && window.client.outbox()[0].status === 'published', null, { timeout: 10000 }).then(() => true, () => false);
      const published = await settled(b) || await settled(c);
      const publishes = { length: await sent(b, 'POST /events') + await sent(c, 'POST /events') };
      const reloaded = await openTab(storageKey);
      const seen = await reloaded.evaluate(() => window.client.outbox().map((e) => e.status));
      if (!published || publishes.length > 1 || seen.join() !== 'published') {
        failures.push(`round ${round}: published ${published}, ${publishes.length} publishes by the next tabs, a later tab sees ${seen.join()}`);
      }
      await closeTabs();
    }
  } finally {
    await admin('scenario', { scenario: 'immediate' });
  }
  report('an event left pending is published by one next tab on its own', failures);
  assert.deepEqual(failures, []);
});

  test(`${engine}: ${storage}: an outage seen in one tab opens the breaker in the other, and one tab sends the probe`, async () => {
  // Four rounds unless TABS_ROUNDS asks (a round is mostly the cool-down's wait; the probe
  // across tabs is also stepped exactly by crates/core/tests/shared_breaker.rs, and the soak shares the
  // breaker between its tabs).
  const rounds = process.env.TABS_ROUNDS ? ROUNDS : Math.min(ROUNDS, 4);
  const failures = [];
  const settings = { breakerThreshold: 3, breakerCooldownMs: 800, attempts: 3 };
  for (let round = 0; round < rounds; round++) {
    const storageKey = `tabs-breaker-${round}-${Date.now()}`;
    const [a, b] = [await openTab(storageKey, settings), await openTab(storageKey, settings)];
    const creates = async () => await sent(a, 'POST /appointments') + await sent(b, 'POST /appointments');
    await admin('scenario', { scenario: 'down' });
    const outage = await book(a, payload());
    await b.waitForFunction(() => window.client.breaker().state === 'open', null, { timeout: 5000 }).catch(() => {});
    const shortCircuited = await book(b, payload());
    const bCallsWhileOpen = await sent(b, 'POST /appointments');
    // After the cool-down the provider is back but slow (creates answer after 0.8 s): the two
    // tabs book at once, so the other tab asks while the probe is out.
    await admin('scenario', { scenario: 'delayed' });
    await new Promise((ok) => setTimeout(ok, settings.breakerCooldownMs + 100));
    const before = await creates();
    const [ra, rb] = await bookAtOnce([[a, payload()], [b, payload()]]);
    const probes = await creates() - before;
    await admin('scenario', { scenario: 'immediate' });
    for (const p of [a, b]) await p.waitForFunction(() => window.client.breaker().state === 'closed', null, { timeout: 5000 }).catch(() => {});
    const states = [await a.evaluate(() => window.client.breaker().state), await b.evaluate(() => window.client.breaker().state)];
    const completed = [ra, rb].filter((r) => r.state === 'completed').length;
    const refused = [ra, rb].filter((r) => r.error?.code === 'circuit_open').length;
    if (outage.error?.code !== 'retry_exhausted' || shortCircuited.error?.code !== 'circuit_open' || bCallsWhileOpen !== 0
      || probes !== 1 || completed !== 1 || refused !== 1 || states.join() !== 'closed,closed') {
      failures.push(`round ${round}: outage ${outage.error?.code}, other tab ${shortCircuited.error?.code} with ${bCallsWhileOpen} calls; `
        + `after the cool-down ${probes} creates (${completed} completed, ${refused} circuit_open), breakers ${states.join()}`);
    }
    await closeTabs();
  }
  console.log(`tabs: ${ENGINE}: ${STORAGE}: a breaker opened by one tab short-circuits the other; one probe across tabs: ${failures.length} of ${rounds} rounds failed${failures.length ? ` (first: ${failures[0]})` : ''}`);
  assert.deepEqual(failures, []);
});

  });
}
});
