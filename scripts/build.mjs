// `npm run build`: the release package in pkg/, ready for a classic <script> tag or an import.
// Runs wasm-pack (release, --target web) twice: the full module (drop-in + the booking core)
// and the drop-in alone (`--no-default-features`, copied in as raptor_secondary_lite*). The
// full module's glue becomes raptor_secondary_core.js; raptor_secondary.js is the ES module
// people import (js/index.js: the glue's exports and the AppointmentClient of js/client.js,
// whose driver is js/driver.js). Copies the loader beside them and prints what each page downloads.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { buildSync, transformSync } from 'esbuild';
import { minify } from 'terser';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pages, sizes } from './sizes.mjs';
import { renameInGlue, renameInTypes, shortenNames } from './wasm_names.mjs';
import { rankByLikeness } from './wasm_order.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const PKG = join(ROOT, 'pkg');
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(`npm run build [-- --dev]     (or: node scripts/build.mjs [--dev])

Builds pkg/ with wasm-pack (release unless --dev) and prints what each page downloads.
Needs wasm-pack, wasm-bindgen-cli and the wasm32 target: ./setup.sh --demo installs them.`);
  process.exit(0);
}
const unknown = argv.filter((a) => a !== '--dev');
if (unknown.length) {
  console.error(`build: unknown option ${unknown[0]} (try --help)`);
  process.exit(2);
}
const profile = argv.includes('--dev') ? '--dev' : '--release';
// A fresh pkg/: nothing a former build left (an old snippet, say) is packed or served.
rmSync(PKG, { recursive: true, force: true });

/** wasm-pack, or one line naming what installs it. */
function wasmPack(args) {
  try {
    execFileSync('wasm-pack', args, { stdio: 'inherit', cwd: ROOT });
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    console.error('build: wasm-pack is not installed; ./setup.sh --demo installs it (npm run demo runs that for you)');
    process.exit(1);
  }
}

// Release builds link no std: a panic traps (see the trap-on-panic feature).
const features = profile === '--release' ? ['--features', 'trap-on-panic'] : [];
const release = profile === '--release';
// wasm-opt runs here, not in wasm-pack (--no-opt): between its optimizing run and the one that
// orders the functions, scripts/wasm_order.mjs ranks them (see optimize below).
wasmPack(['build', profile, ...(release ? ['--no-opt'] : []), '--target', 'web', '--out-dir', 'pkg',
  '--out-name', 'raptor_secondary', ROOT, '--', ...features]);
