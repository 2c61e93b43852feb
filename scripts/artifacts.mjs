// Generated artifacts that are committed (results/, logs/, Shared/) are written so that a run
// with no change of behaviour leaves them as they are: a committed copy is rewritten only when
// what it says changes, not when only its volatile parts do (times of day, latencies, random
// ids, a screenshot's pixels). The run's own copy, volatile parts included, is always written
// beside, under target/artifacts/ (ignored), so the latest figures are always at hand.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;
/** JSON keys whose values are timings or times of day. */
const VOLATILE_KEYS = new Set(['generatedAt', 'ts', 'latencyMs', 'wallMs', 'durationMs', 'duration_ms', 'delay_ms',
  'retryInMs', 'p50', 'p95', 'p99', 'max', 'ms', 'elapsedMs']);

function stableValue(value) {
  if (Array.isArray(value)) return value.map(stableValue);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = VOLATILE_KEYS.has(k) ? '<volatile>' : stableValue(v);
    return out;
  }
  return typeof value === 'string' ? stableText(value) : value;
}

/** Text without times of day, ids and figures in milliseconds (`51 ms`, `51 / 52 ms`, `took 3`). */
function stableText(text) {
  return text.replace(ISO_TIME, '<time>').replace(UUID, '<uuid>')
    // A figure in ms, alone or in a list of them (`51 / 52 ms`, `51 vs 52 ms`, `52 / n/a ms`).
    .replace(/\d+(\.\d+)?(?=((\s*(\/|vs)\s*)(\d+(\.\d+)?|n\/a))*\s*ms\b)/g, '<ms>')
    .replace(/\btook \d+(\.\d+)?/g, 'took <ms>');
}

/** What stays when the volatile parts are taken out: JSON by key, JSON lines, or text. */
export function stable(text, kind) {
  if (kind === 'json') return JSON.stringify(stableValue(JSON.parse(text)));
  if (kind === 'jsonl') return text.split('\n').filter(Boolean).map((l) => JSON.stringify(stableValue(JSON.parse(l)))).join('\n');
  // Text (a Markdown report).
  return stableText(text);
}

/**
 * Writes `text` to target/artifacts/<path>, and to `path` (relative to the repository) unless
 * that already holds the same once the volatile parts are out. Returns whether `path` changed.
 */
export function writeArtifact(path, text, kind) {
  const committed = join(ROOT, path);
  const latest = join(ROOT, 'target', 'artifacts', path);
  mkdirSync(dirname(latest), { recursive: true });
  writeFileSync(latest, text);
  const old = existsSync(committed) ? readFileSync(committed, 'utf8') : null;
  let same = false;
  try { same = old !== null && stable(old, kind) === stable(text, kind); } catch { same = false; }
  if (!same) {
    mkdirSync(dirname(committed), { recursive: true });
    writeFileSync(committed, text);
  }
  console.log(`artifact: ${path}: ${same ? 'unchanged but for times and ids (kept; this run\'s copy: ' : 'written (also '}${relative(ROOT, latest)})`);
  return !same;
}
