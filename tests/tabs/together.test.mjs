// Tabs that start together (issue 16): pages of one browser profile each build an
// AppointmentClient for a storage key that holds nothing yet, at the same moment (a wall-clock
// instant agreed in advance, so the test driver does not serialise them), and book one shared
// payload at once, each also booking one payload of its own; then another page on the same key
// re-books every payload. Every tab must key payloads with one origin secret: the shared
// payload is one appointment and the later page replays every earlier booking.
//
// Two and three tabs, each with `storage: 'local'` (the secret agreed in IndexedDB), 'indexeddb',
// and 'local' on a page without IndexedDB (agreed through the Web Locks registry): TOGETHER_ROUNDS
// rounds each (60 in Chromium, 20 in Firefox and WebKit). Then 'local' with neither (nothing orders the tabs: they converge on the
// lowest secret and re-key, so the later page still replays every booking; two tabs booking one
// payload at the same instant can each book it there, a documented limit, whose rate is printed).
// BROWSERS picks the engines (chromium, firefox, webkit, a list or all; default all).
//
//   node --test tests/tabs/together.test.mjs      (needs pkg/: npm run build)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoForFile, eachEngine } from '../support/browsers.mjs';

// 60 rounds in Chromium, 20 in Firefox and WebKit (the run's time; TOGETHER_ROUNDS for more).
const roundsIn = (engine) => Number(process.env.TOGETHER_ROUNDS ?? (engine === 'chromium' ? 60 : 20));
const MODES = [
  { storage: 'local', hide: [] },
  { storage: 'indexeddb', hide: [] },
  { storage: 'local', hide: ['indexedDB'] },
  { storage: 'local', hide: ['indexedDB', 'locks'], unordered: true },
];
const demo = demoForFile();
const { admin } = demo;

let calendar = 0;
const SLOT = new Date(Math.ceil(Date.now() / 86400000) * 86400000 + 3 * 86400000).toISOString();
const payload = () => ({
  calendarId: `cal_together_${Date.now()}_${++calendar}`, slotStart: SLOT,
  durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
});

/**
 * Schedules in `page`, at wall-clock time `at`: a new client on `storageKey`, then (in the same
 * tick) the shared booking and this tab's own. Returns at once, so every page is scheduled
 * before any starts in every engine (WebDriver runs one script at a time); `collect` waits.
 */
const startTogether = (page, settings) => page.evaluate(({ at, providerUrl, storage, storageKey, shared, own }) => {
  // A Wasm trap in this page's timer (WebKit 2.38's engine fault, docs/testing.md) is kept,
  // since nothing awaits the timer: collect() reports it instead of waiting for ever.
  if (!('trapSeen' in window)) {
    window.trapSeen = null;
    const keep = (error) => {
      if (error instanceof WebAssembly.RuntimeError) window.trapSeen ??= `${error}\n${error.stack}`;
    };
    addEventListener('error', (e) => keep(e.error));
    addEventListener('unhandledrejection', (e) => keep(e.reason));
  }
  window.together = new Promise((resolve) => {
    setTimeout(() => {
      window.client?.free();
      window.client = new window.mod.AppointmentClient({ baseUrl: providerUrl, storage, storageKey });
      Promise.all([window.client.book(shared), window.client.book(own)]).then(resolve);
    }, Math.max(0, at - Date.now()));
  });
}, settings);

/**
 * Each page's bookings, awaited a page at a time (WebDriver runs one script at a time), for at
 * most 60 s each. A page that trapped, or waits on a tab that trapped while it held the Web
 * Lock, is reported with the trap in the words of scripts/engines.mjs (run_tests.sh runs the
 * file again on it), not after WebDriver's 600 s script timeout.
 */
async function collectAll(engine, pages) {
  const results = [];
  for (const page of pages) {
    const out = await page.evaluate(() => Promise.race([
      window.together.then((value) => ({ value })),
      new Promise((resolve) => {
        const started = Date.now();
        const look = setInterval(() => {
          if (window.trapSeen || Date.now() - started > 60_000) {
            clearInterval(look);
            resolve({ trap: window.trapSeen });
          }
        }, 100);
      }),
    ]));
    if ('value' in out) {
      results.push(out.value);
      continue;
    }
    const traps = [];
    for (const other of pages) traps.push(await other.evaluate(() => window.trapSeen));
    const trap = traps.find(Boolean);
    if (trap) throw new Error(`in ${engine === 'webkit' ? 'WebKit' : engine}: ${trap}`);
    throw new Error(`a tab's bookings did not answer in 60 s, and no tab trapped`);
  }
  return results;
}