/** The release flags of wasm-opt (Cargo.toml, `[package.metadata.wasm-pack.profile.release]`). */
const releaseFlags = () => JSON.parse(readFileSync(join(ROOT, 'Cargo.toml'), 'utf8')
  .match(/\[package\.metadata\.wasm-pack\.profile\.release\][^[]*?\nwasm-opt = (\[[^\n]*\])/)[1]);
/**
 * Optimizes the module at `path` in place with wasm-opt's release `flags`. With `likeness`,
 * its functions go in the order scripts/wasm_order.mjs gives them (each next to the ones most
 * like it: -0.65 KB gzip on the client's .wasm against the order of their names, +10 B on the
 * drop-in's): wasm-opt optimizes, the order is written into the module as names, and
 * `--reorder-functions-by-name` applies it.
 */
function optimize(path, flags, likeness) {
  const wasmOpt = join(ROOT, 'node_modules', '.bin', 'wasm-opt');
  if (!existsSync(wasmOpt)) {
    console.error('build: wasm-opt is not installed (npm ci installs it, from the binaryen package; ./setup.sh --demo runs that)');
    process.exit(1);
  }
  if (!likeness) return void execFileSync(wasmOpt, [path, '-o', path, ...flags], { stdio: 'inherit' });
  const order = '--reorder-functions-by-name';
  if (!flags.includes(order)) throw new Error(`build: the release flags have no ${order}`);
  execFileSync(wasmOpt, [path, '-o', path, ...flags.filter((flag) => flag !== order)], { stdio: 'inherit' });
  writeFileSync(path, rankByLikeness(readFileSync(path)));
  execFileSync(wasmOpt, [path, '-o', path, order, ...flags.filter((flag) => flag.startsWith('--enable-'))], { stdio: 'inherit' });
}
if (release) optimize(join(PKG, 'raptor_secondary_bg.wasm'), releaseFlags(), true);
renameSync(join(PKG, 'raptor_secondary.js'), join(PKG, 'raptor_secondary_core.js'));
renameSync(join(PKG, 'raptor_secondary.d.ts'), join(PKG, 'raptor_secondary_core.d.ts'));
// The driver's modules, one per role (see js/client.js).
const DRIVER = ['client.js', 'driver.js', 'kinds.js', 'guard.js', 'config.js', 'transport.js', 'tabs.js', 'storage.js'];
for (const f of DRIVER) copyFileSync(join(ROOT, 'js', f), join(PKG, f));
// The entry files under the names pages and bundlers know (the sources are named for their
// role: index.js the ES module, loader.js the classic script, drop_in.js, rollout.js).
const PUBLISHED = {
  'index.js': 'raptor_secondary.js', 'index.d.ts': 'raptor_secondary.d.ts',
  'loader.js': 'raptor-secondary.js', 'loader.d.ts': 'raptor-secondary.d.ts',
  'rollout.js': 'raptor-secondary-rollout.js',
  'drop_in.js': 'raptor_secondary_drop_in.js', 'drop_in.d.ts': 'raptor_secondary_drop_in.d.ts',
  'wasm_url.d.ts': 'wasm_url.d.ts',
};
for (const [source, published] of Object.entries(PUBLISHED)) copyFileSync(join(ROOT, 'js', source), join(PKG, published));
const LITE = join(ROOT, 'target', 'pkg-lite');
// The drop-in alone, optimized with the release flags but wasm-opt's own limit on inlining a
// function called from one place: the client's limit (Cargo.toml) makes the booking core 1.1 KB
// smaller but this small module 60 B larger.
wasmPack(['build', profile, ...(release ? ['--no-opt'] : []), '--target', 'web', '--out-dir', LITE,
  '--out-name', 'raptor_secondary_lite', ROOT, '--', '--no-default-features', ...features]);
if (release) {
  optimize(join(LITE, 'raptor_secondary_lite_bg.wasm'),
    releaseFlags().filter((flag) => !flag.startsWith('--one-caller-inline-max-function-size')), false);
}
for (const f of ['raptor_secondary_lite.js', 'raptor_secondary_lite_bg.wasm', 'raptor_secondary_lite.d.ts']) {
  copyFileSync(join(LITE, f), join(PKG, f));
}
cpSync(join(LITE, 'snippets'), join(PKG, 'snippets'), { recursive: true });
// wasm-pack writes pkg/.gitignore ('*'), which would keep pkg/snippets/ out of the repository's
// npm pack; the repository's own .gitignore keeps pkg/ out of git.
rmSync(join(PKG, '.gitignore'), { force: true });
// Short names for the glue's imports and the module's exports, in the .wasm, the glue and their
// declarations (see scripts/wasm_names.mjs): hashed names gzip cannot compress.
for (const [glue, wasm, types, module] of [
  ['raptor_secondary_core.js', 'raptor_secondary_bg.wasm', ['raptor_secondary_core.d.ts', 'raptor_secondary_bg.wasm.d.ts'], './raptor_secondary_bg.js'],
  ['raptor_secondary_lite.js', 'raptor_secondary_lite_bg.wasm', ['raptor_secondary_lite.d.ts'], './raptor_secondary_lite_bg.js'],
]) {
  const { bytes, imports, exports } = shortenNames(readFileSync(join(PKG, wasm)), module);
  writeFileSync(join(PKG, wasm), bytes);
  writeFileSync(join(PKG, glue), renameInGlue(readFileSync(join(PKG, glue), 'utf8'), imports, exports));
  for (const file of types) writeFileSync(join(PKG, file), renameInTypes(readFileSync(join(PKG, file), 'utf8'), exports));
}

// init() compiles the .wasm, then instantiates the compiled Module. wasm-bindgen's own load
// instantiates bytes or a Response in one step (instantiateStreaming, instantiate(bytes)), which
// in WebKit 2.38 (Safari 16) sometimes never settles in a worker once a page in the same
// browser has run the module (11 of 120 loads under load; compiling first, 0 of 145:
// node scripts/webkit_worker_init.mjs; docs/testing.md, Browsers). The loader already compiles
// first (js/loader.js).
const LOAD = `async function __wbg_load(module, imports) {
    if (typeof Response === 'function' && module instanceof Response) {
        if (!module.ok) {
            throw new Error(\`failed to fetch Wasm: \${module.status} \${module.statusText} fetching '\${module.url}'\`);
        }
        let compiled;
        if (typeof WebAssembly.compileStreaming === 'function') {
            try {
                compiled = await WebAssembly.compileStreaming(module);
            } catch (e) {
                // A server that does not send application/wasm: compiled from the bytes below.
                if (!['basic', 'cors', 'default'].includes(module.type) || module.headers.get('Content-Type') === 'application/wasm') throw e;
            }
        }
        module = compiled ?? await WebAssembly.compile(await module.arrayBuffer());
    } else if (!(module instanceof WebAssembly.Module)) {
        module = await WebAssembly.compile(module);
    }
    return { instance: await WebAssembly.instantiate(module, imports), module };
}
`;
for (const glue of ['raptor_secondary_core.js', 'raptor_secondary_lite.js']) {
  const path = join(PKG, glue);
  const code = readFileSync(path, 'utf8');
  const load = /^async function __wbg_load\(module, imports\) \{\n[\s\S]*?\n\}\n/m;
  if (!load.test(code)) throw new Error(`build: ${glue} has no __wbg_load(module, imports) to replace (a new wasm-bindgen?)`);
  writeFileSync(path, code.replace(load, LOAD));
}

// The wrappers call the exports through reads.js's actionLabel and resolveCall, which hold a
// call's arguments (no page value crosses into Wasm) and take its answer back; both glues
// export them, from the one reads.js module they import.
for (const glue of ['raptor_secondary_core.js', 'raptor_secondary_lite.js']) {
  const path = join(PKG, glue);
  const code = readFileSync(path, 'utf8');
  const reads = /["'](\.\/snippets\/[^"']+\/src\/web\/reads\.js)["']/.exec(code)?.[1];
  if (!reads || !existsSync(join(PKG, reads))) throw new Error(`build: ${glue} imports no snippets/…/src/web/reads.js`);
  writeFileSync(path, `${code}\nexport { actionLabel as __actionLabel, resolveCall as __resolveCall } from '${reads}';\n`);
}

/**
 * wasm-bindgen imports a snippet module once per function it maps straight through (as a
 * namespace, `import * as X from './snippets/…'`), and lists each namespace under the same
 * key of the imports object. One namespace per module is the same program: later duplicate
 * keys only overwrite earlier ones with the same module.
 */
function dedupeSnippetImports(code) {
  const first = new Map();
  const imports = /import\s*\*\s*as\s+([\w$]+)\s+from\s*"(\.\/snippets\/[^"]+)";?/g;
  const out = code.replace(imports, (statement, name, path) => {
    if (first.has(path)) return '';
    first.set(path, name);
    return statement;
  });
  // Every snippet entry follows the glue's own module entry, so each starts with a comma.
  return out.replace(/,"(\.\/snippets\/[^"]+)":([\w$]+)/g, (entry, path, name) => {
    const kept = first.get(path);
    return kept === undefined || kept === name ? entry : '';
  });
}

