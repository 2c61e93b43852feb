// The rollout part of the comparison (issue 18): what Shared/compare.mjs adds to its report, from
// the same run. Three tables, each computed here by running the shipped code:
// - a rollout simulation: 10,000 synthetic units through the real bucket function (the Rust
//   core's, from pkg/) at 1/5/25/50/100 %, each unit drawing one case's measured results for its
//   arm, with gates (no duplicates on the new path; results as expected no worse than legacy's
//   less 0.5 points; p95 no more than legacy's plus 250 ms; the split's share, ramp and vectors);
// - the label shadow over the event-shape corpus: the rollout kit (pkg/raptor-secondary-rollout.js)
//   over the module, every case compared, counted by reason, per primary;
// - the kill-switch matrix: the rollout kit with a config that is fresh, stale, expired, killed,
//   500, hanging or malformed: which path a new booking takes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { buildArgs } from '../tests/support/event_shapes.js';
import { rng } from '../tests/support/hostile.js';
import { percentile } from '../tests/support/scenarios.js';

const UNITS = 10_000;
const STAGES = [1, 5, 25, 50, 100];
const GROUP = 'booking-simulation';

/** The loader and the rollout kit in a context of their own: `setup(context)` adds what the
 * page would have (fetch, localStorage, a client class) before the kit runs. */
function page(root, glue, setup = () => {}) {
  const context = vm.createContext({ console: { warn() {}, error() {} }, setTimeout, clearTimeout, Promise });
  vm.runInContext(readFileSync(join(root, 'pkg', 'raptor-secondary.js'), 'utf8'), context);
  const api = context.RaptorSecondary;
  const wasm = api.fromGlue(glue);
  context.getActionLabel = wasm.getActionLabel;
  context.resolveAction = wasm.resolveAction;
  setup(context, api);
  vm.runInContext(readFileSync(join(root, 'pkg', 'raptor-secondary-rollout.js'), 'utf8'), context);
  return { rollout: api.rollout, context };
}

/** Per arm, from `drawn` cases' measured results (one case per unit). */
function arm(cases) {
  const out = { units: cases.length, results: 0, asExpected: 0, duplicates: 0, silentNoops: 0, hung: 0, latencies: [] };
  for (const c of cases) {
    out.results += c.steps.length;
    out.asExpected += c.resultsAsExpected;
    out.duplicates += c.duplicateAppointments;
    for (const s of c.steps) {
      if (s.state === 'noop') out.silentNoops += 1;
      if (s.state === 'hung') out.hung += 1;
      // Latency without the waits the new flow makes on purpose (backoff, Retry-After).
      else if (!s.retries) out.latencies.push(s.latencyMs);
    }
  }
  out.p95 = percentile(out.latencies.sort((a, b) => a - b), 95);
  delete out.latencies;
  out.rate = out.results ? out.asExpected / out.results : null;
  return out;
}

