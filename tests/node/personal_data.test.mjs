// Provider and transport texts never reach results, storage or logs: a provider that echoes
// every field of the request back in every error body, and a fetch whose rejection message
// quotes the patient, leave no personal data anywhere the client writes. Through the real Wasm
// client in Node; needs pkg/ (npm run build).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const glue = await import(new URL('pkg/raptor_secondary.js', root));
glue.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });

const patient = {
  patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org', patientPhone: '+1 555 0100',
  notes: 'allergic to penicillin',
};
// Pieces of the patient's data that must not appear anywhere (the masked log view keeps only
// initials, the e-mail's first letters and top-level domain, and the phone's last two digits).
const SECRETS = ['Jane', 'Doe', 'jane.doe', 'example.org', '555 0100', '5550100', 'penicillin'];
const day = 86400000;

/**
 * A provider whose script (per endpoint, in order) answers with a status whose error body
 * echoes the whole request, or 'network' (a rejection quoting the patient), or a success.
 */
function echoingFetch(script) {
  const queues = Object.fromEntries(Object.entries(script).map(([k, v]) => [k, [...v]]));
  let lastBody = JSON.stringify(patient);
  return async (url, init) => {
    if (init.body) lastBody = init.body;
    const endpoint = url.endsWith('/events') ? 'publish' : url.endsWith('/cancel') ? 'cancel'
      : init.method === 'GET' ? 'get' : 'create';
    const step = (queues[endpoint] ?? []).shift() ?? 'ok';
    const echo = `request was ${lastBody}; patient ${patient.patientName} <${patient.patientEmail}> ${patient.patientPhone}`;
    if (step === 'network') throw new TypeError(`fetch failed for ${echo}`);
    if (step === 'garbage') return new Response(`<html>${echo}</html>`, { status: 200 });
    if (step === 'ok') {
      if (endpoint === 'publish') return Response.json({ accepted: true, echo }, { status: 202 });
      if (endpoint === 'cancel') return Response.json({ id: url.split('/').at(-2), status: 'cancelled' });
      if (endpoint === 'get') return Response.json({ id: url.split('/').at(-1), status: 'confirmed' });
      return Response.json({ id: 'apt_1', status: 'confirmed', echo }, { status: 201 });
    }
    if (step === 'pending') return Response.json({ id: 'apt_1', status: 'pending', statusUrl: '/api/v2/appointments/apt_1' }, { status: 202 });
    return Response.json({ error: { code: `bad ${echo}`, message: echo, field: echo, patient } },
      { status: Number(step), headers: { 'Retry-After': '0' } });
  };
}

const CASES = {
  'a refusal (422)': { create: ['422'] },
  'retries exhausted on 503': { create: ['503', '503', '503'] },
  'a network error quoting the patient': { create: ['network', 'network', 'network'] },
  'a 2xx body that is not JSON': { create: ['garbage'] },
  'the event endpoint down: compensation': { publish: ['503', '503', '503'] },
  'compensation fails too: reconciliation': { publish: ['500', '500', '500'], cancel: ['500', '500', '500'] },
  'a poll refused (404) after a pending create': { create: ['pending'], get: ['404'] },
  'a rate limit then success': { create: ['429'] },
};

test('no provider or transport text reaches results, storage or logs', async () => {
  const items = new Map();
  const storage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)) };
  const sink = [];
  const results = [];
  let days = 3;
  for (const [name, script] of Object.entries(CASES)) {
    const client = new glue.AppointmentClient({
      fetch: echoingFetch(script), storage, storageKey: 'pd', log: (r) => sink.push(r),
      // One storage holds every case, and the breaker is shared through it: each case's
      // failures must not short-circuit the next.
      baseDelayMs: 1, maxDelayMs: 2, pollIntervalMs: 1, breakerThreshold: 100,
    });
    const result = await client.book({
      calendarId: 'cal_1', slotStart: new Date(Date.now() + ++days * day).toISOString(), durationMinutes: 30, ...patient,
    });
    results.push({ name, result, logs: client.logs(), outbox: client.outbox() });
    assert.ok(result.state === 'failed' || name === 'a rate limit then success', `${name}: ${result.state}`);
  }
  // A reload reads everything back: what was saved is scanned as the next page sees it.
  const reloaded = new glue.AppointmentClient({ fetch: echoingFetch({}), storage, storageKey: 'pd' });
  const places = {
    results: JSON.stringify(results),
    storage: JSON.stringify([...items.values()]),
    'log sink': JSON.stringify(sink),
    'restored outbox': JSON.stringify(reloaded.outbox()),
  };
  for (const [where, text] of Object.entries(places)) {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} holds '${secret}'`);
  }
  const codes = results.map((r) => r.result.error?.code ?? null);
  assert.deepEqual(codes, ['provider_rejected', 'retry_exhausted', 'retry_exhausted', 'bad_response',
    'outbox_publish_failed', 'outbox_publish_failed', 'provider_rejected', null]);
  const refused = results[0].result.error;
  assert.equal(refused.status, 422, 'the status is kept');
  assert.equal(refused.message, 'the provider answered 422', 'with a fixed message');
  assert.equal(results[2].result.error.cause.message, 'the provider could not be reached');
});
