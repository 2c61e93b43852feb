// The AppointmentClient: the one driver of the sans-IO booking core (crates/core, `__Core` in
// the Wasm module). It turns page calls into inputs, feeds each with Date.now(), drains every
// command after every input (fetch with an AbortController, storage, logs, results), and
// sleeps until the core's next wake-up. The core decides everything; this file only carries
// out what it asks.
//
// Contract (tests/node/driver.test.mjs): drain after every input; a wake-up at or before now
// fires once and the core then asks for a later one (no spin); exactly one answer per send,
// none after an abort. Page objects are read by own properties only and every read is guarded:
// a hostile config or request is refused with a coded error, never thrown through Wasm.

import { indexedDb, webStorage } from './storage.js';

const hasOwn = Object.prototype.hasOwnProperty;
const isArray = Array.isArray;
const objectKeys = Object.keys;
const stringify = String;

/** An object without a prototype: what the core reads by name sees only these fields. */
const record = (fields) => Object.setPrototypeOf(fields, null);

// Input text longer than this is refused before it is copied into Wasm memory (the longest
// field accepted is 500 characters of notes).
const MAX_TEXT = 4096;
// The longest click label worth reading: route names are short.
const MAX_LABEL = 64;

// No lookbehind in any regular expression a page loads: Safari before 16.4 cannot parse one, and
// the module then fails to load at all (found in WPE WebKit 2.38, a Safari 16.0 engine).
export const wellFormed = (s) => (typeof s.isWellFormed === 'function' ? s.isWellFormed()
  : !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s));

// A field value that is not a plain scalar, by kind (crates/core `Scalar::odd`): 1 an object,
// 2 an array, 3 a function, 4 a symbol, 5 a bigint, 6 unreadable, 7 a string with a lone
// surrogate, 8 a string over MAX_TEXT. Kind 0 boxes a number, which the core then reads as an
// f64: a number held as an externref breaks WebKit 2.38's Wasm JIT (src/web/reads.js).
const odd = (kind) => record({ kind });

/** One field value as the core reads it: undefined, a string, a boolean, a boxed number or an
 * odd. */
export function classify(value) {
  switch (typeof value) {
    case 'string':
      if (value.length > MAX_TEXT) return odd(8);
      return wellFormed(value) ? value : odd(7);
    case 'number': return record({ kind: 0, number: value });
    case 'boolean': return value;
    case 'undefined': return undefined;
    case 'symbol': return odd(4);
    case 'bigint': return odd(5);
    case 'function': return odd(3);
    default:
      if (value === null) return undefined;
      try { return odd(isArray(value) ? 2 : 1); } catch { return odd(6); }
  }
}

function optionsError(message) {
  const error = new Error(message);
  error.code = 'invalid_options';
  return error;
}

/**
 * The `{ signal }` of a call, own property only: `{ signal, aborted }`, or undefined without
 * one. Throws `invalid_options` for anything that is not an AbortSignal-like object (a page's
 * programming error, reported at the call like a bad config).
 */
export function readSignal(options) {
  if (options === undefined || options === null) return undefined;
  let keys;
  try { keys = typeof options === 'object' && !isArray(options) ? objectKeys(options) : undefined; } catch { keys = undefined; }
  const like = "the call's options must be like { signal }, with an AbortSignal; got";
  if (!keys) throw optionsError(`${like} ${got(options)}`);
  // A misspelt option (`{ sigal }`) would be ignored silently: refused, named.
  const unknown = keys.find((key) => key !== 'signal');
  if (unknown !== undefined) throw optionsError(`unknown call option ${shown(unknown)}; the only one is signal (an AbortSignal)`);
  let signal;
  try {
    signal = hasOwn.call(options, 'signal') ? options.signal : undefined;
    if (signal === undefined) return undefined;
    if (signal !== null && typeof signal === 'object' && typeof signal.addEventListener === 'function') {
      const aborted = signal.aborted;
      if (typeof aborted === 'boolean') return { signal, aborted };
    }
  } catch {
    throw optionsError(`${like} a signal that could not be read (a getter or Proxy threw)`);
  }
  throw optionsError(`${like} signal as ${got(signal)}`);
}

