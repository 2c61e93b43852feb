// The driver's contract (written once in crates/core/src/booking/mod.rs, "The driver
// contract"; js/driver.js over the built core): it drains the core after every input (a booking's first call goes out before book() returns); a wake-up never spins; each
// send gets exactly one answer fed back, and none after the core aborted it. Needs pkg/.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const glue = await import(new URL('pkg/raptor_secondary.js', root));
glue.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });

const request = () => ({
  calendarId: 'cal_1', slotStart: new Date(Date.now() + 7 * 86400000).toISOString(), durationMinutes: 30,
  patientName: 'Jane Doe', patientEmail: 'jane.doe@example.org',
});
const realSetTimeout = globalThis.setTimeout;
const sleep = (ms) => new Promise((ok) => realSetTimeout(ok, ms));
const events = (client) => client.logs().map((r) => r.event);
/** The driver's modules over the built core, to drive it with a store of a test's own. */
const driverModules = async () => {
  const load = (file) => import(new URL(`pkg/${file}`, root));
  const [core, driver, tabs, config, guard] = await Promise.all(
    ['raptor_secondary_core.js', 'driver.js', 'tabs.js', 'config.js', 'guard.js'].map(load));
  return { __Core: core.__Core, Driver: driver.Driver, Tabs: tabs.Tabs, splitConfig: config.splitConfig, readRequest: guard.readRequest };
};
/** A driver over the built core with `fetch` and a store of a test's own (`items`), and a
 * booking as the driver reads it: `book()` calls it. */
const driverWith = async (fetch, items) => {
  const { __Core, Driver, Tabs, splitConfig, readRequest } = await driverModules();
  const split = splitConfig({ fetch }, __Core.fields(true).split(','));
  const core = new __Core(split.options, new Uint8Array(32), Date.now());
  const driver = new Driver(core, { fetch: split.fetch, base: '/api/v2', capacity: 0 });
  driver.tabs = new Tabs(driver, items);
  const read = readRequest(request(), __Core.fields(false).split(','));
  const book = () => driver.request((c, now, id) => c.call(now, 0, id, undefined, read.record), undefined, 1);
  return { driver, book };
};

test('every input is drained at once: the create goes out before book() returns', async () => {
  const sent = [];
  const client = new glue.AppointmentClient({ fetch: (url, init) => { sent.push([url, init]); return new Promise(() => {}); } });
  const promise = client.book(request());
  assert.equal(sent.length, 1, 'the create was sent in the same turn');
  assert.equal(sent[0][1].headers['Idempotency-Key'].length, 36);
  assert.ok(promise instanceof Promise);
  client.free();
  assert.equal((await promise).error.code, 'timeout', 'free() answers the waiting call');
});

test('wake-ups follow the core and never spin', async () => {
  const real = realSetTimeout;
  let timers = 0;
  let zero = 0;
  globalThis.setTimeout = (fn, ms, ...rest) => {
    timers += 1;
    if (!ms) zero += 1;
    return real(fn, ms, ...rest);
  };
  try {
    const client = new glue.AppointmentClient({
      fetch: () => new Promise(() => {}), attempts: 3, attemptTimeoutMs: 20, baseDelayMs: 1, maxDelayMs: 2, breakerThreshold: 10,
    });
    const result = await client.book(request());
    assert.equal(result.error.code, 'retry_exhausted');
    assert.equal(result.attempts, 3);
    // Three attempt timeouts and two retry waits: a handful of timers, not a busy loop.
    assert.ok(timers <= 8, `${timers} timers for one booking`);
    assert.ok(zero <= 3, `${zero} zero-delay timers`);
    await sleep(30);
    const settled = timers;
    await sleep(60);
    assert.equal(timers, settled, 'nothing is scheduled once nothing waits');
  } finally {
    globalThis.setTimeout = real;
  }
});

