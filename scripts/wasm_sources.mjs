#!/usr/bin/env node
// Where the client's .wasm code comes from, by source, as issue 21's table has it: every byte
// of the code section is counted for the source file its DWARF line-table row names (inlined
// code counts where it came from: a `Vec` growth inlined into the booking logic is the standard
// library's), grouped in categories, with raw bytes and an estimate of the gzip bytes each
// costs (its share of the code section's gzip size: the categories' bytes gzipped apart, scaled
// to add up to the whole). Builds its own copy of the release module with line tables (in
// target/sources/; pkg/ is not touched), as wasm-bindgen leaves it, before wasm-opt: wasm-opt
// (binaryen 1xx, `-g`) does not rewrite the DWARF line table of a module with reference types,
// it copies it unchanged (the .debug_line section comes out byte-identical), so over
// wasm-opt's output the table names the wrong bytes. The figures are therefore the module
// before wasm-opt (about 12 % more code than the release module); a module whose line table
// wasm-opt copied unchanged (`--wasm`) is refused. Needs llvm-dwarfdump, as and objcopy.
// Prints; asserts nothing. A developer's tool for the size work, not a test.
//
//   node scripts/wasm_sources.mjs [--files] [--lines] [--panics] [--in <name>] [--wasm <a .wasm with DWARF line tables>]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { leb, sections } from './wasm_names.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const { values } = parseArgs({ options: { wasm: { type: 'string' }, files: { type: 'boolean' }, lines: { type: 'boolean' },
  panics: { type: 'boolean' }, in: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log(`node scripts/wasm_sources.mjs [--files] [--lines] [--panics] [--in <name>] [--wasm <file.wasm>]

The client .wasm's code by source file and category (raw bytes, estimated gzip bytes), from
its DWARF line tables. Without --wasm it builds one in target/sources/ (cargo, wasm-bindgen,
before wasm-opt: wasm-opt copies its line table unchanged). --files lists the 40 largest source files too,
--lines the 40 largest source lines (inlined code counts at the line it came from), --panics
every panic location the data holds (file, line, column: a panic site in the code each).
--in counts only the functions whose name (the name section's) contains <name>: what a big
function is made of (Client<R>::handle, say).
Needs llvm-dwarfdump, as and objcopy (apt: llvm binutils).`);
  process.exit(0);
}

/** The release module with line tables, built apart from pkg/, before wasm-opt (see above). */
function build() {
  const dir = join(ROOT, 'target', 'sources');
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, CARGO_PROFILE_RELEASE_DEBUG: 'line-tables-only', CARGO_PROFILE_RELEASE_STRIP: 'none' };
  execFileSync('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--features', 'trap-on-panic',
    '--target-dir', dir], { cwd: ROOT, env, stdio: 'inherit' });
  const raw = join(dir, 'wasm32-unknown-unknown', 'release', 'raptor_secondary.wasm');
  execFileSync('wasm-bindgen', ['--target', 'web', '--keep-debug', '--out-dir', join(dir, 'bindgen'), raw], { stdio: 'inherit' });
  return join(dir, 'bindgen', 'raptor_secondary_bg.wasm');
}

/** The code section's payload: its offset in the file and its bytes. */
function codeSection(bytes) {
  for (const { id, body: start, end } of sections(bytes)) {
    if (id === 10) return { start, code: bytes.subarray(start, end) };
  }
  throw new Error('no code section');
}

/**
 * The panic locations (`core::panic::Location`: a file path's address and length, a line and a
 * column, four u32s) in the module's active data segments: every 4-aligned quadruple whose
 * first two words point at a `.rs` path the data holds.
 */
function panicLocations(bytes) {
  const segments = [];
  for (const { id, body: start } of sections(bytes)) {
    if (id === 11) {
      let [count, p] = leb(bytes, start);
      for (; count > 0; count--) {
        const [flag, q] = leb(bytes, p);
        if (flag !== 0) break; // only active segments in memory 0 (what rustc emits)
        const [offset, r] = leb(bytes, q + 1); // i32.const <offset> end
        const [length, from] = leb(bytes, r + 1);
        segments.push([offset, bytes.subarray(from, from + length)]);
        p = from + length;
      }
    }
  }
  if (!segments.length) return [];
  segments.sort((a, b) => a[0] - b[0]);
  const base = segments[0][0];
  const [lastAt, last] = segments[segments.length - 1];
  const memory = Buffer.alloc(lastAt + last.length - base);
  for (const [offset, data] of segments) memory.set(data, offset - base);
  const text = memory.toString('latin1');
  const paths = new Map([...text.matchAll(/[\w./-]+\.rs/g)].map((m) => [base + m.index, m[0]]));
  const found = [];
  for (let i = 0; i + 16 <= memory.length; i += 4) {
    const path = paths.get(memory.readUInt32LE(i));
    if (path && memory.readUInt32LE(i + 4) === path.length) found.push([path, memory.readUInt32LE(i + 8), memory.readUInt32LE(i + 12)]);
  }
  return found.sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2] - b[2]);
}

/**
 * Each defined function's body (offsets in the code section) and name (the name section's,
 * else its index).
 */
