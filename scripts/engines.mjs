// One way to drive the three browser engines these machines run, so a test is written once
// and runs in each: Chromium and Firefox ESR (Debian's, through puppeteer-core: CDP for
// Chromium, WebDriver BiDi for Firefox) and WebKit (Debian's WPE WebKit MiniBrowser, through
// selenium-webdriver and WPEWebDriver). Every engine's page answers the same small API:
//
//   const browser = await launch('firefox');       // 'chromium' | 'firefox' | 'webkit'
//   const page = await browser.newPage();          // a visible window of one shared profile
//   await page.goto(url);
//   const x = await page.evaluate((arg) => ..., arg);  // awaited in the page; JSON in and out
//   await page.waitForFunction((arg) => ..., arg, { timeout });
//   await page.click(selector); await page.$$eval(selector, (elements, arg) => ..., arg);
//   await page.screenshot({ path }); page.errors(); await page.close(); await browser.close();
//
// One driver for Chromium and Firefox: puppeteer-core launched Chromium and answered evaluates a
// little faster than playwright-core in a one-off interleaved comparison (figures in commit
// 8732545); Playwright's own Firefox path needs its patched build, which these machines cannot
// download, and its BiDi mode fails with the pinned version. In Chromium and Firefox
// `page.raw` is puppeteer's page; WebKit has none. Pitfalls handled here, measured in
// ../shared/research/{firefox,webkit}_driving.md: a Firefox *tab* in the background has its
// timers clamped to 1 s, so pages are windows; WPEWebDriver's New Window opens nothing, so a
// window is opened from a home window with window.open and found among the handles; classic
// WebDriver has one current window, so commands to WebKit pages are queued and each switches
// first (a long evaluate holds the queue: start work with one evaluate, collect it with another).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ENGINES = ['chromium', 'firefox', 'webkit'];
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const WPE_DRIVER = process.env.WPE_DRIVER_PATH ?? '/usr/bin/WPEWebDriver';
export const WPE_BROWSER = process.env.WPE_BROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/wpe-webkit-1.1/MiniBrowser';