/** What a value is, for messages: `a string`, `null`, `an array`, ... */
function got(value) {
  if (value === null) return 'null';
  try { if (isArray(value)) return 'an array'; } catch { return 'an unreadable object'; }
  const type = typeof value;
  return type === 'undefined' ? 'undefined' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** A short, safe rendering of a page's name for a message. */
function shown(name) {
  const text = stringify(name);
  const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `'${wellFormed(cut) ? cut : cut.replace(/[\uD800-\uDFFF]/g, '\uFFFD')}'`;
}

/**
 * The fields `names` of a request, own properties only, each classified; or `{ error }`
 * naming what the value is when it is not a readable object.
 */
export function readRequest(object, names) {
  // Prototype-less answers too: `read.error` must never be an inherited field.
  try {
    if (object === null) return record({ error: 'null' });
    if (typeof object !== 'object') return record({ error: typeof object });
    if (isArray(object)) return record({ error: 'an array' });
  } catch {
    return record({ error: 'an unreadable object (a revoked Proxy?)' });
  }
  const out = record({});
  for (const name of names) {
    try {
      out[name] = classify(hasOwn.call(object, name) ? object[name] : undefined);
    } catch {
      out[name] = odd(6);
    }
  }
  return record({ record: out });
}

/** What `storage: 'indexeddb'` resolves to where IndexedDB exists. */
const INDEXED_DB = 'indexeddb';

/**
 * The storage a client gets without a `storage` option: IndexedDB where it exists (it falls
 * back to localStorage where it cannot be opened), then localStorage, then none (page memory):
 * so a reload or a second tab finds the first one's bookings out of the box. Never throws: a
 * page where storage is blocked gets memory.
 */
function defaultStorage() {
  try {
    if (typeof globalThis.indexedDB === 'object' && globalThis.indexedDB) return INDEXED_DB;
  } catch { /* blocked */ }
  try {
    return globalThis.localStorage || undefined;
  } catch {
    return undefined;
  }
}

// Absent: the default chain; 'none' (or null, false): none; 'indexeddb' / 'local' / 'session' /
// an object with getItem and setItem.
function resolveStorage(storage) {
  if (storage === undefined) return defaultStorage();
  if (storage === 'none' || storage === null || storage === false) return undefined;
  try {
    if (storage === INDEXED_DB) {
      if (typeof globalThis.indexedDB === 'object' && globalThis.indexedDB) return INDEXED_DB;
      return globalThis.localStorage || undefined; // the fallback, then memory
    }
    if (storage === 'local') return globalThis.localStorage;
    if (storage === 'session') return globalThis.sessionStorage;
    if (typeof storage === 'object' && typeof storage.getItem === 'function' && typeof storage.setItem === 'function') {
      return storage;
    }
  } catch {
    throw optionsError(typeof storage === 'string' ? `${storage}Storage is not available here`
      : 'the storage object could not be read (a getter or Proxy threw)');
  }
  throw optionsError("storage must be 'indexeddb', 'local', 'session', 'none' or an object with getItem and setItem");
}

/**
 * Splits a config into the data options `names` (each classified, for the core) and the
 * driver's own: `fetch`, `log`, `storage`, `storageKey`. Own enumerable properties only; any
 * other name, `__proto__` included, is an unknown option. Throws `invalid_options`.
 */
export function splitConfig(config, names) {
  let keys = [];
  try {
    if (config !== undefined && config !== null) {
      if (typeof config !== 'object' || isArray(config)) {
        throw optionsError('the config must be an object, like { baseUrl: "/api/v2" }');
      }
      keys = objectKeys(config);
    }
  } catch (e) {
    throw e && e.code === 'invalid_options' ? e : optionsError('the config could not be read (a getter or Proxy threw)');
  }
  const options = record({});
  const own = { fetch: undefined, log: undefined, storage: undefined, storageKey: undefined };
  for (const key of keys) {
    let value;
    try {
      value = config[key];
    } catch {
      throw optionsError(`the option ${shown(key)} could not be read (its getter threw)`);
    }
    if (key === 'fetch' || key === 'log') {
      if (value !== undefined && typeof value !== 'function') throw optionsError(`${key} must be a function; got ${got(value)}`);
      own[key] = value;
    } else if (key === 'storage') {
      own.storage = value;
    } else if (key === 'storageKey') {
      if (value !== undefined && (typeof value !== 'string' || !value || value.length > 200 || !wellFormed(value))) {
        throw optionsError(`storageKey must be a string of 1-200 characters; got ${typeof value === 'string' ? `a string of ${value.length} characters` : got(value)}`);
      }
      own.storageKey = value;
    } else if (names.includes(key)) {
      options[key] = classify(value);
    } else {
      throw optionsError(`unknown option ${shown(key)}; known options: fetch, log, storage, storageKey, ${names.join(', ')}`);
    }
  }
  if (own.fetch === undefined && typeof globalThis.fetch !== 'function') {
    throw optionsError('this environment has no fetch: pass one as config.fetch');
  }
  // localStorage named by the page is shared by the origin's tabs: its secret is agreed.
  const agree = own.storage === 'local';
  own.storage = resolveStorage(own.storage);
  return record({ options, ...own, agree });
}

/** `url` resolved against the provider's origin when it is a path (a relative `statusUrl`). */
function absolute(url, base) {
  if (!url.startsWith('/') || url.startsWith('//')) return url;
  try {
    return new URL(url, new URL(base, globalThis.location ? globalThis.location.href : undefined)).href;
  } catch {
    return url; // a relative base and no page location: left to the fetch function
  }
}

/** An answer for the core: every field own, so its getters see nothing inherited. */
const answer = (kind, status, retryAfter, id, appointmentStatus, statusUrl) => ({
  kind, status, retryAfter, id, appointmentStatus, statusUrl,
});
const ownText = (body, key) => {
  const v = body !== null && typeof body === 'object' && hasOwn.call(body, key) ? body[key] : undefined;
  return typeof v === 'string' ? v : undefined;
};

/**
 * Makes one provider call and reads what the core needs of its answer: the status, a
 * `Retry-After`, and a 2xx body's own `id`, `status` and `statusUrl`. Never rejects. No text of
 * an error body or of a rejection is read: a provider that echoes the patient back cannot put
 * their data into results, storage or logs.
 */
async function call(fetchFn, url, init) {
  let response;
  try {
    response = await (fetchFn ? fetchFn(url, init) : globalThis.fetch(url, init));
  } catch {
    return answer('network');
  }
  try {
    const status = response.status;
    if (typeof status !== 'number') return answer('bad');
    if (status < 200 || status >= 300) {
      const retryAfter = response.headers && typeof response.headers.get === 'function'
        ? response.headers.get('Retry-After') : null;
      return answer('status', status, typeof retryAfter === 'string' ? retryAfter : undefined);
    }
    const text = await response.text();
    let body;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return answer('bad', status);
    }
    return answer('ok', status, undefined, ownText(body, 'id'), ownText(body, 'status'), ownText(body, 'statusUrl'));
  } catch {
    return answer('network');
  }
}

