#!/usr/bin/env node
// How often WPE WebKit 2.38 (a Safari 16 engine) traps in the booking core: a client page is
// loaded `--pages` times in one tab, and each load books 60 payloads on a fake provider (40
// slots, so some calls join one in flight), then reads the client's config, metrics and outbox.
// A load fails if anything throws, or is thrown unhandled; the first lines of each are printed,
// then the rate. Needs pkg/ (npm run build), or another build with --pkg.
//
//   node scripts/webkit_traps.mjs                        (500 loads, storage 'none')
//   node scripts/webkit_traps.mjs --pages 1000 --storage local
//   JSC_useBBQJIT=0 node scripts/webkit_traps.mjs         (JSC options reach WebKit as they are)
//
// Written when the full test run failed in about one run in two, in WebKit only, in a
// different test each time: "Out of bounds memory access" from Rust code deep in the core, then
// "recursive use of an object" from every later call on that client. docs/testing.md has what
// it measured and what it ruled out; run_tests.sh runs a tier again once when that trap is the
// only thing that failed it.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from './serve.mjs';
import { launch } from './engines.mjs';

const HELP = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 16)
  .map((l) => l.replace(/^\/\/ ?/, '')).join('\n');
const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const { values: opts } = parseArgs({
  options: {
    pages: { type: 'string', default: '500' }, storage: { type: 'string', default: 'none' },
    pkg: { type: 'string', default: join(ROOT, 'pkg') }, help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
const PAGES = Number(opts.pages);
if (!Number.isInteger(PAGES) || PAGES < 1) throw new Error(`--pages must be a whole number above 0, got '${opts.pages}'`);
if (!['local', 'session', 'indexeddb', 'none'].includes(opts.storage)) {
  throw new Error(`--storage must be local, session, indexeddb or none, got '${opts.storage}'`);
}

/** One load's work in the page: 'ok', or what was thrown first. */
async function load(storage, n) {
  await RaptorSecondary.ready;
  const unhandled = [];
  addEventListener('error', (e) => unhandled.push(String(e.error ?? e.message)));
  addEventListener('unhandledrejection', (e) => unhandled.push(`${e.reason}\n${e.reason && e.reason.stack}`));
  try {
    const client = new RaptorSecondary.AppointmentClient({
      storage, storageKey: `traps${n % 3}`, logCapacity: 50, maxRetryAfterMs: 0,
      fetch: async (url) => new Response(url.endsWith('/events') ? '{}'
        : `{"id":"apt_${Math.random().toString(36).slice(2)}","status":"confirmed"}`, { status: 201 }),
    });
    const request = (i) => ({
      calendarId: 'cal_traps', slotStart: new Date(Date.UTC(2027, 0, 1) + (i % 40) * 3600000).toISOString(),
      durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
    });
    const calls = [];
    for (let i = 0; i < 60; i++) {
      calls.push(client.book(request(i)));
      if (i % 7 === 0) await new Promise((ok) => setTimeout(ok, 0));
    }
    await Promise.all(calls);
    client.config();
    client.metrics();
    client.outbox();
    return unhandled.length ? `unhandled: ${unhandled[0]}` : 'ok';
  } catch (e) {
    return unhandled.length ? `unhandled: ${unhandled[0]}` : `${e}\n${e.stack}`;
  }
}

const { server, url: base } = await startStaticServer({
  port: 0, mounts: { '/pkg/': resolve(opts.pkg) },
  pages: { '/client.html': '<!doctype html><script src="/pkg/raptor-secondary.js" data-client></script>' },
});
const browser = await launch('webkit');
const page = await browser.newPage();
const started = Date.now();
let failed = 0;
try {
  for (let n = 0; n < PAGES; n++) {
    await page.goto(`${base}client.html?load=${n}`);
    // A trap thrown where nothing awaited it ends the evaluate (scripts/engines.mjs): a failed
    // load too.
    const out = await page.evaluate(load, opts.storage, n).catch((e) => {
      if (!String(e.message).startsWith('in WebKit: RuntimeError')) throw e;
      return `unhandled: ${e.message}`;
    });
    if (out === 'ok') continue;
    failed += 1;
    console.log(`webkit-traps: load ${n}: ${out.split('\n').slice(0, 4).join(' < ').slice(0, 400)}`);
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`webkit-traps: WebKit ${browser.version}: ${failed} of ${PAGES} loads failed (${(100 * failed / PAGES).toFixed(1)} %; `
  + `storage '${opts.storage}', ${opts.pkg}, ${((Date.now() - started) / 1000).toFixed(0)} s)`);