// Every JavaScript file of the ES modules is minified (the sources in js/ and src/web/ keep their
// comments; pkg/ is what pages and bundlers get).
const MODULES = ['raptor_secondary.js', 'raptor_secondary_core.js', ...DRIVER,
  'raptor_secondary_lite.js', 'raptor_secondary_drop_in.js'];
if (profile === '--release') {
  const snippets = [...new Set(MODULES.flatMap((m) => [...readFileSync(join(PKG, m), 'utf8')
    .matchAll(/["']\.\/(snippets\/[^"']+\.js)["']/g)].map((x) => x[1])))];
  for (const file of [...MODULES, ...snippets]) {
    const path = join(PKG, file);
    const { code } = transformSync(readFileSync(path, 'utf8'), { minify: true, target: 'es2022', legalComments: 'none' });
    writeFileSync(path, dedupeSnippetImports(code));
  }
}

// A snippet module the .wasm imports from straight is handed over as a namespace object
// (`import * as X`), which a bundle must build with every export of the module. An object of
// just the functions the .wasm imports is the same program and lets the rest be left out.
for (const [glue, wasm] of [['raptor_secondary_core.js', 'raptor_secondary_bg.wasm'], ['raptor_secondary_lite.js', 'raptor_secondary_lite_bg.wasm']]) {
  const path = join(PKG, glue);
  const wanted = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(join(PKG, wasm))));
  const code = readFileSync(path, 'utf8').replace(/import\s*\*\s*as\s+([\w$]+)\s+from\s*"(\.\/snippets\/[^"]+)";?/g, (_, name, from) => {
    const names = wanted.filter((i) => i.module === from).map((i) => i.name);
    return `import{${names.map((n) => `${n} as ${name}$${n}`).join(',')}}from"${from}";const ${name}={${names.map((n) => `${n}:${name}$${n}`).join(',')}};`;
  });
  writeFileSync(path, code);
}