export async function rolloutSection({ root, glue, results }) {
  const gates = [];
  const gate = (name, ok, detail) => gates.push({ name, ok, detail });
  const bucket = (unit) => glue.AppointmentClient.bucket(GROUP, unit);

  // ---- The split, through the Rust core.
  const buckets = Array.from({ length: UNITS }, (_, i) => bucket(`unit-${i}`));
  const vectors = [glue.AppointmentClient.bucket('gr1', '123'), glue.AppointmentClient.bucket('groupX', '999')];
  gate('Rust buckets equal Unleash\'s published values (gr1:123 = 73, groupX:999 = 25)', vectors[0] === 73 && vectors[1] === 25, vectors.join(', '));
  const share25 = buckets.filter((b) => b <= 25).length / UNITS;
  gate('a 25 % stage gets 25 % ± 1.3 points of 10,000 units', Math.abs(share25 - 0.25) <= 0.013, `${(share25 * 100).toFixed(2)} %`);
  let movedBack = 0;
  for (const b of buckets) {
    let wasIn = false;
    for (const p of STAGES) { const isIn = b <= p; if (wasIn && !isIn) movedBack += 1; wasIn = isIn; }
  }
  gate('ramping up moves no unit back to legacy', movedBack === 0, `${movedBack} units`);

  // ---- The simulation: each unit draws one case (seeded); its arm's measured results.
  const draw = rng(20261206);
  const picks = buckets.map(() => draw.int(results.pre.length));
  const legacyAll = arm(picks.map((i) => results.pre[i]));
  const stageRows = [];
  for (const p of STAGES) {
    const onNew = picks.filter((_, u) => buckets[u] <= p);
    const onLegacy = picks.filter((_, u) => buckets[u] > p);
    const newArm = arm(onNew.map((i) => results.post[i]));
    const legacyArm = arm(onLegacy.map((i) => results.pre[i]));
    const reference = legacyArm.units ? legacyArm : legacyAll;
    const okDup = newArm.duplicates === 0;
    const okRate = newArm.rate === null || newArm.rate >= reference.rate - 0.005;
    const okP95 = newArm.p95 === null || newArm.p95 <= reference.p95 + 250;
    gate(`${p} %: no duplicate on the new path`, okDup, `${newArm.duplicates}`);
    gate(`${p} %: new results as expected ≥ legacy's − 0.5 points`, okRate, `${(newArm.rate * 100).toFixed(1)} % vs ${(reference.rate * 100).toFixed(1)} %`);
    gate(`${p} %: new p95 ≤ legacy p95 + 250 ms`, okP95, `${newArm.p95} vs ${reference.p95} ms`);
    // Zero duplicates among n bookings bounds the rate at 3/n (95 %, the rule of three).
    const bound = newArm.results ? 3 / newArm.results : null;
    stageRows.push(`| ${p} % | ${newArm.units} / ${legacyArm.units} | ${newArm.results} | ${newArm.duplicates} / ${legacyArm.duplicates} | ${newArm.silentNoops} / ${legacyArm.silentNoops} | ${newArm.hung} / ${legacyArm.hung} | ${(newArm.rate * 100).toFixed(1)} % / ${legacyArm.units ? (legacyArm.rate * 100).toFixed(1) + ' %' : 'n/a'} | ${newArm.p95} / ${legacyArm.units ? legacyArm.p95 : 'n/a'} ms | ${bound === null ? 'n/a' : `< ${(bound * 100).toFixed(2)} %`} | ${okDup && okRate && okP95 ? 'pass' : '**FAIL**'} |`);
  }
  const needed = [0.01, 0.001, 0.0001].map((r) => `${(r * 100).toString()} %: ${Math.ceil(3 / r).toLocaleString('en')} bookings`);

  // ---- The label shadow over the corpus, per primary.
  const corpus = JSON.parse(readFileSync(join(root, 'data', 'action_label_corpus.json'), 'utf8'));
  const shadowRows = [];
  const reasons = ['srcElement_only', 'text_node', 'nested_child', 'disabled', 'shadow_dom', 'read_failed', 'other'];
  const shadowCounts = {};
  for (const primary of ['dropin', 'resolver']) {
    const { rollout, context } = page(root, glue);
    rollout.configure({ shadow: true, primary, sample: 1, cap: 1e9 });
    // The page's global, which the kit wrapped.
    for (const testCase of corpus.cases) {
      try { context.getActionLabel(...buildArgs(testCase)); } catch { /* the primary threw, as it would on the page */ }
    }
    const { counts } = rollout.snapshot();
    shadowCounts[primary] = counts;
    shadowRows.push(`| ${primary} | ${counts.compared} | ${counts.matched} | ${reasons.map((r) => {
      const e = counts.expected[r] ?? 0;
      const m = counts.mismatched[r] ?? 0;
      return e ? `${e} (expected)` : m ? `${m}` : '0';
    }).join(' | ')} |`);
  }
  const fixed = corpus.cases.filter((c) => c.fixes === 'srcElement').length;
  gate('label shadow: the drop-in differs from the legacy rule only where srcElement is read',
    Object.keys(shadowCounts.dropin.mismatched).length === 0 && shadowCounts.dropin.expected.srcElement_only >= fixed,
    JSON.stringify({ expected: shadowCounts.dropin.expected, mismatched: shadowCounts.dropin.mismatched }));

  // ---- The kill-switch matrix.
  const now = Date.now();
  const good = { version: 3, killed: false, booking: { stage: 'complete', groupId: GROUP }, ttlSeconds: 60, maxStaleSeconds: 3600 };
  const cases = [
    ['fresh config (stage complete)', { answer: { status: 200, body: good } }, 'new'],
    ['fresh config, killed', { answer: { status: 200, body: { ...good, killed: true } } }, 'legacy'],
    ['no answer yet, cache 10 min old (stale, within max staleness)', { answer: { hang: true }, cacheAgeS: 600 }, 'new'],
    ['500, cache 2 h old (past max staleness)', { answer: { status: 500, body: 'oops' }, cacheAgeS: 7200 }, 'legacy'],
    ['500, no cache', { answer: { status: 500, body: 'oops' } }, 'legacy'],
    ['hangs, no cache', { answer: { hang: true } }, 'legacy'],
    ['malformed JSON, no cache', { answer: { status: 200, body: '{"version": "seven"' } }, 'legacy'],
    ['unreachable, no cache', { answer: { unreachable: true } }, 'legacy'],
  ];
  const killRows = [];
  for (const [name, setup, want] of cases) {
    const url = '/rollout/config.json';
    const store = new Map();
    if (setup.cacheAgeS !== undefined) {
      store.set('raptor-secondary:rollout:config', JSON.stringify({ fetchedAt: now - setup.cacheAgeS * 1000, url, config: good }));
    }
    const { rollout } = page(root, glue, (context, api) => {
      context.localStorage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, String(v)) };
      context.fetch = () => {
        const a = setup.answer;
        if (a.hang) return new Promise(() => {});
        if (a.unreachable) return Promise.reject(new TypeError('network'));
        const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
        return Promise.resolve({ ok: a.status < 300, status: a.status, text: () => Promise.resolve(text) });
      };
      api.isReady = true;
      api.AppointmentClient = class { static bucket(g, u) { return glue.AppointmentClient.bucket(g, u); } book() { return Promise.resolve({ state: 'completed' }); } };
    });
    rollout.configure({ configUrl: url });
    await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    const { path } = await rollout.book({ calendarId: 'kill-matrix' }, { legacy: () => ({ state: 'completed' }) });
    const ms = performance.now() - started;
    const source = rollout.snapshot().config.source;
    gate(`kill switch: ${name} → ${want}`, path === want && ms < 100, `${path} (${source}) in ${ms.toFixed(1)} ms`);
    killRows.push(`| ${name} | ${source} | ${path} | ${path === want ? 'as intended' : '**not as intended**'} |`);
  }

  const markdown = `## Rolling out (issue 18)

Computed by this run from the shipped code: the bucket function of the Rust core (\`pkg/\`), the
rollout kit (\`pkg/raptor-secondary-rollout.js\`) and the cases above. Gates fail the
\`shared-compare\` tier.

### A simulated ramp

${UNITS.toLocaleString('en')} synthetic units, each bucketed by the Rust core (Unleash's
murmur3 of \`${GROUP}:unit\`) and each drawing one case of the ${results.pre.length} above (seeded),
whose measured results it gets on its arm. Buckets: Unleash's values ${vectors.join(' and ')}
(gr1:123 and groupX:999), a 25 % stage holds ${(share25 * 100).toFixed(2)} % of the units, and
${movedBack} units move back to legacy on the ramp 1 → 5 → 25 → 50 → 100 %.

| stage | units new / legacy | new results | duplicates new / legacy | silent no-ops new / legacy | hung new / legacy | as expected new / legacy | p95 new / legacy (without retried results' intended waits) | duplicate rate bound (0 seen, 95 %) | gates |
|---|---|---|---|---|---|---|---|---|---|
${stageRows.join('\n')}

Zero duplicates among *n* new-path bookings bounds the duplicate rate at 3/*n* (95 %, the rule
of three). To claim a rate below ${needed.join('; below ')}.

### The label shadow over the event-shape corpus

The ${corpus.cases.length} shapes of \`data/action_label_corpus.json\` through the rollout kit over the
module, every one compared (sample 1): the legacy rule against the drop-in, and against the
resolver. Expected reasons are what the fix is meant to change.

| primary | compared | matched | ${reasons.join(' | ')} |
|---|---|---|${reasons.map(() => '---').join('|')}|
${shadowRows.join('\n')}

### The kill switch

Which path a new booking takes as the remote config stands (\`ttlSeconds\` 60, \`maxStaleSeconds\`
3600, the good config's stage \`complete\`); the booking never waits for the config.

| the config | source used | path | |
|---|---|---|---|
${killRows.join('\n')}

### Gates

${gates.map((g) => `- ${g.ok ? 'pass' : '**FAIL**'}: ${g.name} (${g.detail})`).join('\n')}
`;
  return { markdown, gates, shadow: shadowCounts, vectors, share25, movedBack };
}
