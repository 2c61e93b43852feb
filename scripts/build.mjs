// `npm run build`: the release package in pkg/, ready for a classic <script> tag.
// Runs wasm-pack (release, --target web), copies the loader beside the glue and prints the
// gzipped sizes of what a page downloads.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const PKG = join(ROOT, 'pkg');
const profile = process.argv.includes('--dev') ? '--dev' : '--release';

execFileSync('wasm-pack', ['build', profile, '--target', 'web', '--out-dir', 'pkg',
  '--out-name', 'raptor_secondary', ROOT], { stdio: 'inherit', cwd: ROOT });
copyFileSync(join(ROOT, 'js', 'raptor-secondary.js'), join(PKG, 'raptor-secondary.js'));

export function sizes() {
  const files = ['raptor_secondary_bg.wasm', 'raptor_secondary.js', 'raptor-secondary.js'];
  return Object.fromEntries(files.map((f) => {
    const bytes = readFileSync(join(PKG, f));
    return [f, { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }];
  }));
}

const table = sizes();
let total = 0;
for (const [file, { bytes, gzip }] of Object.entries(table)) {
  total += gzip;
  console.log(`build: ${file.padEnd(26)} ${String(bytes).padStart(7)} B  ${String(gzip).padStart(6)} B gzip`);
}
console.log(`build: total gzip ${total} B (what a page downloads)`);
