// Generated hostile input for the public API: events, elements, attribute names, options,
// configs and booking requests built from a seeded random source, so a failing input can be
// rebuilt from its seed and index. Plain ESM without imports; the hostile tier
// (tests/e2e/hostile.test.mjs) loads it into a page that has the loader's globals.
//
// Kinds of value (see ../../shared/LEGACY.md and the issue "never bricked"): plain objects
// nested at random, real elements, text nodes, Proxies that throw on every trap, revoked
// Proxies, throwing getters, throwing or non-string getAttribute, dataset Proxies, symbols,
// numbers, huge strings and attribute names up to 1 MB, lone surrogates, frozen and cyclic
// objects.

/** A small, fast, seeded PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

/** What hostile values throw: one marked object per generated input, so a test can tell the
 * input's own exception from one the module made up. */
export class Hostile extends Error {
  constructor(where) {
    super(`hostile: ${where}`);
    this.hostile = true;
  }
}

const TRAPS = ['get', 'has', 'set', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'defineProperty',
  'deleteProperty', 'apply', 'construct', 'isExtensible', 'preventExtensions', 'setPrototypeOf'];

function throwingProxy(boom, target = {}) {
  const traps = {};
  for (const trap of TRAPS) traps[trap] = () => { throw boom; };
  return new Proxy(target, traps);
}

