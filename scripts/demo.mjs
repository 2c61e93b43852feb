#!/usr/bin/env node
// `npm run demo`: the booking page on the drop-in script against a real local /api/v2
// provider. Installs what the demo needs if it is missing (./setup.sh --demo: the Rust Wasm
// toolchain and the npm packages; browsers are for the tests), builds pkg/ and the mock
// provider, starts it and a static server on loopback, prints the URL; Ctrl-C stops both.
const HELP = `npm run demo [-- options]     (or: node scripts/demo.mjs [options])

  --port N            the page's port (default 8080, or $PORT; 0 picks a free one)
  --provider-port N   the mock provider's port (default: the page's port + 1)
  --scenario NAME     the provider's default behaviour (default immediate; the page can
                      switch it: pending, fail_once, always_timeout, down, ...)
  --no-build          skip ./setup.sh --demo and npm run build (pkg/ must exist)
  -h, --help          this text

Both --port 9000 and --port=9000 work.`;
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs as parseOptions } from 'node:util';
import { startStaticServer } from './serve.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const PROVIDER = join(ROOT, 'target', 'release', 'mock-provider');

/** The client settings the page uses: short enough to watch retries and the breaker. */
export const CLIENT_CONFIG = {
  attempts: 3, baseDelayMs: 250, maxDelayMs: 2000, attemptTimeoutMs: 2500, deadlineMs: 15000,
  pollIntervalMs: 400, breakerThreshold: 3, breakerCooldownMs: 5000,
};

/** Builds the provider binary (incremental: seconds when nothing changed). */
export function buildProvider({ quiet = false } = {}) {
  execFileSync('cargo', ['build', '--release', '-p', 'mock-provider'],
    { cwd: ROOT, stdio: quiet ? 'pipe' : 'inherit' });
}