function functions(bytes, code) {
  let imported = 0;
  for (const { id, body: start } of sections(bytes)) {
    if (id === 2) {
      let [count, p] = leb(bytes, start);
      for (; count > 0; count--) {
        for (let k = 0; k < 2; k++) { const [n, q] = leb(bytes, p); p = q + n; } // module, name
        const kind = bytes[p++];
        if (kind === 0) { imported++; p = leb(bytes, p)[1]; continue; }
        if (kind === 1) { p += 1; const [flags, q] = leb(bytes, p); p = leb(bytes, q)[1]; if (flags & 1) p = leb(bytes, p)[1]; continue; }
        if (kind === 2) { const [flags, q] = leb(bytes, p); p = leb(bytes, q)[1]; if (flags & 1) p = leb(bytes, p)[1]; continue; }
        if (kind === 3) { p += 2; continue; }
        throw new Error(`import kind ${kind}`);
      }
    }
  }
  const names = new Map();
  const name = customSections(bytes).name;
  for (let p = 0; name && p < name.length;) {
    const id = name[p];
    const [size, start] = leb(name, p + 1);
    if (id === 1) {
      let [count, q] = leb(name, start);
      for (; count > 0; count--) {
        const [index, r] = leb(name, q);
        const [length, from] = leb(name, r);
        names.set(index, Buffer.from(name.subarray(from, from + length)).toString());
        q = from + length;
      }
    }
    p = start + size;
  }
  const found = [];
  let [count, p] = leb(code, 0);
  for (let i = 0; i < count; i++) {
    const [size, start] = leb(code, p);
    found.push([start, start + size, names.get(imported + i) ?? `#${imported + i}`]);
    p = start + size;
  }
  return found;
}

/** The module's custom sections by name. */
function customSections(bytes) {
  const found = {};
  for (const { id, body: start, end } of sections(bytes)) {
    if (id === 0) {
      const [length, from] = leb(bytes, start);
      found[Buffer.from(bytes.subarray(from, from + length)).toString()] = bytes.subarray(from + length, end);
    }
  }
  return found;
}

/**
 * Address ranges (offsets in the code section) by source file, from llvm-dwarfdump. Its Wasm
 * reader (LLVM 14) refuses modules with reference types, so the line table and the strings it
 * names are wrapped in an empty ELF object first (as, objcopy): `--debug-line` needs nothing
 * else, and the addresses stay the module's.
 */
function lineRanges(bytes, dir) {
  const sections = customSections(bytes);
  if (!sections['.debug_line']) throw new Error('the module has no .debug_line section (build it with line tables)');
  const run = (command, args, options = {}) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
    } catch (e) {
      if (e.code === 'ENOENT') throw new Error(`${command} is not installed (apt install llvm binutils)`);
      throw e;
    }
  };
  const object = join(dir, 'lines.o');
  run('as', ['-o', join(dir, 'empty.o')], { input: '' });
  const add = [];
  for (const name of ['.debug_line', '.debug_str', '.debug_line_str']) {
    if (!sections[name]) continue;
    writeFileSync(join(dir, `section${name}`), sections[name]);
    add.push('--add-section', `${name}=${join(dir, `section${name}`)}`);
  }
  run('objcopy', [...add, join(dir, 'empty.o'), object]);
  const text = run('llvm-dwarfdump', ['--debug-line', object]);
  const ranges = [];
  let dirs = [];
  let files = [];
  let pendingName;
  let prev;
  for (const line of text.split('\n')) {
    let m;
    if (line.startsWith('debug_line[')) { dirs = []; files = []; prev = undefined; continue; }
    if ((m = line.match(/^include_directories\[\s*(\d+)\] = "(.*)"/))) { dirs[Number(m[1])] = m[2]; continue; }
    if ((m = line.match(/^file_names\[\s*(\d+)\]:/))) { pendingName = { index: Number(m[1]) }; continue; }
    if (pendingName && (m = line.match(/^\s+name: "(.*)"/))) { pendingName.name = m[1]; continue; }
    if (pendingName && (m = line.match(/^\s+dir_index: (\d+)/))) {
      const dir = dirs[Number(m[1])] ?? '';
      files[pendingName.index] = pendingName.name.startsWith('/') ? pendingName.name : `${dir}/${pendingName.name}`;
      pendingName = undefined;
      continue;
    }
    if ((m = line.match(/^0x([0-9a-f]+)\s+(\d+)\s+\d+\s+(\d+)\s+\d+\s+\d+\s*(.*)$/))) {
      const address = parseInt(m[1], 16);
      if (prev && address > prev.address) ranges.push([prev.address, address, prev.file, prev.line]);
      prev = m[4].includes('end_sequence') ? undefined : { address, file: files[Number(m[3])] ?? '?', line: m[2] };
    }
  }
  return ranges;
}

