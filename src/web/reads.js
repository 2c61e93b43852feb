// Total reads of event-like and element-like values: none of these functions throws.
//
// A read that throws (a hostile getter, a Proxy, a revoked Proxy) returns `undefined` and
// parks the first exception; the Rust caller asks `failed()` once, at the end of its work,
// and turns the parked exception into an error. This costs one cheap call per
// getActionLabel instead of wasm-bindgen's `catch` wrapper on every read, which in 0.2.130
// also leaks one externref slot per caught exception.

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
export function composedPath(o) {
  try { return typeof o.composedPath === 'function' ? o.composedPath() : undefined; } catch (e) { return park(e); }
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
