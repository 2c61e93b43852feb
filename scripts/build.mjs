// `npm run build`: the release package in pkg/, ready for a classic <script> tag or an import.
// Runs wasm-pack (release, --target web) twice: the full module (drop-in + the booking core)
// and the drop-in alone (`--no-default-features`, copied in as raptor_secondary_lite*). The
// full module's glue becomes raptor_secondary_core.js; raptor_secondary.js is the ES module
// people import (js/raptor_secondary.js: the glue's exports and the AppointmentClient, whose
// driver is js/driver.js). Copies the loader beside them and prints what each page downloads.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const PKG = join(ROOT, 'pkg');
const profile = process.argv.includes('--dev') ? '--dev' : '--release';

execFileSync('wasm-pack', ['build', profile, '--target', 'web', '--out-dir', 'pkg',
  '--out-name', 'raptor_secondary', ROOT], { stdio: 'inherit', cwd: ROOT });
renameSync(join(PKG, 'raptor_secondary.js'), join(PKG, 'raptor_secondary_core.js'));
renameSync(join(PKG, 'raptor_secondary.d.ts'), join(PKG, 'raptor_secondary_core.d.ts'));
for (const f of ['raptor_secondary.js', 'raptor_secondary.d.ts', 'driver.js']) copyFileSync(join(ROOT, 'js', f), join(PKG, f));
const LITE = join(ROOT, 'target', 'pkg-lite');
execFileSync('wasm-pack', ['build', profile, '--target', 'web', '--out-dir', LITE,
  '--out-name', 'raptor_secondary_lite', ROOT, '--', '--no-default-features'], { stdio: 'inherit', cwd: ROOT });
for (const f of ['raptor_secondary_lite.js', 'raptor_secondary_lite_bg.wasm', 'raptor_secondary_lite.d.ts']) {
  copyFileSync(join(LITE, f), join(PKG, f));
}
cpSync(join(LITE, 'snippets'), join(PKG, 'snippets'), { recursive: true });
copyFileSync(join(ROOT, 'js', 'raptor-secondary.js'), join(PKG, 'raptor-secondary.js'));

const gz = (f) => {
  const bytes = readFileSync(join(PKG, f));
  return { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};

/** The JS files a module imports, followed through, relative to pkg/ (the module first). */
function imports(file, seen = new Set()) {
  if (seen.has(file)) return [];
  seen.add(file);
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
  const text = readFileSync(join(PKG, file), 'utf8');
  const found = [...text.matchAll(/(?:from|import)\s*['"]\.\/([^'"]+\.js)['"]/g)].map((m) => dir + m[1]);
  return [file, ...found.flatMap((f) => imports(f, seen))];
}

/** What each page downloads: the loader, the module and what it imports, and the .wasm. */
export function pages() {
  return {
    'drop-in page': ['raptor-secondary.js', ...imports('raptor_secondary_lite.js'), 'raptor_secondary_lite_bg.wasm'],
    'client page (data-client)': ['raptor-secondary.js', ...imports('raptor_secondary.js'), 'raptor_secondary_bg.wasm'],
  };
}

export function sizes() {
  const files = [...new Set(Object.values(pages()).flat())];
  return Object.fromEntries(files.map((f) => [f, gz(f)]));
}

const table = sizes();
for (const [file, { bytes, gzip }] of Object.entries(table)) {
  console.log(`build: ${file.padEnd(72)} ${String(bytes).padStart(7)} B  ${String(gzip).padStart(6)} B gzip`);
}
for (const [name, files] of Object.entries(pages())) {
  const total = files.reduce((n, f) => n + table[f].gzip, 0);
  console.log(`build: total gzip ${total} B: the ${name} downloads (${files.length} files: the loader, the modules and the .wasm; each gzip -9)`);
}
