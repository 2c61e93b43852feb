// `npm run demo` on busy ports: both ports are checked before anything starts, the message
// names each busy one, and the command it suggests works (the demo starts on it). Needs pkg/
// (npm run build); builds the provider if needed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('../../scripts/demo.mjs', import.meta.url));
const held = [];
after(() => held.forEach((s) => s.close()));

/** Holds a free pair of ports (p, p + 1) on loopback, as another program would. */
async function holdPair() {
  for (let p = 20000 + Math.floor(Math.random() * 20000); ; p += 2) {
    const servers = [];
    try {
      for (const port of [p, p + 1]) {
        const s = createServer();
        await new Promise((ok, fail) => { s.once('error', fail); s.listen(port, '127.0.0.1', ok); });
        servers.push(s);
      }
      held.push(...servers);
      return p;
    } catch {
      servers.forEach((s) => s.close());
    }
  }
}

/** Runs the demo with `args` until it prints its URL (then stops it) or exits. */
function demo(args) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [DEMO, '--no-build', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d) => {
      out += d;
      if (/demo: open http/.test(out)) child.kill('SIGINT');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => done({ code, out }));
  });
}

test('busy ports are named before anything starts, and the suggested command works', async () => {
  const p = await holdPair();
  const both = await demo(['--port', String(p)]);
  assert.equal(both.code, 1, both.out);
  assert.match(both.out, new RegExp(`ports ${p} \\(the page\\) and ${p + 1} \\(the provider\\) are already in use`));
  const suggested = /try: npm run demo -- (--port \d+)/.exec(both.out);
  assert.ok(suggested, both.out);
  // The provider's port alone busy (the page's free): named, and the fix moves both.
  const q = await holdPair();
  held.pop().close(); // q + 1 is free again, q stays busy: the page on q - 1, the provider on q
  const onlyProvider = await demo(['--port', String(q - 1)]);
  assert.equal(onlyProvider.code, 1, onlyProvider.out);
  assert.match(onlyProvider.out, new RegExp(`port ${q} \\(the provider\\) is already in use`));
  assert.doesNotMatch(onlyProvider.out, /the page\)/);
  // Following the advice starts the demo.
  const followed = await demo(suggested[1].split(' '));
  assert.match(followed.out, /demo: open http:\/\/127\.0\.0\.1:\d+\//, followed.out);
});