test('bookings in a row arm one timer: a later wake-up keeps the earlier timer', async () => {
  const real = realSetTimeout;
  let timers = 0;
  globalThis.setTimeout = (fn, ms, ...rest) => {
    timers += 1;
    return real(fn, ms, ...rest);
  };
  try {
    let n = 0;
    // Each answer comes 3 ms later, so each step's attempt timeout ends later than the last.
    const fetch = (url) => new Promise((ok) => real(() => ok({
      status: 201, headers: { get: () => null },
      text: async () => JSON.stringify(url.endsWith('/events') ? {} : { id: `apt_${++n}`, status: 'confirmed' }),
    }), 3));
    const client = new glue.AppointmentClient({ fetch, storage: 'none' });
    for (let i = 0; i < 5; i++) {
      assert.equal((await client.book({ ...request(), calendarId: `cal_${i}` })).state, 'completed');
    }
    // The first booking's attempt timeout (5 s) is still ahead: every later wake-up is later,
    // and the timer is kept while nothing waits (waking early is a wake-up with nothing due).
    assert.equal(timers, 1, `${timers} timers for 5 bookings of two steps each`);
    client.free();
  } finally {
    globalThis.setTimeout = real;
  }
});

test('an idle client does not keep Node.js running: its kept timer is let go', async () => {
  // A child process books once (the attempt timeout a minute away, so the kept timer is due
  // then) and never frees the client: it must still exit as soon as its work is done.
  const { spawnSync } = await import('node:child_process');
  const script = `
    import { readFileSync } from 'node:fs';
    const glue = await import(${JSON.stringify(new URL('pkg/raptor_secondary.js', root).href)});
    glue.initSync({ module: readFileSync(new URL(${JSON.stringify(new URL('pkg/raptor_secondary_bg.wasm', root).href)})) });
    const fetch = async (url) => ({ status: 201, headers: { get: () => null },
      text: async () => JSON.stringify(url.endsWith('/events') ? {} : { id: 'apt_1', status: 'confirmed' }) });
    const client = new glue.AppointmentClient({ fetch, storage: 'none', attemptTimeoutMs: 60000, deadlineMs: 120000 });
    const result = await client.book(${JSON.stringify(request())});
    console.log(result.state);`;
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 50_000 });
  assert.equal(run.error, undefined, `the process did not exit by itself: ${run.error}`);
  assert.equal(run.stdout.trim(), 'completed', run.stderr);
  assert.ok(Date.now() - started < 50_000);
});

test('a timer object without ref or unref (a fake timer) is kept as well', async () => {
  const real = realSetTimeout;
  const realClear = globalThis.clearTimeout;
  const fakes = new Map();
  let next = 0;
  // Fake timers of some test frameworks: an object, neither ref nor unref.
  globalThis.setTimeout = (fn, ms) => { const t = { id: ++next }; fakes.set(t, real(fn, ms)); return t; };
  globalThis.clearTimeout = (t) => { if (fakes.has(t)) realClear(fakes.get(t)); };
  try {
    let n = 0;
    const fetch = async (url) => ({
      status: 201, headers: { get: () => null },
      text: async () => JSON.stringify(url.endsWith('/events') ? {} : { id: `apt_${++n}`, status: 'confirmed' }),
    });
    const client = new glue.AppointmentClient({ fetch, storage: 'none' });
    for (let i = 0; i < 3; i++) {
      assert.equal((await client.book({ ...request(), calendarId: `cal_fake_${i}` })).state, 'completed');
    }
    client.free();
  } finally {
    globalThis.setTimeout = real;
    globalThis.clearTimeout = realClear;
  }
});

test('exactly one answer per send, and none after an abort', async () => {
  const signals = [];
  let answered = 0;
  const late = (url, init) => {
    signals.push(init.signal);
    // Answers after the core has given up (attempt timeout 10 ms) and ignores the abort.
    return sleep(60).then(() => { answered += 1; return Response.json({ id: 'apt_late', status: 'confirmed' }, { status: 201 }); });
  };
  const client = new glue.AppointmentClient({ fetch: late, attempts: 1, attemptTimeoutMs: 10 });
  const result = await client.book(request());
  assert.equal(result.error.cause.code, 'timeout');
  assert.equal(signals[0].aborted, true, 'the call was aborted at its timeout');
  await sleep(100);
  assert.equal(answered, 1, 'the late answer arrived at the driver');
  assert.ok(!events(client).includes('attempt.succeeded'), 'and was not fed to the core');
  assert.deepEqual(client.outbox(), [], 'nothing happened after the abort');

  const prompt = new glue.AppointmentClient({ fetch: async (url) => (url.endsWith('/events')
    ? Response.json({ accepted: true }, { status: 202 }) : Response.json({ id: 'apt_1', status: 'confirmed' }, { status: 201 })) });
  assert.equal((await prompt.book(request())).state, 'completed');
  const log = events(prompt);
  assert.equal(log.filter((e) => e === 'attempt.started').length, 2);
  assert.equal(log.filter((e) => e === 'attempt.succeeded').length, 2, 'one answer per send');
});

