#!/usr/bin/env node
// What each page downloads (every file: the loader, the module and what it imports, the
// .wasm), gzip -9 and brotli (quality 11), against the legacy helper (legacy/src/
// compatActionLabel.js, minified) and against what a team would pick instead of the client:
// ky + cockatiel from the npm registry (devDependencies), bundled and minified with esbuild
// (retry, timeout, circuit breaker and fetch wrapper; no idempotency, outbox or storage).
// Prints figures; asserts nothing. Needs pkg/ (npm run build).
//
//   node bench/sizes.mjs
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, transformSync } from 'esbuild';
import { pages, PKG } from '../scripts/sizes.mjs';
import { ratio, row } from './rows.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const packed = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const sum = (list) => list.reduce((t, s) => ({ raw: t.raw + s.raw, gzip: t.gzip + s.gzip, brotli: t.brotli + s.brotli }), { raw: 0, gzip: 0, brotli: 0 });

const legacy = packed(Buffer.from(transformSync(readFileSync(join(ROOT, 'legacy', 'src', 'compatActionLabel.js'), 'utf8'), { minify: true }).code));
const peers = await build({
  stdin: {
    contents: `import ky from 'ky';
      import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleAll, retry, timeout, wrap, TimeoutStrategy } from 'cockatiel';
      const policy = wrap(retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
        circuitBreaker(handleAll, { halfOpenAfter: 5000, breaker: new ConsecutiveBreaker(3) }),
        timeout(5000, TimeoutStrategy.Aggressive));
      export const book = (body) => policy.execute(({ signal }) => ky.post('/api/v2/appointments', { json: body, signal }).json());`,
    resolveDir: ROOT, loader: 'js',
  },
  bundle: true, minify: true, format: 'esm', target: 'es2022', write: false, platform: 'browser', logLevel: 'silent',
});
const peer = packed(Buffer.from(peers.outputFiles[0].contents));
const versions = ['ky', 'cockatiel'].map((n) => `${n} ${JSON.parse(readFileSync(join(ROOT, 'node_modules', n, 'package.json'), 'utf8')).version}`).join(' + ');

console.log(`bench: legacy helper (minified): ${legacy.raw} B, ${legacy.gzip} B gzip, ${legacy.brotli} B brotli`);
console.log(`bench: ${versions}, bundled and minified with esbuild: ${peer.raw} B, ${peer.gzip} B gzip, ${peer.brotli} B brotli`);
for (const [page, files] of Object.entries(pages())) {
  const each = files.map((f) => ({ f, ...packed(readFileSync(join(PKG, f))) }));
  for (const e of each) console.log(`bench:   ${page}: ${e.f.padEnd(64)} ${String(e.gzip).padStart(6)} B gzip ${String(e.brotli).padStart(6)} B brotli`);
  const total = sum(each);
  const base = page.startsWith('drop-in') ? ['the legacy helper', legacy] : [versions, peer];
  console.log(`bench: ${page}: ${files.length} files, ${total.gzip} B gzip (${ratio(total.gzip, base[1].gzip)} ${base[0]}), ${total.brotli} B brotli (${ratio(total.brotli, base[1].brotli)})`);
  row('size', `${page}, gzip -9`, `${total.gzip} B`, `${base[1].gzip} B (${base[0]})`, ratio(total.gzip, base[1].gzip));
  row('size', `${page}, brotli 11`, `${total.brotli} B`, `${base[1].brotli} B (${base[0]})`, ratio(total.brotli, base[1].brotli));
}