function revokedProxy(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** Strings of every awkward sort; the huge ones are made once and shared. */
export function strings(doc) {
  const MB = 1 << 20;
  const huge = 'x'.repeat(MB);
  return {
    huge,
    hugeAttribute: `data-${'x'.repeat(MB - 5)}`,
    hugeDashed: `data-${'-a'.repeat(MB / 2 - 3)}`,
    loneHigh: 'book-\uD800-appointment',
    loneLow: '\uDC00',
    loneAttribute: 'data-\uD83D',
    pairs: 'book-\uD83D\uDE00',
    list: ['', 'book-appointment', 'cancel-appointment', 'data-action', 'data-user-id', 'data-', 'data-a-b-c',
      'aria-label', 'id', 'DATA-action', 'data action', ' ', '\u0000', '__proto__', 'constructor', 'toString',
      'valueOf', 'hasOwnProperty', 'then', 'book-\uD800-appointment', '\uDC00', 'data-\uD83D', 'é-ü', doc ? 'title' : 'x'],
  };
}

/**
 * A generator of hostile values over `r` (an `rng`). `doc` is the page's document, or
 * undefined outside a browser.
 */
export function generator(r, doc) {
  const s = strings(doc);
  let serial = 0;
  const boom = () => new Hostile(`#${++serial}`);

  const anyString = () => {
    switch (r.int(8)) {
      case 0: return s.huge;
      case 1: return s.loneHigh;
      case 2: return s.loneLow;
      case 3: return s.pairs;
      default: return r.pick(s.list);
    }
  };

  const primitive = () => r.pick([
    () => undefined, () => null, () => 0, () => 1, () => -0, () => NaN, () => Infinity, () => 1e308,
    () => 42, () => 30.5, () => true, () => false, () => 10n, () => Symbol('hostile'), anyString,
  ])();

  // The 1 MB names are rarer than the rest: the oracle's own regex is slow on them.
  const attributeName = () => {
    const roll = r.int(200);
    if (roll === 0) return s.hugeDashed;
    if (roll < 8) return s.hugeAttribute;
    switch (roll % 7) {
      case 0: return s.loneAttribute;
      case 1: return primitive();
      case 2: return hostileObject(0);
      case 3: return { toString: () => 'data-action' };
      case 4: return undefined;
      default: return r.pick(['data-action', 'data-user-id', 'data-action', 'id', 'title', 'data-', 'data-x-y']);
    }
  };

  /** An object or value that throws, lies or loops. */
  function hostileObject(depth) {
    const thrown = boom();
    switch (r.int(12)) {
      case 0: return throwingProxy(thrown);
      case 1: return revokedProxy();
      case 2: return Object.defineProperty({}, r.pick(['target', 'srcElement', 'currentTarget', 'getAttribute', 'dataset', 'composedPath', 'nodeType', 'parentNode']), { get() { throw thrown; }, enumerable: true });
      case 3: { const o = { a: 1 }; o.self = o; o.target = o; o.parentNode = o; return o; }
      case 4: return Object.freeze({ target: depth < 3 ? element(depth + 1) : null });
      case 5: return { getAttribute() { throw thrown; } };
      case 6: { const value = r.pick([42, null, undefined, {}, Symbol('x'), true, s.huge, s.loneHigh]); return { getAttribute: () => value }; }
      case 7: return { dataset: new Proxy({}, { get: (_, key) => (typeof key === 'string' ? `proxied:${key.length}` : undefined) }) };
      case 8: return { dataset: throwingProxy(thrown) };
      case 9: return { composedPath: () => revokedProxy([]) };
      case 10: return { composedPath: () => Object.defineProperty([], 0, { get() { throw thrown; } }) };
      default: return { composedPath() { throw thrown; } };
    }
  }

  /** An element-like value. */
  function element(depth) {
    switch (r.int(depth > 3 ? 6 : 10)) {
      case 0: return primitive();
      case 1: return hostileObject(depth);
      case 2: {
        if (!doc) return { getAttribute: () => 'book-appointment' };
        const el = doc.createElement(r.pick(['button', 'div', 'span', 'a']));
        if (r.chance(0.7)) el.setAttribute('data-action', r.pick(['book-appointment', '', 'x', s.loneHigh]));
        if (r.chance(0.3)) el.setAttribute('data-user-id', 'u-1');
        return el;
      }
      case 3: return doc ? doc.createTextNode('text') : { nodeType: 3, parentNode: null };
      case 4: return { dataset: { action: r.pick(['book-appointment', '', 0, null, s.huge]), userId: 'u-2' } };
      case 5: return { 'data-action': anyString(), title: 7 };
      default: {
        const o = { nodeType: r.pick([1, 3, 11, undefined, '1']), parentNode: depth < 4 ? element(depth + 1) : null };
        if (r.chance(0.5)) o.getAttribute = (name) => (name === 'data-action' ? 'walked' : null);
        if (r.chance(0.2)) o.host = element(depth + 1);
        return r.chance(0.2) ? Object.freeze(o) : o;
      }
    }
  }

  /** An event-like value. */
  function event() {
    switch (r.int(8)) {
      case 0: return primitive();
      case 1: return hostileObject(0);
      default: {
        const e = {};
        for (const field of ['target', 'srcElement', 'currentTarget']) {
          if (r.chance(0.45)) e[field] = element(0);
        }
        if (r.chance(0.15)) {
          const first = element(1);
          e.composedPath = r.pick([() => [first], () => 'not an array', () => revokedProxy([]), () => []]);
        }
        return e;
      }
    }
  }

  /** Options for resolveAction: every type, hostile ones included. */
  function resolveOptions() {
    switch (r.int(6)) {
      case 0: return primitive();
      case 1: return hostileObject(0);
      case 2: return undefined;
      default: {
        const o = {};
        if (r.chance(0.5)) o.attribute = attributeName();
        if (r.chance(0.3)) o.maxDepth = r.pick([0, 1, 32, 1024, 1025, -1, 1.5, NaN, '3', null, 1e9]);
        if (r.chance(0.3)) o.root = element(0);
        return o;
      }
    }
  }

  const CONFIG_NAMES = ['baseUrl', 'attempts', 'baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs', 'attemptTimeoutMs',
    'deadlineMs', 'pollIntervalMs', 'breakerThreshold', 'breakerCooldownMs', 'idempotencyTtlMs',
    'idempotencyMaxEntries', 'logCapacity', 'fetch', 'log', 'storage', 'storageKey', '__proto__', 'constructor', 'bogus'];

  /** A client config: mostly wrong, sometimes hostile. */
  function config(fetchFn) {
    switch (r.int(6)) {
      case 0: return primitive();
      case 1: return hostileObject(0);
      case 2: return JSON.parse(`{"__proto__": {"baseUrl": "http://attacker.invalid/api"}, "fetch": null}`);
      default: {
        const o = { fetch: fetchFn };
        const n = r.int(3);
        for (let i = 0; i < n; i++) {
          const name = r.pick(CONFIG_NAMES);
          const value = r.chance(0.5) ? primitive() : r.chance(0.5) ? hostileObject(0) : r.pick([1, 100, 'local', '/api/v2', s.huge]);
          // Defined, not assigned: an own '__proto__' key, as JSON.parse makes one.
          Object.defineProperty(o, name, { value, enumerable: true, configurable: true, writable: true });
        }
        return o;
      }
    }
  }

  const REQUEST_NAMES = ['calendarId', 'slotStart', 'durationMinutes', 'patientName', 'patientEmail', 'patientPhone',
    'notes', 'idempotencyKey', 'appointmentId'];

  /** A booking request: a valid one spoiled in one or two places, or something else. */
  function request(valid) {
    switch (r.int(8)) {
      case 0: return primitive();
      case 1: return hostileObject(0);
      case 2: return revokedProxy(valid());
      default: {
        const o = valid();
        const n = 1 + r.int(2);
        for (let i = 0; i < n; i++) {
          const name = r.pick(REQUEST_NAMES);
          const value = r.chance(0.6) ? primitive() : r.chance(0.5) ? hostileObject(0) : anyString();
          const thrown = boom();
          const field = r.chance(0.2) ? { get() { throw thrown; } }
            : { value: r.chance(0.1) ? revokedProxy() : value, writable: true };
          Object.defineProperty(o, name, { ...field, enumerable: true, configurable: true });
        }
        return r.chance(0.1) ? Object.freeze(o) : o;
      }
    }
  }

  return { event, element, attributeName, resolveOptions, config, request, primitive, hostileObject };
}

/**
 * The legacy helper's contract (../../shared/LEGACY.md) with its one fix, `srcElement`: the
 * oracle the drop-in must agree with on every input, hostile ones included.
 */
export function reference(event, attribute = 'data-action') {
  if (!event) throw new TypeError('getActionLabel: an event-like object is required');
  const element = event.target || event.srcElement || event.currentTarget || null;
  if (!element) return '';
  if (typeof element.getAttribute === 'function') {
    const value = element.getAttribute(attribute);
    return typeof value === 'string' ? value : '';
  }
  if (element.dataset && typeof attribute === 'string' && attribute.startsWith('data-')) {
    const key = attribute.slice(5).replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());
    return element.dataset[key] || '';
  }
  if (attribute in element) {
    const value = element[attribute];
    return typeof value === 'string' ? value : '';
  }
  return '';
}

