// The effects the appointment client needs, in JavaScript: clock, timer, randomness, the
// reading of page objects (configs, requests, saved state), and calls into page code.
//
// Nothing here throws: an exception thrown through Wasm frames skips Rust destructors and the
// shadow-stack reset, and enough of them brick the module (tests/e2e/hostile.test.mjs).
// Page objects are read by own properties only, so a script that pollutes Object.prototype
// (`Object.prototype.baseUrl = 'http://attacker/'`) chooses nothing; what goes back to Rust is
// a null-prototype record, read by name.

const hasOwn = Object.prototype.hasOwnProperty;
const isArray = Array.isArray;
const objectKeys = Object.keys;

/** `o[key]` if `key` is an own property of the object `o`, else undefined. May throw. */
const own = (o, key) => (o !== null && typeof o === 'object' && hasOwn.call(o, key) ? o[key] : undefined);

/** An object without a prototype: what Rust reads by name sees only these fields. */
const record = (fields) => Object.setPrototypeOf(fields, null);

export function now() {
  return Date.now();
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Keys and correlation ids: the platform's crypto RNG, 64 values per call.
let pool = new Uint32Array(0);
let next = 0;
export function randomU32() {
  if (next >= pool.length) {
    pool = new Uint32Array(64);
    globalThis.crypto.getRandomValues(pool);
    next = 0;
  }
  return pool[next++];
}

// Backoff jitter only needs to be uniform.
export function jitterU32() {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}

// Input text longer than this is refused before it is copied into Wasm memory (the longest
// field accepted is 500 characters of notes).
const MAX_TEXT = 4096;

const wellFormed = (s) => (typeof s.isWellFormed === 'function' ? s.isWellFormed()
  : !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s));

// A field value that is not a plain scalar, by kind (src/booking/scalar.rs `Scalar::odd`):
// 1 an object, 2 an array, 3 a function, 4 a symbol, 5 a bigint, 6 unreadable, 7 a string with
// a lone surrogate, 8 a string over MAX_TEXT.
class Odd {
  constructor(kind) { this.kind = kind; }
}

/** One field value as Rust reads it: undefined, a string, a number, a boolean or an Odd. */
export function classify(value) {
  switch (typeof value) {
    case 'string':
      if (value.length > MAX_TEXT) return new Odd(8);
      return wellFormed(value) ? value : new Odd(7);
    case 'number': case 'boolean': return value;
    case 'undefined': return undefined;
    case 'symbol': return new Odd(4);
    case 'bigint': return new Odd(5);
    case 'function': return new Odd(3);
    default:
      if (value === null) return undefined;
      try { return new Odd(isArray(value) ? 2 : 1); } catch { return new Odd(6); }
  }
}

/** A short, safe rendering of an option name for a message. */
function shown(name) {
  const text = String(name);
  const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `'${wellFormed(cut) ? cut : cut.replace(/[\uD800-\uDFFF]/g, '\uFFFD')}'`;
}

/**
 * The fields `names` (comma-separated) of a request object, own properties only, each
 * classified; or `{ error }` saying why the object cannot be read at all.
 */
export function readRequest(object, names) {
  try {
    if (object === null) return record({ error: 'null' });
    if (typeof object !== 'object') return record({ error: typeof object });
    if (isArray(object)) return record({ error: 'an array' });
  } catch {
    return record({ error: 'an unreadable object (a revoked Proxy?)' });
  }
  const out = record({});
  for (const name of names.split(',')) {
    try {
      out[name] = classify(hasOwn.call(object, name) ? object[name] : undefined);
    } catch {
      out[name] = new Odd(6);
    }
  }
  return out;
}

// 'local' / 'session' / an object with getItem and setItem / nothing: `{ storage }` or
// `{ error }`, without a prototype like every record here.
function resolveStorage(storage) {
  if (storage === undefined || storage === null || storage === false) return record({});
  try {
    if (storage === 'local') return record({ storage: globalThis.localStorage });
    if (storage === 'session') return record({ storage: globalThis.sessionStorage });
    if (typeof storage === 'object' && typeof storage.getItem === 'function' && typeof storage.setItem === 'function') {
      return record({ storage });
    }
  } catch {
    return record({
      error: typeof storage === 'string' ? `${storage}Storage is not available here`
        : 'the storage object could not be read (a getter or Proxy threw)',
    });
  }
  return record({ error: "storage must be 'local', 'session' or an object with getItem and setItem" });
}

/**
 * Splits a config object into the data options `names` (comma-separated; each classified),
 * and `fetch`, `log`, `storage`, `storageKey`. Own enumerable properties only; any other name,
 * `__proto__` included, is an unknown option. Returns `{ error }` or
 * `{ options, fetch, log, storage, storageKey }`.
 */
