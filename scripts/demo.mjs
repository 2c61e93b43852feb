#!/usr/bin/env node
// `npm run demo`: the booking page on the drop-in script against a real local /api/v2
// provider. Builds the mock provider (cargo, release) if needed, starts it and a static server
// on loopback, prints the URL, and stops both on Ctrl-C.
//
//   node scripts/demo.mjs [--port 8080] [--provider-port 8081] [--scenario immediate]
//   (npm run demo -- --port 9000 passes options through; PORT=9000 works too)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/**
 * Starts the provider and the page server. The page is served under a strict
 * Content-Security-Policy (no inline scripts, no eval; 'wasm-unsafe-eval' for WebAssembly);
 * drop-in.html, the inline-handler legacy showcase, is the one page without it.
 */
export async function startDemo({ port = 8080, providerPort = 8081, scenario = 'immediate', quiet = false } = {}) {
    const startedAt = Date.now();
  const provider = await startProvider({ port: providerPort, scenario, quiet }).catch((error) => {
    throw new Error(error.message.replace('--port N', '--provider-port N'));
  });
  const providerOrigin = new URL(provider.url).origin;
  const csp = [
    "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'",
    "img-src 'self' data:", `connect-src 'self' ${providerOrigin}`, "base-uri 'none'",
    "form-action 'none'", "frame-ancestors 'none'",
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
  return { url: page.url, providerUrl: provider.url, csp, stop };
}

function parseArgs(argv) {
  const args = { port: Number(process.env.PORT ?? 8080), providerPort: undefined, scenario: 'immediate' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') { args.help = true; continue; }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value (try --help)`);
    if (flag === '--port') args.port = Number(value);
    else if (flag === '--provider-port') args.providerPort = Number(value);
    else if (flag === '--scenario') args.scenario = value;
    else throw new Error(`unknown option ${flag} (try --help)`);
  }
  args.providerPort ??= args.port === 0 ? 0 : args.port + 1;
  for (const [name, v] of [['--port', args.port], ['--provider-port', args.providerPort]]) {
    if (!Number.isInteger(v) || v < 0 || v > 65535) throw new Error(`${name} must be an integer from 0 to 65535`);
  }
  return args;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const args = parseArgs(process.argv.slice(2));
    if (args.help) {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 7)
        .map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    }
    if (!existsSync(join(ROOT, 'pkg', 'raptor-secondary.js'))) {
      throw new Error('pkg/ is missing: run `npm run build` first (npm run demo does)');
    }
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
