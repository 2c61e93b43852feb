// The scenario checker must be able to fail: each mutation of a real passing run below is a
// defect the checker has to report. Needs pkg/ (npm run build).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkCase, runCase } from '../support/scenarios.js';

const root = new URL('../../', import.meta.url);
const glue = await import(new URL('pkg/raptor_secondary.js', root));
glue.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });
const data = JSON.parse(readFileSync(new URL('data/test_data.json', root), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('data/expected_postchange.json', root), 'utf8')).cases;
const create = (config) => new glue.AppointmentClient(config);
const clone = (run) => ({ ...run, logs: run.logs.map((r) => ({ ...r })), calls: run.calls.map((c) => ({ ...c })), results: run.results.map((r) => ({ ...r })) });

const healthy = await runCase(create, data, 'healthy_immediate');
const retried = await runCase(create, data, 'fail_once_then_replay');

test('the unmodified runs pass', () => {
  assert.deepEqual(checkCase(healthy, expected.healthy_immediate), []);
  assert.deepEqual(checkCase(retried, expected.fail_once_then_replay), []);
});

test('an unmasked name, e-mail or phone in any record is reported', () => {
  for (const leak of ['Jane Doe', 'jane.doe@example.org', '+44 20 7946 0958', 'penicillin']) {
    const run = clone(healthy);
    run.logs[3].note = `patient ${leak}`;
    const failures = checkCase(run, expected.healthy_immediate);
    assert.ok(failures.some((f) => f.includes('personal data')), `${leak}: ${failures}`);
  }
});

test('a record without a correlation id or idempotency key is reported', () => {
  const run = clone(healthy);
  run.logs[1].correlation_id = '';
  run.logs[2].idempotency_key = null;
  const failures = checkCase(run, expected.healthy_immediate);
  assert.ok(failures.some((f) => f.includes('no correlation_id')));
  assert.ok(failures.some((f) => f.includes('no idempotency_key')));
});

test('an extra provider call, a missing key header and a key change on retry are reported', () => {
  const run = clone(retried);
  const creates = run.calls.filter((c) => c.endpoint === 'create');
  creates[1].idempotencyKey = 'a-different-key-0001';
  run.calls.push({ ...creates[0], idempotencyKey: undefined });
  const failures = checkCase(run, expected.fail_once_then_replay);
  assert.ok(failures.some((f) => f.startsWith('provider create calls: expected 2, got 3')), String(failures));
  assert.ok(failures.some((f) => f.includes('had no Idempotency-Key')));
  assert.ok(failures.some((f) => f.includes('different keys')));
});

test('a wrong state or error code is reported', () => {
  const run = clone(healthy);
  run.results[0].state = 'failed';
  run.results[0].error = { code: 'timeout', message: 'x' };
  const failures = checkCase(run, expected.healthy_immediate);
  assert.ok(failures.some((f) => f.includes('state expected "completed"')));
  assert.ok(failures.some((f) => f.includes('errorCode expected null')));
});
