// The drop-in check: www/drop-in.html loads the built package with one classic <script> tag and
// calls the global getActionLabel from inline click handlers. Real clicks in each engine
// (scripts/engines.mjs; BROWSERS, default all), against the release package in pkg/
// (npm run build). The .wasm is held back by the server, and which .wasm a page fetched is read
// from the server's request log, so nothing depends on one browser's network hooks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../scripts/serve.mjs';
import { eachEngine } from '../support/browsers.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
let server, base, requests;
let wasmDelayMs = 0; // how long the server holds back a .wasm response

before(async () => {
  ({ server, url: base, requests } = await startStaticServer({
    port: 0,
    mounts: {
      '/pkg/': join(ROOT, 'pkg'), '/tests/': join(ROOT, 'tests'), '/data/': join(ROOT, 'data'),
      '/legacy/': join(ROOT, 'legacy'), '/': join(ROOT, 'www'),
    },
    pages: {
      '/loader-default.html': '<!doctype html><script src="/pkg/raptor-secondary.js"></script>',
      '/loader-client.html': '<!doctype html><script src="/pkg/raptor-secondary.js" data-client></script>',
    },
    delay: (path) => (path.endsWith('.wasm') ? wasmDelayMs : 0),
  }));
});

after(() => server?.close());

const rows = (page) => page.$$eval('#log tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));

eachEngine((engine, browser) => {
  /** A fresh page on www/drop-in.html; `delayWasmMs` holds the .wasm response back. */
  async function openPage({ delayWasmMs = 0 } = {}) {
    wasmDelayMs = delayWasmMs;
    const page = await browser.newPage();
    await page.goto(`${base}drop-in.html`);
    await page.watchErrors();
    return page;
  }

  test(`${engine}: inline handlers get labels from the global getActionLabel, IE11 path included`, async () => {
    const page = await openPage();
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
    assert.deepEqual(await page.errors(), []);
    await page.close();
  });

  test(`${engine}: clicks made before the module is ready are answered at once, by the fallback`, async () => {
    const page = await openPage({ delayWasmMs: 1500 });
    await page.click('#book');
    await page.click('#cancel-icon');
    await page.click('#ie11');
    const loading = await page.evaluate(() => [RaptorSecondary.isReady, RaptorSecondary.engine, RaptorSecondary.engineReason]);
    assert.deepEqual(loading, [false, 'fallback', 'loading'], 'still loading');
    const early = await rows(page);
    await page.evaluate(() => RaptorSecondary.ready);
    assert.equal(await page.evaluate(() => RaptorSecondary.engine), 'wasm');
    await page.click('#book');
    await page.click('#cancel-icon');
    await page.click('#ie11');
    // The same rows before and after the module took over: the fallback gives its answers.
    const late = (await rows(page)).slice(3).map(([, ...cells]) => cells);
    assert.deepEqual(early.map(([, ...cells]) => cells), late);
    assert.deepEqual(late.map((r) => r[0]), ['book-appointment', "'' (no label)", 'reschedule-appointment']);
    assert.deepEqual(await page.evaluate(() => [RaptorSecondary.queuedClicks, RaptorSecondary.replayedClicks]), [0, 0]);
    assert.match(await page.textContent('#status'), /^Ready/);
    assert.deepEqual(await page.errors(), []);
    await page.close();
  });

  test(`${engine}: a call before the module is ready answers instead of throwing`, async () => {
    const page = await openPage({ delayWasmMs: 1000 });
    const answers = await page.evaluate(() => [
      getActionLabel({ target: null }), getActionLabel({ srcElement: document.getElementById('ie11') }),
      resolveAction({ target: document.getElementById('cancel-icon') }).label, RaptorSecondary.engineReason,
    ]);
    assert.deepEqual(answers, ['', 'reschedule-appointment', 'cancel-appointment', 'loading']);
    await page.evaluate(() => RaptorSecondary.ready);
    await page.close();
  });

  test(`${engine}: the public global agrees with the corpus, survives hostile input and does not leak`, async () => {
    const page = await openPage();
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
      // The JS heap can be read in Chromium only (performance.memory, gc exposed by the launcher).
      const heap = () => { window.gc?.(); return performance.memory ? performance.memory.usedJSHeapSize : null; };
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
    if (report.before.heap !== null) {
      assert.ok(report.after.heap - report.before.heap < 2 * 1024 * 1024,
        `JS heap grew by ${report.after.heap - report.before.heap} bytes over 500k calls`);
    }
    console.log(`drop-in: ${engine}: ${report.diff.cases} corpus cases agree (${report.diff.fixed} fixed by srcElement); 500,000 calls: `
      + `Wasm memory ${report.before.wasm} -> ${report.after.wasm} B, JS heap ${report.before.heap === null ? 'not readable here'
        : `${report.before.heap} -> ${report.after.heap} B`}`);
    await page.close();
  });

  test(`${engine}: numbers given to the helpers and the client thousands of times leave the module working`, async () => {
    // WebKit 2.38's Wasm JIT broke on a number held as an externref once the code was hot:
    // `getActionLabel(0)` or `{ maxDepth: 1.5 }` a few hundred times, then every call threw
    // "Out of bounds table access". No number crosses as itself now (src/web/reads.js).
    const page = await browser.newPage();
    await page.goto(`${base}loader-client.html`);
    const out = await page.evaluate(async () => {
      await RaptorSecondary.ready;
      const numbers = [0, -0, NaN, 1.5, 30.5, Infinity, -1, 42];
      const element = document.createElement('button');
      element.setAttribute('data-action', 'book-appointment');
      const errors = new Set();
      const note = (e) => { if (!(e instanceof TypeError) && e?.code !== 'invalid_options') errors.add(String(e)); };
      for (let i = 0; i < 4000; i++) {
        const n = numbers[i % numbers.length];
        try { getActionLabel(n); } catch (e) { note(e); }
        try { getActionLabel({ target: element }, n); } catch (e) { note(e); }
        try { resolveAction({ target: element }, { maxDepth: n }); } catch (e) { note(e); }
        try { resolveAction(n, n); } catch (e) { note(e); }
      }
      const client = new RaptorSecondary.AppointmentClient({
        storage: 'none', logCapacity: 0, maxRetryAfterMs: 0,
        fetch: async (url) => new Response(url.endsWith('/events') ? '{}' : '{"id":"apt_1","status":"confirmed"}', { status: 201 }),
      });
      const request = (durationMinutes) => ({
        calendarId: 'cal_numbers', slotStart: new Date(Date.now() + 4 * 86400000).toISOString(), durationMinutes,
        patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
      });
      const refused = [];
      for (let i = 0; i < 2000; i++) refused.push(client.book(request(numbers[i % numbers.length])));
      const codes = new Set((await Promise.all(refused)).map((r) => r.error?.code ?? r.state));
      client.free();
      return {
        errors: [...errors],
        label: getActionLabel({ target: element }),
        depth: resolveAction({ target: element }, { maxDepth: 0 }).label,
        codes: [...codes].sort(),
      };
    });
    assert.deepEqual(out.errors, []);
    assert.equal(out.label, 'book-appointment');
    assert.equal(out.depth, 'book-appointment');
    // 0, -0, NaN, 1.5, 30.5, Infinity and -1 minutes are refused; 42 books (then replays).
    assert.deepEqual(out.codes, ['completed', 'invalid_request']);
    await page.close();
  });

  test(`${engine}: a call made from inside another call's reads answers for its own event`, async () => {
    // Page code runs inside the drop-in's reads (getters, getAttribute, matches, options
    // getters) and may call it again: reads.js keeps each call's arguments and cursor, so the
    // outer call answers for its own event and options (tests/node/reentry.test.mjs has more).
    const page = await openPage();
    const out = await page.evaluate(async () => {
      await RaptorSecondary.ready;
      const labelled = (label) => { const b = document.createElement('button'); b.setAttribute('data-action', label); return b; };
      const seen = [];
      const button = labelled('outer');
      button.getAttribute = function getAttribute(name) {
        seen.push(getActionLabel({ srcElement: labelled('inner') }));
        return Element.prototype.getAttribute.call(this, name);
      };
      const viaGetAttribute = getActionLabel({ target: button });
      const parent = labelled('book');
      const icon = document.createElement('span');
      parent.append(icon);
      icon.matches = () => { seen.push(resolveAction({ target: labelled('walk') }).label); return false; };
      const walk = resolveAction({ target: icon, currentTarget: parent });
      const plain = document.createElement('span');
      labelled('unused').append(plain);
      const options = { maxDepth: 0, get root() { seen.push(getActionLabel({ target: labelled('option') })); return null; } };
      const depth = resolveAction({ target: plain }, options);
      let threw;
      try {
        resolveAction({ target: labelled('x') }, {
          get attribute() { throw new Error('attribute getter'); },
          get maxDepth() { seen.push(resolveAction({ target: labelled('later') }, { maxDepth: 1 }).label); return 1; },
        });
      } catch (e) { threw = e.code; }
      return {
        viaGetAttribute, walk: [walk.label, walk.element === parent], depth: [depth.reason, depth.depth], threw, seen,
        engine: RaptorSecondary.engine,
      };
    });
    assert.equal(out.engine, 'wasm');
    assert.equal(out.viaGetAttribute, 'outer');
    assert.deepEqual(out.walk, ['book', true]);
    assert.deepEqual(out.depth, ['depth_limit', 0], 'maxDepth read before a getter that re-entered still holds');
    assert.equal(out.threw, 'invalid_options', 'an options read that threw fails the call after a re-entered one');
    assert.deepEqual(out.seen, ['inner', 'walk', 'option', 'later']);
    await page.close();
  });

  test(`${engine}: the loader picks the drop-in module by default and the client module with data-client`, async () => {
    const page = await browser.newPage();
    for (const [path, client] of [['/loader-default.html', false], ['/loader-client.html', true]]) {
      const from = requests.length;
      await page.goto(`${base}${path.slice(1)}`);
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
      if (client) assert.deepEqual(outcome, { loaded: true, code: 'invalid_request', field: 'calendarId' });
      else assert.deepEqual(outcome, { loaded: false, code: 'not_loaded' });
      const wasm = requests.slice(from).filter((r) => r.path.endsWith('.wasm')).map((r) => r.path);
      assert.deepEqual(wasm, [client ? '/pkg/raptor_secondary_bg.wasm' : '/pkg/raptor_secondary_lite_bg.wasm']);
    }
    await page.close();
  });
});