/** Starts the provider; resolves to { child, url } once it listens. */
export function startProvider({ port = 8081, scenario = 'immediate', quiet = false } = {}) {
  if (!existsSync(PROVIDER)) buildProvider({ quiet });
  const args = ['--port', String(port), '--scenario', scenario];
  if (quiet) args.push('--quiet');
  const child = spawn(PROVIDER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((ok, fail) => {
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.once('exit', (code) => fail(new Error(err.trim() || `mock-provider exited with ${code}`)));
    child.stdout.setEncoding('utf8');
    let buffer = '';
    const onData = (chunk) => {
      buffer += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(buffer);
      if (!match) return;
      child.stdout.off('data', onData);
      child.removeAllListeners('exit');
      if (!quiet) child.stdout.pipe(process.stdout);
      ok({ child, url: match[1] });
    };
    child.stdout.on('data', onData);
  });
}

/** Whether `port` on loopback can be listened on now (0 always can). */
function isFree(port) {
  if (port === 0) return Promise.resolve(true);
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/**
 * Both ports are checked before anything starts, so a busy one is named with a command that
 * works: a free pair of ports, both moved by --port (or both given, when the provider's was).
 */
async function checkPorts(port, providerPort, explicitProvider) {
  const busy = [];
  if (!(await isFree(port))) busy.push(`${port} (the page)`);
  if (providerPort !== port && !(await isFree(providerPort))) busy.push(`${providerPort} (the provider)`);
  if (busy.length === 0) return;
  let next = null;
  for (let p = Math.max(port, 1024) + 10; p < 65000 && next === null; p += 10) {
    if ((await isFree(p)) && (await isFree(p + 1))) next = p;
  }
  const fix = next === null ? 'pass free ports with --port N --provider-port M'
    : explicitProvider ? `try: npm run demo -- --port ${next} --provider-port ${next + 1}`
      : `try: npm run demo -- --port ${next} (the page on ${next}, the provider on ${next + 1})`;
  throw new Error(`port${busy.length > 1 ? 's' : ''} ${busy.join(' and ')} ${busy.length > 1 ? 'are' : 'is'} already in use (another demo still running?); ${fix}`);
}

/**
 * Starts the provider and the page server. The page is served under a strict
 * Content-Security-Policy (no inline scripts, no eval; 'wasm-unsafe-eval' for WebAssembly);
 * drop-in.html, the inline-handler legacy showcase, is the one page without it.
 */
export async function startDemo({ port = 8080, providerPort = 8081, scenario = 'immediate', quiet = false, explicitProvider = false } = {}) {
  await checkPorts(port, providerPort, explicitProvider);
  const startedAt = Date.now();
  const provider = await startProvider({ port: providerPort, scenario, quiet }).catch((error) => {
    throw new Error(error.message.replace('--port N', '--provider-port N'));
  });
  const providerOrigin = new URL(provider.url).origin;
  const csp = [
    "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'",
    "img-src 'self' data:", `connect-src 'self' ${providerOrigin}`, "base-uri 'none'",
    "form-action 'none'", "frame-ancestors 'none'", 'report-uri /__report',
  ].join('; ');
  let page;
  try {
    page = await startStaticServer({
      port,
      headers: (file) => (basename(file) === 'drop-in.html' ? {} : { 'content-security-policy': csp }),
      // One storage namespace per provider run: a restarted provider knows none of the old
      // appointments, so the page must not replay them (reloads within a run keep their keys).
      routes: {
        '/demo-config.json': () => ({
          providerUrl: provider.url,
          client: { ...CLIENT_CONFIG, storageKey: `raptor-secondary-demo:${provider.url}:${startedAt}` },
        }),
      },
    });
  } catch (error) {
    provider.child.kill();
    throw error;
  }
  const stop = async () => {
    const exited = provider.child.exitCode !== null
      ? Promise.resolve()
      : new Promise((done) => provider.child.once('exit', done));
    provider.child.kill();
    page.server.closeAllConnections?.();
    await Promise.all([exited, new Promise((done) => page.server.close(() => done()))]);
  };
  // What the page server served and the CSP violations browsers reported to it (any engine).
  return { url: page.url, providerUrl: provider.url, csp, stop, requests: page.requests, reports: page.reports };
}

/** The command line (`node:util` parseArgs: `--port 9000` and `--port=9000`). */
export function parseArgs(argv) {
  let values;
  try {
    ({ values } = parseOptions({
      args: argv,
      options: {
        port: { type: 'string' }, 'provider-port': { type: 'string' }, scenario: { type: 'string' },
        'no-build': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new Error(`${error.message.replace(/\. To specify a positional.*$/s, '')} (try --help)`);
  }
  const port = (name, text, fallback) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) {
      throw new Error(`--${name} must be an integer from 0 to 65535, not '${text}'`);
    }
    return n;
  };
  const args = {
    help: values.help === true,
    build: values['no-build'] !== true,
    port: port('port', values.port ?? process.env.PORT, 8080),
    scenario: values.scenario ?? 'immediate',
  };
  args.providerPort = port('provider-port', values['provider-port'], args.port === 0 ? 0 : args.port + 1);
  args.explicitProvider = values['provider-port'] !== undefined;
  return args;
}

/** Runs a step of the first run, its output shown as it comes; a missing tool is one line. */
function run(what, command, args) {
  console.log(`demo: ${what}`);
  try {
    execFileSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  } catch (error) {
    const why = error.code === 'ENOENT' ? `${command} is not installed` : `${command} exited with ${error.status ?? error.signal}`;
    throw new Error(`${what} failed: ${why}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const args = parseArgs(process.argv.slice(2));
    if (args.help) {
      console.log(HELP);
      process.exit(0);
    }
    if (args.build) {
      run('installing what the demo needs, if missing (./setup.sh --demo)', join(ROOT, 'setup.sh'), ['--demo']);
      run('building pkg/ (npm run build)', process.execPath, [join(ROOT, 'scripts', 'build.mjs')]);
    } else if (!existsSync(join(ROOT, 'pkg', 'raptor-secondary.js'))) {
      throw new Error('pkg/ is missing: run `npm run build` first (or drop --no-build)');
    }
    console.log('demo: building the mock provider (cargo build --release -p mock-provider)');
    buildProvider();
    const demo = await startDemo(args);
    console.log(`\ndemo: open ${demo.url}  (provider ${demo.providerUrl}; Ctrl-C stops both)\n`);
    const stop = () => demo.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (err) {
    console.error(`demo: ${err.message}`);
    process.exit(1);
  }
}