const name = ({ storage, hide }) => `${storage}${hide.length ? ` without ${hide.join(' or ')}` : ''}`;

eachEngine((engine, browser) => {
  /** `count` pages on the demo's origin with the ES module loaded; `hide` taken away. */
  async function openPages(count, hide) {
    const pages = [];
    for (let i = 0; i < count; i++) {
      const page = await browser.newPage();
      await page.goto(`${demo.url}drop-in.html`);
      await page.evaluate(async (hide) => {
        if (hide.includes('indexedDB')) Object.defineProperty(window, 'indexedDB', { value: undefined });
        if (hide.includes('locks')) Object.defineProperty(navigator, 'locks', { value: undefined });
        window.mod = await import('/pkg/raptor_secondary.js');
        await window.mod.default();
      }, hide);
      pages.push(page);
    }
    return pages;
  }

  for (const mode of MODES) {
    for (const tabs of [2, 3]) {
      const what = name(mode);
      const rounds = mode.unordered ? Math.ceil(roundsIn(engine) / 4) : roundsIn(engine);
      test(`${engine}: ${what}: ${tabs} tabs built at the same moment book a shared payload once, and a later page replays every booking`, async () => {
        const pages = await openPages(tabs + 1, mode.hide);
        const failures = [];
        let doubled = 0;
        for (let round = 0; round < rounds; round++) {
          const storageKey = `together-${engine}-${what}-${tabs}-${round}-${Date.now()}`;
          const shared = payload();
          const own = pages.slice(0, tabs).map(() => payload());
          const at = Date.now() + 100;
          for (const [i, page] of pages.slice(0, tabs).entries()) {
            await startTogether(page, { at, providerUrl: demo.providerUrl, storage: mode.storage, storageKey, shared, own: own[i] });
          }
          const results = await collectAll(engine, pages.slice(0, tabs));
          const stats = await admin('stats');
          const active = stats.appointments.filter((a) => a.calendarId === shared.calendarId
            && a.appointment.status !== 'cancelled').length;
          // Unordered tabs hear of each other's secret through storage events: a moment.
          if (mode.unordered) await new Promise((ok) => setTimeout(ok, Number(process.env.CONVERGE_MS ?? 200)));
          // A later page on the same key: every earlier booking is replayed, none booked anew.
          const again = await pages[tabs].evaluate(({ providerUrl, storage, storageKey, requests }) => {
            window.client?.free();
            window.client = new window.mod.AppointmentClient({ baseUrl: providerUrl, storage, storageKey });
            return Promise.all(requests.map((r) => window.client.book(r)));
          }, { providerUrl: demo.providerUrl, storage: mode.storage, storageKey, requests: [shared, ...own] });
          const completed = results.flat().filter((r) => r.state === 'completed').length;
          const replayed = again.filter((r) => r.idempotentReplay && r.state === 'completed').length;
          const oneShared = active === 1 && new Set(results.map(([r]) => r.appointmentId)).size === 1
            && again[0].appointmentId === results[0][0].appointmentId;
          doubled += active > 1;
          if (completed !== 2 * tabs || replayed !== tabs + 1 || (!oneShared && !mode.unordered)) {
            failures.push(`round ${round}: shared payload held ${active} times; ${completed} of ${2 * tabs} completed; `
              + `the later page replayed ${replayed} of ${tabs + 1}`);
          }
        }
        for (const page of pages) await page.close();
        const limit = mode.unordered ? `; the shared payload was booked more than once in ${doubled} of ${rounds} (documented limit)` : '';
        console.log(`tabs: ${engine}: ${what}: ${tabs} tabs built together: ${failures.length} of ${rounds} rounds failed${limit}${failures.length ? ` (first: ${failures[0]})` : ''}`);
        assert.deepEqual(failures, []);
      });
    }
  }
});