// What the loader (raptor-secondary.js) adds to a page: one module, a bundle of the glue, its
// snippets and the wrappers, with only what the loader calls (it compiles the .wasm itself, so
// the glue's async loading is left out), handing them to the loader. The loader is ES5 and
// minified as ES5, so it still parses in old engines (which get its JavaScript fallback).
const BOOT_NAMES = '__getActionLabelFast, __resolveActionFast, __actionLabel, __resolveCall, initSync';
const BOOTS = {
  'raptor_secondary_boot.js': `import { ${BOOT_NAMES} } from './raptor_secondary_lite.js';
self.RaptorSecondary?._boot?.({ ${BOOT_NAMES} });`,
  'raptor_secondary_boot_client.js': `import { ${BOOT_NAMES}, AppointmentClient } from './raptor_secondary.js';
self.RaptorSecondary?._boot?.({ ${BOOT_NAMES}, AppointmentClient });`,
};
for (const [file, contents] of Object.entries(BOOTS)) {
  buildSync({
    stdin: { contents, resolveDir: PKG, sourcefile: `entry-${file}` }, bundle: true, format: 'esm', target: 'es2022',
    minify: profile === '--release', legalComments: 'none', outfile: join(PKG, file), logLevel: 'warning',
  });
}
for (const classic of ['raptor-secondary.js', 'raptor-secondary-rollout.js']) {
  const path = join(PKG, classic);
  writeFileSync(path, transformSync(readFileSync(path, 'utf8'), {
    minify: profile === '--release', target: 'es5', legalComments: 'none',
  }).code);
}

// What a page's <script> tags download goes through terser too, after esbuild: the same
// program, with names chosen by how often each character occurs, which gzip finds (issue 21:
// -0.5 KB on the client page, -0.2 KB on the drop-in page and the rollout kit). Property reads
// are never taken for pure (a page's getters may throw, and the code reads them on purpose);
// no `unsafe` transform; the classic scripts stay ES5.
if (profile === '--release') {
  const PAGE_FILES = { 'raptor_secondary_boot.js': true, 'raptor_secondary_boot_client.js': true,
    'raptor-secondary.js': false, 'raptor-secondary-rollout.js': false };
  for (const [file, module] of Object.entries(PAGE_FILES)) {
    const path = join(PKG, file);
    const { code } = await minify(readFileSync(path, 'utf8'), {
      module, ecma: module ? 2020 : 5, compress: { passes: 2, pure_getters: false }, mangle: true,
      format: { comments: false },
    });
    writeFileSync(path, code);
  }
}

// pkg/package.json: the same package as the repository's package.json (whose exports, files
// and sideEffects point into pkg/, so `npm run build && npm pack` packs it), rooted in pkg/ (so
// `npm pack ./pkg` and copying pkg/ elsewhere work too). One source: the root manifest.
const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const inPkg = (value) => JSON.parse(JSON.stringify(value).replaceAll('./pkg/', './').replaceAll('"pkg/', '"'));
const manifest = {
  name: root.name,
  version: root.version,
  description: root.description,
  license: root.license,
  type: root.type,
  exports: inPkg(root.exports),
  main: inPkg(root.main),
  types: inPkg(root.types),
  files: inPkg(root.files),
  sideEffects: inPkg(root.sideEffects),
  engines: root.engines,
};
writeFileSync(join(PKG, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
// pkg/ as a package of its own carries the README, its docs (the README links them) and the
// licenses.
for (const file of ['README.md', 'LICENSE', 'LICENSE-MIT', 'LICENSE-APACHE']) copyFileSync(join(ROOT, file), join(PKG, file));
rmSync(join(PKG, 'docs'), { recursive: true, force: true });
cpSync(join(ROOT, 'docs'), join(PKG, 'docs'), { recursive: true });

const table = sizes();
for (const [file, { bytes, gzip }] of Object.entries(table)) {
  console.log(`build: ${file.padEnd(72)} ${String(bytes).padStart(7)} B  ${String(gzip).padStart(6)} B gzip`);
}
for (const [name, files] of Object.entries(pages())) {
  const total = files.reduce((n, f) => n + table[f].gzip, 0);
  console.log(`build: total gzip ${total} B: the ${name} downloads (${files.length} files: the loader, the modules and the .wasm; each gzip -9)`);
}
