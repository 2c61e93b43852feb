// Runs the cases of data/test_data.json through a real AppointmentClient whose `fetch`
// answers from each case's provider script with real Response objects, and checks the
// outcome against data/expected_postchange.json. Plain ESM with no imports: the browser
// tests (wasm-bindgen-test, Chrome and Firefox) load it as a snippet, and
// scripts/scenarios.mjs runs it in Node to write results/ and logs/.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of sorted numbers (as the client's metrics compute it). */
export const percentile = (sorted, p) => (sorted.length ? sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] : null);
const ENDPOINTS = ['create', 'get', 'cancel', 'publish'];
const DEFAULT_REPLY = { create: '201', get: '200 confirmed', cancel: '200 cancelled', publish: '202' };

function endpointOf(method, path) {
  if (method === 'POST' && /\/appointments$/.test(path)) return 'create';
  if (method === 'GET' && /\/appointments\/[^/]+$/.test(path)) return 'get';
  if (method === 'POST' && /\/appointments\/[^/]+\/cancel$/.test(path)) return 'cancel';
  if (method === 'POST' && /\/events$/.test(path)) return 'publish';
  return 'unknown';
}

function json(status, body, headers = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function abortable(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    if (signal) {
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      });
    }
  });
}

// A fetch function following `script` ({ create: [...], get: [...], ... }); records calls.
export function scenarioFetch(script, calls, idPrefix) {
  const queues = Object.fromEntries(ENDPOINTS.map((e) => [e, [...((script && script[e]) || [])]]));
  let created = 0;
  return async function fetch(url, init = {}) {
    const path = new URL(url, 'http://provider.invalid').pathname;
    const method = init.method || 'GET';
    const endpoint = endpointOf(method, path);
    const headers = init.headers || {};
    const call = {
      endpoint,
      method,
      path,
      idempotencyKey: headers['Idempotency-Key'],
      correlationId: headers['X-Correlation-Id'],
      body: init.body === undefined ? undefined : JSON.parse(init.body),
      at: Date.now(),
    };
    calls.push(call);
    if (endpoint === 'unknown') return json(404, { error: { code: 'not_found', message: path } });
    let reply = queues[endpoint].length ? queues[endpoint].shift() : DEFAULT_REPLY[endpoint];
    call.reply = reply;
    const delay = /^delay=(\d+) (.*)$/.exec(reply);
    if (delay) {
      await abortable(Number(delay[1]), init.signal);
      reply = delay[2];
    }
    if (reply === 'hang') return abortable(1e9, init.signal);
    if (reply === 'network') throw new TypeError('Failed to fetch');
    const id = endpoint === 'create' ? `${idPrefix}_${++created}` : path.split('/')[4];
    const [status, word] = reply.split(' ');
    const code = Number(status);
    if (code >= 200 && code < 300) {
      if (endpoint === 'publish') return json(code, { accepted: true });
      const appointment = { id, status: word || (endpoint === 'cancel' ? 'cancelled' : 'confirmed') };
      if (appointment.status === 'pending') appointment.statusUrl = `/api/v2/appointments/${id}`;
      return json(code, appointment);
    }
    const retryAfter = /retry-after=(\S+)/.exec(reply);
    return json(
      code,
      { error: { code: code >= 500 ? 'unavailable' : 'refused', message: `scripted ${code}` } },
      retryAfter ? { 'Retry-After': retryAfter[1] } : {},
    );
  };
}

function buildRequest(defaults, overrides, base, previous) {
  const request = { ...defaults, ...(overrides || {}) };
  if (request.slotStartInDays !== undefined) {
    request.slotStart = new Date(base + request.slotStartInDays * 86400000).toISOString();
    delete request.slotStartInDays;
  }
  for (const [k, v] of Object.entries(request)) {
    if (typeof v === 'string' && v.startsWith('$previous.')) request[k] = previous && previous[v.slice(10)];
  }
  return request;
}

// A duck-typed element for environments without a DOM.
function fakeElement(label) {
  return { nodeType: 1, getAttribute: (name) => (name === 'data-action' ? label : null) };
}

// Starts a click: calls client.handle synchronously (as a click handler does) and returns
// its promise. `target` uses a real click on an icon inside a button when there is a DOM.
function click(client, step, request) {
  const label = step.label || 'book-appointment';
  if (step.event === 'srcElement') {
    const element = globalThis.document ? button(label) : fakeElement(label);
    return { mode: 'srcElement-only object', promise: client.handle({ srcElement: element }, request) };
  }
  if (!globalThis.document) {
    return { mode: 'target object', promise: client.handle({ target: fakeElement(label) }, request) };
  }
  const el = button(label);
  let promise;
  el.addEventListener('click', (event) => {
    promise = client.handle(event, request);
  });
  el.firstChild.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
  el.remove();
  return { mode: 'DOM click on a nested icon', promise };
}

