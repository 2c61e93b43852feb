#!/usr/bin/env node
// What a booking costs through the client against a bare fetch of the same POST, in each
// browser, interleaved in blocks: with an instant in-page provider (a fetch that answers at
// once: the client's own overhead) and against the mock provider over loopback. A booking is
// two HTTP requests (the create and its follow-up event), so figures are given per booking and
// per request. The client keeps nothing (`storage: 'none'`): bench/storage.mjs measures what
// saving adds, the default's included. The page is cross-origin isolated, so performance.now()
// steps in 5 to 20 µs. Then the memory a page holds after 100,000 bookings and after 1,000,000
// getActionLabel calls (Wasm memory; the JS heap after gc where the browser shows it: Chromium).
// Prints figures; asserts nothing. Needs pkg/ (npm run build); builds the mock provider.
//
//   node bench/booking.mjs [--bookings 2000] [--loopback 400] [--memory 100000] [--labels 1000000]
//                          [--browser chromium|firefox|webkit|all]
import { parseArgs } from 'node:util';
import { engines, launch } from '../scripts/engines.mjs';
import { buildProvider, startProvider } from '../scripts/demo.mjs';
import { startStaticServer } from '../scripts/serve.mjs';
import { browserVersion, ratio, row as figure } from './rows.mjs';