/** Calls `fn(...args)`: `{ value }` or `{ error }`. */
export function attempt(fn, args) {
  try {
    return { value: fn(...args) };
  } catch (error) {
    return { error };
  }
}

/** Whether two outcomes agree: the same value, or the same thrown input exception (the very
 * object), or engine errors of the same kind. A string saying how they differ, or ''. */
export function disagreement(want, got) {
  if ('value' in want) {
    if ('error' in got) return `expected a value, threw ${safeText(got.error)}`;
    return Object.is(want.value, got.value) ? '' : `expected ${safeText(want.value)}, got ${safeText(got.value)}`;
  }
  if (!('error' in got)) return `expected a throw of ${safeText(want.error)}, got ${safeText(got.value)}`;
  if (want.error instanceof Hostile || got.error instanceof Hostile) {
    return want.error === got.error ? '' : `expected the input's own ${safeText(want.error)}, got ${safeText(got.error)}`;
  }
  const kind = (e) => { try { return e.constructor.name; } catch { return typeof e; } };
  return kind(want.error) === kind(got.error) ? '' : `expected a ${kind(want.error)}, got ${safeText(got.error)}`;
}

/** A short description of any value, never throwing. */
export function safeText(value) {
  try {
    if (typeof value === 'string') return value.length > 40 ? `'${value.slice(0, 40)}…' (${value.length} units)` : `'${value}'`;
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    return String(value);
  } catch {
    return '(unprintable)';
  }
}
