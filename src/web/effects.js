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

// Takes the functions (`fetch`, `log`) out of a config object, so the rest can be checked
// as plain data. Returns `{ error }` or `{ options, fetch, log }`.
export function splitConfig(config) {
  if (config === undefined || config === null) config = {};
  if (typeof config !== 'object' || Array.isArray(config)) {
    return { error: 'the config must be an object, like { baseUrl: "/api/v2" }' };
  }
  const options = {};
  let fetchFn;
  let log;
  try {
    for (const key of Object.keys(config)) {
      const value = config[key];
      if (key === 'fetch' || key === 'log') {
        if (value !== undefined && typeof value !== 'function') {
          return { error: `${key} must be a function` };
        }
        if (key === 'fetch') fetchFn = value;
        else log = value;
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
  return { options, fetch: fetchFn, log };
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