export function splitConfig(config, names) {
  const known = names.split(',');
  let keys = [];
  try {
    if (config !== undefined && config !== null) {
      if (typeof config !== 'object' || isArray(config)) {
        return record({ error: 'the config must be an object, like { baseUrl: "/api/v2" }' });
      }
      keys = objectKeys(config);
    }
  } catch {
    return record({ error: 'the config could not be read (a getter or Proxy threw)' });
  }
  const options = record({});
  let fetchFn;
  let log;
  let storage;
  let storageKey;
  for (const key of keys) {
    let value;
    try {
      value = config[key];
    } catch {
      return record({ error: `the option ${shown(key)} could not be read (its getter threw)` });
    }
    if (key === 'fetch' || key === 'log') {
      if (value !== undefined && typeof value !== 'function') return record({ error: `${key} must be a function` });
      if (key === 'fetch') fetchFn = value;
      else log = value;
    } else if (key === 'storage') {
      storage = value;
    } else if (key === 'storageKey') {
      if (value !== undefined && (typeof value !== 'string' || !value || value.length > 200 || !wellFormed(value))) {
        return record({ error: 'storageKey must be a string of 1-200 characters' });
      }
      storageKey = value;
    } else if (known.includes(key)) {
      options[key] = classify(value);
    } else {
      return record({
        error: `unknown option ${shown(key)}; known options: fetch, log, storage, storageKey, ${known.join(', ')}`,
      });
    }
  }
  if (fetchFn === undefined && typeof globalThis.fetch !== 'function') {
    return record({ error: 'this environment has no fetch: pass one as config.fetch' });
  }
  const resolved = resolveStorage(storage);
  if (resolved.error) return record({ error: resolved.error });
  return record({ options, fetch: fetchFn, log, storage: resolved.storage, storageKey });
}

let warned = false;
function warnOnce(what, e) {
  if (warned) return;
  warned = true;
  try {
    console.warn(`raptor-secondary: ${what}; bookings still work but will not survive a reload`, e);
  } catch (_) {
    // No console.
  }
}

// Own fields only: the saved text is another script's to write, and Object.prototype too.
const opt = (o, key) => {
  const v = own(o, key);
  return v === null ? undefined : v;
};
const text = (o, key) => {
  const v = own(o, key);
  return typeof v === 'string' ? v : undefined;
};

// The saved snapshot flattened for Rust (no deserializer needed there), or undefined (nothing
// saved, another version, or unreadable):
//   [records, outbox]
//   record: [key, fingerprint, expiresAtMs, findable, result]
//   result: [operation, state, appointmentId, errorCode, errorMessage, errorStatus, causeCode,
//            causeMessage, attempts, retries, correlationId, idempotencyKey, compensated,
//            actionLabel, durationMs]            (or undefined while in flight)
//   outbox: [id, type, appointmentId, calendarId, slotStart, occurredAt, correlationId,
//            bookingKey, status]
export function loadSnapshot(storage, key) {
  try {
    const saved = storage.getItem(key);
    const s = typeof saved === 'string' && saved ? JSON.parse(saved) : undefined;
    const records = own(s, 'records');
    const outbox = own(s, 'outbox');
    if (own(s, 'version') !== 1 || !isArray(records) || !isArray(outbox)) return undefined;
    const rows = records.map((r) => {
      const res = opt(r, 'result');
      const e = opt(res, 'error');
      const c = opt(e, 'cause');
      return [text(r, 'key'), text(r, 'fingerprint'), opt(r, 'expiresAtMs'), own(r, 'findable') === true, res ? [
        opt(res, 'operation'), text(res, 'state'), text(res, 'appointmentId'), text(e, 'code'), text(e, 'message'),
        opt(e, 'status'), text(c, 'code'), text(c, 'message'), own(res, 'attempts'), own(res, 'retries'),
        text(res, 'correlationId'), text(res, 'idempotencyKey'), own(res, 'compensated') === true,
        text(res, 'actionLabel'), own(res, 'durationMs'),
      ] : undefined];
    });
    const entries = outbox.map((o) => {
      const ev = opt(o, 'event');
      return [text(ev, 'id'), text(ev, 'type'), text(ev, 'appointmentId'), text(ev, 'calendarId'), text(ev, 'slotStart'),
        text(ev, 'occurredAt'), text(ev, 'correlationId'), text(o, 'bookingKey'), text(o, 'status')];
    });
    return [rows, entries];
  } catch (e) {
    warnOnce('the saved state could not be read', e);
    return undefined;
  }
}

export function saveSnapshot(storage, key, json) {
  try {
    storage.setItem(key, json);
  } catch (e) {
    warnOnce('the state could not be saved (storage full or blocked?)', e);
  }
}

// Calls page code (a log sink, an observer) so that its exception is reported, not thrown.
export function callSafely(fn, value) {
  try {
    fn(value);
  } catch (e) {
    try {
      console.error('raptor-secondary: a log sink or observer threw', e);
    } catch (_) {
      // No console: nothing more to do.
    }
  }
}

// A value for the page from JSON made in Rust: JSON.parse defines every field as an own data
// property, so no setter on Object.prototype sees (or blocks) a result, a log record or a view.
export function fromJson(json) {
  return JSON.parse(json);
}