const { values } = parseArgs({
  options: {
    bookings: { type: 'string', default: '2000' }, loopback: { type: 'string', default: '400' },
    memory: { type: 'string', default: '100000' }, labels: { type: 'string', default: '1000000' },
    browser: { type: 'string', default: 'chromium' }, help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('node bench/booking.mjs [--bookings 2000] [--loopback 400] [--memory 100000] [--labels 1000000] [--browser chromium|firefox|webkit|all]\n(see the comment at the top of bench/booking.mjs; needs npm run build)');
  process.exit(0);
}
const N = Number(values.bookings);
const LOOPBACK = Number(values.loopback);

buildProvider({ quiet: true });
const provider = await startProvider({ port: 0, quiet: true });
// Cross-origin isolated, so performance.now() ticks in microseconds rather than 0.1 ms.
const page = await startStaticServer({
  port: 0,
  headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' },
});
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
for (const engine of engines(values.browser)) {
const browser = await launch(engine);
browserVersion(browser);
const row = (...args) => figure(...args, engine);
try {
  const tab = await browser.newPage();
  await tab.goto(`${page.url}drop-in.html`);
  await tab.evaluate(async () => {
    if (!crossOriginIsolated) throw new Error('bench: the page is not cross-origin isolated');
    const mod = await import('/pkg/raptor_secondary.js');
    window.wasm = await mod.default();
    window.mod = mod;
    const json = (body) => new Response(JSON.stringify(body), { status: 201, headers: { 'content-type': 'application/json' } });
    window.instant = async (url) => (url.endsWith('/events') ? json({ id: 'evt', status: 'published' }) : json({ id: `apt_${++window.made}`, status: 'confirmed' }));
    window.made = 0;
    let n = 0;
    const day = Math.ceil(Date.now() / 86400000) * 86400000 + 7 * 86400000;
    window.request = () => ({ calendarId: `cal_${++n}`, slotStart: new Date(day).toISOString(), durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org' });
  });

  /** Times `count` operations of each kind, interleaved in blocks of 100; ms per operation. */
  const timed = (count, baseUrl, instant) => tab.evaluate(async ({ count, baseUrl, instant }) => {
    const fetcher = instant ? window.instant : fetch;
    const client = new window.mod.AppointmentClient({ baseUrl, fetch: fetcher, logCapacity: 0, storage: 'none' });
    const bare = async (request) => {
      const res = await fetcher(`${baseUrl}/appointments`, {
        method: 'POST', body: JSON.stringify(request),
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      });
      return res.json();
    };
    // Each operation timed alone, and each block of 100 as a whole: a block's mean is exact
    // where one operation is shorter than the clock's step (WebKit: 20 µs at best).
    const out = { client: [], bare: [], clientBlocks: [], bareBlocks: [] };
    for (let done = 0; done < count; done += 100) {
      for (const kind of done % 200 ? ['client', 'bare'] : ['bare', 'client']) {
        const block = performance.now();
        for (let i = 0; i < 100; i++) {
          const request = window.request();
          const t0 = performance.now();
          if (kind === 'client') {
            const r = await client.book(request);
            if (r.state !== 'completed') throw new Error(JSON.stringify(r.error));
          } else {
            await bare(request);
          }
          out[kind].push(performance.now() - t0);
        }
        out[`${kind}Blocks`].push((performance.now() - block) / 100);
      }
    }
    client.free();
    return out;
  }, { count, baseUrl, instant });

  for (const [name, count, baseUrl, instant] of [
    ['instant in-page provider', N, 'https://provider.example/api/v2', true],
    ['mock provider over loopback', LOOPBACK, provider.url, false],
  ]) {
    const t = await timed(count, baseUrl, instant);
    const c50 = quantile(t.client, 0.5); const c95 = quantile(t.client, 0.95);
    const b50 = quantile(t.bare, 0.5); const b95 = quantile(t.bare, 0.95);
    // Per booking: the median over blocks of 100 of each block's mean.
    const cb = quantile(t.clientBlocks, 0.5); const bb = quantile(t.bareBlocks, 0.5);
    const perSecond = (xs) => Math.round(xs.length / (xs.reduce((a, b) => a + b, 0) / 1000));
    console.log(`bench: ${engine}: book() vs a bare fetch, ${name}, ${count} each: per booking (median block mean) ${cb.toFixed(3)} vs ${bb.toFixed(3)} ms (${ratio(cb, bb)}); each alone p50 ${c50.toFixed(3)} vs ${b50.toFixed(3)} ms, p95 ${c95.toFixed(3)} vs ${b95.toFixed(3)} ms; ${perSecond(t.client)} vs ${perSecond(t.bare)} per second; per HTTP request (2 per booking) ${(cb / 2).toFixed(3)} ms (${ratio(cb / 2, bb)})`);
    row('booking', `book() per booking, ${name} (median of 100-booking blocks)`, `${cb.toFixed(3)} ms`, `${bb.toFixed(3)} ms (bare fetch)`, ratio(cb, bb));
    row('booking', `book() per HTTP request, ${name} (2 per booking)`, `${(cb / 2).toFixed(3)} ms`, `${bb.toFixed(3)} ms (bare fetch)`, ratio(cb / 2, bb));
    if (!instant) {
      // Over loopback one call lasts milliseconds: each alone is well above the clock's step.
      row('booking', `book() p50, ${name}`, `${c50.toFixed(3)} ms`, `${b50.toFixed(3)} ms (bare fetch)`, ratio(c50, b50));
      row('booking', `book() p95, ${name}`, `${c95.toFixed(3)} ms`, `${b95.toFixed(3)} ms (bare fetch)`, ratio(c95, b95));
    }
    row('booking', `bookings per second, ${name}`, `${perSecond(t.client)}`, `${perSecond(t.bare)} (bare fetch)`, ratio(perSecond(t.client), perSecond(t.bare)));
  }

  // Memory: what a long-lived page holds (caps: 500 records, 1,000 settled events, no logs kept).
  const memory = await tab.evaluate(async ({ bookings, labels }) => {
    // The JS heap can be read in Chromium only (performance.memory; gc exposed by the launcher).
    const measure = () => {
      window.gc?.(); window.gc?.();
      return { heap: performance.memory?.usedJSHeapSize ?? null, wasm: window.wasm.memory.buffer.byteLength };
    };
    const client = new window.mod.AppointmentClient({ baseUrl: 'https://provider.example/api/v2', fetch: window.instant, logCapacity: 0, storage: 'none' });
    for (let i = 0; i < 1000; i++) await client.book(window.request());
    const before = measure();
    for (let i = 0; i < bookings; i++) await client.book(window.request());
    const booked = measure();
    const button = document.createElement('button');
    button.setAttribute('data-action', 'book-appointment');
    const event = { srcElement: button };
    for (let i = 0; i < labels; i++) window.mod.getActionLabel(event);
    const labelled = measure();
    return { before, booked, labelled };
  }, { bookings: Number(values.memory), labels: Number(values.labels) });
  const mb = (b) => (b === null ? 'n/a' : `${(b / 1048576).toFixed(1)} MB`);
  console.log(`bench: ${engine}: memory after 1,000 bookings: JS heap ${mb(memory.before.heap)}, Wasm ${mb(memory.before.wasm)}; after ${values.memory} more: ${mb(memory.booked.heap)}, ${mb(memory.booked.wasm)}; after ${values.labels} getActionLabel calls: ${mb(memory.labelled.heap)}, ${mb(memory.labelled.wasm)}`);
  if (memory.before.heap !== null) {
    row('memory', `JS heap after ${values.memory} bookings`, mb(memory.booked.heap), `${mb(memory.before.heap)} (after 1,000)`, ratio(memory.booked.heap, memory.before.heap));
  }
  row('memory', `Wasm memory after ${values.memory} bookings`, mb(memory.booked.wasm), `${mb(memory.before.wasm)} (after 1,000)`, ratio(memory.booked.wasm, memory.before.wasm));
  if (memory.before.heap !== null) {
    row('memory', `JS heap after ${values.labels} getActionLabel calls`, mb(memory.labelled.heap), `${mb(memory.booked.heap)} (before them)`, ratio(memory.labelled.heap, memory.booked.heap));
  }
  row('memory', `Wasm memory after ${values.labels} getActionLabel calls`, mb(memory.labelled.wasm), `${mb(memory.booked.wasm)} (before them)`, ratio(memory.labelled.wasm, memory.booked.wasm));
} finally {
  await browser.close();
}
}
page.server.close();
provider.child.kill();