test('log records are made only while something reads them; the counters move either way', async () => {
  const { __Core } = await driverModules();
  const poll = __Core.prototype.poll;
  let made = 0;
  __Core.prototype.poll = function counted() {
    const json = poll.call(this);
    if (json !== undefined && JSON.parse(json).kind === 'log') made += 1;
    return json;
  };
  try {
    let n = 0;
    const fetch = async (url) => ({
      status: 201, headers: { get: () => null },
      text: async () => JSON.stringify(url.endsWith('/events') ? {} : { id: `apt_${++n}`, status: 'confirmed' }),
    });
    const book = (calendarId) => client.book({ ...request(), calendarId });
    const client = new glue.AppointmentClient({ fetch, logCapacity: 0, storage: 'none' });
    assert.equal((await book('cal_1')).state, 'completed');
    assert.equal(made, 0, 'no buffer, no sink, no observer: no record is made');
    const seen = [];
    const id = client.subscribe((record) => seen.push(record.event));
    assert.equal((await book('cal_2')).state, 'completed');
    assert.ok(seen.includes('booking.completed'), seen.join());
    assert.equal(made, seen.length, 'a subscriber gets every record made');
    assert.equal(client.unsubscribe(id), true);
    assert.equal((await book('cal_3')).state, 'completed');
    assert.equal(made, seen.length, 'none once the last reader is gone');
    assert.equal(client.metrics().bookings, 3);
    assert.equal(client.metrics().completed, 3);
    client.free();
    const kept = new glue.AppointmentClient({ fetch, logCapacity: 5, storage: 'none' });
    assert.equal((await kept.book({ ...request(), calendarId: 'cal_4' })).state, 'completed');
    assert.equal(kept.logs().length, 5, 'a log buffer is a reader');
    kept.free();
  } finally {
    __Core.prototype.poll = poll;
  }
});

test('a log sink that books from inside a record is carried out in order', async () => {
  let nested;
  let once = false;
  const fetch = async (url) => (url.endsWith('/events')
    ? Response.json({ accepted: true }, { status: 202 }) : Response.json({ id: 'apt_1', status: 'confirmed' }, { status: 201 }));
  const client = new glue.AppointmentClient({
    fetch,
    log: (record) => {
      if (record.event !== 'booking.requested' || once) return;
      once = true;
      nested = client.book({ ...request(), durationMinutes: 45 });
    },
  });
  const first = await client.book(request());
  assert.equal(first.state, 'completed');
  assert.equal((await nested).state, 'completed', 're-entering the client from a sink works');
});

test('a log sink that frees the client mid-drain: the call is answered, nothing more is sent', async () => {
  const sent = [];
  let client;
  client = new glue.AppointmentClient({
    fetch: (url) => { sent.push(url); return new Promise(() => {}); },
    storage: 'none',
    log: (record) => { if (record.event === 'booking.requested') client.free(); },
  });
  const result = await Promise.race([client.book(request()), sleep(500).then(() => 'unanswered')]);
  assert.notEqual(result, 'unanswered', 'the call freed from inside its own drain is answered');
  assert.equal(result.error.code, 'timeout');
  assert.deepEqual(sent, [], 'no request goes out after free()');
});

test('free() while calls wait for the storage answers them, and sends nothing', async () => {
  const sent = [];
  const items = {
    prefix: 'test:',
    load: () => new Promise(() => {}), // a storage that never answers (a blocked IndexedDB open)
    agree: () => new Promise(() => {}),
    announced: () => undefined,
    read: () => undefined,
    save() {},
    written: () => undefined,
    listen: () => () => {},
    close() {},
  };
  const fetch = async (url) => { sent.push(url); return new Promise(() => {}); };
  const { driver, book } = await driverWith(fetch, items);
  driver.tabs.load();
  const waiting = book();
  driver.free();
  const result = await Promise.race([waiting, sleep(500).then(() => 'unanswered')]);
  assert.notEqual(result, 'unanswered', 'a call waiting for the storage is answered by free()');
  assert.equal(result.error.code, 'timeout');
  assert.deepEqual(sent, []);
});

