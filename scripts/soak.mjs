#!/usr/bin/env node
// `npm run soak`: bookings from several tabs of one browser profile (shared storage, Web Locks)
// against the real mock provider, with injected faults, duplicate clicks and reloads, then the
// provider's books checked. Prints its figures per browser; exits 1 if a check fails.
//
//   node scripts/soak.mjs [--bookings 10000] [--tabs 2] [--faults 0.4] [--duplicates 0.2]
//                         [--reloads 60] [--concurrency 6] [--seed 1] [--storage indexeddb|local]
//                         [--browser chromium|firefox|webkit|all (a comma list too; chromium)]
//   (./run_tests.sh runs a quick form: --bookings 500 --reloads 50; needs npm run build)
//
// Faults, per provider call (40% of the page's calls; the printed share counts the provider's
// calls, retries included), through the mock provider's X-Mock-Scenario header: 503 once,
// 429 and 503 with Retry-After, a create that never answers (the attempt times out), slow and
// pending answers, the event endpoint down (and down for good for 3% of events, whose
// bookings are then compensated). Duplicate clicks book a payload again, in the same
// tab or the other. A reload cuts a tab off with its calls in flight; its payloads are booked
// again in the reloaded tab. At the end the faults stop, every payload whose booking did not
// complete is booked once more (a patient trying again), and the checks run: no slot or key
// with two appointments; every completed booking's appointment held once, active; every
// compensated one cancelled; every slot the provider holds has a completed booking; every
// call answered; every outbox empty.
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HELP = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 22)
  .map((l) => l.replace(/^\/\/ ?/, '')).join('\n');
