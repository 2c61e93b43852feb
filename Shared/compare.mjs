#!/usr/bin/env node
// The one-click before/after comparison. Runs every case of Shared/test_data.json (the same
// file as data/test_data.json) through
//   pre:  the legacy flow (legacy/src/legacyBooking.js: the buggy getActionLabel, one POST,
//         no key, no retry, no timeout, no breaker, no follow-up event), and
//   post: the Wasm AppointmentClient (pkg/, built by `npm run build`),
// with the same scripted provider, checks both against data/expected_postchange.json, and
// writes Shared/results/{results_pre,results_post,aggregated_metrics}.json and
// Shared/compare_report.md, with the rollout part (Shared/rollout.mjs: a simulated ramp through
// the Rust bucket function, the label shadow over the corpus, the kill-switch matrix, gates).
//
//   node Shared/compare.mjs        (or Shared/run_all.sh, which builds first if needed)
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeArtifact } from '../scripts/artifacts.mjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCase, percentile, runCase } from '../tests/support/scenarios.js';
import { pages, sizes } from '../scripts/sizes.mjs';
import { rolloutSection } from './rollout.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const WATCHDOG_MS = 3000;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 12)
    .map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
if (!existsSync(join(ROOT, 'pkg/raptor_secondary_bg.wasm'))) {
  console.error('compare: pkg/ is missing; run `npm run build` (Shared/run_all.sh does)');
  process.exit(2);
}
const glue = await import(join(ROOT, 'pkg/raptor_secondary.js'));
glue.initSync({ module: readFileSync(join(ROOT, 'pkg/raptor_secondary_bg.wasm')) });
const { createLegacyBooking } = createRequire(import.meta.url)('../legacy/src/legacyBooking.js');

const data = JSON.parse(readFileSync(join(HERE, 'test_data.json'), 'utf8'));
const expected = JSON.parse(readFileSync(join(ROOT, 'data/expected_postchange.json'), 'utf8')).cases;

/** The legacy flow has no timeout: a call still unanswered after WATCHDOG_MS is recorded as hung. */
function withWatchdog(client) {
  const guard = (promise, operation) => Promise.race([promise, new Promise((resolve) => {
    setTimeout(() => resolve({
      operation, state: 'hung', appointmentId: null, error: { code: 'no_answer', message: `no answer after ${WATCHDOG_MS} ms (no timeout)` },
      attempts: 1, retries: 0, idempotentReplay: false, compensated: false, correlationId: null,
      idempotencyKey: null, actionLabel: null, durationMs: WATCHDOG_MS,
    }), WATCHDOG_MS).unref();
  })]);
  return { ...client, book: (r) => guard(client.book(r), 'book'), handle: (e, r) => guard(client.handle(e, r), 'book') };
}

const flows = {
  pre: (config) => withWatchdog(createLegacyBooking({ fetch: config.fetch, baseUrl: config.baseUrl, log: config.log })),
  post: (config) => new glue.AppointmentClient(config),
};

const statusOf = (reply) => Number(String(reply || '').split(' ').filter((t) => /^\d{3}$/.test(t))[0] || 0);

function summarize(run, failures, want) {
  const calls = {};
  for (const c of run.calls) calls[c.endpoint] = (calls[c.endpoint] || 0) + 1;
  // Appointments the provider created, grouped by booking payload: more than one is a duplicate.
  const created = new Map();
  for (const c of run.calls.filter((c) => c.endpoint === 'create' && statusOf(c.reply) >= 200 && statusOf(c.reply) < 300)) {
    const payload = JSON.stringify({ ...c.body, idempotencyKey: undefined });
    created.set(payload, (created.get(payload) || 0) + 1);
  }
  const appointmentsCreated = [...created.values()].reduce((a, b) => a + b, 0);
  const published = run.calls.filter((c) => c.endpoint === 'publish' && statusOf(c.reply) >= 200 && statusOf(c.reply) < 300).length;
  // A result has the expected outcome when its state (and error code, where one is expected)
  // is the one data/expected_postchange.json asks for.
  const asExpected = run.results.filter((r, i) => {
    const w = want.steps[i];
    return w && r.state === w.state && (w.errorCode === undefined || (r.error ? r.error.code : null) === w.errorCode);
  }).length;
  return {
    id: run.id,
    title: run.title,
    matchesExpected: failures.length === 0,
    outcomeAsExpected: asExpected === want.steps.length && run.results.length === want.steps.length,
    resultsAsExpected: asExpected,
    mismatches: failures,
    steps: run.results.map((r) => ({
      state: r.state, errorCode: r.error ? r.error.code : null, attempts: r.attempts, retries: r.retries,
      idempotentReplay: r.idempotentReplay, compensated: r.compensated, latencyMs: r.durationMs,
    })),
    providerCalls: calls,
    appointmentsCreated,
    duplicateAppointments: [...created.values()].reduce((n, v) => n + Math.max(0, v - 1), 0),
    eventsPublished: published,
    retries: run.results.reduce((n, r) => n + r.retries, 0),
    logRecordsWithIds: run.logs.filter((r) => r && r.correlation_id && r.idempotency_key).length,
    logRecords: run.logs.length,
  };
}


