// The drop-in check: www/drop-in.html loads the built package with one classic <script> tag and
// calls the global getActionLabel from inline click handlers. Driven in Debian's Chromium by
// playwright-core, against the release package in pkg/ (npm run build).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../scripts/serve.mjs';
import { launchChromium } from '../../scripts/browser.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
let server, base, browser;

before(async () => {
  ({ server, url: base } = await startStaticServer({
    port: 0,
    mounts: {
      '/pkg/': join(ROOT, 'pkg'), '/tests/': join(ROOT, 'tests'), '/data/': join(ROOT, 'data'),
      '/legacy/': join(ROOT, 'legacy'), '/': join(ROOT, 'www'),
    },
  }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh page on www/drop-in.html; `delayWasmMs` holds the .wasm response back. */
async function openPage({ delayWasmMs = 0 } = {}) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  if (delayWasmMs) {
    await page.route('**/*.wasm', async (route) => {
      await new Promise((r) => setTimeout(r, delayWasmMs));
      await route.continue();
    });
  }
  await page.goto(`${base}drop-in.html`);
  return { page, errors };
}

const rows = (page) => page.$$eval('#log tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));

test('inline handlers get labels from the global getActionLabel, IE11 path included', async () => {
  const { page, errors } = await openPage();
  await page.evaluate(() => RaptorSecondary.ready);
  await page.click('#book');
  await page.click('#cancel-icon');
  await page.click('#ie11');
  await page.click('#unlabelled');
  assert.deepEqual(await rows(page), [
    ['1', 'book-appointment', 'book-appointment (target, depth 0)'],
    // The drop-in keeps the legacy contract (the clicked <span> has no label); the detailed
    // resolver walks up to the button.
    ['2', "'' (no label)", 'cancel-appointment (target, depth 1)'],
    ['3', 'reschedule-appointment', 'reschedule-appointment (srcElement, depth 0)'],
    ['4', "'' (no label)", "'' (attribute_missing)"],
  ]);
  assert.match(await page.textContent('#status'), /^Ready/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicks made before the module is ready are held and replayed, not dropped', async () => {
  const { page, errors } = await openPage({ delayWasmMs: 1500 });
  await page.click('#book');
  await page.click('#ie11');
  assert.equal(await page.evaluate(() => RaptorSecondary.isReady), false, 'still loading');
  assert.deepEqual(await rows(page), [], 'no handler ran before the module was ready');
  await page.evaluate(() => RaptorSecondary.ready);
  await page.waitForFunction(() => document.querySelectorAll('#log tr').length === 2);
  assert.deepEqual((await rows(page)).map((r) => r[1]), ['book-appointment', 'reschedule-appointment']);
  assert.deepEqual(await page.evaluate(() => [RaptorSecondary.queuedClicks, RaptorSecondary.replayedClicks]), [2, 2]);
  assert.match(await page.textContent('#status'), /Replayed 2 held click/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a call before the module is ready throws a coded error instead of answering wrong', async () => {
  const { page } = await openPage({ delayWasmMs: 1000 });
  const code = await page.evaluate(() => {
    try { getActionLabel({ target: null }); return 'no error'; } catch (e) { return e.code; }
  });
  assert.equal(code, 'not_ready');
  await page.close();
});

test('the public global agrees with the corpus, survives hostile input and does not leak', async () => {
  const { page } = await openPage();
  const report = await page.evaluate(async () => {
    await RaptorSecondary.ready;
    const shapes = await import('/tests/support/event_shapes.js');
    const corpus = await (await fetch('/data/action_label_corpus.json')).json();
    const legacy = shapes.loadCommonJs(await (await fetch('/legacy/src/compatActionLabel.js')).text());
    const diff = shapes.differential(corpus, legacy.getActionLabel, window.getActionLabel);

    const hostile = ['throwing-target-getter', 'proxy', 'revoked-proxy'].map((k) => shapes.buildEvent({ $hostile: k }));
    const good = shapes.buildEvent({ srcElement: { attrs: { 'data-action': 'ok' } } });
    let hostileBroke = 0;
    for (let i = 0; i < 30000; i++) {
      try { if (getActionLabel(hostile[i % 3]) !== '') hostileBroke++; } catch { /* allowed */ }
      if (getActionLabel(good) !== 'ok') hostileBroke++;
    }

    const button = document.getElementById('book');
    let realEvent;
    button.addEventListener('click', (e) => { realEvent = e; }, { once: true });
    button.dispatchEvent(new Event('click'));
    const events = [realEvent, good, shapes.buildEvent({ currentTarget: { dataset: { action: 'x' } } })];
    const heap = () => { window.gc?.(); return performance.memory.usedJSHeapSize; };
    for (let i = 0; i < 10000; i++) getActionLabel(events[i % 3]);
    const before = { wasm: RaptorSecondary.memoryBytes(), heap: heap() };
    let total = 0;
    for (let i = 0; i < 500000; i++) total += getActionLabel(events[i % 3]).length;
    const afterCalls = { wasm: RaptorSecondary.memoryBytes(), heap: heap() };
    return { diff, hostileBroke, before, after: afterCalls, total };
  });
  assert.deepEqual(report.diff.problems, []);
  assert.ok(report.diff.cases >= 40 && report.diff.fixed >= 7, JSON.stringify(report.diff));
  assert.equal(report.hostileBroke, 0);
  // 'book-appointment', 'ok' and 'x', in turn: every call answered.
  assert.equal(report.total, 166667 * 16 + 166667 * 2 + 166666 * 1);
  assert.equal(report.after.wasm, report.before.wasm, 'Wasm memory stayed flat over 500k calls');
  assert.ok(report.after.heap - report.before.heap < 2 * 1024 * 1024,
    `JS heap grew by ${report.after.heap - report.before.heap} bytes over 500k calls`);
  await page.close();
});

test('the loader picks the drop-in module by default and the client module with data-client', async () => {
  const page = await browser.newPage();
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname); });
  await page.goto(`${base}pkg/README.md`);
  for (const attrs of ['', ' data-client']) {
    await page.setContent(`<!doctype html><script src="/pkg/raptor-secondary.js"${attrs}></script>`);
    const outcome = await page.evaluate(async () => {
      await RaptorSecondary.ready;
      try {
        const client = new RaptorSecondary.AppointmentClient({ fetch: async () => new Response(null, { status: 500 }) });
        const result = await client.book({});
        return { loaded: true, code: result.error.code, field: result.error.field };
      } catch (e) {
        return { loaded: false, code: e.code };
      }
    });
    if (attrs) assert.deepEqual(outcome, { loaded: true, code: 'invalid_request', field: 'calendarId' });
    else assert.deepEqual(outcome, { loaded: false, code: 'not_loaded' });
  }
  assert.deepEqual(wasm, ['/pkg/raptor_secondary_lite_bg.wasm', '/pkg/raptor_secondary_bg.wasm']);
  await page.close();
});