test('page code that re-enters the client thousands of times deep cannot grow the stack', async () => {
  const fetch = async (url) => (url.endsWith('/events')
    ? Response.json({ accepted: true }, { status: 202 }) : Response.json({ id: 'apt_1', status: 'confirmed' }, { status: 201 }));
  const promises = [];
  let left = 3000;
  const client = new glue.AppointmentClient({
    fetch, logCapacity: 0, idempotencyMaxEntries: 10,
    // Every refusal logged books again (an invalid request is refused at once, in the drain).
    log: (record) => { if (record.event === 'booking.rejected' && left-- > 0) promises.push(client.book({})); },
  });
  promises.push(client.book({}));
  const results = await Promise.all(promises);
  assert.equal(results.length, 3001);
  assert.ok(results.every((r) => r.error.code === 'invalid_request'));
  assert.equal((await client.book(request())).state, 'completed', 'the client still works');
});

test('a call queued behind a re-entrant one books what was asked when it was called', async () => {
  const created = [];
  const fetch = async (url, init) => {
    if (url.endsWith('/events')) return Response.json({ accepted: true }, { status: 202 });
    created.push(JSON.parse(init.body).durationMinutes);
    return Response.json({ id: `apt_${created.length}`, status: 'confirmed' }, { status: 201 });
  };
  let nested;
  const client = new glue.AppointmentClient({
    fetch,
    log: (record) => {
      if (record.event !== 'booking.requested' || nested) return;
      const asked = { ...request(), durationMinutes: 45 };
      nested = client.book(asked);
      asked.durationMinutes = 90; // the page reuses its object once book() has returned
    },
  });
  await client.book(request());
  assert.equal((await nested).state, 'completed');
  assert.deepEqual(created, [30, 45], 'the queued booking kept the 45 minutes it was called with');
});

test('no script a page loads has a regular expression with lookbehind (Safari before 16.4 cannot parse one)', () => {
  // WPE WebKit 2.38 (a Safari 16.0 engine) refused to load driver.js at all for one lookbehind.
  const files = readdirSync(new URL('pkg/', root)).filter((f) => f.endsWith('.js'));
  assert.ok(files.includes('driver.js'));
  for (const file of files) {
    const text = readFileSync(new URL(`pkg/${file}`, root), 'utf8');
    assert.ok(!/\(\?<[=!]/.test(text), `${file} has a lookbehind`);
  }
});

test('the well-formedness check without String.prototype.isWellFormed agrees with it', async () => {
  const { wellFormed } = await import(new URL('pkg/guard.js', root));
  const cases = ['', 'a', '\uD800', '\uDC00', 'a\uD800', '\uDC00a', '\uD800\uDC00', '\uD800\uD800\uDC00',
    '\uD800\uDC00\uDC00', 'x\uDBFF\uDFFFy', '\uDBFF', 'é😀', '😀\uD83D', '\uDE00😀'];
  const expected = cases.map((s) => s.isWellFormed());
  const own = Object.getOwnPropertyDescriptor(String.prototype, 'isWellFormed');
  delete String.prototype.isWellFormed;
  try {
    assert.deepEqual(cases.map(wellFormed), expected);
  } finally {
    Object.defineProperty(String.prototype, 'isWellFormed', own);
  }
});

test('what a command saved is written before the send it guards, and before the claim is let go', async () => {
  // The driver contract's orderings (crates/core/src/booking/mod.rs): with a store whose writes
  // finish later (IndexedDB commits are asynchronous), the create waits for the record's write,
  // and the lock of the payload's claim is let go only once the booking's last write is done.
  const order = [];
  const writes = [];
  let pending = Promise.resolve();
  // A storage that holds the origin's secret already (so the agreement writes nothing).
  const secret = 'ab'.repeat(32);
  const items = {
    prefix: 'test:',
    load: () => [['s:', secret]],
    agree: (name, proposal) => ({ text: name === 's:' ? secret : proposal, settled: true }),
    announced: () => undefined,
    read: () => undefined,
    save(name) {
      order.push(`save ${name.slice(0, 2)}`);
      const write = new Promise((done) => writes.push(() => { order.push('written'); done(); }));
      pending = pending.then(() => write);
    },
    written: () => pending,
    listen: () => () => {},
    close() {},
  };
  const answers = { '/api/v2/appointments': { id: 'apt_9', status: 'confirmed' }, '/api/v2/events': {} };
  const fetch = async (url) => {
    order.push(`send ${url}`);
    return { status: 200, headers: { get: () => null }, text: async () => JSON.stringify(answers[url]) };
  };
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    value: { locks: { request: (name, options, granted) => granted({ name }).then(() => order.push('let go')) } },
  });
  try {
    const { driver, book } = await driverWith(fetch, items);
    driver.tabs.load();
    const result = book();
    await sleep(5);
    assert.deepEqual(order, ['save p:'], 'the create waits for the write of its record');
    while (writes.length) {
      writes.shift()();
      await sleep(5);
    }
    assert.equal((await result).state, 'completed');
    const sendAt = order.indexOf('send /api/v2/appointments');
    assert.ok(sendAt > order.indexOf('written'), `the create went out after the record was written: ${order}`);
    const lastWrite = order.lastIndexOf('written');
    assert.ok(order.indexOf('let go') > lastWrite, `the claim was let go after the last write: ${order}`);
    driver.free();
  } finally {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete globalThis.navigator;
  }
});

