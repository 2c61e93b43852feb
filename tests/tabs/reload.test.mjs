// Out of the box, a reload does not book again (issue 16): a page loads three times, each
// load builds `new AppointmentClient({ baseUrl })` and books the same slot for the same patient,
// against the real mock provider. With no `storage` option (IndexedDB, then localStorage, then
// memory), and with each storage, that is one appointment, the second and third loads replaying
// it; a page that opts out (`storage: 'none'`) books each time, as every page did before.
// RELOAD_ROUNDS rounds per storage (5). BROWSERS picks the engines (default all).
//
//   node --test tests/tabs/reload.test.mjs      (needs pkg/: npm run build)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoForFile, eachEngine } from '../support/browsers.mjs';

const ROUNDS = Number(process.env.RELOAD_ROUNDS ?? 5);
const demo = demoForFile();
const { admin } = demo;
let calendar = 0;
const SLOT = new Date(Math.ceil(Date.now() / 86400000) * 86400000 + 4 * 86400000).toISOString();

// Absent first: the default, with no storageKey either, exactly as the README's examples.
const STORAGES = [undefined, 'indexeddb', 'local', 'session', 'none'];

eachEngine((engine, browser) => {
  for (const storage of STORAGES) {
    const what = storage === undefined ? 'no storage option (the default)' : `storage '${storage}'`;
    const expected = storage === 'none' ? 3 : 1;
    test(`${engine}: ${what}: three loads booking one payload make ${expected === 1 ? 'one appointment' : 'three appointments'}`, async () => {
      const page = await browser.newPage();
      const failures = [];
      for (let round = 0; round < ROUNDS; round++) {
        const request = {
          calendarId: `cal_reload_${Date.now()}_${++calendar}`, slotStart: SLOT, durationMinutes: 30,
          patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
        };
        const results = [];
        for (let load = 0; load < 3; load++) {
          await page.goto(`${demo.url}drop-in.html?load=${load}`);
          results.push(await page.evaluate(async ({ providerUrl, storage, request }) => {
            const mod = await import('/pkg/raptor_secondary.js');
            await mod.default();
            const config = { baseUrl: providerUrl };
            if (storage !== undefined) config.storage = storage;
            const client = new mod.AppointmentClient(config);
            return client.book(request);
          }, { providerUrl: demo.providerUrl, storage, request }));
        }
        const stats = await admin('stats');
        const made = stats.appointments.filter((a) => a.calendarId === request.calendarId).length;
        const replays = results.filter((r) => r.idempotentReplay).length;
        const completed = results.filter((r) => r.state === 'completed').length;
        if (made !== expected || completed !== 3 || replays !== 3 - expected) {
          failures.push(`round ${round}: ${made} appointments, ${completed} of 3 completed, ${replays} replays`);
        }
      }
      await page.close();
      console.log(`tabs: ${engine}: ${what}: three loads of one payload: ${failures.length} of ${ROUNDS} rounds failed${failures.length ? ` (first: ${failures[0]})` : ''}`);
      assert.deepEqual(failures, []);
    });
  }
});
