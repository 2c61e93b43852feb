// The package as a team installs it: `npm pack` of the repository (after `npm run build`: its
// manifest's exports and files point into pkg/), installed from the tarball into a scratch project, then used three ways: from Node (the ES
// module and the drop-in-only module, `initSync`), bundled with esbuild into a page that runs
// in each engine (the `.wasm` as a file the bundler copies; scripts/engines.mjs, BROWSERS,
// default all) and into a module worker that books with IndexedDB storage, and checked by
// publint (strict) and
// @arethetypeswrong/cli (ESM-only profile: the package has no CommonJS entry). Needs pkg/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { eachEngine } from '../support/browsers.mjs';
import { startStaticServer } from '../../scripts/serve.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const scratch = mkdtempSync(join(tmpdir(), 'raptor-secondary-package-'));
let tarball;
let pkgTarball;

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

before(() => {
  const name = npm(['pack', '--pack-destination', scratch], ROOT).trim().split('\n').pop();
  tarball = join(scratch, name);
  // pkg/ is the same package rooted in pkg/ (npm pack ./pkg, or pkg/ copied elsewhere).
  const alone = join(scratch, 'alone');
  mkdirSync(alone);
  pkgTarball = join(alone, npm(['pack', '--pack-destination', alone], join(ROOT, 'pkg')).trim().split('\n').pop());
  const project = join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  npm(['install', tarball, '--no-audit', '--no-fund', '--offline'], project);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the tarball holds every file the modules import, and nothing of a former build', () => {
  const files = readdirSync(join(scratch, 'project', 'node_modules', 'raptor-secondary', 'pkg'), { recursive: true })
    .filter((f) => !f.endsWith('/') && f.includes('.')).sort();
  for (const needed of ['raptor_secondary.js', 'raptor_secondary_core.js', 'client.js', 'driver.js', 'kinds.js', 'guard.js', 'config.js', 'transport.js', 'tabs.js', 'storage.js',
    'raptor_secondary_bg.wasm', 'raptor_secondary_lite.js', 'raptor_secondary_lite_bg.wasm',
    'raptor-secondary.js', 'raptor-secondary.d.ts', 'raptor_secondary.d.ts',
    'raptor_secondary_drop_in.js', 'raptor_secondary_drop_in.d.ts']) {
    assert.ok(files.includes(needed), `${needed} is in the package`);
  }
  const snippets = files.filter((f) => f.startsWith('snippets'));
  assert.deepEqual(snippets.map((f) => f.split('/').pop()), ['fields.js', 'reads.js'], 'two snippets, the ones the glue imports');
});

test('the README, its docs and the licenses are in both packages, and no link in them is dead', () => {
  const installed = join(scratch, 'project', 'node_modules', 'raptor-secondary');
  const alone = join(scratch, 'alone', 'unpacked');
  mkdirSync(alone, { recursive: true });
  execFileSync('tar', ['-xzf', pkgTarball, '-C', alone]);
  let links = 0;
  for (const root of [installed, join(alone, 'package')]) {
    for (const file of ['README.md', 'LICENSE', 'LICENSE-MIT', 'LICENSE-APACHE', 'docs/user-guide.md']) {
      assert.ok(existsSync(join(root, file)), `${file} is in ${root}`);
    }
    for (const doc of ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)]) {
      const text = readFileSync(join(root, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target)) continue;
        const path = target.split('#')[0];
        links += 1;
        assert.ok(existsSync(join(root, dirname(doc), path)), `${doc} links ${target}, which the package does not hold`);
      }
    }
  }
  assert.ok(links > 10, `${links} links checked`);
});