test('an agreement answered later holds page calls back; they go, in order, once it is fed', async () => {
  // The driver contract's rule 6: after an `agree` the driver feeds nothing but its answer,
  // so no call claims a payload (whose lock and item the origin's secret names) before it.
  const order = [];
  const asked = [];
  let settle;
  const items = {
    prefix: 'test:',
    load: () => [],
    agree(name, proposal, holder) {
      asked.push({ name, proposal, holder });
      return new Promise((done) => { settle = () => done({ text: proposal, settled: true }); });
    },
    announced: () => undefined,
    read: () => undefined,
    save(name) { order.push(`save ${name.slice(0, 2)}`); },
    written: () => undefined,
    listen: () => () => {},
    close() {},
  };
  const fetch = async (url) => {
    order.push(`send ${url}`);
    return { status: 200, headers: { get: () => null }, text: async () => JSON.stringify({ id: 'apt_9', status: 'confirmed' }) };
  };
  const { driver, book } = await driverWith(fetch, items);
  const ready = driver.tabs.load();
  assert.equal(asked.length, 1, 'an empty storage asks the tabs to agree once');
  assert.equal(asked[0].name, 's:');
  assert.match(asked[0].proposal, /^[0-9a-f]{64}$/);
  assert.ok(ready && typeof ready.then === 'function', 'load() waits for the agreement');
  const first = book();
  const second = book();
  await sleep(5);
  assert.deepEqual(order, [], 'nothing is claimed, saved or sent before the agreement');
  settle();
  await ready;
  const [a, b] = await Promise.all([first, second]);
  assert.deepEqual([a.state, b.state], ['completed', 'completed']);
  assert.equal(b.appointmentId, a.appointmentId, 'the second call joined the first');
  assert.deepEqual(order.filter((o) => o === 'send /api/v2/appointments'), ['send /api/v2/appointments']);
  assert.equal(order[0], 'save s:', 'the agreed secret is kept beside the records first');
  driver.free();
});

test('the driver knows no storage format, and each of its files stays small', () => {
  // The core owns every item name and format (crates/core/src/booking/store/items.rs); the
  // driver's store (js/storage.js) writes texts under names it is given.
  const source = readFileSync(new URL('js/storage.js', root), 'utf8');
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  for (const word of ["'p:'", "'o:'", "'x:'", "'b:'", "'s:'", 'p:', 'o:', 'x=', 's=', 'fingerprint', 'rev', 'bookingKey', 'records', 'outbox', 'JSON.parse(text)']) {
    const found = word.endsWith(':') || word.endsWith('=')
      ? new RegExp(`['"\`]${word}`).test(code)
      : new RegExp(`\\b${word.replace(/[.()]/g, '\\$&')}`).test(code);
    assert.equal(found, false, `js/storage.js mentions ${word}`);
  }
  for (const file of ['client.js', 'driver.js', 'kinds.js', 'guard.js', 'config.js', 'transport.js', 'tabs.js']) {
    const lines = readFileSync(new URL(`js/${file}`, root), 'utf8').split('\n').length - 1;
    assert.ok(lines <= 250, `js/${file} is ${lines} lines (at most 250)`);
  }
});
