// The TypeScript declarations carry the Rust doc comments of the records they describe, word
// for word: one text per field, written once in Rust. `--check` (the types tier) fails where a
// field's doc comment in js/*.d.ts differs from its Rust doc; `--write` rewrites them.
//   node scripts/dts_docs.mjs --check | --write
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const CORE = 'crates/core/src';
/** [declarations file, interface, Rust file, Rust record]: the record's field docs go to the interface. */
const PAIRS = [
  ['js/index.d.ts', 'BookingRequest', `${CORE}/booking/wire/request.rs`, 'RawBookingRequest'],
  ['js/index.d.ts', 'AppointmentClientConfig', `${CORE}/booking/policy/config.rs`, 'options!'],
  ['js/index.d.ts', 'UnknownBooking', `${CORE}/booking/store/idempotency/mod.rs`, 'Unknown'],
  ['js/index.d.ts', 'ClientError', `${CORE}/error.rs`, 'ErrorFields'],
  ['js/index.d.ts', 'BookingResult', `${CORE}/booking/wire/outcome.rs`, 'BookingResult'],
  ['js/index.d.ts', 'LogRecord', `${CORE}/booking/report/log.rs`, 'LogRecord'],
  ['js/index.d.ts', 'BreakerView', `${CORE}/booking/client/views.rs`, 'BreakerView'],
  ['js/index.d.ts', 'ClientMetrics', `${CORE}/booking/report/metrics.rs`, 'MetricsSnapshot'],
  ['js/index.d.ts', 'OutboxEntry', `${CORE}/booking/store/outbox.rs`, 'OutboxEntry'],
];

/** Rust doc text as plain text: intra-doc links become code spans. */
const plain = (text) => text.replace(/\[(`[^`]+`)\]\([^)]*\)/g, '$1').replace(/\[(`[^`]+`)\]/g, '$1').replace(/\s+/g, ' ').trim();

/** JavaScript field name -> doc text, from a record declared in `file` (json_record!, raw_record!, or the config's options!). */
function rustDocs(file, record) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const start = record === 'options!' ? text.indexOf('\noptions! {') : text.search(new RegExp(`struct ${record} \\{`));
  if (start < 0) throw new Error(`dts_docs: no ${record} in ${file}`);
  const docs = new Map();
  let doc = [];
  for (const line of text.slice(start).split('\n').slice(1)) {
    const t = line.trim();
    if (t === '}') break;
    if (t.startsWith('///')) { doc.push(t.replace(/^\/\/\/ ?/, '')); continue; }
    const field = /=>\s*"([A-Za-z_]+)"|=\s*"([A-Za-z_]+)",/.exec(t);
    if (field && doc.length) docs.set(field[1] ?? field[2], plain(doc.join(' ')));
    if (!t.startsWith('#')) doc = [];
  }
  return docs;
}

/** `/** text *\/` at `indent`, wrapped at 100 columns. */
function comment(text, indent) {
  const one = `${indent}/** ${text} */`;
  if (one.length <= 100) return [one];
  const lines = [];
  let line = `${indent}/**`;
  for (const word of text.split(' ')) {
    if (`${line} ${word}`.length > 100 && line.trim() !== '/**' && line.trim() !== '*') { lines.push(line); line = `${indent} *`; }
    line += ` ${word}`;
  }
  lines.push(line, `${indent} */`);
  return lines;
}

/** The declarations with each field of `name` documented from `docs`. */
function apply(dts, name, docs) {
  const head = `export interface ${name} {`;
  const at = dts.indexOf(head);
  if (at < 0) throw new Error(`dts_docs: no interface ${name}`);
  const end = dts.indexOf('\n}', at);
  const body = dts.slice(at + head.length, end).split('\n');
  const out = [];
  for (const line of body) {
    const member = /^ {2}([A-Za-z_]+)\??:/.exec(line);
    if (member && docs.has(member[1])) {
      // Drop the comment right above, then write the Rust one.
      if (out.length && out[out.length - 1].trim().endsWith('*/')) {
        while (out.length && !out[out.length - 1].trim().startsWith('/**')) out.pop();
        out.pop();
      }
      out.push(...comment(docs.get(member[1]), '  '));
    }
    out.push(line);
  }
  return dts.slice(0, at + head.length) + out.join('\n') + dts.slice(end);
}

const mode = process.argv[2];
if (mode !== '--check' && mode !== '--write') {
  console.log('usage: node scripts/dts_docs.mjs --check | --write');
  process.exit(2);
}
const files = new Map();
for (const [file, iface, rust, record] of PAIRS) {
  const text = files.get(file) ?? readFileSync(join(ROOT, file), 'utf8');
  files.set(file, apply(text, iface, rustDocs(rust, record)));
}
let stale = 0;
for (const [file, text] of files) {
  if (readFileSync(join(ROOT, file), 'utf8') === text) continue;
  stale += 1;
  if (mode === '--write') writeFileSync(join(ROOT, file), text);
  console.log(`dts_docs: ${file} ${mode === '--write' ? 'rewritten from' : 'differs from'} the Rust doc comments`);
}
console.log(`dts_docs: ${PAIRS.length} interfaces against their Rust records: ${stale ? `${stale} file(s) ${mode === '--write' ? 'written' : 'stale (node scripts/dts_docs.mjs --write)'}` : 'the same text'}`);
process.exit(mode === '--check' && stale ? 1 : 0);