function aggregate(cases) {
  const steps = cases.flatMap((c) => c.steps);
  const count = (state) => steps.filter((s) => s.state === state).length;
  const latencies = steps.filter((s) => s.state !== 'hung').map((s) => s.latencyMs).sort((a, b) => a - b);
  const sum = (f) => cases.reduce((n, c) => n + f(c), 0);
  return {
    cases: cases.length,
    casesMatchingExpected: cases.filter((c) => c.matchesExpected).length,
    casesWithExpectedOutcome: cases.filter((c) => c.outcomeAsExpected).length,
    results: steps.length,
    resultsAsExpected: sum((c) => c.resultsAsExpected),
    completed: count('completed'),
    failed: count('failed'),
    silentNoops: count('noop'),
    hung: count('hung'),
    successRate: steps.length ? count('completed') / steps.length : null,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    retries: sum((c) => c.retries),
    providerCalls: ['create', 'get', 'cancel', 'publish'].reduce((o, e) => ({ ...o, [e]: sum((c) => c.providerCalls[e] || 0) }), {}),
    appointmentsCreated: sum((c) => c.appointmentsCreated),
    duplicateAppointments: sum((c) => c.duplicateAppointments),
    eventsPublished: sum((c) => c.eventsPublished),
    logRecords: sum((c) => c.logRecords),
    logRecordsWithIds: sum((c) => c.logRecordsWithIds),
  };
}

const results = { pre: [], post: [] };
for (const testCase of data.cases) {
  for (const flow of ['pre', 'post']) {
    const run = await runCase(flows[flow], data, testCase.id);
    results[flow].push(summarize(run, checkCase(run, expected[testCase.id]), expected[testCase.id]));
  }
}
const metrics = { pre: aggregate(results.pre), post: aggregate(results.post) };
const generated = { generatedBy: 'node Shared/compare.mjs', generatedAt: new Date().toISOString(), node: process.version };
mkdirSync(join(HERE, 'results'), { recursive: true });
const write = (name, value) => writeArtifact(`Shared/results/${name}`, `${JSON.stringify(value, null, 2)}\n`, 'json');
write('results_pre.json', { ...generated, flow: 'legacy (legacy/src/legacyBooking.js)', cases: results.pre });
write('results_post.json', { ...generated, flow: 'raptor-secondary AppointmentClient (pkg/)', cases: results.post });
write('aggregated_metrics.json', { ...generated, watchdogMs: WATCHDOG_MS, pre: metrics.pre, post: metrics.post });

// The rollout simulation, the label shadow over the corpus and the kill-switch matrix, from the
// shipped code and this run's results (Shared/rollout.mjs).
const rollout = await rolloutSection({ root: ROOT, glue, results });

