// `npm run build`: the release package in pkg/, ready for a classic <script> tag.
// Runs wasm-pack (release, --target web) twice: the full module (drop-in + AppointmentClient)
// and the drop-in alone (`--no-default-features`, copied in as raptor_secondary_lite*), copies
// the loader beside them and prints the gzipped sizes of what a page downloads.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const PKG = join(ROOT, 'pkg');
const profile = process.argv.includes('--dev') ? '--dev' : '--release';

execFileSync('wasm-pack', ['build', profile, '--target', 'web', '--out-dir', 'pkg',
  '--out-name', 'raptor_secondary', ROOT], { stdio: 'inherit', cwd: ROOT });
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

/** The snippet files (small JS shims) a glue file imports, relative to pkg/. */
function snippetsOf(glue) {
  const text = readFileSync(join(PKG, glue), 'utf8');
  return [...new Set([...text.matchAll(/from\s+['"]\.\/(snippets\/[^'"]+)['"]/g)].map((m) => m[1]))].sort();
}

/** What each page downloads: the loader, the glue, the .wasm and the glue's snippets. */
export function pages() {
  const page = (glue, wasm) => ['raptor-secondary.js', glue, wasm, ...snippetsOf(glue)];
  return {
    'drop-in page': page('raptor_secondary_lite.js', 'raptor_secondary_lite_bg.wasm'),
    'client page (data-client)': page('raptor_secondary.js', 'raptor_secondary_bg.wasm'),
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
  console.log(`build: total gzip ${total} B: the ${name} downloads (${files.length} files: loader, glue, .wasm, snippets; each gzip -9)`);
}
