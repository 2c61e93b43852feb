// With `storage: 'local'`, a payload one tab just booked is replayed by another tab, never
// booked again, even where the other tab's localStorage reads late (a write reaches other tabs
// late, even read under a Web Lock: the tabs tier met it in 1 round of 60 on a loaded
// machine, before a booking's record was announced in the lock registry). Here the lateness is
// made certain in real browsers: each window's `localStorage` is a wrapper over the real one
// whose reads, once frozen, return what it held then. Two windows of one profile (real Web
// Locks across them) against the real mock provider: one after the other, and both at the same
// moment. LATE_ROUNDS rounds (8) per form. BROWSERS picks the engines (default all).
//
//   node --test tests/tabs/late_local.test.mjs      (needs pkg/: npm run build)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoForFile, eachEngine } from '../support/browsers.mjs';

const ROUNDS = Number(process.env.LATE_ROUNDS ?? 8);
const demo = demoForFile();
const { admin } = demo;
const SLOT = new Date(Math.ceil(Date.now() / 86400000) * 86400000 + 5 * 86400000).toISOString();
let calendar = 0;

/** In the page: `localStorage` becomes a wrapper whose reads can lag (`window.lag.freeze()`). */
function lagging() {
  const real = window.localStorage;
  let then = null;
  const read = () => then ?? new Map(Array.from({ length: real.length }, (_, i) => [real.key(i), real.getItem(real.key(i))]));
  const lag = {
    freeze() { then = read(); },
    thaw() { then = null; },
    getItem: (k) => (then ? (then.get(k) ?? null) : real.getItem(k)),
    setItem: (k, v) => real.setItem(k, v),
    removeItem: (k) => real.removeItem(k),
    key: (i) => (then ? ([...then.keys()][i] ?? null) : real.key(i)),
    get length() { return then ? then.size : real.length; },
  };
  Object.defineProperty(window, 'localStorage', { value: lag, configurable: true });
  window.lag = lag;
}

eachEngine((engine, browser) => {
  for (const together of [false, true]) {
    const form = together ? 'both at the same moment' : 'one after the other';
    test(`${engine}: local: a payload booked in one tab is replayed by another whose localStorage reads late (${form})`, async () => {
      const pages = [await browser.newPage(), await browser.newPage()];
      for (const page of pages) {
        await page.goto(`${demo.url}drop-in.html`);
        await page.evaluate(lagging);
        await page.evaluate(async () => {
          window.mod = await import('/pkg/raptor_secondary.js');
          await window.mod.default();
        });
      }
      const failures = [];
      for (let round = 0; round < ROUNDS; round++) {
        const storageKey = `late-${engine}-${together}-${round}-${Date.now()}`;
        for (const page of pages) {
          await page.evaluate(async ({ providerUrl, storageKey }) => {
            window.lag.thaw();
            window.client?.free();
            window.client = new window.mod.AppointmentClient({ baseUrl: providerUrl, storage: 'local', storageKey });
            await window.client.ready;
            window.lag.freeze(); // from here on, neither window reads the other's writes
          }, { providerUrl: demo.providerUrl, storageKey });
        }
        const request = {
          calendarId: `cal_late_${Date.now()}_${++calendar}`, slotStart: SLOT, durationMinutes: 30,
          patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
        };
        let results;
        if (together) {
          const at = Date.now() + 150;
          const book = (page) => page.evaluate(({ at, request }) => new Promise((done) => {
            setTimeout(() => done(window.client.book(request)), at - Date.now());
          }), { at, request });
          results = await Promise.all(pages.map(book));
        } else {
          results = [];
          for (const page of pages) results.push(await page.evaluate((r) => window.client.book(r), request));
        }
        const held = (await admin('stats')).appointments
          .filter((a) => a.calendarId === request.calendarId && a.appointment.status !== 'cancelled');
        const ids = new Set(results.map((r) => r.appointmentId));
        if (held.length !== 1 || ids.size !== 1 || results.some((r) => r.state !== 'completed')
          || results.filter((r) => r.idempotentReplay).length !== 1) {
          failures.push(`round ${round}: ${held.length} held; ${results.map((r) => `${r.state} ${r.appointmentId} replay ${r.idempotentReplay}`).join(', ')}`);
        }
      }
      for (const page of pages) await page.close();
      console.log(`tabs: ${engine}: local, reads late (${form}): ${failures.length} of ${ROUNDS} rounds booked the payload again${failures.length ? ` (first: ${failures[0]})` : ''}`);
      assert.deepEqual(failures, []);
    });
  }
});