// The report: every figure below comes from this run.
const pct = (x) => (x === null ? 'n/a' : `${(x * 100).toFixed(0)}%`);
const outcome = (c) => c.steps.map((s) => s.state + (s.errorCode ? ` (${s.errorCode})` : '') + (s.idempotentReplay ? ' (replay)' : '') + (s.compensated ? ' (compensated)' : '')).join(' → ');
const calls = (c) => Object.entries(c.providerCalls).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
const rows = data.cases.map((t, i) => {
  const pre = results.pre[i];
  const post = results.post[i];
  const verdict = (c) => (c.matchesExpected ? 'yes' : c.outcomeAsExpected ? 'outcome only' : 'no');
  return `| \`${t.id}\` | ${outcome(pre)} | ${calls(pre)} | ${verdict(pre)} | ${outcome(post)} | ${calls(post)} | ${verdict(post)} |`;
});
const m = metrics;
const metricRows = [
  ['cases with the expected outcome (states and error codes)', `${m.pre.casesWithExpectedOutcome} / ${m.pre.cases}`, `${m.post.casesWithExpectedOutcome} / ${m.post.cases}`],
  ['cases passing every check (outcome, calls, logs, masking, keys)', `${m.pre.casesMatchingExpected} / ${m.pre.cases}`, `${m.post.casesMatchingExpected} / ${m.post.cases}`],
  ['results with the expected outcome', `${m.pre.resultsAsExpected} / ${m.pre.results}`, `${m.post.resultsAsExpected} / ${m.post.results}`],
  ['results completed / failed', `${m.pre.completed} / ${m.pre.failed}`, `${m.post.completed} / ${m.post.failed}`],
  ['clicks silently lost (no action)', m.pre.silentNoops, m.post.silentNoops],
  [`calls hung (no answer after ${WATCHDOG_MS / 1000} s)`, m.pre.hung, m.post.hung],
  ['completed / results (not a quality measure: see below)', pct(m.pre.successRate), pct(m.post.successRate)],
  ['latency p50 / p95 (answered results)', `${m.pre.latencyMs.p50} / ${m.pre.latencyMs.p95} ms`, `${m.post.latencyMs.p50} / ${m.post.latencyMs.p95} ms`],
  ['retries', m.pre.retries, m.post.retries],
  ['provider create calls', m.pre.providerCalls.create, m.post.providerCalls.create],
  ['appointments created', m.pre.appointmentsCreated, m.post.appointmentsCreated],
  ['duplicate appointments', m.pre.duplicateAppointments, m.post.duplicateAppointments],
  ['follow-up events published', m.pre.eventsPublished, m.post.eventsPublished],
  ['log records with correlation id and key', `${m.pre.logRecordsWithIds} / ${m.pre.logRecords}`, `${m.post.logRecordsWithIds} / ${m.post.logRecords}`],
].map((r) => `| ${r.join(' | ')} |`);
// What a page downloads with the drop-in, from pkg/ as built (every file, gzip -9).
const table = sizes();
const pageSizes = Object.fromEntries(Object.entries(pages()).map(([page, files]) => [page, files.reduce((n, f) => n + table[f].gzip, 0)]));