// Categories, first match wins (paths as the line table spells them).
const CATEGORIES = [
  ['formatting and panics', /(^|\/)library\/core\/src\/(panicking|fmt|panic)/],
  ['standard-library generics inlined into ours', /(^|\/)library\/(core|alloc|std)\//],
  ['the allocator', /src\/web\/(classes|bump)\.rs|\/talc-/],
  ['the wasm-bindgen runtime', /\/wasm-bindgen-[0-9.]+\//],
  ['the exports\' bindings', /src\/web\/(core|js_error|mod)\.rs|src\/lib\.rs/],
  ['the drop-in', /crates\/core\/src\/action\/|src\/web\/(drop_in|resolve|event_like)\.rs/],
  ['JSON writing', /crates\/core\/src\/json\/write\.rs/],
  ['JSON reading', /crates\/core\/src\/json\/parse\.rs|store\/snapshot\.rs/],
  ['validation, time and errors', /wire\/(request|time|scalar|mask)\.rs|policy\/config\.rs|crates\/core\/src\/error\.rs|crates\/core\/src\/ascii\.rs/],
  ['the booking logic\'s own lines', /crates\/core\/src\//],
];
const categoryOf = (file) => (CATEGORIES.find(([, re]) => re.test(file)) ?? ['other'])[0];

const wasmFile = values.wasm ?? build();
const bytes = readFileSync(wasmFile);
const { code } = codeSection(bytes);
const work = join(ROOT, 'target', 'sources');
mkdirSync(work, { recursive: true });
let ranges = lineRanges(bytes, work);
// A line table that describes this code section ends inside it; one that wasm-opt copied from
// the module before it (see above) describes more code than is there.
const described = Math.max(...ranges.map(([, to]) => to));
if (described > code.length) {
  console.error(`wasm-sources: ${wasmFile}'s line table describes ${described} B of code, its code section has ${code.length} B: `
    + 'the table is of another module (wasm-opt copies it unchanged); run without --wasm, or give the module before wasm-opt');
  process.exit(1);
}
let chosen;
if (values.in) {
  chosen = functions(bytes, code).filter(([, , n]) => n.includes(values.in));
  if (!chosen.length) throw new Error(`no function's name contains ${values.in}`);
  for (const [from, to, n] of chosen) console.log(`wasm-sources: ${n}: ${to - from} B`);
  const inside = (a) => chosen.some(([from, to]) => a >= from && a < to);
  ranges = ranges.filter(([from]) => inside(from));
}
const byFile = new Map();
const byLine = new Map();
const chunks = new Map();
const covered = new Uint8Array(code.length);
if (chosen) { // only the chosen functions' bytes count as unattributed
  covered.fill(1);
  for (const [from, to] of chosen) covered.fill(0, from, to);
}
for (const [from, to, file, line] of ranges) {
  if (to > code.length) continue;
  byFile.set(file, (byFile.get(file) ?? 0) + (to - from));
  byLine.set(`${file}:${line}`, (byLine.get(`${file}:${line}`) ?? 0) + (to - from));
  const category = categoryOf(file);
  if (!chunks.has(category)) chunks.set(category, []);
  chunks.get(category).push(code.subarray(from, to));
  covered.fill(1, from, to);
}
const unattributed = [];
for (let i = 0; i < code.length;) {
  if (covered[i]) { i++; continue; }
  let j = i;
  while (j < code.length && !covered[j]) j++;
  unattributed.push(code.subarray(i, j));
  i = j;
}
chunks.set('no line-table row (function headers, locals, glue)', unattributed);

const gz = (parts) => gzipSync(Buffer.concat(parts), { level: 9 }).length;
const whole = gzipSync(chosen ? Buffer.concat(chosen.map(([from, to]) => code.subarray(from, to))) : code, { level: 9 }).length;
const apart = new Map([...chunks].map(([c, parts]) => [c, gz(parts)]));
const scale = whole / [...apart.values()].reduce((a, b) => a + b, 0);
const rows = [...chunks].map(([c, parts]) => [c, parts.reduce((n, p) => n + p.length, 0), Math.round(apart.get(c) * scale)])
  .sort((a, b) => b[2] - a[2]);
const kb = (n) => (n / 1000).toFixed(1);
console.log(`wasm-sources: ${wasmFile}: code section ${code.length} B, gzip -9 ${whole} B; whole module ${bytes.length} B with line tables`);
console.log('| category | code bytes | gzip (est.) | share |');
console.log('|---|---:|---:|---:|');
for (const [c, raw, g] of rows) console.log(`| ${c} | ${raw} | ${kb(g)} KB | ${((100 * g) / whole).toFixed(0)} % |`);
const short = (f) => f.replace(/^\/rustc\/[0-9a-f]+\//, '').replace(/^.*\/registry\/src\/[^/]+\//, '');
for (const [flag, what, map] of [['files', 'source file', byFile], ['lines', 'source line', byLine]]) {
  if (!values[flag]) continue;
  console.log(`\n| ${what} | code bytes | category |\n|---|---:|---|`);
  for (const [f, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`| ${short(f)} | ${n} | ${categoryOf(f)} |`);
}
if (values.panics) {
  const found = panicLocations(bytes);
  console.log(`\nwasm-sources: ${found.length} panic locations (a panic site each; each costs its 16 B and its call, its file path once)`);
  for (const [file, line, column] of found) console.log(`  ${short(file)}:${line}:${column}`);
}
