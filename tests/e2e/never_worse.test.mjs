// Never worse than the legacy helper: a legacy page with the loader's one tag and two inline
// handlers, `getActionLabel(event)` and the IE11-style `getActionLabel({ srcElement: this })`,
// served normally and in each way the WebAssembly module cannot run (a CSP without
// 'wasm-unsafe-eval', the .wasm or the boot module answering 404, no WebAssembly) or is slow
// (the .wasm held 20 s). Real clicks in each engine (BROWSERS): every click answered with the
// right label at once, no uncaught error or unhandled rejection, `engine` and `engineReason`
// right, one console warning where the module cannot run, booking refused with `not_loaded`.
// The legacy helper on the same page answers 1 of 2 (its srcElement bug). Then the fallback
// against the module inside the page, over real elements, real click events (shadow roots,
// nested children, disabled fieldsets) and generated input: zero differences.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../scripts/serve.mjs';
import { eachEngine } from '../support/browsers.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const HOLD_MS = 20_000;
const INPUTS = Number(process.env.FALLBACK_PAGE_INPUTS ?? 20_000);

// Recorded from the first line of the page: errors, unhandled rejections, console warnings.
const WATCH = `<script>window.__engineErrors = []; window.__warnings = [];
addEventListener('error', function (e) { __engineErrors.push(String(e.message)); });
addEventListener('unhandledrejection', function (e) { __engineErrors.push('unhandled rejection: ' + String(e.reason && e.reason.message || e.reason)); });
var warn = console.warn; console.warn = function () { __warnings.push(String(arguments[0])); return warn.apply(console, arguments); };</script>`;
const BUTTONS = `<button id="modern" data-action="book-appointment" onclick="answer(getActionLabel(event))">Book</button>
<button id="ie11" data-action="reschedule-appointment" onclick="answer(getActionLabel({ srcElement: this }))">Reschedule</button>
<script>window.answers = []; function answer(label) { answers.push([label, performance.now()]); }</script>`;
const page = (head, loader = '<script src="/pkg/raptor-secondary.js"></script>') =>
  `<!doctype html><html><head><meta charset="utf-8">${WATCH}${head}${loader}
<script>window.__fallback = { getActionLabel: getActionLabel, resolveAction: resolveAction };</script></head><body>${BUTTONS}</body></html>`;
const LEGACY = '<script src="/legacy-helper.js"></script>';

// Each page: what answers, and why.
const PAGES = {
  normal: { html: page(''), engine: 'wasm', reason: null },
  csp: { html: page(''), engine: 'fallback', reason: 'csp', csp: "script-src 'self' 'unsafe-inline'" },
  'wasm-404': { html: page('', '<script src="/pkg/raptor-secondary.js" data-wasm-url="/pkg/missing_bg.wasm"></script>'), engine: 'fallback', reason: 'load_failed' },
  'boot-404': { html: page(''), engine: 'fallback', reason: 'load_failed', missing: '/pkg/raptor_secondary_boot.js' },
  'no-webassembly': { html: page('<script>delete window.WebAssembly;</script>'), engine: 'fallback', reason: 'no_webassembly' },
  'wasm-held-20s': { html: page(''), engine: 'fallback', reason: 'loading', holdWasm: true },
};

let server, base, current;
before(async () => {
  const pages = Object.fromEntries(Object.entries(PAGES).map(([name, p]) => [`/${name}.html`, p.html]));
  for (const name of Object.keys(PAGES)) {
    // The legacy helper on the same page (a classic-script copy of legacy/src/compatActionLabel.js).
    pages[`/legacy-${name}.html`] = PAGES[name].html.replace(/<script src="\/pkg\/raptor-secondary.js"[^>]*><\/script>\s*<script>window.__fallback[^<]*<\/script>/, LEGACY);
  }
  ({ server, url: base } = await startStaticServer({
    port: 0,
    mounts: { '/pkg/': join(ROOT, 'pkg'), '/tests/': join(ROOT, 'tests'), '/data/': join(ROOT, 'data'), '/legacy/': join(ROOT, 'legacy') },
    pages,
    delay: (path) => (current?.holdWasm && path.endsWith('.wasm') ? HOLD_MS : 0),
  }));
  // Per-page headers and 404s: the server's own request handler, wrapped.
  const handler = server.listeners('request')[0];
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    const path = req.url.split('?')[0];
    const name = path.replace(/^\/(legacy-)?/, '').replace(/\.html$/, '');
    if (PAGES[name]?.csp) res.setHeader('content-security-policy', PAGES[name].csp);
    if (current?.missing === path) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
    if (path === '/legacy-helper.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(`(function () { var module = { exports: {} }; var exports = module.exports;\n${LEGACY_SOURCE}\nwindow.getActionLabel = module.exports.getActionLabel; })();`);
      return;
    }
    handler(req, res);
  });
});
after(() => { server?.closeAllConnections?.(); server?.close(); });

const LEGACY_SOURCE = readFileSync(join(ROOT, 'legacy', 'src', 'compatActionLabel.js'), 'utf8');