const report = `# Legacy vs raptor-secondary: comparison report

Generated by \`node Shared/compare.mjs\` (via \`Shared/run_all.sh\`) on ${generated.generatedAt}
with Node ${process.version}. Do not edit by hand: rerun the command.

Both flows ran the ${data.cases.length} cases of \`Shared/test_data.json\` against the same scripted
\`/api/v2\` provider (real \`Response\` objects; see \`tests/support/scenarios.js\`) and were checked
against \`data/expected_postchange.json\`. The legacy flow is \`legacy/src/legacyBooking.js\`: the
legacy \`getActionLabel\` (which ignores \`srcElement\`), one POST without an idempotency key, no
retry, no timeout, no breaker, no follow-up event. Results: \`Shared/results/\`.

## Summary

| metric | legacy | raptor-secondary |
|---|---|---|
${metricRows.join('\n')}

## Per case

| case | legacy outcome | legacy calls | as expected | new outcome | new calls | as expected |
|---|---|---|---|---|---|---|
${rows.join('\n')}

"As expected": \`yes\` when every check of the case passed (outcome, provider calls, retries,
breaker, outbox, log records carrying a correlation id and an idempotency key, no personal data
in logs, an \`Idempotency-Key\` on every POST); \`outcome only\` when the states and error codes
were right but other checks failed (for the legacy flow: no ids in its log lines, no key on its
POSTs); \`no\` otherwise. Each mismatch is listed per case in \`Shared/results/results_*.json\`.

The completed share is not a quality measure: the legacy flow "completes" bookings the new one
rightly refuses (an invalid e-mail, a reused key with another payload) or does not report as
done (a booking whose follow-up event was never published), and double-books.

## Reading it

- **Correctness.** The legacy flow loses IE11-style clicks (\`srcElement\` only) without a trace,
  double-books on a double click and on a replay after a failure, hangs when the provider does
  not answer, surfaces every transient error to the user, and never publishes the follow-up
  event. The new flow completes or fails each case exactly as specified, with a stable error code.
- **Latency.** The new flow is slower only where it waits on purpose: backoff before a retry,
  the provider's \`Retry-After\` (the 429 case waits its full second), polling a pending booking.
- **Cost.** The new flow makes more calls only to recover (retries, polls, the event, a
  compensating cancel) and none for a replay, a joined double click or an open breaker.

## Rollout guidance

1. **Drop-in first.** Replace the legacy helper with \`<script src="/pkg/raptor-secondary.js">\`
   (${(pageSizes['drop-in page'] / 1024).toFixed(1)} KB gzip for the loader, boot module and \`.wasm\`, measured from \`pkg/\` by this run; no behaviour change beyond the \`srcElement\` fix; where the module cannot run, a JavaScript copy of the same contract answers). Watch the rate of bookings per click: IE11-style paths start booking.
2. **Shadow the label** with the rollout kit (\`raptor-secondary-rollout.js\`, \`data-shadow="label"\`):
   the legacy rule beside the new answer on sampled live clicks, differences counted by reason
   (the table below is the corpus's), counters only in the reports.
3. **Shadow the bookings** (stage \`shadow\`): legacy books; the new client runs dry on the same
   request and what it would refuse is counted. Nothing is written twice: both paths write to
   one provider and the legacy call has no idempotency key, so a dual write would double-book.
4. **Canary** (stage \`canary\`, 1 → 5 → 25 → 50 → 100 %): Unleash's bucket of the unit, in the
   Rust core, so a flag service agrees; each booking keeps the path it was given. Watch
   \`duplicates\` (must stay 0), results as expected, p95, breaker opens, compensations and
   \`reconciliation.needed\` records; the simulation below says how many bookings each stage
   needs before its zero duplicates mean something.
5. **Roll back** with the kill switch (\`"killed": true\` in the remote config): new bookings go
   the legacy way within the config's ttl, bookings in flight finish on their own path, and keys
   already sent stay valid at the provider, so a rollback does not double-book. The label's
   rollback is \`"label": { "primary": "legacy" }\`.

${rollout.markdown}
## Limits

- The provider is scripted per case and answers success once a case's script runs out, so a
  legacy re-send after a refusal or an outage may "complete" where a real provider might refuse
  again; what counts is that the legacy flow re-sent. The real-HTTP behaviour is covered by
  \`npm run demo\`'s mock provider and \`tests/e2e/demo.test.mjs\`.
- The legacy flow is reconstructed from the brief (no legacy booking code was available); the
  legacy helper itself is the faithful re-implementation in \`legacy/src/compatActionLabel.js\`.
- Both flows run in one process per case; persistence across reloads (\`storage: 'local'\`) is
  covered by \`tests/node/persistence.test.mjs\` and the demo's reload test, not here.
`;
writeArtifact('Shared/compare_report.md', report, 'text');

console.log(`compare: ${data.cases.length} cases; expected outcome: legacy ${m.pre.casesWithExpectedOutcome}, raptor-secondary ${m.post.casesWithExpectedOutcome}; every check: legacy ${m.pre.casesMatchingExpected}, raptor-secondary ${m.post.casesMatchingExpected}`);
console.log(`compare: duplicates legacy ${m.pre.duplicateAppointments} vs new ${m.post.duplicateAppointments}; silent no-ops ${m.pre.silentNoops} vs ${m.post.silentNoops}; hung ${m.pre.hung} vs ${m.post.hung}; results as expected ${m.pre.resultsAsExpected}/${m.pre.results} vs ${m.post.resultsAsExpected}/${m.post.results}`);
console.log('compare: wrote Shared/results/results_pre.json, results_post.json, aggregated_metrics.json and Shared/compare_report.md');
const failedGates = rollout.gates.filter((g) => !g.ok);
console.log(`compare: rollout: ${rollout.gates.length - failedGates.length} of ${rollout.gates.length} gates pass; buckets ${rollout.vectors.join(', ')}, 25 % stage ${(rollout.share25 * 100).toFixed(2)} %, ${rollout.movedBack} moved back; label shadow over the corpus: drop-in ${JSON.stringify(rollout.shadow.dropin.expected)} expected, ${JSON.stringify(rollout.shadow.dropin.mismatched)} unexpected`);
for (const g of failedGates) console.log(`compare: rollout gate failed: ${g.name} (${g.detail})`);
const ok = m.post.casesMatchingExpected === m.post.cases && failedGates.length === 0;
console.log(`# pass ${ok ? 1 : 0}`);
console.log(`# fail ${ok ? 0 : 1}`);
process.exit(ok ? 0 : 1);
