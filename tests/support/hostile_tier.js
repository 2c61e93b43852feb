// The hostile tier, run inside a page that loaded the loader (with data-client, or without it
// and `dropInOnly`): feeds generated hostile input (hostile.js) through getActionLabel,
// resolveAction and, with the client, new AppointmentClient, book, cancel and handle; after
// every throw checks that a normal call still works; compares getActionLabel with the legacy
// contract on every input; and measures Wasm memory, the externref table and the JS heap after
// a warm-up and at the end.
import { attempt, disagreement, generator, Hostile, reference, rng, safeText } from './hostile.js';

const CODES = new Set(['invalid_options', 'invalid_request', 'idempotency_key_reused', 'retry_exhausted',
  'circuit_open', 'timeout', 'network_error', 'provider_unavailable', 'rate_limited', 'request_in_progress',
  'provider_rejected', 'bad_response', 'outbox_publish_failed', 'unknown_action', 'invalid_transition']);
const REASONS = new Set([null, 'no_event', 'no_element', 'not_an_element', 'attribute_missing', 'attribute_empty',
  'disabled', 'depth_limit', 'read_failed']);
const SOURCES = new Set([null, 'target', 'srcElement', 'currentTarget', 'composedPath']);

const day = 86400000;
const valid = () => ({
  calendarId: 'cal_hostile', slotStart: new Date(Date.now() + 3 * day).toISOString(), durationMinutes: 30,
  patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
});

/** `promise`, or `fallback` if it has not settled within `ms` (the timer is cleared either way). */
function within(promise, ms, fallback) {
  let timer;
  const late = new Promise((ok) => { timer = setTimeout(ok, ms, fallback); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const isWellFormed = (s) => (typeof s.isWellFormed === 'function' ? s.isWellFormed()
  : !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s));

// Response.json() is Safari 17's: WebKit 2.38 (Safari 16) has none.
const json = (body, init = {}) => new Response(JSON.stringify(body), { ...init, headers: { 'content-type': 'application/json' } });

/** A provider inside the page that answers at once, checking what it is sent. */
function instantProvider(problems) {
  const calls = { create: 0, cancel: 0, publish: 0, other: 0 };
  let n = 0;
  const fetch = async (url, init) => {
    const path = new URL(url, location.href).pathname;
    if (init.method === 'POST' && path.endsWith('/appointments')) {
      calls.create += 1;
      const body = JSON.parse(init.body);
      const types = { calendarId: 'string', slotStart: 'string', durationMinutes: 'number', patientName: 'string', patientEmail: 'string' };
      for (const [field, type] of Object.entries(types)) {
        if (typeof body[field] !== type) problems.push(`create sent ${field} as ${typeof body[field]}`);
      }
      for (const [field, value] of Object.entries(body)) {
        if (typeof value === 'string' && !isWellFormed(value)) problems.push(`create sent a lone surrogate in ${field}`);
      }
      return json({ id: `apt_${++n}`, status: 'confirmed' }, { status: 201 });
    }
    if (init.method === 'POST' && path.endsWith('/cancel')) {
      calls.cancel += 1;
      return json({ id: path.split('/').at(-2), status: 'cancelled' });
    }
    if (init.method === 'POST' && path.endsWith('/events')) {
      calls.publish += 1;
      return json({ accepted: true }, { status: 202 });
    }
    calls.other += 1;
    return json({ error: { code: 'not_found' } }, { status: 404 });
  };
  return { fetch, calls };
}

function checkResult(result, what, problems) {
  if (!result || typeof result !== 'object') return problems.push(`${what} resolved to ${safeText(result)}`);
  if (result.state !== 'completed' && result.state !== 'failed') problems.push(`${what}: state ${safeText(result.state)}`);
  if (result.state === 'failed' && !CODES.has(result.error && result.error.code)) {
    problems.push(`${what}: failed without a stable code (${safeText(result.error && result.error.code)})`);
  }
}

// Collects twice with pauses between, so FinalizationRegistry callbacks (which free the Rust
// side of finished promises' closures) have run before anything is read.
const settleGarbage = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((ok) => setTimeout(ok, 100));
  }
};

const measure = async (client) => {
  await settleGarbage();
  return {
    wasmBytes: RaptorSecondary.memoryBytes(),
    externrefs: RaptorSecondary.externrefSlots(),
    heapBytes: performance.memory ? performance.memory.usedJSHeapSize : 0,
    records: client ? client.metrics().bookings : 0,
  };
};

/**
 * Runs `inputs` generated inputs after `warmup` ones (same generator, seed `seed`); returns
 * counts, problems and the measurements after the warm-up and at the end.
 */
