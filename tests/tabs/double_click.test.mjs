// A double click in one tick that ends compensated is one booking (issue 16): the page's
// provider answers the create 201, every `POST /events` 503 and the cancel 200, and the page
// calls `Promise.all([client.book(r), client.book(r)])`. The second call joins the first: one
// create under one key, one cancel, both answered failed and compensated with the one
// appointment. With no storage option (the default), 'local', 'indexeddb' and 'none';
// DOUBLE_ROUNDS rounds each (20). BROWSERS picks the engines (default all).
//
//   node --test tests/tabs/double_click.test.mjs      (needs pkg/: npm run build)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStaticServer } from '../../scripts/serve.mjs';
import { eachEngine } from '../support/browsers.mjs';

const ROUNDS = Number(process.env.DOUBLE_ROUNDS ?? 20);
let server, url;
before(async () => { ({ server, url } = await startStaticServer({ port: 0 })); });
after(() => server?.close());

eachEngine((engine, browser) => {
  for (const storage of [undefined, 'local', 'indexeddb', 'none']) {
    const what = storage === undefined ? 'no storage option' : `storage '${storage}'`;
    test(`${engine}: ${what}: a double click in one tick that ends compensated makes one create under one key`, async () => {
      const page = await browser.newPage();
      await page.goto(`${url}drop-in.html`);
      const failures = await page.evaluate(async ({ storage, rounds }) => {
        const mod = await import('/pkg/raptor_secondary.js');
        await mod.default();
        const failures = [];
        for (let round = 0; round < rounds; round++) {
          const calls = [];
          const fetch = async (u, init) => {
            const what = u.endsWith('/events') ? 'publish' : u.endsWith('/cancel') ? 'cancel' : 'create';
            calls.push([what, init.headers['Idempotency-Key']]);
            if (what === 'publish') return new Response('{}', { status: 503 });
            const id = `apt_${round}_${calls.length}`;
            return new Response(JSON.stringify({ id, status: what === 'cancel' ? 'cancelled' : 'confirmed' }),
              { status: what === 'cancel' ? 200 : 201 });
          };
          const config = { baseUrl: 'http://127.0.0.1:9/api/v2', fetch, storageKey: `double-${round}-${Math.random()}`, baseDelayMs: 1, maxDelayMs: 2 };
          if (storage !== undefined) config.storage = storage;
          const client = new mod.AppointmentClient(config);
          const request = {
            calendarId: `cal_double_${round}`, slotStart: new Date(Date.now() + 5 * 86400000).toISOString(),
            durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
          };
          const [a, b] = await Promise.all([client.book(request), client.book(request)]);
          client.free();
          const creates = calls.filter(([w]) => w === 'create');
          const cancels = calls.filter(([w]) => w === 'cancel');
          const ok = creates.length === 1 && cancels.length === 1 && a.idempotencyKey === b.idempotencyKey
            && a.appointmentId === b.appointmentId && a.compensated && b.compensated
            && a.error?.code === 'outbox_publish_failed' && b.error?.code === 'outbox_publish_failed';
          if (!ok) {
            failures.push(`round ${round}: ${creates.length} creates under ${new Set(creates.map(([, k]) => k)).size} keys, `
              + `${cancels.length} cancels; answers ${a.error?.code}/${a.compensated} and ${b.error?.code}/${b.compensated}`);
          }
        }
        return failures;
      }, { storage, rounds: ROUNDS });
      await page.close();
      console.log(`tabs: ${engine}: ${what}: a compensated double click: ${failures.length} of ${ROUNDS} rounds made more than one booking${failures.length ? ` (first: ${failures[0]})` : ''}`);
      assert.deepEqual(failures, []);
    });
  }
});
