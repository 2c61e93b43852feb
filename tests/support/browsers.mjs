// What the browser tests share: one `describe` per engine named by BROWSERS (chromium, firefox,
// webkit, a comma list or all; default all) with its browser launched before the engine's tests
// and closed after them, and the demo (mock provider and page server) started for a file.
//
//   eachEngine((engine, browser) => {
//     test(`${engine}: ...`, async () => { const page = await browser.newPage(); ... });
//   });
import { after, before, describe } from 'node:test';
import { buildProvider, startDemo } from '../../scripts/demo.mjs';
import { engines, launch } from '../../scripts/engines.mjs';

/**
 * Calls `body(engine, browser)` inside `describe(engine)` for each engine BROWSERS names.
 * `browser` stands for the engine's browser (scripts/engines.mjs) once its `before` hook has
 * launched it: use it inside tests and hooks, not while the tests are being declared.
 */
export function eachEngine(body) {
  for (const engine of engines(process.env.BROWSERS)) {
    describe(engine, () => {
      let launched;
      before(async () => { launched = await launch(engine); });
      after(async () => { await launched?.close(); });
      body(engine, {
        engine,
        newPage: () => launched.newPage(),
        get version() { return launched.version; },
        get raw() { return launched.raw; },
      });
    });
  }
}

/**
 * Starts the demo (the release mock provider and the page server, on free ports) before the
 * file's tests and stops it after them. The fields are read inside tests: `url`, `providerUrl`,
 * and `admin(path)`, the provider's `/__admin/<path>` answer as JSON.
 */
export function demoForFile() {
  let demo;
  before(async () => {
    buildProvider({ quiet: true });
    demo = await startDemo({ port: 0, providerPort: 0, quiet: true });
  });
  after(async () => { await demo?.stop(); });
  return {
    get url() { return demo.url; },
    get providerUrl() { return demo.providerUrl; },
    admin: (path) => fetch(`${new URL(demo.providerUrl).origin}/__admin/${path}`).then((r) => r.json()),
  };
}