export async function runHostileTier({ seed = 1, inputs = 100000, warmup = 10000, dropInOnly = false } = {}) {
  const r = rng(seed);
  const g = generator(r, document);
  const problems = [];
  const counts = {
    inputs: 0, getActionLabel: 0, resolveAction: 0, constructor: 0, book: 0, cancel: 0, handle: 0,
    threw: 0, ownExceptions: 0, invalidOptions: 0, failedResults: 0, recoveryChecks: 0,
  };
  const provider = instantProvider(problems);
  // The booking client keeps nothing ('none'): hostile requests are refused before storage is
  // touched, and without storage its working set (and so Wasm memory) does not depend on when
  // cross-tab locks are granted. The clients built from generated configs below get the default
  // storage (IndexedDB), each freed at once, mostly before its database has opened.
  const client = dropInOnly ? undefined
    : new RaptorSecondary.AppointmentClient({ fetch: provider.fetch, logCapacity: 16, idempotencyMaxEntries: 16, storage: 'none' });
  const goodEvent = { srcElement: { getAttribute: (name) => (name === 'data-action' ? 'ok' : null) } };
  const problem = (text) => { if (problems.length < 50) problems.push(text); };

  // After any throw: the next normal calls must work.
  const recover = (after) => {
    counts.recoveryChecks += 1;
    const label = attempt(getActionLabel, [goodEvent]);
    if (label.value !== 'ok') problem(`getActionLabel broken after ${after}: ${safeText(label.error ?? label.value)}`);
    const resolved = attempt(resolveAction, [goodEvent]);
    if (!resolved.value || resolved.value.label !== 'ok') problem(`resolveAction broken after ${after}: ${safeText(resolved.error ?? resolved.value)}`);
    if (label.value !== 'ok' || !resolved.value || resolved.value.label !== 'ok') {
      throw new Error(`the module is unusable after ${counts.inputs} inputs: ${problems.slice(0, 8).join('; ')}`);
    }
  };

  const pending = [];
  const settle = async () => {
    const batch = pending.splice(0);
    for (const { promise, what } of batch) {
      try {
        const result = await within(promise, 30000, 'never settled');
        checkResult(result, what, problems);
        if (result && result.state === 'failed') counts.failedResults += 1;
      } catch (e) {
        problem(`${what} rejected: ${safeText(e)}`);
      }
    }
    if (!client) return;
    const normal = attempt(() => client.book({ ...valid(), notes: `normal ${counts.inputs}` }), []);
    const result = normal.value && await within(normal.value, 30000, undefined);
    if (!result || result.state !== 'completed') {
      problem(`a normal booking after ${counts.inputs} inputs: ${safeText(normal.error ?? (result && result.error && result.error.code))}`);
      throw new Error(`the client is unusable after ${counts.inputs} inputs: ${problems.slice(0, 5).join('; ')}`);
    }
  };

  const asyncCall = (what, call) => {
    const outcome = attempt(call, []);
    if ('error' in outcome) {
      counts.threw += 1;
      problem(`${what} threw synchronously: ${safeText(outcome.error)}`);
      recover(what);
      return;
    }
    if (!(outcome.value instanceof Promise)) problem(`${what} did not return a Promise`);
    else pending.push({ promise: outcome.value, what });
  };

  let baseline;
  const checkpoints = [];
  const total = warmup + inputs;
  for (let i = 0; i < total; i++) {
    if (i === warmup) {
      await settle();
      baseline = await measure(client);
    } else if (i > warmup && (i - warmup) % Math.ceil(inputs / 4) === 0) {
      await settle();
      checkpoints.push({ after: i - warmup, ...(await measure(client)) });
    }
    counts.inputs += 1;
    const kind = dropInOnly ? r.int(14) : r.int(20);
    if (kind < 8) {
      counts.getActionLabel += 1;
      const args = r.chance(0.5) ? [g.event()] : [g.event(), g.attributeName()];
      const got = attempt(getActionLabel, args);
      const want = attempt(reference, args);
      const differs = disagreement(want, got);
      if (differs) problem(`getActionLabel(${args.map(safeText).join(', ')}) ${differs}`);
      if ('error' in got) {
        counts.threw += 1;
        if (got.error instanceof Hostile) counts.ownExceptions += 1;
        recover('getActionLabel');
      }
    } else if (kind < 14) {
      counts.resolveAction += 1;
      const args = r.chance(0.5) ? [g.event()] : [g.event(), g.resolveOptions()];
      const got = attempt(resolveAction, args);
      if ('error' in got) {
        counts.threw += 1;
        if (got.error && got.error.code === 'invalid_options' && args.length === 2) counts.invalidOptions += 1;
        else problem(`resolveAction threw for a bad event: ${safeText(got.error)}`);
        recover('resolveAction');
      } else {
        const v = got.value;
        if (typeof v.label !== 'string' || !REASONS.has(v.reason) || !SOURCES.has(v.source) || typeof v.depth !== 'number') {
          problem(`resolveAction answered ${safeText(JSON.stringify({ ...v, element: undefined }))}`);
        }
        if (v.reason === null && v.label === '') problem('resolveAction: an empty label without a reason');
      }
    } else if (kind < 15) {
      counts.constructor += 1;
      const got = attempt((config) => new RaptorSecondary.AppointmentClient(config), [g.config(provider.fetch)]);
      if ('error' in got) {
        counts.threw += 1;
        if (got.error && got.error.code === 'invalid_options') counts.invalidOptions += 1;
        else problem(`new AppointmentClient threw ${safeText(got.error)} instead of invalid_options`);
        recover('new AppointmentClient');
      } else {
        got.value.free();
      }
    } else if (kind < 18) {
      counts.book += 1;
      const request = g.request(valid);
      asyncCall('book', () => client.book(request));
    } else if (kind < 19) {
      counts.cancel += 1;
      const id = r.chance(0.5) ? g.primitive() : g.hostileObject(0);
      asyncCall('cancel', () => client.cancel(id));
    } else {
      counts.handle += 1;
      const event = g.event();
      const request = g.request(valid);
      asyncCall('handle', () => client.handle(event, request));
    }
    if (pending.length >= 200) await settle();
  }
  await settle();
  const end = await measure(client);
  client?.free();
  return { counts, problems, baseline, checkpoints, end, calls: provider.calls };
}
