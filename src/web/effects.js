// The effects the appointment client needs, in JavaScript: clock, timer, randomness, the
// split of a config object, and calls into page code that must never throw into Wasm.
// Nothing here throws: an exception thrown through Wasm frames would leave Rust state
// half-updated (see reads.js).

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

// Takes the functions and objects (`fetch`, `log`, `storage`, `storageKey`) out of a config
// object, so the rest can be checked as plain data. Returns `{ error }` or
// `{ options, fetch, log, storage, storageKey }`.
export function splitConfig(config) {
  if (config === undefined || config === null) config = {};
  if (typeof config !== 'object' || Array.isArray(config)) {
    return { error: 'the config must be an object, like { baseUrl: "/api/v2" }' };
  }
  const options = {};
    let fetchFn;
  let log;
  let storage;
  let storageKey;
  try {
    for (const key of Object.keys(config)) {
      const value = config[key];
      if (key === 'fetch' || key === 'log') {
        if (value !== undefined && typeof value !== 'function') {
          return { error: `${key} must be a function` };
        }
        if (key === 'fetch') fetchFn = value;
        else log = value;      } else if (key === 'storage') {
        storage = value;
      } else if (key === 'storageKey') {
        if (value !== undefined && (typeof value !== 'string' || !value || value.length > 200)) {
          return { error: 'storageKey must be a string of 1-200 characters' };
        }
        storageKey = value;
      } else {
        options[key] = value;
      }
    }
  } catch (e) {
    return { error: `the config could not be read: ${e && e.message ? e.message : e}` };
  }
    if (fetchFn === undefined && typeof globalThis.fetch !== 'function') {
    return { error: 'this environment has no fetch: pass one as config.fetch' };
  }
  const resolved = resolveStorage(storage);
  if (resolved.error) return resolved;
  return { options, fetch: fetchFn, log, storage: resolved.storage, storageKey };
}

// 'local' / 'session' / an object with getItem and setItem / nothing.
function resolveStorage(storage) {
  if (storage === undefined || storage === null || storage === false) return {};
  try {
    if (storage === 'local') return { storage: globalThis.localStorage };
    if (storage === 'session') return { storage: globalThis.sessionStorage };
  } catch (e) {
    return { error: `${storage}Storage is not available here: ${e && e.message ? e.message : e}` };
  }
  if (storage && typeof storage.getItem === 'function' && typeof storage.setItem === 'function') {
    return { storage };
  }
  return { error: "storage must be 'local', 'session' or an object with getItem and setItem" };
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

const opt = (v) => (v === null ? undefined : v);

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
    const text = storage.getItem(key);
    const s = text ? JSON.parse(text) : undefined;
    if (!s || s.version !== 1 || !Array.isArray(s.records) || !Array.isArray(s.outbox)) return undefined;
    const records = s.records.map((r) => {
      const res = r.result;
      const e = res && res.error;
      const c = e && e.cause;
      return [r.key, r.fingerprint, opt(r.expiresAtMs), r.findable === true, res ? [
        opt(res.operation), res.state, opt(res.appointmentId), e ? e.code : undefined, e ? e.message : undefined,
        e ? opt(e.status) : undefined, c ? c.code : undefined, c ? c.message : undefined, res.attempts, res.retries,
        res.correlationId, res.idempotencyKey, res.compensated === true, opt(res.actionLabel), res.durationMs,
      ] : undefined];
    });
    const outbox = s.outbox.map((o) => {
      const ev = o.event || {};
      return [ev.id, ev.type, ev.appointmentId, ev.calendarId, ev.slotStart, ev.occurredAt, ev.correlationId, o.bookingKey, o.status];
    });
    return [records, outbox];
  } catch (e) {
    warnOnce('the saved state could not be read', e);
    return undefined;
  }
}

export function saveSnapshot(storage, key, value) {
  try {
    storage.setItem(key, JSON.stringify(value));
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

// A request object's shape, checked before serde reads it: `undefined` if it is a plain
// object, else what it is.
export function notAnObject(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? undefined : typeof value;
}

// The values of `names` (comma-separated) on `object`, as an array; a string saying why if a
// getter or Proxy throws.
export function readFields(object, names) {
  try {
    return names.split(',').map((name) => object[name]);
  } catch (e) {
    return `it could not be read: ${e && e.message ? e.message : e}`;
  }
}
