// The rollout kit (js/rollout.js) in each engine (BROWSERS), against the real
// mock provider, with the rollout config and the report endpoint on loopback:
// - label shadow: the page gets the configured primary's answer on every corpus case and real
//   click, the divergence counters equal the table the corpus and the fixtures give, sampling
//   stays within binomial bounds, reports are under 4 KB and carry none of the personal data
//   planted in the page, a refused beacon keeps its counters, a throwing callback or a failing
//   endpoint makes no page error;
// - split: Unleash's vectors through the Rust core in the page, a 25 % stage gets 25 % ± 1.3
//   points of 10,000 units and a ramp moves no unit back, 20 reloads and a second tab keep a
//   unit on its path;
// - canary with faults: bookings with the percentage raised mid-run, no payload on two paths
//   or booked twice, no path switch for a payload booked again; shadow: nothing keyed sent;
// - kill switch: every new booking legacy within ttl + 1 s of the flip, bookings in flight
//   finish on their path; a config that hangs, fails or is malformed, with no cache: legacy;
// - replay: 100 bookings with 20 answers lost, a reload, replayed twice: 100 appointments, the
//   20 sent again under their keys, legacy-path bookings for reconciliation, never re-sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../scripts/serve.mjs';
import { startProvider } from '../../scripts/demo.mjs';
import { eachEngine } from '../support/browsers.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const BOOKINGS = Number(process.env.ROLLOUT_BOOKINGS ?? 500);
const PII = ['jane.doe@example.org', 'Jane Doe', '+44 20 7946 0958'];
const SLOT = new Date(Math.ceil(Date.now() / 86400000) * 86400000 + 5 * 86400000).toISOString();

const FIXTURES = `<main id="fixtures">
  <button id="plain" data-action="book-appointment">Book</button>
  <button id="nested" data-action="book-appointment"><span id="nested-span">Book <b id="nested-b">now</b></span></button>
  <button id="pii" data-action="${PII[0]}" title="${PII[1]}">${PII[2]}</button>
  <fieldset disabled><button id="disabled" data-action="cancel-appointment"><i id="disabled-i">x</i></button></fieldset>
  <div id="host"></div>
</main>`;
const WATCH = `<script>window.__engineErrors = [];
addEventListener('error', function (e) { __engineErrors.push(String(e.message)); });
addEventListener('unhandledrejection', function (e) { __engineErrors.push('unhandled rejection: ' + String(e.reason && e.reason.message || e.reason)); });</script>`;
const page = (loaderAttributes) => `<!doctype html><html><head><meta charset="utf-8">${WATCH}
<script src="/pkg/raptor-secondary.js" ${loaderAttributes}></script>
<script src="/pkg/raptor-secondary-rollout.js"></script></head><body>${FIXTURES}</body></html>`;

let server, base, reports, provider, remote;
before(async () => {
  provider = await startProvider({ port: 0, quiet: true });
  ({ server, url: base, reports } = await startStaticServer({
    port: 0,
    mounts: { '/pkg/': join(ROOT, 'pkg'), '/tests/': join(ROOT, 'tests'), '/data/': join(ROOT, 'data') },
    pages: {
      '/shadow.html': page('data-shadow="label" data-shadow-sample="1" data-shadow-cap="100000" data-shadow-allow="book-appointment,cancel-appointment" data-shadow-page="rollout-test" data-report-url="/__report"'),
      '/book.html': page('data-client data-rollout-url="/rollout/config.json"'),
      '/book-no-config.html': page('data-client'),
    },
  }));
  // The rollout config: what `remote` says (a body, a status, or a hang).
  const handler = server.listeners('request')[0];
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    if (!req.url.startsWith('/rollout/config.json')) return handler(req, res);
    const r = remote ?? { status: 404, body: 'none' };
    if (r.hang) return; // never answers: the client's 2 s timeout ends it
    res.writeHead(r.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  });
});
after(async () => {
  provider?.child.kill();
  server?.closeAllConnections?.();
  server?.close();
});

