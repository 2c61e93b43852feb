// What the client reads of a page: every value a page passes in (a request, a call's options,
// replay's options) is read by own properties only, each read guarded, and classified the way
// the core reads it. A hostile value (a revoked Proxy, a throwing getter, a 1 MB string, a lone
// surrogate, a polluted Object.prototype) becomes a coded refusal, never an exception thrown
// through Wasm. Part of the driver (js/driver.js); the core decides what a value means.

const hasOwn = Object.prototype.hasOwnProperty;
const isArray = Array.isArray;
const objectKeys = Object.keys;
const stringify = String;

/** An object without a prototype: what the core reads by name sees only these fields. */
export const record = (fields) => Object.setPrototypeOf(fields, null);

// Input text longer than this is refused before it is copied into Wasm memory (the longest
// field accepted is 500 characters of notes).
const MAX_TEXT = 4096;
// The longest click label worth reading: route names are short.
export const MAX_LABEL = 64;

// No lookbehind in any regular expression a page loads: Safari before 16.4 cannot parse one, and
// the module then fails to load at all (found in WPE WebKit 2.38, a Safari 16.0 engine).
export const wellFormed = (s) => (typeof s.isWellFormed === 'function' ? s.isWellFormed()
  : !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s));

// A field value that is not a plain scalar, by kind (crates/core `Scalar::odd`): 1 an object,
// 2 an array, 3 a function, 4 a symbol, 5 a bigint, 6 unreadable, 7 a string with a lone
// surrogate, 8 a string over MAX_TEXT. The core reads a record's fields typed (src/web/fields.js):
// a number crosses as an f64, never as an externref (that breaks WebKit 2.38's Wasm JIT).
export const odd = (kind) => record({ kind });

/** One field value as the core reads it: undefined, a string, a number, a boolean or an odd. */
export function classify(value) {
  switch (typeof value) {
    case 'string':
      if (value.length > MAX_TEXT) return odd(8);
      return wellFormed(value) ? value : odd(7);
    case 'number': return value;
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

/** An `invalid_options` error: a page's programming error, thrown at the call. */
export function optionsError(message) {
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
export function got(value) {
  if (value === null) return 'null';
  try { if (isArray(value)) return 'an array'; } catch { return 'an unreadable object'; }
  const type = typeof value;
  return type === 'undefined' ? 'undefined' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** A short, safe rendering of a page's name for a message. */
export function shown(name) {
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
