#!/usr/bin/env node
// `npm run bench`: every benchmark in turn (each prints its own lines as it runs), then one
// table of every figure (medians and ratios against the baseline measured in the same run),
// printed, written to results/bench.md, and put into README.md between the
// `<!-- bench:table -->` markers (the README's benchmark table is this command's output).
// `--quick` runs short forms (for a smoke test); `--no-readme` leaves README.md alone.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, 'no-readme': { type: 'boolean' }, build: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log('npm run bench [-- --quick] [-- --no-readme]\n(builds pkg/, then bench/action_label, sizes, booking, storage, readiness; prints the table,\nwrites results/bench.md and the README table)');
  process.exit(0);
}
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
];

const rows = [];
for (const [file, args] of BENCHES) {
  console.log(`bench: --- ${file} ${args.join(' ')}`);
  await new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench', file), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line.startsWith('bench-row: ')) rows.push(JSON.parse(line.slice(11)));
        else console.log(line);
      }
    });
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`bench/${file} exited with ${code}`))));
  });
}

const cell = (s) => String(s).replace(/\|/g, '\\|');
const table = ['| what | this | baseline, same run | ratio |', '|---|---|---|---|',
  ...rows.map((r) => `| ${cell(r.what)} | ${cell(r.value)} | ${cell(r.baseline)} | ${cell(r.ratio)} |`)].join('\n');
const stamp = `Headless Chromium ${quick ? '(quick form) ' : ''}on ${new Date().toISOString().slice(0, 10)}; \`npm run bench\` regenerates it.`;
console.log(`\n${table}\n\n${stamp}`);
mkdirSync(join(ROOT, 'results'), { recursive: true });
writeFileSync(join(ROOT, 'results', 'bench.md'), `# npm run bench\n\n${table}\n\n${stamp}\n`);
if (!values['no-readme']) {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const [start, end] = ['<!-- bench:table -->', '<!-- /bench:table -->'];
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error('bench: README.md has no <!-- bench:table --> ... <!-- /bench:table --> markers');
  writeFileSync(join(ROOT, 'README.md'), `${readme.slice(0, a + start.length)}\n${table}\n\n${stamp}\n${readme.slice(b)}`);
  console.log('bench: wrote results/bench.md and the table in README.md');
}
