// What each page downloads, from pkg/ as `npm run build` leaves it: the loader, the module and
// every JS file it imports, and the .wasm; each file's bytes and gzip -9 bytes. Used by the
// build (which prints it) and by the size tier (tests/size/).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const PKG = join(resolve(fileURLToPath(import.meta.url), '..', '..'), 'pkg');

/** The JS files a module imports, followed through, relative to pkg/ (the module first). */
function imports(file, seen = new Set()) {
  if (seen.has(file)) return [];
  seen.add(file);
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
  const text = readFileSync(join(PKG, file), 'utf8');
  const found = [...text.matchAll(/(?:from|import)\s*['"]\.\/([^'"]+\.js)['"]/g)].map((m) => dir + m[1]);
  return [file, ...found.flatMap((f) => imports(f, seen))];
}

/** What each page downloads: the loader, its boot module (a bundle) and the .wasm. */
export function pages() {
  return {
    'drop-in page': ['raptor-secondary.js', ...imports('raptor_secondary_boot.js'), 'raptor_secondary_lite_bg.wasm'],
    'client page (data-client)': ['raptor-secondary.js', ...imports('raptor_secondary_boot_client.js'), 'raptor_secondary_bg.wasm'],
    'rollout kit (added to either)': ['raptor-secondary-rollout.js'],
  };
}

/** Every file any page downloads, with its sizes. */
export function sizes() {
  const files = [...new Set(Object.values(pages()).flat())];
  return Object.fromEntries(files.map((f) => [f, gz(f)]));
}

/** Bytes and gzip -9 bytes of a file in pkg/. */
export function gz(file) {
  const bytes = readFileSync(join(PKG, file));
  return { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