test('Node: the ES module and the drop-in-only module, with initSync', () => {
  const script = `
    import { readFileSync } from 'node:fs';
    import { fileURLToPath } from 'node:url';
    import { initSync, getActionLabel, AppointmentClient } from 'raptor-secondary';
    import * as lite from 'raptor-secondary/drop-in';
    const bytes = (name) => readFileSync(fileURLToPath(import.meta.resolve('raptor-secondary/' + name)));
    initSync({ module: bytes('raptor_secondary_bg.wasm') });
    lite.initSync({ module: bytes('raptor_secondary_lite_bg.wasm') });
    const ie = { srcElement: { getAttribute: (n) => (n === 'data-action' ? 'book-appointment' : null) } };
    if (lite.resolveAction(ie).label !== 'book-appointment') throw new Error('resolveAction');
    const client = new AppointmentClient({ baseUrl: 'https://provider.example/api/v2' });
    console.log(JSON.stringify([getActionLabel(ie), lite.getActionLabel(ie), typeof client.book]));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(scratch, 'project'), encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), ['book-appointment', 'book-appointment', 'function']);
});

/** Bundles `entry` (a file of the scratch project) with esbuild into `dir`, with `html`. */
async function bundle(entry, dir, html) {
  const project = join(scratch, 'project');
  const out = join(project, dir);
  await build({
    entryPoints: [join(project, entry)], bundle: true, format: 'esm', target: 'es2022', minify: true,
    outdir: out, loader: { '.wasm': 'file' }, absWorkingDir: project, logLevel: 'silent',
  });
  // A classic script ahead of the module keeps whatever the page throws before the test's
  // first look (a module's top-level await runs during load), so a page that fails says why.
  writeFileSync(join(out, 'index.html'), html.replace('<!doctype html>', `<!doctype html><script>
    window.pageErrors = [];
    const keep = (e) => window.pageErrors.push(String(e && e.stack ? e + '\\n' + e.stack : e));
    addEventListener('error', (event) => keep(event.error ?? event.message));
    addEventListener('unhandledrejection', (event) => keep(event.reason));
  </script>`));
  return out;
}

let pages;
before(async () => {
  const project = join(scratch, 'project');
  writeFileSync(join(project, 'page.js'), `
    import init, { AppointmentClient, getActionLabel } from 'raptor-secondary';
    import wasmUrl from 'raptor-secondary/raptor_secondary_bg.wasm';
    window.steps = ['init'];
    await init({ module_or_path: wasmUrl });
    window.steps.push('first book');
    const button = document.querySelector('button');
    const calls = [];
    const provider = async (url, request) => {
      calls.push(request.method + ' ' + new URL(url).pathname);
      const body = url.endsWith('/events') ? { id: 'evt_1', status: 'published' } : { id: 'apt_1', status: 'confirmed' };
      return new Response(JSON.stringify(body), { status: 201, headers: { 'content-type': 'application/json' } });
    };
    const client = new AppointmentClient({ baseUrl: 'https://provider.example/api/v2', fetch: provider, storageKey: 'page-' + Math.random() });
    const slotStart = new Date(Math.ceil(Date.now() / 86400000) * 86400000 + 7 * 86400000).toISOString();
    const result = await client.book({ calendarId: 'cal_1', slotStart, durationMinutes: 30,
      patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org' });
    window.done = { label: getActionLabel({ srcElement: button }), state: result.state, error: result.error ?? null, appointmentId: result.appointmentId, calls };`);
  writeFileSync(join(project, 'worker.js'), `
    import init, { AppointmentClient } from 'raptor-secondary';
    import wasmUrl from 'raptor-secondary/raptor_secondary_bg.wasm';
    // Each step and anything thrown where nothing awaits it reach the page, so a worker that
    // stops says where.
    const fail = (e) => postMessage({ error: String(e && e.stack ? e + '\\n' + e.stack : e) });
    addEventListener('unhandledrejection', (event) => fail(event.reason));
    addEventListener('error', (event) => fail(event.error ?? event.message));
    postMessage({ step: 'init' });
    await init({ module_or_path: wasmUrl });
    postMessage({ step: 'client' });
    const provider = async (url) => new Response(JSON.stringify(url.endsWith('/events') ? { id: 'evt_1', status: 'published' } : { id: 'apt_w', status: 'confirmed' }),
      { status: 201, headers: { 'content-type': 'application/json' } });
    const client = new AppointmentClient({ baseUrl: 'https://provider.example/api/v2', fetch: provider, storage: 'indexeddb', storageKey: 'worker-' + Math.random() });
    await client.ready;
    postMessage({ step: 'first book' });
    const slotStart = new Date(Math.ceil(Date.now() / 86400000) * 86400000 + 7 * 86400000).toISOString();
    const request = { calendarId: 'cal_w', slotStart, durationMinutes: 30, patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org' };
    const first = await client.book(request);
    postMessage({ step: 'second book' });
    const again = await client.book(request);
    postMessage({ state: first.state, appointmentId: first.appointmentId, replay: again.idempotentReplay, restored: client.restored().enabled });`);
  const page = await bundle('page.js', 'dist',
    '<!doctype html><button data-action="book-appointment">Book</button><script type="module" src="page.js"></script>');
  const worker = await bundle('worker.js', 'dist-worker', `<!doctype html><script type="module">
    const worker = new Worker('worker.js', { type: 'module' });
    window.steps = [];
    worker.onmessage = (e) => { if (e.data.step) window.steps.push(e.data.step); else window.done = e.data; };
    worker.onerror = (e) => { window.done = { error: e.message }; };
  </script>`);
  pages = await startStaticServer({ port: 0, mounts: { '/worker/': worker, '/': page } });
});
after(() => pages?.server.close());

eachEngine((engine, browser) => {
  /** Opens `path`, waits for `window.done` and returns it, with the page's errors. */
  async function done(path) {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(`${pages.url}${path}`);
    await tab.watchErrors();
    try {
      await tab.waitForFunction(() => window.done || window.pageErrors.length, null, { timeout: 20_000 });
    } catch (error) {
      const steps = await tab.evaluate(() => window.steps ?? null);
      throw new Error(`${error.message}${steps ? ` (the steps begun: ${steps.join(', ')})` : ''}`);
    }
    const value = await tab.evaluate(() => window.done ?? null);
    errors.push(...await tab.evaluate(() => window.pageErrors), ...await tab.errors());
    await tab.close();
    // WebKit 2.38's engine trap (docs/testing.md, Browsers) is named as run_tests.sh knows it.
    const trap = [...errors, String(value?.error ?? '')].find((e) => e.startsWith('RuntimeError: Out of bounds memory access'));
    if (engine === 'webkit' && trap) throw new Error(`in WebKit: ${trap}`);
    return { value, errors };
  }

  test(`${engine}: a page bundled with esbuild from the installed package books`, async () => {
    const { value, errors } = await done('');
    assert.deepEqual(errors, []);
    assert.deepEqual(value, {
      label: 'book-appointment', state: 'completed', error: null, appointmentId: 'apt_1',
      calls: ['POST /api/v2/appointments', 'POST /api/v2/events'],
    });
  });

  test(`${engine}: a module worker bundled from the installed package books with IndexedDB storage`, async () => {
    const { value } = await done('worker/');
    assert.deepEqual(value, { state: 'completed', appointmentId: 'apt_w', replay: true, restored: true });
  });
});

test('publint (strict) and arethetypeswrong (ESM-only) pass, for the repository and for pkg/', () => {
  for (const packed of [tarball, pkgTarball]) {
    const lint = execFileSync(join(BIN, 'publint'), ['run', packed, '--strict'], { encoding: 'utf8' });
    assert.match(lint, /All good/, packed);
    // The .wasm entries are files for bundlers and initSync, not modules with types.
    execFileSync(join(BIN, 'attw'), [packed, '--profile', 'esm-only', '--exclude-entrypoints',
      './raptor_secondary_bg.wasm', './raptor_secondary_lite_bg.wasm', './package.json'], { encoding: 'utf8' });
  }
});