/**
 * The options of `replay`, own properties only: `{ since, dryRun, requests }` with the
 * requests read now (see `readRequest`). Throws `invalid_options` naming what is wrong.
 */
export function readReplay(options, names) {
  const out = { since: 0, dryRun: true, requests: [] };
  if (options === undefined || options === null) return out;
  let given;
  try {
    if (typeof options !== 'object' || isArray(options)) {
      throw optionsError(`replay's options must be an object like { since, dryRun, requests }; got ${got(options)}`);
    }
    for (const key of objectKeys(options)) {
      if (!hasOwn.call(out, key)) throw optionsError(`replay has no option ${shown(key)}: it takes since, dryRun and requests`);
    }
    given = { since: options.since, dryRun: options.dryRun, requests: options.requests };
  } catch (e) {
    throw e && e.code === 'invalid_options' ? e : optionsError("replay's options could not be read (a getter or Proxy threw)");
  }
  const { since, dryRun, requests } = given;
  if (since !== undefined) {
    const time = since instanceof Date ? since.getTime() : since;
    if (typeof time !== 'number' || !(time >= 0)) throw optionsError(`since must be a time (ms since the epoch, or a Date); got ${got(since)}`);
    out.since = time;
  }
  if (dryRun !== undefined) {
    if (typeof dryRun !== 'boolean') throw optionsError(`dryRun must be true or false; got ${got(dryRun)}`);
    out.dryRun = dryRun;
  }
  if (requests !== undefined) {
    let list;
    try { list = isArray(requests) ? Array.prototype.slice.call(requests) : undefined; } catch { list = undefined; }
    if (!list) throw optionsError(`requests must be an array of the booking requests to send again; got ${got(requests)}`);
    out.requests = list.map((request) => readRequest(request, names));
  }
  return out;
}

