// Writes each TypeScript snippet of the README (every ```ts block) as it stands to
// tests/types/readme.<n>.generated.ts, so `tsc -p tests/types` compiles it as a user would:
// `raptor-secondary` resolves to this package by its own name and exports.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const dir = new URL('./', import.meta.url);
const readme = readFileSync(new URL('../../README.md', dir), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
if (blocks.length === 0) throw new Error('readme.mjs: README.md has no ```ts block to check');
for (const old of readdirSync(dir).filter((f) => f.endsWith('.generated.ts'))) rmSync(new URL(old, dir));
blocks.forEach((code, i) => writeFileSync(new URL(`readme.${i + 1}.generated.ts`, dir),
  `// README.md's TypeScript snippet ${i + 1}, written by tests/types/readme.mjs; do not edit.\n${code}`));
console.log(`readme.mjs: ${blocks.length} TypeScript snippet(s) of README.md written for tsc`);
