// Total reads of event-like and element-like values: none of these functions throws.
//
// A read that throws (a hostile getter, a Proxy, a revoked Proxy) returns `undefined` and
// parks the first exception; the Rust caller asks `failed()` once, at the end of its work,
// and turns the parked exception into an error. This costs one cheap call per
// getActionLabel instead of wasm-bindgen's `catch` wrapper on every read, which in 0.2.130
// also leaks one externref slot per caught exception.
//
// Every function the Rust side imports from here must stay total: an exception thrown through
// Wasm frames skips Rust destructors and the shadow-stack reset, and enough of them brick the
// module (tests/e2e/hostile.test.mjs).

let failure;
let hasFailure = false;

function park(error) {
  if (!hasFailure) {
    hasFailure = true;
    failure = error;
  }
  return undefined;
}

export function failed() { return hasFailure; }
export function takeFailure() {
  const error = failure;
  failure = undefined;
  hasFailure = false;
  return error;
}

export function target(o) { try { return o.target; } catch (e) { return park(e); } }
export function srcElement(o) { try { return o.srcElement; } catch (e) { return park(e); } }
export function currentTarget(o) { try { return o.currentTarget; } catch (e) { return park(e); } }
// The first entry of `o.composedPath()` when that is a function returning an array. Everything
// here can throw on a hostile event: the call, `Array.isArray` on a revoked Proxy, the index.
export function firstPathEntry(o) {
  try {
    if (typeof o.composedPath !== 'function') return undefined;
    const path = o.composedPath();
    return Array.isArray(path) ? path[0] : undefined;
  } catch (e) {
    return park(e);
  }
}
export function getAttributeMember(o) { try { return o.getAttribute; } catch (e) { return park(e); } }
export function dataset(o) { try { return o.dataset; } catch (e) { return park(e); } }
export function nodeType(o) { try { return o.nodeType; } catch (e) { return park(e); } }
export function parentNode(o) { try { return o.parentNode; } catch (e) { return park(e); } }
export function host(o) { try { return o.host; } catch (e) { return park(e); } }
export function isDisabled(o) {
  try { return typeof o.matches === 'function' ? o.matches(':disabled') === true : o.disabled === true; } catch (e) { park(e); return false; }
}
export function call1(f, self, arg) { try { return f.call(self, arg); } catch (e) { return park(e); } }
export function get(o, key) { try { return o[key]; } catch (e) { return park(e); } }
export function has(o, key) { try { return key in o; } catch (e) { park(e); return false; } }

// The `dataset` key of a `data-*` attribute name, or undefined for any other value: the legacy
// helper's own rule (../../shared/LEGACY.md), which is also the DOM's: `data-user-id` → `userId`,
// a `-` before an ASCII lowercase letter folds, every other code unit (lone surrogates
// included) is kept. Done here rather than in Rust: it is the legacy code itself, it keeps the
// string's code units as they are, and a 1 MB name costs no copy into Wasm memory.
const DASH_LOWER = /-([a-z])/g;
const upper = (_, letter) => letter.toUpperCase();
export function datasetKey(name) {
  return typeof name === 'string' && name.startsWith('data-') ? name.slice(5).replace(DASH_LOWER, upper) : undefined;
}

// An own property of an options object, never an inherited one: a polluted Object.prototype
// must not choose the attribute, the boundary or the depth.
const hasOwn = Object.prototype.hasOwnProperty;
export function own(o, key) {
  try { return hasOwn.call(o, key) ? o[key] : undefined; } catch (e) { return park(e); }
}

// Names and reasons by index (the Rust enums' order), and the result as an object literal:
// literal fields are defined, not assigned, so a setter on Object.prototype sees nothing.
const SOURCES = [null, 'target', 'srcElement', 'currentTarget', 'composedPath'];
const REASONS = [null, 'no_event', 'no_element', 'not_an_element', 'attribute_missing', 'attribute_empty',
  'disabled', 'depth_limit', 'read_failed'];
export function resolution(label, source, reason, element, depth) {
  return { label, source: SOURCES[source], reason: REASONS[reason], element, depth };
}
