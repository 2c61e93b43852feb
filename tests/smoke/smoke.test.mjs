// One smoke test per browser, for the quick lane (./run_tests.sh --quick): in each engine
// (scripts/engines.mjs; BROWSERS, default all) the drop-in page answers real clicks, the
// IE11-style one included, and the client books once with the default storage and replays the
// second click. Needs pkg/ (npm run build).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStaticServer } from '../../scripts/serve.mjs';
import { eachEngine } from '../support/browsers.mjs';

let server, url;
before(async () => { ({ server, url } = await startStaticServer({ port: 0 })); });
after(() => server?.close());

eachEngine((engine, browser) => {
  test(`${engine}: real clicks get their labels and a click books once`, async () => {
    const page = await browser.newPage();
    await page.goto(`${url}drop-in.html`);
    await page.watchErrors();
    await page.evaluate(() => RaptorSecondary.ready);
    await page.click('#book');
    await page.click('#ie11');
    const labels = await page.$$eval('#log tr', (rows) => rows.map((r) => r.cells[1].textContent));
    assert.deepEqual(labels, ['book-appointment', 'reschedule-appointment']);
    const out = await page.evaluate(async () => {
      const mod = await import('/pkg/raptor_secondary.js');
      await mod.default();
      let creates = 0;
      const fetch = async (u) => {
        if (!u.endsWith('/events')) creates += 1;
        return new Response(u.endsWith('/events') ? '{}' : '{"id":"apt_smoke","status":"confirmed"}', { status: 201 });
      };
      const client = new mod.AppointmentClient({ baseUrl: 'http://127.0.0.1:9/api/v2', fetch, storageKey: `smoke-${Math.random()}` });
      const request = {
        calendarId: 'cal_smoke', slotStart: new Date(Date.now() + 3 * 86400000).toISOString(), durationMinutes: 30,
        patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
      };
      const [first, second] = await Promise.all([client.book(request), client.book(request)]);
      client.free();
      return { states: [first.state, second.state], replay: second.idempotentReplay, creates };
    });
    assert.deepEqual(out, { states: ['completed', 'completed'], replay: true, creates: 1 });
    assert.deepEqual(await page.errors(), []);
    console.log(`smoke: ${engine} ${browser.version}: real clicks labelled, one create for a double click`);
    await page.close();
  });
});