/** What a replayed request came to, from its result. */
function replayStatus(result) {
  const code = result.error ? result.error.code : undefined;
  if (code === 'nothing_to_replay') return 'not_found';
  if (code === 'idempotency_expired') return 'reconcile';
  if (code === 'invalid_request' || code === 'idempotency_key_reused') return 'invalid';
  return result.idempotentReplay ? 'answered' : 'sent';
}

/** Calls page code (a log sink, an observer) so that its exception is reported, not thrown. */
function callSafely(fn, value) {
  try {
    fn(value);
  } catch (e) {
    try { console.error('raptor-secondary: a log sink or observer threw', e); } catch { /* no console */ }
  }
}

/** Calls `fn` with a read's text, now or once it resolves (IndexedDB reads are async). */
function whenRead(text, fn) {
  if (text && typeof text.then === 'function') text.then(fn);
  else fn(text);
}

function seed() {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

/**
 * The AppointmentClient class over a core: `makeCore(options, seed, now)` makes one,
 * `requestFields`/`configFields` are its field names, `resolveAction` reads a click.
 */
export function defineClient({ makeCore, requestFields, configFields, resolveAction, bucket }) {
  return class AppointmentClient {
    /**
     * Unleash's gradual-rollout bucket of `unit` in `groupId` (1 to 100, murmur3 of
     * `groupId:unit` in the Rust core): `unit` is in a rollout of `p` percent when it is at
     * most `p`. Both are non-empty strings of at most 256 characters.
     */
    static bucket(groupId, unit) {
      for (const [name, value] of [['groupId', groupId], ['unit', unit]]) {
        if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
          throw optionsError(`${name} must be a non-empty string of at most 256 characters, got ${typeof value === 'string' ? `${value.length} characters` : typeof value}`);
        }
      }
      return bucket(groupId, unit);
    }

    #core;
    #fetch;
    #base;
    #sink;
    #storage;
    #items;
    #claims = new Map();
    #loading = false;
    #converging = false;
    #secret;
    #unlisten = [];
    #capacity;
    #logs = [];
    #observers = new Map();
    #nextObserver = 1;
    #nextId = 0;
    #settle = new Map();
    #inflight = new Map();
    #timer;
    #timerAt;
    #inputs = [];
    #draining = false;

    constructor(config) {
      const split = splitConfig(config, configFields());
      this.#core = makeCore(split.options, seed(), Date.now());
      const effective = JSON.parse(this.#core.config());
      this.#fetch = split.fetch;
      this.#sink = split.log;
      this.#base = effective.baseUrl;
      this.#capacity = effective.logCapacity;
      this.#storage = split.storage;
      this.ready = Promise.resolve(this);
      if (this.#storage) {
        const key = split.storageKey ?? `raptor-secondary:v1:${effective.baseUrl}`;
        const local = () => {
          try {
            return globalThis.localStorage ? webStorage(globalThis.localStorage, key, { agree: true }) : undefined;
          } catch {
            return undefined;
          }
        };
        this.#items = this.#storage === INDEXED_DB ? indexedDb(key, local)
          : webStorage(this.#storage, key, { agree: split.agree });
        const loading = this.#items.load();
        if (typeof loading.then !== 'function') {
          this.#loaded(loading);
        } else {
          // Page calls made while IndexedDB loads wait for it (queued, in order).
          this.#loading = true;
          this.ready = loading.then((saved) => this.#loaded(saved)).then(() => this);
        }
      }
    }

    /** The storage was read: the core takes it (before any queued page call), then listens. */
    #loaded({ snapshot, breaker, secret, cancelled = [], converging = false }) {
      if (!this.#core) return;
      this.#loading = false;
      this.#converging = converging;
      this.#secret = secret;
      this.#inputs.unshift(
        (core, now) => core.loaded(now, snapshot),
        (core, now) => { if (secret !== undefined) core.changed(now, 's:', secret); },
        (core, now) => { if (breaker !== undefined) core.changed(now, 'b:', breaker); },
        // Appointments pages cancelled: their bookings are not replayed (see the core).
        (core, now) => { for (const [name, text] of cancelled) core.changed(now, name, text); },
      );
      this.#listen();
      this.#feed(() => {});
    }

    /**
     * Feeds one input (a call on the core with the time), then carries out every command. An
     * input that arrives while commands are being carried out (a log sink that books, say) waits
     * its turn in the queue: the core is never entered from inside a drain, and page code that
     * re-enters the client cannot grow the stack.
     */
    #feed(input) {
      this.#inputs.push(input);
      if (this.#draining || this.#loading) return;
      this.#draining = true;
      try {
        while (this.#inputs.length) {
          this.#inputs.shift()(this.#core, Date.now());
          let json;
          while ((json = this.#core.poll()) !== undefined) this.#run(JSON.parse(json));
        }
      } finally {
        this.#draining = false;
      }
      this.#arm();
    }

    /** Sleeps until the core's next wake-up; an unchanged one keeps its timer. */
    #arm() {
      const at = this.#core.pollTimeout();
      if (at === this.#timerAt) return;
      clearTimeout(this.#timer);
      this.#timerAt = at;
      this.#timer = at === undefined ? undefined : setTimeout(() => {
        this.#timer = undefined;
        this.#timerAt = undefined;
        this.#feed((core, now) => core.timer(now));
      }, Math.max(0, at - Date.now()));
    }

    #run(command) {
      switch (command.kind) {
        case 'send': return this.#send(command);
        case 'abort': {
          const controller = this.#inflight.get(command.call);
          this.#inflight.delete(command.call);
          return controller && controller.abort();
        }
        case 'save':
          this.#items.save(command.name, command.json, command.only);
          return this.#checkSecret();
        case 'claim': return this.#claim(command);
        case 'release': {
          const held = this.#claims.get(command.claim);
          this.#claims.delete(command.claim);
          if (!held) return undefined;
          if (!held.release) return held.controller.abort();
          // What was saved under the claim is written before another tab can take it.
          const written = this.#items.written();
          return written ? written.then(held.release) : held.release();
        }
        case 'log': return this.#log(command.record, command.stateChange);
        case 'done': return this.#answer(command.id, command.result);
        case 'flushed': return this.#answer(command.id, { published: command.published, pending: command.pending });
        default: return undefined;
      }
    }

    /**
     * Takes lock `lock`, which every tab of the origin shares (Web Locks: held until the core
     * releases the claim; a wait the core gives up on is aborted; with `wait` false it is
     * given up at once if another tab holds it), then reads storage item `read` and feeds it.
     * Without Web Locks a claim is granted at once: the key read from the shared storage still
     * joins tabs that book one after another, and the provider's idempotency answers same-key
     * calls that overlap.
     */
    #claim({ claim, lock, read, wait }) {
      const answer = (granted) => {
        if (!this.#claims.has(claim) || !this.#core) return false;
        if (!granted) this.#claims.delete(claim);
        // With the record: the cancels other tabs told through the lock registry (localStorage
        // shared by tabs may not hold them yet; see storage.js).
        const told = granted && this.#items.cancelled ? this.#items.cancelled() : undefined;
        const saved = granted ? this.#items.read(read) : undefined;
        whenRead(told ? Promise.all([saved, told]) : saved, (got) => {
          const [text, cancels] = told ? got : [got, []];
          // Released meanwhile (the core gave up): nothing is fed.
          if (this.#claims.has(claim) || !granted) {
            this.#feed((core, now) => {
              for (const [name, json] of cancels) core.changed(now, name, json);
              core.claimed(now, claim, text, granted);
            });
          }
        });
        return true;
      };
      const locks = globalThis.navigator && globalThis.navigator.locks;
      if (!locks || typeof locks.request !== 'function' || typeof AbortController !== 'function') {
        this.#claims.set(claim, { release() {} });
        answer(true);
        return;
      }
      const held = { controller: new AbortController(), release: undefined };
      this.#claims.set(claim, held);
      // ifAvailable cannot be combined with a signal; such a request never waits anyway.
      const options = wait ? { signal: held.controller.signal } : { ifAvailable: true };
      locks.request(`raptor-secondary ${this.#items.prefix}${lock}`, options, (granted) => new Promise((release) => {
        held.release = release;
        if (!answer(granted !== null) || granted === null) release();
      })).catch(() => { /* the wait was aborted: the core let go of the claim first */ });
    }

    /**
     * Where tabs converge on the origin's secret (nothing orders them: see storage.js), a change
     * this page has not heard of is taken before a call claims its payload (whose lock and item
     * the secret names), after each write of its own and when the page comes back: a storage
     * event can be missed (Firefox delivers none to a page until its listener is registered).
     */
    #checkSecret() {
      if (!this.#converging) return;
      const secret = this.#items.read('s:');
      if (secret === this.#secret) return;
      this.#secret = secret;
      this.#feed((core, now) => core.changed(now, 's:', secret));
    }

    /** The breaker state other tabs saved, for the core. */
    #shareBreaker() {
      whenRead(this.#items.read('b:'), (text) => {
        if (text !== undefined && this.#core) this.#feed((core, now) => core.changed(now, 'b:', text));
      });
    }

    /**
     * What other tabs change reaches this one: each storage event on the client's items
     * (localStorage fires them in every other tab of the origin) is fed to the core. When the
     * page comes back (online, visible, shown from the back/forward cache, where events were
     * missed) the breaker is read again and events left pending are published.
     */
    #listen() {
      const wake = (event) => {
        if (event.type === 'visibilitychange' && globalThis.document.visibilityState !== 'visible') return;
        if (!this.#core) return;
        this.#shareBreaker();
        this.#checkSecret();
        this.#feed((core, now) => core.wake(now));
      };
      this.#unlisten.push(this.#items.listen((name, text) => {
        if (name === 's:') this.#secret = text;
        if (this.#core) this.#feed((core, now) => core.changed(now, name, text));
      }));
      const targets = [[globalThis, 'online', wake], [globalThis, 'pageshow', wake],
        [globalThis.document, 'visibilitychange', wake]];
      for (const [target, type, fn] of targets) {
        if (target && typeof target.addEventListener === 'function') {
          target.addEventListener(type, fn);
          this.#unlisten.push(() => target.removeEventListener(type, fn));
        }
      }
    }

    #send(command) {
      const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
      this.#inflight.set(command.call, controller);
      const headers = record({
        Accept: 'application/json',
        'Idempotency-Key': command.key,
        'X-Correlation-Id': command.correlationId,
      });
      // No prototype: fetch reads RequestInit members with [[Get]], so fields a script put on
      // Object.prototype (`body`, `credentials`, ...) would otherwise be sent.
      const init = record({ method: command.method, headers });
      if (controller) init.signal = controller.signal;
      if (command.body !== null) {
        headers['Content-Type'] = 'application/json';
        init.body = command.body;
      }
      // A booking's record is on disk before its create goes out (IndexedDB writes are async).
      const written = this.#items ? this.#items.written() : undefined;
      const go = () => call(this.#fetch, absolute(command.url, this.#base), init);
      (written ? written.then(go) : go()).then((a) => {
        // An aborted call's answer is never fed: exactly one answer per send, none after.
        if (!this.#inflight.has(command.call)) return;
        this.#inflight.delete(command.call);
        this.#feed((core, now) => core.answer(now, command.call, a));
      });
    }

    #log(entry, stateChange) {
      if (this.#capacity > 0) {
        this.#logs.push(entry);
        if (this.#logs.length > this.#capacity) this.#logs.shift();
      }
      if (this.#sink) callSafely(this.#sink, entry);
      for (const { fn, states } of [...this.#observers.values()]) {
        if (!states || stateChange) callSafely(fn, entry);
      }
    }

    /**
     * Answers page call `id` once what it saved is written (IndexedDB commits are
     * asynchronous): a page that acts on the answer (reloads, or books in another tab right
     * after a cancel) finds the record, and every tab has been told (a cancel's `x:` item).
     */
    #answer(id, value) {
      const settle = this.#settle.get(id);
      this.#settle.delete(id);
      if (!settle) return;
      const written = this.#items ? this.#items.written() : undefined;
      if (written) written.then(() => settle(value));
      else settle(value);
    }

    /**
     * A page call: a fresh id, a promise settled by its one `done` (or `flushed`). With a
     * `signal` (from `readSignal`), aborting it abandons the call (`aborted`); one aborted
     * already is answered at once and nothing is sent (`operation`: 1 book, 2 cancel, 0 a
     * click with `label`).
     */
    #request(start, signal, operation = 0, label = undefined) {
      const id = ++this.#nextId;
      this.#checkSecret();
      return new Promise((settle) => {
        if (signal && signal.aborted) {
          this.#settle.set(id, settle);
          this.#feed((core, now) => core.refuseAborted(now, id, operation, label));
          return;
        }
        let onAbort;
        this.#settle.set(id, (value) => {
          if (onAbort) try { signal.signal.removeEventListener('abort', onAbort); } catch { /* a hostile signal */ }
          settle(value);
        });
        this.#feed((core, now) => start(core, now, id));
        if (signal && this.#settle.has(id)) {
          onAbort = () => {
            if (this.#settle.has(id) && this.#core) this.#feed((core, now) => core.abandon(now, id, true));
          };
          try { signal.signal.addEventListener('abort', onAbort, { once: true }); } catch { onAbort = undefined; }
        }
      });
    }

    /** Books an appointment. Resolves to a `BookingResult`; never rejects. */
    book(request, options) {
      const signal = readSignal(options);
      // Read now, at the call: a call queued behind a re-entrant one still books what was asked.
      const read = readRequest(request, requestFields());
      return this.#request((core, now, id) => {
        if (read.error) core.refuseRequest(now, id, true, undefined, read.error);
        else core.book(now, id, read.record);
      }, signal, 1);
    }

    /** Cancels an appointment by id (key `cancel:<id>`). Resolves to a `BookingResult`. */
    cancel(appointmentId, options) {
      const signal = readSignal(options);
      const id = classify(appointmentId);
      return this.#request((core, now, call) => core.cancel(now, call, id), signal, 2);
    }

    /**
     * For click handlers: reads the event's label now, as `resolveAction` does, then books
     * for `book-appointment`, cancels `request.appointmentId` for `cancel-appointment`, and
     * fails with `unknown_action` otherwise. Resolves to a `BookingResult`; never rejects.
     */
    handle(event, request, options) {
      const signal = readSignal(options);
      // Synchronously: after dispatch the browser clears currentTarget and composedPath.
      const found = resolveAction(event);
      let why;
      if (found.reason !== null) why = `the click carried no action label (${found.reason})`;
      else if (found.label.length > MAX_LABEL || !wellFormed(found.label)) {
        why = "the click's action label is not one this client handles (over 64 characters, or not well-formed text)";
      }
      const read = why ? undefined : readRequest(request, requestFields());
      return this.#request((core, now, id) => {
        if (why) return core.refuseClick(now, id, why);
        if (read.error) return core.refuseRequest(now, id, false, found.label, read.error);
        return core.handle(now, id, found.label, read.record);
      }, signal, 0, why ? '' : found.label);
    }

    /** Publishes outbox events left pending; resolves to `{ published, pending }`. */
    flushOutbox() {
      return this.#request((core, now, id) => core.flush(now, id));
    }

    /**
     * The bookings whose outcome is unknown (ended at `since` or later), and what sending
     * `requests` again does: with `dryRun: false`, each request whose record's outcome is
     * unknown is sent again under its key, then the outbox is drained. A request with no such
     * record, or one past `idempotencyTtlMs`, is never sent. See docs: "Replay".
     */
    replay(options) {
      const { since, dryRun, requests } = readReplay(options, requestFields());
      if (dryRun) {
        this.#feed((core, now) => core.timer(now));
        const plan = (read) => (read.error ? { status: 'invalid', code: 'invalid_request' } : JSON.parse(this.#core.replayPlan(read.record)));
        return Promise.resolve({ dryRun, unknown: JSON.parse(this.#core.unknown(since)), requests: requests.map(plan) });
      }
      const unknown = JSON.parse(this.#core.unknown(since));
      return Promise.all(requests.map((read) => this.#request((core, now, id) => {
        if (read.error) core.refuseRequest(now, id, true, undefined, read.error);
        else core.replay(now, id, read.record);
      }, undefined, 1))).then((results) => this.flushOutbox().then((outbox) => ({
        dryRun,
        unknown,
        requests: results.map((result) => {
          const status = replayStatus(result);
          const keyed = status !== 'not_found' && status !== 'invalid';
          return keyed ? { status, idempotencyKey: result.idempotencyKey, result } : { status, result };
        }),
        outbox,
      })));
    }

    /** Counters and latency percentiles. */
    metrics() { return JSON.parse(this.#core.metrics()); }

    /** The most recent log records (`logCapacity` of them), oldest first. */
    logs() { return this.#logs.slice(); }

    /** The circuit breaker: state, consecutive failures, time left before a probe may go. */
    breaker() { return JSON.parse(this.#core.breaker(Date.now())); }

    /** The outbox's entries with their status. */
    outbox() { return JSON.parse(this.#core.outbox()); }

    /** The effective settings, defaults filled in. */
    config() { return JSON.parse(this.#core.config()); }

    /** What was read back from storage: `{ enabled, records, outbox, pending }`. */
    restored() { return JSON.parse(this.#core.restored()); }

    /** A fresh idempotency key (UUID v4), for callers that keep their own per booking. */
    newIdempotencyKey() { return this.#core.newKey(); }

    /** Calls `listener(record)` for every log record; returns an id for `unsubscribe`. */
    subscribe(listener) { return this.#observe(listener, false); }

    /** Calls `listener(record)` for booking state and breaker changes; returns an id. */
    onStateChange(listener) { return this.#observe(listener, true); }

    #observe(fn, states) {
      if (typeof fn !== 'function') throw optionsError('the listener must be a function');
      const id = this.#nextObserver++;
      this.#observers.set(id, { fn, states });
      return id;
    }

    /** Removes a listener; `false` if the id is unknown. */
    unsubscribe(id) { return this.#observers.delete(id); }

    /**
     * Ends the client: calls still waiting are answered now (abandoned, with a `timeout`
     * code), calls in flight are aborted, and the core's memory is freed.
     */
    free() {
      if (!this.#core) return;
      for (const id of [...this.#settle.keys()]) this.#feed((core, now) => core.abandon(now, id, false));
      clearTimeout(this.#timer);
      for (const controller of this.#inflight.values()) if (controller) controller.abort();
      this.#inflight.clear();
      for (const held of this.#claims.values()) {
        if (held.release) held.release();
        else held.controller.abort();
      }
      this.#claims.clear();
      for (const unlisten of this.#unlisten.splice(0)) unlisten();
      if (this.#items) this.#items.close();
      this.#core.free();
      this.#core = undefined;
    }
  };
}
