#!/usr/bin/env node
// `npm run bench`: every benchmark in turn (each prints its own lines as it runs), then one
// table of every figure (medians and ratios against the baseline measured in the same run),
// printed, written to results/bench.md, and put into docs/testing.md between the
// `<!-- bench:table -->` markers (the docs' benchmark table is this command's output).
// `--quick` runs short forms (for a smoke test); `--no-readme` leaves docs/testing.md alone.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { engines } from '../scripts/engines.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' }, 'no-readme': { type: 'boolean' }, build: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    browser: { type: 'string', default: 'all' },
  },
});
if (values.help) {
  console.log(`npm run bench [-- --quick] [-- --no-readme] [-- --browser chromium|firefox|webkit|all]
(builds pkg/, then bench/action_label, sizes, booking, storage, readiness, each in every browser
named (all by default); prints one table with a column per browser, writes results/bench.md and,
when every browser ran, the table in docs/testing.md)`);
  process.exit(0);
}
const BROWSERS = engines(values.browser);
const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
// `npm run bench` passes --build: pkg/ is built after the arguments were read.
if (values.build) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
const quick = values.quick;
const BENCHES = [
  ['action_label.mjs', quick ? ['--calls', '100000', '--rounds', '3'] : ['--calls', '1000000', '--rounds', '5']],
  ['sizes.mjs', []],
  ['booking.mjs', quick ? ['--bookings', '400', '--loopback', '100', '--memory', '5000', '--labels', '100000'] : []],
  ['storage.mjs', quick ? ['--bookings', '20', '--rounds', '1'] : []],
  ['readiness.mjs', quick ? ['--rounds', '3'] : ['--rounds', '15']],
].map(([file, args]) => [file, file === 'sizes.mjs' ? args : [...args, '--browser', BROWSERS.join(',')]]);

const rows = [];
const versions = {};
/**
 * Runs one bench file: its rows, or a rejection (`trap` set when WebKit 2.38's Wasm trap ended
 * it, "in WebKit: RuntimeError", which run_tests.sh meets by running a tier again once).
 */
const runOne = (file, args) => new Promise((done, fail) => {
  const got = [];
  let trap = false;
  const child = spawn(process.execPath, [join(ROOT, 'bench', file), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      if (line.startsWith('bench-row: ')) got.push(JSON.parse(line.slice(11)));
      else if (line.startsWith('bench-browser: ')) Object.assign(versions, JSON.parse(line.slice(15)));
      else console.log(line);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    trap ||= chunk.includes('in WebKit: RuntimeError');
  });
  child.on('exit', (code) => (code === 0 ? done(got) : fail(Object.assign(new Error(`bench/${file} exited with ${code}`), { trap }))));
});
for (const [file, args] of BENCHES) {
  console.log(`bench: --- ${file} ${args.join(' ')}`);
  let got;
  try {
    got = await runOne(file, args);
  } catch (e) {
    if (!e.trap) throw e;
    console.log(`bench: ${file} stopped on WebKit 2.38's Wasm trap (docs/testing.md); its figures are dropped and it runs again once`);
    got = await runOne(file, args);
  }
  rows.push(...got);
}

const cell = (s) => String(s).replace(/\|/g, '\\|');
const NAMES = { chromium: 'Chromium', firefox: 'Firefox ESR', webkit: 'WebKit (WPE)' };
// One row per figure, a column per browser: "this vs baseline (ratio)", the baseline's name once.
const split = (baseline) => /^(.*?) \((.*)\)$/.exec(baseline) ?? [baseline, baseline, ''];
const figures = new Map();
for (const r of rows) {
  const key = `${r.section}\u0000${r.what}`;
  if (!figures.has(key)) figures.set(key, { what: r.what, against: split(r.baseline)[2], by: {} });
  figures.get(key).by[r.engine ?? 'any'] = r;
}
const cellOf = (r) => (r ? `${r.value}${r.baseline ? ` vs ${split(r.baseline)[1]}` : ''}${r.ratio ? ` (${r.ratio})` : ''}` : 'n/a');
const table = [`| what | baseline, same run | ${BROWSERS.map((b) => NAMES[b]).join(' | ')} |`, `|---|---|${BROWSERS.map(() => '---|').join('')}`,
  ...[...figures.values()].map((f) => `| ${cell(f.what)} | ${cell(f.against)} | ${BROWSERS.map((b) => cell(cellOf(f.by[b] ?? f.by.any))).join(' | ')} |`)].join('\n');
const stamp = `Headless ${BROWSERS.map((b) => NAMES[b] + (versions[b] ? ` ${versions[b]}` : '')).join(', ')} ${quick ? '(quick form) ' : ''}on ${new Date().toISOString().slice(0, 10)}; \`npm run bench\` regenerates it. Each cell: the figure, the baseline measured in the same run and browser, and their ratio.`;
console.log(`\n${table}\n\n${stamp}`);
mkdirSync(join(ROOT, 'results'), { recursive: true });
writeFileSync(join(ROOT, 'results', 'bench.md'), `# npm run bench\n\n${table}\n\n${stamp}\n`);
if (BROWSERS.length < 3 && !values['no-readme']) {
  console.log('bench: not every browser ran: the table in docs/testing.md is left as it is (results/bench.md has this run)');
  values['no-readme'] = true;
}
if (!values['no-readme']) {
  const DOC = join(ROOT, 'docs', 'testing.md');
  const readme = readFileSync(DOC, 'utf8');
  const [start, end] = ['<!-- bench:table -->', '<!-- /bench:table -->'];
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error('bench: docs/testing.md has no <!-- bench:table --> ... <!-- /bench:table --> markers');
  writeFileSync(DOC, `${readme.slice(0, a + start.length)}\n${table}\n\n${stamp}\n${readme.slice(b)}`);
  console.log('bench: wrote results/bench.md and the table in docs/testing.md');
}
