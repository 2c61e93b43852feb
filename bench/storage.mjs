// Benchmark: what saving costs per booking as records accumulate, in each browser, with an
// in-page provider stub (no network): the same bookings with nothing kept (`storage: 'none'`),
// with localStorage ('local'), with IndexedDB ('indexeddb') and with no storage option (the
// default: IndexedDB here), after 0, 500 and 1,000 records were saved. Prints ms per booking
// (median of rounds) and the ratio to nothing kept. Asserts nothing.
//
//   node bench/storage.mjs [--bookings 50] [--rounds 3] [--browser chromium|firefox|webkit|all]
//   (needs npm run build first)
import { parseArgs } from 'node:util';
import { startStaticServer } from '../scripts/serve.mjs';
import { engines, launch } from '../scripts/engines.mjs';
import { browserVersion, row as figure } from './rows.mjs';

const { values } = parseArgs({ options: { bookings: { type: 'string', default: '50' }, rounds: { type: 'string', default: '3' }, browser: { type: 'string', default: 'chromium' } } });
const BOOKINGS = Number(values.bookings);
const ROUNDS = Number(values.rounds);
const { server, url } = await startStaticServer({ port: 0 });
for (const engine of engines(values.browser)) {
const browser = await launch(engine);
browserVersion(browser);
try {
  const rows = [];
  for (const saved of [0, 500, 1000]) {
    const row = { saved };
    for (const storage of ['none', 'local', 'indexeddb', undefined]) {
      const times = [];
      for (let round = 0; round < ROUNDS; round++) {
        const page = await browser.newPage();
        await page.goto(`${url}drop-in.html`);
        times.push(await page.evaluate(async ({ storage, saved, bookings, round }) => {
          const mod = await import('/pkg/raptor_secondary.js');
          await mod.default();
          let n = 0;
          const fetch = async (u) => new Response(u.endsWith('/events') ? '{}' : `{"id":"apt_${++n}","status":"confirmed"}`, { status: 201 });
          const config = { baseUrl: 'http://127.0.0.1:9/api/v2', fetch, storageKey: `bench-${saved}-${round}-${Math.random()}`, logCapacity: 0, idempotencyMaxEntries: 2000 };
          if (storage !== undefined) config.storage = storage;
          const client = new mod.AppointmentClient(config);
          await client.ready;
          const request = (i) => ({ calendarId: `cal_${i}`, slotStart: new Date(Date.now() + 3 * 86400000).toISOString(), durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org' });
          for (let i = 0; i < saved; i += 50) await Promise.all(Array.from({ length: Math.min(50, saved - i) }, (_, j) => client.book(request(i + j))));
          const t0 = performance.now();
          for (let i = 0; i < bookings; i++) await client.book(request(saved + i));
          const ms = (performance.now() - t0) / bookings;
          client.free();
          return ms;
        }, { storage, saved, bookings: BOOKINGS, round }));
        await page.close();
      }
      row[storage ?? 'default'] = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
    }
    rows.push(row);
  }
  for (const r of rows) {
    console.log(`bench: ${engine}: storage cost after ${String(r.saved).padStart(4)} saved records: none ${r.none.toFixed(2)} ms/booking, `
      + `local ${r.local.toFixed(2)} ms (${(r.local / r.none).toFixed(1)}x), indexeddb ${r.indexeddb.toFixed(2)} ms (${(r.indexeddb / r.none).toFixed(1)}x), `
      + `default ${r.default.toFixed(2)} ms (${(r.default / r.none).toFixed(1)}x; ${(r.default / r.indexeddb).toFixed(2)}x indexeddb)`);
    for (const kind of ['local', 'indexeddb']) {
      figure('storage', `book() with storage '${kind}', ${r.saved} records saved`, `${r[kind].toFixed(2)} ms`, `${r.none.toFixed(2)} ms (storage 'none')`, `${(r[kind] / r.none).toFixed(2)}x`, engine);
    }
    figure('storage', `book() with no storage option (the default), ${r.saved} records saved`, `${r.default.toFixed(2)} ms`, `${r.indexeddb.toFixed(2)} ms (storage 'indexeddb')`, `${(r.default / r.indexeddb).toFixed(2)}x`, engine);
  }
} finally {
  await browser.close();
}
}
server.close();