function button(label) {
  const el = document.createElement('button');
  el.setAttribute('data-action', label);
  const icon = document.createElement('span');
  icon.textContent = '+';
  el.appendChild(icon);
  document.body.appendChild(el);
  return el;
}

// Runs one case; `createClient(config)` returns an AppointmentClient.
export async function runCase(createClient, data, id) {
  const testCase = data.cases.find((c) => c.id === id);
  if (!testCase) throw new Error(`no case ${id}`);
  const calls = [];
  const logs = [];
  const config = {
    ...data.defaults.config,
    ...(testCase.config || {}),
    fetch: scenarioFetch(testCase.provider, calls, `apt_${testCase.seed}`),
    log: (record) => logs.push(record),
    // Each case keeps its records apart (in a browser the client keeps them in IndexedDB by
    // default; in Node, in memory).
    storageKey: `scenario:${id}:${Date.now()}:${Math.random()}`,
  };
  const client = createClient(config);
  const base = Math.floor(Date.now() / 3600000) * 3600000;
  const results = [];
  const requests = [];
  const modes = [];
  const started = Date.now();
  let previous;
  for (const step of testCase.steps) {
    if (step.do === 'wait') {
      await sleep(step.ms);
      continue;
    }
    const request = buildRequest(data.defaults.request, step.request, base, previous);
    requests.push(request);
    if (step.do === 'book') {
      results.push(await client.book(request));
    } else if (step.do === 'click') {
      const { mode, promise } = click(client, step, request);
      modes.push(mode);
      results.push(await promise);
    } else if (step.do === 'double_click') {
      const first = click(client, step, request);
      const second = click(client, step, request);
      modes.push(first.mode, second.mode);
      results.push(...(await Promise.all([first.promise, second.promise])));
    } else {
      throw new Error(`unknown step ${step.do}`);
    }
    previous = results[results.length - 1];
  }
  const run = {
    id,
    title: testCase.title,
    results,
    calls,
    logs,
    requests,
    eventModes: modes,
    metrics: client.metrics(),
    breaker: client.breaker(),
    outbox: client.outbox(),
    wallMs: Date.now() - started,
  };
  client.free?.(); // the legacy flow (Shared/compare.mjs) has none
  return run;
}

// The personal values of a case's requests, as they could leak into a log line: whole
// values, name words, the e-mail's local part and domain name (its top-level domain is kept
// by the mask on purpose), the phone's digits, and the words of the notes.
function secrets(requests) {
  const out = new Set();
  for (const r of requests) {
    const name = typeof r.patientName === 'string' ? r.patientName : '';
    const email = typeof r.patientEmail === 'string' ? r.patientEmail : '';
    const phone = typeof r.patientPhone === 'string' ? r.patientPhone : '';
    const notes = typeof r.notes === 'string' ? r.notes : '';
    for (const value of [name, email, phone, notes]) if (value) out.add(value);
    for (const word of name.split(/\s+/)) if (word.length >= 2) out.add(word);
    const [local, domain = ''] = email.split('@');
    if (local && email.includes('@')) out.add(local);
    const domainName = domain.split('.').slice(0, -1).join('.');
    if (domainName) out.add(domainName);
    const digits = phone.replace(/\D/g, '');
    if (digits.length >= 4) out.add(digits.slice(0, -2));
    for (const word of notes.split(/[\s,.;]+/)) if (word.length >= 4) out.add(word);
  }
  return [...out];
}