/** The engines named by `--browser` / an env value: one name, a comma list, or `all`. */
export function engines(value, fallback = 'all') {
  const list = String(value ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
  const names = list.includes('all') ? ENGINES : list;
  const unknown = names.find((n) => !ENGINES.includes(n));
  if (unknown) throw new Error(`unknown browser '${unknown}': one of ${ENGINES.join(', ')} or all`);
  return names;
}

/** Launches `engine`; see the module documentation. */
export async function launch(engine) {
  if (engine === 'chromium') return chromium();
  if (engine === 'firefox') return firefox();
  if (engine === 'webkit') return webkit();
  throw new Error(`unknown browser '${engine}': one of ${ENGINES.join(', ')}`);
}

/** Wraps `fn` so it runs in a page with one JSON argument, awaited. */
const source = (fn) => `(${fn.toString()})`;

/** Uncaught errors of a page, gathered in the page itself (every engine). */
const WATCH_ERRORS = `(() => { if (window.__engineErrors) return; window.__engineErrors = [];
  addEventListener('error', (e) => window.__engineErrors.push(String(e.message)));
  addEventListener('unhandledrejection', (e) => window.__engineErrors.push('unhandled rejection: ' + String(e.reason && e.reason.message || e.reason))); })()`;

/** A puppeteer-core page in the shared page API (Chromium and Firefox). */
const puppeteerPage = (page) => ({
  raw: page,
  goto: (url) => page.goto(url),
  reload: () => page.reload(),
  evaluate: (fn, arg) => page.evaluate(fn, arg),
  waitForFunction: (fn, arg, options) => page.waitForFunction(fn, { timeout: 30_000, ...options }, arg),
  waitForSelector: (selector, { timeout = 30_000 } = {}) => page.waitForSelector(selector, { timeout }),
  click: (selector) => page.click(selector),
  dblclick: (selector) => page.click(selector, { count: 2 }),
  selectOption: (selector, value) => page.select(selector, value),
  $eval: (selector, fn, arg) => page.$eval(selector, fn, arg),
  $$eval: (selector, fn, arg) => page.$$eval(selector, fn, arg),
  textContent: (selector) => page.$eval(selector, (e) => e.textContent),
  screenshot: (options) => page.screenshot(options),
  setViewportSize: (size) => page.setViewport(size),
  on: (type, fn) => page.on(type, type === 'pageerror' ? (e) => fn({ message: e?.message ?? String(e) }) : fn),
  errors: () => page.evaluate(() => window.__engineErrors ?? []),
  watchErrors: () => page.evaluate(WATCH_ERRORS),
  close: () => page.close(),
});

/** `options` launched by puppeteer-core in a fresh profile; pages are windows. */
async function puppeteerBrowser(engine, options) {
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = mkdtempSync(join(tmpdir(), `raptor-${engine}-`));
  const browser = await puppeteer.launch({ headless: true, userDataDir: profile, ...options });
  const version = (await browser.version()).replace(/^[A-Za-z]+\//, '');
  return {
    engine, version, raw: browser,
    // A window, not a tab: a background tab's timers are clamped (to 1 s in Firefox).
    newPage: async () => puppeteerPage(await browser.newPage({ type: 'window' })),
    // Bounded: a browser that does not close in 15 s is killed (an unbounded close once held a
    // CI run for the whole test timeout after every test had passed).
    close: async () => {
      const closed = browser.close().then(() => true, () => false);
      if (!(await Promise.race([closed, sleep(15_000).then(() => false)]))) {
        console.error(`engines: ${engine} did not close in 15 s; killed`);
        browser.process()?.kill('SIGKILL');
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Debian's Chromium, started as these machines need it (no background networking: the closed
// network refuses it), with gc() exposed and precise memory figures for the leak checks.
const chromium = () => puppeteerBrowser('chromium', {
  browser: 'chrome', executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--js-flags=--expose-gc', '--enable-precise-memory-info'],
});

// Debian's Firefox ESR over WebDriver BiDi, with Chromium's 100 µs performance.now() step on
// plain pages (Firefox's default is 1 ms).
const firefox = () => puppeteerBrowser('firefox', {
  browser: 'firefox', executablePath: FIREFOX,
  extraPrefsFirefox: { 'privacy.resistFingerprinting.reduceTimerPrecision.microseconds': 100 },
});

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const freePort = () => new Promise((ok, fail) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => ok(port));
  }).on('error', fail);
});

async function webkit() {
  const { Builder, By } = (await import('selenium-webdriver')).default;
  const port = await freePort();
  // JSC_useSharedArrayBuffer: WPE keeps SharedArrayBuffer off even when cross-origin isolated.
  // A process group of its own: closing kills the browser processes it started too, which
  // otherwise outlive it holding our stderr pipe open, and the test process never exits.
  const driver = spawn(WPE_DRIVER, [`--port=${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, JSC_useSharedArrayBuffer: '1' }, detached: true,
  });
  const killGroup = (signal) => { try { process.kill(-driver.pid, signal); } catch { /* gone */ } };
  let stderr = '';
  driver.stderr.on('data', (b) => { stderr = (stderr + b).slice(-4000); });
  const exited = new Promise((ok) => driver.once('exit', ok));
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false);
    if (up) break;
    if (driver.exitCode !== null) throw new Error(`WPEWebDriver exited: ${stderr.trim()}`);
    await sleep(50);
  }
  let session;
  try {
    session = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
      browserName: 'MiniBrowser',
      'wpe:browserOptions': { binary: WPE_BROWSER, args: ['--automation', '--headless'] },
    }).build();
  } catch (error) {
    killGroup('SIGKILL');
    driver.stderr.destroy();
    throw new Error(`WebKit did not start: ${error.message}\n${stderr.trim()}`);
  }
  await session.manage().setTimeouts({ script: 600_000, pageLoad: 60_000 });
  const version = (await session.getCapabilities()).get('browserVersion');
  const home = await session.getWindowHandle();
  // One command at a time: each switches to its window first.
  let queue = Promise.resolve();
  let current = home;
  const serial = (handle, fn) => {
    const run = queue.then(async () => {
      if (current !== handle) {
        await session.switchTo().window(handle);
        current = handle;
      }
      return fn();
    });
    queue = run.catch(() => {});
    return run;
  };
  const evaluate = (handle, fn, arg) => serial(handle, async () => {
    // WebKit 2.38's Wasm trap (docs/testing.md, Browsers) thrown where nothing awaits it (a
    // timer, a fetch's answer) leaves the page's calls unanswered: it ends the script at once,
    // as a failure that names it, instead of after the 600 s script timeout.
    const out = await session.executeAsyncScript(`const done = arguments[arguments.length - 1];
      const text = (error) => String(error) + (error && error.stack ? '\\n' + error.stack : '');
      let finished = false;
      const finish = (out) => {
        if (finished) return;
        finished = true;
        window.removeEventListener('error', onError);
        window.removeEventListener('unhandledrejection', onRejection);
        done(out);
      };
      const trap = (error) => typeof WebAssembly === 'object' && WebAssembly && typeof WebAssembly.RuntimeError === 'function'
        && error instanceof WebAssembly.RuntimeError && finish({ ok: false, error: text(error) + '\\n(thrown where nothing awaited it)' });
      const onError = (event) => trap(event.error);
      const onRejection = (event) => trap(event.reason);
      window.addEventListener('error', onError);
      window.addEventListener('unhandledrejection', onRejection);
      Promise.resolve().then(() => ${source(fn)}(arguments[0])).then(
        (value) => finish({ ok: true, value: value === undefined ? null : value }),
        (error) => finish({ ok: false, error: text(error) }));`, arg === undefined ? null : arg);
    if (!out.ok) throw new Error(`in WebKit: ${out.error}`);
    return out.value;
  });
  const wrap = (handle) => {
    const page = {
      raw: undefined,
      goto: (url) => serial(handle, () => session.get(url)),
      reload: () => serial(handle, () => session.navigate().refresh()),
      evaluate: (fn, arg) => evaluate(handle, fn, arg),
      waitForFunction: async (fn, arg, { timeout = 30_000 } = {}) => {
        const until = Date.now() + timeout;
        for (;;) {
          const value = await evaluate(handle, fn, arg);
          if (value) return value;
          if (Date.now() > until) throw new Error(`waitForFunction: timed out after ${timeout} ms`);
          await sleep(20);
        }
      },
      waitForSelector: (selector, { timeout = 30_000 } = {}) => page.waitForFunction(
        (sel) => document.querySelector(sel) !== null, selector, { timeout }),
      // WebDriver's element click: a trusted click at the element's centre, as a user's.
      click: (selector) => serial(handle, async () => (await session.findElement(By.css(selector))).click()),
      dblclick: (selector) => serial(handle, async () => {
        const element = await session.findElement(By.css(selector));
        await session.actions({ async: true }).doubleClick(element).perform();
      }),
      selectOption: (selector, value) => evaluate(handle, ({ selector, value }) => {
        const select = document.querySelector(selector);
        select.value = value;
        select.dispatchEvent(new Event('input', { bubbles: true }));
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }, { selector, value }),
      $eval: (selector, fn, arg) => evaluate(handle, new Function('a', `const e = document.querySelector(a.selector);
        if (!e) throw new Error('no element matches ' + a.selector); return (${fn.toString()})(e, a.arg);`), { selector, arg }),
      $$eval: (selector, fn, arg) => evaluate(handle, new Function('a',
        `return (${fn.toString()})([...document.querySelectorAll(a.selector)], a.arg);`), { selector, arg }),
      textContent: (selector) => evaluate(handle, (sel) => document.querySelector(sel)?.textContent ?? null, selector),
      screenshot: async ({ path } = {}) => {
        const png = Buffer.from(await serial(handle, () => session.takeScreenshot()), 'base64');
        if (path) writeFileSync(path, png);
        return png;
      },
      setViewportSize: ({ width, height }) => serial(handle, () => session.manage().window().setRect({ width, height })),
      on: () => page, // no console or page-error stream over classic WebDriver: use errors()
      errors: () => evaluate(handle, () => window.__engineErrors ?? []),
      watchErrors: () => evaluate(handle, new Function(`return ${WATCH_ERRORS}`)),
      close: () => serial(handle, async () => {
        await session.close();
        await session.switchTo().window(home);
        current = home;
      }),
    };
    return page;
  };
  return {
    engine: 'webkit', version, raw: session,
    newPage: () => serial(home, async () => {
      const before = new Set(await session.getAllWindowHandles());
      await session.executeScript("window.open('about:blank', '_blank', 'noopener')");
      for (let i = 0; i < 200; i++) {
        const added = (await session.getAllWindowHandles()).find((h) => !before.has(h));
        if (added) return wrap(added);
        await sleep(25);
      }
      throw new Error('WebKit: the new window did not open');
    }),
    close: async () => {
      await Promise.race([session.quit().catch(() => {}), sleep(15_000)]);
      killGroup('SIGTERM');
      await Promise.race([exited, sleep(2000)]);
      killGroup('SIGKILL');
      driver.stderr.destroy();
    },
  };
}