const { values: opts } = parseArgs({
  options: {
    bookings: { type: 'string', default: '10000' }, tabs: { type: 'string', default: '2' },
    faults: { type: 'string', default: '0.4' }, duplicates: { type: 'string', default: '0.2' },
    reloads: { type: 'string', default: '60' }, concurrency: { type: 'string', default: '6' },
    seed: { type: 'string', default: '1' }, storage: { type: 'string', default: 'indexeddb' },
    browser: { type: 'string', default: 'chromium' },
    build: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
// `npm run soak` passes --build: pkg/ is built after the arguments were read (so --help is instant).
if (opts.build) execFileSync(process.execPath, [fileURLToPath(new URL('./build.mjs', import.meta.url))], { stdio: 'inherit' });
const N = Number(opts.bookings);
const TABS = Number(opts.tabs);
const FAULTS = Number(opts.faults);
const DUPLICATES = Number(opts.duplicates);
const RELOADS = Number(opts.reloads);
const CONCURRENCY = Number(opts.concurrency);
for (const [name, v] of Object.entries({ bookings: N, tabs: TABS, reloads: RELOADS, concurrency: CONCURRENCY })) {
  if (!Number.isInteger(v) || v < (name === 'reloads' ? 0 : 1)) throw new Error(`--${name} must be a whole number`);
}

const { buildProvider, startDemo } = await import('./demo.mjs');
const { engines, launch } = await import('./engines.mjs');
const { rng } = await import('../tests/support/hostile.js');
const BROWSERS = engines(opts.browser);

buildProvider({ quiet: true });
let failed = 0;
for (const engine of BROWSERS) failed += await soak(engine) ? 0 : 1;
process.exit(failed ? 1 : 0);

/** One soak in `engine`; prints its figures, each line naming the engine; whether it held. */
async function soak(engine) {
const say = (line) => console.log(`soak: ${engine}: ${line}`);
// A seeded generator (mulberry32, the hostile tier's), so a run can be repeated.
const rand = rng(Number(opts.seed)).next;

const started = Date.now();
const demo = await startDemo({ port: 0, providerPort: 0, quiet: true });
const browser = await launch(engine);
const origin = new URL(demo.providerUrl).origin;
const admin = (path, body) => fetch(`${origin}/__admin/${path}`, body === undefined ? {}
  : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
const storageKey = `soak-${started}`;
const SLOT = new Date(Math.ceil(Date.now() / 86400000) * 86400000 + 3 * 86400000).toISOString();

/**
 * Loads the client in `page`, with a fetch that injects faults at `rate` (seeded per tab).
 * Bookings are started with `window.soakBook(id, request)`, which returns at once, and their
 * results collected with `window.soakDone()`: every engine runs them concurrently (WebDriver
 * runs one script at a time, so a script awaiting each booking would book one at a time).
 */
async function install(page, tab, rate) {
  await page.evaluate(async ({ providerUrl, storageKey, seed, rate, storage }) => {
    const mod = await import('/pkg/raptor_secondary.js');
    await mod.default();
    window.soakFinished = [];
    window.soakBook = (id, request) => {
      window.client.book(request).then((result) => window.soakFinished.push([id, result]));
    };
    window.soakDone = () => window.soakFinished.splice(0);
    let a = seed >>> 0;
    const next = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const FAULTS = ['fail_once', 'rate_limited', 'unavailable', 'always_timeout', 'slow', 'pending', 'events_down'];
    window.faults = {};
    window.faultRate = rate;
    // A few events fail on every try, so their bookings are compensated (cancelled).
    const doomed = new Set();
    const faulty = (url, init) => {
      const key = init.headers['Idempotency-Key'];
      if (url.endsWith('/events') && window.faultRate > 0 && (doomed.has(key) || next() < 0.03)) {
        doomed.add(key);
        init.headers['X-Mock-Scenario'] = 'events_down';
        window.faults.events_down_for_good = (window.faults.events_down_for_good ?? 0) + 1;
      } else if (next() < window.faultRate) {
        const fault = FAULTS[Math.floor(next() * FAULTS.length)];
        init.headers['X-Mock-Scenario'] = fault;
        window.faults[fault] = (window.faults[fault] ?? 0) + 1;
      }
      return fetch(url, init);
    };
    window.client = new mod.AppointmentClient({
      baseUrl: providerUrl, storage, storageKey, fetch: faulty,
      attemptTimeoutMs: 1000, deadlineMs: 10000, baseDelayMs: 20, maxDelayMs: 300, pollIntervalMs: 100,
      breakerThreshold: 8, breakerCooldownMs: 500,
    });
    await window.client.ready;
  }, { providerUrl: demo.providerUrl, storageKey, seed: Number(opts.seed) * 7919 + tab * 104729 + Date.now(), rate, storage: opts.storage });
}

const pages = [];
for (let tab = 0; tab < TABS; tab++) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => say(`page error in tab ${tab}: ${e.message}`));
  // The client's own warnings (storage); the browser's line per failed request is the faults.
  page.on('console', (m) => {
    if ((m.type() === 'warning' || m.type() === 'warn') && m.text().startsWith('raptor-secondary')) say(`tab ${tab} warning: ${m.text().slice(0, 300)}`);
  });
  await page.goto(`${demo.url}drop-in.html`);
  await install(page, tab, FAULTS);
  pages.push({ page, tab, inFlight: new Set(), generation: 0, waiting: new Map() });
}

// Collects each tab's finished bookings every 20 ms; a reload rejects what its page dropped.
let nextBooking = 0;
let collecting = true;
const collector = (async () => {
  while (collecting) {
    for (const tab of pages) {
      if (!tab.waiting.size || tab.reloading) continue;
      const finished = await tab.page.evaluate(() => window.soakDone()).catch(() => []);
      for (const [id, result] of finished) {
        tab.waiting.get(id)?.resolve(result);
        tab.waiting.delete(id);
      }
    }
    await new Promise((ok) => setTimeout(ok, 20));
  }
})();

const payloads = [];
const counts = { clicks: 0, sameTab: 0, otherTab: 0, reloads: 0, interrupted: 0, retried: 0 };
const byCode = {};
let finished = 0;

function payload(i) {
  return {
    calendarId: `soak_${started}_${i}`, slotStart: SLOT, durationMinutes: 30,
    patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
  };
}

/** Books payload `p` in tab `t`; a reload interrupts it (then it is booked again there). */
function click(t, p) {
  const tab = pages[t];
  counts.clicks += 1;
  const entry = { p, generation: tab.generation };
  const id = ++nextBooking;
  const answered = new Promise((resolve, reject) => tab.waiting.set(id, { resolve, reject }));
  tab.page.evaluate(({ id, r }) => window.soakBook(id, r), { id, r: payloads[p].request }).catch((e) => {
    tab.waiting.get(id)?.reject(e);
    tab.waiting.delete(id);
  });
  const promise = answered.then((result) => {
    payloads[p].results.push({ tab: t, result, at: Date.now() - started, generation: entry.generation });
    const code = result.error?.code ?? 'completed';
    byCode[code] = (byCode[code] ?? 0) + 1;
    finished += 1;
  }, () => {
    counts.interrupted += 1;
    payloads[p].interrupted += 1;
  }).finally(() => tab.inFlight.delete(entry));
  entry.promise = promise;
  tab.inFlight.add(entry);
  return promise;
}

const faults = {};
/** Adds up the faults a tab's page injected (before it reloads, and at the end). */
async function countFaults(page) {
  for (const [k, v] of Object.entries(await page.evaluate(() => window.faults))) faults[k] = (faults[k] ?? 0) + v;
}

async function reload(t) {
  const tab = pages[t];
  counts.reloads += 1;
  await countFaults(tab.page);
  tab.generation += 1;
  const cut = [...tab.inFlight].map((e) => e.p);
  tab.reloading = true;
  await tab.page.reload();
  for (const { reject } of tab.waiting.values()) reject(new Error('the page was reloaded'));
  tab.waiting.clear();
  tab.reloading = false;
  await install(tab.page, t, FAULTS);
  await Promise.all([...tab.inFlight].map((e) => e.promise));
  // The patient clicks again on what the reload cut off.
  for (const p of new Set(cut)) click(t, p);
}

const reloadEvery = RELOADS ? Math.max(1, Math.floor(N / RELOADS)) : Infinity;
let issued = 0;
while (issued < N) {
  const t = Math.floor(rand() * TABS);
  const tab = pages[t];
  if (tab.inFlight.size >= CONCURRENCY) {
    await Promise.race([...tab.inFlight].map((e) => e.promise));
    continue;
  }
  if (payloads.length && rand() < DUPLICATES) {
    // A duplicate click on a recent payload, here or in another tab.
    const p = payloads.length - 1 - Math.floor(rand() * Math.min(payloads.length, 20));
    const other = TABS > 1 && rand() < 0.5 ? (t + 1 + Math.floor(rand() * (TABS - 1))) % TABS : t;
    counts[other === t ? 'sameTab' : 'otherTab'] += 1;
    click(other, p);
  } else {
    payloads.push({ request: payload(payloads.length), results: [], interrupted: 0 });
    click(t, payloads.length - 1);
  }
  issued += 1;
  if (issued % reloadEvery === 0) await reload(Math.floor(rand() * TABS));
  if (issued % 1000 === 0) say(`${issued} clicks issued, ${finished} answered, ${Math.round((Date.now() - started) / 1000)} s`);
}
for (const tab of pages) await Promise.all([...tab.inFlight].map((e) => e.promise));

// The faults stop; every payload that did not complete is booked once more (a patient trying
// again), then every outbox is flushed and drained.
for (const { page } of pages) await page.evaluate(() => { window.faultRate = 0; });
await new Promise((ok) => setTimeout(ok, 600)); // a breaker opened by the faults cools down
// A create that never answered holds its key at the provider (409) for 30 s: such payloads are
// tried again a few seconds apart until the provider lets go.
const incompleteNow = () => payloads.map((x, p) => p).filter((p) => !payloads[p].results.some((r) => r.result.state === 'completed'));
counts.retried = incompleteNow().length;
for (let pass = 0; pass < 12 && incompleteNow().length; pass++) {
  if (pass) await new Promise((ok) => setTimeout(ok, 3000));
  const incomplete = incompleteNow();
  for (let i = 0; i < incomplete.length; i += CONCURRENCY * TABS) {
    await Promise.all(incomplete.slice(i, i + CONCURRENCY * TABS).map((p, j) => click(j % TABS, p)));
  }
}
const outboxes = [];
for (const { page } of pages) {
  const flushed = await page.evaluate(async () => {
    for (let i = 0; i < 20; i++) {
      const { pending } = await window.client.flushOutbox();
      if (pending === 0) break;
      await new Promise((ok) => setTimeout(ok, 200));
    }
    return window.client.outbox().map((e) => e.status);
  });
  outboxes.push(flushed);
}
for (const { page } of pages) await countFaults(page);
collecting = false;
await collector;
const stats = await admin('stats');
await browser.close();
await demo.stop();

// The checks.
const problems = [];
const held = new Map();
for (const a of stats.appointments) {
  const list = held.get(a.calendarId) ?? [];
  list.push(a);
  held.set(a.calendarId, list);
}
if (stats.duplicates.length) problems.push(`the provider holds duplicates: ${stats.duplicates.slice(0, 5).join(', ')}`);
let completedPayloads = 0;
let compensatedPayloads = 0;
for (const [p, x] of payloads.entries()) {
  const active = (held.get(x.request.calendarId) ?? []).filter((a) => a.appointment.status !== 'cancelled');
  const completed = x.results.filter((r) => r.result.state === 'completed');
  const ids = new Set(completed.map((r) => r.result.appointmentId));
  if (completed.length) completedPayloads += 1;
  if (ids.size > 1) {
    const how = x.results.map((r) => `tab ${r.tab} ${r.result.idempotencyKey.slice(0, 8)} ${r.result.state}${r.result.idempotentReplay ? ' replay' : ''}${r.result.error ? ` ${r.result.error.code}` : ''} ${r.result.appointmentId ?? '-'}`).join('; ');
    problems.push(`payload ${p}: completed as ${[...ids].join(' and ')} (${how}; ${x.interrupted} cut off by reloads)`);
  }
  if (completed.length && (active.length !== 1 || !ids.has(active[0].appointment.id))) {
    problems.push(`payload ${p}: completed as ${[...ids]} but the provider holds ${active.map((a) => a.appointment.id).join(',') || 'nothing active'}`);
  }
  if (!completed.length && active.length) problems.push(`payload ${p}: not completed, yet the provider holds ${active[0].appointment.id}`);
  for (const r of x.results.filter((r) => r.result.compensated)) {
    compensatedPayloads += 1;
    const a = (held.get(x.request.calendarId) ?? []).find((h) => h.appointment.id === r.result.appointmentId);
    if (!a || a.appointment.status !== 'cancelled') problems.push(`payload ${p}: compensated, but ${r.result.appointmentId} is not cancelled`);
  }
}
const unsettled = outboxes.flat().filter((s) => s !== 'published' && s !== 'compensated');
if (unsettled.length) problems.push(`outbox entries not settled: ${unsettled.join(', ')}`);
const answered = payloads.reduce((n, x) => n + x.results.length, 0);
if (answered + counts.interrupted !== counts.clicks) problems.push(`${counts.clicks - answered - counts.interrupted} clicks never answered`);

const seconds = ((Date.now() - started) / 1000).toFixed(1);
const c = stats.counters;
say(`${counts.clicks} clicks from ${TABS} tabs (storage '${opts.storage}', ${browser.version}) in ${seconds} s: ${payloads.length} payloads, `
  + `${counts.sameTab} duplicate clicks in the same tab and ${counts.otherTab} in another tab, ${counts.reloads} reloads `
  + `(${counts.interrupted} bookings cut off and clicked again)`);
const injected = Object.values(faults).reduce((a, b) => a + b, 0);
const calls = ['create', 'get', 'cancel', 'publish'].reduce((n, k) => n + (c.calls?.[k] ?? 0), 0);
say(`faults injected on ${injected} of ${calls} provider calls (${(100 * injected / Math.max(1, calls)).toFixed(1)}%): `
  + Object.entries(faults).sort().map(([k, v]) => `${k} ${v}`).join(', '));
say(`answers: ${Object.entries(byCode).sort().map(([k, v]) => `${k} ${v}`).join(', ')}; `
  + `${counts.retried} payloads booked once more after the faults stopped`);
say(`${completedPayloads} of ${payloads.length} payloads completed, ${compensatedPayloads} compensations; `
  + `provider: ${stats.appointments.length} appointments, ${c.replays} replays, ${c.inFlightConflicts} in-flight conflicts (409), `
  + `duplicates ${stats.duplicates.length}; outbox entries ${outboxes.flat().length}, unsettled ${unsettled.length}`);
if (problems.length) {
  for (const p of problems.slice(0, 20)) say(`PROBLEM ${p}`);
  say(`FAILED, ${problems.length} problems`);
  return false;
}
say('ok: no slot or key with two appointments, every completed booking held once, every compensated one cancelled, every slot held has a completed booking, every click answered, every outbox settled');
return true;
}
