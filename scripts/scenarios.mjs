#!/usr/bin/env node
// Runs every case of data/test_data.json through the built Wasm client (pkg/) in Node, checks
// each against data/expected_postchange.json, and writes
//   results/results_post.json   per case: outcome, provider calls, retries, latency, checks
//   logs/log_post.txt           every log record of the run, one JSON object per line
// Prints pass/fail per case, then success rate, retry counts and idempotency assertions.
//
//   node scripts/scenarios.mjs [--results FILE] [--log FILE] [--only ID]
//   (needs `npm run build` first; ./run_tests.sh does both)
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeArtifact } from './artifacts.mjs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkCase, percentile, runCase } from '../tests/support/scenarios.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let values;
try {
  ({ values } = parseArgs({ options: { results: { type: 'string' }, log: { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
} catch (error) {
  console.error(`scenarios: ${error.message} (see --help)`);
  process.exit(2);
}
if (values.help) {
  const text = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 10);
  console.log(text.map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const option = (name, fallback) => values[name] ?? fallback;
const resultsPath = join(root, option('results', 'results/results_post.json'));
const logPath = join(root, option('log', 'logs/log_post.txt'));
const only = option('only', undefined);

const wasmPath = join(root, 'pkg/raptor_secondary_bg.wasm');
if (!existsSync(wasmPath)) {
  console.error('scenarios: pkg/ is missing; build it first with `npm run build`');
  process.exit(2);
}
const glue = await import(join(root, 'pkg/raptor_secondary.js'));
glue.initSync({ module: readFileSync(wasmPath) });

const data = JSON.parse(readFileSync(join(root, 'data/test_data.json'), 'utf8'));
const expected = JSON.parse(readFileSync(join(root, 'data/expected_postchange.json'), 'utf8')).cases;
const ids = data.cases.map((c) => c.id).filter((id) => !only || id === only);
if (!ids.length) {
  console.error(`scenarios: no case '${only}'; cases: ${data.cases.map((c) => c.id).join(', ')}`);
  process.exit(2);
}

const cases = [];
const logLines = [];
console.log(`scenarios: ${ids.length} cases on the Wasm client (node ${process.version})`);
for (const id of ids) {
  const run = await runCase((config) => new glue.AppointmentClient(config), data, id);
  const failures = checkCase(run, expected[id]);
  const calls = {};
  for (const c of run.calls) calls[c.endpoint] = (calls[c.endpoint] || 0) + 1;
  const last = run.results[run.results.length - 1];
  const entry = {
    id,
    title: run.title,
    passed: failures.length === 0,
    failures,
    outcome: { state: last.state, errorCode: last.error ? last.error.code : null },
    steps: run.results.map((r) => ({
      operation: r.operation,
      state: r.state,
      errorCode: r.error ? r.error.code : null,
      causeCode: r.error && r.error.cause ? r.error.cause.code : null,
      appointmentId: r.appointmentId,
      attempts: r.attempts,
      retries: r.retries,
      idempotentReplay: r.idempotentReplay,
      compensated: r.compensated,
      latencyMs: r.durationMs,
    })),
    providerCalls: calls,
    retries: run.results.reduce((n, r) => n + r.retries, 0),
    idempotentHits: run.metrics.idempotentHits,
    breaker: { state: run.breaker.state, opens: run.breaker.opens },
    outbox: run.outbox.map((e) => e.status),
    eventModes: run.eventModes,
    logRecords: run.logs.length,
    wallMs: run.wallMs,
  };
  cases.push(entry);
  for (const record of run.logs) logLines.push(JSON.stringify({ scenario: id, ...record }));
  const callText = Object.entries(calls).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
  const outcome = `${entry.outcome.state}${entry.outcome.errorCode ? ` (${entry.outcome.errorCode})` : ''}`;
  console.log(`  ${entry.passed ? 'ok  ' : 'FAIL'} ${id.padEnd(34)} ${outcome.padEnd(32)} calls ${callText.padEnd(32)} retries ${entry.retries}  ${run.wallMs} ms`);
  for (const f of failures) console.log(`         - ${f}`);
}

const results = cases.flatMap((c) => c.steps);
const completed = results.filter((r) => r.state === 'completed').length;
const latencies = results.map((r) => r.latencyMs).sort((a, b) => a - b);
const sumCalls = (endpoint) => cases.reduce((n, c) => n + (c.providerCalls[endpoint] || 0), 0);
const replays = results.filter((r) => r.idempotentReplay);
const double = cases.find((c) => c.id === 'double_click');
const reuse = cases.find((c) => c.id === 'key_reused_other_payload');
const passed = cases.filter((c) => c.passed).length;
const summary = {
  cases: cases.length,
  passed,
  failed: cases.length - passed,
  bookings: results.length,
  completed,
  failedBookings: results.length - completed,
  successRate: results.length ? completed / results.length : null,
  retries: cases.reduce((n, c) => n + c.retries, 0),
  idempotentHits: cases.reduce((n, c) => n + c.idempotentHits, 0),
  providerCalls: { create: sumCalls('create'), get: sumCalls('get'), cancel: sumCalls('cancel'), publish: sumCalls('publish') },
  latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies[latencies.length - 1] ?? null },
  idempotency: {
    replaysAnsweredWithoutProviderCall: replays.length,
    doubleClickCreateCalls: double ? double.providerCalls.create || 0 : null,
    keyReusedWithOtherPayloadRefused: reuse ? reuse.steps[1]?.errorCode === 'idempotency_key_reused' : null,
  },
  compensations: cases.filter((c) => c.outbox.includes('compensated')).length,
  reconciliationsFlagged: cases.filter((c) => c.outbox.includes('needs_reconciliation')).length,
};
const report = {
  generatedBy: 'node scripts/scenarios.mjs',
  generatedAt: new Date().toISOString(),
  runtime: `node ${process.version}; ${relative(root, wasmPath)} (${readFileSync(wasmPath).length} bytes)`,
  summary,
  cases,
};
mkdirSync(dirname(resultsPath), { recursive: true });
mkdirSync(dirname(logPath), { recursive: true });
writeArtifact(relative(root, resultsPath), `${JSON.stringify(report, null, 2)}\n`, 'json');
writeArtifact(relative(root, logPath), `${logLines.join('\n')}\n`, 'jsonl');

const pct = (x) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
console.log(`scenarios: ${passed} passed, ${cases.length - passed} failed`);
console.log(`bookings: ${results.length} calls, ${completed} completed, ${results.length - completed} failed as the cases intend (success rate ${pct(summary.successRate)}); latency p50 ${summary.latencyMs.p50} ms, p95 ${summary.latencyMs.p95} ms`);
console.log(`retries: ${summary.retries} in all; provider calls: create ${summary.providerCalls.create}, get ${summary.providerCalls.get}, publish ${summary.providerCalls.publish}, cancel ${summary.providerCalls.cancel}`);
console.log(`idempotency: ${summary.idempotency.replaysAnsweredWithoutProviderCall} replays/joins answered without a provider call; double click -> ${summary.idempotency.doubleClickCreateCalls} create call; key reused with another payload refused: ${summary.idempotency.keyReusedWithOtherPayloadRefused}`);
console.log(`wrote ${relative(root, resultsPath)} and ${relative(root, logPath)} (${logLines.length} log records)`);
// For run_tests.sh's counter.
console.log(`# pass ${passed}`);
console.log(`# fail ${cases.length - passed}`);
process.exit(passed === cases.length ? 0 : 1);