// Mismatches between a run and its expectations; empty when the case passes.
export function checkCase(run, expected) {
  const failures = [];
  const fail = (message) => failures.push(message);
  if (!expected) return [`no expectations for ${run.id}`];

  if (run.results.length !== expected.steps.length) {
    fail(`expected ${expected.steps.length} results, got ${run.results.length}`);
  }
  expected.steps.forEach((want, i) => {
    const got = run.results[i];
    if (!got) return;
    const check = (name, actual) => {
      if (want[name] !== undefined && want[name] !== actual) {
        fail(`step ${i + 1}: ${name} expected ${JSON.stringify(want[name])}, got ${JSON.stringify(actual)}`);
      }
    };
    check('state', got.state);
    check('errorCode', got.error ? got.error.code : null);
    check('causeCode', got.error && got.error.cause ? got.error.cause.code : null);
    check('errorField', got.error ? got.error.field : undefined);
    check('errorStatus', got.error ? got.error.status : undefined);
    check('attempts', got.attempts);
    check('retries', got.retries);
    check('idempotentReplay', got.idempotentReplay);
    check('compensated', got.compensated);
    check('actionLabel', got.actionLabel);
    check('operation', got.operation);
    if (want.hasAppointmentId && !got.appointmentId) fail(`step ${i + 1}: expected an appointment id`);
    if (want.minDurationMs !== undefined && got.durationMs < want.minDurationMs) {
      fail(`step ${i + 1}: expected at least ${want.minDurationMs} ms, took ${got.durationMs}`);
    }
    if (want.sameAppointmentAs !== undefined) {
      const other = run.results[want.sameAppointmentAs];
      if (!other || other.appointmentId !== got.appointmentId || other.idempotencyKey !== got.idempotencyKey) {
        fail(`step ${i + 1}: expected the appointment and key of step ${want.sameAppointmentAs + 1}`);
      }
    }
  });

  const counts = Object.fromEntries(ENDPOINTS.map((e) => [e, run.calls.filter((c) => c.endpoint === e).length]));
  for (const e of ENDPOINTS) {
    const want = (expected.providerCalls || {})[e] || 0;
    if (counts[e] !== want) fail(`provider ${e} calls: expected ${want}, got ${counts[e]}`);
  }
  if (run.calls.some((c) => c.endpoint === 'unknown')) fail('a call went to an unknown endpoint');
  for (const c of run.calls) {
    if (c.method === 'POST' && !c.idempotencyKey) fail(`a ${c.endpoint} call had no Idempotency-Key`);
  }
  // All create attempts of one booking (one correlation id) share one key.
  const keysByCorrelation = new Map();
  for (const c of run.calls.filter((c) => c.endpoint === 'create')) {
    const keys = keysByCorrelation.get(c.correlationId) || new Set();
    keys.add(c.idempotencyKey);
    keysByCorrelation.set(c.correlationId, keys);
  }
  for (const keys of keysByCorrelation.values()) {
    if (keys.size !== 1) fail(`retries of one booking used ${keys.size} different keys`);
  }

  const retries = run.results.reduce((n, r) => n + r.retries, 0);
  if (expected.retries !== undefined && retries !== expected.retries) {
    fail(`retries: expected ${expected.retries}, got ${retries}`);
  }
  if (expected.idempotentHits !== undefined && run.metrics.idempotentHits !== expected.idempotentHits) {
    fail(`idempotent hits: expected ${expected.idempotentHits}, got ${run.metrics.idempotentHits}`);
  }
  if (expected.breakerOpens !== undefined && run.metrics.breakerOpens !== expected.breakerOpens) {
    fail(`breaker opens: expected ${expected.breakerOpens}, got ${run.metrics.breakerOpens}`);
  }
  if (expected.breakerState !== undefined && run.breaker.state !== expected.breakerState) {
    fail(`breaker state: expected ${expected.breakerState}, got ${run.breaker.state}`);
  }
  if (expected.outbox !== undefined) {
    const statuses = run.outbox.map((e) => e.status);
    if (JSON.stringify(statuses) !== JSON.stringify(expected.outbox)) {
      fail(`outbox: expected ${JSON.stringify(expected.outbox)}, got ${JSON.stringify(statuses)}`);
    }
  }
  if (expected.minRetryDelayMs !== undefined) {
    const delays = run.logs.filter((r) => r.event === 'retry.scheduled').map((r) => r.delay_ms);
    if (!delays.length || Math.min(...delays) < expected.minRetryDelayMs) {
      fail(`retry delays ${JSON.stringify(delays)}: expected each >= ${expected.minRetryDelayMs}`);
    }
  }

  const events = new Set(run.logs.map((r) => r.event));
  for (const event of expected.logEvents || []) if (!events.has(event)) fail(`no '${event}' log record`);
  if (!run.logs.length) fail('no log records');
  const leaks = secrets(run.requests);
  for (const record of run.logs) {
    if (!record.correlation_id) fail(`a '${record.event}' record has no correlation_id`);
    if (!record.idempotency_key) fail(`a '${record.event}' record has no idempotency_key`);
    const line = JSON.stringify(record);
    for (const secret of leaks) {
      if (line.includes(secret)) fail(`personal data '${secret}' in a '${record.event}' record`);
    }
  }
  return failures;
}

// For the browser tests: runs and checks one case, returns { passed, failures }.
export async function runAndCheck(createClient, dataJson, expectedJson, id) {
  const data = JSON.parse(dataJson);
  const expected = JSON.parse(expectedJson).cases[id];
  const run = await runCase(createClient, data, id);
  const failures = checkCase(run, expected);
  return { passed: failures.length === 0, failures, eventModes: run.eventModes };
}

export function caseIds(dataJson) {
  return JSON.parse(dataJson).cases.map((c) => c.id);
}