const admin = (path) => fetch(`${new URL(provider.url).origin}/__admin/${path}`, path === 'reset' ? { method: 'POST' } : {}).then((r) => r.json());
const CORPUS = JSON.parse(readFileSync(join(ROOT, 'data', 'action_label_corpus.json'), 'utf8'));
const FIXED = CORPUS.cases.filter((c) => c.fixes === 'srcElement').length;

eachEngine((engine, browser) => {
  test(`${engine}: label shadow: the primary answers, divergences counted by reason`, async () => {
    const tab = await browser.newPage();
    await tab.goto(`${base}shadow.html`);
    const seen = await tab.evaluate(async () => {
      await RaptorSecondary.ready;
      const rollout = RaptorSecondary.rollout;
      const shapes = await import('/tests/support/event_shapes.js');
      const corpus = await (await fetch('/data/action_label_corpus.json')).json();
      const host = document.getElementById('host');
      host.attachShadow({ mode: 'open' }).innerHTML = '<button data-action="in-shadow"><span id="shadow-span">s</span></button>';
      // Real clicks, answered inside a listener (during dispatch): nested, shadow, disabled.
      const clicks = [
        ['nested-span', 'nested_child'], ['nested-b', 'nested_child'], ['plain', null],
        ['shadow', 'shadow_dom'], ['disabled', 'disabled'],
      ];
      // A click on a disabled control reaches no listener: its event object, duck-typed.
      const disabled = { target: document.getElementById('disabled') };
      const run = (fn) => {
        const out = [];
        for (const testCase of corpus.cases) {
          try { out.push(fn(...shapes.buildArgs(testCase))); } catch (e) { out.push(`threw ${e.constructor.name}`); }
        }
        for (const [id] of clicks) {
          if (id === 'disabled') {
            try { out.push(fn(disabled)); } catch (err) { out.push(`threw ${err.constructor.name}`); }
            continue;
          }
          const node = id === 'shadow' ? host.shadowRoot.getElementById('shadow-span') : document.getElementById(id);
          let got;
          const listen = (e) => { try { got = fn(e); } catch (err) { got = `threw ${err.constructor.name}`; } };
          document.addEventListener('click', listen, { once: true });
          node.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true, cancelable: true }));
          out.push(got);
        }
        return out;
      };
      const answers = {};
      for (const primary of ['dropin', 'legacy', 'resolver']) {
        rollout.configure({ shadow: false, primary });
        answers[primary] = run(getActionLabel);
      }
      const shadowed = {};
      const counted = {};
      for (const primary of ['dropin', 'legacy', 'resolver']) {
        rollout.configure({ shadow: true, primary, sample: 1, cap: 100000, reportUrl: null });
        rollout.report(); // a fresh count
        shadowed[primary] = run(getActionLabel);
        const { counts } = rollout.snapshot();
        counted[primary] = { compared: counts.compared, matched: counts.matched, expected: counts.expected, mismatched: counts.mismatched };
      }
      return { answers, shadowed, counted, cases: corpus.cases.length, errors: window.__engineErrors };
    });
    for (const primary of ['dropin', 'legacy', 'resolver']) {
      assert.deepEqual(seen.shadowed[primary], seen.answers[primary], `${primary}: the page gets the primary's answer`);
    }
    // The drop-in differs from the legacy rule exactly on the corpus cases srcElement fixes and
    // on hostile-dataset-getter (the element only in srcElement, whose dataset getter throws:
    // the legacy rule never reads it), and on no real click (both read the target).
    const n = seen.cases + 5;
    assert.deepEqual(seen.counted.dropin, { compared: n, matched: n - FIXED - 1, expected: { srcElement_only: FIXED + 1 }, mismatched: {} });
    assert.deepEqual(seen.counted.legacy.expected, seen.counted.dropin.expected, 'the legacy primary is compared with the drop-in');
    // The resolver walks: the nested clicks are expected, the shadow and disabled ones not.
    assert.equal(seen.counted.resolver.expected.nested_child >= 2, true, JSON.stringify(seen.counted.resolver));
    assert.equal(seen.counted.resolver.mismatched.shadow_dom >= 1, true, JSON.stringify(seen.counted.resolver));
    assert.equal(seen.counted.resolver.mismatched.disabled >= 1, true, JSON.stringify(seen.counted.resolver));
    assert.deepEqual(seen.errors, []);
    console.log(`rollout: ${engine}: label shadow over ${n} clicks (corpus and real): drop-in ${JSON.stringify(seen.counted.dropin.expected)} expected, ${JSON.stringify(seen.counted.dropin.mismatched)} unexpected; resolver ${JSON.stringify(seen.counted.resolver.expected)} expected, ${JSON.stringify(seen.counted.resolver.mismatched)} unexpected`);
    await tab.close();
  });

  test(`${engine}: label shadow: sampling, the cap, reports under 4 KB without personal data`, async () => {
    const tab = await browser.newPage();
    await tab.goto(`${base}shadow.html`);
    const from = reports.length;
    const seen = await tab.evaluate(async () => {
      await RaptorSecondary.ready;
      const rollout = RaptorSecondary.rollout;
      const event = { target: document.getElementById('pii') };
      rollout.configure({ primary: 'dropin', shadow: true, sample: 0.05, cap: 100000 });
      rollout.report();
      const before = rollout.snapshot().label.comparedInPage;
      for (let i = 0; i < 20000; i++) getActionLabel(event);
      const sampled = rollout.snapshot().label.comparedInPage - before;
      // The cap: at most 500 compared in a page's life.
      rollout.configure({ sample: 1, cap: before + sampled + 500 });
      for (let i = 0; i < 2000; i++) getActionLabel(i % 2 ? event : { srcElement: document.getElementById('plain') });
      const capped = rollout.snapshot().label.comparedInPage - before - sampled;
      // A refused beacon keeps the counters for the next report.
      const send = navigator.sendBeacon;
      navigator.sendBeacon = () => false;
      const refused = rollout.report();
      const kept = rollout.snapshot().counts.compared;
      navigator.sendBeacon = send;
      // A throwing callback: no page error, the beacon still goes.
      rollout.configure({ onReport: () => { throw new Error('callback failed'); } });
      dispatchEvent(new Event('pagehide'));
      const after = rollout.snapshot().counts.compared;
      // A report endpoint that fails: the beacon is queued by the browser, nothing thrown.
      rollout.configure({ onReport: null, reportUrl: '/no-such-endpoint' });
      getActionLabel(event);
      const failing = rollout.report();
      await new Promise((r) => setTimeout(r, 500));
      return { sampled, capped, refused, kept, after, failing, errors: window.__engineErrors, page: location.href };
    });
    // 0.05 of 20,000 clicks: 1,000 ± 102 (99.9 % of a binomial).
    assert.ok(Math.abs(seen.sampled - 1000) <= 102, `sampled ${seen.sampled}`);
    assert.equal(seen.capped, 500);
    assert.equal(seen.refused, false);
    assert.ok(seen.kept >= seen.sampled + 500, `kept ${seen.kept}`);
    assert.equal(seen.after, 0, 'the beacon went and the counters started again');
    assert.equal(seen.failing, true);
    assert.deepEqual(seen.errors, []);
    await new Promise((r) => setTimeout(r, 300));
    const sent = reports.slice(from);
    assert.ok(sent.length >= 1, 'a report reached the endpoint');
    for (const body of sent) {
      assert.ok(Buffer.byteLength(body) < 4096, `${Buffer.byteLength(body)} B`);
      for (const planted of [...PII, seen.page, 'shadow.html', '127.0.0.1']) assert.ok(!body.includes(planted), `a report carried ${planted}`);
      const report = JSON.parse(body);
      assert.equal(report.page, 'rollout-test');
      assert.ok(Object.keys(report.labels).every((l) => ['book-appointment', 'cancel-appointment'].includes(l)));
    }
    console.log(`rollout: ${engine}: sampling 0.05 of 20000 clicks: ${seen.sampled} compared; cap: ${seen.capped} of 2000; ${sent.length} beacons, largest ${Math.max(...sent.map((b) => Buffer.byteLength(b)))} B, no planted personal data`);
    await tab.close();
  });

  test(`${engine}: split: Unleash's buckets from the Rust core, shares, ramps, reloads and tabs`, async () => {
    remote = undefined;
    const tab = await browser.newPage();
    await tab.goto(`${base}book-no-config.html`);
    const seen = await tab.evaluate(async () => {
      await RaptorSecondary.ready;
      const rollout = RaptorSecondary.rollout;
      const vectors = [rollout.bucket('123', 'gr1'), rollout.bucket('999', 'groupX')];
      let in25 = 0;
      let movedBack = 0;
      for (let i = 0; i < 10000; i++) {
        const b = rollout.bucket(`unit-${i}`, 'booking-2026-12');
        if (b <= 25) in25 += 1;
        let wasIn = false;
        for (const p of [1, 5, 25, 50, 100]) {
          const isIn = b <= p;
          if (wasIn && !isIn) movedBack += 1;
          wasIn = isIn;
        }
      }
      localStorage.clear();
      rollout.configure({ stage: 'canary', percent: 50, groupId: 'split-test', client: { baseUrl: 'http://127.0.0.1:9/none', storage: 'none' } });
      return { vectors, in25, movedBack };
    });
    assert.deepEqual(seen.vectors, [73, 25]);
    assert.ok(Math.abs(seen.in25 - 2500) <= 130, `${seen.in25} of 10,000 in a 25 % stage`);
    assert.equal(seen.movedBack, 0);
    // One unit, 20 reloads and a second tab: the same path each time (new payloads each time).
    const pathOnce = (t, i) => t.evaluate(async (i) => {
      await RaptorSecondary.ready;
      const rollout = RaptorSecondary.rollout;
      rollout.configure({ stage: 'canary', percent: 50, groupId: 'split-test', client: { book: async () => ({ state: 'completed' }) } });
      const { path } = await rollout.book({ calendarId: `split-${i}-${Math.random()}` }, { legacy: async () => ({ state: 'completed' }) });
      return [path, localStorage.getItem('raptor-secondary:rollout:unit')];
    }, i);
    const seenPaths = new Set();
    const units = new Set();
    for (let i = 0; i < 20; i++) {
      await tab.reload();
      const [path, unit] = await pathOnce(tab, i);
      seenPaths.add(path);
      units.add(unit);
    }
    const other = await browser.newPage();
    await other.goto(`${base}book-no-config.html`);
    const [otherPath, otherUnit] = await pathOnce(other, 99);
    seenPaths.add(otherPath);
    units.add(otherUnit);
    assert.equal(units.size, 1, 'one unit kept across reloads and tabs');
    assert.equal(seenPaths.size, 1, `paths seen: ${[...seenPaths]}`);
    console.log(`rollout: ${engine}: split: vectors ${seen.vectors}, 25 % stage ${seen.in25} of 10000 units, ${seen.movedBack} moved back on a ramp; 20 reloads and a second tab: path ${[...seenPaths]} each time`);
    await other.close();
    await tab.close();
  });

  test(`${engine}: canary with faults and a percentage raised mid-run: no duplicates, no path switches`, async () => {
    remote = undefined;
    await admin('reset');
    const tab = await browser.newPage();
    await tab.goto(`${base}book-no-config.html`);
    const seen = await tab.evaluate(async ({ providerUrl, bookings, slot }) => {
      await RaptorSecondary.ready;
      const rollout = RaptorSecondary.rollout;
      // A fault per booking: a 503 once, a 429 with Retry-After, a 503 with Retry-After, answers
      // slower than the attempt timeout (every attempt times out: the outcome stays unknown,
      // the provider holds the appointment under the key), or none. The breaker is set high, so
      // faults are retried rather than cut short (tests/e2e/demo.test.mjs covers the breaker);
      // a different unit per booking, as many patients would be.
      const faults = ['fail_once', 'rate_limited', 'unavailable', 'delayed', 'immediate'];
      const client = new RaptorSecondary.AppointmentClient({
        baseUrl: providerUrl, storage: 'indexeddb', storageKey: `canary-${Date.now()}`, maxRetryAfterMs: 2000,
        attemptTimeoutMs: 500, breakerThreshold: 100,
        fetch: (url, init) => {
          const i = init.body ? Number(/canary-(\d+)/.exec(init.body)?.[1] ?? 4) : 4;
          return fetch(url, { ...init, headers: { ...init.headers, 'X-Mock-Scenario': faults[i % faults.length] } });
        },
      });
      const legacyCalls = new Map();
      const paths = new Map();
      const requests = [];
      for (let i = 0; i < bookings; i++) {
        requests.push({ calendarId: `canary-${i}`, slotStart: slot, durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org' });
      }
      const book = (request, i) => rollout.book(request, {
        unit: `patient-${i}`,
        legacy: async () => { legacyCalls.set(i, (legacyCalls.get(i) ?? 0) + 1); return { state: 'completed' }; },
      });
      const completed = new Set();
      const codes = {};
      const note = (i, path, result) => {
        if (path !== 'new') return;
        if (result.state === 'completed') completed.add(i);
        else codes[result.error.code] = (codes[result.error.code] ?? 0) + 1;
      };
      // In waves of 20 bookings at once, as patients click.
      const run = async (from, to) => {
        const states = [];
        for (let w = from; w < to; w += 20) {
          states.push(...await Promise.all(requests.slice(w, Math.min(w + 20, to)).map(async (r, j) => {
            const { path, result } = await book(r, w + j);
            paths.set(w + j, path);
            note(w + j, path, result);
            return result && result.state;
          })));
        }
        return states;
      };
      // The first half at 10 %, the second at 60 %, while the first half's retries go on.
      rollout.configure({ stage: 'canary', percent: 10, groupId: 'canary-test', client });
      const half = Math.floor(bookings / 2);
      const firstHalf = run(0, half);
      await new Promise((r) => setTimeout(r, 500));
      rollout.configure({ percent: 60 });
      const first = [...await firstHalf, ...await run(half, bookings)];
      // Every payload booked again after the change (a retry, a reload): the same path.
      rollout.configure({ percent: 90 });
      let switched = 0;
      let replays = 0;
      const completedFirst = completed.size;
      for (let i = 0; i < bookings; i++) {
        const { path, result } = await book(requests[i], i);
        if (path !== paths.get(i)) switched += 1;
        if (result && result.idempotentReplay) replays += 1;
        note(i, path, result);
      }
      const onNew = [...paths.entries()].filter(([, p]) => p === 'new').map(([i]) => `canary-${i}`);
      return {
        first, switched, replays, onNew, completed: [...completed].map((i) => `canary-${i}`), completedFirst, codes,
        legacyTwice: [...legacyCalls.values()].every((c) => c === 2) && legacyCalls.size === bookings - onNew.length,
        errors: window.__engineErrors,
      };
    }, { providerUrl: provider.url, bookings: BOOKINGS, slot: SLOT });
    const stats = await admin('stats');
    const made = stats.appointments.filter((a) => a.calendarId.startsWith('canary-')).map((a) => a.calendarId);
    const newPath = new Set(seen.onNew);
    assert.equal(seen.switched, 0, 'no payload changed path');
    assert.deepEqual(stats.duplicates, []);
    assert.deepEqual(made.filter((id) => !newPath.has(id)), [], 'no appointment for a legacy-path payload');
    assert.equal(new Set(made).size, made.length, 'at most one appointment per payload');
    // Every new-path booking that completed (the first time or when booked again) holds one.
    assert.deepEqual(seen.completed.filter((id) => !made.includes(id)), []);
    assert.ok(seen.replays >= seen.completedFirst, `${seen.replays} replays for ${seen.completedFirst} completed the first time`);
    assert.ok(seen.legacyTwice, 'each legacy payload went to the legacy path both times, never to the new client');
    assert.deepEqual(seen.errors, []);
    console.log(`rollout: ${engine}: canary with faults: ${BOOKINGS} bookings, percentage 10 -> 60 mid-run -> 90: ${seen.onNew.length} on the new path (${seen.completedFirst} completed at once, ${seen.completed.length} after booking again; failures ${JSON.stringify(seen.codes)}), ${BOOKINGS - seen.onNew.length} legacy; ${seen.switched} path switches, ${stats.duplicates.length} duplicates, ${made.length} appointments`);
    await tab.close();
  });

  test(`${engine}: shadow stage: legacy books, the new client runs dry, nothing keyed is sent`, async () => {
    await admin('reset');
    const tab = await browser.newPage();
    await tab.goto(`${base}book-no-config.html`);
    const seen = await tab.evaluate(async ({ slot }) => {
      await RaptorSecondary.ready;
      const rollout = RaptorSecondary.rollout;
      rollout.configure({ stage: 'shadow', client: null });
      const out = [];
      for (let i = 0; i < 20; i++) {
        out.push((await rollout.book({ calendarId: `shadow-${i}`, slotStart: i % 5 ? slot : 'not a time', durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org' },
          { legacy: async () => ({ state: 'completed' }) })).path);
      }
      await new Promise((r) => setTimeout(r, 300));
      return { out, counts: rollout.snapshot().counts.bookings };
    }, { slot: SLOT });
    const stats = await admin('stats');
    assert.ok(seen.out.every((p) => p === 'legacy'));
    assert.equal(stats.counters.create ?? 0, 0, 'no create reached the provider');
    assert.equal(seen.counts.dryRuns, 20);
    assert.equal(seen.counts.dryRunRefused.invalid_request, 4, JSON.stringify(seen.counts));
    console.log(`rollout: ${engine}: shadow stage: 20 bookings legacy, ${seen.counts.dryRuns} dry runs (${seen.counts.dryRunRefused.invalid_request} refused as invalid_request), ${stats.counters.create ?? 0} creates at the provider`);
    await tab.close();
  });

  test(`${engine}: kill switch: legacy within ttl + 1 s, bookings in flight finish on their path; no config: legacy`, async () => {
    await admin('reset');
    remote = { status: 200, body: { version: 1, killed: false, booking: { stage: 'complete', groupId: 'kill-test' }, ttlSeconds: 1, maxStaleSeconds: 60 } };
    const tab = await browser.newPage();
    await tab.goto(`${base}book.html`);
    const inFlight = await tab.evaluate(async ({ providerUrl, slot }) => {
      await RaptorSecondary.ready;
      localStorage.removeItem('raptor-secondary:rollout:config');
      const rollout = RaptorSecondary.rollout;
      await new Promise((r) => { const t = setInterval(() => { if (rollout.snapshot().config.source === 'fresh') { clearInterval(t); r(); } }, 50); });
      const client = new RaptorSecondary.AppointmentClient({
        baseUrl: providerUrl, storage: 'none',
        fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, 'X-Mock-Scenario': 'delayed' } }),
      });
      rollout.configure({ client });
      window.__flight = [];
      for (let i = 0; i < 20; i++) {
        window.__flight.push(rollout.book({ calendarId: `kill-${i}`, slotStart: slot, durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org' },
          { legacy: async () => ({ state: 'completed', legacy: true }) }));
      }
      return rollout.snapshot().booking;
    }, { providerUrl: provider.url, slot: SLOT });
    assert.equal(inFlight.stage, 'complete');
    remote = { status: 200, body: { version: 2, killed: true, ttlSeconds: 1, maxStaleSeconds: 60 } };
    const seen = await tab.evaluate(async ({ slot }) => {
      const rollout = RaptorSecondary.rollout;
      const started = performance.now();
      // What a new booking would take, looked at every 20 ms until the flip is seen.
      while (!rollout.snapshot().booking.killed && performance.now() - started < 5000) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const legacyAfter = performance.now() - started;
      const { path } = await rollout.book({ calendarId: 'after-kill', slotStart: slot, durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org' },
        { legacy: async () => ({ state: 'completed' }) });
      if (path !== 'legacy') throw new Error(`a new booking after the flip went ${path}`);
      const flight = await Promise.all(window.__flight);
      return { legacyAfter, flight: flight.map((f) => [f.path, f.result.state]), snapshot: rollout.snapshot() };
    }, { slot: SLOT });
    const stats = await admin('stats');
    assert.ok(seen.legacyAfter <= 2000 + 500, `legacy after ${Math.round(seen.legacyAfter)} ms (ttl 1 s)`);
    assert.deepEqual(seen.flight.map((f) => f[0]), Array(20).fill('new'), 'in flight: the new path, to the end');
    assert.ok(seen.flight.every((f) => f[1] === 'completed'), JSON.stringify(seen.flight));
    assert.equal(stats.appointments.filter((a) => a.calendarId.startsWith('kill-')).length, 20);
    assert.deepEqual(stats.duplicates, []);
    assert.equal(seen.snapshot.booking.killed, true);
    // No usable config (it hangs, fails or is malformed) and no cache: the safe default, legacy,
    // and a click does not wait.
    const defaults = [];
    for (const [name, r] of [['hang', { hang: true }], ['500', { status: 500, body: 'oops' }], ['malformed', { status: 200, body: '{"version": "seven"' }]]) {
      remote = r;
      const fresh = await browser.newPage();
      await fresh.goto(`${base}book.html`);
      const got = await fresh.evaluate(async () => {
        localStorage.removeItem('raptor-secondary:rollout:config');
        await RaptorSecondary.ready;
        const rollout = RaptorSecondary.rollout;
        rollout.configure({ client: { book: async () => ({ state: 'completed' }) } });
        const started = performance.now();
        const { path } = await rollout.book({ calendarId: 'x' }, { legacy: async () => ({ state: 'completed' }) });
        return { path, ms: performance.now() - started, source: rollout.snapshot().config.source, errors: window.__engineErrors };
      });
      defaults.push(`${name}: ${got.path} in ${got.ms.toFixed(1)} ms`);
      assert.equal(got.path, 'legacy', name);
      assert.ok(got.ms < 200, `${name}: the booking waited ${got.ms} ms`);
      assert.deepEqual(got.errors, []);
      await fresh.close();
    }
    remote = undefined;
    console.log(`rollout: ${engine}: kill switch (ttl 1 s): new bookings legacy ${Math.round(seen.legacyAfter)} ms after the flip; 20 in flight finished on the new path, ${stats.duplicates.length} duplicates; no config: ${defaults.join(', ')}`);
    await tab.close();
  });

  test(`${engine}: replay: 100 bookings, 20 answers lost, replayed twice after a reload: 100 appointments`, async () => {
    remote = undefined;
    await admin('reset');
    const storageKey = `replay-${engine}-${Date.now()}`;
    // The page: the client (IndexedDB) with a fetch that loses the answers of every fifth
    // create while `__lose` is set (the provider acted; the page never heard), one attempt
    // each so the loss ends the booking with its outcome unknown.
    const setUp = ({ providerUrl, slot, storageKey }) => {
      window.__lose = false;
      // What the client warns of (a storage write that failed, say), for a failure's message.
      window.__warnings = [];
      const warn = console.warn;
      console.warn = (...args) => { window.__warnings.push(args.map(String).join(' ')); warn.apply(console, args); };
      const client = new RaptorSecondary.AppointmentClient({
        baseUrl: providerUrl, storage: 'indexeddb', storageKey, attempts: 1, idempotencyMaxEntries: 1000, breakerThreshold: 100, attemptTimeoutMs: 30000, deadlineMs: 60000,
        fetch: async (url, init) => {
          const answer = await fetch(url, init);
          const i = Number(/replay-(\d+)/.exec(init.body ?? '')?.[1] ?? -1);
          if (window.__lose && init.method === 'POST' && /\/appointments$/.test(url) && i % 5 === 0) throw new TypeError('the answer was lost');
          return answer;
        },
      });
      RaptorSecondary.rollout.configure({ client });
      window.__requests = [];
      for (let i = 0; i < 106; i++) {
        window.__requests.push({ calendarId: `replay-${i}`, slotStart: slot, durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org' });
      }
      return client.ready;
    };
    const tab = await browser.newPage();
    await tab.goto(`${base}book-no-config.html`);
    const first = await tab.evaluate(async (args) => {
      await RaptorSecondary.ready;
      localStorage.clear();
      await (0, eval)(`(${args.setUp})`)(args);
      const rollout = RaptorSecondary.rollout;
      window.__lose = true;
      let legacyCalls = 0;
      const legacy = async () => { legacyCalls += 1; return { state: 'completed' }; };
      // 100 on the new path; 5 on the legacy path; the last one never booked.
      rollout.configure({ stage: 'complete' });
      const codes = [];
      // In waves of 20 at once, as patients click.
      const states = [];
      for (let w = 0; w < 100; w += 20) {
        states.push(...await Promise.all(window.__requests.slice(w, w + 20).map((r, j) => rollout.book(r, { legacy }).then((b) => {
          if (b.result.error) codes.push(`${w + j}:${b.result.error.code}:${b.result.error.cause && b.result.error.cause.code}`);
          return `${b.path}:${b.result.state}`;
        }))));
      }
      rollout.configure({ stage: 'off' });
      for (const r of window.__requests.slice(100, 105)) await rollout.book(r, { legacy });
      const tally = {};
      for (const s of states) tally[s] = (tally[s] ?? 0) + 1;
      return { tally, legacyCalls, codes };
    }, { providerUrl: provider.url, slot: SLOT, storageKey, setUp: setUp.toString() });
    assert.deepEqual(first.tally, { 'new:completed': 80, 'new:failed': 20 }, JSON.stringify(first));
    // A reload: the records, their keys and the paths come back from storage.
    await tab.reload();
    const seen = await tab.evaluate(async (args) => {
      await RaptorSecondary.ready;
      await (0, eval)(`(${args.setUp})`)(args);
      const rollout = RaptorSecondary.rollout;
      const tally = (report) => {
        const out = {};
        for (const r of report.requests) out[`${r.path}:${r.status}`] = (out[`${r.path}:${r.status}`] ?? 0) + 1;
        return out;
      };
      const dry = await rollout.replay({ requests: window.__requests });
      const sentKeys = dry.requests.filter((r) => r.status === 'would_send').map((r) => r.idempotencyKey);
      const once = await rollout.replay({ dryRun: false, requests: window.__requests });
      const twice = await rollout.replay({ dryRun: false, requests: window.__requests });
      const keysKept = once.requests.filter((r) => r.status === 'sent').every((r) => sentKeys.includes(r.idempotencyKey));
      const after = await rollout.replay({});
      let badOption = '';
      try { await rollout.replay({ dryrun: false }); } catch (e) { badOption = `${e.code}: ${e.message}`; }
      return {
        unknown: dry.unknown.length, dry: tally(dry), once: tally(once), twice: tally(twice), keysKept,
        completedOnce: once.requests.filter((r) => r.status === 'sent' && r.result.state === 'completed').length,
        unknownAfter: after.unknown.length, outbox: once.outbox, badOption, errors: window.__engineErrors,
        warnings: window.__warnings,
        notFound: dry.requests.flatMap((r, i) => (r.status === 'not_found' ? [i] : [])),
      };
    }, { providerUrl: provider.url, slot: SLOT, storageKey, setUp: setUp.toString() });
    const stats = await admin('stats');
    const made = stats.appointments.filter((a) => a.calendarId.startsWith('replay-')).map((a) => a.calendarId);
    assert.equal(seen.unknown, 20, 'the 20 lost answers are listed');
    const why = JSON.stringify({ notFound: seen.notFound, errors: seen.errors, warnings: seen.warnings, first });
    assert.deepEqual(seen.dry, { 'new:would_send': 20, 'new:answered': 80, 'legacy:reconcile': 5, 'new:not_found': 1 }, why);
    assert.deepEqual(seen.once, { 'new:sent': 20, 'new:answered': 80, 'legacy:reconcile': 5, 'new:not_found': 1 });
    assert.deepEqual(seen.twice, { 'new:answered': 100, 'legacy:reconcile': 5, 'new:not_found': 1 });
    assert.equal(seen.completedOnce, 20);
    assert.ok(seen.keysKept, 'sent again under the keys the dry run named');
    assert.equal(seen.unknownAfter, 0);
    assert.equal(made.length, 100, 'exactly 100 appointments');
    assert.equal(new Set(made).size, 100);
    assert.deepEqual(stats.duplicates, []);
    assert.match(seen.badOption, /^invalid_options: .*no option dryrun/);
    assert.deepEqual(seen.errors, []);
    console.log(`rollout: ${engine}: replay: 100 bookings with 20 answers lost, a reload, replayed twice: ${seen.unknown} unknown listed; first replay ${JSON.stringify(seen.once)}; second ${JSON.stringify(seen.twice)}; ${made.length} appointments, ${stats.duplicates.length} duplicates`);
    await tab.close();
  });
});