eachEngine((engine, browser) => {
  for (const [name, expected] of Object.entries(PAGES)) {
    test(`${engine}: ${name}: both clicks answered at once, right engine, nothing thrown`, async () => {
      current = expected;
      const tab = await browser.newPage();
      await tab.goto(`${base}${name}.html`);
      // Settled: the module ready or given up (a held .wasm is still on its way).
      await tab.waitForFunction((pending) => RaptorSecondary.engineReason !== 'loading' || pending, expected.reason === 'loading');
      const clickedAt = await tab.evaluate(() => performance.now());
      await tab.click('#modern');
      await tab.click('#ie11');
      await tab.waitForFunction(() => window.answers.length === 2);
      const seen = await tab.evaluate(() => ({
        answers: window.answers, engine: RaptorSecondary.engine, reason: RaptorSecondary.engineReason,
        errors: window.__engineErrors, warnings: window.__warnings.filter((w) => /raptor-secondary/.test(w)),
        booking: (() => {
          try { new RaptorSecondary.AppointmentClient({}); return 'constructed'; } catch (e) { return e.code; }
        })(),
      }));
      assert.deepEqual(seen.answers.map((a) => a[0]), ['book-appointment', 'reschedule-appointment']);
      // Answered within the click (no click held back for the module): well under a second.
      assert.ok(seen.answers[1][1] - clickedAt < 5_000, `answered ${Math.round(seen.answers[1][1] - clickedAt)} ms after the clicks`);
      assert.equal(seen.engine, expected.engine);
      assert.equal(seen.reason, expected.reason);
      assert.deepEqual(seen.errors, []);
      const failed = expected.engine === 'fallback' && expected.reason !== 'loading';
      assert.equal(seen.warnings.length, failed ? 1 : 0, seen.warnings.join('\n'));
      if (failed) {
        assert.match(seen.warnings[0], new RegExp(`\\(${expected.reason}\\)`));
        assert.equal(seen.booking, 'not_loaded');
        const rejected = await tab.evaluate(() => RaptorSecondary.ready.then(() => 'resolved', (e) => `${e.code} ${e.reason}`));
        assert.equal(rejected, `not_loaded ${expected.reason}`);
      }
      if (name === 'normal') assert.equal(seen.booking, 'not_loaded', 'no data-client: the client is not loaded');
      const legacy = await browser.newPage();
      await legacy.goto(`${base}legacy-${name}.html`);
      await legacy.click('#modern');
      await legacy.click('#ie11');
      await legacy.waitForFunction(() => window.answers.length === 2);
      const legacyAnswers = await legacy.evaluate(() => window.answers.map((a) => a[0]));
      assert.deepEqual(legacyAnswers, ['book-appointment', ''], 'the legacy helper misses the IE11-style call');
      console.log(`never-worse: ${engine}: ${name}: ${seen.answers.filter((a) => a[0]).length} of 2 labels answered, engine ${seen.engine} (${seen.reason ?? 'ready'}), ${seen.errors.length} uncaught errors, ${seen.warnings.length} warnings; the legacy helper: ${legacyAnswers.filter(Boolean).length} of 2`);
      await legacy.close();
      await tab.close();
      current = undefined;
    });
  }

  test(`${engine}: the fallback gives the module's answers in the page: real clicks, corpus, ${INPUTS} generated inputs`, async () => {
    current = PAGES.normal;
    const tab = await browser.newPage();
    await tab.goto(`${base}normal.html`);
    const report = await tab.evaluate(async (inputs) => {
      await RaptorSecondary.ready;
      const { compareEngines, difference } = await import('/tests/support/fallback_diff.js');
      const { attempt } = await import('/tests/support/hostile.js');
      const corpus = await (await fetch('/data/action_label_corpus.json')).json();
      const wasm = { getActionLabel, resolveAction };
      const fallback = window.__fallback;
      // Real click events, compared during dispatch (afterwards currentTarget and composedPath
      // are cleared): nested children, text nodes, a disabled fieldset, an open shadow root.
      const root = document.createElement('div');
      root.innerHTML = `<section data-action="outer"><button data-action="book"><span><b>deep</b> text</span></button>
        <fieldset disabled><button data-action="inside-disabled"><i>x</i></button></fieldset>
        <a href="#" data-action=""><em>empty</em></a><div><p>no label</p></div><div id="host" data-action="host-action"></div></section>`;
      document.body.append(root);
      const host = root.querySelector('#host').attachShadow({ mode: 'open' });
      host.innerHTML = '<button data-action="in-shadow"><span>s</span></button><p>plain</p>';
      const nodes = [...root.querySelectorAll('*'), ...host.querySelectorAll('*')];
      for (const n of [...nodes]) for (const c of n.childNodes) if (c.nodeType === 3) nodes.push(c);
      let clicks = 0;
      const clickDifferences = [];
      const listen = (target) => target.addEventListener('click', (event) => {
        event.preventDefault();
        for (const [name, args] of [['getActionLabel', [event]], ['resolveAction', [event]],
          ['resolveAction', [event, { maxDepth: 1 }]], ['getActionLabel', [event, 'data-missing']]]) {
          clicks += 1;
          const d = difference(attempt(wasm[name], args), attempt(fallback[name], args));
          if (d && clickDifferences.length < 10) clickDifferences.push(`${name}: ${d}`);
        }
      });
      listen(root);
      listen(host);
      for (let i = 0; i < 2000; i++) {
        const node = nodes[i % nodes.length];
        node.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true, cancelable: true }));
      }
      const { counts, differences } = compareEngines(wasm, fallback, { inputs, corpus, doc: document, seed: 20261206 });
      root.remove();
      return { counts, differences: [...clickDifferences, ...differences], clicks };
    }, INPUTS);
    console.log(`never-worse: ${engine}: fallback vs module in the page: ${report.clicks} calls on real click events, ${report.counts.corpus} corpus cases, ${report.counts.inputs} generated inputs (${report.counts.throws} throws): ${report.differences.length ? report.counts.differences + '+' : 0} differences`);
    assert.deepEqual(report.differences, []);
    await tab.close();
    current = undefined;
  });
});
